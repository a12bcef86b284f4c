//! Character-encoding detection and decoding.
//!
//! Precedence follows RFC 3023 / RFC 7303 as feedparser applies them:
//! 1. a byte-order mark (UTF-8, UTF-16 and UTF-32 in both endians), or the UTF-16/32 pattern
//!    of `<?` without a BOM;
//! 2. the `charset` parameter of the HTTP `Content-Type`;
//! 3. for `application/*xml` (and no HTTP header at all), the XML declaration's `encoding`;
//!    for `text/*` without a charset, `us-ascii` (RFC 3023's default);
//! 4. UTF-8.
//!
//! When the chosen encoding cannot decode the bytes (or is unknown), the document is flagged
//! as bozo and decoded with the first of UTF-8 and windows-1252 that works.
use encoding_rs::Encoding;

/// The outcome of [`decode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding actually used, lower case (`utf-8`, `us-ascii`, `utf-16le`, ...).
    pub encoding: String,
    /// Set when the declared encoding was wrong, unknown or the content type is not XML.
    pub bozo_reason: Option<String>,
}

/// Which byte pattern opened the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniff {
    None,
    Utf8Bom,
    Utf16Le(bool),
    Utf16Be(bool),
    Utf32Le(bool),
    Utf32Be(bool),
}

fn sniff(b: &[u8]) -> Sniff {
    match b {
        [0, 0, 0xFE, 0xFF, ..] => Sniff::Utf32Be(true),
        [0xFF, 0xFE, 0, 0, ..] => Sniff::Utf32Le(true),
        [0xEF, 0xBB, 0xBF, ..] => Sniff::Utf8Bom,
        [0xFE, 0xFF, ..] => Sniff::Utf16Be(true),
        [0xFF, 0xFE, ..] => Sniff::Utf16Le(true),
        [0, 0, 0, b'<', ..] => Sniff::Utf32Be(false),
        [b'<', 0, 0, 0, ..] => Sniff::Utf32Le(false),
        [0, b'<', 0, b'?', ..] => Sniff::Utf16Be(false),
        [b'<', 0, b'?', 0, ..] => Sniff::Utf16Le(false),
        _ => Sniff::None,
    }
}

/// Parses a `Content-Type` header into (lower-case media type, charset).
pub fn parse_content_type(ct: &str) -> (String, Option<String>) {
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let mut charset = None;
    for p in parts {
        if let Some((k, v)) = p.split_once('=') {
            if k.trim().eq_ignore_ascii_case("charset") {
                let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
                if !v.is_empty() {
                    charset = Some(v.to_ascii_lowercase());
                }
            }
        }
    }
    (media, charset)
}

/// Reads `encoding="…"` from an XML declaration at the start of `head` (ASCII view).
fn xml_declared_encoding(head: &str) -> Option<String> {
    let s = head.trim_start_matches('\u{feff}');
    let s = s.strip_prefix("<?xml")?;
    let end = s.find("?>")?;
    let decl = &s[..end];
    let i = decl.find("encoding")?;
    let rest = decl[i + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let q = rest.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let rest = &rest[1..];
    let e = rest.find(q)?;
    let v = rest[..e].trim().to_ascii_lowercase();
    (!v.is_empty()).then_some(v)
}

/// A view of the first bytes as ASCII, for reading the XML declaration, whatever the
/// byte width of the encoding.
fn ascii_head(b: &[u8], s: Sniff) -> String {
    let (skip, step, off) = match s {
        Sniff::Utf8Bom => (3, 1, 0),
        Sniff::Utf16Le(bom) => (if bom { 2 } else { 0 }, 2, 0),
        Sniff::Utf16Be(bom) => (if bom { 2 } else { 0 }, 2, 1),
        Sniff::Utf32Le(bom) => (if bom { 4 } else { 0 }, 4, 0),
        Sniff::Utf32Be(bom) => (if bom { 4 } else { 0 }, 4, 3),
        Sniff::None => (0, 1, 0),
    };
    b.iter()
        .skip(skip)
        .skip(off)
        .step_by(step)
        .take(512)
        .map(|&c| if c.is_ascii() { c as char } else { '?' })
        .collect()
}

fn decode_utf32(b: &[u8], le: bool) -> (String, bool) {
    let mut out = String::with_capacity(b.len() / 4);
    let mut bad = b.len() % 4 != 0;
    for c in b.chunks_exact(4) {
        let arr = [c[0], c[1], c[2], c[3]];
        let v = if le {
            u32::from_le_bytes(arr)
        } else {
            u32::from_be_bytes(arr)
        };
        match char::from_u32(v) {
            Some(ch) => out.push(ch),
            None => {
                bad = true;
                out.push('\u{fffd}');
            }
        }
    }
    (out, bad)
}

/// Decodes `b` (without BOM) with the named encoding. Returns None if the label is unknown,
/// Some((text, had_errors)) otherwise.
fn decode_with(label: &str, b: &[u8]) -> Option<(String, bool)> {
    match label {
        "utf-32le" | "utf-32" | "ucs-4le" => return Some(decode_utf32(b, true)),
        "utf-32be" | "ucs-4be" => return Some(decode_utf32(b, false)),
        "us-ascii" | "ascii" | "us_ascii" | "ansi_x3.4-1968" => {
            if b.is_ascii() {
                return Some((String::from_utf8_lossy(b).into_owned(), false));
            }
            return Some((String::new(), true));
        }
        _ => {}
    }
    let enc = Encoding::for_label(label.as_bytes())?;
    // encoding_rs maps the "replacement" label family to an encoding that decodes
    // everything to U+FFFD; treat it as unknown.
    if enc == encoding_rs::REPLACEMENT {
        return None;
    }
    let (text, had_errors) = enc.decode_without_bom_handling(b);
    Some((text.into_owned(), had_errors))
}

/// The name we report for an encoding label (feedparser-compatible where it matters).
fn report_name(label: &str) -> String {
    match label {
        "gb2312" | "gbk" | "x-gbk" | "gb_2312-80" | "chinese" | "csgb2312" => "gb18030".into(),
        "utf8" => "utf-8".into(),
        "ascii" | "us_ascii" | "ansi_x3.4-1968" => "us-ascii".into(),
        "latin1" | "latin-1" | "iso8859-1" | "iso_8859-1" => "iso-8859-1".into(),
        other => other.to_string(),
    }
}

/// Detects the encoding of `bytes` and decodes them. Never fails.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let sn = sniff(bytes);
    let (body, bom_enc): (&[u8], Option<&str>) = match sn {
        Sniff::Utf8Bom => (&bytes[3..], Some("utf-8")),
        Sniff::Utf16Le(true) => (&bytes[2..], Some("utf-16le")),
        Sniff::Utf16Be(true) => (&bytes[2..], Some("utf-16be")),
        Sniff::Utf32Le(true) => (&bytes[4..], Some("utf-32le")),
        Sniff::Utf32Be(true) => (&bytes[4..], Some("utf-32be")),
        Sniff::Utf16Le(false) => (bytes, Some("utf-16le")),
        Sniff::Utf16Be(false) => (bytes, Some("utf-16be")),
        Sniff::Utf32Le(false) => (bytes, Some("utf-32le")),
        Sniff::Utf32Be(false) => (bytes, Some("utf-32be")),
        Sniff::None => (bytes, None),
    };
    let declared = xml_declared_encoding(&ascii_head(bytes, sn));
    let mut bozo_reason = None;
    let (media, http_charset) = match content_type {
        Some(ct) => {
            let (m, c) = parse_content_type(ct);
            (Some(m), c)
        }
        None => (None, None),
    };

    let chosen: String = if let Some(b) = bom_enc {
        b.to_string()
    } else {
        match media.as_deref() {
            None | Some("") => declared.clone().unwrap_or_else(|| "utf-8".into()),
            Some(m) => {
                let app_xml = matches!(
                    m,
                    "application/xml"
                        | "application/xml-dtd"
                        | "application/xml-external-parsed-entity"
                ) || (m.starts_with("application/") && m.ends_with("+xml"));
                let text_xml = matches!(m, "text/xml" | "text/xml-external-parsed-entity")
                    || (m.starts_with("text/") && m.ends_with("+xml"));
                if app_xml {
                    http_charset
                        .clone()
                        .or_else(|| declared.clone())
                        .unwrap_or_else(|| "utf-8".into())
                } else if text_xml || m.starts_with("text/") {
                    if !text_xml {
                        bozo_reason = Some(format!("content type {m} is not an XML media type"));
                    }
                    http_charset.clone().unwrap_or_else(|| "us-ascii".into())
                } else {
                    if !m.contains("json") {
                        bozo_reason = Some(format!("content type {m} is not an XML media type"));
                    }
                    http_charset
                        .clone()
                        .or_else(|| declared.clone())
                        .unwrap_or_else(|| "utf-8".into())
                }
            }
        }
    };
    // "utf-16" / "utf-32" without a BOM: take the endianness from the byte pattern.
    let chosen = match chosen.as_str() {
        "utf-16" | "utf16" => match sn {
            Sniff::Utf16Le(_) => "utf-16le".to_string(),
            _ => "utf-16be".to_string(),
        },
        "utf-32" | "utf32" => match sn {
            Sniff::Utf32Le(_) => "utf-32le".to_string(),
            _ => "utf-32be".to_string(),
        },
        _ => chosen,
    };

    if let Some((text, errors)) = decode_with(&chosen, body) {
        if !errors {
            return Decoded {
                text,
                encoding: report_name(&chosen),
                bozo_reason,
            };
        }
        bozo_reason.get_or_insert_with(|| {
            format!("document declared as {chosen} contains bytes invalid in it")
        });
    } else {
        bozo_reason.get_or_insert_with(|| format!("unknown character encoding {chosen:?}"));
    }
    // Fallbacks: the declared encoding (when the HTTP charset overrode it), UTF-8, and
    // windows-1252, which decodes any byte sequence.
    let mut candidates: Vec<String> = Vec::new();
    if let Some(d) = declared {
        candidates.push(d);
    }
    candidates.push("utf-8".into());
    for cand in candidates {
        if cand == chosen {
            continue;
        }
        if let Some((text, false)) = decode_with(&cand, body) {
            return Decoded {
                text,
                encoding: report_name(&cand),
                bozo_reason,
            };
        }
    }
    // feedparser's last resorts, in its order: windows-1252 when no byte is one of its five
    // undefined positions, else iso-8859-2 (which decodes anything).
    if !body
        .iter()
        .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
    {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
        return Decoded {
            text: text.into_owned(),
            encoding: "windows-1252".into(),
            bozo_reason,
        };
    }
    let (text, _) = encoding_rs::ISO_8859_2.decode_without_bom_handling(body);
    Decoded {
        text: text.into_owned(),
        encoding: "iso-8859-2".into(),
        bozo_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_default() {
        let d = decode(b"<rss/>", None);
        assert_eq!(d.encoding, "utf-8");
        assert!(d.bozo_reason.is_none());
    }

    #[test]
    fn boms() {
        let mut b = vec![0xFF, 0xFE];
        for c in "<rss/>".encode_utf16() {
            b.extend_from_slice(&c.to_le_bytes());
        }
        let d = decode(&b, None);
        assert_eq!(
            (d.text.as_str(), d.encoding.as_str()),
            ("<rss/>", "utf-16le")
        );
        let mut b = vec![0xFE, 0xFF];
        for c in "<rss/>".encode_utf16() {
            b.extend_from_slice(&c.to_be_bytes());
        }
        let d = decode(&b, Some("text/xml; charset=iso-8859-1"));
        assert_eq!(
            (d.text.as_str(), d.encoding.as_str()),
            ("<rss/>", "utf-16be")
        );
        let mut b = vec![0, 0, 0xFE, 0xFF];
        for c in "<a>é</a>".chars() {
            b.extend_from_slice(&(c as u32).to_be_bytes());
        }
        let d = decode(&b, None);
        assert_eq!(
            (d.text.as_str(), d.encoding.as_str()),
            ("<a>é</a>", "utf-32be")
        );
    }

    #[test]
    fn utf16_without_bom() {
        let mut b = Vec::new();
        for c in "<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>".encode_utf16() {
            b.extend_from_slice(&c.to_be_bytes());
        }
        let d = decode(&b, None);
        assert_eq!(d.encoding, "utf-16be");
        assert!(d.text.ends_with("<a/>"));
    }

    #[test]
    fn precedence() {
        let doc = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>\u{e9}</a>";
        let bytes = encoding_rs::WINDOWS_1252.encode(doc).0.into_owned();
        // Declaration only.
        assert_eq!(decode(&bytes, None).encoding, "iso-8859-1");
        // application/xml without charset: the declaration.
        assert_eq!(
            decode(&bytes, Some("application/xml")).encoding,
            "iso-8859-1"
        );
        // HTTP charset overrides the declaration.
        let d = decode(&bytes, Some("application/rss+xml; charset='windows-1252'"));
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains('\u{e9}'));
        // text/xml without charset: us-ascii, which fails here, so bozo and a fallback.
        let d = decode(&bytes, Some("text/xml"));
        assert!(d.bozo_reason.is_some());
        assert!(d.text.contains('\u{e9}'));
        // text/xml on ASCII bytes.
        let d = decode(
            b"<?xml version='1.0' encoding='utf-8'?><a/>",
            Some("text/xml"),
        );
        assert_eq!(d.encoding, "us-ascii");
        assert!(d.bozo_reason.is_none());
    }

    #[test]
    fn legacy_and_bogus() {
        let bytes = encoding_rs::EUC_KR
            .encode("<?xml version='1.0' encoding='euc-kr'?><a>년</a>")
            .0;
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, "euc-kr");
        assert!(d.text.contains('년'));
        let d = decode(b"<?xml version='1.0' encoding='bogus'?><a/>", None);
        assert!(d.bozo_reason.is_some());
        assert_eq!(d.encoding, "utf-8");
        let d = decode(
            b"<?xml version='1.0' encoding='utf-8'?><a>\xff\xfe</a>",
            None,
        );
        assert!(d.bozo_reason.is_some());
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(
            parse_content_type("text/xml;charset = \"GB2312\"")
                .1
                .as_deref(),
            Some("gb2312")
        );
        assert_eq!(report_name("gb2312"), "gb18030");
    }
}
