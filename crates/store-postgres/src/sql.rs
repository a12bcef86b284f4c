//! Small helpers every query module uses: cached statements, typed column reads and
//! the conversions between Herald's types and the schema's integers.

use crate::error::Db;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use herald_store::StoreResult;
use std::collections::HashMap;
use std::hash::Hash;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::Row;

/// Rows found by key (one `= ANY($1)` query), put back in the order the keys were
/// asked in: repeats kept, keys that found nothing skipped.
pub(crate) fn in_order_asked<K: Hash + Eq, T: Clone>(asked: &[K], found: &HashMap<K, T>) -> Vec<T> {
    asked.iter().filter_map(|k| found.get(k).cloned()).collect()
}

/// Statement parameters, as the driver takes them.
pub(crate) type Params<'a> = [&'a (dyn ToSql + Sync)];

/// Runs `sql` (prepared once per connection) and returns every row.
pub(crate) async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<Vec<Row>> {
    let stmt = c.prepare_cached(sql).await.db()?;
    c.query(&stmt, params).await.db()
}

/// Runs `sql` and returns its row, if any.
pub(crate) async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<Option<Row>> {
    let stmt = c.prepare_cached(sql).await.db()?;
    c.query_opt(&stmt, params).await.db()
}

/// Runs `sql`, which returns exactly one row.
pub(crate) async fn query_one(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<Row> {
    let stmt = c.prepare_cached(sql).await.db()?;
    c.query_one(&stmt, params).await.db()
}

/// Runs `sql` and returns how many rows it changed.
pub(crate) async fn execute(
    c: &impl GenericClient,
    sql: &str,
    params: &Params<'_>,
) -> StoreResult<u64> {
    let stmt = c.prepare_cached(sql).await.db()?;
    c.execute(&stmt, params).await.db()
}

/// One column of a row, typed.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, idx: usize) -> StoreResult<T> {
    row.try_get(idx).db()
}

/// A stored Unix time.
pub(crate) fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A count or limit as the schema's integer (saturating; no real count is that big).
pub(crate) fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A stored count or sequence number (never negative in practice).
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The current time as stored.
pub(crate) fn now() -> i64 {
    Utc::now().timestamp()
}
