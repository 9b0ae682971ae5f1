//! Spherical k-means (cosine) with k-means++ seeding, deterministic under any thread count.
//!
//! Why spherical k-means: TF-IDF vectors are L2-normalised, so cosine is the
//! natural similarity and centroids are mean directions. Full-batch updates
//! with several k-means++ restarts (keeping the best objective) are steadier
//! than the mini-batch k-means of the Python peer and cheap on sparse data.
//!
//! Determinism: every per-document computation is independent (parallel
//! map, results collected in document order); centroid sums run per cluster
//! over its members in document order, so no float is ever added in an order
//! that depends on how rayon splits the work. Randomness comes from a
//! SplitMix64 stream seeded by the user's seed.
//!
//! Speed without approximation: after the first iterations most documents
//! keep their cluster, so each remembers an upper bound on its cosine to
//! every *other* centroid (Hamerly's bound, on similarities). A centroid
//! that moved by `δ` (L2) changes any unit document's cosine to it by at
//! most `δ`, so the bound grows by the largest movement of the other
//! centroids; a document whose cosine to its own centroid still beats the
//! bound cannot change cluster and is scored against that one centroid
//! only. Its labels, cosines and the fitted centroids are bit-identical to
//! scoring every document against every centroid.

use rayon::prelude::*;

use crate::features::{CHUNK, SparseVec};

/// A small, portable PRNG (SplitMix64): the same stream on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A stream from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_f64() * n as f64) as usize % n.max(1)
    }
}

/// The SplitMix64 finaliser: a strong 64-bit mixer.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// k-means settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KMeansConfig {
    /// Number of clusters.
    pub k: usize,
    /// Seed of the k-means++ draws.
    pub seed: u64,
    /// Restarts; the run with the highest total cosine wins.
    pub n_init: usize,
    /// Iteration cap per restart.
    pub max_iter: usize,
}

/// Centroids scored together in [`Centroids::scores`]: 16 sums are four
/// SSE registers (two AVX ones), few enough to stay in registers.
const BLOCK: usize = 16;

/// Fitted centroids, stored term-major (`dim × k`) so that scoring a sparse
/// document walks its terms once and updates all k scores contiguously.
#[derive(Debug, Clone, PartialEq)]
pub struct Centroids {
    /// Number of clusters.
    pub k: usize,
    /// Vocabulary size.
    pub dim: usize,
    /// `weights[term * k + cluster]`, each centroid L2-normalised.
    pub weights: Vec<f32>,
}

impl Centroids {
    /// Cosine of a document to every centroid.
    ///
    /// Centroids are scored in blocks of 16 whose sums stay in
    /// registers across the document's terms; summing into `out` itself
    /// made every term a load and a store of all k sums. Each sum still
    /// adds the same products in term order, so the result is the same to the bit.
    pub fn scores(&self, doc: &SparseVec, out: &mut [f32]) {
        let k = self.k;
        let mut start = 0;
        for block in out[..k].chunks_mut(BLOCK) {
            let width = block.len();
            let mut acc = [0.0f32; BLOCK];
            if width == BLOCK {
                for (&t, &v) in doc.idx.iter().zip(&doc.val) {
                    let at = t as usize * k + start;
                    let row: &[f32; BLOCK] = self.weights[at..at + BLOCK]
                        .try_into()
                        .expect("a full block");
                    for (a, w) in acc.iter_mut().zip(row) {
                        *a += v * w;
                    }
                }
            } else {
                for (&t, &v) in doc.idx.iter().zip(&doc.val) {
                    let at = t as usize * k + start;
                    for (a, w) in acc.iter_mut().zip(&self.weights[at..at + width]) {
                        *a += v * w;
                    }
                }
            }
            block.copy_from_slice(&acc[..width]);
            start += width;
        }
    }

    /// Cosine of a document to centroid `c`: the same sum, to the bit, as
    /// `scores(doc)[c]` (the same products added in the same order).
    pub fn score(&self, doc: &SparseVec, c: usize) -> f32 {
        let mut s = 0.0f32;
        for (&t, &v) in doc.idx.iter().zip(&doc.val) {
            s += v * self.weights[t as usize * self.k + c];
        }
        s
    }

    /// Best cluster and its cosine (ties: lowest cluster index).
    pub fn nearest(&self, doc: &SparseVec, scratch: &mut [f32]) -> (u32, f32) {
        self.scores(doc, scratch);
        best_two(scratch).0
    }

    /// One centroid as a dense vector.
    pub fn centroid(&self, c: usize) -> Vec<f32> {
        (0..self.dim)
            .map(|t| self.weights[t * self.k + c])
            .collect()
    }
}

/// (best, second best) as (cluster, score); second is (best, -inf) when k = 1.
pub(crate) fn best_two(scores: &[f32]) -> ((u32, f32), (u32, f32)) {
    let mut best = (0u32, f32::NEG_INFINITY);
    let mut second = (0u32, f32::NEG_INFINITY);
    for (c, &s) in scores.iter().enumerate() {
        if s > best.1 {
            second = best;
            best = (c as u32, s);
        } else if s > second.1 {
            second = (c as u32, s);
        }
    }
    (best, second)
}

/// Assigns every document to its nearest centroid, in parallel over fixed chunks.
pub fn assign(centroids: &Centroids, docs: &[SparseVec]) -> Vec<(u32, f32)> {
    docs.par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut scratch = vec![0.0f32; centroids.k];
            chunk
                .iter()
                .map(|d| centroids.nearest(d, &mut scratch))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Assigns the documents `which` (indices into `docs`) to their nearest
/// centroids, in `which` order.
pub fn assign_some(centroids: &Centroids, docs: &[SparseVec], which: &[usize]) -> Vec<(u32, f32)> {
    which
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut scratch = vec![0.0f32; centroids.k];
            chunk
                .iter()
                .map(|&i| centroids.nearest(&docs[i], &mut scratch))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Slack every bound must be beaten by, beyond the rounding of the two f32
/// dot products compared (at most `terms × ε` each for unit vectors, added
/// per document in [`reassign`]) and of the bounds' own f32 sums: a
/// document that stays is one that full scoring would certainly have left
/// where it was.
const BOUND_SLACK: f32 = 1e-4;

/// First assignment of a fit: every document against every centroid, whose
/// cosines are the first bounds (`k` per document, row-major).
fn assign_bounded(centroids: &Centroids, docs: &[SparseVec]) -> (Vec<(u32, f32)>, Vec<f32>) {
    let k = centroids.k;
    let mut bounds = vec![0.0f32; docs.len() * k];
    let labels = docs
        .par_chunks(CHUNK)
        .zip(bounds.par_chunks_mut(CHUNK * k))
        .flat_map_iter(|(docs, bounds)| {
            docs.iter()
                .zip(bounds.chunks_mut(k))
                .map(|(d, b)| {
                    centroids.scores(d, b);
                    best_two(b).0
                })
                .collect::<Vec<_>>()
        })
        .collect();
    (labels, bounds)
}

/// Reassignment after the centroids moved by `moved` (L2, per centroid).
///
/// `bounds` holds, per document, an upper bound on its cosine to each
/// centroid (Elkan's bounds, on similarities); each grows by its
/// centroid's movement. A document whose cosine to its own centroid beats
/// every other bound stays, scored against its own centroid only; any
/// other is scored against all of them, which renews its bounds. Returns
/// the labels and how many documents stayed.
fn reassign(
    centroids: &Centroids,
    docs: &[SparseVec],
    labels: &[(u32, f32)],
    bounds: &mut [f32],
    moved: &[f64],
) -> (Vec<(u32, f32)>, usize) {
    let k = centroids.k;
    let moved: Vec<f32> = moved.iter().map(|&m| m as f32).collect();
    let (labels, stayed) = docs
        .par_chunks(CHUNK)
        .zip(labels.par_chunks(CHUNK))
        .zip(bounds.par_chunks_mut(CHUNK * k))
        .flat_map_iter(|((docs, labels), bounds)| {
            docs.iter()
                .zip(labels)
                .zip(bounds.chunks_mut(k))
                .map(|((d, &(c, _)), b)| {
                    let c = c as usize;
                    b.iter_mut().zip(&moved).for_each(|(x, m)| *x += m);
                    let own = centroids.score(d, c);
                    let slack = BOUND_SLACK + 4.0 * f32::EPSILON * d.idx.len() as f32;
                    let beats = |x: &f32| own > x + slack;
                    if b[..c].iter().all(beats) && b[c + 1..].iter().all(beats) {
                        return ((c as u32, own), true);
                    }
                    centroids.scores(d, b);
                    (best_two(b).0, false)
                })
                .collect::<Vec<_>>()
        })
        .unzip::<_, _, Vec<_>, Vec<_>>();
    (labels, stayed.iter().filter(|&&s| s).count())
}

/// L2 distance between two sparse centroids (ascending terms).
fn distance(a: &Centre, b: &Centre) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f64);
    while i < a.len() || j < b.len() {
        let d = match (a.get(i), b.get(j)) {
            (Some(&(ta, xa)), Some(&(tb, xb))) if ta == tb => {
                i += 1;
                j += 1;
                xa as f64 - xb as f64
            }
            (Some(&(ta, xa)), Some(&(tb, _))) if ta < tb => {
                i += 1;
                xa as f64
            }
            (Some(&(_, xa)), None) => {
                i += 1;
                xa as f64
            }
            (_, Some(&(_, xb))) => {
                j += 1;
                xb as f64
            }
            (None, None) => unreachable!(),
        };
        sum += d * d;
    }
    sum.sqrt()
}

/// A centroid as its non-zero weights, ascending by term.
type Centre = Vec<(u32, f32)>;

/// Mean direction of each cluster's members; summed per cluster in document order.
///
/// Sparse out: a centroid touches a few thousand of the vocabulary's terms,
/// and k dense f64 sums per iteration were most of the fit's page faults.
fn update(docs: &[SparseVec], labels: &[(u32, f32)], k: usize, dim: usize) -> Vec<Centre> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &(c, _)) in labels.iter().enumerate() {
        members[c as usize].push(i);
    }
    centres_of(docs, &members, dim)
}

/// The mean direction of each group of documents, as fitted centroids: how
/// a clustering found elsewhere (in a latent space) gets centroids over the
/// terms. A group without weight gets a zero centroid, which scores 0.
pub fn mean_directions(docs: &[SparseVec], members: &[Vec<usize>], dim: usize) -> Centroids {
    pack_sparse(&centres_of(docs, members, dim), dim, Vec::new())
}

/// Mean direction of each member list, summed in document order.
fn centres_of(docs: &[SparseVec], members: &[Vec<usize>], dim: usize) -> Vec<Centre> {
    members
        .par_iter()
        .map_init(
            || (vec![0.0f64; dim], Vec::<u32>::new()),
            |(sum, touched), m| {
                for &i in m {
                    for (&t, &v) in docs[i].idx.iter().zip(&docs[i].val) {
                        if sum[t as usize] == 0.0 {
                            touched.push(t);
                        }
                        sum[t as usize] += v as f64;
                    }
                }
                touched.sort_unstable();
                // Ascending term order, zeros skipped: the same sum, to the
                // bit, as over the dense vector.
                let norm = touched
                    .iter()
                    .map(|&t| sum[t as usize] * sum[t as usize])
                    .sum::<f64>()
                    .sqrt();
                let centre = if norm == 0.0 {
                    Vec::new()
                } else {
                    touched
                        .iter()
                        .map(|&t| (t, (sum[t as usize] / norm) as f32))
                        .collect()
                };
                touched.iter().for_each(|&t| sum[t as usize] = 0.0);
                touched.clear();
                centre
            },
        )
        .collect()
}

/// A document's own weights as a centroid.
fn centre_of(doc: &SparseVec) -> Centre {
    doc.idx
        .iter()
        .copied()
        .zip(doc.val.iter().copied())
        .collect()
}

/// Writes sparse centroids into a term-major matrix, reusing its buffer.
fn pack_sparse(centres: &[Centre], dim: usize, mut weights: Vec<f32>) -> Centroids {
    let k = centres.len();
    weights.clear();
    weights.resize(dim * k, 0.0);
    for (c, centre) in centres.iter().enumerate() {
        for &(t, x) in centre {
            weights[t as usize * k + c] = x;
        }
    }
    Centroids { k, dim, weights }
}

fn dot_dense(doc: &SparseVec, dense: &[f32]) -> f32 {
    doc.idx
        .iter()
        .zip(&doc.val)
        .map(|(&t, &v)| v * dense[t as usize])
        .sum()
}

/// k-means++ seeding on cosine distance (1 − cos).
fn seed_plus_plus(docs: &[SparseVec], k: usize, dim: usize, rng: &mut SplitMix64) -> Vec<Centre> {
    seed_plus_plus_from(docs, Vec::new(), k, dim, rng)
}

/// k-means++ seeding that starts from `initial` centres (none: the first
/// is a random document) and adds documents until there are `k`.
fn seed_plus_plus_from(
    docs: &[SparseVec],
    initial: Vec<Centre>,
    k: usize,
    dim: usize,
    rng: &mut SplitMix64,
) -> Vec<Centre> {
    // One dense copy of the newest centre, cleared again after each use.
    let mut dense = vec![0.0f32; dim];
    let mut probe = |centre: &[(u32, f32)], best: &mut [f32], first: bool| {
        for &(t, x) in centre {
            dense[t as usize] = x;
        }
        best.par_iter_mut().zip(docs.par_iter()).for_each(|(b, d)| {
            let s = dot_dense(d, &dense);
            *b = if first { s } else { b.max(s) };
        });
        centre.iter().for_each(|&(t, _)| dense[t as usize] = 0.0);
    };
    let mut best = vec![0.0f32; docs.len()];
    let mut centres = initial;
    if centres.is_empty() {
        let first = centre_of(&docs[rng.below(docs.len())]);
        probe(&first, &mut best, true);
        centres.push(first);
    } else {
        for (i, c) in centres.iter().enumerate() {
            probe(c, &mut best, i == 0);
        }
    }
    while centres.len() < k {
        let weights: Vec<f64> = best.iter().map(|&s| (1.0 - s as f64).max(0.0)).collect();
        let total: f64 = weights.iter().sum();
        let pick = if total <= 0.0 {
            rng.below(docs.len())
        } else {
            let target = rng.next_f64() * total;
            let mut acc = 0.0;
            let mut chosen = docs.len() - 1;
            for (i, w) in weights.iter().enumerate() {
                acc += w;
                if acc > target {
                    chosen = i;
                    break;
                }
            }
            chosen
        };
        let centre = centre_of(&docs[pick]);
        probe(&centre, &mut best, false);
        centres.push(centre);
    }
    centres
}

/// The result of one fit.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Centroids.
    pub centroids: Centroids,
    /// Nearest cluster and cosine per fitted document.
    pub labels: Vec<(u32, f32)>,
    /// Sum of cosines to the own centroid (higher is better).
    pub objective: f64,
}

/// Fits spherical k-means on non-empty, L2-normalised documents (k is
/// capped by their count; the pruning of the reassignment relies on unit length).
///
/// Memory: besides the centroids, `k` f32 bounds per document and restart
/// (25 000 documents × 48 causes: 4.8 MB each).
pub fn fit(docs: &[SparseVec], dim: usize, cfg: &KMeansConfig) -> Fit {
    let k = cfg.k.clamp(1, docs.len().max(1));
    let mut rng = SplitMix64::new(cfg.seed);
    let seeds: Vec<u64> = (0..cfg.n_init.max(1)).map(|_| rng.next_u64()).collect();
    // Restarts side by side (each is also parallel inside); the best is
    // chosen in restart order, so the result does not depend on scheduling.
    let fits: Vec<Fit> = seeds
        .par_iter()
        .map(|&s| fit_once(docs, dim, k, cfg.max_iter, s))
        .collect();
    let mut best: Option<Fit> = None;
    for fit in fits {
        if best.as_ref().is_none_or(|b| fit.objective > b.objective) {
            best = Some(fit);
        }
    }
    best.unwrap_or_else(|| fit_once(docs, dim, k, cfg.max_iter, cfg.seed))
}

/// Fits spherical k-means once, starting from `initial` centres (sparse,
/// ascending terms, L2-normalised: for example known causes' profiles)
/// completed by k-means++ to `k` centres (`k` is raised to the number of
/// initial centres). Unlike [`fit`], a centre that loses all its documents
/// stays empty instead of taking the worst-served document: a known cause
/// absent this week is absent, not replaced by an outlier.
pub fn fit_from(
    docs: &[SparseVec],
    dim: usize,
    initial: Vec<Vec<(u32, f32)>>,
    k: usize,
    max_iter: usize,
    seed: u64,
) -> Fit {
    let k = k
        .max(initial.len())
        .clamp(1, docs.len().max(1).max(initial.len()));
    if docs.is_empty() {
        return Fit {
            centroids: pack_sparse(&vec![Vec::new(); k], dim, Vec::new()),
            labels: Vec::new(),
            objective: 0.0,
        };
    }
    let mut rng = SplitMix64::new(seed);
    let centres = seed_plus_plus_from(docs, initial, k, dim, &mut rng);
    iterate(docs, dim, centres, max_iter, false)
}

fn fit_once(docs: &[SparseVec], dim: usize, k: usize, max_iter: usize, seed: u64) -> Fit {
    let mut rng = SplitMix64::new(seed);
    if docs.is_empty() {
        return Fit {
            centroids: pack_sparse(&vec![Vec::new(); k], dim, Vec::new()),
            labels: Vec::new(),
            objective: 0.0,
        };
    }
    let centres = seed_plus_plus(docs, k, dim, &mut rng);
    iterate(docs, dim, centres, max_iter, true)
}

/// Lloyd iterations (with bounded reassignment) from these centres.
/// `reseed_empty`: an emptied centre takes the worst-served document.
fn iterate(
    docs: &[SparseVec],
    dim: usize,
    mut old_centres: Vec<Centre>,
    max_iter: usize,
    reseed_empty: bool,
) -> Fit {
    let k = old_centres.len();
    let mut centroids = pack_sparse(&old_centres, dim, Vec::new());
    let (mut labels, mut bounds) = assign_bounded(&centroids, docs);
    let mut objective = objective_of(&labels);
    for _ in 0..max_iter {
        let mut centres = update(docs, &labels, k, dim);
        // An empty cluster takes the document worst served by its centroid.
        let mut sizes = vec![0usize; k];
        labels.iter().for_each(|&(c, _)| sizes[c as usize] += 1);
        let mut taken: Vec<usize> = Vec::new();
        for c in 0..k {
            if reseed_empty && sizes[c] == 0 {
                let worst = labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !taken.contains(i))
                    .min_by(|a, b| a.1.1.total_cmp(&b.1.1).then(a.0.cmp(&b.0)))
                    .map(|(i, _)| i);
                if let Some(i) = worst {
                    centres[c] = centre_of(&docs[i]);
                    taken.push(i);
                }
            }
        }
        let moved: Vec<f64> = old_centres
            .iter()
            .zip(&centres)
            .map(|(a, b)| distance(a, b))
            .collect();
        centroids = pack_sparse(&centres, dim, std::mem::take(&mut centroids.weights));
        old_centres = centres;
        let (next, _) = reassign(&centroids, docs, &labels, &mut bounds, &moved);
        let changed = next.iter().zip(&labels).filter(|(a, b)| a.0 != b.0).count();
        labels = next;
        let new_objective = objective_of(&labels);
        let gain = new_objective - objective;
        objective = new_objective;
        // Converged when fewer than 0.1 % of documents move: the tail of
        // k-means moves a handful of border documents for many iterations.
        if changed * 1000 <= docs.len() || gain.abs() < 1e-6 * docs.len() as f64 {
            break;
        }
    }
    Fit {
        centroids,
        labels,
        objective,
    }
}

fn objective_of(labels: &[(u32, f32)]) -> f64 {
    labels.iter().map(|&(_, s)| s as f64).sum()
}

/// Simplified silhouette (Hruschka et al.): per document
/// `(b − a) / max(a, b)` with a, b the cosine distances to the nearest and
/// second-nearest centroid; averaged. Linear in n, unlike the pairwise silhouette.
pub fn simplified_silhouette(centroids: &Centroids, docs: &[SparseVec]) -> f64 {
    if centroids.k < 2 || docs.is_empty() {
        return 0.0;
    }
    let per_chunk: Vec<f64> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = vec![0.0f32; centroids.k];
            chunk
                .iter()
                .map(|d| {
                    centroids.scores(d, &mut scratch);
                    let ((_, s1), (_, s2)) = best_two(&scratch);
                    let (a, b) = (1.0 - s1 as f64, 1.0 - s2 as f64);
                    let m = a.max(b);
                    if m <= 0.0 { 0.0 } else { (b - a) / m }
                })
                .sum::<f64>()
        })
        .collect();
    per_chunk.iter().sum::<f64>() / docs.len() as f64
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn sv(pairs: &[(u32, f32)]) -> SparseVec {
        let norm = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
        SparseVec {
            idx: pairs.iter().map(|p| p.0).collect(),
            val: pairs.iter().map(|p| p.1 / norm).collect(),
        }
    }

    /// Three well-separated topics over terms 0–2, 3–5, 6–8, with noise terms.
    pub(crate) fn topics(n: usize, seed: u64) -> (Vec<SparseVec>, Vec<usize>) {
        let mut rng = SplitMix64::new(seed);
        let mut docs = Vec::new();
        let mut truth = Vec::new();
        for i in 0..n {
            let t = i % 3;
            let base = (t * 3) as u32;
            let mut p = vec![
                (base, 1.0 + rng.next_f64() as f32),
                (base + 1, rng.next_f64() as f32 + 0.2),
                (base + 2, rng.next_f64() as f32),
            ];
            p.push((9 + rng.below(5) as u32, 0.3));
            p.sort_by_key(|x| x.0);
            docs.push(sv(&p));
            truth.push(t);
        }
        (docs, truth)
    }

    #[test]
    fn separated_topics_are_recovered() {
        let (docs, truth) = topics(300, 7);
        let cfg = KMeansConfig {
            k: 3,
            seed: 1,
            n_init: 3,
            max_iter: 50,
        };
        let fit = fit(&docs, 14, &cfg);
        let pred: Vec<usize> = fit.labels.iter().map(|l| l.0 as usize).collect();
        let nmi = crate::metrics::nmi(&truth, &pred);
        assert!(nmi > 0.99, "nmi {nmi}");
    }

    #[test]
    fn same_seed_same_result_any_thread_count() {
        let (docs, _) = topics(20_000, 3);
        let cfg = KMeansConfig {
            k: 5,
            seed: 42,
            n_init: 2,
            max_iter: 20,
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit(&docs, 14, &cfg))
        };
        let (a, b) = (run(1), run(2));
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.centroids, b.centroids);
    }

    /// A unit centre over terms 0..dim from a seeded stream.
    fn random_centre(dim: u32, rng: &mut SplitMix64) -> Centre {
        let mut raw: Vec<(u32, f32)> = Vec::new();
        for t in 0..dim {
            if rng.next_f64() < 0.6 {
                raw.push((t, rng.next_f64() as f32 + 0.01));
            }
        }
        let norm = raw.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
        raw.into_iter().map(|(t, x)| (t, x / norm)).collect()
    }

    #[test]
    fn bounded_reassignment_equals_full_assignment() {
        // Centroids moved by small and large steps: every reassignment must
        // give the labels and cosines of scoring all documents against all
        // centroids, to the bit, however many documents the bounds let stay.
        let (docs, _) = topics(3000, 9);
        let dim = 14;
        for (k, step) in [(3usize, 0.02f64), (5, 0.1), (8, 0.5), (1, 0.3)] {
            let mut rng = SplitMix64::new(k as u64);
            let mut centres: Vec<Centre> = (0..k).map(|_| random_centre(dim, &mut rng)).collect();
            let mut centroids = pack_sparse(&centres, dim as usize, Vec::new());
            let (mut labels, mut bounds) = assign_bounded(&centroids, &docs);
            assert_eq!(labels, assign(&centroids, &docs));
            let (mut stayed, mut rescored) = (0, 0);
            for _ in 0..12 {
                let next: Vec<Centre> = centres
                    .iter()
                    .map(|c| {
                        if rng.next_f64() < step {
                            random_centre(dim, &mut rng)
                        } else {
                            c.clone()
                        }
                    })
                    .collect();
                let moved: Vec<f64> = centres
                    .iter()
                    .zip(&next)
                    .map(|(a, b)| distance(a, b))
                    .collect();
                centres = next;
                centroids = pack_sparse(
                    &centres,
                    dim as usize,
                    std::mem::take(&mut centroids.weights),
                );
                let (bounded, kept) = reassign(&centroids, &docs, &labels, &mut bounds, &moved);
                assert_eq!(bounded, assign(&centroids, &docs), "k {k} step {step}");
                stayed += kept;
                rescored += docs.len() - kept;
                labels = bounded;
            }
            // Both paths were taken: documents kept by their bounds, and
            // documents scored again (when half the centroids jump each
            // round, no bound holds).
            assert!(
                step > 0.4 || stayed > 0,
                "k {k} step {step}: no document stayed"
            );
            assert!(k == 1 || rescored > 0, "k {k} step {step}: none rescored");
        }
    }

    #[test]
    fn centroid_distance_merges_sparse_terms() {
        let a: Centre = vec![(0, 0.6), (2, 0.8)];
        let b: Centre = vec![(1, 1.0)];
        assert!((distance(&a, &b) - 2f64.sqrt()).abs() < 1e-6);
        assert_eq!(distance(&a, &a), 0.0);
        assert!((distance(&a, &Vec::new()) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn blocked_scores_equal_one_centroid_scores() {
        // k = 37: two full blocks of 16 and a remainder of 5.
        let (docs, _) = topics(200, 4);
        let mut rng = SplitMix64::new(3);
        let centres: Vec<Centre> = (0..37).map(|_| random_centre(14, &mut rng)).collect();
        let centroids = pack_sparse(&centres, 14, Vec::new());
        let mut out = vec![0.0f32; 37];
        for d in &docs {
            centroids.scores(d, &mut out);
            for (c, &s) in out.iter().enumerate() {
                assert_eq!(s.to_bits(), centroids.score(d, c).to_bits());
            }
        }
    }

    #[test]
    fn silhouette_prefers_the_true_k() {
        let (docs, _) = topics(600, 11);
        let score = |k| {
            let f = fit(
                &docs,
                14,
                &KMeansConfig {
                    k,
                    seed: 5,
                    n_init: 3,
                    max_iter: 50,
                },
            );
            simplified_silhouette(&f.centroids, &docs)
        };
        let s3 = score(3);
        assert!(s3 > score(2), "k=3 should beat k=2");
        assert!(s3 > score(6), "k=3 should beat k=6");
    }

    #[test]
    fn splitmix_is_stable() {
        let mut r = SplitMix64::new(0);
        let a = r.next_u64();
        let mut r2 = SplitMix64::new(0);
        assert_eq!(a, r2.next_u64());
        assert!((0..1000).all(|_| r.below(7) < 7));
    }
}
