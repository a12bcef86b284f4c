//! Named leases: jobs that must run on one node at a time.

use crate::sql;
use deadpool_postgres::GenericClient;
use herald_store::StoreResult;

/// Takes or renews `name` for `holder`. One statement: of several nodes asking at
/// once, the row lock lets exactly one insert or take over, and the others see its
/// row and its holder.
pub(crate) async fn acquire(
    c: &impl GenericClient,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> StoreResult<bool> {
    let changed = sql::execute(
        c,
        "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
         WHERE leases.holder = excluded.holder OR leases.until <= $4",
        &[&name, &holder, &until, &now],
    )
    .await?;
    Ok(changed > 0)
}

pub(crate) async fn release(c: &impl GenericClient, name: &str, holder: &str) -> StoreResult<()> {
    sql::execute(
        c,
        "DELETE FROM leases WHERE name = $1 AND holder = $2",
        &[&name, &holder],
    )
    .await?;
    Ok(())
}
