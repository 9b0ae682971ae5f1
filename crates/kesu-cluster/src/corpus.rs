//! The compact corpus mining reads: per work order, only what mining uses.
//!
//! A full [`NormalizedOrder`] holds the raw, normalised and redacted text and
//! every column of the export; at a million orders that is several GB. Mining
//! needs far less: the redacted text (typical cases, repeat shingles), term
//! ids, a few categorical fields (interned, so one copy per distinct value),
//! hashed identity keys for repeat blocking and whichever extra columns the
//! caller keeps (truth labels). [`CorpusBuilder::digest`] makes that
//! [`OrderDigest`] on the thread that parsed the row (see
//! `kesu_ingest::ingest_with`), so full orders never accumulate; its term
//! ids can be given then or filled in by a later pass over the digests
//! (`kesu analyze` does the latter, so that reading overlaps the dictionary
//! load), since segmentation reads only the redacted text the digest keeps.
//!
//! Term ids are handed out by a concurrent interner in whatever order threads
//! reach new terms; nothing downstream depends on them, because the feature
//! step re-numbers the kept vocabulary in sorted order.

use std::hash::{BuildHasher, Hash};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::NaiveDateTime;
use kesu_model::Keyed;
use kesu_normalize::{NormalizedOrder, Normalizer, Redacted};

use crate::repeats::IdentityKeys;
use rustc_hash::{FxBuildHasher, FxHashMap};

/// Lock shards of the interners: few enough to stay cheap, enough that two
/// to a few dozen threads rarely wait on one another.
const SHARDS: usize = 32;

/// A short categorical value (unit, channel, typed class, a kept column),
/// stored once in [`Corpus::symbols`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sym(NonZeroU32);

/// What mining needs from one work order.
#[derive(Debug, Clone)]
pub struct OrderDigest {
    /// 工单编号.
    pub id: Arc<str>,
    /// 受理时间.
    pub received_at: NaiveDateTime,
    /// 供电单位.
    pub unit: Option<Sym>,
    /// 受理渠道.
    pub channel: Option<Sym>,
    /// The operator-typed class (业务类型), trimmed.
    pub category: Option<Sym>,
    /// The operator-typed subclass, trimmed.
    pub subcategory: Option<Sym>,
    /// Hashed customer id / phone / address (columns and text), for repeat blocking.
    pub identity: IdentityKeys,
    /// 是否属实 as recorded: whether the complaint was found substantiated
    /// (None when absent or not a yes/no value). It tells a management gap
    /// (a real defect) from a misunderstanding or a non-utility asset.
    pub substantiated: Option<bool>,
    /// Redacted complaint text: the only text that reaches outputs.
    pub text: Redacted,
    /// Content-word ids into [`Corpus::lexicon`], in text order.
    pub terms: Box<[u32]>,
    /// Values of the kept extra columns ([`Corpus::columns`]), in that order.
    pub kept: Box<[Option<Sym>]>,
}

impl Keyed for OrderDigest {
    fn work_order_id(&self) -> &str {
        &self.id
    }
}

/// Work orders ready to mine, with the lexicon their term ids point into.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// The orders, in input order.
    pub orders: Vec<OrderDigest>,
    /// Term text by term id.
    pub lexicon: Vec<Box<str>>,
    /// Categorical values by [`Sym`].
    pub symbols: Vec<Arc<str>>,
    /// Names of the extra columns kept in [`OrderDigest::kept`].
    pub columns: Vec<String>,
    /// Which words may name a root cause in its label; every word when unset.
    pub label_words: Option<LabelWords>,
}

/// Decides which top terms may appear in a root cause's label, e.g. the
/// segmenter's part-of-speech test (`Segmenter::is_naming_word`): a label
/// read by management should say what went wrong (电费·抄表), not how often
/// or when (很多·平时). Top terms and gap mapping still see every term.
#[derive(Clone)]
pub struct LabelWords(Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl LabelWords {
    /// Wraps a word test.
    pub fn new(allows: impl Fn(&str) -> bool + Send + Sync + 'static) -> LabelWords {
        LabelWords(Arc::new(allows))
    }

    /// Whether `word` may appear in a label.
    pub fn allows(&self, word: &str) -> bool {
        (self.0)(word)
    }
}

impl std::fmt::Debug for LabelWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LabelWords(..)")
    }
}

impl Corpus {
    /// Builds a corpus from normalised orders and their terms (`terms[i]`
    /// belongs to `orders[i]`), keeping the named extra columns. The one-shot
    /// form of [`CorpusBuilder`], for callers that already hold every order.
    pub fn from_orders<S: AsRef<str>>(
        orders: Vec<NormalizedOrder>,
        terms: &[Vec<S>],
        keep: &[&str],
    ) -> Corpus {
        let builder = CorpusBuilder::new(keep.iter().map(|s| (*s).to_owned()).collect());
        let digests = orders
            .into_iter()
            .zip(terms)
            .map(|(o, t)| {
                let ids = builder.intern(t);
                builder.digest(o, ids)
            })
            .collect();
        builder.finish(digests)
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.orders.len()
    }

    /// Whether there is no order.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// The text of a categorical value.
    pub fn symbol(&self, sym: Option<Sym>) -> Option<&str> {
        sym.map(|s| &*self.symbols[s.0.get() as usize - 1])
    }

    /// The shared text of a categorical value.
    pub fn symbol_arc(&self, sym: Option<Sym>) -> Option<Arc<str>> {
        sym.map(|s| Arc::clone(&self.symbols[s.0.get() as usize - 1]))
    }

    /// Position of a kept extra column in [`OrderDigest::kept`].
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The value of a kept extra column for every order (`None` when the
    /// column is not kept).
    pub fn column_values(&self, name: &str) -> Option<Vec<Option<&str>>> {
        let k = self.column(name)?;
        Some(self.orders.iter().map(|o| self.symbol(o.kept[k])).collect())
    }
}

/// Makes [`OrderDigest`]s from many threads at once and then the [`Corpus`].
#[derive(Debug)]
pub struct CorpusBuilder {
    lexicon: Interner,
    symbols: Interner,
    keep: Vec<String>,
    /// Finds phones and account numbers in the text (identity keys).
    normalizer: Normalizer,
}

impl CorpusBuilder {
    /// A builder that keeps the named extra columns (e.g. truth labels).
    pub fn new(keep: Vec<String>) -> CorpusBuilder {
        CorpusBuilder {
            lexicon: Interner::new(0),
            // Symbol ids start at 1 so that `Option<Sym>` takes four bytes.
            symbols: Interner::new(1),
            keep,
            normalizer: Normalizer::builtin(),
        }
    }

    /// Reads identity keys in the text with this normaliser's detector (the
    /// one that redacts, so custom account patterns count); the built-in
    /// one otherwise.
    pub fn with_normalizer(mut self, normalizer: Normalizer) -> CorpusBuilder {
        self.normalizer = normalizer;
        self
    }

    /// Term ids of content words (`Segmenter::terms` of the redacted text),
    /// in order. Safe to call from many threads.
    pub fn intern<S: AsRef<str>>(&self, terms: &[S]) -> Box<[u32]> {
        let mut ids = Vec::with_capacity(terms.len());
        self.lexicon
            .intern_all(terms.iter().map(AsRef::as_ref), |id| ids.push(id));
        ids.into_boxed_slice()
    }

    /// The digest of one order whose content words [`CorpusBuilder::intern`]
    /// turned into `terms`. Safe to call from many threads.
    pub fn digest(&self, order: NormalizedOrder, terms: Box<[u32]>) -> OrderDigest {
        let NormalizedOrder {
            order,
            text_redacted: mut text,
            text_norm,
        } = order;
        // The identity the operator typed into the text, read before the
        // unmasked text is dropped: only its hashes are kept.
        let from_text = crate::textkeys::text_identity(&self.normalizer, &text_norm);
        drop(text_norm);
        text.shrink_to_fit();
        // Fields first, then kept columns: all looked up under one lock.
        let values = [
            order.unit.as_deref(),
            order.channel.as_deref(),
            order.category.as_deref(),
            order.subcategory.as_deref(),
        ]
        .into_iter()
        .chain(
            self.keep
                .iter()
                .map(|c| order.extra.get(c).map(String::as_str)),
        )
        .map(|v| v.map(str::trim).unwrap_or(""));
        let mut syms: Vec<Option<Sym>> = Vec::with_capacity(4 + self.keep.len());
        self.symbols
            .intern_all(values, |id| syms.push(NonZeroU32::new(id).map(Sym)));
        // The empty value is no value.
        let empty = self.symbols.empty_id();
        for s in &mut syms {
            if s.is_some_and(|s| Some(s.0.get()) == empty) {
                *s = None;
            }
        }
        let kept = syms[4..].into();
        OrderDigest {
            identity: IdentityKeys::new(
                order.customer_id.as_deref(),
                order.phone.as_deref(),
                order.address.as_deref(),
            )
            .with_text(&from_text),
            substantiated: order.substantiated.as_deref().and_then(parse_substantiated),
            unit: syms[0],
            channel: syms[1],
            category: syms[2],
            subcategory: syms[3],
            received_at: order.received_at,
            id: Arc::from(order.id.0),
            text,
            terms,
            kept,
        }
    }

    /// The corpus of these digests (made by this builder), in this order.
    pub fn finish(self, orders: Vec<OrderDigest>) -> Corpus {
        Corpus {
            orders,
            lexicon: self.lexicon.into_table(),
            symbols: self
                .symbols
                .into_table()
                .into_iter()
                .map(Arc::from)
                .collect(),
            columns: self.keep,
            label_words: None,
        }
    }
}

/// Reads a 是否属实 value: 属实 / 部分属实 / 是 as substantiated, 不属实 /
/// 非属实 / 否 as not; anything else (empty, 待核实) as unknown.
pub fn parse_substantiated(value: &str) -> Option<bool> {
    let v = value.trim();
    match v {
        "不属实" | "非属实" | "否" | "不是" | "未属实" => Some(false),
        "属实" | "部分属实" | "基本属实" | "是" => Some(true),
        _ => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            _ => None,
        },
    }
}

fn shard_of<T: Hash + ?Sized>(value: &T) -> usize {
    (FxBuildHasher.hash_one(value) >> 40) as usize % SHARDS
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One locked text → id table.
type Table = Mutex<FxHashMap<Box<str>, u32>>;

/// Text → id from many threads. Each rayon worker first asks its own cache
/// (a lock only it takes, so never contended); only text it has not seen
/// goes to the shared, sharded table. Frequent terms ("客户", "电压") would
/// otherwise make every thread queue on the same shard.
#[derive(Debug)]
struct Interner {
    shards: [Table; SHARDS],
    next: AtomicU32,
    first: u32,
    /// Slot 0 for threads outside the pool, then one per rayon worker.
    local: Box<[Table]>,
}

impl Interner {
    fn new(first: u32) -> Interner {
        Interner {
            shards: Default::default(),
            next: AtomicU32::new(first),
            first,
            local: (0..=rayon::current_num_threads())
                .map(|_| Mutex::default())
                .collect(),
        }
    }

    /// Interns every value, handing each id to `out` in order.
    fn intern_all<'v>(&self, values: impl Iterator<Item = &'v str>, mut out: impl FnMut(u32)) {
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1) % self.local.len();
        let mut cache = lock(&self.local[slot]);
        for v in values {
            let id = match cache.get(v) {
                Some(&id) => id,
                None => {
                    let id = self.intern_shared(v);
                    cache.insert(v.into(), id);
                    id
                }
            };
            out(id);
        }
    }

    fn intern_shared(&self, v: &str) -> u32 {
        let mut shard = lock(&self.shards[shard_of(v)]);
        if let Some(&id) = shard.get(v) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        shard.insert(v.into(), id);
        id
    }

    /// The id of the empty text, if it was ever interned.
    fn empty_id(&self) -> Option<u32> {
        lock(&self.shards[shard_of("")]).get("").copied()
    }

    /// Text by id (minus `first`).
    fn into_table(self) -> Vec<Box<str>> {
        let n = (self.next.into_inner() - self.first) as usize;
        let mut table: Vec<Box<str>> = vec![Box::from(""); n];
        for shard in self.shards {
            // Each value goes to its own slot: the visiting order cannot matter.
            #[allow(clippy::iter_over_hash_type)]
            for (v, id) in shard.into_inner().unwrap_or_else(PoisonError::into_inner) {
                table[(id - self.first) as usize] = v;
            }
        }
        table
    }
}

/// A corpus for unit tests: one order per `(text, 是否属实)`, all received
/// at one moment, with the terms given (no segmenter), ids `W000`, `W001` ….
#[cfg(test)]
pub(crate) fn test_corpus<S: AsRef<str>>(
    orders: &[(String, Option<&str>)],
    terms: &[Vec<S>],
) -> Corpus {
    use kesu_model::WorkOrder;
    let at = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid moment");
    let n = kesu_normalize::Normalizer::builtin();
    let built: Vec<_> = orders
        .iter()
        .enumerate()
        .map(|(i, (text, substantiated))| {
            let mut o = WorkOrder::new(format!("W{i:03}"), at, text.clone());
            o.substantiated = substantiated.map(str::to_owned);
            n.apply(o)
        })
        .collect();
    Corpus::from_orders(built, terms, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use kesu_model::WorkOrder;
    use kesu_normalize::Normalizer;
    use rayon::prelude::*;

    fn order(i: usize) -> NormalizedOrder {
        let at = NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let mut o = WorkOrder::new(format!("W{i}"), at, "客户反映电压低".to_owned());
        o.unit = Some(format!("单位{}", i % 3));
        o.phone = Some("13812345678".to_owned());
        o.extra.insert("truth".to_owned(), format!("c{}", i % 2));
        Normalizer::builtin().apply(o)
    }

    #[test]
    fn terms_and_values_survive_a_parallel_build() {
        let words = ["电压", "低", "空调", "抢修", "电费"];
        let builder = CorpusBuilder::new(vec!["truth".to_owned(), "absent".to_owned()]);
        let digests: Vec<OrderDigest> = (0..2000)
            .into_par_iter()
            .map(|i| {
                let ids = builder.intern(&[words[i % 5], words[(i + 1) % 5]]);
                builder.digest(order(i), ids)
            })
            .collect();
        let corpus = builder.finish(digests);
        assert_eq!(corpus.lexicon.len(), 5);
        for (i, o) in corpus.orders.iter().enumerate() {
            let got: Vec<&str> = o
                .terms
                .iter()
                .map(|&t| &*corpus.lexicon[t as usize])
                .collect();
            assert_eq!(got, [words[i % 5], words[(i + 1) % 5]]);
            assert_eq!(&*o.id, format!("W{i}"));
            assert_eq!(
                corpus.symbol(o.unit),
                Some(format!("单位{}", i % 3).as_str())
            );
            assert_eq!(
                corpus.symbol(o.kept[0]),
                Some(if i % 2 == 0 { "c0" } else { "c1" })
            );
            assert_eq!(o.kept[1], None, "an absent column is no value");
            assert_eq!(o.channel, None, "an absent field is no value");
        }
        // One copy per distinct value: 3 units, 2 truth values, and "".
        assert_eq!(corpus.orders[0].unit, corpus.orders[3].unit);
        assert_eq!(corpus.symbols.len(), 3 + 2 + 1);
        let truth = corpus.column_values("truth").unwrap();
        assert_eq!(truth[1], Some("c1"));
        assert!(corpus.column_values("nope").is_none());
    }

    #[test]
    fn the_phone_becomes_a_key_not_text() {
        let c = Corpus::from_orders(vec![order(0)], &[vec!["电压"]], &[]);
        let o = &c.orders[0];
        assert_eq!(
            o.identity,
            IdentityKeys::new(None, Some("138 1234 5678"), None)
        );
        assert!(!format!("{o:?}").contains("13812345678"));
    }

    #[test]
    fn identity_in_the_text_meets_the_same_identity_in_columns() {
        let at = NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let n = Normalizer::builtin();
        let mut with_columns = WorkOrder::new("A".to_owned(), at, "客户反映电压低".to_owned());
        with_columns.phone = Some("13812345678".to_owned());
        with_columns.customer_id = Some("1234567890".to_owned());
        with_columns.address = Some("城中区人民路12号阳光花园3栋2单元501室".to_owned());
        let text_only = WorkOrder::new(
            "B".to_owned(),
            at,
            "客户反映电压低。客户手机138-1234-5678。户号：1234567890。地址：阳光花园3幢2单元501，"
                .to_owned(),
        );
        let nobody = WorkOrder::new("C".to_owned(), at, "客户反映阳光花园3栋电压低".to_owned());
        let c = Corpus::from_orders(
            vec![n.apply(with_columns), n.apply(text_only), n.apply(nobody)],
            &[vec!["电压"], vec!["电压"], vec!["电压"]],
            &[],
        );
        let (a, b) = (c.orders[0].identity, c.orders[1].identity);
        assert_eq!(a.sources(), 0b000_111);
        assert_eq!(b.sources(), 0b111_000);
        let g = crate::repeats::detect(
            &c.orders
                .iter()
                .map(|o| crate::repeats::RepeatInput {
                    text: o.text.as_str(),
                    received_at: o.received_at,
                    identity: o.identity,
                })
                .collect::<Vec<_>>(),
            &crate::repeats::RepeatConfig::default(),
            &|_, _| true,
        );
        assert!(g[1].is_repeat && g[1].leader == 0, "{g:?}");
        assert!(c.orders[2].identity.is_empty() && !g[2].is_repeat);
    }
}
