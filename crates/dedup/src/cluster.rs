//! Online story clustering.
//!
//! Each article becomes three sparse, unit-length TF-IDF vectors: its **title** terms,
//! its **text** terms (title counted [`crate::Config::title_boost`] times plus the
//! first [`crate::Config::body_words`] words of the body, where news puts the who,
//! what and where), and its **entity-like** terms (capitalised words and numbers).
//! Document frequencies are counted incrementally in a fixed-size count-min sketch.
//!
//! A story keeps the *sum* of its members' vectors per feature (and its squared norm).
//! By default ([`crate::Config::centroid_linkage`]) an article is scored by the cosine
//! with that sum, i.e. with the story centroid; the alternative is the dot product with
//! the member *mean*, which is exactly the average cosine to the members (average
//! linkage). Both take time independent of the story size. Entity-like terms weigh
//! [`crate::Config::entity_boost`] times more in the text vector: two events of one
//! kind (two Oscar hosts, two office shootings) share their vocabulary and differ in
//! names, places and figures. Features with weight 0 are not computed. The per-feature
//! scores are combined with fixed weights over the features both sides have (a missing
//! title does not count against an article).
//!
//! Candidate stories come from an inverted index of each article's most salient
//! terms, with bounded posting lists; stories whose last article is older than the
//! window, or beyond the story cap, leave the candidate set.

// The three features are parallel arrays indexed by feature number.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;
use std::sync::Arc;

use crate::fasthash::FastMap;
use crate::text;
use crate::Config;

const FEATURES: usize = 3;
const TITLE: usize = 0;
const TEXT: usize = 1;
const ENTITY: usize = 2;

/// Count-min sketch of document frequencies: fixed memory, never under-counts.
pub(crate) struct DocFreq {
    rows: Vec<Vec<u32>>,
    mask: u64,
    docs: u64,
}

impl DocFreq {
    fn new(log2_width: u32) -> Self {
        let w = 1usize << log2_width;
        DocFreq {
            rows: vec![vec![0; w]; 2],
            mask: (w as u64) - 1,
            docs: 0,
        }
    }

    fn slot(&self, row: usize, h: u64) -> usize {
        let x = if row == 0 { h } else { h.rotate_left(29) };
        (x & self.mask) as usize
    }

    fn add_doc(&mut self, distinct_terms: impl Iterator<Item = u64>) {
        self.docs += 1;
        for h in distinct_terms {
            for r in 0..self.rows.len() {
                let s = self.slot(r, h);
                self.rows[r][s] = self.rows[r][s].saturating_add(1);
            }
        }
    }

    fn df(&self, h: u64) -> u32 {
        (0..self.rows.len())
            .map(|r| self.rows[r][self.slot(r, h)])
            .min()
            .unwrap_or(0)
    }

    /// Smoothed inverse document frequency, ≥ 1.
    fn idf(&self, h: u64) -> f32 {
        let n = self.docs as f64;
        (((n + 1.0) / (f64::from(self.df(h)) + 1.0)).ln() + 1.0).max(1.0) as f32
    }

    fn bytes(&self) -> usize {
        self.rows.iter().map(|r| r.len() * 4).sum()
    }
}

/// A sparse vector: (term hash, weight), sorted by descending weight.
pub(crate) type SparseVec = Vec<(u64, f32)>;

/// The three vectors of one article.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocVectors {
    pub v: [SparseVec; FEATURES],
    /// Terms to index and to look candidates up by.
    pub keys: Vec<u64>,
}

fn weigh(
    counts: &FastMap<u64, f32>,
    df: &DocFreq,
    max_terms: usize,
    idf_power: f32,
    boost: impl Fn(u64) -> f32,
) -> SparseVec {
    let mut v: SparseVec = counts
        .iter()
        .filter(|(_, &c)| c > 0.0 && c.is_finite())
        .map(|(&h, &c)| {
            let idf = df.idf(h);
            let idf = if idf_power == 1.0 {
                idf
            } else {
                idf.powf(idf_power)
            };
            (h, (1.0 + c.max(1.0).ln()) * idf * boost(h))
        })
        .collect();
    v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(max_terms);
    let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            x.1 /= norm;
        }
    }
    v
}

/// Per-story state.
#[derive(Debug, Clone)]
pub(crate) struct Story {
    pub id: Arc<str>,
    pub gen: u32,
    pub created_seq: u64,
    pub title: String,
    title_score: f32,
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub last_seq: u64,
    pub count: u32,
    pub sources: Vec<Arc<str>>,
    sum: [FastMap<u64, f32>; FEATURES],
    /// Squared Euclidean norm of each `sum` (kept exact on add, prune and merge).
    norm2: [f32; FEATURES],
    n: [u32; FEATURES],
}

impl Story {
    /// What a dot product with `sum` is divided by: the member count for average
    /// linkage (mean cosine to the members), the norm for centroid linkage (cosine to
    /// the centroid).
    fn denominator(&self, f: usize, cfg: &Config) -> f64 {
        if cfg.centroid_linkage {
            f64::from(self.norm2[f]).sqrt().max(1e-9)
        } else {
            f64::from(self.n[f])
        }
    }

    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.title.capacity()
            + self.sources.capacity() * 16
            + self.sum.iter().map(|m| m.capacity() * 16).sum::<usize>()
    }
}

/// Most distinct sources remembered per story (the article count stays exact).
const MAX_SOURCES: usize = 512;
/// Longest posting list per term (most recent stories kept).
const MAX_POSTINGS: usize = 48;

pub(crate) struct Stories {
    pub df: DocFreq,
    slots: Vec<Option<Story>>,
    free: Vec<u32>,
    next_gen: u32,
    by_id: HashMap<Arc<str>, u32>,
    postings: FastMap<u64, Vec<(u32, u32)>>,
    live: usize,
    since_sweep: usize,
}

/// A scored candidate story.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub slot: u32,
    pub score: f64,
}

impl Stories {
    pub fn new() -> Self {
        Stories {
            df: DocFreq::new(20),
            slots: Vec::new(),
            free: Vec::new(),
            next_gen: 1,
            by_id: HashMap::new(),
            postings: FastMap::default(),
            live: 0,
            since_sweep: 0,
        }
    }

    pub fn live(&self) -> usize {
        self.live
    }

    pub fn bytes(&self) -> usize {
        self.df.bytes()
            + self.slots.iter().flatten().map(Story::bytes).sum::<usize>()
            + self
                .postings
                .values()
                .map(|p| 24 + p.capacity() * 8)
                .sum::<usize>()
            + self.by_id.len() * 48
    }

    pub fn get(&self, id: &str) -> Option<&Story> {
        let slot = *self.by_id.get(id)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    pub fn slot_of(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn story(&self, slot: u32) -> Option<&Story> {
        self.slots.get(slot as usize)?.as_ref()
    }

    /// Builds an article's vectors and counts its terms into the document frequencies.
    pub fn vectors(&mut self, title: &str, body: &str, cfg: &Config) -> DocVectors {
        let tt = text::terms(title, 48);
        let bt = text::terms(body, cfg.body_words);
        let mut counts: [FastMap<u64, f32>; FEATURES] = [
            FastMap::default(),
            FastMap::with_capacity_and_hasher(bt.len() + tt.len(), Default::default()),
            FastMap::default(),
        ];
        for t in &tt {
            *counts[TITLE].entry(t.hash).or_insert(0.0) += 1.0;
            *counts[TEXT].entry(t.hash).or_insert(0.0) += cfg.title_boost;
            if t.entity {
                *counts[ENTITY].entry(t.hash).or_insert(0.0) += 1.0;
            }
        }
        for t in &bt {
            *counts[TEXT].entry(t.hash).or_insert(0.0) += 1.0;
            if t.entity {
                *counts[ENTITY].entry(t.hash).or_insert(0.0) += 1.0;
            }
        }
        self.df.add_doc(counts[TEXT].keys().copied());
        let ents = &counts[ENTITY];
        let eb = cfg.entity_boost;
        let w = cfg.weights();
        let v = [
            if w[TITLE] > 0.0 {
                weigh(&counts[TITLE], &self.df, 32, cfg.idf_power, |_| 1.0)
            } else {
                SparseVec::new()
            },
            weigh(
                &counts[TEXT],
                &self.df,
                cfg.vector_terms,
                cfg.idf_power,
                |h| {
                    if eb != 1.0 && ents.contains_key(&h) {
                        eb
                    } else {
                        1.0
                    }
                },
            ),
            if w[ENTITY] > 0.0 {
                weigh(
                    &counts[ENTITY],
                    &self.df,
                    cfg.vector_terms / 2,
                    cfg.idf_power,
                    |_| 1.0,
                )
            } else {
                SparseVec::new()
            },
        ];
        let mut keys: Vec<u64> = v[TEXT].iter().take(cfg.index_terms).map(|x| x.0).collect();
        for x in v[ENTITY].iter().take(cfg.index_terms / 2) {
            if !keys.contains(&x.0) {
                keys.push(x.0);
            }
        }
        DocVectors { v, keys }
    }

    /// Candidate stories for an article, scored.
    pub fn candidates(&self, doc: &DocVectors, time: Option<i64>, cfg: &Config) -> Vec<Scored> {
        // Live stories posted under the article's keys, counted by sorting (cheaper
        // than a hash map for a few hundred postings).
        let mut hits: Vec<u32> = Vec::with_capacity(doc.keys.len() * 16);
        for k in &doc.keys {
            if let Some(p) = self.postings.get(k) {
                for &(slot, gen) in p {
                    match self.slots.get(slot as usize) {
                        Some(Some(s)) if s.gen == gen => hits.push(slot),
                        _ => {}
                    }
                }
            }
        }
        hits.sort_unstable();
        let mut c: Vec<(u32, u32)> = Vec::new();
        for &slot in &hits {
            match c.last_mut() {
                Some(last) if last.0 == slot => last.1 += 1,
                _ => c.push((slot, 1)),
            }
        }
        c.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        c.truncate(cfg.max_candidates);
        let mut out: Vec<Scored> = c
            .into_iter()
            .filter_map(|(slot, _)| {
                let s = self.story(slot)?;
                Some(Scored {
                    slot,
                    score: self.score(doc, time, s, cfg),
                })
            })
            .collect();
        out.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.slot.cmp(&b.slot)));
        out
    }

    /// Similarity of an article to a story (centroid cosine or average link), with time
    /// decay.
    pub fn score(&self, doc: &DocVectors, time: Option<i64>, s: &Story, cfg: &Config) -> f64 {
        let w = cfg.weights();
        let (mut total, mut wsum) = (0.0f64, 0.0f64);
        for f in 0..FEATURES {
            if doc.v[f].is_empty() || s.n[f] == 0 || w[f] <= 0.0 {
                continue;
            }
            let dot: f32 = doc.v[f]
                .iter()
                .map(|(h, x)| x * s.sum[f].get(h).copied().unwrap_or(0.0))
                .sum();
            total += w[f] * f64::from(dot) / s.denominator(f, cfg);
            wsum += w[f];
        }
        if wsum == 0.0 {
            return 0.0;
        }
        (total / wsum).clamp(0.0, 1.0) * decay(time, s.first, s.last, cfg)
    }

    /// Cohesion of a story: the mean similarity between two of its members (the
    /// average-link similarity of the story with itself, excluding self-pairs), from
    /// `|sum|² = n + 2·Σ_{i<j} cos(m_i, m_j)` for unit member vectors. `None` below two
    /// members.
    pub fn cohesion(&self, s: &Story, cfg: &Config) -> Option<f64> {
        let w = cfg.weights();
        let (mut total, mut wsum) = (0.0f64, 0.0f64);
        for f in 0..FEATURES {
            let n = f64::from(s.n[f]);
            if s.n[f] < 2 || w[f] <= 0.0 {
                continue;
            }
            let sq: f64 = s.sum[f]
                .values()
                .map(|&x| f64::from(x) * f64::from(x))
                .sum();
            total += w[f] * ((sq - n) / (n * (n - 1.0))).clamp(0.0, 1.0);
            wsum += w[f];
        }
        (wsum > 0.0).then(|| total / wsum)
    }

    /// Similarity of two stories: centroid cosine, or the mean pairwise member
    /// similarity (average link).
    pub fn story_similarity(&self, a: &Story, b: &Story, cfg: &Config) -> f64 {
        let w = cfg.weights();
        let (mut total, mut wsum) = (0.0f64, 0.0f64);
        for f in 0..FEATURES {
            if a.n[f] == 0 || b.n[f] == 0 || w[f] <= 0.0 {
                continue;
            }
            let (x, y) = if a.sum[f].len() <= b.sum[f].len() {
                (&a.sum[f], &b.sum[f])
            } else {
                (&b.sum[f], &a.sum[f])
            };
            let dot: f32 = x
                .iter()
                .map(|(h, v)| v * y.get(h).copied().unwrap_or(0.0))
                .sum();
            total += w[f] * f64::from(dot) / (a.denominator(f, cfg) * b.denominator(f, cfg));
            wsum += w[f];
        }
        if wsum == 0.0 {
            return 0.0;
        }
        let gap = decay(a.first, b.first, b.last, cfg).min(decay(a.last, b.first, b.last, cfg));
        (total / wsum).clamp(0.0, 1.0) * gap
    }

    /// Creates an empty story.
    pub fn create(&mut self, id: Arc<str>, seq: u64) -> u32 {
        let gen = self.next_gen;
        self.next_gen = self.next_gen.wrapping_add(1).max(1);
        let story = Story {
            id: id.clone(),
            gen,
            created_seq: seq,
            title: String::new(),
            title_score: -1.0,
            first: None,
            last: None,
            last_seq: seq,
            count: 0,
            sources: Vec::new(),
            sum: Default::default(),
            norm2: [0.0; FEATURES],
            n: [0; FEATURES],
        };
        let slot = if let Some(s) = self.free.pop() {
            self.slots[s as usize] = Some(story);
            s
        } else {
            self.slots.push(Some(story));
            u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
        };
        self.by_id.insert(id, slot);
        self.live += 1;
        slot
    }

    /// Adds an article to a story.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        slot: u32,
        doc: &DocVectors,
        title: &str,
        centrality: f64,
        time: Option<i64>,
        source: Option<&str>,
        seq: u64,
        cfg: &Config,
    ) {
        let Some(Some(s)) = self.slots.get_mut(slot as usize) else {
            return;
        };
        let gen = s.gen;
        for f in 0..FEATURES {
            if doc.v[f].is_empty() {
                continue;
            }
            let mut n2 = s.norm2[f];
            for (h, x) in &doc.v[f] {
                let e = s.sum[f].entry(*h).or_insert(0.0);
                n2 += (*e + x) * (*e + x) - *e * *e;
                *e += x;
            }
            s.norm2[f] = n2;
            s.n[f] += 1;
            if prune(&mut s.sum[f], cfg.story_terms) {
                s.norm2[f] = norm2(&s.sum[f]);
            }
        }
        s.count += 1;
        s.last_seq = seq;
        if let Some(t) = time {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        if let Some(src) = source.filter(|x| !x.is_empty()) {
            if s.sources.len() < MAX_SOURCES && !s.sources.iter().any(|x| &**x == src) {
                s.sources.push(Arc::from(src));
            }
        }
        let title = title.trim();
        if !title.is_empty() && centrality as f32 > s.title_score {
            s.title = title.chars().take(300).collect();
            s.title_score = centrality as f32;
        }
        for k in &doc.keys {
            let p = self.postings.entry(*k).or_default();
            if p.last().map(|x| x.0) == Some(slot) {
                continue;
            }
            if p.len() >= MAX_POSTINGS {
                p.remove(0);
            }
            p.push((slot, gen));
        }
    }

    /// Merges story `from` into story `into`; `from` is removed.
    pub fn merge(&mut self, from: u32, into: u32, cfg: &Config) {
        if from == into {
            return;
        }
        let Some(f) = self.slots.get_mut(from as usize).and_then(Option::take) else {
            return;
        };
        self.by_id.remove(&f.id);
        self.free.push(from);
        self.live -= 1;
        let Some(Some(s)) = self.slots.get_mut(into as usize) else {
            return;
        };
        let gen = s.gen;
        let mut keys: Vec<(u64, f32)> = Vec::new();
        for fe in 0..FEATURES {
            for (h, x) in &f.sum[fe] {
                *s.sum[fe].entry(*h).or_insert(0.0) += x;
                if fe == TEXT {
                    keys.push((*h, *x));
                }
            }
            s.n[fe] += f.n[fe];
            prune(&mut s.sum[fe], cfg.story_terms);
            s.norm2[fe] = norm2(&s.sum[fe]);
        }
        s.count += f.count;
        s.last_seq = s.last_seq.max(f.last_seq);
        s.first = match (s.first, f.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        s.last = match (s.last, f.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for src in f.sources {
            if s.sources.len() < MAX_SOURCES && !s.sources.contains(&src) {
                s.sources.push(src);
            }
        }
        if f.title_score > s.title_score && !f.title.is_empty() {
            s.title = f.title;
            s.title_score = f.title_score;
        }
        // Re-index the merged story's strongest terms under the surviving story.
        keys.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        for (k, _) in keys.into_iter().take(cfg.index_terms * 2) {
            let p = self.postings.entry(k).or_default();
            if p.last().map(|x| x.0) == Some(into) {
                continue;
            }
            if p.len() >= MAX_POSTINGS {
                p.remove(0);
            }
            p.push((into, gen));
        }
    }

    /// Removes stories whose last dated article is older than `horizon`, then the
    /// least recently extended ones beyond `cap`. Returns the removed ids.
    pub fn evict(&mut self, horizon: Option<i64>, cap: usize) -> Vec<Arc<str>> {
        let mut gone = Vec::new();
        let mut alive: Vec<(u64, u32)> = Vec::new();
        for (i, s) in self.slots.iter_mut().enumerate() {
            let Some(st) = s else { continue };
            let expired = matches!((st.last, horizon), (Some(l), Some(h)) if l < h);
            if expired {
                gone.push(st.id.clone());
                *s = None;
                self.free.push(i as u32);
            } else {
                alive.push((st.last_seq, i as u32));
            }
        }
        if alive.len() > cap {
            alive.sort_unstable();
            let drop = alive.len() - cap * 9 / 10;
            for &(_, i) in &alive[..drop] {
                if let Some(st) = self.slots[i as usize].take() {
                    gone.push(st.id);
                    self.free.push(i);
                }
            }
        }
        for id in &gone {
            self.by_id.remove(id);
        }
        self.live -= gone.len();
        self.since_sweep += gone.len();
        if self.since_sweep > 4096 || self.since_sweep > self.live {
            self.sweep_postings();
        }
        gone
    }

    fn sweep_postings(&mut self) {
        let slots = &self.slots;
        self.postings.retain(|_, p| {
            p.retain(
                |&(slot, gen)| matches!(slots.get(slot as usize), Some(Some(s)) if s.gen == gen),
            );
            !p.is_empty()
        });
        self.since_sweep = 0;
    }
}

/// Keeps a story's summed vector bounded: beyond `4 × max` terms, only the `2 × max`
/// heaviest stay (the dropped tail contributes almost nothing to dot products).
fn prune(m: &mut FastMap<u64, f32>, max: usize) -> bool {
    if m.len() <= max * 4 {
        return false;
    }
    let mut v: Vec<(u64, f32)> = m.drain().collect();
    v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(max * 2);
    m.extend(v);
    true
}

fn norm2(m: &FastMap<u64, f32>) -> f32 {
    m.values().map(|x| x * x).sum()
}

/// Time decay between an article (or story) time and a story's dated span: 1 inside
/// the span or when either side is undated, then `exp(-(gap - grace) / tau)` beyond a
/// grace period.
pub(crate) fn decay(t: Option<i64>, first: Option<i64>, last: Option<i64>, cfg: &Config) -> f64 {
    let (Some(t), Some(first), Some(last)) = (t, first, last) else {
        return 1.0;
    };
    let gap = if t < first {
        first - t
    } else if t > last {
        t - last
    } else {
        0
    };
    let days = gap as f64 / 86_400.0 - cfg.decay_grace_days;
    if days <= 0.0 || cfg.decay_days <= 0.0 {
        1.0
    } else {
        (-days / cfg.decay_days).exp()
    }
}
