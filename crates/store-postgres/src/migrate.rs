//! Embedded migrations, applied in order at connect. Each runs in its own transaction
//! with its bookkeeping row, so a crash mid-migration leaves the previous version
//! intact. The whole run holds a session advisory lock: nodes that start together
//! queue behind the first, which migrates, and then find nothing left to do.

use crate::error::{describe, Db};
use crate::MIGRATION_LOCK;
use herald_store::{StoreError, StoreResult};
use tokio_postgres::Client;

/// (version, SQL). Append only: never edit a migration that has shipped. The
/// versions match the SQLite backend's, one for one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_feeds.sql")),
    (3, include_str!("../migrations/0003_comments_admin.sql")),
    (4, include_str!("../migrations/0004_stories.sql")),
    (5, include_str!("../migrations/0005_leases.sql")),
    (6, include_str!("../migrations/0006_story_listing.sql")),
    (7, include_str!("../migrations/0007_takedowns.sql")),
    (8, include_str!("../migrations/0008_admin_sections.sql")),
    (9, include_str!("../migrations/0009_story_redirects.sql")),
    (10, include_str!("../migrations/0010_story_members.sql")),
    (
        11,
        include_str!("../migrations/0011_lean_article_indexes.sql"),
    ),
];

/// The newest migration this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Applies what is missing and returns the schema's version afterwards.
pub(crate) async fn apply(client: &mut Client) -> StoreResult<i64> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .db()?;
    let result = apply_locked(client).await;
    // The lock belongs to the session; an error above may have closed it, and then
    // the server has released the lock already.
    let unlock = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    let version = result?;
    unlock.db()?;
    Ok(version)
}

async fn apply_locked(client: &mut Client) -> StoreResult<i64> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT PRIMARY KEY,
                 applied_at BIGINT NOT NULL
             )",
        )
        .await
        .db()?;
    for &(version, sql) in MIGRATIONS {
        let tx = client.transaction().await.db()?;
        let done: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)",
                &[&version],
            )
            .await
            .db()?
            .try_get(0)
            .db()?;
        if !done {
            tx.batch_execute(sql).await.map_err(|e| {
                StoreError::Database(format!("migration {version}: {}", describe(&e)))
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at)
                 VALUES ($1, EXTRACT(EPOCH FROM now())::BIGINT)",
                &[&version],
            )
            .await
            .db()?;
        }
        tx.commit().await.db()?;
    }
    client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .db()?
        .try_get(0)
        .db()
}
