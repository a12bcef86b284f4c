//! [`FetchConfig`]: the fetcher's section of Herald's configuration.
//!
//! Every key has a named default so that `config.example.toml` can be generated from
//! [`FetchConfig::default`] and an empty section means "the defaults".

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Settings of the polite fetcher. Durations are whole milliseconds or seconds, as the
/// key's suffix says, so that TOML and environment variables stay plain integers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    /// `User-Agent` header sent with every request. Its product token (the text before the
    /// first `/` or space) is the agent name matched against robots.txt groups.
    pub user_agent: String,
    /// Time allowed to open the TCP connection and finish the TLS handshake.
    pub connect_timeout_ms: u64,
    /// Longest silence allowed between two reads of the response.
    pub read_timeout_ms: u64,
    /// Time allowed for one request, from sending it to the last byte of the body.
    pub total_timeout_ms: u64,
    /// Largest body accepted, counted after decompression, so a compressed bomb is cut off
    /// at this many bytes.
    pub max_body_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    /// Requests in flight at once to one host.
    pub per_host_concurrency: u32,
    /// Least time between the starts of two requests to one host. A larger robots.txt
    /// `Crawl-delay` (capped by `max_crawl_delay_secs`) takes precedence.
    pub per_host_min_interval_ms: u64,
    /// Retries after the first attempt on 429, 500, 502, 503, 504 and connection failures.
    pub retries: u32,
    /// First backoff before a retry; it doubles each retry, with jitter.
    pub retry_base_backoff_ms: u64,
    /// Longest wait before a retry, whether from backoff or `Retry-After`. A server asking
    /// for a longer wait gets no retry now: the error carries its `Retry-After` instead, so
    /// the scheduler can come back later.
    pub retry_max_backoff_ms: u64,
    /// How long a fetched robots.txt is trusted.
    pub robots_cache_ttl_secs: u64,
    /// How long an unreachable or failing (5xx) robots.txt blocks a host before it is
    /// asked for again.
    pub robots_error_ttl_secs: u64,
    /// Cap on a robots.txt `Crawl-delay`, so that a hostile file cannot stall a host's
    /// queue for hours.
    pub max_crawl_delay_secs: u64,
    /// Hosts and networks the address guard lets through although they are private,
    /// loopback or link-local: host names (`intranet.example`), addresses (`127.0.0.1`)
    /// or CIDR blocks (`10.0.0.0/8`, `fd00::/8`).
    pub allow_private_hosts: Vec<String>,
}

/// Default for [`FetchConfig::user_agent`].
pub fn default_user_agent() -> String {
    concat!(
        "Herald/",
        env!("CARGO_PKG_VERSION"),
        " (self-hosted news portal)"
    )
    .to_owned()
}
/// Default for [`FetchConfig::connect_timeout_ms`]: 10 s.
pub const fn default_connect_timeout_ms() -> u64 {
    10_000
}
/// Default for [`FetchConfig::read_timeout_ms`]: 20 s.
pub const fn default_read_timeout_ms() -> u64 {
    20_000
}
/// Default for [`FetchConfig::total_timeout_ms`]: 60 s.
pub const fn default_total_timeout_ms() -> u64 {
    60_000
}
/// Default for [`FetchConfig::max_body_bytes`]: 10 MiB.
pub const fn default_max_body_bytes() -> u64 {
    10 * 1024 * 1024
}
/// Default for [`FetchConfig::max_redirects`]: 5, as Google's crawler does.
pub const fn default_max_redirects() -> u32 {
    5
}
/// Default for [`FetchConfig::per_host_concurrency`]: 2.
pub const fn default_per_host_concurrency() -> u32 {
    2
}
/// Default for [`FetchConfig::per_host_min_interval_ms`]: 1 s.
pub const fn default_per_host_min_interval_ms() -> u64 {
    1_000
}
/// Default for [`FetchConfig::retries`]: 3.
pub const fn default_retries() -> u32 {
    3
}
/// Default for [`FetchConfig::retry_base_backoff_ms`]: 500 ms.
pub const fn default_retry_base_backoff_ms() -> u64 {
    500
}
/// Default for [`FetchConfig::retry_max_backoff_ms`]: 30 s.
pub const fn default_retry_max_backoff_ms() -> u64 {
    30_000
}
/// Default for [`FetchConfig::robots_cache_ttl_secs`]: 24 h, as RFC 9309 suggests.
pub const fn default_robots_cache_ttl_secs() -> u64 {
    24 * 60 * 60
}
/// Default for [`FetchConfig::robots_error_ttl_secs`]: 10 min.
pub const fn default_robots_error_ttl_secs() -> u64 {
    10 * 60
}
/// Default for [`FetchConfig::max_crawl_delay_secs`]: 60 s.
pub const fn default_max_crawl_delay_secs() -> u64 {
    60
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: default_user_agent(),
            connect_timeout_ms: default_connect_timeout_ms(),
            read_timeout_ms: default_read_timeout_ms(),
            total_timeout_ms: default_total_timeout_ms(),
            max_body_bytes: default_max_body_bytes(),
            max_redirects: default_max_redirects(),
            per_host_concurrency: default_per_host_concurrency(),
            per_host_min_interval_ms: default_per_host_min_interval_ms(),
            retries: default_retries(),
            retry_base_backoff_ms: default_retry_base_backoff_ms(),
            retry_max_backoff_ms: default_retry_max_backoff_ms(),
            robots_cache_ttl_secs: default_robots_cache_ttl_secs(),
            robots_error_ttl_secs: default_robots_error_ttl_secs(),
            max_crawl_delay_secs: default_max_crawl_delay_secs(),
            allow_private_hosts: Vec::new(),
        }
    }
}

impl FetchConfig {
    /// The product token of [`FetchConfig::user_agent`], the name robots.txt groups are
    /// matched against (`Herald` for `Herald/0.1 (...)`).
    pub fn robots_agent(&self) -> &str {
        let token = self
            .user_agent
            .split(['/', ' ', ';', '('])
            .find(|t| !t.is_empty())
            .unwrap_or("");
        if token.is_empty() {
            "Herald"
        } else {
            token
        }
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
    pub(crate) fn read_timeout(&self) -> Duration {
        Duration::from_millis(self.read_timeout_ms)
    }
    pub(crate) fn total_timeout(&self) -> Duration {
        Duration::from_millis(self.total_timeout_ms)
    }
    pub(crate) fn min_interval(&self) -> Duration {
        Duration::from_millis(self.per_host_min_interval_ms)
    }
    pub(crate) fn max_backoff(&self) -> Duration {
        Duration::from_millis(self.retry_max_backoff_ms)
    }
    pub(crate) fn robots_ttl(&self) -> Duration {
        Duration::from_secs(self.robots_cache_ttl_secs)
    }
    pub(crate) fn robots_error_ttl(&self) -> Duration {
        Duration::from_secs(self.robots_error_ttl_secs)
    }
    pub(crate) fn max_crawl_delay(&self) -> Duration {
        Duration::from_secs(self.max_crawl_delay_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_agent_is_the_product_token() {
        let mut c = FetchConfig::default();
        assert_eq!(c.robots_agent(), "Herald");
        c.user_agent = "NewsBot/2.0 (+https://news.example/bot)".into();
        assert_eq!(c.robots_agent(), "NewsBot");
        c.user_agent = String::new();
        assert_eq!(c.robots_agent(), "Herald");
    }
}
