//! `kesu` (客诉): the command-line tool over a power utility's complaint work orders.
//!
//! The binary is thin, in the ripgrep tradition: argument definitions and
//! glue. Every capability lives in a library crate (`kesu-ingest`,
//! `kesu-normalize`, `kesu-segment`, `kesu-index`, `kesu-cluster`, …).
//!
//! Exit codes: 0 done, 1 done but a quality gate failed (for example the
//! reject rate is above `--max-reject-rate`), 2 error.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod accounting;
mod commands;
mod input;
mod staging;
mod table;

// kesu allocates millions of small strings and vectors across rayon threads;
// mimalloc's thread-local free lists measured faster than glibc malloc here
// (reports/bench/analyze.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The work is done (exit 0).
    Done,
    /// The work is done but a quality gate failed (exit 1).
    GateFailed,
}

const AFTER_HELP: &str = "\
Weekly job (history, stable causes, alerts, KPIs in ./kesu-state):
  kesu run --input exports/2024-W23.csv
  kesu explain

One-off commands:
  kesu ingest exports/*.csv --out out/week
  kesu index exports/*.csv --index data/index
  kesu search --index data/index '\"停电未通知\"' --from 2024-03-01 --unit 城区供电服务中心
  kesu analyze exports/*.csv --out reports/week

Exit status: 0 done, 1 done but a quality gate failed, 2 error.";

/// kesu (客诉): complaint work-order analytics for a power utility.
///
/// Ingests complaint exports (CSV, XLSX, JSONL, Parquet; UTF-8 or GB18030,
/// Chinese headers), normalises and segments the Chinese text with a
/// power-utility dictionary, indexes it for auditors and mines recurring root
/// causes, management gaps and typical cases for quality teams.
#[derive(Debug, Parser)]
#[command(name = "kesu", version, about, long_about, after_help = AFTER_HELP)]
#[command(propagate_version = true, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read exports into orders.parquet and rejects.csv, accounting for every row.
    Ingest(commands::ingest::Args),
    /// Generate realistic synthetic work orders for demos, tests and benchmarks.
    Synth(commands::synth::Args),
    /// Add work orders to a search index (upsert by work order id).
    Index(commands::index::Args),
    /// Rebuild an index from its stored text after a dictionary or normaliser change.
    Reindex(commands::reindex::Args),
    /// Search an index: every matching complaint, with filters, snippets and export.
    Search(commands::search::Args),
    /// Find the complaints most like a given one (同类投诉).
    Similar(commands::similar::Args),
    /// Mine root causes, management gaps, typical cases and repeat complaints.
    Analyze(commands::analyze::Args),
    /// The weekly job: index, stable root causes, early warning and KPIs per week, with a history.
    Run(commands::run::Args),
    /// Print the weekly job's plan: stages, settings and where each came from.
    Explain(commands::explain::Args),
    /// Render a week's management report again from the state, recomputing nothing.
    Report(commands::report::Args),
}

fn run(cli: Cli) -> anyhow::Result<Status> {
    match cli.command {
        Command::Ingest(args) => commands::ingest::run(args),
        Command::Synth(args) => commands::synth::run(args),
        Command::Index(args) => commands::index::run(args),
        Command::Reindex(args) => commands::reindex::run(args),
        Command::Search(args) => commands::search::run(args),
        Command::Similar(args) => commands::similar::run(args),
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Report(args) => commands::report::run(args),
    }
}

#[allow(clippy::print_stderr)]
/// Turns transparent huge pages off for this process. kesu allocates and
/// frees many small objects; with THP on, freed parts of 2 MiB pages are
/// handed back and every re-touch makes the kernel zero a whole huge page
/// again. Measured on 1M orders: 12.2 s → 10.2 s wall, system time 2.8 s →
/// 0.9 s (reports/bench/analyze.md). Best effort: nothing to do if refused.
#[allow(unsafe_code)]
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// The lines of an error report: the error, then each cause that the lines
/// above do not already say. Many error types (the library errors whose
/// message is `"{path}: {source}"`, `#[error(transparent)]` wrappers) print
/// their source in their own message *and* return it from `source()`;
/// listing it again printed the same cause twice.
fn error_lines(err: &anyhow::Error) -> Vec<String> {
    let mut lines = vec![format!("kesu: error: {err}")];
    let mut said = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !said.contains(&text) {
            lines.push(format!("  caused by: {text}"));
            said.push('\n');
            said.push_str(&text);
        }
    }
    lines
}

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    match run(cli) {
        Ok(Status::Done) => ExitCode::SUCCESS,
        Ok(Status::GateFailed) => ExitCode::from(1),
        Err(err) => {
            // A closed pipe (`kesu search … | head`) is not an error: ripgrep's rule.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            for line in error_lines(&err) {
                let _ = writeln!(stderr, "{line}");
            }
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn each_cause_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let ingest = kesu_ingest::Error::Io {
            path: "week.csv".into(),
            source: io,
        };
        let err = anyhow::Error::from(ingest).context("loading the exports");
        assert_eq!(
            super::error_lines(&err),
            [
                "kesu: error: loading the exports",
                "  caused by: reading week.csv: no such file",
            ]
        );
        // A cause the message does not include is still shown.
        let err = anyhow::anyhow!("disk full").context("writing out/orders.parquet");
        assert_eq!(super::error_lines(&err).len(), 2);
    }

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
