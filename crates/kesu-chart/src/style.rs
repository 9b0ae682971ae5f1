//! The one look of every kesu chart: canvas size, text sizes, colours, the
//! title block, and the rules that keep labels readable.
//!
//! A chart must be forwardable as is: it is read on A4 and scaled down on a
//! phone, by managers who will not hunt for a legend. Hence a 1000 px canvas,
//! no text under [`MIN_TEXT_PX`], a subtitle that says what every mark
//! means, labels cut to a fixed display width with "…", and colours that
//! stay apart for colour-blind readers: Okabe–Ito for categories, one hue
//! from light to dark for amounts.

use plotters::style::RGBColor;
use unicode_width::UnicodeWidthChar;

use crate::canvas::{Anchor, Metrics, Scene};

/// Canvas width in pixels.
pub const WIDTH: u32 = 1000;
/// The smallest text any chart draws, in pixels (em size).
pub const MIN_TEXT_PX: f64 = 18.0;

/// Left and right margin.
pub(crate) const MARGIN: i32 = 40;
/// Title size (bold).
pub(crate) const TITLE_EM: f64 = 28.0;
/// Subtitle size.
pub(crate) const SUBTITLE_EM: f64 = 19.0;
/// Category labels (rows, series).
pub(crate) const LABEL_EM: f64 = 19.0;
/// Numbers: value labels, axis ticks, cell counts.
pub(crate) const VALUE_EM: f64 = MIN_TEXT_PX;
/// Category labels are cut to this many display columns: ten hanzi; a
/// cause label of three terms joined by "·" (电费·高出·大功率, 18) fits whole.
pub(crate) const LABEL_COLUMNS: usize = 20;
/// … and to at most this many pixels (characters wider than their columns).
pub(crate) const LABEL_PX: f64 = 10.5 * LABEL_EM;
/// Height of one bar row or heatmap row.
pub(crate) const ROW: i32 = 40;

/// Body text.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Subtitles, axis ticks, secondary numbers.
pub(crate) const MUTED: RGBColor = RGBColor(0x59, 0x59, 0x59);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Axis base lines.
pub(crate) const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Background of totals and empty cells.
pub(crate) const PANEL: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);
/// A bar that is not in focus ("其他", the long tail).
pub(crate) const QUIET: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);
/// Outline of an alert marker.
pub(crate) const ALERT: RGBColor = RGBColor(0xC0, 0x10, 0x10);

/// The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with every
/// common colour-vision deficiency.
pub mod okabe_ito {
    use plotters::style::RGBColor;
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Sky blue.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Bluish green.
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Yellow (too light for lines and text on white; not used).
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Reddish purple.
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// Black.
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
}

/// Colours of categories (trend lines) in order; the eighth series reuses
/// the first colour.
pub const CATEGORY: [RGBColor; 7] = [
    okabe_ito::BLUE,
    okabe_ito::VERMILLION,
    okabe_ito::BLUISH_GREEN,
    okabe_ito::REDDISH_PURPLE,
    okabe_ito::ORANGE,
    okabe_ito::SKY_BLUE,
    okabe_ito::BLACK,
];

/// The sequential scale of amounts, light to dark: ColorBrewer "Blues"
/// (single hue, colour-blind safe, prints in grey).
const BLUES: [(u8, u8, u8); 9] = [
    (0xF7, 0xFB, 0xFF),
    (0xDE, 0xEB, 0xF7),
    (0xC6, 0xDB, 0xEF),
    (0x9E, 0xCA, 0xE1),
    (0x6B, 0xAE, 0xD6),
    (0x42, 0x92, 0xC6),
    (0x21, 0x71, 0xB5),
    (0x08, 0x51, 0x9C),
    (0x08, 0x30, 0x6B),
];

/// The colour of an amount `t` in 0..=1 on the sequential scale. The
/// lightest step is left out so that a small amount still shows on white.
pub(crate) fn sequential(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (BLUES.len() - 2) as f64;
    let i = (t.floor() as usize).min(BLUES.len() - 3);
    let f = t - i as f64;
    let (a, b) = (BLUES[i + 1], BLUES[i + 2]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// WCAG relative luminance.
fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// WCAG contrast ratio of two colours (1 to 21).
pub(crate) fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The text colour for a number printed on `fill`: white or ink, whichever
/// contrasts more.
pub(crate) fn text_on(fill: RGBColor) -> RGBColor {
    let white = RGBColor(0xFF, 0xFF, 0xFF);
    if contrast(white, fill) > contrast(INK, fill) {
        white
    } else {
        INK
    }
}

/// `c` darkened until text in it reads on white (contrast ≥ 4.5, WCAG AA),
/// for labels in a series' colour.
pub(crate) fn readable(c: RGBColor) -> RGBColor {
    let white = RGBColor(0xFF, 0xFF, 0xFF);
    let mut c = c;
    while contrast(c, white) < 4.5 {
        c = RGBColor(
            (c.0 as f64 * 0.9) as u8,
            (c.1 as f64 * 0.9) as u8,
            (c.2 as f64 * 0.9) as u8,
        );
    }
    c
}

/// Control characters out (XML forbids them), runs of white space as one
/// space, ends trimmed.
pub(crate) fn clean(label: &str) -> String {
    label
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Display columns of `s` in a CJK context: a hanzi is two, and so are
/// the East Asian "ambiguous" characters ("·", "…", "×"), which CJK fonts
/// draw full width.
pub(crate) fn columns(s: &str) -> usize {
    s.chars().map(|c| c.width_cjk().unwrap_or(0)).sum()
}

/// `s` cut to at most `max` display columns (see `columns`), ending in
/// "…" (two columns) when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if columns(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width_cjk().unwrap_or(0);
        if used + w + 2 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` cut to `max_columns` display columns and then, if still wider than
/// `max_px` at `em` (wide or zero-width characters), character by character.
pub(crate) fn fit(m: &Metrics, s: &str, em: f64, max_columns: usize, max_px: f64) -> String {
    let t = truncate(s, max_columns);
    if m.width(&t, em) <= max_px {
        return t;
    }
    let chars: Vec<char> = t.trim_end_matches('…').chars().collect();
    (0..chars.len())
        .rev()
        .map(|n| chars[..n].iter().collect::<String>() + "…")
        .find(|c| m.width(c, em) <= max_px)
        .unwrap_or_else(|| "…".to_owned())
}

/// `s` on one line if it fits `max_px` at `em`, else broken between
/// characters onto two, the second cut with "…" if still too wide.
pub(crate) fn two_lines(m: &Metrics, s: &str, em: f64, max_px: f64) -> Vec<String> {
    if m.width(s, em) <= max_px {
        return vec![s.to_owned()];
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = 1;
    while n < chars.len() && m.width(&chars[..=n].iter().collect::<String>(), em) <= max_px {
        n += 1;
    }
    let first: String = chars[..n].iter().collect();
    let rest: String = chars[n..].iter().collect();
    if rest.is_empty() {
        return vec![fit(m, &first, em, usize::MAX, max_px)];
    }
    vec![first, fit(m, &rest, em, usize::MAX, max_px)]
}

/// `text` broken into lines no wider than `max_px`, preferably after " · ".
pub(crate) fn wrap(m: &Metrics, text: &str, em: f64, max_px: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for (i, part) in text.split(" · ").enumerate() {
        let joined = if i == 0 || line.is_empty() {
            format!("{line}{part}")
        } else {
            format!("{line} · {part}")
        };
        if m.width(&joined, em) <= max_px {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A part too wide on its own is broken between characters.
        for c in part.chars() {
            line.push(c);
            if m.width(&line, em) > max_px {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
/// The vertical extent (top, bottom) of a line of text: the em box, which
/// for CJK fonts runs from 0.88 em above the baseline to 0.12 em below.
pub(crate) fn em_box(baseline: i32, em: f64) -> (f64, f64) {
    (baseline as f64 - 0.88 * em, baseline as f64 + 0.12 * em)
}

/// The baseline that centres a line of text on `y`.
pub(crate) fn baseline_for(y: i32, em: f64) -> i32 {
    (y as f64 + 0.38 * em).round() as i32
}

/// Axis ticks for amounts 0..=max: a round step (1, 2 or 5 × 10^n, at
/// least 1) and the top tick, about five ticks in all.
pub(crate) fn ticks(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|s| s * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag)
        .max(1.0);
    (step, (max / step).ceil() * step)
}

/// Tick text: no decimals for whole numbers.
pub(crate) fn tick_label(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Draws the title and the subtitle lines (the caller's subtitle, then
/// `key`, what the chart's marks mean) and returns the y where the plot may
/// start.
pub(crate) fn header(
    scene: &mut Scene,
    m: &Metrics,
    title: &str,
    subtitle: Option<&str>,
    key: &str,
) -> i32 {
    let width = (scene.width as i32 - 2 * MARGIN) as f64;
    let title = fit(m, &clean(title), TITLE_EM, usize::MAX, width);
    let mut y = 52;
    scene.text(&title, MARGIN, y, TITLE_EM, INK, Anchor::Left, true);
    y += 10;
    let lines = subtitle
        .map(clean)
        .filter(|s| !s.is_empty())
        .into_iter()
        .chain([key.to_owned()])
        .flat_map(|s| wrap(m, &s, SUBTITLE_EM, width));
    for line in lines {
        y += 29;
        scene.text(&line, MARGIN, y, SUBTITLE_EM, MUTED, Anchor::Left, false);
    }
    y + 26
}

/// Spreads labels wanted at `ys` so that they are at least `gap` apart and
/// within `top..=bottom` (as far as they fit), keeping their order and
/// moving each as little as this greedy pass can. Returns the new ys in the
/// order of the input.
pub(crate) fn spread(ys: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]).then(a.cmp(&b)));
    let mut placed: Vec<f64> = order.iter().map(|&i| ys[i].clamp(top, bottom)).collect();
    // Down from the top, then up from the bottom (which may push the first
    // labels above `top` when they cannot all fit).
    for i in 1..placed.len() {
        placed[i] = placed[i].max(placed[i - 1] + gap);
    }
    if let Some(last) = placed.last_mut() {
        *last = last.min(bottom);
    }
    for i in (0..placed.len().saturating_sub(1)).rev() {
        placed[i] = placed[i].min(placed[i + 1] - gap);
    }
    let mut out = vec![0.0; ys.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = placed[k];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_display_columns() {
        assert_eq!(truncate("低电压", 16), "低电压");
        assert_eq!(truncate("变压器过载导致频繁停电投诉", 10), "变压器过…");
        assert_eq!(truncate("abcdefghijkl", 6), "abcd…");
        // "·" is two columns like a hanzi: 低电压·空调· is 14, "…" makes 16.
        assert_eq!(
            truncate("低电压·空调·台区·过载·夏季高峰", 16),
            "低电压·空调·…"
        );
        assert_eq!(truncate("低电压·空调·台区", 18), "低电压·空调·台区");
        assert_eq!(columns("a·b…"), 6);
    }

    #[test]
    fn clean_drops_control_characters() {
        assert_eq!(clean("  低电压\n\u{1}空调\t "), "低电压 空调");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0), (1.0, 1.0));
        assert_eq!(ticks(3.0), (1.0, 3.0));
        assert_eq!(ticks(47.0), (10.0, 50.0));
        assert_eq!(ticks(128.0), (50.0, 150.0));
        assert_eq!(ticks(0.4), (1.0, 1.0));
    }

    #[test]
    fn text_on_dark_fill_is_white_and_on_light_fill_ink() {
        assert_eq!(text_on(sequential(1.0)), RGBColor(255, 255, 255));
        assert_eq!(text_on(sequential(0.0)), INK);
    }

    #[test]
    fn the_sequential_scale_darkens_monotonically() {
        let l: Vec<f64> = (0..=20)
            .map(|i| luminance(sequential(i as f64 / 20.0)))
            .collect();
        assert!(l.windows(2).all(|w| w[1] < w[0]), "{l:?}");
    }

    #[test]
    fn readable_colours_reach_aa_contrast() {
        for c in CATEGORY {
            assert!(contrast(readable(c), RGBColor(255, 255, 255)) >= 4.5);
        }
        assert_eq!(
            readable(okabe_ito::BLUE),
            okabe_ito::BLUE,
            "dark enough already"
        );
    }

    #[test]
    fn spread_keeps_order_and_gap() {
        let ys = [100.0, 101.0, 99.0, 300.0];
        let out = spread(&ys, 24.0, 0.0, 400.0);
        let mut sorted = out.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(
            sorted.windows(2).all(|w| w[1] - w[0] >= 24.0 - 1e-9),
            "{out:?}"
        );
        assert_eq!(out[3], 300.0, "a label with room stays put");
        // 99 sorts first, then 100, then 101.
        assert!(out[2] < out[0] && out[0] < out[1], "{out:?}");
        // At the bottom edge the block is pushed up.
        let out = spread(&[390.0, 395.0], 24.0, 0.0, 400.0);
        assert_eq!(out, vec![376.0, 400.0]);
    }
}
