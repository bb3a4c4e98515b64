//! The rotation of push heroes: who pushes on which push date, from the heroes in order, an
//! anchor (a push date on which the first hero pushed), the push calendar and the swaps. A skipped
//! push uses up nobody's turn; a swap gives one push to someone else and changes no other turn.
//! Pure: it takes dates and names and returns pushes, so every rule is unit-tested here.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::calendar::{self, Schedule, ScheduleError};

/// One `pushduty.swap` value, `DATE NAME`: the push on DATE goes to NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swap {
    pub date: NaiveDate,
    pub hero: String,
}

/// Why a `pushduty.swap` value cannot be read. The caller names the key and the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwapError {
    /// Nothing but whitespace.
    Empty,
    /// The first word is not a `YYYY-MM-DD` date.
    BadDate { text: String },
    /// A date and no name after it.
    NoName { date: NaiveDate },
    /// The name has a control character (a newline, a tab), which no chat or calendar shows.
    BadName { name: String },
}

impl fmt::Display for SwapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SwapError::Empty => {
                write!(f, "a swap is DATE NAME (2026-12-03 mat); this one is empty")
            }
            SwapError::BadDate { text } => write!(
                f,
                "a swap is DATE NAME (2026-12-03 mat); {text:?} is not a YYYY-MM-DD date"
            ),
            SwapError::NoName { date } => write!(
                f,
                "a swap is DATE NAME (2026-12-03 mat); the swap on {date} names nobody"
            ),
            SwapError::BadName { name } => {
                write!(f, "the swap's name {name:?} has a control character")
            }
        }
    }
}

impl std::error::Error for SwapError {}

impl Swap {
    /// Parses `DATE NAME`. The name is the rest of the value, trimmed (it may hold spaces).
    pub fn parse(text: &str) -> Result<Swap, SwapError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SwapError::Empty);
        }
        let (date_text, name) = match text.split_once(char::is_whitespace) {
            Some((date, name)) => (date, name.trim()),
            None => (text, ""),
        };
        let date = calendar::parse_date(date_text).ok_or_else(|| SwapError::BadDate {
            text: date_text.to_owned(),
        })?;
        if name.is_empty() {
            return Err(SwapError::NoName { date });
        }
        if name.chars().any(char::is_control) {
            return Err(SwapError::BadName {
                name: name.to_owned(),
            });
        }
        Ok(Swap {
            date,
            hero: name.to_owned(),
        })
    }
}

/// Why a date is not a push date, said the way the team configured it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAPushDate {
    /// Not the push weekday.
    Weekday { day: Weekday, push_day: Weekday },
    /// The push weekday, but an off week of a cadence above 1.
    OffWeek { cadence: u32, anchor: NaiveDate },
    /// A push date listed in `pushduty.skip`.
    Skipped,
}

impl fmt::Display for NotAPushDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAPushDate::Weekday { day, push_day } => write!(
                f,
                "it is a {}, not a push day ({})",
                calendar::weekday_name(*day),
                calendar::weekday_name(*push_day)
            ),
            NotAPushDate::OffWeek { cadence, anchor } => write!(
                f,
                "it is an off week (a push every {cadence} weeks from {anchor})"
            ),
            NotAPushDate::Skipped => write!(f, "that push is skipped (pushduty.skip)"),
        }
    }
}

/// Why the rotation cannot say who pushes. Each names the rule that broke; the caller adds the
/// key and the file (`pushduty.hero`, `pushduty.anchor`, `pushduty.swap`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationError {
    /// The calendar itself is broken (cadence without anchor, everything skipped...).
    Schedule(ScheduleError),
    /// `pushduty.hero` lists nobody.
    NoHeroes,
    /// A `pushduty.hero` value (1-based position) is blank or has a control character.
    BadHero { position: usize, name: String },
    /// The anchor is not a push date, so nobody can have pushed on it.
    AnchorNotAPushDate {
        anchor: NaiveDate,
        why: NotAPushDate,
    },
    /// A swap on a date with no push: it would silently do nothing.
    SwapNotAPushDate { swap: Swap, why: NotAPushDate },
    /// Two swaps for the same push: which one holds is anybody's guess.
    SwapTwice {
        date: NaiveDate,
        heroes: [String; 2],
    },
    /// Asked who pushes on a date that has no push.
    NotAPushDate { date: NaiveDate, why: NotAPushDate },
    /// The calendar ends (the last date chrono knows) before the pushes asked for.
    PastTheLastDate { from: NaiveDate },
}

impl fmt::Display for RotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotationError::Schedule(e) => e.fmt(f),
            RotationError::NoHeroes => write!(f, "the rotation is empty: no push hero is listed"),
            RotationError::BadHero { position, name } => write!(
                f,
                "push hero number {position} ({name:?}) is blank or has a control character"
            ),
            RotationError::AnchorNotAPushDate { anchor, why } => write!(
                f,
                "the anchor {anchor} must be a push date on which the first hero pushed, but {why}"
            ),
            RotationError::SwapNotAPushDate { swap, why } => write!(
                f,
                "the swap \"{} {}\" is for a date with no push: {why}",
                swap.date, swap.hero
            ),
            RotationError::SwapTwice { date, heroes } => write!(
                f,
                "two swaps for the push on {date} ({} and {}): keep one",
                heroes[0], heroes[1]
            ),
            RotationError::NotAPushDate { date, why } => {
                write!(f, "there is no push on {date}: {why}")
            }
            RotationError::PastTheLastDate { from } => {
                write!(f, "the calendar ends before the pushes after {from}")
            }
        }
    }
}

impl std::error::Error for RotationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RotationError::Schedule(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ScheduleError> for RotationError {
    fn from(e: ScheduleError) -> Self {
        RotationError::Schedule(e)
    }
}

/// One push slot of the calendar: a push date with its hero, or a skipped one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    pub date: NaiveDate,
    /// `None` exactly when `skipped`.
    pub hero: Option<String>,
    /// A push day on the cadence listed in `pushduty.skip`: nobody pushes, nobody's turn is used.
    pub skipped: bool,
    /// True when a swap gave this push to `hero`.
    pub swapped: bool,
}

impl serde::Serialize for Push {
    /// `{"date": "YYYY-MM-DD", "hero": "mat" | null, "skipped": false}`, as `who --json` shows.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Push", 3)?;
        s.serialize_field("date", &self.date.format("%Y-%m-%d").to_string())?;
        s.serialize_field("hero", &self.hero)?;
        s.serialize_field("skipped", &self.skipped)?;
        s.end()
    }
}

/// A checked rotation: heroes, anchor and swaps agree with the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    heroes: Vec<String>,
    anchor: NaiveDate,
    schedule: Schedule,
    swaps: BTreeMap<NaiveDate, String>,
}

impl Rotation {
    /// Checks everything once: at least one hero, none blank; the calendar valid; the anchor a
    /// push date (push weekday, on the cadence, not skipped); each swap on a push date, at most one
    /// per date. Hero names are trimmed.
    pub fn new(
        heroes: Vec<String>,
        anchor: NaiveDate,
        schedule: Schedule,
        swaps: Vec<Swap>,
    ) -> Result<Rotation, RotationError> {
        schedule.validate()?;
        if heroes.is_empty() {
            return Err(RotationError::NoHeroes);
        }
        let mut names = Vec::with_capacity(heroes.len());
        for (i, hero) in heroes.into_iter().enumerate() {
            let name = hero.trim();
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(RotationError::BadHero {
                    position: i + 1,
                    name: hero,
                });
            }
            names.push(name.to_owned());
        }
        let mut rotation = Rotation {
            heroes: names,
            anchor,
            schedule,
            swaps: BTreeMap::new(),
        };
        if let Some(why) = rotation.why_not_a_push_date(anchor) {
            return Err(RotationError::AnchorNotAPushDate { anchor, why });
        }
        for swap in swaps {
            if let Some(why) = rotation.why_not_a_push_date(swap.date) {
                return Err(RotationError::SwapNotAPushDate { swap, why });
            }
            if let Some(first) = rotation.swaps.get(&swap.date) {
                return Err(RotationError::SwapTwice {
                    date: swap.date,
                    heroes: [first.clone(), swap.hero],
                });
            }
            rotation.swaps.insert(swap.date, swap.hero);
        }
        Ok(rotation)
    }

    /// The heroes, in rotation order.
    pub fn heroes(&self) -> &[String] {
        &self.heroes
    }

    /// The push date on which the first hero pushed.
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// The calendar the rotation follows.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Who pushes on `date`, which must be a push date. Before the anchor the rotation runs
    /// backwards: the push before the anchor is the last hero's.
    pub fn hero_on(&self, date: NaiveDate) -> Result<&str, RotationError> {
        if let Some(why) = self.why_not_a_push_date(date) {
            return Err(RotationError::NotAPushDate { date, why });
        }
        Ok(self.hero_of_push(date))
    }

    /// The current push: the push date `next-tag` would use on `today`, with its hero.
    pub fn current(&self, today: NaiveDate) -> Result<Push, RotationError> {
        let date = self.schedule.next_push_date(today)?;
        Ok(self.push_on(date))
    }

    /// The push after the one on `date` (which need not be a push date): what `topic --next` and
    /// `notes --next` name once a push is complete.
    pub fn push_after(&self, date: NaiveDate) -> Result<Push, RotationError> {
        let next_day = date
            .succ_opt()
            .ok_or(RotationError::PastTheLastDate { from: date })?;
        self.current(next_day)
    }

    /// The current push (first) and the `count` pushes after it, with the skipped push slots
    /// between them marked; skipped slots do not count towards `count`.
    pub fn upcoming(&self, today: NaiveDate, count: usize) -> Result<Vec<Push>, RotationError> {
        let mut date = self.schedule.next_push_date(today)?;
        let mut pushes = vec![self.push_on(date)];
        for _ in 0..count {
            let next_day = date
                .succ_opt()
                .ok_or(RotationError::PastTheLastDate { from: date })?;
            let next = self.schedule.next_push_date(next_day)?;
            // Every push slot between two push dates is a skipped one.
            let mut slot = self.slot_after(date)?;
            while slot < next {
                pushes.push(Push {
                    date: slot,
                    hero: None,
                    skipped: true,
                    swapped: false,
                });
                slot = self.slot_after(slot)?;
            }
            pushes.push(self.push_on(next));
            date = next;
        }
        Ok(pushes)
    }

    fn push_on(&self, date: NaiveDate) -> Push {
        Push {
            date,
            hero: Some(self.hero_of_push(date).to_owned()),
            skipped: false,
            swapped: self.swaps.contains_key(&date),
        }
    }

    /// The hero of a date known to be a push date.
    fn hero_of_push(&self, date: NaiveDate) -> &str {
        if let Some(hero) = self.swaps.get(&date) {
            return hero;
        }
        let n = i64::try_from(self.heroes.len()).expect("fewer heroes than i64::MAX");
        let turn = usize::try_from(self.turns_since_anchor(date).rem_euclid(n))
            .expect("rem_euclid of a positive number is not negative");
        &self.heroes[turn]
    }

    /// Pushes from the anchor to `date` (a push date): 0 on the anchor, negative before it.
    /// Counted by arithmetic, not day by day, so a date decades away costs nothing.
    fn turns_since_anchor(&self, date: NaiveDate) -> i64 {
        let (from, to, sign) = if date >= self.anchor {
            (self.anchor, date, 1)
        } else {
            (date, self.anchor, -1)
        };
        let slots = (to - from).num_days() / (7 * self.cadence());
        // `skip` may hold dates that are no push slot (a Wednesday): those skip nothing.
        let mut skipped: Vec<NaiveDate> = self
            .schedule
            .skip
            .iter()
            .copied()
            .filter(|d| *d >= from && *d < to && self.is_slot(*d))
            .collect();
        skipped.sort();
        skipped.dedup();
        let skipped = i64::try_from(skipped.len()).expect("fewer skips than i64::MAX");
        sign * (slots - skipped)
    }

    fn cadence(&self) -> i64 {
        i64::from(self.schedule.cadence.max(1))
    }

    /// A push slot: the push weekday on the cadence, skipped or not. The anchor is a push date,
    /// so counting weeks from it agrees with the calendar's own anchor.
    fn is_slot(&self, date: NaiveDate) -> bool {
        date.weekday() == self.schedule.push_day
            && ((date - self.anchor).num_days() / 7).rem_euclid(self.cadence()) == 0
    }

    fn slot_after(&self, slot: NaiveDate) -> Result<NaiveDate, RotationError> {
        let days = u64::try_from(7 * self.cadence()).expect("a positive cadence");
        slot.checked_add_days(Days::new(days))
            .ok_or(RotationError::PastTheLastDate { from: slot })
    }

    fn why_not_a_push_date(&self, date: NaiveDate) -> Option<NotAPushDate> {
        let push_day = self.schedule.push_day;
        if date.weekday() != push_day {
            return Some(NotAPushDate::Weekday {
                day: date.weekday(),
                push_day,
            });
        }
        // The calendar's own answer decides; the reasons only explain it.
        if self.schedule.is_push_date(date) {
            return None;
        }
        if self.schedule.skip.contains(&date) && self.calendar_slot(date) {
            return Some(NotAPushDate::Skipped);
        }
        Some(NotAPushDate::OffWeek {
            cadence: self.schedule.cadence,
            anchor: self.schedule.anchor.unwrap_or(self.anchor),
        })
    }

    /// A slot by the calendar's anchor (before the rotation's anchor is known to agree with it).
    fn calendar_slot(&self, date: NaiveDate) -> bool {
        match self.schedule.anchor {
            Some(anchor) if self.schedule.cadence > 1 => {
                ((date - anchor).num_days() / 7).rem_euclid(i64::from(self.schedule.cadence)) == 0
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> NaiveDate {
        calendar::parse_date(text).expect("test dates are valid")
    }

    fn heroes() -> Vec<String> {
        ["willdurand", "eviljeff", "mat", "bsilverberg"]
            .map(String::from)
            .to_vec()
    }

    fn amo(schedule: Schedule, swaps: &[&str]) -> Rotation {
        let swaps = swaps
            .iter()
            .map(|s| Swap::parse(s).expect("test swaps parse"))
            .collect();
        Rotation::new(heroes(), d("2026-11-26"), schedule, swaps).expect("a valid rotation")
    }

    /// `(date, hero or "skipped")` for the current push and the next `count`.
    fn who(rotation: &Rotation, today: &str, count: usize) -> Vec<(String, String)> {
        rotation
            .upcoming(d(today), count)
            .expect("pushes")
            .into_iter()
            .map(|p| {
                let hero = if p.skipped {
                    "skipped".to_owned()
                } else {
                    p.hero.expect("a push has a hero")
                };
                (p.date.to_string(), hero)
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn the_issue_example_every_week() {
        let r = amo(Schedule::default(), &[]);
        assert_eq!(
            who(&r, "2026-12-01", 2),
            pairs(&[
                ("2026-12-03", "eviljeff"),
                ("2026-12-10", "mat"),
                ("2026-12-17", "bsilverberg")
            ])
        );
        assert_eq!(r.hero_on(d("2026-11-26")), Ok("willdurand"));
        assert_eq!(r.hero_on(d("2026-12-24")), Ok("willdurand"));
    }

    #[test]
    fn the_issue_example_with_a_skipped_push() {
        let r = amo(
            Schedule {
                skip: vec![d("2026-12-10")],
                ..Schedule::default()
            },
            &[],
        );
        assert_eq!(
            who(&r, "2026-12-01", 1),
            pairs(&[
                ("2026-12-03", "eviljeff"),
                ("2026-12-10", "skipped"),
                ("2026-12-17", "mat")
            ])
        );
        assert_eq!(
            r.hero_on(d("2026-12-10")),
            Err(RotationError::NotAPushDate {
                date: d("2026-12-10"),
                why: NotAPushDate::Skipped
            })
        );
    }

    #[test]
    fn the_issue_example_with_a_swap() {
        let r = amo(Schedule::default(), &["2026-12-03 bsilverberg"]);
        assert_eq!(
            who(&r, "2026-12-01", 2),
            pairs(&[
                ("2026-12-03", "bsilverberg"),
                ("2026-12-10", "mat"),
                ("2026-12-17", "bsilverberg")
            ])
        );
        let pushes = r.upcoming(d("2026-12-01"), 1).expect("pushes");
        assert!(pushes[0].swapped && !pushes[1].swapped);
    }

    #[test]
    fn the_issue_example_every_other_week() {
        // The calendar's anchor and the rotation's are the same setting, pushduty.anchor.
        let r = amo(
            Schedule {
                cadence: 2,
                anchor: Some(d("2026-11-26")),
                ..Schedule::default()
            },
            &[],
        );
        assert_eq!(
            who(&r, "2026-12-01", 1),
            pairs(&[("2026-12-10", "eviljeff"), ("2026-12-24", "mat")])
        );
        assert!(matches!(
            r.hero_on(d("2026-12-03")),
            Err(RotationError::NotAPushDate {
                why: NotAPushDate::OffWeek { cadence: 2, .. },
                ..
            })
        ));
    }

    #[test]
    fn the_push_day_itself_is_the_current_push() {
        let r = amo(Schedule::default(), &[]);
        assert_eq!(
            r.current(d("2026-12-03")).map(|p| p.hero),
            Ok(Some("eviljeff".into()))
        );
        assert_eq!(
            r.push_after(d("2026-12-03")).map(|p| (p.date, p.hero)),
            Ok((d("2026-12-10"), Some("mat".into())))
        );
        // push_after a skipped slot or a weekday is the next push date.
        assert_eq!(
            r.push_after(d("2026-12-05")).map(|p| p.date),
            Ok(d("2026-12-10"))
        );
    }

    #[test]
    fn before_the_anchor_the_rotation_runs_backwards() {
        let r = amo(Schedule::default(), &[]);
        assert_eq!(r.hero_on(d("2026-11-19")), Ok("bsilverberg"));
        assert_eq!(r.hero_on(d("2026-11-12")), Ok("mat"));
        assert_eq!(r.hero_on(d("2026-10-29")), Ok("willdurand"));
        // "Who pushed last month" with a skip in between: the skip uses nobody's turn.
        let skipping = amo(
            Schedule {
                skip: vec![d("2026-11-19")],
                ..Schedule::default()
            },
            &[],
        );
        assert_eq!(skipping.hero_on(d("2026-11-12")), Ok("bsilverberg"));
        assert_eq!(
            who(&skipping, "2026-11-10", 2),
            pairs(&[
                ("2026-11-12", "bsilverberg"),
                ("2026-11-19", "skipped"),
                ("2026-11-26", "willdurand"),
                ("2026-12-03", "eviljeff")
            ])
        );
    }

    #[test]
    fn skips_that_are_no_push_slot_change_nothing() {
        let r = amo(
            Schedule {
                // A Wednesday, and an off week of nothing (cadence 1 has none).
                skip: vec![d("2026-12-02"), d("2026-12-02")],
                ..Schedule::default()
            },
            &[],
        );
        assert_eq!(r.hero_on(d("2026-12-10")), Ok("mat"));
        let every_other = amo(
            Schedule {
                cadence: 2,
                anchor: Some(d("2026-11-26")),
                skip: vec![d("2026-12-03"), d("2026-12-24"), d("2026-12-24")],
                ..Schedule::default()
            },
            &[],
        );
        // 2026-12-03 is an off week: skipping it skips nothing. 12-24 is skipped (twice listed).
        assert_eq!(
            who(&every_other, "2026-12-01", 1),
            pairs(&[
                ("2026-12-10", "eviljeff"),
                ("2026-12-24", "skipped"),
                ("2027-01-07", "mat")
            ])
        );
    }

    #[test]
    fn a_swap_to_someone_outside_the_rotation() {
        let r = amo(Schedule::default(), &["2026-12-10   Diane Q. "]);
        assert_eq!(r.hero_on(d("2026-12-10")), Ok("Diane Q."));
        assert_eq!(r.hero_on(d("2026-12-17")), Ok("bsilverberg"));
    }

    #[test]
    fn one_hero_pushes_every_time() {
        let r = Rotation::new(
            vec!["mat".into()],
            d("2026-11-26"),
            Schedule::default(),
            vec![],
        )
        .expect("valid");
        assert!(
            r.upcoming(d("2026-01-01"), 60)
                .expect("pushes")
                .iter()
                .all(|p| p.hero.as_deref() == Some("mat"))
        );
    }

    #[test]
    fn a_custom_push_day_and_far_dates() {
        let r = Rotation::new(
            heroes(),
            d("2026-12-01"),
            Schedule {
                push_day: Weekday::Tue,
                ..Schedule::default()
            },
            vec![],
        )
        .expect("valid");
        assert_eq!(r.hero_on(d("2026-12-08")), Ok("eviljeff"));
        // 52 * 100 weeks later: 5200 pushes, a multiple of 4.
        let later = d("2026-12-01") + Days::new(7 * 5200);
        assert_eq!(r.hero_on(later), Ok("willdurand"));
        let earlier = d("2026-12-01") - Days::new(7 * 5201);
        assert_eq!(r.hero_on(earlier), Ok("bsilverberg"));
    }

    #[test]
    fn swaps_parse_strictly() {
        assert_eq!(
            Swap::parse(" 2026-12-03\tmat "),
            Ok(Swap {
                date: d("2026-12-03"),
                hero: "mat".into()
            })
        );
        assert_eq!(Swap::parse("  "), Err(SwapError::Empty));
        assert_eq!(
            Swap::parse("2026-12-03"),
            Err(SwapError::NoName {
                date: d("2026-12-03")
            })
        );
        assert_eq!(
            Swap::parse("2026-12-03   "),
            Err(SwapError::NoName {
                date: d("2026-12-03")
            })
        );
        for bad in [
            "12/03/2026 mat",
            "2026-12-3 mat",
            "mat 2026-12-03",
            "2026-02-30 mat",
        ] {
            assert!(
                matches!(Swap::parse(bad), Err(SwapError::BadDate { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            Swap::parse("2026-12-03 mat").map(|s| s.hero),
            Ok("mat".into())
        );
        assert!(matches!(
            Swap::parse("2026-12-03 ma\u{1b}t"),
            Err(SwapError::BadName { .. })
        ));
        assert_eq!(
            Swap::parse("mat").unwrap_err().to_string(),
            "a swap is DATE NAME (2026-12-03 mat); \"mat\" is not a YYYY-MM-DD date"
        );
        assert_eq!(
            Swap::parse("2026-12-03").unwrap_err().to_string(),
            "a swap is DATE NAME (2026-12-03 mat); the swap on 2026-12-03 names nobody"
        );
    }

    #[test]
    fn an_empty_or_blank_rotation_is_refused() {
        let err = Rotation::new(vec![], d("2026-11-26"), Schedule::default(), vec![]);
        assert_eq!(err, Err(RotationError::NoHeroes));
        let err = Rotation::new(
            vec!["mat".into(), "  ".into()],
            d("2026-11-26"),
            Schedule::default(),
            vec![],
        )
        .unwrap_err();
        assert_eq!(
            err,
            RotationError::BadHero {
                position: 2,
                name: "  ".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "push hero number 2 (\"  \") is blank or has a control character"
        );
        assert!(matches!(
            Rotation::new(
                vec!["a\nb".into()],
                d("2026-11-26"),
                Schedule::default(),
                vec![]
            ),
            Err(RotationError::BadHero { position: 1, .. })
        ));
    }

    #[test]
    fn an_anchor_that_is_no_push_date_is_refused() {
        let err =
            Rotation::new(heroes(), d("2026-11-25"), Schedule::default(), vec![]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the anchor 2026-11-25 must be a push date on which the first hero pushed, but it is a wednesday, not a push day (thursday)"
        );
        let skipped = Schedule {
            skip: vec![d("2026-11-26")],
            ..Schedule::default()
        };
        assert_eq!(
            Rotation::new(heroes(), d("2026-11-26"), skipped, vec![]),
            Err(RotationError::AnchorNotAPushDate {
                anchor: d("2026-11-26"),
                why: NotAPushDate::Skipped
            })
        );
        // Off the calendar's cadence: the calendar's anchor says 11-26 is a push week.
        let every_other = Schedule {
            cadence: 2,
            anchor: Some(d("2026-11-26")),
            ..Schedule::default()
        };
        let err = Rotation::new(heroes(), d("2026-12-03"), every_other, vec![]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the anchor 2026-12-03 must be a push date on which the first hero pushed, but it is an off week (a push every 2 weeks from 2026-11-26)"
        );
    }

    #[test]
    fn a_broken_calendar_is_the_calendars_error() {
        let no_anchor = Schedule {
            cadence: 2,
            ..Schedule::default()
        };
        assert_eq!(
            Rotation::new(heroes(), d("2026-11-26"), no_anchor, vec![]),
            Err(RotationError::Schedule(ScheduleError::AnchorNeeded {
                cadence: 2
            }))
        );
        let mut skip = Vec::new();
        let mut day = d("2026-12-03");
        for _ in 0..300 {
            skip.push(day);
            day = day + Days::new(7);
        }
        let r = amo(
            Schedule {
                skip,
                ..Schedule::default()
            },
            &[],
        );
        assert!(matches!(
            r.current(d("2026-12-01")),
            Err(RotationError::Schedule(ScheduleError::NoPushDate { .. }))
        ));
        assert!(matches!(
            r.upcoming(d("2026-11-24"), 2),
            Err(RotationError::Schedule(ScheduleError::NoPushDate { .. }))
        ));
    }

    #[test]
    fn the_end_of_tag_names_is_an_error_not_a_panic() {
        let r = amo(Schedule::default(), &[]);
        assert!(matches!(
            r.upcoming(d("9999-12-20"), 4),
            Err(RotationError::Schedule(
                ScheduleError::PastTheLastTagName { .. }
            ))
        ));
        assert!(r.push_after(NaiveDate::MAX).is_err());
    }

    #[test]
    fn swaps_off_the_calendar_or_twice_are_refused() {
        let swap = |s: &str| Swap::parse(s).expect("parses");
        let err = Rotation::new(
            heroes(),
            d("2026-11-26"),
            Schedule::default(),
            vec![swap("2026-12-02 mat")],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the swap \"2026-12-02 mat\" is for a date with no push: it is a wednesday, not a push day (thursday)"
        );
        let skipped = Schedule {
            skip: vec![d("2026-12-10")],
            ..Schedule::default()
        };
        assert!(matches!(
            Rotation::new(
                heroes(),
                d("2026-11-26"),
                skipped,
                vec![swap("2026-12-10 mat")]
            ),
            Err(RotationError::SwapNotAPushDate {
                why: NotAPushDate::Skipped,
                ..
            })
        ));
        let err = Rotation::new(
            heroes(),
            d("2026-11-26"),
            Schedule::default(),
            vec![swap("2026-12-10 mat"), swap("2026-12-10 eviljeff")],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "two swaps for the push on 2026-12-10 (mat and eviljeff): keep one"
        );
    }

    #[test]
    fn json_is_date_hero_skipped() {
        let r = amo(
            Schedule {
                skip: vec![d("2026-12-10")],
                ..Schedule::default()
            },
            &[],
        );
        let json = serde_json::to_string(&r.upcoming(d("2026-12-01"), 1).expect("pushes"))
            .expect("serializes");
        assert_eq!(
            json,
            r#"[{"date":"2026-12-03","hero":"eviljeff","skipped":false},{"date":"2026-12-10","hero":null,"skipped":true},{"date":"2026-12-17","hero":"mat","skipped":false}]"#
        );
    }

    fn schedule_strategy() -> impl Strategy<Value = (Schedule, NaiveDate, Vec<String>)> {
        (
            1u32..=3,
            0u32..7,
            0i64..400,
            proptest::collection::vec(0u64..120, 0..12),
            1usize..=6,
        )
            .prop_map(|(cadence, weekday, anchor_weeks, skip_slots, n)| {
                let push_day = Weekday::try_from(u8::try_from(weekday).expect("small"))
                    .expect("0..7 is a weekday");
                // The first push weekday on or after 2020-01-01, then some weeks on.
                let mut anchor = d("2020-01-01");
                while anchor.weekday() != push_day {
                    anchor = anchor.succ_opt().expect("no overflow");
                }
                let anchor = anchor + Days::new(7 * u64::try_from(anchor_weeks).expect("positive"));
                let step = 7 * u64::from(cadence);
                // Skips on slots around the anchor, never the anchor itself.
                let skip = skip_slots
                    .into_iter()
                    .filter(|k| *k != 60)
                    .map(|k| anchor - Days::new(60 * step) + Days::new(k * step))
                    .collect();
                let schedule = Schedule {
                    push_day,
                    cadence,
                    anchor: Some(anchor),
                    skip,
                };
                let heroes = (0..n).map(|i| format!("hero{i}")).collect();
                (schedule, anchor, heroes)
            })
    }

    fn index_of(r: &Rotation, hero: &str) -> usize {
        r.heroes()
            .iter()
            .position(|h| h == hero)
            .expect("a hero of the rotation")
    }

    proptest! {
        #[test]
        fn every_push_date_gets_exactly_one_hero_in_turn(
            (schedule, anchor, heroes) in schedule_strategy(),
            start in 0u64..900,
        ) {
            let r = Rotation::new(heroes, anchor, schedule.clone(), vec![]).expect("valid");
            let today = anchor - Days::new(450) + Days::new(start);
            let pushes = r.upcoming(today, 30).expect("pushes");
            // Exactly the calendar's push dates, each once, in order, with a hero iff not skipped.
            let dates: Vec<NaiveDate> = pushes.iter().filter(|p| !p.skipped).map(|p| p.date).collect();
            let mut expected = Vec::new();
            let mut day = schedule.next_push_date(today).expect("a date");
            while expected.len() < dates.len() {
                expected.push(day);
                day = schedule.next_push_date(day.succ_opt().expect("no overflow")).expect("a date");
            }
            prop_assert_eq!(&dates, &expected);
            for p in &pushes {
                prop_assert_eq!(p.hero.is_some(), !p.skipped);
                prop_assert_eq!(p.skipped, schedule.skip.contains(&p.date));
                if let Some(hero) = &p.hero {
                    prop_assert_eq!(r.hero_on(p.date), Ok(hero.as_str()));
                }
            }
            // Consecutive pushes are consecutive heroes: a skipped slot uses nobody's turn.
            let n = r.heroes().len();
            for pair in pushes.iter().filter(|p| !p.skipped).collect::<Vec<_>>().windows(2) {
                let a = index_of(&r, pair[0].hero.as_deref().expect("hero"));
                let b = index_of(&r, pair[1].hero.as_deref().expect("hero"));
                prop_assert_eq!((a + 1) % n, b);
            }
            prop_assert_eq!(r.hero_on(anchor), Ok(r.heroes()[0].as_str()));
        }

        #[test]
        fn a_skip_shifts_the_turns_after_it_and_no_other(
            (schedule, anchor, heroes) in schedule_strategy(),
            slot in 1u64..40,
            before in proptest::bool::ANY,
        ) {
            let step = 7 * u64::from(schedule.cadence);
            let skipped = if before {
                anchor - Days::new(slot * step)
            } else {
                anchor + Days::new(slot * step)
            };
            prop_assume!(!schedule.skip.contains(&skipped));
            let plain = Rotation::new(heroes.clone(), anchor, schedule.clone(), vec![]).expect("valid");
            let mut with_skip = schedule.clone();
            with_skip.skip.push(skipped);
            let skipping = Rotation::new(heroes, anchor, with_skip, vec![]).expect("valid");
            let n = plain.heroes().len();
            let from = anchor - Days::new(50 * step);
            for p in plain.upcoming(from, 100).expect("pushes") {
                if p.skipped || p.date == skipped {
                    continue;
                }
                let old = index_of(&plain, plain.hero_on(p.date).expect("a push"));
                let new = index_of(&skipping, skipping.hero_on(p.date).expect("a push"));
                let expected = if !before && p.date > skipped {
                    (old + n - 1) % n // one turn fewer since the anchor
                } else if before && p.date < skipped {
                    (old + 1) % n // one turn fewer back to the anchor
                } else {
                    old
                };
                prop_assert_eq!(new, expected, "{}", p.date);
            }
        }

        #[test]
        fn a_swap_changes_only_its_own_date(
            (schedule, anchor, heroes) in schedule_strategy(),
            offset in -30i64..30,
        ) {
            let step = 7 * i64::from(schedule.cadence);
            let date = anchor + chrono::Duration::days(offset * step);
            prop_assume!(schedule.is_push_date(date));
            let plain = Rotation::new(heroes.clone(), anchor, schedule.clone(), vec![]).expect("valid");
            let swapped = Rotation::new(
                heroes,
                anchor,
                schedule,
                vec![Swap { date, hero: "guest".into() }],
            )
            .expect("valid");
            let from = anchor - Days::new(40 * u64::try_from(step).expect("positive"));
            let a = plain.upcoming(from, 80).expect("pushes");
            let b = swapped.upcoming(from, 80).expect("pushes");
            prop_assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                prop_assert_eq!(x.date, y.date);
                if x.date == date {
                    prop_assert_eq!(y.hero.as_deref(), Some("guest"));
                    prop_assert!(y.swapped);
                } else {
                    prop_assert_eq!(&x.hero, &y.hero);
                }
            }
        }
    }
}
