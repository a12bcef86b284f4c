//! The system of record: the [`Store`] trait and the shapes of what it holds.
//!
//! Each table has a row type (what a backend returns), an insert shape (`New*`) and,
//! where pages need joined data, a view (`*View`). Backends live in their own crates
//! (`herald-store-sqlite`, later PostgreSQL) and are picked by the store URL's scheme.
//!
//! Every write that changes what search should see also appends to the change log in
//! the same transaction; the search index tails that log (see `herald-search`).
#![warn(missing_docs)]

mod comments;
mod copy;
mod error;
mod feeds;
mod model;
mod retry;

pub use comments::*;
pub use copy::{Checksum, Row, Table, Value};
pub use error::{StoreError, StoreResult};
pub use feeds::*;
pub use model::*;
pub use retry::{retry_unavailable, RETRY_WINDOW};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_types::{ArticleId, CommentId, FeedId, Section, SectionId, SourceId, StoryId};
use std::collections::HashMap;
use std::time::Duration;

/// The system of record. Implementations must be safe to share between tasks; every
/// method is one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Makes the stored sections match the configured ones (adds new ones, renames,
    /// reorders). Sections that left the configuration are kept, hidden, so that their
    /// articles keep a home. A section an admin edited ([`Store::edit_sections`]) keeps
    /// the admin's name and position.
    async fn sync_sections(&self, sections: &[Section]) -> StoreResult<Vec<SectionRow>>;

    /// The visible sections in navigation order.
    async fn sections(&self) -> StoreResult<Vec<SectionRow>>;

    /// Renames and reorders sections, in one transaction, and returns the visible
    /// sections as they now stand. Edited sections keep their name and position when
    /// the configuration is synced again; an unknown id is a [`StoreError::NotFound`].
    async fn edit_sections(&self, edits: Vec<SectionEdit>) -> StoreResult<Vec<SectionRow>>;

    /// Files every article of `source` under `section` from now on (whatever its feed
    /// or import names) and moves its stored articles there, logging each moved article
    /// in the change log so that search sees the new section. `None` ends the mapping
    /// (articles stay where they are). Returns how many stored articles moved; an
    /// unknown source or section is a [`StoreError::NotFound`].
    async fn set_source_section(
        &self,
        source: SourceId,
        section: Option<SectionId>,
    ) -> StoreResult<u64>;

    /// Every source's section mapping (sources without one are absent).
    async fn source_sections(&self) -> StoreResult<HashMap<SourceId, SectionId>>;

    /// Inserts or updates articles by identity, in one transaction, and logs each
    /// insert or real update in the change log. Unchanged articles are left alone and
    /// logged nowhere, so importing a file twice is cheap and idempotent.
    async fn upsert_articles(&self, articles: Vec<NewArticle>) -> StoreResult<Vec<UpsertOutcome>>;

    /// Which of `identities` are stored already (in no particular order): lets feed
    /// polling skip work for items it has seen.
    async fn known_identities(&self, identities: Vec<String>) -> StoreResult<Vec<String>>;

    /// One article with its source and section, or `None` (also for an article that
    /// was taken down: see [`Store::article_removal`]).
    async fn article(&self, id: ArticleId) -> StoreResult<Option<ArticleView>>;

    /// Takes an article down: it keeps its row (its address then answers 410 Gone and
    /// imports still know its identity) but leaves every listing, feed, sitemap and
    /// story, and a delete in the change log takes it out of the search index. A story
    /// it founded passes to its earliest remaining article; the old story id redirects
    /// there. `false` when there is no such article or it was taken down already.
    async fn take_down_article(&self, id: ArticleId, reason: &str) -> StoreResult<bool>;

    /// Why and when an article was taken down; `None` when it is live or unknown.
    async fn article_removal(&self, id: ArticleId) -> StoreResult<Option<Removal>>;

    /// Articles by id, in the order of `ids`; ids that do not exist (or were taken
    /// down) are skipped.
    async fn articles_by_ids(&self, ids: &[ArticleId]) -> StoreResult<Vec<ArticleView>>;

    /// What story clustering reads of articles, in the order of `ids`; ids that do
    /// not exist (or were taken down) are skipped. The same as
    /// [`Store::articles_by_ids`] narrowed to [`StoryInput`]; a backend can read less
    /// (the clusterer reads every article once, and the HTML body doubled its reads).
    async fn story_inputs(&self, ids: &[ArticleId]) -> StoreResult<Vec<StoryInput>> {
        Ok(self
            .articles_by_ids(ids)
            .await?
            .into_iter()
            .map(StoryInput::from)
            .collect())
    }

    /// Where articles stand in their stories, in the order of `ids`; ids that do not
    /// exist (or were taken down) are skipped. The same as [`Store::articles_by_ids`]
    /// narrowed to [`StoryKey`]: search reads it for hundreds of hits to group them
    /// by story, where whole articles would be read only to be dropped.
    async fn story_keys(&self, ids: &[ArticleId]) -> StoreResult<Vec<StoryKey>> {
        Ok(self
            .articles_by_ids(ids)
            .await?
            .iter()
            .map(StoryKey::from)
            .collect())
    }

    /// Newest articles first, optionally of one section, as a page of cards.
    async fn latest_articles(&self, query: ListQuery) -> StoreResult<Page<ArticleCard>>;

    /// Articles with id greater than `after`, in id order: a keyset walk over the
    /// whole store for rebuilding the index.
    async fn articles_after(&self, after: ArticleId, limit: usize)
        -> StoreResult<Vec<ArticleView>>;

    /// Article entries (no bodies) matching `query`, in its order: the keyset walk
    /// behind cursor-paged API listings, feeds out and sitemaps.
    async fn article_entries(&self, query: EntryQuery) -> StoreResult<Vec<ArticleEntry>>;

    /// Every source (publication), by name.
    async fn sources(&self) -> StoreResult<Vec<Source>>;

    /// How many live (not taken down) articles the store holds.
    async fn count_articles(&self) -> StoreResult<u64>;

    /// Change-log entries with a sequence number greater than `after`, oldest first.
    async fn changes_since(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>>;

    /// The newest sequence number in the change log (0 when empty).
    async fn last_change_seq(&self) -> StoreResult<u64>;

    /// Subscribes to a feed. A URL that is already subscribed is a
    /// [`StoreError::Conflict`].
    async fn add_feed(&self, feed: NewFeed) -> StoreResult<FeedRow>;

    /// Every subscribed feed, in the order they were added.
    async fn feeds(&self) -> StoreResult<Vec<FeedRow>>;

    /// One feed, or `None`.
    async fn feed(&self, id: FeedId) -> StoreResult<Option<FeedRow>>;

    /// Unsubscribes; the feed's articles and source stay. `false` when it did not exist.
    async fn remove_feed(&self, id: FeedId) -> StoreResult<bool>;

    /// Pauses or resumes a feed; resuming makes it due now. `false` when it did not exist.
    async fn set_feed_paused(&self, id: FeedId, paused: bool) -> StoreResult<bool>;

    /// Takes up to `limit` feeds that are due at `now` and not leased by anyone else,
    /// leasing them until `lease_until`: the one place that decides who fetches what, so
    /// that no feed is fetched twice at once even with several nodes. A lease that
    /// expires (its holder died) makes the feed available again.
    async fn claim_due_feeds(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<FeedRow>>;

    /// Writes back what a fetch found and releases the lease.
    async fn record_feed_fetch(&self, id: FeedId, record: FeedFetchRecord) -> StoreResult<()>;

    /// Stores a comment; its parent must be a comment under the same article.
    async fn add_comment(&self, comment: NewComment) -> StoreResult<CommentId>;

    /// One comment, or `None`.
    async fn comment(&self, id: CommentId) -> StoreResult<Option<Comment>>;

    /// An article's comments with one of `statuses`, oldest first.
    async fn article_comments(
        &self,
        article: ArticleId,
        statuses: &[CommentStatus],
    ) -> StoreResult<Vec<Comment>>;

    /// Approved comments per article, for listings (articles without any are absent).
    async fn comment_counts(&self, articles: &[ArticleId]) -> StoreResult<HashMap<ArticleId, u64>>;

    /// Whether this email key has an approved comment ("approved before" rule).
    async fn has_approved_comment(&self, email_key: &str) -> StoreResult<bool>;

    /// Whether a comment with this duplicate key was posted since `since`.
    async fn duplicate_comment_since(&self, key: &str, since: DateTime<Utc>) -> StoreResult<bool>;

    /// The moderation queue: comments in `status`, newest first.
    async fn queued_comments(
        &self,
        status: CommentStatus,
        limit: usize,
        offset: usize,
    ) -> StoreResult<Page<QueuedComment>>;

    /// How many comments are in each state.
    async fn comment_status_counts(&self) -> StoreResult<HashMap<CommentStatus, u64>>;

    /// Moves comments to `status`; returns how many changed.
    async fn set_comment_status(
        &self,
        ids: &[CommentId],
        status: CommentStatus,
    ) -> StoreResult<u64>;

    /// Newest approved comments, of one article or of all, for comment feeds.
    async fn recent_comments(
        &self,
        article: Option<ArticleId>,
        limit: usize,
    ) -> StoreResult<Vec<Comment>>;

    /// Creates an admin account; a taken name is a [`StoreError::Conflict`].
    async fn add_user(&self, name: &str, password_hash: &str) -> StoreResult<i64>;

    /// An account by name.
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>>;

    /// Replaces an account's password hash (password change, rehash).
    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()>;

    /// Starts a session (`key` is a hash of the id in the cookie).
    async fn create_session(&self, key: &str, user: i64, expires: DateTime<Utc>)
        -> StoreResult<()>;

    /// The account a live session belongs to.
    async fn session_user(&self, key: &str, now: DateTime<Utc>) -> StoreResult<Option<User>>;

    /// Ends a session.
    async fn delete_session(&self, key: &str) -> StoreResult<()>;

    /// Appends to the admin log.
    async fn log_admin_action(&self, user: &str, action: &str, detail: &str) -> StoreResult<()>;

    /// The newest admin log entries.
    async fn admin_log(&self, limit: usize) -> StoreResult<Vec<AdminLogEntry>>;

    /// A site setting (secret keys, for example).
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;

    /// Stores a setting, replacing any value it had (site settings an admin edits).
    async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()>;

    /// Stores a setting unless it exists; returns the value in force. Lets several
    /// nodes agree on one generated secret.
    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String>;

    /// Writes a clusterer pass: assignments, merges, titles, recomputed story counts,
    /// and the clusterer's change-log position, in one transaction. Writes nothing to
    /// the change log (story membership is not indexed text).
    async fn apply_story_batch(&self, batch: StoryBatch) -> StoreResult<()>;

    /// How far the clusterer has read the change log.
    async fn story_cursor(&self) -> StoreResult<u64>;

    /// Articles listed at or after `since`, oldest first (to re-seed the clusterer).
    async fn articles_since(
        &self,
        since: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<ArticleView>>;

    /// A story by id (merged stories too: see `merged_into`).
    async fn story(&self, id: StoryId) -> StoreResult<Option<Story>>;

    /// Stories by id in the order asked (repeats kept, ids that name none skipped),
    /// in one read: a page's stories (a search page's counts) at once.
    async fn stories_by_ids(&self, ids: &[StoryId]) -> StoreResult<Vec<Story>>;

    /// A story's articles, oldest first.
    async fn story_articles(&self, id: StoryId) -> StoreResult<Vec<ArticleView>>;

    /// Live (not merged) stories matching `query`, most recently active first: the
    /// keyset walk behind the API's story listing.
    async fn stories(&self, query: StoryQuery) -> StoreResult<Vec<Story>>;

    /// Answers when the database is reachable: what readiness checks ask.
    async fn ping(&self) -> StoreResult<()>;

    /// Takes or renews the lease `name` for `holder` until `until` when it is free,
    /// expired at `now`, or held by `holder` already; returns whether `holder` holds it.
    /// Jobs that must run once for the whole system (story clustering) run only on the
    /// node holding their lease; when that node dies the lease expires and another
    /// node takes over.
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Gives a lease up early (a node shutting down cleanly).
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;

    /// Returns once the change log may hold entries after `after`, or after `timeout`.
    /// Backends that can be told about commits (PostgreSQL's LISTEN/NOTIFY) wake at
    /// once; the default simply waits out the timeout, which makes callers poll.
    async fn wait_for_changes(&self, after: u64, timeout: Duration) -> StoreResult<()> {
        let _ = after;
        tokio::time::sleep(timeout).await;
        Ok(())
    }

    /// Up to `limit` rows of `table` with a key greater than `after` (all rows when
    /// `None`), in key order, values in [`Table::columns`] order: the read side of a
    /// migration and of its verification.
    async fn export_rows(
        &self,
        table: Table,
        after: Option<Value>,
        limit: usize,
    ) -> StoreResult<Vec<Row>>;

    /// Writes rows read by [`Store::export_rows`] (of this or another backend) with
    /// their ids, in one transaction. A row whose key exists already is replaced, so
    /// an interrupted migration can simply run again and rows changed at the source
    /// since an earlier run are brought in line. Id sequences move past the copied
    /// ids.
    async fn import_rows(&self, table: Table, rows: Vec<Row>) -> StoreResult<u64>;

    /// How many rows `table` holds.
    async fn count_rows(&self, table: Table) -> StoreResult<u64>;

    /// The greatest key in `table` (`None` when it is empty): where an interrupted
    /// copy resumes, since rows are imported in key order, one batch per transaction.
    async fn max_key(&self, table: Table) -> StoreResult<Option<Value>>;
}
