//! The push calendar: which day is the next push day, given the team's weekday, cadence, anchor
//! and skipped dates. Pure: it takes dates and returns dates, so every rule is unit-tested here.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// How a team's pushes fall on the calendar (`pushduty.pushDay`, `cadence`, `anchor`, `skip`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The weekday of the push (Thursday at Mozilla).
    pub push_day: Weekday,
    /// Weeks between two pushes; 1 is every week.
    pub cadence: u32,
    /// A past push date that fixes which weeks are push weeks when `cadence > 1`.
    pub anchor: Option<NaiveDate>,
    /// Push dates on which there is no push (holidays, freezes).
    pub skip: Vec<NaiveDate>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            push_day: Weekday::Thu,
            cadence: 1,
            anchor: None,
            skip: Vec::new(),
        }
    }
}

/// Why a schedule cannot produce a push date. The caller names the config key and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// `cadence > 1` needs an anchor to know which weeks are push weeks.
    AnchorNeeded { cadence: u32 },
    /// The anchor is not on the push weekday, so it cannot be a push date.
    AnchorNotOnPushDay {
        anchor: NaiveDate,
        push_day: Weekday,
    },
    /// Every push day for years ahead is skipped: the skip list is almost certainly wrong.
    NoPushDate { from: NaiveDate },
    /// The next push date is after 9999-12-31, which no `YYYY.MM.DD` tag can name.
    PastTheLastTagName { from: NaiveDate },
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleError::AnchorNeeded { cadence } => write!(
                f,
                "pushduty.cadence is {cadence}, so pushduty.anchor (a past push date) must say which weeks are push weeks"
            ),
            ScheduleError::AnchorNotOnPushDay { anchor, push_day } => write!(
                f,
                "pushduty.anchor {anchor} is a {}, not a push day ({})",
                weekday_name(anchor.weekday()),
                weekday_name(*push_day)
            ),
            ScheduleError::NoPushDate { from } => write!(
                f,
                "no push date within {HORIZON_DAYS} days of {from}: pushduty.skip skips every one"
            ),
            ScheduleError::PastTheLastTagName { from } => write!(
                f,
                "no push date on or after {from} has a tag name (YYYY.MM.DD ends with the year 9999)"
            ),
        }
    }
}

impl std::error::Error for ScheduleError {}

/// How far ahead a push date is searched for before the schedule is declared broken.
const HORIZON_DAYS: u64 = 5 * 366;

/// The last date a four-digit `YYYY.MM.DD` tag can name.
const LAST_NAMEABLE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date");

impl Schedule {
    /// Checks the parts against each other; called once when the settings are read.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        if self.cadence > 1 && self.anchor.is_none() {
            return Err(ScheduleError::AnchorNeeded {
                cadence: self.cadence,
            });
        }
        if let Some(anchor) = self.anchor
            && anchor.weekday() != self.push_day
        {
            return Err(ScheduleError::AnchorNotOnPushDay {
                anchor,
                push_day: self.push_day,
            });
        }
        Ok(())
    }

    /// True if `date` is a push date: the push weekday, on the cadence, and not skipped.
    pub fn is_push_date(&self, date: NaiveDate) -> bool {
        date.weekday() == self.push_day && self.on_cadence(date) && !self.skip.contains(&date)
    }

    fn on_cadence(&self, date: NaiveDate) -> bool {
        match (self.cadence, self.anchor) {
            (0 | 1, _) | (_, None) => true,
            (cadence, Some(anchor)) => {
                let weeks = (date - anchor).num_days().div_euclid(7);
                weeks.rem_euclid(i64::from(cadence)) == 0
            }
        }
    }

    /// The first push date on or after `today`: tagging on Tuesday names Thursday's push.
    pub fn next_push_date(&self, today: NaiveDate) -> Result<NaiveDate, ScheduleError> {
        self.validate()?;
        let mut day = today;
        for _ in 0..HORIZON_DAYS {
            // `+10000.01.06` is no calendar tag: it would be reused by the next run.
            if day > LAST_NAMEABLE {
                return Err(ScheduleError::PastTheLastTagName { from: today });
            }
            if self.is_push_date(day) {
                return Ok(day);
            }
            day = day
                .checked_add_days(Days::new(1))
                .ok_or(ScheduleError::NoPushDate { from: today })?;
        }
        Err(ScheduleError::NoPushDate { from: today })
    }
}

/// Parses a weekday as people write it in config: `thursday`, `Thu`, `THURSDAY`.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.trim().to_ascii_lowercase();
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    days.into_iter().find(|day| {
        let name = weekday_name(*day);
        lower == name || (lower.len() >= 3 && name.starts_with(&lower))
    })
}

/// The lower-case English name of a weekday, as written in `pushduty.pushDay`.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// Parses `YYYY-MM-DD` strictly (no times, no other separators).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let shape_ok = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).expect("test dates are valid")
    }

    #[test]
    fn tuesday_names_the_thursday_of_the_same_week() {
        let s = Schedule::default();
        assert_eq!(s.next_push_date(d("2026-12-01")), Ok(d("2026-12-03")));
    }

    #[test]
    fn the_push_day_itself_is_the_push_date() {
        let s = Schedule::default();
        assert_eq!(s.next_push_date(d("2026-12-03")), Ok(d("2026-12-03")));
    }

    #[test]
    fn friday_names_next_weeks_push() {
        let s = Schedule::default();
        assert_eq!(s.next_push_date(d("2026-12-04")), Ok(d("2026-12-10")));
        assert_eq!(s.next_push_date(d("2026-12-06")), Ok(d("2026-12-10")));
    }

    #[test]
    fn a_custom_push_day() {
        let s = Schedule {
            push_day: Weekday::Tue,
            ..Schedule::default()
        };
        assert_eq!(s.next_push_date(d("2026-11-27")), Ok(d("2026-12-01")));
        assert_eq!(s.next_push_date(d("2026-12-01")), Ok(d("2026-12-01")));
    }

    #[test]
    fn cadence_two_follows_the_anchor() {
        let s = Schedule {
            cadence: 2,
            anchor: Some(d("2026-11-19")),
            ..Schedule::default()
        };
        // 2026-11-26 is an off week; 2026-12-03 is on.
        assert_eq!(s.next_push_date(d("2026-11-24")), Ok(d("2026-12-03")));
        assert_eq!(s.next_push_date(d("2026-11-19")), Ok(d("2026-11-19")));
        assert_eq!(s.next_push_date(d("2026-11-20")), Ok(d("2026-12-03")));
        // An anchor in the future works too: cadence is symmetric.
        let later = Schedule {
            anchor: Some(d("2027-01-14")),
            ..s
        };
        assert_eq!(later.next_push_date(d("2026-11-24")), Ok(d("2026-12-03")));
    }

    #[test]
    fn cadence_without_anchor_is_an_error() {
        let s = Schedule {
            cadence: 2,
            ..Schedule::default()
        };
        assert_eq!(
            s.next_push_date(d("2026-11-24")),
            Err(ScheduleError::AnchorNeeded { cadence: 2 })
        );
    }

    #[test]
    fn anchor_off_the_push_day_is_an_error() {
        let s = Schedule {
            cadence: 2,
            anchor: Some(d("2026-11-18")),
            ..Schedule::default()
        };
        let err = s.validate().unwrap_err();
        assert!(
            err.to_string().contains("2026-11-18 is a wednesday"),
            "{err}"
        );
    }

    #[test]
    fn a_skipped_date_moves_to_the_next_push_on_the_cadence() {
        let s = Schedule {
            skip: vec![d("2026-12-24"), d("2026-12-31")],
            ..Schedule::default()
        };
        assert_eq!(s.next_push_date(d("2026-12-22")), Ok(d("2027-01-07")));
        let every_other = Schedule {
            cadence: 2,
            anchor: Some(d("2026-12-03")),
            skip: vec![d("2026-12-17")],
            ..Schedule::default()
        };
        assert_eq!(
            every_other.next_push_date(d("2026-12-15")),
            Ok(d("2026-12-31"))
        );
    }

    #[test]
    fn skipping_everything_is_reported_not_looped() {
        let mut skip = Vec::new();
        let mut day = d("2026-12-03");
        for _ in 0..300 {
            skip.push(day);
            day = day + Days::new(7);
        }
        let s = Schedule {
            skip,
            ..Schedule::default()
        };
        assert!(matches!(
            s.next_push_date(d("2026-12-01")),
            Err(ScheduleError::NoPushDate { .. })
        ));
    }

    #[test]
    fn no_push_date_past_the_year_9999() {
        let s = Schedule::default();
        assert_eq!(s.next_push_date(d("9999-12-30")), Ok(d("9999-12-30")));
        assert_eq!(
            s.next_push_date(d("9999-12-31")),
            Err(ScheduleError::PastTheLastTagName {
                from: d("9999-12-31")
            })
        );
    }

    #[test]
    fn weekdays_parse_in_the_forms_people_write() {
        assert_eq!(parse_weekday("thursday"), Some(Weekday::Thu));
        assert_eq!(parse_weekday("Thu"), Some(Weekday::Thu));
        assert_eq!(parse_weekday(" TUESDAY "), Some(Weekday::Tue));
        assert_eq!(parse_weekday("funday"), None);
        assert_eq!(parse_weekday("t"), None);
        assert_eq!(parse_weekday(""), None);
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date("2026-12-03"), Some(d("2026-12-03")));
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("2026-12-3"), None);
        assert_eq!(parse_date("2026.12.03"), None);
        assert_eq!(parse_date("+2026-12-03"), None);
        assert_eq!(parse_date("tomorrow"), None);
        assert_eq!(parse_date("２０２６-12-03"), None);
    }
}
