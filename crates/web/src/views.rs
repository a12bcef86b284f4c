//! Page models: what each template shows, already formatted, so templates stay free
//! of logic.

use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::syndication::FeedFormat;
use askama::Template;
use chrono::{DateTime, Datelike, Timelike, Utc};
use herald_store::{ArticleCard, ArticleView};
use std::sync::LazyLock;

/// The stylesheet, compiled in.
pub(crate) const STYLESHEET: &str = include_str!("../static/style.css");

/// The stylesheet's URL carries a hash of its content, so it can be cached forever and
/// still change on upgrade.
pub(crate) static STYLESHEET_PATH: LazyLock<String> = LazyLock::new(|| {
    format!(
        "/static/style.{:08x}.css",
        herald_types::content_hash(&[STYLESHEET]) as u32
    )
});

/// The script that shows dates in the reader's time zone, compiled in. Pages work
/// without it: it only rewrites the text of `<time>` elements.
pub(crate) const LOCAL_TIME_SCRIPT: &str = include_str!("../static/local-time.js");

/// The script's URL carries a hash of its content, like the stylesheet's.
pub(crate) static LOCAL_TIME_SCRIPT_PATH: LazyLock<String> = LazyLock::new(|| {
    format!(
        "/static/local-time.{:08x}.js",
        herald_types::content_hash(&[LOCAL_TIME_SCRIPT]) as u32
    )
});

pub(crate) struct NavItem {
    pub slug: String,
    pub name: String,
    pub active: bool,
}

/// What the shared layout needs.
pub(crate) struct Layout {
    pub site_name: String,
    pub tagline: String,
    pub lang: String,
    pub stylesheet: String,
    /// The local-time script's URL.
    pub script: String,
    pub sections: Vec<NavItem>,
    pub query: String,
    pub on_search: bool,
    pub demo: bool,
    /// This page's own absolute address, for `<link rel="canonical">`.
    pub canonical: Option<String>,
    /// Feeds of what this page lists, for `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// Open Graph and Twitter card tags.
    pub social: Option<Social>,
    /// `schema.org` JSON-LD, already escaped for a script element.
    pub json_ld: Option<String>,
}

/// One `<link rel="alternate">` to a feed.
pub(crate) struct FeedLink {
    pub title: String,
    pub mime: &'static str,
    pub href: String,
}

/// Links to a listing's feeds in every format: `prefix` is the listing's path
/// without a trailing slash (`""` for the site, `/section/news`, `/search`), `query` a
/// query string (without `?`) the feed keeps, `title` what the listing is called.
pub(crate) fn feed_links(base: &BaseUrl, prefix: &str, query: &str, title: &str) -> Vec<FeedLink> {
    FeedFormat::ALL
        .into_iter()
        .map(|f| FeedLink {
            title: format!("{title} ({})", f.label()),
            mime: f.mime(),
            href: base.join(&format!(
                "{prefix}/{}{}{query}",
                f.file(),
                if query.is_empty() { "" } else { "?" }
            )),
        })
        .collect()
}

/// What link previews show (Open Graph, Twitter cards).
pub(crate) struct Social {
    /// `website` or `article`.
    pub og_type: &'static str,
    pub title: String,
    pub description: String,
    pub url: String,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub section: Option<String>,
}

impl Layout {
    pub(crate) fn new(state: &AppState, active_section: Option<&str>, query: &str) -> Layout {
        Layout {
            site_name: state.site.name.clone(),
            tagline: state.site.tagline.clone(),
            lang: state.site.lang.clone(),
            stylesheet: STYLESHEET_PATH.clone(),
            script: LOCAL_TIME_SCRIPT_PATH.clone(),
            sections: state
                .sections
                .iter()
                .map(|s| NavItem {
                    slug: s.slug.clone(),
                    name: s.name.clone(),
                    active: active_section == Some(s.slug.as_str()),
                })
                .collect(),
            query: query.to_string(),
            on_search: false,
            demo: state.demo,
            canonical: None,
            feeds: Vec::new(),
            social: None,
            json_ld: None,
        }
    }

    /// For errors raised before the state is at hand (a panic).
    pub(crate) fn bare() -> Layout {
        Layout {
            site_name: "Herald".into(),
            tagline: String::new(),
            lang: "en".into(),
            stylesheet: STYLESHEET_PATH.clone(),
            script: LOCAL_TIME_SCRIPT_PATH.clone(),
            sections: Vec::new(),
            query: String::new(),
            on_search: false,
            demo: false,
            canonical: None,
            feeds: Vec::new(),
            social: None,
            json_ld: None,
        }
    }
}

/// "5 minutes ago", "3 days ago", then the date: news readers judge freshness at a
/// glance, and old items need the date itself.
pub(crate) fn relative_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match secs {
        s if s < 0 => full_date(t),
        s if s < 60 => "just now".into(),
        s if s < 3_600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3_600, "hour"),
        s if s < 7 * 86_400 => plural(s / 86_400, "day"),
        _ => t.format("%-d %b %Y").to_string(),
    }
}

/// "3 November 2026, 23:40 UTC". Written out by hand: pages format a date per
/// comment and card, and chrono's `format` re-parses its pattern on every call.
pub(crate) fn full_date(t: DateTime<Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS
        .get(t.month0() as usize)
        .copied()
        .unwrap_or("January");
    format!(
        "{} {month} {}, {:02}:{:02} UTC",
        t.day(),
        t.year(),
        t.hour(),
        t.minute()
    )
}

pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) struct CardView {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub source: Option<String>,
    pub time_iso: String,
    pub time_rel: String,
    pub time_full: String,
    /// (story id, articles, sources) when other articles cover the same story.
    pub story: Option<(i64, u32, u32)>,
}

impl CardView {
    pub(crate) fn from_card(card: &ArticleCard, now: DateTime<Utc>) -> CardView {
        CardView {
            id: card.id.0,
            title: card.title.clone(),
            summary: card.summary.clone(),
            source: card.source_name.clone(),
            time_iso: iso(card.time),
            time_rel: relative_time(card.time, now),
            time_full: full_date(card.time),
            story: card
                .story
                .filter(|_| card.story_articles > 1)
                .map(|s| (s.0, card.story_articles, card.story_sources)),
        }
    }

    pub(crate) fn from_article(a: &ArticleView, now: DateTime<Utc>) -> CardView {
        let time = a.display_time();
        CardView {
            id: a.id.0,
            title: a.title.clone(),
            summary: a.summary.clone(),
            source: a.source.as_ref().map(|s| s.name.clone()),
            time_iso: iso(time),
            time_rel: relative_time(time, now),
            time_full: full_date(time),
            story: None,
        }
    }
}

/// One source's version in a story's full coverage.
pub(crate) struct CoverageItem {
    pub card: CardView,
    /// The headline of the copy this one repeats (same wire text), if any.
    pub copy_of: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "story.html")]
pub(crate) struct StoryPage {
    pub layout: Layout,
    pub title: String,
    pub first_iso: String,
    pub first_full: String,
    pub last_iso: String,
    pub last_full: String,
    pub article_count: u32,
    pub source_count: u32,
    pub items: Vec<CoverageItem>,
    /// The approved comments of every version, oldest first.
    pub conversation: Vec<StoryComment>,
}

/// A comment shown on its story's page, with the version it was left on.
pub(crate) struct StoryComment {
    pub id: i64,
    pub article_id: i64,
    pub article_title: String,
    pub author: String,
    pub time_iso: String,
    pub time_full: String,
    pub body_html: String,
    pub at: DateTime<Utc>,
}

/// Page links for a listing of `total` items.
pub(crate) struct Pager {
    pub page: usize,
    pub total_pages: usize,
    /// `total_pages` is an estimate (search results paged by story).
    pub estimated: bool,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `href(n)` gives the URL of page n.
    pub(crate) fn new(
        page: usize,
        page_size: usize,
        total: u64,
        href: impl Fn(usize) -> String,
    ) -> Pager {
        let total_pages = (total as usize).div_ceil(page_size.max(1)).max(1);
        Pager {
            page,
            total_pages,
            estimated: false,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < total_pages).then(|| href(page + 1)),
        }
    }

    /// Marks the page count as an estimate ("Page 1 of about 30").
    pub(crate) fn estimated(mut self, estimated: bool) -> Pager {
        self.estimated = estimated;
        self
    }
}

pub(crate) struct FrontBlock {
    pub slug: String,
    pub name: String,
    pub cards: Vec<CardView>,
}

#[derive(Template)]
#[template(path = "front.html")]
pub(crate) struct FrontPage {
    pub layout: Layout,
    pub blocks: Vec<FrontBlock>,
}

#[derive(Template)]
#[template(path = "section.html")]
pub(crate) struct SectionPage {
    pub layout: Layout,
    pub name: String,
    pub cards: Vec<CardView>,
    pub pager: Pager,
}

pub(crate) struct ArticleBody {
    pub title: String,
    pub summary: Option<String>,
    pub author: Option<String>,
    pub source: Option<String>,
    pub source_id: Option<i64>,
    /// (slug, name)
    pub section: Option<(String, String)>,
    pub lang: Option<String>,
    pub time_iso: String,
    pub time_full: String,
    /// (iso, display), when updated well after publication.
    pub updated: Option<(String, String)>,
    pub body_html: String,
    pub url: Option<String>,
    pub host: String,
}

#[derive(Template)]
#[template(path = "article.html")]
pub(crate) struct ArticlePage {
    pub layout: Layout,
    pub article: ArticleBody,
    pub related: Vec<CardView>,
    pub article_id: i64,
    pub comment_count: usize,
    pub comments: Vec<crate::comment_views::CommentView>,
    /// `None` when comments are closed on this article.
    pub form: Option<crate::comment_views::CommentForm>,
    pub comments_enabled: bool,
    pub notice_published: bool,
    pub notice_held: bool,
    /// The admin form token, when a signed-in admin reads the page.
    pub admin_token: Option<String>,
}

pub(crate) struct SearchHitView {
    /// The best hit of its story on the page; `card.story` (with the story's counts)
    /// when the story has other articles, for the "full coverage" link.
    pub card: CardView,
    pub snippet: String,
    /// Other copies of the same wire text among the results, folded into this one.
    pub copies: usize,
    /// Other articles of its story among the results, folded under it in rank order
    /// (the first few; see `coverage_more`).
    pub coverage: Vec<CoverageView>,
    /// Articles of its story on this page beyond those in `coverage` (copies included).
    pub coverage_more: usize,
}

/// Another source's article on a search hit's story, listed under the hit.
pub(crate) struct CoverageView {
    pub card: CardView,
    /// Copies of its wire text among the results, folded into it.
    pub copies: usize,
}

/// A facet value that filters the search when followed.
pub(crate) struct FacetLink {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub active: bool,
}

pub(crate) struct SectionOption {
    pub slug: String,
    pub name: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    pub layout: Layout,
    pub query: String,
    pub section_options: Vec<SectionOption>,
    pub total_text: String,
    pub hits: Vec<SearchHitView>,
    /// (showing, original, href of "search instead for").
    pub corrected: Option<(String, String, String)>,
    /// (suggestion, href).
    pub did_you_mean: Option<(String, String)>,
    pub facet_sections: Vec<FacetLink>,
    pub facet_sources: Vec<FacetLink>,
    /// (bucket start, count), newest first.
    pub facet_dates: Vec<(String, u64)>,
    /// (relevance href, newest href, newest active).
    pub sort_links: (String, String, bool),
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub layout: Layout,
    pub heading: &'static str,
    pub message: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let ago = |s: i64| relative_time(now - chrono::Duration::seconds(s), now);
        assert_eq!(ago(10), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(7_200), "2 hours ago");
        assert_eq!(ago(86_400 * 3), "3 days ago");
        assert_eq!(ago(86_400 * 30), "26 Oct 2026");
    }

    #[test]
    fn full_dates_match_the_long_form() {
        for t in [
            Utc.with_ymd_and_hms(2026, 11, 3, 23, 40, 5).unwrap(),
            Utc.with_ymd_and_hms(1987, 1, 31, 0, 0, 0).unwrap(),
        ] {
            assert_eq!(full_date(t), t.format("%-d %B %Y, %H:%M UTC").to_string());
        }
    }

    #[test]
    fn pager_links_only_where_pages_exist() {
        let p = Pager::new(1, 20, 45, |n| format!("?page={n}"));
        assert_eq!(
            (p.total_pages, p.prev, p.next.as_deref()),
            (3, None, Some("?page=2"))
        );
        let p = Pager::new(3, 20, 45, |n| format!("?page={n}"));
        assert_eq!((p.prev.as_deref(), p.next), (Some("?page=2"), None));
        assert_eq!(Pager::new(1, 20, 0, |n| n.to_string()).total_pages, 1);
    }
}
