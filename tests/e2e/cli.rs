//! The command line as a whole: help, version, exit codes.

use crate::util::{assert_code, run, stderr, stdout};

#[test]
fn help_lists_every_command() {
    let out = run(&["--help"]);
    assert_code(&out, 0);
    let text = stdout(&out);
    for cmd in [
        "ingest", "synth", "index", "reindex", "search", "similar", "analyze",
    ] {
        assert!(text.contains(cmd), "--help does not mention {cmd}:\n{text}");
    }
    assert!(text.contains("Exit status"));
}

#[test]
fn every_command_has_help() {
    for cmd in [
        "ingest", "synth", "index", "reindex", "search", "similar", "analyze",
    ] {
        let out = run(&[cmd, "--help"]);
        assert_code(&out, 0);
        assert!(
            stdout(&out).contains("Usage: kesu"),
            "{cmd} --help:\n{}",
            stdout(&out)
        );
    }
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = run(&["frobnicate"]);
    assert_code(&out, 2);
    assert!(stderr(&out).contains("frobnicate"));
}

#[test]
fn missing_input_file_is_an_error_with_exit_2() {
    let dir = crate::util::tempdir();
    let out_dir = dir.path().join("out");
    let out = run(&[
        "ingest",
        "no/such/file.csv",
        "--out",
        out_dir.to_str().expect("utf-8 path"),
    ]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).contains("no/such/file.csv"),
        "{}",
        stderr(&out)
    );
}
