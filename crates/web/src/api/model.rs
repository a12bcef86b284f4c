//! The API's JSON shapes. Field names are part of the contract: add fields, never
//! rename or remove them.

use crate::origin::BaseUrl;
use chrono::{DateTime, Utc};
use herald_store::{ArticleEntry, ArticleView, FeedRow, Source, Story};
use serde::Serialize;
use utoipa::ToSchema;

/// An error: a stable machine-readable `code` and a sentence for people.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// `bad_parameter`, `bad_cursor`, `unknown_section`, `not_found`, `gone` (an
    /// article taken down), `method_not_allowed` or `internal`.
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
}

/// A source as an article names it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SourceRef {
    pub id: i64,
    pub name: String,
}

/// An article in a listing.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleSummary {
    pub id: i64,
    /// The article's page on this portal.
    pub url: String,
    /// The publisher's own page, when known.
    pub original_url: Option<String>,
    pub title: String,
    /// The dek, as plain text.
    pub summary: Option<String>,
    pub author: Option<String>,
    /// BCP 47 language tag.
    pub lang: Option<String>,
    pub source: Option<SourceRef>,
    /// Section slug.
    pub section: Option<String>,
    /// When the source published it, when known.
    pub published_at: Option<DateTime<Utc>>,
    /// When Herald last changed it.
    pub updated_at: DateTime<Utc>,
    /// Publication time, else first seen: what listings are ordered by.
    pub time: DateTime<Utc>,
}

fn source_ref(s: &Option<Source>) -> Option<SourceRef> {
    s.as_ref().map(|s| SourceRef {
        id: s.id.0,
        name: s.name.clone(),
    })
}

impl ArticleSummary {
    pub(crate) fn from_entry(e: &ArticleEntry, base: &BaseUrl) -> ArticleSummary {
        ArticleSummary {
            id: e.id.0,
            url: base.join(&format!("/article/{}", e.id.0)),
            original_url: e.url.clone(),
            title: e.title.clone(),
            summary: e.summary.clone(),
            author: e.author.clone(),
            lang: e.lang.clone(),
            source: source_ref(&e.source),
            section: e.section_slug.clone(),
            published_at: e.published,
            updated_at: e.updated_at,
            time: e.time,
        }
    }

    pub(crate) fn from_view(a: &ArticleView, base: &BaseUrl) -> ArticleSummary {
        ArticleSummary {
            id: a.id.0,
            url: base.join(&format!("/article/{}", a.id.0)),
            original_url: a.url.clone(),
            title: a.title.clone(),
            summary: a.summary.clone(),
            author: a.author.clone(),
            lang: a.lang.clone(),
            source: source_ref(&a.source),
            section: a.section_slug.clone(),
            published_at: a.published,
            updated_at: a.updated_at,
            time: a.display_time(),
        }
    }
}

/// One article in full.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Article {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// Sanitised HTML body.
    pub body_html: String,
    /// Plain-text body (paragraphs separated by blank lines).
    pub body_text: String,
    /// The source's own category label.
    pub category: Option<String>,
    /// When Herald first stored it.
    pub created_at: DateTime<Utc>,
    /// The story it belongs to, once clustered.
    pub story_id: Option<i64>,
    /// The article this one duplicates, if any.
    pub duplicate_of: Option<i64>,
}

impl Article {
    pub(crate) fn from_view(a: &ArticleView, base: &BaseUrl) -> Article {
        Article {
            summary: ArticleSummary::from_view(a, base),
            body_html: a.body_html.clone(),
            body_text: a.body_text.clone(),
            category: a.category.clone(),
            created_at: a.created_at,
            story_id: a.story_id.map(|s| s.0),
            duplicate_of: a.duplicate_of.map(|d| d.0),
        }
    }
}

/// A page of articles, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleList {
    pub items: Vec<ArticleSummary>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// The next page's URL; `null` on the last page.
    pub next: Option<String>,
}

/// A listing's feeds.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedUrls {
    pub rss: String,
    pub atom: String,
    pub json: String,
}

impl FeedUrls {
    /// `prefix`: the listing's path without a trailing slash; `query` without `?`.
    pub(crate) fn new(base: &BaseUrl, prefix: &str, query: &str) -> FeedUrls {
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        FeedUrls {
            rss: base.join(&format!("{prefix}/feed.rss{q}")),
            atom: base.join(&format!("{prefix}/feed.atom{q}")),
            json: base.join(&format!("{prefix}/feed.json{q}")),
        }
    }
}

/// A section of the portal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Section {
    pub slug: String,
    pub name: String,
    /// Place in the navigation (ascending).
    pub position: i64,
    /// The section's page.
    pub url: String,
    pub feeds: FeedUrls,
}

/// Every section, in navigation order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SectionList {
    pub items: Vec<Section>,
}

/// A subscribed feed and how fetching it goes.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedState {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    /// Section slug its items are filed under.
    pub section: Option<String>,
    pub paused: bool,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// HTTP status of the last fetch (0 when no response arrived).
    pub last_status: Option<u16>,
    /// The last error in words; `null` after a success.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// New or changed items stored from this feed, ever.
    pub items_total: u64,
    pub interval_secs: i64,
    pub next_fetch_at: DateTime<Utc>,
}

impl From<&FeedRow> for FeedState {
    fn from(f: &FeedRow) -> FeedState {
        FeedState {
            id: f.id.0,
            url: f.url.clone(),
            title: f.title.clone(),
            site_url: f.site_url.clone(),
            section: f.section.clone(),
            paused: f.paused,
            last_fetch_at: f.last_fetch_at,
            last_success_at: f.last_success_at,
            last_status: f.last_status,
            last_error: f.last_error.clone(),
            consecutive_failures: f.consecutive_failures,
            items_total: f.items_total,
            interval_secs: f.interval_secs,
            next_fetch_at: f.next_fetch_at,
        }
    }
}

/// A publication articles come from, with its feeds.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SourceInfo {
    pub id: i64,
    pub name: String,
    /// Feed or site URL, when known.
    pub url: Option<String>,
    /// Its subscribed feeds (empty for sources known from imports only).
    pub feeds: Vec<FeedState>,
}

/// Every source, by name.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SourceList {
    pub items: Vec<SourceInfo>,
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchHit {
    #[serde(flatten)]
    pub article: ArticleSummary,
    /// Relevance; comparable only within one search.
    pub score: f32,
    /// An HTML excerpt around the matches, matches in `<b>`; text escaped.
    pub snippet_html: String,
    /// The story it belongs to, once clustered: hits sharing it cover one event, and
    /// `/api/v1/stories/{id}` lists every source's version.
    pub story_id: Option<i64>,
    /// The article whose wire text this one repeats, if any.
    pub duplicate_of: Option<i64>,
}

/// A page of search results, best first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchResults {
    /// The query as searched (control characters removed).
    pub query: String,
    /// The section filter, when given.
    pub section: Option<String>,
    /// Matching articles in all pages.
    pub total: u64,
    /// Whether `total` is an estimate: large result sets are counted on a sample.
    pub total_estimated: bool,
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// The next page's URL; `null` on the last page.
    pub next: Option<String>,
    /// Feeds of this search, to subscribe to it.
    pub feeds: FeedUrls,
}

/// A story: the articles of several sources about one event.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StorySummary {
    /// The id of the story's first article.
    pub id: i64,
    /// The story's page on this portal (full coverage).
    pub url: String,
    /// The headline that best represents the story.
    pub title: String,
    /// When its first article was published.
    pub first_seen: DateTime<Utc>,
    /// When its newest article was published: what listings are ordered by.
    pub last_seen: DateTime<Utc>,
    pub article_count: u32,
    /// Distinct sources among its articles.
    pub source_count: u32,
}

impl StorySummary {
    pub(crate) fn from_story(s: &Story, base: &BaseUrl) -> StorySummary {
        StorySummary {
            id: s.id.0,
            url: base.join(&format!("/story/{}", s.id.0)),
            title: s.title.clone(),
            first_seen: s.first_seen,
            last_seen: s.last_seen,
            article_count: s.article_count,
            source_count: s.source_count,
        }
    }
}

/// A page of stories, most recently active first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryList {
    pub items: Vec<StorySummary>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// The next page's URL; `null` on the last page.
    pub next: Option<String>,
}

/// One source's version of a story.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryArticle {
    #[serde(flatten)]
    pub article: ArticleSummary,
    /// The article of the story this one repeats (the same wire text), if any.
    pub duplicate_of: Option<i64>,
}

/// A story with every source's version, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StoryDetail {
    #[serde(flatten)]
    pub story: StorySummary,
    pub articles: Vec<StoryArticle>,
}
