//! `kesu run`: the weekly job (kesu-pipeline) with progress on a terminal,
//! log lines otherwise, and one summary object with `--json`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use kesu_pipeline::{IsoWeek, Plan, Progress, RunRequest};

use crate::Status;

/// Run the weekly job: read exports, then for each ISO week of the orders
/// (oldest first) index, mine root causes with stable keys, raise early
/// warnings and compute KPIs, into the state folder's week-partitioned
/// tables; re-running a week replaces it.
///
/// Writes STATE/tables/TABLE/week=YYYY-Www/part-0.parquet (assignments,
/// causes, alerts, kpis, rejects), STATE/index (search index),
/// STATE/checkpoints and STATE/runs/RUN/manifest.json (last), and the
/// management report of every week run under OUT/YYYY-Www (see `kesu report`). Exit 1, with every output
/// written, when more than input.max_reject_rate of the rows were rejected.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Configuration (default: the built-in pipelines/weekly.toml).
    #[arg(value_name = "CONFIG")]
    pub config: Option<PathBuf>,

    /// Export files to read (.csv, .xlsx, .jsonl, .parquet); repeatable.
    #[arg(long = "input", value_name = "FILE", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,

    /// Run this ISO week only (2024-W23); rows of other weeks are counted
    /// as outside the week.
    #[arg(long, value_name = "YYYY-Www")]
    pub week: Option<IsoWeek>,

    /// State folder: index, cause registry, weekly tables.
    #[arg(long, value_name = "DIR", default_value = "kesu-state")]
    pub state: PathBuf,

    /// Folder of the per-week management reports (OUT/YYYY-Www/report.html).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Also print each week's report.pdf with headless Chromium.
    #[arg(long, conflicts_with = "no_report")]
    pub pdf: bool,

    /// Write the tables only, no report (e.g. a long backfill; render the
    /// weeks wanted later with `kesu report`).
    #[arg(long)]
    pub no_report: bool,

    /// Override one setting for this run: section.key=value (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Print one JSON object (the run manifest) instead of a summary.
    #[arg(long)]
    pub json: bool,
}

/// Bars on a terminal: bytes read, then weeks; the week and its last
/// finished stage as message, the spinner ticking while a stage runs.
struct Bars {
    multi: MultiProgress,
    read: ProgressBar,
    weeks: ProgressBar,
    /// The message of the current week, before its stage.
    week: Mutex<String>,
}

/// How often the spinners turn while a stage runs (stages take seconds).
const TICK: std::time::Duration = std::time::Duration::from_millis(120);

/// Plain lines on stderr when it is not a terminal (a scheduled job's log):
/// one per tenth of the input read, one per stage.
struct Lines {
    /// Bytes read so far, and the tenths already logged.
    read: Mutex<(u64, u64)>,
}

enum Reporter {
    Bars(Bars),
    Lines(Lines),
}

impl Progress for Reporter {
    #[allow(clippy::print_stderr)]
    fn read(&self, delta: u64, total: u64) {
        match self {
            Reporter::Bars(b) => {
                if b.read.length() != Some(total) {
                    b.read.set_length(total);
                    b.read.enable_steady_tick(TICK);
                }
                b.read.inc(delta);
            }
            Reporter::Lines(l) => {
                let mut read = l.read.lock().unwrap_or_else(|e| e.into_inner());
                read.0 += delta;
                let tenths = (read.0.saturating_mul(10) / total.max(1)).min(10);
                if tenths > read.1 && tenths < 10 {
                    read.1 = tenths;
                    eprintln!(
                        "kesu run: read {} % ({} of {} MB)",
                        tenths * 10,
                        read.0 / 1_000_000,
                        total / 1_000_000
                    );
                }
            }
        }
    }

    #[allow(clippy::print_stderr)]
    fn stage(&self, week: Option<IsoWeek>, stage: &str, seconds: f64) {
        match self {
            Reporter::Bars(b) => {
                if stage == "read" {
                    b.read.finish_and_clear();
                }
                if week.is_some() {
                    let current = b.week.lock().unwrap_or_else(|e| e.into_inner());
                    b.weeks
                        .set_message(format!("{current} · {stage} done in {seconds:.1} s"));
                }
            }
            Reporter::Lines(_) => match week {
                Some(w) => eprintln!("kesu run: {w} {stage} {seconds:.2} s"),
                None => eprintln!("kesu run: {stage} {seconds:.2} s"),
            },
        }
    }

    #[allow(clippy::print_stderr)]
    fn week(&self, week: IsoWeek, index: usize, of: usize, orders: usize) {
        match self {
            Reporter::Bars(b) => {
                if b.weeks.is_hidden() {
                    b.multi.add(b.weeks.clone());
                    b.weeks.enable_steady_tick(TICK);
                }
                b.weeks.set_length(of as u64);
                b.weeks.set_position(index as u64 - 1);
                let current = format!("{week}: {orders} orders");
                b.weeks.set_message(current.clone());
                *b.week.lock().unwrap_or_else(|e| e.into_inner()) = current;
            }
            Reporter::Lines(_) => {
                eprintln!("kesu run: week {week} ({index}/{of}), {orders} orders");
            }
        }
    }
}

fn reporter() -> Reporter {
    if !std::io::stderr().is_terminal() {
        return Reporter::Lines(Lines {
            read: Mutex::new((0, 0)),
        });
    }
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let read = multi.add(ProgressBar::new(0));
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} reading [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        read.set_style(style.progress_chars("=> "));
    }
    // Shown from the first week on (a bar of length 0 draws as full).
    let weeks = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{spinner} weeks [{bar:30}] {pos}/{len} {msg}")
    {
        weeks.set_style(style.progress_chars("=> "));
    }
    Reporter::Bars(Bars {
        multi,
        read,
        weeks,
        week: Mutex::new(String::new()),
    })
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn run(args: Args) -> anyhow::Result<Status> {
    let plan = Plan::resolve(args.config.as_deref(), &args.set)?;
    let request = RunRequest {
        inputs: args.inputs.clone(),
        week: args.week,
        state: args.state.clone(),
    };
    let progress = reporter();
    let outcome = kesu_pipeline::run(&plan, &request, &progress)
        .with_context(|| format!("running the weekly job into {}", args.state.display()))?;
    if let Reporter::Bars(b) = &progress {
        b.weeks.finish_and_clear();
    }
    // The management report of every week run, from the tables just written.
    let weeks: Vec<IsoWeek> = outcome.manifest.weeks.iter().map(|w| w.week).collect();
    let reports = if args.no_report {
        Vec::new()
    } else {
        crate::commands::report::render(&args.state, &weeks, &args.out, args.pdf)?
    };
    let m = &outcome.manifest;
    let mut out = std::io::stdout().lock();
    if args.json {
        // The manifest as written, plus where this run put each week's report.
        let mut summary = serde_json::to_value(m)?;
        if let Some(o) = summary.as_object_mut() {
            o.insert(
                "reports".into(),
                crate::commands::report::reports_json(&weeks, &reports).into(),
            );
        }
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "{:<9}  {:>7}  {:>6}  {:>4}  {:>6}  {:>6}  {:>6}",
            "week", "orders", "causes", "new", "alerts", "repeat", "other"
        )?;
        for w in &m.weeks {
            writeln!(
                out,
                "{:<9}  {:>7}  {:>6}  {:>4}  {:>6}  {:>5.1}%  {:>5.1}%",
                w.week.to_string(),
                w.orders,
                w.causes,
                w.new_causes,
                w.alerts,
                100.0 * w.repeat_rate,
                100.0 * w.other_share
            )?;
        }
        let r = &m.rows;
        let held = if r.held_back > 0 {
            format!(", {} held back", r.held_back)
        } else {
            String::new()
        };
        writeln!(
            out,
            "rows: {} read = {} accepted + {} rejected; {} duplicates replaced; {} orders in the weeks run, {} outside the week{held}",
            r.read, r.accepted, r.rejected, r.duplicates, r.in_weeks_run, r.outside_week
        )?;
        writeln!(
            out,
            "state {}  manifest {}  reports {} ({} week{})  {:.2} s",
            args.state.display(),
            outcome.manifest_path.display(),
            args.out.display(),
            reports.len(),
            if reports.len() == 1 { "" } else { "s" },
            m.timing_s.get("total").copied().unwrap_or(0.0)
        )?;
    }
    out.flush()?;
    drop(out);
    for w in &m.incomplete_weeks_before {
        if !m.weeks.iter().any(|s| s.week == *w) {
            eprintln!(
                "kesu: week {w} was interrupted by an earlier run (tables without checkpoint): run it again with --week {w}"
            );
        }
    }
    if !m.later_weeks_not_rerun.is_empty() {
        let weeks: Vec<String> = m
            .later_weeks_not_rerun
            .iter()
            .map(|w| w.to_string())
            .collect();
        eprintln!(
            "kesu: later weeks were run before this one and keep their results: {}; run them again to recompute them from this week",
            weeks.join(", ")
        );
    }
    for w in &m.weeks {
        if !w.unknown_typed_classes.is_empty() {
            let n: usize = w.unknown_typed_classes.values().sum();
            let values: Vec<String> = w
                .unknown_typed_classes
                .iter()
                .map(|(k, v)| format!("{k:?} ×{v}"))
                .collect();
            eprintln!(
                "kesu: {}: {n} orders have a typed class that names no complaint class: {}; add them as aliases in the taxonomy",
                w.week,
                values.join(", ")
            );
        }
        if !w.kpi_notes.unknown_substantiation.is_empty() {
            let values: Vec<String> = w
                .kpi_notes
                .unknown_substantiation
                .iter()
                .map(|(k, v)| format!("{k:?} ×{v}"))
                .collect();
            eprintln!(
                "kesu: {}: substantiation values not understood (set kpis.substantiated / kpis.unsubstantiated): {}",
                w.week,
                values.join(", ")
            );
        }
    }
    for h in &m.held_back_weeks {
        eprintln!(
            "kesu: week {} not run: the state holds {} of its orders and this input {} (below input.rerun_min_share); running it would replace the week. Its full export with --week {} replaces it.",
            h.week, h.orders_in_state, h.orders_in_input, h.week
        );
    }
    if m.rows.rejected > 0 {
        eprintln!(
            "kesu: {} of {} rows could not be read; they are kept in the rejects table of their weeks and in {}",
            m.rows.rejected,
            m.rows.read,
            outcome
                .manifest_path
                .with_file_name("rejects.csv")
                .display()
        );
    }
    if m.reject_rate > m.max_reject_rate + 1e-12 {
        eprintln!(
            "kesu: {:.2}% of rows were rejected, above input.max_reject_rate {:.2}%",
            100.0 * m.reject_rate,
            100.0 * m.max_reject_rate
        );
        return Ok(Status::GateFailed);
    }
    Ok(Status::Done)
}
