//! File-level failures: the ones that stop a whole ingest (row-level problems are `Reject`s).

use std::path::PathBuf;

/// Why a file (or the column table) could not be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A file kesu cannot read, by its extension.
    #[error(
        "{path}: unknown input format {extension:?} (expected .csv, .tsv, .xlsx, .jsonl, .ndjson or .parquet)"
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// Its extension (empty when it has none).
        extension: String,
    },
    /// The header row lacks a required field.
    #[error(
        "{file}: no column for required field(s) {missing} (headers seen: {headers}){hint}",
        missing = missing.join(", "),
        headers = headers.join(", ")
    )]
    MissingColumns {
        /// The file.
        file: String,
        /// Canonical names of the required fields no header maps to.
        missing: Vec<String>,
        /// The headers as read.
        headers: Vec<String>,
        /// A hint when the headers look mis-decoded.
        hint: String,
    },
    /// The file has no header row (it is empty or blank).
    #[error("{file}: no header row (the file is empty)")]
    NoHeader {
        /// The file.
        file: String,
    },
    /// The requested sheet is not in the workbook.
    #[error("{file}: no sheet named {sheet:?} (sheets: {available})", available = available.join(", "))]
    SheetNotFound {
        /// The workbook.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The sheets the workbook has.
        available: Vec<String>,
    },
    /// The workbook could not be read.
    #[error("{file}: cannot read workbook: {message}")]
    Xlsx {
        /// The workbook.
        file: String,
        /// The reader's message.
        message: String,
    },
    /// The Parquet file could not be read.
    #[error("{file}: cannot read parquet: {message}")]
    Parquet {
        /// The file.
        file: String,
        /// The reader's message.
        message: String,
    },
    /// The column table (columns.toml) is invalid.
    #[error("column table {origin}: {message}")]
    Columns {
        /// Where the table came from (a path, or `builtin`).
        origin: String,
        /// What is wrong with it.
        message: String,
    },
    /// An encoding name kesu does not know.
    #[error("unknown encoding {0:?} (expected auto, utf-8 or gb18030)")]
    UnknownEncoding(String),
    /// A block sink failed; [`crate::ingest_stream`] returns the sink's own
    /// error instead, so this one is never seen outside the crate.
    #[error("the block sink stopped the ingest")]
    Stopped,
    /// rejects.csv could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl From<kesu_atomic::Error> for Error {
    fn from(e: kesu_atomic::Error) -> Self {
        Error::Write {
            path: e.path,
            source: e.source,
        }
    }
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
