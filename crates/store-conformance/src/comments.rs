//! Reader comments: threading, moderation states, counts and feeds of comments.

use crate::fixtures::{article, comment, day};
use chrono::Duration;
use herald_store::{CommentStatus, Store, StoreError};
use herald_types::{ArticleId, CommentId};

/// Comments hang under an article (and a reply under a comment of the same
/// article), move between moderation states, and are counted, queued and listed.
pub async fn comments_thread_and_moderate(store: &dyn Store) {
    use CommentStatus::*;
    let out = store
        .upsert_articles(vec![
            article("a", "Article A", Some("news"), 1),
            article("b", "Article B", Some("news"), 2),
        ])
        .await
        .unwrap();
    let (a, b) = (out[0].id, out[1].id);
    let t = |minutes: i64| day(3) + Duration::minutes(minutes);

    let missing = store
        .add_comment(comment(ArticleId(999), None, "ann", Approved, t(0)))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing:?}");

    let c1 = store
        .add_comment(comment(a, None, "ann", Approved, t(0)))
        .await
        .unwrap();
    let c2 = store
        .add_comment(comment(a, Some(c1), "bob", Pending, t(5)))
        .await
        .unwrap();
    for (article, parent) in [(b, c1), (a, CommentId(999))] {
        let err = store
            .add_comment(comment(article, Some(parent), "eve", Pending, t(6)))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    }
    let c3 = store
        .add_comment(comment(b, None, "spammer", Spam, t(10)))
        .await
        .unwrap();
    let c4 = store
        .add_comment(comment(a, None, "cat", Approved, t(20)))
        .await
        .unwrap();
    assert!(c1 < c2 && c2 < c3 && c3 < c4);

    let reply = store.comment(c2).await.unwrap().unwrap();
    let sent = comment(a, Some(c1), "bob", Pending, t(5));
    assert_eq!(reply.id, c2);
    assert_eq!(reply.article, a);
    assert_eq!(reply.parent, Some(c1));
    assert_eq!(reply.author_name, sent.author_name);
    assert_eq!(reply.author_email, sent.author_email);
    assert_eq!(reply.author_url, sent.author_url);
    assert_eq!(reply.body_text, sent.body_text);
    assert_eq!(reply.body_html, sent.body_html);
    assert_eq!(reply.status, Pending);
    assert_eq!(reply.reason, sent.reason);
    assert_eq!(reply.ip, sent.ip);
    assert_eq!(reply.depth, 1);
    assert_eq!(reply.created_at, t(5));
    assert_eq!(store.comment(CommentId(999)).await.unwrap(), None);

    let ids = |comments: Vec<herald_store::Comment>| -> Vec<CommentId> {
        comments.into_iter().map(|c| c.id).collect()
    };
    assert_eq!(
        ids(store.article_comments(a, &[Approved]).await.unwrap()),
        [c1, c4]
    );
    assert_eq!(
        ids(store
            .article_comments(a, &[Approved, Pending])
            .await
            .unwrap()),
        [c1, c2, c4]
    );
    assert!(store.article_comments(a, &[]).await.unwrap().is_empty());

    let counts = store.comment_counts(&[a, b, ArticleId(999)]).await.unwrap();
    assert_eq!(
        counts.len(),
        1,
        "articles without approved comments are absent"
    );
    assert_eq!(counts[&a], 2);
    assert!(store.comment_counts(&[]).await.unwrap().is_empty());

    assert!(store.has_approved_comment("ann").await.unwrap());
    assert!(!store.has_approved_comment("bob").await.unwrap());
    let key = sent.duplicate_key.unwrap();
    assert!(store.duplicate_comment_since(&key, t(5)).await.unwrap());
    assert!(!store.duplicate_comment_since(&key, t(6)).await.unwrap());

    let queue = store.queued_comments(Pending, 10, 0).await.unwrap();
    assert_eq!(queue.total, 1);
    assert_eq!(queue.items[0].comment.id, c2);
    assert_eq!(queue.items[0].article_title, "Article A");
    let statuses = store.comment_status_counts().await.unwrap();
    assert_eq!(statuses[&Pending], 1);
    assert_eq!(statuses[&Approved], 2);
    assert_eq!(statuses[&Spam], 1);
    assert_eq!(statuses[&Trash], 0);

    assert_eq!(
        store
            .set_comment_status(&[c2, c3, CommentId(999)], Approved)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.set_comment_status(&[c2, c3], Approved).await.unwrap(),
        0,
        "only real changes count"
    );
    assert!(store.has_approved_comment("bob").await.unwrap());

    let newest = store.queued_comments(Approved, 2, 0).await.unwrap();
    assert_eq!(newest.total, 4);
    let newest: Vec<CommentId> = newest.items.iter().map(|q| q.comment.id).collect();
    assert_eq!(newest, [c4, c3]);
    let oldest = store.queued_comments(Approved, 2, 2).await.unwrap();
    let oldest: Vec<CommentId> = oldest.items.iter().map(|q| q.comment.id).collect();
    assert_eq!(oldest, [c2, c1]);

    assert_eq!(ids(store.recent_comments(None, 2).await.unwrap()), [c4, c3]);
    assert_eq!(
        ids(store.recent_comments(Some(a), 10).await.unwrap()),
        [c4, c2, c1]
    );
    store.set_comment_status(&[c4], Trash).await.unwrap();
    assert_eq!(
        ids(store.recent_comments(Some(a), 10).await.unwrap()),
        [c2, c1],
        "only approved comments are shown"
    );
}
