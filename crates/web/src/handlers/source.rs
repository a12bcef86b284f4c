//! `GET /source/{id}?page=N`: everything one source published, newest first.

use super::{page_number, render, WithState};
use crate::error::{AppError, PageError};
use crate::state::AppState;
use crate::views::{CardView, Layout, Pager, SectionPage};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use herald_store::ListQuery;
use herald_types::SourceId;
use serde::Deserialize;

#[derive(Default, Deserialize)]
pub(crate) struct Params {
    page: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, PageError> {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let Ok(id) = raw_id.parse::<SourceId>() else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let Some(source) = state
        .store
        .sources()
        .await
        .page_err(&state)?
        .into_iter()
        .find(|s| s.id == id)
    else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let page_size = state.web.page_size.max(1);
    let page = page_number(params.page.as_deref());
    let listing = state
        .store
        .latest_articles(ListQuery {
            source: Some(id),
            limit: page_size,
            offset: (page - 1) * page_size,
            with_total: true,
            ..ListQuery::default()
        })
        .await
        .page_err(&state)?;
    if listing.items.is_empty() && page > 1 {
        return Err(PageError::new(&state, AppError::NotFound));
    }
    let now = chrono::Utc::now();
    let view = SectionPage {
        layout: Layout::new(&state, None, ""),
        name: source.name,
        cards: listing
            .items
            .iter()
            .map(|c| CardView::from_card(c, now))
            .collect(),
        pager: Pager::new(page, page_size, listing.total, |n| {
            format!("/source/{}?page={n}", id.0)
        }),
    };
    render(&state, &view)
}
