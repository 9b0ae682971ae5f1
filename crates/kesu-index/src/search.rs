//! Searching: compiling a [`Query`] into tantivy queries, filters, one-pass
//! counting + ranking + facet collection, snippets, and `similar`.
//!
//! Matching and ranking are separate on purpose. Every substring leaf is a
//! *required* character match (unigram term or bigram phrase) that scores 0,
//! so which documents match is decided by characters alone (recall 1.0,
//! phrase precision 1.0). The score comes from *optional* BM25 clauses on the
//! word field for the leaf's words, plus a constant bonus when the positive
//! terms also occur together as one exact phrase. Equal scores are ordered by
//! recency (newer first), then by document address, so output is stable.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};
use std::ops::Bound;

use chrono::NaiveDate;
use kesu_segment::Analyzer;
use serde::Serialize;
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TantivyQuery,
    RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use crate::index::ComplaintIndex;
use crate::query::Query;
use crate::schema::FilterField;
use crate::schema::{Fields, StoredCase, load_case, names, seconds};
use crate::snippet::{Snippet, snippet};
use crate::tokenize::{covering_bigrams, fold, word_tokens};
use crate::{Error, Result};

/// Score added when all positive terms of an AND occur as one exact phrase.
const PHRASE_BONUS: Score = 1.0;
/// Characters of a snippet.
pub const SNIPPET_CHARS: usize = 80;
/// Words of the source document used by [`ComplaintSearcher::similar`].
const SIMILAR_WORDS: usize = 12;

/// Filters outside the query text (the CLI flags). All given ones must hold.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Received on or after this day.
    pub from: Option<NaiveDate>,
    /// Received on or before this day.
    pub to: Option<NaiveDate>,
    /// Field equals value (normalised like the indexed values).
    pub fields: Vec<(FilterField, String)>,
}

/// Facets that can be counted over the hit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Facet {
    /// 供电单位.
    Unit,
    /// 一级分类.
    Class,
    /// 二级分类.
    Subcategory,
    /// 受理渠道.
    Channel,
    /// 客户类别.
    CustomerClass,
    /// 是否属实.
    Substantiated,
    /// `YYYY-MM` of the received time.
    Month,
}

impl Facet {
    /// The facet of a name (`unit`, `class`, `channel`, `month`, …).
    pub fn from_name(name: &str) -> Option<Facet> {
        if name == "month" {
            return Some(Facet::Month);
        }
        Some(match FilterField::from_name(name)? {
            FilterField::Unit => Facet::Unit,
            FilterField::Class => Facet::Class,
            FilterField::Subcategory => Facet::Subcategory,
            FilterField::Channel => Facet::Channel,
            FilterField::CustomerClass => Facet::CustomerClass,
            FilterField::Substantiated => Facet::Substantiated,
            FilterField::Id => return None,
        })
    }

    /// The facet's name.
    pub fn name(self) -> &'static str {
        match self {
            Facet::Unit => FilterField::Unit.name(),
            Facet::Class => FilterField::Class.name(),
            Facet::Subcategory => FilterField::Subcategory.name(),
            Facet::Channel => FilterField::Channel.name(),
            Facet::CustomerClass => FilterField::CustomerClass.name(),
            Facet::Substantiated => FilterField::Substantiated.name(),
            Facet::Month => names::MONTH,
        }
    }
}

/// Value counts of one facet, most frequent first (ties by value).
pub type FacetCounts = Vec<(String, u64)>;

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Ranking score (BM25 on words + phrase bonus).
    pub score: Score,
    /// The case.
    pub case: StoredCase,
    /// Highlighted excerpt of the normalised text.
    pub snippet: Snippet,
}

/// A page of hits with the total and the requested facets.
#[derive(Debug, Clone, Serialize)]
pub struct Hits {
    /// Every matching document.
    pub total: u64,
    /// The requested page.
    pub hits: Vec<Hit>,
    /// Facet counts over every matching document.
    pub facets: BTreeMap<Facet, FacetCounts>,
}

impl ComplaintIndex {
    /// A searcher over the committed state.
    pub fn searcher(&self, analyzer: &Analyzer) -> ComplaintSearcher {
        ComplaintSearcher::new(self, analyzer)
    }
}

/// Searches one committed state of a [`ComplaintIndex`].
pub struct ComplaintSearcher {
    searcher: Searcher,
    fields: Fields,
    analyzer: Analyzer,
    words_only: bool,
}

impl ComplaintSearcher {
    /// A searcher over the index's current committed state.
    pub fn new(index: &ComplaintIndex, analyzer: &Analyzer) -> ComplaintSearcher {
        ComplaintSearcher {
            searcher: index.reader().searcher(),
            fields: *index.fields(),
            analyzer: analyzer.clone(),
            words_only: false,
        }
    }

    /// The word-only baseline: terms match through their segmented words
    /// only (what a plain jieba index does). For benchmarks and recall
    /// comparisons; it misses documents whose segmentation disagrees.
    pub fn words_only(mut self) -> ComplaintSearcher {
        self.words_only = true;
        self
    }

    /// Parses query text with the index's normaliser.
    pub fn parse(&self, text: &str) -> Result<Query> {
        Ok(Query::parse(text, &self.analyzer.normalizer)?)
    }

    /// The page `offset .. offset + limit` of the ranked hits, with the total.
    pub fn search(
        &self,
        query: &Query,
        filters: &Filters,
        limit: usize,
        offset: usize,
    ) -> Result<Hits> {
        self.search_with_facets(query, filters, limit, offset, &[])
    }

    /// [`ComplaintSearcher::search`] that also counts facets over every hit,
    /// in the same pass.
    pub fn search_with_facets(
        &self,
        query: &Query,
        filters: &Filters,
        limit: usize,
        offset: usize,
        facets: &[Facet],
    ) -> Result<Hits> {
        let compiled = self.compile(query, filters);
        let collector = RankCollector {
            keep: limit.saturating_add(offset),
            facets: facets.to_vec(),
        };
        let harvest = self.searcher.search(compiled.as_ref(), &collector)?;
        let needles = query.positive_substrings();
        let hits = harvest
            .top
            .iter()
            .skip(offset)
            .take(limit)
            .map(|ranked| self.hit(ranked, &needles))
            .collect::<Result<_>>()?;
        Ok(Hits {
            total: harvest.count,
            hits,
            facets: harvest.facets,
        })
    }

    /// Every hit, best first, handed to `sink` one at a time (documents are
    /// loaded lazily, so memory is one key per hit).
    pub fn for_each_hit(
        &self,
        query: &Query,
        filters: &Filters,
        mut sink: impl FnMut(Hit) -> Result<()>,
    ) -> Result<u64> {
        let compiled = self.compile(query, filters);
        let collector = RankCollector {
            keep: usize::MAX,
            facets: Vec::new(),
        };
        let harvest = self.searcher.search(compiled.as_ref(), &collector)?;
        let needles = query.positive_substrings();
        for ranked in &harvest.top {
            sink(self.hit(ranked, &needles)?)?;
        }
        Ok(harvest.count)
    }

    /// Number of matching documents.
    pub fn count(&self, query: &Query, filters: &Filters) -> Result<u64> {
        let compiled = self.compile(query, filters);
        Ok(self.searcher.search(compiled.as_ref(), &Count)? as u64)
    }

    /// Facet counts over every matching document.
    pub fn facets(
        &self,
        query: &Query,
        filters: &Filters,
        facets: &[Facet],
    ) -> Result<BTreeMap<Facet, FacetCounts>> {
        Ok(self
            .search_with_facets(query, filters, 0, 0, facets)?
            .facets)
    }

    /// The stored case of a work order id.
    pub fn get(&self, id: &str) -> Result<Option<StoredCase>> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let docs = self
            .searcher
            .search(&q, &tantivy::collector::DocSetCollector)?;
        match docs.into_iter().max() {
            Some(addr) => Ok(Some(load_case(&self.searcher, &self.fields, addr)?)),
            None => Ok(None),
        }
    }

    /// The complaints most like the one with this id (同类投诉): a BM25
    /// disjunction of its most distinctive words (tf · idf), excluding itself.
    pub fn similar(&self, id: &str, filters: &Filters, limit: usize) -> Result<Vec<Hit>> {
        let case = self
            .get(id)?
            .ok_or_else(|| Error::UnknownId { id: id.to_owned() })?;
        let words = self.top_words(&case.text_norm)?;
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = words
            .iter()
            .map(|w| {
                let q: Box<dyn TantivyQuery> = Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.words, w),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.id, id),
                IndexRecordOption::Basic,
            )),
        ));
        let words_query: Box<dyn TantivyQuery> = Box::new(BooleanQuery::new(clauses));
        let compiled = self.with_filters(words_query, filters);
        let collector = RankCollector {
            keep: limit,
            facets: Vec::new(),
        };
        let harvest = self.searcher.search(compiled.as_ref(), &collector)?;
        let needles: Vec<&str> = words.iter().map(String::as_str).collect();
        harvest
            .top
            .iter()
            .take(limit)
            .map(|ranked| self.hit(ranked, &needles))
            .collect()
    }

    /// The document's words ranked by tf · idf over the index.
    fn top_words(&self, text: &str) -> Result<Vec<String>> {
        let mut tf: BTreeMap<String, u32> = BTreeMap::new();
        for token in word_tokens(&self.analyzer.segmenter, text) {
            // Single characters carry little meaning for 同类 matching.
            if token.text.chars().count() >= 2 {
                *tf.entry(token.text).or_default() += 1;
            }
        }
        let n = self.searcher.num_docs().max(1) as f64;
        let mut scored = Vec::with_capacity(tf.len());
        for (word, count) in tf {
            let df = self
                .searcher
                .doc_freq(&Term::from_field_text(self.fields.words, &word))?
                as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            scored.push((f64::from(count) * idf, word));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        Ok(scored
            .into_iter()
            .take(SIMILAR_WORDS)
            .map(|(_, w)| w)
            .collect())
    }

    fn hit(&self, ranked: &Ranked, needles: &[&str]) -> Result<Hit> {
        let case = load_case(&self.searcher, &self.fields, ranked.addr)?;
        let snippet = snippet(&case.text_norm, needles, SNIPPET_CHARS);
        Ok(Hit {
            score: ranked.score,
            case,
            snippet,
        })
    }

    /// The tantivy query of a parsed query plus filters.
    pub fn compile(&self, query: &Query, filters: &Filters) -> Box<dyn TantivyQuery> {
        let q = self.compile_node(query, true);
        self.with_filters(q, filters)
    }

    fn with_filters(
        &self,
        query: Box<dyn TantivyQuery>,
        filters: &Filters,
    ) -> Box<dyn TantivyQuery> {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(Occur::Must, query)];
        if filters.from.is_some() || filters.to.is_some() {
            clauses.push((Occur::Must, self.date_range(filters.from, filters.to)));
        }
        for (field, value) in &filters.fields {
            clauses.push((Occur::Must, self.field_query(*field, value)));
        }
        if clauses.len() == 1 {
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Compiles one node. `scored` is false under a negation, where only the
    /// matching documents matter: no word clauses, no phrase bonus.
    fn compile_node(&self, query: &Query, scored: bool) -> Box<dyn TantivyQuery> {
        match query {
            Query::Substring { text, .. } if !scored && !self.words_only => {
                Box::new(ConstScoreQuery::new(self.char_match(text), 0.0))
            }
            Query::Substring { text, .. } => self.substring(text),
            Query::Field { field, value } => self.field_query(*field, value),
            Query::From(day) => self.date_range(Some(*day), None),
            Query::To(day) => self.date_range(None, Some(*day)),
            Query::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.compile_node(inner, false)),
            ])),
            Query::Or(parts) => Box::new(BooleanQuery::new(
                distinct(parts)
                    .into_iter()
                    .map(|p| (Occur::Should, self.compile_node(p, scored)))
                    .collect(),
            )),
            Query::And(parts) => {
                let parts = distinct(parts);
                let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
                // Substring leaves are flattened into this one boolean query
                // (required character matches, optional word clauses, each
                // word once): one intersection and one union instead of a
                // nested scorer per term, which matters when every document
                // matches.
                let mut words: Vec<String> = Vec::new();
                for part in &parts {
                    match part {
                        Query::Not(inner) => {
                            clauses.push((Occur::MustNot, self.compile_node(inner, false)))
                        }
                        Query::Substring { text, .. } if !self.words_only => {
                            clauses.push((
                                Occur::Must,
                                Box::new(ConstScoreQuery::new(self.char_match(text), 0.0)),
                            ));
                            if scored {
                                words.extend(self.query_words(text));
                            }
                        }
                        _ => clauses.push((Occur::Must, self.compile_node(part, scored))),
                    }
                }
                words.sort();
                words.dedup();
                for word in words {
                    clauses.push((Occur::Should, self.word_query(&word)));
                }
                if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                let positives: Vec<&str> = parts
                    .iter()
                    .filter_map(|p| match p {
                        Query::Substring { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                if scored && positives.len() >= 2 && !self.words_only {
                    let phrase = positives.concat();
                    clauses.push((
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(self.char_match(&phrase), PHRASE_BONUS)),
                    ));
                }
                Box::new(BooleanQuery::new(clauses))
            }
        }
    }

    /// Exactly the documents containing `text` (already folded), scored by
    /// BM25 over its words.
    fn substring(&self, text: &str) -> Box<dyn TantivyQuery> {
        if self.words_only {
            return self.words_match(text);
        }
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = vec![(
            Occur::Must,
            Box::new(ConstScoreQuery::new(self.char_match(text), 0.0)),
        )];
        for word in self.query_words(text) {
            clauses.push((Occur::Should, self.word_query(&word)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The distinct ranking words of a query string.
    fn query_words(&self, text: &str) -> Vec<String> {
        let mut words: Vec<String> = word_tokens(&self.analyzer.segmenter, text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// BM25 on one word of the word field.
    fn word_query(&self, word: &str) -> Box<dyn TantivyQuery> {
        Box::new(TermQuery::new(
            Term::from_field_text(self.fields.words, word),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// Baseline: every word of the segmented string, BM25-scored.
    fn words_match(&self, text: &str) -> Box<dyn TantivyQuery> {
        let mut words: Vec<String> = word_tokens(&self.analyzer.segmenter, text)
            .into_iter()
            .map(|t| t.text)
            .collect();
        words.sort();
        words.dedup();
        if words.is_empty() {
            return Box::new(EmptyQuery);
        }
        Box::new(BooleanQuery::new(
            words
                .iter()
                .map(|w| {
                    let q: Box<dyn TantivyQuery> = Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.words, w),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Must, q)
                })
                .collect(),
        ))
    }

    /// The pure character match of a folded string (no scoring).
    fn char_match(&self, text: &str) -> Box<dyn TantivyQuery> {
        let text = fold(text);
        let bigrams = covering_bigrams(&text);
        match bigrams.len() {
            0 => match text.chars().next() {
                Some(c) => Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.unigrams, c.encode_utf8(&mut [0; 4])),
                    IndexRecordOption::Basic,
                )),
                None => Box::new(EmptyQuery),
            },
            1 => Box::new(TermQuery::new(
                Term::from_field_text(self.fields.bigrams, &bigrams[0].1),
                IndexRecordOption::Basic,
            )),
            _ => Box::new(PhraseQuery::new_with_offset(
                bigrams
                    .into_iter()
                    .map(|(i, g)| (i, Term::from_field_text(self.fields.bigrams, &g)))
                    .collect(),
            )),
        }
    }

    fn field_query(&self, field: FilterField, value: &str) -> Box<dyn TantivyQuery> {
        // Ids are matched as given; other values as normalised at index time.
        let value = match field {
            FilterField::Id => value.to_owned(),
            _ => self.analyzer.normalizer.normalize(value),
        };
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.filter(field), &value),
                IndexRecordOption::Basic,
            )),
            0.0,
        ))
    }

    fn date_range(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Box<dyn TantivyQuery> {
        let lower = match from.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            Some(t) => Bound::Included(Term::from_field_i64(self.fields.received, seconds(t))),
            None => Bound::Unbounded,
        };
        let upper = match to.and_then(|d| d.and_hms_opt(23, 59, 59)) {
            Some(t) => Bound::Included(Term::from_field_i64(self.fields.received, seconds(t))),
            None => Bound::Unbounded,
        };
        Box::new(ConstScoreQuery::new(
            Box::new(RangeQuery::new(lower, upper)),
            0.0,
        ))
    }

    /// The tantivy searcher (benchmarks).
    pub fn tantivy(&self) -> &Searcher {
        &self.searcher
    }
}

/// The parts without repeats (`a OR a`, `a a`), first occurrence kept.
fn distinct(parts: &[Query]) -> Vec<&Query> {
    let mut out: Vec<&Query> = Vec::with_capacity(parts.len());
    for part in parts {
        if !out.contains(&part) {
            out.push(part);
        }
    }
    out
}

/// A hit's ranking key: score, then recency, then (reversed) address.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: Score,
    received: i64,
    addr: DocAddress,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.received.cmp(&other.received))
            .then(other.addr.cmp(&self.addr))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// Counts every hit, keeps the best `keep` and counts facets, in one pass.
struct RankCollector {
    keep: usize,
    facets: Vec<Facet>,
}

struct Harvest {
    count: u64,
    /// Best first.
    top: Vec<Ranked>,
    facets: BTreeMap<Facet, FacetCounts>,
}

struct SegmentFacet {
    facet: Facet,
    column: StrColumn,
    counts: Vec<u64>,
}

struct RankSegmentCollector {
    segment: SegmentOrdinal,
    received: Column<i64>,
    keep: usize,
    /// Min-heap of the best `keep` (via `Reverse`).
    top: BinaryHeap<std::cmp::Reverse<Ranked>>,
    count: u64,
    facets: Vec<SegmentFacet>,
}

impl Collector for RankCollector {
    type Fruit = Harvest;
    type Child = RankSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<RankSegmentCollector> {
        let received = reader.fast_fields().i64(names::RECEIVED)?;
        let mut facets = Vec::with_capacity(self.facets.len());
        for &facet in &self.facets {
            // A segment where no document has the field has no column.
            if let Some(column) = reader.fast_fields().str(facet.name())? {
                let counts = vec![0; column.num_terms()];
                facets.push(SegmentFacet {
                    facet,
                    column,
                    counts,
                });
            }
        }
        Ok(RankSegmentCollector {
            segment,
            received,
            keep: self.keep,
            top: BinaryHeap::new(),
            count: 0,
            facets,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Harvest>) -> tantivy::Result<Harvest> {
        let mut count = 0;
        let mut top = Vec::new();
        let mut facets: BTreeMap<Facet, BTreeMap<String, u64>> = BTreeMap::new();
        for fruit in fruits {
            count += fruit.count;
            top.extend(fruit.top);
            for (facet, counts) in fruit.facets {
                let merged = facets.entry(facet).or_default();
                for (value, n) in counts {
                    *merged.entry(value).or_default() += n;
                }
            }
        }
        top.sort_by(|a, b| b.cmp(a));
        top.truncate(self.keep);
        let mut out: BTreeMap<Facet, FacetCounts> =
            self.facets.iter().map(|f| (*f, Vec::new())).collect();
        for (facet, counts) in facets {
            let mut counts: FacetCounts = counts.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out.insert(facet, counts);
        }
        Ok(Harvest {
            count,
            top,
            facets: out,
        })
    }
}

impl SegmentCollector for RankSegmentCollector {
    type Fruit = Harvest;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        for facet in &mut self.facets {
            for ord in facet.column.term_ords(doc) {
                if let Some(slot) = usize::try_from(ord)
                    .ok()
                    .and_then(|i| facet.counts.get_mut(i))
                {
                    *slot += 1;
                }
            }
        }
        if self.keep == 0 {
            return;
        }
        let ranked = Ranked {
            score,
            received: self.received.first(doc).unwrap_or(i64::MIN),
            addr: DocAddress::new(self.segment, doc),
        };
        if self.top.len() < self.keep {
            self.top.push(std::cmp::Reverse(ranked));
        } else if let Some(worst) = self.top.peek()
            && ranked > worst.0
        {
            self.top.pop();
            self.top.push(std::cmp::Reverse(ranked));
        }
    }

    fn harvest(self) -> Harvest {
        let mut top: Vec<Ranked> = self.top.into_iter().map(|r| r.0).collect();
        top.sort_by(|a, b| b.cmp(a));
        let mut facets = BTreeMap::new();
        for f in self.facets {
            let mut counts = BTreeMap::new();
            let mut value = String::new();
            for (ord, &n) in f.counts.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                value.clear();
                if f.column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    counts.insert(value.clone(), n);
                }
            }
            facets.insert(f.facet, counts.into_iter().collect());
        }
        Harvest {
            count: self.count,
            top,
            facets,
        }
    }
}
