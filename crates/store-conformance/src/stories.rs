//! Stories: clusterer batches, folded listings, merges and the clusterer's cursor.

use crate::fixtures::{article, article_from, day};
use herald_store::{ListQuery, Store, StoryAssignment, StoryBatch, StoryQuery};
use herald_types::{ArticleId, StoryId};

/// An assignment of `article` to `story`.
fn assign(article: ArticleId, story: StoryId, duplicate_of: Option<ArticleId>) -> StoryAssignment {
    StoryAssignment {
        article,
        story,
        duplicate_of,
    }
}

/// Applies a batch of assignments alone (no merges, no titles).
async fn apply_assignments(store: &dyn Store, assignments: Vec<StoryAssignment>, applied_seq: u64) {
    store
        .apply_story_batch(StoryBatch {
            assignments,
            merges: vec![],
            titles: vec![],
            applied_seq,
        })
        .await
        .unwrap();
}

/// A batch may name one story many times and repeat assignments already stored (a
/// clusterer that restarted re-decides what it had written): the story is created
/// once, repeated assignments change nothing, and moves are counted on both sides.
pub async fn story_batches_may_repeat_what_is_stored(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article("b1", "Storm reaches the coast", Some("news"), 1),
            article_from("Other Paper", "b2", "Storm hits coast", Some("news"), 2),
            article("b3", "Storm: what we know", Some("news"), 3),
        ])
        .await
        .unwrap();
    let [b1, b2, b3] = [out[0].id, out[1].id, out[2].id];
    let (s1, s3) = (StoryId(b1.0), StoryId(b3.0));
    let all_in_one = vec![
        assign(b1, s1, None),
        assign(b2, s1, Some(b1)),
        assign(b3, s1, None),
    ];
    for applied_seq in [3, 4] {
        apply_assignments(store, all_in_one.clone(), applied_seq).await;
        let story = store.story(s1).await.unwrap().unwrap();
        assert_eq!(
            (story.article_count, story.source_count),
            (3, 2),
            "after applying the batch at {applied_seq}"
        );
        assert_eq!(store.story_cursor().await.unwrap(), applied_seq);
    }
    assert_eq!(
        store.story(s1).await.unwrap().unwrap().title,
        "Storm reaches the coast"
    );

    // b3 leaves for a story of its own; b1 and b2 are re-sent unchanged.
    apply_assignments(
        store,
        vec![
            assign(b1, s1, None),
            assign(b3, s3, None),
            assign(b2, s1, Some(b1)),
        ],
        5,
    )
    .await;
    let story = store.story(s1).await.unwrap().unwrap();
    assert_eq!((story.article_count, story.source_count), (2, 2));
    assert_eq!(story.last_seen, day(2));
    // Several at once, in the order asked, unknown ids skipped.
    let both = store
        .stories_by_ids(&[s3, StoryId(999_999), s1, s3])
        .await
        .unwrap();
    let counts: Vec<(StoryId, u32)> = both.iter().map(|s| (s.id, s.article_count)).collect();
    assert_eq!(counts, vec![(s3, 1), (s1, 2), (s3, 1)]);
    assert!(store.stories_by_ids(&[]).await.unwrap().is_empty());
    let moved = store.story(s3).await.unwrap().unwrap();
    assert_eq!(
        (moved.article_count, moved.title.as_str()),
        (1, "Storm: what we know")
    );
    let b2_now = store.article(b2).await.unwrap().unwrap();
    assert_eq!((b2_now.story_id, b2_now.duplicate_of), (Some(s1), Some(b1)));
    assert_eq!(store.article(b3).await.unwrap().unwrap().story_id, Some(s3));
    // Where articles stand, in the order asked: repeats kept, unknown and taken-down
    // ids skipped, an article not yet clustered without a story.
    let out = store
        .upsert_articles(vec![
            article("b4", "Storm: a late report", Some("news"), 4),
            article("b5", "Storm: a report taken down", Some("news"), 4),
        ])
        .await
        .unwrap();
    let (b4, b5) = (out[0].id, out[1].id);
    assert!(store.take_down_article(b5, "test").await.unwrap());
    let keys: Vec<(ArticleId, Option<StoryId>, Option<ArticleId>)> = store
        .story_keys(&[b2, ArticleId(999_999), b4, b5, b3, b2])
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.id, k.story_id, k.duplicate_of))
        .collect();
    assert_eq!(
        keys,
        vec![
            (b2, Some(s1), Some(b1)),
            (b4, None, None),
            (b3, Some(s3), None),
            (b2, Some(s1), Some(b1)),
        ]
    );
    assert!(store.story_keys(&[]).await.unwrap().is_empty());

    // b2's date is corrected; the clusterer re-sends its unchanged assignment, and the
    // story's span follows.
    store
        .upsert_articles(vec![article_from(
            "Other Paper",
            "b2",
            "Storm hits coast",
            Some("news"),
            9,
        )])
        .await
        .unwrap();
    apply_assignments(store, vec![assign(b2, s1, Some(b1))], 7).await;
    let story = store.story(s1).await.unwrap().unwrap();
    assert_eq!((story.first_seen, story.last_seen), (day(1), day(9)));

    // Within one batch a later assignment of an article replaces an earlier one, and
    // both stories it passed through are recounted.
    apply_assignments(store, vec![assign(b3, s3, None), assign(b3, s1, None)], 8).await;
    assert_eq!(store.article(b3).await.unwrap().unwrap().story_id, Some(s1));
    assert_eq!(store.story(s1).await.unwrap().unwrap().article_count, 3);
    assert_eq!(store.story(s3).await.unwrap().unwrap().article_count, 0);
}

/// A story collects articles of several sources; listings show it once, through
/// its first article; merges redirect and recount.
pub async fn stories_fold_listings_and_track_counts(store: &dyn Store) {
    let out = store
        .upsert_articles(vec![
            article("a1", "Flood in Riverton", Some("news"), 1),
            article_from("Other Paper", "a2", "Riverton floods", Some("news"), 2),
            article("a3", "Bridge closed", Some("news"), 3),
            article("a4", "A novel", Some("books"), 4),
        ])
        .await
        .unwrap();
    let [a1, a2, a3, a4] = [out[0].id, out[1].id, out[2].id, out[3].id];
    let s1 = StoryId(a1.0);
    let s3 = StoryId(a3.0);
    assert_eq!(store.story_cursor().await.unwrap(), 0);
    assert_eq!(store.story(s1).await.unwrap(), None);

    store
        .apply_story_batch(StoryBatch {
            assignments: vec![
                assign(a1, s1, None),
                assign(a2, s1, Some(a1)),
                assign(a3, s3, None),
            ],
            merges: vec![],
            titles: vec![(s1, "Riverton under water".into())],
            applied_seq: 3,
        })
        .await
        .unwrap();
    assert_eq!(store.story_cursor().await.unwrap(), 3);
    let story = store.story(s1).await.unwrap().unwrap();
    assert_eq!(story.title, "Riverton under water");
    assert_eq!(story.article_count, 2);
    assert_eq!(story.source_count, 2);
    assert_eq!(story.first_seen, day(1));
    assert_eq!(story.last_seen, day(2));
    assert_eq!(story.merged_into, None);
    let lone = store.story(s3).await.unwrap().unwrap();
    assert_eq!(
        lone.title, "Bridge closed",
        "a new story takes its first headline"
    );
    assert_eq!((lone.article_count, lone.source_count), (1, 1));

    let viewed = store.article(a2).await.unwrap().unwrap();
    assert_eq!(viewed.story_id, Some(s1));
    assert_eq!(viewed.duplicate_of, Some(a1));
    let members: Vec<ArticleId> = store
        .story_articles(s1)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(members, [a1, a2]);

    let news = ListQuery {
        section: Some("news".into()),
        source: None,
        limit: 10,
        offset: 0,
        with_total: true,
    };
    let page = store.latest_articles(news.clone()).await.unwrap();
    let listed: Vec<ArticleId> = page.items.iter().map(|c| c.id).collect();
    assert_eq!(
        listed,
        [a3, a1],
        "a story is listed once, through its first article"
    );
    assert_eq!(page.total, 2);
    assert_eq!(page.items[1].story, Some(s1));
    assert_eq!(
        (page.items[1].story_articles, page.items[1].story_sources),
        (2, 2)
    );
    let everything = store
        .latest_articles(ListQuery {
            section: None,
            ..news.clone()
        })
        .await
        .unwrap();
    assert_eq!(everything.total, 3);

    // A source's page shows all of its articles, whatever story they joined.
    let other = store
        .sources()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Other Paper")
        .unwrap();
    let by_source = store
        .latest_articles(ListQuery {
            source: Some(other.id),
            ..news.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        by_source.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [a2]
    );
    assert_eq!(by_source.total, 1);

    store
        .apply_story_batch(StoryBatch {
            assignments: vec![],
            merges: vec![(s3, s1)],
            titles: vec![],
            applied_seq: 4,
        })
        .await
        .unwrap();
    assert_eq!(store.story_cursor().await.unwrap(), 4);
    let merged = store.story(s3).await.unwrap().unwrap();
    assert_eq!(merged.merged_into, Some(s1));
    assert_eq!(merged.article_count, 0);
    let survivor = store.story(s1).await.unwrap().unwrap();
    assert_eq!(survivor.article_count, 3);
    assert_eq!(survivor.last_seen, day(3));
    let page = store.latest_articles(news).await.unwrap();
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), [a1]);
    assert_eq!(page.total, 1);

    // An assignment that names a merged story lands in the story it was merged into.
    apply_assignments(store, vec![assign(a4, s3, None)], 5).await;
    assert_eq!(store.article(a4).await.unwrap().unwrap().story_id, Some(s1));
    assert_eq!(store.story(s1).await.unwrap().unwrap().article_count, 4);

    let since: Vec<ArticleId> = store
        .articles_since(day(2), 10)
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(since, [a2, a3, a4]);
    assert_eq!(store.articles_since(day(2), 1).await.unwrap().len(), 1);
    assert_eq!(store.story(StoryId(999)).await.unwrap(), None);
    assert!(store.story_articles(StoryId(999)).await.unwrap().is_empty());

    // Moving an article to another story recounts both.
    apply_assignments(
        store,
        vec![
            assign(a4, StoryId(a4.0), None),
            assign(a3, StoryId(a4.0), None),
        ],
        5,
    )
    .await;
    assert_eq!(store.story(s1).await.unwrap().unwrap().article_count, 2);
    let moved = store.story(StoryId(a4.0)).await.unwrap().unwrap();
    assert_eq!((moved.article_count, moved.first_seen), (2, day(3)));
}

/// Every story of `query`, by id.
async fn story_ids(store: &dyn Store, query: StoryQuery) -> Vec<StoryId> {
    store
        .stories(query)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect()
}

/// The story listing walks live stories by last activity, newest first (ties by
/// id, highest first), a keyset page at a time, optionally only stories with a
/// few articles; merged stories and stories left without live articles are out.
pub async fn stories_are_listed_newest_first_by_keyset(store: &dyn Store) {
    assert!(store
        .stories(StoryQuery {
            limit: 10,
            ..StoryQuery::default()
        })
        .await
        .unwrap()
        .is_empty());
    let out = store
        .upsert_articles(vec![
            article("a1", "One", Some("news"), 1),
            article_from("Other Paper", "a2", "One again", Some("news"), 5),
            article("a3", "Three", Some("news"), 3),
            article("a4", "Four", Some("news"), 4),
            article("a6", "Six", Some("news"), 5),
            article("a7", "Seven", Some("news"), 7),
            article("a8", "Eight", Some("news"), 8),
        ])
        .await
        .unwrap();
    let ids: Vec<ArticleId> = out.iter().map(|o| o.id).collect();
    let [a1, a2, a3, a4, a6, a7, a8] = [ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]];
    let own = |a: ArticleId| assign(a, StoryId(a.0), None);
    let [s1, s3, s4, s6, s7, s8] = [a1, a3, a4, a6, a7, a8].map(|a| StoryId(a.0));
    store
        .apply_story_batch(StoryBatch {
            assignments: vec![
                own(a1),
                assign(a2, s1, None),
                own(a3),
                own(a4),
                own(a6),
                own(a7),
                own(a8),
            ],
            // s7 (last seen on day 7) is merged into s3, which then was last seen then.
            merges: vec![(s7, s3)],
            titles: vec![],
            applied_seq: 7,
        })
        .await
        .unwrap();
    // The only article of s8 is taken down: the story has nothing left to list.
    assert!(store.take_down_article(a8, "legal").await.unwrap());
    let emptied = store.story(s8).await.unwrap().unwrap();
    assert_eq!((emptied.article_count, emptied.merged_into), (0, None));

    let all = StoryQuery {
        limit: 10,
        ..StoryQuery::default()
    };
    // s6 and s1 were both last seen on day 5: the higher id comes first.
    assert_eq!(story_ids(store, all.clone()).await, [s3, s6, s1, s4]);
    let listed = store.stories(all.clone()).await.unwrap();
    assert_eq!(listed[0].last_seen, day(7));
    assert_eq!((listed[0].article_count, listed[0].merged_into), (2, None));
    assert_eq!(listed[2].title, "One");
    assert_eq!((listed[2].article_count, listed[2].source_count), (2, 2));
    assert_eq!(
        story_ids(
            store,
            StoryQuery {
                min_articles: 1,
                ..all.clone()
            }
        )
        .await,
        [s3, s6, s1, s4],
        "0 and 1 both mean every story"
    );
    assert_eq!(
        story_ids(
            store,
            StoryQuery {
                min_articles: 2,
                ..all.clone()
            }
        )
        .await,
        [s3, s1]
    );
    assert!(story_ids(
        store,
        StoryQuery {
            min_articles: 3,
            ..all.clone()
        }
    )
    .await
    .is_empty());
    assert!(story_ids(
        store,
        StoryQuery {
            limit: 0,
            ..all.clone()
        }
    )
    .await
    .is_empty());

    // Keyset pages, two and one at a time, see every story once, in order, even
    // across the tie.
    for size in [2, 1] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .stories(StoryQuery {
                    after,
                    min_articles: 0,
                    limit: size,
                })
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= size);
            after = page.last().map(|s| s.position());
            seen.extend(page.iter().map(|s| s.id));
        }
        assert_eq!(seen, [s3, s6, s1, s4], "pages of {size}");
    }
    let after_s6 = store
        .stories(StoryQuery {
            after: Some(listed[1].position()),
            min_articles: 2,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(after_s6.iter().map(|s| s.id).collect::<Vec<_>>(), [s1]);
}
