//! Reader throughput: builds WARCs in a temporary folder from the HTML pages of
//! `extraction-dev/html` (one `response` record per page; per-record gzip, and plain) and
//! times the reader alone (records parsed, HTTP envelopes decoded, HTML bodies touched).
//!
//! `cargo run --release --example warc_throughput [-- DATA_DIR [COPIES]]`, DATA_DIR holding
//! `extraction-dev` (default `$HERALD_SHARED_DATA` or `../../../shared/data`), COPIES the
//! number of times the page set is written (default 4).
use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use herald_warc::{write_response_record, WarcReader};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let data = args
        .next()
        .or_else(|| std::env::var("HERALD_SHARED_DATA").ok())
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").into());
    let copies: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(4);
    let dir = std::path::Path::new(&data).join("extraction-dev/html");
    let mut pages = Vec::new();
    for e in std::fs::read_dir(&dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "html") {
            pages.push((
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path())?,
            ));
        }
    }
    pages.sort();
    let html_bytes: usize = pages.iter().map(|(_, p)| p.len()).sum::<usize>() * copies;
    println!(
        "{} pages x {copies} = {} records, {:.1} MB of HTML",
        pages.len(),
        pages.len() * copies,
        html_bytes as f64 / 1e6
    );
    let tmp = tempfile::tempdir()?;
    println!(
        "{:<22} {:>9} {:>8} {:>10} {:>12} {:>12}",
        "file", "size MB", "records", "records/s", "file MB/s", "HTML MB/s"
    );
    for gzip in [true, false] {
        let path = tmp
            .path()
            .join(if gzip { "pages.warc.gz" } else { "pages.warc" });
        let mut out = BufWriter::new(File::create(&path)?);
        for c in 0..copies {
            for (name, html) in &pages {
                write_response_record(
                    &mut out,
                    &format!("https://news.example/{c}/{name}"),
                    "2026-01-02T03:04:05Z",
                    200,
                    &[("Content-Type", "text/html; charset=utf-8")],
                    html,
                    gzip,
                )?;
            }
        }
        out.flush()?;
        drop(out);
        let size = std::fs::metadata(&path)?.len() as f64;
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = 0;
            let mut body = 0usize;
            for item in WarcReader::new(File::open(&path)?) {
                let rec = item.map_err(|e| std::io::Error::other(e.to_string()))?;
                if let Some(h) = rec.html_body() {
                    body += h.len();
                    n += 1;
                }
            }
            std::hint::black_box(body);
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let secs = times[times.len() / 2];
        println!(
            "{:<22} {:>9.1} {:>8} {:>10.0} {:>12.1} {:>12.1}",
            path.file_name().unwrap_or_default().to_string_lossy(),
            size / 1e6,
            n,
            n as f64 / secs,
            size / secs / 1e6,
            html_bytes as f64 / secs / 1e6
        );
    }
    println!("(median of 5 runs; the reader alone, reading from the page cache)");
    Ok(())
}
