//! The SQL behind sections, article reads, listings and the change log.

use crate::error::Db;
use crate::sql::{self, count, get, int, ts, Params};
use crate::upsert::{lock_change_log, log_changes};
use deadpool_postgres::GenericClient;
use herald_store::{
    ArticleCard, ArticleEntry, ArticleView, Change, ChangeOp, EntryOrder, EntryQuery, ListQuery,
    Page, Removal, SectionEdit, SectionRow, Source, StoreError, StoreResult, StoryKey,
};
use herald_types::{ArticleId, Section, SectionId, SourceId, StoryId};
use std::collections::{HashMap, HashSet};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

pub(crate) async fn sync_sections(
    c: &mut deadpool_postgres::Object,
    sections: &[Section],
) -> StoreResult<Vec<SectionRow>> {
    let tx = c.transaction().await.db()?;
    sql::execute(&tx, "UPDATE sections SET visible = 0", &[]).await?;
    for (position, section) in sections.iter().enumerate() {
        let position = int(position);
        // Update first: an INSERT .. ON CONFLICT would use up an id on every start.
        // A section an admin edited keeps the admin's name and position.
        let updated = sql::execute(
            &tx,
            "UPDATE sections SET
                 name = CASE WHEN edited = 1 THEN name ELSE $2 END,
                 position = CASE WHEN edited = 1 THEN position ELSE $3 END,
                 visible = 1
             WHERE slug = $1",
            &[&section.slug, &section.name, &position],
        )
        .await?;
        if updated == 0 {
            sql::execute(
                &tx,
                "INSERT INTO sections (slug, name, position, visible) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (slug) DO UPDATE SET
                     name = CASE WHEN sections.edited = 1
                                 THEN sections.name ELSE excluded.name END,
                     position = CASE WHEN sections.edited = 1
                                     THEN sections.position ELSE excluded.position END,
                     visible = 1",
                &[&section.slug, &section.name, &position],
            )
            .await?;
        }
    }
    tx.commit().await.db()?;
    self::sections(&*c).await
}

pub(crate) async fn sections(c: &impl GenericClient) -> StoreResult<Vec<SectionRow>> {
    let rows = sql::query(
        c,
        "SELECT id, slug, name, position FROM sections WHERE visible = 1 ORDER BY position, id",
        &[],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SectionRow {
                id: SectionId(get(r, 0)?),
                slug: get(r, 1)?,
                name: get(r, 2)?,
                position: get(r, 3)?,
            })
        })
        .collect()
}

/// Which of `identities` are stored, in their order (repeats kept), as SQLite
/// answers.
pub(crate) async fn known_identities(
    c: &impl GenericClient,
    identities: Vec<String>,
) -> StoreResult<Vec<String>> {
    if identities.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sql::query(
        c,
        "SELECT identity FROM articles WHERE identity = ANY($1)",
        &[&identities],
    )
    .await?;
    let known = rows
        .iter()
        .map(|r| get::<String>(r, 0))
        .collect::<StoreResult<HashSet<_>>>()?;
    Ok(identities
        .into_iter()
        .filter(|i| known.contains(i))
        .collect())
}

pub(crate) const VIEW_COLUMNS: &str =
    "a.id, a.url, a.title, a.author, a.published, a.created_at, a.updated_at,
    a.lang, a.summary, a.body_text, a.body_html, a.category, a.source_id, src.name, src.url,
    sec.slug, sec.name, a.story_id, a.duplicate_of
    FROM articles a
    LEFT JOIN sources src ON src.id = a.source_id
    LEFT JOIN sections sec ON sec.id = a.section_id";

pub(crate) fn view_row(r: &Row) -> StoreResult<ArticleView> {
    let source = match get::<Option<i64>>(r, 12)? {
        Some(id) => Some(Source {
            id: SourceId(id),
            name: get(r, 13)?,
            url: get(r, 14)?,
        }),
        None => None,
    };
    Ok(ArticleView {
        id: ArticleId(get(r, 0)?),
        url: get(r, 1)?,
        title: get(r, 2)?,
        author: get(r, 3)?,
        published: get::<Option<i64>>(r, 4)?.map(ts),
        created_at: ts(get(r, 5)?),
        updated_at: ts(get(r, 6)?),
        lang: get(r, 7)?,
        summary: get(r, 8)?,
        body_text: get(r, 9)?,
        body_html: get(r, 10)?,
        category: get(r, 11)?,
        source,
        section_slug: get(r, 15)?,
        section_name: get(r, 16)?,
        story_id: get::<Option<i64>>(r, 17)?.map(StoryId),
        duplicate_of: get::<Option<i64>>(r, 18)?.map(ArticleId),
    })
}

/// Runs a query over [`VIEW_COLUMNS`] and decodes its rows.
pub(crate) async fn views(
    c: &impl GenericClient,
    tail: &str,
    params: &Params<'_>,
) -> StoreResult<Vec<ArticleView>> {
    let rows = sql::query(c, &format!("SELECT {VIEW_COLUMNS} {tail}"), params).await?;
    rows.iter().map(view_row).collect()
}

pub(crate) async fn article(
    c: &impl GenericClient,
    id: ArticleId,
) -> StoreResult<Option<ArticleView>> {
    let row = sql::query_opt(
        c,
        &format!("SELECT {VIEW_COLUMNS} WHERE a.id = $1 AND a.removed_at IS NULL"),
        &[&id.0],
    )
    .await?;
    row.as_ref().map(view_row).transpose()
}

/// Articles by id in the order asked (repeats kept, missing ids skipped), fetched
/// in one query.
pub(crate) async fn articles_by_ids(
    c: &impl GenericClient,
    ids: &[ArticleId],
) -> StoreResult<Vec<ArticleView>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let found: HashMap<ArticleId, ArticleView> = views(
        c,
        "WHERE a.id = ANY($1) AND a.removed_at IS NULL",
        &[&wanted],
    )
    .await?
    .into_iter()
    .map(|v| (v.id, v))
    .collect();
    Ok(sql::in_order_asked(ids, &found))
}

pub(crate) async fn story_keys(
    c: &impl GenericClient,
    ids: &[ArticleId],
) -> StoreResult<Vec<StoryKey>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let found: HashMap<ArticleId, StoryKey> = sql::query(
        c,
        "SELECT id, story_id, duplicate_of FROM articles
         WHERE id = ANY($1) AND removed_at IS NULL",
        &[&wanted],
    )
    .await?
    .iter()
    .map(|r| {
        let id = ArticleId(r.get(0));
        let key = StoryKey {
            id,
            story_id: r.get::<_, Option<i64>>(1).map(StoryId),
            duplicate_of: r.get::<_, Option<i64>>(2).map(ArticleId),
        };
        (id, key)
    })
    .collect();
    Ok(sql::in_order_asked(ids, &found))
}

pub(crate) async fn articles_after(
    c: &impl GenericClient,
    after: ArticleId,
    limit: usize,
) -> StoreResult<Vec<ArticleView>> {
    views(
        c,
        "WHERE a.id > $1 AND a.removed_at IS NULL ORDER BY a.id LIMIT $2",
        &[&after.0, &int(limit)],
    )
    .await
}

/// A listing: one entry per story (an article that joined another's story is listed
/// through the story's first article), except on a source's page, which shows every
/// article of the source. Taken-down articles are left out. The page and its count go
/// out together, in one round trip.
pub(crate) async fn latest_articles(
    c: &impl GenericClient,
    q: &ListQuery,
) -> StoreResult<Page<ArticleCard>> {
    const FOLDED: &str = "(a.story_id IS NULL OR a.story_id = a.id) AND a.removed_at IS NULL";
    let (filter, key): (String, Option<Box<dyn ToSql + Sync + Send>>) =
        match (&q.source, &q.section) {
            (Some(source), _) => (
                "WHERE a.source_id = $1 AND a.removed_at IS NULL".into(),
                Some(Box::new(source.0)),
            ),
            (None, Some(slug)) => (
                // An unknown slug makes the subquery NULL, which matches nothing.
                format!(
                    "WHERE a.section_id = (SELECT id FROM sections WHERE slug = $1) AND {FOLDED}"
                ),
                Some(Box::new(slug.clone())),
            ),
            (None, None) => (format!("WHERE {FOLDED}"), None),
        };
    let first: Vec<&(dyn ToSql + Sync)> = key
        .as_ref()
        .map(|k| &**k as &(dyn ToSql + Sync))
        .into_iter()
        .collect();
    let n = first.len();
    let page_sql = format!(
        "SELECT a.id, a.title, a.summary, src.name, sec.slug, a.sort_time,
                st.id, COALESCE(st.article_count, 1), COALESCE(st.source_count, 1)
         FROM articles a
         LEFT JOIN sources src ON src.id = a.source_id
         LEFT JOIN sections sec ON sec.id = a.section_id
         LEFT JOIN stories st ON st.id = a.story_id
         {filter}
         ORDER BY a.sort_time DESC, a.id DESC
         LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let (limit, offset) = (int(q.limit), int(q.offset));
    let mut page_params = first.clone();
    page_params.push(&limit);
    page_params.push(&offset);
    let count_sql = format!("SELECT COUNT(*) FROM articles a {filter}");
    let page = sql::query(c, &page_sql, &page_params);
    let (rows, total) = if q.with_total {
        let total = sql::query_one(c, &count_sql, &first);
        let (rows, total) = tokio::try_join!(page, total)?;
        (rows, get::<i64>(&total, 0)?)
    } else {
        (page.await?, 0)
    };
    let items = rows
        .iter()
        .map(|r| {
            Ok(ArticleCard {
                id: ArticleId(get(r, 0)?),
                title: get(r, 1)?,
                summary: get(r, 2)?,
                source_name: get(r, 3)?,
                section_slug: get(r, 4)?,
                time: ts(get(r, 5)?),
                story: get::<Option<i64>>(r, 6)?.map(StoryId),
                story_articles: u32::try_from(get::<i64>(r, 7)?).unwrap_or(1),
                story_sources: u32::try_from(get::<i64>(r, 8)?).unwrap_or(1),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Page {
        items,
        total: count(total),
    })
}

/// The keyset walk behind API listings, feeds out and sitemaps: filters become
/// numbered parameters in the order they are added.
pub(crate) async fn article_entries(
    c: &impl GenericClient,
    q: &EntryQuery,
) -> StoreResult<Vec<ArticleEntry>> {
    let mut sql = String::from(
        "SELECT a.id, a.url, a.title, a.author, a.summary, a.lang, a.source_id, src.name,
                src.url, sec.slug, a.published, a.updated_at, a.sort_time
         FROM articles a
         LEFT JOIN sources src ON src.id = a.source_id
         LEFT JOIN sections sec ON sec.id = a.section_id
         WHERE a.removed_at IS NULL",
    );
    let mut values: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: Box<dyn ToSql + Sync + Send>| {
        values.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", values.len())));
    };
    if let Some(slug) = &q.section {
        bind(
            &mut sql,
            " AND a.section_id = (SELECT id FROM sections WHERE slug = ?)",
            Box::new(slug.clone()),
        );
    }
    if let Some(after) = q.after {
        // A row comparison walks articles_by_time from the position.
        bind(
            &mut sql,
            " AND (a.sort_time, a.id) < (?",
            Box::new(after.time.timestamp()),
        );
        bind(&mut sql, ", ?)", Box::new(after.id.0));
    }
    if let Some(since) = q.since {
        bind(
            &mut sql,
            " AND a.sort_time >= ?",
            Box::new(since.timestamp()),
        );
    }
    if let Some((lo, hi)) = q.ids {
        bind(&mut sql, " AND a.id BETWEEN ?", Box::new(lo.0));
        bind(&mut sql, " AND ?", Box::new(hi.0));
    }
    sql.push_str(match q.order {
        EntryOrder::Newest => " ORDER BY a.sort_time DESC, a.id DESC",
        EntryOrder::IdDescending => " ORDER BY a.id DESC",
    });
    bind(&mut sql, " LIMIT ?", Box::new(int(q.limit)));
    let params: Vec<&(dyn ToSql + Sync)> =
        values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
    let rows = sql::query(c, &sql, &params).await?;
    rows.iter()
        .map(|r| {
            let source = match get::<Option<i64>>(r, 6)? {
                Some(id) => Some(Source {
                    id: SourceId(id),
                    name: get(r, 7)?,
                    url: get(r, 8)?,
                }),
                None => None,
            };
            Ok(ArticleEntry {
                id: ArticleId(get(r, 0)?),
                url: get(r, 1)?,
                title: get(r, 2)?,
                author: get(r, 3)?,
                summary: get(r, 4)?,
                lang: get(r, 5)?,
                source,
                section_slug: get(r, 9)?,
                published: get::<Option<i64>>(r, 10)?.map(ts),
                updated_at: ts(get(r, 11)?),
                time: ts(get(r, 12)?),
            })
        })
        .collect()
}

pub(crate) async fn sources(c: &impl GenericClient) -> StoreResult<Vec<Source>> {
    // sources.name has the "C" collation: byte order, as SQLite sorts.
    let rows = sql::query(
        c,
        "SELECT id, name, url FROM sources ORDER BY name, id",
        &[],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Source {
                id: SourceId(get(r, 0)?),
                name: get(r, 1)?,
                url: get(r, 2)?,
            })
        })
        .collect()
}

pub(crate) async fn count_articles(c: &impl GenericClient) -> StoreResult<u64> {
    let row = sql::query_one(
        c,
        "SELECT COUNT(*) FROM articles WHERE removed_at IS NULL",
        &[],
    )
    .await?;
    Ok(count(get(&row, 0)?))
}

pub(crate) async fn changes_since(
    c: &impl GenericClient,
    after: u64,
    limit: usize,
) -> StoreResult<Vec<Change>> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let rows = sql::query(
        c,
        "SELECT seq, article_id, op FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        &[&after, &int(limit)],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let op: &str = get(r, 2)?;
            Ok(Change {
                seq: count(get(r, 0)?),
                article: ArticleId(get(r, 1)?),
                op: if op == "delete" {
                    ChangeOp::Delete
                } else {
                    ChangeOp::Upsert
                },
            })
        })
        .collect()
}

pub(crate) async fn last_change_seq(c: &impl GenericClient) -> StoreResult<u64> {
    let row = sql::query_one(c, "SELECT COALESCE(MAX(seq), 0) FROM changes", &[]).await?;
    Ok(count(get(&row, 0)?))
}

/// Why and when an article was taken down; `None` when it is live or unknown.
pub(crate) async fn article_removal(
    c: &impl GenericClient,
    id: ArticleId,
) -> StoreResult<Option<Removal>> {
    let row = sql::query_opt(
        c,
        "SELECT removed_at, COALESCE(removed_reason, '') FROM articles
         WHERE id = $1 AND removed_at IS NOT NULL",
        &[&id.0],
    )
    .await?;
    row.as_ref()
        .map(|r| {
            Ok(Removal {
                at: ts(get(r, 0)?),
                reason: get(r, 1)?,
            })
        })
        .transpose()
}

/// Renames and reorders sections in one transaction; an unknown id undoes them all.
pub(crate) async fn edit_sections(
    c: &mut deadpool_postgres::Object,
    edits: &[SectionEdit],
) -> StoreResult<Vec<SectionRow>> {
    let tx = c.transaction().await.db()?;
    for edit in edits {
        let changed = sql::execute(
            &tx,
            "UPDATE sections SET name = $2, position = $3, edited = 1 WHERE id = $1",
            &[&edit.id.0, &edit.name, &edit.position],
        )
        .await?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("section {}", edit.id.0)));
        }
    }
    tx.commit().await.db()?;
    self::sections(&*c).await
}

/// Maps a source to a section (or ends the mapping) and moves the source's stored
/// articles there, logging each moved live article as an upsert. The transaction
/// takes the change-log lock first, as upserts do: an upsert either sees the mapping
/// or has its articles moved by it.
pub(crate) async fn set_source_section(
    c: &mut deadpool_postgres::Object,
    source: SourceId,
    section: Option<SectionId>,
) -> StoreResult<u64> {
    let tx = c.transaction().await.db()?;
    lock_change_log(&tx).await?;
    let slug: Option<String> = match section {
        None => None,
        Some(id) => {
            let row = sql::query_opt(&tx, "SELECT slug FROM sections WHERE id = $1", &[&id.0])
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("section {}", id.0)))?;
            Some(get(&row, 0)?)
        }
    };
    let changed = sql::execute(
        &tx,
        "UPDATE sources SET section_id = $2 WHERE id = $1",
        &[&source.0, &section.map(|s| s.0)],
    )
    .await?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("source {}", source.0)));
    }
    let mut moved = 0u64;
    if let (Some(section), Some(slug)) = (section, slug) {
        // Logged as upserts: the index re-reads each moved article with its section.
        let rows = sql::query(
            &tx,
            "SELECT id FROM articles
             WHERE source_id = $1 AND section_id IS DISTINCT FROM $2 AND removed_at IS NULL
             ORDER BY id",
            &[&source.0, &section.0],
        )
        .await?;
        let ids = rows
            .iter()
            .map(|r| get::<i64>(r, 0))
            .collect::<StoreResult<Vec<_>>>()?;
        if !ids.is_empty() {
            log_changes(&tx, &ids, ChangeOp::Upsert, sql::now()).await?;
        }
        moved = ids.len() as u64;
        sql::execute(
            &tx,
            "UPDATE articles SET section_id = $2
             WHERE source_id = $1 AND section_id IS DISTINCT FROM $2",
            &[&source.0, &section.0],
        )
        .await?;
        // The source's feeds name the section too, so that the admin's feed list agrees.
        sql::execute(
            &tx,
            "UPDATE feeds SET section_slug = $2 WHERE source_id = $1",
            &[&source.0, &slug],
        )
        .await?;
    }
    tx.commit().await.db()?;
    Ok(moved)
}

/// Every source's section mapping (sources without one are absent).
pub(crate) async fn source_sections(
    c: &impl GenericClient,
) -> StoreResult<HashMap<SourceId, SectionId>> {
    let rows = sql::query(
        c,
        "SELECT id, section_id FROM sources WHERE section_id IS NOT NULL",
        &[],
    )
    .await?;
    rows.iter()
        .map(|r| Ok((SourceId(get(r, 0)?), SectionId(get(r, 1)?))))
        .collect()
}
