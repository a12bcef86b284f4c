//! Text fingerprints for near-duplicate detection.
//!
//! A text becomes the set of its hashed word shingles (runs of [`SHINGLE`] normalised
//! words). Two sketches are kept of that set:
//!
//! * a **one-permutation MinHash** ([`MinHash`], [`BINS`] bins, with optimal
//!   densification for short texts; Shrivastava 2017), cut into LSH bands for candidate
//!   lookup. One hash per shingle instead of one per shingle and permutation keeps
//!   fingerprinting cost linear in the text.
//! * a **bottom-k sketch** ([`Sketch`], the [`SKETCH_K`] smallest shingle hashes), used
//!   to verify candidates. For texts with at most `SKETCH_K` distinct shingles (about 250
//!   words) the sketch is the whole set and the Jaccard similarity is exact; for longer
//!   texts it is the standard unbiased bottom-k estimate (standard error ≈ 0.03 at
//!   J = 0.5).

use crate::text;

/// Words per shingle. Five words is long enough that two independently written
/// reports of one event rarely share many shingles, and short enough that light
/// editing (a changed word every sentence or two) leaves most shingles intact.
pub const SHINGLE: usize = 5;
/// MinHash bins.
pub const BINS: usize = 128;
/// Size of the bottom-k verification sketch.
pub const SKETCH_K: usize = 256;

/// Hashed shingles of a text: sorted, distinct.
pub fn shingles(text: &str, max_words: usize) -> Vec<u64> {
    let mut hs: Vec<u64> = Vec::new();
    text::for_each_word(text, max_words, |w, _, _| hs.push(text::word_hash(w)));
    shingles_of_words(&hs)
}

/// Hashed shingles of a text given as the hashes of its words ([`text::word_hash`]):
/// sorted, distinct.
pub fn shingles_of_words(hs: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(hs.len());
    if hs.is_empty() {
        return out;
    }
    if hs.len() < SHINGLE {
        out.push(mix(combine(hs)));
    } else {
        for win in hs.windows(SHINGLE) {
            out.push(mix(combine(win)));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn combine(ws: &[u64]) -> u64 {
    ws.iter().fold(0x9E37_79B9_7F4A_7C15u64, |acc, &w| {
        acc.rotate_left(23).wrapping_mul(0x100_0000_01B3) ^ w
    })
}

/// splitmix64 finaliser: spreads every input bit over the output.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One-permutation MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHash(pub [u32; BINS]);

impl MinHash {
    /// Signature of a shingle set; `None` when the set is empty.
    pub fn of(shingles: &[u64]) -> Option<MinHash> {
        if shingles.is_empty() {
            return None;
        }
        let mut bins = [u32::MAX; BINS];
        let mut filled = [false; BINS];
        for &h in shingles {
            let m = mix(h ^ 0x5851_F42D_4C95_7F2D);
            let b = (m >> 57) as usize; // top 7 bits: bin (BINS = 128)
            let v = m as u32;
            filled[b] = true;
            if v < bins[b] {
                bins[b] = v;
            }
        }
        // Optimal densification: an empty bin copies the bin reached by its own
        // deterministic probe sequence, so two texts fill the same empty bin from
        // the same place.
        let src = bins;
        for i in 0..BINS {
            if filled[i] {
                continue;
            }
            let mut attempt = 1u64;
            loop {
                let j = (mix(((i as u64) << 32) | attempt) % BINS as u64) as usize;
                if filled[j] {
                    bins[i] = src[j];
                    break;
                }
                attempt += 1;
                if attempt > 256 {
                    // Cannot happen with a non-empty set in practice; stay total.
                    let j = filled.iter().position(|&f| f).unwrap_or(0);
                    bins[i] = src[j];
                    break;
                }
            }
        }
        Some(MinHash(bins))
    }

    /// Fraction of equal bins: an estimate of the Jaccard similarity.
    pub fn estimate(&self, other: &MinHash) -> f64 {
        let eq = self
            .0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count();
        eq as f64 / BINS as f64
    }

    /// LSH band keys: `bands` bands of `rows` bins each.
    pub fn band_keys(&self, bands: usize, rows: usize) -> Vec<u64> {
        let bands = bands.min(BINS / rows.max(1));
        let rows = rows.max(1);
        (0..bands)
            .map(|b| {
                let mut acc = mix(b as u64 + 1);
                for &v in &self.0[b * rows..(b + 1) * rows] {
                    acc = mix(acc ^ u64::from(v));
                }
                acc
            })
            .collect()
    }
}

/// Bottom-k sketch: the `SKETCH_K` smallest (32-bit) shingle hashes, sorted, and
/// the size of the whole set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sketch {
    /// Smallest hashes, ascending.
    pub mins: Vec<u32>,
    /// Number of distinct shingles of the text.
    pub set_size: u32,
}

impl Sketch {
    /// Sketch of a shingle set.
    pub fn of(shingles: &[u64]) -> Sketch {
        let mut v: Vec<u32>;
        if shingles.is_sorted() {
            // Shingles come sorted, and so do their top halves: keep the first
            // distinct ones.
            v = Vec::with_capacity(shingles.len().min(SKETCH_K));
            for &h in shingles {
                let x = (h >> 32) as u32;
                if v.last() != Some(&x) {
                    if v.len() == SKETCH_K {
                        break;
                    }
                    v.push(x);
                }
            }
        } else {
            v = shingles.iter().map(|&h| (h >> 32) as u32).collect();
            v.sort_unstable();
            v.dedup();
            v.truncate(SKETCH_K);
            v.shrink_to_fit();
        }
        Sketch {
            mins: v,
            set_size: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
        }
    }

    /// Whether the sketch holds the whole set (so similarities are exact).
    pub fn is_complete(&self) -> bool {
        self.mins.len() < SKETCH_K
    }

    /// Jaccard similarity of the two sets: exact when both sketches are complete,
    /// else the bottom-k estimate over the `k` smallest hashes of the union.
    /// Symmetric, within `[0, 1]`; 0 when either set is empty.
    pub fn jaccard(&self, other: &Sketch) -> f64 {
        if self.mins.is_empty() || other.mins.is_empty() {
            return 0.0;
        }
        let k = if self.is_complete() && other.is_complete() {
            usize::MAX
        } else {
            SKETCH_K
        };
        let (a, b) = (&self.mins, &other.mins);
        let (mut i, mut j) = (0, 0);
        let (mut union, mut both) = (0usize, 0usize);
        while union < k && (i < a.len() || j < b.len()) {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => i += 1,
                (Some(_), Some(_)) => j += 1,
                (Some(_), None) => i += 1,
                (None, Some(_)) => j += 1,
                (None, None) => break,
            }
            union += 1;
        }
        if union == 0 {
            0.0
        } else {
            both as f64 / union as f64
        }
    }

    /// Estimated containment of the smaller set in the larger one, from the Jaccard
    /// estimate and the set sizes.
    pub fn containment(&self, other: &Sketch) -> f64 {
        let j = self.jaccard(other);
        let (a, b) = (f64::from(self.set_size), f64::from(other.set_size));
        let small = a.min(b);
        if small <= 0.0 {
            return 0.0;
        }
        let inter = j * (a + b) / (1.0 + j);
        (inter / small).clamp(0.0, 1.0)
    }

    /// Approximate heap bytes.
    pub fn bytes(&self) -> usize {
        self.mins.capacity() * 4
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn text(n: usize, seed: usize) -> String {
        (0..n)
            .map(|i| format!("w{}", (i * 7919 + seed * 104_729) % 100_003))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn identical_texts() {
        let s = shingles(&text(400, 1), 10_000);
        let a = Sketch::of(&s);
        assert!((a.jaccard(&a) - 1.0).abs() < 1e-12);
        let m = MinHash::of(&s).unwrap();
        assert!((m.estimate(&m) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn exact_for_short_sets() {
        let a = shingles("one two three four five six seven eight nine ten", 100);
        let b = shingles("one two three four five six seven eight nine eleven", 100);
        // a: 6 shingles, b: 6 shingles, 5 shared.
        let j = Sketch::of(&a).jaccard(&Sketch::of(&b));
        assert!((j - 5.0 / 7.0).abs() < 1e-9, "{j}");
    }

    #[test]
    fn half_overlap_estimate() {
        let base = text(2000, 3);
        let words: Vec<&str> = base.split(' ').collect();
        let a = words[..1200].join(" ");
        let b = words[400..].join(" ");
        // shared 800 words of 2000: J ≈ 796 / 1996 ≈ 0.40
        let sa = shingles(&a, 10_000);
        let sb = shingles(&b, 10_000);
        let j = Sketch::of(&sa).jaccard(&Sketch::of(&sb));
        assert!((j - 0.4).abs() < 0.1, "{j}");
        let m = MinHash::of(&sa)
            .unwrap()
            .estimate(&MinHash::of(&sb).unwrap());
        assert!((m - 0.4).abs() < 0.15, "{m}");
    }

    #[test]
    fn empty_inputs() {
        assert!(shingles("", 10).is_empty());
        assert!(MinHash::of(&[]).is_none());
        let e = Sketch::of(&[]);
        assert_eq!(e.jaccard(&e), 0.0);
        assert_eq!(shingles("just three words", 10).len(), 1);
    }
}
