//! One module per subcommand: its clap arguments and a `run` that glues
//! library crates together.

pub mod analyze;
pub mod explain;
pub mod index;
pub mod ingest;
pub mod reindex;
pub mod report;
pub mod run;
pub mod search;
pub mod similar;
pub mod synth;
