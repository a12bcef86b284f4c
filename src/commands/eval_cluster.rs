//! `herald eval cluster FILE`: story clustering and near-duplicate quality, through
//! the same engine and settings the clusterer uses on live ingest.

use crate::cli::EvalClusterArgs;
use anyhow::{anyhow, Context, Result};
use herald_dedup::eval::{self, EvalRecord, EvalReport, Prf};
use herald_dedup::Config;
use herald_ingest::jsonl::{is_derived_title, ImportContext, ImportRecord};
use std::io::Write;
use std::path::Path;

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

/// Lines named one by one on standard error before the rest are only counted.
const SKIPS_SHOWN: usize = 20;

/// The usable lines of `file`. Bad lines are named on standard error and the rest are
/// measured; a file with lines but none usable is an error, since there is nothing to
/// measure.
fn usable<T>(file: &Path, what: &str, parsed: eval::Parsed<T>) -> Result<Vec<T>> {
    for (line, why) in parsed.skipped.iter().take(SKIPS_SHOWN) {
        eprintln!("{}: line {line} skipped: {why}", file.display());
    }
    let skipped = parsed.skipped.len();
    if skipped > SKIPS_SHOWN {
        eprintln!(
            "{}: {} more lines skipped",
            file.display(),
            skipped - SKIPS_SHOWN
        );
    }
    if parsed.items.is_empty() && skipped > 0 {
        return Err(anyhow!(
            "{}: none of its {skipped} lines could be read as {what}",
            file.display()
        ));
    }
    if skipped > 0 {
        eprintln!(
            "{}: {} {what} read, {skipped} lines skipped",
            file.display(),
            parsed.items.len()
        );
    }
    Ok(parsed.items)
}

/// The records as ingest hands them to the clusterer: through the importer's
/// normalisation (an HTML body becomes its text, entities are decoded, dates are read
/// as the importer reads them), and without the headline the importer derives for a
/// record that has none, which the clusterer does not count as one. Measured on the
/// raw lines instead, markup would count as words. A record the importer would refuse
/// is named on standard error and left out, as ingest leaves it out.
fn as_ingested(file: &Path, records: Vec<EvalRecord>) -> Vec<EvalRecord> {
    let ctx = ImportContext {
        sections: Vec::new(),
        default_section: None,
        default_source: None,
    };
    let mut out = Vec::with_capacity(records.len());
    for mut record in records {
        let published = match &record.published {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let line = ImportRecord {
            id: Some(record.id.clone()),
            title: Some(record.title.clone()).filter(|t| !t.is_empty()),
            body: Some(record.body.clone()),
            published,
            source: record.source.clone(),
            ..ImportRecord::default()
        };
        match line.into_article(&ctx) {
            Ok(converted) => {
                let a = converted.article;
                record.title = if is_derived_title(&a.title, &a.body_text) {
                    String::new()
                } else {
                    a.title
                };
                record.body = a.body_text;
                record.source = a.source;
                record.published = a.published.map(|p| p.timestamp().into());
                out.push(record);
            }
            Err(why) => eprintln!(
                "{}: article {:?} left out: {why}",
                file.display(),
                record.id
            ),
        }
    }
    out
}

pub fn run(args: &EvalClusterArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let records = as_ingested(
        &args.file,
        usable(&args.file, "articles", eval::parse_records(&text))?,
    );
    let pairs_path = args.pairs.clone().or_else(|| {
        let next_to = args.file.with_file_name("pairs.jsonl");
        next_to.exists().then_some(next_to)
    });
    let pairs = match &pairs_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Some(usable(path, "pairs", eval::parse_pairs(&text))?)
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
