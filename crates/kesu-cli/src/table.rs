//! Terminal tables: columns padded to a display width, where Chinese
//! characters take two cells (`unicode-width`, East Asian Width), so that
//! `kesu search` and `kesu analyze` tables line up with Chinese labels.

use unicode_width::UnicodeWidthStr;

/// Terminal width of a string.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Pads `s` with spaces to display width `w`, or cuts it and ends it with
/// `…` (width 1) when it is wider.
pub fn pad(s: &str, w: usize) -> String {
    let sw = width(s);
    if sw <= w {
        return format!("{s}{}", " ".repeat(w - sw));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w.saturating_sub(1) {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_cells() {
        assert_eq!(width("电表"), 4);
        assert_eq!(width("ab"), 2);
        assert_eq!(width("，"), 2, "full-width punctuation");
    }

    #[test]
    fn pads_and_cuts_to_display_width() {
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("电表", 6), "电表  ");
        assert_eq!(pad("城区供电服务中心", 10), "城区供电… ");
        assert_eq!(width(&pad("城区供电服务中心", 10)), 10);
    }

    #[test]
    fn mixed_labels_line_up() {
        let rows = ["电表·跳字·更换", "power outage", "停电·通知·未提前"];
        let widths: Vec<usize> = rows.iter().map(|r| width(&pad(r, 24))).collect();
        assert_eq!(widths, vec![24, 24, 24]);
    }
}
