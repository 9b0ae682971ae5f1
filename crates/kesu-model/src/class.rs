//! The official complaint classes and substantiation quadrants (DOMAIN.md, paper 002).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The five official complaint classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ComplaintClass {
    /// 供电服务: staff conduct and service.
    SupplyService,
    /// 营业业务: 报装, 电费, 计量, 抄表催费 …
    Business,
    /// 停送电: outages and restoration.
    Outage,
    /// 供电质量: voltage, frequent interruption.
    PowerQuality,
    /// 电网建设: construction, lines, safety distance.
    GridConstruction,
}

impl ComplaintClass {
    /// Every class, in official order.
    pub const ALL: [ComplaintClass; 5] = [
        ComplaintClass::SupplyService,
        ComplaintClass::Business,
        ComplaintClass::Outage,
        ComplaintClass::PowerQuality,
        ComplaintClass::GridConstruction,
    ];

    /// The official Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ComplaintClass::SupplyService => "供电服务",
            ComplaintClass::Business => "营业业务",
            ComplaintClass::Outage => "停送电",
            ComplaintClass::PowerQuality => "供电质量",
            ComplaintClass::GridConstruction => "电网建设",
        }
    }

    /// Parses an operator-typed class: the official label, the label with
    /// common suffixes (`停送电类`, `停送电投诉`), or the English variant name.
    pub fn from_label(s: &str) -> Option<ComplaintClass> {
        let t = s.trim();
        let t = t
            .strip_suffix("投诉")
            .or_else(|| t.strip_suffix("类"))
            .unwrap_or(t)
            .trim();
        ComplaintClass::ALL
            .into_iter()
            .find(|c| c.label() == t || format!("{c:?}").eq_ignore_ascii_case(t))
    }

    /// Stable position in [`ComplaintClass::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ComplaintClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The four substantiation quadrants, each with its own remedy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Substantiation {
    /// 属实 · 服务行为类: staff behaviour; remedy: training.
    ServiceBehaviour,
    /// 属实 · 业务管理实质问题: a real management or process defect; remedy: fix the gap.
    ManagementDefect,
    /// 非属实 · 非电力企业产权类: equipment the utility does not own; remedy: 延伸服务.
    NonUtilityProperty,
    /// 非属实 · 客户理解偏差: the customer misunderstood; remedy: 宣传.
    Misunderstanding,
}

impl Substantiation {
    /// Every quadrant.
    pub const ALL: [Substantiation; 4] = [
        Substantiation::ServiceBehaviour,
        Substantiation::ManagementDefect,
        Substantiation::NonUtilityProperty,
        Substantiation::Misunderstanding,
    ];

    /// The Chinese label of the quadrant.
    pub fn label(self) -> &'static str {
        match self {
            Substantiation::ServiceBehaviour => "服务行为类",
            Substantiation::ManagementDefect => "业务管理实质问题",
            Substantiation::NonUtilityProperty => "非电力企业产权类",
            Substantiation::Misunderstanding => "客户理解偏差",
        }
    }

    /// Whether the quadrant counts as substantiated (属实).
    pub fn is_substantiated(self) -> bool {
        matches!(
            self,
            Substantiation::ServiceBehaviour | Substantiation::ManagementDefect
        )
    }
}

impl fmt::Display for Substantiation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_labels_parse() {
        for c in ComplaintClass::ALL {
            assert_eq!(ComplaintClass::from_label(c.label()), Some(c));
            assert_eq!(
                ComplaintClass::from_label(&format!("{}类", c.label())),
                Some(c)
            );
        }
        assert_eq!(
            ComplaintClass::from_label(" 供电质量投诉 "),
            Some(ComplaintClass::PowerQuality)
        );
        assert_eq!(
            ComplaintClass::from_label("outage"),
            Some(ComplaintClass::Outage)
        );
        assert_eq!(ComplaintClass::from_label(""), None);
        assert_eq!(ComplaintClass::from_label("其他"), None);
    }
}
