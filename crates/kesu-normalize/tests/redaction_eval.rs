//! Precision and recall of personal-data detection on the hand-labelled set
//! `fixtures/redaction/labelled.tsv`, per kind and overall, with floors on
//! the `held_out` rows (the rules were tuned on the `tune` rows only).
//!
//! What counts as a hit:
//!
//! - a labelled span is **found** when one detected span of the same kind
//!   covers it entirely (a detected span may be wider: 西湖区文三路90号 for
//!   文三路90号). Overall (any kind), it is found when one detected span of
//!   any kind covers it: what matters for a leak is that it is masked;
//! - a detected span is **correct** when it overlaps a labelled span of the
//!   same kind (overall: of any kind); otherwise it is a false positive.
//!
//! Exact matches (same kind, same start and end) are counted too and printed,
//! but carry no floor. Run with `-- --nocapture` to see the table and every
//! miss and false positive of the `tune` rows (`KESU_REDACTION_SHOW=held_out`
//! shows the held-out ones instead).

// The figures are this test's output (shown with --nocapture), as in the
// segmentation bake-off; they go to the captured test stdout, never to a user.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::Path;

use kesu_normalize::{Normalizer, PiiKind, PiiSpan};

/// One labelled span: kind name and byte range in the unmarked text.
#[derive(Debug, Clone, PartialEq)]
struct Gold {
    kind: String,
    start: usize,
    end: usize,
}

struct Row {
    split: String,
    text: String,
    gold: Vec<Gold>,
}

/// Strips `[[kind:value]]` marks, returning the plain text and the spans.
fn parse_marked(marked: &str) -> (String, Vec<Gold>) {
    let mut text = String::new();
    let mut gold = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find("[[") {
        text.push_str(&rest[..open]);
        let inner = &rest[open + 2..];
        let close = inner.find("]]").expect("every [[ has its ]]");
        let (kind, value) = inner[..close].split_once(':').expect("[[kind:value]]");
        gold.push(Gold {
            kind: kind.to_owned(),
            start: text.len(),
            end: text.len() + value.len(),
        });
        text.push_str(value);
        rest = &inner[close + 2..];
    }
    text.push_str(rest);
    (text, gold)
}

fn load() -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/redaction/labelled.tsv");
    let data = std::fs::read_to_string(&path).expect("labelled set is readable");
    let mut lines = data.lines();
    assert_eq!(lines.next(), Some("split\ttext"), "header");
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (split, marked) = line.split_once('\t').expect("two columns");
            let (text, gold) = parse_marked(marked);
            Row {
                split: split.to_owned(),
                text,
                gold,
            }
        })
        .collect()
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    gold: usize,
    found: usize,
    predicted: usize,
    correct: usize,
    exact: usize,
}

impl Counts {
    fn recall(&self) -> f64 {
        if self.gold == 0 {
            1.0
        } else {
            self.found as f64 / self.gold as f64
        }
    }

    fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }
}

const OVERALL: &str = "overall";

fn covers(p: &PiiSpan, g: &Gold) -> bool {
    p.start <= g.start && g.end <= p.end
}

fn overlaps(p: &PiiSpan, g: &Gold) -> bool {
    p.start < g.end && g.start < p.end
}

/// Counts per kind name (and [`OVERALL`]) for one split.
fn evaluate(n: &Normalizer, rows: &[&Row], show: bool) -> BTreeMap<String, Counts> {
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    for row in rows {
        let predicted = n.pii_spans(&row.text);
        for g in &row.gold {
            let same = predicted
                .iter()
                .any(|p| p.kind.name() == g.kind && covers(p, g));
            let any = predicted.iter().any(|p| covers(p, g));
            let exact = predicted
                .iter()
                .any(|p| p.kind.name() == g.kind && p.start == g.start && p.end == g.end);
            let c = counts.entry(g.kind.clone()).or_default();
            c.gold += 1;
            c.found += usize::from(same);
            c.exact += usize::from(exact);
            let o = counts.entry(OVERALL.to_owned()).or_default();
            o.gold += 1;
            o.found += usize::from(any);
            o.exact += usize::from(exact);
            if show && !same {
                println!(
                    "MISS {} {:?} in {}",
                    g.kind,
                    &row.text[g.start..g.end],
                    row.text
                );
            } else if show && !exact {
                let wider = predicted
                    .iter()
                    .find(|p| covers(p, g))
                    .map(|p| &row.text[p.start..p.end]);
                println!(
                    "WIDER {} {:?} as {:?}",
                    g.kind,
                    &row.text[g.start..g.end],
                    wider
                );
            }
        }
        for p in &predicted {
            let same = row
                .gold
                .iter()
                .any(|g| g.kind == p.kind.name() && overlaps(p, g));
            let any = row.gold.iter().any(|g| overlaps(p, g));
            let c = counts.entry(p.kind.name().to_owned()).or_default();
            c.predicted += 1;
            c.correct += usize::from(same);
            let o = counts.entry(OVERALL.to_owned()).or_default();
            o.predicted += 1;
            o.correct += usize::from(any);
            if show && !same {
                println!(
                    "FALSE {} {:?} in {}",
                    p.kind.name(),
                    &row.text[p.start..p.end],
                    row.text
                );
            }
        }
    }
    counts
}

fn print_table(split: &str, counts: &BTreeMap<String, Counts>) {
    println!("{split}: kind | labelled | found | recall | detected | correct | precision | exact");
    for (kind, c) in counts {
        println!(
            "{split}: {kind} | {} | {} | {:.3} | {} | {} | {:.3} | {}",
            c.gold,
            c.found,
            c.recall(),
            c.predicted,
            c.correct,
            c.precision(),
            c.exact
        );
    }
}

#[test]
fn the_labelled_set_is_well_formed() {
    let rows = load();
    let n = Normalizer::builtin();
    assert!(rows.len() >= 300, "{} rows", rows.len());
    let kinds: Vec<&str> = [
        PiiKind::Mobile,
        PiiKind::Landline,
        PiiKind::IdCard,
        PiiKind::Account,
        PiiKind::Meter,
        PiiKind::Name,
        PiiKind::Email,
        PiiKind::Address,
    ]
    .iter()
    .map(|k| k.name())
    .collect();
    for row in &rows {
        assert!(
            row.split == "tune" || row.split == "held_out",
            "{}",
            row.split
        );
        assert_eq!(n.normalize(&row.text), row.text, "not normalised");
        for g in &row.gold {
            assert!(kinds.contains(&g.kind.as_str()), "kind {}", g.kind);
        }
    }
    for split in ["tune", "held_out"] {
        let of_split: Vec<&Row> = rows.iter().filter(|r| r.split == split).collect();
        assert!(of_split.len() >= 150, "{split}: {}", of_split.len());
        // Both positives of every kind and plain negatives.
        for kind in &kinds {
            let labelled = of_split
                .iter()
                .flat_map(|r| &r.gold)
                .filter(|g| g.kind == *kind)
                .count();
            assert!(labelled >= 4, "{split}: only {labelled} {kind} spans");
        }
        assert!(of_split.iter().filter(|r| r.gold.is_empty()).count() >= 50);
    }
}

#[test]
fn parse_marked_gives_byte_spans() {
    let (text, gold) = parse_marked("工作人员[[name:王建国]]，电话[[mobile:138 1234 5678]]。");
    assert_eq!(text, "工作人员王建国，电话138 1234 5678。");
    assert_eq!(&text[gold[0].start..gold[0].end], "王建国");
    assert_eq!(&text[gold[1].start..gold[1].end], "138 1234 5678");
    assert_eq!(gold[1].kind, "mobile");
}

/// Floors on the held-out rows: overall as the issue asks, per kind at what
/// the rules reach minus a small margin (see reports/bench/redaction.md).
/// With 6–18 spans per number kind, 0.95 there means "no miss".
const FLOORS: [(&str, f64, f64); 9] = [
    // (kind, recall floor, precision floor)
    (OVERALL, 0.95, 0.90),
    ("mobile", 0.95, 0.95),
    ("landline", 0.95, 0.95),
    ("id_card", 0.95, 0.95),
    ("account", 0.95, 0.95),
    ("meter", 0.95, 0.95),
    ("email", 0.95, 0.95),
    ("address", 0.95, 0.95),
    ("name", 0.93, 0.95),
];

#[test]
fn held_out_precision_and_recall_reach_their_floors() {
    let rows = load();
    let n = Normalizer::builtin();
    let show = std::env::var("KESU_REDACTION_SHOW").unwrap_or_else(|_| "tune".to_owned());
    let mut held = BTreeMap::new();
    for split in ["tune", "held_out"] {
        let of_split: Vec<&Row> = rows.iter().filter(|r| r.split == split).collect();
        let counts = evaluate(&n, &of_split, show == split);
        print_table(split, &counts);
        if split == "held_out" {
            held = counts;
        }
    }
    let mut failures = Vec::new();
    for (kind, recall, precision) in FLOORS {
        let c = held.get(kind).copied().unwrap_or_default();
        assert!(c.gold > 0, "no held-out {kind} spans");
        if c.recall() < recall {
            failures.push(format!("{kind} recall {:.3} < {recall}", c.recall()));
        }
        if c.precision() < precision {
            failures.push(format!(
                "{kind} precision {:.3} < {precision}",
                c.precision()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
