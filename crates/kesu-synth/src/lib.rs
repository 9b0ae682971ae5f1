//! Realistic, deterministic synthetic complaint work orders (工单) for demos,
//! tests and benchmarks.
//!
//! `kesu-synth` sits before the whole flow (ingest → normalise → segment →
//! index / cluster → summarise → render): it writes the kind of export a
//! power utility's 95598 system produces — Chinese headers, GB18030 or UTF-8,
//! noisy operator-typed classes, typos, traditional characters, full-width
//! digits, personal data in the text, repeat complaints and weekly surges —
//! together with the ground truth (root cause, class, management gap,
//! substantiation quadrant, repeat group) that quality measurements score
//! against.
//!
//! The same seed always gives the same bytes: the PRNG is built in
//! ([`rng`]), and orders come in fixed chunks seeded from (seed, chunk), so
//! the thread count does not matter.
//!
//! ```
//! use kesu_synth::{CsvEncoding, Header, Synth, SynthConfig, write_csv};
//!
//! let synth = Synth::new(SynthConfig { n: 50, seed: 7, with_truth: true, ..SynthConfig::default() })?;
//! let mut csv = Vec::new();
//! let summary = write_csv(&synth, &mut csv, CsvEncoding::Utf8)?;
//! assert_eq!(summary.rows, 50);
//! assert!(String::from_utf8(csv).unwrap().starts_with("工单编号,受理时间"));
//! # Ok::<(), kesu_synth::Error>(())
//! ```

#![warn(missing_docs)]

pub mod catalogue;
mod generate;
mod noise;
mod pools;
pub mod rng;
mod write;

pub use catalogue::{Audience, CATALOGUE, Gap, RootCause};
pub use generate::{
    CHUNK, Header, PLANTED_EXTRA_DEFAULT, PlantedSpike, Spike, Synth, SynthConfig, SynthOrder,
    Truth, UNKNOWN_CLASS_VALUES, official_class_name, substantiated_label,
};
pub use pools::{UNITS, Unit, id_check_digit};
pub use write::{
    CsvEncoding, Format, SPIKE_COLUMN, Summary, TRUTH_COLUMNS, XLSX_MAX_ROWS, cells, columns,
    export_columns, write_csv, write_file, write_jsonl, write_xlsx,
};

/// What can go wrong while generating or writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration cannot be generated (e.g. zero weeks, too many XLSX rows).
    #[error("invalid synth configuration: {0}")]
    Config(String),
    /// Writing the output failed.
    #[error("writing synthetic orders: {0}")]
    Io(#[from] std::io::Error),
    /// CSV serialisation failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// JSON serialisation failed.
    #[error("writing JSONL: {0}")]
    Json(#[from] serde_json::Error),
    /// XLSX serialisation failed.
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Text could not be encoded.
    #[error("encoding output: {0}")]
    Encoding(String),
    /// Creating, syncing or renaming the output file failed.
    #[error(transparent)]
    Replace(#[from] kesu_atomic::Error),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
