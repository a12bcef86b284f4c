//! Each story's coverage as RSS, Atom and JSON Feed, linked from the story page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[tokio::test]
async fn story_feeds_parse_back_in_every_format() {
    let p = support::story_portal().await;
    for (ext, ct) in [
        ("rss", "application/rss+xml; charset=utf-8"),
        ("atom", "application/atom+xml; charset=utf-8"),
        ("json", "application/feed+json; charset=utf-8"),
    ] {
        let path = format!("/story/1/feed.{ext}");
        let reply = p.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.header("content-type"), ct);
        let url = format!("http://portal.test{path}");
        let feed = herald_feed::parse(reply.body.as_bytes(), Some(&url), Some(ct));
        assert!(!feed.bozo, "{path}: {:?}\n{}", feed.bozo_reason, reply.body);
        assert!(
            feed.feed
                .title
                .as_deref()
                .unwrap_or("")
                .starts_with("Bridge closes for repairs"),
            "{path}: {:?}",
            feed.feed.title
        );
        let links: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.link.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            links,
            vec![
                "http://portal.test/article/3",
                "http://portal.test/article/2",
                "http://portal.test/article/1"
            ],
            "{path}: newest first, only this story's articles"
        );
        // Revalidation works as for every other feed.
        let etag = reply.header("etag").to_string();
        let again = p
            .send(
                axum::http::Request::get(&path)
                    .header("host", "portal.test")
                    .header("if-none-match", etag)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(again.status, 304, "{path}");
    }
}

#[tokio::test]
async fn story_page_links_its_feeds_and_merged_feeds_redirect() {
    let p = support::story_portal().await;
    let page = p.get("/story/1").await;
    assert_eq!(page.status, 200);
    for (mime, file) in [
        ("application/rss+xml", "feed.rss"),
        ("application/atom+xml", "feed.atom"),
        ("application/feed+json", "feed.json"),
    ] {
        let link = format!(
            "<link rel=\"alternate\" type=\"{mime}\" href=\"http://portal.test/story/1/{file}\""
        );
        assert!(page.body.contains(&link), "{link} missing:\n{}", page.body);
    }
    let merged = p.get("/story/6/feed.atom").await;
    assert_eq!(merged.status, 308);
    assert_eq!(merged.header("location"), "/story/4/feed.atom");
    for missing in [
        "/story/999/feed.rss",
        "/story/1/feed.xml",
        "/story/x/feed.rss",
    ] {
        assert_eq!(p.get(missing).await.status, 404, "{missing}");
    }
}
