//! `herald ingest --once`: fetch every due feed, then exit (for cron).

use crate::app::Herald;
use anyhow::Result;
use herald_ingest::scheduler::poll_due_once;

pub async fn run(herald: &Herald) -> Result<()> {
    let poller = herald.poller()?;
    // The index follows the store: this process brings it up to date unless a server
    // holds its writer (and then the server indexes and clusters for itself).
    let indexer = herald.try_indexer()?;
    let server_running = indexer.is_none();
    // Stories are placed beside the fetch, as `herald import` places them beside an
    // import: fetching mostly waits on the network, and clustering uses that time.
    let fetch = async { Ok(poll_due_once(&poller).await?) };
    let (results, clustered) = herald
        .import_with_stories(server_running, None, fetch)
        .await?;
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
    if let Some(mut indexer) = indexer {
        indexer.catch_up(herald.store.as_ref()).await?;
    }
    tracing::info!(target: "ingest::stories", articles = clustered, "stories updated");
    Ok(())
}
