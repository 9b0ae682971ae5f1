//! Snippets: a window of the normalised text around the matches, with every
//! matched span marked.
//!
//! Matching is done by plain substring search over the folded text (the same
//! rule the index answers), so the highlighted spans are exactly the places
//! that made the document match. All cutting is on `char` boundaries; the
//! functions are total (property-tested on random CJK, emoji and combining
//! marks).

use std::ops::Range;

use serde::Serialize;

use crate::tokenize::fold;

/// Most spans considered per document (long texts with a frequent character).
const MAX_SPANS: usize = 256;

/// A piece of text with highlighted byte ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The excerpt, with `…` where it was cut.
    pub text: String,
    /// Highlighted byte ranges of `text`, sorted, non-overlapping, on char boundaries.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The excerpt with every highlight wrapped in `open` … `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * 8);
        let mut at = 0;
        for span in &self.highlights {
            out.push_str(&self.text[at..span.start]);
            out.push_str(open);
            out.push_str(&self.text[span.clone()]);
            out.push_str(close);
            at = span.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

/// Every occurrence of any needle in `text`, as merged byte ranges.
///
/// Needles are compared folded (ASCII lower-case), which keeps byte offsets.
pub fn match_spans(text: &str, needles: &[&str]) -> Vec<Range<usize>> {
    let folded = fold(text);
    let mut spans: Vec<Range<usize>> = Vec::new();
    for needle in needles {
        let needle = fold(needle);
        if needle.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = folded[from..].find(&needle) {
            let start = from + i;
            spans.push(start..start + needle.len());
            if spans.len() >= MAX_SPANS * 4 {
                break;
            }
            // Step one char so overlapping occurrences are found too.
            from = start + folded[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    spans.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged.truncate(MAX_SPANS);
    merged
}

/// A snippet of at most about `max_chars` characters of `text`, placed to
/// show as many matches as possible, with some context before the first.
pub fn snippet(text: &str, needles: &[&str], max_chars: usize) -> Snippet {
    let max_chars = max_chars.max(1);
    let spans = match_spans(text, needles);
    // Char index ↔ byte offset.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let n_chars = bounds.len() - 1;
    let char_at = |byte: usize| bounds.partition_point(|&b| b < byte);

    let char_spans: Vec<(usize, usize)> = spans
        .iter()
        .map(|r| (char_at(r.start), char_at(r.end)))
        .collect();
    let context = (max_chars / 5).min(12);
    // Pick the window start that covers the most spans.
    let mut best_start = 0;
    let mut best_cover = 0;
    for &(s, _) in &char_spans {
        let start = s.saturating_sub(context);
        let end = start + max_chars;
        let cover = char_spans
            .iter()
            .filter(|&&(a, b)| a >= start && b <= end)
            .count();
        if cover > best_cover {
            best_cover = cover;
            best_start = start;
        }
    }
    let start = if n_chars > max_chars {
        best_start.min(n_chars - max_chars)
    } else {
        0
    };
    let end = (start + max_chars).min(n_chars);
    let (byte_start, byte_end) = (bounds[start], bounds[end]);

    let mut out = String::new();
    let prefix = if start > 0 { "…" } else { "" };
    out.push_str(prefix);
    out.push_str(&text[byte_start..byte_end]);
    if end < n_chars {
        out.push('…');
    }
    let shift = prefix.len();
    let highlights = spans
        .iter()
        .filter_map(|r| {
            let s = r.start.max(byte_start);
            let e = r.end.min(byte_end);
            (s < e).then(|| (s - byte_start + shift)..(e - byte_start + shift))
        })
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn highlights_every_match() {
        let s = snippet("客户反映停电未通知，再次停电", &["停电"], 80);
        assert_eq!(s.marked("[", "]"), "客户反映[停电]未通知，再次[停电]");
    }

    #[test]
    fn overlapping_needles_merge() {
        let s = snippet("停电未通知", &["停电未", "电未通"], 80);
        assert_eq!(s.marked("[", "]"), "[停电未通]知");
    }

    #[test]
    fn ascii_is_folded() {
        let s = snippet("网上国网APP无法登录", &["app"], 80);
        assert_eq!(s.marked("[", "]"), "网上国网[APP]无法登录");
    }

    #[test]
    fn long_text_is_cut_around_the_match() {
        let text = format!("{}停电{}", "前".repeat(100), "后".repeat(100));
        let s = snippet(&text, &["停电"], 20);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert_eq!(s.highlights.len(), 1);
        assert_eq!(&s.text[s.highlights[0].clone()], "停电");
        assert!(s.text.chars().count() <= 22);
    }

    #[test]
    fn no_match_gives_the_start() {
        let s = snippet("一二三四五", &["六"], 3);
        assert_eq!(s.text, "一二三…");
        assert!(s.highlights.is_empty());
    }

    proptest! {
        #[test]
        fn snippets_never_panic_and_mark_real_matches(
            text in "[停电通知a-cA-C😀\u{0301}\u{200d}，。 ]{0,80}",
            needle in "[停电a-c😀\u{0301}]{1,3}",
            max in 1usize..40,
        ) {
            let s = snippet(&text, &[needle.as_str()], max);
            for r in &s.highlights {
                prop_assert!(s.text.is_char_boundary(r.start) && s.text.is_char_boundary(r.end));
                prop_assert!(r.start < r.end);
            }
            let _ = s.marked("<", ">");
            // An uncut match is highlighted whole.
            if text.chars().count() <= max && fold(&text).contains(&fold(&needle)) {
                prop_assert!(!s.highlights.is_empty());
            }
        }
    }
}
