//! Regression tests on small hand-made fixtures shaped like real feeds (WordPress RSS 2.0, a
//! video-site Atom feed with Media RSS, a broken legacy RSS 0.91 in Latin-1).
#![allow(clippy::expect_used, clippy::unwrap_used)]

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(p).unwrap()
}

#[test]
fn wordpress_rss2() {
    let f = herald_feed::parse(
        &fixture("wordpress-rss2.xml"),
        Some("https://citynews.example/feed/"),
        Some("application/rss+xml; charset=UTF-8"),
    );
    assert!(!f.bozo, "{:?}", f.bozo_reason);
    assert_eq!(f.version, "rss20");
    assert_eq!(f.encoding, "utf-8");
    assert_eq!(f.feed.title.as_deref(), Some("City News & Search"));
    assert_eq!(f.feed.link.as_deref(), Some("https://citynews.example"));
    assert_eq!(f.feed.updated.as_deref(), Some("2026-11-24T18:02:11Z"));
    assert_eq!(
        f.feed.image.as_deref(),
        Some("https://citynews.example/logo.png")
    );
    assert_eq!(f.entries.len(), 2);
    let e = &f.entries[0];
    assert_eq!(
        e.link.as_deref(),
        Some("https://citynews.example/2026/11/24/tram/")
    );
    assert_eq!(e.id.as_deref(), Some("https://citynews.example/?p=4242"));
    assert_eq!(e.published.as_deref(), Some("2026-11-24T16:45:00Z"));
    assert_eq!(e.author.as_deref(), Some("Jane Reporter"));
    assert_eq!(
        e.categories
            .iter()
            .map(|c| c.term.as_str())
            .collect::<Vec<_>>(),
        ["News", "Transport"]
    );
    let body = e.body_html().unwrap();
    assert!(
        body.contains(
            "<img alt=\"Tram\" src=\"https://citynews.example/wp-content/uploads/tram.jpg\" />"
        ),
        "{body}"
    );
    assert!(
        !body.contains("script") && !body.contains("onerror") && !body.contains("iframe"),
        "{body}"
    );
    assert!(e
        .summary
        .as_deref()
        .unwrap()
        .contains("href=\"https://citynews.example/2026/11/24/tram/\""));
    assert_eq!(e.media_content[0].width.as_deref(), Some("1200"));
    let jazz = &f.entries[1];
    assert_eq!(
        jazz.title_text().as_deref(),
        Some("Jazz festival opens & sells out")
    );
    assert_eq!(
        jazz.link.as_deref(),
        Some("https://citynews.example/2026/11/23/jazz/")
    );
    assert_eq!(jazz.enclosures[0].length.as_deref(), Some("1234567"));
}

#[test]
fn video_atom() {
    let f = herald_feed::parse(&fixture("youtube-atom.xml"), None, None);
    assert!(!f.bozo, "{:?}", f.bozo_reason);
    assert_eq!(f.version, "atom10");
    assert_eq!(
        f.feed.link.as_deref(),
        Some("https://video.example/channel/UC123")
    );
    assert_eq!(
        f.feed.authors[0].uri.as_deref(),
        Some("https://video.example/channel/UC123")
    );
    let e = &f.entries[0];
    assert_eq!(e.id.as_deref(), Some("yt:video:abc"));
    assert_eq!(e.title.as_deref(), Some("Tram <b>line</b> explained"));
    assert_eq!(e.title_type.as_deref(), Some("text/plain"));
    assert_eq!(e.link.as_deref(), Some("https://video.example/watch?v=abc"));
    assert_eq!(e.updated.as_deref(), Some("2026-11-21T13:30:00Z"));
    assert_eq!(
        e.media_thumbnail[0].url,
        "https://i.video.example/vi/abc/hqdefault.jpg"
    );
    assert_eq!(
        e.content[0].value,
        "<p>Watch <a href=\"https://video.example/watch?v=abc\">here</a>.</p>"
    );
    assert_eq!(e.categories[0].label.as_deref(), Some("Transport"));
}

#[test]
fn broken_legacy_rss() {
    let f = herald_feed::parse(&fixture("broken-legacy.xml"), None, None);
    assert!(f.bozo);
    assert!(f.bozo_reason.is_some());
    assert_eq!(f.version, "rss091u");
    assert_eq!(f.encoding, "iso-8859-1");
    assert_eq!(f.feed.title.as_deref(), Some("Café Nachrichten été"));
    assert_eq!(f.entries.len(), 2);
    let e = &f.entries[0];
    assert_eq!(e.title_text().as_deref(), Some("Rock & Roll live"));
    assert_eq!(e.link.as_deref(), Some("http://alt.example/a?x=1&y=2"));
    assert_eq!(e.summary.as_deref(), Some("Ein <i>kaputter Feed</i>"));
    assert_eq!(e.published.as_deref(), Some("2026-11-22T09:00:00Z"));
    // A javascript: link is dropped, not passed on.
    assert_eq!(f.entries[1].link, None);
}
