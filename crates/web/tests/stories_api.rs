//! The story listing and full coverage in the JSON API, over a real store whose
//! stories were written as the clusterer writes them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Portal;

async fn portal() -> Portal {
    support::story_portal().await
}

#[tokio::test]
async fn stories_list_newest_first_with_cursor_paging() {
    let p = portal().await;
    let reply = p.get("/api/v1/stories?limit=1").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/json");
    let page = reply.json();
    let first = &page["items"][0];
    assert_eq!(
        first["id"], 4,
        "the most recently active story first: {page}"
    );
    assert_eq!(
        first["article_count"], 3,
        "the merged story's article joined"
    );
    assert_eq!(first["source_count"], 3);
    assert_eq!(first["url"], "http://portal.test/story/4");
    assert!(first["first_seen"].as_str().unwrap() < first["last_seen"].as_str().unwrap());
    let next = page["next"].as_str().unwrap();
    assert!(next.starts_with("http://portal.test/api/v1/stories?cursor="));

    let cursor = page["next_cursor"].as_str().unwrap();
    let page = p
        .get(&format!("/api/v1/stories?limit=1&cursor={cursor}"))
        .await
        .json();
    assert_eq!(page["items"][0]["id"], 1);
    assert_eq!(page["items"][0]["title"], "Bridge closes for repairs");
    assert!(
        page["next_cursor"].is_null(),
        "merged stories are not listed: {page}"
    );

    let all = p.get("/api/v1/stories").await.json();
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![4, 1]);
    let big = p.get("/api/v1/stories?min_articles=4").await.json();
    assert_eq!(big["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_story_lists_its_articles_and_merged_ids_redirect() {
    let p = portal().await;
    let reply = p.get("/api/v1/stories/1").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let story = reply.json();
    assert_eq!(story["id"], 1);
    assert_eq!(story["article_count"], 3);
    let articles = story["articles"].as_array().unwrap();
    let ids: Vec<i64> = articles.iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3], "oldest first");
    assert_eq!(articles[2]["duplicate_of"], 1);
    assert!(articles[0]["duplicate_of"].is_null());
    assert_eq!(articles[1]["url"], "http://portal.test/article/2");
    assert_eq!(articles[1]["source"]["name"], "Courier");

    // As the story page does: a merged story's id leads to the survivor.
    let merged = p.get("/api/v1/stories/6").await;
    assert_eq!(merged.status, 308);
    assert_eq!(merged.header("location"), "/api/v1/stories/4");
    let page = p.get("/story/6").await;
    assert_eq!(page.status, 308);
    assert_eq!(page.header("location"), "/story/4");
}

#[tokio::test]
async fn story_errors_are_json() {
    let p = portal().await;
    for (path, status, code) in [
        ("/api/v1/stories/999", 404, "not_found"),
        ("/api/v1/stories/abc", 400, "bad_parameter"),
        ("/api/v1/stories?cursor=nonsense", 400, "bad_cursor"),
        ("/api/v1/stories?limit=0", 400, "bad_parameter"),
        ("/api/v1/stories?min_articles=0", 400, "bad_parameter"),
    ] {
        let reply = p.get(path).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        let body = reply.json();
        assert_eq!(body["code"], code, "{path}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn stories_are_in_the_openapi_document() {
    let p = portal().await;
    let doc = p.get("/api/v1/openapi.json").await.json();
    for path in ["/api/v1/stories", "/api/v1/stories/{id}"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    let detail = &doc["paths"]["/api/v1/stories/{id}"]["get"]["responses"];
    assert!(detail["308"].is_object() && detail["404"].is_object());
    assert!(doc["components"]["schemas"]["StoryList"].is_object());
    assert!(doc["components"]["schemas"]["StoryDetail"].is_object());
}
