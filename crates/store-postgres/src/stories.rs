//! The SQL behind story clustering: assignments, merges, story rows and the
//! clusterer's position in the change log.

use crate::articles::views;
use crate::error::Db;
use crate::sql::{self, get, int, ts};
use deadpool_postgres::GenericClient;
use herald_store::{ArticleView, StoreResult, Story, StoryBatch};
use herald_types::StoryId;
use std::collections::{BTreeMap, BTreeSet};

const CURSOR_KEY: &str = "stories.applied_seq";

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
        // Story rows must exist before articles point at them (foreign key).
        let stories: Vec<i64> = batch.assignments.iter().map(|a| a.story.0).collect();
        sql::execute(&tx, ensure, &[&stories]).await?;
        // Stories that lose an article: their counts are redone below.
        let mut latest: BTreeMap<i64, (i64, Option<i64>)> = BTreeMap::new();
        for a in &batch.assignments {
            latest.insert(a.article.0, (a.story.0, a.duplicate_of.map(|d| d.0)));
            touched.insert(a.story.0);
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
    for (story, text) in &batch.titles {
        sql::execute(
            &tx,
            "UPDATE stories SET title = $2 WHERE id = $1",
            &[&story.0, text],
        )
        .await?;
    }
    if !touched.is_empty() {
        let touched: Vec<i64> = touched.into_iter().collect();
        // Every touched story recounted in one statement.
        sql::execute(
            &tx,
            "UPDATE stories s SET
                 article_count = COALESCE(t.articles, 0),
                 source_count = COALESCE(t.sources, 0),
                 first_seen = COALESCE(t.first_seen, s.first_seen),
                 last_seen = COALESCE(t.last_seen, s.last_seen)
             FROM unnest($1::BIGINT[]) AS ids(id)
             LEFT JOIN LATERAL (
                 SELECT COUNT(*) AS articles, COUNT(DISTINCT source_id) AS sources,
                        MIN(sort_time) AS first_seen, MAX(sort_time) AS last_seen
                 FROM articles WHERE story_id = ids.id
             ) t ON TRUE
             WHERE s.id = ids.id",
            &[&touched],
        )
        .await?;
    }
    sql::execute(
        &tx,
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&CURSOR_KEY, &batch.applied_seq.to_string()],
    )
    .await?;
    tx.commit().await.db()
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
        "WHERE a.sort_time >= $1 ORDER BY a.sort_time, a.id LIMIT $2",
        &[&since, &int(limit)],
    )
    .await
}

pub(crate) async fn story(c: &impl GenericClient, id: StoryId) -> StoreResult<Option<Story>> {
    let row = sql::query_opt(
        c,
        "SELECT id, title, first_seen, last_seen, article_count, source_count, merged_into
         FROM stories WHERE id = $1",
        &[&id.0],
    )
    .await?;
    row.as_ref()
        .map(|r| {
            Ok(Story {
                id: StoryId(get(r, 0)?),
                title: get(r, 1)?,
                first_seen: ts(get(r, 2)?),
                last_seen: ts(get(r, 3)?),
                article_count: u32::try_from(get::<i64>(r, 4)?).unwrap_or(0),
                source_count: u32::try_from(get::<i64>(r, 5)?).unwrap_or(0),
                merged_into: get::<Option<i64>>(r, 6)?.map(StoryId),
            })
        })
        .transpose()
}

pub(crate) async fn story_articles(
    c: &impl GenericClient,
    id: StoryId,
) -> StoreResult<Vec<ArticleView>> {
    views(
        c,
        "WHERE a.story_id = $1 ORDER BY a.sort_time, a.id LIMIT 1000",
        &[&id.0],
    )
    .await
}
