//! End-to-end tests of the real `herald` binary: real store, real index, real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{client, run, run_ok, write_jsonl, Server};
use serde_json::json;
use std::io::Read;
use std::time::Duration;

fn fixture() -> Vec<serde_json::Value> {
    vec![
        json!({"id": "t1", "url": "https://example.test/news/budget?utm_source=x", "title": "Council passes the harbour budget",
               "body": "The council voted late on Tuesday.\n\nThe zanzibarite quarry will close next spring.",
               "published": "2026-11-20T10:00:00Z", "source": "Test Ledger", "section": "news", "author": "Ana Reporter",
               "summary": "A long session ends in a vote."}),
        json!({"id": "t2", "title": "A quiet film about lighthouses", "body": "<p>The <em>keeper</em> waits.</p><script>alert(1)</script>",
               "published": "2026-11-21T10:00:00Z", "source": "Screen Test", "section": "movies"}),
        json!({"id": "t3", "title": "Album of the week", "body": "Brass and strings.", "section": "music"}),
    ]
}

fn article_id(data_dir: &std::path::Path, query: &str) -> i64 {
    let out = run_ok(data_dir, &["search", "--json", query]);
    let first = out
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no hit for {query}"));
    serde_json::from_str::<serde_json::Value>(first).unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn portal_serves_pages_search_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_jsonl(dir.path(), "a.jsonl", &fixture());
    run_ok(dir.path(), &["import", "jsonl", file.to_str().unwrap()]);
    let id = article_id(dir.path(), "zanzibarite");
    let server = Server::start(dir.path(), &[]);

    let front = server.get("/");
    assert_eq!(front.status(), 200);
    assert_eq!(front.headers()["content-type"], "text/html; charset=utf-8");
    assert!(front.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let html = front.text().unwrap();
    assert!(html.contains("Council passes the harbour budget"), "{html}");
    assert!(html.contains("A quiet film about lighthouses"));
    assert!(
        html.contains("href=\"/section/books\""),
        "navigation lists every section"
    );

    let section = server.get("/section/movies").text().unwrap();
    assert!(section.contains("A quiet film about lighthouses"));
    assert!(
        !section.contains("harbour budget"),
        "other sections stay out"
    );

    let article = server.get(&format!("/article/{id}"));
    assert_eq!(article.status(), 200);
    let html = article.text().unwrap();
    assert!(html.contains("<h1 class=\"headline\">Council passes the harbour budget</h1>"));
    assert!(html.contains("Ana Reporter") && html.contains("Test Ledger"));
    assert!(html.contains("<p>The zanzibarite quarry will close next spring.</p>"));
    assert!(
        html.contains("href=\"https://example.test/news/budget\""),
        "link to the canonical original"
    );

    let film = article_id(dir.path(), "lighthouses");
    let html = server.get(&format!("/article/{film}")).text().unwrap();
    assert!(
        html.contains("<em>keeper</em>") && !html.contains("alert(1)"),
        "HTML bodies are sanitised"
    );

    let search = server.get("/search?q=zanzibarite");
    assert_eq!(search.status(), 200);
    let html = search.text().unwrap();
    assert!(
        html.contains(&format!("/article/{id}")),
        "search finds the article by a body word"
    );
    assert!(
        html.contains("<b>zanzibarite</b>"),
        "snippet highlights the match"
    );
    let html = server.get("/search?q=%22unbalanced+((").text().unwrap();
    assert!(
        html.contains("No articles match"),
        "malformed queries still render a page"
    );

    for missing in [
        "/nope",
        "/article/999999",
        "/article/abc",
        "/section/nosuch",
        "/static/other.css",
    ] {
        let response = server.get(missing);
        assert_eq!(response.status(), 404, "{missing}");
        assert!(response.text().unwrap().contains("Page not found"));
    }

    let css_path = html
        .split("href=\"/static/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|p| format!("/static/{p}"))
        .unwrap();
    let css = server.get(&css_path);
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    let gz = client()
        .get(format!("{}/", server.base))
        .header("accept-encoding", "gzip")
        .send()
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut decoded)
        .unwrap();
    assert!(decoded.contains("harbour budget"));
}

#[test]
fn server_indexes_articles_imported_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let front = server.get("/").text().unwrap();
    assert!(front.contains("Sample content"), "demo content is labelled");
    assert!(
        front.matches("class=\"card\"").count() >= 20,
        "demo fills the front page"
    );
    let file = write_jsonl(
        dir.path(),
        "late.jsonl",
        &[json!({"title": "Late arrival", "body": "A quixotically named ferry docked."})],
    );
    let out = run_ok(dir.path(), &["import", "jsonl", file.to_str().unwrap()]);
    assert!(out.contains("running Herald server is indexing"), "{out}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let html = server.get("/search?q=quixotically").text().unwrap();
        if html.contains("Late arrival") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "server never indexed the import"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn import_reports_bad_lines_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut text: String = fixture().iter().map(|l| format!("{l}\n")).collect();
    text.push_str("{this is not json\n\n");
    text.push_str("{\"title\": \"\", \"body\": \"\"}\n");
    text.push_str(&format!(
        "{}\n",
        json!({"title": "After the bad lines", "body": "Still imported."})
    ));
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, &text).unwrap();
    let path = file.to_str().unwrap();

    let out = run_ok(dir.path(), &["import", "jsonl", path]);
    assert!(
        out.contains("4 new, 0 updated, 0 unchanged, 2 skipped"),
        "{out}"
    );
    assert!(out.contains("line 4: invalid JSON"), "{out}");
    assert!(out.contains("line 6: no title and no body"), "{out}");

    let out = run_ok(dir.path(), &["import", "jsonl", path]);
    assert!(
        out.contains("0 new, 0 updated, 4 unchanged, 2 skipped"),
        "{out}"
    );

    // An edit of one article is an update, not a second copy.
    let edited = text.replace("Brass and strings.", "Brass, strings and a choir.");
    std::fs::write(&file, edited).unwrap();
    let out = run_ok(dir.path(), &["import", "jsonl", path]);
    assert!(out.contains("0 new, 1 updated, 3 unchanged"), "{out}");
    assert!(run_ok(dir.path(), &["check"]).contains("store: 4 articles"));
    assert!(run_ok(dir.path(), &["search", "choir"]).contains("Album of the week"));
}

#[test]
fn import_reads_gzip_and_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz_path = dir.path().join("a.jsonl.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz_path).unwrap(), Default::default());
    for line in fixture() {
        writeln!(encoder, "{line}").unwrap();
    }
    encoder.finish().unwrap();
    let out = run_ok(dir.path(), &["import", "jsonl", gz_path.to_str().unwrap()]);
    assert!(out.contains("3 new"), "{out}");

    let mut child = common::herald(dir.path())
        .args(["import", "jsonl", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            format!(
                "{}\n",
                json!({"title": "From a pipe", "body": "Piped text."})
            )
            .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 new"));

    let missing = run(dir.path(), &["import", "jsonl", "/no/such/file.jsonl"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/file.jsonl"));
}

#[test]
fn killed_import_leaves_store_and_index_in_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let total = 20_000;
    let lines: Vec<_> = (0..total)
        .map(|i| {
            json!({"id": format!("k{i}"), "title": format!("Report number {i}"),
                   "body": format!("Unique token tok{i} appears here. {}", "Filler words about the city council. ".repeat(6))})
        })
        .collect();
    let file = write_jsonl(dir.path(), "big.jsonl", &lines);
    let path = file.to_str().unwrap();
    let mut interrupted = 0;
    for delay_ms in [300, 900, 1_800] {
        let mut child = common::herald(dir.path())
            .args(["import", "jsonl", path])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        // A restart catches up; `check` fails unless every stored article is in the
        // index exactly once and the index holds nothing else.
        let out = run_ok(dir.path(), &["check"]);
        assert!(out.contains("ok: every stored article"), "{out}");
    }
    assert!(
        interrupted > 0,
        "no import was actually interrupted; make the input bigger"
    );

    let out = run_ok(dir.path(), &["import", "jsonl", path]);
    assert!(out.contains("0 skipped"), "{out}");
    let out = run_ok(dir.path(), &["check"]);
    assert!(out.contains(&format!("store: {total} articles")), "{out}");
    assert!(out.contains(&format!("index: {total} documents")), "{out}");
    let hit = run_ok(dir.path(), &["search", "tok12345"]);
    assert!(hit.contains("Report number 12345"), "{hit}");
}

#[test]
fn cli_explains_itself_and_prints_config() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        &["--help"][..],
        &["serve", "--help"],
        &["import", "jsonl", "--help"],
        &["search", "--help"],
        &["reindex", "--help"],
    ] {
        let out = run(dir.path(), sub);
        assert!(out.status.success(), "{sub:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).len() > 100,
            "{sub:?} has help text"
        );
    }
    let defaults = run_ok(dir.path(), &["config", "--print-defaults"]);
    let parsed: toml::Table = toml::from_str(&defaults).unwrap();
    assert_eq!(parsed["web"]["bind"].as_str(), Some("127.0.0.1:8080"));
    let config_file = dir.path().join("herald.toml");
    std::fs::write(&config_file, "[web]\nbnid = 1\n").unwrap();
    let bad = run(
        dir.path(),
        &[
            "--config",
            config_file.to_str().unwrap(),
            "config",
            "--print",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bnid"));
    let out = common::herald(dir.path())
        .env("HERALD_SITE__NAME", "Chicago News & Search")
        .args(["config", "--print"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Chicago News & Search"));
}

#[test]
fn reindex_rebuilds_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_jsonl(dir.path(), "a.jsonl", &fixture());
    run_ok(dir.path(), &["import", "jsonl", file.to_str().unwrap()]);
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let out = run_ok(dir.path(), &["reindex"]);
    assert!(out.contains("Reindexed 3 articles"), "{out}");
    assert!(run_ok(dir.path(), &["search", "zanzibarite"]).contains("harbour budget"));
}

#[test]
fn imports_the_news_corpus_in_full() {
    let Some(corpus) = common::shared_data("news-corpus") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // One Reuters record has neither title nor body: it is reported, not imported.
    for (file, lines, new) in [
        ("reuters21578.jsonl.gz", 21_578, 21_577),
        ("bbc-news.jsonl.gz", 2_225, 2_225),
        ("agnews-test.jsonl.gz", 7_600, 7_600),
    ] {
        let path = corpus.join(file);
        let out = run_ok(
            dir.path(),
            &["import", "jsonl", "--quiet", path.to_str().unwrap()],
        );
        let skipped = lines - new;
        let expected =
            format!("{lines} lines, {new} new, 0 updated, 0 unchanged, {skipped} skipped");
        assert!(out.contains(&expected), "{file}: {out}");
    }
    let out = run_ok(dir.path(), &["check"]);
    assert!(
        out.contains("store: 31402 articles") && out.contains("index: 31402 documents"),
        "{out}"
    );
    let out = run_ok(dir.path(), &["search", "cocoa", "bahia"]);
    assert!(out.contains("BAHIA COCOA REVIEW"), "{out}");
}

#[test]
fn extract_prints_the_article_and_reports_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    let body = "The harbour council met on Tuesday to vote on the new ferry timetable. ".repeat(8);
    std::fs::write(
        &page,
        format!(
            "<html lang=en><head><title>Ferry vote | Test Ledger</title></head><body>\
             <nav><a href=/>News</a> - <a href=/m>Movies</a> - <a href=/s>Search</a></nav>\
             <article><h1>Ferry vote</h1><p>{body}</p><p>{body}</p></article>\
             <div id=respond><h3>Leave a Reply</h3><form><textarea></textarea></form></div></body></html>"
        ),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "extract",
            "--format",
            "jsonl",
            page.to_str().unwrap(),
            "/no/such.html",
        ],
    );
    assert!(out.status.success(), "one good page is enough");
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such.html"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["path"], page.to_str().unwrap());
    let text = line["text"].as_str().unwrap();
    assert!(text.contains("ferry timetable"), "{text}");
    assert!(
        !text.contains("Leave a Reply") && !text.contains("Movies"),
        "{text}"
    );
    for key in ["title", "published", "authors", "lang", "image", "html"] {
        assert!(line.get(key).is_some(), "{key} missing");
    }
}

#[test]
fn odd_query_parameters_still_render_pages() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_jsonl(dir.path(), "a.jsonl", &fixture());
    run_ok(dir.path(), &["import", "jsonl", file.to_str().unwrap()]);
    let server = Server::start(dir.path(), &[]);
    for path in [
        "/search?q=a&q=b",
        "/section/news?page=1&page=2",
        "/section/news?page=abc",
        "/search?q=%FF%FE",
    ] {
        let response = server.get(path);
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.text().unwrap().contains("<html"), "{path}");
    }
}
