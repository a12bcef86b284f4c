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
    let dir = tempfile::tempdir().unwrap();
    let from = SqliteStore::open(dir.path().join("from.db")).unwrap();
    from.sync_sections(&default_sections()).await.unwrap();
    let to = SqliteStore::open(dir.path().join("to.db")).unwrap();
    herald_store_conformance::copies_may_reference_rows_of_later_batches(&from, &to).await;
}

/// Followers of the change log (search indexing, story clustering) wake when this
/// process commits a change, instead of waiting out their poll; with nothing new, the
/// wait runs to its timeout.
#[tokio::test]
async fn waiting_for_changes_wakes_on_a_commit() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.path().join("h.db")).unwrap());
    store.sync_sections(&default_sections()).await.unwrap();

    let started = Instant::now();
    store
        .wait_for_changes(0, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(280));

    let waiting = {
        let store = store.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            store
                .wait_for_changes(0, Duration::from_secs(30))
                .await
                .unwrap();
            started.elapsed()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    store
        .upsert_articles(vec![article("a", "A", None, 1)])
        .await
        .unwrap();
    let waited = waiting.await.unwrap();
    assert!(waited < Duration::from_secs(10), "{waited:?}");

    // Already past (also for a store opened afterwards): no wait at all.
    let last = store.last_change_seq().await.unwrap();
    drop(store);
    let reopened = SqliteStore::open(dir.path().join("h.db")).unwrap();
    let started = Instant::now();
    reopened
        .wait_for_changes(last - 1, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
}
