//! The on-disk index: create/open, upsert by work order id, reindex.
//!
//! Durability comes from tantivy: a commit writes new segment files, then
//! replaces `meta.json` atomically, so a crash (even `kill -9`) at any point
//! leaves the last committed state. Each `upsert` / `reindex` is one commit.
//! The analyzer version travels in the commit payload (atomic with the data)
//! and, per document, in the `analyzer` field, which is how `reindex` finds
//! the documents built with another dictionary or normaliser.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kesu_normalize::NormalizedOrder;
use kesu_segment::{Analyzer, AnalyzerVersion, Segmenter};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::{AllQuery, BooleanQuery, Occur, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::schema::{Fields, FilterField, StoredCase, filter_value, load_case, seconds};

use crate::merge::{CappedMergePolicy, MAX_MERGED_DOCS};
use crate::tokenize::{
    BIGRAM_TOKENIZER, CharGramTokenizer, UNIGRAM_TOKENIZER, WORD_TOKENIZER, WordTokenizer,
    cut_words,
};
use crate::{Error, Result};

/// Version of the index layout; bumped when the schema changes.
pub const INDEX_FORMAT: u32 = 1;

/// Documents segmented per parallel batch before they go to the writer.
const BATCH: usize = 4096;

/// How the writer runs.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Indexing threads (tantivy needs at least ~15 MB of budget per thread).
    pub threads: usize,
    /// Total memory budget of the writer, in bytes.
    pub memory_budget: usize,
    /// Wait for background segment merges before returning.
    pub wait_merges: bool,
    /// Index the character fields. Only the word-only benchmark baseline
    /// turns this off: without them, recall is no longer guaranteed.
    pub char_fields: bool,
    /// Most documents one background merge may produce
    /// ([`CappedMergePolicy`]), which bounds the segment files a merge maps
    /// into memory. `None`: tantivy's log merge policy, which merges
    /// segments of any size (for comparisons only: its last merges of a
    /// large index map most of the index at once).
    pub max_merged_docs: Option<u32>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        WriterOptions {
            threads,
            memory_budget: 300_000_000,
            wait_merges: true,
            char_fields: true,
            max_merged_docs: Some(MAX_MERGED_DOCS),
        }
    }
}

/// What the last commit recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitPayload {
    /// [`INDEX_FORMAT`] of the writer.
    pub kesu_index_format: u32,
    /// Analyzer version of the writer.
    pub analyzer_version: String,
}

/// What an upsert did.
#[derive(Debug, Clone, Serialize)]
pub struct UpsertStats {
    /// Orders given.
    pub orders: u64,
    /// Documents before.
    pub docs_before: u64,
    /// Documents after.
    pub docs_after: u64,
    /// Orders that replaced a document with the same id.
    pub replaced: u64,
    /// Time until the commit was durable.
    #[serde(skip)]
    pub commit_elapsed: Duration,
    /// Time spent waiting for background merges afterwards.
    #[serde(skip)]
    pub merge_elapsed: Duration,
}

/// A kesu complaint index in a directory (or in RAM, for tests).
pub struct ComplaintIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    path: Option<PathBuf>,
}

impl ComplaintIndex {
    /// Opens an existing index.
    pub fn open(dir: &Path, analyzer: &Analyzer) -> Result<ComplaintIndex> {
        if !dir.join("meta.json").is_file() {
            return Err(Error::NotAnIndex {
                path: dir.display().to_string(),
            });
        }
        let index = Index::open_in_dir(dir)?;
        ComplaintIndex::wrap(index, analyzer, Some(dir.to_path_buf()))
    }

    /// Opens the index in `dir`, creating it (and the directory) if needed.
    pub fn create_or_open(dir: &Path, analyzer: &Analyzer) -> Result<ComplaintIndex> {
        if dir.join("meta.json").is_file() {
            return ComplaintIndex::open(dir, analyzer);
        }
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let (schema, _) = Fields::build();
        let index = Index::create_in_dir(dir, schema)?;
        ComplaintIndex::wrap(index, analyzer, Some(dir.to_path_buf()))
    }

    /// A fresh index in memory.
    pub fn create_in_ram(analyzer: &Analyzer) -> Result<ComplaintIndex> {
        let (schema, _) = Fields::build();
        ComplaintIndex::wrap(Index::create_in_ram(schema), analyzer, None)
    }

    fn wrap(
        mut index: Index,
        analyzer: &Analyzer,
        path: Option<PathBuf>,
    ) -> Result<ComplaintIndex> {
        let fields = resolve_fields(&index)?;
        // Segments are searched in parallel: counting every hit of a frequent
        // term is the slow case, and it splits evenly over segments.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        register_tokenizers(&index, &analyzer.segmenter);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ComplaintIndex {
            index,
            fields,
            reader,
            path,
        })
    }

    /// The directory of the index (`None` in RAM).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The tantivy index (for benchmarks and space accounting).
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// Field handles.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The current reader (reloaded after every commit made through `self`).
    pub(crate) fn reader(&self) -> &IndexReader {
        &self.reader
    }

    /// Committed documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The payload of the last commit (`None` for a never-committed index).
    pub fn payload(&self) -> Result<Option<CommitPayload>> {
        let metas = self.index.load_metas()?;
        match metas.payload {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| Error::Corrupt {
                    message: format!("commit payload {text:?}: {e}"),
                }),
        }
    }

    /// Documents indexed with an analyzer other than `current`.
    pub fn stale_count(&self, current: &AnalyzerVersion) -> Result<u64> {
        let searcher = self.reader.searcher();
        Ok(searcher.search(&self.stale_query(current), &Count)? as u64)
    }

    fn stale_query(&self, current: &AnalyzerVersion) -> BooleanQuery {
        BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery)),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.analyzer, &current.0),
                    IndexRecordOption::Basic,
                )),
            ),
        ])
    }

    /// Adds or replaces (by work order id) these orders, in one commit.
    ///
    /// `orders` must have been normalised with `analyzer.normalizer`; their
    /// text is segmented here, once, in parallel.
    pub fn upsert(
        &mut self,
        orders: &[NormalizedOrder],
        analyzer: &Analyzer,
    ) -> Result<UpsertStats> {
        self.upsert_with(orders, analyzer, &WriterOptions::default())
    }

    /// [`ComplaintIndex::upsert`] with explicit writer options.
    pub fn upsert_with(
        &mut self,
        orders: &[NormalizedOrder],
        analyzer: &Analyzer,
        options: &WriterOptions,
    ) -> Result<UpsertStats> {
        let mut upsert = self.begin_upsert(analyzer, options)?;
        for chunk in orders.chunks(BATCH) {
            upsert.add(chunk)?;
        }
        upsert.commit()
    }

    /// Starts an upsert that takes its orders a block at a time
    /// ([`Upsert::add`]) and makes them visible in one commit
    /// ([`Upsert::commit`]). Dropping it uncommitted leaves the index as it
    /// was: the writer's memory (`options.memory_budget`) and one block are
    /// all it holds, however many orders pass through.
    pub fn begin_upsert<'a>(
        &'a mut self,
        analyzer: &'a Analyzer,
        options: &WriterOptions,
    ) -> Result<Upsert<'a>> {
        let docs_before = self.num_docs();
        let started = Instant::now();
        let writer = self.writer(options)?;
        Ok(Upsert {
            version: analyzer.version(),
            index: self,
            analyzer,
            options: options.clone(),
            writer,
            started,
            docs_before,
            ids: Fingerprints::new(),
            orders: 0,
            unique: 0,
        })
    }

    /// Commits `writer`'s additions with the payload, reloads the reader.
    /// Does not wait for merges (see [`ComplaintIndex::finish_writer`]).
    fn commit(
        &mut self,
        writer: &mut IndexWriter,
        version: &AnalyzerVersion,
        started: Instant,
        docs_before: u64,
        orders: u64,
        unique: u64,
    ) -> Result<UpsertStats> {
        let payload = serde_json::to_string(&CommitPayload {
            kesu_index_format: INDEX_FORMAT,
            analyzer_version: version.0.clone(),
        })?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        let commit_elapsed = started.elapsed();
        self.reader.reload()?;
        let docs_after = self.num_docs();
        Ok(UpsertStats {
            orders,
            docs_before,
            docs_after,
            replaced: (docs_before + unique).saturating_sub(docs_after),
            commit_elapsed,
            merge_elapsed: Duration::ZERO,
        })
    }

    /// Ends a writer after its last commit: waits for its merges if the
    /// options say so (recording how long in `stats`), else leaves the ones
    /// in flight to be dropped (the commit is durable either way).
    fn finish_writer(
        &mut self,
        writer: IndexWriter,
        options: &WriterOptions,
        stats: &mut UpsertStats,
    ) -> Result<()> {
        if options.wait_merges {
            let merge_started = Instant::now();
            writer.wait_merging_threads()?;
            stats.merge_elapsed = merge_started.elapsed();
            self.reader.reload()?;
        }
        Ok(())
    }

    fn writer(&self, options: &WriterOptions) -> Result<IndexWriter> {
        let threads = options.threads.max(1);
        let budget = options.memory_budget.max(threads * 20_000_000);
        let writer: IndexWriter = self.index.writer_with_num_threads(threads, budget)?;
        if let Some(max_docs) = options.max_merged_docs {
            writer.set_merge_policy(Box::new(CappedMergePolicy::new(max_docs)));
        }
        Ok(writer)
    }

    /// Rebuilds, from the stored original text, every document indexed with
    /// an analyzer other than `analyzer`'s, in one commit. Returns how many.
    pub fn reindex(&mut self, analyzer: &Analyzer) -> Result<UpsertStats> {
        let version = analyzer.version();
        let started = Instant::now();
        let docs_before = self.num_docs();
        let searcher = self.reader.searcher();
        let mut stale: Vec<_> = searcher
            .search(&self.stale_query(&version), &DocSetCollector)?
            .into_iter()
            .collect();
        stale.sort();
        let options = WriterOptions::default();
        let mut writer = self.writer(&options)?;
        for chunk in stale.chunks(BATCH) {
            let cases: Vec<StoredCase> = chunk
                .iter()
                .map(|&addr| load_case(&searcher, &self.fields, addr))
                .collect::<Result<_>>()?;
            let orders: Vec<NormalizedOrder> = cases
                .into_par_iter()
                .map(|case| analyzer.normalizer.apply(case.order))
                .collect();
            let docs: Vec<TantivyDocument> = orders
                .par_iter()
                .map(|o| self.document(o, analyzer, &version, true, None))
                .collect::<Result<_>>()?;
            for (order, doc) in orders.iter().zip(docs) {
                writer.delete_term(Term::from_field_text(
                    self.fields.id,
                    order.order.id.as_str(),
                ));
                writer.add_document(doc)?;
            }
        }
        let n = stale.len() as u64;
        drop(searcher);
        let mut stats = self.commit(&mut writer, &version, started, docs_before, n, n)?;
        self.finish_writer(writer, &options, &mut stats)?;
        Ok(stats)
    }

    fn document(
        &self,
        o: &NormalizedOrder,
        analyzer: &Analyzer,
        version: &AnalyzerVersion,
        char_fields: bool,
        words: Option<String>,
    ) -> Result<TantivyDocument> {
        let f = &self.fields;
        let order = &o.order;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, order.id.as_str());
        let words = words.unwrap_or_else(|| cut_words(&analyzer.segmenter, &o.text_norm));
        doc.add_text(f.words, words);
        if char_fields {
            doc.add_text(f.bigrams, &o.text_norm);
            doc.add_text(f.unigrams, &o.text_norm);
        }
        doc.add_i64(f.received, seconds(order.received_at));
        doc.add_text(f.month, order.received_at.format("%Y-%m").to_string());
        for field in FilterField::ALL {
            if field == FilterField::Id {
                continue;
            }
            if let Some(value) = filter_value(order, field) {
                let value = analyzer.normalizer.normalize(value);
                if !value.is_empty() {
                    doc.add_text(f.filter(field), value);
                }
            }
        }
        doc.add_text(f.analyzer, &version.0);
        let case = StoredCase {
            order: order.clone(),
            text_norm: o.text_norm.clone(),
            text_redacted: o.text_redacted.as_str().to_owned(),
            analyzer_version: version.0.clone(),
        };
        doc.add_text(f.case, serde_json::to_string(&case)?);
        Ok(doc)
    }
}

/// An upsert in progress (see [`ComplaintIndex::begin_upsert`]).
pub struct Upsert<'a> {
    index: &'a mut ComplaintIndex,
    analyzer: &'a Analyzer,
    version: AnalyzerVersion,
    options: WriterOptions,
    writer: IndexWriter,
    started: Instant,
    docs_before: u64,
    /// Ids added so far, as fingerprints.
    ids: Fingerprints,
    orders: u64,
    unique: u64,
}

impl Upsert<'_> {
    /// Adds or replaces (by work order id) these orders, segmenting them in
    /// parallel. They become visible at [`Upsert::commit`].
    pub fn add(&mut self, orders: &[NormalizedOrder]) -> Result<()> {
        self.add_docs(orders, None)
    }

    /// [`Upsert::add`] for orders segmented already: `words[i]` is the
    /// word field value of `orders[i].text_norm`, as [`crate::cut_words`]
    /// would make it (e.g. [`crate::cut_words_of`] over
    /// [`Segmenter::search_of_precise`]). The text is not segmented again.
    ///
    /// # Panics
    ///
    /// If `words` and `orders` differ in length (a caller's bug).
    pub fn add_segmented(&mut self, orders: &[NormalizedOrder], words: Vec<String>) -> Result<()> {
        assert_eq!(orders.len(), words.len(), "one word list per order");
        self.add_docs(orders, Some(words))
    }

    fn add_docs(&mut self, orders: &[NormalizedOrder], words: Option<Vec<String>>) -> Result<()> {
        let index = &*self.index;
        let (analyzer, version) = (self.analyzer, &self.version);
        let char_fields = self.options.char_fields;
        let mut words = words.map(Vec::into_iter);
        for chunk in orders.chunks(BATCH) {
            let chunk_words: Vec<Option<String>> = match &mut words {
                Some(w) => w.by_ref().take(chunk.len()).map(Some).collect(),
                None => vec![None; chunk.len()],
            };
            let docs: Vec<TantivyDocument> = chunk
                .par_iter()
                .zip(chunk_words)
                .map(|(o, w)| index.document(o, analyzer, version, char_fields, w))
                .collect::<Result<_>>()?;
            for (order, doc) in chunk.iter().zip(docs) {
                let id = order.order.id.as_str();
                let repeated = !self.ids.insert(id);
                if !repeated {
                    self.unique += 1;
                }
                // On an empty index, only an id seen earlier in this upsert
                // has a document to replace; skipping the other deletes
                // keeps the first build of a large index cheap. (A shared
                // fingerprint would only cost a delete that finds nothing.)
                if self.docs_before > 0 || repeated {
                    self.writer
                        .delete_term(Term::from_field_text(index.fields.id, id));
                }
                self.writer.add_document(doc)?;
                self.orders += 1;
            }
        }
        Ok(())
    }

    /// Commits everything added, atomically, and waits for merges if the
    /// options say so.
    pub fn commit(mut self) -> Result<UpsertStats> {
        let mut stats = self.commit_part()?;
        let Upsert {
            index,
            options,
            writer,
            ..
        } = self;
        index.finish_writer(writer, &options, &mut stats)?;
        Ok(stats)
    }

    /// Commits everything added so far, atomically, and keeps the writer
    /// for more: the next orders go into the next commit. The statistics
    /// are those of this commit.
    ///
    /// For a job that commits many times in a row (`kesu run` over many
    /// weeks, one commit a week): the background merges one commit starts
    /// go on and are kept. Ending the writer after each commit without
    /// waiting throws the merges in flight away, and the next writer starts
    /// them again, on ever larger segments; waiting for them stalls every
    /// commit instead. Merges still in flight when the upsert is dropped
    /// (or at [`Upsert::commit`] without `wait_merges`) are dropped; the
    /// commits are durable either way.
    pub fn commit_and_continue(&mut self) -> Result<UpsertStats> {
        self.commit_part()
    }

    fn commit_part(&mut self) -> Result<UpsertStats> {
        let stats = self.index.commit(
            &mut self.writer,
            &self.version,
            self.started,
            self.docs_before,
            self.orders,
            self.unique,
        )?;
        self.started = Instant::now();
        self.docs_before = stats.docs_after;
        self.ids = Fingerprints::new();
        self.orders = 0;
        self.unique = 0;
        Ok(stats)
    }
}

/// 128-bit fingerprints of work order ids (two SipHash-1-3 keyed at random
/// per run): 16 bytes an id instead of the id itself.
struct Fingerprints {
    keys: (RandomState, RandomState),
    seen: HashSet<u128, BuildHasherDefault<FingerprintHasher>>,
}

impl Fingerprints {
    fn new() -> Self {
        Fingerprints {
            keys: (RandomState::new(), RandomState::new()),
            seen: HashSet::default(),
        }
    }

    /// False if `id` (or one with the same fingerprint) was inserted before.
    fn insert(&mut self, id: &str) -> bool {
        let key =
            (u128::from(self.keys.0.hash_one(id)) << 64) | u128::from(self.keys.1.hash_one(id));
        self.seen.insert(key)
    }
}

/// Fingerprints are random already: their low bits are the hash.
#[derive(Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

fn resolve_fields(index: &Index) -> Result<Fields> {
    let (expected, fields) = Fields::build();
    let schema = index.schema();
    for (field, entry) in expected.fields() {
        let found = schema.get_field(entry.name()).ok();
        if found != Some(field) || schema.get_field_entry(field) != entry {
            return Err(Error::NotAnIndex {
                path: format!(
                    "schema field {:?} differs (not a kesu index of format {INDEX_FORMAT})",
                    entry.name()
                ),
            });
        }
    }
    Ok(fields)
}

fn register_tokenizers(index: &Index, segmenter: &Segmenter) {
    let manager = index.tokenizers();
    manager.register(BIGRAM_TOKENIZER, CharGramTokenizer::bigrams());
    manager.register(UNIGRAM_TOKENIZER, CharGramTokenizer::unigrams());
    manager.register(WORD_TOKENIZER, WordTokenizer::new(segmenter.clone()));
}
