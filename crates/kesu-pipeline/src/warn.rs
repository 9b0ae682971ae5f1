//! The warn stage: builds the week's cells (each cause on all units, and in
//! each unit where it has orders) with their history from the state, and
//! keeps the signals that reach a level as `alerts` rows. The statistics
//! live in `kesu-warn`.

use std::collections::BTreeMap;

use kesu_warn::{Cell, WarnConfig};

use crate::kpis::ALL_UNITS;
use crate::run::OTHER_KEY;
use crate::state::WeekCounts;
use crate::tables::{AlertRow, CauseRow};
use crate::week::IsoWeek;

/// The alerts of `week` from its causes and counts and the history of the
/// weeks before it. Weeks never run are left out of a baseline (unknown is
/// not zero); weeks run without orders of a cause count as zero.
pub fn alerts(
    week: IsoWeek,
    causes: &[CauseRow],
    counts: &WeekCounts,
    history: &BTreeMap<IsoWeek, WeekCounts>,
    cfg: &WarnConfig,
) -> Result<Vec<AlertRow>, kesu_warn::WarnError> {
    let span = (cfg.baseline_weeks + cfg.guard_weeks) as i64;
    let past: Vec<&WeekCounts> = history
        .range(..week)
        .filter(|(w, _)| w.weeks_until(week) <= span)
        .map(|(_, c)| c)
        .collect();
    let mut cells = Vec::new();
    let mut labels = Vec::new();
    for c in causes.iter().filter(|c| c.cause_key != OTHER_KEY) {
        let Some(units) = counts.causes.get(&c.cause_key) else {
            continue;
        };
        for (unit, &observed) in units {
            let series = past
                .iter()
                .map(|w| {
                    w.causes
                        .get(&c.cause_key)
                        .and_then(|u| u.get(unit))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            cells.push(Cell {
                cause: c.cause_key.clone(),
                unit: (unit != ALL_UNITS).then(|| unit.clone()),
                history: series,
                observed,
                // In the first weeks of a history causes are still being
                // discovered (one first told apart in week 2 existed in week
                // 1); "new" means new against a few weeks of record.
                new_cause: c.status == "new" && past.len() >= cfg.min_history_ears,
            });
            labels.push(c.label.clone());
        }
    }
    let signals = kesu_warn::assess(&cells, cfg)?;
    Ok(signals
        .into_iter()
        .filter_map(|s| {
            let level = s.level?;
            let cell = &cells[s.cell_index];
            Some(AlertRow {
                cause_key: cell.cause.clone(),
                cause_label: labels[s.cell_index].clone(),
                unit: cell.unit.clone(),
                observed: cell.observed,
                expected: s.expected,
                threshold: s.threshold,
                p_value: s.p_value,
                q_value: s.q_value,
                level: level.as_str().to_owned(),
                method: s.method.as_str().to_owned(),
                reason: s.reason,
            })
        })
        .collect())
}
