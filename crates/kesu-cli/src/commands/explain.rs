//! `kesu explain`: the weekly job's resolved plan, each stage with its
//! settings and where each value came from.

use std::io::Write;
use std::path::PathBuf;

use kesu_pipeline::Plan;

use crate::Status;
use crate::table::pad;

/// Print the plan `kesu run` would follow: its stages, and every setting
/// with its value and source (default, file or flag).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Configuration (default: the built-in pipelines/weekly.toml).
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,

    /// Override one setting: section.key=value (repeatable), as for `kesu run`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The stages of a run and the configuration sections they read.
const STAGES: [(&str, &str, &[&str]); 11] = [
    (
        "read",
        "read every export file; every row accepted or kept as a reject",
        &["input", "analyzer"],
    ),
    (
        "partition",
        "orders by ISO week of received_at (--week keeps one)",
        &[],
    ),
    (
        "index",
        "upsert the week's orders into STATE/index (one commit)",
        &["analyzer"],
    ),
    (
        "mine",
        "root causes, management gaps, typical cases, repeats",
        &["mine"],
    ),
    (
        "register",
        "match the week's causes to known causes: stable keys",
        &["causes"],
    ),
    (
        "repeats",
        "join repeats of orders from earlier weeks within mine.repeat_window_days (STATE/repeats)",
        &[],
    ),
    (
        "warn",
        "early warning per cause and cause × unit against the baseline",
        &["alerts"],
    ),
    (
        "kpis",
        "orders, per 10k customers, 属实, repeat and on-time rates, mixes, changes",
        &["kpis"],
    ),
    ("write", "the week's tables, each file atomic", &[]),
    (
        "checkpoint",
        "registry and history after the week (marks it complete); manifest last",
        &[],
    ),
    (
        "report",
        "each week's management report from its tables: OUT/YYYY-Www/report.html, report.md, charts (--no-report skips; kesu report renders again)",
        &[],
    ),
];

pub fn run(args: Args) -> anyhow::Result<Status> {
    let plan = Plan::resolve(args.config.as_deref(), &args.set)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let stages: Vec<serde_json::Value> = STAGES
            .iter()
            .map(|(name, what, sections)| {
                serde_json::json!({
                    "stage": name,
                    "does": what,
                    "settings": plan.settings.iter()
                        .filter(|s| sections.iter().any(|sec| s.key.starts_with(&format!("{sec}."))))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let v = serde_json::json!({
            "config": plan.origin,
            "config_hash": plan.hash,
            "paths_relative_to": plan.base,
            "stages": stages,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(Status::Done);
    }
    writeln!(out, "configuration: {}", plan.origin)?;
    writeln!(out, "relative paths from: {}", plan.base.display())?;
    writeln!(out, "config hash: {}", plan.hash)?;
    for (i, (name, what, sections)) in STAGES.iter().enumerate() {
        writeln!(out, "\n{}. {name}: {what}", i + 1)?;
        for s in plan.settings.iter().filter(|s| {
            sections
                .iter()
                .any(|sec| s.key.starts_with(&format!("{sec}.")))
        }) {
            writeln!(
                out,
                "   {}  {}  ({})",
                pad(&s.key, 28),
                s.value,
                s.source.as_str()
            )?;
        }
    }
    out.flush()?;
    Ok(Status::Done)
}
