//! Character-level normalisation: full-width folding, 繁→简, whitespace collapsing.
//!
//! 繁→简 uses zhconv with OpenCC's phrase and character tables only
//! (Apache-2.0; zhconv's default MediaWiki tables are GPL-2.0-or-later).
//! Phrases come before characters, so one-to-many characters convert by
//! context: 乾隆 stays, 乾淨 becomes 干净.
//!
//! zhconv leaves a character unconverted when OpenCC lists the character
//! itself among its simplified forms (乾 → 干 or 乾), so that only phrases
//! convert it. In complaint texts such a character is nearly always the
//! common word (乾淨, 乾燥), so kesu adds [`SUPPLEMENT`] as a secondary rule
//! set; OpenCC's longer phrase rules (乾隆, 乾坤) still win.

use std::sync::LazyLock;

use zhconv::{Variant, ZhConverter};

/// The zh-Hans converter shared by every normaliser (built once, lazily).
fn hans_converter() -> &'static ZhConverter {
    zhconv::get_builtin_converter(Variant::ZhHans)
}

/// Character rules OpenCC leaves to phrases (see the module docs), kesu's own.
pub(crate) const SUPPLEMENT: [(&str, &str); 1] = [("乾", "干")];

static SUPPLEMENT_CONVERTER: LazyLock<ZhConverter> = LazyLock::new(|| {
    zhconv::ZhConverterBuilder::new()
        .target(Variant::ZhHans)
        .conv_pairs(SUPPLEMENT)
        .build()
});

/// Every zh-Hans rule: OpenCC's (through zhconv) and [`SUPPLEMENT`].
fn rules() -> impl Iterator<Item = (String, String)> {
    zhconv::get_builtin_tables(Variant::ZhHans)
        .iter()
        .flat_map(|table| zhconv::tables::expand_table(*table))
        .chain(
            SUPPLEMENT
                .iter()
                .map(|(f, t)| ((*f).to_owned(), (*t).to_owned())),
        )
}

/// One conversion pass: OpenCC's rules with the supplement beside them.
fn convert(text: &str) -> String {
    hans_converter().convert_with_secondary_converter(text, &SUPPLEMENT_CONVERTER)
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
        for (from, to) in rules() {
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
    LazyLock::force(&SUPPLEMENT_CONVERTER);
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
        let next = convert(current);
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
            // Control characters (C0, DEL, C1) are what broken cells of an
            // export leave (Excel's _x001F_, a stray vertical bar); they
            // part the words around them like a space, and must not stay:
            // snippets show them raw, and U+001F is the index's word
            // separator.
            if c.is_whitespace() || c.is_control() {
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
        for (from, _) in rules() {
            for text in [from.to_owned(), format!("客户反映{from}，上月一直")] {
                if convert(&text) != text {
                    assert!(CONVERTIBLE_STARTS.any_in(&text), "{text}");
                    checked += 1;
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
            ("近两个\u{1f}月电费\u{7}abc\u{7f}", "近两个 月电费 abc"),
            ("\u{0}停电\u{1c}\u{85}报修\u{9f}", "停电 报修"),
            ("", ""),
        ] {
            assert_eq!(fold_and_collapse(text, true, true), want, "{text:?}");
        }
        assert_eq!(fold_and_collapse(" a  ｂ ", false, true), "a ｂ");
        assert_eq!(fold_and_collapse(" a  ｂ ", true, false), " a  b ");
    }

    /// Traditional → simplified where character-by-character conversion is
    /// wrong (one traditional form for several simplified ones, or a
    /// character that only some words simplify), plus power-supply vocabulary.
    #[test]
    fn phrases_convert_by_context() {
        let mut wrong = Vec::new();
        for (traditional, simplified) in [
            ("乾隆", "乾隆"),
            ("乾淨", "干净"),
            ("乾燥", "干燥"),
            ("乾坤", "乾坤"),
            ("曬乾衣服", "晒干衣服"),
            ("幹部", "干部"),
            ("電錶", "电表"),
            ("鐘錶", "钟表"),
            ("表揚", "表扬"),
            ("頭髮", "头发"),
            ("理髮", "理发"),
            ("發展", "发展"),
            ("發票", "发票"),
            ("皇后", "皇后"),
            ("以後", "以后"),
            ("範圍", "范围"),
            ("瞭解", "了解"),
            ("麵包", "面包"),
            ("面對", "面对"),
            ("餘額", "余额"),
            ("複雜", "复杂"),
            ("恢復供電", "恢复供电"),
            ("製造", "制造"),
            ("制度", "制度"),
            ("颱風", "台风"),
            ("臺區", "台区"),
            ("電費", "电费"),
            ("線路", "线路"),
            ("變壓器", "变压器"),
            ("檢修", "检修"),
            ("搶修", "抢修"),
            ("跳閘", "跳闸"),
            ("電壓過低", "电压过低"),
            ("計量裝置", "计量装置"),
        ] {
            let got = simplify(traditional).unwrap_or_else(|| traditional.to_owned());
            if got != simplified {
                wrong.push(format!("{traditional} → {got}, not {simplified}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
