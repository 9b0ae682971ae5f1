//! End-to-end tests of what every command that reads exports and writes an
//! index must guarantee: one writing run per index (the lock, taken before
//! anything is read or written), the same row accounting and reject gate in
//! `kesu ingest`, `kesu index` and `kesu analyze`, nothing left behind by a
//! failed first run, no index built in a stranger's folder, and error causes
//! printed once.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{assert_code, fixture, kesu, run, stderr, stdout, tempdir};

/// The rows of fixtures/search/orders.csv (header first).
fn search_fixture_lines() -> Vec<String> {
    std::fs::read_to_string(fixture("search/orders.csv"))
        .expect("fixture")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Writes `lines` as a CSV file called `name` in `dir`.
fn write_csv(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").expect("writing the input");
    path
}

/// A row of the search fixture's layout whose date cannot exist.
fn bad_row(i: usize) -> String {
    format!(
        "BAD{i:04},2024-02-30 08:00:00,客户来电反映停电,95598,城区供电服务中心,居民,停送电,是,T001"
    )
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).expect("--json prints one JSON object")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn a_run_that_loses_the_index_lock_fails_fast_naming_the_holder() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    let rejects = dir.path().join("idx.rejects.csv");
    // The winner's run leaves its rejects beside the index.
    let malformed = fixture("ingest/malformed.csv");
    let out = run(&[
        "index",
        s(&malformed),
        "--index",
        s(&index),
        "--max-reject-rate",
        "1",
    ]);
    assert_code(&out, 0);
    let winners_rejects = std::fs::read(&rejects).expect("rejects file");
    assert!(winners_rejects.len() > 100, "the winner rejected rows");

    // Another run holds the lock (this process, through the library).
    let lock = kesu_index::IndexLock::acquire_creating(&index).expect("taking the lock");
    let holder = kesu_index::IndexLock::holder(&index).expect("the lock names its holder");
    // A FIFO nobody writes to: a run that starts reading its input blocks
    // forever, so finishing at all shows the loser never read it.
    let fifo = dir.path().join("never_written.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let started = Instant::now();
    let mut child = kesu()
        .args(["index", s(&fifo), "--index", s(&index)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning kesu index");
    while child.try_wait().expect("waiting").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the losing run did not fail fast: it went on to read its input");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("in use by another kesu run"), "{err}");
    assert!(
        err.contains(&format!("pid {}", std::process::id()))
            && err.contains(&holder.host)
            && err.contains(&holder.started),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&rejects).expect("rejects file"),
        winners_rejects,
        "the loser must not touch the winner's rejects"
    );
    drop(lock);
    // Released: the next run goes ahead.
    let out = run(&[
        "index",
        s(&malformed),
        "--index",
        s(&index),
        "--max-reject-rate",
        "1",
    ]);
    assert_code(&out, 0);
}

#[test]
fn ingest_index_and_analyze_report_the_same_accounting() {
    let dir = tempdir();
    let mut lines = search_fixture_lines();
    // Two ids repeated, one row rejected.
    let (first, second) = (lines[1].clone(), lines[2].clone());
    lines.push(first);
    lines.push(second);
    lines.push(bad_row(1));
    let input = write_csv(dir.path(), "week.csv", &lines);
    let rows = (lines.len() - 1) as u64;

    let ingest = run(&[
        "ingest",
        s(&input),
        "--out",
        s(&dir.path().join("out")),
        "--json",
    ]);
    assert_code(&ingest, 0);
    let index = run(&[
        "index",
        s(&input),
        "--index",
        s(&dir.path().join("idx")),
        "--json",
    ]);
    assert_code(&index, 0);
    let analyze = run(&[
        "analyze",
        s(&input),
        "--out",
        s(&dir.path().join("analysis")),
        "--json",
    ]);
    assert_code(&analyze, 0);
    let (ingest, index, analyze) = (json(&ingest), json(&index), json(&analyze));
    for summary in [&ingest, &index, &analyze] {
        assert_eq!(summary["read"], rows, "{summary}");
        assert_eq!(summary["rejected"], 1, "{summary}");
        assert_eq!(summary["duplicates"], 2, "{summary}");
        assert_eq!(summary["orders"], rows - 3, "{summary}");
        assert_eq!(summary["accepted"], rows - 1, "{summary}");
        // read = orders + rejected + duplicates.
        let n = |k: &str| summary[k].as_u64().expect(k);
        assert_eq!(n("read"), n("orders") + n("rejected") + n("duplicates"));
    }
    for key in [
        "read",
        "accepted",
        "rejected",
        "duplicates",
        "orders",
        "reject_rate",
        "max_reject_rate",
        "gate_passed",
    ] {
        assert_eq!(ingest[key], index[key], "{key}: ingest vs index");
        assert_eq!(ingest[key], analyze[key], "{key}: ingest vs analyze");
    }
    assert_eq!(index["docs"], rows - 3);
}

#[test]
fn index_fails_the_reject_gate_when_every_row_is_rejected_but_writes_its_outputs() {
    let dir = tempdir();
    let mut lines = vec![search_fixture_lines()[0].clone()];
    lines.extend((0..10).map(bad_row));
    let input = write_csv(dir.path(), "bad.csv", &lines);
    let index = dir.path().join("idx");
    let out = run(&["index", s(&input), "--index", s(&index), "--json"]);
    assert_code(&out, 1);
    let summary = json(&out);
    assert_eq!(summary["gate_passed"], false);
    assert_eq!(summary["reject_rate"], 1.0);
    let rejects = dir.path().join("idx.rejects.csv");
    let err = stderr(&out);
    assert!(
        err.contains("reject gate failed") && err.contains("100.0%") && err.contains(s(&rejects)),
        "{err}"
    );
    let written = std::fs::read_to_string(&rejects).expect("rejects file");
    assert_eq!(written.lines().count(), 11, "header and ten rejects");
    assert!(
        index.join("meta.json").is_file(),
        "the index is written too"
    );
    // The same run passes with a looser gate.
    let out = run(&[
        "index",
        s(&input),
        "--index",
        s(&index),
        "--max-reject-rate",
        "1",
    ]);
    assert_code(&out, 0);
}

#[test]
fn analyze_fails_the_reject_gate_with_half_the_rows_rejected_but_writes_its_outputs() {
    let dir = tempdir();
    let mut lines = search_fixture_lines();
    let good = lines.len() - 1;
    lines.extend((0..good).map(bad_row));
    let input = write_csv(dir.path(), "half.csv", &lines);
    let out_dir = dir.path().join("analysis");
    let out = run(&["analyze", s(&input), "--out", s(&out_dir), "--json"]);
    assert_code(&out, 1);
    let metrics = json(&out);
    assert_eq!(metrics["reject_rate"], 0.5);
    assert_eq!(metrics["gate_passed"], false);
    let rejects = out_dir.join("rejects.csv");
    let err = stderr(&out);
    assert!(
        err.contains("reject gate failed") && err.contains("50.0%") && err.contains(s(&rejects)),
        "{err}"
    );
    for name in ["metrics.json", "rejects.csv", "root_causes.parquet"] {
        assert!(out_dir.join(name).is_file(), "{name} is written");
    }
}

#[test]
fn a_failed_first_index_run_leaves_nothing_behind() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    let out = run(&["index", "no/such/file.csv", "--index", s(&index)]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("no/such/file.csv"),
        "{}",
        stderr(&out)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("temp dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn index_refuses_a_folder_that_is_not_a_kesu_index() {
    let dir = tempdir();
    let folder = dir.path().join("documents");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(folder.join("notes.txt"), "mine").expect("write");
    let out = run(&[
        "index",
        s(&fixture("search/orders.csv")),
        "--index",
        s(&folder),
    ]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("not a kesu index") && err.contains("documents"),
        "{err}"
    );
    let names: Vec<_> = std::fs::read_dir(&folder)
        .expect("folder")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["notes.txt"], "nothing written into it");
    assert!(!dir.path().join("documents.rejects.csv").exists());
}

#[test]
fn each_cause_of_an_error_is_printed_once() {
    let dir = tempdir();
    let out = run(&[
        "ingest",
        "no/such/file.csv",
        "--out",
        s(&dir.path().join("out")),
    ]);
    assert_code(&out, 2);
    let err = stderr(&out);
    let os = std::io::Error::from(std::io::ErrorKind::NotFound);
    let cause = std::fs::read("no/such/file.csv")
        .err()
        .map_or_else(|| os.to_string(), |e| e.to_string());
    assert_eq!(err.matches(&cause).count(), 1, "{err}");
    let mut seen = std::collections::BTreeSet::new();
    for line in err.lines() {
        assert!(seen.insert(line.trim()), "printed twice: {line:?}\n{err}");
    }
}
