//! The state folder of the weekly job: what `kesu run` remembers between
//! weeks.
//!
//! ```text
//! STATE/
//!   index/                      search index (tantivy), upserted by every run;
//!                               its kesu.lock is the state's lock: one run at a time
//!   tables/<table>/week=YYYY-Www/part-0.parquet
//!                               assignments, causes, alerts, kpis, rejects (Hive partitions)
//!   checkpoints/week=YYYY-Www.json
//!                               the cause registry and the weekly counts after that
//!                               week; written after the week's tables, it marks the
//!                               week complete
//!   repeats/week=YYYY-Www.bin
//!                               what the weeks after it need to find repeat complaints
//!                               across the week boundary: per order with an identity
//!                               key, its receipt time, hashed keys, text MinHash,
//!                               repeat group and cause key ([`crate::repeats`]);
//!                               written before the week's checkpoint
//!   runs/<started>-<pid>/rejects.csv
//!                               every row the run rejected (when it rejected any)
//!   runs/<started>-<pid>/manifest.json
//!                               one per run, written last
//! ```
//!
//! Every file is written atomically (temporary file, fsync, rename), and
//! every name is fixed by its week: a run killed at any moment leaves whole
//! files only, and running a week again replaces its files instead of adding
//! to them. A week whose tables exist without its checkpoint was interrupted;
//! [`State::incomplete_weeks`] names it so that the run can say to rerun it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::week::IsoWeek;
use crate::{Error, Result};

/// Layout version of the state folder.
pub const STATE_FORMAT: u32 = 1;

/// Orders per cause key and unit ([`crate::kpis::ALL_UNITS`] for all units).
pub type CauseCounts = BTreeMap<String, BTreeMap<String, u64>>;

/// What one week left for the weeks after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WeekCounts {
    /// Orders per unit and in all.
    pub orders: BTreeMap<String, u64>,
    /// Orders per cause and unit.
    pub causes: CauseCounts,
}

/// The state after a week: the registry and the history the next week's
/// alerts and KPIs compare with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Layout version.
    pub format: u32,
    /// The week this checkpoint follows.
    pub week: IsoWeek,
    /// Analyzer version of the week's mining.
    pub analyzer_version: String,
    /// Configuration hash of the week's run.
    pub config_hash: String,
    /// Known causes after the week.
    pub registry: kesu_registry::Registry,
    /// Counts of every week up to and including this one.
    pub history: BTreeMap<IsoWeek, WeekCounts>,
}

/// An open, locked state folder.
#[derive(Debug)]
pub struct State {
    root: PathBuf,
    _lock: kesu_index::IndexLock,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

impl State {
    /// Opens (creating if needed) and locks the state in `root`. Fails at
    /// once, naming the holder, when another run has it.
    pub fn open(root: &Path) -> Result<State> {
        std::fs::create_dir_all(root).map_err(io(root))?;
        let lock = kesu_index::IndexLock::acquire_creating(&root.join("index"))?;
        for dir in ["tables", "checkpoints", "repeats", "runs"] {
            let p = root.join(dir);
            std::fs::create_dir_all(&p).map_err(io(&p))?;
        }
        let state = State {
            root: root.to_path_buf(),
            _lock: lock,
        };
        state.remove_stale_temporaries()?;
        Ok(state)
    }

    /// Removes the temporary files a killed run left beside the tables and
    /// checkpoints (`.NAME.XXXX.tmp`, never read as data: readers glob
    /// `*.parquet`). Safe: this run holds the lock, so no writer is active.
    fn remove_stale_temporaries(&self) -> Result<()> {
        let mut dirs = vec![self.root.join("checkpoints"), self.root.join("repeats")];
        for table in crate::tables::TABLES {
            let dir = self.root.join("tables").join(table);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                dirs.push(entry.map_err(io(&dir))?.path());
            }
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let entry = entry.map_err(io(&dir))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let path = entry.path();
                    std::fs::remove_file(&path).map_err(io(&path))?;
                }
            }
        }
        Ok(())
    }

    /// The state folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The search index folder.
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// The file of `table` for `week`.
    pub fn table_file(&self, table: &str, week: IsoWeek) -> PathBuf {
        table_file(&self.root, table, week)
    }

    fn checkpoint_file(&self, week: IsoWeek) -> PathBuf {
        self.root
            .join("checkpoints")
            .join(format!("week={week}.json"))
    }

    /// Weeks with a checkpoint, oldest first.
    pub fn checkpointed_weeks(&self) -> Result<BTreeSet<IsoWeek>> {
        let dir = self.root.join("checkpoints");
        let mut weeks = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let name = entry.map_err(io(&dir))?.file_name();
            let name = name.to_string_lossy();
            if let Some(w) = name
                .strip_prefix("week=")
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(|w| w.parse().ok())
            {
                weeks.insert(w);
            }
        }
        Ok(weeks)
    }

    /// Weeks that have table partitions but no checkpoint: an interrupted run.
    pub fn incomplete_weeks(&self) -> Result<BTreeSet<IsoWeek>> {
        let done = self.checkpointed_weeks()?;
        let mut weeks = BTreeSet::new();
        for table in crate::tables::TABLES {
            let dir = self.root.join("tables").join(table);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let name = entry.map_err(io(&dir))?.file_name();
                if let Some(w) = name
                    .to_string_lossy()
                    .strip_prefix("week=")
                    .and_then(|w| w.parse::<IsoWeek>().ok())
                    .filter(|w| !done.contains(w))
                {
                    weeks.insert(w);
                }
            }
        }
        Ok(weeks)
    }

    /// The checkpoint of the latest complete week before `week`, if any:
    /// where a run of `week` starts from (so that running a week again
    /// starts from the same registry as the first time).
    pub fn checkpoint_before(&self, week: IsoWeek) -> Result<Option<Checkpoint>> {
        let Some(prev) = self.checkpointed_weeks()?.into_iter().rfind(|w| *w < week) else {
            return Ok(None);
        };
        self.checkpoint(prev).map(Some)
    }

    /// The orders a complete week holds in the state (from its checkpoint's
    /// counts), or None when the week is not complete.
    pub fn complete_week_orders(&self, week: IsoWeek) -> Result<Option<u64>> {
        if !self.checkpoint_file(week).is_file() {
            return Ok(None);
        }
        let cp = self.checkpoint(week)?;
        Ok(Some(
            cp.history
                .get(&week)
                .and_then(|c| c.orders.get(crate::kpis::ALL_UNITS))
                .copied()
                .unwrap_or(0),
        ))
    }

    /// The checkpoint of `week`, checked for format.
    fn checkpoint(&self, week: IsoWeek) -> Result<Checkpoint> {
        let path = self.checkpoint_file(week);
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let cp: Checkpoint = serde_json::from_str(&text).map_err(|e| Error::State {
            path: path.display().to_string(),
            message: format!("unreadable checkpoint: {e}"),
        })?;
        if cp.format != STATE_FORMAT {
            return Err(Error::State {
                path: path.display().to_string(),
                message: format!(
                    "checkpoint format {} (this kesu reads {STATE_FORMAT})",
                    cp.format
                ),
            });
        }
        Ok(cp)
    }

    /// Writes the checkpoint of its week (atomically).
    pub fn write_checkpoint(&self, cp: &Checkpoint) -> Result<()> {
        let path = self.checkpoint_file(cp.week);
        let mut text = serde_json::to_vec(cp)?;
        text.push(b'\n');
        kesu_atomic::write(&path, &text).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })
    }

    fn repeats_file(&self, week: IsoWeek) -> PathBuf {
        self.root.join("repeats").join(format!("week={week}.bin"))
    }

    /// Writes what `week` leaves for repeat detection in the weeks after it
    /// (atomically; before the week's checkpoint, so a checkpointed week
    /// always has its file).
    pub fn write_repeats(
        &self,
        week: IsoWeek,
        records: &[crate::repeats::Remembered],
    ) -> Result<()> {
        let path = self.repeats_file(week);
        kesu_atomic::write(&path, &crate::repeats::encode(records)).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: std::io::Error::other(e),
        })
    }

    /// The repeat file of one week: what its orders leave for repeat
    /// detection across week boundaries. A week without one (a state written
    /// before such files existed) contributes nothing.
    pub fn repeats_of(&self, week: IsoWeek) -> Result<Vec<crate::repeats::Remembered>> {
        let path = self.repeats_file(week);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&path)(e)),
        };
        crate::repeats::decode(&bytes).map_err(|message| Error::State {
            path: path.display().to_string(),
            message,
        })
    }

    /// Removes the checkpoint of `week`, before its tables are replaced: a
    /// run killed while replacing them leaves the week marked incomplete.
    pub fn invalidate(&self, week: IsoWeek) -> Result<()> {
        let path = self.checkpoint_file(week);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// A new run folder for this run's manifest.
    pub fn run_dir(&self, started: &str) -> Result<PathBuf> {
        let path = self
            .root
            .join("runs")
            .join(format!("{started}-{}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(io(&path))?;
        Ok(path)
    }
}

/// The file of `table` for `week` in the state folder `root`.
pub fn table_file(root: &Path, table: &str, week: IsoWeek) -> PathBuf {
    root.join("tables")
        .join(table)
        .join(format!("week={week}"))
        .join("part-0.parquet")
}
