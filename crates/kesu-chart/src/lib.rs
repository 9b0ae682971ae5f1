//! Charts with Chinese labels for management: the Pareto of management
//! gaps, the weekly trends of top causes with their alerts, the unit × class
//! heatmap and ranked bars of units.
//!
//! kesu's flow is ingest → normalise → segment → index / cluster → summarise →
//! **render**. This crate only ever receives summary numbers (labels and
//! counts), never work orders, so no personal data can reach a chart.
//!
//! All charts share one look ([`style`]): a 1000 px canvas that stays readable
//! on A4 and scaled down on a phone (no text under [`style::MIN_TEXT_PX`]),
//! a title and a subtitle that explains everything the chart encodes (so a
//! forwarded chart needs no legend), grey grids, the Okabe–Ito palette for
//! categories and a single-hue sequential scale for amounts. Labels are
//! labelled directly, truncated with "…" at a fixed display width, and never
//! overlap.
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
//! Labels come from text mining and may hold anything: the SVG escapes
//! markup and drops control characters (which XML forbids).
//!
//! A chart is drawn in memory ([`Chart`]) and written with [`kesu_atomic`],
//! so a failed or concurrent run never leaves a half-drawn or mixed chart.
//!
//! ```no_run
//! use kesu_chart::{ChartFont, Pareto, ParetoBar, draw_pareto};
//! let chart = Pareto {
//!     title: "管理漏洞帕累托".into(),
//!     subtitle: Some("本周 · 属实投诉".into()),
//!     bars: vec![
//!         ParetoBar { label: "抢修时间过长".into(), count: 120 },
//!         ParetoBar { label: "信息发布不及时".into(), count: 80 },
//!     ],
//! };
//! let drawn = draw_pareto(&ChartFont::from_env(), &chart).unwrap();
//! let files = drawn.write(std::path::Path::new("out/charts"), "gaps").unwrap();
//! println!("{}", files.png.display());
//! ```

#![warn(missing_docs)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use plotters::style::{FontStyle, register_font};

mod canvas;
mod heatmap;
mod pareto;
mod ranked;
pub mod style;
mod trends;

pub use heatmap::{Heatmap, draw_heatmap};
pub use pareto::{Pareto, ParetoBar, draw_pareto};
pub use ranked::{Ranked, RankedBar, draw_ranked};
pub use trends::{TrendSeries, Trends, draw_trends};

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
        /// The output drawn: `svg` or `png`.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Writing the chart failed.
    #[error(transparent)]
    Write(#[from] kesu_atomic::Error),
    /// There is nothing to draw (no bars, weeks, series, rows or columns).
    #[error("nothing to draw")]
    Empty,
    /// Two inputs that must be as long as each other are not (values vs
    /// rows or columns, counts vs weeks).
    #[error("{what}: {found} values for {expected} {against}")]
    Length {
        /// Which input is off, e.g. `heatmap row 城东供电所`.
        what: String,
        /// What it must match, e.g. `columns`.
        against: &'static str,
        /// How many it must have.
        expected: usize,
        /// How many it has.
        found: usize,
    },
    /// An index points past its list (an alert week past the last week).
    #[error("{what}: index {index} is past the {len} {against}")]
    Index {
        /// Which input is off, e.g. `alerts of 低电压`.
        what: String,
        /// What the index points into, e.g. `weeks`.
        against: &'static str,
        /// The index.
        index: usize,
        /// The list's length.
        len: usize,
    },
    /// A value cannot be drawn as a bar (not finite, or negative).
    #[error("{label}: value {value} is not a finite number ≥ 0")]
    Value {
        /// The bar's label.
        label: String,
        /// The value.
        value: f64,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

/// A chart drawn in memory (nothing written yet): the same picture as SVG
/// and as PNG, e.g. for embedding the PNG as a `data:` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The SVG document (text kept as `<text>`).
    pub svg: String,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// Width in pixels (of both).
    pub width: u32,
    /// Height in pixels (of both).
    pub height: u32,
    /// The font the PNG was drawn with: [`EMBEDDED_FONT_NAME`] or the `KESU_FONT` path.
    pub font: String,
}

impl Chart {
    /// Writes `dir/stem.svg` and `dir/stem.png` atomically (creates `dir`).
    pub fn write(&self, dir: &Path, stem: &str) -> Result<ChartFiles> {
        let svg = dir.join(format!("{stem}.svg"));
        let png = dir.join(format!("{stem}.png"));
        std::fs::create_dir_all(dir).map_err(|e| kesu_atomic::Error::new(dir, e))?;
        kesu_atomic::write(&svg, self.svg.as_bytes())?;
        kesu_atomic::write(&png, &self.png)?;
        Ok(ChartFiles {
            svg,
            png,
            font: self.font.clone(),
        })
    }
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

/// Makes `font` the one plotters draws [`FONT_FAMILY`] with, and returns
/// its bytes (for layout metrics). A process draws with one font
/// (`KESU_FONT` does not change while kesu runs); registering again is
/// cheap, so the last caller's font wins.
fn register(font: &ChartFont) -> Result<&'static [u8]> {
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
        .map_err(|_| fail("not a TrueType/OpenType font".to_owned()))?;
    Ok(bytes)
}

/// Lays a chart out with `font`'s metrics and draws it as SVG and PNG.
fn draw_with(
    font: &ChartFont,
    layout: impl FnOnce(&canvas::Metrics) -> Result<canvas::Scene>,
) -> Result<Chart> {
    let bytes = register(font)?;
    let metrics = canvas::Metrics::new(bytes).ok_or_else(|| Error::Font {
        path: font.describe(),
        message: "not a TrueType/OpenType font".to_owned(),
    })?;
    let scene = layout(&metrics)?;
    let (svg, png) = canvas::render(&scene, &metrics)?;
    Ok(Chart {
        svg,
        png,
        width: scene.width,
        height: scene.height,
        font: font.describe(),
    })
}

/// Draws a Pareto chart (bars by decreasing count + cumulative share) to
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
    let chart = Pareto {
        title: title.to_owned(),
        subtitle: None,
        bars: bars.to_vec(),
    };
    draw_pareto(font, &chart)?.write(dir, stem)
}

/// Helpers of the charts' tests: reading back what was drawn.
#[cfg(test)]
pub(crate) mod testutil {
    use crate::canvas::{Metrics, Scene};
    use crate::style::MIN_TEXT_PX;

    /// Metrics of the embedded font.
    pub fn metrics() -> Metrics {
        crate::register(&crate::ChartFont::Embedded).unwrap();
        Metrics::new(crate::EMBEDDED_FONT).unwrap()
    }

    /// The contents of the SVG's `<text>` elements, unescaped.
    pub fn svg_texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .map(|t| {
                let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
                unescape(body.trim_matches('\n'))
            })
            .collect()
    }

    pub fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&")
    }

    /// The pixel box (x0, x1, y0, y1) of the first text equal to `text`.
    pub fn text_box(scene: &Scene, text: &str) -> (u32, u32, u32, u32) {
        let (_, b) = scene
            .text_boxes(&metrics())
            .into_iter()
            .find(|(t, _)| t == text)
            .unwrap_or_else(|| panic!("no text {text:?}"));
        (
            b[0] as u32,
            b[2].ceil() as u32,
            b[1] as u32,
            b[3].ceil() as u32,
        )
    }

    /// Counts dark pixels of a PNG region: CJK labels drawn with a font
    /// that has their glyphs leave ink, missing glyphs leave (nearly) none.
    pub fn ink(png: &[u8], (x0, x1, y0, y1): (u32, u32, u32, u32)) -> usize {
        count(png, (x0, x1, y0, y1), |p| p.iter().all(|&c| c < 128))
    }

    /// Counts pixels of a PNG region for which `pick` holds.
    pub fn count(
        png: &[u8],
        (x0, x1, y0, y1): (u32, u32, u32, u32),
        pick: impl Fn([u8; 3]) -> bool,
    ) -> usize {
        let img = image::load_from_memory(png).unwrap().to_rgb8();
        let mut n = 0;
        for y in y0..y1.min(img.height()) {
            for x in x0..x1.min(img.width()) {
                if pick(img.get_pixel(x, y).0) {
                    n += 1;
                }
            }
        }
        n
    }

    /// No text under the minimum size, outside the canvas, or on another text.
    pub fn assert_readable(scene: &Scene) {
        for s in &scene.shapes {
            if let crate::canvas::Shape::Text { em, text, .. } = s {
                assert!(*em >= MIN_TEXT_PX, "{text:?} at {em} px");
            }
        }
        let boxes: Vec<_> = scene
            .text_boxes(&metrics())
            .into_iter()
            .filter(|(_, b)| b[2] > b[0])
            .collect();
        let (w, h) = (scene.width as f64, scene.height as f64);
        for (t, b) in &boxes {
            assert!(
                b[0] >= 0.0 && b[1] >= 0.0 && b[2] <= w && b[3] <= h,
                "{t:?} {b:?} outside {w}×{h}"
            );
        }
        for (i, (ta, a)) in boxes.iter().enumerate() {
            for (tb, b) in &boxes[i + 1..] {
                let apart = a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];
                assert!(apart, "{ta:?} {a:?} overlaps {tb:?} {b:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testutil::{ink, metrics, svg_texts, text_box};

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
        assert!(!dir.path().join("x.svg").exists());
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

    #[test]
    fn png_labels_are_drawn_with_the_embedded_font() {
        let dir = tempfile::tempdir().unwrap();
        let files =
            render_pareto_with(&ChartFont::Embedded, "投诉根因", &bars(), dir.path(), "c").unwrap();
        let png = std::fs::read(&files.png).unwrap();
        // The first label, left of the bars in the first row.
        let chart = Pareto {
            title: "投诉根因".into(),
            subtitle: None,
            bars: bars(),
        };
        let scene = pareto::layout(&metrics(), &chart).unwrap();
        assert!(ink(&png, text_box(&scene, "低电压·空调·台区")) > 100);
    }

    #[test]
    fn embedded_font_covers_every_character_kesu_draws() {
        use ab_glyph::{Font, FontRef};
        let font = FontRef::try_from_slice(EMBEDDED_FONT).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut texts = vec![
            std::fs::read_to_string(root.join("pipelines/taxonomy.toml")).unwrap(),
            std::fs::read_to_string(root.join("pipelines/columns.toml")).unwrap(),
            std::fs::read_to_string(root.join("crates/kesu-cli/src/commands/analyze.rs")).unwrap(),
        ];
        // Every chart module's texts (titles, keys, test labels).
        for module in [
            "lib.rs",
            "canvas.rs",
            "style.rs",
            "pareto.rs",
            "trends.rs",
            "heatmap.rs",
            "ranked.rs",
        ] {
            let path = root.join("crates/kesu-chart/src").join(module);
            texts.push(std::fs::read_to_string(&path).unwrap());
        }
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
    fn markup_in_labels_is_escaped_in_the_svg() {
        let chart = Pareto {
            title: "<b>标题</b> <script>alert(1)</script>".into(),
            subtitle: Some("a & b \" onerror=\"x".into()),
            bars: vec![
                ParetoBar {
                    label: "<script>alert(1)</script>".into(),
                    count: 3,
                },
                ParetoBar {
                    label: "\" onerror=\"x".into(),
                    count: 2,
                },
                ParetoBar {
                    label: "x\u{1}y".into(),
                    count: 1,
                },
            ],
        };
        let svg = draw_pareto(&ChartFont::Embedded, &chart).unwrap().svg;
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"));
        assert!(!svg.contains("\" onerror"));
        assert!(!svg.contains('\u{1}'), "XML forbids control characters");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot; onerror=&quot;x"));
        assert!(svg.contains("a &amp; b"));
        let texts = svg_texts(&svg);
        assert_eq!(texts[0], "<b>标题</b> <script>alert(1)</script>");
        assert!(
            texts.contains(&"<script>alert(1)</script>".to_owned()),
            "{texts:?}"
        );
        assert!(texts.contains(&"\" onerror=\"x".to_owned()));
        assert!(texts.contains(&"x y".to_owned()));
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
                        let chart = Pareto {
                            title: "t".into(),
                            subtitle: None,
                            bars: b,
                        };
                        let text = draw_pareto(&ChartFont::Embedded, &chart).unwrap().svg;
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
