//! The one way kesu writes an output file: the path holds either its
//! previous content or the complete new file, never a part of one.
//!
//! Every output (Parquet tables, CSV/JSON/xlsx exports, rejects, charts,
//! metrics) goes through [`replace_with`]: the bytes go to a temporary file
//! with a unique name in the target's directory (so two writers into one
//! folder never collide, and the rename cannot cross file systems), which is
//! fsynced, renamed over the target, and the directory is fsynced so that the
//! rename itself survives a crash. On any failure the temporary file is
//! removed and the target is untouched.
//!
//! This crate depends only on `tempfile`, so that a crate writing a CSV need
//! not pull in arrow or parquet to write it safely.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("metrics.json");
//! kesu_atomic::write(&path, b"{}\n").unwrap();
//! assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
//! ```

#![warn(missing_docs)]

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writing or replacing an output file failed.
#[derive(Debug, thiserror::Error)]
#[error("writing {}: {source}", path.display())]
pub struct Error {
    /// The file that was to be written.
    pub path: PathBuf,
    /// The underlying I/O error.
    #[source]
    pub source: std::io::Error,
}

impl Error {
    /// An error for `path` from an I/O error.
    pub fn new(path: &Path, source: std::io::Error) -> Self {
        Error {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Replaces `path` with what `fill` writes into the (empty) file it is given.
///
/// `fill` may fail with the caller's own error type; I/O failures of the
/// temporary file, fsync and rename become that type through `From<Error>`.
/// Whatever `fill` returns is passed back on success.
pub fn replace_with<T, E: From<Error>>(
    path: &Path,
    fill: impl FnOnce(&mut File) -> Result<T, E>,
) -> Result<T, E> {
    let err = |source| E::from(Error::new(path, source));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file path",
        ))
    })?;
    // Hidden, named after the target (so a leftover from a killed process
    // says what it was), unique per writer.
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Temporary files are private (0600) by default; outputs get the usual
    // mode (0666 minus the umask), like any file a program creates.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // Dropping `tmp` on any early return below removes the temporary file.
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    let value = fill(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    // Make the rename durable. Not every platform can open a directory for
    // syncing; the file's content is on disk either way.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(value)
}

/// Replaces `path` with `bytes` (see [`replace_with`]).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    replace_with(path, |file| {
        file.write_all(bytes).map_err(|e| Error::new(path, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_fill_keeps_the_previous_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write(&path, b"previous").unwrap();
        let r: Result<(), Error> = replace_with(&path, |f| {
            f.write_all(b"half").unwrap();
            Err(Error::new(&path, std::io::Error::other("disk full")))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_rename_keeps_the_previous_content() {
        // The target is a non-empty directory: the rename fails after the
        // temporary file was written.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"x").unwrap();
        assert!(write(&path, b"new").is_err());
        assert_eq!(std::fs::read(path.join("inside")).unwrap(), b"x");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn concurrent_writers_into_one_folder_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.svg");
        let contents: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 100_000]).collect();
        std::thread::scope(|s| {
            for c in &contents {
                let path = &path;
                s.spawn(move || write(path, c).unwrap());
            }
        });
        // Whichever writer renamed last, the file is one writer's whole content.
        let got = std::fs::read(&path).unwrap();
        assert!(contents.contains(&got));
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_the_ordinary_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        write(&path, b"{}").unwrap();
        // Same mode as a file created the ordinary way under this umask.
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&plain));
    }
}
