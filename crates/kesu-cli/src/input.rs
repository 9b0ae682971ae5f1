//! Input options shared by every command that reads exports, and the one
//! way they are loaded: ingest → normalise (in parallel), with a progress bar
//! on a terminal.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kesu_ingest::{Block, ColumnMap, Encoding, IngestOptions, IngestStats, Tz};
use kesu_model::{Keyed, Reject, WorkOrder};
use kesu_normalize::NormalizedOrder;
use kesu_segment::{Analyzer, AnalyzerConfig, SegmenterConfig};

/// Which export files to read and how to decode them.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Export files to read: .csv, .xlsx, .jsonl/.ndjson or .parquet.
    ///
    /// Columns are recognised by canonical English name or by the Chinese
    /// headers real exports use (工单编号, 受理时间, 受理内容, …); see
    /// pipelines/columns.toml. Every other column is kept.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Text encoding of CSV files: auto (UTF-8, else GB18030), utf-8 or gb18030.
    #[arg(long, value_name = "ENC", default_value = "auto")]
    pub encoding: Encoding,

    /// Sheet to read in XLSX files (default: the first sheet).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// Column alias table (TOML) to use instead of the built-in pipelines/columns.toml.
    #[arg(long, value_name = "FILE")]
    pub columns: Option<PathBuf>,

    /// The utility's local time zone (IANA name, e.g. Asia/Shanghai, UTC).
    ///
    /// Date-times written with a UTC offset or Z (2024-03-01T23:30:00-05:00)
    /// are converted to it, so that every order lands on its local day;
    /// date-times without an offset are taken as local already.
    #[arg(long, value_name = "ZONE", default_value = "Asia/Shanghai", value_parser = parse_timezone)]
    pub timezone: Tz,
}

fn parse_timezone(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>().map_err(|_| {
        format!("{s:?} is not an IANA time zone name (for example Asia/Shanghai, Asia/Urumqi, UTC)")
    })
}

/// Dictionaries and stop words on top of kesu's built-in power-utility ones.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AnalyzerArgs {
    /// Extra jieba user dictionary (`word [freq] [tag]` per line); repeatable.
    ///
    /// Changes the analyzer version recorded with every output.
    #[arg(long = "dict", value_name = "FILE")]
    pub dicts: Vec<PathBuf>,

    /// Extra stop-word file (one word per line); repeatable.
    #[arg(long = "stopwords", value_name = "FILE")]
    pub stopwords: Vec<PathBuf>,
}

impl AnalyzerArgs {
    /// Builds the analyzer (normaliser + segmenter): one dictionary load,
    /// shared by every thread afterwards.
    pub fn analyzer(&self) -> anyhow::Result<Analyzer> {
        Analyzer::new(&self.config()).context("loading dictionaries")
    }

    /// The analyzer's configuration, for a caller that loads its parts itself.
    pub fn config(&self) -> AnalyzerConfig {
        AnalyzerConfig {
            segment: SegmenterConfig {
                user_dicts: self.dicts.clone(),
                stopword_files: self.stopwords.clone(),
                ..SegmenterConfig::default()
            },
            ..AnalyzerConfig::default()
        }
    }
}

/// Work orders read, normalised (or digested) and accounted for.
pub struct Loaded<T = NormalizedOrder> {
    /// Accepted orders (duplicates already replaced), normalised and redacted.
    pub orders: Vec<T>,
    /// Every row that could not be accepted.
    pub rejects: Vec<Reject>,
    /// Row accounting: read = accepted + rejected (see crate::accounting).
    pub stats: IngestStats,
}

/// Reads the input files and turns every accepted order into a `T` while it
/// is parsed (in parallel), so that full orders never pile up in memory.
///
/// Everything is collected, so each file is read once (see
/// [`kesu_ingest::ingest_with`]); [`stream_with`] reads twice to write as it goes.
pub fn load_with<T: Keyed + Send>(
    input: &InputArgs,
    progress: bool,
    map: &(dyn Fn(WorkOrder) -> T + Sync),
) -> anyhow::Result<Loaded<T>> {
    let (options, total) = read_options(input)?;
    let bar = progress_bar(progress, total);
    let batch = kesu_ingest::ingest_with(&input.files, &options, &|delta| bar.inc(delta), map)?;
    bar.finish_and_clear();
    Ok(Loaded {
        orders: batch.orders,
        rejects: batch.rejects,
        stats: batch.stats,
    })
}

/// The ingest options of `input` and the total size of its files (for the progress bar).
fn read_options(input: &InputArgs) -> anyhow::Result<(IngestOptions, u64)> {
    let columns = match &input.columns {
        Some(path) => ColumnMap::from_path(path)
            .with_context(|| format!("reading column table {}", path.display()))?,
        None => ColumnMap::builtin(),
    };
    let options = IngestOptions {
        encoding: input.encoding,
        sheet: input.sheet.clone(),
        columns,
        timezone: input.timezone,
    };
    let total: u64 = input
        .files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    Ok((options, total))
}

/// Reads the input files like [`load_with`], but hands the orders and
/// rejects to `sink` a block at a time, in input order, while reading goes
/// on (see [`kesu_ingest::ingest_stream`]): memory holds one block, not the
/// input. Errors of `sink` come back unchanged.
pub fn stream_with<T: Send>(
    input: &InputArgs,
    progress: bool,
    map: &(dyn Fn(WorkOrder) -> T + Sync),
    sink: &mut dyn FnMut(Block<T>) -> anyhow::Result<()>,
) -> anyhow::Result<IngestStats> {
    let (options, total) = read_options(input)?;
    let bar = progress_bar(progress, total);
    let stats =
        kesu_ingest::ingest_stream(&input.files, &options, &|delta| bar.inc(delta), map, sink)?;
    bar.finish_and_clear();
    Ok(stats)
}

/// A byte progress bar on a terminal, hidden otherwise (pipes, CI, tests).
pub fn progress_bar(enabled: bool, total: u64) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} reading [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
