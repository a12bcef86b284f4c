//! What only the PostgreSQL store has to show: several nodes on one database,
//! notifications, recovery from lost connections, and copies to and from SQLite.
//! Skipped unless `HERALD_TEST_POSTGRES_URL` names a database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use herald_store::{Store, StoreError, Table};
use herald_store_conformance::fixtures::{article, at, feed};
use herald_store_postgres::{PgOptions, PgStore};
use herald_store_sqlite::SqliteStore;
use herald_types::{default_sections, ArticleId};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::Schema;

async fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("herald.db")).unwrap();
    store.sync_sections(&default_sections()).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn copies_from_sqlite_to_postgres_and_back_are_faithful() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let pg = schema.store().await;
    pg.sync_sections(&default_sections()).await.unwrap();
    let (_dir, lite) = sqlite().await;
    let outcome = herald_store_conformance::catch(
        herald_store_conformance::copies_between_stores_are_faithful(&lite, &pg),
    )
    .await;
    let back = match outcome {
        Ok(()) => {
            // An empty target: rows already there would be kept, not overwritten.
            let dir = tempfile::tempdir().unwrap();
            let again = SqliteStore::open(dir.path().join("herald.db")).unwrap();
            herald_store_conformance::catch(async {
                herald_store_conformance::copy_all(&pg, &again, 7).await;
                for table in Table::ALL {
                    assert_eq!(
                        herald_store_conformance::checksum(&pg, table, 100).await,
                        herald_store_conformance::checksum(&again, table, 100).await,
                        "{}",
                        table.name()
                    );
                }
            })
            .await
        }
        failed => failed,
    };
    drop(pg);
    schema.remove().await;
    herald_store_conformance::finish(back);
}

#[tokio::test]
async fn batched_copies_may_reference_rows_of_later_batches() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let (_dir, lite) = sqlite().await;
    let pg = schema.store().await;
    pg.sync_sections(&default_sections()).await.unwrap();
    herald_store_conformance::copies_may_reference_rows_of_later_batches(&lite, &pg).await;
    drop(pg);
    schema.remove().await;
}

#[tokio::test]
async fn takedowns_mappings_and_edits_copy_both_ways() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let pg = schema.store().await;
    pg.sync_sections(&default_sections()).await.unwrap();
    let (_dir, lite) = sqlite().await;
    let there = herald_store_conformance::catch(
        herald_store_conformance::copies_keep_takedowns_mappings_and_edits(&lite, &pg),
    )
    .await;
    drop(pg);
    schema.remove().await;
    herald_store_conformance::finish(there);

    let Some(schema) = Schema::create().await else {
        return;
    };
    let pg = schema.store().await;
    pg.sync_sections(&default_sections()).await.unwrap();
    let (_dir, lite) = sqlite().await;
    let back = herald_store_conformance::catch(
        herald_store_conformance::copies_keep_takedowns_mappings_and_edits(&pg, &lite),
    )
    .await;
    drop(pg);
    schema.remove().await;
    herald_store_conformance::finish(back);
}

#[tokio::test]
async fn nodes_starting_together_migrate_once() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let url = schema.url();
    let options = PgOptions {
        max_connections: 2,
        ..PgOptions::default()
    };
    let (a, b, c) = tokio::join!(
        PgStore::connect_with(&url, options.clone()),
        PgStore::connect_with(&url, options.clone()),
        PgStore::connect_with(&url, options.clone()),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    a.sync_sections(&default_sections()).await.unwrap();
    b.ping().await.unwrap();
    assert_eq!(c.sections().await.unwrap().len(), 4);
    drop((a, b, c));

    // A schema from a newer build is refused rather than misread.
    schema
        .admin(&format!(
            "INSERT INTO {}.schema_migrations VALUES (99, 0)",
            schema.name
        ))
        .await;
    let err = PgStore::connect(&url).await.unwrap_err().to_string();
    assert!(err.contains("newer"), "{err}");
    schema.remove().await;
}

#[tokio::test]
async fn connection_failures_are_quick_and_keep_the_password_secret() {
    if support::base_url().is_none() {
        return;
    }
    let started = Instant::now();
    let err = PgStore::connect_with(
        "postgres://herald:hunter2@127.0.0.1:1/herald",
        PgOptions {
            acquire_timeout: Duration::from_secs(2),
            ..PgOptions::default()
        },
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    let text = err.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");

    let err = PgStore::connect("postgres://herald:hunter2@127.0.0.1:notaport/herald")
        .await
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
}

#[tokio::test]
async fn waits_wake_on_another_nodes_commit() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let reader = Arc::new(schema.store().await);
    let writer = schema.store().await;
    writer.sync_sections(&default_sections()).await.unwrap();

    // Nothing new: the wait runs to its timeout.
    let started = Instant::now();
    reader
        .wait_for_changes(0, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(280));

    let waiting = {
        let reader = reader.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            reader
                .wait_for_changes(0, Duration::from_secs(20))
                .await
                .unwrap();
            started.elapsed()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    writer
        .upsert_articles(vec![article("a", "A", None, 1)])
        .await
        .unwrap();
    let waited = waiting.await.unwrap();
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    // Already past: no wait at all.
    let started = Instant::now();
    reader
        .wait_for_changes(0, Duration::from_secs(20))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));

    // Another schema's commits do not wake this store.
    let Some(other) = Schema::create().await else {
        return;
    };
    let stranger = other.store().await;
    let last = reader.last_change_seq().await.unwrap();
    let waiting = {
        let reader = reader.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            reader
                .wait_for_changes(last, Duration::from_millis(800))
                .await
                .unwrap();
            started.elapsed()
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    for n in 0..3 {
        stranger
            .upsert_articles(vec![article(&format!("s{n}"), "S", None, 1)])
            .await
            .unwrap();
    }
    assert!(waiting.await.unwrap() >= Duration::from_millis(750));
    drop((reader, writer, stranger));
    schema.remove().await;
    other.remove().await;
}

/// Waits on `reader` past `after` while `write` commits on another node; returns
/// how long the wait took.
async fn wait_across<F: std::future::Future<Output = ()>>(
    reader: &Arc<PgStore>,
    after: u64,
    write: F,
) -> Duration {
    let waiting = {
        let reader = reader.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            reader
                .wait_for_changes(after, Duration::from_secs(20))
                .await
                .unwrap();
            started.elapsed()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    write.await;
    waiting.await.unwrap()
}

#[tokio::test]
async fn takedowns_and_source_moves_wake_other_nodes() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let reader = Arc::new(schema.store().await);
    let writer = schema.store().await;
    let sections = writer.sync_sections(&default_sections()).await.unwrap();
    let out = writer
        .upsert_articles(vec![
            article("a", "A", Some("news"), 1),
            article("b", "B", Some("news"), 2),
        ])
        .await
        .unwrap();

    let last = reader.last_change_seq().await.unwrap();
    let waited = wait_across(&reader, last, async {
        assert!(writer.take_down_article(out[0].id, "legal").await.unwrap());
    })
    .await;
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    let last = reader.last_change_seq().await.unwrap();
    let source = writer.sources().await.unwrap()[0].id;
    let waited = wait_across(&reader, last, async {
        let moved = writer
            .set_source_section(source, Some(sections[3].id))
            .await
            .unwrap();
        assert_eq!(moved, 1);
    })
    .await;
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    let seqs: Vec<u64> = reader
        .changes_since(0, 10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    drop((reader, writer));
    schema.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_source_mapping_and_concurrent_imports_agree() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let first = Arc::new(schema.store().await);
    let second = schema.store().await;
    let sections = first.sync_sections(&default_sections()).await.unwrap();
    let books = sections.iter().find(|s| s.slug == "books").unwrap().id;
    first
        .upsert_articles(vec![article("seed", "Seed", Some("news"), 1)])
        .await
        .unwrap();
    let source = first.sources().await.unwrap()[0].id;

    // One node imports the source's articles (naming "news") while the other maps
    // the source to "books": whichever commits first, every article ends up there.
    let importer = {
        let first = first.clone();
        tokio::spawn(async move {
            for n in 0..20 {
                first
                    .upsert_articles(vec![article(&format!("i{n}"), "I", Some("news"), 2)])
                    .await
                    .unwrap();
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    second
        .set_source_section(source, Some(books))
        .await
        .unwrap();
    importer.await.unwrap();
    let stray: Vec<ArticleId> = first
        .articles_after(ArticleId(0), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.section_slug.as_deref() != Some("books"))
        .map(|v| v.id)
        .collect();
    assert!(stray.is_empty(), "left outside the section: {stray:?}");
    assert_eq!(first.count_articles().await.unwrap(), 21);
    drop((first, second));
    schema.remove().await;
}

/// Retries `call` until it succeeds; every failure on the way must be
/// `Unavailable`. Returns how many calls failed.
async fn until_ok<T, F, Fut>(mut call: F) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut failures = 0;
    loop {
        match call().await {
            Ok(_) => return failures,
            Err(StoreError::Unavailable(_)) if Instant::now() < deadline => {
                failures += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("after {failures} failures: {e:?}"),
        }
    }
}

#[tokio::test]
async fn the_store_recovers_when_its_connections_are_killed() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let store = schema.store().await;
    store.sync_sections(&default_sections()).await.unwrap();
    // Fill the pool with several open connections.
    let (a, b, c) = tokio::join!(store.count_articles(), store.sections(), store.ping());
    a.unwrap();
    b.unwrap();
    c.unwrap();
    let kill = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND application_name = '{}'",
        schema.name
    );
    let killed = schema.admin_rows(&kill).await;
    assert!(
        killed >= 2,
        "the pool's connections and the listener's: {killed}"
    );

    let failures = until_ok(|| store.count_articles()).await;
    assert!(failures <= 4, "{failures} failures before recovery");
    until_ok(|| store.upsert_articles(vec![article("a", "A", Some("news"), 1)])).await;
    assert_eq!(store.count_articles().await.unwrap(), 1);

    // The change listener reconnects too: a commit from another node wakes a wait
    // again (within the reconnect back-off).
    let writer = schema.store().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 0;
    loop {
        let last = store.last_change_seq().await.unwrap();
        let wait = store.wait_for_changes(last, Duration::from_secs(3));
        let write = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            n += 1;
            writer
                .upsert_articles(vec![article(&format!("w{n}"), "W", None, 1)])
                .await
                .unwrap();
        };
        let started = Instant::now();
        tokio::join!(wait, write).0.unwrap();
        if started.elapsed() < Duration::from_secs(2) {
            break;
        }
        assert!(Instant::now() < deadline, "the listener never came back");
    }
    drop((store, writer));
    schema.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn change_log_readers_never_skip_an_entry() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let nodes = [
        Arc::new(schema.store().await),
        Arc::new(schema.store().await),
    ];
    nodes[0].sync_sections(&default_sections()).await.unwrap();
    let batch_size = |w: usize, batch: usize| 1 + (w + batch) % 4;
    let total: usize = (0..6)
        .map(|w| (0..15).map(|b| batch_size(w, b)).sum::<usize>())
        .sum();
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let store = nodes[w % 2].clone();
            tokio::spawn(async move {
                for batch in 0..15 {
                    let articles = (0..batch_size(w, batch))
                        .map(|i| article(&format!("w{w}-b{batch}-{i}"), "T", None, 1))
                        .collect();
                    store.upsert_articles(articles).await.unwrap();
                }
            })
        })
        .collect();
    // A reader tails the log the way the search index does, by `seq > cursor`.
    let reader = nodes[1].clone();
    let tail = tokio::spawn(async move {
        let mut cursor = 0;
        let mut seen = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let page = reader.changes_since(cursor, 7).await.unwrap();
            for change in &page {
                seen.push(change.seq);
                cursor = change.seq;
            }
            if page.is_empty() && reader.count_articles().await.unwrap() == total as u64 {
                let rest = reader.changes_since(cursor, 1000).await.unwrap();
                seen.extend(rest.iter().map(|c| c.seq));
                break;
            }
        }
        seen
    });
    for w in writers {
        w.await.unwrap();
    }
    let seen = tail.await.unwrap();
    let all: Vec<u64> = nodes[0]
        .changes_since(0, 10_000)
        .await
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(all.len(), total);
    assert_eq!(seen, all, "the tail saw every entry, in order");
    drop(nodes);
    schema.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_never_claim_the_same_feed() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let nodes = [
        Arc::new(schema.store().await),
        Arc::new(schema.store().await),
    ];
    for n in 0..40 {
        nodes[0]
            .add_feed(feed(&format!("https://valley.example/{n}.xml"), at(-n)))
            .await
            .unwrap();
    }
    let claimers: Vec<_> = (0..8)
        .map(|k| {
            let store = nodes[k % 2].clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let claimed = store.claim_due_feeds(at(0), at(30), 3).await.unwrap();
                    if claimed.is_empty() {
                        return mine;
                    }
                    mine.extend(claimed.into_iter().map(|f| f.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for c in claimers {
        all.extend(c.await.unwrap());
    }
    let distinct: BTreeSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), 40, "every feed claimed once");
    assert_eq!(distinct.len(), 40);
    drop(nodes);
    schema.remove().await;
}

/// Rough timings of the hot paths on 10,000 articles; run by hand with
/// `cargo test -p herald-store-postgres --test postgres -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement, not a check"]
async fn hot_path_timings() {
    let Some(schema) = Schema::create().await else {
        return;
    };
    let store = schema.store().await;
    store.sync_sections(&default_sections()).await.unwrap();
    let sections = ["news", "movies", "music", "books"];
    let batch = |b: usize| -> Vec<_> {
        (0..500)
            .map(|i| {
                let n = b * 500 + i;
                herald_store_conformance::fixtures::article_from(
                    &format!("Source {}", n % 37),
                    &format!("url:https://example.org/{n}"),
                    &format!("Headline {n}"),
                    Some(sections[n % 4]),
                    u32::try_from(1 + n % 28).unwrap(),
                )
            })
            .collect()
    };
    let started = Instant::now();
    for b in 0..20 {
        store.upsert_articles(batch(b)).await.unwrap();
    }
    let ingest = started.elapsed();
    let started = Instant::now();
    store.upsert_articles(batch(3)).await.unwrap();
    let unchanged = started.elapsed();
    let query = herald_store::ListQuery {
        section: Some("news".into()),
        source: None,
        limit: 30,
        offset: 0,
        with_total: true,
    };
    let started = Instant::now();
    for _ in 0..100 {
        store.latest_articles(query.clone()).await.unwrap();
    }
    let listing = started.elapsed() / 100;
    let started = Instant::now();
    for id in 1..=100 {
        store.article(ArticleId(id * 97)).await.unwrap().unwrap();
    }
    let article = started.elapsed() / 100;
    eprintln!(
        "10,000 articles in batches of 500: {ingest:?} ({:?} a batch); an unchanged batch: \
         {unchanged:?}; a counted section page: {listing:?}; one article: {article:?}",
        ingest / 20
    );
    drop(store);
    schema.remove().await;
}
