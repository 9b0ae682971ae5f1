//! The column table: which export headers mean which canonical field (pipelines/columns.toml).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use kesu_model::Field;
use serde::Deserialize;

use crate::{Error, Result};

const BUILTIN: &str = include_str!("../../../pipelines/columns.toml");

/// Header alias → canonical [`Field`], read from a `columns.toml`.
///
/// Canonical English names (`work_order_id`, …) always match, whatever the
/// table says. Matching trims whitespace and a BOM and ignores ASCII case.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    aliases: HashMap<String, Field>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<u32>,
    columns: BTreeMap<String, Vec<String>>,
}

impl ColumnMap {
    /// The table built into kesu (pipelines/columns.toml).
    pub fn builtin() -> ColumnMap {
        match ColumnMap::parse(BUILTIN, "builtin") {
            Ok(map) => map,
            // INVARIANT: the embedded table is checked by the `builtin_table_parses`
            // test; should it ever be broken, canonical names still work.
            Err(_) => ColumnMap::canonical_only(),
        }
    }

    /// Reads a user column table (same shape as pipelines/columns.toml).
    pub fn from_path(path: &Path) -> Result<ColumnMap> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        ColumnMap::parse(&text, &path.display().to_string())
    }

    /// The canonical field a header means, if any.
    pub fn resolve(&self, header: &str) -> Option<Field> {
        self.aliases.get(&normalize_header(header)).copied()
    }

    fn canonical_only() -> ColumnMap {
        let aliases = Field::ALL
            .into_iter()
            .map(|f| (f.name().to_owned(), f))
            .collect();
        ColumnMap { aliases }
    }

    fn parse(text: &str, origin: &str) -> Result<ColumnMap> {
        let bad = |message: String| Error::Columns {
            origin: origin.to_owned(),
            message,
        };
        let file: ColumnsFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut map = ColumnMap::canonical_only();
        for (name, aliases) in &file.columns {
            let field = Field::from_name(name).ok_or_else(|| {
                bad(format!(
                    "unknown field {name:?} (fields: {})",
                    Field::ALL.map(Field::name).join(", ")
                ))
            })?;
            for alias in aliases {
                let key = normalize_header(alias);
                if key.is_empty() {
                    return Err(bad(format!("empty alias for {name}")));
                }
                match map.aliases.insert(key, field) {
                    Some(other) if other != field => {
                        return Err(bad(format!(
                            "header {alias:?} is listed for both {} and {name}",
                            other.name()
                        )));
                    }
                    _ => {}
                }
            }
        }
        Ok(map)
    }
}

/// Header text as matched: trimmed of whitespace and BOMs, ASCII lower-case.
fn normalize_header(header: &str) -> String {
    header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses() {
        let map = ColumnMap::parse(BUILTIN, "builtin").unwrap();
        assert_eq!(map.resolve("工单编号"), Some(Field::WorkOrderId));
        assert_eq!(map.resolve("受理日期"), Some(Field::ReceivedAt));
        assert_eq!(map.resolve("投诉内容"), Some(Field::Text));
        assert_eq!(map.resolve("region"), Some(Field::Unit));
        assert_eq!(map.resolve("办结时间"), Some(Field::ClosedAt));
        assert_eq!(map.resolve("派单部门"), None);
    }

    #[test]
    fn canonical_names_trim_bom_and_ascii_case_match() {
        let map = ColumnMap::builtin();
        for f in Field::ALL {
            assert_eq!(map.resolve(f.name()), Some(f));
            assert_eq!(map.resolve(&f.name().to_uppercase()), Some(f));
        }
        assert_eq!(map.resolve("\u{feff} 工单编号 "), Some(Field::WorkOrderId));
        assert_eq!(map.resolve("Region"), Some(Field::Unit));
    }

    #[test]
    fn user_table_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "[columns]\ntext = [\"反映问题\"]\n").unwrap();
        let map = ColumnMap::from_path(&good).unwrap();
        assert_eq!(map.resolve("反映问题"), Some(Field::Text));
        assert_eq!(map.resolve("work_order_id"), Some(Field::WorkOrderId));
        assert_eq!(
            map.resolve("工单编号"),
            None,
            "a user table replaces the builtin"
        );

        let unknown = dir.path().join("unknown.toml");
        std::fs::write(&unknown, "[columns]\nmood = [\"心情\"]\n").unwrap();
        let err = ColumnMap::from_path(&unknown).unwrap_err().to_string();
        assert!(err.contains("mood"), "{err}");

        let clash = dir.path().join("clash.toml");
        std::fs::write(
            &clash,
            "[columns]\ntext = [\"内容\"]\nhandling = [\"内容\"]\n",
        )
        .unwrap();
        let err = ColumnMap::from_path(&clash).unwrap_err().to_string();
        assert!(err.contains("内容"), "{err}");
    }
}
