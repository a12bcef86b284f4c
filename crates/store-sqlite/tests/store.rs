//! SQLite-only behaviour: the store is a file that outlives the process. What every
//! backend must do is in `conformance.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_store::Store;
use herald_store_conformance::fixtures::article;
use herald_store_sqlite::SqliteStore;
use herald_types::{default_sections, ArticleId};

#[tokio::test]
async fn reopening_keeps_data_and_does_not_rerun_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        store.sync_sections(&default_sections()).await.unwrap();
        store
            .upsert_articles(vec![article("a", "Kept", Some("news"), 1)])
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.count_articles().await.unwrap(), 1);
    assert_eq!(
        store.articles_after(ArticleId(0), 10).await.unwrap()[0].title,
        "Kept"
    );
}

#[tokio::test]
async fn open_reports_the_path_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("garbage.db");
    std::fs::write(&not_a_db, vec![0xAB; 4096]).unwrap();
    let err = SqliteStore::open(&not_a_db)
        .err()
        .expect("garbage is not a database")
        .to_string();
    assert!(err.contains("garbage.db"), "{err}");
}

#[tokio::test]
async fn copies_into_sqlite_may_reference_rows_of_later_batches() {
    use herald_store::{StoryAssignment, StoryBatch};
    use herald_types::StoryId;
    let dir = tempfile::tempdir().unwrap();
    let from = SqliteStore::open(dir.path().join("from.db")).unwrap();
    from.sync_sections(&default_sections()).await.unwrap();
    let ids: Vec<ArticleId> = from
        .upsert_articles(vec![
            article("a", "A", Some("news"), 1),
            article("b", "B", Some("news"), 2),
        ])
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    // The older story merges into the newer one: a reference forward in id order,
    // which a copy one row per batch cannot satisfy inside its batch.
    from.apply_story_batch(StoryBatch {
        assignments: vec![
            StoryAssignment {
                article: ids[0],
                story: StoryId(ids[0].0),
                duplicate_of: Some(ids[1]),
            },
            StoryAssignment {
                article: ids[1],
                story: StoryId(ids[1].0),
                duplicate_of: None,
            },
        ],
        merges: vec![(StoryId(ids[0].0), StoryId(ids[1].0))],
        titles: vec![],
        applied_seq: 2,
    })
    .await
    .unwrap();
    let to = SqliteStore::open(dir.path().join("to.db")).unwrap();
    herald_store_conformance::copy_all(&from, &to, 1).await;
    let merged = to.story(StoryId(ids[0].0)).await.unwrap().unwrap();
    assert_eq!(merged.merged_into, Some(StoryId(ids[1].0)));
    // Reference checks are back on for ordinary writes.
    let bad = herald_store_conformance::fixtures::comment(
        ArticleId(999),
        None,
        "nobody",
        herald_store::CommentStatus::Approved,
        herald_store_conformance::fixtures::day(3),
    );
    assert!(to.add_comment(bad).await.is_err());
}

#[tokio::test]
async fn a_taken_down_article_keeps_its_row_and_its_story_lives_on() {
    use herald_store::{StoryAssignment, StoryBatch};
    use herald_types::StoryId;
    let (_dir, store) = open().await;
    let ids: Vec<ArticleId> = store
        .upsert_articles(vec![
            article("a", "First", Some("news"), 1),
            article("b", "Second", Some("news"), 2),
            article("c", "Third", Some("news"), 3),
        ])
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let story = StoryId(ids[0].0);
    let assign = |a: ArticleId, s: StoryId| StoryAssignment {
        article: a,
        story: s,
        duplicate_of: None,
    };
    store
        .apply_story_batch(StoryBatch {
            assignments: ids.iter().map(|a| assign(*a, story)).collect(),
            titles: vec![(story, "First".into())],
            applied_seq: 3,
            ..StoryBatch::default()
        })
        .await
        .unwrap();

    assert!(store.take_down_article(ids[0], "legal").await.unwrap());
    assert!(!store.take_down_article(ids[0], "again").await.unwrap());
    assert!(!store
        .take_down_article(ArticleId(999), "none")
        .await
        .unwrap());
    assert!(store.article(ids[0]).await.unwrap().is_none());
    let removal = store.article_removal(ids[0]).await.unwrap().unwrap();
    assert_eq!(removal.reason, "legal");
    assert!(store.article_removal(ids[1]).await.unwrap().is_none());
    assert_eq!(store.count_articles().await.unwrap(), 2);
    let last = store.changes_since(0, 10).await.unwrap().pop().unwrap();
    assert_eq!((last.article, last.op), (ids[0], ChangeOp::Delete));
    assert_eq!(
        store.known_identities(vec!["a".into()]).await.unwrap(),
        vec!["a".to_string()],
        "imports still recognise it"
    );

    // The story passes to its earliest remaining article, with that one's headline.
    let old = store.story(story).await.unwrap().unwrap();
    let heir = StoryId(ids[1].0);
    assert_eq!(old.merged_into, Some(heir));
    let live = store.story(heir).await.unwrap().unwrap();
    assert_eq!((live.article_count, live.title.as_str()), (2, "Second"));
    assert_eq!(store.story_articles(heir).await.unwrap().len(), 2);
    let listed = store
        .latest_articles(ListQuery {
            limit: 10,
            with_total: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.total, 1,
        "the story is listed once, through its heir"
    );
    assert_eq!(listed.items[0].id, ids[1]);

    // The clusterer may still name the old story: its articles land in the heir.
    let d = store
        .upsert_articles(vec![article("d", "Fourth", Some("news"), 4)])
        .await
        .unwrap()[0]
        .id;
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![assign(d, story)],
            titles: vec![(story, "Second".into())],
            applied_seq: 5,
            ..StoryBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.article(d).await.unwrap().unwrap().story_id,
        Some(heir)
    );
    assert_eq!(store.story(heir).await.unwrap().unwrap().article_count, 3);
}
