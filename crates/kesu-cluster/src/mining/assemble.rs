//! Step 8, assemble: the found pieces put together as the public results, one
//! [`RootCause`] per cause (with its unit, class and channel shares and its
//! typical cases) and one [`Assignment`] per order.

use std::collections::BTreeMap;
use std::sync::Arc;

use kesu_model::WorkOrderId;
use rayon::prelude::*;

use super::classes::Classed;
use super::label::Labelled;
use super::{Assignment, OTHER_ID, OTHER_LABEL, RootCause, TypicalCase, UNMAPPED};
use crate::corpus::Corpus;
use crate::repeats::RepeatGroup;
use crate::taxonomy::Taxonomy;

/// The root causes, by decreasing size (`members` is in cause order).
pub(super) fn root_causes(
    corpus: &Corpus,
    members: &[Vec<usize>],
    profiles: Vec<Vec<(String, f64)>>,
    labelled: &Labelled,
    classed: &Classed,
    typical: &[Vec<usize>],
    sims: &[f32],
) -> Vec<RootCause> {
    let orders = &corpus.orders;
    let n = orders.len();
    let n_causes = members.len();
    let Labelled {
        labels,
        gaps,
        top_terms,
        ..
    } = labelled;
    let predicted = &classed.predicted;
    (0..n_causes)
        .into_par_iter()
        .map(|c| {
            let m = &members[c];
            RootCause {
                id: c as u32 + 1,
                label: labels[c].clone(),
                size: m.len(),
                share: m.len() as f64 / n as f64,
                top_terms: top_terms[c].clone(),
                profile: profiles[c].clone(),
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
        .collect()
}

/// One assignment per order, in input order (`order_gaps`: each order's
/// gap, an index into `taxonomy.gaps`).
#[allow(clippy::too_many_arguments)]
pub(super) fn assignments(
    corpus: &Corpus,
    cause: &[Option<usize>],
    labelled: &Labelled,
    order_gaps: &[Option<u16>],
    taxonomy: &Taxonomy,
    classed: &Classed,
    groups: &[RepeatGroup],
    sims: &[f32],
) -> Vec<Assignment> {
    let orders = &corpus.orders;
    let n = orders.len();
    let n_causes = labelled.labels.len();
    let Labelled { labels, .. } = labelled;
    let gap_names: Vec<(Arc<str>, Arc<str>)> = taxonomy
        .gaps
        .iter()
        .map(|g| (Arc::from(g.id.as_str()), Arc::from(g.name.as_str())))
        .collect();
    let unmapped: Arc<str> = Arc::from(UNMAPPED);
    let no_gap: Arc<str> = Arc::from("");
    let Classed {
        typed, predicted, ..
    } = classed;
    let shared_labels: Vec<Arc<str>> = (0..n_causes)
        .map(|c| Arc::from(labels[c].as_str()))
        .collect();
    let other: Arc<str> = Arc::from(OTHER_LABEL);
    (0..n)
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            let o = &orders[i];
            let (cause_id, cause_label) = match cause[i] {
                Some(c) => (c as u32 + 1, &shared_labels[c]),
                None => (OTHER_ID, &other),
            };
            let (gap_id, gap) = match (cause[i], order_gaps[i]) {
                (None, _) => (None, Arc::clone(&no_gap)),
                (Some(_), None) => (None, Arc::clone(&unmapped)),
                (Some(_), Some(g)) => {
                    let (id, name) = &gap_names[g as usize];
                    (Some(Arc::clone(id)), Arc::clone(name))
                }
            };
            Assignment {
                id: Arc::clone(&o.id),
                cause_id,
                cause_label: Arc::clone(cause_label),
                gap,
                gap_id,
                predicted_class: predicted[i],
                typed_class: corpus.symbol_arc(o.category),
                typed_as: typed[i],
                class_disagrees: typed[i].is_some_and(|t| t != predicted[i]),
                is_repeat: groups[i].is_repeat,
                repeat_group: Arc::clone(&orders[groups[i].leader].id),
                score: sims[i],
            }
        })
        .collect()
}

/// Share of each value among `n` orders.
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
