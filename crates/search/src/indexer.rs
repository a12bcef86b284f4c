//! Applying the store's change log to the index.

use crate::error::SearchResult;
use crate::fields::{FEEDBACK_BYTES, SCHEMA_VERSION};
use crate::index::{index_err, SearchIndex};
use crate::lang::{self, OtherAnalysis};
use herald_store::{ArticleView, Store};
use herald_types::ArticleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tantivy::schema::Field;
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument, Term};

/// The greatest article id in the index's committed segments (0 when empty). Read
/// through a reader of its own, so it sees the newest commit. On any failure to read
/// it, `u64::MAX`: every article is then deleted before it is added, as is always safe.
fn newest_committed_id(index: &Index) -> u64 {
    let searcher = match index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
    {
        Ok(reader) => reader.searcher(),
        Err(_) => return u64::MAX,
    };
    let mut newest = 0;
    for segment in searcher.segment_readers() {
        match segment.fast_fields().u64("id") {
            Ok(ids) if segment.num_docs() > 0 => newest = newest.max(ids.max_value()),
            Ok(_) => {}
            Err(_) => return u64::MAX,
        }
    }
    newest
}

/// Change-log entries read per round trip to the store.
const CHANGES_PER_READ: usize = 5_000;
/// Articles fetched per round trip when applying changes or rebuilding.
const ARTICLES_PER_READ: usize = 1_000;

/// What the index's newest commit says about itself; stored as the commit payload so
/// that it is atomic with the documents it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexState {
    /// Every change-log entry up to and including this sequence number is applied.
    pub seq: u64,
    /// Schema version the index was written with.
    pub schema: u32,
}

impl IndexState {
    pub(crate) fn read(index: &Index) -> IndexState {
        let payload = index.load_metas().ok().and_then(|m| m.payload);
        match payload {
            // A fresh index has no payload: nothing applied, current schema.
            None => IndexState {
                seq: 0,
                schema: SCHEMA_VERSION,
            },
            Some(text) => serde_json::from_str(&text).unwrap_or(IndexState { seq: 0, schema: 0 }),
        }
    }
}

/// The index's single writer. Holding one locks the index directory.
pub struct Indexer {
    index: SearchIndex,
    writer: IndexWriter,
    applied: u64,
    /// Documents were handed to the writer since the last commit.
    uncommitted: bool,
    /// No document with a greater article id is in the index, committed or pending.
    /// Article ids are never reused, so an article above it needs no delete before it
    /// is added: at a million articles, resolving one delete per new article against
    /// every segment at each commit had cost a sixth of the import time.
    newest_id: u64,
    /// Analysers for non-English articles, made on first use.
    analyzers: Vec<(OtherAnalysis, TextAnalyzer)>,
}

impl Indexer {
    pub(crate) fn new(index: SearchIndex, memory_budget_bytes: usize) -> SearchResult<Indexer> {
        let err = index_err(&index.path);
        // Two indexing threads: the machines Herald targets have few cores, and the
        // store and server need some of them while an import runs.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 2);
        let budget = memory_budget_bytes.max(threads * 15_000_000);
        let writer = index
            .index
            .writer_with_num_threads(threads, budget)
            .map_err(&err)?;
        let applied = index.state().seq;
        let newest_id = newest_committed_id(&index.index);
        Ok(Indexer {
            index,
            writer,
            applied,
            uncommitted: false,
            newest_id,
            analyzers: Vec::new(),
        })
    }

    /// The newest change-log sequence number the index reflects (committed or not).
    pub fn applied_seq(&self) -> u64 {
        self.applied
    }

    /// Applies every change-log entry newer than the index and commits. Returns the
    /// number of entries applied (0 when already current).
    pub async fn catch_up(&mut self, store: &dyn Store) -> SearchResult<u64> {
        let applied = self.apply_pending(store).await?;
        if applied > 0 || self.uncommitted {
            self.commit()?;
        }
        Ok(applied)
    }

    /// After a failure, forgets everything not committed: the writer's pending
    /// documents are rolled back and the applied position returns to the committed
    /// one, so the next catch-up re-applies the lost window instead of committing a
    /// later sequence number over missing documents.
    fn recover<T>(&mut self, result: SearchResult<T>) -> SearchResult<T> {
        if result.is_err() {
            if let Err(e) = self.writer.rollback() {
                tracing::warn!(target: "search::index", error = %e, "index rollback failed");
            }
            self.applied = self.index.state().seq;
            self.uncommitted = false;
            self.newest_id = newest_committed_id(&self.index.index);
        }
        result
    }

    /// Applies every change-log entry newer than the index without committing: the
    /// documents are handed to tantivy's indexing threads, so a caller that keeps
    /// writing to the store overlaps its work with indexing, and commits (which are
    /// costly) only now and then with [`Indexer::commit`]. Uncommitted work is lost in
    /// a crash and re-applied by the next catch-up, as the committed sequence number
    /// still points before it.
    pub async fn apply_pending(&mut self, store: &dyn Store) -> SearchResult<u64> {
        let result = self.apply_pending_inner(store).await;
        self.recover(result)
    }

    async fn apply_pending_inner(&mut self, store: &dyn Store) -> SearchResult<u64> {
        let mut applied = 0u64;
        loop {
            let changes = store.changes_since(self.applied, CHANGES_PER_READ).await?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                break;
            };
            // Several changes to one article in a window need one re-index, and the
            // final state comes from the store whatever the ops were: every touched
            // article's document goes, and those the store still has come back.
            let touched: BTreeSet<ArticleId> = changes.iter().map(|c| c.article).collect();
            let ids: Vec<ArticleId> = touched.into_iter().collect();
            for chunk in ids.chunks(ARTICLES_PER_READ) {
                for id in chunk {
                    self.delete(*id);
                }
                for article in store.articles_by_ids(chunk).await? {
                    self.add(&article)?;
                }
            }
            applied += changes.len() as u64;
            self.applied = last;
            self.uncommitted = true;
            if changes.len() < CHANGES_PER_READ {
                break;
            }
        }
        Ok(applied)
    }

    /// Rebuilds the index from every article in the store. Changes that land while the
    /// rebuild runs are picked up by the next catch-up.
    pub async fn rebuild(
        &mut self,
        store: &dyn Store,
        progress: impl FnMut(u64),
    ) -> SearchResult<u64> {
        let result = self.rebuild_inner(store, progress).await;
        self.recover(result)
    }

    async fn rebuild_inner(
        &mut self,
        store: &dyn Store,
        mut progress: impl FnMut(u64),
    ) -> SearchResult<u64> {
        let err = index_err(&self.index.path);
        // Read the log position first: anything written after it is re-applied later,
        // which is harmless because applying is idempotent.
        let seq = store.last_change_seq().await?;
        self.writer.delete_all_documents().map_err(&err)?;
        let mut after = ArticleId(0);
        let mut count = 0u64;
        loop {
            let batch = store.articles_after(after, ARTICLES_PER_READ).await?;
            let Some(last) = batch.last().map(|a| a.id) else {
                break;
            };
            for article in &batch {
                self.add(article)?;
            }
            count += batch.len() as u64;
            progress(count);
            after = last;
        }
        self.applied = seq;
        self.commit()?;
        Ok(count)
    }

    fn delete(&mut self, id: ArticleId) {
        if id.0 as u64 > self.newest_id {
            // Never indexed: nothing to delete.
            return;
        }
        self.writer
            .delete_term(Term::from_field_u64(self.index.fields.id, id.0 as u64));
    }

    fn add(&mut self, article: &ArticleView) -> SearchResult<()> {
        let f = self.index.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, article.id.0 as u64);
        self.newest_id = self.newest_id.max(article.id.0 as u64);
        let lang = lang::resolve(
            article.lang.as_deref(),
            &article.title,
            article.summary.as_deref(),
            &article.body_text,
        );
        match lang::other_analysis(&lang) {
            // English: the original fields, analysed by tantivy with the English chain.
            None => {
                doc.add_text(f.title, &article.title);
                if let Some(summary) = &article.summary {
                    doc.add_text(f.lead, summary);
                }
                doc.add_text(f.text, &article.title);
                if let Some(summary) = &article.summary {
                    doc.add_text(f.text, summary);
                }
                doc.add_text(f.text, &article.body_text);
            }
            Some(analysis) => {
                let analyzer = self.analyzer(analysis);
                let mut add = |field: Field, text: &str| {
                    doc.add_pre_tokenized_text(field, pre_tokenize(analyzer, text));
                };
                add(f.title_other, &article.title);
                if let Some(summary) = &article.summary {
                    add(f.lead_other, summary);
                }
                add(f.text_other, &article.title);
                if let Some(summary) = &article.summary {
                    add(f.text_other, summary);
                }
                add(f.text_other, &article.body_text);
            }
        }
        doc.add_text(f.spell, &article.title);
        if let Some(summary) = &article.summary {
            doc.add_text(f.spell, summary);
        }
        doc.add_text(f.feedback, feedback_text(article));
        if let Some(author) = &article.author {
            doc.add_text(f.author, author);
        }
        if let Some(section) = &article.section_slug {
            doc.add_text(f.section, section);
        }
        if let Some(source) = &article.source {
            doc.add_text(f.source, &source.name);
            doc.add_text(f.source_key, &source.name);
        }
        // The resolved language, for `lang:` and the language facet.
        doc.add_text(f.lang, &lang);
        doc.add_date(
            f.published,
            DateTime::from_timestamp_secs(article.display_time().timestamp()),
        );
        self.writer
            .add_document(doc)
            .map_err(index_err(&self.index.path))?;
        Ok(())
    }
}

impl Indexer {
    fn analyzer(&mut self, analysis: OtherAnalysis) -> &mut TextAnalyzer {
        let i = match self.analyzers.iter().position(|(a, _)| *a == analysis) {
            Some(i) => i,
            None => {
                self.analyzers
                    .push((analysis, lang::other_analyzer(analysis)));
                self.analyzers.len() - 1
            }
        };
        &mut self.analyzers[i].1
    }
}

/// `text` analysed by `analyzer`, for a field whose documents arrive pre-tokenized.
fn pre_tokenize(analyzer: &mut TextAnalyzer, text: &str) -> PreTokenizedString {
    let mut tokens = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        tokens.push(token.clone());
    }
    PreTokenizedString {
        text: text.to_string(),
        tokens,
    }
}

/// Title, lead and the head of the body, cut at a character boundary near
/// [`FEEDBACK_BYTES`].
fn feedback_text(article: &ArticleView) -> String {
    let mut text = String::with_capacity(FEEDBACK_BYTES + 64);
    text.push_str(&article.title);
    text.push('\n');
    if let Some(summary) = &article.summary {
        text.push_str(summary);
        text.push('\n');
    }
    let room = FEEDBACK_BYTES.saturating_sub(text.len());
    let mut end = room.min(article.body_text.len());
    while !article.body_text.is_char_boundary(end) {
        end -= 1;
    }
    text.push_str(&article.body_text[..end]);
    text
}

impl Indexer {
    /// Makes everything applied so far durable and visible, together with the
    /// sequence number it reflects.
    pub fn commit(&mut self) -> SearchResult<()> {
        let result = self.commit_inner();
        self.recover(result)
    }

    fn commit_inner(&mut self) -> SearchResult<()> {
        let err = index_err(&self.index.path);
        let state = IndexState {
            seq: self.applied,
            schema: SCHEMA_VERSION,
        };
        let payload = serde_json::to_string(&state).unwrap_or_default();
        let mut prepared = self.writer.prepare_commit().map_err(&err)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(&err)?;
        self.uncommitted = false;
        self.index.refresh()?;
        tracing::debug!(target: "search::index", seq = self.applied, "index committed");
        Ok(())
    }
}
