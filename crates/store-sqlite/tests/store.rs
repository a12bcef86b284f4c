//! The SQLite store against a real database file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use herald_store::{ChangeOp, ListQuery, NewArticle, Store, UpsertKind};
use herald_store_sqlite::SqliteStore;
use herald_types::{default_sections, ArticleId, Section};

fn article(identity: &str, title: &str, section: Option<&str>, day: u32) -> NewArticle {
    NewArticle {
        identity: identity.into(),
        url: None,
        source: Some("Valley Wire".into()),
        section: section.map(String::from),
        category: None,
        title: title.into(),
        author: None,
        published: Some(Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap()),
        lang: Some("en".into()),
        summary: None,
        body_text: format!("Body of {title}"),
        body_html: format!("<p>Body of {title}</p>"),
    }
}

async fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("h.db")).unwrap();
    store.sync_sections(&default_sections()).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn upsert_is_idempotent_and_logs_only_real_changes() {
    let (_dir, store) = open().await;
    let first = store
        .upsert_articles(vec![
            article("a", "One", Some("news"), 1),
            article("b", "Two", Some("books"), 2),
        ])
        .await
        .unwrap();
    assert!(first.iter().all(|o| o.kind == UpsertKind::Inserted));
    assert_eq!(store.last_change_seq().await.unwrap(), 2);

    let again = store
        .upsert_articles(vec![article("a", "One", Some("news"), 1)])
        .await
        .unwrap();
    assert_eq!(again[0].kind, UpsertKind::Unchanged);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(
        store.last_change_seq().await.unwrap(),
        2,
        "unchanged articles are not logged"
    );

    let edited = store
        .upsert_articles(vec![article("a", "One, edited", Some("news"), 1)])
        .await
        .unwrap();
    assert_eq!(edited[0].kind, UpsertKind::Updated);
    assert_eq!(edited[0].id, first[0].id);
    assert_eq!(store.count_articles().await.unwrap(), 2);

    let changes = store.changes_since(0, 100).await.unwrap();
    let seqs: Vec<u64> = changes.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert!(changes.iter().all(|c| c.op == ChangeOp::Upsert));
    assert_eq!(changes[2].article, first[0].id);
    assert_eq!(store.changes_since(2, 100).await.unwrap().len(), 1);

    let view = store.article(first[0].id).await.unwrap().unwrap();
    assert_eq!(view.title, "One, edited");
    assert_eq!(view.source.unwrap().name, "Valley Wire");
    assert_eq!(view.section_slug.as_deref(), Some("news"));
    assert!(store.article(ArticleId(999)).await.unwrap().is_none());
}

#[tokio::test]
async fn duplicates_within_one_batch_become_one_article() {
    let (_dir, store) = open().await;
    let out = store
        .upsert_articles(vec![
            article("same", "A", None, 1),
            article("same", "A", None, 1),
        ])
        .await
        .unwrap();
    assert_eq!(out[0].kind, UpsertKind::Inserted);
    assert_eq!(out[1].kind, UpsertKind::Unchanged);
    assert_eq!(store.count_articles().await.unwrap(), 1);
}

#[tokio::test]
async fn listings_are_newest_first_paged_and_filtered() {
    let (_dir, store) = open().await;
    let batch: Vec<_> = (1..=9)
        .map(|d| article(&format!("n{d}"), &format!("News {d}"), Some("news"), d))
        .chain([
            article("m", "Music", Some("music"), 20),
            article("x", "Nowhere", Some("no-such"), 21),
        ])
        .collect();
    store.upsert_articles(batch).await.unwrap();
    let page = store
        .latest_articles(ListQuery {
            with_total: true,
            source: None,
            section: Some("news".into()),
            limit: 4,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(page.total, 9);
    let titles: Vec<_> = page.items.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["News 9", "News 8", "News 7", "News 6"]);
    let last = store
        .latest_articles(ListQuery {
            with_total: true,
            source: None,
            section: Some("news".into()),
            limit: 4,
            offset: 8,
        })
        .await
        .unwrap();
    assert_eq!(last.items.len(), 1);
    let all = store
        .latest_articles(ListQuery {
            with_total: true,
            source: None,
            section: None,
            limit: 100,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(all.total, 11);
    assert_eq!(all.items[0].title, "Nowhere");
    assert_eq!(
        all.items[0].section_slug, None,
        "unknown sections are not invented"
    );
    let none = store
        .latest_articles(ListQuery {
            with_total: true,
            source: None,
            section: Some("no-such".into()),
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(none.total, 0);
}

#[tokio::test]
async fn sections_follow_the_configuration() {
    let (_dir, store) = open().await;
    let rows = store
        .sync_sections(&[
            Section::new("books", "Books & Ideas").unwrap(),
            Section::new("news", "News").unwrap(),
        ])
        .await
        .unwrap();
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Books & Ideas", "News"]);
    assert_eq!(store.sections().await.unwrap().len(), 2);
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_rerun_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        store.sync_sections(&default_sections()).await.unwrap();
        store
            .upsert_articles(vec![article("a", "Kept", Some("news"), 1)])
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.count_articles().await.unwrap(), 1);
    assert_eq!(
        store.articles_after(ArticleId(0), 10).await.unwrap()[0].title,
        "Kept"
    );
}

#[tokio::test]
async fn open_reports_the_path_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_db = dir.path().join("garbage.db");
    std::fs::write(&not_a_db, vec![0xAB; 4096]).unwrap();
    let err = SqliteStore::open(&not_a_db)
        .err()
        .expect("garbage is not a database")
        .to_string();
    assert!(err.contains("garbage.db"), "{err}");
}

#[tokio::test]
async fn article_entries_walk_by_keyset_and_filter() {
    use herald_store::{EntryOrder, EntryQuery};
    let (_dir, store) = open().await;
    // Two articles share a time: the id breaks the tie.
    let mut batch: Vec<NewArticle> = (1..=5)
        .map(|d| article(&format!("n{d}"), &format!("News {d}"), Some("news"), d))
        .collect();
    batch.push(article("n3b", "News 3b", Some("news"), 3));
    batch.push(article("b1", "Book", Some("books"), 4));
    store.upsert_articles(batch).await.unwrap();

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .article_entries(EntryQuery {
                after,
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|e| e.position());
        seen.extend(page.into_iter().map(|e| (e.time, e.id)));
    }
    assert_eq!(seen.len(), 7, "every article exactly once");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "strictly newest first"
    );

    let books = store
        .article_entries(EntryQuery {
            section: Some("books".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(books.len(), 1);
    assert_eq!(books[0].title, "Book");
    assert_eq!(books[0].source.as_ref().unwrap().name, "Valley Wire");
    let unknown = EntryQuery {
        section: Some("nosuch".into()),
        limit: 10,
        ..Default::default()
    };
    assert!(store.article_entries(unknown).await.unwrap().is_empty());

    let recent = store
        .article_entries(EntryQuery {
            since: Some(Utc.with_ymd_and_hms(2026, 11, 4, 0, 0, 0).unwrap()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(recent.len(), 3);

    let by_id = store
        .article_entries(EntryQuery {
            ids: Some((ArticleId(2), ArticleId(4))),
            order: EntryOrder::IdDescending,
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<i64> = by_id.iter().map(|e| e.id.0).collect();
    assert_eq!(ids, [4, 3, 2]);

    let sources = store.sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].name, "Valley Wire");
}

#[tokio::test]
async fn a_taken_down_article_keeps_its_row_and_its_story_lives_on() {
    use herald_store::{StoryAssignment, StoryBatch};
    use herald_types::StoryId;
    let (_dir, store) = open().await;
    let ids: Vec<ArticleId> = store
        .upsert_articles(vec![
            article("a", "First", Some("news"), 1),
            article("b", "Second", Some("news"), 2),
            article("c", "Third", Some("news"), 3),
        ])
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let story = StoryId(ids[0].0);
    let assign = |a: ArticleId, s: StoryId| StoryAssignment {
        article: a,
        story: s,
        duplicate_of: None,
    };
    store
        .apply_story_batch(StoryBatch {
            assignments: ids.iter().map(|a| assign(*a, story)).collect(),
            titles: vec![(story, "First".into())],
            applied_seq: 3,
            ..StoryBatch::default()
        })
        .await
        .unwrap();

    assert!(store.take_down_article(ids[0], "legal").await.unwrap());
    assert!(!store.take_down_article(ids[0], "again").await.unwrap());
    assert!(!store
        .take_down_article(ArticleId(999), "none")
        .await
        .unwrap());
    assert!(store.article(ids[0]).await.unwrap().is_none());
    let removal = store.article_removal(ids[0]).await.unwrap().unwrap();
    assert_eq!(removal.reason, "legal");
    assert!(store.article_removal(ids[1]).await.unwrap().is_none());
    assert_eq!(store.count_articles().await.unwrap(), 2);
    let last = store.changes_since(0, 10).await.unwrap().pop().unwrap();
    assert_eq!((last.article, last.op), (ids[0], ChangeOp::Delete));
    assert_eq!(
        store.known_identities(vec!["a".into()]).await.unwrap(),
        vec!["a".to_string()],
        "imports still recognise it"
    );

    // The story passes to its earliest remaining article, with that one's headline.
    let old = store.story(story).await.unwrap().unwrap();
    let heir = StoryId(ids[1].0);
    assert_eq!(old.merged_into, Some(heir));
    let live = store.story(heir).await.unwrap().unwrap();
    assert_eq!((live.article_count, live.title.as_str()), (2, "Second"));
    assert_eq!(store.story_articles(heir).await.unwrap().len(), 2);
    let listed = store
        .latest_articles(ListQuery {
            limit: 10,
            with_total: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.total, 1,
        "the story is listed once, through its heir"
    );
    assert_eq!(listed.items[0].id, ids[1]);

    // The clusterer may still name the old story: its articles land in the heir.
    let d = store
        .upsert_articles(vec![article("d", "Fourth", Some("news"), 4)])
        .await
        .unwrap()[0]
        .id;
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![assign(d, story)],
            titles: vec![(story, "Second".into())],
            applied_seq: 5,
            ..StoryBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.article(d).await.unwrap().unwrap().story_id,
        Some(heir)
    );
    assert_eq!(store.story(heir).await.unwrap().unwrap().article_count, 3);
}
