//! `kesu ingest`: read exports into orders.parquet and rejects.csv, accounting for every row.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use kesu_ingest::{FileStats, IngestStats, write_rejects_csv};
use kesu_model::Reject;
use kesu_segment::Analyzer;
use kesu_timing::StageTimer;
use rayon::prelude::*;
use serde::Serialize;

use crate::Status;
use crate::accounting::{Accounting, RejectGateArgs, thousands};
use crate::input::{AnalyzerArgs, InputArgs, stream_with};

// The subcommand's doc comment in main.rs sets its about and resets
// long_about, so the long description travels in after_long_help (--help),
// followed by the examples; -h shows the examples only.
macro_rules! description {
    () => {
        "\
Reads CSV/TSV (UTF-8 with or without BOM, GBK/GB18030 detected automatically,
UTF-16), XLSX, JSON Lines and Parquet exports with Chinese or English headers
(工单编号, 受理时间, 受理内容, … see pipelines/columns.toml; every other column
is kept). Each record becomes a work order or a reject with its file, physical
line, column and reason; rows read = accepted + rejected, always. A later record
with the same 工单编号 replaces the earlier one, so re-running on overlapping
exports never duplicates orders.

Writes, atomically, into --out:
  orders.parquet  accepted orders, normalised and with personal data redacted in
                  text_redacted, stamped with the analyzer version
  rejects.csv     file,line,column,reason,raw — always written (header only when
                  nothing was rejected); UTF-8 with BOM so that Excel shows Chinese

Both files are written even when the reject gate fails, so the rejects can be
inspected."
    };
}

macro_rules! examples {
    () => {
        "\
Examples:
  kesu ingest exports/2024-03.csv --out out/2024-03
  kesu ingest exports/*.xlsx --sheet 工单明细 --out out/q1
  kesu ingest legacy_gbk.csv --encoding gb18030 --max-reject-rate 0.2 --out out/legacy
  kesu ingest week.csv --columns my_columns.toml --json --out out/week | jq .reject_rate

Exit status: 0 done, 1 done but more than --max-reject-rate of the rows were
rejected, 2 error (missing file, unknown format, a file without a required
column such as 受理内容)."
    };
}

/// Read exports into orders.parquet and rejects.csv, accounting for every row.
#[derive(clap::Args, Debug)]
#[command(after_help = examples!(), after_long_help = concat!(description!(), "\n\n", examples!()))]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    /// Output directory (created if missing) for orders.parquet and rejects.csv.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    #[command(flatten)]
    pub gate: RejectGateArgs,

    /// Print one JSON object with the row accounting on stdout instead of the summary.
    ///
    /// Fields: read, accepted, rejected, duplicates, orders, reject_rate,
    /// max_reject_rate, gate_passed, analyzer_version, files (per-file
    /// accounting, format and encoding), out, orders_path, rejects_path.
    #[arg(long)]
    pub json: bool,
}

/// The `--json` summary.
#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    accounting: Accounting,
    analyzer_version: String,
    files: &'a [FileStats],
    out: String,
    orders_path: String,
    rejects_path: String,
    /// Content terms stored in orders.parquet (precise mode, stop words removed).
    terms: usize,
    /// Where the time went, per stage.
    timings_ms: StageTimings,
}

/// Wall time per stage of `kesu ingest`, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize)]
struct StageTimings {
    /// Reading, decoding, parsing and normalising the exports.
    read_normalize: u64,
    /// Segmenting every normalised text (rayon, all cores).
    segment: u64,
    /// Writing orders.parquet and rejects.csv.
    write: u64,
}

/// Seconds spent in the stages that run block by block, summed.
#[derive(Default)]
struct BlockTimes {
    segment: f64,
    write: f64,
}

/// What was read, for the summary and the gate.
struct Loaded {
    stats: IngestStats,
    rejects: Vec<Reject>,
}

/// Reads, normalises, segments and writes block by block into a staging
/// folder, then publishes orders.parquet and rejects.csv together.
fn write_outputs(
    args: &Args,
    analyzer: &Analyzer,
    version: &str,
    orders_path: &Path,
) -> anyhow::Result<(IngestStats, Vec<Reject>, usize, BlockTimes)> {
    // Both files or neither (see crate::staging).
    let staging = crate::staging::Staging::new(&args.out)?;
    let normalizer = &analyzer.normalizer;
    let segmenter = &analyzer.segmenter;
    let mut rejects = Vec::new();
    let mut term_count = 0usize;
    let mut times = BlockTimes::default();
    let stats = kesu_store::write_orders_streaming(
        &staging.path().join("orders.parquet"),
        version,
        |sink| {
            stream_with(
                &args.input,
                !args.json,
                &|order| normalizer.apply(order),
                &mut |block| {
                    rejects.extend(block.rejects);
                    // Segment once, here: later stages read the stored terms.
                    // They are cut from the redacted text, like every mining
                    // input, so that no personal data can become a term (see
                    // `kesu analyze`).
                    let started = Instant::now();
                    let terms: Vec<String> = block
                        .orders
                        .par_iter()
                        .map(|o| segmenter.terms(o.text_redacted.as_str()).join(" "))
                        .collect();
                    term_count += terms
                        .iter()
                        .map(|t| t.split(' ').filter(|w| !w.is_empty()).count())
                        .sum::<usize>();
                    let segmented = Instant::now();
                    times.segment += (segmented - started).as_secs_f64();
                    for (order, terms) in block.orders.iter().zip(&terms) {
                        sink.push(order, Some(terms))
                            .with_context(|| format!("writing {}", orders_path.display()))?;
                    }
                    times.write += segmented.elapsed().as_secs_f64();
                    Ok(())
                },
            )
        },
    )?;
    let started = Instant::now();
    let rejects_path = args.out.join("rejects.csv");
    write_rejects_csv(&staging.path().join("rejects.csv"), &rejects)
        .with_context(|| format!("writing {}", rejects_path.display()))?;
    staging.publish(&args.out, &["orders.parquet", "rejects.csv"])?;
    times.write += started.elapsed().as_secs_f64();
    Ok((stats, rejects, term_count, times))
}

fn millis(secs: f64) -> u64 {
    // Whole milliseconds, truncated (a saturating cast: a lap is never negative).
    (secs * 1000.0) as u64
}

pub fn run(args: Args) -> anyhow::Result<Status> {
    let analyzer = args.analyzer.analyzer()?;
    let version = analyzer.version();
    let timer = StageTimer::start();

    let orders_path = args.out.join("orders.parquet");
    let rejects_path = args.out.join("rejects.csv");
    // The orders are written as they are read, so the output directory must
    // exist first; a run that fails removes it again if it made it.
    let made_out = !args.out.exists();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating output directory {}", args.out.display()))?;
    let written = write_outputs(&args, &analyzer, &version.to_string(), &orders_path);
    let (stats, rejects, terms, times) = match written {
        Ok(written) => written,
        Err(err) => {
            if made_out {
                // Only if empty: nothing but this run's staging was ever in it.
                let _ = std::fs::remove_dir(&args.out);
            }
            return Err(err);
        }
    };
    let total = timer.elapsed();
    let timings_ms = StageTimings {
        read_normalize: millis((total - times.segment - times.write).max(0.0)),
        segment: millis(times.segment),
        write: millis(times.write),
    };
    let term_count = terms;
    let loaded = Loaded { stats, rejects };

    let stats = &loaded.stats;
    let accounting = Accounting::new(stats, args.gate);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let summary = Summary {
            accounting,
            analyzer_version: version.to_string(),
            files: &stats.files,
            out: args.out.display().to_string(),
            orders_path: orders_path.display().to_string(),
            rejects_path: rejects_path.display().to_string(),
            terms: term_count,
            timings_ms,
        };
        serde_json::to_writer(&mut stdout, &summary)?;
        writeln!(stdout)?;
    } else {
        accounting.write_summary(&mut stdout, stats, &rejects_path)?;
        writeln!(
            stdout,
            "wrote {} orders to {} (analyzer {version})",
            thousands(stats.orders),
            orders_path.display()
        )?;
    }
    stdout.flush()?;
    Ok(accounting.gate(&loaded.rejects, &rejects_path)?)
}
