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
    /// Members of the buckets that hold more than one article, oldest first.
    shared: FastMap<u64, Vec<u32>>,
    /// (slot, seq, effective time) in arrival order.
    order: VecDeque<(u32, u64, Option<i64>)>,
    bytes: usize,
}

/// An LSH bucket: the slots sharing one band key.
///
/// Most buckets hold one article, so that one is kept inline and shared buckets keep
/// their members in [`LiveSet::shared`]. The table of buckets is the engine's largest
/// (42 per live article) and every article inserts, looks up and later removes 42
/// entries at random, so its entry size decides how much of it stays in cache: 16
/// bytes, not the 40 of an entry holding its own list.
#[derive(Debug, Clone, Copy)]
enum Bucket {
    One(u32),
    Shared,
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
            + self.buckets.capacity() * 17
            // An entry, and a list of a few members on the heap.
            + self.shared.capacity() * 33
            + self.shared.len() * 32
            + self.order.len() * 32
            + self.by_id.len() * 40
    }

    /// Live articles sharing at least one LSH band with `bands`, most shared first.
    pub fn candidates(&self, bands: &[u64], exclude: &str) -> Vec<&Live> {
        let mut hits: FastMap<u32, u32> = FastMap::default();
        for b in bands {
            for &s in self.bucket(b) {
                *hits.entry(s).or_insert(0) += 1;
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
            self.bucket_push(*b, slot);
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
            self.bucket_remove(*b, slot);
        }
        Some(live)
    }

    /// The slots in a bucket, oldest first.
    fn bucket(&self, key: &u64) -> &[u32] {
        match self.buckets.get(key) {
            None => &[],
            Some(Bucket::One(slot)) => std::slice::from_ref(slot),
            Some(Bucket::Shared) => self.shared.get(key).map_or(&[], Vec::as_slice),
        }
    }

    /// Adds a slot to a bucket as its newest member; a full bucket forgets its oldest.
    fn bucket_push(&mut self, key: u64, slot: u32) {
        use std::collections::hash_map::Entry;
        match self.buckets.entry(key) {
            Entry::Vacant(e) => {
                e.insert(Bucket::One(slot));
            }
            Entry::Occupied(mut e) => match *e.get() {
                Bucket::One(first) => {
                    e.insert(Bucket::Shared);
                    self.shared.insert(key, vec![first, slot]);
                }
                Bucket::Shared => {
                    let members = self.shared.entry(key).or_default();
                    if members.len() >= MAX_BUCKET {
                        members.remove(0);
                    }
                    members.push(slot);
                }
            },
        }
    }

    /// Removes a slot from a bucket, and the bucket when it is left empty.
    fn bucket_remove(&mut self, key: u64, slot: u32) {
        match self.buckets.get(&key).copied() {
            Some(Bucket::One(s)) if s == slot => {
                self.buckets.remove(&key);
            }
            None | Some(Bucket::One(_)) => {}
            Some(Bucket::Shared) => {
                let Some(members) = self.shared.get_mut(&key) else {
                    self.buckets.remove(&key);
                    return;
                };
                members.retain(|&x| x != slot);
                match members[..] {
                    [] => {
                        self.shared.remove(&key);
                        self.buckets.remove(&key);
                    }
                    [only] => {
                        self.shared.remove(&key);
                        self.buckets.insert(key, Bucket::One(only));
                    }
                    _ => {}
                }
            }
        }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn live(id: &str, bands: &[u64], seq: u64) -> Live {
        let id: Arc<str> = Arc::from(id);
        Live {
            id: id.clone(),
            root: id.clone(),
            story: id,
            sketch: Sketch::default(),
            bands: bands.to_vec(),
            title_words: Vec::new(),
            time: None,
            seq,
        }
    }

    fn members(set: &LiveSet, key: u64) -> Vec<&str> {
        set.bucket(&key)
            .iter()
            .map(|&s| &*set.slots[s as usize].as_ref().unwrap().id)
            .collect()
    }

    #[test]
    fn buckets_grow_shrink_and_vanish_oldest_first() {
        let mut set = LiveSet::default();
        set.insert(live("a", &[1, 2], 1), None);
        set.insert(live("b", &[1, 3], 2), None);
        set.insert(live("c", &[1], 3), None);
        assert_eq!(members(&set, 1), ["a", "b", "c"]);
        assert_eq!(members(&set, 2), ["a"]);
        assert_eq!(set.shared.len(), 1);
        set.remove("b");
        assert_eq!(members(&set, 1), ["a", "c"]);
        assert!(members(&set, 3).is_empty());
        set.remove("a");
        // Back to one member: kept inline again.
        assert_eq!(members(&set, 1), ["c"]);
        assert!(set.shared.is_empty());
        set.remove("c");
        assert!(set.buckets.is_empty() && set.shared.is_empty());
        assert!(set.candidates(&[1, 2, 3], "").is_empty());
    }

    #[test]
    fn a_full_bucket_forgets_its_oldest_member() {
        let mut set = LiveSet::default();
        for i in 0..=MAX_BUCKET {
            set.insert(live(&format!("a{i}"), &[7], i as u64), None);
        }
        let kept = members(&set, 7);
        assert_eq!(kept.len(), MAX_BUCKET);
        assert_eq!(kept[0], "a1");
        assert_eq!(kept[MAX_BUCKET - 1], format!("a{MAX_BUCKET}"));
        // The forgotten article is still live, and removing it leaves the bucket alone.
        set.remove("a0");
        assert_eq!(members(&set, 7).len(), MAX_BUCKET);
    }
}
