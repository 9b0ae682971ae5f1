//! False-discovery control across the many cells tested in one week
//! (Benjamini & Hochberg 1995): each week kesu tests every cause overall and
//! every cause × supply unit, so a per-cell level alone would raise several
//! false alarms a week by chance.

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
///
/// `q_(i) = min_{j ≥ i} p_(j) · m / j` over the p-values sorted ascending,
/// capped at 1; rejecting every q ≤ `fdr_q` keeps the expected share of false
/// alarms among the alarms at most `fdr_q` (independent or positively
/// dependent tests). NaN p-values are treated as 1.
pub fn bh_q_values(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let clean = |x: f64| if x.is_nan() { 1.0 } else { x.clamp(0.0, 1.0) };
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| clean(p[a]).total_cmp(&clean(p[b])));
    let mut q = vec![1.0; m];
    let mut running = 1.0f64;
    for (rank0, &i) in order.iter().enumerate().rev() {
        let adj = clean(p[i]) * m as f64 / (rank0 + 1) as f64;
        running = running.min(adj);
        q[i] = running.min(1.0);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_example() {
        // m = 5; sorted p: 0.005 0.01 0.03 0.04 0.20
        // raw p·m/rank: 0.025 0.025 0.05 0.05 0.20 → running minimum from the top
        let p = [0.04, 0.005, 0.20, 0.01, 0.03];
        let q = bh_q_values(&p);
        let want = [0.05, 0.025, 0.20, 0.025, 0.05];
        for (got, want) in q.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn monotone_step_down_and_capped() {
        // raw: 0.01·3/1 = 0.03, 0.5·3/2 = 0.75, 0.6·3/3 = 0.6 → 0.03, 0.6, 0.6
        let q = bh_q_values(&[0.6, 0.01, 0.5]);
        assert_eq!(q, vec![0.6, 0.03, 0.6]);
        assert_eq!(bh_q_values(&[1.0, f64::NAN]), vec![1.0, 1.0]);
        assert!(bh_q_values(&[]).is_empty());
    }
}
