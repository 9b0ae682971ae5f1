//! Atomic file replacement and generic Parquet tables with key-value metadata.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use arrow::array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::{Error, Result};

/// Rows per Parquet row group: large enough for good compression, small
/// enough that a reader or writer never holds a giant batch.
pub(crate) const MAX_ROW_GROUP_ROWS: usize = 65_536;

/// The key under which the Arrow writer stores its own schema; it is an
/// encoding detail, not table metadata, so readers do not see it.
const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

pub(crate) fn parquet_error(
    path: &Path,
) -> impl FnOnce(parquet::errors::ParquetError) -> Error + '_ {
    move |source| Error::Parquet {
        path: path.to_owned(),
        source,
    }
}

/// Writes `path` through `fill` so that the path only ever holds a complete
/// file (kesu's one atomic writer, [`kesu_atomic::replace_with`]: unique
/// temporary file in the same directory, fsync, rename, directory fsync).
pub(crate) fn replace_file(path: &Path, fill: impl FnOnce(&File) -> Result<()>) -> Result<()> {
    kesu_atomic::replace_with(path, |file| fill(file))
}

/// Writes a file atomically: `fill` writes the content, and `path` ends up
/// holding either its previous content or the complete new file, never a part.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    replace_file(path, |file| {
        let mut out = BufWriter::new(file);
        fill(&mut out).map_err(io_error(path))?;
        out.flush().map_err(io_error(path))
    })
}

/// Writer settings shared by every kesu table.
pub(crate) fn writer_properties(metadata: &[(String, String)]) -> WriterProperties {
    let kv = metadata
        .iter()
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(MAX_ROW_GROUP_ROWS))
        .set_key_value_metadata(Some(kv))
        .build()
}

/// Writes one record batch as a Snappy-compressed Parquet file with this
/// key-value metadata, atomically (temporary file, fsync, rename).
pub fn write_parquet_atomic(
    path: &Path,
    batch: &RecordBatch,
    metadata: &[(String, String)],
) -> Result<()> {
    replace_file(path, |file| {
        let mut writer =
            ArrowWriter::try_new(file, batch.schema(), Some(writer_properties(metadata)))
                .map_err(parquet_error(path))?;
        writer.write(batch).map_err(parquet_error(path))?;
        writer.close().map_err(parquet_error(path))?;
        Ok(())
    })
}

/// The key-value metadata of a Parquet file (without the Arrow writer's own schema entry).
pub fn read_parquet_metadata(path: &Path) -> Result<BTreeMap<String, String>> {
    let file = File::open(path).map_err(io_error(path))?;
    let reader = SerializedFileReader::new(file).map_err(parquet_error(path))?;
    let pairs = reader.metadata().file_metadata().key_value_metadata();
    Ok(pairs
        .into_iter()
        .flatten()
        .filter(|kv| kv.key != ARROW_SCHEMA_KEY)
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn batch(n: i64) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("term", DataType::Utf8, false),
            Field::new("count", DataType::Int64, false),
        ]));
        let terms: StringArray = (0..n).map(|i| Some(format!("停电{i}"))).collect();
        let counts = Int64Array::from_iter_values(0..n);
        RecordBatch::try_new(schema, vec![Arc::new(terms), Arc::new(counts)]).expect("valid batch")
    }

    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("readable dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn metadata_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("terms.parquet");
        let meta = vec![
            ("kesu.table".to_owned(), "terms".to_owned()),
            (
                "kesu.analyzer_version".to_owned(),
                "00ff00ff00ff00ff".to_owned(),
            ),
            ("说明".to_owned(), "词频".to_owned()),
        ];
        write_parquet_atomic(&path, &batch(3), &meta).expect("written");
        let read = read_parquet_metadata(&path).expect("read");
        let want: BTreeMap<String, String> = meta.into_iter().collect();
        assert_eq!(read, want);
        assert_eq!(dir_entries(dir.path()), vec!["terms.parquet"]);
    }

    #[cfg(unix)]
    #[test]
    fn written_file_is_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.bin");
        write_atomic(&path, |w| w.write_all(b"x")).expect("written");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_ne!(mode & 0o044, 0, "mode {mode:o} readable by group or others");
    }

    #[test]
    fn failed_write_keeps_previous_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("table.bin");
        write_atomic(&path, |w| w.write_all(b"previous")).expect("first write");

        let err = write_atomic(&path, |w| {
            w.write_all(&[7u8; 100_000])?;
            Err(std::io::Error::other("disk full"))
        })
        .expect_err("fill fails");
        assert!(err.to_string().contains("disk full"));
        assert_eq!(std::fs::read(&path).expect("still there"), b"previous");
        assert_eq!(dir_entries(dir.path()), vec!["table.bin"]);
    }

    #[test]
    fn failed_first_write_leaves_no_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("table.bin");
        let result = write_atomic(&path, |_| Err(std::io::Error::other("boom")));
        assert!(result.is_err());
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[test]
    fn missing_directory_is_an_io_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no/such/dir/t.parquet");
        let err = write_parquet_atomic(&path, &batch(1), &[]).expect_err("no dir");
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(err.to_string().contains("t.parquet"));
    }

    #[test]
    fn reading_a_non_parquet_file_fails() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.parquet");
        std::fs::write(&path, b"not parquet at all").expect("written");
        assert!(matches!(
            read_parquet_metadata(&path),
            Err(Error::Parquet { .. })
        ));
    }
}
