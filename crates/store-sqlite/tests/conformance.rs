//! The SQLite store against the backend conformance checks, each with a fresh
//! database file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_store_conformance::Fresh;
use herald_store_sqlite::SqliteStore;

async fn open() -> Option<Fresh> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("herald.db")).unwrap();
    Some(Fresh::new(store).keep(dir))
}

herald_store_conformance::conformance_tests!(open);
