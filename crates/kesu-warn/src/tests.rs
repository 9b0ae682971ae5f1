use super::*;
use proptest::prelude::*;

fn cell(history: &[u64], observed: u64) -> Cell {
    Cell {
        cause: "跳字".into(),
        unit: None,
        history: history.to_vec(),
        observed,
        new_cause: false,
    }
}

fn one(c: Cell) -> Signal {
    assess(&[c], &WarnConfig::default()).unwrap().remove(0)
}

/// 26 weeks around a mean of 6.
const FLAT: [u64; 26] = [
    6, 5, 7, 6, 4, 8, 6, 5, 7, 6, 6, 5, 9, 6, 4, 7, 6, 5, 6, 7, 5, 6, 8, 6, 5, 7,
];

#[test]
fn no_level_on_a_flat_history() {
    for observed in [0, 4, 6, 9, 10] {
        let s = one(cell(&FLAT, observed));
        assert_eq!(s.method, Method::NegativeBinomial);
        assert_eq!(s.level, None, "{observed}: {s:?}");
    }
    let s = one(cell(&FLAT, 6));
    // guard week (the last, 7) left out: mean of the first 25 weeks
    let want = FLAT[..25].iter().sum::<u64>() as f64 / 25.0;
    assert!((s.expected - want).abs() < 1e-12, "{}", s.expected);
    assert!(s.p_value > 0.3);
}

#[test]
fn a_fourfold_spike_is_an_alert() {
    let s = one(cell(&FLAT, 24));
    assert_eq!(s.level, Some(Level::Alert), "{s:?}");
    assert!(s.p_value < 1e-6);
    assert!(
        s.threshold >= 11.0 && s.threshold <= 14.0,
        "{}",
        s.threshold
    );
    assert!(s.reason.contains("本周 24 单"), "{}", s.reason);
    assert!(s.reason.ends_with("预警"), "{}", s.reason);
}

#[test]
fn threshold_and_p_value_agree() {
    let t = one(cell(&FLAT, 0)).threshold as u64;
    assert!(one(cell(&FLAT, t)).p_value > 0.01);
    assert!(one(cell(&FLAT, t + 1)).p_value <= 0.01);
}

#[test]
fn second_week_of_a_burst_is_still_flagged() {
    let mut history = FLAT.to_vec();
    history.push(20); // first burst week, now the guard week
    let s = one(cell(&history, 20));
    assert_eq!(s.level, Some(Level::Alert), "{s:?}");
    // without the guard the first burst week would inflate the baseline
    let cfg = WarnConfig {
        guard_weeks: 0,
        ..WarnConfig::default()
    };
    let unguarded = assess(&[cell(&history, 20)], &cfg).unwrap().remove(0);
    assert!(unguarded.expected > s.expected);
}

#[test]
fn past_outbreaks_are_down_weighted() {
    let mut history = FLAT.to_vec();
    history[5] = 40;
    history[6] = 35;
    let s = one(cell(&history, 18));
    let plain_mean = history[..25].iter().sum::<u64>() as f64 / 25.0;
    // the reweighted mean stays near the flat weeks' level
    assert!(
        s.expected < plain_mean - 1.5,
        "{} vs {plain_mean}",
        s.expected
    );
    assert_eq!(s.level, Some(Level::Alert), "{s:?}");
}

#[test]
fn minimum_count_rule() {
    let mut zeros = [0u64; 26];
    zeros[0] = 1; // not silent: a silent all-units baseline is judged as emerging
    let four = one(cell(&zeros, 4));
    assert!(four.p_value < 0.01, "{four:?}");
    assert_eq!(four.level, None);
    assert!(four.reason.contains("不足 5 单"), "{}", four.reason);
    assert_eq!(one(cell(&zeros, 5)).level, Some(Level::Alert));
    // one unit: the floor is min_count_unit (3, raised here to 5)
    let mut unit = cell(&zeros, 4);
    unit.unit = Some("城东供电所".into());
    assert_eq!(one(unit.clone()).level, Some(Level::Alert));
    let cfg = WarnConfig {
        min_count_unit: 5,
        ..WarnConfig::default()
    };
    assert_eq!(assess(&[unit], &cfg).unwrap()[0].level, None);
}

#[test]
fn short_history_uses_ears_with_a_floor() {
    let s = one(cell(&[1, 0, 0, 0, 0], 1));
    assert_eq!(s.method, Method::Ears);
    assert!(s.p_value > 0.1, "{s:?}");
    let s = one(cell(&[3, 4, 2, 3, 5], 3));
    assert_eq!(s.method, Method::Ears);
    assert_eq!(s.level, None);
    // baseline: the first 4 weeks (guard 1): mean 3
    assert!((s.expected - 3.0).abs() < 1e-12);
    let s = one(cell(&[3, 4, 2, 3, 5], 15));
    assert_eq!(s.level, Some(Level::Alert), "{s:?}");
    assert!(s.reason.contains("EARS"));
}

#[test]
fn too_little_history_is_not_judged() {
    let s = one(cell(&[2, 3], 30));
    assert_eq!(s.method, Method::NoBaseline);
    assert_eq!(s.level, None);
    assert_eq!(s.p_value, 1.0);
}

#[test]
fn a_new_cause_arriving_big_is_emerging() {
    let mut c = cell(&[], 12);
    c.new_cause = true;
    let s = one(c.clone());
    assert_eq!(s.method, Method::Emerging);
    assert_eq!(s.level, Some(Level::Alert));
    assert!(s.reason.contains("新出现"), "{}", s.reason);
    c.observed = 6;
    assert_eq!(one(c.clone()).level, Some(Level::Watch));
    c.observed = 2;
    assert_eq!(one(c).level, None);
}

#[test]
fn fdr_turns_a_marginal_alert_into_watch() {
    // one cell just above its threshold among many ordinary cells
    let t = one(cell(&FLAT, 0)).threshold as u64;
    let mut cells = vec![cell(&FLAT, t + 1)];
    let alone = assess(&cells, &WarnConfig::default()).unwrap();
    assert_eq!(alone[0].level, Some(Level::Alert));
    cells.extend((0..40).map(|_| cell(&FLAT, 6)));
    let crowd = assess(&cells, &WarnConfig::default()).unwrap();
    assert_eq!(crowd[0].level, Some(Level::Watch), "{:?}", crowd[0]);
    assert!(crowd[0].q_value > crowd[0].p_value);
    assert!(crowd.iter().enumerate().all(|(i, s)| s.cell_index == i));
}

#[test]
fn config_reads_partial_sections_and_rejects_bad_values() {
    let cfg: WarnConfig = toml::from_str("fdr_q = 0.1\nmin_count = 8\n").unwrap();
    assert_eq!(cfg.fdr_q, 0.1);
    assert_eq!(cfg.min_count, 8);
    assert_eq!(cfg.baseline_weeks, 26);
    assert!(toml::from_str::<WarnConfig>("fdr = 0.1").is_err());
    let bad = WarnConfig {
        alpha: 1.5,
        ..WarnConfig::default()
    };
    assert_eq!(
        assess(&[], &bad).unwrap_err(),
        WarnError::Probability {
            field: "alpha",
            value: 1.5
        }
    );
    let bad = WarnConfig {
        min_history_model: 30,
        ..WarnConfig::default()
    };
    assert!(bad.validate().is_err());
}

proptest! {
    #[test]
    fn p_value_bounds_threshold_and_monotone(
        history in proptest::collection::vec(0u64..200, 0..40),
        observed in 0u64..400,
        unit in any::<bool>(),
    ) {
        let mut c = cell(&history, observed);
        if unit {
            c.unit = Some("城西供电所".into());
        }
        let cfg = WarnConfig::default();
        let s = assess(std::slice::from_ref(&c), &cfg).unwrap().remove(0);
        prop_assert!((0.0..=1.0).contains(&s.p_value));
        prop_assert!(s.q_value >= s.p_value - 1e-15 && s.q_value <= 1.0);
        prop_assert!(s.threshold >= s.expected, "{:?}", s);
        c.observed += 1;
        let next = assess(std::slice::from_ref(&c), &cfg).unwrap().remove(0);
        prop_assert!(next.p_value <= s.p_value + 1e-12, "{:?} then {:?}", s, next);
        prop_assert!(next.level >= s.level);
    }
}

#[test]
fn all_units_and_unit_cells_are_separate_fdr_families() {
    let t = one(cell(&FLAT, 0)).threshold as u64;
    let mut cells = vec![cell(&FLAT, t + 1)];
    // many ordinary unit cells do not dilute the all-units cell
    cells.extend((0..40).map(|i| {
        let mut c = cell(&FLAT, 6);
        c.unit = Some(format!("供电所{i}"));
        c
    }));
    let signals = assess(&cells, &WarnConfig::default()).unwrap();
    assert_eq!(signals[0].level, Some(Level::Alert), "{:?}", signals[0]);
    assert_eq!(signals[0].q_value, signals[0].p_value);
}

#[test]
fn an_all_units_cause_silent_through_its_baseline_is_judged_as_emerging() {
    let zeros = [0u64; 26];
    let s = one(cell(&zeros, 7));
    assert_eq!(s.method, Method::Emerging);
    assert_eq!(s.level, Some(Level::Watch));
    assert!(s.reason.starts_with("近 25 周无此原因"), "{}", s.reason);
    assert_eq!(one(cell(&zeros, 12)).level, Some(Level::Alert));
    // in one unit a silent baseline is an ordinary (floored) baseline
    let mut unit = cell(&zeros, 7);
    unit.unit = Some("城东供电服务中心".into());
    let s = one(unit);
    assert_eq!(s.method, Method::NegativeBinomial);
    assert_eq!(s.level, Some(Level::Alert));
}
