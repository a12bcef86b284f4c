//! `GET /api/v1/stories` and `GET /api/v1/stories/{id}`: the story listing and full
//! coverage of one story, as the story pages show them. A merged story's id answers
//! with a permanent redirect to the story it joined, as its page does.

use super::model::{ArticleSummary, StoryArticle, StoryDetail, StoryList, StorySummary};
use super::{cursor, json, limit, query, ApiError, ApiResult, ErrorBody};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::stories::live_story;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use herald_store::StoryQuery;
use herald_types::StoryId;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct StoryListParams {
    /// Where to continue: a `next_cursor` from the previous page.
    cursor: Option<String>,
    /// Stories per page (1–100; default: the portal's page size).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// Only stories with at least this many articles (default 1: every story;
    /// 2 leaves out articles no other source covered).
    #[param(value_type = Option<u32>, minimum = 1)]
    min_articles: Option<String>,
}

/// Stories, most recently active first.
#[utoipa::path(
    get,
    path = "/api/v1/stories",
    tag = "stories",
    params(StoryListParams),
    responses(
        (status = 200, description = "A page of stories", body = StoryList),
        (status = 400, description = "A bad parameter or cursor", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody)
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    params: Result<Query<StoryListParams>, QueryRejection>,
) -> ApiResult {
    let params = query(params)?;
    let limit = limit(params.limit.as_deref(), state.web.page_size)?;
    let min_articles = match params.min_articles.as_deref() {
        None => 1,
        Some(raw) => raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| {
                ApiError::bad(
                    "bad_parameter",
                    "min_articles must be a whole number from 1",
                )
            })?,
    };
    let after =
        match params.cursor.as_deref() {
            None => None,
            Some(c) => Some(cursor::decode_story(c).ok_or_else(|| {
                ApiError::bad("bad_cursor", "cursor is not one this API handed out")
            })?),
        };
    let mut stories = state
        .store
        .stories(StoryQuery {
            after,
            min_articles,
            limit: limit + 1,
        })
        .await?;
    let more = stories.len() > limit;
    stories.truncate(limit);
    let next_cursor = stories
        .last()
        .filter(|_| more)
        .map(|s| cursor::encode_story(s.position()));
    let next = next_cursor.as_ref().map(|c| {
        let mut url = format!("/api/v1/stories?cursor={c}&limit={limit}");
        if min_articles > 1 {
            url.push_str(&format!("&min_articles={min_articles}"));
        }
        base.join(&url)
    });
    let last_modified = stories.iter().map(|s| s.last_seen).max();
    let list = StoryList {
        items: stories
            .iter()
            .map(|s| StorySummary::from_story(s, &base))
            .collect(),
        next_cursor,
        next,
    };
    json(&state, &headers, &list, last_modified)
}

/// One story with every source's version, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/stories/{id}",
    tag = "stories",
    params(("id" = i64, Path, description = "Story id")),
    responses(
        (status = 200, description = "The story and its articles", body = StoryDetail),
        (status = 308, description = "The story was merged into another: `Location` names it"),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 404, description = "No such story", body = ErrorBody),
        (status = 500, description = "The store failed", body = ErrorBody)
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    base: BaseUrl,
    headers: HeaderMap,
) -> ApiResult {
    let id = raw_id
        .parse::<StoryId>()
        .map_err(|_| ApiError::bad("bad_parameter", "a story id is a whole number"))?;
    let story = live_story(state.store.as_ref(), id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("there is no story {}", id.0),
        )
    })?;
    if story.id != id {
        return Ok(Redirect::permanent(&format!("/api/v1/stories/{}", story.id)).into_response());
    }
    let articles = state.store.story_articles(story.id).await?;
    let last_modified = articles.iter().map(|a| a.updated_at).max();
    let detail = StoryDetail {
        story: StorySummary::from_story(&story, &base),
        articles: articles
            .iter()
            .map(|a| StoryArticle {
                article: ArticleSummary::from_view(a, &base),
                duplicate_of: a.duplicate_of.map(|d| d.0),
            })
            .collect(),
    };
    json(&state, &headers, &detail, last_modified)
}
