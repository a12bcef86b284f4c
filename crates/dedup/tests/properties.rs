#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property tests: similarity is symmetric and within [0, 1]; near-duplicate groups do
//! not depend on the order articles arrive in.

use herald_dedup::minhash::{shingles, MinHash, Sketch};
use herald_dedup::{text_similarity, Article, Config, Engine};
use proptest::prelude::*;

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-z]{1,8}",
            "[A-Z][a-z]{1,8}",
            "[0-9]{1,4}",
            Just(".".to_string()),
            Just("\n\n".to_string()),
            "\\PC{0,3}",
        ],
        0..400,
    )
    .prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn similarity_symmetric_and_bounded(a in text_strategy(), b in text_strategy()) {
        let ab = text_similarity(&a, &b, 10_000);
        let ba = text_similarity(&b, &a, 10_000);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!((ab - ba).abs() < 1e-12);
        let sa = shingles(&a, 10_000);
        let sb = shingles(&b, 10_000);
        let (ka, kb) = (Sketch::of(&sa), Sketch::of(&sb));
        let c1 = ka.containment(&kb);
        prop_assert!((0.0..=1.0).contains(&c1));
        prop_assert!((c1 - kb.containment(&ka)).abs() < 1e-12);
        if let (Some(ma), Some(mb)) = (MinHash::of(&sa), MinHash::of(&sb)) {
            let m = ma.estimate(&mb);
            prop_assert!((0.0..=1.0).contains(&m));
            prop_assert!((m - mb.estimate(&ma)).abs() < 1e-12);
        }
        if !sa.is_empty() {
            prop_assert!((text_similarity(&a, &a, 10_000) - 1.0).abs() < 1e-12);
        }
    }

    /// Copies of a few base texts (each copy lightly edited) arrive in any order: the
    /// pairs that end up in one duplicate group are the same.
    #[test]
    fn duplicate_groups_independent_of_order(
        bases in prop::collection::vec(prop::collection::vec("[a-z]{2,7}", 60..120), 1..4),
        edits in prop::collection::vec((0usize..4, 0usize..1000, 0usize..3), 2..10),
        seed in any::<u64>(),
    ) {
        let mut docs: Vec<(String, String)> = Vec::new();
        for (i, (b, pos, kind)) in edits.iter().enumerate() {
            let base = &bases[b % bases.len()];
            let mut w = base.clone();
            let p = pos % w.len();
            match kind {
                0 => w[p] = "changed".into(),
                1 => { w.truncate(w.len() * 9 / 10); }
                _ => w.insert(p, "extra".into()),
            }
            docs.push((format!("d{i}"), w.join(" ")));
        }
        let groups = |order: &[usize]| {
            let mut e = Engine::new(Config::default());
            let mut root = std::collections::HashMap::new();
            for &i in order {
                let (id, body) = &docs[i];
                let a = e.add(&Article { id, title: "", body, source: None, published: None });
                root.insert(id.clone(), a.duplicate_of.map(|d| d.to_string()).unwrap_or_else(|| id.clone()));
            }
            let mut pairs = std::collections::BTreeSet::new();
            for (a, ra) in &root {
                for (b, rb) in &root {
                    if a < b && ra == rb { pairs.insert((a.clone(), b.clone())); }
                }
            }
            pairs
        };
        let forward: Vec<usize> = (0..docs.len()).collect();
        let mut shuffled = forward.clone();
        herald_dedup::eval::shuffle(&mut shuffled, seed);
        prop_assert_eq!(groups(&forward), groups(&shuffled));
    }
}
