//! The connection settings and the pool.
//!
//! Connections are plain TCP (or a Unix socket): no TLS is linked in. Herald expects
//! its database on the same host or a private network; a URL that demands TLS
//! (`sslmode=require`) fails to connect with a clear error rather than silently
//! going unencrypted.

use crate::error::describe;
use deadpool_postgres::{BuildError, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use herald_store::{StoreError, StoreResult};
use std::time::Duration;
use tokio_postgres::{Config, NoTls};

/// How the store's connection pool is sized and how long callers wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// Connections the pool opens at most. Each node holds up to this many plus one
    /// for change notifications; PostgreSQL's `max_connections` must cover every node.
    pub max_connections: usize,
    /// How long a call waits for a free connection, or for a new one to open, before
    /// it fails with [`StoreError::Unavailable`]: bounds how long a dead database
    /// holds up a request.
    pub acquire_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// Parses the URL (or key=value string) into the driver's settings, with Herald's
/// defaults for what the URL leaves open.
pub(crate) fn config(url: &str, options: &PgOptions) -> StoreResult<Config> {
    let mut config: Config = url.parse().map_err(|e| StoreError::Open {
        location: redact(url),
        message: scrub(&describe(&e), url),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.acquire_timeout);
    }
    if config.get_application_name().is_none() {
        // Lets an operator find Herald's sessions in pg_stat_activity.
        config.application_name("herald");
    }
    Ok(config)
}

/// A bounded pool whose recycling drops connections the server closed, so that the
/// store heals by itself after a PostgreSQL restart: the next checkout opens a fresh
/// connection.
pub(crate) fn build(config: Config, options: &PgOptions) -> Result<Pool, BuildError> {
    let manager_config = ManagerConfig {
        // Fast: a connection whose socket closed is noticed by its driver task at
        // once and discarded at checkout; no round trip per checkout.
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = Manager::from_config(config, NoTls, manager_config);
    let timeout = Some(options.acquire_timeout);
    Pool::builder(manager)
        .max_size(options.max_connections.max(1))
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .recycle_timeout(timeout)
        .runtime(Runtime::Tokio1)
        .build()
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match password(url) {
        Some(secret) if !secret.is_empty() => url.replacen(secret, "***", 1),
        _ => url.to_string(),
    }
}

/// Removes the URL's password from a message that might echo it.
pub(crate) fn scrub(message: &str, url: &str) -> String {
    match password(url) {
        Some(secret) if !secret.is_empty() => message.replace(secret, "***"),
        _ => message.to_string(),
    }
}

/// The password of a `postgres://user:password@host/db` URL or of a
/// `password=...` key-value string, as written.
fn password(url: &str) -> Option<&str> {
    if let Some((_, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let userinfo = &authority[..authority.rfind('@')?];
        return userinfo.split_once(':').map(|(_, p)| p);
    }
    let start = url.find("password=")? + "password=".len();
    let rest = &url[start..];
    let rest = rest.strip_prefix('\'').unwrap_or(rest);
    let end = rest.find([' ', '\'']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Waits between reconnection attempts of the change listener: doubling from a
/// quarter second, capped at five seconds.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let millis = 250u64.saturating_mul(1u64 << attempt.min(5));
    Duration::from_millis(millis.min(5_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://herald:s3cret@db:5432/herald"),
            "postgres://herald:***@db:5432/herald"
        );
        assert_eq!(
            redact("postgres://herald@db/herald?options=-c%20a%3Db"),
            "postgres://herald@db/herald?options=-c%20a%3Db"
        );
        assert_eq!(
            redact("host=db user=herald password=s3cret dbname=herald"),
            "host=db user=herald password=*** dbname=herald"
        );
        assert_eq!(scrub("bad: s3cret", "postgres://u:s3cret@h/d"), "bad: ***");
        // An '@' in the query string is not the end of a user part.
        assert_eq!(redact("postgres://h/d?user=a@b"), "postgres://h/d?user=a@b");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(4), Duration::from_millis(4_000));
        assert_eq!(backoff(5), Duration::from_secs(5));
        assert_eq!(backoff(60), Duration::from_secs(5));
    }
}
