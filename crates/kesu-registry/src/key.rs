//! Cause keys (`C0007`) and the status a cause has in one week.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::RegistryError;

/// The stable key of a known root cause, shown as `C0007`.
///
/// Keys are handed out in order from `C0001` and never reused, so a key
/// found in an old report still means the same cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CauseKey(u32);

impl CauseKey {
    /// The key with this number (`CauseKey::new(7)` is `C0007`).
    pub fn new(number: u32) -> CauseKey {
        CauseKey(number)
    }

    /// The key's number (7 for `C0007`).
    pub fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for CauseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C{:04}", self.0)
    }
}

impl FromStr for CauseKey {
    type Err = RegistryError;

    /// Parses the canonical form only (`C0007`, not `C7` or `c0007`), so
    /// that one cause cannot be named under two spellings in `causes.toml`.
    fn from_str(s: &str) -> Result<CauseKey, RegistryError> {
        let invalid = || RegistryError::InvalidKey(s.to_owned());
        let digits = s.strip_prefix('C').ok_or_else(invalid)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let key = CauseKey(digits.parse().map_err(|_| invalid())?);
        if key.to_string() != s {
            return Err(invalid());
        }
        Ok(key)
    }
}

impl Serialize for CauseKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CauseKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CauseKey, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a cluster relates to the registry in the week it was observed (the
/// `status` column of the `causes` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CauseStatus {
    /// A cause not seen before, with a new key.
    New,
    /// A known cause with about the same share of the week's orders as
    /// when last seen.
    Recurring,
    /// A known cause whose share of the week's orders rose by more than
    /// the growth ratio since it was last seen.
    Growing,
    /// A known cause whose share of the week's orders fell by more than
    /// the growth ratio since it was last seen.
    Fading,
    /// A new key for a cluster split off a known cause that another
    /// cluster of the same week kept.
    Split,
    /// A known cause that absorbed another known cause this week.
    Merged,
}

impl CauseStatus {
    /// The status as written in tables: `new`, `recurring`, `growing`,
    /// `fading`, `split`, `merged`.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseStatus::New => "new",
            CauseStatus::Recurring => "recurring",
            CauseStatus::Growing => "growing",
            CauseStatus::Fading => "fading",
            CauseStatus::Split => "split",
            CauseStatus::Merged => "merged",
        }
    }
}

impl fmt::Display for CauseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_display_and_parse() {
        assert_eq!(CauseKey::new(7).to_string(), "C0007");
        assert_eq!(CauseKey::new(12345).to_string(), "C12345");
        assert_eq!("C0007".parse::<CauseKey>().unwrap(), CauseKey::new(7));
        assert_eq!("C12345".parse::<CauseKey>().unwrap(), CauseKey::new(12345));
        for bad in [
            "C7",
            "c0007",
            "0007",
            "C",
            "C00007",
            "C-007",
            "C0007 ",
            "C０００７",
        ] {
            let err = bad.parse::<CauseKey>().unwrap_err();
            assert!(err.to_string().contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn key_serde_is_the_display_form() {
        let json = serde_json::to_string(&CauseKey::new(42)).unwrap();
        assert_eq!(json, "\"C0042\"");
        let back: CauseKey = serde_json::from_str(&json).unwrap();
        assert_eq!(back, CauseKey::new(42));
        assert!(serde_json::from_str::<CauseKey>("\"C42\"").is_err());
    }

    #[test]
    fn status_strings() {
        let all = [
            (CauseStatus::New, "new"),
            (CauseStatus::Recurring, "recurring"),
            (CauseStatus::Growing, "growing"),
            (CauseStatus::Fading, "fading"),
            (CauseStatus::Split, "split"),
            (CauseStatus::Merged, "merged"),
        ];
        for (status, s) in all {
            assert_eq!(status.as_str(), s);
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{s}\""));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_key_round_trips(n in 0u32..) {
            let key = CauseKey::new(n);
            proptest::prop_assert_eq!(key.to_string().parse::<CauseKey>().unwrap(), key);
        }
    }
}
