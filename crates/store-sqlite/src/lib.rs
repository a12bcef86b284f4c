//! The embedded SQLite backend of [`herald_store::Store`]: one file in the data
//! directory, WAL mode, migrations applied at open.
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool. Writes go
//! through one connection behind a mutex (SQLite allows one writer at a time anyway);
//! reads take a connection from a small pool and, thanks to WAL, never wait for writes.
//! Write transactions begin IMMEDIATE: several processes (a server's clusterer and a
//! running import) then queue on the busy timeout instead of failing at once, which a
//! deferred transaction that reads before it writes would do.
#![warn(missing_docs)]

mod comments;
mod copy;
mod feeds;
mod migrate;
mod pool;
mod queries;
mod stories;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_store::{
    AdminLogEntry, ArticleCard, ArticleEntry, ArticleView, Change, Comment, CommentStatus,
    EntryQuery, FeedFetchRecord, FeedRow, ListQuery, NewArticle, NewComment, NewFeed, Page,
    QueuedComment, Removal, Row, SectionEdit, SectionRow, Source, Store, StoreError, StoreResult,
    Story, StoryBatch, StoryInput, StoryKey, StoryQuery, Table, UpsertOutcome, User, Value,
};
use herald_types::{ArticleId, CommentId, FeedId, Section, SectionId, SourceId, StoryId};
use pool::Pool;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A Herald store in one SQLite file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    readers: Pool,
    /// The newest change-log entry this process has committed, so that followers of
    /// the log (search indexing, story clustering) wake when there is something to
    /// read instead of polling. Another process writing the same file is not heard
    /// of: its changes are found when the follower's wait times out.
    newest_change: tokio::sync::watch::Sender<u64>,
}

/// The newest sequence number in the change log (0 when it is empty).
fn newest_change(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|seq| u64::try_from(seq).unwrap_or(0))
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
    conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
    // A large transaction (an import, a migration that rewrites a table) grows the
    // write-ahead log to its size; without a limit the file stays that large.
    conn.pragma_update(None, "journal_size_limit", WAL_LIMIT_BYTES)?;
    conn.pragma_update(None, "mmap_size", pool::MMAP_BYTES)?;
    // Temporary tables (a story batch's assignments) and sorts are small: keep them
    // in memory rather than in files under the system's temporary directory, which a
    // locked-down service may not be able to write.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(pool::STATEMENT_CACHE);
    Ok(())
}

/// Size the write-ahead log is cut back to after a checkpoint.
const WAL_LIMIT_BYTES: i64 = 64 << 20;

/// The writer's page cache, in KiB as `cache_size` takes it (negative). Story
/// assignments and updates touch rows all over the articles table; SQLite's default
/// of 2 MiB made most of them read their page back from the file.
const WRITER_CACHE_KIB: i64 = -64 * 1024;

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
        let newest = newest_change(&writer).map_err(open_err)?;
        let readers = Pool::new(path);
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                newest_change: tokio::sync::watch::Sender::new(newest),
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
            let result = f(&mut conn);
            if result.is_ok() {
                // One read of the log's last key (its rowid): cheap beside any write.
                if let Ok(seq) = newest_change(&conn) {
                    inner.newest_change.send_if_modified(|newest| {
                        let newer = seq > *newest;
                        if newer {
                            *newest = seq;
                        }
                        newer
                    });
                }
            }
            result
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

    async fn edit_sections(&self, edits: Vec<SectionEdit>) -> StoreResult<Vec<SectionRow>> {
        self.write(move |conn| queries::edit_sections(conn, &edits))
            .await
    }

    async fn set_source_section(
        &self,
        source: SourceId,
        section: Option<SectionId>,
    ) -> StoreResult<u64> {
        self.write(move |conn| queries::set_source_section(conn, source, section))
            .await
    }

    async fn source_sections(&self) -> StoreResult<HashMap<SourceId, SectionId>> {
        self.read(|conn| queries::source_sections(conn).map_err(db_err))
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

    async fn take_down_article(&self, id: ArticleId, reason: &str) -> StoreResult<bool> {
        let reason = reason.to_string();
        self.write(move |conn| stories::take_down(conn, id, &reason).map_err(db_err))
            .await
    }

    async fn article_removal(&self, id: ArticleId) -> StoreResult<Option<Removal>> {
        self.read(move |conn| queries::article_removal(conn, id).map_err(db_err))
            .await
    }

    async fn articles_by_ids(&self, ids: &[ArticleId]) -> StoreResult<Vec<ArticleView>> {
        let ids = ids.to_vec();
        self.read(move |conn| queries::articles_by_ids(conn, &ids).map_err(db_err))
            .await
    }

    async fn story_keys(&self, ids: &[ArticleId]) -> StoreResult<Vec<StoryKey>> {
        let ids = ids.to_vec();
        self.read(move |conn| queries::story_keys(conn, &ids).map_err(db_err))
            .await
    }

    async fn story_inputs(&self, ids: &[ArticleId]) -> StoreResult<Vec<StoryInput>> {
        let ids = ids.to_vec();
        self.read(move |conn| queries::story_inputs(conn, &ids).map_err(db_err))
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
            conn.query_row(
                "SELECT COUNT(*) FROM articles WHERE removed_at IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(db_err)
        })
        .await
    }

    async fn changes_since(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        self.read(move |conn| queries::changes_since(conn, after, limit).map_err(db_err))
            .await
    }

    /// Returns as soon as this process has committed a change after `after` (at once
    /// when it already has), else after `timeout`: another process writing the same
    /// file is heard of only by the caller's next read after the timeout.
    async fn wait_for_changes(&self, after: u64, timeout: Duration) -> StoreResult<()> {
        let mut newest = self.inner.newest_change.subscribe();
        // The sender lives as long as the store, so `wait_for` ends only on a change
        // or the timeout.
        let _ = tokio::time::timeout(timeout, newest.wait_for(|seq| *seq > after)).await;
        Ok(())
    }

    async fn last_change_seq(&self) -> StoreResult<u64> {
        self.read(|conn| newest_change(conn).map_err(db_err)).await
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

    async fn add_comment(&self, comment: NewComment) -> StoreResult<CommentId> {
        self.write(move |conn| comments::add(conn, &comment)).await
    }

    async fn comment(&self, id: CommentId) -> StoreResult<Option<Comment>> {
        self.read(move |conn| comments::get(conn, id).map_err(db_err))
            .await
    }

    async fn article_comments(
        &self,
        article: ArticleId,
        statuses: &[CommentStatus],
    ) -> StoreResult<Vec<Comment>> {
        let statuses = statuses.to_vec();
        self.read(move |conn| comments::for_article(conn, article, &statuses).map_err(db_err))
            .await
    }

    async fn comment_counts(&self, articles: &[ArticleId]) -> StoreResult<HashMap<ArticleId, u64>> {
        let articles = articles.to_vec();
        self.read(move |conn| comments::counts(conn, &articles).map_err(db_err))
            .await
    }

    async fn has_approved_comment(&self, email_key: &str) -> StoreResult<bool> {
        let key = email_key.to_string();
        self.read(move |conn| comments::has_approved(conn, &key).map_err(db_err))
            .await
    }

    async fn duplicate_comment_since(&self, key: &str, since: DateTime<Utc>) -> StoreResult<bool> {
        let key = key.to_string();
        self.read(move |conn| comments::duplicate_since(conn, &key, since).map_err(db_err))
            .await
    }

    async fn queued_comments(
        &self,
        status: CommentStatus,
        limit: usize,
        offset: usize,
    ) -> StoreResult<Page<QueuedComment>> {
        self.read(move |conn| comments::queue(conn, status, limit, offset).map_err(db_err))
            .await
    }

    async fn comment_status_counts(&self) -> StoreResult<HashMap<CommentStatus, u64>> {
        self.read(|conn| comments::status_counts(conn).map_err(db_err))
            .await
    }

    async fn set_comment_status(
        &self,
        ids: &[CommentId],
        status: CommentStatus,
    ) -> StoreResult<u64> {
        let ids = ids.to_vec();
        self.write(move |conn| comments::set_status(conn, &ids, status).map_err(db_err))
            .await
    }

    async fn recent_comments(
        &self,
        article: Option<ArticleId>,
        limit: usize,
    ) -> StoreResult<Vec<Comment>> {
        self.read(move |conn| comments::recent(conn, article, limit).map_err(db_err))
            .await
    }

    async fn add_user(&self, name: &str, password_hash: &str) -> StoreResult<i64> {
        let (name, hash) = (name.to_string(), password_hash.to_string());
        self.write(move |conn| comments::add_user(conn, &name, &hash))
            .await
    }

    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>> {
        let name = name.to_string();
        self.read(move |conn| comments::user_by_name(conn, &name).map_err(db_err))
            .await
    }

    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        let hash = password_hash.to_string();
        self.write(move |conn| {
            conn.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                rusqlite::params![id, hash],
            )
            .map(|_| ())
            .map_err(db_err)
        })
        .await
    }

    async fn create_session(
        &self,
        key: &str,
        user: i64,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        let key = key.to_string();
        self.write(move |conn| comments::create_session(conn, &key, user, expires).map_err(db_err))
            .await
    }

    async fn session_user(&self, key: &str, now: DateTime<Utc>) -> StoreResult<Option<User>> {
        let key = key.to_string();
        self.read(move |conn| comments::session_user(conn, &key, now).map_err(db_err))
            .await
    }

    async fn delete_session(&self, key: &str) -> StoreResult<()> {
        let key = key.to_string();
        self.write(move |conn| {
            conn.execute("DELETE FROM sessions WHERE key = ?1", [key])
                .map(|_| ())
                .map_err(db_err)
        })
        .await
    }

    async fn log_admin_action(&self, user: &str, action: &str, detail: &str) -> StoreResult<()> {
        let (user, action, detail) = (user.to_string(), action.to_string(), detail.to_string());
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO admin_log (at, user_name, action, detail) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![Utc::now().timestamp(), user, action, detail],
            )
            .map(|_| ())
            .map_err(db_err)
        })
        .await
    }

    async fn admin_log(&self, limit: usize) -> StoreResult<Vec<AdminLogEntry>> {
        self.read(move |conn| comments::admin_log(conn, limit).map_err(db_err))
            .await
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let key = key.to_string();
        self.read(move |conn| {
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db_err)
        })
        .await
    }

    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                rusqlite::params![key, value],
            )
            .map(|_| ())
            .map_err(db_err)
        })
        .await
    }

    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String> {
        let (key, value) = (key.to_string(), value.to_string());
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                rusqlite::params![key, value],
            )
            .map_err(db_err)?;
            conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .map_err(db_err)
        })
        .await
    }

    async fn apply_story_batch(&self, batch: StoryBatch) -> StoreResult<()> {
        self.write(move |conn| stories::apply(conn, &batch).map_err(db_err))
            .await
    }

    async fn story_cursor(&self) -> StoreResult<u64> {
        self.read(|conn| stories::cursor(conn).map_err(db_err))
            .await
    }

    async fn articles_since(
        &self,
        since: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ArticleView>> {
        self.read(move |conn| stories::articles_since(conn, since, limit).map_err(db_err))
            .await
    }

    async fn story(&self, id: StoryId) -> StoreResult<Option<Story>> {
        self.read(move |conn| stories::story(conn, id).map_err(db_err))
            .await
    }

    async fn stories_by_ids(&self, ids: &[StoryId]) -> StoreResult<Vec<Story>> {
        let ids = ids.to_vec();
        self.read(move |conn| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(stories::story(conn, id).map_err(db_err)?);
            }
            Ok(out)
        })
        .await
    }

    async fn story_articles(&self, id: StoryId) -> StoreResult<Vec<ArticleView>> {
        self.read(move |conn| stories::story_articles(conn, id).map_err(db_err))
            .await
    }

    async fn stories(&self, query: StoryQuery) -> StoreResult<Vec<Story>> {
        self.read(move |conn| stories::stories(conn, &query).map_err(db_err))
            .await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
            .await
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.write(move |conn| {
            copy::acquire_lease(conn, &name, &holder, now, until).map_err(db_err)
        })
        .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.write(move |conn| copy::release_lease(conn, &name, &holder).map_err(db_err))
            .await
    }

    async fn export_rows(
        &self,
        table: Table,
        after: Option<Value>,
        limit: usize,
    ) -> StoreResult<Vec<Row>> {
        self.read(move |conn| copy::export(conn, table, after.as_ref(), limit).map_err(db_err))
            .await
    }

    async fn import_rows(&self, table: Table, rows: Vec<Row>) -> StoreResult<u64> {
        self.write(move |conn| copy::import(conn, table, &rows).map_err(db_err))
            .await
    }

    async fn count_rows(&self, table: Table) -> StoreResult<u64> {
        self.read(move |conn| copy::count(conn, table).map_err(db_err))
            .await
    }

    async fn max_key(&self, table: Table) -> StoreResult<Option<Value>> {
        self.read(move |conn| copy::max_key(conn, table).map_err(db_err))
            .await
    }
}
