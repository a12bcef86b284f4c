//! Herald's shared vocabulary: id newtypes, canonical URLs, sections and content
//! fingerprints. Pure: no I/O, no async, so every other crate can depend on it.
//!
//! ```
//! use herald_types::CanonicalUrl;
//! let url = CanonicalUrl::parse("HTTPS://Example.com:443/a/?utm_source=x#top").unwrap();
//! assert_eq!(url.as_str(), "https://example.com/a");
//! ```
#![warn(missing_docs)]

mod canonical_url;
mod ids;
mod section;

pub use canonical_url::{CanonicalUrl, UrlError};
pub use ids::{ArticleId, CommentId, FeedId, SectionId, SourceId, StoryId};
pub use section::{default_sections, Section, SectionSlugError};

/// A stable 64-bit fingerprint of a piece of text, used where an item has neither a URL
/// nor an id of its own. xxh3 is fast and stable across platforms and releases.
pub fn content_hash(parts: &[&str]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(part.as_bytes());
        // A separator keeps ("ab","c") and ("a","bc") apart.
        hasher.update(&[0xff]);
    }
    hasher.digest()
}
