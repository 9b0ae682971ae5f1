//! Text normalisation and personal-data redaction for complaint work orders.
//!
//! kesu's flow is ingest → **normalise** → segment → index / cluster →
//! summarise → render. This crate is the second step. For every
//! [`WorkOrder`](kesu_model::WorkOrder) it produces two texts:
//!
//! - `text_norm` ([`Normalizer::normalize`]): full-width ASCII folded to
//!   half-width, traditional Chinese converted to simplified, whitespace
//!   collapsed. This is what is segmented, mined and indexed.
//! - `text_redacted` ([`Normalizer::redact`]): the normalised text with
//!   phones, ID, account and meter numbers, e-mail and street addresses and
//!   names next to a role or title masked, keeping their shape
//!   (`138****5678`, `工作人员***态度恶劣`). It is a [`Redacted`], a type only this crate can
//!   construct, and the only text management-facing outputs accept.
//!
//! ```
//! use kesu_normalize::Normalizer;
//!
//! let n = Normalizer::builtin();
//! let norm = n.normalize("客戶來電反映停電，聯繫電話１３８１２３４５６７８。");
//! assert_eq!(norm, "客户来电反映停电，联系电话13812345678。");
//! assert_eq!(n.redact(&norm).as_str(), "客户来电反映停电，联系电话138****5678。");
//! ```

#![warn(missing_docs)]

mod config;
mod mask;
mod names;
mod normalizer;
mod pii;
mod text;

pub use config::{NormalizerConfig, default_account_patterns, default_meter_patterns};
pub use mask::Redacted;
pub use normalizer::{NORMALIZER_LOGIC_VERSION, NormalizedOrder, Normalizer};
pub use pii::{PiiKind, PiiSpan};

/// Errors of building a normaliser.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An account or meter pattern of the configuration is not a valid regex.
    #[error("invalid personal-data pattern {pattern:?}: {message}")]
    Pattern {
        /// The pattern as configured.
        pattern: String,
        /// What the regex compiler said.
        message: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
