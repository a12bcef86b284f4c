//! Whole-table copies: what a migration between backends relies on.

use crate::fixtures::{article, article_from, at, comment, feed};
use chrono::{Duration, Utc};
use herald_store::{
    Checksum, CommentStatus, FeedFetchRecord, ListQuery, SectionEdit, Store, StoryAssignment,
    StoryBatch, Table, UpsertKind, Value,
};
use herald_types::{ArticleId, StoryId};
use std::collections::HashMap;

/// Rows per export page in these checks: small, so that every table takes several
/// pages and the keyset walk is exercised.
const PAGE: usize = 3;

/// Copies every table from `from` to `to` a page at a time, parents first; returns
/// the rows written.
pub async fn copy_all(from: &dyn Store, to: &dyn Store, page: usize) -> u64 {
    let mut written = 0;
    for table in Table::ALL {
        let mut after: Option<Value> = None;
        loop {
            let rows = from.export_rows(table, after.clone(), page).await.unwrap();
            let Some(last) = rows.last() else { break };
            after = Some(last[0].clone());
            let full = rows.len() == page;
            written += to.import_rows(table, rows).await.unwrap();
            if !full {
                break;
            }
        }
    }
    written
}

/// The checksum of a whole table, walked a page at a time.
pub async fn checksum(store: &dyn Store, table: Table, page: usize) -> Checksum {
    let mut sum = Checksum::new();
    let mut after: Option<Value> = None;
    loop {
        let rows = store.export_rows(table, after.clone(), page).await.unwrap();
        let Some(last) = rows.last() else { break };
        after = Some(last[0].clone());
        for row in &rows {
            assert_eq!(row.len(), table.columns().len(), "{}", table.name());
            sum.add(row);
        }
    }
    sum
}

/// Fills a store with some of everything: articles in stories (one merged, one
/// duplicate), a comment thread, feeds with fetch state, accounts, sessions, the
/// admin log and settings whose keys sort differently by bytes and by dictionary.
pub async fn populate(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article("a1", "Flood in Riverton", Some("news"), 1),
            article_from("Other Paper", "a2", "Riverton floods", Some("news"), 2),
            article("a3", "Bridge closed", Some("news"), 3),
            article_from("alpha post", "a4", "Ünïcödé — “quoted”", Some("books"), 4),
        ])
        .await
        .unwrap();
    let ids: Vec<ArticleId> = out.iter().map(|o| o.id).collect();
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![
                StoryAssignment {
                    article: ids[0],
                    story: StoryId(ids[0].0),
                    duplicate_of: None,
                },
                StoryAssignment {
                    article: ids[1],
                    story: StoryId(ids[0].0),
                    duplicate_of: Some(ids[0]),
                },
                StoryAssignment {
                    article: ids[2],
                    story: StoryId(ids[2].0),
                    duplicate_of: None,
                },
            ],
            merges: vec![(StoryId(ids[2].0), StoryId(ids[0].0))],
            titles: vec![(StoryId(ids[0].0), "Riverton under water".into())],
            applied_seq: 4,
        })
        .await
        .unwrap();
    let base = Utc::now() - Duration::hours(1);
    let c1 = store
        .add_comment(comment(ids[0], None, "ann", CommentStatus::Approved, base))
        .await
        .unwrap();
    store
        .add_comment(comment(
            ids[0],
            Some(c1),
            "bob",
            CommentStatus::Pending,
            base + Duration::minutes(1),
        ))
        .await
        .unwrap();
    store
        .add_comment(comment(ids[3], None, "cat", CommentStatus::Spam, base))
        .await
        .unwrap();
    let f = store
        .add_feed(feed("https://valley.example/rss", at(0)))
        .await
        .unwrap();
    store
        .add_feed(feed("https://valley.example/sport.xml", at(5)))
        .await
        .unwrap();
    store
        .record_feed_fetch(
            f.id,
            FeedFetchRecord {
                fetched_at: at(1),
                status: 200,
                etag: Some("\"e1\"".into()),
                new_items: 2,
                interval_secs: 600,
                next_fetch_at: at(11),
                ..FeedFetchRecord::default()
            },
        )
        .await
        .unwrap();
    let admin = store.add_user("admin", "hash-a").await.unwrap();
    store.add_user("editor", "hash-e").await.unwrap();
    for key in [
        "Zeta-session",
        "alpha-session",
        "beta-session",
        "_underscore",
    ] {
        store
            .create_session(key, admin, Utc::now() + Duration::days(1))
            .await
            .unwrap();
    }
    for n in 0..4 {
        store
            .log_admin_action("admin", "feed.pause", &format!("feed {n}"))
            .await
            .unwrap();
    }
    for (key, value) in [
        ("Secret", "s3"),
        ("comments.key", "k"),
        ("a", "1"),
        ("Z", "2"),
    ] {
        store.init_setting(key, value).await.unwrap();
    }
}

/// Everything exported from one store and imported into another (possibly of
/// another backend) comes out the same: counts, checksums, greatest keys, ids,
/// views. Importing again adds nothing and replaces rows changed since, and new rows
/// get fresh ids past the copied ones.
pub async fn copies_between_stores_are_faithful(from: &dyn Store, to: &dyn Store) {
    populate(from).await;
    let written = copy_all(from, to, PAGE).await;
    assert!(written > 0);
    for table in Table::ALL {
        assert_eq!(
            from.count_rows(table).await.unwrap(),
            to.count_rows(table).await.unwrap(),
            "{}",
            table.name()
        );
        let (a, b) = (
            checksum(from, table, PAGE).await,
            checksum(to, table, 1000).await,
        );
        assert_eq!(a, b, "{}", table.name());
    }
    for table in Table::ALL {
        assert_eq!(
            from.max_key(table).await.unwrap(),
            to.max_key(table).await.unwrap(),
            "{}",
            table.name()
        );
    }

    // Copying again adds nothing, and brings rows changed at the source since the
    // first copy in line.
    from.upsert_articles(vec![article("a3", "Bridge reopened", Some("news"), 3)])
        .await
        .unwrap();
    let second_feed = from.feeds().await.unwrap()[1].id;
    from.set_feed_paused(second_feed, true).await.unwrap();
    from.init_setting("added-later", "x").await.unwrap();
    copy_all(from, to, PAGE).await;
    for table in Table::ALL {
        assert_eq!(
            from.count_rows(table).await.unwrap(),
            to.count_rows(table).await.unwrap(),
            "{}",
            table.name()
        );
        assert_eq!(
            checksum(from, table, PAGE).await,
            checksum(to, table, PAGE).await,
            "{}",
            table.name()
        );
    }

    // The copy reads back like the original.
    let listing = ListQuery {
        section: None,
        source: None,
        limit: 10,
        offset: 0,
        with_total: true,
    };
    assert_eq!(
        from.latest_articles(listing.clone()).await.unwrap(),
        to.latest_articles(listing).await.unwrap()
    );
    let originals = from.articles_after(ArticleId(0), 100).await.unwrap();
    assert_eq!(
        originals,
        to.articles_after(ArticleId(0), 100).await.unwrap()
    );
    let first = originals[0].id;
    assert_eq!(
        from.story(StoryId(first.0)).await.unwrap(),
        to.story(StoryId(first.0)).await.unwrap()
    );
    assert_eq!(from.feeds().await.unwrap(), to.feeds().await.unwrap());
    assert_eq!(
        from.article_comments(first, &CommentStatus::ALL)
            .await
            .unwrap(),
        to.article_comments(first, &CommentStatus::ALL)
            .await
            .unwrap()
    );
    assert_eq!(from.sources().await.unwrap(), to.sources().await.unwrap());
    assert_eq!(
        from.admin_log(10).await.unwrap(),
        to.admin_log(10).await.unwrap()
    );
    assert_eq!(
        from.story_cursor().await.unwrap(),
        to.story_cursor().await.unwrap()
    );
    assert_eq!(
        from.changes_since(0, 100).await.unwrap(),
        to.changes_since(0, 100).await.unwrap()
    );
    assert_eq!(
        to.user_by_name("admin").await.unwrap(),
        from.user_by_name("admin").await.unwrap()
    );
    assert!(to
        .session_user("Zeta-session", Utc::now())
        .await
        .unwrap()
        .is_some());

    // Content hashes travel too: the same article is still unchanged.
    let again = to
        .upsert_articles(vec![article("a1", "Flood in Riverton", Some("news"), 1)])
        .await
        .unwrap();
    assert_eq!(again[0].kind, UpsertKind::Unchanged);
    assert_eq!(again[0].id, first);

    // New rows get ids past the copied ones.
    let max_article = originals.iter().map(|v| v.id.0).max().unwrap();
    let last_seq = to.last_change_seq().await.unwrap();
    let fresh = to
        .upsert_articles(vec![article("new", "New after the copy", Some("news"), 5)])
        .await
        .unwrap();
    assert!(
        fresh[0].id.0 > max_article,
        "{:?} <= {max_article}",
        fresh[0].id
    );
    assert_eq!(to.last_change_seq().await.unwrap(), last_seq + 1);
    let comments = to.count_rows(Table::Comments).await.unwrap();
    let comment_id = to
        .add_comment(comment(
            fresh[0].id,
            None,
            "dan",
            CommentStatus::Approved,
            Utc::now(),
        ))
        .await
        .unwrap();
    assert!(u64::try_from(comment_id.0).unwrap() > comments);
    let feed_row = to
        .add_feed(feed("https://valley.example/new.xml", at(0)))
        .await
        .unwrap();
    assert!(from
        .feeds()
        .await
        .unwrap()
        .iter()
        .all(|f| f.id < feed_row.id));
    let user = to.add_user("newcomer", "hash-n").await.unwrap();
    assert!(user > to.user_by_name("editor").await.unwrap().unwrap().id);
    to.log_admin_action("admin", "login", "").await.unwrap();
    assert_eq!(to.admin_log(1).await.unwrap()[0].action, "login");
    let sections = to
        .sync_sections(&[herald_types::Section::new("science", "Science").unwrap()])
        .await
        .unwrap();
    assert!(sections[0].id.0 > 4);
}

/// Takedowns, source mappings and section edits travel with a copy: the copy hides
/// the same articles (and knows why), files the mapped source's new articles under
/// its section and keeps the edited sections through a sync.
pub async fn copies_keep_takedowns_mappings_and_edits(from: &dyn Store, to: &dyn Store) {
    populate(from).await;
    let originals = from.articles_after(ArticleId(0), 100).await.unwrap();
    let removed = originals[3].id;
    assert!(from.take_down_article(removed, "legal").await.unwrap());
    let sections = from.sections().await.unwrap();
    let news = sections.iter().find(|s| s.slug == "news").unwrap().id;
    let books = sections.iter().find(|s| s.slug == "books").unwrap().id;
    from.edit_sections(vec![SectionEdit {
        id: news,
        name: "Headlines".into(),
        position: 9,
    }])
    .await
    .unwrap();
    let other = from
        .sources()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Other Paper")
        .unwrap()
        .id;
    assert_eq!(
        from.set_source_section(other, Some(books)).await.unwrap(),
        1
    );

    copy_all(from, to, PAGE).await;
    for table in Table::ALL {
        assert_eq!(
            checksum(from, table, PAGE).await,
            checksum(to, table, PAGE).await,
            "{}",
            table.name()
        );
    }

    let removal = to.article_removal(removed).await.unwrap();
    assert!(removal.is_some());
    assert_eq!(removal, from.article_removal(removed).await.unwrap());
    assert_eq!(to.article(removed).await.unwrap(), None);
    assert_eq!(
        to.count_articles().await.unwrap(),
        from.count_articles().await.unwrap()
    );
    assert_eq!(
        to.articles_after(ArticleId(0), 100).await.unwrap(),
        from.articles_after(ArticleId(0), 100).await.unwrap()
    );
    assert_eq!(
        to.source_sections().await.unwrap(),
        HashMap::from([(other, books)])
    );
    assert_eq!(to.sections().await.unwrap(), from.sections().await.unwrap());
    let synced = to
        .sync_sections(&herald_types::default_sections())
        .await
        .unwrap();
    let kept = synced.iter().find(|s| s.id == news).unwrap();
    assert_eq!((kept.name.as_str(), kept.position), ("Headlines", 9));

    // The copy files the mapped source's new articles under its section, and takes
    // the removed article down no second time.
    let fresh = to
        .upsert_articles(vec![article_from(
            "Other Paper",
            "o-new",
            "After the move",
            Some("news"),
            5,
        )])
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        to.article(fresh)
            .await
            .unwrap()
            .unwrap()
            .section_slug
            .as_deref(),
        Some("books")
    );
    assert!(!to.take_down_article(removed, "again").await.unwrap());
}

/// The greatest key of a table: `None` when empty, else the largest id, or for text
/// keys the greatest in byte order.
pub async fn max_key_is_the_greatest_key(store: &dyn Store) {
    assert_eq!(store.max_key(Table::Articles).await.unwrap(), None);
    assert_eq!(store.max_key(Table::Settings).await.unwrap(), None);
    let out = store
        .upsert_articles(vec![article("a", "A", None, 1), article("b", "B", None, 2)])
        .await
        .unwrap();
    assert_eq!(
        store.max_key(Table::Articles).await.unwrap(),
        Some(Value::Int(out[1].id.0))
    );
    assert_eq!(
        store.max_key(Table::Changes).await.unwrap(),
        Some(Value::Int(2))
    );
    for key in ["Zeta", "alpha", "Beta"] {
        store.init_setting(key, "v").await.unwrap();
    }
    assert_eq!(
        store.max_key(Table::Settings).await.unwrap(),
        Some(Value::Text("alpha".into()))
    );
}

/// A copy from `from` (sections synced) to `to`, one row per batch, of a story merged
/// into a newer one whose article is the duplicate of the newer article: references
/// that point forward in id order, past the batch that holds them. Every target
/// backend must accept them; the migration verifies the whole copy afterwards.
pub async fn copies_may_reference_rows_of_later_batches(from: &dyn Store, to: &dyn Store) {
    let ids: Vec<ArticleId> = from
        .upsert_articles(vec![
            article("a", "A", Some("news"), 1),
            article("b", "B", Some("news"), 2),
        ])
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    from.apply_story_batch(StoryBatch {
        assignments: vec![
            StoryAssignment {
                article: ids[0],
                story: StoryId(ids[0].0),
                duplicate_of: Some(ids[1]),
            },
            StoryAssignment {
                article: ids[1],
                story: StoryId(ids[1].0),
                duplicate_of: None,
            },
        ],
        merges: vec![(StoryId(ids[0].0), StoryId(ids[1].0))],
        titles: vec![],
        applied_seq: 2,
    })
    .await
    .unwrap();
    copy_all(from, to, 1).await;
    let merged = to.story(StoryId(ids[0].0)).await.unwrap().unwrap();
    assert_eq!(merged.merged_into, Some(StoryId(ids[1].0)));
    // Reference checks still hold for ordinary writes afterwards.
    let orphan = comment(
        ArticleId(999_999),
        None,
        "nobody",
        CommentStatus::Approved,
        at(0),
    );
    assert!(to.add_comment(orphan).await.is_err());
}
