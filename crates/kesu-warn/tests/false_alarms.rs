//! False alarms and detection on simulated weekly histories.
//!
//! 30 causes with Poisson or overdispersed (gamma–Poisson) weekly counts,
//! means 2–40; 26 weeks of baseline, then 26 weeks assessed one at a time,
//! each week one [`assess`] call over the 30 all-units cells. Without spikes
//! the target is at most 1 false alert per 26 weeks; with a planted ×3 burst
//! of two weeks, the burst weeks should be flagged.
//!
//! `cargo test -p kesu-warn --test false_alarms -- --nocapture` prints the
//! figures.
//!
//! Measured with the defaults: 0.57 false alerts per 26 weeks; bursts
//! alerted in 96 % of their weeks at baseline means ≥ 15, 62 % at 5–15, 16 %
//! below 5. The per-cell tails are slightly anti-conservative for the
//! overdispersed causes (their φ is estimated from 25 weeks): with FDR 0.05,
//! 1.9 false alerts per 26 weeks against 0.88 when every cause is Poisson.
//! Inflating φ for its estimation error (× (1 + c·√(2/(n−1)))) only moved
//! along the same trade-off (c = 1 with FDR 0.05: 0.59 false alerts, 60.5 %
//! of burst weeks), so the default is the plain estimate with FDR 0.01.

use kesu_warn::{Cell, Level, WarnConfig, assess};

const CAUSES: usize = 30;
const WEEKS: usize = 52;
const ASSESSED: usize = 26;
const REPLICATES: usize = 100;

/// Poisson draw (Knuth; means here stay below ~150).
fn poisson(rng: &mut fastrand::Rng, mean: f64) -> u64 {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.f64();
    while p > limit {
        k += 1;
        p *= rng.f64();
    }
    k
}

fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u = 1.0 - rng.f64();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * rng.f64()).cos()
}

/// Gamma(shape, 1) draw (Marsaglia & Tsang 2000).
fn gamma(rng: &mut fastrand::Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        return gamma(rng, shape + 1.0) * rng.f64().powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = rng.f64();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A weekly count with this mean and dispersion (φ = 1: Poisson).
fn count(rng: &mut fastrand::Rng, mean: f64, phi: f64) -> u64 {
    if phi <= 1.0 {
        poisson(rng, mean)
    } else {
        let shape = mean / (phi - 1.0);
        let lambda = gamma(rng, shape) * (phi - 1.0);
        poisson(rng, lambda)
    }
}

struct Run {
    false_alerts: usize,
    false_watches: usize,
    spike_weeks: usize,
    spike_alerts: usize,
    spike_flagged: usize,
    /// (burst weeks, alerted) per band of baseline mean: <5, 5–15, ≥15
    bands: [(usize, usize); 3],
}

fn band(mean: f64) -> usize {
    if mean < 5.0 {
        0
    } else if mean < 15.0 {
        1
    } else {
        2
    }
}

/// One replicate: 30 causes, optionally a ×3 two-week burst in the first
/// `spiked` causes.
fn replicate(seed: u64, spiked: usize, cfg: &WarnConfig) -> Run {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut series = Vec::new();
    let mut spikes = Vec::new();
    let mut means = Vec::new();
    for c in 0..CAUSES {
        // log-uniform means in [2, 40]; half the causes overdispersed
        let mean = 2.0 * 20f64.powf(rng.f64());
        let phi = if c % 2 == 0 {
            1.0
        } else {
            1.2 + 1.3 * rng.f64()
        };
        let start = if c < spiked {
            Some(WEEKS - ASSESSED + rng.usize(0..ASSESSED - 1))
        } else {
            None
        };
        let counts: Vec<u64> = (0..WEEKS)
            .map(|w| {
                let burst = start.is_some_and(|s| w == s || w == s + 1);
                count(&mut rng, if burst { 3.0 * mean } else { mean }, phi)
            })
            .collect();
        series.push(counts);
        spikes.push(start);
        means.push(mean);
    }
    let mut run = Run {
        false_alerts: 0,
        false_watches: 0,
        spike_weeks: 0,
        spike_alerts: 0,
        spike_flagged: 0,
        bands: [(0, 0); 3],
    };
    for week in WEEKS - ASSESSED..WEEKS {
        let cells: Vec<Cell> = series
            .iter()
            .enumerate()
            .map(|(c, counts)| Cell {
                cause: format!("cause-{c}"),
                unit: None,
                history: counts[..week].to_vec(),
                observed: counts[week],
                new_cause: false,
            })
            .collect();
        let signals = assess(&cells, cfg).unwrap();
        for (c, s) in signals.iter().enumerate() {
            let in_spike = spikes[c].is_some_and(|st| week == st || week == st + 1);
            if in_spike {
                run.spike_weeks += 1;
                run.spike_alerts += usize::from(s.level == Some(Level::Alert));
                run.spike_flagged += usize::from(s.level.is_some());
                let b = &mut run.bands[band(means[c])];
                b.0 += 1;
                b.1 += usize::from(s.level == Some(Level::Alert));
            } else {
                run.false_alerts += usize::from(s.level == Some(Level::Alert));
                run.false_watches += usize::from(s.level == Some(Level::Watch));
            }
        }
    }
    run
}

#[test]
#[allow(clippy::print_stderr, reason = "the measured figures are the point")]
fn false_alarms_and_detection_on_simulated_histories() {
    let cfg = WarnConfig::default();
    let null: Vec<Run> = (0..REPLICATES)
        .map(|r| replicate(1_000 + r as u64, 0, &cfg))
        .collect();
    let alerts: usize = null.iter().map(|r| r.false_alerts).sum();
    let watches: usize = null.iter().map(|r| r.false_watches).sum();
    let worst = null.iter().map(|r| r.false_alerts).max().unwrap();
    let per_26 = alerts as f64 / REPLICATES as f64;
    eprintln!(
        "no spikes: {REPLICATES} × ({CAUSES} causes × {ASSESSED} weeks): \
         {per_26:.2} false alerts per 26 weeks (worst replicate {worst}), \
         {:.2} watches per 26 weeks",
        watches as f64 / REPLICATES as f64
    );
    assert!(per_26 <= 1.0, "{per_26} false alerts per 26 weeks");

    let spiked: Vec<Run> = (0..REPLICATES)
        .map(|r| replicate(5_000 + r as u64, 10, &cfg))
        .collect();
    let weeks: usize = spiked.iter().map(|r| r.spike_weeks).sum();
    let hit: usize = spiked.iter().map(|r| r.spike_alerts).sum();
    let flagged: usize = spiked.iter().map(|r| r.spike_flagged).sum();
    let false_alerts: usize = spiked.iter().map(|r| r.false_alerts).sum();
    let rate = hit as f64 / weeks as f64;
    eprintln!(
        "×3 two-week bursts in 10 of {CAUSES} causes: {hit}/{weeks} burst weeks alerted ({:.1}%), \
         {:.1}% alert or watch; {:.2} false alerts per 26 weeks outside the bursts",
        100.0 * rate,
        100.0 * flagged as f64 / weeks as f64,
        false_alerts as f64 / REPLICATES as f64
    );
    let mut bands = [(0, 0); 3];
    for r in &spiked {
        for (total, b) in bands.iter_mut().zip(r.bands) {
            total.0 += b.0;
            total.1 += b.1;
        }
    }
    let pct = |(n, hit): (usize, usize)| 100.0 * hit as f64 / n.max(1) as f64;
    eprintln!(
        "burst weeks alerted by baseline mean: <5 {:.1}% ({} weeks), 5–15 {:.1}% ({}), ≥15 {:.1}% ({})",
        pct(bands[0]),
        bands[0].0,
        pct(bands[1]),
        bands[1].0,
        pct(bands[2]),
        bands[2].0
    );
    assert!(rate >= 0.5, "detection {rate}");
    assert!(pct(bands[2]) >= 95.0, "detection at means ≥ 15: {bands:?}");
}

/// The same measurement over a grid of sensitivities (slow in debug builds):
/// `cargo test -p kesu-warn --test false_alarms -- --ignored --nocapture`.
#[test]
#[ignore = "calibration grid, run by hand"]
#[allow(clippy::print_stderr, reason = "the measured figures are the point")]
fn sensitivity_grid() {
    for fdr_q in [0.01, 0.02, 0.05] {
        for alpha in [0.005, 0.01] {
            let cfg = WarnConfig {
                fdr_q,
                alpha,
                ..WarnConfig::default()
            };
            let null: usize = (0..REPLICATES)
                .map(|r| replicate(1_000 + r as u64, 0, &cfg).false_alerts)
                .sum();
            let spiked: Vec<Run> = (0..REPLICATES)
                .map(|r| replicate(5_000 + r as u64, 10, &cfg))
                .collect();
            let weeks: usize = spiked.iter().map(|r| r.spike_weeks).sum();
            let hit: usize = spiked.iter().map(|r| r.spike_alerts).sum();
            eprintln!(
                "fdr_q {fdr_q} alpha {alpha}: {:.2} false alerts / 26 weeks, detection {:.1}%",
                null as f64 / REPLICATES as f64,
                100.0 * hit as f64 / weeks as f64
            );
        }
    }
}
