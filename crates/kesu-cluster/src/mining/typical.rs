//! Step 6b, typical cases: per cause, central and mutually different members
//! (maximal marginal relevance) an auditor can open.

use rayon::prelude::*;

use crate::features::SparseVec;

/// Per cause, the indices of its typical cases, most typical first.
pub(super) fn typical_cases(
    members: &[Vec<usize>],
    sims: &[f32],
    docs: &[SparseVec],
    n: usize,
) -> Vec<Vec<usize>> {
    members
        .par_iter()
        .map(|m| typical_of(m, sims, docs, n))
        .collect()
}

/// Central and diverse members (maximal marginal relevance, λ = 0.7).
fn typical_of(members: &[usize], sims: &[f32], docs: &[SparseVec], n: usize) -> Vec<usize> {
    let mut cand: Vec<usize> = members.to_vec();
    cand.sort_by(|&a, &b| sims[b].total_cmp(&sims[a]).then(a.cmp(&b)));
    cand.truncate(200);
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < n && !cand.is_empty() {
        let mut best: Option<(usize, f32)> = None;
        for (pos, &i) in cand.iter().enumerate() {
            let redundancy = chosen
                .iter()
                .map(|&j| docs[i].dot(&docs[j]))
                .fold(0.0f32, f32::max);
            // Near-paraphrases of a chosen case are never shown twice.
            if redundancy > 0.9 && chosen.len() + cand.len() > n {
                continue;
            }
            let score = 0.7 * sims[i] - 0.3 * redundancy;
            if best.is_none_or(|b| score > b.1) {
                best = Some((pos, score));
            }
        }
        match best {
            Some((pos, _)) => chosen.push(cand.remove(pos)),
            None => break,
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_cases_are_central_but_not_paraphrases() {
        let v = |pairs: &[(u32, f32)]| {
            let n = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
            SparseVec {
                idx: pairs.iter().map(|p| p.0).collect(),
                val: pairs.iter().map(|p| p.1 / n).collect(),
            }
        };
        // Three copies of the most central case, then two different ones.
        let docs = vec![
            v(&[(0, 1.0), (1, 1.0)]),
            v(&[(0, 1.0), (1, 1.0)]),
            v(&[(0, 1.0), (1, 1.0)]),
            v(&[(0, 1.0), (2, 1.0)]),
            v(&[(1, 1.0), (3, 1.0)]),
        ];
        let sims = [0.95, 0.95, 0.95, 0.7, 0.6];
        let chosen = typical_of(&[0, 1, 2, 3, 4], &sims, &docs, 3);
        assert_eq!(chosen, vec![0, 3, 4]);
    }
}
