//! rejects.csv: every row that was not accepted, for a person to open in Excel.

use std::io::Write;
use std::path::Path;

use kesu_model::Reject;

use crate::{Error, Result};

/// Writes `file,line,column,reason,raw`, one row per reject, atomically
/// (a temporary file in the same directory, synced, then renamed).
///
/// The file is UTF-8 **with a BOM**: quality teams open it in Excel, which
/// reads a BOM-less CSV as the local ANSI code page (GBK on Chinese Windows)
/// and garbles every Chinese character. NUL bytes in raw text are shown as
/// `␀` so that spreadsheet tools do not truncate the cell.
pub fn write_rejects_csv(path: &Path, rejects: &[Reject]) -> Result<()> {
    let err = |source: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rejects.csv".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(&mut file));
        writer.write_record(["file", "line", "column", "reason", "raw"])?;
        for r in rejects {
            let line = r.line.to_string();
            let reason = r.reason.to_string();
            let raw = r.raw.replace('\0', "␀");
            writer.write_record([
                r.file.as_str(),
                line.as_str(),
                r.column.as_deref().unwrap_or(""),
                reason.as_str(),
                raw.as_str(),
            ])?;
        }
        writer.flush()?;
        drop(writer);
        file.sync_all()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}
