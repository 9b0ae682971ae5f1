//! `kesu analyze`: root causes, management gaps, typical cases and repeat complaints.
//!
//! A one-file run of the weekly job's stages ([`kesu_pipeline::stages`]): read
//! with `kesu_ingest::ingest_with`, then `stages::mine`; no index, registry or
//! history, and the tables and chart of one analysis instead of a week's.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use kesu_cluster::{Corpus, CorpusBuilder, KChoice, Mining, MiningConfig, Taxonomy, Truth};
use kesu_model::ComplaintClass;
use kesu_normalize::Normalizer;
use kesu_segment::{Analyzer, Segmenter};
use kesu_timing::{StageTimer, peak_rss_mb, timed};
use rayon::prelude::*;

use crate::Status;
use crate::accounting::{Accounting, RejectGateArgs};
use crate::input::{AnalyzerArgs, InputArgs, load_with};
use crate::staging::Staging;
use crate::table::pad;

/// Mine recurring root causes, map them to management gaps, pick typical
/// cases and find repeat complaints.
///
/// Writes DIR/assignments.parquet (one row per work order),
/// DIR/root_causes.parquet (one row per cause, then 其他), DIR/metrics.json
/// and a Pareto chart DIR/charts/root_causes.{svg,png}. The same input and
/// seed give byte-identical Parquet files whatever the number of threads
/// (set RAYON_NUM_THREADS to choose it). Exit 1, with every output written,
/// when more than --max-reject-rate of the rows were rejected or the other
/// bucket exceeds --max-other.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    #[command(flatten)]
    pub gate: RejectGateArgs,

    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Number of root causes, or `auto`: on a 3 000-order sample, the
    /// smallest k (2..60) whose simplified silhouette is within 10 % of the best.
    #[arg(long, value_name = "N|auto", default_value = "auto")]
    pub k: KChoice,

    /// Typical cases per root cause (central and mutually different).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub typical: usize,

    /// Seed of every random choice (k-means++ draws, samples).
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Largest share of orders allowed in the "其他" (other) bucket; orders
    /// that fit no cause beyond it stay with their nearest cause. Exit 1 when
    /// orders without any usable term alone exceed it.
    #[arg(long, value_name = "SHARE", default_value_t = 0.10)]
    pub max_other: f64,

    /// Repeat-complaint window in days (same customer id, phone or address,
    /// from the columns or written in the complaint text).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub window_days: i64,

    /// Taxonomy of classes, quadrants and management gaps (default: the
    /// built-in pipelines/taxonomy.toml).
    #[arg(long, value_name = "FILE")]
    pub taxonomy: Option<PathBuf>,

    /// Input column holding the true root cause: report NMI, ARI,
    /// homogeneity and completeness in metrics.json.
    #[arg(long, value_name = "COL")]
    pub truth_column: Option<String>,

    /// Input column holding the true complaint class: report the accuracy of
    /// the predicted and of the typed class.
    #[arg(long, value_name = "COL", default_value = "true_class")]
    pub truth_class_column: String,

    /// Input column holding the true management gap (the taxonomy's gap
    /// ids): report the share of orders whose root cause maps to it.
    #[arg(long, value_name = "COL", default_value = "true_gap")]
    pub truth_gap_column: String,

    /// Input column holding the true repeat flag (true/false, 1/0, 是/否):
    /// report repeat precision, recall and F1.
    #[arg(long, value_name = "COL", default_value = "is_repeat")]
    pub truth_repeat_column: String,

    /// Cluster on the text alone: do not use the operator-typed class and
    /// subclass as weak features (they are noisy, but help on average).
    #[arg(long)]
    pub no_typed_features: bool,

    /// Latent dimensions k-means clusters in when orders are long (the
    /// median order keeps 30 distinct terms or more): a truncated SVD of the
    /// TF-IDF vectors, so that long messages are compared by topic rather
    /// than by incidental words (at least k + 10 are used). 0 always
    /// clusters on the raw TF-IDF vectors.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub lsa_dims: usize,

    /// Print one JSON object (the metrics) instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "是" => Some(true),
        "false" | "0" | "no" | "n" | "否" => Some(false),
        _ => None,
    }
}

/// Extra columns the evaluation reads: kept in the corpus, nothing else is.
fn truth_columns(args: &Args) -> Vec<String> {
    let mut cols: Vec<String> = args.truth_column.iter().cloned().collect();
    cols.push(args.truth_class_column.clone());
    cols.push(args.truth_repeat_column.clone());
    cols.push(args.truth_gap_column.clone());
    cols
}

fn truth_of(corpus: &Corpus, args: &Args) -> Truth {
    // A column counts as present when any order has a value in it.
    let column = |col: &str| {
        corpus
            .column_values(col)
            .filter(|values| values.iter().any(Option::is_some))
    };
    Truth {
        cause: args
            .truth_column
            .as_deref()
            .map(|col| match corpus.column(col) {
                Some(k) => corpus
                    .orders
                    .iter()
                    .map(|o| corpus.symbol_arc(o.kept[k]))
                    .collect(),
                None => vec![None; corpus.len()],
            }),
        class: column(&args.truth_class_column).map(|v| {
            v.into_iter()
                .map(|s| s.and_then(ComplaintClass::from_label))
                .collect()
        }),
        is_repeat: column(&args.truth_repeat_column)
            .map(|v| v.into_iter().map(|s| s.and_then(parse_bool)).collect()),
        gap: column(&args.truth_gap_column)
            .map(|v| v.into_iter().map(|s| s.map(Arc::from)).collect()),
    }
}

fn write_tables(dir: &Path, mining: &Mining, version: &str, seed: u64) -> anyhow::Result<()> {
    let meta = |table: &str| {
        vec![
            ("kesu.analyzer_version".to_owned(), version.to_owned()),
            ("kesu.table".to_owned(), table.to_owned()),
            ("kesu.seed".to_owned(), seed.to_string()),
        ]
    };
    let a = kesu_cluster::tables::assignments_batch(mining)?;
    let path = dir.join("assignments.parquet");
    kesu_store::write_parquet_atomic(&path, &a, &meta("assignments"))
        .with_context(|| format!("writing {}", path.display()))?;
    let r = kesu_cluster::tables::root_causes_batch(mining)?;
    let path = dir.join("root_causes.parquet");
    kesu_store::write_parquet_atomic(&path, &r, &meta("root_causes"))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn write_json_atomic(path: &Path, value: &serde_json::Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    kesu_atomic::write(path, text.as_bytes())?;
    Ok(())
}

/// The files `kesu analyze` writes, relative to the output folder.
const OUTPUTS: [&str; 6] = [
    "rejects.csv",
    "assignments.parquet",
    "root_causes.parquet",
    "charts/root_causes.svg",
    "charts/root_causes.png",
    "metrics.json",
];

/// `值 ×n` pairs, most frequent first (ties by value), at most ten.
fn unknown_list(unknown: &BTreeMap<String, usize>) -> String {
    let mut v: Vec<(&String, &usize)> = unknown.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut s: Vec<String> = v
        .iter()
        .take(10)
        .map(|(k, n)| format!("{k:?} ×{n}"))
        .collect();
    if v.len() > 10 {
        s.push(format!("… {} more", v.len() - 10));
    }
    s.join(", ")
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn run(args: Args) -> anyhow::Result<Status> {
    let mut timer = StageTimer::start();
    let taxonomy = match &args.taxonomy {
        Some(p) => Taxonomy::from_path(p)?,
        None => Taxonomy::builtin()?,
    };
    let config = args.analyzer.config();
    // The dictionaries load beside the reading below and their errors come
    // after it; a missing file should stop the run before minutes of reading.
    for path in config
        .segment
        .user_dicts
        .iter()
        .chain(&config.segment.stopword_files)
    {
        std::fs::metadata(path)
            .with_context(|| format!("loading dictionaries: {}", path.display()))?;
    }
    let normalizer = Normalizer::new(&config.normalize).context("loading dictionaries")?;
    timer.lap("init");
    // Read → normalise → redact → digest on the parsing threads (only the
    // compact digest is kept), while jieba's dictionary, ~0.1 s of work on
    // one thread, loads beside them; then segment. Segmentation reads only
    // the redacted text, which the digest keeps anyway, so the split costs
    // no memory.
    let builder = CorpusBuilder::new(truth_columns(&args)).with_normalizer(normalizer.clone());
    let (loaded, segmenter) = std::thread::scope(|s| {
        let segmenter = s.spawn(|| Segmenter::new(&config.segment));
        let loaded = load_with(&args.input, !args.json, &|order| {
            builder.digest(normalizer.apply(order), Box::default())
        });
        let segmenter = segmenter
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, segmenter)
    });
    let segmenter = segmenter.context("loading dictionaries")?;
    let mut loaded = loaded?;
    timer.lap("load");
    // Terms come from the *redacted* text: they become cause labels, top
    // terms and chart bars that management reads, so personal data must not
    // be able to reach them. Masks (`*`) never form a term.
    loaded
        .orders
        .par_iter_mut()
        .with_min_len(64)
        .for_each(|d| d.terms = builder.intern(&segmenter.terms(d.text.as_str())));
    timer.lap("segment");
    anyhow::ensure!(!loaded.orders.is_empty(), "no work orders were read");

    let cfg = MiningConfig {
        k: args.k,
        typical: args.typical,
        seed: args.seed,
        max_other: args.max_other,
        window_days: args.window_days,
        typed_features: !args.no_typed_features,
        lsa_dims: args.lsa_dims,
        ..MiningConfig::default()
    };
    // The weekly job's mine stage, on the one file's orders.
    let orders = std::mem::take(&mut loaded.orders);
    let (corpus, mining) =
        kesu_pipeline::stages::mine(builder, orders, &segmenter, &taxonomy, &cfg)?;
    let mining = mining.context("no work orders were read")?;
    let analyzer = Analyzer {
        normalizer,
        segmenter,
    };
    timer.lap("mine");

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    // Every output goes to the staging folder and is moved into place only
    // when all were written (see `Staging`).
    let staging = Staging::new(&args.out)?;
    let stage = staging.path();
    // Nothing read is lost: rows that could not be accepted are kept beside
    // the analysis, exactly as `kesu ingest` keeps them.
    let rejects_path = args.out.join("rejects.csv");
    kesu_ingest::write_rejects_csv(&stage.join("rejects.csv"), &loaded.rejects)
        .with_context(|| format!("writing {}", rejects_path.display()))?;
    if !loaded.rejects.is_empty() {
        eprintln!(
            "kesu: {} of {} rows could not be read and are not analysed; see {}",
            loaded.rejects.len(),
            loaded.stats.read,
            rejects_path.display()
        );
    }
    let version = analyzer.version().to_string();
    let truth = truth_of(&corpus, &args);
    // Freeing a million orders' texts and terms takes a few tenths of a
    // second that nothing waits for; it happens beside the outputs.
    std::thread::spawn(move || drop(corpus));

    let mut bars: Vec<kesu_chart::ParetoBar> = mining
        .root_causes
        .iter()
        .map(|c| kesu_chart::ParetoBar {
            label: c.label.clone(),
            count: c.size as u64,
        })
        .collect();
    let other = mining
        .assignments
        .iter()
        .filter(|a| a.cause_id == kesu_cluster::OTHER_ID)
        .count();
    if other > 0 {
        bars.push(kesu_chart::ParetoBar {
            label: kesu_cluster::OTHER_LABEL.to_owned(),
            count: other as u64,
        });
    }
    // The tables, the chart and the evaluation only read the mining result;
    // each is mostly one thread's work, so they run side by side and each
    // records its own time.
    let ((tables, t_parquet), ((charts, t_chart), (evaluation, t_evaluate))) = rayon::join(
        || timed(|| write_tables(stage, &mining, &version, args.seed)),
        || {
            rayon::join(
                || {
                    timed(|| {
                        kesu_chart::render_pareto(
                            "投诉根因帕累托图",
                            &bars,
                            &stage.join("charts"),
                            "root_causes",
                        )
                    })
                },
                || timed(|| kesu_cluster::evaluate(&mining, &truth)),
            )
        },
    );
    tables?;
    let charts = charts.context("drawing the root-cause chart")?;
    timer.record("parquet", t_parquet);
    timer.record("chart", t_chart);
    timer.record("evaluate", t_evaluate);
    timer.lap("outputs");
    let total_s = timer.elapsed();
    let timing = timer.finish("total");

    let m = &mining.metrics;
    let gate_failed = m.outlier_share > args.max_other + 1e-12;
    let accounting = Accounting::new(&loaded.stats, args.gate);
    debug_assert_eq!(accounting.orders, m.orders as u64);
    let mut metrics = serde_json::json!({
        "analyzer_version": version,
        "kesu_version": env!("CARGO_PKG_VERSION"),
        "seed": args.seed,
        "threads": rayon::current_num_threads(),
        "input": loaded.stats,
        "rejects": loaded.rejects.len(),
        "orders": m.orders,
        "k": m.k,
        "k_source": m.k_source,
        "k_scores": m.k_scores,
        "vocab_size": m.vocab_size,
        "outlier_share": m.outlier_share,
        "max_other": args.max_other,
        "max_other_exceeded": gate_failed,
        "featureless_orders": m.featureless,
        "cohesion": m.cohesion,
        "separation": m.separation,
        "coherence_npmi": m.coherence_npmi,
        "repeat_rate": m.repeat_rate,
        "repeat_groups": m.repeat_groups,
        "repeat_keys": m.repeat_keys,
        "orders_without_repeat_key": m.orders_without_repeat_key,
        "window_days": args.window_days,
        "class_model": m.class_model,
        "typed_coverage": m.typed_coverage,
        "unknown_typed_classes": m.unknown_typed_classes,
        "class_disagreement": m.class_disagreement,
        "label_in_typical_share": m.label_in_typical_share,
        "label_in_some_typical_share": m.label_in_some_typical_share,
        "unmapped_causes": mining.root_causes.iter().filter(|c| c.gap.gap_id.is_none()).count(),
        "evaluation": evaluation,
        "timing_s": timing,
        "peak_rss_mb": peak_rss_mb(),
        "mine_timing_s": m.timing_s,
        "chart_font": charts.font,
        "outputs": {
            "assignments": args.out.join("assignments.parquet"),
            "root_causes": args.out.join("root_causes.parquet"),
            "rejects": rejects_path,
            "chart_svg": args.out.join("charts/root_causes.svg"),
            "chart_png": args.out.join("charts/root_causes.png"),
        },
    });
    // (json! has a recursion limit; the object is already at it.)
    metrics["latent_dims"] = m.latent_dims.into();
    // The row accounting at the top level, as every reading command reports it.
    if let serde_json::Value::Object(map) = &mut metrics {
        for (key, value) in accounting.json_fields() {
            map.entry(key).or_insert(value);
        }
    }
    write_json_atomic(&stage.join("metrics.json"), &metrics)?;
    staging.publish(&args.out, &OUTPUTS)?;

    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&metrics)?)?;
    } else {
        writeln!(
            out,
            "{:>4}  {:>7}  {:>6}  {}  gap",
            "id",
            "orders",
            "share",
            pad("label", 24)
        )?;
        for c in &mining.root_causes {
            writeln!(
                out,
                "{:>4}  {:>7}  {:>5.1}%  {}  {} ({:.2})",
                c.id,
                c.size,
                100.0 * c.share,
                pad(&c.label, 24),
                c.gap.name,
                c.gap.score
            )?;
        }
        writeln!(
            out,
            "{:>4}  {:>7}  {:>5.1}%  {}",
            0,
            other,
            100.0 * m.outlier_share,
            kesu_cluster::OTHER_LABEL
        )?;
        writeln!(
            out,
            "orders {}  causes {} ({})  repeat rate {:.1}%  class disagreement {:.1}%  {:.2} s",
            m.orders,
            m.k,
            m.k_source,
            100.0 * m.repeat_rate,
            100.0 * m.class_disagreement,
            total_s
        )?;
        if let (Some(nmi), Some(ari)) = (evaluation.nmi, evaluation.ari) {
            writeln!(out, "truth: NMI {nmi:.4}  ARI {ari:.4}")?;
        }
        if let Some(acc) = evaluation.class_accuracy {
            writeln!(
                out,
                "class accuracy {:.4} (typed {:.4})",
                acc,
                evaluation.typed_class_accuracy.unwrap_or(0.0)
            )?;
        }
        writeln!(
            out,
            "repeat keys: {}; {} orders without any",
            if m.repeat_keys.is_empty() {
                "none".to_owned()
            } else {
                m.repeat_keys
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            m.orders_without_repeat_key
        )?;
        if !m.unknown_typed_classes.is_empty() {
            writeln!(
                out,
                "unknown typed classes: {}",
                unknown_list(&m.unknown_typed_classes)
            )?;
        }
        if let Some(acc) = evaluation.gap_accuracy {
            writeln!(out, "gap accuracy {acc:.4}")?;
        }
        if let Some(f1) = evaluation.repeat_f1 {
            writeln!(out, "repeat F1 {f1:.4}")?;
        }
        accounting.write_summary(&mut out, &loaded.stats, &rejects_path)?;
        writeln!(out, "wrote {}", args.out.display())?;
    }
    out.flush()?;
    drop(out);
    let reject_gate = accounting.gate(&loaded.rejects, &rejects_path)?;
    if !m.unknown_typed_classes.is_empty() {
        // Said on stderr even with --json: a class the taxonomy does not
        // know is a configuration problem, not a statistic.
        let orders: usize = m.unknown_typed_classes.values().sum();
        eprintln!(
            "kesu: {orders} orders have a typed class that names no complaint class and count as untyped: {}; add them as aliases in the taxonomy (--taxonomy)",
            unknown_list(&m.unknown_typed_classes)
        );
    }
    if gate_failed {
        eprintln!(
            "kesu: other bucket holds {:.1}% of orders (orders without usable terms), above --max-other {:.1}%",
            100.0 * m.outlier_share,
            100.0 * args.max_other
        );
        return Ok(Status::GateFailed);
    }
    Ok(reject_gate)
}
