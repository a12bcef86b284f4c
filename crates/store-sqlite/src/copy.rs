//! Row-level copies of whole tables (see `herald_store::Table`) and named leases.

use chrono::{DateTime, Utc};
use herald_store::{Row, Table, Value};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ToSql};

fn to_value(v: ValueRef<'_>) -> rusqlite::Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Real(r) => Value::Text(r.to_string()),
        ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
    })
}

fn param(v: &Value) -> &dyn ToSql {
    match v {
        Value::Null => &rusqlite::types::Null,
        Value::Int(i) => i,
        Value::Text(s) => s,
    }
}

pub(crate) fn export(
    conn: &Connection,
    table: Table,
    after: Option<&Value>,
    limit: usize,
) -> rusqlite::Result<Vec<Row>> {
    let columns = table.columns();
    let filter = if after.is_some() {
        format!("WHERE {} > ?1", table.key())
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {} FROM {} {filter} ORDER BY {} LIMIT {}",
        columns.join(", "),
        table.name(),
        table.key(),
        limit
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let params: Vec<&dyn ToSql> = after.map(param).into_iter().collect();
    let rows = stmt.query_map(params.as_slice(), |r| {
        (0..columns.len())
            .map(|i| to_value(r.get_ref(i)?))
            .collect::<rusqlite::Result<Row>>()
    })?;
    rows.collect()
}

pub(crate) fn import(conn: &mut Connection, table: Table, rows: &[Row]) -> rusqlite::Result<u64> {
    let columns = table.columns();
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = columns[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        table.name(),
        columns.join(", "),
        placeholders.join(", "),
        table.key(),
        updates.join(", ")
    );
    // Rows come from another Herald store in key order, batch by batch, and some point
    // forward to rows of a later batch (a story merged into a newer one), which no
    // per-transaction check can accept. The migration verifies the whole copy instead,
    // so reference checks are off while copying and back on for everything else.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = insert_rows(conn, &sql, columns.len(), rows);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

fn insert_rows(
    conn: &mut Connection,
    sql: &str,
    width: usize,
    rows: &[Row],
) -> rusqlite::Result<u64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut written = 0u64;
    {
        let mut stmt = tx.prepare_cached(sql)?;
        for row in rows {
            if row.len() != width {
                return Err(rusqlite::Error::InvalidParameterCount(row.len(), width));
            }
            let params: Vec<&dyn ToSql> = row.iter().map(param).collect();
            written += stmt.execute(params.as_slice())? as u64;
        }
    }
    tx.commit()?;
    Ok(written)
}

pub(crate) fn count(conn: &Connection, table: Table) -> rusqlite::Result<u64> {
    conn.query_row(&format!("SELECT COUNT(*) FROM {}", table.name()), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n.max(0) as u64)
}

pub(crate) fn max_key(conn: &Connection, table: Table) -> rusqlite::Result<Option<Value>> {
    conn.query_row(
        &format!("SELECT MAX({}) FROM {}", table.key(), table.name()),
        [],
        |r| to_value(r.get_ref(0)?),
    )
    .map(|v| (v != Value::Null).then_some(v))
}

pub(crate) fn acquire_lease(
    conn: &mut Connection,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "INSERT INTO leases (name, holder, until) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE leases.holder = excluded.holder OR leases.until <= ?4",
        rusqlite::params![name, holder, until.timestamp(), now.timestamp()],
    )?;
    Ok(changed > 0)
}

pub(crate) fn release_lease(
    conn: &mut Connection,
    name: &str,
    holder: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
        rusqlite::params![name, holder],
    )
    .map(|_| ())
}
