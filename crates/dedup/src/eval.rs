//! Evaluation: runs the engine over labelled articles exactly as ingest would and
//! scores the result.
//!
//! * **Order.** Records are processed in `published` order; a record without a date
//!   keeps its place in file order (it sorts with the last dated record before it, or
//!   first when there is none). The sort is stable.
//! * **Stories.** B-cubed precision/recall/F1 (per article, averaged) and pairwise
//!   precision/recall/F1 against the gold `cluster` labels, on the final stories (merges
//!   followed).
//! * **Near-duplicates.** A predicted pair is two articles with the same canonical
//!   article (`duplicate_of`, or the article itself). Gold positives are the pairs
//!   labelled `near_duplicate`; every other pair is a negative.
//! * **Shuffled orders** ([`run_shuffled`]): for collections whose order carries no
//!   meaning (ECB+), the file order is permuted by a Fisher–Yates shuffle driven by
//!   splitmix64 seeded with each seed, then processed as above; figures are averaged.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{Article, Config, Engine, Prepared};

/// One input line: `{"id","title","body","published","source"}` plus an optional gold
/// `cluster`; other fields are ignored.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct EvalRecord {
    /// Article id (a JSON string or integer).
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    /// Headline.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub title: String,
    /// Body text.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    /// ISO 8601 date or date-time (or Unix seconds); missing or unreadable = undated.
    #[serde(default)]
    pub published: Option<serde_json::Value>,
    /// Publisher.
    #[serde(default)]
    pub source: Option<String>,
    /// Gold story label (string or number).
    #[serde(default)]
    pub cluster: Option<serde_json::Value>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// An id written as a string or as an integer (collections use both), as text.
fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Int(i64),
    }
    Ok(
        match Id::deserialize(d)
            .map_err(|_| serde::de::Error::custom("\"id\" must be a string or an integer"))?
        {
            Id::Text(s) => s,
            Id::Int(n) => n.to_string(),
        },
    )
}

impl EvalRecord {
    /// Publication time in Unix seconds.
    pub fn time(&self) -> Option<i64> {
        match self.published.as_ref()? {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => parse_time(s),
            _ => None,
        }
    }

    fn gold(&self) -> Option<String> {
        match self.cluster.as_ref()? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            v => Some(v.to_string()),
        }
    }
}

/// A labelled pair from `pairs.jsonl`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LabelledPair {
    /// First article id.
    pub a: String,
    /// Second article id.
    pub b: String,
    /// `near_duplicate` for positives.
    pub label: String,
}

/// One output line: `{"id","story","duplicate_of"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentLine {
    /// Article id.
    pub id: String,
    /// Final story id (merges followed).
    pub story: String,
    /// Canonical article when the article is a copy.
    pub duplicate_of: Option<String>,
}

/// Precision, recall, F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// Harmonic mean.
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }

    fn mean(v: &[Prf]) -> Prf {
        let n = v.len().max(1) as f64;
        Prf {
            precision: v.iter().map(|x| x.precision).sum::<f64>() / n,
            recall: v.iter().map(|x| x.recall).sum::<f64>() / n,
            f1: v.iter().map(|x| x.f1).sum::<f64>() / n,
        }
    }
}

/// Figures for one run (or the mean of several).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EvalReport {
    /// Articles processed.
    pub articles: usize,
    /// Predicted stories.
    pub stories: usize,
    /// Gold stories (0 when unlabelled).
    pub gold_stories: usize,
    /// Articles that are copies of another.
    pub duplicates: usize,
    /// Story merges performed.
    pub merges: usize,
    /// Story splits performed.
    pub splits: usize,
    /// B-cubed figures (when labelled).
    pub bcubed: Option<Prf>,
    /// Pairwise figures (when labelled).
    pub pairwise: Option<Prf>,
    /// Near-duplicate pair figures (when pairs are given).
    pub near_duplicates: Option<Prf>,
    /// Number of runs averaged.
    pub runs: usize,
}

/// Assignments and figures of one run.
#[derive(Debug, Clone)]
pub struct EvalOutput {
    /// Assignment lines in processing order.
    pub assignments: Vec<AssignmentLine>,
    /// Figures.
    pub report: EvalReport,
}

/// Parses `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fff]]`, and
/// `Z` or `±HH[:MM]`. Local times without a zone are taken as UTC. Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if b.len() >= 16 && (b[10] == b'T' || b[10] == b' ') && b[13] == b':' {
        let (hh, mm) = (num(11..13)?, num(14..16)?);
        let mut ss = 0;
        let mut rest = 16;
        if b.len() >= 19 && b[16] == b':' {
            ss = num(17..19).unwrap_or(0);
            rest = 19;
            while rest < b.len() && (b[rest] == b'.' || b[rest].is_ascii_digit()) {
                rest += 1;
            }
        }
        secs += hh.min(23) * 3600 + mm.min(59) * 60 + ss.min(60);
        if rest < b.len() && (b[rest] == b'+' || b[rest] == b'-') {
            let sign = if b[rest] == b'+' { 1 } else { -1 };
            let oh = num(rest + 1..rest + 3).unwrap_or(0);
            let om = if b.get(rest + 3) == Some(&b':') {
                num(rest + 4..rest + 6).unwrap_or(0)
            } else {
                num(rest + 3..rest + 5).unwrap_or(0)
            };
            secs -= sign * (oh * 3600 + om * 60);
        }
    }
    Some(secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Processing order: by date, undated records staying after the dated record that
/// precedes them in the file. Stable.
pub fn processing_order(records: &[EvalRecord]) -> Vec<usize> {
    crate::stream_order(records.iter().map(EvalRecord::time))
}

/// Runs the engine over `records` (see the module docs for the order) and scores the
/// stories when records carry `cluster` labels and the near-duplicates when `pairs`
/// is given.
pub fn run(records: &[EvalRecord], cfg: &Config, pairs: Option<&[LabelledPair]>) -> EvalOutput {
    run_with_options(records, cfg, pairs, &Options::default())
}

/// How an evaluation run starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Count every record's terms into the document frequencies first, once
    /// ([`Engine::observe_prepared`]), as ingest counts a batch of stored articles
    /// before placing it, so that term weights at the start of the run are not those
    /// of an empty engine.
    /// Assignment still happens one record at a time, in processing order.
    pub warm_idf: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            warm_idf: WARM_DEFAULT,
        }
    }
}

const WARM_DEFAULT: bool = true;

/// [`run`] with explicit [`Options`].
pub fn run_with_options(
    records: &[EvalRecord],
    cfg: &Config,
    pairs: Option<&[LabelledPair]>,
    opts: &Options,
) -> EvalOutput {
    let mut engine = Engine::new(cfg.clone());
    // Warm: every record prepared and its terms counted first, once, as ingest counts
    // a batch before placing it.
    let prepared: Vec<Option<Prepared>> = records
        .iter()
        .map(|r| {
            opts.warm_idf.then(|| {
                let mut p = Engine::prepare(cfg, &article(r));
                engine.observe_prepared(&r.id, &mut p);
                p
            })
        })
        .collect();
    run_with(engine, records, prepared, pairs)
}

fn article(r: &EvalRecord) -> Article<'_> {
    Article {
        id: &r.id,
        title: &r.title,
        body: &r.body,
        source: r.source.as_deref(),
        published: r.time(),
    }
}

/// Places `records` in processing order, each with its `prepared` text when given.
fn run_with(
    mut engine: Engine,
    records: &[EvalRecord],
    mut prepared: Vec<Option<Prepared>>,
    pairs: Option<&[LabelledPair]>,
) -> EvalOutput {
    let mut raw: Vec<(String, String, Option<String>)> = Vec::with_capacity(records.len());
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut redirects: HashMap<String, String> = HashMap::new();
    let mut merges = 0;
    let mut splits = 0;
    for i in processing_order(records) {
        let r = &records[i];
        let a = match prepared.get_mut(i).and_then(Option::take) {
            Some(p) => engine.add_prepared(&article(r), p),
            None => engine.add(&article(r)),
        };
        for m in &a.merged {
            redirects.insert(m.from.to_string(), m.into.to_string());
            merges += 1;
        }
        if !a.moved.is_empty() {
            splits += 1;
        }
        for m in &a.moved {
            if let Some(&p) = position.get(&*m.id) {
                raw[p].1 = m.story.to_string();
            }
            // A split story's id names a live story again.
            redirects.remove(&*m.story);
        }
        position.insert(r.id.clone(), raw.len());
        raw.push((
            r.id.clone(),
            a.story.to_string(),
            a.duplicate_of.map(|d| d.to_string()),
        ));
    }
    let resolve = |s: &str| -> String {
        let mut cur = s.to_string();
        for _ in 0..1000 {
            match redirects.get(&cur) {
                Some(n) => cur = n.clone(),
                None => break,
            }
        }
        cur
    };
    let assignments: Vec<AssignmentLine> = raw
        .into_iter()
        .map(|(id, story, duplicate_of)| AssignmentLine {
            story: resolve(&story),
            id,
            duplicate_of,
        })
        .collect();
    let mut report = score(records, &assignments, pairs, merges);
    report.splits = splits;
    EvalOutput {
        assignments,
        report,
    }
}

/// Scores assignments against the records' gold labels and labelled pairs.
pub fn score(
    records: &[EvalRecord],
    assignments: &[AssignmentLine],
    pairs: Option<&[LabelledPair]>,
    merges: usize,
) -> EvalReport {
    let gold: HashMap<&str, String> = records
        .iter()
        .filter_map(|r| Some((r.id.as_str(), r.gold()?)))
        .collect();
    let stories: HashSet<&str> = assignments.iter().map(|a| a.story.as_str()).collect();
    let labelled: Vec<(&str, &str)> = assignments
        .iter()
        .filter_map(|a| Some((a.story.as_str(), gold.get(a.id.as_str())?.as_str())))
        .collect();
    let (bcubed, pairwise) = if labelled.is_empty() {
        (None, None)
    } else {
        let (b, p) = cluster_scores(&labelled);
        (Some(b), Some(p))
    };
    let near_duplicates = pairs.map(|p| dup_scores(assignments, p));
    EvalReport {
        articles: assignments.len(),
        stories: stories.len(),
        gold_stories: gold.values().collect::<HashSet<_>>().len(),
        duplicates: assignments
            .iter()
            .filter(|a| a.duplicate_of.is_some())
            .count(),
        merges,
        splits: 0,
        bcubed,
        pairwise,
        near_duplicates,
        runs: 1,
    }
}

/// B-cubed and pairwise scores of (predicted, gold) labels per item.
pub fn cluster_scores(items: &[(&str, &str)]) -> (Prf, Prf) {
    let mut pred: HashMap<&str, usize> = HashMap::new();
    let mut gold: HashMap<&str, usize> = HashMap::new();
    let mut cell: HashMap<(&str, &str), usize> = HashMap::new();
    for &(p, g) in items {
        *pred.entry(p).or_default() += 1;
        *gold.entry(g).or_default() += 1;
        *cell.entry((p, g)).or_default() += 1;
    }
    let n = items.len() as f64;
    let (mut bp, mut br) = (0.0, 0.0);
    for &(p, g) in items {
        let c = cell[&(p, g)] as f64;
        bp += c / pred[p] as f64;
        br += c / gold[g] as f64;
    }
    let pairs = |x: usize| (x * x.saturating_sub(1) / 2) as f64;
    let tp: f64 = cell.values().map(|&c| pairs(c)).sum();
    let pp: f64 = pred.values().map(|&c| pairs(c)).sum();
    let gp: f64 = gold.values().map(|&c| pairs(c)).sum();
    let pw = Prf::new(
        if pp > 0.0 { tp / pp } else { 1.0 },
        if gp > 0.0 { tp / gp } else { 1.0 },
    );
    (Prf::new(bp / n, br / n), pw)
}

/// Near-duplicate pair precision/recall: predicted pairs share a canonical article.
pub fn dup_scores(assignments: &[AssignmentLine], pairs: &[LabelledPair]) -> Prf {
    let present: HashSet<&str> = assignments.iter().map(|a| a.id.as_str()).collect();
    let mut groups: HashMap<&str, Vec<&str>> = HashMap::new();
    for a in assignments {
        let root = a.duplicate_of.as_deref().unwrap_or(a.id.as_str());
        groups.entry(root).or_default().push(a.id.as_str());
    }
    let key = |a: &str, b: &str| -> (String, String) {
        if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        }
    };
    let mut predicted = HashSet::new();
    for ids in groups.values() {
        for i in 0..ids.len() {
            for j in i + 1..ids.len() {
                predicted.insert(key(ids[i], ids[j]));
            }
        }
    }
    let positives: HashSet<(String, String)> = pairs
        .iter()
        .filter(|p| p.label == "near_duplicate")
        .filter(|p| present.contains(p.a.as_str()) && present.contains(p.b.as_str()))
        .map(|p| key(&p.a, &p.b))
        .collect();
    let tp = predicted.intersection(&positives).count() as f64;
    Prf::new(
        if predicted.is_empty() {
            1.0
        } else {
            tp / predicted.len() as f64
        },
        if positives.is_empty() {
            1.0
        } else {
            tp / positives.len() as f64
        },
    )
}

/// The seeds [`run_shuffled`] uses by default.
pub const DEFAULT_SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// Permutes `v` with a Fisher–Yates shuffle driven by splitmix64 from `seed`.
pub fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::minhash::mix(state)
    };
    for i in (1..v.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Mean figures over shuffled file orders (one run per seed), plus each run.
pub fn run_shuffled(
    records: &[EvalRecord],
    cfg: &Config,
    pairs: Option<&[LabelledPair]>,
    seeds: &[u64],
) -> (EvalReport, Vec<EvalReport>) {
    run_shuffled_with_options(records, cfg, pairs, seeds, &Options::default())
}

/// [`run_shuffled`] with explicit [`Options`].
pub fn run_shuffled_with_options(
    records: &[EvalRecord],
    cfg: &Config,
    pairs: Option<&[LabelledPair]>,
    seeds: &[u64],
    opts: &Options,
) -> (EvalReport, Vec<EvalReport>) {
    let runs: Vec<EvalReport> = seeds
        .iter()
        .map(|&s| {
            let mut r = records.to_vec();
            shuffle(&mut r, s);
            run_with_options(&r, cfg, pairs, opts).report
        })
        .collect();
    let n = runs.len().max(1);
    let opt_mean = |f: &dyn Fn(&EvalReport) -> Option<Prf>| -> Option<Prf> {
        let v: Vec<Prf> = runs.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| Prf::mean(&v))
    };
    let mean = EvalReport {
        articles: runs.first().map_or(0, |r| r.articles),
        stories: runs.iter().map(|r| r.stories).sum::<usize>() / n,
        gold_stories: runs.first().map_or(0, |r| r.gold_stories),
        duplicates: runs.iter().map(|r| r.duplicates).sum::<usize>() / n,
        merges: runs.iter().map(|r| r.merges).sum::<usize>() / n,
        splits: runs.iter().map(|r| r.splits).sum::<usize>() / n,
        bcubed: opt_mean(&|r| r.bcubed),
        pairwise: opt_mean(&|r| r.pairwise),
        near_duplicates: opt_mean(&|r| r.near_duplicates),
        runs: runs.len(),
    };
    (mean, runs)
}

/// What a JSONL file held: the lines that parsed, in file order, and the others.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// Usable lines.
    pub items: Vec<T>,
    /// Lines left out: (line number, counting from 1; why).
    pub skipped: Vec<(usize, String)>,
}

/// Reads JSONL text into records, skipping blank lines. A line that is not a record,
/// has an empty id, or repeats an earlier line's id is left out and named in
/// [`Parsed::skipped`], so one bad line never costs the measurement of the rest. A
/// repeated id is dropped rather than run as a new version of the article: scores are
/// kept per id, and a second copy would count that article twice.
pub fn parse_records(jsonl: &str) -> Parsed<EvalRecord> {
    let mut parsed = parse_lines::<EvalRecord>(jsonl);
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut kept = Vec::with_capacity(parsed.items.len());
    for (line, record) in parsed.items {
        if record.id.trim().is_empty() {
            parsed.skipped.push((line, "empty \"id\"".into()));
        } else if let Some(first) = first_line.get(&record.id) {
            parsed.skipped.push((
                line,
                format!("id {:?} already used on line {first}", record.id),
            ));
        } else {
            first_line.insert(record.id.clone(), line);
            kept.push(record);
        }
    }
    parsed.skipped.sort_by_key(|s| s.0);
    Parsed {
        items: kept,
        skipped: parsed.skipped,
    }
}

/// Reads `pairs.jsonl` text; lines that are not pairs are left out and named.
pub fn parse_pairs(jsonl: &str) -> Parsed<LabelledPair> {
    let parsed = parse_lines(jsonl);
    Parsed {
        items: parsed.items.into_iter().map(|(_, p)| p).collect(),
        skipped: parsed.skipped,
    }
}

/// Each non-blank line parsed on its own, with its line number.
fn parse_lines<T: serde::de::DeserializeOwned>(jsonl: &str) -> Parsed<(usize, T)> {
    let mut parsed = Parsed {
        items: Vec::new(),
        skipped: Vec::new(),
    };
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(item) => parsed.items.push((i + 1, item)),
            Err(e) => parsed.skipped.push((i + 1, e.to_string())),
        }
    }
    parsed
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_named_and_the_rest_kept() {
        let text = [
            r#"{"id":"a","title":"First","cluster":1}"#,
            "not json",
            "",
            r#"{"title":"no id"}"#,
            r#"{"id":7,"body":"numeric id"}"#,
            r#"{"id":"a","title":"same id again"}"#,
            r#"{"id":" ","title":"blank id"}"#,
            r#"{"id":[1],"title":"id of the wrong kind"}"#,
            r#"{"id":"b","title":"Last"}"#,
        ]
        .join("\n");
        let parsed = parse_records(&text);
        let ids: Vec<&str> = parsed.items.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "7", "b"]);
        assert_eq!(parsed.items[0].title, "First");
        let lines: Vec<usize> = parsed.skipped.iter().map(|s| s.0).collect();
        assert_eq!(lines, [2, 4, 6, 7, 8]);
        assert!(
            parsed.skipped[2].1.contains("already used on line 1"),
            "{:?}",
            parsed.skipped
        );
        assert!(
            parsed.skipped[4].1.contains("string or an integer"),
            "{:?}",
            parsed.skipped
        );
    }

    #[test]
    fn pairs_keep_their_good_lines() {
        let text = "{\"a\":\"x\",\"b\":\"y\",\"label\":\"near_duplicate\"}\n{\"a\":\"x\"}\n";
        let parsed = parse_pairs(text);
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.skipped.len(), 1);
        assert_eq!(parsed.skipped[0].0, 2);
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400));
        assert_eq!(parse_time("2017-12-27T00:00:00"), Some(1_514_332_800));
        assert_eq!(parse_time("2017-12-27T01:00:00+01:00"), Some(1_514_332_800));
        assert_eq!(parse_time("2017-12-27 00:00:00.123Z"), Some(1_514_332_800));
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(parse_time("2017-13-01"), None);
        assert_eq!(parse_time("20ü7-12-01"), None);
    }

    #[test]
    fn order_keeps_undated_in_place() {
        let r = |id: &str, p: Option<&str>| EvalRecord {
            id: id.into(),
            published: p.map(|s| serde_json::Value::String(s.into())),
            ..Default::default()
        };
        let recs = vec![
            r("u0", None),
            r("b", Some("2020-01-02")),
            r("u1", None),
            r("a", Some("2020-01-01")),
        ];
        let o: Vec<&str> = processing_order(&recs)
            .into_iter()
            .map(|i| recs[i].id.as_str())
            .collect();
        assert_eq!(o, ["u0", "a", "b", "u1"]);
    }

    #[test]
    fn metrics() {
        let items = [("p1", "g1"), ("p1", "g1"), ("p2", "g1"), ("p2", "g2")];
        let (b, p) = cluster_scores(&items);
        assert!((b.precision - 0.75).abs() < 1e-9);
        assert!((b.recall - (2.0 / 3.0 * 2.0 + 1.0 / 3.0 + 1.0) / 4.0).abs() < 1e-9);
        assert!((p.precision - 0.5).abs() < 1e-9);
        assert!((p.recall - 1.0 / 3.0).abs() < 1e-9);
        let perfect = cluster_scores(&[("a", "x"), ("a", "x"), ("b", "y")]).0;
        assert_eq!(perfect.f1, 1.0);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<u32> = (0..100).collect();
        shuffle(&mut v, 7);
        let mut w = v.clone();
        w.sort_unstable();
        assert_eq!(w, (0..100).collect::<Vec<_>>());
        assert_ne!(v, w);
    }
}
