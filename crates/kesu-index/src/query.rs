//! The auditor's query language: substring terms, quoted phrases, `OR`,
//! `-term` / `NOT`, parentheses and `field:value` filters.
//!
//! Grammar (whitespace separates terms; juxtaposition is AND):
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*
//! unary   := ("-" | "NOT") unary | primary
//! primary := "(" query ")" | '"' text '"' | field ":" value | term
//! ```
//!
//! The input is normalised with the same `Normalizer` as the documents before
//! parsing, so traditional / full-width forms parse to the same query. Parsing
//! is bounded: the input length, the number of terms and the nesting depth are
//! capped, so a hostile query fails fast with a typed [`QueryError`] instead of
//! running long or overflowing the stack.

use chrono::NaiveDate;
use kesu_normalize::Normalizer;

use crate::schema::FilterField;
use crate::tokenize::{fold, is_searchable_word};

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most terms (leaves) in one query.
pub const MAX_TERMS: usize = 64;
/// Deepest nesting of parentheses / negations.
pub const MAX_DEPTH: usize = 16;

/// Why a query was refused. Every variant is the user's mistake, reported
/// as such (the CLI exits 2 with this message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing but whitespace.
    #[error("the query is empty")]
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("the query is {chars} characters long; the limit is {MAX_QUERY_CHARS}")]
    TooLong {
        /// Characters in the query.
        chars: usize,
    },
    /// More than [`MAX_TERMS`] terms.
    #[error("the query has more than {MAX_TERMS} terms")]
    TooManyTerms,
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("the query is nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// A `"` without its closing partner.
    #[error("unbalanced quote: the phrase starting at character {at} is not closed")]
    UnbalancedQuote {
        /// Character index of the opening quote.
        at: usize,
    },
    /// A `(` without `)` or the reverse.
    #[error("unbalanced parenthesis at character {at}")]
    UnbalancedParen {
        /// Character index of the offending parenthesis.
        at: usize,
    },
    /// `""`: a phrase with nothing in it.
    #[error("empty phrase \"\" at character {at}")]
    EmptyPhrase {
        /// Character index of the opening quote.
        at: usize,
    },
    /// An unquoted term made only of punctuation or symbols.
    #[error(
        "{term:?} has no letters, digits or Chinese characters; quote it to search for it literally"
    )]
    NoSearchableText {
        /// The term as typed (normalised).
        term: String,
    },
    /// An operator (`OR`, `AND`, `NOT`, `-`) with nothing to apply to.
    #[error("{operator} is missing an operand")]
    MissingOperand {
        /// The operator.
        operator: String,
    },
    /// `field:` with an empty value.
    #[error("filter {field}: has no value")]
    EmptyFilter {
        /// The field name.
        field: String,
    },
    /// `from:` / `to:` with something that is not a date.
    #[error("{value:?} is not a date (expected YYYY-MM-DD)")]
    BadDate {
        /// The value given.
        value: String,
    },
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Documents whose normalised text contains this (folded) string.
    /// `quoted` records whether it was written as a phrase.
    Substring {
        /// The folded, normalised string.
        text: String,
        /// Written in quotes.
        quoted: bool,
    },
    /// Documents whose field equals the (normalised) value.
    Field {
        /// Which field.
        field: FilterField,
        /// The value.
        value: String,
    },
    /// Received on or after this day.
    From(NaiveDate),
    /// Received on or before this day.
    To(NaiveDate),
    /// Every sub-query matches.
    And(Vec<Query>),
    /// At least one sub-query matches.
    Or(Vec<Query>),
    /// The sub-query does not match.
    Not(Box<Query>),
}

impl Query {
    /// Parses a query, normalising it with the documents' normaliser first.
    pub fn parse(input: &str, normalizer: &Normalizer) -> Result<Query, QueryError> {
        let chars = input.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong { chars });
        }
        let normalised = normalizer.normalize(input);
        Query::parse_normalized(&normalised)
    }

    /// Parses an already normalised query.
    pub fn parse_normalized(input: &str) -> Result<Query, QueryError> {
        let chars = input.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong { chars });
        }
        let tokens = lex(input)?;
        if tokens.is_empty() {
            return Err(QueryError::Empty);
        }
        let leaves = tokens
            .iter()
            .filter(|t| matches!(t.kind, Tok::Word(_) | Tok::Phrase(_)))
            .count();
        if leaves > MAX_TERMS {
            return Err(QueryError::TooManyTerms);
        }
        let mut parser = Parser { tokens, pos: 0 };
        let query = parser.or(0)?;
        if let Some(tok) = parser.tokens.get(parser.pos) {
            // The only way to stop early is a stray closing parenthesis.
            return Err(QueryError::UnbalancedParen { at: tok.at });
        }
        Ok(query)
    }

    /// The strings that positively match (not under a negation), for
    /// highlighting and ranking.
    pub fn positive_substrings(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_positive(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_positive<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Query::Substring { text, .. } => out.push(text),
            Query::And(qs) | Query::Or(qs) => qs.iter().for_each(|q| q.collect_positive(out)),
            Query::Not(_) | Query::Field { .. } | Query::From(_) | Query::To(_) => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Or,
    And,
    Not,
    Minus,
    Word(String),
    Phrase(String),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    at: usize,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

fn lex(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == '（' {
            tokens.push(Token {
                kind: Tok::Open,
                at: i,
            });
            i += 1;
        } else if c == ')' || c == '）' {
            tokens.push(Token {
                kind: Tok::Close,
                at: i,
            });
            i += 1;
        } else if is_quote(c) {
            let start = i;
            let close = chars[i + 1..].iter().position(|&c| is_quote(c));
            let Some(len) = close else {
                return Err(QueryError::UnbalancedQuote { at: start });
            };
            let text: String = chars[i + 1..i + 1 + len].iter().collect();
            if text.is_empty() {
                return Err(QueryError::EmptyPhrase { at: start });
            }
            tokens.push(Token {
                kind: Tok::Phrase(text),
                at: start,
            });
            i += len + 2;
        } else if c == '-' && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            tokens.push(Token {
                kind: Tok::Minus,
                at: i,
            });
            i += 1;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '（' | '）')
                && !is_quote(chars[i])
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `unit:"城区 中心"`: a filter whose value is a phrase.
            if word.ends_with(':')
                && i < chars.len()
                && is_quote(chars[i])
                && FilterField::from_name(&word[..word.len() - 1]).is_some()
            {
                let close = chars[i + 1..].iter().position(|&c| is_quote(c));
                let Some(len) = close else {
                    return Err(QueryError::UnbalancedQuote { at: i });
                };
                let value: String = chars[i + 1..i + 1 + len].iter().collect();
                tokens.push(Token {
                    kind: Tok::Word(format!("{word}{value}")),
                    at: start,
                });
                i += len + 2;
                continue;
            }
            let kind = match word.as_str() {
                "OR" | "|" | "||" => Tok::Or,
                "AND" | "&&" => Tok::And,
                "NOT" => Tok::Not,
                _ => Tok::Word(word),
            };
            tokens.push(Token { kind, at: start });
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn or(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut alternatives = vec![self.and(depth)?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            if self.starts_unary() {
                alternatives.push(self.and(depth)?);
            } else {
                return Err(QueryError::MissingOperand {
                    operator: "OR".into(),
                });
            }
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Query::Or(alternatives)
        })
    }

    fn starts_unary(&self) -> bool {
        matches!(
            self.peek(),
            Some(Tok::Open | Tok::Not | Tok::Minus | Tok::Word(_) | Tok::Phrase(_))
        )
    }

    fn and(&mut self, depth: usize) -> Result<Query, QueryError> {
        if !self.starts_unary() {
            return Err(self.unexpected());
        }
        let mut parts = vec![self.unary(depth)?];
        loop {
            if self.peek() == Some(&Tok::And) {
                self.pos += 1;
                if !self.starts_unary() {
                    return Err(QueryError::MissingOperand {
                        operator: "AND".into(),
                    });
                }
            }
            if !self.starts_unary() {
                break;
            }
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unexpected(&self) -> QueryError {
        match self.tokens.get(self.pos) {
            Some(Token {
                kind: Tok::Close,
                at,
            }) => QueryError::UnbalancedParen { at: *at },
            Some(Token { kind: Tok::Or, .. }) => QueryError::MissingOperand {
                operator: "OR".into(),
            },
            Some(Token { kind: Tok::And, .. }) => QueryError::MissingOperand {
                operator: "AND".into(),
            },
            _ => QueryError::Empty,
        }
    }

    fn unary(&mut self, depth: usize) -> Result<Query, QueryError> {
        if depth > MAX_DEPTH {
            return Err(QueryError::TooDeep);
        }
        match self.peek() {
            Some(Tok::Not | Tok::Minus) => {
                let operator = if self.peek() == Some(&Tok::Not) {
                    "NOT"
                } else {
                    "-"
                };
                self.pos += 1;
                if !self.starts_unary() {
                    return Err(QueryError::MissingOperand {
                        operator: operator.into(),
                    });
                }
                Ok(Query::Not(Box::new(self.unary(depth + 1)?)))
            }
            _ => self.primary(depth),
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Query, QueryError> {
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            return Err(QueryError::Empty);
        };
        self.pos += 1;
        match token.kind {
            Tok::Open => {
                if self.peek() == Some(&Tok::Close) {
                    return Err(QueryError::UnbalancedParen { at: token.at });
                }
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(QueryError::UnbalancedParen { at: token.at });
                }
                self.pos += 1;
                Ok(inner)
            }
            Tok::Phrase(text) => Ok(Query::Substring {
                text: fold(&text),
                quoted: true,
            }),
            Tok::Word(word) => word_query(&word),
            Tok::Close => Err(QueryError::UnbalancedParen { at: token.at }),
            Tok::Or | Tok::And | Tok::Not | Tok::Minus => Err(QueryError::MissingOperand {
                operator: format!("{:?}", token.kind),
            }),
        }
    }
}

fn word_query(word: &str) -> Result<Query, QueryError> {
    if let Some((name, value)) = word.split_once(':') {
        let name = name.to_ascii_lowercase();
        if let Some(field) = FilterField::from_name(&name) {
            if value.is_empty() {
                return Err(QueryError::EmptyFilter { field: name });
            }
            return Ok(Query::Field {
                field,
                value: value.to_owned(),
            });
        }
        if name == "from" || name == "to" {
            let date = parse_date(value)?;
            return Ok(if name == "from" {
                Query::From(date)
            } else {
                Query::To(date)
            });
        }
    }
    if !is_searchable_word(word) {
        return Err(QueryError::NoSearchableText {
            term: word.to_owned(),
        });
    }
    Ok(Query::Substring {
        text: fold(word),
        quoted: false,
    })
}

/// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYYMMDD`).
pub fn parse_date(value: &str) -> Result<NaiveDate, QueryError> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(value, f).ok())
        .ok_or_else(|| QueryError::BadDate {
            value: value.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sub(text: &str) -> Query {
        Query::Substring {
            text: text.into(),
            quoted: false,
        }
    }

    fn parse(s: &str) -> Result<Query, QueryError> {
        Query::parse_normalized(s)
    }

    #[test]
    fn terms_are_anded() {
        assert_eq!(
            parse("停电 通知"),
            Ok(Query::And(vec![sub("停电"), sub("通知")]))
        );
    }

    #[test]
    fn phrases_keep_spaces_and_fold_ascii() {
        assert_eq!(
            parse("\"停电 未通知 APP\""),
            Ok(Query::Substring {
                text: "停电 未通知 app".into(),
                quoted: true
            })
        );
    }

    #[test]
    fn operators_and_parentheses() {
        assert_eq!(
            parse("(停电 OR 断电) -抢修 NOT 表扬"),
            Ok(Query::And(vec![
                Query::Or(vec![sub("停电"), sub("断电")]),
                Query::Not(Box::new(sub("抢修"))),
                Query::Not(Box::new(sub("表扬"))),
            ]))
        );
        assert_eq!(
            parse("a OR b c"),
            Ok(Query::Or(vec![
                sub("a"),
                Query::And(vec![sub("b"), sub("c")])
            ]))
        );
        assert_eq!(parse("a AND b"), Ok(Query::And(vec![sub("a"), sub("b")])));
    }

    #[test]
    fn field_filters() {
        assert_eq!(
            parse("unit:城区供电服务中心 停电"),
            Ok(Query::And(vec![
                Query::Field {
                    field: FilterField::Unit,
                    value: "城区供电服务中心".into()
                },
                sub("停电")
            ]))
        );
        assert_eq!(
            parse("channel:\"网上 国网\""),
            Ok(Query::Field {
                field: FilterField::Channel,
                value: "网上 国网".into()
            })
        );
        assert_eq!(
            parse("from:2024-03-01"),
            Ok(Query::From(
                NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default()
            ))
        );
        assert!(matches!(
            parse("from:yesterday"),
            Err(QueryError::BadDate { .. })
        ));
        // An unknown prefix is just text.
        assert_eq!(parse("电话:138"), Ok(sub("电话:138")));
        assert!(matches!(
            parse("unit:"),
            Err(QueryError::EmptyFilter { .. })
        ));
    }

    #[test]
    fn bad_queries_are_typed_errors() {
        assert_eq!(parse(""), Err(QueryError::Empty));
        assert_eq!(parse("   "), Err(QueryError::Empty));
        assert_eq!(parse("\"停电"), Err(QueryError::UnbalancedQuote { at: 0 }));
        assert_eq!(parse("(停电"), Err(QueryError::UnbalancedParen { at: 0 }));
        assert_eq!(parse("停电)"), Err(QueryError::UnbalancedParen { at: 2 }));
        assert_eq!(parse("()"), Err(QueryError::UnbalancedParen { at: 0 }));
        assert!(matches!(
            parse("，。！"),
            Err(QueryError::NoSearchableText { .. })
        ));
        assert!(matches!(
            parse("停电 OR"),
            Err(QueryError::MissingOperand { .. })
        ));
        assert!(matches!(
            parse("OR 停电"),
            Err(QueryError::MissingOperand { .. })
        ));
        assert!(matches!(
            parse("NOT"),
            Err(QueryError::MissingOperand { .. })
        ));
        assert_eq!(parse("\"\""), Err(QueryError::EmptyPhrase { at: 0 }));
        let long = "停".repeat(10_000);
        assert_eq!(parse(&long), Err(QueryError::TooLong { chars: 10_000 }));
        let many = vec!["电"; 100].join(" ");
        assert_eq!(parse(&many), Err(QueryError::TooManyTerms));
        let deep = format!("{}电{}", "(".repeat(40), ")".repeat(40));
        assert_eq!(parse(&deep), Err(QueryError::TooDeep));
        let nots = format!("{}电", "-".repeat(40));
        assert_eq!(parse(&nots), Err(QueryError::TooDeep));
    }

    #[test]
    fn query_is_normalised() {
        let n = Normalizer::builtin();
        let simplified = Query::parse("停电 通知", &n);
        assert_eq!(Query::parse("停電 通知", &n), simplified);
        assert_eq!(Query::parse("＂停電＂", &n), Query::parse("\"停电\"", &n));
        assert_eq!(Query::parse("ＡＰＰ", &n), Ok(sub("app")));
    }

    #[test]
    fn positive_substrings_skip_negations() {
        let q = parse("停电 (通知 OR 短信) -抢修 unit:城区").unwrap_or(Query::And(vec![]));
        assert_eq!(q.positive_substrings(), vec!["停电", "短信", "通知"]);
    }

    proptest! {
        #[test]
        fn parser_never_panics(s in "[\\(\\)\"\\-停电 ORNTA:a-z，]{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn parser_never_panics_on_any_text(s in "\\PC{0,200}") {
            let _ = Query::parse(&s, &Normalizer::builtin());
        }
    }
}
