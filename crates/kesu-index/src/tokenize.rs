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

use kesu_segment::{Mode, Segmenter, Term};
use tantivy::tokenizer::{PreTokenizedString, Token, TokenStream, Tokenizer};

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

/// Character n-grams (n = 1 or 2) over the folded text, one position per
/// character.
#[derive(Debug, Clone, Copy)]
pub struct CharGramTokenizer {
    gram: usize,
}

impl CharGramTokenizer {
    /// One token per character.
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
    /// Byte offset of every character, plus the text length at the end.
    bounds: Vec<usize>,
    gram: usize,
    next: usize,
    token: Token,
}

impl Tokenizer for CharGramTokenizer {
    type TokenStream<'a> = CharGramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CharGramStream {
        let folded = fold(text);
        let mut bounds: Vec<usize> = folded.char_indices().map(|(i, _)| i).collect();
        bounds.push(folded.len());
        CharGramStream {
            folded,
            bounds,
            gram: self.gram,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for CharGramStream {
    fn advance(&mut self) -> bool {
        // bounds has chars + 1 entries; a gram starting at `next` ends at `next + gram`.
        if self.next + self.gram >= self.bounds.len() {
            return false;
        }
        let (from, to) = (self.bounds[self.next], self.bounds[self.next + self.gram]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.next;
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
    let mut tokens = Vec::new();
    for term in search {
        if !is_searchable_word(term.text) || segmenter.is_stopword(term.text) {
            continue;
        }
        tokens.push(Token {
            offset_from: term.start,
            offset_to: term.end,
            position: tokens.len(),
            text: fold(term.text),
            position_length: 1,
        });
    }
    tokens
}

/// The segmented word field value of one text: segmenting happens here, once
/// per document, outside the index writer (so it can run on every core).
pub fn pre_tokenized_words(segmenter: &Segmenter, text: &str) -> PreTokenizedString {
    PreTokenizedString {
        text: text.to_owned(),
        tokens: word_tokens(segmenter, text),
    }
}

/// A word worth ranking on: holds at least one letter, digit or CJK character.
pub fn is_searchable_word(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Tantivy tokenizer adapter over kesu's [`Segmenter`] (search mode), so the
/// word field can also be tokenized by tantivy itself (query parsing by
/// third-party tools, snippets); kesu's own indexing path pre-tokenizes with
/// the same [`word_tokens`].
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
        WordStream {
            tokens: word_tokens(&self.segmenter, text).into_iter(),
            token: Token::default(),
        }
    }
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
    fn searchable_words() {
        assert!(is_searchable_word("停电"));
        assert!(is_searchable_word("95598"));
        assert!(!is_searchable_word("，"));
        assert!(!is_searchable_word(" "));
    }
}
