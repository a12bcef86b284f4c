//! `herald source …`: the feeds Herald fetches.

use crate::app::Herald;
use crate::cli::{SourceAddArgs, SourceCommand, SourceImportOpmlArgs, SourceListArgs};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use herald_fetch::{FetchOutcome, FetchRequest, Fetcher, Url};
use herald_ingest::discover::{feed_links, is_feed};
use herald_ingest::opml::{parse_opml, write_opml, OpmlFeed};
use herald_store::{FeedRow, NewFeed, StoreError};
use herald_types::{FeedId, Section};

pub async fn run(herald: &Herald, command: &SourceCommand) -> Result<()> {
    match command {
        SourceCommand::Add(args) => add(herald, args).await,
        SourceCommand::List(args) => list(herald, args).await,
        SourceCommand::Remove(args) => {
            let feed = resolve(herald, &args.feed).await?;
            herald.store.remove_feed(feed.id).await?;
            println!("Removed feed #{} {} (its articles stay)", feed.id, feed.url);
            Ok(())
        }
        SourceCommand::Pause(args) => {
            let feed = resolve(herald, &args.feed).await?;
            herald.store.set_feed_paused(feed.id, true).await?;
            println!("Paused feed #{} {}", feed.id, feed.url);
            Ok(())
        }
        SourceCommand::Resume(args) => {
            let feed = resolve(herald, &args.feed).await?;
            herald.store.set_feed_paused(feed.id, false).await?;
            println!("Resumed feed #{} {}; it is due now", feed.id, feed.url);
            Ok(())
        }
        SourceCommand::ImportOpml(args) => import_opml(herald, args).await,
        SourceCommand::ExportOpml => export_opml(herald).await,
    }
}

/// A feed by id or by URL.
async fn resolve(herald: &Herald, reference: &str) -> Result<FeedRow> {
    if let Ok(id) = reference.trim().parse::<FeedId>() {
        return herald
            .store
            .feed(id)
            .await?
            .ok_or_else(|| anyhow!("no feed #{id}; `herald source list` shows the feeds"));
    }
    herald
        .store
        .feeds()
        .await?
        .into_iter()
        .find(|f| f.url == reference.trim())
        .ok_or_else(|| {
            anyhow!("no feed with URL {reference}; `herald source list` shows the feeds")
        })
}

fn section_slug(herald: &Herald, wanted: Option<&str>) -> Result<Option<String>> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    let slug = Section::slugify(wanted);
    if herald.sections.iter().any(|s| s.slug == slug) {
        Ok(Some(slug))
    } else {
        let known: Vec<&str> = herald.sections.iter().map(|s| s.slug.as_str()).collect();
        bail!(
            "no section {wanted:?}; the sections are: {}",
            known.join(", ")
        )
    }
}

/// What checking a URL found: the feed to subscribe to and what it says of itself.
struct Found {
    url: Url,
    title: Option<String>,
    site_url: Option<String>,
    items: usize,
}

async fn fetch_feed(fetcher: &Fetcher, url: Url) -> Result<Result<Found, (String, Url)>> {
    let response = fetcher
        .fetch(&FetchRequest::new(url.clone()))
        .await
        .with_context(|| format!("fetching {url}"))?;
    let FetchOutcome::Fetched { body } = &response.outcome else {
        bail!("{url}: the server sent no body");
    };
    let base = herald_feed::effective_base_url(
        response.final_url.as_str(),
        response.headers.content_location.as_deref(),
    );
    let parsed = herald_feed::parse(
        body,
        base.as_deref(),
        response.headers.content_type.as_deref(),
    );
    // Subscribe to where a permanent redirect points; temporary ones may change back.
    let subscribe_url = response.permanent_url().cloned().unwrap_or(url);
    if is_feed(&parsed) {
        return Ok(Ok(Found {
            url: subscribe_url,
            title: parsed.feed.title_text().filter(|t| !t.trim().is_empty()),
            site_url: parsed.feed.link.clone(),
            items: parsed.entries.len(),
        }));
    }
    Ok(Err((
        String::from_utf8_lossy(body).into_owned(),
        response.final_url.clone(),
    )))
}

async fn discover(fetcher: &Fetcher, url: Url) -> Result<Found> {
    match fetch_feed(fetcher, url.clone()).await? {
        Ok(found) => Ok(found),
        Err((page, page_url)) => {
            let links = feed_links(&page, &page_url);
            let Some(first) = links.first() else {
                bail!("{url} is neither a feed nor a page that links to one (no <link rel=\"alternate\"> with a feed type)");
            };
            tracing::info!(target: "ingest::source", page = %url, feed = %first.url, "discovered feed");
            match fetch_feed(fetcher, first.url.clone()).await? {
                Ok(mut found) => {
                    found.site_url = found.site_url.or(Some(page_url.to_string()));
                    Ok(found)
                }
                Err(_) => bail!(
                    "{url} links to {} as its feed, but that is not a feed",
                    first.url
                ),
            }
        }
    }
}

async fn add(herald: &Herald, args: &SourceAddArgs) -> Result<()> {
    let url =
        Url::parse(args.url.trim()).with_context(|| format!("{:?} is not a URL", args.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{url}: only http and https feeds can be fetched");
    }
    let section = section_slug(herald, args.section.as_deref())?;
    let found = if args.no_check {
        Found {
            url,
            title: None,
            site_url: None,
            items: 0,
        }
    } else {
        let poller = herald.poller()?;
        discover(poller.fetcher(), url).await?
    };
    let name = args
        .name
        .clone()
        .or_else(|| found.title.clone())
        .unwrap_or_else(|| found.url.host_str().unwrap_or("feed").to_string());
    let feed = herald
        .store
        .add_feed(NewFeed {
            url: found.url.to_string(),
            source_name: name,
            site_url: found.site_url,
            title: found.title,
            section,
            next_fetch_at: Utc::now(),
            interval_secs: herald.config.ingest.initial_interval_secs,
        })
        .await?;
    println!(
        "Added feed #{} {} as {:?} ({} items now; fetched by `herald serve` or `herald ingest --once`)",
        feed.id, feed.url, feed.source_name, found.items
    );
    Ok(())
}

fn ago(now: DateTime<Utc>, t: Option<DateTime<Utc>>) -> String {
    let Some(t) = t else {
        return "never".into();
    };
    let secs = (now - t).num_seconds();
    let (n, unit, suffix) = match secs.abs() {
        s if s < 120 => (s, "s", ""),
        s if s < 7_200 => (s / 60, "min", ""),
        s if s < 172_800 => (s / 3_600, "h", ""),
        s => (s / 86_400, "d", ""),
    };
    if secs >= 0 {
        format!("{n} {unit} ago{suffix}")
    } else {
        format!("in {n} {unit}")
    }
}

async fn list(herald: &Herald, args: &SourceListArgs) -> Result<()> {
    let feeds = herald.store.feeds().await?;
    if args.json {
        for feed in &feeds {
            println!("{}", serde_json::to_string(feed)?);
        }
        return Ok(());
    }
    if feeds.is_empty() {
        println!("No feeds yet. Add one with `herald source add URL`.");
        return Ok(());
    }
    let now = Utc::now();
    println!(
        "{:>4}  {:<7} {:<10} {:>6} {:>4}  {:<14} {:<14} URL / source",
        "id", "state", "section", "items", "http", "last fetch", "next fetch"
    );
    for f in &feeds {
        let state = f.state_word();
        let next = if f.paused {
            "-".to_string()
        } else {
            ago(now, Some(f.next_fetch_at))
        };
        println!(
            "{:>4}  {:<7} {:<10} {:>6} {:>4}  {:<14} {:<14} {} ({})",
            f.id.0,
            state,
            f.section.as_deref().unwrap_or("-"),
            f.items_total,
            f.last_status.map_or("-".into(), |s| s.to_string()),
            ago(now, f.last_fetch_at),
            next,
            f.url,
            f.source_name
        );
        if let Some(error) = &f.last_error {
            println!(
                "      last error ({} in a row): {error}",
                f.consecutive_failures
            );
        }
    }
    Ok(())
}

async fn import_opml(herald: &Herald, args: &SourceImportOpmlArgs) -> Result<()> {
    let text =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let text = String::from_utf8_lossy(&text);
    let fallback = section_slug(herald, args.section.as_deref())?;
    let feeds = parse_opml(&text);
    if feeds.is_empty() {
        bail!(
            "{}: no feeds (outline elements with xmlUrl) found",
            args.file.display()
        );
    }
    let (mut added, mut present, mut bad) = (0, 0, 0);
    for feed in feeds {
        let url = match Url::parse(&feed.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            Ok(_) | Err(_) => {
                eprintln!("skipped {:?}: not an http(s) URL", feed.url);
                bad += 1;
                continue;
            }
        };
        // The innermost folder named like a section decides; else the fallback.
        let section = feed
            .folders
            .iter()
            .rev()
            .find_map(|folder| {
                let slug = Section::slugify(folder);
                herald
                    .sections
                    .iter()
                    .find(|s| s.slug == slug || s.name.eq_ignore_ascii_case(folder.trim()))
                    .map(|s| s.slug.clone())
            })
            .or_else(|| fallback.clone());
        let name = feed
            .title
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| url.host_str().unwrap_or("feed").to_string());
        match herald
            .store
            .add_feed(NewFeed {
                url: url.to_string(),
                source_name: name,
                site_url: feed.site_url.clone(),
                title: feed.title.clone(),
                section,
                next_fetch_at: Utc::now(),
                interval_secs: herald.config.ingest.initial_interval_secs,
            })
            .await
        {
            Ok(_) => added += 1,
            Err(StoreError::Conflict(_)) => present += 1,
            Err(e) => return Err(e).with_context(|| format!("adding {url}")),
        }
    }
    println!("{added} feeds added, {present} already subscribed, {bad} skipped");
    Ok(())
}

async fn export_opml(herald: &Herald) -> Result<()> {
    let feeds = herald.store.feeds().await?;
    let default = &herald.config.import.default_section;
    let mut folders: Vec<(String, Vec<OpmlFeed>)> = herald
        .sections
        .iter()
        .map(|s| (s.name.clone(), Vec::new()))
        .collect();
    for feed in feeds {
        let slug = feed.section.as_deref().unwrap_or(default);
        let position = herald
            .sections
            .iter()
            .position(|s| s.slug == slug)
            .unwrap_or(0);
        if let Some((_, list)) = folders.get_mut(position) {
            list.push(OpmlFeed {
                url: feed.url,
                title: feed.title.or(Some(feed.source_name)),
                site_url: feed.site_url,
                folders: Vec::new(),
            });
        }
    }
    folders.retain(|(_, feeds)| !feeds.is_empty());
    print!("{}", write_opml(&herald.config.site.name, &folders));
    Ok(())
}
