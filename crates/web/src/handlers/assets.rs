//! Static assets compiled into the binary.

use crate::error::render_error;
use crate::views::{LOCAL_TIME_SCRIPT, LOCAL_TIME_SCRIPT_PATH, STYLESHEET, STYLESHEET_PATH};
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// `GET /static/{file}`: the stylesheet and the local-time script under their
/// content-hashed names, cacheable for a year; any other name is a 404.
pub(crate) async fn get(Path(file): Path<String>) -> Response {
    let path = format!("/static/{file}");
    let (content_type, body) = if path == *STYLESHEET_PATH {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if path == *LOCAL_TIME_SCRIPT_PATH {
        ("text/javascript; charset=utf-8", LOCAL_TIME_SCRIPT)
    } else {
        return render_error(None, StatusCode::NOT_FOUND);
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}
