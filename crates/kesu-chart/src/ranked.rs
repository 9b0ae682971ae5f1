//! Ranked horizontal bars: supply units ordered by a rate (e.g. work orders
//! per 10 000 customers), highest first.
//!
//! Each bar carries its value label at its end, so the chart needs no axis.
//! Bars flagged `highlight` (the reader's own unit, or units under watch)
//! are orange and their labels bold; the others blue.

use crate::canvas::{Anchor, Metrics, Scene};
use crate::style::{
    self, AXIS, INK, LABEL_COLUMNS, LABEL_EM, LABEL_PX, MARGIN, ROW, VALUE_EM, WIDTH, okabe_ito,
};
use crate::{Chart, ChartFont, Error, Result};

/// Bars ranked by value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranked {
    /// Chinese title.
    pub title: String,
    /// What the value is (its unit), over which period.
    pub subtitle: Option<String>,
    /// The bars, in any order: the chart ranks them, highest value first
    /// (ties keep their order).
    pub bars: Vec<RankedBar>,
    /// What a highlighted bar means, for the subtitle (e.g. "本单位");
    /// without it the subtitle says "重点关注".
    pub highlight_note: Option<String>,
}

/// One ranked bar.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RankedBar {
    /// Chinese label (a supply unit).
    pub label: String,
    /// The value the bar's length shows; finite and ≥ 0.
    pub value: f64,
    /// The value as printed at the bar's end, e.g. "12.4".
    pub value_label: String,
    /// Draws the bar in the highlight colour.
    pub highlight: bool,
}

/// Draws ranked bars in memory. [`Error::Empty`] without bars;
/// [`Error::Value`] for a value that is not finite or negative.
pub fn draw_ranked(font: &ChartFont, chart: &Ranked) -> Result<Chart> {
    crate::draw_with(font, |m| layout(m, chart))
}

pub(crate) fn layout(m: &Metrics, chart: &Ranked) -> Result<Scene> {
    if chart.bars.is_empty() {
        return Err(Error::Empty);
    }
    if let Some(b) = chart
        .bars
        .iter()
        .find(|b| !b.value.is_finite() || b.value < 0.0)
    {
        return Err(Error::Value {
            label: b.label.clone(),
            value: b.value,
        });
    }
    let mut bars: Vec<&RankedBar> = chart.bars.iter().collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let max = bars[0].value;

    let mut scene = Scene::new(WIDTH);
    let mut key = "从高到低排列 · 条形末端 = 数值".to_owned();
    if bars.iter().any(|b| b.highlight) {
        let note = chart
            .highlight_note
            .as_deref()
            .map(style::clean)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "重点关注".to_owned());
        key.push_str(&format!(" · 橙色 = {note}"));
    }
    let top = style::header(&mut scene, m, &chart.title, chart.subtitle.as_deref(), &key);

    let labels: Vec<String> = bars
        .iter()
        .map(|b| {
            style::fit(
                m,
                &style::clean(&b.label),
                LABEL_EM,
                LABEL_COLUMNS,
                LABEL_PX,
            )
        })
        .collect();
    let values: Vec<String> = bars
        .iter()
        .map(|b| style::fit(m, &style::clean(&b.value_label), VALUE_EM, 16, 160.0))
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
    let bar_room = WIDTH as i32 - MARGIN - widest(&values, VALUE_EM) - 10 - bar_left;
    let rows_top = top + 6;
    let rows_bottom = rows_top + ROW * bars.len() as i32;
    scene.line(vec![(bar_left, rows_top), (bar_left, rows_bottom)], AXIS, 1);
    for (i, bar) in bars.iter().enumerate() {
        let row_top = rows_top + ROW * i as i32;
        let mid = row_top + ROW / 2;
        let len = if max > 0.0 {
            (bar_room as f64 * bar.value / max).round() as i32
        } else {
            0
        };
        let end = bar_left + len;
        let fill = if bar.highlight {
            okabe_ito::ORANGE
        } else {
            okabe_ito::BLUE
        };
        scene.rect(
            bar_left + 1,
            row_top + 7,
            end.max(bar_left + 2),
            row_top + ROW - 8,
            fill,
        );
        scene.text(
            &labels[i],
            label_right,
            style::baseline_for(mid, LABEL_EM),
            LABEL_EM,
            INK,
            Anchor::Right,
            bar.highlight,
        );
        scene.text(
            &values[i],
            end + 8,
            style::baseline_for(mid, VALUE_EM),
            VALUE_EM,
            INK,
            Anchor::Left,
            bar.highlight,
        );
    }
    scene.height = (rows_bottom + 24) as u32;
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::Shape;
    use crate::testutil::{assert_readable, count, ink, metrics, svg_texts, text_box};

    pub(crate) fn rates() -> Ranked {
        let bar = |label: &str, value: f64, highlight: bool| RankedBar {
            label: label.into(),
            value,
            value_label: format!("{value:.1}"),
            highlight,
        };
        Ranked {
            title: "各供电单位万户工单数".into(),
            subtitle: Some("第 34 周 · 每万户客户的投诉工单数".into()),
            bars: vec![
                bar("城西供电所", 8.2, false),
                bar("城东供电所", 12.4, true),
                bar("北郊供电所", 3.1, false),
                bar("高新区供电服务中心（含工业园区）", 10.0, false),
                bar("南湖供电所", 0.0, false),
            ],
            highlight_note: Some("本单位".into()),
        }
    }

    #[test]
    fn bars_are_ranked_with_values_at_their_ends() {
        let chart = draw_ranked(&ChartFont::Embedded, &rates()).unwrap();
        let texts = svg_texts(&chart.svg);
        let order: Vec<&String> = texts
            .iter()
            .filter(|t| t.ends_with("所") || t.ends_with('…'))
            .collect();
        assert_eq!(
            order,
            [
                "城东供电所",
                "高新区供电服务中心…",
                "城西供电所",
                "北郊供电所",
                "南湖供电所"
            ]
        );
        for v in ["12.4", "10.0", "8.2", "3.1", "0.0"] {
            assert!(texts.contains(&v.to_owned()), "{v}");
        }
        assert!(texts.iter().any(|t| t.contains("橙色 = 本单位")));
        assert_eq!(&chart.png[1..4], b"PNG");
    }

    #[test]
    fn the_highlighted_bar_is_orange_and_its_value_sits_at_its_end() {
        let r = rates();
        let scene = layout(&metrics(), &r).unwrap();
        let png = draw_ranked(&ChartFont::Embedded, &r).unwrap().png;
        let rects: Vec<_> = scene
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Rect { x1, y0, fill, .. } => Some((*x1, *y0, *fill)),
                _ => None,
            })
            .collect();
        assert_eq!(rects[0].2, okabe_ito::ORANGE);
        assert!(rects[1..].iter().all(|r| r.2 == okabe_ito::BLUE));
        let orange = |p: [u8; 3]| p[0] > 200 && (130..180).contains(&p[1]) && p[2] < 60;
        let (x1, y0, _) = rects[0];
        assert!(
            count(
                &png,
                (x1 as u32 - 40, x1 as u32, y0 as u32, y0 as u32 + 20),
                orange
            ) > 500
        );
        let b = text_box(&scene, "12.4");
        assert!(
            b.0 as i32 >= x1 && b.0 as i32 <= x1 + 12,
            "{b:?} after {x1}"
        );
        assert!(ink(&png, b) > 30);
        assert_readable(&scene);
    }

    #[test]
    fn values_that_are_no_length_are_errors() {
        let m = metrics();
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            let mut r = rates();
            r.bars[2].value = bad;
            assert!(
                matches!(layout(&m, &r), Err(Error::Value { ref label, .. }) if label == "北郊供电所")
            );
        }
        let mut r = rates();
        r.bars.clear();
        assert!(matches!(layout(&m, &r), Err(Error::Empty)));
    }

    #[test]
    fn all_zero_values_draw_without_dividing_by_zero() {
        let mut r = rates();
        for b in &mut r.bars {
            b.value = 0.0;
        }
        assert_readable(&layout(&metrics(), &r).unwrap());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn any_bars_lay_out_readably(
            bars in proptest::collection::vec(("\\PC{0,30}", 0.0f64..1e6, "\\PC{0,12}", proptest::bool::ANY), 1..30),
        ) {
            let chart = Ranked {
                title: "排名".into(),
                subtitle: None,
                bars: bars
                    .into_iter()
                    .map(|(label, value, value_label, highlight)| RankedBar { label, value, value_label, highlight })
                    .collect(),
                highlight_note: None,
            };
            assert_readable(&layout(&metrics(), &chart).unwrap());
        }
    }
}
