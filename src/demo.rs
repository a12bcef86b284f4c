//! Built-in sample content, so a new portal is not empty.
//!
//! The articles are fictional, written for Herald's demo; the portal labels them as
//! sample content whenever `--demo` is on.

use anyhow::{Context, Result};
use herald_ingest::{import_jsonl, ImportOptions, ImportSummary};
use herald_store::Store;

/// The sample articles (JSONL), compiled into the binary.
pub const SAMPLE_JSONL: &str = include_str!("../demo/articles.jsonl");

/// Loads the sample articles into the store. Idempotent: a second load changes nothing.
pub async fn load(store: &dyn Store) -> Result<ImportSummary> {
    let options = ImportOptions {
        default_source: Some("Herald Sample Desk".into()),
        ..ImportOptions::default()
    };
    import_jsonl(
        "built-in sample",
        SAMPLE_JSONL.as_bytes(),
        store,
        None,
        &options,
        |_| {},
    )
    .await
    .context("loading the built-in sample articles")
}
