//! Ranking: a [`ParsedQuery`] → a tantivy query, with field weights, typo tolerance,
//! a proximity boost and pseudo-relevance feedback.
//!
//! Every word is scored with BM25 in title, lead and body separately (tantivy's
//! k1 = 1.2, b = 0.75) and the field scores are summed with [`RankingConfig`]'s
//! weights. What each component contributed on the development collections is
//! recorded in `docs/SEARCH.md`; components that did not help there are off by default.

use crate::fields::Fields;
use crate::phrase::{PhrasePart, RankedPhrase};
use crate::spell::{Correction, Vocabulary};
use crate::syntax::{Clause, Expr, FilterField, Occur as QOccur, ParsedQuery, Scope};
use crate::words::{Word, WordsQuery};
use rustc_hash::FxHashMap as HashMap;
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, Searcher, Term};

/// How results are scored. The defaults are what the development collections supported
/// (see `docs/SEARCH.md`); the evaluation command can override any of them to measure
/// its contribution (`herald eval search --set name=value`).
#[derive(Debug, Clone, PartialEq)]
pub struct RankingConfig {
    /// Extra weight of a headline match, on top of the match in the whole text.
    pub title_weight: f32,
    /// Extra weight of a lead (dek) match.
    pub lead_weight: f32,
    /// Weight of a match anywhere in the article (title, lead and body as one field).
    pub text_weight: f32,
    /// Weight of the proximity component (adjacent query words near each other in the
    /// text, within [`RankingConfig::proximity_slop`] positions); 0 turns it off.
    pub proximity_weight: f32,
    /// Positions allowed between two query words for the proximity component.
    pub proximity_slop: u32,
    /// Pseudo-relevance feedback (RM3): documents read from the first ranking; 0 is off.
    pub feedback_docs: usize,
    /// Expansion terms added.
    pub feedback_terms: usize,
    /// Feedback runs only for queries of at least this many words: it pays on verbose
    /// questions, while a short news query would pay a second ranking pass for little.
    pub feedback_min_words: usize,
    /// Share of the final query given to the reader's own words (the rest to the
    /// expansion terms).
    pub feedback_original_weight: f32,
    /// Expansion terms found in more than this share of documents are skipped: they
    /// describe the collection, not the topic.
    pub feedback_max_df: f32,
    /// Typo tolerance: words missing from the index also match close vocabulary words.
    pub fuzzy: bool,
    /// Score multiplier of a fuzzy (corrected) word relative to an exact one.
    pub fuzzy_weight: f32,
    /// Queries with at most this many words require all but
    /// `max(0, words - short_query_slack)` of them… see [`RankingConfig::short_query_slack`].
    pub short_query_words: usize,
    /// Words a short query may miss: 2-word queries need both, 3–4 words all but one.
    pub short_query_slack: usize,
    /// Newer articles score higher: the boost halves every this many days. `None` (the
    /// default, and always in evaluation) leaves relevance alone.
    pub freshness_half_life_days: Option<f32>,
    /// Largest freshness multiplier (for an article published now): 1 + this.
    pub freshness_weight: f32,
}

impl Default for RankingConfig {
    fn default() -> Self {
        RankingConfig {
            title_weight: 0.25,
            lead_weight: 0.25,
            text_weight: 1.0,
            proximity_weight: 0.0,
            proximity_slop: 3,
            feedback_docs: 10,
            feedback_terms: 10,
            feedback_min_words: 5,
            feedback_original_weight: 0.7,
            feedback_max_df: 0.1,
            fuzzy: true,
            fuzzy_weight: 0.5,
            short_query_words: 4,
            short_query_slack: 1,
            freshness_half_life_days: None,
            freshness_weight: 0.5,
        }
    }
}

impl RankingConfig {
    /// Sets one parameter by name (`title_weight=1.5`, `feedback_docs=0`, `fuzzy=false`,
    /// `freshness_half_life_days=none`); for evaluation and ablation runs.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let f = || value.parse::<f32>().map_err(|e| format!("{name}: {e}"));
        let u = || value.parse::<usize>().map_err(|e| format!("{name}: {e}"));
        match name {
            "title_weight" => self.title_weight = f()?,
            "lead_weight" => self.lead_weight = f()?,
            "body_weight" => self.text_weight = f()?,
            "proximity_weight" => self.proximity_weight = f()?,
            "proximity_slop" => self.proximity_slop = u()? as u32,
            "feedback_docs" => self.feedback_docs = u()?,
            "feedback_terms" => self.feedback_terms = u()?,
            "feedback_min_words" => self.feedback_min_words = u()?,
            "feedback_original_weight" => self.feedback_original_weight = f()?,
            "feedback_max_df" => self.feedback_max_df = f()?,
            "fuzzy" => self.fuzzy = value.parse().map_err(|e| format!("{name}: {e}"))?,
            "fuzzy_weight" => self.fuzzy_weight = f()?,
            "short_query_words" => self.short_query_words = u()?,
            "short_query_slack" => self.short_query_slack = u()?,
            "freshness_half_life_days" => {
                self.freshness_half_life_days = match value {
                    "none" | "off" | "" => None,
                    _ => Some(f()?),
                }
            }
            "freshness_weight" => self.freshness_weight = f()?,
            _ => return Err(format!("unknown ranking parameter {name:?}")),
        }
        Ok(())
    }
}

/// Queries with at most this many words and phrases require their phrases.
const PHRASE_REQUIRED_MAX_UNITS: usize = 6;

/// Everything a built query needs from the index.
pub(crate) struct Builder<'a> {
    pub fields: Fields,
    pub config: &'a RankingConfig,
    pub searcher: &'a Searcher,
    pub text: TextAnalyzer,
    /// Analysers of the other languages the index holds (their articles are in the
    /// `*_other` fields); empty for an English-only index, whose queries are then
    /// exactly the English ones.
    pub others: Vec<TextAnalyzer>,
    pub key: TextAnalyzer,
    pub vocabulary: &'a Vocabulary,
    /// Words replaced by typo tolerance, in query order.
    pub corrections: Vec<Correction>,
    /// Analysed words of plain top-level clauses (for feedback and proximity).
    pub bag: Vec<String>,
    /// The same words' stems in the other languages (for each word of `bag`, its
    /// distinct stems in the `*_other` fields): feedback keeps them in its final query.
    pub bag_other: Vec<Vec<String>>,
    /// Whether the query is only plain words (feedback applies).
    pub simple: bool,
}

/// The built query in parts, so feedback can rebuild the ranked part.
pub(crate) struct Built {
    /// Words, phrases and groups, without filters.
    pub core: Box<dyn Query>,
    /// Filters and exclusions: applied to every variant of the ranked part.
    pub constraints: Vec<(Occur, Box<dyn Query>)>,
    /// Whether `core` matches anything positive (else everything passes the filters).
    pub has_core: bool,
}

impl Builder<'_> {
    fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            out.push((token.position, token.text.clone()));
        }
        out
    }

    pub(crate) fn doc_freq(&self, field: Field, term: &str) -> u64 {
        self.searcher
            .doc_freq(&Term::from_field_text(field, term))
            .unwrap_or(0)
    }

    fn text_fields(&self, scope: Scope) -> Vec<(Field, f32)> {
        let f = self.fields;
        let c = self.config;
        match scope {
            Scope::Title => vec![(f.title, 1.0)],
            Scope::All => vec![
                (f.title, c.title_weight),
                (f.lead, c.lead_weight),
                (f.text, c.text_weight),
            ],
        }
    }

    /// The counterparts of [`Builder::text_fields`] for non-English articles, with
    /// the same weights.
    fn other_fields(&self, scope: Scope) -> Vec<(Field, f32)> {
        let f = self.fields;
        let c = self.config;
        match scope {
            Scope::Title => vec![(f.title_other, 1.0)],
            Scope::All => vec![
                (f.title_other, c.title_weight),
                (f.lead_other, c.lead_weight),
                (f.text_other, c.text_weight),
            ],
        }
    }

    /// `text` analysed by every other language's analyser: one term list per
    /// distinct analysis (languages that analyse it alike are searched once).
    fn other_analyses(&mut self, text: &str) -> Vec<Vec<(usize, String)>> {
        let mut out: Vec<Vec<(usize, String)>> = Vec::new();
        for analyzer in &mut self.others {
            let terms = Self::analyse(analyzer, text);
            if !terms.is_empty() && !out.contains(&terms) {
                out.push(terms);
            }
        }
        out
    }

    /// `text` (a phrase, or a word that analyses into several terms) in every
    /// language: a term or phrase query per analysis, any of them matching.
    fn phrase_all(&mut self, text: &str, scope: Scope, slop: u32) -> Option<Box<dyn Query>> {
        let english = Self::analyse(&mut self.text, text);
        let mut parts: Vec<Box<dyn Query>> = Vec::new();
        match english.len() {
            0 => {}
            1 => parts.extend(self.term_query(&english[0].1, scope, 1.0)),
            _ => parts.extend(self.phrase_query(&english, scope, slop)),
        }
        let fields = self.other_fields(scope);
        for terms in self.other_analyses(text) {
            if terms.len() == 1 {
                parts.extend(self.parts_in(&fields, &terms[0].1, 1.0));
            } else {
                parts.extend(self.phrase_in(&fields, &terms, slop));
            }
        }
        union(parts)
    }

    /// One analysed term over the scope's fields, as one weighted term query per field
    /// that has it (their sum is the term's score; any of them matching is the term
    /// matching). Kept flat so a union of terms is a union of term queries, which
    /// tantivy ranks with block-max WAND.
    pub(crate) fn term_parts(&self, term: &str, scope: Scope, weight: f32) -> Vec<Box<dyn Query>> {
        self.parts_in(&self.text_fields(scope), term, weight)
    }

    /// [`Builder::term_parts`] over the given weighted fields.
    fn parts_in(&self, fields: &[(Field, f32)], term: &str, weight: f32) -> Vec<Box<dyn Query>> {
        queries(self.tagged_parts_in(fields, term, weight))
    }

    /// Whether a match in `field`, one of the scope's `fields`, decides whether the
    /// article matches: the `text` fields hold title, lead and body; a scope of one
    /// field (`title:`) decides by that field.
    fn decides(&self, fields: &[(Field, f32)], field: Field) -> bool {
        fields.len() == 1 || field == self.fields.text || field == self.fields.text_other
    }

    /// [`Builder::parts_in`], each part saying whether it decides the match.
    fn tagged_parts_in(&self, fields: &[(Field, f32)], term: &str, weight: f32) -> Vec<Part> {
        let mut parts = Vec::new();
        for &(field, w) in fields {
            if w <= 0.0 {
                continue;
            }
            let t = Term::from_field_text(field, term);
            if self.searcher.doc_freq(&t).unwrap_or(0) == 0 {
                continue;
            }
            parts.push(Part::Term {
                term: t,
                weight: w * weight,
                decides: self.decides(fields, field),
            });
        }
        parts
    }

    /// [`Builder::term_parts`] as one query.
    pub(crate) fn term_query(
        &self,
        term: &str,
        scope: Scope,
        weight: f32,
    ) -> Option<Box<dyn Query>> {
        union(self.term_parts(term, scope, weight))
    }

    fn phrase_query(
        &self,
        terms: &[(usize, String)],
        scope: Scope,
        slop: u32,
    ) -> Option<Box<dyn Query>> {
        self.phrase_in(&self.text_fields(scope), terms, slop)
    }

    /// [`Builder::phrase_query`] over the given weighted fields.
    fn phrase_in(
        &self,
        fields: &[(Field, f32)],
        terms: &[(usize, String)],
        slop: u32,
    ) -> Option<Box<dyn Query>> {
        let mut phrases: Vec<(PhrasePart, bool)> = Vec::new();
        for &(field, w) in fields {
            if w <= 0.0 {
                continue;
            }
            let with_pos: Vec<(usize, Term)> = terms
                .iter()
                .map(|(p, t)| (*p, Term::from_field_text(field, t)))
                .collect();
            if with_pos
                .iter()
                .any(|(_, t)| self.searcher.doc_freq(t).unwrap_or(0) == 0)
            {
                continue;
            }
            // As for words (see `Part`): the phrase in the `text` field, which holds
            // title and lead too, decides the match; in title and lead it only scores.
            let decides = self.decides(fields, field);
            phrases.push((
                PhrasePart {
                    terms: with_pos,
                    weight: w,
                },
                decides,
            ));
        }
        let deciding = phrases.iter().filter(|(_, d)| *d).count();
        if slop == 0 && deciding == 1 {
            let (decide, extras): (Vec<_>, Vec<_>) = phrases.into_iter().partition(|(_, d)| *d);
            let decide = decide.into_iter().next().map(|(p, _)| p)?;
            return Some(Box::new(RankedPhrase::new(
                decide,
                extras.into_iter().map(|(p, _)| p).collect(),
            )));
        }
        let mut parts: Vec<(Occur, Box<dyn Query>)> = phrases
            .into_iter()
            .map(|(part, decides)| -> (Occur, Box<dyn Query>) {
                let q = PhraseQuery::new_with_offset_and_slop(part.terms, slop);
                (
                    if decides { Occur::Must } else { Occur::Should },
                    boosted(Box::new(q), part.weight),
                )
            })
            .collect();
        match parts.len() {
            0 => None,
            1 => parts.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(parts))),
        }
    }

    /// A word: its analysed terms, each with its typo alternatives when it is unknown.
    /// Returns one query per term (a word such as "non-users" gives two).
    fn word(&mut self, text: &str, scope: Scope, top_level: bool) -> Vec<Box<dyn Query>> {
        self.word_parts(text, scope, top_level)
            .into_iter()
            .filter_map(|alternatives| union(queries(alternatives)))
            .collect()
    }

    /// [`Builder::word`] with each term left as its flat list of alternatives (any of
    /// them matching is the term matching; their scores add up).
    fn word_parts(&mut self, text: &str, scope: Scope, top_level: bool) -> Vec<Vec<Part>> {
        let terms = Self::analyse(&mut self.text, text);
        let others = self.other_analyses(text);
        let other_fields = self.other_fields(scope);
        let fields = self.text_fields(scope);
        let mut out = Vec::new();
        for (i, (_, term)) in terms.iter().enumerate() {
            let mut alternatives = self.tagged_parts_in(&fields, term, 1.0);
            // The same word as other languages analyse it, in their articles (the
            // tokenizers agree, so the i-th term of each analysis is this word's).
            let mut seen: Vec<String> = Vec::new();
            let mut other_parts = Vec::new();
            for other in &others {
                if let Some((_, stem)) = other.get(i) {
                    if !seen.contains(stem) {
                        other_parts.extend(self.tagged_parts_in(&other_fields, stem, 1.0));
                        seen.push(stem.clone());
                    }
                }
            }
            // A word some language's articles have is not a typo.
            let known_elsewhere = !other_parts.is_empty();
            alternatives.extend(other_parts);
            if self.config.fuzzy && terms.len() == 1 && !known_elsewhere {
                let text_df = self.doc_freq(self.fields.text, term);
                if let Some(correction) =
                    self.vocabulary
                        .correct(self.searcher, self.fields, text, text_df)
                {
                    for (candidate, distance) in &correction.candidates {
                        let weight = self.config.fuzzy_weight / *distance as f32;
                        for (_, stem) in Self::analyse(&mut self.text, candidate) {
                            alternatives.extend(self.tagged_parts_in(&fields, &stem, weight));
                        }
                    }
                    self.corrections.push(correction);
                }
            }
            if top_level && scope == Scope::All {
                self.bag.push(term.clone());
                self.bag_other.push(seen);
            }
            if !alternatives.is_empty() {
                out.push(alternatives);
            }
        }
        out
    }

    /// Clauses → a boolean query. Plain words are `Should`; a short list of them is
    /// given a minimum number to match, so "city budget" means both words.
    fn clauses(&mut self, clauses: &[Clause], top_level: bool) -> Option<Box<dyn Query>> {
        let mut should: Vec<Vec<Part>> = Vec::new();
        // Required single words, each its alternatives.
        let mut required: Vec<Vec<Part>> = Vec::new();
        let mut rest: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let units = clauses
            .iter()
            .filter(|c| !matches!(c.expr, Expr::Word { stopword: true, .. }))
            .count();
        // In a short query a phrase is what the reader insists on; in a long question
        // quotes are as often scare quotes, and the phrase only ranks.
        let phrase_required = top_level && units <= PHRASE_REQUIRED_MAX_UNITS;
        for clause in clauses {
            if let Expr::Word { stopword: true, .. } = clause.expr {
                continue;
            }
            let occur = match clause.occur {
                QOccur::Should if phrase_required && matches!(clause.expr, Expr::Phrase { .. }) => {
                    Occur::Must
                }
                QOccur::Should => Occur::Should,
                QOccur::Must => Occur::Must,
                QOccur::Exclude => Occur::MustNot,
            };
            if !matches!(
                clause.expr,
                Expr::Word {
                    scope: Scope::All,
                    ..
                }
            ) || clause.occur != QOccur::Should
            {
                self.simple = false;
            }
            match (&clause.expr, occur) {
                (Expr::Word { text, scope, .. }, Occur::Should) => {
                    should.extend(self.word_parts(text, *scope, top_level));
                }
                (Expr::Word { text, scope, .. }, _) => {
                    // A required or excluded word that analyses into several terms
                    // ("covid-19") means them together.
                    let terms = Self::analyse(&mut self.text, text);
                    if occur == Occur::Must && terms.len() == 1 {
                        match self.word_parts(text, *scope, false).pop() {
                            Some(alternatives) => required.push(alternatives),
                            // A required word nobody wrote: nothing can match.
                            None => rest.push((Occur::Must, Box::new(EmptyQuery))),
                        }
                        continue;
                    }
                    let q = if terms.len() > 1 {
                        self.phrase_all(text, *scope, 0)
                    } else {
                        let mut v = self.word(text, *scope, false);
                        v.pop()
                    };
                    match (q, occur) {
                        (Some(q), _) => rest.push((occur, q)),
                        // A required word nobody wrote: nothing can match.
                        (None, Occur::Must) => rest.push((Occur::Must, Box::new(EmptyQuery))),
                        (None, _) => {}
                    }
                }
                (expr, occur) => {
                    let q = self.expr(expr);
                    match (q, occur) {
                        (Some(q), Occur::Should) => should.push(vec![Part::Query(q)]),
                        (Some(q), _) => rest.push((occur, q)),
                        (None, Occur::Must) => rest.push((Occur::Must, Box::new(EmptyQuery))),
                        (None, _) => {}
                    }
                }
            }
        }
        let n = should.len();
        let cfg = self.config;
        let minimum = if top_level && n > 1 && n <= cfg.short_query_words {
            if n <= 2 {
                n
            } else {
                n - cfg.short_query_slack.min(n - 1)
            }
        } else {
            1
        };
        if !required.is_empty() {
            if should.is_empty() && rest.is_empty() {
                // Only required words ("+a +b"): ranked like words that must all match.
                let all = required.len();
                return Some(required_words(required, all));
            }
            for alternatives in required {
                if let Some(q) = union(queries(alternatives)) {
                    rest.push((Occur::Must, q));
                }
            }
        }
        let has_required = rest.iter().any(|(o, _)| *o == Occur::Must);
        if n > 0 {
            let union: Box<dyn Query> = if minimum <= 1 {
                // Any word: one flat union of term queries (block-max WAND).
                let flat: Vec<Box<dyn Query>> = should.into_iter().flat_map(queries).collect();
                union(flat).unwrap_or_else(|| Box::new(EmptyQuery))
            } else {
                required_words(should, minimum)
            };
            // Beside required clauses, plain words only rank (they are optional).
            rest.push((
                if has_required {
                    Occur::Should
                } else {
                    Occur::Must
                },
                union,
            ));
        }
        if !rest.iter().any(|(o, _)| *o != Occur::MustNot) {
            if rest.is_empty() {
                return None;
            }
            // Only exclusions: everything else.
            rest.push((Occur::Must, Box::new(AllQuery)));
        }
        if rest.len() == 1 && rest[0].0 == Occur::Must {
            return rest.pop().map(|(_, q)| q);
        }
        Some(Box::new(BooleanQuery::new(rest)))
    }

    fn expr(&mut self, expr: &Expr) -> Option<Box<dyn Query>> {
        match expr {
            Expr::Word { text, scope, .. } => {
                let mut v = self.word(text, *scope, false);
                match v.len() {
                    0 => None,
                    1 => v.pop(),
                    _ => Some(Box::new(BooleanQuery::new(
                        v.into_iter().map(|q| (Occur::Must, q)).collect(),
                    ))),
                }
            }
            Expr::Phrase { words, scope } => self.phrase_all(&words.join(" "), *scope, 0),
            Expr::Any(alts) => {
                // Alternatives: one flat union where they are single-term words.
                let mut parts: Vec<Box<dyn Query>> = Vec::new();
                for e in alts {
                    match e {
                        Expr::Word { stopword: true, .. } => {}
                        Expr::Word { text, scope, .. } => {
                            let mut terms = self.word_parts(text, *scope, false);
                            if terms.len() == 1 {
                                parts.extend(queries(terms.pop().unwrap_or_default()));
                            } else if !terms.is_empty() {
                                parts.push(Box::new(BooleanQuery::new(
                                    terms
                                        .into_iter()
                                        .filter_map(|alternatives| union(queries(alternatives)))
                                        .map(|q| (Occur::Must, q))
                                        .collect(),
                                )));
                            }
                        }
                        _ => parts.extend(self.expr(e)),
                    }
                }
                union(parts)
            }
            Expr::Group(clauses) => self.clauses(clauses, false),
        }
    }

    /// The whole query.
    pub(crate) fn build(&mut self, parsed: &ParsedQuery) -> Built {
        self.simple = true;
        let core = self.clauses(&parsed.clauses, true);
        let mut constraints: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let f = self.fields;
        // Filters on one field are alternatives; different fields all apply.
        for field in [
            FilterField::Section,
            FilterField::Source,
            FilterField::Author,
            FilterField::Lang,
        ] {
            let mut allowed: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for filter in parsed.filters.iter().filter(|x| x.field == field) {
                let q: Option<Box<dyn Query>> = match field {
                    FilterField::Section => Some(exact(f.section, &filter.value)),
                    // Articles carry their resolved primary language (`en`, not
                    // `en-US`); a filter value that is no language tag matches as typed.
                    FilterField::Lang => Some(exact(
                        f.lang,
                        &crate::lang::normalize(&filter.value)
                            .unwrap_or_else(|| filter.value.clone()),
                    )),
                    FilterField::Source | FilterField::Author => {
                        let target = if field == FilterField::Source {
                            f.source_key
                        } else {
                            f.author
                        };
                        let terms = Self::analyse(&mut self.key, &filter.value);
                        match terms.len() {
                            0 => None,
                            1 => Some(Box::new(TermQuery::new(
                                Term::from_field_text(target, &terms[0].1),
                                IndexRecordOption::Basic,
                            ))),
                            _ => Some(Box::new(PhraseQuery::new_with_offset(
                                terms
                                    .iter()
                                    .map(|(p, t)| (*p, Term::from_field_text(target, t)))
                                    .collect(),
                            ))),
                        }
                    }
                };
                let Some(q) = q else { continue };
                if filter.negated {
                    constraints.push((Occur::MustNot, q));
                } else {
                    allowed.push((Occur::Should, q));
                }
            }
            if !allowed.is_empty() {
                constraints.push((Occur::Must, Box::new(BooleanQuery::new(allowed))));
            }
        }
        if parsed.after.is_some() || parsed.before.is_some() {
            let bound = |t: Option<chrono::DateTime<chrono::Utc>>, lower: bool| match t {
                None => Bound::Unbounded,
                Some(t) => {
                    let term = Term::from_field_date(
                        f.published,
                        DateTime::from_timestamp_secs(t.timestamp()),
                    );
                    if lower {
                        Bound::Included(term)
                    } else {
                        Bound::Excluded(term)
                    }
                }
            };
            constraints.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(parsed.after, true),
                    bound(parsed.before, false),
                )),
            ));
        }
        let has_core = core.is_some();
        Built {
            core: core.unwrap_or_else(|| Box::new(AllQuery)),
            constraints,
            has_core,
        }
    }

    /// Adjacent query words near each other: a phrase query with slop per pair, over
    /// title and body, added as an optional scoring clause.
    pub(crate) fn proximity(&self) -> Option<Box<dyn Query>> {
        let w = self.config.proximity_weight;
        if w <= 0.0 || self.bag.len() < 2 {
            return None;
        }
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for pair in self.bag.windows(2).take(16) {
            if pair[0] == pair[1] {
                continue;
            }
            let terms = vec![(0, pair[0].clone()), (1, pair[1].clone())];
            if let Some(q) = self.phrase_query(&terms, Scope::All, self.config.proximity_slop) {
                parts.push((Occur::Should, q));
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(boosted(Box::new(BooleanQuery::new(parts)), w))
    }

    /// RM3: the relevance model of the top documents' text, interpolated with the
    /// query's own words (both as probability distributions), as one weighted query.
    /// `docs` are (first-pass score, stored feedback text).
    pub(crate) fn feedback(
        &mut self,
        docs: &[(f32, String)],
        num_docs: u64,
    ) -> Option<Box<dyn Query>> {
        let cfg = self.config;
        if docs.is_empty() || self.bag.is_empty() {
            return None;
        }
        let stop_stems = stop_stems(&mut self.text);
        let total_score: f32 = docs.iter().map(|(s, _)| s.max(0.0)).sum();
        if total_score <= 0.0 {
            return None;
        }
        let mut model: HashMap<String, f32> = HashMap::default();
        for (score, text) in docs {
            let mut tf: HashMap<String, f32> = HashMap::default();
            let mut len = 0.0f32;
            for (_, term) in Self::analyse(&mut self.text, text) {
                len += 1.0;
                if term.len() < 2 || term.len() > 20 || term.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                if stop_stems.contains(&term) {
                    continue;
                }
                *tf.entry(term).or_default() += 1.0;
            }
            if len == 0.0 {
                continue;
            }
            let p_doc = score.max(0.0) / total_score;
            for (term, n) in tf {
                *model.entry(term).or_default() += p_doc * n / len;
            }
        }
        let max_df = (cfg.feedback_max_df as f64 * num_docs as f64).max(1.0) as u64;
        let mut ranked: Vec<(String, f32)> = model.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut expansion: Vec<(String, f32)> = Vec::new();
        for (term, p) in ranked {
            if expansion.len() >= cfg.feedback_terms {
                break;
            }
            let df = self
                .doc_freq(self.fields.text, &term)
                .max(self.doc_freq(self.fields.title, &term));
            if df > max_df {
                continue;
            }
            expansion.push((term, p));
        }
        let exp_sum: f32 = expansion.iter().map(|(_, p)| p).sum();
        let mut weights: HashMap<String, f32> = HashMap::default();
        let q_len = self.bag.len() as f32;
        let lambda = cfg.feedback_original_weight.clamp(0.0, 1.0);
        for term in &self.bag {
            *weights.entry(term.clone()).or_default() += lambda / q_len;
        }
        if exp_sum > 0.0 {
            for (term, p) in expansion {
                *weights.entry(term).or_default() += (1.0 - lambda) * p / exp_sum;
            }
        }
        let mut terms: Vec<(String, f32)> = weights.into_iter().collect();
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let mut parts: Vec<Box<dyn Query>> = terms
            .iter()
            .flat_map(|(t, w)| self.term_parts(t, Scope::All, *w))
            .collect();
        // The reader's words keep their other-language matches, at the same weight
        // (the expansion, read with the English analyser, is English only).
        if !self.others.is_empty() {
            let fields = self.other_fields(Scope::All);
            let mut other: HashMap<&str, f32> = HashMap::default();
            for stems in &self.bag_other {
                for stem in stems {
                    *other.entry(stem.as_str()).or_default() += lambda / q_len;
                }
            }
            let mut other: Vec<(&str, f32)> = other.into_iter().collect();
            other.sort_by(|a, b| a.0.cmp(b.0));
            for (stem, w) in other {
                parts.extend(self.parts_in(&fields, stem, w));
            }
        }
        union(parts)
    }
}

/// One weighted term query of a word, and whether it decides whether the word matches.
/// The `text` fields hold title, lead and body, so a word is in an article exactly
/// where its `text` part matches; the title and lead parts only add to the score.
pub(crate) enum Part {
    /// A weighted term in one field.
    Term {
        term: Term,
        weight: f32,
        decides: bool,
    },
    /// Anything else (a phrase, a group of words): it decides.
    Query(Box<dyn Query>),
}

impl Part {
    fn decides(&self) -> bool {
        match self {
            Part::Term { decides, .. } => *decides,
            Part::Query(_) => true,
        }
    }

    fn into_query(self) -> Box<dyn Query> {
        match self {
            Part::Term { term, weight, .. } => boosted(
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                weight,
            ),
            Part::Query(q) => q,
        }
    }
}

fn queries(parts: Vec<Part>) -> Vec<Box<dyn Query>> {
    parts.into_iter().map(Part::into_query).collect()
}

/// Words of which at least `minimum` must match (all of them when `minimum` is their
/// number), each word a list of alternatives.
///
/// Plain words (one deciding term each) are ranked by [`WordsQuery`]. Others (with
/// typo alternatives or other-language stems) become a boolean query in which the
/// words' deciding parts alone decide the match (an intersection or a
/// minimum-should-match disjunction) and the title and lead parts join as optional
/// clauses that only add to the score: the same sum as requiring a union of all of a
/// word's parts, but the matching never walks the title and lead postings, and
/// counting (scoring off) drops them altogether.
fn required_words(words: Vec<Vec<Part>>, minimum: usize) -> Box<dyn Query> {
    if let Some(words) = plain_words(&words) {
        return Box::new(WordsQuery::new(words, minimum));
    }
    let mut ranking_only: Vec<Box<dyn Query>> = Vec::new();
    let deciding: Vec<Box<dyn Query>> = words
        .into_iter()
        .filter_map(|alternatives| {
            let (decide, rank): (Vec<Part>, Vec<Part>) =
                alternatives.into_iter().partition(Part::decides);
            if decide.is_empty() {
                // Nothing in a `text` field (a weight of 0 there): the parts decide.
                union(queries(rank))
            } else {
                ranking_only.extend(queries(rank));
                union(queries(decide))
            }
        })
        .collect();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = if minimum >= deciding.len() {
        // Every word: an intersection, driven by the rarest word.
        deciding.into_iter().map(|q| (Occur::Must, q)).collect()
    } else {
        let any: Vec<(Occur, Box<dyn Query>)> =
            deciding.into_iter().map(|q| (Occur::Should, q)).collect();
        vec![(
            Occur::Must,
            Box::new(BooleanQuery::with_minimum_required_clauses(any, minimum)),
        )]
    };
    clauses.extend(ranking_only.into_iter().map(|q| (Occur::Should, q)));
    if clauses.len() == 1 {
        if let Some((_, q)) = clauses.pop() {
            return q;
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// `words` as [`Word`]s when each is plain terms with exactly one deciding term (no
/// typo alternatives, no other-language stems), the shape [`WordsQuery`] ranks.
fn plain_words(words: &[Vec<Part>]) -> Option<Vec<Word>> {
    words
        .iter()
        .map(|alternatives| {
            let mut decides = None;
            let mut extras = Vec::new();
            for part in alternatives {
                let Part::Term {
                    term,
                    weight,
                    decides: deciding,
                } = part
                else {
                    return None;
                };
                if *deciding {
                    if decides.replace((term.clone(), *weight)).is_some() {
                        return None;
                    }
                } else {
                    extras.push((term.clone(), *weight));
                }
            }
            Some(Word {
                decides: decides?,
                extras,
            })
        })
        .collect()
}

/// The stems of the stopword list, as the analyser produces them ("having" → "have").
fn stop_stems(text: &mut TextAnalyzer) -> rustc_hash::FxHashSet<String> {
    crate::syntax::STOPWORDS
        .iter()
        .flat_map(|w| Builder::analyse(text, w))
        .map(|(_, t)| t)
        .collect()
}

/// The sum of `parts`, matching where any matches; `None` when there are none.
fn union(mut parts: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            parts.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

fn exact(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

pub(crate) fn boosted(q: Box<dyn Query>, w: f32) -> Box<dyn Query> {
    if (w - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, w))
    }
}
