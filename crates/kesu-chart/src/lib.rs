//! Charts with Chinese labels for management: the Pareto of root causes.
//!
//! kesu's flow is ingest → normalise → segment → index / cluster → summarise →
//! **render**. This crate only ever receives summary numbers (labels and
//! counts), never work orders, so no personal data can reach a chart.
//!
//! Chinese text needs a CJK font: [`find_cjk_font`] honours `KESU_FONT`, then
//! looks for Noto Sans CJK / WenQuanYi under the system font folders, and
//! fails with a message naming the packages to install. The SVG keeps labels
//! as `<text>` (font-family lists CJK fonts, so viewers pick a local one); the
//! PNG rasterises them with the found font.
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

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontFamily, FontStyle, register_font};

/// The family name charts use: a CSS font list, written verbatim into the SVG.
pub const FONT_FAMILY: &str = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";

/// Font files tried in order before scanning the font folders.
const KNOWN_FONTS: [&str; 8] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];

/// Errors of chart rendering.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No font with Chinese glyphs was found.
    #[error(
        "no CJK font found (searched KESU_FONT, {searched}); install one with \
         `apt-get install fonts-noto-cjk` (or fonts-wqy-microhei), or set KESU_FONT=/path/to/font.ttc"
    )]
    NoCjkFont {
        /// Where it looked.
        searched: String,
    },
    /// The font file could not be read or parsed.
    #[error("font {path}: {message}")]
    Font {
        /// The font file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Drawing or writing the chart failed.
    #[error("drawing {path}: {message}")]
    Draw {
        /// The output file.
        path: String,
        /// What went wrong.
        message: String,
    },
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
    /// The font used.
    pub font: PathBuf,
}

fn looks_cjk(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n.contains("cjk") || n.contains("wqy") || n.contains("droidsansfallback"))
        && (n.ends_with(".ttc") || n.ends_with(".ttf") || n.ends_with(".otf"))
}

fn scan(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() && depth > 0 {
            scan(&p, depth - 1, found);
        } else if p
            .file_name()
            .and_then(|f| f.to_str())
            .is_some_and(looks_cjk)
        {
            found.push(p);
        }
    }
}

/// Finds a font with Chinese glyphs: `KESU_FONT`, then known paths, then a
/// scan of the system and user font folders (sans before serif).
pub fn find_cjk_font() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("KESU_FONT") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        return Err(Error::Font {
            path: p.display().to_string(),
            message: "KESU_FONT does not name a readable file".to_owned(),
        });
    }
    if let Some(p) = KNOWN_FONTS.iter().map(Path::new).find(|p| p.is_file()) {
        return Ok(p.to_path_buf());
    }
    let mut dirs = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(&home).join(".fonts"));
        dirs.push(PathBuf::from(&home).join(".local/share/fonts"));
    }
    let mut found = Vec::new();
    for d in &dirs {
        scan(d, 4, &mut found);
    }
    found.sort_by_key(|p| {
        let s = p.to_string_lossy().to_ascii_lowercase();
        (s.contains("serif"), s.contains("bold"), s)
    });
    found.into_iter().next().ok_or_else(|| Error::NoCjkFont {
        searched: dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

static REGISTERED: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();

/// Registers the font under [`FONT_FAMILY`] once per process (plotters keeps
/// fonts for the life of the process, hence the leaked buffer).
fn register(font: &Path) -> Result<()> {
    let r = REGISTERED.get_or_init(|| {
        let bytes = std::fs::read(font).map_err(|e| e.to_string())?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        register_font(FONT_FAMILY, FontStyle::Normal, bytes)
            .map_err(|_| "not a TrueType/OpenType font".to_owned())?;
        Ok(font.to_path_buf())
    });
    match r {
        Ok(_) => Ok(()),
        Err(message) => Err(Error::Font {
            path: font.display().to_string(),
            message: message.clone(),
        }),
    }
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
/// `dir/stem.svg` and `dir/stem.png`. Bars are drawn in the given order.
pub fn render_pareto(
    title: &str,
    bars: &[ParetoBar],
    dir: &Path,
    stem: &str,
) -> Result<ChartFiles> {
    if bars.is_empty() {
        return Err(Error::Empty);
    }
    let font = find_cjk_font()?;
    register(&font)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::Draw {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let svg = dir.join(format!("{stem}.svg"));
    let png = dir.join(format!("{stem}.png"));
    // Drawn into temporary files (with the real extension, which the bitmap
    // backend uses to pick the format) and renamed into place, so that a
    // failed or interrupted run never leaves a half-drawn chart.
    let svg_tmp = dir.join(format!(".{stem}.tmp.svg"));
    let png_tmp = dir.join(format!(".{stem}.tmp.png"));
    let size = (WIDTH, height(bars.len()));
    let fail = |p: &Path| {
        let p = p.display().to_string();
        move |message: String| Error::Draw {
            path: p.clone(),
            message,
        }
    };
    let drawn = (|| {
        {
            let area = SVGBackend::new(&svg_tmp, size).into_drawing_area();
            draw(&area, title, bars).map_err(fail(&svg))?;
        }
        {
            let area = BitMapBackend::new(&png_tmp, size).into_drawing_area();
            draw(&area, title, bars).map_err(fail(&png))?;
        }
        std::fs::rename(&svg_tmp, &svg).map_err(|e| fail(&svg)(e.to_string()))?;
        std::fs::rename(&png_tmp, &png).map_err(|e| fail(&png)(e.to_string()))
    })();
    if drawn.is_err() {
        let _ = std::fs::remove_file(&svg_tmp);
        let _ = std::fs::remove_file(&png_tmp);
    }
    drawn?;
    Ok(ChartFiles { svg, png, font })
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
    fn cjk_file_names_are_recognised() {
        assert!(looks_cjk("NotoSansCJK-Regular.ttc"));
        assert!(looks_cjk("wqy-microhei.ttc"));
        assert!(!looks_cjk("DejaVuSans.ttf"));
        assert!(!looks_cjk("NotoSansCJK.txt"));
    }
}
