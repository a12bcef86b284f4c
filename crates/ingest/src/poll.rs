//! One fetch of one feed: conditional GET, parse, full text for teasers, store, and the
//! bookkeeping the scheduler needs. Whatever goes wrong ends up in the feed's state as
//! words an operator can act on; nothing here panics or stops other feeds.

use crate::feed_items::{entry_record, feed_items, FeedItem};
use crate::jsonl::{ImportContext, ImportRecord};
use crate::schedule::{median_gap, FetchSignal, IngestConfig};
use chrono::{DateTime, Utc};
use herald_fetch::{FetchError, FetchOutcome, FetchRequest, Fetcher, Url};
use herald_store::{FeedFetchRecord, FeedRow, NewArticle, Store, UpsertKind};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::task::JoinSet;

/// What one poll did, for logs and `ingest --once`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// HTTP status (0 when no response arrived).
    pub status: u16,
    /// Items stored for the first time.
    pub inserted: u64,
    /// Items whose content changed.
    pub updated: u64,
    /// Items already stored unchanged (or teasers of articles already stored).
    pub unchanged: u64,
    /// Article pages fetched for full text.
    pub pages_fetched: u64,
    /// Article pages that could not be fetched or extracted (the teaser was kept).
    pub page_failures: Vec<String>,
    /// Entries that could not become articles, with reasons.
    pub skipped: Vec<String>,
    /// The error that made the fetch fail, in words.
    pub error: Option<String>,
    /// The server said the feed is gone for good (410): it was paused.
    pub gone: bool,
}

/// Polls feeds into a store. Cheap to clone: it is shared by the scheduler's tasks.
#[derive(Clone)]
pub struct Poller {
    fetcher: Fetcher,
    store: Arc<dyn Store>,
    config: IngestConfig,
    ctx: Arc<ImportContext>,
}

/// Feeds the per-source ingest series of `/metrics`.
fn count_poll(feed: &FeedRow, report: &PollReport) {
    let metrics = herald_metrics::global();
    let source = feed.source_name.as_str();
    let outcome = match (&report.error, report.status) {
        (Some(_), _) => "error",
        (None, 304) => "not_modified",
        (None, _) => "ok",
    };
    metrics
        .counter(
            "herald_ingest_fetches_total",
            "Feed fetches per source and outcome (ok, not_modified, error).",
            &["source", "outcome"],
            &[source, outcome],
        )
        .inc();
    metrics
        .counter(
            "herald_ingest_items_total",
            "Articles stored or updated from feeds, per source.",
            &["source"],
            &[source],
        )
        .add(report.inserted + report.updated);
    let errors =
        report.page_failures.len() + report.skipped.len() + usize::from(report.error.is_some());
    metrics
        .counter(
            "herald_ingest_errors_total",
            "Failed fetches, skipped entries and failed article pages, per source.",
            &["source"],
            &[source],
        )
        .add(errors as u64);
}

/// The status an error carries, when the server answered at all.
fn error_status(error: &FetchError) -> u16 {
    match error.root() {
        FetchError::HttpStatus { status, .. } => *status,
        _ => 0,
    }
}

impl Poller {
    /// A poller storing into `store`, filing items under the sections of `ctx`.
    pub fn new(
        fetcher: Fetcher,
        store: Arc<dyn Store>,
        config: IngestConfig,
        ctx: ImportContext,
    ) -> Self {
        Poller {
            fetcher,
            store,
            config,
            ctx: Arc::new(ctx),
        }
    }

    /// The scheduler settings in force.
    pub fn config(&self) -> &IngestConfig {
        &self.config
    }

    /// The store items go to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The fetcher, for discovery and other one-off requests.
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Fetches `feed`, stores what is new and writes the feed's new state back (which
    /// also releases its lease). Only a store failure is an `Err`; fetch and parse
    /// problems are part of the report and of the feed's state.
    pub async fn poll(&self, feed: &FeedRow) -> Result<PollReport, herald_store::StoreError> {
        let started = Utc::now();
        let mut report = PollReport::default();
        let mut record = FeedFetchRecord {
            fetched_at: started,
            ..FeedFetchRecord::default()
        };
        let signal = match self.fetch_and_store(feed, &mut report, &mut record).await {
            Ok(signal) => signal,
            // The lease runs out by itself, and the next attempt repeats this fetch.
            Err(PollError::Store(error)) => return Err(error),
            Err(PollError::Fetch(error)) => {
                report.status = error_status(&error);
                report.gone = report.status == 410;
                report.error = Some(error.to_string());
                FetchSignal::Failed {
                    failures: feed.consecutive_failures.saturating_add(1),
                    retry_after_secs: error
                        .retry_after()
                        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
                }
            }
            Err(PollError::NotAFeed(reason)) => {
                report.error = Some(reason);
                FetchSignal::Failed {
                    failures: feed.consecutive_failures.saturating_add(1),
                    retry_after_secs: None,
                }
            }
        };
        record.status = report.status;
        record.error = report.error.clone();
        record.pause = report.gone;
        record.new_items = report.inserted + report.updated;
        record.interval_secs = self.config.next_interval(feed.interval_secs, signal);
        record.next_fetch_at = self.config.next_fetch_at(Utc::now(), record.interval_secs);
        self.store.record_feed_fetch(feed.id, record).await?;
        count_poll(feed, &report);
        Ok(report)
    }

    async fn fetch_and_store(
        &self,
        feed: &FeedRow,
        report: &mut PollReport,
        record: &mut FeedFetchRecord,
    ) -> Result<FetchSignal, PollError> {
        let url = Url::parse(&feed.url).map_err(|e| {
            PollError::Fetch(FetchError::InvalidUrl {
                url: feed.url.clone(),
                reason: e.to_string(),
            })
        })?;
        let request = FetchRequest {
            url,
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
        };
        let response = self
            .fetcher
            .fetch(&request)
            .await
            .map_err(PollError::Fetch)?;
        report.status = response.status;
        record.moved_to = response.permanent_url().map(|u| u.to_string());
        record.etag = response.headers.etag.clone();
        record.last_modified = response.headers.last_modified.clone();
        let body = match &response.outcome {
            FetchOutcome::NotModified => return Ok(FetchSignal::Unchanged),
            FetchOutcome::Fetched { body } => body,
        };
        let base = herald_feed::effective_base_url(
            response.final_url.as_str(),
            response.headers.content_location.as_deref(),
        );
        let parsed = herald_feed::parse(
            body,
            base.as_deref(),
            response.headers.content_type.as_deref(),
        );
        if !crate::discover::is_feed(&parsed) {
            return Err(PollError::NotAFeed(format!(
                "{}: not a feed (content type {}); remove it and add the feed's own URL, or the site's address for discovery",
                response.final_url,
                response.headers.content_type.as_deref().unwrap_or("unknown")
            )));
        }
        record.title = parsed.feed.title_text().filter(|t| !t.trim().is_empty());
        record.site_url = parsed.feed.link.clone();
        let (items, skipped) = feed_items(
            &parsed,
            &feed.source_name,
            feed.section.as_deref(),
            &self.ctx,
        );
        report.skipped = skipped;
        let times: Vec<DateTime<Utc>> = items
            .iter()
            .filter_map(|i| i.converted.article.published)
            .collect();
        let articles = self.with_full_text(&parsed, feed, items, report).await?;
        let outcomes = self
            .store
            .upsert_articles(articles)
            .await
            .map_err(PollError::Store)?;
        for outcome in outcomes {
            match outcome.kind {
                UpsertKind::Inserted => report.inserted += 1,
                UpsertKind::Updated => report.updated += 1,
                UpsertKind::Unchanged => report.unchanged += 1,
            }
        }
        Ok(FetchSignal::Answered {
            new_items: report.inserted + report.updated,
            median_gap_secs: median_gap(times),
        })
    }

    /// The articles to store: full items as they are; teasers of articles not yet
    /// stored with the page's full text when it can be had; teasers of stored articles
    /// not at all, so that a teaser never overwrites full text fetched earlier.
    async fn with_full_text(
        &self,
        parsed: &herald_feed::ParsedFeed,
        feed: &FeedRow,
        items: Vec<FeedItem>,
        report: &mut PollReport,
    ) -> Result<Vec<NewArticle>, PollError> {
        let teaser_identities: Vec<String> = items
            .iter()
            .filter(|i| i.teaser_only)
            .map(|i| i.converted.article.identity.clone())
            .collect();
        let known: HashSet<String> = if teaser_identities.is_empty() {
            HashSet::new()
        } else {
            self.store
                .known_identities(teaser_identities)
                .await
                .map_err(PollError::Store)?
                .into_iter()
                .collect()
        };
        let mut articles = Vec::with_capacity(items.len());
        let mut pages: JoinSet<(usize, Result<ImportRecord, String>)> = JoinSet::new();
        let mut placeholders: Vec<Option<NewArticle>> = Vec::new();
        for item in items {
            let article = item.converted.article;
            if !item.teaser_only {
                articles.push(article);
                continue;
            }
            if known.contains(&article.identity) {
                report.unchanged += 1;
                continue;
            }
            let wanted = self.config.full_text
                && pages.len() < self.config.full_text_per_fetch
                && item.link.is_some();
            let (Some(link), true) = (item.link, wanted) else {
                articles.push(article);
                continue;
            };
            let Some(entry) = parsed.entries.get(item.entry) else {
                articles.push(article);
                continue;
            };
            let base = entry_record(entry, &feed.source_name, feed.section.as_deref());
            let slot = placeholders.len();
            placeholders.push(Some(article));
            let fetcher = self.fetcher.clone();
            pages.spawn(async move { (slot, full_text_record(&fetcher, &link, base).await) });
        }
        while let Some(joined) = pages.join_next().await {
            let Ok((slot, result)) = joined else { continue };
            let Some(teaser) = placeholders.get_mut(slot).and_then(Option::take) else {
                continue;
            };
            match result.and_then(|record| {
                record
                    .into_article(&self.ctx)
                    .map(|c| c.article)
                    .map_err(|e| format!("{}: {e}", teaser.url.as_deref().unwrap_or("")))
            }) {
                Ok(mut full) => {
                    report.pages_fetched += 1;
                    // The identity stays the feed's, so the next poll recognises it.
                    full.identity = teaser.identity.clone();
                    articles.push(full);
                }
                Err(reason) => {
                    report.page_failures.push(reason);
                    articles.push(teaser);
                }
            }
        }
        // A task that panicked or was cancelled still leaves its teaser.
        articles.extend(placeholders.into_iter().flatten());
        Ok(articles)
    }
}

/// Fetches an article page and merges the extracted article into the feed's record:
/// the page gives the text; the feed's own metadata wins where it has some, since the
/// publisher wrote it for syndication.
async fn full_text_record(
    fetcher: &Fetcher,
    link: &str,
    mut record: ImportRecord,
) -> Result<ImportRecord, String> {
    let url = Url::parse(link).map_err(|e| format!("{link}: invalid URL: {e}"))?;
    let response = fetcher
        .fetch(&FetchRequest::new(url))
        .await
        .map_err(|e| e.to_string())?;
    let FetchOutcome::Fetched { body } = &response.outcome else {
        return Err(format!("{link}: no body"));
    };
    let page = herald_extract::extract(
        body,
        Some(response.final_url.as_str()),
        response.headers.content_type.as_deref(),
    )
    .map_err(|e| format!("{link}: {e}"))?;
    let feed_text_len = record.body.as_deref().map_or(0, str::len);
    if page.text.len() <= feed_text_len {
        return Err(format!(
            "{link}: the page has no more text than the feed item"
        ));
    }
    if record.summary.is_none() {
        record.summary = record
            .body
            .take()
            .map(|b| crate::body::inline_text(&b))
            .filter(|s| !s.is_empty())
            .or(page.description.clone());
    }
    record.body = Some(page.html);
    record.title = record.title.or(page.title);
    record.author = record
        .author
        .or_else(|| (!page.authors.is_empty()).then(|| page.authors.join(", ")));
    record.published = record.published.or(page.published);
    record.lang = record.lang.or(page.lang);
    Ok(record)
}

/// Why a poll failed.
#[derive(Debug)]
enum PollError {
    Fetch(FetchError),
    NotAFeed(String),
    Store(herald_store::StoreError),
}
