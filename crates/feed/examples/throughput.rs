//! Parsing throughput on the feeds-dev cases and on a large synthetic feed.
//!
//! `cargo run --release --example throughput [-- DATA_DIR]` where DATA_DIR holds `feeds-dev`
//! (default `$HERALD_SHARED_DATA` or `../../../shared/data`).
use std::time::Instant;

fn synthetic(items: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Synthetic</title>\
         <link>https://news.example/</link>",
    );
    for i in 0..items {
        s.push_str(&format!(
            "<item><title>Story {i} &amp; more</title><link>/story/{i}</link><guid>id-{i}</guid>\
             <pubDate>Tue, 24 Nov 2026 17:45:00 +0100</pubDate><dc:creator>Reporter {i}</dc:creator>\
             <description>&lt;p&gt;Lead of story {i} with a &lt;a href=\"/x/{i}\"&gt;link&lt;/a&gt;.&lt;/p&gt;</description>\
             <content:encoded><![CDATA[<p>Body {i}</p><p>More <b>text</b> and an <img src=\"/i/{i}.jpg\" alt=\"x\"></p><script>x()</script>]]></content:encoded>\
             <category>News</category></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s.into_bytes()
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("HERALD_SHARED_DATA").ok())
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").to_string()
        });
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir).join("feeds-dev/cases")];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                files.push(b);
            }
        }
    }
    if !files.is_empty() {
        let bytes: usize = files.iter().map(Vec::len).sum();
        let rounds = 20;
        let t = Instant::now();
        for _ in 0..rounds {
            for f in &files {
                std::hint::black_box(herald_feed::parse(f, Some("http://example.com/"), None));
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "feeds-dev: {} files, {:.0} feeds/s, {:.1} MB/s",
            files.len(),
            (files.len() * rounds) as f64 / secs,
            (bytes * rounds) as f64 / secs / 1e6
        );
    } else {
        println!("feeds-dev not found; synthetic only");
    }
    let big = synthetic(5_000);
    let t = Instant::now();
    let rounds = 5;
    let mut n = 0;
    for _ in 0..rounds {
        n = herald_feed::parse(&big, Some("https://news.example/feed"), None)
            .entries
            .len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "synthetic: {:.1} MB, {n} items, {:.1} MB/s, {:.0} items/s",
        big.len() as f64 / 1e6,
        (big.len() * rounds) as f64 / secs / 1e6,
        (n * rounds) as f64 / secs
    );
}
