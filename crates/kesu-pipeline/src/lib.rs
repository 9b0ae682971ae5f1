//! kesu's weekly job (`kesu run`): weeks of complaint work orders through
//! ingest → normalise → segment → index / mine → stable causes → early
//! warning → KPIs, into a state folder that remembers every week.
//!
//! The stages, in the order they run, are named after what they do:
//!
//! 1. **read**: every input file, every row accounted for (read = accepted +
//!    rejected + duplicates), rejects kept;
//! 2. **partition**: accepted orders by the ISO week of `received_at`
//!    (`--week` keeps one and counts the rest as outside the week);
//! 3. per week, oldest first: **segment** (one precise cut of each order's
//!    text, which both the index and mining use: no text is segmented
//!    twice), **index** (upsert into the state's search index, one commit a
//!    week through one writer for the whole run) side by side with **mine**
//!    (root causes, gaps, typical cases, repeats), **register** (match the week's causes to the registry of
//!    known causes: stable keys), **repeats** (join repeat groups begun in
//!    earlier weeks within the repeat window, see [`repeats`]), **warn** (early warning against the
//!    trailing baseline), **kpis**, **write** (the week's tables, each file
//!    atomic, and the week's repeat file) and **checkpoint** (the registry and history after the week:
//!    written last, it marks the week complete);
//! 4. **manifest**: one `manifest.json` per run, written last.
//!
//! See [`state`] for the folder layout, [`tables`] for the tables and
//! [`stages`] for the stages `kesu analyze` runs too.

#![warn(missing_docs)]

pub mod config;
pub mod kpis;
pub mod manifest;
mod reject_weeks;
pub mod repeats;
pub mod run;
pub mod stages;
pub mod state;
pub mod tables;
mod warn;
pub mod week;

pub use config::{Plan, Setting, Source, WeeklyConfig};
pub use manifest::{RunManifest, WeekSummary};
pub use run::{OTHER_KEY, Progress, Quiet, RunOutcome, RunRequest, run};
pub use week::IsoWeek;

/// Errors of the weekly job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration file or setting that cannot be used.
    #[error("configuration {origin}: {message}")]
    Config {
        /// The file (or `--set`).
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A file or folder of the state that cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The state folder holds something kesu cannot use.
    #[error("state {path}: {message}")]
    State {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Reading the exports failed (not a bad row: those are rejects).
    #[error(transparent)]
    Ingest(#[from] kesu_ingest::Error),
    /// Loading dictionaries or the analyzer failed.
    #[error(transparent)]
    Segment(#[from] kesu_segment::Error),
    /// The search index failed.
    #[error(transparent)]
    Index(#[from] kesu_index::Error),
    /// Mining failed.
    #[error(transparent)]
    Mine(#[from] kesu_cluster::Error),
    /// Writing a table failed.
    #[error(transparent)]
    Store(#[from] kesu_store::Error),
    /// Building a table failed.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    /// An atomic write failed.
    #[error(transparent)]
    Atomic(#[from] kesu_atomic::Error),
    /// A JSON file of the state could not be read or written.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Result of the weekly job.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Hex SHA-256 of bytes.
pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
