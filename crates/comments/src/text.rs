//! Text hygiene shared by the renderer, the validator and the moderation rules.

/// Characters that change nothing a reader needs to see but can hide or reorder text:
/// zero-width spaces and joiners of words, invisible operators, the byte-order mark,
/// soft hyphens and the bidirectional embedding/override/isolate controls (which can
/// make text display in a different order than it is stored).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Joiners and direction marks that carry meaning in some scripts and emoji (kept when
/// displaying) but are stripped when matching words.
fn is_joiner_or_mark(c: char) -> bool {
    matches!(c, '\u{200C}'..='\u{200F}')
}

/// Control characters other than newline and tab.
pub(crate) fn is_bad_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Newlines normalised to `\n` (CRLF, lone CR, U+2028, U+2029), control characters
/// other than newline and tab removed, invisible characters removed.
pub(crate) fn clean_multiline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{2028}' | '\u{2029}' | '\u{0085}' => out.push('\n'),
            c if is_bad_control(c) || is_invisible(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// One line of text: control and invisible characters removed, runs of whitespace
/// collapsed to one space, trimmed.
pub(crate) fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// The form of text that word lists are matched against: lower-cased, every invisible
/// character, joiner and direction mark removed, whitespace collapsed.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_invisible(c) || is_joiner_or_mark(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The first `max` characters of `s` (by `char`, never splitting one).
pub(crate) fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `12345` → `12,345`, for messages.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `&`, `<`, `>`, `"` and `'` escaped for HTML text and quoted attribute values.
pub(crate) fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_normalises_newlines_and_drops_controls_and_invisibles() {
        assert_eq!(clean_multiline("a\r\nb\rc\u{2028}d"), "a\nb\nc\nd");
        assert_eq!(clean_multiline("a\u{0}b\u{7}c\td"), "abc\td");
        assert_eq!(
            clean_multiline("java\u{200B}script\u{202E}x\u{FEFF}"),
            "javascriptx"
        );
        // Emoji joiners are kept for display.
        assert_eq!(clean_multiline("👨\u{200D}👩"), "👨\u{200D}👩");
    }

    #[test]
    fn line_collapses_whitespace() {
        assert_eq!(clean_line("  Ada \t\n Lovelace\u{200B} "), "Ada Lovelace");
        assert_eq!(clean_line("\u{0}\u{1}"), "");
    }

    #[test]
    fn fold_lowercases_and_drops_joiners() {
        assert_eq!(fold("V\u{200D}iA\u{200B}GRA  Pills"), "viagra pills");
    }

    #[test]
    fn truncation_respects_chars() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 5), "hi");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(5), "5");
        assert_eq!(thousands(5000), "5,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
