//! Canonical URLs: the identity of an article on the web.
//!
//! Two links to one article must compare equal, so the canonical form drops what does
//! not change the page: letter case of scheme and host, default ports, fragments,
//! tracking parameters, a trailing slash, and the order of query parameters.

use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

/// Query parameters that only tell analytics where a click came from. Names are
/// compared case-insensitively; entries ending in `*` are prefixes.
const TRACKING_PARAMS: &[&str] = &[
    "utm_*",
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wt_mc",
    "cmpid",
    "ncid",
    "sr_share",
];

/// Longest URL accepted; real article URLs are far shorter, and the bound keeps
/// hostile input from bloating the store.
const MAX_URL_LEN: usize = 4096;

/// Why a string is not usable as an article URL.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// The string does not parse as an absolute URL.
    #[error("not an absolute URL: {0}")]
    Invalid(String),
    /// Only web pages have articles.
    #[error("unsupported URL scheme {0:?} (only http and https)")]
    Scheme(String),
    /// Longer than [`MAX_URL_LEN`].
    #[error("URL longer than {MAX_URL_LEN} bytes")]
    TooLong,
}

/// An absolute http(s) URL in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CanonicalUrl(String);

fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    TRACKING_PARAMS.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *p,
    })
}

impl CanonicalUrl {
    /// Parses and canonicalises `input` (surrounding whitespace is ignored).
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let input = input.trim();
        if input.len() > MAX_URL_LEN {
            return Err(UrlError::TooLong);
        }
        // The url crate already lower-cases scheme and host, drops default ports and
        // resolves dot segments (WHATWG URL rules).
        let mut url = Url::parse(input).map_err(|e| UrlError::Invalid(format!("{input}: {e}")))?;
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(UrlError::Scheme(other.to_string())),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlError::Invalid(input.to_string()));
        }
        url.set_fragment(None);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        if let Some(host) = url.host_str() {
            // "example.com." and "example.com" are the same host.
            if host.ends_with('.') && host.len() > 1 {
                let trimmed = host.trim_end_matches('.').to_string();
                let _ = url.set_host(Some(&trimmed));
            }
        }

        let mut params: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if params.is_empty() {
            url.set_query(None);
        } else {
            // Order does not change what a server returns in practice; sorting makes
            // `?a=1&b=2` and `?b=2&a=1` one identity. The sort is stable, so repeated
            // keys keep their relative order.
            params.sort_by(|a, b| a.0.cmp(&b.0));
            url.query_pairs_mut().clear().extend_pairs(params);
        }

        let path = url.path();
        if path.len() > 1 && path.ends_with('/') {
            let trimmed = path.trim_end_matches('/');
            let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
            let trimmed = trimmed.to_string();
            url.set_path(&trimmed);
        }

        let mut s = String::from(url);
        // A bare host has path "/", which the url crate always prints; drop it so that
        // "https://example.com" and "https://example.com/" are one URL.
        if url_has_root_path_only(&s) {
            s.pop();
        }
        Ok(CanonicalUrl(s))
    }

    /// The canonical form as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host, for source attribution and politeness.
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or("", |(_, r)| r);
        let end = rest.find([':', '/', '?']).unwrap_or(rest.len());
        &rest[..end]
    }
}

fn url_has_root_path_only(s: &str) -> bool {
    let Some((_, rest)) = s.split_once("://") else {
        return false;
    };
    rest.find('/') == Some(rest.len() - 1)
}

impl fmt::Display for CanonicalUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CanonicalUrl {
    type Error = UrlError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CanonicalUrl::parse(&value)
    }
}

impl From<CanonicalUrl> for String {
    fn from(value: CanonicalUrl) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        CanonicalUrl::parse(s).unwrap().0
    }

    #[test]
    fn lowercases_scheme_and_host_but_not_path() {
        assert_eq!(
            canon("HTTPS://News.Example.COM/Story/A"),
            "https://news.example.com/Story/A"
        );
    }

    #[test]
    fn drops_default_ports_keeps_others() {
        assert_eq!(canon("http://example.com:80/a"), "http://example.com/a");
        assert_eq!(canon("https://example.com:443/a"), "https://example.com/a");
        assert_eq!(
            canon("https://example.com:8443/a"),
            "https://example.com:8443/a"
        );
    }

    #[test]
    fn drops_fragments_and_credentials() {
        assert_eq!(
            canon("https://example.com/a#comments"),
            "https://example.com/a"
        );
        assert_eq!(
            canon("https://user:pw@example.com/a"),
            "https://example.com/a"
        );
    }

    #[test]
    fn drops_tracking_parameters_and_sorts_the_rest() {
        assert_eq!(
            canon("https://example.com/a?utm_source=tw&id=7&UTM_Medium=x&fbclid=1&gclid=2&b=2"),
            "https://example.com/a?b=2&id=7"
        );
        assert_eq!(
            canon("https://example.com/a?utm_campaign=x"),
            "https://example.com/a"
        );
        assert_eq!(canon("https://example.com/a?"), "https://example.com/a");
    }

    #[test]
    fn trailing_slashes() {
        assert_eq!(canon("https://example.com/a/b/"), "https://example.com/a/b");
        assert_eq!(canon("https://example.com/"), "https://example.com");
        assert_eq!(canon("https://example.com"), "https://example.com");
        assert_eq!(canon("https://example.com//"), "https://example.com");
    }

    #[test]
    fn resolves_dot_segments_and_trailing_host_dot() {
        assert_eq!(
            canon("https://example.com/a/../b/./c"),
            "https://example.com/b/c"
        );
        assert_eq!(canon("https://example.com./a"), "https://example.com/a");
    }

    #[test]
    fn is_idempotent() {
        for s in [
            "HTTPS://Example.com:443/a/?utm_source=x&z=1&a=2#f",
            "http://example.com/%7Euser/?q=a%20b",
            "https://example.com/search?q=caf%C3%A9&page=2",
        ] {
            let once = canon(s);
            assert_eq!(canon(&once), once, "{s}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_web_page() {
        assert!(matches!(
            CanonicalUrl::parse("mailto:a@b.c"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            CanonicalUrl::parse("javascript:alert(1)"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            CanonicalUrl::parse("/relative/path"),
            Err(UrlError::Invalid(_))
        ));
        assert!(matches!(CanonicalUrl::parse(""), Err(UrlError::Invalid(_))));
        let long = format!("https://example.com/{}", "a".repeat(5000));
        assert_eq!(CanonicalUrl::parse(&long), Err(UrlError::TooLong));
    }

    #[test]
    fn host_is_extracted() {
        assert_eq!(
            CanonicalUrl::parse("https://a.example.com:8080/x")
                .unwrap()
                .host(),
            "a.example.com"
        );
        assert_eq!(
            CanonicalUrl::parse("https://example.com").unwrap().host(),
            "example.com"
        );
    }
}
