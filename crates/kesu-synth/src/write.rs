//! Writers: CSV (UTF-8 or GB18030), XLSX and JSONL, streamed chunk by chunk.
//!
//! Chunks are generated and serialised in parallel (rayon) in a bounded
//! window, then written in chunk order, so memory stays flat and the bytes do
//! not depend on the thread count.

use std::collections::HashMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::generate::{Header, Synth, SynthOrder, substantiated_label};
use crate::{Error, Result};

/// Chunks in flight at once: enough to keep the cores busy, small enough to
/// bound memory (16 × 4096 orders).
const WINDOW: u64 = 16;

/// Largest sheet an XLSX file can hold, minus the header row.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// Text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 without BOM.
    #[default]
    Utf8,
    /// GB18030 (a superset of GBK), as many utility systems export.
    Gb18030,
}

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// Excel workbook, one sheet.
    Xlsx,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// The format implied by a file extension (`.csv`, `.xlsx`, `.jsonl`/`.ndjson`).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// What a writer produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Orders written.
    pub rows: u64,
    /// Bytes written (for XLSX: the file size).
    pub bytes: u64,
    /// Orders that repeat an earlier complaint (truth).
    pub repeats: u64,
    /// Orders whose operator-typed class differs from the truth or is empty.
    pub class_noise: u64,
    /// Orders per true class, in `ComplaintClass::ALL` order.
    pub per_class: [u64; 5],
}

impl Summary {
    fn add(&mut self, o: &SynthOrder) {
        self.rows += 1;
        self.repeats += u64::from(o.truth.is_repeat);
        self.class_noise += u64::from(o.category != Some(o.truth.class));
        self.per_class[o.truth.class.index()] += 1;
    }

    fn merge(&mut self, other: &Summary) {
        self.rows += other.rows;
        self.bytes += other.bytes;
        self.repeats += other.repeats;
        self.class_noise += other.class_noise;
        for (a, b) in self.per_class.iter_mut().zip(other.per_class) {
            *a += b;
        }
    }
}

const ZH: [&str; 15] = [
    "工单编号",
    "受理时间",
    "受理渠道",
    "供电单位",
    "客户编号",
    "客户名称",
    "联系电话",
    "用电地址",
    "客户类别",
    "业务类型",
    "二级分类",
    "受理内容",
    "是否属实",
    "处理意见",
    "归档时间",
];
const EN: [&str; 15] = [
    "work_order_id",
    "received_at",
    "channel",
    "unit",
    "customer_id",
    "customer_name",
    "phone",
    "address",
    "customer_class",
    "category",
    "subcategory",
    "text",
    "substantiated",
    "handling",
    "closed_at",
];
/// The ground-truth columns added by `with_truth` (same names under both headers).
pub const TRUTH_COLUMNS: [&str; 6] = [
    "true_root_cause",
    "true_class",
    "true_gap",
    "true_quadrant",
    "is_repeat",
    "repeat_group",
];

/// The truth column added after [`TRUTH_COLUMNS`] when spikes are planted
/// ([`SynthConfig::planted`](crate::SynthConfig)): the order belongs to a
/// planted spike. Absent otherwise, so exports without planted spikes keep
/// their columns.
pub const SPIKE_COLUMN: &str = "spike";

/// The header row for a header language, with or without truth columns.
pub fn columns(header: Header, with_truth: bool) -> Vec<&'static str> {
    let base = match header {
        Header::Chinese => ZH,
        Header::English => EN,
    };
    let mut cols = base.to_vec();
    if with_truth {
        cols.extend(TRUTH_COLUMNS);
    }
    cols
}

/// Positions (in [`columns`]) of 客户编号, 客户名称, 联系电话 and 用电地址,
/// left out with [`SynthConfig::identity_in_text`](crate::SynthConfig).
const IDENTITY_COLUMNS: std::ops::RangeInclusive<usize> = 4..=7;

/// [`columns`], with [`SPIKE_COLUMN`] when truth is written and spikes are
/// planted.
fn all_columns(cfg: &crate::SynthConfig) -> Vec<&'static str> {
    let mut cols = columns(cfg.header, cfg.with_truth);
    if cfg.with_truth && !cfg.planted.is_empty() {
        cols.push(SPIKE_COLUMN);
    }
    cols
}

/// Positions of the [`all_columns`] an export of this configuration has.
fn kept(cfg: &crate::SynthConfig) -> Vec<usize> {
    (0..all_columns(cfg).len())
        .filter(|i| !(cfg.identity_in_text && IDENTITY_COLUMNS.contains(i)))
        .collect()
}

/// The header row an export of this configuration has: [`columns`] without
/// the identity columns when they are left out.
pub fn export_columns(cfg: &crate::SynthConfig) -> Vec<&'static str> {
    let all = all_columns(cfg);
    kept(cfg).into_iter().map(|i| all[i]).collect()
}

const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The row of an order as text cells, in [`columns`] order; with truth, a
/// last cell for [`SPIKE_COLUMN`] (1 or 0), written only when spikes are
/// planted.
pub fn cells(o: &SynthOrder, with_truth: bool) -> Vec<String> {
    let mut v = vec![
        o.id.clone(),
        o.received_at.format(TIME_FORMAT).to_string(),
        o.channel.to_owned(),
        o.unit.to_owned(),
        o.customer_id.clone(),
        o.customer_name.clone(),
        o.phone.clone(),
        o.address.clone(),
        o.customer_class.to_owned(),
        o.category_label.unwrap_or_default().to_owned(),
        o.subcategory.unwrap_or_default().to_owned(),
        o.text.clone(),
        substantiated_label(o.substantiated).to_owned(),
        o.handling.clone().unwrap_or_default(),
        o.closed_at.format(TIME_FORMAT).to_string(),
    ];
    if with_truth {
        let c = o.truth.cause;
        v.extend([
            c.id.to_owned(),
            o.truth.class.label().to_owned(),
            c.gap.id().to_owned(),
            c.quadrant.label().to_owned(),
            if o.truth.is_repeat { "1" } else { "0" }.to_owned(),
            o.truth.repeat_group.clone().unwrap_or_default(),
            if o.truth.planted { "1" } else { "0" }.to_owned(),
        ]);
    }
    v
}

/// Generates chunks in parallel windows and hands each rendered chunk to
/// `sink` in order.
fn stream<T: Send>(
    synth: &Synth,
    render: impl Fn(Vec<SynthOrder>) -> Result<(T, Summary)> + Sync,
    mut sink: impl FnMut(T) -> Result<()>,
) -> Result<Summary> {
    let mut total = Summary::default();
    let chunks = synth.chunk_count();
    let mut lo = 0;
    while lo < chunks {
        let hi = (lo + WINDOW).min(chunks);
        let rendered: Vec<Result<(T, Summary)>> = (lo..hi)
            .into_par_iter()
            .map(|k| render(synth.chunk(k)))
            .collect();
        for r in rendered {
            let (t, s) = r?;
            total.merge(&s);
            sink(t)?;
        }
        lo = hi;
    }
    Ok(total)
}

fn encode(buf: Vec<u8>, encoding: CsvEncoding) -> Result<Vec<u8>> {
    match encoding {
        CsvEncoding::Utf8 => Ok(buf),
        CsvEncoding::Gb18030 => {
            let text = String::from_utf8(buf).map_err(|e| Error::Encoding(e.to_string()))?;
            Ok(gb18030(&text))
        }
    }
}

/// GB18030 bytes of `text`. encoding_rs encodes Han characters by table
/// search, which made GB18030 output five times slower than UTF-8; the
/// synthetic vocabulary is small, so each character is encoded once per chunk
/// and cached. GB18030 is stateless and maps every Unicode scalar value, so
/// per-character encoding equals whole-text encoding.
fn gb18030(text: &str) -> Vec<u8> {
    let mut cache: HashMap<char, ([u8; 4], usize)> = HashMap::new();
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let (bytes, len) = *cache.entry(c).or_insert_with(|| {
            let mut utf8 = [0u8; 4];
            let (encoded, _, _) = encoding_rs::GB18030.encode(c.encode_utf8(&mut utf8));
            let mut bytes = [0u8; 4];
            let len = encoded.len().min(4);
            bytes[..len].copy_from_slice(&encoded[..len]);
            (bytes, len)
        });
        out.extend_from_slice(&bytes[..len]);
    }
    out
}

fn csv_rows(
    orders: &[SynthOrder],
    with_truth: bool,
    kept: &[usize],
    summary: &mut Summary,
) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(orders.len() * 640));
    for o in orders {
        let cells = cells(o, with_truth);
        w.write_record(kept.iter().map(|&i| &cells[i]))?;
        summary.add(o);
    }
    w.into_inner().map_err(|e| Error::Io(e.into_error()))
}

/// Writes every order as CSV with a header row.
pub fn write_csv<W: Write>(synth: &Synth, out: W, encoding: CsvEncoding) -> Result<Summary> {
    let cfg = synth.config();
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record(export_columns(cfg))?;
    let header = encode(
        header.into_inner().map_err(|e| Error::Io(e.into_error()))?,
        encoding,
    )?;
    out.write_all(&header)?;
    let mut bytes = header.len() as u64;
    let with_truth = cfg.with_truth;
    let kept = kept(cfg);
    let mut summary = stream(
        synth,
        |orders| {
            let mut s = Summary::default();
            let buf = encode(csv_rows(&orders, with_truth, &kept, &mut s)?, encoding)?;
            s.bytes = buf.len() as u64;
            Ok((buf, s))
        },
        |buf| {
            out.write_all(&buf)?;
            Ok(())
        },
    )?;
    out.flush()?;
    summary.bytes += bytes;
    bytes = summary.bytes;
    let _ = bytes;
    Ok(summary)
}

/// Writes every order as one JSON object per line, keys in column order.
/// Empty optional fields are `null`; `is_repeat` is a boolean.
pub fn write_jsonl<W: Write>(synth: &Synth, out: W) -> Result<Summary> {
    let cfg = synth.config();
    let cols = all_columns(cfg);
    let with_truth = cfg.with_truth;
    let kept = kept(cfg);
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let summary = stream(
        synth,
        |orders| {
            let mut s = Summary::default();
            let mut buf = Vec::with_capacity(orders.len() * 700);
            for o in &orders {
                json_line(o, &cols, with_truth, &kept, &mut buf)?;
                s.add(o);
            }
            s.bytes = buf.len() as u64;
            Ok((buf, s))
        },
        |buf| {
            out.write_all(&buf)?;
            Ok(())
        },
    )?;
    out.flush()?;
    Ok(summary)
}

fn json_line(
    o: &SynthOrder,
    cols: &[&str],
    with_truth: bool,
    kept: &[usize],
    buf: &mut Vec<u8>,
) -> Result<()> {
    let cells = cells(o, with_truth);
    buf.push(b'{');
    for (n, &i) in kept.iter().enumerate() {
        let (col, cell) = (&cols[i], &cells[i]);
        if n > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, col)?;
        buf.push(b':');
        let name = if i < EN.len() {
            EN[i]
        } else {
            TRUTH_COLUMNS
                .get(i - EN.len())
                .copied()
                .unwrap_or(SPIKE_COLUMN)
        };
        match name {
            "is_repeat" => {
                buf.extend_from_slice(if o.truth.is_repeat { b"true" } else { b"false" })
            }
            SPIKE_COLUMN => buf.extend_from_slice(if o.truth.planted { b"true" } else { b"false" }),
            "category" | "subcategory" | "handling" | "repeat_group" if cell.is_empty() => {
                buf.extend_from_slice(b"null");
            }
            _ => serde_json::to_writer(&mut *buf, cell)?,
        }
    }
    buf.extend_from_slice(b"}\n");
    Ok(())
}

/// Writes every order to an XLSX workbook (one sheet, 工单). Times are real
/// Excel date-time cells, as in exports; ids and phones are text cells so no
/// digit is lost. The workbook's creation date is fixed to `start`, so the
/// file is reproducible.
pub fn write_xlsx(synth: &Synth, path: &Path) -> Result<Summary> {
    kesu_atomic::replace_with(path, |file| write_xlsx_to(synth, file))
}

fn write_xlsx_to(synth: &Synth, file: &mut fs::File) -> Result<Summary> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, Workbook};
    let cfg = synth.config();
    if synth.total_orders() > XLSX_MAX_ROWS {
        return Err(Error::Config(format!(
            "an XLSX sheet holds at most {XLSX_MAX_ROWS} orders, asked for {}",
            synth.total_orders()
        )));
    }
    let mut workbook = Workbook::new();
    let created =
        ExcelDateTime::parse_from_str(&cfg.start.format("%Y-%m-%dT00:00:00Z").to_string())?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("工单")?;
    let time_format = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let cols = export_columns(cfg);
    for (c, name) in cols.iter().enumerate() {
        sheet.write_string(0, c as u16, *name)?;
    }
    let with_truth = cfg.with_truth;
    let kept = kept(cfg);
    let mut row: u32 = 1;
    let summary = stream(
        synth,
        |orders| {
            let mut s = Summary::default();
            for o in &orders {
                s.add(o);
            }
            Ok((orders, s))
        },
        |orders| {
            for o in &orders {
                let cells = cells(o, with_truth);
                for (c, &i) in kept.iter().enumerate() {
                    let (col, cell) = (c as u16, &cells[i]);
                    match i {
                        1 | 14 => {
                            let t = if i == 1 { o.received_at } else { o.closed_at };
                            let dt =
                                ExcelDateTime::parse_from_str(&t.format(TIME_FORMAT).to_string())?;
                            sheet.write_datetime_with_format(row, col, &dt, &time_format)?;
                        }
                        _ if cell.is_empty() => {}
                        _ => {
                            sheet.write_string(row, col, cell)?;
                        }
                    }
                }
                row += 1;
            }
            Ok(())
        },
    )?;
    let mut out = BufWriter::new(&mut *file);
    workbook.save_to_writer(&mut out)?;
    out.flush()?;
    drop(out);
    let bytes = file.metadata()?.len();
    Ok(Summary { bytes, ..summary })
}

/// Writes to `path` in `format`, atomically ([`kesu_atomic::replace_with`]):
/// the path holds its previous content or the complete new file.
pub fn write_file(
    synth: &Synth,
    path: &Path,
    format: Format,
    encoding: CsvEncoding,
) -> Result<Summary> {
    kesu_atomic::replace_with(path, |file| match format {
        Format::Csv => write_csv(synth, &mut *file, encoding),
        Format::Jsonl => write_jsonl(synth, &mut *file),
        Format::Xlsx => write_xlsx_to(synth, file),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::SynthConfig;

    fn synth(n: u64, header: Header, with_truth: bool) -> Synth {
        Synth::new(SynthConfig {
            n,
            seed: 7,
            header,
            with_truth,
            ..SynthConfig::default()
        })
        .expect("config")
    }

    fn csv_bytes(s: &Synth, enc: CsvEncoding) -> Vec<u8> {
        let mut v = Vec::new();
        write_csv(s, &mut v, enc).expect("csv");
        v
    }

    #[test]
    fn csv_is_deterministic_and_has_the_header() {
        let s = synth(5000, Header::Chinese, false);
        let a = csv_bytes(&s, CsvEncoding::Utf8);
        assert_eq!(
            a,
            csv_bytes(&synth(5000, Header::Chinese, false), CsvEncoding::Utf8)
        );
        let other = Synth::new(SynthConfig {
            n: 5000,
            seed: 8,
            ..SynthConfig::default()
        })
        .expect("cfg");
        assert_ne!(a, csv_bytes(&other, CsvEncoding::Utf8));
        let mut r = csv::Reader::from_reader(a.as_slice());
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, columns(Header::Chinese, false));
        assert_eq!(r.records().count(), 5000);
    }

    #[test]
    fn english_header_with_truth_for_the_peer() {
        let s = synth(200, Header::English, true);
        let bytes = csv_bytes(&s, CsvEncoding::Utf8);
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        for col in [
            "work_order_id",
            "received_at",
            "channel",
            "unit",
            "customer_class",
            "category",
            "text",
        ] {
            assert!(header.iter().any(|h| h == col), "{col}");
        }
        assert_eq!(&header[15..], &TRUTH_COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
        assert!(rows.iter().all(|row| row.len() == 21));
        assert!(
            rows.iter()
                .all(|row| crate::catalogue::find(&row[15]).is_some())
        );
    }

    #[test]
    fn gb18030_decodes_to_the_utf8_output() {
        let s = synth(300, Header::Chinese, false);
        let utf8 = csv_bytes(&s, CsvEncoding::Utf8);
        let gb = csv_bytes(&s, CsvEncoding::Gb18030);
        assert_ne!(utf8, gb);
        let (decoded, _, errors) = encoding_rs::GB18030.decode(&gb);
        assert!(!errors);
        assert_eq!(decoded.as_bytes(), utf8.as_slice());
    }

    #[test]
    fn cached_gb18030_matches_encoding_rs() {
        let text = "工单编号,客戶來電反映：停电３次😀 ok\n";
        let (reference, _, _) = encoding_rs::GB18030.encode(text);
        assert_eq!(gb18030(text), reference.as_ref());
    }

    #[test]
    fn planted_spikes_add_a_spike_truth_column_only_when_planted() {
        let cfg = SynthConfig {
            n: 200,
            seed: 4,
            with_truth: true,
            header: Header::English,
            ..SynthConfig::default()
        };
        assert!(!export_columns(&cfg).contains(&SPIKE_COLUMN));
        let planted = SynthConfig {
            planted: vec!["城西供电服务中心:low_voltage:2:1:7".parse().unwrap()],
            ..cfg.clone()
        };
        let cols = export_columns(&planted);
        assert_eq!(cols.last(), Some(&SPIKE_COLUMN));
        let mut plain = Vec::new();
        write_csv(&Synth::new(cfg).unwrap(), &mut plain, CsvEncoding::Utf8).unwrap();
        let mut out = Vec::new();
        let summary = write_csv(
            &Synth::new(planted.clone()).unwrap(),
            &mut out,
            CsvEncoding::Utf8,
        )
        .unwrap();
        assert_eq!(summary.rows, 207);
        let text = String::from_utf8(out).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let spike = rows.headers().unwrap().len() - 1;
        let flags: Vec<String> = rows
            .records()
            .map(|r| r.unwrap()[spike].to_owned())
            .collect();
        assert_eq!(flags.iter().filter(|f| *f == "1").count(), 7);
        assert_eq!(flags.iter().filter(|f| *f == "0").count(), 200);
        // the base rows are the plain rows with one more cell
        let plain = String::from_utf8(plain).unwrap();
        let first_plain = plain.lines().nth(1).unwrap();
        assert!(text.lines().nth(1).unwrap().starts_with(first_plain));
        let mut jsonl = Vec::new();
        write_jsonl(&Synth::new(planted).unwrap(), &mut jsonl).unwrap();
        let last: serde_json::Value =
            serde_json::from_str(String::from_utf8(jsonl).unwrap().lines().last().unwrap())
                .unwrap();
        assert_eq!(last["spike"], serde_json::Value::Bool(true));
        assert_eq!(last["true_root_cause"], "low_voltage");
        assert_eq!(last["unit"], "城西供电服务中心");
    }

    #[test]
    fn jsonl_lines_parse_with_nulls_and_booleans() {
        let s = synth(300, Header::English, true);
        let mut v = Vec::new();
        let summary = write_jsonl(&s, &mut v).expect("jsonl");
        let text = String::from_utf8(v).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 300);
        assert_eq!(summary.rows, 300);
        for line in lines {
            let obj: serde_json::Value = serde_json::from_str(line).expect("json");
            assert!(obj["is_repeat"].is_boolean());
            assert!(obj["category"].is_string() || obj["category"].is_null());
            assert!(obj["text"].as_str().is_some_and(|t| !t.is_empty()));
        }
    }

    #[test]
    fn xlsx_is_written_and_reproducible() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = synth(120, Header::Chinese, false);
        let a = dir.path().join("a.xlsx");
        let b = dir.path().join("b.xlsx");
        let sa = write_file(&s, &a, Format::Xlsx, CsvEncoding::Utf8).expect("xlsx");
        write_file(&s, &b, Format::Xlsx, CsvEncoding::Utf8).expect("xlsx");
        assert_eq!(sa.rows, 120);
        let bytes = fs::read(&a).expect("read");
        assert!(bytes.starts_with(b"PK"));
        assert_eq!(bytes, fs::read(&b).expect("read"));
    }

    #[test]
    fn xlsx_refuses_more_rows_than_a_sheet_holds() {
        let s = synth(XLSX_MAX_ROWS + 1, Header::Chinese, false);
        let dir = tempfile::tempdir().expect("tmp");
        let err = write_file(
            &s,
            &dir.path().join("x.xlsx"),
            Format::Xlsx,
            CsvEncoding::Utf8,
        );
        assert!(matches!(err, Err(Error::Config(_))));
        assert!(
            fs::read_dir(dir.path()).expect("dir").next().is_none(),
            "temp file left"
        );
    }

    #[test]
    fn summary_counts_match_the_rows() {
        let s = synth(3000, Header::Chinese, true);
        let mut v = Vec::new();
        let summary = write_csv(&s, &mut v, CsvEncoding::Utf8).expect("csv");
        assert_eq!(summary.rows, 3000);
        assert_eq!(summary.bytes, v.len() as u64);
        assert_eq!(summary.per_class.iter().sum::<u64>(), 3000);
        assert!(summary.per_class.iter().all(|&c| c > 0));
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("b.xlsx")), Some(Format::Xlsx));
        assert_eq!(Format::from_path(Path::new("b.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("b.parquet")), None);
    }

    #[test]
    fn identity_in_text_leaves_out_the_identity_columns_in_every_format() {
        let synth = Synth::new(SynthConfig {
            n: 20,
            seed: 7,
            with_truth: true,
            identity_in_text: true,
            ..SynthConfig::default()
        })
        .unwrap();
        let mut csv = Vec::new();
        write_csv(&synth, &mut csv, CsvEncoding::Utf8).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let header = text.lines().next().unwrap();
        assert_eq!(header.split(',').count(), 15 + 6 - 4);
        assert!(header.starts_with("工单编号,受理时间,受理渠道,供电单位,客户类别,业务类型"));
        let mut jsonl = Vec::new();
        write_jsonl(&synth, &mut jsonl).unwrap();
        let first: serde_json::Value =
            serde_json::from_str(String::from_utf8(jsonl).unwrap().lines().next().unwrap())
                .unwrap();
        let obj = first.as_object().unwrap();
        assert_eq!(obj.len(), 17);
        assert!(!obj.contains_key("联系电话") && obj["is_repeat"].is_boolean());
        assert_eq!(export_columns(synth.config()).len(), 17);
    }
}
