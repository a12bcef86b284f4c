//! Ranking-quality measures over TREC-style runs, with trec_eval's conventions:
//! ranking by score descending with ties broken by document id descending, averages
//! over queries that have at least one relevant document, a missing query scoring 0.

use std::collections::{HashMap, HashSet};

/// Relevance judgments: query id → document id → grade (≥ 1 is relevant).
pub type Qrels = HashMap<String, HashMap<String, i32>>;

/// The four measures of one query or their means.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measures {
    /// Normalised discounted cumulative gain of the first 10 (linear gains).
    pub ndcg10: f64,
    /// Average precision over the first 1000.
    pub map1000: f64,
    /// Reciprocal rank of the first relevant document in the first 10.
    pub mrr10: f64,
    /// Share of relevant documents in the first 100.
    pub recall100: f64,
}

/// Orders one query's scored documents the way trec_eval does.
pub fn trec_order(scored: &mut [(String, f64)]) {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
}

/// Measures one ranking against one query's judgments.
pub fn measure(ranking: &[String], judged: &HashMap<String, i32>) -> Measures {
    let relevant: HashSet<&str> = judged
        .iter()
        .filter(|(_, &g)| g >= 1)
        .map(|(d, _)| d.as_str())
        .collect();
    let n_rel = relevant.len();
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let dcg: f64 = ranking
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, d)| judged.get(d).copied().unwrap_or(0).max(0) as f64 * discount(i))
        .sum();
    let mut ideal: Vec<i32> = judged.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, &g)| g as f64 * discount(i))
        .sum();
    let mut hits = 0usize;
    let mut ap = 0.0;
    for (i, d) in ranking.iter().take(1000).enumerate() {
        if relevant.contains(d.as_str()) {
            hits += 1;
            ap += hits as f64 / (i + 1) as f64;
        }
    }
    let rr = ranking
        .iter()
        .take(10)
        .position(|d| relevant.contains(d.as_str()))
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    let found100 = ranking
        .iter()
        .take(100)
        .filter(|d| relevant.contains(d.as_str()))
        .count();
    let ratio = |x: f64| if n_rel > 0 { x / n_rel as f64 } else { 0.0 };
    Measures {
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        map1000: ratio(ap),
        mrr10: rr,
        recall100: ratio(found100 as f64),
    }
}

/// Means over every query with a relevant document; `runs` maps query id → ranking.
/// Returns the means and the number of queries averaged.
pub fn evaluate(qrels: &Qrels, runs: &HashMap<String, Vec<String>>) -> (Measures, usize) {
    let mut sum = Measures::default();
    let mut n = 0usize;
    let empty = Vec::new();
    for (qid, judged) in qrels {
        if !judged.values().any(|&g| g >= 1) {
            continue;
        }
        let m = measure(runs.get(qid).unwrap_or(&empty), judged);
        sum.ndcg10 += m.ndcg10;
        sum.map1000 += m.map1000;
        sum.mrr10 += m.mrr10;
        sum.recall100 += m.recall100;
        n += 1;
    }
    if n > 0 {
        let k = n as f64;
        sum.ndcg10 /= k;
        sum.map1000 /= k;
        sum.mrr10 /= k;
        sum.recall100 /= k;
    }
    (sum, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evaluator's own hand-computed example, so both implementations agree.
    #[test]
    fn matches_the_reference_example() {
        let judged: HashMap<String, i32> = [("d1", 2), ("d2", 1), ("d3", 0)]
            .into_iter()
            .map(|(d, g)| (d.to_string(), g))
            .collect();
        let mut scored: Vec<(String, f64)> = [("d3", 3.0), ("d1", 2.0), ("d2", 1.0), ("d4", 1.0)]
            .into_iter()
            .map(|(d, s)| (d.to_string(), s))
            .collect();
        trec_order(&mut scored);
        let ranking: Vec<String> = scored.into_iter().map(|(d, _)| d).collect();
        assert_eq!(ranking, ["d3", "d1", "d4", "d2"]);
        let qrels: Qrels = [
            ("q1".to_string(), judged),
            ("q2".to_string(), [("x".to_string(), 0)].into()),
        ]
        .into();
        let (m, n) = evaluate(&qrels, &[("q1".to_string(), ranking)].into());
        assert_eq!(n, 1, "q2 has no relevant document");
        let dcg = 2.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 2.0 + 1.0 / 3f64.log2();
        assert!((m.ndcg10 - dcg / idcg).abs() < 1e-12);
        assert!((m.map1000 - (0.5 + 0.5) / 2.0).abs() < 1e-12);
        assert!((m.mrr10 - 0.5).abs() < 1e-12);
        assert!((m.recall100 - 1.0).abs() < 1e-12);
        let (empty, _) = evaluate(&qrels, &HashMap::new());
        assert_eq!(empty, Measures::default());
    }
}
