//! Several `herald serve` nodes over one PostgreSQL database, as real processes:
//! an import through one node is searchable on the other within two seconds, a node
//! killed mid-import loses nothing, and dropped database connections heal by
//! themselves. Skips without `HERALD_TEST_POSTGRES_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{client, run, run_ok, token, write_jsonl, Browser, Server, TestDatabase};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `herald` on `data_dir` with its store in the test database.
fn node(data_dir: &Path, db: &TestDatabase) -> Command {
    let mut cmd = common::herald(data_dir);
    cmd.arg("--store").arg(&db.url);
    cmd
}

fn start(data_dir: &Path, db: &TestDatabase) -> Server {
    Server::start_with(node(data_dir, db), &["--no-ingest"])
}

fn articles(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "id": format!("{prefix}-{i}"),
                "source": format!("Source {}", i % 7),
                "title": format!("Harbour report {prefix} number {i}"),
                "body": format!("The harbour authority published report {i} on tides, cargo and the quay{prefix}{i} works. Shipping lines noted the change."),
                "published": "2026-11-20T08:00:00Z",
            })
        })
        .collect()
}

fn search_total(server: &Server, query: &str) -> Option<u64> {
    let response = client()
        .get(format!("{}/api/v1/search", server.base))
        .query(&[("q", query)])
        .send()
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let body: Value = serde_json::from_str(&response.text().ok()?).ok()?;
    body["total"].as_u64()
}

/// How long after `since` a search for `query` on `server` first found one article.
fn found_after(server: &Server, query: &str, since: Instant) -> Option<Duration> {
    while since.elapsed() < Duration::from_secs(10) {
        if search_total(server, query) == Some(1) {
            return Some(since.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn readiness(server: &Server) -> Option<Value> {
    let text = client()
        .get(format!("{}/readyz", server.base))
        .send()
        .ok()?
        .text()
        .ok()?;
    serde_json::from_str(&text).ok()
}

/// Waits until the node's index has applied the whole change log.
fn wait_caught_up(server: &Server, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        if let Some(r) = readiness(server) {
            if r["ready"] == true && r["index_lag"] == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "node never caught up: {r}");
        }
        assert!(Instant::now() < deadline, "node never answered /readyz");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stored_articles(db: &TestDatabase) -> (i64, i64) {
    let row = db
        .client()
        .query_one(
            "SELECT COUNT(*), COUNT(DISTINCT identity) FROM articles",
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn an_import_through_one_node_is_searchable_on_the_other_within_two_seconds() {
    let Some(db) = TestDatabase::create("two_nodes") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = start(&dir_a, &db);
    let b = start(&dir_b, &db);
    assert_eq!(search_total(&b, "quokka"), Some(0));

    let file = write_jsonl(
        tmp.path(),
        "one.jsonl",
        &[
            json!({"id": "q1", "source": "Island Times", "title": "Quokka census finds a record population", "body": "Rangers counted quokkas across the island this spring and found more than ever before.", "published": "2026-11-21T07:00:00Z"}),
        ],
    );
    let out = node(&dir_a, &db)
        .args(["import", "jsonl", "--quiet", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = Instant::now();
    for (name, server) in [("B", &b), ("A", &a)] {
        let seen = found_after(server, "quokka", imported)
            .unwrap_or_else(|| panic!("node {name} never found the article"));
        assert!(
            seen < Duration::from_secs(2),
            "node {name} found it after {seen:?}"
        );
        eprintln!("node {name} found the imported article {seen:?} after the import ended");
    }

    // Metrics and readiness describe the node.
    let metrics = b.get("/metrics").text().unwrap();
    assert!(metrics.contains("herald_index_lag_changes 0"), "{metrics}");
    assert!(
        metrics.contains("herald_http_request_duration_seconds_bucket{route=\"/api/v1/search\""),
        "{metrics}"
    );
    assert_eq!(b.get("/healthz").status().as_u16(), 200);
}

#[test]
fn a_node_killed_mid_import_loses_nothing_and_every_index_agrees_with_the_store() {
    let Some(db) = TestDatabase::create("kill") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = start(&dir_a, &db);
    let b = start(&dir_b, &db);
    const N: usize = 4_000;
    let file = write_jsonl(tmp.path(), "big.jsonl", &articles("k", N));

    let mut import = node(&dir_a, &db)
        .env("HERALD_IMPORT__BATCH_SIZE", "200")
        .args(["import", "jsonl", "--quiet", file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while stored_articles(&db).0 == 0 {
        assert!(
            Instant::now() < deadline,
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Node A and its import die without any chance to clean up.
    import.kill().unwrap();
    drop(a);
    let _ = import.wait();
    let (partial, _) = stored_articles(&db);
    assert!(partial < N as i64, "the import finished before the kill");

    // Running the import again completes the work, and a restarted node A catches up.
    run_ok(
        &dir_b,
        &[
            "--store",
            &db.url,
            "import",
            "jsonl",
            "--quiet",
            file.to_str().unwrap(),
        ],
    );
    let a = start(&dir_a, &db);
    assert_eq!(
        stored_articles(&db),
        (N as i64, N as i64),
        "every item exactly once"
    );
    wait_caught_up(&a, Duration::from_secs(60));
    wait_caught_up(&b, Duration::from_secs(60));
    assert_eq!(search_total(&a, "harbour"), search_total(&b, "harbour"));
    drop((a, b));
    for dir in [&dir_a, &dir_b] {
        let out = run(dir, &["--store", &db.url, "check"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !stdout.contains("Applied"),
            "the node had not caught up: {stdout}"
        );
    }
}

#[test]
fn dropped_database_connections_fail_requests_cleanly_then_heal() {
    let Some(db) = TestDatabase::create("terminate") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a");
    let first = write_jsonl(tmp.path(), "first.jsonl", &articles("t", 300));
    run_ok(
        &dir,
        &[
            "--store",
            &db.url,
            "import",
            "jsonl",
            "--quiet",
            first.to_str().unwrap(),
        ],
    );
    let server = start(&dir, &db);
    wait_caught_up(&server, Duration::from_secs(30));

    let base = server.base.clone();
    let load = std::thread::spawn(move || {
        let client = client();
        let mut statuses = Vec::new();
        for i in 0..150 {
            let path = if i % 2 == 0 {
                "/"
            } else {
                "/api/v1/articles?limit=5"
            };
            let status = client
                .get(format!("{base}{path}"))
                .send()
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            statuses.push(status);
            std::thread::sleep(Duration::from_millis(10));
        }
        statuses
    });
    let mut terminated = 0;
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(300));
        terminated += db.terminate_connections();
    }
    let statuses = load.join().unwrap();
    assert!(terminated > 0, "no connection was terminated");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "requests must succeed or fail cleanly: {statuses:?}"
    );

    // Afterwards everything works again without restarting the node.
    let healed = Instant::now();
    let mut streak = 0;
    while streak < 20 {
        assert!(
            healed.elapsed() < Duration::from_secs(15),
            "the node did not recover"
        );
        streak = if server.get("/").status().as_u16() == 200 {
            streak + 1
        } else {
            0
        };
    }
    // New writes reach the store and the node's index follows.
    let second = write_jsonl(tmp.path(), "second.jsonl", &articles("u", 300));
    run_ok(
        &dir,
        &[
            "--store",
            &db.url,
            "import",
            "jsonl",
            "--quiet",
            second.to_str().unwrap(),
        ],
    );
    assert_eq!(stored_articles(&db), (600, 600));
    wait_caught_up(&server, Duration::from_secs(30));
    assert_eq!(search_total(&server, "quayu17"), Some(1));
}

/// Feeds on loopback that count how often each is fetched.
fn start_feeds(n: usize) -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counted = hits.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
                let counted = counted.clone();
                async move {
                    let path = req.uri().path().to_string();
                    let Some(k) = path
                        .strip_prefix("/feed/")
                        .and_then(|p| p.strip_suffix(".xml"))
                        .and_then(|k| k.parse::<usize>().ok())
                        .filter(|k| *k < n)
                    else {
                        return axum::http::Response::builder()
                            .status(404)
                            .body(axum::body::Body::empty())
                            .unwrap();
                    };
                    *counted.lock().unwrap().entry(path).or_default() += 1;
                    let items: String = (0..2)
                        .map(|i| format!(
                            "<item><guid>f{k}-{i}</guid><title>Lighthouse keeper {k} logs storm {i}</title>\
                             <pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA[{}]]></description></item>",
                            "<p>The keeper wrote down the wind, the waves and every ship that passed the point during the night. </p>".repeat(8)
                        ))
                        .collect();
                    let rss = format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Coast {k}</title><link>http://example.invalid/{k}</link>{items}</channel></rss>");
                    axum::http::Response::builder()
                        .header("content-type", "application/rss+xml")
                        .body(axum::body::Body::from(rss))
                        .unwrap()
                }
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    (format!("http://{}", rx.recv().unwrap()), hits)
}

fn ingesting_node(data_dir: &Path, db: &TestDatabase) -> Command {
    let mut cmd = node(data_dir, db);
    cmd.env("HERALD_FETCH__ALLOW_PRIVATE_HOSTS", "[\"127.0.0.1\"]")
        .env("HERALD_FETCH__PER_HOST_MIN_INTERVAL_MS", "0")
        .env("HERALD_INGEST__TICK_SECS", "1")
        .env("HERALD_INGEST__CONCURRENCY", "2");
    cmd
}

#[test]
fn two_nodes_share_the_feeds_and_fetch_each_once() {
    let Some(db) = TestDatabase::create("shared_ingest") else {
        return;
    };
    const FEEDS: usize = 12;
    let (base, hits) = start_feeds(FEEDS);
    let tmp = tempfile::tempdir().unwrap();
    let outlines: String = (0..FEEDS)
        .map(|k| {
            format!("<outline text=\"Coast {k}\" type=\"rss\" xmlUrl=\"{base}/feed/{k}.xml\"/>")
        })
        .collect();
    let opml = tmp.path().join("feeds.opml");
    std::fs::write(
        &opml,
        format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>Coast</title></head><body>{outlines}</body></opml>"),
    )
    .unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_ok(
        &dir_a,
        &[
            "--store",
            &db.url,
            "source",
            "import-opml",
            opml.to_str().unwrap(),
        ],
    );

    let a = Server::start_with(ingesting_node(&dir_a, &db), &[]);
    let b = Server::start_with(ingesting_node(&dir_b, &db), &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while stored_articles(&db).0 < (FEEDS * 2) as i64 {
        assert!(Instant::now() < deadline, "the feeds were not all fetched");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Give a second fetch every chance to happen, then count.
    std::thread::sleep(Duration::from_secs(3));
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), FEEDS, "{hits:?}");
    assert!(
        hits.values().all(|n| *n == 1),
        "a feed was fetched twice: {hits:?}"
    );
    assert_eq!(
        stored_articles(&db),
        ((FEEDS * 2) as i64, (FEEDS * 2) as i64)
    );

    let fetched_by = |server: &Server| -> u64 {
        server
            .get("/metrics")
            .text()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("herald_ingest_fetches_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    };
    let (by_a, by_b) = (fetched_by(&a), fetched_by(&b));
    assert_eq!(by_a + by_b, FEEDS as u64, "a={by_a} b={by_b}");
    eprintln!("node A fetched {by_a} feeds, node B {by_b}");
}

fn commenting_node(data_dir: &Path, db: &TestDatabase) -> Server {
    let mut cmd = node(data_dir, db);
    cmd.env("HERALD_COMMENTS__MIN_FILL_SECONDS", "0")
        .env("HERALD_COMMENTS__CLOSE_AFTER_DAYS", "0")
        .env("HERALD_COMMENTS__HOLD_FIRST_COMMENT", "false");
    Server::start_with(cmd, &["--no-ingest"])
}

#[test]
fn a_sign_in_and_a_comment_form_from_one_node_work_on_the_other() {
    let Some(db) = TestDatabase::create("sessions") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let file = write_jsonl(tmp.path(), "one.jsonl", &articles("s", 1));
    run_ok(
        &dir_a,
        &[
            "--store",
            &db.url,
            "import",
            "jsonl",
            "--quiet",
            file.to_str().unwrap(),
        ],
    );
    let mut add = node(&dir_a, &db)
        .args(["user", "add", "editor"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(add.stdin.take().unwrap(), "a long enough password").unwrap();
    assert!(add.wait().unwrap().success());
    let a = commenting_node(&dir_a, &db);
    let b = commenting_node(&dir_b, &db);

    // Signed in on A, the session is valid on B.
    let mut admin = Browser::new(&a.base);
    let (_, login) = admin.get("/admin/login");
    let (status, location, _) = admin.post(
        "/admin/login",
        &[
            ("token", &token(&login)),
            ("name", "editor"),
            ("password", "a long enough password"),
        ],
    );
    assert_eq!((status, location.as_str()), (303, "/admin/comments"));
    admin.base = b.base.clone();
    let (status, queue) = admin.get("/admin/comments");
    assert_eq!(status, 200, "{queue}");
    assert!(queue.contains("Sign out"), "{queue}");

    // A form served by A is accepted by B, and the comment shows on A.
    let mut reader = Browser::new(&a.base);
    let (_, page) = reader.get("/article/1");
    reader.base = b.base.clone();
    let (status, location, body) = reader.post(
        "/article/1/comments",
        &[
            ("token", &token(&page)),
            ("name", "Harbour Watcher"),
            ("email", "watcher@example.com"),
            ("comment", "The quay works are finally moving."),
        ],
    );
    assert_eq!(status, 303, "{body}");
    assert!(location.contains("comment=published"), "{location}");
    let (_, page) = Browser::new(&a.base).get("/article/1");
    assert!(
        page.contains("The quay works are finally moving."),
        "{page}"
    );
}
