//! rejects.csv: every row that was not accepted, for a person to open in Excel.

use std::io::Write;
use std::path::Path;

use kesu_model::Reject;

use crate::{Error, Result};

/// Writes `file,line,column,reason,raw`, one row per reject, atomically
/// ([`kesu_atomic::replace_with`]).
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
    kesu_atomic::replace_with(path, |file| {
        file.write_all(b"\xEF\xBB\xBF").map_err(err)?;
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(file));
        let csv_err = |e: csv::Error| err(e.into());
        writer
            .write_record(["file", "line", "column", "reason", "raw"])
            .map_err(csv_err)?;
        for r in rejects {
            let line = r.line.to_string();
            let reason = r.reason.to_string();
            let raw = r.raw.replace('\0', "␀");
            writer
                .write_record([
                    r.file.as_str(),
                    line.as_str(),
                    r.column.as_deref().unwrap_or(""),
                    reason.as_str(),
                    raw.as_str(),
                ])
                .map_err(csv_err)?;
        }
        writer.flush().map_err(err)
    })
}
