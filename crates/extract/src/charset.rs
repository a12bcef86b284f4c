//! Charset detection and decoding: BOM, then the HTTP `Content-Type` charset, then a
//! `<meta charset>` / `http-equiv` prescan of the first bytes, then UTF-8 validity, then
//! chardetng's statistical guess. Decoding never fails: invalid bytes become U+FFFD.

use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// How far the `<meta charset>` prescan looks (the HTML spec says 1024 bytes; real pages
/// put long inline scripts first, so look further at negligible cost).
const PRESCAN: usize = 8192;

/// Decode `bytes` to UTF-8, returning the text and the encoding's WHATWG name.
pub fn decode<'a>(bytes: &'a [u8], content_type: Option<&str>) -> (Cow<'a, str>, &'static str) {
    let enc = detect(bytes, content_type);
    let (text, used, _had_errors) = enc.decode(bytes);
    (text, used.name())
}

/// Repair UTF-8 text that was decoded as Latin-1/Windows-1252 and re-encoded somewhere
/// upstream ("doesnâ\u{80}\u{99}t", "cafÃ©"): browsers show such pages wrongly too, but the
/// article's words are what matter here. Only runs that form valid multi-byte UTF-8 when
/// mapped back to single bytes are replaced, so real Latin-1 text is left alone.
pub fn fix_mojibake(text: &str) -> Option<String> {
    // Cheap pre-check on bytes: a UTF-8 lead byte read as Latin-1 is one of U+00C2..U+00F4,
    // encoded as C3 82..C3 B4; it must be followed by a character that maps back to a
    // continuation byte (U+0080..U+00BF, or a Windows-1252 special such as € or ™).
    let bytes = text.as_bytes();
    let mut found = false;
    let mut from = 0;
    while let Some(p) = memchr::memchr(0xC3, &bytes[from..]) {
        let at = from + p;
        from = at + 1;
        if bytes
            .get(at + 1)
            .is_some_and(|&b| (0x82..=0xB4).contains(&b))
        {
            if let Some(next) = text.get(at + 2..).and_then(|r| r.chars().next()) {
                if single_byte(next).is_some_and(|b| (0x80..0xC0).contains(&b)) {
                    found = true;
                    break;
                }
            }
        }
    }
    if !found {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<u8> = Vec::new();
    let mut run_str = String::new();
    let flush = |run: &mut Vec<u8>, run_str: &mut String, out: &mut String| {
        if run.len() >= 2 {
            if let Ok(s) = std::str::from_utf8(run) {
                out.push_str(s);
                run.clear();
                run_str.clear();
                return;
            }
        }
        out.push_str(run_str);
        run.clear();
        run_str.clear();
    };
    for c in text.chars() {
        match single_byte(c) {
            Some(b) if b >= 0x80 => {
                run.push(b);
                run_str.push(c);
            }
            _ => {
                flush(&mut run, &mut run_str, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut run, &mut run_str, &mut out);
    Some(out)
}

/// The Windows-1252 character for a C1 control character (U+0080..U+009F), which is what
/// the byte meant on the page that smuggled it in; unmapped ones become a space.
pub fn c1_to_cp1252(c: char) -> char {
    let b = c as u32;
    if !(0x80..0xA0).contains(&b) {
        return c;
    }
    let byte = [b as u8];
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&byte);
    text.chars()
        .next()
        .filter(|d| !('\u{80}'..='\u{9f}').contains(d))
        .unwrap_or(' ')
}

/// The Windows-1252 / Latin-1 byte a character came from, if it is a single-byte one.
fn single_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x100 {
        return Some(u as u8);
    }
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

fn detect(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    if let Some(enc) = content_type.and_then(charset_param).and_then(label) {
        return enc;
    }
    if let Some(enc) = prescan(&bytes[..bytes.len().min(PRESCAN)]) {
        // A page declaring a legacy charset that is in fact valid UTF-8 was re-encoded
        // somewhere on its way (a common CMS bug); trust the bytes.
        if enc != UTF_8 && is_utf8_with_multibyte(bytes) {
            return UTF_8;
        }
        return enc;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // Feeding the first 64 KiB is plenty for a confident guess and bounds the work.
    det.feed(&bytes[..bytes.len().min(65536)], bytes.len() <= 65536);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

fn is_utf8_with_multibyte(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b >= 0x80) && std::str::from_utf8(bytes).is_ok()
}

fn label(l: &str) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(l.trim().trim_matches(|c| c == '"' || c == '\'').as_bytes())?;
    // UTF-16 declared in a meta tag of an ASCII-compatible document is a lie (per HTML).
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return Some(UTF_8);
    }
    // x-user-defined is not a real charset for pages.
    if enc == encoding_rs::X_USER_DEFINED {
        return Some(encoding_rs::WINDOWS_1252);
    }
    Some(enc)
}

/// The `charset=` parameter of a Content-Type value.
pub fn charset_param(ct: &str) -> Option<&str> {
    let lower = ct.to_ascii_lowercase();
    let i = lower.find("charset")?;
    let rest = &ct[i + 7..];
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| {
            c == ';' || c == '"' || c == '\'' || c.is_whitespace() || c == '>' || c == '/'
        })
        .unwrap_or(rest.len());
    let v = &rest[..end];
    (!v.is_empty()).then_some(v)
}

/// A byte-level scan for `<meta charset=…>` or `<meta http-equiv content="…charset=…">`.
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i + 5 < head.len() {
        let Some(p) = memchr(b'<', &head[i..]) else {
            break;
        };
        i += p + 1;
        if head.len() - i >= 4 && head[i..i + 4].eq_ignore_ascii_case(b"meta") {
            let end = memchr(b'>', &head[i..]).map_or(head.len(), |e| i + e);
            let tag = String::from_utf8_lossy(&head[i..end]);
            if let Some(enc) = charset_param(&tag).and_then(label) {
                return Some(enc);
            }
            i = end;
        }
    }
    None
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_param() {
        assert_eq!(
            charset_param("text/html; charset=ISO-8859-1"),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_param("text/html;charset=\"utf-8\""), Some("utf-8"));
        assert_eq!(charset_param("text/html"), None);
    }

    #[test]
    fn meta_and_bom() {
        let (t, e) = decode(b"<meta charset=\"windows-1252\"><p>caf\xe9", None);
        assert_eq!(e, "windows-1252");
        assert!(t.contains("café"));
        let (_, e) = decode(b"\xef\xbb\xbf<p>x", Some("text/html; charset=latin1"));
        assert_eq!(e, "UTF-8");
        let (_, e) = decode(
            b"<meta http-equiv=Content-Type content='text/html; charset=Shift_JIS'>",
            None,
        );
        assert_eq!(e, "Shift_JIS");
    }

    #[test]
    fn mojibake_is_repaired() {
        assert_eq!(
            fix_mojibake("doesn\u{e2}\u{80}\u{99}t").as_deref(),
            Some("doesn\u{2019}t")
        );
        assert_eq!(
            fix_mojibake("caf\u{c3}\u{a9} and â€™").as_deref(),
            Some("café and \u{2019}")
        );
        assert_eq!(fix_mojibake("café crème"), None);
        assert_eq!(fix_mojibake("plain"), None);
    }

    #[test]
    fn sniffing_falls_back() {
        let (_, e) = decode("<p>naïve</p>".as_bytes(), None);
        assert_eq!(e, "UTF-8");
        let (t, _) = decode(b"\xff\xfe\x00garbage\x80\x81", None);
        assert!(!t.is_empty());
    }
}
