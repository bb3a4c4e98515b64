//! Calendar tag names (`2026.12.03`, `2026.12.03-1`) and their lineage: which name comes next,
//! which tag came before. Pure: it takes tag names and dates, never a repository.

use std::fmt;

use chrono::NaiveDate;

/// A parsed calendar tag: the push date and the revision suffix (`None` for the first tag of a date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CalendarTag {
    /// The push date the tag is named after.
    pub date: NaiveDate,
    /// `None` for `YYYY.MM.DD`, `Some(n)` for `YYYY.MM.DD-n`. Ordering puts `None` first.
    pub revision: Option<u64>,
}

impl CalendarTag {
    /// The first tag for a push date: `YYYY.MM.DD`.
    pub fn base(date: NaiveDate) -> Self {
        CalendarTag {
            date,
            revision: None,
        }
    }

    /// Parses `YYYY.MM.DD` or `YYYY.MM.DD-N`; anything else (`v1.2`, `2026.12.03-hotfix`) is not a
    /// calendar tag and gives `None`.
    pub fn parse(name: &str) -> Option<Self> {
        let (date_part, revision) = match name.split_once('-') {
            Some((date, suffix)) => {
                if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (date, Some(suffix.parse::<u64>().ok()?))
            }
            None => (name, None),
        };
        let bytes = date_part.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'.'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shape_ok {
            return None;
        }
        let date = NaiveDate::parse_from_str(date_part, "%Y.%m.%d").ok()?;
        Some(CalendarTag { date, revision })
    }

    /// The revision number used for counting: the plain date tag counts as 0.
    fn revision_number(&self) -> u64 {
        self.revision.unwrap_or(0)
    }
}

impl fmt::Display for CalendarTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date.format("%Y.%m.%d"))?;
        if let Some(n) = self.revision {
            write!(f, "-{n}")?;
        }
        Ok(())
    }
}

/// All calendar tags known (remote merged with local), by name, with their order.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// (parsed, name as it exists) sorted by date then revision. The name is kept because
    /// `2026.12.03-01` parses like `-1` but is a different ref.
    tags: Vec<(CalendarTag, String)>,
}

impl Lineage {
    /// Builds the lineage from tag names (short names, without `refs/tags/`); non-calendar names
    /// and duplicates are dropped.
    pub fn from_names<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut tags: Vec<(CalendarTag, String)> = names
            .into_iter()
            .filter_map(|n| {
                let name = n.as_ref();
                CalendarTag::parse(name).map(|tag| (tag, name.to_owned()))
            })
            .collect();
        tags.sort();
        tags.dedup();
        Lineage { tags }
    }

    /// True if a tag with exactly this name is known.
    pub fn contains(&self, name: &str) -> bool {
        self.tags.iter().any(|(_, n)| n == name)
    }

    /// The name the next tag for `push_date` gets: `BASE` if neither `BASE` nor any `BASE-N` exists,
    /// else `BASE-(highest N + 1)`. Never a name that exists: `None` when the highest revision is
    /// the largest number there is (`-18446744073709551615`).
    pub fn next_for(&self, push_date: NaiveDate) -> Option<CalendarTag> {
        let highest = self
            .tags
            .iter()
            .filter(|(t, _)| t.date == push_date)
            .map(|(t, _)| t.revision_number())
            .max();
        match highest {
            None => Some(CalendarTag::base(push_date)),
            Some(n) => Some(CalendarTag {
                date: push_date,
                revision: Some(n.checked_add(1)?),
            }),
        }
    }

    /// The latest existing revision for `push_date` (`BASE` or its highest `-N`), by name.
    pub fn latest_for(&self, push_date: NaiveDate) -> Option<&str> {
        self.tags
            .iter()
            .filter(|(t, _)| t.date == push_date)
            .max_by_key(|(t, _)| t.revision_number())
            .map(|(_, name)| name.as_str())
    }

    /// The latest calendar tag strictly before `tag` in (date, revision) order.
    pub fn previous(&self, tag: &CalendarTag) -> Option<&str> {
        self.tags
            .iter()
            .rev()
            .find(|(t, _)| (t.date, t.revision_number()) < (tag.date, tag.revision_number()))
            .map(|(_, name)| name.as_str())
    }

    /// The last push before `tag`'s push date: the latest revision of the latest earlier push
    /// date's tag. Production runs it until `tag` ships, so what `tag` ships is counted from it.
    pub fn last_push(&self, tag: &CalendarTag) -> Option<&str> {
        self.previous(&CalendarTag::base(tag.date))
    }

    /// For a revision (`2026.12.03-1`), the revision of the same push date before it
    /// (`2026.12.03`); `None` for the first tag of a push date or when no earlier one is known.
    pub fn previous_revision(&self, tag: &CalendarTag) -> Option<&str> {
        self.tags
            .iter()
            .rev()
            .find(|(t, _)| t.date == tag.date && t.revision_number() < tag.revision_number())
            .map(|(_, name)| name.as_str())
    }

    /// The latest calendar tag of all.
    pub fn latest(&self) -> Option<&str> {
        self.tags.last().map(|(_, name)| name.as_str())
    }

    /// Every calendar tag name, oldest first.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(|(_, name)| name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn next(lineage: &Lineage, push_date: NaiveDate) -> CalendarTag {
        lineage.next_for(push_date).expect("a next name")
    }

    #[test]
    fn parses_calendar_names_and_nothing_else() {
        assert_eq!(
            CalendarTag::parse("2026.12.03"),
            Some(CalendarTag::base(date(2026, 12, 3)))
        );
        assert_eq!(
            CalendarTag::parse("2026.12.03-10").map(|t| t.revision),
            Some(Some(10))
        );
        for not_calendar in [
            "v1.2.3",
            "2026.12.3",
            "2026-12-03",
            "2026.13.01",
            "2026.02.30",
            "2026.12.03-",
            "2026.12.03-x",
            "2026.12.03-hotfix",
            "2026.12.03-1-2",
            "2026.12.03--1",
            "2026.12.03-+1",
            "2026.12.03-99999999999999999999999",
            " 2026.12.03",
            "",
        ] {
            assert_eq!(CalendarTag::parse(not_calendar), None, "{not_calendar}");
        }
    }

    #[test]
    fn display_round_trips() {
        for name in ["2026.12.03", "2026.01.01-1", "2026.12.03-10"] {
            assert_eq!(
                CalendarTag::parse(name).map(|t| t.to_string()).as_deref(),
                Some(name)
            );
        }
    }

    #[test]
    fn the_first_tag_of_a_date_is_the_plain_date() {
        let lineage = Lineage::from_names(["2026.11.26", "v2.0"]);
        assert_eq!(next(&lineage, date(2026, 12, 3)).to_string(), "2026.12.03");
    }

    #[test]
    fn later_revisions_count_up_from_the_highest() {
        let lineage = Lineage::from_names(["2026.12.03"]);
        assert_eq!(
            next(&lineage, date(2026, 12, 3)).to_string(),
            "2026.12.03-1"
        );
        let lineage = Lineage::from_names(["2026.12.03", "2026.12.03-1", "2026.12.03-2"]);
        assert_eq!(
            next(&lineage, date(2026, 12, 3)).to_string(),
            "2026.12.03-3"
        );
    }

    #[test]
    fn revisions_compare_as_numbers() {
        let names: Vec<String> = std::iter::once("2026.12.03".to_owned())
            .chain((1..=9).map(|n| format!("2026.12.03-{n}")))
            .collect();
        let lineage = Lineage::from_names(&names);
        assert_eq!(
            next(&lineage, date(2026, 12, 3)).to_string(),
            "2026.12.03-10"
        );
        let lineage = Lineage::from_names(["2026.12.03-9", "2026.12.03-10", "2026.12.03-2"]);
        assert_eq!(lineage.latest_for(date(2026, 12, 3)), Some("2026.12.03-10"));
        assert_eq!(
            next(&lineage, date(2026, 12, 3)).to_string(),
            "2026.12.03-11"
        );
    }

    #[test]
    fn a_revision_without_the_base_still_counts() {
        // A `-2` made on another machine whose base was never fetched must not be reused.
        let lineage = Lineage::from_names(["2026.12.03-2"]);
        assert_eq!(
            next(&lineage, date(2026, 12, 3)).to_string(),
            "2026.12.03-3"
        );
    }

    #[test]
    fn the_next_name_never_exists() {
        let lineage = Lineage::from_names(["2026.12.03", "2026.12.03-01", "2026.12.03-1"]);
        let next = next(&lineage, date(2026, 12, 3)).to_string();
        assert_eq!(next, "2026.12.03-2");
        assert!(!lineage.contains(&next));
    }

    #[test]
    fn previous_is_ordered_by_date_then_revision() {
        let lineage = Lineage::from_names([
            "2026.11.19",
            "2026.11.26-1",
            "2026.11.26",
            "2026.12.03",
            "2026.11.26-10",
            "2026.11.26-9",
        ]);
        let next = next(&lineage, date(2026, 12, 3));
        assert_eq!(next.to_string(), "2026.12.03-1");
        assert_eq!(lineage.previous(&next), Some("2026.12.03"));
        let base = CalendarTag::base(date(2026, 12, 3));
        assert_eq!(lineage.previous(&base), Some("2026.11.26-10"));
        let first = CalendarTag::base(date(2026, 11, 19));
        assert_eq!(lineage.previous(&first), None);
        assert_eq!(lineage.latest(), Some("2026.12.03"));
        assert_eq!(
            lineage.names().collect::<Vec<_>>(),
            [
                "2026.11.19",
                "2026.11.26",
                "2026.11.26-1",
                "2026.11.26-9",
                "2026.11.26-10",
                "2026.12.03"
            ]
        );
    }

    #[test]
    fn the_last_push_is_the_latest_revision_of_the_push_date_before() {
        let lineage = Lineage::from_names([
            "2026.11.19",
            "2026.11.26",
            "2026.11.26-2",
            "2026.12.03",
            "2026.12.03-1",
        ]);
        let revision = CalendarTag::parse("2026.12.03-2").expect("calendar tag");
        assert_eq!(lineage.last_push(&revision), Some("2026.11.26-2"));
        assert_eq!(lineage.previous_revision(&revision), Some("2026.12.03-1"));
        let base = CalendarTag::base(date(2026, 12, 3));
        assert_eq!(lineage.last_push(&base), Some("2026.11.26-2"));
        assert_eq!(lineage.previous_revision(&base), None);
        // A revision whose earlier ones are unknown has no previous revision.
        let lone = Lineage::from_names(["2026.11.26", "2026.12.03-3"]);
        let next = CalendarTag::parse("2026.12.03-4").expect("calendar tag");
        assert_eq!(lone.previous_revision(&next), Some("2026.12.03-3"));
        let three = CalendarTag::parse("2026.12.03-3").expect("calendar tag");
        assert_eq!(lone.previous_revision(&three), None);
        assert_eq!(lone.last_push(&three), Some("2026.11.26"));
        let first = CalendarTag::base(date(2026, 11, 19));
        assert_eq!(lineage.last_push(&first), None);
    }

    #[test]
    fn no_revision_after_the_largest_number() {
        let lineage = Lineage::from_names(["2026.12.03", "2026.12.03-18446744073709551615"]);
        assert_eq!(lineage.next_for(date(2026, 12, 3)), None);
        assert_eq!(next(&lineage, date(2026, 12, 10)).to_string(), "2026.12.10");
    }

    #[test]
    fn an_empty_lineage_has_nothing_before() {
        let lineage = Lineage::default();
        let next = next(&lineage, date(2026, 12, 3));
        assert_eq!(next.to_string(), "2026.12.03");
        assert_eq!(lineage.previous(&next), None);
        assert_eq!(lineage.latest_for(date(2026, 12, 3)), None);
    }
}
