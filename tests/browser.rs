//! The portal in a real browser (Debian's chromium, driven over WebDriver by
//! chromedriver): the front page, a search, a comment posted through the form, held,
//! approved in the admin and then shown; script payloads that stay inert; a cross-site
//! form post refused. Screenshots are saved as test artefacts.
//!
//! Skips with a message when chromedriver is not installed (`.ci/run` installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{herald, Server};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const PASSWORD: &str = "correct horse battery";

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    fn start() -> Option<Driver> {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(driver) = driver else {
            eprintln!(
                "skipped: chromedriver is not installed (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1800"]
            }
        }}});
        let created: Value = serde_json::from_str(
            &http
                .post(format!("{base}/session"))
                .header("content-type", "application/json")
                .body(caps.to_string())
                .send()
                .unwrap()
                .text()
                .unwrap(),
        )
        .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Some(Driver {
            child,
            base,
            session,
            http,
        })
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self
                .http
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string()),
        };
        let value: Value = serde_json::from_str(&request.send().unwrap().text().unwrap()).unwrap();
        value["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), json!({}));
    }

    fn source(&self) -> String {
        self.call("GET", "/source", Value::Null)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn script(&self, js: &str) -> Value {
        self.call("POST", "/execute/sync", json!({"script": js, "args": []}))
    }

    /// An alert, if a script opened one (it must never happen).
    fn alert_text(&self) -> Option<String> {
        self.call("GET", "/alert/text", Value::Null)
            .as_str()
            .map(str::to_string)
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        use std::io::Read;
        let b64 = self.call("GET", "/screenshot", Value::Null);
        let b64 = b64.as_str().unwrap();
        let bytes = decode_base64(b64);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        let mut head = [0u8; 8];
        std::fs::File::open(&path)
            .unwrap()
            .read_exact(&mut head)
            .unwrap();
        assert_eq!(&head[1..4], b"PNG");
        path
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn wait_for(driver: &Driver, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let source = driver.source();
        if source.contains(needle) {
            return source;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} never appeared:\n{source}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_reader_comments_a_moderator_approves_and_scripts_stay_inert() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut add = herald(tmp.path())
        .args(["user", "add", "editor"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
    let mut cmd = herald(tmp.path());
    cmd.env("HERALD_COMMENTS__MIN_FILL_SECONDS", "0")
        .env("HERALD_COMMENTS__CLOSE_AFTER_DAYS", "0");
    let server = Server::start_with(cmd, &["--demo", "--no-ingest"]);
    let base = &server.base;

    // The front page with its sections.
    driver.go(&format!("{base}/"));
    let front = driver.source();
    for section in ["News", "Movies", "Music", "Books"] {
        assert!(
            front.contains(&format!(">{section}</a>")),
            "{section} missing"
        );
    }
    let shot = driver.screenshot("front");
    eprintln!("screenshot: {}", shot.display());

    // A search typed into the box.
    driver.type_into("#q", "festival");
    driver.click(".searchbox button");
    let results = wait_for(&driver, "class=\"snippet\"");
    assert!(results.contains("<b>"), "highlighted snippets expected");
    driver.screenshot("search");

    // A comment with script payloads, through the form.
    driver.go(&format!("{base}/article/1"));
    driver.type_into("#comment", "Lovely piece. <img src=x onerror=alert(1)> [click me](javascript:alert(2)) <script>alert(3)</script>");
    driver.type_into("#name", "Ann <b onmouseover=alert(4)>Reader</b>");
    driver.type_into("#email", "ann@example.com");
    driver.click(".comment-form button[type=submit]");
    wait_for(&driver, "awaiting moderation");

    // The moderator signs in and approves it.
    driver.go(&format!("{base}/admin/login"));
    driver.type_into("#name", "editor");
    driver.type_into("#password", PASSWORD);
    driver.click(".comment-form button[type=submit]");
    wait_for(&driver, "Pending <span class=\"count\">(1)</span>");
    driver.click("input[name=id]");
    driver.click(".admin-actions button");
    wait_for(&driver, "moved to Approved");

    // Shown, and inert.
    driver.go(&format!("{base}/article/1"));
    let page = wait_for(&driver, "Lovely piece.");
    assert_eq!(driver.alert_text(), None, "a script ran");
    let live_scripts = driver.script("return document.querySelectorAll('.comments script, .comments img, .comments [onerror], .comments [onmouseover]').length");
    assert_eq!(live_scripts, json!(0), "{page}");
    let js_links = driver.script("return Array.from(document.querySelectorAll('.comments a')).filter(a => a.protocol === 'javascript:').length");
    assert_eq!(js_links, json!(0));
    driver.screenshot("article-with-comments");

    // A form on another site posting here: no SameSite cookie, so no valid token.
    let forged = format!(
        "data:text/html,<form method=post action='{base}/article/1/comments'><input name=token value=v1.x><input name=name value=Eve><input name=email value=eve@example.com><input name=comment value=forged></form><script>document.forms[0].submit()</script>"
    );
    driver.go(&forged);
    let refused = wait_for(&driver, "Leave a reply");
    assert!(refused.contains("could not be checked"), "{refused}");
    let count = driver.script("return document.querySelectorAll('.comment-list > li').length");
    assert_eq!(count, json!(1), "the forged comment was not stored");
}
