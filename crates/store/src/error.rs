use thiserror::Error;

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in a store. Driver errors are mapped at the backend's edge so
/// that no caller ever sees a driver type.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The caller asked for something that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller's input breaks a rule of the store (a too-long field, a bad slug).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The write would duplicate something unique (a feed URL, a user name).
    #[error("already exists: {0}")]
    Conflict(String),
    /// The database could not be opened or migrated.
    #[error("cannot open the store at {location}: {message}")]
    Open {
        /// Where the store lives (path or URL without secrets).
        location: String,
        /// What the driver said.
        message: String,
    },
    /// The database failed while running a statement.
    #[error("database error: {0}")]
    Database(String),
    /// The database cannot be reached right now (a restart, a network fault); the
    /// same call may succeed shortly. Web handlers answer 503 for it.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A blocking worker died (a panic in the driver or shutdown).
    #[error("store worker failed: {0}")]
    Worker(String),
}
