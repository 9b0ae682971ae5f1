//! The heatmap of complaints by supply unit (rows) and complaint class
//! (columns): where each kind of complaint concentrates.
//!
//! Every cell prints its count, so the colour only guides the eye and the
//! chart survives black-and-white printing; the count is white on dark cells
//! and ink on light ones. Colours run from light to dark blue (one hue,
//! colour-blind safe), zero is a neutral grey. Row and column totals are
//! optional, in grey cells that take no colour.

use crate::canvas::{Anchor, Metrics, Scene};
use crate::style::{
    self, INK, LABEL_COLUMNS, LABEL_EM, LABEL_PX, MARGIN, MUTED, PANEL, ROW, VALUE_EM, WIDTH,
};
use crate::{Chart, ChartFont, Error, Result};

/// Widest cell: few columns do not stretch across the page.
const MAX_CELL: i32 = 150;
/// Line distance of two-line column labels.
const HEAD_LINE: i32 = 24;
/// White space between cells.
const GAP: i32 = 3;

/// Counts by row and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Heatmap {
    /// Chinese title.
    pub title: String,
    /// What is counted, over which period; the chart adds what its colours mean.
    pub subtitle: Option<String>,
    /// Row labels (supply units).
    pub rows: Vec<String>,
    /// Column labels (complaint classes).
    pub cols: Vec<String>,
    /// `values[row][col]`: one list per row, each as long as `cols`.
    pub values: Vec<Vec<u64>>,
    /// Adds a "合计" column and row.
    pub totals: bool,
}

/// Draws a heatmap in memory. [`Error::Empty`] without rows or columns;
/// [`Error::Length`] when `values` is not one list per row of one count
/// per column.
pub fn draw_heatmap(font: &ChartFont, chart: &Heatmap) -> Result<Chart> {
    crate::draw_with(font, |m| layout(m, chart))
}

pub(crate) fn layout(m: &Metrics, chart: &Heatmap) -> Result<Scene> {
    if chart.rows.is_empty() || chart.cols.is_empty() {
        return Err(Error::Empty);
    }
    if chart.values.len() != chart.rows.len() {
        return Err(Error::Length {
            what: "heatmap values".into(),
            against: "rows",
            expected: chart.rows.len(),
            found: chart.values.len(),
        });
    }
    for (label, row) in chart.rows.iter().zip(&chart.values) {
        if row.len() != chart.cols.len() {
            return Err(Error::Length {
                what: format!("heatmap row {label}"),
                against: "columns",
                expected: chart.cols.len(),
                found: row.len(),
            });
        }
    }
    let max = chart.values.iter().flatten().copied().max().unwrap_or(0);
    let row_sums: Vec<u64> = chart.values.iter().map(|r| r.iter().sum()).collect();
    let col_sums: Vec<u64> = (0..chart.cols.len())
        .map(|c| chart.values.iter().map(|r| r[c]).sum())
        .collect();
    let grand: u64 = row_sums.iter().sum();

    let total_label = "合计";
    let mut rows: Vec<String> = chart
        .rows
        .iter()
        .map(|r| style::fit(m, &style::clean(r), LABEL_EM, LABEL_COLUMNS, LABEL_PX))
        .collect();
    if chart.totals {
        rows.push(total_label.to_owned());
    }
    let label_w = rows
        .iter()
        .map(|r| m.width(r, LABEL_EM))
        .fold(0.0, f64::max)
        .ceil() as i32;
    let grid_left = MARGIN + label_w + 14;
    let number_w = |n: u64| m.width(&n.to_string(), VALUE_EM).ceil() as i32;
    let totals_w = if chart.totals {
        (m.width(total_label, LABEL_EM).ceil() as i32).max(number_w(grand)) + 24
    } else {
        0
    };
    let totals_gap = if chart.totals { 6 } else { 0 };
    // A cell holds its count and a two-hanzi column label; with many
    // columns the canvas grows rather than numbers running into each other.
    let widest_count = chart
        .values
        .iter()
        .flatten()
        .chain(if chart.totals { &col_sums[..] } else { &[] })
        .map(|&v| number_w(v))
        .max()
        .unwrap_or(0);
    let min_cell = (widest_count + 14).max((3.0 * LABEL_EM) as i32 + 8);
    let ncols = chart.cols.len() as i32;
    let width = (WIDTH as i32).max(grid_left + ncols * min_cell + totals_gap + totals_w + MARGIN);
    let room = width - MARGIN - grid_left - totals_w - totals_gap;
    let cell_w = (room / ncols).clamp(min_cell, MAX_CELL.max(min_cell));
    let mut scene = Scene::new(width as u32);
    let mut key = "格内数字 = 件数 · 颜色越深件数越多 · 灰色 = 0".to_owned();
    if chart.totals {
        key.push_str(" · 合计 = 行、列之和");
    }
    let top = style::header(&mut scene, m, &chart.title, chart.subtitle.as_deref(), &key);

    // Column labels take two lines before they are cut: classes often
    // share a prefix ("二级分类…") that one cut line would leave alone.
    let cols: Vec<Vec<String>> = chart
        .cols
        .iter()
        .map(|c| {
            let label = style::truncate(&style::clean(c), LABEL_COLUMNS);
            style::two_lines(m, &label, LABEL_EM, (cell_w - 8) as f64)
        })
        .collect();
    let head_lines = cols.iter().map(Vec::len).max().unwrap_or(1) as i32;

    let grid_top = top + 34 + HEAD_LINE * (head_lines - 1);
    let col_x = |c: usize| grid_left + cell_w * c as i32;
    let row_y = |r: usize| grid_top + ROW * r as i32;
    let totals_x = col_x(chart.cols.len()) + totals_gap;
    let head = style::baseline_for(grid_top - 18, LABEL_EM);
    for (c, lines) in cols.iter().enumerate() {
        let mid = col_x(c) + (cell_w - GAP) / 2;
        // The last line sits on the grid, earlier ones above it.
        for (i, line) in lines.iter().enumerate() {
            let base = head - HEAD_LINE * (lines.len() - 1 - i) as i32;
            scene.text(line, mid, base, LABEL_EM, INK, Anchor::Centre, false);
        }
    }
    if chart.totals {
        let mid = totals_x + (totals_w - GAP) / 2;
        scene.text(total_label, mid, head, LABEL_EM, INK, Anchor::Centre, false);
    }
    for (r, label) in rows.iter().enumerate() {
        let mid = row_y(r) + (ROW - GAP) / 2;
        let base = style::baseline_for(mid, LABEL_EM);
        scene.text(
            label,
            grid_left - 14,
            base,
            LABEL_EM,
            INK,
            Anchor::Right,
            false,
        );
    }

    let number_base = |r: usize| style::baseline_for(row_y(r) + (ROW - GAP) / 2, VALUE_EM);
    for (r, row) in chart.values.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let fill = if v == 0 {
                PANEL
            } else {
                style::sequential(v as f64 / max.max(1) as f64)
            };
            let (x, y) = (col_x(c), row_y(r));
            scene.rect(x, y, x + cell_w - GAP - 1, y + ROW - GAP - 1, fill);
            let ink = if v == 0 { MUTED } else { style::text_on(fill) };
            let mid = x + (cell_w - GAP) / 2;
            scene.text(
                &v.to_string(),
                mid,
                number_base(r),
                VALUE_EM,
                ink,
                Anchor::Centre,
                false,
            );
        }
    }
    if chart.totals {
        let n = chart.rows.len();
        let mut total_cell = |x: i32, w: i32, r: usize, v: u64| {
            let y = row_y(r);
            scene.rect(x, y, x + w - GAP - 1, y + ROW - GAP - 1, PANEL);
            let mid = x + (w - GAP) / 2;
            let base = number_base(r);
            scene.text(
                &v.to_string(),
                mid,
                base,
                VALUE_EM,
                INK,
                Anchor::Centre,
                true,
            );
        };
        for (r, &v) in row_sums.iter().enumerate() {
            total_cell(totals_x, totals_w, r, v);
        }
        for (c, &v) in col_sums.iter().enumerate() {
            total_cell(col_x(c), cell_w, n, v);
        }
        total_cell(totals_x, totals_w, n, grand);
    }
    scene.height = (row_y(rows.len()) + 24) as u32;
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_readable, count, ink, metrics, svg_texts, text_box};

    pub(crate) fn units() -> Heatmap {
        Heatmap {
            title: "供电单位 × 投诉类别".into(),
            subtitle: Some("第 34 周 · 举报投诉工单".into()),
            rows: vec![
                "城东供电所".into(),
                "城西供电所".into(),
                "高新区供电服务中心（含工业园区）".into(),
                "北郊供电所".into(),
            ],
            cols: vec![
                "供电服务".into(),
                "营业业务".into(),
                "停送电".into(),
                "供电质量".into(),
                "电网建设".into(),
            ],
            values: vec![
                vec![12, 30, 7, 45, 0],
                vec![3, 8, 120, 9, 1],
                vec![25, 14, 6, 2, 11],
                vec![0, 5, 33, 61, 4],
            ],
            totals: true,
        }
    }

    #[test]
    fn every_cell_prints_its_count() {
        let h = units();
        let chart = draw_heatmap(&ChartFont::Embedded, &h).unwrap();
        let texts = svg_texts(&chart.svg);
        let mut expected: Vec<String> = h.values.iter().flatten().map(|v| v.to_string()).collect();
        // Row totals, column totals, grand total.
        expected.extend(
            [
                "94", "141", "58", "103", "40", "57", "166", "117", "16", "396",
            ]
            .map(String::from),
        );
        let mut numbers: Vec<String> = texts
            .iter()
            .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
            .cloned()
            .collect();
        numbers.sort();
        expected.sort();
        assert_eq!(numbers, expected);
        for c in &h.cols {
            assert!(texts.contains(c), "{c}");
        }
        assert!(
            texts.contains(&"高新区供电服务中心…".to_owned()),
            "{texts:?}"
        );
        assert!(texts.contains(&"合计".to_owned()));
    }

    #[test]
    fn counts_switch_colour_for_contrast_and_are_inked() {
        let h = units();
        let png = draw_heatmap(&ChartFont::Embedded, &h).unwrap().png;
        let scene = layout(&metrics(), &h).unwrap();
        // 120 is the darkest cell: its number is white on dark blue.
        let b = text_box(&scene, "120");
        let white = |p: [u8; 3]| p.iter().all(|&c| c > 200);
        assert!(count(&png, b, white) > 20);
        // 3 is a light cell: its number is dark.
        assert!(ink(&png, text_box(&scene, "3")) > 10);
        assert!(ink(&png, text_box(&scene, "城东供电所")) > 100);
        assert_readable(&scene);
    }

    #[test]
    fn values_not_matching_rows_or_columns_are_errors() {
        let m = metrics();
        let mut h = units();
        h.values.pop();
        assert!(matches!(
            layout(&m, &h),
            Err(Error::Length {
                against: "rows",
                expected: 4,
                found: 3,
                ..
            })
        ));
        let mut h = units();
        h.values[2].push(1);
        let e = layout(&m, &h).unwrap_err();
        assert!(e.to_string().contains("高新区"), "{e}");
        assert!(matches!(
            e,
            Error::Length {
                against: "columns",
                expected: 5,
                found: 6,
                ..
            }
        ));
        let mut h = units();
        h.cols.clear();
        assert!(matches!(layout(&m, &h), Err(Error::Empty)));
    }

    #[test]
    fn many_columns_widen_the_canvas_instead_of_crowding_cells() {
        let mut h = units();
        h.cols = (1..=16).map(|c| format!("二级分类{c}")).collect();
        h.values = vec![vec![123_456; 16]; 4];
        let scene = layout(&metrics(), &h).unwrap();
        assert!(scene.width > WIDTH, "{}", scene.width);
        let texts: Vec<String> = scene
            .text_boxes(&metrics())
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        // "二级分类16" does not fit a cell's line: it breaks onto a second one.
        assert!(!texts.contains(&"二级分类16".to_owned()), "{texts:?}");
        assert!(
            texts.windows(2).any(|w| w.concat() == "二级分类16"),
            "{texts:?}"
        );
        assert_readable(&scene);
        h.cols.truncate(3);
        for row in &mut h.values {
            row.truncate(3);
        }
        assert_eq!(layout(&metrics(), &h).unwrap().width, WIDTH);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn any_grid_lays_out_readably(
            rows in proptest::collection::vec("\\PC{0,20}", 1..20),
            cols in proptest::collection::vec("\\PC{0,12}", 1..16),
            seed in 0u64..1000,
            totals: bool,
        ) {
            let values = (0..rows.len())
                .map(|r| {
                    (0..cols.len())
                        .map(|c| (seed * 7919 + r as u64 * 131 + c as u64 * 17) % 100_000)
                        .collect()
                })
                .collect();
            let chart = Heatmap { title: "热力图".into(), subtitle: None, rows, cols, values, totals };
            let scene = layout(&metrics(), &chart).unwrap();
            assert_readable(&scene);
        }
    }
}
