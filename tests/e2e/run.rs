//! `kesu run`, the weekly job: tables per ISO week, a rerun that replaces a
//! week without duplicates, every row accounted for, a kill -9 at any moment
//! leaving a usable state that the rerun completes, the tables read by
//! pyarrow and DuckDB, and `kesu explain`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use crate::util::{assert_code, fixture, kesu, parquet_rows, run, stderr, stdout, tempdir};

fn sample() -> String {
    fixture("orders/sample.csv")
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

fn run_weekly(state: &Path, extra: &[&str]) -> serde_json::Value {
    let out_dir = state.with_extension("reports");
    // every test reads the committed sample: 2 000 orders over 26 weeks
    let mut args = vec!["--out", out_dir.to_str().expect("utf-8 path"), "--json"];
    args.extend_from_slice(extra);
    let out = run_on(Path::new(&sample()), state, &args);
    assert_code(&out, 0);
    serde_json::from_str(stdout(&out).trim()).expect("one JSON object")
}

/// `kesu run --input INPUT --state STATE` followed by `extra`.
fn run_on(input: &Path, state: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--input",
        input.to_str().expect("utf-8 path"),
        "--state",
        state.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// Every table file of a state, decoded (path relative to the state → rows).
fn decoded_tables(state: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let tables = state.join("tables");
    for table in std::fs::read_dir(&tables).expect("tables/") {
        let table = table.expect("entry").path();
        for part in std::fs::read_dir(&table).expect("table folder") {
            let part = part.expect("entry").path();
            for file in std::fs::read_dir(&part).expect("partition") {
                let file = file.expect("entry").path();
                let rel = file
                    .strip_prefix(state)
                    .expect("inside")
                    .display()
                    .to_string();
                let name = file
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    // A killed run's temporary file: never globbed as
                    // *.parquet, and removed by the next run.
                    files.insert(rel, String::from("(temporary)"));
                    continue;
                }
                assert_eq!(name, "part-0.parquet", "only fixed-name files: {rel}");
                files.insert(rel, parquet_rows(&file));
            }
        }
    }
    files
}

fn column(rows: &str, name: &str) -> Vec<String> {
    let prefix = format!("{name}=");
    rows.lines()
        .map(|l| {
            l.split(" | ")
                .find_map(|c| c.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("no column {name} in {l}"))
                .to_owned()
        })
        .collect()
}

fn all_rows(tables: &BTreeMap<String, String>, table: &str) -> String {
    tables
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("tables/{table}/")))
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn a_backfill_then_a_week_again_gives_identical_tables_and_no_duplicates() {
    let dir = tempdir();
    let state = dir.path().join("state");
    let first = run_weekly(&state, &[]);
    assert_eq!(first["weeks"].as_array().expect("weeks").len(), 26);
    // Segment once: each order's text is cut one time, for mining and the
    // index together.
    for week in first["weeks"].as_array().expect("weeks") {
        assert!(week["orders"].as_u64().expect("orders") > 0, "{week}");
        assert_eq!(week["texts_cut"], week["orders"], "{}", week["week"]);
    }
    let before = decoded_tables(&state);
    assert_eq!(before.len(), 26 * 5, "five tables per week");
    let ids = column(&all_rows(&before, "assignments"), "work_order_id");
    assert_eq!(ids.len(), 2000);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        2000,
        "one row per order"
    );
    // Every order sits in the partition of its ISO week.
    for (path, rows) in before.iter().filter(|(k, _)| k.contains("assignments/")) {
        let week = path
            .split("week=")
            .nth(1)
            .expect("week=")
            .split('/')
            .next()
            .expect("week");
        assert!(column(rows, "week").iter().all(|w| w == week), "{path}");
    }
    // Repeats across week boundaries: orders that join a repeat group begun
    // in an earlier week, as many as the weeks say they linked (an order
    // can also join through a member of its in-week group, so at least).
    let linked: u64 = first["weeks"]
        .as_array()
        .expect("weeks")
        .iter()
        .map(|w| w["repeats_across_weeks"].as_u64().expect("count"))
        .sum();
    let assignments = all_rows(&before, "assignments");
    let week_of: BTreeMap<String, String> = ids
        .iter()
        .cloned()
        .zip(column(&assignments, "week"))
        .collect();
    let groups = column(&assignments, "repeat_group");
    let repeats = column(&assignments, "is_repeat");
    let weeks = column(&assignments, "week");
    let earlier_group = (0..ids.len())
        .filter(|&i| repeats[i] == "true" && week_of.get(&groups[i]).is_some_and(|w| *w < weeks[i]))
        .count() as u64;
    assert!(
        linked > 0 && earlier_group >= linked,
        "{linked} linked, {earlier_group} in earlier groups"
    );
    assert_eq!(
        std::fs::read_dir(state.join("repeats"))
            .expect("repeats/")
            .count(),
        26,
        "one repeat file per week"
    );

    let again = run_weekly(&state, &["--week", "2024-W26"]);
    assert_eq!(again["weeks"].as_array().expect("weeks").len(), 1);
    let rows = &again["rows"];
    assert_eq!(rows["read"], 2000);
    assert_eq!(
        rows["in_weeks_run"].as_u64().unwrap() + rows["outside_week"].as_u64().unwrap(),
        2000
    );
    assert_eq!(rows["held_back"], 0);
    assert_eq!(rows["in_weeks_run"], again["weeks"][0]["orders"]);
    let after = decoded_tables(&state);
    assert_eq!(
        before, after,
        "running a week again replaces it with the same rows"
    );

    // The index holds each order once, whatever was run twice.
    let out = run(&[
        "search",
        "--index",
        state.join("index").to_str().expect("path"),
        "电",
        "--count",
    ]);
    assert_code(&out, 0);
    let n: u64 = stdout(&out)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{}", stdout(&out)));
    assert!(n > 0 && n <= 2000, "{n}");
    let all_docs = &again["weeks"][0]["index_docs"];
    assert_eq!(all_docs, 2000);
}

#[test]
fn every_row_is_accounted_for_and_rejects_are_kept() {
    let dir = tempdir();
    // Part of the sample, one row cut short, one id repeated, one impossible date.
    let text = std::fs::read_to_string(fixture("orders/sample.csv")).expect("sample");
    let mut lines: Vec<String> = text.lines().take(101).map(str::to_owned).collect();
    lines.push("GD_BAD_1,2024-02-01 08:00:00,95598".into());
    let dup = lines[5].clone();
    lines.push(dup);
    lines.push(
        lines[7]
            .replacen(",2024-", ",2024-02-30 ", 1)
            .replacen("GD", "GX", 1),
    );
    let input = dir.path().join("export.csv");
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let state = dir.path().join("state");
    let rep = dir.path().join("rep");
    let out = run_on(
        &input,
        &state,
        &["--out", rep.to_str().expect("path"), "--json"],
    );
    // 2 rejects of about 100 rows is above the default 1 % gate: exit 1, outputs written.
    assert_code(&out, 1);
    let mut m: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    // Besides the manifest, --json lists each week's report files, which exist.
    let reports = m
        .as_object_mut()
        .and_then(|o| o.remove("reports"))
        .expect("reports listed");
    let reports = reports.as_array().expect("array");
    assert!(!reports.is_empty());
    for r in reports {
        for key in ["html", "md"] {
            let p = r[key].as_str().unwrap_or_else(|| panic!("{key}: {r}"));
            assert!(Path::new(p).is_file(), "{p}");
        }
    }
    let r = &m["rows"];
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k}"));
    // (a sample record may span two lines, so the count is not the line count)
    assert!((100..=103).contains(&n("read")), "{r}");
    assert_eq!(n("read"), n("accepted") + n("rejected"));
    assert_eq!(n("accepted"), n("orders") + n("duplicates"));
    assert_eq!(
        n("orders"),
        n("in_weeks_run") + n("outside_week") + n("held_back")
    );
    assert_eq!(n("rejected"), 2);
    assert_eq!(n("duplicates"), 1);
    assert!(stderr(&out).contains("rejects table"), "{}", stderr(&out));
    let tables = decoded_tables(&state);
    let rejects = all_rows(&tables, "rejects");
    assert_eq!(rejects.lines().count(), 2, "{rejects}");
    assert!(rejects.contains("GD_BAD_1"));
    // All of them also beside the run's manifest, as a file a person can open.
    let run_dir = std::fs::read_dir(state.join("runs"))
        .expect("runs/")
        .map(|e| e.expect("entry").path())
        .next()
        .expect("one run");
    let csv = std::fs::read_to_string(run_dir.join("rejects.csv")).expect("rejects.csv");
    assert_eq!(csv.lines().count(), 3, "header and 2 rejects: {csv}");
    assert!(csv.contains("GD_BAD_1"), "{csv}");
    let assigned: u64 = all_rows(&tables, "assignments").lines().count() as u64;
    assert_eq!(assigned, n("orders"));
    // The manifest names the input by its content.
    let sha = &m["inputs"][0]["sha256"];
    assert_eq!(sha.as_str().map(str::len), Some(64));
    let manifests: Vec<PathBuf> = std::fs::read_dir(state.join("runs"))
        .expect("runs/")
        .map(|e| e.expect("entry").path().join("manifest.json"))
        .collect();
    assert_eq!(manifests.len(), 1);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifests[0]).expect("manifest"))
            .expect("json");
    assert_eq!(
        written, m,
        "--json prints the manifest it wrote, and the reports"
    );
}

/// Every week with a checkpoint in `state` has all its orders (as many as
/// in `expected`'s assignments of that week) in the state's index: a week's
/// commit comes before its checkpoint.
fn assert_checkpointed_weeks_are_indexed(state: &Path, expected: &BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(state.join("checkpoints")) else {
        return;
    };
    let index = state.join("index");
    for entry in entries {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        let Some(week) = name
            .strip_prefix("week=")
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let (year, number) = week.split_once("-W").expect("week=YYYY-Www.json");
        let day = |weekday| {
            chrono::NaiveDate::from_isoywd_opt(
                year.parse().expect("year"),
                number.parse().expect("week"),
                weekday,
            )
            .expect("an ISO week")
            .to_string()
        };
        let orders = expected
            .get(&format!("tables/assignments/week={week}/part-0.parquet"))
            .unwrap_or_else(|| panic!("{week} is a week of the sample"))
            .lines()
            .count();
        let out = run(&[
            "search",
            "--index",
            index.to_str().expect("utf-8 path"),
            "--count",
            "--from",
            &day(chrono::Weekday::Mon),
            "--to",
            &day(chrono::Weekday::Sun),
            "--",
            "-id:none",
        ]);
        assert_code(&out, 0);
        assert_eq!(
            stdout(&out).trim(),
            orders.to_string(),
            "orders of checkpointed {week} in the index"
        );
    }
}

#[test]
fn a_few_rows_of_a_complete_week_do_not_replace_it() {
    // A weekly export whose first rows belong to the week before: that week
    // is complete in the state, so its 3 rows are held back, not run (a
    // rerun replaces the whole week).
    let dir = tempdir();
    let state = dir.path().join("state");
    run_weekly(&state, &[]);
    let before = decoded_tables(&state);
    let sample = std::fs::read_to_string(sample()).expect("sample");
    let mut lines = sample.lines();
    let header = lines.next().expect("header");
    let week10: Vec<&str> = lines
        .filter(|l| {
            let day = l.split(',').nth(1).unwrap_or("");
            l.starts_with("GD")
                && !l.contains('"')
                && ("2024-03-04".."2024-03-11").contains(&&day[..day.len().min(10)])
        })
        .take(3)
        .collect();
    assert_eq!(week10.len(), 3);
    let spill = dir.path().join("spill.csv");
    std::fs::write(&spill, format!("{header}\n{}\n", week10.join("\n"))).expect("write");

    let out = run_on(&spill, &state, &["--no-report", "--json"]);
    assert_code(&out, 0);
    let m: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(m["weeks"].as_array().expect("weeks").len(), 0, "{m}");
    assert_eq!(m["rows"]["held_back"], 3);
    assert_eq!(m["rows"]["in_weeks_run"], 0);
    let held = &m["held_back_weeks"][0];
    assert_eq!(held["week"], "2024-W10");
    assert_eq!(held["orders_in_input"], 3);
    assert!(
        held["orders_in_state"].as_u64().expect("count") > 3,
        "{held}"
    );
    let log = stderr(&out);
    assert!(
        log.contains("week 2024-W10 not run") && log.contains("--week 2024-W10"),
        "{log}"
    );
    assert_eq!(decoded_tables(&state), before, "the week is kept whole");

    // Asked for by name, the week is replaced: the user said so.
    let out = run_on(
        &spill,
        &state,
        &["--no-report", "--json", "--week", "2024-W10"],
    );
    assert_code(&out, 0);
    let m: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(m["weeks"][0]["orders"], 3, "{m}");
    assert_eq!(m["rows"]["held_back"], 0);
}

#[test]
fn killed_runs_leave_a_usable_state_and_the_rerun_completes_it() {
    let dir = tempdir();
    let reference = dir.path().join("reference");
    run_weekly(&reference, &[]);
    let expected = decoded_tables(&reference);
    // The check below holds on a run never killed: every week is indexed.
    assert_checkpointed_weeks_are_indexed(&reference, &expected);

    let state = dir.path().join("state");
    let st = state.to_str().expect("path").to_owned();
    let input = sample();
    let rep = dir.path().join("rep");
    for delay_ms in [150, 700, 1800, 3500, 6000] {
        let mut child = kesu()
            .args(["run", "--input", &input, "--state", &st, "--out"])
            .arg(&rep)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kesu run");
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SIGKILL: no destructor, no flush.
        let _ = child.kill();
        let _ = child.wait();
        if state.join("tables").is_dir() {
            // Whatever moment it died, every table file there is whole.
            decoded_tables(&state);
        }
        assert_checkpointed_weeks_are_indexed(&state, &expected);
    }
    // The next run completes the state: the same tables as a run never
    // killed, and no temporary file left.
    run_weekly(&state, &[]);
    assert_eq!(decoded_tables(&state), expected);
}

#[test]
fn the_tables_read_as_one_dataset_in_pyarrow_and_duckdb() {
    let have = std::process::Command::new("python3")
        .args(["-c", "import pyarrow, duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 with pyarrow and duckdb (.ci/run installs them)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: python3 with pyarrow and duckdb not available");
        }
        return;
    }
    let dir = tempdir();
    let state = dir.path().join("state");
    let m = run_weekly(&state, &[]);
    let script = crate::util::repo_root().join("tests/e2e/read_tables.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&state)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let kesu_tables = decoded_tables(&state);
    for table in ["assignments", "causes", "alerts", "kpis", "rejects"] {
        let rows = all_rows(&kesu_tables, table).lines().count() as u64;
        assert_eq!(v["pyarrow"][table]["rows"], rows, "{table} in pyarrow");
        assert_eq!(v["duckdb"][table], rows, "{table} in DuckDB");
        assert_eq!(v["pyarrow"][table]["types"]["week"], "string", "{table}");
    }
    assert_eq!(v["pyarrow"]["assignments"]["rows"], 2000);
    assert_eq!(v["pyarrow"]["assignments"]["weeks"], 26);
    assert_eq!(v["nested"]["top_terms"], true);
    assert_eq!(v["nested"]["unit_orders"], true);
    assert_eq!(v["nested"]["typical"], true);
    assert_eq!(v["duckdb_types"]["unit_orders"], "MAP(VARCHAR, UBIGINT)");
    assert_eq!(
        v["kpi_orders"], 2000,
        "the all-units KPI rows add up to every order"
    );
    assert_eq!(v["kpi_weeks"].as_array().map(Vec::len), Some(26));
    assert_eq!(m["rows"]["orders"], 2000);
}

#[test]
fn user_names_replace_labels_and_explain_shows_where_settings_came_from() {
    let dir = tempdir();
    let names = dir.path().join("causes.toml");
    std::fs::write(&names, "C0001 = \"电费电价疑问\"\n").expect("write");
    let config = dir.path().join("weekly.toml");
    std::fs::write(
        &config,
        "[causes]\nnames = \"causes.toml\"\n[mine]\ntypical = 3\n",
    )
    .expect("write");
    let state = dir.path().join("state");
    let out = run(&[
        "run",
        config.to_str().expect("path"),
        "--input",
        &sample(),
        "--state",
        state.to_str().expect("path"),
        "--out",
        dir.path().join("rep").to_str().expect("path"),
        "--week",
        "2024-W01",
    ]);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("1913 outside the week"),
        "{}",
        stdout(&out)
    );
    let tables = decoded_tables(&state);
    let causes = all_rows(&tables, "causes");
    let c1 = causes
        .lines()
        .find(|l| l.contains("cause_key=C0001"))
        .expect("C0001");
    assert!(c1.contains("label=电费电价疑问"), "{c1}");
    let assignments = all_rows(&tables, "assignments");
    assert!(
        assignments
            .lines()
            .filter(|l| l.contains("cause_key=C0001"))
            .all(|l| l.contains("cause_label=电费电价疑问"))
    );

    let out = run(&[
        "explain",
        config.to_str().expect("path"),
        "--set",
        "mine.k=12",
    ]);
    assert_code(&out, 0);
    let text = stdout(&out);
    let line = |key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("{key} missing:\n{text}"))
            .to_owned()
    };
    assert!(line("mine.k ").ends_with("(flag)"), "{text}");
    assert!(line("mine.typical ").ends_with("(file)"), "{text}");
    assert!(line("mine.seed ").ends_with("(default)"), "{text}");
    for stage in [
        "read",
        "partition",
        "index",
        "mine",
        "register",
        "repeats",
        "warn",
        "kpis",
        "write",
        "checkpoint",
        "report",
    ] {
        assert!(text.contains(&format!(". {stage}:")), "{stage}:\n{text}");
    }

    // A setting kesu does not know stops the run before it reads anything.
    let out = run_on(
        Path::new(&sample()),
        &state,
        &["--set", "mine.max_othr=0.2"],
    );
    assert_code(&out, 2);
    assert!(stderr(&out).contains("max_othr"), "{}", stderr(&out));
    let out = run(&["run", "--input", &sample(), "--week", "2024-W60"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("2024-W60"), "{}", stderr(&out));
}

/// Off a terminal (a scheduled job's log), progress is plain lines: one per
/// week and per stage of it, with their times.
#[test]
fn progress_is_log_lines_off_a_terminal_and_bars_on_one() {
    let dir = tempdir();
    let state = dir.path().join("st");
    let st = state.to_str().expect("utf-8 path");
    let input = fixture("orders/weeks.csv");
    let input = input.to_str().expect("utf-8 path");
    let out = run(&["run", "--input", input, "--state", st, "--no-report"]);
    assert_code(&out, 0);
    let log = stderr(&out);
    assert!(log.contains("kesu run: read "), "{log}");
    let weeks: Vec<&str> = log.lines().filter(|l| l.contains(" orders")).collect();
    assert_eq!(weeks.len(), 8, "one line per week: {log}");
    assert!(
        weeks[0].starts_with("kesu run: week 2024-W14 (1/8), "),
        "{log}"
    );
    for stage in ["segment", "index_mine", "repeats", "warn", "kpis", "write"] {
        let lines = log
            .lines()
            .filter(|l| l.contains(&format!(" {stage} ")) && l.ends_with(" s"))
            .count();
        assert_eq!(lines, 8, "{stage} once a week: {log}");
    }

    // On a terminal: bars, and no log lines. `script` (util-linux) gives the
    // run a pseudo-terminal; where it is missing the check is skipped, said.
    let Ok(which) = std::process::Command::new("script")
        .arg("--version")
        .output()
    else {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: no `script` to run kesu on a pseudo-terminal");
        }
        return;
    };
    assert!(which.status.success());
    let tty_state = dir.path().join("tty");
    let typescript = dir.path().join("typescript");
    let command = format!(
        "{} run --input {input} --state {} --no-report",
        env!("CARGO_BIN_EXE_kesu"),
        tty_state.to_str().expect("utf-8 path"),
    );
    let out = std::process::Command::new("script")
        .args(["-qfec", &command])
        .arg(&typescript)
        .current_dir(crate::util::repo_root())
        .stdin(Stdio::null())
        .output()
        .expect("running kesu under script");
    assert!(out.status.success(), "{}", stderr(&out));
    let screen =
        String::from_utf8_lossy(&std::fs::read(&typescript).expect("typescript")).into_owned();
    assert!(screen.contains("weeks ["), "{screen}");
    assert!(
        screen.contains("] 7/8 2024-W21: "),
        "the last week on the bar: {screen}"
    );
    assert!(screen.contains("index_mine done in "), "{screen}");
    assert!(
        !screen.contains("kesu run: week "),
        "no log lines: {screen}"
    );
    // The summary still ends the run, on stdout.
    assert!(screen.contains("2024-W21"), "{screen}");
}

/// A run whose every row is rejected runs no week, and still keeps every
/// row: in the rejects file beside its manifest.
#[test]
fn a_run_with_every_row_rejected_keeps_them_beside_its_manifest() {
    let dir = tempdir();
    let header = std::fs::read_to_string(fixture("orders/sample.csv"))
        .expect("sample")
        .lines()
        .next()
        .expect("header")
        .to_owned();
    let input = dir.path().join("bad.csv");
    std::fs::write(
        &input,
        format!("{header}\nGD_BAD_1,2024-02-01 08:00:00,95598\nGD_BAD_2,not a date\n"),
    )
    .expect("write");
    let state = dir.path().join("state");
    let out = run_on(&input, &state, &["--no-report", "--json"]);
    assert_code(&out, 1);
    let m: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(m["rows"]["rejected"], 2, "{m}");
    assert_eq!(m["weeks"].as_array().map(Vec::len), Some(0), "{m}");
    let rejects = m["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o.as_str())
        .find(|o| o.ends_with("rejects.csv"))
        .expect("the rejects file is among the outputs")
        .to_owned();
    let csv = std::fs::read_to_string(state.join(&rejects)).expect("rejects.csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains("GD_BAD_1") && csv.contains("GD_BAD_2"),
        "{csv}"
    );
    assert!(stderr(&out).contains("rejects.csv"), "{}", stderr(&out));
}
