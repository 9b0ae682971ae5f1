//! Date-times as operators and export tools write them, checked for existence,
//! in the local time of the utility (`IngestOptions::timezone`).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// Parses the date-time forms found in complaint exports:
/// `2024-03-01 08:30:00`, `2024-03-01 08:30`, `2024/3/1 8:30:05`, `2024-03-01`,
/// `2024.03.01`, `2024年3月1日 8时30分`, `20240301083000`, `20240301`, and ISO
/// `2024-03-01T08:30:00.123`.
///
/// A time without an offset is taken as already local. An ISO time with a UTC
/// marker or offset (`…Z`, `…+08:00`, `…-0500`, `…+08`) is an instant, and is
/// converted to the wall-clock time in `local`: dropping the offset could move
/// an order to another day.
///
/// `None` for garbage and for dates or times that cannot exist (2024-02-30, 25:61).
pub fn parse_datetime(text: &str, local: Tz) -> Option<NaiveDateTime> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_compact(s);
    }
    let mut cur = Cursor {
        s: s.as_bytes(),
        i: 0,
    };
    let year = cur.number(4, 4)?;
    let sep = cur
        .one_of(b"-/.")
        .or_else(|| cur.literal("年").then_some(b'y'))?;
    let month = cur.number(1, 2)?;
    let ok = match sep {
        b'y' => cur.literal("月"),
        other => cur.byte(other),
    };
    if !ok {
        return None;
    }
    let day = cur.number(1, 2)?;
    if sep == b'y' {
        cur.literal("日");
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    if !(1900..=2199).contains(&year) {
        return None;
    }
    cur.skip_spaces();
    if cur.done() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if cur.byte(b'T') {
        cur.skip_spaces();
    }
    let hour = cur.number(1, 2)?;
    let minute_sep = cur.byte(b':') || cur.literal("时") || cur.literal("点");
    if !minute_sep {
        return None;
    }
    let minute = cur.number(1, 2)?;
    let mut second = 0;
    let mut milli = 0;
    if cur.byte(b':') {
        second = cur.number(1, 2)?;
    } else if cur.literal("分")
        && let Some(sec) = cur.number(1, 2)
    {
        second = sec;
        cur.literal("秒");
    }
    if cur.byte(b'.') || cur.byte(b',') {
        let start = cur.i;
        let frac = cur.number(1, 9)?;
        let digits = (cur.i - start) as u32;
        milli = if digits >= 3 {
            frac / 10u32.pow(digits - 3)
        } else {
            frac * 10u32.pow(3 - digits)
        };
    }
    cur.skip_spaces();
    let offset = cur.offset()?;
    if !cur.done() {
        return None;
    }
    let time = NaiveTime::from_hms_milli_opt(hour, minute, second, milli)?;
    let written = date.and_time(time);
    match offset {
        None => Some(written),
        Some(seconds_east) => {
            let utc = written.checked_sub_signed(Duration::seconds(seconds_east.into()))?;
            Some(local.from_utc_datetime(&utc).naive_local())
        }
    }
}

/// `20240301083000`, `202403010830` or `20240301`.
fn parse_compact(s: &str) -> Option<NaiveDateTime> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let (h, mi, se) = match s.len() {
        8 => (0, 0, 0),
        12 => (n(8..10)?, n(10..12)?, 0),
        14 => (n(8..10)?, n(10..12)?, n(12..14)?),
        _ => return None,
    };
    let year = n(0..4)?;
    if !(1900..=2199).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, n(4..6)?, n(6..8)?)?.and_hms_opt(h, mi, se)
}

/// An Excel serial date (days since 1899-12-30, fraction = time of day),
/// rounded to the second. Serials before 1900-03-01 are refused: Excel's
/// fictitious 1900-02-29 makes them ambiguous, and no work order is that old.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let seconds = (serial * 86_400.0).round() as i64;
    epoch.checked_add_signed(Duration::seconds(seconds))
}

/// An Excel serial written as text (`45352`, `45352.354`).
pub fn parse_excel_serial_text(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    from_excel_serial(t.parse().ok()?)
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut value: u32 = 0;
        while self.i < self.s.len() && self.i - start < max && self.s[self.i].is_ascii_digit() {
            value = value * 10 + u32::from(self.s[self.i] - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(value)
    }

    fn byte(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Consumes one of the separators in `set`, returning it.
    fn one_of(&mut self, set: &[u8]) -> Option<u8> {
        let b = *self.s.get(self.i)?;
        set.contains(&b).then(|| {
            self.i += 1;
            b
        })
    }

    fn literal(&mut self, lit: &str) -> bool {
        if self.s[self.i.min(self.s.len())..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    /// A UTC marker or offset at the cursor: `Some(None)` when there is none,
    /// `Some(Some(seconds east of UTC))` for `Z`, `±hh`, `±hhmm` or `±hh:mm`,
    /// `None` when it is malformed or out of range.
    fn offset(&mut self) -> Option<Option<i32>> {
        if self.byte(b'Z') {
            return Some(Some(0));
        }
        let sign = if self.byte(b'+') {
            1
        } else if self.byte(b'-') {
            -1
        } else {
            return Some(None);
        };
        let hours = self.number(2, 2)?;
        let colon = self.byte(b':');
        let minutes = match self.number(2, 2) {
            Some(m) => m,
            None if colon => return None,
            None => 0,
        };
        if hours > 14 || minutes > 59 {
            return None;
        }
        Some(Some(sign * (hours * 3600 + minutes * 60) as i32))
    }

    fn skip_spaces(&mut self) {
        while self.i < self.s.len() && self.s[self.i] == b' ' {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    /// Parsed in the default zone, Asia/Shanghai.
    fn parse(s: &str) -> Option<NaiveDateTime> {
        parse_datetime(s, SHANGHAI)
    }

    #[test]
    fn export_forms_parse() {
        let cases = [
            ("2024-03-01 08:30:00", "2024-03-01 08:30:00"),
            ("2024-03-01 08:30", "2024-03-01 08:30:00"),
            ("2024/3/1 8:30:05", "2024-03-01 08:30:05"),
            ("2024-03-01", "2024-03-01 00:00:00"),
            ("2024.03.01", "2024-03-01 00:00:00"),
            ("2024年3月1日 8时30分", "2024-03-01 08:30:00"),
            ("2024年3月1日8时30分15秒", "2024-03-01 08:30:15"),
            ("2024年3月1日", "2024-03-01 00:00:00"),
            ("20240301083000", "2024-03-01 08:30:00"),
            ("20240301", "2024-03-01 00:00:00"),
            ("2024-03-01T08:30:00", "2024-03-01 08:30:00"),
            ("2024-03-01T08:30:00+08:00", "2024-03-01 08:30:00"),
            ("  2024-03-01 08:30:00  ", "2024-03-01 08:30:00"),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), Some(dt(want)), "{input}");
        }
    }

    #[test]
    fn offsets_are_converted_to_the_local_zone() {
        let cases = [
            // 23:30 in New York is 12:30 the next day in Beijing: another day.
            ("2024-03-01T23:30:00-05:00", "2024-03-02 12:30:00"),
            ("2024-03-01T16:30:00Z", "2024-03-02 00:30:00"),
            ("2024-03-01T08:30:00.250Z", "2024-03-01 16:30:00.250"),
            ("2024-03-01T08:30:00+08:00", "2024-03-01 08:30:00"),
            ("2024-03-01 08:30:00 +0800", "2024-03-01 08:30:00"),
            ("2024-03-01T08:30:00+09", "2024-03-01 07:30:00"),
            ("2024-03-01T00:15:00+05:45", "2024-03-01 02:30:00"),
            // Naive times are already local: unchanged whatever the zone.
            ("2024-03-01T23:30:00", "2024-03-01 23:30:00"),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input), Some(dt(want)), "{input}");
        }
    }

    #[test]
    fn another_local_zone_is_honoured_with_its_daylight_saving_time() {
        let utc = chrono_tz::UTC;
        assert_eq!(
            parse_datetime("2024-03-01T23:30:00-05:00", utc),
            Some(dt("2024-03-02 04:30:00"))
        );
        assert_eq!(
            parse_datetime("2024-03-01T08:30:00", utc),
            Some(dt("2024-03-01 08:30:00")),
            "naive times are never shifted"
        );
        // New York is UTC-5 in winter and UTC-4 in summer.
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            parse_datetime("2024-01-15T12:00:00Z", ny),
            Some(dt("2024-01-15 07:00:00"))
        );
        assert_eq!(
            parse_datetime("2024-07-15T12:00:00Z", ny),
            Some(dt("2024-07-15 08:00:00"))
        );
    }

    #[test]
    fn malformed_offsets_fail() {
        for bad in [
            "2024-03-01T08:30:00+8",
            "2024-03-01T08:30:00+08:",
            "2024-03-01T08:30:00+08:0",
            "2024-03-01T08:30:00+15:00",
            "2024-03-01T08:30:00+08:60",
            "2024-03-01T08:30:00ZZ",
            "2024-03-01T08:30:00+08:00x",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn impossible_and_garbage_dates_fail() {
        for bad in [
            "2024-02-30",
            "2023-02-29 10:00",
            "2024-03-01 25:61",
            "2024-03-01 23:59:60x",
            "2024-13-01",
            "明天上午",
            "2024-03",
            "0000-01-01",
            "20240230",
            "12345",
            "2024-03-01 08",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert!(parse("2024-02-29").is_some(), "leap day exists");
    }

    #[test]
    fn excel_serials_convert() {
        assert_eq!(from_excel_serial(45352.0), Some(dt("2024-03-01 00:00:00")));
        assert_eq!(
            from_excel_serial(45352.354166666664),
            Some(dt("2024-03-01 08:30:00"))
        );
        assert_eq!(
            parse_excel_serial_text("45352.5"),
            Some(dt("2024-03-01 12:00:00"))
        );
        assert_eq!(from_excel_serial(-1.0), None);
        assert_eq!(from_excel_serial(f64::NAN), None);
        assert_eq!(parse_excel_serial_text("abc"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = parse(&s);
        }

        #[test]
        fn formatted_dates_round_trip(y in 1990i32..2100, m in 1u32..=12, d in 1u32..=28, h in 0u32..24, mi in 0u32..60, se in 0u32..60) {
            let want = NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, se).unwrap();
            for fmt in ["%Y-%m-%d %H:%M:%S", "%Y/%-m/%-d %-H:%M:%S", "%Y%m%d%H%M%S", "%Y-%m-%dT%H:%M:%S", "%Y年%-m月%-d日 %-H时%M分%S秒"] {
                let text = want.format(fmt).to_string();
                proptest::prop_assert_eq!(parse(&text), Some(want), "{}", text);
            }
        }
    }
}
