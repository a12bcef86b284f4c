//! Scale benchmark: `cargo run --release --example bench_scale [-- --n 1000000]
//! [--file ../../../shared/data/news-corpus/reuters21578.jsonl.gz]`
//!
//! Feeds Reuters-21578 repeated with new ids (`<id>~<copy>`) and dates moved forward
//! one year per copy (so old stories and fingerprints age out) through one engine,
//! and prints, at 10k, 100k and 1M articles, the median time per article over the
//! preceding blocks of 1,000 articles, the live stories and fingerprints and the
//! approximate bytes of the engine's state. `--set key=value` overrides a `Config`
//! field (e.g. `--set split_gain=0` to time the engine without splits).

use std::io::Read;
use std::time::Instant;

use herald_dedup::eval::parse_time;
use herald_dedup::{Article, Config, Engine};

struct Doc {
    id: String,
    title: String,
    body: String,
    published: Option<i64>,
}

fn load(path: &str) -> Result<Vec<Doc>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(f)
        .read_to_string(&mut text)
        .map_err(|e| format!("{path}: {e}"))?;
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
        out.push(Doc {
            id: s("id"),
            title: s("title"),
            body: s("body"),
            published: v["published"].as_str().and_then(parse_time),
        });
    }
    Ok(out)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        0.0
    } else {
        v[v.len() / 2]
    }
}

fn main() -> Result<(), String> {
    let mut n = 1_000_000usize;
    let mut file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/news-corpus/reuters21578.jsonl.gz"
    )
    .to_string();
    let mut cfg = Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--n" => n = args.next().and_then(|x| x.parse().ok()).ok_or("--n N")?,
            "--file" => file = args.next().ok_or("--file PATH")?,
            "--set" => {
                let kv = args.next().ok_or("--set key=value")?;
                let (k, v) = kv.split_once('=').ok_or("--set key=value")?;
                let mut j = serde_json::to_value(&cfg).map_err(|e| e.to_string())?;
                if j.get(k).is_none() {
                    return Err(format!("unknown setting {k}"));
                }
                j[k] = serde_json::from_str(v).map_err(|e| e.to_string())?;
                cfg = serde_json::from_value(j).map_err(|e| e.to_string())?;
            }
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let docs = load(&file)?;
    if docs.is_empty() {
        return Err("no articles".into());
    }
    let bytes: usize = docs.iter().map(|d| d.title.len() + d.body.len()).sum();
    println!(
        "{} source articles, mean {} bytes of text; {} articles in total",
        docs.len(),
        bytes / docs.len(),
        n
    );
    let checkpoints = [10_000usize, 100_000, 1_000_000];
    const BLOCK: usize = 1_000;
    let mut engine = Engine::new(cfg);
    let mut blocks: Vec<f64> = Vec::new();
    let mut block_start = Instant::now();
    let (mut dups, mut new_stories, mut splits, mut merges) = (0usize, 0usize, 0usize, 0usize);
    println!("| articles | median µs/article (last 10 blocks of 1k) | live stories | live fingerprints | approx. state MB | duplicates | stories started | merges | splits |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let year = 365 * 86_400i64;
    for i in 0..n {
        let d = &docs[i % docs.len()];
        let copy = (i / docs.len()) as i64;
        let id = format!("{}~{copy}", d.id);
        let a = engine.add(&Article {
            id: &id,
            title: &d.title,
            body: &d.body,
            source: Some("reuters"),
            published: d.published.map(|t| t + copy * year),
        });
        dups += usize::from(a.duplicate_of.is_some());
        new_stories += usize::from(a.new_story);
        splits += usize::from(!a.moved.is_empty());
        merges += a.merged.len();
        if (i + 1) % BLOCK == 0 {
            blocks.push(block_start.elapsed().as_secs_f64() * 1e6 / BLOCK as f64);
            block_start = Instant::now();
        }
        if checkpoints.contains(&(i + 1)) || i + 1 == n {
            let s = engine.stats();
            let k = blocks.len().min(10);
            let mut last: Vec<f64> = blocks[blocks.len() - k..].to_vec();
            println!(
                "| {} | {:.1} | {} | {} | {:.1} | {} | {} | {} | {} |",
                i + 1,
                median(&mut last),
                s.live_stories,
                s.live_articles,
                s.approx_bytes as f64 / 1e6,
                dups,
                new_stories,
                merges,
                splits
            );
            block_start = Instant::now();
        }
    }
    let mut all = blocks.clone();
    println!("median over all blocks: {:.1} µs/article", median(&mut all));
    Ok(())
}
