//! `GET /search?q=…&section=…&page=N`: search with highlighted snippets.

use super::search_groups::{group_by_story, grouped_total, Group};
use super::{page_number, render, WithState};
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::views::{
    feed_links, CardView, CoverageView, FacetLink, Layout, Pager, SearchHitView, SearchPage,
    SectionOption,
};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use herald_search::{SearchOptions, SearchRequest, SearchResults, Sort};
use herald_store::StoryKey;
use herald_types::{ArticleId, StoryId};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Default, Deserialize)]
pub(crate) struct Params {
    q: Option<String>,
    section: Option<String>,
    page: Option<String>,
    /// `newest` sorts by date; anything else is relevance.
    sort: Option<String>,
    /// `1`: search the words exactly as typed (no typo tolerance).
    exact: Option<String>,
}

/// Other articles of a hit's story listed under it; the rest are counted, and the
/// story page shows them all.
const COVERAGE_LISTED: usize = 3;

/// Hits grouped by story at most, to page by story: fifty pages of twenty stories
/// seldom need more, and each window is one index search and one store read.
const MAX_GROUPED_HITS: usize = 1_000;

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
    let newest = params.sort.as_deref() == Some("newest");
    let exact = params.exact.as_deref() == Some("1");
    let options = SearchOptions {
        sort: newest.then_some(Sort::Newest),
        facets: !query.is_empty(),
        exact,
        ..SearchOptions::default()
    };
    let wanted = page * page_size + 1;
    let (results, keys, groups) =
        grouped_hits(&state, &query, section.as_deref(), &options, wanted).await?;
    let scanned = results.hits.len();
    let grouped = groups.len();
    let groups: Vec<Group> = groups
        .into_iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .collect();
    if groups.is_empty() && page > 1 {
        // Past the last page (the pager never links there).
        return Err(PageError::new(&state, AppError::NotFound));
    }
    // The articles this page shows: each entry's lead and its listed coverage.
    let shown: Vec<ArticleId> = groups
        .iter()
        .flat_map(|g| {
            let (listed, _) = g.listed(COVERAGE_LISTED);
            std::iter::once(g.lead.hit)
                .chain(listed.iter().map(|m| m.hit))
                .map(|hit| keys[hit].id)
        })
        .collect();
    let articles: HashMap<_, _> = state
        .store
        .articles_by_ids(&shown)
        .await
        .page_err(&state)?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let now = chrono::Utc::now();
    // Every entry whose story has other articles, matching or not, links to its full
    // coverage with the story's counts (one read for the page's stories).
    let lead_stories: Vec<StoryId> = groups
        .iter()
        .filter_map(|g| keys[g.lead.hit].story_id)
        .collect();
    let counts: HashMap<StoryId, (u32, u32)> = state
        .store
        .stories_by_ids(&lead_stories)
        .await
        .page_err(&state)?
        .into_iter()
        .filter(|s| s.article_count > 1)
        .map(|s| (s.id, (s.article_count, s.source_count)))
        .collect();
    let hits: Vec<SearchHitView> = groups
        .into_iter()
        .filter_map(|group| {
            // An article taken down since it was grouped is left out.
            let lead = articles.get(&keys[group.lead.hit].id)?;
            let (listed, coverage_more) = group.listed(COVERAGE_LISTED);
            let mut card = CardView::from_article(lead, now);
            card.story = keys[group.lead.hit].story_id.and_then(|id| {
                let &(articles, sources) = counts.get(&id)?;
                Some((id.0, articles, sources))
            });
            Some(SearchHitView {
                card,
                snippet: results.snippet_html(&lead.body_text),
                copies: group.lead.copies,
                coverage: listed
                    .iter()
                    .filter_map(|m| {
                        Some(CoverageView {
                            card: CardView::from_article(articles.get(&keys[m.hit].id)?, now),
                            copies: m.copies,
                        })
                    })
                    .collect(),
                coverage_more,
            })
        })
        .collect();
    // Hits beyond the cap are never grouped, so pages are offered only within it.
    let reachable = results.total.min(MAX_GROUPED_HITS);
    let entries = grouped_total(grouped, scanned, reachable);
    let total_text = match results.total {
        0 => format!("No articles match “{query}”."),
        1 => "1 article".to_string(),
        n if results.total_estimated => format!("About {n} articles"),
        n => format!("{n} articles"),
    };
    let query_string = search_query_string(&query, section.as_deref());
    let corrected = results.corrected.as_ref().map(|c| {
        (
            c.showing.clone(),
            c.original.clone(),
            format!(
                "/search?{}&exact=1",
                search_query_string(&c.original, section.as_deref())
            ),
        )
    });
    let did_you_mean = results
        .did_you_mean
        .as_ref()
        .filter(|_| corrected.is_none())
        .map(|s| {
            (
                s.clone(),
                format!("/search?{}", search_query_string(s, section.as_deref())),
            )
        });
    let section_names: HashMap<&str, &str> = state
        .sections
        .iter()
        .map(|s| (s.slug.as_str(), s.name.as_str()))
        .collect();
    let facet_sections: Vec<FacetLink> = results
        .facets
        .as_ref()
        .map(|f| {
            f.sections
                .iter()
                .take(10)
                .map(|v| FacetLink {
                    label: section_names
                        .get(v.value.as_str())
                        .map_or(v.value.clone(), |n| n.to_string()),
                    count: v.count,
                    href: format!("/search?{}", search_query_string(&query, Some(&v.value))),
                    active: section.as_deref() == Some(v.value.as_str()),
                })
                .collect()
        })
        .unwrap_or_default();
    let facet_sources: Vec<FacetLink> = results
        .facets
        .as_ref()
        .map(|f| {
            f.sources
                .iter()
                .take(10)
                .map(|v| {
                    let filtered = format!("{query} source:\"{}\"", v.value.replace('"', ""));
                    FacetLink {
                        label: v.value.clone(),
                        count: v.count,
                        href: format!(
                            "/search?{}",
                            search_query_string(&filtered, section.as_deref())
                        ),
                        active: false,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let facet_dates: Vec<(String, u64)> = results
        .facets
        .as_ref()
        .map(|f| {
            f.dates
                .iter()
                .rev()
                .take(12)
                .map(|b| (b.start.format("%e %b %Y").to_string(), b.count))
                .collect()
        })
        .unwrap_or_default();
    let sort_links = (
        format!("/search?{query_string}"),
        format!("/search?{query_string}&sort=newest"),
        newest,
    );
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
        corrected,
        did_you_mean,
        facet_sections,
        facet_sources,
        facet_dates,
        sort_links,
        pager: Pager::new(
            page,
            page_size,
            (entries as u64).min((MAX_PAGE * page_size) as u64),
            |n| {
                format!(
                    "{pages}{}&page={n}",
                    if newest { "&sort=newest" } else { "" }
                )
            },
        )
        .estimated(scanned < reachable),
    };
    render(&state, &view)
}

/// The hits grouped by story from the first one on, in windows that grow until
/// `wanted` groups are found (a page's, and one more to know of a next page), the
/// hits run out, or the window reaches [`MAX_GROUPED_HITS`]. Results are paged by
/// story this way, so a story shown on one page never returns on a later one. Each
/// group leads at the rank of its best hit (the newest, when sorted by date).
async fn grouped_hits(
    state: &AppState,
    query: &str,
    section: Option<&str>,
    options: &SearchOptions,
    wanted: usize,
) -> Result<(SearchResults, Vec<StoryKey>, Vec<Group>), PageError> {
    let mut window = (wanted * 2).min(MAX_GROUPED_HITS);
    // Facets do not depend on the window: a wider one reuses the first one's.
    let mut options = options.clone();
    let mut facets = None;
    loop {
        let request = SearchRequest {
            query: query.to_string(),
            section: section.map(str::to_string),
            source: None,
            limit: window,
            offset: 0,
        };
        let index = state.index.clone();
        let asked = options.clone();
        let mut results = tokio::task::spawn_blocking(move || index.search_with(&request, &asked))
            .await
            .map_err(|e| PageError::new(state, AppError::Internal(e.to_string())))?
            .page_err(state)?;
        if options.facets {
            facets = results.facets.take();
            options.facets = false;
        }
        let ids: Vec<_> = results.hits.iter().map(|h| h.id).collect();
        let keys = state.store.story_keys(&ids).await.page_err(state)?;
        let groups = group_by_story(&keys);
        let exhausted = results.hits.len() < window;
        if groups.len() >= wanted || exhausted || window >= MAX_GROUPED_HITS {
            results.facets = facets;
            return Ok((results, keys, groups));
        }
        window = (window * 2).min(MAX_GROUPED_HITS);
    }
}

#[derive(Default, Deserialize)]
pub(crate) struct SuggestParams {
    q: Option<String>,
}

/// `GET /suggest?q=…`: completions while typing (terms from the index vocabulary and
/// matching headlines), as JSON. Fast prefix lookups; the search page works without.
pub(crate) async fn suggest(
    State(state): State<AppState>,
    params: Result<Query<SuggestParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let text = clean_query(params.q);
    let index = state.index.clone();
    let found = if text.is_empty() {
        None
    } else {
        tokio::task::spawn_blocking(move || index.autocomplete(&text, 8))
            .await
            .ok()
            .and_then(Result::ok)
    };
    let body = match found {
        Some(c) => serde_json::json!({
            "terms": c.terms.iter().map(|t| serde_json::json!({"text": t.text, "docs": t.docs})).collect::<Vec<_>>(),
            "titles": c.titles.iter().map(|t| serde_json::json!({"id": t.id.0, "title": t.title, "url": format!("/article/{}", t.id.0)})).collect::<Vec<_>>(),
        }),
        None => serde_json::json!({"terms": [], "titles": []}),
    };
    (
        [(axum::http::header::CACHE_CONTROL, "public, max-age=60")],
        axum::Json(body),
    )
        .into_response()
}
