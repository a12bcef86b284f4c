//! `herald bench import FILE`: import+index throughput on real data.

use crate::cli::BenchImportArgs;
use crate::commands::import::read_all;
use anyhow::{Context, Result};
use herald_ingest::{import_jsonl, ImportOptions};
use std::path::Path;
use std::time::Instant;

struct Run {
    articles: u64,
    secs: f64,
    index_bytes: u64,
    store_bytes: u64,
}

pub async fn run(args: &BenchImportArgs, writer_memory_mb: usize) -> Result<()> {
    let bytes = read_all(&args.file)?;
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    println!(
        "bench import: {} ({} lines, {:.1} MB decompressed), {} runs; each run imports into a fresh store and index",
        args.file.display(),
        lines,
        bytes.len() as f64 / 1e6,
        args.runs
    );
    println!(
        "{:>4} {:>9} {:>8} {:>12} {:>12} {:>12}",
        "run", "articles", "secs", "articles/s", "index MB", "store MB"
    );
    let mut runs = Vec::new();
    for i in 1..=args.runs.max(1) {
        let run = one_run(&bytes, writer_memory_mb).await?;
        println!(
            "{:>4} {:>9} {:>8.2} {:>12.0} {:>12.1} {:>12.1}",
            i,
            run.articles,
            run.secs,
            run.articles as f64 / run.secs,
            run.index_bytes as f64 / 1e6,
            run.store_bytes as f64 / 1e6
        );
        runs.push(run);
    }
    let mut rates: Vec<f64> = runs.iter().map(|r| r.articles as f64 / r.secs).collect();
    rates.sort_by(|a, b| a.total_cmp(b));
    let median = rates[rates.len() / 2];
    let last = runs.last().context("no runs")?;
    let per_k = |b: u64| b as f64 / 1024.0 / (last.articles as f64 / 1000.0).max(1e-9);
    println!(
        "median: {median:.0} articles/s (min {:.0}, max {:.0})",
        rates[0],
        rates[rates.len() - 1]
    );
    println!(
        "index size: {:.0} KiB per 1,000 articles; store size: {:.0} KiB per 1,000 articles",
        per_k(last.index_bytes),
        per_k(last.store_bytes)
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "peak memory (RSS high-water mark of this process): {:.0} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("peak memory: not available on this platform"),
    }
    Ok(())
}

async fn one_run(bytes: &[u8], writer_memory_mb: usize) -> Result<Run> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let (store, index) = crate::app::scratch(dir.path()).await?;
    let mut indexer = index.indexer(writer_memory_mb.max(16) * 1024 * 1024)?;
    let started = Instant::now();
    let summary = import_jsonl(
        "bench",
        bytes,
        &store,
        Some(&mut indexer),
        &ImportOptions::default(),
        |_| {},
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    drop(indexer);
    let index_bytes = dir_size(&dir.path().join("index"));
    Ok(Run {
        articles: summary.inserted + summary.updated + summary.unchanged,
        secs,
        index_bytes,
        store_bytes: dir_size(dir.path()) - index_bytes,
    })
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// VmHWM from /proc: the most resident memory this process has used.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
