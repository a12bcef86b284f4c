//! A small WARC writer: enough to build test archives and benchmark inputs.

use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::write::GzEncoder;
use flate2::Compression;

static SERIAL: AtomicU64 = AtomicU64::new(0);

/// A `urn:uuid:` record id derived from the inputs and a process-wide serial number
/// (unique within a process, reproducible across runs).
pub fn record_id(seed: &str) -> String {
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    let mut words = [0u64; 2];
    for (i, w) in words.iter_mut().enumerate() {
        let mut h = std::hash::DefaultHasher::new();
        (seed, serial, i).hash(&mut h);
        *w = h.finish();
    }
    let b: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
    let hex = |r: std::ops::Range<usize>| -> String {
        b[r].iter().map(|x| format!("{x:02x}")).collect::<String>()
    };
    // Shaped as a version-4 UUID.
    format!(
        "<urn:uuid:{}-{}-4{}-{:x}{}-{}>",
        hex(0..4),
        hex(4..6),
        &hex(6..8)[1..],
        8 | (b[8] & 3),
        &hex(8..10)[1..],
        hex(10..16)
    )
}

/// Writes one WARC/1.1 record: `WARC-Type`, the given header fields (a `WARC-Record-ID`
/// is added when absent), `Content-Length`, the block and the closing CRLF CRLF. With
/// `gzip`, the record is one gzip member, as per-record compressed `.warc.gz` files are
/// made. Returns the number of bytes written.
pub fn write_record<W: Write>(
    out: &mut W,
    kind: &str,
    headers: &[(&str, &str)],
    block: &[u8],
    gzip: bool,
) -> io::Result<u64> {
    let mut rec = Vec::with_capacity(block.len() + 512);
    rec.extend_from_slice(b"WARC/1.1\r\n");
    rec.extend_from_slice(format!("WARC-Type: {kind}\r\n").as_bytes());
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("WARC-Record-ID"))
    {
        let seed = headers
            .iter()
            .map(|(k, v)| format!("{k}={v};"))
            .collect::<String>();
        rec.extend_from_slice(format!("WARC-Record-ID: {}\r\n", record_id(&seed)).as_bytes());
    }
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("Content-Length") || k.eq_ignore_ascii_case("WARC-Type") {
            continue;
        }
        // No line breaks inside a field: they would end the header.
        let v = v.replace(['\r', '\n'], " ");
        rec.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    rec.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    rec.extend_from_slice(block);
    rec.extend_from_slice(b"\r\n\r\n");
    let bytes = if gzip {
        let mut enc = GzEncoder::new(Vec::with_capacity(rec.len() / 3), Compression::default());
        enc.write_all(&rec)?;
        enc.finish()?
    } else {
        rec
    };
    out.write_all(&bytes)?;
    Ok(bytes.len() as u64)
}

/// Writes a `response` record holding an HTTP/1.1 response with the given status, header
/// fields (`Content-Length` is added) and body. `date` is the WARC-Date (ISO 8601, e.g.
/// `2026-01-02T03:04:05Z`). Returns the number of bytes written.
pub fn write_response_record<W: Write>(
    out: &mut W,
    target_uri: &str,
    date: &str,
    status: u16,
    http_headers: &[(&str, &str)],
    body: &[u8],
    gzip: bool,
) -> io::Result<u64> {
    let mut block = Vec::with_capacity(body.len() + 256);
    block.extend_from_slice(format!("HTTP/1.1 {status} {}\r\n", reason(status)).as_bytes());
    for (k, v) in http_headers {
        if k.eq_ignore_ascii_case("Content-Length") {
            continue;
        }
        let v = v.replace(['\r', '\n'], " ");
        block.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    block.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    block.extend_from_slice(body);
    write_record(
        out,
        "response",
        &[
            ("WARC-Target-URI", target_uri),
            ("WARC-Date", date),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        &block,
        gzip,
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}
