//! Complaint KPIs of a week, for all units and for each unit: orders, orders
//! per 10 000 customers, 属实 rate, repeat rate, on-time rate, class and
//! channel mix, and the changes from the week before and the year before.
//!
//! A substantiation value kesu does not understand is counted by value and
//! reported, not guessed; a unit missing from the units file is reported and
//! gets no per-customer rate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::config::KpisSection;
use crate::tables::KpiRow;
use crate::week::IsoWeek;
use crate::{Error, Result};

/// The key of the all-units totals in per-unit maps.
pub const ALL_UNITS: &str = "*";
/// The unit of orders whose unit is empty.
pub const UNKNOWN_UNIT: &str = "未知";

/// What the KPIs need of one order, taken before its text is digested.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderFacts {
    /// Supply unit.
    pub unit: Option<String>,
    /// Intake channel.
    pub channel: Option<String>,
    /// Substantiation value as exported (是否属实).
    pub substantiated: Option<String>,
    /// Receipt time.
    pub received_at: NaiveDateTime,
    /// Closing time.
    pub closed_at: Option<NaiveDateTime>,
}

impl OrderFacts {
    /// The unit, or [`UNKNOWN_UNIT`].
    pub fn unit_or_unknown(&self) -> &str {
        self.unit.as_deref().unwrap_or(UNKNOWN_UNIT)
    }
}

/// Customer counts per supply unit (`pipelines/units.toml`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Units {
    /// Customers per unit.
    #[serde(default)]
    pub customers: BTreeMap<String, u64>,
}

impl Units {
    /// Reads a units file.
    pub fn from_path(path: &Path) -> Result<Units> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            origin: path.display().to_string(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| Error::Config {
            origin: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// Orders per week and unit ([`ALL_UNITS`] for the total), for changes.
pub type OrderHistory = BTreeMap<IsoWeek, BTreeMap<String, u64>>;

/// What the KPIs could not use, reported with the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiNotes {
    /// Substantiation values that are neither 属实 nor 不属实 values, with counts.
    pub unknown_substantiation: BTreeMap<String, u64>,
    /// Units in the data but not in the units file.
    pub units_without_customers: BTreeSet<String>,
    /// Orders closed before they were received (left out of the on-time rate).
    pub closed_before_received: u64,
}

#[derive(Default)]
struct Tally {
    orders: u64,
    repeats: u64,
    subst_known: u64,
    subst_yes: u64,
    closed: u64,
    on_time: u64,
    classes: BTreeMap<String, u64>,
    channels: BTreeMap<String, u64>,
}

fn shares(counts: &BTreeMap<String, u64>, total: u64) -> BTreeMap<String, f64> {
    counts
        .iter()
        .map(|(k, &v)| (k.clone(), v as f64 / total.max(1) as f64))
        .collect()
}

fn change(now: u64, before: Option<u64>) -> Option<f64> {
    match before {
        Some(b) if b > 0 => Some((now as f64 - b as f64) / b as f64),
        _ => None,
    }
}

/// The KPI rows of `week` (all units first, then units by name) and what
/// could not be used. `predicted` and `is_repeat` are parallel to `facts`.
pub fn week_kpis(
    week: IsoWeek,
    facts: &[OrderFacts],
    predicted: &[&str],
    is_repeat: &[bool],
    cfg: &KpisSection,
    units: &Units,
    history: &OrderHistory,
) -> (Vec<KpiRow>, KpiNotes) {
    let mut notes = KpiNotes::default();
    let mut tallies: BTreeMap<Option<&str>, Tally> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        let subst = f
            .substantiated
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let verdict = subst.and_then(|s| {
            if cfg.substantiated.iter().any(|v| v == s) {
                Some(true)
            } else if cfg.unsubstantiated.iter().any(|v| v == s) {
                Some(false)
            } else {
                *notes
                    .unknown_substantiation
                    .entry(s.to_owned())
                    .or_default() += 1;
                None
            }
        });
        let limit_days = cfg
            .limit_days_by_class
            .get(predicted[i])
            .copied()
            .unwrap_or(cfg.limit_days);
        let handled = f.closed_at.map(|c| (c - f.received_at).num_seconds());
        if handled.is_some_and(|s| s < 0) {
            notes.closed_before_received += 1;
        }
        let handled = handled.filter(|&s| s >= 0);
        for key in [None, Some(f.unit_or_unknown())] {
            let t = tallies.entry(key).or_default();
            t.orders += 1;
            t.repeats += u64::from(is_repeat[i]);
            if let Some(v) = verdict {
                t.subst_known += 1;
                t.subst_yes += u64::from(v);
            }
            if let Some(s) = handled {
                t.closed += 1;
                t.on_time += u64::from(s as f64 <= limit_days * 86_400.0);
            }
            *t.classes.entry(predicted[i].to_owned()).or_default() += 1;
            *t.channels
                .entry(f.channel.clone().unwrap_or_else(|| UNKNOWN_UNIT.to_owned()))
                .or_default() += 1;
        }
    }
    let past = |w: Option<IsoWeek>, unit: &str| -> Option<u64> {
        let counts = history.get(&w?)?;
        Some(counts.get(unit).copied().unwrap_or(0))
    };
    let mut rows = Vec::new();
    let total_customers: Option<u64> = if units.customers.is_empty() {
        None
    } else {
        Some(units.customers.values().sum())
    };
    for (unit, t) in &tallies {
        let key = unit.unwrap_or(ALL_UNITS);
        let customers = match unit {
            None => total_customers,
            Some(u) => {
                let c = units.customers.get(*u).copied();
                if c.is_none() && !units.customers.is_empty() {
                    notes.units_without_customers.insert((*u).to_owned());
                }
                c
            }
        };
        let prev = past(Some(week.previous()), key);
        let year_ago = past(week.year_ago(), key);
        rows.push(KpiRow {
            unit: unit.map(str::to_owned),
            orders: t.orders,
            customers,
            orders_per_10k: customers
                .filter(|&c| c > 0)
                .map(|c| t.orders as f64 * 10_000.0 / c as f64),
            substantiation_known: t.subst_known,
            substantiated_rate: (t.subst_known > 0)
                .then(|| t.subst_yes as f64 / t.subst_known as f64),
            repeat_rate: t.repeats as f64 / t.orders.max(1) as f64,
            closed: t.closed,
            on_time_rate: (t.closed > 0).then(|| t.on_time as f64 / t.closed as f64),
            class_mix: shares(&t.classes, t.orders),
            channel_mix: shares(&t.channels, t.orders),
            orders_prev_week: prev,
            week_on_week: change(t.orders, prev),
            orders_year_ago: year_ago,
            year_on_year: change(t.orders, year_ago),
        });
    }
    (rows, notes)
}

/// Orders per unit (and [`ALL_UNITS`]) of a week's facts, for the history.
pub fn order_counts(facts: &[OrderFacts]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for f in facts {
        *counts.entry(ALL_UNITS.to_owned()).or_default() += 1;
        *counts.entry(f.unit_or_unknown().to_owned()).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 6, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn fact(unit: &str, subst: &str, closed_days: Option<u32>) -> OrderFacts {
        OrderFacts {
            unit: Some(unit.into()),
            channel: Some("95598".into()),
            substantiated: Some(subst.into()),
            received_at: at(3, 9),
            closed_at: closed_days.map(|d| at(3 + d, 9)),
        }
    }

    #[test]
    fn rates_changes_and_notes_are_computed_from_the_rows() {
        let week: IsoWeek = "2024-W23".parse().unwrap();
        let facts = vec![
            fact("城区", "属实", Some(2)),
            fact("城区", "不属实", Some(9)),
            fact("城东", "属实", None),
            fact("城东", "待核实", Some(1)),
        ];
        let predicted = ["供电服务", "停送电", "供电服务", "停送电"];
        let repeat = [false, true, false, false];
        let cfg = KpisSection {
            limit_days_by_class: [("停送电".to_owned(), 0.5)].into(),
            ..KpisSection::default()
        };
        let units = Units {
            customers: [("城区".to_owned(), 20_000u64)].into(),
        };
        let mut history = OrderHistory::new();
        history.insert(
            week.previous(),
            [("*".to_owned(), 2u64), ("城区".to_owned(), 1)].into(),
        );
        let (rows, notes) = week_kpis(week, &facts, &predicted, &repeat, &cfg, &units, &history);
        assert_eq!(rows.len(), 3);
        let all = &rows[0];
        assert_eq!(all.unit, None);
        assert_eq!(all.orders, 4);
        assert_eq!(all.substantiation_known, 3);
        assert!((all.substantiated_rate.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(all.repeat_rate, 0.25);
        // Closed: 2 d (供电服务, limit 6: on time), 9 d (停送电, 0.5: late), 1 d (停送电: late).
        assert_eq!(all.closed, 3);
        assert!((all.on_time_rate.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(all.orders_prev_week, Some(2));
        assert_eq!(all.week_on_week, Some(1.0));
        assert_eq!(all.orders_year_ago, None);
        assert_eq!(all.class_mix["供电服务"], 0.5);
        assert_eq!(all.customers, Some(20_000));
        let chengqu = rows
            .iter()
            .find(|r| r.unit.as_deref() == Some("城区"))
            .unwrap();
        assert_eq!(chengqu.orders_per_10k, Some(1.0));
        assert_eq!(chengqu.week_on_week, Some(1.0));
        let chengdong = rows
            .iter()
            .find(|r| r.unit.as_deref() == Some("城东"))
            .unwrap();
        assert_eq!(chengdong.orders_per_10k, None);
        assert_eq!(chengdong.orders_prev_week, Some(0));
        assert_eq!(chengdong.week_on_week, None, "no change from zero");
        assert_eq!(notes.unknown_substantiation["待核实"], 1);
        assert!(notes.units_without_customers.contains("城东"));
        let counts = order_counts(&facts);
        assert_eq!(counts["*"], 4);
        assert_eq!(counts["城东"], 2);
    }
}
