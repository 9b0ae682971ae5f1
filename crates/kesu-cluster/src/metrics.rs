//! External clustering scores (NMI, ARI, homogeneity, completeness) and
//! pairwise F1, with the same definitions as scikit-learn so that kesu and
//! the Python peer are scored alike.

use std::collections::BTreeMap;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// Dense label ids (by first appearance) for any hashable label type.
fn encode<T: Hash + Eq>(labels: &[T]) -> (Vec<usize>, usize) {
    let mut ids: FxHashMap<&T, usize> = FxHashMap::default();
    let dense = labels
        .iter()
        .map(|l| {
            let next = ids.len();
            *ids.entry(l).or_insert(next)
        })
        .collect();
    (dense, ids.len())
}

struct Contingency {
    n: f64,
    /// Sorted, so that sums over cells do not depend on hashing.
    cells: BTreeMap<(usize, usize), f64>,
    rows: Vec<f64>,
    cols: Vec<f64>,
}

fn contingency<A: Hash + Eq, B: Hash + Eq>(truth: &[A], pred: &[B]) -> Contingency {
    assert_eq!(truth.len(), pred.len(), "label vectors differ in length");
    let (t, nt) = encode(truth);
    let (p, np) = encode(pred);
    let mut counts: FxHashMap<(usize, usize), u64> = FxHashMap::default();
    let mut rows = vec![0.0; nt];
    let mut cols = vec![0.0; np];
    for (&a, &b) in t.iter().zip(&p) {
        *counts.entry((a, b)).or_insert(0) += 1;
        rows[a] += 1.0;
        cols[b] += 1.0;
    }
    // Collected into a sorted map: the visiting order cannot matter.
    #[allow(clippy::iter_over_hash_type)]
    let cells = counts.into_iter().map(|(k, c)| (k, c as f64)).collect();
    Contingency {
        n: truth.len() as f64,
        cells,
        rows,
        cols,
    }
}

fn entropy(counts: &[f64], n: f64) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| -(c / n) * (c / n).ln())
        .sum()
}

fn mutual_information(c: &Contingency) -> f64 {
    c.cells
        .iter()
        .map(|(&(a, b), &nij)| {
            let n = c.n;
            (nij / n) * ((n * nij) / (c.rows[a] * c.cols[b])).ln()
        })
        .sum::<f64>()
        .max(0.0)
}

/// Normalised mutual information with the arithmetic mean of the entropies
/// (scikit-learn's default `average_method="arithmetic"`).
pub fn nmi<A: Hash + Eq, B: Hash + Eq>(truth: &[A], pred: &[B]) -> f64 {
    if truth.is_empty() {
        return 1.0;
    }
    let c = contingency(truth, pred);
    let (ht, hp) = (entropy(&c.rows, c.n), entropy(&c.cols, c.n));
    if ht == 0.0 && hp == 0.0 {
        return 1.0;
    }
    let denom = (ht + hp) / 2.0;
    if denom <= 0.0 {
        return 0.0;
    }
    (mutual_information(&c) / denom).clamp(0.0, 1.0)
}

/// Homogeneity and completeness (Rosenberg & Hirschberg 2007).
pub fn homogeneity_completeness<A: Hash + Eq, B: Hash + Eq>(truth: &[A], pred: &[B]) -> (f64, f64) {
    if truth.is_empty() {
        return (1.0, 1.0);
    }
    let c = contingency(truth, pred);
    let (ht, hp) = (entropy(&c.rows, c.n), entropy(&c.cols, c.n));
    let mi = mutual_information(&c);
    let h = if ht == 0.0 { 1.0 } else { mi / ht };
    let k = if hp == 0.0 { 1.0 } else { mi / hp };
    (h.clamp(0.0, 1.0), k.clamp(0.0, 1.0))
}

fn comb2(x: f64) -> f64 {
    x * (x - 1.0) / 2.0
}

/// Adjusted Rand index (Hubert & Arabie).
pub fn ari<A: Hash + Eq, B: Hash + Eq>(truth: &[A], pred: &[B]) -> f64 {
    if truth.len() < 2 {
        return 1.0;
    }
    let c = contingency(truth, pred);
    let index: f64 = c.cells.values().map(|&x| comb2(x)).sum();
    let a: f64 = c.rows.iter().map(|&x| comb2(x)).sum();
    let b: f64 = c.cols.iter().map(|&x| comb2(x)).sum();
    let expected = a * b / comb2(c.n);
    let max = (a + b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Precision, recall and F1 of boolean predictions against truth.
pub fn precision_recall_f1(truth: &[bool], pred: &[bool]) -> (f64, f64, f64) {
    let tp = truth.iter().zip(pred).filter(|(t, p)| **t && **p).count() as f64;
    let fp = truth.iter().zip(pred).filter(|(t, p)| !**t && **p).count() as f64;
    let fneg = truth.iter().zip(pred).filter(|(t, p)| **t && !**p).count() as f64;
    let p = if tp + fp == 0.0 { 0.0 } else { tp / (tp + fp) };
    let r = if tp + fneg == 0.0 {
        0.0
    } else {
        tp / (tp + fneg)
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    // Reference values computed with scikit-learn 1.x.
    #[test]
    fn sklearn_reference_values() {
        let t = [0, 0, 0, 1, 1, 1];
        let p = [0, 0, 1, 1, 2, 2];
        // normalized_mutual_info_score → 0.5158037429793889
        assert!(close(nmi(&t, &p), 0.5158037429793889), "{}", nmi(&t, &p));
        // adjusted_rand_score → 0.24242424242424246
        assert!(close(ari(&t, &p), 0.24242424242424246), "{}", ari(&t, &p));
        // homogeneity_score → 0.6666666666666669, completeness_score → 0.420619835714305
        let (h, c) = homogeneity_completeness(&t, &p);
        assert!(close(h, 0.6666666666666669), "{h}");
        assert!(close(c, 0.420619835714305), "{c}");
    }

    #[test]
    fn perfect_and_permuted_labelings_score_one() {
        let t = ["a", "a", "b", "b", "c"];
        let p = [2, 2, 0, 0, 1];
        assert!(close(nmi(&t, &p), 1.0));
        assert!(close(ari(&t, &p), 1.0));
    }

    #[test]
    fn independent_labelings_score_low() {
        let t = [0, 0, 1, 1];
        let p = [0, 1, 0, 1];
        assert!(close(nmi(&t, &p), 0.0));
        assert!(ari(&t, &p) < 0.0);
    }

    #[test]
    fn f1_counts() {
        let (p, r, f) =
            precision_recall_f1(&[true, true, false, false], &[true, false, true, false]);
        assert!(close(p, 0.5) && close(r, 0.5) && close(f, 0.5));
    }
}
