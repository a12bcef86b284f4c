//! The portal's absolute address, for links that leave the page: feeds, sitemaps,
//! canonical and Open Graph URLs, the API's `next` links.

use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::convert::Infallible;

/// The scheme and authority every absolute link starts with, without a trailing
/// slash: `site.base_url` when configured, else the request's `Host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl(pub String);

impl BaseUrl {
    /// `path` (starting with `/`) made absolute.
    pub(crate) fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub(crate) fn resolve(state: &AppState, headers: &HeaderMap) -> BaseUrl {
        if let Some(configured) = state.site.base_url.as_deref().and_then(configured_base) {
            return BaseUrl(configured);
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| valid_host(h))
            .unwrap_or("localhost");
        let scheme = match headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
        {
            Some(p) if p.trim().eq_ignore_ascii_case("https") => "https",
            _ => "http",
        };
        BaseUrl(format!("{scheme}://{}", host.to_ascii_lowercase()))
    }
}

impl<S> FromRequestParts<S> for BaseUrl
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(BaseUrl::resolve(&AppState::from_ref(state), &parts.headers))
    }
}

/// A configured base URL, normalised (`https://Example.com/news/` →
/// `https://example.com/news`); `None` when it is not an absolute http(s) URL.
fn configured_base(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let mut text = url.as_str().to_string();
    if let Some(cut) = text.find(['?', '#']) {
        text.truncate(cut);
    }
    Some(text.trim_end_matches('/').to_string())
}

/// A `Host` header worth echoing into links: a name or address with an optional
/// port, nothing that could break out of a URL or an attribute.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_base_urls_are_normalised() {
        assert_eq!(
            configured_base("https://News.Example.com/").as_deref(),
            Some("https://news.example.com")
        );
        assert_eq!(
            configured_base("https://example.com/portal/?x=1").as_deref(),
            Some("https://example.com/portal")
        );
        assert_eq!(configured_base("ftp://example.com"), None);
        assert_eq!(configured_base("example.com"), None);
    }

    #[test]
    fn odd_hosts_are_refused() {
        assert!(valid_host("example.com:8080"));
        assert!(valid_host("[::1]:80"));
        assert!(!valid_host("evil.com/\"><script>"));
        assert!(!valid_host("a b"));
        assert!(!valid_host(""));
    }
}
