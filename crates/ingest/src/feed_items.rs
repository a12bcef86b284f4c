//! Feed entries as import records: one normalisation path for every way an article
//! enters Herald, so a feed item and a JSONL line with the same content store the same.

use crate::jsonl::{Converted, ImportContext, ImportRecord};
use herald_feed::{Entry, ParsedFeed};

/// Below this many characters of text an entry is a teaser, and the article page is
/// worth fetching for the full text.
pub const TEASER_CHARS: usize = 600;

/// An entry converted to an article, with what the poller needs to decide about it.
#[derive(Debug)]
pub struct FeedItem {
    /// The normalised article.
    pub converted: Converted,
    /// Position of the entry in the parsed feed.
    pub entry: usize,
    /// The link to the article page, when the entry has one.
    pub link: Option<String>,
    /// The entry carries only a teaser: its page should be fetched for the full text.
    pub teaser_only: bool,
}

/// Longest entry text (body or summary) as HTML or plain text.
fn entry_body(entry: &Entry) -> Option<String> {
    entry.body_html().map(str::to_string)
}

/// The record an entry stands for. Feed ids are scoped by the source, like JSONL ids.
pub fn entry_record(entry: &Entry, source: &str, section: Option<&str>) -> ImportRecord {
    let category = entry.categories.first().map(|c| {
        c.label
            .clone()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| c.term.clone())
    });
    let author = entry
        .author
        .clone()
        .or_else(|| entry.authors.iter().find_map(|a| a.display()));
    let summary = entry
        .content
        .iter()
        .any(|c| c.r#type.contains("html"))
        .then(|| entry.summary_text())
        .flatten()
        .filter(|s| !s.trim().is_empty());
    ImportRecord {
        id: entry.id.clone().filter(|id| !id.trim().is_empty()),
        url: entry.link.clone(),
        title: entry.title_text(),
        body: entry_body(entry),
        published: entry.date().map(str::to_string),
        source: Some(source.to_string()),
        section: section.map(str::to_string),
        category,
        author,
        lang: None,
        summary,
    }
}

/// Every usable entry of a parsed feed as an article. Entries that cannot become an
/// article (no title and no text) are returned as reasons, so the caller can report
/// them without losing the rest.
pub fn feed_items(
    feed: &ParsedFeed,
    source: &str,
    section: Option<&str>,
    ctx: &ImportContext,
) -> (Vec<FeedItem>, Vec<String>) {
    let mut items = Vec::with_capacity(feed.entries.len());
    let mut skipped = Vec::new();
    for (i, entry) in feed.entries.iter().enumerate() {
        let mut record = entry_record(entry, source, section);
        if record.lang.is_none() {
            record.lang = feed.feed.language.clone();
        }
        match record.into_article(ctx) {
            Ok(converted) => {
                let teaser_only = converted.article.body_text.chars().count() < TEASER_CHARS;
                items.push(FeedItem {
                    entry: i,
                    link: converted.article.url.clone(),
                    converted,
                    teaser_only,
                });
            }
            Err(reason) => skipped.push(format!("entry {}: {reason}", i + 1)),
        }
    }
    (items, skipped)
}
