//! Tokenizers of the three text fields: character unigrams and overlapping
//! bigrams (recall), and kesu's own segmenter in search mode (ranking).
//!
//! Why two character fields: a query substring of length `n ≥ 2` is found by
//! a phrase over its overlapping bigrams, which matches exactly the texts that
//! contain it (bigram `i` covers characters `i, i+1`, so consecutive bigram
//! positions spell out a contiguous run of characters, whatever the word
//! boundaries). A single character has no bigram and is looked up in the
//! unigram field, which needs no positions.
//!
//! Every character is indexed, punctuation and spaces included, so that a
//! phrase query is the same thing as `str::contains` on the normalised text.
//! The only folding is ASCII lower-casing, applied identically to text and
//! query ([`fold`]); everything else (full-width, traditional characters,
//! whitespace) is already folded by the `Normalizer` on both sides.
//!
//! The word field is segmented outside the index writer, on every core, and
//! handed to it as [`cut_words`]: the words joined by [`WORD_SEPARATOR`],
//! which [`WordTokenizer`] only splits. (A `PreTokenizedString` would do the
//! same, but tantivy stores it in the document as JSON and parses it back:
//! about 5 % of a weekly run.)

use kesu_segment::{Mode, Segmenter, Term};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which [`CharGramTokenizer::bigrams`] is registered.
pub const BIGRAM_TOKENIZER: &str = "kesu_bigram";
/// Name under which [`CharGramTokenizer::unigrams`] is registered.
pub const UNIGRAM_TOKENIZER: &str = "kesu_unigram";
/// Name under which [`WordTokenizer`] is registered.
pub const WORD_TOKENIZER: &str = "kesu_words";

/// The one folding applied on top of the normaliser, on text and query alike.
///
/// ASCII lower-casing keeps byte offsets unchanged, so spans found in the
/// folded text are valid in the original.
pub fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Character n-grams (n = 1 or 2) over the folded text.
#[derive(Debug, Clone, Copy)]
pub struct CharGramTokenizer {
    gram: usize,
}

impl CharGramTokenizer {
    /// One token per distinct character. The unigram field records only
    /// which documents hold a character (no frequencies, no positions), so
    /// a character's later occurrences would only cost the writer a lookup
    /// each.
    pub fn unigrams() -> Self {
        CharGramTokenizer { gram: 1 }
    }

    /// One token per pair of adjacent characters, at the position of the first.
    pub fn bigrams() -> Self {
        CharGramTokenizer { gram: 2 }
    }
}

/// Stream of [`CharGramTokenizer`].
pub struct CharGramStream {
    folded: String,
    /// Byte range and position of every token, in order.
    spans: Vec<(usize, usize, usize)>,
    next: usize,
    token: Token,
}

impl Tokenizer for CharGramTokenizer {
    type TokenStream<'a> = CharGramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CharGramStream {
        let folded = fold(text);
        let mut bounds: Vec<usize> = folded.char_indices().map(|(i, _)| i).collect();
        bounds.push(folded.len());
        let spans = if self.gram == 1 {
            // First occurrence of each character, in text order.
            let mut chars: Vec<(char, usize)> = folded
                .char_indices()
                .enumerate()
                .map(|(at, (_, c))| (c, at))
                .collect();
            chars.sort_unstable();
            chars.dedup_by_key(|&mut (c, _)| c);
            let mut firsts: Vec<usize> = chars.into_iter().map(|(_, at)| at).collect();
            firsts.sort_unstable();
            firsts
                .into_iter()
                .enumerate()
                .map(|(position, at)| (bounds[at], bounds[at + 1], position))
                .collect()
        } else {
            bounds
                .windows(3)
                .enumerate()
                .map(|(position, w)| (w[0], w[2], position))
                .collect()
        };
        CharGramStream {
            folded,
            spans,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for CharGramStream {
    fn advance(&mut self) -> bool {
        let Some(&(from, to, position)) = self.spans.get(self.next) else {
            return false;
        };
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.text.clear();
        self.token.text.push_str(&self.folded[from..to]);
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The word tokens kesu ranks on: search-mode segments of the normalised
/// text, folded, without stop words, punctuation or whitespace.
///
/// Byte offsets refer to the input text.
pub fn word_tokens(segmenter: &Segmenter, text: &str) -> Vec<Token> {
    word_tokens_of(segmenter, &segmenter.cut(text, Mode::Search))
}

/// [`word_tokens`] from the text's search-mode terms, for a caller that
/// has segmented the text already (e.g. `kesu run`, which derives them
/// with [`Segmenter::search_of_precise`] from the precise cut its mining
/// uses too, so each text is segmented once).
pub fn word_tokens_of(segmenter: &Segmenter, search: &[Term<'_>]) -> Vec<Token> {
    searchable(segmenter, search)
        .enumerate()
        .map(|(position, term)| Token {
            offset_from: term.start,
            offset_to: term.end,
            position,
            text: fold(term.text),
            position_length: 1,
        })
        .collect()
}

/// The search-mode terms kesu ranks on (see [`word_tokens`]).
fn searchable<'a, 't>(
    segmenter: &'a Segmenter,
    search: &'a [Term<'t>],
) -> impl Iterator<Item = &'a Term<'t>> {
    search
        .iter()
        .filter(|term| is_searchable_word(term.text) && !segmenter.is_stopword(term.text))
}

/// Starts, and separates the words of, a [`cut_words`] value. A unit
/// separator: the segmenter never puts one inside a word (it keeps only
/// letters, digits and a little punctuation together), and no query has one.
pub const WORD_SEPARATOR: char = '\u{1F}';

/// The word field value of a text whose search-mode terms are `search`: the
/// words of [`word_tokens_of`], folded, each preceded by [`WORD_SEPARATOR`].
/// [`WordTokenizer`] splits it back into exactly those words, without
/// segmenting again.
pub fn cut_words_of(segmenter: &Segmenter, search: &[Term<'_>]) -> String {
    let mut out = String::new();
    for term in searchable(segmenter, search) {
        out.push(WORD_SEPARATOR);
        // fold(), without a String per word
        out.extend(term.text.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// [`cut_words_of`] of a text not segmented yet.
pub fn cut_words(segmenter: &Segmenter, text: &str) -> String {
    cut_words_of(segmenter, &segmenter.cut(text, Mode::Search))
}

/// A word worth ranking on: holds at least one letter, digit or CJK character.
pub fn is_searchable_word(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Tantivy tokenizer of the word field: a [`cut_words`] value (it starts with
/// [`WORD_SEPARATOR`]) is split into its words; any other text is segmented
/// with kesu's [`Segmenter`] (search mode, [`word_tokens`]), so that the field
/// can also be tokenized by tantivy itself (query parsing by third-party
/// tools, snippets) and gives the same words as kesu's indexing.
#[derive(Clone)]
pub struct WordTokenizer {
    segmenter: Segmenter,
}

impl WordTokenizer {
    /// Adapter over this segmenter.
    pub fn new(segmenter: Segmenter) -> Self {
        WordTokenizer { segmenter }
    }
}

/// Stream of [`WordTokenizer`]: the tokens are computed up front.
pub struct WordStream {
    tokens: std::vec::IntoIter<Token>,
    token: Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let tokens = if text.starts_with(WORD_SEPARATOR) {
            split_cut_words(text)
        } else {
            word_tokens(&self.segmenter, text)
        };
        WordStream {
            tokens: tokens.into_iter(),
            token: Token::default(),
        }
    }
}

/// The words of a [`cut_words`] value, with their offsets in it.
fn split_cut_words(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start = 0;
    for piece in text.split(WORD_SEPARATOR) {
        let end = start + piece.len();
        if !piece.is_empty() {
            tokens.push(Token {
                offset_from: start,
                offset_to: end,
                position: tokens.len(),
                text: piece.to_owned(),
                position_length: 1,
            });
        }
        start = end + WORD_SEPARATOR.len_utf8();
    }
    tokens
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.token = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The bigram terms a phrase query needs to pin `text` down exactly: bigrams
/// at offsets 0, 2, 4, … and the last one, which together cover every
/// character. Returns `(offset, bigram)` pairs; empty for texts under two
/// characters.
pub fn covering_bigrams(folded: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = folded.chars().collect();
    if chars.len() < 2 {
        return Vec::new();
    }
    let last = chars.len() - 2;
    let mut offsets: Vec<usize> = (0..=last).step_by(2).collect();
    if offsets.last() != Some(&last) {
        offsets.push(last);
    }
    offsets
        .into_iter()
        .map(|i| (i, chars[i..i + 2].iter().collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(mut t: CharGramTokenizer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = t.token_stream(text);
        while let Some(tok) = stream.next() {
            out.push((
                tok.text.clone(),
                tok.position,
                tok.offset_from,
                tok.offset_to,
            ));
        }
        out
    }

    #[test]
    fn bigrams_overlap_and_keep_punctuation() {
        let g = grams(CharGramTokenizer::bigrams(), "停电,A");
        assert_eq!(
            g,
            vec![
                ("停电".to_owned(), 0, 0, 6),
                ("电,".to_owned(), 1, 3, 7),
                (",a".to_owned(), 2, 6, 8),
            ]
        );
    }

    #[test]
    fn unigrams_cover_every_char() {
        let g = grams(CharGramTokenizer::unigrams(), "电 😀");
        let texts: Vec<&str> = g.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(texts, vec!["电", " ", "😀"]);
        // Each character once, at its first occurrence.
        let g = grams(CharGramTokenizer::unigrams(), "电表电A表a");
        assert_eq!(
            g,
            vec![
                ("电".to_owned(), 0, 0, 3),
                ("表".to_owned(), 1, 3, 6),
                ("a".to_owned(), 2, 9, 10),
            ]
        );
        assert!(grams(CharGramTokenizer::bigrams(), "电").is_empty());
        assert!(grams(CharGramTokenizer::bigrams(), "").is_empty());
    }

    #[test]
    fn covering_bigrams_cover_every_char() {
        assert!(covering_bigrams("停").is_empty());
        assert_eq!(covering_bigrams("停电"), vec![(0, "停电".to_owned())]);
        assert_eq!(
            covering_bigrams("停电未通知"),
            vec![
                (0, "停电".to_owned()),
                (2, "未通".to_owned()),
                (3, "通知".to_owned())
            ]
        );
        assert_eq!(
            covering_bigrams("停电未通"),
            vec![(0, "停电".to_owned()), (2, "未通".to_owned())]
        );
    }

    #[test]
    fn cut_words_split_back_into_the_same_words() {
        let seg = kesu_segment::Analyzer::builtin()
            .expect("analyzer")
            .segmenter;
        for text in ["客户反映ABC电表跳字，要求更换", "停电", "", "，。", "a"] {
            let joined = cut_words(&seg, text);
            let mut stream = WordTokenizer::new(seg.clone()).token_stream(&joined);
            let mut split = Vec::new();
            while let Some(t) = stream.next() {
                split.push((t.text.clone(), t.position));
            }
            let direct: Vec<(String, usize)> = word_tokens(&seg, text)
                .into_iter()
                .map(|t| (t.text, t.position))
                .collect();
            assert_eq!(split, direct, "{text}");
        }
        // Other text (a query through tantivy) is segmented, not split.
        let mut stream = WordTokenizer::new(seg.clone()).token_stream("电表跳字");
        assert!(stream.advance());
        let words: Vec<(String, usize, usize)> = split_cut_words("\u{1F}电表\u{1F}\u{1F}a")
            .into_iter()
            .map(|t| (t.text, t.offset_from, t.offset_to))
            .collect();
        assert_eq!(words, vec![("电表".into(), 1, 7), ("a".into(), 9, 10)]);
    }

    #[test]
    fn searchable_words() {
        assert!(is_searchable_word("停电"));
        assert!(is_searchable_word("95598"));
        assert!(!is_searchable_word("，"));
        assert!(!is_searchable_word(" "));
    }
}
