//! Wall-clock timing of named stages: every kesu command reports where its
//! time went (`timing_s` in `metrics.json`, `timings_ms` in `kesu ingest
//! --json`), and this is the one way it is measured.
//!
//! A [`StageTimer`] laps through stages run one after another; steps that
//! run side by side time themselves with [`timed`] and are
//! [recorded](StageTimer::record) under their own names, while the lap around
//! them gives their common wall time. [`peak_rss_mb`] gives the memory side.
//!
//! ```
//! let mut timer = kesu_timing::StageTimer::start();
//! let (sum, secs) = kesu_timing::timed(|| (1..=10u32).sum::<u32>());
//! timer.record("sum", secs);
//! timer.lap("work");
//! let stages = timer.finish("total");
//! assert_eq!(sum, 55);
//! assert!(stages["total"] >= stages["work"]);
//! ```

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::time::Instant;

/// Peak resident memory of this process so far, in MB with one decimal
/// (Linux `VmHWM`; `None` elsewhere), so that every run records what it
/// needed beside where its time went.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// Runs `f` and says how long it took, in seconds.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed().as_secs_f64())
}

/// Seconds per named stage, laps measured from the previous lap.
#[derive(Debug, Clone)]
pub struct StageTimer {
    stages: BTreeMap<String, f64>,
    started: Instant,
    last: Instant,
}

impl StageTimer {
    /// Starts timing now.
    pub fn start() -> StageTimer {
        let now = Instant::now();
        StageTimer {
            stages: BTreeMap::new(),
            started: now,
            last: now,
        }
    }

    /// Ends the stage `name` now: records the seconds since the previous lap
    /// (or the start) and returns them.
    pub fn lap(&mut self, name: &str) -> f64 {
        let now = Instant::now();
        let secs = (now - self.last).as_secs_f64();
        self.stages.insert(name.to_owned(), secs);
        self.last = now;
        secs
    }

    /// Records a step that timed itself (one of several run side by side);
    /// does not end the current lap.
    pub fn record(&mut self, name: &str, secs: f64) {
        self.stages.insert(name.to_owned(), secs);
    }

    /// Seconds since [`StageTimer::start`].
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// The stages so far.
    pub fn stages(&self) -> &BTreeMap<String, f64> {
        &self.stages
    }

    /// The stages, with the whole run since the start recorded as `total`.
    pub fn finish(mut self, total: &str) -> BTreeMap<String, f64> {
        let secs = self.elapsed();
        self.stages.insert(total.to_owned(), secs);
        self.stages
    }

    /// The stages, as recorded.
    pub fn into_stages(self) -> BTreeMap<String, f64> {
        self.stages
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn laps_measure_from_the_previous_lap_and_records_do_not_end_one() {
        let mut t = StageTimer::start();
        std::thread::sleep(Duration::from_millis(20));
        let first = t.lap("first");
        t.record("side", 123.0);
        std::thread::sleep(Duration::from_millis(5));
        let second = t.lap("second");
        assert!(first >= 0.02, "{first}");
        assert!(second >= 0.005 && second < first + 1.0, "{second}");
        let stages = t.finish("total");
        assert_eq!(stages["side"], 123.0);
        assert!(stages["total"] >= first + second);
        assert_eq!(
            stages.keys().collect::<Vec<_>>(),
            ["first", "second", "side", "total"]
        );
    }

    #[test]
    fn timed_returns_the_value_and_its_duration() {
        let (v, secs) = timed(|| {
            std::thread::sleep(Duration::from_millis(10));
            7
        });
        assert_eq!(v, 7);
        assert!(secs >= 0.01, "{secs}");
    }
}
