//! Ranked words of which a minimum number must match, with block-max pruning.
//!
//! tantivy prunes the top-k (block-max WAND) only for a bare union of term queries; a
//! query whose words must all, or all but one, match is an intersection or a
//! minimum-should-match disjunction that it scores match by match. At a million
//! articles a query of three or four common headline words ("group inc qtr net") has
//! tens of thousands of matches and took 10–20 ms that way. This query walks the
//! words' posting blocks itself: it jumps every word to the next document that enough
//! words contain (leapfrogging, so a rare word drives), and skips a stretch of
//! documents whole when the best score the words' current blocks allow cannot reach
//! the page. Scores are exactly the BM25 sums the equivalent boolean query gives.
//!
//! Written here because tantivy keeps its block-max machinery private to its unions;
//! the public block postings and their block maxima are enough to rebuild it for this
//! shape.

use crate::scoring::{self, explain_at, ROUNDING};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{
    AllQuery, Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// One word: the term that decides whether it matches (in the field holding title,
/// lead and body), and terms that only add to its score (title, lead), each with its
/// weight.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub decides: (Term, f32),
    pub extras: Vec<(Term, f32)>,
}

/// Articles with at least `minimum` of `words` (and passing `filter`, when there is
/// one), scored as the sum of the matched terms' weighted BM25 scores.
#[derive(Debug)]
pub(crate) struct WordsQuery {
    words: Vec<Word>,
    minimum: usize,
    filter: Option<Box<dyn Query>>,
}

impl Clone for WordsQuery {
    fn clone(&self) -> Self {
        WordsQuery {
            words: self.words.clone(),
            minimum: self.minimum,
            filter: self.filter.as_ref().map(|f| f.box_clone()),
        }
    }
}

impl WordsQuery {
    pub(crate) fn new(words: Vec<Word>, minimum: usize) -> Self {
        let minimum = minimum.clamp(1, words.len().max(1));
        WordsQuery {
            words,
            minimum,
            filter: None,
        }
    }

    /// The same words, matching only where `constraints` (required and excluded
    /// clauses: sections, sources, dates) allow. The filter joins the leapfrog, so the
    /// ranking keeps its pruning, where a boolean query around the words would score
    /// every match. Filters decide and do not score (in a boolean query a required
    /// section added the same constant to every score).
    pub(crate) fn filtered(&self, constraints: &[(Occur, Box<dyn Query>)]) -> Self {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = constraints
            .iter()
            .map(|(o, q)| (*o, q.box_clone()))
            .collect();
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        WordsQuery {
            words: self.words.clone(),
            minimum: self.minimum,
            filter: Some(Box::new(BooleanQuery::new(clauses))),
        }
    }
}

/// A term's scoring parameters; `None` when scoring is off.
type Scoring = Option<Bm25Weight>;

struct WordWeight {
    decides: (Term, Scoring),
    extras: Vec<(Term, Scoring)>,
}

struct WordsWeight {
    words: Vec<WordWeight>,
    minimum: usize,
    filter: Option<Box<dyn Weight>>,
}

impl Query for WordsQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let scoring = enable_scoring.is_scoring_enabled();
        let bm25 = |(term, boost): &(Term, f32)| -> tantivy::Result<(Term, Scoring)> {
            Ok((
                term.clone(),
                scoring::bm25(&enable_scoring, std::slice::from_ref(term), *boost)?,
            ))
        };
        let mut words = Vec::with_capacity(self.words.len());
        for w in &self.words {
            words.push(WordWeight {
                decides: bm25(&w.decides)?,
                extras: if scoring {
                    w.extras.iter().map(bm25).collect::<tantivy::Result<_>>()?
                } else {
                    Vec::new()
                },
            });
        }
        let filter = match &self.filter {
            Some(f) => Some(f.weight(scoring::disabled(&enable_scoring))?),
            None => None,
        };
        Ok(Box::new(WordsWeight {
            words,
            minimum: self.minimum,
            filter,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for w in &self.words {
            visitor(&w.decides.0, false);
            for (t, _) in &w.extras {
                visitor(t, false);
            }
        }
    }
}

/// A position in one term's postings, a decoded block at a time.
struct Cursor {
    postings: BlockSegmentPostings,
    idx: usize,
    doc: DocId,
    fieldnorms: FieldNormReader,
    bm25: Scoring,
}

impl Cursor {
    fn open(reader: &SegmentReader, term: &Term, bm25: &Scoring) -> tantivy::Result<Cursor> {
        let option = if bm25.is_some() {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let postings = reader
            .inverted_index(term.field())?
            .read_block_postings(term, option)?
            .unwrap_or_else(BlockSegmentPostings::empty);
        let fieldnorms = scoring::fieldnorms(reader, term.field(), bm25.is_some())?;
        let mut cursor = Cursor {
            postings,
            idx: 0,
            doc: TERMINATED,
            fieldnorms,
            bm25: bm25.clone(),
        };
        cursor.settle();
        Ok(cursor)
    }

    /// Sets `doc` from `idx`, moving to the next block when this one is used up.
    fn settle(&mut self) {
        loop {
            let len = self.postings.block_len();
            if len == 0 {
                self.doc = TERMINATED;
                return;
            }
            if self.idx < len {
                self.doc = self.postings.doc(self.idx);
                return;
            }
            self.postings.advance();
            self.idx = 0;
        }
    }

    fn advance(&mut self) {
        if self.doc != TERMINATED {
            self.idx += 1;
            self.settle();
        }
    }

    /// Moves to the first document at or after `target`.
    fn seek(&mut self, target: DocId) {
        if self.doc >= target {
            return;
        }
        if target > self.block_last() {
            self.postings.seek(target);
            self.idx = 0;
        }
        let docs = self.postings.docs();
        self.idx += docs[self.idx.min(docs.len())..].partition_point(|&d| d < target);
        self.settle();
    }

    /// The last document of the current block (`TERMINATED` when done).
    fn block_last(&self) -> DocId {
        self.postings.docs().last().copied().unwrap_or(TERMINATED)
    }

    /// The best score any document of the current block can get from this term.
    fn block_max(&mut self) -> Score {
        match &self.bm25 {
            Some(bm25) => self.postings.block_max_score(&self.fieldnorms, bm25),
            None => 0.0,
        }
    }

    fn score(&self) -> Score {
        match &self.bm25 {
            Some(bm25) => bm25.score(
                self.fieldnorms.fieldnorm_id(self.doc),
                self.postings.freq(self.idx),
            ),
            None => 0.0,
        }
    }
}

/// One word's cursors in a segment.
struct WordCursor {
    decides: Cursor,
    extras: Vec<Cursor>,
    /// The most this word can add in the stretch being ranked (see
    /// [`WordsScorer::window_bound`]).
    bound: Score,
    /// The part of `bound` that the extras can add.
    extras_bound: Score,
}

impl WordCursor {
    /// The word's score at `doc`, where its deciding term is.
    fn score(&mut self, doc: DocId) -> Score {
        let mut score = self.decides.score();
        for extra in &mut self.extras {
            extra.seek(doc);
            if extra.doc == doc {
                score += extra.score();
            }
        }
        score
    }
}

/// The words' cursors in one segment, positioned on a match (or done).
pub(crate) struct WordsScorer {
    words: Vec<WordCursor>,
    minimum: usize,
    /// Documents a match must also be in.
    filter: Option<Box<dyn Scorer>>,
    doc: DocId,
    /// Reused for finding the `minimum`-th smallest position.
    order: Vec<DocId>,
}

impl WordsWeight {
    fn open(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<WordsScorer> {
        let boosted = |s: &Scoring| s.as_ref().map(|w| w.boost_by(boost));
        let mut words = Vec::with_capacity(self.words.len());
        for w in &self.words {
            let decides = Cursor::open(reader, &w.decides.0, &boosted(&w.decides.1))?;
            let mut extras = Vec::with_capacity(w.extras.len());
            for (term, bm25) in &w.extras {
                extras.push(Cursor::open(reader, term, &boosted(bm25))?);
            }
            words.push(WordCursor {
                decides,
                extras,
                bound: Score::MAX,
                extras_bound: Score::MAX,
            });
        }
        let filter = match &self.filter {
            Some(f) => Some(f.scorer(reader, 1.0)?),
            None => None,
        };
        let mut scorer = WordsScorer {
            order: Vec::with_capacity(words.len()),
            words,
            minimum: self.minimum,
            filter,
            doc: 0,
        };
        scorer.doc = scorer.next_match();
        Ok(scorer)
    }
}

impl WordsScorer {
    /// The `minimum`-th smallest position of the words (`TERMINATED` when fewer than
    /// `minimum` words have postings left).
    fn candidate(&mut self) -> DocId {
        self.order.clear();
        self.order.extend(self.words.iter().map(|w| w.decides.doc));
        let k = self.minimum - 1;
        if k >= self.order.len() {
            return TERMINATED;
        }
        *self.order.select_nth_unstable(k).1
    }

    /// From the current positions, the next document with at least `minimum` words.
    fn next_match(&mut self) -> DocId {
        loop {
            let candidate = self.candidate();
            if candidate == TERMINATED {
                return TERMINATED;
            }
            // No document before the candidate has enough words.
            let mut settled = true;
            for w in &mut self.words {
                if w.decides.doc < candidate {
                    w.decides.seek(candidate);
                    settled &= w.decides.doc == candidate;
                }
            }
            if !settled {
                continue;
            }
            let Some(filter) = self.filter.as_mut() else {
                return candidate;
            };
            let allowed = if filter.doc() < candidate {
                filter.seek(candidate)
            } else {
                filter.doc()
            };
            if allowed == candidate {
                return candidate;
            }
            if allowed == TERMINATED {
                return TERMINATED;
            }
            // Nothing before the filter's next document can match.
            for w in &mut self.words {
                w.decides.seek(allowed);
            }
        }
    }

    /// Moves the words at the current match on.
    fn step(&mut self) {
        let doc = self.doc;
        for w in &mut self.words {
            if w.decides.doc == doc {
                w.decides.advance();
            }
        }
    }

    /// The best score of any document from the current match up to `end` (where the
    /// first of the terms' current blocks ends), and that end. Each word's own best
    /// within the stretch is left in its `bound`.
    fn window_bound(&mut self) -> (Score, DocId) {
        let start = self.doc;
        let mut end = TERMINATED;
        for w in &mut self.words {
            end = end.min(w.decides.block_last());
            // The extras' blocks describe the stretch too, so the bound stays tight
            // (their maxima over the whole segment are far above a typical block's).
            for e in &mut w.extras {
                e.seek(start);
                if e.doc != TERMINATED {
                    end = end.min(e.block_last());
                }
            }
        }
        let mut total = 0.0;
        for w in &mut self.words {
            w.bound = 0.0;
            w.extras_bound = 0.0;
            if w.decides.doc <= end {
                for e in &mut w.extras {
                    if e.doc <= end {
                        w.extras_bound += e.block_max();
                    }
                }
                w.extras_bound *= ROUNDING;
                w.bound = (w.decides.block_max() + w.extras_bound) * ROUNDING;
            }
            total += w.bound;
        }
        (total, end)
    }

    /// Calls `callback` with every match whose score beats the threshold it returns.
    fn for_each_pruning(
        &mut self,
        mut threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) {
        // The stretch whose bounds are known: up to `window_end`, while `fresh`.
        let mut window_end = 0;
        let mut fresh = false;
        while self.doc != TERMINATED {
            if !fresh || self.doc > window_end {
                let (bound, end) = self.window_bound();
                if bound <= threshold && end != TERMINATED {
                    // Nothing up to the end of these blocks can make the page.
                    for w in &mut self.words {
                        w.decides.seek(end.saturating_add(1));
                    }
                    self.doc = self.next_match();
                    fresh = false;
                    continue;
                }
                window_end = end;
                fresh = true;
            }
            let doc = self.doc;
            let doc_bound: Score = self
                .words
                .iter()
                .filter(|w| w.decides.doc == doc)
                .map(|w| w.bound)
                .sum();
            if doc_bound > threshold {
                // The deciding terms' scores first (cheap); the extras are looked up
                // only when their bound could still lift the document onto the page.
                let (mut score, mut extras) = (0.0, 0.0);
                for w in self.words.iter().filter(|w| w.decides.doc == doc) {
                    score += w.decides.score();
                    extras += w.extras_bound;
                }
                if score + extras > threshold {
                    let score = self.score();
                    if score > threshold {
                        threshold = callback(doc, score);
                        // A higher bar may rule the rest of the stretch out.
                        fresh = false;
                    }
                }
            }
            self.advance();
        }
    }
}

impl DocSet for WordsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.step();
        self.doc = self.next_match();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for w in &mut self.words {
            w.decides.seek(target);
        }
        self.doc = self.next_match();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.words
            .iter()
            .map(|w| w.decides.postings.doc_freq())
            .min()
            .unwrap_or(0)
    }
}

impl Scorer for WordsScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.words
            .iter_mut()
            .filter(|w| w.decides.doc == doc)
            .map(|w| w.score(doc))
            .sum()
    }
}

impl Weight for WordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.open(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_at(
            &mut self.open(reader, 1.0)?,
            doc,
            "sum of the matched words' BM25 scores",
        )
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.open(reader, 1.0)?
            .for_each_pruning(threshold, callback);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The pruned ranking must give exactly what tantivy's own boolean query gives.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::Index;

    const VOCABULARY: [&str; 12] = [
        "oil", "price", "bank", "rate", "vote", "city", "mln", "dlrs", "net", "qtr", "inc", "corp",
    ];

    use crate::testing::next;

    /// Headlines and bodies drawn from a small vocabulary, skewed so that some words
    /// are common, some rare, and term frequencies and lengths vary: blocks of 128
    /// postings fill up and their maxima differ.
    fn corpus() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        crate::testing::headline_corpus(&VOCABULARY, 6_000, 3, 40)
    }

    fn term_query(field: tantivy::schema::Field, word: &str) -> TermQuery {
        TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        )
    }

    #[test]
    fn pruned_ranking_equals_the_boolean_query() {
        let (index, title, text) = corpus();
        let searcher = index.reader().unwrap().searcher();
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for round in 0..200 {
            let n = 1 + (next(&mut seed) % 4) as usize;
            let chosen: Vec<&str> = (0..n)
                .map(|_| VOCABULARY[(next(&mut seed) % VOCABULARY.len() as u64) as usize])
                .collect();
            let minimum = 1 + (next(&mut seed) as usize % n);
            let words: Vec<Word> = chosen
                .iter()
                .map(|w| Word {
                    decides: (Term::from_field_text(text, w), 1.0),
                    extras: vec![(Term::from_field_text(title, w), 0.25)],
                })
                .collect();
            let ours = WordsQuery::new(words.clone(), minimum);
            // The same scores from tantivy's parts: the words' text terms decide,
            // their title terms add.
            let deciding: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|w| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            w.decides.0.clone(),
                            IndexRecordOption::WithFreqs,
                        )),
                    )
                })
                .collect();
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    deciding, minimum,
                )),
            )];
            for w in &words {
                for (t, boost) in &w.extras {
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)),
                            *boost,
                        )),
                    ));
                }
            }
            let theirs = BooleanQuery::new(clauses);
            // Every other round, a filter as the search page adds one: a required
            // headline word and an excluded body word.
            let (ours, theirs) = if round % 2 == 1 {
                let must = VOCABULARY[(next(&mut seed) % VOCABULARY.len() as u64) as usize];
                let not = VOCABULARY[(next(&mut seed) % VOCABULARY.len() as u64) as usize];
                let constraints: Vec<(Occur, Box<dyn Query>)> = vec![
                    (Occur::Must, Box::new(term_query(title, must))),
                    (Occur::MustNot, Box::new(term_query(text, not))),
                ];
                let mut filtered: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, Box::new(theirs))];
                // Filters decide, they do not score.
                filtered.extend(constraints.iter().map(|(o, q)| -> (Occur, Box<dyn Query>) {
                    (*o, Box::new(ConstScoreQuery::new(q.box_clone(), 0.0)))
                }));
                (ours.filtered(&constraints), BooleanQuery::new(filtered))
            } else {
                (ours, theirs)
            };
            let count = searcher.search(&ours, &Count).unwrap();
            assert_eq!(
                count,
                searcher.search(&theirs, &Count).unwrap(),
                "{chosen:?} ≥{minimum}"
            );
            let top = |q: &dyn Query| -> Vec<(u32, f32)> {
                let mut hits: Vec<(u32, f32)> = searcher
                    .search(q, &TopDocs::with_limit(20))
                    .unwrap()
                    .into_iter()
                    .map(|(score, a)| (a.doc_id, score))
                    .collect();
                hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                hits
            };
            let (a, b) = (top(&ours), top(&theirs));
            assert_eq!(a.len(), b.len(), "round {round}: {chosen:?} ≥{minimum}");
            for (x, y) in a.iter().zip(&b) {
                assert!(
                    (x.1 - y.1).abs() < 1e-4,
                    "round {round}: {chosen:?} ≥{minimum}: {a:?} vs {b:?}"
                );
            }
            // The scores at each rank agree; so do the documents, up to ties.
            let score_of =
                |hits: &[(u32, f32)], doc: u32| hits.iter().find(|h| h.0 == doc).map(|h| h.1);
            for (doc, score) in &a {
                if let Some(other) = score_of(&b, *doc) {
                    assert!((score - other).abs() < 1e-4);
                }
            }
        }
    }
}
