//! The work order (工单) and its canonical fields.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// 工单编号: the utility's identifier of a work order, unique per order.
///
/// Upserts (ingest, index) are keyed on it: a later record with the same id
/// replaces the earlier one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkOrderId(pub String);

impl WorkOrderId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for WorkOrderId {
    fn from(s: &str) -> Self {
        WorkOrderId(s.to_owned())
    }
}

/// Anything that carries a work order id: the key by which a later record
/// replaces an earlier one, whatever form the order has been turned into.
pub trait Keyed {
    /// The 工单编号.
    fn work_order_id(&self) -> &str;
}

/// Where a record came from, so that any output row can be traced back to
/// the export line an auditor can open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SourceRef {
    /// The input file as given on the command line.
    pub file: String,
    /// 1-based physical line where the record starts (CSV/JSONL), or the
    /// 1-based row number in a sheet (XLSX), or the row number in Parquet.
    pub line: u64,
}

/// One complaint work order, with every canonical field of a real export.
///
/// Personal data (`customer_name`, `phone`, `address`, `customer_id`, and
/// whatever the free `text` holds) lives here; management outputs never see
/// this type, only redacted text produced by `kesu-normalize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkOrder {
    /// 工单编号.
    pub id: WorkOrderId,
    /// 受理时间: when the complaint was received.
    pub received_at: NaiveDateTime,
    /// 受理内容: the complaint text as received (not normalised).
    pub text: String,
    /// 受理渠道: 95598, 网上国网, 营业厅, …
    pub channel: Option<String>,
    /// 供电单位: the responsible supply unit.
    pub unit: Option<String>,
    /// 客户编号 / 户号.
    pub customer_id: Option<String>,
    /// 客户名称 / 户名.
    pub customer_name: Option<String>,
    /// 联系电话.
    pub phone: Option<String>,
    /// 用电地址.
    pub address: Option<String>,
    /// 客户类别 / 用电类别.
    pub customer_class: Option<String>,
    /// 业务类型 / 一级分类: the class the operator typed (often noisy).
    pub category: Option<String>,
    /// 二级分类.
    pub subcategory: Option<String>,
    /// 是否属实, as exported.
    pub substantiated: Option<String>,
    /// 处理意见 / 回复内容.
    pub handling: Option<String>,
    /// 归档时间 / 办结时间.
    pub closed_at: Option<NaiveDateTime>,
    /// Every column of the export that is not a canonical field, by header.
    pub extra: BTreeMap<String, String>,
    /// The file and line the record was read from.
    pub source: SourceRef,
}

impl WorkOrder {
    /// A work order with only the required fields set.
    pub fn new(id: impl Into<String>, received_at: NaiveDateTime, text: impl Into<String>) -> Self {
        WorkOrder {
            id: WorkOrderId(id.into()),
            received_at,
            text: text.into(),
            channel: None,
            unit: None,
            customer_id: None,
            customer_name: None,
            phone: None,
            address: None,
            customer_class: None,
            category: None,
            subcategory: None,
            substantiated: None,
            handling: None,
            closed_at: None,
            extra: BTreeMap::new(),
            source: SourceRef::default(),
        }
    }

    /// The value of an optional text field (`None` for the required and date
    /// fields, which have their own typed accessors).
    pub fn text_field(&self, field: Field) -> Option<&str> {
        let v = match field {
            Field::Channel => &self.channel,
            Field::Unit => &self.unit,
            Field::CustomerId => &self.customer_id,
            Field::CustomerName => &self.customer_name,
            Field::Phone => &self.phone,
            Field::Address => &self.address,
            Field::CustomerClass => &self.customer_class,
            Field::Category => &self.category,
            Field::Subcategory => &self.subcategory,
            Field::Substantiated => &self.substantiated,
            Field::Handling => &self.handling,
            Field::WorkOrderId => return Some(self.id.as_str()),
            Field::Text => return Some(&self.text),
            Field::ReceivedAt | Field::ClosedAt => return None,
        };
        v.as_deref()
    }

    /// Sets an optional text field; required and date fields are ignored
    /// (they are typed and set directly).
    pub fn set_text_field(&mut self, field: Field, value: Option<String>) {
        let slot = match field {
            Field::Channel => &mut self.channel,
            Field::Unit => &mut self.unit,
            Field::CustomerId => &mut self.customer_id,
            Field::CustomerName => &mut self.customer_name,
            Field::Phone => &mut self.phone,
            Field::Address => &mut self.address,
            Field::CustomerClass => &mut self.customer_class,
            Field::Category => &mut self.category,
            Field::Subcategory => &mut self.subcategory,
            Field::Substantiated => &mut self.substantiated,
            Field::Handling => &mut self.handling,
            Field::WorkOrderId | Field::Text | Field::ReceivedAt | Field::ClosedAt => return,
        };
        *slot = value;
    }
}

/// The canonical fields of a work-order export.
///
/// Their English names (`Field::name`) are the column names of every kesu
/// output; the Chinese headers of real exports map onto them through
/// `pipelines/columns.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 工单编号: the order's id, unique per utility.
    WorkOrderId,
    /// 受理时间: when the complaint was received.
    ReceivedAt,
    /// 受理内容: the complaint text as the operator wrote it.
    Text,
    /// 受理渠道: intake channel (95598 hotline, 网上国网, 营业厅 …).
    Channel,
    /// 供电单位: the supply unit responsible.
    Unit,
    /// 客户编号 / 户号: customer account number (personal data).
    CustomerId,
    /// 客户名称: customer name (personal data).
    CustomerName,
    /// 联系电话: contact phone (personal data).
    Phone,
    /// 用电地址: supply address (personal data).
    Address,
    /// 客户类别: customer class (居民, 非居民 …).
    CustomerClass,
    /// 业务类型 / 一级分类: the complaint class the operator typed.
    Category,
    /// 二级分类: the typed subclass.
    Subcategory,
    /// 是否属实: whether the complaint was found substantiated (属实 / 非属实).
    Substantiated,
    /// 处理意见: how the order was handled.
    Handling,
    /// 归档时间: when the order was closed.
    ClosedAt,
}

impl Field {
    /// Every canonical field, in output column order.
    pub const ALL: [Field; 15] = [
        Field::WorkOrderId,
        Field::ReceivedAt,
        Field::Text,
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
        Field::ClosedAt,
    ];

    /// The canonical (English, snake_case) name.
    pub fn name(self) -> &'static str {
        match self {
            Field::WorkOrderId => "work_order_id",
            Field::ReceivedAt => "received_at",
            Field::Text => "text",
            Field::Channel => "channel",
            Field::Unit => "unit",
            Field::CustomerId => "customer_id",
            Field::CustomerName => "customer_name",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::CustomerClass => "customer_class",
            Field::Category => "category",
            Field::Subcategory => "subcategory",
            Field::Substantiated => "substantiated",
            Field::Handling => "handling",
            Field::ClosedAt => "closed_at",
        }
    }

    /// The field with this canonical name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Fields without which a record is rejected.
    pub fn is_required(self) -> bool {
        matches!(self, Field::WorkOrderId | Field::ReceivedAt | Field::Text)
    }

    /// Fields that hold personal data and must never reach management outputs.
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            Field::CustomerId | Field::CustomerName | Field::Phone | Field::Address
        )
    }

    /// Fields holding a date-time.
    pub fn is_date(self) -> bool {
        matches!(self, Field::ReceivedAt | Field::ClosedAt)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Keyed for WorkOrder {
    fn work_order_id(&self) -> &str {
        self.id.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
        }
        assert_eq!(Field::from_name("nope"), None);
    }

    #[test]
    fn text_fields_round_trip() {
        let at = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("valid date");
        let mut o = WorkOrder::new("GD1", at, "停电");
        for f in Field::ALL {
            o.set_text_field(f, Some(format!("v-{f}")));
        }
        assert_eq!(o.text_field(Field::Unit), Some("v-unit"));
        assert_eq!(o.text_field(Field::WorkOrderId), Some("GD1"));
        assert_eq!(o.text_field(Field::Text), Some("停电"));
        assert_eq!(o.text_field(Field::ReceivedAt), None);
    }
}
