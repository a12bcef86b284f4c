//! The PostgreSQL store against the backend conformance checks, each in a fresh
//! schema. Skipped unless `HERALD_TEST_POSTGRES_URL` names a database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use herald_store_conformance::Fresh;

async fn open() -> Option<Fresh> {
    let schema = support::Schema::create().await?;
    let store = schema.store().await;
    Some(Fresh::new(store).on_close(schema.remove()))
}

herald_store_conformance::conformance_tests!(open);
