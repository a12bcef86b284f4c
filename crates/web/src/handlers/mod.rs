//! One module per page.

pub(crate) mod admin;
pub(crate) mod article;
pub(crate) mod assets;
pub(crate) mod comment;
pub(crate) mod discovery;
pub(crate) mod feeds;
pub(crate) mod front;
pub(crate) mod search;
mod search_groups;
pub(crate) mod section;
pub(crate) mod site_admin;
pub(crate) mod source;
pub(crate) mod story;
pub(crate) mod takedown;

use crate::error::{AppError, PageError};
use crate::state::AppState;
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use herald_types::ArticleId;

/// Renders a page with the portal's caching policy: public, short-lived, so a busy
/// front page is served from caches while new articles still show within a minute.
pub(crate) fn render(state: &AppState, page: &impl Template) -> Result<Response, PageError> {
    let html = page
        .render()
        .map_err(|e| PageError::new(state, AppError::Internal(e.to_string())))?;
    let cache = format!("public, max-age={}", state.web.cache_max_age);
    Ok(([(header::CACHE_CONTROL, cache)], Html(html)).into_response())
}

/// Parses a 1-based page number leniently: anything odd is page 1.
pub(crate) fn page_number(raw: Option<&str>) -> usize {
    raw.and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|&p| p >= 1)
        .unwrap_or(1)
        .min(100_000)
}

/// The error for an article the store did not return: 410 Gone when an admin took it
/// down (links to it should be dropped, and crawlers do), else 404.
pub(crate) async fn missing_article(state: &AppState, id: ArticleId) -> PageError {
    match state.store.article_removal(id).await {
        Ok(Some(_)) => PageError::new(state, AppError::Gone),
        Ok(None) => PageError::new(state, AppError::NotFound),
        Err(e) => PageError::new(state, e.into()),
    }
}

/// Attaches the state to an error so that it renders in the site's layout.
pub(crate) trait WithState<T> {
    fn page_err(self, state: &AppState) -> Result<T, PageError>;
}

impl<T, E: Into<AppError>> WithState<T> for Result<T, E> {
    fn page_err(self, state: &AppState) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(state, e.into()))
    }
}
