//! Parsing throughput of herald-feed and, in the same run, of the crate feed-rs 3.x, on the
//! feeds-dev cases and on a large synthetic feed. One table, median of several runs; feed-rs
//! errors are counted and its panics caught (`catch_unwind`) and counted.
//!
//! `cargo run --release --example throughput [-- DATA_DIR [RUNS]]` where DATA_DIR holds
//! `feeds-dev` (default `$HERALD_SHARED_DATA` or `../../../shared/data`); RUNS defaults to 7.
use std::panic::{catch_unwind, AssertUnwindSafe};
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

/// What one pass over a set of inputs gave.
#[derive(Default, Clone, Copy)]
struct Outcome {
    entries: usize,
    /// herald-feed: documents flagged bozo; feed-rs: documents rejected with an error.
    failed: usize,
    panics: usize,
}

trait Parser {
    fn name(&self) -> &'static str;
    fn parse(&self, bytes: &[u8], out: &mut Outcome);
}

struct Herald;
impl Parser for Herald {
    fn name(&self) -> &'static str {
        "herald-feed"
    }
    fn parse(&self, bytes: &[u8], out: &mut Outcome) {
        let f = herald_feed::parse(bytes, Some("http://example.com/"), None);
        out.entries += f.entries.len();
        out.failed += usize::from(f.bozo);
    }
}

struct FeedRs;
impl Parser for FeedRs {
    fn name(&self) -> &'static str {
        "feed-rs 3"
    }
    fn parse(&self, bytes: &[u8], out: &mut Outcome) {
        match catch_unwind(AssertUnwindSafe(|| feed_rs::parser::parse(bytes))) {
            Ok(Ok(f)) => out.entries += f.entries.len(),
            Ok(Err(_)) => out.failed += 1,
            Err(_) => out.panics += 1,
        }
    }
}

/// Median seconds of `runs` passes over `inputs`, and the outcome of one pass.
fn measure(p: &dyn Parser, inputs: &[Vec<u8>], runs: usize) -> (f64, Outcome) {
    let mut times = Vec::with_capacity(runs);
    let mut outcome = Outcome::default();
    for _ in 0..runs {
        let mut o = Outcome::default();
        let t = Instant::now();
        for f in inputs {
            p.parse(std::hint::black_box(f), &mut o);
        }
        times.push(t.elapsed().as_secs_f64());
        outcome = o;
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], outcome)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .or_else(|| std::env::var("HERALD_SHARED_DATA").ok())
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").to_string()
        });
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7).max(1);
    let mut files = Vec::new();
    let mut paths = Vec::new();
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
                paths.push(p);
            }
        }
    }
    let mut sets: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
    if files.is_empty() {
        println!("feeds-dev not found; synthetic feed only");
    } else {
        sets.push((format!("feeds-dev ({} files)", files.len()), files));
    }
    let big = synthetic(5_000);
    sets.push((
        format!(
            "synthetic RSS 2.0 (5000 items, {:.1} MB)",
            big.len() as f64 / 1e6
        ),
        vec![big],
    ));

    // feed-rs panics on some inputs: keep the default hook's messages out of the table.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let parsers: [&dyn Parser; 2] = [&Herald, &FeedRs];
    println!("median of {runs} runs per cell\n");
    println!(
        "| input | parser | MB/s | feeds/s | entries | errors (feed-rs) / bozo (herald) | panics |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, inputs) in &sets {
        let bytes: usize = inputs.iter().map(Vec::len).sum();
        // Many passes per run for the small dev files so that a run lasts long enough.
        let reps = (2_000_000 / bytes.max(1)).clamp(1, 20);
        let repeated: Vec<Vec<u8>> = (0..reps).flat_map(|_| inputs.iter().cloned()).collect();
        for p in parsers {
            let (secs, o) = measure(p, &repeated, runs);
            println!(
                "| {name} | {} | {:.1} | {:.0} | {} | {} | {} |",
                p.name(),
                (bytes * reps) as f64 / secs / 1e6,
                repeated.len() as f64 / secs,
                o.entries / reps,
                o.failed / reps,
                o.panics / reps
            );
        }
    }
    let panicking: Vec<_> = paths
        .iter()
        .zip(&sets.first().map(|s| s.1.clone()).unwrap_or_default())
        .filter(|(_, b)| catch_unwind(|| feed_rs::parser::parse(b.as_slice())).is_err())
        .map(|(p, _)| p.display().to_string())
        .collect();
    std::panic::set_hook(hook);
    for p in panicking {
        println!("feed-rs panics on {p}");
    }
}
