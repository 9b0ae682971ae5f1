//! Step 4, label: per cause, class-based TF-IDF top terms, a short label
//! (a phrase of its complaints, [`super::phrase`]; else two or three top
//! words that name something) and its management gap ([`super::gaps`]).

use rayon::prelude::*;

use super::GapMatch;
use super::gaps::{CauseGaps, cause_gaps};
use super::vectorize::TYPED_PREFIX;
use crate::corpus::Corpus;
use crate::features::Features;
use crate::taxonomy::Taxonomy;

/// What names and maps each cause: its c-TF-IDF terms, label, gap and top
/// terms, in cause order.
pub(super) struct Labelled {
    /// The 30 heaviest c-TF-IDF term ids, typed-class tokens included.
    pub tops: Vec<Vec<(u32, f64)>>,
    /// Short labels, unique where possible.
    pub labels: Vec<String>,
    /// The management gap of each cause.
    pub gaps: Vec<GapMatch>,
    /// What the gaps were scored on, for the orders' own gaps.
    pub gap_scores: CauseGaps,
    /// Up to 10 top terms as words, typed-class tokens left out.
    pub top_terms: Vec<Vec<(String, f64)>>,
}

/// Labels, gaps and top terms of every cause.
pub(super) fn labels_and_gaps(
    features: &Features,
    members: &[Vec<usize>],
    corpus: &Corpus,
    taxonomy: &Taxonomy,
) -> Labelled {
    let tops = class_tfidf(features, members);
    let named: Vec<Vec<(String, f64)>> = tops
        .iter()
        .map(|top| {
            top.iter()
                .filter(|&&(t, _)| !features.terms[t as usize].starts_with(TYPED_PREFIX))
                .map(|&(t, w)| (features.terms[t as usize].clone(), w))
                .collect()
        })
        .collect();
    let phrases = super::phrase::phrase_labels(corpus, members, &named);
    let mut labels: Vec<String> = Vec::new();
    let mut top_terms: Vec<Vec<(String, f64)>> = Vec::new();
    for (named, phrase) in named.into_iter().zip(phrases) {
        let label = match phrase {
            Some(p) if !labels.contains(&p) => p,
            _ => {
                let nameable: Vec<(String, f64)> = match &corpus.label_words {
                    Some(words) => named
                        .iter()
                        .filter(|(t, _)| words.allows(t))
                        .cloned()
                        .collect(),
                    None => Vec::new(),
                };
                label_of(
                    if nameable.is_empty() {
                        &named
                    } else {
                        &nameable
                    },
                    &labels,
                )
            }
        };
        labels.push(label);
        top_terms.push(named.into_iter().take(10).collect());
    }
    let gap_scores = cause_gaps(corpus, members, taxonomy);
    let gaps: Vec<GapMatch> = gap_scores.gaps.clone();
    Labelled {
        tops,
        labels,
        gaps,
        gap_scores,
        top_terms,
    }
}

/// Per cause, the [`PROFILE_TERMS`](super::PROFILE_TERMS) heaviest terms of
/// its dense centroid as words (typed-class tokens left out: they say what
/// operators typed, not what the complaint is about), heaviest first, ties
/// by term so that the profile is deterministic.
pub(super) fn profiles(features: &Features, dense: &[Vec<f32>]) -> Vec<Vec<(String, f64)>> {
    dense
        .par_iter()
        .map(|centroid| {
            let mut terms: Vec<(usize, f32)> = centroid
                .iter()
                .copied()
                .enumerate()
                .filter(|&(t, w)| w > 0.0 && !features.terms[t].starts_with(TYPED_PREFIX))
                .collect();
            terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            terms.truncate(super::PROFILE_TERMS);
            terms
                .into_iter()
                .map(|(t, w)| (features.terms[t].clone(), f64::from(w)))
                .collect()
        })
        .collect()
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

/// The fallback label when no phrase qualifies, "低电压·空调·台区": two or three top terms, skipping single characters and
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
