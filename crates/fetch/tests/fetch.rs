//! The fetcher against a real HTTP server on loopback: every response the web throws at a
//! news crawler (conditional GET, errors, retries, redirects, slow and hostile bodies,
//! robots.txt) and the address guard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Router;
use herald_fetch::{FetchError, FetchOutcome, FetchRequest, FetcherBuilder, Url};

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Sat, 07 Sep 2002 00:00:01 GMT";

/// What the test server answers for /robots.txt.
#[derive(Clone, Copy)]
enum Robots {
    Body(&'static str),
    Status(u16),
}

struct ServerState {
    robots: Robots,
    /// Arrival times of requests, by path.
    hits: Mutex<HashMap<String, Vec<Instant>>>,
    /// Request headers of the last request, by path.
    last_headers: Mutex<HashMap<String, HeaderMap>>,
    port: OnceLock<u16>,
}

struct Server {
    base: Url,
    state: Arc<ServerState>,
}

impl Server {
    async fn start(robots: Robots) -> Server {
        let state = Arc::new(ServerState {
            robots,
            hits: Mutex::new(HashMap::new()),
            last_headers: Mutex::new(HashMap::new()),
            port: OnceLock::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        state.port.set(port).unwrap();
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server {
            base: Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap(),
            state,
        }
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).unwrap()
    }

    fn hits(&self, path: &str) -> Vec<Instant> {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    fn header(&self, path: &str, name: &str) -> Option<String> {
        self.state
            .last_headers
            .lock()
            .unwrap()
            .get(path)
            .and_then(|h| h.get(name))
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut b = Response::builder().status(status);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).unwrap()
}

fn redirect(status: u16, to: &str) -> Response {
    respond(status, &[("location", to)], Body::empty())
}

/// 64 MiB of zeros, gzipped to about 64 KiB.
fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        enc.finish().unwrap()
    })
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

async fn handle(State(s): State<Arc<ServerState>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let headers = req.headers().clone();
    let count = {
        let mut hits = s.hits.lock().unwrap();
        let v = hits.entry(path.clone()).or_default();
        v.push(Instant::now());
        v.len()
    };
    s.last_headers
        .lock()
        .unwrap()
        .insert(path.clone(), headers.clone());
    let port = *s.port.get().unwrap();
    match path.as_str() {
        "/robots.txt" => match s.robots {
            Robots::Body(text) => respond(200, &[("content-type", "text/plain")], text),
            Robots::Status(code) => respond(code, &[], "robots unavailable"),
        },
        "/ok" => respond(
            200,
            &[("content-type", "text/html; charset=utf-8")],
            "<p>ok</p>",
        ),
        "/feed" => {
            let etag_matches =
                headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(ETAG);
            let date_matches = headers
                .get("if-modified-since")
                .and_then(|v| v.to_str().ok())
                == Some(LAST_MODIFIED);
            let validators = [("etag", ETAG), ("last-modified", LAST_MODIFIED)];
            if etag_matches || (headers.get("if-none-match").is_none() && date_matches) {
                respond(304, &validators, Body::empty())
            } else {
                respond(
                    200,
                    &[
                        ("etag", ETAG),
                        ("last-modified", LAST_MODIFIED),
                        ("content-type", "application/rss+xml"),
                        ("content-location", "/feed.xml"),
                    ],
                    "<rss version=\"2.0\"><channel><title>t</title></channel></rss>",
                )
            }
        }
        "/gone" => respond(410, &[], "gone"),
        "/flaky-429" if count == 1 => respond(429, &[("retry-after", "1")], "slow down"),
        "/flaky-429" => respond(200, &[], "after 429"),
        "/flaky-500" if count == 1 => respond(500, &[], "oops"),
        "/flaky-500" => respond(200, &[], "after 500"),
        "/always-503" => respond(503, &[], "down"),
        "/long-429" => respond(429, &[("retry-after", "3600")], "come back in an hour"),
        "/r301" => redirect(301, "/r301b"),
        "/r301b" => redirect(308, "/ok"),
        "/r302" => redirect(302, "/ok"),
        "/mixed" => redirect(301, "/r302"),
        "/loop-a" => redirect(302, "/loop-b"),
        "/loop-b" => redirect(302, "/loop-a#again"),
        "/no-location" => respond(302, &[], Body::empty()),
        p if p.starts_with("/chain/") => {
            let n: u32 = p["/chain/".len()..].parse().unwrap();
            if n == 0 {
                respond(200, &[], "end of chain")
            } else {
                redirect(302, &format!("/chain/{}", n - 1))
            }
        }
        "/to-metadata" => redirect(302, "http://169.254.169.254/latest/meta-data/"),
        "/to-ten" => redirect(301, "http://10.0.0.1/"),
        "/to-v6-loopback" => redirect(302, &format!("http://[::1]:{port}/ok")),
        "/to-localhost" => redirect(302, &format!("http://localhost:{port}/ok")),
        "/to-private" => redirect(302, "/private/page"),
        "/to-file" => redirect(302, "file:///etc/passwd"),
        "/hold" => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            respond(200, &[], "held")
        }
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            respond(200, &[], "too late")
        }
        "/bomb" => respond(
            200,
            &[("content-encoding", "gzip"), ("content-type", "text/html")],
            gzip_bomb().to_vec(),
        ),
        "/gzip" => respond(
            200,
            &[("content-encoding", "gzip"), ("content-type", "text/html")],
            gzip("<p>compressed page</p>".repeat(100).as_bytes()),
        ),
        "/corrupt-gzip" => respond(
            200,
            &[("content-encoding", "gzip")],
            b"\x1f\x8b\x08\x00not really gzip at all".to_vec(),
        ),
        "/big" => respond(
            200,
            &[("content-type", "text/html")],
            vec![b'a'; 2 * 1024 * 1024],
        ),
        "/feed-as-html" => respond(
            200,
            &[("content-type", "text/html")],
            "<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>",
        ),
        "/latin1" => respond(
            200,
            &[("content-type", "text/html; charset=iso-8859-1")],
            b"<p>caf\xe9 cr\xe8me br\xfbl\xe9e \x80</p>".to_vec(),
        ),
        "/private/page" => respond(200, &[], "secret"),
        _ => respond(404, &[], "not found"),
    }
}

/// A fetcher that may reach the loopback test server, with short waits.
fn builder() -> FetcherBuilder {
    FetcherBuilder::new()
        .allow_private_host("127.0.0.1")
        .per_host_min_interval(Duration::ZERO)
        .retries(2, Duration::from_millis(20))
        .total_timeout(Duration::from_secs(5))
        .max_body_bytes(1024 * 1024)
}

async fn get(
    fetcher: &herald_fetch::Fetcher,
    url: Url,
) -> Result<herald_fetch::FetchResponse, FetchError> {
    fetcher.fetch(&FetchRequest::new(url)).await
}

#[tokio::test]
async fn conditional_get_returns_not_modified() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder()
        .user_agent("HeraldTest/1.0 (+tests)")
        .build()
        .unwrap();
    let first = get(&f, srv.url("/feed")).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(first.headers.etag.as_deref(), Some(ETAG));
    assert_eq!(first.headers.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(
        first.headers.content_type.as_deref(),
        Some("application/rss+xml")
    );
    assert_eq!(first.headers.content_location.as_deref(), Some("/feed.xml"));
    assert!(first.body().unwrap().starts_with(b"<rss"));
    assert!(first.redirects.is_empty() && !first.permanent_redirect());
    assert_eq!(
        srv.header("/feed", "user-agent").as_deref(),
        Some("HeraldTest/1.0 (+tests)")
    );

    let again = f
        .fetch(&FetchRequest {
            url: srv.url("/feed"),
            etag: first.headers.etag.clone(),
            last_modified: first.headers.last_modified.clone(),
        })
        .await
        .unwrap();
    assert_eq!(again.status, 304);
    assert_eq!(again.outcome, FetchOutcome::NotModified);
    assert!(again.is_not_modified() && again.body().is_none());
    assert_eq!(srv.header("/feed", "if-none-match").as_deref(), Some(ETAG));
    assert_eq!(
        srv.header("/feed", "if-modified-since").as_deref(),
        Some(LAST_MODIFIED)
    );

    let by_date = f
        .fetch(&FetchRequest {
            url: srv.url("/feed"),
            etag: None,
            last_modified: Some(LAST_MODIFIED.into()),
        })
        .await
        .unwrap();
    assert!(by_date.is_not_modified());

    // A stored validator that is not a valid header value is dropped, not fatal.
    let odd = f
        .fetch(&FetchRequest {
            url: srv.url("/feed"),
            etag: Some("bad\nvalue".into()),
            last_modified: None,
        })
        .await
        .unwrap();
    assert_eq!(odd.status, 200);
}

#[tokio::test]
async fn client_errors_are_reported_without_retrying() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    let err = get(&f, srv.url("/missing")).await.unwrap_err();
    match &err {
        FetchError::HttpStatus { status, url, .. } => {
            assert_eq!(*status, 404);
            assert_eq!(url, srv.url("/missing").as_str());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("{}: HTTP 404 Not Found", srv.url("/missing"))
    );
    assert!(!err.is_transient());
    assert_eq!(srv.hits("/missing").len(), 1, "404 must not be retried");

    let err = get(&f, srv.url("/gone")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::HttpStatus { status: 410, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("HTTP 410 Gone"));
    assert_eq!(srv.hits("/gone").len(), 1);
}

#[tokio::test]
async fn retries_429_honouring_retry_after() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    let t0 = Instant::now();
    let resp = get(&f, srv.url("/flaky-429")).await.unwrap();
    assert_eq!(resp.body().unwrap().as_ref(), b"after 429");
    let hits = srv.hits("/flaky-429");
    assert_eq!(hits.len(), 2);
    // Retry-After: 1 wins over the 20 ms backoff.
    assert!(
        hits[1] - hits[0] >= Duration::from_millis(950),
        "{:?}",
        hits[1] - hits[0]
    );
    assert!(t0.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn retries_5xx_with_backoff_then_gives_up() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    let resp = get(&f, srv.url("/flaky-500")).await.unwrap();
    assert_eq!(resp.body().unwrap().as_ref(), b"after 500");
    assert_eq!(srv.hits("/flaky-500").len(), 2);

    let err = get(&f, srv.url("/always-503")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::HttpStatus { status: 503, .. }),
        "{err}"
    );
    assert!(err.is_transient());
    assert_eq!(
        srv.hits("/always-503").len(),
        3,
        "first attempt plus two retries"
    );
}

#[tokio::test]
async fn long_retry_after_is_returned_not_waited() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    let t0 = Instant::now();
    let err = get(&f, srv.url("/long-429")).await.unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(err.to_string().contains("retry after 3600 s"), "{err}");
    assert_eq!(srv.hits("/long-429").len(), 1);
}

#[tokio::test]
async fn follows_redirects_and_records_permanent_moves() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();

    let resp = get(&f, srv.url("/r301")).await.unwrap();
    assert_eq!(resp.final_url, srv.url("/ok"));
    assert_eq!(resp.url, srv.url("/r301"));
    assert_eq!(resp.redirects.len(), 2);
    assert_eq!(resp.redirects[0].status, 301);
    assert_eq!(resp.redirects[1].status, 308);
    assert!(resp.permanent_redirect());
    assert_eq!(resp.permanent_url(), Some(&srv.url("/ok")));

    let resp = get(&f, srv.url("/r302")).await.unwrap();
    assert_eq!(resp.final_url, srv.url("/ok"));
    assert!(!resp.permanent_redirect());
    assert_eq!(resp.permanent_url(), None);

    // 301 then 302: the source moves to the end of the permanent part only.
    let resp = get(&f, srv.url("/mixed")).await.unwrap();
    assert_eq!(resp.final_url, srv.url("/ok"));
    assert!(resp.permanent_redirect());
    assert_eq!(resp.permanent_url(), Some(&srv.url("/r302")));

    let resp = get(&f, srv.url("/chain/5")).await.unwrap();
    assert_eq!(resp.redirects.len(), 5);
}

#[tokio::test]
async fn redirect_loops_and_long_chains_fail_clearly() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    let err = get(&f, srv.url("/loop-a")).await.unwrap_err();
    assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
    assert!(err.to_string().contains("redirect loop"), "{err}");

    let err = get(&f, srv.url("/chain/6")).await.unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { limit: 5, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("{}: too many redirects (more than 5)", srv.url("/chain/6"))
    );

    let err = get(&f, srv.url("/no-location")).await.unwrap_err();
    assert!(matches!(err, FetchError::BadRedirect { .. }), "{err}");

    let err = get(&f, srv.url("/to-file")).await.unwrap_err();
    assert!(
        matches!(err.root(), FetchError::UnsupportedScheme { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn slow_response_times_out() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder()
        .total_timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let t0 = Instant::now();
    let err = get(&f, srv.url("/slow")).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn gzip_bomb_is_cut_off_at_the_decoded_limit() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    assert!(
        gzip_bomb().len() < 1024 * 1024,
        "the bomb itself is under the limit"
    );
    let err = get(&f, srv.url("/bomb")).await.unwrap_err();
    match &err {
        FetchError::TooLarge { limit, .. } => assert_eq!(*limit, 1024 * 1024),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("after decompression"), "{err}");

    // An honest compressed page is decoded transparently.
    let resp = get(&f, srv.url("/gzip")).await.unwrap();
    assert_eq!(
        resp.body().unwrap().as_ref(),
        "<p>compressed page</p>".repeat(100).as_bytes()
    );
    assert!(srv
        .header("/gzip", "accept-encoding")
        .is_some_and(|v| v.contains("gzip") && v.contains("br") && v.contains("deflate")));

    let err = get(&f, srv.url("/corrupt-gzip")).await.unwrap_err();
    assert!(matches!(err, FetchError::Body { .. }), "{err}");
}

#[tokio::test]
async fn oversized_plain_body_is_refused() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    let err = get(&f, srv.url("/big")).await.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    let f = builder().max_body_bytes(4 * 1024 * 1024).build().unwrap();
    assert_eq!(
        get(&f, srv.url("/big"))
            .await
            .unwrap()
            .body()
            .unwrap()
            .len(),
        2 * 1024 * 1024
    );
}

#[tokio::test]
async fn bodies_are_returned_untouched() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    // A feed served as text/html: the fetcher reports the header and leaves sniffing to
    // the parsers.
    let resp = get(&f, srv.url("/feed-as-html")).await.unwrap();
    assert_eq!(resp.headers.content_type.as_deref(), Some("text/html"));
    assert!(resp.body().unwrap().starts_with(b"<?xml"));
    // Latin-1 bytes (not UTF-8) come back byte for byte.
    let resp = get(&f, srv.url("/latin1")).await.unwrap();
    assert_eq!(
        resp.body().unwrap().as_ref(),
        b"<p>caf\xe9 cr\xe8me br\xfbl\xe9e \x80</p>"
    );
    assert_eq!(
        resp.headers.content_type.as_deref(),
        Some("text/html; charset=iso-8859-1")
    );
}

#[tokio::test]
async fn robots_disallow_is_honoured_and_cached() {
    let srv = Server::start(Robots::Body(
        "User-agent: *\nDisallow: /\n\nUser-agent: herald\nDisallow: /private/\nAllow: /\n",
    ))
    .await;
    let f = builder().build().unwrap();
    let err = get(&f, srv.url("/private/page")).await.unwrap_err();
    assert!(matches!(err, FetchError::RobotsDisallowed { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: disallowed by robots.txt for user agent Herald",
            srv.url("/private/page")
        )
    );
    assert!(
        srv.hits("/private/page").is_empty(),
        "a disallowed page is never requested"
    );
    get(&f, srv.url("/ok")).await.unwrap();
    get(&f, srv.url("/feed")).await.unwrap();
    assert_eq!(
        srv.hits("/robots.txt").len(),
        1,
        "robots.txt is fetched once per host"
    );

    // Another agent name falls under the `*` group.
    let other = builder().user_agent("OtherBot/1.0").build().unwrap();
    let err = get(&other, srv.url("/ok")).await.unwrap_err();
    assert!(matches!(err, FetchError::RobotsDisallowed { .. }), "{err}");

    // A redirect into a disallowed path is refused at that hop.
    let err = get(&f, srv.url("/to-private")).await.unwrap_err();
    assert!(
        matches!(err.root(), FetchError::RobotsDisallowed { .. }),
        "{err}"
    );
    assert!(
        matches!(err, FetchError::Redirected { hops: 1, .. }),
        "{err}"
    );
    assert!(srv.hits("/private/page").is_empty());
}

#[tokio::test]
async fn robots_server_error_disallows_and_client_error_allows() {
    let down = Server::start(Robots::Status(503)).await;
    let f = builder().build().unwrap();
    let err = get(&f, down.url("/ok")).await.unwrap_err();
    assert!(matches!(err, FetchError::RobotsUnavailable { .. }), "{err}");
    assert!(err.is_transient());
    assert!(down.hits("/ok").is_empty());

    let missing = Server::start(Robots::Status(404)).await;
    get(&f, missing.url("/ok")).await.unwrap();
    assert_eq!(missing.hits("/robots.txt").len(), 1);
}

#[tokio::test]
async fn crawl_delay_spaces_requests() {
    let srv = Server::start(Robots::Body("User-agent: *\nCrawl-delay: 1\n")).await;
    let f = builder().build().unwrap();
    get(&f, srv.url("/ok")).await.unwrap();
    get(&f, srv.url("/ok")).await.unwrap();
    let hits = srv.hits("/ok");
    assert_eq!(hits.len(), 2);
    assert!(
        hits[1] - hits[0] >= Duration::from_millis(980),
        "{:?}",
        hits[1] - hits[0]
    );
}

#[tokio::test]
async fn per_host_min_interval_is_kept_even_when_concurrent() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder()
        .per_host_min_interval(Duration::from_millis(300))
        .build()
        .unwrap();
    get(&f, srv.url("/ok")).await.unwrap();
    get(&f, srv.url("/ok")).await.unwrap();
    let (a, b, c) = tokio::join!(
        get(&f, srv.url("/feed")),
        get(&f, srv.url("/feed")),
        get(&f, srv.url("/feed"))
    );
    a.unwrap();
    b.unwrap();
    c.unwrap();
    let mut all: Vec<Instant> = ["/robots.txt", "/ok", "/feed"]
        .iter()
        .flat_map(|p| srv.hits(p))
        .collect();
    all.sort();
    assert_eq!(all.len(), 6);
    for pair in all.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(290),
            "requests only {gap:?} apart"
        );
    }
}

#[tokio::test]
async fn guard_refuses_internal_addresses_by_default() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = FetcherBuilder::new()
        .retries(0, Duration::from_millis(10))
        .total_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let port = srv.base.port().unwrap();
    for (url, kind) in [
        (format!("http://127.0.0.1:{port}/ok"), "loopback"),
        (format!("http://[::1]:{port}/ok"), "loopback"),
        ("http://10.1.2.3/".to_owned(), "private"),
        (
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "cloud metadata",
        ),
        ("http://[fd00:ec2::254]/".to_owned(), "cloud metadata"),
        ("http://[::ffff:127.0.0.1]/".to_owned(), "loopback"),
        ("http://2130706433/".to_owned(), "loopback"),
        (
            "http://100.64.1.1/".to_owned(),
            "carrier-grade NAT (100.64.0.0/10)",
        ),
        // A name is vetted on the addresses it resolves to.
        (format!("http://localhost:{port}/ok"), "loopback"),
    ] {
        let err = get(&f, Url::parse(&url).unwrap()).await.unwrap_err();
        match &err {
            FetchError::BlockedAddress { kind: k, .. } => assert_eq!(*k, kind, "{url}"),
            other => panic!("{url}: unexpected {other:?}"),
        }
        assert!(err.to_string().contains("allow_private_hosts"), "{err}");
    }
    assert!(srv.hits("/ok").is_empty() && srv.hits("/robots.txt").is_empty());

    let err = get(&f, Url::parse("ftp://example.com/feed").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedScheme { .. }), "{err}");
    let err = get(&f, Url::parse("file:///etc/passwd").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedScheme { .. }), "{err}");
}

#[tokio::test]
async fn guard_checks_every_redirect_hop() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder().build().unwrap();
    for (path, kind) in [
        ("/to-metadata", "cloud metadata"),
        ("/to-ten", "private"),
        ("/to-v6-loopback", "loopback"),
    ] {
        let err = get(&f, srv.url(path)).await.unwrap_err();
        match err.root() {
            FetchError::BlockedAddress { kind: k, .. } => assert_eq!(*k, kind, "{path}"),
            other => panic!("{path}: unexpected {other:?}"),
        }
        // The message names both the source and the refused hop.
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("{}: after 1 redirect(s): http://", srv.url(path))),
            "{text}"
        );
        assert_eq!(err.code(), "blocked_address");
    }
    // The allowlisted host's own pages still work, and the allowlist is by address: a
    // name resolving to the allowlisted 127.0.0.1 passes too.
    get(&f, srv.url("/ok")).await.unwrap();
    let resp = get(&f, srv.url("/to-localhost")).await;
    if let Err(e) = &resp {
        // Where localhost resolves only to ::1, which is not allowlisted.
        assert!(matches!(e, FetchError::BlockedAddress { .. }), "{e}");
    }
}

#[tokio::test]
async fn allowlisted_host_name_is_let_through() {
    let srv = Server::start(Robots::Status(404)).await;
    let f = FetcherBuilder::new()
        .allow_private_host("localhost")
        .per_host_min_interval(Duration::ZERO)
        .build()
        .unwrap();
    let port = srv.base.port().unwrap();
    let resp = get(
        &f,
        Url::parse(&format!("http://localhost:{port}/ok")).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(resp.body().unwrap().as_ref(), b"<p>ok</p>");
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop to find a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = builder().build().unwrap();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/ok")).unwrap();
    let err = get(&f, url).await.unwrap_err();
    // robots.txt is the first request to fail, so the host counts as unavailable.
    assert!(matches!(err, FetchError::RobotsUnavailable { .. }), "{err}");
    assert!(err.to_string().contains("connection failed"), "{err}");
}

#[test]
fn config_reads_toml_with_defaults_and_rejects_unknown_keys() {
    let c: herald_fetch::FetchConfig =
        toml::from_str("max_redirects = 3\nallow_private_hosts = [\"10.0.0.0/8\"]\n").unwrap();
    assert_eq!(c.max_redirects, 3);
    assert_eq!(c.max_body_bytes, 10 * 1024 * 1024);
    assert_eq!(c.per_host_concurrency, 2);
    assert!(toml::from_str::<herald_fetch::FetchConfig>("max_redirect = 3").is_err());
    // The defaults round-trip through TOML, so config.example.toml can be generated.
    let defaults = herald_fetch::FetchConfig::default();
    let text = toml::to_string(&defaults).unwrap();
    assert_eq!(
        toml::from_str::<herald_fetch::FetchConfig>(&text).unwrap(),
        defaults
    );
    assert_eq!(
        toml::from_str::<herald_fetch::FetchConfig>("").unwrap(),
        defaults
    );
    let json = serde_json::to_value(herald_fetch::FetchConfig::default()).unwrap();
    assert_eq!(json["retries"], 3);
    assert!(FetcherBuilder::new()
        .allow_private_host("10.0.0.0/33")
        .build()
        .is_err());
    let err = FetcherBuilder::new().max_body_bytes(0).build().unwrap_err();
    assert_eq!(err.code(), "config");
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
}

/// A raw TCP server that drops its first `drop_first` connections without a word, then
/// answers every request with a small 200.
async fn flaky_tcp_server(drop_first: usize) -> (Url, Arc<Mutex<usize>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let n = {
                let mut c = counter.lock().unwrap();
                *c += 1;
                *c
            };
            if n <= drop_first {
                drop(sock);
                continue;
            }
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = sock
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .await;
            });
        }
    });
    (
        Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap(),
        connections,
    )
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let (base, connections) = flaky_tcp_server(2).await;
    let f = builder().build().unwrap();
    let resp = get(&f, base.join("/page").unwrap()).await.unwrap();
    assert_eq!(resp.body().unwrap().as_ref(), b"ok");
    // Two dropped robots.txt attempts, the third answered, then the page.
    assert_eq!(*connections.lock().unwrap(), 4);
}

#[tokio::test]
async fn tls_failure_is_named() {
    // Speaking TLS to a plain-HTTP server fails the handshake.
    let srv = Server::start(Robots::Status(404)).await;
    let f = builder()
        .retries(0, Duration::from_millis(10))
        .build()
        .unwrap();
    let port = srv.base.port().unwrap();
    let err = get(
        &f,
        Url::parse(&format!("https://127.0.0.1:{port}/ok")).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("TLS error"), "{err}");
    assert!(err.is_transient());
}

#[test]
fn fetcher_and_its_future_can_cross_threads() {
    // The scheduler spawns fetches on a multi-threaded runtime and shares one fetcher.
    fn is_send_sync<T: Send + Sync + Clone>(_: &T) {}
    fn is_send<T: Send>(_: &T) {}
    let f = builder().build().unwrap();
    is_send_sync(&f);
    let req = FetchRequest::new(Url::parse("http://127.0.0.1:9/").unwrap());
    let fut = f.fetch(&req);
    is_send(&fut);
    drop(fut);
}

#[tokio::test]
async fn per_host_concurrency_limits_requests_in_flight() {
    let srv = Server::start(Robots::Status(404)).await;
    let one = builder()
        .config(herald_fetch::FetchConfig {
            per_host_concurrency: 1,
            per_host_min_interval_ms: 0,
            allow_private_hosts: vec!["127.0.0.1".into()],
            ..Default::default()
        })
        .build()
        .unwrap();
    let (a, b) = tokio::join!(get(&one, srv.url("/hold")), get(&one, srv.url("/hold")));
    a.unwrap();
    b.unwrap();
    let hits = srv.hits("/hold");
    assert!(
        hits[1] - hits[0] >= Duration::from_millis(280),
        "{:?}",
        hits[1] - hits[0]
    );

    // With two slots both are in flight at once.
    let srv = Server::start(Robots::Status(404)).await;
    let two = builder().build().unwrap();
    assert_eq!(two.config().per_host_concurrency, 2);
    let (a, b) = tokio::join!(get(&two, srv.url("/hold")), get(&two, srv.url("/hold")));
    a.unwrap();
    b.unwrap();
    let hits = srv.hits("/hold");
    assert!(
        hits[1] - hits[0] < Duration::from_millis(200),
        "{:?}",
        hits[1] - hits[0]
    );
}

/// A raw TCP server: robots.txt is a 404, every other path gets headers and a few body
/// bytes, then silence.
async fn stalling_body_server() -> Url {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                if buf.starts_with(b"GET /robots.txt ") {
                    let _ = sock
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial")
                    .await;
                tokio::time::sleep(Duration::from_secs(10)).await;
            });
        }
    });
    Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap()
}

#[tokio::test]
async fn stalled_body_hits_the_read_timeout() {
    let base = stalling_body_server().await;
    let f = FetcherBuilder::new()
        .config(herald_fetch::FetchConfig {
            read_timeout_ms: 300,
            per_host_min_interval_ms: 0,
            allow_private_hosts: vec!["127.0.0.1".into()],
            ..Default::default()
        })
        .build()
        .unwrap();
    let t0 = Instant::now();
    let err = get(&f, base.join("/page").unwrap()).await.unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
}
