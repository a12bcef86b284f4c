//! How search engines and browsers find their way around:
//!
//! - `GET /robots.txt`: everything public allowed, `/admin` and `/api` not, the
//!   sitemaps named;
//! - `GET /sitemap.xml`: a sitemap index of the files below;
//! - `GET /sitemaps/pages.xml`: the front page and the sections;
//! - `GET /sitemaps/articles-{n}.xml`: articles with ids in
//!   `((n-1)·50,000, n·50,000]`, so each file stays within the protocol's 50,000 URLs
//!   and an old file changes only when its articles do (ids are never reused);
//! - `GET /sitemaps/news.xml`: a Google News sitemap of the last 48 hours;
//! - `GET /opensearch.xml`: an OpenSearch description, so browsers can add the search.

use super::WithState;
use crate::conditional::Document;
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::syndication::FeedFormat;
use crate::xml::{escape, one_line, rfc3339};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use herald_store::{EntryOrder, EntryQuery};
use herald_types::ArticleId;

/// URLs per sitemap file: the protocol's limit.
pub(crate) const SITEMAP_URLS: i64 = 50_000;
/// A news sitemap lists articles published in this window...
const NEWS_WINDOW_HOURS: i64 = 48;
/// ...and at most this many (Google's limit per news sitemap).
const NEWS_URLS: usize = 1_000;
/// Discovery documents depend on the configuration only: an hour of caching.
const STATIC_CACHE: &str = "public, max-age=3600";

const XML: &str = "application/xml; charset=utf-8";

fn cache(state: &AppState) -> String {
    format!("public, max-age={}", state.web.cache_max_age)
}

/// `GET /robots.txt`.
pub(crate) async fn robots(base: BaseUrl, headers: HeaderMap) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /api/\n\nSitemap: {}\nSitemap: {}\n",
        base.join("/sitemap.xml"),
        base.join("/sitemaps/news.xml"),
    );
    Document {
        content_type: "text/plain; charset=utf-8",
        body,
        last_modified: None,
        cache_control: STATIC_CACHE.into(),
    }
    .respond(&headers)
}

/// `GET /sitemap.xml`: the index.
pub(crate) async fn sitemap_index(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let newest = state
        .store
        .article_entries(EntryQuery {
            order: EntryOrder::IdDescending,
            limit: 1,
            ..Default::default()
        })
        .await
        .page_err(&state)?;
    let max_id = newest.first().map_or(0, |e| e.id.0);
    let mut files = vec![base.join("/sitemaps/pages.xml")];
    // One probe per possible file: a file whose id range lost every article (all
    // deleted) would be an empty sitemap, which the protocol does not allow.
    for n in 1..=(max_id + SITEMAP_URLS - 1) / SITEMAP_URLS {
        let any = state
            .store
            .article_entries(EntryQuery {
                ids: Some(id_range(n)),
                order: EntryOrder::IdDescending,
                limit: 1,
                ..Default::default()
            })
            .await
            .page_err(&state)?;
        if !any.is_empty() {
            files.push(base.join(&format!("/sitemaps/articles-{n}.xml")));
        }
    }
    files.push(base.join("/sitemaps/news.xml"));
    let mut x = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    ));
    for file in files {
        x.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>\n",
            escape(&file)
        ));
    }
    x.push_str("</sitemapindex>\n");
    Ok(Document {
        content_type: XML,
        body: x,
        last_modified: None,
        cache_control: cache(&state),
    }
    .respond(&headers))
}

fn id_range(n: i64) -> (ArticleId, ArticleId) {
    (
        ArticleId((n - 1) * SITEMAP_URLS + 1),
        ArticleId(n * SITEMAP_URLS),
    )
}

/// `GET /sitemaps/{file}`: `pages.xml`, `news.xml` or `articles-{n}.xml`.
pub(crate) async fn sitemap(
    State(state): State<AppState>,
    Path(file): Path<String>,
    base: BaseUrl,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let document = match file.as_str() {
        "pages.xml" => pages(&state, &base),
        "news.xml" => news(&state, &base).await?,
        other => {
            let n = other
                .strip_prefix("articles-")
                .and_then(|rest| rest.strip_suffix(".xml"))
                .filter(|n| !n.starts_with('0'))
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| (1..=i64::MAX / SITEMAP_URLS).contains(n));
            match n {
                Some(n) => articles(&state, &base, n).await?,
                None => None,
            }
        }
    };
    match document {
        Some(d) => Ok(d.respond(&headers)),
        None => Err(PageError::new(&state, AppError::NotFound)),
    }
}

const URLSET: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
);

fn pages(state: &AppState, base: &BaseUrl) -> Option<Document> {
    let mut x = String::from(URLSET);
    x.push_str(&format!(
        "<url><loc>{}</loc><changefreq>always</changefreq></url>\n",
        escape(&base.join("/"))
    ));
    for s in state.sections.iter() {
        x.push_str(&format!(
            "<url><loc>{}</loc><changefreq>hourly</changefreq></url>\n",
            escape(&base.join(&format!("/section/{}", s.slug)))
        ));
    }
    x.push_str("</urlset>\n");
    Some(Document {
        content_type: XML,
        body: x,
        last_modified: None,
        cache_control: STATIC_CACHE.into(),
    })
}

async fn articles(state: &AppState, base: &BaseUrl, n: i64) -> Result<Option<Document>, PageError> {
    let entries = state
        .store
        .article_entries(EntryQuery {
            ids: Some(id_range(n)),
            order: EntryOrder::IdDescending,
            limit: SITEMAP_URLS as usize,
            ..Default::default()
        })
        .await
        .page_err(state)?;
    if entries.is_empty() {
        return Ok(None);
    }
    let mut x = String::with_capacity(URLSET.len() + entries.len() * 110);
    x.push_str(URLSET);
    for e in &entries {
        x.push_str(&format!(
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape(&base.join(&format!("/article/{}", e.id.0))),
            rfc3339(e.updated_at.max(e.time))
        ));
    }
    x.push_str("</urlset>\n");
    Ok(Some(Document {
        content_type: XML,
        body: x,
        last_modified: entries.iter().map(|e| e.updated_at).max(),
        cache_control: cache(state),
    }))
}

/// The language code Google News wants: ISO 639 (`en`), except Chinese, which keeps
/// its script (`zh-cn`, `zh-tw`).
fn news_language(tag: &str) -> String {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    match tag.as_str() {
        t if t.starts_with("zh-tw") || t.starts_with("zh-hant") || t.starts_with("zh-hk") => {
            "zh-tw".into()
        }
        t if t.starts_with("zh") => "zh-cn".into(),
        t => t.split('-').next().unwrap_or("en").to_string(),
    }
}

async fn news(state: &AppState, base: &BaseUrl) -> Result<Option<Document>, PageError> {
    let since = chrono::Utc::now() - chrono::Duration::hours(NEWS_WINDOW_HOURS);
    let entries = state
        .store
        .article_entries(EntryQuery {
            since: Some(since),
            limit: NEWS_URLS,
            ..Default::default()
        })
        .await
        .page_err(state)?;
    let mut x = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"",
        " xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n"
    ));
    let publication = escape(&one_line(&state.site.name));
    for e in &entries {
        let lang = news_language(e.lang.as_deref().unwrap_or(&state.site.lang));
        x.push_str(&format!(
            concat!(
                "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name>",
                "<news:language>{}</news:language></news:publication>",
                "<news:publication_date>{}</news:publication_date>",
                "<news:title>{}</news:title></news:news></url>\n"
            ),
            escape(&base.join(&format!("/article/{}", e.id.0))),
            publication,
            escape(&lang),
            rfc3339(e.time),
            escape(&one_line(&e.title)),
        ));
    }
    x.push_str("</urlset>\n");
    Ok(Some(Document {
        content_type: XML,
        body: x,
        last_modified: entries.iter().map(|e| e.updated_at).max(),
        cache_control: cache(state),
    }))
}

/// `GET /opensearch.xml`.
pub(crate) async fn opensearch(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
) -> Response {
    // ShortName: at most 16 characters by the specification.
    let short: String = one_line(&state.site.name).chars().take(16).collect();
    let short = short.trim_end();
    let mut x = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
    ));
    x.push_str(&format!(
        "<ShortName>{}</ShortName>\n<Description>{}</Description>\n<InputEncoding>UTF-8</InputEncoding>\n<Language>{}</Language>\n",
        escape(short),
        escape(&format!("Search {}", one_line(&state.site.name))),
        escape(&state.site.lang),
    ));
    let search = base.join("/search?q={searchTerms}");
    x.push_str(&format!(
        "<Url type=\"text/html\" method=\"get\" template=\"{}\"/>\n",
        escape(&search)
    ));
    for format in [FeedFormat::Atom, FeedFormat::Rss] {
        x.push_str(&format!(
            "<Url type=\"{}\" method=\"get\" template=\"{}\"/>\n",
            format.mime(),
            escape(&base.join(&format!("/search/{}?q={{searchTerms}}", format.file())))
        ));
    }
    x.push_str(&format!(
        "<Url type=\"application/opensearchdescription+xml\" rel=\"self\" template=\"{}\"/>\n",
        escape(&base.join("/opensearch.xml"))
    ));
    x.push_str("</OpenSearchDescription>\n");
    Document {
        content_type: "application/opensearchdescription+xml; charset=utf-8",
        body: x,
        last_modified: None,
        cache_control: STATIC_CACHE.into(),
    }
    .respond(&headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_languages_follow_google() {
        assert_eq!(news_language("en-GB"), "en");
        assert_eq!(news_language("zh-Hant-TW"), "zh-tw");
        assert_eq!(news_language("zh"), "zh-cn");
        assert_eq!(news_language("pt_BR"), "pt");
    }

    #[test]
    fn sitemap_files_split_ids() {
        assert_eq!(id_range(1), (ArticleId(1), ArticleId(50_000)));
        assert_eq!(id_range(2), (ArticleId(50_001), ArticleId(100_000)));
    }
}
