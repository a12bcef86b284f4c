use thiserror::Error;

/// Result of a search-index operation.
pub type SearchResult<T> = Result<T, SearchError>;

/// What can go wrong in the search index.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SearchError {
    /// tantivy failed (I/O, corrupt segment, lock held by another process).
    #[error("search index at {path}: {message}")]
    Index {
        /// Index directory.
        path: String,
        /// What tantivy said.
        message: String,
    },
    /// Another process holds the index writer (a running `herald serve`, say).
    #[error("the search index at {0} is being written by another Herald process")]
    Locked(String),
    /// The store failed while the indexer read from it.
    #[error(transparent)]
    Store(#[from] herald_store::StoreError),
}
