//! `GET /story/{id}`: full coverage of one story, every source's version in time
//! order, with the copies of one wire text marked. Merged stories redirect to the
//! story they joined, so old links keep working. The page links the story's feeds
//! (`/story/{id}/feed.*`) for readers who follow a developing story.

use super::{render, WithState};
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::stories::live_story;
use crate::views::{
    feed_links, full_date, iso, CardView, CoverageItem, Layout, StoryComment, StoryPage,
};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use herald_store::CommentStatus;
use herald_types::StoryId;
use std::collections::HashMap;

pub(crate) async fn get(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    base: BaseUrl,
) -> Result<Response, PageError> {
    let Ok(id) = raw_id.parse::<StoryId>() else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let Some(story) = live_story(state.store.as_ref(), id)
        .await
        .page_err(&state)?
    else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    if story.id.0.to_string() != raw_id {
        return Ok(Redirect::permanent(&format!("/story/{}", story.id)).into_response());
    }
    let articles = state
        .store
        .story_articles(story.id)
        .await
        .page_err(&state)?;
    // One conversation per story: every version's approved comments, in time order.
    let mut conversation = Vec::new();
    for a in &articles {
        for c in state
            .store
            .article_comments(a.id, &[CommentStatus::Approved])
            .await
            .page_err(&state)?
        {
            conversation.push(StoryComment {
                article_id: a.id.0,
                article_title: a.title.clone(),
                author: c.author_name,
                time_iso: iso(c.created_at),
                time_full: full_date(c.created_at),
                body_html: c.body_html,
                id: c.id.0,
                at: c.created_at,
            });
        }
    }
    conversation.sort_by_key(|c| (c.at, c.id));
    let now = chrono::Utc::now();
    let titles: HashMap<i64, String> = articles.iter().map(|a| (a.id.0, a.title.clone())).collect();
    let items = articles
        .iter()
        .map(|a| CoverageItem {
            card: CardView::from_article(a, now),
            copy_of: a
                .duplicate_of
                .and_then(|d| titles.get(&d.0).map(|t| (d.0, t.clone()))),
        })
        .collect();
    let mut layout = Layout::new(&state, None, "");
    let path = format!("/story/{}", story.id);
    layout.feeds = feed_links(&base, &path, "", &format!("Coverage of {}", story.title));
    layout.canonical = Some(base.join(&path));
    let page = StoryPage {
        layout,
        title: story.title,
        first_iso: iso(story.first_seen),
        first_full: full_date(story.first_seen),
        last_iso: iso(story.last_seen),
        last_full: full_date(story.last_seen),
        article_count: story.article_count,
        source_count: story.source_count,
        items,
        conversation,
    };
    render(&state, &page)
}
