//! Small archives built in code: the HTTP envelope (chunked, gzip, deflate, bombs), bounds,
//! and recovery from each kind of damage, with offsets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::Compression;
use herald_warc::{
    write_record, write_response_record, ErrorKind, Limits, Record, RecordError, RecordKind,
    WarcReader,
};

fn read_all(bytes: &[u8]) -> (Vec<Record>, Vec<RecordError>) {
    read_with(bytes, Limits::default())
}

fn read_with(bytes: &[u8], limits: Limits) -> (Vec<Record>, Vec<RecordError>) {
    let (mut recs, mut errs) = (Vec::new(), Vec::new());
    for item in WarcReader::with_limits(bytes, limits) {
        match item {
            Ok(r) => recs.push(r),
            Err(e) => errs.push(e),
        }
    }
    (recs, errs)
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A response record whose HTTP message is given raw.
fn raw_response(uri: &str, http: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_record(
        &mut out,
        "response",
        &[
            ("WARC-Target-URI", uri),
            ("WARC-Date", "2026-01-02T03:04:05Z"),
            ("Content-Type", "application/http; msgtype=response"),
        ],
        http,
        false,
    )
    .unwrap();
    out
}

fn page(i: usize) -> String {
    format!("<!doctype html><html><head><title>Page {i}</title></head><body><p>Story {i}</p></body></html>")
}

#[test]
fn round_trip_per_record_gzip_with_offsets() {
    let mut file = Vec::new();
    let mut starts = Vec::new();
    for i in 0..5 {
        starts.push(file.len() as u64);
        write_response_record(
            &mut file,
            &format!("https://news.example/story/{i}"),
            "2026-01-02T03:04:05Z",
            200,
            &[("Content-Type", "text/html; charset=utf-8")],
            page(i).as_bytes(),
            true,
        )
        .unwrap();
    }
    let (recs, errs) = read_all(&file);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(recs.len(), 5);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r.kind, RecordKind::Response);
        assert_eq!(r.version, "WARC/1.1");
        assert_eq!(r.gzip_member_offset, Some(starts[i]));
        assert!(r.is_html_response());
        assert_eq!(r.html_body().unwrap(), page(i).as_bytes());
        assert_eq!(
            r.target_uri.as_deref(),
            Some(&*format!("https://news.example/story/{i}"))
        );
        assert_eq!(r.date.as_deref(), Some("2026-01-02T03:04:05Z"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let h = r.http.as_ref().unwrap();
        assert_eq!(h.mime_type().as_deref(), Some("text/html"));
    }
    let ids: std::collections::HashSet<_> = recs.iter().map(|r| r.record_id.clone()).collect();
    assert_eq!(ids.len(), 5, "record ids are unique");

    // The same records uncompressed, and as one whole-file gzip member.
    let mut plain = Vec::new();
    for i in 0..5 {
        write_response_record(&mut plain, "u", "d", 200, &[], page(i).as_bytes(), false).unwrap();
    }
    let (recs, errs) = read_all(&plain);
    assert_eq!((recs.len(), errs.len()), (5, 0));
    assert_eq!(recs[0].offset, 0);
    assert!(recs.iter().all(|r| r.gzip_member_offset.is_none()));
    // No Content-Type: sniffed as HTML.
    assert!(recs[0].is_html_response());
    let (recs2, errs) = read_all(&gz(&plain));
    assert_eq!((recs2.len(), errs.len()), (5, 0));
    assert!(recs2.iter().all(|r| r.gzip_member_offset == Some(0)));
    assert_eq!(
        recs.iter().map(|r| r.offset).collect::<Vec<_>>(),
        recs2.iter().map(|r| r.offset).collect::<Vec<_>>()
    );
}

#[test]
fn http_envelope_decoding() {
    let html = page(7);
    // Chunked, with an extension and a trailer.
    let mut chunked =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    let (a, b) = html.split_at(10);
    chunked.extend_from_slice(
        format!(
            "{:x};ext=1\r\n{a}\r\n{:X}\r\n{b}\r\n0\r\nX-Trailer: y\r\n\r\n",
            a.len(),
            b.len()
        )
        .as_bytes(),
    );
    // Chunked, then gzip.
    let mut gz_chunked = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let z = gz(html.as_bytes());
    gz_chunked.extend_from_slice(format!("{:x}\r\n", z.len()).as_bytes());
    gz_chunked.extend_from_slice(&z);
    gz_chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    // Deflate, zlib-wrapped and raw.
    let mut zl = ZlibEncoder::new(Vec::new(), Compression::fast());
    zl.write_all(html.as_bytes()).unwrap();
    let mut zlib =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: deflate\r\n\r\n".to_vec();
    zlib.extend_from_slice(&zl.finish().unwrap());
    let mut df = DeflateEncoder::new(Vec::new(), Compression::fast());
    df.write_all(html.as_bytes()).unwrap();
    let mut raw_deflate =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: deflate\r\n\r\n".to_vec();
    raw_deflate.extend_from_slice(&df.finish().unwrap());
    // Declared chunked but stored de-chunked (as many crawlers do): fallback, flagged.
    let mut wrong =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    wrong.extend_from_slice(html.as_bytes());
    // LF-only header lines and a folded header.
    let mut lf = b"HTTP/1.0 200 OK\nContent-Type:\n text/html\n\n".to_vec();
    lf.extend_from_slice(html.as_bytes());

    let mut file = Vec::new();
    for m in [&chunked, &gz_chunked, &zlib, &raw_deflate, &wrong, &lf] {
        file.extend_from_slice(&raw_response("http://e.example/", m));
    }
    let (recs, errs) = read_all(&file);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(recs.len(), 6);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(
            r.html_body(),
            Some(html.as_bytes()),
            "record {i}: {:?}",
            r.warnings
        );
        assert_eq!(
            r.http.as_ref().unwrap().chunked_fallback,
            i == 4,
            "record {i}"
        );
    }
    assert!(recs[4].warnings[0].contains("not validly chunked"));
    assert_eq!(
        recs[5].http.as_ref().unwrap().header("CONTENT-TYPE"),
        Some("text/html")
    );

    // Non-2xx responses and non-HTML types are not HTML responses.
    let mut f = raw_response(
        "http://e/",
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<html>",
    );
    f.extend(raw_response(
        "http://e/",
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
    ));
    f.extend(raw_response("http://e/", b"not http at all"));
    let (recs, errs) = read_all(&f);
    assert!(errs.is_empty());
    assert!(recs.iter().all(|r| !r.is_html_response()));
    assert_eq!(recs[0].http.as_ref().unwrap().status, 404);
    assert!(recs[2].http.is_none());
    assert!(recs[2].warnings[0].contains("HTTP envelope unreadable"));
}

#[test]
fn decompression_bombs_are_bounded() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bomb = gz(&zeros);
    let mut http =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
    http.extend_from_slice(&bomb);
    let file = raw_response("http://bomb.example/", &http);
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        ..Limits::default()
    };
    let (recs, errs) = read_with(&file, limits);
    assert!(errs.is_empty());
    let h = recs[0].http.as_ref().unwrap();
    assert_eq!(h.body.len(), 64 * 1024);
    assert!(h.body_truncated);
    assert!(recs[0].warnings.iter().any(|w| w.contains("cut at")));
    // A truncated gzip body keeps what could be decoded, flagged.
    let mut http =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
    let z = gz(page(1).repeat(50).as_bytes());
    http.extend_from_slice(&z[..z.len() - 20]);
    let (recs, _) = read_all(&raw_response("http://e/", &http));
    let h = recs[0].http.as_ref().unwrap();
    assert!(h.decoding_error.is_some());
    assert!(!h.body.is_empty() && page(1).repeat(50).as_bytes().starts_with(&h.body));
}

#[test]
fn bounds_on_headers_and_blocks() {
    let limits = Limits {
        max_header_bytes: 1024,
        max_record_bytes: 100,
        max_body_bytes: 1000,
    };
    let mut file = Vec::new();
    // A header with an endless field.
    file.extend_from_slice(b"WARC/1.0\r\nWARC-Type: resource\r\nX-Long: ");
    file.extend(std::iter::repeat_n(b'a', 5000));
    file.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\nok\r\n\r\n");
    let long_at = file.len() as u64;
    // A block longer than the record bound: kept in part, flagged, and the next record is
    // still found.
    write_record(
        &mut file,
        "resource",
        &[("Content-Type", "text/html")],
        &[b'x'; 1000],
        false,
    )
    .unwrap();
    let next_at = file.len() as u64;
    write_record(&mut file, "metadata", &[], b"after", false).unwrap();
    let (recs, errs) = read_with(&file, limits);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].kind, ErrorKind::HeaderTooLong);
    assert_eq!(errs[0].offset, 0);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].offset, long_at);
    assert!(recs[0].truncated);
    assert_eq!(recs[0].body.len(), 100);
    assert_eq!(recs[0].content_length, 1000);
    assert_eq!(recs[1].offset, next_at);
    assert_eq!(recs[1].body, b"after");
}

#[test]
fn recovery_from_damage_with_offsets() {
    let rec = |i: usize| {
        let mut v = Vec::new();
        write_response_record(
            &mut v,
            &format!("http://e/{i}"),
            "2026-01-01T00:00:00Z",
            200,
            &[("Content-Type", "text/html")],
            page(i).as_bytes(),
            false,
        )
        .unwrap();
        v
    };
    let mut file = rec(0);
    let garbage_at = file.len() as u64;
    file.extend_from_slice(b"some junk\r\nWARC-but-not-a-header\r\n");
    let missing_len_at = file.len() as u64;
    file.extend_from_slice(b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://e/nolen\r\n\r\nHTTP/1.1 200 OK\r\n\r\nbody\r\n\r\n");
    let bad_len_at = file.len() as u64;
    file.extend_from_slice(
        b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 12x\r\n\r\nabc\r\n\r\n",
    );
    let good_at = file.len() as u64;
    file.extend(rec(1));
    // A record whose Content-Length is too long swallows the start of the next record:
    // then the input ends inside it.
    let trunc_at = file.len() as u64;
    file.extend_from_slice(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: <http://e/last>\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n<html>cut");
    let (recs, errs) = read_all(&file);
    let got: Vec<_> = errs.iter().map(|e| (e.kind, e.offset)).collect();
    assert_eq!(
        got,
        [
            (ErrorKind::Garbage, garbage_at),
            (ErrorKind::BadHeader, missing_len_at),
            (ErrorKind::BadHeader, bad_len_at),
            (ErrorKind::Truncated, trunc_at),
        ]
    );
    assert!(errs[0].reason.contains("unexpected data"), "{}", errs[0]);
    assert!(errs[1].reason.contains("no Content-Length"), "{}", errs[1]);
    assert_eq!(errs[1].target_uri.as_deref(), Some("http://e/nolen"));
    assert!(
        errs[2].reason.contains("invalid Content-Length"),
        "{}",
        errs[2]
    );
    assert!(
        errs[3]
            .reason
            .contains("ends 9 bytes into the record's 100-byte block"),
        "{}",
        errs[3]
    );
    let partial = errs[3].partial.as_ref().unwrap();
    assert_eq!(partial.body, b"<html>cut");
    assert_eq!(partial.target_uri.as_deref(), Some("http://e/last"));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].offset, good_at);
    for e in &errs {
        println!("{e}");
    }

    // The input ends inside a header.
    let (recs, errs) = read_all(b"WARC/1.0\r\nWARC-Type: res");
    assert!(recs.is_empty());
    assert_eq!(errs[0].kind, ErrorKind::Truncated);
    // Not an archive at all: one error, no records.
    let (recs, errs) = read_all(b"<html>hello</html>\n".repeat(100).as_slice());
    assert_eq!((recs.len(), errs.len()), (0, 1));
    assert_eq!(errs[0].kind, ErrorKind::Garbage);
    // Empty input: nothing.
    let (recs, errs) = read_all(b"");
    assert!(recs.is_empty() && errs.is_empty());
}

#[test]
fn gzip_damage_between_and_inside_members() {
    let mut file = Vec::new();
    let mut starts = Vec::new();
    for i in 0..4 {
        starts.push(file.len());
        write_response_record(
            &mut file,
            &format!("http://e/{i}"),
            "d",
            200,
            &[],
            page(i).as_bytes(),
            true,
        )
        .unwrap();
    }
    // Corrupt member 1 thoroughly; insert garbage before member 3.
    let mut bad = file.clone();
    for b in &mut bad[starts[1] + 12..starts[2] - 10] {
        *b = b.wrapping_mul(7).wrapping_add(3);
    }
    bad.splice(starts[3]..starts[3], b"\0\0\0\0garbage".iter().copied());
    let (recs, errs) = read_all(&bad);
    assert_eq!(
        recs.iter()
            .map(|r| r.target_uri.clone().unwrap())
            .collect::<Vec<_>>(),
        ["http://e/0", "http://e/2", "http://e/3"]
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(errs[0].kind, ErrorKind::Gzip);
    assert_eq!(errs[0].gzip_member_offset, Some(starts[1] as u64));
    assert_eq!(errs[1].kind, ErrorKind::Gzip);
    assert_eq!(errs[1].gzip_member_offset, Some(starts[3] as u64));
    assert_eq!(recs[2].gzip_member_offset, Some(starts[3] as u64 + 11));
    for e in &errs {
        println!("{e}");
    }
    // Truncated inside the last member.
    let cut = &file[..file.len() - 30];
    let (recs, errs) = read_all(cut);
    assert_eq!(recs.len(), 3);
    assert_eq!(errs.len(), 1);
    assert!(errs[0].reason.contains("truncated"));
}

#[test]
fn arc_files() {
    let body1 = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>one</html>";
    let desc = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n";
    let mut f = format!(
        "filedesc://t.arc 0.0.0.0 20260101000000 text/plain {}\n",
        desc.len()
    )
    .into_bytes();
    f.extend_from_slice(desc);
    f.extend_from_slice(b"\n");
    let second = f.len() as u64;
    f.extend_from_slice(
        format!(
            "http://e.example/a b?c=d e 1.2.3.4 20260102030405 text/html {}\n",
            body1.len()
        )
        .as_bytes(),
    );
    f.extend_from_slice(body1);
    f.extend_from_slice(b"\n");
    f.extend_from_slice(b"dns:e.example 1.2.3.4 20260102030405 text/dns 7\n1.2.3.4\n");
    let (recs, errs) = read_all(&f);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0].kind, RecordKind::ArcHeader);
    assert_eq!(recs[1].offset, second);
    assert_eq!(
        recs[1].target_uri.as_deref(),
        Some("http://e.example/a b?c=d e")
    );
    assert_eq!(recs[1].date.as_deref(), Some("2026-01-02T03:04:05Z"));
    assert_eq!(recs[1].html_body(), Some(&b"<html>one</html>"[..]));
    assert_eq!(recs[1].header("IP-address"), Some("1.2.3.4"));
    assert_eq!(recs[2].kind, RecordKind::Resource);
    assert_eq!(recs[2].body, b"1.2.3.4");
    // gzip per record, as .arc.gz files are written.
    let (recs2, errs) = read_all(&[gz(&f[..second as usize]), gz(&f[second as usize..])].concat());
    assert!(errs.is_empty());
    assert_eq!(recs2.len(), 3);
    assert_eq!(recs2[1].html_body(), recs[1].html_body());
}
