//! Articles: upserts and the change log, reads, listings and keyset walks, sections.

use crate::fixtures::{article, article_from, day};
use chrono::{TimeZone, Utc};
use herald_store::{
    ChangeOp, EntryOrder, EntryQuery, ListQuery, NewArticle, Store, StoreError, StoryInput,
    UpsertKind,
};
use herald_types::{ArticleId, Section};

fn listing(section: Option<&str>, limit: usize, offset: usize) -> ListQuery {
    ListQuery {
        with_total: true,
        source: None,
        section: section.map(String::from),
        limit,
        offset,
    }
}

/// Upserting the same article again changes nothing and logs nothing; an edit
/// keeps the id and is logged once.
pub async fn upsert_is_idempotent_and_logs_only_real_changes(store: &dyn Store) {
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
    assert!(view.updated_at >= view.created_at);
    assert!(store.article(ArticleId(999)).await.unwrap().is_none());
}

/// Repeats of an identity within one batch act as if written one after the other.
pub async fn duplicates_within_one_batch_become_one_article(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article("same", "A", None, 1),
            article("same", "A", None, 1),
        ])
        .await
        .unwrap();
    assert_eq!(out[0].kind, UpsertKind::Inserted);
    assert_eq!(out[1].kind, UpsertKind::Unchanged);
    assert_eq!(out[0].id, out[1].id);
    assert_eq!(store.count_articles().await.unwrap(), 1);
    assert_eq!(store.last_change_seq().await.unwrap(), 1);

    let out = store
        .upsert_articles(vec![
            article("twice", "First draft", None, 2),
            article("twice", "Second draft", None, 2),
            article("same", "A, edited", None, 1),
            article("same", "A", None, 1),
        ])
        .await
        .unwrap();
    let kinds: Vec<UpsertKind> = out.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [
            UpsertKind::Inserted,
            UpsertKind::Updated,
            UpsertKind::Updated,
            UpsertKind::Updated
        ]
    );
    assert_eq!(out[0].id, out[1].id);
    assert_eq!(store.count_articles().await.unwrap(), 2);
    assert_eq!(
        store.article(out[0].id).await.unwrap().unwrap().title,
        "Second draft",
        "the last version wins"
    );
    assert_eq!(store.article(out[2].id).await.unwrap().unwrap().title, "A");
    let logged: Vec<ArticleId> = store
        .changes_since(1, 100)
        .await
        .unwrap()
        .iter()
        .map(|c| c.article)
        .collect();
    assert_eq!(logged, [out[0].id, out[0].id, out[2].id, out[2].id]);
}

/// An article without identity fails the whole batch, which writes nothing.
pub async fn articles_without_identity_are_refused_whole(store: &dyn Store) {
    assert!(store.upsert_articles(Vec::new()).await.unwrap().is_empty());
    let err = store
        .upsert_articles(vec![
            article("fine", "Fine", Some("news"), 1),
            article("", "Nameless", Some("news"), 2),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(store.count_articles().await.unwrap(), 0);
    assert_eq!(store.last_change_seq().await.unwrap(), 0);
    assert!(store.sources().await.unwrap().is_empty());
}

/// New articles are numbered in batch order; a source is created once, on first
/// use, and sources list in byte order of their names.
pub async fn new_articles_get_ids_in_batch_order_and_sources_once(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article_from("Zeta Times", "z1", "Z1", Some("news"), 3),
            article_from("alpha post", "a1", "A1", Some("news"), 1),
            article_from("Zeta Times", "z2", "Z2", Some("news"), 2),
            NewArticle {
                source: None,
                ..article("anon", "Anonymous", None, 4)
            },
        ])
        .await
        .unwrap();
    let ids: Vec<i64> = out.iter().map(|o| o.id.0).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let more = store
        .upsert_articles(vec![article_from("Valley Wire", "v1", "V1", None, 5)])
        .await
        .unwrap();
    assert!(more[0].id.0 > ids[3]);
    let sources = store.sources().await.unwrap();
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Valley Wire", "Zeta Times", "alpha post"]);
    assert!(sources.iter().all(|s| s.url.is_none()));
    let anon = store.article(out[3].id).await.unwrap().unwrap();
    assert_eq!(anon.source, None);
    assert_eq!(anon.section_slug, None);
    let z2 = store.article(out[2].id).await.unwrap().unwrap();
    assert_eq!(
        z2.source.as_ref().map(|s| s.id),
        store
            .article(out[0].id)
            .await
            .unwrap()
            .unwrap()
            .source
            .map(|s| s.id)
    );
}

/// `known_identities` answers which identities are stored.
pub async fn known_identities_are_the_stored_ones(store: &dyn Store) {
    store
        .upsert_articles(vec![article("a", "A", None, 1), article("b", "B", None, 2)])
        .await
        .unwrap();
    let mut known = store
        .known_identities(vec!["b".into(), "x".into(), "a".into()])
        .await
        .unwrap();
    known.sort();
    assert_eq!(known, ["a", "b"]);
    assert!(store.known_identities(Vec::new()).await.unwrap().is_empty());
}

/// Every field comes back as stored; lookups by id keep the order asked for and
/// skip what does not exist; the id walk sees every article once.
pub async fn articles_are_read_by_id_and_walked_by_id(store: &dyn Store) {
    let full = NewArticle {
        identity: "url:https://valley.example/full".into(),
        url: Some("https://valley.example/full".into()),
        source: Some("Valley Wire".into()),
        section: Some("music".into()),
        category: Some("Live".into()),
        title: "Full".into(),
        author: Some("R. Writer".into()),
        published: Some(Utc.with_ymd_and_hms(2026, 11, 3, 8, 30, 15).unwrap()),
        lang: Some("de".into()),
        summary: Some("A summary".into()),
        body_text: "Para one.\n\nPara two.".into(),
        body_html: "<p>Para one.</p><p>Para two.</p>".into(),
    };
    let unpublished = NewArticle {
        published: None,
        ..article("undated", "Undated", Some("news"), 1)
    };
    let out = store
        .upsert_articles(vec![full.clone(), article("b", "B", None, 2), unpublished])
        .await
        .unwrap();
    let (id, b, undated) = (out[0].id, out[1].id, out[2].id);
    let view = store.article(id).await.unwrap().unwrap();
    assert_eq!(view.id, id);
    assert_eq!(view.url, full.url);
    assert_eq!(view.title, "Full");
    assert_eq!(view.author, full.author);
    assert_eq!(view.published, full.published);
    assert_eq!(view.lang, full.lang);
    assert_eq!(view.summary, full.summary);
    assert_eq!(view.body_text, full.body_text);
    assert_eq!(view.body_html, full.body_html);
    assert_eq!(view.category, full.category);
    assert_eq!(view.section_slug.as_deref(), Some("music"));
    assert_eq!(view.section_name.as_deref(), Some("Music"));
    assert_eq!(
        view.source.as_ref().map(|s| s.name.as_str()),
        Some("Valley Wire")
    );
    assert_eq!(view.story_id, None);
    assert_eq!(view.duplicate_of, None);
    assert!((Utc::now() - view.created_at).num_seconds().abs() < 120);
    assert_eq!(view.display_time(), view.published.unwrap());
    let undated_view = store.article(undated).await.unwrap().unwrap();
    assert_eq!(undated_view.display_time(), undated_view.created_at);

    let found = store
        .articles_by_ids(&[undated, ArticleId(999), id, undated])
        .await
        .unwrap();
    let ids: Vec<ArticleId> = found.iter().map(|v| v.id).collect();
    assert_eq!(ids, [undated, id, undated]);
    assert_eq!(found[1], view);
    assert!(store.articles_by_ids(&[]).await.unwrap().is_empty());
    // What clustering reads is the same articles, narrowed.
    let inputs = store
        .story_inputs(&[undated, ArticleId(999), id, undated])
        .await
        .unwrap();
    let narrowed: Vec<StoryInput> = found.into_iter().map(StoryInput::from).collect();
    assert_eq!(inputs, narrowed);
    assert_eq!(inputs[1].source.as_deref(), Some("Valley Wire"));
    assert_eq!(inputs[1].body_text, full.body_text);
    assert!(store.story_inputs(&[]).await.unwrap().is_empty());

    let first = store.articles_after(ArticleId(0), 2).await.unwrap();
    let rest = store.articles_after(first[1].id, 10).await.unwrap();
    let walked: Vec<ArticleId> = first.iter().chain(&rest).map(|v| v.id).collect();
    assert_eq!(walked, [id, b, undated]);
    assert_eq!(store.count_articles().await.unwrap(), 3);

    // Publishing an undated article moves it to its publication time.
    store
        .upsert_articles(vec![article("undated", "Undated", Some("news"), 1)])
        .await
        .unwrap();
    let moved = store.article(undated).await.unwrap().unwrap();
    assert_eq!(moved.display_time(), day(1));
    assert_eq!(moved.created_at, undated_view.created_at);
}

/// Listings are newest first, paged, filtered by section, and counted.
pub async fn listings_are_newest_first_paged_and_filtered(store: &dyn Store) {
    let batch: Vec<_> = (1..=9)
        .map(|d| article(&format!("n{d}"), &format!("News {d}"), Some("news"), d))
        .chain([
            article("m", "Music", Some("music"), 20),
            article("x", "Nowhere", Some("no-such"), 21),
        ])
        .collect();
    store.upsert_articles(batch).await.unwrap();
    let page = store
        .latest_articles(listing(Some("news"), 4, 0))
        .await
        .unwrap();
    assert_eq!(page.total, 9);
    let titles: Vec<_> = page.items.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["News 9", "News 8", "News 7", "News 6"]);
    assert_eq!(page.items[0].time, day(9));
    assert_eq!(page.items[0].source_name.as_deref(), Some("Valley Wire"));
    assert_eq!(page.items[0].section_slug.as_deref(), Some("news"));
    assert_eq!(page.items[0].story, None);
    assert_eq!(page.items[0].story_articles, 1);
    assert_eq!(page.items[0].story_sources, 1);
    let last = store
        .latest_articles(listing(Some("news"), 4, 8))
        .await
        .unwrap();
    assert_eq!(last.items.len(), 1);
    assert_eq!(last.items[0].title, "News 1");
    let all = store.latest_articles(listing(None, 100, 0)).await.unwrap();
    assert_eq!(all.total, 11);
    assert_eq!(all.items[0].title, "Nowhere");
    assert_eq!(
        all.items[0].section_slug, None,
        "unknown sections are not invented"
    );
    let none = store
        .latest_articles(listing(Some("no-such"), 10, 0))
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    assert!(none.items.is_empty());
    let uncounted = store
        .latest_articles(ListQuery {
            with_total: false,
            ..listing(Some("news"), 2, 0)
        })
        .await
        .unwrap();
    assert_eq!(uncounted.items.len(), 2);
    assert_eq!(uncounted.total, 0, "no count unless asked for");
}

/// Sections follow the configuration; ids stay with their slugs.
pub async fn sections_follow_the_configuration(store: &dyn Store) {
    let before = store.sections().await.unwrap();
    let slugs: Vec<_> = before.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(slugs, ["news", "movies", "music", "books"]);
    store
        .upsert_articles(vec![article("m", "Tune", Some("music"), 1)])
        .await
        .unwrap();
    let rows = store
        .sync_sections(&[
            Section::new("books", "Books & Ideas").unwrap(),
            Section::new("news", "News").unwrap(),
        ])
        .await
        .unwrap();
    let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Books & Ideas", "News"]);
    assert_eq!(rows[0].id, before[3].id);
    assert_eq!(rows[0].position, 0);
    assert_eq!(store.sections().await.unwrap(), rows);
    // A hidden section keeps its articles.
    let tune = store.articles_after(ArticleId(0), 1).await.unwrap();
    assert_eq!(tune[0].section_slug.as_deref(), Some("music"));

    let again = store
        .sync_sections(&herald_types::default_sections())
        .await
        .unwrap();
    let ids: Vec<_> = again.iter().map(|r| r.id).collect();
    assert_eq!(ids, before.iter().map(|r| r.id).collect::<Vec<_>>());
    let added = store
        .sync_sections(&[Section::new("science", "Science").unwrap()])
        .await
        .unwrap();
    assert!(added[0].id.0 > before.iter().map(|r| r.id.0).max().unwrap());
}

/// The keyset walk sees every article once, newest first, and filters.
pub async fn article_entries_walk_by_keyset_and_filter(store: &dyn Store) {
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
    assert_eq!(books[0].section_slug.as_deref(), Some("books"));
    assert_eq!(books[0].published, Some(day(4)));
    assert_eq!(books[0].lang.as_deref(), Some("en"));
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

/// The change log pages in sequence order.
pub async fn changes_are_paged_in_sequence_order(store: &dyn Store) {
    assert_eq!(store.last_change_seq().await.unwrap(), 0);
    assert!(store.changes_since(0, 10).await.unwrap().is_empty());
    let out = store
        .upsert_articles(
            (1..=5)
                .map(|d| article(&format!("c{d}"), &format!("C{d}"), None, d))
                .collect(),
        )
        .await
        .unwrap();
    let first = store.changes_since(0, 2).await.unwrap();
    assert_eq!(
        first.iter().map(|c| (c.seq, c.article)).collect::<Vec<_>>(),
        [(1, out[0].id), (2, out[1].id)]
    );
    let rest = store.changes_since(2, 10).await.unwrap();
    assert_eq!(rest.iter().map(|c| c.seq).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(store.last_change_seq().await.unwrap(), 5);
    assert!(store.changes_since(5, 10).await.unwrap().is_empty());
}
