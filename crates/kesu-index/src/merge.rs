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
//! build merges at most the smaller segments of its last flushes (3M orders
//! made 14–15 segments when two small ones could merge; tantivy's policy: 7,
//! one of them 1.74M orders). Merges are mostly for the small segments that
//! weekly upserts add.

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::indexer::{MergeCandidate, MergePolicy};

/// Most documents a merge may produce. kesu's index takes about 600 bytes
/// per order on disk (1M synthetic orders: 583 MB), so one merge maps at most
/// about 240 MB of input segments.
pub const MAX_MERGED_DOCS: u32 = 400_000;

/// Fewest segments a merge takes when what it makes is not yet finished:
/// tantivy's log merge policy's default fan-in.
pub const MIN_MERGED_SEGMENTS: usize = 8;

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
///   rewritten a few times, not once per new segment.
/// - A merge takes at least [`MIN_MERGED_SEGMENTS`] segments, unless what it
///   makes is finished (half of `max_docs` or more). Merging two at a time
///   rewrote a weekly 40k-order segment twice before it was finished, and a
///   20k one three times; eight at a time, once and one and a half times
///   (52 simulated weeks, `weekly_segments_are_rewritten_about_once`), for
///   a few more small segments to search (at most 7 unfinished ones).
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
        let merged = rest;
        let largest = u64::from(docs[open[len - 1]]);
        rest -= largest;
        let finished = merged * 2 >= u64::from(max_docs);
        if largest <= 2 * rest && (len >= MIN_MERGED_SEGMENTS || finished) {
            return Some(open[..len].to_vec());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_flushed_segments_merge_into_one_under_the_ceiling() {
        // What a 2-thread writer with a 300 MB budget flushes: ~166k orders each.
        let docs = [166_000, 167_000];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), Some(vec![0, 1]));
    }

    #[test]
    fn finished_segments_are_left_alone() {
        let docs = [332_000, 331_000, 20_000];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), None);
        // Eight small ones merge among themselves; the finished ones wait.
        let mut docs = vec![332_000, 331_000];
        docs.extend([20_000; 8]);
        assert_eq!(
            next_merge(&docs, MAX_MERGED_DOCS),
            Some((2..10).collect::<Vec<_>>())
        );
    }

    #[test]
    fn small_segments_wait_until_eight_or_a_finished_one() {
        // Fewer than eight, and short of half the ceiling: they wait.
        assert_eq!(next_merge(&[40_000, 20_000], MAX_MERGED_DOCS), None);
        assert_eq!(next_merge(&[20_000; 7], MAX_MERGED_DOCS), None);
        assert_eq!(
            next_merge(&[217_406, 59_614, 68_783], MAX_MERGED_DOCS),
            None
        );
        // Eight of them merge.
        assert_eq!(
            next_merge(&[20_000; 8], MAX_MERGED_DOCS),
            Some((0..8).collect::<Vec<_>>())
        );
        // Five weekly 40k segments make a finished 200k one: no need to wait.
        assert_eq!(
            next_merge(&[40_000; 5], MAX_MERGED_DOCS),
            Some((0..5).collect::<Vec<_>>())
        );
        assert_eq!(next_merge(&[40_000; 4], MAX_MERGED_DOCS), None);
    }

    #[test]
    fn a_large_segment_does_not_absorb_a_small_one() {
        // Rewriting 150k orders to add 20k would be most of the work for nothing.
        assert_eq!(next_merge(&[150_000, 20_000], MAX_MERGED_DOCS), None);
        // Twice the others is still similar: 150k joins 80k + 40k (a
        // finished 270k); 150k with 60k would not.
        let docs = [150_000, 40_000, 40_000, 40_000];
        assert_eq!(next_merge(&docs, MAX_MERGED_DOCS), Some(vec![1, 2, 3, 0]));
        assert_eq!(
            next_merge(&[150_000, 30_000, 30_000], MAX_MERGED_DOCS),
            None
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
        assert_eq!(next_merge(&[300_000], MAX_MERGED_DOCS), None);
    }

    /// Commits `weeks` segments of `size` documents one after the other,
    /// merging until nothing is proposed after each; returns the segments
    /// left and the documents the merges wrote.
    fn simulate(weeks: usize, size: u32) -> (Vec<u32>, u64) {
        let mut segs: Vec<u32> = Vec::new();
        let mut rewritten = 0u64;
        for _ in 0..weeks {
            segs.push(size);
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
            assert!(segs.iter().all(|&d| d <= MAX_MERGED_DOCS));
        }
        segs.sort_unstable();
        (segs, rewritten)
    }

    #[test]
    fn weekly_segments_are_rewritten_about_once() {
        // A year of 40k-order weeks: five weeks make a finished segment, so
        // each order is rewritten once (merging two at a time: twice)…
        let (segs, rewritten) = simulate(52, 40_000);
        assert_eq!(rewritten, 2_000_000);
        assert_eq!(segs.len(), 12);
        assert_eq!(segs[..2], [40_000, 40_000]);
        // …and 20k-order weeks one and a half times (two at a time: 2.9).
        let (segs, rewritten) = simulate(40, 20_000);
        assert_eq!(
            segs,
            [20_000, 20_000, 20_000, 20_000, 240_000, 240_000, 240_000]
        );
        assert_eq!(rewritten, 1_200_000);
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
                // Eight of them, or a finished segment.
                prop_assert!(picked.len() >= MIN_MERGED_SEGMENTS || total * 2 >= u64::from(max_docs));
            }
        }

        #[test]
        fn eight_small_equal_segments_always_merge(
            n in 0u32..50_000,
            others in proptest::collection::vec(200_000u32..600_000, 0..10),
        ) {
            // Eight equal segments below an eighth of the ceiling always fit.
            let mut docs = others;
            docs.extend([n; MIN_MERGED_SEGMENTS]);
            prop_assert!(next_merge(&docs, MAX_MERGED_DOCS).is_some());
        }
    }
}
