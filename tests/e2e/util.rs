//! Helpers shared by the end-to-end tests: the binary, fixture paths, temp dirs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where README.md and fixtures/ live).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path under fixtures/.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("fixtures").join(rel)
}

/// A `kesu` command, run from the repository root.
pub fn kesu() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kesu"));
    cmd.current_dir(repo_root());
    // Charts use the embedded font unless KESU_FONT names another: tests
    // must not depend on the developer's environment.
    cmd.env_remove("KESU_FONT");
    cmd
}

/// Runs `kesu` with the arguments and returns its output.
pub fn run(args: &[&str]) -> Output {
    kesu()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running kesu {args:?}: {e}"))
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// A fresh temporary directory, removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("creating a temp dir")
}

/// A Parquet file decoded to text: one line per row, `column=value` pairs
/// in schema order (Arrow's display formatting; lists and structs spelled
/// out). Tests compare and snapshot this rather than the file's bytes,
/// which change with the parquet crate's version and writer settings.
pub fn parquet_rows(path: &Path) -> String {
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = FormatOptions::default().with_null("null");
    let mut out = String::new();
    for batch in reader {
        let batch = batch.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let schema = batch.schema();
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("displayable column"))
            .collect();
        for row in 0..batch.num_rows() {
            let cells: Vec<String> = schema
                .fields()
                .iter()
                .zip(&formatters)
                .map(|(f, fmt)| format!("{}={}", f.name(), fmt.value(row)))
                .collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    out
}
