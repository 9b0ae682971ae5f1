//! Repeat complaints across week boundaries.
//!
//! Mining finds repeats (重复投诉) among one week's orders only, so a
//! customer who complains on Sunday and again on Monday was counted as two
//! first complaints. Each week therefore leaves, for the weeks after it, what
//! repeat detection needs of its orders and nothing more: the time of
//! receipt, the hashed identity keys (no personal value can be read back from
//! them), the MinHash signature of the redacted text (the low 16 bits of each
//! hash: b-bit MinHash, half the bytes for a collision chance of 2⁻¹⁶ per
//! hash, which moves a Jaccard estimate by about 10⁻⁵), the repeat group and
//! the stable cause key. A later week links each of its orders to the
//! earliest such order of the window that shares a key and is the same
//! matter; the order's whole in-week group then joins that earlier group.
//!
//! "Same matter" across weeks cannot use mining's TF-IDF test (each week has
//! its own vocabulary), so it is the MinHash test of [`kesu_cluster::repeats`]
//! at the same threshold, or the same stable cause (not 其他): the registry
//! key is what says two weeks' clusters are one problem, and within a week
//! two orders of one cause pass the TF-IDF test almost always.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime};
use kesu_cluster::repeats::HASHES;
use rayon::prelude::*;

use crate::run::OTHER_KEY;
use crate::tables::AssignmentRow;

/// The kept bits of a MinHash signature.
pub type Signature16 = [u16; HASHES];

/// The low 16 bits of each hash of a full signature.
pub fn low_bits(sig: &[u32; HASHES]) -> Signature16 {
    std::array::from_fn(|i| sig[i] as u16)
}

/// Estimated Jaccard similarity of a full and a kept signature (0 when the
/// full one is of a text without shingles).
pub fn jaccard16(full: &[u32; HASHES], kept: &Signature16) -> f64 {
    if full[0] == u32::MAX {
        return 0.0;
    }
    full.iter()
        .zip(kept)
        .filter(|(a, b)| **a as u16 == **b)
        .count() as f64
        / HASHES as f64
}

/// First bytes of a week's repeat file; the digit is the layout version.
const MAGIC: &[u8; 8] = b"KESUREP1";

/// Largest number of earlier orders one order is compared with per key
/// (the latest first), as within a week: a shared landlord phone must not
/// make the comparison quadratic.
const MAX_COMPARISONS: usize = 256;

/// One order as the weeks after it remember it.
#[derive(Debug, Clone, PartialEq)]
pub struct Remembered {
    /// When it was received.
    pub received_at: NaiveDateTime,
    /// Its hashed identity keys (never empty: keyless orders are not kept).
    pub keys: Vec<u64>,
    /// MinHash of its redacted text, low bits ([`low_bits`]).
    pub signature: Signature16,
    /// Its repeat group (the work order id of the group's first order).
    pub group: String,
    /// Its stable cause key.
    pub cause_key: String,
}

/// What repeat linking needs of one of this week's orders besides its
/// assignment row.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// Hashed identity keys; empty when the order names nobody.
    pub keys: Vec<u64>,
    /// MinHash of the redacted text (None when there are no keys).
    pub signature: Option<Box<[u32; HASHES]>>,
}

/// Links this week's orders to earlier weeks' repeat groups, rewriting
/// `rows` in place; returns how many orders became repeats only through an
/// earlier week. `rows` and `identities` are parallel; `earlier` holds the
/// records themselves or references to them (a run keeps the weeks it has
/// just done in memory rather than reading their files back).
pub fn link<E: Borrow<Remembered> + Sync>(
    rows: &mut [AssignmentRow],
    identities: &[Identity],
    earlier: &[E],
    window_days: i64,
    min_jaccard: f64,
) -> usize {
    if earlier.is_empty() {
        return 0;
    }
    let earlier: Vec<&Remembered> = earlier.iter().map(Borrow::borrow).collect();
    let window = chrono::Duration::days(window_days);
    // Earlier orders by key: one sorted list of (key, time, record) rather
    // than a map of vectors, so a key's orders are one contiguous run, in
    // order of receipt, found by binary search (a few hundred thousand
    // records a week: the map's allocations were most of this stage).
    let mut by_key: Vec<(u64, NaiveDateTime, u32)> = earlier
        .iter()
        .enumerate()
        .flat_map(|(r, m)| m.keys.iter().map(move |&k| (k, m.received_at, r as u32)))
        .collect();
    by_key.par_sort_unstable();
    let orders_of = |k: u64| -> &[(u64, NaiveDateTime, u32)] {
        let start = by_key.partition_point(|e| e.0 < k);
        let len = by_key[start..].partition_point(|e| e.0 == k);
        &by_key[start..start + len]
    };
    // The earliest earlier order each order is a repeat of.
    let found: Vec<Option<usize>> = rows
        .par_iter()
        .zip(identities)
        .map(|(row, id)| {
            let sig = id.signature.as_deref()?;
            let mut best: Option<usize> = None;
            for &k in &id.keys {
                for &(_, _, r) in orders_of(k).iter().rev().take(MAX_COMPARISONS) {
                    let r = r as usize;
                    let m = &earlier[r];
                    let gap = row.received_at - m.received_at;
                    if gap < chrono::Duration::zero() || gap > window {
                        continue;
                    }
                    let same_cause = row.cause_key == m.cause_key && m.cause_key != OTHER_KEY;
                    if !same_cause && jaccard16(sig, &m.signature) < min_jaccard {
                        continue;
                    }
                    if best.is_none_or(|b| (m.received_at, r) < (earlier[b].received_at, b)) {
                        best = Some(r);
                    }
                }
            }
            best
        })
        .collect();
    // A link of any member carries the member's whole in-week group along,
    // to the earliest earlier group any member links to.
    let mut group_link: BTreeMap<String, usize> = BTreeMap::new();
    for (row, f) in rows.iter().zip(&found) {
        if let Some(r) = *f {
            group_link
                .entry(row.repeat_group.clone())
                .and_modify(|b| {
                    if (earlier[r].received_at, r) < (earlier[*b].received_at, *b) {
                        *b = r;
                    }
                })
                .or_insert(r);
        }
    }
    let mut newly = 0;
    for row in rows.iter_mut() {
        if let Some(&r) = group_link.get(&row.repeat_group) {
            if !row.is_repeat {
                newly += 1;
            }
            row.is_repeat = true;
            row.repeat_group = earlier[r].group.clone();
        }
    }
    newly
}

/// What this week leaves for the weeks after it: its orders with keys, with
/// their final repeat groups.
pub fn remember(rows: &[AssignmentRow], identities: &[Identity]) -> Vec<Remembered> {
    rows.iter()
        .zip(identities)
        .filter_map(|(row, id)| {
            Some(Remembered {
                received_at: row.received_at,
                keys: id.keys.clone(),
                signature: low_bits(id.signature.as_ref()?),
                group: row.repeat_group.clone(),
                cause_key: row.cause_key.clone(),
            })
        })
        .filter(|m| !m.keys.is_empty())
        .collect()
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Ids and cause keys are short; longer ones are cut at a char boundary
    // rather than failing the week.
    let mut end = s.len().min(u16::MAX as usize);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_le_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

/// The bytes of a week's repeat file (little-endian, fixed layout: it is
/// read back only by kesu, and Parquet would add a schema for four fields).
pub fn encode(records: &[Remembered]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + records.len() * (HASHES * 2 + 64));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for m in records {
        let at = m.received_at.and_utc();
        out.extend_from_slice(&at.timestamp().to_le_bytes());
        out.extend_from_slice(&at.timestamp_subsec_nanos().to_le_bytes());
        out.push(m.keys.len().min(u8::MAX as usize) as u8);
        for k in m.keys.iter().take(u8::MAX as usize) {
            out.extend_from_slice(&k.to_le_bytes());
        }
        for h in &m.signature {
            out.extend_from_slice(&h.to_le_bytes());
        }
        put_str(&mut out, &m.group);
        put_str(&mut out, &m.cause_key);
    }
    out
}

/// Reads [`encode`]'s bytes back; the message says what is wrong.
pub fn decode(bytes: &[u8]) -> std::result::Result<Vec<Remembered>, String> {
    struct Reader<'a>(&'a [u8]);
    impl Reader<'_> {
        fn take(&mut self, n: usize) -> std::result::Result<&[u8], String> {
            if self.0.len() < n {
                return Err("truncated repeat file".to_owned());
            }
            let (head, tail) = self.0.split_at(n);
            self.0 = tail;
            Ok(head)
        }
        fn u64(&mut self) -> std::result::Result<u64, String> {
            Ok(u64::from_le_bytes(
                self.take(8)?.try_into().expect("8 bytes"),
            ))
        }
        fn u32(&mut self) -> std::result::Result<u32, String> {
            Ok(u32::from_le_bytes(
                self.take(4)?.try_into().expect("4 bytes"),
            ))
        }
        fn string(&mut self) -> std::result::Result<String, String> {
            let n = u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")) as usize;
            String::from_utf8(self.take(n)?.to_vec()).map_err(|e| e.to_string())
        }
    }
    let mut r = Reader(bytes);
    if r.take(MAGIC.len())? != MAGIC {
        return Err("not a kesu repeat file of this version".to_owned());
    }
    let n = r.u64()?;
    // Every record takes at least its signature: a count the bytes cannot
    // hold is corruption, not a reason to allocate.
    if n > (bytes.len() / (HASHES * 2)) as u64 {
        return Err(format!("repeat file claims {n} records"));
    }
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let secs = r.u64()? as i64;
        let nanos = r.u32()?;
        let received_at = DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| format!("time {secs} out of range"))?
            .naive_utc();
        let nkeys = r.take(1)?[0] as usize;
        let keys = (0..nkeys).map(|_| r.u64()).collect::<Result<_, _>>()?;
        let mut signature = [0u16; HASHES];
        for h in &mut signature {
            *h = u16::from_le_bytes(r.take(2)?.try_into().expect("2 bytes"));
        }
        let group = r.string()?;
        let cause_key = r.string()?;
        out.push(Remembered {
            received_at,
            keys,
            signature,
            group,
            cause_key,
        });
    }
    if !r.0.is_empty() {
        return Err(format!("{} bytes after the last record", r.0.len()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kesu_cluster::repeats::minhash;

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2024, 3, day)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap()
    }

    fn row(id: &str, day: u32, cause: &str, group: &str, is_repeat: bool) -> AssignmentRow {
        AssignmentRow {
            work_order_id: id.to_owned(),
            received_at: at(day),
            unit: None,
            channel: None,
            cause_key: cause.to_owned(),
            cause_label: String::new(),
            gap: String::new(),
            gap_id: None,
            predicted_class: "投诉".to_owned(),
            typed_class: None,
            class_disagrees: false,
            is_repeat,
            repeat_group: group.to_owned(),
        }
    }

    fn ident(keys: &[u64], text: &str) -> Identity {
        Identity {
            keys: keys.to_vec(),
            signature: (!keys.is_empty()).then(|| Box::new(minhash(text))),
        }
    }

    const LOW_VOLTAGE: &str = "客户来电反映家中电压偏低，空调无法启动，要求尽快处理。";
    const TARIFF: &str = "客户来电咨询阶梯电价政策，对电费有疑问。";

    fn sunday() -> Remembered {
        Remembered {
            received_at: at(3),
            keys: vec![7],
            signature: low_bits(&minhash(LOW_VOLTAGE)),
            group: "W0".to_owned(),
            cause_key: "C0001".to_owned(),
        }
    }

    #[test]
    fn a_monday_repeat_of_a_sunday_complaint_joins_its_group() {
        let earlier = [sunday()];
        // W1 and W2 are one in-week group (W2 repeats W1); W3 is another
        // customer; W4 the same customer about another matter.
        let mut rows = vec![
            row("W1", 4, "C0002", "W1", false),
            row("W2", 5, "C0002", "W1", true),
            row("W3", 4, "C0002", "W3", false),
            row("W4", 6, "C0003", "W4", false),
        ];
        let ids = [
            ident(&[7], &format!("再次来电，{LOW_VOLTAGE}")),
            ident(&[8], "还是没人处理"),
            ident(&[9], LOW_VOLTAGE),
            ident(&[7], TARIFF),
        ];
        let newly = link(&mut rows, &ids, &earlier, 30, 0.3);
        assert_eq!(newly, 1);
        assert!(rows[0].is_repeat && rows[0].repeat_group == "W0");
        assert!(rows[1].is_repeat && rows[1].repeat_group == "W0");
        assert!(!rows[2].is_repeat && rows[2].repeat_group == "W3");
        assert!(!rows[3].is_repeat && rows[3].repeat_group == "W4");
        // The same stable cause makes a reworded complaint the same matter,
        // but 其他 does not.
        let mut rows = vec![row("W4", 6, "C0001", "W4", false)];
        assert_eq!(link(&mut rows, &ids[3..], &earlier, 30, 0.3), 1);
        let mut earlier_other = sunday();
        earlier_other.cause_key = OTHER_KEY.to_owned();
        let mut rows = vec![row("W4", 6, OTHER_KEY, "W4", false)];
        assert_eq!(link(&mut rows, &ids[3..], &[earlier_other], 30, 0.3), 0);
    }

    #[test]
    fn outside_the_window_or_without_keys_is_no_link() {
        let earlier = [sunday()];
        let mut rows = vec![row("W1", 4, "C0001", "W1", false)];
        assert_eq!(
            link(&mut rows, &[ident(&[7], LOW_VOLTAGE)], &earlier, 0, 0.3),
            0
        );
        assert_eq!(
            link(&mut rows, &[ident(&[], LOW_VOLTAGE)], &earlier, 30, 0.3),
            0
        );
        assert!(!rows[0].is_repeat && rows[0].repeat_group == "W1");
        // An "earlier" order received later (a week run again) is no leader.
        let mut late = sunday();
        late.received_at = at(20);
        assert_eq!(
            link(&mut rows, &[ident(&[7], LOW_VOLTAGE)], &[late], 30, 0.3),
            0
        );
    }

    #[test]
    fn the_earliest_linked_group_wins() {
        let mut first = sunday();
        first.received_at = at(1);
        first.group = "W00".to_owned();
        let earlier = [sunday(), first];
        let mut rows = vec![row("W1", 4, "C0001", "W1", false)];
        link(&mut rows, &[ident(&[7], LOW_VOLTAGE)], &earlier, 30, 0.3);
        assert_eq!(rows[0].repeat_group, "W00");
    }

    #[test]
    fn remember_keeps_keyed_orders_with_their_final_groups() {
        let rows = vec![
            row("W1", 4, "C0001", "W0", true),
            row("W2", 5, "C0002", "W2", false),
        ];
        let kept = remember(&rows, &[ident(&[7, 8], LOW_VOLTAGE), ident(&[], TARIFF)]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].group, "W0");
        assert_eq!(kept[0].keys, vec![7, 8]);
        assert_eq!(kept[0].signature, low_bits(&minhash(LOW_VOLTAGE)));
    }

    #[test]
    fn kept_bits_estimate_as_the_full_signature() {
        use kesu_cluster::repeats::jaccard;
        let a = minhash(LOW_VOLTAGE);
        let b = minhash(&format!("再次来电，{LOW_VOLTAGE}"));
        let c = minhash(TARIFF);
        assert_eq!(jaccard16(&a, &low_bits(&a)), 1.0);
        assert_eq!(jaccard16(&a, &low_bits(&b)), jaccard(&a, &b));
        assert_eq!(jaccard16(&a, &low_bits(&c)), jaccard(&a, &c));
        assert!(jaccard(&a, &b) > 0.5 && jaccard(&a, &c) < 0.3);
        assert_eq!(jaccard16(&minhash(""), &low_bits(&minhash(""))), 0.0);
    }

    #[test]
    fn the_file_layout_is_pinned() {
        let bytes = encode(&[sunday()]);
        // magic 8, count 8, seconds 8, nanos 4, key count 1, one key 8,
        // signature 128, "W0" 2+2, "C0001" 2+5.
        assert_eq!(bytes.len(), 8 + 8 + 8 + 4 + 1 + 8 + HASHES * 2 + 4 + 7);
        assert_eq!(&bytes[..8], b"KESUREP1");
        assert_eq!(bytes[8], 1);
        assert_eq!(decode(&bytes).unwrap(), vec![sunday()]);
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode(b"KESUREP1\xff\xff\xff\xff\xff\xff\xff\x7f").is_err());
        assert!(decode(b"PAR1").is_err());
    }

    proptest::proptest! {
        #[test]
        fn linking_only_adds_repeats_and_counts_them(
            this in proptest::collection::vec((1u32..28, 0u64..4, 0usize..3, 0usize..4, 0usize..3), 0..12),
            before in proptest::collection::vec((1u32..28, 0u64..4, 0usize..3, 0usize..3), 0..12),
        ) {
            let texts = [LOW_VOLTAGE, TARIFF, "营业厅工作人员服务态度恶劣"];
            let causes = ["C0001", "C0002", OTHER_KEY];
            let earlier: Vec<Remembered> = before
                .iter()
                .enumerate()
                .map(|(i, &(day, key, text, cause))| Remembered {
                    received_at: at(day),
                    keys: vec![key + 1],
                    signature: low_bits(&minhash(texts[text])),
                    group: format!("E{i}"),
                    cause_key: causes[cause].to_owned(),
                })
                .collect();
            let mut rows: Vec<AssignmentRow> = this
                .iter()
                .enumerate()
                .map(|(i, &(day, _, _, group, cause))| {
                    // Group g's leader is the row g (when it exists).
                    let leader = group.min(i);
                    row(&format!("W{i}"), day, causes[cause], &format!("W{leader}"), leader != i)
                })
                .collect();
            let ids: Vec<Identity> = this
                .iter()
                .map(|&(_, key, text, _, _)| {
                    if key == 0 { ident(&[], texts[text]) } else { ident(&[key], texts[text]) }
                })
                .collect();
            let before_rows = rows.clone();
            let newly = link(&mut rows, &ids, &earlier, 30, 0.3);
            let flips = before_rows.iter().zip(&rows).filter(|(a, b)| !a.is_repeat && b.is_repeat).count();
            proptest::prop_assert_eq!(newly, flips);
            for (a, b) in before_rows.iter().zip(&rows) {
                proptest::prop_assert!(!a.is_repeat || b.is_repeat);
                if a.repeat_group != b.repeat_group {
                    proptest::prop_assert!(b.is_repeat && b.repeat_group.starts_with('E'));
                }
            }
            // Without keys nothing links.
            let mut unchanged = before_rows.clone();
            let none: Vec<Identity> = ids.iter().map(|_| Identity::default()).collect();
            proptest::prop_assert_eq!(link(&mut unchanged, &none, &earlier, 30, 0.3), 0);
            proptest::prop_assert_eq!(unchanged, before_rows);
        }

        #[test]
        fn any_records_survive_the_file(
            secs in 0i64..4_000_000_000,
            keys in proptest::collection::vec(1u64.., 1..6),
            text in "\\PC{0,40}",
            group in "\\PC{0,20}",
            cause in "C[0-9]{4}",
        ) {
            let m = Remembered {
                received_at: DateTime::from_timestamp(secs, 0).unwrap().naive_utc(),
                keys,
                signature: low_bits(&minhash(&text)),
                group,
                cause_key: cause,
            };
            let back = decode(&encode(&[m.clone(), m.clone()])).unwrap();
            proptest::prop_assert_eq!(back, vec![m.clone(), m]);
        }
    }
}
