//! Writing hit sets for auditors: CSV (streamable), XLSX and Parquet, every
//! canonical field plus the normalised text, extra attributes and source.
//!
//! Files are written with [`kesu_atomic::replace_with`] (unique temporary
//! name in the target directory, fsync, rename), so an interrupted export
//! never leaves a half-written file under the requested name.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray, TimestampMillisecondArray, UInt64Array};
use arrow::datatypes::{DataType, Field as ArrowField, Schema, TimeUnit};
use arrow::record_batch::RecordBatch;
use kesu_model::Field;

use crate::schema::StoredCase;
use crate::{Error, Result};

/// Excel's row limit (header included).
const XLSX_MAX_ROWS: usize = 1_048_576;

/// Columns after the canonical fields.
const EXTRA_COLUMNS: [&str; 5] = [
    "text_norm",
    "text_redacted",
    "extra",
    "source_file",
    "source_line",
];

/// Export formats, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `.csv` (UTF-8).
    Csv,
    /// `.xlsx`.
    Xlsx,
    /// `.parquet`.
    Parquet,
}

impl ExportFormat {
    /// The format of a path's extension.
    pub fn of_path(path: &Path) -> Option<ExportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "parquet" => Some(ExportFormat::Parquet),
            _ => None,
        }
    }
}

/// Column names of every export, in order.
pub fn header() -> Vec<&'static str> {
    Field::ALL
        .iter()
        .map(|f| f.name())
        .chain(EXTRA_COLUMNS)
        .collect()
}

/// One export row, as text (dates `YYYY-MM-DD HH:MM:SS`, extra as a JSON object).
pub fn row(case: &StoredCase) -> Vec<String> {
    let o = &case.order;
    let mut out: Vec<String> = Field::ALL
        .iter()
        .map(|&f| match f {
            Field::ReceivedAt => o.received_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            Field::ClosedAt => o
                .closed_at
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default(),
            _ => o.text_field(f).unwrap_or_default().to_owned(),
        })
        .collect();
    out.push(case.text_norm.clone());
    out.push(case.text_redacted.clone());
    out.push(serde_json::to_string(&o.extra).unwrap_or_default());
    out.push(o.source.file.clone());
    out.push(o.source.line.to_string());
    out
}

/// Streams cases as CSV rows (header first).
pub struct CsvCases<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvCases<W> {
    /// Writes the header.
    pub fn new(out: W) -> Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(header())?;
        Ok(CsvCases { writer })
    }

    /// Writes one case.
    pub fn write(&mut self, case: &StoredCase) -> Result<()> {
        Ok(self.writer.write_record(row(case))?)
    }

    /// Flushes.
    pub fn finish(mut self) -> Result<()> {
        self.writer.flush().map_err(|source| Error::Io {
            path: "<csv>".into(),
            source,
        })
    }
}

/// Writes every case to `path` in the format of its extension, atomically.
pub fn export(path: &Path, cases: &[StoredCase]) -> Result<()> {
    let format = ExportFormat::of_path(path).ok_or_else(|| Error::ExportFormat {
        path: path.display().to_string(),
    })?;
    kesu_atomic::replace_with(path, |file| match format {
        ExportFormat::Csv => {
            let mut w = CsvCases::new(std::io::BufWriter::new(&mut *file))?;
            for case in cases {
                w.write(case)?;
            }
            w.finish()
        }
        ExportFormat::Xlsx => write_xlsx(file, cases),
        ExportFormat::Parquet => write_parquet(file, cases),
    })
}

fn write_xlsx(file: &mut std::fs::File, cases: &[StoredCase]) -> Result<()> {
    if cases.len() + 1 > XLSX_MAX_ROWS {
        return Err(Error::TooManyRowsForXlsx { rows: cases.len() });
    }
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("hits")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, name) in header().iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &bold)?;
    }
    for (i, case) in cases.iter().enumerate() {
        for (col, value) in row(case).iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(i as u32 + 1, col as u16, value)?;
            }
        }
    }
    let mut out = std::io::BufWriter::new(file);
    workbook.save_to_writer(&mut out)?;
    out.flush().map_err(|source| Error::Io {
        path: "<xlsx>".into(),
        source,
    })
}

fn write_parquet(file: &mut std::fs::File, cases: &[StoredCase]) -> Result<()> {
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    let rows: Vec<Vec<String>> = cases.iter().map(row).collect();
    for (col, name) in header().iter().enumerate() {
        let field = Field::from_name(name);
        if field.is_some_and(Field::is_date) {
            let values: Vec<Option<i64>> = cases
                .iter()
                .map(|c| match field {
                    Some(Field::ReceivedAt) => {
                        Some(c.order.received_at.and_utc().timestamp_millis())
                    }
                    _ => c.order.closed_at.map(|t| t.and_utc().timestamp_millis()),
                })
                .collect();
            fields.push(ArrowField::new(
                *name,
                DataType::Timestamp(TimeUnit::Millisecond, None),
                true,
            ));
            columns.push(Arc::new(TimestampMillisecondArray::from(values)));
        } else if *name == "source_line" {
            let values: Vec<u64> = cases.iter().map(|c| c.order.source.line).collect();
            fields.push(ArrowField::new(*name, DataType::UInt64, false));
            columns.push(Arc::new(UInt64Array::from(values)));
        } else {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| {
                    Some(r[col].as_str())
                        .filter(|v| !v.is_empty() || field.is_some_and(Field::is_required))
                })
                .collect();
            fields.push(ArrowField::new(*name, DataType::Utf8, true));
            columns.push(Arc::new(StringArray::from(values)));
        }
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?;
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}
