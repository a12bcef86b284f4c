//! Deterministic random text for the scorers' equivalence tests.

/// The next number of a xorshift sequence.
pub(crate) fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// A word of `vocabulary`, the first ones far more often than the last (so some words
/// are common and some rare, as in real text).
pub(crate) fn skewed<'a>(seed: &mut u64, vocabulary: &[&'a str]) -> &'a str {
    let r = next(seed) % 1000;
    vocabulary[(r * r * vocabulary.len() as u64 / 1_000_000) as usize]
}

/// An in-memory index of `docs` articles: a `title` of `headline_words` skewed words
/// and a `text` field holding the title and a body of 5 to `5 + body_spread - 1` more.
pub(crate) fn headline_corpus(
    vocabulary: &[&str],
    docs: usize,
    headline_words: usize,
    body_spread: u64,
) -> (
    tantivy::Index,
    tantivy::schema::Field,
    tantivy::schema::Field,
) {
    use tantivy::schema::{Schema, TEXT};
    let mut schema = Schema::builder();
    let title = schema.add_text_field("title", TEXT);
    let text = schema.add_text_field("text", TEXT);
    let index = tantivy::Index::create_in_ram(schema.build());
    let mut writer: tantivy::IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("an in-memory writer");
    let mut seed = 0x2545_F491_4F6C_DD1D;
    for _ in 0..docs {
        let headline: Vec<&str> = (0..headline_words)
            .map(|_| skewed(&mut seed, vocabulary))
            .collect();
        let body_len = 5 + next(&mut seed) % body_spread;
        let body: Vec<&str> = (0..body_len)
            .map(|_| skewed(&mut seed, vocabulary))
            .collect();
        let headline = headline.join(" ");
        let all = format!("{headline} {}", body.join(" "));
        writer
            .add_document(tantivy::doc!(title => headline, text => all))
            .expect("a document");
    }
    writer.commit().expect("a commit");
    (index, title, text)
}
