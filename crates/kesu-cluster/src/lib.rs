//! Root-cause mining over complaint work orders: recurring causes, management
//! gaps, typical cases and repeat complaints.
//!
//! kesu's flow is ingest → normalise → segment → index / **cluster** →
//! summarise → render. This crate takes a [`Corpus`] (per order: redacted text,
//! content-word ids from `Segmenter::terms` in precise mode, a few fields and
//! hashed identity keys, built as orders are read) and returns a [`Mining`]:
//!
//! - **features** ([`features`]): sparse TF-IDF (sublinear tf, smooth idf, L2);
//!   terms in more than 40 % of orders are boilerplate, terms in one order noise;
//! - **root causes** ([`kmeans`]): spherical k-means with k-means++ restarts
//!   in a latent space ([`lsa`]: a truncated SVD of the TF-IDF vectors, so
//!   that long messages are compared by topic, not by incidental words),
//!   fitted on a seeded sample of at most 25 000 orders and then assigned to
//!   all (linear in n, so 1M orders fit on 2 cores); `k = auto` picks the
//!   smallest k within 10 % of the best simplified silhouette on a 3 000-order
//!   sample (the knee: on template-like text the score creeps up with k);
//!   orders below a cosine threshold go to "其他", capped at `max_other`;
//!   the operator-typed class and subclass enter as two extra tokens (weak
//!   supervision: measured +0.01–0.03 NMI on synthetic data, see
//!   reports/bench/analyze.md);
//! - **labels and gaps**: class-based TF-IDF top terms, a label that is a
//!   phrase of the cause's own complaints (else 2–3 top words that name
//!   something, [`Corpus::label_words`]), and the management gap of
//!   [`Taxonomy`] its members' cue words vote for, weighted by their 是否属实
//!   (or "unmapped: possible new gap"); each order gets its own gap from its
//!   cause's votes, its own words and its own 是否属实;
//! - **classes** ([`classify`]): logistic regression over the words and the
//!   root cause, trained on the noisy operator-typed classes; disagreements
//!   are flagged;
//! - **typical cases**: central and diverse (MMR) redacted texts with ids;
//! - **repeats** ([`repeats`]): MinHash of character 3-shingles within blocks of
//!   the same customer id / phone / address (from the columns, and from the
//!   text: [`textkeys`]) and a day window, union-find.
//!
//! Every parallel step maps documents independently or sums per cluster in
//! document order, so the output is identical for 1 or N rayon threads.
//!
//! ```
//! use chrono::NaiveDate;
//! use kesu_cluster::{Corpus, KChoice, MiningConfig, Taxonomy, mine};
//! use kesu_model::WorkOrder;
//! use kesu_normalize::Normalizer;
//!
//! let at = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
//! let n = Normalizer::builtin();
//! let texts = [["电压", "空调", "晚上"], ["抢修", "迟迟", "停电"], ["电费", "翻倍", "账单"]];
//! let orders: Vec<_> = (0..30)
//!     .map(|i| n.apply(WorkOrder::new(format!("W{i}"), at, texts[i % 3].concat())))
//!     .collect();
//! let terms: Vec<Vec<&str>> = (0..30).map(|i| texts[i % 3].to_vec()).collect();
//! let corpus = Corpus::from_orders(orders, &terms, &[]);
//! let cfg = MiningConfig { k: KChoice::Fixed(3), ..MiningConfig::default() };
//! let mining = mine(&corpus, &Taxonomy::builtin().unwrap(), &cfg).unwrap();
//! assert_eq!(mining.root_causes.len(), 3);
//! assert_eq!(mining.root_causes[0].size, 10);
//! assert_eq!(mining.root_causes[2].gap.gap_id.as_deref(), Some("skill"));
//! ```

#![warn(missing_docs)]

pub mod classify;
mod corpus;
pub mod features;
pub mod kmeans;
pub mod lsa;
pub mod metrics;
mod mining;
pub mod repeats;
pub mod tables;
mod taxonomy;
pub mod textkeys;

pub use corpus::{Corpus, CorpusBuilder, LabelWords, OrderDigest, Sym};
pub use mining::{
    Assignment, Evaluation, GapMatch, KChoice, Mining, MiningConfig, MiningMetrics, OTHER_ID,
    OTHER_LABEL, PROFILE_TERMS, RootCause, Truth, TypicalCase, UNMAPPED, evaluate, mine,
};
pub use repeats::{IdentityKeys, KEY_SOURCES, RepeatGroup};
pub use taxonomy::{
    ClassCues, ManagementGap, POSTS, Quadrant, REMEDIES, Taxonomy, TypedClass, alias_key,
    cue_matches,
};

/// Errors of root-cause mining.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A taxonomy file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A taxonomy is malformed.
    #[error("taxonomy {origin}: {message}")]
    Taxonomy {
        /// Where it came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The input cannot be mined.
    #[error("{0}")]
    Input(String),
    /// An Arrow table could not be built.
    #[error("building table: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
