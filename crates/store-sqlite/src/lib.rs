//! The embedded SQLite backend of [`herald_store::Store`]: one file in the data
//! directory, WAL mode, migrations applied at open.
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool. Writes go
//! through one connection behind a mutex (SQLite allows one writer at a time anyway);
//! reads take a connection from a small pool and, thanks to WAL, never wait for writes.
#![warn(missing_docs)]

mod feeds;
mod migrate;
mod pool;
mod queries;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_store::{
    ArticleCard, ArticleEntry, ArticleView, Change, EntryQuery, FeedFetchRecord, FeedRow,
    ListQuery, NewArticle, NewFeed, Page, SectionRow, Source, Store, StoreError, StoreResult,
    UpsertOutcome,
};
use herald_types::{ArticleId, FeedId, Section};
use pool::Pool;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A Herald store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    readers: Pool,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL lets readers run while the writer commits. synchronous=NORMAL is durable
    // against a killed process in WAL mode (only a power loss can drop the newest
    // transactions), which is the right trade for an index-heavy workload.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and applies migrations.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref().to_path_buf();
        let open_err = |e: rusqlite::Error| StoreError::Open {
            location: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                    location: path.display().to_string(),
                    message: e.to_string(),
                })?;
            }
        }
        let mut writer = Connection::open(&path).map_err(open_err)?;
        configure(&writer).map_err(open_err)?;
        migrate::apply(&mut writer).map_err(open_err)?;
        let newest: i64 = writer
            .query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )
            .map_err(open_err)?;
        if newest > migrate::latest_version() {
            return Err(StoreError::Open {
                location: path.display().to_string(),
                message: format!(
                    "schema version {newest} is newer than this build knows ({}); upgrade Herald",
                    migrate::latest_version()
                ),
            });
        }
        let readers = Pool::new(path);
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
            }),
        })
    }

    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| StoreError::Worker("writer connection poisoned".into()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.readers.get()?;
            let result = f(&conn);
            inner.readers.put(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn sync_sections(&self, sections: &[Section]) -> StoreResult<Vec<SectionRow>> {
        let sections = sections.to_vec();
        self.write(move |conn| queries::sync_sections(conn, &sections).map_err(db_err))
            .await
    }

    async fn sections(&self) -> StoreResult<Vec<SectionRow>> {
        self.read(|conn| queries::sections(conn).map_err(db_err))
            .await
    }

    async fn upsert_articles(&self, articles: Vec<NewArticle>) -> StoreResult<Vec<UpsertOutcome>> {
        self.write(move |conn| queries::upsert_articles(conn, &articles))
            .await
    }

    async fn known_identities(&self, identities: Vec<String>) -> StoreResult<Vec<String>> {
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT 1 FROM articles WHERE identity = ?1")
                .map_err(db_err)?;
            let mut known = Vec::new();
            for identity in identities {
                if stmt.exists([&identity]).map_err(db_err)? {
                    known.push(identity);
                }
            }
            Ok(known)
        })
        .await
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Option<ArticleView>> {
        self.read(move |conn| {
            queries::articles_by_ids(conn, &[id])
                .map(|mut v| v.pop())
                .map_err(db_err)
        })
        .await
    }

    async fn articles_by_ids(&self, ids: &[ArticleId]) -> StoreResult<Vec<ArticleView>> {
        let ids = ids.to_vec();
        self.read(move |conn| queries::articles_by_ids(conn, &ids).map_err(db_err))
            .await
    }

    async fn latest_articles(&self, query: ListQuery) -> StoreResult<Page<ArticleCard>> {
        self.read(move |conn| queries::latest_articles(conn, &query).map_err(db_err))
            .await
    }

    async fn articles_after(
        &self,
        after: ArticleId,
        limit: usize,
    ) -> StoreResult<Vec<ArticleView>> {
        self.read(move |conn| queries::articles_after(conn, after, limit).map_err(db_err))
            .await
    }

    async fn article_entries(&self, query: EntryQuery) -> StoreResult<Vec<ArticleEntry>> {
        self.read(move |conn| queries::article_entries(conn, &query).map_err(db_err))
            .await
    }

    async fn sources(&self) -> StoreResult<Vec<Source>> {
        self.read(|conn| queries::sources(conn).map_err(db_err))
            .await
    }

    async fn count_articles(&self) -> StoreResult<u64> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(db_err)
        })
        .await
    }

    async fn changes_since(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        self.read(move |conn| queries::changes_since(conn, after, limit).map_err(db_err))
            .await
    }

    async fn last_change_seq(&self) -> StoreResult<u64> {
        self.read(|conn| {
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(db_err)
        })
        .await
    }

    async fn add_feed(&self, feed: NewFeed) -> StoreResult<FeedRow> {
        self.write(move |conn| feeds::add_feed(conn, &feed)).await
    }

    async fn feeds(&self) -> StoreResult<Vec<FeedRow>> {
        self.read(|conn| feeds::feeds(conn).map_err(db_err)).await
    }

    async fn feed(&self, id: FeedId) -> StoreResult<Option<FeedRow>> {
        self.read(move |conn| feeds::feed(conn, id).map_err(db_err))
            .await
    }

    async fn remove_feed(&self, id: FeedId) -> StoreResult<bool> {
        self.write(move |conn| feeds::remove_feed(conn, id).map_err(db_err))
            .await
    }

    async fn set_feed_paused(&self, id: FeedId, paused: bool) -> StoreResult<bool> {
        self.write(move |conn| feeds::set_paused(conn, id, paused).map_err(db_err))
            .await
    }

    async fn claim_due_feeds(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<FeedRow>> {
        self.write(move |conn| feeds::claim_due(conn, now, lease_until, limit).map_err(db_err))
            .await
    }

    async fn record_feed_fetch(&self, id: FeedId, record: FeedFetchRecord) -> StoreResult<()> {
        self.write(move |conn| feeds::record_fetch(conn, id, &record).map_err(db_err))
            .await
    }
}
