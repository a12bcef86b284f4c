//! The admin's site page: site name and tagline stored as settings that override the
//! configuration, sections renamed and reordered, a source's articles moved to a
//! section; each shown at once and written to the admin log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use herald_store::Store;
use herald_types::default_sections;
use support::{article, Portal};

async fn post_site(p: &Portal, form: &[(&str, &str)]) -> support::Reply {
    let token = p.admin_get("/admin/site").await.token();
    let mut all = vec![("token", token.as_str())];
    all.extend_from_slice(form);
    let reply = p.admin_post("/admin/site", &all).await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply
}

fn nav(html: &str) -> Vec<String> {
    let nav = &html[html.find("aria-label=\"Sections\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<a href=\"/section/")
        .skip(1)
        .map(|s| {
            let start = s.find('>').unwrap() + 1;
            s[start..s.find("</a>").unwrap()].to_string()
        })
        .collect()
}

#[tokio::test]
async fn site_name_and_tagline_override_the_configuration_at_once() {
    let p = support::story_portal().await;
    p.admin().await;
    let front = p.get("/").await.body;
    assert!(front.contains("<title>Riverton News</title>"), "{front}");

    post_site(
        &p,
        &[
            ("action", "settings"),
            ("site_name", "Valley Herald"),
            ("tagline", "News at dawn"),
        ],
    )
    .await;
    let front = p.get("/").await.body;
    assert!(front.contains("<title>Valley Herald</title>"), "{front}");
    assert!(front.contains("News at dawn"));
    assert!(p
        .get("/feed.rss")
        .await
        .body
        .contains("<title>Valley Herald</title>"));
    assert_eq!(
        p.store.setting("site.name").await.unwrap().as_deref(),
        Some("Valley Herald")
    );
    let log = p.store.admin_log(5).await.unwrap();
    assert_eq!(log[0].action, "site.settings");
    assert!(log[0].detail.contains("Valley Herald"));

    // Empty fields return to the configuration.
    post_site(
        &p,
        &[("action", "settings"), ("site_name", " "), ("tagline", "")],
    )
    .await;
    let front = p.get("/").await.body;
    assert!(front.contains("<title>Riverton News</title>"), "{front}");
    assert!(front.contains("All the news from the valley"));
}

#[tokio::test]
async fn sections_are_renamed_and_reordered_and_survive_a_restart() {
    let p = support::story_portal().await;
    p.admin().await;
    assert_eq!(
        nav(&p.get("/").await.body),
        ["News", "Movies", "Music", "Books"]
    );
    let ids: Vec<(String, i64)> = p
        .store
        .sections()
        .await
        .unwrap()
        .iter()
        .map(|s| (s.slug.clone(), s.id.0))
        .collect();
    let id = |slug: &str| ids.iter().find(|(s, _)| s == slug).unwrap().1.to_string();
    let (news, movies, music, books) = (id("news"), id("movies"), id("music"), id("books"));
    let fields = [
        (format!("name.{news}"), "World"),
        (format!("position.{news}"), "2"),
        (format!("name.{movies}"), "Film"),
        (format!("position.{movies}"), "3"),
        (format!("name.{music}"), "Music"),
        (format!("position.{music}"), "4"),
        (format!("name.{books}"), "Books & Ideas"),
        (format!("position.{books}"), "1"),
    ];
    let mut form: Vec<(&str, &str)> = vec![("action", "sections")];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), *v)));
    post_site(&p, &form).await;

    let front = p.get("/").await.body;
    assert_eq!(nav(&front), ["Books &#38; Ideas", "World", "Film", "Music"]);
    let api = p.get("/api/v1/sections").await.json();
    assert_eq!(api["items"][0]["slug"], "books");
    assert_eq!(api["items"][1]["name"], "World");
    assert!(p
        .get("/section/news")
        .await
        .body
        .contains("<h1 class=\"page-title\">World</h1>"));
    let log = p.store.admin_log(5).await.unwrap();
    assert_eq!(log[0].action, "site.sections");
    assert!(
        log[0].detail.contains("news → “World”"),
        "{}",
        log[0].detail
    );

    // A restart syncs the configured sections again: the admin's names and order stay.
    let synced = p.store.sync_sections(&default_sections()).await.unwrap();
    let names: Vec<&str> = synced.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Books & Ideas", "World", "Film", "Music"]);

    // A section without a name is refused and nothing changes.
    let reply = post_site(&p, &[("action", "sections"), (&format!("name.{news}"), "")]).await;
    let notice = p.admin_get(reply.header("location")).await.body;
    assert!(
        notice.contains("needs a name") || notice.contains("whole number"),
        "{notice}"
    );
    assert_eq!(nav(&p.get("/").await.body)[1], "World");
}

#[tokio::test]
async fn a_source_moves_to_a_section_with_its_past_and_future_articles() {
    let p = support::story_portal().await;
    p.admin().await;
    let courier = p
        .store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Courier")
        .unwrap();
    // Courier has article 2 in News and 5 in Books.
    post_site(
        &p,
        &[
            ("action", "source"),
            ("source", &courier.id.0.to_string()),
            ("section", "music"),
        ],
    )
    .await;
    let log = p.store.admin_log(5).await.unwrap();
    assert_eq!(log[0].action, "site.source");
    assert!(
        log[0].detail.contains("2 stored articles moved"),
        "{}",
        log[0].detail
    );
    for id in [2, 5] {
        let a = p.get(&format!("/api/v1/articles/{id}")).await.json();
        assert_eq!(a["section"], "music", "article {id}");
    }
    // New articles follow, whatever section they name.
    p.store
        .upsert_articles(vec![article(7, "news", "Courier", 5, "Late edition")])
        .await
        .unwrap();
    let a = p.get("/api/v1/articles/7").await.json();
    assert_eq!(a["section"], "music");
    // Search sees the new section once the index catches up on the logged changes.
    p.reindex().await;
    let hits = p
        .get("/api/v1/search?q=late+edition&section=music")
        .await
        .json();
    assert_eq!(hits["items"][0]["id"], 7, "{hits}");
    let hits = p.get("/api/v1/search?q=closure&section=music").await.json();
    assert_eq!(hits["items"][0]["id"], 2, "{hits}");
    let page = p.admin_get("/admin/site").await.body;
    assert!(page.contains("<option value=\"music\" selected>"), "{page}");

    // Ending the mapping leaves the articles where they are; new ones follow the feed.
    post_site(
        &p,
        &[
            ("action", "source"),
            ("source", &courier.id.0.to_string()),
            ("section", ""),
        ],
    )
    .await;
    p.store
        .upsert_articles(vec![article(8, "news", "Courier", 1, "Later edition")])
        .await
        .unwrap();
    assert_eq!(p.get("/api/v1/articles/8").await.json()["section"], "news");
    assert_eq!(p.get("/api/v1/articles/7").await.json()["section"], "music");
}

#[tokio::test]
async fn the_site_page_needs_a_signed_in_admin_and_a_valid_form() {
    let p = support::story_portal().await;
    p.admin().await;
    assert_eq!(p.get("/admin/site").await.status, 303);
    let forged = p
        .admin_post(
            "/admin/site",
            &[
                ("token", "x"),
                ("action", "settings"),
                ("site_name", "Evil"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(p
        .get("/")
        .await
        .body
        .contains("<title>Riverton News</title>"));
    let page = p.admin_get("/admin/site").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Riverton News") && page.body.contains("Courier"));
}
