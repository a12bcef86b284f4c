//! Article bodies: imports bring plain text or HTML; Herald keeps both a plain-text
//! form (what search sees) and a sanitised HTML form (what readers see).

use std::collections::HashSet;
use std::sync::LazyLock;

/// A body in both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Paragraphs separated by blank lines.
    pub text: String,
    /// Sanitised HTML, safe to embed in a page.
    pub html: String,
}

/// Tags that, at the start of a `<…>`, make a string HTML rather than text with a
/// stray "<" (as in "x < y").
const HTML_MARKERS: &[&str] = &[
    "p",
    "br",
    "div",
    "a",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "span",
    "img",
    "table",
    "figure",
    "pre",
    "code",
    "script",
    "style",
    "section",
    "article",
    "hr",
    "iframe",
];

/// Whether `s` contains an HTML tag or a character reference, rather than being
/// plain text.
pub fn looks_like_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(pos) = memchr_lt(&bytes[i..]) {
        let start = i + pos + 1;
        let rest = &s[start..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if name_len > 0 {
            let name = rest[..name_len].to_ascii_lowercase();
            let next = rest.as_bytes().get(name_len).copied();
            if HTML_MARKERS.contains(&name.as_str())
                && matches!(next, Some(b'>' | b' ' | b'/' | b'\n' | b'\t'))
            {
                return true;
            }
        }
        i = start;
    }
    false
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

/// The display allowlist: structure and emphasis only. No scripts, styles, event
/// handlers, forms or frames; links only to http(s)/mailto and marked nofollow.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "em",
        "strong",
        "b",
        "i",
        "a",
        "pre",
        "code",
        "figure",
        "figcaption",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "caption",
        "hr",
        "sub",
        "sup",
        "dl",
        "dt",
        "dd",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer"))
        .tag_attributes(
            [
                ("a", ["href", "title"].into_iter().collect()),
                (
                    "img",
                    ["src", "alt", "width", "height"].into_iter().collect(),
                ),
                ("th", ["colspan", "rowspan"].into_iter().collect()),
                ("td", ["colspan", "rowspan"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        )
        .generic_attributes(HashSet::new());
    b
});

static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.clean_content_tags(["script", "style"].into_iter().collect());
    b
});

/// Sanitises untrusted HTML for display.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Builds both forms from an import's body, plain text or HTML.
pub fn from_import(raw: &str) -> Body {
    if looks_like_html(raw) {
        let html = sanitize_html(raw);
        let text = html_to_text(&html);
        Body { text, html }
    } else {
        let text = normalize_text(raw);
        let html = text_to_html(&text);
        Body { text, html }
    }
}

/// Plain text from a short field that may carry markup (a title, a summary).
pub fn inline_text(raw: &str) -> String {
    let text = if looks_like_html(raw) || raw.contains('&') {
        decode_entities(&TEXT_ONLY.clean(raw).to_string())
    } else {
        raw.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Line endings unified, whitespace inside lines collapsed, at most one blank line
/// between paragraphs.
pub fn normalize_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0;
    for line in raw.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(&line);
    }
    out
}

/// Paragraphs (blank-line separated) become `<p>`, single line breaks `<br>`.
pub fn text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 64);
    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        html.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            escape_into(line, &mut html);
        }
        html.push_str("</p>\n");
    }
    html
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Tags after which text continues in a new paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "table",
    "tr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "hr",
    "div",
    "caption",
];

/// Plain text of sanitised HTML (as [`sanitize_html`] serialises it): block elements
/// become paragraphs, `<br>` a line break, entities are decoded.
pub fn html_to_text(html: &str) -> String {
    let mut raw = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        raw.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "br" {
            raw.push('\n');
        } else if BLOCK_TAGS.contains(&name.as_str()) {
            raw.push_str("\n\n");
        } else if name == "td" || name == "th" {
            raw.push(' ');
        }
        rest = &after[gt + 1..];
    }
    raw.push_str(rest);
    normalize_text(&decode_entities(&raw))
}

/// Decodes the character references an HTML serialiser emits (and numeric ones).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_html_but_not_comparisons() {
        assert!(looks_like_html("<p>Hello</p>"));
        assert!(looks_like_html("Intro<br/>more"));
        assert!(looks_like_html("a <a href=\"x\">link</a>"));
        assert!(!looks_like_html("x < y and y > z"));
        assert!(!looks_like_html("profits rose <5% this year"));
        assert!(!looks_like_html("plain text"));
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        let body = from_import("First  para\r\nline two\r\n\r\n\r\nSecond <para> & more");
        assert_eq!(body.text, "First para\nline two\n\nSecond <para> & more");
        assert_eq!(
            body.html,
            "<p>First para<br>line two</p>\n<p>Second &lt;para&gt; &amp; more</p>\n"
        );
    }

    #[test]
    fn html_is_sanitised_and_flattened() {
        let body = from_import(
            "<h2>Head</h2><p onclick=\"x()\">One &amp; <em>two</em></p><script>alert(1)</script>\
             <p><a href=\"javascript:alert(1)\">bad</a> <a href=\"https://e.com/x\">good</a></p>",
        );
        assert!(!body.html.contains("script"), "{}", body.html);
        assert!(!body.html.contains("onclick"), "{}", body.html);
        assert!(!body.html.contains("javascript"), "{}", body.html);
        assert!(
            body.html.contains("rel=\"nofollow noopener noreferrer\""),
            "{}",
            body.html
        );
        assert_eq!(body.text, "Head\n\nOne & two\n\nbad good");
    }

    #[test]
    fn inline_text_strips_markup_and_decodes() {
        assert_eq!(inline_text("Tom &amp; Jerry"), "Tom & Jerry");
        assert_eq!(
            inline_text("<b>Bold</b>   claim<script>x</script>"),
            "Bold claim"
        );
        assert_eq!(inline_text("AT&T wins"), "AT&T wins");
    }

    #[test]
    fn decodes_numeric_and_unknown_entities() {
        assert_eq!(decode_entities("&#233;t&#xE9; &bogus; &"), "été &bogus; &");
    }
}
