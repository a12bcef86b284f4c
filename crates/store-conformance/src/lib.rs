//! What every [`Store`] backend must do, as checks that run against any of them.
//!
//! The SQLite backend is the reference: these checks pin its behaviour down, and every
//! other backend (PostgreSQL) must pass the same ones. Each check is a `pub async fn`
//! taking a fresh store whose sections are the defaults
//! ([`herald_types::default_sections`]); [`conformance_tests!`] turns every check into
//! its own `#[tokio::test]` in a backend's test crate:
//!
//! ```ignore
//! async fn open() -> Option<herald_store_conformance::Fresh> {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = SqliteStore::open(dir.path().join("h.db")).unwrap();
//!     Some(Fresh::new(store).keep(dir))
//! }
//! herald_store_conformance::conformance_tests!(open);
//! ```
//!
//! `open` returns `None` to skip (a backend whose database is not configured).
#![warn(missing_docs)]
// The checks are tests: like any test they unwrap, and fail by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod articles;
mod comments;
mod copy;
mod feeds;
pub mod fixtures;
mod sections;
mod stories;
mod takedowns;

pub use admin::*;
pub use articles::*;
pub use comments::*;
pub use copy::*;
pub use feeds::*;
pub use sections::*;
pub use stories::*;
pub use takedowns::*;

use futures_util::FutureExt;
use herald_store::Store;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

/// A fresh store for one check, with whatever must outlive it (a temporary
/// directory) and whatever must run after it (dropping a test schema).
pub struct Fresh {
    /// The store under test.
    pub store: Arc<dyn Store>,
    keep: Vec<Box<dyn Any + Send>>,
    cleanup: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl Fresh {
    /// Wraps a newly opened store.
    pub fn new(store: impl Store) -> Self {
        Fresh {
            store: Arc::new(store),
            keep: Vec::new(),
            cleanup: None,
        }
    }

    /// Keeps `value` alive until the check has finished.
    pub fn keep(mut self, value: impl Any + Send) -> Self {
        self.keep.push(Box::new(value));
        self
    }

    /// Runs `cleanup` after the check, whether it passed or not, once the store is
    /// dropped.
    pub fn on_close(mut self, cleanup: impl Future<Output = ()> + Send + 'static) -> Self {
        self.cleanup = Some(Box::pin(cleanup));
        self
    }

    /// Drops the store, then what was kept, then runs the cleanup.
    pub async fn close(self) {
        let Fresh {
            store,
            keep,
            cleanup,
        } = self;
        drop(store);
        drop(keep);
        if let Some(cleanup) = cleanup {
            cleanup.await;
        }
    }
}

/// Gives a fresh store the default sections, as every check expects.
pub async fn prepare(store: &dyn Store) {
    store
        .sync_sections(&herald_types::default_sections())
        .await
        .expect("sync the default sections");
}

/// Runs a check, catching its panic so that the stores can be closed first.
pub async fn catch(check: impl Future<Output = ()>) -> Result<(), Box<dyn Any + Send>> {
    AssertUnwindSafe(check).catch_unwind().await
}

/// Re-raises a caught panic.
pub fn finish(outcome: Result<(), Box<dyn Any + Send>>) {
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares one `#[tokio::test]` per conformance check, each with its own fresh
/// store(s) from `$open` (an `async fn() -> Option<Fresh>`; `None` skips).
#[macro_export]
macro_rules! conformance_tests {
    ($open:path) => {
        $crate::conformance_tests!(@single $open;
            upsert_is_idempotent_and_logs_only_real_changes,
            duplicates_within_one_batch_become_one_article,
            articles_without_identity_are_refused_whole,
            new_articles_get_ids_in_batch_order_and_sources_once,
            known_identities_are_the_stored_ones,
            articles_are_read_by_id_and_walked_by_id,
            listings_are_newest_first_paged_and_filtered,
            sections_follow_the_configuration,
            article_entries_walk_by_keyset_and_filter,
            changes_are_paged_in_sequence_order,
            stories_fold_listings_and_track_counts,
            story_batches_may_repeat_what_is_stored,
            stories_are_listed_newest_first_by_keyset,
            a_takedown_hides_an_article_everywhere,
            a_founding_articles_takedown_hands_the_story_over,
            section_edits_persist_and_survive_a_sync,
            a_source_mapping_moves_past_articles_and_files_new_ones,
            feeds_subscribe_pause_and_unsubscribe,
            feed_claims_never_overlap_and_expire,
            feed_fetches_are_recorded,
            comments_thread_and_moderate,
            accounts_and_sessions,
            admin_log_is_newest_first,
            settings_keep_the_first_value,
            set_setting_replaces,
            leases_are_held_renewed_taken_over_and_released,
            ping_answers,
            waiting_for_changes_ends_by_the_timeout,
            a_commit_wakes_a_waiting_follower,
            max_key_is_the_greatest_key,
        );
        $crate::conformance_tests!(@pair $open;
            copies_between_stores_are_faithful,
            copies_keep_takedowns_mappings_and_edits,
        );
    };
    (@single $open:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let Some(fresh) = $open().await else { return };
                $crate::prepare(&*fresh.store).await;
                let outcome = $crate::catch($crate::$check(&*fresh.store)).await;
                fresh.close().await;
                $crate::finish(outcome);
            }
        )*
    };
    (@pair $open:path; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let Some(from) = $open().await else { return };
                let Some(to) = $open().await else { return };
                $crate::prepare(&*from.store).await;
                $crate::prepare(&*to.store).await;
                let outcome = $crate::catch($crate::$check(&*from.store, &*to.store)).await;
                from.close().await;
                to.close().await;
                $crate::finish(outcome);
            }
        )*
    };
}
