//! Full-text search over complaint work orders for auditors: every matching
//! case (recall 1.0 against exact-substring truth), ranked, filtered,
//! highlighted and exportable.
//!
//! kesu's flow is ingest → normalise → segment → **index** / cluster →
//! summarise → render. This crate takes [`NormalizedOrder`]s (from
//! `kesu-normalize`), segments their normalised text once with kesu's own
//! [`Segmenter`](kesu_segment::Segmenter) (same dictionary and stop words as
//! the rest of kesu), and keeps them in a tantivy index with three views of
//! the text:
//!
//! - **words** (jieba search mode) for BM25 ranking only;
//! - **character bigrams** with positions and **unigrams**, for matching: a
//!   query string is found wherever it occurs as a substring of the
//!   normalised text, whatever the segmentation of query or document.
//!
//! Upserts are keyed on the work order id and committed atomically; the
//! analyzer version is recorded with each commit and each document, so
//! [`ComplaintIndex::reindex`] can rebuild stale documents from the stored
//! original text after a dictionary change.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use kesu_index::{ComplaintIndex, Filters, Query};
//! use kesu_segment::Analyzer;
//!
//! let analyzer = Analyzer::builtin()?;
//! let mut index = ComplaintIndex::create_or_open("data/index".as_ref(), &analyzer)?;
//! # let orders = Vec::new();
//! index.upsert(&orders, &analyzer)?;
//! let searcher = index.searcher(&analyzer);
//! let query = Query::parse("停電 通知 -表扬", &analyzer.normalizer)?;
//! let hits = searcher.search(&query, &Filters::default(), 20, 0)?;
//! for hit in hits.hits {
//!     println!("{} {}", hit.case.order.id, hit.snippet.marked("[", "]"));
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod export;
mod index;
mod lock;
mod merge;
mod query;
mod schema;
mod search;
mod snippet;
mod tokenize;

#[cfg(test)]
mod tests;

pub use export::{CsvCases, ExportFormat, export, header as export_header, row as export_row};
pub use index::{CommitPayload, ComplaintIndex, INDEX_FORMAT, Upsert, UpsertStats, WriterOptions};
pub use kesu_normalize::NormalizedOrder;
pub use lock::{IndexLock, LOCK_FILE, LockHolder};
pub use merge::{CappedMergePolicy, MAX_MERGED_DOCS, MIN_MERGED_SEGMENTS};
pub use query::{MAX_DEPTH, MAX_QUERY_CHARS, MAX_TERMS, Query, QueryError, parse_date};
pub use schema::{Fields, FilterField, StoredCase};
pub use search::{ComplaintSearcher, Facet, FacetCounts, Filters, Hit, Hits, SNIPPET_CHARS};
pub use snippet::{Snippet, match_spans, snippet};
/// A word token of the index (tantivy's), as [`word_tokens_of`] makes them.
pub use tantivy::tokenizer::Token;
pub use tokenize::{
    CharGramTokenizer, WORD_SEPARATOR, WordTokenizer, covering_bigrams, cut_words, cut_words_of,
    fold, is_searchable_word, word_tokens, word_tokens_of,
};

/// Errors of indexing, searching and exporting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The query text is not a valid query.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The directory holds no kesu index (or one of another format).
    #[error("{path} is not a kesu index")]
    NotAnIndex {
        /// The directory, or what differs.
        path: String,
    },
    /// Another run holds the index lock.
    #[error("index {path} is in use by another kesu run ({holder}); wait for it to finish")]
    Locked {
        /// The index directory.
        path: String,
        /// Who holds the lock, as it recorded itself.
        holder: String,
    },
    /// A non-empty directory that is not a kesu index.
    #[error(
        "{path} is a non-empty folder that is not a kesu index; refusing to build an index in it \
         (give a new or empty folder, or an existing kesu index)"
    )]
    ForeignDirectory {
        /// The directory.
        path: String,
    },
    /// The index holds data kesu cannot read back.
    #[error("corrupt index: {message}")]
    Corrupt {
        /// What is wrong.
        message: String,
    },
    /// No document has this work order id.
    #[error("no work order with id {id:?} in the index")]
    UnknownId {
        /// The id asked for.
        id: String,
    },
    /// Tantivy failed.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Stored JSON could not be (de)serialised.
    #[error("stored case: {0}")]
    Json(#[from] serde_json::Error),
    /// Writing CSV failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Writing XLSX failed.
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Building the Arrow batch failed.
    #[error("building the Arrow table: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    /// Writing Parquet failed.
    #[error("writing Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The export path has no known extension.
    #[error("{path}: unknown export format (use .csv, .xlsx or .parquet)")]
    ExportFormat {
        /// The path given.
        path: String,
    },
    /// More hits than an Excel sheet holds.
    #[error(
        "{rows} hits do not fit in an Excel sheet (max 1,048,575 rows); export to .csv or .parquet"
    )]
    TooManyRowsForXlsx {
        /// Hits to export.
        rows: usize,
    },
}

impl From<kesu_atomic::Error> for Error {
    fn from(e: kesu_atomic::Error) -> Self {
        Error::Io {
            path: e.path.display().to_string(),
            source: e.source,
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
