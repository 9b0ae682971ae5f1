//! Sparse TF-IDF document vectors over segmented terms (sublinear tf, smooth idf, L2).
//!
//! Boilerplate removal is statistical: a term in more than `max_df` of the
//! documents ("客户来电反映", "要求") carries no root cause, and a term in fewer
//! than `min_df` documents cannot recur. The vocabulary is sorted, so term ids
//! (and everything downstream) do not depend on thread scheduling.

use rustc_hash::FxHashMap;

use rayon::prelude::*;

/// Documents per parallel chunk: fixed, so results never depend on the thread count.
pub(crate) const CHUNK: usize = 4096;

/// Feature extraction settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureConfig {
    /// Smallest number of documents a term must occur in.
    pub min_df: u32,
    /// Largest share of documents a term may occur in (boilerplate above it).
    pub max_df: f64,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            min_df: 2,
            max_df: 0.4,
        }
    }
}

/// A sparse, L2-normalised document vector with ascending term ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// Term ids, ascending.
    pub idx: Vec<u32>,
    /// Weights, same length as `idx`.
    pub val: Vec<f32>,
}

impl SparseVec {
    /// Whether the document kept no term.
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }

    /// Cosine of two L2-normalised sparse vectors (merge of sorted ids).
    pub fn dot(&self, other: &SparseVec) -> f32 {
        let (mut i, mut j, mut s) = (0, 0, 0.0f32);
        while i < self.idx.len() && j < other.idx.len() {
            match self.idx[i].cmp(&other.idx[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += self.val[i] * other.val[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }
}

/// The vocabulary and TF-IDF vectors of a corpus.
#[derive(Debug, Clone)]
pub struct Features {
    /// Kept terms, sorted; a term's id is its position.
    pub terms: Vec<String>,
    /// Document frequency per term id.
    pub df: Vec<u32>,
    /// One vector per document (empty when no term survived).
    pub docs: Vec<SparseVec>,
    /// Raw term counts per document, over kept terms (for c-TF-IDF and cue-term labels).
    pub counts: Vec<Vec<(u32, u32)>>,
}

impl Features {
    /// Number of kept terms.
    pub fn dim(&self) -> usize {
        self.terms.len()
    }

    /// The id of a term, if kept.
    pub fn term_id(&self, term: &str) -> Option<u32> {
        self.terms
            .binary_search_by(|t| t.as_str().cmp(term))
            .ok()
            .map(|i| i as u32)
    }
}

/// Builds TF-IDF vectors from segmented documents (term text).
pub fn tfidf<S: AsRef<str> + Sync>(docs: &[Vec<S>], cfg: &FeatureConfig) -> Features {
    let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut lexicon: Vec<&str> = Vec::new();
    let docs: Vec<Vec<u32>> = docs
        .iter()
        .map(|d| {
            d.iter()
                .map(|t| {
                    let t = t.as_ref();
                    *ids.entry(t).or_insert_with(|| {
                        lexicon.push(t);
                        lexicon.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    tfidf_from(docs.len(), &lexicon, cfg, |i, out| {
        out.extend_from_slice(&docs[i])
    })
}

/// Builds TF-IDF vectors for `n` documents whose term ids (into `lexicon`,
/// any order, repeats counted) `fill(i, out)` appends to `out`.
///
/// Document frequencies are dense per-thread counters summed at the end
/// (integer sums: the merge order cannot change them); the kept vocabulary
/// is sorted by text, so the ids `lexicon` happened to use do not matter.
pub fn tfidf_from<S, F>(n: usize, lexicon: &[S], cfg: &FeatureConfig, fill: F) -> Features
where
    S: AsRef<str> + Sync,
    F: Fn(usize, &mut Vec<u32>) + Sync,
{
    let v = lexicon.len();
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let df_all: Vec<u32> = starts
        .par_iter()
        .fold(
            || (vec![0u32; v], Vec::new()),
            |(mut df, mut seen): (Vec<u32>, Vec<u32>), &s| {
                for i in s..(s + CHUNK).min(n) {
                    seen.clear();
                    fill(i, &mut seen);
                    seen.sort_unstable();
                    seen.dedup();
                    for &t in &seen {
                        df[t as usize] += 1;
                    }
                }
                (df, seen)
            },
        )
        .map(|(df, _)| df)
        .reduce(
            || vec![0u32; v],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let max_df = ((cfg.max_df * n as f64).floor() as u32).max(cfg.min_df);
    let mut kept: Vec<u32> = (0..v as u32)
        .filter(|&t| (cfg.min_df..=max_df).contains(&df_all[t as usize]))
        .collect();
    kept.sort_unstable_by(|&a, &b| {
        lexicon[a as usize]
            .as_ref()
            .cmp(lexicon[b as usize].as_ref())
    });
    let mut remap = vec![u32::MAX; v];
    for (new, &raw) in kept.iter().enumerate() {
        remap[raw as usize] = new as u32;
    }
    let idf: Vec<f32> = kept
        .iter()
        .map(|&t| (((1 + n) as f64 / (1 + df_all[t as usize]) as f64).ln() + 1.0) as f32)
        .collect();
    let per_doc: Vec<(SparseVec, Vec<(u32, u32)>)> = (0..n)
        .into_par_iter()
        .with_min_len(256)
        .map_init(Vec::new, |ids_in, i| {
            ids_in.clear();
            fill(i, ids_in);
            ids_in.retain_mut(|t| {
                *t = remap[*t as usize];
                *t != u32::MAX
            });
            ids_in.sort_unstable();
            let mut counts: Vec<(u32, u32)> = Vec::new();
            for &id in ids_in.iter() {
                match counts.last_mut() {
                    Some((last, c)) if *last == id => *c += 1,
                    _ => counts.push((id, 1)),
                }
            }
            let mut v = SparseVec {
                idx: counts.iter().map(|&(i, _)| i).collect(),
                val: counts
                    .iter()
                    .map(|&(i, c)| (1.0 + (c as f32).ln()) * idf[i as usize])
                    .collect(),
            };
            let norm = v.val.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.val.iter_mut().for_each(|x| *x /= norm);
            }
            counts.shrink_to_fit();
            (v, counts)
        })
        .collect();
    let (vecs, counts) = per_doc.into_iter().unzip();
    Features {
        terms: kept
            .iter()
            .map(|&t| lexicon[t as usize].as_ref().to_owned())
            .collect(),
        df: kept.iter().map(|&t| df_all[t as usize]).collect(),
        docs: vecs,
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Vec<&'static str>> {
        vec![
            vec!["客户", "电压", "低"],
            vec!["客户", "电压", "不稳"],
            vec!["客户", "抢修", "慢"],
            vec!["客户", "抢修", "慢", "慢"],
        ]
    }

    #[test]
    fn boilerplate_and_rare_terms_are_dropped() {
        let f = tfidf(&corpus(), &FeatureConfig::default());
        // 客户 is in every document (> 40 %), 低/不稳 in one.
        assert_eq!(f.terms, vec!["慢", "抢修", "电压"]);
        assert_eq!(f.df, vec![2, 2, 2]);
    }

    #[test]
    fn vectors_are_unit_length_and_sorted() {
        let f = tfidf(&corpus(), &FeatureConfig::default());
        for d in &f.docs {
            let n: f32 = d.val.iter().map(|x| x * x).sum();
            assert!((n - 1.0).abs() < 1e-5);
            assert!(d.idx.windows(2).all(|w| w[0] < w[1]));
        }
        // Sublinear tf: 慢 twice weighs more than once but less than double.
        let (d2, d3) = (&f.docs[2], &f.docs[3]);
        assert!(d3.val[0] > d2.val[0]);
        assert!((d2.dot(d3) - 1.0).abs() > 1e-4);
        assert!(d2.dot(d3) > 0.9);
        assert_eq!(f.docs[0].dot(&f.docs[2]), 0.0);
        assert_eq!(f.term_id("电压"), Some(2));
    }

    #[test]
    fn empty_documents_stay_empty() {
        let mut c = corpus();
        c.push(vec![]);
        let f = tfidf(&c, &FeatureConfig::default());
        assert!(f.docs[4].is_empty());
    }
}
