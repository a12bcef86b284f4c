//! An article's identity: what makes a second import of it an update, not a copy.

use herald_types::{content_hash, CanonicalUrl};

/// Identity by canonical URL, else by the record's own id within its source, else by
/// a hash of its content. The prefixes keep the three spaces apart.
pub fn article_identity(
    url: Option<&CanonicalUrl>,
    source: Option<&str>,
    id: Option<&str>,
    title: &str,
    body: &str,
) -> String {
    if let Some(url) = url {
        return format!("url:{url}");
    }
    if let Some(id) = id.filter(|id| !id.trim().is_empty()) {
        // Feed ids are only unique within their feed, so the source scopes them.
        return format!("guid:{}:{}", source.unwrap_or(""), id.trim());
    }
    format!("hash:{:016x}", content_hash(&[title, body]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_url_then_id_then_hash() {
        let url = CanonicalUrl::parse("https://example.com/a?utm_source=x").unwrap();
        assert_eq!(
            article_identity(Some(&url), Some("S"), Some("7"), "t", "b"),
            "url:https://example.com/a"
        );
        assert_eq!(
            article_identity(None, Some("S"), Some("7"), "t", "b"),
            "guid:S:7"
        );
        assert_eq!(
            article_identity(None, None, Some(" 7 "), "t", "b"),
            "guid::7"
        );
        let h1 = article_identity(None, None, None, "t", "b");
        assert!(h1.starts_with("hash:"));
        assert_eq!(h1, article_identity(None, None, Some(""), "t", "b"));
        assert_ne!(h1, article_identity(None, None, None, "t", "c"));
    }
}
