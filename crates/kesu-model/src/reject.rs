//! Rejected input rows: data, not errors.
//!
//! A row that cannot be accepted travels with the batch and is written to
//! `rejects.csv` (`file,line,column,reason,raw`), so that rows read =
//! accepted + rejected, always.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a row was rejected. `Display` gives the human reason written to
/// `rejects.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RejectReason {
    /// Bytes that are not valid in the file's encoding.
    Undecodable {
        /// The encoding the file was read in (`utf-8`, `gb18030`).
        encoding: String,
    },
    /// A NUL byte inside the record.
    NulByte,
    /// The record has a different number of fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this record.
        found: usize,
    },
    /// A quoted field is never closed before the end of the file.
    UnterminatedQuote,
    /// A required field is absent or empty.
    MissingField {
        /// Canonical name of the field.
        field: String,
    },
    /// The complaint text is empty or only whitespace.
    EmptyText,
    /// A date that cannot be parsed or cannot exist (2024-02-30).
    BadDate {
        /// The value as read.
        value: String,
    },
    /// A JSON line that is not a JSON object.
    BadJson {
        /// The JSON parser's message.
        message: String,
    },
    /// Anything else the reader could not accept.
    Malformed {
        /// What was wrong, for the reader of `rejects.csv`.
        message: String,
    },
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::Undecodable { encoding } => {
                write!(f, "undecodable bytes for encoding {encoding}")
            }
            RejectReason::NulByte => f.write_str("NUL byte in record"),
            RejectReason::FieldCount { expected, found } => {
                write!(f, "wrong field count: expected {expected}, found {found}")
            }
            RejectReason::UnterminatedQuote => {
                f.write_str("unterminated quoted field (runs to end of file)")
            }
            RejectReason::MissingField { field } => write!(f, "missing required field {field}"),
            RejectReason::EmptyText => f.write_str("empty or whitespace-only text"),
            RejectReason::BadDate { value } => {
                write!(f, "impossible or unparseable date {value:?}")
            }
            RejectReason::BadJson { message } => write!(f, "invalid JSON: {message}"),
            RejectReason::Malformed { message } => f.write_str(message),
        }
    }
}

/// One input row that could not be accepted, with where it came from and
/// its raw content, so that nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// The input file as given.
    pub file: String,
    /// 1-based physical line where the record starts (CSV/JSONL) or row
    /// number in a sheet.
    pub line: u64,
    /// The column at fault, when one is (canonical name or header).
    pub column: Option<String>,
    /// Why it was rejected.
    pub reason: RejectReason,
    /// The raw record, decoded lossily if need be.
    pub raw: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_clearly() {
        let r = RejectReason::FieldCount {
            expected: 7,
            found: 5,
        };
        assert_eq!(r.to_string(), "wrong field count: expected 7, found 5");
        let r = RejectReason::BadDate {
            value: "2024-02-30".into(),
        };
        assert!(r.to_string().contains("2024-02-30"));
    }
}
