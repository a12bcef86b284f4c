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
mod model;

pub use error::{StoreError, StoreResult};
pub use model::*;

use async_trait::async_trait;
use herald_types::{ArticleId, Section};

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

    /// How many articles the store holds.
    async fn count_articles(&self) -> StoreResult<u64>;

    /// Change-log entries with a sequence number greater than `after`, oldest first.
    async fn changes_since(&self, after: u64, limit: usize) -> StoreResult<Vec<Change>>;

    /// The newest sequence number in the change log (0 when empty).
    async fn last_change_seq(&self) -> StoreResult<u64>;
}
