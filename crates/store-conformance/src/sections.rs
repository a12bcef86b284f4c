//! What admins change about sections: names and order that outlast the
//! configuration, and sources filed under a section of the admin's choosing.

use crate::fixtures::{article, article_from, at, feed};
use herald_store::{ChangeOp, ListQuery, SectionEdit, SectionRow, Store, StoreError};
use herald_types::{ArticleId, Section, SectionId, SourceId};
use std::collections::HashMap;

fn names(rows: &[SectionRow]) -> Vec<(&str, &str, i64)> {
    rows.iter()
        .map(|r| (r.slug.as_str(), r.name.as_str(), r.position))
        .collect()
}

fn section(rows: &[SectionRow], slug: &str) -> SectionId {
    rows.iter().find(|r| r.slug == slug).unwrap().id
}

/// Section edits rename and reorder in one go, are kept when the configuration is
/// synced again (which still hides and shows sections, and renames the unedited
/// ones), and an unknown section undoes the whole edit.
pub async fn section_edits_persist_and_survive_a_sync(store: &dyn Store) {
    let before = store.sections().await.unwrap();
    let (news, books) = (section(&before, "news"), section(&before, "books"));
    let edited = store
        .edit_sections(vec![
            SectionEdit {
                id: news,
                name: "Headlines".into(),
                position: 10,
            },
            SectionEdit {
                id: books,
                name: "Reading".into(),
                position: -1,
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        names(&edited),
        [
            ("books", "Reading", -1),
            ("movies", "Movies", 1),
            ("music", "Music", 2),
            ("news", "Headlines", 10),
        ]
    );
    assert_eq!(store.sections().await.unwrap(), edited);

    // The same configuration again changes nothing an admin edited.
    let synced = store
        .sync_sections(&herald_types::default_sections())
        .await
        .unwrap();
    assert_eq!(synced, edited);

    // A new configuration renames an unedited section, hides one that left, adds
    // one: the edited ones keep their names and places.
    let synced = store
        .sync_sections(&[
            Section::new("news", "News").unwrap(),
            Section::new("movies", "Film").unwrap(),
            Section::new("books", "Books").unwrap(),
            Section::new("science", "Science").unwrap(),
        ])
        .await
        .unwrap();
    assert_eq!(
        names(&synced),
        [
            ("books", "Reading", -1),
            ("movies", "Film", 1),
            ("science", "Science", 3),
            ("news", "Headlines", 10),
        ]
    );
    assert_eq!(section(&synced, "news"), news);

    // An edited section that leaves the configuration is hidden, and comes back as
    // the admin left it.
    let hidden = store
        .sync_sections(&[Section::new("movies", "Film").unwrap()])
        .await
        .unwrap();
    assert_eq!(names(&hidden), [("movies", "Film", 0)]);
    let back = store
        .sync_sections(&herald_types::default_sections())
        .await
        .unwrap();
    assert_eq!(
        names(&back),
        [
            ("books", "Reading", -1),
            ("movies", "Movies", 1),
            ("music", "Music", 2),
            ("news", "Headlines", 10),
        ]
    );

    // An unknown section fails the edit, which changes nothing.
    let err = store
        .edit_sections(vec![
            SectionEdit {
                id: news,
                name: "Lost".into(),
                position: 0,
            },
            SectionEdit {
                id: SectionId(9999),
                name: "Nowhere".into(),
                position: 0,
            },
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(store.sections().await.unwrap(), back);
    assert_eq!(store.edit_sections(vec![]).await.unwrap(), back);
}

async fn section_of(store: &dyn Store, id: ArticleId) -> Option<String> {
    store.article(id).await.unwrap().unwrap().section_slug
}

fn listing(section: &str) -> ListQuery {
    ListQuery {
        section: Some(section.into()),
        limit: 20,
        with_total: true,
        ..ListQuery::default()
    }
}

/// Mapping a source to a section moves its stored articles there (each live one
/// logged as an upsert, for search) together with its feeds, and files whatever the
/// source brings later there too, whatever section it names; ending the mapping
/// leaves the articles where they are. Unknown sources and sections are refused.
pub async fn a_source_mapping_moves_past_articles_and_files_new_ones(store: &dyn Store) {
    let sections = store.sections().await.unwrap();
    let (music, books) = (section(&sections, "music"), section(&sections, "books"));
    store
        .add_feed(feed("https://valley.example/rss", at(0)))
        .await
        .unwrap();
    let out = store
        .upsert_articles(vec![
            article("v1", "In the news", Some("news"), 1),
            article("v2", "A book", Some("books"), 2),
            article("v3", "Nowhere", None, 3),
            article("v4", "A tune", Some("music"), 4),
            article("v5", "Taken down", Some("news"), 5),
            article_from("Other Paper", "o1", "Elsewhere", Some("news"), 6),
        ])
        .await
        .unwrap();
    let [v1, v2, v3, v4, v5, o1] = [
        out[0].id, out[1].id, out[2].id, out[3].id, out[4].id, out[5].id,
    ];
    assert!(store.take_down_article(v5, "legal").await.unwrap());
    let sources: HashMap<String, SourceId> = store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.id))
        .collect();
    let (valley, other) = (sources["Valley Wire"], sources["Other Paper"]);
    assert!(store.source_sections().await.unwrap().is_empty());

    // Unknown sources and sections are refused, and change nothing.
    let seq = store.last_change_seq().await.unwrap();
    let err = store
        .set_source_section(SourceId(9999), Some(music))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let err = store
        .set_source_section(valley, Some(SectionId(9999)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let err = store
        .set_source_section(SourceId(9999), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert!(store.source_sections().await.unwrap().is_empty());
    assert_eq!(store.last_change_seq().await.unwrap(), seq);

    // Every article not there yet moves; the live ones are logged, in id order.
    assert_eq!(
        store.set_source_section(valley, Some(music)).await.unwrap(),
        3
    );
    assert_eq!(
        store.source_sections().await.unwrap(),
        HashMap::from([(valley, music)])
    );
    let logged = store.changes_since(seq, 10).await.unwrap();
    assert_eq!(
        logged.iter().map(|c| (c.article, c.op)).collect::<Vec<_>>(),
        [v1, v2, v3].map(|a| (a, ChangeOp::Upsert))
    );
    for a in [v1, v2, v3, v4] {
        assert_eq!(section_of(store, a).await.as_deref(), Some("music"));
    }
    assert_eq!(section_of(store, o1).await.as_deref(), Some("news"));
    let page = store.latest_articles(listing("music")).await.unwrap();
    assert_eq!(page.total, 4);
    let page = store.latest_articles(listing("news")).await.unwrap();
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), [o1]);
    let feeds = store.feeds().await.unwrap();
    assert_eq!(
        feeds[0].section.as_deref(),
        Some("music"),
        "its feeds follow"
    );

    // Mapping again to the same section moves nothing.
    let seq = store.last_change_seq().await.unwrap();
    assert_eq!(
        store.set_source_section(valley, Some(music)).await.unwrap(),
        0
    );
    assert_eq!(store.last_change_seq().await.unwrap(), seq);

    // New articles and edits of the source are filed there whatever they name;
    // other sources are not.
    let out = store
        .upsert_articles(vec![
            article("v6", "New in the news", Some("news"), 7),
            article("v1", "In the news, edited", Some("books"), 1),
            article("v7", "No section", None, 8),
            article_from("Other Paper", "o2", "Elsewhere again", Some("books"), 9),
        ])
        .await
        .unwrap();
    let [v6, v7, o2] = [out[0].id, out[2].id, out[3].id];
    assert_eq!(out[1].id, v1);
    for a in [v6, v1, v7] {
        assert_eq!(section_of(store, a).await.as_deref(), Some("music"));
    }
    assert_eq!(section_of(store, o2).await.as_deref(), Some("books"));

    // A new source in the same batch as a mapped one keeps its own section.
    let out = store
        .upsert_articles(vec![
            article_from("Fresh Source", "f1", "Fresh", Some("books"), 10),
            article("v8", "More", Some("books"), 10),
        ])
        .await
        .unwrap();
    assert_eq!(section_of(store, out[0].id).await.as_deref(), Some("books"));
    assert_eq!(section_of(store, out[1].id).await.as_deref(), Some("music"));

    // Ending the mapping leaves the articles where they are; new ones go where they
    // say again.
    let seq = store.last_change_seq().await.unwrap();
    assert_eq!(store.set_source_section(valley, None).await.unwrap(), 0);
    assert_eq!(store.last_change_seq().await.unwrap(), seq);
    assert!(store.source_sections().await.unwrap().is_empty());
    assert_eq!(section_of(store, v2).await.as_deref(), Some("music"));
    let v9 = store
        .upsert_articles(vec![article("v9", "Back to news", Some("news"), 11)])
        .await
        .unwrap()[0]
        .id;
    assert_eq!(section_of(store, v9).await.as_deref(), Some("news"));

    // Another source, another section; both mappings are listed.
    assert_eq!(
        store.set_source_section(other, Some(books)).await.unwrap(),
        1
    );
    assert_eq!(
        store.set_source_section(valley, Some(books)).await.unwrap(),
        8
    );
    assert_eq!(
        store.source_sections().await.unwrap(),
        HashMap::from([(valley, books), (other, books)])
    );
    assert_eq!(section_of(store, o1).await.as_deref(), Some("books"));
    assert_eq!(section_of(store, v9).await.as_deref(), Some("books"));
    let page = store.latest_articles(listing("books")).await.unwrap();
    assert_eq!(page.total, 11);
    assert!(store
        .latest_articles(listing("music"))
        .await
        .unwrap()
        .items
        .is_empty());
}
