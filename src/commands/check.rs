//! `herald check`: verify that the search index agrees with the store.

use crate::app::Herald;
use anyhow::{bail, Context, Result};
use herald_types::ArticleId;

/// Articles read per store round trip while walking the store.
const PAGE: usize = 1_000;
/// Problems listed one by one before only counting.
const MAX_LISTED: usize = 20;

pub async fn run(herald: &Herald) -> Result<()> {
    if let Some(mut indexer) = herald.try_indexer()? {
        let applied = indexer
            .catch_up(herald.store.as_ref())
            .await
            .context("bringing the index up to date")?;
        if applied > 0 {
            println!("Applied {applied} pending changes to the index first.");
        }
    } else {
        println!("Another Herald process maintains the index; checking it as it is now.");
    }
    herald.index.refresh().context("reloading the index")?;
    let seq = herald.store.last_change_seq().await?;
    let state = herald.index.state();
    let mut stored = 0u64;
    let mut problems = Vec::new();
    let mut problem_count = 0u64;
    let mut after = ArticleId(0);
    loop {
        let batch = herald
            .store
            .articles_after(after, PAGE)
            .await
            .context("reading articles")?;
        let Some(last) = batch.last().map(|a| a.id) else {
            break;
        };
        for article in &batch {
            let n = herald
                .index
                .count_of(article.id)
                .context("querying the index")?;
            if n != 1 {
                problem_count += 1;
                if problems.len() < MAX_LISTED {
                    problems.push(format!("article {} is in the index {n} times", article.id));
                }
            }
        }
        stored += batch.len() as u64;
        after = last;
    }
    let indexed = herald.index.num_docs();
    println!("store: {stored} articles, change log at {seq}");
    println!("index: {indexed} documents, applied up to {}", state.seq);
    for p in &problems {
        println!("  {p}");
    }
    if indexed != stored || problem_count > 0 {
        bail!("the index disagrees with the store ({problem_count} articles wrong); run `herald reindex`");
    }
    println!("ok: every stored article is in the index exactly once");
    Ok(())
}
