//! Fixture pages written for these tests, one per behaviour, with assertions on the
//! extracted [`Article`].

use herald_extract::{extract, Article};

fn fixture(name: &str, url: Option<&str>) -> Article {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let html = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    extract(&html, url, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn comment_form_after_article() {
    let a = fixture(
        "comment-form-after-article.html",
        Some("https://city.example/news/library"),
    );
    assert_eq!(
        a.title.as_deref(),
        Some("Council approves new library budget")
    );
    assert_eq!(a.site_name.as_deref(), Some("City News & Search"));
    assert_eq!(a.authors, vec!["Maria Lopez"]);
    assert_eq!(a.published.as_deref(), Some("2025-03-04T14:15:00Z"));
    assert_eq!(a.lang.as_deref(), Some("en"));
    assert!(a.text.starts_with("The city council voted"), "{}", a.text);
    assert!(
        a.text.contains("\n\nWhat changes\n\nFrom April"),
        "{}",
        a.text
    );
    assert!(a.text.ends_with("for the first time."), "{}", a.text);
    for junk in [
        "Leave a Reply",
        "Movies",
        "Post Comment",
        "Copyright",
        "By Maria Lopez",
        "email address",
    ] {
        assert!(!a.text.contains(junk), "{junk:?} leaked into {:?}", a.text);
    }
    assert!(a.html.contains("<h2>What changes</h2>"), "{}", a.html);
    assert!(a.html.starts_with("<p>The city council"), "{}", a.html);
}

#[test]
fn jsonld_articlebody() {
    let a = fixture(
        "jsonld-articlebody.html",
        Some("https://coastal.example/news/harbour"),
    );
    assert_eq!(a.title.as_deref(), Some("Harbour reopens after storm"));
    assert_eq!(a.authors, vec!["Sam Reed", "Ana Ruiz"]);
    assert_eq!(a.published.as_deref(), Some("2025-02-10T05:00:00Z"));
    assert_eq!(a.modified.as_deref(), Some("2025-02-10T07:30:00Z"));
    assert_eq!(
        a.image.as_deref(),
        Some("https://coastal.example/img/harbour.jpg")
    );
    assert_eq!(a.section.as_deref(), Some("Local"));
    assert_eq!(a.tags, vec!["harbour", "storm", "shipping"]);
    assert_eq!(a.site_name.as_deref(), Some("Coastal Daily"));
    // The page shows one paragraph; the consistent JSON-LD body is the full article.
    assert!(a.text.contains("Harbour master Tom Hale"), "{}", a.text);
    assert!(a.text.contains("\n\nFishermen, who lost"), "{}", a.text);
    assert!(!a.text.contains("Loading"), "{}", a.text);
    assert_eq!(a.html.matches("<p>").count(), 4, "{}", a.html);
}

#[test]
fn nav_inside_article() {
    let a = fixture(
        "nav-inside-article.html",
        Some("https://stadt.example/verkehr/artikel?id=1"),
    );
    assert_eq!(a.lang.as_deref(), Some("de"));
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://stadt.example/verkehr/radwege-innenstadt")
    );
    assert_eq!(
        a.image.as_deref(),
        Some("https://stadt.example/bilder/radweg.jpg")
    );
    assert!(a.text.starts_with("Die Stadt baut"), "{}", a.text);
    assert!(a.text.contains("zeitweise gesperrt."), "{}", a.text);
    for junk in [
        "Start",
        "Teilen",
        "Kosten",
        "Newsletter",
        "Mehr zum Thema",
        "Parkgebühren",
    ] {
        assert!(!a.text.contains(junk), "{junk:?} leaked into {:?}", a.text);
    }
    assert_eq!(a.text.split("\n\n").count(), 3, "{}", a.text);
}

#[test]
fn paywall_teaser() {
    let a = fixture("paywall-teaser.html", None);
    assert_eq!(
        a.title.as_deref(),
        Some("The quiet rise of community solar")
    );
    assert_eq!(a.authors, vec!["Priya Natarajan"]);
    assert_eq!(a.published.as_deref(), Some("2024-11-02T00:00:00Z"));
    assert!(
        a.text.contains("State regulators in three states"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("Subscribe"), "{}", a.text);
}

#[test]
fn liveblog() {
    let a = fixture("liveblog.html", None);
    assert_eq!(a.title.as_deref(), Some("Election night: live updates"));
    assert_eq!(a.description.as_deref(), Some("Results as they come in."));
    assert!(
        a.text
            .contains("Turnout highest since 1992\n\nOfficials say"),
        "{}",
        a.text
    );
    assert!(a.text.contains("First results declared"), "{}", a.text);
    assert!(
        a.text.contains("Polls close in thirty minutes"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("Most read"), "{}", a.text);
    assert!(!a.text.contains("22:40"), "{}", a.text);
}

#[test]
fn legacy_charset_latin1() {
    let a = fixture("legacy-charset-latin1.html", None);
    assert_eq!(a.encoding, "windows-1252");
    assert_eq!(
        a.title.as_deref(),
        Some("Café culture returns to the old town")
    );
    assert!(a.text.contains("«grand café»"), "{}", a.text);
    assert!(a.text.contains("crêpes"), "{}", a.text);
}

#[test]
fn teaser_cards_after_article() {
    let a = fixture("teaser-cards-after-article.html", None);
    assert!(a.text.starts_with("The city museum"), "{}", a.text);
    assert!(a.text.ends_with("appeal last year."), "{}", a.text);
    for junk in ["Bridge closure", "robotics", "bakery", "hours ago"] {
        assert!(!a.text.contains(junk), "{junk:?} leaked into {:?}", a.text);
    }
}

#[test]
fn content_type_charset_wins_over_sniffing() {
    let html = b"<html><body><article><p>Gr\xfc\xdfe aus K\xf6ln, wo der Karneval in diesem Jahr besonders lang gefeiert wurde und alle Stra\xdfen voll waren.</p></article></body></html>";
    let a = extract(html, None, Some("text/html; charset=ISO-8859-1")).unwrap();
    assert_eq!(a.encoding, "windows-1252");
    assert!(a.text.starts_with("Grüße aus Köln"), "{}", a.text);
}

#[test]
fn html_output_is_sanitised() {
    let html = br#"<html><body><article>
      <p onclick="steal()">A paragraph with <a href="javascript:alert(1)">a bad link</a>, <a href="/ok" style="x">a good link</a>, <b>bold</b> and <i>italic</i> text that is long enough to count as prose.</p>
      <script>alert(1)</script><iframe src="https://evil.example"></iframe>
      <p>Second paragraph with an image <img src="/i.png" alt="A &quot;chart&quot;" onerror="x()"> and &lt;escaped&gt; text, also long enough to be prose.</p>
      <ul><li>first item of a short list</li><li>second item of a short list</li></ul>
    </article></body></html>"#;
    let a = extract(html, Some("https://site.example/a/b"), None).unwrap();
    assert!(!a.html.contains("javascript:"), "{}", a.html);
    assert!(
        !a.html.contains("onclick") && !a.html.contains("onerror") && !a.html.contains("style="),
        "{}",
        a.html
    );
    assert!(
        !a.html.contains("<script") && !a.html.contains("<iframe"),
        "{}",
        a.html
    );
    assert!(
        a.html
            .contains(r#"<a href="https://site.example/ok">a good link</a>"#),
        "{}",
        a.html
    );
    assert!(
        a.html.contains("<strong>bold</strong>") && a.html.contains("<em>italic</em>"),
        "{}",
        a.html
    );
    assert!(
        a.html
            .contains(r#"<img src="https://site.example/i.png" alt="A &quot;chart&quot;">"#),
        "{}",
        a.html
    );
    assert!(a.html.contains("&lt;escaped&gt;"), "{}", a.html);
    assert!(
        a.html.contains("<ul>\n<li>first item of a short list</li>"),
        "{}",
        a.html
    );
}

#[test]
fn related_box_mid_article() {
    let a = fixture("related-box-mid-article.html", None);
    assert!(
        a.text.starts_with("The regional transport authority"),
        "{}",
        a.text
    );
    // The inline "Related" box does not end the story: two long paragraphs follow it.
    assert!(a.text.contains("a night service on Fridays"), "{}", a.text);
    assert!(
        a.text.ends_with("until the end of the year at least."),
        "{}",
        a.text
    );
    for junk in ["Tunnel works delayed", "Related articles", "Bus fares"] {
        assert!(!a.text.contains(junk), "{junk:?} leaked into {:?}", a.text);
    }
}

#[test]
fn visible_byline_and_dateline_are_last_resort_metadata() {
    let html = br#"<html><body><article><h1>Storm closes schools</h1>
      <p class="x">By Jane Doe | Staff writer</p><p>March 2, 2026</p>
      <p>All schools in the district will stay closed on Monday after the storm brought down power lines across the valley, officials said.</p>
      <p>Parents were told to check the district website for updates on Tuesday's timetable and on the make-up days planned for June.</p>
    </article></body></html>"#;
    let a = extract(html, None, None).unwrap();
    assert_eq!(a.published.as_deref(), Some("2026-03-02T00:00:00Z"));
    assert_eq!(a.authors, vec!["Jane Doe"]);
    assert!(a.text.starts_with("All schools"), "{}", a.text);
}
