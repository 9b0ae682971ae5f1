//! The weekly management report (`kesu run` writes it, `kesu report` renders
//! it again): every section present with the tables' numbers, the planted
//! surge named among the alerts with a typical case, hostile text inert, no
//! personal data, nothing loaded from the network, the same report when
//! rendered again, and a page that headless Chromium renders.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{assert_code, fixture, repo_root, run, stderr, stdout, tempdir};

/// The last week of `fixtures/orders/weeks.csv` (the second week of its
/// planted surge).
const LAST_WEEK: &str = "2024-W21";

/// The section ids of report.html, in order.
const SECTIONS: [&str; 8] = [
    "overview", "alerts", "gaps", "causes", "units", "cases", "patterns", "method",
];

/// Runs the weekly job on `input` into `dir/state` with reports in `dir/out`.
fn weekly(dir: &Path, input: &Path) -> (PathBuf, PathBuf) {
    let state = dir.join("state");
    let out = dir.join("out");
    let result = run(&[
        "run",
        "--input",
        input.to_str().expect("utf-8 path"),
        "--state",
        state.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_code(&result, 0);
    (state, out)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Rows of one table partition: column → value as Arrow displays it
/// ("null" for null), read with the parquet crate, not with the report's reader.
fn table(state: &Path, table: &str, week: &str) -> Vec<BTreeMap<String, String>> {
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let path = state
        .join("tables")
        .join(table)
        .join(format!("week={week}"))
        .join("part-0.parquet");
    let file = fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet")
        .build()
        .expect("reader");
    let options = FormatOptions::default().with_null("null");
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.expect("batch");
        let schema = batch.schema();
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("displayable"))
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                schema
                    .fields()
                    .iter()
                    .zip(&formatters)
                    .map(|(f, fmt)| (f.name().clone(), fmt.value(row).to_string()))
                    .collect(),
            );
        }
    }
    rows
}

fn num<T: std::str::FromStr>(row: &BTreeMap<String, String>, col: &str) -> T {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}={} is not a number", row[col]))
}

/// Every tag of an HTML text (`<…>`), lower-cased.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|s| s.split_once('>').map(|(t, _)| t.to_lowercase()))
        .collect()
}

/// Checks that hold for every report: sections, safety, self-containment.
fn check_page(html: &str) {
    for id in SECTIONS {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id} missing"
        );
    }
    assert!(
        html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'"),
        "a CSP that forbids scripts and loads"
    );
    for tag in tags(html) {
        assert!(!tag.starts_with("script"), "a script tag: <{tag}>");
        assert!(!tag.starts_with("iframe"), "an iframe: <{tag}>");
        assert!(
            !tag.contains(" on") || !tag.contains('='),
            "an event handler attribute: <{tag}>"
        );
        for attr in ["src=", "href="] {
            if let Some(rest) = tag.split(attr).nth(1) {
                assert!(
                    rest.starts_with("\"data:image/png;base64,"),
                    "only inline data: images, nothing from the network: <{}>",
                    &tag[..tag.len().min(80)]
                );
            }
        }
        assert!(!tag.contains("javascript:"), "<{tag}>");
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn weekly_report_has_every_section_with_the_tables_numbers() {
    let dir = tempdir();
    let (state, out) = weekly(dir.path(), &fixture("orders/weeks.csv"));
    let weeks: BTreeSet<String> = fs::read_dir(&out)
        .expect("reports")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(weeks.len(), 8, "one report per week run: {weeks:?}");
    assert!(weeks.iter().all(|w| w.starts_with("2024-W")), "{weeks:?}");

    let week_dir = out.join(LAST_WEEK);
    let html = read(&week_dir.join("report.html"));
    let md = read(&week_dir.join("report.md"));
    check_page(&html);
    for chart in ["gaps", "trends", "units", "heatmap"] {
        for ext in ["svg", "png"] {
            let p = week_dir.join("charts").join(format!("{chart}.{ext}"));
            assert!(p.is_file(), "{} missing", p.display());
        }
        assert!(
            html.contains(&format!("id=\"chart-{chart}\"")),
            "{chart} inline"
        );
        assert!(
            md.contains(&format!("](charts/{chart}.png)")),
            "{chart} in md"
        );
    }

    // 本周概况: the all-units KPIs.
    let kpis = table(&state, "kpis", LAST_WEEK);
    let all = kpis
        .iter()
        .find(|k| k["unit"] == "null")
        .expect("all-units row");
    let orders: u64 = num(all, "orders");
    let prev: u64 = num(all, "orders_prev_week");
    for text in [&html, &md] {
        assert!(
            text.contains(&format!("本周共受理投诉 {orders} 件")),
            "orders in the narrative"
        );
        assert!(text.contains(&format!("（上周 {prev} 件）")));
    }
    let repeat: f64 = num(all, "repeat_rate");
    assert!(md.contains(&format!("重复投诉率 {:.1}%", 100.0 * repeat)));

    // 预警: every alert of the table, with its observed count; the planted
    // surge (智能电表 in 城东, W20–W21) among them with a typical case.
    let alerts = table(&state, "alerts", LAST_WEEK);
    assert!(!alerts.is_empty(), "the planted surge raises an alert");
    // One bullet per cause (its label), one line per unit it rose in.
    let section = md
        .split("## 二、预警")
        .nth(1)
        .and_then(|r| r.split("## 三、").next())
        .expect("预警 section");
    let blocks: Vec<&str> = section.split("\n- ").skip(1).collect();
    for a in &alerts {
        let label = md_escaped(&a["cause_label"]);
        let observed: u64 = num(a, "observed");
        let unit = if a["unit"] == "null" {
            "全部单位"
        } else {
            a["unit"].as_str()
        };
        let block = blocks
            .iter()
            .find(|b| b.lines().next().is_some_and(|h| h.contains(&label)))
            .unwrap_or_else(|| panic!("alert of {label} not in report.md"));
        assert!(
            block.contains(&format!("  - {unit}：本周 {observed} 件，预期")),
            "{unit} with {observed} orders under {label}: {block}"
        );
    }
    let surge = alerts
        .iter()
        .find(|a| a["unit"] == "城东供电服务中心" && a["level"] == "alert")
        .expect("the planted surge is alerted in its unit");
    let label = surge["cause_label"].as_str();
    let card = html
        .split("<div class=\"alert-card")
        .find(|c| c.contains(label) && c.contains("<b>城东供电服务中心</b>：本周"))
        .expect("the surge's alert card");
    assert!(card.contains("典型案例 · 工单"), "with a typical case");
    assert!(card.contains("连续 2 周"), "since the week before: {card}");

    // 管理漏洞: each gap's orders are the sum of its causes' orders.
    let causes = table(&state, "causes", LAST_WEEK);
    let mut by_gap = std::collections::BTreeMap::<String, u64>::new();
    for c in &causes {
        let gap = c["gap"].as_str();
        if c["cause_key"] != "C0000" && !gap.is_empty() && !gap.starts_with("unmapped") {
            *by_gap.entry(gap.to_owned()).or_default() += num::<u64>(c, "orders");
        }
    }
    assert!(!by_gap.is_empty());
    for (gap, n) in &by_gap {
        assert!(
            md.lines()
                .any(|l| l.starts_with(&format!("| {gap} | {n} |"))),
            "gap {gap} with {n} orders in the table of report.md"
        );
    }
    // 根因: the largest cause with its count.
    let top = causes
        .iter()
        .filter(|c| c["cause_key"] != "C0000")
        .max_by_key(|c| num::<u64>(c, "orders"))
        .expect("a cause");
    let head = format!("| {}", md_escaped(&top["label"]));
    let n: u64 = num(top, "orders");
    assert!(
        md.lines()
            .any(|l| l.starts_with(&head) && l.contains(&format!(" | {n} | "))),
        "the largest cause with its {n} orders"
    );
    // 方法与数据: the input file and the run's row accounting.
    assert!(md.contains("weeks.csv（"));
    assert!(
        md.contains("3080 / 0 / 0 行"),
        "rows read / rejected / duplicates"
    );
}

/// What `escape_markdown` makes of a label.
fn md_escaped(s: &str) -> String {
    kesu_report::render::escape_markdown(s)
}

#[test]
fn kesu_report_renders_a_week_again_identically_from_the_state() {
    let dir = tempdir();
    let (state, out) = weekly(dir.path(), &fixture("report/hostile.csv"));
    let week = "2024-W16";
    let again = dir.path().join("again");
    let result = run(&[
        "report",
        "--state",
        state.to_str().expect("utf-8"),
        "--week",
        week,
        "--out",
        again.to_str().expect("utf-8"),
        "--json",
    ]);
    assert_code(&result, 0);
    let summary: serde_json::Value = serde_json::from_str(stdout(&result).trim()).expect("json");
    assert_eq!(summary["reports"][0]["week"], week);
    for file in [
        "report.html",
        "report.md",
        "charts/gaps.svg",
        "charts/gaps.png",
    ] {
        assert_eq!(
            fs::read(out.join(week).join(file)).expect("first"),
            fs::read(again.join(week).join(file)).expect("again"),
            "{file} differs when rendered again"
        );
    }
    // Rendering into the same folder replaces the week whole, leaving no
    // staging folders behind.
    let result = run(&[
        "report",
        "--state",
        state.to_str().expect("utf-8"),
        "--week",
        week,
        "--out",
        again.to_str().expect("utf-8"),
    ]);
    assert_code(&result, 0);
    let names: Vec<String> = fs::read_dir(&again)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [week]);

    // A week that was not run, and a folder that is no state, are clear errors.
    let missing = run(&[
        "report",
        "--state",
        state.to_str().expect("utf-8"),
        "--week",
        "2023-W01",
        "--out",
        again.to_str().expect("utf-8"),
    ]);
    assert_code(&missing, 2);
    assert!(
        stderr(&missing).contains("week 2023-W01 was not run"),
        "{}",
        stderr(&missing)
    );
    let none = run(&["report", "--state", again.to_str().expect("utf-8")]);
    assert_code(&none, 2);
    assert!(
        stderr(&none).contains("no weekly state here"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn hostile_complaint_text_and_unit_names_stay_inert() {
    let dir = tempdir();
    let (_, out) = weekly(dir.path(), &fixture("report/hostile.csv"));
    let mut seen_escaped = false;
    for week in fs::read_dir(&out).expect("reports") {
        let week = week.expect("entry").path();
        let html = read(&week.join("report.html"));
        check_page(&html);
        seen_escaped |= html.contains("&lt;script&gt;alert(");
        let md = read(&week.join("report.md"));
        for bad in ["<script", "<img", "<iframe", "<b ", "](javascript:"] {
            assert!(
                !md.contains(bad),
                "{bad} in report.md of {}",
                week.display()
            );
        }
        for chart in fs::read_dir(week.join("charts")).expect("charts") {
            let chart = chart.expect("entry").path();
            if chart.extension().is_some_and(|e| e == "svg") {
                let svg = read(&chart);
                assert!(!svg.contains("<script"), "{}", chart.display());
            }
        }
    }
    assert!(
        seen_escaped,
        "the hostile text reached the report (escaped), so the check means something"
    );
}

#[test]
fn no_personal_data_reaches_the_report() {
    let dir = tempdir();
    let input = fixture("orders/weeks.csv");
    let (_, out) = weekly(dir.path(), &input);
    let batch = kesu_ingest::ingest(&[input], &kesu_ingest::IngestOptions::default(), &|_| {})
        .expect("fixture ingests");
    let mut personal: BTreeSet<String> = BTreeSet::new();
    for o in &batch.orders {
        for v in [&o.phone, &o.customer_id, &o.address].into_iter().flatten() {
            personal.insert(v.clone());
        }
        // Three characters and more identify a person (two are also words).
        if let Some(name) = &o.customer_name
            && name.chars().count() >= 3
        {
            personal.insert(name.clone());
        }
    }
    assert!(personal.len() > 3000, "the fixture carries personal data");
    let mut texts = Vec::new();
    for week in fs::read_dir(&out).expect("reports") {
        let week = week.expect("entry").path();
        texts.push(read(&week.join("report.html")));
        texts.push(read(&week.join("report.md")));
        for chart in fs::read_dir(week.join("charts")).expect("charts") {
            let chart = chart.expect("entry").path();
            if chart.extension().is_some_and(|e| e == "svg") {
                texts.push(read(&chart));
            }
        }
    }
    assert!(texts.len() >= 8 * 5, "8 weeks × (html, md, SVG charts)");
    for text in &texts {
        for p in &personal {
            assert!(
                !text.contains(p.as_str()),
                "personal data {p:?} in a report"
            );
        }
    }
}

/// The Chromium program, or None (then the test is skipped, except in CI).
fn chromium() -> Option<PathBuf> {
    let found = kesu_report::find_chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs Debian's chromium (.ci/run): the report must be checked in a browser"
        );
    }
    found
}

/// Share of pixels in a horizontal band of an RGB image that are not white.
fn ink(img: &image::RgbImage, y0: u32, y1: u32) -> f64 {
    let mut inked = 0u64;
    let mut all = 0u64;
    for y in y0..y1.min(img.height()) {
        for x in 0..img.width() {
            all += 1;
            if img.get_pixel(x, y).0.iter().any(|&c| c < 200) {
                inked += 1;
            }
        }
    }
    inked as f64 / all.max(1) as f64
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempdir();
    let (_, out) = weekly(dir.path(), &fixture("orders/weeks.csv"));
    let html = out.join(LAST_WEEK).join("report.html");
    let url = format!("file://{}", html.canonicalize().expect("path").display());
    let profile = dir.path().join("profile");
    let base = |extra: &[String]| {
        let mut cmd = std::process::Command::new(&chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url);
        cmd.output().expect("chromium runs")
    };
    // The DOM after rendering: every section's heading is there.
    let dom = base(&["--dump-dom".to_owned()]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for heading in [
        "一、本周概况",
        "二、预警",
        "三、管理漏洞",
        "四、根因",
        "五、单位",
        "六、典型案例",
        "七、规范处理模式",
        "八、方法与数据",
    ] {
        assert!(dom.contains(heading), "{heading} not rendered");
    }
    // A screenshot: not blank, ink from top to bottom (text, tiles, charts).
    let shot = dir.path().join("report.png");
    let height = 6000u32;
    let result = base(&[
        format!("--screenshot={}", shot.display()),
        format!("--window-size=1100,{height}"),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let img = image::open(&shot).expect("a PNG").to_rgb8();
    let band = height / 6;
    for i in 0..6 {
        let share = ink(&img, i * band, (i + 1) * band);
        assert!(
            share > 0.01,
            "band {i} of the screenshot is blank ({share:.4} inked)"
        );
    }
    if let Some(keep) = std::env::var_os("KESU_KEEP_SCREENSHOT") {
        fs::copy(&shot, keep).expect("copy screenshot");
    }
}

#[test]
fn pdf_is_printed_or_refused_clearly() {
    let dir = tempdir();
    let (state, _) = weekly(dir.path(), &fixture("report/hostile.csv"));
    let out = dir.path().join("pdf");
    // No Chromium: a clear error naming what to install; the HTML is kept.
    let mut cmd = crate::util::kesu();
    let result = cmd
        .env("PATH", "/nonexistent")
        .env_remove("KESU_CHROMIUM")
        .args(["report", "--state", state.to_str().expect("utf-8")])
        .args([
            "--week",
            "2024-W16",
            "--pdf",
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .output()
        .expect("kesu runs");
    assert_code(&result, 2);
    assert!(
        stderr(&result).contains("no Chromium to print the PDF with"),
        "{}",
        stderr(&result)
    );
    let Some(_) = chromium() else {
        return;
    };
    let result = run(&[
        "report",
        "--state",
        state.to_str().expect("utf-8"),
        "--week",
        "2024-W16",
        "--pdf",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_code(&result, 0);
    let pdf = fs::read(out.join("2024-W16/report.pdf")).expect("report.pdf");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() > 50_000, "with the charts: {} bytes", pdf.len());
}

/// The committed `reports/sample/` is what the README's main command makes.
#[test]
fn committed_sample_report_matches_the_readme_command() {
    let readme = read(&repo_root().join("README.md"));
    let command = "run --input fixtures/orders/weeks.csv --state target/kesu-sample-state --out reports/sample";
    assert!(
        readme.contains(command),
        "README no longer gives the main command this test replays"
    );
    let dir = tempdir();
    let (_, out) = weekly(dir.path(), &fixture("orders/weeks.csv"));
    let committed = repo_root().join("reports/sample");
    for week in fs::read_dir(&out).expect("reports") {
        let week = week.expect("entry").file_name();
        let mut files = vec![PathBuf::from("report.md")];
        for chart in fs::read_dir(out.join(&week).join("charts")).expect("charts") {
            let name = chart.expect("entry").file_name();
            if name.to_string_lossy().ends_with(".svg") {
                files.push(Path::new("charts").join(name));
            }
        }
        for file in &files {
            let fresh = read(&out.join(&week).join(file));
            let old = read(&committed.join(&week).join(file));
            assert!(
                fresh == old,
                "reports/sample/{}/{} is stale: run the README's main command",
                week.to_string_lossy(),
                file.display()
            );
        }
        // The HTML says when the run finished; the rest is the same.
        let strip = |s: String| -> String {
            s.lines()
                .filter(|l| !l.contains("运行完成"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(
            strip(read(&out.join(&week).join("report.html")))
                == strip(read(&committed.join(&week).join("report.html"))),
            "reports/sample/{}/report.html is stale",
            week.to_string_lossy()
        );
    }
}
