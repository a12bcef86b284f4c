//! What Herald's own scorers (`words`, `phrase`) share: BM25 parameters as tantivy's
//! term and phrase queries compute them, field norms, and explanations.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Scorer};
use tantivy::schema::Field;
use tantivy::{DocId, Score, SegmentReader, Term};

/// Bounds are sums of floats added in another order than the scores they bound, so
/// they are raised by a few units in the last place to stay above them.
pub(crate) const ROUNDING: Score = 1.0 + 1e-5;

/// BM25 parameters of `terms` (one term, or a phrase's) weighted by `weight`, exactly
/// as tantivy's term and phrase queries compute them; `None` when scoring is off.
pub(crate) fn bm25(
    enable_scoring: &EnableScoring<'_>,
    terms: &[Term],
    weight: f32,
) -> tantivy::Result<Option<Bm25Weight>> {
    Ok(match enable_scoring {
        EnableScoring::Enabled {
            statistics_provider,
            ..
        } => Some(Bm25Weight::for_terms(*statistics_provider, terms)?.boost_by(weight)),
        EnableScoring::Disabled { .. } => None,
    })
}

/// `enable_scoring` with scoring off: for filters, which decide and never score.
pub(crate) fn disabled<'a>(enable_scoring: &'a EnableScoring<'a>) -> EnableScoring<'a> {
    match enable_scoring.searcher() {
        Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
        None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
    }
}

/// The field norms scores need; a constant when scoring is off (none are read).
pub(crate) fn fieldnorms(
    reader: &SegmentReader,
    field: Field,
    scoring: bool,
) -> tantivy::Result<FieldNormReader> {
    let norms = if scoring {
        reader.fieldnorms_readers().get_field(field)?
    } else {
        None
    };
    Ok(norms.unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)))
}

/// The score `scorer` gives `doc`, as an explanation; an error when it does not match.
pub(crate) fn explain_at(
    scorer: &mut dyn Scorer,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    if scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new(what, scorer.score()))
}
