//! One line of a jieba-format dictionary, parsed the same way at run time
//! (`dict::load_dict`) and when `build.rs` makes the built-in dictionary
//! image: both must add exactly the same words, or the image would segment
//! differently from the text it was made of.

/// A parsed line: `word [freq] [tag]`.
pub(crate) struct DictLine<'a> {
    pub(crate) word: &'a str,
    /// `None`: suggest one (as Python jieba does), not 0.
    pub(crate) freq: Option<usize>,
    pub(crate) tag: Option<&'a str>,
}

/// Parses one line; `Ok(None)` for a blank line, `Err` with a message
/// for a bad frequency or a field after the tag.
pub(crate) fn parse_dict_line(line: &str) -> Result<Option<DictLine<'_>>, String> {
    let mut fields = line.split_whitespace();
    let Some(word) = fields.next() else {
        return Ok(None);
    };
    let freq =
        match fields.next() {
            Some(f) => Some(f.parse::<usize>().map_err(|_| {
                format!("frequency {f:?} of {word:?} is not a non-negative integer")
            })?),
            None => None,
        };
    let tag = fields.next();
    if let Some(extra) = fields.next() {
        return Err(format!("unexpected field {extra:?} after the tag"));
    }
    Ok(Some(DictLine { word, freq, tag }))
}
