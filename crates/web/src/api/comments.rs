//! `GET|POST /api/v1/articles/{id}/comments`: the approved thread, and new comments
//! under the same rules as the form (validation, moderation, bans, rate limits). A
//! JSON body is required, so a cross-site page cannot post here without a CORS
//! preflight, which the API never grants.

use super::{ApiError, ApiResult, ErrorBody};
use crate::comments::client_ip;
use crate::handlers::comment::{submit, Submitted};
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use herald_comments::Submission;
use herald_store::{ArticleView, CommentStatus};
use herald_types::ArticleId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Largest request body read: a comment plus its fields, with room to spare.
const MAX_BODY: usize = 64 * 1024;

/// An approved comment.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CommentOut {
    pub id: i64,
    /// The comment it replies to.
    pub parent: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    /// Sanitised HTML.
    pub body_html: String,
    /// Reply depth, 0 for top-level comments.
    pub depth: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CommentList {
    pub items: Vec<CommentOut>,
}

/// A new comment; the email is never shown.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub(crate) struct CommentIn {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub parent: Option<i64>,
}

/// What became of a new comment.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CommentCreated {
    pub id: i64,
    /// `approved` (shown now) or `pending` (awaiting moderation).
    pub status: String,
    /// What to tell the person who wrote it.
    pub message: String,
}

/// A refused comment: the reason, and per-field problems.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CommentRefused {
    pub code: String,
    pub message: String,
    pub fields: std::collections::BTreeMap<String, String>,
}

async fn article(state: &AppState, raw_id: &str) -> Result<ArticleView, ApiError> {
    let id = raw_id
        .parse::<ArticleId>()
        .map_err(|_| ApiError::bad("bad_parameter", "an article id is a whole number"))?;
    super::live_article(state, id).await
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_string(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An article's approved comments, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{id}/comments",
    tag = "comments",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The approved comments", body = CommentList),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 410, description = "The article was taken down", body = ErrorBody)
    )
)]
pub(crate) async fn list(State(state): State<AppState>, Path(raw_id): Path<String>) -> ApiResult {
    let article = article(&state, &raw_id).await?;
    let comments = state
        .store
        .article_comments(article.id, &[CommentStatus::Approved])
        .await?;
    let items = comments
        .into_iter()
        .map(|c| CommentOut {
            id: c.id.0,
            parent: c.parent.map(|p| p.0),
            author_name: c.author_name,
            author_url: c.author_url,
            body_html: c.body_html,
            depth: c.depth,
            created_at: c.created_at,
        })
        .collect();
    Ok(json_response(StatusCode::OK, &CommentList { items }))
}

/// Posts a comment under the same rules as the form.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{id}/comments",
    tag = "comments",
    params(("id" = i64, Path, description = "Article id")),
    request_body = CommentIn,
    responses(
        (status = 201, description = "Stored (approved or awaiting moderation)", body = CommentCreated),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 410, description = "The article was taken down", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
        (status = 422, description = "Refused, with the reasons", body = CommentRefused),
        (status = 429, description = "Too many comments from this address or email", body = CommentRefused)
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    request: Request,
) -> ApiResult {
    let ip = client_ip(request.extensions());
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the comment as JSON (Content-Type: application/json)",
        ));
    }
    let article = article(&state, &raw_id).await?;
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY)
        .await
        .map_err(|_| ApiError::bad("bad_body", "the body is too large or unreadable"))?;
    let input: CommentIn = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad("bad_body", format!("the body is not a comment: {e}")))?;
    let submission = Submission {
        name: input.name,
        email: input.email,
        website: input.website,
        body: input.comment,
        parent: input.parent,
    };
    match submit(&state, &article, &submission, ip, "", None).await? {
        Submitted::Stored { id, status, .. } => {
            let message = if status == CommentStatus::Approved {
                "Thank you! Your comment has been published."
            } else {
                "Thank you! Your comment is awaiting moderation and will appear once it has been approved."
            };
            // Spam is told the same as held, so a spammer learns nothing.
            let shown = if status == CommentStatus::Approved {
                "approved"
            } else {
                "pending"
            };
            Ok(json_response(
                StatusCode::CREATED,
                &CommentCreated {
                    id: id.0,
                    status: shown.into(),
                    message: message.into(),
                },
            ))
        }
        Submitted::Refused { status, errors, .. } => {
            let mut fields = std::collections::BTreeMap::new();
            for (name, value) in [
                ("name", errors.name),
                ("email", errors.email),
                ("website", errors.website),
                ("comment", errors.body),
            ] {
                if let Some(v) = value {
                    fields.insert(name.to_string(), v);
                }
            }
            let code = if status == StatusCode::TOO_MANY_REQUESTS {
                "rate_limited"
            } else {
                "refused"
            };
            let message = errors
                .general
                .unwrap_or_else(|| "Some fields need attention.".into());
            Ok(json_response(
                status,
                &CommentRefused {
                    code: code.into(),
                    message,
                    fields,
                },
            ))
        }
    }
}
