//! The admin area (accounts, sessions, the action log, settings), named leases,
//! readiness and change waiting.

use crate::fixtures::{article, at};
use chrono::{Duration, Utc};
use herald_store::{Store, StoreError, Table};
use std::time::{Duration as StdDuration, Instant};

/// Accounts are unique by name; sessions log their user in until they expire.
pub async fn accounts_and_sessions(store: &dyn Store) {
    let id = store.add_user("admin", "hash-1").await.unwrap();
    let taken = store.add_user("admin", "hash-2").await.unwrap_err();
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken:?}");
    let other = store.add_user("editor", "hash-3").await.unwrap();
    assert!(other > id);

    let user = store.user_by_name("admin").await.unwrap().unwrap();
    assert_eq!((user.id, user.name.as_str()), (id, "admin"));
    assert_eq!(user.password_hash, "hash-1");
    assert_eq!(store.user_by_name("nobody").await.unwrap(), None);
    store.set_user_password(id, "hash-9").await.unwrap();
    assert_eq!(
        store
            .user_by_name("admin")
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "hash-9"
    );

    let now = Utc::now();
    store
        .create_session("key-live", id, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .session_user("key-live", now)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(id)
    );
    assert_eq!(
        store
            .session_user("key-live", now + Duration::hours(2))
            .await
            .unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.session_user("key-none", now).await.unwrap(), None);

    // Expired sessions are swept when the next one starts.
    store
        .create_session("key-old", other, now - Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(store.count_rows(Table::Sessions).await.unwrap(), 2);
    store
        .create_session("key-new", other, now + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(store.count_rows(Table::Sessions).await.unwrap(), 2);

    store.delete_session("key-live").await.unwrap();
    assert_eq!(store.session_user("key-live", now).await.unwrap(), None);
    store.delete_session("key-live").await.unwrap();
}

/// The admin log reads newest first.
pub async fn admin_log_is_newest_first(store: &dyn Store) {
    assert!(store.admin_log(10).await.unwrap().is_empty());
    for (action, detail) in [
        ("login", ""),
        ("feed.pause", "feed 3"),
        ("comment.approve", "2 comments"),
    ] {
        store
            .log_admin_action("admin", action, detail)
            .await
            .unwrap();
    }
    let log = store.admin_log(2).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["comment.approve", "feed.pause"]);
    assert_eq!(log[0].user_name, "admin");
    assert_eq!(log[0].detail, "2 comments");
    assert!((Utc::now() - log[0].at).num_seconds().abs() < 120);
}

/// A setting initialised twice keeps its first value, also when nodes race.
pub async fn settings_keep_the_first_value(store: &dyn Store) {
    assert_eq!(store.setting("secret").await.unwrap(), None);
    assert_eq!(
        store.init_setting("secret", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.init_setting("secret", "second").await.unwrap(),
        "first"
    );
    assert_eq!(
        store.setting("secret").await.unwrap().as_deref(),
        Some("first")
    );
    let (left, right) = tokio::join!(
        store.init_setting("raced", "left"),
        store.init_setting("raced", "right")
    );
    assert_eq!(left.unwrap(), right.unwrap(), "both nodes agree");
}

/// Setting a value replaces whatever the key had, a first value too; a value set
/// this way is the one later `init_setting` calls find in force.
pub async fn set_setting_replaces(store: &dyn Store) {
    store.set_setting("site.name", "Herald").await.unwrap();
    assert_eq!(
        store.setting("site.name").await.unwrap().as_deref(),
        Some("Herald")
    );
    store.set_setting("site.name", "The Valley").await.unwrap();
    assert_eq!(
        store.setting("site.name").await.unwrap().as_deref(),
        Some("The Valley")
    );
    assert_eq!(
        store.init_setting("site.name", "ignored").await.unwrap(),
        "The Valley"
    );
    store.init_setting("site.tagline", "first").await.unwrap();
    store.set_setting("site.tagline", "").await.unwrap();
    assert_eq!(
        store.setting("site.tagline").await.unwrap().as_deref(),
        Some("")
    );
    assert_eq!(store.count_rows(Table::Settings).await.unwrap(), 2);
}

/// A named lease is held by one holder until it expires or is released.
pub async fn leases_are_held_renewed_taken_over_and_released(store: &dyn Store) {
    let name = "stories";
    assert!(store
        .acquire_lease(name, "node-a", at(0), at(1))
        .await
        .unwrap());
    assert!(!store
        .acquire_lease(name, "node-b", at(0), at(1))
        .await
        .unwrap());
    assert!(
        store
            .acquire_lease("other", "node-b", at(0), at(1))
            .await
            .unwrap(),
        "leases are independent"
    );
    assert!(
        store
            .acquire_lease(name, "node-a", at(0), at(2))
            .await
            .unwrap(),
        "the holder renews"
    );
    assert!(!store
        .acquire_lease(name, "node-b", at(1), at(3))
        .await
        .unwrap());
    assert!(
        store
            .acquire_lease(name, "node-b", at(2), at(4))
            .await
            .unwrap(),
        "an expired lease is taken over"
    );
    assert!(!store
        .acquire_lease(name, "node-a", at(3), at(5))
        .await
        .unwrap());
    store.release_lease(name, "node-a").await.unwrap();
    assert!(
        !store
            .acquire_lease(name, "node-a", at(3), at(5))
            .await
            .unwrap(),
        "only the holder can release"
    );
    store.release_lease(name, "node-b").await.unwrap();
    assert!(store
        .acquire_lease(name, "node-a", at(3), at(5))
        .await
        .unwrap());
}

/// A reachable store answers a ping.
pub async fn ping_answers(store: &dyn Store) {
    store.ping().await.unwrap();
}

/// Followers of the change log (search indexing, story clustering) wake when the store
/// commits a change, instead of waiting out their poll.
pub async fn a_commit_wakes_a_waiting_follower(store: &dyn Store) {
    let after = store.last_change_seq().await.unwrap();
    let started = Instant::now();
    let (waited, ()) = tokio::join!(
        async {
            store
                .wait_for_changes(after, StdDuration::from_secs(30))
                .await
                .unwrap();
            started.elapsed()
        },
        async {
            tokio::time::sleep(StdDuration::from_millis(200)).await;
            store
                .upsert_articles(vec![article("woken", "Woken", None, 1)])
                .await
                .unwrap();
        }
    );
    assert!(waited < StdDuration::from_secs(10), "{waited:?}");
}

/// Waiting for changes ends by its timeout, sooner if the log has moved on (backends
/// without notifications simply wait the timeout out).
pub async fn waiting_for_changes_ends_by_the_timeout(store: &dyn Store) {
    store
        .upsert_articles(vec![article("a", "A", None, 1)])
        .await
        .unwrap();
    let last = store.last_change_seq().await.unwrap();
    for after in [last, last - 1] {
        let started = Instant::now();
        store
            .wait_for_changes(after, StdDuration::from_millis(300))
            .await
            .unwrap();
        assert!(started.elapsed() < StdDuration::from_secs(5));
    }
}
