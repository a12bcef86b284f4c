//! Property tests: rendering never panics, and its output never contains `<script`,
//! `javascript:` or an ` on…=` sequence, and passes the strict structural check.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use herald_comments::{excerpt, render, validate, Limits, RenderOptions, Renderer, Submission};
use proptest::prelude::*;

/// Fragments that matter to Markdown, HTML and URL parsing, glued together.
fn hostile() -> impl Strategy<Value = String> {
    let frag = prop_oneof![
        Just("<script>".to_string()),
        Just("</script>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("<a href=\"".to_string()),
        Just("javascript:".to_string()),
        Just("JaVaScRiPt:".to_string()),
        Just("data:".to_string()),
        Just("vbscript:".to_string()),
        Just("&#58;".to_string()),
        Just("&#x6A;".to_string()),
        Just("&colon;".to_string()),
        Just(" onload=".to_string()),
        Just(" on".to_string()),
        Just("=".to_string()),
        Just("[".to_string()),
        Just("](".to_string()),
        Just(")".to_string()),
        Just("![".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("*".to_string()),
        Just("**".to_string()),
        Just("_".to_string()),
        Just("`".to_string()),
        Just("```\n".to_string()),
        Just("    ".to_string()),
        Just("> ".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("# ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\\".to_string()),
        Just("http://".to_string()),
        Just("https://example.com/".to_string()),
        Just("mailto:".to_string()),
        Just("@".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{202E}".to_string()),
        Just("\u{0}".to_string()),
        Just("\t".to_string()),
        Just("<svg".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        "[a-zA-Z0-9 ]{0,6}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(frag, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn hostile_text_renders_safely(text in hostile()) {
        let html = render(&text);
        common::check(&html).map_err(|e| TestCaseError::fail(format!("{e}: {text:?} => {html}")))?;
    }

    #[test]
    fn arbitrary_text_renders_safely(text in "\\PC{0,400}") {
        let html = render(&text);
        common::check(&html).map_err(|e| TestCaseError::fail(format!("{e}: {text:?} => {html}")))?;
    }

    #[test]
    fn arbitrary_bytes_as_text_render_safely(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let html = render(&text);
        common::check(&html).map_err(|e| TestCaseError::fail(format!("{e}: {text:?} => {html}")))?;
    }

    #[test]
    fn tight_limits_render_safely(text in hostile(), max in 0usize..60, q in 0usize..3, i in 0usize..3) {
        let r = Renderer::new(RenderOptions { max_chars: max, max_quote_depth: q, max_inline_depth: i, linkify: true });
        let html = r.render(&text);
        common::check(&html).map_err(|e| TestCaseError::fail(format!("{e}: {text:?} => {html}")))?;
        prop_assert!(max_depth(&html, "blockquote") <= q);
        prop_assert!(max_depth(&html, "em") + max_depth(&html, "strong") + max_depth(&html, "a") <= 3 * i);
    }

    #[test]
    fn excerpt_never_panics_and_is_bounded(text in hostile(), max in 0usize..200) {
        let e = excerpt(&text, max);
        prop_assert!(e.chars().count() <= max);
    }

    #[test]
    fn validation_never_panics_and_keeps_input(name in "\\PC{0,50}", email in "\\PC{0,50}", site in "\\PC{0,50}", body in hostile()) {
        let s = Submission { name, email, website: site, body, parent: None };
        let c = validate(&s, &Limits::default());
        if let Some(n) = c.comment() {
            prop_assert!(!n.name.is_empty());
            prop_assert!(n.email.contains('@'));
            if let Some(w) = &n.website {
                prop_assert!(w.starts_with("http://") || w.starts_with("https://"));
            }
        } else {
            prop_assert!(!c.errors.is_empty());
        }
    }
}

/// The deepest nesting of `<tag>` elements in rendered HTML.
fn max_depth(html: &str, tag: &str) -> usize {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let t = &rest[i..];
        if t.starts_with(&close) {
            depth = depth.saturating_sub(1);
        } else if t.starts_with(&open) && t[open.len()..].starts_with(['>', ' ']) {
            depth += 1;
            max = max.max(depth);
        }
        rest = &rest[i + 1..];
    }
    max
}

#[test]
fn pathological_nesting_is_fast_and_bounded() {
    let cases = [
        ">".repeat(5_000),
        "> ".repeat(2_500),
        "- ".repeat(2_500),
        "1. ".repeat(1_600),
        "[".repeat(5_000),
        "*".repeat(5_000),
        "*a ".repeat(1_600),
        "**".repeat(2_500),
        "_".repeat(5_000),
        "`".repeat(5_000),
        "<".repeat(5_000),
        "[a](".repeat(1_200),
        "![".repeat(2_500),
        "https://".repeat(600),
        "\n".repeat(5_000),
        "    ".repeat(1_250),
        format!(
            "{}x{}",
            "[".repeat(2_000),
            "](https://example.com)".repeat(100)
        ),
    ];
    for text in &cases {
        let start = std::time::Instant::now();
        let html = render(text);
        let took = start.elapsed();
        common::assert_safe(&html);
        assert!(max_depth(&html, "blockquote") <= 4);
        assert!(max_depth(&html, "em") + max_depth(&html, "strong") <= 6);
        assert!(
            took.as_secs() < 5,
            "{:?}… took {took:?}",
            &text[..20.min(text.len())]
        );
    }
}
