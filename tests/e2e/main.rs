//! kesu's end-to-end tests: ONE integration binary that runs the real `kesu`
//! executable (each file under tests/ would otherwise link tantivy, arrow and
//! parquet again, which matters on 2 cores).
//!
//! Run one area with `cargo test -p kesu-cli --test e2e <module>`.

mod analyze;
mod cli;
mod exports;
mod ingest;
mod notices;
mod reliability;
mod report;
mod run;
mod sample;
mod search;
mod snapshots;
mod synth;
mod util;
