//! Reading jieba-format user dictionaries and stop-word lists.

use std::path::Path;

use jieba_rs::Jieba;

use crate::dict_line::{DictLine, parse_dict_line};
use crate::{Error, Result};

/// The power-utility user dictionary, `word freq tag` per line.
pub(crate) const BUILTIN_DICT: &str = include_str!("../../../pipelines/dict/power.dict");
/// jieba's general dictionary with [`BUILTIN_DICT`] loaded on top, as a
/// dictionary image made by `build.rs` (tested equal to loading the text).
pub(crate) const BUILTIN_IMAGE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/power.jieba"));
/// The stop words: function words, punctuation and complaint boilerplate.
pub(crate) const BUILTIN_STOPWORDS: &str = include_str!("../../../pipelines/dict/stopwords.txt");

/// Reads a user file as UTF-8 text (a leading BOM is dropped, as Windows
/// editors often write one and it would otherwise glue onto the first word).
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
        source_name: path.display().to_string(),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Adds every `word [freq] [tag]` line of `text` to `jieba`.
///
/// jieba-rs' own `load_dict` gives a word without a frequency the frequency
/// 0, which makes it unreachable; Python jieba instead suggests a frequency
/// that keeps the word whole. Users write dictionaries for Python jieba, so
/// a missing frequency is suggested here the same way.
pub(crate) fn load_dict(jieba: &mut Jieba, text: &str, source_name: &str) -> Result<()> {
    for (idx, line) in text.lines().enumerate() {
        let parsed = parse_dict_line(line).map_err(|message| Error::DictLine {
            source_name: source_name.to_owned(),
            line: idx + 1,
            message,
        })?;
        if let Some(DictLine { word, freq, tag }) = parsed {
            jieba.add_word(word, freq, tag);
        }
    }
    Ok(())
}

/// The words (first fields) of a dictionary text.
pub(crate) fn dict_words(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter_map(|line| line.split_whitespace().next())
}

/// The stop words of a one-word-per-line list; blank lines are skipped and
/// surrounding whitespace is not part of the word.
pub(crate) fn stopword_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_dict_lines_are_word_freq_tag_without_duplicates() {
        let mut seen = std::collections::BTreeSet::new();
        for (idx, line) in BUILTIN_DICT.lines().enumerate() {
            let fields: Vec<&str> = line.split(' ').collect();
            assert_eq!(fields.len(), 3, "line {}: {line:?}", idx + 1);
            assert!(
                fields[1].parse::<usize>().is_ok_and(|f| f > 0),
                "line {}",
                idx + 1
            );
            assert!(
                !fields[0].starts_with('#'),
                "jieba has no comments: {line:?}"
            );
            assert!(seen.insert(fields[0]), "duplicate {:?}", fields[0]);
        }
        assert!(seen.len() >= 400, "only {} terms", seen.len());
    }

    #[test]
    fn builtin_image_is_the_dictionary_text_loaded() {
        // The image must hold exactly what loading the texts at run time
        // would: same words, frequencies, tags and trie, to the byte.
        let mut jieba = Jieba::new();
        load_dict(&mut jieba, BUILTIN_DICT, "builtin:power.dict").unwrap();
        assert!(
            jieba.to_image() == BUILTIN_IMAGE,
            "build.rs made another image"
        );
        let loaded = Jieba::from_image(BUILTIN_IMAGE).unwrap();
        assert!(
            loaded.to_image() == BUILTIN_IMAGE,
            "the image does not round-trip"
        );
        let text = "客户反映台区经理未通知计划停电，业扩报装进度慢，95598工单催办";
        assert_eq!(loaded.cut(text, false), jieba.cut(text, false));
        assert_eq!(loaded.tag(text, false), jieba.tag(text, false));
    }

    #[test]
    fn builtin_stopwords_have_no_duplicates_or_padding() {
        let mut seen = std::collections::BTreeSet::new();
        for line in BUILTIN_STOPWORDS.lines() {
            assert_eq!(line, line.trim(), "padded stop word {line:?}");
            assert!(!line.is_empty());
            assert!(seen.insert(line), "duplicate stop word {line:?}");
        }
    }

    #[test]
    fn bad_frequency_names_file_and_line() {
        let mut jieba = Jieba::empty();
        let err = load_dict(&mut jieba, "台区 5 n\n低电压 x n\n", "my.dict").unwrap_err();
        assert_eq!(
            err.to_string(),
            "my.dict line 2: frequency \"x\" of \"低电压\" is not a non-negative integer"
        );
    }

    #[test]
    fn missing_frequency_is_suggested_not_zero() {
        let mut jieba = Jieba::new();
        load_dict(&mut jieba, "抢修慢\n", "x.dict").unwrap();
        let words: Vec<&str> = jieba.cut("抢修慢", false).iter().map(|t| t.word).collect();
        assert_eq!(words, ["抢修慢"]);
    }
}
