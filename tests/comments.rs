//! Reader comments and the admin area through a real `herald serve`: the form, held
//! first comments, approval in the admin, threaded replies, refusals that keep what
//! was typed, CSRF, XSS payloads, session fixation and sign-in throttling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{herald, token, Browser, Server};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

const PASSWORD: &str = "correct horse battery";

fn add_user(data: &Path) {
    let mut child = herald(data)
        .args(["user", "add", "editor"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success());
}

fn serve(data: &Path) -> Server {
    serve_with(data, "100")
}

fn serve_with(data: &Path, per_ip_burst: &str) -> Server {
    let mut cmd = herald(data);
    cmd.env("HERALD_COMMENTS__MIN_FILL_SECONDS", "0")
        .env("HERALD_COMMENTS__CLOSE_AFTER_DAYS", "0")
        .env("HERALD_COMMENTS__RATE_PER_IP__BURST", per_ip_burst)
        .env("HERALD_COMMENTS__RATE_PER_IP__PERIOD_SECONDS", "600");
    Server::start_with(cmd, &["--demo", "--no-ingest"])
}

fn sign_in(b: &mut Browser) {
    let (_, page) = b.get("/admin/login");
    let (status, location, _) = b.post(
        "/admin/login",
        &[
            ("token", &token(&page)),
            ("name", "editor"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!((status, location.as_str()), (303, "/admin/comments"));
}

fn comment(
    b: &mut Browser,
    article: u32,
    name: &str,
    email: &str,
    text: &str,
    parent: Option<&str>,
) -> (u16, String, String) {
    let (_, page) = b.get(&format!("/article/{article}"));
    let t = token(&page);
    let mut form = vec![
        ("token", t.as_str()),
        ("name", name),
        ("email", email),
        ("comment", text),
    ];
    if let Some(p) = parent {
        form.push(("parent", p));
    }
    b.post(&format!("/article/{article}/comments"), &form)
}

fn approve_all_pending(admin: &mut Browser) {
    let (_, queue) = admin.get("/admin/comments?status=pending");
    let ids: Vec<String> = queue
        .match_indices("name=\"id\" value=\"")
        .map(|(i, _)| {
            let s = &queue[i + 17..];
            s[..s.find('"').unwrap()].to_string()
        })
        .collect();
    let mut form = vec![
        ("token", token(&queue)),
        ("status", "pending".into()),
        ("action", "approve".into()),
    ];
    form.extend(ids.iter().map(|i| ("id", i.clone())));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, _) = admin.post("/admin/comments", &form);
    assert_eq!(status, 303);
    assert!(location.contains("moved+to+Approved"), "{location}");
}

#[test]
fn a_first_comment_is_held_approved_then_shown_and_replies_thread() {
    let tmp = tempfile::tempdir().unwrap();
    add_user(tmp.path());
    let server = serve(tmp.path());
    let mut reader = Browser::new(&server.base);

    let (status, location, _) = comment(
        &mut reader,
        1,
        "Ann Reader",
        "ann@example.com",
        "A **fine** report.",
        None,
    );
    assert_eq!(status, 303);
    assert_eq!(location, "/article/1?comment=held#respond");
    let (_, page) = reader.get("/article/1?comment=held");
    assert!(page.contains("awaiting moderation"));
    assert!(
        !page.contains("A <strong>fine</strong> report."),
        "held comments are not shown"
    );

    let mut admin = Browser::new(&server.base);
    sign_in(&mut admin);
    let (_, queue) = admin.get("/admin/comments");
    assert!(
        queue.contains("Pending <span class=\"count\">(1)</span>"),
        "{queue}"
    );
    assert!(queue.contains("ann@example.com"));
    approve_all_pending(&mut admin);
    let (_, page) = reader.get("/article/1");
    assert!(page.contains("A <strong>fine</strong> report."), "{page}");
    assert!(page.contains("1 comment"));
    assert!(!page.contains("ann@example.com"), "emails are never shown");

    // Approved once: the next comment from the same email goes straight through.
    let (status, location, _) = comment(
        &mut reader,
        1,
        "Ann Reader",
        "ann@example.com",
        "Second thoughts.",
        Some("1"),
    );
    assert_eq!(status, 303, "{location}");
    assert!(
        location.starts_with("/article/1?comment=published#comment-"),
        "{location}"
    );
    let (_, page) = reader.get("/article/1");
    assert!(
        page.contains("indent-1"),
        "the reply is threaded under its parent"
    );
    assert!(page.contains("replying to Ann Reader"));
    let (_, log) = admin.get("/admin/log");
    assert!(
        log.contains("comment.approve") && log.contains("login"),
        "{log}"
    );
}

#[test]
fn refusals_keep_what_was_typed_and_say_why() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve(tmp.path());
    let mut reader = Browser::new(&server.base);
    let text = "My long considered opinion about the bridge.";
    let (status, _, page) = comment(&mut reader, 2, "Bo", "not-an-email", text, None);
    assert_eq!(status, 422);
    assert!(page.contains(text), "the text survives");
    assert!(
        page.contains("value=\"not-an-email\""),
        "the email survives"
    );
    assert!(page.contains("field-error"), "{page}");

    // The honeypot filled in: stored as spam, told the same as a held comment.
    let (_, article) = reader.get("/article/2");
    let (status, location, _) = reader.post(
        "/article/2/comments",
        &[
            ("token", &token(&article)),
            ("name", "Bot"),
            ("email", "bot@example.com"),
            ("comment", "cheap pills"),
            ("url", "http://spam.example/"),
        ],
    );
    assert_eq!(
        (status, location.as_str()),
        (303, "/article/2?comment=held#respond")
    );

    // A tampered or foreign token is refused, and the text is still there.
    let (status, _, page) = reader.post(
        "/article/2/comments",
        &[
            ("token", "v1.forged"),
            ("name", "Eve"),
            ("email", "eve@example.com"),
            ("comment", text),
        ],
    );
    assert_eq!(status, 403);
    assert!(page.contains(text));
}

#[test]
fn a_cross_site_post_without_the_reader_cookie_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve(tmp.path());
    let mut reader = Browser::new(&server.base);
    let (_, page) = reader.get("/article/3");
    let stolen = token(&page);
    // Another site's page posting the form: the browser sends no SameSite=Lax cookie.
    let mut attacker = Browser::new(&server.base);
    let (status, _, _) = attacker.post(
        "/article/3/comments",
        &[
            ("token", &stolen),
            ("name", "Eve"),
            ("email", "eve@example.com"),
            ("comment", "forged"),
        ],
    );
    assert_eq!(status, 403);
    // Admin actions without the session's token are refused too.
    add_user(tmp.path());
    let mut admin = Browser::new(&server.base);
    sign_in(&mut admin);
    let (status, _, _) = admin.post("/admin/comments", &[("action", "approve"), ("id", "1")]);
    assert_eq!(status, 403);
}

#[test]
fn xss_payloads_render_inert_everywhere_they_are_shown() {
    let tmp = tempfile::tempdir().unwrap();
    add_user(tmp.path());
    let server = serve(tmp.path());
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "\"><script>alert(1)</script>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<style>body{display:none}</style>",
        "<a href=\"jav&#x09;ascript:alert(1)\">y</a>",
    ];
    let mut reader = Browser::new(&server.base);
    for (i, p) in payloads.iter().enumerate() {
        let name = format!("<b onmouseover=alert({i})>N{i}</b>");
        let (status, _, page) = comment(
            &mut reader,
            4,
            &name,
            &format!("x{i}@example.com"),
            &format!("payload {i}: {p}"),
            None,
        );
        assert!(status == 303 || status == 422, "{status}: {page}");
    }
    let mut admin = Browser::new(&server.base);
    sign_in(&mut admin);
    let (_, queue) = admin.get("/admin/comments");
    approve_all_pending(&mut admin);
    let (_, article) = reader.get("/article/4");
    for page in [&queue, &article] {
        let comments = &page[page.find("comment").unwrap()..];
        // Escaped text (&#60;img onerror=…) is harmless; live tags and URLs are not.
        for bad in [
            "<script",
            "<img",
            "<svg",
            "<b onmouseover",
            "<iframe",
            "<style",
            "<a href=\"javascript:",
            "<a href=\"jav",
            "<a href=\"data:",
        ] {
            assert!(!comments.contains(bad), "{bad} survived in:\n{comments}");
        }
    }
    assert!(
        article.contains("payload 0"),
        "the comments are shown, escaped"
    );
}

#[test]
fn sign_in_resists_fixation_and_brute_force() {
    let tmp = tempfile::tempdir().unwrap();
    add_user(tmp.path());
    let server = serve(tmp.path());
    // A session id planted before sign-in is replaced at sign-in.
    let mut victim = Browser::new(&server.base);
    victim
        .cookies
        .insert("herald_session".into(), "planted-by-attacker".into());
    sign_in(&mut victim);
    assert_ne!(victim.cookies["herald_session"], "planted-by-attacker");
    let mut attacker = Browser::new(&server.base);
    attacker
        .cookies
        .insert("herald_session".into(), "planted-by-attacker".into());
    let (status, _) = attacker.get("/admin/comments");
    assert_eq!(status, 303, "the planted id opens nothing");

    // Wrong passwords: after a few, even the right one is refused for a while.
    let mut guesser = Browser::new(&server.base);
    let mut statuses = Vec::new();
    for i in 0..8 {
        let (_, page) = guesser.get("/admin/login");
        let (status, _, _) = guesser.post(
            "/admin/login",
            &[
                ("token", &token(&page)),
                ("name", "editor"),
                ("password", &format!("guess {i}")),
            ],
        );
        statuses.push(status);
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429, "{statuses:?}");
    let (_, page) = guesser.get("/admin/login");
    let (status, _, body) = guesser.post(
        "/admin/login",
        &[
            ("token", &token(&page)),
            ("name", "editor"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("Too many failed sign-in attempts"));

    // Signing out ends the session on the server.
    let (_, queue) = victim.get("/admin/comments");
    let old = victim.cookies["herald_session"].clone();
    victim.post("/admin/logout", &[("token", &token(&queue))]);
    let mut replay = Browser::new(&server.base);
    replay.cookies.insert("herald_session".into(), old);
    assert_eq!(replay.get("/admin/comments").0, 303);
}

#[test]
fn floods_from_one_address_are_slowed_down_without_losing_the_text() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_with(tmp.path(), "3");
    let mut reader = Browser::new(&server.base);
    for i in 0..3 {
        let (status, _, _) = comment(
            &mut reader,
            5,
            "Flo",
            &format!("flo{i}@example.com"),
            &format!("note {i}"),
            None,
        );
        assert_eq!(status, 303);
    }
    let (status, _, page) = comment(
        &mut reader,
        5,
        "Flo",
        "flo9@example.com",
        "one too many",
        None,
    );
    assert_eq!(status, 429);
    assert!(page.contains("one too many"), "the text survives");
}

#[test]
fn the_api_lists_and_accepts_comments_under_the_same_rules() {
    let tmp = tempfile::tempdir().unwrap();
    add_user(tmp.path());
    let server = serve(tmp.path());
    let client = common::client();
    let post = |body: &str, ct: &str| {
        client
            .post(format!("{}/api/v1/articles/6/comments", server.base))
            .header("content-type", ct)
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let created = post(
        r#"{"name":"Api Ann","email":"api@example.com","comment":"Via the API."}"#,
        "application/json",
    );
    assert_eq!(created.status().as_u16(), 201);
    let created: serde_json::Value = serde_json::from_str(&created.text().unwrap()).unwrap();
    assert_eq!(created["status"], "pending");
    let refused = post(
        r#"{"name":"","email":"nope","comment":""}"#,
        "application/json",
    );
    assert_eq!(refused.status().as_u16(), 422);
    let refused: serde_json::Value = serde_json::from_str(&refused.text().unwrap()).unwrap();
    assert!(refused["fields"]["email"].is_string(), "{refused}");
    // A form post from another site is not JSON: refused before anything else.
    assert_eq!(
        post(
            "name=x&email=x@example.com&comment=x",
            "application/x-www-form-urlencoded"
        )
        .status()
        .as_u16(),
        415
    );

    let mut admin = Browser::new(&server.base);
    sign_in(&mut admin);
    approve_all_pending(&mut admin);
    let list: serde_json::Value = serde_json::from_str(
        &client
            .get(format!("{}/api/v1/articles/6/comments", server.base))
            .send()
            .unwrap()
            .text()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(list["items"][0]["author_name"], "Api Ann");
    assert!(
        list["items"][0].get("email").is_none(),
        "emails never leave the store"
    );
    let feed = client
        .get(format!("{}/article/6/comments/feed.rss", server.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(feed.contains("Comment by Api Ann"), "{feed}");
}
