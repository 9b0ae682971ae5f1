//! kesu's weekly management report: `OUT/<YYYY-Www>/report.html` (one
//! self-contained page a manager reads and forwards), `report.md` beside it,
//! and every chart as SVG and PNG under `charts/`, optionally `report.pdf`.
//!
//! The report is the last stage of kesu's flow (… → summarise → **render**)
//! and reads the weekly job's tables and nothing else ([`mod@load`]): rendering a
//! week again (`kesu report`) recomputes nothing and gives the same report.
//! The tables hold no personal data in the columns the report prints (typical
//! cases are redacted by the weekly job), and every printed value is escaped
//! ([`render`]).
//!
//! A week's files are written into a staging folder and moved into place
//! whole: a failed chart or a killed run never leaves half a report.
//!
//! ```no_run
//! let week = "2024-W23".parse().unwrap();
//! let files = kesu_report::render_week(
//!     std::path::Path::new("kesu-state"),
//!     week,
//!     std::path::Path::new("reports"),
//!     &kesu_report::ReportOptions::default(),
//! )
//! .unwrap();
//! println!("{}", files.html.display());
//! ```

#![warn(missing_docs)]

pub mod charts;
pub mod load;
pub mod model;
mod pdf;
pub mod render;

use std::path::{Path, PathBuf};

pub use kesu_chart::ChartFont;
pub use kesu_pipeline::IsoWeek;
pub use load::{ReportInput, load};
pub use model::{Report, build};
pub use pdf::find_chromium;

/// Errors of report rendering.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The state folder has no complete week to report.
    #[error("state {path}: {message}")]
    State {
        /// The state folder.
        path: String,
        /// What is missing.
        message: String,
    },
    /// A table file that cannot be read.
    #[error("table {path}: {message}")]
    Table {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] kesu_chart::Error),
    /// A template error (a defect of kesu).
    #[error("report template: {0}")]
    Template(String),
    /// Writing the report failed.
    #[error(transparent)]
    Write(#[from] kesu_atomic::Error),
    /// `--pdf` without a Chromium to print with.
    #[error(
        "no Chromium to print the PDF with (looked for {looked}); install Debian's `chromium` or set KESU_CHROMIUM; report.html was written"
    )]
    NoChromium {
        /// The programs looked for.
        looked: String,
    },
    /// Chromium ran and failed.
    #[error("printing the PDF with {program} failed: {message}")]
    Pdf {
        /// The Chromium program.
        program: String,
        /// What went wrong.
        message: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How to render.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The font the charts' PNGs are drawn with.
    pub font: ChartFont,
    /// Also print `report.pdf` with headless Chromium.
    pub pdf: bool,
}

impl Default for ReportOptions {
    /// `KESU_FONT` or the embedded font; no PDF.
    fn default() -> Self {
        ReportOptions {
            font: ChartFont::from_env(),
            pdf: false,
        }
    }
}

/// The files of a week's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFiles {
    /// `OUT/<week>`.
    pub dir: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
    /// `report.md`.
    pub md: PathBuf,
    /// `charts/*.svg` and `charts/*.png`.
    pub charts: Vec<PathBuf>,
    /// `report.pdf` when asked for.
    pub pdf: Option<PathBuf>,
}

/// The report of `week` as HTML and Markdown text with its charts, in memory.
pub fn render_input(
    input: &ReportInput,
    font: &ChartFont,
) -> Result<(Report, Vec<charts::ReportChart>, String, String)> {
    let report = build(input);
    let drawn = charts::draw(&report, font)?;
    let (html, md) = render::render(&report, &drawn)?;
    Ok((report, drawn, html, md))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> kesu_atomic::Error + '_ {
    move |e| kesu_atomic::Error::new(path, e)
}

/// Renders the report of `week` from the state folder `state` into
/// `out/<week>/`, replacing an earlier report of that week whole.
pub fn render_week(
    state: &Path,
    week: IsoWeek,
    out: &Path,
    options: &ReportOptions,
) -> Result<ReportFiles> {
    let input = load(state, week)?;
    let (_, drawn, html, md) = render_input(&input, &options.font)?;
    std::fs::create_dir_all(out).map_err(io(out))?;
    remove_stale(out)?;
    let name = week.to_string();
    let staged = out.join(format!(".{name}.tmp-{}", std::process::id()));
    if staged.exists() {
        std::fs::remove_dir_all(&staged).map_err(io(&staged))?;
    }
    let result = (|| {
        let chart_dir = staged.join("charts");
        std::fs::create_dir_all(&chart_dir).map_err(io(&chart_dir))?;
        for c in &drawn {
            c.chart.write(&chart_dir, c.id)?;
        }
        kesu_atomic::write(&staged.join("report.html"), html.as_bytes())?;
        kesu_atomic::write(&staged.join("report.md"), md.as_bytes())?;
        if options.pdf {
            pdf::print(&staged.join("report.html"), &staged.join("report.pdf"))?;
        }
        Ok::<_, Error>(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    let dir = out.join(&name);
    // Swap: the old report moves aside, the new one in, the old one goes.
    // A crash between the renames leaves no report of the week, never a
    // mixed one; the staged folders are cleaned by the next render.
    let old = out.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = dir.exists();
    if had_old {
        std::fs::rename(&dir, &old).map_err(io(&dir))?;
    }
    std::fs::rename(&staged, &dir).map_err(io(&dir))?;
    if had_old {
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    if let Ok(f) = std::fs::File::open(out) {
        let _ = f.sync_all();
    }
    let mut chart_files = Vec::new();
    for c in &drawn {
        chart_files.push(dir.join("charts").join(format!("{}.svg", c.id)));
        chart_files.push(dir.join("charts").join(format!("{}.png", c.id)));
    }
    Ok(ReportFiles {
        html: dir.join("report.html"),
        md: dir.join("report.md"),
        pdf: options.pdf.then(|| dir.join("report.pdf")),
        charts: chart_files,
        dir,
    })
}

/// Removes staging folders a killed render left in `out` (`.W.tmp-PID`,
/// `.W.old-PID`) whose process is gone.
fn remove_stale(out: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|n| n.rsplit_once(['-']))
            .filter(|(head, _)| head.ends_with(".tmp") || head.ends_with(".old"))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            let path = entry.path();
            // Another render of this process (weeks render side by side)
            // may have removed it first.
            match std::fs::remove_dir_all(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io(&path)(e).into());
                }
                _ => {}
            }
        }
    }
    Ok(())
}
