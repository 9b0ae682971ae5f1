//! Throughput of normalise + redact over ~5 MB of generated complaint text.
//!
//! The corpus is generated deterministically (a fixed LCG), so the bench can
//! check its own output: every generated mobile must come out masked, and the
//! normalised size is pinned, like tantivy's `benches/analyzer.rs` pins its
//! token count. A fast path that breaks redaction fails the bench.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kesu_normalize::Normalizer;

/// Seeded picks for the bench corpus (fastrand: kesu's one RNG outside
/// kesu-synth's frozen stream).
struct Lcg(fastrand::Rng);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0.u64(..)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const OPENINGS: [&str; 6] = [
    "客户来电反映",
    "客戶來電反映",
    "客户通过网上国网反映",
    "客户致电95598称",
    "客戶於營業廳反映",
    "客户微信留言称",
];
const PROBLEMS: [&str; 8] = [
    "其家中于{m}月{d}日起频繁停电",
    "所在小区电压不稳，灯光闪烁，空调无法启动",
    "電費賬單異常，本月電費{amount}元，較上月明顯偏高",
    "抢修人员到场时间过长，等待超过{h}小时",
    "營業廳工作人員態度生硬，相互推諉",
    "新装电表后计量不准，怀疑表计故障",
    "停电通知未及时发布，影响正常生产",
    "线路距离房屋过近，存在安全隐患",
];
const CONTACTS: [&str; 6] = [
    "联系电话{mobile}",
    "聯繫電話：{mobile}",
    "电话{mobile}（{name}先生）",
    "座机0571-{landline}",
    "户号{account}",
    "表号ZJ{account}",
];
const DEMANDS: [&str; 4] = [
    "要求尽快处理。",
    "要求給予合理解釋並賠償損失。",
    "要求供电公司上门核查。　请回复。",
    "希望尽快恢复供电！",
];
const SURNAMES: [&str; 6] = ["张", "李", "王", "陈", "刘", "赵"];

/// Complaint texts of about `target_bytes` in total, and how many mobiles they hold.
fn corpus(target_bytes: usize) -> (Vec<String>, usize) {
    let mut rng = Lcg(fastrand::Rng::with_seed(20240301));
    let mut texts = Vec::new();
    let mut bytes = 0;
    let mut mobiles = 0;
    while bytes < target_bytes {
        let mut text = String::new();
        text.push_str(rng.pick(&OPENINGS));
        for _ in 0..1 + rng.below(3) {
            let problem = rng
                .pick(&PROBLEMS)
                .replace("{m}", &(1 + rng.below(12)).to_string())
                .replace("{d}", &(1 + rng.below(28)).to_string())
                .replace("{amount}", &(100 + rng.below(20_000)).to_string())
                .replace("{h}", &(2 + rng.below(10)).to_string());
            text.push_str(&problem);
            text.push('，');
        }
        let contact = rng.pick(&CONTACTS);
        if contact.contains("{mobile}") {
            mobiles += 1;
        }
        let mut mobile = format!("1{}{:09}", 3 + rng.below(7), rng.next() % 1_000_000_000);
        if rng.below(4) == 0 {
            // Full-width digits, as some exports carry them.
            mobile = mobile
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
                .collect();
        }
        let contact = contact
            .replace("{mobile}", &mobile)
            .replace("{name}", rng.pick(&SURNAMES))
            .replace(
                "{landline}",
                &format!("{:08}", 80_000_000 + rng.below(9_999_999)),
            )
            .replace("{account}", &format!("{:010}", rng.next() % 10_000_000_000));
        text.push_str(&contact);
        text.push('，');
        text.push_str(rng.pick(&DEMANDS));
        bytes += text.len();
        texts.push(text);
    }
    (texts, mobiles)
}

/// Normalised size of the corpus; pinned so that a change in normalisation shows.
const NORMALIZED_BYTES: usize = 5_152_674;

fn bench_normalize(c: &mut Criterion) {
    let n = Normalizer::builtin();
    let (texts, mobiles) = corpus(5 << 20);
    let input_bytes: usize = texts.iter().map(String::len).sum();

    // Check the output once before timing it.
    let normalized: Vec<String> = texts.iter().map(|t| n.normalize(t)).collect();
    let redacted: Vec<String> = normalized
        .iter()
        .map(|t| n.redact(t).into_string())
        .collect();
    let normalized_bytes: usize = normalized.iter().map(String::len).sum();
    let redacted_bytes: usize = redacted.iter().map(String::len).sum();
    assert_eq!(
        normalized_bytes, NORMALIZED_BYTES,
        "normalised size changed"
    );
    let masked = redacted
        .iter()
        .filter(|t| t.contains("****"))
        .filter(|t| !t.contains("座机") && !t.contains("户号") && !t.contains("表号"))
        .count();
    assert_eq!(masked, mobiles, "every generated mobile is masked");
    for (norm, red) in normalized.iter().zip(&redacted) {
        assert_eq!(norm.chars().count(), red.chars().count());
    }

    let mut group = c.benchmark_group("complaints_5mb");
    group.throughput(Throughput::Bytes(input_bytes as u64));
    group.sample_size(10);
    group.bench_function("normalize", |b| {
        b.iter(|| {
            let out: usize = texts.iter().map(|t| n.normalize(black_box(t)).len()).sum();
            assert_eq!(out, NORMALIZED_BYTES);
        })
    });
    group.bench_function("normalize_redact", |b| {
        b.iter(|| {
            let out: usize = texts
                .iter()
                .map(|t| n.redact(&n.normalize(black_box(t))).as_str().len())
                .sum();
            assert_eq!(out, redacted_bytes);
        })
    });
    group.finish();

    // Already simplified, half-width text (most mainland exports): the
    // zh-Hans automaton is skipped for texts with nothing to convert.
    let mut group = c.benchmark_group("simplified_5mb");
    group.throughput(Throughput::Bytes(normalized_bytes as u64));
    group.sample_size(10);
    group.bench_function("normalize", |b| {
        b.iter(|| {
            let out: usize = normalized
                .iter()
                .map(|t| n.normalize(black_box(t)).len())
                .sum();
            assert_eq!(out, NORMALIZED_BYTES);
        })
    });
    group.bench_function("redact", |b| {
        b.iter(|| {
            let out: usize = normalized
                .iter()
                .map(|t| n.redact(black_box(t)).as_str().len())
                .sum();
            assert_eq!(out, redacted_bytes);
        })
    });
    group.finish();
}

criterion_group!(benches, bench_normalize);
criterion_main!(benches);
