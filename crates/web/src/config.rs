//! The `[web]` and `[site]` configuration sections.

use serde::{Deserialize, Serialize};

/// How the server listens and pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Address and port to listen on.
    pub bind: String,
    /// Articles per listing or search page.
    pub page_size: usize,
    /// Articles per section on the front page.
    pub front_page_per_section: usize,
    /// Seconds browsers and proxies may cache pages.
    pub cache_max_age: u32,
    /// Mark cookies `Secure` (browsers then send them over HTTPS only). Turn on when
    /// the portal is served over HTTPS, directly or behind a proxy.
    pub secure_cookies: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            bind: "127.0.0.1:8080".into(),
            page_size: 20,
            front_page_per_section: 6,
            cache_max_age: 60,
            secure_cookies: false,
        }
    }
}

/// How the portal presents itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Name in the masthead and page titles.
    pub name: String,
    /// Line under the name.
    pub tagline: String,
    /// Language of the portal's own text (an HTML `lang` value).
    pub lang: String,
    /// The portal's public address (`https://news.example.com`), used for absolute
    /// links in feeds, sitemaps, canonical links and the API. Unset: taken from each
    /// request's `Host` header (and `X-Forwarded-Proto`), which suits a local install
    /// but lets a client choose the host it is told; set it in production.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "Herald".into(),
            tagline: "News & Search".into(),
            lang: "en".into(),
            base_url: None,
        }
    }
}
