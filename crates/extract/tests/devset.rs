//! The dev-set quality floor: runs every page of `shared/data/extraction-dev` through the
//! extractor and scores it with the project's metric (word 4-gram shingle precision and
//! recall, averaged per page; see `shared/tools/extract_eval.py`), reimplemented here.
//!
//! The data lives outside the repository: `$HERALD_SHARED_DATA` or `../../../shared/data`
//! from this crate. Without it the test prints a message and passes.

use std::collections::HashMap;
use std::path::PathBuf;

/// Measured with `examples/devset` + `extract_eval.py`: 0.94x. The floor is asserted a little
/// below to absorb tokenizer differences between Rust's and Python's `\w`.
const F1_FLOOR: f64 = 0.935;

fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("HERALD_SHARED_DATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dev = dir.join("extraction-dev");
    dev.join("ground-truth.json").is_file().then_some(dev)
}

/// Python's `\w+` over Unicode: letters, digits, marks and underscore.
fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let word = c.is_alphanumeric() || c == '_' || is_mark(c);
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                out.push(&s[b..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push(&s[b..]);
    }
    out
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0E31..=0x0E3A | 0x3099..=0x309A)
}

fn shingles<'a>(toks: &[&'a str]) -> HashMap<Vec<&'a str>, i64> {
    let mut m = HashMap::new();
    if toks.is_empty() {
        return m;
    }
    if toks.len() < 4 {
        *m.entry(toks.to_vec()).or_insert(0) += 1;
        return m;
    }
    for w in toks.windows(4) {
        *m.entry(w.to_vec()).or_insert(0) += 1;
    }
    m
}

/// (precision, recall) of one page; `None` where the scorer leaves the page out.
fn page_scores(truth: &str, pred: &str) -> (Option<f64>, Option<f64>) {
    let (t, p) = (shingles(&tokens(truth)), shingles(&tokens(pred)));
    let mut tp = 0i64;
    for (k, &c) in &p {
        tp += c.min(t.get(k).copied().unwrap_or(0));
    }
    let fp = p.values().sum::<i64>() - tp;
    let fn_ = t.values().sum::<i64>() - tp;
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        return (None, None);
    }
    let (tp, fp, fn_) = (tp as f64 / total, fp as f64 / total, fn_ as f64 / total);
    let perfect = fp == 0.0 && fn_ == 0.0;
    let precision = (tp + fp > 0.0).then(|| if perfect { 1.0 } else { tp / (tp + fp) });
    let recall = (tp + fn_ > 0.0).then(|| if perfect { 1.0 } else { tp / (tp + fn_) });
    (precision, recall)
}

#[test]
fn devset_f1_floor() {
    let Some(dev) = data_dir() else {
        eprintln!("skipping devset_f1_floor: shared/data/extraction-dev not found (set HERALD_SHARED_DATA)");
        return;
    };
    let gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dev.join("ground-truth.json")).unwrap())
            .unwrap();
    let gt = gt.as_object().unwrap();
    let (mut ps, mut rs) = (Vec::new(), Vec::new());
    for (id, entry) in gt {
        let html = std::fs::read(dev.join("html").join(format!("{id}.html"))).unwrap();
        let url = entry.get("url").and_then(|u| u.as_str());
        let pred = herald_extract::extract(&html, url, None)
            .map(|a| a.text)
            .unwrap_or_default();
        let truth = entry
            .get("articleBody")
            .and_then(|b| b.as_str())
            .unwrap_or("");
        let (p, r) = page_scores(truth, &pred);
        ps.extend(p);
        rs.extend(r);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (p, r) = (mean(&ps), mean(&rs));
    let f1 = 2.0 * p * r / (p + r);
    eprintln!(
        "dev set: {} pages, precision {p:.3}, recall {r:.3}, F1 {f1:.3}",
        gt.len()
    );
    assert!(
        f1 >= F1_FLOOR,
        "dev F1 {f1:.3} is below the floor {F1_FLOOR}"
    );
}

#[test]
fn scorer_matches_reference_definition() {
    assert_eq!(
        tokens("Hello, world_1 — ça va?"),
        vec!["Hello", "world_1", "ça", "va"]
    );
    assert_eq!(
        page_scores("a b c d e", "a b c d e"),
        (Some(1.0), Some(1.0))
    );
    assert_eq!(page_scores("", ""), (None, None));
    let (p, r) = page_scores("a b c d e", "");
    assert_eq!((p, r), (None, Some(0.0)));
}
