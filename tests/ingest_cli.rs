//! Feeds and archives through the real binary: `source add` with discovery, OPML in and
//! out, `ingest --once`, the scheduler inside `serve`, and `import warc`, against a real
//! HTTP server on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use common::{client, herald, Server};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const PARAGRAPH: &str = "The river district council voted on Tuesday to repair the old stone bridge, after engineers warned that the arches carrying most of the town's traffic were cracking under the weight of lorries.";

fn body(n: usize) -> String {
    (0..n).map(|_| format!("<p>{PARAGRAPH}</p>")).collect()
}

fn rss(title: &str, items: &[(&str, &str)]) -> String {
    let mut s = format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title><link>http://example.invalid/</link>");
    for (guid, headline) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>{headline}</title><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[{}]]></description></item>",
            body(4)
        ));
    }
    s.push_str("</channel></rss>");
    s
}

async fn site(req: Request) -> Response {
    let (ct, text) = match req.uri().path() {
        "/" => (
            "text/html",
            "<html><head><title>Ledger</title><link rel=\"alternate\" type=\"application/rss+xml\" title=\"Ledger\" href=\"/feed.xml\"></head><body>Home</body></html>".to_string(),
        ),
        "/feed.xml" => (
            "application/rss+xml",
            rss(
                "Riverton Ledger",
                &[
                    ("l1", "Bridge repairs approved"),
                    ("l2", "Quayside market reopens"),
                    ("l3", "Ferry timetable changes"),
                ],
            ),
        ),
        "/music.xml" => (
            "application/rss+xml",
            rss("Tin Pan Weekly", &[("m1", "Orchestra tours the valley")]),
        ),
        "/late.xml" => (
            "application/rss+xml",
            rss("Late Edition", &[("x1", "Zeppelin lands at the fairground")]),
        ),
        _ => {
            return Response::builder()
                .status(404)
                .body(Body::empty())
                .unwrap()
        }
    };
    Response::builder()
        .header("content-type", ct)
        .body(Body::from(text))
        .unwrap()
}

/// Serves the fixture site on a loopback port from a thread of its own.
fn start_site() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, Router::new().fallback(site))
                .await
                .unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// herald with the loopback server allowed and no politeness delay.
fn run(data: &Path, args: &[&str]) -> Output {
    herald(data)
        .env("HERALD_FETCH__ALLOW_PRIVATE_HOSTS", "[\"127.0.0.1\"]")
        .env("HERALD_FETCH__PER_HOST_MIN_INTERVAL_MS", "0")
        .env("HERALD_INGEST__TICK_SECS", "1")
        .args(args)
        .output()
        .unwrap()
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "herald {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sources_are_discovered_imported_fetched_and_exported() {
    let base = start_site();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    let added = ok(
        &data,
        &["source", "add", &format!("{base}/"), "--section", "news"],
    );
    assert!(added.contains(&format!("{base}/feed.xml")), "{added}");
    assert!(added.contains("Riverton Ledger"), "{added}");
    let again = run(&data, &["source", "add", &format!("{base}/feed.xml")]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already subscribed"));
    let refused = run(&data, &["source", "add", "file:///etc/passwd"]);
    assert!(!refused.status.success());

    let opml = tmp.path().join("subs.opml");
    std::fs::write(
        &opml,
        format!(
            "<opml version=\"2.0\"><body><outline text=\"Music\">\
             <outline text=\"Tin Pan\" xmlUrl=\"{base}/music.xml\"/>\
             <outline text=\"Dup\" xmlUrl=\"{base}/feed.xml\"/>\
             <outline text=\"Bad\" xmlUrl=\"ftp://nope/\"/></outline></body></opml>"
        ),
    )
    .unwrap();
    let imported = ok(&data, &["source", "import-opml", opml.to_str().unwrap()]);
    assert!(
        imported.contains("1 feeds added, 1 already subscribed, 1 skipped"),
        "{imported}"
    );
    let listed = ok(&data, &["source", "list"]);
    assert_eq!(listed.matches(" new ").count(), 2, "{listed}");

    let fetched = ok(&data, &["ingest", "--once"]);
    assert!(
        fetched.contains("2 feeds fetched: 4 new articles"),
        "{fetched}"
    );
    let listed = ok(&data, &["source", "list"]);
    assert_eq!(listed.matches(" ok ").count(), 2, "{listed}");
    assert!(listed.contains("music"), "{listed}");
    let found = ok(&data, &["search", "orchestra", "--json"]);
    assert!(found.contains("Orchestra tours the valley"), "{found}");
    // Every fetched article was placed in a story by the same command.
    let db = rusqlite::Connection::open(data.join("herald.db")).unwrap();
    let placed: (i64, i64) = db
        .query_row("SELECT COUNT(*), COUNT(story_id) FROM articles", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(placed, (4, 4));
    assert!(ok(&data, &["ingest", "--once"]).contains("No feed is due"));

    let exported = ok(&data, &["source", "export-opml"]);
    assert!(
        exported.contains(&format!("xmlUrl=\"{base}/music.xml\"")),
        "{exported}"
    );
    let news = exported.find("title=\"News\"").unwrap();
    let music = exported.find("title=\"Music\"").unwrap();
    let feed_pos = exported.find("feed.xml").unwrap();
    assert!(news < feed_pos && feed_pos < music, "{exported}");

    ok(&data, &["source", "pause", "1"]);
    assert!(ok(&data, &["source", "list"]).contains("paused"));
    ok(&data, &["source", "remove", &format!("{base}/music.xml")]);
    assert!(!ok(&data, &["source", "list"]).contains("music.xml"));
    let json = ok(&data, &["source", "list", "--json"]);
    assert_eq!(json.lines().count(), 1);
}

#[test]
fn the_server_fetches_due_feeds_by_itself() {
    let base = start_site();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(&data, &["source", "add", &format!("{base}/late.xml")]);
    let mut cmd = herald(&data);
    cmd.env("HERALD_FETCH__ALLOW_PRIVATE_HOSTS", "[\"127.0.0.1\"]")
        .env("HERALD_FETCH__PER_HOST_MIN_INTERVAL_MS", "0")
        .env("HERALD_INGEST__TICK_SECS", "1");
    let server = Server::start_with(cmd, &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = client()
            .get(format!("{}/search?q=zeppelin", server.base))
            .send()
            .unwrap()
            .text()
            .unwrap();
        if page.contains("Zeppelin lands at the fairground") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the feed was not fetched and indexed"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn warc_archives_become_articles_and_bad_records_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let path = tmp.path().join("crawl.warc.gz");
    let mut out = Vec::new();
    for (i, headline) in ["Lighthouse keeper retires", "Harbour seals counted"]
        .iter()
        .enumerate()
    {
        let page = format!(
            "<html><head><title>{headline}</title></head><body><nav>Home | News</nav><article><h1>{headline}</h1>{}</article><footer>Contact us</footer></body></html>",
            body(5)
        );
        herald_warc::write_response_record(
            &mut out,
            &format!("https://coast.example/story/{i}"),
            "2026-11-24T10:00:00Z",
            200,
            &[("Content-Type", "text/html; charset=utf-8")],
            page.as_bytes(),
            true,
        )
        .unwrap();
    }
    herald_warc::write_response_record(
        &mut out,
        "https://coast.example/logo.png",
        "2026-11-24T10:00:00Z",
        200,
        &[("Content-Type", "image/png")],
        b"\x89PNG....",
        true,
    )
    .unwrap();
    out.extend_from_slice(b"this is not a WARC record at all\r\n\r\n");
    std::fs::write(&path, out).unwrap();

    let report = ok(
        &data,
        &["import", "warc", "--quiet", path.to_str().unwrap()],
    );
    assert!(report.contains("3 records"), "{report}");
    assert!(report.contains("2 HTML pages, 2 new"), "{report}");
    assert!(report.contains("1 damaged records"), "{report}");
    assert!(report.contains("offset"), "{report}");
    let found = ok(&data, &["search", "lighthouse", "--json"]);
    assert!(found.contains("Lighthouse keeper retires"), "{found}");
    // Importing again changes nothing.
    let again = ok(
        &data,
        &["import", "warc", "--quiet", path.to_str().unwrap()],
    );
    assert!(again.contains("0 new, 0 updated, 2 unchanged"), "{again}");
}

#[test]
fn warc_samples_import_without_failing() {
    let Some(dir) = common::shared_data("warc-samples") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.contains(".warc") || name.contains(".arc")) {
            continue;
        }
        let out = ok(
            tmp.path(),
            &["import", "warc", "--quiet", path.to_str().unwrap()],
        );
        assert!(out.contains("records"), "{name}: {out}");
    }
}
