//! Rows, insert shapes and views.

use chrono::{DateTime, Utc};
use herald_types::{ArticleId, SectionId, SourceId, StoryId};
use serde::Serialize;

/// A section as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRow {
    /// Store id.
    pub id: SectionId,
    /// URL key.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Position in the navigation.
    pub position: i64,
}

/// An admin's change to one section: its display name and place in the navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionEdit {
    /// The section.
    pub id: SectionId,
    /// New display name.
    pub name: String,
    /// New position (ascending in the navigation).
    pub position: i64,
}

/// Where articles come from: a feed, a site, or an import that named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Store id.
    pub id: SourceId,
    /// Display name ("Riverton Ledger").
    pub name: String,
    /// Feed or site URL, when known.
    pub url: Option<String>,
}

/// An article to insert or update. Its identity decides which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewArticle {
    /// Identity key: `url:<canonical url>`, `guid:<source>:<id>` or `hash:<hex>`.
    pub identity: String,
    /// Canonical URL of the original, when known.
    pub url: Option<String>,
    /// Source name; created on first use.
    pub source: Option<String>,
    /// Section slug; must name a stored section, else the article has none.
    pub section: Option<String>,
    /// The source's own category label, kept verbatim.
    pub category: Option<String>,
    /// Headline.
    pub title: String,
    /// Byline.
    pub author: Option<String>,
    /// When the source published it.
    pub published: Option<DateTime<Utc>>,
    /// BCP 47 language tag, when known.
    pub lang: Option<String>,
    /// Dek / summary as plain text.
    pub summary: Option<String>,
    /// Body as plain text (paragraphs separated by blank lines): what search sees.
    pub body_text: String,
    /// Body as sanitised HTML: what readers see.
    pub body_html: String,
}

impl NewArticle {
    /// A hash of every field a reader or the index can see: equal hashes mean an upsert
    /// has nothing to write. Every backend stores this same value (as the bits of a
    /// `u64` in a signed 64-bit column), so an article copied from one backend to
    /// another is still recognised as unchanged when it is imported again.
    pub fn content_hash(&self) -> i64 {
        let published = self
            .published
            .map(|p| p.timestamp().to_string())
            .unwrap_or_default();
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        herald_types::content_hash(&[
            self.url.as_deref().unwrap_or(""),
            &opt(&self.source),
            &opt(&self.section),
            &opt(&self.category),
            &self.title,
            &opt(&self.author),
            &published,
            &opt(&self.lang),
            &opt(&self.summary),
            &self.body_text,
            &self.body_html,
        ]) as i64
    }
}

/// What an upsert did to one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UpsertKind {
    /// A new article.
    Inserted,
    /// An existing article whose content changed.
    Updated,
    /// An existing article with the same content; nothing was written.
    Unchanged,
}

/// The outcome of upserting one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UpsertOutcome {
    /// The article's id (old or new).
    pub id: ArticleId,
    /// What happened.
    pub kind: UpsertKind,
}

/// What story clustering reads of an article ([`crate::Store::story_inputs`]): its
/// text, source and date, and nothing that only pages need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryInput {
    /// Store id.
    pub id: ArticleId,
    /// Headline.
    pub title: String,
    /// Plain-text body.
    pub body_text: String,
    /// Source name.
    pub source: Option<String>,
    /// When the source published it.
    pub published: Option<DateTime<Utc>>,
}

/// Where an article stands in its story ([`crate::Store::story_keys`]): what grouping
/// a long list of search hits by story reads, without the text a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryKey {
    /// Store id.
    pub id: ArticleId,
    /// The story it belongs to, once clustered.
    pub story_id: Option<StoryId>,
    /// The canonical article when this one is a copy of its wire text.
    pub duplicate_of: Option<ArticleId>,
}

impl From<&ArticleView> for StoryKey {
    fn from(a: &ArticleView) -> Self {
        StoryKey {
            id: a.id,
            story_id: a.story_id,
            duplicate_of: a.duplicate_of,
        }
    }
}

impl From<ArticleView> for StoryInput {
    fn from(a: ArticleView) -> Self {
        StoryInput {
            id: a.id,
            title: a.title,
            body_text: a.body_text,
            source: a.source.map(|s| s.name),
            published: a.published,
        }
    }
}

/// An article joined with its source and section, for pages and the indexer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleView {
    /// Store id.
    pub id: ArticleId,
    /// Canonical URL of the original.
    pub url: Option<String>,
    /// Headline.
    pub title: String,
    /// Byline.
    pub author: Option<String>,
    /// When the source published it.
    pub published: Option<DateTime<Utc>>,
    /// When Herald first stored it.
    pub created_at: DateTime<Utc>,
    /// When Herald last changed it.
    pub updated_at: DateTime<Utc>,
    /// Language tag.
    pub lang: Option<String>,
    /// Dek.
    pub summary: Option<String>,
    /// Plain-text body.
    pub body_text: String,
    /// Sanitised HTML body.
    pub body_html: String,
    /// The source's category label.
    pub category: Option<String>,
    /// Source id and name.
    pub source: Option<Source>,
    /// Section slug.
    pub section_slug: Option<String>,
    /// Section display name.
    pub section_name: Option<String>,
    /// The story it belongs to, once clustered.
    pub story_id: Option<StoryId>,
    /// The canonical copy this article duplicates, if any.
    pub duplicate_of: Option<ArticleId>,
}

impl ArticleView {
    /// The time listings sort and display by: publication, else first seen.
    pub fn display_time(&self) -> DateTime<Utc> {
        self.published.unwrap_or(self.created_at)
    }
}

/// Why and when an admin took an article down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    /// When it was taken down.
    pub at: DateTime<Utc>,
    /// What the admin wrote (kept for the record, not shown to readers).
    pub reason: String,
}

/// An article as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleCard {
    /// Store id.
    pub id: ArticleId,
    /// Headline.
    pub title: String,
    /// Dek, when there is one.
    pub summary: Option<String>,
    /// Source name.
    pub source_name: Option<String>,
    /// Section slug.
    pub section_slug: Option<String>,
    /// Publication time, else first seen.
    pub time: DateTime<Utc>,
    /// The story it leads, when it has other articles.
    pub story: Option<StoryId>,
    /// Articles in that story (1 when alone).
    pub story_articles: u32,
    /// Distinct sources in that story.
    pub story_sources: u32,
}

/// Which articles a listing wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only this section (by slug); `None` for all.
    pub section: Option<String>,
    /// Only this source, every article of it (stories not folded); overrides `section`.
    pub source: Option<SourceId>,
    /// Page size.
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
    /// Count the whole listing (`Page::total`); pages without a pager skip the count,
    /// which costs a scan of the section.
    pub with_total: bool,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows in the whole listing (0 when not asked for).
    pub total: u64,
}

/// A place in the newest-first listing: the (sort time, id) of the last article a
/// page showed. Keyset paging from it is stable while articles arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ListPosition {
    /// Sort time (publication, else first seen).
    pub time: DateTime<Utc>,
    /// Article id, which breaks ties between equal times.
    pub id: ArticleId,
}

/// How [`EntryQuery`] orders its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EntryOrder {
    /// Newest first: sort time, then id, both descending.
    #[default]
    Newest,
    /// Highest id first (sitemaps, which split the store by id range).
    IdDescending,
}

/// Which article entries a keyset listing wants. Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryQuery {
    /// Only this section (by slug); an unknown slug matches nothing.
    pub section: Option<String>,
    /// Only articles listed after this position in newest-first order.
    pub after: Option<ListPosition>,
    /// Only articles whose sort time is at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only ids in this inclusive range.
    pub ids: Option<(ArticleId, ArticleId)>,
    /// Row order.
    pub order: EntryOrder,
    /// Most rows returned.
    pub limit: usize,
}

/// An article's metadata without its body: what feeds, sitemaps and API listings need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleEntry {
    /// Store id.
    pub id: ArticleId,
    /// Canonical URL of the original.
    pub url: Option<String>,
    /// Headline.
    pub title: String,
    /// Byline.
    pub author: Option<String>,
    /// Dek.
    pub summary: Option<String>,
    /// Language tag.
    pub lang: Option<String>,
    /// Source id and name.
    pub source: Option<Source>,
    /// Section slug.
    pub section_slug: Option<String>,
    /// When the source published it.
    pub published: Option<DateTime<Utc>>,
    /// When Herald last changed it.
    pub updated_at: DateTime<Utc>,
    /// Publication time, else first seen: what listings sort by.
    pub time: DateTime<Utc>,
}

impl ArticleEntry {
    /// This entry's place in the newest-first listing.
    pub fn position(&self) -> ListPosition {
        ListPosition {
            time: self.time,
            id: self.id,
        }
    }
}

/// What a change-log entry says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeOp {
    /// The article was inserted or its content changed.
    Upsert,
    /// The article was removed.
    Delete,
}

/// One change-log entry: the article `article` changed at sequence `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Monotonically increasing sequence number, never reused.
    pub seq: u64,
    /// The article that changed.
    pub article: ArticleId,
    /// What happened to it.
    pub op: ChangeOp,
}

/// One article's place in the story clustering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryAssignment {
    /// The article.
    pub article: ArticleId,
    /// Its story (the id of the story's first article).
    pub story: StoryId,
    /// The canonical copy when the article is the same wire text.
    pub duplicate_of: Option<ArticleId>,
}

/// What one pass of the clusterer decided, written in one transaction together with
/// how far it has read the change log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryBatch {
    /// New or changed assignments.
    pub assignments: Vec<StoryAssignment>,
    /// Stories merged into others (`from`, `into`): `from` redirects to `into`.
    pub merges: Vec<(StoryId, StoryId)>,
    /// Story titles as they now read.
    pub titles: Vec<(StoryId, String)>,
    /// The change-log position this batch brings the clusterer to.
    pub applied_seq: u64,
}

/// A story: the articles of several sources about one event. Clustering fills these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Story {
    /// Store id.
    pub id: StoryId,
    /// Title shown for the story (its most central article's headline).
    pub title: String,
    /// First article's time.
    pub first_seen: DateTime<Utc>,
    /// Newest article's time.
    pub last_seen: DateTime<Utc>,
    /// Articles in the story.
    pub article_count: u32,
    /// Distinct sources among them.
    pub source_count: u32,
    /// The story it was merged into, if any (its page redirects there).
    pub merged_into: Option<StoryId>,
}

/// A place in the newest-first story listing: the (last seen, id) of the last story a
/// page showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StoryPosition {
    /// When the story last gained an article.
    pub last_seen: DateTime<Utc>,
    /// Story id, which breaks ties between equal times.
    pub id: StoryId,
}

/// Which stories a keyset listing wants: live (not merged) stories, most recently
/// active first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryQuery {
    /// Only stories listed after this position.
    pub after: Option<StoryPosition>,
    /// Only stories with at least this many articles (0 and 1 mean every story).
    pub min_articles: u32,
    /// Most rows returned.
    pub limit: usize,
}

impl Story {
    /// This story's place in the newest-first listing.
    pub fn position(&self) -> StoryPosition {
        StoryPosition {
            last_seen: self.last_seen,
            id: self.id,
        }
    }
}
