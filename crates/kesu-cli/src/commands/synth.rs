//! `kesu synth`: realistic synthetic work orders for demos, tests and benchmarks.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use kesu_synth::{CsvEncoding, Format, Header, PlantedSpike, Synth, SynthConfig};

const AFTER_HELP: &str = "\
Examples:
  kesu synth --n 2000 --seed 7 --out fixtures/orders/sample.csv
  kesu synth --n 300 --seed 7 --encoding gb18030 --out orders_gbk.csv
  kesu synth --n 3000 --seed 11 --with-truth --header en --out labelled_en.csv
  kesu synth --n 1000000 --seed 1 --out /tmp/orders_1m.csv     # benchmark input
  kesu synth --n 500 --format jsonl --out -                    # JSONL to stdout
  kesu synth --n 20000 --seed 3 --with-truth --out spiked.csv \
      --spike 城东供电服务中心:smart_meter_fast:20:2:60           # planted 预警 test

The same --seed and options always produce the same bytes, on any machine and
with any number of threads. With --with-truth six columns are added:
true_root_cause, true_class, true_gap, true_quadrant, is_repeat, repeat_group;
with --spike also a seventh, spike (the order was planted).

--spike UNIT:CAUSE:WEEK[:WEEKS[:EXTRA]] adds EXTRA orders (default 60) of the
catalogue root cause CAUSE in the supply unit UNIT in each of WEEKS weeks
(default 1) from WEEK (1-based from --start). The planted orders come after
the --n orders, which stay byte for byte what they are without --spike.";

/// Generate realistic synthetic complaint work orders (with optional ground truth).
///
/// The orders look like a 95598 export: Chinese headers (or kesu's English
/// field names), 12 supply units, five channels, noisy operator-typed classes
/// (~12 % wrong or empty), typos, traditional characters, full-width digits,
/// personal data in the text, ~8 % repeat complaints and weekly surges of one
/// cause in one unit. Each order comes from one of 48 root causes covering all
/// five complaint classes and all four substantiation quadrants.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Number of work orders to generate.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub n: u64,

    /// Seed; the same seed always gives the same orders.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,

    /// Output file ("-" writes CSV or JSONL to stdout). Written atomically.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Output format [default: from the extension of --out, else csv].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,

    /// Text encoding of CSV output (GB18030 is what many utility systems export).
    #[arg(long, value_enum, value_name = "ENC", default_value = "utf-8")]
    pub encoding: EncodingArg,

    /// Add the ground-truth columns (root cause, class, gap, quadrant, repeats).
    #[arg(long)]
    pub with_truth: bool,

    /// Percentage of orders whose true class is not their cause's usual one:
    /// the text also stresses another matter, and that decides the class.
    /// 0 (default) makes the class a function of the cause; use e.g. 20 to
    /// test class prediction on text rather than on clusters.
    #[arg(long, value_name = "PCT", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub cross_class: u32,

    /// Write 业务类型 as 95598 exports name the classes (服务投诉, 营业投诉,
    /// 停送电投诉, 供电质量投诉, 电网建设投诉) instead of 供电服务, 营业业务, ….
    #[arg(long)]
    pub official_class_names: bool,

    /// Percentage of orders whose 业务类型 names no class (其他, 综合, 待分类, …).
    #[arg(long, value_name = "PCT", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub unknown_class: u32,

    /// Leave out 客户编号, 客户名称, 联系电话 and 用电地址 and write the
    /// customer's phone, account number and address into the complaint text
    /// (varied operator styles), as exports without customer columns do.
    #[arg(long)]
    pub identity_in_text: bool,

    /// Header language: zh (工单编号, 受理时间, …) or en (work_order_id, received_at, …).
    #[arg(long, value_enum, value_name = "LANG", default_value = "zh")]
    pub header: HeaderArg,

    /// Length of the period in weeks (受理时间 is spread over it).
    #[arg(long, value_name = "W", default_value_t = 26)]
    pub weeks: u32,

    /// First day of the period.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2024-01-01")]
    pub start: NaiveDate,

    /// Plant a surge: `UNIT:CAUSE:WEEK[:WEEKS[:EXTRA]]` adds EXTRA (default 60)
    /// orders of root cause CAUSE in unit UNIT in each of WEEKS (default 1)
    /// weeks from WEEK (1-based). Repeatable.
    #[arg(long, value_name = "UNIT:CAUSE:WEEK[:WEEKS[:EXTRA]]")]
    pub spike: Vec<PlantedSpike>,
}

/// `--format` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    /// Comma-separated values.
    Csv,
    /// Excel workbook (at most 1,048,575 orders).
    Xlsx,
    /// One JSON object per line.
    Jsonl,
}

/// `--encoding` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingArg {
    /// UTF-8 without BOM.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030 (superset of GBK).
    #[value(name = "gb18030", alias = "gbk")]
    Gb18030,
}

/// `--header` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderArg {
    /// Chinese export headers.
    Zh,
    /// kesu's canonical English field names.
    En,
}

#[allow(clippy::print_stderr)]
pub fn run(args: Args) -> anyhow::Result<crate::Status> {
    let to_stdout = args.out.as_os_str() == "-";
    let format = match args.format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Xlsx) => Format::Xlsx,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        None => Format::from_path(&args.out).unwrap_or(Format::Csv),
    };
    if format != Format::Csv && args.encoding == EncodingArg::Gb18030 {
        bail!("--encoding gb18030 applies to CSV only (XLSX and JSONL are always UTF-8)");
    }
    if to_stdout && format == Format::Xlsx {
        bail!("XLSX cannot be written to stdout; give a file with --out");
    }
    let encoding = match args.encoding {
        EncodingArg::Utf8 => CsvEncoding::Utf8,
        EncodingArg::Gb18030 => CsvEncoding::Gb18030,
    };
    let cfg = SynthConfig {
        n: args.n,
        seed: args.seed,
        start: args.start,
        weeks: args.weeks,
        header: match args.header {
            HeaderArg::Zh => Header::Chinese,
            HeaderArg::En => Header::English,
        },
        with_truth: args.with_truth,
        cross_class_percent: args.cross_class,
        official_class_names: args.official_class_names,
        unknown_class_percent: args.unknown_class,
        identity_in_text: args.identity_in_text,
        planted: args.spike,
    };
    let synth = Synth::new(cfg)?;
    let started = Instant::now();
    let summary = if to_stdout {
        let stdout = std::io::stdout().lock();
        match format {
            Format::Jsonl => kesu_synth::write_jsonl(&synth, stdout)?,
            _ => kesu_synth::write_csv(&synth, stdout, encoding)?,
        }
    } else {
        kesu_synth::write_file(&synth, &args.out, format, encoding)
            .with_context(|| format!("writing {}", args.out.display()))?
    };
    let secs = started.elapsed().as_secs_f64();
    let rows = summary.rows as f64;
    let pct = |x: u64| {
        if rows > 0.0 {
            100.0 * x as f64 / rows
        } else {
            0.0
        }
    };
    eprintln!(
        "kesu synth: {} orders (seed {}, {} week{} from {}) → {} ({:.1} MB, {:?}{}); repeats {:.1} %, class noise {:.1} %; {:.2} s, {:.0} orders/s",
        summary.rows,
        args.seed,
        args.weeks,
        if args.weeks == 1 { "" } else { "s" },
        args.start,
        args.out.display(),
        summary.bytes as f64 / 1e6,
        format,
        if format == Format::Csv {
            format!(", {:?}", encoding)
        } else {
            String::new()
        },
        pct(summary.repeats),
        pct(summary.class_noise),
        secs,
        rows / secs.max(1e-9),
    );
    Ok(crate::Status::Done)
}
