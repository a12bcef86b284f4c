//! The SQL behind feed subscriptions and the scheduler's leases.

use chrono::{DateTime, Utc};
use herald_store::{FeedFetchRecord, FeedRow, NewFeed, StoreError, StoreResult};
use herald_types::{FeedId, SourceId};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "f.id, f.url, f.source_id, s.name, f.site_url, f.title, f.section_slug,
    f.paused, f.created_at, f.etag, f.last_modified, f.last_fetch_at, f.last_success_at,
    f.last_status, f.last_error, f.consecutive_failures, f.items_total, f.interval_secs,
    f.next_fetch_at";

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn feed_row(r: &Row<'_>) -> rusqlite::Result<FeedRow> {
    Ok(FeedRow {
        id: FeedId(r.get(0)?),
        url: r.get(1)?,
        source_id: SourceId(r.get(2)?),
        source_name: r.get(3)?,
        site_url: r.get(4)?,
        title: r.get(5)?,
        section: r.get(6)?,
        paused: r.get(7)?,
        created_at: ts(r.get(8)?),
        etag: r.get(9)?,
        last_modified: r.get(10)?,
        last_fetch_at: r.get::<_, Option<i64>>(11)?.map(ts),
        last_success_at: r.get::<_, Option<i64>>(12)?.map(ts),
        last_status: r
            .get::<_, Option<i64>>(13)?
            .map(|s| u16::try_from(s).unwrap_or(0)),
        last_error: r.get(14)?,
        consecutive_failures: u32::try_from(r.get::<_, i64>(15)?).unwrap_or(u32::MAX),
        items_total: u64::try_from(r.get::<_, i64>(16)?).unwrap_or(0),
        interval_secs: r.get(17)?,
        next_fetch_at: ts(r.get(18)?),
    })
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub(crate) fn feed(conn: &Connection, id: FeedId) -> rusqlite::Result<Option<FeedRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feeds f JOIN sources s ON s.id = f.source_id WHERE f.id = ?1"
    ))?
    .query_row([id.0], feed_row)
    .optional()
}

pub(crate) fn feeds(conn: &Connection) -> rusqlite::Result<Vec<FeedRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feeds f JOIN sources s ON s.id = f.source_id ORDER BY f.id"
    ))?;
    let rows = stmt.query_map([], feed_row)?;
    rows.collect()
}

pub(crate) fn add_feed(conn: &mut Connection, feed: &NewFeed) -> StoreResult<FeedRow> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM feeds WHERE url = ?1)",
            [&feed.url],
            |r| r.get(0),
        )
        .map_err(db)?;
    if exists {
        return Err(StoreError::Conflict(format!(
            "the feed {} is already subscribed",
            feed.url
        )));
    }
    let now = Utc::now().timestamp();
    let source_id: i64 = match tx
        .query_row(
            "SELECT id FROM sources WHERE name = ?1",
            [&feed.source_name],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?
    {
        Some(id) => id,
        None => {
            tx.execute(
                "INSERT INTO sources (name, url, created_at) VALUES (?1, ?2, ?3)",
                params![feed.source_name, feed.site_url, now],
            )
            .map_err(db)?;
            tx.last_insert_rowid()
        }
    };
    tx.execute(
        "INSERT INTO feeds (url, source_id, site_url, title, section_slug, created_at,
             interval_secs, next_fetch_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            feed.url,
            source_id,
            feed.site_url,
            feed.title,
            feed.section,
            now,
            feed.interval_secs,
            feed.next_fetch_at.timestamp()
        ],
    )
    .map_err(db)?;
    let id = FeedId(tx.last_insert_rowid());
    tx.commit().map_err(db)?;
    self::feed(conn, id)
        .map_err(db)?
        .ok_or_else(|| StoreError::NotFound(format!("feed {id}")))
}

pub(crate) fn remove_feed(conn: &Connection, id: FeedId) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM feeds WHERE id = ?1", [id.0])? > 0)
}

pub(crate) fn set_paused(conn: &Connection, id: FeedId, paused: bool) -> rusqlite::Result<bool> {
    let changed = if paused {
        conn.execute("UPDATE feeds SET paused = 1 WHERE id = ?1", [id.0])?
    } else {
        conn.execute(
            "UPDATE feeds SET paused = 0, next_fetch_at = MIN(next_fetch_at, ?2) WHERE id = ?1",
            params![id.0, Utc::now().timestamp()],
        )?
    };
    Ok(changed > 0)
}

pub(crate) fn claim_due(
    conn: &mut Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> rusqlite::Result<Vec<FeedRow>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let ids: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM feeds
             WHERE paused = 0 AND next_fetch_at <= ?1 AND lease_until <= ?1
             ORDER BY next_fetch_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![now.timestamp(), i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        tx.execute(
            "UPDATE feeds SET lease_until = ?2 WHERE id = ?1",
            params![id, lease_until.timestamp()],
        )?;
        if let Some(row) = feed(&tx, FeedId(id))? {
            claimed.push(row);
        }
    }
    tx.commit()?;
    Ok(claimed)
}

pub(crate) fn record_fetch(
    conn: &Connection,
    id: FeedId,
    r: &FeedFetchRecord,
) -> rusqlite::Result<()> {
    let ok = r.error.is_none();
    let at = r.fetched_at.timestamp();
    conn.execute(
        "UPDATE feeds SET
             url = COALESCE(?2, url),
             etag = CASE WHEN ?3 THEN COALESCE(?4, etag) ELSE etag END,
             last_modified = CASE WHEN ?3 THEN COALESCE(?5, last_modified) ELSE last_modified END,
             title = COALESCE(?6, title),
             site_url = COALESCE(?7, site_url),
             last_fetch_at = ?8,
             last_success_at = CASE WHEN ?3 THEN ?8 ELSE last_success_at END,
             last_status = ?9,
             last_error = ?10,
             consecutive_failures = CASE WHEN ?3 THEN 0 ELSE consecutive_failures + 1 END,
             items_total = items_total + ?11,
             interval_secs = ?12,
             next_fetch_at = ?13,
             paused = CASE WHEN ?14 THEN 1 ELSE paused END,
             lease_until = 0
         WHERE id = ?1",
        params![
            id.0,
            r.moved_to,
            ok,
            r.etag,
            r.last_modified,
            r.title,
            r.site_url,
            at,
            i64::from(r.status),
            r.error,
            i64::try_from(r.new_items).unwrap_or(i64::MAX),
            r.interval_secs,
            r.next_fetch_at.timestamp(),
            r.pause
        ],
    )?;
    Ok(())
}
