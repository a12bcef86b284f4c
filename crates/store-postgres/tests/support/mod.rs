//! Test databases: each store gets a fresh, uniquely named schema of the database
//! named by `HERALD_TEST_POSTGRES_URL`, dropped again afterwards.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use herald_store_postgres::{PgOptions, PgStore};
use std::sync::atomic::{AtomicU32, Ordering};
use tokio_postgres::NoTls;

/// The variable naming the test database.
pub const URL_VAR: &str = "HERALD_TEST_POSTGRES_URL";

/// The test database's URL, or `None` (with a note on stderr) to skip.
pub fn base_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipping: set {URL_VAR} (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL tests");
            None
        }
    }
}

/// A fresh schema, and URLs that put a store in it. [`Schema::remove`] drops it; a
/// test that panics before that drops it when the value is dropped.
pub struct Schema {
    pub name: String,
    base: String,
    removed: bool,
}

impl Schema {
    /// Creates a uniquely named schema.
    pub async fn create() -> Option<Schema> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = base_url()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "herald_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(&base, &format!("CREATE SCHEMA {name}")).await;
        Some(Schema {
            name,
            base,
            removed: false,
        })
    }

    /// A URL whose sessions use this schema and carry its name as application name
    /// (so a test can find its own backends in pg_stat_activity).
    pub fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!(
            "{}{sep}options=-c%20search_path%3D{name}&application_name={name}",
            self.base,
            name = self.name
        )
    }

    /// A store in this schema with a small pool.
    pub async fn store(&self) -> PgStore {
        PgStore::connect_with(
            &self.url(),
            PgOptions {
                max_connections: 4,
                ..PgOptions::default()
            },
        )
        .await
        .expect("connect to the test database")
    }

    /// Drops the schema and everything in it.
    pub async fn remove(mut self) {
        admin(
            &self.base,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        )
        .await;
        self.removed = true;
    }

    /// Runs `sql` on a separate connection to the database.
    pub async fn admin(&self, sql: &str) {
        admin(&self.base, sql).await;
    }

    /// Runs `sql` on a separate connection and returns how many rows it returned.
    pub async fn admin_rows(&self, sql: &str) -> usize {
        let (client, connection) = tokio_postgres::connect(&self.base, NoTls)
            .await
            .expect("connect to the test database");
        let driver = tokio::spawn(connection);
        let rows = client.query(sql, &[]).await.expect(sql).len();
        drop(client);
        let _ = driver.await;
        rows
    }
}

async fn admin(url: &str, sql: &str) {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connect to the test database");
    let driver = tokio::spawn(connection);
    client.batch_execute(sql).await.expect(sql);
    drop(client);
    let _ = driver.await;
}

impl Drop for Schema {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // A test panicked. This may run on the test's runtime thread, so the schema
        // is dropped from a thread and runtime of its own; a lock held by a
        // transaction the panic interrupted makes it give up rather than hang.
        let (base, name) = (self.base.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(admin(
                &base,
                &format!("SET lock_timeout = '2s'; DROP SCHEMA IF EXISTS {name} CASCADE"),
            ));
        })
        .join();
    }
}
