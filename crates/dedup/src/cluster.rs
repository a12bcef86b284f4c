//! Online story clustering.
//!
//! Each article becomes one sparse, unit-length TF-IDF vector of its **text**: title
//! terms counted [`crate::Config::title_boost`] times plus the first
//! [`crate::Config::body_words`] words of the body, where news puts the who, what and
//! where. Entity-like terms (capitalised words and numbers) weigh
//! [`crate::Config::entity_boost`] times more: two events of one kind (two Oscar hosts,
//! two office shootings) share their vocabulary and differ in names, places and
//! figures. Document frequencies are counted incrementally in a fixed-size count-min
//! sketch.
//!
//! A story keeps the *sum* of its members' vectors and its squared norm; an article is
//! scored by the cosine with that sum, i.e. with the story centroid, in time
//! independent of the story size, times a time decay.
//!
//! While a story is small (up to [`crate::Config::split_max_members`] articles) it also
//! keeps its members' vectors, so that it can be **split** when its members turn out to
//! form two groups (see [`crate::split`]).
//!
//! Candidate stories come from an inverted index of each article's most salient
//! terms, with bounded posting lists; stories whose last article is older than the
//! window, or beyond the story cap, leave the candidate set.

use std::collections::HashMap;
use std::sync::Arc;

use crate::fasthash::FastMap;
use crate::split;
use crate::text;
use crate::Config;

/// Count-min sketch of document frequencies: fixed memory, never under-counts.
///
/// Each term has two counters (its df is the smaller), placed in one 64-byte block so
/// that counting and reading a term touches one cache line, not two: the table is
/// megabytes, every article reads and writes it at about a hundred random places, and
/// beside an import those misses, not arithmetic, are what it costs.
pub(crate) struct DocFreq {
    blocks: Vec<CounterBlock>,
    mask: u64,
    docs: u64,
}

/// Sixteen counters on one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct CounterBlock([u32; 16]);

impl DocFreq {
    /// A sketch of `2^log2_width` counters per row (two rows).
    fn new(log2_width: u32) -> Self {
        let blocks = (1usize << log2_width) * 2 / 16;
        DocFreq {
            blocks: vec![CounterBlock([0; 16]); blocks],
            mask: (blocks as u64) - 1,
            docs: 0,
        }
    }

    /// The block of a term and its two (distinct) counters in it.
    fn cells(&self, h: u64) -> (usize, usize, usize) {
        let block = (h & self.mask) as usize;
        let i = ((h >> 40) & 15) as usize;
        let j = (i + 1 + ((h >> 44) % 15) as usize) & 15;
        (block, i, j)
    }

    fn add_doc(&mut self, distinct_terms: impl Iterator<Item = u64>) {
        self.docs += 1;
        for h in distinct_terms {
            let (b, i, j) = self.cells(h);
            let block = &mut self.blocks[b].0;
            block[i] = block[i].saturating_add(1);
            block[j] = block[j].saturating_add(1);
        }
    }

    fn df(&self, h: u64) -> u32 {
        let (b, i, j) = self.cells(h);
        let block = &self.blocks[b].0;
        block[i].min(block[j])
    }

    /// Smoothed inverse document frequency, ≥ 1.
    fn idf(&self, h: u64) -> f32 {
        let n = self.docs as f64;
        (((n + 1.0) / (f64::from(self.df(h)) + 1.0)).ln() + 1.0).max(1.0) as f32
    }

    fn bytes(&self) -> usize {
        self.blocks.len() * std::mem::size_of::<CounterBlock>()
    }
}

/// The key of a term in story sums and postings: the top half of its 64-bit hash.
///
/// Story sums are read at random, 64 terms for each of a dozen candidate stories per
/// article, so their size in cache is what scoring costs; half-size keys halve it. Two
/// terms of one story share a key in about one story in thirty thousand (a story sums
/// 512 terms at most), and then merely add up.
pub(crate) fn term_key(h: u64) -> u32 {
    (h >> 32) as u32
}

/// A sparse vector: (term hash, weight).
pub(crate) type SparseVec = Vec<(u64, f32)>;

/// The vector of one article.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocVector {
    /// Unit vector, sorted by term hash.
    pub v: SparseVec,
    /// Its strongest terms ([`term_key`]): to index and to look candidates up by.
    pub keys: Vec<u32>,
}

/// One article of a story that is still small enough to be split.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub id: Arc<str>,
    pub duplicate_of: Option<Arc<str>>,
    v: SparseVec,
    keys: Vec<u32>,
    time: Option<i64>,
    source: Option<Arc<str>>,
    title: Box<str>,
    centrality: f32,
    /// The article started a story of its own (its id is or was a story id).
    founder: bool,
}

impl Member {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.v.capacity() * 16
            + self.keys.capacity() * 4
            + self.title.len()
            + self.id.len()
    }
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
    /// The sum of the members' vectors, by [`term_key`].
    sum: FastMap<u32, f32>,
    /// Squared Euclidean norm of `sum` (kept exact on add, prune and merge).
    norm2: f32,
    /// Every member, while the story is small enough to be split (else empty).
    members: Vec<Member>,
    /// `members` holds every article of the story.
    complete: bool,
    /// Member count at the last split check.
    split_checked: u32,
}

impl Story {
    fn norm(&self) -> f64 {
        f64::from(self.norm2).sqrt()
    }

    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.title.capacity()
            + self.sources.capacity() * 16
            + self.sum.capacity() * 8
            + self.members.iter().map(Member::bytes).sum::<usize>()
    }
}

/// Most distinct sources remembered per story (the article count stays exact).
const MAX_SOURCES: usize = 512;
/// Longest posting list per term (most recent stories kept).
const MAX_POSTINGS: usize = 48;

pub(crate) struct Stories {
    pub df: DocFreq,
    slots: Vec<Option<Story>>,
    /// Per slot: its story's generation and its candidate tally (see [`SlotState`]).
    state: Vec<SlotState>,
    free: Vec<u32>,
    next_gen: u32,
    by_id: HashMap<Arc<str>, u32>,
    postings: FastMap<u32, Vec<(u32, u32)>>,
    live: usize,
    since_sweep: usize,
    stamp: u32,
}

/// What [`Stories::candidates`] reads of a slot for each posting, side by side: a
/// posting is counted only when it names the slot's current generation, and a posting
/// list is dozens of slots at random, so one memory access per posting, not two, is
/// what counting costs.
#[derive(Debug, Clone, Copy, Default)]
struct SlotState {
    /// The generation of the slot's story (0: empty).
    gen: u32,
    /// The `candidates` call that last counted the slot.
    stamp: u32,
    /// Postings counted in that call.
    count: u32,
}

/// A scored candidate story.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub slot: u32,
    pub score: f64,
}

/// An article joining a story.
pub(crate) struct Joining<'a> {
    pub id: &'a Arc<str>,
    pub duplicate_of: Option<&'a Arc<str>>,
    pub title: &'a str,
    /// How well it matched the story (for the story title).
    pub centrality: f64,
    pub time: Option<i64>,
    pub source: Option<&'a str>,
    /// It started the story.
    pub founder: bool,
}

/// A split decided by [`Stories::plan_split`]: the members that leave, and the id of
/// the story they form.
pub(crate) struct SplitPlan {
    leaving: Vec<bool>,
    pub new_id: Arc<str>,
}

/// An article's distinct content terms: (term hash, count with title terms counted
/// [`Config::title_boost`] times, entity-like). Needs no engine state, so it can be
/// computed ahead of the article's turn.
pub(crate) type TermCounts = Vec<(u64, f32, bool)>;

/// The [`TermCounts`] of a title and of a body's content terms.
pub(crate) fn term_counts(title: &str, body_terms: &[text::Term], cfg: &Config) -> TermCounts {
    let mut counts: FastMap<u64, (f32, bool)> = FastMap::default();
    counts.reserve(body_terms.len() + 16);
    for t in text::terms(title, 48) {
        let e = counts.entry(t.hash).or_insert((0.0, false));
        e.0 += cfg.title_boost;
        e.1 |= t.entity;
    }
    for t in body_terms {
        let e = counts.entry(t.hash).or_insert((0.0, false));
        e.0 += 1.0;
        e.1 |= t.entity;
    }
    counts.into_iter().map(|(h, (c, e))| (h, c, e)).collect()
}

impl Stories {
    pub fn new() -> Self {
        Stories {
            df: DocFreq::new(20),
            slots: Vec::new(),
            state: Vec::new(),
            free: Vec::new(),
            next_gen: 1,
            by_id: HashMap::new(),
            postings: FastMap::default(),
            live: 0,
            since_sweep: 0,
            stamp: 0,
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

    /// Counts an article's terms into the document frequencies, as
    /// [`Stories::vector_of`] does first.
    pub fn count_terms(&mut self, counts: &TermCounts) {
        self.df.add_doc(counts.iter().map(|t| t.0));
    }

    /// An article's vector from its [`term_counts`]; counts its terms into the
    /// document frequencies first, so a term's first article already sees it.
    pub fn vector_of(&mut self, counts: &TermCounts, cfg: &Config) -> DocVector {
        self.df.add_doc(counts.iter().map(|t| t.0));
        self.weigh(counts, cfg)
    }

    /// An article's vector from its [`term_counts`], whose terms are counted already.
    pub fn weigh(&self, counts: &TermCounts, cfg: &Config) -> DocVector {
        let eb = cfg.entity_boost;
        let mut v: SparseVec = counts
            .iter()
            .filter(|&&(_, c, _)| c > 0.0 && c.is_finite())
            .map(|&(h, c, entity)| {
                let boost = if entity { eb } else { 1.0 };
                (h, (1.0 + c.max(1.0).ln()) * self.df.idf(h) * boost)
            })
            .collect();
        // The strongest terms, and the strongest of those to index; neither set needs
        // an order of its own.
        let strongest = |a: &(u64, f32), b: &(u64, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if v.len() > cfg.vector_terms && cfg.vector_terms > 0 {
            v.select_nth_unstable_by(cfg.vector_terms - 1, strongest);
        }
        v.truncate(cfg.vector_terms);
        if v.len() > cfg.index_terms && cfg.index_terms > 0 {
            v.select_nth_unstable_by(cfg.index_terms - 1, strongest);
        }
        let keys: Vec<u32> = v
            .iter()
            .take(cfg.index_terms)
            .map(|x| term_key(x.0))
            .collect();
        v.sort_unstable_by_key(|x| x.0);
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                x.1 /= norm;
            }
        }
        DocVector { v, keys }
    }

    /// Candidate stories for an article, scored, best first: the live stories posted
    /// most often under the article's keys.
    pub fn candidates(&mut self, doc: &DocVector, time: Option<i64>, cfg: &Config) -> Vec<Scored> {
        // Postings are counted per slot in a table stamped per call (no clearing, no
        // hashing).
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.state
                .iter_mut()
                .for_each(|t| (t.stamp, t.count) = (0, 0));
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let mut c: Vec<(u32, u32)> = Vec::with_capacity(4 * cfg.max_candidates);
        for k in &doc.keys {
            let Some(p) = self.postings.get(k) else {
                continue;
            };
            for &(slot, gen) in p {
                let Some(t) = self.state.get_mut(slot as usize).filter(|t| t.gen == gen) else {
                    continue;
                };
                if t.stamp != stamp {
                    (t.stamp, t.count) = (stamp, 0);
                    c.push((slot, 0));
                }
                t.count += 1;
            }
        }
        for x in &mut c {
            x.1 = self.state[x.0 as usize].count;
        }
        let order = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if c.len() > cfg.max_candidates && cfg.max_candidates > 0 {
            c.select_nth_unstable_by(cfg.max_candidates - 1, order);
        }
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

    /// Similarity of an article to a story: cosine with the centroid, with time decay.
    pub fn score(&self, doc: &DocVector, time: Option<i64>, s: &Story, cfg: &Config) -> f64 {
        if doc.v.is_empty() || s.count == 0 || s.norm2 <= 0.0 {
            return 0.0;
        }
        let dot: f32 = doc
            .v
            .iter()
            .map(|(h, x)| x * s.sum.get(&term_key(*h)).copied().unwrap_or(0.0))
            .sum();
        (f64::from(dot) / s.norm()).clamp(0.0, 1.0) * decay(time, s.first, s.last, cfg)
    }

    /// Similarity of two stories (centroid cosine, with time decay), and what merging
    /// them gives up: `|Σa| + |Σb| − |Σa + Σb|`, the split gain of the merged story
    /// along the line between the two (see [`crate::split`]).
    pub fn story_pair(&self, a: &Story, b: &Story, cfg: &Config) -> (f64, f64) {
        if a.norm2 <= 0.0 || b.norm2 <= 0.0 {
            return (0.0, 0.0);
        }
        let dot = f64::from(sum_dot(&a.sum, &b.sum));
        let (na, nb) = (f64::from(a.norm2), f64::from(b.norm2));
        let gap = decay(a.first, b.first, b.last, cfg).min(decay(a.last, b.first, b.last, cfg));
        let similarity = (dot / (na * nb).sqrt()).clamp(0.0, 1.0) * gap;
        let loss = na.sqrt() + nb.sqrt() - (na + nb + 2.0 * dot).max(0.0).sqrt();
        (similarity, loss)
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
            sum: FastMap::default(),
            norm2: 0.0,
            members: Vec::new(),
            complete: true,
            split_checked: 0,
        };
        let slot = if let Some(s) = self.free.pop() {
            self.slots[s as usize] = Some(story);
            self.state[s as usize].gen = gen;
            s
        } else {
            self.slots.push(Some(story));
            self.state.push(SlotState {
                gen,
                ..SlotState::default()
            });
            u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
        };
        self.by_id.insert(id, slot);
        self.live += 1;
        slot
    }

    /// Adds an article to a story.
    pub fn add(&mut self, slot: u32, doc: DocVector, a: &Joining<'_>, seq: u64, cfg: &Config) {
        let Some(Some(s)) = self.slots.get_mut(slot as usize) else {
            return;
        };
        let gen = s.gen;
        if !doc.v.is_empty() {
            let mut n2 = s.norm2;
            for (h, x) in &doc.v {
                let e = s.sum.entry(term_key(*h)).or_insert(0.0);
                n2 += (*e + x) * (*e + x) - *e * *e;
                *e += x;
            }
            s.norm2 = n2;
            if prune(&mut s.sum, cfg.story_terms) {
                s.norm2 = norm2(&s.sum);
            }
        }
        s.count += 1;
        s.last_seq = seq;
        if let Some(t) = a.time {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        let mut source: Option<Arc<str>> = None;
        if let Some(src) = a.source.filter(|x| !x.is_empty()) {
            source = s.sources.iter().find(|x| &***x == src).cloned();
            if source.is_none() && s.sources.len() < MAX_SOURCES {
                let arc: Arc<str> = Arc::from(src);
                s.sources.push(arc.clone());
                source = Some(arc);
            }
        }
        let title = a.title.trim();
        let title: String = title.chars().take(300).collect();
        if !title.is_empty() && a.centrality as f32 > s.title_score {
            s.title.clone_from(&title);
            s.title_score = a.centrality as f32;
        }
        if s.complete && cfg.split_gain > 0.0 && s.members.len() < cfg.split_max_members {
            s.members.push(Member {
                id: a.id.clone(),
                duplicate_of: a.duplicate_of.cloned(),
                v: doc.v,
                keys: doc.keys.clone(),
                time: a.time,
                source: source.or_else(|| a.source.filter(|x| !x.is_empty()).map(Arc::from)),
                title: title.into_boxed_str(),
                centrality: a.centrality as f32,
                founder: a.founder,
            });
        } else {
            s.complete = false;
            s.members = Vec::new();
        }
        self.post(slot, gen, &doc.keys);
    }

    fn post(&mut self, slot: u32, gen: u32, keys: &[u32]) {
        for k in keys {
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
        self.state[from as usize].gen = 0;
        self.by_id.remove(&f.id);
        self.free.push(from);
        self.live -= 1;
        let Some(Some(s)) = self.slots.get_mut(into as usize) else {
            return;
        };
        let gen = s.gen;
        let mut keys: Vec<(u32, f32)> = Vec::with_capacity(f.sum.len());
        for (h, x) in &f.sum {
            *s.sum.entry(*h).or_insert(0.0) += x;
            keys.push((*h, *x));
        }
        prune(&mut s.sum, cfg.story_terms);
        s.norm2 = norm2(&s.sum);
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
        if s.complete && f.complete && s.members.len() + f.members.len() <= cfg.split_max_members {
            s.members.extend(f.members);
        } else {
            s.complete = false;
            s.members = Vec::new();
        }
        // Re-index the merged story's strongest terms under the surviving story.
        keys.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let keys: Vec<u32> = keys
            .into_iter()
            .take(cfg.index_terms * 2)
            .map(|x| x.0)
            .collect();
        self.post(into, gen, &keys);
    }

    /// Whether a story should be split now, and how (see [`crate::split`]). Checked
    /// when a small story has grown by a quarter since its last check, so the work per
    /// story stays logarithmic in its size.
    pub fn plan_split(&mut self, slot: u32, cfg: &Config) -> Option<SplitPlan> {
        let min_part = cfg.split_min_part.max(1);
        let s = self.slots.get_mut(slot as usize)?.as_mut()?;
        let n = s.members.len();
        if cfg.split_gain <= 0.0 || !s.complete || n < 2 * min_part {
            return None;
        }
        let due = (s.split_checked as usize * 5 / 4 + 1).max(2 * min_part);
        if n < due {
            return None;
        }
        s.split_checked = u32::try_from(n).unwrap_or(u32::MAX);
        let vs: Vec<&[(u64, f32)]> = s.members.iter().map(|m| m.v.as_slice()).collect();
        let sim = split::cosine_matrix(&vs);
        let (mut side, _) = split::best_split(&sim, n)?;
        // Copies stay with their canonical article when it is a member.
        let index: HashMap<&str, usize> = s
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (&*m.id, i))
            .collect();
        for i in 0..n {
            if let Some(root) = s.members[i].duplicate_of.as_deref() {
                if let Some(&r) = index.get(root) {
                    side[i] = side[r];
                }
            }
        }
        // The story's first article keeps the story (and its id).
        let keeper = s.members.iter().position(|m| m.id == s.id).unwrap_or(0);
        if side[keeper] {
            side.iter_mut().for_each(|x| *x = !*x);
        }
        let leaving = side.iter().filter(|&&x| x).count();
        if leaving < min_part || n - leaving < min_part {
            return None;
        }
        let gain = split::split_gain(&sim, n, &side);
        if gain <= cfg.split_gain {
            return None;
        }
        // The new story's id is its first article's, unless that article's id is or
        // was a story id already (a founder of a story merged in): ids never return.
        let new_id = s
            .members
            .iter()
            .zip(&side)
            .find(|(m, &l)| l && !m.founder)
            .map(|(m, _)| m.id.clone())?;
        Some(SplitPlan {
            leaving: side,
            new_id,
        })
    }

    /// Carries out a split: the leaving members form a new story. Returns its slot and
    /// the members that moved (id and canonical article).
    #[allow(clippy::type_complexity)]
    pub fn split(
        &mut self,
        slot: u32,
        plan: SplitPlan,
        seq: u64,
        cfg: &Config,
    ) -> Option<(u32, Vec<(Arc<str>, Option<Arc<str>>)>)> {
        let s = self.slots.get_mut(slot as usize)?.as_mut()?;
        let (mut stay, mut leave) = (Vec::new(), Vec::new());
        for (m, l) in std::mem::take(&mut s.members).into_iter().zip(plan.leaving) {
            if l {
                leave.push(m);
            } else {
                stay.push(m);
            }
        }
        s.members = stay;
        rebuild(s, cfg);
        let new_slot = self.create(plan.new_id, seq);
        let ns = self.slots.get_mut(new_slot as usize)?.as_mut()?;
        ns.members = leave;
        ns.last_seq = seq;
        rebuild(ns, cfg);
        ns.split_checked = u32::try_from(ns.members.len()).unwrap_or(u32::MAX);
        let gen = ns.gen;
        let moved: Vec<(Arc<str>, Option<Arc<str>>)> = ns
            .members
            .iter()
            .map(|m| (m.id.clone(), m.duplicate_of.clone()))
            .collect();
        let keys: Vec<u32> = ns
            .members
            .iter()
            .flat_map(|m| m.keys.iter().copied())
            .collect();
        self.post(new_slot, gen, &keys);
        Some((new_slot, moved))
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
                self.state[i].gen = 0;
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
                    self.state[i as usize].gen = 0;
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
        let state = &self.state;
        self.postings.retain(|_, p| {
            p.retain(|&(slot, gen)| state.get(slot as usize).is_some_and(|s| s.gen == gen));
            !p.is_empty()
        });
        self.since_sweep = 0;
    }
}

/// Recomputes a story's sums, times, sources, count and title from its members.
fn rebuild(s: &mut Story, cfg: &Config) {
    s.sum.clear();
    s.sources.clear();
    s.first = None;
    s.last = None;
    s.title.clear();
    s.title_score = -1.0;
    for m in &s.members {
        for (h, x) in &m.v {
            *s.sum.entry(term_key(*h)).or_insert(0.0) += x;
        }
        if let Some(t) = m.time {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
        }
        if let Some(src) = &m.source {
            if s.sources.len() < MAX_SOURCES && !s.sources.contains(src) {
                s.sources.push(src.clone());
            }
        }
        if !m.title.is_empty() && m.centrality > s.title_score {
            s.title = m.title.to_string();
            s.title_score = m.centrality;
        }
    }
    prune(&mut s.sum, cfg.story_terms);
    s.norm2 = norm2(&s.sum);
    s.count = u32::try_from(s.members.len()).unwrap_or(u32::MAX);
}

/// Dot product of two sparse sums (iterating the smaller).
fn sum_dot(a: &FastMap<u32, f32>, b: &FastMap<u32, f32>) -> f32 {
    let (x, y) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    x.iter()
        .map(|(h, v)| v * y.get(h).copied().unwrap_or(0.0))
        .sum()
}

/// Keeps a story's summed vector bounded: beyond `4 × max` terms, only the `2 × max`
/// heaviest stay (the dropped tail contributes almost nothing to dot products).
fn prune(m: &mut FastMap<u32, f32>, max: usize) -> bool {
    if m.len() <= max * 4 {
        return false;
    }
    let mut v: Vec<(u32, f32)> = m.drain().collect();
    let heaviest = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if max > 0 {
        v.select_nth_unstable_by(max * 2 - 1, heaviest);
    }
    v.truncate(max * 2);
    // The same order as a full sort would give, so the map is rebuilt identically.
    v.sort_unstable_by(heaviest);
    m.extend(v);
    true
}

fn norm2(m: &FastMap<u32, f32>) -> f32 {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn document_frequencies_never_under_count() {
        // A small table, so that terms share blocks and counters.
        let mut df = DocFreq::new(8);
        let terms: Vec<u64> = (0..42 * 7).map(crate::minhash::mix).collect();
        for chunk in terms.chunks(7) {
            // Term k of each chunk appears in k + 1 documents.
            for k in 0..chunk.len() {
                df.add_doc(chunk[k..].iter().copied());
            }
        }
        for chunk in terms.chunks(7) {
            for (k, h) in chunk.iter().enumerate() {
                assert!(
                    df.df(*h) > k as u32,
                    "term {k} of a chunk is in {} documents",
                    k + 1
                );
            }
        }
        // In a roomy table, counts are exact.
        let mut roomy = DocFreq::new(20);
        for k in 0..5 {
            roomy.add_doc(terms[k..5].iter().copied());
        }
        let got: Vec<u32> = terms[..5].iter().map(|h| roomy.df(*h)).collect();
        assert_eq!(got, [1, 2, 3, 4, 5]);
        assert_eq!(roomy.df(terms[6]), 0);
        assert!(roomy.idf(terms[6]) > roomy.idf(terms[4]));
    }
}
