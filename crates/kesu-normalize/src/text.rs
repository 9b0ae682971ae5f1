//! Character-level normalisation: full-width folding, 繁→简, whitespace collapsing.

use std::sync::LazyLock;

use zhconv::{Variant, ZhConverter};

/// The zh-Hans converter shared by every normaliser (built once, lazily).
fn hans_converter() -> &'static ZhConverter {
    zhconv::get_builtin_converter(Variant::ZhHans)
}

/// For every zh-Hans conversion rule whose target differs from its source,
/// the first character of the source that the rule changes. A rule can only
/// change a text that holds its whole source, so a text holding none of
/// these characters is already simplified, and the automaton (and the copy
/// it makes) can be skipped; most complaint texts of mainland exports take
/// this path. (Keying on a rule's *first* character instead would send
/// nearly every text through the automaton: phrase rules start with
/// characters as common as 上, 一 and even ，.)
struct ConvertibleStarts {
    bits: Vec<u64>,
}

impl ConvertibleStarts {
    fn build() -> Self {
        let mut bits = vec![0u64; (char::MAX as usize >> 6) + 1];
        for table in zhconv::get_builtin_tables(Variant::ZhHans) {
            for (from, to) in zhconv::tables::expand_table(*table) {
                if from == to {
                    continue;
                }
                // The first character that differs; when the source is a
                // prefix of the target, its first character.
                let key = from
                    .chars()
                    .zip(to.chars())
                    .find(|(a, b)| a != b)
                    .map(|(a, _)| a)
                    .or_else(|| from.chars().nth(to.chars().count()))
                    .or_else(|| from.chars().next());
                if let Some(key) = key {
                    let c = key as usize;
                    bits[c >> 6] |= 1 << (c & 63);
                }
            }
        }
        ConvertibleStarts { bits }
    }

    fn contains(&self, c: char) -> bool {
        let c = c as usize;
        self.bits
            .get(c >> 6)
            .is_some_and(|word| word & (1 << (c & 63)) != 0)
    }

    fn any_in(&self, text: &str) -> bool {
        !text.is_ascii() && text.chars().any(|c| !c.is_ascii() && self.contains(c))
    }
}

static CONVERTIBLE_STARTS: LazyLock<ConvertibleStarts> = LazyLock::new(ConvertibleStarts::build);

/// Forces the lazily built conversion tables, so that the first text does not pay for them.
pub(crate) fn warm_up() {
    LazyLock::force(&CONVERTIBLE_STARTS);
    let _ = hans_converter();
}

/// How often conversion is repeated: a few zh-Hans rules map onto characters
/// that other rules convert again (薴), and normalisation must be idempotent.
const MAX_SIMPLIFY_PASSES: usize = 4;

/// Traditional → simplified Chinese; `None` when the text has nothing to convert.
pub(crate) fn simplify(text: &str) -> Option<String> {
    let mut converted: Option<String> = None;
    for _ in 0..MAX_SIMPLIFY_PASSES {
        let current = converted.as_deref().unwrap_or(text);
        if !CONVERTIBLE_STARTS.any_in(current) {
            break;
        }
        let next = hans_converter().convert(current);
        if next == current {
            break;
        }
        converted = Some(next);
    }
    converted
}

/// Full-width forms that are ordinary Chinese punctuation: they sit in the
/// full-width ASCII block but are what a Chinese text normally uses, so they stay.
const CHINESE_PUNCTUATION: [char; 7] = ['，', '！', '？', '：', '；', '（', '）'];

/// Full-width ASCII (U+FF01–FF5E) and the ideographic space to their half-width
/// forms, except the Chinese punctuation above.
pub(crate) fn fold_fullwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' if !CHINESE_PUNCTUATION.contains(&c) => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Format characters that carry no text but split words and numbers.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Folds full-width characters and/or collapses whitespace in one pass.
pub(crate) fn fold_and_collapse(text: &str, fullwidth: bool, collapse: bool) -> String {
    let mut out = String::with_capacity(text.len());
    // Whether a space is owed before the next visible character; leading
    // whitespace is dropped because nothing was written yet.
    let mut pending_space = false;
    for c in text.chars() {
        let c = if fullwidth { fold_fullwidth(c) } else { c };
        if collapse {
            if c.is_whitespace() {
                pending_space = !out.is_empty();
                continue;
            }
            if is_invisible(c) {
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_block_folds_to_ascii() {
        assert_eq!(fold_fullwidth('Ａ'), 'A');
        assert_eq!(fold_fullwidth('１'), '1');
        assert_eq!(fold_fullwidth('％'), '%');
        assert_eq!(fold_fullwidth('－'), '-');
        assert_eq!(fold_fullwidth('～'), '~');
        assert_eq!(fold_fullwidth('\u{3000}'), ' ');
        // Chinese punctuation is outside the block and stays.
        assert_eq!(fold_fullwidth('，'), '，');
        assert_eq!(fold_fullwidth('。'), '。');
        assert_eq!(fold_fullwidth('、'), '、');
        for c in CHINESE_PUNCTUATION {
            assert_eq!(fold_fullwidth(c), c);
        }
    }

    /// The prefilter may only skip texts the converter leaves alone: every
    /// rule source the converter changes, alone or inside ordinary text,
    /// must hold a key character.
    #[test]
    fn every_text_a_rule_changes_passes_the_prefilter() {
        let mut checked = 0;
        for table in zhconv::get_builtin_tables(Variant::ZhHans) {
            for (from, _) in zhconv::tables::expand_table(*table) {
                for text in [from.to_owned(), format!("客户反映{from}，上月一直")] {
                    if hans_converter().convert(&text) != text {
                        assert!(CONVERTIBLE_STARTS.any_in(&text), "{text}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn common_simplified_text_skips_the_converter() {
        // Phrase rules start with 上, 一, 反 …; none of these texts holds a
        // character any rule changes.
        for text in ["上月一直反映电压高，情况严重。", "客户来电反映停电"] {
            assert!(!CONVERTIBLE_STARTS.any_in(text), "{text}");
        }
    }

    #[test]
    fn simplify_skips_simplified_text() {
        assert_eq!(simplify("客户来电反映停电"), None);
        assert_eq!(simplify("plain ascii"), None);
        assert_eq!(
            simplify("客戶來電反映停電").as_deref(),
            Some("客户来电反映停电")
        );
    }

    #[test]
    fn collapse_trims_and_joins_runs() {
        for (text, want) in [
            ("a b", "a b"),
            ("a  b", "a b"),
            (" a", "a"),
            ("a \r\n", "a"),
            ("a\tb", "a b"),
            ("停电\u{3000}\u{3000}报修", "停电 报修"),
            ("停电\u{200B}报修", "停电报修"),
            ("停电\u{a0}\n 报修", "停电 报修"),
            ("\u{3000}\t", ""),
            ("", ""),
        ] {
            assert_eq!(fold_and_collapse(text, true, true), want, "{text:?}");
        }
        assert_eq!(fold_and_collapse(" a  ｂ ", false, true), "a ｂ");
        assert_eq!(fold_and_collapse(" a  ｂ ", true, false), " a  b ");
    }
}
