//! `herald eval search DIR…`: ranking quality on test collections, through the same
//! import and search code the portal uses.

use crate::cli::EvalSearchArgs;
use anyhow::{bail, Context, Result};
use herald_ingest::jsonl::{ImportContext, ImportRecord};
use herald_search::eval::{evaluate, trec_order, Measures, Qrels};
use herald_search::{RankingConfig, SearchRequest};
use herald_store::Store;
use herald_types::ArticleId;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Depth of each query's ranking, as MAP@1000 needs.
const RUN_DEPTH: usize = 1000;

pub async fn run(args: &EvalSearchArgs) -> Result<()> {
    if args.run.is_some() && args.dirs.len() != 1 {
        bail!("--run needs exactly one collection directory");
    }
    println!(
        "{:<24} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "collection", "queries", "nDCG@10", "MAP@1000", "MRR@10", "R@100"
    );
    let mut ranking = RankingConfig::default();
    for setting in &args.set {
        let (name, value) = setting
            .split_once('=')
            .with_context(|| format!("--set {setting:?}: expected NAME=VALUE"))?;
        ranking
            .set(name.trim(), value.trim())
            .map_err(anyhow::Error::msg)?;
    }
    // Freshness never applies to test collections: their dates are not news dates.
    ranking.freshness_half_life_days = None;
    let mut all = Vec::new();
    for dir in &args.dirs {
        let (m, n, run_text) = eval_collection(dir, &ranking)
            .await
            .with_context(|| format!("evaluating {}", dir.display()))?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        print_row(&name, n, &m);
        if let Some(path) = &args.run {
            std::fs::write(path, run_text)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        all.push(m);
    }
    if all.len() > 1 {
        let k = all.len() as f64;
        let mean = Measures {
            ndcg10: all.iter().map(|m| m.ndcg10).sum::<f64>() / k,
            map1000: all.iter().map(|m| m.map1000).sum::<f64>() / k,
            mrr10: all.iter().map(|m| m.mrr10).sum::<f64>() / k,
            recall100: all.iter().map(|m| m.recall100).sum::<f64>() / k,
        };
        print_row("mean", 0, &mean);
    }
    Ok(())
}

fn print_row(name: &str, queries: usize, m: &Measures) {
    let queries = if queries > 0 {
        queries.to_string()
    } else {
        String::new()
    };
    println!(
        "{name:<24} {queries:>7} {:>9.4} {:>9.4} {:>9.4} {:>9.4}",
        m.ndcg10, m.map1000, m.mrr10, m.recall100
    );
}

fn read_lines(path: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

async fn eval_collection(dir: &Path, ranking: &RankingConfig) -> Result<(Measures, usize, String)> {
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let (store, index) = crate::app::scratch(tmp.path()).await?;
    let index = index.with_ranking(ranking.clone());
    let mut indexer = index.indexer(128 * 1024 * 1024)?;

    // Documents go through the importer's own normalisation, in batches.
    let ctx = ImportContext {
        sections: vec!["news".into()],
        default_section: Some("news".into()),
        default_source: None,
    };
    let mut external: HashMap<ArticleId, String> = HashMap::new();
    let docs = read_lines(&dir.join("docs.jsonl"))?;
    for chunk in docs.chunks(1_000) {
        let mut ids = Vec::with_capacity(chunk.len());
        let mut batch = Vec::with_capacity(chunk.len());
        for line in chunk {
            let record = ImportRecord::parse(line).map_err(anyhow::Error::msg)?;
            let id = record.id.clone().context("a document without an id")?;
            match record.into_article(&ctx) {
                Ok(converted) => {
                    ids.push(id);
                    batch.push(converted.article);
                }
                Err(reason) => {
                    tracing::warn!(target: "eval", doc = %id, %reason, "document skipped")
                }
            }
        }
        for (outcome, id) in store.upsert_articles(batch).await?.into_iter().zip(ids) {
            external.insert(outcome.id, id);
        }
    }
    indexer.catch_up(&store).await?;

    let mut runs: HashMap<String, Vec<String>> = HashMap::new();
    let mut run_text = String::new();
    for line in read_lines(&dir.join("queries.jsonl"))? {
        let query: serde_json::Value =
            serde_json::from_str(&line).context("a query line is not JSON")?;
        let qid = match &query["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let text = query["text"].as_str().unwrap_or_default().to_string();
        let request = SearchRequest {
            query: text,
            limit: RUN_DEPTH,
            ..SearchRequest::default()
        };
        let results = index.search(&request)?;
        // Scores are rounded as the run file prints them, so that this ranking and
        // one re-derived from the file are the same.
        let mut scored: Vec<(String, f64)> = results
            .hits
            .iter()
            .filter_map(|h| {
                let rounded = format!("{:.6}", h.score).parse::<f64>().unwrap_or(0.0);
                external.get(&h.id).map(|d| (d.clone(), rounded))
            })
            .collect();
        trec_order(&mut scored);
        for (rank, (doc, score)) in scored.iter().enumerate() {
            let _ = writeln!(run_text, "{qid} Q0 {doc} {} {score:.6} herald", rank + 1);
        }
        runs.insert(qid, scored.into_iter().map(|(d, _)| d).collect());
    }

    let mut qrels: Qrels = HashMap::new();
    for line in read_lines(&dir.join("qrels.tsv"))? {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (qid, doc, grade) = match parts.as_slice() {
            [q, d, g] | [q, _, d, g] => (*q, *d, *g),
            _ => bail!("qrels line {line:?}: expected 3 or 4 columns"),
        };
        let grade = grade
            .parse::<f64>()
            .with_context(|| format!("qrels grade {grade:?}"))? as i32;
        qrels
            .entry(qid.to_string())
            .or_default()
            .insert(doc.to_string(), grade);
    }
    let (measures, n) = evaluate(&qrels, &runs);
    Ok((measures, n, run_text))
}
