//! `herald reindex`: rebuild the search index from the store.

use crate::app::Herald;
use crate::progress;
use anyhow::{bail, Context, Result};
use std::time::Instant;

pub async fn run(herald: &Herald) -> Result<()> {
    let Some(mut indexer) = herald.try_indexer()? else {
        bail!(
            "the search index {} is in use by another Herald process (serve or import); stop it first",
            herald.config.index_dir().display()
        );
    };
    let total = herald
        .store
        .count_articles()
        .await
        .context("counting articles")?;
    let bar = progress::bar(total, "indexed", false);
    let started = Instant::now();
    let count = indexer
        .rebuild(herald.store.as_ref(), |n| bar.set_position(n))
        .await
        .context("rebuilding the index")?;
    bar.finish_and_clear();
    // Whatever landed in the store during the rebuild.
    indexer
        .catch_up(herald.store.as_ref())
        .await
        .context("catching up")?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "Reindexed {count} articles in {secs:.1}s ({:.0} articles/s).",
        count as f64 / secs.max(1e-9)
    );
    Ok(())
}
