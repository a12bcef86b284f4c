//! Helpers for driving the real `herald` binary.
#![allow(dead_code)] // each test binary uses a different part of these helpers

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A `herald` command with a clean environment: no HERALD_* settings leak in from
/// the developer's shell, and logs stay quiet.
pub fn herald(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
    for (key, _) in std::env::vars() {
        if key.starts_with("HERALD_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HERALD_LOG", "warn")
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

/// Runs herald to completion and returns its output, failing the test with stderr
/// when it exits non-zero.
pub fn run_ok(data_dir: &Path, args: &[&str]) -> String {
    let out = run(data_dir, args);
    assert!(
        out.status.success(),
        "herald {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    herald(data_dir).args(args).output().expect("herald runs")
}

/// Writes JSONL lines to a file in `dir`.
pub fn write_jsonl(dir: &Path, name: &str, lines: &[serde_json::Value]) -> PathBuf {
    let path = dir.join(name);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// A running `herald serve` on an ephemeral loopback port; killed on drop.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data_dir: &Path, extra: &[&str]) -> Server {
        Server::start_with(herald(data_dir), extra)
    }

    /// Starts `serve` from a prepared command (extra environment, say).
    pub fn start_with(mut command: Command, extra: &[&str]) -> Server {
        let mut child = command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("herald serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let base = loop {
            assert!(Instant::now() < deadline, "server did not start");
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("Herald is serving on ") {
                        break url.trim().to_string();
                    }
                }
                _ => panic!("server exited before listening"),
            }
        };
        Server { child, base }
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        client()
            .get(format!("{}{path}", self.base))
            .send()
            .expect("request")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that shows responses as sent: no redirects followed and no transparent
/// decompression (other crates in the workspace turn reqwest's decoders on).
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The shared development data (`../shared/data` next to the checkout, or
/// `HERALD_SHARED_DATA`), or `None` with a message so that the caller can skip.
pub fn shared_data(sub: &str) -> Option<PathBuf> {
    let base = std::env::var_os("HERALD_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let path = base.join(sub);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent (shared development data)",
            path.display()
        );
        None
    }
}

/// A PostgreSQL database of its own for one test, dropped on drop. `None` (with a
/// message) when `HERALD_TEST_POSTGRES_URL` is unset, so that the caller can skip.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl TestDatabase {
    pub fn create(tag: &str) -> Option<TestDatabase> {
        let Ok(admin_url) = std::env::var("HERALD_TEST_POSTGRES_URL") else {
            eprintln!("skipped: HERALD_TEST_POSTGRES_URL is unset (no PostgreSQL to test against)");
            return None;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("herald_{tag}_{}_{nanos}", std::process::id());
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
            .expect("connect to HERALD_TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        // Swap the database name (the URL's path) for the new one.
        let mut parsed = url::Url::parse(&admin_url).expect("a postgres:// URL");
        parsed.set_path(&format!("/{name}"));
        Some(TestDatabase {
            admin_url,
            name,
            url: parsed.to_string(),
        })
    }

    /// A client on the test database, for assertions and for breaking connections.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }

    /// Ends every other connection to the test database, as a PostgreSQL restart
    /// would; returns how many it ended.
    pub fn terminate_connections(&self) -> i64 {
        let mut admin =
            postgres::Client::connect(&self.admin_url, postgres::NoTls).expect("connect");
        let row = admin
            .query_one(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&self.name],
            )
            .expect("terminate connections");
        row.get(0)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A browser-like client: keeps cookies by hand, never follows redirects.
pub struct Browser {
    client: reqwest::blocking::Client,
    /// Where requests go; a test may point the same browser at another node.
    pub base: String,
    pub cookies: std::collections::HashMap<String, String>,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            client: client(),
            base: base.to_string(),
            cookies: std::collections::HashMap::new(),
        }
    }

    fn keep(&mut self, r: &reqwest::blocking::Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn get(&mut self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .unwrap();
        self.keep(&r);
        (r.status().as_u16(), r.text().unwrap())
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .unwrap();
        self.keep(&r);
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status().as_u16(), location, r.text().unwrap())
    }
}

/// The CSRF token of the first form on a page.
pub fn token(html: &str) -> String {
    let at = html.find("name=\"token\" value=\"").expect("a token field") + 20;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}
