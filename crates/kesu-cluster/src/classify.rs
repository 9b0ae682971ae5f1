//! Predicted complaint class per order: multinomial logistic regression over
//! the order's words and its root cause, trained on the operator-typed
//! classes (noisy).
//!
//! Why a discriminative model: a complaint's class is often decided by a
//! few words ("另外，家中电压一直偏低") among many that describe its root
//! cause. Naive Bayes adds up every word's evidence as if independent, so
//! the many cause words outvote the few decisive ones and the prediction
//! follows the cause. Logistic regression fits the weights jointly: words
//! that only restate the cause get little weight once the cause feature
//! carries it, and the words that move orders to another class get enough
//! to do so.
//!
//! Why noisy labels still teach it: typing mistakes are spread over many
//! orders with the same words and cause, so the fit follows the correct
//! majority; a few passes of AdaGrad with a small L2 penalty keep it from
//! memorising single slips. With no typed classes at all, the taxonomy's
//! class cue terms provide weak labels instead.
//!
//! Determinism: training is sequential SGD over a sample drawn with the
//! user's seed, so the model does not depend on the number of threads;
//! prediction is a parallel map collected in order.

use kesu_model::ComplaintClass;
use rayon::prelude::*;

use crate::features::SparseVec;
use crate::kmeans::SplitMix64;
use crate::taxonomy::{Taxonomy, cue_matches};

const CLASSES: usize = 5;
/// Passes over the training sample.
const EPOCHS: usize = 2;
/// At most this many labelled orders train the model: beyond it the
/// weights no longer change much, and training is sequential.
const MAX_TRAIN: usize = 30_000;
/// AdaGrad step size.
const STEP: f32 = 0.5;
/// L2 penalty per update (scaled by the step), against memorising slips.
const L2: f32 = 1e-5;
/// Value of the root-cause indicator feature, against L2-normalised words.
const CAUSE_VALUE: f32 = 1.0;

/// What the class model reads of one order.
#[derive(Debug, Clone, Copy)]
pub struct ClassInput<'a> {
    /// The order's L2-normalised word vector.
    pub words: &'a SparseVec,
    /// Raw term counts (for cue-term weak labels).
    pub counts: &'a [(u32, u32)],
    /// Its root cause, None in the "other" bucket.
    pub cause: Option<usize>,
    /// The operator-typed class, if any.
    pub typed: Option<ComplaintClass>,
}

/// A trained class model: one weight row per word, per cause, and a bias.
#[derive(Debug, Clone)]
pub struct ClassModel {
    /// `weights[feature * 5 + class]`; features are words, then causes, then the bias.
    weights: Vec<f32>,
    n_words: usize,
    n_causes: usize,
    /// Words left out (synthetic tokens such as the typed class itself).
    skip: Vec<bool>,
    /// Where the training labels came from: "typed" or "taxonomy-cues".
    pub source: &'static str,
}

/// Weak labels from cue terms: the class with the most matching terms, if any.
fn cue_label(counts: &[(u32, u32)], cue_class: &[Option<usize>]) -> Option<ComplaintClass> {
    let mut hits = [0u32; CLASSES];
    for &(t, c) in counts {
        if let Some(k) = cue_class[t as usize] {
            hits[k] += c;
        }
    }
    let (best, &n) = hits
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, CLASSES - i))?;
    (n > 0).then(|| ComplaintClass::ALL[best])
}

impl ClassModel {
    /// Trains on the typed classes, or on cue-term weak labels when fewer than
    /// 50 orders carry a typed class.
    pub fn train(
        orders: &[ClassInput<'_>],
        terms: &[String],
        n_causes: usize,
        taxonomy: &Taxonomy,
        seed: u64,
    ) -> ClassModel {
        let n_typed = orders.iter().filter(|o| o.typed.is_some()).count();
        let (labels, source): (Vec<Option<ComplaintClass>>, _) = if n_typed >= 50 {
            (orders.iter().map(|o| o.typed).collect(), "typed")
        } else {
            let cue_class: Vec<Option<usize>> = terms
                .iter()
                .map(|t| {
                    taxonomy
                        .classes
                        .iter()
                        .position(|c| c.cues.iter().any(|cue| cue_matches(t, cue)))
                })
                .collect();
            (
                orders
                    .par_iter()
                    .map(|o| cue_label(o.counts, &cue_class))
                    .collect(),
                "taxonomy-cues",
            )
        };
        // Synthetic feature tokens (leading U+0001, e.g. the typed class) are
        // left out: an order's own typing as a feature would just be echoed.
        // The cause feature does carry typing, but the cause's: clusters are
        // fitted with those tokens and the weight learns the cause's majority
        // class, which is what corrects single slips.
        let skip: Vec<bool> = terms.iter().map(|t| t.starts_with('\u{1}')).collect();
        let mut model = ClassModel {
            weights: vec![0.0; (terms.len() + n_causes + 1) * CLASSES],
            n_words: terms.len(),
            n_causes,
            skip,
            source,
        };
        let mut train: Vec<usize> = (0..orders.len()).filter(|&i| labels[i].is_some()).collect();
        let mut rng = SplitMix64::new(seed ^ 0x0C1A_55E5);
        shuffle(&mut train, &mut rng);
        train.truncate(MAX_TRAIN);
        let mut g2 = vec![1e-2f32; model.weights.len()];
        let mut feats: Vec<(usize, f32)> = Vec::new();
        for _ in 0..EPOCHS {
            for &i in &train {
                let Some(label) = labels[i] else { continue };
                model.features(&orders[i], &mut feats);
                let p = softmax(model.scores(&feats));
                for &(f, x) in &feats {
                    for (k, pk) in p.iter().enumerate() {
                        let y = if k == label.index() { 1.0 } else { 0.0 };
                        let w = f * CLASSES + k;
                        let g = (pk - y) * x + L2 * model.weights[w];
                        g2[w] += g * g;
                        model.weights[w] -= STEP * g / g2[w].sqrt();
                    }
                }
            }
            shuffle(&mut train, &mut rng);
        }
        model
    }

    /// The order's active features and their values.
    fn features(&self, o: &ClassInput<'_>, out: &mut Vec<(usize, f32)>) {
        out.clear();
        for (&t, &v) in o.words.idx.iter().zip(&o.words.val) {
            if !self.skip[t as usize] {
                out.push((t as usize, v));
            }
        }
        if let Some(c) = o.cause.filter(|&c| c < self.n_causes) {
            out.push((self.n_words + c, CAUSE_VALUE));
        }
        out.push((self.n_words + self.n_causes, 1.0));
    }

    fn scores(&self, feats: &[(usize, f32)]) -> [f32; CLASSES] {
        let mut s = [0.0f32; CLASSES];
        for &(f, x) in feats {
            let w = &self.weights[f * CLASSES..f * CLASSES + CLASSES];
            for k in 0..CLASSES {
                s[k] += w[k] * x;
            }
        }
        s
    }

    /// The most likely class of each order.
    pub fn predict(&self, orders: &[ClassInput<'_>]) -> Vec<ComplaintClass> {
        orders
            .par_iter()
            .with_min_len(256)
            .map_init(Vec::new, |feats, o| {
                self.features(o, feats);
                ComplaintClass::ALL[argmax(&self.scores(feats))]
            })
            .collect()
    }
}

/// Fisher–Yates with the model's own stream.
fn shuffle(v: &mut [usize], rng: &mut SplitMix64) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.below(i + 1));
    }
}

fn softmax(mut s: [f32; CLASSES]) -> [f32; CLASSES] {
    let m = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut z = 0.0;
    for x in &mut s {
        *x = (*x - m).exp();
        z += *x;
    }
    s.iter_mut().for_each(|x| *x /= z);
    s
}

fn argmax(s: &[f32; CLASSES]) -> usize {
    let mut best = 0;
    for k in 1..CLASSES {
        if s[k] > s[best] {
            best = k;
        }
    }
    best
}
#[cfg(test)]
mod tests {
    use super::*;

    /// An L2-normalised vector over the given term ids (ascending).
    fn words(ids: &[u32]) -> SparseVec {
        let v = 1.0 / (ids.len() as f32).sqrt();
        SparseVec {
            idx: ids.to_vec(),
            val: vec![v; ids.len()],
        }
    }

    fn counts(ids: &[u32]) -> Vec<(u32, u32)> {
        ids.iter().map(|&t| (t, 1)).collect()
    }

    fn inputs<'a>(
        vecs: &'a [SparseVec],
        cnts: &'a [Vec<(u32, u32)>],
        cause: &[Option<usize>],
        typed: &[Option<ComplaintClass>],
    ) -> Vec<ClassInput<'a>> {
        (0..vecs.len())
            .map(|i| ClassInput {
                words: &vecs[i],
                counts: &cnts[i],
                cause: cause[i],
                typed: typed[i],
            })
            .collect()
    }

    fn accuracy(pred: &[ComplaintClass], truth: &[ComplaintClass]) -> f64 {
        let ok = pred.iter().zip(truth).filter(|(p, t)| p == t).count();
        ok as f64 / truth.len() as f64
    }

    #[test]
    fn noisy_typed_labels_are_outvoted_by_the_majority() {
        // Terms 0 = 电压, 1 = 电费. 100 orders each; 15 % of typed labels wrong.
        let terms = vec!["电压".to_owned(), "电费".to_owned()];
        let (mut vecs, mut cnts, mut typed, mut cause, mut truth) =
            (vec![], vec![], vec![], vec![], vec![]);
        for i in 0..200 {
            let voltage = i < 100;
            let ids = [if voltage { 0 } else { 1 }];
            vecs.push(words(&ids));
            cnts.push(counts(&ids));
            let t = if voltage {
                ComplaintClass::PowerQuality
            } else {
                ComplaintClass::Business
            };
            truth.push(t);
            let wrong = i % 100 < 15;
            typed.push(Some(if wrong {
                ComplaintClass::SupplyService
            } else {
                t
            }));
            cause.push(Some(usize::from(!voltage)));
        }
        let tax = Taxonomy::builtin().unwrap();
        let orders = inputs(&vecs, &cnts, &cause, &typed);
        let model = ClassModel::train(&orders, &terms, 2, &tax, 7);
        assert_eq!(model.source, "typed");
        assert_eq!(model.predict(&orders), truth);
    }

    #[test]
    fn a_few_decisive_words_move_an_order_out_of_its_causes_class() {
        // Two causes, each described by four words. One order in five adds
        // 停电 (term 8) and is then truly an outage complaint, whatever its
        // cause. Typed classes are 12 % wrong. A model that adds up every
        // word's evidence follows the four cause words; the class is decided
        // by the fifth.
        let terms: Vec<String> = [
            "电压",
            "偏低",
            "灯光",
            "电器",
            "电费",
            "缴费",
            "账单",
            "营业厅",
            "停电",
        ]
        .map(str::to_owned)
        .to_vec();
        let (mut vecs, mut cnts, mut typed, mut cause, mut truth) =
            (vec![], vec![], vec![], vec![], vec![]);
        let mut rng = SplitMix64::new(3);
        for i in 0..2000 {
            let c = i % 2;
            let mut ids: Vec<u32> = (0..4).map(|t| t + 4 * c as u32).collect();
            let stressed = (i / 2) % 5 == 0;
            if stressed {
                ids.push(8);
            }
            let t = match (stressed, c) {
                (true, _) => ComplaintClass::Outage,
                (false, 0) => ComplaintClass::PowerQuality,
                _ => ComplaintClass::Business,
            };
            vecs.push(words(&ids));
            cnts.push(counts(&ids));
            truth.push(t);
            typed.push(Some(if rng.next_f64() < 0.12 {
                ComplaintClass::SupplyService
            } else {
                t
            }));
            cause.push(Some(c));
        }
        let tax = Taxonomy::builtin().unwrap();
        let orders = inputs(&vecs, &cnts, &cause, &typed);
        let model = ClassModel::train(&orders, &terms, 2, &tax, 11);
        let pred = model.predict(&orders);
        let typed_truth: Vec<ComplaintClass> = typed.iter().map(|t| t.unwrap()).collect();
        let (acc, typed_acc) = (accuracy(&pred, &truth), accuracy(&typed_truth, &truth));
        assert!(
            acc > 0.99 && acc > typed_acc,
            "model {acc} vs typed {typed_acc}"
        );
    }

    #[test]
    fn the_same_seed_trains_the_same_model_on_any_thread_count() {
        let terms = vec!["电压".to_owned(), "电费".to_owned(), "停电".to_owned()];
        let vecs: Vec<SparseVec> = (0..500).map(|i| words(&[i % 3])).collect();
        let cnts: Vec<Vec<(u32, u32)>> = (0..500).map(|i| counts(&[i % 3])).collect();
        let cause: Vec<Option<usize>> = (0..500).map(|i| Some(i as usize % 2)).collect();
        let typed: Vec<Option<ComplaintClass>> = (0..500)
            .map(|i| Some(ComplaintClass::ALL[(i * 7 % 11) as usize % 5]))
            .collect();
        let tax = Taxonomy::builtin().unwrap();
        let orders = inputs(&vecs, &cnts, &cause, &typed);
        let fit = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    let m = ClassModel::train(&orders, &terms, 2, &tax, 5);
                    (m.weights.clone(), m.predict(&orders))
                })
        };
        assert_eq!(fit(1), fit(2));
    }

    #[test]
    fn without_typed_classes_cues_train_the_model() {
        let terms = vec!["低电压".to_owned(), "欠费".to_owned()];
        let vecs: Vec<SparseVec> = (0..10).map(|i| words(&[i % 2])).collect();
        let cnts: Vec<Vec<(u32, u32)>> = (0..10).map(|i| counts(&[i % 2])).collect();
        let orders = inputs(&vecs, &cnts, &[None; 10], &[None; 10]);
        let tax = Taxonomy::builtin().unwrap();
        let model = ClassModel::train(&orders, &terms, 0, &tax, 1);
        assert_eq!(model.source, "taxonomy-cues");
        let pred = model.predict(&orders);
        assert_eq!(pred[0], ComplaintClass::PowerQuality);
        assert_eq!(pred[1], ComplaintClass::Business);
    }
}
