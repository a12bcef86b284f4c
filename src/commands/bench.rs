//! `herald bench import FILE`: import+index throughput on real data.

use crate::cli::BenchImportArgs;
use crate::commands::import::read_all;
use crate::config::Config;
use anyhow::{Context, Result};
use herald_ingest::jsonl::ImportContext;
use herald_ingest::{
    cluster_alongside, import_jsonl, import_warc, ClusterTimings, Clusterer, Handoff, ImportOptions,
};
use herald_search::SearchRequest;
use std::future::IntoFuture as _;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

struct Run {
    articles: u64,
    secs: f64,
    index_bytes: u64,
    store_bytes: u64,
    /// Clustering's share, when the run clustered.
    clustering: Option<ClusterTimings>,
    /// Processor time of the run (all threads); `None` where the platform does not say.
    cpu: Option<f64>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.articles as f64 / self.secs
    }
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

/// What a bench imports: extracted articles (JSONL), or web pages that go through the
/// article extractor first, as fetched pages do (a WARC or ARC archive, or a folder of
/// `.html` files).
enum Input {
    Jsonl(Vec<u8>),
    Pages(Vec<u8>),
}

impl Input {
    fn load(path: &Path) -> Result<Input> {
        if path.is_dir() {
            return Ok(Input::Pages(pages_archive(path)?));
        }
        let name = path.to_string_lossy().to_ascii_lowercase();
        let bytes = read_all(path)?;
        let archive = [".warc", ".warc.gz", ".arc", ".arc.gz"]
            .iter()
            .any(|ext| name.ends_with(ext));
        Ok(if archive {
            Input::Pages(bytes)
        } else {
            Input::Jsonl(bytes)
        })
    }

    fn describe(&self) -> String {
        match self {
            Input::Jsonl(bytes) => format!(
                "{} lines, {:.1} MB decompressed",
                bytes.iter().filter(|&&b| b == b'\n').count(),
                bytes.len() as f64 / 1e6
            ),
            Input::Pages(bytes) => format!(
                "web pages through the article extractor, {:.1} MB of archive",
                bytes.len() as f64 / 1e6
            ),
        }
    }
}

/// A WARC in memory with one `response` record per `.html` file of `dir`, each under an
/// address of its own site (`https://<file stem>.example/`), so that every page is a
/// source of its own.
fn pages_archive(dir: &Path) -> Result<Vec<u8>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html" || x == "htm"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{}: no .html files", dir.display());
    }
    let mut warc = Vec::new();
    for file in &files {
        let body = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let stem: String = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        herald_warc::write_response_record(
            &mut warc,
            &format!("https://p{stem}.example/"),
            "2026-01-01T00:00:00Z",
            200,
            &[("Content-Type", "text/html")],
            &body,
            false,
        )
        .with_context(|| format!("archiving {}", file.display()))?;
    }
    Ok(warc)
}

pub async fn run(args: &BenchImportArgs, writer_memory_mb: usize) -> Result<()> {
    let input = Input::load(&args.file)?;
    println!(
        "bench import: {} ({}), {} runs{}; each run imports into a fresh store and index",
        args.file.display(),
        input.describe(),
        args.runs,
        if args.clustering && args.after {
            " without and with story clustering after the import, alternating"
        } else if args.clustering {
            " without and with story clustering beside the import, alternating"
        } else {
            ""
        }
    );
    println!(
        "{:>4} {:>11} {:>9} {:>8} {:>12} {:>12} {:>12}",
        "run", "clustering", "articles", "secs", "articles/s", "index MB", "store MB"
    );
    let modes: &[bool] = if args.clustering {
        &[false, true]
    } else {
        &[false]
    };
    let mut runs: Vec<Run> = Vec::new();
    let mut clustered: Vec<Run> = Vec::new();
    for i in 1..=args.runs.max(1) {
        for &cluster in modes {
            let run = one_run(&input, writer_memory_mb, cluster, args.after).await?;
            println!(
                "{:>4} {:>11} {:>9} {:>8.2} {:>12.0} {:>12.1} {:>12.1}",
                i,
                if cluster { "on" } else { "off" },
                run.articles,
                run.secs,
                run.rate(),
                run.index_bytes as f64 / 1e6,
                run.store_bytes as f64 / 1e6
            );
            if cluster {
                clustered.push(run);
            } else {
                runs.push(run);
            }
        }
    }
    let (median_rate, min, max) = median(runs.iter().map(Run::rate).collect());
    let last = runs.last().context("no runs")?;
    let per_k = |b: u64| b as f64 / 1024.0 / (last.articles as f64 / 1000.0).max(1e-9);
    println!("median: {median_rate:.0} articles/s (min {min:.0}, max {max:.0})");
    if !clustered.is_empty() {
        let (with, min, max) = median(clustered.iter().map(Run::rate).collect());
        println!(
            "median with clustering: {with:.0} articles/s (min {min:.0}, max {max:.0}) = {:.0}% of the rate without",
            100.0 * with / median_rate
        );
        // Each pair ran back to back, so its ratio is untouched by the machine's speed
        // drifting over the whole bench, which moves both medians above.
        let (paired, min, max) = median(
            runs.iter()
                .zip(&clustered)
                .map(|(off, on)| 100.0 * on.rate() / off.rate())
                .collect(),
        );
        println!(
            "per pair (with clustering / without, each pair back to back): median {paired:.0}% (min {min:.0}%, max {max:.0}%)"
        );
        let us = |f: fn(&ClusterTimings) -> std::time::Duration| {
            median(
                clustered
                    .iter()
                    .filter_map(|r| r.clustering)
                    .map(|t| f(&t).as_secs_f64() * 1e6 / t.articles.max(1) as f64)
                    .collect(),
            )
            .0
        };
        println!(
            "clustering, median µs per article: open {:.1}, read changes and articles {:.1}, prepare texts {:.1}, engine {:.1}, write {:.1}",
            us(|t| t.open),
            us(|t| t.read),
            us(|t| t.prepare),
            us(|t| t.engine),
            us(|t| t.write)
        );
        let cpu_us = |f: fn(&Run) -> Option<f64>, runs: &[Run]| {
            let per_article: Option<Vec<f64>> = runs
                .iter()
                .map(|r| f(r).map(|secs| secs * 1e6 / r.articles.max(1) as f64))
                .collect();
            per_article.map(|v| median(v).0)
        };
        if let (Some(alone), Some(with)) = (cpu_us(|r| r.cpu, &runs), cpu_us(|r| r.cpu, &clustered))
        {
            println!(
                "processor time, median µs per article (all threads): import alone {alone:.0}, with clustering {with:.0} (+{:.0})",
                with - alone
            );
        }
        if let Some(t) = clustered.last().and_then(|r| r.clustering) {
            // Beside the import, how far behind clustering was when the import ended.
            let behind = if args.after {
                String::new()
            } else {
                format!(
                    "; it placed the last {} articles in the {:.0} ms after the import ended",
                    t.placed_after_import,
                    t.after_import.as_secs_f64() * 1e3
                )
            };
            println!(
                "clustering wrote {} assignments and {} titles for {} articles in {} batches{behind}",
                t.assignments, t.titles, t.articles, t.batches
            );
        }
    }
    println!(
        "index size: {:.0} KiB per 1,000 articles; store size: {:.0} KiB per 1,000 articles",
        per_k(last.index_bytes),
        per_k(last.store_bytes)
    );
    print_memory("peak memory (RSS high-water mark of this process)");
    Ok(())
}

/// One import into a fresh store and index; with `cluster`, with story clustering
/// beside it exactly as `herald import` runs it (or, with `after`, in a pass of its
/// own after the import), until every article is placed, inside the timed span.
async fn one_run(
    input: &Input,
    writer_memory_mb: usize,
    cluster: bool,
    after: bool,
) -> Result<Run> {
    let temp = tempfile::tempdir().context("creating a temporary directory")?;
    let dir = temp.path();
    let (store, index) = crate::app::scratch(dir).await?;
    let store = std::sync::Arc::new(store);
    let mut indexer = index.indexer(writer_memory_mb.max(16) * 1024 * 1024)?;
    let started = Instant::now();
    let cpu_before = process_cpu_secs();
    // Both modes measure what `herald import` does: the import alone, or the import
    // with story clustering beside it, until clustering has placed every article.
    // Beside the import, the clusterer takes the new articles from the import, as
    // `herald import` hands them over.
    let handoff = (cluster && !after).then(Handoff::new);
    let options = ImportOptions {
        handoff: handoff.clone(),
        ..ImportOptions::default()
    };
    let import = async {
        let articles = match input {
            Input::Jsonl(bytes) => {
                let s = import_jsonl(
                    "bench",
                    &bytes[..],
                    store.as_ref(),
                    Some(&mut indexer),
                    &options,
                    |_| {},
                )
                .await?;
                s.inserted + s.updated + s.unchanged
            }
            Input::Pages(bytes) => {
                let ctx = ImportContext {
                    sections: herald_types::default_sections()
                        .into_iter()
                        .map(|s| s.slug)
                        .collect(),
                    default_section: ImportOptions::default().default_section,
                    default_source: None,
                };
                let s = import_warc(
                    "bench",
                    &bytes[..],
                    store.as_ref(),
                    Some(&mut indexer),
                    &ctx,
                    |_| {},
                )
                .await?;
                s.inserted + s.updated + s.unchanged
            }
        };
        Ok::<_, anyhow::Error>(articles)
    };
    let config = herald_dedup::Config::default();
    let (imported, clustering) = match (cluster, after) {
        (true, false) => {
            let (imported, clusterer) =
                cluster_alongside(store.clone(), config, handoff, import).await;
            (imported, Some(clusterer?.timings()))
        }
        (true, true) => {
            let imported = import.await;
            let mut clusterer = Clusterer::open(store.as_ref(), config).await?;
            clusterer.catch_up(store.as_ref()).await?;
            (imported, Some(clusterer.timings()))
        }
        (false, _) => (import.await, None),
    };
    let articles = imported?;
    let secs = started.elapsed().as_secs_f64();
    let cpu_after = process_cpu_secs();
    drop(indexer);
    let index_bytes = dir_size(&dir.join("index"));
    Ok(Run {
        articles,
        secs,
        index_bytes,
        store_bytes: dir_size(dir) - index_bytes,
        clustering,
        cpu: cpu_after.zip(cpu_before).map(|(b, a)| b - a),
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

/// User and system time of this process so far, from /proc (in clock ticks of
/// 1/100 s, so only good to about 10 ms); `None` where /proc does not say.
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 of the line; the state (field 3) is the
    // first after the name, so they sit at 11 and 12 here.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// One field (KiB) of /proc/self/status.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Prints the most resident memory this process has used (VmHWM), and what is
/// resident now split into the process's own memory and mapped files: the program,
/// the search index and the first part of the store are memory-mapped, and their
/// pages (the operating system's file cache, which plain reads would use as well)
/// count as resident while mapped.
fn print_memory(label: &str) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    match status_kib("VmHWM:") {
        Some(peak) => println!(
            "{label}: {:.0} MiB; resident now: {:.0} MiB own memory, {:.0} MiB mapped files (the program, the search index, and the store's pages read through a memory map)",
            mib(peak),
            mib(status_kib("RssAnon:").unwrap_or(0)),
            mib(status_kib("RssFile:").unwrap_or(0)),
        ),
        None => println!("{label}: not available on this platform"),
    }
}

/// Queries timed per kind.
const QUERIES: usize = 200;

/// One kind of query: how it is written for Herald and for FTS5.
struct Kind {
    name: &'static str,
    herald: fn(&[String]) -> String,
    fts5: fn(&[String]) -> String,
}

const KINDS: [Kind; 4] = [
    Kind {
        name: "words (page default)",
        herald: |w| w.join(" "),
        fts5: |w| w.join(" OR "),
    },
    Kind {
        name: "OR",
        herald: |w| w.join(" OR "),
        fts5: |w| w.join(" OR "),
    },
    Kind {
        name: "AND",
        herald: |w| {
            w.iter()
                .map(|x| format!("+{x}"))
                .collect::<Vec<_>>()
                .join(" ")
        },
        fts5: |w| w.join(" AND "),
    },
    Kind {
        name: "phrase",
        herald: |w| format!("\"{}\"", w.join(" ")),
        fts5: |w| format!("\"{}\"", w.join(" ")),
    },
];

/// `herald bench search FILE --docs N`: builds an N-article corpus from FILE (repeated
/// with new ids), imports it through Herald's pipeline (store + index), then times
/// 200 queries of 1–4 title words of each kind at the engine level (parse, rank, top
/// 10 and the total), and the same queries on SQLite FTS5 (porter, bm25(), top
/// 10) built from the same corpus.
pub async fn search(args: &crate::cli::BenchSearchArgs, config: &Config) -> Result<()> {
    let writer_memory_mb = config.search.writer_memory_mb;
    let bytes = read_all(&args.file)?;
    let records: Vec<serde_json::Value> = bytes
        .split(|&b| b == b'\n')
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect();
    anyhow::ensure!(
        !records.is_empty(),
        "no JSON lines in {}",
        args.file.display()
    );
    let temp;
    let dir: &Path = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            dir
        }
        None => {
            temp = tempfile::tempdir().context("creating a temporary directory")?;
            temp.path()
        }
    };
    let corpus_path = dir.join("corpus.jsonl");
    // A kept build names its size; anything else is built afresh.
    let marker = dir.join("bench-built");
    let built = std::fs::read_to_string(&marker).ok();
    let reuse = built.as_deref().map(str::trim) == Some(args.docs.to_string().as_str());
    println!(
        "bench search: {} articles ({} distinct from {}), {} queries per kind, {} timed passes",
        args.docs,
        records.len().min(args.docs),
        args.file.display(),
        QUERIES,
        args.runs.max(1)
    );
    let (store, index) = if reuse {
        println!(
            "reusing the corpus, store and index built in {}",
            dir.display()
        );
        crate::app::scratch(dir).await?
    } else {
        if dir.join("herald.db").exists() || dir.join("index").exists() {
            anyhow::bail!(
                "{} holds another build; remove it or choose an empty directory",
                dir.display()
            );
        }
        write_corpus(&records, args.docs, &corpus_path)?;
        // Herald: store + index through the real import pipeline.
        let (store, index) = crate::app::scratch(dir).await?;
        let mut indexer = index.indexer(writer_memory_mb.max(16) * 1024 * 1024)?;
        let started = Instant::now();
        let reader = std::io::BufReader::new(std::fs::File::open(&corpus_path)?);
        let summary = import_jsonl(
            "bench",
            reader,
            &store,
            Some(&mut indexer),
            &ImportOptions::default(),
            |_| {},
        )
        .await?;
        let index_secs = started.elapsed().as_secs_f64();
        drop(indexer);
        index.refresh()?;
        let imported = summary.inserted + summary.updated + summary.unchanged;
        let index_bytes = dir_size(&dir.join("index"));
        println!();
        println!("indexing (Herald: store + index, one pipeline): {imported} articles in {index_secs:.1} s = {:.0} articles/s", imported as f64 / index_secs);
        println!(
            "index size: {:.0} MB ({:.0} KiB per 1,000 articles)",
            index_bytes as f64 / 1e6,
            index_bytes as f64 / 1024.0 / (imported as f64 / 1000.0).max(1e-9)
        );
        print_memory("peak memory after indexing (RSS high-water mark)");
        if args.keep.is_some() {
            std::fs::write(&marker, args.docs.to_string())?;
        }
        (store, index)
    };

    let queries = title_queries(&records);

    // Warm the page cache and the searcher once, as a running server would be.
    for q in queries.iter().take(20) {
        let _ = index.search(&SearchRequest {
            query: (KINDS[0].herald)(q),
            limit: 10,
            ..Default::default()
        })?;
    }
    let mut herald_rows = Vec::new();
    for kind in &KINDS {
        let mut passes = Vec::new();
        for _ in 0..args.runs.max(1) {
            let mut times = Vec::with_capacity(queries.len());
            for q in &queries {
                let request = SearchRequest {
                    query: (kind.herald)(q),
                    limit: 10,
                    ..Default::default()
                };
                let t = Instant::now();
                let results = index.search(&request)?;
                times.push(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(results.total);
            }
            passes.push(percentiles(&mut times));
        }
        herald_rows.push(median_pass(passes));
    }

    let http_rows = if args.no_http {
        Vec::new()
    } else {
        drop((store, index));
        http_latency(config, dir, &queries, args.runs.max(1)).await?
    };

    let mut fts_rows = Vec::new();
    let mut fts_index = None;
    if !args.no_fts5 {
        let db_path = dir.join("fts5.db");
        // FTS5 is rebuilt every run: its indexing rate is part of the table.
        let _ = std::fs::remove_file(&db_path);
        let db = rusqlite::Connection::open(&db_path)?;
        db.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
             CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61');",
        )?;
        let started = Instant::now();
        {
            let tx = db.unchecked_transaction()?;
            {
                let mut insert =
                    tx.prepare("INSERT INTO docs(rowid, title, body) VALUES (?1, ?2, ?3)")?;
                for i in 0..args.docs {
                    let r = &records[i % records.len()];
                    insert.execute(rusqlite::params![
                        i as i64 + 1,
                        r["title"].as_str().unwrap_or_default(),
                        r["body"].as_str().unwrap_or_default()
                    ])?;
                }
            }
            tx.commit()?;
        }
        let secs = started.elapsed().as_secs_f64();
        fts_index = Some((
            args.docs as f64 / secs,
            dir_size(dir)
                - dir_size(&dir.join("index"))
                - std::fs::metadata(&corpus_path).map_or(0, |m| m.len())
                - dir_size_file(&dir.join("herald.db")),
        ));
        let mut stmt =
            db.prepare("SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs) LIMIT 10")?;
        for kind in &KINDS {
            let mut times = Vec::with_capacity(queries.len());
            for q in &queries {
                let text = (kind.fts5)(q);
                let t = Instant::now();
                let rows: Vec<i64> = stmt
                    .query_map([&text], |row| row.get(0))?
                    .collect::<Result<_, _>>()
                    .unwrap_or_default();
                times.push(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(rows);
            }
            fts_rows.push(percentiles(&mut times));
        }
    }

    println!();
    println!(
        "{:<22} {:>12} {:>12} {:>12} {:>12}",
        "query latency (ms)", "Herald p50", "Herald p99", "FTS5 p50", "FTS5 p99"
    );
    for (i, kind) in KINDS.iter().enumerate() {
        let (hp50, hp99) = herald_rows[i];
        let (fp50, fp99) = fts_rows.get(i).map_or((f64::NAN, f64::NAN), |r| *r);
        println!(
            "{:<22} {hp50:>12.2} {hp99:>12.2} {fp50:>12.2} {fp99:>12.2}",
            kind.name
        );
    }
    if !http_rows.is_empty() {
        println!();
        println!(
            "{:<44} {:>10} {:>10}",
            "end to end over HTTP (ms, loopback)", "p50", "p99"
        );
        for (name, p50, p99) in &http_rows {
            println!("{name:<44} {p50:>10.2} {p99:>10.2}");
        }
    }
    if let Some((rate, bytes)) = fts_index {
        println!(
            "FTS5 indexing: {rate:.0} articles/s (bare inserts, no store); FTS5 database: {:.0} MB",
            bytes as f64 / 1e6
        );
    }
    println!(
        "Herald: parse, rank (top 10) and total per query (every candidate examined up to {} of them, exact up to {} matches, estimated beyond); feedback (a second ranking) only for queries of {}+ words. FTS5: top 10 by bm25(), no count.",
        herald_search::COUNT_BUDGET,
        herald_search::EXACT_TOTAL_UP_TO,
        herald_search::RankingConfig::default().feedback_min_words
    );
    Ok(())
}

/// The search page (ranked words with snippets, facets and spelling help) and the
/// JSON API (snippets, no facets), served by the real router on loopback and asked one
/// request at a time over a kept-alive connection, as a reader's browser would; every
/// query of the words kind, `runs` passes, the median pass's (p50, p99).
async fn http_latency(
    config: &Config,
    dir: &Path,
    queries: &[Vec<String>],
    runs: usize,
) -> Result<Vec<(&'static str, f64, f64)>> {
    let mut config = config.clone();
    config.data_dir = dir.to_path_buf();
    config.store = None;
    let herald = crate::app::Herald::open(config).await?;
    let state = crate::commands::serve::portal_state(
        &herald,
        false,
        Arc::new(AtomicBool::new(false)),
        Arc::new(herald_web::NodeStatus::default()),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("listening on loopback")?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(
        axum::serve(
            listener,
            herald_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .into_future(),
    );
    let client = reqwest::Client::builder()
        .build()
        .context("building the HTTP client")?;
    let endpoints: [(&'static str, &'static str); 2] = [
        ("search page /search (snippets, facets)", "/search"),
        ("JSON API /api/v1/search (snippets)", "/api/v1/search"),
    ];
    let mut rows = Vec::new();
    for (name, path) in endpoints {
        let url = format!("http://{addr}{path}");
        // Warm up, as for the engine.
        for q in queries.iter().take(20) {
            client.get(&url).query(&[("q", q.join(" "))]).send().await?;
        }
        let mut passes = Vec::new();
        for _ in 0..runs {
            let mut times = Vec::with_capacity(queries.len());
            for q in queries {
                let t = Instant::now();
                let response = client.get(&url).query(&[("q", q.join(" "))]).send().await?;
                let status = response.status();
                let body = response.bytes().await?;
                times.push(t.elapsed().as_secs_f64() * 1e3);
                anyhow::ensure!(
                    status.is_success(),
                    "{path}?q={} answered {status}",
                    q.join(" ")
                );
                std::hint::black_box(body);
            }
            passes.push(percentiles(&mut times));
        }
        let (p50, p99) = median_pass(passes);
        rows.push((name, p50, p99));
    }
    server.abort();
    Ok(rows)
}

/// The benchmark corpus: `records` repeated with new ids up to `docs` lines.
fn write_corpus(records: &[serde_json::Value], docs: usize, path: &Path) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for i in 0..docs {
        let mut r = records[i % records.len()].clone();
        r["id"] = serde_json::Value::String(format!("bench-{i}"));
        serde_json::to_writer(&mut out, &r)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn dir_size_file(path: &Path) -> u64 {
    let mut total = std::fs::metadata(path).map_or(0, |m| m.len());
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        total += std::fs::metadata(std::path::PathBuf::from(p)).map_or(0, |m| m.len());
    }
    total
}

/// The (p50, p99) of the pass with the median p50; `passes` holds at least one.
fn median_pass(mut passes: Vec<(f64, f64)>) -> (f64, f64) {
    passes.sort_by(|a, b| a.0.total_cmp(&b.0));
    passes[passes.len() / 2]
}

/// (p50, p99) in milliseconds.
fn percentiles(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// 200 queries of 1–4 consecutive words from titles, chosen by a fixed-seed generator
/// so every run (and FTS5) times the same queries. Words are letters only, so both
/// engines read them the same way.
fn title_queries(records: &[serde_json::Value]) -> Vec<Vec<String>> {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = Vec::with_capacity(QUERIES);
    let mut attempts = 0;
    while out.len() < QUERIES && attempts < 100_000 {
        attempts += 1;
        let r = &records[(next() % records.len() as u64) as usize];
        let words: Vec<String> = r["title"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .map(|w| w.to_lowercase())
            .filter(|w| w.len() > 1 && w.chars().all(|c| c.is_alphabetic()))
            .collect();
        let n = 1 + (next() % 4) as usize;
        if words.len() < n {
            continue;
        }
        let start = (next() % (words.len() - n + 1) as u64) as usize;
        out.push(words[start..start + n].to_vec());
    }
    out
}
