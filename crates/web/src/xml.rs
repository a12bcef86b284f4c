//! Escaping for the XML documents Herald writes (feeds, sitemaps, OpenSearch) and for
//! JSON embedded in HTML. Written by hand: the documents are small and fixed in
//! shape, and escaping plus dropping characters XML 1.0 forbids is all they need.

use chrono::{DateTime, Utc};

/// Text made safe for XML character data and attribute values: markup characters
/// escaped, characters XML 1.0 forbids (C0 controls other than tab, newline and
/// carriage return; U+FFFE, U+FFFF) dropped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A one-line text (a title, a name): every control character becomes nothing and
/// runs of white space one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 3339 with seconds, UTC (`2026-11-25T12:00:00Z`): Atom, sitemaps, JSON.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// RFC 822 date as RSS wants it (`Wed, 25 Nov 2026 12:00:00 +0000`).
pub(crate) fn rfc822(t: DateTime<Utc>) -> String {
    t.to_rfc2822()
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` escaped
/// as `\u003c`, `\u003e`, `\u0026`, so no text inside can close the script element,
/// and the line separators JavaScript once rejected escaped too.
pub(crate) fn json_for_script(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("Tom & Jerry <b>\"hi\"</b> it's\u{1}\u{8}\u{FFFF}\tok"),
            "Tom &amp; Jerry &lt;b&gt;&quot;hi&quot;&lt;/b&gt; it&apos;s\tok"
        );
        assert_eq!(one_line(" A\n\u{7}title\t here "), "A title here");
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let v = serde_json::json!({"headline": "</script><script>alert(1)</script> & more"});
        let text = json_for_script(&v);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, v, "still the same JSON");
    }
}
