//! JSON Lines exports: one object per line, keys mapped like headers.

use std::io::BufRead;
use std::path::Path;

use kesu_model::{RejectReason, SourceRef};
use rayon::prelude::*;
use serde_json::Value;

use crate::row::{Cell, RowBuilder, Target};
use crate::{Emit, Error, FileRead, IngestOptions, Map, Outcome, Result, make_reject};

/// Lines per parallel chunk.
const CHUNK: usize = 4096;

/// Bytes of lines gathered before they are parsed and handed on: the file
/// is streamed line by line, never held whole. Unit tests use tiny blocks.
pub(crate) const BLOCK: usize = if cfg!(test) { 256 } else { 16 << 20 };

/// Reads a JSONL file line by line, a block of lines at a time. Blank lines
/// are not records.
pub(crate) fn read<T: Send>(
    file: &str,
    path: &Path,
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
    let mut src =
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path).map_err(io)?);
    // The block's bytes, and each non-blank line as (line number, start, end).
    let mut bytes: Vec<u8> = Vec::new();
    let mut lines: Vec<(u64, usize, usize)> = Vec::new();
    let mut no = 0u64;
    loop {
        let start = bytes.len();
        let got = src.read_until(b'\n', &mut bytes).map_err(io)?;
        if got > 0 {
            no += 1;
            if no == 1 && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
                bytes.drain(..3);
                progress(3);
            }
            let end = if bytes.last() == Some(&b'\n') {
                bytes.len() - 1
            } else {
                bytes.len()
            };
            if bytes[start..end].trim_ascii().is_empty() {
                progress((bytes.len() - start) as u64);
                bytes.truncate(start);
            } else {
                lines.push((no, start, end));
            }
        }
        if (got == 0 || bytes.len() >= block_size) && !lines.is_empty() {
            let block = &bytes;
            let chunks: Vec<Vec<_>> = lines
                .par_chunks(CHUNK)
                .map(|chunk| {
                    let out = chunk
                        .iter()
                        .map(|&(line, s, e)| record(file, line, &block[s..e], opts).map(map))
                        .collect();
                    progress((chunk[chunk.len() - 1].2 - chunk[0].1) as u64 + 1);
                    out
                })
                .collect();
            emit(chunks.into_iter().flatten().collect())?;
            bytes.clear();
            lines.clear();
        }
        if got == 0 {
            break;
        }
    }
    Ok(FileRead {
        format: "jsonl",
        encoding: "utf-8".to_owned(),
    })
}

fn record(file: &str, line: u64, raw: &[u8], opts: &IngestOptions) -> Outcome {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let reject = |column: Option<String>, reason| {
        Err(make_reject(
            file,
            line,
            column,
            reason,
            String::from_utf8_lossy(raw).into_owned(),
        ))
    };
    if raw.contains(&0) {
        return reject(None, RejectReason::NulByte);
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return reject(
            None,
            RejectReason::Undecodable {
                encoding: "utf-8".to_owned(),
            },
        );
    };
    let object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        Ok(other) => {
            let kind = match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            };
            return reject(
                None,
                RejectReason::BadJson {
                    message: format!("expected an object, found {kind}"),
                },
            );
        }
        Err(e) => {
            return reject(
                None,
                RejectReason::BadJson {
                    message: e.to_string(),
                },
            );
        }
    };
    let mut builder = RowBuilder::new(false, opts.timezone);
    for (key, value) in &object {
        let target = Target {
            field: opts.columns.resolve(key),
            name: key.clone(),
        };
        match value {
            Value::Null => builder.set(&target, Cell::Empty),
            Value::String(s) => builder.set(&target, Cell::Text(s)),
            Value::Object(inner) if target.field.is_none() && key == "extra" => {
                // kesu's own `extra` map, written back out by an earlier run.
                for (k, v) in inner {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    builder.set_extra(k.clone(), v);
                }
            }
            other => builder.set(&target, Cell::Text(&other.to_string())),
        }
    }
    let source = SourceRef {
        file: file.to_owned(),
        line,
    };
    builder
        .finish(source)
        .or_else(|(field, reason)| reject(Some(field.name().to_owned()), reason))
}

#[cfg(test)]
mod tests {
    use crate::IngestOptions;
    use crate::testutil::{ingest_bytes, reject_lines};

    #[test]
    fn objects_per_line_with_aliases_and_rejects() {
        let text = concat!(
            "{\"工单编号\":\"J1\",\"受理时间\":\"2024-03-01 08:30\",\"受理内容\":\"客户来电反映停电\",\"派单部门\":\"运检部\",\"工单等级\":3}\n",
            "\n",
            "[1,2]\n",
            "{\"work_order_id\":20240301000000123,\"received_at\":20240301083000,\"text\":\"数字编号\",\"extra\":{\"来源\":\"kesu\"}}\r\n",
            "{\"work_order_id\":\"J3\",\"text\":\"无日期\"}\n",
            "{not json\n",
            "{\"work_order_id\":\"J4\",\"received_at\":\"2024-03-01\",\"text\":\"\"}\n",
        );
        let batch = ingest_bytes("w.jsonl", text.as_bytes(), &IngestOptions::default()).unwrap();
        assert_eq!(batch.stats.read, 6);
        let a = &batch.orders[0];
        assert_eq!((a.id.as_str(), a.source.line), ("J1", 1));
        assert_eq!(a.extra["派单部门"], "运检部");
        assert_eq!(a.extra["工单等级"], "3");
        let b = &batch.orders[1];
        assert_eq!(b.id.as_str(), "20240301000000123");
        assert_eq!(b.received_at.to_string(), "2024-03-01 08:30:00");
        assert_eq!(b.extra["来源"], "kesu");
        let rejects = reject_lines(&batch);
        assert_eq!(rejects.len(), 4);
        assert_eq!(rejects[0].0, 3);
        assert!(rejects[0].1.contains("expected an object, found an array"));
        assert_eq!(rejects[1], (5, "missing required field received_at".into()));
        assert_eq!(rejects[2].0, 6);
        assert!(rejects[2].1.starts_with("invalid JSON"));
        assert_eq!(rejects[3], (7, "empty or whitespace-only text".into()));
    }
}
