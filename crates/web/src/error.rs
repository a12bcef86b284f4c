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
    /// The store or index failed (500).
    Internal(String),
}

impl<E: std::error::Error> From<E> for AppError {
    fn from(e: E) -> Self {
        AppError::Internal(e.to_string())
    }
}

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
            AppError::Internal(cause) => {
                tracing::error!(target: "web::request", %cause, "request failed");
                render_error(Some(&state), StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}
