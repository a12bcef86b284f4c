//! `GET /`: the newest articles of every section.

use super::{render, WithState};
use crate::error::PageError;
use crate::origin::BaseUrl;
use crate::state::AppState;
use crate::views::{feed_links, CardView, FrontBlock, FrontPage, Layout, Social};
use axum::extract::State;
use axum::response::Response;
use herald_store::ListQuery;

pub(crate) async fn get(
    State(state): State<AppState>,
    base: BaseUrl,
) -> Result<Response, PageError> {
    let now = chrono::Utc::now();
    let mut blocks = Vec::new();
    for section in state.sections.iter() {
        let page = state
            .store
            .latest_articles(ListQuery {
                with_total: false,
                source: None,
                section: Some(section.slug.clone()),
                limit: state.web.front_page_per_section,
                offset: 0,
            })
            .await
            .page_err(&state)?;
        if page.items.is_empty() {
            continue;
        }
        blocks.push(FrontBlock {
            slug: section.slug.clone(),
            name: section.name.clone(),
            cards: page
                .items
                .iter()
                .map(|c| CardView::from_card(c, now))
                .collect(),
        });
    }
    let mut layout = Layout::new(&state, None, "");
    let url = base.join("/");
    layout.canonical = Some(url.clone());
    layout.feeds = feed_links(&base, "", "", &state.site.name);
    layout.social = Some(Social {
        og_type: "website",
        title: state.site.name.clone(),
        description: state.site.tagline.clone(),
        url,
        published: None,
        modified: None,
        section: None,
    });
    let page = FrontPage { layout, blocks };
    render(&state, &page)
}
