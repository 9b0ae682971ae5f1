//! The weekly job's configuration (`pipelines/weekly.toml`) and its resolved
//! plan: every setting with where its value came from (default, file or
//! flag), which `kesu explain` prints.
//!
//! A setting kesu does not know is an error naming it, not a silent no-op:
//! a misspelt `max_other` would otherwise change nothing and look applied.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The committed default configuration, also built into the binary so that
/// `kesu run --input x.csv` works from any folder.
pub const BUILTIN: &str = include_str!("../../../pipelines/weekly.toml");

/// How input files are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputSection {
    /// Column alias table (TOML); empty for the built-in pipelines/columns.toml.
    pub columns: Option<PathBuf>,
    /// Encoding of CSV files: auto, utf-8 or gb18030.
    pub encoding: String,
    /// XLSX sheet (empty: the first).
    pub sheet: Option<String>,
    /// The utility's local time zone (IANA name).
    pub timezone: String,
    /// Largest share of rejected rows before the run counts as failed (exit 1).
    pub max_reject_rate: f64,
    /// A week already complete in the state is run again (replaced) only
    /// when the input holds at least this share of the orders it has there;
    /// otherwise its rows are held back (counted and reported). `--week`
    /// always runs its week.
    pub rerun_min_share: f64,
}

impl Default for InputSection {
    fn default() -> Self {
        InputSection {
            columns: None,
            encoding: "auto".into(),
            sheet: None,
            timezone: "Asia/Shanghai".into(),
            max_reject_rate: 0.01,
            rerun_min_share: 0.5,
        }
    }
}

/// Dictionaries and stop words on top of the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzerSection {
    /// Extra jieba user dictionaries.
    pub dicts: Vec<PathBuf>,
    /// Extra stop-word files.
    pub stopwords: Vec<PathBuf>,
}

/// Root-cause mining, once per week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MineSection {
    /// Taxonomy of classes and management gaps (empty: built-in).
    pub taxonomy: Option<PathBuf>,
    /// Number of root causes per week, or "auto" (`k = 12` and
    /// `k = "12"` both read).
    #[serde(deserialize_with = "number_or_text")]
    pub k: String,
    /// Typical cases per cause.
    pub typical: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Largest share of a week's orders in the 其他 bucket.
    pub max_other: f64,
    /// Repeat-complaint window in days.
    pub repeat_window_days: i64,
    /// Use the operator-typed class and subclass as weak features.
    pub typed_features: bool,
    /// Latent dimensions k-means clusters in when orders are long (at least
    /// k + 10; 0: always the raw TF-IDF vectors).
    pub lsa_dims: usize,
}

impl Default for MineSection {
    fn default() -> Self {
        MineSection {
            taxonomy: None,
            k: "auto".into(),
            typical: 5,
            seed: 42,
            max_other: 0.10,
            repeat_window_days: 30,
            typed_features: true,
            lsa_dims: 50,
        }
    }
}

/// Stable root causes across weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CausesSection {
    /// Names given to cause keys (`C0007 = "智能电表更换后跳字"`).
    pub names: Option<PathBuf>,
    /// Smallest cosine between a week's cluster and a known cause for the
    /// two to be the same cause.
    pub similarity_floor: f64,
    /// How far a known cause's profile moves towards this week's (0..1).
    pub learning_rate: f64,
    /// Share change (×, ÷) that makes a recurring cause growing or fading.
    pub growth_ratio: f64,
    /// Causes seen in this many weeks before a week seed its clustering
    /// (warm start); 0 clusters every week from scratch.
    pub warm_start_weeks: u32,
}

impl Default for CausesSection {
    fn default() -> Self {
        CausesSection {
            names: None,
            similarity_floor: 0.4,
            learning_rate: 0.3,
            growth_ratio: 1.5,
            warm_start_weeks: 4,
        }
    }
}

/// Complaint KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KpisSection {
    /// Customer counts per supply unit (for orders per 10k customers).
    pub units: Option<PathBuf>,
    /// Handling time limit in days from receipt to closing, for every class
    /// not listed in `limit_days_by_class`.
    pub limit_days: f64,
    /// Limits per complaint class (供电服务 = 4, …).
    pub limit_days_by_class: BTreeMap<String, f64>,
    /// Substantiation values that mean 属实 (after trimming).
    pub substantiated: Vec<String>,
    /// Values that mean 不属实.
    pub unsubstantiated: Vec<String>,
}

impl Default for KpisSection {
    fn default() -> Self {
        KpisSection {
            units: None,
            limit_days: 6.0,
            limit_days_by_class: BTreeMap::new(),
            substantiated: ["属实", "部分属实", "是"].map(String::from).to_vec(),
            unsubstantiated: ["不属实", "否"].map(String::from).to_vec(),
        }
    }
}

/// The whole configuration of `kesu run`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyConfig {
    /// Reading the exports.
    pub input: InputSection,
    /// Dictionaries.
    pub analyzer: AnalyzerSection,
    /// Mining.
    pub mine: MineSection,
    /// Stable causes.
    pub causes: CausesSection,
    /// Early warning (预警): the sensitivity of `kesu-warn`.
    pub alerts: kesu_warn::WarnConfig,
    /// KPIs.
    pub kpis: KpisSection,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// kesu's default.
    Default,
    /// The configuration file.
    File,
    /// A `--set` flag.
    Flag,
}

impl Source {
    /// "default", "file" or "flag".
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File => "file",
            Source::Flag => "flag",
        }
    }
}

/// One resolved setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// `section.key`.
    pub key: String,
    /// The value, as TOML.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// Optional settings and what kesu does when they are unset.
const UNSET_MEANS: [(&str, &str); 5] = [
    ("input.columns", "built-in pipelines/columns.toml"),
    ("input.sheet", "the first sheet"),
    ("mine.taxonomy", "built-in pipelines/taxonomy.toml"),
    ("causes.names", "no names"),
    ("kpis.units", "no customer counts"),
];

/// A configuration resolved from the defaults, a file and `--set` flags.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The settings in effect.
    pub config: WeeklyConfig,
    /// The file read ("built-in pipelines/weekly.toml" when none was given).
    pub origin: String,
    /// Folder that relative paths in the configuration are resolved against.
    pub base: PathBuf,
    /// Every setting, in section order, with its source.
    pub settings: Vec<Setting>,
    /// SHA-256 of the resolved configuration (hex), recorded in manifests.
    pub hash: String,
}

impl Plan {
    /// Resolves `path` (or the built-in configuration) with `overrides`
    /// (`section.key=value`, value in TOML syntax or a bare string).
    ///
    /// Paths in the built-in configuration are resolved against
    /// `./pipelines`, paths in a file against the file's folder.
    pub fn resolve(path: Option<&Path>, overrides: &[String]) -> Result<Plan> {
        let (text, origin, base) = match path {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|e| Error::Config {
                    origin: p.display().to_string(),
                    message: e.to_string(),
                })?,
                p.display().to_string(),
                p.parent().map(Path::to_path_buf).unwrap_or_default(),
            ),
            None => (
                BUILTIN.to_owned(),
                "built-in pipelines/weekly.toml".to_owned(),
                PathBuf::from("pipelines"),
            ),
        };
        let config_err = |message: String| Error::Config {
            origin: origin.clone(),
            message,
        };
        let file: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| config_err(e.to_string()))?;
        let mut merged = file.clone();
        let mut flagged: Vec<String> = Vec::new();
        for o in overrides {
            let (key, value) = o.split_once('=').ok_or_else(|| Error::Config {
                origin: "--set".into(),
                message: format!("{o:?} is not section.key=value"),
            })?;
            let (section, name) = key.trim().split_once('.').ok_or_else(|| Error::Config {
                origin: "--set".into(),
                message: format!("{key:?} is not section.key"),
            })?;
            let value = parse_value(value.trim());
            let table = merged
                .entry(section.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(table) = table else {
                return Err(config_err(format!("{section} is not a section")));
            };
            table.insert(name.to_owned(), value);
            flagged.push(format!("{section}.{name}"));
        }
        let config: WeeklyConfig = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| config_err(e.to_string()))?;
        config.check().map_err(config_err)?;
        let resolved = toml::Table::try_from(&config)
            .map_err(|e| config_err(format!("cannot serialise the configuration: {e}")))?;
        let mut settings = Vec::new();
        for (section, values) in &resolved {
            let toml::Value::Table(values) = values else {
                continue;
            };
            for (name, value) in values {
                let key = format!("{section}.{name}");
                let in_file = file
                    .get(section)
                    .and_then(|s| s.as_table())
                    .is_some_and(|s| s.contains_key(name));
                let source = if flagged.contains(&key) {
                    Source::Flag
                } else if in_file && path.is_some() {
                    Source::File
                } else {
                    Source::Default
                };
                settings.push(Setting {
                    key,
                    value: value.to_string(),
                    source,
                });
            }
        }
        // Optional settings left unset do not serialise (TOML has no null);
        // the plan still lists them, with what kesu uses instead.
        for (key, instead) in UNSET_MEANS {
            if settings.iter().any(|s| s.key == *key) {
                continue;
            }
            let (section, name) = key.split_once('.').expect("section.key");
            let in_file = file
                .get(section)
                .and_then(|s| s.as_table())
                .is_some_and(|s| s.contains_key(name));
            settings.push(Setting {
                key: (*key).to_owned(),
                value: format!("(unset: {instead})"),
                source: if flagged.iter().any(|f| f == key) {
                    Source::Flag
                } else if in_file && path.is_some() {
                    Source::File
                } else {
                    Source::Default
                },
            });
        }
        settings.sort_by(|a, b| a.key.cmp(&b.key));
        let canonical = toml::to_string(&config)
            .map_err(|e| config_err(format!("cannot serialise the configuration: {e}")))?;
        let hash = crate::hex_sha256(canonical.as_bytes());
        Ok(Plan {
            config,
            origin,
            base,
            settings,
            hash,
        })
    }

    /// A path of the configuration, resolved against [`Plan::base`].
    pub fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// An optional file of the configuration: `None` when unset, or when it
    /// is the built-in default's file and that file does not exist here
    /// (a folder without `pipelines/causes.toml` simply has no names); an
    /// error when a file the user named is missing.
    pub fn optional_file(&self, p: Option<&Path>, key: &str) -> Result<Option<PathBuf>> {
        let Some(p) = p else { return Ok(None) };
        let full = self.path(p);
        if full.exists() {
            return Ok(Some(full));
        }
        let from_default = self
            .settings
            .iter()
            .any(|s| s.key == key && s.source == Source::Default);
        if from_default {
            Ok(None)
        } else {
            Err(Error::Config {
                origin: self.origin.clone(),
                message: format!("{key}: {} does not exist", full.display()),
            })
        }
    }
}

/// A setting written as a number or as text.
fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(i64),
        Text(String),
    }
    Ok(match NumberOrText::deserialize(d)? {
        NumberOrText::Number(n) => n.to_string(),
        NumberOrText::Text(s) => s,
    })
}

/// A `--set` value: TOML when it parses as a value, else a bare string
/// (`--set mine.k=auto` need not quote `auto`).
fn parse_value(s: &str) -> toml::Value {
    format!("v = {s}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(s.to_owned()))
}

impl WeeklyConfig {
    /// Values that parse but cannot work.
    fn check(&self) -> std::result::Result<(), String> {
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        if self.mine.k != "auto" && self.mine.k.parse::<usize>().map_or(true, |k| k < 2) {
            return Err(format!(
                "mine.k: expected a number ≥ 2 or \"auto\", got {:?}",
                self.mine.k
            ));
        }
        for (key, v) in [
            ("input.max_reject_rate", self.input.max_reject_rate),
            ("input.rerun_min_share", self.input.rerun_min_share),
            ("mine.max_other", self.mine.max_other),
            ("causes.similarity_floor", self.causes.similarity_floor),
            ("causes.learning_rate", self.causes.learning_rate),
        ] {
            if !unit(v) {
                return Err(format!("{key}: expected a value in 0..1, got {v}"));
            }
        }
        self.alerts.validate().map_err(|e| format!("alerts: {e}"))?;
        if self.causes.growth_ratio < 1.0 {
            return Err(format!(
                "causes.growth_ratio: expected ≥ 1, got {}",
                self.causes.growth_ratio
            ));
        }
        if self.mine.repeat_window_days < 0 || self.kpis.limit_days <= 0.0 {
            return Err("mine.repeat_window_days and kpis.limit_days must be positive".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_is_the_defaults() {
        let plan = Plan::resolve(None, &[]).unwrap();
        assert_eq!(
            plan.config,
            WeeklyConfig {
                causes: CausesSection {
                    names: Some("causes.toml".into()),
                    ..CausesSection::default()
                },
                kpis: KpisSection {
                    units: Some("units.toml".into()),
                    ..KpisSection::default()
                },
                ..WeeklyConfig::default()
            }
        );
        assert!(plan.settings.iter().all(|s| s.source == Source::Default));
        assert_eq!(plan.base, PathBuf::from("pipelines"));
        let taxonomy = plan
            .settings
            .iter()
            .find(|s| s.key == "mine.taxonomy")
            .unwrap();
        assert_eq!(taxonomy.value, "(unset: built-in pipelines/taxonomy.toml)");
    }

    #[test]
    fn sources_are_default_file_or_flag() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.toml");
        std::fs::write(&p, "[mine]\nk = \"12\"\ntypical = 3\n").unwrap();
        let plan = Plan::resolve(
            Some(&p),
            &["mine.typical=4".into(), "alerts.fdr_q=0.1".into()],
        )
        .unwrap();
        let source = |k: &str| plan.settings.iter().find(|s| s.key == k).unwrap().source;
        assert_eq!(source("mine.k"), Source::File);
        assert_eq!(source("mine.typical"), Source::Flag);
        assert_eq!(source("alerts.fdr_q"), Source::Flag);
        assert_eq!(source("mine.seed"), Source::Default);
        assert_eq!(plan.config.mine.typical, 4);
        assert_eq!(plan.config.mine.k, "12");
        assert_eq!(plan.config.alerts.fdr_q, 0.1);
        assert_eq!(plan.base, dir.path());
    }

    #[test]
    fn unknown_and_impossible_settings_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.toml");
        std::fs::write(&p, "[mine]\nmax_othr = 0.2\n").unwrap();
        let e = Plan::resolve(Some(&p), &[]).unwrap_err().to_string();
        assert!(e.contains("max_othr"), "{e}");
        let e = Plan::resolve(None, &["mine.k=1".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("mine.k"), "{e}");
        let e = Plan::resolve(None, &["alerts.fdr_q=2".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("alerts") && e.contains("fdr_q"), "{e}");
        assert!(Plan::resolve(None, &["nonsense".into()]).is_err());
    }

    #[test]
    fn hash_changes_with_any_setting() {
        let a = Plan::resolve(None, &[]).unwrap().hash;
        let b = Plan::resolve(None, &["mine.seed=7".into()]).unwrap().hash;
        assert_ne!(a, b);
        assert_eq!(a, Plan::resolve(None, &[]).unwrap().hash);
    }

    #[test]
    fn default_optional_files_may_be_missing_named_ones_may_not() {
        let plan = Plan::resolve(None, &["kpis.units=\"/nonexistent/units.toml\"".into()]).unwrap();
        assert!(
            plan.optional_file(plan.config.kpis.units.as_deref(), "kpis.units")
                .is_err()
        );
        let plan = Plan::resolve(None, &[]).unwrap();
        let tmp_base = Plan {
            base: PathBuf::from("/nonexistent"),
            ..plan
        };
        assert_eq!(
            tmp_base
                .optional_file(tmp_base.config.causes.names.as_deref(), "causes.names")
                .unwrap(),
            None
        );
    }
}
