//! The index schema and its analysis chain.

use crate::stem_cache::CachedEnglishStemmer;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::Index;

/// Bump when the schema or the analysis chain changes: an index with another version is
/// rebuilt from the store at open.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// English text: lower-cased, accents folded ("café" finds "cafe"), Porter-stemmed
/// ("elections" finds "election"). Tokens over 40 bytes are dropped: they are URLs,
/// hashes or garbage, and would bloat the term dictionary.
pub(crate) const TEXT_ANALYZER: &str = "herald_en";

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
    pub body: Field,
    pub section: Field,
    pub source: Field,
    pub lang: Field,
    pub published: Field,
}

impl Fields {
    pub(crate) fn build_schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            id: b.add_u64_field("id", NumericOptions::default().set_indexed().set_fast()),
            title: b.add_text_field("title", text.clone()),
            lead: b.add_text_field("lead", text.clone()),
            body: b.add_text_field("body", text),
            // Filters match exact values: `section:news`, `source:"Valley Wire"`.
            section: b.add_text_field("section", STRING),
            source: b.add_text_field("source", STRING),
            lang: b.add_text_field("lang", STRING),
            published: b.add_date_field(
                "published",
                DateOptions::default()
                    .set_indexed()
                    .set_fast()
                    .set_precision(DateTimePrecision::Seconds),
            ),
        };
        (b.build(), fields)
    }

    pub(crate) fn register_analyzers(index: &Index) {
        index.tokenizers().register(TEXT_ANALYZER, text_analyzer());
    }
}
