//! Step 7, repeat groups: repeat complaints of one customer within the day
//! window (MinHash within identity blocks, [`crate::repeats`]), where two
//! orders count as the same matter by TF-IDF cosine, more leniently when
//! they fall in the same or near causes.

use super::MiningConfig;
use crate::corpus::Corpus;
use crate::features::Features;
use crate::repeats::{self, RepeatConfig, RepeatGroup, RepeatInput};

/// TF-IDF cosine above which two orders of one customer are the same matter.
const REPEAT_MIN_COSINE: f32 = 0.5;
/// Lower cosine that suffices when both orders fall in the same root cause
/// or in two near ones (see `REPEAT_NEAR_CAUSE_COSINE`).
const REPEAT_SAME_CAUSE_COSINE: f32 = 0.1;
/// Centroid cosine from which two root causes count as near for repeats.
/// Measured on `kesu synth --n 3000 --seed 7 --with-truth` (repeat F1 with
/// customer columns / identity only in the text): same cause only 0.892 /
/// 0.862; 0.6: 0.897 / 0.862; 0.4: 0.953 / 0.922; 0.3: 0.970 / 0.937, with
/// precision ≥ 0.99 throughout. 0.4 rather than 0.3 because synthetic
/// customers never complain twice about different matters, so precision
/// there says little about real exports.
const REPEAT_NEAR_CAUSE_COSINE: f32 = 0.4;

/// Which causes are near each other, a `dense.len()`² matrix row by row
/// (a cause is near itself).
pub(super) fn near_causes(dense: &[Vec<f32>]) -> Vec<bool> {
    // Causes whose centroids are close: k-means often splits one matter in
    // two, and a repeat worded by another operator lands in the sibling.
    (0..dense.len() * dense.len())
        .map(|x| {
            let (a, b) = (x / dense.len(), x % dense.len());
            a == b
                || dense[a]
                    .iter()
                    .zip(&dense[b])
                    .map(|(p, q)| p * q)
                    .sum::<f32>()
                    >= REPEAT_NEAR_CAUSE_COSINE
        })
        .collect()
}

/// The repeat group of every order, in input order.
pub(super) fn detect(
    corpus: &Corpus,
    features: &Features,
    cause: &[Option<usize>],
    near_causes: &[bool],
    n_causes: usize,
    cfg: &MiningConfig,
) -> Vec<RepeatGroup> {
    let inputs: Vec<RepeatInput<'_>> = corpus
        .orders
        .iter()
        .map(|o| RepeatInput {
            text: o.text.as_str(),
            received_at: o.received_at,
            identity: o.identity,
        })
        .collect();
    let related = |i: usize, j: usize| {
        let cos = features.docs[i].dot(&features.docs[j]);
        cos >= REPEAT_MIN_COSINE
            || (match (cause[i], cause[j]) {
                (Some(a), Some(b)) => near_causes[a * n_causes + b],
                _ => false,
            } && cos >= REPEAT_SAME_CAUSE_COSINE)
    };
    repeats::detect(
        &inputs,
        &RepeatConfig {
            window_days: cfg.window_days,
            min_jaccard: cfg.repeat_min_jaccard,
        },
        &related,
    )
}
