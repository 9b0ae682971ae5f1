//! `kesu report`: renders a week's management report again from the state
//! folder's tables (kesu-report), recomputing nothing.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use kesu_pipeline::IsoWeek;

use crate::Status;

/// Render the weekly management report (report.html, report.md, charts) of
/// a week from the state folder, without recomputing anything.
///
/// Writes OUT/YYYY-Www/report.html (self-contained: inline CSS, charts as
/// images, no script, nothing loaded from the network), report.md beside it,
/// charts/NAME.svg and charts/NAME.png, and report.pdf with --pdf. An earlier
/// report of the week is replaced whole.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// State folder written by `kesu run`.
    #[arg(long, value_name = "DIR", default_value = "kesu-state")]
    pub state: PathBuf,

    /// The week to report (2024-W23); default: the latest complete week.
    #[arg(long, value_name = "YYYY-Www")]
    pub week: Option<IsoWeek>,

    /// Every complete week of the state.
    #[arg(long, conflicts_with = "week")]
    pub all: bool,

    /// Folder of the reports (one sub-folder per week).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Also print report.pdf with headless Chromium (KESU_CHROMIUM, or
    /// chromium / google-chrome on PATH).
    #[arg(long)]
    pub pdf: bool,

    /// Print the written files as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The files of each week's report, as `--json` lists them.
pub fn reports_json(
    weeks: &[IsoWeek],
    files: &[kesu_report::ReportFiles],
) -> Vec<serde_json::Value> {
    weeks
        .iter()
        .zip(files)
        .map(|(w, f)| {
            serde_json::json!({
                "week": w.to_string(),
                "html": f.html,
                "md": f.md,
                "pdf": f.pdf,
                "charts": f.charts,
            })
        })
        .collect()
}

/// Renders the reports of `weeks` and prints where they went.
#[allow(clippy::print_stdout)]
pub fn render(
    state: &std::path::Path,
    weeks: &[IsoWeek],
    out: &std::path::Path,
    pdf: bool,
) -> anyhow::Result<Vec<kesu_report::ReportFiles>> {
    let options = kesu_report::ReportOptions {
        pdf,
        ..kesu_report::ReportOptions::default()
    };
    // Each week's report reads its own tables and writes its own folder, so
    // the weeks of a backfill render side by side.
    use rayon::prelude::*;
    weeks
        .par_iter()
        .map(|&w| {
            kesu_report::render_week(state, w, out, &options)
                .with_context(|| format!("rendering the report of {w}"))
        })
        .collect()
}

#[allow(clippy::print_stdout)]
pub fn run(args: Args) -> anyhow::Result<Status> {
    let complete = kesu_report::load::complete_weeks(&args.state)?;
    let weeks: Vec<IsoWeek> = if args.all {
        complete
    } else if let Some(w) = args.week {
        vec![w]
    } else {
        vec![*complete.last().with_context(|| {
            format!(
                "{} holds no complete week; run `kesu run` first",
                args.state.display()
            )
        })?]
    };
    let files = render(&args.state, &weeks, &args.out, args.pdf)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({ "reports": reports_json(&weeks, &files) })
        )?;
    } else {
        for f in &files {
            writeln!(out, "{}", f.html.display())?;
        }
    }
    Ok(Status::Done)
}
