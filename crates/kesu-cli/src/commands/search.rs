//! `kesu search`: every matching complaint, with filters, snippets, facets
//! and export. Query semantics are documented on [`Args`] and in README.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use kesu_index::{
    ComplaintIndex, ComplaintSearcher, CsvCases, Facet, FacetCounts, FilterField, Filters, Hit,
    Query, StoredCase, export, export_header, export_row,
};

use crate::input::AnalyzerArgs;
use crate::table::pad;

/// Output formats of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable table: id, date, unit, class, highlighted snippet.
    Table,
    /// One JSON object: total, hits (every canonical field), facets.
    Json,
    /// One JSON object per hit, one per line.
    Jsonl,
    /// CSV with every canonical field, the normalised text and extra attributes.
    Csv,
}

/// Filters shared by `search` and `similar` (all given ones must hold).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only complaints received on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub from: Option<NaiveDate>,

    /// Only complaints received on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub to: Option<NaiveDate>,

    /// Only this supply unit (供电单位), exact value.
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,

    /// Only this class (一级分类 / 业务类型), exact value.
    #[arg(long, value_name = "CLASS")]
    pub class: Option<String>,

    /// Only this channel (受理渠道), exact value.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,

    /// Only this customer class (客户类别), exact value.
    #[arg(long, value_name = "CLASS")]
    pub customer_class: Option<String>,

    /// Only this substantiation value (是否属实) as exported, e.g. 是 / 否 / 属实.
    #[arg(long, value_name = "VALUE")]
    pub substantiated: Option<String>,
}

impl FilterArgs {
    /// The library filters.
    pub fn filters(&self) -> Filters {
        let mut fields = Vec::new();
        for (field, value) in [
            (FilterField::Unit, &self.unit),
            (FilterField::Class, &self.class),
            (FilterField::Channel, &self.channel),
            (FilterField::CustomerClass, &self.customer_class),
            (FilterField::Substantiated, &self.substantiated),
        ] {
            if let Some(v) = value {
                fields.push((field, v.clone()));
            }
        }
        Filters {
            from: self.from,
            to: self.to,
            fields,
        }
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    kesu_index::parse_date(s).map_err(|e| e.to_string())
}

fn parse_facet(s: &str) -> Result<Facet, String> {
    Facet::from_name(s.trim()).ok_or_else(|| {
        format!("unknown facet {s:?} (use unit, class, subcategory, channel, customer_class, substantiated, month)")
    })
}

/// Search an index: every matching complaint, ranked, with filters, snippets and export.
///
/// Query semantics (normalised like the documents: traditional/simplified,
/// full-/half-width forms find the same documents):
///
///   停电 通知          every term must occur as a substring of the text,
///                      whatever the word segmentation; BM25 ranking on words
///   "停电未通知"       exactly the texts containing this string
///   停电 OR 断电       either;  -表扬 / NOT 表扬: without;  ( ) group
///   unit:城区供电服务中心   field filter (unit, class, subcategory, channel,
///                      customer_class, substantiated, id, from:DATE, to:DATE)
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The query (see above). Quote it for the shell: '"停电未通知" -表扬'.
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: String,

    /// Index directory (built by `kesu index`).
    #[arg(long, value_name = "DIR")]
    pub index: PathBuf,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Hits to show.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,

    /// Hits to skip (paging).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,

    /// Every hit, streamed (overrides --limit).
    #[arg(long)]
    pub all: bool,

    /// Print only the number of matching complaints.
    #[arg(long, conflicts_with_all = ["all", "export"])]
    pub count: bool,

    /// Count hits per value of these fields: unit, class, subcategory, channel,
    /// customer_class, substantiated, month (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_facet)]
    pub facets: Vec<Facet>,

    /// Write every hit with all fields to FILE (.csv, .xlsx or .parquet).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,
}

#[allow(clippy::print_stderr)]
pub fn run(args: Args) -> anyhow::Result<crate::Status> {
    let analyzer = args.analyzer.analyzer()?;
    let query = Query::parse(&args.query, &analyzer.normalizer)
        .with_context(|| format!("bad query {:?}", truncate(&args.query, 60)))?;
    let index = ComplaintIndex::open(&args.index, &analyzer)
        .with_context(|| format!("opening index {}", args.index.display()))?;
    let searcher = index.searcher(&analyzer);
    let filters = args.filters.filters();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());

    if args.count {
        writeln!(out, "{}", searcher.count(&query, &filters)?)?;
        out.flush()?;
        return Ok(crate::Status::Done);
    }

    if let Some(path) = &args.export {
        let mut cases: Vec<StoredCase> = Vec::new();
        let total = searcher.for_each_hit(&query, &filters, |hit| {
            cases.push(hit.case);
            Ok(())
        })?;
        export(path, &cases).with_context(|| format!("exporting to {}", path.display()))?;
        eprintln!("kesu: exported {total} hits to {}", path.display());
        if !args.facets.is_empty() {
            let facets = searcher.facets(&query, &filters, &args.facets)?;
            print_facets(&mut out, &facets, args.format)?;
        }
        out.flush()?;
        return Ok(crate::Status::Done);
    }

    if args.all {
        return stream_all(&searcher, &query, &filters, &args, &mut out);
    }

    let hits =
        searcher.search_with_facets(&query, &filters, args.limit, args.offset, &args.facets)?;
    match args.format {
        Format::Table => {
            let color = std::io::stdout().is_terminal();
            write_table_header(&mut out)?;
            for hit in &hits.hits {
                write_table_row(&mut out, hit, color)?;
            }
            print_facets(&mut out, &hits.facets, args.format)?;
            let shown = hits.hits.len();
            eprintln!(
                "kesu: {} matching complaints{}",
                hits.total,
                if shown == 0 {
                    String::new()
                } else {
                    format!(" (showing {}–{})", args.offset + 1, args.offset + shown)
                }
            );
        }
        Format::Json => {
            let hits_json: Vec<serde_json::Value> = hits.hits.iter().map(hit_json).collect();
            let mut obj = serde_json::json!({
                "query": args.query,
                "total": hits.total,
                "offset": args.offset,
                "hits": hits_json,
            });
            if !args.facets.is_empty() {
                obj["facets"] = facets_json(&hits.facets);
            }
            writeln!(out, "{obj}")?;
        }
        Format::Jsonl => {
            for hit in &hits.hits {
                writeln!(out, "{}", hit_json(hit))?;
            }
            print_facets(&mut out, &hits.facets, args.format)?;
        }
        Format::Csv => {
            let mut w = CsvCases::new(&mut out)?;
            for hit in &hits.hits {
                w.write(&hit.case)?;
            }
            w.finish()?;
            print_facets(&mut out, &hits.facets, args.format)?;
        }
    }
    out.flush()?;
    Ok(crate::Status::Done)
}

#[allow(clippy::print_stderr)]
fn stream_all(
    searcher: &ComplaintSearcher,
    query: &Query,
    filters: &Filters,
    args: &Args,
    out: &mut impl Write,
) -> anyhow::Result<crate::Status> {
    let color = std::io::stdout().is_terminal();
    let total = match args.format {
        Format::Table => {
            write_table_header(out)?;
            searcher.for_each_hit(query, filters, |hit| io(write_table_row(out, &hit, color)))?
        }
        Format::Jsonl => searcher.for_each_hit(query, filters, |hit| {
            io(writeln!(out, "{}", hit_json(&hit)))
        })?,
        Format::Csv => {
            let mut w = CsvCases::new(&mut *out)?;
            let total = searcher.for_each_hit(query, filters, |hit| w.write(&hit.case))?;
            w.finish()?;
            total
        }
        Format::Json => {
            let mut hits = Vec::new();
            let total = searcher.for_each_hit(query, filters, |hit| {
                hits.push(hit_json(&hit));
                Ok(())
            })?;
            writeln!(
                out,
                "{}",
                serde_json::json!({"query": args.query, "total": total, "offset": 0, "hits": hits})
            )?;
            total
        }
    };
    if !args.facets.is_empty() {
        let facets = searcher.facets(query, filters, &args.facets)?;
        print_facets(out, &facets, args.format)?;
    }
    out.flush()?;
    if args.format == Format::Table {
        eprintln!("kesu: {total} matching complaints");
    }
    Ok(crate::Status::Done)
}

fn io(r: std::io::Result<()>) -> kesu_index::Result<()> {
    r.map_err(|source| kesu_index::Error::Io {
        path: "<stdout>".into(),
        source,
    })
}

/// A hit as JSON: every canonical field, extra attributes, score and snippet.
pub fn hit_json(hit: &Hit) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for (name, value) in export_header().into_iter().zip(export_row(&hit.case)) {
        let v = match name {
            "extra" => serde_json::to_value(&hit.case.order.extra).unwrap_or_default(),
            "source_line" => serde_json::Value::from(hit.case.order.source.line),
            _ if value.is_empty() && name != "text" => serde_json::Value::Null,
            _ => serde_json::Value::String(value),
        };
        obj.insert(name.to_owned(), v);
    }
    obj.insert(
        "score".into(),
        serde_json::Value::from(f64::from(hit.score)),
    );
    obj.insert("snippet".into(), hit.snippet.marked("【", "】").into());
    obj.insert(
        "highlights".into(),
        hit.snippet
            .highlights
            .iter()
            .map(|r| serde_json::json!([r.start, r.end]))
            .collect(),
    );
    serde_json::Value::Object(obj)
}

fn facets_json(facets: &std::collections::BTreeMap<Facet, FacetCounts>) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for (facet, counts) in facets {
        let rows: Vec<serde_json::Value> = counts
            .iter()
            .map(|(value, n)| serde_json::json!({"value": value, "count": n}))
            .collect();
        obj.insert(facet.name().to_owned(), rows.into());
    }
    serde_json::Value::Object(obj)
}

/// Facets after the hits: a table in table/CSV mode, a JSON line in JSONL
/// mode (JSON mode embeds them in the object instead).
fn print_facets(
    out: &mut impl Write,
    facets: &std::collections::BTreeMap<Facet, FacetCounts>,
    format: Format,
) -> std::io::Result<()> {
    if facets.is_empty() {
        return Ok(());
    }
    match format {
        Format::Json | Format::Jsonl => {
            writeln!(
                out,
                "{}",
                serde_json::json!({ "facets": facets_json(facets) })
            )
        }
        Format::Table | Format::Csv => {
            for (facet, counts) in facets {
                writeln!(out)?;
                writeln!(out, "{}:", facet.name())?;
                for (value, n) in counts {
                    writeln!(out, "  {:>8}  {value}", n)?;
                }
            }
            Ok(())
        }
    }
}

fn write_table_header(out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{}  {}  {}  {}  snippet",
        pad("id", 14),
        pad("date", 10),
        pad("unit", 16),
        pad("class", 10)
    )
}

/// A hit's snippet with its matches marked: bold red on a terminal,
/// 【…】 in a pipe or file (where escape codes would be noise).
pub(crate) fn marked_snippet(hit: &Hit, color: bool) -> String {
    if color {
        hit.snippet.marked("\x1b[1;31m", "\x1b[0m")
    } else {
        hit.snippet.marked("【", "】")
    }
}

fn write_table_row(out: &mut impl Write, hit: &Hit, color: bool) -> std::io::Result<()> {
    let o = &hit.case.order;
    let snippet = marked_snippet(hit, color);
    writeln!(
        out,
        "{}  {}  {}  {}  {}",
        pad(o.id.as_str(), 14),
        o.received_at.format("%Y-%m-%d"),
        pad(o.unit.as_deref().unwrap_or("-"), 16),
        pad(o.category.as_deref().unwrap_or("-"), 10),
        snippet
    )
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
