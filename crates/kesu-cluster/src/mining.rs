//! The mining run: features → k (fixed or auto) → spherical k-means → outliers →
//! labels and gaps → classes → typical cases → repeats, with stage timings.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use std::sync::Arc;

use kesu_model::{ComplaintClass, WorkOrderId};
use kesu_normalize::Redacted;
use rayon::prelude::*;
use serde::Serialize;

use crate::classify::{ClassInput, ClassModel};
use crate::corpus::{Corpus, Sym};
use crate::features::{self, CHUNK, FeatureConfig, Features, SparseVec};
use crate::kmeans::{self, Centroids, KMeansConfig, SplitMix64};
use crate::repeats::{self, RepeatConfig, RepeatInput};
use crate::taxonomy::{Taxonomy, TypedClass, cue_matches};
use crate::{Error, Result};

/// Prefix of the typed-class feature tokens (never shown as a top term).
const TYPED_PREFIX: &str = "\u{1}typed:";

/// The cause id of the "other" bucket.
pub const OTHER_ID: u32 = 0;
/// The label of the "other" bucket.
pub const OTHER_LABEL: &str = "其他";
/// The gap value of a cause no gap fits.
pub const UNMAPPED: &str = "unmapped: possible new gap";

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

/// How many root causes to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KChoice {
    /// Exactly this many.
    Fixed(usize),
    /// Chosen on a 3 000-order sample: the smallest k whose simplified
    /// silhouette is within 10 % of the best over k = 2..60.
    Auto,
}

impl std::str::FromStr for KChoice {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(KChoice::Auto);
        }
        match s.parse::<usize>() {
            Ok(k) if k >= 2 => Ok(KChoice::Fixed(k)),
            _ => Err(format!("expected a number ≥ 2 or \"auto\", got {s:?}")),
        }
    }
}

/// Settings of a mining run.
#[derive(Debug, Clone, PartialEq)]
pub struct MiningConfig {
    /// Number of root causes.
    pub k: KChoice,
    /// Typical cases per cause.
    pub typical: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Largest share of orders allowed in the "other" bucket.
    pub max_other: f64,
    /// Repeat window in days.
    pub window_days: i64,
    /// Orders whose cosine to their centroid is below this are outlier candidates.
    pub min_similarity: f32,
    /// Largest number of orders k-means is fitted on (the rest are only assigned).
    pub fit_sample: usize,
    /// k-means restarts; the best objective wins. Two by default: on two
    /// cores they run side by side, a third costs a second round (+50–100 %
    /// k-means time) and won in 1 of 12 measured runs (reports/bench/analyze.md).
    pub n_init: usize,
    /// Vocabulary settings.
    pub features: FeatureConfig,
    /// Smallest estimated Jaccard of two repeat complaints.
    pub repeat_min_jaccard: f64,
    /// Add the typed class and subclass as features (weak supervision).
    pub typed_features: bool,
}

impl Default for MiningConfig {
    fn default() -> Self {
        MiningConfig {
            k: KChoice::Auto,
            typical: 5,
            seed: 42,
            max_other: 0.10,
            window_days: 30,
            min_similarity: 0.15,
            fit_sample: 25_000,
            n_init: 2,
            features: FeatureConfig::default(),
            repeat_min_jaccard: RepeatConfig::default().min_jaccard,
            typed_features: true,
        }
    }
}

/// A representative complaint of a cause: redacted text only, with its id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypicalCase {
    /// The work order an auditor can open.
    pub id: WorkOrderId,
    /// The redacted, normalised text.
    pub text: Redacted,
    /// Cosine to the cause's centroid.
    pub similarity: f32,
}

/// The management gap a cause maps to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapMatch {
    /// Gap id, or None when nothing fits ("unmapped: possible new gap").
    pub gap_id: Option<String>,
    /// Gap name, or [`UNMAPPED`].
    pub name: String,
    /// Share of the cause's characteristic term weight on the gap's cues.
    pub score: f64,
    /// Remedy (empty when unmapped).
    pub remedy: String,
    /// Responsible post (empty when unmapped).
    pub post: String,
    /// Substantiation quadrant (empty when unmapped).
    pub quadrant: String,
}

/// A recurring root cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    /// 1-based, by decreasing size.
    pub id: u32,
    /// Short Chinese label built from the top terms ("低电压·空调·台区").
    pub label: String,
    /// Number of orders.
    pub size: usize,
    /// Share of all orders.
    pub share: f64,
    /// Top terms with their class-based TF-IDF weight.
    pub top_terms: Vec<(String, f64)>,
    /// Best-matching management gap.
    pub gap: GapMatch,
    /// Share of the cause's orders per supply unit.
    pub unit_share: BTreeMap<String, f64>,
    /// Share per predicted complaint class.
    pub class_share: BTreeMap<String, f64>,
    /// Share per intake channel.
    pub channel_share: BTreeMap<String, f64>,
    /// Typical cases, central and mutually different.
    pub typical: Vec<TypicalCase>,
}

/// The outcome for one work order (parallel to the input).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    /// 工单编号.
    pub id: Arc<str>,
    /// Root cause id, [`OTHER_ID`] for the other bucket.
    pub cause_id: u32,
    /// Root cause label (shared by the cause's orders).
    pub cause_label: Arc<str>,
    /// Gap name of the cause (empty for other).
    pub gap: Arc<str>,
    /// Predicted complaint class.
    pub predicted_class: ComplaintClass,
    /// The class as the operator typed it (raw).
    pub typed_class: Option<Arc<str>>,
    /// The typed class resolved through the taxonomy's aliases (None when
    /// empty or unknown).
    pub typed_as: Option<ComplaintClass>,
    /// Typed class parsed and different from the prediction ("possibly misclassified").
    pub class_disagrees: bool,
    /// A later member of a repeat group.
    pub is_repeat: bool,
    /// Work order id of the group's first order (own id when alone).
    pub repeat_group: Arc<str>,
    /// Cosine to the cause's centroid (to the nearest centroid for other).
    pub score: f32,
}

/// Run-level measurements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MiningMetrics {
    /// Orders mined.
    pub orders: usize,
    /// Vocabulary size after boilerplate and rare-term removal.
    pub vocab_size: usize,
    /// Number of root causes found (excluding other).
    pub k: usize,
    /// "fixed" or "auto".
    pub k_source: String,
    /// Simplified silhouette per candidate k (auto only).
    pub k_scores: Vec<(usize, f64)>,
    /// Share of orders in other.
    pub outlier_share: f64,
    /// Orders without any kept term (always in other).
    pub featureless: usize,
    /// Mean cosine of orders to their cause centroid.
    pub cohesion: f64,
    /// Mean cosine distance between cause centroids.
    pub separation: f64,
    /// Mean NPMI of top-term pairs (document co-occurrence), in [-1, 1].
    pub coherence_npmi: f64,
    /// Share of orders that are later members of a repeat group.
    pub repeat_rate: f64,
    /// Repeat groups with at least two orders.
    pub repeat_groups: usize,
    /// Orders with an identity key from each source ([`crate::KEY_SOURCES`]:
    /// the customer columns, and phones, account numbers and addresses in
    /// the text); sources no order had are left out.
    pub repeat_keys: BTreeMap<String, usize>,
    /// Orders without any identity key: they cannot be found as repeats.
    pub orders_without_repeat_key: usize,
    /// "typed" or "taxonomy-cues".
    pub class_model: String,
    /// Share of orders with a typed class the taxonomy knows.
    pub typed_coverage: f64,
    /// Typed class values that name no class (trimmed), with their order
    /// counts: such orders are untyped for the class model, and the values
    /// are candidates for new aliases in the taxonomy.
    pub unknown_typed_classes: BTreeMap<String, usize>,
    /// Share of typed orders whose typed class disagrees with the prediction.
    pub class_disagreement: f64,
    /// Wall seconds per stage.
    pub timing_s: BTreeMap<String, f64>,
}

/// Everything a mining run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mining {
    /// Root causes by decreasing size.
    pub root_causes: Vec<RootCause>,
    /// Per order, in input order.
    pub assignments: Vec<Assignment>,
    /// Run-level measurements.
    pub metrics: MiningMetrics,
}

struct Timer(BTreeMap<String, f64>, Instant);
impl Timer {
    /// Records a step timed on its own (one of several run side by side).
    fn record(&mut self, stage: &str, secs: f64) {
        self.0.insert(stage.to_owned(), secs);
    }

    fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        self.0
            .insert(stage.to_owned(), (now - self.1).as_secs_f64());
        self.1 = now;
    }
}

/// Runs `f` and says how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

/// What names and maps each cause: its c-TF-IDF terms, label, gap and top
/// terms, in cause order.
struct Labelled {
    tops: Vec<Vec<(u32, f64)>>,
    labels: Vec<String>,
    gaps: Vec<GapMatch>,
    top_terms: Vec<Vec<(String, f64)>>,
}

fn labels_and_gaps(
    features: &Features,
    members: &[Vec<usize>],
    corpus: &Corpus,
    taxonomy: &Taxonomy,
) -> Labelled {
    let tops = class_tfidf(features, members);
    let mut labels: Vec<String> = Vec::new();
    let mut gaps: Vec<GapMatch> = Vec::new();
    let mut top_terms: Vec<Vec<(String, f64)>> = Vec::new();
    for top in &tops {
        let named: Vec<(String, f64)> = top
            .iter()
            .filter(|&&(t, _)| !features.terms[t as usize].starts_with(TYPED_PREFIX))
            .map(|&(t, w)| (features.terms[t as usize].clone(), w))
            .collect();
        let nameable: Vec<(String, f64)> = match &corpus.label_words {
            Some(words) => named
                .iter()
                .filter(|(t, _)| words.allows(t))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let label = label_of(
            if nameable.is_empty() {
                &named
            } else {
                &nameable
            },
            &labels,
        );
        labels.push(label);
        gaps.push(map_gap(&named, taxonomy));
        top_terms.push(named.into_iter().take(10).collect());
    }
    Labelled {
        tops,
        labels,
        gaps,
        top_terms,
    }
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

/// Class-based TF-IDF (BERTopic): term frequency in the cause times
/// `ln(1 + A / f_t)`, A the mean term count per cause, f_t the term's count overall.
fn class_tfidf(features: &Features, members: &[Vec<usize>]) -> Vec<Vec<(u32, f64)>> {
    let dim = features.dim();
    let tf: Vec<Vec<f64>> = members
        .par_iter()
        .map(|m| {
            let mut v = vec![0.0f64; dim];
            for &i in m {
                for &(t, c) in &features.counts[i] {
                    v[t as usize] += c as f64;
                }
            }
            v
        })
        .collect();
    let mut total = vec![0.0f64; dim];
    for v in &tf {
        for (t, x) in v.iter().enumerate() {
            total[t] += x;
        }
    }
    let words: f64 = total.iter().sum();
    let a = words / members.len().max(1) as f64;
    tf.iter()
        .map(|v| {
            let w_c: f64 = v.iter().sum::<f64>().max(1.0);
            let mut w: Vec<(u32, f64)> = v
                .iter()
                .enumerate()
                .filter(|(_, x)| **x > 0.0)
                .map(|(t, x)| (t as u32, x / w_c * (1.0 + a / total[t]).ln()))
                .collect();
            w.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            w.truncate(30);
            w
        })
        .collect()
}

/// "低电压·空调·台区": two or three top terms, skipping single characters and
/// terms contained in an already chosen one.
fn label_of(top: &[(String, f64)], taken: &[String]) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    for (t, _) in top {
        if t.chars().count() < 2
            || chosen
                .iter()
                .any(|c| c.contains(t.as_str()) || t.contains(c))
        {
            continue;
        }
        chosen.push(t);
        let chars: usize = chosen.iter().map(|c| c.chars().count()).sum();
        let label = chosen.join("·");
        if (chosen.len() >= 3 || (chosen.len() == 2 && chars > 6)) && !taken.contains(&label) {
            return label;
        }
        if chosen.len() >= 5 {
            break;
        }
    }
    if chosen.is_empty() {
        return top
            .first()
            .map(|t| t.0.clone())
            .unwrap_or_else(|| "未命名".to_owned());
    }
    chosen.join("·")
}

fn map_gap(top: &[(String, f64)], taxonomy: &Taxonomy) -> GapMatch {
    let total: f64 = top.iter().map(|t| t.1).sum::<f64>().max(f64::MIN_POSITIVE);
    let mut best: Option<(usize, f64)> = None;
    for (g, gap) in taxonomy.gaps.iter().enumerate() {
        let s: f64 = top
            .iter()
            .filter(|(t, _)| gap.cues.iter().any(|c| cue_matches(t, c)))
            .map(|t| t.1)
            .sum::<f64>()
            / total;
        if best.is_none_or(|b| s > b.1) {
            best = Some((g, s));
        }
    }
    match best {
        Some((g, score)) if score >= taxonomy.min_gap_score => {
            let gap = &taxonomy.gaps[g];
            GapMatch {
                gap_id: Some(gap.id.clone()),
                name: gap.name.clone(),
                score,
                remedy: gap.remedy.clone(),
                post: gap.post.clone(),
                quadrant: gap.quadrant.clone(),
            }
        }
        other => GapMatch {
            gap_id: None,
            name: UNMAPPED.to_owned(),
            score: other.map_or(0.0, |b| b.1),
            remedy: String::new(),
            post: String::new(),
            quadrant: String::new(),
        },
    }
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

fn shares<'a>(values: impl Iterator<Item = &'a str>, n: usize) -> BTreeMap<String, f64> {
    let mut m: BTreeMap<String, f64> = BTreeMap::new();
    for v in values {
        // Look up by &str: one allocation per distinct value, not per order.
        match m.get_mut(v) {
            Some(count) => *count += 1.0,
            None => {
                m.insert(v.to_owned(), 1.0);
            }
        }
    }
    m.values_mut().for_each(|x| *x /= n.max(1) as f64);
    m
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

/// Every order's typed class through the taxonomy's aliases, and the
/// unknown values with their counts. Each distinct value is resolved once
/// (values are interned symbols; an export has a handful).
fn typed_classes(
    corpus: &Corpus,
    taxonomy: &Taxonomy,
) -> (Vec<TypedClass>, BTreeMap<String, usize>) {
    let mut seen: HashMap<Option<Sym>, TypedClass> = HashMap::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let kinds = corpus
        .orders
        .iter()
        .map(|o| {
            let kind = *seen
                .entry(o.category)
                .or_insert_with(|| taxonomy.typed_class(corpus.symbol(o.category)));
            if kind == TypedClass::Unknown {
                let value = corpus.symbol(o.category).unwrap_or("").trim();
                *unknown.entry(value.to_owned()).or_default() += 1;
            }
            kind
        })
        .collect();
    (kinds, unknown)
}

/// Mines root causes, gaps, classes, typical cases and repeats.
///
/// Deterministic for a given seed, whatever the number of rayon threads.
pub fn mine(corpus: &Corpus, taxonomy: &Taxonomy, cfg: &MiningConfig) -> Result<Mining> {
    let orders = &corpus.orders;
    if orders.is_empty() {
        return Err(Error::Input("no work orders to mine".to_owned()));
    }
    if !(1..=3650).contains(&cfg.window_days) {
        return Err(Error::Input(format!(
            "window-days must be within 1..3650, got {}",
            cfg.window_days
        )));
    }
    if !(0.0..=1.0).contains(&cfg.max_other) {
        return Err(Error::Input(format!(
            "max-other must be within 0..1, got {}",
            cfg.max_other
        )));
    }
    let n = orders.len();
    let mut timer = Timer(BTreeMap::new(), Instant::now());
    let (typed_kinds, unknown_typed_classes) = typed_classes(corpus, taxonomy);

    // The operator-typed class and subclass as two extra tokens: noisy, but
    // right most of the time, so they pull orders of one cause together.
    let mut typed_names: Vec<String> = Vec::new();
    let typed_tokens: Vec<[u32; 2]> = if cfg.typed_features {
        let base = corpus.lexicon.len() as u32;
        let mut ids: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut token = |name: String| {
            *ids.entry(name).or_insert_with_key(|name| {
                typed_names.push(name.clone());
                base + typed_names.len() as u32 - 1
            })
        };
        orders
            .iter()
            .map(|o| match corpus.symbol(o.category) {
                Some(c) => [
                    token(format!("{TYPED_PREFIX}{c}")),
                    match corpus.symbol(o.subcategory) {
                        Some(s) => token(format!("{TYPED_PREFIX}{c}/{s}")),
                        None => u32::MAX,
                    },
                ],
                None => [u32::MAX; 2],
            })
            .collect()
    } else {
        Vec::new()
    };
    let lexicon: Vec<&str> = corpus
        .lexicon
        .iter()
        .map(|t| &**t)
        .chain(typed_names.iter().map(String::as_str))
        .collect();
    let features = features::tfidf_from(n, &lexicon, &cfg.features, |i, out| {
        out.extend_from_slice(&orders[i].terms);
        if let Some(t) = typed_tokens.get(i) {
            out.extend(t.iter().copied().filter(|&t| t != u32::MAX));
        }
    });
    drop(typed_tokens);
    let dim = features.dim();
    timer.lap("features");

    let nonempty: Vec<usize> = (0..n).filter(|&i| !features.docs[i].is_empty()).collect();
    if nonempty.len() < 2 {
        return Err(Error::Input(
            "fewer than two orders have recurring terms: nothing to cluster".to_owned(),
        ));
    }
    let (k, k_source, k_scores) = match cfg.k {
        KChoice::Fixed(k) => (k, "fixed", Vec::new()),
        KChoice::Auto => {
            let docs: Vec<SparseVec> = nonempty.iter().map(|&i| features.docs[i].clone()).collect();
            let (k, s) = choose_k(&docs, dim, cfg);
            (k, "auto", s)
        }
    };
    timer.lap("choose_k");

    let fit_idx: Vec<usize> = sample(nonempty.len(), cfg.fit_sample, cfg.seed)
        .into_iter()
        .map(|i| nonempty[i])
        .collect();
    let fit_docs: Vec<SparseVec> = fit_idx.iter().map(|&i| features.docs[i].clone()).collect();
    let fit = kmeans::fit(
        &fit_docs,
        dim,
        &KMeansConfig {
            k,
            seed: cfg.seed,
            n_init: cfg.n_init,
            max_iter: 40,
        },
    );
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
    timer.lap("kmeans");

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
    // Causes whose centroids are close: k-means often splits one matter in
    // two, and a repeat worded by another operator lands in the sibling.
    let near_causes: Vec<bool> = (0..dense.len() * dense.len())
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
        .collect();
    let n_causes = order.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_causes];
    for (i, c) in cause.iter().enumerate() {
        if let Some(c) = c {
            members[*c].push(i);
        }
    }
    timer.lap("outliers");

    let sims: Vec<f32> = nearest.iter().map(|x| x.1).collect();
    // Labels and gaps, the class model, typical cases and repeats read only
    // what is above, so they run side by side: the class model trains on
    // one thread (sequential AdaGrad, for determinism) and would otherwise
    // leave the other core idle. Each records its own time.
    let (((labelled, t_labels), (classed, t_classes)), ((typical, t_typical), (groups, t_repeats))) =
        rayon::join(
            || {
                rayon::join(
                    || timed(|| labels_and_gaps(&features, &members, corpus, taxonomy)),
                    || {
                        timed(|| {
                            let typed: Vec<Option<ComplaintClass>> =
                                typed_kinds.iter().map(|k| k.class()).collect();
                            let class_inputs: Vec<ClassInput<'_>> = (0..n)
                                .map(|i| ClassInput {
                                    words: &features.docs[i],
                                    counts: &features.counts[i],
                                    cause: cause[i],
                                    typed: typed[i],
                                })
                                .collect();
                            let model = ClassModel::train(
                                &class_inputs,
                                &features.terms,
                                n_causes,
                                taxonomy,
                                cfg.seed,
                            );
                            let predicted = model.predict(&class_inputs);
                            (typed, model.source, predicted)
                        })
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        timed(|| {
                            members
                                .par_iter()
                                .map(|m| typical_of(m, &sims, &features.docs, cfg.typical))
                                .collect::<Vec<Vec<usize>>>()
                        })
                    },
                    || {
                        timed(|| {
                            let inputs: Vec<RepeatInput<'_>> = orders
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
                                        (Some(a), Some(b)) => near_causes[a * dense.len() + b],
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
                        })
                    },
                )
            },
        );
    let Labelled {
        tops,
        labels,
        gaps,
        top_terms,
    } = labelled;
    let (typed, class_source, predicted) = classed;
    timer.record("labels_gaps", t_labels);
    timer.record("classes", t_classes);
    timer.record("typical", t_typical);
    timer.record("repeats", t_repeats);
    // Their wall time together (they overlap, so the four do not add up).
    timer.lap("side_by_side");

    let root_causes: Vec<RootCause> = (0..n_causes)
        .into_par_iter()
        .map(|c| {
            let m = &members[c];
            RootCause {
                id: c as u32 + 1,
                label: labels[c].clone(),
                size: m.len(),
                share: m.len() as f64 / n as f64,
                top_terms: top_terms[c].clone(),
                gap: gaps[c].clone(),
                unit_share: shares(
                    m.iter()
                        .map(|&i| corpus.symbol(orders[i].unit).unwrap_or("未知")),
                    m.len(),
                ),
                class_share: shares(m.iter().map(|&i| predicted[i].label()), m.len()),
                channel_share: shares(
                    m.iter()
                        .map(|&i| corpus.symbol(orders[i].channel).unwrap_or("未知")),
                    m.len(),
                ),
                typical: typical[c]
                    .iter()
                    .map(|&i| TypicalCase {
                        id: WorkOrderId(orders[i].id.to_string()),
                        text: orders[i].text.clone(),
                        similarity: sims[i],
                    })
                    .collect(),
            }
        })
        .collect();

    let shared_labels: Vec<(Arc<str>, Arc<str>)> = (0..n_causes)
        .map(|c| {
            (
                Arc::from(labels[c].as_str()),
                Arc::from(gaps[c].name.as_str()),
            )
        })
        .collect();
    let other: (Arc<str>, Arc<str>) = (Arc::from(OTHER_LABEL), Arc::from(""));
    let assignments: Vec<Assignment> = (0..n)
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            let o = &orders[i];
            let (cause_id, (cause_label, gap)) = match cause[i] {
                Some(c) => (c as u32 + 1, &shared_labels[c]),
                None => (OTHER_ID, &other),
            };
            Assignment {
                id: Arc::clone(&o.id),
                cause_id,
                cause_label: Arc::clone(cause_label),
                gap: Arc::clone(gap),
                predicted_class: predicted[i],
                typed_class: corpus.symbol_arc(o.category),
                typed_as: typed[i],
                class_disagrees: typed[i].is_some_and(|t| t != predicted[i]),
                is_repeat: groups[i].is_repeat,
                repeat_group: Arc::clone(&orders[groups[i].leader].id),
                score: sims[i],
            }
        })
        .collect();
    timer.lap("assemble");

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
    let metrics = MiningMetrics {
        orders: n,
        vocab_size: dim,
        k: n_causes,
        k_source: k_source.to_owned(),
        k_scores,
        outlier_share: other_n as f64 / n as f64,
        featureless,
        cohesion,
        separation: if sep_pairs == 0 {
            0.0
        } else {
            sep / sep_pairs as f64
        },
        coherence_npmi: coherence(&features, &tops),
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
        timing_s: BTreeMap::new(),
    };
    timer.lap("metrics");
    let mut mining = Mining {
        root_causes,
        assignments,
        metrics,
    };
    mining.metrics.timing_s = timer.0;
    Ok(mining)
}

/// Known labels to score a run against (any may be absent per order).
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// True root cause per order.
    pub cause: Option<Vec<Option<Arc<str>>>>,
    /// True complaint class per order.
    pub class: Option<Vec<Option<ComplaintClass>>>,
    /// True repeat flag per order.
    pub is_repeat: Option<Vec<Option<bool>>>,
    /// True management gap id per order (the taxonomy's ids).
    pub gap: Option<Vec<Option<Arc<str>>>>,
}

/// Agreement of a run with known labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Orders with a true cause.
    pub labelled: usize,
    /// NMI of causes (other counted as one cluster) vs true causes.
    pub nmi: Option<f64>,
    /// Adjusted Rand index.
    pub ari: Option<f64>,
    /// Homogeneity.
    pub homogeneity: Option<f64>,
    /// Completeness.
    pub completeness: Option<f64>,
    /// Accuracy of the predicted class.
    pub class_accuracy: Option<f64>,
    /// Accuracy of the typed class (empty or unknown counts as wrong).
    pub typed_class_accuracy: Option<f64>,
    /// Accuracy of the typed class where it is present.
    pub typed_class_accuracy_nonempty: Option<f64>,
    /// Of the orders flagged "possibly misclassified", the share whose typed
    /// class really is wrong (orders with a typed class; None if none flagged).
    pub misclassified_precision: Option<f64>,
    /// Of the orders whose typed class is wrong, the share flagged (None if
    /// no typed class is wrong).
    pub misclassified_recall: Option<f64>,
    /// Share of orders with a true gap whose root cause maps to that gap
    /// (other and unmapped causes count as wrong).
    pub gap_accuracy: Option<f64>,
    /// Repeat precision.
    pub repeat_precision: Option<f64>,
    /// Repeat recall.
    pub repeat_recall: Option<f64>,
    /// Repeat F1.
    pub repeat_f1: Option<f64>,
}

/// Scores a run against known labels.
pub fn evaluate(mining: &Mining, truth: &Truth) -> Evaluation {
    let mut e = Evaluation::default();
    if let Some(tc) = &truth.cause {
        let (t, p): (Vec<&str>, Vec<u32>) = tc
            .iter()
            .zip(&mining.assignments)
            .filter_map(|(t, a)| t.as_deref().map(|t| (t, a.cause_id)))
            .unzip();
        e.labelled = t.len();
        if !t.is_empty() {
            // Three independent passes over the labels: run them side by side.
            let (nmi, (ari, (h, c))) = rayon::join(
                || crate::metrics::nmi(&t, &p),
                || {
                    rayon::join(
                        || crate::metrics::ari(&t, &p),
                        || crate::metrics::homogeneity_completeness(&t, &p),
                    )
                },
            );
            e.nmi = Some(nmi);
            e.ari = Some(ari);
            e.homogeneity = Some(h);
            e.completeness = Some(c);
        }
    }
    if let Some(tc) = &truth.class {
        let rows: Vec<(ComplaintClass, usize)> = tc
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.map(|t| (t, i)))
            .collect();
        if !rows.is_empty() {
            let n = rows.len() as f64;
            let ok = rows
                .iter()
                .filter(|(t, i)| mining.assignments[*i].predicted_class == *t)
                .count();
            e.class_accuracy = Some(ok as f64 / n);
            let typed: Vec<Option<ComplaintClass>> = rows
                .iter()
                .map(|(_, i)| mining.assignments[*i].typed_as)
                .collect();
            let typed_ok = rows
                .iter()
                .zip(&typed)
                .filter(|((t, _), p)| **p == Some(*t))
                .count();
            e.typed_class_accuracy = Some(typed_ok as f64 / n);
            let present = typed.iter().flatten().count();
            if present > 0 {
                e.typed_class_accuracy_nonempty = Some(typed_ok as f64 / present as f64);
                // How far a quality team can trust the flag: typed wrong vs flagged.
                let (wrong, flagged): (Vec<bool>, Vec<bool>) = rows
                    .iter()
                    .zip(&typed)
                    .filter_map(|((t, i), p)| {
                        p.map(|p| (p != *t, mining.assignments[*i].class_disagrees))
                    })
                    .unzip();
                // Undefined (nothing flagged, or nothing typed wrong) is
                // None, not 0: a clean week is not a failed flag.
                let (precision, recall, _) = crate::metrics::precision_recall_f1(&wrong, &flagged);
                e.misclassified_precision = flagged.contains(&true).then_some(precision);
                e.misclassified_recall = wrong.contains(&true).then_some(recall);
            }
        }
    }
    if let Some(tg) = &truth.gap {
        // Root cause ids are 1-based positions in `root_causes`.
        let gap_of = |cause_id: u32| {
            (cause_id as usize)
                .checked_sub(1)
                .and_then(|c| mining.root_causes.get(c))
                .and_then(|c| c.gap.gap_id.as_deref())
        };
        let (n, ok) = tg
            .iter()
            .zip(&mining.assignments)
            .filter_map(|(t, a)| t.as_deref().map(|t| gap_of(a.cause_id) == Some(t)))
            .fold((0usize, 0usize), |(n, ok), hit| {
                (n + 1, ok + usize::from(hit))
            });
        if n > 0 {
            e.gap_accuracy = Some(ok as f64 / n as f64);
        }
    }
    if let Some(tr) = &truth.is_repeat {
        let (t, p): (Vec<bool>, Vec<bool>) = tr
            .iter()
            .zip(&mining.assignments)
            .filter_map(|(t, a)| t.map(|t| (t, a.is_repeat)))
            .unzip();
        if !t.is_empty() {
            let (pr, rc, f) = crate::metrics::precision_recall_f1(&t, &p);
            e.repeat_precision = Some(pr);
            e.repeat_recall = Some(rc);
            e.repeat_f1 = Some(f);
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_choice_parses() {
        assert_eq!("auto".parse::<KChoice>(), Ok(KChoice::Auto));
        assert_eq!("12".parse::<KChoice>(), Ok(KChoice::Fixed(12)));
        assert!("1".parse::<KChoice>().is_err());
        assert!("x".parse::<KChoice>().is_err());
    }

    #[test]
    fn labels_are_short_and_skip_contained_terms() {
        let top: Vec<(String, f64)> = ["电压", "低电压", "空调", "台区", "晚上"]
            .iter()
            .map(|t| (t.to_string(), 1.0))
            .collect();
        assert_eq!(label_of(&top, &[]), "电压·空调·台区");
        // A taken label forces a different one.
        assert_ne!(
            label_of(&top, &["电压·空调·台区".to_owned()]),
            "电压·空调·台区"
        );
    }

    #[test]
    fn gap_mapping_uses_cues_and_reports_unmapped() {
        let tax = Taxonomy::builtin().unwrap();
        let top: Vec<(String, f64)> = vec![
            ("抢修".into(), 0.5),
            ("迟迟".into(), 0.3),
            ("小区".into(), 0.2),
        ];
        let g = map_gap(&top, &tax);
        assert_eq!(g.gap_id.as_deref(), Some("slow_repair"));
        assert_eq!(g.post, "电力紧急服务");
        let none: Vec<(String, f64)> = vec![("光伏".into(), 0.6), ("并网".into(), 0.4)];
        let g = map_gap(&none, &tax);
        assert_eq!(g.gap_id, None);
        assert_eq!(g.name, UNMAPPED);
    }

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

    #[test]
    fn other_bucket_is_capped_and_featureless_orders_go_there() {
        use chrono::NaiveDate;
        use kesu_model::WorkOrder;
        let at = NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let n = kesu_normalize::Normalizer::builtin();
        let topics = [["电压", "空调"], ["抢修", "迟迟"], ["电费", "翻倍"]];
        let mut terms: Vec<Vec<&str>> = (0..60).map(|i| topics[i % 3].to_vec()).collect();
        // Ten orders of stray words (each word twice in the corpus) and one empty order.
        let strays = ["光伏", "并网", "充电桩", "路灯", "广告"];
        for i in 0..10 {
            terms.push(vec![strays[i % 5]]);
        }
        terms.push(vec![]);
        let orders: Vec<_> = (0..terms.len())
            .map(|i| n.apply(WorkOrder::new(format!("W{i:03}"), at, terms[i].concat())))
            .collect();
        let corpus = Corpus::from_orders(orders, &terms, &[]);
        let cfg = MiningConfig {
            k: KChoice::Fixed(3),
            max_other: 0.05,
            ..MiningConfig::default()
        };
        let m = mine(&corpus, &Taxonomy::builtin().unwrap(), &cfg).unwrap();
        let other: Vec<usize> = (0..corpus.len())
            .filter(|&i| m.assignments[i].cause_id == OTHER_ID)
            .collect();
        assert_eq!(other.len(), (0.05 * corpus.len() as f64).floor() as usize);
        assert!(other.contains(&70), "the empty order is other");
        assert!(m.metrics.outlier_share <= 0.05);
        assert!(m.assignments[..60].iter().all(|a| a.cause_id != OTHER_ID));
    }

    #[test]
    fn samples_are_deterministic_and_sorted() {
        let a = sample(1000, 10, 3);
        assert_eq!(a, sample(1000, 10, 3));
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(5, 10, 3), vec![0, 1, 2, 3, 4]);
    }
}
