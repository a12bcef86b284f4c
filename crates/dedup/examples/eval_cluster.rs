//! `cargo run --release --example eval_cluster -- FILE.jsonl [--pairs PAIRS.jsonl]
//!   [--out ASSIGN.jsonl] [--shuffle N] [--no-time] [--set key=value ...]`
//!
//! Runs the engine over a labelled file as ingest would and prints the figures.
//! `--shuffle N` also reports the mean over N seeded shuffled orders (seeds 1..=N).
//! `--cold` starts from empty term statistics instead of warming them with the file
//! (see `eval::Options`). `--no-time` disables time windows and decay. `--set` overrides a `Config` field
//! (numbers only), e.g. `--set join_threshold=0.2`.

use std::io::Write;

use herald_dedup::eval::{self, EvalReport};
use herald_dedup::Config;

fn print(label: &str, r: &EvalReport) {
    let f = |p: Option<herald_dedup::eval::Prf>| {
        p.map_or("-".to_string(), |p| {
            format!("P {:.3} R {:.3} F1 {:.3}", p.precision, p.recall, p.f1)
        })
    };
    println!(
        "{label}: {} articles, {} stories (gold {}), {} duplicates, {} merges, {} splits, runs {}",
        r.articles, r.stories, r.gold_stories, r.duplicates, r.merges, r.splits, r.runs
    );
    println!("  B-cubed         {}", f(r.bcubed));
    println!("  pairwise        {}", f(r.pairwise));
    println!("  near-duplicates {}", f(r.near_duplicates));
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut pairs_file = None;
    let mut out = None;
    let mut shuffles = 0u64;
    let mut cfg = Config::default();
    let mut opts = eval::Options::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--pairs" => pairs_file = args.next(),
            "--out" => out = args.next(),
            "--shuffle" => {
                shuffles = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--shuffle N")?
            }
            "--cold" => opts.warm_idf = false,
            "--warm" => opts.warm_idf = true,
            "--no-time" => {
                let keep = cfg.clone();
                cfg = Config {
                    dup_window_secs: None,
                    story_window_secs: None,
                    decay_days: 0.0,
                    ..keep
                };
            }
            "--set" => {
                let kv = args.next().ok_or("--set key=value")?;
                let (k, v) = kv.split_once('=').ok_or("--set key=value")?;
                let mut j = serde_json::to_value(&cfg).map_err(|e| e.to_string())?;
                let num: serde_json::Value = serde_json::from_str(v).map_err(|e| e.to_string())?;
                if j.get(k).is_none() {
                    return Err(format!("unknown setting {k}"));
                }
                j[k] = num;
                cfg = serde_json::from_value(j).map_err(|e| e.to_string())?;
            }
            _ if file.is_none() => file = Some(a),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    let file = file.ok_or("usage: eval_cluster FILE.jsonl [--pairs PAIRS.jsonl] [--out ASSIGN.jsonl] [--shuffle N] [--no-time] [--set key=value]")?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let records = whole(&file, eval::parse_records(&text))?;
    let pairs = match &pairs_file {
        Some(p) => {
            let t = std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"))?;
            Some(whole(p, eval::parse_pairs(&t))?)
        }
        None => None,
    };
    let start = std::time::Instant::now();
    let output = eval::run_with_options(&records, &cfg, pairs.as_deref(), &opts);
    let took = start.elapsed();
    print("file order", &output.report);
    println!(
        "  {:.1} µs per article",
        took.as_secs_f64() * 1e6 / records.len().max(1) as f64
    );
    if shuffles > 0 {
        let seeds: Vec<u64> = (1..=shuffles).collect();
        let (mean, runs) =
            eval::run_shuffled_with_options(&records, &cfg, pairs.as_deref(), &seeds, &opts);
        for (s, r) in seeds.iter().zip(&runs) {
            if let Some(b) = r.bcubed {
                println!("  seed {s}: B-cubed F1 {:.3}", b.f1);
            }
        }
        print(&format!("mean of {shuffles} shuffled orders"), &mean);
    }
    if let Some(o) = out {
        let mut f = std::fs::File::create(&o).map_err(|e| format!("{o}: {e}"))?;
        for a in &output.assignments {
            let line = serde_json::to_string(a).map_err(|e| e.to_string())?;
            writeln!(f, "{line}").map_err(|e| format!("{o}: {e}"))?;
        }
    }
    Ok(())
}

/// A tuning run needs every line: the first bad one is an error.
fn whole<T>(file: &str, parsed: eval::Parsed<T>) -> Result<Vec<T>, String> {
    match parsed.skipped.first() {
        Some((line, why)) => Err(format!("{file}: line {line}: {why}")),
        None => Ok(parsed.items),
    }
}
