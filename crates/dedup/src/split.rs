//! Splitting a story in two when its members form two groups.
//!
//! Story quality is measured by how close its members are to the story centre: for
//! unit member vectors, the sum of their cosines with the (unit) centroid equals the
//! length of their vector sum, `|Σ m|`. Splitting a story into two parts `A` and `B`
//! raises that total by the **gain** `|Σ_A m| + |Σ_B m| − |Σ m|` (never negative).
//! With a fixed cost per story this is the DP-means objective on the sphere (spherical
//! k-means with a penalty per cluster; Kulis & Jordan 2012, Dhillon & Modha 2001): a
//! split pays off when its gain exceeds the cost of one more story, and a merge when
//! the gain it gives up stays below it. One setting, [`crate::Config::split_gain`],
//! therefore governs both.
//!
//! The best split is searched with spherical 2-means from several starts (each member
//! paired with its least similar fellow member), entirely on the matrix of member
//! cosines: with `S` the cosine matrix, a part's vector length is
//! `sqrt(Σ_{i,j∈A} S_ij)` and a member's cosine with the part's centroid is
//! `Σ_{j∈A} S_ij / |Σ_A|`. Work is `O(starts × iterations × n²)` for `n` members.

/// Cosine of two unit vectors sorted by term hash.
#[cfg(test)]
pub(crate) fn dot_sorted(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    s
}

/// The pairwise cosine matrix (row-major, `n × n`) of unit vectors, accumulated term
/// by term over the members that share it (members of one story share few terms
/// each, so this beats merging every pair of term lists).
pub(crate) fn cosine_matrix(vs: &[&[(u64, f32)]]) -> Vec<f32> {
    let n = vs.len();
    let mut m = vec![0.0f32; n * n];
    // Every (term, member, weight), grouped by term; within a term, members ascend.
    let mut all: Vec<(u64, u32, f32)> = Vec::with_capacity(vs.iter().map(|v| v.len()).sum());
    for (i, v) in vs.iter().enumerate() {
        all.extend(v.iter().map(|&(h, w)| (h, i as u32, w)));
    }
    // Each member's terms are sorted already: a stable sort by term merges those runs
    // (cheaper than sorting from scratch) and keeps members ascending within a term.
    all.sort_by_key(|x| x.0);
    let mut start = 0;
    while start < all.len() {
        let term = all[start].0;
        let mut end = start + 1;
        while end < all.len() && all[end].0 == term {
            end += 1;
        }
        let group = &all[start..end];
        for (k, &(_, a, wa)) in group.iter().enumerate() {
            let row = a as usize * n;
            for &(_, b, wb) in &group[k..] {
                m[row + b as usize] += wa * wb;
            }
        }
        start = end;
    }
    // The upper triangle holds every pair; mirror it.
    for i in 0..n {
        for j in i + 1..n {
            m[j * n + i] = m[i * n + j];
        }
    }
    m
}

/// Length of the vector sum of the members with `side[i] == want`.
fn part_len(s: &[f32], n: usize, side: &[bool], want: bool) -> f64 {
    let mut t = 0.0f64;
    for i in (0..n).filter(|&i| side[i] == want) {
        for j in (0..n).filter(|&j| side[j] == want) {
            t += f64::from(s[i * n + j]);
        }
    }
    t.max(0.0).sqrt()
}

/// Length of the vector sum of all members.
pub(crate) fn total_len(s: &[f32]) -> f64 {
    f64::from(s.iter().sum::<f32>()).max(0.0).sqrt()
}

/// Gain of a given split: `|Σ_A| + |Σ_B| − |Σ|`.
pub(crate) fn split_gain(s: &[f32], n: usize, side: &[bool]) -> f64 {
    (part_len(s, n, side, false) + part_len(s, n, side, true) - total_len(s)).max(0.0)
}

/// Most starts tried by [`best_split`] (the most dissimilar seed pairs first).
const MAX_STARTS: usize = MAX_STARTS_DEFAULT;
const MAX_STARTS_DEFAULT: usize = 16;

/// The best two-way split found: `side[i]` is true for members of the second part,
/// and the gain `|Σ_A| + |Σ_B| − |Σ|`. `None` below two members.
pub(crate) fn best_split(s: &[f32], n: usize) -> Option<(Vec<bool>, f64)> {
    if n < 2 || s.len() != n * n {
        return None;
    }
    // Starts: each member with its least similar fellow member (deduplicated), the
    // most dissimilar pairs first.
    let mut starts: Vec<(f32, usize, usize)> = (0..n)
        .map(|a| {
            let row = &s[a * n..(a + 1) * n];
            let mut b = if a == 0 { 1 } else { 0 };
            for (j, &x) in row.iter().enumerate() {
                if j != a && x < row[b] {
                    b = j;
                }
            }
            (row[b], a.min(b), a.max(b))
        })
        .collect();
    starts.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    starts.dedup_by(|x, y| (x.1, x.2) == (y.1, y.2));
    starts.truncate(MAX_STARTS);
    let mut best: Option<(Vec<bool>, f64)> = None;
    let mut side = vec![false; n];
    let mut next = vec![false; n];
    let (mut da, mut db) = (vec![0.0f32; n], vec![0.0f32; n]);
    for &(_, a, b) in &starts {
        // Initial centroids are the two seed members themselves.
        for (i, x) in side.iter_mut().enumerate() {
            *x = s[i * n + b] > s[i * n + a];
        }
        side[a] = false;
        side[b] = true;
        let mut lens = (0.0f64, 0.0f64);
        for _ in 0..12 {
            // Each member's summed similarity to each part; the parts' lengths follow.
            for i in 0..n {
                let row = &s[i * n..(i + 1) * n];
                let (mut x, mut y) = (0.0f32, 0.0f32);
                for (&v, &in_b) in row.iter().zip(&side) {
                    if in_b {
                        y += v;
                    } else {
                        x += v;
                    }
                }
                da[i] = x;
                db[i] = y;
            }
            let (mut la2, mut lb2) = (0.0f64, 0.0f64);
            for i in 0..n {
                if side[i] {
                    lb2 += f64::from(db[i]);
                } else {
                    la2 += f64::from(da[i]);
                }
            }
            let (la, lb) = (la2.max(0.0).sqrt(), lb2.max(0.0).sqrt());
            lens = (la, lb);
            if la <= 0.0 || lb <= 0.0 {
                break;
            }
            for i in 0..n {
                next[i] = f64::from(db[i]) * la > f64::from(da[i]) * lb;
            }
            if next == side || next.iter().all(|&x| x) || next.iter().all(|&x| !x) {
                break;
            }
            std::mem::swap(&mut side, &mut next);
            lens = (-1.0, -1.0);
        }
        if side.iter().all(|&x| x) || side.iter().all(|&x| !x) {
            continue;
        }
        let obj = if lens.0 >= 0.0 {
            lens.0 + lens.1
        } else {
            part_len(s, n, &side, false) + part_len(s, n, &side, true)
        };
        if best.as_ref().is_none_or(|(_, o)| obj > *o + 1e-9) {
            best = Some((side.clone(), obj));
        }
    }
    let total = total_len(s);
    best.map(|(side, obj)| (side, (obj - total).max(0.0)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn unit(v: &[(u64, f32)]) -> Vec<(u64, f32)> {
        let n = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        let mut v: Vec<(u64, f32)> = v.iter().map(|&(h, x)| (h, x / n)).collect();
        v.sort_unstable_by_key(|x| x.0);
        v
    }

    #[test]
    fn two_groups_are_found() {
        // Three members about terms 1-3 and three about terms 7-9, all sharing term 5.
        let vs: Vec<Vec<(u64, f32)>> = vec![
            unit(&[(1, 1.0), (2, 1.0), (5, 0.5)]),
            unit(&[(1, 1.0), (3, 1.0), (5, 0.5)]),
            unit(&[(2, 1.0), (3, 1.0), (5, 0.5)]),
            unit(&[(7, 1.0), (8, 1.0), (5, 0.5)]),
            unit(&[(7, 1.0), (9, 1.0), (5, 0.5)]),
            unit(&[(8, 1.0), (9, 1.0), (5, 0.5)]),
        ];
        let refs: Vec<&[(u64, f32)]> = vs.iter().map(Vec::as_slice).collect();
        let s = cosine_matrix(&refs);
        let (side, gain) = best_split(&s, 6).unwrap();
        assert_eq!(side[0], side[1]);
        assert_eq!(side[1], side[2]);
        assert_eq!(side[3], side[4]);
        assert_ne!(side[0], side[3]);
        assert!(gain > 0.5, "{gain}");
    }

    #[test]
    fn matrix_matches_pairwise_dots() {
        let vs: Vec<Vec<(u64, f32)>> = (0..7u64)
            .map(|i| unit(&[(i, 1.0), (i + 1, 0.5), (10, 0.3), (20 + i % 3, 0.7)]))
            .collect();
        let refs: Vec<&[(u64, f32)]> = vs.iter().map(Vec::as_slice).collect();
        let m = cosine_matrix(&refs);
        for i in 0..7 {
            for j in 0..7 {
                let d = dot_sorted(&vs[i], &vs[j]);
                assert!((m[i * 7 + j] - d).abs() < 1e-6, "{i} {j}");
            }
        }
    }

    #[test]
    fn identical_members_gain_nothing() {
        let v = unit(&[(1, 1.0), (2, 2.0)]);
        let refs: Vec<&[(u64, f32)]> = vec![&v, &v, &v, &v];
        let s = cosine_matrix(&refs);
        let gain = best_split(&s, 4).map_or(0.0, |x| x.1);
        assert!(gain < 1e-6, "{gain}");
    }
}
