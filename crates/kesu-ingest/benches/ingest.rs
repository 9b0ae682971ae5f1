//! Ingest throughput (MB/s of input) for UTF-8 CSV, GB18030 CSV and XLSX.
//!
//! The exports are generated deterministically in memory, written to a temp
//! dir once (so the page cache serves them), and every iteration checks the
//! accepted row count: a fast path that loses rows fails the bench.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kesu_ingest::{IngestOptions, ingest};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const ROWS: usize = 20_000;
const XLSX_ROWS: usize = 5_000;

const UNITS: [&str; 5] = [
    "城区供电服务中心",
    "城东供电所",
    "城西供电所",
    "开发区供电所",
    "高新区供电所",
];
const TEXTS: [&str; 5] = [
    "客户来电反映小区昨晚突然停电，事先未收到任何停电通知，要求说明原因并尽快恢复供电",
    "客户来电反映本月电费比上月高出一倍，怀疑电表计量不准，要求上门校验电表，联系电话",
    "客户来电反映家中电压偏低，空调无法启动，已持续三天，抢修人员一直未到，要求尽快处理",
    "客户来电反映营业厅工作人员态度生硬，办理过户业务时被多次推诿，\"脸难看、门难进\"",
    "客户来电反映申请新装用电已超过二十天仍未接电，多个部门相互推诿，要求加快办理",
];

/// Row `i` of the export, as CSV fields.
fn row(i: usize) -> [String; 9] {
    [
        format!("GD{:010}", i),
        format!(
            "2024-{:02}-{:02} {:02}:{:02}:{:02}",
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            (i * 7) % 60
        ),
        "95598".to_owned(),
        UNITS[i % UNITS.len()].to_owned(),
        format!("客户{i}"),
        format!("139{:08}", i),
        format!("幸福路{}号", i % 300),
        format!(
            "{}{}，要求回复。",
            TEXTS[i % TEXTS.len()],
            13_900_000_000u64 + i as u64
        ),
        "营销部".to_owned(),
    ]
}

const HEADERS: [&str; 9] = [
    "工单编号",
    "受理时间",
    "受理渠道",
    "供电单位",
    "客户名称",
    "联系电话",
    "用电地址",
    "受理内容",
    "派单部门",
];

fn csv_text() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS).unwrap();
    for i in 0..ROWS {
        w.write_record(row(i)).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn write_xlsx(path: &Path) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..XLSX_ROWS {
        let r = (i + 1) as u32;
        let fields = row(i);
        ws.write_number(r, 0, 2_024_000_000_000.0 + i as f64)
            .unwrap();
        let when = ExcelDateTime::from_ymd(2024, 1 + (i % 12) as u8, 1 + (i % 28) as u8)
            .unwrap()
            .and_hms((i % 24) as u16, (i % 60) as u8, 0)
            .unwrap();
        ws.write_datetime_with_format(r, 1, &when, &date).unwrap();
        for (c, value) in fields.iter().enumerate().skip(2) {
            ws.write_string(r, c as u16, value).unwrap();
        }
    }
    wb.save(path).unwrap();
}

fn bench_one(c: &mut Criterion, name: &str, path: PathBuf, rows: u64) {
    let bytes = std::fs::metadata(&path).unwrap().len();
    let opts = IngestOptions::default();
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function(name, |b| {
        b.iter(|| {
            let batch = ingest(black_box(std::slice::from_ref(&path)), &opts, &|_| {}).unwrap();
            assert_eq!(batch.stats.accepted, rows);
            assert_eq!(batch.stats.rejected, 0);
            batch
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_text();
    let utf8 = dir.path().join("orders.csv");
    std::fs::write(&utf8, &text).unwrap();
    let gb = dir.path().join("orders_gb.csv");
    std::fs::write(&gb, encoding_rs::GB18030.encode(&text).0).unwrap();
    let xlsx = dir.path().join("orders.xlsx");
    write_xlsx(&xlsx);

    bench_one(c, "csv_utf8", utf8, ROWS as u64);
    bench_one(c, "csv_gb18030", gb, ROWS as u64);
    bench_one(c, "xlsx", xlsx, XLSX_ROWS as u64);
}

criterion_group!(ingest_benches, benches);
criterion_main!(ingest_benches);
