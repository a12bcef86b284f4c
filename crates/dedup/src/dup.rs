//! The live set of recent articles: their near-duplicate fingerprints, LSH buckets and
//! assignments. Bounded by a time window and a count cap (oldest first out).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::fasthash::FastMap;
use crate::minhash::{MinHash, Sketch};

/// One live article.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub id: Arc<str>,
    /// Canonical article of its duplicate group (itself when it is not a copy).
    pub root: Arc<str>,
    pub story: Arc<str>,
    pub sketch: Sketch,
    pub bands: Vec<u64>,
    /// Hashes of the title's normalised words, sorted and distinct.
    pub title_words: Vec<u64>,
    pub time: Option<i64>,
    pub seq: u64,
}

impl Live {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.sketch.bytes()
            + self.bands.capacity() * 8
            + self.title_words.capacity() * 8
            + self.id.len()
    }
}

#[derive(Default)]
pub(crate) struct LiveSet {
    slots: Vec<Option<Live>>,
    free: Vec<u32>,
    by_id: HashMap<Arc<str>, u32>,
    buckets: FastMap<u64, Bucket>,
    /// (slot, seq, effective time) in arrival order.
    order: VecDeque<(u32, u64, Option<i64>)>,
    bytes: usize,
}

/// Slots sharing one LSH band key, oldest first. Most buckets hold one article, so the
/// first is kept inline and only shared buckets allocate.
#[derive(Debug, Default)]
struct Bucket {
    first: u32,
    more: Vec<u32>,
}

impl Bucket {
    fn len(&self) -> usize {
        1 + self.more.len()
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.first).chain(self.more.iter().copied())
    }

    fn pop_oldest(&mut self) {
        if !self.more.is_empty() {
            self.first = self.more.remove(0);
        }
    }

    /// Removes `slot`; returns whether the bucket is now empty.
    fn remove(&mut self, slot: u32) -> bool {
        if self.first == slot {
            if self.more.is_empty() {
                return true;
            }
            self.first = self.more.remove(0);
        }
        self.more.retain(|&x| x != slot);
        false
    }
}

/// Most articles remembered per LSH bucket: a bucket shared by very many texts
/// (a template or boilerplate-only text) keeps its most recent members only.
const MAX_BUCKET: usize = 32;
/// Candidates verified per article, most shared bands first.
const MAX_VERIFY: usize = 16;

impl LiveSet {
    pub fn get(&self, id: &str) -> Option<&Live> {
        let slot = *self.by_id.get(id)?;
        self.slots.get(slot as usize)?.as_ref()
    }

    /// Records that a live article now belongs to `story` (its story was split).
    pub fn set_story(&mut self, id: &str, story: &Arc<str>) {
        if let Some(&slot) = self.by_id.get(id) {
            if let Some(Some(l)) = self.slots.get_mut(slot as usize) {
                l.story = story.clone();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
            + self.buckets.len() * (32 + MAX_BUCKET * 2)
            + self.order.len() * 32
            + self.by_id.len() * 40
    }

    /// Live articles sharing at least one LSH band with `bands`, most shared first.
    pub fn candidates(&self, bands: &[u64], exclude: &str) -> Vec<&Live> {
        let mut hits: FastMap<u32, u32> = FastMap::default();
        for b in bands {
            if let Some(slots) = self.buckets.get(b) {
                for s in slots.iter() {
                    *hits.entry(s).or_insert(0) += 1;
                }
            }
        }
        let mut v: Vec<(u32, u32)> = hits.into_iter().collect();
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .filter_map(|(s, _)| self.slots.get(s as usize)?.as_ref())
            .filter(|l| &*l.id != exclude)
            .take(MAX_VERIFY)
            .collect()
    }

    /// Inserts (or replaces) an article; `effective_time` orders eviction (the
    /// article's date, or the latest date seen when it arrived).
    pub fn insert(&mut self, live: Live, effective_time: Option<i64>) {
        self.remove(&live.id.clone());
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        for b in &live.bands {
            match self.buckets.entry(*b) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Bucket {
                        first: slot,
                        more: Vec::new(),
                    });
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let slots = e.get_mut();
                    if slots.len() >= MAX_BUCKET {
                        slots.pop_oldest();
                    }
                    slots.more.push(slot);
                }
            }
        }
        self.bytes += live.bytes();
        self.order.push_back((slot, live.seq, effective_time));
        self.by_id.insert(live.id.clone(), slot);
        self.slots[slot as usize] = Some(live);
    }

    pub fn remove(&mut self, id: &str) -> Option<Live> {
        let slot = self.by_id.remove(id)?;
        let live = self.slots.get_mut(slot as usize)?.take()?;
        self.free.push(slot);
        self.bytes = self.bytes.saturating_sub(live.bytes());
        for b in &live.bands {
            if let Some(slots) = self.buckets.get_mut(b) {
                if slots.remove(slot) {
                    self.buckets.remove(b);
                }
            }
        }
        Some(live)
    }

    /// Drops the oldest arrivals while there are more than `cap`, or while the oldest
    /// is older than `horizon`.
    pub fn evict(&mut self, cap: usize, horizon: Option<i64>) {
        while let Some(&(slot, seq, time)) = self.order.front() {
            let current = self
                .slots
                .get(slot as usize)
                .and_then(Option::as_ref)
                .filter(|l| l.seq == seq)
                .map(|l| l.id.clone());
            let Some(id) = current else {
                self.order.pop_front(); // replaced or removed since
                continue;
            };
            let expired = matches!((time, horizon), (Some(t), Some(h)) if t < h);
            if self.by_id.len() > cap || expired {
                self.order.pop_front();
                self.remove(&id);
            } else {
                break;
            }
        }
    }
}

/// Similarity of two articles' texts as used for the duplicate decision.
pub(crate) fn text_similarity(a: &Sketch, b: &Sketch) -> f64 {
    a.jaccard(b)
}

/// Word-set Jaccard of two sorted, distinct hash lists.
pub(crate) fn set_jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    both as f64 / (a.len() + b.len() - both) as f64
}

/// Band keys of a signature.
pub(crate) fn bands_of(sig: Option<&MinHash>, bands: usize, rows: usize) -> Vec<u64> {
    sig.map(|s| s.band_keys(bands, rows)).unwrap_or_default()
}
