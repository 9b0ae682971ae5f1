//! The Pareto chart: which few causes (management gaps, root causes) make
//! up most complaints.
//!
//! Horizontal bars, one row per cause, so long Chinese labels read without
//! rotation; each bar carries its count and share ("128 件 · 32%"). The
//! cumulative share runs as a line in its own narrow panel to the right,
//! with a dashed 80 % mark and the cumulative figure at the row's end, so
//! that line and bar labels can never collide. The bars up to the one
//! that reaches 80 % are dark (the "vital few"), the rest light, "其他" grey.

use crate::canvas::{Anchor, Metrics, Scene, Shape};
use crate::style::{
    self, AXIS, GRID, INK, LABEL_EM, MARGIN, MUTED, QUIET, ROW, VALUE_EM, WIDTH, okabe_ito,
};
use crate::{Chart, ChartFont, Error, Result};

/// The share of all complaints that marks the "vital few".
const VITAL_SHARE: f64 = 0.8;
/// Labels are cut to this many display columns, more than other charts':
/// a management gap's full name (电网建设与施工管理不到位) is up to 13 hanzi,
/// and a Pareto has few bars and room beside them.
const PARETO_COLUMNS: usize = 26;
/// Width of the cumulative-share panel.
const PANEL_WIDTH: i32 = 170;

/// One bar of a Pareto chart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParetoBar {
    /// Short Chinese label.
    pub label: String,
    /// Number of work orders.
    pub count: u64,
}

/// A Pareto chart: bars drawn in the given order (the caller sorts by
/// decreasing count and puts "其他" last).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pareto {
    /// Chinese title.
    pub title: String,
    /// What is counted, over which period; the chart adds what its marks mean.
    pub subtitle: Option<String>,
    /// The bars, largest first.
    pub bars: Vec<ParetoBar>,
}

/// Draws a Pareto chart in memory; [`Error::Empty`] without bars.
pub fn draw_pareto(font: &ChartFont, chart: &Pareto) -> Result<Chart> {
    crate::draw_with(font, |m| layout(m, chart))
}

pub(crate) fn layout(m: &Metrics, chart: &Pareto) -> Result<Scene> {
    if chart.bars.is_empty() {
        return Err(Error::Empty);
    }
    let total: u64 = chart.bars.iter().map(|b| b.count).sum();
    let max = chart.bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let share = |n: u64| n as f64 / total.max(1) as f64;
    let mut scene = Scene::new(WIDTH);
    let key = format!(
        "共 {total} 件 · 条形旁 = 件数与占比 · 折线与右列 = 累计占比 · 深蓝 = 累计达到 80% 的主要项"
    );
    let top = style::header(&mut scene, m, &chart.title, chart.subtitle.as_deref(), &key);

    let labels: Vec<String> = chart
        .bars
        .iter()
        .map(|b| {
            style::fit(
                m,
                &style::clean(&b.label),
                LABEL_EM,
                PARETO_COLUMNS,
                PARETO_COLUMNS as f64 / 2.0 * LABEL_EM + LABEL_EM / 2.0,
            )
        })
        .collect();
    let values: Vec<String> = chart
        .bars
        .iter()
        .map(|b| format!("{} 件 · {:.0}%", b.count, 100.0 * share(b.count)))
        .collect();
    let widest = |texts: &[String], em: f64| {
        texts
            .iter()
            .map(|t| m.width(t, em))
            .fold(0.0, f64::max)
            .ceil() as i32
    };
    let label_right = MARGIN + widest(&labels, LABEL_EM);
    let bar_left = label_right + 14;
    let cum_right = WIDTH as i32 - MARGIN;
    let panel_right = cum_right - m.width("100%", VALUE_EM).ceil() as i32 - 18;
    let panel_left = panel_right - PANEL_WIDTH;
    let bar_room = (panel_left - 36 - widest(&values, VALUE_EM) - 8 - bar_left).max(40);
    let bar_px = |n: u64| (bar_room as f64 * n as f64 / max as f64).round() as i32;

    // Ticks of the cumulative panel above the rows.
    let rows_top = top + 30;
    let rows_bottom = rows_top + ROW * chart.bars.len() as i32;
    let panel_x = |s: f64| panel_left + (PANEL_WIDTH as f64 * s).round() as i32;
    for (s, text) in [(0.0, "0"), (0.5, "50%"), (1.0, "100%")] {
        scene.line(
            vec![(panel_x(s), rows_top - 4), (panel_x(s), rows_bottom)],
            GRID,
            1,
        );
        scene.text(
            text,
            panel_x(s),
            rows_top - 12,
            VALUE_EM,
            MUTED,
            Anchor::Centre,
            false,
        );
    }
    // The 80 % mark, dashed, labelled below the rows.
    let x80 = panel_x(VITAL_SHARE);
    let mut y = rows_top;
    while y < rows_bottom {
        scene.line(vec![(x80, y), (x80, (y + 6).min(rows_bottom))], AXIS, 2);
        y += 11;
    }
    scene.text(
        "80%",
        x80,
        rows_bottom + 24,
        VALUE_EM,
        MUTED,
        Anchor::Centre,
        false,
    );
    scene.line(vec![(bar_left, rows_top), (bar_left, rows_bottom)], AXIS, 1);

    let line_colour = okabe_ito::VERMILLION;
    let mut cum = 0u64;
    let mut line = vec![(panel_x(0.0), rows_top)];
    let mut vital = true;
    for (i, bar) in chart.bars.iter().enumerate() {
        let row_top = rows_top + ROW * i as i32;
        let mid = row_top + ROW / 2;
        let fill = if bar.label.trim() == "其他" {
            QUIET
        } else if vital {
            okabe_ito::BLUE
        } else {
            okabe_ito::SKY_BLUE
        };
        let end = bar_left + bar_px(bar.count);
        scene.rect(
            bar_left + 1,
            row_top + 7,
            end.max(bar_left + 2),
            row_top + ROW - 8,
            fill,
        );
        let label_base = style::baseline_for(mid, LABEL_EM);
        let value_base = style::baseline_for(mid, VALUE_EM);
        scene.text(
            &labels[i],
            label_right,
            label_base,
            LABEL_EM,
            INK,
            Anchor::Right,
            false,
        );
        scene.text(
            &values[i],
            end + 8,
            value_base,
            VALUE_EM,
            INK,
            Anchor::Left,
            false,
        );
        cum += bar.count;
        let s = share(cum);
        // The bar that crosses 80 % still belongs to the vital few.
        vital = vital && s < VITAL_SHARE - 1e-9;
        line.push((panel_x(s), mid));
        scene.text(
            &format!("{:.0}%", 100.0 * s),
            cum_right,
            value_base,
            VALUE_EM,
            style::readable(line_colour),
            Anchor::Right,
            false,
        );
    }
    let points = line[1..].to_vec();
    scene.line(line, line_colour, 3);
    for p in points {
        scene.shapes.push(Shape::Circle {
            centre: p,
            radius: 5,
            fill: line_colour,
            outline: Some((plotters::style::RGBColor(255, 255, 255), 1)),
        });
    }
    scene.height = (rows_bottom + 24 + 22) as u32;
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_readable, ink, metrics, svg_texts, text_box};

    pub(crate) fn gaps() -> Pareto {
        Pareto {
            title: "管理漏洞帕累托".into(),
            subtitle: Some("第 23 周 · 属实投诉".into()),
            bars: vec![
                ParetoBar {
                    label: "抢修时间过长".into(),
                    count: 128,
                },
                ParetoBar {
                    label: "信息发布不及时（计划停电通知未到户）".into(),
                    count: 96,
                },
                ParetoBar {
                    label: "内部分工不明".into(),
                    count: 80,
                },
                ParetoBar {
                    label: "后续服务不到位".into(),
                    count: 56,
                },
                ParetoBar {
                    label: "其他".into(),
                    count: 40,
                },
            ],
        }
    }

    #[test]
    fn bars_carry_count_and_share_and_the_line_reaches_100() {
        let chart = draw_pareto(&ChartFont::Embedded, &gaps()).unwrap();
        let texts = svg_texts(&chart.svg);
        assert!(texts.contains(&"128 件 · 32%".to_owned()), "{texts:?}");
        assert!(texts.contains(&"抢修时间过长".to_owned()));
        // 128 / 400, (128 + 96) / 400 …
        for cum in ["32%", "56%", "76%", "90%", "100%"] {
            assert!(texts.iter().any(|t| t == cum), "{cum} in {texts:?}");
        }
        assert!(texts.iter().any(|t| t.contains("共 400 件")));
        assert_eq!(&chart.png[1..4], b"PNG");
        assert_eq!(chart.width, 1000);
        let img = image::load_from_memory(&chart.png).unwrap();
        assert_eq!((img.width(), img.height()), (chart.width, chart.height));
    }

    #[test]
    fn long_labels_are_truncated_at_twenty_six_columns() {
        let chart = draw_pareto(&ChartFont::Embedded, &gaps()).unwrap();
        let texts = svg_texts(&chart.svg);
        assert!(
            texts.contains(&"信息发布不及时（计划停电…".to_owned()),
            "{texts:?}"
        );
    }

    #[test]
    fn vital_few_are_dark_up_to_the_bar_crossing_80_percent() {
        let scene = layout(&metrics(), &gaps()).unwrap();
        let fills: Vec<_> = scene
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Rect { fill, .. } => Some(*fill),
                _ => None,
            })
            .collect();
        // 32, 56, 76 % are below 80 %; 90 % crosses it; 其他 is grey.
        assert_eq!(
            fills,
            [
                okabe_ito::BLUE,
                okabe_ito::BLUE,
                okabe_ito::BLUE,
                okabe_ito::BLUE,
                QUIET
            ]
        );
    }

    #[test]
    fn labels_are_inked_in_the_png() {
        let chart = draw_pareto(&ChartFont::Embedded, &gaps()).unwrap();
        let scene = layout(&metrics(), &gaps()).unwrap();
        let b = text_box(&scene, "抢修时间过长");
        assert!(ink(&chart.png, b) > 100);
        let b = text_box(&scene, "128 件 · 32%");
        assert!(ink(&chart.png, b) > 60);
    }

    #[test]
    fn all_zero_counts_still_draw() {
        let mut chart = gaps();
        for b in &mut chart.bars {
            b.count = 0;
        }
        let drawn = draw_pareto(&ChartFont::Embedded, &chart).unwrap();
        assert!(svg_texts(&drawn.svg).contains(&"0 件 · 0%".to_owned()));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn any_labels_and_counts_lay_out_readably(
            bars in proptest::collection::vec(("\\PC{0,30}", 0u64..100_000), 1..25),
            title in "\\PC{0,60}",
        ) {
            let chart = Pareto {
                title,
                subtitle: Some("第 23 周".into()),
                bars: bars.into_iter().map(|(label, count)| ParetoBar { label, count }).collect(),
            };
            let scene = layout(&metrics(), &chart).unwrap();
            assert_readable(&scene);
        }
    }
}
