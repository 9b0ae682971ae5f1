//! End-to-end tests of `kesu ingest`: the real binary on the hand-made
//! fixtures in fixtures/ingest/ (regenerate them with
//! `cargo run -p kesu-ingest --example make_fixtures`).

use std::path::Path;

use kesu_normalize::{NormalizedOrder, Normalizer};

use crate::util::{assert_code, fixture, run, stderr, stdout, tempdir};

fn ingest_json(args: &[&str], out_dir: &Path, code: i32) -> serde_json::Value {
    let mut all = vec!["ingest"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out_dir.to_str().expect("utf-8 path"), "--json"]);
    let out = run(&all);
    assert_code(&out, code);
    let summary: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("--json output is one JSON object ({e}):\n{}", stdout(&out)));
    let n = |k: &str| {
        summary[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {summary}"))
    };
    assert_eq!(
        n("read"),
        n("accepted") + n("rejected"),
        "read = accepted + rejected"
    );
    assert_eq!(n("orders"), n("accepted") - n("duplicates"));
    for f in summary["files"].as_array().expect("files") {
        let m = |k: &str| f[k].as_u64().expect("per-file count");
        assert_eq!(m("read"), m("accepted") + m("rejected"), "{f}");
    }
    summary
}

/// rejects.csv rows as (file, line, column, reason), after checking the BOM
/// and the header.
fn read_rejects(out_dir: &Path) -> Vec<(String, u64, String, String)> {
    read_rejects_file(&out_dir.join("rejects.csv"))
}

fn read_rejects_file(path: &Path) -> Vec<(String, u64, String, String)> {
    let bytes = std::fs::read(path).expect("rejects.csv is always written");
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("rejects.csv starts with a UTF-8 BOM");
    let text = std::str::from_utf8(body).expect("rejects.csv is UTF-8");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("file,line,column,reason,raw"));
    // Parse with a tiny CSV reader: raw text may hold quotes and newlines.
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text
        .split_once('\n')
        .expect("header line")
        .1
        .chars()
        .peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                let f = std::mem::take(&mut fields);
                rows.push((
                    f[0].clone(),
                    f[1].parse().expect("line number"),
                    f[2].clone(),
                    f[3].clone(),
                ));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

fn read_orders(out_dir: &Path) -> Vec<NormalizedOrder> {
    kesu_store::read_orders(&out_dir.join("orders.parquet"), &Normalizer::builtin())
        .expect("orders.parquet reads back")
}

/// 11-digit mobile numbers (1[3-9]xxxxxxxxx) in a text.
fn mobiles(text: &str) -> Vec<String> {
    let digits: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < digits.len() {
        if digits[i].is_ascii_digit() {
            let start = i;
            while i < digits.len() && digits[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = digits[start..i].iter().collect();
            if run.len() == 11 && run.starts_with('1') {
                found.push(run);
            }
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn gb18030_csv_and_xlsx_ingest_with_redacted_phones() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let gb = fixture("ingest/gb18030.csv");
    let xlsx = fixture("ingest/export.xlsx");
    let summary = ingest_json(&[gb.to_str().unwrap(), xlsx.to_str().unwrap()], &out_dir, 0);
    assert_eq!(summary["read"], 32);
    assert_eq!(summary["rejected"], 0);
    assert_eq!(summary["orders"], 32);
    assert_eq!(summary["reject_rate"], 0.0);
    assert_eq!(summary["files"][0]["encoding"], "gb18030");
    assert_eq!(summary["files"][1]["format"], "xlsx");
    let version = summary["analyzer_version"]
        .as_str()
        .expect("analyzer_version");
    assert_eq!(version.len(), 16);
    assert_eq!(summary["out"], out_dir.to_str().unwrap());
    assert!(read_rejects(&out_dir).is_empty(), "header-only rejects.csv");

    let meta = kesu_store::read_parquet_metadata(&out_dir.join("orders.parquet")).unwrap();
    assert_eq!(
        meta.get("kesu.analyzer_version").map(String::as_str),
        Some(version)
    );

    let orders = read_orders(&out_dir);
    assert_eq!(orders.len(), 32);
    let first = &orders[0].order;
    assert_eq!(first.id.as_str(), "GB2403000001");
    assert!(
        first.text.starts_with("客户来电反映小区昨晚突然停电"),
        "{}",
        first.text
    );
    assert_eq!(first.source.line, 2);
    let xlsx_order = &orders[20].order;
    assert_eq!(
        xlsx_order.id.as_str(),
        "2024030100001",
        "numeric ids lose no .0"
    );
    assert_eq!(xlsx_order.received_at.to_string(), "2024-03-01 09:15:00");
    assert_eq!(
        xlsx_order.extra.get("派单部门").map(String::as_str),
        Some("运检部")
    );

    let mut phones_in_text = 0;
    for o in &orders {
        let phone = o
            .order
            .phone
            .as_deref()
            .expect("every fixture row has a phone");
        phones_in_text += usize::from(o.order.text.contains(phone));
        let redacted = o.text_redacted.as_str();
        assert!(!redacted.contains(phone), "{phone} survives in {redacted}");
        assert!(
            mobiles(redacted).is_empty(),
            "a mobile number survives in {redacted}"
        );
    }
    assert!(
        phones_in_text >= 10,
        "the fixtures do put phones in the text"
    );
}

#[test]
fn malformed_csv_rejects_every_defect_on_its_line() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let input = fixture("ingest/malformed.csv");
    let summary = ingest_json(
        &[input.to_str().unwrap(), "--max-reject-rate", "1"],
        &out_dir,
        0,
    );
    let expected_text = std::fs::read_to_string(fixture("ingest/malformed.expected.csv")).unwrap();
    let expected: Vec<(u64, String)> = expected_text
        .lines()
        .skip(1)
        .map(|l| {
            let (line, reason) = l.split_once(',').expect("line,reason");
            (
                line.parse().unwrap(),
                reason.trim_matches('"').replace("\"\"", "\""),
            )
        })
        .collect();
    assert!(expected.len() >= 12);
    let rejects = read_rejects(&out_dir);
    assert_eq!(summary["rejected"], rejects.len() as u64);
    assert_eq!(rejects.len(), expected.len(), "{rejects:#?}");
    for ((file, line, _column, reason), (want_line, want_reason)) in rejects.iter().zip(&expected) {
        assert!(file.ends_with("malformed.csv"), "{file}");
        assert_eq!(line, want_line, "{reason}");
        assert!(
            reason.contains(want_reason.as_str()),
            "line {line}: {reason:?} lacks {want_reason:?}"
        );
    }
    assert_eq!(summary["read"], 18);
    assert_eq!(summary["accepted"], 5);
    assert_eq!(summary["duplicates"], 1);
    assert_eq!(read_orders(&out_dir).len(), 4);
}

#[test]
fn reject_gate_fails_with_exit_1_and_still_writes_outputs() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let input = fixture("ingest/malformed.csv");
    let out = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("reject gate failed") && err.contains("--max-reject-rate"),
        "{err}"
    );
    assert!(err.contains("rejects.csv"), "{err}");
    let text = stdout(&out);
    assert!(
        text.contains("read 18 rows from 1 file: 5 accepted (1 duplicate replaced), 13 rejected"),
        "{text}"
    );
    assert!(out_dir.join("orders.parquet").exists() && out_dir.join("rejects.csv").exists());
}

#[test]
fn missing_file_and_unknown_format_exit_2() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let out = run(&[
        "ingest",
        "fixtures/ingest/no-such-file.csv",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("no-such-file.csv"),
        "{}",
        stderr(&out)
    );

    let doc = dir.path().join("week.docx");
    std::fs::write(&doc, "not an export").unwrap();
    let out = run(&[
        "ingest",
        doc.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("unknown input format"),
        "{}",
        stderr(&out)
    );

    let bad_header = dir.path().join("bad.csv");
    std::fs::write(&bad_header, "编号,时间\n1,2\n").unwrap();
    let out = run(&[
        "ingest",
        bad_header.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_code(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("bad.csv") && err.contains("text") && err.contains("编号, 时间"),
        "{err}"
    );
}

#[test]
fn rerunning_and_overlapping_inputs_never_duplicate_orders() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let gb = fixture("ingest/gb18030.csv");
    let gb = gb.to_str().unwrap();
    ingest_json(&[gb], &out_dir, 0);
    let first = read_orders(&out_dir);
    let summary = ingest_json(&[gb, gb], &out_dir, 0);
    assert_eq!(summary["duplicates"], 20);
    assert_eq!(summary["orders"], 20);
    let second = read_orders(&out_dir);
    let key = |o: &NormalizedOrder| {
        (
            o.order.clone(),
            o.text_norm.clone(),
            o.text_redacted.as_str().to_owned(),
        )
    };
    assert_eq!(
        first.iter().map(key).collect::<Vec<_>>(),
        second.iter().map(key).collect::<Vec<_>>()
    );

    // kesu's own orders.parquet ingests again into the same orders.
    let again = dir.path().join("again");
    let parquet = out_dir.join("orders.parquet");
    let summary = ingest_json(&[parquet.to_str().unwrap()], &again, 0);
    assert_eq!(summary["orders"], 20);
    let third = read_orders(&again);
    for (a, b) in first.iter().zip(&third) {
        assert_eq!(a.order.id, b.order.id);
        assert_eq!(a.order.text, b.order.text);
        assert_eq!(a.order.received_at, b.order.received_at);
        assert_eq!(a.order.phone, b.order.phone);
        assert_eq!(a.order.extra, b.order.extra);
        assert_eq!(a.text_redacted, b.text_redacted);
    }
}

#[test]
fn human_summary_and_help() {
    let dir = tempdir();
    let out_dir = dir.path().join("out");
    let xlsx = fixture("ingest/export.xlsx");
    let out = run(&[
        "ingest",
        xlsx.to_str().unwrap(),
        "--sheet",
        "工单明细",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_code(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("read 12 rows from 1 file: 12 accepted (0 duplicates replaced), 0 rejected"),
        "{text}"
    );
    assert!(text.contains("wrote 12 orders to"), "{text}");

    let out = run(&["ingest", "--help"]);
    assert_code(&out, 0);
    let help = stdout(&out);
    for flag in [
        "--out",
        "--encoding",
        "--sheet",
        "--columns",
        "--max-reject-rate",
        "--json",
        "--dict",
        "--stopwords",
        "Examples:",
        "Exit status",
    ] {
        assert!(help.contains(flag), "ingest --help lacks {flag}:\n{help}");
    }
}

/// orders.parquet must open in the tool analysts actually use. CI installs
/// pyarrow (.ci/run), so there the check is mandatory; elsewhere it is
/// skipped, with a note, when pyarrow is missing.
#[test]
fn orders_parquet_opens_in_pyarrow() {
    let have_pyarrow = std::process::Command::new("python3")
        .args(["-c", "import pyarrow"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_pyarrow {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 with pyarrow (.ci/run installs it)"
        );
        #[allow(clippy::print_stderr)]
        {
            eprintln!("skipped: python3 with pyarrow not available");
        }
        return;
    }
    let dir = tempdir();
    let gbk = fixture("ingest/gb18030.csv");
    let summary = ingest_json(&[gbk.to_str().expect("utf-8 path")], dir.path(), 0);
    let script = r#"
import sys, json
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
meta = {k.decode(): v.decode() for k, v in (pq.ParquetFile(sys.argv[1]).metadata.metadata or {}).items()}
print(json.dumps({
    "rows": t.num_rows,
    "columns": t.column_names,
    "received_at": str(t.schema.field("received_at").type),
    "version": meta.get("kesu.analyzer_version"),
    "first_text": t.column("text")[0].as_py(),
}, ensure_ascii=False))
"#;
    let parquet = dir.path().join("orders.parquet");
    let out = std::process::Command::new("python3")
        .args(["-c", script, parquet.to_str().expect("utf-8 path")])
        .output()
        .expect("running python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).expect("python printed JSON");
    assert_eq!(seen["rows"], summary["orders"]);
    assert_eq!(seen["received_at"], "timestamp[ms]");
    assert_eq!(seen["version"], summary["analyzer_version"]);
    let columns: Vec<&str> = seen["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for c in [
        "work_order_id",
        "text",
        "text_norm",
        "text_redacted",
        "extra",
        "terms",
    ] {
        assert!(columns.contains(&c), "{c} missing from {columns:?}");
    }
    // GB18030 decoded to real Chinese, not mojibake.
    let text = seen["first_text"].as_str().expect("text");
    assert!(
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{text}"
    );
}

#[test]
fn index_keeps_every_rejected_row_in_a_rejects_file() {
    let dir = tempdir();
    let index = dir.path().join("idx");
    let input = fixture("ingest/malformed.csv");
    let out = run(&[
        "index",
        input.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--json",
    ]);
    // 13 of 18 rows rejected: the reject gate fails, the outputs are written.
    assert_code(&out, 1);
    let summary: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("json");
    assert_eq!(summary["rejected"], 13);
    // The repeated id is accounted for: read = orders + rejected + duplicates.
    assert_eq!(
        (&summary["read"], &summary["duplicates"], &summary["orders"]),
        (&18.into(), &1.into(), &4.into())
    );
    let rejects = dir.path().join("idx.rejects.csv");
    assert_eq!(summary["rejects"], rejects.to_str().unwrap());
    let rows = read_rejects_file(&rejects);
    assert_eq!(rows.len(), 13, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|(file, line, _, reason)| file.ends_with("malformed.csv")
                && *line > 1
                && !reason.is_empty())
    );
    assert!(stderr(&out).contains("idx.rejects.csv"), "{}", stderr(&out));
}

#[test]
fn offsets_are_converted_to_the_local_time_zone() {
    let dir = tempdir();
    let input = dir.path().join("tz.csv");
    std::fs::write(
        &input,
        "工单编号,受理时间,受理内容\n\
         T1,2024-03-01T23:30:00-05:00,客户来电反映停电未通知\n\
         T2,2024-03-01T16:30:00Z,客户来电反映电压低\n\
         T3,2024-03-01 23:30:00,客户来电反映电费异常\n",
    )
    .unwrap();
    let received = |zone: Option<&str>| {
        let out_dir = dir.path().join(zone.unwrap_or("default").replace('/', "_"));
        let mut args = vec![input.to_str().unwrap()];
        if let Some(z) = zone {
            args.extend(["--timezone", z]);
        }
        ingest_json(&args, &out_dir, 0);
        read_orders(&out_dir)
            .into_iter()
            .map(|o| (o.order.id.to_string(), o.order.received_at.to_string()))
            .collect::<Vec<_>>()
    };
    let pair = |id: &str, at: &str| (id.to_owned(), at.to_owned());
    // Default Asia/Shanghai: 23:30 in New York is the next day in Beijing.
    assert_eq!(
        received(None),
        [
            pair("T1", "2024-03-02 12:30:00"),
            pair("T2", "2024-03-02 00:30:00"),
            pair("T3", "2024-03-01 23:30:00"),
        ]
    );
    assert_eq!(
        received(Some("UTC")),
        [
            pair("T1", "2024-03-02 04:30:00"),
            pair("T2", "2024-03-01 16:30:00"),
            pair("T3", "2024-03-01 23:30:00"),
        ]
    );
    let out = run(&[
        "ingest",
        input.to_str().unwrap(),
        "--timezone",
        "Mars/Olympus",
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("IANA time zone"), "{}", stderr(&out));
}
