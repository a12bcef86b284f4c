//! Articles an import hands to the clusterer beside it, so that the clusterer need
//! not read back from the store the text the import has just written.
//!
//! The change log stays the clusterer's only source of *what* to place, and in which
//! order; the handoff only saves reading an article's text when the import still
//! holds it. Anything the handoff lacks (it is bounded, and holds only articles the
//! import inserted) is read from the store as before, so a clusterer with a handoff
//! decides exactly what one without it would.

use herald_store::StoryInput;
use herald_types::ArticleId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Text held at most, in bytes of titles and bodies: beyond it an import's articles
/// are read back from the store instead (the clusterer has fallen far behind, or is
/// not running).
pub const HANDOFF_MAX_BYTES: usize = 64 * 1024 * 1024;

/// A shared, bounded map from article id to what clustering reads of it.
#[derive(Clone, Default)]
pub struct Handoff {
    inner: Arc<Mutex<Held>>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("articles", &self.len())
            .finish()
    }
}

#[derive(Default)]
struct Held {
    articles: HashMap<ArticleId, StoryInput>,
    bytes: usize,
    /// The highest id the clusterer has passed: an article offered later than its
    /// change was read would otherwise wait here for ever.
    passed: i64,
}

fn size(a: &StoryInput) -> usize {
    a.title.len() + a.body_text.len() + a.source.as_ref().map_or(0, String::len)
}

impl Handoff {
    /// An empty handoff.
    pub fn new() -> Handoff {
        Handoff::default()
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        // A panic elsewhere cannot leave the map inconsistent: every change to it is
        // a single insert or remove.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Offers a newly inserted article (as the store now holds it). Dropped when the
    /// handoff is full or the clusterer has already passed the article.
    pub fn offer(&self, article: StoryInput) {
        let mut held = self.held();
        let bytes = size(&article);
        if article.id.0 <= held.passed || held.bytes + bytes > HANDOFF_MAX_BYTES {
            return;
        }
        held.bytes += bytes;
        if let Some(old) = held.articles.insert(article.id, article) {
            held.bytes -= size(&old);
        }
    }

    /// Takes the articles of `ids` that were handed over; returns them and the ids
    /// that must be read from the store. Forgets every article up to the highest of
    /// `ids`, which the clusterer has now passed.
    pub fn take(&self, ids: &[ArticleId]) -> (Vec<StoryInput>, Vec<ArticleId>) {
        let mut held = self.held();
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match held.articles.remove(id) {
                Some(a) => {
                    held.bytes -= size(&a);
                    found.push(a);
                }
                None => missing.push(*id),
            }
        }
        if let Some(last) = ids.iter().map(|id| id.0).max() {
            held.passed = held.passed.max(last);
            let passed = held.passed;
            if held.articles.keys().any(|id| id.0 <= passed) {
                let mut freed = 0;
                held.articles.retain(|id, a| {
                    let keep = id.0 > passed;
                    if !keep {
                        freed += size(a);
                    }
                    keep
                });
                held.bytes -= freed;
            }
        }
        (found, missing)
    }

    /// Articles held now.
    pub fn len(&self) -> usize {
        self.held().articles.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: i64, body: &str) -> StoryInput {
        StoryInput {
            id: ArticleId(id),
            title: format!("title {id}"),
            body_text: body.to_string(),
            source: Some("wire".into()),
            published: None,
        }
    }

    #[test]
    fn hands_over_what_was_offered_and_names_the_rest() {
        let handoff = Handoff::new();
        handoff.offer(input(1, "one"));
        handoff.offer(input(3, "three"));
        let (found, missing) = handoff.take(&[ArticleId(1), ArticleId(2), ArticleId(3)]);
        assert_eq!(found, vec![input(1, "one"), input(3, "three")]);
        assert_eq!(missing, vec![ArticleId(2)]);
        assert!(handoff.is_empty());
    }

    #[test]
    fn forgets_articles_the_clusterer_has_passed() {
        let handoff = Handoff::new();
        handoff.offer(input(2, "two"));
        handoff.offer(input(9, "nine"));
        // The clusterer read the change of 2 from the store before it was offered,
        // and went past it: 2 is dropped, 9 stays.
        let (found, missing) = handoff.take(&[ArticleId(5)]);
        assert!(found.is_empty());
        assert_eq!(missing, vec![ArticleId(5)]);
        assert_eq!(handoff.len(), 1);
        // Offers of passed articles are refused.
        handoff.offer(input(4, "four"));
        assert_eq!(handoff.len(), 1);
        let (found, _) = handoff.take(&[ArticleId(9)]);
        assert_eq!(found, vec![input(9, "nine")]);
    }

    #[test]
    fn stays_within_its_bound() {
        let handoff = Handoff::new();
        let big = "x".repeat(HANDOFF_MAX_BYTES / 2);
        handoff.offer(input(1, &big));
        handoff.offer(input(2, &big));
        assert_eq!(handoff.len(), 1, "the second half would pass the bound");
        let (found, missing) = handoff.take(&[ArticleId(1), ArticleId(2)]);
        assert_eq!(found.len(), 1);
        assert_eq!(missing, vec![ArticleId(2)]);
        handoff.offer(input(3, &big));
        assert_eq!(handoff.len(), 1, "taking frees room");
    }
}
