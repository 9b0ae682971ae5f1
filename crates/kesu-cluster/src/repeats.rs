//! Repeat complaints (重复投诉): near-duplicate text from the same customer within a window.
//!
//! Blocking first, similarity second: two orders can only be a repeat when
//! they share a customer id, a phone number or an address and were received
//! within `window_days` of each other. Within a block, orders are compared by
//! MinHash signatures of character 3-shingles (Jaccard estimate), and pairs at
//! or above the threshold are joined with union-find. Blocking makes this
//! linear in practice (no LSH buckets over the whole corpus), and the
//! identity condition is what separates a repeat from two neighbours
//! reporting the same outage.

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::kmeans::mix64;

/// Pairs of order indices (lower first).
type Pairs = Vec<(usize, usize)>;

/// Number of MinHash functions.
pub const HASHES: usize = 64;

/// Largest number of later orders one order is compared with inside a block
/// (bounds the cost of huge blocks such as a shared landlord phone).
const MAX_COMPARISONS: usize = 256;

/// Where an identity key came from, in [`IdentityKeys::sources`] bit order.
pub const KEY_SOURCES: [&str; 6] = [
    "customer_id",
    "phone",
    "address",
    "text_phone",
    "text_account",
    "text_address",
];

/// Hashed identity keys of one order (customer id, phone, address from the
/// columns, and the first phone, account number and address its text names),
/// the blocks repeat detection compares within. Hashed once when the order
/// is read, so the personal values themselves need not be kept. A phone in
/// the text and one in a column give the same key (so do an account number
/// and a customer id, and two addresses), so text and columns meet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdentityKeys {
    keys: [Option<std::num::NonZeroU64>; 6],
    /// Bit i set: a key came from [`KEY_SOURCES`]`[i]`.
    sources: u8,
}

impl IdentityKeys {
    /// Keys of 客户编号, 联系电话 and 用电地址; masked or too short values
    /// (fewer than four kept characters) and addresses without a room or
    /// house number identify nobody and give no key.
    pub fn new(customer_id: Option<&str>, phone: Option<&str>, address: Option<&str>) -> Self {
        let mut k = IdentityKeys::default();
        k.add(0, key_of(0, customer_id));
        k.add(1, key_of(1, phone));
        let address = address.and_then(crate::textkeys::address_key);
        k.add(2, key_of(2, address.as_deref()));
        k
    }

    /// Adds the first phone, account number and address the text names.
    pub fn with_text(mut self, text: &crate::textkeys::TextIdentity) -> Self {
        fn first(v: &[String]) -> Option<&str> {
            v.first().map(String::as_str)
        }
        self.add(3, key_of(1, first(&text.phones)));
        self.add(4, key_of(0, first(&text.accounts)));
        self.add(5, key_of(2, first(&text.addresses)));
        self
    }

    fn add(&mut self, source: usize, key: Option<std::num::NonZeroU64>) {
        let Some(key) = key else { return };
        self.sources |= 1 << source;
        if !self.keys.contains(&Some(key)) {
            self.keys[source] = Some(key);
        }
    }

    /// Which of [`KEY_SOURCES`] gave a key (bit i for source i).
    pub fn sources(&self) -> u8 {
        self.sources
    }

    /// Whether no key at all was found: the order cannot be a repeat.
    pub fn is_empty(&self) -> bool {
        self.sources == 0
    }

    /// The distinct hashed keys (no personal value can be read back from
    /// them), for blocking against orders kept from earlier weeks.
    pub fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.keys.iter().flatten().map(|k| k.get())
    }
}

/// What repeat detection needs from a work order.
#[derive(Debug, Clone, Copy)]
pub struct RepeatInput<'a> {
    /// Complaint text (redacted is fine: masks are not shingled).
    pub text: &'a str,
    /// When it was received.
    pub received_at: NaiveDateTime,
    /// Who complained.
    pub identity: IdentityKeys,
}

/// Repeat-detection settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepeatConfig {
    /// Largest gap between two orders of one group, in days.
    pub window_days: i64,
    /// Smallest estimated Jaccard similarity of 3-shingles.
    pub min_jaccard: f64,
}

impl Default for RepeatConfig {
    fn default() -> Self {
        RepeatConfig {
            window_days: 30,
            min_jaccard: 0.3,
        }
    }
}

/// One order's repeat status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatGroup {
    /// Index (in the input) of the group's first order; its own index when alone.
    pub leader: usize,
    /// Whether this is a later member of a group.
    pub is_repeat: bool,
    /// Number of orders in the group.
    pub size: usize,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Odd 64-bit multipliers, one per MinHash function.
fn multipliers() -> &'static [u64; HASHES] {
    static M: std::sync::OnceLock<[u64; HASHES]> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let mut m = [0u64; HASHES];
        for (i, x) in m.iter_mut().enumerate() {
            *x = mix64(0xC0FF_EE00 + i as u64) | 1;
        }
        m
    })
}

/// MinHash signature of the character 3-shingles of the text's letters and
/// Han characters (punctuation, digits and masks carry no complaint content).
pub fn minhash(text: &str) -> [u32; HASHES] {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphabetic() && *c != '*')
        .collect();
    let mut sig = [u32::MAX; HASHES];
    let mut buf = [0u8; 12];
    for w in chars.windows(3) {
        let mut len = 0;
        for c in w {
            len += c.encode_utf8(&mut buf[len..]).len();
        }
        let base = mix64(fnv1a(&buf[..len]));
        // One strong hash per shingle, then cheap multiply-shift variants of it
        // (odd multipliers from a fixed table): 64 permutations for 2 ops each.
        for (s, m) in sig.iter_mut().zip(multipliers()) {
            let h = (base.wrapping_mul(*m) >> 32) as u32;
            if h < *s {
                *s = h;
            }
        }
    }
    sig
}

/// Estimated Jaccard similarity of two signatures.
pub fn jaccard(a: &[u32; HASHES], b: &[u32; HASHES]) -> f64 {
    let empty = a[0] == u32::MAX && b[0] == u32::MAX;
    if empty {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn key_of(kind: u8, value: Option<&str>) -> Option<std::num::NonZeroU64> {
    let v = value?.trim();
    // Phones keep only digits, account numbers letters and digits (card
    // numbers come in groups), addresses drop whitespace; the kept
    // characters are hashed as they stream by (no per-order allocation).
    let keep = |c: &char| match kind {
        0 => c.is_ascii_alphanumeric(),
        1 => c.is_ascii_digit(),
        _ => !c.is_whitespace(),
    };
    // Masked values (138****5678) identify nobody.
    if v.contains('*') {
        return None;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut count = 0usize;
    let mut buf = [0u8; 4];
    for c in v.chars().filter(keep) {
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        count += 1;
    }
    if count < 4 {
        return None;
    }
    // The kind is part of the key: a phone never matches an address.
    std::num::NonZeroU64::new(mix64(h ^ (u64::from(kind) << 56)))
}

/// Groups repeat complaints; the result is parallel to `orders`.
///
/// `related(i, j)` is a second similarity test for two orders of one block
/// (the miner passes "same root cause and similar TF-IDF vectors"), so that a
/// repeat reworded by another operator is still found when its shingles differ.
pub fn detect(
    orders: &[RepeatInput<'_>],
    cfg: &RepeatConfig,
    related: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Vec<RepeatGroup> {
    let n = orders.len();
    // Blocks: identity key → orders, in input order. A sorted list of
    // (key, order) pairs rather than a map of vectors: one allocation for
    // millions of keys, and the sort is parallel.
    let mut keyed: Vec<(std::num::NonZeroU64, u32)> = orders
        .iter()
        .enumerate()
        .flat_map(|(i, o)| {
            o.identity
                .keys
                .into_iter()
                .flatten()
                .map(move |k| (k, i as u32))
        })
        .collect();
    keyed.par_sort_unstable();
    let mut blocks: Vec<Vec<usize>> = keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .map(|run| run.iter().map(|&(_, i)| i as usize).collect())
        .collect();
    drop(keyed);
    blocks.par_sort_unstable();
    blocks.dedup();
    let window = chrono::Duration::days(cfg.window_days);
    // Candidate pairs: same block, within the window.
    let candidates: Vec<(usize, usize)> = blocks
        .par_iter()
        .flat_map_iter(|block| {
            let mut b = block.clone();
            b.sort_by_key(|&i| (orders[i].received_at, i));
            let mut out = Vec::new();
            for (x, &i) in b.iter().enumerate() {
                for &j in b[x + 1..].iter().take(MAX_COMPARISONS) {
                    if orders[j].received_at - orders[i].received_at > window {
                        break;
                    }
                    out.push((i.min(j), i.max(j)));
                }
            }
            out
        })
        .collect();
    drop(blocks);
    // The cheap test first; shingles only for pairs it does not settle.
    let (mut pairs, open): (Pairs, Pairs) = candidates
        .into_par_iter()
        .partition(|&(i, j)| related(i, j));
    // Signatures only for the orders of open pairs, stored densely.
    let mut needed: Vec<usize> = open.iter().flat_map(|&(i, j)| [i, j]).collect();
    needed.sort_unstable();
    needed.dedup();
    let signatures: Vec<[u32; HASHES]> = needed
        .par_iter()
        .with_min_len(64)
        .map(|&i| minhash(orders[i].text))
        .collect();
    let signature = |i: usize| needed.binary_search(&i).ok().map(|at| &signatures[at]);
    pairs.extend(
        open.into_iter()
            .filter(|&(i, j)| match (signature(i), signature(j)) {
                (Some(a), Some(c)) => jaccard(a, c) >= cfg.min_jaccard,
                _ => false,
            }),
    );
    pairs.sort_unstable();
    pairs.dedup();
    let mut parent: Vec<usize> = (0..n).collect();
    for (a, b) in pairs {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    // Leader = earliest received member (ties: input order); both indexed by root.
    let mut leader: Vec<usize> = (0..n).collect();
    let mut size: Vec<usize> = vec![0; n];
    for (i, &r) in roots.iter().enumerate() {
        size[r] += 1;
        let l = &mut leader[r];
        if (orders[i].received_at, i) < (orders[*l].received_at, *l) {
            *l = i;
        }
    }
    roots
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let l = leader[r];
            RepeatGroup {
                leader: l,
                is_repeat: l != i,
                size: size[r],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 3, day)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn order<'a>(text: &'a str, day: u32, phone: &'a str) -> RepeatInput<'a> {
        RepeatInput {
            text,
            received_at: at(day),
            identity: IdentityKeys::new(None, Some(phone), None),
        }
    }

    #[test]
    fn same_customer_similar_text_within_window_is_a_repeat() {
        let orders = vec![
            order(
                "客户来电反映家中电压偏低，空调无法启动，要求尽快处理。",
                2,
                "13812345678",
            ),
            order(
                "客户再次来电反映家中电压偏低，空调无法启动，要求尽快处理。",
                9,
                "138-1234-5678",
            ),
            order(
                "客户来电反映家中电压偏低，空调无法启动，要求尽快处理。",
                3,
                "13900000000",
            ),
            order(
                "客户来电咨询阶梯电价政策，对电费有疑问。",
                10,
                "13812345678",
            ),
        ];
        let g = detect(&orders, &RepeatConfig::default(), &|_, _| false);
        assert_eq!(g[0].leader, 0);
        assert!(!g[0].is_repeat);
        assert!(g[1].is_repeat && g[1].leader == 0 && g[1].size == 2);
        // Same text, other customer: not a repeat.
        assert!(!g[2].is_repeat && g[2].size == 1);
        // Same customer, other matter: not a repeat.
        assert!(!g[3].is_repeat && g[3].size == 1);
        // A reworded repeat is found through the second test.
        let g = detect(&orders, &RepeatConfig::default(), &|i, j| {
            i.min(j) == 0 && i.max(j) == 3
        });
        assert!(g[3].is_repeat && g[3].leader == 0 && g[3].size == 3);
    }

    #[test]
    fn outside_the_window_is_not_a_repeat() {
        let orders = [
            order("客户来电反映家中电压偏低，空调无法启动。", 1, "13812345678"),
            order("客户来电反映家中电压偏低，空调无法启动。", 1, "0000"),
        ];
        let mut late = orders[0];
        late.received_at = at(1) + chrono::Duration::days(45);
        let g = detect(&[orders[0], late], &RepeatConfig::default(), &|_, _| true);
        assert!(g.iter().all(|x| !x.is_repeat));
    }

    #[test]
    fn minhash_estimates_jaccard() {
        let a = minhash("客户来电反映家中电压偏低空调无法启动");
        assert!((jaccard(&a, &a) - 1.0).abs() < 1e-9);
        let b = minhash("营业厅工作人员服务态度恶劣");
        assert!(jaccard(&a, &b) < 0.1);
        assert_eq!(jaccard(&minhash(""), &minhash("")), 0.0);
    }

    proptest::proptest! {
        #[test]
        fn minhash_of_any_text_matches_itself(text in "\\PC{0,80}") {
            let a = minhash(&text);
            let b = minhash(&text);
            proptest::prop_assert_eq!(a, b);
            let j = jaccard(&a, &b);
            proptest::prop_assert!(j == 0.0 || (j - 1.0).abs() < 1e-12);
        }

        #[test]
        fn identity_keys_never_panic_and_ignore_masks(value in "\\PC{0,30}") {
            let masked = format!("{value}138****5678");
            proptest::prop_assert_eq!(key_of(1, Some(&masked)), None);
            let _ = key_of(2, Some(&value));
        }
    }
}
