//! Step 9, quality: run-level measurements of the result (cohesion,
//! separation, top-term coherence, outlier and repeat rates, identity-key
//! coverage, typed-class coverage and disagreement).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::classes::Classed;
use super::label::Labelled;
use super::outliers::Causes;
use super::vectorize::TYPED_PREFIX;
use super::{Assignment, MiningMetrics};
use crate::corpus::Corpus;
use crate::features::{CHUNK, Features};
use crate::repeats::RepeatGroup;

/// What the measurements are taken of.
pub(super) struct Found<'a> {
    pub corpus: &'a Corpus,
    pub features: &'a Features,
    pub k_source: &'static str,
    pub k_scores: Vec<(usize, f64)>,
    pub latent_dims: usize,
    pub causes: &'a Causes,
    pub sims: &'a [f32],
    pub labelled: &'a Labelled,
    pub classed: &'a Classed,
    pub unknown_typed_classes: BTreeMap<String, usize>,
    pub groups: &'a [RepeatGroup],
    pub assignments: &'a [Assignment],
    /// Per cause, its typical cases (order indices).
    pub typical: &'a [Vec<usize>],
}

/// The run's metrics (without timings).
pub(super) fn metrics(found: Found<'_>) -> MiningMetrics {
    let Found {
        corpus,
        features,
        k_source,
        k_scores,
        latent_dims,
        causes,
        sims,
        labelled,
        classed,
        unknown_typed_classes,
        groups,
        assignments,
        typical,
    } = found;
    let orders = &corpus.orders;
    let n = orders.len();
    let dim = features.dim();
    let n_causes = causes.members.len();
    let Causes {
        cause,
        dense,
        featureless,
        ..
    } = causes;
    let featureless = *featureless;
    let tops = &labelled.tops;
    let typed = &classed.typed;
    let class_source = classed.source;
    let in_causes: Vec<usize> = (0..n).filter(|&i| cause[i].is_some()).collect();
    let cohesion = if in_causes.is_empty() {
        0.0
    } else {
        in_causes.iter().map(|&i| sims[i] as f64).sum::<f64>() / in_causes.len() as f64
    };
    // Pairs scored in parallel, summed in pair order (deterministic).
    let pair_distances: Vec<f64> = (0..dense.len())
        .into_par_iter()
        .flat_map_iter(|a| {
            let dense = &dense;
            (a + 1..dense.len()).map(move |b| {
                let cos: f32 = dense[a].iter().zip(&dense[b]).map(|(x, y)| x * y).sum();
                1.0 - cos as f64
            })
        })
        .collect();
    let sep: f64 = pair_distances.iter().sum();
    let sep_pairs = pair_distances.len();
    let typed_n = typed.iter().flatten().count();
    let disagree = assignments.iter().filter(|a| a.class_disagrees).count();
    let other_n = n - in_causes.len();
    MiningMetrics {
        orders: n,
        vocab_size: dim,
        k: n_causes,
        k_source: k_source.to_owned(),
        latent_dims,
        k_scores,
        outlier_share: other_n as f64 / n as f64,
        featureless,
        cohesion,
        separation: if sep_pairs == 0 {
            0.0
        } else {
            sep / sep_pairs as f64
        },
        coherence_npmi: coherence(features, tops),
        repeat_rate: groups.iter().filter(|g| g.is_repeat).count() as f64 / n as f64,
        repeat_groups: groups
            .iter()
            .enumerate()
            .filter(|(i, g)| g.leader == *i && g.size > 1)
            .count(),
        repeat_keys: {
            let mut used = BTreeMap::new();
            for (bit, name) in crate::repeats::KEY_SOURCES.iter().enumerate() {
                let count = orders
                    .iter()
                    .filter(|o| o.identity.sources() & (1 << bit) != 0)
                    .count();
                if count > 0 {
                    used.insert((*name).to_owned(), count);
                }
            }
            used
        },
        orders_without_repeat_key: orders.iter().filter(|o| o.identity.is_empty()).count(),
        class_model: class_source.to_owned(),
        typed_coverage: typed_n as f64 / n as f64,
        unknown_typed_classes,
        class_disagreement: if typed_n == 0 {
            0.0
        } else {
            disagree as f64 / typed_n as f64
        },
        label_in_typical_share: label_in_typical(corpus, &labelled.labels, typical, 0.5),
        label_in_some_typical_share: label_in_typical(corpus, &labelled.labels, typical, 0.0),
        timing_s: BTreeMap::new(),
    }
}

/// Share of causes whose label stands verbatim in more than `more_than` of
/// its typical cases (causes without typical cases count as misses).
fn label_in_typical(
    corpus: &Corpus,
    labels: &[String],
    typical: &[Vec<usize>],
    more_than: f64,
) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    let hits = labels
        .iter()
        .zip(typical)
        .filter(|(label, cases)| {
            let found = cases
                .iter()
                .filter(|&&i| corpus.orders[i].text.as_str().contains(label.as_str()))
                .count();
            !cases.is_empty() && found as f64 > more_than * cases.len() as f64
        })
        .count();
    hits as f64 / labels.len() as f64
}

/// Mean NPMI over pairs of each cause's top-10 terms, by document co-occurrence.
fn coherence(features: &Features, tops: &[Vec<(u32, f64)>]) -> f64 {
    let tops: Vec<Vec<u32>> = tops
        .iter()
        .map(|t| {
            t.iter()
                .map(|x| x.0)
                .filter(|&x| !features.terms[x as usize].starts_with(TYPED_PREFIX))
                .take(10)
                .collect()
        })
        .collect();
    let wanted: std::collections::BTreeSet<u32> = tops.iter().flatten().copied().collect();
    // Dense term → slot table: one array lookup per term occurrence.
    let mut slot: Vec<u32> = vec![u32::MAX; features.dim()];
    for (s, &t) in wanted.iter().enumerate() {
        slot[t as usize] = s as u32;
    }
    // Which documents hold each wanted term, as bitsets laid out chunk by
    // chunk (CHUNK documents = CHUNK / 64 words per term and chunk), built in
    // parallel over chunks; a pair's co-occurrence is then a popcount of ANDs.
    const _: () = assert!(CHUNK.is_multiple_of(64), "a chunk is whole bitset words");
    let slots = wanted.len();
    let words = CHUNK / 64;
    let mut bits = vec![0u64; features.counts.len().div_ceil(CHUNK) * slots * words];
    if slots > 0 {
        bits.par_chunks_mut(slots * words)
            .zip(features.counts.par_chunks(CHUNK))
            .for_each(|(block, docs)| {
                for (d, c) in docs.iter().enumerate() {
                    for (t, _) in c {
                        let s = slot[*t as usize];
                        if s != u32::MAX {
                            block[s as usize * words + d / 64] |= 1 << (d % 64);
                        }
                    }
                }
            });
    }
    let count = |a: usize, b: Option<usize>| -> usize {
        bits.chunks(slots * words)
            .map(|block| {
                let x = &block[a * words..(a + 1) * words];
                match b {
                    None => x.iter().map(|w| w.count_ones() as usize).sum::<usize>(),
                    Some(b) => x
                        .iter()
                        .zip(&block[b * words..(b + 1) * words])
                        .map(|(p, q)| (p & q).count_ones() as usize)
                        .sum(),
                }
            })
            .sum()
    };
    let index: BTreeMap<u32, usize> = wanted.iter().enumerate().map(|(s, &t)| (t, s)).collect();
    let df: Vec<usize> = (0..slots).into_par_iter().map(|s| count(s, None)).collect();
    let n = features.counts.len().max(1) as f64;
    // Per cause in parallel, summed in cause order (deterministic).
    let per_cause: Vec<(f64, usize)> = tops
        .par_iter()
        .map(|ids| {
            let mut sum = 0.0;
            let mut pairs = 0usize;
            for a in 0..ids.len() {
                for b in a + 1..ids.len() {
                    let (sa, sb) = (index[&ids[a]], index[&ids[b]]);
                    let both = count(sa, Some(sb));
                    let (da, db) = (df[sa], df[sb]);
                    let npmi = if both == 0 {
                        -1.0
                    } else {
                        let pab = both as f64 / n;
                        let pmi = (pab / ((da as f64 / n) * (db as f64 / n))).ln();
                        if pab >= 1.0 { 1.0 } else { pmi / -pab.ln() }
                    };
                    sum += npmi;
                    pairs += 1;
                }
            }
            (sum, pairs)
        })
        .collect();
    let (sum, pairs) = per_cause
        .iter()
        .fold((0.0, 0), |(s, p), &(cs, cp)| (s + cs, p + cp));
    if pairs == 0 { 0.0 } else { sum / pairs as f64 }
}
