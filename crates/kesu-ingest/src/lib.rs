//! Reading complaint exports into work orders, accounting for every row.
//!
//! `kesu-ingest` is the first stage of kesu's flow: **ingest** → normalise →
//! segment → index / cluster → summarise → render. It reads the files a power
//! utility's systems export — CSV/TSV (UTF-8 with or without BOM, GBK/GB18030,
//! UTF-16), XLSX, JSON Lines and Parquet, with Chinese headers — and turns each
//! record into a [`WorkOrder`] or, when it cannot, into a [`Reject`] that says
//! which file, which physical line, which column and why. Nothing is dropped
//! silently: for every file, rows read = accepted + rejected.
//!
//! Headers are mapped onto canonical fields through a [`ColumnMap`]
//! (pipelines/columns.toml, user-replaceable); every other column is kept in
//! [`WorkOrder::extra`]. A later record with the same 工单编号 replaces the
//! earlier one (counted as a duplicate); orders keep the order of first
//! appearance, so output is deterministic.
//!
//! ```
//! use kesu_ingest::{ingest, ColumnMap, IngestOptions};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("week.csv");
//! std::fs::write(&path, "工单编号,受理时间,受理内容,派单部门\n\
//!     A1,2024-03-01 08:30,客户来电反映停电未通知,运检部\n\
//!     A2,2024-02-30 09:00,日期不存在,营销部\n").unwrap();
//! let opts = IngestOptions { columns: ColumnMap::builtin(), ..IngestOptions::default() };
//! let batch = ingest(&[path], &opts, &|_| {}).unwrap();
//! assert_eq!((batch.stats.read, batch.stats.accepted, batch.stats.rejected), (2, 1, 1));
//! assert_eq!(batch.orders[0].extra["派单部门"], "运检部");
//! assert_eq!(batch.rejects[0].line, 3);
//! ```

#![warn(missing_docs)]

mod columns;
mod dates;
mod delimited;
mod error;
mod jsonl;
mod parquet_file;
mod rejects;
mod row;
mod xlsx;

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use kesu_model::{Keyed, Reject, RejectReason, WorkOrder};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

pub use chrono_tz::Tz;
pub use columns::ColumnMap;
pub use error::{Error, Result};
pub use rejects::write_rejects_csv;

/// Text encoding of CSV/TSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// A BOM decides; otherwise UTF-8 unless most non-ASCII lines are not
    /// valid UTF-8, in which case GB18030 (a superset of GBK and GB2312).
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    Utf8,
    /// GB18030, which also reads GBK and GB2312.
    Gb18030,
}

impl FromStr for Encoding {
    type Err = Error;

    fn from_str(s: &str) -> Result<Encoding> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" => Ok(Encoding::Gb18030),
            _ => Err(Error::UnknownEncoding(s.to_owned())),
        }
    }
}

/// How to read the input files.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Encoding of CSV/TSV files.
    pub encoding: Encoding,
    /// XLSX sheet to read (default: the first).
    pub sheet: Option<String>,
    /// Header alias table.
    pub columns: ColumnMap,
    /// The utility's local time zone. Date-times written with a UTC offset
    /// or `Z` are converted to it; those without one are taken as local.
    pub timezone: Tz,
}

/// The default local zone: China Standard Time (UTC+8, no daylight saving).
pub const DEFAULT_TIMEZONE: Tz = Tz::Asia__Shanghai;

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            encoding: Encoding::Auto,
            sheet: None,
            columns: ColumnMap::builtin(),
            timezone: DEFAULT_TIMEZONE,
        }
    }
}

/// Row accounting of one ingest: `read = accepted + rejected`,
/// `orders = accepted - duplicates`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct IngestStats {
    /// Records read (data rows of CSV and XLSX, lines of JSONL, rows of Parquet).
    pub read: u64,
    /// Records that became work orders (duplicates included).
    pub accepted: u64,
    /// Records kept in the rejects instead, each with its reason.
    pub rejected: u64,
    /// Accepted records replaced by a later one with the same work order id.
    pub duplicates: u64,
    /// Distinct work orders in the batch.
    pub orders: u64,
    /// Per file, in the order given.
    pub files: Vec<FileStats>,
}

/// Row accounting of one file: `read = accepted + rejected`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileStats {
    /// The file as given on the command line.
    pub file: String,
    /// csv, tsv, xlsx, jsonl or parquet.
    pub format: String,
    /// The text encoding used (`utf-8`, `utf-8 (BOM)`, `gb18030`, …; `native` for XLSX and Parquet).
    pub encoding: String,
    /// Records read from this file.
    pub read: u64,
    /// Records of this file that became work orders.
    pub accepted: u64,
    /// Records of this file kept in the rejects.
    pub rejected: u64,
}

/// What an ingest produced: work orders, or whatever [`ingest_with`] turned
/// each accepted order into.
#[derive(Debug, Clone)]
pub struct IngestBatch<T = WorkOrder> {
    /// Distinct work orders, in order of first appearance.
    pub orders: Vec<T>,
    /// Every record that could not be accepted, by file then line.
    pub rejects: Vec<Reject>,
    /// The row accounting.
    pub stats: IngestStats,
}

/// One record's fate.
pub(crate) type Outcome = std::result::Result<WorkOrder, Reject>;

/// What each accepted order is turned into while its file is still being
/// read (in parallel, chunk by chunk).
pub(crate) type Map<'a, T> = &'a (dyn Fn(WorkOrder) -> T + Sync);

/// Where a reader hands its records, a block at a time and in record order,
/// as soon as a block is parsed: no reader holds more than one block.
pub(crate) type Emit<'a, T> = dyn FnMut(Vec<std::result::Result<T, Reject>>) -> Result<()> + 'a;

/// How a file was read, known once it has been.
pub(crate) struct FileRead {
    pub format: &'static str,
    pub encoding: String,
}

/// One block of an ingest stream: the distinct orders and the rejects of a
/// stretch of the input, in input order.
#[derive(Debug, Clone)]
pub struct Block<T = WorkOrder> {
    /// Accepted orders, each id once across the whole stream: an order with
    /// a later duplicate already carries the later record (see
    /// [`ingest_stream`]).
    pub orders: Vec<T>,
    /// Records of this stretch that could not be accepted, in line order.
    pub rejects: Vec<Reject>,
}

/// Raw text kept with a reject is capped, so that an unterminated quote
/// (which swallows the rest of the file) cannot copy a whole export.
const RAW_CAP: usize = 64 * 1024;

pub(crate) fn make_reject(
    file: &str,
    line: u64,
    column: Option<String>,
    reason: RejectReason,
    mut raw: String,
) -> Reject {
    if raw.len() > RAW_CAP {
        let mut cut = RAW_CAP;
        while !raw.is_char_boundary(cut) {
            cut -= 1;
        }
        let dropped = raw.len() - cut;
        raw.truncate(cut);
        raw.push_str(&format!("… [{dropped} more bytes]"));
    }
    Reject {
        file: file.to_owned(),
        line,
        column,
        reason,
        raw,
    }
}

/// Reads every file (in parallel, one task per file; large CSV files are also
/// checked in parallel chunks) and merges them in the order given.
///
/// `progress` receives byte deltas as the input is consumed. A file-level
/// problem (unknown format, missing required column, unreadable workbook)
/// fails the whole ingest with an [`Error`] naming the file; row-level
/// problems become [`Reject`]s.
pub fn ingest(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<IngestBatch> {
    ingest_with(paths, opts, progress, &|order| order)
}

/// Like [`ingest`], but turns every accepted order into a `T` as soon as it
/// is parsed, on the parsing thread.
///
/// This is how a consumer that needs only part of an order (its terms, a few
/// fields) keeps memory flat: full [`WorkOrder`]s never accumulate. Rows,
/// rejects, duplicates and order of appearance are accounted exactly as by
/// [`ingest`]; `map` may run for a record a later duplicate replaces.
///
/// Everything is collected anyway, so files are read side by side and read
/// once: a duplicate replaces its earlier record in place. A consumer that
/// writes as it goes uses [`ingest_stream`] instead.
pub fn ingest_with<T: Keyed + Send>(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
    map: Map<'_, T>,
) -> Result<IngestBatch<T>> {
    type Records<T> = Vec<Vec<std::result::Result<T, Reject>>>;
    let reads: Vec<Result<(FileRead, Records<T>)>> = paths
        .par_iter()
        .map(|path| {
            // In chunks as the readers hand them over (not flattened into
            // one vector: that would be a second copy of the file).
            let mut chunks = Vec::new();
            let file = read_file(path, opts, progress, map, &mut |records| {
                chunks.push(records);
                Ok(())
            })?;
            Ok((file, chunks))
        })
        .collect();
    let mut orders: Vec<T> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut rejects = Vec::new();
    let mut stats = IngestStats::default();
    for (path, read) in paths.iter().zip(reads) {
        let (file, chunks) = read?;
        let mut file_stats = FileStats {
            file: path.display().to_string(),
            format: file.format.to_owned(),
            encoding: file.encoding,
            read: 0,
            accepted: 0,
            rejected: 0,
        };
        orders.reserve(chunks.iter().map(Vec::len).sum());
        for outcome in chunks.into_iter().flatten() {
            file_stats.read += 1;
            match outcome {
                Ok(order) => {
                    file_stats.accepted += 1;
                    match position.get(order.work_order_id()) {
                        Some(&at) => {
                            stats.duplicates += 1;
                            orders[at] = order;
                        }
                        None => {
                            position.insert(order.work_order_id().to_owned(), orders.len());
                            orders.push(order);
                        }
                    }
                }
                Err(reject) => {
                    file_stats.rejected += 1;
                    rejects.push(reject);
                }
            }
        }
        stats.read += file_stats.read;
        stats.accepted += file_stats.accepted;
        stats.rejected += file_stats.rejected;
        stats.files.push(file_stats);
    }
    stats.orders = orders.len() as u64;
    Ok(IngestBatch {
        orders,
        rejects,
        stats,
    })
}

/// Reads every file like [`ingest_with`], but hands the result to `sink` a
/// [`Block`] at a time, in input order, while reading goes on: memory holds
/// one block (and a fingerprint per distinct id), never the whole input.
///
/// Accounting and order are exactly [`ingest`]'s: a later record with the
/// same work order id replaces the earlier one *in the earlier one's
/// position*. Since that position may already lie in a block handed over,
/// the input is read twice: a first pass, without `map`, keeps a 128-bit
/// fingerprint of every accepted id and the last record of every repeated
/// one; the second delivers each id once, at its first appearance, with its
/// last record. Memory therefore grows with the number of distinct ids (16
/// bytes each, during the first pass) and of repeated ones (a full order
/// each), not with the size of the input. Two different ids share a
/// fingerprint with probability about n²/2¹²⁹ (1e-26 at three million ids):
/// the accounting is exact in practice.
///
/// Files are read one after the other (each in parallel chunks). `progress`
/// receives byte deltas during the second pass. When `sink` fails, reading
/// stops and its error is returned as is.
pub fn ingest_stream<T: Send, E: From<Error>>(
    paths: &[PathBuf],
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
    map: Map<'_, T>,
    sink: &mut dyn FnMut(Block<T>) -> std::result::Result<(), E>,
) -> std::result::Result<IngestStats, E> {
    let fingerprint = Fingerprint::new();
    let repeated = repeated_ids(paths, opts, &fingerprint)?;
    // A repeated id is delivered once, at its first appearance, with its
    // last record; every other appearance is a duplicate.
    let mut placed: FxHashSet<u128> = FxHashSet::default();
    let first = |order: WorkOrder| -> Slot<T> {
        if repeated.is_empty() {
            return Slot::Once(map(order));
        }
        let key = fingerprint.of(order.id.as_str());
        if repeated.contains_key(&key) {
            Slot::Repeated(key)
        } else {
            Slot::Once(map(order))
        }
    };
    let mut stats = IngestStats::default();
    let mut stopped: Option<E> = None;
    for path in paths {
        let (mut read, mut accepted, mut rejected) = (0u64, 0u64, 0u64);
        let mut emit = |records: Vec<std::result::Result<Slot<T>, Reject>>| -> Result<()> {
            let mut orders: Vec<Option<T>> = Vec::with_capacity(records.len());
            let mut late = Vec::new();
            let mut rejects = Vec::new();
            for record in records {
                read += 1;
                match record {
                    Ok(Slot::Once(order)) => {
                        accepted += 1;
                        orders.push(Some(order));
                    }
                    Ok(Slot::Repeated(key)) => {
                        accepted += 1;
                        if placed.insert(key) {
                            late.push((orders.len(), key));
                            orders.push(None);
                        } else {
                            stats.duplicates += 1;
                        }
                    }
                    Err(reject) => {
                        rejected += 1;
                        rejects.push(reject);
                    }
                }
            }
            let mapped: Vec<(usize, T)> = late
                .into_par_iter()
                .map(|(at, key)| (at, map(repeated[&key].clone())))
                .collect();
            for (at, order) in mapped {
                orders[at] = Some(order);
            }
            let orders: Vec<T> = orders.into_iter().flatten().collect();
            stats.orders += orders.len() as u64;
            sink(Block { orders, rejects }).map_err(|e| {
                stopped = Some(e);
                Error::Stopped
            })
        };
        let file = match read_file(path, opts, progress, &first, &mut emit) {
            Ok(file) => file,
            Err(Error::Stopped) if stopped.is_some() => {
                return Err(stopped.take().expect("checked"));
            }
            Err(e) => return Err(e.into()),
        };
        let file_stats = FileStats {
            file: path.display().to_string(),
            format: file.format.to_owned(),
            encoding: file.encoding,
            read,
            accepted,
            rejected,
        };
        stats.read += file_stats.read;
        stats.accepted += file_stats.accepted;
        stats.rejected += file_stats.rejected;
        stats.files.push(file_stats);
    }
    Ok(stats)
}

/// An accepted record in the second pass of [`ingest_stream`].
enum Slot<T> {
    /// The only record of its id, already mapped.
    Once(T),
    /// A record of a repeated id (by fingerprint), placed in sequence.
    Repeated(u128),
}

/// 128-bit fingerprints of work order ids: two SipHash-1-3 keyed at random
/// per run, so that no input can be crafted to collide.
struct Fingerprint(RandomState, RandomState);

impl Fingerprint {
    fn new() -> Self {
        Fingerprint(RandomState::new(), RandomState::new())
    }

    fn of(&self, id: &str) -> u128 {
        (u128::from(self.0.hash_one(id)) << 64) | u128::from(self.1.hash_one(id))
    }
}

/// First pass of [`ingest_stream`]: the last accepted record of every id
/// accepted more than once, by fingerprint.
fn repeated_ids(
    paths: &[PathBuf],
    opts: &IngestOptions,
    fingerprint: &Fingerprint,
) -> Result<FxHashMap<u128, WorkOrder>> {
    let mut seen: FxHashSet<u128> = FxHashSet::default();
    let mut repeated: FxHashMap<u128, WorkOrder> = FxHashMap::default();
    let key = |order: WorkOrder| (fingerprint.of(order.id.as_str()), order);
    for path in paths {
        read_file(path, opts, &|_| {}, &key, &mut |records| {
            for (key, order) in records.into_iter().flatten() {
                if !seen.insert(key) {
                    repeated.insert(key, order);
                }
            }
            Ok(())
        })?;
    }
    Ok(repeated)
}

fn read_file<T: Send>(
    path: &Path,
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
    map: Map<'_, T>,
    emit: &mut Emit<'_, T>,
) -> Result<FileRead> {
    let file = path.display().to_string();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "csv" | "txt" => delimited::read(
            &file,
            path,
            false,
            opts,
            progress,
            map,
            emit,
            delimited::BLOCK,
        ),
        "tsv" | "tab" => delimited::read(
            &file,
            path,
            true,
            opts,
            progress,
            map,
            emit,
            delimited::BLOCK,
        ),
        "jsonl" | "ndjson" => jsonl::read(&file, path, opts, progress, map, emit, jsonl::BLOCK),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            xlsx::read(&file, path, opts, progress, map, emit)
        }
        "parquet" => parquet_file::read(&file, path, opts, progress, map, emit),
        _ => {
            // Check the file exists first: "no such file" is the better message.
            std::fs::metadata(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            Err(Error::UnknownFormat {
                path: path.to_path_buf(),
                extension,
            })
        }
    }
}

/// Records per block of the readers that parse in sequence (XLSX, Parquet).
pub(crate) const SEQUENTIAL_BLOCK: usize = 32_768;

/// Maps a sequentially parsed stretch of records in parallel (XLSX and
/// Parquet cells are read in order; the mapping is the costly part).
pub(crate) fn map_records<T: Send>(
    records: Vec<Outcome>,
    map: Map<'_, T>,
) -> Vec<std::result::Result<T, Reject>> {
    records.into_par_iter().map(|r| r.map(map)).collect()
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    /// Ingests `bytes` written to a temp file called `name`, checking the
    /// accounting invariants every ingest must keep.
    pub fn ingest_bytes(name: &str, bytes: &[u8], opts: &IngestOptions) -> Result<IngestBatch> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let batch = ingest(&[path], opts, &|_| {})?;
        check_accounting(&batch);
        Ok(batch)
    }

    pub fn check_accounting(batch: &IngestBatch) {
        let s = &batch.stats;
        assert_eq!(
            s.read,
            s.accepted + s.rejected,
            "read = accepted + rejected"
        );
        assert_eq!(s.rejected as usize, batch.rejects.len());
        assert_eq!(s.orders as usize, batch.orders.len());
        assert_eq!(s.orders, s.accepted - s.duplicates);
        for f in &s.files {
            assert_eq!(f.read, f.accepted + f.rejected, "{}", f.file);
        }
    }

    /// Rejects as `(line, reason text)`.
    pub fn reject_lines(batch: &IngestBatch) -> Vec<(u64, String)> {
        batch
            .rejects
            .iter()
            .map(|r| (r.line, r.reason.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn encodings_parse_from_flags() {
        assert_eq!("auto".parse::<Encoding>().unwrap(), Encoding::Auto);
        assert_eq!("UTF-8".parse::<Encoding>().unwrap(), Encoding::Utf8);
        assert_eq!("utf8".parse::<Encoding>().unwrap(), Encoding::Utf8);
        assert_eq!("gbk".parse::<Encoding>().unwrap(), Encoding::Gb18030);
        assert_eq!("GB18030".parse::<Encoding>().unwrap(), Encoding::Gb18030);
        assert!(
            "latin1"
                .parse::<Encoding>()
                .unwrap_err()
                .to_string()
                .contains("latin1")
        );
    }

    #[test]
    fn unknown_extension_is_a_typed_error() {
        let err = ingest_bytes("week.docx", b"x", &IngestOptions::default()).unwrap_err();
        assert!(
            matches!(err, Error::UnknownFormat { ref extension, .. } if extension == "docx"),
            "{err}"
        );
        let err = ingest(
            &[PathBuf::from("/nonexistent/week.csv")],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }

    #[test]
    fn later_duplicates_replace_earlier_in_first_position() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.jsonl");
        std::fs::write(
            &a,
            "工单编号,受理时间,受理内容\nA1,2024-03-01,旧内容\nA2,2024-03-02,第二单\nA1,2024-03-03,新内容\n",
        )
        .unwrap();
        std::fs::write(
            &b,
            "{\"work_order_id\":\"A2\",\"received_at\":\"2024-03-04\",\"text\":\"第二单更新\"}\n",
        )
        .unwrap();
        let batch = ingest(&[a, b], &IngestOptions::default(), &|_| {}).unwrap();
        check_accounting(&batch);
        assert_eq!(batch.stats.duplicates, 2);
        let got: Vec<(&str, &str)> = batch
            .orders
            .iter()
            .map(|o| (o.id.as_str(), o.text.as_str()))
            .collect();
        assert_eq!(got, [("A1", "新内容"), ("A2", "第二单更新")]);
        assert!(batch.orders[1].source.file.ends_with("b.jsonl"));
        assert_eq!(batch.stats.files.len(), 2);
        assert_eq!(batch.stats.files[1].format, "jsonl");
    }

    /// Collects a stream's blocks, checking that they partition the input.
    fn stream(paths: &[PathBuf]) -> (Vec<Block>, IngestStats) {
        let mut blocks = Vec::new();
        let stats = ingest_stream(
            paths,
            &IngestOptions::default(),
            &|_| {},
            &|o| o,
            &mut |block: Block| {
                blocks.push(block);
                Ok::<(), Error>(())
            },
        )
        .unwrap();
        (blocks, stats)
    }

    #[test]
    fn stream_places_later_records_at_first_appearance_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.jsonl");
        let mut text = String::from("工单编号,受理时间,受理内容\n");
        for i in 0..600 {
            text.push_str(&format!(
                "A{i},2024-03-01 08:00,客户来电反映电压低第{i}次\n"
            ));
        }
        text.push_str("A3,2024-03-05 08:00,第三单更新\nBAD,2024-02-30,日期不存在\n");
        std::fs::write(&a, &text).unwrap();
        let mut lines = String::new();
        for i in [599, 3, 700] {
            lines.push_str(&format!(
                "{{\"work_order_id\":\"A{i}\",\"received_at\":\"2024-03-09\",\"text\":\"再次来电{i}\"}}\n"
            ));
        }
        std::fs::write(&b, &lines).unwrap();
        let paths = [a, b];
        let (blocks, stats) = stream(&paths);
        assert!(blocks.len() > 3, "{} blocks", blocks.len());
        assert_eq!(
            (
                stats.read,
                stats.accepted,
                stats.rejected,
                stats.duplicates,
                stats.orders
            ),
            (605, 604, 1, 3, 601)
        );
        let orders: Vec<&WorkOrder> = blocks.iter().flat_map(|b| &b.orders).collect();
        assert_eq!(orders.len(), 601);
        // A3 stays fourth, with its last record (from the second file).
        assert_eq!(orders[3].id.as_str(), "A3");
        assert_eq!(orders[3].text, "再次来电3");
        assert!(orders[3].source.file.ends_with("b.jsonl"));
        assert_eq!(orders[599].text, "再次来电599");
        assert_eq!(orders[600].id.as_str(), "A700");
        let rejects: Vec<u64> = blocks
            .iter()
            .flat_map(|b| &b.rejects)
            .map(|r| r.line)
            .collect();
        assert_eq!(rejects, [603]);
        // The same as the whole-batch reader.
        let batch = ingest(&paths, &IngestOptions::default(), &|_| {}).unwrap();
        check_accounting(&batch);
        assert_eq!(batch.stats, stats);
        assert!(batch.orders.iter().zip(&orders).all(|(x, y)| x == *y));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Any mix of repeated ids and rejects, over a CSV and a JSONL file
        /// read in many small blocks: the stream delivers exactly what the
        /// whole-batch reader (one pass, replacement in place) returns.
        #[test]
        fn stream_equals_the_whole_batch(
            rows in proptest::collection::vec((0u8..40, proptest::bool::weighted(0.1)), 0..400),
            split in 0usize..400,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let split = split.min(rows.len());
            let mut csv = String::from("工单编号,受理时间,受理内容\n");
            for (k, (id, bad)) in rows[..split].iter().enumerate() {
                let day = if *bad { 30 } else { 1 + k % 28 };
                csv.push_str(&format!("B{id},2024-02-{day:02},第{k}行反映电压低\n"));
            }
            let mut jsonl = String::new();
            for (k, (id, bad)) in rows[split..].iter().enumerate() {
                let day = if *bad { 30 } else { 1 + k % 28 };
                jsonl.push_str(&format!(
                    "{{\"work_order_id\":\"B{id}\",\"received_at\":\"2024-02-{day:02}\",\"text\":\"第{k}条\"}}\n"
                ));
            }
            let a = dir.path().join("a.csv");
            let b = dir.path().join("b.jsonl");
            std::fs::write(&a, csv).unwrap();
            std::fs::write(&b, jsonl).unwrap();
            let paths = [a, b];
            let (blocks, stats) = stream(&paths);
            let batch = ingest(&paths, &IngestOptions::default(), &|_| {}).unwrap();
            check_accounting(&batch);
            proptest::prop_assert_eq!(&stats, &batch.stats);
            let orders: Vec<WorkOrder> = blocks.iter().flat_map(|b| b.orders.clone()).collect();
            proptest::prop_assert_eq!(orders, batch.orders);
            let rejects: Vec<Reject> = blocks.into_iter().flat_map(|b| b.rejects).collect();
            proptest::prop_assert_eq!(rejects, batch.rejects);
        }
    }

    #[test]
    fn a_failing_sink_stops_the_stream_with_its_own_error() {
        #[derive(Debug)]
        enum Stop {
            Full(usize),
            Ingest,
        }
        impl From<Error> for Stop {
            fn from(_: Error) -> Self {
                Stop::Ingest
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let mut text = String::from("工单编号,受理时间,受理内容\n");
        for i in 0..1000 {
            text.push_str(&format!("A{i},2024-03-01 08:00,客户来电反映电压低\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let mut calls = 0;
        let result = ingest_stream(
            &[path],
            &IngestOptions::default(),
            &|_| {},
            &|o| o,
            &mut |block: Block| {
                calls += 1;
                if calls == 2 {
                    return Err(Stop::Full(block.orders.len()));
                }
                Ok(())
            },
        );
        assert!(matches!(result, Err(Stop::Full(n)) if n > 0), "{result:?}");
        assert_eq!(calls, 2, "no block after the failure");
    }

    #[test]
    fn progress_reports_every_byte_once_at_least() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let mut text = String::from("工单编号,受理时间,受理内容\n");
        for i in 0..10_000 {
            text.push_str(&format!("A{i},2024-03-01 08:00,客户来电反映电压低\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let done = std::sync::atomic::AtomicU64::new(0);
        let batch = ingest(&[path], &IngestOptions::default(), &|d| {
            done.fetch_add(d, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(batch.stats.accepted, 10_000);
        let done = done.into_inner();
        assert!(
            done >= text.len() as u64 - 2 && done <= text.len() as u64 + 10_000,
            "{done}"
        );
    }

    #[test]
    fn rejects_csv_is_atomic_utf8_with_bom() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.csv");
        let rejects = vec![make_reject(
            "a.csv",
            7,
            Some("received_at".into()),
            RejectReason::BadDate {
                value: "2024-02-30".into(),
            },
            "A1,2024-02-30,\"停电\"\0".into(),
        )];
        write_rejects_csv(&path, &rejects).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(
            reader.headers().unwrap(),
            vec!["file", "line", "column", "reason", "raw"]
        );
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[1], "7");
        assert_eq!(&row[2], "received_at");
        assert!(row[3].contains("2024-02-30"));
        assert_eq!(&row[4], "A1,2024-02-30,\"停电\"␀");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );

        write_rejects_csv(&path, &[]).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"\xEF\xBB\xBFfile,line,column,reason,raw\n"
        );
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/ingest")
            .join(name)
    }

    /// fixtures/ingest/malformed.csv rejects exactly the rows listed in
    /// malformed.expected.csv, on those lines, and accepts the rest.
    #[test]
    fn malformed_fixture_matches_its_expectations() {
        let batch = ingest(
            &[fixture("malformed.csv")],
            &IngestOptions::default(),
            &|_| {},
        )
        .unwrap();
        check_accounting(&batch);
        let mut expected = csv::Reader::from_path(fixture("malformed.expected.csv")).unwrap();
        let want: Vec<(u64, String)> = expected
            .records()
            .map(|r| {
                let r = r.unwrap();
                (r[0].parse().unwrap(), r[1].to_owned())
            })
            .collect();
        let got = reject_lines(&batch);
        assert_eq!(got.len(), want.len(), "{got:#?}");
        for ((line, reason), (want_line, want_reason)) in got.iter().zip(&want) {
            assert_eq!(line, want_line, "{reason}");
            assert!(
                reason.contains(want_reason.as_str()),
                "line {line}: {reason}"
            );
        }
        assert_eq!(batch.stats.read, 18);
        assert_eq!(batch.stats.duplicates, 1);
        assert_eq!(batch.orders.len(), 4);
        assert!(
            batch.orders[0].text.starts_with("重复工单"),
            "the later record replaced the first"
        );
        assert_eq!(batch.orders[1].source.line, 3);
    }

    #[test]
    fn gb18030_and_xlsx_fixtures_read_cleanly() {
        let paths = [fixture("gb18030.csv"), fixture("export.xlsx")];
        let batch = ingest(&paths, &IngestOptions::default(), &|_| {}).unwrap();
        check_accounting(&batch);
        assert_eq!(batch.stats.rejected, 0);
        assert_eq!(batch.stats.files[0].encoding, "gb18030");
        assert_eq!(batch.stats.files[0].accepted, 20);
        assert_eq!(batch.stats.files[1].accepted, 12);
        assert!(batch.orders[0].text.starts_with("客户来电反映"));
        let xlsx = &batch.orders[20];
        assert_eq!(xlsx.id.as_str(), "2024030100001");
        assert_eq!(xlsx.source.line, 3);
        assert_eq!(xlsx.phone.as_deref(), Some("13700000000"));
    }

    #[test]
    fn raw_text_of_rejects_is_capped() {
        let r = make_reject(
            "a",
            1,
            None,
            RejectReason::UnterminatedQuote,
            "停".repeat(100_000),
        );
        assert!(r.raw.len() < RAW_CAP + 64);
        assert!(r.raw.ends_with("more bytes]"));
    }
}
