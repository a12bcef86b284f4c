//! Extraction benchmark over the dev pages: pages/s and MB/s (median of runs, one thread,
//! HTML already in memory, charset detection and both text and HTML output included), with
//! dom_smoothie run on the same pages in the same process, and the F1 of both.
//!
//! ```text
//! cargo bench --bench extract            # 5 runs each
//! BENCH_RUNS=9 cargo bench --bench extract
//! ```
//! Environment: `HERALD_SHARED_DATA` (the shared data folder; default `../../../shared/data`),
//! `BENCH_RUNS` (runs per extractor, default 5), `BENCH_SKIP_PEER=1` (Herald only).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn run<F: FnMut(&common::Page) -> String>(
    name: &str,
    pages: &[common::Page],
    runs: usize,
    mut f: F,
) {
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let mut preds = Vec::new();
    let mut times = Vec::new();
    for r in 0..runs {
        let t = Instant::now();
        let out: Vec<String> = pages.iter().map(&mut f).collect();
        times.push(t.elapsed().as_secs_f64());
        if r == 0 {
            preds = out;
        }
    }
    let secs = median(times);
    let (p, rc, f1) = common::f1(
        pages
            .iter()
            .zip(&preds)
            .map(|(pg, pr)| (pg.truth.as_str(), pr.as_str())),
    );
    println!(
        "{name:<16} F1 {f1:.3} (P {p:.3} R {rc:.3})  {:>6.0} pages/s  {:>6.1} MB/s  (median of {runs} runs, {:.3}s)",
        pages.len() as f64 / secs,
        bytes as f64 / 1e6 / secs,
        secs
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either.
    let Some(dev) = common::dev_dir() else {
        println!("skipping: shared/data/extraction-dev not found (set HERALD_SHARED_DATA)");
        return;
    };
    let pages = common::load_pages(&dev);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let mb: f64 = pages.iter().map(|p| p.html.len()).sum::<usize>() as f64 / 1e6;
    println!("{} dev pages, {mb:.1} MB", pages.len());
    run("herald-extract", &pages, runs, |p| {
        match herald_extract::extract(&p.html, p.url.as_deref(), None) {
            // Both outputs are produced by `extract`; keep the HTML alive so it is not elided.
            Ok(a) => {
                std::hint::black_box(&a.html);
                a.text
            }
            Err(_) => String::new(),
        }
    });
    if std::env::var_os("BENCH_SKIP_PEER").is_none() {
        let cfg = dom_smoothie::Config {
            text_mode: dom_smoothie::TextMode::Formatted,
            ..Default::default()
        };
        run("dom_smoothie", &pages, runs, |p| {
            let html = String::from_utf8_lossy(&p.html);
            dom_smoothie::Readability::new(html.as_ref(), p.url.as_deref(), Some(cfg.clone()))
                .and_then(|mut r| r.parse())
                .map(|a| a.text_content.to_string())
                .unwrap_or_default()
        });
    }
}
