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
    /// Generation of each slot's occupant, bumped when it leaves: bucket entries of
    /// articles that left are recognised by it and dropped lazily.
    gens: Vec<u32>,
    free: Vec<u32>,
    by_id: HashMap<Arc<str>, u32>,
    buckets: FastMap<u64, Bucket>,
    /// Bucket entries, and how many of them belong to articles that left.
    entries: usize,
    stale: usize,
    /// (slot, seq, effective time) in arrival order.
    order: VecDeque<(u32, u64, Option<i64>)>,
    bytes: usize,
}

/// A bucket entry: a slot and the generation of the article that was posted from it.
type Entry = (u32, u32);

/// Entries sharing one LSH band key, oldest first. Most buckets hold one article, so
/// the first is kept inline and only shared buckets allocate.
#[derive(Debug, Default)]
struct Bucket {
    first: Entry,
    more: Vec<Entry>,
}

impl Bucket {
    fn len(&self) -> usize {
        1 + self.more.len()
    }

    fn iter(&self) -> impl Iterator<Item = Entry> + '_ {
        std::iter::once(self.first).chain(self.more.iter().copied())
    }

    fn pop_oldest(&mut self) {
        if !self.more.is_empty() {
            self.first = self.more.remove(0);
        }
    }

    /// Keeps the entries `live` accepts, in order; returns whether none is left.
    fn retain(&mut self, live: impl Fn(Entry) -> bool) -> bool {
        self.more.retain(|&e| live(e));
        if !live(self.first) {
            if self.more.is_empty() {
                return true;
            }
            self.first = self.more.remove(0);
        }
        false
    }
}

/// Most articles remembered per LSH bucket: a bucket shared by very many texts
/// (a template or boilerplate-only text) keeps its most recent members only.
const MAX_BUCKET: usize = 32;
/// Candidates verified per article, most shared bands first.
const MAX_VERIFY: usize = 16;
/// Stale bucket entries tolerated before a sweep (which also needs half of all
/// entries stale, so each entry is swept about once).
const SWEEP_AFTER: usize = 4096;

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
            + self.buckets.len() * 48
            + self.entries * 8
            + self.order.len() * 32
            + self.by_id.len() * 40
            + self.gens.len() * 4
    }

    fn is_live(gens: &[u32], (slot, gen): Entry) -> bool {
        gens.get(slot as usize) == Some(&gen)
    }

    /// Live articles sharing at least one LSH band with `bands`, most shared first.
    pub fn candidates(&self, bands: &[u64], exclude: &str) -> Vec<&Live> {
        let mut hits: FastMap<u32, u32> = FastMap::default();
        for b in bands {
            if let Some(bucket) = self.buckets.get(b) {
                for e in bucket.iter() {
                    if Self::is_live(&self.gens, e) {
                        *hits.entry(e.0).or_insert(0) += 1;
                    }
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
                self.gens.push(0);
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        };
        let entry = (slot, self.gens[slot as usize]);
        for b in &live.bands {
            match self.buckets.entry(*b) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Bucket {
                        first: entry,
                        more: Vec::new(),
                    });
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let bucket = e.get_mut();
                    if bucket.len() >= MAX_BUCKET {
                        // Articles that left make room first, then the oldest.
                        let gens = &self.gens;
                        let before = bucket.len();
                        if bucket.retain(|x| Self::is_live(gens, x)) {
                            self.entries -= before;
                            self.stale = self.stale.saturating_sub(before);
                            bucket.first = entry;
                            self.entries += 1;
                            continue;
                        }
                        let dropped = before - bucket.len();
                        self.entries -= dropped;
                        self.stale = self.stale.saturating_sub(dropped);
                        if bucket.len() >= MAX_BUCKET {
                            bucket.pop_oldest();
                            self.entries -= 1;
                        }
                    }
                    bucket.more.push(entry);
                }
            }
            self.entries += 1;
        }
        self.bytes += live.bytes();
        self.order.push_back((slot, live.seq, effective_time));
        self.by_id.insert(live.id.clone(), slot);
        self.slots[slot as usize] = Some(live);
    }

    /// Removes an article. Its bucket entries stay until a sweep (or until their
    /// bucket fills up): touching every band of every departing article cost as much
    /// as posting it.
    pub fn remove(&mut self, id: &str) -> Option<Live> {
        let slot = self.by_id.remove(id)?;
        let live = self.slots.get_mut(slot as usize)?.take()?;
        self.gens[slot as usize] = self.gens[slot as usize].wrapping_add(1);
        self.free.push(slot);
        self.bytes = self.bytes.saturating_sub(live.bytes());
        self.stale += live.bands.len();
        if self.stale > SWEEP_AFTER && self.stale * 2 > self.entries {
            self.sweep();
        }
        Some(live)
    }

    /// Drops the bucket entries of articles that left.
    fn sweep(&mut self) {
        let gens = &self.gens;
        let mut kept = 0;
        self.buckets.retain(|_, b| {
            let empty = b.retain(|x| Self::is_live(gens, x));
            if !empty {
                kept += b.len();
            }
            !empty
        });
        self.entries = kept;
        self.stale = 0;
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
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn live(id: &str, bands: &[u64]) -> Live {
        Live {
            id: Arc::from(id),
            root: Arc::from(id),
            story: Arc::from(id),
            sketch: Sketch::default(),
            bands: bands.to_vec(),
            title_words: Vec::new(),
            time: None,
            seq: 0,
        }
    }

    fn ids(set: &LiveSet, bands: &[u64]) -> Vec<String> {
        let mut v: Vec<String> = set
            .candidates(bands, "")
            .iter()
            .map(|l| l.id.to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn departed_articles_are_never_candidates_even_in_a_reused_slot() {
        let mut set = LiveSet::default();
        set.insert(live("a", &[1, 2, 3]), None);
        set.insert(live("b", &[3, 4]), None);
        assert_eq!(ids(&set, &[1, 3]), ["a", "b"]);
        set.remove("a");
        assert_eq!(ids(&set, &[1, 2, 3]), ["b"]);
        // "c" takes the slot "a" left, under other bands.
        set.insert(live("c", &[9]), None);
        assert_eq!(ids(&set, &[1, 2]), Vec::<String>::new());
        assert_eq!(ids(&set, &[9, 3]), ["b", "c"]);
        // A new version replaces the old bands.
        set.insert(live("b", &[7]), None);
        assert_eq!(ids(&set, &[3, 4]), Vec::<String>::new());
        assert_eq!(ids(&set, &[7]), ["b"]);
    }

    #[test]
    fn a_full_bucket_keeps_its_most_recent_live_articles() {
        let mut set = LiveSet::default();
        for i in 0..MAX_BUCKET {
            set.insert(live(&format!("old{i:02}"), &[5]), None);
        }
        for i in 0..MAX_BUCKET / 2 {
            set.remove(&format!("old{i:02}"));
        }
        // The departed make room first: every live article stays a candidate.
        for i in 0..MAX_BUCKET / 2 {
            set.insert(live(&format!("new{i:02}"), &[5]), None);
        }
        let mut expected: Vec<String> = (MAX_BUCKET / 2..MAX_BUCKET)
            .map(|i| format!("old{i:02}"))
            .chain((0..MAX_BUCKET / 2).map(|i| format!("new{i:02}")))
            .collect();
        expected.sort();
        let all: Vec<String> = {
            let mut v: Vec<String> = set.buckets[&5]
                .iter()
                .filter(|&e| LiveSet::is_live(&set.gens, e))
                .map(|(s, _)| set.slots[s as usize].as_ref().unwrap().id.to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(all, expected);
        // Beyond the cap, the oldest live article leaves the bucket.
        set.insert(live("newest", &[5]), None);
        let bucket = &set.buckets[&5];
        assert_eq!(bucket.len(), MAX_BUCKET);
        let first = set.slots[bucket.first.0 as usize].as_ref().unwrap();
        assert_eq!(&*first.id, &format!("old{:02}", MAX_BUCKET / 2 + 1));
    }

    #[test]
    fn entries_of_departed_articles_are_swept() {
        let mut set = LiveSet::default();
        let bands: Vec<u64> = (0..42).collect();
        for i in 0..10_000u64 {
            let mine: Vec<u64> = bands.iter().map(|b| b * 1_000_003 + i).collect();
            set.insert(live(&i.to_string(), &mine), None);
            if i >= 100 {
                set.remove(&(i - 100).to_string());
            }
        }
        assert_eq!(set.len(), 100);
        // 100 live articles of 42 bands, plus at most a sweep's worth of departed ones.
        assert!(set.entries <= 100 * 42 + 2 * SWEEP_AFTER, "{}", set.entries);
        assert!(set.buckets.len() <= set.entries);
    }
}
