//! Excel workbooks (via calamine): date cells, numeric ids, sheet row numbers.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use kesu_model::{RejectReason, SourceRef};

use crate::row::{Cell, RowBuilder, Schema};
use crate::{Emit, Error, FileRead, IngestOptions, Map, Outcome, Result, make_reject, map_records};

/// How many top rows may hold titles above the header.
const HEADER_SEARCH_ROWS: usize = 10;

/// Reads the first sheet (or `opts.sheet`); `line` is the 1-based row
/// number Excel shows.
pub(crate) fn read<T: Send>(
    file: &str,
    path: &Path,
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
    map: Map<'_, T>,
    emit: &mut Emit<'_, T>,
) -> Result<FileRead> {
    let size = std::fs::metadata(path)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    let bad = |e: calamine::Error| Error::Xlsx {
        file: file.to_owned(),
        message: e.to_string(),
    };
    let mut workbook = open_workbook_auto(path).map_err(bad)?;
    let names = workbook.sheet_names();
    let sheet = match &opts.sheet {
        Some(wanted) => names
            .iter()
            .find(|n| *n == wanted)
            .or_else(|| names.iter().find(|n| n.trim() == wanted.trim()))
            .cloned()
            .ok_or_else(|| Error::SheetNotFound {
                file: file.to_owned(),
                sheet: wanted.clone(),
                available: names.clone(),
            })?,
        None => names.first().cloned().ok_or_else(|| Error::NoHeader {
            file: file.to_owned(),
        })?,
    };
    let range = workbook.worksheet_range(&sheet).map_err(bad)?;
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r));

    // The header is the first non-empty row, except that exports often put
    // a title row or two above it: the first of the top rows that names
    // every required field wins.
    let mut first_error = None;
    let mut found = None;
    for (k, row) in range.rows().enumerate().take(HEADER_SEARCH_ROWS) {
        if row.iter().all(is_blank) {
            continue;
        }
        let headers: Vec<String> = row.iter().map(header_text).collect();
        match Schema::from_headers(&headers, opts, file, "") {
            Ok(schema) => {
                found = Some((k, headers.len(), schema));
                break;
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let Some((header_index, width, schema)) = found else {
        return Err(first_error.unwrap_or(Error::NoHeader {
            file: file.to_owned(),
        }));
    };
    let rows = range.rows().enumerate().skip(header_index + 1);

    // The workbook is in memory already (calamine reads a sheet whole);
    // records are handed on in blocks all the same, so that the orders made
    // from them do not pile up.
    let mut outcomes = Vec::new();
    for (k, row) in rows {
        if row.iter().all(is_blank) {
            continue;
        }
        let line = first_row + k as u64 + 1;
        outcomes.push(record(file, line, row, width, &schema));
        if outcomes.len() == crate::SEQUENTIAL_BLOCK {
            emit(map_records(std::mem::take(&mut outcomes), map))?;
        }
    }
    if !outcomes.is_empty() {
        emit(map_records(outcomes, map))?;
    }
    progress(size);
    Ok(FileRead {
        format: "xlsx",
        encoding: "native".to_owned(),
    })
}

fn record(file: &str, line: u64, row: &[Data], width: usize, schema: &Schema) -> Outcome {
    let raw = || {
        let cells: Vec<String> = row.iter().map(header_text).collect();
        cells.join(",")
    };
    let mut builder = RowBuilder::new(true, schema.timezone);
    for (k, data) in row.iter().enumerate() {
        if k >= width {
            // Cells right of the header: kept, under their column letter position.
            if !is_blank(data) {
                let value = header_text(data);
                builder.set_extra(format!("column_{}", k + 1), value);
            }
            continue;
        }
        let target = &schema.targets[k];
        let owned;
        let cell = match data {
            Data::Empty => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
            Data::Int(i) => {
                owned = i.to_string();
                Cell::Text(&owned)
            }
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Text(if *b { "true" } else { "false" }),
            Data::DateTime(d) => match d.as_datetime() {
                Some(dt) if d.is_datetime() => Cell::DateTime(dt),
                _ => Cell::Number(d.as_f64()),
            },
            Data::Error(e) => {
                if target.field.is_some_and(|f| f.is_required() || f.is_date()) {
                    return Err(make_reject(
                        file,
                        line,
                        Some(target.name.clone()),
                        RejectReason::Malformed {
                            message: format!("cell error {e} in {}", target.name),
                        },
                        raw(),
                    ));
                }
                owned = e.to_string();
                Cell::Text(&owned)
            }
        };
        builder.set(target, cell);
    }
    let source = SourceRef {
        file: file.to_owned(),
        line,
    };
    builder.finish(source).map_err(|(field, reason)| {
        make_reject(file, line, Some(field.name().to_owned()), reason, raw())
    })
}

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as text, for headers and for the raw text of rejects.
fn header_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => crate::row::format_number(*f),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => crate::row::format_number(d.as_f64()),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testutil::{check_accounting, reject_lines};
    use crate::{IngestOptions, ingest};
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    /// A small export as the utility's system writes it: a title row above
    /// the header, a date cell, a date string, numeric ids, a second sheet.
    pub fn write_export(path: &Path) {
        let mut wb = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let ws = wb.add_worksheet();
        ws.set_name("工单明细").unwrap();
        ws.write_string(0, 0, "2024年3月投诉工单导出").unwrap();
        let headers = [
            "工单编号",
            "受理时间",
            "受理内容",
            "联系电话",
            "归档时间",
            "派单部门",
        ];
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        // Row 4: date cell, numeric id and phone.
        ws.write_number(3, 0, 2024030100001.0).unwrap();
        let when = ExcelDateTime::from_ymd(2024, 3, 1)
            .unwrap()
            .and_hms(8, 30, 0)
            .unwrap();
        ws.write_datetime_with_format(3, 1, &when, &date).unwrap();
        ws.write_string(3, 2, "客户来电反映家中停电，要求尽快恢复")
            .unwrap();
        ws.write_number(3, 3, 13812345678.0).unwrap();
        ws.write_number(3, 4, 45352.5).unwrap();
        ws.write_string(3, 5, "运检部").unwrap();
        // Row 5: date as text.
        ws.write_string(4, 0, "2024030100002").unwrap();
        ws.write_string(4, 1, "2024/3/2 9:15:00").unwrap();
        ws.write_string(4, 2, "客户反映电费异常").unwrap();
        // Row 6 is blank; row 7: impossible date text.
        ws.write_number(6, 0, 2024030100003.0).unwrap();
        ws.write_string(6, 1, "2024-02-30").unwrap();
        ws.write_string(6, 2, "日期不存在").unwrap();
        // Row 8: Excel serial stored as a plain number, empty text.
        ws.write_number(7, 0, 2024030100004.0).unwrap();
        ws.write_number(7, 1, 45353.25).unwrap();
        ws.write_string(7, 2, "   ").unwrap();
        let other = wb.add_worksheet();
        other.set_name("汇总").unwrap();
        for (c, h) in ["work_order_id", "received_at", "text"].iter().enumerate() {
            other.write_string(0, c as u16, *h).unwrap();
        }
        other.write_string(1, 0, "S1").unwrap();
        other.write_string(1, 1, "45352.75").unwrap();
        other.write_string(1, 2, "汇总表的工单").unwrap();
        wb.save(path).unwrap();
    }

    #[test]
    fn workbook_rows_dates_and_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.xlsx");
        write_export(&path);
        let batch = ingest(
            std::slice::from_ref(&path),
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
        check_accounting(&batch);
        assert_eq!((batch.stats.read, batch.stats.accepted), (4, 2));
        let a = &batch.orders[0];
        assert_eq!(a.id.as_str(), "2024030100001");
        assert_eq!(a.received_at.to_string(), "2024-03-01 08:30:00");
        assert_eq!(
            a.closed_at.map(|d| d.to_string()).as_deref(),
            Some("2024-03-01 12:00:00")
        );
        assert_eq!(a.phone.as_deref(), Some("13812345678"));
        assert_eq!(a.extra["派单部门"], "运检部");
        assert_eq!(a.source.line, 4);
        let b = &batch.orders[1];
        assert_eq!(b.received_at.to_string(), "2024-03-02 09:15:00");
        assert_eq!(b.source.line, 5);
        let rejects = reject_lines(&batch);
        assert_eq!(rejects[0].0, 7);
        assert!(rejects[0].1.contains("2024-02-30"));
        assert_eq!(rejects[1], (8, "empty or whitespace-only text".into()));
        assert_eq!(batch.stats.files[0].format, "xlsx");

        let sheet = IngestOptions {
            sheet: Some("汇总".into()),
            ..IngestOptions::default()
        };
        let batch = ingest(std::slice::from_ref(&path), &sheet, &|_| {}).unwrap();
        assert_eq!(
            batch.orders[0].received_at.to_string(),
            "2024-03-01 18:00:00"
        );

        let missing = IngestOptions {
            sheet: Some("不存在".into()),
            ..IngestOptions::default()
        };
        let err = ingest(&[path], &missing, &|_| {}).unwrap_err().to_string();
        assert!(err.contains("工单明细") && err.contains("汇总"), "{err}");
    }
}
