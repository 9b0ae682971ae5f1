//! User names for causes, from `pipelines/causes.toml`.
//!
//! A quality team names a cause once (`C0007 = "智能电表更换后跳字"`) and the
//! name is used in every later table, chart and report in place of the
//! mined label.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{CauseKey, RegistryError};

/// The names given in `causes.toml`, by cause key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CauseNames {
    names: BTreeMap<CauseKey, String>,
}

impl CauseNames {
    /// Parses `causes.toml`: a flat table of `Cnnnn = "name"`. A key that is
    /// not a cause key, a value that is not a string and an empty name are
    /// errors naming the entry, so that a typo is not silently ignored.
    pub fn from_toml_str(text: &str) -> Result<CauseNames, RegistryError> {
        let table: toml::Table = toml::from_str(text)?;
        let mut names = BTreeMap::new();
        for (raw_key, value) in table {
            let key: CauseKey = raw_key.parse()?;
            let Some(name) = value.as_str() else {
                return Err(RegistryError::BadName {
                    key: raw_key,
                    problem: "is not a string",
                });
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(RegistryError::BadName {
                    key: raw_key,
                    problem: "has an empty name",
                });
            }
            names.insert(key, name.to_owned());
        }
        Ok(CauseNames { names })
    }

    /// Reads and parses a `causes.toml` file.
    pub fn from_path(path: &Path) -> Result<CauseNames, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::Read {
            path: path.to_owned(),
            source,
        })?;
        CauseNames::from_toml_str(&text)
    }

    /// The name given to `key`, if any.
    pub fn get(&self, key: CauseKey) -> Option<&str> {
        self.names.get(&key).map(String::as_str)
    }

    /// Every (key, name) pair, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (CauseKey, &str)> {
        self.names.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// How many causes are named.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no cause is named.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names() {
        let names = CauseNames::from_toml_str(
            "# named by the quality team\nC0007 = \"智能电表更换后跳字\"\nC0012 = \"  停电通知不及时 \"\n",
        )
        .unwrap();
        assert_eq!(names.len(), 2);
        assert_eq!(names.get(CauseKey::new(7)), Some("智能电表更换后跳字"));
        assert_eq!(names.get(CauseKey::new(12)), Some("停电通知不及时"));
        assert_eq!(names.get(CauseKey::new(8)), None);
        assert!(CauseNames::from_toml_str("").unwrap().is_empty());
    }

    #[test]
    fn bad_entries_name_the_key() {
        let err = CauseNames::from_toml_str("C7 = \"x\"").unwrap_err();
        assert!(err.to_string().contains("\"C7\""), "{err}");
        let err = CauseNames::from_toml_str("C0007 = 3").unwrap_err();
        assert!(err.to_string().contains("C0007") && err.to_string().contains("not a string"));
        let err = CauseNames::from_toml_str("C0007 = \" \"").unwrap_err();
        assert!(err.to_string().contains("C0007") && err.to_string().contains("empty"));
        let err = CauseNames::from_toml_str("[C0007]\nname = \"x\"").unwrap_err();
        assert!(err.to_string().contains("C0007"), "{err}");
        assert!(matches!(
            CauseNames::from_toml_str("C0007 = "),
            Err(RegistryError::Toml(_))
        ));
    }

    #[test]
    fn reads_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("causes.toml");
        std::fs::write(&path, "C0001 = \"抢修时间过长\"\n").unwrap();
        let names = CauseNames::from_path(&path).unwrap();
        assert_eq!(names.get(CauseKey::new(1)), Some("抢修时间过长"));
        let err = CauseNames::from_path(&dir.path().join("missing.toml")).unwrap_err();
        assert!(err.to_string().contains("missing.toml"));
    }
}
