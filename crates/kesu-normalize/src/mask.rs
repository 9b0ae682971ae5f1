//! Masking found personal data, and the [`Redacted`] text type that proves it was done.

use std::fmt;

use serde::Serialize;

use crate::pii::{Finding, is_maskable};

/// Text whose personal data has been masked by this crate.
///
/// The field is private and there is no `Deserialize`: the only way to get a
/// `Redacted` is [`Normalizer::redact`](crate::Normalizer::redact) and its
/// siblings. Management-facing outputs take `Redacted`, so raw text cannot
/// reach them by accident.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Redacted(String);

impl Redacted {
    pub(crate) fn new(text: String) -> Redacted {
        Redacted(text)
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Gives back spare capacity (for texts kept for a whole run).
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// The masked text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Redacted {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Copies `text` with every finding masked; `findings` are sorted and disjoint.
pub(crate) fn apply_masks(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in findings {
        out.push_str(&text[last..f.span.start]);
        mask_into(&text[f.span.start..f.span.end], f, &mut out);
        last = f.span.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces the maskable characters of one span by `*`, keeping the head and
/// tail the finding asks for (so `13812345678` reads `138****5678`). A value
/// too short to keep anything and still hide something is starred entirely.
fn mask_into(span: &str, finding: &Finding, out: &mut String) {
    let kind = finding.span.kind;
    let total = span.chars().filter(|c| is_maskable(kind, *c)).count();
    let (head, tail) = if finding.keep_head + finding.keep_tail >= total {
        (0, 0)
    } else {
        (finding.keep_head, finding.keep_tail)
    };
    let mut index = 0;
    for c in span.chars() {
        if !is_maskable(kind, c) {
            out.push(c);
            continue;
        }
        if index < head || index >= total - tail {
            out.push(c);
        } else {
            out.push('*');
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{PiiKind, PiiSpan};

    fn finding(kind: PiiKind, text: &str, keep_head: usize, keep_tail: usize) -> Finding {
        Finding {
            span: PiiSpan {
                kind,
                start: 0,
                end: text.len(),
            },
            keep_head,
            keep_tail,
        }
    }

    #[test]
    fn masks_keep_shape() {
        for (kind, text, head, tail, want) in [
            (PiiKind::Mobile, "13812345678", 3, 4, "138****5678"),
            (PiiKind::Mobile, "138-1234-5678", 3, 4, "138-****-5678"),
            (PiiKind::Mobile, "138****5678", 3, 4, "138****5678"),
            (
                PiiKind::IdCard,
                "11010519491231002X",
                6,
                4,
                "110105********002X",
            ),
            (
                PiiKind::Account,
                "6222021234567890",
                2,
                2,
                "62************90",
            ),
            (PiiKind::Account, "123", 2, 2, "***"),
            (PiiKind::Name, "欧阳", 0, 0, "**"),
            (PiiKind::Known, "文三路 90号", 0, 0, "*** ***"),
        ] {
            let mut out = String::new();
            mask_into(text, &finding(kind, text, head, tail), &mut out);
            assert_eq!(out, want, "{kind:?} {text}");
            assert_eq!(out.chars().count(), text.chars().count());
        }
    }

    #[test]
    fn untouched_text_is_copied() {
        let text = "客户张先生来电";
        let f = Finding {
            span: PiiSpan {
                kind: PiiKind::Name,
                start: "客户".len(),
                end: "客户张".len(),
            },
            keep_head: 0,
            keep_tail: 0,
        };
        assert_eq!(apply_masks(text, &[f]), "客户*先生来电");
        assert_eq!(apply_masks(text, &[]), text);
    }
}
