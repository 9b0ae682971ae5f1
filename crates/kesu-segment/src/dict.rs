//! Reading jieba-format user dictionaries and stop-word lists.

use std::path::Path;

use jieba_rs::Jieba;

use crate::{Error, Result};

/// The power-utility user dictionary, `word freq tag` per line.
pub(crate) const BUILTIN_DICT: &str = include_str!("../../../pipelines/dict/power.dict");
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
        let mut fields = line.split_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq = match fields.next() {
            Some(f) => Some(f.parse::<usize>().map_err(|_| Error::DictLine {
                source_name: source_name.to_owned(),
                line: idx + 1,
                message: format!("frequency {f:?} of {word:?} is not a non-negative integer"),
            })?),
            None => None,
        };
        let tag = fields.next();
        if let Some(extra) = fields.next() {
            return Err(Error::DictLine {
                source_name: source_name.to_owned(),
                line: idx + 1,
                message: format!("unexpected field {extra:?} after the tag"),
            });
        }
        jieba.add_word(word, freq, tag);
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
