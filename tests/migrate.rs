//! `herald migrate` through the real binary: a whole portal (articles, stories,
//! comments, accounts, settings) moves to another store with its ids, verified by
//! counts and checksums, and a second run copies only what is new. Runs SQLite to
//! SQLite always, and SQLite to PostgreSQL when `HERALD_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{client, run, run_ok, write_jsonl, Server, TestDatabase};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

fn articles(prefix: &str, n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            json!({
                "id": format!("{prefix}{i}"),
                "source": format!("Paper {}", i % 3),
                "title": format!("Town meeting {prefix} {i} debates the new ferry"),
                "body": format!("Residents argued for hours about ferry {i}. The council will vote next week on the timetable and the fares."),
                "published": "2026-11-19T10:00:00Z",
            })
        })
        .collect()
}

/// An embedded portal with articles, an account, an approved comment and the
/// generated settings, as a running server leaves it.
fn portal(dir: &Path) -> String {
    let file = write_jsonl(dir, "a.jsonl", &articles("a", 40));
    let data = dir.join("data");
    run_ok(
        &data,
        &["import", "jsonl", "--quiet", file.to_str().unwrap()],
    );
    let mut child = common::herald(&data)
        .args(["user", "add", "editor"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "a long enough password").unwrap();
    assert!(child.wait().unwrap().success());
    let mut cmd = common::herald(&data);
    cmd.env("HERALD_COMMENTS__HOLD_FIRST_COMMENT", "false")
        .env("HERALD_COMMENTS__CLOSE_AFTER_DAYS", "0");
    let server = Server::start_with(cmd, &["--no-ingest"]);
    let reply = client()
        .post(format!("{}/api/v1/articles/3/comments", server.base))
        .header("content-type", "application/json")
        .body(r#"{"name":"Ferry Fan","email":"fan@example.com","comment":"Bring back the night ferry."}"#)
        .send()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 201);
    drop(server);
    format!("sqlite:{}", data.join("herald.db").display())
}

fn migrate(dir: &Path, from: &str, to: &str) -> String {
    run_ok(dir, &["migrate", "--quiet", "--from", from, "--to", to])
}

fn copied(report: &str, table: &str) -> u64 {
    let line = report
        .lines()
        .find(|l| l.starts_with(table) && l.ends_with("rows copied"))
        .unwrap_or_else(|| panic!("no line for {table}:\n{report}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn check_moved(dir: &Path, from: &str, to: &str) {
    let first = migrate(dir, from, to);
    assert!(
        first.contains("verified: every table is identical"),
        "{first}"
    );
    assert_eq!(copied(&first, "articles"), 40, "{first}");
    assert_eq!(copied(&first, "comments"), 1, "{first}");
    assert_eq!(copied(&first, "users"), 1, "{first}");

    // A second run has nothing to do; new articles at the source are copied alone.
    let again = migrate(dir, from, to);
    assert_eq!(copied(&again, "articles"), 0, "{again}");
    assert!(again.contains("verified"), "{again}");

    // The moved portal serves the same article at the same address, comment included.
    let data = dir.join("moved");
    let mut cmd = common::herald(&data);
    cmd.arg("--store").arg(to);
    let server = Server::start_with(cmd, &["--no-ingest"]);
    let page = server.get("/article/3").text().unwrap();
    assert!(page.contains("Town meeting a 2 debates"), "{page}");
    assert!(page.contains("Bring back the night ferry."), "{page}");
    let search = server.get("/search?q=ferry").text().unwrap();
    assert!(search.contains("Town meeting"), "{search}");
}

#[test]
fn a_portal_moves_between_embedded_stores_with_its_ids_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let from = portal(tmp.path());
    let to = format!("sqlite:{}", tmp.path().join("copy.db").display());
    check_moved(tmp.path(), &from, &to);

    let verify = run_ok(
        tmp.path(),
        &["migrate", "--verify-only", "--from", &from, "--to", &to],
    );
    assert!(verify.contains("verified"), "{verify}");
    // A target that differs is reported, table by table, with a failing exit.
    let more = write_jsonl(tmp.path(), "b.jsonl", &articles("b", 5));
    run_ok(
        &tmp.path().join("data"),
        &["import", "jsonl", "--quiet", more.to_str().unwrap()],
    );
    let out = run(
        tmp.path(),
        &["migrate", "--verify-only", "--from", &from, "--to", &to],
    );
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("articles") && stdout.contains("DIFFERENT"),
        "{stdout}"
    );
    let resumed = migrate(tmp.path(), &from, &to);
    assert_eq!(copied(&resumed, "articles"), 5, "{resumed}");
}

#[test]
fn a_portal_moves_from_sqlite_to_postgresql() {
    let Some(db) = TestDatabase::create("migrate") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let from = portal(tmp.path());
    check_moved(tmp.path(), &from, &db.url);
}
