//! The JSON API under `/api/v1`, documented by an OpenAPI 3.1 document generated from
//! this code (`GET /api/v1/openapi.json`).
//!
//! Every response is JSON; errors are `{"code", "message"}` with the matching status.
//! Listings page by opaque cursor (`next_cursor`, and `next` as a full URL).

mod comments;
mod cursor;
mod model;
mod stories;

use crate::conditional::Document;
use crate::handlers::search::{clean_query, search_query_string};
use crate::origin::BaseUrl;
use crate::router::RouterState;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use herald_search::SearchRequest;
use herald_store::{EntryQuery, StoreError};
use herald_types::ArticleId;
use model::*;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use utoipa::{IntoParams, OpenApi};

/// Largest `limit` a listing accepts.
pub(crate) const MAX_LIMIT: usize = 100;
/// Deepest search hit served, as on the search page: deep offsets cost the index
/// real work and nobody reads that far.
const MAX_SEARCH_DEPTH: usize = 1_000;

/// The API's routes, to be nested at `/api/v1`. Comments and stories join here
/// (`/comments`, `/stories`), each in its own module.
pub(crate) fn router() -> Router<RouterState> {
    Router::new()
        .route("/articles", get(list_articles))
        .route("/articles/{id}", get(get_article))
        .route(
            "/articles/{id}/comments",
            get(comments::list).post(comments::create),
        )
        .route("/stories", get(stories::list))
        .route("/stories/{id}", get(stories::get))
        .route("/sections", get(list_sections))
        .route("/sources", get(list_sources))
        .route("/search", get(search))
        .route("/openapi.json", get(openapi_json))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "There is no API endpoint at this address; see /api/v1/openapi.json.",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This endpoint does not accept that method.",
            )
        })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herald API",
        description = "Articles, stories, sections, sources and search of a Herald news portal. \
            Errors are {code, message} with the matching HTTP status; listings page by \
            opaque cursor."
    ),
    paths(
        list_articles,
        get_article,
        comments::list,
        comments::create,
        stories::list,
        stories::get,
        list_sections,
        list_sources,
        search,
        openapi_json
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "articles", description = "Stored articles"),
        (name = "catalog", description = "Sections and sources"),
        (name = "search", description = "Full-text search"),
        (name = "comments", description = "Reader comments"),
        (name = "stories", description = "Stories: several sources' articles about one event"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

static OPENAPI: LazyLock<String> = LazyLock::new(|| {
    // Paths carry their full address (`/api/v1/...`), relative to the portal.
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
});

/// An API failure, rendered as `{"code", "message"}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn internal(cause: impl std::fmt::Display) -> ApiError {
        // The cause is logged, never shown: it may name files or hosts.
        tracing::error!(target: "web::api", %cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "The server could not answer this request. Please try again in a moment.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unavailable(cause) => {
                tracing::warn!(target: "web::api", %cause, "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database cannot be reached right now. Please retry in a few seconds.",
                )
            }
            e => ApiError::internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&ErrorBody {
            code: self.code.into(),
            message: self.message,
        })
        .unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

type ApiResult = Result<Response, ApiError>;

/// A JSON body with ETag, Last-Modified (when given) and the portal's cache policy.
fn json(
    state: &AppState,
    headers: &HeaderMap,
    value: &impl serde::Serialize,
    last_modified: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult {
    let body = serde_json::to_string(value).map_err(ApiError::internal)?;
    Ok(Document {
        content_type: "application/json",
        body,
        last_modified,
        cache_control: format!("public, max-age={}", state.web.cache_max_age),
    }
    .respond(headers))
}

/// Query parameters arrive as text so that a wrong one is named in a 400.
fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(p)| p)
        .map_err(|e| ApiError::bad("bad_parameter", e.body_text()))
}

fn limit(raw: Option<&str>, default: usize) -> Result<usize, ApiError> {
    match raw {
        None => Ok(default.clamp(1, MAX_LIMIT)),
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad(
                    "bad_parameter",
                    format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                )
            }),
    }
}

fn section(state: &AppState, raw: Option<String>) -> Result<Option<String>, ApiError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(slug) if state.sections.iter().any(|s| s.slug == slug) => Ok(Some(slug)),
        Some(slug) => Err(ApiError::bad(
            "unknown_section",
            format!("there is no section {slug:?}; see /api/v1/sections"),
        )),
    }
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only this section (slug).
    section: Option<String>,
    /// Where to continue: a `next_cursor` from the previous page.
    cursor: Option<String>,
    /// Articles per page (1–100; default: the portal's page size).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// Articles, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "articles",
    params(ListParams),
    responses(
        (status = 200, description = "A page of articles", body = ArticleList),
        (status = 400, description = "A bad parameter or cursor", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody)
    )
)]
async fn list_articles(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    params: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult {
    let params = query(params)?;
    let limit = limit(params.limit.as_deref(), state.web.page_size)?;
    let section = section(&state, params.section)?;
    let after =
        match params.cursor.as_deref() {
            None => None,
            Some(c) => Some(cursor::decode_position(c).ok_or_else(|| {
                ApiError::bad("bad_cursor", "cursor is not one this API handed out")
            })?),
        };
    let mut entries = state
        .store
        .article_entries(EntryQuery {
            section: section.clone(),
            after,
            limit: limit + 1,
            ..Default::default()
        })
        .await?;
    let more = entries.len() > limit;
    entries.truncate(limit);
    let next_cursor = entries
        .last()
        .filter(|_| more)
        .map(|e| cursor::encode_position(e.position()));
    let next = next_cursor.as_ref().map(|c| {
        let mut url = format!("/api/v1/articles?cursor={c}&limit={limit}");
        if let Some(s) = &section {
            url.push_str(&format!("&section={}", encode(s)));
        }
        base.join(&url)
    });
    let last_modified = entries.iter().map(|e| e.updated_at).max();
    let list = ArticleList {
        items: entries
            .iter()
            .map(|e| ArticleSummary::from_entry(e, &base))
            .collect(),
        next_cursor,
        next,
    };
    json(&state, &headers, &list, last_modified)
}

/// One article with its body.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}",
    tag = "articles",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = Article),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 410, description = "The article was taken down", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody)
    )
)]
async fn get_article(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    base: BaseUrl,
    headers: HeaderMap,
) -> ApiResult {
    let id = raw_id
        .parse::<ArticleId>()
        .map_err(|_| ApiError::bad("bad_parameter", "an article id is a whole number"))?;
    let article = live_article(&state, id).await?;
    json(
        &state,
        &headers,
        &Article::from_view(&article, &base),
        Some(article.updated_at),
    )
}

/// A live article, or the API's answer for its absence: 410 `gone` when an admin took
/// it down, else 404 `not_found`.
async fn live_article(
    state: &AppState,
    id: ArticleId,
) -> Result<herald_store::ArticleView, ApiError> {
    if let Some(article) = state.store.article(id).await? {
        return Ok(article);
    }
    Err(match state.store.article_removal(id).await? {
        Some(_) => ApiError::new(
            StatusCode::GONE,
            "gone",
            format!("article {} has been removed", id.0),
        ),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("there is no article {}", id.0),
        ),
    })
}

/// The portal's sections, in navigation order.
#[utoipa::path(
    get,
    path = "/api/v1/sections",
    tag = "catalog",
    responses((status = 200, description = "Every section", body = SectionList))
)]
async fn list_sections(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
) -> ApiResult {
    let list = SectionList {
        items: state
            .sections
            .iter()
            .map(|s| Section {
                slug: s.slug.clone(),
                name: s.name.clone(),
                position: s.position,
                url: base.join(&format!("/section/{}", s.slug)),
                feeds: FeedUrls::new(&base, &format!("/section/{}", s.slug), ""),
            })
            .collect(),
    };
    json(&state, &headers, &list, None)
}

/// The sources (publications) articles come from, with their feeds' fetch state.
#[utoipa::path(
    get,
    path = "/api/v1/sources",
    tag = "catalog",
    responses(
        (status = 200, description = "Every source, by name", body = SourceList),
        (status = 500, description = "The store failed", body = ErrorBody)
    )
)]
async fn list_sources(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let sources = state.store.sources().await?;
    let mut feeds: HashMap<i64, Vec<FeedState>> = HashMap::new();
    for feed in state.store.feeds().await? {
        feeds
            .entry(feed.source_id.0)
            .or_default()
            .push(FeedState::from(&feed));
    }
    let list = SourceList {
        items: sources
            .into_iter()
            .map(|s| SourceInfo {
                feeds: feeds.remove(&s.id.0).unwrap_or_default(),
                id: s.id.0,
                name: s.name,
                url: s.url,
            })
            .collect(),
    };
    json(&state, &headers, &list, None)
}

#[derive(Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// The query, as on the search page: words, "phrases", -exclusions.
    q: Option<String>,
    /// Only this section (slug).
    section: Option<String>,
    /// 1-based page number (ignored when `cursor` is given).
    #[param(value_type = Option<u32>, minimum = 1)]
    page: Option<String>,
    /// Where to continue: a `next_cursor` from the previous page.
    cursor: Option<String>,
    /// Hits per page (1–100; default: the portal's page size).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// Full-text search with the search page's parameters, best match first.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of hits", body = SearchResults),
        (status = 400, description = "No query, or a bad parameter or cursor", body = ErrorBody),
        (status = 500, description = "The index or store failed", body = ErrorBody)
    )
)]
async fn search(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult {
    let params = query(params)?;
    let q = clean_query(params.q);
    if q.is_empty() {
        return Err(ApiError::bad("bad_parameter", "q (the query) is required"));
    }
    let limit = limit(params.limit.as_deref(), state.web.page_size)?;
    let section = section(&state, params.section)?;
    let offset = match (params.cursor.as_deref(), params.page.as_deref()) {
        (Some(c), _) => cursor::decode_offset(c)
            .ok_or_else(|| ApiError::bad("bad_cursor", "cursor is not one this API handed out"))?,
        (None, Some(p)) => p
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&p| p >= 1)
            .map(|p| (p - 1) * limit)
            .ok_or_else(|| ApiError::bad("bad_parameter", "page must be a whole number from 1"))?,
        (None, None) => 0,
    };
    if offset >= MAX_SEARCH_DEPTH {
        return Err(ApiError::bad(
            "bad_parameter",
            format!("results are served to a depth of {MAX_SEARCH_DEPTH}"),
        ));
    }
    let request = SearchRequest {
        query: q.clone(),
        section: section.clone(),
        source: None,
        limit,
        offset,
    };
    let index = state.index.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let ids: Vec<ArticleId> = results.hits.iter().map(|h| h.id).collect();
    let articles: HashMap<_, _> = state
        .store
        .articles_by_ids(&ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let items: Vec<SearchHit> = results
        .hits
        .iter()
        .filter_map(|h| articles.get(&h.id).map(|a| (h, a)))
        .map(|(h, a)| SearchHit {
            article: ArticleSummary::from_view(a, &base),
            score: h.score,
            snippet_html: results.snippet_html(&a.body_text),
            story_id: a.story_id.map(|s| s.0),
            duplicate_of: a.duplicate_of.map(|d| d.0),
        })
        .collect();
    let end = offset + results.hits.len();
    let next_cursor = (!results.hits.is_empty() && end < results.total && end < MAX_SEARCH_DEPTH)
        .then(|| cursor::encode_offset(end));
    let query_string = search_query_string(&q, section.as_deref());
    let next = next_cursor.as_ref().map(|c| {
        base.join(&format!(
            "/api/v1/search?{query_string}&cursor={c}&limit={limit}"
        ))
    });
    let body = SearchResults {
        query: q,
        section,
        total: results.total as u64,
        total_estimated: results.total_estimated,
        items,
        next_cursor,
        next,
        feeds: FeedUrls::new(&base, "/search", &query_string),
    };
    json(&state, &headers, &body, None)
}

/// This document: OpenAPI 3.1, generated from the code.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
async fn openapi_json(headers: HeaderMap) -> Response {
    Document {
        content_type: "application/json",
        body: OPENAPI.clone(),
        last_modified: None,
        cache_control: "public, max-age=3600".into(),
    }
    .respond(&headers)
}
