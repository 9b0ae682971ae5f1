//! The weekly tables: one row type per table, its Arrow schema and the
//! batch built from rows. Nested values are Arrow lists, structs and maps
//! (never JSON text in a string column), so that pyarrow, DuckDB and Spark
//! read them as typed columns.
//!
//! Every table is written as `STATE/tables/<table>/week=YYYY-Www/part-0.parquet`
//! (Hive partitioning) and every row also carries its `week`.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Float64Builder, ListBuilder, MapBuilder,
    PrimitiveBuilder, StringArray, StringBuilder, StructBuilder, TimestampSecondArray, UInt64Array,
};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, Fields, Float64Type, Schema, SchemaRef, TimeUnit,
    UInt64Type,
};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::Result;

/// The tables of a week, in the order they are written.
pub const TABLES: [&str; 5] = ["assignments", "causes", "alerts", "kpis", "rejects"];

/// One work order's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentRow {
    /// 工单编号.
    pub work_order_id: String,
    /// Local receipt time.
    pub received_at: NaiveDateTime,
    /// Supply unit (供电单位).
    pub unit: Option<String>,
    /// Intake channel.
    pub channel: Option<String>,
    /// Stable cause key (`C0007`; `C0000` for 其他).
    pub cause_key: String,
    /// The cause's name: the user's from causes.toml, else its label.
    pub cause_label: String,
    /// Management gap name (or "unmapped: possible new gap"; empty for 其他).
    pub gap: String,
    /// Management gap id of the taxonomy.
    pub gap_id: Option<String>,
    /// Predicted complaint class.
    pub predicted_class: String,
    /// Class as typed by the operator (raw).
    pub typed_class: Option<String>,
    /// Typed class known and different from the prediction.
    pub class_disagrees: bool,
    /// A later member of a repeat group.
    pub is_repeat: bool,
    /// First order of the repeat group (own id when alone).
    pub repeat_group: String,
}

/// A typical case of a cause (redacted text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypicalRow {
    /// The work order an auditor can open.
    pub work_order_id: String,
    /// Redacted, normalised text.
    pub text: String,
    /// How the order was handled (处理意见), redacted; empty when unknown.
    pub handling: String,
    /// Cosine to the cause's centroid.
    pub similarity: f64,
}

/// One cause in one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CauseRow {
    /// Stable key.
    pub cause_key: String,
    /// The name used everywhere: the user's, else the automatic label.
    pub label: String,
    /// The label mining gave it this week.
    pub auto_label: String,
    /// new / recurring / growing / fading / split / merged / other.
    pub status: String,
    /// Orders this week.
    pub orders: u64,
    /// Share of the week's orders.
    pub share: f64,
    /// Top terms with their class-based TF-IDF weight.
    pub top_terms: Vec<(String, f64)>,
    /// Management gap name.
    pub gap: String,
    /// Management gap id.
    pub gap_id: Option<String>,
    /// Remedy (培训 / 整改流程 / 延伸服务 / 宣传).
    pub remedy: String,
    /// Responsible post.
    pub responsible_post: String,
    /// Substantiation quadrant.
    pub quadrant: String,
    /// Typical cases.
    pub typical: Vec<TypicalRow>,
    /// Orders per supply unit.
    pub unit_orders: BTreeMap<String, u64>,
    /// Share per predicted class.
    pub class_share: BTreeMap<String, f64>,
    /// Share per channel.
    pub channel_share: BTreeMap<String, f64>,
    /// Cosine to the known cause it was matched to (None when new).
    pub similarity: Option<f64>,
    /// For a split: the key it split from.
    pub split_from: Option<String>,
    /// For a merge: the keys it absorbed this week.
    pub merged: Vec<String>,
}

/// An early warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    /// Cause key.
    pub cause_key: String,
    /// Cause name.
    pub cause_label: String,
    /// Supply unit; None for all units.
    pub unit: Option<String>,
    /// Orders this week.
    pub observed: u64,
    /// Expected from the baseline.
    pub expected: f64,
    /// Count above which the week is unusual.
    pub threshold: f64,
    /// P(count ≥ observed) under the baseline.
    pub p_value: f64,
    /// Benjamini–Hochberg q-value across the week's cells.
    pub q_value: f64,
    /// alert or watch.
    pub level: String,
    /// The rule that fired (count model, EARS, emerging).
    pub method: String,
    /// Short explanation.
    pub reason: String,
}

/// Complaint KPIs of a week, for one unit or all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRow {
    /// Supply unit; None for all units.
    pub unit: Option<String>,
    /// Orders this week.
    pub orders: u64,
    /// Customers (from the units file).
    pub customers: Option<u64>,
    /// Orders per 10 000 customers.
    pub orders_per_10k: Option<f64>,
    /// Orders with a substantiation value kesu understood.
    pub substantiation_known: u64,
    /// Share 属实 among them.
    pub substantiated_rate: Option<f64>,
    /// Repeat complaints / orders.
    pub repeat_rate: f64,
    /// Orders with a closing time.
    pub closed: u64,
    /// Share of closed orders closed within their class's limit.
    pub on_time_rate: Option<f64>,
    /// Share per predicted class.
    pub class_mix: BTreeMap<String, f64>,
    /// Share per channel.
    pub channel_mix: BTreeMap<String, f64>,
    /// Orders the week before (None when that week was not run).
    pub orders_prev_week: Option<u64>,
    /// Relative change from the week before.
    pub week_on_week: Option<f64>,
    /// Orders in the same week a year earlier.
    pub orders_year_ago: Option<u64>,
    /// Relative change from a year earlier.
    pub year_on_year: Option<f64>,
}

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn week_field() -> Field {
    utf8("week", false)
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

fn week_column(week: &str, n: usize) -> ArrayRef {
    Arc::new(StringArray::from(vec![week; n]))
}

fn map_field(name: &str, value: DataType) -> Field {
    Field::new(
        name,
        DataType::Map(
            Arc::new(Field::new(
                "entries",
                DataType::Struct(Fields::from(vec![
                    Field::new("key", DataType::Utf8, false),
                    Field::new("value", value, true),
                ])),
                false,
            )),
            false,
        ),
        false,
    )
}

/// A `map<string, T>` column, one map per row (keys in order).
fn map_column<'a, T: ArrowPrimitiveType>(
    rows: impl Iterator<Item = &'a BTreeMap<String, T::Native>>,
) -> Result<ArrayRef> {
    let mut b = MapBuilder::new(None, StringBuilder::new(), PrimitiveBuilder::<T>::new());
    for row in rows {
        for (k, v) in row {
            b.keys().append_value(k);
            b.values().append_value(*v);
        }
        b.append(true)?;
    }
    Ok(Arc::new(b.finish()))
}

fn batch(schema: Schema, cols: Vec<ArrayRef>) -> Result<RecordBatch> {
    Ok(RecordBatch::try_new(Arc::new(schema), cols)?)
}

/// Schema of `assignments`.
pub fn assignments_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        week_field(),
        utf8("work_order_id", false),
        Field::new(
            "received_at",
            DataType::Timestamp(TimeUnit::Second, None),
            false,
        ),
        utf8("unit", true),
        utf8("channel", true),
        utf8("cause_key", false),
        utf8("cause_label", false),
        utf8("gap", false),
        utf8("gap_id", true),
        utf8("predicted_class", false),
        utf8("typed_class", true),
        Field::new("class_disagrees", DataType::Boolean, false),
        Field::new("is_repeat", DataType::Boolean, false),
        utf8("repeat_group", false),
    ]))
}

/// The `assignments` batch of a week.
pub fn assignments_batch(week: &str, rows: &[AssignmentRow]) -> Result<RecordBatch> {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        week_column(week, n),
        strings(rows.iter().map(|r| Some(r.work_order_id.as_str()))),
        Arc::new(TimestampSecondArray::from(
            rows.iter()
                .map(|r| r.received_at.and_utc().timestamp())
                .collect::<Vec<i64>>(),
        )),
        strings(rows.iter().map(|r| r.unit.as_deref())),
        strings(rows.iter().map(|r| r.channel.as_deref())),
        strings(rows.iter().map(|r| Some(r.cause_key.as_str()))),
        strings(rows.iter().map(|r| Some(r.cause_label.as_str()))),
        strings(rows.iter().map(|r| Some(r.gap.as_str()))),
        strings(rows.iter().map(|r| r.gap_id.as_deref())),
        strings(rows.iter().map(|r| Some(r.predicted_class.as_str()))),
        strings(rows.iter().map(|r| r.typed_class.as_deref())),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.class_disagrees))
                .collect::<BooleanArray>(),
        ),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.is_repeat))
                .collect::<BooleanArray>(),
        ),
        strings(rows.iter().map(|r| Some(r.repeat_group.as_str()))),
    ];
    let schema = Arc::unwrap_or_clone(assignments_schema());
    batch(schema, cols)
}

fn term_fields() -> Fields {
    Fields::from(vec![
        Field::new("term", DataType::Utf8, false),
        Field::new("weight", DataType::Float64, false),
    ])
}

fn typical_fields() -> Fields {
    Fields::from(vec![
        Field::new("work_order_id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("handling", DataType::Utf8, false),
        Field::new("similarity", DataType::Float64, false),
    ])
}

fn list_of_struct(name: &str, fields: Fields) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Struct(fields), true))),
        false,
    )
}

fn list_of_strings(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

/// Schema of `causes`.
pub fn causes_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        week_field(),
        utf8("cause_key", false),
        utf8("label", false),
        utf8("auto_label", false),
        utf8("status", false),
        Field::new("orders", DataType::UInt64, false),
        Field::new("share", DataType::Float64, false),
        list_of_struct("top_terms", term_fields()),
        utf8("gap", false),
        utf8("gap_id", true),
        utf8("remedy", false),
        utf8("responsible_post", false),
        utf8("quadrant", false),
        list_of_struct("typical", typical_fields()),
        map_field("unit_orders", DataType::UInt64),
        map_field("class_share", DataType::Float64),
        map_field("channel_share", DataType::Float64),
        Field::new("similarity", DataType::Float64, true),
        utf8("split_from", true),
        list_of_strings("merged"),
    ]))
}

/// The `causes` batch of a week.
pub fn causes_batch(week: &str, rows: &[CauseRow]) -> Result<RecordBatch> {
    let n = rows.len();
    let mut terms = ListBuilder::new(StructBuilder::from_fields(term_fields(), 0)).with_field(
        Arc::new(Field::new("item", DataType::Struct(term_fields()), true)),
    );
    for r in rows {
        let s = terms.values();
        for (t, w) in &r.top_terms {
            s.field_builder::<StringBuilder>(0)
                .expect("term is a string")
                .append_value(t);
            s.field_builder::<Float64Builder>(1)
                .expect("weight is a float")
                .append_value(*w);
            s.append(true);
        }
        terms.append(true);
    }
    let mut typical = ListBuilder::new(StructBuilder::from_fields(typical_fields(), 0)).with_field(
        Arc::new(Field::new("item", DataType::Struct(typical_fields()), true)),
    );
    for r in rows {
        let s = typical.values();
        for t in &r.typical {
            for (i, v) in [&t.work_order_id, &t.text, &t.handling]
                .into_iter()
                .enumerate()
            {
                s.field_builder::<StringBuilder>(i)
                    .expect("string field")
                    .append_value(v);
            }
            s.field_builder::<Float64Builder>(3)
                .expect("similarity is a float")
                .append_value(t.similarity);
            s.append(true);
        }
        typical.append(true);
    }
    let mut merged = ListBuilder::new(StringBuilder::new());
    for r in rows {
        for k in &r.merged {
            merged.values().append_value(k);
        }
        merged.append(true);
    }
    let cols: Vec<ArrayRef> = vec![
        week_column(week, n),
        strings(rows.iter().map(|r| Some(r.cause_key.as_str()))),
        strings(rows.iter().map(|r| Some(r.label.as_str()))),
        strings(rows.iter().map(|r| Some(r.auto_label.as_str()))),
        strings(rows.iter().map(|r| Some(r.status.as_str()))),
        Arc::new(rows.iter().map(|r| r.orders).collect::<UInt64Array>()),
        Arc::new(rows.iter().map(|r| r.share).collect::<Float64Array>()),
        Arc::new(terms.finish()),
        strings(rows.iter().map(|r| Some(r.gap.as_str()))),
        strings(rows.iter().map(|r| r.gap_id.as_deref())),
        strings(rows.iter().map(|r| Some(r.remedy.as_str()))),
        strings(rows.iter().map(|r| Some(r.responsible_post.as_str()))),
        strings(rows.iter().map(|r| Some(r.quadrant.as_str()))),
        Arc::new(typical.finish()),
        map_column::<UInt64Type>(rows.iter().map(|r| &r.unit_orders))?,
        map_column::<Float64Type>(rows.iter().map(|r| &r.class_share))?,
        map_column::<Float64Type>(rows.iter().map(|r| &r.channel_share))?,
        Arc::new(rows.iter().map(|r| r.similarity).collect::<Float64Array>()),
        strings(rows.iter().map(|r| r.split_from.as_deref())),
        Arc::new(merged.finish()),
    ];
    batch(Arc::unwrap_or_clone(causes_schema()), cols)
}

/// Schema of `alerts`.
pub fn alerts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        week_field(),
        utf8("cause_key", false),
        utf8("cause_label", false),
        utf8("unit", true),
        Field::new("observed", DataType::UInt64, false),
        Field::new("expected", DataType::Float64, false),
        Field::new("threshold", DataType::Float64, false),
        Field::new("p_value", DataType::Float64, false),
        Field::new("q_value", DataType::Float64, false),
        utf8("level", false),
        utf8("method", false),
        utf8("reason", false),
    ]))
}

/// The `alerts` batch of a week.
pub fn alerts_batch(week: &str, rows: &[AlertRow]) -> Result<RecordBatch> {
    let n = rows.len();
    let f = |g: &dyn Fn(&AlertRow) -> f64| -> ArrayRef {
        Arc::new(rows.iter().map(g).collect::<Float64Array>())
    };
    let cols: Vec<ArrayRef> = vec![
        week_column(week, n),
        strings(rows.iter().map(|r| Some(r.cause_key.as_str()))),
        strings(rows.iter().map(|r| Some(r.cause_label.as_str()))),
        strings(rows.iter().map(|r| r.unit.as_deref())),
        Arc::new(rows.iter().map(|r| r.observed).collect::<UInt64Array>()),
        f(&|r| r.expected),
        f(&|r| r.threshold),
        f(&|r| r.p_value),
        f(&|r| r.q_value),
        strings(rows.iter().map(|r| Some(r.level.as_str()))),
        strings(rows.iter().map(|r| Some(r.method.as_str()))),
        strings(rows.iter().map(|r| Some(r.reason.as_str()))),
    ];
    batch(Arc::unwrap_or_clone(alerts_schema()), cols)
}

/// Schema of `kpis`.
pub fn kpis_schema() -> SchemaRef {
    let f64n = |name: &str| Field::new(name, DataType::Float64, true);
    let u64n = |name: &str| Field::new(name, DataType::UInt64, true);
    Arc::new(Schema::new(vec![
        week_field(),
        utf8("unit", true),
        Field::new("orders", DataType::UInt64, false),
        u64n("customers"),
        f64n("orders_per_10k"),
        Field::new("substantiation_known", DataType::UInt64, false),
        f64n("substantiated_rate"),
        Field::new("repeat_rate", DataType::Float64, false),
        Field::new("closed", DataType::UInt64, false),
        f64n("on_time_rate"),
        map_field("class_mix", DataType::Float64),
        map_field("channel_mix", DataType::Float64),
        u64n("orders_prev_week"),
        f64n("week_on_week"),
        u64n("orders_year_ago"),
        f64n("year_on_year"),
    ]))
}

/// The `kpis` batch of a week.
pub fn kpis_batch(week: &str, rows: &[KpiRow]) -> Result<RecordBatch> {
    let n = rows.len();
    let of64 = |g: &dyn Fn(&KpiRow) -> Option<f64>| -> ArrayRef {
        Arc::new(rows.iter().map(g).collect::<Float64Array>())
    };
    let ou64 = |g: &dyn Fn(&KpiRow) -> Option<u64>| -> ArrayRef {
        Arc::new(rows.iter().map(g).collect::<UInt64Array>())
    };
    let cols: Vec<ArrayRef> = vec![
        week_column(week, n),
        strings(rows.iter().map(|r| r.unit.as_deref())),
        ou64(&|r| Some(r.orders)),
        ou64(&|r| r.customers),
        of64(&|r| r.orders_per_10k),
        ou64(&|r| Some(r.substantiation_known)),
        of64(&|r| r.substantiated_rate),
        of64(&|r| Some(r.repeat_rate)),
        ou64(&|r| Some(r.closed)),
        of64(&|r| r.on_time_rate),
        map_column::<Float64Type>(rows.iter().map(|r| &r.class_mix))?,
        map_column::<Float64Type>(rows.iter().map(|r| &r.channel_mix))?,
        ou64(&|r| r.orders_prev_week),
        of64(&|r| r.week_on_week),
        ou64(&|r| r.orders_year_ago),
        of64(&|r| r.year_on_year),
    ];
    batch(Arc::unwrap_or_clone(kpis_schema()), cols)
}

/// Schema of `rejects`.
pub fn rejects_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        week_field(),
        utf8("file", false),
        Field::new("line", DataType::UInt64, false),
        utf8("column", true),
        utf8("reason", false),
        utf8("raw", false),
    ]))
}

/// The `rejects` batch of a run's rows that could not be read.
pub fn rejects_batch(week: &str, rows: &[kesu_model::Reject]) -> Result<RecordBatch> {
    let reasons: Vec<String> = rows.iter().map(|r| r.reason.to_string()).collect();
    let cols: Vec<ArrayRef> = vec![
        week_column(week, rows.len()),
        strings(rows.iter().map(|r| Some(r.file.as_str()))),
        Arc::new(rows.iter().map(|r| r.line).collect::<UInt64Array>()),
        strings(rows.iter().map(|r| r.column.as_deref())),
        strings(reasons.iter().map(|r| Some(r.as_str()))),
        strings(rows.iter().map(|r| Some(r.raw.as_str()))),
    ];
    batch(Arc::unwrap_or_clone(rejects_schema()), cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_match_their_schemas_including_empty_ones() {
        let cause = CauseRow {
            cause_key: "C0001".into(),
            label: "电表跳字".into(),
            auto_label: "电表·跳字".into(),
            status: "new".into(),
            orders: 3,
            share: 0.5,
            top_terms: vec![("电表".into(), 1.0), ("跳字".into(), 0.5)],
            gap: "计量".into(),
            gap_id: Some("metering".into()),
            remedy: "整改流程".into(),
            responsible_post: "电能计量".into(),
            quadrant: "".into(),
            typical: vec![TypicalRow {
                work_order_id: "W1".into(),
                text: "电表跳字".into(),
                handling: "".into(),
                similarity: 0.9,
            }],
            unit_orders: [("城区".to_owned(), 3u64)].into(),
            class_share: [("营业业务".to_owned(), 1.0)].into(),
            channel_share: BTreeMap::new(),
            similarity: None,
            split_from: None,
            merged: vec!["C0002".into()],
        };
        let b = causes_batch("2024-W01", &[cause.clone(), cause]).unwrap();
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.schema(), causes_schema());
        assert_eq!(causes_batch("2024-W01", &[]).unwrap().num_rows(), 0);
        assert_eq!(
            alerts_batch("2024-W01", &[]).unwrap().schema(),
            alerts_schema()
        );
        assert_eq!(kpis_batch("2024-W01", &[]).unwrap().schema(), kpis_schema());
        assert_eq!(
            rejects_batch("2024-W01", &[]).unwrap().schema(),
            rejects_schema()
        );
        assert_eq!(
            assignments_batch("2024-W01", &[]).unwrap().schema(),
            assignments_schema()
        );
    }
}
