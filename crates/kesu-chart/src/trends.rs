//! Weekly trends of the top causes, with the weeks that raised an alert
//! (预警) marked.
//!
//! One line per cause over the last weeks (the report shows up to twelve),
//! labelled directly at its end with the cause and its latest count, so no
//! legend is needed; end labels that would collide are nudged apart and
//! tied to their line by a thin leader. A week without a count (`None`)
//! leaves a gap in the line. An alerted week carries a triangle outlined in
//! red on top of the line's point; the subtitle says so.

use plotters::style::RGBColor;

use crate::canvas::{Anchor, Metrics, Scene, Shape};
use crate::style::{
    self, ALERT, AXIS, CATEGORY, GRID, LABEL_COLUMNS, LABEL_EM, LABEL_PX, MARGIN, MUTED, VALUE_EM,
    WIDTH,
};
use crate::{Chart, ChartFont, Error, Result};

/// Least vertical distance of two end labels.
const LABEL_GAP: f64 = 26.0;
/// Smallest height of the plot.
const PLOT_HEIGHT: i32 = 340;
/// Space between the plot's edges and the first and last week.
const PAD: i32 = 18;

/// Weekly counts of some causes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trends {
    /// Chinese title.
    pub title: String,
    /// What is counted; the chart adds what its marks mean.
    pub subtitle: Option<String>,
    /// Week labels, oldest first, e.g. "W23".
    pub weeks: Vec<String>,
    /// One line per cause (Okabe–Ito colours in this order; the eighth
    /// series repeats the first colour, so keep to seven).
    pub series: Vec<TrendSeries>,
}

/// One cause's weekly counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrendSeries {
    /// The cause.
    pub label: String,
    /// Count per week, as long as [`Trends::weeks`]; `None` = no data that week.
    pub counts: Vec<Option<u64>>,
    /// Indices into [`Trends::weeks`] of weeks with an alert. An alert on a
    /// week without a count has no point to sit on and is not drawn.
    pub alerts: Vec<usize>,
}

/// Draws a trend chart in memory. [`Error::Empty`] without weeks or
/// series; [`Error::Length`] when a series' counts are not one per week;
/// [`Error::Index`] for an alert past the last week.
pub fn draw_trends(font: &ChartFont, chart: &Trends) -> Result<Chart> {
    crate::draw_with(font, |m| layout(m, chart))
}

pub(crate) fn layout(m: &Metrics, chart: &Trends) -> Result<Scene> {
    if chart.weeks.is_empty() || chart.series.is_empty() {
        return Err(Error::Empty);
    }
    let n = chart.weeks.len();
    for s in &chart.series {
        if s.counts.len() != n {
            return Err(Error::Length {
                what: format!("counts of {}", s.label),
                against: "weeks",
                expected: n,
                found: s.counts.len(),
            });
        }
        if let Some(&week) = s.alerts.iter().find(|&&w| w >= n) {
            return Err(Error::Index {
                what: format!("alerts of {}", s.label),
                against: "weeks",
                index: week,
                len: n,
            });
        }
    }
    let mut scene = Scene::new(WIDTH);
    // The key names only marks the chart shows.
    let mut key = vec!["纵轴 = 每周件数"];
    let alerted = chart
        .series
        .iter()
        .any(|s| s.alerts.iter().any(|&w| s.counts[w].is_some()));
    if alerted {
        key.push("▲ = 该周预警");
    }
    if chart.series.iter().any(|s| s.counts.contains(&None)) {
        key.push("线条断开 = 该周无数据");
    }
    key.push("线尾 = 最近一周件数");
    let key = key.join(" · ");
    let top = style::header(&mut scene, m, &chart.title, chart.subtitle.as_deref(), &key);

    let max = chart
        .series
        .iter()
        .flat_map(|s| s.counts.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0);
    let (step, top_tick) = style::ticks(max as f64);
    let tick_values: Vec<f64> = (0..=(top_tick / step).round() as usize)
        .map(|i| i as f64 * step)
        .collect();
    let tick_w = tick_values
        .iter()
        .map(|&v| m.width(&style::tick_label(v), VALUE_EM))
        .fold(0.0, f64::max)
        .ceil() as i32;

    // End labels: the cause and its latest count.
    let last: Vec<Option<(usize, u64)>> = chart
        .series
        .iter()
        .map(|s| {
            s.counts
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, c)| c.map(|c| (i, c)))
        })
        .collect();
    let end_labels: Vec<String> = chart
        .series
        .iter()
        .zip(&last)
        .map(|(s, l)| {
            let label = style::fit(
                m,
                &style::clean(&s.label),
                LABEL_EM,
                LABEL_COLUMNS,
                LABEL_PX,
            );
            match l {
                Some((_, c)) => format!("{label} {c}"),
                None => format!("{label} 无数据"),
            }
        })
        .collect();
    let end_w = end_labels
        .iter()
        .map(|t| m.width(t, LABEL_EM))
        .fold(0.0, f64::max)
        .ceil() as i32;

    let plot_left = MARGIN + tick_w + 12;
    let label_x = WIDTH as i32 - MARGIN - end_w;
    let plot_right = label_x - 30;
    let plot_top = top + 14;
    let plot_h = PLOT_HEIGHT.max((LABEL_GAP as i32) * chart.series.len() as i32 + 20);
    let plot_bottom = plot_top + plot_h;
    let y_of = |v: f64| plot_bottom - (plot_h as f64 * v / top_tick).round() as i32;
    let x_of = |i: usize| {
        if n == 1 {
            (plot_left + plot_right) / 2
        } else {
            plot_left
                + PAD
                + ((plot_right - plot_left - 2 * PAD) as f64 * i as f64 / (n - 1) as f64).round()
                    as i32
        }
    };

    for &v in &tick_values {
        let y = y_of(v);
        let colour = if v == 0.0 { AXIS } else { GRID };
        scene.line(vec![(plot_left, y), (plot_right, y)], colour, 1);
        scene.text(
            &style::tick_label(v),
            plot_left - 10,
            style::baseline_for(y, VALUE_EM),
            VALUE_EM,
            MUTED,
            Anchor::Right,
            false,
        );
    }

    // Week labels, thinned when they would touch; the latest week always shows.
    let weeks: Vec<String> = chart
        .weeks
        .iter()
        .map(|w| style::fit(m, &style::clean(w), VALUE_EM, 10, 5.0 * VALUE_EM))
        .collect();
    let week_w = weeks
        .iter()
        .map(|w| m.width(w, VALUE_EM))
        .fold(0.0, f64::max);
    let spacing = if n > 1 {
        (x_of(1) - x_of(0)) as f64
    } else {
        f64::INFINITY
    };
    let every = ((week_w + 12.0) / spacing).ceil().max(1.0) as usize;
    for (i, w) in weeks.iter().enumerate() {
        if (n - 1 - i).is_multiple_of(every) {
            scene.line(
                vec![(x_of(i), plot_bottom), (x_of(i), plot_bottom + 5)],
                AXIS,
                1,
            );
            scene.text(
                w,
                x_of(i),
                plot_bottom + 30,
                VALUE_EM,
                MUTED,
                Anchor::Centre,
                false,
            );
        }
    }

    let colour = |s: usize| CATEGORY[s % CATEGORY.len()];
    let point = |i: usize, c: u64| (x_of(i), y_of(c as f64));
    for (si, s) in chart.series.iter().enumerate() {
        // Consecutive weeks with counts make one segment; a `None` breaks it.
        let mut run: Vec<(i32, i32)> = Vec::new();
        for (i, c) in s.counts.iter().enumerate() {
            match c {
                Some(c) => run.push(point(i, *c)),
                None => {
                    if run.len() > 1 {
                        scene.line(std::mem::take(&mut run), colour(si), 3);
                    }
                    run.clear();
                }
            }
        }
        if run.len() > 1 {
            scene.line(run, colour(si), 3);
        }
    }
    for (si, s) in chart.series.iter().enumerate() {
        for (i, c) in s.counts.iter().enumerate() {
            if let Some(c) = c {
                scene.shapes.push(Shape::Circle {
                    centre: point(i, *c),
                    radius: 4,
                    fill: colour(si),
                    outline: Some((RGBColor(255, 255, 255), 1)),
                });
            }
        }
    }
    // Alerts on top of every line.
    for (si, s) in chart.series.iter().enumerate() {
        let mut weeks: Vec<usize> = s.alerts.clone();
        weeks.sort_unstable();
        weeks.dedup();
        for i in weeks {
            if let Some(c) = s.counts[i] {
                let (x, y) = point(i, c);
                scene.shapes.push(Shape::Polygon {
                    points: vec![(x, y - 12), (x - 10, y + 7), (x + 10, y + 7)],
                    fill: colour(si),
                    outline: Some((ALERT, 2)),
                });
            }
        }
    }

    // End labels at their line's last point, nudged apart.
    let wanted: Vec<f64> = last
        .iter()
        .map(|l| match l {
            Some((i, c)) => point(*i, *c).1 as f64,
            None => plot_bottom as f64,
        })
        .collect();
    let placed = style::spread(&wanted, LABEL_GAP, plot_top as f64, plot_bottom as f64);
    for (si, text) in end_labels.iter().enumerate() {
        let y = placed[si].round() as i32;
        // A thin leader ties the label to its line: along the line's
        // height to the plot's edge (from a series that ended early), then
        // to the label.
        if let Some((i, c)) = last[si] {
            let (x, py) = point(i, c);
            let mut leader = vec![(plot_right + 4, py), (label_x - 6, y)];
            if x + 7 < plot_right - 4 {
                leader.insert(0, (x + 7, py));
            }
            scene.line(leader, colour(si), 1);
        }
        scene.text(
            text,
            label_x,
            style::baseline_for(y, LABEL_EM),
            LABEL_EM,
            style::readable(colour(si)),
            Anchor::Left,
            false,
        );
    }
    scene.height = (plot_bottom + 30 + 26) as u32;
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_readable, count, ink, metrics, svg_texts, text_box};

    pub(crate) fn causes() -> Trends {
        let weeks: Vec<String> = (23..35).map(|w| format!("W{w}")).collect();
        let series = |label: &str, counts: &[Option<u64>], alerts: Vec<usize>| TrendSeries {
            label: label.into(),
            counts: counts.to_vec(),
            alerts,
        };
        Trends {
            title: "主要根因周趋势".into(),
            subtitle: Some("近 12 周 · 全部供电单位".into()),
            weeks,
            series: vec![
                series(
                    "低电压·空调·台区",
                    &[40, 42, 45, 50, 61, 75, 90, 88, 70, 60, 55, 52].map(Some),
                    vec![5, 6],
                ),
                series(
                    "抢修时间过长",
                    &[
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
                    vec![11],
                ),
                series(
                    "停电通知未到户",
                    &[12, 15, 14, 18, 20, 19, 22, 25, 24, 26, 28, 51].map(Some),
                    vec![],
                ),
            ],
        }
    }

    #[test]
    fn draws_weeks_and_direct_end_labels_without_a_legend() {
        let chart = draw_trends(&ChartFont::Embedded, &causes()).unwrap();
        let texts = svg_texts(&chart.svg);
        for w in ["W23", "W28", "W34"] {
            assert!(texts.contains(&w.to_owned()), "{w} in {texts:?}");
        }
        assert!(
            texts.contains(&"低电压·空调·台区 52".to_owned()),
            "{texts:?}"
        );
        assert!(texts.contains(&"抢修时间过长 52".to_owned()));
        assert!(texts.iter().any(|t| t.contains("▲ = 该周预警")));
        assert_eq!(&chart.png[1..4], b"PNG");
    }

    #[test]
    fn alert_markers_sit_on_the_alerted_weeks_only() {
        let m = metrics();
        let trends = causes();
        let scene = layout(&m, &trends).unwrap();
        let svg = draw_trends(&ChartFont::Embedded, &trends).unwrap().svg;
        // A triangle's apex is straight above its point: its x is the week's.
        let xs = |week: usize, series: usize| -> (i32, i32) {
            scene
                .shapes
                .iter()
                .filter_map(|s| match s {
                    Shape::Circle { centre, fill, .. } if *fill == CATEGORY[series] => {
                        Some(*centre)
                    }
                    _ => None,
                })
                .nth(week - usize::from(series == 1 && week > 2))
                .unwrap()
        };
        let apexes: Vec<(i32, i32)> = svg
            .split("<polygon")
            .skip(1)
            .map(|p| {
                let points = p.split("points=\"").nth(1).unwrap();
                let first = points.split(' ').next().unwrap();
                let (x, y) = first.split_once(',').unwrap();
                (x.parse().unwrap(), y.trim_end_matches('"').parse().unwrap())
            })
            .collect();
        let expected: Vec<(i32, i32)> = [(5, 0), (6, 0), (11, 1)]
            .iter()
            .map(|&(w, s)| {
                let (x, y) = xs(w, s);
                (x, y - 12)
            })
            .collect();
        assert_eq!(apexes, expected, "three alerts, where they were raised");
    }

    #[test]
    fn an_alert_on_a_week_without_count_is_not_drawn_nor_keyed() {
        let mut t = causes();
        for s in &mut t.series {
            s.alerts.clear();
        }
        // W25 of 抢修时间过长 has no count.
        t.series[1].alerts.push(2);
        let svg = draw_trends(&ChartFont::Embedded, &t).unwrap().svg;
        assert!(!svg.contains("<polygon"));
        let texts = svg_texts(&svg);
        assert!(!texts.iter().any(|t| t.contains('▲')), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("线条断开 = 该周无数据")));
        t.series[1].counts[2] = Some(30);
        let texts = svg_texts(&draw_trends(&ChartFont::Embedded, &t).unwrap().svg);
        assert!(texts.iter().any(|t| t.contains("▲ = 该周预警")));
        assert!(!texts.iter().any(|t| t.contains("线条断开")), "no gap left");
    }

    #[test]
    fn a_missing_week_leaves_a_gap() {
        let scene = layout(&metrics(), &causes()).unwrap();
        let lines: Vec<usize> = scene
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Line {
                    colour,
                    width: 3,
                    points,
                } if *colour == CATEGORY[1] => Some(points.len()),
                _ => None,
            })
            .collect();
        // W23–W24, then W26–W34: W25 has no count.
        assert_eq!(lines, [2, 9]);
    }

    #[test]
    fn end_labels_that_would_collide_are_nudged_apart() {
        // Two series end at 52, one at 51: the same height.
        let scene = layout(&metrics(), &causes()).unwrap();
        assert_readable(&scene);
        let boxes = scene.text_boxes(&metrics());
        let y = |t: &str| boxes.iter().find(|(x, _)| x == t).unwrap().1[1];
        let a = y("低电压·空调·台区 52");
        let b = y("抢修时间过长 52");
        let c = y("停电通知未到户 51");
        assert!((a - b).abs() >= LABEL_GAP - 1.0 && (b - c).abs() >= LABEL_GAP - 1.0);
    }

    #[test]
    fn labels_and_alert_markers_are_inked_in_the_png() {
        let trends = causes();
        let png = draw_trends(&ChartFont::Embedded, &trends).unwrap().png;
        let scene = layout(&metrics(), &trends).unwrap();
        assert!(ink(&png, text_box(&scene, "W34")) > 30);
        let (x, y) = scene
            .shapes
            .iter()
            .find_map(|s| match s {
                Shape::Polygon { points, .. } => Some(points[0]),
                _ => None,
            })
            .unwrap();
        // The red outline around the first alert's apex.
        let red = |p: [u8; 3]| p[0] > 150 && p[1] < 80 && p[2] < 80;
        let around = (x as u32 - 12, x as u32 + 12, y as u32 - 3, y as u32 + 22);
        assert!(count(&png, around, red) > 20);
    }

    #[test]
    fn mismatched_lengths_and_alerts_past_the_end_are_errors() {
        let m = metrics();
        let mut t = causes();
        t.series[1].counts.pop();
        assert!(matches!(
            layout(&m, &t),
            Err(Error::Length {
                expected: 12,
                found: 11,
                ..
            })
        ));
        let mut t = causes();
        t.series[2].alerts.push(12);
        assert!(matches!(
            layout(&m, &t),
            Err(Error::Index {
                index: 12,
                len: 12,
                ..
            })
        ));
        let mut t = causes();
        t.series.clear();
        assert!(matches!(layout(&m, &t), Err(Error::Empty)));
        let mut t = causes();
        t.weeks.clear();
        assert!(matches!(layout(&m, &t), Err(Error::Empty)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn any_series_lay_out_readably(
            n in 1usize..30,
            series in proptest::collection::vec(
                ("\\PC{0,20}", proptest::collection::vec(proptest::option::of(0u64..5000), 30)),
                1..8,
            ),
        ) {
            let chart = Trends {
                title: "趋势".into(),
                subtitle: None,
                weeks: (0..n).map(|w| format!("W{w}")).collect(),
                series: series
                    .into_iter()
                    .map(|(label, counts)| TrendSeries {
                        label,
                        counts: counts[..n].to_vec(),
                        alerts: vec![n - 1],
                    })
                    .collect(),
            };
            let scene = layout(&metrics(), &chart).unwrap();
            assert_readable(&scene);
        }
    }
}
