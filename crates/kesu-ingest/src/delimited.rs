//! CSV/TSV exports: encoding detection, physical line numbers, per-record decoding.
//!
//! The reader is our own rather than the `csv` crate's because rejects need
//! what csv-core does not expose: whether a record ended inside a quote at
//! end of file, and the exact raw bytes of every record. Quoting follows
//! RFC 4180 as csv-core reads it (a quote opens a quoted field only at its
//! start; inside one, `""` is a quote). The file is read in 16 MiB blocks;
//! each block is split into records in one sequential pass that tracks only
//! the quote state (a record cut by the block end is carried over), and the
//! records are then decoded, checked and mapped in parallel chunks, in order.

use std::borrow::Cow;

use kesu_model::{RejectReason, SourceRef};
use rayon::prelude::*;

use crate::row::{Cell, RowBuilder, Schema};
use std::io::Read;

use crate::{Emit, Encoding, Error, FileRead, IngestOptions, Map, Outcome, Result, make_reject};

/// Records per parallel chunk: large enough to amortise scheduling, small
/// enough for steady progress.
const CHUNK: usize = 4096;

/// The encoding a file is read in, once decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoder {
    Utf8,
    Gb18030,
}

impl Decoder {
    fn label(self) -> &'static str {
        match self {
            Decoder::Utf8 => "utf-8",
            Decoder::Gb18030 => "gb18030",
        }
    }

    /// Strict decoding: `None` for bytes invalid in the encoding.
    fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Decoder::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Decoder::Gb18030 => {
                encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }

    /// Lossy decoding, for raw text kept with rejects and for headers.
    fn decode_lossy(self, bytes: &[u8]) -> String {
        match self {
            Decoder::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Decoder::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        }
    }
}

/// Decides the encoding and strips a byte-order mark. UTF-16 (Excel's
/// "Unicode text") is converted to UTF-8 up front.
///
/// `whole` says whether `bytes` is the whole file; if not, its last line may
/// be cut in the middle of a character and is not sniffed.
pub(crate) fn detect(
    mut bytes: Vec<u8>,
    forced: Encoding,
    whole: bool,
) -> (Vec<u8>, Decoder, String) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, used, _) = encoding_rs::UTF_16LE.decode(&bytes);
        let label = used.name().to_ascii_lowercase();
        return (text.into_owned().into_bytes(), Decoder::Utf8, label);
    }
    // drain, not to_vec: an export can be hundreds of megabytes.
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && forced != Encoding::Gb18030 {
        bytes.drain(..3);
        return (bytes, Decoder::Utf8, "utf-8 (BOM)".to_owned());
    }
    if bytes.starts_with(&[0x84, 0x31, 0x95, 0x33]) && forced != Encoding::Utf8 {
        bytes.drain(..4);
        return (bytes, Decoder::Gb18030, "gb18030 (BOM)".to_owned());
    }
    let decoder = match forced {
        Encoding::Utf8 => Decoder::Utf8,
        Encoding::Gb18030 => Decoder::Gb18030,
        Encoding::Auto if whole => sniff(&bytes),
        Encoding::Auto => {
            let complete = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0);
            sniff(&bytes[..complete])
        }
    };
    (bytes, decoder, decoder.label().to_owned())
}

/// What to say when the headers hold bytes invalid in the encoding used:
/// what was tried, and what is left to try (never the encoding just tried).
fn undecodable_hint(forced: Encoding, decoder: Decoder, label: &str) -> String {
    match (forced, decoder) {
        // Auto sniffs UTF-8 first and falls back to GB18030 only when most
        // lines are not UTF-8: both have failed.
        (Encoding::Auto, Decoder::Gb18030) if label == "gb18030" => " (headers decode \
            neither as utf-8 nor as gb18030, the encodings --encoding auto tries; the file is \
            in another encoding: convert it to UTF-8)"
            .to_owned(),
        (_, Decoder::Utf8) => {
            format!(" (headers do not decode as {label}; try --encoding gb18030)")
        }
        (_, Decoder::Gb18030) => {
            format!(" (headers do not decode as {label}; try --encoding utf-8)")
        }
    }
}

/// UTF-8 unless most lines holding non-ASCII bytes are invalid UTF-8: a
/// GB18030 file is practically never valid UTF-8, while one corrupt row in a
/// UTF-8 file must not turn the whole file into mojibake.
fn sniff(bytes: &[u8]) -> Decoder {
    let (mut valid, mut invalid) = (0u32, 0u32);
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        if std::str::from_utf8(line).is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
        if valid + invalid >= 1000 {
            break;
        }
    }
    if invalid > valid {
        Decoder::Gb18030
    } else {
        Decoder::Utf8
    }
}

/// One record's place in the file: bytes `start..end` (without the line
/// terminator) starting on 1-based physical line `line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    /// A quoted field was still open at end of file.
    pub unterminated: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// Splits `bytes[from..]` into record spans, skipping empty lines.
pub(crate) fn scan_records(bytes: &[u8], from: usize, delim: u8, first_line: u64) -> Vec<Span> {
    let n = bytes.len();
    let mut spans = Vec::with_capacity(n / 200 + 1);
    let mut i = from;
    let mut line = first_line;
    while i < n {
        if bytes[i] == b'\n' {
            i += 1;
            line += 1;
            continue;
        }
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 2;
            line += 1;
            continue;
        }
        let start = i;
        let start_line = line;
        let mut state = State::StartField;
        let mut unterminated = false;
        let end;
        loop {
            if i >= n {
                unterminated = state == State::InQuoted;
                end = n;
                break;
            }
            match state {
                State::StartField => {
                    if bytes[i] == b'"' {
                        i += 1;
                        state = State::InQuoted;
                    } else {
                        state = State::InField;
                    }
                }
                State::InField => {
                    while i < n && bytes[i] != delim && bytes[i] != b'\n' {
                        i += 1;
                    }
                    if i < n {
                        if bytes[i] == delim {
                            i += 1;
                            state = State::StartField;
                        } else {
                            end = i;
                            i += 1;
                            line += 1;
                            break;
                        }
                    }
                }
                State::InQuoted => {
                    while i < n && bytes[i] != b'"' {
                        if bytes[i] == b'\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    if i < n {
                        i += 1;
                        state = State::QuoteInQuoted;
                    }
                }
                State::QuoteInQuoted => match bytes[i] {
                    b'"' => {
                        i += 1;
                        state = State::InQuoted;
                    }
                    b'\n' => {
                        end = i;
                        i += 1;
                        line += 1;
                        break;
                    }
                    b if b == delim => {
                        i += 1;
                        state = State::StartField;
                    }
                    _ => state = State::InField,
                },
            }
        }
        let end = if !unterminated && end > start && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        spans.push(Span {
            start,
            end,
            line: start_line,
            unterminated,
        });
    }
    spans
}

/// Splits one complete record into unescaped fields: `buf[ends[k-1]..ends[k]]`.
pub(crate) fn split_fields(rec: &[u8], delim: u8, buf: &mut Vec<u8>, ends: &mut Vec<usize>) {
    buf.clear();
    ends.clear();
    let n = rec.len();
    let mut i = 0;
    loop {
        // One field per iteration.
        if i < n && rec[i] == b'"' {
            i += 1;
            loop {
                let close = rec[i..]
                    .iter()
                    .position(|&b| b == b'"')
                    .map_or(n, |p| i + p);
                buf.extend_from_slice(&rec[i..close]);
                i = close + 1;
                if i < n && rec[i] == b'"' {
                    buf.push(b'"');
                    i += 1;
                } else {
                    break;
                }
            }
        }
        if i < n && rec[i] != delim {
            let stop = rec[i..]
                .iter()
                .position(|&b| b == delim)
                .map_or(n, |p| i + p);
            buf.extend_from_slice(&rec[i..stop]);
            i = stop;
        }
        ends.push(buf.len());
        if i >= n {
            break;
        }
        // rec[i] is the delimiter.
        i += 1;
    }
}

/// Bytes read from disk at a time: the whole export is never held in memory
/// (a million-row export is half a gigabyte), only one block and the
/// records parsed from it.
/// Unit tests use tiny blocks, so that every multi-block path is exercised.
pub(crate) const BLOCK: usize = if cfg!(test) { 4096 } else { 16 << 20 };

/// Bytes the encoding is decided on, at least.
const SNIFF_BYTES: usize = if cfg!(test) { 4096 } else { 1 << 20 };

/// Appends up to `want` more bytes of `src` to `buf`; false at end of file.
fn fill(src: &mut impl std::io::Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    while buf.len() < target {
        let got = src
            .by_ref()
            .take((target - buf.len()) as u64)
            .read_to_end(buf)?;
        if got == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads a CSV/TSV file block by block (`block_size` bytes, [`BLOCK`] in
/// production; tests choose tiny blocks): each block is split into records,
/// which are decoded, checked and mapped in parallel chunks, in order, and
/// handed to `emit` before the next block is read. A record cut by the end
/// of a block is carried over to the next one.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read<T: Send>(
    file: &str,
    path: &std::path::Path,
    tab: bool,
    opts: &IngestOptions,
    progress: &(dyn Fn(u64) + Sync),
    map: Map<'_, T>,
    emit: &mut Emit<'_, T>,
    block_size: usize,
) -> Result<FileRead> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut src = std::fs::File::open(path).map_err(io)?;
    let mut raw = Vec::new();
    // The first read is large enough to decide the encoding on.
    let mut more = fill(&mut src, &mut raw, block_size.max(SNIFF_BYTES)).map_err(io)?;
    if more && (raw.starts_with(&[0xFF, 0xFE]) || raw.starts_with(&[0xFE, 0xFF])) {
        // UTF-16 is converted to UTF-8 as a whole.
        src.read_to_end(&mut raw).map_err(io)?;
        more = false;
    }
    let read_first = raw.len() as u64;
    // The encoding is decided on the first block (the sniff looks at the
    // first thousand non-ASCII lines at most).
    let (mut bytes, decoder, encoding) = detect(raw, opts.encoding, !more);
    progress(read_first - bytes.len() as u64);
    let header_end_guess = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let first_line = &bytes[..header_end_guess];
    let delim = if tab || (!first_line.contains(&b',') && first_line.contains(&b'\t')) {
        b'\t'
    } else {
        b','
    };

    let mut schema: Option<Schema> = None;
    let mut line = 1;
    loop {
        let mut spans = scan_records(&bytes, 0, delim, line);
        let mut carry = bytes.len();
        if more {
            // The last record may go on in the next block.
            match spans.pop() {
                Some(last) if !spans.is_empty() => {
                    carry = last.start;
                    line = last.line;
                }
                _ => {
                    // Not even one whole record yet: read more.
                    more = fill(&mut src, &mut bytes, block_size).map_err(io)?;
                    continue;
                }
            }
        }
        let mut body: &[Span] = &spans;
        if schema.is_none() {
            // The header is the first non-empty record; the rest are the body.
            let Some((header, rest)) = spans.split_first() else {
                return Err(Error::NoHeader {
                    file: file.to_owned(),
                });
            };
            let mut buf = Vec::new();
            let mut ends = Vec::new();
            split_fields(&bytes[header.start..header.end], delim, &mut buf, &mut ends);
            let headers: Vec<String> = fields(&buf, &ends)
                .map(|f| decoder.decode_lossy(f))
                .collect();
            let hint = if headers.iter().any(|h| h.contains('\u{fffd}')) {
                undecodable_hint(opts.encoding, decoder, &encoding)
            } else if decoder == Decoder::Gb18030 && opts.encoding == Encoding::Auto {
                " (read as gb18030; try --encoding utf-8)".to_owned()
            } else {
                String::new()
            };
            schema = Some(Schema::from_headers(&headers, opts, file, &hint)?);
            body = rest;
        }
        let block = &bytes;
        let schema_ref = schema.as_ref().ok_or_else(|| Error::NoHeader {
            file: file.to_owned(),
        })?;
        let chunks: Vec<Vec<_>> = body
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::new();
                let mut ends = Vec::new();
                chunk
                    .iter()
                    .filter_map(|span| {
                        record(
                            file, block, span, delim, decoder, schema_ref, &mut buf, &mut ends,
                        )
                        .map(|outcome| outcome.map(map))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        emit(chunks.into_iter().flatten().collect())?;
        progress(carry as u64);
        if !more {
            break;
        }
        bytes.drain(..carry);
        more = fill(&mut src, &mut bytes, block_size).map_err(io)?;
    }
    Ok(FileRead {
        format: if delim == b'\t' { "tsv" } else { "csv" },
        encoding,
    })
}

fn fields<'b>(buf: &'b [u8], ends: &'b [usize]) -> impl Iterator<Item = &'b [u8]> + 'b {
    ends.iter().scan(0, move |start, &end| {
        let f = &buf[*start..end];
        *start = end;
        Some(f)
    })
}

/// One record: `None` for an all-empty row (`,,,,` as Excel writes them),
/// which is not a record.
#[allow(clippy::too_many_arguments)]
fn record(
    file: &str,
    bytes: &[u8],
    span: &Span,
    delim: u8,
    decoder: Decoder,
    schema: &Schema,
    buf: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> Option<Outcome> {
    let raw = &bytes[span.start..span.end];
    let reject = |column: Option<String>, reason: RejectReason| {
        Some(Err(make_reject(
            file,
            span.line,
            column,
            reason,
            decoder.decode_lossy(raw),
        )))
    };
    if span.unterminated {
        return reject(None, RejectReason::UnterminatedQuote);
    }
    if raw.contains(&0) {
        return reject(None, RejectReason::NulByte);
    }
    split_fields(raw, delim, buf, ends);
    if fields(buf, ends).all(|f| f.trim_ascii().is_empty()) {
        return None;
    }
    let expected = schema.targets.len();
    let mut builder = RowBuilder::new(false, schema.timezone);
    for (k, field) in fields(buf, ends).enumerate() {
        let Some(text) = decoder.decode(field) else {
            let column = schema.targets.get(k).map(|t| t.name.clone());
            return reject(
                column,
                RejectReason::Undecodable {
                    encoding: decoder.label().to_owned(),
                },
            );
        };
        if ends.len() == expected {
            builder.set(&schema.targets[k], Cell::Text(&text));
        }
    }
    if ends.len() != expected {
        return reject(
            None,
            RejectReason::FieldCount {
                expected,
                found: ends.len(),
            },
        );
    }
    let source = SourceRef {
        file: file.to_owned(),
        line: span.line,
    };
    Some(builder.finish(source).map_err(|(field, reason)| {
        make_reject(
            file,
            span.line,
            Some(field.name().to_owned()),
            reason,
            decoder.decode_lossy(raw),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ingest_bytes, reject_lines};

    const HEAD: &str = "工单编号,受理时间,受理内容,受理渠道,供电单位,派单部门\n";

    /// Everything a read produced (or its error), as text, and the bytes
    /// reported to the progress callback.
    fn read_with_block(bytes: &[u8], block: usize) -> (String, u64) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        std::fs::write(&path, bytes).unwrap();
        let done = std::sync::atomic::AtomicU64::new(0);
        let progress = |d: u64| {
            done.fetch_add(d, std::sync::atomic::Ordering::Relaxed);
        };
        let mut outcomes = Vec::new();
        let mut emit = |records: Vec<_>| {
            outcomes.extend(records);
            Ok(())
        };
        let read = read(
            "b.csv",
            &path,
            false,
            &opts(),
            &progress,
            &|o| o,
            &mut emit,
            block,
        );
        let text = match read {
            Ok(r) => format!("{} {:?}", r.encoding, outcomes),
            Err(e) => format!("error {e}"),
        };
        (text, done.into_inner())
    }

    #[test]
    fn records_cut_by_a_block_end_are_carried_over() {
        let mut text = String::from(HEAD);
        for i in 0..50 {
            text.push_str(&format!(
                "A{i},2024-03-01 08:00,\"客户反映\r\n电压低,\"\"急\"\"\",95598,城东,运检\r\n"
            ));
        }
        text.push_str("B1,2024-03-01 08:00,\"未闭合的引号,x,y,z\n");
        let (whole, p) = read_with_block(text.as_bytes(), 1 << 30);
        assert_eq!(p, text.len() as u64);
        assert!(whole.contains("UnterminatedQuote"), "{whole}");
        for block in [1, 2, 3, 17, 64, 100, 1000] {
            assert_eq!(
                read_with_block(text.as_bytes(), block),
                (whole.clone(), p),
                "block {block}"
            );
        }
    }

    fn opts() -> IngestOptions {
        IngestOptions::default()
    }

    fn spans_of(text: &[u8]) -> Vec<(u64, String, bool)> {
        scan_records(text, 0, b',', 1)
            .into_iter()
            .map(|s| {
                (
                    s.line,
                    String::from_utf8_lossy(&text[s.start..s.end]).into_owned(),
                    s.unterminated,
                )
            })
            .collect()
    }

    #[test]
    fn records_start_on_their_physical_line() {
        let text = b"a,\"x\ny\"\r\nb,c\n\n\r\nd,\"e\"\"\n\nf\"\nlast";
        assert_eq!(
            spans_of(text),
            vec![
                (1, "a,\"x\ny\"".into(), false),
                (3, "b,c".into(), false),
                (6, "d,\"e\"\"\n\nf\"".into(), false),
                (9, "last".into(), false),
            ]
        );
        assert_eq!(
            spans_of(b"a,\"open\nb,c\n"),
            vec![(1, "a,\"open\nb,c\n".into(), true)]
        );
        assert_eq!(
            spans_of(b"a,b\"c\nd\n"),
            vec![(1, "a,b\"c".into(), false), (2, "d".into(), false)]
        );
    }

    #[test]
    fn fields_are_unescaped() {
        let (mut buf, mut ends) = (Vec::new(), Vec::new());
        let split = |rec: &[u8], buf: &mut Vec<u8>, ends: &mut Vec<usize>| {
            split_fields(rec, b',', buf, ends);
            fields(buf, ends)
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            split(b"a,\"b,c\",\"d\"\"e\"", &mut buf, &mut ends),
            ["a", "b,c", "d\"e"]
        );
        assert_eq!(split(b"a,,", &mut buf, &mut ends), ["a", "", ""]);
        assert_eq!(split(b"", &mut buf, &mut ends), [""]);
        assert_eq!(split(b"\"x\"y,z", &mut buf, &mut ends), ["xy", "z"]);
        assert_eq!(split(b"\"\"", &mut buf, &mut ends), [""]);
    }

    /// Every defect a real export shows, each rejected with its reason on the
    /// line where its record starts; the good rows around them are accepted.
    #[test]
    fn each_defect_is_rejected_on_its_line() {
        let mut text: Vec<u8> = HEAD.as_bytes().to_vec();
        let rows: [&[u8]; 14] = [
            "A1,2024-03-01 08:30:00,\"客户来电反映\n家中停电，要求尽快恢复\",95598,城区供电中心,运检部\n".as_bytes(),
            "A2,2024/3/1 8:30:05,客户反映电费异常,网上国网,城区供电中心,营销部\n".as_bytes(),
            "A3,2024-03-01,少了字段\n".as_bytes(),
            "A4,2024-02-30,日期不存在,95598,城区,营销部\n".as_bytes(),
            "A5,2024-03-01 25:61,时间不存在,95598,城区,营销部\n".as_bytes(),
            "A6,2024-03-01,   ,95598,城区,营销部\n".as_bytes(),
            ",2024-03-01,没有编号,95598,城区,营销部\n".as_bytes(),
            "A7,,没有日期,95598,城区,营销部\n".as_bytes(),
            b"A8,2024-03-01,\xe5\x90\x00\x00,95598,x,y\n",
            b"A9,2024-03-01,\xff\xfe\xbd,95598,x,y\n",
            ",,,,,\n".as_bytes(),
            "A10,明天上午,日期是乱写的,95598,城区,营销部\n".as_bytes(),
            "A11,2024年3月1日 8时30分,客户来电反映路灯不亮,95598,城区,营销部\n".as_bytes(),
            "A12,2024-03-01,\"引号没有闭合,95598,城区,营销部\nA13,2024-03-01,被吞掉,95598,城区,营销部\n".as_bytes(),
        ];
        for row in rows {
            text.extend_from_slice(row);
        }
        let batch = ingest_bytes("defects.csv", &text, &opts()).unwrap();
        let ids: Vec<&str> = batch.orders.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["A1", "A2", "A11"]);
        assert_eq!(batch.orders[0].text, "客户来电反映\n家中停电，要求尽快恢复");
        assert_eq!(batch.orders[0].source.line, 2);
        assert_eq!(batch.orders[2].source.line, 15);
        assert_eq!(batch.orders[1].extra["派单部门"], "营销部");
        let got = reject_lines(&batch);
        let want: [(u64, &str); 10] = [
            (5, "wrong field count: expected 6, found 3"),
            (6, "\"2024-02-30\""),
            (7, "\"2024-03-01 25:61\""),
            (8, "empty or whitespace-only text"),
            (9, "missing required field work_order_id"),
            (10, "missing required field received_at"),
            (11, "NUL byte"),
            (12, "undecodable bytes for encoding utf-8"),
            (14, "\"明天上午\""),
            (16, "unterminated quoted field"),
        ];
        assert_eq!(got.len(), want.len(), "{got:#?}");
        for ((line, reason), (want_line, want_reason)) in got.iter().zip(want) {
            assert_eq!(*line, want_line, "{reason}");
            assert!(
                reason.contains(want_reason),
                "line {line}: {reason} lacks {want_reason}"
            );
        }
        assert_eq!(batch.rejects[7].column.as_deref(), Some("受理内容"));
        assert_eq!(batch.rejects[1].column.as_deref(), Some("received_at"));
        assert!(
            batch.rejects[9].raw.contains("被吞掉"),
            "the rest of the file is the raw record"
        );
        assert_eq!(batch.stats.read, 13);
    }

    #[test]
    fn gb18030_is_detected_and_decoded() {
        let text = format!(
            "{HEAD}G1,2024-03-01 09:00,客户来电反映电压不稳，联系电话13912345678,95598,城东供电所,运检部\n"
        );
        let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
        assert!(!bad);
        assert!(std::str::from_utf8(&gb).is_err());
        let batch = ingest_bytes("gb.csv", &gb, &opts()).unwrap();
        assert_eq!(batch.stats.files[0].encoding, "gb18030");
        assert_eq!(
            batch.orders[0].text,
            "客户来电反映电压不稳，联系电话13912345678"
        );
        assert_eq!(batch.orders[0].unit.as_deref(), Some("城东供电所"));

        // A row invalid in GB18030 is rejected alone.
        let mut bytes = gb.into_owned();
        bytes.extend_from_slice(b"G2,2024-03-01,\xff\xff,95598,x,y\n");
        let batch = ingest_bytes("gb.csv", &bytes, &opts()).unwrap();
        assert_eq!(
            reject_lines(&batch),
            [(3, "undecodable bytes for encoding gb18030".into())]
        );

        // Forcing the wrong encoding fails on the headers, with a hint.
        let utf8 = IngestOptions {
            encoding: Encoding::Utf8,
            ..opts()
        };
        let err = ingest_bytes("gb.csv", &bytes, &utf8)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("gb.csv") && err.contains("--encoding gb18030"),
            "{err}"
        );
    }

    #[test]
    fn a_file_in_no_supported_encoding_says_what_was_tried() {
        // Bytes invalid in both UTF-8 and GB18030 (0xFF is never valid in either).
        let bytes = b"\xff\xfe\xff,\xff\xff\n1,\xff\xff\n".to_vec();
        let bytes = [b"x,".as_slice(), &bytes].concat();
        let err = ingest_bytes("odd.csv", &bytes, &opts())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("neither as utf-8 nor as gb18030") && !err.contains("try --encoding"),
            "{err}"
        );
        // Forced to GB18030, the hint points to the other encoding.
        let gb = IngestOptions {
            encoding: Encoding::Gb18030,
            ..opts()
        };
        let err = ingest_bytes("odd.csv", &bytes, &gb)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("do not decode as gb18030; try --encoding utf-8"),
            "{err}"
        );
    }

    #[test]
    fn bom_and_crlf_and_tabs_are_handled() {
        let text = format!("\u{feff}{}", HEAD.replace('\n', "\r\n"))
            + "B1,2024-03-01,客户来电反映停电,95598,城区,营销部\r\n";
        let batch = ingest_bytes("bom.csv", text.as_bytes(), &opts()).unwrap();
        assert_eq!(batch.stats.files[0].encoding, "utf-8 (BOM)");
        assert_eq!(batch.orders[0].id.as_str(), "B1");
        assert_eq!(batch.orders[0].extra["派单部门"], "营销部");

        let tsv = "工单编号\t受理时间\t受理内容\nT1\t2024-03-01\t有逗号,也没关系\n";
        for name in ["week.tsv", "week.csv"] {
            let batch = ingest_bytes(name, tsv.as_bytes(), &opts()).unwrap();
            assert_eq!(batch.orders[0].text, "有逗号,也没关系", "{name}");
        }
    }

    #[test]
    fn utf16_exports_are_read() {
        let text = "工单编号\t受理时间\t受理内容\nU1\t2024-03-01\t客户反映停电\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let batch = ingest_bytes("unicode.txt", &bytes, &opts()).unwrap();
        assert_eq!(batch.orders[0].text, "客户反映停电");
        assert_eq!(batch.stats.files[0].encoding, "utf-16le");
    }

    #[test]
    fn long_texts_and_empty_bodies_are_fine() {
        let long = "停".repeat(200_000);
        let text = format!("工单编号,受理时间,受理内容\nL1,2024-03-01,\"{long}\"\n");
        let batch = ingest_bytes("long.csv", text.as_bytes(), &opts()).unwrap();
        assert_eq!(batch.orders[0].text.chars().count(), 200_000);

        let batch = ingest_bytes(
            "empty.csv",
            "工单编号,受理时间,受理内容\n".as_bytes(),
            &opts(),
        )
        .unwrap();
        assert_eq!(batch.stats.read, 0);
        assert!(matches!(
            ingest_bytes("blank.csv", b"\n\n", &opts()).unwrap_err(),
            Error::NoHeader { .. }
        ));
    }

    #[test]
    fn header_without_required_field_names_file_field_and_headers() {
        let err = ingest_bytes("x.csv", "编号,时间,内容\n1,2,3\n".as_bytes(), &opts())
            .unwrap_err()
            .to_string();
        for part in [
            "x.csv",
            "work_order_id",
            "received_at",
            "text",
            "编号, 时间, 内容",
        ] {
            assert!(err.contains(part), "{err} lacks {part}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(vec![b',', b'"', b'\n', b'\r', 0u8, b'A', b'2', b'-']),
            ],
            0..400,
        )) {
            let mut with_header = b"work_order_id,received_at,text\n".to_vec();
            with_header.extend_from_slice(&body);
            let _ = ingest_bytes("p.csv", &with_header, &opts());
            let _ = ingest_bytes("q.csv", &body, &opts());
        }

        #[test]
        fn reading_in_blocks_changes_nothing(
            body in "[A-C0-9,\"\n\r 停电:-]{0,400}",
            rows in proptest::collection::vec(0u32..3, 0..30),
            block in 1usize..200,
        ) {
            // Valid rows, and a free-form tail that may hold broken quotes.
            let mut text = String::from(HEAD);
            for (i, r) in rows.iter().enumerate() {
                text.push_str(&format!("A{i},2024-03-0{} 08:00,\"客户,反映\n停电\",95598,城东,运检\n", r + 1));
            }
            text.push_str(&body);
            let (whole, whole_progress) = read_with_block(text.as_bytes(), 1 << 30);
            let (blocked, blocked_progress) = read_with_block(text.as_bytes(), block);
            proptest::prop_assert_eq!(whole, blocked);
            proptest::prop_assert_eq!(whole_progress, blocked_progress);
        }

        #[test]
        fn well_formed_csv_round_trips(rows in proptest::collection::vec(
            proptest::collection::vec("[a-z,\"\n\r 停电]{0,8}", 3), 0..20,
        )) {
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            w.write_record(["c1", "c2", "c3"]).unwrap();
            for r in &rows {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let spans = scan_records(&bytes, 0, b',', 1);
            let mut reference = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[..]);
            let expected: Vec<csv::StringRecord> = reference.records().map(|r| r.unwrap()).collect();
            let (mut buf, mut ends) = (Vec::new(), Vec::new());
            proptest::prop_assert_eq!(spans.len(), expected.len());
            for (span, want) in spans.iter().zip(&expected) {
                proptest::prop_assert!(!span.unterminated);
                proptest::prop_assert_eq!(span.line, want.position().unwrap().line());
                split_fields(&bytes[span.start..span.end], b',', &mut buf, &mut ends);
                let got: Vec<String> = fields(&buf, &ends).map(|f| String::from_utf8(f.to_vec()).unwrap()).collect();
                let want: Vec<&str> = want.iter().collect();
                proptest::prop_assert_eq!(got, want);
            }
        }
    }
}
