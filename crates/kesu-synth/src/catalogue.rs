//! The root-cause catalogue: what really went wrong behind each synthetic
//! complaint, drawn from DOMAIN.md (papers 000–004).
//!
//! Every cause carries the ground truth the analysis should recover (official
//! class, substantiation quadrant, management gap) and several operator-style
//! phrasings. Causes deliberately share vocabulary (停电, 电费, 电表 …) so that
//! clustering has to separate them by what differs, as with real exports.
//!
//! Template slots: `{loc}` place, `{when}` time phrase, `{n}` count, `{h}`
//! hours, `{d}` days, `{m}` yuan, `{k}` kWh, `{v}` volts, `{mon}` billing
//! period, `{staff}` a member of staff, `{hall}` the unit's service counter.
//!
//! The causes themselves are data, in `crates/kesu-synth/catalogue.toml`,
//! which build.rs compiles into [`CATALOGUE`]; this module holds the types
//! ([`Gap`], [`Audience`], [`RootCause`]) and the look-ups.

use kesu_model::{ComplaintClass, Substantiation};

/// A management gap (管理漏洞) named in the papers, or a grid-side defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gap {
    /// 服务理念缺失、态度生硬、程式化答复 (000, 001, 004).
    Attitude,
    /// 服务能力不足、业务差错 (000, 001).
    Skill,
    /// 客服沦为投诉中介、只会转接 (000).
    HotlineForwarding,
    /// 内部分工不明、部门协调不力、相互推诿 (001, 004).
    BuckPassing,
    /// 信息发布不及时 (001).
    LateNotice,
    /// 事故处理/抢修时间过长 (001).
    SlowRepair,
    /// 责任制缺失 (001).
    NoAccountability,
    /// 后续服务不到位 (001).
    NoFollowUp,
    /// 投诉处理力度不够、答复不及时 (000).
    SlowHandling,
    /// 宣传不到位 (002).
    Publicity,
    /// 产权界限不清 (002).
    PropertyUnclear,
    /// 交接班遗漏 (003).
    Handover,
    /// 设备运维不到位、电网薄弱: the grid itself.
    GridMaintenance,
    /// 施工管理不规范: construction crews and contractors.
    ConstructionManagement,
}

impl Gap {
    /// Every gap, in declaration order.
    pub const ALL: [Gap; 14] = [
        Gap::Attitude,
        Gap::Skill,
        Gap::HotlineForwarding,
        Gap::BuckPassing,
        Gap::LateNotice,
        Gap::SlowRepair,
        Gap::NoAccountability,
        Gap::NoFollowUp,
        Gap::SlowHandling,
        Gap::Publicity,
        Gap::PropertyUnclear,
        Gap::Handover,
        Gap::GridMaintenance,
        Gap::ConstructionManagement,
    ];

    /// Stable machine id, written to the `true_gap` column.
    pub fn id(self) -> &'static str {
        match self {
            Gap::Attitude => "attitude",
            Gap::Skill => "skill",
            Gap::HotlineForwarding => "hotline_forwarding",
            Gap::BuckPassing => "buck_passing",
            Gap::LateNotice => "late_notice",
            Gap::SlowRepair => "slow_repair",
            Gap::NoAccountability => "no_accountability",
            Gap::NoFollowUp => "no_follow_up",
            Gap::SlowHandling => "slow_handling",
            Gap::Publicity => "publicity",
            Gap::PropertyUnclear => "property_unclear",
            Gap::Handover => "handover",
            Gap::GridMaintenance => "grid_maintenance",
            Gap::ConstructionManagement => "construction_management",
        }
    }

    /// The papers' wording.
    pub fn label(self) -> &'static str {
        match self {
            Gap::Attitude => "服务理念缺失、态度生硬",
            Gap::Skill => "服务能力不足、业务差错",
            Gap::HotlineForwarding => "客服只会转接",
            Gap::BuckPassing => "分工不明、相互推诿",
            Gap::LateNotice => "信息发布不及时",
            Gap::SlowRepair => "抢修时间过长",
            Gap::NoAccountability => "责任制缺失",
            Gap::NoFollowUp => "后续服务不到位",
            Gap::SlowHandling => "投诉答复不及时",
            Gap::Publicity => "宣传不到位",
            Gap::PropertyUnclear => "产权界限不清",
            Gap::Handover => "交接班遗漏",
            Gap::GridMaintenance => "设备运维不到位",
            Gap::ConstructionManagement => "施工管理不规范",
        }
    }

    /// The gap for a `true_gap` id.
    pub fn from_id(id: &str) -> Option<Gap> {
        Gap::ALL.into_iter().find(|g| g.id() == id)
    }
}

/// Which customers a cause mostly comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Households mostly.
    Residential,
    /// Businesses, 大客户 and VIP more often than usual.
    Commercial,
}

/// One root cause with its truth and its phrasings.
#[derive(Debug)]
pub struct RootCause {
    /// Stable id written to `true_root_cause` (e.g. `outage_no_notice`).
    pub id: &'static str,
    /// Short Chinese name (计划停电未提前通知).
    pub name: &'static str,
    /// True official class.
    pub class: ComplaintClass,
    /// True substantiation quadrant.
    pub quadrant: Substantiation,
    /// The management gap behind it.
    pub gap: Gap,
    /// 二级分类 as an operator would enter it.
    pub subcategory: &'static str,
    /// More frequent in county (rural) units: weak rural grids.
    pub rural: bool,
    /// Mostly residential or mostly commercial customers.
    pub audience: Audience,
    /// Core complaint phrasings with slots.
    pub templates: &'static [&'static str],
    /// What the customer asks for (follows 要求).
    pub demands: &'static [&'static str],
}

/// The catalogue, ordered by descending base frequency (rank 1 is the most
/// common cause; frequencies fall off Zipf-like with the rank).
///
/// The data lives in `crates/kesu-synth/catalogue.toml` (each field is
/// described there); build.rs turns it into this literal at compile time.
pub static CATALOGUE: &[RootCause] = include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// The cause with this id.
pub fn find(id: &str) -> Option<&'static RootCause> {
    CATALOGUE.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Substantiation::{
        ManagementDefect, Misunderstanding, NonUtilityProperty, ServiceBehaviour,
    };
    use std::collections::BTreeSet;
    use std::path::Path;

    fn read_toml(rel: &str) -> toml::Table {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        text.parse().unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn str_field<'a>(t: &'a toml::Table, key: &str) -> &'a str {
        t.get(key)
            .and_then(toml::Value::as_str)
            .unwrap_or_else(|| panic!("{key} missing or not a string in {t:?}"))
    }

    /// The data file parses, every entry reached `CATALOGUE` in file order
    /// with the values written there, and its ids agree with the rest of kesu.
    #[test]
    fn catalogue_file_parses_and_matches_the_static() {
        let file = read_toml("catalogue.toml");
        let causes = file["cause"].as_array().expect("[[cause]] array");
        assert_eq!(causes.len(), CATALOGUE.len());
        let mut ids = BTreeSet::new();
        for (raw, c) in causes.iter().zip(CATALOGUE) {
            let raw = raw.as_table().expect("[[cause]] is a table");
            let id = str_field(raw, "id");
            assert!(ids.insert(id), "duplicate id {id}");
            assert_eq!(id, c.id);
            assert_eq!(str_field(raw, "name"), c.name, "{id}");
            assert_eq!(str_field(raw, "class"), c.class.label(), "{id}");
            assert_eq!(str_field(raw, "quadrant"), c.quadrant.label(), "{id}");
            assert_eq!(Gap::from_id(str_field(raw, "gap")), Some(c.gap), "{id}");
            assert_eq!(str_field(raw, "subcategory"), c.subcategory, "{id}");
            assert_eq!(raw["rural"].as_bool(), Some(c.rural), "{id}");
            let audience = match c.audience {
                Audience::Residential => "residential",
                Audience::Commercial => "commercial",
            };
            assert_eq!(str_field(raw, "audience"), audience, "{id}");
            for (key, list) in [("templates", c.templates), ("demands", c.demands)] {
                let raw_list: Vec<&str> = raw[key]
                    .as_array()
                    .unwrap_or_else(|| panic!("{id}: {key} is not an array"))
                    .iter()
                    .map(|v| v.as_str().expect("a string"))
                    .collect();
                assert_eq!(raw_list, list, "{id} {key}");
                assert!(list.iter().all(|s| !s.trim().is_empty()), "{id} {key}");
            }
        }
    }

    /// Every gap the catalogue names is one `kesu analyze` can score: a
    /// [[gap]] id of pipelines/taxonomy.toml.
    #[test]
    fn catalogue_gaps_are_taxonomy_gaps() {
        let taxonomy = read_toml("../../pipelines/taxonomy.toml");
        let known: BTreeSet<&str> = taxonomy["gap"]
            .as_array()
            .expect("[[gap]] array")
            .iter()
            .map(|g| str_field(g.as_table().expect("[[gap]] is a table"), "id"))
            .collect();
        for c in CATALOGUE {
            assert!(known.contains(c.gap.id()), "{}: gap {}", c.id, c.gap.id());
        }
    }

    #[test]
    fn ids_are_unique_and_resolvable() {
        let ids: BTreeSet<&str> = CATALOGUE.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CATALOGUE.len());
        assert!(CATALOGUE.len() >= 40, "{} causes", CATALOGUE.len());
        assert_eq!(
            find("outage_no_notice").map(|c| c.name),
            Some("计划停电未提前通知")
        );
    }

    #[test]
    fn covers_every_class_and_quadrant() {
        for class in ComplaintClass::ALL {
            assert!(
                CATALOGUE.iter().filter(|c| c.class == class).count() >= 4,
                "{class:?}"
            );
        }
        for q in [
            ServiceBehaviour,
            ManagementDefect,
            NonUtilityProperty,
            Misunderstanding,
        ] {
            assert!(
                CATALOGUE.iter().filter(|c| c.quadrant == q).count() >= 4,
                "{q:?}"
            );
        }
    }

    #[test]
    fn every_cause_has_variety_and_known_slots() {
        const SLOTS: [&str; 11] = [
            "loc", "when", "n", "h", "d", "m", "k", "v", "mon", "staff", "hall",
        ];
        for c in CATALOGUE {
            assert!(c.templates.len() >= 4, "{}", c.id);
            assert!(c.demands.len() >= 3, "{}", c.id);
            for t in c.templates {
                let mut rest = *t;
                while let Some(open) = rest.find('{') {
                    let close = rest[open..].find('}').map(|i| open + i);
                    let Some(close) = close else {
                        panic!("unclosed slot in {t}")
                    };
                    assert!(SLOTS.contains(&&rest[open + 1..close]), "slot in {t}");
                    rest = &rest[close + 1..];
                }
            }
        }
    }

    #[test]
    fn gap_ids_round_trip() {
        for g in Gap::ALL {
            assert_eq!(Gap::from_id(g.id()), Some(g));
        }
    }
}
