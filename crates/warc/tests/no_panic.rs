//! Property tests: arbitrary bytes and mutated archives (plain and gzip) never make the
//! reader panic or loop, and every item is bounded by the limits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use herald_warc::{write_record, write_response_record, Limits, WarcReader};
use proptest::prelude::*;

fn limits() -> Limits {
    Limits {
        max_header_bytes: 512,
        max_record_bytes: 4096,
        max_body_bytes: 2048,
    }
}

/// Reads everything; checks termination and bounds.
fn drain(bytes: &[u8]) {
    let l = limits();
    let mut items = 0usize;
    for item in WarcReader::with_limits(bytes, l.clone()) {
        items += 1;
        // Every item consumes input (or a gzip member), so there are never more items than
        // bytes, plus the final error.
        assert!(items <= bytes.len() + 1, "too many items");
        match item {
            Ok(r) => {
                assert!(r.body.len() <= l.max_record_bytes);
                if let Some(h) = &r.http {
                    assert!(h.body.len() <= l.max_body_bytes);
                }
                let _ = r.html_body();
            }
            Err(e) => {
                assert!(!e.reason.is_empty());
                let _ = e.to_string();
            }
        }
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A small valid archive with every kind of record and envelope; per-record gzip if asked.
fn seed(gz: bool) -> Vec<u8> {
    let mut f = Vec::new();
    write_record(
        &mut f,
        "warcinfo",
        &[("Content-Type", "application/warc-fields")],
        b"software: t\r\n",
        gz,
    )
    .unwrap();
    write_response_record(
        &mut f,
        "http://e/1",
        "2026-01-01T00:00:00Z",
        200,
        &[("Content-Type", "text/html")],
        b"<html>one</html>",
        gz,
    )
    .unwrap();
    let mut http =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
    let z = gzip(b"<html>two two two two</html>");
    http.extend_from_slice(format!("{:x}\r\n", z.len()).as_bytes());
    http.extend_from_slice(&z);
    http.extend_from_slice(b"\r\n0\r\n\r\n");
    write_record(
        &mut f,
        "response",
        &[
            ("WARC-Target-URI", "<http://e/2 x>"),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        &http,
        gz,
    )
    .unwrap();
    write_record(
        &mut f,
        "resource",
        &[
            ("WARC-Target-URI", "file:///a b"),
            ("Content-Type", "text/html"),
        ],
        b"<p>r</p>",
        gz,
    )
    .unwrap();
    write_record(
        &mut f,
        "revisit",
        &[("Content-Type", "application/http; msgtype=response")],
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n",
        gz,
    )
    .unwrap();
    f
}

const ARC: &[u8] = b"filedesc://t.arc 0.0.0.0 20260101000000 text/plain 65\n1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n\nhttp://e/a b 1.2.3.4 20260102030405 text/html 60\nHTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>one</html>\n";

fn mutate(mut data: Vec<u8>, ops: &[(u8, usize, u8)]) -> Vec<u8> {
    for &(op, at, byte) in ops {
        if data.is_empty() {
            data.push(byte);
            continue;
        }
        let at = at % data.len();
        match op % 6 {
            0 => data[at] ^= byte | 1,
            1 => data.insert(at, byte),
            2 => {
                data.remove(at);
            }
            3 => data.truncate(at),
            4 => {
                let end = (at + usize::from(byte)).min(data.len());
                let chunk = data[at..end].to_vec();
                data.splice(at..at, chunk);
            }
            _ => {
                // Digits and line ends where lengths and separators are.
                data[at] = b"0123456789\r\n :"[usize::from(byte) % 14];
            }
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        drain(&bytes);
        // The same bytes behind a gzip or a WARC prefix reach the deeper layers.
        drain(&gzip(&bytes));
        let mut w = b"WARC/1.0\r\nContent-Length: 40\r\nWARC-Type: response\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n".to_vec();
        w.extend_from_slice(&bytes);
        drain(&w);
        let mut gz_magic = vec![0x1f, 0x8b, 0x08];
        gz_magic.extend_from_slice(&bytes);
        drain(&gz_magic);
    }

    #[test]
    fn mutated_archives(
        which in 0u8..4,
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..12),
    ) {
        let base = match which {
            0 => seed(false),
            1 => seed(true),
            2 => gzip(&seed(false)),
            _ => ARC.to_vec(),
        };
        drain(&mutate(base, &ops));
    }
}

#[test]
fn seeds_are_clean() {
    for (i, s) in [seed(false), seed(true), gzip(&seed(false)), ARC.to_vec()]
        .iter()
        .enumerate()
    {
        let items: Vec<_> = WarcReader::new(&s[..]).collect();
        assert!(items.iter().all(Result::is_ok), "seed {i}: {items:#?}");
        let html = items
            .iter()
            .filter(|r| r.as_ref().unwrap().is_html_response())
            .count();
        assert_eq!(html, if i == 3 { 1 } else { 3 }, "seed {i}");
    }
}
