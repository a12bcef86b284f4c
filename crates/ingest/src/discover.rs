//! Feed autodiscovery: `source add` accepts a site's address as well as a feed's, and
//! finds the feed the way browsers and feed readers do, from
//! `<link rel="alternate" type="application/rss+xml" href="…">` in the page's head.

use crate::tags::{tag_events, TagEvent};
use url::Url;

/// Feed types in the order a reader would prefer them when a page offers several.
const FEED_TYPES: &[&str] = &[
    "application/atom+xml",
    "application/rss+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
];

/// A feed a page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// Absolute feed URL.
    pub url: Url,
    /// The link's title, when it has one ("Comments feed", "Main feed").
    pub title: Option<String>,
    /// Its declared type.
    pub mime: String,
}

/// Whether a response body is a feed rather than a web page: decided by parsing, since
/// servers label feeds `text/html` and pages `text/xml` often enough.
pub fn is_feed(parsed: &herald_feed::ParsedFeed) -> bool {
    !parsed.version.is_empty()
}

/// The feeds a page advertises, best first. Comment feeds go last: a reader adding a
/// site wants its articles.
pub fn feed_links(html: &str, page_url: &Url) -> Vec<FeedLink> {
    let mut found: Vec<(usize, FeedLink)> = Vec::new();
    for event in tag_events(html) {
        let tag = match event {
            TagEvent::Start(tag) => tag,
            TagEvent::End(name) if name == "head" => break,
            TagEvent::End(_) => continue,
        };
        if tag.name == "body" {
            break;
        }
        if tag.name != "link" {
            continue;
        }
        let rel = tag.attr("rel").unwrap_or("").to_ascii_lowercase();
        if !rel.split_ascii_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let mime = tag
            .attr("type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let Some(rank) = FEED_TYPES.iter().position(|t| *t == mime) else {
            continue;
        };
        let Some(url) = tag.attr("href").and_then(|h| page_url.join(h.trim()).ok()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || found.iter().any(|(_, f)| f.url == url) {
            continue;
        }
        let title = tag.attr("title").map(str::to_string);
        let comments = title
            .as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().contains("comment"))
            || url.path().contains("/comments");
        found.push((
            rank + if comments { FEED_TYPES.len() } else { 0 },
            FeedLink { url, title, mime },
        ));
    }
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_main_feed_before_comment_feeds() {
        let page = Url::parse("https://news.example/section/").unwrap();
        let html = r#"<html><head><title>x</title>
            <link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed">
            <link rel="stylesheet" href="/s.css">
            <LINK REL="Alternate" TYPE="application/rss+xml" HREF="../feed.xml" title="Main">
            <link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">
            </head><body><link rel="alternate" type="application/rss+xml" href="/late"></body></html>"#;
        let links = feed_links(html, &page);
        let urls: Vec<&str> = links.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://news.example/feed.xml",
                "https://news.example/comments/feed"
            ]
        );
        assert_eq!(links[0].title.as_deref(), Some("Main"));
    }

    #[test]
    fn a_page_without_feeds_has_none() {
        let page = Url::parse("https://news.example/").unwrap();
        assert!(feed_links("<p>hello", &page).is_empty());
        assert!(feed_links("", &page).is_empty());
    }
}
