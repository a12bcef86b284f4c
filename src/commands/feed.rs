//! `herald feed parse FILE`: inspect how Herald reads a feed.

use crate::cli::FeedParseArgs;
use anyhow::{Context, Result};

pub fn parse(args: &FeedParseArgs) -> Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let base = match &args.content_location {
        Some(location) => {
            herald_feed::effective_base_url(args.base_url.as_deref().unwrap_or(""), Some(location))
        }
        None => args.base_url.clone(),
    };
    let feed = herald_feed::parse(&bytes, base.as_deref(), args.content_type.as_deref());
    if args.json {
        println!("{}", feed.to_neutral_json());
        return Ok(());
    }
    let neutral = feed.to_neutral_json();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    println!(
        "{}: {} ({})",
        args.file.display(),
        text(&neutral["version"]),
        text(&neutral["encoding"])
    );
    if feed.bozo {
        println!(
            "ill-formed: {}",
            feed.bozo_reason
                .as_deref()
                .unwrap_or("(no reason recorded)")
        );
    }
    println!("title: {}", text(&neutral["feed"]["title"]));
    println!("link: {}", text(&neutral["feed"]["link"]));
    let entries = neutral["entries"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    println!("entries: {}", entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let date = [&entry["published"], &entry["updated"]]
            .into_iter()
            .find_map(|v| v.as_str())
            .unwrap_or("-");
        println!(
            "{:>4}. {}  {}  {}",
            i + 1,
            date,
            text(&entry["title"]),
            text(&entry["link"])
        );
    }
    Ok(())
}
