//! The SQL behind story clustering: assignments, merges, story rows and the
//! clusterer's position in the change log.

use crate::queries::{view_row, VIEW_COLUMNS};
use chrono::{DateTime, Utc};
use herald_store::{ArticleView, Story, StoryAssignment, StoryBatch, StoryQuery};
use herald_types::{ArticleId, StoryId};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeSet;
use std::fmt::Write as _;

const CURSOR_KEY: &str = "stories.applied_seq";

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Recomputes a story's counts and time span from its live articles, in one pass over
/// its entries in `articles_by_story` (a story of a thousand wire reports is recounted
/// after every batch that adds to it).
const RECOUNT: &str = "UPDATE stories SET (article_count, source_count, first_seen, last_seen) =
     (SELECT COUNT(*), COUNT(DISTINCT source_id),
             COALESCE(MIN(sort_time), stories.first_seen),
             COALESCE(MAX(sort_time), stories.last_seen)
      FROM articles WHERE story_id = ?1 AND removed_at IS NULL)
 WHERE id = ?1";

/// Creates the rows of the stories founded by the articles that `condition` (on
/// `articles a`) selects, titled with their founders' headlines, unless they exist.
fn ensure_stories(condition: &str) -> String {
    format!(
        "INSERT INTO stories (id, title, first_seen, last_seen, article_count)
         SELECT a.id, a.title, a.sort_time, a.sort_time, 0 FROM articles a WHERE {condition}
         ON CONFLICT (id) DO NOTHING"
    )
}

/// Writes a batch's assignments; returns the stories they touched (each article's
/// story before and after), to be recounted.
///
/// A batch holds thousands of assignments, so they go through a few set-wise
/// statements over a temporary table rather than a handful of statements per article:
/// the per-statement overhead was most of the cost of clustering's writes.
fn assign(tx: &Connection, assignments: &[StoryAssignment]) -> rusqlite::Result<BTreeSet<i64>> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS story_batch (
             article INTEGER PRIMARY KEY,
             story INTEGER NOT NULL,
             duplicate_of INTEGER
         );
         DELETE FROM temp.story_batch;",
    )?;
    // The table is emptied here, at the start of each batch, whatever became of the
    // one before.
    let mut rows = String::with_capacity(assignments.len() * 24 + 2);
    rows.push('[');
    for a in assignments {
        if rows.len() > 1 {
            rows.push(',');
        }
        let _ = write!(rows, "[{},{},", a.article.0, a.story.0);
        match a.duplicate_of {
            Some(d) => {
                let _ = write!(rows, "{}]", d.0);
            }
            None => rows.push_str("null]"),
        }
    }
    rows.push(']');
    // Assignments apply in order: a later one for the same article replaces an earlier.
    tx.execute(
        "INSERT INTO temp.story_batch (article, story, duplicate_of)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                json_extract(value, '$[2]')
         FROM json_each(?1) WHERE true ORDER BY key
         ON CONFLICT (article) DO UPDATE
         SET story = excluded.story, duplicate_of = excluded.duplicate_of",
        [&rows],
    )?;
    // The story an id stands for now (see `resolve`), as one statement.
    tx.execute_batch(
        "UPDATE temp.story_batch SET story = s.merged_into
         FROM stories s WHERE s.id = story_batch.story AND s.merged_into IS NOT NULL;",
    )?;
    // Story rows must exist before articles point at them (foreign key).
    tx.execute_batch(&ensure_stories(
        "a.id IN (SELECT story FROM temp.story_batch)",
    ))?;
    // Every story named is recounted, even where the article stays (it may have
    // changed date or source since), and so is every story an article leaves.
    let mut touched = BTreeSet::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT story FROM temp.story_batch
             UNION
             SELECT a.story_id FROM temp.story_batch b CROSS JOIN articles a ON a.id = b.article
             WHERE a.story_id IS NOT NULL",
        )?;
        let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        for id in ids {
            touched.insert(id?);
        }
    }
    // Most assignments leave `duplicate_of` as it was: setting it anyway makes SQLite
    // check its reference to `articles`, four times the cost of the update itself.
    // The rows to change are looked up by id from the batch (`IN`), never by a scan of
    // `articles`.
    tx.execute_batch(
        "UPDATE articles
         SET story_id = (SELECT b.story FROM temp.story_batch b WHERE b.article = articles.id)
         WHERE id IN (SELECT article FROM temp.story_batch)
           AND duplicate_of IS (SELECT b.duplicate_of FROM temp.story_batch b
                                WHERE b.article = articles.id)
           AND story_id IS NOT (SELECT b.story FROM temp.story_batch b
                                WHERE b.article = articles.id);
         UPDATE articles
         SET story_id = (SELECT b.story FROM temp.story_batch b WHERE b.article = articles.id),
             duplicate_of = (SELECT b.duplicate_of FROM temp.story_batch b
                             WHERE b.article = articles.id)
         WHERE id IN (SELECT article FROM temp.story_batch)
           AND duplicate_of IS NOT (SELECT b.duplicate_of FROM temp.story_batch b
                                    WHERE b.article = articles.id);",
    )?;
    Ok(touched)
}

/// The story `id` stands for now: the one it was merged into, else itself. The
/// clusterer may still name a story that a takedown re-founded (see [`take_down`]).
fn resolve(tx: &Connection, id: StoryId) -> rusqlite::Result<StoryId> {
    let into: Option<i64> = tx
        .prepare_cached("SELECT merged_into FROM stories WHERE id = ?1")?
        .query_row([id.0], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(into.map_or(id, StoryId))
}

pub(crate) fn apply(conn: &mut Connection, batch: &StoryBatch) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut touched: BTreeSet<i64> = assign(&tx, &batch.assignments)?;
    {
        let mut ensure = tx.prepare_cached(&ensure_stories("a.id = ?1"))?;
        for (from, into) in &batch.merges {
            let (from, into) = (resolve(&tx, *from)?, resolve(&tx, *into)?);
            if from == into {
                continue;
            }
            ensure.execute([into.0])?;
            tx.execute(
                "UPDATE articles SET story_id = ?2 WHERE story_id = ?1",
                params![from.0, into.0],
            )?;
            tx.execute(
                "UPDATE stories SET merged_into = ?2 WHERE id = ?1 OR merged_into = ?1",
                params![from.0, into.0],
            )?;
            touched.insert(from.0);
            touched.insert(into.0);
        }
        let mut title = tx.prepare_cached("UPDATE stories SET title = ?2 WHERE id = ?1")?;
        for (story, text) in &batch.titles {
            title.execute(params![resolve(&tx, *story)?.0, text])?;
        }
        let mut recount = tx.prepare_cached(RECOUNT)?;
        for story in &touched {
            recount.execute([story])?;
        }
    }
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![CURSOR_KEY, batch.applied_seq.to_string()],
    )?;
    tx.commit()
}

/// Takes an article down (see `Store::take_down_article`) in one transaction: the
/// marker, a delete in the change log for the search index, and its story's repair.
pub(crate) fn take_down(
    conn: &mut Connection,
    id: ArticleId,
    reason: &str,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let now = Utc::now().timestamp();
    let changed = tx.execute(
        "UPDATE articles SET removed_at = ?2, removed_reason = ?3
         WHERE id = ?1 AND removed_at IS NULL",
        params![id.0, now, reason],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO changes (article_id, op, at) VALUES (?1, 'delete', ?2)",
        params![id.0, now],
    )?;
    let (story, title): (Option<i64>, String) = tx.query_row(
        "SELECT story_id, title FROM articles WHERE id = ?1",
        [id.0],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(story) = story {
        repair_story(&tx, StoryId(story), id, &title)?;
    }
    tx.commit()?;
    Ok(true)
}

/// Keeps a story whole after one of its articles was taken down. A story is listed
/// through its founding article (its id is that article's id), so a story whose
/// founder left passes to its earliest remaining article, and the old id is marked
/// merged into the new one so that its links keep working. A title that was the
/// removed article's headline becomes the remaining lead's.
fn repair_story(
    tx: &Connection,
    story: StoryId,
    removed: ArticleId,
    removed_title: &str,
) -> rusqlite::Result<()> {
    let lead: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, title FROM articles WHERE story_id = ?1 AND removed_at IS NULL
             ORDER BY sort_time, id LIMIT 1",
            [story.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut live = story;
    if let Some((lead, lead_title)) = &lead {
        if story.0 == removed.0 {
            tx.execute(
                "INSERT INTO stories (id, title, first_seen, last_seen, article_count)
                 SELECT ?1, title, first_seen, last_seen, 0 FROM stories WHERE id = ?2
                 ON CONFLICT (id) DO UPDATE SET merged_into = NULL, title = excluded.title",
                params![lead, story.0],
            )?;
            tx.execute(
                "UPDATE articles SET story_id = ?2 WHERE story_id = ?1 AND removed_at IS NULL",
                params![story.0, lead],
            )?;
            tx.execute(
                "UPDATE stories SET merged_into = ?2 WHERE (id = ?1 OR merged_into = ?1) AND id <> ?2",
                params![story.0, lead],
            )?;
            live = StoryId(*lead);
        }
        tx.execute(
            "UPDATE stories SET title = ?2 WHERE id = ?1 AND title = ?3",
            params![live.0, lead_title, removed_title],
        )?;
    }
    tx.execute(RECOUNT, [story.0])?;
    if live != story {
        tx.execute(RECOUNT, [live.0])?;
    }
    Ok(())
}

pub(crate) fn cursor(conn: &Connection) -> rusqlite::Result<u64> {
    let value: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [CURSOR_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

pub(crate) fn articles_since(
    conn: &Connection,
    since: DateTime<Utc>,
    limit: usize,
) -> rusqlite::Result<Vec<ArticleView>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VIEW_COLUMNS} WHERE a.sort_time >= ?1 AND a.removed_at IS NULL
         ORDER BY a.sort_time, a.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(
        params![since.timestamp(), i64::try_from(limit).unwrap_or(i64::MAX)],
        view_row,
    )?;
    rows.collect()
}

const STORY_COLUMNS: &str =
    "id, title, first_seen, last_seen, article_count, source_count, merged_into";

fn story_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Story> {
    Ok(Story {
        id: StoryId(r.get(0)?),
        title: r.get(1)?,
        first_seen: ts(r.get(2)?),
        last_seen: ts(r.get(3)?),
        article_count: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        source_count: u32::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        merged_into: r.get::<_, Option<i64>>(6)?.map(StoryId),
    })
}

pub(crate) fn story(conn: &Connection, id: StoryId) -> rusqlite::Result<Option<Story>> {
    conn.prepare_cached(&format!(
        "SELECT {STORY_COLUMNS} FROM stories WHERE id = ?1"
    ))?
    .query_row([id.0], story_row)
    .optional()
}

pub(crate) fn stories(conn: &Connection, q: &StoryQuery) -> rusqlite::Result<Vec<Story>> {
    // Without a position, start after the greatest possible one, so that one statement
    // (row-value comparison on the partial index) serves every page.
    let (time, id) = q
        .after
        .map_or((i64::MAX, i64::MAX), |p| (p.last_seen.timestamp(), p.id.0));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STORY_COLUMNS} FROM stories
         WHERE merged_into IS NULL AND (last_seen, id) < (?1, ?2) AND article_count >= ?3
         ORDER BY last_seen DESC, id DESC
         LIMIT ?4"
    ))?;
    let rows = stmt.query_map(
        params![
            time,
            id,
            i64::from(q.min_articles.max(1)),
            i64::try_from(q.limit).unwrap_or(i64::MAX)
        ],
        story_row,
    )?;
    rows.collect()
}

pub(crate) fn story_articles(conn: &Connection, id: StoryId) -> rusqlite::Result<Vec<ArticleView>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VIEW_COLUMNS} WHERE a.story_id = ?1 AND a.removed_at IS NULL
         ORDER BY a.sort_time, a.id LIMIT 1000"
    ))?;
    let rows = stmt.query_map([id.0], view_row)?;
    rows.collect()
}
