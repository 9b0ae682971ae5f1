//! The [`Analyzer`]: normaliser plus segmenter, and the version stamped on outputs.

use std::fmt;

use kesu_normalize::{Normalizer, NormalizerConfig};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Result, Segmenter, SegmenterConfig};

/// Everything that decides how text is analysed: normalisation and
/// segmentation settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AnalyzerConfig {
    /// How text is normalised and redacted.
    pub normalize: NormalizerConfig,
    /// Which dictionaries and stop words segment it.
    pub segment: SegmenterConfig,
}

/// A normaliser and a segmenter that belong together: stored `text_norm`
/// is only valid input for the segmenter it was normalised alongside.
#[derive(Clone)]
pub struct Analyzer {
    /// Normalises and redacts order text.
    pub normalizer: Normalizer,
    /// Segments normalised text.
    pub segmenter: Segmenter,
}

impl fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analyzer")
            .field("version", &self.version())
            .field("segmenter", &self.segmenter)
            .finish_non_exhaustive()
    }
}

impl Analyzer {
    /// Builds the normaliser and the segmenter of `cfg`.
    pub fn new(cfg: &AnalyzerConfig) -> Result<Analyzer> {
        // Two independent loads (regexes and tables; jieba's dictionary):
        // side by side, since every command waits for both.
        let (normalizer, segmenter) = rayon::join(
            || Normalizer::new(&cfg.normalize),
            || Segmenter::new(&cfg.segment),
        );
        Ok(Analyzer {
            normalizer: normalizer?,
            segmenter: segmenter?,
        })
    }

    /// The built-in normaliser and segmenter (the segmenter's dictionary is
    /// loaded once per process).
    pub fn builtin() -> Result<Analyzer> {
        Ok(Analyzer {
            normalizer: Normalizer::builtin(),
            segmenter: Segmenter::builtin()?,
        })
    }

    /// Identifies this analysis: equal versions mean equal `text_norm`,
    /// tokens and terms for the same input.
    pub fn version(&self) -> AnalyzerVersion {
        let mut hash = Sha256::new();
        for part in [
            self.normalizer.fingerprint().as_str(),
            self.segmenter.fingerprint(),
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        let digest = hash.finalize();
        let mut hex = String::with_capacity(16);
        for b in &digest[..8] {
            hex.push_str(&format!("{b:02x}"));
        }
        AnalyzerVersion(hex)
    }
}

/// 16 hex characters identifying an [`Analyzer`]'s settings and logic;
/// stored as `kesu.analyzer_version` in every table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnalyzerVersion(pub String);

impl fmt::Display for AnalyzerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn version_is_16_hex_and_stable() {
        let a = Analyzer::builtin().unwrap();
        let v = a.version();
        assert_eq!(v.0.len(), 16);
        assert!(
            v.0.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            v,
            Analyzer::new(&AnalyzerConfig::default()).unwrap().version()
        );
        assert_eq!(v.to_string(), v.0);
    }

    #[test]
    fn version_changes_with_a_user_dict() {
        let mut dict = tempfile::NamedTempFile::new().unwrap();
        dict.write_all("台区线损 1000 n\n".as_bytes()).unwrap();
        let mut cfg = AnalyzerConfig::default();
        cfg.segment.user_dicts.push(dict.path().to_path_buf());
        let custom = Analyzer::new(&cfg).unwrap();
        assert_ne!(custom.version(), Analyzer::builtin().unwrap().version());
    }

    #[test]
    fn version_changes_with_normaliser_settings() {
        let mut cfg = AnalyzerConfig::default();
        cfg.normalize.simplify = !cfg.normalize.simplify;
        assert_ne!(
            Analyzer::new(&cfg).unwrap().version(),
            Analyzer::builtin().unwrap().version()
        );
    }

    #[test]
    fn normalised_traditional_text_segments_like_simplified() {
        let a = Analyzer::builtin().unwrap();
        let norm = a.normalizer.normalize("臺區低電壓，頻繁停電");
        assert_eq!(a.segmenter.terms(&norm), ["台区", "低电压", "频繁停电"]);
    }

    #[test]
    fn config_reads_nested_tables() {
        let cfg: AnalyzerConfig =
            toml::from_str("[segment]\nhmm = true\n[normalize]\nsimplify = false\n").unwrap();
        assert!(cfg.segment.hmm && !cfg.normalize.simplify);
        assert!(toml::from_str::<AnalyzerConfig>("[tokenize]\n").is_err());
    }
}
