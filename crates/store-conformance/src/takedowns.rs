//! Takedowns: an article an admin took down keeps its row but leaves every read,
//! listing, walk, story and count, and the search index through a delete.

use crate::fixtures::{article, article_from, day};
use chrono::{Duration, Utc};
use herald_store::{
    ChangeOp, EntryOrder, EntryQuery, ListQuery, Store, StoryAssignment, StoryBatch, UpsertKind,
};
use herald_types::{ArticleId, StoryId};

fn assign(article: ArticleId, story: StoryId) -> StoryAssignment {
    StoryAssignment {
        article,
        story,
        duplicate_of: None,
    }
}

fn listing(section: Option<&str>) -> ListQuery {
    ListQuery {
        section: section.map(String::from),
        limit: 10,
        with_total: true,
        ..ListQuery::default()
    }
}

async fn listed(store: &dyn Store, query: ListQuery) -> (Vec<ArticleId>, u64) {
    let page = store.latest_articles(query).await.unwrap();
    (page.items.iter().map(|c| c.id).collect(), page.total)
}

async fn entries(store: &dyn Store, query: EntryQuery) -> Vec<ArticleId> {
    let query = EntryQuery { limit: 10, ..query };
    store
        .article_entries(query)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect()
}

/// A taken-down article is gone from reads by id, listings, keyset walks (feeds,
/// sitemaps), the clusterer's walks, its story and the count; its removal is on
/// record, a delete is logged for the search index, and imports still know it.
pub async fn a_takedown_hides_an_article_everywhere(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article("a", "First", Some("news"), 1),
            article("b", "Second", Some("news"), 2),
            article_from("Other Paper", "c", "Third", Some("books"), 3),
        ])
        .await
        .unwrap();
    let [a, b, c] = [out[0].id, out[1].id, out[2].id];
    // b joined a's story, which a founded.
    let story = StoryId(a.0);
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![assign(a, story), assign(b, story)],
            applied_seq: 3,
            ..StoryBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(store.story(story).await.unwrap().unwrap().article_count, 2);
    let seq = store.last_change_seq().await.unwrap();

    let before = Utc::now() - Duration::seconds(2);
    assert!(store.take_down_article(b, "legal request").await.unwrap());
    assert!(
        !store.take_down_article(b, "again").await.unwrap(),
        "already taken down"
    );
    assert!(!store
        .take_down_article(ArticleId(999), "none")
        .await
        .unwrap());

    // On record, and logged once, as a delete.
    let removal = store.article_removal(b).await.unwrap().unwrap();
    assert_eq!(removal.reason, "legal request");
    assert!(removal.at >= before && removal.at <= Utc::now() + Duration::seconds(2));
    assert_eq!(store.article_removal(a).await.unwrap(), None);
    assert_eq!(store.article_removal(ArticleId(999)).await.unwrap(), None);
    let logged = store.changes_since(seq, 10).await.unwrap();
    assert_eq!(
        logged.iter().map(|c| (c.article, c.op)).collect::<Vec<_>>(),
        [(b, ChangeOp::Delete)]
    );

    // Gone from reads by id.
    assert_eq!(store.article(b).await.unwrap(), None);
    let views = store.articles_by_ids(&[a, b, c]).await.unwrap();
    assert_eq!(views.iter().map(|v| v.id).collect::<Vec<_>>(), [a, c]);
    let inputs = store.story_inputs(&[a, b, c]).await.unwrap();
    assert_eq!(inputs.iter().map(|v| v.id).collect::<Vec<_>>(), [a, c]);
    assert_eq!(store.count_articles().await.unwrap(), 2);

    // Gone from listings: everything, a section, a source.
    assert_eq!(listed(store, listing(None)).await, (vec![c, a], 2));
    assert_eq!(listed(store, listing(Some("news"))).await, (vec![a], 1));
    let valley = store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Valley Wire")
        .unwrap();
    let by_source = ListQuery {
        source: Some(valley.id),
        ..listing(None)
    };
    assert_eq!(listed(store, by_source).await, (vec![a], 1));

    // Gone from the keyset walks behind feeds, the API and sitemaps.
    assert_eq!(entries(store, EntryQuery::default()).await, [c, a]);
    let news = EntryQuery {
        section: Some("news".into()),
        ..EntryQuery::default()
    };
    assert_eq!(entries(store, news).await, [a]);
    let sitemap = EntryQuery {
        ids: Some((a, c)),
        order: EntryOrder::IdDescending,
        ..EntryQuery::default()
    };
    assert_eq!(entries(store, sitemap).await, [c, a]);
    let since = EntryQuery {
        since: Some(day(2)),
        ..EntryQuery::default()
    };
    assert_eq!(entries(store, since).await, [c]);

    // Gone from the walks of the search index and the clusterer.
    let after: Vec<ArticleId> = store
        .articles_after(ArticleId(0), 10)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(after, [a, c]);
    let since: Vec<ArticleId> = store
        .articles_since(day(1), 10)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(since, [a, c]);

    // Gone from its story, which is recounted but keeps its founder.
    let members: Vec<ArticleId> = store
        .story_articles(story)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(members, [a]);
    let left = store.story(story).await.unwrap().unwrap();
    assert_eq!(
        (left.article_count, left.source_count, left.merged_into),
        (1, 1, None)
    );
    assert_eq!((left.first_seen, left.last_seen), (day(1), day(1)));

    // Imports still know its identity and do not bring it back.
    assert_eq!(
        store
            .known_identities(vec!["b".into(), "zz".into()])
            .await
            .unwrap(),
        ["b"]
    );
    let again = store
        .upsert_articles(vec![article("b", "Second", Some("news"), 2)])
        .await
        .unwrap();
    assert_eq!((again[0].id, again[0].kind), (b, UpsertKind::Unchanged));
    assert_eq!(store.article(b).await.unwrap(), None);
    assert_eq!(store.count_articles().await.unwrap(), 2);
}

/// A story whose founding article is taken down passes to its earliest remaining
/// article: the old id redirects there (so does a story merged into it before), a
/// headline that was the removed article's becomes the heir's, and the clusterer
/// may go on naming the old id.
pub async fn a_founding_articles_takedown_hands_the_story_over(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article("a", "First", Some("news"), 1),
            article_from("Other Paper", "b", "Second", Some("news"), 2),
            article("c", "Third", Some("news"), 3),
            article("e", "Early merge", Some("news"), 1),
        ])
        .await
        .unwrap();
    let [a, b, c, e] = [out[0].id, out[1].id, out[2].id, out[3].id];
    let old = StoryId(a.0);
    let merged = StoryId(e.0);
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![
                assign(a, old),
                assign(b, old),
                assign(c, old),
                assign(e, merged),
            ],
            titles: vec![(old, "First".into())],
            applied_seq: 4,
            ..StoryBatch::default()
        })
        .await
        .unwrap();
    // e's story is merged into a's, and e is taken down: a's story keeps a, b, c.
    store
        .apply_story_batch(StoryBatch {
            merges: vec![(merged, old)],
            applied_seq: 4,
            ..StoryBatch::default()
        })
        .await
        .unwrap();
    assert!(store.take_down_article(e, "spam").await.unwrap());
    assert_eq!(store.story(old).await.unwrap().unwrap().article_count, 3);

    assert!(store.take_down_article(a, "legal").await.unwrap());
    let heir = StoryId(b.0);
    let gone = store.story(old).await.unwrap().unwrap();
    assert_eq!(gone.merged_into, Some(heir));
    assert_eq!(gone.article_count, 0);
    assert_eq!(
        store.story(merged).await.unwrap().unwrap().merged_into,
        Some(heir),
        "a story merged into the old one redirects to the heir too"
    );
    let live = store.story(heir).await.unwrap().unwrap();
    assert_eq!(live.merged_into, None);
    assert_eq!(
        live.title, "Second",
        "the removed headline gives way to the heir's"
    );
    assert_eq!((live.article_count, live.source_count), (2, 2));
    assert_eq!((live.first_seen, live.last_seen), (day(2), day(3)));
    let members: Vec<ArticleId> = store
        .story_articles(heir)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(members, [b, c]);
    assert!(store.story_articles(old).await.unwrap().is_empty());
    assert_eq!(
        store.article(c).await.unwrap().unwrap().story_id,
        Some(heir)
    );

    // Listed once, through the heir, with the story's counts.
    let page = store.latest_articles(listing(Some("news"))).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, b);
    assert_eq!(page.items[0].story, Some(heir));
    assert_eq!(
        (page.items[0].story_articles, page.items[0].story_sources),
        (2, 2)
    );

    // The clusterer may still name the old story: assignments, merges and titles
    // land on the heir.
    let d = store
        .upsert_articles(vec![article("d", "Fourth", Some("news"), 4)])
        .await
        .unwrap()[0]
        .id;
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![assign(d, old)],
            merges: vec![(old, heir)],
            titles: vec![(old, "Second".into())],
            applied_seq: 8,
        })
        .await
        .unwrap();
    assert_eq!(
        store.article(d).await.unwrap().unwrap().story_id,
        Some(heir)
    );
    let live = store.story(heir).await.unwrap().unwrap();
    assert_eq!(
        (live.article_count, live.merged_into, live.title.as_str()),
        (3, None, "Second")
    );
    assert_eq!(store.story_cursor().await.unwrap(), 8);

    // A headline of the story's own stays when a member leaves.
    assert!(store.take_down_article(c, "legal").await.unwrap());
    let live = store.story(heir).await.unwrap().unwrap();
    assert_eq!((live.article_count, live.title.as_str()), (2, "Second"));

    // The heir's takedown passes the story on again; every older id follows.
    assert!(store.take_down_article(b, "legal").await.unwrap());
    let last = StoryId(d.0);
    for id in [old, merged, heir] {
        assert_eq!(
            store.story(id).await.unwrap().unwrap().merged_into,
            Some(last),
            "{id:?}"
        );
    }
    let live = store.story(last).await.unwrap().unwrap();
    assert_eq!(
        (live.article_count, live.title.as_str(), live.merged_into),
        (1, "Fourth", None)
    );
    let page = store.latest_articles(listing(None)).await.unwrap();
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), [d]);
    assert_eq!(page.total, 1);
    assert_eq!(store.count_articles().await.unwrap(), 1);
}
