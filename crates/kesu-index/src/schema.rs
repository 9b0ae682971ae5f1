//! The index schema: one tantivy document per work order.
//!
//! - `id` (raw, stored): the upsert key (`delete_term` then add).
//! - `words` (kesu segmenter, search mode, freqs): BM25 ranking only.
//! - `bigrams` (positions) and `unigrams` (docs only): recall; see
//!   [`crate::tokenize`].
//! - `received` (i64 seconds, indexed + fast), `month` and the facet fields
//!   (raw, indexed + fast): filters and facet counts. Facet values are
//!   normalised like the text, so `unit:城區…` finds `城区…`.
//! - `analyzer` (raw): the analyzer version each document was built with, so
//!   `reindex` can find the stale ones.
//! - `case` (stored JSON): everything an auditor reads, including the
//!   original text and extra attributes, and what `reindex` rebuilds from.
//!
//! What both writing (`index`) and reading (`search`) need lives here, so
//! that neither depends on the other: the filter fields and loading a stored
//! case back from a document.

use chrono::NaiveDateTime;
use kesu_model::WorkOrder;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};

use crate::tokenize::{BIGRAM_TOKENIZER, UNIGRAM_TOKENIZER, WORD_TOKENIZER};
use crate::{Error, Result};

/// Handles of every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// 工单编号 (upsert key).
    pub id: Field,
    /// Segmented words (ranking).
    pub words: Field,
    /// Character bigrams with positions (phrase = substring).
    pub bigrams: Field,
    /// Single characters.
    pub unigrams: Field,
    /// Received time, seconds since the epoch (naive time read as UTC).
    pub received: Field,
    /// `YYYY-MM` of the received time.
    pub month: Field,
    /// 供电单位.
    pub unit: Field,
    /// 一级分类.
    pub class: Field,
    /// 二级分类.
    pub subcategory: Field,
    /// 受理渠道.
    pub channel: Field,
    /// 客户类别.
    pub customer_class: Field,
    /// 是否属实.
    pub substantiated: Field,
    /// Analyzer version of the document.
    pub analyzer: Field,
    /// The stored case (JSON).
    pub case: Field,
}

/// Field names as they appear in the tantivy schema (and fast-field lookups).
pub mod names {
    /// See [`super::Fields::id`].
    pub const ID: &str = "id";
    /// See [`super::Fields::received`].
    pub const RECEIVED: &str = "received";
    /// See [`super::Fields::month`].
    pub const MONTH: &str = "month";
}

impl Fields {
    /// Builds the schema and returns it with its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = |tokenizer: &str, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(record),
            )
        };
        let fields = Fields {
            id: b.add_text_field(names::ID, STRING | STORED),
            words: b.add_text_field("words", text(WORD_TOKENIZER, IndexRecordOption::WithFreqs)),
            bigrams: b.add_text_field(
                "bigrams",
                text(BIGRAM_TOKENIZER, IndexRecordOption::WithFreqsAndPositions),
            ),
            unigrams: b.add_text_field(
                "unigrams",
                text(UNIGRAM_TOKENIZER, IndexRecordOption::Basic),
            ),
            received: b.add_i64_field(names::RECEIVED, INDEXED | FAST),
            month: b.add_text_field(names::MONTH, STRING | FAST),
            unit: b.add_text_field(FilterField::Unit.name(), STRING | FAST),
            class: b.add_text_field(FilterField::Class.name(), STRING | FAST),
            subcategory: b.add_text_field(FilterField::Subcategory.name(), STRING | FAST),
            channel: b.add_text_field(FilterField::Channel.name(), STRING | FAST),
            customer_class: b.add_text_field(FilterField::CustomerClass.name(), STRING | FAST),
            substantiated: b.add_text_field(FilterField::Substantiated.name(), STRING | FAST),
            analyzer: b.add_text_field("analyzer", STRING),
            case: b.add_text_field("case", STORED),
        };
        (b.build(), fields)
    }

    /// The tantivy field of a filter field.
    pub fn filter(&self, field: FilterField) -> Field {
        match field {
            FilterField::Unit => self.unit,
            FilterField::Class => self.class,
            FilterField::Subcategory => self.subcategory,
            FilterField::Channel => self.channel,
            FilterField::CustomerClass => self.customer_class,
            FilterField::Substantiated => self.substantiated,
            FilterField::Id => self.id,
        }
    }
}

/// The value of a filter field of an order, as stored in the order.
pub fn filter_value(order: &WorkOrder, field: FilterField) -> Option<&str> {
    match field {
        FilterField::Unit => order.unit.as_deref(),
        FilterField::Class => order.category.as_deref(),
        FilterField::Subcategory => order.subcategory.as_deref(),
        FilterField::Channel => order.channel.as_deref(),
        FilterField::CustomerClass => order.customer_class.as_deref(),
        FilterField::Substantiated => order.substantiated.as_deref(),
        FilterField::Id => Some(order.id.as_str()),
    }
}

/// Seconds since the epoch of a naive (local, as exported) time.
pub fn seconds(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}

/// One complaint as an auditor reads it: the whole work order (original text,
/// every canonical field, extra attributes, source) plus the normalised and
/// redacted texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCase {
    /// The work order as ingested.
    pub order: WorkOrder,
    /// Normalised text: what is searched and highlighted.
    pub text_norm: String,
    /// Redacted text: what may be shown to management.
    pub text_redacted: String,
    /// Analyzer version the document was indexed with.
    pub analyzer_version: String,
}

/// Fields that can be filtered on, in a query (`unit:…`) or by flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilterField {
    /// 供电单位.
    Unit,
    /// 一级分类 / 业务类型 (the `category` column); also written `class:`.
    Class,
    /// 二级分类.
    Subcategory,
    /// 受理渠道.
    Channel,
    /// 客户类别.
    CustomerClass,
    /// 是否属实.
    Substantiated,
    /// 工单编号.
    Id,
}

impl FilterField {
    /// Every filter field.
    pub const ALL: [FilterField; 7] = [
        FilterField::Unit,
        FilterField::Class,
        FilterField::Subcategory,
        FilterField::Channel,
        FilterField::CustomerClass,
        FilterField::Substantiated,
        FilterField::Id,
    ];

    /// The name used in queries.
    pub fn name(self) -> &'static str {
        match self {
            FilterField::Unit => "unit",
            FilterField::Class => "class",
            FilterField::Subcategory => "subcategory",
            FilterField::Channel => "channel",
            FilterField::CustomerClass => "customer_class",
            FilterField::Substantiated => "substantiated",
            FilterField::Id => "id",
        }
    }

    /// The field named so in a query (canonical column names are accepted too).
    pub fn from_name(name: &str) -> Option<FilterField> {
        match name {
            "unit" => Some(FilterField::Unit),
            "class" | "category" => Some(FilterField::Class),
            "subcategory" => Some(FilterField::Subcategory),
            "channel" => Some(FilterField::Channel),
            "customer_class" | "customer-class" => Some(FilterField::CustomerClass),
            "substantiated" => Some(FilterField::Substantiated),
            "id" | "work_order_id" => Some(FilterField::Id),
            _ => None,
        }
    }
}

/// Reads the stored case of a document.
pub(crate) fn load_case(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    addr: tantivy::DocAddress,
) -> Result<StoredCase> {
    let doc: tantivy::TantivyDocument = searcher.doc(addr)?;
    let json = doc
        .get_first(fields.case)
        .and_then(|v| v.as_str())
        .ok_or_else(|| Error::Corrupt {
            message: format!("document {addr:?} has no stored case"),
        })?;
    Ok(serde_json::from_str(json)?)
}
