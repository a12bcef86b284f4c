//! Shared by the dev-set test and the benchmark: locating the shared data and the
//! project's extraction metric (word 4-gram shingle precision and recall averaged per page,
//! as `shared/tools/extract_eval.py` defines it), reimplemented here.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

/// `$HERALD_SHARED_DATA/extraction-dev`, else `../../../shared/data/extraction-dev` from the
/// crate; `None` when the ground truth is not there.
pub fn dev_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("HERALD_SHARED_DATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let dev = dir.join("extraction-dev");
    dev.join("ground-truth.json").is_file().then_some(dev)
}

/// A dev page: id, URL, HTML bytes and the reference body.
pub struct Page {
    pub id: String,
    pub url: Option<String>,
    pub html: Vec<u8>,
    pub truth: String,
}

pub fn load_pages(dev: &std::path::Path) -> Vec<Page> {
    let text = std::fs::read_to_string(dev.join("ground-truth.json")).unwrap_or_default();
    let gt: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let mut pages = Vec::new();
    if let Some(obj) = gt.as_object() {
        for (id, entry) in obj {
            let Ok(html) = std::fs::read(dev.join("html").join(format!("{id}.html"))) else {
                continue;
            };
            pages.push(Page {
                id: id.clone(),
                url: entry
                    .get("url")
                    .and_then(|u| u.as_str())
                    .map(str::to_string),
                html,
                truth: entry
                    .get("articleBody")
                    .and_then(|b| b.as_str())
                    .unwrap_or("")
                    .to_string(),
            });
        }
    }
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    pages
}

/// Measured with `examples/devset` + `extract_eval.py`: 0.94x. The floor is asserted a little
/// below to absorb tokenizer differences between Rust's and Python's `\w`.
const F1_FLOOR: f64 = 0.935;

/// Python's `\w+` over Unicode: letters, digits, marks and underscore.
pub fn tokens(s: &str) -> Vec<&str> {
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

pub fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0E31..=0x0E3A | 0x3099..=0x309A)
}

pub fn shingles<'a>(toks: &[&'a str]) -> HashMap<Vec<&'a str>, i64> {
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
pub fn page_scores(truth: &str, pred: &str) -> (Option<f64>, Option<f64>) {
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

/// (precision, recall, F1) over pages of (truth, prediction), as the reference scorer does.
pub fn f1<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> (f64, f64, f64) {
    let (mut ps, mut rs) = (Vec::new(), Vec::new());
    for (truth, pred) in pairs {
        let (p, r) = page_scores(truth, pred);
        ps.extend(p);
        rs.extend(r);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (p, r) = (mean(&ps), mean(&rs));
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}
