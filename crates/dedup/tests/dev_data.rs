#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Figures on the shared clustering development data (skipped when it is absent).
//!
//! Floors asserted here are the ones the engine meets today; the targets are
//! printed next to them (see the README for the gap).

use std::path::{Path, PathBuf};

use herald_dedup::eval::{self, EvalReport};
use herald_dedup::Config;

fn data_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/clustering-dev");
    if d.exists() {
        Some(d)
    } else {
        eprintln!("skipping: {} not found", d.display());
        None
    }
}

fn load(dir: &Path, set: &str) -> (Vec<eval::EvalRecord>, Vec<eval::LabelledPair>) {
    let a = std::fs::read_to_string(dir.join(set).join("articles.jsonl")).unwrap();
    let p = std::fs::read_to_string(dir.join(set).join("pairs.jsonl")).unwrap();
    (
        eval::parse_records(&a).unwrap(),
        eval::parse_pairs(&p).unwrap(),
    )
}

fn show(set: &str, r: &EvalReport) {
    let b = r.bcubed.unwrap();
    let p = r.pairwise.unwrap();
    let d = r.near_duplicates.unwrap();
    eprintln!(
        "{set}: B-cubed P {:.3} R {:.3} F1 {:.3}; pairwise F1 {:.3}; near-dup P {:.3} R {:.3} (runs {})",
        b.precision, b.recall, b.f1, p.f1, d.precision, d.recall, r.runs
    );
}

#[test]
fn giveme5w1h() {
    let Some(dir) = data_dir() else { return };
    let (recs, pairs) = load(&dir, "giveme5w1h-news-cluster");
    let r = eval::run(&recs, &Config::default(), Some(&pairs)).report;
    show("giveme5w1h", &r);
    let d = r.near_duplicates.unwrap();
    assert!(
        d.precision >= 0.95 && d.recall >= 0.95,
        "near-duplicates {d:?}"
    );
    // Issue target 0.92 is NOT met (0.905 measured; the baseline reaches 0.91): a
    // regression guard at the measured level (see README).
    assert!(r.bcubed.unwrap().f1 >= 0.89, "B-cubed {:?}", r.bcubed);
}

#[test]
fn ecbplus() {
    let Some(dir) = data_dir() else { return };
    let (recs, pairs) = load(&dir, "ecbplus-dev");
    // Undated and in no meaningful order (see the data README): no time windows.
    let cfg = Config::without_time();
    let (mean, _) = eval::run_shuffled(&recs, &cfg, Some(&pairs), &eval::DEFAULT_SEEDS);
    show("ecbplus (mean of shuffled orders)", &mean);
    let file = eval::run(&recs, &cfg, Some(&pairs)).report;
    show("ecbplus (file order)", &file);
    for r in [&mean, &file] {
        let d = r.near_duplicates.unwrap();
        assert!(
            d.precision >= 0.95 && d.recall >= 0.95,
            "near-duplicates {d:?}"
        );
    }
    // Issue target 0.92 is NOT met yet (0.844 measured, see README); guard against
    // regressions.
    assert!(mean.bcubed.unwrap().f1 >= 0.83, "B-cubed {:?}", mean.bcubed);
}
