//! The index schema and its analysis chain.

use crate::stem_cache::CachedEnglishStemmer;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::Index;

/// Bump when the schema or the analysis chain changes: an index with another version is
/// rebuilt from the store at open.
pub(crate) const SCHEMA_VERSION: u32 = 4;

/// English text: lower-cased, accents folded ("café" finds "cafe"), Porter-stemmed
/// ("elections" finds "election"). Tokens over 40 bytes are dropped: they are URLs,
/// hashes or garbage, and would bloat the term dictionary.
pub(crate) const TEXT_ANALYZER: &str = "herald_en";

/// Names and words matched as written, only case- and accent-insensitively: bylines,
/// source names (`author:smith`, `source:reuters`) and the spelling vocabulary, where a
/// stem ("govern" for "government") would be the wrong thing to suggest.
pub(crate) const KEY_ANALYZER: &str = "herald_key";

/// The `*_other` fields' registered analyser. Their documents arrive pre-tokenized
/// (each analysed with its own language's stemmer, see [`crate::lang`]); this one,
/// lower-casing and folding only, is what tantivy would use on plain text.
pub(crate) const OTHER_ANALYZER: &str = "herald_other";

pub(crate) fn key_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedEnglishStemmer)
        .build()
}

/// Handles to every field, so code never looks fields up by name.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub lead: Field,
    /// Title, lead and body together: the main BM25 field. One field scores a word
    /// once per article, with one length normalisation, however many parts repeat it
    /// (an abstract repeating its title, a derived headline, a lead restating the
    /// body), where summing separate per-field scores counted it again for each part.
    pub text: Field,
    pub section: Field,
    pub source: Field,
    pub lang: Field,
    pub published: Field,
    /// Byline words.
    pub author: Field,
    /// Source name words, for `source:` in the query language (`source` keeps the exact
    /// name for facets and the page's filter).
    pub source_key: Field,
    /// Unstemmed words of title and lead: the vocabulary for typo tolerance, "did you
    /// mean" and autocomplete. Document ids only (no positions, no norms). Bodies are
    /// left out: analysing each body a second time cost half the indexing throughput.
    pub spell: Field,
    /// Headline, lead and whole text of articles in languages other than English,
    /// each analysed with its own language's stemmer (pre-tokenized at indexing): the
    /// counterparts of `title`, `lead` and `text`, which hold English articles only.
    pub title_other: Field,
    /// See [`Fields::title_other`].
    pub lead_other: Field,
    /// See [`Fields::title_other`].
    pub text_other: Field,
    /// Stored (not indexed) title, lead and the start of the body: the text that
    /// pseudo-relevance feedback reads from the top documents.
    pub feedback: Field,
}

/// Bytes of an article's text kept for pseudo-relevance feedback: the head of a news
/// article (and the whole of a typical abstract) names its topic; more would grow the
/// index without changing the expansion terms much.
pub(crate) const FEEDBACK_BYTES: usize = 3000;

impl Fields {
    pub(crate) fn build_schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let key = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEY_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let other = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(OTHER_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            id: b.add_u64_field("id", NumericOptions::default().set_indexed().set_fast()),
            title: b.add_text_field("title", text.clone().set_stored()),
            lead: b.add_text_field("lead", text.clone()),
            text: b.add_text_field("text", text),
            // Filters match exact values: `section:news`, `source:"Valley Wire"`.
            // Fast as well, for facet counts.
            section: b.add_text_field("section", STRING | FAST),
            source: b.add_text_field("source", STRING | FAST),
            lang: b.add_text_field("lang", STRING | FAST),
            published: b.add_date_field(
                "published",
                DateOptions::default()
                    .set_indexed()
                    .set_fast()
                    .set_precision(DateTimePrecision::Seconds),
            ),
            author: b.add_text_field("author", key.clone()),
            source_key: b.add_text_field("source_key", key),
            spell: b.add_text_field(
                "spell",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(KEY_ANALYZER)
                        .set_fieldnorms(false)
                        .set_index_option(IndexRecordOption::Basic),
                ),
            ),
            title_other: b.add_text_field("title_other", other.clone()),
            lead_other: b.add_text_field("lead_other", other.clone()),
            text_other: b.add_text_field("text_other", other),
            feedback: b.add_text_field("feedback", STORED),
        };
        (b.build(), fields)
    }

    pub(crate) fn register_analyzers(index: &Index) {
        index.tokenizers().register(TEXT_ANALYZER, text_analyzer());
        index.tokenizers().register(KEY_ANALYZER, key_analyzer());
        index.tokenizers().register(OTHER_ANALYZER, key_analyzer());
    }
}
