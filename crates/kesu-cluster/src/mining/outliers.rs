//! Step 3, outliers: the "other" bucket (orders without kept terms, then the
//! least similar below the threshold, capped at `max_other`), and the
//! remaining clusters renumbered as causes by decreasing size.

use rayon::prelude::*;

use super::MiningConfig;
use crate::features::Features;
use crate::kmeans::Centroids;

/// The causes after the other bucket is taken out.
pub(super) struct Causes {
    /// Per order, its cause (0-based rank by size), None for other.
    pub cause: Vec<Option<usize>>,
    /// Per cause, its orders in input order.
    pub members: Vec<Vec<usize>>,
    /// Per cause, its dense centroid.
    pub dense: Vec<Vec<f32>>,
    /// Orders without any kept term.
    pub featureless: usize,
}

/// Takes the outliers out of the nearest-centroid assignment and ranks the
/// clusters that keep orders.
pub(super) fn split(
    features: &Features,
    nonempty: &[usize],
    centroids: &Centroids,
    nearest: &[(u32, f32)],
    cfg: &MiningConfig,
) -> Causes {
    let n = nearest.len();
    // Outliers: featureless orders, then the least similar below the threshold, capped.
    let cap = (cfg.max_other * n as f64).floor() as usize;
    let featureless = n - nonempty.len();
    let mut weak: Vec<usize> = nonempty
        .iter()
        .copied()
        .filter(|&i| nearest[i].1 < cfg.min_similarity)
        .collect();
    weak.sort_by(|&a, &b| nearest[a].1.total_cmp(&nearest[b].1).then(a.cmp(&b)));
    weak.truncate(cap.saturating_sub(featureless));
    let mut cluster: Vec<Option<usize>> = nearest.iter().map(|&(c, _)| Some(c as usize)).collect();
    for &i in &weak {
        cluster[i] = None;
    }
    for (i, c) in cluster.iter_mut().enumerate() {
        if features.docs[i].is_empty() {
            *c = None;
        }
    }
    // Renumber clusters by decreasing size (ties: lower fitted index).
    let mut sizes = vec![0usize; centroids.k];
    cluster.iter().flatten().for_each(|&c| sizes[c] += 1);
    let mut order: Vec<usize> = (0..centroids.k).filter(|&c| sizes[c] > 0).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut rank = vec![usize::MAX; centroids.k];
    for (r, &c) in order.iter().enumerate() {
        rank[c] = r;
    }
    let cause: Vec<Option<usize>> = cluster.iter().map(|c| c.map(|c| rank[c])).collect();
    let dense: Vec<Vec<f32>> = order.par_iter().map(|&c| centroids.centroid(c)).collect();
    let n_causes = order.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_causes];
    for (i, c) in cause.iter().enumerate() {
        if let Some(c) = c {
            members[*c].push(i);
        }
    }
    Causes {
        cause,
        members,
        dense,
        featureless,
    }
}
