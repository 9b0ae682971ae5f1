//! Step 2, fit: choose k (fixed, or the silhouette knee on a sample), fit
//! spherical k-means on a seeded sample of the orders that have terms, and
//! score every other order against the fitted centroids.

use rayon::prelude::*;

use super::{KChoice, MiningConfig};
use crate::features::{Features, SparseVec};
use crate::kmeans::{self, Centroids, KMeansConfig, SplitMix64};
use crate::lsa::Lsa;
use crate::{Error, Result};

/// The orders with at least one kept term; an error when fewer than two,
/// since there is then nothing to cluster.
pub(super) fn nonempty(features: &Features) -> Result<Vec<usize>> {
    let n = features.docs.len();
    let nonempty: Vec<usize> = (0..n).filter(|&i| !features.docs[i].is_empty()).collect();
    if nonempty.len() < 2 {
        return Err(Error::Input(
            "fewer than two orders have recurring terms: nothing to cluster".to_owned(),
        ));
    }
    Ok(nonempty)
}

/// The number of clusters, where it came from ("fixed" or "auto") and the
/// silhouette per candidate k (auto only).
pub(super) fn pick_k(
    features: &Features,
    nonempty: &[usize],
    cfg: &MiningConfig,
) -> (usize, &'static str, Vec<(usize, f64)>) {
    match cfg.k {
        KChoice::Fixed(k) => (k, "fixed", Vec::new()),
        KChoice::Auto => {
            let docs: Vec<SparseVec> = nonempty.iter().map(|&i| features.docs[i].clone()).collect();
            let (k, s) = choose_k(&docs, features.dim(), cfg);
            (k, "auto", s)
        }
    }
}

/// Fits k-means with `k` clusters and returns the centroids and, per order,
/// its nearest centroid and the cosine to it.
pub(super) fn fit_and_assign(
    features: &Features,
    nonempty: &[usize],
    k: usize,
    cfg: &MiningConfig,
) -> (Centroids, Vec<(u32, f32)>, usize) {
    let n = features.docs.len();
    let dim = features.dim();
    let fit_idx: Vec<usize> = sample(nonempty.len(), cfg.fit_sample, cfg.seed)
        .into_iter()
        .map(|i| nonempty[i])
        .collect();
    let fit_docs: Vec<SparseVec> = fit_idx.iter().map(|&i| features.docs[i].clone()).collect();
    let priors = prior_centres(features, &cfg.prior_causes);
    if cfg.lsa_dims > 0 && median_terms(&fit_docs) >= cfg.lsa_min_terms {
        let dims = cfg.lsa_dims.max(k + 10);
        if let Some(lsa) = Lsa::fit(&fit_docs, dim, dims, cfg.seed) {
            drop(fit_docs);
            let (centroids, nearest) =
                fit_latent(features, nonempty, &fit_idx, &lsa, priors, k, cfg);
            return (centroids, nearest, lsa.dims);
        }
    }
    let fit = if priors.is_empty() {
        kmeans::fit(
            &fit_docs,
            dim,
            &KMeansConfig {
                k,
                seed: cfg.seed,
                n_init: cfg.n_init,
                max_iter: 40,
            },
        )
    } else {
        // One run from the known causes: restarts would be judged by the
        // objective alone and could trade the known clusters for another
        // partition that is barely better but different every week.
        kmeans::fit_from(&fit_docs, dim, priors, k, 40, cfg.seed)
    };
    drop(fit_docs);
    let centroids: Centroids = fit.centroids;
    // The fit's last step assigned its documents to these very centroids;
    // only the orders outside the fit sample are left to score.
    let mut nearest: Vec<(u32, f32)> = vec![(0, 0.0); n];
    let mut in_fit = vec![false; n];
    for (&i, &label) in fit_idx.iter().zip(&fit.labels) {
        nearest[i] = label;
        in_fit[i] = true;
    }
    let rest: Vec<usize> = (0..n).filter(|&i| !in_fit[i]).collect();
    for (&i, label) in rest
        .iter()
        .zip(kmeans::assign_some(&centroids, &features.docs, &rest))
    {
        nearest[i] = label;
    }
    (centroids, nearest, 0)
}

/// The median number of distinct terms of the documents (0 when none).
fn median_terms(docs: &[SparseVec]) -> usize {
    let mut n: Vec<usize> = docs.iter().map(|d| d.idx.len()).collect();
    n.sort_unstable();
    n.get(n.len() / 2).copied().unwrap_or(0)
}

/// k-means in the latent space of `lsa`, fitted on the sample `fit_idx`;
/// every order with terms is then assigned to its nearest latent centroid.
/// What leaves this step is in term space, as for a raw fit: each cluster's
/// centroid is the mean direction of its members' TF-IDF vectors (labels,
/// profiles and the registry read terms), and an order's score is its
/// cosine to its own cluster's term centroid (the outlier threshold and
/// typical cases keep their meaning). An order whose terms have no weight
/// in the latent space takes its nearest term centroid.
fn fit_latent(
    features: &Features,
    nonempty: &[usize],
    fit_idx: &[usize],
    lsa: &Lsa,
    priors: Vec<Vec<(u32, f32)>>,
    k: usize,
    cfg: &MiningConfig,
) -> (Centroids, Vec<(u32, f32)>) {
    let n = features.docs.len();
    let latent: Vec<SparseVec> = fit_idx
        .par_iter()
        .map(|&i| lsa.project(&features.docs[i]))
        .filter(|z| !z.is_empty())
        .collect();
    let latent_priors: Vec<Vec<(u32, f32)>> = priors
        .iter()
        .map(|p| lsa.project_profile(p))
        .filter(|p| !p.is_empty())
        .collect();
    let fit = if latent_priors.is_empty() {
        kmeans::fit(
            &latent,
            lsa.dims,
            &KMeansConfig {
                k,
                seed: cfg.seed,
                n_init: cfg.n_init,
                max_iter: 40,
            },
        )
    } else {
        // As in the raw fit: one run from the known causes.
        kmeans::fit_from(&latent, lsa.dims, latent_priors, k, 40, cfg.seed)
    };
    drop(latent);
    let k = fit.centroids.k;
    // Latent cluster of every order with terms (None: no latent weight).
    let cluster: Vec<Option<u32>> = nonempty
        .par_iter()
        .map_init(
            || vec![0.0f32; k],
            |scratch, &i| {
                let z = lsa.project(&features.docs[i]);
                (!z.is_empty()).then(|| fit.centroids.nearest(&z, scratch).0)
            },
        )
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (&i, c) in nonempty.iter().zip(&cluster) {
        if let Some(c) = c {
            members[*c as usize].push(i);
        }
    }
    let centroids = kmeans::mean_directions(&features.docs, &members, features.dim());
    let mut nearest: Vec<(u32, f32)> = vec![(0, 0.0); n];
    let scored: Vec<(u32, f32)> = nonempty
        .par_iter()
        .zip(&cluster)
        .map_init(
            || vec![0.0f32; k],
            |scratch, (&i, c)| match c {
                Some(c) => (*c, centroids.score(&features.docs[i], *c as usize)),
                None => centroids.nearest(&features.docs[i], scratch),
            },
        )
        .collect();
    for (&i, s) in nonempty.iter().zip(scored) {
        nearest[i] = s;
    }
    (centroids, nearest)
}

/// Known causes' term profiles in this run's vocabulary: terms it does not
/// have are dropped, the rest L2-normalised; a profile left empty is
/// skipped.
fn prior_centres(features: &Features, priors: &[Vec<(String, f64)>]) -> Vec<Vec<(u32, f32)>> {
    if priors.is_empty() {
        return Vec::new();
    }
    let ids: rustc_hash::FxHashMap<&str, u32> = features
        .terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .collect();
    priors
        .iter()
        .filter_map(|profile| {
            let mut centre: Vec<(u32, f32)> = profile
                .iter()
                .filter_map(|(t, w)| ids.get(t.as_str()).map(|&i| (i, *w as f32)))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            centre.sort_unstable_by_key(|&(i, _)| i);
            centre.dedup_by_key(|&mut (i, _)| i);
            let norm = centre
                .iter()
                .map(|&(_, w)| f64::from(w) * f64::from(w))
                .sum::<f64>()
                .sqrt();
            (norm > 0.0).then(|| {
                centre
                    .into_iter()
                    .map(|(i, w)| (i, (f64::from(w) / norm) as f32))
                    .collect()
            })
        })
        .collect()
}

/// Deterministic sample of `m` indices out of `0..n`, ascending.
fn sample(n: usize, m: usize, seed: u64) -> Vec<usize> {
    if m >= n {
        return (0..n).collect();
    }
    let mut idx: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed ^ 0xA5A5);
    for i in 0..m {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    idx.truncate(m);
    idx.sort_unstable();
    idx
}

fn choose_k(docs: &[SparseVec], dim: usize, cfg: &MiningConfig) -> (usize, Vec<(usize, f64)>) {
    let idx = sample(docs.len(), 3000, cfg.seed);
    let s: Vec<SparseVec> = idx.iter().map(|&i| docs[i].clone()).collect();
    // Every k up to 10, then a coarser grid up to 60 (at least 20 orders per cause).
    let hi = 60.min(s.len() / 20).max(2);
    let grid: Vec<usize> = (2..=10)
        .chain((12..=30).step_by(2))
        .chain((35..=60).step_by(5))
        .filter(|&k| k <= hi)
        .collect();
    // One fit per k, side by side: a 3 000-order fit is a single chunk, so
    // nothing inside it runs in parallel. Each fit is seeded alone, so the
    // scores do not depend on the order the fits run in.
    let scores: Vec<(usize, f64)> = grid
        .into_par_iter()
        .map(|k| {
            let fit = kmeans::fit(
                &s,
                dim,
                &KMeansConfig {
                    k,
                    seed: cfg.seed,
                    n_init: 1,
                    max_iter: 20,
                },
            );
            (k, kmeans::simplified_silhouette(&fit.centroids, &s))
        })
        .collect();
    // On template-like complaint text the silhouette keeps creeping up with
    // k (every phrasing wants its own cluster); take the knee instead of the
    // maximum: the smallest k within 10 % of the best score.
    let top = scores.iter().map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
    let best = scores
        .iter()
        .find(|x| x.1 >= 0.9 * top)
        .map(|x| x.0)
        .unwrap_or(2);
    (best, scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_deterministic_and_sorted() {
        let a = sample(1000, 10, 3);
        assert_eq!(a, sample(1000, 10, 3));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(5, 10, 3), vec![0, 1, 2, 3, 4]);
    }
}
