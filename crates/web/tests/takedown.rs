//! Taking an article down: 410 Gone on its page and in the API, gone from listings,
//! feeds, sitemaps, stories and search, recorded in the admin log, and only by a
//! signed-in admin with a valid form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use herald_store::{ChangeOp, Store};
use herald_types::ArticleId;
use support::Portal;

async fn take_down(p: &Portal, id: &str, reason: &str) -> support::Reply {
    let token = p.admin_get("/admin/articles").await.token();
    p.admin_post(
        "/admin/articles",
        &[
            ("token", &token),
            ("id", id),
            ("action", "takedown"),
            ("reason", reason),
        ],
    )
    .await
}

#[tokio::test]
async fn a_taken_down_article_is_gone_everywhere() {
    let p = support::story_portal().await;
    p.admin().await;
    // Before: listed, searchable, in feeds and the sitemap.
    assert!(p
        .get("/story/1")
        .await
        .body
        .contains("Bridge closure begins"));
    assert!(p
        .get("/api/v1/search?q=closure")
        .await
        .body
        .contains("\"id\":2"));
    for path in [
        "/feed.rss",
        "/sitemaps/articles-1.xml",
        "/api/v1/articles",
        "/story/1",
    ] {
        assert!(
            p.get(path).await.body.contains("/article/2"),
            "{path} lacks it before"
        );
    }

    let reply = take_down(&p, "http://portal.test/article/2", "Legal request 7").await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert!(reply.header("location").starts_with("/admin/articles?id="));
    p.reindex().await;

    let page = p.get("/article/2").await;
    assert_eq!(page.status, 410);
    assert!(
        page.body.contains("This article has been removed"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Bridge closure begins"));
    assert!(
        !page.body.contains("Legal request 7"),
        "the reason stays private"
    );
    let api = p.get("/api/v1/articles/2").await;
    assert_eq!(api.status, 410);
    assert_eq!(api.json()["code"], "gone");
    assert_eq!(p.get("/api/v1/articles/2/comments").await.status, 410);
    assert_eq!(p.get("/article/2/comments/feed.rss").await.status, 410);
    assert_eq!(
        p.get("/article/999").await.status,
        404,
        "unknown is still 404"
    );
    assert_eq!(
        p.get("/api/v1/articles/999").await.json()["code"],
        "not_found"
    );

    for path in [
        "/",
        "/section/news",
        "/feed.rss",
        "/section/news/feed.atom",
        "/story/1",
        "/story/1/feed.json",
        "/sitemaps/articles-1.xml",
        "/sitemaps/news.xml",
        "/api/v1/articles",
        "/api/v1/stories/1",
        "/api/v1/search?q=closure",
        "/search?q=closure",
    ] {
        let reply = p.get(path).await;
        assert!(
            !reply.body.contains("/article/2\"") && !reply.body.contains("Bridge closure begins"),
            "{path} still shows the article:\n{}",
            reply.body
        );
    }
    let story = p.get("/api/v1/stories/1").await.json();
    assert_eq!(story["article_count"], 2);

    // The search index dropped it through a delete in the change log.
    let changes = p.store.changes_since(0, 100).await.unwrap();
    assert!(changes
        .iter()
        .any(|c| c.article == ArticleId(2) && c.op == ChangeOp::Delete));
    let log = p.store.admin_log(10).await.unwrap();
    assert_eq!(log[0].action, "article.takedown");
    assert!(log[0].detail.contains("article 2") && log[0].detail.contains("Legal request 7"));

    // A second takedown changes nothing; the admin page tells what happened.
    let again = take_down(&p, "2", "again").await;
    let notice = p.admin_get(again.header("location")).await.body;
    assert!(notice.contains("taken down already"), "{notice}");
    assert!(notice.contains("Legal request 7"), "{notice}");
}

#[tokio::test]
async fn a_story_whose_first_article_goes_passes_to_the_next() {
    let p = support::story_portal().await;
    p.admin().await;
    assert_eq!(take_down(&p, "1", "").await.status, 303);
    // Story 1 now lives on as story 2 (its earliest remaining article): the old id
    // redirects, the listing shows the story through article 2.
    let old = p.get("/story/1").await;
    assert_eq!(old.status, 308);
    assert_eq!(old.header("location"), "/story/2");
    let story = p.get("/api/v1/stories/2").await.json();
    assert_eq!(story["article_count"], 2);
    assert_eq!(
        story["title"], "Bridge closure begins",
        "the removed headline left too"
    );
    let news = p.get("/section/news").await.body;
    assert!(news.contains("/article/2\""), "{news}");
    assert!(!news.contains("/article/1\""), "{news}");
}

#[tokio::test]
async fn only_signed_in_admins_with_a_valid_form_take_articles_down() {
    let p = support::story_portal().await;
    p.admin().await;
    let forged = p
        .admin_post(
            "/admin/articles",
            &[("token", "forged"), ("id", "2"), ("action", "takedown")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let anonymous = p.get("/admin/articles?id=2").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(p.get("/article/2").await.status, 200, "still there");

    // The article page offers the takedown form to signed-in admins only.
    let reader = p.get("/article/2").await.body;
    assert!(!reader.contains("action=\"/admin/articles\""));
    let admin = p.admin_get("/article/2").await;
    assert!(
        admin.body.contains("action=\"/admin/articles\""),
        "{}",
        admin.body
    );
    assert!(admin.header("cache-control").contains("private"));
    let found = p.admin_get("/admin/articles?id=/article/2").await.body;
    assert!(found.contains("Bridge closure begins") && found.contains("Take this article down"));
}
