//! The index against a real store: catch-up, updates, rebuild, queries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_search::{SearchIndex, SearchRequest};
use herald_store::{NewArticle, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;

fn article(identity: &str, title: &str, body: &str, section: &str) -> NewArticle {
    NewArticle {
        identity: identity.into(),
        url: None,
        source: Some("Valley Wire".into()),
        section: Some(section.into()),
        category: None,
        title: title.into(),
        author: None,
        published: None,
        lang: Some("en".into()),
        summary: None,
        body_text: body.into(),
        body_html: String::new(),
    }
}

async fn setup() -> (tempfile::TempDir, SqliteStore, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("h.db")).unwrap();
    store.sync_sections(&default_sections()).await.unwrap();
    let index = SearchIndex::open(dir.path().join("index")).unwrap();
    (dir, store, index)
}

fn search(index: &SearchIndex, q: &str) -> Vec<i64> {
    let request = SearchRequest {
        query: q.into(),
        limit: 10,
        ..Default::default()
    };
    index
        .search(&request)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id.0)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn catch_up_indexes_with_stemming_and_folding() {
    let (_dir, store, index) = setup().await;
    let ids = store
        .upsert_articles(vec![
            article(
                "a",
                "Council elections called",
                "The government announced elections for March.",
                "news",
            ),
            article(
                "b",
                "Café Nocturne reviewed",
                "A late-night record by Zoë Marchetti.",
                "music",
            ),
        ])
        .await
        .unwrap();
    let mut indexer = index.indexer(50_000_000).unwrap();
    assert_eq!(indexer.catch_up(&store).await.unwrap(), 2);
    assert_eq!(index.num_docs(), 2);
    let a = ids[0].id.0;
    let b = ids[1].id.0;
    assert_eq!(search(&index, "election"), vec![a], "stemming");
    assert_eq!(search(&index, "cafe"), vec![b], "accent folding");
    assert_eq!(search(&index, "ZOE marchetti"), vec![b], "case and accents");
    assert!(search(&index, "nothingmatchesthis").is_empty());
    let filtered = SearchRequest {
        query: "elections OR record".into(),
        section: Some("music".into()),
        limit: 10,
        ..Default::default()
    };
    let hits: Vec<i64> = index
        .search(&filtered)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id.0)
        .collect();
    assert_eq!(hits, vec![b]);
    assert_eq!(
        indexer.catch_up(&store).await.unwrap(),
        0,
        "already current"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_replace_documents_and_state_survives_reopen() {
    let (dir, store, index) = setup().await;
    let id = store
        .upsert_articles(vec![article(
            "a",
            "Bridge closed",
            "The Marlow bridge closes for repairs.",
            "news",
        )])
        .await
        .unwrap()[0]
        .id;
    {
        let mut indexer = index.indexer(50_000_000).unwrap();
        indexer.catch_up(&store).await.unwrap();
        store
            .upsert_articles(vec![article(
                "a",
                "Bridge reopened",
                "The Marlow bridge reopens early.",
                "news",
            )])
            .await
            .unwrap();
        indexer.catch_up(&store).await.unwrap();
    }
    assert_eq!(
        index.count_of(id).unwrap(),
        1,
        "an update must not double the article"
    );
    assert_eq!(search(&index, "reopens"), vec![id.0]);
    assert!(search(&index, "repairs").is_empty(), "old text is gone");
    drop(index);
    let reopened = SearchIndex::open(dir.path().join("index")).unwrap();
    assert_eq!(reopened.state().seq, store.last_change_seq().await.unwrap());
    assert_eq!(reopened.num_docs(), 1);
    // A new writer over the reopened index still replaces, and a new article added
    // after the update is indexed once.
    let mut indexer = reopened.indexer(50_000_000).unwrap();
    store
        .upsert_articles(vec![article(
            "a",
            "Bridge closed again",
            "The Marlow bridge shuts once more.",
            "news",
        )])
        .await
        .unwrap();
    let other = store
        .upsert_articles(vec![article(
            "b",
            "Ferry",
            "A ferry replaces the bridge.",
            "news",
        )])
        .await
        .unwrap()[0]
        .id;
    indexer.catch_up(&store).await.unwrap();
    assert_eq!(reopened.count_of(id).unwrap(), 1);
    assert_eq!(reopened.count_of(other).unwrap(), 1);
    assert_eq!(reopened.num_docs(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn rebuild_recreates_everything_from_the_store() {
    let (_dir, store, index) = setup().await;
    let batch: Vec<_> = (0..250)
        .map(|i| {
            article(
                &format!("id{i}"),
                &format!("Story number {i}"),
                &format!("Body word{i} shared"),
                "news",
            )
        })
        .collect();
    store.upsert_articles(batch).await.unwrap();
    let mut indexer = index.indexer(50_000_000).unwrap();
    let mut last_progress = 0;
    let count = indexer
        .rebuild(&store, |n| last_progress = n)
        .await
        .unwrap();
    assert_eq!((count, last_progress), (250, 250));
    assert_eq!(index.num_docs(), 250);
    assert_eq!(index.state().seq, 250);
    assert_eq!(search(&index, "word17").len(), 1);
    // Rebuilding twice never doubles.
    indexer.rebuild(&store, |_| {}).await.unwrap();
    assert_eq!(index.num_docs(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_queries_never_fail() {
    let (_dir, store, index) = setup().await;
    store
        .upsert_articles(vec![article(
            "a",
            "Budget vote",
            "The council passed the budget.",
            "news",
        )])
        .await
        .unwrap();
    index
        .indexer(50_000_000)
        .unwrap()
        .catch_up(&store)
        .await
        .unwrap();
    let long = "budget ".repeat(2_000);
    for q in [
        "((",
        "\"unbalanced",
        "AND OR NOT",
        "title:",
        ":::",
        "budget)",
        "-",
        "*",
        "\u{0}\u{1}budget",
        &long,
        "the of and",
        "бюджет 预算 ميزانية",
        "section:",
        "published:[2024 TO",
        "a\"b\"c(d",
    ] {
        let request = SearchRequest {
            query: q.into(),
            limit: 10,
            ..Default::default()
        };
        assert!(index.search(&request).is_ok(), "query {q:?} failed");
    }
    assert_eq!(
        search(&index, "budget)").len(),
        1,
        "stray syntax still searches the words"
    );
    let results = index
        .search(&SearchRequest {
            query: "budget".into(),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    let snippet = results.snippet_html("The council passed the budget <script>.");
    assert!(snippet.contains("<b>budget</b>"), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
}
