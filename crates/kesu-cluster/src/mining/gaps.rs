//! Step 5, gaps: the management gap of each cause, from what its complaints
//! say and from how they were resolved, or "unmapped: possible new gap".
//!
//! A cause's gap is scored on its member orders, not on its top terms alone:
//! every sampled member spreads one vote over the gaps whose cue terms it
//! uses (in proportion to how many it uses), so a cue that only a few
//! members write still counts, and a cause's evidence does not hinge on
//! which 30 words c-TF-IDF happened to rank first.
//!
//! The same words can name a real defect or a misunderstanding: "电费突增，
//! 怀疑多收" is a billing error when the utility erred and a publicity gap
//! when the bill was right. Only the resolution tells them apart, and real
//! exports record it (是否属实). So each gap's vote share is weighted by how
//! well the members' 是否属实 agrees with the gap's quadrant (substantiated
//! or not); without that column every gap keeps its full weight.

use super::{GapMatch, UNMAPPED};
use crate::corpus::Corpus;
use crate::taxonomy::{Taxonomy, cue_matches};

/// Members per cause the gap is scored on: enough for shares to within a
/// few points, few enough that the step costs nothing at a million orders.
const SAMPLE: usize = 400;

/// The gap of every cause (`members` in cause order).
pub(super) fn cause_gaps(
    corpus: &Corpus,
    members: &[Vec<usize>],
    taxonomy: &Taxonomy,
) -> Vec<GapMatch> {
    let samples: Vec<Vec<usize>> = members.iter().map(|m| sample(m)).collect();
    let masks = CueMasks::new(corpus, &samples, taxonomy);
    let substantiated = gap_substantiated(taxonomy);
    samples
        .iter()
        .map(|s| {
            let votes = cue_votes(corpus, s, &masks, taxonomy.gaps.len());
            let agreement = resolution_agreement(corpus, s, &substantiated);
            let scores: Vec<f64> = votes.iter().zip(&agreement).map(|(v, a)| v * a).collect();
            gap_match(&scores, taxonomy)
        })
        .collect()
}

/// Every member of a small cause, else an even spread of [`SAMPLE`] of them
/// (deterministic).
fn sample(members: &[usize]) -> Vec<usize> {
    if members.len() <= SAMPLE {
        return members.to_vec();
    }
    (0..SAMPLE)
        .map(|j| members[j * members.len() / SAMPLE])
        .collect()
}

/// Per lexicon term of the sampled orders: which gaps it is a cue of (one
/// bit per gap) and how much it says (its IDF over the samples). A cue word
/// every other complaint uses (抢修人员, 电费) names who or what was
/// involved; a rare one (呵斥, 估抄) names what went wrong, and must
/// outweigh it when an order has both.
struct CueMasks(rustc_hash::FxHashMap<u32, (u64, f64)>);

impl CueMasks {
    fn new(corpus: &Corpus, samples: &[Vec<usize>], taxonomy: &Taxonomy) -> CueMasks {
        let mut df: rustc_hash::FxHashMap<u32, u32> = rustc_hash::FxHashMap::default();
        let mut seen: Vec<u32> = Vec::new();
        let mut n = 0usize;
        for &i in samples.iter().flatten() {
            n += 1;
            seen.clear();
            seen.extend(corpus.orders[i].terms.iter().copied());
            seen.sort_unstable();
            seen.dedup();
            for &t in &seen {
                *df.entry(t).or_insert(0) += 1;
            }
        }
        let masks = df
            .into_iter()
            .filter_map(|(t, d)| {
                let mask = cue_mask(&corpus.lexicon[t as usize], taxonomy);
                (mask != 0).then(|| (t, (mask, (1.0 + n as f64 / f64::from(d)).ln())))
            })
            .collect();
        CueMasks(masks)
    }

    fn get(&self, term: u32) -> (u64, f64) {
        self.0.get(&term).copied().unwrap_or((0, 0.0))
    }
}

/// The gaps (bit g for `taxonomy.gaps[g]`) one of whose cues `term` matches.
fn cue_mask(term: &str, taxonomy: &Taxonomy) -> u64 {
    taxonomy
        .gaps
        .iter()
        .enumerate()
        .filter(|(_, gap)| gap.cues.iter().any(|c| cue_matches(term, c)))
        .fold(0u64, |m, (g, _)| m | 1 << g)
}

/// Per gap, the mean over these orders of the share of the order's
/// IDF-weighted cue words that are the gap's (orders without any cue word vote for nothing).
fn cue_votes(corpus: &Corpus, orders: &[usize], masks: &CueMasks, n_gaps: usize) -> Vec<f64> {
    let mut votes = vec![0.0f64; n_gaps];
    let mut hits = vec![0.0f64; n_gaps];
    for &i in orders {
        hits.iter_mut().for_each(|h| *h = 0.0);
        for &t in corpus.orders[i].terms.iter() {
            let (mut m, idf) = masks.get(t);
            while m != 0 {
                hits[m.trailing_zeros() as usize] += idf;
                m &= m - 1;
            }
        }
        let total: f64 = hits.iter().sum();
        if total > 0.0 {
            for (v, &h) in votes.iter_mut().zip(&hits) {
                *v += h / total;
            }
        }
    }
    let n = orders.len().max(1) as f64;
    votes.iter_mut().for_each(|v| *v /= n);
    votes
}

/// Whether each gap's quadrant is a substantiated one (属实); gaps of an
/// unknown quadrant are taken as substantiated (validation rejects them).
fn gap_substantiated(taxonomy: &Taxonomy) -> Vec<bool> {
    taxonomy
        .gaps
        .iter()
        .map(|g| {
            taxonomy
                .quadrants
                .iter()
                .find(|q| q.name == g.quadrant)
                .is_none_or(|q| q.substantiated)
        })
        .collect()
}

/// Per gap, how likely these orders' recorded 是否属实 is if the gap is
/// theirs: the (Laplace-smoothed) share of 属实 for a substantiated gap,
/// of 不属实 for the others; 1 for every gap when no order records it.
fn resolution_agreement(corpus: &Corpus, orders: &[usize], substantiated: &[bool]) -> Vec<f64> {
    let (mut yes, mut no) = (0usize, 0usize);
    for &i in orders {
        match corpus.orders[i].substantiated {
            Some(true) => yes += 1,
            Some(false) => no += 1,
            None => {}
        }
    }
    if yes + no == 0 {
        return vec![1.0; substantiated.len()];
    }
    let p = (yes as f64 + 1.0) / ((yes + no) as f64 + 2.0);
    substantiated
        .iter()
        .map(|&s| if s { p } else { 1.0 - p })
        .collect()
}

/// The best-scoring gap (first in file order on ties), or unmapped when
/// its score stays below the taxonomy's `min-score`.
fn gap_match(scores: &[f64], taxonomy: &Taxonomy) -> GapMatch {
    let best = scores
        .iter()
        .copied()
        .enumerate()
        .fold(None::<(usize, f64)>, |best, (g, s)| match best {
            Some(b) if s <= b.1 => Some(b),
            _ => Some((g, s)),
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use kesu_model::WorkOrder;

    /// One order per term list, with its 是否属实.
    fn corpus(orders: &[(&[&str], Option<&str>)]) -> Corpus {
        let at = NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let n = kesu_normalize::Normalizer::builtin();
        let built: Vec<_> = orders
            .iter()
            .enumerate()
            .map(|(i, (terms, s))| {
                let mut o = WorkOrder::new(format!("W{i}"), at, terms.concat());
                o.substantiated = s.map(str::to_owned);
                n.apply(o)
            })
            .collect();
        let terms: Vec<Vec<&str>> = orders.iter().map(|(t, _)| t.to_vec()).collect();
        Corpus::from_orders(built, &terms, &[])
    }

    #[test]
    fn members_vote_and_unknown_words_stay_unmapped() {
        let tax = Taxonomy::builtin().unwrap();
        let c = corpus(&[
            (&["抢修", "迟迟", "昨天"], None),
            (&["抢修", "太慢"], None),
            (&["昨天", "家里"], None),
            (&["光伏", "并网"], None),
            (&["光伏", "结算"], None),
        ]);
        let g = cause_gaps(&c, &[vec![0, 1, 2], vec![3, 4]], &tax);
        assert_eq!(g[0].gap_id.as_deref(), Some("slow_repair"));
        assert_eq!(g[0].post, "电力紧急服务");
        // Two of three members vote, all for slow repair.
        assert!((g[0].score - 2.0 / 3.0).abs() < 1e-9, "{}", g[0].score);
        assert_eq!(g[1].gap_id, None);
        assert_eq!(g[1].name, UNMAPPED);
    }

    #[test]
    fn the_resolution_tells_an_error_from_a_misunderstanding() {
        let tax = Taxonomy::builtin().unwrap();
        // The same complaint words: 电费 (a billing error) outweighs 怀疑
        // (a doubt) unless the orders were found not substantiated.
        let words: &[&str] = &["电费", "账单", "怀疑"];
        let c = corpus(&[
            (words, Some("属实")),
            (words, Some("属实")),
            (words, Some("属实")),
            (words, Some("不属实")),
            (words, Some("不属实")),
            (words, Some("不属实")),
            (words, None),
            (words, None),
        ]);
        let g = cause_gaps(&c, &[vec![0, 1, 2], vec![3, 4, 5], vec![6, 7]], &tax);
        assert_eq!(g[0].gap_id.as_deref(), Some("skill"));
        assert_eq!(g[1].gap_id.as_deref(), Some("publicity"));
        assert_eq!(g[2].gap_id.as_deref(), Some("skill"));
    }

    #[test]
    fn substantiation_values_parse() {
        use crate::corpus::parse_substantiated;
        assert_eq!(parse_substantiated(" 属实 "), Some(true));
        assert_eq!(parse_substantiated("部分属实"), Some(true));
        assert_eq!(parse_substantiated("不属实"), Some(false));
        assert_eq!(parse_substantiated("否"), Some(false));
        assert_eq!(parse_substantiated("待核实"), None);
        assert_eq!(parse_substantiated(""), None);
    }

    #[test]
    fn large_causes_are_sampled_evenly() {
        let m: Vec<usize> = (0..1000).collect();
        let s = sample(&m);
        assert_eq!(s.len(), SAMPLE);
        assert_eq!((s[0], s[1], s[SAMPLE - 1]), (0, 2, 997));
        assert_eq!(sample(&[3, 5]), vec![3, 5]);
    }
}
