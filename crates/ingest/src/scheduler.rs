//! The scheduler: takes due feeds from the store (leased, so several nodes share the
//! work and a dead node's feeds come back) and polls them a few at a time. A slow or
//! failing feed occupies one slot for at most the fetcher's timeouts and never delays
//! the others' turns.

use crate::poll::{PollReport, Poller};
use chrono::Utc;
use herald_store::{FeedRow, StoreResult};
use tokio::sync::watch;
use tokio::task::JoinSet;

fn lease_until(poller: &Poller) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(poller.config().lease_secs.max(30))
}

fn log_report(feed: &FeedRow, report: &PollReport) {
    match &report.error {
        None => tracing::info!(
            target: "ingest::schedule",
            feed = %feed.url,
            status = report.status,
            inserted = report.inserted,
            updated = report.updated,
            pages = report.pages_fetched,
            page_failures = report.page_failures.len(),
            skipped = report.skipped.len(),
            "feed fetched"
        ),
        Some(error) => tracing::warn!(
            target: "ingest::schedule",
            feed = %feed.url,
            status = report.status,
            %error,
            "feed fetch failed"
        ),
    }
}

/// Polls every feed that is due now, `concurrency` at a time, and returns each one's
/// report: what `herald ingest --once` runs from cron.
pub async fn poll_due_once(poller: &Poller) -> StoreResult<Vec<(FeedRow, PollReport)>> {
    let store = poller.store().clone();
    let mut results = Vec::new();
    let mut running: JoinSet<(FeedRow, StoreResult<PollReport>)> = JoinSet::new();
    let slots = poller.config().concurrency.max(1);
    // Feeds become due again only after their interval, so claiming until nothing is
    // left visits each due feed exactly once.
    let started = Utc::now();
    loop {
        let free = slots.saturating_sub(running.len());
        let claimed = if free > 0 {
            store
                .claim_due_feeds(started, lease_until(poller), free)
                .await?
        } else {
            Vec::new()
        };
        let nothing_claimed = claimed.is_empty();
        for feed in claimed {
            let poller = poller.clone();
            running.spawn(async move {
                let report = poller.poll(&feed).await;
                (feed, report)
            });
        }
        if nothing_claimed && running.is_empty() {
            break;
        }
        if let Some(Ok((feed, report))) = running.join_next().await {
            let report = report?;
            log_report(&feed, &report);
            results.push((feed, report));
        }
    }
    Ok(results)
}

/// Runs until `stop` turns true: every tick, fills free slots with due feeds.
pub async fn run(poller: Poller, mut stop: watch::Receiver<bool>) {
    let store = poller.store().clone();
    let slots = poller.config().concurrency.max(1);
    let tick = std::time::Duration::from_secs(poller.config().tick_secs.max(1));
    let mut running: JoinSet<(FeedRow, StoreResult<PollReport>)> = JoinSet::new();
    loop {
        let free = slots.saturating_sub(running.len());
        if free > 0 {
            match store
                .claim_due_feeds(Utc::now(), lease_until(&poller), free)
                .await
            {
                Ok(feeds) => {
                    for feed in feeds {
                        let poller = poller.clone();
                        running.spawn(async move {
                            let report = poller.poll(&feed).await;
                            (feed, report)
                        });
                    }
                }
                Err(error) => {
                    tracing::warn!(target: "ingest::schedule", %error, "cannot read due feeds; will retry")
                }
            }
        }
        tokio::select! {
            Some(joined) = running.join_next(), if !running.is_empty() => {
                match joined {
                    Ok((feed, Ok(report))) => log_report(&feed, &report),
                    Ok((feed, Err(error))) => tracing::warn!(target: "ingest::schedule", feed = %feed.url, %error, "storing a feed's items failed; its lease will expire and it will be fetched again"),
                    Err(error) => tracing::error!(target: "ingest::schedule", %error, "a feed task failed"),
                }
            }
            _ = tokio::time::sleep(tick) => {}
            _ = stop.changed() => break,
        }
    }
    // In-flight fetches are abandoned; their leases expire and the feeds are due again.
    running.abort_all();
}
