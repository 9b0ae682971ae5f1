//! ISO weeks, the unit of the weekly job: every order belongs to the ISO
//! week of its `received_at` (local time), written `2024-W03`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 8601 week: weeks start on Monday and week 1 holds the year's
/// first Thursday, so 2024-12-30 is in 2025-W01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    year: i32,
    week: u32,
}

impl IsoWeek {
    /// The week `week` of ISO year `year`, if it exists (some years have 53).
    pub fn new(year: i32, week: u32) -> Option<IsoWeek> {
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).map(|_| IsoWeek { year, week })
    }

    /// The week holding this date.
    pub fn of_date(date: NaiveDate) -> IsoWeek {
        let w = date.iso_week();
        IsoWeek {
            year: w.year(),
            week: w.week(),
        }
    }

    /// The week holding this local date-time.
    pub fn of(at: NaiveDateTime) -> IsoWeek {
        IsoWeek::of_date(at.date())
    }

    /// ISO year (differs from the calendar year around New Year).
    pub fn year(self) -> i32 {
        self.year
    }

    /// Week number, 1..=53.
    pub fn week(self) -> u32 {
        self.week
    }

    /// The week's Monday.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon)
            .expect("an IsoWeek always exists")
    }

    /// The week before.
    pub fn previous(self) -> IsoWeek {
        IsoWeek::of_date(self.monday() - Duration::days(7))
    }

    /// The week after.
    pub fn next(self) -> IsoWeek {
        IsoWeek::of_date(self.monday() + Duration::days(7))
    }

    /// The same week number a year earlier, for year-on-year changes (None
    /// for week 53 when the year before had 52 weeks).
    pub fn year_ago(self) -> Option<IsoWeek> {
        IsoWeek::new(self.year - 1, self.week)
    }

    /// Weeks from `self` to `later` (negative when `later` is earlier).
    pub fn weeks_until(self, later: IsoWeek) -> i64 {
        (later.monday() - self.monday()).num_days() / 7
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

/// Why a week could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an ISO week (write it like 2024-W23)")]
pub struct ParseWeekError {
    value: String,
}

impl FromStr for IsoWeek {
    type Err = ParseWeekError;

    fn from_str(s: &str) -> Result<IsoWeek, ParseWeekError> {
        let err = || ParseWeekError {
            value: s.to_owned(),
        };
        let t = s.trim();
        let (y, w) = t
            .split_once("-W")
            .or_else(|| t.split_once("-w"))
            .or_else(|| t.split_once('W'))
            .ok_or_else(err)?;
        let year: i32 = y.trim_end_matches('-').parse().map_err(|_| err())?;
        let week: u32 = w.parse().map_err(|_| err())?;
        IsoWeek::new(year, week).ok_or_else(err)
    }
}

impl Serialize for IsoWeek {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoWeek {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IsoWeek, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weeks_follow_iso_8601_around_new_year() {
        assert_eq!(IsoWeek::of_date(d(2024, 12, 30)).to_string(), "2025-W01");
        assert_eq!(IsoWeek::of_date(d(2021, 1, 3)).to_string(), "2020-W53");
        assert_eq!(IsoWeek::of_date(d(2024, 1, 1)).to_string(), "2024-W01");
        assert_eq!(IsoWeek::of_date(d(2024, 6, 5)).to_string(), "2024-W23");
    }

    #[test]
    fn parse_display_round_trip_and_errors() {
        let w: IsoWeek = "2024-W23".parse().unwrap();
        assert_eq!(w.to_string(), "2024-W23");
        assert_eq!(
            "2024W05".parse::<IsoWeek>().unwrap().to_string(),
            "2024-W05"
        );
        assert!("2024-W54".parse::<IsoWeek>().is_err());
        assert!("2021-W53".parse::<IsoWeek>().is_err(), "2021 has 52 weeks");
        assert!("2020-W53".parse::<IsoWeek>().is_ok());
        assert!("24/23".parse::<IsoWeek>().is_err());
    }

    #[test]
    fn neighbours_and_distances() {
        let w: IsoWeek = "2025-W01".parse().unwrap();
        assert_eq!(w.previous().to_string(), "2024-W52");
        assert_eq!(w.previous().next(), w);
        assert_eq!(w.monday(), d(2024, 12, 30));
        assert_eq!(w.year_ago().unwrap().to_string(), "2024-W01");
        let w53: IsoWeek = "2020-W53".parse().unwrap();
        assert_eq!(w53.year_ago(), None);
        assert_eq!(w.previous().weeks_until(w), 1);
        assert_eq!(w53.weeks_until(w), 209);
    }
}
