//! Errors of the registry: bad cause keys, bad name files, out-of-order weeks.

use std::path::PathBuf;

use crate::CauseKey;

/// What can go wrong when keys are parsed, names are read or weeks are observed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A string that should be a cause key is not one (`C0007`).
    #[error("invalid cause key {0:?}: expected `C` and at least four digits, such as C0007")]
    InvalidKey(String),
    /// `causes.toml` could not be read from disk.
    #[error("cannot read cause names from {path}: {source}")]
    Read {
        /// The file that was read.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// `causes.toml` is not valid TOML.
    #[error("cause names are not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// `causes.toml` has an entry that is not `Cnnnn = "name"`.
    #[error("cause names: entry {key:?} {problem}")]
    BadName {
        /// The key as written in the file.
        key: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// Names were given for causes the registry does not know.
    #[error("cause names: the registry has no cause {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    UnknownCauses(Vec<CauseKey>),
    /// A week was observed that does not come after the last one observed:
    /// replaying a week must start from the snapshot taken before it.
    #[error(
        "week {week:?} is not after the last observed week {last:?}; replay from the snapshot taken before {week:?}"
    )]
    WeekNotAfter {
        /// The week passed in.
        week: String,
        /// The last week the registry has seen.
        last: String,
    },
    /// A week label was empty.
    #[error("week label is empty")]
    EmptyWeek,
    /// A registry snapshot could not be decoded.
    #[error("registry snapshot is not valid: {0}")]
    Snapshot(String),
}
