//! `kesu index`: add work orders to a search index (upsert by work order id).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use kesu_index::ComplaintIndex;

use crate::input::{AnalyzerArgs, InputArgs, load};

/// Add work orders to a search index, replacing earlier versions by work order id.
///
/// Reads the exports like `kesu ingest`, normalises and segments the text
/// (once), and commits everything in one atomic commit: a crash leaves the
/// index as it was before the run. Indexing the same file twice leaves the
/// same number of documents.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    /// Index directory (created if it does not exist).
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,

    /// Where rows that could not be read are kept (`file,line,column,reason,raw`;
    /// default: DIR.rejects.csv beside the index). Written on every run.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[allow(clippy::print_stderr)]
pub fn run(args: Args) -> anyhow::Result<crate::Status> {
    let analyzer = args.analyzer.analyzer()?;
    let version = analyzer.version();
    let mut index = ComplaintIndex::create_or_open(&args.index, &analyzer)
        .with_context(|| format!("opening index {}", args.index.display()))?;
    let stale = index.stale_count(&version)?;
    if let Some(payload) = index.payload()?
        && (payload.analyzer_version != version.0 || stale > 0)
    {
        eprintln!(
            "kesu: warning: the index was built with analyzer {} but the current analyzer is {}; \
             {stale} documents are stale. Run `kesu reindex --index {}` to rebuild them.",
            payload.analyzer_version,
            version,
            args.index.display()
        );
    }
    let loaded = load(&args.input, &analyzer, true)?;
    // Auditors must know exactly which rows are not searchable: every one is
    // kept in the rejects file, the first few are shown.
    let rejects_path = args.rejects.clone().unwrap_or_else(|| {
        let mut name = args.index.file_name().unwrap_or_default().to_os_string();
        name.push(".rejects.csv");
        args.index.with_file_name(name)
    });
    kesu_ingest::write_rejects_csv(&rejects_path, &loaded.rejects)
        .with_context(|| format!("writing {}", rejects_path.display()))?;
    if !loaded.rejects.is_empty() {
        eprintln!(
            "kesu: warning: {} of {} rows could not be read and are NOT in the index:",
            loaded.rejects.len(),
            loaded.stats.read
        );
        for r in loaded.rejects.iter().take(10) {
            eprintln!("  {}:{}: {}", r.file, r.line, r.reason);
        }
        if loaded.rejects.len() > 10 {
            eprintln!("  … and {} more", loaded.rejects.len() - 10);
        }
        eprintln!("kesu: all rejected rows are in {}", rejects_path.display());
    }
    let stats = index
        .upsert(&loaded.orders, &analyzer)
        .with_context(|| format!("indexing into {}", args.index.display()))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let summary = serde_json::json!({
            "index": args.index.display().to_string(),
            "read": loaded.stats.read,
            "rejected": loaded.stats.rejected,
            "rejects": rejects_path.display().to_string(),
            "orders": stats.orders,
            "replaced": stats.replaced,
            "docs_before": stats.docs_before,
            "docs": stats.docs_after,
            "analyzer_version": version.to_string(),
            "stale": index.stale_count(&version)?,
        });
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "indexed {} orders ({} replaced, {} rows rejected) into {}: {} documents, analyzer {}",
            stats.orders,
            stats.replaced,
            loaded.stats.rejected,
            args.index.display(),
            stats.docs_after,
            version
        )?;
    }
    Ok(crate::Status::Done)
}
