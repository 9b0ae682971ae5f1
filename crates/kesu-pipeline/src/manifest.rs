//! The run manifest (`STATE/runs/<run>/manifest.json`, written last) and the
//! per-week summary: what was read, what was written, how long each stage
//! took, with which versions and configuration. Typed, so that the CLI's
//! `--json` output and the manifest are the same structure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::kpis::KpiNotes;
use crate::week::IsoWeek;

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    /// The path as given.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content (hex).
    pub sha256: String,
}

/// Every row of the input, accounted for:
/// `read = accepted + rejected` and `accepted = orders + duplicates`,
/// `orders = in_weeks_run + outside_week`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowAccounting {
    /// Records read.
    pub read: u64,
    /// Records that became work orders (duplicates included).
    pub accepted: u64,
    /// Records kept in the rejects table instead.
    pub rejected: u64,
    /// Accepted records replaced by a later one with the same id.
    pub duplicates: u64,
    /// Distinct work orders.
    pub orders: u64,
    /// Orders in the weeks run.
    pub in_weeks_run: u64,
    /// Orders of other weeks (`--week`): counted, not processed.
    pub outside_week: u64,
    /// Orders of weeks held back (see [`HeldBackWeek`]): counted, not processed.
    pub held_back: u64,
}

/// A week complete in the state of which the input holds too few orders to
/// run it again (fewer than `input.rerun_min_share` of those it has): a
/// rerun replaces the whole week, so a weekly export that spills a few rows
/// into the week before would have replaced that week with those rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldBackWeek {
    /// The week.
    pub week: IsoWeek,
    /// Its orders in this input.
    pub orders_in_input: u64,
    /// Its orders in the state.
    pub orders_in_state: u64,
}

/// What one week's run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekSummary {
    /// The week.
    pub week: IsoWeek,
    /// Orders of the week.
    pub orders: u64,
    /// Root causes found (without 其他).
    pub causes: usize,
    /// Of which new to the registry.
    pub new_causes: usize,
    /// Share of orders in 其他.
    pub other_share: f64,
    /// Alerts at level alert.
    pub alerts: usize,
    /// Alerts at level watch.
    pub watch: usize,
    /// Share of the week's orders that are later members of a repeat group,
    /// groups that began in an earlier week included.
    pub repeat_rate: f64,
    /// Orders that are repeats only through an order of an earlier week
    /// (within the repeat window): found across the week boundary.
    #[serde(default)]
    pub repeats_across_weeks: u64,
    /// Number of clusters chosen (k) and how.
    pub k: usize,
    /// "auto" or "fixed".
    pub k_source: String,
    /// Typed class values that name no class, with counts.
    pub unknown_typed_classes: BTreeMap<String, usize>,
    /// What the KPIs could not use.
    pub kpi_notes: KpiNotes,
    /// Index documents after the week's commit.
    pub index_docs: u64,
    /// Orders that replaced an indexed document with the same id.
    pub index_replaced: u64,
    /// Texts the week's segmenter cut: one per order, since the cut that
    /// feeds mining also feeds the index.
    pub texts_cut: u64,
    /// Seconds per stage.
    pub timing_s: BTreeMap<String, f64>,
}

/// The manifest of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// kesu's version.
    pub kesu_version: String,
    /// Analyzer version (normaliser + dictionaries).
    pub analyzer_version: String,
    /// The configuration file read.
    pub config: String,
    /// SHA-256 of the resolved configuration.
    pub config_hash: String,
    /// UTC start (RFC 3339).
    pub started: String,
    /// UTC end (RFC 3339).
    pub finished: String,
    /// The state folder.
    pub state: String,
    /// `--week`, if given.
    pub week_selected: Option<IsoWeek>,
    /// Input files.
    pub inputs: Vec<InputFile>,
    /// Row accounting.
    pub rows: RowAccounting,
    /// Share of rows rejected, and the configured limit.
    pub reject_rate: f64,
    /// `input.max_reject_rate`.
    pub max_reject_rate: f64,
    /// Weeks found interrupted before this run (tables without checkpoint).
    pub incomplete_weeks_before: Vec<IsoWeek>,
    /// Weeks of the input not run because the state holds many more of
    /// their orders (their rows are in `rows.held_back`).
    pub held_back_weeks: Vec<HeldBackWeek>,
    /// Weeks whose later weeks were run before them: those later weeks were
    /// computed from the earlier state and are not recomputed.
    pub later_weeks_not_rerun: Vec<IsoWeek>,
    /// Causes named in causes.toml.
    pub named_causes: usize,
    /// Per week, oldest first.
    pub weeks: Vec<WeekSummary>,
    /// Seconds per stage over the whole run.
    pub timing_s: BTreeMap<String, f64>,
    /// Peak resident memory (MB, Linux).
    pub peak_rss_mb: Option<f64>,
    /// Files written, relative to the state folder.
    pub outputs: Vec<String>,
}
