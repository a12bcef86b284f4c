//! WARC import: web archives (a crawler's or a browser extension's) turned into
//! articles. Each HTML response record goes through the same extractor as fetched pages
//! and the same normalisation as every other input; damaged records are reported with
//! their offsets and skipped, never stopping the rest.

use crate::error::{IngestError, IngestResult};
use crate::jsonl::{ImportContext, ImportRecord};
use herald_search::Indexer;
use herald_store::{retry_unavailable, NewArticle, Store, UpsertKind};
use herald_warc::{Record, WarcReader};
use std::io::Read;

/// Pages extracted together, spread over the machine's cores.
const EXTRACT_BATCH: usize = 64;
/// Problems listed one by one; beyond this they are only counted.
const MAX_LISTED: usize = 50;

/// A record that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcProblem {
    /// Byte offset of the record in the (decompressed) stream.
    pub offset: u64,
    /// The record's target URI, when it was readable.
    pub target: Option<String>,
    /// What went wrong, in words.
    pub reason: String,
}

/// What a WARC import did.
#[derive(Debug, Clone, Default)]
pub struct WarcSummary {
    /// Records read (good ones, of any type).
    pub records: u64,
    /// HTML responses among them.
    pub html_pages: u64,
    /// New articles.
    pub inserted: u64,
    /// Articles whose content changed.
    pub updated: u64,
    /// Articles already stored as they are.
    pub unchanged: u64,
    /// Damaged records (reported, skipped).
    pub bad_records: u64,
    /// HTML pages that yielded no article.
    pub not_articles: u64,
    /// The first problems, with offsets.
    pub problems: Vec<WarcProblem>,
    /// Change-log entries applied to the index.
    pub indexed: u64,
    /// Bytes of the decompressed stream read.
    pub bytes: u64,
}

impl WarcSummary {
    fn problem(&mut self, offset: u64, target: Option<String>, reason: String) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push(WarcProblem {
                offset,
                target,
                reason,
            });
        }
    }
}

/// One HTML page taken from a record, ready for extraction.
struct Page {
    offset: u64,
    url: Option<String>,
    content_type: Option<String>,
    html: Vec<u8>,
}

fn page_of(record: &Record) -> Option<Page> {
    let html = record.html_body()?;
    Some(Page {
        offset: record.offset,
        url: record.target_uri.clone(),
        content_type: record
            .http
            .as_ref()
            .and_then(|h| h.header("content-type"))
            .or(record.content_type.as_deref())
            .map(str::to_string),
        html: html.to_vec(),
    })
}

/// Extracts one page into an import record.
fn extract_page(page: &Page, default_source: Option<&str>) -> Result<ImportRecord, String> {
    let article = herald_extract::extract(
        &page.html,
        page.url.as_deref(),
        page.content_type.as_deref(),
    )
    .map_err(|e| e.to_string())?;
    if article.text.trim().is_empty() {
        return Err("no article text on the page".into());
    }
    let url = article.canonical_url.clone().or_else(|| page.url.clone());
    let source = article
        .site_name
        .clone()
        .or_else(|| default_source.map(str::to_string))
        .or_else(|| {
            url.as_deref()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| {
                    u.host_str()
                        .map(|h| h.trim_start_matches("www.").to_string())
                })
        });
    Ok(ImportRecord {
        id: None,
        url,
        title: article.title,
        body: Some(article.html),
        published: article.published,
        source,
        section: article.section,
        category: None,
        author: (!article.authors.is_empty()).then(|| article.authors.join(", ")),
        lang: article.lang,
        summary: article.description,
    })
}

/// Extracts a batch of pages on every core: extraction is the import's bottleneck.
fn extract_batch(
    pages: &[Page],
    default_source: Option<&str>,
) -> Vec<Result<ImportRecord, String>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let chunk = pages.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pages
            .chunks(chunk)
            .map(|part| {
                let handle = scope.spawn(move || {
                    part.iter()
                        .map(|p| extract_page(p, default_source))
                        .collect::<Vec<_>>()
                });
                (part.len(), handle)
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| {
                h.join()
                    .unwrap_or_else(|_| vec![Err("extraction failed".to_string()); len])
            })
            .collect()
    })
}

/// Imports a WARC (or ARC) stream, plain or gzip. `name` names it in errors.
pub async fn import_warc(
    name: &str,
    reader: impl Read,
    store: &dyn Store,
    mut indexer: Option<&mut Indexer>,
    ctx: &ImportContext,
    mut on_progress: impl FnMut(&WarcSummary),
) -> IngestResult<WarcSummary> {
    let mut summary = WarcSummary::default();
    let mut records = WarcReader::new(reader);
    let mut pages: Vec<Page> = Vec::with_capacity(EXTRACT_BATCH);
    loop {
        let next = records.next();
        summary.bytes = records.position();
        let done = next.is_none();
        match next {
            None => {}
            Some(Ok(record)) => {
                summary.records += 1;
                if let Some(page) = page_of(&record) {
                    summary.html_pages += 1;
                    pages.push(page);
                }
            }
            Some(Err(error)) => {
                if matches!(error.kind, herald_warc::ErrorKind::Io) {
                    return Err(IngestError::Read {
                        source_name: name.to_string(),
                        error: std::io::Error::other(error.to_string()),
                    });
                }
                summary.bad_records += 1;
                // A truncated record may still hold a whole page.
                if let Some(page) = error.partial.as_deref().and_then(page_of) {
                    summary.html_pages += 1;
                    pages.push(page);
                }
                summary.problem(error.offset, error.target_uri.clone(), error.reason.clone());
            }
        }
        if pages.len() >= EXTRACT_BATCH || (done && !pages.is_empty()) {
            let batch = std::mem::take(&mut pages);
            let mut articles: Vec<NewArticle> = Vec::with_capacity(batch.len());
            for (page, result) in batch
                .iter()
                .zip(extract_batch(&batch, ctx.default_source.as_deref()))
            {
                match result.and_then(|r| r.into_article(ctx).map(|c| c.article)) {
                    Ok(article) => articles.push(article),
                    Err(reason) => {
                        summary.not_articles += 1;
                        summary.problem(page.offset, page.url.clone(), reason);
                    }
                }
            }
            let outcomes = retry_unavailable("storing articles", || {
                store.upsert_articles(articles.clone())
            })
            .await?;
            for outcome in outcomes {
                match outcome.kind {
                    UpsertKind::Inserted => summary.inserted += 1,
                    UpsertKind::Updated => summary.updated += 1,
                    UpsertKind::Unchanged => summary.unchanged += 1,
                }
            }
            if let Some(indexer) = indexer.as_deref_mut() {
                summary.indexed += indexer.apply_pending(store).await?;
            }
            on_progress(&summary);
        }
        if done {
            break;
        }
    }
    if let Some(indexer) = indexer {
        summary.indexed += indexer.catch_up(store).await?;
    }
    on_progress(&summary);
    Ok(summary)
}
