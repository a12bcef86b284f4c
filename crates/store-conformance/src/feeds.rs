//! Feeds: subscriptions, claims under leases, and fetch bookkeeping.

use crate::fixtures::{at, feed};
use chrono::Utc;
use herald_store::{FeedFetchRecord, NewFeed, Store, StoreError};
use herald_types::FeedId;
use std::collections::HashSet;

/// Subscribing creates the source once, a URL can be subscribed once, and pausing,
/// resuming and unsubscribing do what they say.
pub async fn feeds_subscribe_pause_and_unsubscribe(store: &dyn Store) {
    let due = at(0);
    let first = store
        .add_feed(feed("https://valley.example/rss", due))
        .await
        .unwrap();
    assert_eq!(first.url, "https://valley.example/rss");
    assert_eq!(first.source_name, "Valley Wire");
    assert_eq!(first.site_url.as_deref(), Some("https://valley.example/"));
    assert_eq!(first.title.as_deref(), Some("Valley Wire: all stories"));
    assert_eq!(first.section.as_deref(), Some("news"));
    assert!(!first.paused);
    assert_eq!(first.state_word(), "new");
    assert_eq!(first.last_fetch_at, None);
    assert_eq!(first.last_status, None);
    assert_eq!((first.consecutive_failures, first.items_total), (0, 0));
    assert_eq!(first.interval_secs, 900);
    assert_eq!(first.next_fetch_at, due);
    assert!((Utc::now() - first.created_at).num_seconds().abs() < 120);
    let sources = store.sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].id, first.source_id);
    assert_eq!(sources[0].url.as_deref(), Some("https://valley.example/"));

    let again = store
        .add_feed(feed("https://valley.example/rss", due))
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");

    let second = store
        .add_feed(NewFeed {
            section: None,
            site_url: None,
            title: None,
            ..feed("https://valley.example/sport.xml", due)
        })
        .await
        .unwrap();
    assert_eq!(second.source_id, first.source_id, "one source per name");
    assert_eq!(second.section, None);
    let ids: Vec<FeedId> = store.feeds().await.unwrap().iter().map(|f| f.id).collect();
    assert_eq!(ids, [first.id, second.id]);
    assert_eq!(store.feed(first.id).await.unwrap().unwrap(), first);

    assert!(store.set_feed_paused(first.id, true).await.unwrap());
    let paused = store.feed(first.id).await.unwrap().unwrap();
    assert!(paused.paused);
    assert_eq!(paused.state_word(), "paused");
    assert!(store.set_feed_paused(first.id, false).await.unwrap());
    let resumed = store.feed(first.id).await.unwrap().unwrap();
    assert!(!resumed.paused);
    assert!(
        resumed.next_fetch_at <= Utc::now(),
        "resuming makes a feed due now"
    );
    assert!(!store.set_feed_paused(FeedId(999), true).await.unwrap());

    assert!(store.remove_feed(second.id).await.unwrap());
    assert!(!store.remove_feed(second.id).await.unwrap());
    assert_eq!(store.feed(second.id).await.unwrap(), None);
    assert_eq!(store.feeds().await.unwrap().len(), 1);
    assert_eq!(store.sources().await.unwrap().len(), 1, "the source stays");
}

/// Due feeds are leased to one claimer at a time, earliest first; paused and not yet
/// due feeds are never claimed; an expired lease makes a feed claimable again.
pub async fn feed_claims_never_overlap_and_expire(store: &dyn Store) {
    let mut ids = Vec::new();
    for (n, due) in [-40, -30, -20, -10, 60].into_iter().enumerate() {
        let row = store
            .add_feed(feed(&format!("https://valley.example/{n}.xml"), at(due)))
            .await
            .unwrap();
        ids.push(row.id);
    }
    store.set_feed_paused(ids[3], true).await.unwrap();
    let now = at(0);
    let lease = at(10);

    let first = store.claim_due_feeds(now, lease, 2).await.unwrap();
    assert_eq!(
        first.iter().map(|f| f.id).collect::<Vec<_>>(),
        [ids[0], ids[1]],
        "earliest due first"
    );

    let (left, right) = tokio::join!(
        store.claim_due_feeds(now, lease, 10),
        store.claim_due_feeds(now, lease, 10)
    );
    let (left, right) = (left.unwrap(), right.unwrap());
    let mut claimed: Vec<FeedId> = left.iter().chain(&right).map(|f| f.id).collect();
    claimed.sort();
    assert_eq!(claimed, [ids[2]], "two claims never get the same feed");
    assert!(store
        .claim_due_feeds(now, lease, 10)
        .await
        .unwrap()
        .is_empty());

    // The leases run out: whoever held them died.
    let later = store.claim_due_feeds(at(11), at(20), 10).await.unwrap();
    let later: HashSet<FeedId> = later.iter().map(|f| f.id).collect();
    assert_eq!(later, [ids[0], ids[1], ids[2]].into_iter().collect());
    // Not due yet, and paused, whatever the leases.
    let much_later = store.claim_due_feeds(at(61), at(70), 10).await.unwrap();
    assert_eq!(
        much_later.iter().map(|f| f.id).collect::<Vec<_>>(),
        [ids[0], ids[1], ids[2], ids[4]]
    );
    assert!(store
        .claim_due_feeds(at(0), at(5), 0)
        .await
        .unwrap()
        .is_empty());
}

/// A fetch's outcome is written back and its lease released.
pub async fn feed_fetches_are_recorded(store: &dyn Store) {
    let row = store
        .add_feed(feed("https://valley.example/rss", at(0)))
        .await
        .unwrap();
    let claimed = store.claim_due_feeds(at(0), at(10), 5).await.unwrap();
    assert_eq!(claimed.len(), 1);

    let ok = FeedFetchRecord {
        fetched_at: at(1),
        status: 200,
        error: None,
        etag: Some("\"e1\"".into()),
        last_modified: Some("Tue, 01 Jan 2030 00:00:00 GMT".into()),
        moved_to: None,
        title: Some("Valley Wire (new title)".into()),
        site_url: Some("https://valley.example/home".into()),
        new_items: 3,
        interval_secs: 1800,
        next_fetch_at: at(31),
        pause: false,
    };
    store.record_feed_fetch(row.id, ok.clone()).await.unwrap();
    let f = store.feed(row.id).await.unwrap().unwrap();
    assert_eq!(f.last_fetch_at, Some(at(1)));
    assert_eq!(f.last_success_at, Some(at(1)));
    assert_eq!(f.last_status, Some(200));
    assert_eq!(f.last_error, None);
    assert_eq!(f.etag.as_deref(), Some("\"e1\""));
    assert_eq!(f.last_modified, ok.last_modified);
    assert_eq!(f.title, ok.title);
    assert_eq!(f.site_url, ok.site_url);
    assert_eq!((f.items_total, f.interval_secs), (3, 1800));
    assert_eq!(f.next_fetch_at, at(31));
    assert_eq!(f.state_word(), "ok");
    let again = store.claim_due_feeds(at(31), at(40), 5).await.unwrap();
    assert_eq!(again.len(), 1, "recording released the lease");

    store
        .record_feed_fetch(
            row.id,
            FeedFetchRecord {
                fetched_at: at(32),
                status: 503,
                error: Some("server busy".into()),
                etag: Some("\"ignored\"".into()),
                last_modified: None,
                moved_to: None,
                title: None,
                site_url: None,
                new_items: 0,
                interval_secs: 3600,
                next_fetch_at: at(92),
                pause: false,
            },
        )
        .await
        .unwrap();
    let f = store.feed(row.id).await.unwrap().unwrap();
    assert_eq!(f.state_word(), "failing");
    assert_eq!(f.last_error.as_deref(), Some("server busy"));
    assert_eq!(f.last_status, Some(503));
    assert_eq!(f.consecutive_failures, 1);
    assert_eq!(
        f.last_success_at,
        Some(at(1)),
        "a failure keeps the last success"
    );
    assert_eq!(
        f.etag.as_deref(),
        Some("\"e1\""),
        "a failure keeps the validators"
    );
    assert_eq!(f.title, ok.title);
    assert_eq!(f.items_total, 3);

    store
        .record_feed_fetch(
            row.id,
            FeedFetchRecord {
                fetched_at: at(93),
                status: 301,
                etag: None,
                moved_to: Some("https://valley.example/feed.xml".into()),
                new_items: 2,
                interval_secs: 900,
                next_fetch_at: at(108),
                pause: true,
                ..FeedFetchRecord::default()
            },
        )
        .await
        .unwrap();
    let f = store.feed(row.id).await.unwrap().unwrap();
    assert_eq!(f.url, "https://valley.example/feed.xml");
    assert_eq!(
        f.etag.as_deref(),
        Some("\"e1\""),
        "no new validator keeps the old"
    );
    assert_eq!(f.consecutive_failures, 0);
    assert_eq!(f.items_total, 5);
    assert!(f.paused);
    assert!(store
        .claim_due_feeds(at(200), at(210), 5)
        .await
        .unwrap()
        .is_empty());
    // Recording for a feed that is gone is not an error.
    store.record_feed_fetch(FeedId(999), ok).await.unwrap();
}
