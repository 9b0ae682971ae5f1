//! All-or-nothing outputs: a command writes every output file into a hidden
//! staging folder inside its output folder and moves them into place only
//! when all were written. A late failure (a chart that cannot be drawn, a
//! full disk) then leaves the previous outputs as they were, instead of half
//! of a new run beside half of an old one.

use std::path::Path;

use anyhow::Context;

/// The staging folder; dropping it unpublished removes it with what it holds.
pub struct Staging {
    dir: tempfile::TempDir,
}

impl Staging {
    /// A new staging folder inside `out` (same file system, so moving a file
    /// into place is a rename).
    pub fn new(out: &Path) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(".kesu-staging-")
            .tempdir_in(out)
            .with_context(|| format!("creating a staging folder in {}", out.display()))?;
        Ok(Staging { dir })
    }

    /// Where the outputs are written first.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Moves every staged file of `names` (relative paths) over its place in
    /// `out`, each replaced whole by a rename, then removes the staging folder.
    pub fn publish(self, out: &Path, names: &[&str]) -> anyhow::Result<()> {
        let mut folders = vec![out.to_path_buf()];
        for name in names {
            let (from, to) = (self.path().join(name), out.join(name));
            if let Some(parent) = to.parent()
                && !folders.iter().any(|f| f == parent)
            {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
                folders.push(parent.to_path_buf());
            }
            std::fs::rename(&from, &to)
                .with_context(|| format!("moving {} into place", to.display()))?;
        }
        // The renames are durable once the folders holding them are synced.
        for folder in folders {
            if let Ok(d) = std::fs::File::open(&folder) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_moves_every_file_and_leaves_no_staging_folder() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("a.csv"), "old").unwrap();
        let staging = Staging::new(out.path()).unwrap();
        std::fs::create_dir(staging.path().join("charts")).unwrap();
        std::fs::write(staging.path().join("a.csv"), "new").unwrap();
        std::fs::write(staging.path().join("charts/c.svg"), "svg").unwrap();
        staging
            .publish(out.path(), &["a.csv", "charts/c.svg"])
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("a.csv")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("charts/c.svg")).unwrap(),
            "svg"
        );
        let names: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn an_unpublished_staging_folder_is_removed_with_its_files() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("a.csv"), "old").unwrap();
        {
            let staging = Staging::new(out.path()).unwrap();
            std::fs::write(staging.path().join("a.csv"), "half").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(out.path().join("a.csv")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    }
}
