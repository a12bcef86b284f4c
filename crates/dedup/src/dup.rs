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
    by_id: HashMap<Arc<str>, Live>,
    buckets: FastMap<u64, Vec<Arc<str>>>,
    order: VecDeque<(Arc<str>, u64)>,
    bytes: usize,
}

impl LiveSet {
    pub fn get(&self, id: &str) -> Option<&Live> {
        self.by_id.get(id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes + self.buckets.len() * 48 + self.order.len() * 24
    }

    /// Live articles sharing at least one LSH band with `sig`, most shared first.
    pub fn candidates(&self, bands: &[u64], exclude: &str, max: usize) -> Vec<&Live> {
        let mut hits: HashMap<&str, u32> = HashMap::new();
        for b in bands {
            if let Some(ids) = self.buckets.get(b) {
                for id in ids {
                    if &**id != exclude {
                        *hits.entry(&**id).or_insert(0) += 1;
                    }
                }
            }
        }
        let mut v: Vec<(&str, u32)> = hits.into_iter().collect();
        v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.truncate(max);
        v.into_iter().filter_map(|(id, _)| self.by_id.get(id)).collect()
    }

    pub fn insert(&mut self, live: Live) {
        self.remove(&live.id.clone());
        for b in &live.bands {
            let ids = self.buckets.entry(*b).or_default();
            // A bucket of a very common band (boilerplate-only texts) stays bounded.
            if ids.len() >= 64 {
                ids.remove(0);
            }
            ids.push(live.id.clone());
        }
        self.bytes += live.bytes();
        self.order.push_back((live.id.clone(), live.seq));
        self.by_id.insert(live.id.clone(), live);
    }

    pub fn remove(&mut self, id: &str) -> Option<Live> {
        let live = self.by_id.remove(id)?;
        self.bytes = self.bytes.saturating_sub(live.bytes());
        for b in &live.bands {
            if let Some(ids) = self.buckets.get_mut(b) {
                ids.retain(|x| **x != *id);
                if ids.is_empty() {
                    self.buckets.remove(b);
                }
            }
        }
        Some(live)
    }

    /// Drops the oldest articles while there are more than `cap`, or while the oldest
    /// is dated and older than `horizon`.
    pub fn evict(&mut self, cap: usize, horizon: Option<i64>) {
        while let Some((id, seq)) = self.order.front().cloned() {
            let current = self.by_id.get(&id).filter(|l| l.seq == seq);
            let Some(live) = current else {
                self.order.pop_front(); // replaced or removed since
                continue;
            };
            let expired = matches!((live.time, horizon), (Some(t), Some(h)) if t < h);
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
