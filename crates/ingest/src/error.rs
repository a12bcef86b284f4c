use thiserror::Error;

/// Result of an ingest operation.
pub type IngestResult<T> = Result<T, IngestError>;

/// Failures that stop an ingest job as a whole (a bad record never does).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IngestError {
    /// Reading the input failed.
    #[error("reading {source_name}: {error}")]
    Read {
        /// The file or stream being read.
        source_name: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] herald_store::StoreError),
    /// The search index failed.
    #[error(transparent)]
    Search(#[from] herald_search::SearchError),
}
