//! Evaluation: how far a finished run agrees with known labels (synthetic
//! truth or a labelled export): cause NMI/ARI, class accuracy, the
//! misclassification flag, gap accuracy and repeat precision/recall.

use std::sync::Arc;

use kesu_model::ComplaintClass;
use serde::Serialize;

use super::Mining;

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
    /// Share of orders with a true gap whose own gap ([`super::Assignment::gap_id`])
    /// is that gap (other and unmapped count as wrong).
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
        let (n, ok) = tg
            .iter()
            .zip(&mining.assignments)
            .filter_map(|(t, a)| t.as_deref().map(|t| a.gap_id.as_deref() == Some(t)))
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
