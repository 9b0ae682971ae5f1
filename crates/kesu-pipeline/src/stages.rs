//! The stages `kesu run` and `kesu analyze` share, each a function of its
//! inputs, so that a one-file analysis and a week of the weekly job go
//! through the same code.
//!
//! Both commands **read** with [`kesu_ingest::ingest_with`], normalising
//! and redacting on the parsing threads. `kesu analyze` digests each order
//! for mining as it is parsed (it keeps nothing else, so a million orders fit
//! in little memory); `kesu run` keeps the orders, which the index stores,
//! and digests them per week. Both then **mine** with [`mine`].

use kesu_cluster::{
    Corpus, CorpusBuilder, LabelWords, Mining, MiningConfig, OrderDigest, Taxonomy,
};
use kesu_segment::Segmenter;

/// The mine stage: the corpus of the digested orders, whose cause labels
/// may use only the words `segmenter` tags as naming something (so that a
/// label reads as a problem, not as 时间·通知·实际), mined for root causes.
///
/// Returns the corpus with the result (the caller reads truth columns or
/// identities from it) and `None` for no orders, which is no error here:
/// `kesu run` has weeks without orders; `kesu analyze` refuses them first.
pub fn mine(
    builder: CorpusBuilder,
    digests: Vec<OrderDigest>,
    segmenter: &Segmenter,
    taxonomy: &Taxonomy,
    config: &MiningConfig,
) -> kesu_cluster::Result<(Corpus, Option<Mining>)> {
    let mut corpus = builder.finish(digests);
    let tagger = segmenter.clone();
    corpus.label_words = Some(LabelWords::new(move |w| tagger.is_naming_word(w)));
    if corpus.is_empty() {
        return Ok((corpus, None));
    }
    let mining = kesu_cluster::mine(&corpus, taxonomy, config)?;
    Ok((corpus, Some(mining)))
}
