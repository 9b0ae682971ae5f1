//! Charts with Chinese labels for management: the Pareto of root causes.
//!
//! kesu's flow is ingest → normalise → segment → index / cluster → summarise →
//! **render**. This crate only ever receives summary numbers (labels and
//! counts), never work orders, so no personal data can reach a chart.
//!
//! Chinese text needs a CJK font, and a fresh machine has none: the crate
//! embeds a subset of Noto Sans CJK SC (SIL Open Font License 1.1, see
//! `fonts/OFL.txt`; GB2312 plus every character of kesu's taxonomy,
//! dictionaries, column table and chart texts, made by
//! `fonts/make_subset.sh`). Every chart uses it, so the same input gives the
//! same PNG on every machine; `KESU_FONT=/path/to/font` replaces it for the
//! PNG (e.g. for characters outside the subset). The SVG keeps labels as
//! `<text>` whose font-family names Noto Sans CJK SC first, then common
//! Chinese system fonts and `sans-serif`, so viewers pick a local font.
//!
//! Charts are drawn in memory and written with [`kesu_atomic`], so a failed
//! or concurrent run never leaves a half-drawn or mixed chart.
//!
//! ```no_run
//! use kesu_chart::{ParetoBar, render_pareto};
//! let bars = vec![
//!     ParetoBar { label: "低电压·空调".into(), count: 120 },
//!     ParetoBar { label: "抢修·迟迟".into(), count: 80 },
//! ];
//! let files = render_pareto("投诉根因帕累托", &bars, std::path::Path::new("out/charts"), "root_causes").unwrap();
//! println!("{}", files.png.display());
//! ```

#![warn(missing_docs)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontFamily, FontStyle, register_font};

/// The family name charts use: a CSS font list, written verbatim into the
/// SVG. The embedded font is Noto Sans CJK SC; the others are what Windows,
/// macOS and Linux desktops commonly have.
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei', sans-serif";

/// The embedded font: Noto Sans CJK SC Regular, subset (see `fonts/make_subset.sh`).
pub const EMBEDDED_FONT: &[u8] = include_bytes!("../fonts/NotoSansCJKsc-Regular-subset.otf");

/// What [`ChartFiles::font`] says when the embedded font was used.
pub const EMBEDDED_FONT_NAME: &str = "embedded Noto Sans CJK SC (subset)";

/// The environment variable naming a font file that replaces the embedded one.
pub const FONT_ENV: &str = "KESU_FONT";

/// Errors of chart rendering.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The font file could not be read or parsed.
    #[error("font {path}: {message}")]
    Font {
        /// The font file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Drawing the chart failed.
    #[error("drawing {path}: {message}")]
    Draw {
        /// The output file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Writing the chart failed.
    #[error(transparent)]
    Write(#[from] kesu_atomic::Error),
    /// There is nothing to draw.
    #[error("no bars to draw")]
    Empty,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One bar of a Pareto chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParetoBar {
    /// Short Chinese label.
    pub label: String,
    /// Number of work orders.
    pub count: u64,
}

/// The files a chart was written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    /// The SVG (text kept as text).
    pub svg: PathBuf,
    /// The PNG (text rasterised).
    pub png: PathBuf,
    /// The font the PNG was drawn with: [`EMBEDDED_FONT_NAME`] or the `KESU_FONT` path.
    pub font: String,
}

/// The font a chart's PNG is drawn with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChartFont {
    /// The font compiled into kesu (the default: reproducible PNGs).
    Embedded,
    /// A font file (`KESU_FONT`).
    File(PathBuf),
}

impl ChartFont {
    /// `KESU_FONT` when set, else the embedded font.
    pub fn from_env() -> Self {
        match std::env::var_os(FONT_ENV) {
            Some(p) if !p.is_empty() => ChartFont::File(PathBuf::from(p)),
            _ => ChartFont::Embedded,
        }
    }

    fn describe(&self) -> String {
        match self {
            ChartFont::Embedded => EMBEDDED_FONT_NAME.to_owned(),
            ChartFont::File(p) => p.display().to_string(),
        }
    }
}

/// Font bytes by font, loaded once per process: plotters keeps registered
/// fonts for the life of the process, hence the leaked buffers.
static LOADED: Mutex<Option<HashMap<ChartFont, &'static [u8]>>> = Mutex::new(None);

/// Makes `font` the one plotters draws [`FONT_FAMILY`] with. A process draws
/// with one font (`KESU_FONT` does not change while kesu runs); registering
/// again is cheap, so the last caller's font wins.
fn register(font: &ChartFont) -> Result<()> {
    let fail = |message: String| Error::Font {
        path: font.describe(),
        message,
    };
    let bytes = {
        let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
        let loaded = loaded.get_or_insert_with(HashMap::new);
        match loaded.get(font) {
            Some(bytes) => *bytes,
            None => {
                let bytes: &'static [u8] = match font {
                    ChartFont::Embedded => EMBEDDED_FONT,
                    ChartFont::File(p) => {
                        let bytes = std::fs::read(p)
                            .map_err(|e| fail(format!("{FONT_ENV} cannot be read: {e}")))?;
                        Box::leak(bytes.into_boxed_slice())
                    }
                };
                loaded.insert(font.clone(), bytes);
                bytes
            }
        }
    };
    register_font(FONT_FAMILY, FontStyle::Normal, bytes)
        .map_err(|_| fail("not a TrueType/OpenType font".to_owned()))
}

const WIDTH: u32 = 1200;
const ROW: u32 = 34;
const TOP: i32 = 110;
const LEFT: i32 = 300;
const RIGHT: i32 = 1120;

fn height(rows: usize) -> u32 {
    TOP as u32 + ROW * rows as u32 + 70
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    bars: &[ParetoBar],
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&WHITE).map_err(err)?;
    let family = FontFamily::Name(FONT_FAMILY);
    let font = |size: f64| (family, size).into_font();
    let total: u64 = bars.iter().map(|b| b.count).sum::<u64>().max(1);
    let max = bars.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let bar_w = (RIGHT - LEFT) as f64;
    area.draw(&Text::new(
        title.to_owned(),
        (LEFT - 280, 20),
        font(30.0).color(&BLACK),
    ))
    .map_err(err)?;
    area.draw(&Text::new(
        format!("共 {total} 件 · 条形 = 件数（下轴） · 折线 = 累计占比（上轴）"),
        (LEFT - 280, 60),
        font(17.0).color(&RGBColor(90, 90, 90)),
    ))
    .map_err(err)?;
    let bottom = TOP + (ROW as i32) * bars.len() as i32;
    // Axes: cumulative % on top, counts below.
    for i in 0..=5 {
        let x = LEFT + (bar_w * i as f64 / 5.0) as i32;
        area.draw(&PathElement::new(
            vec![(x, TOP - 6), (x, bottom)],
            RGBColor(225, 225, 225),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            format!("{}%", i * 20),
            (x - 14, TOP - 28),
            font(15.0).color(&RGBColor(200, 60, 40)),
        ))
        .map_err(err)?;
        let count = max as f64 * i as f64 / 5.0;
        area.draw(&Text::new(
            format!("{count:.0}"),
            (x - 12, bottom + 10),
            font(15.0).color(&BLACK),
        ))
        .map_err(err)?;
    }
    let mut cum = 0u64;
    let mut line = Vec::new();
    for (r, b) in bars.iter().enumerate() {
        let y0 = TOP + ROW as i32 * r as i32 + 5;
        let y1 = y0 + ROW as i32 - 10;
        let x1 = LEFT + (bar_w * b.count as f64 / max as f64) as i32;
        let fill = if b.label == "其他" {
            RGBColor(180, 180, 180)
        } else {
            RGBColor(66, 120, 190)
        };
        area.draw(&Rectangle::new(
            [(LEFT, y0), (x1.max(LEFT + 1), y1)],
            fill.filled(),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            b.label.clone(),
            (10, y0 + 2),
            font(18.0).color(&BLACK),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            b.count.to_string(),
            (x1 + 6, y0 + 4),
            font(14.0).color(&RGBColor(60, 60, 60)),
        ))
        .map_err(err)?;
        cum += b.count;
        let pct = cum as f64 / total as f64;
        line.push((LEFT + (bar_w * pct) as i32, (y0 + y1) / 2));
    }
    area.draw(&PathElement::new(
        line.clone(),
        RGBColor(200, 60, 40).stroke_width(2),
    ))
    .map_err(err)?;
    for (i, &(x, y)) in line.iter().enumerate() {
        area.draw(&Circle::new((x, y), 4, RGBColor(200, 60, 40).filled()))
            .map_err(err)?;
        let cum: u64 = bars[..=i].iter().map(|b| b.count).sum();
        let label = format!("{:.0}%", 100.0 * cum as f64 / total as f64);
        area.draw(&Text::new(
            label,
            (x - 44, y - 16),
            font(13.0).color(&RGBColor(200, 60, 40)),
        ))
        .map_err(err)?;
    }
    area.present().map_err(err)?;
    Ok(())
}

/// Draws a Pareto chart (bars by decreasing count + cumulative % line) to
/// `dir/stem.svg` and `dir/stem.png` with the font of [`ChartFont::from_env`].
/// Bars are drawn in the given order.
pub fn render_pareto(
    title: &str,
    bars: &[ParetoBar],
    dir: &Path,
    stem: &str,
) -> Result<ChartFiles> {
    render_pareto_with(&ChartFont::from_env(), title, bars, dir, stem)
}

/// [`render_pareto`] with an explicit font.
pub fn render_pareto_with(
    font: &ChartFont,
    title: &str,
    bars: &[ParetoBar],
    dir: &Path,
    stem: &str,
) -> Result<ChartFiles> {
    if bars.is_empty() {
        return Err(Error::Empty);
    }
    register(font)?;
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    let fail = |p: &Path| {
        let p = p.display().to_string();
        move |message: String| Error::Draw {
            path: p.clone(),
            message,
        }
    };
    // Both images are drawn in memory first, so that nothing is written
    // unless both could be drawn.
    let (width, height) = (WIDTH, height(bars.len()));
    let mut svg_text = String::new();
    {
        let area = SVGBackend::with_string(&mut svg_text, (width, height)).into_drawing_area();
        draw(&area, title, bars).map_err(fail(&svg))?;
    }
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw(&area, title, bars).map_err(fail(&png))?;
    }
    let mut png_bytes = Vec::new();
    {
        use image::ImageEncoder;
        image::codecs::png::PngEncoder::new(&mut png_bytes)
            .write_image(&pixels, width, height, image::ColorType::Rgb8)
            .map_err(|e| fail(&png)(e.to_string()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| kesu_atomic::Error::new(dir, e))?;
    kesu_atomic::write(&svg, svg_text.as_bytes())?;
    kesu_atomic::write(&png, &png_bytes)?;
    Ok(ChartFiles {
        svg,
        png,
        font: font.describe(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<ParetoBar> {
        vec![
            ParetoBar {
                label: "低电压·空调·台区".into(),
                count: 120,
            },
            ParetoBar {
                label: "抢修·迟迟".into(),
                count: 60,
            },
            ParetoBar {
                label: "其他".into(),
                count: 20,
            },
        ]
    }

    #[test]
    fn pareto_writes_svg_with_text_and_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let files = render_pareto("投诉根因", &bars(), dir.path(), "root_causes").unwrap();
        let svg = std::fs::read_to_string(&files.svg).unwrap();
        assert!(svg.contains("低电压·空调·台区"), "labels stay text");
        assert!(svg.contains("Noto Sans CJK SC"));
        assert!(svg.contains("100%"), "cumulative share reaches 100 %");
        let png = std::fs::read(&files.png).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn empty_chart_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            render_pareto("t", &[], dir.path(), "x"),
            Err(Error::Empty)
        ));
    }

    #[test]
    fn svg_names_the_embedded_family_first_with_fallbacks() {
        let dir = tempfile::tempdir().unwrap();
        let files =
            render_pareto_with(&ChartFont::Embedded, "投诉根因", &bars(), dir.path(), "c").unwrap();
        assert_eq!(files.font, EMBEDDED_FONT_NAME);
        let svg = std::fs::read_to_string(&files.svg).unwrap();
        let family = svg
            .split("font-family=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .replace("&apos;", "'")
            .replace("&#39;", "'");
        assert!(family.starts_with("'Noto Sans CJK SC'"), "{family}");
        assert!(family.ends_with("sans-serif"), "{family}");
    }

    /// Counts dark pixels of a PNG region: CJK labels drawn with a font
    /// that has their glyphs leave ink, missing glyphs leave (nearly) none.
    fn ink(png: &[u8], x0: u32, x1: u32, y0: u32, y1: u32) -> usize {
        let img = image::load_from_memory(png).unwrap().to_rgb8();
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                if img.get_pixel(x, y).0.iter().all(|&c| c < 128) {
                    n += 1;
                }
            }
        }
        n
    }

    #[test]
    fn png_labels_are_drawn_with_the_embedded_font() {
        let dir = tempfile::tempdir().unwrap();
        let files =
            render_pareto_with(&ChartFont::Embedded, "投诉根因", &bars(), dir.path(), "c").unwrap();
        let png = std::fs::read(&files.png).unwrap();
        // The first label sits left of the bars, in the first row.
        let y0 = TOP as u32 + 5;
        assert!(ink(&png, 10, LEFT as u32 - 10, y0, y0 + ROW) > 100);
    }

    #[test]
    fn embedded_font_covers_every_character_kesu_draws() {
        use ab_glyph::{Font, FontRef};
        let font = FontRef::try_from_slice(EMBEDDED_FONT).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut texts = vec![
            std::fs::read_to_string(root.join("pipelines/taxonomy.toml")).unwrap(),
            std::fs::read_to_string(root.join("pipelines/columns.toml")).unwrap(),
            std::fs::read_to_string(root.join("crates/kesu-chart/src/lib.rs")).unwrap(),
            std::fs::read_to_string(root.join("crates/kesu-cli/src/commands/analyze.rs")).unwrap(),
        ];
        for entry in std::fs::read_dir(root.join("pipelines/dict")).unwrap() {
            texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        // GB2312's most and least frequent hanzi, and power vocabulary.
        texts.push("的一是了啊阿埃齄变压器抢修电费线路".to_owned());
        let missing: std::collections::BTreeSet<char> = texts
            .iter()
            .flat_map(|t| t.chars())
            .filter(|c| !c.is_ascii() && !c.is_control() && !c.is_whitespace())
            .filter(|&c| font.glyph_id(c).0 == 0)
            .collect();
        assert!(
            missing.is_empty(),
            "not in the embedded font (run fonts/make_subset.sh): {missing:?}"
        );
    }

    #[test]
    fn a_font_file_that_is_no_font_fails_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.ttf");
        std::fs::write(&bad, b"not a font").unwrap();
        let out = dir.path().join("charts");
        let r = render_pareto_with(&ChartFont::File(bad), "t", &bars(), &out, "c");
        assert!(matches!(r, Err(Error::Font { .. })), "{r:?}");
        assert!(!out.exists());
    }

    #[test]
    fn two_renders_into_one_folder_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = bars();
        other[0].count = 300;
        let svgs: Vec<String> = std::thread::scope(|s| {
            let runs: Vec<_> = [bars(), other]
                .into_iter()
                .map(|b| {
                    let dir = dir.path();
                    s.spawn(move || {
                        let f =
                            render_pareto_with(&ChartFont::Embedded, "t", &b, dir, "c").unwrap();
                        // What this run drew, for comparison with what stays.
                        let mut text = String::new();
                        let area = SVGBackend::with_string(&mut text, (WIDTH, height(b.len())))
                            .into_drawing_area();
                        draw(&area, "t", &b).unwrap();
                        drop(area);
                        assert_eq!(f.svg, dir.join("c.svg"));
                        text
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        assert_ne!(svgs[0], svgs[1]);
        let kept = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
        assert!(svgs.contains(&kept), "the SVG is one run's whole chart");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, ["c.png", "c.svg"], "no temporary files left");
    }
}
