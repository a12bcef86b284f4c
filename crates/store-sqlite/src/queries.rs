//! The SQL behind each store method, as plain functions over a connection.

use chrono::{DateTime, Utc};
use herald_store::{
    ArticleCard, ArticleEntry, ArticleView, Change, ChangeOp, EntryOrder, EntryQuery, ListQuery,
    NewArticle, Page, Removal, SectionEdit, SectionRow, Source, StoreError, StoreResult,
    StoryInput, StoryKey, UpsertKind, UpsertOutcome,
};
use herald_types::{ArticleId, Section, SectionId, SourceId, StoryId};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn now() -> i64 {
    Utc::now().timestamp()
}

pub(crate) fn sync_sections(
    conn: &mut Connection,
    sections: &[Section],
) -> rusqlite::Result<Vec<SectionRow>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute("UPDATE sections SET visible = 0", [])?;
    for (position, section) in sections.iter().enumerate() {
        tx.execute(
            "INSERT INTO sections (slug, name, position, visible) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (slug) DO UPDATE SET
                 name = CASE WHEN edited = 1 THEN name ELSE excluded.name END,
                 position = CASE WHEN edited = 1 THEN position ELSE excluded.position END,
                 visible = 1",
            params![section.slug, section.name, position as i64],
        )?;
    }
    tx.commit()?;
    self::sections(conn)
}

pub(crate) fn sections(conn: &Connection) -> rusqlite::Result<Vec<SectionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, slug, name, position FROM sections WHERE visible = 1 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SectionRow {
            id: SectionId(r.get(0)?),
            slug: r.get(1)?,
            name: r.get(2)?,
            position: r.get(3)?,
        })
    })?;
    rows.collect()
}

pub(crate) fn upsert_articles(
    conn: &mut Connection,
    articles: &[NewArticle],
) -> StoreResult<Vec<UpsertOutcome>> {
    let db = |e: rusqlite::Error| StoreError::Database(e.to_string());
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let mut outcomes = Vec::with_capacity(articles.len());
    {
        // Source name → (id, the section an admin filed the source under).
        let mut source_ids: HashMap<String, (i64, Option<i64>)> = HashMap::new();
        let mut section_ids: HashMap<String, Option<i64>> = HashMap::new();
        let mut find = tx
            .prepare_cached("SELECT id, content_hash FROM articles WHERE identity = ?1")
            .map_err(db)?;
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO articles (identity, url, source_id, section_id, category, title, author,
                     published, lang, summary, content_hash, created_at, updated_at, sort_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, COALESCE(?8, ?12))",
            )
            .map_err(db)?;
        let mut update = tx
            .prepare_cached(
                "UPDATE articles SET url = ?2, source_id = ?3, section_id = ?4, category = ?5,
                     title = ?6, author = ?7, published = ?8, lang = ?9, summary = ?10,
                     content_hash = ?11, updated_at = ?12, sort_time = COALESCE(?8, created_at)
                 WHERE id = ?1",
            )
            .map_err(db)?;
        let mut body = tx
            .prepare_cached(
                "INSERT INTO article_bodies (article_id, body_text, body_html) VALUES (?1, ?2, ?3)
                 ON CONFLICT (article_id) DO UPDATE
                 SET body_text = excluded.body_text, body_html = excluded.body_html",
            )
            .map_err(db)?;
        let mut log = tx
            .prepare_cached("INSERT INTO changes (article_id, op, at) VALUES (?1, 'upsert', ?2)")
            .map_err(db)?;
        let mut find_source = tx
            .prepare_cached("SELECT id, section_id FROM sources WHERE name = ?1")
            .map_err(db)?;
        let mut add_source = tx
            .prepare_cached("INSERT INTO sources (name, created_at) VALUES (?1, ?2)")
            .map_err(db)?;
        let mut find_section = tx
            .prepare_cached("SELECT id FROM sections WHERE slug = ?1")
            .map_err(db)?;

        let at = now();
        for a in articles {
            if a.identity.is_empty() {
                return Err(StoreError::Invalid("article without identity".into()));
            }
            let (source_id, source_section) = match &a.source {
                None => (None, None),
                Some(name) => {
                    let (id, section) = match source_ids.get(name) {
                        Some(known) => *known,
                        None => {
                            let known = match find_source
                                .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
                                .optional()
                                .map_err(db)?
                            {
                                Some(known) => known,
                                None => {
                                    add_source.execute(params![name, at]).map_err(db)?;
                                    (tx.last_insert_rowid(), None)
                                }
                            };
                            source_ids.insert(name.clone(), known);
                            known
                        }
                    };
                    (Some(id), section)
                }
            };
            let section_id = match (&a.section, source_section) {
                (_, Some(mapped)) => Some(mapped),
                (None, None) => None,
                (Some(slug), None) => match section_ids.get(slug) {
                    Some(id) => *id,
                    None => {
                        let id = find_section
                            .query_row([slug], |r| r.get(0))
                            .optional()
                            .map_err(db)?;
                        section_ids.insert(slug.clone(), id);
                        id
                    }
                },
            };
            let hash = a.content_hash();
            let published = a.published.map(|p| p.timestamp());
            let existing: Option<(i64, i64)> = find
                .query_row([&a.identity], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db)?;
            let values = params![
                a.url, source_id, section_id, a.category, a.title, a.author, published, a.lang,
                a.summary, hash, at
            ];
            let (id, kind) = match existing {
                Some((id, old)) if old == hash => (id, UpsertKind::Unchanged),
                Some((id, _)) => {
                    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&id];
                    all.extend_from_slice(values);
                    update.execute(all.as_slice()).map_err(db)?;
                    body.execute(params![id, a.body_text, a.body_html])
                        .map_err(db)?;
                    (id, UpsertKind::Updated)
                }
                None => {
                    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&a.identity];
                    all.extend_from_slice(values);
                    insert.execute(all.as_slice()).map_err(db)?;
                    let id = tx.last_insert_rowid();
                    body.execute(params![id, a.body_text, a.body_html])
                        .map_err(db)?;
                    (id, UpsertKind::Inserted)
                }
            };
            if kind != UpsertKind::Unchanged {
                log.execute(params![id, at]).map_err(db)?;
            }
            outcomes.push(UpsertOutcome {
                id: ArticleId(id),
                kind,
            });
        }
    }
    tx.commit().map_err(db)?;
    Ok(outcomes)
}

pub(crate) const VIEW_COLUMNS: &str =
    "a.id, a.url, a.title, a.author, a.published, a.created_at, a.updated_at,
    a.lang, a.summary, COALESCE(b.body_text, ''), COALESCE(b.body_html, ''), a.category,
    a.source_id, src.name, src.url, sec.slug, sec.name, a.story_id, a.duplicate_of
    FROM articles a
    LEFT JOIN article_bodies b ON b.article_id = a.id
    LEFT JOIN sources src ON src.id = a.source_id
    LEFT JOIN sections sec ON sec.id = a.section_id";

pub(crate) fn view_row(r: &Row<'_>) -> rusqlite::Result<ArticleView> {
    let source_id: Option<i64> = r.get(12)?;
    let source = match source_id {
        Some(id) => Some(Source {
            id: SourceId(id),
            name: r.get(13)?,
            url: r.get(14)?,
        }),
        None => None,
    };
    Ok(ArticleView {
        id: ArticleId(r.get(0)?),
        url: r.get(1)?,
        title: r.get(2)?,
        author: r.get(3)?,
        published: r.get::<_, Option<i64>>(4)?.map(ts),
        created_at: ts(r.get(5)?),
        updated_at: ts(r.get(6)?),
        lang: r.get(7)?,
        summary: r.get(8)?,
        body_text: r.get(9)?,
        body_html: r.get(10)?,
        category: r.get(11)?,
        source,
        section_slug: r.get(15)?,
        section_name: r.get(16)?,
        story_id: r.get::<_, Option<i64>>(17)?.map(StoryId),
        duplicate_of: r.get::<_, Option<i64>>(18)?.map(ArticleId),
    })
}

pub(crate) fn articles_by_ids(
    conn: &Connection,
    ids: &[ArticleId],
) -> rusqlite::Result<Vec<ArticleView>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VIEW_COLUMNS} WHERE a.id = ?1 AND a.removed_at IS NULL"
    ))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(view) = stmt.query_row([id.0], view_row).optional()? {
            out.push(view);
        }
    }
    Ok(out)
}

/// See `Store::story_keys`: read from the primary key's row, nothing joined.
pub(crate) fn story_keys(conn: &Connection, ids: &[ArticleId]) -> rusqlite::Result<Vec<StoryKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT story_id, duplicate_of FROM articles WHERE id = ?1 AND removed_at IS NULL",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let key = stmt
            .query_row([id.0], |r| {
                Ok(StoryKey {
                    id,
                    story_id: r.get::<_, Option<i64>>(0)?.map(StoryId),
                    duplicate_of: r.get::<_, Option<i64>>(1)?.map(ArticleId),
                })
            })
            .optional()?;
        out.extend(key);
    }
    Ok(out)
}

/// See `Store::story_inputs`: only the columns clustering reads.
pub(crate) fn story_inputs(
    conn: &Connection,
    ids: &[ArticleId],
) -> rusqlite::Result<Vec<StoryInput>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.title, COALESCE(b.body_text, ''), src.name, a.published
         FROM articles a
         LEFT JOIN article_bodies b ON b.article_id = a.id
         LEFT JOIN sources src ON src.id = a.source_id
         WHERE a.id = ?1 AND a.removed_at IS NULL",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row = stmt
            .query_row([id.0], |r| {
                Ok(StoryInput {
                    id: ArticleId(r.get(0)?),
                    title: r.get(1)?,
                    body_text: r.get(2)?,
                    source: r.get(3)?,
                    published: r.get::<_, Option<i64>>(4)?.map(ts),
                })
            })
            .optional()?;
        out.extend(row);
    }
    Ok(out)
}

pub(crate) fn articles_after(
    conn: &Connection,
    after: ArticleId,
    limit: usize,
) -> rusqlite::Result<Vec<ArticleView>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VIEW_COLUMNS} WHERE a.id > ?1 AND a.removed_at IS NULL ORDER BY a.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![after.0, limit as i64], view_row)?;
    rows.collect()
}

pub(crate) fn latest_articles(
    conn: &Connection,
    q: &ListQuery,
) -> rusqlite::Result<Page<ArticleCard>> {
    let section_id: Option<i64> = match &q.section {
        // A source's page lists all of its articles, whatever story they joined.
        _ if q.source.is_some() => q.source.map(|s| s.0),
        None => None,
        Some(slug) => match conn
            .prepare_cached("SELECT id FROM sections WHERE slug = ?1")?
            .query_row([slug], |r| r.get(0))
            .optional()?
        {
            Some(id) => Some(id),
            None => {
                return Ok(Page {
                    items: vec![],
                    total: 0,
                })
            }
        },
    };
    // One entry per story: an article that joined another's story is listed through
    // the story's first article.
    let filter = if q.source.is_some() {
        "WHERE a.source_id = ?1 AND a.removed_at IS NULL"
    } else if section_id.is_some() {
        "WHERE a.section_id = ?1 AND (a.story_id IS NULL OR a.story_id = a.id)
             AND a.removed_at IS NULL"
    } else {
        "WHERE ?1 IS NULL AND (a.story_id IS NULL OR a.story_id = a.id) AND a.removed_at IS NULL"
    };
    let total: i64 = if q.with_total {
        conn.prepare_cached(&format!("SELECT COUNT(*) FROM articles a {filter}"))?
            .query_row([section_id], |r| r.get(0))?
    } else {
        0
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.id, a.title, a.summary, src.name, sec.slug, a.sort_time,
                st.id, COALESCE(st.article_count, 1), COALESCE(st.source_count, 1)
         FROM articles a
         LEFT JOIN sources src ON src.id = a.source_id
         LEFT JOIN sections sec ON sec.id = a.section_id
         LEFT JOIN stories st ON st.id = a.story_id
         {filter}
         ORDER BY a.sort_time DESC, a.id DESC
         LIMIT ?2 OFFSET ?3"
    ))?;
    let items = stmt
        .query_map(params![section_id, q.limit as i64, q.offset as i64], |r| {
            Ok(ArticleCard {
                id: ArticleId(r.get(0)?),
                title: r.get(1)?,
                summary: r.get(2)?,
                source_name: r.get(3)?,
                section_slug: r.get(4)?,
                time: ts(r.get(5)?),
                story: r.get::<_, Option<i64>>(6)?.map(StoryId),
                story_articles: u32::try_from(r.get::<_, i64>(7)?).unwrap_or(1),
                story_sources: u32::try_from(r.get::<_, i64>(8)?).unwrap_or(1),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
    })
}

pub(crate) fn article_entries(
    conn: &Connection,
    q: &EntryQuery,
) -> rusqlite::Result<Vec<ArticleEntry>> {
    let mut sql = String::from(
        "SELECT a.id, a.url, a.title, a.author, a.summary, a.lang, a.source_id, src.name,
                src.url, sec.slug, a.published, a.updated_at, a.sort_time
         FROM articles a
         LEFT JOIN sources src ON src.id = a.source_id
         LEFT JOIN sections sec ON sec.id = a.section_id
         WHERE a.removed_at IS NULL",
    );
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
        values.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
    };
    if let Some(slug) = &q.section {
        bind(
            &mut sql,
            " AND a.section_id = (SELECT id FROM sections WHERE slug = ?)",
            slug.clone().into(),
        );
    }
    if let Some(after) = q.after {
        // Row-value comparison: SQLite walks articles_by_time from the position.
        bind(
            &mut sql,
            " AND (a.sort_time, a.id) < (?",
            after.time.timestamp().into(),
        );
        bind(&mut sql, ", ?)", after.id.0.into());
    }
    if let Some(since) = q.since {
        bind(&mut sql, " AND a.sort_time >= ?", since.timestamp().into());
    }
    if let Some((lo, hi)) = q.ids {
        bind(&mut sql, " AND a.id BETWEEN ?", lo.0.into());
        bind(&mut sql, " AND ?", hi.0.into());
    }
    sql.push_str(match q.order {
        EntryOrder::Newest => " ORDER BY a.sort_time DESC, a.id DESC",
        EntryOrder::IdDescending => " ORDER BY a.id DESC",
    });
    bind(
        &mut sql,
        " LIMIT ?",
        (q.limit.min(i64::MAX as usize) as i64).into(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| {
        let source = match r.get::<_, Option<i64>>(6)? {
            Some(id) => Some(Source {
                id: SourceId(id),
                name: r.get(7)?,
                url: r.get(8)?,
            }),
            None => None,
        };
        Ok(ArticleEntry {
            id: ArticleId(r.get(0)?),
            url: r.get(1)?,
            title: r.get(2)?,
            author: r.get(3)?,
            summary: r.get(4)?,
            lang: r.get(5)?,
            source,
            section_slug: r.get(9)?,
            published: r.get::<_, Option<i64>>(10)?.map(ts),
            updated_at: ts(r.get(11)?),
            time: ts(r.get(12)?),
        })
    })?;
    rows.collect()
}

pub(crate) fn article_removal(
    conn: &Connection,
    id: ArticleId,
) -> rusqlite::Result<Option<Removal>> {
    conn.prepare_cached(
        "SELECT removed_at, COALESCE(removed_reason, '') FROM articles
         WHERE id = ?1 AND removed_at IS NOT NULL",
    )?
    .query_row([id.0], |r| {
        Ok(Removal {
            at: ts(r.get(0)?),
            reason: r.get(1)?,
        })
    })
    .optional()
}

pub(crate) fn sources(conn: &Connection) -> rusqlite::Result<Vec<Source>> {
    let mut stmt = conn.prepare_cached("SELECT id, name, url FROM sources ORDER BY name, id")?;
    let rows = stmt.query_map([], |r| {
        Ok(Source {
            id: SourceId(r.get(0)?),
            name: r.get(1)?,
            url: r.get(2)?,
        })
    })?;
    rows.collect()
}

pub(crate) fn changes_since(
    conn: &Connection,
    after: u64,
    limit: usize,
) -> rusqlite::Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, article_id, op FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after as i64, limit as i64], |r| {
        let op: String = r.get(2)?;
        Ok(Change {
            seq: r.get::<_, i64>(0)?.max(0) as u64,
            article: ArticleId(r.get(1)?),
            op: if op == "delete" {
                ChangeOp::Delete
            } else {
                ChangeOp::Upsert
            },
        })
    })?;
    rows.collect()
}

pub(crate) fn edit_sections(
    conn: &mut Connection,
    edits: &[SectionEdit],
) -> StoreResult<Vec<SectionRow>> {
    let db = |e: rusqlite::Error| StoreError::Database(e.to_string());
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    for edit in edits {
        let changed = tx
            .execute(
                "UPDATE sections SET name = ?2, position = ?3, edited = 1 WHERE id = ?1",
                params![edit.id.0, edit.name, edit.position],
            )
            .map_err(db)?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("section {}", edit.id.0)));
        }
    }
    tx.commit().map_err(db)?;
    sections(conn).map_err(db)
}

pub(crate) fn set_source_section(
    conn: &mut Connection,
    source: SourceId,
    section: Option<SectionId>,
) -> StoreResult<u64> {
    let db = |e: rusqlite::Error| StoreError::Database(e.to_string());
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let slug: Option<String> = match section {
        None => None,
        Some(id) => Some(
            tx.query_row("SELECT slug FROM sections WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)?
            .ok_or_else(|| StoreError::NotFound(format!("section {}", id.0)))?,
        ),
    };
    let changed = tx
        .execute(
            "UPDATE sources SET section_id = ?2 WHERE id = ?1",
            params![source.0, section.map(|s| s.0)],
        )
        .map_err(db)?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("source {}", source.0)));
    }
    let mut moved = 0u64;
    if let (Some(section), Some(slug)) = (section, slug) {
        // Logged as upserts: the index re-reads each moved article with its section.
        let at = now();
        moved = tx
            .execute(
                "INSERT INTO changes (article_id, op, at)
                 SELECT id, 'upsert', ?3 FROM articles
                 WHERE source_id = ?1 AND section_id IS NOT ?2 AND removed_at IS NULL
                 ORDER BY id",
                params![source.0, section.0, at],
            )
            .map_err(db)? as u64;
        tx.execute(
            "UPDATE articles SET section_id = ?2 WHERE source_id = ?1 AND section_id IS NOT ?2",
            params![source.0, section.0],
        )
        .map_err(db)?;
        // The source's feeds name the section too, so that the admin's feed list agrees.
        tx.execute(
            "UPDATE feeds SET section_slug = ?2 WHERE source_id = ?1",
            params![source.0, slug],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(moved)
}

pub(crate) fn source_sections(conn: &Connection) -> rusqlite::Result<HashMap<SourceId, SectionId>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, section_id FROM sources WHERE section_id IS NOT NULL")?;
    let rows = stmt.query_map([], |r| Ok((SourceId(r.get(0)?), SectionId(r.get(1)?))))?;
    rows.collect()
}
