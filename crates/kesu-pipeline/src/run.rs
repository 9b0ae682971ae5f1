//! The weekly job's orchestration: read → partition → per week (index, mine,
//! register, warn, kpis, write, checkpoint) → manifest. See the crate docs
//! for the stages and [`crate::state`] for what is kept between runs.

use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::path::PathBuf;

use kesu_cluster::{CorpusBuilder, KChoice, Mining, MiningConfig, OTHER_ID, Taxonomy};
use kesu_index::{ComplaintIndex, Upsert};
use kesu_ingest::{ColumnMap, Encoding, IngestOptions, Tz};
use kesu_normalize::NormalizedOrder;
use kesu_registry::{CauseNames, CauseStatus, MatchConfig, Registry, WeekCluster};
use kesu_segment::{Analyzer, AnalyzerConfig, Mode, Segmenter, SegmenterConfig};
use kesu_timing::{StageTimer, peak_rss_mb, timed};
use rayon::prelude::*;

use crate::kpis::{self, ALL_UNITS, OrderFacts, OrderHistory, Units};
use crate::manifest::{InputFile, RowAccounting, RunManifest, WeekSummary};
use crate::repeats::{Identity, Remembered};
use crate::state::{Checkpoint, STATE_FORMAT, State, WeekCounts};
use crate::tables::{self, AssignmentRow, CauseRow, TypicalRow};
use crate::week::IsoWeek;
use crate::{Error, Plan, Result};

/// The key of the 其他 (other) bucket in every table.
pub const OTHER_KEY: &str = "C0000";

/// What to run.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Export files.
    pub inputs: Vec<PathBuf>,
    /// Run this week only; rows of other weeks are counted as outside it.
    pub week: Option<IsoWeek>,
    /// The state folder.
    pub state: PathBuf,
}

/// What a run reports as it goes (the CLI draws bars or log lines).
pub trait Progress: Sync {
    /// Bytes of input read so far grew by `delta` (of `total`).
    fn read(&self, _delta: u64, _total: u64) {}
    /// A stage of `week` (None before partitioning) finished.
    fn stage(&self, _week: Option<IsoWeek>, _stage: &str, _seconds: f64) {}
    /// `week`, the `index`-th of `of` (1-based), starts with `orders` orders.
    fn week(&self, _week: IsoWeek, _index: usize, _of: usize, _orders: usize) {}
}

/// A [`Progress`] that reports nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// Everything a run needs besides its input: loaded once.
struct Setup {
    analyzer: Analyzer,
    taxonomy: Taxonomy,
    names: CauseNames,
    units: Units,
    mining: MiningConfig,
    matching: MatchConfig,
    ingest: IngestOptions,
}

fn setup(plan: &Plan) -> Result<Setup> {
    let c = &plan.config;
    let config_err = |message: String| Error::Config {
        origin: plan.origin.clone(),
        message,
    };
    let analyzer_cfg = AnalyzerConfig {
        segment: SegmenterConfig {
            user_dicts: c.analyzer.dicts.iter().map(|p| plan.path(p)).collect(),
            stopword_files: c.analyzer.stopwords.iter().map(|p| plan.path(p)).collect(),
            ..SegmenterConfig::default()
        },
        ..AnalyzerConfig::default()
    };
    let analyzer = Analyzer::new(&analyzer_cfg)?;
    let taxonomy = match &c.mine.taxonomy {
        Some(p) => Taxonomy::from_path(&plan.path(p))?,
        None => Taxonomy::builtin()?,
    };
    let names = match plan.optional_file(c.causes.names.as_deref(), "causes.names")? {
        Some(p) => CauseNames::from_path(&p).map_err(|e| config_err(e.to_string()))?,
        None => CauseNames::default(),
    };
    let units = match plan.optional_file(c.kpis.units.as_deref(), "kpis.units")? {
        Some(p) => Units::from_path(&p)?,
        None => Units::default(),
    };
    let k = c
        .mine
        .k
        .parse::<KChoice>()
        .map_err(|e| config_err(format!("mine.k: {e}")))?;
    let mining = MiningConfig {
        k,
        typical: c.mine.typical,
        seed: c.mine.seed,
        max_other: c.mine.max_other,
        window_days: c.mine.repeat_window_days,
        typed_features: c.mine.typed_features,
        lsa_dims: c.mine.lsa_dims,
        ..MiningConfig::default()
    };
    let matching = MatchConfig {
        similarity_floor: c.causes.similarity_floor,
        learning_rate: c.causes.learning_rate,
        growth_ratio: c.causes.growth_ratio,
        ..MatchConfig::default()
    };
    let columns = match &c.input.columns {
        Some(p) => ColumnMap::from_path(&plan.path(p))?,
        None => ColumnMap::builtin(),
    };
    let encoding: Encoding = c
        .input
        .encoding
        .parse()
        .map_err(|e| config_err(format!("input.encoding: {e}")))?;
    let timezone: Tz = c.input.timezone.parse().map_err(|_| {
        config_err(format!(
            "input.timezone: {:?} is not an IANA time zone name",
            c.input.timezone
        ))
    })?;
    Ok(Setup {
        analyzer,
        taxonomy,
        names,
        units,
        mining,
        matching,
        ingest: IngestOptions {
            encoding,
            sheet: c.input.sheet.clone(),
            columns,
            timezone,
        },
    })
}

fn hash_inputs(paths: &[PathBuf]) -> Result<Vec<InputFile>> {
    paths
        .par_iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|source| Error::Io {
                path: p.display().to_string(),
                source,
            })?;
            Ok(InputFile {
                path: p.display().to_string(),
                bytes: bytes.len() as u64,
                sha256: crate::hex_sha256(&bytes),
            })
        })
        .collect()
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A run's outcome: its manifest (also written to the state) and the
/// rejects, for the caller's gate and messages.
#[derive(Debug)]
pub struct RunOutcome {
    /// The manifest as written.
    pub manifest: RunManifest,
    /// Where it was written.
    pub manifest_path: PathBuf,
    /// Every rejected row.
    pub rejects: Vec<kesu_model::Reject>,
    /// Per week run, its causes by decreasing size then 其他: (name, orders),
    /// for the charts the caller draws.
    pub cause_sizes: BTreeMap<IsoWeek, Vec<(String, u64)>>,
}

/// Runs the weekly job.
pub fn run(plan: &Plan, request: &RunRequest, progress: &dyn Progress) -> Result<RunOutcome> {
    let started = now();
    let mut timer = StageTimer::start();
    let state = State::open(&request.state)?;
    let incomplete_before: Vec<IsoWeek> = state.incomplete_weeks()?.into_iter().collect();
    let setup = setup(plan)?;
    let s = timer.lap("setup");
    progress.stage(None, "setup", s);

    // read: every file, every row accounted for; hashes beside the parse.
    let total: u64 = request
        .inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let normalizer = setup.analyzer.normalizer.clone();
    let (batch, inputs) = rayon::join(
        || {
            kesu_ingest::ingest_with(
                &request.inputs,
                &setup.ingest,
                &|delta| progress.read(delta, total),
                &|order| normalizer.apply(order),
            )
        },
        || hash_inputs(&request.inputs),
    );
    let batch = batch?;
    let inputs = inputs?;
    let s = timer.lap("read");
    progress.stage(None, "read", s);

    // partition: by ISO week of receipt, input order kept within a week.
    let mut weeks: BTreeMap<IsoWeek, Vec<NormalizedOrder>> = BTreeMap::new();
    let mut outside = 0u64;
    let mut sources = Vec::with_capacity(batch.orders.len());
    for o in batch.orders {
        let w = IsoWeek::of(o.order.received_at);
        if request.week.is_some_and(|sel| sel != w) {
            outside += 1;
            sources.push((o.order.source, w));
            continue;
        }
        sources.push((o.order.source.clone(), w));
        weeks.entry(w).or_default().push(o);
    }
    if let Some(sel) = request.week {
        weeks.entry(sel).or_default();
    }
    // A week complete in the state is replaced by a rerun: only when the
    // input holds a fair share of it (a corrected export, a new backfill),
    // not a few rows an export spilled over its first day.
    let mut held_back_weeks = Vec::new();
    let mut held_back = 0u64;
    if request.week.is_none() {
        let min_share = plan.config.input.rerun_min_share;
        for (w, orders) in &weeks {
            let in_input = orders.len() as u64;
            if let Some(in_state) = state.complete_week_orders(*w)?
                && (in_input as f64) < min_share * in_state as f64
            {
                held_back_weeks.push(crate::manifest::HeldBackWeek {
                    week: *w,
                    orders_in_input: in_input,
                    orders_in_state: in_state,
                });
                held_back += in_input;
            }
        }
        for h in &held_back_weeks {
            weeks.remove(&h.week);
        }
    }
    let run_weeks: Vec<IsoWeek> = weeks.keys().copied().collect();
    let mut rejects_by_week = crate::reject_weeks::file_rejects(
        sources.iter().map(|(s, w)| (s, *w)),
        &batch.rejects,
        &run_weeks,
    );
    drop(sources);
    let stats = &batch.stats;
    let rows = RowAccounting {
        read: stats.read,
        accepted: stats.accepted,
        rejected: stats.rejected,
        duplicates: stats.duplicates,
        orders: stats.orders,
        in_weeks_run: stats.orders - outside - held_back,
        outside_week: outside,
        held_back,
    };
    let s = timer.lap("partition");
    progress.stage(None, "partition", s);

    let checkpointed = state.checkpointed_weeks()?;
    let later_weeks_not_rerun: Vec<IsoWeek> = match weeks.keys().next_back() {
        Some(last) => checkpointed.iter().filter(|w| *w > last).copied().collect(),
        None => Vec::new(),
    };
    let mut index = ComplaintIndex::create_or_open(&state.index_dir(), &setup.analyzer)?;
    let version = setup.analyzer.version().0.clone();
    let first = weeks.keys().next().copied();
    let (mut registry, mut history) = match first {
        Some(w) => match state.checkpoint_before(w)? {
            Some(cp) => (cp.registry, cp.history),
            None => (Registry::new(), BTreeMap::new()),
        },
        None => (Registry::new(), BTreeMap::new()),
    };
    // A re-run of a week must not see the weeks after it in the history.
    if let Some(w) = first {
        history.retain(|k, _| *k < w);
    }

    // One index writer for the whole run, one commit a week: the merges a
    // week's commit starts go on in the background while the next weeks
    // run (a writer per week threw the merges in flight away at its end
    // and redid them, on ever larger segments). Merges still running at
    // the end are dropped; every commit is durable.
    // One indexing thread: the week's mining runs beside the writer, and a
    // commit a week with two threads made two half-size segments a week,
    // each rewritten once more by the merges (an 8-week run: 40–46 CPU-s
    // against 49–60 with two threads, and never slower on the clock).
    let mut upsert = index.begin_upsert(
        &setup.analyzer,
        &kesu_index::WriterOptions {
            wait_merges: false,
            threads: 1,
            ..kesu_index::WriterOptions::default()
        },
    )?;
    let n_weeks = weeks.len();
    let mut summaries = Vec::new();
    let mut outputs = Vec::new();
    let mut stage_totals: BTreeMap<String, f64> = BTreeMap::new();
    let mut cause_sizes = BTreeMap::new();
    let mut recent = RecentRepeats::default();
    for (i, (week, orders)) in weeks.into_iter().enumerate() {
        progress.week(week, i + 1, n_weeks, orders.len());
        // The week's rejects: those its rows came with (see reject_weeks).
        let rejects = rejects_by_week.remove(&week).unwrap_or_default();
        let ctx = WeekContext {
            plan,
            setup: &setup,
            state: &state,
            version: &version,
            progress,
        };
        let done = run_week(
            &ctx,
            week,
            orders,
            &rejects,
            &mut upsert,
            &mut registry,
            &mut history,
            &mut recent,
        )?;
        for (stage, s) in &done.summary.timing_s {
            *stage_totals.entry(stage.clone()).or_default() += s;
        }
        outputs.extend(done.outputs);
        cause_sizes.insert(week, done.cause_sizes);
        summaries.push(done.summary);
    }
    drop(upsert);
    timer.lap("weeks");
    let mut timing = timer.finish("total");
    timing.extend(stage_totals);

    // Every reject of the run, whatever week it was filed under (and even
    // when no week was run at all), in one file beside the manifest.
    let dir = state.run_dir(&started.replace(':', ""))?;
    if !batch.rejects.is_empty() {
        let path = dir.join("rejects.csv");
        kesu_ingest::write_rejects_csv(&path, &batch.rejects)?;
        outputs.push(
            path.strip_prefix(state.root())
                .unwrap_or(&path)
                .display()
                .to_string(),
        );
    }
    let reject_rate = if rows.read == 0 {
        0.0
    } else {
        rows.rejected as f64 / rows.read as f64
    };
    let manifest = RunManifest {
        kesu_version: env!("CARGO_PKG_VERSION").to_owned(),
        analyzer_version: version,
        config: plan.origin.clone(),
        config_hash: plan.hash.clone(),
        started: started.clone(),
        finished: now(),
        state: request.state.display().to_string(),
        week_selected: request.week,
        inputs,
        rows,
        reject_rate,
        max_reject_rate: plan.config.input.max_reject_rate,
        incomplete_weeks_before: incomplete_before,
        held_back_weeks,
        later_weeks_not_rerun,
        named_causes: setup.names.len(),
        weeks: summaries,
        timing_s: timing,
        peak_rss_mb: peak_rss_mb(),
        outputs,
    };
    let manifest_path = dir.join("manifest.json");
    let mut text = serde_json::to_vec_pretty(&manifest)?;
    text.push(b'\n');
    kesu_atomic::write(&manifest_path, &text)?;
    Ok(RunOutcome {
        manifest,
        manifest_path,
        rejects: batch.rejects,
        cause_sizes,
    })
}

/// The repeat records of the weeks this run has just done, kept while
/// later weeks can still link to them: a backfill reads none of its own
/// repeat files back (decoding them was most of its cross-week repeat time).
#[derive(Default)]
struct RecentRepeats(BTreeMap<IsoWeek, Vec<Remembered>>);

/// The earlier side of one week's repeat linking: records kept in memory
/// and records read from the state, in week order.
struct EarlierRepeats<'a> {
    weeks: Vec<IsoWeek>,
    recent: &'a RecentRepeats,
    read: BTreeMap<IsoWeek, Vec<Remembered>>,
    since: NaiveDateTime,
}

impl RecentRepeats {
    /// The orders of complete weeks before `week` received at or after
    /// `since`, from memory where this run did the week, else from its file.
    fn earlier(
        &self,
        state: &State,
        week: IsoWeek,
        since: NaiveDateTime,
    ) -> Result<EarlierRepeats<'_>> {
        let weeks: Vec<IsoWeek> = state
            .checkpointed_weeks()?
            .range(IsoWeek::of(since)..week)
            .copied()
            .collect();
        let read = weeks
            .iter()
            .filter(|w| !self.0.contains_key(w))
            .map(|w| Ok((*w, state.repeats_of(*w)?)))
            .collect::<Result<_>>()?;
        Ok(EarlierRepeats {
            weeks,
            recent: self,
            read,
            since,
        })
    }

    /// Keeps `week`'s records and forgets the weeks no later week can reach
    /// (those before the window that starts at `since`, this week's).
    fn keep(&mut self, week: IsoWeek, records: Vec<Remembered>, since: NaiveDateTime) {
        self.0.insert(week, records);
        let first = IsoWeek::of(since);
        self.0.retain(|w, _| *w >= first);
    }
}

impl EarlierRepeats<'_> {
    /// The records, in the order of their weeks and, within a week, of
    /// their file (the order ties between equal times are broken by).
    fn records(&self) -> Vec<&Remembered> {
        self.weeks
            .iter()
            .filter_map(|w| self.recent.0.get(w).or_else(|| self.read.get(w)))
            .flatten()
            .filter(|m| m.received_at >= self.since)
            .collect()
    }
}

struct WeekContext<'a> {
    plan: &'a Plan,
    setup: &'a Setup,
    state: &'a State,
    version: &'a str,
    progress: &'a dyn Progress,
}

struct WeekDone {
    summary: WeekSummary,
    outputs: Vec<String>,
    cause_sizes: Vec<(String, u64)>,
}

/// Facts kept per order for the KPIs and typical cases before the order is
/// digested for mining.
struct Kept {
    facts: OrderFacts,
    handling: Option<String>,
    identity: Vec<String>,
}

fn keep(o: &NormalizedOrder) -> Kept {
    let w = &o.order;
    Kept {
        facts: OrderFacts {
            unit: w.unit.clone(),
            channel: w.channel.clone(),
            substantiated: w.substantiated.clone(),
            received_at: w.received_at,
            closed_at: w.closed_at,
        },
        handling: w.handling.clone(),
        identity: [&w.customer_name, &w.phone, &w.address, &w.customer_id]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
    }
}

/// One cut of every order's normalised text (precise mode), and what both
/// consumers need from it: the index's search-mode words (derived, see
/// [`Segmenter::search_of_precise`]) and mining's content words (masks read
/// in the redacted text, see [`Segmenter::terms_of_precise`]), interned by
/// `builder`. So each text is segmented once per run, not once per consumer.
fn segment_week(
    segmenter: &Segmenter,
    builder: &CorpusBuilder,
    orders: &[NormalizedOrder],
) -> (Vec<String>, Vec<Box<[u32]>>) {
    orders
        .par_iter()
        .with_min_len(64)
        .map(|o| {
            let precise = segmenter.cut(&o.text_norm, Mode::Precise);
            let words = kesu_index::cut_words_of(segmenter, &segmenter.search_of_precise(&precise));
            let terms =
                segmenter.terms_of_precise(&o.text_norm, &precise, o.text_redacted.as_str());
            (words, builder.intern(&terms))
        })
        .unzip()
}

/// Root-cause mining of one week's orders (the orders stay with the caller,
/// who indexes them at the same time), from their interned content words:
/// the number of orders, the result (None for a week without orders) and
/// each order's identity for repeats across the week boundary.
fn mine_week(
    setup: &Setup,
    builder: CorpusBuilder,
    orders: &[NormalizedOrder],
    terms: Vec<Box<[u32]>>,
    prior_causes: Vec<Vec<(String, f64)>>,
) -> Result<(usize, Option<Mining>, Vec<Identity>)> {
    let digests: Vec<_> = orders
        .par_iter()
        .zip(terms)
        .with_min_len(64)
        .map(|(o, terms)| builder.digest(o.clone(), terms))
        .collect();
    let cfg = MiningConfig {
        prior_causes,
        ..setup.mining.clone()
    };
    let (corpus, mining) = crate::stages::mine(
        builder,
        digests,
        &setup.analyzer.segmenter,
        &setup.taxonomy,
        &cfg,
    )?;
    let n = corpus.len();
    let Some(mining) = mining else {
        return Ok((0, None, Vec::new()));
    };
    // Signatures only for orders that name somebody: the others can never
    // be linked to an earlier week.
    let identities = corpus
        .orders
        .par_iter()
        .with_min_len(64)
        .map(|o| {
            let keys: Vec<u64> = o.identity.hashes().collect();
            let signature = (!keys.is_empty())
                .then(|| Box::new(kesu_cluster::repeats::minhash(o.text.as_str())));
            Identity { keys, signature }
        })
        .collect();
    Ok((n, Some(mining), identities))
}

/// Profiles of the causes seen in the `weeks` weeks before `week`, by key:
/// the warm start of the week's clustering.
fn prior_causes(registry: &Registry, week: IsoWeek, weeks: u32) -> Vec<Vec<(String, f64)>> {
    if weeks == 0 {
        return Vec::new();
    }
    registry
        .causes()
        .filter(|c| {
            c.last_week
                .parse::<IsoWeek>()
                .is_ok_and(|last| last < week && last.weeks_until(week) <= i64::from(weeks))
        })
        .map(|c| c.centroid.clone())
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn run_week(
    ctx: &WeekContext<'_>,
    week: IsoWeek,
    orders: Vec<NormalizedOrder>,
    rejects: &[kesu_model::Reject],
    upsert: &mut Upsert<'_>,
    registry: &mut Registry,
    history: &mut BTreeMap<IsoWeek, WeekCounts>,
    recent: &mut RecentRepeats,
) -> Result<WeekDone> {
    let setup = ctx.setup;
    let mut timer = StageTimer::start();
    let lap = |timer: &mut StageTimer, stage: &str| {
        let s = timer.lap(stage);
        ctx.progress.stage(Some(week), stage, s);
    };
    // The week's old checkpoint goes first: until the new one is written,
    // the week counts as incomplete, whatever happens in between.
    ctx.state.invalidate(week)?;

    // segment: each text once, for both the index and mining.
    let kept: Vec<Kept> = orders.par_iter().map(keep).collect();
    let segmenter = &setup.analyzer.segmenter;
    let cut_before = segmenter.texts_cut();
    let builder = CorpusBuilder::new(Vec::new()).with_normalizer(setup.analyzer.normalizer.clone());
    let (words, terms) = segment_week(segmenter, &builder, &orders);
    lap(&mut timer, "segment");

    // index and mine side by side: both read the week's orders and are
    // parallel inside, but each has serial stretches (the index commit, the
    // class model) that the other fills.
    let prior = prior_causes(registry, week, ctx.plan.config.causes.warm_start_weeks);
    let ((indexed, t_index), (mined, t_mine)) = rayon::join(
        || {
            timed(|| {
                // One commit for the week; upsert by id, so a rerun replaces.
                upsert.add_segmented(&orders, words)?;
                upsert.commit_and_continue()
            })
        },
        || timed(|| mine_week(setup, builder, &orders, terms, prior)),
    );
    let texts_cut = segmenter.texts_cut() - cut_before;
    drop(orders);
    let indexed = indexed?;
    let (n, mining, identities) = mined?;
    timer.record("index", t_index);
    timer.record("mine", t_mine);
    lap(&mut timer, "index_mine");

    // register: stable keys for the week's causes.
    let clusters: Vec<WeekCluster> = mining
        .iter()
        .flat_map(|m| &m.root_causes)
        .map(|c| WeekCluster {
            terms: c.profile.clone(),
            orders: c.size,
            label: c.label.clone(),
        })
        .collect();
    let matched = registry
        .observe_week(&week.to_string(), n, &clusters, &setup.matching)
        .map_err(|e| Error::State {
            path: ctx.state.root().display().to_string(),
            message: format!("cause registry: {e}"),
        })?;
    lap(&mut timer, "register");

    let facts: Vec<OrderFacts> = kept.iter().map(|k| k.facts.clone()).collect();
    let empty = Vec::new();
    let assignments = mining.as_ref().map_or(&empty, |m| &m.assignments);
    let cause_key = |cause_id: u32| -> String {
        if cause_id == OTHER_ID {
            OTHER_KEY.to_owned()
        } else {
            matched.keys[cause_id as usize - 1].to_string()
        }
    };
    let cause_name = |cause_id: u32, auto: &str| -> String {
        if cause_id == OTHER_ID {
            return kesu_cluster::OTHER_LABEL.to_owned();
        }
        let key = matched.keys[cause_id as usize - 1];
        setup.names.get(key).unwrap_or(auto).to_owned()
    };
    let mut assignment_rows: Vec<AssignmentRow> = assignments
        .iter()
        .zip(&facts)
        .map(|(a, f)| AssignmentRow {
            work_order_id: a.id.to_string(),
            received_at: f.received_at,
            unit: f.unit.clone(),
            channel: f.channel.clone(),
            cause_key: cause_key(a.cause_id),
            cause_label: cause_name(a.cause_id, &a.cause_label),
            gap: a.gap.to_string(),
            gap_id: a.gap_id.as_deref().map(str::to_owned),
            predicted_class: a.predicted_class.label().to_owned(),
            typed_class: a.typed_class.as_deref().map(str::to_owned),
            class_disagrees: a.class_disagrees,
            is_repeat: a.is_repeat,
            repeat_group: a.repeat_group.to_string(),
        })
        .collect();

    // repeats: link to the repeat groups of the weeks before, within the window.
    let window_days = setup.mining.window_days;
    let since = week.monday().and_hms_opt(0, 0, 0).expect("midnight exists")
        - chrono::Duration::days(window_days);
    let repeats_across_weeks = {
        let earlier = recent.earlier(ctx.state, week, since)?;
        crate::repeats::link(
            &mut assignment_rows,
            &identities,
            &earlier.records(),
            window_days,
            setup.mining.repeat_min_jaccard,
        )
    };
    let remembered = crate::repeats::remember(&assignment_rows, &identities);
    drop(identities);
    lap(&mut timer, "repeats");

    // Counts of the week: the history the next weeks compare with.
    let mut counts = WeekCounts {
        orders: kpis::order_counts(&facts),
        causes: BTreeMap::new(),
    };
    for (row, f) in assignment_rows.iter().zip(&facts) {
        let per = counts.causes.entry(row.cause_key.clone()).or_default();
        *per.entry(ALL_UNITS.to_owned()).or_default() += 1;
        *per.entry(f.unit_or_unknown().to_owned()).or_default() += 1;
    }

    let by_id: BTreeMap<&str, usize> = assignment_rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.work_order_id.as_str(), i))
        .collect();
    let merged_into: BTreeMap<String, Vec<String>> = matched
        .merges
        .iter()
        .map(|m| {
            (
                m.into.to_string(),
                m.absorbed.iter().map(|k| k.to_string()).collect(),
            )
        })
        .collect();
    let split_parent: BTreeMap<String, String> = matched
        .splits
        .iter()
        .flat_map(|s| {
            s.children
                .iter()
                .map(move |c| (c.to_string(), s.parent.to_string()))
        })
        .collect();
    let mut cause_rows: Vec<CauseRow> = Vec::new();
    for (c, root) in mining.iter().flat_map(|m| &m.root_causes).enumerate() {
        let key = matched.keys[c].to_string();
        let typical = root
            .typical
            .iter()
            .map(|t| {
                let handling = by_id
                    .get(t.id.as_str())
                    .and_then(|&i| {
                        let k = &kept[i];
                        let known: Vec<&str> = k.identity.iter().map(String::as_str).collect();
                        k.handling.as_deref().map(|h| {
                            setup
                                .analyzer
                                .normalizer
                                .redact_known(&setup.analyzer.normalizer.normalize(h), &known)
                                .into_string()
                        })
                    })
                    .unwrap_or_default();
                TypicalRow {
                    work_order_id: t.id.0.clone(),
                    text: t.text.as_str().to_owned(),
                    handling,
                    similarity: f64::from(t.similarity),
                }
            })
            .collect();
        cause_rows.push(CauseRow {
            label: setup
                .names
                .get(matched.keys[c])
                .unwrap_or(&root.label)
                .to_owned(),
            auto_label: root.label.clone(),
            status: matched.status[c].as_str().to_owned(),
            orders: root.size as u64,
            share: root.share,
            top_terms: root.top_terms.clone(),
            gap: root.gap.name.clone(),
            gap_id: root.gap.gap_id.clone(),
            remedy: root.gap.remedy.clone(),
            responsible_post: root.gap.post.clone(),
            quadrant: root.gap.quadrant.clone(),
            typical,
            unit_orders: counts
                .causes
                .get(&key)
                .map(|m| {
                    m.iter()
                        .filter(|(u, _)| u.as_str() != ALL_UNITS)
                        .map(|(u, &v)| (u.clone(), v))
                        .collect()
                })
                .unwrap_or_default(),
            class_share: root.class_share.clone(),
            channel_share: root.channel_share.clone(),
            similarity: matched.similarity[c],
            split_from: split_parent.get(&key).cloned(),
            merged: merged_into.get(&key).cloned().unwrap_or_default(),
            cause_key: key,
        });
    }
    let other = counts.causes.get(OTHER_KEY).cloned().unwrap_or_default();
    if let Some(&orders) = other.get(ALL_UNITS) {
        cause_rows.push(CauseRow {
            cause_key: OTHER_KEY.to_owned(),
            label: kesu_cluster::OTHER_LABEL.to_owned(),
            auto_label: kesu_cluster::OTHER_LABEL.to_owned(),
            status: "other".to_owned(),
            orders,
            share: orders as f64 / n.max(1) as f64,
            top_terms: Vec::new(),
            gap: String::new(),
            gap_id: None,
            remedy: String::new(),
            responsible_post: String::new(),
            quadrant: String::new(),
            typical: Vec::new(),
            unit_orders: other
                .iter()
                .filter(|(u, _)| u.as_str() != ALL_UNITS)
                .map(|(u, &v)| (u.clone(), v))
                .collect(),
            class_share: BTreeMap::new(),
            channel_share: BTreeMap::new(),
            similarity: None,
            split_from: None,
            merged: Vec::new(),
        });
    }

    // warn
    let alert_rows =
        crate::warn::alerts(week, &cause_rows, &counts, history, &ctx.plan.config.alerts).map_err(
            |e| Error::Config {
                origin: "alerts".into(),
                message: e.to_string(),
            },
        )?;
    lap(&mut timer, "warn");

    // kpis
    let predicted: Vec<&str> = assignment_rows
        .iter()
        .map(|r| r.predicted_class.as_str())
        .collect();
    let repeat: Vec<bool> = assignment_rows.iter().map(|r| r.is_repeat).collect();
    let order_history: OrderHistory = history
        .iter()
        .map(|(w, c)| (*w, c.orders.clone()))
        .collect();
    let (kpi_rows, kpi_notes) = kpis::week_kpis(
        week,
        &facts,
        &predicted,
        &repeat,
        &ctx.plan.config.kpis,
        &setup.units,
        &order_history,
    );
    lap(&mut timer, "kpis");

    // write: each table file atomic, names fixed by the week.
    let w = week.to_string();
    let meta = |table: &str| {
        vec![
            ("kesu.table".to_owned(), table.to_owned()),
            ("kesu.week".to_owned(), w.clone()),
            (
                "kesu.version".to_owned(),
                env!("CARGO_PKG_VERSION").to_owned(),
            ),
            ("kesu.analyzer_version".to_owned(), ctx.version.to_owned()),
            ("kesu.config_hash".to_owned(), ctx.plan.hash.clone()),
        ]
    };
    let batches = [
        (
            "assignments",
            tables::assignments_batch(&w, &assignment_rows)?,
        ),
        ("causes", tables::causes_batch(&w, &cause_rows)?),
        ("alerts", tables::alerts_batch(&w, &alert_rows)?),
        ("kpis", tables::kpis_batch(&w, &kpi_rows)?),
        ("rejects", tables::rejects_batch(&w, rejects)?),
    ];
    let mut outputs = Vec::new();
    for (table, batch) in &batches {
        let path = ctx.state.table_file(table, week);
        let dir = path.parent().expect("a table file has a folder");
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        kesu_store::write_parquet_atomic(&path, batch, &meta(table))?;
        outputs.push(
            path.strip_prefix(ctx.state.root())
                .unwrap_or(&path)
                .display()
                .to_string(),
        );
    }
    ctx.state.write_repeats(week, &remembered)?;
    recent.keep(week, remembered, since);
    lap(&mut timer, "write");

    // checkpoint: the week is complete once this file exists.
    history.insert(week, counts);
    ctx.state.write_checkpoint(&Checkpoint {
        format: STATE_FORMAT,
        week,
        analyzer_version: ctx.version.to_owned(),
        config_hash: ctx.plan.hash.clone(),
        registry: registry.clone(),
        history: history.clone(),
    })?;
    lap(&mut timer, "checkpoint");

    let m = mining.as_ref();
    let summary = WeekSummary {
        week,
        orders: n as u64,
        causes: clusters.len(),
        new_causes: matched
            .status
            .iter()
            .filter(|s| **s == CauseStatus::New)
            .count(),
        other_share: m.map_or(0.0, |m| m.metrics.outlier_share),
        alerts: alert_rows.iter().filter(|a| a.level == "alert").count(),
        watch: alert_rows.iter().filter(|a| a.level == "watch").count(),
        repeat_rate: if assignment_rows.is_empty() {
            0.0
        } else {
            repeat.iter().filter(|r| **r).count() as f64 / assignment_rows.len() as f64
        },
        repeats_across_weeks: repeats_across_weeks as u64,
        k: m.map_or(0, |m| m.metrics.k),
        k_source: m.map_or_else(String::new, |m| m.metrics.k_source.to_string()),
        unknown_typed_classes: m
            .map(|m| m.metrics.unknown_typed_classes.clone())
            .unwrap_or_default(),
        kpi_notes,
        index_docs: indexed.docs_after,
        index_replaced: indexed.replaced,
        texts_cut,
        timing_s: timer.into_stages(),
    };
    let cause_sizes = cause_rows
        .iter()
        .map(|c| (c.label.clone(), c.orders))
        .collect();
    Ok(WeekDone {
        summary,
        outputs,
        cause_sizes,
    })
}
