//! `herald-feed`: a lenient, pure parser for RSS 0.90–2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and
//! JSON Feed 1.0/1.1.
//!
//! Bytes (plus the optional document URL and HTTP `Content-Type`) go in; a [`ParsedFeed`]
//! comes out. [`parse`] never fails and never panics: ill-formed input is recovered as far as
//! possible and flagged with [`ParsedFeed::bozo`] and a [`ParsedFeed::bozo_reason`].
//!
//! ```
//! let xml = br#"<rss version="2.0"><channel><title>City News</title>
//!   <item><title>Hello</title><link>/a/1</link>
//!   <pubDate>Sat, 07 Sep 2002 00:00:01 GMT</pubDate></item></channel></rss>"#;
//! let feed = herald_feed::parse(xml, Some("https://news.example/feed.xml"), None);
//! assert_eq!(feed.version, "rss20");
//! assert_eq!(feed.feed.title.as_deref(), Some("City News"));
//! assert_eq!(feed.entries[0].link.as_deref(), Some("https://news.example/a/1"));
//! assert_eq!(feed.entries[0].published.as_deref(), Some("2002-09-07T00:00:01Z"));
//! ```
//!
//! The pipeline: [`mod@encoding`] picks the character encoding (RFC 7303 precedence),
//! `xml` tokenises leniently into a small tree (bounded depth and size), `mapping` turns the
//! tree into the model, `html` sanitises every HTML text construct against an allowlist and
//! resolves relative URLs, and [`date`] normalises dates to RFC 3339 UTC.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod date;
pub mod encoding;
pub mod html;
mod jsonfeed;
mod mapping;
mod model;
mod neutral;
mod urls;
mod xml;

pub use model::{
    Author, Category, Content, Enclosure, Entry, FeedMeta, Link, MediaObject, ParsedFeed,
};

/// Inputs larger than this are truncated (and flagged as bozo) before parsing.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// Parses a feed document.
///
/// * `bytes`: the raw document, exactly as fetched.
/// * `base_url`: the document URL (or the HTTP `Content-Location`, resolved by the caller),
///   used as the base for relative URLs.
/// * `content_type`: the HTTP `Content-Type` header, whose `charset` takes part in encoding
///   detection.
///
/// Never fails: the worst case is an empty feed with `bozo` set.
pub fn parse(bytes: &[u8], base_url: Option<&str>, content_type: Option<&str>) -> ParsedFeed {
    let mut bozo_reason: Option<String> = None;
    let bytes = if bytes.len() > MAX_INPUT_BYTES {
        bozo_reason = Some(format!("input truncated to {MAX_INPUT_BYTES} bytes"));
        &bytes[..MAX_INPUT_BYTES]
    } else {
        bytes
    };
    let decoded = encoding::decode(bytes, content_type);
    if bozo_reason.is_none() {
        bozo_reason = decoded.bozo_reason.clone();
    }
    let base = base_url.map(str::trim).filter(|s| !s.is_empty());
    // C1 control characters in feeds are windows-1252 bytes mislabelled as Latin-1 or
    // double-encoded into UTF-8; map them to the characters they stood for.
    let fixed: String;
    let text = if decoded
        .text
        .chars()
        .any(|c| ('\u{80}'..='\u{9f}').contains(&c))
    {
        fixed = decoded
            .text
            .chars()
            .map(|c| char::from_u32(xml::cp1252_fixup(c as u32)).unwrap_or(c))
            .collect();
        fixed.as_str()
    } else {
        decoded.text.as_str()
    };
    let mut feed = if looks_like_json(text) {
        jsonfeed::parse(text, base)
    } else {
        mapping::parse_xml(text, base)
    };
    feed.encoding = decoded.encoding;
    if let Some(reason) = bozo_reason {
        feed.bozo = true;
        if feed.bozo_reason.is_none() {
            feed.bozo_reason = Some(reason);
        }
    }
    feed
}

/// The base URL for [`parse`] from an HTTP exchange: the response's `Content-Location`
/// resolved against the request URL when present (RFC 9110 §8.7), else the request URL.
///
/// ```
/// assert_eq!(
///     herald_feed::effective_base_url("http://a.example/feed", Some("/v2/feed.xml")).as_deref(),
///     Some("http://a.example/v2/feed.xml")
/// );
/// ```
pub fn effective_base_url(request_url: &str, content_location: Option<&str>) -> Option<String> {
    let req = request_url.trim();
    match content_location.map(str::trim).filter(|c| !c.is_empty()) {
        Some(cl) => Some(urls::resolve(Some(req).filter(|r| !r.is_empty()), cl)),
        None => Some(req.to_string()).filter(|r| !r.is_empty()),
    }
}

fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('{')
}
