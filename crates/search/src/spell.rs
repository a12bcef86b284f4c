//! Typo tolerance, "did you mean" and autocomplete over the index's own vocabulary.
//!
//! The vocabulary is the `spell` field: every word of titles and leads, lower-cased
//! and accent-folded but not stemmed, so what is suggested is a word readers write
//! ("government", not the stem "govern"), and its document frequency says how common
//! it is. Bodies are left out (analysing every body a second time was the largest
//! indexing cost); whether a word is known at all is read from the stemmed `text`
//! field. Lookups read tantivy's term dictionaries directly (sorted, so a prefix or a
//! first letter is a range scan): nothing extra is kept in memory.

use crate::fields::Fields;
use rustc_hash::FxHashMap as HashMap;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// Words shorter than this are never corrected: too many real words are one edit
/// apart ("at", "an", "as").
const MIN_FUZZY_CHARS: usize = 4;
/// Words up to this many characters tolerate one edit; longer ones two.
const ONE_EDIT_MAX_CHARS: usize = 6;
/// A known word this rare (documents) may still be a typo of a much more common one.
const RARE_DF: u64 = 2;
/// How much more common a neighbour of a rare known word must be to be suggested.
const RARE_RATIO: u64 = 20;
/// Alternatives a corrected word expands to.
const MAX_CANDIDATES: usize = 3;
/// Vocabulary terms read per segment for one autocomplete prefix (bounds the work on
/// a one-letter prefix).
const MAX_PREFIX_SCAN: usize = 20_000;

/// A word the index does not know (or hardly knows), with the vocabulary words it was
/// taken to mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// The word as the reader typed it.
    pub original: String,
    /// The most likely intended word.
    pub replacement: String,
    /// Vocabulary words searched in its place, with their edit distance.
    pub candidates: Vec<(String, u32)>,
    /// True when the word is unknown, so results come only from the candidates
    /// ("showing results for …"); false when it exists but a far more common word is
    /// one edit away ("did you mean …").
    pub replaces: bool,
}

/// A completion of the word being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermCompletion {
    /// The whole query text with its last word completed.
    pub text: String,
    /// Documents containing the completed word.
    pub docs: u64,
}

/// The vocabulary reader; cheap to create.
#[derive(Default)]
pub(crate) struct Vocabulary;

impl Vocabulary {
    /// Looks `word` up; `text_df` is how many documents have its stem anywhere in
    /// their text (0: the word is unknown).
    pub(crate) fn correct(
        &self,
        searcher: &Searcher,
        fields: Fields,
        word: &str,
        text_df: u64,
    ) -> Option<Correction> {
        let known = text_df > 0;
        let mut key = crate::fields::key_analyzer();
        let tokens = tokens(&mut key, word);
        let [w] = tokens.as_slice() else {
            return None;
        };
        let n = w.chars().count();
        if n < MIN_FUZZY_CHARS || w.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let df = doc_freq(searcher, fields, w).max(text_df);
        if known && df > RARE_DF {
            return None;
        }
        let max = if n <= ONE_EDIT_MAX_CHARS { 1 } else { 2 };
        let max = if known { 1 } else { max };
        let mut found: HashMap<String, (u32, u64)> = HashMap::default();
        let first: String = w.chars().take(1).collect();
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(fields.spell) else {
                continue;
            };
            let dict = inverted.terms();
            let upper = next_prefix(first.as_bytes());
            let builder = dict.range().ge(first.as_bytes());
            let builder = match &upper {
                Some(u) => builder.lt(u),
                None => builder,
            };
            let Ok(mut stream) = builder.into_stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let len = term.chars().count();
                if len.abs_diff(n) > max as usize || term == w {
                    continue;
                }
                if let Some(d) = distance(w, term, max) {
                    let entry = found.entry(term.to_string()).or_insert((d, 0));
                    entry.1 += stream.value().doc_freq as u64;
                }
            }
        }
        let mut candidates: Vec<(String, u32, u64)> =
            found.into_iter().map(|(t, (d, f))| (t, d, f)).collect();
        if known {
            let floor = df.max(1) * RARE_RATIO;
            candidates.retain(|c| c.2 >= floor);
        }
        // Closest first; among equally close words the most common.
        candidates.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
        candidates.truncate(if known { 1 } else { MAX_CANDIDATES });
        let best = candidates.first()?.0.clone();
        Some(Correction {
            original: word.to_string(),
            replacement: best,
            candidates: candidates.into_iter().map(|(t, d, _)| (t, d)).collect(),
            replaces: !known,
        })
    }

    /// The most common vocabulary words starting with `prefix` (already analysed),
    /// with their document counts, most common first.
    pub(crate) fn complete(
        &self,
        searcher: &Searcher,
        fields: Fields,
        prefix: &str,
        limit: usize,
    ) -> Vec<(String, u64)> {
        let mut found: HashMap<String, u64> = HashMap::default();
        if prefix.is_empty() {
            return Vec::new();
        }
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(fields.spell) else {
                continue;
            };
            let dict = inverted.terms();
            let builder = dict.range().ge(prefix.as_bytes());
            let builder = match next_prefix(prefix.as_bytes()) {
                Some(u) => builder.lt(u),
                None => builder,
            };
            let Ok(mut stream) = builder.into_stream() else {
                continue;
            };
            let mut scanned = 0;
            while stream.advance() && scanned < MAX_PREFIX_SCAN {
                scanned += 1;
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    *found.entry(term.to_string()).or_default() += stream.value().doc_freq as u64;
                }
            }
        }
        let mut out: Vec<(String, u64)> = found.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(limit);
        out
    }
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// Documents whose text has this exact (unstemmed) word.
fn doc_freq(searcher: &Searcher, fields: Fields, word: &str) -> u64 {
    searcher
        .doc_freq(&Term::from_field_text(fields.spell, word))
        .unwrap_or(0)
}

/// The smallest byte string greater than every string starting with `prefix`.
fn next_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut upper = prefix.to_vec();
    while let Some(last) = upper.pop() {
        if last < u8::MAX {
            upper.push(last + 1);
            return Some(upper);
        }
    }
    None
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, the
/// commonest typo), or `None` when it exceeds `max`. Words are at most 40 bytes.
pub(crate) fn distance(a: &str, b: &str, max: u32) -> Option<u32> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max as usize {
        return None;
    }
    let mut prev2 = vec![0u32; m + 1];
    let mut prev: Vec<u32> = (0..=m as u32).collect();
    let mut cur = vec![0u32; m + 1];
    for i in 1..=n {
        cur[0] = i as u32;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = u32::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(distance("goverment", "government", 2), Some(1));
        assert_eq!(distance("recieve", "receive", 1), Some(1));
        assert_eq!(distance("kitten", "sitting", 2), None);
        assert_eq!(distance("kitten", "sitting", 3), Some(3));
        assert_eq!(distance("zor", "zor", 0), Some(0));
        assert_eq!(distance("", "ab", 2), Some(2));
    }

    #[test]
    fn prefix_bounds() {
        assert_eq!(next_prefix(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(next_prefix(&[0x61, 0xff]), Some(vec![0x62]));
        assert_eq!(next_prefix(&[0xff]), None);
    }
}
