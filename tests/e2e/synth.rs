//! End-to-end tests of `kesu synth` (written by its owner): determinism,
//! formats, truth columns, and committed fixtures that cannot go stale.

use std::fs;
use std::path::Path;

use crate::util::{assert_code, fixture, run, stderr, tempdir};

fn synth_to(out: &Path, args: &[&str]) -> Vec<u8> {
    let out_s = out.to_str().expect("utf-8 temp path");
    let mut all = vec!["synth"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out_s]);
    let o = run(&all);
    assert_code(&o, 0);
    assert!(
        stderr(&o).contains("kesu synth:"),
        "summary line: {}",
        stderr(&o)
    );
    fs::read(out).expect("reading generated file")
}

#[test]
fn synth_same_seed_same_bytes_other_seed_differs() {
    let dir = tempdir();
    let a = synth_to(&dir.path().join("a.csv"), &["--n", "700", "--seed", "5"]);
    let b = synth_to(&dir.path().join("b.csv"), &["--n", "700", "--seed", "5"]);
    let c = synth_to(&dir.path().join("c.csv"), &["--n", "700", "--seed", "6"]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let text = String::from_utf8(a).expect("utf-8");
    assert!(text.starts_with("工单编号,受理时间,受理渠道,供电单位,"));
    // 700 orders plus the header; texts may hold quoted line breaks, so count ids.
    assert_eq!(text.matches("\nGD20").count(), 700);
}

#[test]
fn synth_english_header_with_truth_suits_the_peer() {
    let dir = tempdir();
    let bytes = synth_to(
        &dir.path().join("l.csv"),
        &[
            "--n",
            "300",
            "--seed",
            "11",
            "--with-truth",
            "--header",
            "en",
        ],
    );
    let text = String::from_utf8(bytes).expect("utf-8");
    let header = text.lines().next().expect("header");
    let cols: Vec<&str> = header.split(',').collect();
    for want in [
        "work_order_id",
        "received_at",
        "channel",
        "unit",
        "customer_class",
        "category",
        "text",
        "true_root_cause",
        "true_class",
        "true_gap",
        "true_quadrant",
        "is_repeat",
        "repeat_group",
    ] {
        assert!(cols.contains(&want), "{want} missing from {header}");
    }
    // Every class label of the truth appears somewhere in a 300-order file.
    for class in ["供电服务", "营业业务", "停送电", "供电质量", "电网建设"] {
        assert!(text.contains(class), "{class}");
    }
}

#[test]
fn synth_gb18030_csv_is_not_utf8_and_starts_with_the_gbk_header() {
    let dir = tempdir();
    let bytes = synth_to(
        &dir.path().join("g.csv"),
        &["--n", "50", "--encoding", "gb18030"],
    );
    // 工单编号 in GB18030.
    assert!(bytes.starts_with(&[0xB9, 0xA4, 0xB5, 0xA5, 0xB1, 0xE0, 0xBA, 0xC5]));
    assert!(String::from_utf8(bytes).is_err());
}

#[test]
fn synth_formats_follow_the_extension_or_flag() {
    let dir = tempdir();
    let jsonl = synth_to(&dir.path().join("o.jsonl"), &["--n", "40", "--with-truth"]);
    let text = String::from_utf8(jsonl).expect("utf-8");
    assert_eq!(text.lines().count(), 40);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        assert!(v["工单编号"].as_str().is_some_and(|s| s.starts_with("GD")));
        assert!(v["is_repeat"].is_boolean());
    }
    let xlsx = synth_to(&dir.path().join("o.xlsx"), &["--n", "40"]);
    assert!(xlsx.starts_with(b"PK\x03\x04"));
    let forced = synth_to(
        &dir.path().join("o.data"),
        &["--n", "40", "--format", "jsonl"],
    );
    assert!(forced.starts_with(b"{\""));
}

#[test]
fn synth_rejects_gb18030_for_non_csv_and_leaves_no_file() {
    let dir = tempdir();
    let out = dir.path().join("x.xlsx");
    let o = run(&[
        "synth",
        "--n",
        "10",
        "--encoding",
        "gb18030",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("gb18030"));
    assert!(!out.exists());
}

#[test]
fn synth_spike_adds_planted_orders_after_the_unchanged_ones() {
    let dir = tempdir();
    let base = &[
        "--n",
        "400",
        "--seed",
        "8",
        "--with-truth",
        "--header",
        "en",
    ];
    let plain = synth_to(&dir.path().join("plain.jsonl"), base);
    let mut args = base.to_vec();
    args.extend(["--spike", "城东供电服务中心:smart_meter_fast:3:2:25"]);
    let spiked = synth_to(&dir.path().join("spiked.jsonl"), &args);
    let plain = String::from_utf8(plain).expect("utf-8");
    let spiked = String::from_utf8(spiked).expect("utf-8");
    let rows: Vec<serde_json::Value> = spiked
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(rows.len(), 450);
    let planted: Vec<&serde_json::Value> = rows.iter().filter(|r| r["spike"] == true).collect();
    assert_eq!(planted.len(), 50);
    for r in &planted {
        assert_eq!(r["unit"], "城东供电服务中心");
        assert_eq!(r["true_root_cause"], "smart_meter_fast");
        // weeks 3–4 from 2024-01-01: 2024-01-15 .. 2024-01-28
        let t = r["received_at"].as_str().expect("time");
        assert!(("2024-01-15".."2024-01-29").contains(&t), "{t}");
    }
    // without --spike the rows are what they always were (one key fewer)
    for (p, s) in plain.lines().zip(spiked.lines()) {
        let p = p.strip_suffix('}').expect("object");
        assert_eq!(s, format!("{p},\"spike\":false}}"));
    }
    let o = run(&[
        "synth",
        "--n",
        "10",
        "--spike",
        "城东供电服务中心:smart_meter_fast:30",
        "--out",
        "-",
    ]);
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("outside the 26 weeks"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn synth_help_has_examples() {
    let o = run(&["synth", "--help"]);
    assert_code(&o, 0);
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in [
        "--n",
        "--seed",
        "--out",
        "--format",
        "--encoding",
        "--with-truth",
        "--header",
        "--weeks",
        "--start",
        "--spike",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
    assert!(help.contains("Examples:"));
}

/// The committed fixtures are exactly what the documented commands produce
/// (fixtures/orders/README.md, fixtures/labelled/README.md). If this fails
/// after an intended generator change, regenerate them with those commands.
#[test]
fn synth_committed_fixtures_equal_a_fresh_generation() {
    let cases: [(&str, &[&str]); 8] = [
        ("orders/sample.csv", &["--n", "2000", "--seed", "7"]),
        (
            "orders/weeks.csv",
            &[
                "--n",
                "3000",
                "--seed",
                "7",
                "--weeks",
                "8",
                "--start",
                "2024-04-01",
                "--spike",
                "城东供电服务中心:smart_meter_fast:7:2:40",
            ],
        ),
        (
            "orders/sample_gb18030.csv",
            &["--n", "300", "--seed", "7", "--encoding", "gb18030"],
        ),
        ("orders/sample.xlsx", &["--n", "300", "--seed", "7"]),
        ("orders/sample.jsonl", &["--n", "100", "--seed", "7"]),
        (
            "labelled/labelled.csv",
            &["--n", "3000", "--seed", "11", "--with-truth"],
        ),
        (
            "labelled/labelled_en.csv",
            &[
                "--n",
                "3000",
                "--seed",
                "11",
                "--with-truth",
                "--header",
                "en",
            ],
        ),
        (
            "labelled/cross_class.csv",
            &[
                "--n",
                "3000",
                "--seed",
                "12",
                "--with-truth",
                "--cross-class",
                "20",
            ],
        ),
    ];
    let dir = tempdir();
    for (rel, args) in cases {
        let committed = fs::read(fixture(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"));
        let name = Path::new(rel).file_name().expect("file name");
        let fresh = synth_to(&dir.path().join(name), args);
        assert!(
            committed == fresh,
            "fixtures/{rel} is stale: regenerate it (see its README.md)"
        );
    }
}
