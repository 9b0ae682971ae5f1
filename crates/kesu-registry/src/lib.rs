//! The root-cause registry: it gives the clusters mined each week stable
//! keys, so that the same problem is `C0007` week after week.
//!
//! Root-cause mining runs once per ISO week and numbers its clusters by
//! size, so "cause 7" of one week has nothing to do with cause 7 of the
//! next. The [`Registry`] keeps every cause seen so far (its key, a
//! term-weight centroid and its weekly order counts) and
//! [`Registry::observe_week`] matches each new week's [`WeekCluster`]s to it.
//!
//! # How matching works
//!
//! 1. Each cluster's centroid terms are cleaned, truncated to
//!    [`MatchConfig::centroid_terms`] and scaled to unit length; similarity
//!    is the cosine of these sparse vectors. Terms are compared as strings
//!    because each week's vocabulary is built afresh.
//! 2. Clusters are assigned to known causes one-to-one by the Hungarian
//!    method, maximising the total similarity over pairs at or above
//!    [`MatchConfig::similarity_floor`]. A pair below the floor is never
//!    matched, even where that lowers the total.
//! 3. A matched cluster keeps the cause's key; the cause's centroid moves
//!    towards the cluster's by [`MatchConfig::learning_rate`] (an exponential
//!    moving average), so wording that drifts slowly is followed. Its status
//!    is `growing` or `fading` when its share of the week's orders changed
//!    by more than [`MatchConfig::growth_ratio`] since it was last seen,
//!    else `recurring`.
//! 4. An unmatched cluster gets the next key (keys are never reused). It is
//!    a `split` when it resembles, above the floor, a cause another cluster
//!    kept this week; otherwise `new`.
//! 5. A cause seen the week before, not matched now but resembling a
//!    cluster that kept another key, was absorbed: the absorbing cluster's
//!    status is `merged` and the [`Merge`] is recorded.
//!
//! # Why an optimal assignment
//!
//! Causes of one kind (metering, billing, outages) share much vocabulary, so
//! a cluster is often similar to two known causes. Greedy matching, best
//! pair first, lets the first cluster take the cause a second cluster
//! needed, and the second then gets a new key or takes a third cause's: one
//! local mistake changes keys down a chain. The optimal assignment weighs
//! all pairs at once, and the floor keeps it from pairing unrelated causes
//! merely to raise the total.
//!
//! # Measured stability
//!
//! The tests simulate 26 weeks of 20 true causes in families of two, with
//! noisy centroids (terms dropped, reweighted and added), drift, absences,
//! siblings merged into one cluster, causes split in two and junk clusters.
//! Stability is, per true cause, the share of the weeks it appears in which
//! the cluster holding most of its orders carried its usual key. With the
//! default configuration, over seeds 1–8:
//!
//! | siblings share          | optimal | greedy |
//! |-------------------------|---------|--------|
//! | 6 of 12 specific terms  | 0.960   | 0.961  |
//! | 10 of 12 specific terms | 0.952   | 0.930  |
//!
//! When causes are distinct the two agree; when they are close, greedy
//! loses keys that the optimal assignment keeps. No junk cluster took a true
//! cause's key; about 80 % of simulated merges and 40 % of simulated splits
//! (a third of the terms split off) were reported as such.
//!
//! # Names and snapshots
//!
//! Users name causes in `pipelines/causes.toml` (`C0007 = "智能电表更换后跳字"`),
//! read by [`CauseNames`] and set with [`Registry::apply_names`]; the name is
//! shown in place of the mined label ([`KnownCause::display_name`]).
//! The registry is stored as JSON ([`Registry::to_json`]) after each week.
//! The same weeks give byte-identical JSON, and a week re-run from the
//! snapshot taken before it gives the same result as the uninterrupted run.
//!
//! ```
//! use kesu_registry::{CauseStatus, MatchConfig, Registry, WeekCluster};
//!
//! let cluster = |terms: &[(&str, f64)], orders| WeekCluster {
//!     terms: terms.iter().map(|(t, w)| (t.to_string(), *w)).collect(),
//!     orders,
//!     label: "电表 跳字".to_owned(),
//! };
//! let cfg = MatchConfig::default();
//! let mut registry = Registry::new();
//! let w1 = registry
//!     .observe_week("2026-W01", 100, &[cluster(&[("电表", 3.0), ("跳字", 2.0)], 40)], &cfg)
//!     .unwrap();
//! let w2 = registry
//!     .observe_week("2026-W02", 100, &[cluster(&[("电表", 2.5), ("跳字", 2.0), ("更换", 0.5)], 42)], &cfg)
//!     .unwrap();
//! assert_eq!(w1.keys[0].to_string(), "C0001");
//! assert_eq!(w2.keys, w1.keys);
//! assert_eq!(w2.status[0], CauseStatus::Recurring);
//! ```

#![warn(missing_docs)]

mod assign;
mod error;
mod key;
mod names;
mod registry;
mod vector;

pub use error::RegistryError;
pub use key::{CauseKey, CauseStatus};
pub use names::CauseNames;
pub use registry::{
    KnownCause, MatchConfig, Merge, Registry, Split, WeekCluster, WeekMatch, WeekRecord,
};
