//! The search benchmark behind `reports/bench/search.md`.
//!
//! ```text
//! cargo run --release -p kesu-index --example search_bench -- [N] [QUERIES]
//! ```
//!
//! Generates N synthetic work orders in-process with `kesu-synth` (seed 1,
//! 156 weeks from 2022-01-03; default N = 1,000,000), normalises them, then:
//! 1. builds the full index (words + character fields) in a temp dir: build
//!    time and size;
//! 2. upserts a new 20k-order week (the week after the period): time to a
//!    durable commit, and time spent in background merges afterwards;
//! 3. runs QUERIES (default 240) mixed queries — 2–4 terms, phrases, OR/NOT,
//!    with and without filters — each counting every hit and returning the
//!    top 20 with snippets, one warm-up pass then a measured pass: p50/p99;
//! 4. does the same with a word-only index of the same data, and measures
//!    how many of the substring-truth hits the word-only index misses on the
//!    phrase queries.
//!
//! `KESU_BENCH_MERGE=log` builds with tantivy's log merge policy instead of
//! kesu's capped one (`WriterOptions::max_merged_docs: None`), to compare
//! segment counts and latency.

#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use kesu_index::{ComplaintIndex, ComplaintSearcher, FilterField, Filters, Query, WriterOptions};
use kesu_normalize::NormalizedOrder;
use kesu_segment::Analyzer;
use kesu_synth::{Header, Synth, SynthConfig};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let n_queries: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(240);
    let analyzer = Analyzer::builtin()?;
    println!("# kesu search benchmark: {n} orders, {n_queries} queries");
    println!("threads: {}", rayon::current_num_threads());

    let start = NaiveDate::from_ymd_opt(2022, 1, 3).ok_or("date")?;
    let t = Instant::now();
    let orders = generate(&analyzer, n, 1, start, 156)?;
    println!("generate+normalise: {:.1} s", t.elapsed().as_secs_f64());
    let week_start = start + chrono::Duration::weeks(156);
    let week = generate(&analyzer, 20_000, 2, week_start, 1)?;

    let queries = mixed_queries(&orders, &analyzer, n_queries)?;
    let full = run(&analyzer, &orders, &week, &queries, true)?;
    let words = run(&analyzer, &orders, &week, &queries, false)?;

    println!();
    println!(
        "| index | build s | size MB | +20k week commit s | merge wait s | p50 ms | p99 ms | mean hits |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, r) in [("words + chars (kesu)", &full), ("words only", &words)] {
        println!(
            "| {name} | {:.1} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} |",
            r.build.as_secs_f64(),
            r.size as f64 / 1e6,
            r.week_commit.as_secs_f64(),
            r.week_merge.as_secs_f64(),
            r.p50 * 1e3,
            r.p99 * 1e3,
            r.mean_hits
        );
    }
    let (mut truth, mut found) = (0u64, 0u64);
    for (i, q) in queries.iter().enumerate() {
        if q.phrase_only {
            truth += full.totals[i];
            found += words.totals[i].min(full.totals[i]);
        }
    }
    println!();
    println!(
        "phrase queries: kesu finds {truth} hits (= str::contains truth, verified on a sample below); \
         word-only finds {found} of them (recall {:.3})",
        found as f64 / truth.max(1) as f64
    );
    verify_sample(&orders, &week, &queries, &full)?;
    Ok(())
}

fn generate(
    analyzer: &Analyzer,
    n: u64,
    seed: u64,
    start: NaiveDate,
    weeks: u32,
) -> Result<Vec<NormalizedOrder>, Box<dyn std::error::Error>> {
    let synth = Synth::new(SynthConfig {
        n,
        seed,
        start,
        weeks,
        header: Header::English,
        with_truth: false,
        cross_class_percent: 0,
        ..SynthConfig::default()
    })?;
    let chunks: Vec<Vec<NormalizedOrder>> = (0..synth.chunk_count())
        .into_par_iter()
        .map(|k| {
            synth
                .chunk(k)
                .into_iter()
                .enumerate()
                .map(|(i, o)| {
                    let line = k * kesu_synth::CHUNK + i as u64 + 2;
                    analyzer.normalizer.apply(o.to_work_order(line))
                })
                .collect()
        })
        .collect();
    Ok(chunks.into_iter().flatten().collect())
}

struct BenchQuery {
    text: String,
    filters: Filters,
    phrase_only: bool,
}

/// Deterministic mixed queries drawn from the corpus.
fn mixed_queries(
    orders: &[NormalizedOrder],
    analyzer: &Analyzer,
    count: usize,
) -> Result<Vec<BenchQuery>, Box<dyn std::error::Error>> {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut next = |n: usize| rng.usize(..n.max(1));
    let mut out = Vec::new();
    while out.len() < count {
        let o = &orders[next(orders.len())];
        let text = &o.text_norm;
        let terms = analyzer.segmenter.terms(text);
        let terms: Vec<&str> = terms
            .into_iter()
            .filter(|t| t.chars().count() >= 2)
            .collect();
        let chars: Vec<char> = text
            .chars()
            .filter(|c| !matches!(c, '"' | '“' | '”'))
            .collect();
        if terms.len() < 4 || chars.len() < 12 {
            continue;
        }
        let kind = out.len() % 8;
        let mut filters = Filters::default();
        let (query, phrase_only) = match kind {
            0..=2 => {
                let k = 2 + next(3);
                let picked: Vec<&str> = (0..k).map(|_| terms[next(terms.len())]).collect();
                (picked.join(" "), false)
            }
            3 | 4 => {
                let len = 3 + next(5);
                let s = next(chars.len() - len);
                let phrase: String = chars[s..s + len].iter().collect();
                (format!("\"{}\"", phrase.trim()), true)
            }
            5 => {
                let a = terms[next(terms.len())];
                let b = terms[next(terms.len())];
                let c = terms[next(terms.len())];
                (format!("({a} OR {b}) -{c}"), false)
            }
            _ => {
                let k = 2 + next(2);
                let picked: Vec<&str> = (0..k).map(|_| terms[next(terms.len())]).collect();
                if let Some(unit) = &o.order.unit {
                    filters.fields.push((FilterField::Unit, unit.clone()));
                }
                let day = o.order.received_at.date();
                filters.from = Some(day - chrono::Duration::days(90));
                filters.to = Some(day + chrono::Duration::days(90));
                (picked.join(" "), false)
            }
        };
        if query.trim_matches('"').trim().is_empty() || !query.chars().any(char::is_alphanumeric) {
            continue;
        }
        out.push(BenchQuery {
            text: query,
            filters,
            phrase_only,
        });
    }
    Ok(out)
}

struct RunResult {
    build: Duration,
    size: u64,
    week_commit: Duration,
    week_merge: Duration,
    p50: f64,
    p99: f64,
    mean_hits: f64,
    totals: Vec<u64>,
}

fn run(
    analyzer: &Analyzer,
    orders: &[NormalizedOrder],
    week: &[NormalizedOrder],
    queries: &[BenchQuery],
    char_fields: bool,
) -> Result<RunResult, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir_in(std::env::var("KESU_BENCH_DIR").unwrap_or_else(|_| ".".into()))?;
    let label = if char_fields {
        "words + chars"
    } else {
        "words only"
    };
    let log_merges = std::env::var("KESU_BENCH_MERGE").is_ok_and(|m| m == "log");
    let defaults = WriterOptions::default();
    let options = WriterOptions {
        char_fields,
        max_merged_docs: if log_merges {
            None
        } else {
            defaults.max_merged_docs
        },
        ..defaults
    };
    println!(
        "[{label}] merge policy: {}",
        match options.max_merged_docs {
            Some(n) => format!("capped at {n} docs per merge"),
            None => "tantivy log merge policy".to_owned(),
        }
    );
    let mut index = ComplaintIndex::create_or_open(dir.path(), analyzer)?;
    let t = Instant::now();
    index.upsert_with(orders, analyzer, &options)?;
    let build = t.elapsed();
    let size = dir_size(dir.path())?;
    println!(
        "[{label}] build {:.1} s, {:.0} MB",
        build.as_secs_f64(),
        size as f64 / 1e6
    );
    let stats = index.upsert_with(week, analyzer, &options)?;
    println!(
        "[{label}] +{} orders: commit {:.2} s, merges {:.2} s, {} docs",
        week.len(),
        stats.commit_elapsed.as_secs_f64(),
        stats.merge_elapsed.as_secs_f64(),
        stats.docs_after
    );
    let searcher = index.searcher(analyzer);
    let searcher: ComplaintSearcher = if char_fields {
        searcher
    } else {
        searcher.words_only()
    };
    let parsed: Vec<Query> = queries
        .iter()
        .map(|q| Query::parse(&q.text, &analyzer.normalizer))
        .collect::<Result<_, _>>()?;
    // Warm-up pass (page cache, lazy structures), then the measured pass.
    for (q, bq) in parsed.iter().zip(queries) {
        searcher.search(q, &bq.filters, 20, 0)?;
    }
    let mut times = Vec::with_capacity(parsed.len());
    let mut totals = Vec::with_capacity(parsed.len());
    for (q, bq) in parsed.iter().zip(queries) {
        let t = Instant::now();
        let hits = searcher.search(q, &bq.filters, 20, 0)?;
        times.push(t.elapsed().as_secs_f64());
        totals.push(hits.total);
    }
    // The machine is shared: two more passes, keeping each query's best time,
    // filter out moments when other processes held the cores.
    let mut best = times.clone();
    for _ in 0..2 {
        for (i, (q, bq)) in parsed.iter().zip(queries).enumerate() {
            let t = Instant::now();
            searcher.search(q, &bq.filters, 20, 0)?;
            best[i] = best[i].min(t.elapsed().as_secs_f64());
        }
    }
    best.sort_by(f64::total_cmp);
    let best_pct = |p: f64| best[((best.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "[{label}] best of 3 passes per query: p50 {:.2} ms, p99 {:.2} ms",
        best_pct(0.5) * 1e3,
        best_pct(0.99) * 1e3
    );
    let segments = searcher.tantivy().segment_readers().len();
    let mut slow: Vec<(f64, usize)> = times.iter().copied().zip(0..).collect();
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("[{label}] {segments} segments; slowest queries:");
    for &(t, i) in slow.iter().take(6) {
        println!(
            "    {:.2} ms  {} hits  {}{}",
            t * 1e3,
            totals[i],
            queries[i].text,
            if queries[i].filters.fields.is_empty() {
                ""
            } else {
                "  (+unit/date filters)"
            }
        );
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
    let mean_hits = totals.iter().sum::<u64>() as f64 / totals.len() as f64;
    println!(
        "[{label}] {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean hits {:.0}",
        times.len(),
        pct(0.5) * 1e3,
        pct(0.99) * 1e3,
        sorted.last().copied().unwrap_or(0.0) * 1e3,
        mean_hits
    );
    Ok(RunResult {
        build,
        size,
        week_commit: stats.commit_elapsed,
        week_merge: stats.merge_elapsed,
        p50: pct(0.5),
        p99: pct(0.99),
        mean_hits,
        totals,
    })
}

/// Checks the full index's totals against str::contains on 20 phrase queries.
fn verify_sample(
    orders: &[NormalizedOrder],
    week: &[NormalizedOrder],
    queries: &[BenchQuery],
    full: &RunResult,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut latest: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for o in orders.iter().chain(week) {
        latest.insert(o.order.id.as_str(), &o.text_norm);
    }
    let texts: Vec<String> = latest.values().map(|t| t.to_ascii_lowercase()).collect();
    let mut checked = 0;
    for (i, q) in queries
        .iter()
        .enumerate()
        .filter(|(_, q)| q.phrase_only)
        .take(20)
    {
        let needle = q.text.trim_matches('"').to_ascii_lowercase();
        let truth = texts.par_iter().filter(|t| t.contains(&needle)).count() as u64;
        if truth != full.totals[i] {
            return Err(format!("{}: index {} vs truth {truth}", q.text, full.totals[i]).into());
        }
        checked += 1;
    }
    println!("verified {checked} phrase queries against str::contains over every text: equal");
    Ok(())
}

fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}
