//! The generator: configuration, planned spikes, and deterministic chunks of
//! synthetic work orders.
//!
//! Orders are produced in fixed-size chunks whose random streams are derived
//! from (seed, chunk index) only, so the output is the same whatever the
//! number of threads, and a writer can stream chunk after chunk without
//! holding a million orders.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use kesu_model::{ComplaintClass, SourceRef, Substantiation, WorkOrder};

use crate::catalogue::{Audience, CATALOGUE, RootCause};
use crate::noise;
use crate::pools::{self, UNITS, Unit};
use crate::rng::{Rng, Weighted, mix};
use crate::{Error, Result};

/// Orders per chunk. Part of the output definition: changing it changes
/// every generated file (and the committed fixtures).
pub const CHUNK: u64 = 4096;

/// Share of orders that repeat an earlier complaint of the same customer.
const REPEAT_P: f64 = 0.085;
/// Share of orders that belong to a planned spike.
const SPIKE_P: f64 = 0.02;
/// Stream of the planted spikes' orders, apart from the base orders' chunk
/// streams (`mix(seed, k)`) and the spike plan (`mix(seed, u64::MAX)`).
const PLANTED_STREAM: u64 = u64::MAX - 1;
/// Default extra orders per week of a planted spike.
pub const PLANTED_EXTRA_DEFAULT: u32 = 60;
/// Share of operator-typed classes left empty, and typed wrong.
const CLASS_EMPTY_P: f64 = 0.05;
const CLASS_WRONG_P: f64 = 0.07;
/// Share of 是否属实 values that contradict the true quadrant.
const SUBSTANTIATION_FLIP_P: f64 = 0.04;

/// Which header row to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Header {
    /// The headers of a real export (工单编号, 受理时间, …).
    #[default]
    Chinese,
    /// kesu's canonical field names (work_order_id, received_at, …), which the
    /// Python peer reads.
    English,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Number of orders.
    pub n: u64,
    /// Seed: the same seed always gives the same orders, byte for byte.
    pub seed: u64,
    /// First day of the period (受理时间 falls in `start .. start + weeks`).
    pub start: NaiveDate,
    /// Length of the period in weeks.
    pub weeks: u32,
    /// Header row language.
    pub header: Header,
    /// Add the ground-truth columns (`true_root_cause`, …).
    pub with_truth: bool,
    /// Percentage of orders whose true class is not their cause's usual one
    /// (0–100): the complaint also stresses another matter ("工作人员态度恶劣",
    /// "电压忽高忽低"), and that is the class it belongs to. With 0 (the
    /// default) the class is a function of the cause, so a cluster's majority
    /// class is always right; above 0, only reading the text can be.
    pub cross_class_percent: u32,
    /// Write 业务类型 as real 95598 exports name the classes (服务投诉,
    /// 营业投诉, 停送电投诉, 供电质量投诉, 电网建设投诉) instead of the
    /// short labels (供电服务, …). Off by default.
    pub official_class_names: bool,
    /// Percentage of orders (0–100) whose 业务类型 holds a value that names
    /// no class (其他, 综合, 待分类, …), as real exports do. 0 by default.
    pub unknown_class_percent: u32,
    /// Leave out the identity columns (客户编号, 客户名称, 联系电话, 用电地址)
    /// and write the customer's phone, account number and address into the
    /// complaint text instead, in varied operator styles. Off by default.
    pub identity_in_text: bool,
    /// Surges planted on request (`kesu synth --spike`), added on top of the
    /// `n` orders from a stream of their own: the `n` base orders stay byte
    /// for byte what they are without them. Empty by default.
    pub planted: Vec<PlantedSpike>,
}

/// A surge planted on request: `extra` more orders of one cause in one unit
/// in each of `weeks` weeks from `week` (预警 test material with a known
/// answer, e.g. a meter-replacement campaign in one unit that brings two
/// weeks of 跳字 complaints).
///
/// Written `UNIT:CAUSE:WEEK[:WEEKS[:EXTRA]]`, with WEEK 1-based:
///
/// ```
/// let s: kesu_synth::PlantedSpike = "城东供电服务中心:smart_meter_fast:5:2".parse()?;
/// assert_eq!((s.week, s.weeks, s.extra), (5, 2, kesu_synth::PLANTED_EXTRA_DEFAULT));
/// # Ok::<(), kesu_synth::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedSpike {
    /// 供电单位, one of [`UNITS`](crate::UNITS) by name.
    pub unit: String,
    /// Root-cause id from the catalogue (`catalogue.toml`).
    pub cause: String,
    /// First week of the surge, 1-based from `start`.
    pub week: u32,
    /// Number of weeks (default 1).
    pub weeks: u32,
    /// Extra orders in each of those weeks (default
    /// [`PLANTED_EXTRA_DEFAULT`]).
    pub extra: u32,
}

impl std::str::FromStr for PlantedSpike {
    type Err = Error;

    fn from_str(text: &str) -> Result<PlantedSpike> {
        let bad = |why: &str| {
            Error::Config(format!(
                "spike {text:?}: {why} (expected UNIT:CAUSE:WEEK[:WEEKS[:EXTRA]])"
            ))
        };
        let parts: Vec<&str> = text.split(':').map(str::trim).collect();
        if !(3..=5).contains(&parts.len()) {
            return Err(bad("wrong number of fields"));
        }
        let number = |i: usize, name: &str, default: u32| -> Result<u32> {
            match parts.get(i) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| bad(&format!("{name} must be a positive whole number"))),
            }
        };
        Ok(PlantedSpike {
            unit: parts[0].to_owned(),
            cause: parts[1].to_owned(),
            week: number(2, "WEEK", 1)?,
            weeks: number(3, "WEEKS", 1)?,
            extra: number(4, "EXTRA", PLANTED_EXTRA_DEFAULT)?,
        })
    }
}

/// A planted spike resolved against the catalogue and the units.
#[derive(Debug, Clone, Copy)]
struct Planted {
    cause: usize,
    unit: usize,
    /// 0-based first week.
    week: u32,
    weeks: u32,
    extra: u32,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            n: 1000,
            seed: 1,
            // INVARIANT: 2024-01-01 is a valid date (a Monday).
            start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            weeks: 26,
            header: Header::Chinese,
            with_truth: false,
            cross_class_percent: 0,
            official_class_names: false,
            unknown_class_percent: 0,
            identity_in_text: false,
            planted: Vec::new(),
        }
    }
}

/// How 95598 exports name the five classes (the 一级分类 of a complaint).
pub fn official_class_name(class: ComplaintClass) -> &'static str {
    match class {
        ComplaintClass::SupplyService => "服务投诉",
        ComplaintClass::Business => "营业投诉",
        ComplaintClass::Outage => "停送电投诉",
        ComplaintClass::PowerQuality => "供电质量投诉",
        ComplaintClass::GridConstruction => "电网建设投诉",
    }
}

/// 业务类型 values seen in exports that name no complaint class.
pub const UNKNOWN_CLASS_VALUES: [&str; 5] = ["其他", "综合", "待分类", "其他投诉", "咨询转投诉"];

/// The ground truth behind one synthetic order.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// What really went wrong.
    pub cause: &'static RootCause,
    /// The true official class: the cause's, unless the text stresses
    /// another matter (see [`SynthConfig::cross_class_percent`]).
    pub class: ComplaintClass,
    /// This order repeats an earlier complaint of the same customer about the
    /// same cause within 30 days (the earliest member is not a repeat).
    pub is_repeat: bool,
    /// `RG` + the work-order id of the group's first member; set on every
    /// member of a repeat group, including the first.
    pub repeat_group: Option<String>,
    /// The order was added by a planted spike ([`SynthConfig::planted`]).
    pub planted: bool,
}

impl PartialEq for RootCause {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// One synthetic work order with every field of a real export.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOrder {
    /// 工单编号 (`GD` + received date + sequence).
    pub id: String,
    /// 受理时间.
    pub received_at: NaiveDateTime,
    /// 受理渠道.
    pub channel: &'static str,
    /// 供电单位.
    pub unit: &'static str,
    /// 客户编号.
    pub customer_id: String,
    /// 客户名称.
    pub customer_name: String,
    /// 联系电话.
    pub phone: String,
    /// 用电地址.
    pub address: String,
    /// 客户类别.
    pub customer_class: &'static str,
    /// 业务类型 as the operator typed it: sometimes wrong, sometimes empty
    /// (also when the value names no class, see `category_label`).
    pub category: Option<ComplaintClass>,
    /// The 业务类型 cell as written: the class's short or official name, or
    /// a value naming no class.
    pub category_label: Option<&'static str>,
    /// 二级分类 (empty when the category is).
    pub subcategory: Option<&'static str>,
    /// 受理内容: the operator's text, with the noise of real exports.
    pub text: String,
    /// 是否属实 as recorded (mostly, not always, agreeing with the truth).
    pub substantiated: bool,
    /// 处理意见 (sometimes empty).
    pub handling: Option<String>,
    /// 归档时间, after `received_at`.
    pub closed_at: NaiveDateTime,
    /// What really happened.
    pub truth: Truth,
}

impl SynthOrder {
    /// The order as kesu's canonical work order (truth goes into `extra`),
    /// for tests that skip the file round trip.
    pub fn to_work_order(&self, line: u64) -> WorkOrder {
        let mut o = WorkOrder::new(self.id.clone(), self.received_at, self.text.clone());
        o.channel = Some(self.channel.to_owned());
        o.unit = Some(self.unit.to_owned());
        o.customer_id = Some(self.customer_id.clone());
        o.customer_name = Some(self.customer_name.clone());
        o.phone = Some(self.phone.clone());
        o.address = Some(self.address.clone());
        o.customer_class = Some(self.customer_class.to_owned());
        o.category = self.category_label.map(str::to_owned);
        o.subcategory = self.subcategory.map(str::to_owned);
        o.substantiated = Some(substantiated_label(self.substantiated).to_owned());
        o.handling = self.handling.clone();
        o.closed_at = Some(self.closed_at);
        o.extra
            .insert("true_root_cause".into(), self.truth.cause.id.into());
        o.source = SourceRef {
            file: "synth".into(),
            line,
        };
        o
    }
}

/// 属实 / 不属实.
pub fn substantiated_label(substantiated: bool) -> &'static str {
    if substantiated { "属实" } else { "不属实" }
}

/// A planned surge: one cause in one unit during one week (预警 material).
#[derive(Debug, Clone, PartialEq)]
pub struct Spike {
    /// The surging cause.
    pub cause: &'static RootCause,
    /// The unit where it surges.
    pub unit: &'static str,
    /// 0-based week index from `start`.
    pub week: u32,
}

/// A configured generator. Cheap to share across threads.
#[derive(Debug)]
pub struct Synth {
    cfg: SynthConfig,
    urban_causes: Weighted,
    rural_causes: Weighted,
    units: Weighted,
    channels: Weighted,
    days: Weighted,
    hours: Weighted,
    /// 客户类别 weights for residential- and commercial-leaning causes.
    classes: [Weighted; 2],
    spikes: Vec<(usize, usize, u32)>,
    planted: Vec<Planted>,
    /// Chunks of the `n` base orders; planted orders come in chunks after them.
    base_chunks: u64,
}

/// Zipf-like base weight of the cause at 0-based `rank`.
fn zipf(rank: usize) -> f64 {
    1.0 / ((rank + 2) as f64).powf(0.85)
}

const HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.2, 3.0, 3.0, 2.6, 1.5, 1.8, 2.6, 2.7, 2.5, 2.0, 1.6,
    1.8, 1.7, 1.3, 0.8, 0.4,
];

impl Synth {
    /// A generator for the configuration.
    pub fn new(cfg: SynthConfig) -> Result<Synth> {
        if cfg.weeks == 0 {
            return Err(Error::Config("weeks must be at least 1".into()));
        }
        if cfg.weeks > 520 {
            return Err(Error::Config(
                "weeks must be at most 520 (ten years)".into(),
            ));
        }
        if cfg.start.year() < 1990 || cfg.start.year() > 2090 {
            return Err(Error::Config(format!(
                "start {} is out of range",
                cfg.start
            )));
        }
        let urban_causes = Weighted::new(
            CATALOGUE
                .iter()
                .enumerate()
                .map(|(i, c)| zipf(i) * if c.rural { 0.6 } else { 1.0 }),
        );
        let rural_causes = Weighted::new(
            CATALOGUE
                .iter()
                .enumerate()
                .map(|(i, c)| zipf(i) * if c.rural { 2.2 } else { 0.8 }),
        );
        let units = Weighted::new(UNITS.iter().map(|u| u.weight));
        let channels = Weighted::new(pools::CHANNELS.iter().map(|c| c.1));
        let days = Weighted::new((0..cfg.weeks * 7).map(|d| {
            let day = cfg.start + Duration::days(i64::from(d));
            match day.weekday() {
                Weekday::Mon => 1.15,
                Weekday::Tue => 1.05,
                Weekday::Sat => 0.8,
                Weekday::Sun => 0.75,
                _ => 1.0,
            }
        }));
        let hours = Weighted::new(HOURS);
        let classes = [
            Weighted::new(pools::CUSTOMER_CLASSES.iter().map(|c| c.1)),
            Weighted::new(pools::CUSTOMER_CLASSES.iter().map(|c| c.2)),
        ];
        let mut rng = Rng::new(mix(cfg.seed, u64::MAX));
        let n_spikes = if cfg.weeks >= 4 {
            1 + cfg.weeks / 10
        } else {
            0
        };
        let spikes = (0..n_spikes)
            .map(|_| {
                let cause = rng.range(3, 29) as usize;
                let unit = rng.below(UNITS.len() as u64) as usize;
                let week = rng.range(1, u64::from(cfg.weeks) - 2) as u32;
                (cause, unit, week)
            })
            .collect();
        let planted = cfg
            .planted
            .iter()
            .map(|p| resolve(p, cfg.weeks))
            .collect::<Result<Vec<_>>>()?;
        let base_chunks = cfg.n.div_ceil(CHUNK);
        Ok(Synth {
            planted,
            base_chunks,
            cfg,
            urban_causes,
            rural_causes,
            units,
            channels,
            days,
            hours,
            classes,
            spikes,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SynthConfig {
        &self.cfg
    }

    /// The planned surges, in the order they were drawn.
    pub fn spikes(&self) -> Vec<Spike> {
        self.spikes
            .iter()
            .map(|&(c, u, week)| Spike {
                cause: &CATALOGUE[c],
                unit: UNITS[u].name,
                week,
            })
            .collect()
    }

    /// Orders written: the `n` base orders and the planted spikes' orders.
    pub fn total_orders(&self) -> u64 {
        self.cfg.n + self.planted_orders()
    }

    fn planted_orders(&self) -> u64 {
        self.planted
            .iter()
            .map(|p| u64::from(p.weeks) * u64::from(p.extra))
            .sum()
    }

    /// Number of chunks: those of the `n` base orders, then those of the
    /// planted spikes' orders.
    pub fn chunk_count(&self) -> u64 {
        self.base_chunks + self.planted_orders().div_ceil(CHUNK)
    }

    /// Every order, chunk after chunk (sequential; writers use chunks in parallel).
    pub fn orders(&self) -> impl Iterator<Item = SynthOrder> + '_ {
        (0..self.chunk_count()).flat_map(|k| self.chunk(k))
    }

    fn end(&self) -> NaiveDateTime {
        (self.cfg.start + Duration::weeks(i64::from(self.cfg.weeks))).and_time(NaiveTime::MIN)
    }

    fn time_on(&self, day: NaiveDate, rng: &mut Rng, counter: bool) -> NaiveDateTime {
        let hour = if counter {
            rng.range(8, 16) as u32
        } else {
            self.hours.sample(rng) as u32
        };
        let secs = hour * 3600 + rng.below(3600) as u32;
        day.and_time(
            NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN),
        )
    }

    /// The orders of chunk `k`, sorted by received time. A pure function of
    /// (configuration, k).
    pub fn chunk(&self, k: u64) -> Vec<SynthOrder> {
        if k >= self.base_chunks {
            return self.planted_chunk(k - self.base_chunks);
        }
        let first = k * CHUNK;
        let count = CHUNK.min(self.cfg.n.saturating_sub(first)) as usize;
        let mut rng = Rng::new(mix(self.cfg.seed, k));
        let mut drafts: Vec<Draft> = Vec::with_capacity(count);
        let end = self.end();
        for i in 0..count {
            let draft = self
                .repeat_of_earlier(&mut rng, &mut drafts, i, end)
                .unwrap_or_else(|| self.fresh(&mut rng));
            drafts.push(draft);
        }
        finish(drafts, first)
    }

    /// Chunk `j` of the planted spikes' orders: spike after spike, week after
    /// week, `extra` orders each, drawn from their own stream so that the
    /// base chunks do not change. Sequence numbers continue after the `n`
    /// base orders.
    fn planted_chunk(&self, j: u64) -> Vec<SynthOrder> {
        let first = j * CHUNK;
        let count = CHUNK.min(self.planted_orders().saturating_sub(first));
        let mut rng = Rng::new(mix(mix(self.cfg.seed, PLANTED_STREAM), j));
        let mut drafts = Vec::with_capacity(count as usize);
        for i in first..first + count {
            let (p, week) = self.planted_at(i);
            let cause = &CATALOGUE[p.cause];
            let unit = &UNITS[p.unit];
            let day = self.cfg.start + Duration::days(i64::from(week * 7) + rng.below(7) as i64);
            let channel = self.channel(&mut rng, cause);
            let received_at = self.time_on(day, &mut rng, channel == pools::COUNTER);
            let classes = &self.classes[usize::from(cause.audience == Audience::Commercial)];
            let customer = Customer::draw(&mut rng, unit, classes);
            let mut d = self.build(
                &mut rng,
                cause,
                p.unit,
                unit,
                channel,
                received_at,
                customer,
                false,
            );
            d.order.truth.planted = true;
            drafts.push(d);
        }
        finish(drafts, self.cfg.n + first)
    }

    /// The planted spike and 0-based week of planted order `i`.
    fn planted_at(&self, mut i: u64) -> (Planted, u32) {
        for p in &self.planted {
            let per_week = u64::from(p.extra);
            let size = per_week * u64::from(p.weeks);
            if i < size {
                return (*p, p.week + (i / per_week) as u32);
            }
            i -= size;
        }
        unreachable!("planted order index beyond the planted total")
    }
}

/// Resolves a planted spike's unit and cause and checks its weeks.
fn resolve(p: &PlantedSpike, weeks: u32) -> Result<Planted> {
    let unit = UNITS.iter().position(|u| u.name == p.unit).ok_or_else(|| {
        let names: Vec<&str> = UNITS.iter().map(|u| u.name).collect();
        Error::Config(format!(
            "spike unit {:?} is not a synthetic unit ({})",
            p.unit,
            names.join(", ")
        ))
    })?;
    let cause = CATALOGUE
        .iter()
        .position(|c| c.id == p.cause)
        .ok_or_else(|| {
            Error::Config(format!(
                "spike cause {:?} is not a catalogue root cause (e.g. smart_meter_fast, frequent_outage)",
                p.cause
            ))
        })?;
    let last = u64::from(p.week) + u64::from(p.weeks) - 1;
    if p.week == 0 || p.weeks == 0 || p.extra == 0 || last > u64::from(weeks) {
        return Err(Error::Config(format!(
            "spike weeks {}–{last} are outside the {weeks} weeks generated (or no orders)",
            p.week
        )));
    }
    Ok(Planted {
        cause,
        unit,
        week: p.week - 1,
        weeks: p.weeks,
        extra: p.extra,
    })
}

/// Sorts a chunk's drafts by received time and numbers them from `first`.
fn finish(drafts: Vec<Draft>, first: u64) -> Vec<SynthOrder> {
    let count = drafts.len();
    // Exports list orders by received time; ties keep generation order.
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&i| (drafts[i].order.received_at, i));
    let mut ids = vec![String::new(); count];
    for (pos, &i) in order.iter().enumerate() {
        let date = drafts[i].order.received_at.format("%Y%m%d");
        ids[i] = format!("GD{date}{:05}", first + pos as u64);
    }
    let mut slots: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| {
            let mut d = slots[i].take()?;
            d.order.id = ids[i].clone();
            d.order.truth.repeat_group = d.group_root.map(|r| format!("RG{}", ids[r]));
            Some(d.order)
        })
        .collect()
}

impl Synth {
    /// With probability `REPEAT_P`, a paraphrased repeat of an earlier order in
    /// this chunk (same customer, same cause, 1–30 days later).
    fn repeat_of_earlier(
        &self,
        rng: &mut Rng,
        drafts: &mut [Draft],
        i: usize,
        end: NaiveDateTime,
    ) -> Option<Draft> {
        if i == 0 || !rng.chance(REPEAT_P) {
            return None;
        }
        let j = rng.below(i as u64) as usize;
        let base = &drafts[j];
        let channel = self.channel(rng, base.order.truth.cause);
        let day = base.order.received_at.date() + Duration::days(rng.range(1, 30) as i64);
        let received_at = self.time_on(day, rng, channel == pools::COUNTER);
        if received_at >= end {
            return None;
        }
        let root = base.group_root.unwrap_or(j);
        let unit = &UNITS[base.unit];
        let cust = base.customer.clone();
        let cause = base.order.truth.cause;
        let mut d = self.build(
            rng,
            cause,
            base.unit,
            unit,
            channel,
            received_at,
            cust,
            true,
        );
        d.group_root = Some(root);
        drafts[j].group_root = Some(root);
        drafts[root].group_root = Some(root);
        Some(d)
    }

    fn channel(&self, rng: &mut Rng, cause: &RootCause) -> usize {
        if (cause.subcategory == "营业窗口" || cause.id == "counter_attitude") && rng.chance(0.7)
        {
            return pools::COUNTER;
        }
        self.channels.sample(rng)
    }

    fn fresh(&self, rng: &mut Rng) -> Draft {
        let (cause, unit_idx, day) = if !self.spikes.is_empty() && rng.chance(SPIKE_P) {
            let (c, u, week) = rng.pick(&self.spikes);
            let day = self.cfg.start + Duration::days(i64::from(week * 7) + rng.below(7) as i64);
            (&CATALOGUE[c], u, day)
        } else {
            let u = self.units.sample(rng);
            let table = if UNITS[u].rural {
                &self.rural_causes
            } else {
                &self.urban_causes
            };
            let c = table.sample(rng);
            let day = self.cfg.start + Duration::days(self.days.sample(rng) as i64);
            (&CATALOGUE[c], u, day)
        };
        let unit = &UNITS[unit_idx];
        let channel = self.channel(rng, cause);
        let received_at = self.time_on(day, rng, channel == pools::COUNTER);
        let classes = &self.classes[usize::from(cause.audience == Audience::Commercial)];
        let customer = Customer::draw(rng, unit, classes);
        self.build(
            rng,
            cause,
            unit_idx,
            unit,
            channel,
            received_at,
            customer,
            false,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        rng: &mut Rng,
        cause: &'static RootCause,
        unit_idx: usize,
        unit: &'static Unit,
        channel: usize,
        received_at: NaiveDateTime,
        customer: Customer,
        repeat: bool,
    ) -> Draft {
        let channel_name = pools::CHANNELS[channel].0;
        let mut text = compose(
            rng,
            cause,
            unit,
            channel,
            &customer,
            received_at,
            repeat,
            self.cfg.identity_in_text,
        );
        // No draw at all when the option is off: default output stays byte
        // for byte what it was.
        let class = if self.cfg.cross_class_percent > 0
            && rng.chance(f64::from(self.cfg.cross_class_percent.min(100)) / 100.0)
        {
            let other = confuse(cause.class, rng);
            text.push_str(rng.pick(class_stress(other)));
            other
        } else {
            cause.class
        };
        let r = rng.unit();
        let category = if r < CLASS_EMPTY_P {
            None
        } else if r < CLASS_EMPTY_P + CLASS_WRONG_P {
            Some(confuse(class, rng))
        } else {
            Some(class)
        };
        // Draws only when the option is on (default output unchanged).
        let unknown = self.cfg.unknown_class_percent > 0
            && rng.chance(f64::from(self.cfg.unknown_class_percent.min(100)) / 100.0);
        let (category, category_label) = if unknown {
            (None, Some(rng.pick(&UNKNOWN_CLASS_VALUES)))
        } else if self.cfg.official_class_names {
            (category, category.map(official_class_name))
        } else {
            (category, category.map(ComplaintClass::label))
        };
        let subcategory = category_label.map(|_| cause.subcategory);
        let substantiated = cause.quadrant.is_substantiated() != rng.chance(SUBSTANTIATION_FLIP_P);
        let handling = if rng.chance(0.05) {
            None
        } else {
            Some(rng.pick(handling_for(cause.quadrant)).to_string())
        };
        let hours = if rng.chance(0.1) {
            rng.range(72, 360)
        } else {
            rng.range(1, 72)
        };
        let closed_at =
            received_at + Duration::hours(hours as i64) + Duration::minutes(rng.below(60) as i64);
        Draft {
            unit: unit_idx,
            group_root: None,
            order: SynthOrder {
                id: String::new(),
                received_at,
                channel: channel_name,
                unit: unit.name,
                customer_id: customer.id.clone(),
                customer_name: customer.name.clone(),
                phone: customer.phone.clone(),
                address: customer.address.clone(),
                customer_class: customer.class,
                category,
                category_label,
                subcategory,
                text,
                substantiated,
                handling,
                closed_at,
                truth: Truth {
                    cause,
                    class,
                    is_repeat: repeat,
                    repeat_group: None,
                    planted: false,
                },
            },
            customer,
        }
    }
}

/// An order being built: the unit and customer are kept for repeats.
struct Draft {
    unit: usize,
    group_root: Option<usize>,
    customer: Customer,
    order: SynthOrder,
}

#[derive(Clone)]
struct Customer {
    id: String,
    name: String,
    phone: String,
    address: String,
    loc: String,
    class: &'static str,
}

impl Customer {
    fn draw(rng: &mut Rng, unit: &Unit, weights: &Weighted) -> Customer {
        let class = pools::CUSTOMER_CLASSES[weights.sample(rng)].0;
        let name = if class != "居民" && rng.chance(0.75) {
            pools::company_name(rng, unit.area)
        } else {
            pools::person_name(rng)
        };
        let (loc, address) = pools::place(rng, unit);
        Customer {
            id: pools::customer_id(rng),
            name,
            phone: pools::mobile(rng),
            address,
            loc,
            class,
        }
    }
}

/// Closing sentences that make a complaint about one cause belong to another
/// class: what the customer stresses decides the class (DOMAIN.md).
fn class_stress(class: ComplaintClass) -> &'static [&'static str] {
    use ComplaintClass::*;
    match class {
        Outage => &[
            "另外，此事还导致家里停电大半天，影响正常生活。",
            "期间还多次突然停电，没有任何通知。",
        ],
        PowerQuality => &[
            "另外，家中电压一直偏低，电器无法正常使用。",
            "而且最近电压忽高忽低，灯光闪烁。",
        ],
        Business => &[
            "另外，相关电费和业务手续至今没有办清。",
            "营业厅的业务办理也一再拖延，要求尽快办结。",
        ],
        SupplyService => &[
            "另外，接待的工作人员服务态度恶劣，推诿扯皮。",
            "工作人员态度生硬，对客户的诉求不予理睬。",
        ],
        GridConstruction => &[
            "另外，附近电力线路施工占道，存在安全隐患。",
            "而且门前电力施工挖开路面后迟迟不恢复。",
        ],
    }
}

/// Operators confuse neighbouring classes, not arbitrary ones.
fn confuse(class: ComplaintClass, rng: &mut Rng) -> ComplaintClass {
    use ComplaintClass::*;
    let options: &[ComplaintClass] = match class {
        Outage => &[PowerQuality, PowerQuality, SupplyService, GridConstruction],
        PowerQuality => &[Outage, Outage, GridConstruction],
        Business => &[SupplyService, SupplyService, Outage],
        SupplyService => &[Business, Business, Outage],
        GridConstruction => &[PowerQuality, Outage, SupplyService],
    };
    rng.pick(options)
}

fn handling_for(q: Substantiation) -> &'static [&'static str] {
    match q {
        Substantiation::ServiceBehaviour => &[
            "经核实，工作人员服务态度存在问题，已对当事人进行批评教育，并向客户赔礼道歉，客户表示接受。",
            "经调查核实，工作人员存在服务不规范行为，已按规定考核并组织专项培训。",
            "经核实情况属实，已责令相关人员整改，并上门向客户致歉。",
        ],
        Substantiation::ManagementDefect => &[
            "经核实情况属实，已安排责任部门整改，并向客户解释说明。",
            "经现场核实，问题属实，已处理完毕，客户表示满意。",
            "经核查属实，已督促责任部门限期整改，后续将加强管理。",
        ],
        Substantiation::NonUtilityProperty => &[
            "经现场核实，故障设备属小区物业产权，非供电企业产权设备，已告知客户联系产权单位处理，并提供延伸服务。",
            "经核实，该设施产权属开发商，已向客户解释产权分界，并协助联系物业。",
            "经查，相关设施不属于供电公司产权，已告知客户并协调产权单位处理。",
        ],
        Substantiation::Misunderstanding => &[
            "经核实，相关收费和处理符合规定，已向客户详细解释相关政策，客户表示理解。",
            "经核查，供电企业不存在过错，已向客户做好解释和宣传工作。",
            "经核实，客户对政策存在理解偏差，已耐心解释，客户表示认可。",
        ],
    }
}

const OPENERS: [&[&str]; 5] = [
    &[
        "客户来电反映",
        "客户来电称",
        "客户致电95598反映",
        "客户来电投诉",
        "客户来电表示",
    ],
    &[
        "客户通过网上国网反映",
        "客户在网上国网留言称",
        "网上国网客户留言反映",
    ],
    &["客户通过微信公众号反映", "客户在微信公众号留言称"],
    &["客户通过掌上电力反映", "客户通过掌上电力App留言称"],
    &[
        "客户到营业厅反映",
        "客户到营业厅现场反映",
        "客户来营业厅投诉",
    ],
];

const REPEAT_OPENERS: &[&str] = &[
    "客户再次来电反映",
    "客户重复来电反映",
    "客户称此前已反映过，",
    "客户第二次反映",
    "客户又一次反映",
];

const EMOTIONS: &[&str] = &[
    "，",
    "，",
    "，对此不满，",
    "，对此非常不满，",
    "，客户情绪激动，",
    "，严重影响生活，",
    "，已多次反映未果，",
];

const GENERIC_DEMANDS: &[&str] = &["尽快处理", "供电公司给予合理解释", "相关部门尽快核实处理"];

const STAFF: &[&str] = &[
    "工作人员",
    "一名女工作人员",
    "窗口工作人员",
    "一名男性工作人员",
    "值班人员",
];

const CN_NUM: &[&str] = &["两", "三", "四", "五", "六", "七", "八", "九"];

/// Builds the 受理内容 text as an operator would type it.
#[allow(clippy::too_many_arguments)]
fn compose(
    rng: &mut Rng,
    cause: &RootCause,
    unit: &Unit,
    channel: usize,
    customer: &Customer,
    at: NaiveDateTime,
    repeat: bool,
    identity_in_text: bool,
) -> String {
    let mut s = String::with_capacity(256);
    let first = rng.below(cause.templates.len() as u64) as usize;
    let opener = if repeat && rng.chance(0.6) {
        rng.pick(REPEAT_OPENERS)
    } else {
        rng.pick(OPENERS[channel])
    };
    let mut style = rng.below(10);
    if style == 9 && (channel == pools::HOTLINE || channel == pools::COUNTER) {
        // Only online channels carry the customer's own words.
        style = 0;
    }
    let ctx = Ctx { unit, customer, at };
    match style {
        0..=4 => {
            s.push_str(opener);
            if !opener.ends_with('，') {
                s.push_str(if rng.chance(0.8) { "，" } else { "：" });
            }
            core(rng, cause, first, &ctx, &mut s);
            s.push_str(rng.pick(EMOTIONS));
            demand(rng, cause, &mut s);
        }
        5 | 6 => {
            s.push_str(if repeat {
                "客户称此前反映的问题未解决，"
            } else {
                "客户称"
            });
            core(rng, cause, first, &ctx, &mut s);
            s.push_str("，对此不满，");
            demand(rng, cause, &mut s);
        }
        7 => {
            s.push_str(opener.trim_end_matches('，'));
            s.push('：');
            core(rng, cause, first, &ctx, &mut s);
            s.push_str("。客户");
            demand(rng, cause, &mut s);
        }
        8 => {
            let title = if rng.chance(0.5) { "先生" } else { "女士" };
            if customer.name.chars().count() > 4 {
                // A company: its contact person calls, not 王先生.
                let _ = write!(s, "客户{}负责人", customer.name);
            } else {
                let _ = write!(s, "客户{}{title}", pools::surname(&customer.name));
            }
            s.push_str(if repeat {
                "再次投诉："
            } else {
                "来电投诉："
            });
            core(rng, cause, first, &ctx, &mut s);
            s.push('，');
            demand(rng, cause, &mut s);
        }
        _ => {
            // Online channels: the customer's own words, no operator frame.
            core(rng, cause, first, &ctx, &mut s);
            s.push_str("，希望");
            s.push_str(rng.pick(cause.demands));
        }
    }
    s.push('。');
    if identity_in_text {
        identity_sentences(rng, customer, unit, &mut s);
    } else {
        pii_sentences(rng, customer, &mut s);
    }
    apply_noise(rng, &mut s);
    s
}

struct Ctx<'a> {
    unit: &'a Unit,
    customer: &'a Customer,
    at: NaiveDateTime,
}

/// One or two phrasings of the cause (a second one 35 % of the time).
fn core(rng: &mut Rng, cause: &RootCause, first: usize, ctx: &Ctx<'_>, out: &mut String) {
    fill(rng, cause.templates[first], ctx, out);
    if rng.chance(0.35) {
        let n = cause.templates.len();
        let second = (first + 1 + rng.below(n as u64 - 1) as usize) % n;
        out.push('，');
        fill(rng, cause.templates[second], ctx, out);
    }
}

fn demand(rng: &mut Rng, cause: &RootCause, out: &mut String) {
    out.push_str("要求");
    if rng.chance(0.12) {
        out.push_str(rng.pick(GENERIC_DEMANDS));
        return;
    }
    let first = rng.below(cause.demands.len() as u64) as usize;
    out.push_str(cause.demands[first]);
    if rng.chance(0.15) {
        let second = (first + 1) % cause.demands.len();
        out.push_str("，并");
        out.push_str(cause.demands[second]);
    }
}

/// Expands `{slot}`s of a template.
fn fill(rng: &mut Rng, template: &str, ctx: &Ctx<'_>, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        slot(rng, &after[..close], ctx, out);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
}

fn slot(rng: &mut Rng, name: &str, ctx: &Ctx<'_>, out: &mut String) {
    let d = ctx.at.date() - Duration::days(rng.below(3) as i64);
    match name {
        "loc" => out.push_str(&ctx.customer.loc),
        "when" => match rng.below(8) {
            0 => out.push_str("今天上午"),
            1 => out.push_str("昨天晚上"),
            2 => out.push_str("昨天"),
            3 => out.push_str("近几天"),
            4 => out.push_str("本周"),
            5 => {
                let _ = write!(out, "{}月{}日晚上", d.month(), d.day());
            }
            _ => {
                let _ = write!(out, "{}月{}日", d.month(), d.day());
            }
        },
        "mon" => match rng.below(5) {
            0 => out.push_str("上个月"),
            1 => out.push_str("本月"),
            2 => out.push_str("近两个月"),
            3 => out.push_str("这个月"),
            _ => {
                let m = if ctx.at.month() == 1 {
                    12
                } else {
                    ctx.at.month() - 1
                };
                let _ = write!(out, "{m}月份");
            }
        },
        "n" => {
            if rng.chance(0.3) {
                out.push_str(rng.pick(CN_NUM));
            } else {
                let _ = write!(out, "{}", rng.range(2, 9));
            }
        }
        "h" => {
            let _ = write!(out, "{}", rng.range(2, 14));
        }
        "d" => {
            let _ = write!(out, "{}", rng.range(3, 45));
        }
        "m" => {
            let _ = write!(out, "{}", rng.range(12, 350) * 10);
        }
        "k" => {
            let _ = write!(out, "{}", rng.range(200, 2600));
        }
        "v" => {
            let _ = write!(out, "{}", rng.range(150, 195));
        }
        "staff" => out.push_str(rng.pick(STAFF)),
        "hall" => out.push_str(ctx.unit.hall),
        other => out.push_str(other),
    }
}

/// Personal data inside the text, as operators paste it.
fn pii_sentences(rng: &mut Rng, customer: &Customer, s: &mut String) {
    if rng.chance(0.15) {
        let phone = if rng.chance(0.8) {
            customer.phone.clone()
        } else {
            pools::mobile(rng)
        };
        if rng.chance(0.5) {
            let _ = write!(s, "联系电话：{phone}。");
        } else {
            let _ = write!(s, "客户联系电话{phone}，请回电。");
        }
    }
    if rng.chance(0.08) {
        let _ = write!(s, "户号：{}。", customer.id);
    }
    if rng.chance(0.08) {
        let _ = write!(s, "用电地址：{}。", customer.address);
    }
    if rng.chance(0.015) {
        let _ = write!(s, "客户身份证号：{}。", pools::id_number(rng));
    }
}

/// The customer's identity as operators type it into the text when the
/// export has no identity columns: a phone, an account number and/or an
/// address, each in one of several styles (separators, keywords, the address
/// with or without its district, town or road, 幢 for 栋, no 室). Almost
/// every order names at least one; a few name none (operators forget).
fn identity_sentences(rng: &mut Rng, customer: &Customer, unit: &Unit, s: &mut String) {
    if rng.chance(0.02) {
        return;
    }
    let mut phone = rng.chance(0.9);
    let account = rng.chance(0.3);
    let address = rng.chance(0.5);
    if !(phone || account || address) {
        phone = true;
    }
    if phone {
        let p = &customer.phone;
        let (a, b, c) = (&p[..3], &p[3..7], &p[7..]);
        let _ = match rng.below(6) {
            0 => write!(s, "联系电话：{p}。"),
            1 => write!(s, "客户联系电话{p}，请回电。"),
            2 => write!(s, "回访电话 {a} {b} {c}。"),
            3 => write!(s, "客户手机{a}-{b}-{c}。"),
            4 => write!(s, "来电号码{p}。"),
            _ => write!(s, "电话:{p}，"),
        };
    }
    if account {
        let id = &customer.id;
        let _ = match rng.below(4) {
            0 => write!(s, "户号：{id}。"),
            1 => write!(s, "户号{id}，"),
            2 => write!(s, "客户编号为{id}。"),
            _ => write!(s, "用户编号：{id}。"),
        };
    }
    if address {
        let addr = address_variant(rng, &customer.address, unit);
        let _ = match rng.below(5) {
            0 => write!(s, "用电地址：{addr}。"),
            1 => write!(s, "地址：{addr}，"),
            2 => write!(s, "客户家住{addr}。"),
            3 => write!(s, "住址{addr}。"),
            _ => write!(s, "客户位于{addr}。"),
        };
    }
}

/// One way an operator writes the customer's address.
fn address_variant(rng: &mut Rng, address: &str, unit: &Unit) -> String {
    let mut a = address.to_owned();
    if rng.chance(0.4) {
        a = a.trim_start_matches(unit.area).to_owned();
    }
    if let Some(town) = a.find('镇').filter(|_| rng.chance(0.3)) {
        a = a[town + '镇'.len_utf8()..].to_owned();
    }
    if let Some(road) = a.find("号").filter(|_| a.contains('栋') && rng.chance(0.3)) {
        // 人民路12号阳光花园3栋… → 阳光花园3栋…
        a = a[road + "号".len()..].to_owned();
    }
    if rng.chance(0.2) {
        a = a.replace('栋', "幢");
    }
    if rng.chance(0.3) {
        a = a.trim_end_matches('室').to_owned();
    }
    a
}

fn apply_noise(rng: &mut Rng, s: &mut String) {
    if rng.chance(0.06) {
        let pick = rng.next_u64();
        noise::typo(s, pick);
    }
    if rng.chance(0.04) {
        *s = noise::fullwidth_digits(s);
    }
    let r = rng.unit();
    if r < 0.03 {
        *s = noise::to_traditional(s, 1);
    } else if r < 0.05 {
        *s = noise::to_traditional(s, 3);
    }
    if rng.chance(0.015) {
        // A line break pasted in the middle: the CSV writer must quote it.
        if let Some(pos) = s.find('。') {
            let at = pos + '。'.len_utf8();
            if at < s.len() {
                s.insert(at, '\n');
            }
        }
    }
    if rng.chance(0.01) {
        s.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn synth(n: u64, seed: u64) -> Synth {
        Synth::new(SynthConfig {
            n,
            seed,
            ..SynthConfig::default()
        })
        .expect("config")
    }

    #[test]
    fn same_seed_same_orders_different_seed_differs() {
        let a: Vec<SynthOrder> = synth(500, 7).orders().collect();
        let b: Vec<SynthOrder> = synth(500, 7).orders().collect();
        let c: Vec<SynthOrder> = synth(500, 8).orders().collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn ids_are_unique_and_times_in_window() {
        let s = synth(9000, 3);
        let orders: Vec<SynthOrder> = s.orders().collect();
        assert_eq!(orders.len(), 9000);
        let ids: std::collections::BTreeSet<&str> = orders.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids.len(), orders.len());
        let start = s.config().start.and_time(NaiveTime::MIN);
        for o in &orders {
            assert!(
                o.received_at >= start && o.received_at < s.end(),
                "{}",
                o.received_at
            );
            assert!(o.closed_at > o.received_at);
            assert!(
                o.id.starts_with("GD") && o.id[2..10] == o.received_at.format("%Y%m%d").to_string()
            );
            assert!(!o.text.is_empty());
        }
    }

    #[test]
    fn cross_class_orders_stress_another_class_in_their_text() {
        let plain = Synth::new(SynthConfig {
            n: 6000,
            seed: 5,
            ..SynthConfig::default()
        })
        .unwrap();
        let mixed = Synth::new(SynthConfig {
            n: 6000,
            seed: 5,
            cross_class_percent: 25,
            ..SynthConfig::default()
        })
        .unwrap();
        let plain: Vec<SynthOrder> = plain.orders().collect();
        assert!(plain.iter().all(|o| o.truth.class == o.truth.cause.class));
        let mixed: Vec<SynthOrder> = mixed.orders().collect();
        let crossed: Vec<&SynthOrder> = mixed
            .iter()
            .filter(|o| o.truth.class != o.truth.cause.class)
            .collect();
        let share = crossed.len() as f64 / mixed.len() as f64;
        assert!((0.21..0.29).contains(&share), "{share}");
        for o in crossed {
            assert!(
                class_stress(o.truth.class)
                    .iter()
                    .any(|s| o.text.ends_with(s)),
                "{}",
                o.text
            );
        }
        // Operators type the true class, with the usual noise.
        let typed_right = mixed
            .iter()
            .filter(|o| o.category == Some(o.truth.class))
            .count() as f64
            / mixed.len() as f64;
        assert!((0.85..0.91).contains(&typed_right), "{typed_right}");
    }

    #[test]
    fn class_noise_and_repeat_share_within_band() {
        let orders: Vec<SynthOrder> = synth(20_000, 11).orders().collect();
        let n = orders.len() as f64;
        let noisy = orders
            .iter()
            .filter(|o| o.category != Some(o.truth.class))
            .count() as f64;
        let empty = orders.iter().filter(|o| o.category.is_none()).count() as f64;
        assert!((0.10..0.14).contains(&(noisy / n)), "noise {}", noisy / n);
        assert!((0.04..0.06).contains(&(empty / n)), "empty {}", empty / n);
        let repeats = orders.iter().filter(|o| o.truth.is_repeat).count() as f64;
        assert!(
            (0.06..0.10).contains(&(repeats / n)),
            "repeats {}",
            repeats / n
        );
        let mut per_class = BTreeMap::new();
        for o in &orders {
            *per_class.entry(o.truth.class).or_insert(0) += 1;
        }
        assert_eq!(per_class.len(), 5);
    }

    #[test]
    fn repeats_share_customer_and_cause_within_30_days() {
        let orders: Vec<SynthOrder> = synth(4000, 5).orders().collect();
        let mut groups: BTreeMap<&str, Vec<&SynthOrder>> = BTreeMap::new();
        for o in &orders {
            if let Some(g) = &o.truth.repeat_group {
                groups.entry(g.as_str()).or_default().push(o);
            }
        }
        assert!(!groups.is_empty());
        for (g, members) in groups {
            assert!(members.len() >= 2, "{g}");
            let first = members[0];
            assert!(!first.truth.is_repeat);
            assert_eq!(g, format!("RG{}", first.id));
            for m in &members[1..] {
                assert!(m.truth.is_repeat);
                assert_eq!(m.customer_id, first.customer_id);
                assert_eq!(m.phone, first.phone);
                assert_eq!(m.address, first.address);
                assert_eq!(m.truth.cause.id, first.truth.cause.id);
                assert!(m.received_at > first.received_at);
            }
        }
        for o in orders.iter().filter(|o| o.truth.is_repeat) {
            assert!(o.truth.repeat_group.is_some());
        }
    }

    #[test]
    fn spikes_surge_in_their_week_and_unit() {
        let s = synth(6000, 9);
        let spikes = s.spikes();
        assert_eq!(spikes.len(), 3);
        let orders: Vec<SynthOrder> = s.orders().collect();
        let sp = &spikes[0];
        let week_of =
            |o: &SynthOrder| ((o.received_at.date() - s.config().start).num_days() / 7) as u32;
        let matching = |w: u32| {
            orders
                .iter()
                .filter(|o| o.unit == sp.unit && o.truth.cause.id == sp.cause.id && week_of(o) == w)
                .count()
        };
        let in_spike = matching(sp.week);
        let other = (0..26)
            .filter(|&w| w != sp.week)
            .map(matching)
            .max()
            .unwrap_or(0);
        assert!(in_spike > 3 * other.max(1), "spike {in_spike} vs {other}");
    }

    #[test]
    fn text_carries_noise_and_pii_sometimes() {
        let orders: Vec<SynthOrder> = synth(5000, 2).orders().collect();
        let trad = orders.iter().filter(|o| o.text.contains('電')).count();
        let fw = orders
            .iter()
            .filter(|o| o.text.contains(['０', '１', '２', '３', '５']))
            .count();
        let phone = orders.iter().filter(|o| o.text.contains(&o.phone)).count();
        let idno = orders
            .iter()
            .filter(|o| o.text.contains("身份证号"))
            .count();
        assert!(
            trad > 50 && fw > 50 && phone > 300 && idno > 20,
            "{trad} {fw} {phone} {idno}"
        );
        assert!(orders.iter().any(|o| o.text.contains('\n')));
        assert!(orders.iter().all(|o| !o.text.contains('{')));
    }

    #[test]
    fn channels_and_customer_classes_are_skewed() {
        let orders: Vec<SynthOrder> = synth(5000, 4).orders().collect();
        let hotline = orders.iter().filter(|o| o.channel == "95598电话").count();
        let residential = orders.iter().filter(|o| o.customer_class == "居民").count();
        assert!(hotline > 2200 && hotline < 3200, "{hotline}");
        assert!(residential > 3000, "{residential}");
    }

    #[test]
    fn bad_config_is_rejected() {
        let err = Synth::new(SynthConfig {
            weeks: 0,
            ..SynthConfig::default()
        });
        assert!(matches!(err, Err(Error::Config(_))));
    }

    #[test]
    fn work_order_conversion_keeps_fields() {
        let o = synth(3, 1).orders().next().expect("one order");
        let w = o.to_work_order(2);
        assert_eq!(w.id.as_str(), o.id);
        assert_eq!(w.text, o.text);
        assert_eq!(w.category.as_deref(), o.category.map(|c| c.label()));
        assert_eq!(
            w.extra.get("true_root_cause").map(String::as_str),
            Some(o.truth.cause.id)
        );
    }

    #[test]
    fn official_names_and_unknown_values_change_only_the_typed_cell() {
        let plain = synth(2000, 4).orders().collect::<Vec<_>>();
        let official: Vec<SynthOrder> = Synth::new(SynthConfig {
            n: 2000,
            seed: 4,
            official_class_names: true,
            unknown_class_percent: 10,
            ..SynthConfig::default()
        })
        .expect("config")
        .orders()
        .collect();
        let mut unknown = 0;
        for o in &official {
            match o.category {
                Some(c) => assert_eq!(o.category_label, Some(official_class_name(c))),
                None => {
                    if let Some(v) = o.category_label {
                        assert!(UNKNOWN_CLASS_VALUES.contains(&v), "{v}");
                        unknown += 1;
                    }
                }
            }
        }
        assert!((140..260).contains(&unknown), "{unknown}");
        // Off by default: the short labels, and no value naming no class.
        for o in &plain {
            assert_eq!(o.category_label, o.category.map(ComplaintClass::label));
        }
        let w = official[0].to_work_order(2);
        assert_eq!(w.category.as_deref(), official[0].category_label);
    }

    #[test]
    fn identity_in_text_writes_phone_account_or_address_into_the_text() {
        let orders: Vec<SynthOrder> = Synth::new(SynthConfig {
            n: 2000,
            seed: 5,
            identity_in_text: true,
            ..SynthConfig::default()
        })
        .expect("config")
        .orders()
        .collect();
        // Digits, full-width ones (a noise of the generator) read as ASCII.
        let digits = |s: &str| {
            s.chars()
                .filter_map(|c| match c {
                    '0'..='9' => Some(c),
                    '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                    _ => None,
                })
                .collect::<String>()
        };
        let (mut phone, mut account, mut styled, mut none) = (0, 0, 0, 0);
        for o in &orders {
            let text_digits = digits(&o.text);
            let has_phone = text_digits.contains(&o.phone);
            let has_account = text_digits.contains(&o.customer_id);
            // Room numbers identify the address in every style.
            let room = o
                .address
                .rsplit(['单', '组'])
                .next()
                .map(digits)
                .unwrap_or_default();
            let has_address =
                o.text.contains("住") || o.text.contains("地址") || o.text.contains("位于");
            phone += usize::from(has_phone);
            account += usize::from(has_account);
            styled += usize::from(has_phone && !o.text.contains(&o.phone));
            if !(has_phone || has_account || (has_address && text_digits.contains(&room))) {
                none += 1;
            }
        }
        assert!(
            phone > 1600 && account > 450 && styled > 300,
            "{phone} {account} {styled}"
        );
        assert!(none < 80, "{none} orders name nobody");
    }

    #[test]
    fn planted_spikes_add_exactly_their_orders_and_leave_the_rest_identical() {
        let base = synth(5000, 13);
        let planted = Synth::new(SynthConfig {
            n: 5000,
            seed: 13,
            planted: vec![
                "城东供电服务中心:smart_meter_fast:5:2:40".parse().unwrap(),
                "青山县供电公司:frequent_outage:26".parse().unwrap(),
            ],
            ..SynthConfig::default()
        })
        .unwrap();
        assert_eq!(planted.total_orders(), 5000 + 80 + 60);
        let before: Vec<SynthOrder> = base.orders().collect();
        let after: Vec<SynthOrder> = planted.orders().collect();
        assert_eq!(after.len(), 5140);
        // the base orders come first and are unchanged, field for field
        assert_eq!(&after[..5000], &before[..]);
        assert!(after[..5000].iter().all(|o| !o.truth.planted));
        let extra = &after[5000..];
        assert!(extra.iter().all(|o| o.truth.planted));
        let week_of =
            |o: &SynthOrder| (o.received_at.date() - planted.config().start).num_days() / 7;
        let mut cells: BTreeMap<(&str, &str, i64), usize> = BTreeMap::new();
        for o in extra {
            *cells
                .entry((o.unit, o.truth.cause.id, week_of(o)))
                .or_default() += 1;
        }
        let want: BTreeMap<(&str, &str, i64), usize> = [
            (("城东供电服务中心", "smart_meter_fast", 4), 40),
            (("城东供电服务中心", "smart_meter_fast", 5), 40),
            (("青山县供电公司", "frequent_outage", 25), 60),
        ]
        .into_iter()
        .collect();
        assert_eq!(cells, want);
        // ids stay unique across base and planted orders
        let ids: std::collections::HashSet<&str> = after.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids.len(), after.len());
        // a second planted spike does not change the first one's orders
        let one = Synth::new(SynthConfig {
            n: 5000,
            seed: 13,
            planted: vec!["城东供电服务中心:smart_meter_fast:5:2:40".parse().unwrap()],
            ..SynthConfig::default()
        })
        .unwrap();
        let one: Vec<SynthOrder> = one.orders().collect();
        assert_eq!(&one[..5080], &after[..5080]);
    }

    #[test]
    fn planted_spike_specs_are_checked() {
        let spec = |s: &str| s.parse::<PlantedSpike>();
        let s = spec("城东供电服务中心:smart_meter_fast:3").unwrap();
        assert_eq!((s.week, s.weeks, s.extra), (3, 1, PLANTED_EXTRA_DEFAULT));
        assert!(spec("城东供电服务中心:smart_meter_fast").is_err());
        assert!(spec("城东供电服务中心:smart_meter_fast:0").is_err());
        assert!(spec("城东供电服务中心:smart_meter_fast:x").is_err());
        let build = |text: &str| {
            Synth::new(SynthConfig {
                planted: vec![spec(text).unwrap()],
                ..SynthConfig::default()
            })
        };
        assert!(build("城东供电服务中心:smart_meter_fast:25:2").is_ok());
        assert!(build("城东供电服务中心:smart_meter_fast:26:2").is_err());
        assert!(build("火星供电所:smart_meter_fast:3").is_err());
        assert!(build("城东供电服务中心:no_such_cause:3").is_err());
    }
}
