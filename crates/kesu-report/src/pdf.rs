//! `report.pdf` through headless Chromium, when one is installed: the same
//! page the browser shows, printed with the report's print CSS (A4, a page
//! per section).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// The environment variable naming the Chromium program.
pub const CHROMIUM_ENV: &str = "KESU_CHROMIUM";

/// Programs tried, in order, when `KESU_CHROMIUM` is not set.
const PROGRAMS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// How long printing may take before it is given up.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The Chromium program: `KESU_CHROMIUM`, else the first of chromium,
/// chromium-browser, google-chrome on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CHROMIUM_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    PROGRAMS.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Prints `html` to `pdf`.
pub(crate) fn print(html: &Path, pdf: &Path) -> Result<()> {
    let program = find_chromium().ok_or_else(|| Error::NoChromium {
        looked: format!("{CHROMIUM_ENV}, {}", PROGRAMS.join(", ")),
    })?;
    let fail = |message: String| Error::Pdf {
        program: program.display().to_string(),
        message,
    };
    let html = std::fs::canonicalize(html).map_err(|e| fail(e.to_string()))?;
    let profile = tempfile_dir(pdf)?;
    let mut child = Command::new(&program)
        .args([
            "--headless",
            // Root in containers cannot use Chromium's sandbox; the page
            // has no script and a CSP that forbids loads.
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| fail(e.to_string()))? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = std::fs::remove_dir_all(&profile);
            return Err(fail(format!("no PDF after {} s", TIMEOUT.as_secs())));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = std::fs::remove_dir_all(&profile);
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    let ok = std::fs::metadata(pdf).map(|m| m.len() > 0).unwrap_or(false);
    if !status.success() || !ok {
        let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        return Err(fail(format!("{status}: {tail}")));
    }
    Ok(())
}

/// A fresh Chromium profile folder beside the PDF (removed afterwards), so
/// that printing never touches the user's browser profile.
fn tempfile_dir(pdf: &Path) -> Result<PathBuf> {
    let dir = pdf
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!(".chromium-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| kesu_atomic::Error::new(&dir, e))?;
    Ok(dir)
}
