//! `herald eval search` on a development collection: the ranking floor for that
//! collection (its plain BM25 baseline) and agreement with the reference evaluator.
//! Skips with a message when the shared data is not beside the repository.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::run_ok;
use std::path::PathBuf;

/// MED (small: 1,033 abstracts, 30 queries). Lucene-style BM25 (k1 1.2, b 0.75,
/// stopwords, Porter) measures nDCG@10 0.683 and MAP 0.522 on it.
const MED_BASELINE_NDCG10: f64 = 0.683;
const MED_BASELINE_MAP: f64 = 0.522;

fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    dir.is_dir().then_some(dir)
}

/// The `mean`-less row of one collection: (nDCG@10, MAP@1000, MRR@10, R@100).
fn row(output: &str, name: &str) -> [f64; 4] {
    let line = output
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no row for {name} in:\n{output}"));
    let nums: Vec<f64> = line
        .split_whitespace()
        .skip(2)
        .map(|x| x.parse().unwrap())
        .collect();
    [nums[0], nums[1], nums[2], nums[3]]
}

#[test]
fn med_beats_its_bm25_baseline_and_matches_the_reference_evaluator() {
    let Some(data) = shared_data() else {
        eprintln!("skipped: ../shared/data (the development collections) is not present");
        return;
    };
    let med = data.join("search-dev/med");
    let tmp = tempfile::tempdir().unwrap();
    let run_file = tmp.path().join("med.run");
    let out = run_ok(
        tmp.path(),
        &[
            "eval",
            "search",
            med.to_str().unwrap(),
            "--run",
            run_file.to_str().unwrap(),
        ],
    );
    let [ndcg, map, _, _] = row(&out, "med");
    assert!(
        ndcg >= MED_BASELINE_NDCG10,
        "nDCG@10 {ndcg} below the BM25 baseline\n{out}"
    );
    assert!(
        map >= MED_BASELINE_MAP,
        "MAP {map} below the BM25 baseline\n{out}"
    );

    // The reference evaluator reads the run file and must agree to the printed digits.
    let tool = data.join("../tools/ir_eval.py");
    let python = std::process::Command::new("python3")
        .arg(&tool)
        .arg(med.join("qrels.tsv"))
        .arg(&run_file)
        .arg("--json")
        .output();
    let Some(python) = python.ok().filter(|o| o.status.success()) else {
        eprintln!(
            "reference evaluator not run: python3 or {} unavailable",
            tool.display()
        );
        return;
    };
    let text = String::from_utf8_lossy(&python.stdout);
    let json: serde_json::Value = serde_json::from_str(&text).expect("ir_eval --json output");
    for (key, ours) in [("nDCG@10", ndcg), ("MAP@1000", map)] {
        let theirs = find_number(&json, key).unwrap_or_else(|| panic!("no {key} in {text}"));
        assert!(
            (theirs - ours).abs() < 1e-4,
            "{key}: herald {ours} vs ir_eval {theirs}"
        );
    }
}

/// The first number under `key` anywhere in the JSON.
fn find_number(v: &serde_json::Value, key: &str) -> Option<f64> {
    match v {
        serde_json::Value::Object(map) => map
            .get(key)
            .and_then(serde_json::Value::as_f64)
            .or_else(|| map.values().find_map(|x| find_number(x, key))),
        serde_json::Value::Array(items) => items.iter().find_map(|x| find_number(x, key)),
        _ => None,
    }
}
