//! Embedded migrations, applied in order at open. Each runs in its own transaction with
//! the bookkeeping row, so a crash mid-migration leaves the previous version intact.

use rusqlite::Connection;

/// (version, SQL). Append only: never edit a migration that has shipped.
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
];

pub(crate) fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at INTEGER NOT NULL
         )",
    )?;
    for &(version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |row| row.get(0),
        )?;
        if !done {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, unixepoch())",
                [version],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// The newest migration this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}
