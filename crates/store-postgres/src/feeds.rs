//! The SQL behind feed subscriptions and the scheduler's leases.

use crate::error::{is_unique_violation, Db};
use crate::sql::{self, get, int, now, ts};
use deadpool_postgres::GenericClient;
use herald_store::{FeedFetchRecord, FeedRow, NewFeed, StoreError, StoreResult};
use herald_types::{FeedId, SourceId};
use tokio_postgres::Row;

const COLUMNS: &str = "f.id, f.url, f.source_id, s.name, f.site_url, f.title, f.section_slug,
    f.paused, f.created_at, f.etag, f.last_modified, f.last_fetch_at, f.last_success_at,
    f.last_status, f.last_error, f.consecutive_failures, f.items_total, f.interval_secs,
    f.next_fetch_at";

fn feed_row(r: &Row) -> StoreResult<FeedRow> {
    Ok(FeedRow {
        id: FeedId(get(r, 0)?),
        url: get(r, 1)?,
        source_id: SourceId(get(r, 2)?),
        source_name: get(r, 3)?,
        site_url: get(r, 4)?,
        title: get(r, 5)?,
        section: get(r, 6)?,
        paused: get::<i64>(r, 7)? != 0,
        created_at: ts(get(r, 8)?),
        etag: get(r, 9)?,
        last_modified: get(r, 10)?,
        last_fetch_at: get::<Option<i64>>(r, 11)?.map(ts),
        last_success_at: get::<Option<i64>>(r, 12)?.map(ts),
        last_status: get::<Option<i64>>(r, 13)?.map(|s| u16::try_from(s).unwrap_or(0)),
        last_error: get(r, 14)?,
        consecutive_failures: u32::try_from(get::<i64>(r, 15)?).unwrap_or(u32::MAX),
        items_total: u64::try_from(get::<i64>(r, 16)?).unwrap_or(0),
        interval_secs: get(r, 17)?,
        next_fetch_at: ts(get(r, 18)?),
    })
}

pub(crate) async fn feed(c: &impl GenericClient, id: FeedId) -> StoreResult<Option<FeedRow>> {
    let row = sql::query_opt(
        c,
        &format!(
            "SELECT {COLUMNS} FROM feeds f JOIN sources s ON s.id = f.source_id WHERE f.id = $1"
        ),
        &[&id.0],
    )
    .await?;
    row.as_ref().map(feed_row).transpose()
}

pub(crate) async fn feeds(c: &impl GenericClient) -> StoreResult<Vec<FeedRow>> {
    let rows = sql::query(
        c,
        &format!(
            "SELECT {COLUMNS} FROM feeds f JOIN sources s ON s.id = f.source_id ORDER BY f.id"
        ),
        &[],
    )
    .await?;
    rows.iter().map(feed_row).collect()
}

fn already_subscribed(url: &str) -> StoreError {
    StoreError::Conflict(format!("the feed {url} is already subscribed"))
}

pub(crate) async fn add_feed(
    c: &mut deadpool_postgres::Object,
    feed: &NewFeed,
) -> StoreResult<FeedRow> {
    let tx = c.transaction().await.db()?;
    let exists = sql::query_opt(&tx, "SELECT 1 FROM feeds WHERE url = $1", &[&feed.url]).await?;
    if exists.is_some() {
        return Err(already_subscribed(&feed.url));
    }
    let at = now();
    let lookup = "SELECT id FROM sources WHERE name = $1";
    let source_id: i64 = match sql::query_opt(&tx, lookup, &[&feed.source_name]).await? {
        Some(row) => get(&row, 0)?,
        None => {
            let created = sql::query_opt(
                &tx,
                "INSERT INTO sources (name, url, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
                &[&feed.source_name, &feed.site_url, &at],
            )
            .await?;
            match created {
                Some(row) => get(&row, 0)?,
                // An ingest batch created it meanwhile.
                None => get(&sql::query_one(&tx, lookup, &[&feed.source_name]).await?, 0)?,
            }
        }
    };
    let stmt = tx
        .prepare_cached(
            "INSERT INTO feeds (url, source_id, site_url, title, section_slug, created_at,
                 interval_secs, next_fetch_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id",
        )
        .await
        .db()?;
    let inserted = tx
        .query_one(
            &stmt,
            &[
                &feed.url,
                &source_id,
                &feed.site_url,
                &feed.title,
                &feed.section,
                &at,
                &feed.interval_secs,
                &feed.next_fetch_at.timestamp(),
            ],
        )
        .await;
    let id = match inserted {
        Ok(row) => FeedId(get(&row, 0)?),
        // Another node subscribed the same URL between the check and the insert.
        Err(e) if is_unique_violation(&e) => return Err(already_subscribed(&feed.url)),
        Err(e) => return Err(crate::error::db(e)),
    };
    tx.commit().await.db()?;
    self::feed(&*c, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("feed {id}")))
}

pub(crate) async fn remove_feed(c: &impl GenericClient, id: FeedId) -> StoreResult<bool> {
    Ok(sql::execute(c, "DELETE FROM feeds WHERE id = $1", &[&id.0]).await? > 0)
}

pub(crate) async fn set_paused(
    c: &impl GenericClient,
    id: FeedId,
    paused: bool,
) -> StoreResult<bool> {
    let changed = if paused {
        sql::execute(c, "UPDATE feeds SET paused = 1 WHERE id = $1", &[&id.0]).await?
    } else {
        sql::execute(
            c,
            "UPDATE feeds SET paused = 0, next_fetch_at = LEAST(next_fetch_at, $2) WHERE id = $1",
            &[&id.0, &now()],
        )
        .await?
    };
    Ok(changed > 0)
}

/// Leases due feeds in one statement. `FOR UPDATE SKIP LOCKED` passes over feeds
/// another node is claiming at this moment, and a feed claimed and committed
/// meanwhile is re-checked against `lease_until` before it is taken: no two nodes
/// ever get the same feed.
pub(crate) async fn claim_due(
    c: &impl GenericClient,
    now: i64,
    lease_until: i64,
    limit: usize,
) -> StoreResult<Vec<FeedRow>> {
    let rows = sql::query(
        c,
        &format!(
            "WITH due AS (
                 SELECT id FROM feeds
                 WHERE paused = 0 AND next_fetch_at <= $1 AND lease_until <= $1
                 ORDER BY next_fetch_at, id
                 LIMIT $2
                 FOR UPDATE SKIP LOCKED
             ), claimed AS (
                 UPDATE feeds f SET lease_until = $3 FROM due WHERE f.id = due.id
                 RETURNING f.*
             )
             SELECT {COLUMNS} FROM claimed f JOIN sources s ON s.id = f.source_id
             ORDER BY f.next_fetch_at, f.id"
        ),
        &[&now, &int(limit), &lease_until],
    )
    .await?;
    rows.iter().map(feed_row).collect()
}

pub(crate) async fn record_fetch(
    c: &impl GenericClient,
    id: FeedId,
    r: &FeedFetchRecord,
) -> StoreResult<()> {
    let ok = r.error.is_none();
    sql::execute(
        c,
        "UPDATE feeds SET
             url = COALESCE($2, url),
             etag = CASE WHEN $3 THEN COALESCE($4, etag) ELSE etag END,
             last_modified = CASE WHEN $3 THEN COALESCE($5, last_modified) ELSE last_modified END,
             title = COALESCE($6, title),
             site_url = COALESCE($7, site_url),
             last_fetch_at = $8,
             last_success_at = CASE WHEN $3 THEN $8 ELSE last_success_at END,
             last_status = $9,
             last_error = $10,
             consecutive_failures = CASE WHEN $3 THEN 0 ELSE consecutive_failures + 1 END,
             items_total = items_total + $11,
             interval_secs = $12,
             next_fetch_at = $13,
             paused = CASE WHEN $14 THEN 1 ELSE paused END,
             lease_until = 0
         WHERE id = $1",
        &[
            &id.0,
            &r.moved_to,
            &ok,
            &r.etag,
            &r.last_modified,
            &r.title,
            &r.site_url,
            &r.fetched_at.timestamp(),
            &i64::from(r.status),
            &r.error,
            &i64::try_from(r.new_items).unwrap_or(i64::MAX),
            &r.interval_secs,
            &r.next_fetch_at.timestamp(),
            &r.pause,
        ],
    )
    .await?;
    Ok(())
}
