//! The mining run, as a list of steps, one module each: [`vectorize`] the
//! orders → [`fit`] (k fixed or auto, spherical k-means) → [`outliers`] (the
//! other bucket, causes by size) → side by side: [`label`] (labels, top terms
//! and [`gaps`]), [`classes`] (class model, disagreements), [`typical`]
//! cases and [`repeat_groups`] → [`assemble`] the causes and assignments →
//! [`quality`] metrics, with stage timings. [`evaluate`](mod@evaluate) scores a finished
//! run against known labels.
//!
//! This module holds the public result types and the orchestrating [`mine`].

use kesu_timing::{StageTimer, timed};
use std::collections::BTreeMap;

use std::sync::Arc;

use kesu_model::{ComplaintClass, WorkOrderId};
use kesu_normalize::Redacted;
use serde::Serialize;

use crate::corpus::Corpus;
use crate::features::FeatureConfig;
use crate::repeats::RepeatConfig;
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

mod assemble;
mod classes;
mod evaluate;
mod fit;
mod gaps;
mod label;
mod outliers;
mod phrase;
mod quality;
mod repeat_groups;
mod typical;
mod vectorize;

pub use evaluate::{Evaluation, Truth, evaluate};

/// The cause id of the "other" bucket.
pub const OTHER_ID: u32 = 0;
/// The label of the "other" bucket.
pub const OTHER_LABEL: &str = "其他";
/// The gap value of a cause no gap fits.
pub const UNMAPPED: &str = "unmapped: possible new gap";

/// Terms kept in a cause's [`RootCause::profile`].
pub const PROFILE_TERMS: usize = 50;

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
    /// Latent dimensions k-means clusters in when orders are long (at least
    /// k + 10 are used; 0: always the raw TF-IDF vectors). See
    /// [`crate::lsa`]: on real long messages the raw term space lost to a
    /// plain TF-IDF + k-means.
    pub lsa_dims: usize,
    /// Orders are long, and clustered in the latent space, when the median
    /// order of the fit sample keeps at least this many distinct terms.
    /// Short, template-like complaints (kesu-synth: about 15; short real
    /// reviews: about 10) cluster better, and faster, on the raw terms
    /// (reports/bench/realtext.md).
    pub lsa_min_terms: usize,
    /// Vocabulary settings.
    pub features: FeatureConfig,
    /// Smallest estimated Jaccard of two repeat complaints.
    pub repeat_min_jaccard: f64,
    /// Add the typed class and subclass as features (weak supervision).
    pub typed_features: bool,
    /// Term profiles of causes known from earlier weeks (for example
    /// [`RootCause::profile`] kept by a registry): k-means starts from them
    /// (warm start) instead of from k-means++ alone, so that the same
    /// problem forms the same cluster week after week. k is raised to their
    /// number; a known cause absent this week stays empty and is dropped.
    pub prior_causes: Vec<Vec<(String, f64)>>,
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
            lsa_dims: 50,
            lsa_min_terms: 30,
            features: FeatureConfig::default(),
            repeat_min_jaccard: RepeatConfig::default().min_jaccard,
            typed_features: true,
            prior_causes: Vec::new(),
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
    /// Short Chinese label: a phrase its complaints write (智能电表跳字), or
    /// when none qualifies two or three top terms ("低电压·空调·台区").
    pub label: String,
    /// Number of orders.
    pub size: usize,
    /// Share of all orders.
    pub share: f64,
    /// Top terms with their class-based TF-IDF weight.
    pub top_terms: Vec<(String, f64)>,
    /// The heaviest terms of the cause's k-means centroid (at most
    /// [`PROFILE_TERMS`], typed-class tokens left out) with their weight: the
    /// term-weight vector that recognises the same cause in another week,
    /// whose vocabulary and term ids differ.
    pub profile: Vec<(String, f64)>,
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
    /// Gap name of the order (empty for other): its cause's gap, unless
    /// its own words and 是否属实 point to another gap of the taxonomy
    /// (a cause can mix gaps), or [`UNMAPPED`].
    pub gap: Arc<str>,
    /// Gap id of the order (None for other and unmapped).
    pub gap_id: Option<Arc<str>>,
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
    /// Latent dimensions k-means ran in (0: the raw TF-IDF vectors, for
    /// short orders).
    pub latent_dims: usize,
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
    /// Share of causes whose label stands verbatim in most (more than half)
    /// of its typical cases: how far the label is the complaints' own words.
    pub label_in_typical_share: f64,
    /// Share of causes whose label stands verbatim in at least one of its
    /// typical cases.
    pub label_in_some_typical_share: f64,
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

/// Rejects inputs and settings that cannot be mined.
fn check(corpus: &Corpus, cfg: &MiningConfig) -> Result<()> {
    if corpus.orders.is_empty() {
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
    Ok(())
}

/// Mines root causes, gaps, classes, typical cases and repeats.
///
/// Deterministic for a given seed, whatever the number of rayon threads.
pub fn mine(corpus: &Corpus, taxonomy: &Taxonomy, cfg: &MiningConfig) -> Result<Mining> {
    check(corpus, cfg)?;
    let mut timer = StageTimer::start();
    let (typed_kinds, unknown_typed_classes) = classes::typed_classes(corpus, taxonomy);
    let features = vectorize::features(corpus, cfg);
    timer.lap("features");

    let nonempty = fit::nonempty(&features)?;
    let (k, k_source, k_scores) = fit::pick_k(&features, &nonempty, cfg);
    timer.lap("choose_k");
    let (centroids, nearest, latent_dims) = fit::fit_and_assign(&features, &nonempty, k, cfg);
    timer.lap("kmeans");

    let causes = outliers::split(&features, &nonempty, &centroids, &nearest, cfg);
    let n_causes = causes.members.len();
    let near_causes = repeat_groups::near_causes(&causes.dense);
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
                    || {
                        timed(|| {
                            label::labels_and_gaps(&features, &causes.members, corpus, taxonomy)
                        })
                    },
                    || {
                        timed(|| {
                            classes::classify(
                                &features,
                                &typed_kinds,
                                &causes.cause,
                                n_causes,
                                taxonomy,
                                cfg.seed,
                            )
                        })
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        timed(|| {
                            typical::typical_cases(
                                &causes.members,
                                &sims,
                                &features.docs,
                                cfg.typical,
                            )
                        })
                    },
                    || {
                        timed(|| {
                            repeat_groups::detect(
                                corpus,
                                &features,
                                &causes.cause,
                                &near_causes,
                                n_causes,
                                cfg,
                            )
                        })
                    },
                )
            },
        );
    timer.record("labels_gaps", t_labels);
    timer.record("classes", t_classes);
    timer.record("typical", t_typical);
    timer.record("repeats", t_repeats);
    // Their wall time together (they overlap, so the four do not add up).
    timer.lap("side_by_side");

    let order_gaps = gaps::order_gaps(
        corpus,
        &features,
        &causes.cause,
        &labelled.gap_scores,
        taxonomy,
    );
    timer.lap("order_gaps");
    let profiles = label::profiles(&features, &causes.dense);
    let root_causes = assemble::root_causes(
        corpus,
        &causes.members,
        profiles,
        &labelled,
        &classed,
        &typical,
        &sims,
    );
    let assignments = assemble::assignments(
        corpus,
        &causes.cause,
        &labelled,
        &order_gaps,
        taxonomy,
        &classed,
        &groups,
        &sims,
    );
    timer.lap("assemble");

    let metrics = quality::metrics(quality::Found {
        corpus,
        features: &features,
        k_source,
        k_scores,
        latent_dims,
        causes: &causes,
        sims: &sims,
        labelled: &labelled,
        classed: &classed,
        unknown_typed_classes,
        groups: &groups,
        assignments: &assignments,
        typical: &typical,
    });
    timer.lap("metrics");
    let mut mining = Mining {
        root_causes,
        assignments,
        metrics,
    };
    mining.metrics.timing_s = timer.into_stages();
    Ok(mining)
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

    /// One order text per term list: its terms written together.
    fn texts_of(terms: &[Vec<&str>]) -> Vec<(String, Option<&'static str>)> {
        terms.iter().map(|t| (t.concat(), None)).collect()
    }

    #[test]
    fn other_bucket_is_capped_and_featureless_orders_go_there() {
        let topics = [["电压", "空调"], ["抢修", "迟迟"], ["电费", "翻倍"]];
        let mut terms: Vec<Vec<&str>> = (0..60).map(|i| topics[i % 3].to_vec()).collect();
        // Ten orders of stray words (each word twice in the corpus) and one empty order.
        let strays = ["光伏", "并网", "充电桩", "路灯", "广告"];
        for i in 0..10 {
            terms.push(vec![strays[i % 5]]);
        }
        terms.push(vec![]);
        let corpus = crate::corpus::test_corpus(&texts_of(&terms), &terms);
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

    /// Long orders (many incidental words each, few shared between two
    /// orders of one topic) are clustered in the latent space and grouped by
    /// topic; short orders stay on the raw terms.
    #[test]
    fn long_orders_are_clustered_by_topic_in_the_latent_space() {
        // Three topics of 60 words each; an order draws 50 of its topic's
        // words (a seeded walk), so two orders share only some of them.
        let vocab: Vec<Vec<String>> = (0..3)
            .map(|t| (0..60).map(|w| format!("词{t}x{w:02}")).collect())
            .collect();
        let mut rng = crate::kmeans::SplitMix64::new(9);
        let long: Vec<Vec<&str>> = (0..150)
            .map(|i| {
                let words = &vocab[i % 3];
                (0..50).map(|_| words[rng.below(60)].as_str()).collect()
            })
            .collect();
        let short: Vec<Vec<&str>> = long.iter().map(|t| t[..6].to_vec()).collect();
        let mine_terms = |terms: &[Vec<&str>]| {
            let corpus = crate::corpus::test_corpus(&texts_of(terms), terms);
            let cfg = MiningConfig {
                k: KChoice::Fixed(3),
                ..MiningConfig::default()
            };
            mine(&corpus, &Taxonomy::builtin().unwrap(), &cfg).unwrap()
        };
        let m = mine_terms(&long);
        assert!(m.metrics.latent_dims >= 13, "{}", m.metrics.latent_dims);
        let truth: Vec<usize> = (0..150).map(|i| i % 3).collect();
        let found: Vec<u32> = m.assignments.iter().map(|a| a.cause_id).collect();
        let nmi = crate::metrics::nmi(&truth, &found);
        assert!(nmi > 0.95, "NMI {nmi}");
        assert_eq!(mine_terms(&short).metrics.latent_dims, 0);
    }
}
