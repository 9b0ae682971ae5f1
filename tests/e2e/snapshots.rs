//! Snapshot tests of decoded outputs (insta): what an auditor reads from
//! `kesu search` as a table, JSON, CSV and a Parquet export, and the rows
//! `kesu ingest` rejects. A change to any of them shows up as a readable
//! diff under tests/e2e/snapshots/ (`cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read the diff before committing).

use crate::util::{assert_code, fixture, parquet_rows, run, stdout, tempdir};

const ORDERS: &str = "fixtures/search/orders.csv";

#[test]
fn search_outputs_decode_as_snapshotted() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    let idx = index.to_str().expect("utf-8 path");
    assert_code(&run(&["index", ORDERS, "--index", idx]), 0);

    // Not a terminal here, so matches are marked 【…】 and no colour is used.
    let out = run(&["search", "--index", idx, "停电 通知", "--limit", "5"]);
    assert_code(&out, 0);
    insta::assert_snapshot!("search_table", stdout(&out));

    let out = run(&[
        "search",
        "--index",
        idx,
        "推诿",
        "--unit",
        "城南供电所",
        "--format",
        "json",
        "--limit",
        "3",
        "--facets",
        "unit,month,class",
    ]);
    assert_code(&out, 0);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    insta::assert_snapshot!(
        "search_json",
        serde_json::to_string_pretty(&json).expect("json")
    );

    let out = run(&[
        "search",
        "--index",
        idx,
        "抢修 -表扬",
        "--all",
        "--format",
        "csv",
    ]);
    assert_code(&out, 0);
    insta::assert_snapshot!("search_csv", stdout(&out));

    let export = dir.path().join("hits.parquet");
    let out = run(&[
        "search",
        "--index",
        idx,
        "电表",
        "--export",
        export.to_str().expect("path"),
    ]);
    assert_code(&out, 0);
    insta::assert_snapshot!("search_export_parquet", parquet_rows(&export));
}

#[test]
fn ingest_rejects_decode_as_snapshotted() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let input = fixture("ingest/malformed.csv");
    let out = run(&[
        "ingest",
        input.to_str().expect("path"),
        "--out",
        out_dir.to_str().expect("path"),
        "--max-reject-rate",
        "1",
    ]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let rejects = std::fs::read_to_string(out_dir.join("rejects.csv")).expect("rejects.csv");
    // The reject file names its input by the path given; keep it stable.
    let rejects = rejects.replace(
        input.to_str().expect("path"),
        "fixtures/ingest/malformed.csv",
    );
    insta::assert_snapshot!("ingest_rejects", rejects);
    insta::assert_snapshot!(
        "ingest_orders_ids",
        parquet_rows(&out_dir.join("orders.parquet"))
            .lines()
            .map(|l| l.split(" | ").take(2).collect::<Vec<_>>().join(" | "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
