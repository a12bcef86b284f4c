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

/// A store hears of the commits of its own process only, so one opened later starts
/// from the end of the log: a follower whose cursor is behind it is told at once,
/// and with nothing new the wait runs to its timeout.
#[tokio::test]
async fn a_reopened_store_knows_where_the_change_log_ends() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let last = {
        let store = SqliteStore::open(&path).unwrap();
        store.sync_sections(&default_sections()).await.unwrap();
        store
            .upsert_articles(vec![article("a", "A", None, 1)])
            .await
            .unwrap();
        store.last_change_seq().await.unwrap()
    };
    let store = SqliteStore::open(&path).unwrap();
    let started = Instant::now();
    store
        .wait_for_changes(last - 1, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));

    let started = Instant::now();
    store
        .wait_for_changes(last, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(280));
}
