//! `herald migrate --from URL --to URL`: moves a whole portal between stores, ids
//! included, then proves the copy faithful with per-table counts and checksums.
//!
//! Rows are copied in key order, one batch per target transaction, so the target's
//! greatest key says how far an interrupted run got; text-keyed tables are small and
//! simply copied again. Rows that changed at the source after an earlier run (a
//! story that gained an article) sit below that key: a table whose checksum still
//! differs after the copy is copied again in full, replacing rows by key.

use crate::app::open_store;
use crate::cli::MigrateArgs;
use crate::config::StoreLocation;
use crate::progress;
use anyhow::{bail, Context, Result};
use herald_store::{Checksum, Store, Table, Value};
use std::time::Instant;

pub async fn run(args: &MigrateArgs) -> Result<()> {
    let from = StoreLocation::parse(&args.from).context("--from")?;
    let to = StoreLocation::parse(&args.to).context("--to")?;
    if from == to {
        bail!("--from and --to name the same store ({from})");
    }
    let source = open_store(&from).await?;
    let target = open_store(&to).await?;
    let batch = args.batch.clamp(1, 50_000);
    if !args.verify_only {
        let started = Instant::now();
        let mut total = 0;
        for table in Table::ALL {
            let resume = if table.integer_key() {
                target.max_key(table).await?
            } else {
                None
            };
            total += copy_table(
                source.as_ref(),
                target.as_ref(),
                table,
                resume,
                batch,
                args.quiet,
            )
            .await
            .with_context(|| format!("copying table {} from {from} to {to}", table.name()))?;
        }
        for table in differing(source.as_ref(), target.as_ref(), batch).await? {
            println!(
                "{:<10} changed at the source since an earlier run; copying it again",
                table.name()
            );
            copy_table(
                source.as_ref(),
                target.as_ref(),
                table,
                None,
                batch,
                args.quiet,
            )
            .await
            .with_context(|| format!("copying table {} from {from} to {to}", table.name()))?;
        }
        println!(
            "copied {total} rows from {from} to {to} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    verify(source.as_ref(), target.as_ref(), batch).await
}

/// Tables whose rows differ between the stores.
async fn differing(source: &dyn Store, target: &dyn Store, batch: usize) -> Result<Vec<Table>> {
    let mut tables = Vec::new();
    for table in Table::ALL {
        if checksum(source, table, batch).await? != checksum(target, table, batch).await? {
            tables.push(table);
        }
    }
    Ok(tables)
}

/// Copies the rows of `table` with keys after `after` (all when `None`); returns how
/// many it wrote.
async fn copy_table(
    source: &dyn Store,
    target: &dyn Store,
    table: Table,
    mut after: Option<Value>,
    batch: usize,
    quiet: bool,
) -> Result<u64> {
    let total = source.count_rows(table).await?;
    let bar = progress::bar(total, table.name(), quiet);
    let mut written = 0;
    loop {
        let rows = source.export_rows(table, after.clone(), batch).await?;
        let Some(last) = rows.last() else { break };
        after = last.first().cloned();
        bar.inc(rows.len() as u64);
        written += target.import_rows(table, rows).await?;
    }
    bar.finish_and_clear();
    println!("{:<10} {written:>9} rows copied", table.name());
    Ok(written)
}

/// Walks `table` in key order and sums it up.
async fn checksum(store: &dyn Store, table: Table, batch: usize) -> Result<Checksum> {
    let mut sum = Checksum::new();
    let mut after = None;
    loop {
        let rows = store.export_rows(table, after.clone(), batch).await?;
        let Some(last) = rows.last() else { break };
        after = last.first().cloned();
        for row in &rows {
            sum.add(row);
        }
    }
    Ok(sum)
}

/// Prints counts and checksums side by side; an error when any table differs.
async fn verify(source: &dyn Store, target: &dyn Store, batch: usize) -> Result<()> {
    println!(
        "{:<10} {:>10} {:>10}  {:<16} {:<16} result",
        "table", "from rows", "to rows", "from checksum", "to checksum"
    );
    let mut differing = Vec::new();
    for table in Table::ALL {
        let a = checksum(source, table, batch).await?;
        let b = checksum(target, table, batch).await?;
        let same = a == b;
        println!(
            "{:<10} {:>10} {:>10}  {:016x} {:016x} {}",
            table.name(),
            a.rows,
            b.rows,
            a.hash,
            b.hash,
            if same { "same" } else { "DIFFERENT" }
        );
        if !same {
            differing.push(table.name());
        }
    }
    if differing.is_empty() {
        println!("verified: every table is identical");
        Ok(())
    } else {
        bail!(
            "the stores differ in {}: run the migration again to finish an interrupted copy; \
             if they still differ, the target holds rows the source does not (migrate into an empty database)",
            differing.join(", ")
        )
    }
}
