//! `kesu similar`: the complaints most like a given one (同类投诉).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use kesu_index::ComplaintIndex;

use super::search::{FilterArgs, Format, hit_json};
use crate::input::AnalyzerArgs;

/// Find the complaints most like a given one (同类投诉): same root cause in
/// other units or weeks.
///
/// Ranks every other complaint by BM25 over the given complaint's most
/// distinctive words (tf · idf over the index), excluding itself. Filters
/// narrow the candidates (e.g. --from to look at recent weeks only).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Work order id (工单编号) of the complaint to start from.
    #[arg(value_name = "ID")]
    pub id: String,

    /// Index directory (built by `kesu index`).
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Complaints to show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,

    /// Output format (table, json, jsonl, csv).
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,
}

pub fn run(args: Args) -> anyhow::Result<crate::Status> {
    let analyzer = args.analyzer.analyzer()?;
    let index = ComplaintIndex::open(&args.index, &analyzer)
        .with_context(|| format!("opening index {}", args.index.display()))?;
    let searcher = index.searcher(&analyzer);
    let hits = searcher.similar(&args.id, &args.filters.filters(), args.limit)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            let hits: Vec<_> = hits.iter().map(hit_json).collect();
            writeln!(out, "{}", serde_json::json!({"id": args.id, "hits": hits}))?;
        }
        Format::Jsonl => {
            for hit in &hits {
                writeln!(out, "{}", hit_json(hit))?;
            }
        }
        Format::Csv => {
            let mut w = kesu_index::CsvCases::new(&mut out)?;
            for hit in &hits {
                w.write(&hit.case)?;
            }
            w.finish()?;
        }
        Format::Table => {
            let color = std::io::stdout().is_terminal();
            for hit in &hits {
                let o = &hit.case.order;
                let snippet = super::search::marked_snippet(hit, color);
                writeln!(
                    out,
                    "{:.2}  {}  {}  {}  {}",
                    hit.score,
                    o.id,
                    o.received_at.format("%Y-%m-%d"),
                    o.unit.as_deref().unwrap_or("-"),
                    snippet
                )?;
            }
        }
    }
    out.flush()?;
    Ok(crate::Status::Done)
}
