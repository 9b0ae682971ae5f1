//! Small criterion bench: index 2,000 generated complaints in RAM, then time
//! a mixed query (count + top 20 with snippets). It checks its own result
//! (every hit really contains the terms), so a fast but wrong path fails.
//! The 1M-order benchmark is `examples/search_bench.rs`.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use kesu_index::{ComplaintIndex, Filters, Query};
use kesu_model::WorkOrder;
use kesu_segment::Analyzer;

const PARTS: [&str; 8] = [
    "客户来电反映",
    "小区频繁停电",
    "停电未提前通知",
    "抢修人员态度生硬",
    "电费账单有误",
    "电压低家电无法使用",
    "要求尽快处理",
    "营业厅排队时间长",
];

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::builtin().unwrap_or_else(|e| panic!("analyzer: {e}"));
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).and_then(|d| d.and_hms_opt(9, 0, 0));
    let day = day.unwrap_or_default();
    let orders: Vec<_> = (0..2000usize)
        .map(|i| {
            let text: String = (0..4)
                .map(|k| PARTS[(i * 7 + k * 3) % PARTS.len()])
                .collect();
            analyzer
                .normalizer
                .apply(WorkOrder::new(format!("GD{i:05}"), day, text))
        })
        .collect();
    let mut index = ComplaintIndex::create_in_ram(&analyzer).unwrap_or_else(|e| panic!("{e}"));
    index
        .upsert(&orders, &analyzer)
        .unwrap_or_else(|e| panic!("{e}"));
    let searcher = index.searcher(&analyzer);
    let query = Query::parse("停电 通知", &analyzer.normalizer).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("search 停电 通知 (2k docs, count + top 20)", |b| {
        b.iter(|| {
            let hits = searcher
                .search(&query, &Filters::default(), 20, 0)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(hits.total > 0);
            for hit in &hits.hits {
                assert!(hit.case.text_norm.contains("停电") && hit.case.text_norm.contains("通知"));
            }
            hits.total
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
