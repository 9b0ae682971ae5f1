//! A chart as a list of shapes, laid out once and drawn twice: as SVG (text
//! kept as text) and as PNG.
//!
//! Laying out once is what keeps the two pictures alike: positions come from
//! the font's own glyph advances ([`Metrics`]), not from each backend's
//! estimate. plotters sizes text differently per backend (the SVG's
//! font-size is size / 1.24, the bitmap's em is size / the font's line
//! height), so [`render`] converts the one em size of a [`Shape::Text`] into
//! what each backend needs. The PNG is drawn at twice the size and reduced,
//! because plotters' bitmap lines and circles are not anti-aliased.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontFamily, FontStyle};

use crate::{Error, FONT_FAMILY, Result};

/// plotters' SVG backend writes `font-size` = size / this.
const SVG_SIZE_PER_EM: f64 = 1.24;
/// SVG places a top-anchored text's baseline this many em below its y (`dy="0.76em"`).
const SVG_TOP_TO_BASELINE: f64 = 0.76;
/// How much larger the PNG is drawn before it is reduced.
const SUPERSAMPLE: u32 = 2;

/// Where a text's x is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// x is the left end.
    Left,
    /// x is the middle.
    Centre,
    /// x is the right end.
    Right,
}

/// One thing drawn. Coordinates are pixels of the final canvas.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// A filled rectangle, corners inclusive.
    Rect {
        x0: i32,
        y0: i32,
        x1: i32,
        y1: i32,
        fill: RGBColor,
    },
    /// A polyline.
    Line {
        points: Vec<(i32, i32)>,
        colour: RGBColor,
        width: u32,
    },
    /// A filled circle, optionally outlined (colour, width).
    Circle {
        centre: (i32, i32),
        radius: u32,
        fill: RGBColor,
        outline: Option<(RGBColor, u32)>,
    },
    /// A filled polygon, optionally outlined (colour, width).
    Polygon {
        points: Vec<(i32, i32)>,
        fill: RGBColor,
        outline: Option<(RGBColor, u32)>,
    },
    /// One line of text; `em` is the font size in pixels.
    Text {
        text: String,
        x: i32,
        baseline: i32,
        em: f64,
        colour: RGBColor,
        anchor: Anchor,
        bold: bool,
    },
}

/// A laid-out chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub shapes: Vec<Shape>,
}

impl Scene {
    pub fn new(width: u32) -> Self {
        Scene {
            width,
            height: 0,
            shapes: Vec::new(),
        }
    }

    /// Adds a text; control characters become spaces, because XML (the SVG)
    /// forbids most of them and they have no glyph anyway.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        text: &str,
        x: i32,
        baseline: i32,
        em: f64,
        colour: RGBColor,
        anchor: Anchor,
        bold: bool,
    ) {
        self.shapes.push(Shape::Text {
            text: text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
            x,
            baseline,
            em,
            colour,
            anchor,
            bold,
        });
    }

    pub fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, fill: RGBColor) {
        self.shapes.push(Shape::Rect {
            x0,
            y0,
            x1,
            y1,
            fill,
        });
    }

    pub fn line(&mut self, points: Vec<(i32, i32)>, colour: RGBColor, width: u32) {
        self.shapes.push(Shape::Line {
            points,
            colour,
            width,
        });
    }

    /// Text boxes (x0, y0, x1, y1) as laid out: the em box of every text.
    #[cfg(test)]
    pub fn text_boxes(&self, m: &Metrics) -> Vec<(String, [f64; 4])> {
        self.shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Text {
                    text,
                    x,
                    baseline,
                    em,
                    anchor,
                    ..
                } => {
                    let w = m.width(text, *em);
                    let x0 = match anchor {
                        Anchor::Left => *x as f64,
                        Anchor::Centre => *x as f64 - w / 2.0,
                        Anchor::Right => *x as f64 - w,
                    };
                    let (top, bottom) = crate::style::em_box(*baseline, *em);
                    Some((text.clone(), [x0, top, x0 + w, bottom]))
                }
                _ => None,
            })
            .collect()
    }
}

/// Glyph metrics of the font charts are drawn with.
pub(crate) struct Metrics {
    font: ab_glyph::FontRef<'static>,
    units_per_em: f32,
    /// Ascent − descent (+ line gap), in em: plotters' bitmap em is size / this.
    line_height: f64,
}

impl Metrics {
    pub fn new(bytes: &'static [u8]) -> Option<Self> {
        use ab_glyph::Font;
        let font = ab_glyph::FontRef::try_from_slice(bytes).ok()?;
        let units_per_em = font.units_per_em()?;
        let line_height = f64::from(font.height_unscaled() / units_per_em);
        Some(Metrics {
            font,
            units_per_em,
            line_height,
        })
    }

    /// A character's advance and left side bearing at `em` pixels.
    pub fn advance_and_bearing(&self, c: char, em: f64) -> (f64, f64) {
        use ab_glyph::Font;
        let id = self.font.glyph_id(c);
        let per_unit = em / f64::from(self.units_per_em);
        (
            f64::from(self.font.h_advance_unscaled(id)) * per_unit,
            f64::from(self.font.h_side_bearing_unscaled(id)) * per_unit,
        )
    }

    /// The advance width of `text` at `em` pixels.
    pub fn width(&self, text: &str, em: f64) -> f64 {
        use ab_glyph::Font;
        let units: f32 = text
            .chars()
            .map(|c| self.font.h_advance_unscaled(self.font.glyph_id(c)))
            .sum();
        f64::from(units / self.units_per_em) * em
    }
}

/// Draws `scene` as an SVG document and a PNG file.
pub(crate) fn render(scene: &Scene, m: &Metrics) -> Result<(String, Vec<u8>)> {
    let fail = |what: &str| {
        let what = what.to_owned();
        move |message: String| Error::Draw {
            path: what.clone(),
            message,
        }
    };
    let (w, h) = (scene.width, scene.height);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw(&area, scene, m, Backend::Svg).map_err(fail("svg"))?;
    }
    let (bw, bh) = (w * SUPERSAMPLE, h * SUPERSAMPLE);
    let mut pixels = vec![0u8; bw as usize * bh as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (bw, bh)).into_drawing_area();
        draw(&area, scene, m, Backend::Png).map_err(fail("png"))?;
    }
    let small = halve(&pixels, w, h);
    let mut png = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&small, w, h, image::ColorType::Rgb8)
            .map_err(|e| fail("png")(e.to_string()))?;
    }
    Ok((svg, png))
}

/// An RGB image of `2w × 2h` pixels scaled to `w × h`, each pixel the
/// rounded mean of the 2 × 2 block it replaces: the exact box filter for a
/// 2× supersample. (`image::imageops::thumbnail` computes the same average
/// for any ratio, and was 3 % of a whole `kesu analyze` run.)
fn halve(big: &[u8], w: u32, h: u32) -> Vec<u8> {
    const _: () = assert!(SUPERSAMPLE == 2, "halve is the 2× box filter");
    let (w, h) = (w as usize, h as usize);
    let row = 2 * w * 3;
    debug_assert_eq!(big.len(), row * 2 * h);
    let mut small = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let top = &big[2 * y * row..(2 * y + 1) * row];
        let bottom = &big[(2 * y + 1) * row..(2 * y + 2) * row];
        for x in 0..w {
            for c in 0..3 {
                let at = 6 * x + c;
                let sum = u16::from(top[at])
                    + u16::from(top[at + 3])
                    + u16::from(bottom[at])
                    + u16::from(bottom[at + 3]);
                small.push(((sum + 2) / 4) as u8);
            }
        }
    }
    small
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Svg,
    Png,
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scene: &Scene,
    m: &Metrics,
    backend: Backend,
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let k = match backend {
        Backend::Svg => 1,
        Backend::Png => SUPERSAMPLE as i32,
    };
    let p = |(x, y): (i32, i32)| (x * k, y * k);
    let style = |c: RGBColor, filled: bool, width: u32| ShapeStyle {
        color: c.to_rgba(),
        filled,
        stroke_width: width * k as u32,
    };
    area.fill(&WHITE).map_err(err)?;
    for shape in &scene.shapes {
        match shape {
            Shape::Rect {
                x0,
                y0,
                x1,
                y1,
                fill,
            } => {
                // Inclusive corners: the last supersampled row/column too.
                let (a, b) = (p((*x0, *y0)), p((*x1, *y1)));
                let b = (b.0 + k - 1, b.1 + k - 1);
                area.draw(&Rectangle::new([a, b], style(*fill, true, 0)))
                    .map_err(err)?;
            }
            Shape::Line {
                points,
                colour,
                width,
            } => {
                let pts: Vec<_> = points.iter().map(|&q| p(q)).collect();
                area.draw(&PathElement::new(pts, style(*colour, false, *width)))
                    .map_err(err)?;
            }
            Shape::Circle {
                centre,
                radius,
                fill,
                outline,
            } => {
                let r = *radius as i32 * k;
                area.draw(&Circle::new(p(*centre), r, style(*fill, true, 0)))
                    .map_err(err)?;
                if let Some((c, w)) = outline {
                    area.draw(&Circle::new(p(*centre), r, style(*c, false, *w)))
                        .map_err(err)?;
                }
            }
            Shape::Polygon {
                points,
                fill,
                outline,
            } => {
                let pts: Vec<_> = points.iter().map(|&q| p(q)).collect();
                area.draw(&Polygon::new(pts.clone(), style(*fill, true, 0)))
                    .map_err(err)?;
                if let Some((c, w)) = outline {
                    let mut closed = pts;
                    closed.push(closed[0]);
                    area.draw(&PathElement::new(closed, style(*c, false, *w)))
                        .map_err(err)?;
                }
            }
            Shape::Text {
                text,
                x,
                baseline,
                em,
                colour,
                anchor,
                bold,
            } => {
                let family = FontFamily::Name(FONT_FAMILY);
                match backend {
                    Backend::Svg => {
                        let h = match anchor {
                            Anchor::Left => HPos::Left,
                            Anchor::Centre => HPos::Center,
                            Anchor::Right => HPos::Right,
                        };
                        let pos = Pos::new(h, VPos::Top);
                        let top = *baseline as f64 - SVG_TOP_TO_BASELINE * em;
                        let weight = if *bold {
                            FontStyle::Bold
                        } else {
                            FontStyle::Normal
                        };
                        let font = (family, em * SVG_SIZE_PER_EM)
                            .into_font()
                            .style(weight)
                            .color(colour)
                            .pos(pos);
                        area.draw(&Text::new(text.clone(), (*x, top.round() as i32), font))
                            .map_err(err)?;
                    }
                    Backend::Png => {
                        // The bitmap's baseline is size / 2 below the top.
                        let size = em * k as f64 * m.line_height;
                        let top = ((*baseline * k) as f64 - size / 2.0).round() as i32;
                        let font = (family, size)
                            .into_font()
                            .color(colour)
                            .pos(Pos::new(HPos::Left, VPos::Top));
                        // plotters' bitmap text drops each glyph's left side
                        // bearing (a centred "·" lands at the left of its
                        // box), so glyphs are placed one by one at their pen
                        // position plus bearing.
                        let px = em * k as f64;
                        let width = m.width(text, px);
                        let mut pen = (x * k) as f64
                            - match anchor {
                                Anchor::Left => 0.0,
                                Anchor::Centre => width / 2.0,
                                Anchor::Right => width,
                            };
                        // The embedded font has one weight: bold is each
                        // glyph drawn twice, a little apart.
                        let passes: &[i32] = if *bold {
                            &[0, (px / 28.0).round().max(1.0) as i32]
                        } else {
                            &[0]
                        };
                        let mut buf = [0u8; 4];
                        for c in text.chars() {
                            let (advance, bearing) = m.advance_and_bearing(c, px);
                            if !c.is_whitespace() {
                                let gx = (pen + bearing).round() as i32;
                                for dx in passes {
                                    let glyph: &str = c.encode_utf8(&mut buf);
                                    area.draw(&Text::new(
                                        glyph.to_owned(),
                                        (gx + dx, top),
                                        font.clone(),
                                    ))
                                    .map_err(err)?;
                                }
                            }
                            pen += advance;
                        }
                    }
                }
            }
        }
    }
    area.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::halve;

    #[test]
    fn halving_averages_each_two_by_two_block() {
        // 4 × 2 pixels → 2 × 1; channels chosen so that rounding shows.
        #[rustfmt::skip]
        let big = [
            0, 10, 255,   2, 10, 255,   100, 0, 7,   101, 0, 8,
            0, 11, 255,   1, 10, 254,   100, 1, 7,   100, 0, 8,
        ];
        assert_eq!(halve(&big, 2, 1), vec![1, 10, 255, 100, 0, 8]);
    }

    #[test]
    fn halving_agrees_with_image_thumbnail_within_rounding() {
        let (w, h) = (37u32, 23u32);
        let big: Vec<u8> = (0..(2 * w * 2 * h * 3) as usize)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let img = image::RgbImage::from_raw(2 * w, 2 * h, big.clone()).expect("size");
        let reference = image::imageops::thumbnail(&img, w, h).into_raw();
        let ours = halve(&big, w, h);
        assert_eq!(ours.len(), reference.len());
        for (a, b) in ours.iter().zip(&reference) {
            assert!(a.abs_diff(*b) <= 1, "{a} vs {b}");
        }
    }
}
