//! `orders.parquet`: the normalised work orders, one row per order.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use arrow::array::{
    Array, ArrayRef, RecordBatch, StringArray, StringBuilder, TimestampMillisecondArray,
    TimestampMillisecondBuilder, UInt64Array, UInt64Builder,
};
use arrow::datatypes::{DataType, Field as Column, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, NaiveDateTime};
use kesu_model::{Field, SourceRef, WorkOrder};
use kesu_normalize::{NormalizedOrder, Normalizer};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::atomic::{MAX_ROW_GROUP_ROWS, io_error, parquet_error, replace_file, writer_properties};
use crate::{Error, Result};

/// Metadata key holding the analyzer version that produced the table.
pub const META_ANALYZER_VERSION: &str = "kesu.analyzer_version";
/// Metadata key naming the table.
pub const META_TABLE: &str = "kesu.table";
/// The `kesu.table` value of `orders.parquet`.
pub const ORDERS_TABLE: &str = "orders";
/// Rows per row group (and per in-memory batch) when writing orders.
pub const ROW_GROUP_ROWS: usize = MAX_ROW_GROUP_ROWS;

/// The optional text columns, in column order; their names are the canonical field names.
const OPTIONAL_TEXT: [Field; 11] = [
    Field::Channel,
    Field::Unit,
    Field::CustomerId,
    Field::CustomerName,
    Field::Phone,
    Field::Address,
    Field::CustomerClass,
    Field::Category,
    Field::Subcategory,
    Field::Substantiated,
    Field::Handling,
];

fn timestamp_ms() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, None)
}

static ORDERS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let mut fields = vec![
        Column::new("work_order_id", DataType::Utf8, false),
        Column::new("received_at", timestamp_ms(), false),
        Column::new("text", DataType::Utf8, false),
        Column::new("text_norm", DataType::Utf8, false),
        Column::new("text_redacted", DataType::Utf8, false),
    ];
    fields.extend(
        OPTIONAL_TEXT
            .iter()
            .map(|f| Column::new(f.name(), DataType::Utf8, true)),
    );
    fields.extend([
        Column::new("closed_at", timestamp_ms(), true),
        Column::new("extra", DataType::Utf8, false),
        Column::new("source_file", DataType::Utf8, false),
        Column::new("source_line", DataType::UInt64, false),
        // Precise-mode content terms, space-separated: the text is segmented
        // once at ingest and later stages read the terms instead of running
        // jieba again. Null when the writer was not given terms.
        Column::new("terms", DataType::Utf8, true),
    ]);
    Arc::new(Schema::new(fields))
});

/// The Arrow schema of `orders.parquet`.
pub fn orders_schema() -> SchemaRef {
    ORDERS_SCHEMA.clone()
}

fn to_millis(t: &NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

fn from_millis(ms: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

/// The columns of one row group, filled an order at a time: a stream of
/// orders is turned into Arrow arrays as it arrives, so that no row group is
/// ever held twice (as orders and as arrays).
struct GroupBuilder {
    id: StringBuilder,
    received: TimestampMillisecondBuilder,
    text: StringBuilder,
    text_norm: StringBuilder,
    text_redacted: StringBuilder,
    optional: Vec<StringBuilder>,
    closed: TimestampMillisecondBuilder,
    extra: StringBuilder,
    source_file: StringBuilder,
    source_line: UInt64Builder,
    terms: StringBuilder,
    rows: usize,
}

impl GroupBuilder {
    fn new() -> Self {
        GroupBuilder {
            id: StringBuilder::new(),
            received: TimestampMillisecondBuilder::new(),
            text: StringBuilder::new(),
            text_norm: StringBuilder::new(),
            text_redacted: StringBuilder::new(),
            optional: OPTIONAL_TEXT.iter().map(|_| StringBuilder::new()).collect(),
            closed: TimestampMillisecondBuilder::new(),
            extra: StringBuilder::new(),
            source_file: StringBuilder::new(),
            source_line: UInt64Builder::new(),
            terms: StringBuilder::new(),
            rows: 0,
        }
    }

    fn push(
        &mut self,
        o: &NormalizedOrder,
        terms: Option<&str>,
    ) -> std::result::Result<(), arrow::error::ArrowError> {
        // A BTreeMap serialises with sorted keys, so equal orders give equal bytes.
        let extra = serde_json::to_string(&o.order.extra)
            .map_err(|e| arrow::error::ArrowError::ExternalError(Box::new(e)))?;
        self.id.append_value(o.order.id.as_str());
        self.received.append_value(to_millis(&o.order.received_at));
        self.text.append_value(&o.order.text);
        self.text_norm.append_value(&o.text_norm);
        self.text_redacted.append_value(o.text_redacted.as_str());
        for (b, field) in self.optional.iter_mut().zip(OPTIONAL_TEXT) {
            b.append_option(o.order.text_field(field));
        }
        self.closed
            .append_option(o.order.closed_at.as_ref().map(to_millis));
        self.extra.append_value(extra);
        self.source_file.append_value(&o.order.source.file);
        self.source_line.append_value(o.order.source.line);
        self.terms.append_option(terms);
        self.rows += 1;
        Ok(())
    }

    /// The rows pushed so far as one batch; the builder starts over empty.
    fn finish(&mut self) -> std::result::Result<RecordBatch, arrow::error::ArrowError> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(ORDERS_SCHEMA.fields().len());
        columns.push(Arc::new(self.id.finish()));
        columns.push(Arc::new(self.received.finish()));
        columns.push(Arc::new(self.text.finish()));
        columns.push(Arc::new(self.text_norm.finish()));
        columns.push(Arc::new(self.text_redacted.finish()));
        for b in &mut self.optional {
            columns.push(Arc::new(b.finish()));
        }
        columns.push(Arc::new(self.closed.finish()));
        columns.push(Arc::new(self.extra.finish()));
        columns.push(Arc::new(self.source_file.finish()));
        columns.push(Arc::new(self.source_line.finish()));
        columns.push(Arc::new(self.terms.finish()));
        self.rows = 0;
        RecordBatch::try_new(ORDERS_SCHEMA.clone(), columns)
    }
}

/// Writes `orders.parquet` atomically, one row group per [`ROW_GROUP_ROWS`]
/// orders, with metadata `kesu.table = orders` and `kesu.analyzer_version`.
pub fn write_orders(path: &Path, orders: &[NormalizedOrder], analyzer_version: &str) -> Result<()> {
    write_orders_in_groups(path, orders, None, analyzer_version, ROW_GROUP_ROWS)
}

/// Like [`write_orders`], with each order's precise-mode content terms
/// (space-separated, `terms[i]` for `orders[i]`) in the `terms` column, so
/// that the text is segmented once for every later stage.
///
/// Fails with [`Error::Table`] when the two slices differ in length.
pub fn write_segmented_orders(
    path: &Path,
    orders: &[NormalizedOrder],
    terms: &[String],
    analyzer_version: &str,
) -> Result<()> {
    if terms.len() != orders.len() {
        return Err(Error::Table {
            path: path.to_owned(),
            message: format!("{} orders but {} term lists", orders.len(), terms.len()),
        });
    }
    write_orders_in_groups(path, orders, Some(terms), analyzer_version, ROW_GROUP_ROWS)
}

fn write_orders_in_groups(
    path: &Path,
    orders: &[NormalizedOrder],
    terms: Option<&[String]>,
    analyzer_version: &str,
    group_rows: usize,
) -> Result<()> {
    stream_orders(path, analyzer_version, group_rows, |sink| {
        for (i, order) in orders.iter().enumerate() {
            sink.push(order, terms.map(|t| t[i].as_str()))?;
        }
        Ok::<(), Error>(())
    })
}

/// Writes `orders.parquet` atomically from a stream of orders: `fill` pushes
/// them into the [`OrdersSink`] it is given, in order, and the file appears
/// at `path` (complete, with the bytes [`write_segmented_orders`] would
/// write for the same orders) only when `fill` returns `Ok` and the file is
/// closed. On any error `path` keeps what it held before.
///
/// Memory holds one row group of [`ROW_GROUP_ROWS`] rows as Arrow arrays,
/// whatever the number of orders.
pub fn write_orders_streaming<R, E>(
    path: &Path,
    analyzer_version: &str,
    fill: impl FnOnce(&mut OrdersSink<'_>) -> std::result::Result<R, E>,
) -> std::result::Result<R, E>
where
    E: From<Error>,
{
    stream_orders(path, analyzer_version, ROW_GROUP_ROWS, fill)
}

fn stream_orders<R, E>(
    path: &Path,
    analyzer_version: &str,
    group_rows: usize,
    fill: impl FnOnce(&mut OrdersSink<'_>) -> std::result::Result<R, E>,
) -> std::result::Result<R, E>
where
    E: From<Error>,
{
    let metadata = [
        (META_TABLE.to_owned(), ORDERS_TABLE.to_owned()),
        (
            META_ANALYZER_VERSION.to_owned(),
            analyzer_version.to_owned(),
        ),
    ];
    // The temporary file is only renamed into place when every step
    // succeeded; the error of `fill` travels through unchanged.
    let mut outcome: Option<std::result::Result<R, E>> = None;
    let written = replace_file(path, |file| {
        let writer = ArrowWriter::try_new(
            file,
            ORDERS_SCHEMA.clone(),
            Some(writer_properties(&metadata)),
        )
        .map_err(parquet_error(path))?;
        let mut sink = OrdersSink {
            path,
            writer,
            group: GroupBuilder::new(),
            group_rows: group_rows.max(1),
            rows: 0,
        };
        match fill(&mut sink) {
            Ok(value) => {
                sink.close()?;
                outcome = Some(Ok(value));
                Ok(())
            }
            Err(e) => {
                outcome = Some(Err(e));
                Err(Error::Table {
                    path: path.to_owned(),
                    message: "writing stopped".to_owned(),
                })
            }
        }
    });
    match (outcome, written) {
        (Some(Ok(value)), Ok(())) => Ok(value),
        (Some(Err(e)), _) => Err(e),
        (_, Err(e)) => Err(e.into()),
        (None, Ok(())) => unreachable!("fill runs whenever the file is written"),
    }
}

/// Where [`write_orders_streaming`] takes orders: each is appended to the
/// current row group, which is written out when it is full.
pub struct OrdersSink<'a> {
    path: &'a Path,
    writer: ArrowWriter<&'a File>,
    group: GroupBuilder,
    group_rows: usize,
    rows: u64,
}

impl OrdersSink<'_> {
    /// Appends one order, with its space-separated content terms (`None`
    /// leaves the `terms` column null, as [`write_orders`] does).
    pub fn push(&mut self, order: &NormalizedOrder, terms: Option<&str>) -> Result<()> {
        let path = self.path;
        let arrow = |source| Error::Arrow {
            path: path.to_owned(),
            source,
        };
        self.group.push(order, terms).map_err(arrow)?;
        self.rows += 1;
        if self.group.rows >= self.group_rows {
            self.write_group()?;
        }
        Ok(())
    }

    /// Orders pushed so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn write_group(&mut self) -> Result<()> {
        let path = self.path;
        let batch = self.group.finish().map_err(|source| Error::Arrow {
            path: path.to_owned(),
            source,
        })?;
        self.writer.write(&batch).map_err(parquet_error(path))?;
        // One row group per group, whatever the writer's own limit.
        self.writer.flush().map_err(parquet_error(path))?;
        Ok(())
    }

    fn close(mut self) -> Result<()> {
        if self.group.rows > 0 {
            self.write_group()?;
        }
        self.writer.close().map_err(parquet_error(self.path))?;
        Ok(())
    }
}

/// Typed access to the columns of one batch of `orders.parquet`.
struct OrderColumns<'a> {
    id: &'a StringArray,
    received_at: &'a TimestampMillisecondArray,
    text: &'a StringArray,
    text_norm: &'a StringArray,
    text_redacted: &'a StringArray,
    optional: Vec<&'a StringArray>,
    closed_at: &'a TimestampMillisecondArray,
    extra: &'a StringArray,
    source_file: &'a StringArray,
    source_line: &'a UInt64Array,
}

fn column<'a, T: Array + 'static>(
    path: &Path,
    batch: &'a RecordBatch,
    name: &str,
) -> Result<&'a T> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| Error::Table {
            path: path.to_owned(),
            message: format!("column {name:?} is missing or has the wrong type"),
        })
}

impl<'a> OrderColumns<'a> {
    fn new(path: &Path, batch: &'a RecordBatch) -> Result<OrderColumns<'a>> {
        Ok(OrderColumns {
            id: column(path, batch, "work_order_id")?,
            received_at: column(path, batch, "received_at")?,
            text: column(path, batch, "text")?,
            text_norm: column(path, batch, "text_norm")?,
            text_redacted: column(path, batch, "text_redacted")?,
            optional: OPTIONAL_TEXT
                .iter()
                .map(|f| column(path, batch, f.name()))
                .collect::<Result<_>>()?,
            closed_at: column(path, batch, "closed_at")?,
            extra: column(path, batch, "extra")?,
            source_file: column(path, batch, "source_file")?,
            source_line: column(path, batch, "source_line")?,
        })
    }

    fn order(&self, path: &Path, row: usize, normalizer: &Normalizer) -> Result<NormalizedOrder> {
        let bad = |message: String| Error::Table {
            path: path.to_owned(),
            message: format!("row {row}: {message}"),
        };
        let required = |a: &StringArray, name: &str| -> Result<String> {
            if a.is_null(row) {
                return Err(bad(format!("{name} is null")));
            }
            Ok(a.value(row).to_owned())
        };
        let optional = |a: &StringArray| (!a.is_null(row)).then(|| a.value(row).to_owned());
        if self.received_at.is_null(row) {
            return Err(bad("received_at is null".to_owned()));
        }
        let received_at = from_millis(self.received_at.value(row))
            .ok_or_else(|| bad("received_at out of range".to_owned()))?;
        let closed_at = if self.closed_at.is_null(row) {
            None
        } else {
            Some(
                from_millis(self.closed_at.value(row))
                    .ok_or_else(|| bad("closed_at out of range".to_owned()))?,
            )
        };
        let extra_json = required(self.extra, "extra")?;
        let extra: BTreeMap<String, String> = serde_json::from_str(&extra_json)
            .map_err(|e| bad(format!("extra is not a JSON object of strings: {e}")))?;
        let mut order = WorkOrder::new(
            required(self.id, "work_order_id")?,
            received_at,
            required(self.text, "text")?,
        );
        for (field, array) in OPTIONAL_TEXT.iter().zip(&self.optional) {
            order.set_text_field(*field, optional(array));
        }
        order.closed_at = closed_at;
        order.extra = extra;
        order.source = SourceRef {
            file: required(self.source_file, "source_file")?,
            line: self.source_line.value(row),
        };
        // Only kesu-normalize can mint a `Redacted`; redaction is
        // idempotent, so the stored text comes back unchanged.
        let text_redacted = normalizer.redact(self.text_redacted.value(row));
        Ok(NormalizedOrder {
            order,
            text_norm: required(self.text_norm, "text_norm")?,
            text_redacted,
        })
    }
}

/// Reads `orders.parquet` back, in stored order.
///
/// `text_redacted` is re-derived with `normalizer.redact` (the only way to
/// obtain a `Redacted`); for text written by kesu this returns it unchanged.
pub fn read_orders(path: &Path, normalizer: &Normalizer) -> Result<Vec<NormalizedOrder>> {
    let file = File::open(path).map_err(io_error(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error(path))?;
    let rows = usize::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
    let reader = builder
        .with_batch_size(ROW_GROUP_ROWS)
        .build()
        .map_err(parquet_error(path))?;
    let mut orders = Vec::with_capacity(rows);
    for batch in reader {
        let batch = batch.map_err(|source| Error::Arrow {
            path: path.to_owned(),
            source,
        })?;
        let columns = OrderColumns::new(path, &batch)?;
        for row in 0..batch.num_rows() {
            orders.push(columns.order(path, row, normalizer)?);
        }
    }
    Ok(orders)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use proptest::prelude::*;

    use super::*;
    use crate::read_parquet_metadata;

    fn at(day: u32, h: u32, ms: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 3, day)
            .and_then(|d| d.and_hms_milli_opt(h, 30, 5, ms))
            .expect("valid date")
    }

    fn full_order(n: &Normalizer, i: u32) -> NormalizedOrder {
        let mut o = WorkOrder::new(
            format!("GD{i:06}"),
            at(1 + i % 28, i % 24, i % 1000),
            format!("客戶張三來電反映停電{i}次，聯繫電話13812345678，户号3300123456。"),
        );
        o.channel = Some("95598".to_owned());
        o.unit = Some("城东供电所".to_owned());
        o.customer_id = Some("3300123456".to_owned());
        o.customer_name = Some("张三".to_owned());
        o.phone = Some("13812345678".to_owned());
        o.address = Some("杭州市西湖区文三路90号".to_owned());
        o.customer_class = Some("居民".to_owned());
        o.category = Some("停送电".to_owned());
        o.subcategory = Some("频繁停电".to_owned());
        o.substantiated = Some("属实".to_owned());
        o.handling = Some("已安排抢修".to_owned());
        o.closed_at = Some(at(2 + i % 27, 9, 0));
        o.extra.insert("回访结果".to_owned(), "满意".to_owned());
        o.extra
            .insert("quote\"key".to_owned(), "line\nbreak".to_owned());
        o.source = SourceRef {
            file: "exports/2024-03.csv".to_owned(),
            line: u64::from(i) + 2,
        };
        n.apply(o)
    }

    #[test]
    fn orders_round_trip() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        let mut orders: Vec<NormalizedOrder> = (0..5).map(|i| full_order(&n, i)).collect();
        // Only the required fields set: every optional column is null.
        orders.push(n.apply(WorkOrder::new("GD-bare", at(3, 0, 0), "")));
        // A very long text survives intact.
        let long: String = "频繁停电，电压不稳。".repeat(20_000);
        assert_eq!(long.chars().count(), 200_000);
        orders.push(n.apply(WorkOrder::new("GD-long", at(4, 12, 999), long)));

        write_orders(&path, &orders, "0123456789abcdef").expect("written");
        let back = read_orders(&path, &n).expect("read");
        assert_eq!(back, orders);
        // The order's own phone and name are starred out completely.
        assert_eq!(
            back[0].text_redacted.as_str(),
            "客户**来电反映停电0次，联系电话***********，户号**********。"
        );
        assert_eq!(back[5].order.channel, None);
        assert!(back[5].order.extra.is_empty());

        let meta = read_parquet_metadata(&path).expect("metadata");
        assert_eq!(meta.get(META_TABLE).map(String::as_str), Some(ORDERS_TABLE));
        assert_eq!(
            meta.get(META_ANALYZER_VERSION).map(String::as_str),
            Some("0123456789abcdef")
        );
    }

    #[test]
    fn segmented_orders_store_their_terms() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        let orders = [full_order(&n, 1), full_order(&n, 2)];
        let terms = ["停电 通知".to_owned(), "低电压".to_owned()];
        write_segmented_orders(&path, &orders, &terms, "v").expect("written");
        let file = File::open(&path).expect("open");
        let batch = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet")
            .build()
            .expect("reader")
            .next()
            .expect("one batch")
            .expect("batch");
        let stored = batch
            .column_by_name("terms")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .expect("terms column");
        assert_eq!(stored.value(0), "停电 通知");
        assert_eq!(stored.value(1), "低电压");
        // Orders still read back whole, terms or not.
        assert_eq!(read_orders(&path, &n).expect("read").len(), 2);
        // A term list per order, or nothing is written.
        let bad = dir.path().join("bad.parquet");
        assert!(write_segmented_orders(&bad, &orders, &terms[..1], "v").is_err());
        assert!(!bad.exists());
    }

    #[test]
    fn stored_columns_follow_the_spec() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        write_orders(&path, &[full_order(&n, 1)], "v").expect("written");
        let file = File::open(&path).expect("open");
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
        let schema = builder.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(
            names,
            [
                "work_order_id",
                "received_at",
                "text",
                "text_norm",
                "text_redacted",
                "channel",
                "unit",
                "customer_id",
                "customer_name",
                "phone",
                "address",
                "customer_class",
                "category",
                "subcategory",
                "substantiated",
                "handling",
                "closed_at",
                "extra",
                "source_file",
                "source_line",
                "terms",
            ]
        );
        let received = schema.field_with_name("received_at").expect("column");
        assert_eq!(received.data_type(), &timestamp_ms());
        let batch = builder
            .build()
            .expect("reader")
            .next()
            .expect("one batch")
            .expect("decoded");
        let extra = column::<StringArray>(&path, &batch, "extra").expect("extra");
        assert_eq!(
            extra.value(0),
            r#"{"quote\"key":"line\nbreak","回访结果":"满意"}"#
        );
        let received =
            column::<TimestampMillisecondArray>(&path, &batch, "received_at").expect("received_at");
        assert_eq!(received.value(0), to_millis(&at(2, 1, 1)));
    }

    #[test]
    fn orders_are_written_in_row_groups() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        let orders: Vec<NormalizedOrder> = (0..25).map(|i| full_order(&n, i)).collect();
        write_orders_in_groups(&path, &orders, None, "v", 10).expect("written");
        let reader = SerializedFileReader::new(File::open(&path).expect("open")).expect("parquet");
        let groups: Vec<i64> = reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups, vec![10, 10, 5]);
        assert_eq!(read_orders(&path, &n).expect("read"), orders);
    }

    #[test]
    fn empty_table_round_trips() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        write_orders(&path, &[], "v").expect("written");
        assert!(read_orders(&path, &n).expect("read").is_empty());
    }

    #[test]
    fn failed_write_keeps_previous_orders() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        let orders = vec![full_order(&n, 1)];
        write_orders(&path, &orders, "old").expect("written");
        // Writing through a path whose "file name" is a directory fails at the rename.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).expect("dir");
        std::fs::write(blocked.join("keep"), b"x").expect("file");
        assert!(write_orders(&blocked, &orders, "new").is_err());
        assert_eq!(read_orders(&path, &n).expect("old file intact"), orders);
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec!["blocked", "orders.parquet"],
            "no temp file left"
        );
    }

    /// FNV-1a, to pin the exact bytes of a file in a test.
    fn fnv(bytes: &[u8]) -> u64 {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    fn pinned_orders(n: &Normalizer) -> (Vec<NormalizedOrder>, Vec<String>) {
        let orders: Vec<NormalizedOrder> = (0..70).map(|i| full_order(n, i)).collect();
        let terms = (0..70).map(|i| format!("停电 {i} 次")).collect();
        (orders, terms)
    }

    /// The bytes of orders.parquet are pinned (measured before the writer
    /// became a stream), and the stream writes the same ones.
    #[test]
    fn streamed_orders_have_the_pinned_bytes() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let (orders, terms) = pinned_orders(&n);
        let whole = dir.path().join("whole.parquet");
        write_segmented_orders(&whole, &orders, &terms, "v1").expect("written");
        let whole = std::fs::read(&whole).expect("read");
        assert_eq!((whole.len(), fnv(&whole)), (11_600, 0x4417_d43d_157f_e16b));
        let streamed = dir.path().join("streamed.parquet");
        let rows = write_orders_streaming(&streamed, "v1", |sink| {
            for (o, t) in orders.iter().zip(&terms) {
                sink.push(o, Some(t))?;
            }
            Ok::<u64, Error>(sink.rows())
        })
        .expect("written");
        assert_eq!(rows, 70);
        assert_eq!(std::fs::read(&streamed).expect("read"), whole);
    }

    #[test]
    fn a_failed_stream_keeps_previous_orders() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("orders.parquet");
        let orders = vec![full_order(&n, 1)];
        write_orders(&path, &orders, "old").expect("written");
        #[derive(Debug, PartialEq)]
        enum Stop {
            Input,
            Store,
        }
        impl From<Error> for Stop {
            fn from(_: Error) -> Self {
                Stop::Store
            }
        }
        let result = write_orders_streaming(&path, "new", |sink| {
            sink.push(&full_order(&n, 2), None)?;
            Err::<(), Stop>(Stop::Input)
        });
        assert_eq!(result, Err(Stop::Input));
        assert_eq!(read_orders(&path, &n).expect("old file intact"), orders);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn wrong_table_is_rejected() {
        let n = Normalizer::builtin();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("other.parquet");
        let schema = Arc::new(Schema::new(vec![Column::new(
            "term",
            DataType::Utf8,
            false,
        )]));
        let batch = RecordBatch::try_new(schema, vec![Arc::new(StringArray::from(vec!["停电"]))])
            .expect("batch");
        crate::write_parquet_atomic(&path, &batch, &[]).expect("written");
        let err = read_orders(&path, &n).expect_err("not orders");
        assert!(err.to_string().contains("work_order_id"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn any_text_round_trips(text in "\\PC{0,200}", key in "\\PC{0,10}", value in "\\PC{0,10}") {
            let n = Normalizer::builtin();
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("orders.parquet");
            let mut o = WorkOrder::new("GD1", at(1, 0, 0), text);
            o.extra.insert(key, value);
            let orders = vec![n.apply(o)];
            write_orders(&path, &orders, "v").expect("written");
            prop_assert_eq!(read_orders(&path, &n).expect("read"), orders);
        }
    }
}
