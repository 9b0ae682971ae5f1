//! The committed sample (`reports/analyze-sample/`) is exactly what the README's one-file
//! command produces on `fixtures/orders/sample.csv`, so it cannot go stale.

use std::fs;
use std::path::Path;

use crate::util::{assert_code, parquet_rows, repo_root, run, tempdir};

/// Fields of metrics.json that depend on the machine, the run or the paths.
const VOLATILE: [&str; 6] = [
    "timing_s",
    "peak_rss_mb",
    "mine_timing_s",
    "threads",
    "outputs",
    "kesu_version",
];

fn stable_metrics(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("metrics.json is JSON");
    let map = value.as_object_mut().expect("metrics.json is an object");
    for key in VOLATILE {
        map.remove(key);
    }
    value
}

/// The text of an SVG chart (labels, counts, percentages), for a readable
/// message when the chart is stale.
fn svg_texts(path: &Path) -> Vec<String> {
    let svg = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    svg.split("<text")
        .skip(1)
        .filter_map(|s| {
            let body = s.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.to_owned())
        })
        .collect()
}

#[test]
fn committed_sample_matches_the_readme_command() {
    let dir = tempdir();
    let out = dir.path().join("sample");
    let out_str = out.to_str().expect("utf-8 temp path");
    // The README's command, as written there, but into a temp dir.
    let readme = fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    assert!(
        readme.contains("analyze fixtures/orders/sample.csv --out reports/analyze-sample"),
        "README no longer gives the sample command this test replays"
    );
    let result = run(&["analyze", "fixtures/orders/sample.csv", "--out", out_str]);
    assert_code(&result, 0);

    let committed = repo_root().join("reports/analyze-sample");
    // Decoded rows, not bytes: a parquet upgrade may re-encode the same rows.
    for table in ["assignments.parquet", "root_causes.parquet"] {
        let fresh = parquet_rows(&out.join(table));
        let old = parquet_rows(&committed.join(table));
        assert!(
            fresh == old,
            "reports/analyze-sample/{table} is stale: rerun the README command and commit"
        );
    }
    // The causes as a reviewer reads them; `cargo insta review` (or
    // INSTA_UPDATE=always) shows what a change does to them.
    insta::assert_snapshot!(
        "sample_root_causes",
        parquet_rows(&committed.join("root_causes.parquet"))
    );
    assert_eq!(
        stable_metrics(&out.join("metrics.json")),
        stable_metrics(&committed.join("metrics.json")),
        "reports/analyze-sample/metrics.json is stale"
    );
    let texts = svg_texts(&committed.join("charts/root_causes.svg"));
    assert!(
        texts.iter().any(|t| t.contains("帕累托")),
        "chart title missing"
    );
    assert_eq!(
        svg_texts(&out.join("charts/root_causes.svg")),
        texts,
        "reports/analyze-sample/charts/root_causes.svg is stale"
    );
    // The embedded font draws the same chart on every machine, so both
    // images are compared byte for byte.
    for chart in ["charts/root_causes.svg", "charts/root_causes.png"] {
        let fresh = fs::read(out.join(chart)).expect("fresh chart");
        let old = fs::read(committed.join(chart)).expect("committed chart");
        assert!(
            fresh == old,
            "reports/analyze-sample/{chart} is stale: rerun the README command and commit"
        );
    }
}
