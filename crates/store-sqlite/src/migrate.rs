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
    (11, include_str!("../migrations/0011_article_bodies.sql")),
    (12, include_str!("../migrations/0012_listing_partial.sql")),
    (
        13,
        include_str!("../migrations/0013_drop_articles_recent.sql"),
    ),
];

/// Migrations that shrink every row of a large table in place: SQLite leaves the rows
/// where they were, so the table keeps its pages, mostly empty (migration 11 left a
/// store of a million articles at 3.9 GB instead of 2.1), until the store is rebuilt.
const COMPACT_AFTER: &[i64] = &[11];

/// Applies the migrations this store lacks, compacting the store after those that
/// need it; returns how many were applied.
pub(crate) fn apply(conn: &mut Connection) -> rusqlite::Result<usize> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at INTEGER NOT NULL
         )",
    )?;
    // A store created now has nothing to rewrite: no log lines, no compaction.
    let existing: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM schema_migrations)", [], |r| {
            r.get(0)
        })?;
    let mut applied = 0;
    let mut compact = false;
    for &(version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |row| row.get(0),
        )?;
        if !done {
            if existing {
                tracing::info!(target: "store", version, "migrating the store");
            }
            tx.execute_batch(sql)?;
            applied += 1;
            compact |= existing && COMPACT_AFTER.contains(&version);
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, unixepoch())",
                [version],
            )?;
        }
        tx.commit()?;
    }
    if compact {
        // Outside any transaction, as VACUUM must be.
        tracing::info!(target: "store", "compacting the store after migrating it");
        conn.execute_batch("VACUUM")?;
    }
    if applied > 0 {
        // A migration may have rewritten whole tables: write them back to the store
        // file now and cut the log down, rather than leave a log as large as the store.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(applied)
}

/// The newest migration this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A store written before bodies had their own table keeps every body.
    #[test]
    fn bodies_move_to_their_own_table() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let before_bodies = MIGRATIONS.iter().take_while(|m| m.0 < 11);
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .unwrap();
        for &(version, sql) in before_bodies {
            conn.execute_batch(sql).unwrap();
            conn.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 0)",
                [version],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO articles (identity, title, body_text, body_html, content_hash,
                 created_at, updated_at, sort_time)
             VALUES ('guid::a', 'A', 'Text of a', '<p>Text of a</p>', 1, 0, 0, 0),
                    ('guid::b', 'B', '', '', 2, 0, 0, 0)",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let bodies: Vec<(String, String, String)> = conn
            .prepare(
                "SELECT a.identity, b.body_text, b.body_html
                 FROM articles a JOIN article_bodies b ON b.article_id = a.id ORDER BY a.id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            bodies,
            [
                (
                    "guid::a".into(),
                    "Text of a".into(),
                    "<p>Text of a</p>".into()
                ),
                ("guid::b".into(), String::new(), String::new()),
            ]
        );
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('articles')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            !columns.iter().any(|c| c.starts_with("body_")),
            "{columns:?}"
        );
        let applied: i64 = conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(applied, latest_version(), "every later migration ran too");
    }
}
