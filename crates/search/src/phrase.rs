//! An exact phrase in the field holding the whole article, scored like tantivy's phrase
//! query plus the same phrase in the headline and lead, with the positions checked only
//! where they can matter.
//!
//! tantivy's phrase query reads and intersects the positions of every document that has
//! all the phrase's words. For a phrase of common words ("dlrs for", "in agreement")
//! that is most of a million-article index, and it took 10–30 ms. A phrase cannot occur
//! more often in a document than its rarest word, so the BM25 score that word count
//! would give bounds the phrase's score; while ranking, positions are read only for
//! documents whose bound beats the page's current bar. Scores are exactly tantivy's.

use crate::scoring::{self, explain_at, ROUNDING};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// A phrase in one field: its terms at their positions in the phrase, and the weight
/// of its score.
#[derive(Debug, Clone)]
pub(crate) struct PhrasePart {
    pub terms: Vec<(usize, Term)>,
    pub weight: f32,
}

/// Matches where `decides` does; scores the sum of every part's phrase score.
#[derive(Debug, Clone)]
pub(crate) struct RankedPhrase {
    decides: PhrasePart,
    extras: Vec<PhrasePart>,
}

impl RankedPhrase {
    pub(crate) fn new(mut decides: PhrasePart, mut extras: Vec<PhrasePart>) -> Self {
        decides.terms.sort_by_key(|(offset, _)| *offset);
        for e in &mut extras {
            e.terms.sort_by_key(|(offset, _)| *offset);
        }
        RankedPhrase { decides, extras }
    }
}

struct PartWeight {
    terms: Vec<(usize, Term)>,
    bm25: Option<Bm25Weight>,
}

impl PartWeight {
    fn new(part: &PhrasePart, enable_scoring: &EnableScoring<'_>) -> tantivy::Result<Self> {
        let terms: Vec<Term> = part.terms.iter().map(|(_, t)| t.clone()).collect();
        Ok(PartWeight {
            terms: part.terms.clone(),
            bm25: scoring::bm25(enable_scoring, &terms, part.weight)?,
        })
    }
}

struct RankedPhraseWeight {
    decides: PartWeight,
    extras: Vec<PartWeight>,
}

impl Query for RankedPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let extras = if enable_scoring.is_scoring_enabled() {
            self.extras
                .iter()
                .map(|e| PartWeight::new(e, &enable_scoring))
                .collect::<tantivy::Result<_>>()?
        } else {
            Vec::new()
        };
        Ok(Box::new(RankedPhraseWeight {
            decides: PartWeight::new(&self.decides, &enable_scoring)?,
            extras,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for part in std::iter::once(&self.decides).chain(&self.extras) {
            for (_, term) in &part.terms {
                visitor(term, true);
            }
        }
    }
}

/// The documents of one segment that have every word of a phrase, one at a time.
struct PhraseCursor {
    /// Each word's postings and what to add to its positions so that a phrase's
    /// words line up; rarest word first.
    words: Vec<(u32, SegmentPostings)>,
    fieldnorms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl PhraseCursor {
    /// `None` when some word is not in the segment at all.
    fn open(
        reader: &SegmentReader,
        part: &PartWeight,
        boost: Score,
    ) -> tantivy::Result<Option<PhraseCursor>> {
        let Some(field) = part.terms.first().map(|(_, t)| t.field()) else {
            return Ok(None);
        };
        let last = part.terms.iter().map(|(o, _)| *o).max().unwrap_or(0);
        let index = reader.inverted_index(field)?;
        let mut words = Vec::with_capacity(part.terms.len());
        for (offset, term) in &part.terms {
            match index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(postings) => words.push(((last - offset) as u32, postings)),
                None => return Ok(None),
            }
        }
        words.sort_by_key(|(_, p)| p.doc_freq());
        let fieldnorms = scoring::fieldnorms(reader, field, part.bm25.is_some())?;
        let mut cursor = PhraseCursor {
            words,
            fieldnorms,
            bm25: part.bm25.as_ref().map(|w| w.boost_by(boost)),
            doc: 0,
            left: Vec::new(),
            right: Vec::new(),
        };
        cursor.settle();
        Ok(Some(cursor))
    }

    /// Moves every word to the first document at or after the current positions that
    /// has them all.
    fn settle(&mut self) {
        loop {
            let target = self
                .words
                .iter()
                .map(|(_, p)| p.doc())
                .max()
                .unwrap_or(TERMINATED);
            if target == TERMINATED {
                self.doc = TERMINATED;
                return;
            }
            let mut agree = true;
            for (_, p) in &mut self.words {
                if p.doc() < target && p.seek(target) != target {
                    agree = false;
                    break;
                }
            }
            if agree {
                self.doc = target;
                return;
            }
        }
    }

    fn advance(&mut self) {
        if self.doc == TERMINATED {
            return;
        }
        if let Some((_, p)) = self.words.first_mut() {
            p.advance();
        }
        self.settle();
    }

    fn seek(&mut self, target: DocId) {
        if self.doc >= target {
            return;
        }
        for (_, p) in &mut self.words {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.settle();
    }

    /// The most the phrase can score here: it occurs at most as often as its rarest word.
    fn bound(&self) -> Score {
        let least = self
            .words
            .iter()
            .map(|(_, p)| p.term_freq())
            .min()
            .unwrap_or(0);
        self.score_of(least)
    }

    fn score_of(&self, count: u32) -> Score {
        match &self.bm25 {
            Some(bm25) => bm25.score(self.fieldnorms.fieldnorm_id(self.doc), count),
            None => 1.0,
        }
    }

    /// How often the phrase occurs in the current document.
    fn count(&mut self) -> u32 {
        let Some(((first_shift, first), rest)) = self.words.split_first_mut() else {
            return 0;
        };
        first.positions_with_offset(*first_shift, &mut self.left);
        for (shift, postings) in rest {
            if self.left.is_empty() {
                break;
            }
            postings.positions_with_offset(*shift, &mut self.right);
            let right = &self.right;
            let mut j = 0;
            self.left.retain(|&x| {
                while j < right.len() && right[j] < x {
                    j += 1;
                }
                j < right.len() && right[j] == x
            });
        }
        self.left.len() as u32
    }
}

/// One segment: the deciding phrase's verified matches, and the extras to add.
pub(crate) struct RankedPhraseScorer {
    decides: Option<PhraseCursor>,
    extras: Vec<PhraseCursor>,
    /// Occurrences of the deciding phrase in the current document (0 before the first).
    count: u32,
    doc: DocId,
}

impl RankedPhraseScorer {
    /// From the deciding cursor's position, the next document where the phrase occurs.
    fn verify(&mut self) -> DocId {
        let Some(cursor) = self.decides.as_mut() else {
            self.doc = TERMINATED;
            return TERMINATED;
        };
        while cursor.doc != TERMINATED {
            let count = cursor.count();
            if count > 0 {
                self.count = count;
                self.doc = cursor.doc;
                return self.doc;
            }
            cursor.advance();
        }
        self.doc = TERMINATED;
        TERMINATED
    }

    /// The extras' share of the score of the current document.
    fn extras_score(&mut self) -> Score {
        let doc = self.doc;
        let mut score = 0.0;
        for e in &mut self.extras {
            e.seek(doc);
            if e.doc == doc {
                let count = e.count();
                if count > 0 {
                    score += e.score_of(count);
                }
            }
        }
        score
    }

    fn for_each_pruning(
        &mut self,
        mut threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) {
        let Some(mut cursor) = self.decides.take() else {
            return;
        };
        while cursor.doc != TERMINATED {
            let doc = cursor.doc;
            let mut bound = cursor.bound();
            for e in &mut self.extras {
                e.seek(doc);
                if e.doc == doc {
                    bound += e.bound();
                }
            }
            if bound * ROUNDING > threshold {
                let count = cursor.count();
                if count > 0 {
                    self.doc = doc;
                    let score = cursor.score_of(count) + self.extras_score();
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            cursor.advance();
        }
    }
}

impl DocSet for RankedPhraseScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if let Some(cursor) = self.decides.as_mut() {
            cursor.advance();
        }
        self.verify()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if let Some(cursor) = self.decides.as_mut() {
            cursor.seek(target);
        }
        self.verify()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.decides
            .as_ref()
            .and_then(|c| c.words.first())
            .map_or(0, |(_, p)| p.doc_freq())
    }
}

impl Scorer for RankedPhraseScorer {
    fn score(&mut self) -> Score {
        let count = self.count;
        let base = self.decides.as_ref().map_or(0.0, |c| c.score_of(count));
        base + self.extras_score()
    }
}

impl RankedPhraseWeight {
    /// The segment's cursors, before the first match is verified.
    fn cursors(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<RankedPhraseScorer> {
        let decides = PhraseCursor::open(reader, &self.decides, boost)?;
        let mut extras = Vec::with_capacity(self.extras.len());
        for e in &self.extras {
            extras.extend(PhraseCursor::open(reader, e, boost)?);
        }
        Ok(RankedPhraseScorer {
            decides,
            extras,
            count: 0,
            doc: 0,
        })
    }

    /// The segment's scorer, on its first match.
    fn open(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<RankedPhraseScorer> {
        let mut scorer = self.cursors(reader, boost)?;
        scorer.verify();
        Ok(scorer)
    }
}

impl Weight for RankedPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.open(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_at(
            &mut self.open(reader, 1.0)?,
            doc,
            "phrase BM25 in the text, plus headline and lead",
        )
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        // Not verified first: the pruned walk reads positions only where the bound
        // allows.
        self.cursors(reader, 1.0)?
            .for_each_pruning(threshold, callback);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The pruned phrase ranking must give exactly what tantivy's phrase queries give.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery};

    const VOCABULARY: [&str; 8] = ["in", "for", "the", "dlrs", "mln", "agreement", "to", "sell"];

    use crate::testing::next;

    #[test]
    fn pruned_phrases_equal_tantivys() {
        let (index, title, text) = crate::testing::headline_corpus(&VOCABULARY, 5_000, 4, 30);
        let searcher = index.reader().unwrap().searcher();
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for round in 0..150 {
            let n = 2 + (next(&mut seed) % 2) as usize;
            let words: Vec<&str> = (0..n)
                .map(|_| VOCABULARY[(next(&mut seed) % VOCABULARY.len() as u64) as usize])
                .collect();
            let part = |field, weight| PhrasePart {
                terms: words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i, Term::from_field_text(field, w)))
                    .collect(),
                weight,
            };
            let ours = RankedPhrase::new(part(text, 1.0), vec![part(title, 0.25)]);
            let theirs = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(PhraseQuery::new_with_offset(part(text, 1.0).terms)) as Box<dyn Query>,
                ),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(PhraseQuery::new_with_offset(part(title, 0.25).terms)),
                        0.25,
                    )),
                ),
            ]);
            assert_eq!(
                searcher.search(&ours, &Count).unwrap(),
                searcher.search(&theirs, &Count).unwrap(),
                "round {round}: {words:?}"
            );
            let top = |q: &dyn Query| -> Vec<f32> {
                searcher
                    .search(q, &TopDocs::with_limit(15))
                    .unwrap()
                    .into_iter()
                    .map(|(score, _)| score)
                    .collect()
            };
            let (a, b) = (top(&ours), top(&theirs));
            assert_eq!(a.len(), b.len(), "round {round}: {words:?}");
            for (x, y) in a.iter().zip(&b) {
                assert!(
                    (x - y).abs() < 1e-4,
                    "round {round}: {words:?}: {a:?} vs {b:?}"
                );
            }
        }
    }
}
