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
    let (source, selected): (&str, Vec<String>) = match table {
        // Bodies are kept apart here (see migration 11) but copied with their article.
        Table::Articles => (
            "articles LEFT JOIN article_bodies ON article_id = id",
            columns
                .iter()
                .map(|c| match *c {
                    "body_text" | "body_html" => format!("COALESCE({c}, '')"),
                    _ => (*c).to_string(),
                })
                .collect(),
        ),
        _ => (
            table.name(),
            columns.iter().map(|c| (*c).to_string()).collect(),
        ),
    };
    let sql = format!(
        "SELECT {} FROM {source} {filter} ORDER BY {} LIMIT {}",
        selected.join(", "),
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

/// An upsert of some of a row's columns into one table.
struct Target {
    sql: String,
    /// Positions in the row of the statement's parameters, in order.
    columns: Vec<usize>,
}

impl Target {
    fn upsert(table: &str, key: &str, names: &[&str], columns: Vec<usize>) -> Target {
        let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let updates: Vec<String> = names
            .iter()
            .filter(|c| **c != key)
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        Target {
            sql: format!(
                "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({key}) DO UPDATE SET {}",
                names.join(", "),
                placeholders.join(", "),
                updates.join(", ")
            ),
            columns,
        }
    }
}

/// Where a table's rows go: one table, except articles, whose bodies have a table
/// of their own here.
fn targets(table: Table) -> Vec<Target> {
    let columns = table.columns();
    if table != Table::Articles {
        return vec![Target::upsert(
            table.name(),
            table.key(),
            columns,
            (0..columns.len()).collect(),
        )];
    }
    let is_body = |c: &&str| matches!(*c, "body_text" | "body_html");
    let (mut row_names, mut row_cols) = (Vec::new(), Vec::new());
    let (mut body_names, mut body_cols) = (vec!["article_id"], vec![0]);
    for (i, c) in columns.iter().enumerate() {
        if is_body(c) {
            body_names.push(c);
            body_cols.push(i);
        } else {
            row_names.push(*c);
            row_cols.push(i);
        }
    }
    vec![
        Target::upsert("articles", table.key(), &row_names, row_cols),
        Target::upsert("article_bodies", "article_id", &body_names, body_cols),
    ]
}

pub(crate) fn import(conn: &mut Connection, table: Table, rows: &[Row]) -> rusqlite::Result<u64> {
    // Rows come from another Herald store in key order, batch by batch, and some point
    // forward to rows of a later batch (a story merged into a newer one), which no
    // per-transaction check can accept. The migration verifies the whole copy instead,
    // so reference checks are off while copying and back on for everything else.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = insert_rows(conn, &targets(table), table.columns().len(), rows);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

/// Writes each row through every target; counts the rows the first one wrote.
fn insert_rows(
    conn: &mut Connection,
    targets: &[Target],
    width: usize,
    rows: &[Row],
) -> rusqlite::Result<u64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut written = 0u64;
    {
        let mut stmts = targets
            .iter()
            .map(|t| tx.prepare_cached(&t.sql))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for row in rows {
            if row.len() != width {
                return Err(rusqlite::Error::InvalidParameterCount(row.len(), width));
            }
            for (n, (stmt, target)) in stmts.iter_mut().zip(targets).enumerate() {
                let params: Vec<&dyn ToSql> =
                    target.columns.iter().map(|&i| param(&row[i])).collect();
                let changed = stmt.execute(params.as_slice())? as u64;
                if n == 0 {
                    written += changed;
                }
            }
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
