//! `herald search QUERY`: ranked titles with ids.

use crate::app::Herald;
use crate::cli::SearchArgs;
use anyhow::{Context, Result};
use herald_search::SearchRequest;
use std::collections::HashMap;

pub async fn run(herald: &Herald, args: &SearchArgs) -> Result<()> {
    // Bring the index up to date first unless a server is doing that already.
    if let Some(mut indexer) = herald.try_indexer()? {
        indexer
            .catch_up(herald.store.as_ref())
            .await
            .context("updating the search index")?;
    }
    let request = SearchRequest {
        query: args.query.join(" "),
        section: args.section.clone(),
        source: None,
        limit: args.limit.clamp(1, 1000),
        offset: 0,
    };
    let results = herald.index.search(&request).context("searching")?;
    let ids: Vec<_> = results.hits.iter().map(|h| h.id).collect();
    let articles: HashMap<_, _> = herald
        .store
        .articles_by_ids(&ids)
        .await
        .context("reading articles")?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    if !args.json {
        let about = if results.total_estimated {
            "about "
        } else {
            ""
        };
        println!("{about}{} results for {:?}", results.total, request.query);
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let Some(article) = articles.get(&hit.id) else {
            continue;
        };
        let source = article.source.as_ref().map_or("", |s| s.name.as_str());
        let date = article.display_time().format("%Y-%m-%d");
        if args.json {
            let line = serde_json::json!({
                "rank": rank + 1, "id": hit.id.0, "score": hit.score, "title": article.title,
                "source": source, "date": date.to_string(), "url": article.url,
            });
            println!("{line}");
        } else {
            println!(
                "{:>3}. [{}] {}  ({source}, {date}, score {:.2})",
                rank + 1,
                hit.id,
                article.title,
                hit.score
            );
        }
    }
    Ok(())
}
