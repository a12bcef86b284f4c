//! Dates in the reader's time zone: pages carry UTC dates in `<time>` elements and one
//! script of our own under a CSP that allows nothing else; the script rewrites those
//! dates in the reader's zone (checked under Node.js with a tiny DOM stand-in, when
//! Node.js is installed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

fn script_src(html: &str) -> String {
    let at = html
        .find("<script src=\"")
        .unwrap_or_else(|| panic!("no script element:\n{html}"));
    let rest = &html[at + "<script src=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn pages_load_only_our_script_and_keep_utc_dates() {
    let p = support::story_portal().await;
    for path in [
        "/",
        "/section/news",
        "/article/1",
        "/story/1",
        "/search?q=bridge",
    ] {
        let page = p.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let csp = page.header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        let src = script_src(&page.body);
        assert!(
            src.starts_with("/static/local-time.") && src.ends_with(".js"),
            "{path}: {src}"
        );
        assert!(page
            .body
            .contains(&format!("<script src=\"{src}\" defer></script>")));
        // Every other script element is a data block (JSON-LD), never code.
        let scripts = page.body.matches("<script").count();
        let data = page
            .body
            .matches("<script type=\"application/ld+json\">")
            .count();
        assert_eq!(scripts, data + 1, "{path}: an unexpected script element");
        // Without the script, the dates are there, in UTC.
        assert!(page.body.contains("<time datetime=\""), "{path}");
    }
    let article = p.get("/article/1").await.body;
    assert!(article.contains(" UTC</time>"), "{article}");
}

#[tokio::test]
async fn the_script_is_served_cacheable_and_unknown_assets_are_404() {
    let p = support::story_portal().await;
    let src = script_src(&p.get("/").await.body);
    let js = p.get(&src).await;
    assert_eq!(js.status, 200);
    assert_eq!(js.header("content-type"), "text/javascript; charset=utf-8");
    assert!(js.header("cache-control").contains("immutable"));
    assert!(js.body.contains("Intl.DateTimeFormat"));
    assert_eq!(p.get("/static/local-time.js").await.status, 404);
    assert_eq!(p.get("/static/nothing.js").await.status, 404);
}

/// Runs the script over two `<time>` elements in a stand-in DOM, in Tokyo's zone.
#[tokio::test]
async fn the_script_rewrites_times_into_the_readers_zone() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: Node.js is not installed");
        return;
    }
    let p = support::story_portal().await;
    let src = script_src(&p.get("/").await.body);
    let script = p.get(&src).await.body;
    let harness = r#"
        function el(datetime, text, title) {
          var attrs = { datetime: datetime };
          if (title !== undefined) attrs.title = title;
          return {
            textContent: text,
            getAttribute: function (n) { return n in attrs ? attrs[n] : null; },
            hasAttribute: function (n) { return n in attrs; },
            setAttribute: function (n, v) { attrs[n] = v; },
            attrs: attrs
          };
        }
        var full = el("2026-11-03T23:40:00Z", "3 November 2026, 23:40 UTC");
        var rel = el("2026-11-03T23:40:00Z", "5 minutes ago", "3 November 2026, 23:40 UTC");
        var bad = el("not a date", "kept");
        globalThis.document = {
          readyState: "complete",
          documentElement: { lang: "en" },
          querySelectorAll: function () { return [full, rel, bad]; }
        };
    "#;
    let report = r#"
        console.log(JSON.stringify([full.textContent, rel.textContent, rel.attrs.title, bad.textContent]));
    "#;
    let out = Command::new("node")
        .env("TZ", "Asia/Tokyo")
        .arg("-e")
        .arg(format!("{harness}\n{script}\n{report}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        texts[0].contains("November 4, 2026") && texts[0].contains("08:40"),
        "the full date moved to Tokyo's zone: {texts:?}"
    );
    assert_eq!(texts[1], "5 minutes ago", "relative text stays");
    assert!(
        texts[2].contains("08:40"),
        "its tooltip is local: {texts:?}"
    );
    assert_eq!(texts[3], "kept", "an unreadable date is left alone");
}
