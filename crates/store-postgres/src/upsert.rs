//! The ingest hot path: upserting a batch of articles in one transaction with a
//! fixed number of round trips, whatever the batch size.
//!
//! The batch's sources, sections and already stored identities are looked up with
//! one `= ANY($1)` query each (sent together), new articles go in with one
//! multi-row insert and changed ones with one multi-row update (both over `unnest`ed
//! arrays), and the change log gets one multi-row insert that also notifies
//! listeners. What each article's outcome is gets decided in memory by [`plan`],
//! exactly as the SQLite backend decides it row by row.

use crate::sql::{self, get, now};
use crate::{CHANGES_CHANNEL, CHANGE_LOG_LOCK};
use deadpool_postgres::Transaction;
use herald_store::{ChangeOp, NewArticle, StoreError, StoreResult, UpsertKind, UpsertOutcome};
use herald_types::ArticleId;
use std::collections::HashMap;

/// What a batch does, decided before anything is written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Distinct identities of the batch, by first appearance.
    pub identities: Vec<usize>,
    /// Per article of the batch: its identity's index in `identities`, and what
    /// happens to it.
    pub kinds: Vec<(usize, UpsertKind)>,
    /// Identities to insert: (index in `identities`, the article with the content).
    pub inserts: Vec<(usize, usize)>,
    /// Stored identities whose content changes: (index in `identities`, the article
    /// with the final content).
    pub updates: Vec<(usize, usize)>,
}

/// Decides each article's outcome given the stored content hashes, article by
/// article as if each were written before the next is looked at: a repeat of an
/// identity within the batch is `Unchanged` when its content matches the previous
/// occurrence and `Updated` otherwise. `batch` holds (identity, content hash).
pub(crate) fn plan(batch: &[(&str, i64)], stored: &HashMap<&str, i64>) -> Plan {
    let mut slots: HashMap<&str, usize> = HashMap::new();
    let mut identities = Vec::new();
    let mut current: Vec<Option<i64>> = Vec::new();
    let mut last_change: Vec<Option<usize>> = Vec::new();
    let mut kinds = Vec::with_capacity(batch.len());
    for (i, &(identity, hash)) in batch.iter().enumerate() {
        let slot = *slots.entry(identity).or_insert_with(|| {
            identities.push(i);
            current.push(stored.get(identity).copied());
            last_change.push(None);
            identities.len() - 1
        });
        let kind = match current[slot] {
            None => UpsertKind::Inserted,
            Some(old) if old == hash => UpsertKind::Unchanged,
            Some(_) => UpsertKind::Updated,
        };
        if kind != UpsertKind::Unchanged {
            current[slot] = Some(hash);
            last_change[slot] = Some(i);
        }
        kinds.push((slot, kind));
    }
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    for (slot, &first) in identities.iter().enumerate() {
        let Some(article) = last_change[slot] else {
            continue;
        };
        if stored.contains_key(batch[first].0) {
            updates.push((slot, article));
        } else {
            inserts.push((slot, article));
        }
    }
    Plan {
        identities,
        kinds,
        inserts,
        updates,
    }
}

/// Upserts `articles` in one transaction. The transaction first takes the change-log
/// lock: ingest writers queue one behind the other (as with SQLite's single writer),
/// which keeps change-log order equal to commit order and means no two writers race
/// to insert the same identity.
pub(crate) async fn upsert_articles(
    tx: &Transaction<'_>,
    articles: &[NewArticle],
) -> StoreResult<Vec<UpsertOutcome>> {
    if articles.iter().any(|a| a.identity.is_empty()) {
        return Err(StoreError::Invalid("article without identity".into()));
    }
    if articles.is_empty() {
        return Ok(Vec::new());
    }
    lock_change_log(tx).await?;
    let at = now();

    let mut names: Vec<&str> = articles
        .iter()
        .filter_map(|a| a.source.as_deref())
        .collect();
    dedup_in_order(&mut names);
    let mut slugs: Vec<&str> = articles
        .iter()
        .filter_map(|a| a.section.as_deref())
        .collect();
    dedup_in_order(&mut slugs);
    let mut identities: Vec<&str> = articles.iter().map(|a| a.identity.as_str()).collect();
    dedup_in_order(&mut identities);

    let (sources, sections, existing) = tokio::try_join!(
        source_ids(tx, &names, at),
        section_ids(tx, &slugs),
        stored(tx, &identities),
    )?;

    let hashes: Vec<(&str, i64)> = articles
        .iter()
        .map(|a| (a.identity.as_str(), a.content_hash()))
        .collect();
    let stored_hashes: HashMap<&str, i64> = existing
        .iter()
        .map(|(k, (_, h))| (k.as_str(), *h))
        .collect();
    let plan = plan(&hashes, &stored_hashes);

    let mut ids: Vec<Option<i64>> = plan
        .identities
        .iter()
        .map(|&i| existing.get(&articles[i].identity).map(|(id, _)| *id))
        .collect();
    let columns = |rows: &[(usize, usize)]| {
        Columns::new(
            rows.iter().map(|&(_, i)| (&articles[i], hashes[i].1)),
            &sources,
            &sections,
        )
    };

    if !plan.inserts.is_empty() {
        let new = insert(tx, &columns(&plan.inserts), at).await?;
        for &(slot, article) in &plan.inserts {
            ids[slot] = new.get(&articles[article].identity).copied();
        }
    }
    if !plan.updates.is_empty() {
        let update_ids: Vec<i64> = plan
            .updates
            .iter()
            .filter_map(|&(slot, _)| ids[slot])
            .collect();
        update(tx, &update_ids, &columns(&plan.updates), at).await?;
    }

    let mut outcomes = Vec::with_capacity(articles.len());
    let mut logged = Vec::new();
    for &(slot, kind) in &plan.kinds {
        let id = ids[slot].ok_or_else(|| {
            StoreError::Database("an inserted article's id did not come back".into())
        })?;
        if kind != UpsertKind::Unchanged {
            logged.push(id);
        }
        outcomes.push(UpsertOutcome {
            id: ArticleId(id),
            kind,
        });
    }
    if !logged.is_empty() {
        log_changes(tx, &logged, ChangeOp::Upsert, at).await?;
    }
    Ok(outcomes)
}

fn dedup_in_order(values: &mut Vec<&str>) {
    let mut seen = std::collections::HashSet::new();
    values.retain(|v| seen.insert(*v));
}

/// Takes the change-log lock for the rest of the transaction (see the crate docs).
pub(crate) async fn lock_change_log(tx: &Transaction<'_>) -> StoreResult<()> {
    sql::execute(tx, "SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOG_LOCK]).await?;
    Ok(())
}

/// A source as an upsert files its articles: its id, and the section an admin mapped
/// it to (which wins over the section an article names).
#[derive(Debug, Clone, Copy)]
struct SourceRef {
    id: i64,
    section: Option<i64>,
}

/// Sources by name, creating the missing ones in order of first use.
async fn source_ids(
    tx: &Transaction<'_>,
    names: &[&str],
    at: i64,
) -> StoreResult<HashMap<String, SourceRef>> {
    let mut ids = HashMap::new();
    if names.is_empty() {
        return Ok(ids);
    }
    let lookup = "SELECT name, id, section_id FROM sources WHERE name = ANY($1)";
    let found = |row: &tokio_postgres::Row| -> StoreResult<(String, SourceRef)> {
        Ok((
            get(row, 0)?,
            SourceRef {
                id: get(row, 1)?,
                section: get(row, 2)?,
            },
        ))
    };
    for row in sql::query(tx, lookup, &[&names]).await? {
        let (name, source) = found(&row)?;
        ids.insert(name, source);
    }
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !ids.contains_key(*n))
        .collect();
    if missing.is_empty() {
        return Ok(ids);
    }
    let rows = sql::query(
        tx,
        "INSERT INTO sources (name, created_at)
         SELECT t.name, $2::BIGINT FROM unnest($1::TEXT[]) WITH ORDINALITY AS t(name, ord)
         ORDER BY t.ord
         ON CONFLICT (name) DO NOTHING
         RETURNING name, id",
        &[&missing, &at],
    )
    .await?;
    for row in rows {
        let source = SourceRef {
            id: get(&row, 1)?,
            section: None,
        };
        ids.insert(get(&row, 0)?, source);
    }
    if missing.iter().any(|n| !ids.contains_key(*n)) {
        // Another transaction (a feed subscription) created one meanwhile.
        for row in sql::query(tx, lookup, &[&missing]).await? {
            let (name, source) = found(&row)?;
            ids.insert(name, source);
        }
    }
    Ok(ids)
}

/// Section ids by slug; unknown slugs are absent (their articles get no section).
async fn section_ids(tx: &Transaction<'_>, slugs: &[&str]) -> StoreResult<HashMap<String, i64>> {
    let mut ids = HashMap::new();
    if slugs.is_empty() {
        return Ok(ids);
    }
    let rows = sql::query(
        tx,
        "SELECT slug, id FROM sections WHERE slug = ANY($1)",
        &[&slugs],
    )
    .await?;
    for row in rows {
        ids.insert(get(&row, 0)?, get(&row, 1)?);
    }
    Ok(ids)
}

/// Stored (id, content hash) by identity.
async fn stored(
    tx: &Transaction<'_>,
    identities: &[&str],
) -> StoreResult<HashMap<String, (i64, i64)>> {
    let rows = sql::query(
        tx,
        "SELECT identity, id, content_hash FROM articles WHERE identity = ANY($1)",
        &[&identities],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((get(r, 0)?, (get(r, 1)?, get(r, 2)?))))
        .collect()
}

/// The written fields of several articles, column by column, for `unnest`.
struct Columns<'a> {
    identity: Vec<&'a str>,
    url: Vec<Option<&'a str>>,
    source_id: Vec<Option<i64>>,
    section_id: Vec<Option<i64>>,
    category: Vec<Option<&'a str>>,
    title: Vec<&'a str>,
    author: Vec<Option<&'a str>>,
    published: Vec<Option<i64>>,
    lang: Vec<Option<&'a str>>,
    summary: Vec<Option<&'a str>>,
    body_text: Vec<&'a str>,
    body_html: Vec<&'a str>,
    content_hash: Vec<i64>,
}

impl<'a> Columns<'a> {
    fn new(
        rows: impl Iterator<Item = (&'a NewArticle, i64)>,
        sources: &HashMap<String, SourceRef>,
        sections: &HashMap<String, i64>,
    ) -> Self {
        let mut c = Columns {
            identity: Vec::new(),
            url: Vec::new(),
            source_id: Vec::new(),
            section_id: Vec::new(),
            category: Vec::new(),
            title: Vec::new(),
            author: Vec::new(),
            published: Vec::new(),
            lang: Vec::new(),
            summary: Vec::new(),
            body_text: Vec::new(),
            body_html: Vec::new(),
            content_hash: Vec::new(),
        };
        for (a, hash) in rows {
            c.identity.push(&a.identity);
            c.url.push(a.url.as_deref());
            let source = a.source.as_ref().and_then(|s| sources.get(s));
            c.source_id.push(source.map(|s| s.id));
            // A mapped source files the article under its section, whatever it names.
            c.section_id.push(match source.and_then(|s| s.section) {
                Some(mapped) => Some(mapped),
                None => a.section.as_ref().and_then(|s| sections.get(s).copied()),
            });
            c.category.push(a.category.as_deref());
            c.title.push(&a.title);
            c.author.push(a.author.as_deref());
            c.published.push(a.published.map(|p| p.timestamp()));
            c.lang.push(a.lang.as_deref());
            c.summary.push(a.summary.as_deref());
            c.body_text.push(&a.body_text);
            c.body_html.push(&a.body_html);
            c.content_hash.push(hash);
        }
        c
    }
}

/// Inserts new articles in batch order (so their ids follow it) and returns their
/// ids by identity.
async fn insert(
    tx: &Transaction<'_>,
    c: &Columns<'_>,
    at: i64,
) -> StoreResult<HashMap<String, i64>> {
    let rows = sql::query(
        tx,
        "INSERT INTO articles (identity, url, source_id, section_id, category, title, author,
             published, lang, summary, body_text, body_html, content_hash, created_at,
             updated_at, sort_time)
         SELECT t.identity, t.url, t.source_id, t.section_id, t.category, t.title, t.author,
             t.published, t.lang, t.summary, t.body_text, t.body_html, t.content_hash,
             $14::BIGINT, $14::BIGINT, COALESCE(t.published, $14::BIGINT)
         FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::TEXT[],
             $6::TEXT[], $7::TEXT[], $8::BIGINT[], $9::TEXT[], $10::TEXT[], $11::TEXT[],
             $12::TEXT[], $13::BIGINT[])
             WITH ORDINALITY AS t(identity, url, source_id, section_id, category, title,
                 author, published, lang, summary, body_text, body_html, content_hash, ord)
         ORDER BY t.ord
         RETURNING identity, id",
        &[
            &c.identity,
            &c.url,
            &c.source_id,
            &c.section_id,
            &c.category,
            &c.title,
            &c.author,
            &c.published,
            &c.lang,
            &c.summary,
            &c.body_text,
            &c.body_html,
            &c.content_hash,
            &at,
        ],
    )
    .await?;
    rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?))).collect()
}

/// Rewrites changed articles; `ids` line up with the columns.
async fn update(tx: &Transaction<'_>, ids: &[i64], c: &Columns<'_>, at: i64) -> StoreResult<()> {
    sql::execute(
        tx,
        "UPDATE articles a SET url = t.url, source_id = t.source_id, section_id = t.section_id,
             category = t.category, title = t.title, author = t.author,
             published = t.published, lang = t.lang, summary = t.summary,
             body_text = t.body_text, body_html = t.body_html, content_hash = t.content_hash,
             updated_at = $14::BIGINT, sort_time = COALESCE(t.published, a.created_at)
         FROM unnest($1::BIGINT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::TEXT[],
             $6::TEXT[], $7::TEXT[], $8::BIGINT[], $9::TEXT[], $10::TEXT[], $11::TEXT[],
             $12::TEXT[], $13::BIGINT[])
             AS t(id, url, source_id, section_id, category, title, author, published, lang,
                 summary, body_text, body_html, content_hash)
         WHERE a.id = t.id",
        &[
            &ids,
            &c.url,
            &c.source_id,
            &c.section_id,
            &c.category,
            &c.title,
            &c.author,
            &c.published,
            &c.lang,
            &c.summary,
            &c.body_text,
            &c.body_html,
            &c.content_hash,
            &at,
        ],
    )
    .await?;
    Ok(())
}

/// Appends `op` for each of `ids` to the change log in the given order and tells
/// listeners the new newest sequence number; the notification is delivered when the
/// transaction commits. The caller holds the change-log lock.
pub(crate) async fn log_changes(
    tx: &Transaction<'_>,
    ids: &[i64],
    op: ChangeOp,
    at: i64,
) -> StoreResult<()> {
    let op = match op {
        ChangeOp::Upsert => "upsert",
        ChangeOp::Delete => "delete",
    };
    let sql = format!(
        "WITH logged AS (
             INSERT INTO changes (article_id, op, at)
             SELECT t.id, $3::TEXT, $2::BIGINT
             FROM unnest($1::BIGINT[]) WITH ORDINALITY AS t(id, ord)
             ORDER BY t.ord
             RETURNING seq
         )
         SELECT pg_notify('{CHANGES_CHANNEL}', MAX(seq)::TEXT || ':' || current_schema())
         FROM logged"
    );
    sql::execute(tx, &sql, &[&ids, &at, &op]).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use UpsertKind::*;

    #[test]
    fn new_known_and_repeated_identities() {
        let stored: HashMap<&str, i64> = [("old", 1), ("same", 2)].into_iter().collect();
        let batch = [
            ("new", 10),
            ("old", 11),
            ("same", 2),
            ("new", 10),
            ("new", 12),
            ("old", 11),
        ];
        let p = plan(&batch, &stored);
        assert_eq!(p.identities, vec![0, 1, 2]);
        assert_eq!(
            p.kinds,
            vec![
                (0, Inserted),
                (1, Updated),
                (2, Unchanged),
                (0, Unchanged),
                (0, Updated),
                (1, Unchanged),
            ]
        );
        // The insert carries the newest content; the unchanged identity is not written.
        assert_eq!(p.inserts, vec![(0, 4)]);
        assert_eq!(p.updates, vec![(1, 1)]);
    }

    #[test]
    fn a_change_and_its_reversal_are_both_written() {
        let stored: HashMap<&str, i64> = [("a", 1)].into_iter().collect();
        let p = plan(&[("a", 2), ("a", 1)], &stored);
        assert_eq!(p.kinds, vec![(0, Updated), (0, Updated)]);
        assert_eq!(p.updates, vec![(0, 1)]);
    }
}
