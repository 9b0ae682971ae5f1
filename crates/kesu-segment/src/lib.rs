//! Power-domain Chinese word segmentation for complaint work orders.
//!
//! kesu's flow is ingest → normalise → **segment** → index / cluster →
//! summarise → render. This crate turns normalised complaint text
//! (`text_norm`) into words, with jieba-rs plus a power-utility user
//! dictionary (`pipelines/dict/power.dict`: 台区, 低电压, 业扩报装, …) and a
//! stop-word list (`pipelines/dict/stopwords.txt`), both embedded.
//!
//! - [`Segmenter`] holds one dictionary load behind an `Arc`; clones are cheap
//!   and share it across rayon workers.
//! - [`Segmenter::cut`] gives every token with byte offsets (what the index
//!   needs); [`Segmenter::terms`] gives the content words mining needs. A
//!   job that needs both cuts each text once: [`Segmenter::search_of_precise`]
//!   and [`Segmenter::terms_of_precise`] derive the search-mode tokens and
//!   the terms from one precise cut ([`Segmenter::texts_cut`] counts cuts).
//! - [`Analyzer`] pairs the segmenter with the
//!   [`Normalizer`](kesu_normalize::Normalizer); its [`AnalyzerVersion`] is
//!   stamped on every output so results made with different dictionaries
//!   are never mixed.
//! - [`bakeoff`] scores segmentation against SIGHAN gold data, to check
//!   that the power dictionary leaves general text no worse
//!   (`examples/icwb2.rs`, `reports/bench/segmentation.md`).
//!
//! ```
//! use kesu_segment::{Mode, Segmenter};
//!
//! let seg = Segmenter::builtin()?;
//! let words: Vec<&str> = seg
//!     .cut("台区低电压", Mode::Precise)
//!     .iter()
//!     .map(|t| t.text)
//!     .collect();
//! assert_eq!(words, ["台区", "低电压"]);
//! assert_eq!(seg.terms("客户来电反映欠费停电后复电慢"), ["欠费停电", "复电", "慢"]);
//! # Ok::<(), kesu_segment::Error>(())
//! ```

#![warn(missing_docs)]

mod analyzer;
pub mod bakeoff;
mod dict;
mod dict_line;
mod segmenter;

pub use analyzer::{Analyzer, AnalyzerConfig, AnalyzerVersion};
pub use segmenter::{Mode, SEGMENTER_LOGIC_VERSION, Segmenter, SegmenterConfig, Term};

use std::path::PathBuf;

/// Errors of building a segmenter or an analyzer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A user dictionary or stop-word file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file as configured.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A dictionary or stop-word file is not UTF-8 text.
    #[error("{source_name} is not UTF-8 text")]
    NotUtf8 {
        /// The file (or `builtin:...` for an embedded one).
        source_name: String,
    },
    /// A dictionary line is not `word [freq] [tag]`.
    #[error("{source_name} line {line}: {message}")]
    DictLine {
        /// The file (or `builtin:...` for an embedded one).
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The built-in dictionary image does not load: a build of kesu whose
    /// `build.rs` ran against another jieba-rs than the one linked.
    #[error("the built-in dictionary image does not load: {0}")]
    BuiltinImage(String),
    /// The normaliser configuration is invalid.
    #[error(transparent)]
    Normalize(#[from] kesu_normalize::Error),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
