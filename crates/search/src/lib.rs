//! Herald's search index: a tantivy index derived from the store.
//!
//! The store is the truth. [`Indexer::catch_up`] tails the store's change log and
//! commits the last applied sequence number inside the same tantivy commit (as the
//! commit payload), so a crash between store and index loses nothing and, because
//! every apply deletes the article's old document first, doubles nothing.
//! [`Indexer::rebuild`] recreates the whole index from the store.
#![warn(missing_docs)]

mod collect;
mod error;
pub mod eval;
mod fields;
mod index;
mod indexer;
mod lang;
mod phrase;
mod rank;
mod scoring;
mod spell;
mod stem_cache;
pub mod syntax;
#[cfg(test)]
mod testing;
mod words;

pub use collect::{DateBucket, DateGranularity, FacetValue, Facets};
pub use error::{SearchError, SearchResult};
pub use index::{
    Completions, Corrected, Hit, SearchIndex, SearchOptions, SearchRequest, SearchResults,
    TitleCompletion, COUNT_BUDGET, EXACT_FACETS_UP_TO, EXACT_TOTAL_UP_TO,
};
pub use indexer::{IndexState, Indexer};
pub use rank::RankingConfig;
pub use spell::{Correction, TermCompletion};
pub use syntax::{parse as parse_query, ParsedQuery, Sort};
