//! The report's charts, drawn from the [`Report`] view (numbers only, never
//! orders) with [`kesu_chart`]: the gap Pareto, the trends of the top causes
//! with their alerts, units ranked and the unit × class heatmap.

use kesu_chart::{
    Chart, ChartFont, Heatmap, Pareto, ParetoBar, Ranked, RankedBar, TrendSeries, Trends,
};

use crate::Result;
use crate::model::{OTHER_LABEL, Report};

/// A chart of the report: its id (file stem and template name), its title
/// (alt text and caption) and the drawing.
#[derive(Debug, Clone)]
pub struct ReportChart {
    /// `gaps`, `trends`, `units`, `heatmap`.
    pub id: &'static str,
    /// What it shows, in Chinese.
    pub title: String,
    /// The drawing.
    pub chart: Chart,
}

/// Draws every chart the week has data for.
pub fn draw(report: &Report, font: &ChartFont) -> Result<Vec<ReportChart>> {
    let mut out = Vec::new();
    if !report.gaps.is_empty() {
        let mut bars: Vec<ParetoBar> = report
            .gaps
            .iter()
            .map(|g| ParetoBar {
                label: g.name.clone(),
                count: g.orders,
            })
            .collect();
        if report.other_orders > 0 {
            bars.push(ParetoBar {
                label: OTHER_LABEL.to_owned(),
                count: report.other_orders,
            });
        }
        let title = format!("管理漏洞帕累托 · {}", report.week_name);
        let chart = kesu_chart::draw_pareto(
            font,
            &Pareto {
                title: title.clone(),
                // The chart explains its bars and line itself.
                subtitle: None,
                bars,
            },
        )?;
        out.push(ReportChart {
            id: "gaps",
            title,
            chart,
        });
    }
    if !report.trend_series.is_empty() && report.trend_weeks.len() > 1 {
        let title = format!("主要根因近 {} 周走势", report.trend_weeks.len());
        let chart = kesu_chart::draw_trends(
            font,
            &Trends {
                title: title.clone(),
                subtitle: None,
                weeks: report.trend_weeks.clone(),
                series: report
                    .trend_series
                    .iter()
                    .map(|t| TrendSeries {
                        label: t.label.clone(),
                        counts: t.counts.clone(),
                        alerts: t.alerts.clone(),
                    })
                    .collect(),
            },
        )?;
        out.push(ReportChart {
            id: "trends",
            title,
            chart,
        });
    }
    if report.units.len() > 1 {
        let (title, subtitle, bars): (String, String, Vec<RankedBar>) = if report.units_per_10k {
            (
                "各单位每万户投诉件数".to_owned(),
                "未提供客户数（units.toml）的单位不列入".to_owned(),
                report
                    .units
                    .iter()
                    .filter_map(|u| {
                        u.per_10k_value.map(|v| RankedBar {
                            label: u.unit.clone(),
                            value: v,
                            value_label: format!("{v:.2}"),
                            highlight: false,
                        })
                    })
                    .collect(),
            )
        } else {
            (
                "各单位投诉件数".to_owned(),
                "未提供各单位客户数（units.toml），按件数排列".to_owned(),
                report
                    .units
                    .iter()
                    .map(|u| RankedBar {
                        label: u.unit.clone(),
                        value: u.orders as f64,
                        value_label: format!("{} 件", u.orders),
                        highlight: false,
                    })
                    .collect(),
            )
        };
        let mut bars = bars;
        if let Some(first) = bars.first_mut() {
            first.highlight = true;
        }
        if !bars.is_empty() {
            let chart = kesu_chart::draw_ranked(
                font,
                &Ranked {
                    title: title.clone(),
                    subtitle: Some(subtitle),
                    bars,
                    highlight_note: Some("排名第一".to_owned()),
                },
            )?;
            out.push(ReportChart {
                id: "units",
                title,
                chart,
            });
        }
    }
    if !report.unit_class.units.is_empty() {
        let title = "单位 × 投诉类别（件数）".to_owned();
        let chart = kesu_chart::draw_heatmap(
            font,
            &Heatmap {
                title: title.clone(),
                subtitle: Some("类别为 kesu 按投诉内容判定的类别".to_owned()),
                rows: report.unit_class.units.clone(),
                cols: report.unit_class.classes.clone(),
                values: report.unit_class.counts.clone(),
                totals: true,
            },
        )?;
        out.push(ReportChart {
            id: "heatmap",
            title,
            chart,
        });
    }
    Ok(out)
}
