//! The PostgreSQL backend of [`herald_store::Store`], for portals that run on
//! several nodes against one database.
//!
//! # Schema
//!
//! The same tables, columns and value kinds as the SQLite backend (integers as
//! BIGINT, times as Unix seconds, text as TEXT), applied by embedded migrations at
//! [`PgStore::connect`] under a session advisory lock, so nodes that start together
//! do not race. The schema lives in the first schema of the connection's
//! `search_path`: a URL such as
//! `postgres://herald@db/herald?options=-c%20search_path%3Dportal` puts a portal in
//! its own schema (the tests give each run a fresh one).
//!
//! # Connections
//!
//! A bounded [`deadpool_postgres`] pool (see [`PgOptions`]) with a wait timeout, so
//! that a dead database answers [`StoreError::Unavailable`] within seconds instead
//! of hanging requests. Connections the server closed (a restart,
//! `pg_terminate_backend`) are dropped when they are next checked out, and fresh
//! ones opened: the store recovers by itself once PostgreSQL is back, though calls
//! in flight at the moment of the break fail. Connections are plain TCP or Unix
//! sockets: no TLS is linked in (keep the database on a private network).
//!
//! # The change log
//!
//! The search index on every node tails `changes` by `seq > cursor`. Sequence values
//! are handed out at insert, but transactions commit in any order, so a reader could
//! see seq 6 before seq 5 commits and skip 5 for ever. Every transaction that
//! appends to `changes` therefore first takes one transaction-scoped advisory lock
//! ([`CHANGE_LOG_LOCK`]): appends are serialised, a sequence number is taken only
//! after every smaller one has committed, and sequence order is commit order.
//! Upserts take the lock as their first statement, which also means two nodes never
//! race to insert the same article. Takedowns (which log a delete) and source moves
//! (which log upserts) take it first too, so an import either sees a source's new
//! section or has its articles moved by it.
//!
//! In the same transaction the writer calls `pg_notify` on [`CHANGES_CHANNEL`]; each
//! store keeps one connection `LISTEN`ing (see `listen`), so
//! [`Store::wait_for_changes`] returns as soon as a commit on any node has added to
//! the log, and falls back to its timeout while that connection is down.
//!
//! # Leases
//!
//! Feed claims are one `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`
//! statement, so two nodes never lease the same feed. Named leases are one
//! `INSERT ... ON CONFLICT DO UPDATE ... WHERE` statement that succeeds only for the
//! holder or once the lease has expired.
//!
//! # Errors
//!
//! Lost connections, pool timeouts, socket errors, SQLSTATE class 08 and the
//! shutdown codes 57P01-57P03 are [`StoreError::Unavailable`]; a unique violation is
//! [`StoreError::Conflict`] where the SQLite backend reports one (feed URLs, user
//! names); everything else is [`StoreError::Database`]. No message carries the
//! URL's password.
#![warn(missing_docs)]

mod admin;
mod articles;
mod comments;
mod copy;
mod error;
mod feeds;
mod leases;
mod listen;
mod migrate;
mod pool;
mod sql;
mod stories;
mod upsert;

pub use pool::{redact, PgOptions};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Object, Pool};
use error::Db;
use herald_store::{
    AdminLogEntry, ArticleCard, ArticleEntry, ArticleView, Change, Comment, CommentStatus,
    EntryQuery, FeedFetchRecord, FeedRow, ListQuery, NewArticle, NewComment, NewFeed, Page,
    QueuedComment, Removal, Row, SectionEdit, SectionRow, Source, Store, StoreError, StoreResult,
    Story, StoryBatch, StoryKey, StoryQuery, Table, UpsertOutcome, User, Value,
};
use herald_types::{ArticleId, CommentId, FeedId, Section, SectionId, SourceId, StoryId};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_postgres::NoTls;

/// The advisory lock key every change-log append takes first (transaction scope).
/// Advisory keys are shared by the whole database: Herald's are "Herald" in ASCII
/// followed by a number.
pub const CHANGE_LOG_LOCK: i64 = 0x4865_7261_6c64_0001;

/// The advisory lock key migrations run under (session scope).
pub const MIGRATION_LOCK: i64 = 0x4865_7261_6c64_0002;

/// The notification channel change-log appends notify on, with a payload of
/// `<newest seq>:<schema>`.
pub const CHANGES_CHANNEL: &str = "herald_changes";

/// A Herald store in a PostgreSQL database. Cheap to clone: clones share the pool
/// and the change listener.
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// The newest change-log sequence number the listener has heard of.
    changes: watch::Receiver<u64>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.inner.pool.status())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects with default [`PgOptions`], applies migrations and starts the change
    /// listener. `url` is a `postgres://` URL or a key-value string (see
    /// [`tokio_postgres::Config`]). Must run inside a tokio runtime.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        Self::connect_with(url, PgOptions::default()).await
    }

    /// [`PgStore::connect`] with explicit pool settings.
    pub async fn connect_with(url: &str, options: PgOptions) -> StoreResult<PgStore> {
        let open_err = |message: String| StoreError::Open {
            location: redact(url),
            message: pool::scrub(&message, url),
        };
        let config = pool::config(url, &options)?;
        let (mut client, connection) = config
            .connect(NoTls)
            .await
            .map_err(|e| open_err(error::describe(&e)))?;
        let driver = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("migration connection: {}", error::describe(&e));
            }
        });
        let opened = async {
            let version = migrate::apply(&mut client).await?;
            let newest: i64 = client
                .query_one("SELECT COALESCE(MAX(seq), 0) FROM changes", &[])
                .await
                .db()?
                .try_get(0)
                .db()?;
            let newest = u64::try_from(newest).unwrap_or(0);
            Ok::<_, StoreError>((version, newest))
        }
        .await;
        drop(client);
        let _ = driver.await;
        let (version, newest) = opened.map_err(|e| open_err(e.to_string()))?;
        if version > migrate::latest_version() {
            return Err(open_err(format!(
                "schema version {version} is newer than this build knows ({}); upgrade Herald",
                migrate::latest_version()
            )));
        }
        let pool = pool::build(config.clone(), &options).map_err(|e| open_err(e.to_string()))?;
        let changes = listen::spawn(config, newest);
        Ok(PgStore {
            inner: Arc::new(Inner { pool, changes }),
        })
    }

    async fn conn(&self) -> StoreResult<Object> {
        self.inner.pool.get().await.map_err(error::pool)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn sync_sections(&self, sections: &[Section]) -> StoreResult<Vec<SectionRow>> {
        articles::sync_sections(&mut self.conn().await?, sections).await
    }

    async fn sections(&self) -> StoreResult<Vec<SectionRow>> {
        articles::sections(&self.conn().await?).await
    }

    async fn edit_sections(&self, edits: Vec<SectionEdit>) -> StoreResult<Vec<SectionRow>> {
        articles::edit_sections(&mut self.conn().await?, &edits).await
    }

    async fn set_source_section(
        &self,
        source: SourceId,
        section: Option<SectionId>,
    ) -> StoreResult<u64> {
        articles::set_source_section(&mut self.conn().await?, source, section).await
    }

    async fn source_sections(&self) -> StoreResult<HashMap<SourceId, SectionId>> {
        articles::source_sections(&self.conn().await?).await
    }

    async fn upsert_articles(&self, articles: Vec<NewArticle>) -> StoreResult<Vec<UpsertOutcome>> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.db()?;
        let outcomes = upsert::upsert_articles(&tx, &articles).await?;
        tx.commit().await.db()?;
        Ok(outcomes)
    }

    async fn known_identities(&self, identities: Vec<String>) -> StoreResult<Vec<String>> {
        articles::known_identities(&self.conn().await?, identities).await
    }

    async fn article(&self, id: ArticleId) -> StoreResult<Option<ArticleView>> {
        articles::article(&self.conn().await?, id).await
    }

    async fn take_down_article(&self, id: ArticleId, reason: &str) -> StoreResult<bool> {
        stories::take_down(&mut self.conn().await?, id, reason).await
    }

    async fn article_removal(&self, id: ArticleId) -> StoreResult<Option<Removal>> {
        articles::article_removal(&self.conn().await?, id).await
    }

    async fn articles_by_ids(&self, ids: &[ArticleId]) -> StoreResult<Vec<ArticleView>> {
        articles::articles_by_ids(&self.conn().await?, ids).await
    }

    async fn story_keys(&self, ids: &[ArticleId]) -> StoreResult<Vec<StoryKey>> {
        articles::story_keys(&self.conn().await?, ids).await
    }

    async fn latest_articles(&self, query: ListQuery) -> StoreResult<Page<ArticleCard>> {
        articles::latest_articles(&self.conn().await?, &query).await
    }

    async fn articles_after(
        &self,
        after: ArticleId,
        limit: usize,
    ) -> StoreResult<Vec<ArticleView>> {
        articles::articles_after(&self.conn().await?, after, limit).await
    }

    async fn article_entries(&self, query: EntryQuery) -> StoreResult<Vec<ArticleEntry>> {
        articles::article_entries(&self.conn().await?, &query).await
    }

    async fn sources(&self) -> StoreResult<Vec<Source>> {
        articles::sources(&self.conn().await?).await
    }

    async fn count_articles(&self) -> StoreResult<u64> {
        articles::count_articles(&self.conn().await?).await
    }

    async fn changes_since(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>> {
        articles::changes_since(&self.conn().await?, after, limit).await
    }

    async fn last_change_seq(&self) -> StoreResult<u64> {
        articles::last_change_seq(&self.conn().await?).await
    }

    async fn add_feed(&self, feed: NewFeed) -> StoreResult<FeedRow> {
        feeds::add_feed(&mut self.conn().await?, &feed).await
    }

    async fn feeds(&self) -> StoreResult<Vec<FeedRow>> {
        feeds::feeds(&self.conn().await?).await
    }

    async fn feed(&self, id: FeedId) -> StoreResult<Option<FeedRow>> {
        feeds::feed(&self.conn().await?, id).await
    }

    async fn remove_feed(&self, id: FeedId) -> StoreResult<bool> {
        feeds::remove_feed(&self.conn().await?, id).await
    }

    async fn set_feed_paused(&self, id: FeedId, paused: bool) -> StoreResult<bool> {
        feeds::set_paused(&self.conn().await?, id, paused).await
    }

    async fn claim_due_feeds(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<FeedRow>> {
        feeds::claim_due(
            &self.conn().await?,
            now.timestamp(),
            lease_until.timestamp(),
            limit,
        )
        .await
    }

    async fn record_feed_fetch(&self, id: FeedId, record: FeedFetchRecord) -> StoreResult<()> {
        feeds::record_fetch(&self.conn().await?, id, &record).await
    }

    async fn add_comment(&self, comment: NewComment) -> StoreResult<CommentId> {
        comments::add(&mut self.conn().await?, &comment).await
    }

    async fn comment(&self, id: CommentId) -> StoreResult<Option<Comment>> {
        comments::get_one(&self.conn().await?, id).await
    }

    async fn article_comments(
        &self,
        article: ArticleId,
        statuses: &[CommentStatus],
    ) -> StoreResult<Vec<Comment>> {
        comments::for_article(&self.conn().await?, article, statuses).await
    }

    async fn comment_counts(&self, articles: &[ArticleId]) -> StoreResult<HashMap<ArticleId, u64>> {
        comments::counts(&self.conn().await?, articles).await
    }

    async fn has_approved_comment(&self, email_key: &str) -> StoreResult<bool> {
        comments::has_approved(&self.conn().await?, email_key).await
    }

    async fn duplicate_comment_since(&self, key: &str, since: DateTime<Utc>) -> StoreResult<bool> {
        comments::duplicate_since(&self.conn().await?, key, since.timestamp()).await
    }

    async fn queued_comments(
        &self,
        status: CommentStatus,
        limit: usize,
        offset: usize,
    ) -> StoreResult<Page<QueuedComment>> {
        comments::queue(&self.conn().await?, status, limit, offset).await
    }

    async fn comment_status_counts(&self) -> StoreResult<HashMap<CommentStatus, u64>> {
        comments::status_counts(&self.conn().await?).await
    }

    async fn set_comment_status(
        &self,
        ids: &[CommentId],
        status: CommentStatus,
    ) -> StoreResult<u64> {
        comments::set_status(&self.conn().await?, ids, status).await
    }

    async fn recent_comments(
        &self,
        article: Option<ArticleId>,
        limit: usize,
    ) -> StoreResult<Vec<Comment>> {
        comments::recent(&self.conn().await?, article, limit).await
    }

    async fn add_user(&self, name: &str, password_hash: &str) -> StoreResult<i64> {
        admin::add_user(&self.conn().await?, name, password_hash).await
    }

    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>> {
        admin::user_by_name(&self.conn().await?, name).await
    }

    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        admin::set_password(&self.conn().await?, id, password_hash).await
    }

    async fn create_session(
        &self,
        key: &str,
        user: i64,
        expires: DateTime<Utc>,
    ) -> StoreResult<()> {
        admin::create_session(&self.conn().await?, key, user, expires.timestamp()).await
    }

    async fn session_user(&self, key: &str, now: DateTime<Utc>) -> StoreResult<Option<User>> {
        admin::session_user(&self.conn().await?, key, now.timestamp()).await
    }

    async fn delete_session(&self, key: &str) -> StoreResult<()> {
        admin::delete_session(&self.conn().await?, key).await
    }

    async fn log_admin_action(&self, user: &str, action: &str, detail: &str) -> StoreResult<()> {
        admin::log_action(&self.conn().await?, user, action, detail).await
    }

    async fn admin_log(&self, limit: usize) -> StoreResult<Vec<AdminLogEntry>> {
        admin::admin_log(&self.conn().await?, limit).await
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        admin::setting(&self.conn().await?, key).await
    }

    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        admin::set_setting(&self.conn().await?, key, value).await
    }

    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String> {
        admin::init_setting(&self.conn().await?, key, value).await
    }

    async fn apply_story_batch(&self, batch: StoryBatch) -> StoreResult<()> {
        stories::apply(&mut self.conn().await?, &batch).await
    }

    async fn story_cursor(&self) -> StoreResult<u64> {
        stories::cursor(&self.conn().await?).await
    }

    async fn articles_since(
        &self,
        since: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ArticleView>> {
        stories::articles_since(&self.conn().await?, since.timestamp(), limit).await
    }

    async fn story(&self, id: StoryId) -> StoreResult<Option<Story>> {
        stories::story(&self.conn().await?, id).await
    }

    async fn stories_by_ids(&self, ids: &[StoryId]) -> StoreResult<Vec<Story>> {
        stories::stories_by_ids(&self.conn().await?, ids).await
    }

    async fn story_articles(&self, id: StoryId) -> StoreResult<Vec<ArticleView>> {
        stories::story_articles(&self.conn().await?, id).await
    }

    async fn stories(&self, query: StoryQuery) -> StoreResult<Vec<Story>> {
        stories::stories(&self.conn().await?, &query).await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.conn().await?.simple_query("SELECT 1").await.db()?;
        Ok(())
    }

    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        leases::acquire(
            &self.conn().await?,
            name,
            holder,
            now.timestamp(),
            until.timestamp(),
        )
        .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        leases::release(&self.conn().await?, name, holder).await
    }

    /// Returns as soon as the listener has heard of a sequence number above `after`
    /// (at once when it already has), else after `timeout`.
    async fn wait_for_changes(&self, after: u64, timeout: Duration) -> StoreResult<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.inner.changes.clone();
        let listener_gone = matches!(
            tokio::time::timeout_at(deadline, changes.wait_for(|seq| *seq > after)).await,
            Ok(Err(_))
        );
        if listener_gone {
            // The listener is gone (the runtime is shutting down): behave like a
            // backend without notifications.
            tokio::time::sleep_until(deadline).await;
        }
        Ok(())
    }

    async fn export_rows(
        &self,
        table: Table,
        after: Option<Value>,
        limit: usize,
    ) -> StoreResult<Vec<Row>> {
        copy::export(&self.conn().await?, table, after.as_ref(), limit).await
    }

    async fn import_rows(&self, table: Table, rows: Vec<Row>) -> StoreResult<u64> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.db()?;
        let written = copy::import(&tx, table, &rows).await?;
        tx.commit().await.db()?;
        Ok(written)
    }

    async fn count_rows(&self, table: Table) -> StoreResult<u64> {
        copy::count_rows(&self.conn().await?, table).await
    }

    async fn max_key(&self, table: Table) -> StoreResult<Option<Value>> {
        copy::max_key(&self.conn().await?, table).await
    }
}
