//! Row-level copies of whole tables (see `herald_store::Table`).
//!
//! Every copied column is BIGINT or TEXT, as in SQLite, so a [`Value`] maps onto a
//! column without conversion. Imports insert explicit ids and replace the row of a
//! key that exists already (`ON CONFLICT DO UPDATE`: an interrupted copy simply runs
//! again, and rows changed at the source since are brought in line), then move the
//! table's id sequence past the largest id, never backwards.

use crate::error::Db;
use crate::sql::{self, count, get, int};
use crate::{CHANGES_CHANNEL, CHANGE_LOG_LOCK};
use deadpool_postgres::{GenericClient, Transaction};
use herald_store::{Row, StoreError, StoreResult, Table, Value};
use std::collections::HashMap;
use tokio_postgres::types::{ToSql, Type};

/// The most parameters one statement may carry (the protocol counts them in 16 bits).
const MAX_PARAMS: usize = 65_535;
/// Rows per multi-row insert, whatever the width of the table.
const MAX_ROWS: usize = 1_000;

fn to_value(row: &tokio_postgres::Row, idx: usize) -> StoreResult<Value> {
    let column_type = row.columns()[idx].type_();
    Ok(match *column_type {
        Type::INT8 => get::<Option<i64>>(row, idx)?.map_or(Value::Null, Value::Int),
        Type::INT4 => get::<Option<i32>>(row, idx)?.map_or(Value::Null, |i| Value::Int(i.into())),
        Type::INT2 => get::<Option<i16>>(row, idx)?.map_or(Value::Null, |i| Value::Int(i.into())),
        _ => get::<Option<String>>(row, idx)?.map_or(Value::Null, Value::Text),
    })
}

pub(crate) async fn export(
    c: &impl GenericClient,
    table: Table,
    after: Option<&Value>,
    limit: usize,
) -> StoreResult<Vec<Row>> {
    let columns = table.columns();
    let key: Option<Box<dyn ToSql + Sync + Send>> = match after {
        None => None,
        Some(Value::Int(i)) => Some(Box::new(*i)),
        Some(Value::Text(s)) => Some(Box::new(s.clone())),
        Some(Value::Null) => {
            return Err(StoreError::Invalid(format!(
                "{} rows are keyed by a value, not NULL",
                table.name()
            )))
        }
    };
    let filter = if key.is_some() {
        format!("WHERE {} > $2", table.key())
    } else {
        String::new()
    };
    // Text keys use the "C" collation (see the schema): the same order as SQLite's.
    let sql = format!(
        "SELECT {} FROM {} {filter} ORDER BY {} LIMIT $1",
        columns.join(", "),
        table.name(),
        table.key(),
    );
    let limit = int(limit);
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&limit];
    params.extend(key.iter().map(|k| &**k as &(dyn ToSql + Sync)));
    let rows = sql::query(c, &sql, &params).await?;
    rows.iter()
        .map(|r| (0..columns.len()).map(|i| to_value(r, i)).collect())
        .collect()
}

/// One value bound for a column of type `column_type` (a NULL needs the column's
/// type to be sent at all).
fn bind(value: &Value, column_type: &Type) -> Box<dyn ToSql + Sync + Send> {
    let integer = matches!(*column_type, Type::INT8 | Type::INT4 | Type::INT2);
    match value {
        Value::Null if integer => Box::new(None::<i64>),
        Value::Null => Box::new(None::<String>),
        Value::Int(i) => Box::new(*i),
        Value::Text(s) => Box::new(s.clone()),
    }
}

pub(crate) async fn import(tx: &Transaction<'_>, table: Table, rows: &[Row]) -> StoreResult<u64> {
    let columns = table.columns();
    if let Some(bad) = rows.iter().find(|r| r.len() != columns.len()) {
        return Err(StoreError::Invalid(format!(
            "a {} row has {} values, not {}",
            table.name(),
            bad.len(),
            columns.len()
        )));
    }
    if table == Table::Changes {
        // Copied entries join the change log: keep appends in commit order.
        sql::execute(tx, "SELECT pg_advisory_xact_lock($1)", &[&CHANGE_LOG_LOCK]).await?;
    }
    // One statement may not touch a row twice: of repeated keys, the last row wins,
    // as if the rows were written one after the other.
    let mut last: HashMap<&Value, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        last.insert(&row[0], i);
    }
    let rows: Vec<&Row> = rows
        .iter()
        .enumerate()
        .filter(|(i, row)| last.get(&row[0]) == Some(i))
        .map(|(_, row)| row)
        .collect();
    let replace: Vec<String> = columns[1..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let per_statement = (MAX_PARAMS / columns.len()).clamp(1, MAX_ROWS);
    let mut written = 0;
    for chunk in rows.chunks(per_statement) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let first = r * columns.len();
                let marks: Vec<String> = (1..=columns.len())
                    .map(|c| format!("${}", first + c))
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            table.name(),
            columns.join(", "),
            tuples.join(", "),
            table.key(),
            replace.join(", ")
        );
        // Not cached: the statement's text changes with the chunk's length.
        let stmt = tx.prepare(&sql).await.db()?;
        let types = stmt.params();
        let values: Vec<Box<dyn ToSql + Sync + Send>> = chunk
            .iter()
            .flat_map(|row| row.iter())
            .zip(types)
            .map(|(v, t)| bind(v, t))
            .collect();
        let params: Vec<&(dyn ToSql + Sync)> =
            values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
        written += tx.execute(&stmt, &params).await.db()?;
    }
    if table.integer_key() {
        advance_sequence(tx, table).await?;
    }
    if table == Table::Changes && written > 0 {
        let sql = format!(
            "SELECT pg_notify('{CHANGES_CHANNEL}', MAX(seq)::TEXT || ':' || current_schema())
             FROM changes"
        );
        sql::execute(tx, &sql, &[]).await?;
    }
    Ok(written)
}

/// Moves the table's id sequence (if its key has one) past the largest key, so new
/// rows get fresh ids; a sequence already further on stays where it is.
async fn advance_sequence(tx: &Transaction<'_>, table: Table) -> StoreResult<()> {
    let sql = format!(
        "SELECT setval(s.seq, m.max_id)
         FROM (SELECT pg_get_serial_sequence($1, $2)::REGCLASS AS seq) s,
              (SELECT MAX({key}) AS max_id FROM {table}) m
         WHERE s.seq IS NOT NULL AND m.max_id IS NOT NULL
           AND m.max_id > COALESCE(pg_sequence_last_value(s.seq), 0)",
        key = table.key(),
        table = table.name()
    );
    sql::execute(tx, &sql, &[&table.name(), &table.key()]).await?;
    Ok(())
}

pub(crate) async fn max_key(c: &impl GenericClient, table: Table) -> StoreResult<Option<Value>> {
    // Text keys compare in the "C" collation of their column: byte order, as SQLite.
    let sql = format!("SELECT MAX({}) FROM {}", table.key(), table.name());
    let row = sql::query_one(c, &sql, &[]).await?;
    Ok(Some(to_value(&row, 0)?).filter(|v| *v != Value::Null))
}

pub(crate) async fn count_rows(c: &impl GenericClient, table: Table) -> StoreResult<u64> {
    let row = sql::query_one(c, &format!("SELECT COUNT(*) FROM {}", table.name()), &[]).await?;
    Ok(count(get(&row, 0)?))
}
