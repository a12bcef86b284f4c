//! The system of record: the [`Store`] trait and the shapes of what it holds.
//!
//! Each table has a row type (what a backend returns), an insert shape (`New*`) and,
//! where pages need joined data, a view (`*View`). Backends live in their own crates
//! (`herald-store-sqlite`, later PostgreSQL) and are picked by the store URL's scheme.
//!
//! Every write that changes what search should see also appends to the change log in
//! the same transaction; the search index tails that log (see `herald-search`).
#![warn(missing_docs)]

mod error;
mod feeds;
mod model;

pub use error::{StoreError, StoreResult};
pub use feeds::*;
pub use model::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald_types::{ArticleId, FeedId, Section};

/// The system of record. Implementations must be safe to share between tasks; every
/// method is one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Makes the stored sections match the configured ones (adds new ones, renames,
    /// reorders). Sections that left the configuration are kept, hidden, so that their
    /// articles keep a home.
    async fn sync_sections(&self, sections: &[Section]) -> StoreResult<Vec<SectionRow>>;

    /// The visible sections in navigation order.
    async fn sections(&self) -> StoreResult<Vec<SectionRow>>;

    /// Inserts or updates articles by identity, in one transaction, and logs each
    /// insert or real update in the change log. Unchanged articles are left alone and
    /// logged nowhere, so importing a file twice is cheap and idempotent.
    async fn upsert_articles(&self, articles: Vec<NewArticle>) -> StoreResult<Vec<UpsertOutcome>>;

    /// Which of `identities` are stored already (in no particular order): lets feed
    /// polling skip work for items it has seen.
    async fn known_identities(&self, identities: Vec<String>) -> StoreResult<Vec<String>>;

    /// One article with its source and section, or `None`.
    async fn article(&self, id: ArticleId) -> StoreResult<Option<ArticleView>>;

    /// Articles by id, in the order of `ids`; ids that do not exist are skipped.
    async fn articles_by_ids(&self, ids: &[ArticleId]) -> StoreResult<Vec<ArticleView>>;

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

    /// How many articles the store holds.
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
}
