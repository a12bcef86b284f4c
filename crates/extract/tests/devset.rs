//! The dev-set quality floor: runs every page of `shared/data/extraction-dev` through the
//! extractor and scores it with the project's metric (see `common`).
//!
//! The data lives outside the repository: `$HERALD_SHARED_DATA` or `../../../shared/data`
//! from this crate. Without it the test prints a message and passes.

mod common;

/// Measured with `examples/devset` + `extract_eval.py` (see the crate README). Asserted a
/// little below the measurement to absorb the small differences between this Rust scorer's
/// `\w` and Python's.
const F1_FLOOR: f64 = 0.945;

#[test]
fn devset_f1_floor() {
    let Some(dev) = common::dev_dir() else {
        eprintln!("skipping devset_f1_floor: shared/data/extraction-dev not found (set HERALD_SHARED_DATA)");
        return;
    };
    let pages = common::load_pages(&dev);
    assert!(pages.len() > 200, "only {} dev pages found", pages.len());
    let preds: Vec<String> = pages
        .iter()
        .map(|p| {
            herald_extract::extract(&p.html, p.url.as_deref(), None)
                .map(|a| a.text)
                .unwrap_or_default()
        })
        .collect();
    let (p, r, f1) = common::f1(
        pages
            .iter()
            .zip(&preds)
            .map(|(pg, pr)| (pg.truth.as_str(), pr.as_str())),
    );
    eprintln!(
        "dev set: {} pages, precision {p:.3}, recall {r:.3}, F1 {f1:.3}",
        pages.len()
    );
    assert!(
        f1 >= F1_FLOOR,
        "dev F1 {f1:.3} is below the floor {F1_FLOOR}"
    );
}

#[test]
fn scorer_matches_reference_definition() {
    use common::{page_scores, tokens};
    assert_eq!(
        tokens("Hello, world_1 — ça va?"),
        vec!["Hello", "world_1", "ça", "va"]
    );
    assert_eq!(
        page_scores("a b c d e", "a b c d e"),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(page_scores("", ""), (None, None));
    assert_eq!(page_scores("a b c d e", ""), (None, Some(0.0)));
}
