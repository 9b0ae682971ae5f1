//! The [`Segmenter`]: jieba-rs with the power dictionary and stop words.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dict::{self, BUILTIN_DICT, BUILTIN_IMAGE, BUILTIN_STOPWORDS};
use crate::{Error, Result};

/// Bumped whenever segmentation or [`Segmenter::terms`] filtering changes
/// for the same dictionaries, so the fingerprint (and with it every stored
/// analyzer version) changes too.
pub const SEGMENTER_LOGIC_VERSION: u32 = 1;

/// How [`Segmenter::cut`] splits text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// jieba's precise mode: one best segmentation; the tokens tile the
    /// input. What mining and phrase positions use.
    #[default]
    Precise,
    /// jieba's search mode: precise tokens plus the dictionary words of two
    /// and three characters inside longer ones (业扩报装 also yields 业扩,
    /// 报装), so that a search for a part finds the whole. Tokens overlap.
    Search,
}

/// One token of a text, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term<'a> {
    /// The token, `&input[start..end]`.
    pub text: &'a str,
    /// Byte offset of the token's first byte in the input.
    pub start: usize,
    /// Byte offset just past the token's last byte in the input.
    pub end: usize,
}

/// Which dictionaries and stop words a [`Segmenter`] uses.
///
/// The default is the embedded power dictionary and stop words, HMM off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SegmenterConfig {
    /// Extra jieba user dictionaries (`word [freq] [tag]` per line, UTF-8),
    /// loaded in order after the built-in one; a later entry for the same
    /// word replaces its frequency.
    pub user_dicts: Vec<PathBuf>,
    /// Extra stop-word files, one word per line, added to the built-in ones.
    pub stopword_files: Vec<PathBuf>,
    /// Do not load the embedded `pipelines/dict/power.dict` (jieba's own
    /// general dictionary is always loaded).
    pub no_builtin_dict: bool,
    /// Do not use the embedded `pipelines/dict/stopwords.txt`.
    pub no_builtin_stopwords: bool,
    /// Let jieba's HMM join runs of single characters into new words. Off by
    /// default: on the SIGHAN 2005 PKU and MSR test sets it lowers word F1
    /// (see `reports/bench/segmentation.md`); in work orders the runs of
    /// unknown characters it joins include names and addresses, which are
    /// not terms worth mining.
    pub hmm: bool,
}

/// A Chinese word segmenter over one shared dictionary load.
///
/// Cloning is cheap (an `Arc`); clones share the dictionary, so build it once
/// and hand clones to rayon workers.
#[derive(Clone)]
pub struct Segmenter {
    inner: Arc<Inner>,
}

struct Inner {
    jieba: Jieba,
    stopwords: HashSet<Box<str>, BuildHasherDefault<Fnv1a>>,
    /// Dictionary words with neither a CJK character nor a letter (95598,
    /// 12398): service channels, which terms() keeps although it drops
    /// other numbers.
    numeric_words: HashSet<Box<str>, BuildHasherDefault<Fnv1a>>,
    hmm: bool,
    fingerprint: String,
    /// Texts segmented so far (see [`Segmenter::texts_cut`]).
    texts_cut: AtomicU64,
}

impl fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segmenter")
            .field("fingerprint", &self.inner.fingerprint)
            .field("hmm", &self.inner.hmm)
            .field("stopwords", &self.inner.stopwords.len())
            .finish_non_exhaustive()
    }
}

/// The built-in segmenter, loaded once per process: the dictionary load is
/// the expensive part, and every caller of [`Segmenter::builtin`] wants the
/// same one.
static BUILTIN: OnceLock<Segmenter> = OnceLock::new();

impl Segmenter {
    /// Loads jieba's general dictionary, then the configured dictionaries
    /// and stop words.
    pub fn new(cfg: &SegmenterConfig) -> Result<Segmenter> {
        // The built-in dictionaries come as one image of the loaded tables
        // (build.rs): copying it is ~5× faster than inserting jieba's
        // 349 046 words, which is most of a short run's start-up.
        let mut jieba = if cfg.no_builtin_dict {
            Jieba::new()
        } else {
            Jieba::from_image(BUILTIN_IMAGE).map_err(|e| Error::BuiltinImage(e.to_string()))?
        };
        let mut hash = Sha256::new();
        hash_field(&mut hash, b"kesu-segment");
        hash_field(&mut hash, &SEGMENTER_LOGIC_VERSION.to_le_bytes());
        // jieba's own dictionary and algorithm are pinned by the lock file;
        // its minor version stands in for them.
        hash_field(&mut hash, b"jieba-rs 0.11 default dict");
        hash_field(
            &mut hash,
            &[
                u8::from(cfg.no_builtin_dict),
                u8::from(cfg.no_builtin_stopwords),
                u8::from(cfg.hmm),
            ],
        );

        // Section markers and counts keep a one-line dictionary from hashing
        // like a stop word of the same text.
        hash_field(&mut hash, b"dictionaries");
        hash_field(&mut hash, &(cfg.user_dicts.len() as u64).to_le_bytes());
        let mut numeric_words = HashSet::default();
        let mut keep_numeric = |text: &str| {
            numeric_words.extend(
                dict::dict_words(text)
                    .filter(|w| !w.chars().any(|c| is_cjk(c) || c.is_alphabetic()))
                    .map(Box::from),
            );
        };
        if !cfg.no_builtin_dict {
            // Already in the image; its text still decides the fingerprint.
            hash_field(&mut hash, BUILTIN_DICT.as_bytes());
            keep_numeric(BUILTIN_DICT);
        }
        for path in &cfg.user_dicts {
            let text = dict::read_text(path)?;
            dict::load_dict(&mut jieba, &text, &path.display().to_string())?;
            // The content, not the path, decides the segmentation.
            hash_field(&mut hash, text.as_bytes());
            keep_numeric(&text);
        }

        let mut stopwords = BTreeSet::new();
        if !cfg.no_builtin_stopwords {
            stopwords.extend(dict::stopword_lines(BUILTIN_STOPWORDS).map(str::to_owned));
        }
        for path in &cfg.stopword_files {
            let text = dict::read_text(path)?;
            stopwords.extend(dict::stopword_lines(&text).map(str::to_owned));
        }
        // The set, not the files: order and repeats do not change terms().
        hash_field(&mut hash, b"stopwords");
        hash_field(&mut hash, &(stopwords.len() as u64).to_le_bytes());
        for word in &stopwords {
            hash_field(&mut hash, word.as_bytes());
        }

        let fingerprint = hex(&hash.finalize());
        Ok(Segmenter {
            inner: Arc::new(Inner {
                jieba,
                stopwords: stopwords.into_iter().map(String::into_boxed_str).collect(),
                numeric_words,
                hmm: cfg.hmm,
                fingerprint,
                texts_cut: AtomicU64::new(0),
            }),
        })
    }

    /// The embedded power dictionary and stop words, HMM off. Loaded once
    /// per process; later calls return a clone sharing the same dictionary.
    pub fn builtin() -> Result<Segmenter> {
        if let Some(seg) = BUILTIN.get() {
            return Ok(seg.clone());
        }
        let seg = Segmenter::new(&SegmenterConfig::default())?;
        // A concurrent first call may have won the race; either load is
        // identical, so keep whichever is stored.
        Ok(BUILTIN.get_or_init(|| seg).clone())
    }

    /// Every token of `text` in order, including punctuation and
    /// whitespace, with byte offsets into `text`.
    ///
    /// In [`Mode::Precise`] the tokens tile `text` exactly. In
    /// [`Mode::Search`] they may overlap and are sorted by `(start, end)`.
    pub fn cut<'a>(&self, text: &'a str, mode: Mode) -> Vec<Term<'a>> {
        self.count_cut();
        let jieba = &self.inner.jieba;
        match mode {
            Mode::Precise => jieba
                .cut(text, self.inner.hmm)
                .into_iter()
                .map(to_term)
                .collect(),
            Mode::Search => {
                let mut terms: Vec<Term<'a>> = jieba
                    .cut_for_search(text, self.inner.hmm)
                    .into_iter()
                    .map(to_term)
                    .collect();
                // jieba emits a long word's sub-words before the word, two-
                // character ones before three-character ones; the index
                // wants positions that never go backwards.
                terms.sort_by_key(|t| (t.start, t.end));
                terms
            }
        }
    }

    /// The content words of `text` for mining, in order, repeats kept:
    /// precise-mode tokens minus stop words, whitespace, punctuation,
    /// tokens with neither a CJK character nor a letter (numbers, codes
    /// like `10.5`; but a dictionary word such as the hotline 95598 is a
    /// term), single non-CJK characters, and anything that is or
    /// touches a `*` mask (`138****5678`, `张**`).
    ///
    /// Single CJK characters are kept unless they are stop words: complaint
    /// text often carries its predicate in one (慢, 差, 贵, 闪), while the
    /// function characters (的, 了, 在) are in the stop-word list.
    pub fn terms<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.count_cut();
        let bytes = text.as_bytes();
        let masked = |i: usize| matches!(bytes.get(i), Some(b'*'));
        self.inner
            .jieba
            .cut(text, self.inner.hmm)
            .into_iter()
            .filter(|t| {
                (is_content_shaped(t.word) || self.inner.numeric_words.contains(t.word))
                    && !t.byte_start.checked_sub(1).is_some_and(masked)
                    && !masked(t.byte_end)
                    && !self.is_stopword(t.word)
            })
            .map(|t| t.word)
            .collect()
    }

    /// The [`Mode::Search`] tokens of a text, derived from its
    /// [`Mode::Precise`] tokens without segmenting it again: equal to
    /// `cut(text, Mode::Search)` when `precise` is `cut(text, Mode::Precise)`.
    ///
    /// jieba's search mode is its precise cut plus, for each precise token,
    /// the parts of an alphanumeric compound between `.`, `_` and `-` (two
    /// bytes or more, with a letter) and the dictionary words among its
    /// two-character substrings (tokens over two characters) and
    /// three-character substrings (tokens over three characters). All of
    /// that depends on the token and the dictionary alone, which is what
    /// lets one cut serve both mining and the index.
    pub fn search_of_precise<'a>(&self, precise: &[Term<'a>]) -> Vec<Term<'a>> {
        let jieba = &self.inner.jieba;
        let mut out = Vec::with_capacity(precise.len() * 3 / 2);
        let mut bounds: Vec<usize> = Vec::new();
        for &t in precise {
            let word = t.text;
            // The same order of emission as jieba's cut_for_search, so that
            // the stable sort below leaves equal spans in the same order.
            if word.bytes().any(|b| matches!(b, b'.' | b'_' | b'-')) {
                let mut offset = 0;
                for part in word.split(['.', '_', '-']) {
                    if part.len() >= 2 && part.bytes().any(|b| b.is_ascii_alphabetic()) {
                        let start = t.start + offset;
                        out.push(Term {
                            text: part,
                            start,
                            end: start + part.len(),
                        });
                    }
                    offset += part.len() + 1;
                }
            }
            bounds.clear();
            bounds.extend(word.char_indices().map(|(i, _)| i));
            let n = bounds.len();
            bounds.push(word.len());
            for len in [2, 3] {
                if n <= len {
                    continue;
                }
                for i in 0..=n - len {
                    let gram = &word[bounds[i]..bounds[i + len]];
                    if jieba.has_word(gram) {
                        out.push(Term {
                            text: gram,
                            start: t.start + bounds[i],
                            end: t.start + bounds[i + len],
                        });
                    }
                }
            }
            out.push(t);
        }
        out.sort_by_key(|t| (t.start, t.end));
        out
    }

    /// The mining terms of an order from the precise cut of its normalised
    /// text, without segmenting its redacted text: the tokens of `precise`
    /// (`cut(text, Mode::Precise)`) that [`Segmenter::terms`] would keep,
    /// where "is or touches a mask" is read in `redacted`, the text with
    /// personal data masked.
    ///
    /// Masking turns characters into `*` one for one, so character `i` of
    /// `redacted` is character `i` of `text`: a token is dropped if the
    /// character before it, any of its characters or the character after
    /// it is `*` in `redacted`. The terms differ from
    /// `terms(redacted)` only next to a mask, where jieba may cut the
    /// unmasked text differently (`工作人员张三态度恶劣` is one block, its
    /// redaction `工作人员**态度恶劣` is three); a term never holds or touches
    /// masked characters either way.
    ///
    /// When `redacted` is not `text` with characters masked (another
    /// number of characters, or other characters changed), this falls back
    /// to `terms(redacted)`, a second cut.
    pub fn terms_of_precise<'a>(
        &self,
        text: &'a str,
        precise: &[Term<'a>],
        redacted: &'a str,
    ) -> Vec<&'a str> {
        let keep = |t: &Term<'_>| {
            (is_content_shaped(t.text) || self.inner.numeric_words.contains(t.text))
                && !self.is_stopword(t.text)
        };
        if !redacted.as_bytes().contains(&b'*') {
            if redacted != text {
                return self.terms(redacted);
            }
            return precise.iter().filter(|t| keep(t)).map(|t| t.text).collect();
        }
        // masked[b]: the character of `text` starting at byte b is `*` in
        // `redacted`.
        let mut masked = vec![false; text.len() + 1];
        let mut red = redacted.chars();
        for (i, c) in text.char_indices() {
            match red.next() {
                Some('*') => masked[i] = true,
                Some(r) if r == c => {}
                _ => return self.terms(redacted),
            }
        }
        if red.next().is_some() {
            return self.terms(redacted);
        }
        precise
            .iter()
            .filter(|t| {
                let before = text[..t.start]
                    .char_indices()
                    .next_back()
                    .is_some_and(|(i, _)| masked[i]);
                !before && !masked[t.start..=t.end].contains(&true) && keep(t)
            })
            .map(|t| t.text)
            .collect()
    }

    /// How many texts this segmenter (and its clones) has cut so far:
    /// every [`Segmenter::cut`] and [`Segmenter::terms`] counts one text,
    /// [`Segmenter::search_of_precise`] and [`Segmenter::terms_of_precise`]
    /// none (unless the latter falls back to a cut). For tests and run
    /// metrics: a job that segments each text once cuts as many texts as it
    /// has orders. Looking up one word ([`Segmenter::part_of_speech`]) is
    /// not cutting a text and is not counted.
    pub fn texts_cut(&self) -> u64 {
        self.inner.texts_cut.load(Ordering::Relaxed)
    }

    fn count_cut(&self) {
        self.inner.texts_cut.fetch_add(1, Ordering::Relaxed);
    }

    /// The word's part of speech (jieba's tag set: n, v, a, d, m, eng …) from
    /// the dictionaries, or jieba's guess for a token it does not know;
    /// `None` when the segmenter would split `word` (with the HMM off, the
    /// default, an unknown multi-character word is split).
    pub fn part_of_speech<'a>(&'a self, word: &'a str) -> Option<&'a str> {
        match self.inner.jieba.tag(word, self.inner.hmm).as_slice() {
            [t] if t.word == word => Some(t.tag),
            _ => None,
        }
    }

    /// Whether `word` can name a thing, act or quality (nouns, verbs,
    /// adjectives, idioms …), rather than only place, count or qualify one:
    /// numerals and measures (很多, 一名), time words (平时), pronouns
    /// (任何人, 每次), adverbs (经常, 立即), conjunctions, prepositions,
    /// particles, locatives, modals and interjections are not. Latin-letter
    /// words (tag `eng`: APP, IC) and words the segmenter would split can.
    pub fn is_naming_word(&self, word: &str) -> bool {
        /// First letters of the jieba tags of words that do not name.
        const NON_NAMING: &[u8] = b"mqtrdcpufyeo";
        self.part_of_speech(word).is_none_or(|tag| {
            tag == "eng"
                || !(tag == "ad" || tag.bytes().next().is_some_and(|b| NON_NAMING.contains(&b)))
        })
    }

    /// Whether `word` is in the configured stop-word set (exact match).
    pub fn is_stopword(&self, word: &str) -> bool {
        self.inner.stopwords.contains(word)
    }

    /// Hex sha256 of everything that decides the output: the dictionaries'
    /// bytes in load order, the stop-word set, the HMM and built-in flags,
    /// and [`SEGMENTER_LOGIC_VERSION`].
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }
}

#[inline]
fn to_term(t: jieba_rs::Token<'_>) -> Term<'_> {
    Term {
        text: t.word,
        start: t.byte_start,
        end: t.byte_end,
    }
}

/// A token can be a content word: it has a CJK character or a letter, is
/// not a lone non-CJK character, and holds no mask character.
fn is_content_shaped(word: &str) -> bool {
    let mut chars = 0usize;
    let mut cjk = false;
    let mut letter = false;
    for c in word.chars() {
        chars += 1;
        if c == '*' || c == '＊' {
            return false;
        }
        if is_cjk(c) {
            cjk = true;
        } else if c.is_alphabetic() {
            letter = true;
        }
    }
    cjk || (letter && chars > 1)
}

/// CJK unified ideographs, their extensions and compatibility ideographs.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

/// FNV-1a: stop-word lookups hash one short token per call, where SipHash's
/// setup cost dominated `terms()`; the keys are the configured stop words,
/// not attacker-chosen, so flooding resistance is not needed.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Length-prefixes each field so that moving bytes between adjacent fields
/// (a word from one dictionary to the next) changes the hash.
fn hash_field(hash: &mut Sha256, bytes: &[u8]) {
    hash.update((bytes.len() as u64).to_le_bytes());
    hash.update(bytes);
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    fn seg() -> Segmenter {
        Segmenter::builtin().unwrap()
    }

    fn words(text: &str, mode: Mode) -> Vec<&str> {
        seg().cut(text, mode).into_iter().map(|t| t.text).collect()
    }

    fn file_with(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    /// TEXT → SEGMENTED (precise mode, `|` between tokens).
    const PRECISE: &[(&str, &str)] = &[
        ("台区低电压", "台区|低电压"),
        ("欠费停电后复电", "欠费停电|后|复电"),
        ("办理业扩报装", "办理|业扩报装"),
        ("抄核收差错", "抄核收|差错"),
        ("阶梯电价和峰谷电价", "阶梯电价|和|峰谷电价"),
        ("智能电表户表改造", "智能电表|户表改造"),
        ("光伏并网申请", "光伏并网|申请"),
        ("计划停电未提前通知", "计划停电|未提前通知"),
        ("故障停电抢修慢", "故障停电|抢修慢"),
        ("拨打95598投诉", "拨打|95598|投诉"),
        ("网上国网和掌上电力", "网上国网|和|掌上电力"),
        ("供电所营业厅台区经理", "供电所|营业厅|台区经理"),
        ("电能计量和用电检查", "电能计量|和|用电检查"),
        ("变压器、箱变、电缆、表箱", "变压器|、|箱变|、|电缆|、|表箱"),
        ("电费账单是预付费", "电费账单|是|预付费"),
        ("没有收到停电通知", "没有|收到|停电通知"),
        ("线路与房屋安全距离不足", "线路|与|房屋|安全距离|不足"),
        ("晚上电压不稳频繁停电", "晚上|电压不稳|频繁停电"),
    ];

    #[test]
    fn power_terms_stay_whole_in_precise_mode() {
        let mut failures = Vec::new();
        for &(text, expected) in PRECISE {
            let got = words(text, Mode::Precise).join("|");
            if got != expected {
                failures.push(format!("{text}: expected {expected}, got {got}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn naming_words_are_told_from_function_words_by_part_of_speech() {
        let seg = Segmenter::builtin().unwrap();
        assert_eq!(seg.part_of_speech("电费"), Some("n"));
        assert_eq!(seg.part_of_speech("经常"), Some("d"));
        for w in [
            "电费",
            "抄表",
            "智能电表",
            "跳闸",
            "恶劣",
            "物业",
            "彻底解决",
            "APP",
        ] {
            assert!(seg.is_naming_word(w), "{w}");
        }
        for w in [
            "很多",
            "一名",
            "平时",
            "任何人",
            "每次",
            "经常",
            "立即",
            "突然",
        ] {
            assert!(!seg.is_naming_word(w), "{w}");
        }
    }

    #[test]
    fn search_mode_adds_sub_words_in_position_order() {
        let terms = seg().cut("业扩报装", Mode::Search);
        let got: Vec<(&str, usize, usize)> =
            terms.iter().map(|t| (t.text, t.start, t.end)).collect();
        assert_eq!(got, [("业扩", 0, 6), ("业扩报装", 0, 12), ("报装", 6, 12)]);
    }

    #[test]
    fn terms_drop_boilerplate_punctuation_numbers_and_masks() {
        let text = "客户来电反映：台区低电压，电话138****5678，张**要求尽快处理。10kV线路跳闸3次";
        assert_eq!(seg().terms(text), ["台区", "低电压", "10kV线路", "跳闸"]);
        assert_eq!(seg().terms("拨打95598后等了30分钟"), ["拨打", "95598"]);
    }

    #[test]
    fn search_of_precise_adds_sub_words_and_compound_parts() {
        let seg = seg();
        for text in [
            "业扩报装",
            "WES-5.4.5版本的APP",
            "10kV线路跳闸",
            "智能电表户表改造",
            "SN-ABC.12 表号",
        ] {
            let derived = seg.search_of_precise(&seg.cut(text, Mode::Precise));
            assert_eq!(derived, seg.cut(text, Mode::Search), "{text}");
        }
        // With the HMM, jieba keeps an alphanumeric compound whole in
        // precise mode and adds its parts in search mode.
        let hmm = hmm_seg();
        assert_eq!(
            hmm.search_of_precise(&hmm.cut("WES-5.4.5", Mode::Precise)),
            hmm.cut("WES-5.4.5", Mode::Search)
        );
        let got: Vec<&str> = hmm
            .search_of_precise(&hmm.cut("WES-5.4.5", Mode::Precise))
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(got, ["WES", "WES-5.4.5"]);
    }

    #[test]
    fn terms_of_precise_read_masks_in_the_redacted_text() {
        let seg = seg();
        let text = "客户来电反映：台区低电压，电话13812345678，张三要求尽快处理。10kV线路跳闸3次";
        let redacted =
            "客户来电反映：台区低电压，电话138****5678，张**要求尽快处理。10kV线路跳闸3次";
        let precise = seg.cut(text, Mode::Precise);
        assert_eq!(
            seg.terms_of_precise(text, &precise, redacted),
            ["台区", "低电压", "10kV线路", "跳闸"]
        );
        assert_eq!(seg.terms(redacted), ["台区", "低电压", "10kV线路", "跳闸"]);
        // A mask inside a block: the words touching it go, as in terms().
        let text = "抄表员张三态度恶劣拒不道歉";
        let redacted = "抄表员**态度恶劣拒不道歉";
        let precise = seg.cut(text, Mode::Precise);
        let got = seg.terms_of_precise(text, &precise, redacted);
        // 抄表员|张|三|态度恶劣|拒|不|道歉: the words beside the name go.
        assert_eq!(got, ["拒", "道歉"]);
        assert_eq!(got, seg.terms(redacted));
    }

    #[test]
    fn terms_of_precise_fall_back_to_a_cut_when_the_texts_do_not_align() {
        let seg = Segmenter::new(&SegmenterConfig::default()).unwrap();
        let text = "台区低电压";
        let precise = seg.cut(text, Mode::Precise);
        assert_eq!(seg.texts_cut(), 1);
        assert_eq!(
            seg.terms_of_precise(text, &precise, text),
            ["台区", "低电压"]
        );
        assert_eq!(seg.texts_cut(), 1, "no cut when the texts align");
        assert_eq!(seg.terms_of_precise(text, &precise, "台区低电*"), ["台区"]);
        assert!(seg.terms_of_precise(text, &precise, "台区*电压").is_empty());
        assert_eq!(seg.texts_cut(), 1);
        // Not the same characters: the redacted text is cut itself.
        assert_eq!(
            seg.terms_of_precise(text, &precise, "频繁停电"),
            ["频繁停电"]
        );
        assert!(seg.terms_of_precise(text, &precise, "台区*").is_empty());
        assert_eq!(seg.texts_cut(), 3);
    }

    #[test]
    fn texts_cut_counts_cuts_and_terms_shared_by_clones() {
        let seg = Segmenter::new(&SegmenterConfig::default()).unwrap();
        let clone = seg.clone();
        seg.cut("台区低电压", Mode::Precise);
        clone.cut("台区低电压", Mode::Search);
        clone.terms("台区低电压");
        seg.search_of_precise(&seg.cut("业扩报装", Mode::Precise));
        assert!(seg.is_naming_word("电费"));
        assert_eq!(seg.texts_cut(), 4);
        assert_eq!(clone.texts_cut(), 4);
    }

    /// TEXT → mining terms for whole work-order sentences.
    const TERMS: &[(&str, &str)] = &[
        (
            "客户来电反映欠费停电后已通过掌上电力缴清电费，但超过24小时仍未复电，要求尽快处理。",
            "欠费停电 掌上电力 缴清 电费 超过 复电",
        ),
        (
            "客户称家里跳闸后抢修人员说是表后线路问题属于客户资产不予处理",
            "跳闸 抢修人员 表后线路 属于 客户资产 不予",
        ),
        (
            "门前10kV线路与房屋安全距离不足，存在安全隐患，要求线路改造",
            "门前 10kV线路 房屋 安全距离 不足 存在 安全隐患 线路改造",
        ),
        (
            "客户反映电费突增，估抄导致电量异常，要求退补电费",
            "电费突增 估抄 导致 电量异常 退补电费",
        ),
    ];

    #[test]
    fn terms_of_work_order_sentences() {
        for &(text, expected) in TERMS {
            assert_eq!(seg().terms(text).join(" "), expected, "{text}");
        }
    }

    #[test]
    fn terms_keep_meaningful_single_characters() {
        let terms = seg().terms("抢修的人来得很慢，态度差");
        assert!(terms.contains(&"慢") && terms.contains(&"差"), "{terms:?}");
        assert!(
            !terms.contains(&"的") && !terms.contains(&"很"),
            "{terms:?}"
        );
    }

    #[test]
    fn stopwords_cover_function_words_and_boilerplate() {
        let seg = seg();
        for w in [
            "的", "了", "客户", "来电", "反映", "要求", "尽快", "处理", "，", "。",
        ] {
            assert!(seg.is_stopword(w), "{w}");
        }
        for w in ["台区", "停电", "慢", "低电压"] {
            assert!(!seg.is_stopword(w), "{w}");
        }
    }

    #[test]
    fn segmenter_is_send_sync_and_clones_share_the_dictionary() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Segmenter>();
        let a = seg();
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
        assert!(
            Arc::ptr_eq(&a.inner, &seg().inner),
            "builtin() loads once per process"
        );
        let handle = std::thread::spawn(move || b.terms("台区低电压").len());
        assert_eq!(handle.join().unwrap(), 2);
    }

    #[test]
    fn user_dict_changes_segmentation_and_fingerprint() {
        let dict = file_with("\u{feff}表计轮换工 1000 n\n");
        let cfg = SegmenterConfig {
            user_dicts: vec![dict.path().to_path_buf()],
            ..SegmenterConfig::default()
        };
        let custom = Segmenter::new(&cfg).unwrap();
        let got: Vec<&str> = custom
            .cut("表计轮换工", Mode::Precise)
            .iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(got, ["表计轮换工"]);
        assert_ne!(custom.fingerprint(), seg().fingerprint());
        assert_eq!(seg().fingerprint().len(), 64);
        assert!(seg().fingerprint().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn fingerprint_is_stable_and_tracks_every_setting() {
        let default = SegmenterConfig::default();
        let fp = |cfg: &SegmenterConfig| Segmenter::new(cfg).unwrap().fingerprint().to_owned();
        let base = fp(&default);
        assert_eq!(base, seg().fingerprint(), "same settings, same fingerprint");
        let variants = [
            SegmenterConfig {
                hmm: true,
                ..default.clone()
            },
            SegmenterConfig {
                no_builtin_dict: true,
                ..default.clone()
            },
            SegmenterConfig {
                no_builtin_stopwords: true,
                ..default.clone()
            },
        ];
        let mut all: BTreeSet<String> = variants.iter().map(fp).collect();
        all.insert(base);
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn stopword_files_extend_the_builtin_list() {
        let stop = file_with("跳闸\n\n  台区  \n");
        let cfg = SegmenterConfig {
            stopword_files: vec![stop.path().to_path_buf()],
            ..SegmenterConfig::default()
        };
        let custom = Segmenter::new(&cfg).unwrap();
        assert!(custom.is_stopword("台区") && custom.is_stopword("的"));
        assert_eq!(custom.terms("台区低电压跳闸"), ["低电压"]);
        assert_ne!(custom.fingerprint(), seg().fingerprint());
    }

    #[test]
    fn missing_user_dict_is_a_read_error_naming_the_file() {
        let cfg = SegmenterConfig {
            user_dicts: vec![PathBuf::from("/nonexistent/kesu.dict")],
            ..SegmenterConfig::default()
        };
        let err = Segmenter::new(&cfg).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/kesu.dict"),
            "{err}"
        );
    }

    #[test]
    fn config_reads_kebab_case_and_rejects_unknown_keys() {
        let cfg: SegmenterConfig =
            toml::from_str("user-dicts = [\"a.dict\"]\nno-builtin-stopwords = true\nhmm = true\n")
                .unwrap();
        assert_eq!(cfg.user_dicts, [PathBuf::from("a.dict")]);
        assert!(cfg.no_builtin_stopwords && cfg.hmm && !cfg.no_builtin_dict);
        assert!(toml::from_str::<SegmenterConfig>("user_dicts = []").is_err());
    }

    fn hmm_seg() -> Segmenter {
        static HMM: OnceLock<Segmenter> = OnceLock::new();
        HMM.get_or_init(|| {
            Segmenter::new(&SegmenterConfig {
                hmm: true,
                ..SegmenterConfig::default()
            })
            .unwrap()
        })
        .clone()
    }

    /// Free text mixing CJK, power vocabulary, ASCII, digits, masks,
    /// whitespace, punctuation and emoji.
    fn free_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[\u{4e00}-\u{9fa5}]{1,6}",
            Just("台区低电压".to_owned()),
            Just("欠费停电".to_owned()),
            "[a-zA-Z0-9 .+#_%-]{1,5}",
            Just("138****5678".to_owned()),
            Just("电话13812345678".to_owned()),
            Just("工作人员张三态度恶劣".to_owned()),
            Just("WES-5.4.5".to_owned()),
            "[a-z]{1,3}[._-][a-z0-9]{1,3}",
            "[\\s，。、！？“”（）]{1,2}",
            "[😀-🙏🔌⚡]{1,2}",
            Just("\r\n".to_owned()),
            "\\PC{1,3}",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    #[test]
    fn a_word_beside_a_mask_is_dropped_and_its_twin_elsewhere_kept() {
        let seg = seg();
        let text = "欠费停电*¡欠费停电";
        let precise = seg.cut(text, Mode::Precise);
        assert_eq!(seg.terms_of_precise(text, &precise, text), ["欠费停电"]);
        let kept = seg.terms_of_precise(text, &precise, text);
        let at = precise
            .iter()
            .filter(|p| p.text == "欠费停电")
            .nth(1)
            .unwrap();
        assert!(
            std::ptr::eq(kept[0].as_ptr(), text[at.start..].as_ptr()),
            "the second one"
        );
    }

    proptest! {
        #[test]
        fn precise_tokens_tile_the_input(text in free_text()) {
            let terms = seg().cut(&text, Mode::Precise);
            let mut at = 0;
            for t in &terms {
                prop_assert_eq!(t.start, at);
                prop_assert!(t.end > t.start);
                prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
                prop_assert_eq!(&text[t.start..t.end], t.text);
                at = t.end;
            }
            prop_assert_eq!(at, text.len());
            let joined: String = terms.iter().map(|t| t.text).collect();
            prop_assert_eq!(joined, text);
        }

        #[test]
        fn search_offsets_slice_to_the_token(text in free_text()) {
            let terms = seg().cut(&text, Mode::Search);
            for pair in terms.windows(2) {
                prop_assert!((pair[0].start, pair[0].end) <= (pair[1].start, pair[1].end));
            }
            for t in &terms {
                prop_assert!(t.end > t.start && t.end <= text.len());
                prop_assert_eq!(&text[t.start..t.end], t.text);
            }
            // Every precise token is also a search token.
            for p in seg().cut(&text, Mode::Precise) {
                prop_assert!(terms.contains(&p));
            }
        }

        #[test]
        fn search_of_precise_equals_search_mode(text in free_text()) {
            for seg in [seg(), hmm_seg()] {
                let derived = seg.search_of_precise(&seg.cut(&text, Mode::Precise));
                prop_assert_eq!(derived, seg.cut(&text, Mode::Search));
            }
        }

        #[test]
        fn terms_of_precise_never_touch_a_mask(text in free_text()) {
            let seg = seg();
            let normalizer = kesu_normalize::Normalizer::builtin();
            let text = normalizer.normalize(&text);
            let redacted = normalizer.redact(&text);
            let redacted = redacted.as_str();
            let precise = seg.cut(&text, Mode::Precise);
            let terms = seg.terms_of_precise(&text, &precise, redacted);
            if redacted == text {
                prop_assert_eq!(&terms, &seg.terms(&text));
            }
            // Every term is a precise token whose characters, and the ones
            // on either side of it, are unmasked in the redacted text.
            let red: Vec<char> = redacted.chars().collect();
            let span = |t: &Term<'_>| {
                let from = text[..t.start].chars().count();
                (from, from + t.text.chars().count())
            };
            let untouched = |t: &Term<'_>| {
                let (from, to) = span(t);
                !red[from.saturating_sub(1)..(to + 1).min(red.len())].contains(&'*')
            };
            // The same word can stand twice, once beside a mask and once
            // not: a term is the next occurrence of its word that no mask
            // touches, and there must be one.
            let mut rest = precise.iter();
            for term in &terms {
                let t = rest.find(|p| p.text == *term && untouched(p));
                prop_assert!(t.is_some(), "{} not in order or touches a mask in {}", term, redacted);
                let (from, to) = span(t.unwrap());
                prop_assert_eq!(&red[from..to].iter().collect::<String>(), term);
            }

        }

        #[test]
        fn terms_are_precise_tokens_with_content(text in free_text()) {
            let seg = seg();
            let precise: Vec<&str> = seg.cut(&text, Mode::Precise).into_iter().map(|t| t.text).collect();
            let terms = seg.terms(&text);
            let mut rest = precise.iter();
            for term in &terms {
                prop_assert!(rest.any(|p| p == term), "{} not in order", term);
                prop_assert!(!seg.is_stopword(term));
                prop_assert!(!term.contains('*') && !term.trim().is_empty());
                prop_assert!(term.chars().any(|c| is_cjk(c) || c.is_alphabetic()) || seg.inner.numeric_words.contains(*term));
            }
        }
    }
}
