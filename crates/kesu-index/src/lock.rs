//! One writing run per index: an exclusive lock taken before a run writes
//! anything, index or rejects file.
//!
//! tantivy has a writer lock of its own, but it is taken only when the writer
//! opens, after kesu has read its whole input and written the rejects file
//! beside the index; a run that loses it has by then overwritten the winner's
//! rejects. kesu's lock is the first thing a writing command takes. It is an
//! advisory `flock` on `DIR/kesu.lock`, so the system releases it when its
//! holder ends, even by `kill -9`: a lock file left behind never blocks a
//! later run. The holder writes its pid, host and start time into the file so
//! that a refused run can say who has the index.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The lock file's name inside the index directory.
pub const LOCK_FILE: &str = "kesu.lock";

/// Files a kesu index directory may hold before its first commit (a run
/// killed between taking the lock and creating the index leaves them).
const OWN_FILES: [&str; 4] = [
    LOCK_FILE,
    ".tantivy-writer.lock",
    ".tantivy-meta.lock",
    ".managed.json",
];

/// Who holds an index lock, as the holder recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    /// Process id.
    pub pid: u32,
    /// Host name.
    pub host: String,
    /// When the lock was taken (RFC 3339, UTC).
    pub started: String,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on host {}, since {}",
            self.pid, self.host, self.started
        )
    }
}

impl LockHolder {
    /// This process, now.
    fn me() -> LockHolder {
        LockHolder {
            pid: std::process::id(),
            host: host_name(),
            started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// The exclusive right to write an index; released when dropped (or when
/// the process ends, however it ends).
#[derive(Debug)]
pub struct IndexLock {
    /// Held open: closing it releases the lock.
    _file: File,
    dir: PathBuf,
    created_dir: bool,
}

impl IndexLock {
    /// Locks the index in `dir`, creating the directory if it does not exist.
    ///
    /// Refuses ([`Error::ForeignDirectory`]) a non-empty directory that is
    /// not a kesu index, before writing anything into it, and fails at once
    /// ([`Error::Locked`], naming the holder) when another run holds the lock.
    pub fn acquire_creating(dir: &Path) -> Result<IndexLock> {
        refuse_foreign(dir)?;
        let created_dir = if dir.is_dir() {
            false
        } else {
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
            }
            // create_dir, not create_dir_all: only the run that made the
            // directory may remove it again (see `discard`).
            match std::fs::create_dir(dir) {
                Ok(()) => true,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                Err(source) => return Err(io(dir, source)),
            }
        };
        IndexLock::take(dir, created_dir)
    }

    /// Locks the existing index in `dir` (never creates it).
    pub fn acquire(dir: &Path) -> Result<IndexLock> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::NotAnIndex {
                path: dir.display().to_string(),
            });
        }
        IndexLock::take(dir, false)
    }

    fn take(dir: &Path, created_dir: bool) -> Result<IndexLock> {
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|source| io(&path, source))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    path: dir.display().to_string(),
                    holder: read_holder(&path)
                        .map_or_else(|| "holder unknown".to_owned(), |h| h.to_string()),
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(&path, source)),
        }
        let me = serde_json::to_string(&LockHolder::me())?;
        let write = |file: &mut File| -> std::io::Result<()> {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(me.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_data()
        };
        write(&mut file).map_err(|source| io(&path, source))?;
        Ok(IndexLock {
            _file: file,
            dir: dir.to_path_buf(),
            created_dir,
        })
    }

    /// Whether this run created the index directory.
    pub fn created_dir(&self) -> bool {
        self.created_dir
    }

    /// The locked directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// For a run that failed: removes the index directory if this run created
    /// it (so that a failed first run leaves nothing behind), then releases
    /// the lock. An index that existed before is left as it is.
    pub fn discard(self) -> Result<()> {
        if self.created_dir {
            std::fs::remove_dir_all(&self.dir).map_err(|source| io(&self.dir, source))?;
        }
        Ok(())
    }

    /// Who holds the lock of the index in `dir`, if anyone does.
    pub fn holder(dir: &Path) -> Option<LockHolder> {
        let path = dir.join(LOCK_FILE);
        let file = File::open(&path).ok()?;
        match file.try_lock_shared() {
            // Nobody holds it: whatever the file says is from an earlier run.
            Ok(()) => None,
            Err(_) => read_holder(&path),
        }
    }
}

/// A directory kesu may build an index in: missing, empty, a kesu index, or
/// one that holds only what a kesu run leaves before its first commit.
fn refuse_foreign(dir: &Path) -> Result<()> {
    if !dir.is_dir() || dir.join("meta.json").is_file() {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| io(dir, source))?;
    for entry in entries {
        let entry = entry.map_err(|source| io(dir, source))?;
        let name = entry.file_name();
        if !OWN_FILES.iter().any(|own| name == *own) {
            return Err(Error::ForeignDirectory {
                path: dir.display().to_string(),
            });
        }
    }
    Ok(())
}

/// The holder recorded in the lock file. The winner writes it just after
/// taking the lock, so a reader may find it empty for a moment: retry briefly.
fn read_holder(path: &Path) -> Option<LockHolder> {
    for _ in 0..50 {
        let mut text = String::new();
        if let Ok(mut f) = File::open(path)
            && f.read_to_string(&mut text).is_ok()
            && let Ok(holder) = serde_json::from_str(text.trim())
        {
            return Some(holder);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_at_once_naming_the_holder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("idx");
        let first = IndexLock::acquire_creating(&dir).unwrap();
        assert!(first.created_dir());
        let holder = IndexLock::holder(&dir).expect("a holder while locked");
        assert_eq!(holder.pid, std::process::id());
        assert_eq!(holder.host, host_name());
        let err = IndexLock::acquire_creating(&dir).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::Locked { .. }), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())) && msg.contains(&holder.started),
            "{msg}"
        );
        drop(first);
        assert_eq!(IndexLock::holder(&dir), None, "released on drop");
        let again = IndexLock::acquire_creating(&dir).unwrap();
        assert!(!again.created_dir(), "the directory was there already");
    }

    #[test]
    fn a_foreign_folder_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let err = IndexLock::acquire_creating(tmp.path()).unwrap_err();
        assert!(matches!(err, Error::ForeignDirectory { .. }), "{err}");
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["notes.txt"]);
        // What a killed first run leaves is not foreign.
        let own = tmp.path().join("own");
        std::fs::create_dir(&own).unwrap();
        std::fs::write(own.join(LOCK_FILE), "").unwrap();
        IndexLock::acquire_creating(&own).unwrap();
    }

    #[test]
    fn discard_removes_only_a_directory_the_run_created() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/idx");
        IndexLock::acquire_creating(&dir)
            .unwrap()
            .discard()
            .unwrap();
        assert!(!dir.exists());
        std::fs::create_dir_all(&dir).unwrap();
        IndexLock::acquire_creating(&dir)
            .unwrap()
            .discard()
            .unwrap();
        assert!(dir.is_dir(), "an existing directory is kept");
    }

    #[test]
    fn acquire_needs_an_existing_index() {
        let tmp = tempfile::tempdir().unwrap();
        let err = IndexLock::acquire(&tmp.path().join("none")).unwrap_err();
        assert!(matches!(err, Error::NotAnIndex { .. }), "{err}");
        assert!(!tmp.path().join("none").exists());
    }
}
