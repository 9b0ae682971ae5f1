//! Quality tests on the committed fixtures (`fixtures/search/`): recall and
//! phrase precision against `str::contains` truth, the query fixtures,
//! upsert, reindex after a dictionary change, filters, facets, export,
//! snippets and `similar`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use kesu_model::{Field, WorkOrder};
use kesu_normalize::NormalizedOrder;
use kesu_segment::{Analyzer, AnalyzerConfig, Mode, SegmenterConfig};

use crate::{
    ComplaintIndex, ComplaintSearcher, Facet, FilterField, Filters, Query, QueryError, fold,
};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/search")
        .join(rel)
}

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::builtin().unwrap_or_else(|e| panic!("builtin analyzer: {e}")))
}

/// The fixture orders, read with the csv crate (canonical headers; other
/// columns go to `extra`).
fn fixture_orders(analyzer: &Analyzer) -> Vec<NormalizedOrder> {
    let mut reader = csv::Reader::from_path(fixture("orders.csv")).expect("fixture orders.csv");
    let headers = reader.headers().expect("header").clone();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.expect("record");
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|p| record.get(p))
                .unwrap_or_default()
                .to_owned()
        };
        let at = NaiveDateTime::parse_from_str(&get("received_at"), "%Y-%m-%d %H:%M:%S")
            .expect("fixture date");
        let mut order = WorkOrder::new(get("work_order_id"), at, get("text"));
        for (h, v) in headers.iter().zip(record.iter()) {
            match Field::from_name(h) {
                Some(f) if !f.is_required() => order.set_text_field(f, Some(v.to_owned())),
                Some(_) => {}
                None => {
                    order.extra.insert(h.to_owned(), v.to_owned());
                }
            }
        }
        order.source.file = "orders.csv".into();
        order.source.line = i as u64 + 2;
        out.push(analyzer.normalizer.apply(order));
    }
    out
}

fn fixture_index() -> (&'static ComplaintIndex, &'static [NormalizedOrder]) {
    static I: OnceLock<(ComplaintIndex, Vec<NormalizedOrder>)> = OnceLock::new();
    let (index, orders) = I.get_or_init(|| {
        let a = analyzer();
        let orders = fixture_orders(a);
        let mut index = ComplaintIndex::create_in_ram(a).expect("ram index");
        index.upsert(&orders, a).expect("upsert");
        (index, orders)
    });
    (index, orders)
}

fn ids(searcher: &ComplaintSearcher, q: &Query, filters: &Filters) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    searcher
        .for_each_hit(q, filters, |hit| {
            out.insert(hit.case.order.id.0);
            Ok(())
        })
        .expect("search");
    out
}

/// Seeded picks (fastrand: kesu's one RNG outside kesu-synth's frozen stream).
struct Lcg(fastrand::Rng);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0.usize(..n.max(1))
    }
}

#[test]
fn recall_and_phrase_precision_are_exact_on_sampled_substrings() {
    let (index, orders) = fixture_index();
    let a = analyzer();
    let searcher = index.searcher(a);
    let texts: Vec<String> = orders.iter().map(|o| fold(&o.text_norm)).collect();
    let mut rng = Lcg(fastrand::Rng::with_seed(42));
    let (mut crossing, mut inside) = (Vec::new(), Vec::new());
    while crossing.len() < 150 || inside.len() < 150 {
        let text = &texts[rng.next(texts.len())];
        let words = a.segmenter.cut(text, Mode::Precise);
        // Word boundaries as char indices.
        let starts: BTreeSet<usize> = words
            .iter()
            .map(|t| text[..t.start].chars().count())
            .collect();
        let chars: Vec<char> = text.chars().collect();
        let len = 1 + rng.next(6);
        if chars.len() <= len {
            continue;
        }
        let start = rng.next(chars.len() - len);
        let end = start + len;
        let s: String = chars[start..end].iter().collect();
        // Crosses a boundary when a word starts strictly inside the substring
        // and the substring is not itself aligned on word boundaries.
        let crosses = (start + 1..end).any(|i| starts.contains(&i))
            && !(starts.contains(&start) && (starts.contains(&end) || end == chars.len()));
        if crosses && crossing.len() < 150 {
            crossing.push(s);
        } else if !crosses && inside.len() < 150 {
            inside.push(s);
        }
    }
    let mut checked = 0;
    for s in crossing.iter().chain(&inside) {
        let truth: BTreeSet<String> = orders
            .iter()
            .zip(&texts)
            .filter(|(_, t)| t.contains(s.as_str()))
            .map(|(o, _)| o.order.id.0.clone())
            .collect();
        for quoted in [true, false] {
            let q = Query::Substring {
                text: s.clone(),
                quoted,
            };
            let found = ids(&searcher, &q, &Filters::default());
            let missed: Vec<_> = truth.difference(&found).collect();
            assert!(missed.is_empty(), "{s:?}: recall < 1, missed {missed:?}");
            assert_eq!(found, truth, "{s:?}: phrase precision < 1");
            assert_eq!(
                searcher.count(&q, &Filters::default()).expect("count"),
                truth.len() as u64
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 300);
}

#[derive(serde::Deserialize)]
struct QueryFixture {
    q: String,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    flags: bool,
    unit: Option<String>,
    class: Option<String>,
    channel: Option<String>,
    customer_class: Option<String>,
    substantiated: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(serde::Deserialize)]
struct QueryFixtures {
    query: Vec<QueryFixture>,
}

/// The fixture index built from one precise cut per order, as `kesu run`
/// builds it: search words derived with `search_of_precise`.
fn segmented_fixture_index() -> &'static ComplaintIndex {
    static I: OnceLock<ComplaintIndex> = OnceLock::new();
    I.get_or_init(|| {
        let a = analyzer();
        let orders = fixture_orders(a);
        let seg = &a.segmenter;
        let words = orders
            .iter()
            .map(|o| {
                let precise = seg.cut(&o.text_norm, Mode::Precise);
                crate::cut_words_of(seg, &seg.search_of_precise(&precise))
            })
            .collect();
        let mut index = ComplaintIndex::create_in_ram(a).expect("ram index");
        let mut upsert = index
            .begin_upsert(a, &crate::WriterOptions::default())
            .expect("begin");
        upsert.add_segmented(&orders, words).expect("add");
        upsert.commit().expect("commit");
        index
    })
}

#[test]
fn words_from_one_precise_cut_equal_search_mode_words() {
    let a = analyzer();
    let seg = &a.segmenter;
    let orders = fixture_orders(a);
    assert!(orders.len() > 100);
    for o in &orders {
        let precise = seg.cut(&o.text_norm, Mode::Precise);
        let derived = crate::word_tokens_of(seg, &seg.search_of_precise(&precise));
        let direct = crate::word_tokens(seg, &o.text_norm);
        let key = |t: &tantivy::tokenizer::Token| {
            (t.text.clone(), t.offset_from, t.offset_to, t.position)
        };
        assert_eq!(
            derived.iter().map(key).collect::<Vec<_>>(),
            direct.iter().map(key).collect::<Vec<_>>(),
            "{}",
            o.text_norm
        );
    }
}

#[test]
fn fixture_queries_return_exactly_the_truth() {
    let (index, orders) = fixture_index();
    check_fixture_queries(index, orders);
}

#[test]
fn fixture_queries_on_the_segmented_index_return_the_truth_with_the_same_scores() {
    let (index, orders) = fixture_index();
    let segmented = segmented_fixture_index();
    check_fixture_queries(segmented, orders);
    let a = analyzer();
    let (plain, seg) = (index.searcher(a), segmented.searcher(a));
    for q in ["停电 通知", "电费", "抄表员 态度", "台区经理", "智能电表"] {
        let query = plain.parse(q).expect("query");
        let hits = |s: &ComplaintSearcher| -> Vec<(String, u32)> {
            s.search(&query, &Filters::default(), 20, 0)
                .expect("search")
                .hits
                .iter()
                .map(|h| (h.case.order.id.0.clone(), h.score.to_bits()))
                .collect()
        };
        let expected = hits(&plain);
        assert!(!expected.is_empty(), "{q}");
        assert_eq!(hits(&seg), expected, "{q}");
    }
}

fn check_fixture_queries(index: &ComplaintIndex, orders: &[NormalizedOrder]) {
    let a = analyzer();
    let searcher = index.searcher(a);
    let text = std::fs::read_to_string(fixture("queries.toml")).expect("queries.toml");
    let fixtures: QueryFixtures = toml::from_str(&text).expect("queries.toml parses");
    assert!(fixtures.query.len() >= 20);
    for fx in &fixtures.query {
        let day = |s: &Option<String>| {
            s.as_deref()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("fixture date"))
        };
        let (from, to) = (day(&fx.from), day(&fx.to));
        let field_filters: Vec<(FilterField, &String)> = [
            (FilterField::Unit, &fx.unit),
            (FilterField::Class, &fx.class),
            (FilterField::Channel, &fx.channel),
            (FilterField::CustomerClass, &fx.customer_class),
            (FilterField::Substantiated, &fx.substantiated),
        ]
        .into_iter()
        .filter_map(|(f, v)| v.as_ref().map(|v| (f, v)))
        .collect();
        let truth: BTreeSet<String> = orders
            .iter()
            .filter(|o| {
                let t = fold(&o.text_norm);
                let date = o.order.received_at.date();
                fx.all.iter().all(|s| t.contains(s.as_str()))
                    && (fx.any.is_empty() || fx.any.iter().any(|s| t.contains(s.as_str())))
                    && !fx.none.iter().any(|s| t.contains(s.as_str()))
                    && from.is_none_or(|d| date >= d)
                    && to.is_none_or(|d| date <= d)
                    && field_filters
                        .iter()
                        .all(|(f, v)| crate::schema::filter_value(&o.order, *f) == Some(v.as_str()))
            })
            .map(|o| o.order.id.0.clone())
            .collect();
        let query = searcher
            .parse(&fx.q)
            .unwrap_or_else(|e| panic!("{}: {e}", fx.q));
        let filters = if fx.flags {
            Filters {
                from,
                to,
                fields: field_filters
                    .iter()
                    .map(|(f, v)| (*f, (*v).clone()))
                    .collect(),
            }
        } else {
            Filters::default()
        };
        let found = ids(&searcher, &query, &filters);
        assert!(!truth.is_empty(), "{}: fixture query matches nothing", fx.q);
        assert_eq!(found, truth, "query {}", fx.q);
        let page = searcher.search(&query, &filters, 5, 0).expect("search");
        assert_eq!(page.total, truth.len() as u64, "{}", fx.q);
    }
}

#[test]
fn traditional_and_fullwidth_queries_find_the_same_documents() {
    let (index, _) = fixture_index();
    let searcher = index.searcher(analyzer());
    for (a, b) in [
        ("停电未通知", "停電未通知"),
        ("经济损失", "經濟損失"),
        ("app 120元", "ＡＰＰ １２０元"),
        ("\"停电 通知\"", "＂停電 通知＂"),
    ] {
        let qa = searcher.parse(a).expect("a");
        let qb = searcher.parse(b).expect("b");
        assert_eq!(
            ids(&searcher, &qa, &Filters::default()),
            ids(&searcher, &qb, &Filters::default()),
            "{a} vs {b}"
        );
    }
}

#[test]
fn snippets_highlight_the_query_terms() {
    let (index, _) = fixture_index();
    let searcher = index.searcher(analyzer());
    let q = searcher.parse("停电 通知").expect("query");
    let hits = searcher
        .search(&q, &Filters::default(), 20, 0)
        .expect("search");
    assert!(!hits.hits.is_empty());
    for hit in &hits.hits {
        assert!(!hit.snippet.highlights.is_empty());
        for r in &hit.snippet.highlights {
            let marked = fold(&hit.snippet.text[r.clone()]);
            assert!(
                marked.contains("停电") || marked.contains("通知"),
                "{marked:?} in {:?}",
                hit.snippet.text
            );
        }
    }
}

#[test]
fn ranking_prefers_word_matches_exact_phrases_and_recency() {
    let a = analyzer();
    let at = |d: u32| {
        NaiveDate::from_ymd_opt(2024, 3, d)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("date")
    };
    let orders: Vec<NormalizedOrder> = [
        ("A", 1, "客户反映停电，另外通知单有误"),
        ("B", 2, "客户反映停电通知不及时"),
        ("C", 3, "客户反映停电通知不及时"),
        ("D", 4, "电费问题"),
    ]
    .into_iter()
    .map(|(id, d, t)| a.normalizer.apply(WorkOrder::new(id, at(d), t)))
    .collect();
    let mut index = ComplaintIndex::create_in_ram(a).expect("index");
    index.upsert(&orders, a).expect("upsert");
    let searcher = index.searcher(a);
    let q = searcher.parse("停电 通知").expect("q");
    let hits = searcher
        .search(&q, &Filters::default(), 10, 0)
        .expect("search");
    let order: Vec<&str> = hits.hits.iter().map(|h| h.case.order.id.as_str()).collect();
    // B and C carry the exact phrase 停电通知; C is newer.
    assert_eq!(order, vec!["C", "B", "A"]);
    let page = searcher
        .search(&q, &Filters::default(), 1, 1)
        .expect("page");
    assert_eq!(page.total, 3);
    assert_eq!(page.hits[0].case.order.id.as_str(), "B");
}

/// Blocks added to one upsert: nothing is visible before the commit, a
/// dropped upsert leaves the index untouched, and an id repeated in a later
/// block of a first build replaces its earlier document.
#[test]
fn upsert_in_blocks_commits_once() {
    let a = analyzer();
    let dir = tempfile::tempdir().expect("tempdir");
    let orders = fixture_orders(a);
    let n = orders.len() as u64;
    let mut index = ComplaintIndex::create_or_open(dir.path(), a).expect("create");
    {
        let mut upsert = index
            .begin_upsert(a, &crate::WriterOptions::default())
            .expect("begin");
        upsert.add(&orders[..10]).expect("add");
        // Dropped without a commit.
    }
    assert_eq!(index.num_docs(), 0);

    let mut changed = orders[3].order.clone();
    changed.text = "客户反映独一无二的斑马线问题".into();
    let id = changed.id.0.clone();
    let mut upsert = index
        .begin_upsert(a, &crate::WriterOptions::default())
        .expect("begin");
    for block in orders.chunks(7) {
        upsert.add(block).expect("add");
    }
    upsert.add(&[a.normalizer.apply(changed)]).expect("add");
    let stats = upsert.commit().expect("commit");
    assert_eq!(
        (
            stats.orders,
            stats.docs_before,
            stats.docs_after,
            stats.replaced
        ),
        (n + 1, 0, n, 0)
    );
    let searcher = index.searcher(a);
    assert_eq!(
        searcher.get(&id).expect("get").map(|c| c.order.text),
        Some("客户反映独一无二的斑马线问题".to_owned())
    );
}

#[test]
fn one_upsert_commits_week_after_week() {
    let a = analyzer();
    let dir = tempfile::tempdir().expect("tempdir");
    let orders = fixture_orders(a);
    let n = orders.len() as u64;
    let mut index = ComplaintIndex::create_or_open(dir.path(), a).expect("create");
    let mut upsert = index
        .begin_upsert(a, &crate::WriterOptions::default())
        .expect("begin");
    upsert.add(&orders[..100]).expect("add");
    let first = upsert.commit_and_continue().expect("commit");
    assert_eq!(
        (
            first.orders,
            first.docs_before,
            first.docs_after,
            first.replaced
        ),
        (100, 0, 100, 0)
    );
    // The next commit replaces an order of the first by id.
    let mut changed = orders[3].order.clone();
    changed.text = "客户反映独一无二的斑马线问题".into();
    let id = changed.id.0.clone();
    upsert.add(&orders[100..]).expect("add");
    upsert.add(&[a.normalizer.apply(changed)]).expect("add");
    let second = upsert.commit_and_continue().expect("commit");
    assert_eq!(
        (
            second.orders,
            second.docs_before,
            second.docs_after,
            second.replaced
        ),
        (n - 100 + 1, 100, n, 1)
    );
    let last = upsert.commit().expect("empty commit");
    assert_eq!((last.orders, last.docs_before, last.docs_after), (0, n, n));
    let reopened = ComplaintIndex::open(dir.path(), a).expect("open");
    assert_eq!(reopened.num_docs(), n);
    assert_eq!(
        reopened
            .searcher(a)
            .get(&id)
            .expect("get")
            .map(|c| c.order.text),
        Some("客户反映独一无二的斑马线问题".to_owned())
    );
}

#[test]
fn upsert_replaces_by_id_and_survives_reopening() {
    let a = analyzer();
    let dir = tempfile::tempdir().expect("tempdir");
    let orders = fixture_orders(a);
    let n = orders.len() as u64;
    {
        let mut index = ComplaintIndex::create_or_open(dir.path(), a).expect("create");
        let stats = index.upsert(&orders, a).expect("first");
        assert_eq!((stats.docs_after, stats.replaced), (n, 0));
        let stats = index.upsert(&orders, a).expect("second");
        assert_eq!((stats.docs_after, stats.replaced), (n, n));
    }
    let mut index = ComplaintIndex::open(dir.path(), a).expect("reopen");
    assert_eq!(index.num_docs(), n);
    let payload = index.payload().expect("payload").expect("committed");
    assert_eq!(payload.analyzer_version, a.version().0);

    let mut changed = orders[0].order.clone();
    changed.text = "客户反映独一无二的斑马线问题".into();
    let id = changed.id.0.clone();
    let stats = index
        .upsert(&[a.normalizer.apply(changed)], a)
        .expect("change");
    assert_eq!((stats.docs_after, stats.replaced), (n, 1));
    let searcher = index.searcher(a);
    let q = searcher.parse("斑马线").expect("q");
    assert_eq!(
        ids(&searcher, &q, &Filters::default()),
        BTreeSet::from([id.clone()])
    );
    let old = fold(&orders[0].text_norm);
    let old_q = Query::Substring {
        text: old,
        quoted: true,
    };
    assert!(!ids(&searcher, &old_q, &Filters::default()).contains(&id));
    assert_eq!(
        searcher.get(&id).expect("get").map(|c| c.order.text),
        Some("客户反映独一无二的斑马线问题".to_owned())
    );
}

#[test]
fn reindex_rebuilds_documents_after_a_dictionary_change() {
    let a = analyzer();
    let dir = tempfile::tempdir().expect("tempdir");
    let orders = fixture_orders(a);
    let mut index = ComplaintIndex::create_or_open(dir.path(), a).expect("create");
    index.upsert(&orders, a).expect("upsert");
    assert_eq!(index.stale_count(&a.version()).expect("stale"), 0);

    let dict = dir.path().join("extra.dict");
    std::fs::write(&dict, "冰箱食物变质 100 n\n").expect("dict");
    let b = Analyzer::new(&AnalyzerConfig {
        segment: SegmenterConfig {
            user_dicts: vec![dict],
            ..SegmenterConfig::default()
        },
        ..AnalyzerConfig::default()
    })
    .expect("analyzer with dict");
    assert_ne!(a.version(), b.version());
    drop(index);
    let mut index = ComplaintIndex::open(dir.path(), &b).expect("open with new analyzer");
    assert_eq!(
        index.stale_count(&b.version()).expect("stale"),
        orders.len() as u64
    );
    let stats = index.reindex(&b).expect("reindex");
    assert_eq!(stats.orders, orders.len() as u64);
    assert_eq!(stats.docs_after, orders.len() as u64);
    assert_eq!(index.stale_count(&b.version()).expect("stale"), 0);
    assert_eq!(
        index
            .payload()
            .expect("payload")
            .map(|p| p.analyzer_version),
        Some(b.version().0)
    );
    // The new dictionary word is now a ranking word, and recall is unchanged.
    let searcher = index.searcher(&b);
    let words = crate::word_tokens(&b.segmenter, "冰箱食物变质");
    assert!(words.iter().any(|t| t.text == "冰箱食物变质"));
    let df = searcher
        .tantivy()
        .doc_freq(&tantivy::Term::from_field_text(
            index.fields().words,
            "冰箱食物变质",
        ))
        .expect("df");
    let q = searcher.parse("冰箱食物变质").expect("q");
    let truth = orders
        .iter()
        .filter(|o| o.text_norm.contains("冰箱食物变质"))
        .count() as u64;
    assert!(truth > 0);
    assert_eq!(df, truth);
    assert_eq!(
        searcher.count(&q, &Filters::default()).expect("count"),
        truth
    );
    // Nothing left to do the second time.
    assert_eq!(index.reindex(&b).expect("again").orders, 0);
}

#[test]
fn facets_count_every_hit() {
    let (index, orders) = fixture_index();
    let searcher = index.searcher(analyzer());
    let q = searcher.parse("停电").expect("q");
    let facets = searcher
        .facets(
            &q,
            &Filters::default(),
            &[Facet::Unit, Facet::Class, Facet::Month],
        )
        .expect("facets");
    let matching: Vec<&NormalizedOrder> = orders
        .iter()
        .filter(|o| o.text_norm.contains("停电"))
        .collect();
    let mut units: BTreeMap<String, u64> = BTreeMap::new();
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    for o in &matching {
        *units
            .entry(o.order.unit.clone().unwrap_or_default())
            .or_default() += 1;
        *months
            .entry(o.order.received_at.format("%Y-%m").to_string())
            .or_default() += 1;
    }
    let got_units: BTreeMap<String, u64> = facets[&Facet::Unit].iter().cloned().collect();
    assert_eq!(got_units, units);
    let got_months: BTreeMap<String, u64> = facets[&Facet::Month].iter().cloned().collect();
    assert_eq!(got_months, months);
    let class_total: u64 = facets[&Facet::Class].iter().map(|(_, n)| n).sum();
    assert_eq!(class_total, matching.len() as u64);
    // Most frequent first.
    let counts: Vec<u64> = facets[&Facet::Unit].iter().map(|(_, n)| *n).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn export_writes_every_hit_in_three_formats() {
    let (index, orders) = fixture_index();
    let searcher = index.searcher(analyzer());
    let q = searcher.parse("电费").expect("q");
    let mut cases = Vec::new();
    searcher
        .for_each_hit(&q, &Filters::default(), |hit| {
            cases.push(hit.case);
            Ok(())
        })
        .expect("hits");
    let truth = orders
        .iter()
        .filter(|o| o.text_norm.contains("电费"))
        .count();
    assert_eq!(cases.len(), truth);
    let dir = tempfile::tempdir().expect("tempdir");

    let csv_path = dir.path().join("hits.csv");
    crate::export(&csv_path, &cases).expect("csv");
    let mut reader = csv::Reader::from_path(&csv_path).expect("read csv");
    assert_eq!(reader.headers().expect("header"), crate::export_header());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), truth);
    assert_eq!(&rows[0][0], cases[0].order.id.as_str());
    // Extra attributes travel as JSON.
    assert!(rows[0][17].contains("台区"));

    let xlsx_path = dir.path().join("hits.xlsx");
    crate::export(&xlsx_path, &cases).expect("xlsx");
    let bytes = std::fs::read(&xlsx_path).expect("xlsx bytes");
    assert!(bytes.starts_with(b"PK"));

    let parquet_path = dir.path().join("hits.parquet");
    crate::export(&parquet_path, &cases).expect("parquet");
    let file = std::fs::File::open(&parquet_path).expect("parquet file");
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("parquet reader")
        .build()
        .expect("build");
    let rows: usize = reader.map(|b| b.expect("batch").num_rows()).sum();
    assert_eq!(rows, truth);

    assert!(crate::export(&dir.path().join("hits.txt"), &cases).is_err());
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn similar_finds_the_same_complaint_elsewhere_but_not_itself() {
    let (index, orders) = fixture_index();
    let searcher = index.searcher(analyzer());
    let source = orders
        .iter()
        .find(|o| o.text_norm.contains("光伏并网"))
        .expect("a 光伏 complaint");
    let hits = searcher
        .similar(source.order.id.as_str(), &Filters::default(), 5)
        .expect("similar");
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().all(|h| h.case.order.id != source.order.id));
    assert!(hits[0].case.text_norm.contains("光伏并网"));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(matches!(
        searcher.similar("NO-SUCH-ID", &Filters::default(), 5),
        Err(crate::Error::UnknownId { .. })
    ));
}

#[test]
fn bad_queries_are_refused_by_the_searcher() {
    let (index, _) = fixture_index();
    let searcher = index.searcher(analyzer());
    for bad in ["", "\"停电", "(停电", "？！，", &"停".repeat(10_000)] {
        assert!(
            matches!(searcher.parse(bad), Err(crate::Error::Query(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Query::parse("停电)", &analyzer().normalizer),
        Err(QueryError::UnbalancedParen { .. })
    ));
}

#[test]
fn opening_something_else_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        ComplaintIndex::open(dir.path(), analyzer()),
        Err(crate::Error::NotAnIndex { .. })
    ));
}

mod random_texts {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// On arbitrary short texts over a tiny alphabet (so that matches,
        /// repeats and overlaps are frequent), a substring query returns
        /// exactly the texts that contain it.
        #[test]
        fn substring_queries_equal_str_contains(
            texts in proptest::collection::vec("[停电通知未aA，。 😀]{0,12}", 1..20),
            needles in proptest::collection::vec("[停电通知未aA，😀]{1,4}", 1..10),
        ) {
            let a = analyzer();
            let at = NaiveDate::from_ymd_opt(2024, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default();
            let orders: Vec<NormalizedOrder> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| a.normalizer.apply(WorkOrder::new(format!("R{i}"), at, t.clone())))
                .collect();
            let mut index = ComplaintIndex::create_in_ram(a).expect("index");
            index.upsert(&orders, a).expect("upsert");
            let searcher = index.searcher(a);
            for needle in &needles {
                let needle = fold(&a.normalizer.normalize(needle));
                if needle.is_empty() {
                    continue;
                }
                let truth: BTreeSet<String> = orders
                    .iter()
                    .filter(|o| fold(&o.text_norm).contains(&needle))
                    .map(|o| o.order.id.0.clone())
                    .collect();
                let q = Query::Substring { text: needle.clone(), quoted: true };
                prop_assert_eq!(ids(&searcher, &q, &Filters::default()), truth, "{:?}", needle);
            }
        }
    }
}
