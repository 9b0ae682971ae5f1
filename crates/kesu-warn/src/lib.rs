//! Early warning (预警) on weekly complaint counts: is this week's count of a
//! root cause — overall, or in one supply unit — unusually high?
//!
//! Quality teams run kesu every week; the papers ask for risk early warning,
//! "notice when a kind of complaint starts rising before it becomes a
//! crisis". Weekly counts per cause × unit are small (0–10 is common) and
//! overdispersed, so the test is a count model, not a z-score on a normal
//! approximation. One call to [`assess`] takes every [`Cell`] tested this week
//! and returns one [`Signal`] per cell, in the same order.
//!
//! # Method
//!
//! **Baseline.** The trailing `baseline_weeks` weeks of the cell's history,
//! excluding the last `guard_weeks` (default 1): a two-week burst must still
//! be flagged in its second week, so its first week may not inflate the
//! baseline it is judged against.
//!
//! **Negative binomial model** (history of at least `min_history_model`
//! weeks), after Farrington et al. (1996) with the improvements of
//! Noufaily et al. (2013):
//! 1. quasi-Poisson fit of a constant mean `μ` with dispersion
//!    `φ = max(1, Pearson χ² / (n − 1))`;
//! 2. Anscombe residuals `s = 3/2 · (y^{2/3} − μ^{2/3}) / (μ^{1/6} √(φ(1 − h)))`;
//!    weeks with `s > reweight_z` (2.58, Noufaily's choice) are past outbreaks
//!    and get weight `s⁻²`, the rest weight 1 (normalised to sum `n`); `μ` and
//!    `φ` are refitted with those weights, and the residuals recomputed from
//!    the refit for a few passes (an outbreak inflates the first `φ` and so
//!    hides its own residual);
//! 3. the prediction variance adds the variance of the estimated mean,
//!    `φμ · Σw²/(Σw)²` (Farrington's `τ`), which matters for short baselines;
//! 4. the count this week is judged against a negative binomial with that
//!    mean and variance (Noufaily: NB quantiles instead of Farrington's 2/3
//!    power transformation, which mis-calibrates small counts): the
//!    **p-value** is `P(X ≥ observed)` and the **threshold** is the upper
//!    `1 − alpha` quantile, so `observed > threshold` exactly when `p ≤ alpha`.
//!
//! The mean is a constant over the baseline (no trend, no seasonality: 26
//! weeks hold no season twice, and a steady rise *is* what 预警 should
//! notice). A baseline mean below `min_expected` (0.5) is raised to it, so a
//! cause that never occurred in a unit is not judged against a zero mean.
//!
//! **EARS-style rule** (history of `min_history_ears` up to
//! `min_history_model` weeks), after the CDC's Early Aberration Reporting
//! System C1–C3 (Hutwagner et al. 2003; Fricker et al. 2008): mean and sample
//! standard deviation of the short baseline after the guard (C2's lag), with
//! the standard deviation floored at `max(sd_floor, √mean)` so a flat baseline
//! (0, 0, 0) does not make 1 an anomaly; the same NB tail then gives the
//! p-value and threshold (the count-model form of "mean + z·sd"), with the
//! variance inflated by `1 + 1/n` for the estimated mean.
//!
//! **Emerging causes.** A cause seen for the first time (`new_cause`) has no
//! baseline; it is an [`Level::Alert`] with [`Method::Emerging`] when it
//! arrives with at least `emerging_min` orders, a [`Level::Watch`] from the
//! minimum count. The same rule judges an all-units cause with no order at
//! all in its baseline (new in all but name: a kept key, a split cause);
//! against a zero mean any handful of orders would be an alert.
//!
//! **Minimum count.** No level below `min_count` orders (all units) or
//! `min_count_unit` (one unit): a jump from 0 to 2 can be significant and
//! still not worth anyone's time (Farrington's rule of at least 5 cases).
//!
//! **False-discovery control.** The p-values of all cells of one call are
//! adjusted with Benjamini & Hochberg (1995) into q-values. A cell is an
//! [`Level::Alert`] when `p ≤ alpha` (observed above threshold) and
//! `q ≤ fdr_q`; a [`Level::Watch`] when it is above its own threshold but
//! does not survive the FDR step. The families are the all-units cells and,
//! apart, the one-unit cells of one call, so that hundreds of sparse unit
//! cells do not dilute the cause-level test.
//!
//! # References
//! - Farrington, C. P., Andrews, N. J., Beale, A. D., Catchpole, M. A. (1996).
//!   A statistical algorithm for the early detection of outbreaks of
//!   infectious disease. *JRSS A* 159(3), 547–563.
//! - Noufaily, A., Enki, D. G., Farrington, P., Garthwaite, P., Andrews, N.,
//!   Charlett, A. (2013). An improved algorithm for outbreak detection in
//!   multiple surveillance systems. *Statistics in Medicine* 32(7), 1206–1222.
//! - Hutwagner, L., Thompson, W., Seeman, G. M., Treadwell, T. (2003). The
//!   bioterrorism preparedness and response Early Aberration Reporting System
//!   (EARS). *Journal of Urban Health* 80(2 Suppl 1), i89–i96.
//! - Fricker, R. D., Hegler, B. L., Dunfee, D. A. (2008). Comparing
//!   syndromic surveillance detection methods: EARS' versus a CUSUM-based
//!   methodology. *Statistics in Medicine* 27(17), 3407–3429.
//! - Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery
//!   rate: a practical and powerful approach to multiple testing. *JRSS B*
//!   57(1), 289–300.
//!
//! ```
//! use kesu_warn::{Cell, Level, WarnConfig, assess};
//!
//! let flat = vec![3, 2, 4, 3, 3, 2, 4, 3, 3, 2, 4, 3];
//! let cells = vec![
//!     Cell { cause: "跳字".into(), unit: None, history: flat.clone(), observed: 14, new_cause: false },
//!     Cell { cause: "停电通知".into(), unit: None, history: flat, observed: 4, new_cause: false },
//! ];
//! let signals = assess(&cells, &WarnConfig::default())?;
//! assert_eq!(signals[0].level, Some(Level::Alert));
//! assert_eq!(signals[1].level, None);
//! # Ok::<(), kesu_warn::WarnError>(())
//! ```

#![warn(missing_docs)]

pub mod dist;
pub mod fdr;

use dist::CountModel;
use serde::{Deserialize, Serialize};

/// One tested cell: a cause overall (`unit` = `None`) or in one supply unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The cause's stable key.
    pub cause: String,
    /// The supply unit (供电单位), `None` for all units together.
    pub unit: Option<String>,
    /// Weekly counts of the weeks before this one, oldest first; 0 for weeks
    /// without orders of the cause.
    pub history: Vec<u64>,
    /// This week's count.
    pub observed: u64,
    /// The cause was never seen before this week.
    pub new_cause: bool,
}

/// Sensitivity of the warning; every field has a documented default, and a
/// config section may name only the fields it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarnConfig {
    /// Per-cell level: the threshold is the upper `1 − alpha` quantile of the
    /// baseline model. Default 0.01.
    pub alpha: f64,
    /// False-discovery rate across the cells of one call. Default 0.01:
    /// on simulated histories (30 causes, 26 weeks, `tests/false_alarms.rs`)
    /// 0.05 gave 1.9 false alerts per 26 weeks, 0.01 gives about 0.6.
    pub fdr_q: f64,
    /// No level below this many orders in an all-units cell. Default 5.
    pub min_count: u64,
    /// No level below this many orders in a one-unit cell. Default 3.
    pub min_count_unit: u64,
    /// Weeks of trailing baseline. Default 26.
    pub baseline_weeks: usize,
    /// Most recent weeks left out of the baseline. Default 1.
    pub guard_weeks: usize,
    /// Baseline weeks needed for the negative binomial model; shorter
    /// baselines use the EARS-style rule. Default 8.
    pub min_history_model: usize,
    /// Baseline weeks needed for any judgement. Default 3.
    pub min_history_ears: usize,
    /// A new cause with at least this many orders is an emerging alert.
    /// Default 10.
    pub emerging_min: u64,
    /// Floor on the baseline mean used by the model. Default 0.5.
    pub min_expected: f64,
    /// Floor on the EARS baseline standard deviation. Default 1.0.
    pub sd_floor: f64,
    /// Anscombe residual above which a baseline week is down-weighted as a
    /// past outbreak. Default 2.58.
    pub reweight_z: f64,
}

impl Default for WarnConfig {
    fn default() -> Self {
        WarnConfig {
            alpha: 0.01,
            fdr_q: 0.01,
            min_count: 5,
            min_count_unit: 3,
            baseline_weeks: 26,
            guard_weeks: 1,
            min_history_model: 8,
            min_history_ears: 3,
            emerging_min: 10,
            min_expected: 0.5,
            sd_floor: 1.0,
            reweight_z: 2.58,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WarnError {
    /// A probability outside (0, 1).
    #[error("warn.{field} must be in (0, 1), got {value}")]
    Probability {
        /// The config field.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// Another out-of-range setting.
    #[error("warn.{field}: {why}")]
    Setting {
        /// The config field.
        field: &'static str,
        /// What is wrong with it.
        why: String,
    },
}

impl WarnConfig {
    /// Checks the ranges [`assess`] relies on.
    pub fn validate(&self) -> Result<(), WarnError> {
        for (field, value) in [("alpha", self.alpha), ("fdr_q", self.fdr_q)] {
            if !(value > 0.0 && value < 1.0) {
                return Err(WarnError::Probability { field, value });
            }
        }
        let setting = |field, why: &str| {
            Err(WarnError::Setting {
                field,
                why: why.to_owned(),
            })
        };
        if self.baseline_weeks == 0 {
            return setting("baseline_weeks", "must be at least 1");
        }
        if self.min_history_ears == 0 || self.min_history_ears > self.min_history_model {
            return setting(
                "min_history_ears",
                "must be at least 1 and at most min_history_model",
            );
        }
        if self.min_history_model > self.baseline_weeks {
            return setting("min_history_model", "must be at most baseline_weeks");
        }
        if !(self.min_expected > 0.0 && self.min_expected.is_finite()) {
            return setting("min_expected", "must be positive");
        }
        if !(self.sd_floor >= 0.0 && self.sd_floor.is_finite()) {
            return setting("sd_floor", "must be zero or positive");
        }
        if !(self.reweight_z > 0.0 && self.reweight_z.is_finite()) {
            return setting("reweight_z", "must be positive");
        }
        Ok(())
    }
}

/// How a cell was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Reweighted quasi-Poisson baseline with a negative binomial tail
    /// (Farrington–Noufaily).
    NegativeBinomial,
    /// Short history: EARS-style mean and floored standard deviation.
    Ears,
    /// A cause seen for the first time.
    Emerging,
    /// Too little history to judge; never has a level.
    NoBaseline,
}

impl Method {
    /// Stable name for tables: `negative_binomial`, `ears`, `emerging`,
    /// `no_baseline`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::NegativeBinomial => "negative_binomial",
            Method::Ears => "ears",
            Method::Emerging => "emerging",
            Method::NoBaseline => "no_baseline",
        }
    }
}

/// How loudly a cell is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Above its threshold but not surviving the FDR step (关注).
    Watch,
    /// Above its threshold and surviving the FDR step, or an emerging cause
    /// (预警).
    Alert,
}

impl Level {
    /// Stable name for tables: `alert` or `watch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Alert => "alert",
            Level::Watch => "watch",
        }
    }

    /// The label readers see: 预警 or 关注.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Alert => "预警",
            Level::Watch => "关注",
        }
    }
}

/// The judgement of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Index of the cell in the input.
    pub cell_index: usize,
    /// Expected count this week from the baseline (before the model's
    /// `min_expected` floor).
    pub expected: f64,
    /// Largest count that is not unusual at level `alpha`.
    pub threshold: f64,
    /// `P(X ≥ observed)` under the baseline model (1 with no baseline).
    pub p_value: f64,
    /// Benjamini–Hochberg q-value across the cells of the call at the same
    /// level (all units, or one unit).
    pub q_value: f64,
    /// The level, `None` for an ordinary week.
    pub level: Option<Level>,
    /// How the cell was judged.
    pub method: Method,
    /// Short explanation for readers, in Chinese with the figures.
    pub reason: String,
}

/// Reweighting passes of the baseline fit (residuals from the last fit).
const REWEIGHT_PASSES: usize = 5;

/// A fitted baseline.
struct Fit {
    /// Fitted mean, before the floor.
    mean: f64,
    /// Model for this week's count.
    model: CountModel,
    /// Baseline weeks used.
    weeks: usize,
}

/// Reweighted quasi-Poisson fit of a constant mean (Farrington / Noufaily).
fn fit_negative_binomial(base: &[u64], cfg: &WarnConfig) -> Fit {
    let n = base.len();
    let y: Vec<f64> = base.iter().map(|&v| v as f64).collect();
    let weighted = |w: &[f64]| -> (f64, f64) {
        let sw: f64 = w.iter().sum();
        let mean = y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / sw;
        let phi = if mean > 0.0 && n > 1 {
            let chi2: f64 = y
                .iter()
                .zip(w)
                .map(|(y, w)| w * (y - mean).powi(2) / mean)
                .sum();
            (chi2 / (n - 1) as f64).max(1.0)
        } else {
            1.0
        };
        (mean, phi)
    };
    let mut w = vec![1.0; n];
    let (mut mean, mut phi) = weighted(&w);
    // Down-weight past outbreaks: large positive Anscombe residuals. The
    // outbreak weeks inflate the first φ and so hide their own residuals;
    // residuals are therefore recomputed from the reweighted fit a few times
    // (Farrington and Noufaily reweight once; with one 26-week baseline and
    // no earlier years to lean on, one pass leaves a two-week burst mostly
    // in the mean).
    for _ in 0..REWEIGHT_PASSES {
        if mean <= 0.0 {
            break;
        }
        let h = 1.0 / n as f64;
        let scale = mean.powf(1.0 / 6.0) * (phi * (1.0 - h)).sqrt();
        for (wi, &yi) in w.iter_mut().zip(&y) {
            let s = 1.5 * (yi.powf(2.0 / 3.0) - mean.powf(2.0 / 3.0)) / scale;
            *wi = if s > cfg.reweight_z {
                1.0 / (s * s)
            } else {
                1.0
            };
        }
        let gamma = n as f64 / w.iter().sum::<f64>();
        w.iter_mut().for_each(|wi| *wi *= gamma);
        let (m, p) = weighted(&w);
        let converged = (m - mean).abs() < 1e-9 * mean && (p - phi).abs() < 1e-9 * phi;
        (mean, phi) = (m, p);
        if converged {
            break;
        }
    }
    let sw: f64 = w.iter().sum();
    let sw2: f64 = w.iter().map(|w| w * w).sum();
    let floored = mean.max(cfg.min_expected);
    Fit {
        mean,
        model: CountModel::new(floored, phi * (1.0 + sw2 / (sw * sw))),
        weeks: n,
    }
}

/// EARS-style fit: mean and floored standard deviation of a short baseline.
fn fit_ears(base: &[u64], cfg: &WarnConfig) -> Fit {
    let n = base.len();
    let mean = base.iter().sum::<u64>() as f64 / n as f64;
    let var = if n > 1 {
        base.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let floored = mean.max(cfg.min_expected);
    let var = var.max(floored).max(cfg.sd_floor * cfg.sd_floor) * (1.0 + 1.0 / n as f64);
    Fit {
        mean,
        model: CountModel::new(floored, var / floored),
        weeks: n,
    }
}

/// Judges every cell; one [`Signal`] per cell, in input order, with the FDR
/// step across the all-units cells and, separately, across the one-unit
/// cells of the call (see the crate docs for the method).
pub fn assess(cells: &[Cell], cfg: &WarnConfig) -> Result<Vec<Signal>, WarnError> {
    cfg.validate()?;
    let mut signals: Vec<Signal> = cells
        .iter()
        .enumerate()
        .map(|(i, cell)| judge(i, cell, cfg))
        .collect();
    // Two families: all-units cells and one-unit cells, so hundreds of
    // sparse unit cells do not dilute the cause-level test. Cells without a
    // baseline are not tested and enlarge neither.
    for per_unit in [false, true] {
        let tested: Vec<usize> = (0..signals.len())
            .filter(|&i| {
                signals[i].method != Method::NoBaseline && cells[i].unit.is_some() == per_unit
            })
            .collect();
        let p: Vec<f64> = tested.iter().map(|&i| signals[i].p_value).collect();
        let q = fdr::bh_q_values(&p);
        for (&i, q) in tested.iter().zip(q) {
            signals[i].q_value = q;
        }
    }
    for (s, cell) in signals.iter_mut().zip(cells) {
        s.level = level(s, cell, cfg);
        if let Some(level) = s.level {
            s.reason
                .push_str(&format!("，q={}：{}", fmt_p(s.q_value), level.label_zh()));
        }
    }
    Ok(signals)
}

/// The minimum count of the cell's level.
fn min_count(cell: &Cell, cfg: &WarnConfig) -> u64 {
    if cell.unit.is_some() {
        cfg.min_count_unit
    } else {
        cfg.min_count
    }
}

fn level(s: &Signal, cell: &Cell, cfg: &WarnConfig) -> Option<Level> {
    if s.method == Method::NoBaseline || cell.observed < min_count(cell, cfg) {
        return None;
    }
    if s.method == Method::Emerging {
        return Some(if cell.observed >= cfg.emerging_min {
            Level::Alert
        } else {
            Level::Watch
        });
    }
    if s.p_value > cfg.alpha {
        None
    } else if s.q_value <= cfg.fdr_q {
        Some(Level::Alert)
    } else {
        Some(Level::Watch)
    }
}

fn fmt_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

/// Judges one cell before the FDR step (`q_value` = `p_value`, no level yet).
fn judge(index: usize, cell: &Cell, cfg: &WarnConfig) -> Signal {
    let obs = cell.observed;
    let end = cell.history.len().saturating_sub(cfg.guard_weeks);
    let base = &cell.history[end.saturating_sub(cfg.baseline_weeks)..end];
    // An all-units cause without a single order in a baseline long enough to
    // judge is new in all but name (a cause key the registry kept, a cause
    // split off another): the emerging rule, not a test against a zero mean
    // that any handful of orders would fail.
    let silent =
        cell.unit.is_none() && base.len() >= cfg.min_history_ears && base.iter().all(|&v| v == 0);
    let (method, fit) = if cell.new_cause || silent {
        let model = CountModel::new(cfg.min_expected, 1.0);
        let fit = Fit {
            mean: 0.0,
            model,
            weeks: 0,
        };
        (Method::Emerging, Some(fit))
    } else if base.len() >= cfg.min_history_model {
        (
            Method::NegativeBinomial,
            Some(fit_negative_binomial(base, cfg)),
        )
    } else if base.len() >= cfg.min_history_ears {
        (Method::Ears, Some(fit_ears(base, cfg)))
    } else {
        (Method::NoBaseline, None)
    };
    let Some(fit) = fit else {
        return Signal {
            cell_index: index,
            expected: 0.0,
            threshold: 0.0,
            p_value: 1.0,
            q_value: 1.0,
            level: None,
            method,
            reason: format!(
                "本周 {obs} 单；历史仅 {} 周（不足 {} 周），不作判断",
                base.len(),
                cfg.min_history_ears
            ),
        };
    };
    let p_value = fit.model.upper_tail(obs);
    let threshold = if method == Method::Emerging {
        (cfg.emerging_min.saturating_sub(1) as f64).max(fit.mean)
    } else {
        fit.model.quantile_upper(cfg.alpha) as f64
    };
    let mut reason = match method {
        Method::Emerging if silent && !cell.new_cause => format!(
            "近 {} 周无此原因，本周 {obs} 单（新原因预警线 {} 单）",
            base.len(),
            cfg.emerging_min
        ),
        Method::Emerging => format!(
            "新出现的原因：本周 {obs} 单（新原因预警线 {} 单）",
            cfg.emerging_min
        ),
        Method::Ears => format!(
            "本周 {obs} 单，近 {} 周均值 {:.1}（历史短，EARS 法），阈值 {threshold}，p={}",
            fit.weeks,
            fit.mean,
            fmt_p(p_value)
        ),
        _ => format!(
            "本周 {obs} 单，基线期望 {:.1}（近 {} 周，离散度 {:.1}），阈值 {threshold}，p={}",
            fit.mean,
            fit.weeks,
            fit.model.phi,
            fmt_p(p_value)
        ),
    };
    let floor = min_count(cell, cfg);
    if obs < floor && p_value <= cfg.alpha {
        reason.push_str(&format!("；不足 {floor} 单，不预警"));
    }
    Signal {
        cell_index: index,
        expected: fit.mean,
        threshold,
        p_value,
        q_value: p_value,
        level: None,
        method,
        reason,
    }
}

#[cfg(test)]
mod tests;
