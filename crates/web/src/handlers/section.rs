//! `GET /section/{slug}?page=N`: a section's articles, newest first.

use super::{page_number, render, WithState};
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::views::{feed_links, CardView, Layout, Pager, SectionPage, Social};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use herald_store::ListQuery;
use serde::Deserialize;

#[derive(Default, Deserialize)]
pub(crate) struct Params {
    page: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    base: BaseUrl,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, PageError> {
    // Odd parameters (repeated, wrongly typed) get the defaults, not a bare 400.
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let Some(section) = state.sections.iter().find(|s| s.slug == slug) else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let page_size = state.web.page_size.max(1);
    let page = page_number(params.page.as_deref());
    let listing = state
        .store
        .latest_articles(ListQuery {
            with_total: true,
            source: None,
            section: Some(slug.clone()),
            limit: page_size,
            offset: (page - 1) * page_size,
        })
        .await
        .page_err(&state)?;
    if listing.items.is_empty() && page > 1 {
        return Err(PageError::new(&state, AppError::NotFound));
    }
    let now = chrono::Utc::now();
    let mut layout = Layout::new(&state, Some(&slug), "");
    let path = match page {
        1 => format!("/section/{slug}"),
        n => format!("/section/{slug}?page={n}"),
    };
    layout.canonical = Some(base.join(&path));
    layout.feeds = feed_links(
        &base,
        &format!("/section/{slug}"),
        "",
        &format!("{} · {}", section.name, state.site.name),
    );
    layout.social = Some(Social {
        og_type: "website",
        title: format!("{} · {}", section.name, state.site.name),
        description: state.site.tagline.clone(),
        url: base.join(&path),
        published: None,
        modified: None,
        section: None,
    });
    let view = SectionPage {
        layout,
        name: section.name.clone(),
        cards: listing
            .items
            .iter()
            .map(|c| CardView::from_card(c, now))
            .collect(),
        pager: Pager::new(page, page_size, listing.total, |n| {
            format!("/section/{slug}?page={n}")
        }),
    };
    render(&state, &view)
}
