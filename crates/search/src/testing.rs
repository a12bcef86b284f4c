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
