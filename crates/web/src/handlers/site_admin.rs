//! `GET|POST /admin/site`: the site's name and tagline (stored settings that override
//! the configuration), the sections' names and order, and which section a source's
//! articles go to. Every change is written to the admin log and shows at once,
//! without a restart (see `live`).

use super::admin::{admin_post, csrf_for, field, render_admin, signed_in, NoticeParams};
use super::WithState;
use crate::error::PageError;
use crate::live::{Live, SITE_NAME, SITE_TAGLINE};
use crate::state::AppState;
use crate::views::Layout;
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use herald_store::{SectionEdit, StoreError};
use herald_types::{SectionId, SourceId};
use std::sync::Arc;

/// Longest site name, section name and tagline accepted.
const MAX_NAME: usize = 80;
const MAX_TAGLINE: usize = 200;

struct SectionView {
    id: i64,
    slug: String,
    name: String,
    position: i64,
}

struct SourceView {
    id: i64,
    name: String,
    /// The slug of the section it is filed under, or empty.
    section: String,
}

#[derive(Template)]
#[template(path = "admin_site.html")]
struct SitePage {
    layout: Layout,
    user: String,
    token: String,
    notice: Option<String>,
    /// The stored overrides (empty when the configuration is in force).
    site_name: String,
    tagline: String,
    /// The configured values, shown as what an empty field means.
    configured_name: String,
    configured_tagline: String,
    sections: Vec<SectionView>,
    sources: Vec<SourceView>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    State(live): State<Arc<Live>>,
    headers: HeaderMap,
    Query(params): Query<NoticeParams>,
) -> Result<Response, PageError> {
    let Some((user, key)) = signed_in(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let store = &state.store;
    let site_name = store.setting(SITE_NAME).await.page_err(&state)?;
    let tagline = store.setting(SITE_TAGLINE).await.page_err(&state)?;
    let mapping = store.source_sections().await.page_err(&state)?;
    let slugs: std::collections::HashMap<i64, String> = state
        .sections
        .iter()
        .map(|s| (s.id.0, s.slug.clone()))
        .collect();
    let sources = store
        .sources()
        .await
        .page_err(&state)?
        .into_iter()
        .map(|s| SourceView {
            section: mapping
                .get(&s.id)
                .and_then(|sec| slugs.get(&sec.0).cloned())
                .unwrap_or_default(),
            id: s.id.0,
            name: s.name,
        })
        .collect();
    let page = SitePage {
        layout: Layout::new(&state, None, ""),
        user: user.name,
        token: csrf_for(&state, &key),
        notice: params.done.map(|d| d.chars().take(300).collect()),
        site_name: site_name.unwrap_or_default(),
        tagline: tagline.unwrap_or_default(),
        configured_name: live.configured().name.clone(),
        configured_tagline: live.configured().tagline.clone(),
        sections: state
            .sections
            .iter()
            .map(|s| SectionView {
                id: s.id.0,
                slug: s.slug.clone(),
                name: s.name.clone(),
                position: s.position,
            })
            .collect(),
        sources,
    };
    render_admin(&state, StatusCode::OK, &page)
}

/// One line of text: control characters dropped, trimmed, at most `max` characters.
fn clean(raw: &str, max: usize) -> String {
    raw.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect()
}

pub(crate) async fn post(
    State(state): State<AppState>,
    State(live): State<Arc<Live>>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, PageError> {
    let (user, pairs) = match admin_post(&state, &headers, request).await? {
        Ok(signed) => signed,
        Err(response) => return Ok(response),
    };
    let action = field(&pairs, "action");
    let outcome = match action {
        "settings" => settings(&state, &pairs).await?,
        "sections" => sections(&state, &pairs).await?,
        "source" => source(&state, &pairs).await?,
        _ => Err("Unknown action.".to_string()),
    };
    let done = match outcome {
        Ok(done) => {
            state
                .store
                .log_admin_action(&user.name, &format!("site.{action}"), &done)
                .await
                .page_err(&state)?;
            // This node shows the change at once; others within `live::REFRESH`.
            live.reload(state.store.as_ref()).await.page_err(&state)?;
            done
        }
        Err(refused) => refused,
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("done", &done)
        .finish();
    Ok(Redirect::to(&format!("/admin/site?{query}")).into_response())
}

/// What an action did (for the log and the notice), or why it was refused.
type Outcome = Result<String, String>;

async fn settings(state: &AppState, pairs: &[(String, String)]) -> Result<Outcome, PageError> {
    let name = clean(field(pairs, "site_name"), MAX_NAME);
    let tagline = clean(field(pairs, "tagline"), MAX_TAGLINE);
    state
        .store
        .set_setting(SITE_NAME, &name)
        .await
        .page_err(state)?;
    state
        .store
        .set_setting(SITE_TAGLINE, &tagline)
        .await
        .page_err(state)?;
    let shown = |v: &str| {
        if v.is_empty() {
            "as configured".to_string()
        } else {
            format!("“{v}”")
        }
    };
    Ok(Ok(format!(
        "Site name {}, tagline {}.",
        shown(&name),
        shown(&tagline)
    )))
}

async fn sections(state: &AppState, pairs: &[(String, String)]) -> Result<Outcome, PageError> {
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    for s in state.sections.iter() {
        let name = clean(field(pairs, &format!("name.{}", s.id.0)), MAX_NAME);
        let raw_position = field(pairs, &format!("position.{}", s.id.0)).trim();
        let Ok(position) = raw_position.parse::<i64>() else {
            return Ok(Err(format!(
                "The position of {} must be a whole number.",
                s.slug
            )));
        };
        if name.is_empty() {
            return Ok(Err(format!("The section {} needs a name.", s.slug)));
        }
        if name != s.name || position != s.position {
            changes.push(format!("{} → “{name}” at {position}", s.slug));
            edits.push(SectionEdit {
                id: s.id,
                name,
                position: position.clamp(-1_000, 1_000),
            });
        }
    }
    if edits.is_empty() {
        return Ok(Err("Nothing changed.".into()));
    }
    match state.store.edit_sections(edits).await {
        Ok(_) => Ok(Ok(format!("Sections: {}.", changes.join("; ")))),
        Err(StoreError::NotFound(what)) => Ok(Err(format!(
            "{what} no longer exists; reload the page and try again."
        ))),
        Err(e) => Err(PageError::new(state, e.into())),
    }
}

async fn source(state: &AppState, pairs: &[(String, String)]) -> Result<Outcome, PageError> {
    let Ok(source) = field(pairs, "source").parse::<i64>().map(SourceId) else {
        return Ok(Err("Choose a source.".into()));
    };
    let slug = field(pairs, "section");
    let section = if slug.is_empty() {
        None
    } else {
        match state.sections.iter().find(|s| s.slug == slug) {
            Some(s) => Some(s.id),
            None => return Ok(Err(format!("There is no section {slug:?}."))),
        }
    };
    let name = state
        .store
        .sources()
        .await
        .page_err(state)?
        .into_iter()
        .find(|s| s.id == source)
        .map(|s| s.name)
        .unwrap_or_else(|| source.to_string());
    match state.store.set_source_section(source, section).await {
        Ok(moved) => Ok(Ok(match section {
            Some(SectionId(_)) => format!(
                "{name} (source {source}) is filed under {slug}: {moved} stored articles moved, and new ones follow."
            ),
            None => format!(
                "{name} (source {source}) follows its feeds and imports again; its articles stay where they are."
            ),
        })),
        Err(StoreError::NotFound(what)) => Ok(Err(format!("{what} does not exist."))),
        Err(e) => Err(PageError::new(state, e.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_one_trimmed_bounded_line() {
        assert_eq!(clean("  Valley\nNews \u{7} ", 80), "Valley News");
        assert_eq!(clean("abcdef", 3), "abc");
        assert_eq!(clean("   ", 10), "");
    }
}
