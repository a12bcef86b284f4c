//! [`FetchError`]: everything that can stop a fetch, each variant naming the URL and
//! saying in words what went wrong, because these messages end up in the operator's
//! `source list` as "last error".

use std::net::IpAddr;
use std::time::Duration;

/// Result of the fetcher's operations.
pub type Result<T, E = FetchError> = std::result::Result<T, E>;

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The fetcher's configuration cannot be used (bad allowlist entry, bad user agent).
    #[error("invalid fetch configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// The URL (or a redirect's `Location`) cannot be fetched as written.
    #[error("{url}: invalid URL: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Only `http` and `https` are fetched; `file:`, `ftp:`, `gopher:` and the like could
    /// reach local resources.
    #[error("{url}: refused scheme `{scheme}`: only http and https are fetched")]
    UnsupportedScheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// The host resolves to (or is) an address the server-side request forgery guard
    /// refuses: loopback, private, link-local, cloud metadata and the like.
    #[error("{url}: refused to connect to {host} ({addr}): {kind} address; list it in allow_private_hosts to permit it")]
    BlockedAddress {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
        /// The refused address.
        addr: IpAddr,
        /// The kind of address, in words ("loopback", "private", ...).
        kind: &'static str,
    },
    /// The host name did not resolve.
    #[error("{url}: could not resolve host {host}: {reason}")]
    Dns {
        /// The URL.
        url: String,
        /// Its host.
        host: String,
        /// The resolver's answer.
        reason: String,
    },
    /// robots.txt disallows this URL for our user agent.
    #[error("{url}: disallowed by robots.txt for user agent {agent}")]
    RobotsDisallowed {
        /// The URL.
        url: String,
        /// The robots.txt agent name that was matched.
        agent: String,
    },
    /// robots.txt could not be read (5xx, timeout, refused connection); following Google's
    /// rules the whole host counts as disallowed until it is asked again.
    #[error("{url}: robots.txt of this host is unavailable ({reason}); not fetching until it can be read")]
    RobotsUnavailable {
        /// The URL that was to be fetched.
        url: String,
        /// Why robots.txt could not be read.
        reason: String,
    },
    /// No response within the configured connect, read or total timeout.
    #[error("{url}: timed out ({detail})")]
    Timeout {
        /// The URL.
        url: String,
        /// Which limits applied.
        detail: String,
    },
    /// The body, after decompression, is larger than `max_body_bytes`.
    #[error(
        "{url}: response body larger than the limit of {limit} bytes (counted after decompression)"
    )]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The server answered with a status that is neither success, redirect nor 304.
    #[error("{url}: HTTP {status}{}{}", reason_suffix(.reason), retry_suffix(.retry_after))]
    HttpStatus {
        /// The URL that answered.
        url: String,
        /// The status code.
        status: u16,
        /// The status's reason phrase, if it is a known code.
        reason: String,
        /// The server's `Retry-After`, if it sent one (429 and 503 mostly).
        retry_after: Option<Duration>,
    },
    /// More redirects than `max_redirects`.
    #[error("{url}: too many redirects (more than {limit})")]
    TooManyRedirects {
        /// The URL first asked for.
        url: String,
        /// The limit.
        limit: u32,
    },
    /// A redirect pointed back to a URL already visited in the chain.
    #[error("{url}: redirect loop: {target} was already visited")]
    RedirectLoop {
        /// The URL first asked for.
        url: String,
        /// The URL seen twice.
        target: String,
    },
    /// A redirect without a usable `Location` header.
    #[error("{url}: bad redirect: {reason}")]
    BadRedirect {
        /// The URL that redirected.
        url: String,
        /// What is wrong with its `Location`.
        reason: String,
    },
    /// The TLS handshake failed (bad certificate, protocol mismatch).
    #[error("{url}: TLS error: {reason}")]
    Tls {
        /// The URL.
        url: String,
        /// The TLS library's message.
        reason: String,
    },
    /// The connection could not be opened or broke before a response arrived.
    #[error("{url}: connection failed: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// The cause chain, in words.
        reason: String,
    },
    /// The body could not be read or decoded (broken connection, corrupt gzip).
    #[error("{url}: could not read the response body: {reason}")]
    Body {
        /// The URL.
        url: String,
        /// The cause chain, in words.
        reason: String,
    },
    /// A failure after one or more redirects: `url` is the URL asked for and `source`
    /// the failure at the hop where it happened (which names that hop's URL), so the
    /// operator sees both where the source points and where it led.
    #[error("{url}: after {hops} redirect(s): {source}")]
    Redirected {
        /// The URL first asked for.
        url: String,
        /// Redirects followed before the failure.
        hops: usize,
        /// The failure at the last hop.
        source: Box<FetchError>,
    },
}

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" {reason}")
    }
}

fn retry_suffix(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (server asks to retry after {} s)", d.as_secs()),
        None => String::new(),
    }
}

impl FetchError {
    /// The URL the error is about, if any (configuration errors have none).
    pub fn url(&self) -> Option<&str> {
        match self {
            FetchError::Config { .. } => None,
            FetchError::InvalidUrl { url, .. }
            | FetchError::UnsupportedScheme { url, .. }
            | FetchError::BlockedAddress { url, .. }
            | FetchError::Dns { url, .. }
            | FetchError::RobotsDisallowed { url, .. }
            | FetchError::RobotsUnavailable { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::TooLarge { url, .. }
            | FetchError::HttpStatus { url, .. }
            | FetchError::TooManyRedirects { url, .. }
            | FetchError::RedirectLoop { url, .. }
            | FetchError::BadRedirect { url, .. }
            | FetchError::Tls { url, .. }
            | FetchError::Connect { url, .. }
            | FetchError::Body { url, .. }
            | FetchError::Redirected { url, .. } => Some(url),
        }
    }

    /// The failure itself, looking through [`FetchError::Redirected`]: match on this to
    /// act on the kind of failure (a 410 after a redirect is still a 410).
    pub fn root(&self) -> &FetchError {
        let mut e = self;
        while let FetchError::Redirected { source, .. } = e {
            e = source;
        }
        e
    }

    /// Whether trying again later may succeed: timeouts, connection and DNS failures,
    /// unavailable robots.txt, 408, 429 and 5xx. The scheduler backs off on these and
    /// treats the rest (404, 410, blocked, too large, ...) as lasting until the source
    /// changes.
    pub fn is_transient(&self) -> bool {
        match self.root() {
            FetchError::Timeout { .. }
            | FetchError::Connect { .. }
            | FetchError::Dns { .. }
            | FetchError::Body { .. }
            | FetchError::RobotsUnavailable { .. } => true,
            FetchError::HttpStatus { status, .. } => {
                matches!(status, 408 | 425 | 429) || (500..600).contains(status)
            }
            _ => false,
        }
    }

    /// A stable, machine-readable name of the failure, for storing with a source's fetch
    /// state and for metrics (the message is for people and may change).
    pub fn code(&self) -> &'static str {
        match self.root() {
            FetchError::Config { .. } => "config",
            FetchError::InvalidUrl { .. } => "invalid_url",
            FetchError::UnsupportedScheme { .. } => "unsupported_scheme",
            FetchError::BlockedAddress { .. } => "blocked_address",
            FetchError::Dns { .. } => "dns",
            FetchError::RobotsDisallowed { .. } => "robots_disallowed",
            FetchError::RobotsUnavailable { .. } => "robots_unavailable",
            FetchError::Timeout { .. } => "timeout",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::HttpStatus { .. } => "http_status",
            FetchError::TooManyRedirects { .. } => "too_many_redirects",
            FetchError::RedirectLoop { .. } => "redirect_loop",
            FetchError::BadRedirect { .. } => "bad_redirect",
            FetchError::Tls { .. } => "tls",
            FetchError::Connect { .. } => "connect",
            FetchError::Body { .. } => "body",
            FetchError::Redirected { .. } => "redirected",
        }
    }

    /// The wait the server asked for with `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.root() {
            FetchError::HttpStatus { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_url_and_the_problem() {
        let e = FetchError::HttpStatus {
            url: "https://a.example/feed".into(),
            status: 429,
            reason: "Too Many Requests".into(),
            retry_after: Some(Duration::from_secs(120)),
        };
        assert_eq!(
            e.to_string(),
            "https://a.example/feed: HTTP 429 Too Many Requests (server asks to retry after 120 s)"
        );
        assert!(e.is_transient());
        assert_eq!(e.url(), Some("https://a.example/feed"));
        assert_eq!(e.code(), "http_status");
        let e = FetchError::TooLarge {
            url: "http://b.example/".into(),
            limit: 10,
        };
        assert!(e
            .to_string()
            .starts_with("http://b.example/: response body larger"));
        assert!(!e.is_transient());
        let wrapped = FetchError::Redirected {
            url: "http://old.example/feed".into(),
            hops: 1,
            source: Box::new(FetchError::HttpStatus {
                url: "http://new.example/feed".into(),
                status: 410,
                reason: "Gone".into(),
                retry_after: None,
            }),
        };
        assert_eq!(
            wrapped.to_string(),
            "http://old.example/feed: after 1 redirect(s): http://new.example/feed: HTTP 410 Gone"
        );
        assert_eq!(wrapped.code(), "http_status");
        assert!(matches!(
            wrapped.root(),
            FetchError::HttpStatus { status: 410, .. }
        ));
        assert_eq!(wrapped.url(), Some("http://old.example/feed"));
    }
}
