//! `GET /article/{id}`: the clean reading view.

use super::{render, WithState};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::views::{full_date, iso, ArticleBody, ArticlePage, CardView, Layout};
use axum::extract::{Path, State};
use axum::response::Response;
use herald_store::ListQuery;
use herald_types::ArticleId;

/// Related articles shown under the body.
const RELATED: usize = 5;
/// Edits within this many seconds of publication are not worth an "Updated" line.
const UPDATE_NOTE_AFTER_SECS: i64 = 15 * 60;

pub(crate) async fn get(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let Ok(id) = raw_id.parse::<ArticleId>() else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let Some(article) = state.store.article(id).await.page_err(&state)? else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let now = chrono::Utc::now();
    let related = match &article.section_slug {
        Some(slug) => state
            .store
            .latest_articles(ListQuery {
                section: Some(slug.clone()),
                limit: RELATED + 1,
                offset: 0,
            })
            .await
            .page_err(&state)?
            .items
            .iter()
            .filter(|c| c.id != article.id)
            .take(RELATED)
            .map(|c| CardView::from_card(c, now))
            .collect(),
        None => Vec::new(),
    };
    let time = article.display_time();
    let updated = (article.created_at != article.updated_at
        && (article.updated_at - time).num_seconds() > UPDATE_NOTE_AFTER_SECS)
        .then(|| (iso(article.updated_at), full_date(article.updated_at)));
    let host = article
        .url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let section = article
        .section_slug
        .clone()
        .zip(article.section_name.clone());
    let body = ArticleBody {
        title: article.title.clone(),
        summary: article.summary.clone(),
        author: article.author.clone(),
        source: article.source.as_ref().map(|s| s.name.clone()),
        section: section.clone(),
        lang: article.lang.clone(),
        time_iso: iso(time),
        time_full: full_date(time),
        updated,
        body_html: article.body_html.clone(),
        url: article.url.clone(),
        host,
    };
    let page = ArticlePage {
        layout: Layout::new(&state, section.as_ref().map(|s| s.0.as_str()), ""),
        article: body,
        related,
    };
    render(&state, &page)
}
