//! Step 4a, cause labels a manager can read: a short phrase that stands in
//! the cause's own complaints (智能电表跳字, 停电未提前通知), not a list of
//! top words (时间·通知·实际).
//!
//! Candidates are runs of two or three adjacent content words of a member's
//! term list that also stand side by side in its (redacted, normalised)
//! text: the term list drops stop words, so two neighbours in it may be far
//! apart in the text, and only a run the text really contains is a phrase
//! somebody wrote. A candidate is scored by how many of the cause's members
//! use it, how much more often they do than the other causes' members, and
//! the c-TF-IDF weight of its words in the cause; it must be readable: 4–10
//! characters, letters only (no mask `*`, no punctuation), and neither
//! starting nor ending with a function word.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::corpus::Corpus;

/// Members per cause whose texts candidates are read from: enough that a
/// phrase used by a tenth of them is seen twenty times, few enough that
/// labelling a million orders costs milliseconds.
pub(super) const SAMPLE: usize = 200;

/// Shortest and longest label, in characters.
const CHARS: std::ops::RangeInclusive<usize> = 4..=10;

/// Single-character words a label must not start or end with: particles,
/// pronouns, prepositions and conjunctions ("的电表", "停电了").
const FUNCTION_WORDS: &[&str] = &[
    "的", "了", "在", "是", "我", "也", "就", "都", "和", "与", "及", "着", "过", "把", "被", "对",
    "从", "向", "给", "很", "又", "还", "而", "并", "或", "等", "他", "她", "它", "你", "其", "之",
    "地", "得", "但", "却", "才", "再", "已", "有", "没", "不",
];

/// Per cause, its phrase label, or `None` when no candidate qualifies.
/// `weights[c]` are the cause's c-TF-IDF top terms; labels are unique
/// across causes (a later, smaller cause takes its next-best phrase).
pub(super) fn phrase_labels(
    corpus: &Corpus,
    members: &[Vec<usize>],
    weights: &[Vec<(String, f64)>],
) -> Vec<Option<String>> {
    let counts: Vec<(usize, FxHashMap<String, u32>)> = members
        .par_iter()
        .map(|m| {
            let sample = sample(m);
            let mut counts: FxHashMap<String, u32> = FxHashMap::default();
            for &i in &sample {
                let o = &corpus.orders[i];
                let words: Vec<&str> = o
                    .terms
                    .iter()
                    .map(|&t| &*corpus.lexicon[t as usize])
                    .collect();
                let mut seen = candidates(&words, o.text.as_str(), &|w| {
                    corpus.label_words.as_ref().is_none_or(|l| l.allows(w))
                });
                seen.sort_unstable();
                seen.dedup();
                for p in seen {
                    *counts.entry(p).or_insert(0) += 1;
                }
            }
            (sample.len(), counts)
        })
        .collect();
    let mut all: FxHashMap<&str, u32> = FxHashMap::default();
    for (_, c) in &counts {
        // Counts are summed: the visiting order cannot matter.
        #[allow(clippy::iter_over_hash_type)]
        for (p, n) in c {
            *all.entry(p.as_str()).or_insert(0) += n;
        }
    }
    let sampled: usize = counts.iter().map(|c| c.0).sum::<usize>().max(1);
    let ranked: Vec<Vec<(String, f64)>> = counts
        .par_iter()
        .zip(weights)
        .map(|((n, c), w)| rank(c, *n, &all, sampled, w))
        .collect();
    let mut taken: Vec<String> = Vec::new();
    ranked
        .into_iter()
        .map(|r| {
            let label = r.into_iter().map(|p| p.0).find(|p| !taken.contains(p));
            if let Some(l) = &label {
                taken.push(l.clone());
            }
            label
        })
        .collect()
}

/// Candidates of a cause by decreasing score (ties by phrase): used by at
/// least two sampled members and one in twenty.
fn rank(
    counts: &FxHashMap<String, u32>,
    n: usize,
    all: &FxHashMap<&str, u32>,
    sampled: usize,
    weights: &[(String, f64)],
) -> Vec<(String, f64)> {
    let n = n.max(1) as f64;
    let top = weights.iter().map(|w| w.1).fold(0.0f64, f64::max);
    let weight_of = |word: &str| {
        weights
            .iter()
            .find(|w| w.0 == word)
            .map_or(0.0, |w| w.1 / top.max(f64::MIN_POSITIVE))
    };
    let mut ranked: Vec<(String, f64)> = counts
        .iter()
        .filter(|&(_, &c)| c >= 2 && f64::from(c) >= 0.05 * n)
        .map(|(p, &c)| {
            let here = f64::from(c) / n;
            let everywhere = f64::from(all.get(p.as_str()).copied().unwrap_or(c)) / sampled as f64;
            let lift = here / everywhere.max(f64::MIN_POSITIVE);
            // The words' c-TF-IDF weight: known only as the candidate's
            // concatenation, so each top term the phrase contains counts.
            let w: f64 = weights
                .iter()
                .filter(|t| t.0.chars().count() >= 2 && p.contains(t.0.as_str()))
                .map(|t| weight_of(&t.0))
                .sum();
            (p.clone(), here * (1.0 + lift).ln() * (1.0 + w))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked
}

/// Every member of a small cause, else an even spread of [`SAMPLE`].
fn sample(members: &[usize]) -> Vec<usize> {
    if members.len() <= SAMPLE {
        return members.to_vec();
    }
    (0..SAMPLE)
        .map(|j| members[j * members.len() / SAMPLE])
        .collect()
}

/// The readable phrases of one order: runs of 2–3 adjacent terms whose
/// concatenation the text contains, see [`readable`].
fn candidates(words: &[&str], text: &str, names: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for n in 2..=3 {
        for run in words.windows(n) {
            if !readable(run, names) {
                continue;
            }
            let phrase: String = run.concat();
            if CHARS.contains(&phrase.chars().count()) && stated(text, &phrase) {
                out.push(phrase);
            }
        }
    }
    out
}

/// Characters that negate what follows: the segmenter drops them as stop
/// words, so "不清楚阶梯电价" would otherwise yield 清楚阶梯电价.
const NEGATIONS: &[char] = &['不', '没', '未', '无', '非', '别', '勿'];

/// Words that open what the customer asks for ("要求尽快派人抢修"): a label
/// names the problem, not the remedy asked.
const DEMANDS: &[&str] = &["要求", "希望", "请求", "建议", "要求尽快"];

/// Whether the text states `phrase` as its problem somewhere: an occurrence
/// neither right after a negation nor in a clause that asks for something.
fn stated(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = &text[..at];
        let negated = before
            .chars()
            .next_back()
            .is_some_and(|c| NEGATIONS.contains(&c));
        let clause = before
            .rfind(|c: char| !c.is_alphanumeric())
            .map_or(before, |p| &before[p..]);
        !negated && !DEMANDS.iter().any(|d| clause.contains(d))
    })
}

/// Letters only, first and last words of two characters at least (a
/// one-character verb at the end wants an object: 停电通知写), and both name something name something (`names`,
/// (`names`, e.g. the segmenter's part-of-speech test) and are no function word.
fn readable(run: &[&str], names: &dyn Fn(&str) -> bool) -> bool {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return false;
    };
    run.iter().all(|w| w.chars().all(char::is_alphanumeric))
        && ![first, last].iter().any(|w| {
            w.chars().nth(1).is_none()
                || FUNCTION_WORDS.contains(&**w)
                || REPORTING.contains(&**w)
                || !names(w)
        })
}

/// Words that report or ask rather than say what went wrong: a label does
/// not start or end with them (认为客服, 收到短信通知 is kept: 收到 is not here).
const REPORTING: &[&str] = &[
    "认为", "要求", "希望", "表示", "反映", "投诉", "来电", "客户", "显示",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn corpus(orders: &[(&str, &[&str])]) -> Corpus {
        let texts: Vec<(String, Option<&str>)> = orders
            .iter()
            .map(|(t, _)| ((*t).to_owned(), None))
            .collect();
        let terms: Vec<Vec<&str>> = orders.iter().map(|(_, t)| t.to_vec()).collect();
        crate::corpus::test_corpus(&texts, &terms)
    }

    #[test]
    fn a_phrase_the_members_write_names_the_cause() {
        let c = corpus(&[
            (
                "客户反映智能电表跳字，电费偏高",
                &["智能电表", "跳字", "电费", "偏高"],
            ),
            ("家中智能电表跳字严重", &["智能电表", "跳字", "严重"]),
            (
                "智能电表跳字太快，要求校验",
                &["智能电表", "跳字", "太快", "校验"],
            ),
            (
                "停电没有提前通知，小区突然停电",
                &["停电", "提前", "通知", "小区", "突然", "停电"],
            ),
            ("计划停电未提前通知", &["计划", "停电", "提前", "通知"]),
            ("停电未提前通知客户", &["停电", "提前", "通知", "客户"]),
        ]);
        let w = |t: &[&str]| -> Vec<(String, f64)> {
            t.iter().map(|s| ((*s).to_owned(), 1.0)).collect()
        };
        let labels = phrase_labels(
            &c,
            &[vec![0, 1, 2], vec![3, 4, 5]],
            &[w(&["跳字", "智能电表"]), w(&["提前", "通知"])],
        );
        assert_eq!(labels[0].as_deref(), Some("智能电表跳字"));
        // 停电提前通知 is no phrase of the texts (未 stands between), and
        // 提前通知 always follows a negation: saying it would say the opposite.
        assert_eq!(labels[1], None);
    }

    #[test]
    fn masks_punctuation_and_function_words_never_make_a_label() {
        let yes = |_: &str| true;
        assert!(!readable(&["电表", "*"], &yes));
        assert!(!readable(&["电表", "，"], &yes));
        assert!(!readable(&["的", "电表"], &yes));
        assert!(!readable(&["电表", "了"], &yes));
        assert!(!readable(&["停电通知", "写"], &yes));
        assert!(!readable(&["认为", "电费"], &yes));
        assert!(readable(&["电表", "的", "读数"], &yes));
        // Negated, or asked for: not the complaint's problem.
        assert!(!stated("不清楚阶梯电价", "清楚阶梯电价"));
        assert!(!stated("客户要求尽快派人抢修", "派人抢修"));
        assert!(stated("要求解释。抢修人员迟迟不到", "抢修人员迟迟不到"));
        assert!(!readable(&["很多", "电表"], &|w| w != "很多"));
        // Far apart in the text, adjacent only in the term list.
        assert!(candidates(&["电表", "读数"], "电表的读数", &yes).is_empty());
        assert_eq!(
            candidates(&["电表", "读数"], "电表读数", &yes),
            ["电表读数"]
        );
        assert!(
            candidates(&["电", "表"], "电表", &yes).is_empty(),
            "too short"
        );
    }

    #[test]
    fn labels_stay_unique() {
        // The second cause's best phrase is the first one's: it takes its next.
        let c = corpus(&[
            ("抢修人员态度差", &["抢修人员", "态度差"]),
            ("抢修人员态度差", &["抢修人员", "态度差"]),
            (
                "抢修人员态度差，抢修太慢",
                &["抢修人员", "态度差", "抢修", "太慢"],
            ),
            (
                "抢修人员态度差，抢修太慢",
                &["抢修人员", "态度差", "抢修", "太慢"],
            ),
            ("抢修人员态度差", &["抢修人员", "态度差"]),
            ("抢修人员态度差", &["抢修人员", "态度差"]),
        ]);
        let labels = phrase_labels(&c, &[vec![0, 1], vec![2, 3, 4, 5]], &[vec![], vec![]]);
        assert_eq!(labels[0].as_deref(), Some("抢修人员态度差"));
        assert_eq!(labels[1].as_deref(), Some("抢修太慢"));
    }

    proptest! {
        /// Whatever the texts and their terms, a label is a substring of a
        /// member's text, readable and of 4–10 characters (or there is none).
        #[test]
        fn a_label_stands_in_some_member_text(
            texts in proptest::collection::vec("[电表跳字停通知抢修的了*，]{0,12}", 1..8),
            cut in proptest::collection::vec(1usize..4, 12),
        ) {
            // Terms: the text cut into pieces of 1–3 characters, punctuation kept.
            let terms: Vec<Vec<String>> = texts
                .iter()
                .map(|t| {
                    let chars: Vec<char> = t.chars().collect();
                    let mut out = Vec::new();
                    let (mut i, mut j) = (0, 0);
                    while i < chars.len() {
                        let n = cut[j % cut.len()].min(chars.len() - i);
                        out.push(chars[i..i + n].iter().collect::<String>());
                        i += n;
                        j += 1;
                    }
                    out
                })
                .collect();
            let refs: Vec<Vec<&str>> = terms.iter().map(|t| t.iter().map(String::as_str).collect()).collect();
            let orders: Vec<(&str, &[&str])> = texts.iter().map(String::as_str).zip(refs.iter().map(Vec::as_slice)).collect();
            let c = corpus(&orders);
            let all: Vec<usize> = (0..c.len()).collect();
            let labels = phrase_labels(&c, &[all], &[vec![]]);
            if let Some(l) = &labels[0] {
                prop_assert!(c.orders.iter().any(|o| o.text.as_str().contains(l.as_str())), "{l}");
                prop_assert!(CHARS.contains(&l.chars().count()));
                prop_assert!(l.chars().all(char::is_alphanumeric), "{l}");
            }
        }
    }
}
