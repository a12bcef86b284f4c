//! Opening the index and searching it.

use crate::collect::{
    CursorKey, DateGranularity, Entry, FacetCollector, Facets, Freshness, HitIds, Ranked,
    RawFacets, TopById,
};
use crate::error::{SearchError, SearchResult};
use crate::fields::{Fields, SCHEMA_VERSION};
use crate::indexer::{IndexState, Indexer};
use crate::lang::{self, OtherAnalysis};
use crate::rank::{Builder, RankingConfig};
use crate::spell::{Correction, TermCompletion, Vocabulary};
use crate::syntax::{self, ParsedQuery, Sort};
use crate::words::WordsQuery;
use chrono::{DateTime, Utc};
use herald_types::ArticleId;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// Matches counted exactly; past this many the total is an estimate.
pub const EXACT_TOTAL_UP_TO: usize = 10_000;

/// The search index in a directory, shared by searchers and (one) indexer.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    reader: IndexReader,
    pub(crate) path: PathBuf,
    ranking: Arc<RankingConfig>,
    /// The non-English analyses the index holds, for one searcher generation (read
    /// once per commit rather than per query).
    languages: Arc<Mutex<(Option<u64>, Vec<OtherAnalysis>)>>,
}

/// What a reader asked for. The query text is in the query language of
/// [`crate::syntax`]; `section` and `source` are the page's own filters (exact slug and
/// exact source name) and combine with any typed in the query.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query as typed.
    pub query: String,
    /// Only this section (slug).
    pub section: Option<String>,
    /// Only this source (exact name).
    pub source: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
}

/// What a search page may ask for beyond [`SearchRequest`]; every field defaults to the
/// plain ranked search.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Continue after the page that returned this [`SearchResults::next_cursor`]
    /// (`offset` then counts from there). A malformed or stale cursor serves the first
    /// page rather than an error.
    pub cursor: Option<String>,
    /// Override the order the query asks for (`sort:newest`), e.g. from a select box.
    pub sort: Option<Sort>,
    /// Count facets over all matches ([`SearchResults::facets`]); costs a second pass.
    pub facets: bool,
    /// Width of the date histogram's buckets.
    pub date_granularity: DateGranularity,
    /// Search the words exactly as typed: no typo tolerance. The page's "search
    /// instead for …" link sets this.
    pub exact: bool,
    /// The clock for `since:` and freshness; `None` is now.
    pub now: Option<DateTime<Utc>>,
}

/// One matching article.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The article.
    pub id: ArticleId,
    /// Relevance (higher is better); comparable only within one search.
    pub score: f32,
}

/// Results searched with corrected spelling: "Showing results for `showing` — search
/// instead for `original`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    /// The query text with unknown words replaced by what was searched.
    pub showing: String,
    /// The query as typed (search it with [`SearchOptions::exact`]).
    pub original: String,
}

/// A page of hits, what the query was understood to mean, and the means to highlight
/// the hits.
pub struct SearchResults {
    /// Matching articles in all pages; an estimate when [`SearchResults::total_estimated`]
    /// says so (see [`EXACT_TOTAL_UP_TO`] and [`COUNT_BUDGET`]), so a common word costs
    /// no full pass over its postings.
    pub total: usize,
    /// Whether `total` is an estimate ("about 12,300 articles").
    pub total_estimated: bool,
    /// This page's hits, best first.
    pub hits: Vec<Hit>,
    /// The query as understood (words, phrases, filters, dates, order).
    pub parsed: ParsedQuery,
    /// The query as searched, in the query language (stopwords left out, repairs made,
    /// corrections applied): for a "searching for …" line.
    pub interpretation: String,
    /// Set when unknown words were searched as their likely spelling.
    pub corrected: Option<Corrected>,
    /// A query text with rare words replaced by far more common close ones: "Did you
    /// mean …?" (the results are for what was typed).
    pub did_you_mean: Option<String>,
    /// Counts over all matches, when [`SearchOptions::facets`] asked for them.
    pub facets: Option<Facets>,
    /// Pass as [`SearchOptions::cursor`] to get the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// The order the hits are in.
    pub sort: Sort,
    snippets: Option<SnippetGenerator>,
    /// Highlighters for the other languages' articles, tried when the English one
    /// finds nothing to highlight.
    other_snippets: Vec<SnippetGenerator>,
}

impl SearchResults {
    /// A short HTML excerpt of `text` around the query's terms, with matches in `<b>`;
    /// the text is escaped, so the result is safe to embed.
    pub fn snippet_html(&self, text: &str) -> String {
        let Some(generator) = &self.snippets else {
            return String::new();
        };
        let snippet = generator.snippet(text);
        if snippet.highlighted().is_empty() {
            for other in &self.other_snippets {
                let candidate = other.snippet(text);
                if !candidate.highlighted().is_empty() {
                    return candidate.to_html();
                }
            }
        }
        snippet.to_html()
    }

    fn empty(parsed: ParsedQuery, sort: Sort) -> SearchResults {
        SearchResults {
            total: 0,
            total_estimated: false,
            hits: Vec::new(),
            interpretation: parsed.to_string(),
            parsed,
            corrected: None,
            did_you_mean: None,
            facets: None,
            next_cursor: None,
            sort,
            snippets: None,
            other_snippets: Vec::new(),
        }
    }
}

/// Suggestions for a search box as the reader types.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    /// The query with its last word completed from the vocabulary, commonest first.
    pub terms: Vec<TermCompletion>,
    /// Headlines matching the words typed (the last one as a prefix).
    pub titles: Vec<TitleCompletion>,
}

/// A headline suggested while typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleCompletion {
    /// The article.
    pub id: ArticleId,
    /// Its headline.
    pub title: String,
}

pub(crate) fn index_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> SearchError {
    let path = path.display().to_string();
    move |e| match e {
        tantivy::TantivyError::LockFailure(..) => SearchError::Locked(path.clone()),
        other => SearchError::Index {
            path: path.clone(),
            message: other.to_string(),
        },
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if absent. An index written with another
    /// schema version is discarded and recreated empty: it is derived data, and the
    /// indexer's catch-up refills it from the store.
    pub fn open(dir: impl AsRef<Path>) -> SearchResult<SearchIndex> {
        let path = dir.as_ref().to_path_buf();
        let err = index_err(&path);
        std::fs::create_dir_all(&path).map_err(|e| SearchError::Index {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let (schema, fields) = Fields::build_schema();
        let mmap = || MmapDirectory::open(&path).map_err(|e| err(e.into()));
        let mut index = Index::open_or_create(mmap()?, schema.clone());
        let stale = match &index {
            Ok(existing) => IndexState::read(existing).schema != SCHEMA_VERSION,
            Err(tantivy::TantivyError::SchemaError(_)) => true,
            Err(_) => false,
        };
        if stale {
            tracing::warn!(target: "search::index", path = %path.display(), "index schema changed; rebuilding from the store");
            drop(index);
            clear_dir(&path)?;
            index = Index::create(mmap()?, schema, Default::default());
        }
        let index = index.map_err(&err)?;
        Fields::register_analyzers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(&err)?;
        Ok(SearchIndex {
            index,
            fields,
            reader,
            path,
            ranking: Arc::new(RankingConfig::default()),
            languages: Arc::new(Mutex::new((None, Vec::new()))),
        })
    }

    /// Takes the index's single writer. Fails with [`SearchError::Locked`] when another
    /// process holds it.
    pub fn indexer(&self, memory_budget_bytes: usize) -> SearchResult<Indexer> {
        Indexer::new(self.clone(), memory_budget_bytes)
    }

    /// What the newest commit recorded (applied sequence number, schema version).
    pub fn state(&self) -> IndexState {
        IndexState::read(&self.index)
    }

    /// Documents visible to searchers.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Makes the newest commit visible now instead of after the reload delay.
    pub fn refresh(&self) -> SearchResult<()> {
        self.reader.reload().map_err(index_err(&self.path))
    }

    /// How many documents the index holds for an article (as searchers see it): 1
    /// when indexed, 0 when not; more would be a bug.
    pub fn count_of(&self, id: ArticleId) -> SearchResult<usize> {
        let term = Term::from_field_u64(self.fields.id, id.0 as u64);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let count = self
            .reader
            .searcher()
            .search(&query, &Count)
            .map_err(index_err(&self.path))?;
        Ok(count)
    }

    /// Uses `config` to rank from now on (evaluation and ablation runs; the defaults
    /// are what the development collections supported).
    pub fn with_ranking(mut self, config: RankingConfig) -> SearchIndex {
        self.ranking = Arc::new(config);
        self
    }

    /// The ranking configuration in use.
    pub fn ranking(&self) -> &RankingConfig {
        &self.ranking
    }

    /// Runs a reader's query. Never fails on what the reader typed: malformed syntax
    /// degrades to a search of the words.
    pub fn search(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        self.search_with(request, &SearchOptions::default())
    }

    /// [`SearchIndex::search`] with the page's options: cursor, order, facets, exact
    /// spelling.
    pub fn search_with(
        &self,
        request: &SearchRequest,
        options: &SearchOptions,
    ) -> SearchResult<SearchResults> {
        let err = index_err(&self.path);
        let now = options.now.unwrap_or_else(Utc::now);
        let parsed = syntax::parse(&request.query, now);
        let sort = options.sort.unwrap_or(parsed.sort);
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut config = (*self.ranking).clone();
        if options.exact {
            config.fuzzy = false;
        }
        let vocabulary = Vocabulary;
        let languages = self.languages(&searcher);
        let mut builder = Builder {
            fields: f,
            config: &config,
            searcher: &searcher,
            text: self.analyzer(f.text),
            others: languages.iter().map(|a| lang::other_analyzer(*a)).collect(),
            key: self.analyzer(f.author),
            vocabulary: &vocabulary,
            corrections: Vec::new(),
            bag: Vec::new(),
            bag_other: Vec::new(),
            simple: true,
        };
        let mut built = builder.build(&parsed);
        for (field, value) in [(f.section, &request.section), (f.source, &request.source)] {
            if let Some(value) = value {
                let term = Term::from_field_text(field, value);
                built.constraints.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        }
        if !built.has_core && built.constraints.iter().all(|(o, _)| *o == Occur::MustNot) {
            // Nothing typed and no filter: no results rather than the whole index.
            return Ok(SearchResults::empty(parsed, sort));
        }
        // Filters alone list articles newest first.
        let sort = if built.has_core || options.sort.is_some() || parsed.sort != Sort::Relevance {
            sort
        } else {
            Sort::Newest
        };
        let with_constraints =
            |ranked: Box<dyn Query>, extra: Option<Box<dyn Query>>| -> Box<dyn Query> {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, ranked)];
                if let Some(extra) = extra {
                    clauses.push((Occur::Should, extra));
                }
                clauses.extend(built.constraints.iter().map(|(o, q)| (*o, q.box_clone())));
                if clauses.len() == 1 {
                    clauses
                        .pop()
                        .map(|(_, q)| q)
                        .unwrap_or_else(|| Box::new(AllQuery))
                } else {
                    Box::new(BooleanQuery::new(clauses))
                }
            };
        let proximity = builder.proximity();
        let mut query = with_constraints(
            built.core.box_clone(),
            proximity.as_ref().map(|q| q.box_clone()),
        );
        if proximity.is_none() && !built.constraints.is_empty() {
            // Words that must match keep their pruning under filters: the filters join
            // the words' leapfrog instead of wrapping it in a boolean query.
            if let Some(words) = built.core.downcast_ref::<WordsQuery>() {
                query = Box::new(words.filtered(&built.constraints));
            }
        }

        // Pseudo-relevance feedback: re-rank plain ranked queries with terms from the
        // first ranking's top documents.
        let feedback_on = config.feedback_docs > 0
            && builder.simple
            && built.has_core
            && sort == Sort::Relevance
            && builder.bag.len() >= config.feedback_min_words.max(1);
        if feedback_on {
            let top = searcher
                .search(&*query, &TopDocs::with_limit(config.feedback_docs))
                .map_err(&err)?;
            let mut docs = Vec::with_capacity(top.len());
            for (score, address) in top {
                let doc: TantivyDocument = searcher.doc(address).map_err(&err)?;
                let text = doc
                    .get_first(f.feedback)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                docs.push((score, text));
            }
            if let Some(expanded) = builder.feedback(&docs, searcher.num_docs()) {
                let short = builder.bag.len() <= config.short_query_words;
                let ranked: Box<dyn Query> = if short {
                    // Short queries keep their match set (all or most words); the
                    // expansion only re-ranks within it.
                    Box::new(BooleanQuery::new(vec![
                        (
                            Occur::Must,
                            Box::new(ConstScoreQuery::new(built.core.box_clone(), 0.0)),
                        ),
                        (Occur::Should, expanded),
                    ]))
                } else {
                    expanded
                };
                query = with_constraints(ranked, proximity);
            }
        }

        let limit = request.limit.clamp(1, 1000);
        let after = options
            .cursor
            .as_deref()
            .and_then(CursorKey::decode)
            .filter(|c| c.sort == sort);
        let freshness = config
            .freshness_half_life_days
            .filter(|d| *d > 0.0)
            .map(|days| Freshness {
                now_secs: now.timestamp(),
                half_life_secs: days as f64 * 86_400.0,
                weight: config.freshness_weight as f64,
            });
        let want = request.offset.saturating_add(limit).min(100_000);
        let entries: Vec<Entry> =
            if sort == Sort::Relevance && after.is_none() && freshness.is_none() {
                // The common case: the top of the ranking with block-max pruning,
                // ties in the same (score, id) order as the cursor path.
                searcher
                    .search(&*query, &TopById { limit: want })
                    .map_err(&err)?
            } else {
                let collector = Ranked {
                    limit: want,
                    sort,
                    after,
                    freshness,
                };
                searcher.search(&*query, &collector).map_err(&err)?
            };
        let (total, total_estimated) = if after.is_none() && entries.len() < want {
            // The ranking already saw every match: no second pass to count them.
            (entries.len(), false)
        } else {
            let (count, estimated) = capped_count(&searcher, &*query).map_err(&err)?;
            // A sample may miss the few matches the ranking found.
            (count.max(request.offset + entries.len()), estimated)
        };
        let facets = if options.facets {
            let raw =
                facet_counts(&searcher, &*query, options.date_granularity, total).map_err(&err)?;
            Some(raw.finish(options.date_granularity))
        } else {
            None
        };
        let page: Vec<Entry> = entries.into_iter().skip(request.offset).collect();
        let next_cursor = match page.last() {
            Some(last) if page.len() == limit => Some(
                CursorKey {
                    sort,
                    key: last.key,
                    id: last.id,
                }
                .encode(),
            ),
            _ => None,
        };
        let hits = page
            .iter()
            .map(|e| Hit {
                id: ArticleId(e.id as i64),
                score: e.score,
            })
            .collect();
        let mut snippets = SnippetGenerator::create(&searcher, &*built.core, f.text).ok();
        if let Some(generator) = snippets.as_mut() {
            generator.set_max_num_chars(SNIPPET_CHARS);
        }
        let other_snippets = other_snippets(&searcher, &*built.core, f.text_other, &languages);
        let corrections = std::mem::take(&mut builder.corrections);
        let replace = |words: &[&Correction]| {
            let mut text = request.query.clone();
            for c in words {
                text = replace_word(&text, &c.original, &c.replacement);
            }
            text
        };
        let replacing: Vec<&Correction> = corrections.iter().filter(|c| c.replaces).collect();
        let suggesting: Vec<&Correction> = corrections.iter().filter(|c| !c.replaces).collect();
        let corrected = (!replacing.is_empty()).then(|| Corrected {
            showing: replace(&replacing),
            original: request.query.clone(),
        });
        let did_you_mean =
            (!suggesting.is_empty()).then(|| replace(&corrections.iter().collect::<Vec<_>>()));
        let mut interpretation = parsed.to_string();
        for c in &replacing {
            interpretation = replace_word(&interpretation, &c.original, &c.replacement);
        }
        Ok(SearchResults {
            total,
            total_estimated,
            hits,
            interpretation,
            parsed,
            corrected,
            did_you_mean,
            facets,
            next_cursor,
            sort,
            snippets,
            other_snippets,
        })
    }

    /// Completions for a search box: the last word completed from the vocabulary
    /// (most common words first) and headlines matching what is typed so far. Fast
    /// enough to call on every keystroke (prefix range scans of the term dictionary
    /// and one small query); never fails on what was typed.
    pub fn autocomplete(&self, text: &str, limit: usize) -> SearchResult<Completions> {
        let err = index_err(&self.path);
        let limit = limit.clamp(1, 50);
        let text: String = text
            .chars()
            .take(256)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let ends_with_space = text.ends_with(char::is_whitespace);
        let mut key = self.analyzer(self.fields.author);
        let mut words = Vec::new();
        {
            let mut stream = key.token_stream(&text);
            while let Some(t) = stream.next() {
                words.push(t.text.clone());
            }
        }
        let searcher = self.reader.searcher();
        let Some(last) = words.last().cloned() else {
            return Ok(Completions::default());
        };
        let head = &words[..words.len() - 1];
        let completions = if ends_with_space {
            Vec::new()
        } else {
            Vocabulary.complete(&searcher, self.fields, &last, limit)
        };
        let prefix_text: String = head.iter().map(|w| format!("{w} ")).collect();
        let terms: Vec<TermCompletion> = completions
            .iter()
            .map(|(w, docs)| TermCompletion {
                text: format!("{prefix_text}{w}"),
                docs: *docs,
            })
            .collect();
        // Headlines: earlier words required, the last one as any of its completions.
        let f = self.fields;
        // Headline terms of a word in every language the index holds.
        let mut analysers: Vec<(tantivy::schema::Field, TextAnalyzer)> =
            vec![(f.title, self.analyzer(f.title))];
        for analysis in self.languages(&searcher) {
            analysers.push((f.title_other, lang::other_analyzer(analysis)));
        }
        let mut title_terms = |w: &str| -> Vec<Term> {
            let mut out: Vec<Term> = Vec::new();
            for (field, analyzer) in &mut analysers {
                let mut stream = analyzer.token_stream(w);
                if let Some(t) = stream.next() {
                    let term = Term::from_field_text(*field, &t.text);
                    if !out.contains(&term) {
                        out.push(term);
                    }
                }
            }
            out
        };
        let any_of = |terms: Vec<Term>| -> Vec<(Occur, Box<dyn Query>)> {
            terms
                .into_iter()
                .map(|t| -> (Occur, Box<dyn Query>) {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
                    )
                })
                .collect()
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in head {
            let mut terms = any_of(title_terms(w));
            match terms.len() {
                0 => {}
                1 => clauses.extend(terms.pop().map(|(_, q)| (Occur::Must, q))),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::new(terms)))),
            }
        }
        let mut last_terms: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let candidates: Vec<String> = if ends_with_space {
            vec![last.clone()]
        } else {
            completions.iter().take(8).map(|(w, _)| w.clone()).collect()
        };
        for w in candidates.iter().chain(std::iter::once(&last)) {
            last_terms.extend(any_of(title_terms(w)));
        }
        if !last_terms.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(last_terms))));
        }
        let mut titles = Vec::new();
        if !clauses.is_empty() {
            let query = BooleanQuery::new(clauses);
            let top = searcher
                .search(&query, &TopDocs::with_limit(limit))
                .map_err(&err)?;
            let mut ids = HitIds::new(&searcher);
            for (_, address) in top {
                let doc: TantivyDocument = searcher.doc(address).map_err(&err)?;
                // English headlines are stored in `title`; every article's headline
                // is the first line of its stored feedback text.
                let title = doc.get_first(f.title).and_then(|v| v.as_str()).or_else(|| {
                    doc.get_first(f.feedback)
                        .and_then(|v| v.as_str())
                        .and_then(|t| t.lines().next())
                });
                let (Some(id), Some(title)) = (ids.id(address).map_err(&err)?, title) else {
                    continue;
                };
                titles.push(TitleCompletion {
                    id: ArticleId(id as i64),
                    title: title.to_string(),
                });
            }
        }
        Ok(Completions { terms, titles })
    }

    /// The non-English analyses `searcher` sees, cached per searcher generation.
    fn languages(&self, searcher: &tantivy::Searcher) -> Vec<OtherAnalysis> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .languages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cached.0 != Some(generation) {
            *cached = (Some(generation), other_analyses(searcher, self.fields.lang));
        }
        cached.1.clone()
    }

    fn analyzer(&self, field: tantivy::schema::Field) -> TextAnalyzer {
        self.index
            .tokenizer_for_field(field)
            .unwrap_or_else(|_| crate::fields::text_analyzer())
    }
}

/// Characters in a result's snippet.
const SNIPPET_CHARS: usize = 240;

/// The analyses of the non-English languages the index holds, from the `lang` field's
/// term dictionary (a handful of terms per segment).
fn other_analyses(searcher: &tantivy::Searcher, lang_field: Field) -> Vec<OtherAnalysis> {
    let mut out: Vec<OtherAnalysis> = Vec::new();
    for reader in searcher.segment_readers() {
        let Ok(inverted) = reader.inverted_index(lang_field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(code) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if let Some(analysis) = lang::other_analysis(code) {
                if !out.contains(&analysis) {
                    out.push(analysis);
                }
            }
        }
    }
    out
}

/// Highlighters for `field` (the non-English text), one per language the index holds:
/// the query's terms in that field, and that language's analyser to find them.
fn other_snippets(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    field: Field,
    languages: &[OtherAnalysis],
) -> Vec<SnippetGenerator> {
    let mut terms: std::collections::BTreeMap<String, f32> = Default::default();
    query.query_terms(&mut |term, _| {
        if term.field() != field {
            return;
        }
        if let Some(text) = term.value().as_str() {
            let df = searcher.doc_freq(term).unwrap_or(0);
            if df > 0 {
                terms.insert(text.to_string(), 1.0 / (1.0 + df as f32));
            }
        }
    });
    if terms.is_empty() {
        return Vec::new();
    }
    languages
        .iter()
        .map(|analysis| {
            SnippetGenerator::new(
                terms.clone(),
                lang::other_analyzer(*analysis),
                field,
                SNIPPET_CHARS,
            )
        })
        .collect()
}

/// Matches whose facets are counted one by one; past this many, facets are counted
/// on a sample of about this many and scaled up.
pub const EXACT_FACETS_UP_TO: usize = 20_000;

/// Width (in documents) of the slices that sampled facet counting walks a part of.
const FACET_SLICE: u32 = 4_096;

/// Facet counts of `query`'s matches, `total` of them (as [`capped_count`] found).
///
/// Up to [`EXACT_FACETS_UP_TO`] matches (and [`COUNT_BUDGET`] candidates) every one is
/// counted. Beyond, counting every match of a common word at a million articles cost
/// more than the whole rest of the search page, so each segment is cut into slices of
/// [`FACET_SLICE`] documents and only the matches in the head of each slice are
/// counted, a share sized to stay within both limits; counts are scaled by the inverse
/// share.
/// Documents are in arrival order, so the sample spans the whole timeline and the date
/// histogram keeps its shape. Values too rare to fall in the sample are left out.
fn facet_counts(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    granularity: DateGranularity,
    total: usize,
) -> tantivy::Result<RawFacets> {
    use tantivy::collector::{Collector, SegmentCollector};
    let collector = FacetCollector { granularity };
    let (scorers, candidates) = segment_scorers(searcher, query)?;
    // The smaller share of two limits: matches counted, and candidates examined (as
    // for the total, see `capped_count`).
    let mut share: f64 = 1.0;
    if total > EXACT_FACETS_UP_TO {
        share = share.min(EXACT_FACETS_UP_TO as f64 / total as f64);
    }
    if candidates > COUNT_BUDGET {
        share = share.min(COUNT_BUDGET as f64 / candidates as f64);
    }
    let head = slice_head(share);
    let readers = searcher.segment_readers();
    // Sampled documents and the documents of segments' last, shorter slices (counted
    // in full) are kept apart, to be scaled differently.
    let mut sampled_fruits = Vec::with_capacity(readers.len());
    let mut whole_fruits = Vec::with_capacity(readers.len());
    for ((ord, reader), mut scorer) in readers.iter().enumerate().zip(scorers) {
        let mut sampled = collector.for_segment(ord as u32, reader)?;
        let mut whole = collector.for_segment(ord as u32, reader)?;
        visit_slice_heads(reader, scorer.as_mut(), head, |doc, in_sample| {
            if in_sample {
                sampled.collect(doc, 0.0);
            } else {
                whole.collect(doc, 0.0);
            }
        });
        sampled_fruits.push(sampled.harvest());
        whole_fruits.push(whole.harvest());
    }
    let mut raw = collector.merge_fruits(sampled_fruits)?;
    if head < FACET_SLICE {
        raw.scale(FACET_SLICE as f64 / head as f64);
    }
    let mut all = vec![raw];
    all.extend(whole_fruits);
    collector.merge_fruits(all)
}

/// `query`'s scorer in each segment (scoring off), and the candidates they offer in all.
fn segment_scorers(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
) -> tantivy::Result<(Vec<Box<dyn tantivy::query::Scorer>>, u64)> {
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        searcher,
    ))?;
    let mut scorers = Vec::with_capacity(searcher.segment_readers().len());
    let mut candidates = 0u64;
    for reader in searcher.segment_readers() {
        let scorer = weight.scorer(reader, 1.0)?;
        candidates += u64::from(tantivy::DocSet::size_hint(scorer.as_ref()));
        scorers.push(scorer);
    }
    Ok((scorers, candidates))
}

/// How many documents at the head of each [`FACET_SLICE`] make `share` of them.
fn slice_head(share: f64) -> u32 {
    ((FACET_SLICE as f64 * share).ceil() as u32).clamp(1, FACET_SLICE)
}

/// Calls `visit` with every live match among the first `head` documents of each whole
/// slice of [`FACET_SLICE`] documents of a segment, jumping over the rest of each
/// slice, and with every live match of the segment's last, shorter slice (which
/// therefore must not be scaled up: `visit`'s second argument says whether the
/// document stands for `FACET_SLICE / head` of its kind).
fn visit_slice_heads(
    reader: &tantivy::SegmentReader,
    scorer: &mut dyn tantivy::query::Scorer,
    head: u32,
    mut visit: impl FnMut(tantivy::DocId, bool),
) {
    use tantivy::TERMINATED;
    let alive = reader.alive_bitset();
    let whole_slices_end = reader.max_doc() - reader.max_doc() % FACET_SLICE;
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        let sampled = doc < whole_slices_end;
        let slice_start = doc - doc % FACET_SLICE;
        if sampled && doc - slice_start >= head {
            doc = scorer.seek(slice_start + FACET_SLICE);
            continue;
        }
        if alive.is_none_or(|a| a.is_alive(doc)) {
            visit(doc, sampled);
        }
        doc = scorer.advance();
    }
}

/// Candidates (the documents a query's postings offer before they are checked, as its
/// scorers estimate them) a count examines in full; beyond, it examines a sample.
pub const COUNT_BUDGET: u64 = 10_000;

/// Counts the matches of `query`; says whether the count is an estimate.
///
/// When the query's scorers offer at most [`COUNT_BUDGET`] candidates, every match is
/// counted, up to [`EXACT_TOTAL_UP_TO`]; past that the count stops and extrapolates
/// the rate seen so far over the documents not scanned. With more candidates (a phrase
/// of common words has hundreds of thousands at a million articles, each needing its
/// positions read), only the heads of slices of the document space are examined, a
/// share sized to the budget, and the count scaled up: the cost stays bounded, and as
/// documents are in arrival order the sample spans the whole timeline, so a topic that
/// is hot only lately is not underestimated.
fn capped_count(searcher: &tantivy::Searcher, query: &dyn Query) -> tantivy::Result<(usize, bool)> {
    use tantivy::{DocSet, TERMINATED};
    let (scorers, candidates) = segment_scorers(searcher, query)?;
    let readers = searcher.segment_readers();
    if candidates > COUNT_BUDGET {
        let head = slice_head(COUNT_BUDGET as f64 / candidates as f64);
        let (mut sampled, mut whole) = (0u64, 0u64);
        for (reader, mut scorer) in readers.iter().zip(scorers) {
            visit_slice_heads(reader, scorer.as_mut(), head, |_, in_sample| {
                if in_sample {
                    sampled += 1;
                } else {
                    whole += 1;
                }
            });
        }
        let estimate = sampled as f64 * FACET_SLICE as f64 / head as f64 + whole as f64;
        return Ok((estimate.round() as usize, head < FACET_SLICE));
    }
    let total_docs: u64 = readers.iter().map(|r| r.max_doc() as u64).sum();
    let mut counted = 0usize;
    let mut scanned = 0u64;
    for (reader, mut scorer) in readers.iter().zip(scorers) {
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                counted += 1;
                if counted >= EXACT_TOTAL_UP_TO {
                    let seen = scanned + doc as u64 + 1;
                    let rate = counted as f64 / seen.max(1) as f64;
                    let estimate = counted as f64 + rate * total_docs.saturating_sub(seen) as f64;
                    return Ok(((estimate.round() as usize).max(counted), true));
                }
            }
            doc = scorer.advance();
        }
        scanned += reader.max_doc() as u64;
    }
    Ok((counted, false))
}

/// Replaces whole-word occurrences of `word` in `text`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &rest[i + word.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if before_ok && after_ok { with } else { word });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn clear_dir(path: &Path) -> SearchResult<()> {
    let io = |e: std::io::Error| SearchError::Index {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let p = entry.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p).map_err(io)?;
        } else {
            std::fs::remove_file(&p).map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, IndexWriter};

    /// 40,000 documents: "common" in three of every five, "rare" in one of every 400,
    /// and "late" only in the last tenth (a topic that is hot lately).
    fn corpus() -> (Index, Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 30_000_000).unwrap();
        for i in 0..40_000u32 {
            let mut words = vec!["filler"];
            if i % 5 < 3 {
                words.push("common");
            }
            if i % 400 == 0 {
                words.push("rare");
            }
            if i >= 36_000 {
                words.push("late");
            }
            writer.add_document(doc!(text => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        (index, text)
    }

    fn term(field: Field, word: &str) -> TermQuery {
        TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::Basic)
    }

    #[test]
    fn counts_are_exact_when_cheap_and_close_estimates_otherwise() {
        let (index, text) = corpus();
        let searcher = index.reader().unwrap().searcher();
        // Few candidates: exact.
        assert_eq!(
            capped_count(&searcher, &term(text, "rare")).unwrap(),
            (100, false)
        );
        assert_eq!(
            capped_count(&searcher, &term(text, "late")).unwrap().0,
            4_000
        );
        // Many: an estimate within a few percent, flagged as one.
        let (common, estimated) = capped_count(&searcher, &term(text, "common")).unwrap();
        assert!(estimated);
        assert!((23_000..=25_000).contains(&common), "{common}");
        // A union too.
        let all = BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(term(text, "common")) as Box<dyn Query>,
            ),
            (Occur::Should, Box::new(term(text, "late"))),
        ]);
        let (either, estimated) = capped_count(&searcher, &all).unwrap();
        assert!(estimated);
        assert!((24_600..=26_600).contains(&either), "{either}");
    }
}
