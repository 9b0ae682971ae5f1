//! Optimal one-to-one assignment of this week's clusters to known causes.
//!
//! The Hungarian method (Kuhn–Munkres, the O(n³) potentials form) maximises
//! the total similarity of the matched pairs. Pairs below the similarity
//! floor get weight 0, which makes them worthless to the optimum; any such
//! pair the algorithm still returns (it always fills a square) is dropped,
//! so a pair below the floor is never matched.

/// For each row (cluster) of `sim`, the column (known cause) it is matched
/// to, or `None`. `sim` is row-major, `rows × cols`.
pub(crate) fn optimal(sim: &[Vec<f64>], floor: f64) -> Vec<Option<usize>> {
    let rows = sim.len();
    let cols = sim.first().map_or(0, Vec::len);
    let weight = |r: usize, c: usize| -> f64 {
        let s = sim[r][c];
        if s >= floor { s } else { 0.0 }
    };
    // Only rows and columns with at least one eligible pair take part: the
    // registry keeps every cause ever seen, and most of them are far from
    // every cluster of a given week.
    let live_rows: Vec<usize> = (0..rows)
        .filter(|&r| (0..cols).any(|c| weight(r, c) > 0.0))
        .collect();
    let live_cols: Vec<usize> = (0..cols)
        .filter(|&c| (0..rows).any(|r| weight(r, c) > 0.0))
        .collect();
    let mut out = vec![None; rows];
    let n = live_rows.len().max(live_cols.len());
    if n == 0 {
        return out;
    }
    // Costs of the padded square; padding costs 0.
    let cost = |i: usize, j: usize| -> f64 {
        match (live_rows.get(i), live_cols.get(j)) {
            (Some(&r), Some(&c)) => -weight(r, c),
            _ => 0.0,
        }
    };
    let assignment = hungarian(n, cost);
    for (i, j) in assignment.into_iter().enumerate() {
        if let (Some(&r), Some(&c)) = (live_rows.get(i), live_cols.get(j))
            && weight(r, c) > 0.0
        {
            out[r] = Some(c);
        }
    }
    out
}

/// Minimum-cost perfect matching of an `n × n` cost matrix; returns the
/// column of each row. Deterministic: the same matrix always gives the same
/// matching (ties are broken by scan order, lower indices first).
fn hungarian(n: usize, cost: impl Fn(usize, usize) -> f64) -> Vec<usize> {
    // 1-based arrays; index 0 is the virtual start column.
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut col_of_row = vec![0usize; n];
    for j in 1..=n {
        if p[j] > 0 {
            col_of_row[p[j] - 1] = j - 1;
        }
    }
    col_of_row
}

/// Greedy matching (best remaining pair first), kept only so that tests can
/// show what the optimal assignment gains over it.
#[cfg(test)]
pub(crate) fn greedy(sim: &[Vec<f64>], floor: f64) -> Vec<Option<usize>> {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (r, row) in sim.iter().enumerate() {
        for (c, &s) in row.iter().enumerate() {
            if s >= floor {
                pairs.push((s, r, c));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = vec![None; sim.len()];
    let mut taken = vec![false; sim.first().map_or(0, Vec::len)];
    for (_, r, c) in pairs {
        if out[r].is_none() && !taken[c] {
            out[r] = Some(c);
            taken[c] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(sim: &[Vec<f64>], m: &[Option<usize>]) -> f64 {
        m.iter()
            .enumerate()
            .filter_map(|(r, c)| c.map(|c| sim[r][c]))
            .sum()
    }

    #[test]
    fn optimal_beats_greedy_on_two_by_two() {
        // Greedy takes the 0.9 pair and is left with 0.1 (below the floor):
        // total 0.9. Optimal pairs 0.8 + 0.8 = 1.6.
        let sim = vec![vec![0.9, 0.8], vec![0.8, 0.1]];
        assert_eq!(greedy(&sim, 0.3), vec![Some(0), None]);
        let best = optimal(&sim, 0.3);
        assert_eq!(best, vec![Some(1), Some(0)]);
        assert!((total(&sim, &best) - 1.6).abs() < 1e-12);
    }

    #[test]
    fn optimal_beats_greedy_on_three_by_three() {
        let sim = vec![
            vec![0.95, 0.90, 0.0],
            vec![0.90, 0.0, 0.85],
            vec![0.0, 0.6, 0.9],
        ];
        let g = greedy(&sim, 0.5);
        let o = optimal(&sim, 0.5);
        // Greedy: (0,0) 0.95, (2,2) 0.9, row 1 has nothing left: 1.85.
        assert!((total(&sim, &g) - 1.85).abs() < 1e-12);
        // Optimal: (0,1) 0.9 + (1,0) 0.9 + (2,2) 0.9 = 2.7.
        assert_eq!(o, vec![Some(1), Some(0), Some(2)]);
    }

    #[test]
    fn pairs_below_the_floor_are_never_matched() {
        // Pairing (0,1) and (1,0) would total 0.75 > 0.7, but 0.45 and 0.3
        // are below the floor; the one eligible pair is taken alone.
        let sim = vec![vec![0.7, 0.45], vec![0.3, 0.0]];
        assert_eq!(optimal(&sim, 0.5), vec![Some(0), None]);
        assert_eq!(optimal(&sim, 0.8), vec![None, None]);
    }

    #[test]
    fn rectangular_and_empty() {
        assert_eq!(optimal(&[], 0.5), Vec::<Option<usize>>::new());
        let wide = vec![vec![0.1, 0.6, 0.9]];
        assert_eq!(optimal(&wide, 0.5), vec![Some(2)]);
        let tall = vec![vec![0.6], vec![0.9], vec![0.7]];
        assert_eq!(optimal(&tall, 0.5), vec![None, Some(0), None]);
        let no_cols = vec![Vec::new(), Vec::new()];
        assert_eq!(optimal(&no_cols, 0.5), vec![None, None]);
    }

    /// Brute force over all injective partial matchings.
    fn best_total(sim: &[Vec<f64>], floor: f64) -> f64 {
        fn go(r: usize, sim: &[Vec<f64>], floor: f64, taken: &mut Vec<bool>) -> f64 {
            if r == sim.len() {
                return 0.0;
            }
            let mut best = go(r + 1, sim, floor, taken);
            for c in 0..taken.len() {
                if !taken[c] && sim[r][c] >= floor {
                    taken[c] = true;
                    best = best.max(sim[r][c] + go(r + 1, sim, floor, taken));
                    taken[c] = false;
                }
            }
            best
        }
        let cols = sim.first().map_or(0, Vec::len);
        go(0, sim, floor, &mut vec![false; cols])
    }

    proptest::proptest! {
        #[test]
        fn optimal_matches_brute_force(
            rows in 0usize..5, cols in 0usize..5,
            cells in proptest::collection::vec(0.0f64..1.0, 25),
            floor in 0.05f64..0.9,
        ) {
            let sim: Vec<Vec<f64>> = (0..rows)
                .map(|r| (0..cols).map(|c| cells[r * 5 + c]).collect())
                .collect();
            let m = optimal(&sim, floor);
            let mut seen = std::collections::BTreeSet::new();
            for (r, c) in m.iter().enumerate() {
                if let Some(c) = c {
                    proptest::prop_assert!(sim[r][*c] >= floor);
                    proptest::prop_assert!(seen.insert(*c));
                }
            }
            proptest::prop_assert!((total(&sim, &m) - best_total(&sim, floor)).abs() < 1e-9);
        }
    }
}
