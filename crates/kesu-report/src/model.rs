//! The report's content, computed from the tables: every number a template
//! prints is a field here, filled from [`crate::load::ReportInput`], never
//! typed into a template.
//!
//! The views are plain serde structs so that the HTML and the Markdown
//! templates show the same content, and so that tests can compare them
//! with the tables.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::load::{Cause, ReportInput, Typical, WeekTables};

/// How many causes the 根因 section lists.
pub const TOP_CAUSES: usize = 10;
/// How many causes the trend chart draws (the alerted ones first).
pub const TREND_CAUSES: usize = 5;
/// How many gaps get typical cases and handling patterns.
pub const TOP_GAPS: usize = 3;
/// Typical cases per gap.
pub const CASES_PER_GAP: usize = 3;
/// Units drawn in the heatmap (the rest are summed into one row).
pub const HEATMAP_UNITS: usize = 15;
/// Characters of a typical case's text shown (the whole text stays in the tables).
pub const CASE_CHARS: usize = 240;

/// The name of the bucket of orders no cause explains.
pub const OTHER_LABEL: &str = "其他（未归因）";
/// What the tables call a cause whose gap is unknown.
const UNMAPPED_PREFIX: &str = "unmapped";
/// The name the report gives it.
pub const UNMAPPED_LABEL: &str = "未归类（可能的新漏洞）";

/// The five official complaint classes, in the order of the heatmap.
pub const CLASSES: [&str; 5] = ["供电服务", "营业业务", "停送电", "供电质量", "电网建设"];

/// A headline figure of 本周概况.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tile {
    /// What it is (投诉总量, …).
    pub name: String,
    /// The value as printed.
    pub value: String,
    /// The change as printed (环比 +5.2%), empty when unknown.
    pub change: String,
    /// up / down / flat / "" (unknown).
    pub direction: String,
    /// worse / better / "" (neutral or unknown): whether the move is good news.
    pub judgement: String,
}

/// 本周概况.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// Orders this week.
    pub orders: u64,
    /// The headline figures.
    pub tiles: Vec<Tile>,
    /// The narrative, one sentence per element.
    pub narrative: Vec<String>,
    /// Shares by complaint class (the five official classes, in order).
    pub classes: Vec<MixRow>,
    /// Shares by intake channel, largest first.
    pub channels: Vec<MixRow>,
}

/// One class or channel: its orders and share this week, and the change of
/// its share from last week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixRow {
    /// Class or channel.
    pub name: String,
    /// Orders (share × the week's orders, rounded).
    pub orders: u64,
    /// Share as printed.
    pub share: String,
    /// Change of share from last week as printed ("—" when last week was not run).
    pub change: String,
    /// up / down / flat / "".
    pub direction: String,
}

/// The mix rows of `now` against `before`, in `order` (then the rest, largest first).
fn mix_rows(
    now: &BTreeMap<String, f64>,
    before: Option<&BTreeMap<String, f64>>,
    orders: u64,
    order: &[&str],
) -> Vec<MixRow> {
    let mut names: Vec<&String> = now.keys().collect();
    names.sort_by(|a, b| {
        let rank = |n: &str| order.iter().position(|o| *o == n).unwrap_or(order.len());
        rank(a)
            .cmp(&rank(b))
            .then(now[*b].total_cmp(&now[*a]))
            .then(a.cmp(b))
    });
    names
        .into_iter()
        .map(|name| {
            let share = now[name];
            let (change, dir) = match before {
                Some(b) => {
                    let d = share - b.get(name).copied().unwrap_or(0.0);
                    (signed_pp(d), direction(d, 0.005))
                }
                None => ("—".to_owned(), ""),
            };
            MixRow {
                name: name.clone(),
                orders: (share * orders as f64).round() as u64,
                share: pct(share),
                change,
                direction: dir.to_owned(),
            }
        })
        .collect()
}

/// A typical case as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    /// Work order id (auditors open it in the index).
    pub work_order_id: String,
    /// The cause it belongs to.
    pub cause_label: String,
    /// Redacted text, shortened to [`CASE_CHARS`].
    pub text: String,
    /// How it was handled (redacted), or a note that the export had none.
    pub handling: String,
}

/// One warning of a cause in one scope (all units or one unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertScope {
    /// Unit, or 全部单位.
    pub unit: String,
    /// 预警 / 关注.
    pub level: String,
    /// alert / watch (for styling).
    pub level_key: String,
    /// Orders this week.
    pub observed: u64,
    /// Expected, one decimal.
    pub expected: String,
    /// Observed / expected as printed ("新出现" when nothing was expected).
    pub ratio: String,
    /// Threshold, one decimal.
    pub threshold: String,
    /// P-value as printed.
    pub p_value: String,
    /// First week of the run of consecutive weeks with this warning.
    pub since: String,
    /// Weeks in that run (1 = new this week).
    pub weeks_running: usize,
    /// The rule, in Chinese.
    pub method: String,
    /// The rule's explanation from the table.
    pub reason: String,
}

/// The early warnings of one cause: all units and the units where it rose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertView {
    /// 预警 when any scope is an alert, else 关注.
    pub level: String,
    /// alert / watch (for styling).
    pub level_key: String,
    /// Cause name.
    pub cause_label: String,
    /// Cause key.
    pub cause_key: String,
    /// Its warnings, all units first, then units by surprise.
    pub scopes: Vec<AlertScope>,
    /// A typical case of the cause (from a unit it rose in when possible).
    pub case: Option<CaseView>,
}

/// One management gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapView {
    /// Its name.
    pub name: String,
    /// Orders this week.
    pub orders: u64,
    /// Share of the week's orders, as printed.
    pub share: String,
    /// Share as a number (0–1).
    pub share_value: f64,
    /// Change of share against the mean of the earlier weeks, as printed.
    pub trend: String,
    /// up / down / flat / "".
    pub direction: String,
    /// Remedy (培训 / 整改流程 / 延伸服务 / 宣传).
    pub remedy: String,
    /// Responsible post.
    pub post: String,
    /// Names of its causes this week, largest first.
    pub causes: Vec<String>,
}

/// One root cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseView {
    /// Stable key.
    pub key: String,
    /// Name.
    pub label: String,
    /// 新出现 / 持续 / 上升 / 回落 / 拆分 / 合并.
    pub status: String,
    /// new / recurring / … (for styling).
    pub status_key: String,
    /// Orders.
    pub orders: u64,
    /// Share, as printed.
    pub share: String,
    /// Orders the week before ("—" when the week was not run).
    pub previous: String,
    /// Management gap.
    pub gap: String,
    /// Its heaviest terms.
    pub terms: String,
    /// Whether an alert names it this week.
    pub alerted: bool,
}

/// One unit's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitView {
    /// Unit.
    pub unit: String,
    /// Orders.
    pub orders: u64,
    /// Orders per 10 000 customers, as printed ("—" when unknown).
    pub per_10k: String,
    /// Per 10k as a number.
    #[serde(skip)]
    pub per_10k_value: Option<f64>,
    /// Its largest class.
    pub top_class: String,
}

/// A unit × class table (the heatmap's numbers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitClass {
    /// Row names.
    pub units: Vec<String>,
    /// Column names.
    pub classes: Vec<String>,
    /// Counts, by row then column.
    pub counts: Vec<Vec<u64>>,
}

/// The typical cases of a gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapCases {
    /// The gap.
    pub gap: String,
    /// Its cases.
    pub cases: Vec<CaseView>,
}

/// A handling pattern seen in the data, with how often.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    /// The clause.
    pub text: String,
    /// In how many typical cases.
    pub cases: usize,
}

/// The standard handling pattern for a kind of complaint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    /// The gap.
    pub gap: String,
    /// Remedy.
    pub remedy: String,
    /// What the remedy means in practice.
    pub remedy_text: String,
    /// Responsible post.
    pub post: String,
    /// The most common resolutions of its typical cases.
    pub resolutions: Vec<Resolution>,
    /// How many typical cases with a handling text they come from.
    pub cases_read: usize,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputView {
    /// File name (no folder).
    pub name: String,
    /// First 12 hex digits of its SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// 方法与数据.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    /// Input files of the run that made the week.
    pub inputs: Vec<InputView>,
    /// Rows the run read, accepted, rejected (None without a manifest).
    pub rows_read: Option<u64>,
    /// Rows rejected by that run.
    pub rows_rejected: Option<u64>,
    /// Duplicates dropped by that run.
    pub duplicates: Option<u64>,
    /// Rejected rows filed under this week.
    pub week_rejects: usize,
    /// kesu version.
    pub kesu_version: String,
    /// Analyzer version.
    pub analyzer_version: String,
    /// Configuration hash (first 12 digits).
    pub config_hash: String,
    /// When the run finished.
    pub run_finished: String,
    /// Weeks of history the trends and baselines see.
    pub history_weeks: usize,
}

/// The whole report of a week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// ISO week, `2024-W23`.
    pub week: String,
    /// 2024年第23周.
    pub week_name: String,
    /// Monday–Sunday.
    pub period: String,
    /// 本周概况.
    pub overview: Overview,
    /// 预警 (alerts first, then watch).
    pub alerts: Vec<AlertView>,
    /// 管理漏洞, largest first.
    pub gaps: Vec<GapView>,
    /// Orders no cause explains.
    pub other_orders: u64,
    /// 根因, largest first.
    pub causes: Vec<CauseView>,
    /// Causes this week (without 其他).
    pub cause_count: usize,
    /// 单位: ranking.
    pub units: Vec<UnitView>,
    /// Whether customer counts are known for the ranking.
    pub units_per_10k: bool,
    /// 单位 × 类别.
    pub unit_class: UnitClass,
    /// 典型案例 by top gap.
    pub cases: Vec<GapCases>,
    /// 规范处理模式.
    pub patterns: Vec<Pattern>,
    /// 方法与数据.
    pub method: Method,
    /// Trend chart data: weeks.
    #[serde(skip)]
    pub trend_weeks: Vec<String>,
    /// Trend chart data: one line per top cause.
    #[serde(skip)]
    pub trend_series: Vec<TrendLine>,
}

/// A top cause's weekly counts over the trend weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendLine {
    /// Cause name.
    pub label: String,
    /// Orders per week (None: the week was not run).
    pub counts: Vec<Option<u64>>,
    /// Indices of the weeks with an alert of the cause.
    pub alerts: Vec<usize>,
}

/// 12.3%.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// +5.2% / −3.0% / 0.0%.
fn signed_pct(x: f64) -> String {
    let v = 100.0 * x;
    if v.abs() < 0.05 {
        "0.0%".to_owned()
    } else if v > 0.0 {
        format!("+{v:.1}%")
    } else {
        format!("−{:.1}%", -v)
    }
}

/// +0.6 个百分点.
fn signed_pp(x: f64) -> String {
    let v = 100.0 * x;
    if v.abs() < 0.05 {
        "持平".to_owned()
    } else if v > 0.0 {
        format!("+{v:.1} 个百分点")
    } else {
        format!("−{:.1} 个百分点", -v)
    }
}

fn direction(x: f64, flat: f64) -> &'static str {
    if x > flat {
        "up"
    } else if x < -flat {
        "down"
    } else {
        "flat"
    }
}

/// Whether a move is good news: `up_is_bad` for orders, repeats, 属实.
fn judge(dir: &str, up_is_bad: bool) -> &'static str {
    match (dir, up_is_bad) {
        ("up", true) | ("down", false) => "worse",
        ("down", true) | ("up", false) => "better",
        _ => "",
    }
}

fn rise_word(x: f64) -> &'static str {
    if x > 0.0 { "上升" } else { "下降" }
}

/// `2024-W23` → 2024年第23周; Monday–Sunday as 2024年6月3日—6月9日.
fn week_names(week: kesu_pipeline::IsoWeek) -> (String, String) {
    use chrono::Datelike;
    let monday = week.monday();
    let sunday = monday + chrono::Days::new(6);
    (
        format!("{}年第{}周", week.year(), week.week()),
        format!(
            "{}年{}月{}日—{}月{}日",
            monday.year(),
            monday.month(),
            monday.day(),
            sunday.month(),
            sunday.day()
        ),
    )
}

fn status_name(status: &str) -> &'static str {
    match status {
        "new" => "新出现",
        "recurring" => "持续",
        "growing" => "上升",
        "fading" => "回落",
        "split" => "拆分",
        "merged" => "合并",
        _ => "其他",
    }
}

fn method_name(method: &str) -> String {
    match method {
        "negative_binomial" => "计数模型（负二项基线）".to_owned(),
        "ears" => "短基线规则（EARS）".to_owned(),
        "emerging" => "新出现且数量大".to_owned(),
        "no_baseline" => "无基线".to_owned(),
        other => other.to_owned(),
    }
}

/// The gap a cause is reported under (其他 has none).
fn gap_name(c: &Cause) -> Option<String> {
    if c.cause_key == kesu_pipeline::OTHER_KEY || c.gap.is_empty() {
        None
    } else if c.gap.starts_with(UNMAPPED_PREFIX) {
        Some(UNMAPPED_LABEL.to_owned())
    } else {
        Some(c.gap.clone())
    }
}

/// What a remedy means, after DOMAIN's four quadrants.
pub fn remedy_text(remedy: &str) -> &'static str {
    match remedy {
        "培训" => "服务行为类问题：对责任岗位开展服务规范与业务技能专项培训，纳入考核。",
        "整改流程" => {
            "业务管理实质问题：查找流程中的断点，明确责任部门与时限，整改并跟踪闭环。"
        }
        "延伸服务" => {
            "非电力企业产权类：讲清产权分界，协助客户联系产权单位（物业、开发商）处理。"
        }
        "宣传" => "客户理解偏差：加强政策与电费知识宣传，完善常见问题答复口径。",
        _ => "尚无对应的整改措施：请在分类表中为该漏洞指定。",
    }
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn case_view(cause: &Cause, t: &Typical) -> CaseView {
    CaseView {
        work_order_id: t.work_order_id.clone(),
        cause_label: cause.label.clone(),
        text: shorten(&t.text, CASE_CHARS),
        handling: if t.handling.trim().is_empty() {
            "（导出数据无处理意见）".to_owned()
        } else {
            shorten(&t.handling, CASE_CHARS)
        },
    }
}

/// The clauses of a handling text (处理意见), normalised for counting.
fn clauses(handling: &str) -> Vec<String> {
    handling
        .split(['。', '；', ';', '，', ',', '！', '\n'])
        .map(|c| c.trim().trim_matches(|ch: char| ch.is_ascii_punctuation()))
        .filter(|c| c.chars().count() >= 4)
        .map(str::to_owned)
        .collect()
}

/// Builds the report of `input.week`.
pub fn build(input: &ReportInput) -> Report {
    let week = input.week;
    let (week_name, period) = week_names(week);
    let cur = &input.current;
    let prev = input
        .history
        .last()
        .filter(|(w, _)| *w == week.previous())
        .map(|(_, t)| t);
    let by_id: HashMap<&str, &crate::load::Assignment> = input
        .assignments
        .iter()
        .map(|a| (a.work_order_id.as_str(), a))
        .collect();

    let alerts = alert_views(input, &by_id);
    let gaps = gap_views(cur, &input.history);
    let other_orders = cur
        .causes
        .iter()
        .filter(|c| gap_name(c).is_none())
        .map(|c| c.orders)
        .sum();
    let alerted: std::collections::HashSet<&str> = cur
        .alerts
        .iter()
        .filter(|a| a.level == "alert")
        .map(|a| a.cause_key.as_str())
        .collect();
    let mut named: Vec<&Cause> = cur
        .causes
        .iter()
        .filter(|c| c.cause_key != kesu_pipeline::OTHER_KEY)
        .collect();
    named.sort_by(|a, b| b.orders.cmp(&a.orders).then(a.cause_key.cmp(&b.cause_key)));
    let prev_orders: HashMap<&str, u64> = prev
        .map(|p| {
            p.causes
                .iter()
                .map(|c| (c.cause_key.as_str(), c.orders))
                .collect()
        })
        .unwrap_or_default();
    let causes: Vec<CauseView> = named
        .iter()
        .take(TOP_CAUSES)
        .map(|c| CauseView {
            key: c.cause_key.clone(),
            label: c.label.clone(),
            status: status_name(&c.status).to_owned(),
            status_key: c.status.clone(),
            orders: c.orders,
            share: pct(c.share),
            previous: match prev {
                None => "—".to_owned(),
                Some(_) => prev_orders
                    .get(c.cause_key.as_str())
                    .copied()
                    .unwrap_or(0)
                    .to_string(),
            },
            gap: gap_name(c).unwrap_or_default(),
            terms: c
                .top_terms
                .iter()
                .take(4)
                .map(|t| t.term.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            alerted: alerted.contains(c.cause_key.as_str()),
        })
        .collect();

    // The trend chart shows the causes alerted this week (their rise is the
    // news), then the largest causes.
    let mut trend_causes: Vec<&Cause> = named
        .iter()
        .filter(|c| alerted.contains(c.cause_key.as_str()))
        .take(TREND_CAUSES)
        .copied()
        .collect();
    for c in &named {
        if trend_causes.len() == TREND_CAUSES {
            break;
        }
        if !trend_causes.iter().any(|t| t.cause_key == c.cause_key) {
            trend_causes.push(c);
        }
    }
    let (trend_weeks, trend_series) = trends(input, &trend_causes);
    let (units, units_per_10k, unit_class) = unit_views(input);
    let cases = gap_cases(cur, &gaps);
    let patterns = patterns(input, &gaps);
    let overview = overview(input, prev, &alerts, &gaps, &named);
    let method = method(input);
    Report {
        week: week.to_string(),
        week_name,
        period,
        overview,
        alerts,
        gaps,
        other_orders,
        cause_count: named.len(),
        causes,
        units,
        units_per_10k,
        unit_class,
        cases,
        patterns,
        method,
        trend_weeks,
        trend_series,
    }
}

fn overview(
    input: &ReportInput,
    prev: Option<&WeekTables>,
    alerts: &[AlertView],
    gaps: &[GapView],
    named: &[&Cause],
) -> Overview {
    let cur = &input.current;
    let Some(k) = cur.all_units() else {
        return Overview {
            orders: 0,
            tiles: Vec::new(),
            narrative: vec!["本周没有投诉工单。".to_owned()],
            classes: Vec::new(),
            channels: Vec::new(),
        };
    };
    let pk = prev.and_then(WeekTables::all_units);
    let mut tiles = Vec::new();
    let mut text = Vec::new();

    // Orders.
    let mut first = format!("本周共受理投诉 {} 件", k.orders);
    let mut change = Vec::new();
    if let (Some(wow), Some(p)) = (k.week_on_week, k.orders_prev_week) {
        first.push_str(&format!(
            "，环比{} {}（上周 {} 件）",
            rise_word(wow),
            signed_pct(wow.abs()).trim_start_matches('+'),
            p
        ));
        change.push(format!("环比 {}", signed_pct(wow)));
    }
    if let (Some(yoy), Some(p)) = (k.year_on_year, k.orders_year_ago) {
        first.push_str(&format!(
            "，同比{} {}（去年同期 {} 件）",
            rise_word(yoy),
            signed_pct(yoy.abs()).trim_start_matches('+'),
            p
        ));
        change.push(format!("同比 {}", signed_pct(yoy)));
    }
    first.push('。');
    text.push(first);
    let dir = k.week_on_week.map(|x| direction(x, 0.02)).unwrap_or("");
    tiles.push(Tile {
        name: "投诉总量".to_owned(),
        value: format!("{} 件", k.orders),
        change: change.join(" · "),
        direction: dir.to_owned(),
        judgement: judge(dir, true).to_owned(),
    });

    // Rates against last week.
    let rate_tile = |name: &str, now: Option<f64>, before: Option<f64>, up_is_bad: bool| {
        let value = now.map(pct).unwrap_or_else(|| "无数据".to_owned());
        let (change, dir) = match (now, before) {
            (Some(a), Some(b)) => {
                let d = direction(a - b, 0.005);
                (format!("较上周 {}", signed_pp(a - b)), d)
            }
            _ => (String::new(), ""),
        };
        Tile {
            name: name.to_owned(),
            value,
            change,
            direction: dir.to_owned(),
            judgement: judge(dir, up_is_bad).to_owned(),
        }
    };
    let repeat = rate_tile(
        "重复投诉率",
        Some(k.repeat_rate),
        pk.map(|p| p.repeat_rate),
        true,
    );
    let sub = rate_tile(
        "属实率",
        k.substantiated_rate,
        pk.and_then(|p| p.substantiated_rate),
        true,
    );
    let ontime = rate_tile(
        "按时办结率",
        k.on_time_rate,
        pk.and_then(|p| p.on_time_rate),
        false,
    );
    let mut rates = vec![format!(
        "重复投诉率 {}{}",
        repeat.value,
        paren(&[repeat.change.as_str()])
    )];
    match k.substantiated_rate {
        Some(_) => rates.push(format!(
            "属实率 {}{}",
            sub.value,
            paren(&[
                format!("{} 件有核实结论", k.substantiation_known).as_str(),
                &sub.change
            ])
        )),
        None => rates.push("导出数据无“是否属实”，属实率未计算".to_owned()),
    }
    match k.on_time_rate {
        Some(_) => rates.push(format!(
            "按时办结率 {}{}",
            ontime.value,
            paren(&[format!("已办结 {} 件", k.closed).as_str(), &ontime.change])
        )),
        None => rates.push("导出数据无办结时间，按时办结率未计算".to_owned()),
    }
    text.push(format!("{}。", rates.join("；")));
    tiles.push(repeat);
    tiles.push(sub);
    tiles.push(ontime);

    // Warnings.
    let real: Vec<&AlertView> = alerts.iter().filter(|a| a.level_key == "alert").collect();
    if real.is_empty() {
        text.push("本周无预警。".to_owned());
    } else {
        let named: Vec<String> = real
            .iter()
            .take(3)
            .map(|a| {
                let scopes: Vec<String> = a
                    .scopes
                    .iter()
                    .filter(|s| s.level_key == "alert")
                    .map(|s| format!("{} {} 件，预期 {} 件", s.unit, s.observed, s.expected))
                    .collect();
                format!("“{}”（{}）", a.cause_label, scopes.join("；"))
            })
            .collect();
        let more = if real.len() > 3 {
            format!("等 {} 个根因", real.len())
        } else {
            format!("共 {} 个根因", real.len())
        };
        text.push(format!("本周预警：{}，{}。", named.join("、"), more));
    }
    // Gaps.
    if let Some(g) = gaps.first() {
        let mut s = format!(
            "管理漏洞中“{}”居首，{} 件，占 {}",
            g.name, g.orders, g.share
        );
        if !g.trend.is_empty() {
            s.push_str(&paren(&[&g.trend]));
        }
        if let Some(g2) = gaps.get(1) {
            s.push_str(&format!("；其次为“{}”，占 {}", g2.name, g2.share));
        }
        s.push('。');
        text.push(s);
    }
    // New causes.
    let new: Vec<&str> = named
        .iter()
        .filter(|c| c.status == "new")
        .map(|c| c.label.as_str())
        .collect();
    if !new.is_empty() {
        let list: Vec<String> = new.iter().take(3).map(|l| format!("“{l}”")).collect();
        text.push(format!(
            "新出现根因 {} 个：{}{}。",
            new.len(),
            list.join("、"),
            if new.len() > 3 { "等" } else { "" }
        ));
    }
    tiles.push(Tile {
        name: "预警".to_owned(),
        value: format!("{} 项", real.len()),
        change: format!(
            "另有关注 {} 项",
            alerts.iter().filter(|a| a.level_key != "alert").count()
        ),
        direction: String::new(),
        judgement: if real.is_empty() { "" } else { "worse" }.to_owned(),
    });
    Overview {
        orders: k.orders,
        tiles,
        narrative: text,
        classes: mix_rows(&k.class_mix, pk.map(|p| &p.class_mix), k.orders, &CLASSES),
        channels: mix_rows(&k.channel_mix, pk.map(|p| &p.channel_mix), k.orders, &[]),
    }
}

/// The non-empty parts in one pair of brackets: （a，b）.
fn paren(parts: &[&str]) -> String {
    let parts: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("（{}）", parts.join("，"))
    }
}

fn alert_views(
    input: &ReportInput,
    by_id: &HashMap<&str, &crate::load::Assignment>,
) -> Vec<AlertView> {
    let cur = &input.current;
    let mut rows: Vec<&crate::load::Alert> = cur.alerts.iter().collect();
    // Alerts before watches, then the most surprising first.
    rows.sort_by(|a, b| {
        (a.level != "alert")
            .cmp(&(b.level != "alert"))
            .then(a.p_value.total_cmp(&b.p_value))
            .then(b.observed.cmp(&a.observed))
            .then(a.unit.cmp(&b.unit))
    });
    let mut views: Vec<AlertView> = Vec::new();
    for a in rows {
        let scope = alert_scope(input, a);
        if let Some(v) = views.iter_mut().find(|v| v.cause_key == a.cause_key) {
            v.scopes.push(scope);
            continue;
        }
        views.push(AlertView {
            level: scope.level.clone(),
            level_key: scope.level_key.clone(),
            cause_label: a.cause_label.clone(),
            cause_key: a.cause_key.clone(),
            scopes: vec![scope],
            case: None,
        });
    }
    for v in &mut views {
        // All units first: the reader sees the whole before the parts.
        v.scopes.sort_by_key(|s| s.unit != ALL_UNITS_LABEL);
        let units: Vec<&str> = v
            .scopes
            .iter()
            .filter(|s| s.unit != ALL_UNITS_LABEL)
            .map(|s| s.unit.as_str())
            .collect();
        v.case = cur
            .causes
            .iter()
            .find(|c| c.cause_key == v.cause_key)
            .and_then(|c| {
                let in_unit = c.typical.iter().find(|t| {
                    by_id
                        .get(t.work_order_id.as_str())
                        .and_then(|x| x.unit.as_deref())
                        .is_some_and(|u| units.contains(&u))
                });
                in_unit.or(c.typical.first()).map(|t| case_view(c, t))
            });
    }
    views
}

/// What the report calls the all-units scope.
pub const ALL_UNITS_LABEL: &str = "全部单位";

fn alert_scope(input: &ReportInput, a: &crate::load::Alert) -> AlertScope {
    // Consecutive earlier weeks with a warning of the same cause and unit.
    let mut since = input.week;
    let mut running = 1;
    for (w, t) in input.history.iter().rev() {
        if *w != since.previous()
            || !t
                .alerts
                .iter()
                .any(|b| b.cause_key == a.cause_key && b.unit == a.unit)
        {
            break;
        }
        since = *w;
        running += 1;
    }
    AlertScope {
        unit: a.unit.clone().unwrap_or_else(|| ALL_UNITS_LABEL.to_owned()),
        level: if a.level == "alert" {
            "预警"
        } else {
            "关注"
        }
        .to_owned(),
        level_key: a.level.clone(),
        observed: a.observed,
        expected: format!("{:.1}", a.expected),
        ratio: if a.expected >= 0.05 {
            format!("{:.1} 倍", a.observed as f64 / a.expected)
        } else {
            "新出现".to_owned()
        },
        threshold: format!("{:.1}", a.threshold),
        p_value: if a.p_value < 0.0001 {
            "＜ 0.0001".to_owned()
        } else {
            format!("= {:.4}", a.p_value)
        },
        since: since.to_string(),
        weeks_running: running,
        method: method_name(&a.method),
        reason: a.reason.clone(),
    }
}

/// Orders per gap of one week's causes.
fn gap_orders(t: &WeekTables) -> (BTreeMap<String, u64>, u64) {
    let mut by = BTreeMap::new();
    let mut total = 0;
    for c in &t.causes {
        total += c.orders;
        if let Some(g) = gap_name(c) {
            *by.entry(g).or_insert(0) += c.orders;
        }
    }
    (by, total)
}

fn gap_views(cur: &WeekTables, history: &[(kesu_pipeline::IsoWeek, WeekTables)]) -> Vec<GapView> {
    let (orders, total) = gap_orders(cur);
    // The baseline of a gap's share: the mean over the (up to) 4 weeks before.
    let recent: Vec<(BTreeMap<String, u64>, u64)> = history
        .iter()
        .rev()
        .take(4)
        .map(|(_, t)| gap_orders(t))
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut gaps: Vec<GapView> = orders
        .iter()
        .map(|(name, &n)| {
            let share = n as f64 / total.max(1) as f64;
            let (trend, dir) = if recent.is_empty() {
                (String::new(), "")
            } else {
                let base = recent
                    .iter()
                    .map(|(m, t)| *m.get(name).unwrap_or(&0) as f64 / *t as f64)
                    .sum::<f64>()
                    / recent.len() as f64;
                (
                    format!("较前 {} 周均值 {}", recent.len(), signed_pp(share - base)),
                    direction(share - base, 0.01),
                )
            };
            let mut causes: Vec<&Cause> = cur
                .causes
                .iter()
                .filter(|c| gap_name(c).as_deref() == Some(name))
                .collect();
            causes.sort_by_key(|c| std::cmp::Reverse(c.orders));
            let head = causes[0];
            GapView {
                name: name.clone(),
                orders: n,
                share: pct(share),
                share_value: share,
                trend,
                direction: dir.to_owned(),
                remedy: head.remedy.clone(),
                post: head.responsible_post.clone(),
                causes: causes.iter().map(|c| c.label.clone()).collect(),
            }
        })
        .collect();
    gaps.sort_by(|a, b| b.orders.cmp(&a.orders).then(a.name.cmp(&b.name)));
    gaps
}

/// The weekly counts of `causes` over the weeks the report sees.
fn trends(input: &ReportInput, causes: &[&Cause]) -> (Vec<String>, Vec<TrendLine>) {
    let first = input.history.first().map(|(w, _)| *w).unwrap_or(input.week);
    let mut weeks = vec![first];
    while *weeks.last().unwrap() < input.week {
        let next = weeks.last().unwrap().next();
        weeks.push(next);
    }
    let tables: HashMap<kesu_pipeline::IsoWeek, &WeekTables> = input
        .history
        .iter()
        .map(|(w, t)| (*w, t))
        .chain([(input.week, &input.current)])
        .collect();
    let series = causes
        .iter()
        .map(|c| {
            let mut counts = Vec::new();
            let mut alerted = Vec::new();
            for (i, w) in weeks.iter().enumerate() {
                match tables.get(w) {
                    None => counts.push(None),
                    Some(t) => {
                        counts.push(Some(
                            t.causes
                                .iter()
                                .filter(|x| x.cause_key == c.cause_key)
                                .map(|x| x.orders)
                                .sum(),
                        ));
                        if t.alerts
                            .iter()
                            .any(|a| a.cause_key == c.cause_key && a.level == "alert")
                        {
                            alerted.push(i);
                        }
                    }
                }
            }
            TrendLine {
                label: c.label.clone(),
                counts,
                alerts: alerted,
            }
        })
        .collect();
    let labels = weeks.iter().map(|w| format!("W{:02}", w.week())).collect();
    (labels, series)
}

fn unit_views(input: &ReportInput) -> (Vec<UnitView>, bool, UnitClass) {
    let mut counts: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut extra_classes: BTreeMap<String, u64> = BTreeMap::new();
    for a in &input.assignments {
        let unit = a.unit.clone().unwrap_or_else(|| "未填单位".to_owned());
        let row = counts.entry(unit).or_insert([0; 5]);
        match CLASSES.iter().position(|c| *c == a.predicted_class) {
            Some(i) => row[i] += 1,
            None => *extra_classes.entry(a.predicted_class.clone()).or_insert(0) += 1,
        }
    }
    let kpi: HashMap<&str, &crate::load::Kpi> = input
        .current
        .kpis
        .iter()
        .filter_map(|k| k.unit.as_deref().map(|u| (u, k)))
        .collect();
    let mut units: Vec<UnitView> = counts
        .iter()
        .map(|(u, row)| {
            let per = kpi.get(u.as_str()).and_then(|k| k.orders_per_10k);
            let top = row
                .iter()
                .enumerate()
                .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
                .map(|(i, _)| CLASSES[i])
                .unwrap_or_default();
            UnitView {
                unit: u.clone(),
                orders: row.iter().sum(),
                per_10k: per.map(|p| format!("{p:.2}")).unwrap_or_else(|| "—".into()),
                per_10k_value: per,
                top_class: top.to_owned(),
            }
        })
        .collect();
    let per_10k = units.iter().any(|u| u.per_10k_value.is_some());
    if per_10k {
        units.sort_by(|a, b| {
            b.per_10k_value
                .unwrap_or(-1.0)
                .total_cmp(&a.per_10k_value.unwrap_or(-1.0))
                .then(b.orders.cmp(&a.orders))
        });
    } else {
        units.sort_by(|a, b| b.orders.cmp(&a.orders).then(a.unit.cmp(&b.unit)));
    }
    // Heatmap rows: the largest units, the rest summed.
    let mut by_orders: Vec<(&String, &[u64; 5])> = counts.iter().collect();
    by_orders.sort_by(|a, b| {
        b.1.iter()
            .sum::<u64>()
            .cmp(&a.1.iter().sum::<u64>())
            .then(a.0.cmp(b.0))
    });
    let mut rows = Vec::new();
    let mut values = Vec::new();
    let mut rest = [0u64; 5];
    for (i, (u, row)) in by_orders.iter().enumerate() {
        if i < HEATMAP_UNITS {
            rows.push((*u).clone());
            values.push(row.to_vec());
        } else {
            for (r, v) in rest.iter_mut().zip(row.iter()) {
                *r += v;
            }
        }
    }
    if by_orders.len() > HEATMAP_UNITS {
        rows.push(format!("其余 {} 个单位", by_orders.len() - HEATMAP_UNITS));
        values.push(rest.to_vec());
    }
    (
        units,
        per_10k,
        UnitClass {
            units: rows,
            classes: CLASSES.iter().map(|c| (*c).to_owned()).collect(),
            counts: values,
        },
    )
}

fn gap_cases(cur: &WeekTables, gaps: &[GapView]) -> Vec<GapCases> {
    gaps.iter()
        .take(TOP_GAPS)
        .map(|g| {
            let mut causes: Vec<&Cause> = cur
                .causes
                .iter()
                .filter(|c| gap_name(c).as_deref() == Some(g.name.as_str()))
                .collect();
            causes.sort_by_key(|c| std::cmp::Reverse(c.orders));
            // One case per cause first (breadth), then the next of each.
            let mut cases = Vec::new();
            let depth = causes.iter().map(|c| c.typical.len()).max().unwrap_or(0);
            'fill: for d in 0..depth {
                for c in &causes {
                    if let Some(t) = c.typical.get(d) {
                        cases.push(case_view(c, t));
                        if cases.len() == CASES_PER_GAP {
                            break 'fill;
                        }
                    }
                }
            }
            GapCases {
                gap: g.name.clone(),
                cases,
            }
        })
        .collect()
}

fn patterns(input: &ReportInput, gaps: &[GapView]) -> Vec<Pattern> {
    gaps.iter()
        .take(TOP_GAPS.max(5))
        .map(|g| {
            // Handling texts of the gap's typical cases over the weeks the
            // report sees, each order counted once.
            let mut seen = std::collections::HashSet::new();
            let mut counts: HashMap<String, usize> = HashMap::new();
            let mut read = 0;
            let weeks = input.history.iter().map(|(_, t)| t).chain([&input.current]);
            for t in weeks {
                for c in &t.causes {
                    if gap_name(c).as_deref() != Some(g.name.as_str()) {
                        continue;
                    }
                    for case in &c.typical {
                        if case.handling.trim().is_empty()
                            || !seen.insert(case.work_order_id.clone())
                        {
                            continue;
                        }
                        read += 1;
                        let mut once = std::collections::HashSet::new();
                        for clause in clauses(&case.handling) {
                            if once.insert(clause.clone()) {
                                *counts.entry(clause).or_insert(0) += 1;
                            }
                        }
                    }
                }
            }
            let mut resolutions: Vec<Resolution> = counts
                .into_iter()
                .filter(|(_, n)| *n >= 2)
                .map(|(text, cases)| Resolution { text, cases })
                .collect();
            resolutions.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.text.cmp(&b.text)));
            resolutions.truncate(3);
            Pattern {
                gap: g.name.clone(),
                remedy: g.remedy.clone(),
                remedy_text: remedy_text(&g.remedy).to_owned(),
                post: g.post.clone(),
                resolutions,
                cases_read: read,
            }
        })
        .collect()
}

fn method(input: &ReportInput) -> Method {
    let m = input.manifest.as_ref();
    Method {
        inputs: m
            .map(|m| {
                m.inputs
                    .iter()
                    .map(|f| InputView {
                        name: std::path::Path::new(&f.path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| f.path.clone()),
                        sha256: f.sha256.chars().take(12).collect(),
                        bytes: f.bytes,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        rows_read: m.map(|m| m.rows.read),
        rows_rejected: m.map(|m| m.rows.rejected),
        duplicates: m.map(|m| m.rows.duplicates),
        week_rejects: input.rejects,
        kesu_version: m.map(|m| m.kesu_version.clone()).unwrap_or_default(),
        analyzer_version: m.map(|m| m.analyzer_version.clone()).unwrap_or_default(),
        config_hash: m
            .map(|m| m.config_hash.chars().take(12).collect())
            .unwrap_or_default(),
        run_finished: m.map(|m| m.finished.clone()).unwrap_or_default(),
        history_weeks: input.history.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_changes_print_as_a_manager_reads_them() {
        assert_eq!(pct(0.1234), "12.3%");
        assert_eq!(signed_pct(0.052), "+5.2%");
        assert_eq!(signed_pct(-0.03), "−3.0%");
        assert_eq!(signed_pct(0.0001), "0.0%");
        assert_eq!(signed_pp(0.006), "+0.6 个百分点");
        assert_eq!(signed_pp(-0.0001), "持平");
    }

    #[test]
    fn moves_are_judged_by_what_is_good_news() {
        assert_eq!(judge("up", true), "worse");
        assert_eq!(judge("up", false), "better");
        assert_eq!(judge("down", true), "better");
        assert_eq!(judge("flat", true), "");
    }

    #[test]
    fn week_names_are_chinese_with_the_monday_to_sunday_period() {
        let w: kesu_pipeline::IsoWeek = "2024-W23".parse().unwrap();
        let (name, period) = week_names(w);
        assert_eq!(name, "2024年第23周");
        assert_eq!(period, "2024年6月3日—6月9日");
    }

    #[test]
    fn handling_splits_into_countable_clauses() {
        assert_eq!(
            clauses("已联系客户，现场核实表计正常；向客户解释电价政策。好"),
            vec!["已联系客户", "现场核实表计正常", "向客户解释电价政策"]
        );
    }

    use crate::load::{Alert, Assignment, Kpi, TermWeight};

    fn cause(key: &str, label: &str, gap: &str, orders: u64, typical: &[(&str, &str)]) -> Cause {
        Cause {
            cause_key: key.into(),
            label: label.into(),
            status: "recurring".into(),
            orders,
            share: orders as f64 / 100.0,
            top_terms: vec![TermWeight {
                term: "电表".into(),
                weight: 1.0,
            }],
            gap: gap.into(),
            gap_id: None,
            remedy: "整改流程".into(),
            responsible_post: "电能计量".into(),
            typical: typical
                .iter()
                .map(|(id, handling)| Typical {
                    work_order_id: (*id).into(),
                    text: format!("{id} 的投诉"),
                    handling: (*handling).into(),
                    similarity: 0.9,
                })
                .collect(),
            unit_orders: BTreeMap::new(),
        }
    }

    fn alert(key: &str, unit: Option<&str>, level: &str, observed: u64, p: f64) -> Alert {
        Alert {
            cause_key: key.into(),
            cause_label: format!("{key} 名称"),
            unit: unit.map(Into::into),
            observed,
            expected: 4.0,
            threshold: 9.0,
            p_value: p,
            q_value: p,
            level: level.into(),
            method: "ears".into(),
            reason: String::new(),
        }
    }

    fn kpi(orders: u64) -> Kpi {
        Kpi {
            unit: None,
            orders,
            customers: None,
            orders_per_10k: None,
            substantiation_known: 0,
            substantiated_rate: None,
            repeat_rate: 0.02,
            closed: 0,
            on_time_rate: None,
            class_mix: BTreeMap::new(),
            channel_mix: BTreeMap::new(),
            orders_prev_week: None,
            week_on_week: None,
            orders_year_ago: None,
            year_on_year: None,
        }
    }

    fn week(w: &str) -> kesu_pipeline::IsoWeek {
        w.parse().unwrap()
    }

    /// Three weeks run out of four (W02 missing): W01, W03, W04.
    fn input() -> ReportInput {
        let w4 = WeekTables {
            causes: vec![
                cause(
                    "C0001",
                    "电表跳字",
                    "计量装置差错",
                    50,
                    &[("A1", "已更换电表，退还电费。"), ("A2", "已更换电表。")],
                ),
                cause("C0002", "表计异常", "计量装置差错", 20, &[("B1", "")]),
                cause(
                    "C0003",
                    "停电未通知",
                    "信息发布不及时",
                    25,
                    &[("C1", "已致歉")],
                ),
                cause("C0000", "其他", "", 5, &[]),
            ],
            alerts: vec![
                alert("C0001", Some("城东"), "alert", 30, 0.0001),
                alert("C0001", None, "alert", 50, 0.001),
                alert("C0003", None, "watch", 25, 0.02),
            ],
            kpis: vec![kpi(100)],
        };
        let w3 = WeekTables {
            causes: vec![cause(
                "C0001",
                "电表跳字",
                "计量装置差错",
                30,
                &[("D1", "已更换电表。")],
            )],
            alerts: vec![alert("C0001", Some("城东"), "watch", 12, 0.03)],
            kpis: vec![kpi(60)],
        };
        let w1 = WeekTables {
            causes: vec![cause("C0001", "电表跳字", "计量装置差错", 10, &[])],
            alerts: vec![],
            kpis: vec![kpi(40)],
        };
        ReportInput {
            week: week("2024-W04"),
            current: w4,
            assignments: vec![
                Assignment {
                    unit: Some("城西".into()),
                    cause_key: "C0001".into(),
                    predicted_class: "营业业务".into(),
                    work_order_id: "A1".into(),
                },
                Assignment {
                    unit: Some("城东".into()),
                    cause_key: "C0001".into(),
                    predicted_class: "营业业务".into(),
                    work_order_id: "A2".into(),
                },
            ],
            rejects: 0,
            history: vec![(week("2024-W01"), w1), (week("2024-W03"), w3)],
            manifest: None,
        }
    }

    #[test]
    fn gaps_sum_their_causes_and_other_is_apart() {
        let r = build(&input());
        let gaps: Vec<(&str, u64)> = r.gaps.iter().map(|g| (g.name.as_str(), g.orders)).collect();
        assert_eq!(gaps, [("计量装置差错", 70), ("信息发布不及时", 25)]);
        assert_eq!(r.gaps[0].share, "70.0%");
        assert_eq!(r.other_orders, 5);
        assert_eq!(r.cause_count, 3, "其他 is not a cause");
        assert_eq!(r.causes[0].previous, "30", "last week's count");
    }

    #[test]
    fn alerts_are_grouped_by_cause_all_units_first_with_a_case_from_the_unit() {
        let r = build(&input());
        assert_eq!(r.alerts.len(), 2);
        let a = &r.alerts[0];
        assert_eq!((a.cause_key.as_str(), a.level.as_str()), ("C0001", "预警"));
        let units: Vec<&str> = a.scopes.iter().map(|s| s.unit.as_str()).collect();
        assert_eq!(units, ["全部单位", "城东"]);
        // 城东 was warned the week before too: two weeks running since W03.
        assert_eq!(
            (a.scopes[1].since.as_str(), a.scopes[1].weeks_running),
            ("2024-W03", 2)
        );
        assert_eq!(a.scopes[0].weeks_running, 1);
        assert_eq!(a.scopes[1].ratio, "7.5 倍");
        // The case comes from 城东 (A2), not the cause's first case (A1, 城西).
        assert_eq!(a.case.as_ref().unwrap().work_order_id, "A2");
        assert_eq!(r.alerts[1].level, "关注");
        assert!(
            r.overview
                .narrative
                .iter()
                .any(|s| s.contains("“C0001 名称”（全部单位 50 件"))
        );
    }

    #[test]
    fn trends_leave_weeks_not_run_empty_and_mark_alert_weeks() {
        let r = build(&input());
        assert_eq!(r.trend_weeks, ["W01", "W02", "W03", "W04"]);
        let line = &r.trend_series[0];
        assert_eq!(line.label, "电表跳字");
        assert_eq!(line.counts, [Some(10), None, Some(30), Some(50)]);
        assert_eq!(line.alerts, [3], "W03 had a watch only; W04 an alert");
    }

    #[test]
    fn an_alerted_cause_is_drawn_in_the_trends_even_when_it_is_small() {
        let mut input = input();
        input.current.causes.extend((4..10).map(|i| {
            cause(
                &format!("C000{i}"),
                &format!("大根因{i}"),
                "计量装置差错",
                60 + i,
                &[],
            )
        }));
        let r = build(&input);
        assert_eq!(r.trend_series.len(), TREND_CAUSES);
        assert_eq!(
            r.trend_series[0].label, "电表跳字",
            "alerted, though 50 < 64"
        );
        assert_eq!(r.trend_series[1].label, "大根因9", "then the largest");
    }

    #[test]
    fn handling_patterns_count_clauses_across_weeks_once_per_order() {
        let r = build(&input());
        let p = &r.patterns[0];
        assert_eq!(p.gap, "计量装置差错");
        assert_eq!(p.cases_read, 3, "A1, A2, D1 (B1 has no handling)");
        assert_eq!(p.resolutions[0].text, "已更换电表");
        assert_eq!(p.resolutions[0].cases, 3);
    }

    #[test]
    fn class_mix_follows_the_official_order_with_changes_from_last_week() {
        let now = BTreeMap::from([
            ("停送电".to_owned(), 0.5),
            ("供电服务".to_owned(), 0.25),
            ("其他".to_owned(), 0.25),
        ]);
        let before = BTreeMap::from([("停送电".to_owned(), 0.4), ("供电服务".to_owned(), 0.6)]);
        let rows = mix_rows(&now, Some(&before), 200, &CLASSES);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["供电服务", "停送电", "其他"]);
        assert_eq!((rows[1].orders, rows[1].share.as_str()), (100, "50.0%"));
        assert_eq!(rows[1].change, "+10.0 个百分点");
        assert_eq!(rows[2].change, "+25.0 个百分点", "new this week");
        assert_eq!(mix_rows(&now, None, 200, &CLASSES)[0].change, "—");
    }

    #[test]
    fn long_case_texts_are_shortened_with_an_ellipsis() {
        assert_eq!(shorten("一二三四", 3), "一二三…");
        assert_eq!(shorten("一二三", 3), "一二三");
    }
}
