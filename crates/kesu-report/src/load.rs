//! Reading the weekly job's tables back: the report's only input.
//!
//! The report reads `STATE/tables/<table>/week=…/part-0.parquet` and the
//! runs' manifests, never the checkpoints, the index or the orders, so that
//! what it shows is what an analyst querying the tables with DuckDB sees.
//! It takes no lock (a server may render while a run writes); instead it
//! renders only a week whose checkpoint exists (the run writes it after the
//! week's tables) and checks after reading that the checkpoint is unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kesu_pipeline::{IsoWeek, RunManifest};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// How many weeks of history the report looks at (trend lines).
pub const TREND_WEEKS: usize = 12;

/// A term and its weight (`causes.top_terms`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TermWeight {
    /// The term.
    pub term: String,
    /// Its class-based TF-IDF weight.
    pub weight: f64,
}

/// A typical case (`causes.typical`), already redacted by the weekly job.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Typical {
    /// The work order an auditor can open.
    pub work_order_id: String,
    /// Redacted text.
    pub text: String,
    /// How it was handled, redacted; empty when unknown.
    pub handling: String,
    /// Cosine to the cause's centroid.
    pub similarity: f64,
}

/// One row of `causes`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Cause {
    /// Stable key.
    pub cause_key: String,
    /// Its name.
    pub label: String,
    /// new / recurring / growing / fading / split / merged / other.
    pub status: String,
    /// Orders this week.
    pub orders: u64,
    /// Share of the week's orders.
    pub share: f64,
    /// Top terms.
    pub top_terms: Vec<TermWeight>,
    /// Management gap name (empty for 其他).
    pub gap: String,
    /// Management gap id.
    pub gap_id: Option<String>,
    /// Remedy.
    pub remedy: String,
    /// Responsible post.
    pub responsible_post: String,
    /// Typical cases.
    pub typical: Vec<Typical>,
    /// Orders per unit.
    pub unit_orders: BTreeMap<String, u64>,
}

/// One row of `alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Alert {
    /// Cause key.
    pub cause_key: String,
    /// Cause name.
    pub cause_label: String,
    /// Unit; None for all units.
    pub unit: Option<String>,
    /// Orders this week.
    pub observed: u64,
    /// Expected from the baseline.
    pub expected: f64,
    /// Count above which the week is unusual.
    pub threshold: f64,
    /// P-value.
    pub p_value: f64,
    /// alert or watch.
    pub level: String,
    /// The rule that fired.
    pub method: String,
    /// Short explanation.
    pub reason: String,
}

/// One row of `kpis`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kpi {
    /// Unit; None for all units.
    pub unit: Option<String>,
    /// Orders.
    pub orders: u64,
    /// Orders per 10 000 customers.
    pub orders_per_10k: Option<f64>,
    /// Orders with a known substantiation.
    pub substantiation_known: u64,
    /// Share 属实.
    pub substantiated_rate: Option<f64>,
    /// Repeat rate.
    pub repeat_rate: f64,
    /// Closed orders.
    pub closed: u64,
    /// On-time rate among closed orders.
    pub on_time_rate: Option<f64>,
    /// Share per predicted class.
    pub class_mix: BTreeMap<String, f64>,
    /// Share per channel.
    pub channel_mix: BTreeMap<String, f64>,
    /// Orders the week before.
    pub orders_prev_week: Option<u64>,
    /// Relative change from the week before.
    pub week_on_week: Option<f64>,
    /// Orders a year earlier.
    pub orders_year_ago: Option<u64>,
    /// Relative change from a year earlier.
    pub year_on_year: Option<f64>,
}

/// One row of `assignments`, the columns the report uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Assignment {
    /// Unit.
    pub unit: Option<String>,
    /// Cause key.
    pub cause_key: String,
    /// Predicted class.
    pub predicted_class: String,
    /// Work order id (to find a typical case's unit).
    pub work_order_id: String,
}

/// One week's tables.
#[derive(Debug, Clone, Default)]
pub struct WeekTables {
    /// `causes`.
    pub causes: Vec<Cause>,
    /// `alerts`.
    pub alerts: Vec<Alert>,
    /// `kpis`.
    pub kpis: Vec<Kpi>,
}

impl WeekTables {
    /// The all-units KPI row.
    pub fn all_units(&self) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.unit.is_none())
    }
}

/// Everything the report of one week reads.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The week reported.
    pub week: IsoWeek,
    /// The week's tables.
    pub current: WeekTables,
    /// The week's assignments.
    pub assignments: Vec<Assignment>,
    /// Rejected rows filed under the week.
    pub rejects: usize,
    /// Earlier weeks' tables (up to [`TREND_WEEKS`] − 1, oldest first),
    /// only weeks that were run.
    pub history: Vec<(IsoWeek, WeekTables)>,
    /// The latest run manifest that ran the week, if kept.
    pub manifest: Option<RunManifest>,
}

fn checkpoint(root: &Path, week: IsoWeek) -> PathBuf {
    root.join("checkpoints").join(format!("week={week}.json"))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn is_complete(root: &Path, week: IsoWeek) -> bool {
    checkpoint(root, week).is_file()
}

/// Reads every row of one table partition into `T` (columns not in `T`
/// are ignored). A missing partition is an error: a complete week has all
/// its tables, even empty ones.
pub fn read_table<T: DeserializeOwned>(root: &Path, table: &str, week: IsoWeek) -> Result<Vec<T>> {
    let path = kesu_pipeline::state::table_file(root, table, week);
    let bad = |message: String| Error::Table {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(&path).map_err(|e| bad(e.to_string()))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| bad(e.to_string()))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| bad(e.to_string()))?;
        let mut part: Vec<T> =
            serde_arrow::from_record_batch(&batch).map_err(|e| bad(e.to_string()))?;
        rows.append(&mut part);
    }
    Ok(rows)
}

fn read_week(root: &Path, week: IsoWeek) -> Result<WeekTables> {
    Ok(WeekTables {
        causes: read_table(root, "causes", week)?,
        alerts: read_table(root, "alerts", week)?,
        kpis: read_table(root, "kpis", week)?,
    })
}

/// The latest manifest in `STATE/runs` whose run covered `week`.
fn manifest_for(root: &Path, week: IsoWeek) -> Option<RunManifest> {
    let mut runs: Vec<PathBuf> = std::fs::read_dir(root.join("runs"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("manifest.json")))
        .filter(|p| p.is_file())
        .collect();
    // Run folders start with their start time, so names sort by time.
    runs.sort();
    runs.iter().rev().find_map(|p| {
        let m: RunManifest = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
        m.weeks.iter().any(|w| w.week == week).then_some(m)
    })
}

/// Weeks the state holds complete, oldest first.
pub fn complete_weeks(root: &Path) -> Result<Vec<IsoWeek>> {
    let dir = root.join("checkpoints");
    let entries = std::fs::read_dir(&dir).map_err(|e| Error::State {
        path: root.display().to_string(),
        message: format!("no weekly state here ({}: {e})", dir.display()),
    })?;
    let mut weeks: Vec<IsoWeek> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix("week=")?
                .strip_suffix(".json")?
                .parse()
                .ok()
        })
        .collect();
    weeks.sort();
    Ok(weeks)
}

/// Reads what the report of `week` needs from the state folder `root`.
pub fn load(root: &Path, week: IsoWeek) -> Result<ReportInput> {
    let weeks = complete_weeks(root)?;
    if !weeks.contains(&week) {
        let known = match (weeks.first(), weeks.last()) {
            (Some(a), Some(b)) => format!("complete weeks: {a} … {b} ({} weeks)", weeks.len()),
            _ => "no complete week".to_owned(),
        };
        let interrupted = kesu_pipeline::state::table_file(root, "kpis", week)
            .parent()
            .is_some_and(Path::is_dir);
        return Err(Error::State {
            path: root.display().to_string(),
            message: if interrupted {
                format!(
                    "week {week} is incomplete (its run was interrupted); run it again ({known})"
                )
            } else {
                format!("week {week} was not run ({known})")
            },
        });
    }
    let stamp = modified(&checkpoint(root, week));
    let current = read_week(root, week)?;
    let assignments = read_table(root, "assignments", week)?;
    #[derive(Deserialize)]
    struct RejectLine {}
    let rejects = read_table::<RejectLine>(root, "rejects", week)?.len();
    let first = weeks.partition_point(|w| *w < week);
    let mut history = Vec::new();
    for &w in &weeks[first.saturating_sub(TREND_WEEKS - 1)..first] {
        if week.weeks_until(w).abs() < TREND_WEEKS as i64 && is_complete(root, w) {
            history.push((w, read_week(root, w)?));
        }
    }
    // The week was replaced while it was read: say so rather than mix runs.
    if modified(&checkpoint(root, week)) != stamp {
        return Err(Error::State {
            path: root.display().to_string(),
            message: format!("week {week} was rewritten while the report read it; render it again"),
        });
    }
    Ok(ReportInput {
        week,
        current,
        assignments,
        rejects,
        history,
        manifest: manifest_for(root, week),
    })
}
