//! Driver errors mapped to [`StoreError`] at the edge of the crate.
//!
//! The one distinction callers act on is "the database is unreachable right now"
//! ([`StoreError::Unavailable`], a 503 that goes away by itself once PostgreSQL is
//! back) against everything else. Messages never carry the connection URL; where a
//! place is named it is the redacted one (see [`crate::pool::redact`]).

use herald_store::StoreError;
use std::error::Error as _;
use tokio_postgres::error::SqlState;

/// Maps a driver error.
pub(crate) fn db(e: tokio_postgres::Error) -> StoreError {
    if is_unavailable(&e) {
        StoreError::Unavailable(describe(&e))
    } else {
        StoreError::Database(describe(&e))
    }
}

/// Maps a failure to take a connection from the pool.
pub(crate) fn pool(e: deadpool_postgres::PoolError) -> StoreError {
    use deadpool_postgres::PoolError;
    match e {
        PoolError::Timeout(_) => StoreError::Unavailable(
            "no PostgreSQL connection became free or could be opened in time".into(),
        ),
        PoolError::Backend(e) => {
            // Opening a connection failed: whatever the reason (refused, reset,
            // a server still starting), the caller cannot do anything but retry.
            StoreError::Unavailable(format!("cannot connect to PostgreSQL: {}", describe(&e)))
        }
        PoolError::Closed => StoreError::Unavailable("the connection pool is closed".into()),
        other => StoreError::Database(other.to_string()),
    }
}

/// Whether `e` says that the server or the connection went away (or that the
/// transaction lost a conflict and may simply run again), rather than that a
/// statement failed.
pub(crate) fn is_unavailable(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        return code.code().starts_with("08")
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            // A deadlock victim or a serialization failure committed nothing; the
            // same transaction succeeds when run again, like after a reconnect.
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE;
    }
    // Socket-level failures (reset, refused, timed out) carry an io::Error.
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    // The driver's own timeout has no source; its text is all there is.
    e.to_string().starts_with("timeout")
}

/// Whether `e` is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// The driver's words: for a server error its message and SQLSTATE (the driver's
/// own Display says only "db error"), else the error and its causes.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = format!("{} ({})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(": ");
            text.push_str(detail);
        }
        return text;
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `.db()?` for driver results inside the crate.
pub(crate) trait Db<T> {
    /// Maps the error with [`db`].
    fn db(self) -> Result<T, StoreError>;
}

impl<T> Db<T> for Result<T, tokio_postgres::Error> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(db)
    }
}
