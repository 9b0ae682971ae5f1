//! Word P/R/F1 of bare jieba-rs and of kesu's segmenter on the SIGHAN 2005
//! PKU and MSR test sets, scored as the bakeoff did.
//!
//! ```text
//! cargo run --release -p kesu-segment --example icwb2 -- [ICWB2_DIR]
//! ```
//! `ICWB2_DIR` defaults to `../shared/data/icwb2` (relative to the repo root).
//! The data is read in place and never copied into the repository.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use jieba_rs::Jieba;
use kesu_segment::bakeoff::{WordScore, score_corpus};
use kesu_segment::{Mode, Segmenter, SegmenterConfig};

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/data/icwb2".to_owned()),
    );
    let bare = Jieba::new();
    let kesu = Segmenter::builtin()?;
    let kesu_hmm = Segmenter::new(&SegmenterConfig {
        hmm: true,
        ..SegmenterConfig::default()
    })?;

    // Lines whose gold does not cover the same characters as the test text
    // (16 in MSR, a known quirk of its gold file) are left out of the score.
    println!("| corpus | segmenter | P | R | F1 | OOV recall | lines skipped | seconds |");
    println!("|---|---|---|---|---|---|---|---|");
    for corpus in ["pku", "msr"] {
        let read =
            |suffix: &str| std::fs::read_to_string(dir.join(format!("{corpus}_{suffix}.utf8")));
        let test = read("test")?;
        let gold = read("test_gold")?;
        let training_text = read("training_words")?;
        let training: HashSet<&str> = training_text.lines().map(str::trim).collect();
        let training = Some(&training);

        let row = |name: &str, score: WordScore, secs: f64| {
            println!(
                "| {corpus} | {name} | {:.4} | {:.4} | {:.4} | {:.4} | {} | {secs:.2} |",
                score.precision(),
                score.recall(),
                score.f1(),
                score.oov_recall(),
                score.misaligned_lines
            );
        };
        for hmm in [false, true] {
            let t = Instant::now();
            let s = score_corpus(&test, &gold, training, |l| {
                bare.cut(l, hmm).into_iter().map(|t| t.word).collect()
            });
            row(
                &format!("bare jieba-rs, HMM {}", on_off(hmm)),
                s,
                t.elapsed().as_secs_f64(),
            );
        }
        for (seg, hmm) in [(&kesu, false), (&kesu_hmm, true)] {
            let t = Instant::now();
            let s = score_corpus(&test, &gold, training, |l| {
                seg.cut(l, Mode::Precise)
                    .into_iter()
                    .map(|t| t.text)
                    .collect()
            });
            row(
                &format!("kesu Segmenter, HMM {}", on_off(hmm)),
                s,
                t.elapsed().as_secs_f64(),
            );
        }
    }
    Ok(())
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}
