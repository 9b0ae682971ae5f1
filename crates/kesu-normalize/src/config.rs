//! Settings of the normaliser, as read from the `[normalize]` table of a pipeline file.

use serde::{Deserialize, Serialize};

/// What the normaliser does to a text, and which extra numbers it treats as personal data.
///
/// Every field has a default, so an empty table is a valid configuration.
/// The fingerprint of a [`Normalizer`](crate::Normalizer) is derived from the
/// serialised form of this struct, so any change here changes the analyzer version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct NormalizerConfig {
    /// Convert traditional Chinese to simplified (zh-Hans) with `zhconv`.
    pub simplify: bool,
    /// Fold full-width ASCII (U+FF01–FF5E) and the ideographic space to half-width.
    pub fullwidth: bool,
    /// Collapse every whitespace run (incl. `\r\n\t`, U+3000, NBSP) to one space and trim.
    pub collapse_whitespace: bool,
    /// Regexes locating account / customer numbers. When a pattern has a capture
    /// group named `value` (or else a first capture group) only that group is
    /// masked, so the keyword in front of the number stays readable.
    pub account_patterns: Vec<String>,
    /// Regexes locating meter numbers; same capture-group rule as `account_patterns`.
    pub meter_patterns: Vec<String>,
}

/// Digits as they appear before and after normalisation (ASCII and full-width).
pub(crate) const DIGIT: &str = "[0-9０-９]";

/// The default account / customer-number patterns: a digit run of 10–20
/// (or a card number written in groups of four) right after the keywords a
/// utility export uses for it.
pub fn default_account_patterns() -> Vec<String> {
    vec![format!(
        r"(?:户号|客户编号|客户号|用户编号|用户号|账号|帐号|账户|帐户|银行卡号?|卡号)\s*(?:[:：]|是|为)?\s*(?P<value>{DIGIT}{{4}}(?:[ -]{DIGIT}{{4}}){{2,4}}(?:[ -]{DIGIT}{{1,3}})?|{DIGIT}{{10,20}})"
    )]
}

/// The default meter-number patterns: letters and digits after 表号 and its variants.
pub fn default_meter_patterns() -> Vec<String> {
    vec![
        r"(?:电能表编号|电能表号|电表编号|电表号|表计编号|表计号|表号)\s*(?:[:：]|是|为)?\s*(?P<value>[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{5,40})"
            .to_owned(),
    ]
}

impl Default for NormalizerConfig {
    fn default() -> Self {
        NormalizerConfig {
            simplify: true,
            fullwidth: true,
            collapse_whitespace: true,
            account_patterns: default_account_patterns(),
            meter_patterns: default_meter_patterns(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_is_the_default() {
        let cfg: NormalizerConfig = serde_json::from_str("{}").expect("empty object parses");
        assert_eq!(cfg, NormalizerConfig::default());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = serde_json::from_str::<NormalizerConfig>(r#"{"simplfy": false}"#);
        assert!(err.is_err());
    }

    #[test]
    fn kebab_case_keys() {
        let cfg: NormalizerConfig =
            serde_json::from_str(r#"{"collapse-whitespace": false, "account-patterns": []}"#)
                .expect("parses");
        assert!(!cfg.collapse_whitespace);
        assert!(cfg.account_patterns.is_empty());
        assert!(cfg.simplify);
    }
}
