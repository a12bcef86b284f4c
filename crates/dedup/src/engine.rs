//! The engine: one call per arriving article decides its duplicate group and story.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::cluster::{term_counts, Joining, Stories, TermCounts};
use crate::dup::{self, Live, LiveSet};
use crate::minhash::{self, MinHash, Sketch};
use crate::{text, Config};

/// An arriving article: borrowed, so the caller keeps ownership of its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Article<'a> {
    /// The caller's stable identity for the article (for Herald: its store id or
    /// identity key). Re-submitting an id that is still live is a new *version*.
    pub id: &'a str,
    /// Headline (may be empty).
    pub title: &'a str,
    /// Plain text of the body (may be empty; any size: work is bounded).
    pub body: &'a str,
    /// Publisher (site or feed), for the story's source list.
    pub source: Option<&'a str>,
    /// Publication time, seconds since the Unix epoch; `None` when unknown.
    pub published: Option<i64>,
}

/// Two stories became one: readers of `from` should be sent to `into`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Merge {
    /// The story id that no longer exists.
    pub from: Arc<str>,
    /// The surviving story (always the older of the two, so ids stay stable).
    pub into: Arc<str>,
}

/// An earlier article that changed story because its story was split.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Moved {
    /// The article's id.
    pub id: Arc<str>,
    /// The story it left.
    pub from: Arc<str>,
    /// Its story now.
    pub story: Arc<str>,
    /// Its canonical article, unchanged (so callers can rewrite the whole assignment).
    pub duplicate_of: Option<Arc<str>>,
}

/// What the engine decided for one article.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// The article's id.
    pub id: Arc<str>,
    /// Its story: the id of the story's first article (after any merges reported in
    /// `merged`).
    pub story: Arc<str>,
    /// The canonical article of its duplicate group when it is a copy of another text.
    pub duplicate_of: Option<Arc<str>>,
    /// The article started a new story.
    pub new_story: bool,
    /// The id was live already: this is a new version of a known article; its story is
    /// kept and its fingerprint replaced.
    pub version: bool,
    /// Similarity that decided: shingle Jaccard to the canonical copy for duplicates,
    /// else its similarity to the story joined (0 for a new story).
    pub score: f64,
    /// Stories merged while placing this article, in order.
    pub merged: Vec<Merge>,
    /// Earlier articles moved to another story while placing this article (a story
    /// split in two: the new story's id is the id of its first article). Applied
    /// after `merged`.
    pub moved: Vec<Moved>,
}

/// A story as callers show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoryView {
    /// Story id: the id of its first article.
    pub id: String,
    /// Headline of its most central titled article (the member that matched the story
    /// best when it joined; the first titled article until another matches).
    pub title: String,
    /// Earliest and latest publication time of its dated articles.
    pub first_seen: Option<i64>,
    /// Latest publication time of its dated articles.
    pub last_seen: Option<i64>,
    /// Articles assigned while the story was live (duplicates included).
    pub article_count: u32,
    /// Distinct sources, in order of first appearance (at most 512 kept).
    pub sources: Vec<String>,
}

/// Size of the in-memory state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Articles seen since the engine was created (including restored ones).
    pub articles: u64,
    /// Fingerprints searchable for duplicates.
    pub live_articles: usize,
    /// Stories in the candidate set.
    pub live_stories: usize,
    /// Merge redirects remembered.
    pub redirects: usize,
    /// Approximate heap bytes of all of the above.
    pub approx_bytes: usize,
}

/// The story engine. Deterministic: the same articles in the same order give the same
/// assignments.
///
/// **Near-duplicates.** The body's 5-word shingles are fingerprinted
/// ([`crate::minhash`]); live articles sharing an LSH band are candidates, verified by
/// shingle Jaccard ≥ [`Config::dup_threshold`] (0.5: a copy trimmed by up to half, or
/// padded with site boilerplate up to its own length, still qualifies). Containment
/// alone is deliberately not enough: a long article that quotes a whole wire story
/// (containment ≈ 1, Jaccard ≈ 0.3) is its own reporting and must stay visible. Very
/// short texts (one sentence, or a site's cookie or paywall stub) are not evidence on
/// their own: below [`Config::min_dup_shingles`] the titles must agree too when both
/// exist.
///
/// The **canonical** article of a group is the *first one to arrive* (in a dated
/// stream, the earliest published): the origin of a wire text is normally its earliest
/// publication, and a canonical that never changes means `duplicate_of` pointers are
/// written once and never rewritten. Every copy points at that root directly.
///
/// **Stories.** A copy joins its canonical article's story. Any other article is
/// scored against candidate stories by the cosine of its entity-weighted TF-IDF text
/// vector with each story's centroid, with time decay (see the `cluster` module docs
/// in the source), and joins the best one at or above [`Config::join_threshold`], else
/// starts its own story whose id is the article's id. Then the joined story is
/// compared with the article's other candidates, and any whose similarity to it
/// reaches [`Config::merge_threshold`] is merged into the older of the two
/// ([`Merge`]), unless the two are far enough apart that the merged story would be
/// split again.
///
/// **Splits.** A small story (up to [`Config::split_max_members`] articles) is split in
/// two when its members form two groups whose separation gains more than
/// [`Config::split_gain`] in the sum of the members' cosines with their story centre
/// (the `split` module in the source). This undoes early mistakes of the single
/// pass: the first article of a second event of one kind (a second arrest of a player
/// of one team, a second pirate attack foiled by one navy) often lands in the first
/// event's story, which then holds two groups. The part holding the story's first
/// article keeps the story; the other part becomes a story whose id is the id of its
/// first article, and its articles are reported in [`Assignment::moved`].
///
/// **Versions.** Re-submitting a live id (same source and canonical URL, new text)
/// replaces its fingerprint and keeps its story; the story's term statistics keep the
/// first version's contribution.
///
/// **Memory** is bounded by [`Config::max_live_articles`] fingerprints and
/// [`Config::max_stories`] stories, and by the time windows relative to the latest
/// publication time seen. Undated articles age only by the caps.
pub struct Engine {
    cfg: Config,
    live: LiveSet,
    stories: Stories,
    redirects: HashMap<Arc<str>, Arc<str>>,
    redirect_order: VecDeque<Arc<str>>,
    clock: Option<i64>,
    seq: u64,
}

struct Fingerprint {
    sketch: Sketch,
    bands: Vec<u64>,
    title_words: Vec<u64>,
}

/// An article's text as the engine reads it ([`Engine::prepare`]).
pub struct Prepared {
    fingerprint: Fingerprint,
    terms: TermCounts,
    /// Its terms are in the document frequencies already
    /// ([`Engine::observe_prepared`]).
    counted: bool,
}

fn fingerprint_of(cfg: &Config, title: &str, body_words: &[u64]) -> Fingerprint {
    let sh = minhash::shingles_of_words(body_words);
    let sig = MinHash::of(&sh);
    let mut title_words: Vec<u64> = Vec::new();
    text::for_each_word(title, 64, |w, _, _| title_words.push(text::word_hash(w)));
    title_words.sort_unstable();
    title_words.dedup();
    Fingerprint {
        sketch: Sketch::of(&sh),
        bands: dup::bands_of(sig.as_ref(), cfg.lsh_bands, cfg.lsh_rows),
        title_words,
    }
}

impl Engine {
    /// An empty engine.
    pub fn new(cfg: Config) -> Self {
        Engine {
            cfg,
            live: LiveSet::default(),
            stories: Stories::new(),
            redirects: HashMap::new(),
            redirect_order: VecDeque::new(),
            clock: None,
            seq: 0,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// What the engine needs of an article's text: its fingerprint and its term
    /// counts, from one pass over the body. Reads no engine state, so callers can
    /// prepare articles on other threads while the engine places earlier ones
    /// ([`Engine::add_prepared`]).
    pub fn prepare(cfg: &Config, a: &Article<'_>) -> Prepared {
        let (mut words, mut terms) = (Vec::new(), Vec::new());
        text::scan(
            a.body,
            cfg.dup_words,
            cfg.body_words,
            &mut words,
            &mut terms,
        );
        Prepared {
            fingerprint: fingerprint_of(cfg, a.title, &words),
            terms: term_counts(a.title, &terms, cfg),
            counted: false,
        }
    }

    fn fingerprint(&self, a: &Article<'_>) -> Fingerprint {
        let mut words = Vec::new();
        text::for_each_word(a.body, self.cfg.dup_words, |w, _, _| {
            words.push(text::word_hash(w))
        });
        fingerprint_of(&self.cfg, a.title, &words)
    }

    /// The best live copy of a fingerprint: (canonical id, story, Jaccard).
    ///
    /// A candidate is compared with its group's canonical article when that is still
    /// live: a copy must be a copy of the canonical text, so that groups do not chain
    /// from edit to edit into texts that no longer resemble each other.
    fn find_duplicate(&self, id: &str, fp: &Fingerprint) -> Option<(Arc<str>, Arc<str>, f64)> {
        let mut best: Option<(Arc<str>, Arc<str>, f64)> = None;
        let mut seen_roots: Vec<&str> = Vec::new();
        for c in self.live.candidates(&fp.bands, id) {
            if &*c.root == id || seen_roots.contains(&&*c.root) {
                continue; // a version of a canonical article never points at its copies
            }
            seen_roots.push(&c.root);
            let target = self.live.get(&c.root).unwrap_or(c);
            let j = dup::text_similarity(&fp.sketch, &target.sketch);
            if j < self.cfg.dup_threshold {
                continue;
            }
            let short = fp.sketch.set_size.min(target.sketch.set_size) < self.cfg.min_dup_shingles;
            if short
                && !fp.title_words.is_empty()
                && !target.title_words.is_empty()
                && dup::set_jaccard(&fp.title_words, &target.title_words)
                    < self.cfg.short_title_agreement
            {
                continue;
            }
            if best.as_ref().is_none_or(|b| j > b.2) {
                best = Some((c.root.clone(), c.story.clone(), j));
            }
        }
        best
    }

    /// Follows merge redirects to the current story id.
    pub fn resolve_story(&self, id: &str) -> Arc<str> {
        let mut cur: Arc<str> = Arc::from(id);
        for _ in 0..64 {
            match self.redirects.get(&cur) {
                Some(next) => cur = next.clone(),
                None => break,
            }
        }
        cur
    }

    fn tick(&mut self, published: Option<i64>) {
        self.seq += 1;
        if let Some(t) = published {
            self.clock = Some(self.clock.map_or(t, |c| c.max(t)));
        }
        if self.seq & 255 == 0 {
            self.evict();
        }
    }

    fn evict(&mut self) {
        let dup_h = self.clock.zip(self.cfg.dup_window_secs).map(|(c, w)| c - w);
        self.live.evict(self.cfg.max_live_articles, dup_h);
        let story_h = self
            .clock
            .zip(self.cfg.story_window_secs)
            .map(|(c, w)| c - w);
        self.stories.evict(story_h, self.cfg.max_stories);
        while self.redirect_order.len() > self.cfg.max_stories {
            if let Some(old) = self.redirect_order.pop_front() {
                self.redirects.remove(&old);
            }
        }
    }

    /// Slot of a live story, re-creating an aged-out story under its old id.
    fn story_slot(&mut self, id: &Arc<str>) -> u32 {
        match self.stories.slot_of(id) {
            Some(s) => s,
            None => self.stories.create(id.clone(), self.seq),
        }
    }

    /// Places one arriving article. See [`Engine`] for the rules.
    pub fn add(&mut self, a: &Article<'_>) -> Assignment {
        let prepared = Engine::prepare(&self.cfg, a);
        self.add_prepared(a, prepared)
    }

    /// [`Engine::add`] for an article already prepared with this engine's settings.
    pub fn add_prepared(&mut self, a: &Article<'_>, prepared: Prepared) -> Assignment {
        self.tick(a.published);
        let id: Arc<str> = Arc::from(a.id);
        if let Some(old) = self.live.get(a.id).cloned() {
            return self.update_with(a, old, prepared.fingerprint);
        }
        let fp = prepared.fingerprint;
        let doc = if prepared.counted {
            self.stories.weigh(&prepared.terms, &self.cfg)
        } else {
            self.stories.vector_of(&prepared.terms, &self.cfg)
        };
        let mut merged = Vec::new();
        let (story_slot, duplicate_of, score, new_story) =
            if let Some((root, story, j)) = self.find_duplicate(a.id, &fp) {
                let story = self.resolve_story(&story);
                let slot = self.story_slot(&story);
                (slot, Some(root), j, false)
            } else {
                let cands = self.stories.candidates(&doc, a.published, &self.cfg);
                match cands.first() {
                    Some(best) if best.score >= self.cfg.join_threshold => {
                        let (slot, s) = (best.slot, best.score);
                        merged = self.merge_pass(slot, &cands[1..]);
                        let slot = merged
                            .last()
                            .and_then(|m: &Merge| self.stories.slot_of(&m.into))
                            .filter(|_| self.stories.story(slot).is_none())
                            .unwrap_or(slot);
                        (slot, None, s, false)
                    }
                    _ => (self.stories.create(id.clone(), self.seq), None, 0.0, true),
                }
            };
        // How central the article is to its story (for the story title): the score
        // that made it join, or, for a copy, its score against the story.
        let centrality = match self.stories.story(story_slot) {
            _ if duplicate_of.is_none() => score,
            Some(s) if s.count > 0 => self.stories.score(&doc, a.published, s, &self.cfg),
            _ => 0.0,
        };
        self.stories.add(
            story_slot,
            doc,
            &Joining {
                id: &id,
                duplicate_of: duplicate_of.as_ref(),
                title: a.title,
                centrality,
                time: a.published,
                source: a.source,
                founder: new_story,
            },
            self.seq,
            &self.cfg,
        );
        let moved = self.split_pass(story_slot);
        let story = match moved.iter().find(|m| m.id == id) {
            Some(m) => m.story.clone(),
            None => self
                .stories
                .story(story_slot)
                .map_or_else(|| id.clone(), |s| s.id.clone()),
        };
        self.live.insert(
            Live {
                id: id.clone(),
                root: duplicate_of.clone().unwrap_or_else(|| id.clone()),
                story: story.clone(),
                sketch: fp.sketch,
                bands: fp.bands,
                title_words: fp.title_words,
                time: a.published,
                seq: self.seq,
            },
            a.published.or(self.clock),
        );
        Assignment {
            id: id.clone(),
            story,
            duplicate_of,
            new_story,
            version: false,
            score,
            merged,
            moved: moved.into_iter().filter(|m| m.id != id).collect(),
        }
    }

    /// Splits the story in `slot` in two when its members have come to form two
    /// groups (see the `split` module); returns the articles that moved.
    fn split_pass(&mut self, slot: u32) -> Vec<Moved> {
        let Some(plan) = self.stories.plan_split(slot, &self.cfg) else {
            return Vec::new();
        };
        let story = plan.new_id.clone();
        let Some(from) = self.stories.story(slot).map(|s| s.id.clone()) else {
            return Vec::new();
        };
        let Some((_, members)) = self.stories.split(slot, plan, self.seq, &self.cfg) else {
            return Vec::new();
        };
        members
            .into_iter()
            .map(|(id, duplicate_of)| {
                self.live.set_story(&id, &story);
                Moved {
                    id,
                    from: from.clone(),
                    story: story.clone(),
                    duplicate_of,
                }
            })
            .collect()
    }

    /// Merges into (or with) the joined story every other candidate story that has
    /// become similar to it, unless the merged story would be worth splitting again.
    fn merge_pass(&mut self, joined: u32, others: &[crate::cluster::Scored]) -> Vec<Merge> {
        let mut out = Vec::new();
        let mut cur = joined;
        for c in others.iter().take(4) {
            if c.score < self.cfg.join_threshold {
                break;
            }
            let (Some(a), Some(b)) = (self.stories.story(cur), self.stories.story(c.slot)) else {
                continue;
            };
            let (similarity, loss) = self.stories.story_pair(a, b, &self.cfg);
            if similarity < self.cfg.merge_threshold
                || (self.cfg.split_gain > 0.0 && loss >= self.cfg.split_gain)
            {
                continue;
            }
            let (from, into) = if a.created_seq <= b.created_seq {
                (c.slot, cur)
            } else {
                (cur, c.slot)
            };
            let (Some(fid), Some(iid)) = (
                self.stories.story(from).map(|s| s.id.clone()),
                self.stories.story(into).map(|s| s.id.clone()),
            ) else {
                continue;
            };
            self.stories.merge(from, into, &self.cfg);
            self.redirects.insert(fid.clone(), iid.clone());
            self.redirect_order.push_back(fid.clone());
            out.push(Merge {
                from: fid,
                into: iid,
            });
            cur = into;
        }
        out
    }

    /// A new version of a live article (same id, new text): its fingerprint is
    /// replaced and its duplicate group re-decided; its story is kept.
    /// An id that is no longer live is placed like a new article.
    pub fn update(&mut self, a: &Article<'_>) -> Assignment {
        let Some(old) = self.live.get(a.id).cloned() else {
            return self.add(a);
        };
        let fp = self.fingerprint(a);
        self.update_with(a, old, fp)
    }

    /// [`Engine::update`] of the live article `old` with the new text's fingerprint.
    fn update_with(&mut self, a: &Article<'_>, old: Live, fp: Fingerprint) -> Assignment {
        let dupe = self.find_duplicate(a.id, &fp);
        let story = self.resolve_story(&old.story);
        let (duplicate_of, score) = match dupe {
            Some((root, _, j)) => (Some(root), j),
            None => (None, 0.0),
        };
        self.live.insert(
            Live {
                id: old.id.clone(),
                root: duplicate_of.clone().unwrap_or_else(|| old.id.clone()),
                story: story.clone(),
                sketch: fp.sketch,
                bands: fp.bands,
                title_words: fp.title_words,
                time: a.published.or(old.time),
                seq: self.seq,
            },
            a.published.or(old.time).or(self.clock),
        );
        Assignment {
            id: old.id,
            story,
            duplicate_of,
            new_story: false,
            version: true,
            score,
            merged: Vec::new(),
            moved: Vec::new(),
        }
    }

    /// Re-seeds the engine with an article whose placement is already stored (at
    /// startup, oldest first, typically the articles of the last story window): its
    /// fingerprint, terms and story membership are restored without re-deciding.
    pub fn restore(&mut self, a: &Article<'_>, story: &str, duplicate_of: Option<&str>) {
        self.tick(a.published);
        let id: Arc<str> = Arc::from(a.id);
        let Prepared {
            fingerprint: fp,
            terms,
            ..
        } = Engine::prepare(&self.cfg, a);
        let doc = self.stories.vector_of(&terms, &self.cfg);
        let story = self.resolve_story(story);
        let slot = self.story_slot(&story);
        let centrality = match self.stories.story(slot) {
            Some(s) if s.count > 0 => self.stories.score(&doc, a.published, s, &self.cfg),
            _ => 0.0,
        };
        let root: Option<Arc<str>> = duplicate_of.map(Arc::from);
        self.stories.add(
            slot,
            doc,
            &Joining {
                id: &id,
                duplicate_of: root.as_ref(),
                title: a.title,
                centrality,
                time: a.published,
                source: a.source,
                founder: story == id,
            },
            self.seq,
            &self.cfg,
        );
        self.live.insert(
            Live {
                root: root.unwrap_or_else(|| id.clone()),
                id,
                story,
                sketch: fp.sketch,
                bands: fp.bands,
                title_words: fp.title_words,
                time: a.published,
                seq: self.seq,
            },
            a.published.or(self.clock),
        );
    }

    /// Counts an article's terms into the document frequencies only (no fingerprint,
    /// no story): to warm the term statistics with articles that are not placed.
    pub fn observe(&mut self, a: &Article<'_>) {
        let terms = term_counts(
            a.title,
            &text::terms(a.body, self.cfg.body_words),
            &self.cfg,
        );
        self.stories.count_terms(&terms);
    }

    /// Counts a prepared article's terms into the document frequencies now, rather
    /// than when it is placed ([`Engine::add_prepared`] then counts it no more),
    /// unless `id` is live (a new version of a known article adds nothing to the term
    /// statistics). A caller placing a batch of stored articles counts the whole batch
    /// first, so the first articles of a batch are weighed with the batch's statistics,
    /// as an evaluation with warm statistics weighs them
    /// ([`crate::eval::Options::warm_idf`]).
    pub fn observe_prepared(&mut self, id: &str, p: &mut Prepared) {
        if !p.counted && self.live.get(id).is_none() {
            self.stories.count_terms(&p.terms);
            p.counted = true;
        }
    }

    /// A live story by id (merged ids are followed).
    pub fn story(&self, id: &str) -> Option<StoryView> {
        let id = self.resolve_story(id);
        let s = self.stories.get(&id)?;
        Some(StoryView {
            id: s.id.to_string(),
            title: s.title.clone(),
            first_seen: s.first,
            last_seen: s.last,
            article_count: s.count,
            sources: s.sources.iter().map(|x| x.to_string()).collect(),
        })
    }

    /// Size of the in-memory state.
    pub fn stats(&self) -> Stats {
        Stats {
            articles: self.seq,
            live_articles: self.live.len(),
            live_stories: self.stories.live(),
            redirects: self.redirects.len(),
            approx_bytes: self.live.bytes()
                + self.stories.bytes()
                + self.redirects.len() * 64
                + self.redirect_order.len() * 16,
        }
    }
}

/// Shingle Jaccard similarity of two texts as the engine measures it (exact for
/// texts of up to about 250 words, a bottom-k estimate beyond). Symmetric, in `[0, 1]`.
pub fn text_similarity(a: &str, b: &str, max_words: usize) -> f64 {
    let sa = Sketch::of(&minhash::shingles(a, max_words));
    let sb = Sketch::of(&minhash::shingles(b, max_words));
    sa.jaccard(&sb)
}
