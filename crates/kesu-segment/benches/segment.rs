//! Segmentation throughput (MB/s) on ~4 MB of generated complaint-like text:
//! bare jieba-rs, jieba-rs with the same dictionaries as kesu, kesu's
//! `Segmenter` single-threaded, and kesu's `Segmenter` over all cores with
//! rayon. Every run checks its token count, so a fast path that segments
//! differently fails the bench instead of looking faster.
//!
//! Also the dictionary load: jieba's dictionary plus the power dictionary
//! built from text (`Jieba::new` + `add_word`), against kesu's
//! `Segmenter::new`, which copies the built-in image (vendor/jieba-rs/PATCHES.md).
//!
//! ```text
//! cargo bench -p kesu-segment --bench segment -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p kesu-segment --bench segment -- load
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jieba_rs::Jieba;
use kesu_segment::{Mode, Segmenter};
use rayon::prelude::*;

const POWER_DICT: &str = include_str!("../../../pipelines/dict/power.dict");
const TARGET_BYTES: usize = 4 << 20;

/// Work-order texts in the operators' style, assembled from fragments with a
/// fixed-seed generator so every run segments the same bytes.
fn complaint_corpus() -> Vec<String> {
    const OPENINGS: &[&str] = &[
        "客户来电反映",
        "客户通过95598热线反映",
        "客户通过网上国网留言称",
        "客户到营业厅反映",
        "客户致电表示",
    ];
    const PLACES: &[&str] = &[
        "其位于城关镇幸福路12号的住宅",
        "该小区3栋2单元",
        "所在村台区",
        "其经营的商铺",
        "新建小区的地下车库",
    ];
    const PROBLEMS: &[&str] = &[
        "近一周频繁停电，每次停电一两个小时，家中冰箱和空调无法正常使用",
        "晚上用电高峰时段电压偏低，灯光闪烁，空调无法启动，怀疑台区低电压",
        "本月电费账单比上月高出三倍，怀疑智能电表计量不准，要求校验电表",
        "申请业扩报装已经一个多月，供电所工作人员一直推诿，未给出供电方案",
        "欠费停电后已通过掌上电力缴清电费，但超过24小时仍未复电",
        "计划停电未提前通知，停电通知张贴位置不明显，造成经济损失",
        "抢修人员到达现场时间过长，故障停电持续了六个小时",
        "门前10kV线路与房屋安全距离不足，存在安全隐患，要求线路改造",
        "光伏并网申请提交后迟迟没有安装双向电能表，余电上网电费未结算",
        "阶梯电价和峰谷电价执行有误，第二档电量计算错误，多收电费",
        "营业厅工作人员服务态度生硬，办理过户时要求重复提交材料",
        "表箱锈蚀损坏，进户线老化，多次报修无人处理",
    ];
    const DEMANDS: &[&str] = &[
        "要求供电公司尽快核实处理并回复。",
        "要求尽快恢复供电并赔偿损失。",
        "要求台区经理上门解释。",
        "请相关部门尽快处理，联系电话138****5678。",
        "客户情绪激动，表示如不解决将向媒体曝光。",
    ];
    let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
    let mut next = |n: usize| rng.usize(..n);
    let mut docs = Vec::new();
    let mut bytes = 0;
    while bytes < TARGET_BYTES {
        let mut doc = String::new();
        doc.push_str(OPENINGS[next(OPENINGS.len())]);
        doc.push_str(PLACES[next(PLACES.len())]);
        for _ in 0..1 + next(3) {
            doc.push_str(PROBLEMS[next(PROBLEMS.len())]);
            doc.push('，');
        }
        doc.push_str(DEMANDS[next(DEMANDS.len())]);
        bytes += doc.len();
        docs.push(doc);
    }
    docs
}

fn segment(c: &mut Criterion) {
    let docs = complaint_corpus();
    let bytes: usize = docs.iter().map(String::len).sum();

    let bare = Jieba::new();
    let mut same_dict = Jieba::new();
    // INVARIANT: the embedded dictionary is valid (kesu-segment's tests load it).
    same_dict
        .load_dict(&mut POWER_DICT.as_bytes())
        .expect("power.dict loads");
    let seg = Segmenter::builtin().expect("builtin segmenter loads");

    let count_jieba = |j: &Jieba| docs.iter().map(|d| j.cut(d, false).len()).sum::<usize>();
    let count_kesu = || {
        docs.iter()
            .map(|d| seg.cut(d, Mode::Precise).len())
            .sum::<usize>()
    };
    let count_kesu_par = || {
        docs.par_iter()
            .map(|d| seg.cut(d, Mode::Precise).len())
            .sum::<usize>()
    };
    let bare_tokens = count_jieba(&bare);
    let kesu_tokens = count_kesu();
    assert_eq!(
        count_jieba(&same_dict),
        kesu_tokens,
        "kesu must segment exactly like jieba with its dictionaries"
    );
    assert_eq!(count_kesu_par(), kesu_tokens);
    assert!(
        kesu_tokens < bare_tokens,
        "the power dictionary joins domain terms"
    );

    let mut group = c.benchmark_group("segment");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("jieba-rs cut, default dict, 1 thread", |b| {
        b.iter(|| assert_eq!(count_jieba(black_box(&bare)), bare_tokens))
    });
    group.bench_function("jieba-rs cut, default + power dict, 1 thread", |b| {
        b.iter(|| assert_eq!(count_jieba(black_box(&same_dict)), kesu_tokens))
    });
    group.bench_function("kesu Segmenter::cut Precise, 1 thread", |b| {
        b.iter(|| assert_eq!(count_kesu(), kesu_tokens))
    });
    group.bench_function(
        format!(
            "kesu Segmenter::cut Precise, rayon {} threads",
            rayon::current_num_threads()
        ),
        |b| b.iter(|| assert_eq!(count_kesu_par(), kesu_tokens)),
    );
    let term_count = docs.iter().map(|d| seg.terms(d).len()).sum::<usize>();
    group.bench_function("kesu Segmenter::terms, 1 thread", |b| {
        b.iter(|| {
            assert_eq!(
                docs.iter().map(|d| seg.terms(d).len()).sum::<usize>(),
                term_count
            )
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let from_text = || {
        let mut j = Jieba::new();
        for line in POWER_DICT.lines() {
            let mut f = line.split_whitespace();
            if let Some(word) = f.next() {
                let freq = f.next().map(|x| x.parse().expect("power.dict frequency"));
                j.add_word(word, freq, f.next());
            }
        }
        j
    };
    // Both ways must give the same dictionary, or the comparison is void.
    let text = "客户反映台区经理未通知计划停电，业扩报装进度慢";
    let seg = Segmenter::new(&Default::default()).expect("built-in segmenter");
    assert_eq!(
        from_text()
            .cut(text, false)
            .iter()
            .map(|t| t.word)
            .collect::<Vec<_>>(),
        seg.cut(text, Mode::Precise)
            .iter()
            .map(|t| t.text)
            .collect::<Vec<_>>()
    );
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("jieba-rs: default dict + power.dict from text", |b| {
        b.iter(|| black_box(from_text()))
    });
    group.bench_function("kesu Segmenter::new (built-in image)", |b| {
        b.iter(|| black_box(Segmenter::new(&Default::default()).expect("segmenter")))
    });
    group.finish();
}

criterion_group!(benches, segment, load);
criterion_main!(benches);
