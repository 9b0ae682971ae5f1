//! Turning one record's cells into a work order, or into the reason it is rejected.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use kesu_model::{Field, RejectReason, SourceRef, WorkOrder};

use crate::IngestOptions;
use crate::dates::{from_excel_serial, parse_datetime, parse_excel_serial_text};
use crate::{Error, Result};

/// Where one column's values go: a canonical field, or `extra` under `name`.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub field: Option<Field>,
    pub name: String,
}

/// The columns of a tabular file (CSV, XLSX, Parquet), resolved once.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub targets: Vec<Target>,
    /// The local zone that date-times with an offset are converted to.
    pub timezone: Tz,
}

impl Schema {
    /// Resolves headers through the column table and refuses a file that
    /// lacks a required field. A second column meaning an already-mapped
    /// field is kept in `extra` under its header, so nothing is dropped.
    pub fn from_headers(
        headers: &[String],
        opts: &IngestOptions,
        file: &str,
        hint: &str,
    ) -> Result<Schema> {
        let mut targets: Vec<Target> = Vec::with_capacity(headers.len());
        for (i, header) in headers.iter().enumerate() {
            let clean = header.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            let mut name = if clean.is_empty() {
                format!("column_{}", i + 1)
            } else {
                clean.to_owned()
            };
            let mut n = 2;
            while targets.iter().any(|t| t.name == name) {
                name = format!("{clean}#{n}");
                n += 1;
            }
            let field = opts
                .columns
                .resolve(clean)
                .filter(|f| !targets.iter().any(|t| t.field == Some(*f)));
            targets.push(Target { field, name });
        }
        let missing: Vec<String> = Field::ALL
            .into_iter()
            .filter(|f| f.is_required() && !targets.iter().any(|t| t.field == Some(*f)))
            .map(|f| f.name().to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingColumns {
                file: file.to_owned(),
                missing,
                headers: headers.to_vec(),
                hint: hint.to_owned(),
            });
        }
        Ok(Schema {
            targets,
            timezone: opts.timezone,
        })
    }
}

/// One cell as a reader found it.
#[derive(Clone, Copy)]
pub(crate) enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    DateTime(NaiveDateTime),
}

#[derive(Default)]
enum DateSlot {
    #[default]
    Absent,
    Valid(NaiveDateTime),
    Bad(String),
}

/// Accumulates the cells of one record.
#[derive(Default)]
pub(crate) struct RowBuilder {
    id: Option<String>,
    received: DateSlot,
    text: Option<String>,
    text_seen: bool,
    closed: DateSlot,
    fields: Vec<(Field, String)>,
    extra: BTreeMap<String, String>,
    /// Whether bare numbers in date fields are Excel serials (XLSX only).
    excel_serials: bool,
    /// The local zone that date-times with an offset are converted to.
    timezone: Tz,
}

impl RowBuilder {
    pub fn new(excel_serials: bool, timezone: Tz) -> RowBuilder {
        RowBuilder {
            excel_serials,
            timezone,
            ..RowBuilder::default()
        }
    }

    /// Records one cell under its target. A field set twice (JSON keys that
    /// are both aliases of one field) keeps the first; the other goes to `extra`.
    pub fn set(&mut self, target: &Target, cell: Cell<'_>) {
        let Some(field) = target.field else {
            if let Some(value) = cell_text(cell) {
                self.extra.insert(target.name.clone(), value);
            }
            return;
        };
        let taken = match field {
            Field::WorkOrderId => self.id.is_some(),
            Field::Text => self.text_seen,
            Field::ReceivedAt => !matches!(self.received, DateSlot::Absent),
            Field::ClosedAt => !matches!(self.closed, DateSlot::Absent),
            other => self.fields.iter().any(|(f, _)| *f == other),
        };
        if taken {
            if let Some(value) = cell_text(cell) {
                self.extra.insert(target.name.clone(), value);
            }
            return;
        }
        match field {
            Field::ReceivedAt => self.received = self.date(cell),
            Field::ClosedAt => self.closed = self.date(cell),
            Field::WorkOrderId => self.id = cell_text(cell),
            Field::Text => {
                self.text_seen = true;
                self.text = cell_text(cell);
            }
            other => {
                if let Some(value) = cell_text(cell) {
                    self.fields.push((other, value));
                }
            }
        }
    }

    /// Adds an `extra` entry directly (kesu's own `extra` JSON column).
    pub fn set_extra(&mut self, name: String, value: String) {
        let value = value.trim();
        if !value.is_empty() {
            self.extra.entry(name).or_insert_with(|| value.to_owned());
        }
    }

    fn date(&self, cell: Cell<'_>) -> DateSlot {
        let parsed = match cell {
            Cell::Empty => return DateSlot::Absent,
            Cell::DateTime(d) => Some(d),
            Cell::Number(n) if self.excel_serials => from_excel_serial(n),
            Cell::Number(n) => parse_datetime(&format_number(n), self.timezone),
            Cell::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return DateSlot::Absent;
                }
                parse_datetime(t, self.timezone).or_else(|| {
                    self.excel_serials
                        .then(|| parse_excel_serial_text(t))
                        .flatten()
                })
            }
        };
        match parsed {
            Some(d) => DateSlot::Valid(d),
            None => DateSlot::Bad(match cell {
                Cell::Text(t) => t.trim().to_owned(),
                Cell::Number(n) => format_number(n),
                Cell::DateTime(d) => d.to_string(),
                Cell::Empty => String::new(),
            }),
        }
    }

    /// The work order, or the first reason (and column) it cannot be accepted.
    pub fn finish(
        self,
        source: SourceRef,
    ) -> std::result::Result<WorkOrder, (Field, RejectReason)> {
        let missing = |f: Field| {
            (
                f,
                RejectReason::MissingField {
                    field: f.name().to_owned(),
                },
            )
        };
        let id = self.id.ok_or_else(|| missing(Field::WorkOrderId))?;
        let received_at = match self.received {
            DateSlot::Absent => return Err(missing(Field::ReceivedAt)),
            DateSlot::Bad(value) => {
                return Err((Field::ReceivedAt, RejectReason::BadDate { value }));
            }
            DateSlot::Valid(d) => d,
        };
        let text = match self.text {
            Some(t) => t,
            None if self.text_seen => return Err((Field::Text, RejectReason::EmptyText)),
            None => return Err(missing(Field::Text)),
        };
        let closed_at = match self.closed {
            DateSlot::Absent => None,
            DateSlot::Bad(value) => return Err((Field::ClosedAt, RejectReason::BadDate { value })),
            DateSlot::Valid(d) => Some(d),
        };
        let mut order = WorkOrder::new(id, received_at, text);
        order.closed_at = closed_at;
        for (field, value) in self.fields {
            order.set_text_field(field, Some(value));
        }
        order.extra = self.extra;
        order.source = source;
        Ok(order)
    }
}

/// A cell as trimmed text; `None` when empty.
fn cell_text(cell: Cell<'_>) -> Option<String> {
    let value = match cell {
        Cell::Empty => return None,
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() {
                return None;
            }
            return Some(t.to_owned());
        }
        Cell::Number(n) => format_number(n),
        Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
    };
    Some(value)
}

/// Numbers as an operator would type them: ids stored as numbers lose no
/// `.0` (工单编号 2024030100001, not 2024030100001.0).
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(field: Option<Field>, name: &str) -> Target {
        Target {
            field,
            name: name.to_owned(),
        }
    }

    #[test]
    fn numbers_format_like_ids() {
        assert_eq!(format_number(2024030100001.0), "2024030100001");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(-3.0), "-3");
    }

    #[test]
    fn reasons_come_in_a_fixed_order() {
        let id = target(Some(Field::WorkOrderId), "工单编号");
        let at = target(Some(Field::ReceivedAt), "受理时间");
        let text = target(Some(Field::Text), "受理内容");
        let mut b = RowBuilder::new(false, Tz::Asia__Shanghai);
        b.set(&id, Cell::Text("  "));
        b.set(&at, Cell::Text("2024-02-30"));
        let (f, r) = b.finish(SourceRef::default()).unwrap_err();
        assert_eq!(
            (f, r.to_string()),
            (
                Field::WorkOrderId,
                "missing required field work_order_id".into()
            )
        );

        let mut b = RowBuilder::new(false, Tz::Asia__Shanghai);
        b.set(&id, Cell::Text("A1"));
        b.set(&at, Cell::Text("2024-02-30"));
        b.set(&text, Cell::Text("停电"));
        let (f, r) = b.finish(SourceRef::default()).unwrap_err();
        assert_eq!(f, Field::ReceivedAt);
        assert_eq!(
            r,
            RejectReason::BadDate {
                value: "2024-02-30".into()
            }
        );

        let mut b = RowBuilder::new(false, Tz::Asia__Shanghai);
        b.set(&id, Cell::Text("A1"));
        b.set(&at, Cell::Text("2024-02-29"));
        b.set(&text, Cell::Text(" \t "));
        assert_eq!(
            b.finish(SourceRef::default()).unwrap_err().1,
            RejectReason::EmptyText
        );
    }

    #[test]
    fn extra_and_second_aliases_are_kept() {
        let mut b = RowBuilder::new(true, Tz::Asia__Shanghai);
        b.set(
            &target(Some(Field::WorkOrderId), "工单编号"),
            Cell::Number(2024030100001.0),
        );
        b.set(
            &target(Some(Field::ReceivedAt), "受理时间"),
            Cell::Number(45352.5),
        );
        b.set(
            &target(Some(Field::Text), "受理内容"),
            Cell::Text(" 客户来电反映停电 "),
        );
        b.set(&target(Some(Field::Text), "投诉内容"), Cell::Text("另一段"));
        b.set(&target(None, "派单部门"), Cell::Text("营销部"));
        b.set(&target(None, "空列"), Cell::Text("  "));
        b.set(
            &target(Some(Field::Phone), "联系电话"),
            Cell::Number(13812345678.0),
        );
        let order = b
            .finish(SourceRef {
                file: "f".into(),
                line: 3,
            })
            .unwrap();
        assert_eq!(order.id.as_str(), "2024030100001");
        assert_eq!(order.received_at.to_string(), "2024-03-01 12:00:00");
        assert_eq!(order.text, "客户来电反映停电");
        assert_eq!(order.phone.as_deref(), Some("13812345678"));
        assert_eq!(
            order.extra.get("投诉内容").map(String::as_str),
            Some("另一段")
        );
        assert_eq!(
            order.extra.get("派单部门").map(String::as_str),
            Some("营销部")
        );
        assert!(!order.extra.contains_key("空列"));
        assert_eq!(order.source.line, 3);
    }

    #[test]
    fn schema_names_missing_fields_and_headers() {
        let headers: Vec<String> = ["工单编号", "受理内容", "备注"].map(String::from).to_vec();
        let err = Schema::from_headers(&headers, &IngestOptions::default(), "a.csv", "")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a.csv") && err.contains("received_at") && err.contains("备注"),
            "{err}"
        );

        let headers: Vec<String> = [
            "工单编号",
            "受理时间",
            "受理内容",
            "投诉内容",
            "",
            "备注",
            "备注",
        ]
        .map(String::from)
        .to_vec();
        let schema =
            Schema::from_headers(&headers, &IngestOptions::default(), "a.csv", "").unwrap();
        let names: Vec<_> = schema
            .targets
            .iter()
            .map(|t| (t.field, t.name.as_str()))
            .collect();
        assert_eq!(names[3], (None, "投诉内容"));
        assert_eq!(names[4], (None, "column_5"));
        assert_eq!(names[6], (None, "备注#2"));
    }
}
