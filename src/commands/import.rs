//! `herald import jsonl FILE` and `herald import warc FILE`.

use crate::app::Herald;
use crate::cli::{ImportJsonlArgs, ImportWarcArgs};
use crate::progress;
use anyhow::{Context, Result};
use herald_ingest::{import_jsonl, import_warc, Handoff, ImportOptions, ImportSummary};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

/// Opens FILE, `-` for stdin, decompressing `.gz`. Returns the reader and, for plain
/// files, the byte count the progress bar can measure against.
pub fn open_input(path: &Path) -> Result<(Box<dyn BufRead>, u64)> {
    const BUF: usize = 256 * 1024;
    if path == Path::new("-") {
        return Ok((Box::new(BufReader::with_capacity(BUF, std::io::stdin())), 0));
    }
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let is_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if is_gz {
        let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUF, file));
        Ok((
            Box::new(BufReader::with_capacity(BUF, decoder)) as Box<dyn BufRead>,
            0,
        ))
    } else {
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok((Box::new(BufReader::with_capacity(BUF, file)), len))
    }
}

pub async fn run(herald: &Herald, args: &ImportJsonlArgs) -> Result<()> {
    let name = args.file.display().to_string();
    let (reader, total_bytes) = open_input(&args.file)?;
    let mut indexer = herald.try_indexer()?;
    if indexer.is_none() {
        tracing::info!(target: "ingest::import", "another Herald process holds the index; it will index these articles");
    }
    let server_running = indexer.is_none();
    // The clusterer beside the import takes the new articles from here.
    let handoff = (!server_running).then(Handoff::new);
    let options = ImportOptions {
        batch_size: herald.config.import.batch_size.max(1),
        default_section: Some(
            args.section
                .clone()
                .unwrap_or_else(|| herald.config.import.default_section.clone()),
        ),
        default_source: args.source.clone(),
        handoff: handoff.clone(),
        ..ImportOptions::default()
    };
    let bar = if total_bytes > 0 {
        progress::bytes_bar(total_bytes, args.quiet)
    } else {
        progress::bar(0, "lines", args.quiet)
    };
    let started = Instant::now();
    let import = async {
        import_jsonl(
            &name,
            reader,
            herald.store.as_ref(),
            indexer.as_mut(),
            &options,
            |p| bar.set_position(if total_bytes > 0 { p.bytes } else { p.lines }),
        )
        .await
        .with_context(|| format!("importing {name}"))
    };
    let (summary, clustered) = herald
        .import_with_stories(server_running, handoff, import)
        .await?;
    bar.finish_and_clear();
    tracing::info!(target: "ingest::stories", articles = clustered, "stories updated");
    print_summary(
        &name,
        &summary,
        started.elapsed().as_secs_f64(),
        indexer.is_some(),
    );
    Ok(())
}

fn print_summary(name: &str, s: &ImportSummary, secs: f64, indexed_here: bool) {
    println!(
        "Imported {name} in {secs:.1}s: {} lines, {} new, {} updated, {} unchanged, {} skipped.",
        s.lines, s.inserted, s.updated, s.unchanged, s.skipped
    );
    if indexed_here {
        println!("Search index: {} changes applied.", s.indexed);
    } else {
        println!("Search index: a running Herald server is indexing these articles.");
    }
    if s.skipped > 0 {
        println!("Skipped lines:");
        for line in &s.skipped_lines {
            println!("  line {}: {}", line.line, line.reason);
        }
        if s.skipped as usize > s.skipped_lines.len() {
            println!(
                "  … and {} more",
                s.skipped as usize - s.skipped_lines.len()
            );
        }
    }
    if s.warned > 0 {
        println!("Imported with warnings: {} lines, for example:", s.warned);
        for line in s.warnings.iter().take(5) {
            println!("  line {}: {}", line.line, line.reason);
        }
    }
}

/// Reads a whole (possibly compressed) input into memory, for benchmarks.
pub fn read_all(path: &Path) -> Result<Vec<u8>> {
    let (mut reader, _) = open_input(path)?;
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(bytes)
}

/// `herald import warc FILE`.
pub async fn run_warc(herald: &Herald, args: &ImportWarcArgs) -> Result<()> {
    let name = args.file.display().to_string();
    let (reader, file_len): (Box<dyn Read>, u64) = if args.file == Path::new("-") {
        (Box::new(std::io::stdin()), 0)
    } else {
        let file = std::fs::File::open(&args.file).with_context(|| format!("opening {name}"))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(file), len)
    };
    let mut ctx = herald.import_context();
    if let Some(section) = &args.section {
        ctx.default_section = Some(section.clone());
    }
    ctx.default_source = args.source.clone();
    let mut indexer = herald.try_indexer()?;
    let compressed = name.ends_with(".gz");
    let bar = if file_len > 0 && !compressed {
        progress::bytes_bar(file_len, args.quiet)
    } else {
        progress::bar(0, "records", args.quiet)
    };
    let started = Instant::now();
    let server_running = indexer.is_none();
    let import = async {
        import_warc(
            &name,
            reader,
            herald.store.as_ref(),
            indexer.as_mut(),
            &ctx,
            |s| {
                bar.set_position(if file_len > 0 && !compressed {
                    s.bytes
                } else {
                    s.records
                })
            },
        )
        .await
        .with_context(|| format!("importing {name}"))
    };
    let (summary, _) = herald
        .import_with_stories(server_running, None, import)
        .await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Imported {name} in {secs:.1}s: {} records ({:.0}/s), {} HTML pages, {} new, {} updated, {} unchanged, {} not articles, {} damaged records.",
        summary.records,
        summary.records as f64 / secs.max(1e-9),
        summary.html_pages,
        summary.inserted,
        summary.updated,
        summary.unchanged,
        summary.not_articles,
        summary.bad_records
    );
    if indexer.is_some() {
        println!("Search index: {} changes applied.", summary.indexed);
    } else {
        println!("Search index: a running Herald server is indexing these articles.");
    }
    if !summary.problems.is_empty() {
        println!("Problems:");
        for p in &summary.problems {
            println!(
                "  offset {}{}: {}",
                p.offset,
                p.target
                    .as_deref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default(),
                p.reason
            );
        }
    }
    Ok(())
}
