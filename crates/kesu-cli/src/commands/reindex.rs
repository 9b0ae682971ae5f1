//! `kesu reindex`: rebuild an index's stale documents from their stored text.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use kesu_index::{ComplaintIndex, IndexLock};

use crate::input::AnalyzerArgs;

/// Rebuild, from the text stored in the index, every document indexed with
/// another analyzer (dictionary, stop words or normaliser) than the current
/// one. The original export files are not needed. One atomic commit.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Index directory.
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<crate::Status> {
    // Held until the end: no `kesu index` may write while documents are rebuilt.
    let _lock = IndexLock::acquire(&args.index)?;
    let analyzer = args.analyzer.analyzer()?;
    let mut index = ComplaintIndex::open(&args.index, &analyzer)
        .with_context(|| format!("opening index {}", args.index.display()))?;
    let stats = index
        .reindex(&analyzer)
        .with_context(|| format!("reindexing {}", args.index.display()))?;
    let version = analyzer.version();
    let mut out = std::io::stdout().lock();
    if args.json {
        let summary = serde_json::json!({
            "index": args.index.display().to_string(),
            "rebuilt": stats.orders,
            "docs": stats.docs_after,
            "analyzer_version": version.to_string(),
        });
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "rebuilt {} of {} documents with analyzer {}",
            stats.orders, stats.docs_after, version
        )?;
    }
    Ok(crate::Status::Done)
}
