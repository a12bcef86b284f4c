//! Herald's search index: a tantivy index derived from the store.
//!
//! The store is the truth. [`Indexer::catch_up`] tails the store's change log and
//! commits the last applied sequence number inside the same tantivy commit (as the
//! commit payload), so a crash between store and index loses nothing and, because
//! every apply deletes the article's old document first, doubles nothing.
//! [`Indexer::rebuild`] recreates the whole index from the store.
#![warn(missing_docs)]

mod error;
pub mod eval;
mod fields;
mod index;
mod indexer;
mod query;
mod stem_cache;

pub use error::{SearchError, SearchResult};
pub use index::{Hit, SearchIndex, SearchRequest, SearchResults};
pub use indexer::{IndexState, Indexer};
