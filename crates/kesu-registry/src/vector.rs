//! Sparse term-weight vectors: the centroids clusters and known causes are
//! compared by.
//!
//! Terms are strings, not vocabulary ids, because each week's vocabulary is
//! built afresh and ids do not carry over. A vector is kept sorted by term so
//! that dot products are a merge walk and serialisation is deterministic.

use std::collections::BTreeMap;

/// Weights are rounded to this many parts so that a snapshot written as JSON
/// reads back to exactly the same `f64`s (a short decimal parses exactly),
/// which makes a replay from a snapshot equal to an uninterrupted run.
const QUANTUM: f64 = 1e9;

/// A sparse vector, sorted by term, each term once, weights positive.
pub(crate) type Terms = Vec<(String, f64)>;

/// Cleans raw centroid terms: drops non-finite and non-positive weights,
/// sums repeated terms, keeps the `limit` heaviest (ties by term) and scales
/// to unit length. Weights may come on any scale.
pub(crate) fn normalise(raw: &[(String, f64)], limit: usize) -> Terms {
    let mut summed: BTreeMap<&str, f64> = BTreeMap::new();
    for (term, weight) in raw {
        if weight.is_finite() && *weight > 0.0 {
            *summed.entry(term.as_str()).or_insert(0.0) += weight;
        }
    }
    let pairs: Vec<(String, f64)> = summed.into_iter().map(|(t, w)| (t.to_owned(), w)).collect();
    finish(pairs, limit)
}

/// Truncates to the `limit` heaviest terms, scales to unit length, rounds
/// weights to the quantum and sorts by term.
fn finish(mut pairs: Vec<(String, f64)>, limit: usize) -> Terms {
    pairs.retain(|(_, w)| w.is_finite() && *w > 0.0);
    if pairs.len() > limit {
        pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        pairs.truncate(limit);
    }
    let norm = pairs.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        for (_, w) in &mut pairs {
            *w = (*w / norm * QUANTUM).round() / QUANTUM;
        }
    }
    // A weight far below the quantum rounds to zero and carries no signal.
    pairs.retain(|(_, w)| *w > 0.0);
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

/// Cosine similarity of two term-sorted vectors; 0 when either is empty.
pub(crate) fn cosine(a: &[(String, f64)], b: &[(String, f64)]) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    let na = a.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    let nb = b.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    (dot / (na * nb)).clamp(0.0, 1.0)
}

/// Moves `old` towards `new` by `rate` (exponential moving average of unit
/// vectors), then truncates and renormalises, so that a cause whose wording
/// drifts slowly is followed without one odd week replacing it.
pub(crate) fn blend(
    old: &[(String, f64)],
    new: &[(String, f64)],
    rate: f64,
    limit: usize,
) -> Terms {
    let rate = rate.clamp(0.0, 1.0);
    let mut mixed: BTreeMap<&str, f64> = BTreeMap::new();
    for (t, w) in old {
        *mixed.entry(t.as_str()).or_insert(0.0) += (1.0 - rate) * w;
    }
    for (t, w) in new {
        *mixed.entry(t.as_str()).or_insert(0.0) += rate * w;
    }
    finish(
        mixed.into_iter().map(|(t, w)| (t.to_owned(), w)).collect(),
        limit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
        pairs.iter().map(|(t, w)| (t.to_string(), *w)).collect()
    }

    #[test]
    fn normalise_cleans_truncates_and_scales() {
        let raw = v(&[
            ("电表", 3.0),
            ("跳字", 4.0),
            ("电表", 1.0),
            ("噪声", f64::NAN),
            ("负", -1.0),
            ("小", 0.5),
        ]);
        // 电表 4, 跳字 4, 小 0.5; keep two: the tie of 4s stays, 小 drops.
        let n = normalise(&raw, 2);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].0, "电表");
        assert_eq!(n[1].0, "跳字");
        let half = (0.5f64).sqrt();
        assert!((n[0].1 - half).abs() < 1e-9 && (n[1].1 - half).abs() < 1e-9);
    }

    #[test]
    fn cosine_known_values() {
        let a = v(&[("a", 1.0), ("b", 1.0)]);
        let b = v(&[("b", 1.0), ("c", 1.0)]);
        assert!((cosine(&a, &b) - 0.5).abs() < 1e-12);
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-12);
        assert_eq!(cosine(&a, &[]), 0.0);
        assert_eq!(cosine(&a, &v(&[("z", 1.0)])), 0.0);
    }

    #[test]
    fn blend_moves_part_way() {
        let old = normalise(&v(&[("a", 1.0)]), 10);
        let new = normalise(&v(&[("b", 1.0)]), 10);
        let mid = blend(&old, &new, 0.25, 10);
        // (0.75, 0.25) normalised: a = 0.75/sqrt(0.625).
        assert!((mid[0].1 - 0.75 / 0.625f64.sqrt()).abs() < 1e-8);
        assert!(cosine(&mid, &old) > cosine(&mid, &new));
        assert_eq!(blend(&old, &new, 1.0, 10), new);
    }

    #[test]
    fn quantised_weights_survive_json() {
        let n = normalise(&v(&[("a", 0.1), ("b", 0.7), ("c", 0.333333333333)]), 10);
        let json = serde_json::to_string(&n).unwrap();
        let back: Vec<(String, f64)> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, n);
    }

    proptest::proptest! {
        #[test]
        fn cosine_is_symmetric_and_bounded(
            a in proptest::collection::vec(("[a-f]", 0.0f64..10.0), 0..8),
            b in proptest::collection::vec(("[a-f]", 0.0f64..10.0), 0..8),
        ) {
            let (a, b) = (normalise(&a, 5), normalise(&b, 5));
            let ab = cosine(&a, &b);
            proptest::prop_assert!((0.0..=1.0).contains(&ab));
            proptest::prop_assert!((ab - cosine(&b, &a)).abs() < 1e-12);
            proptest::prop_assert!(a.len() <= 5);
            proptest::prop_assert!(a.windows(2).all(|w| w[0].0 < w[1].0));
        }

        #[test]
        fn quantised_vectors_round_trip(
            a in proptest::collection::vec(("[a-z]{1,3}", 1e-6f64..1e6), 1..20),
        ) {
            let n = normalise(&a, 50);
            let back: Vec<(String, f64)> =
                serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
            proptest::prop_assert_eq!(back, n);
        }
    }
}
