//! Step 6a, classes: the operator-typed classes resolved through the
//! taxonomy's aliases, and the class model (logistic regression over the
//! words and the root cause, trained on those noisy typed classes) whose
//! prediction flags the orders typed differently.

use std::collections::{BTreeMap, HashMap};

use kesu_model::ComplaintClass;

use crate::classify::{ClassInput, ClassModel};
use crate::corpus::{Corpus, Sym};
use crate::features::Features;
use crate::taxonomy::{Taxonomy, TypedClass};

/// The class model's outcome, per order in input order.
pub(super) struct Classed {
    /// The typed class, when the taxonomy knows it.
    pub typed: Vec<Option<ComplaintClass>>,
    /// What the model was trained on ("typed" or "taxonomy-cues").
    pub source: &'static str,
    /// The predicted class.
    pub predicted: Vec<ComplaintClass>,
}

/// Every order's typed class through the taxonomy's aliases, and the
/// unknown values with their counts. Each distinct value is resolved once
/// (values are interned symbols; an export has a handful).
pub(super) fn typed_classes(
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

/// Trains the class model on the typed classes and predicts every order's class.
pub(super) fn classify(
    features: &Features,
    typed_kinds: &[TypedClass],
    cause: &[Option<usize>],
    n_causes: usize,
    taxonomy: &Taxonomy,
    seed: u64,
) -> Classed {
    let n = cause.len();
    let typed: Vec<Option<ComplaintClass>> = typed_kinds.iter().map(|k| k.class()).collect();
    let class_inputs: Vec<ClassInput<'_>> = (0..n)
        .map(|i| ClassInput {
            words: &features.docs[i],
            counts: &features.counts[i],
            cause: cause[i],
            typed: typed[i],
        })
        .collect();
    let model = ClassModel::train(&class_inputs, &features.terms, n_causes, taxonomy, seed);
    let predicted = model.predict(&class_inputs);
    Classed {
        typed,
        source: model.source,
        predicted,
    }
}
