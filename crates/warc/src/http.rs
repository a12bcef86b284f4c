//! The HTTP response envelope inside `response` records: status line, headers, and the body
//! with Transfer-Encoding chunked and Content-Encoding gzip/deflate undone, bounded.

use std::io::Read;

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};

/// An HTTP response as archived: status, headers, and the decoded body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// `HTTP/1.1`, `HTTP/1.0`, … as written.
    pub version: String,
    pub status: u16,
    /// The reason phrase (`OK`), possibly empty.
    pub reason: String,
    /// Header fields in order, names as written; folded lines are joined.
    pub headers: Vec<(String, String)>,
    /// The payload: de-chunked and decompressed, at most `Limits::max_body_bytes` long.
    pub body: Vec<u8>,
    /// `Transfer-Encoding: chunked` was declared but the body is not validly chunked, so
    /// the body is the bytes as stored (many crawlers store de-chunked bodies).
    pub chunked_fallback: bool,
    /// The decoded body was longer than the limit and was cut there.
    pub body_truncated: bool,
    /// A Content-Encoding could not be (fully) undone, in words. The body is then what
    /// could be decoded before the failure, or the bytes as stored when nothing could.
    pub decoding_error: Option<String>,
}

impl HttpResponse {
    /// The first header of that name (case-insensitive), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The media type of `Content-Type`, lower-cased, without parameters (`text/html`).
    pub fn mime_type(&self) -> Option<String> {
        self.header("content-type").map(mime_of)
    }
}

pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `text/HTML; charset=x` → `text/html`.
pub(crate) fn mime_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Where the header section ends: (end of headers, start of body).
pub(crate) fn header_end(block: &[u8], max: usize) -> Option<(usize, usize)> {
    let scan = &block[..block.len().min(max)];
    let mut i = 0;
    while let Some(off) = scan[i..].iter().position(|&b| b == b'\n') {
        let nl = i + off;
        let rest = &scan[nl + 1..];
        if rest.starts_with(b"\r\n") {
            return Some((nl + 1, nl + 3));
        }
        if rest.starts_with(b"\n") {
            return Some((nl + 1, nl + 2));
        }
        i = nl + 1;
    }
    None
}

/// Splits `Name: value` lines, joining folded continuation lines; lines without a colon are
/// skipped and counted.
pub(crate) fn parse_fields(text: &[u8]) -> (Vec<(String, String)>, usize) {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut bad = 0;
    for raw in text.split(|&b| b == b'\n') {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, v)) = fields.last_mut() {
                v.push(' ');
                v.push_str(String::from_utf8_lossy(line).trim());
                continue;
            }
        }
        match line.iter().position(|&b| b == b':') {
            Some(c) if c > 0 => {
                let name = String::from_utf8_lossy(&line[..c]).trim().to_string();
                let value = String::from_utf8_lossy(&line[c + 1..]).trim().to_string();
                fields.push((name, value));
            }
            _ => bad += 1,
        }
    }
    (fields, bad)
}

/// Parses an HTTP response message (status line, headers, body).
pub(crate) fn parse_response(
    block: &[u8],
    max_header: usize,
    max_body: usize,
) -> Result<HttpResponse, String> {
    let (head_end, body_start) = match header_end(block, max_header) {
        Some(e) => e,
        None if block.len() <= max_header => (block.len(), block.len()),
        None => {
            return Err(format!(
                "HTTP header section longer than {max_header} bytes"
            ))
        }
    };
    let head = &block[..head_end];
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let status_line = String::from_utf8_lossy(&head[..line_end]);
    let status_line = status_line.trim();
    let mut parts = status_line.splitn(3, [' ', '\t']);
    let version = parts.next().unwrap_or("");
    let code = parts.next().unwrap_or("").trim();
    if !version.starts_with("HTTP/") {
        return Err(format!(
            "the block does not start with an HTTP status line: {:?}",
            preview(status_line)
        ));
    }
    let status = match code.parse::<u16>() {
        Ok(s) if (100..1000).contains(&s) && code.len() == 3 => s,
        _ => {
            return Err(format!(
                "invalid HTTP status code in {:?}",
                preview(status_line)
            ))
        }
    };
    let (headers, _) = parse_fields(&head[(line_end + 1).min(head.len())..]);
    let mut resp = HttpResponse {
        version: version.to_string(),
        status,
        reason: parts.next().unwrap_or("").trim().to_string(),
        headers,
        ..HttpResponse::default()
    };
    let raw = &block[body_start..];

    let chunked = header(&resp.headers, "transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let mut body: Vec<u8> = if chunked {
        match dechunk(raw) {
            Ok(b) => b,
            Err(_) => {
                resp.chunked_fallback = true;
                raw.to_vec()
            }
        }
    } else {
        raw.to_vec()
    };

    let encodings: Vec<String> = header(&resp.headers, "content-encoding")
        .unwrap_or("")
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
        .collect();
    for enc in encodings.iter().rev() {
        if body.is_empty() {
            break;
        }
        match decode(enc, &body, max_body) {
            Decoded::Done(out, truncated) => {
                body = out;
                resp.body_truncated |= truncated;
            }
            Decoded::Partial(out, why) => {
                if !out.is_empty() {
                    body = out;
                }
                resp.decoding_error = Some(why);
                break;
            }
            Decoded::Skip(why) => {
                resp.decoding_error = Some(why);
                break;
            }
        }
    }
    if body.len() > max_body {
        body.truncate(max_body);
        resp.body_truncated = true;
    }
    resp.body = body;
    Ok(resp)
}

fn preview(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Undoes `Transfer-Encoding: chunked`; any deviation is an error (the caller falls back to
/// the stored bytes). A body that simply ends after a complete chunk is accepted.
pub(crate) fn dechunk(raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut p = 0;
    let mut chunks = 0usize;
    loop {
        if p >= raw.len() {
            if chunks == 0 {
                return Err("empty chunked body".into());
            }
            return Ok(out); // no last-chunk: tolerated
        }
        let nl = raw[p..]
            .iter()
            .take(1024)
            .position(|&b| b == b'\n')
            .ok_or("chunk size line missing or too long")?;
        let line = &raw[p..p + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let size_text = line.split(|&b| b == b';').next().unwrap_or(b"");
        let size_text = std::str::from_utf8(size_text)
            .map_err(|_| "chunk size is not text")?
            .trim();
        if size_text.is_empty() || size_text.len() > 15 {
            return Err(format!("invalid chunk size {size_text:?}"));
        }
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("invalid chunk size {size_text:?}"))?;
        p += nl + 1;
        if size == 0 {
            return Ok(out); // trailers, if any, are ignored
        }
        if size > raw.len() - p {
            return Err(format!(
                "a chunk of {size} bytes runs past the end of the body"
            ));
        }
        out.extend_from_slice(&raw[p..p + size]);
        p += size;
        chunks += 1;
        if raw[p..].starts_with(b"\r\n") {
            p += 2;
        } else if raw[p..].starts_with(b"\n") {
            p += 1;
        } else if p < raw.len() {
            return Err("chunk data not followed by a line end".into());
        }
    }
}

enum Decoded {
    /// Decoded (and whether it was cut at the limit).
    Done(Vec<u8>, bool),
    /// Decoding failed part way: what was decoded, and why.
    Partial(Vec<u8>, String),
    /// Not attempted: the stored bytes are kept.
    Skip(String),
}

fn decode(encoding: &str, data: &[u8], max: usize) -> Decoded {
    match encoding {
        "gzip" | "x-gzip" => {
            if !data.starts_with(&[0x1f, 0x8b]) {
                return Decoded::Skip(
                    "Content-Encoding gzip declared but the body is not gzip data (stored \
                     decoded?); kept as stored"
                        .into(),
                );
            }
            bounded(MultiGzDecoder::new(data), max, "gzip")
        }
        "deflate" | "x-deflate" => {
            // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
            let zlib = data.len() >= 2
                && data[0] & 0x0f == 8
                && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
            if zlib {
                bounded(ZlibDecoder::new(data), max, "deflate")
            } else {
                bounded(DeflateDecoder::new(data), max, "deflate")
            }
        }
        other => Decoded::Skip(format!(
            "unsupported Content-Encoding {other:?}; body kept as stored"
        )),
    }
}

/// Reads at most `max` decoded bytes (so a decompression bomb costs at most `max`).
fn bounded<R: Read>(r: R, max: usize, what: &str) -> Decoded {
    let mut out = Vec::new();
    let limit = (max as u64).saturating_add(1);
    match r.take(limit).read_to_end(&mut out) {
        Ok(_) => {
            let truncated = out.len() > max;
            out.truncate(max);
            Decoded::Done(out, truncated)
        }
        Err(e) => Decoded::Partial(out, format!("{what} body could not be fully decoded: {e}")),
    }
}
