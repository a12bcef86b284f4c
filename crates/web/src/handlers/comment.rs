//! The comment thread under an article and `POST /article/{id}/comments`: token,
//! validation, moderation, limits, storage — and on any refusal the article page again
//! with everything the reader typed and the reason in words.

use super::article::article_page;
use super::WithState;
use crate::comment_views::{CommentForm, FormErrors};
use crate::comments::{
    client_ip, cookie, decode_cookie_value, encode_cookie_value, set_cookie, COMMENTER_COOKIE,
    READER_COOKIE,
};
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use axum::extract::{FromRequest, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use herald_comments::{duplicate_key, validate, Context, Decision, FormToken, Parent, Submission};
use herald_store::{CommentStatus, NewComment};
use herald_types::{ArticleId, CommentId};
use serde::Deserialize;

/// Seconds a "remember me" cookie lasts: a year.
const REMEMBER_SECS: i64 = 365 * 24 * 3600;
/// Seconds the reader id lasts: a year, renewed as forms are shown.
const READER_SECS: i64 = 365 * 24 * 3600;

/// The form as posted. Every field is optional here so that a tampered form still
/// gets a page with its fields, never a bare 422 from the extractor.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PostedComment {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub parent: String,
    #[serde(default)]
    pub remember: Option<String>,
    /// The honeypot: hidden from people by the stylesheet, filled in by bots.
    #[serde(default)]
    pub url: String,
}

/// The reader's id, and a `Set-Cookie` when a new one had to be made.
pub(crate) fn reader_id(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(id) = cookie(headers, READER_COOKIE).filter(|v| {
        v.len() == 43
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return (id.to_string(), None);
    }
    let id = herald_comments::new_session_id().unwrap_or_default();
    let header = set_cookie(
        READER_COOKIE,
        &id,
        READER_SECS,
        "Lax",
        state.comments.secure_cookies,
    );
    (id, header)
}

/// A fresh form for a reader, prefilled from "remember me".
pub(crate) fn fresh_form(
    state: &AppState,
    headers: &HeaderMap,
    reader: &str,
    article: ArticleId,
    parent: Option<(i64, String)>,
) -> CommentForm {
    let remembered: Vec<String> = cookie(headers, COMMENTER_COOKIE)
        .map(|v| v.split('|').map(decode_cookie_value).collect())
        .unwrap_or_default();
    let field = |i: usize| remembered.get(i).cloned().unwrap_or_default();
    let values = Submission {
        name: field(0),
        email: field(1),
        website: field(2),
        body: String::new(),
        parent: parent.as_ref().map(|p| p.0),
    };
    comment_form(
        state,
        reader,
        article,
        values,
        !remembered.is_empty(),
        parent.map(|p| p.1),
        FormErrors::default(),
    )
}

/// The form as shown: `values` in the fields, a fresh token, and `errors` beside them.
fn comment_form(
    state: &AppState,
    reader: &str,
    article: ArticleId,
    values: Submission,
    remember: bool,
    parent_name: Option<String>,
    errors: FormErrors,
) -> CommentForm {
    CommentForm {
        article_id: article.0,
        token: issue_token(state, reader, article),
        name: values.name,
        email: values.email,
        website: values.website,
        body: values.body,
        remember,
        parent: values.parent,
        parent_name,
        errors,
        max_chars: state.comments.policy.max_comment_chars,
    }
}

/// The approved comment `id` under `article` that a reply may answer, with its author.
pub(crate) async fn reply_target(
    state: &AppState,
    article: ArticleId,
    id: i64,
) -> Result<Option<(i64, String)>, herald_store::StoreError> {
    Ok(state
        .store
        .comment(CommentId(id))
        .await?
        .filter(|c| c.article == article && c.status == CommentStatus::Approved)
        .map(|c| (id, c.author_name)))
}

fn issue_token(state: &AppState, reader: &str, article: ArticleId) -> String {
    FormToken::issue(
        &state.comments.signer,
        reader,
        &article.0.to_string(),
        Utc::now(),
        state.comments.policy.form_ttl(),
    )
}

pub(crate) async fn post(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    base: BaseUrl,
    request_parts: axum::extract::Request,
) -> Result<Response, PageError> {
    let ip = client_ip(request_parts.extensions());
    let Form(posted): Form<PostedComment> = match Form::from_request(request_parts, &()).await {
        Ok(form) => form,
        Err(_) => Form(PostedComment::default()),
    };
    let Ok(article_id) = raw_id.parse::<ArticleId>() else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let Some(article) = state.store.article(article_id).await.page_err(&state)? else {
        return Err(super::missing_article(&state, article_id).await);
    };
    let (reader, new_cookie) = reader_id(&state, &headers);
    let now = Utc::now();
    let submission = Submission {
        name: posted.name.clone(),
        email: posted.email.clone(),
        website: posted.website.clone(),
        body: posted.comment.clone(),
        parent: posted.parent.trim().parse::<i64>().ok(),
    };
    let runtime = &state.comments;

    // Shows the article again with the form as typed and the reasons.
    let refuse = |form: Submission, errors: FormErrors, status: StatusCode| {
        let state = state.clone();
        let reader = reader.clone();
        let new_cookie = new_cookie.clone();
        let remember = posted.remember.is_some();
        async move {
            let parent_name = match form.parent {
                Some(p) => reply_target(&state, article_id, p)
                    .await
                    .ok()
                    .flatten()
                    .map(|t| t.1),
                None => None,
            };
            let form = comment_form(
                &state,
                &reader,
                article_id,
                form,
                remember,
                parent_name,
                errors,
            );
            let mut response =
                article_page(&state, &base, article_id, Some(form), None, None).await?;
            *response.status_mut() = status;
            private(&mut response, new_cookie);
            Ok::<Response, PageError>(response)
        }
    };

    // 1. The token: this form, this browser, not expired. A cross-site post has no
    //    reader cookie (SameSite) and fails here.
    let token = match FormToken::verify(
        &runtime.signer,
        &posted.token,
        &reader,
        &article_id.0.to_string(),
        now,
    ) {
        Ok(token) => token,
        Err(e) => {
            return refuse(
                submission,
                FormErrors::general(e.to_string()),
                StatusCode::FORBIDDEN,
            )
            .await
        }
    };
    let outcome = submit(
        &state,
        &article,
        &submission,
        ip,
        &posted.url,
        Some(token.rendered_at),
    )
    .await
    .page_err(&state)?;
    let (id, status, comment) = match outcome {
        Submitted::Stored {
            id,
            status,
            comment,
        } => (id, status, comment),
        Submitted::Refused {
            status,
            errors,
            form,
        } => return refuse(form, errors, status).await,
    };
    // Post/redirect/get: a reload never posts twice.
    let target = match status {
        CommentStatus::Approved => format!("/article/{article_id}?comment=published#comment-{id}"),
        _ => format!("/article/{article_id}?comment=held#respond"),
    };
    let mut response = Redirect::to(&target).into_response();
    let headers = response.headers_mut();
    if let Some(c) = new_cookie {
        headers.append(header::SET_COOKIE, c);
    }
    let remember = if posted.remember.is_some() {
        let value = [
            &comment.name,
            &comment.email,
            comment.website.as_deref().unwrap_or(""),
        ]
        .iter()
        .map(|v| encode_cookie_value(v))
        .collect::<Vec<_>>()
        .join("|");
        set_cookie(
            COMMENTER_COOKIE,
            &value,
            REMEMBER_SECS,
            "Lax",
            runtime.secure_cookies,
        )
    } else {
        set_cookie(COMMENTER_COOKIE, "", 0, "Lax", runtime.secure_cookies)
    };
    if let Some(c) = remember {
        headers.append(header::SET_COOKIE, c);
    }
    Ok(response)
}

/// Pages with a form carry a per-reader token: never cache them in shared caches.
pub(crate) fn private(response: &mut Response, new_cookie: Option<HeaderValue>) {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if let Some(c) = new_cookie {
        headers.append(header::SET_COOKIE, c);
    }
}

/// What happened to a submission.
pub(crate) enum Submitted {
    /// Stored (approved, held or as spam).
    Stored {
        id: CommentId,
        status: CommentStatus,
        comment: herald_comments::NewComment,
    },
    /// Not stored: the reasons, and the submission normalised for showing again.
    Refused {
        status: StatusCode,
        errors: FormErrors,
        form: Submission,
    },
}

fn refused(status: StatusCode, form: Submission, general: String) -> Submitted {
    Submitted::Refused {
        status,
        errors: FormErrors::general(general),
        form,
    }
}

/// The rules every comment goes through, from the form or the API: validation, what
/// the store knows (parent, approved before, duplicates, bans), the moderation
/// policy, then the rate limits (last, so refused attempts do not use them up), then
/// storage. `rendered_at` is the verified form token's time (`None` for the API).
pub(crate) async fn submit(
    state: &AppState,
    article: &herald_store::ArticleView,
    submission: &Submission,
    ip: std::net::IpAddr,
    honeypot: &str,
    rendered_at: Option<chrono::DateTime<Utc>>,
) -> Result<Submitted, herald_store::StoreError> {
    let runtime = &state.comments;
    let now = Utc::now();
    let checked = validate(submission, &runtime.policy.limits());
    let Some(comment) = checked.comment().filter(|_| checked.is_valid()) else {
        let e = &checked.errors;
        return Ok(Submitted::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: FormErrors {
                name: e.name.clone(),
                email: e.email.clone(),
                website: e.website.clone(),
                body: e.body.clone(),
                general: e.parent.clone(),
            },
            form: checked.form,
        });
    };
    let parent = match comment.parent {
        None => Parent::None,
        Some(p) => match state.store.comment(CommentId(p)).await? {
            Some(c) if c.article == article.id && c.status == CommentStatus::Approved => {
                Parent::Found { depth: c.depth + 1 }
            }
            _ => Parent::Missing,
        },
    };
    let dup_key = duplicate_key(&comment.email_key, &comment.body);
    let ctx = Context {
        now,
        ip,
        article_published: article.published,
        article_open: true,
        parent,
        has_approved_comment: state.store.has_approved_comment(&comment.email_key).await?,
        is_duplicate: state
            .store
            .duplicate_comment_since(&dup_key, now - runtime.policy.duplicate_window())
            .await?,
        honeypot,
        form_rendered_at: rendered_at,
    };
    let banned = state
        .store
        .setting(&format!("ban.email.{}", comment.email_key))
        .await?
        .is_some()
        || state
            .store
            .setting(&format!("ban.ip.{ip}"))
            .await?
            .is_some();
    let decision = if banned {
        Decision::Spam(herald_comments::Reason::BlockedIp {
            rule: "banned by a moderator".into(),
        })
    } else {
        runtime.moderator.decide(&ctx, &comment)
    };
    if let Decision::Reject(reason) = &decision {
        return Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            checked.form,
            reason.to_string(),
        ));
    }
    if let Err(reason) = runtime
        .limiter
        .check(ip, &comment.email_key, std::time::Instant::now())
    {
        return Ok(refused(
            StatusCode::TOO_MANY_REQUESTS,
            checked.form,
            reason.to_string(),
        ));
    }
    let (status, reason) = match &decision {
        Decision::Approve => (CommentStatus::Approved, None),
        Decision::Hold(r) => (CommentStatus::Pending, Some(r.to_string())),
        // Rejections returned above.
        Decision::Spam(r) | Decision::Reject(r) => (CommentStatus::Spam, Some(r.to_string())),
    };
    let depth = match parent {
        Parent::Found { depth } => depth.saturating_sub(1),
        _ => 0,
    };
    let id = state
        .store
        .add_comment(NewComment {
            article: article.id,
            parent: comment.parent.map(CommentId),
            author_name: comment.name.clone(),
            author_email: comment.email.clone(),
            email_key: comment.email_key.clone(),
            author_url: comment.website.clone(),
            body_html: runtime.renderer.render(&comment.body),
            body_text: comment.body.clone(),
            status,
            reason,
            ip: Some(ip.to_string()),
            duplicate_key: Some(dup_key),
            depth,
            created_at: now,
        })
        .await?;
    tracing::info!(target: "web::comments", article = %article.id, comment = %id, status = status.as_str(), "comment received");
    Ok(Submitted::Stored {
        id,
        status,
        comment,
    })
}
