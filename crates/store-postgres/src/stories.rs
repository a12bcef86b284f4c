//! The SQL behind story clustering: assignments, merges, story rows and the
//! clusterer's position in the change log.

use crate::articles::views;
use crate::error::Db;
use crate::sql::{self, get, int, now, ts};
use crate::upsert::{lock_change_log, log_changes};
use deadpool_postgres::{GenericClient, Transaction};
use herald_store::{ArticleView, ChangeOp, StoreResult, Story, StoryBatch, StoryQuery};
use herald_types::{ArticleId, StoryId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tokio_postgres::Row;

const CURSOR_KEY: &str = "stories.applied_seq";

/// The stories `ids` stand for now: the one each was merged into, else itself (ids
/// that stand for themselves are absent). The clusterer may still name a story that
/// a takedown re-founded (see [`take_down`]). Merges point straight at the survivor,
/// so one step is enough.
async fn resolve(tx: &Transaction<'_>, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sql::query(
        tx,
        "SELECT id, merged_into FROM stories WHERE id = ANY($1) AND merged_into IS NOT NULL",
        &[&ids],
    )
    .await?;
    rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?))).collect()
}

/// Recomputes the counts and time span of `stories` from their live articles, in one
/// statement.
async fn recount(tx: &Transaction<'_>, stories: &[i64]) -> StoreResult<()> {
    if stories.is_empty() {
        return Ok(());
    }
    sql::execute(
        tx,
        "UPDATE stories s SET
             article_count = COALESCE(t.articles, 0),
             source_count = COALESCE(t.sources, 0),
             first_seen = COALESCE(t.first_seen, s.first_seen),
             last_seen = COALESCE(t.last_seen, s.last_seen)
         FROM unnest($1::BIGINT[]) AS ids(id)
         LEFT JOIN LATERAL (
             SELECT COUNT(*) AS articles, COUNT(DISTINCT source_id) AS sources,
                    MIN(sort_time) AS first_seen, MAX(sort_time) AS last_seen
             FROM articles WHERE story_id = ids.id AND removed_at IS NULL
         ) t ON TRUE
         WHERE s.id = ids.id",
        &[&stories],
    )
    .await?;
    Ok(())
}

pub(crate) async fn apply(
    c: &mut deadpool_postgres::Object,
    batch: &StoryBatch,
) -> StoreResult<()> {
    let tx = c.transaction().await.db()?;
    let mut touched: BTreeSet<i64> = BTreeSet::new();
    let ensure = "INSERT INTO stories (id, title, first_seen, last_seen, article_count)
         SELECT a.id, a.title, a.sort_time, a.sort_time, 0 FROM articles a WHERE a.id = ANY($1)
         ON CONFLICT (id) DO NOTHING";
    if !batch.assignments.is_empty() {
        let named: Vec<i64> = batch.assignments.iter().map(|a| a.story.0).collect();
        let now_stands = resolve(&tx, &named).await?;
        let story_of = |id: i64| now_stands.get(&id).copied().unwrap_or(id);
        // Story rows must exist before articles point at them (foreign key).
        let stories: Vec<i64> = named.iter().map(|&s| story_of(s)).collect();
        sql::execute(&tx, ensure, &[&stories]).await?;
        // Stories that lose an article: their counts are redone below.
        let mut latest: BTreeMap<i64, (i64, Option<i64>)> = BTreeMap::new();
        for a in &batch.assignments {
            let story = story_of(a.story.0);
            latest.insert(a.article.0, (story, a.duplicate_of.map(|d| d.0)));
            touched.insert(story);
        }
        let articles: Vec<i64> = latest.keys().copied().collect();
        let previous = sql::query(
            &tx,
            "SELECT DISTINCT story_id FROM articles WHERE id = ANY($1) AND story_id IS NOT NULL",
            &[&articles],
        )
        .await?;
        for row in &previous {
            touched.insert(get(row, 0)?);
        }
        // The last assignment of an article wins, as if they were applied in order.
        let story_ids: Vec<i64> = latest.values().map(|v| v.0).collect();
        let duplicates: Vec<Option<i64>> = latest.values().map(|v| v.1).collect();
        sql::execute(
            &tx,
            "UPDATE articles a SET story_id = t.story, duplicate_of = t.duplicate_of
             FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) AS t(id, story, duplicate_of)
             WHERE a.id = t.id",
            &[&articles, &story_ids, &duplicates],
        )
        .await?;
    }
    for (from, into) in &batch.merges {
        // Resolved one merge at a time: an earlier merge of the batch may have moved
        // either story.
        let now_stands = resolve(&tx, &[from.0, into.0]).await?;
        let (from, into) = (
            StoryId(now_stands.get(&from.0).copied().unwrap_or(from.0)),
            StoryId(now_stands.get(&into.0).copied().unwrap_or(into.0)),
        );
        if from == into {
            continue;
        }
        sql::execute(&tx, ensure, &[&vec![into.0]]).await?;
        sql::execute(
            &tx,
            "UPDATE articles SET story_id = $2 WHERE story_id = $1",
            &[&from.0, &into.0],
        )
        .await?;
        sql::execute(
            &tx,
            "UPDATE stories SET merged_into = $2 WHERE id = $1 OR merged_into = $1",
            &[&from.0, &into.0],
        )
        .await?;
        touched.insert(from.0);
        touched.insert(into.0);
    }
    if !batch.titles.is_empty() {
        // Resolved after the merges, as if each title were applied last.
        let named: Vec<i64> = batch.titles.iter().map(|(s, _)| s.0).collect();
        let now_stands = resolve(&tx, &named).await?;
        for (story, text) in &batch.titles {
            let story = now_stands.get(&story.0).copied().unwrap_or(story.0);
            sql::execute(
                &tx,
                "UPDATE stories SET title = $2 WHERE id = $1",
                &[&story, text],
            )
            .await?;
        }
    }
    // Every touched story recounted in one statement.
    recount(&tx, &touched.into_iter().collect::<Vec<_>>()).await?;
    sql::execute(
        &tx,
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&CURSOR_KEY, &batch.applied_seq.to_string()],
    )
    .await?;
    tx.commit().await.db()
}

/// Takes an article down (see `Store::take_down_article`) in one transaction: the
/// marker, a delete in the change log for the search index, and its story's repair.
/// The transaction takes the change-log lock first, as every change-log append does.
pub(crate) async fn take_down(
    c: &mut deadpool_postgres::Object,
    id: ArticleId,
    reason: &str,
) -> StoreResult<bool> {
    let tx = c.transaction().await.db()?;
    lock_change_log(&tx).await?;
    let at = now();
    let Some(row) = sql::query_opt(
        &tx,
        "UPDATE articles SET removed_at = $2, removed_reason = $3
         WHERE id = $1 AND removed_at IS NULL
         RETURNING story_id, title",
        &[&id.0, &at, &reason],
    )
    .await?
    else {
        return Ok(false);
    };
    let (story, title): (Option<i64>, String) = (get(&row, 0)?, get(&row, 1)?);
    log_changes(&tx, &[id.0], ChangeOp::Delete, at).await?;
    if let Some(story) = story {
        repair_story(&tx, StoryId(story), id, &title).await?;
    }
    tx.commit().await.db()?;
    Ok(true)
}

/// Keeps a story whole after one of its articles was taken down. A story is listed
/// through its founding article (its id is that article's id), so a story whose
/// founder left passes to its earliest remaining article, and the old id is marked
/// merged into the new one so that its links keep working. A title that was the
/// removed article's headline becomes the remaining lead's.
async fn repair_story(
    tx: &Transaction<'_>,
    story: StoryId,
    removed: ArticleId,
    removed_title: &str,
) -> StoreResult<()> {
    let lead = sql::query_opt(
        tx,
        "SELECT id, title FROM articles WHERE story_id = $1 AND removed_at IS NULL
         ORDER BY sort_time, id LIMIT 1",
        &[&story.0],
    )
    .await?;
    let mut live = story;
    if let Some(lead) = lead {
        let (lead, lead_title): (i64, String) = (get(&lead, 0)?, get(&lead, 1)?);
        if story.0 == removed.0 {
            sql::execute(
                tx,
                "INSERT INTO stories (id, title, first_seen, last_seen, article_count)
                 SELECT $1::BIGINT, title, first_seen, last_seen, 0 FROM stories WHERE id = $2
                 ON CONFLICT (id) DO UPDATE SET merged_into = NULL, title = excluded.title",
                &[&lead, &story.0],
            )
            .await?;
            sql::execute(
                tx,
                "UPDATE articles SET story_id = $2 WHERE story_id = $1 AND removed_at IS NULL",
                &[&story.0, &lead],
            )
            .await?;
            sql::execute(
                tx,
                "UPDATE stories SET merged_into = $2
                 WHERE (id = $1 OR merged_into = $1) AND id <> $2",
                &[&story.0, &lead],
            )
            .await?;
            live = StoryId(lead);
        }
        sql::execute(
            tx,
            "UPDATE stories SET title = $2 WHERE id = $1 AND title = $3",
            &[&live.0, &lead_title, &removed_title],
        )
        .await?;
    }
    if live == story {
        recount(tx, &[story.0]).await
    } else {
        recount(tx, &[story.0, live.0]).await
    }
}

pub(crate) async fn cursor(c: &impl GenericClient) -> StoreResult<u64> {
    let row = sql::query_opt(
        c,
        "SELECT value FROM settings WHERE key = $1",
        &[&CURSOR_KEY],
    )
    .await?;
    let value: Option<String> = row.as_ref().map(|r| get(r, 0)).transpose()?;
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

pub(crate) async fn articles_since(
    c: &impl GenericClient,
    since: i64,
    limit: usize,
) -> StoreResult<Vec<ArticleView>> {
    views(
        c,
        "WHERE a.sort_time >= $1 AND a.removed_at IS NULL ORDER BY a.sort_time, a.id LIMIT $2",
        &[&since, &int(limit)],
    )
    .await
}

const STORY_COLUMNS: &str =
    "id, title, first_seen, last_seen, article_count, source_count, merged_into";

fn story_row(r: &Row) -> StoreResult<Story> {
    Ok(Story {
        id: StoryId(get(r, 0)?),
        title: get(r, 1)?,
        first_seen: ts(get(r, 2)?),
        last_seen: ts(get(r, 3)?),
        article_count: u32::try_from(get::<i64>(r, 4)?).unwrap_or(0),
        source_count: u32::try_from(get::<i64>(r, 5)?).unwrap_or(0),
        merged_into: get::<Option<i64>>(r, 6)?.map(StoryId),
    })
}

pub(crate) async fn story(c: &impl GenericClient, id: StoryId) -> StoreResult<Option<Story>> {
    let row = sql::query_opt(
        c,
        &format!("SELECT {STORY_COLUMNS} FROM stories WHERE id = $1"),
        &[&id.0],
    )
    .await?;
    row.as_ref().map(story_row).transpose()
}

/// Stories by id in the order asked (repeats kept, missing ids skipped), in one query.
pub(crate) async fn stories_by_ids(
    c: &impl GenericClient,
    ids: &[StoryId],
) -> StoreResult<Vec<Story>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let found: HashMap<StoryId, Story> = sql::query(
        c,
        &format!("SELECT {STORY_COLUMNS} FROM stories WHERE id = ANY($1)"),
        &[&wanted],
    )
    .await?
    .iter()
    .map(story_row)
    .map(|s| s.map(|s| (s.id, s)))
    .collect::<StoreResult<_>>()?;
    Ok(sql::in_order_asked(ids, &found))
}

/// Live stories, most recently active first, after a keyset position.
pub(crate) async fn stories(c: &impl GenericClient, q: &StoryQuery) -> StoreResult<Vec<Story>> {
    // Without a position, start after the greatest possible one, so that one statement
    // (a row comparison on the partial index) serves every page.
    let (time, id) = q
        .after
        .map_or((i64::MAX, i64::MAX), |p| (p.last_seen.timestamp(), p.id.0));
    let min_articles = i64::from(q.min_articles.max(1));
    let rows = sql::query(
        c,
        &format!(
            "SELECT {STORY_COLUMNS} FROM stories
             WHERE merged_into IS NULL AND (last_seen, id) < ($1, $2) AND article_count >= $3
             ORDER BY last_seen DESC, id DESC
             LIMIT $4"
        ),
        &[&time, &id, &min_articles, &int(q.limit)],
    )
    .await?;
    rows.iter().map(story_row).collect()
}

pub(crate) async fn story_articles(
    c: &impl GenericClient,
    id: StoryId,
) -> StoreResult<Vec<ArticleView>> {
    views(
        c,
        "WHERE a.story_id = $1 AND a.removed_at IS NULL ORDER BY a.sort_time, a.id LIMIT 1000",
        &[&id.0],
    )
    .await
}
