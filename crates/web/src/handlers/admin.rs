//! The admin area: sign-in, the moderation queue with bulk actions, feeds, article
//! takedowns (`takedown`), site settings and sections (`site_admin`), the action log
//! and a reindex button. Every page needs a session; every form carries a CSRF
//! token bound to that session; every action is written to the admin log.

use super::comment::reader_id;
use super::WithState;
use crate::comments::{client_ip, cookie, set_cookie, SESSION_COOKIE};
use crate::error::{AppError, PageError};
use crate::router::RouterState;
use crate::state::AppState;
use crate::views::{full_date, Layout};
use askama::Template;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Duration, Utc};
use herald_comments::{session_key, verify_login};
use herald_store::{CommentStatus, FeedRow, NewFeed, User};
use herald_types::{CommentId, FeedId};
use serde::Deserialize;
use std::sync::atomic::Ordering;

/// How long a sign-in lasts.
const SESSION_HOURS: i64 = 12;
/// Comments per page of the queue.
const QUEUE_PAGE: usize = 50;

pub(crate) fn routes() -> Router<RouterState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/comments") }))
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/comments", get(queue).post(moderate))
        .route("/admin/sources", get(sources).post(source_action))
        .route(
            "/admin/articles",
            get(super::takedown::page).post(super::takedown::post),
        )
        .route(
            "/admin/site",
            get(super::site_admin::page).post(super::site_admin::post),
        )
        .route("/admin/log", get(log))
        .route("/admin/reindex", post(reindex))
}

/// Admin pages are private and never indexed.
fn admin_response(status: StatusCode, html: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (
                header::HeaderName::from_static("x-robots-tag"),
                "noindex, nofollow",
            ),
        ],
        Html(html),
    )
        .into_response()
}

pub(crate) fn render_admin(
    state: &AppState,
    status: StatusCode,
    page: &impl Template,
) -> Result<Response, PageError> {
    let html = page
        .render()
        .map_err(|e| PageError::new(state, AppError::Internal(e.to_string())))?;
    Ok(admin_response(status, html))
}

/// The signed-in account and its session key, or `None`.
pub(crate) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(User, String)>, PageError> {
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let key = session_key(id);
    let user = state
        .store
        .session_user(&key, Utc::now())
        .await
        .page_err(state)?;
    Ok(user.map(|u| (u, key)))
}

pub(crate) fn csrf_for(state: &AppState, session: &str) -> String {
    state
        .comments
        .signer
        .csrf(session, "admin", Utc::now(), Duration::hours(SESSION_HOURS))
}

fn csrf_ok(state: &AppState, session: &str, token: &str) -> bool {
    state
        .comments
        .signer
        .verify_csrf(token, session, "admin", Utc::now())
        .is_ok()
}

/// Reads a url-encoded form body into pairs (repeated keys kept: bulk actions).
async fn form_pairs(request: Request) -> Vec<(String, String)> {
    match Form::<Vec<(String, String)>>::from_request(request, &()).await {
        Ok(Form(pairs)) => pairs,
        Err(_) => Vec::new(),
    }
}

pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The signed-in account and the form of an admin POST whose CSRF token is valid, or
/// the response to send instead (sign in first; form expired or forged).
pub(crate) async fn admin_post(
    state: &AppState,
    headers: &HeaderMap,
    request: Request,
) -> Result<Result<(User, Vec<(String, String)>), Response>, PageError> {
    let Some((user, key)) = signed_in(state, headers).await? else {
        return Ok(Err(Redirect::to("/admin/login").into_response()));
    };
    let pairs = form_pairs(request).await;
    if !csrf_ok(state, &key, field(&pairs, "token")) {
        return Ok(Err(admin_response(
            StatusCode::FORBIDDEN,
            "This form has expired or was not sent from this site. Go back, reload and try again."
                .into(),
        )));
    }
    Ok(Ok((user, pairs)))
}

// ---- sign-in -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_login.html")]
struct LoginPage {
    layout: Layout,
    token: String,
    name: String,
    error: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if signed_in(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/admin/comments").into_response());
    }
    let (reader, new_cookie) = reader_id(&state, &headers);
    let page = LoginPage {
        layout: Layout::new(&state, None, ""),
        token: state
            .comments
            .signer
            .csrf(&reader, "login", Utc::now(), Duration::hours(1)),
        name: String::new(),
        error: None,
    };
    let mut response = render_admin(&state, StatusCode::OK, &page)?;
    if let Some(c) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(response)
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let ip = client_ip(request.extensions());
    let pairs = form_pairs(request).await;
    let name = field(&pairs, "name").trim().to_string();
    let password = field(&pairs, "password").to_string();
    let (reader, new_cookie) = reader_id(&state, &headers);
    let again = |error: String, status: StatusCode| -> Result<Response, PageError> {
        let page = LoginPage {
            layout: Layout::new(&state, None, ""),
            token: state
                .comments
                .signer
                .csrf(&reader, "login", Utc::now(), Duration::hours(1)),
            name: name.clone(),
            error: Some(error),
        };
        let mut response = render_admin(&state, status, &page)?;
        if let Some(c) = new_cookie.clone() {
            response.headers_mut().append(header::SET_COOKIE, c);
        }
        Ok(response)
    };
    if state
        .comments
        .signer
        .verify_csrf(field(&pairs, "token"), &reader, "login", Utc::now())
        .is_err()
    {
        return again(
            "This sign-in form has expired or was not sent from this site. Please try again."
                .into(),
            StatusCode::FORBIDDEN,
        );
    }
    let logins = &state.comments.logins;
    let account = herald_comments::account_key(&name);
    if let Err(locked) = logins.check(ip, &account, std::time::Instant::now()) {
        return again(locked.to_string(), StatusCode::TOO_MANY_REQUESTS);
    }
    let user = state.store.user_by_name(&name).await.page_err(&state)?;
    // The hash is checked even for unknown names, so timing does not reveal accounts.
    let password_ok = verify_login(user.as_ref().map(|u| u.password_hash.as_str()), &password);
    let Some(user) = user.filter(|_| password_ok) else {
        logins.record_failure(ip, &account, std::time::Instant::now());
        tracing::warn!(target: "web::admin", %ip, "failed sign-in");
        return again("Wrong name or password.".into(), StatusCode::UNAUTHORIZED);
    };
    logins.record_success(ip, &account);
    // A new id at every sign-in: a session id planted before sign-in is worthless.
    let session_id = herald_comments::new_session_id()
        .map_err(|e| PageError::new(&state, AppError::Internal(e.to_string())))?;
    state
        .store
        .create_session(
            &session_key(&session_id),
            user.id,
            Utc::now() + Duration::hours(SESSION_HOURS),
        )
        .await
        .page_err(&state)?;
    state
        .store
        .log_admin_action(&user.name, "login", &format!("signed in from {ip}"))
        .await
        .page_err(&state)?;
    let mut response = Redirect::to("/admin/comments").into_response();
    if let Some(c) = set_cookie(
        SESSION_COOKIE,
        &session_id,
        SESSION_HOURS * 3600,
        "Strict",
        state.comments.secure_cookies,
    ) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let pairs = form_pairs(request).await;
    if let Some((user, key)) = signed_in(&state, &headers).await? {
        if csrf_ok(&state, &key, field(&pairs, "token")) {
            state.store.delete_session(&key).await.page_err(&state)?;
            state
                .store
                .log_admin_action(&user.name, "logout", "signed out")
                .await
                .page_err(&state)?;
        }
    }
    let mut response = Redirect::to("/admin/login").into_response();
    if let Some(c) = set_cookie(
        SESSION_COOKIE,
        "",
        0,
        "Strict",
        state.comments.secure_cookies,
    ) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(response)
}

// ---- moderation queue ----------------------------------------------------------

struct StatusTab {
    status: &'static str,
    label: &'static str,
    count: u64,
    active: bool,
}

struct QueueRow {
    id: i64,
    article_id: i64,
    article_title: String,
    author: String,
    email: String,
    website: Option<String>,
    ip: String,
    time: String,
    body_html: String,
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_comments.html")]
struct QueuePage {
    layout: Layout,
    user: String,
    token: String,
    tabs: Vec<StatusTab>,
    status: &'static str,
    rows: Vec<QueueRow>,
    notice: Option<String>,
    next_page: Option<usize>,
    prev_page: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
struct QueueParams {
    status: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

fn label(status: CommentStatus) -> &'static str {
    match status {
        CommentStatus::Pending => "Pending",
        CommentStatus::Approved => "Approved",
        CommentStatus::Spam => "Spam",
        CommentStatus::Trash => "Trash",
    }
}

async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<QueueParams>,
) -> Result<Response, PageError> {
    let Some((user, key)) = signed_in(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let status = params
        .status
        .as_deref()
        .and_then(CommentStatus::parse)
        .unwrap_or(CommentStatus::Pending);
    let page = super::page_number(params.page.as_deref());
    let counts = state.store.comment_status_counts().await.page_err(&state)?;
    let listed = state
        .store
        .queued_comments(status, QUEUE_PAGE, (page - 1) * QUEUE_PAGE)
        .await
        .page_err(&state)?;
    let rows = listed
        .items
        .into_iter()
        .map(|q| QueueRow {
            id: q.comment.id.0,
            article_id: q.comment.article.0,
            article_title: q.article_title,
            author: q.comment.author_name,
            email: q.comment.author_email,
            website: q.comment.author_url,
            ip: q.comment.ip.unwrap_or_default(),
            time: full_date(q.comment.created_at),
            body_html: q.comment.body_html,
            reason: q.comment.reason,
        })
        .collect();
    let page_view = QueuePage {
        layout: Layout::new(&state, None, ""),
        user: user.name,
        token: csrf_for(&state, &key),
        tabs: CommentStatus::ALL
            .into_iter()
            .map(|s| StatusTab {
                status: s.as_str(),
                label: label(s),
                count: counts.get(&s).copied().unwrap_or(0),
                active: s == status,
            })
            .collect(),
        status: status.as_str(),
        rows,
        notice: params.done.map(|d| d.chars().take(200).collect()),
        next_page: ((page * QUEUE_PAGE) < listed.total as usize).then_some(page + 1),
        prev_page: (page > 1).then(|| page - 1),
    };
    render_admin(&state, StatusCode::OK, &page_view)
}

async fn moderate(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let (user, pairs) = match admin_post(&state, &headers, request).await? {
        Ok(signed) => signed,
        Err(response) => return Ok(response),
    };
    let back = field(&pairs, "status").to_string();
    let ids: Vec<CommentId> = pairs
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .map(CommentId)
        .take(1_000)
        .collect();
    let action = field(&pairs, "action");
    let target = match action {
        "approve" => Some(CommentStatus::Approved),
        "unapprove" => Some(CommentStatus::Pending),
        "spam" => Some(CommentStatus::Spam),
        "trash" => Some(CommentStatus::Trash),
        "ban" => Some(CommentStatus::Spam),
        _ => None,
    };
    let done = match target {
        None => "Choose an action.".to_string(),
        Some(_) if ids.is_empty() => "Select at least one comment.".to_string(),
        Some(status) => {
            let changed = state
                .store
                .set_comment_status(&ids, status)
                .await
                .page_err(&state)?;
            let mut banned = 0;
            if action == "ban" {
                for id in &ids {
                    if let Some(c) = state.store.comment(*id).await.page_err(&state)? {
                        let email = herald_comments::email_key(&c.author_email);
                        state
                            .store
                            .init_setting(&format!("ban.email.{email}"), "1")
                            .await
                            .page_err(&state)?;
                        if let Some(ip) = &c.ip {
                            state
                                .store
                                .init_setting(&format!("ban.ip.{ip}"), "1")
                                .await
                                .page_err(&state)?;
                        }
                        banned += 1;
                    }
                }
            }
            let list = ids
                .iter()
                .map(|i| i.0.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            state
                .store
                .log_admin_action(
                    &user.name,
                    &format!("comment.{action}"),
                    &format!("comments {list}"),
                )
                .await
                .page_err(&state)?;
            if action == "ban" {
                format!("{changed} comments marked as spam; {banned} authors banned (email and address).")
            } else {
                format!("{changed} comments moved to {}.", label(status))
            }
        }
    };
    let status = CommentStatus::parse(&back).unwrap_or(CommentStatus::Pending);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("status", status.as_str())
        .append_pair("done", &done)
        .finish();
    Ok(Redirect::to(&format!("/admin/comments?{query}")).into_response())
}

// ---- sources -------------------------------------------------------------------

struct FeedView {
    id: i64,
    url: String,
    source: String,
    section: String,
    state: &'static str,
    items: u64,
    status: String,
    last_fetch: String,
    next_fetch: String,
    error: Option<String>,
    paused: bool,
}

#[derive(Template)]
#[template(path = "admin_sources.html")]
struct SourcesPage {
    layout: Layout,
    user: String,
    token: String,
    feeds: Vec<FeedView>,
    sections: Vec<(String, String)>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoticeParams {
    pub(crate) done: Option<String>,
}

fn feed_view(f: FeedRow) -> FeedView {
    let state = f.state_word();
    FeedView {
        id: f.id.0,
        url: f.url,
        source: f.source_name,
        section: f.section.unwrap_or_default(),
        state,
        items: f.items_total,
        status: f.last_status.map(|s| s.to_string()).unwrap_or_default(),
        last_fetch: f
            .last_fetch_at
            .map(full_date)
            .unwrap_or_else(|| "never".into()),
        next_fetch: if f.paused {
            "-".into()
        } else {
            full_date(f.next_fetch_at)
        },
        error: f.last_error,
        paused: f.paused,
    }
}

async fn sources(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<NoticeParams>,
) -> Result<Response, PageError> {
    let Some((user, key)) = signed_in(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let feeds = state.store.feeds().await.page_err(&state)?;
    let page = SourcesPage {
        layout: Layout::new(&state, None, ""),
        user: user.name,
        token: csrf_for(&state, &key),
        feeds: feeds.into_iter().map(feed_view).collect(),
        sections: state
            .sections
            .iter()
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect(),
        notice: params.done.map(|d| d.chars().take(300).collect()),
    };
    render_admin(&state, StatusCode::OK, &page)
}

async fn source_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let (user, pairs) = match admin_post(&state, &headers, request).await? {
        Ok(signed) => signed,
        Err(response) => return Ok(response),
    };
    let action = field(&pairs, "action");
    let id = field(&pairs, "id").parse::<i64>().ok().map(FeedId);
    let done = match (action, id) {
        ("add", _) => {
            let raw = field(&pairs, "url").trim();
            match url::Url::parse(raw) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {
                    let section = Some(field(&pairs, "section").to_string())
                        .filter(|s| state.sections.iter().any(|x| &x.slug == s));
                    let name = Some(field(&pairs, "name").trim().to_string())
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| u.host_str().unwrap_or("feed").to_string());
                    match state
                        .store
                        .add_feed(NewFeed {
                            url: u.to_string(),
                            source_name: name,
                            site_url: None,
                            title: None,
                            section,
                            next_fetch_at: Utc::now(),
                            interval_secs: 1_800,
                        })
                        .await
                    {
                        Ok(feed) => format!(
                            "Added feed #{} {}; it is fetched within moments.",
                            feed.id, feed.url
                        ),
                        Err(herald_store::StoreError::Conflict(m)) => m,
                        Err(e) => return Err(PageError::new(&state, e.into())),
                    }
                }
                _ => format!("{raw:?} is not an http(s) URL."),
            }
        }
        ("pause", Some(id)) => {
            state
                .store
                .set_feed_paused(id, true)
                .await
                .page_err(&state)?;
            format!("Paused feed #{id}.")
        }
        ("resume", Some(id)) => {
            state
                .store
                .set_feed_paused(id, false)
                .await
                .page_err(&state)?;
            format!("Resumed feed #{id}; it is due now.")
        }
        ("remove", Some(id)) => {
            state.store.remove_feed(id).await.page_err(&state)?;
            format!("Removed feed #{id}; its articles stay.")
        }
        _ => "Unknown action.".to_string(),
    };
    state
        .store
        .log_admin_action(&user.name, &format!("feed.{action}"), &done)
        .await
        .page_err(&state)?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("done", &done)
        .finish();
    Ok(Redirect::to(&format!("/admin/sources?{query}")).into_response())
}

// ---- log and reindex -----------------------------------------------------------

struct LogRow {
    time: String,
    user: String,
    action: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_log.html")]
struct LogPage {
    layout: Layout,
    user: String,
    token: String,
    rows: Vec<LogRow>,
    notice: Option<String>,
}

async fn log(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<NoticeParams>,
) -> Result<Response, PageError> {
    let Some((user, key)) = signed_in(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let rows = state
        .store
        .admin_log(500)
        .await
        .page_err(&state)?
        .into_iter()
        .map(|e| LogRow {
            time: full_date(e.at),
            user: e.user_name,
            action: e.action,
            detail: e.detail,
        })
        .collect();
    let page = LogPage {
        layout: Layout::new(&state, None, ""),
        user: user.name,
        token: csrf_for(&state, &key),
        rows,
        notice: params.done.map(|d| d.chars().take(300).collect()),
    };
    render_admin(&state, StatusCode::OK, &page)
}

async fn reindex(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let (user, _form) = match admin_post(&state, &headers, request).await? {
        Ok(signed) => signed,
        Err(response) => return Ok(response),
    };
    state.reindex.store(true, Ordering::SeqCst);
    state
        .store
        .log_admin_action(
            &user.name,
            "index.rebuild",
            "search index rebuild requested",
        )
        .await
        .page_err(&state)?;
    Ok(
        Redirect::to("/admin/log?done=The+search+index+is+being+rebuilt+from+the+store.")
            .into_response(),
    )
}
