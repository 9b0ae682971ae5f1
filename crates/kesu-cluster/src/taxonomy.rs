//! The complaint taxonomy (classes, substantiation quadrants, management gaps) loaded from TOML,
//! and the resolution of operator-typed class values through the classes' aliases.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use kesu_model::ComplaintClass;
use serde::Deserialize;

use crate::{Error, Result};

/// The built-in taxonomy: `pipelines/taxonomy.toml` at build time.
const BUILTIN: &str = include_str!("../../../pipelines/taxonomy.toml");

/// The remedies a management gap can call for (DOMAIN.md, paper 002).
pub const REMEDIES: [&str; 4] = ["培训", "整改流程", "延伸服务", "宣传"];

/// The front-line posts a gap can be assigned to (paper 004, plus the 95598 hotline).
pub const POSTS: [&str; 8] = [
    "业扩报装",
    "抄核收",
    "电能计量",
    "用电检查",
    "维护检修",
    "咨询服务",
    "电力紧急服务",
    "95598客服",
];

/// Most management gaps a taxonomy may define.
pub const MAX_GAPS: usize = 64;

/// One official complaint class with the cue terms that point to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassCues {
    /// The class.
    pub class: ComplaintClass,
    /// Values typed for this class besides its official label (as written in the file).
    pub aliases: Vec<String>,
    /// Cue terms.
    pub cues: Vec<String>,
}

/// What an operator-typed class value (业务类型 / 一级分类) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedClass {
    /// No value (absent, empty or blank).
    Empty,
    /// A value that names this class (its label or one of its aliases).
    Class(ComplaintClass),
    /// A value that names no class: counted and reported, never taken as empty.
    Unknown,
}

impl TypedClass {
    /// The class, if the value named one.
    pub fn class(self) -> Option<ComplaintClass> {
        match self {
            TypedClass::Class(c) => Some(c),
            TypedClass::Empty | TypedClass::Unknown => None,
        }
    }
}

/// Separators between a class and its subclass typed in one cell (`营业业务-电费`).
const SUBCLASS_SEPARATORS: [char; 7] = ['-', '—', '/', '>', '|', '\\', '、'];

/// The lookup form of a typed value: full-width folded, 繁 → 简 (the same
/// normaliser the complaint text goes through), without any whitespace, ASCII
/// lower-cased. Exports differ in exactly these ways for the same class.
pub fn alias_key(value: &str) -> String {
    static NORMALIZER: OnceLock<kesu_normalize::Normalizer> = OnceLock::new();
    NORMALIZER
        .get_or_init(kesu_normalize::Normalizer::builtin)
        .normalize(value)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// One substantiation quadrant (属实 / 非属实 × kind) and its remedy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quadrant {
    /// 服务行为类, 业务管理实质问题, 非电力企业产权类 or 客户理解偏差.
    pub name: String,
    /// Whether complaints of this quadrant are substantiated (属实).
    pub substantiated: bool,
    /// The quadrant's remedy.
    pub remedy: String,
    /// Cue terms.
    #[serde(default)]
    pub cues: Vec<String>,
}

/// A management gap (管理漏洞): a recurring root cause the utility can fix.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagementGap {
    /// Stable ASCII id (`attitude`, `slow_repair`, …; the ids kesu synth writes as `true_gap`).
    pub id: String,
    /// Readable Chinese name.
    pub name: String,
    /// The substantiation quadrant it belongs to.
    pub quadrant: String,
    /// 培训, 整改流程, 延伸服务 or 宣传.
    pub remedy: String,
    /// The responsible front-line post.
    pub post: String,
    /// Cue terms.
    pub cues: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    cues: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMapping {
    min_score: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTaxonomy {
    version: u32,
    mapping: RawMapping,
    class: Vec<RawClass>,
    quadrant: Vec<Quadrant>,
    gap: Vec<ManagementGap>,
}

/// Classes, quadrants and gaps, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomy {
    /// The five official classes, in [`ComplaintClass::ALL`] order.
    pub classes: Vec<ClassCues>,
    /// The four substantiation quadrants.
    pub quadrants: Vec<Quadrant>,
    /// Management gaps, in file order.
    pub gaps: Vec<ManagementGap>,
    /// Smallest gap score for a root cause to be mapped to a gap.
    pub min_gap_score: f64,
    /// [`alias_key`] of every label, English name and alias → its class.
    pub class_aliases: BTreeMap<String, ComplaintClass>,
}

impl Taxonomy {
    /// The built-in taxonomy (`pipelines/taxonomy.toml`).
    pub fn builtin() -> Result<Taxonomy> {
        Taxonomy::from_toml(BUILTIN, "<builtin pipelines/taxonomy.toml>")
    }

    /// Reads a taxonomy file.
    pub fn from_path(path: &Path) -> Result<Taxonomy> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Taxonomy::from_toml(&text, &path.display().to_string())
    }

    /// Parses and validates taxonomy TOML; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Taxonomy> {
        let bad = |message: String| Error::Taxonomy {
            origin: origin.to_owned(),
            message,
        };
        let raw: RawTaxonomy = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if raw.version != 1 {
            return Err(bad(format!("unsupported version {}", raw.version)));
        }
        let mut classes = Vec::new();
        let mut class_aliases: BTreeMap<String, ComplaintClass> = BTreeMap::new();
        for c in raw.class {
            let class = ComplaintClass::from_label(&c.name)
                .ok_or_else(|| bad(format!("unknown complaint class {:?}", c.name)))?;
            let official = [class.label().to_owned(), format!("{class:?}")];
            for alias in official.iter().chain(&c.aliases) {
                let key = alias_key(alias);
                if key.is_empty() {
                    return Err(bad(format!("class {}: empty alias", c.name)));
                }
                // One value, one class: an alias shared by two classes
                // would make the typed class depend on file order.
                match class_aliases.insert(key, class) {
                    Some(other) if other != class => {
                        return Err(bad(format!(
                            "alias {alias:?} names both {other} and {class}"
                        )));
                    }
                    _ => {}
                }
            }
            classes.push(ClassCues {
                class,
                aliases: c.aliases,
                cues: c.cues,
            });
        }
        classes.sort_by_key(|c| c.class.index());
        let found: Vec<ComplaintClass> = classes.iter().map(|c| c.class).collect();
        if found != ComplaintClass::ALL {
            return Err(bad(
                "every one of the five official classes must appear exactly once".to_owned(),
            ));
        }
        for q in &raw.quadrant {
            if !REMEDIES.contains(&q.remedy.as_str()) {
                return Err(bad(format!(
                    "quadrant {}: unknown remedy {:?}",
                    q.name, q.remedy
                )));
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for g in &raw.gap {
            if !ids.insert(g.id.as_str()) {
                return Err(bad(format!("duplicate gap id {:?}", g.id)));
            }
            if !REMEDIES.contains(&g.remedy.as_str()) {
                return Err(bad(format!("gap {}: unknown remedy {:?}", g.id, g.remedy)));
            }
            if !POSTS.contains(&g.post.as_str()) {
                return Err(bad(format!("gap {}: unknown post {:?}", g.id, g.post)));
            }
            if !raw.quadrant.iter().any(|q| q.name == g.quadrant) {
                return Err(bad(format!(
                    "gap {}: unknown quadrant {:?}",
                    g.id, g.quadrant
                )));
            }
            if g.cues.is_empty() {
                return Err(bad(format!("gap {} has no cue terms", g.id)));
            }
        }
        if raw.gap.is_empty() {
            return Err(bad("no management gaps".to_owned()));
        }
        // Gap scoring keeps one bit per gap for every cue word.
        if raw.gap.len() > MAX_GAPS {
            return Err(bad(format!(
                "{} management gaps, at most {MAX_GAPS} are supported",
                raw.gap.len()
            )));
        }
        Ok(Taxonomy {
            classes,
            quadrants: raw.quadrant,
            gaps: raw.gap,
            min_gap_score: raw.mapping.min_score,
            class_aliases,
        })
    }

    /// Resolves an operator-typed class value: exactly (after [`alias_key`])
    /// a label, English name or alias, or else the part before a subclass
    /// separator (`营业业务-电费`). Never by substring: `服务投诉` contains no
    /// official label and `供电服务质量` is not `供电质量`.
    pub fn typed_class(&self, value: Option<&str>) -> TypedClass {
        let Some(value) = value else {
            return TypedClass::Empty;
        };
        let key = alias_key(value);
        if key.is_empty() {
            return TypedClass::Empty;
        }
        if let Some(&c) = self.class_aliases.get(&key) {
            return TypedClass::Class(c);
        }
        let head = key.split(SUBCLASS_SEPARATORS).next().unwrap_or("");
        match self.class_aliases.get(head) {
            Some(&c) if head.len() < key.len() => TypedClass::Class(c),
            _ => TypedClass::Unknown,
        }
    }
}

/// Whether a segmented term matches a cue: one contains the other, both at
/// least two characters (single characters match far too much Chinese text).
pub fn cue_matches(term: &str, cue: &str) -> bool {
    if term.chars().nth(1).is_none() || cue.chars().nth(1).is_none() {
        return false;
    }
    term.contains(cue) || cue.contains(term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_is_valid() {
        let t = Taxonomy::builtin().unwrap();
        assert_eq!(t.classes.len(), 5);
        assert_eq!(t.quadrants.len(), 4);
        assert!(t.gaps.len() >= 12);
        assert!(t.gaps.iter().any(|g| g.remedy == "延伸服务"));
        assert!(t.gaps.iter().any(|g| g.remedy == "宣传"));
    }

    #[test]
    fn unknown_post_is_rejected() {
        let text = BUILTIN.replacen("post = \"95598客服\"", "post = \"食堂\"", 1);
        let err = Taxonomy::from_toml(&text, "t").unwrap_err().to_string();
        assert!(err.contains("食堂"), "{err}");
    }

    #[test]
    fn missing_class_is_rejected() {
        let text = BUILTIN.replacen("name = \"电网建设\"", "name = \"停送电\"", 1);
        assert!(Taxonomy::from_toml(&text, "t").is_err());
    }

    #[test]
    fn official_names_and_abbreviations_resolve_exactly() {
        let t = Taxonomy::builtin().unwrap();
        use ComplaintClass::*;
        let cases = [
            ("服务投诉", SupplyService),
            ("营业投诉", Business),
            ("停送电投诉", Outage),
            ("供电质量投诉", PowerQuality),
            ("电网建设投诉", GridConstruction),
            ("供电服务", SupplyService),
            ("营业业务类", Business),
            (" 服务 投诉 ", SupplyService),
            ("停送電投訴", Outage),
            ("supplyservice", SupplyService),
            ("营业业务-电费", Business),
            ("服务投诉/服务态度", SupplyService),
        ];
        for (value, class) in cases {
            assert_eq!(
                t.typed_class(Some(value)),
                TypedClass::Class(class),
                "{value}"
            );
        }
        assert_eq!(t.typed_class(None), TypedClass::Empty);
        assert_eq!(t.typed_class(Some("  ")), TypedClass::Empty);
        // Containing a label is not naming it.
        for value in [
            "其他",
            "供电服务质量",
            "投诉",
            "停送电投诉单",
            "-停送电",
            "综合",
        ] {
            assert_eq!(t.typed_class(Some(value)), TypedClass::Unknown, "{value}");
        }
    }

    #[test]
    fn an_alias_of_two_classes_is_rejected() {
        let text = BUILTIN.replacen("\"停电投诉\"", "\"服务投诉\"", 1);
        let err = Taxonomy::from_toml(&text, "t").unwrap_err().to_string();
        assert!(err.contains("服务投诉"), "{err}");
    }

    #[test]
    fn cues_match_by_containment_of_two_characters_or_more() {
        assert!(cue_matches("低电压", "电压"));
        assert!(cue_matches("电压", "电压不稳"));
        assert!(!cue_matches("电", "电压"));
        assert!(!cue_matches("抢修", "电压"));
    }
}
