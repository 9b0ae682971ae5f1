//! `kesu index`: add work orders to a search index (upsert by work order id).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use kesu_index::{ComplaintIndex, IndexLock, UpsertStats, WriterOptions};
use kesu_segment::AnalyzerVersion;

use crate::accounting::{Accounting, RejectGateArgs};
use crate::input::{AnalyzerArgs, InputArgs, Loaded, stream_with};

/// Add work orders to a search index, replacing earlier versions by work order id.
///
/// Reads the exports like `kesu ingest` (block by block, in bounded memory),
/// normalises and segments the text (once), and commits everything in one
/// atomic commit: a crash leaves the
/// index as it was before the run. Indexing the same file twice leaves the
/// same number of documents. One run at a time per index: a second run
/// fails at once (exit 2) naming the process that holds the index. Refuses
/// a non-empty folder that is not a kesu index. Exit 1 when more than
/// --max-reject-rate of the rows were rejected (the index and the rejects
/// file are still written).
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    /// Index directory (created if it does not exist; refused if it is a
    /// non-empty folder that is not a kesu index).
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,

    /// Where rows that could not be read are kept (`file,line,column,reason,raw`;
    /// default: DIR.rejects.csv beside the index). Written on every run.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    #[command(flatten)]
    pub gate: RejectGateArgs,

    /// Print the summary as one JSON object on stdout: the row accounting
    /// (read, accepted, rejected, duplicates, orders, reject_rate,
    /// max_reject_rate, gate_passed, as `kesu ingest --json`), then index,
    /// rejects, files, replaced, docs_before, docs, analyzer_version, stale.
    #[arg(long)]
    pub json: bool,
}

#[allow(clippy::print_stderr)]
pub fn run(args: Args) -> anyhow::Result<crate::Status> {
    // The lock comes first, before the input is read or anything written:
    // a run that loses it must not overwrite the winner's rejects file.
    let lock = IndexLock::acquire_creating(&args.index)?;
    let done = match write_index(&args, &lock) {
        Ok(done) => done,
        Err(err) => {
            // A first run that failed leaves no empty index folder behind.
            if let Err(e) = lock.discard() {
                eprintln!("kesu: warning: could not remove the new index folder: {e}");
            }
            return Err(err);
        }
    };
    drop(lock);
    report(&args, &done)
}

/// What a run wrote, for the summary.
struct Indexed {
    loaded: Loaded,
    rejects_path: PathBuf,
    stats: UpsertStats,
    version: AnalyzerVersion,
    stale: u64,
}

/// Reads the input, writes the rejects file and commits the orders, all
/// under the lock.
#[allow(clippy::print_stderr)]
fn write_index(args: &Args, _lock: &IndexLock) -> anyhow::Result<Indexed> {
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
    // Orders go to the writer a block at a time as they are read; nothing is
    // visible until the one commit at the end, so a failure or a kill before
    // it leaves the index as it was.
    let mut upsert = index
        .begin_upsert(&analyzer, &WriterOptions::default())
        .with_context(|| format!("indexing into {}", args.index.display()))?;
    let normalizer = &analyzer.normalizer;
    let mut rejects = Vec::new();
    let read = stream_with(
        &args.input,
        true,
        &|order| normalizer.apply(order),
        &mut |block| {
            rejects.extend(block.rejects);
            upsert
                .add(&block.orders)
                .with_context(|| format!("indexing into {}", args.index.display()))
        },
    )?;
    let loaded = Loaded {
        orders: Vec::new(),
        rejects,
        stats: read,
    };
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
    let stats = upsert
        .commit()
        .with_context(|| format!("indexing into {}", args.index.display()))?;
    let stale = index.stale_count(&version)?;
    Ok(Indexed {
        loaded,
        rejects_path,
        stats,
        version,
        stale,
    })
}

/// The summary on stdout, then the reject gate.
fn report(args: &Args, done: &Indexed) -> anyhow::Result<crate::Status> {
    let accounting = Accounting::new(&done.loaded.stats, args.gate);
    let (stats, version) = (&done.stats, &done.version);
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut summary = accounting.json_fields();
        let fields = serde_json::json!({
            "index": args.index.display().to_string(),
            "rejects": done.rejects_path.display().to_string(),
            "files": done.loaded.stats.files,
            "replaced": stats.replaced,
            "docs_before": stats.docs_before,
            "docs": stats.docs_after,
            "analyzer_version": version.to_string(),
            "stale": done.stale,
        });
        if let serde_json::Value::Object(fields) = fields {
            summary.extend(fields);
        }
        writeln!(out, "{}", serde_json::Value::Object(summary))?;
    } else {
        accounting.write_summary(&mut out, &done.loaded.stats, &done.rejects_path)?;
        writeln!(
            out,
            "indexed {} orders ({} replaced) into {}: {} documents, analyzer {}",
            stats.orders,
            stats.replaced,
            args.index.display(),
            stats.docs_after,
            version
        )?;
    }
    out.flush()?;
    Ok(accounting.gate(&done.loaded.rejects, &done.rejects_path)?)
}
