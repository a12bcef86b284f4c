//! Taking articles down: `GET /admin/articles?id=…` finds an article (by id or by its
//! address on the portal) and shows its state; `POST /admin/articles` takes it down.
//! A taken-down article answers 410 Gone and leaves listings, feeds, sitemaps, stories
//! and search (see `Store::take_down_article`); the action goes to the admin log.

use super::admin::{admin_post, csrf_for, field, render_admin, signed_in};
use super::WithState;
use crate::error::PageError;
use crate::state::AppState;
use crate::views::{full_date, Layout};
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use herald_types::ArticleId;

/// Longest reason kept: a sentence or two for the record.
const MAX_REASON: usize = 500;

/// What the page shows about the article looked up.
pub(crate) enum Found {
    Live {
        id: i64,
        title: String,
        source: String,
        section: String,
        time: String,
    },
    Removed {
        id: i64,
        at: String,
        reason: String,
    },
    Missing {
        wanted: String,
    },
}

#[derive(Template)]
#[template(path = "admin_articles.html")]
struct ArticlesPage {
    layout: Layout,
    user: String,
    token: String,
    wanted: String,
    found: Option<Found>,
    notice: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct LookupParams {
    id: Option<String>,
    done: Option<String>,
}

/// An article id from what an admin pasted: `42`, `/article/42` or a full address of
/// an article page (with or without `#comment-…` or a query).
fn article_id(raw: &str) -> Option<ArticleId> {
    let raw = raw.trim();
    let tail = raw.rsplit_once("/article/").map_or(raw, |(_, t)| t);
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    let rest = &tail[digits.len()..];
    if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
        return None;
    }
    digits.parse::<ArticleId>().ok()
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<LookupParams>,
) -> Result<Response, PageError> {
    let Some((user, key)) = signed_in(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let wanted = params.id.unwrap_or_default().trim().to_string();
    let found = if wanted.is_empty() {
        None
    } else {
        Some(lookup(&state, &wanted).await?)
    };
    let page = ArticlesPage {
        layout: Layout::new(&state, None, ""),
        user: user.name,
        token: csrf_for(&state, &key),
        wanted,
        found,
        notice: params.done.map(|d| d.chars().take(300).collect()),
    };
    render_admin(&state, StatusCode::OK, &page)
}

async fn lookup(state: &AppState, wanted: &str) -> Result<Found, PageError> {
    let Some(id) = article_id(wanted) else {
        return Ok(Found::Missing {
            wanted: wanted.to_string(),
        });
    };
    if let Some(a) = state.store.article(id).await.page_err(state)? {
        return Ok(Found::Live {
            id: id.0,
            source: a.source.map(|s| s.name).unwrap_or_default(),
            section: a.section_name.unwrap_or_default(),
            time: full_date(a.published.unwrap_or(a.created_at)),
            title: a.title,
        });
    }
    Ok(
        match state.store.article_removal(id).await.page_err(state)? {
            Some(r) => Found::Removed {
                id: id.0,
                at: full_date(r.at),
                reason: r.reason,
            },
            None => Found::Missing {
                wanted: wanted.to_string(),
            },
        },
    )
}

pub(crate) async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let (user, pairs) = match admin_post(&state, &headers, request).await? {
        Ok(signed) => signed,
        Err(response) => return Ok(response),
    };
    let raw_id = field(&pairs, "id").to_string();
    let reason: String = field(&pairs, "reason")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_REASON)
        .collect();
    let done = match (field(&pairs, "action"), article_id(&raw_id)) {
        ("takedown", Some(id)) => {
            let title = state
                .store
                .article(id)
                .await
                .page_err(&state)?
                .map(|a| a.title);
            if state
                .store
                .take_down_article(id, &reason)
                .await
                .page_err(&state)?
            {
                let detail = format!(
                    "article {id} “{}”: {}",
                    title.unwrap_or_default(),
                    if reason.is_empty() {
                        "no reason given"
                    } else {
                        &reason
                    }
                );
                state
                    .store
                    .log_admin_action(&user.name, "article.takedown", &detail)
                    .await
                    .page_err(&state)?;
                format!("Article {id} was taken down; its address now answers 410 Gone.")
            } else {
                format!("Article {id} does not exist or was taken down already.")
            }
        }
        ("takedown", None) => format!("{raw_id:?} is not an article id."),
        _ => "Unknown action.".to_string(),
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("id", &raw_id)
        .append_pair("done", &done)
        .finish();
    Ok(Redirect::to(&format!("/admin/articles?{query}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_numbers_and_article_addresses() {
        for (raw, want) in [
            ("42", Some(42)),
            (" 42 ", Some(42)),
            ("/article/42", Some(42)),
            ("https://news.example/article/42#comment-3", Some(42)),
            ("https://news.example/article/42?replyto=1", Some(42)),
            ("https://news.example/story/42", None),
            ("42abc", None),
            ("", None),
        ] {
            assert_eq!(article_id(raw).map(|a| a.0), want, "{raw:?}");
        }
    }
}
