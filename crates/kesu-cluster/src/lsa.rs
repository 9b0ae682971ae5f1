//! Latent semantic analysis: a truncated SVD of the TF-IDF vectors, so that
//! k-means compares orders by the topics their words belong to rather than
//! by the words they happen to share.
//!
//! Why: a long message (several sentences, hundreds of characters) keeps
//! dozens of terms, most of them incidental to what it is about, and two
//! messages on one topic share few of them exactly. In the raw term space
//! every message is nearly orthogonal to every other and k-means follows
//! the incidental words. Projected on the leading singular directions of
//! the term–document matrix, terms that occur together (抢修, 到达, 迟迟)
//! pull in one direction, and the cosine between two messages reflects
//! their topics. Measured on real labelled text (reports/bench/realtext.md),
//! this is what lifts kesu above a plain TF-IDF + k-means on long messages;
//! on short, template-like complaints it changes little.
//!
//! The SVD is the randomised range finder of Halko, Martinsson and Tropp
//! (2011, algorithm 4.4 with one power iteration): a seeded random test
//! matrix, `Q = orth(A Ω)`, one round of `orth(Aᵀ Q)`, `orth(A ·)`, then the
//! exact SVD of the small `Qᵀ A` through the eigen-decomposition of its
//! `l × l` Gram matrix (cyclic Jacobi). Every sum runs in a fixed order,
//! so the projection is the same for any number of threads.

use rayon::prelude::*;

use crate::features::{CHUNK, SparseVec};
use crate::kmeans::SplitMix64;

/// Extra random directions beyond the dimensions kept (Halko et al.'s `p`).
const OVERSAMPLE: usize = 10;

/// A fitted projection of term vectors onto `dims` latent directions.
#[derive(Debug, Clone)]
pub struct Lsa {
    /// Number of latent dimensions.
    pub dims: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// `components[term * dims + j]`: the term's weight in direction `j`
    /// (the right singular vectors), term-major so that projecting a
    /// sparse document walks its terms once.
    components: Vec<f32>,
    /// The singular values, largest first.
    pub singular_values: Vec<f64>,
}

impl Lsa {
    /// Fits `dims` latent directions on L2-normalised sparse documents over
    /// a vocabulary of `vocab` terms. `dims` is capped by the number of
    /// documents and terms; `None` when fewer than two directions remain.
    pub fn fit(docs: &[SparseVec], vocab: usize, dims: usize, seed: u64) -> Option<Lsa> {
        let m = docs.len();
        let dims = dims.min(m.saturating_sub(1)).min(vocab.saturating_sub(1));
        if dims < 2 {
            return None;
        }
        let l = (dims + OVERSAMPLE).min(m).min(vocab);
        // Ω: vocab × l, Rademacher entries (as good as Gaussian for the range finder).
        let mut rng = SplitMix64::new(seed ^ 0x15A_15A);
        let omega: Vec<f64> = (0..vocab * l)
            .map(|_| if rng.next_u64() & 1 == 0 { 1.0 } else { -1.0 })
            .collect();
        let mut q = times(docs, &omega, l); // m × l
        orthonormalise(&mut q, m, l);
        // One power iteration sharpens the spectrum's tail (text spectra decay slowly).
        let mut z = transpose_times(docs, &q, vocab, l); // vocab × l
        orthonormalise(&mut z, vocab, l);
        q = times(docs, &z, l);
        orthonormalise(&mut q, m, l);
        // B = Qᵀ A is l × vocab; we keep Bᵀ = Aᵀ Q (vocab × l).
        let bt = transpose_times(docs, &q, vocab, l);
        // Gram matrix G = B Bᵀ (l × l) = Σ_t bt[t]ᵀ bt[t].
        let gram = gram_of(&bt, vocab, l);
        let (values, vectors) = jacobi_eigen(gram, l);
        let mut order: Vec<usize> = (0..l).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        let kept: Vec<usize> = order
            .into_iter()
            .take(dims)
            .filter(|&j| values[j] > 1e-12)
            .collect();
        if kept.len() < 2 {
            return None;
        }
        let dims = kept.len();
        let singular_values: Vec<f64> = kept.iter().map(|&j| values[j].sqrt()).collect();
        // Right singular vectors: V = Bᵀ U Σ⁻¹, one row per term.
        let components: Vec<f32> = bt
            .par_chunks(l)
            .flat_map_iter(|row| {
                kept.iter()
                    .zip(&singular_values)
                    .map(|(&j, &s)| {
                        let dot: f64 = (0..l).map(|r| row[r] * vectors[r * l + j]).sum();
                        (dot / s) as f32
                    })
                    .collect::<Vec<f32>>()
            })
            .collect();
        Some(Lsa {
            dims,
            vocab,
            components,
            singular_values,
        })
    }

    /// A document's coordinates in the latent space (`X V`, as
    /// scikit-learn's `TruncatedSVD.transform`), L2-normalised and stored
    /// as a dense [`SparseVec`] over `0..dims` so that k-means runs on it
    /// unchanged. A document with no weight there (all its terms outside
    /// the fitted vocabulary's span) gets an empty vector.
    pub fn project(&self, doc: &SparseVec) -> SparseVec {
        let d = self.dims;
        let mut z = vec![0.0f64; d];
        for (&t, &v) in doc.idx.iter().zip(&doc.val) {
            let t = t as usize;
            if t >= self.vocab {
                continue;
            }
            let row = &self.components[t * d..(t + 1) * d];
            for (zj, &c) in z.iter_mut().zip(row) {
                *zj += f64::from(v) * f64::from(c);
            }
        }
        unit(z)
    }

    /// A term-weight profile (sparse, ascending term ids) in the latent
    /// space, L2-normalised: how a known cause's centre enters a fit.
    pub fn project_profile(&self, profile: &[(u32, f32)]) -> Vec<(u32, f32)> {
        let doc = SparseVec {
            idx: profile.iter().map(|p| p.0).collect(),
            val: profile.iter().map(|p| p.1).collect(),
        };
        let z = self.project(&doc);
        z.idx.into_iter().zip(z.val).collect()
    }
}

/// Dense f64 coordinates to an L2-normalised dense [`SparseVec`].
fn unit(z: Vec<f64>) -> SparseVec {
    let norm = z.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm <= 1e-12 {
        return SparseVec::default();
    }
    SparseVec {
        idx: (0..z.len() as u32).collect(),
        val: z.iter().map(|&x| (x / norm) as f32).collect(),
    }
}

/// `A · W` for sparse rows `A` (m × vocab) and dense `W` (vocab × l,
/// row-major): m × l, row-major. Rows are independent.
fn times(docs: &[SparseVec], w: &[f64], l: usize) -> Vec<f64> {
    docs.par_iter()
        .flat_map_iter(|doc| {
            let mut row = vec![0.0f64; l];
            for (&t, &v) in doc.idx.iter().zip(&doc.val) {
                let wt = &w[t as usize * l..(t as usize + 1) * l];
                for (r, &x) in row.iter_mut().zip(wt) {
                    *r += f64::from(v) * x;
                }
            }
            row
        })
        .collect()
}

/// `Aᵀ · Q` for sparse rows `A` (m × vocab) and dense `Q` (m × l): vocab × l.
/// Fixed chunks of documents are summed on their own and the partial sums
/// added in chunk order, so the result does not depend on the thread count.
fn transpose_times(docs: &[SparseVec], q: &[f64], vocab: usize, l: usize) -> Vec<f64> {
    let partials: Vec<Vec<f64>> = docs
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut out = vec![0.0f64; vocab * l];
            for (i, doc) in chunk.iter().enumerate() {
                let qi = &q[(c * CHUNK + i) * l..(c * CHUNK + i + 1) * l];
                for (&t, &v) in doc.idx.iter().zip(&doc.val) {
                    let o = &mut out[t as usize * l..(t as usize + 1) * l];
                    for (x, &y) in o.iter_mut().zip(qi) {
                        *x += f64::from(v) * y;
                    }
                }
            }
            out
        })
        .collect();
    let mut it = partials.into_iter();
    let mut sum = it.next().unwrap_or_else(|| vec![0.0; vocab * l]);
    for p in it {
        for (s, x) in sum.iter_mut().zip(p) {
            *s += x;
        }
    }
    sum
}

/// Orthonormalises the `l` columns of a row-major `rows × l` matrix in place
/// (modified Gram–Schmidt, twice for stability). A column that vanishes
/// (rank deficiency) is left at zero.
fn orthonormalise(a: &mut [f64], rows: usize, l: usize) {
    // Column-major for the sweeps: each dot product and update then reads
    // one contiguous column instead of striding through the rows.
    let mut cols: Vec<Vec<f64>> = (0..l)
        .map(|j| (0..rows).map(|r| a[r * l + j]).collect())
        .collect();
    for _pass in 0..2 {
        for j in 0..l {
            let (done, rest) = cols.split_at_mut(j);
            let cj = &mut rest[0];
            for ci in done.iter() {
                let dot: f64 = ci.iter().zip(cj.iter()).map(|(x, y)| x * y).sum();
                for (y, x) in cj.iter_mut().zip(ci) {
                    *y -= dot * x;
                }
            }
            let norm = cj.iter().map(|x| x * x).sum::<f64>().sqrt();
            let scale = if norm > 1e-12 { 1.0 / norm } else { 0.0 };
            cj.iter_mut().for_each(|x| *x *= scale);
        }
    }
    for (j, c) in cols.iter().enumerate() {
        for (r, &x) in c.iter().enumerate() {
            a[r * l + j] = x;
        }
    }
}

/// `Bᵀᵀ Bᵀ` of a row-major `rows × l` matrix: l × l, row-major.
fn gram_of(bt: &[f64], rows: usize, l: usize) -> Vec<f64> {
    let mut g = vec![0.0f64; l * l];
    for r in 0..rows {
        let row = &bt[r * l..(r + 1) * l];
        for i in 0..l {
            let x = row[i];
            if x == 0.0 {
                continue;
            }
            for j in i..l {
                g[i * l + j] += x * row[j];
            }
        }
    }
    for i in 0..l {
        for j in 0..i {
            g[i * l + j] = g[j * l + i];
        }
    }
    g
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix)
/// of a symmetric `n × n` matrix, by cyclic Jacobi rotations.
fn jacobi_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        let scale: f64 = (0..n)
            .map(|i| a[i * n + i].powi(2))
            .sum::<f64>()
            .max(1e-300);
        if off <= 1e-22 * scale {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit_sparse(pairs: &[(u32, f32)]) -> SparseVec {
        let norm = pairs.iter().map(|p| p.1 * p.1).sum::<f32>().sqrt();
        SparseVec {
            idx: pairs.iter().map(|p| p.0).collect(),
            val: pairs.iter().map(|p| p.1 / norm).collect(),
        }
    }

    #[test]
    fn jacobi_recovers_a_known_spectrum() {
        // [[2,1],[1,2]] has eigenvalues 1 and 3.
        let (mut values, _) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-12, "{values:?}");
        assert!((values[1] - 3.0).abs() < 1e-12, "{values:?}");
    }

    #[test]
    fn singular_values_match_an_exact_rank_two_matrix() {
        // Rows are (1,0,0,0) ×3 and (0,1,1,0)/√2 ×2: AᵀA has eigenvalues
        // 3 and 2 (and zeros), so the singular values are √3 and √2.
        let mut docs = vec![unit_sparse(&[(0, 1.0)]); 3];
        docs.extend(vec![unit_sparse(&[(1, 1.0), (2, 1.0)]); 2]);
        let lsa = Lsa::fit(&docs, 4, 3, 7).unwrap();
        assert_eq!(lsa.dims, 2, "the zero direction is dropped");
        assert!((lsa.singular_values[0] - 3f64.sqrt()).abs() < 1e-6);
        assert!((lsa.singular_values[1] - 2f64.sqrt()).abs() < 1e-6);
    }

    #[test]
    fn co_occurring_terms_bring_documents_without_shared_words_together() {
        // Topic A uses terms 0,1,2 in pairs; topic B terms 3,4,5. Documents
        // (0,1) and (1,2)... share words; (0,?) and (2,?) never do, but the
        // latent space puts every topic-A document near every other one.
        let mut docs = Vec::new();
        for _ in 0..20 {
            docs.push(unit_sparse(&[(0, 1.0), (1, 1.0)]));
            docs.push(unit_sparse(&[(1, 1.0), (2, 1.0)]));
            docs.push(unit_sparse(&[(3, 1.0), (4, 1.0)]));
            docs.push(unit_sparse(&[(4, 1.0), (5, 1.0)]));
        }
        let lsa = Lsa::fit(&docs, 6, 2, 1).unwrap();
        let a0 = lsa.project(&unit_sparse(&[(0, 1.0)]));
        let a2 = lsa.project(&unit_sparse(&[(2, 1.0)]));
        let b3 = lsa.project(&unit_sparse(&[(3, 1.0)]));
        assert!(a0.dot(&a2) > 0.99, "{}", a0.dot(&a2));
        assert!(a0.dot(&b3).abs() < 0.01, "{}", a0.dot(&b3));
        // Raw term vectors of terms 0 and 2 are orthogonal.
        assert_eq!(unit_sparse(&[(0, 1.0)]).dot(&unit_sparse(&[(2, 1.0)])), 0.0);
    }

    #[test]
    fn projection_is_unit_length_and_deterministic() {
        let (docs, _) = crate::kmeans::tests::topics(400, 3);
        let vocab = docs
            .iter()
            .flat_map(|d| d.idx.iter().copied())
            .max()
            .unwrap() as usize
            + 1;
        let a = Lsa::fit(&docs, vocab, 8, 5).unwrap();
        let b = Lsa::fit(&docs, vocab, 8, 5).unwrap();
        assert_eq!(a.components, b.components);
        let z = a.project(&docs[0]);
        assert_eq!(z.idx.len(), a.dims);
        let norm: f32 = z.val.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!(a.project(&SparseVec::default()).is_empty());
    }

    #[test]
    fn too_few_documents_or_terms_give_no_projection() {
        let docs = vec![unit_sparse(&[(0, 1.0)]), unit_sparse(&[(1, 1.0)])];
        assert!(Lsa::fit(&docs, 2, 10, 1).is_none());
        assert!(Lsa::fit(&[], 10, 10, 1).is_none());
    }
}
