//! Static assets compiled into the binary.

use crate::error::render_error;
use crate::views::{STYLESHEET, STYLESHEET_PATH};
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// `GET /static/{file}`: the stylesheet under its content-hashed name, cacheable
/// for a year; any other name is a 404.
pub(crate) async fn get(Path(file): Path<String>) -> Response {
    if format!("/static/{file}") == *STYLESHEET_PATH {
        (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            STYLESHEET,
        )
            .into_response()
    } else {
        render_error(None, StatusCode::NOT_FOUND)
    }
}
