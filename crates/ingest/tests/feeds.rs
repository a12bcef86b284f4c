//! Feed polling against a real HTTP server on loopback and a real SQLite store: what
//! the scheduler meets on the web (304s, gone feeds, errors, redirects, teasers that need
//! the article page, legacy charsets, robots.txt, pages that are not feeds).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Router;
use chrono::Utc;
use herald_fetch::FetcherBuilder;
use herald_ingest::jsonl::ImportContext;
use herald_ingest::scheduler::poll_due_once;
use herald_ingest::{IngestConfig, Poller};
use herald_store::{FeedRow, NewFeed, Store};
use herald_store_sqlite::SqliteStore;
use herald_types::default_sections;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Hits(Arc<Mutex<HashMap<String, usize>>>);

impl Hits {
    fn count(&self, path: &str) -> usize {
        self.0.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

const LONG_PARAGRAPH: &str = "The council met on Tuesday evening to debate the new budget for the river district, and members argued for hours about the cost of repairing the old stone bridge that carries most of the town's traffic across the water.";

fn rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Riverton Ledger</title><link>{base}/</link>"
    );
    for (i, (guid, title, body)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>{base}/story/{guid}</link>\
             <pubDate>Tue, 24 Nov 2026 {:02}:00:00 GMT</pubDate><description><![CDATA[{body}]]></description></item>",
            10 + i
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn full_body(n: usize) -> String {
    (0..n).map(|_| format!("<p>{LONG_PARAGRAPH}</p>")).collect()
}

fn article_page(title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>{title} | Riverton Ledger</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\
         <article><h1>{title}</h1><p class=\"byline\">By Ada Reporter</p>{}</article>\
         <aside>Subscribe to our newsletter!</aside><footer>© Riverton Ledger</footer></body></html>",
        full_body(6)
    )
}

async fn handler(State((hits, base)): State<(Hits, String)>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    *hits.0.lock().unwrap().entry(path.clone()).or_default() += 1;
    let headers: &HeaderMap = req.headers();
    let xml = |body: String| {
        Response::builder()
            .header("content-type", "application/rss+xml; charset=utf-8")
            .header("etag", "\"v1\"")
            .body(Body::from(body))
            .unwrap()
    };
    let status = |code: StatusCode| {
        Response::builder()
            .status(code)
            .body(Body::empty())
            .unwrap()
    };
    match path.as_str() {
        "/robots.txt" => Response::new(Body::from("User-agent: *\nDisallow: /private/\n")),
        "/full.xml" => {
            if headers.get("if-none-match").is_some_and(|v| v == "\"v1\"") {
                return status(StatusCode::NOT_MODIFIED);
            }
            xml(rss(
                &base,
                &[
                    ("a1", "Bridge repairs approved", &full_body(4)),
                    ("a2", "Library opens late", &full_body(3)),
                ],
            ))
        }
        "/teasers.xml" => xml(rss(
            &base,
            &[
                ("t1", "Council debates budget", "<p>Short teaser.</p>"),
                ("t2", "Parade route changes", "<p>Another teaser.</p>"),
            ],
        )),
        p if p.starts_with("/story/") => Response::builder()
            .header("content-type", "text/html; charset=utf-8")
            .body(Body::from(article_page(&p[7..])))
            .unwrap(),
        "/gone.xml" => status(StatusCode::GONE),
        "/error.xml" => status(StatusCode::INTERNAL_SERVER_ERROR),
        "/moved.xml" => Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header("location", "/full.xml")
            .body(Body::empty())
            .unwrap(),
        "/loop.xml" => Response::builder()
            .status(StatusCode::FOUND)
            .header("location", "/loop.xml")
            .body(Body::empty())
            .unwrap(),
        "/slow.xml" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            xml(rss(&base, &[]))
        }
        "/latin1.xml" => {
            let mut body = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9 News</title><item><guid>l1</guid><title>Cr\xe8me br\xfbl\xe9e wins</title><description>".to_vec();
            body.extend_from_slice(html_escape(&full_body(3)).as_bytes());
            body.extend_from_slice(b"</description></item></channel></rss>");
            Response::builder()
                .header("content-type", "text/xml")
                .body(Body::from(body))
                .unwrap()
        }
        "/page.html" => Response::builder()
            .header("content-type", "text/html")
            .body(Body::from("<html><body><p>Just a page.</p></body></html>"))
            .unwrap(),
        "/private/feed.xml" => xml(rss(&base, &[("p1", "Secret", &full_body(3))])),
        _ => status(StatusCode::NOT_FOUND),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct World {
    base: String,
    hits: Hits,
    store: Arc<dyn Store>,
    poller: Poller,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Hits::default();
    let app = Router::new()
        .fallback(handler)
        .with_state((hits.clone(), base.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("herald.db")).unwrap();
    store.sync_sections(&default_sections()).await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let fetcher = FetcherBuilder::new()
        .allow_private_host("127.0.0.1")
        .per_host_min_interval(Duration::ZERO)
        .retries(0, Duration::from_millis(10))
        .total_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let ctx = ImportContext {
        sections: default_sections().into_iter().map(|s| s.slug).collect(),
        default_section: Some("news".into()),
        default_source: None,
    };
    let poller = Poller::new(fetcher, store.clone(), IngestConfig::default(), ctx);
    World {
        base,
        hits,
        store,
        poller,
        _dir: dir,
    }
}

impl World {
    async fn add(&self, path: &str) -> FeedRow {
        self.store
            .add_feed(NewFeed {
                url: format!("{}{path}", self.base),
                source_name: format!("Source {path}"),
                site_url: None,
                title: None,
                section: None,
                next_fetch_at: Utc::now(),
                interval_secs: 1_800,
            })
            .await
            .unwrap()
    }

    async fn reload(&self, feed: &FeedRow) -> FeedRow {
        self.store.feed(feed.id).await.unwrap().unwrap()
    }

    async fn newest(&self) -> herald_store::ArticleView {
        let page = self
            .store
            .latest_articles(herald_store::ListQuery {
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        self.store.article(page.items[0].id).await.unwrap().unwrap()
    }
}

#[tokio::test]
async fn full_items_are_stored_once_and_a_304_changes_nothing() {
    let w = world().await;
    let feed = w.add("/full.xml").await;
    let report = w.poller.poll(&feed).await.unwrap();
    assert_eq!(
        (report.status, report.inserted, report.error.clone()),
        (200, 2, None)
    );
    assert_eq!(report.pages_fetched, 0, "full items need no page fetch");
    assert_eq!(w.store.count_articles().await.unwrap(), 2);

    let feed = w.reload(&feed).await;
    assert_eq!(feed.etag.as_deref(), Some("\"v1\""));
    assert_eq!(feed.items_total, 2);
    assert_eq!(feed.title.as_deref(), Some("Riverton Ledger"));
    assert!(feed.next_fetch_at > Utc::now());
    let report = w.poller.poll(&feed).await.unwrap();
    assert_eq!((report.status, report.inserted), (304, 0));
    let after = w.reload(&feed).await;
    assert!(
        after.interval_secs > feed.interval_secs,
        "nothing new: slower"
    );
    assert_eq!(after.last_error, None);
    assert_eq!(w.store.count_articles().await.unwrap(), 2);
}

#[tokio::test]
async fn teasers_get_the_full_text_from_the_page_once() {
    let w = world().await;
    let feed = w.add("/teasers.xml").await;
    let report = w.poller.poll(&feed).await.unwrap();
    assert_eq!(report.inserted, 2, "{report:?}");
    assert_eq!(report.pages_fetched, 2, "{report:?}");
    let article = w.newest().await;
    assert!(
        article.body_text.contains("old stone bridge"),
        "{}",
        article.body_text
    );
    assert!(
        !article.body_text.contains("newsletter"),
        "boilerplate kept: {}",
        article.body_text
    );
    assert!(!article.body_text.contains("Home"), "navigation kept");
    assert_eq!(article.source.as_ref().unwrap().name, "Source /teasers.xml");
    assert!(article.title == "Council debates budget" || article.title == "Parade route changes");
    assert_eq!(w.hits.count("/story/t1"), 1);

    // Seen teasers are not fetched again, and their full text is not overwritten.
    let report = w.poller.poll(&w.reload(&feed).await).await.unwrap();
    assert_eq!(
        (report.inserted, report.updated, report.pages_fetched),
        (0, 0, 0)
    );
    assert_eq!(w.hits.count("/story/t1"), 1);
    let again = w.store.article(article.id).await.unwrap().unwrap();
    assert!(again.body_text.contains("old stone bridge"));
}

#[tokio::test]
async fn failures_are_recorded_in_words_and_back_off() {
    let w = world().await;
    let gone = w.add("/gone.xml").await;
    let report = w.poller.poll(&gone).await.unwrap();
    assert!(report.gone);
    let gone = w.reload(&gone).await;
    assert!(gone.paused, "a 410 feed is paused");
    assert_eq!(gone.last_status, Some(410));

    let broken = w.add("/error.xml").await;
    w.poller.poll(&broken).await.unwrap();
    let once = w.reload(&broken).await;
    assert_eq!(once.consecutive_failures, 1);
    assert!(
        once.last_error.as_deref().unwrap().contains("HTTP 500"),
        "{:?}",
        once.last_error
    );
    w.poller.poll(&once).await.unwrap();
    let twice = w.reload(&broken).await;
    assert_eq!(twice.consecutive_failures, 2);
    assert!(twice.interval_secs > once.interval_secs, "backs off");

    let page = w.add("/page.html").await;
    w.poller.poll(&page).await.unwrap();
    let page = w.reload(&page).await;
    assert!(
        page.last_error.as_deref().unwrap().contains("not a feed"),
        "{:?}",
        page.last_error
    );

    let looped = w.add("/loop.xml").await;
    w.poller.poll(&looped).await.unwrap();
    assert!(w
        .reload(&looped)
        .await
        .last_error
        .unwrap()
        .contains("redirect"));

    let private = w.add("/private/feed.xml").await;
    w.poller.poll(&private).await.unwrap();
    assert!(w
        .reload(&private)
        .await
        .last_error
        .unwrap()
        .contains("robots.txt"));
    assert_eq!(w.hits.count("/private/feed.xml"), 0);
    assert_eq!(w.store.count_articles().await.unwrap(), 0);
}

#[tokio::test]
async fn a_permanent_redirect_moves_the_subscription() {
    let w = world().await;
    let feed = w.add("/moved.xml").await;
    let report = w.poller.poll(&feed).await.unwrap();
    assert_eq!(report.inserted, 2, "{report:?}");
    assert_eq!(w.reload(&feed).await.url, format!("{}/full.xml", w.base));
}

#[tokio::test]
async fn legacy_charsets_are_decoded() {
    let w = world().await;
    let feed = w.add("/latin1.xml").await;
    let report = w.poller.poll(&feed).await.unwrap();
    assert_eq!(report.inserted, 1, "{report:?}");
    assert_eq!(w.newest().await.title, "Crème brûlée wins");
    assert_eq!(w.reload(&feed).await.title.as_deref(), Some("Café News"));
}

#[tokio::test]
async fn one_slow_or_failing_feed_does_not_hold_up_the_others() {
    let w = world().await;
    for path in [
        "/slow.xml",
        "/error.xml",
        "/full.xml",
        "/latin1.xml",
        "/gone.xml",
    ] {
        w.add(path).await;
    }
    let started = std::time::Instant::now();
    let results = poll_due_once(&w.poller).await.unwrap();
    assert_eq!(results.len(), 5, "each due feed polled exactly once");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let by_path = |p: &str| {
        results
            .iter()
            .find(|(f, _)| f.url.ends_with(p))
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    assert_eq!(by_path("/full.xml").inserted, 2);
    assert_eq!(by_path("/latin1.xml").inserted, 1);
    assert!(by_path("/slow.xml").error.unwrap().contains("timed out"));
    // Nothing is due any more: a second pass polls nothing.
    assert!(poll_due_once(&w.poller).await.unwrap().is_empty());
}

#[tokio::test]
async fn leases_keep_two_pollers_off_one_feed() {
    let w = world().await;
    w.add("/full.xml").await;
    let now = Utc::now();
    let later = now + chrono::Duration::seconds(600);
    let first = w.store.claim_due_feeds(now, later, 10).await.unwrap();
    let second = w.store.claim_due_feeds(now, later, 10).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 0));
    // An expired lease (its holder died) frees the feed.
    let after_expiry = later + chrono::Duration::seconds(1);
    let third = w
        .store
        .claim_due_feeds(
            after_expiry,
            after_expiry + chrono::Duration::seconds(600),
            10,
        )
        .await
        .unwrap();
    assert_eq!(third.len(), 1);
}
