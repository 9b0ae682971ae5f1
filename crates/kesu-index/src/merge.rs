//! Which segments the index writer merges: a merge policy with a ceiling on
//! the size of what one merge produces.
//!
//! A merge reads every input segment through memory-mapped files, and every
//! page it touches counts in the process's resident memory until the merge
//! ends. tantivy's default policy merges eight segments of similar size
//! whatever their size, so the last merges of a large first build read most
//! of the index at once: 912 MB of mapped segment files at the peak of a
//! 3M-order `kesu index`, on top of the writer's heap. Capping the documents
//! of a merge's output caps what one merge maps, whatever the size of the
//! index; the price is more segments in a large index (about one per
//! [`MAX_MERGED_DOCS`] / 2 orders).
//!
//! With the default writer (300 MB over 2 threads) a first build flushes
//! segments of about 218k orders, already past half the ceiling, so a first
//! build merges at most the smaller segments of its last flushes: 3M orders
//! make 14–15 segments (tantivy's policy: 7, one of them 1.74M orders).
//! Merges are mostly for the small segments that weekly upserts add.

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::indexer::{MergeCandidate, MergePolicy};

/// Most documents a merge may produce. kesu's index takes about 600 bytes
/// per order on disk (1M synthetic orders: 583 MB), so one merge maps at most
/// about 240 MB of input segments.
pub const MAX_MERGED_DOCS: u32 = 400_000;

/// Merges small segments into segments of at most `max_docs` documents,
/// one merge at a time.
///
/// - A segment with at least half of `max_docs` live documents is finished:
///   it could only merge with a smaller one, rewriting much to gain little.
///   (Once upserts have deleted enough of its documents, it takes part
///   again, and the merge drops the deleted ones.)
/// - Of the others, taken from the smallest, the longest run whose total
///   stays within `max_docs` and whose largest segment is at most twice the
///   rest together is merged. The second rule keeps segments of similar
///   size together, as tantivy's log policy does, so a document is
///   rewritten a few times (about log2(`max_docs` / segment size)), not
///   once per new segment.
/// - At most one merge is proposed at a time: the writer asks again after
///   every new segment and every finished merge, so the rest follow, and
///   merges mapping their inputs at the same time are rare.
#[derive(Debug, Clone)]
pub struct CappedMergePolicy {
    max_docs: u32,
}

impl CappedMergePolicy {
    /// A policy whose merges produce at most `max_docs` documents.
    pub fn new(max_docs: u32) -> CappedMergePolicy {
        CappedMergePolicy { max_docs }
    }
}

impl MergePolicy for CappedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let docs: Vec<u32> = segments.iter().map(SegmentMeta::num_docs).collect();
        match next_merge(&docs, self.max_docs) {
            Some(picked) => {
                let ids: Vec<SegmentId> = picked.iter().map(|&i| segments[i].id()).collect();
                vec![MergeCandidate(ids)]
            }
            None => Vec::new(),
        }
    }
}

/// The segments (indices into `docs`, the live documents of each) to merge
/// next under [`CappedMergePolicy`]'s rules, or `None`.
pub(crate) fn next_merge(docs: &[u32], max_docs: u32) -> Option<Vec<usize>> {
    let mut open: Vec<usize> = (0..docs.len())
        .filter(|&i| u64::from(docs[i]) * 2 < u64::from(max_docs))
        .collect();
    // Smallest first; ties by position so the choice is deterministic.
    open.sort_by_key(|&i| (docs[i], i));
    let mut fits = 0;
    let mut total = 0u64;
    for &i in &open {
        if total + u64::from(docs[i]) > u64::from(max_docs) {
            break;
        }
        total += u64::from(docs[i]);
        fits += 1;
    }
    // The longest run of the smallest segments, within the ceiling, whose
    // largest (last) segment is at most twice the others together.
    let mut rest: u64 = open[..fits].iter().map(|&i| u64::from(docs[i])).sum();
    for len in (2..=fits).rev() {
        let largest = u64::from(docs[open[len - 1]]);
        rest -= largest;
        if largest <= 2 * rest {
            return Some(open[..len].to_vec());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sizes(docs: &[u32], picked: &[usize]) -> Vec<u32> {
        picked.iter().map(|&i| docs[i]).collect()
    }

    #[test]
    fn two_flushed_segments_merge_into_one_under_the_ceiling() {
        // What a 2-thread writer with a 300 MB budget flushes: ~166k orders each.
        let docs = [166_000, 167_000];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), Some(vec![0, 1]));
    }

    #[test]
    fn finished_segments_are_left_alone() {
        // 332k + anything small stays; the two small ones merge together.
        let docs = [332_000, 20_000, 331_000, 20_000];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), Some(vec![1, 3]));
        assert_eq!(
            next_merge(&[332_000, 331_000, 20_000], MAX_MERGED_DOCS),
            None
        );
    }

    #[test]
    fn a_large_segment_does_not_absorb_a_small_one() {
        // Rewriting 150k orders to add 20k would be most of the work for nothing.
        assert_eq!(next_merge(&[150_000, 20_000], MAX_MERGED_DOCS), None);
        // Twice the other is still similar: the two small segments of a
        // first build of 1M orders merge.
        let docs = [217_406, 59_614, 68_783];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), Some(vec![1, 2]));
        assert_eq!(
            next_merge(&[40_000, 20_000], MAX_MERGED_DOCS),
            Some(vec![1, 0])
        );
        assert_eq!(next_merge(&[40_001, 20_000], MAX_MERGED_DOCS), None);
        // Three small ones of the same size do merge, the large one waits.
        let docs = [150_000, 20_000, 20_000, 20_000];
        assert_eq!(
            sizes(&docs, &next_merge(&docs, MAX_MERGED_DOCS).unwrap()),
            [20_000, 20_000, 20_000]
        );
    }

    #[test]
    fn the_ceiling_limits_the_run() {
        // 190k * 3 would exceed 400k: only two of them merge.
        let docs = [190_000, 190_000, 190_000];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), Some(vec![0, 1]));
        assert_eq!(next_merge(&[250_000, 250_000], MAX_MERGED_DOCS), None);
    }

    #[test]
    fn nothing_to_merge_with_fewer_than_two_segments() {
        assert_eq!(next_merge(&[], MAX_MERGED_DOCS), None);
        assert_eq!(next_merge(&[5], MAX_MERGED_DOCS), None);
        assert_eq!(next_merge(&[0, 0], MAX_MERGED_DOCS), Some(vec![0, 1]));
    }

    #[test]
    // The pushes are not repeated items: merges rewrite the list in between.
    #[allow(clippy::same_item_push)]
    fn weekly_segments_grow_like_a_binary_counter() {
        // Simulate 40 weekly commits of 20k orders, merging until nothing is
        // proposed: no segment ever exceeds the ceiling, and few remain.
        let mut segs: Vec<u32> = Vec::new();
        let mut rewritten = 0u64;
        for _ in 0..40 {
            segs.push(20_000);
            while let Some(picked) = next_merge(&segs, MAX_MERGED_DOCS) {
                let merged: u32 = picked.iter().map(|&i| segs[i]).sum();
                rewritten += u64::from(merged);
                let mut keep: Vec<u32> = (0..segs.len())
                    .filter(|i| !picked.contains(i))
                    .map(|i| segs[i])
                    .collect();
                keep.push(merged);
                segs = keep;
            }
        }
        segs.sort_unstable();
        // 800k orders end in five segments, none above the ceiling…
        assert_eq!(segs, [20_000, 60_000, 240_000, 240_000, 240_000]);
        // …and each order was rewritten 2.9 times on average, not once per
        // later week.
        assert_eq!(rewritten, 2_320_000);
    }

    proptest! {
        #[test]
        fn a_merge_stays_under_the_ceiling_and_takes_open_segments(
            docs in proptest::collection::vec(0u32..600_000, 0..40),
            max_docs in 1u32..1_000_000,
        ) {
            if let Some(picked) = next_merge(&docs, max_docs) {
                prop_assert!(picked.len() >= 2);
                let total: u64 = picked.iter().map(|&i| u64::from(docs[i])).sum();
                prop_assert!(total <= u64::from(max_docs));
                let mut unique = picked.clone();
                unique.sort_unstable();
                unique.dedup();
                prop_assert_eq!(unique.len(), picked.len());
                for &i in &picked {
                    prop_assert!(u64::from(docs[i]) * 2 < u64::from(max_docs));
                }
                let largest = picked.iter().map(|&i| docs[i]).max().unwrap();
                // At most twice the others together.
                prop_assert!(u64::from(largest) * 3 <= total * 2);
            }
        }

        #[test]
        fn two_small_equal_segments_always_merge(
            n in 0u32..100_000,
            others in proptest::collection::vec(200_000u32..600_000, 0..10),
        ) {
            // Two equal segments below a quarter of the ceiling always fit.
            let mut docs = others;
            docs.push(n);
            docs.push(n);
            prop_assert!(next_merge(&docs, MAX_MERGED_DOCS).is_some());
        }
    }
}
