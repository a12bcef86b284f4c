//! The comment and login flows as the web layer wires them, with a fake store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use herald_comments::*;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration as StdDuration, Instant};

struct FakeStore {
    approved_emails: Vec<String>,
    dup_keys: HashMap<String, DateTime<Utc>>,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// One submission through token check, validation, rate limit and moderation.
#[allow(clippy::too_many_arguments)]
fn submit(
    signer: &Signer,
    moderator: &Moderator,
    limiter: &CommentLimiter,
    store: &mut FakeStore,
    cookie: &str,
    token: &str,
    form: &Submission,
    now: DateTime<Utc>,
    mono: Instant,
) -> Result<Decision, (Submission, Vec<String>)> {
    let ip: IpAddr = "192.0.2.10".parse().unwrap();
    let ft = FormToken::verify(signer, token, cookie, "42", now)
        .map_err(|e| (form.clone(), vec![e.to_string()]))?;
    let checked = validate(form, &moderator.policy().limits());
    let Some(comment) = checked.comment() else {
        let msgs = checked.errors.iter().map(|(_, m)| m.to_string()).collect();
        return Err((checked.form, msgs));
    };
    let key = duplicate_key(&comment.email, &comment.body);
    let is_duplicate = store
        .dup_keys
        .get(&key)
        .is_some_and(|at| now.signed_duration_since(*at) < moderator.policy().duplicate_window());
    let ctx = Context {
        now,
        ip,
        article_published: Some(t0() - Duration::days(2)),
        article_open: true,
        parent: Parent::None,
        has_approved_comment: store.approved_emails.contains(&comment.email_key),
        is_duplicate,
        honeypot: "",
        form_rendered_at: Some(ft.rendered_at),
    };
    let d = moderator.decide(&ctx, &comment);
    // Only what would be stored counts against the limits.
    if !matches!(d, Decision::Reject(_)) {
        limiter
            .check(ip, &comment.email, mono)
            .map_err(|r| (checked.form.clone(), vec![r.to_string()]))?;
    }
    if !matches!(d, Decision::Reject(_)) {
        store.dup_keys.insert(key, now);
    }
    Ok(d)
}

#[test]
fn comment_flow() {
    let signer = Signer::new(SecretKey::from_bytes([1; 32]));
    let moderator = Moderator::new(Policy::default()).unwrap();
    let limiter = CommentLimiter::new(moderator.policy());
    let mut store = FakeStore {
        approved_emails: vec![],
        dup_keys: HashMap::new(),
    };
    let cookie = session_id_from_bytes([9; 32]);
    let token = FormToken::issue(&signer, &cookie, "42", t0(), moderator.policy().form_ttl());
    let mono = Instant::now();
    let form = Submission {
        name: "Ada".into(),
        email: "Ada@Example.com".into(),
        website: "".into(),
        body: "Lovely piece. <script>alert(1)</script>".into(),
        parent: None,
    };

    // Too quick: refused, everything typed comes back.
    let d = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &form,
        t0() + Duration::seconds(1),
        mono,
    )
    .unwrap();
    assert_eq!(d, Decision::Reject(Reason::TooFast { wait_seconds: 2 }));

    // A forged or foreign token is refused with a message, form kept.
    let (kept, msgs) = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        "other-cookie",
        &token,
        &form,
        t0() + Duration::seconds(10),
        mono,
    )
    .unwrap_err();
    assert_eq!(kept, form);
    assert_eq!(msgs.len(), 1);

    // An invalid form comes back normalised with messages.
    let bad = Submission {
        email: "nope".into(),
        ..form.clone()
    };
    let (kept, msgs) = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &bad,
        t0() + Duration::seconds(10),
        mono,
    )
    .unwrap_err();
    assert_eq!(kept.body, form.body);
    assert_eq!(
        msgs,
        ["That email address doesn't look right. It should look like name@example.com."]
    );

    // First comment: held.
    let now = t0() + Duration::seconds(10);
    let d = submit(
        &signer, &moderator, &limiter, &mut store, &cookie, &token, &form, now, mono,
    )
    .unwrap();
    assert_eq!(d, Decision::Hold(Reason::FirstComment));
    assert!(d.reader_message().contains("awaiting moderation"));

    // The same again: duplicate.
    let d = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &form,
        now + Duration::seconds(5),
        mono,
    )
    .unwrap();
    assert_eq!(d, Decision::Reject(Reason::Duplicate));

    // Approved by the admin; the next comment goes straight through and renders inert.
    store.approved_emails.push(email_key("ada@example.com"));
    let second = Submission {
        body: "Also: **bold** https://example.com".into(),
        ..form.clone()
    };
    let d = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &second,
        now + Duration::seconds(20),
        mono,
    )
    .unwrap();
    assert_eq!(d, Decision::Approve);
    let html = Renderer::new(moderator.policy().render_options()).render(&second.body);
    assert_eq!(
        html,
        "<p>Also: <strong>bold</strong> <a href=\"https://example.com/\" rel=\"nofollow ugc noopener\">https://example.com</a></p>"
    );
    assert_eq!(excerpt(&second.body, 12), "Also: bold…");

    // The per-email limit: 3 per 10 minutes (refused attempts don't count).
    let extra = Submission {
        body: "one more".into(),
        ..form.clone()
    };
    let d = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &extra,
        now + Duration::seconds(25),
        mono,
    )
    .unwrap();
    assert_eq!(d, Decision::Approve);
    let third = Submission {
        body: "third".into(),
        ..form.clone()
    };
    let (_, msgs) = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &third,
        now + Duration::seconds(30),
        mono,
    )
    .unwrap_err();
    assert!(
        msgs[0].starts_with("You are posting comments too quickly"),
        "{msgs:?}"
    );
    let later = mono + StdDuration::from_secs(200);
    let d = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &third,
        now + Duration::seconds(230),
        later,
    )
    .unwrap();
    assert_eq!(d, Decision::Approve);

    // The token expires after a day.
    let (_, msgs) = submit(
        &signer,
        &moderator,
        &limiter,
        &mut store,
        &cookie,
        &token,
        &third,
        t0() + Duration::hours(25),
        later,
    )
    .unwrap_err();
    assert_eq!(msgs, ["This form has expired. Please send it again."]);
}

#[test]
fn login_flow() {
    let username = validate_username("Editor").unwrap();
    let password = "tulip-orbit-42";
    check_password_strength(password, &username).unwrap();
    let salt = [3u8; 16];
    let params = PasswordParams {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };
    let stored = hash_password_with(password, &salt, &params).unwrap();
    let limiter = LoginLimiter::new(LoginLimits::default());
    let ip: IpAddr = "198.51.100.4".parse().unwrap();
    let t = Instant::now();

    let attempt = |pw: &str, at: Instant| -> Result<Option<String>, LockedOut> {
        limiter.check(ip, &username, at)?;
        if verify_login(Some(&stored), pw) {
            limiter.record_success(ip, &username);
            Ok(Some(session_id_from_bytes([5; 32])))
        } else {
            limiter.record_failure(ip, &username, at);
            Ok(None)
        }
    };
    for i in 0..5 {
        assert_eq!(attempt("wrong", t + StdDuration::from_secs(i)), Ok(None));
    }
    assert_eq!(attempt("wrong", t + StdDuration::from_secs(5)), Ok(None));
    // Locked now, even with the right password.
    let locked = attempt(password, t + StdDuration::from_millis(5_500)).unwrap_err();
    assert!(locked
        .to_string()
        .starts_with("Too many failed sign-in attempts"));
    let sid = attempt(password, t + StdDuration::from_secs(7))
        .unwrap()
        .unwrap();
    assert_eq!(session_key(&sid).len(), 64);
    // The secret for tokens round-trips through its persisted form.
    let key = SecretKey::generate().unwrap();
    assert_eq!(SecretKey::from_base64(&key.to_base64()).unwrap(), key);
    let signer = Signer::new(key);
    let csrf = signer.csrf(&sid, "admin:moderate", t0(), Duration::hours(2));
    assert!(signer
        .verify_csrf(&csrf, &sid, "admin:moderate", t0())
        .is_ok());
}

#[test]
fn shared_parts_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Renderer>();
    check::<Moderator>();
    check::<CommentLimiter>();
    check::<RateLimiter>();
    check::<LoginLimiter>();
    check::<Signer>();
}
