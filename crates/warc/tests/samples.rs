//! The real-world samples in `shared/data/warc-samples` (from warcio's test suite): every
//! good record is read, every bad one is reported with its offset and a reason, and no file
//! stops the reader early or makes it panic. Skips with a message when the data is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use herald_warc::{ErrorKind, Record, RecordError, WarcReader};

fn dir() -> Option<PathBuf> {
    let d = std::env::var_os("HERALD_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("warc-samples");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("skipping: {} not found", d.display());
        None
    }
}

fn read(dir: &std::path::Path, name: &str) -> (Vec<Record>, Vec<RecordError>) {
    let file = std::fs::File::open(dir.join(name)).expect(name);
    let (mut recs, mut errs) = (Vec::new(), Vec::new());
    for item in WarcReader::new(file) {
        match item {
            Ok(r) => recs.push(r),
            Err(e) => errs.push(e),
        }
    }
    (recs, errs)
}

fn kinds(recs: &[Record]) -> Vec<&str> {
    recs.iter().map(|r| r.kind.as_str()).collect()
}

fn errs(errs: &[RecordError]) -> Vec<(ErrorKind, u64)> {
    errs.iter().map(|e| (e.kind, e.offset)).collect()
}

/// (file, record kinds, errors as (kind, offset in the decompressed stream))
type Expected = (
    &'static str,
    &'static [&'static str],
    &'static [(ErrorKind, u64)],
);

const WARC6: [&str; 6] = [
    "warcinfo", "warcinfo", "response", "request", "revisit", "request",
];

#[test]
fn every_sample_file() {
    let Some(dir) = dir() else { return };
    let expected: &[Expected] = &[
        (
            "bad.arc",
            &["resource"],
            &[
                (ErrorKind::BadHeader, 0),
                (ErrorKind::BadHeader, 134),
                (ErrorKind::BadHeader, 262),
            ],
        ),
        ("example-bad-non-chunked.warc.gz", &WARC6, &[]),
        (
            "example-bad.warc.gz.bad",
            &[
                "warcinfo", "response", "request", "revisit", "request", "response",
            ],
            &[],
        ),
        ("example-digest.warc", &["request"; 4], &[]),
        (
            "example-iana.org-chunked.warc",
            &["warcinfo", "response", "request"],
            &[],
        ),
        (
            "example-resource.warc.gz",
            &["warcinfo", "warcinfo", "resource"],
            &[],
        ),
        (
            "example-space-in-target-uri.warc.gz",
            &["warcinfo", "resource"],
            &[],
        ),
        (
            "example-space-in-url.arc",
            &["arc_header"],
            &[(ErrorKind::Truncated, 151)],
        ),
        (
            "example-trunc.warc",
            &["warcinfo", "warcinfo", "response", "request"],
            &[(ErrorKind::Garbage, 2560)],
        ),
        (
            "example-wget-bad-target-uri.warc.gz",
            &[
                "warcinfo", "request", "response", "metadata", "resource", "resource",
            ],
            &[],
        ),
        (
            "example-wrong-chunks.warc.gz",
            &["response", "request"],
            &[],
        ),
        ("example.arc", &["arc_header", "response"], &[]),
        ("example.arc.gz", &["arc_header", "response"], &[]),
        ("example.warc", &WARC6, &[]),
        ("example.warc.gz", &WARC6, &[]),
        (
            "post-test.warc.gz",
            &[
                "response", "request", "response", "request", "response", "request",
            ],
            &[],
        ),
    ];
    let mut seen = 0;
    println!("{:<38} {:>7} {:>6}  errors", "file", "records", "html");
    for (name, want_kinds, want_errs) in expected {
        if !dir.join(name).exists() {
            eprintln!("skipping {name}: absent");
            continue;
        }
        seen += 1;
        let (recs, es) = read(&dir, name);
        let html = recs.iter().filter(|r| r.is_html_response()).count();
        println!("{name:<38} {:>7} {html:>6}  {}", recs.len(), es.len());
        for e in &es {
            println!("    {e}");
            assert!(!e.reason.is_empty());
        }
        assert_eq!(kinds(&recs), *want_kinds, "{name}");
        assert_eq!(errs(&es), *want_errs, "{name}: {es:#?}");
    }
    // Any other archive file in the folder must at least read without panicking.
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.contains("warc") || name.contains(".arc") {
            let _ = read(&dir, &name);
        }
    }
    assert!(seen > 0);
}

#[test]
fn sample_details() {
    let Some(dir) = dir() else { return };

    // Per-record gzip: members are where warcio's tests place them.
    let (recs, _) = read(&dir, "example.warc.gz");
    let members: Vec<_> = recs.iter().map(|r| r.gzip_member_offset).collect();
    assert_eq!(members, [0, 353, 784, 2012, 2621, 3207].map(Some).to_vec());
    let resp = &recs[2];
    assert!(resp.is_html_response());
    let h = resp.http.as_ref().unwrap();
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-encoding"), Some("gzip"));
    let html = String::from_utf8_lossy(resp.html_body().unwrap());
    assert!(html.contains("<title>Example Domain</title>"), "{html}");
    assert_eq!(resp.target_uri.as_deref(), Some("http://example.com/"));
    assert_eq!(resp.date.as_deref(), Some("2017-03-06T04:02:06Z"));
    assert!(resp.record_id.as_deref().unwrap().starts_with("<urn:uuid:"));
    // The revisit record carries headers only.
    assert_eq!(recs[4].http.as_ref().unwrap().status, 200);
    assert!(recs[4].http.as_ref().unwrap().body.is_empty());
    assert!(!recs[4].is_html_response());

    // The same records, plain: offsets are file offsets.
    let (plain, _) = read(&dir, "example.warc");
    assert_eq!(
        plain.iter().map(|r| r.offset).collect::<Vec<_>>(),
        [0, 488, 1197, 2566, 3370, 4316]
    );
    assert!(plain.iter().all(|r| r.gzip_member_offset.is_none()));
    assert_eq!(plain[2].html_body(), resp.html_body());

    // Chunked transfer encoding is undone.
    let (recs, _) = read(&dir, "example-iana.org-chunked.warc");
    let h = recs[1].http.as_ref().unwrap();
    assert!(!h.chunked_fallback);
    let body = String::from_utf8_lossy(&h.body);
    assert!(
        body.trim_end().ends_with("</html>"),
        "{}",
        &body[body.len() - 100..]
    );
    assert!(!body.starts_with("1f"), "chunk sizes left in the body");

    // A resource record carries its body directly.
    let (recs, _) = read(&dir, "example-resource.warc.gz");
    let res = &recs[2];
    assert_eq!(res.gzip_member_offset, Some(802));
    assert!(res.http.is_none());
    assert!(res.is_html_response());
    assert!(String::from_utf8_lossy(res.html_body().unwrap()).contains("<html"));

    // Malformed target URIs are kept as written (angle brackets dropped).
    let (recs, _) = read(&dir, "example-space-in-target-uri.warc.gz");
    assert_eq!(
        recs[1].target_uri.as_deref(),
        Some("file:///example with spaces.png")
    );
    let (recs, _) = read(&dir, "example-wget-bad-target-uri.warc.gz");
    assert_eq!(recs[2].target_uri.as_deref(), Some("http://example.com/"));
    assert!(recs[2].is_html_response());
    assert_eq!(
        recs[3].target_uri.as_deref(),
        Some("metadata://gnu.org/software/wget/warc/MANIFEST.txt")
    );

    // ARC: the HTTP envelope, the 14-digit date, a URL with spaces.
    for name in ["example.arc", "example.arc.gz"] {
        let (recs, _) = read(&dir, name);
        let r = &recs[1];
        assert!(r.is_html_response(), "{name}");
        assert_eq!(r.date.as_deref(), Some("2014-02-16T05:02:21Z"));
        assert_eq!(r.content_type.as_deref(), Some("text/html"));
        assert_eq!(r.http.as_ref().unwrap().body.len(), 1270);
    }
    let (_, es) = read(&dir, "example-space-in-url.arc");
    let partial = es[0].partial.as_ref().unwrap();
    assert_eq!(
        partial.target_uri.as_deref(),
        Some("http://example.com/index.cfm?FuseAction=Email&EmailTitle=Examples From The Live Web&IsPopUp=False")
    );
    assert_eq!(partial.http.as_ref().unwrap().status, 200);
    assert!(es[0]
        .reason
        .contains("ends 1579 bytes into the record's 1591-byte block"));

    // Content-Length too short by two bytes: the record is read, the two stray bytes are
    // reported, the next record is read.
    let (recs, es) = read(&dir, "example-trunc.warc");
    assert!(recs[2].is_html_response());
    assert!(recs[2].warnings.iter().any(|w| w.contains("CRLF CRLF")));
    assert!(
        es[0].reason.contains("record at byte 1197"),
        "{}",
        es[0].reason
    );

    // A record split over two gzip members is read and flagged.
    let (recs, _) = read(&dir, "example-wrong-chunks.warc.gz");
    assert!(recs[0].is_html_response());
    assert!(recs[0]
        .warnings
        .iter()
        .any(|w| w.contains("spans 2 gzip members")));
    assert_eq!(recs[1].gzip_member_offset, Some(1130));

    // Whole-file gzip: every record is in the member at byte 0.
    let (recs, _) = read(&dir, "example-bad.warc.gz.bad");
    assert!(recs.iter().all(|r| r.gzip_member_offset == Some(0)));
    assert_eq!(recs[5].http.as_ref().unwrap().status, 302);
    assert!(!recs[5].is_html_response());
}

/// Damaged copies of a real per-record gzip file, made in memory.
#[test]
fn damaged_copies_of_a_sample() {
    let Some(dir) = dir() else { return };
    let good = std::fs::read(dir.join("example.warc.gz")).unwrap();
    let read_bytes = |b: &[u8]| {
        let (mut r, mut e) = (Vec::new(), Vec::new());
        for item in WarcReader::new(b) {
            match item {
                Ok(x) => r.push(x),
                Err(x) => e.push(x),
            }
        }
        (r, e)
    };
    // Corrupt the deflate data of the response member (784..2012).
    let mut bad = good.clone();
    for b in &mut bad[1000..1040] {
        *b ^= 0x55;
    }
    let (recs, es) = read_bytes(&bad);
    assert_eq!(
        kinds(&recs),
        ["warcinfo", "warcinfo", "request", "revisit", "request"]
    );
    assert_eq!(es.len(), 1, "{es:#?}");
    assert_eq!(es[0].kind, ErrorKind::Gzip);
    assert_eq!(es[0].gzip_member_offset, Some(784));
    println!("corrupt member: {}", es[0]);

    // Cut inside the last member.
    let (recs, es) = read_bytes(&good[..3500]);
    assert_eq!(recs.len(), 5);
    assert_eq!(es.len(), 1);
    assert_eq!(es[0].gzip_member_offset, Some(3207));
    assert!(es[0].reason.contains("truncated"), "{}", es[0].reason);
    println!("cut file: {}", es[0]);

    // Garbage between two members.
    let mut bad = good[..2012].to_vec();
    bad.extend_from_slice(b"this is not gzip");
    bad.extend_from_slice(&good[2012..]);
    let (recs, es) = read_bytes(&bad);
    assert_eq!(kinds(&recs), WARC6);
    assert_eq!(es.len(), 1);
    assert_eq!(es[0].gzip_member_offset, Some(2012));
    println!("garbage between members: {}", es[0]);
}
