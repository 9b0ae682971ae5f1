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
use crate::taxonomy::Taxonomy;
#[cfg(test)]
use crate::taxonomy::cue_matches;

/// Members per cause the gap is scored on: enough for shares to within a
/// few points, few enough that the step costs nothing at a million orders.
const SAMPLE: usize = 400;

/// Each cause's gap with what it was scored on, kept for the orders' own
/// gaps ([`order_gaps`]).
pub(super) struct CauseGaps {
    /// The gap of each cause.
    pub gaps: Vec<GapMatch>,
    /// Per cause and gap, the members' cue votes (before the resolution weight).
    votes: Vec<Vec<f64>>,
    /// Per cause, the smoothed share of 属实 among members that record it.
    yes_share: Vec<Option<f64>>,
}

/// The gap of every cause (`members` in cause order).
pub(super) fn cause_gaps(
    corpus: &Corpus,
    members: &[Vec<usize>],
    taxonomy: &Taxonomy,
) -> CauseGaps {
    let samples: Vec<Vec<usize>> = members.iter().map(|m| sample(m)).collect();
    let masks = CueMasks::new(corpus, &samples, taxonomy);
    let substantiated = gap_substantiated(taxonomy);
    let mut out = CauseGaps {
        gaps: Vec::new(),
        votes: Vec::new(),
        yes_share: Vec::new(),
    };
    for s in &samples {
        let votes = cue_votes(corpus, s, &masks, taxonomy.gaps.len());
        let yes = yes_share(corpus, s);
        let scores: Vec<f64> = votes
            .iter()
            .zip(&substantiated)
            .map(|(v, &sub)| v * agreement(yes, sub))
            .collect();
        out.gaps.push(gap_match(&scores, taxonomy));
        out.votes.push(votes);
        out.yes_share.push(yes);
    }
    out
}

/// How far an order's own words may move it off its cause's gap: its cue
/// shares are added to the cause's with this weight. One order's few words
/// are noisy: at 1.0 they cost 2–3 points of gap accuracy on the labelled
/// fixtures, at 0.3 they gain a point on cross_class.csv (measured with 0,
/// 0.3 and 1 on three synthetic files, see reports/bench/analyze.md).
const OWN_WORDS: f64 = 0.3;

/// How often a recorded 是否属实 is taken to be right, for one order: it
/// multiplies the cause's odds of 属实 by 0.9 / 0.1 (or the inverse).
const OWN_RESOLUTION: f64 = 0.9;

/// Per order, the index of its own gap in `taxonomy.gaps` (None: other
/// bucket or unmapped). A cause can mix gaps (抢修人员呵斥 and 抢修后不回访
/// share their words about repairs): an order's gap is its cause's evidence
/// plus its own cue words, weighted by its own 是否属实 where recorded.
pub(super) fn order_gaps(
    corpus: &Corpus,
    features: &crate::features::Features,
    cause: &[Option<usize>],
    scored: &CauseGaps,
    taxonomy: &Taxonomy,
) -> Vec<Option<u16>> {
    use rayon::prelude::*;
    let index = CueIndex::new(taxonomy);
    let n = features.counts.len().max(1) as f64;
    let terms: Vec<(u64, f64)> = features
        .terms
        .par_iter()
        .zip(&features.df)
        .map(|(t, &df)| (index.mask(t), (1.0 + n / f64::from(df.max(1))).ln()))
        .collect();
    let substantiated = gap_substantiated(taxonomy);
    let n_gaps = taxonomy.gaps.len();
    (0..features.counts.len())
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| {
            let c = cause[i]?;
            let mut words = vec![0.0f64; n_gaps];
            for &(t, _) in &features.counts[i] {
                let (mut m, idf) = terms[t as usize];
                while m != 0 {
                    words[m.trailing_zeros() as usize] += idf;
                    m &= m - 1;
                }
            }
            let total: f64 = words.iter().sum();
            // The order's own record updates its cause's odds of 属实.
            let own = match corpus.orders[i].substantiated {
                Some(true) => OWN_RESOLUTION / (1.0 - OWN_RESOLUTION),
                Some(false) => (1.0 - OWN_RESOLUTION) / OWN_RESOLUTION,
                None => 1.0,
            };
            let yes = match (scored.yes_share[c], corpus.orders[i].substantiated) {
                (None, None) => None,
                (p, _) => {
                    let p = p.unwrap_or(0.5);
                    let odds = p / (1.0 - p) * own;
                    Some(odds / (1.0 + odds))
                }
            };
            let scores: Vec<f64> = (0..n_gaps)
                .map(|g| {
                    let mine = if total > 0.0 { words[g] / total } else { 0.0 };
                    (scored.votes[c][g] + OWN_WORDS * mine) / (1.0 + OWN_WORDS)
                        * agreement(yes, substantiated[g])
                })
                .collect();
            let m = gap_match(&scores, taxonomy);
            m.gap_id
                .and_then(|id| taxonomy.gaps.iter().position(|g| g.id == id))
                .map(|g| g as u16)
        })
        .collect()
}

/// Cue words by gap, for matching many terms fast: a term matches a cue
/// when one contains the other ([`cue_matches`]), so a term's gaps are
/// those of the cues among its substrings and of the cues it is a
/// substring of.
struct CueIndex {
    /// Cue → its gaps.
    cues: rustc_hash::FxHashMap<String, u64>,
    /// Every substring (≥ 2 characters) of a cue → the gaps of the cues holding it.
    inside: rustc_hash::FxHashMap<String, u64>,
}

impl CueIndex {
    fn new(taxonomy: &Taxonomy) -> CueIndex {
        let mut cues: rustc_hash::FxHashMap<String, u64> = rustc_hash::FxHashMap::default();
        let mut inside: rustc_hash::FxHashMap<String, u64> = rustc_hash::FxHashMap::default();
        for (g, gap) in taxonomy.gaps.iter().enumerate() {
            for cue in &gap.cues {
                if cue.chars().nth(1).is_none() {
                    continue;
                }
                *cues.entry(cue.clone()).or_insert(0) |= 1 << g;
                for sub in substrings(cue) {
                    *inside.entry(sub.to_owned()).or_insert(0) |= 1 << g;
                }
            }
        }
        CueIndex { cues, inside }
    }

    /// The gaps (bit g for `taxonomy.gaps[g]`) one of whose cues `term` matches.
    fn mask(&self, term: &str) -> u64 {
        if term.chars().nth(1).is_none() {
            return 0;
        }
        let mut m = self.inside.get(term).copied().unwrap_or(0);
        for sub in substrings(term) {
            m |= self.cues.get(sub).copied().unwrap_or(0);
        }
        m
    }
}

/// Every substring of two characters or more.
fn substrings(s: &str) -> impl Iterator<Item = &str> {
    let bounds: Vec<usize> = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect();
    let n = bounds.len();
    (0..n).flat_map(move |a| {
        let bounds = bounds.clone();
        (a + 2..n).map(move |b| &s[bounds[a]..bounds[b]])
    })
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
        let index = CueIndex::new(taxonomy);
        let masks = df
            .into_iter()
            .filter_map(|(t, d)| {
                let mask = index.mask(&corpus.lexicon[t as usize]);
                (mask != 0).then(|| (t, (mask, (1.0 + n as f64 / f64::from(d)).ln())))
            })
            .collect();
        CueMasks(masks)
    }

    fn get(&self, term: u32) -> (u64, f64) {
        self.0.get(&term).copied().unwrap_or((0, 0.0))
    }
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

/// The (Laplace-smoothed) share of 属实 among these orders that record
/// 是否属实, None when none does.
fn yes_share(corpus: &Corpus, orders: &[usize]) -> Option<f64> {
    let (mut yes, mut no) = (0usize, 0usize);
    for &i in orders {
        match corpus.orders[i].substantiated {
            Some(true) => yes += 1,
            Some(false) => no += 1,
            None => {}
        }
    }
    (yes + no > 0).then(|| (yes as f64 + 1.0) / ((yes + no) as f64 + 2.0))
}

/// How likely the recorded resolution is if the gap is right: the share of
/// 属实 for a substantiated gap, of 不属实 for the others; 1 when unknown.
fn agreement(yes: Option<f64>, substantiated: bool) -> f64 {
    match yes {
        None => 1.0,
        Some(p) if substantiated => p,
        Some(p) => 1.0 - p,
    }
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

    /// One order per term list, with its 是否属实.
    fn corpus(orders: &[(&[&str], Option<&str>)]) -> Corpus {
        let texts: Vec<(String, Option<&str>)> =
            orders.iter().map(|(t, s)| (t.concat(), *s)).collect();
        let terms: Vec<Vec<&str>> = orders.iter().map(|(t, _)| t.to_vec()).collect();
        crate::corpus::test_corpus(&texts, &terms)
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
        let g = cause_gaps(&c, &[vec![0, 1, 2], vec![3, 4]], &tax).gaps;
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
        let g = cause_gaps(&c, &[vec![0, 1, 2], vec![3, 4, 5], vec![6, 7]], &tax).gaps;
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
    fn the_cue_index_matches_as_cue_matches_does() {
        let tax = Taxonomy::builtin().unwrap();
        let index = CueIndex::new(&tax);
        for term in [
            "电",
            "电费",
            "电费账单",
            "高电费",
            "抢修人员",
            "态度恶劣",
            "停电通知单",
            "小区物业",
            "光伏",
            "通知",
        ] {
            let brute = tax
                .gaps
                .iter()
                .enumerate()
                .filter(|(_, g)| g.cues.iter().any(|c| cue_matches(term, c)))
                .fold(0u64, |m, (g, _)| m | 1 << g);
            assert_eq!(index.mask(term), brute, "{term}");
        }
        assert_eq!(
            substrings("电费单").collect::<Vec<_>>(),
            ["电费", "电费单", "费单"]
        );
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
