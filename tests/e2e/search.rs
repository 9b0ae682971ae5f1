//! End-to-end tests of `kesu index`, `kesu search`, `kesu reindex` and
//! `kesu similar` over fixtures/search/orders.csv.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::util::{assert_code, fixture, kesu, run, stderr, stdout, tempdir};

const ORDERS: &str = "fixtures/search/orders.csv";

/// (id, received date, normalised text) of every fixture order (the fixture
/// has no quoted fields, so a plain split is exact).
fn fixture_rows() -> Vec<(String, String, String)> {
    let normalizer = kesu_normalize::Normalizer::builtin();
    let text = std::fs::read_to_string(fixture("search/orders.csv")).expect("fixture");
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            (
                cols[0].to_owned(),
                cols[1][..10].to_owned(),
                normalizer.normalize(cols[2]).to_ascii_lowercase(),
            )
        })
        .collect()
}

fn build_index(dir: &Path) -> serde_json::Value {
    let index = dir.to_str().expect("utf-8 path");
    let out = run(&["index", ORDERS, "--index", index, "--json"]);
    assert_code(&out, 0);
    serde_json::from_str(stdout(&out).trim()).expect("index --json")
}

fn count(index: &Path, query: &str, extra: &[&str]) -> u64 {
    let mut args = vec![
        "search",
        "--index",
        index.to_str().expect("path"),
        query,
        "--count",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_code(&out, 0);
    stdout(&out).trim().parse().expect("a count")
}

#[test]
fn index_is_an_upsert_and_counts_match_substring_truth() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    let rows = fixture_rows();
    let first = build_index(&index);
    assert_eq!(first["docs"], rows.len() as u64);
    let second = build_index(&index);
    assert_eq!(second["docs"], rows.len() as u64);
    assert_eq!(second["replaced"], rows.len() as u64);

    for (query, needle) in [
        ("\"停电未通知\"", "停电未通知"),
        ("电未", "电未"),
        ("停", "停"),
    ] {
        let truth = rows.iter().filter(|r| r.2.contains(needle)).count() as u64;
        assert!(truth > 0);
        assert_eq!(count(&index, query, &[]), truth, "{query}");
    }
    // Traditional and full-width forms find the same documents.
    assert_eq!(
        count(&index, "停電 通知", &[]),
        count(&index, "停电 通知", &[])
    );
    assert_eq!(count(&index, "ＡＰＰ", &[]), count(&index, "app", &[]));
    // Date flags are inclusive days.
    let in_2024 = rows
        .iter()
        .filter(|r| r.2.contains("停电") && r.1.starts_with("2024"))
        .count() as u64;
    assert_eq!(
        count(
            &index,
            "停电",
            &["--from", "2024-01-01", "--to", "2024-12-31"]
        ),
        in_2024
    );
}

#[test]
fn search_outputs_table_json_csv_facets_and_exports() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    build_index(&index);
    let idx = index.to_str().expect("path");

    let out = run(&["search", "--index", idx, "停电 通知", "--limit", "3"]);
    assert_code(&out, 0);
    let table = stdout(&out);
    assert!(table.starts_with("id"), "{table}");
    assert_eq!(table.lines().count(), 4);
    assert!(
        table.contains("【停电】") || table.contains("【通知】"),
        "{table}"
    );
    assert!(stderr(&out).contains("matching complaints"));

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
        "2",
        "--facets",
        "unit,month",
    ]);
    assert_code(&out, 0);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    let total = json["total"].as_u64().expect("total");
    assert!(total >= 2);
    let hits = json["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 2);
    for hit in hits {
        assert!(
            hit["work_order_id"]
                .as_str()
                .is_some_and(|s| s.starts_with("GD"))
        );
        assert_eq!(hit["unit"], "城南供电所");
        assert!(hit["received_at"].is_string() && hit["text"].is_string());
        assert!(
            hit["snippet"]
                .as_str()
                .is_some_and(|s| s.contains("【推诿】"))
        );
        assert!(hit["extra"]["台区"].is_string());
    }
    let units = json["facets"]["unit"].as_array().expect("unit facet");
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["count"].as_u64(), Some(total));

    let out = run(&[
        "search", "--index", idx, "推诿", "--all", "--format", "jsonl",
    ]);
    assert_code(&out, 0);
    let all = count(&index, "推诿", &[]);
    assert_eq!(stdout(&out).lines().count() as u64, all);

    let out = run(&["search", "--index", idx, "推诿", "--all", "--format", "csv"]);
    assert_code(&out, 0);
    let csv = stdout(&out);
    assert!(csv.starts_with("work_order_id,received_at,text,"));
    assert_eq!(csv.lines().count() as u64, all + 1);

    for ext in ["csv", "xlsx", "parquet"] {
        let path = dir.path().join(format!("hits.{ext}"));
        let out = run(&[
            "search",
            "--index",
            idx,
            "推诿",
            "--export",
            path.to_str().expect("path"),
        ]);
        assert_code(&out, 0);
        assert!(
            stderr(&out).contains(&format!("exported {all} hits")),
            "{}",
            stderr(&out)
        );
        assert!(std::fs::metadata(&path).expect("export written").len() > 0);
    }
    let exported = std::fs::read_to_string(dir.path().join("hits.csv")).expect("csv");
    assert_eq!(exported.lines().count() as u64, all + 1);
}

#[test]
fn bad_queries_exit_2_with_a_message() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    build_index(&index);
    let idx = index.to_str().expect("path");
    let long = "停".repeat(10_000);
    for (query, expect) in [
        ("\"停电", "unbalanced quote"),
        ("(停电 OR 断电", "unbalanced parenthesis"),
        ("停电)", "unbalanced parenthesis"),
        ("", "empty"),
        ("，。！？", "no letters"),
        (long.as_str(), "limit is"),
    ] {
        let out = run(&["search", "--index", idx, query]);
        assert_code(&out, 2);
        assert!(
            stderr(&out).contains(expect),
            "{query:.20}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"));
    }
    let out = run(&[
        "search",
        "--index",
        dir.path().join("nope").to_str().expect("p"),
        "停电",
    ]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("not a kesu index"));
}

#[test]
fn similar_lists_other_complaints() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    build_index(&index);
    let idx = index.to_str().expect("path");
    let rows = fixture_rows();
    let source = rows
        .iter()
        .find(|r| r.2.contains("光伏并网"))
        .expect("a 光伏 complaint");
    let out = run(&[
        "similar", &source.0, "--index", idx, "--limit", "3", "--format", "json",
    ]);
    assert_code(&out, 0);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    let hits = json["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h["work_order_id"] != source.0.as_str()));
    assert!(
        hits[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("光伏并网"))
    );
    let out = run(&["similar", "NO-SUCH", "--index", idx]);
    assert_code(&out, 2);
}

#[test]
fn dictionary_change_is_reported_and_reindex_rebuilds_from_stored_text() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    build_index(&index);
    let idx = index.to_str().expect("path");
    let dict = dir.path().join("extra.dict");
    std::fs::write(&dict, "冰箱食物变质 100 n\n").expect("dict");
    let dict = dict.to_str().expect("path");
    let before = count(&index, "冰箱食物变质", &[]);

    // Indexing with another analyzer says so.
    let out = run(&["index", ORDERS, "--index", idx, "--dict", dict]);
    assert_code(&out, 0);
    assert!(stderr(&out).contains("kesu reindex"), "{}", stderr(&out));

    // Reindex needs no input files.
    let index_again = dir.path().join("idx2");
    build_index(&index_again);
    let out = run(&[
        "reindex",
        "--index",
        index_again.to_str().expect("p"),
        "--dict",
        dict,
        "--json",
    ]);
    assert_code(&out, 0);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(json["rebuilt"], fixture_rows().len() as u64);
    let out = run(&[
        "reindex",
        "--index",
        index_again.to_str().expect("p"),
        "--dict",
        dict,
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(json["rebuilt"], 0);
    assert_eq!(
        count(&index_again, "冰箱食物变质", &["--dict", dict]),
        before
    );
}

#[test]
fn killing_the_indexer_leaves_the_last_committed_state() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    let base = build_index(&index)["docs"].as_u64().expect("docs");
    let idx = index.to_str().expect("path");
    let big = fixture("orders/sample.csv");
    let mut states = Vec::new();
    for delay_ms in [30, 150, 400, 1200] {
        let mut child = kesu()
            .args(["index", big.to_str().expect("path"), "--index", idx])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kesu index");
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SIGKILL: no destructor, no flush.
        let _ = child.kill();
        let _ = child.wait();
        // The index opens and holds either the old or the new committed state.
        let n = count(&index, "电", &[]);
        let all = count(&index, "NOT zzzzzz", &[]);
        assert!(n <= all);
        assert!(all >= base, "{all} documents after kill");
        states.push(all);
    }
    // Letting it finish gives the full state, equal to any completed run.
    let out = run(&[
        "index",
        big.to_str().expect("path"),
        "--index",
        idx,
        "--json",
    ]);
    assert_code(&out, 0);
    let done: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    let full = done["docs"].as_u64().expect("docs");
    assert!(
        states.iter().all(|&s| s == base || s == full),
        "{states:?} vs {base}/{full}"
    );
}
