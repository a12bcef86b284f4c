//! `herald ingest --once`: fetch every due feed, then exit (for cron).

use crate::app::Herald;
use anyhow::Result;
use herald_ingest::scheduler::poll_due_once;

pub async fn run(herald: &Herald) -> Result<()> {
    let poller = herald.poller()?;
    let results = poll_due_once(&poller).await?;
    if results.is_empty() {
        println!("No feed is due.");
    }
    let (mut inserted, mut updated, mut failed) = (0, 0, 0);
    for (feed, report) in &results {
        inserted += report.inserted;
        updated += report.updated;
        match &report.error {
            None => println!(
                "#{} {}: HTTP {}, {} new, {} updated, {} unchanged, {} pages fetched{}",
                feed.id,
                feed.url,
                report.status,
                report.inserted,
                report.updated,
                report.unchanged,
                report.pages_fetched,
                if report.skipped.is_empty() && report.page_failures.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} entries skipped, {} pages failed",
                        report.skipped.len(),
                        report.page_failures.len()
                    )
                }
            ),
            Some(error) => {
                failed += 1;
                println!(
                    "#{} {}: failed: {error}{}",
                    feed.id,
                    feed.url,
                    if report.gone { " (gone; paused)" } else { "" }
                );
            }
        }
        for reason in report.skipped.iter().chain(&report.page_failures) {
            eprintln!("  #{}: {reason}", feed.id);
        }
    }
    if !results.is_empty() {
        println!(
            "{} feeds fetched: {inserted} new articles, {updated} updated, {failed} feeds failed",
            results.len()
        );
    }
    // The index follows the store: bring it up to date unless a server does that.
    let indexer = herald.try_indexer()?;
    let server_running = indexer.is_none();
    if let Some(mut indexer) = indexer {
        indexer.catch_up(herald.store.as_ref()).await?;
    }
    herald.cluster_stories(server_running).await?;
    Ok(())
}
