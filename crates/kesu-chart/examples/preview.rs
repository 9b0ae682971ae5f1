//! Draws one chart of each kind with sample figures into a folder, for
//! looking at the design: `cargo run -p kesu-chart --example preview -- DIR`.

use kesu_chart::*;

fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "charts-preview".into());
    let dir = std::path::Path::new(&dir);
    let font = ChartFont::from_env();
    let bar = |label: &str, count| ParetoBar {
        label: label.into(),
        count,
    };
    let pareto = Pareto {
        title: "管理漏洞帕累托".into(),
        subtitle: Some("第 34 周 · 属实投诉 · 按管理漏洞归类".into()),
        bars: vec![
            bar("抢修时间过长", 128),
            bar("信息发布不及时（计划停电通知未到户）", 96),
            bar("内部分工不明·相互推诿", 64),
            bar("后续服务不到位", 40),
            bar("服务态度生硬", 25),
            bar("宣传不到位", 15),
            bar("其他", 32),
        ],
    };
    draw_pareto(&font, &pareto)?.write(dir, "pareto")?;

    let series = |label: &str, counts: Vec<Option<u64>>, alerts: Vec<usize>| TrendSeries {
        label: label.into(),
        counts,
        alerts,
    };
    let trends = Trends {
        title: "主要根因周趋势".into(),
        subtitle: Some("近 12 周 · 全部供电单位".into()),
        weeks: (23..35).map(|w| format!("W{w}")).collect(),
        series: vec![
            series(
                "低电压·空调·台区",
                [40, 42, 45, 50, 61, 75, 90, 88, 70, 60, 55, 52]
                    .map(Some)
                    .to_vec(),
                vec![5, 6],
            ),
            series(
                "抢修时间过长",
                vec![
                    Some(30),
                    Some(28),
                    None,
                    Some(33),
                    Some(31),
                    Some(35),
                    Some(30),
                    Some(29),
                    Some(34),
                    Some(36),
                    Some(50),
                    Some(52),
                ],
                vec![10, 11],
            ),
            series(
                "停电通知未到户",
                [12, 15, 14, 18, 20, 19, 22, 25, 24, 26, 28, 51]
                    .map(Some)
                    .to_vec(),
                vec![11],
            ),
            series(
                "电费核算差错（阶梯电价）",
                [8, 9, 7, 10, 12, 9, 11, 10, 9, 8, 10, 9].map(Some).to_vec(),
                vec![],
            ),
        ],
    };
    draw_trends(&font, &trends)?.write(dir, "trends")?;

    let heatmap = Heatmap {
        title: "供电单位 × 投诉类别".into(),
        subtitle: Some("第 34 周 · 举报投诉工单".into()),
        rows: [
            "城东供电所",
            "城西供电所",
            "高新区供电服务中心（含工业园区）",
            "北郊供电所",
            "南湖供电所",
            "开发区供电所",
        ]
        .map(String::from)
        .to_vec(),
        cols: ["供电服务", "营业业务", "停送电", "供电质量", "电网建设"]
            .map(String::from)
            .to_vec(),
        values: vec![
            vec![12, 30, 7, 45, 0],
            vec![3, 8, 120, 9, 1],
            vec![25, 14, 6, 2, 11],
            vec![0, 5, 33, 61, 4],
            vec![7, 19, 12, 5, 2],
            vec![15, 22, 48, 30, 9],
        ],
        totals: true,
    };
    draw_heatmap(&font, &heatmap)?.write(dir, "heatmap")?;

    let rb = |label: &str, value: f64, highlight| RankedBar {
        label: label.into(),
        value,
        value_label: format!("{value:.1}"),
        highlight,
    };
    let ranked = Ranked {
        title: "各供电单位万户工单数".into(),
        subtitle: Some("第 34 周 · 每万户客户的投诉工单数".into()),
        bars: vec![
            rb("城西供电所", 8.2, false),
            rb("城东供电所", 12.4, true),
            rb("北郊供电所", 3.1, false),
            rb("高新区供电服务中心（含工业园区）", 10.0, false),
            rb("南湖供电所", 5.6, false),
            rb("开发区供电所", 9.3, false),
        ],
        highlight_note: Some("本单位".into()),
    };
    draw_ranked(&font, &ranked)?.write(dir, "ranked")?;
    Ok(())
}
