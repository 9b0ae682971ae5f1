//! End-to-end tests of `kesu analyze`: outputs, determinism across thread
//! counts, redaction of typical cases, and quality floors on the committed
//! labelled fixture (fixtures/labelled/labelled.csv, 3 000 synthetic orders).
//!
//! The floors were set a little below the values measured when the command
//! was written (see reports/bench/analyze.md); nothing in kesu-cluster is
//! tuned to this fixture.

use std::fs;
use std::path::Path;

use crate::util::{assert_code, fixture, kesu, run, stdout, tempdir};

fn analyze(out: &Path, extra: &[&str]) -> serde_json::Value {
    analyze_fixture("labelled/labelled.csv", out, extra)
}

fn analyze_fixture(rel: &str, out: &Path, extra: &[&str]) -> serde_json::Value {
    let input = fixture(rel);
    let mut args = vec![
        "analyze",
        input.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
        "--truth-column",
        "true_root_cause",
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_code(&o, 0);
    serde_json::from_str(stdout(&o).trim()).expect("--json prints one JSON object")
}

fn metric(m: &serde_json::Value, path: &[&str]) -> f64 {
    let mut v = m;
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("metric {path:?} missing in {m}"))
}

#[test]
fn analyze_labelled_fixture_meets_quality_floors() {
    let dir = tempdir();
    let m = analyze(dir.path(), &["--k", "48"]);
    let nmi = metric(&m, &["evaluation", "nmi"]);
    let ari = metric(&m, &["evaluation", "ari"]);
    let acc = metric(&m, &["evaluation", "class_accuracy"]);
    let typed = metric(&m, &["evaluation", "typed_class_accuracy"]);
    let f1 = metric(&m, &["evaluation", "repeat_f1"]);
    assert!(nmi >= 0.85, "NMI {nmi}");
    assert!(ari >= 0.52, "ARI {ari}");
    assert!(acc > typed + 0.05, "class accuracy {acc} vs typed {typed}");
    assert!(acc >= 0.97, "class accuracy {acc}");
    assert!(f1 >= 0.78, "repeat F1 {f1}");
    // Synth and taxonomy share gap ids, so gap attribution is scored:
    // measured 0.863 (0.873 with --k auto; 0.882 on cross_class.csv, 0.874
    // on an unseen seed). The target 0.9 is not reached: see
    // reports/bench/analyze.md for what is still confused.
    let gap = metric(&m, &["evaluation", "gap_accuracy"]);
    assert!(gap >= 0.84, "gap accuracy {gap}");
    assert!(metric(&m, &["outlier_share"]) <= 0.10);
    assert_eq!(m["k"], 48);
    // The metrics file is the same object as --json.
    let file: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(file["evaluation"], m["evaluation"]);
    for stage in [
        "init", "load", "segment", "mine", "parquet", "chart", "evaluate", "total",
    ] {
        assert!(file["timing_s"][stage].is_number(), "timing of {stage}");
    }
}

/// When a few closing words, not the root cause, decide an order's class
/// (fixtures/labelled/cross_class.csv), the prediction must still beat the
/// operators' typing, and the "possibly misclassified" flag must be worth
/// checking. Measured with seeds 42, 1, 2: accuracy 0.986–0.987 (typed
/// 0.883), flag precision 0.920–0.937, recall 0.954–0.963.
#[test]
fn class_prediction_beats_typing_when_class_does_not_follow_the_cause() {
    let dir = tempdir();
    let m = analyze_fixture("labelled/cross_class.csv", dir.path(), &[]);
    let acc = metric(&m, &["evaluation", "class_accuracy"]);
    let typed = metric(&m, &["evaluation", "typed_class_accuracy"]);
    assert!(acc > typed + 0.05, "class accuracy {acc} vs typed {typed}");
    assert!(acc >= 0.96, "class accuracy {acc}");
    let flag_p = metric(&m, &["evaluation", "misclassified_precision"]);
    let flag_r = metric(&m, &["evaluation", "misclassified_recall"]);
    assert!(
        flag_p >= 0.88 && flag_r >= 0.90,
        "flag P {flag_p} R {flag_r}"
    );
    assert!(metric(&m, &["evaluation", "nmi"]) >= 0.83);
}

#[test]
fn analyze_writes_tables_chart_and_redacted_typical_cases() {
    let dir = tempdir();
    let m = analyze(dir.path(), &["--k", "auto", "--typical", "3"]);
    let k = m["k"].as_u64().expect("k");
    assert!((2..=60).contains(&k), "auto k {k}");
    assert_eq!(m["k_source"], "auto");
    for f in [
        "assignments.parquet",
        "root_causes.parquet",
        "metrics.json",
        "charts/root_causes.svg",
        "charts/root_causes.png",
    ] {
        let p = dir.path().join(f);
        assert!(p.is_file(), "{f} written");
    }
    let parquet = fs::read(dir.path().join("root_causes.parquet")).unwrap();
    assert_eq!(&parquet[..4], b"PAR1");
    let svg = fs::read_to_string(dir.path().join("charts/root_causes.svg")).unwrap();
    assert!(svg.contains("投诉根因帕累托图"), "Chinese title stays text");
    assert!(svg.contains("100%"));
    let png = fs::read(dir.path().join("charts/root_causes.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    // Typical cases: no full mobile number survives redaction anywhere in the table.
    let raw = fs::read(fixture("labelled/labelled.csv")).unwrap();
    assert!(
        regex_free_mobile(&raw),
        "the detector finds the fixture's raw phones"
    );
    let mobile = regex_free_mobile(&parquet);
    assert!(
        !mobile,
        "an unmasked mobile number reached root_causes.parquet"
    );
}

/// Whether the bytes hold a run of exactly 11 ASCII digits starting with
/// 1[3-9] (an unmasked mainland mobile number); digits after a '.' are the
/// fraction of a share, not a phone. Parquet stores these short strings
/// plain or as snappy literals.
fn regex_free_mobile(bytes: &[u8]) -> bool {
    (1..bytes.len().saturating_sub(12)).any(|i| {
        let w = &bytes[i..i + 11];
        let before = bytes[i - 1];
        w[0] == b'1'
            && (b'3'..=b'9').contains(&w[1])
            && w.iter().all(u8::is_ascii_digit)
            && !before.is_ascii_digit()
            && before != b'.'
            && !bytes[i + 11].is_ascii_digit()
    })
}

#[test]
fn analyze_parquet_is_byte_identical_with_one_or_two_threads() {
    let input = fixture("labelled/labelled.csv");
    let dirs = [tempdir(), tempdir()];
    for (threads, dir) in ["1", "2"].iter().zip(&dirs) {
        let o = kesu()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "analyze",
                input.to_str().unwrap(),
                "--out",
                dir.path().to_str().unwrap(),
                "--k",
                "20",
                "--seed",
                "7",
                "--json",
            ])
            .output()
            .expect("running kesu");
        assert_code(&o, 0);
        let m: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(m["threads"].as_u64(), Some(threads.parse().unwrap()));
    }
    for f in ["assignments.parquet", "root_causes.parquet"] {
        let a = fs::read(dirs[0].path().join(f)).unwrap();
        let b = fs::read(dirs[1].path().join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn analyze_rejects_bad_options_clearly() {
    let dir = tempdir();
    let input = fixture("labelled/labelled.csv");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--k",
        "1",
    ]);
    assert_code(&o, 2);
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--taxonomy",
        "/nonexistent/taxonomy.toml",
    ]);
    assert_code(&o, 2);
    assert!(crate::util::stderr(&o).contains("taxonomy"));
}

/// Every string of a Parquet table (plain and list-of-string columns).
fn parquet_strings(path: &std::path::Path) -> Vec<String> {
    use arrow::array::{Array, ListArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = fs::File::open(path).expect("open table");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet")
        .build()
        .expect("reader");
    let mut out = Vec::new();
    let mut push_strings = |a: &dyn Array| {
        if let Some(s) = a.as_any().downcast_ref::<StringArray>() {
            out.extend(s.iter().flatten().map(str::to_owned));
        }
    };
    for batch in reader {
        let batch = batch.expect("batch");
        for col in batch.columns() {
            push_strings(col.as_ref());
            if let Some(list) = col.as_any().downcast_ref::<ListArray>() {
                push_strings(list.values().as_ref());
            }
        }
    }
    out
}

/// Management reads cause labels, top terms, chart bars and typical cases:
/// none of them may carry an input order's phone, customer id, name or
/// address, whichever order it came from.
#[test]
fn no_personal_data_reaches_management_outputs() {
    let dir = tempdir();
    analyze(dir.path(), &["--k", "auto", "--typical", "5"]);
    let batch = kesu_ingest::ingest(
        &[fixture("labelled/labelled.csv")],
        &kesu_ingest::IngestOptions::default(),
        &|_| {},
    )
    .expect("fixture ingests");
    let mut personal: Vec<String> = Vec::new();
    for o in &batch.orders {
        for v in [&o.phone, &o.customer_id, &o.address].into_iter().flatten() {
            personal.push(v.clone());
        }
        // Two-character names are also ordinary words (e.g. 李明 vs 明显 is
        // fine, but 高峰 is both); three characters and more identify a person.
        if let Some(name) = &o.customer_name
            && name.chars().count() >= 3
        {
            personal.push(name.clone());
        }
    }
    assert!(personal.len() > 3000, "the fixture carries personal data");
    let mut outputs = parquet_strings(&dir.path().join("root_causes.parquet"));
    outputs.extend(parquet_strings(&dir.path().join("assignments.parquet")));
    outputs.push(fs::read_to_string(dir.path().join("charts/root_causes.svg")).expect("svg"));
    outputs.push(fs::read_to_string(dir.path().join("metrics.json")).expect("metrics"));
    assert!(outputs.len() > 100, "tables were read");
    // Labels and classes repeat on every assignment row: check each once.
    let outputs: std::collections::BTreeSet<String> = outputs.into_iter().collect();
    for text in &outputs {
        for p in &personal {
            assert!(
                !text.contains(p.as_str()),
                "personal data {p:?} reached a management output: {text:?}"
            );
        }
    }
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).expect("read"));
            }
        }
    }
    files
}

#[test]
fn a_late_failure_leaves_the_previous_outputs_and_nothing_new() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let out_str = out.to_str().expect("utf-8 temp path");
    // Earlier outputs (another k, so that a rewrite would show).
    let first = run(&[
        "analyze",
        "fixtures/orders/sample.csv",
        "--out",
        out_str,
        "--k",
        "3",
    ]);
    assert_code(&first, 0);
    let before = tree(&out);
    assert_eq!(before.len(), 6, "{:?}", before.keys());
    // The chart fails late, after the tables could have been written.
    let bad_font = dir.path().join("not-a-font.ttf");
    std::fs::write(&bad_font, b"not a font").expect("write");
    let fresh = dir.path().join("fresh");
    for target in [&out, &fresh] {
        let result = kesu()
            .args(["analyze", "fixtures/orders/sample.csv", "--out"])
            .arg(target)
            .env("KESU_FONT", &bad_font)
            .output()
            .expect("kesu runs");
        assert!(!result.status.success());
        assert!(
            String::from_utf8_lossy(&result.stderr).contains("not a TrueType/OpenType font"),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    assert_eq!(
        tree(&out),
        before,
        "previous outputs unchanged, nothing added"
    );
    assert!(tree(&fresh).is_empty(), "no half outputs in a new folder");
}
