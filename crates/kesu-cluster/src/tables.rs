//! Arrow tables of a mining run (assignments.parquet, root_causes.parquet);
//! the caller writes them atomically with `kesu_store::write_parquet_atomic`.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float32Array, Float64Array, ListBuilder, StringArray, StringBuilder,
    UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::{Mining, OTHER_ID, OTHER_LABEL, Result};

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

fn list_of(rows: &[Vec<String>]) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for row in rows {
        for v in row {
            b.values().append_value(v);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

fn list_field(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

/// One row per work order, in input order.
pub fn assignments_batch(mining: &Mining) -> Result<RecordBatch> {
    let a = &mining.assignments;
    let schema = Schema::new(vec![
        Field::new("work_order_id", DataType::Utf8, false),
        Field::new("cause_id", DataType::UInt32, false),
        Field::new("cause_label", DataType::Utf8, false),
        Field::new("gap", DataType::Utf8, false),
        Field::new("predicted_class", DataType::Utf8, false),
        Field::new("typed_class", DataType::Utf8, true),
        Field::new("class_disagrees", DataType::Boolean, false),
        Field::new("is_repeat", DataType::Boolean, false),
        Field::new("repeat_group", DataType::Utf8, false),
        Field::new("score", DataType::Float32, false),
    ]);
    let cols: Vec<ArrayRef> = vec![
        strings(a.iter().map(|x| Some(&*x.id))),
        Arc::new(a.iter().map(|x| x.cause_id).collect::<UInt32Array>()),
        strings(a.iter().map(|x| Some(&*x.cause_label))),
        strings(a.iter().map(|x| Some(&*x.gap))),
        strings(a.iter().map(|x| Some(x.predicted_class.label()))),
        strings(a.iter().map(|x| x.typed_class.as_deref())),
        Arc::new(
            a.iter()
                .map(|x| Some(x.class_disagrees))
                .collect::<BooleanArray>(),
        ),
        Arc::new(
            a.iter()
                .map(|x| Some(x.is_repeat))
                .collect::<BooleanArray>(),
        ),
        strings(a.iter().map(|x| Some(&*x.repeat_group))),
        Arc::new(a.iter().map(|x| x.score).collect::<Float32Array>()),
    ];
    Ok(RecordBatch::try_new(Arc::new(schema), cols)?)
}

fn json_of(m: &std::collections::BTreeMap<String, f64>) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| "{}".to_owned())
}

/// One row per root cause by decreasing size, then the "other" bucket (cause 0).
pub fn root_causes_batch(mining: &Mining) -> Result<RecordBatch> {
    let rc = &mining.root_causes;
    let other_size = mining
        .assignments
        .iter()
        .filter(|a| a.cause_id == OTHER_ID)
        .count();
    let n = mining.assignments.len().max(1);
    let rows = rc.len() + 1;
    let mut ids: Vec<u32> = rc.iter().map(|c| c.id).collect();
    ids.push(OTHER_ID);
    let mut labels: Vec<&str> = rc.iter().map(|c| c.label.as_str()).collect();
    labels.push(OTHER_LABEL);
    let mut sizes: Vec<u64> = rc.iter().map(|c| c.size as u64).collect();
    sizes.push(other_size as u64);
    let mut shares: Vec<f64> = rc.iter().map(|c| c.share).collect();
    shares.push(other_size as f64 / n as f64);
    let mut top: Vec<Vec<String>> = rc
        .iter()
        .map(|c| c.top_terms.iter().map(|t| t.0.clone()).collect())
        .collect();
    top.push(Vec::new());
    let mut typical_ids: Vec<Vec<String>> = rc
        .iter()
        .map(|c| c.typical.iter().map(|t| t.id.0.clone()).collect())
        .collect();
    typical_ids.push(Vec::new());
    let mut typical_texts: Vec<Vec<String>> = rc
        .iter()
        .map(|c| {
            c.typical
                .iter()
                .map(|t| t.text.as_str().to_owned())
                .collect()
        })
        .collect();
    typical_texts.push(Vec::new());
    let col = |f: &dyn Fn(&crate::RootCause) -> String| -> ArrayRef {
        let mut v: Vec<String> = rc.iter().map(f).collect();
        v.push(String::new());
        Arc::new(StringArray::from(v))
    };
    let mut gap_scores: Vec<f64> = rc.iter().map(|c| c.gap.score).collect();
    gap_scores.push(0.0);
    let schema = Schema::new(vec![
        Field::new("cause_id", DataType::UInt32, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("size", DataType::UInt64, false),
        Field::new("share", DataType::Float64, false),
        list_field("top_terms"),
        Field::new("gap_id", DataType::Utf8, false),
        Field::new("gap", DataType::Utf8, false),
        Field::new("gap_score", DataType::Float64, false),
        Field::new("quadrant", DataType::Utf8, false),
        Field::new("remedy", DataType::Utf8, false),
        Field::new("responsible_post", DataType::Utf8, false),
        Field::new("unit_share", DataType::Utf8, false),
        Field::new("class_share", DataType::Utf8, false),
        Field::new("channel_share", DataType::Utf8, false),
        list_field("typical_ids"),
        list_field("typical_texts"),
    ]);
    let cols: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from(ids)),
        Arc::new(StringArray::from(labels)),
        Arc::new(UInt64Array::from(sizes)),
        Arc::new(Float64Array::from(shares)),
        list_of(&top),
        col(&|c| c.gap.gap_id.clone().unwrap_or_default()),
        col(&|c| c.gap.name.clone()),
        Arc::new(Float64Array::from(gap_scores)),
        col(&|c| c.gap.quadrant.clone()),
        col(&|c| c.gap.remedy.clone()),
        col(&|c| c.gap.post.clone()),
        col(&|c| json_of(&c.unit_share)),
        col(&|c| json_of(&c.class_share)),
        col(&|c| json_of(&c.channel_share)),
        list_of(&typical_ids),
        list_of(&typical_texts),
    ];
    debug_assert!(cols.iter().all(|c| c.len() == rows));
    Ok(RecordBatch::try_new(Arc::new(schema), cols)?)
}
