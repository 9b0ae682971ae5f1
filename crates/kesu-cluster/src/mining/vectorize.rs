//! Step 1, vectorize: each order's content-word ids, plus the operator-typed
//! class and subclass as two extra tokens, become a TF-IDF vector.

use super::MiningConfig;
use crate::corpus::Corpus;
use crate::features::{self, Features};

/// Prefix of the typed-class feature tokens (never shown as a top term).
pub(super) const TYPED_PREFIX: &str = "\u{1}typed:";

/// The TF-IDF features of every order, in input order.
pub(super) fn features(corpus: &Corpus, cfg: &MiningConfig) -> Features {
    let orders = &corpus.orders;
    let n = orders.len();
    // The operator-typed class and subclass as two extra tokens: noisy, but
    // right most of the time, so they pull orders of one cause together.
    let mut typed_names: Vec<String> = Vec::new();
    let typed_tokens: Vec<[u32; 2]> = if cfg.typed_features {
        let base = corpus.lexicon.len() as u32;
        let mut ids: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        let mut token = |name: String| {
            *ids.entry(name).or_insert_with_key(|name| {
                typed_names.push(name.clone());
                base + typed_names.len() as u32 - 1
            })
        };
        orders
            .iter()
            .map(|o| match corpus.symbol(o.category) {
                Some(c) => [
                    token(format!("{TYPED_PREFIX}{c}")),
                    match corpus.symbol(o.subcategory) {
                        Some(s) => token(format!("{TYPED_PREFIX}{c}/{s}")),
                        None => u32::MAX,
                    },
                ],
                None => [u32::MAX; 2],
            })
            .collect()
    } else {
        Vec::new()
    };
    let lexicon: Vec<&str> = corpus
        .lexicon
        .iter()
        .map(|t| &**t)
        .chain(typed_names.iter().map(String::as_str))
        .collect();
    features::tfidf_from(n, &lexicon, &cfg.features, |i, out| {
        out.extend_from_slice(&orders[i].terms);
        if let Some(t) = typed_tokens.get(i) {
            out.extend(t.iter().copied().filter(|&t| t != u32::MAX));
        }
    })
}
