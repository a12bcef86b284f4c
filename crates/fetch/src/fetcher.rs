//! [`Fetcher`] and [`FetcherBuilder`]: one GET, done politely and defensively.

use std::collections::HashSet;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::StatusCode;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::config::FetchConfig;
use crate::error::{FetchError, Result};
use crate::guard::{AddressPolicy, GuardError, GuardedResolver};
use crate::politeness::{HostPermit, Politeness};
use crate::robots::{RobotsCache, RobotsRules, MAX_ROBOTS_BYTES};

const TARGET: &str = "ingest::fetch";

/// Statuses worth another attempt after a pause.
const RETRYABLE: [u16; 5] = [429, 500, 502, 503, 504];

/// What to fetch, with the validators from the previous fetch of the same URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The URL to GET (http or https).
    pub url: Url,
    /// The `ETag` of the previous response, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` of the previous response, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

impl FetchRequest {
    /// An unconditional request for `url`.
    pub fn new(url: Url) -> Self {
        FetchRequest {
            url,
            etag: None,
            last_modified: None,
        }
    }
}

/// Whether the server sent a new body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A 2xx response and its body, decompressed and otherwise untouched (no charset
    /// decoding: the extractor and feed parser sniff encodings themselves).
    Fetched {
        /// The body bytes.
        body: Bytes,
    },
    /// 304: the validators still match; keep what was stored.
    NotModified,
}

/// The response headers the pipeline keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseHeaders {
    /// `Content-Type`, as sent (it may be wrong; callers sniff).
    pub content_type: Option<String>,
    /// `ETag`, to send back as `If-None-Match` next time.
    pub etag: Option<String>,
    /// `Last-Modified`, to send back as `If-Modified-Since` next time.
    pub last_modified: Option<String>,
    /// `Content-Location`, a hint for the canonical URL.
    pub content_location: Option<String>,
}

impl ResponseHeaders {
    fn from_map(map: &HeaderMap) -> Self {
        let get = |name: header::HeaderName| {
            map.get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
        };
        ResponseHeaders {
            content_type: get(header::CONTENT_TYPE),
            etag: get(header::ETAG),
            last_modified: get(header::LAST_MODIFIED),
            content_location: get(header::CONTENT_LOCATION),
        }
    }
}

/// One redirect that was followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The URL that answered with a redirect.
    pub from: Url,
    /// Where it pointed (resolved against `from`).
    pub to: Url,
    /// 301, 302, 303, 307 or 308.
    pub status: u16,
}

impl Redirect {
    /// 301 and 308 say the resource has moved for good.
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, 301 | 308)
    }
}

/// A successful fetch (2xx or 304).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    /// The URL asked for.
    pub url: Url,
    /// The URL that finally answered, after redirects.
    pub final_url: Url,
    /// Its status code.
    pub status: u16,
    /// The body, or "not modified".
    pub outcome: FetchOutcome,
    /// Headers of interest.
    pub headers: ResponseHeaders,
    /// The redirects followed, in order.
    pub redirects: Vec<Redirect>,
    /// Time from the call to the last byte, including robots.txt, politeness waits and
    /// retries.
    pub elapsed: Duration,
}

impl FetchResponse {
    /// The body, unless the response was a 304.
    pub fn body(&self) -> Option<&Bytes> {
        match &self.outcome {
            FetchOutcome::Fetched { body } => Some(body),
            FetchOutcome::NotModified => None,
        }
    }

    /// Whether the server answered 304.
    pub fn is_not_modified(&self) -> bool {
        self.outcome == FetchOutcome::NotModified
    }

    /// Whether any redirect in the chain was permanent (301 or 308).
    pub fn permanent_redirect(&self) -> bool {
        self.redirects.iter().any(Redirect::is_permanent)
    }

    /// Where the source should now point: the end of the chain's leading run of
    /// permanent redirects, or `None` if the first redirect (if any) was temporary.
    /// (`A -301-> B -302-> C` moves the source to B, not to the temporary C.)
    pub fn permanent_url(&self) -> Option<&Url> {
        self.redirects
            .iter()
            .take_while(|r| r.is_permanent())
            .last()
            .map(|r| &r.to)
    }
}

/// Builds a [`Fetcher`].
///
/// ```
/// let fetcher = herald_fetch::FetcherBuilder::new()
///     .user_agent("CityNews/1.0 (+https://news.example/bot)")
///     .build()
///     .expect("valid configuration");
/// # drop(fetcher);
/// ```
#[derive(Debug, Clone, Default)]
pub struct FetcherBuilder {
    config: FetchConfig,
}

impl FetcherBuilder {
    /// A builder with the default configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the whole configuration (as read from the config file).
    pub fn config(mut self, config: FetchConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the `User-Agent` (its product token is the robots.txt agent name).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }

    /// Opens a host name, address or CIDR block to the address guard.
    pub fn allow_private_host(mut self, entry: impl Into<String>) -> Self {
        self.config.allow_private_hosts.push(entry.into());
        self
    }

    /// Sets the least time between request starts to one host.
    pub fn per_host_min_interval(mut self, interval: Duration) -> Self {
        self.config.per_host_min_interval_ms = duration_ms(interval);
        self
    }

    /// Sets the retry count and the first backoff.
    pub fn retries(mut self, retries: u32, base_backoff: Duration) -> Self {
        self.config.retries = retries;
        self.config.retry_base_backoff_ms = duration_ms(base_backoff);
        self
    }

    /// Sets the largest body accepted, after decompression.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.config.max_body_bytes = limit;
        self
    }

    /// Sets the time allowed for one request, body included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.config.total_timeout_ms = duration_ms(timeout);
        self
    }

    /// Builds the fetcher: validates the allowlist and sets up the HTTP client.
    pub fn build(self) -> Result<Fetcher> {
        let config = self.config;
        for (key, value) in [
            ("connect_timeout_ms", config.connect_timeout_ms),
            ("read_timeout_ms", config.read_timeout_ms),
            ("total_timeout_ms", config.total_timeout_ms),
            ("max_body_bytes", config.max_body_bytes),
        ] {
            if value == 0 {
                return Err(FetchError::Config {
                    reason: format!("{key} must be greater than 0"),
                });
            }
        }
        let policy = Arc::new(AddressPolicy::new(&config.allow_private_hosts)?);
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            // Redirects are followed by hand so that each hop passes the guard, robots.txt
            // and the host's rate limit, and so that permanent moves are recorded.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would connect on our behalf and bypass the
            // address guard.
            .no_proxy()
            .referer(false)
            .connect_timeout(config.connect_timeout())
            .read_timeout(config.read_timeout())
            .timeout(config.total_timeout())
            .dns_resolver(Arc::new(GuardedResolver {
                policy: Arc::clone(&policy),
            }))
            .build()
            .map_err(|e| FetchError::Config {
                reason: error_chain(&e),
            })?;
        let politeness = Politeness::new(config.per_host_concurrency, config.min_interval());
        Ok(Fetcher {
            inner: Arc::new(Inner {
                config,
                client,
                policy,
                politeness,
                robots: RobotsCache::default(),
            }),
        })
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The polite HTTP fetcher. Cheap to clone; clones share the connection pool, the
/// robots.txt cache and the per-host limits, so one fetcher should serve the whole
/// process.
#[derive(Debug, Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: FetchConfig,
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    politeness: Politeness,
    robots: RobotsCache,
}

/// What one attempt-with-retries ended in.
struct Answer {
    response: reqwest::Response,
    permit: HostPermit,
}

impl Fetcher {
    /// A fetcher with the default configuration.
    pub fn new() -> Result<Self> {
        FetcherBuilder::new().build()
    }

    /// The configuration in force.
    pub fn config(&self) -> &FetchConfig {
        &self.inner.config
    }

    /// GETs `request.url`, conditionally when validators are given.
    ///
    /// Each hop of a redirect chain is checked against the scheme rule, the address
    /// guard and robots.txt, and waits for its host's turn; 429/5xx and connection
    /// failures are retried with backoff. Returns a 2xx body or a 304; every other ending
    /// is a [`FetchError`] naming the URL.
    pub async fn fetch(&self, request: &FetchRequest) -> Result<FetchResponse> {
        let span = tracing::debug_span!(target: TARGET, "fetch", url = %request.url);
        self.fetch_inner(request).instrument(span).await
    }

    /// Runs the redirect loop and puts a failure after a redirect in context.
    async fn fetch_inner(&self, request: &FetchRequest) -> Result<FetchResponse> {
        let mut redirects: Vec<Redirect> = Vec::new();
        match self.follow(request, &mut redirects).await {
            Ok(response) => Ok(response),
            Err(e @ (FetchError::TooManyRedirects { .. } | FetchError::RedirectLoop { .. })) => {
                Err(e)
            }
            Err(e) if redirects.is_empty() => Err(e),
            Err(e) => Err(FetchError::Redirected {
                url: request.url.to_string(),
                hops: redirects.len(),
                source: Box::new(e),
            }),
        }
    }

    async fn follow(
        &self,
        request: &FetchRequest,
        redirects: &mut Vec<Redirect>,
    ) -> Result<FetchResponse> {
        let started = Instant::now();
        let config = &self.inner.config;
        let mut url = request.url.clone();
        let mut visited: HashSet<String> = HashSet::new();
        visited.insert(without_fragment(&url));
        loop {
            self.check_target(&url)?;
            self.check_robots(&url).await?;
            let Answer {
                mut response,
                permit,
            } = self.send(&url, request).await?;
            let status = response.status();
            if is_followed_redirect(status) {
                let next = redirect_target(&url, response.headers())?;
                drop(response);
                drop(permit);
                if redirects.len() >= config.max_redirects as usize {
                    return Err(FetchError::TooManyRedirects {
                        url: request.url.to_string(),
                        limit: config.max_redirects,
                    });
                }
                if !visited.insert(without_fragment(&next)) {
                    return Err(FetchError::RedirectLoop {
                        url: request.url.to_string(),
                        target: next.to_string(),
                    });
                }
                tracing::debug!(target: TARGET, from = %url, to = %next, status = status.as_u16(), "redirect");
                redirects.push(Redirect {
                    from: url,
                    to: next.clone(),
                    status: status.as_u16(),
                });
                url = next;
                continue;
            }
            let headers = ResponseHeaders::from_map(response.headers());
            let outcome = if status == StatusCode::NOT_MODIFIED {
                FetchOutcome::NotModified
            } else if status.is_success() {
                let body = read_body(&url, &mut response, config.max_body_bytes, false).await?;
                FetchOutcome::Fetched { body }
            } else {
                return Err(status_error(&url, &response));
            };
            drop(permit);
            let elapsed = started.elapsed();
            tracing::debug!(
                target: TARGET,
                final_url = %url,
                status = status.as_u16(),
                bytes = match &outcome { FetchOutcome::Fetched { body } => body.len(), FetchOutcome::NotModified => 0 },
                redirects = redirects.len(),
                elapsed_ms = duration_ms(elapsed),
                "fetched"
            );
            return Ok(FetchResponse {
                url: request.url.clone(),
                final_url: url,
                status: status.as_u16(),
                outcome,
                headers,
                redirects: std::mem::take(redirects),
                elapsed,
            });
        }
    }

    /// The scheme rule and the guard's check of IP-literal hosts; names are vetted when
    /// the client resolves them.
    fn check_target(&self, url: &Url) -> Result<()> {
        match url.scheme() {
            "http" | "https" => {}
            other => {
                return Err(FetchError::UnsupportedScheme {
                    url: url.to_string(),
                    scheme: other.to_owned(),
                })
            }
        }
        self.inner.policy.check_url(url)
    }

    /// Sends one GET, retrying retryable statuses and connection failures.
    async fn send(&self, url: &Url, request: &FetchRequest) -> Result<Answer> {
        let config = &self.inner.config;
        let host = host_key(url);
        let mut attempt: u32 = 0;
        loop {
            let permit = self.inner.politeness.acquire(&host).await;
            let mut builder = self
                .inner
                .client
                .get(url.clone())
                .header(header::ACCEPT, "*/*");
            if let Some(v) = header_value(request.etag.as_deref()) {
                builder = builder.header(header::IF_NONE_MATCH, v);
            }
            if let Some(v) = header_value(request.last_modified.as_deref()) {
                builder = builder.header(header::IF_MODIFIED_SINCE, v);
            }
            let sent = Instant::now();
            let result = builder.send().await;
            match result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    tracing::debug!(target: TARGET, url = %url, status, attempt, elapsed_ms = duration_ms(sent.elapsed()), "response");
                    if RETRYABLE.contains(&status) && attempt < config.retries {
                        let asked = retry_after(response.headers());
                        let wait = asked.unwrap_or_else(|| self.backoff(attempt));
                        if wait <= config.max_backoff() {
                            tracing::info!(target: TARGET, url = %url, status, attempt, wait_ms = duration_ms(wait), "retrying");
                            drop(response);
                            drop(permit);
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                            continue;
                        }
                        tracing::info!(target: TARGET, url = %url, status, wait_ms = duration_ms(wait), "server asks for a longer wait than retry_max_backoff; not retrying now");
                    }
                    return Ok(Answer { response, permit });
                }
                Err(e) => {
                    let error = self.map_error(url, &e);
                    if matches!(error, FetchError::Connect { .. }) && attempt < config.retries {
                        let wait = self.backoff(attempt);
                        tracing::info!(target: TARGET, url = %url, error = %error, attempt, wait_ms = duration_ms(wait), "retrying");
                        drop(permit);
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Exponential backoff with jitter: a random wait in [d/2, d] where
    /// d = base × 2^attempt, capped; the jitter keeps many sources that failed together
    /// from coming back together.
    fn backoff(&self, attempt: u32) -> Duration {
        let config = &self.inner.config;
        let base = config.retry_base_backoff_ms.max(1);
        let full = base
            .saturating_mul(1u64 << attempt.min(32))
            .min(config.retry_max_backoff_ms.max(1));
        Duration::from_millis(fastrand::u64(full / 2..=full))
    }

    /// Turns the client's error into words, recognising the guard's refusals inside it.
    fn map_error(&self, url: &Url, e: &reqwest::Error) -> FetchError {
        let config = &self.inner.config;
        let url_s = url.to_string();
        let host = url.host_str().unwrap_or_default().to_owned();
        let mut source: Option<&(dyn StdError + 'static)> = Some(e);
        while let Some(err) = source {
            if let Some(guard) = err.downcast_ref::<GuardError>() {
                return match guard {
                    GuardError::Blocked { addr, kind, .. } => FetchError::BlockedAddress {
                        url: url_s,
                        host,
                        addr: *addr,
                        kind,
                    },
                    GuardError::Dns { reason, .. } => FetchError::Dns {
                        url: url_s,
                        host,
                        reason: reason.clone(),
                    },
                };
            }
            if let Some(tls) = find_tls_error(err) {
                return FetchError::Tls {
                    url: url_s,
                    reason: tls.to_string(),
                };
            }
            source = err.source();
        }
        if e.is_timeout() {
            return FetchError::Timeout {
                url: url_s,
                detail: format!(
                    "limits: connect {} ms, between reads {} ms, whole request {} ms",
                    config.connect_timeout_ms, config.read_timeout_ms, config.total_timeout_ms
                ),
            };
        }
        if e.is_body() || e.is_decode() {
            return FetchError::Body {
                url: url_s,
                reason: error_chain(e),
            };
        }
        FetchError::Connect {
            url: url_s,
            reason: error_chain(e),
        }
    }

    /// Fails unless robots.txt of the URL's origin allows it.
    async fn check_robots(&self, url: &Url) -> Result<()> {
        let origin = origin_key(url);
        let rules = self
            .inner
            .robots
            .get_or_load(&origin, || self.load_robots(url))
            .await;
        match rules.as_ref() {
            RobotsRules::AllowAll => Ok(()),
            RobotsRules::Rules(robot) => {
                if robot.allowed(url.as_str()) {
                    Ok(())
                } else {
                    tracing::debug!(target: TARGET, url = %url, "disallowed by robots.txt");
                    Err(FetchError::RobotsDisallowed {
                        url: url.to_string(),
                        agent: self.inner.config.robots_agent().to_owned(),
                    })
                }
            }
            RobotsRules::Unavailable(reason) => Err(FetchError::RobotsUnavailable {
                url: url.to_string(),
                reason: reason.clone(),
            }),
        }
    }

    /// Fetches and parses robots.txt for the URL's origin, through the same guard and
    /// host limits as any request, following up to five redirects as Google does.
    async fn load_robots(&self, page: &Url) -> (RobotsRules, Duration) {
        let config = &self.inner.config;
        let ok_ttl = config.robots_ttl();
        let err_ttl = config.robots_error_ttl();
        let mut url = match page.join("/robots.txt") {
            Ok(u) => u,
            Err(_) => return (RobotsRules::AllowAll, ok_ttl),
        };
        let robots_host = host_key(&url);
        let started = Instant::now();
        for _hop in 0..=5 {
            if self.check_target(&url).is_err() {
                // A robots.txt redirect to a refused place counts as no robots.txt: the
                // page's own host has passed the guard.
                return (RobotsRules::AllowAll, ok_ttl);
            }
            // Through `send`, so robots.txt gets the same host turn and the same retries
            // on 429/5xx and dropped connections as any page.
            let Answer {
                mut response,
                permit,
            } = match self.send(&url, &FetchRequest::new(url.clone())).await {
                Ok(answer) => answer,
                Err(error) => {
                    if matches!(error, FetchError::BlockedAddress { .. }) {
                        // The guard refuses this host: its robots.txt does not matter, and
                        // the page request will be refused with the clearer message.
                        return (RobotsRules::AllowAll, err_ttl);
                    }
                    tracing::info!(target: TARGET, url = %url, error = %error, "robots.txt unavailable");
                    return (RobotsRules::Unavailable(error.to_string()), err_ttl);
                }
            };
            let status = response.status();
            if is_followed_redirect(status) {
                match redirect_target(&url, response.headers()) {
                    Ok(next) => {
                        drop(permit);
                        url = next;
                        continue;
                    }
                    Err(_) => return (RobotsRules::AllowAll, ok_ttl),
                }
            }
            let code = status.as_u16();
            let (rules, ttl) = if status.is_success() {
                match read_body(&url, &mut response, MAX_ROBOTS_BYTES, true).await {
                    Ok(body) => (RobotsRules::parse(config.robots_agent(), &body), ok_ttl),
                    Err(e) => (RobotsRules::Unavailable(e.to_string()), err_ttl),
                }
            } else if code == 429 || status.is_server_error() {
                (
                    RobotsRules::Unavailable(format!("{url} answered HTTP {code}")),
                    err_ttl,
                )
            } else {
                (RobotsRules::AllowAll, ok_ttl)
            };
            drop(permit);
            let delay = rules.crawl_delay().map(|d| d.min(config.max_crawl_delay()));
            self.inner.politeness.set_crawl_delay(&robots_host, delay);
            tracing::debug!(target: TARGET, url = %url, status = code, crawl_delay_ms = delay.map(duration_ms), elapsed_ms = duration_ms(started.elapsed()), "robots.txt loaded");
            return (rules, ttl);
        }
        // More than five redirects: Google treats this as no robots.txt.
        (RobotsRules::AllowAll, ok_ttl)
    }
}

/// The TLS library's error inside `err`, looking through the nested `io::Error`s the
/// connector wraps it in (whose `source` skips the wrapped error itself).
fn find_tls_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current: &(dyn StdError + 'static) = err;
    for _ in 0..8 {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let io = current.downcast_ref::<std::io::Error>()?;
        let inner: &(dyn StdError + Send + Sync + 'static) = io.get_ref()?;
        current = inner;
    }
    None
}

/// Redirects that are followed; 300, 304 and the unused 305/306 are not.
fn is_followed_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The redirect's `Location`, resolved against the URL that sent it.
fn redirect_target(from: &Url, headers: &HeaderMap) -> Result<Url> {
    let bad = |reason: String| FetchError::BadRedirect {
        url: from.to_string(),
        reason,
    };
    let location = headers
        .get(header::LOCATION)
        .ok_or_else(|| bad("no Location header".into()))?;
    // Non-ASCII bytes in Location are common (raw UTF-8 paths); read them leniently and
    // let the URL parser percent-encode them.
    let location = String::from_utf8_lossy(location.as_bytes());
    from.join(location.trim())
        .map_err(|e| bad(format!("Location `{location}` is not a URL: {e}")))
}

/// The URL without its fragment, for loop detection (fragments never reach the server).
fn without_fragment(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.into()
}

/// The key of per-host limits: the host name (any port), lower-cased by the URL parser.
fn host_key(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_owned()
}

/// The key of the robots.txt cache: scheme, host and port, as RFC 9309 scopes the file.
fn origin_key(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn header_value(v: Option<&str>) -> Option<HeaderValue> {
    let v = v?.trim();
    if v.is_empty() {
        return None;
    }
    // A stored validator that is not a valid header value (control characters) is
    // dropped: the request goes out unconditional rather than failing.
    HeaderValue::from_str(v).ok()
}

/// `Retry-After` as a wait: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(raw).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

fn status_error(url: &Url, response: &reqwest::Response) -> FetchError {
    let status = response.status();
    FetchError::HttpStatus {
        url: url.to_string(),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or_default().to_owned(),
        retry_after: retry_after(response.headers()),
    }
}

/// Reads the body, decompressed, into memory, stopping at `limit` bytes: an error when
/// `truncate` is false (pages, feeds), a silent cut when it is true (robots.txt). The
/// limit is checked on every decoded chunk, so a decompression bomb costs at most
/// `limit` bytes plus one chunk before it is dropped.
async fn read_body(
    url: &Url,
    response: &mut reqwest::Response,
    limit: u64,
    truncate: bool,
) -> Result<Bytes> {
    let too_large = || FetchError::TooLarge {
        url: url.to_string(),
        limit,
    };
    // Only a plain body has a trustworthy length; with decompression the client drops it.
    let declared = response.content_length();
    if !truncate && declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let capacity = declared.unwrap_or(16 * 1024).min(limit).min(1024 * 1024);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                return Err(if e.is_timeout() {
                    FetchError::Timeout {
                        url: url.to_string(),
                        detail: "while reading the body".into(),
                    }
                } else {
                    FetchError::Body {
                        url: url.to_string(),
                        reason: error_chain(&e),
                    }
                })
            }
        };
        let room = usize::try_from(limit.saturating_sub(body.len() as u64)).unwrap_or(usize::MAX);
        if chunk.len() > room {
            if truncate {
                body.extend_from_slice(&chunk[..room]);
                break;
            }
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// An error and its causes in words, without the client's "error sending request for
/// url (...)" preamble (the URL is in our message already).
fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let f = FetcherBuilder::new()
            .retries(5, Duration::from_millis(100))
            .build()
            .unwrap();
        for _ in 0..50 {
            let b0 = f.backoff(0);
            assert!(b0 >= Duration::from_millis(50) && b0 <= Duration::from_millis(100));
            let b3 = f.backoff(3);
            assert!(b3 >= Duration::from_millis(400) && b3 <= Duration::from_millis(800));
            assert!(f.backoff(60) <= Duration::from_millis(f.config().retry_max_backoff_ms));
        }
    }

    #[test]
    fn permanent_url_follows_the_leading_permanent_run() {
        let u = |s: &str| Url::parse(s).unwrap();
        let mut r = FetchResponse {
            url: u("http://a.example/"),
            final_url: u("http://c.example/"),
            status: 200,
            outcome: FetchOutcome::NotModified,
            headers: ResponseHeaders::default(),
            redirects: vec![
                Redirect {
                    from: u("http://a.example/"),
                    to: u("http://b.example/"),
                    status: 301,
                },
                Redirect {
                    from: u("http://b.example/"),
                    to: u("http://c.example/"),
                    status: 302,
                },
            ],
            elapsed: Duration::ZERO,
        };
        assert_eq!(r.permanent_url(), Some(&u("http://b.example/")));
        assert!(r.permanent_redirect());
        r.redirects.reverse();
        r.redirects[0].status = 302;
        r.redirects[1].status = 308;
        assert_eq!(r.permanent_url(), None);
        assert!(r.permanent_redirect());
    }
}
