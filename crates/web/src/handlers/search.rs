//! `GET /search?q=…&section=…&page=N`: search with highlighted snippets.

use super::{page_number, render, WithState};
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::views::{feed_links, CardView, Layout, Pager, SearchHitView, SearchPage, SectionOption};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use herald_search::SearchRequest;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Default, Deserialize)]
pub(crate) struct Params {
    q: Option<String>,
    section: Option<String>,
    page: Option<String>,
}

/// Deepest page served: nobody reads page 50 of results, and deep offsets cost the
/// index real work.
const MAX_PAGE: usize = 50;

pub(crate) fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A query as typed, made searchable: control characters never mean anything in a
/// query, so they go before anything else sees the text.
pub(crate) fn clean_query(raw: Option<String>) -> String {
    raw.unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// The query string that repeats a search (`q=…&section=…`), shared by the page's
/// links and its feeds.
pub(crate) fn search_query_string(query: &str, section: Option<&str>) -> String {
    format!(
        "q={}{}",
        encode(query),
        section
            .map(|s| format!("&section={}", encode(s)))
            .unwrap_or_default()
    )
}

pub(crate) async fn get(
    State(state): State<AppState>,
    base: BaseUrl,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, PageError> {
    // Odd parameters (repeated, wrongly typed) get the defaults, not a bare 400.
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let query = clean_query(params.q);
    let section = params
        .section
        .filter(|s| state.sections.iter().any(|row| &row.slug == s));
    let page = page_number(params.page.as_deref());
    if page > MAX_PAGE {
        return Err(PageError::new(&state, AppError::NotFound));
    }
    let page_size = state.web.page_size.max(1);
    let request = SearchRequest {
        query: query.clone(),
        section: section.clone(),
        source: None,
        limit: page_size,
        offset: (page - 1) * page_size,
    };
    let index = state.index.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|e| PageError::new(&state, AppError::Internal(e.to_string())))?
        .page_err(&state)?;

    let ids: Vec<_> = results.hits.iter().map(|h| h.id).collect();
    let articles: HashMap<_, _> = state
        .store
        .articles_by_ids(&ids)
        .await
        .page_err(&state)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let now = chrono::Utc::now();
    let hits = ids
        .iter()
        .filter_map(|id| articles.get(id))
        .map(|a| SearchHitView {
            card: CardView::from_article(a, now),
            snippet: results.snippet_html(&a.body_text),
        })
        .collect();
    let total_text = match results.total {
        0 => format!("No articles match “{query}”."),
        1 => "1 article".to_string(),
        n => format!("{n} articles"),
    };
    let query_string = search_query_string(&query, section.as_deref());
    let pages = format!("/search?{query_string}");
    let mut layout = Layout::new(&state, None, &query);
    layout.on_search = true;
    if !query.is_empty() {
        layout.feeds = feed_links(
            &base,
            "/search",
            &query_string,
            &format!("Search “{query}” · {}", state.site.name),
        );
    }
    let view = SearchPage {
        layout,
        query: query.clone(),
        section_options: state
            .sections
            .iter()
            .map(|s| SectionOption {
                slug: s.slug.clone(),
                name: s.name.clone(),
                active: section.as_deref() == Some(s.slug.as_str()),
            })
            .collect(),
        total_text,
        hits,
        pager: Pager::new(
            page,
            page_size,
            (results.total as u64).min((MAX_PAGE * page_size) as u64),
            |n| format!("{pages}&page={n}"),
        ),
    };
    render(&state, &view)
}
