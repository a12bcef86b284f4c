#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Figures on the shared clustering development data (skipped when it is absent).
//!
//! Asserts the floors of issue 6: B-cubed F1 ≥ 0.92 on each set (ECB+ as the mean of
//! the seeded shuffled orders, as `herald eval cluster --shuffle 5` reports it), and
//! near-duplicate pair precision and recall ≥ 0.95.

use std::collections::HashMap;
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
    let (records, pairs) = (eval::parse_records(&a), eval::parse_pairs(&p));
    assert!(records.skipped.is_empty(), "{set}: {:?}", records.skipped);
    assert!(pairs.skipped.is_empty(), "{set}: {:?}", pairs.skipped);
    (records.items, pairs.items)
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
    assert!(r.bcubed.unwrap().f1 >= 0.92, "B-cubed {:?}", r.bcubed);
}

#[test]
fn ecbplus() {
    let Some(dir) = data_dir() else { return };
    let (recs, pairs) = load(&dir, "ecbplus-dev");
    // In no meaningful order (see the data README): the mean of shuffled orders, with
    // the default settings (what `herald eval cluster` runs) and without time windows.
    for (label, cfg) in [
        ("default", Config::default()),
        ("no time", Config::without_time()),
    ] {
        let (mean, _) = eval::run_shuffled(&recs, &cfg, Some(&pairs), &eval::DEFAULT_SEEDS);
        show(
            &format!("ecbplus, {label} (mean of shuffled orders)"),
            &mean,
        );
        let file = eval::run(&recs, &cfg, Some(&pairs)).report;
        show(&format!("ecbplus, {label} (file order)"), &file);
        for r in [&mean, &file] {
            let d = r.near_duplicates.unwrap();
            assert!(
                d.precision >= 0.95 && d.recall >= 0.95,
                "near-duplicates {d:?}"
            );
        }
        assert!(mean.bcubed.unwrap().f1 >= 0.92, "B-cubed {:?}", mean.bcubed);
    }
}

/// Splits and merges reported through `Assignment::moved` and `merged`, applied in
/// order, give exactly the engine's own stories.
#[test]
fn reported_assignments_match_the_engine() {
    let Some(dir) = data_dir() else { return };
    for set in ["ecbplus-dev", "giveme5w1h-news-cluster"] {
        let (recs, _) = load(&dir, set);
        for seed in [0u64, 1, 2, 3] {
            let mut recs = recs.clone();
            if seed > 0 {
                eval::shuffle(&mut recs, seed);
            }
            let mut engine = herald_dedup::Engine::new(Config::default());
            let mut story: HashMap<String, String> = HashMap::new();
            let mut redirects: HashMap<String, String> = HashMap::new();
            let mut splits = 0;
            for i in eval::processing_order(&recs) {
                let r = &recs[i];
                let a = engine.add(&herald_dedup::Article {
                    id: &r.id,
                    title: &r.title,
                    body: &r.body,
                    source: r.source.as_deref(),
                    published: r.time(),
                });
                for m in &a.merged {
                    redirects.insert(m.from.to_string(), m.into.to_string());
                }
                splits += usize::from(!a.moved.is_empty());
                for m in &a.moved {
                    assert!(story.contains_key(&*m.id), "{set}: moved unknown {}", m.id);
                    story.insert(m.id.to_string(), m.story.to_string());
                    redirects.remove(&*m.story);
                }
                story.insert(r.id.clone(), a.story.to_string());
            }
            let mut counts: HashMap<String, u32> = HashMap::new();
            for s in story.values() {
                let mut s = s.clone();
                while let Some(n) = redirects.get(&s) {
                    s = n.clone();
                }
                *counts.entry(s).or_default() += 1;
            }
            let mut checked = 0;
            for (s, n) in &counts {
                // Stories that aged out of the engine are no longer counted there.
                let Some(view) = engine.story(s) else {
                    continue;
                };
                checked += 1;
                assert_eq!(&*view.id, s.as_str(), "{set}: {s} redirects");
                assert_eq!(view.article_count, *n, "{set} seed {seed}: story {s}");
            }
            assert!(checked * 2 > counts.len(), "{set}: most stories are live");
            eprintln!(
                "{set} seed {seed}: {} stories ({checked} live), {splits} splits",
                counts.len()
            );
        }
    }
}
