//! Builders for what the checks store.

use chrono::{DateTime, Duration, TimeZone, Utc};
use herald_store::{CommentStatus, NewArticle, NewComment, NewFeed};
use herald_types::{ArticleId, CommentId};

/// Noon UTC on a day of November 2026.
pub fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).unwrap()
}

/// A fixed point far from today, for checks whose times the store takes as given.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
}

/// `epoch()` plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    epoch() + Duration::minutes(minutes)
}

/// An article from "Valley Wire", published at noon on `day` of November 2026.
pub fn article(identity: &str, title: &str, section: Option<&str>, d: u32) -> NewArticle {
    NewArticle {
        identity: identity.into(),
        url: None,
        source: Some("Valley Wire".into()),
        section: section.map(String::from),
        category: None,
        title: title.into(),
        author: None,
        published: Some(day(d)),
        lang: Some("en".into()),
        summary: None,
        body_text: format!("Body of {title}"),
        body_html: format!("<p>Body of {title}</p>"),
    }
}

/// [`article`] from another source.
pub fn article_from(
    source: &str,
    identity: &str,
    title: &str,
    section: Option<&str>,
    d: u32,
) -> NewArticle {
    NewArticle {
        source: Some(source.into()),
        ..article(identity, title, section, d)
    }
}

/// A feed of "Valley Wire" due at `next_fetch_at`.
pub fn feed(url: &str, next_fetch_at: DateTime<Utc>) -> NewFeed {
    NewFeed {
        url: url.into(),
        source_name: "Valley Wire".into(),
        site_url: Some("https://valley.example/".into()),
        title: Some("Valley Wire: all stories".into()),
        section: Some("news".into()),
        next_fetch_at,
        interval_secs: 900,
    }
}

/// A comment by `email_key` under `article`, posted at `posted`.
pub fn comment(
    article: ArticleId,
    parent: Option<CommentId>,
    email_key: &str,
    status: CommentStatus,
    posted: DateTime<Utc>,
) -> NewComment {
    NewComment {
        article,
        parent,
        author_name: format!("Reader {email_key}"),
        author_email: format!("{email_key}@example.org"),
        email_key: email_key.into(),
        author_url: Some(format!("https://{email_key}.example.org/")),
        body_text: format!("Words of {email_key}"),
        body_html: format!("<p>Words of {email_key}</p>"),
        status,
        reason: (status != CommentStatus::Approved).then(|| "held: first comment".into()),
        ip: Some("192.0.2.7".into()),
        duplicate_key: Some(format!("dup-{email_key}-{}", posted.timestamp())),
        depth: u32::from(parent.is_some()),
        created_at: posted,
    }
}
