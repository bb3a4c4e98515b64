//! Calendar tags (`2026.12.03`, then `2026.12.03-1` for a later revision of that push date) and
//! their lineage: which name comes next, which tag came before. Pure: it takes tag names and
//! dates, never a repository. How the names are spelled is the team's [`TagFormat`]
//! (`pushduty.tagFormat`, default `{date}`): a [`CalendarTag`] is the push date and the revision
//! only, and the format names it and reads it back.

pub mod format;

use std::fmt;

use chrono::NaiveDate;

pub use format::{FormatError, TagFormat};

/// A parsed calendar tag: the push date and the revision suffix (`None` for the first tag of a date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CalendarTag {
    /// The push date the tag is named after.
    pub date: NaiveDate,
    /// `None` for the date's first tag, `Some(n)` for its `-n`. Ordering puts `None` first.
    pub revision: Option<u64>,
}

impl CalendarTag {
    /// The first tag for a push date.
    pub fn base(date: NaiveDate) -> Self {
        CalendarTag {
            date,
            revision: None,
        }
    }

    /// Parses a name in the default format, `YYYY.MM.DD` or `YYYY.MM.DD-N`; anything else
    /// (`v1.2`, `2026.12.03-hotfix`) is not a calendar tag and gives `None`. A team's format
    /// parses with [`TagFormat::parse`] (or [`Lineage::parse`]).
    pub fn parse(name: &str) -> Option<Self> {
        TagFormat::default().parse(name)
    }

    /// The revision number used for counting: the plain date tag counts as 0.
    fn revision_number(&self) -> u64 {
        self.revision.unwrap_or(0)
    }
}

/// The name in the default format, `{date}`; a team's format names a tag with
/// [`TagFormat::name`] (or [`Lineage::name`]).
impl fmt::Display for CalendarTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&TagFormat::default().name(self))
    }
}

/// All calendar tags known (remote merged with local) in one format, by name, with their order.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    format: TagFormat,
    /// (parsed, name as it exists) sorted by date then revision. The name is kept because
    /// `2026.12.03-01` parses like `-1` but is a different ref.
    tags: Vec<(CalendarTag, String)>,
    /// Tags with a push date in their name that are not in the format (the default's
    /// `2026.11.26` under `v{date}`): not counted, only named when that helps.
    other_format: Vec<(NaiveDate, String)>,
}

impl Lineage {
    /// Builds the lineage of `format`'s tags from tag names (short names, without `refs/tags/`);
    /// other names and duplicates are dropped.
    pub fn new<I, S>(format: &TagFormat, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut tags = Vec::new();
        let mut other_format = Vec::new();
        for name in names {
            let name = name.as_ref();
            match format.parse(name) {
                Some(tag) => tags.push((tag, name.to_owned())),
                None => {
                    if let Some(date) = format::has_a_date(name) {
                        other_format.push((date, name.to_owned()));
                    }
                }
            }
        }
        tags.sort();
        tags.dedup();
        other_format.sort();
        other_format.dedup();
        Lineage {
            format: format.clone(),
            tags,
            other_format,
        }
    }

    /// [`Lineage::new`] in the default format.
    pub fn from_names<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::new(&TagFormat::default(), names)
    }

    /// The lineage of those of its tags `keep` says yes to, in the same format.
    pub fn only(&self, keep: impl Fn(&str) -> bool) -> Self {
        Lineage {
            format: self.format.clone(),
            tags: self
                .tags
                .iter()
                .filter(|(_, name)| keep(name))
                .cloned()
                .collect(),
            other_format: self
                .other_format
                .iter()
                .filter(|(_, name)| keep(name))
                .cloned()
                .collect(),
        }
    }

    /// The format its tags are named in.
    pub fn format(&self) -> &TagFormat {
        &self.format
    }

    /// The name of `tag` in the lineage's format.
    pub fn name(&self, tag: &CalendarTag) -> String {
        self.format.name(tag)
    }

    /// `name` as a calendar tag of the lineage's format, if it is one.
    pub fn parse(&self, name: &str) -> Option<CalendarTag> {
        self.format.parse(name)
    }

    /// True if a tag with exactly this name is known.
    pub fn contains(&self, name: &str) -> bool {
        self.tags.iter().any(|(_, n)| n == name)
    }

    /// The latest tag dated before `date` that names a push date in another format than the
    /// lineage's: at a change of `pushduty.tagFormat`, the last push may be named so.
    pub fn other_format_before(&self, date: NaiveDate) -> Option<&str> {
        self.other_format
            .iter()
            .rev()
            .find(|(d, _)| *d < date)
            .map(|(_, name)| name.as_str())
    }

    /// At a change of `pushduty.tagFormat`, the note for `tag` when no earlier tag is named in
    /// the format but one named in another is (the old format's last push): it is named, so the
    /// reader can compare by hand, and never counted from.
    pub fn other_format_note(&self, tag: &CalendarTag) -> Option<String> {
        if self.last_push(tag).is_some() || self.previous_revision(tag).is_some() {
            return None;
        }
        let other = self.other_format_before(tag.date)?;
        let name = self.name(tag);
        Some(format!(
            "note: {other} is not named in {} ({}), so nothing is counted from it; once {name} exists, git log --oneline {other}..{name} lists what it ships",
            crate::config::TAG_FORMAT,
            self.format
        ))
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

    #[test]
    fn a_lineage_counts_only_the_tags_of_its_format() {
        let v = TagFormat::new("v{date}").expect("a format");
        let lineage = Lineage::new(
            &v,
            [
                "2026.11.19",
                "2026.11.26",
                "2026.11.26-1",
                "v2026.12.03",
                "v1.2.3",
                "backup-2026.11.30",
            ],
        );
        assert_eq!(lineage.names().collect::<Vec<_>>(), ["v2026.12.03"]);
        let next = next(&lineage, date(2026, 12, 3));
        assert_eq!(lineage.name(&next), "v2026.12.03-1");
        assert_eq!(lineage.previous(&next), Some("v2026.12.03"));
        let base = CalendarTag::base(date(2026, 12, 3));
        assert_eq!(
            lineage.last_push(&base),
            None,
            "another format is not counted"
        );
        assert_eq!(
            lineage.other_format_before(base.date),
            Some("backup-2026.11.30"),
            "but named"
        );
        assert_eq!(
            lineage.other_format_before(date(2026, 11, 27)),
            Some("2026.11.26-1")
        );
        assert_eq!(lineage.other_format_before(date(2026, 11, 19)), None);
        assert_eq!(
            lineage.parse("v2026.12.03-4").map(|t| t.revision),
            Some(Some(4))
        );
        assert_eq!(lineage.parse("2026.12.03-4"), None);
        // Its next name never exists, whatever other formats hold.
        let default = Lineage::from_names(["v2026.12.03", "2026.12.03"]);
        assert_eq!(default.name(&next_of(&default)), "2026.12.03-1");
        assert!(default.format().is_default());
    }

    fn next_of(lineage: &Lineage) -> CalendarTag {
        next(lineage, date(2026, 12, 3))
    }

    #[test]
    fn only_keeps_the_format() {
        let v = TagFormat::new("v{date}").expect("a format");
        let lineage = Lineage::new(&v, ["v2026.11.26", "v2026.12.03", "2026.11.19"]);
        let kept = lineage.only(|name| name != "v2026.12.03");
        assert_eq!(kept.format(), &v);
        assert_eq!(kept.latest(), Some("v2026.11.26"));
        assert_eq!(
            kept.other_format_before(date(2026, 12, 1)),
            Some("2026.11.19")
        );
        assert!(lineage.only(|_| false).latest().is_none());
    }

    #[test]
    fn a_last_push_named_in_another_format_is_noted_not_counted() {
        let v = TagFormat::new("v{date}").expect("a format");
        let lineage = Lineage::new(&v, ["2026.11.19", "2026.11.26", "v1.0"]);
        let first = v.parse("v2026.12.03").expect("a tag");
        assert_eq!(lineage.last_push(&first), None);
        assert_eq!(
            lineage.other_format_note(&first).as_deref(),
            Some(
                "note: 2026.11.26 is not named in pushduty.tagFormat (v{date}), so nothing is counted from it; once v2026.12.03 exists, git log --oneline 2026.11.26..v2026.12.03 lists what it ships"
            )
        );
        // Once the format has a tag, the old ones are not mentioned again.
        let lineage = Lineage::new(&v, ["2026.11.26", "v2026.12.03"]);
        for name in ["v2026.12.03-1", "v2026.12.10"] {
            let later = v.parse(name).expect("a tag");
            assert_eq!(lineage.other_format_note(&later), None, "{name}");
        }
    }
}
