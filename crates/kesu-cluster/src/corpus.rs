//! The compact corpus mining reads: per work order, only what mining uses.
//!
//! A full [`NormalizedOrder`] holds the raw, normalised and redacted text and
//! every column of the export; at a million orders that is several GB. Mining
//! needs far less: the redacted text (typical cases, repeat shingles), term
//! ids, a few categorical fields (interned, so one copy per distinct value),
//! hashed identity keys for repeat blocking and whichever extra columns the
//! caller keeps (truth labels). [`CorpusBuilder::digest`] makes that
//! [`OrderDigest`] on the thread that parsed the row (see
//! `kesu_ingest::ingest_with`), so full orders never accumulate.
//!
//! Term ids are handed out by a concurrent interner in whatever order threads
//! reach new terms; nothing downstream depends on them, because the feature
//! step re-numbers the kept vocabulary in sorted order.

use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;
use kesu_model::Keyed;
use kesu_normalize::{NormalizedOrder, Redacted};

use crate::fxhash::{FxBuildHasher, FxHashMap};
use crate::repeats::IdentityKeys;

/// Lock shards of the interners: few enough to stay cheap, enough that two
/// to a few dozen threads rarely wait on one another.
const SHARDS: usize = 32;

/// What mining needs from one work order.
#[derive(Debug, Clone)]
pub struct OrderDigest {
    /// 工单编号.
    pub id: Arc<str>,
    /// 受理时间.
    pub received_at: NaiveDateTime,
    /// 供电单位.
    pub unit: Option<Arc<str>>,
    /// 受理渠道.
    pub channel: Option<Arc<str>>,
    /// The operator-typed class (业务类型), as typed.
    pub category: Option<Arc<str>>,
    /// The operator-typed subclass, as typed.
    pub subcategory: Option<Arc<str>>,
    /// Hashed customer id / phone / address, for repeat blocking.
    pub identity: IdentityKeys,
    /// Redacted complaint text: the only text that reaches outputs.
    pub text: Redacted,
    /// Content-word ids into [`Corpus::lexicon`], in text order.
    pub terms: Box<[u32]>,
    /// Values of the kept extra columns ([`Corpus::columns`]), in that order.
    pub kept: Box<[Option<Arc<str>>]>,
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
    /// Names of the extra columns kept in [`OrderDigest::kept`].
    pub columns: Vec<String>,
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

    /// Position of a kept extra column in [`OrderDigest::kept`].
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The value of a kept extra column for every order (`None` when the
    /// column is not kept).
    pub fn column_values(&self, name: &str) -> Option<Vec<Option<&str>>> {
        let k = self.column(name)?;
        Some(self.orders.iter().map(|o| o.kept[k].as_deref()).collect())
    }
}

/// Makes [`OrderDigest`]s from many threads at once and then the [`Corpus`].
#[derive(Debug)]
pub struct CorpusBuilder {
    lexicon: Lexicon,
    symbols: Symbols,
    keep: Vec<String>,
}

impl CorpusBuilder {
    /// A builder that keeps the named extra columns (e.g. truth labels).
    pub fn new(keep: Vec<String>) -> CorpusBuilder {
        CorpusBuilder {
            lexicon: Lexicon::default(),
            symbols: Symbols::default(),
            keep,
        }
    }

    /// Term ids of content words (`Segmenter::terms` of the redacted text),
    /// in order. Safe to call from many threads.
    pub fn intern<S: AsRef<str>>(&self, terms: &[S]) -> Box<[u32]> {
        terms
            .iter()
            .map(|t| self.lexicon.intern(t.as_ref()))
            .collect()
    }

    /// The digest of one order whose content words [`CorpusBuilder::intern`]
    /// turned into `terms`. Safe to call from many threads.
    pub fn digest(&self, order: NormalizedOrder, terms: Box<[u32]>) -> OrderDigest {
        let NormalizedOrder {
            order,
            text_redacted: mut text,
            ..
        } = order;
        text.shrink_to_fit();
        let sym = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| self.symbols.intern(v))
        };
        let kept = self
            .keep
            .iter()
            .map(|c| sym(order.extra.get(c).map(String::as_str)))
            .collect();
        OrderDigest {
            identity: IdentityKeys::new(
                order.customer_id.as_deref(),
                order.phone.as_deref(),
                order.address.as_deref(),
            ),
            unit: sym(order.unit.as_deref()),
            channel: sym(order.channel.as_deref()),
            category: sym(order.category.as_deref()),
            subcategory: sym(order.subcategory.as_deref()),
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
            lexicon: self.lexicon.into_terms(),
            columns: self.keep,
        }
    }
}

fn shard_of<T: Hash + ?Sized>(value: &T) -> usize {
    (FxBuildHasher::default().hash_one(value) >> 40) as usize % SHARDS
}

/// Term text → id, from many threads.
#[derive(Debug, Default)]
struct Lexicon {
    shards: [Mutex<FxHashMap<Box<str>, u32>>; SHARDS],
    next: AtomicU32,
}

impl Lexicon {
    fn intern(&self, term: &str) -> u32 {
        let mut shard = self.shards[shard_of(term)]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(&id) = shard.get(term) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        shard.insert(term.into(), id);
        id
    }

    fn into_terms(self) -> Vec<Box<str>> {
        let n = self.next.into_inner() as usize;
        let mut terms: Vec<Box<str>> = vec![Box::from(""); n];
        for shard in self.shards {
            // Each term goes to its own slot: the visiting order cannot matter.
            #[allow(clippy::iter_over_hash_type)]
            for (t, id) in shard.into_inner().unwrap_or_else(PoisonError::into_inner) {
                terms[id as usize] = t;
            }
        }
        terms
    }
}

/// Shared copies of short categorical values (units, channels, classes).
#[derive(Debug, Default)]
struct Symbols {
    shards: [Mutex<FxHashMap<Arc<str>, ()>>; SHARDS],
}

impl Symbols {
    fn intern(&self, value: &str) -> Arc<str> {
        let mut shard = self.shards[shard_of(value)]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((v, _)) = shard.get_key_value(value) {
            return Arc::clone(v);
        }
        let v: Arc<str> = Arc::from(value);
        shard.insert(Arc::clone(&v), ());
        v
    }
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
            assert_eq!(o.unit.as_deref(), Some(format!("单位{}", i % 3).as_str()));
            assert_eq!(
                o.kept[0].as_deref(),
                Some(if i % 2 == 0 { "c0" } else { "c1" })
            );
            assert_eq!(o.kept[1], None);
        }
        // One shared copy per distinct value.
        assert!(Arc::ptr_eq(
            corpus.orders[0].unit.as_ref().unwrap(),
            corpus.orders[3].unit.as_ref().unwrap()
        ));
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
}
