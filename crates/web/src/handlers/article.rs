//! `GET /article/{id}`: the clean reading view, with the reader comments and the
//! "Leave a reply" form.

use super::comment::{fresh_form, private, reader_id, reply_target};
use super::{missing_article, render, WithState};
use crate::comment_views::{thread, CommentForm};
use crate::error::{AppError, PageError};
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::syndication::excerpt;
use crate::views::{full_date, iso, ArticleBody, ArticlePage, CardView, Layout, Social};
use crate::xml::json_for_script;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use herald_store::{ArticleView, CommentStatus, ListQuery};
use herald_types::ArticleId;
use serde::Deserialize;

/// Related articles shown under the body.
const RELATED: usize = 5;
/// Edits within this many seconds of publication are not worth an "Updated" line.
const UPDATE_NOTE_AFTER_SECS: i64 = 15 * 60;

/// What happened to the reader's last comment, shown above the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    Published,
    Held,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ArticleParams {
    /// `published` or `held` after a comment was posted.
    comment: Option<String>,
    /// Reply to this comment (the form's "Reply" links work without JavaScript).
    replyto: Option<String>,
}

pub(crate) async fn get(
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Query(params): Query<ArticleParams>,
    headers: HeaderMap,
    base: BaseUrl,
) -> Result<Response, PageError> {
    let Ok(id) = raw_id.parse::<ArticleId>() else {
        return Err(PageError::new(&state, AppError::NotFound));
    };
    let (reader, new_cookie) = reader_id(&state, &headers);
    let parent = match params
        .replyto
        .as_deref()
        .and_then(|r| r.parse::<i64>().ok())
    {
        Some(p) => reply_target(&state, id, p).await.page_err(&state)?,
        None => None,
    };
    let form = fresh_form(&state, &headers, &reader, id, parent);
    let notice = match params.comment.as_deref() {
        Some("published") => Some(Notice::Published),
        Some("held") => Some(Notice::Held),
        _ => None,
    };
    // Signed-in admins get a takedown form (the page is private, never cached).
    let admin_token = super::admin::signed_in(&state, &headers)
        .await?
        .map(|(_, key)| super::admin::csrf_for(&state, &key));
    let mut response = article_page(&state, &base, id, Some(form), notice, admin_token).await?;
    private(&mut response, new_cookie);
    Ok(response)
}

/// The article page, with `form` as the comment form (when comments are open) and,
/// for a signed-in admin, the admin form token that shows the takedown form.
pub(crate) async fn article_page(
    state: &AppState,
    base: &BaseUrl,
    id: ArticleId,
    form: Option<CommentForm>,
    notice: Option<Notice>,
    admin_token: Option<String>,
) -> Result<Response, PageError> {
    let Some(article) = state.store.article(id).await.page_err(state)? else {
        return Err(missing_article(state, id).await);
    };
    let now = chrono::Utc::now();
    let related = match &article.section_slug {
        Some(slug) => state
            .store
            .latest_articles(ListQuery {
                with_total: false,
                source: None,
                section: Some(slug.clone()),
                limit: RELATED + 1,
                offset: 0,
            })
            .await
            .page_err(state)?
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
    let policy = &state.comments.policy;
    let open = policy.is_open(article.published, now);
    let comments = state
        .store
        .article_comments(id, &[CommentStatus::Approved])
        .await
        .page_err(state)?;
    let body = ArticleBody {
        title: article.title.clone(),
        summary: article.summary.clone(),
        author: article.author.clone(),
        source: article.source.as_ref().map(|s| s.name.clone()),
        source_id: article.source.as_ref().map(|s| s.id.0),
        section: section.clone(),
        lang: article.lang.clone(),
        time_iso: iso(time),
        time_full: full_date(time),
        updated,
        body_html: article.body_html.clone(),
        url: article.url.clone(),
        host,
    };
    let mut layout = Layout::new(state, section.as_ref().map(|s| s.0.as_str()), "");
    let url = base.join(&format!("/article/{}", article.id.0));
    let description = article
        .summary
        .clone()
        .unwrap_or_else(|| excerpt(&article.body_text, 200));
    layout.json_ld = Some(json_for_script(&news_article_ld(
        &article,
        &url,
        &state.site.name,
    )));
    layout.social = Some(Social {
        og_type: "article",
        title: article.title.clone(),
        description,
        url: url.clone(),
        published: Some(iso(time)),
        modified: Some(iso(article.updated_at)),
        section: article.section_name.clone(),
    });
    layout.canonical = Some(url);
    let page = ArticlePage {
        layout,
        article: body,
        related,
        article_id: id.0,
        comment_count: comments.len(),
        comments: thread(&comments, policy.max_depth, open),
        form: form.filter(|_| open),
        comments_enabled: policy.enabled,
        notice_published: notice == Some(Notice::Published),
        notice_held: notice == Some(Notice::Held),
        admin_token,
    };
    render(state, &page)
}

/// `schema.org/NewsArticle` for search engines. The publisher is the source that
/// published the article when known, else this portal. No image: the store keeps none
/// yet.
fn news_article_ld(article: &ArticleView, url: &str, site_name: &str) -> serde_json::Value {
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso(article.display_time()),
        "dateModified": iso(article.updated_at),
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "url": url,
        "publisher": {
            "@type": "Organization",
            "name": article.source.as_ref().map_or(site_name, |s| s.name.as_str()),
        },
    });
    if let Some(o) = ld.as_object_mut() {
        if let Some(author) = &article.author {
            o.insert(
                "author".into(),
                serde_json::json!([{ "@type": "Person", "name": author }]),
            );
        }
        if let Some(summary) = &article.summary {
            o.insert("description".into(), summary.clone().into());
        }
        if let Some(lang) = &article.lang {
            o.insert("inLanguage".into(), lang.clone().into());
        }
        if let Some(section) = &article.section_name {
            o.insert("articleSection".into(), section.clone().into());
        }
        if let Some(original) = &article.url {
            o.insert("isBasedOn".into(), original.clone().into());
        }
    }
    ld
}
