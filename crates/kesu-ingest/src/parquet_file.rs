//! Parquet tables, including kesu's own orders.parquet (so it re-ingests).

use std::fs::File;
use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMillisecondType};
use chrono::{DateTime, NaiveDateTime};
use kesu_model::SourceRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::row::{Cell, RowBuilder, Schema};
use crate::{Emit, Error, FileRead, IngestOptions, Map, Outcome, Result, make_reject, map_records};

/// Columns kesu derives when it writes orders.parquet: recomputed on the
/// next run, so not carried into `extra` when such a file is re-ingested.
const DERIVED: [&str; 5] = [
    "text_norm",
    "text_redacted",
    "source_file",
    "source_line",
    "terms",
];

/// One column of a batch, converted once into a shape rows can read.
enum Column {
    Text(ArrayRef),
    Float(ArrayRef),
    /// Timestamps without a time zone: wall-clock times, kept as written.
    Millis(ArrayRef),
    /// Timestamps with a time zone: instants, shown in the local zone.
    Instant(ArrayRef),
    Skip,
}

/// Reads every row group; `line` is the 1-based row number.
pub(crate) fn read<T: Send>(
    file: &str,
    path: &Path,
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
    map: Map<'_, T>,
    emit: &mut Emit<'_, T>,
) -> Result<FileRead> {
    let bad = |message: String| Error::Parquet {
        file: file.to_owned(),
        message,
    };
    let handle = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(handle).map_err(|e| bad(e.to_string()))?;
    let kesu_orders = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .is_some_and(|kv| {
            kv.iter()
                .any(|e| e.key == "kesu.table" && e.value.as_deref() == Some("orders"))
        });
    let headers: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let schema = Schema::from_headers(&headers, opts, file, "")?;
    let reader = builder
        .with_batch_size(8192)
        .build()
        .map_err(|e| bad(e.to_string()))?;

    let mut outcomes = Vec::new();
    let mut line = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| bad(e.to_string()))?;
        let columns: Vec<Column> = batch
            .columns()
            .iter()
            .zip(&schema.targets)
            .map(|(array, target)| {
                if kesu_orders && target.field.is_none() && DERIVED.contains(&target.name.as_str())
                {
                    return Ok(Column::Skip);
                }
                convert(array).map_err(|e| bad(format!("column {}: {e}", target.name)))
            })
            .collect::<Result<_>>()?;
        for row in 0..batch.num_rows() {
            line += 1;
            outcomes.push(record(file, line, row, &columns, &schema, kesu_orders));
        }
        if outcomes.len() >= crate::SEQUENTIAL_BLOCK {
            emit(map_records(std::mem::take(&mut outcomes), map))?;
        }
    }
    if !outcomes.is_empty() {
        emit(map_records(outcomes, map))?;
    }
    progress(size);
    Ok(FileRead {
        format: "parquet",
        encoding: "native".to_owned(),
    })
}

fn convert(array: &ArrayRef) -> std::result::Result<Column, arrow::error::ArrowError> {
    let millis = DataType::Timestamp(TimeUnit::Millisecond, None);
    Ok(match array.data_type() {
        // Milliseconds since the epoch in UTC whatever the zone; the unit
        // change keeps the instant.
        DataType::Timestamp(_, Some(tz)) => Column::Instant(cast(
            array,
            &DataType::Timestamp(TimeUnit::Millisecond, Some(tz.clone())),
        )?),
        DataType::Timestamp(_, None) | DataType::Date32 | DataType::Date64 => {
            Column::Millis(cast(array, &millis)?)
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            Column::Float(cast(array, &DataType::Float64)?)
        }
        _ => Column::Text(cast(array, &DataType::Utf8)?),
    })
}

fn record(
    file: &str,
    line: u64,
    row: usize,
    columns: &[Column],
    schema: &Schema,
    kesu_orders: bool,
) -> Outcome {
    let mut builder = RowBuilder::new(false, schema.timezone);
    let mut raw_cells: Vec<String> = Vec::with_capacity(columns.len());
    for (column, target) in columns.iter().zip(&schema.targets) {
        let cell = match column {
            Column::Skip => continue,
            Column::Text(a) if a.is_null(row) => Cell::Empty,
            Column::Float(a) if a.is_null(row) => Cell::Empty,
            Column::Millis(a) | Column::Instant(a) if a.is_null(row) => Cell::Empty,
            Column::Text(a) => Cell::Text(a.as_string::<i32>().value(row)),
            Column::Float(a) => Cell::Number(a.as_primitive::<Float64Type>().value(row)),
            Column::Millis(a) => {
                let ms = a.as_primitive::<TimestampMillisecondType>().value(row);
                match DateTime::from_timestamp_millis(ms) {
                    Some(d) => Cell::DateTime(d.naive_utc()),
                    None => Cell::Empty,
                }
            }
            Column::Instant(a) => {
                let ms = a.as_primitive::<TimestampMillisecondType>().value(row);
                match DateTime::from_timestamp_millis(ms) {
                    Some(d) => Cell::DateTime(d.with_timezone(&schema.timezone).naive_local()),
                    None => Cell::Empty,
                }
            }
        };
        raw_cells.push(raw_text(cell));
        if kesu_orders
            && target.field.is_none()
            && target.name == "extra"
            && let Cell::Text(json) = cell
            && let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json)
        {
            for (k, v) in map {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                builder.set_extra(k, v);
            }
            continue;
        }
        builder.set(target, cell);
    }
    let source = SourceRef {
        file: file.to_owned(),
        line,
    };
    builder.finish(source).map_err(|(field, reason)| {
        make_reject(
            file,
            line,
            Some(field.name().to_owned()),
            reason,
            raw_cells.join(","),
        )
    })
}

fn raw_text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.to_owned(),
        Cell::Number(n) => crate::row::format_number(n),
        Cell::DateTime(d) => format_dt(d),
    }
}

fn format_dt(d: NaiveDateTime) -> String {
    d.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, RecordBatch, StringArray, TimestampMillisecondArray};
    use arrow::datatypes::{Field as ArrowField, Schema as ArrowSchema};
    use parquet::arrow::ArrowWriter;
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;

    use super::*;
    use crate::testutil::{check_accounting, reject_lines};
    use crate::{IngestOptions, ingest};

    fn write(path: &Path, kesu_orders: bool) {
        write_zoned(path, kesu_orders, None);
    }

    /// The test table, its timestamps in zone `tz` (none: wall-clock times).
    fn write_zoned(path: &Path, kesu_orders: bool, tz: Option<&str>) {
        let ts = DataType::Timestamp(TimeUnit::Millisecond, tz.map(Into::into));
        let schema = Arc::new(ArrowSchema::new(vec![
            ArrowField::new("工单编号", DataType::Int64, true),
            ArrowField::new("received_at", ts, true),
            ArrowField::new("text", DataType::Utf8, true),
            ArrowField::new("text_norm", DataType::Utf8, true),
            ArrowField::new("extra", DataType::Utf8, true),
        ]));
        let at = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(8, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![Some(2024030100001), Some(2), None])),
                Arc::new(
                    TimestampMillisecondArray::from(vec![Some(at), None, Some(at)])
                        .with_timezone_opt(tz),
                ),
                Arc::new(StringArray::from(vec![
                    "客户来电反映停电",
                    "无日期",
                    "无编号",
                ])),
                Arc::new(StringArray::from(vec![
                    "客户来电反映停电",
                    "无日期",
                    "无编号",
                ])),
                Arc::new(StringArray::from(vec![
                    Some("{\"派单部门\":\"运检部\"}"),
                    None,
                    None,
                ])),
            ],
        )
        .unwrap();
        let props = kesu_orders.then(|| {
            WriterProperties::builder()
                .set_key_value_metadata(Some(vec![KeyValue::new(
                    "kesu.table".into(),
                    "orders".to_string(),
                )]))
                .build()
        });
        let file = File::create(path).unwrap();
        let mut writer = ArrowWriter::try_new(file, schema, props).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    #[test]
    fn any_parquet_table_reads_through_the_column_map() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write(&path, false);
        let batch = ingest(
            std::slice::from_ref(&path),
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
        check_accounting(&batch);
        let o = &batch.orders[0];
        assert_eq!(o.id.as_str(), "2024030100001");
        assert_eq!(o.received_at.to_string(), "2024-03-01 08:30:00");
        assert_eq!(o.extra["text_norm"], "客户来电反映停电");
        assert_eq!(o.extra["extra"], "{\"派单部门\":\"运检部\"}");
        assert_eq!(
            reject_lines(&batch),
            [
                (2, "missing required field received_at".into()),
                (3, "missing required field work_order_id".into())
            ]
        );
    }

    #[test]
    fn kesu_orders_tables_drop_derived_columns_and_unpack_extra() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.parquet");
        write(&path, true);
        let batch = ingest(&[path], &IngestOptions::default(), &|_| {}).unwrap();
        let o = &batch.orders[0];
        assert!(!o.extra.contains_key("text_norm"));
        assert_eq!(o.extra.len(), 1);
        assert_eq!(o.extra["派单部门"], "运检部");
    }

    #[test]
    fn zoned_timestamps_are_shown_in_the_local_zone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        // 08:30 UTC is 16:30 in Beijing; a naive timestamp stays 08:30.
        write_zoned(&path, false, Some("UTC"));
        let at = |opts: &IngestOptions| {
            let batch = ingest(std::slice::from_ref(&path), opts, &|_| {}).unwrap();
            batch.orders[0].received_at.to_string()
        };
        assert_eq!(at(&IngestOptions::default()), "2024-03-01 16:30:00");
        let utc = IngestOptions {
            timezone: chrono_tz::UTC,
            ..IngestOptions::default()
        };
        assert_eq!(at(&utc), "2024-03-01 08:30:00");
        write_zoned(&path, false, Some("+05:00"));
        assert_eq!(at(&IngestOptions::default()), "2024-03-01 16:30:00");
    }
}
