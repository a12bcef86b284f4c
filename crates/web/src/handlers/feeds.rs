//! Feeds out, each in RSS 2.0, Atom 1.0 and JSON Feed 1.1:
//!
//! - `GET /feed.{rss,atom,json}`: the whole site;
//! - `GET /section/{slug}/feed.{rss,atom,json}`: one section;
//! - `GET /search/feed.{rss,atom,json}?q=…&section=…`: any search, with the search
//!   page's parameters, so a reader can subscribe to it;
//! - `GET /story/{id}/feed.{rss,atom,json}`: one story's coverage, so a reader can
//!   follow a developing story as sources add to it.

use super::search::{clean_query, search_query_string};
use super::WithState;
use crate::conditional::Document;
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::stories::live_story;
use crate::syndication::{excerpt, Feed, FeedEntry, FeedFormat};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use herald_search::SearchRequest;
use herald_store::{ArticleView, EntryQuery};
use herald_types::{ArticleId, StoryId};
use serde::Deserialize;
use std::collections::HashSet;

/// Entries in a feed: a day or two of a busy section, enough for readers that poll
/// hourly.
pub(crate) const FEED_ENTRIES: usize = 30;
/// Search hits a search feed picks its newest entries from.
const SEARCH_FEED_POOL: usize = 200;
/// Length of the summary made from the body when an article has no dek.
const SUMMARY_BYTES: usize = 300;

/// `GET /feed.{rss,atom,json}`.
pub(crate) async fn site(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    format: FeedFormat,
) -> Result<Response, PageError> {
    let articles = latest(&state, None).await?;
    let feed = build(
        &state,
        &base,
        state.site.name.clone(),
        state.site.tagline.clone(),
        "/".into(),
        format!("/{}", format.file()),
        articles,
    );
    Ok(respond(&state, feed, format, &headers))
}

/// `GET /section/{slug}/feed.{rss,atom,json}`.
pub(crate) async fn section(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (Some(format), Some(section)) = (
        FeedFormat::from_file(&file),
        state.sections.iter().find(|s| s.slug == slug),
    ) else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let articles = latest(&state, Some(slug.clone())).await?;
    let feed = build(
        &state,
        &base,
        format!("{} · {}", section.name, state.site.name),
        format!(
            "The newest articles in {} on {}",
            section.name, state.site.name
        ),
        format!("/section/{slug}"),
        format!("/section/{slug}/{file}"),
        articles,
    );
    Ok(respond(&state, feed, format, &headers))
}

#[derive(Default, Deserialize)]
pub(crate) struct SearchParams {
    q: Option<String>,
    section: Option<String>,
}

/// `GET /search/feed.{rss,atom,json}?q=…&section=…`: the newest of the best matches.
/// An empty query is an empty feed, as the search page shows no results for it.
pub(crate) async fn search(
    State(state): State<AppState>,
    Path(file): Path<String>,
    base: BaseUrl,
    headers: HeaderMap,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Some(format) = FeedFormat::from_file(&file) else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let query = clean_query(params.q);
    let section = params
        .section
        .and_then(|s| state.sections.iter().find(|row| row.slug == s).cloned());
    let mut articles = if query.is_empty() {
        Vec::new()
    } else {
        let request = SearchRequest {
            query: query.clone(),
            section: section.as_ref().map(|s| s.slug.clone()),
            source: None,
            limit: SEARCH_FEED_POOL,
            offset: 0,
        };
        let index = state.index.clone();
        let results = tokio::task::spawn_blocking(move || index.search(&request))
            .await
            .map_err(|e| PageError::new(&state, AppError::Internal(e.to_string())))?
            .page_err(&state)?;
        let ids: Vec<ArticleId> = results.hits.iter().map(|h| h.id).collect();
        state.store.articles_by_ids(&ids).await.page_err(&state)?
    };
    // A subscription wants what is new among the matches, not the best match of all
    // time: the pool is ranked by relevance, the feed by time. Each wire text comes
    // once, as its first version: a reader who saw the wire story is not sent every
    // site's copy of it (other sources' own reports of the story still come).
    articles.sort_by_key(|a| (a.display_time(), a.id));
    let mut texts = HashSet::new();
    articles.retain(|a| texts.insert(a.duplicate_of.unwrap_or(a.id)));
    articles.reverse();
    articles.truncate(FEED_ENTRIES);
    let query_string = search_query_string(&query, section.as_ref().map(|s| s.slug.as_str()));
    let scope = section
        .as_ref()
        .map(|s| format!(" in {}", s.name))
        .unwrap_or_default();
    let feed = build(
        &state,
        &base,
        format!("Search “{query}”{scope} · {}", state.site.name),
        format!(
            "The newest articles matching “{query}”{scope} on {}",
            state.site.name
        ),
        format!("/search?{query_string}"),
        format!("/search/{file}?{query_string}"),
        articles,
    );
    Ok(respond(&state, feed, format, &headers))
}

/// `GET /story/{id}/feed.{rss,atom,json}`: the story's newest articles. A merged story's
/// feed redirects to the feed of the story it joined, as its page does, so that
/// subscriptions follow the merge.
pub(crate) async fn story(
    State(state): State<AppState>,
    Path((raw_id, file)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (Some(format), Ok(id)) = (FeedFormat::from_file(&file), raw_id.parse::<StoryId>()) else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let Some(story) = live_story(state.store.as_ref(), id)
        .await
        .page_err(&state)?
    else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    if story.id.0.to_string() != raw_id {
        return Ok(
            Redirect::permanent(&format!("/story/{}/{}", story.id, format.file())).into_response(),
        );
    }
    let mut articles = state
        .store
        .story_articles(story.id)
        .await
        .page_err(&state)?;
    articles.sort_by_key(|a| std::cmp::Reverse((a.display_time(), a.id)));
    articles.truncate(FEED_ENTRIES);
    let feed = build(
        &state,
        &base,
        format!("{} · Full coverage · {}", story.title, state.site.name),
        format!(
            "Every source's version of “{}”, newest first, on {}",
            story.title, state.site.name
        ),
        format!("/story/{}", story.id),
        format!("/story/{}/{file}", story.id),
        articles,
    );
    Ok(respond(&state, feed, format, &headers))
}

/// The newest articles, of one section or all, with their bodies.
async fn latest(state: &AppState, section: Option<String>) -> Result<Vec<ArticleView>, PageError> {
    let entries = state
        .store
        .article_entries(EntryQuery {
            section,
            limit: FEED_ENTRIES,
            ..Default::default()
        })
        .await
        .page_err(state)?;
    let ids: Vec<ArticleId> = entries.iter().map(|e| e.id).collect();
    state.store.articles_by_ids(&ids).await.page_err(state)
}

fn build(
    state: &AppState,
    base: &BaseUrl,
    title: String,
    description: String,
    home_path: String,
    self_path: String,
    articles: Vec<ArticleView>,
) -> Feed {
    let entries: Vec<FeedEntry> = articles
        .into_iter()
        .map(|a| FeedEntry {
            url: base.join(&format!("/article/{}", a.id.0)),
            summary: a
                .summary
                .clone()
                .or_else(|| Some(excerpt(&a.body_text, SUMMARY_BYTES)).filter(|s| !s.is_empty())),
            published: a.display_time(),
            updated: a.updated_at.max(a.display_time()),
            author: a.author.clone(),
            category: a.section_name.clone(),
            original_url: a.url.clone(),
            lang: a.lang.clone(),
            title: a.title,
            content_html: a.body_html,
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    Feed {
        title,
        description,
        lang: state.site.lang.clone(),
        home_url: base.join(&home_path),
        self_url: base.join(&self_path),
        updated,
        site_name: state.site.name.clone(),
        entries,
    }
}

fn respond(state: &AppState, feed: Feed, format: FeedFormat, headers: &HeaderMap) -> Response {
    let last_modified = feed.entries.iter().map(|e| e.updated).max();
    Document {
        content_type: format.content_type(),
        body: feed.render(format),
        last_modified,
        cache_control: format!("public, max-age={}", state.web.cache_max_age),
    }
    .respond(headers)
}

/// `GET /article/{id}/comments/feed.{rss,atom,json}`: an article's approved comments,
/// newest first, so readers can follow a conversation.
pub(crate) async fn comments(
    State(state): State<AppState>,
    Path((raw_id, file)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (Some(format), Ok(id)) = (FeedFormat::from_file(&file), raw_id.parse::<ArticleId>()) else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let Some(article) = state.store.article(id).await.page_err(&state)? else {
        return Err(super::missing_article(&state, id).await);
    };
    let comments = state
        .store
        .recent_comments(Some(id), FEED_ENTRIES)
        .await
        .page_err(&state)?;
    let page = format!("/article/{}", id.0);
    let entries = comments
        .iter()
        .map(|c| FeedEntry {
            url: base.join(&format!("{page}#comment-{}", c.id.0)),
            title: format!("Comment by {} on {}", c.author_name, article.title),
            summary: Some(excerpt(&c.body_text, SUMMARY_BYTES)),
            content_html: c.body_html.clone(),
            published: c.created_at,
            updated: c.created_at,
            author: Some(c.author_name.clone()),
            category: None,
            original_url: None,
            lang: None,
        })
        .collect::<Vec<_>>();
    let feed = Feed {
        title: format!("Comments on {} · {}", article.title, state.site.name),
        description: format!("Reader comments on {}", article.title),
        lang: state.site.lang.clone(),
        home_url: base.join(&page),
        self_url: base.join(&format!("{page}/comments/{file}")),
        updated: comments
            .first()
            .map_or(article.updated_at, |c| c.created_at),
        site_name: state.site.name.clone(),
        entries,
    };
    Ok(respond(&state, feed, format, &headers))
}
