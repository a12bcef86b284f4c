//! `herald eval cluster FILE`: story clustering and near-duplicate quality, through
//! the same engine and settings the clusterer uses on live ingest.

use crate::cli::EvalClusterArgs;
use anyhow::{anyhow, Context, Result};
use herald_dedup::eval::{self, EvalReport, Prf};
use herald_dedup::Config;
use std::io::Write;

fn prf(p: Option<Prf>) -> String {
    p.map_or_else(
        || "-".to_string(),
        |p| format!("P {:.3}  R {:.3}  F1 {:.3}", p.precision, p.recall, p.f1),
    )
}

fn print(label: &str, r: &EvalReport) {
    println!(
        "{label}: {} articles, {} stories (gold {}), {} duplicates, {} merges, {} splits",
        r.articles, r.stories, r.gold_stories, r.duplicates, r.merges, r.splits
    );
    println!("  B-cubed          {}", prf(r.bcubed));
    println!("  pairwise         {}", prf(r.pairwise));
    println!("  near-duplicates  {}", prf(r.near_duplicates));
}

pub fn run(args: &EvalClusterArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let records =
        eval::parse_records(&text).map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
    let pairs_path = args.pairs.clone().or_else(|| {
        let next_to = args.file.with_file_name("pairs.jsonl");
        next_to.exists().then_some(next_to)
    });
    let pairs = match &pairs_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(eval::parse_pairs(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let config = Config::default();
    let output = eval::run(&records, &config, pairs.as_deref());
    print("in publication order", &output.report);
    if args.shuffle > 0 {
        let seeds: Vec<u64> = (1..=args.shuffle).collect();
        let (mean, _) = eval::run_shuffled(&records, &config, pairs.as_deref(), &seeds);
        print(&format!("mean of {} shuffled orders", args.shuffle), &mean);
    }
    if let Some(path) = &args.out {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for line in &output.assignments {
            serde_json::to_writer(&mut out, line)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    Ok(())
}
