//! One error type for every handler, rendered as an HTML error page.

use crate::state::AppState;
use crate::views::{ErrorPage, Layout};
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// Why a request failed. The variant decides the status and what the reader sees;
/// the cause of an internal fault is logged, never shown.
#[derive(Debug)]
pub enum AppError {
    /// No such page (404).
    NotFound,
    /// An article an admin took down (410): it existed, and is gone for good.
    Gone,
    /// The store or index failed (500).
    Internal(String),
    /// The store cannot be reached for a moment (503, with Retry-After).
    Unavailable(String),
}

impl<E: std::error::Error + 'static> From<E> for AppError {
    fn from(e: E) -> Self {
        let any: &dyn std::any::Any = &e;
        match any.downcast_ref::<herald_store::StoreError>() {
            Some(herald_store::StoreError::Unavailable(_)) => AppError::Unavailable(e.to_string()),
            _ => AppError::Internal(e.to_string()),
        }
    }
}

/// Seconds a client should wait after a 503: long enough for a database restart.
pub(crate) const RETRY_AFTER_SECS: &str = "5";

/// An error together with the state needed to render it in the site's layout (boxed:
/// errors travel through every handler's `Result`, which should stay small).
pub struct PageError(Box<(AppState, AppError)>);

impl PageError {
    pub(crate) fn new(state: &AppState, error: AppError) -> PageError {
        PageError(Box::new((state.clone(), error)))
    }
}

pub(crate) fn render_error(state: Option<&AppState>, status: StatusCode) -> Response {
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is no page at this address. It may have moved, or the link may be mistyped.",
        ),
        StatusCode::GONE => (
            "This article has been removed",
            "The editors of this site have taken this article down. It is no longer available.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Back in a moment",
            "The portal cannot reach its database right now. Please try again in a few seconds.",
        ),
        _ => (
            "Something went wrong",
            "The server could not show this page. Please try again in a moment.",
        ),
    };
    let layout = match state {
        Some(s) => Layout::new(s, None, ""),
        None => Layout::bare(),
    };
    let page = ErrorPage {
        layout,
        heading,
        message,
    };
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(_) => (status, heading).into_response(),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (state, error) = *self.0;
        match error {
            AppError::NotFound => render_error(Some(&state), StatusCode::NOT_FOUND),
            AppError::Gone => render_error(Some(&state), StatusCode::GONE),
            AppError::Internal(cause) => {
                tracing::error!(target: "web::request", %cause, "request failed");
                render_error(Some(&state), StatusCode::INTERNAL_SERVER_ERROR)
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(target: "web::request", %cause, "store unavailable");
                let mut response = render_error(Some(&state), StatusCode::SERVICE_UNAVAILABLE);
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
                );
                response
            }
        }
    }
}
