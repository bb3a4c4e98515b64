//! How a team names its calendar tags (`pushduty.tagFormat`): `{date}`, the push date as
//! `YYYY.MM.DD`, with fixed text around it (`v{date}`, `release-{date}`, `{date}-web`); a later
//! revision of a push date adds `-N` at the very end (`v2026.12.03-1`). The default, `{date}`,
//! names them `2026.12.03` and `2026.12.03-1`.
//!
//! A format reads a name as `\A<before>(YYYY)\.(MM)\.(DD)<after>(?:-(N))?\z` would (by hand, the
//! fixed text taken literally), so a name is this format's calendar tag or it is not: a tag
//! named in another format (the default's `2026.11.26` under `v{date}`) is not counted, reused or
//! compared with. What a format may hold keeps every name it makes a valid tag name that needs no
//! quoting in a shell and reads the same in a compare link: ASCII letters, digits, `.`, `-`, `_`
//! and `/` around exactly one `{date}`, not run into the date's digits, and not ending with `-`
//! (the revision's own separator).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::CalendarTag;

/// The placeholder for the push date.
pub const DATE: &str = "{date}";

/// The longest format accepted: a few words around the date.
const LONGEST: usize = 64;

/// A validated tag format.
#[derive(Debug, Clone)]
pub struct TagFormat {
    /// As set: `v{date}`.
    text: String,
    /// The text before and after `{date}`.
    before: String,
    after: String,
}

impl PartialEq for TagFormat {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for TagFormat {}

static DEFAULT: LazyLock<TagFormat> =
    LazyLock::new(|| TagFormat::new(DATE).expect("the default format is valid"));

impl Default for TagFormat {
    fn default() -> Self {
        DEFAULT.clone()
    }
}

impl std::fmt::Display for TagFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a text is not a tag format; the caller names the key and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

impl TagFormat {
    /// Validates `text` as a format.
    pub fn new(text: &str) -> Result<Self, FormatError> {
        let fail = |why: String| Err(FormatError(why));
        if text.len() > LONGEST {
            return fail(format!(
                "it is {} characters long, and a format has at most {LONGEST}",
                text.len()
            ));
        }
        let Some((before, after)) = text.split_once(DATE) else {
            return fail(format!("it has no {DATE}, where the push date goes"));
        };
        if after.contains(DATE) {
            return fail(format!("it has {DATE} more than once"));
        }
        for part in [before, after] {
            if let Some(c) = part
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')))
            {
                return fail(match c {
                    '{' | '}' => format!(
                        "it has {c:?} outside {DATE}, the only placeholder (a format is {DATE} with fixed text around it)"
                    ),
                    _ => format!(
                        "it has {c:?}; the text around {DATE} may hold ASCII letters, digits, '.', '-', '_' and '/'"
                    ),
                });
            }
        }
        if before.ends_with(|c: char| c.is_ascii_digit())
            || after.starts_with(|c: char| c.is_ascii_digit())
        {
            return fail(format!(
                "a digit touches {DATE}, so the date could not be read off a tag's name"
            ));
        }
        if let Some((_, number)) = after.rsplit_once('-')
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
        {
            return fail(format!(
                "it ends with '-{number}', which reads as a revision's number: {before}2026.12.03{after} would look like a later tag of its date"
            ));
        }
        if text.ends_with('-') {
            return fail(
                "it ends with '-', which comes before a revision's number (2026.12.03-1)".into(),
            );
        }
        let format = TagFormat {
            text: text.to_owned(),
            before: before.to_owned(),
            after: after.to_owned(),
        };
        // `..`, `//`, `.lock`, a leading `/` or `.`: what git refuses as a tag name.
        for sample in [
            CalendarTag::base(sample_date()),
            CalendarTag {
                date: sample_date(),
                revision: Some(1),
            },
        ] {
            let name = format.name(&sample);
            let full = format!("refs/tags/{name}");
            if let Err(e) = gix::validate::reference::name(full.as_str().into()) {
                return fail(format!("{name} would not be a valid tag name ({e})"));
            }
            if format.parse(&name) != Some(sample) {
                return fail(format!("{name} could not be read back as a calendar tag"));
            }
        }
        Ok(format)
    }

    /// True for `{date}`, the default.
    pub fn is_default(&self) -> bool {
        self.text == DATE
    }

    /// The calendar tag `name` is in this format, if it is one: `None` for another tag, a date
    /// that does not exist, or a revision number beyond the largest there is.
    pub fn parse(&self, name: &str) -> Option<CalendarTag> {
        // By hand, as `\A<before>YYYY.MM.DD<after>(?:-N)?\z` reads it: the text around the date
        // is fixed, so every part has one place. A lineage parses every tag name it is given,
        // which a regular expression made the larger part of `next-tag`.
        let rest = name.strip_prefix(self.before.as_str())?;
        let (date, rest) = (rest.get(..10)?, rest.get(10..)?);
        let d = date.as_bytes();
        let number = |from: usize, to: usize| -> Option<u32> {
            d[from..to].iter().try_fold(0u32, |n, b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        };
        if d[4] != b'.' || d[7] != b'.' {
            return None;
        }
        let year = i32::try_from(number(0, 4)?).ok()?;
        let date = NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)?;
        let rest = rest.strip_prefix(self.after.as_str())?;
        let revision = match rest.strip_prefix('-') {
            None if rest.is_empty() => None,
            None => return None,
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                Some(n.parse::<u64>().ok()?)
            }
            Some(_) => return None,
        };
        Some(CalendarTag { date, revision })
    }

    /// What every name of this format for a push date in `year` starts with (`v2026` for
    /// `v{date}`; without the dot after the year, as gix reads refs by path-like prefixes that
    /// cannot end with one): a prefix the local tags and the upstream's are read by, instead of
    /// all of them. `None` for a year that is not four digits, which no name of the format holds.
    pub fn year_prefix(&self, year: i32) -> Option<String> {
        (1000..=9999)
            .contains(&year)
            .then(|| format!("{}{year}", self.before))
    }

    /// The name of `tag` in this format.
    pub fn name(&self, tag: &CalendarTag) -> String {
        let mut name = format!(
            "{}{}{}",
            self.before,
            tag.date.format("%Y.%m.%d"),
            self.after
        );
        if let Some(n) = tag.revision {
            name.push_str(&format!("-{n}"));
        }
        name
    }

    /// The names it makes, for messages: `vYYYY.MM.DD or vYYYY.MM.DD-N`.
    pub fn shape(&self) -> String {
        let base = format!("{}YYYY.MM.DD{}", self.before, self.after);
        format!("{base} or {base}-N")
    }

    /// What a calendar tag is in this format, for a refusal that says a name is not one:
    /// ` (YYYY.MM.DD or YYYY.MM.DD-N)` for the default, ` named in pushduty.tagFormat v{date}
    /// (vYYYY.MM.DD or vYYYY.MM.DD-N)` for a team's.
    pub fn described(&self) -> String {
        if self.is_default() {
            format!(" ({})", self.shape())
        } else {
            format!(
                " named in {} {self} ({})",
                crate::config::TAG_FORMAT,
                self.shape()
            )
        }
    }

    /// A `git tag --list` pattern for its tags: `20*` for the default, `v20*`, `20*-web*`.
    pub fn glob(&self) -> String {
        let after = if self.after.is_empty() {
            String::new()
        } else {
            format!("{}*", self.after)
        };
        format!("{}20*{after}", self.before)
    }
}

/// A date whose name has every digit position filled (`2026.12.31`), for checking a format.
fn sample_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 31).expect("a valid date")
}

/// Whether `name` holds a push date as `YYYY.MM.DD` that is not run into other digits: a tag
/// that may be a calendar tag of another format than the team's.
pub fn has_a_date(name: &str) -> Option<NaiveDate> {
    static DATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:\A|[^0-9])([0-9]{4})\.([0-9]{2})\.([0-9]{2})(?:[^0-9]|\z)")
            .expect("a valid pattern")
    });
    DATED.captures_iter(name).find_map(|found| {
        NaiveDate::from_ymd_opt(
            found[1].parse().ok()?,
            found[2].parse().ok()?,
            found[3].parse().ok()?,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &str) -> TagFormat {
        TagFormat::new(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn a_format_names_and_reads_back_its_tags() {
        let base = CalendarTag::base(date(2026, 12, 3));
        let revision = CalendarTag {
            revision: Some(2),
            ..base
        };
        for (text, name, revised) in [
            ("{date}", "2026.12.03", "2026.12.03-2"),
            ("v{date}", "v2026.12.03", "v2026.12.03-2"),
            (
                "release-{date}",
                "release-2026.12.03",
                "release-2026.12.03-2",
            ),
            ("{date}-web", "2026.12.03-web", "2026.12.03-web-2"),
            (
                "releases/{date}",
                "releases/2026.12.03",
                "releases/2026.12.03-2",
            ),
            (
                "amo_{date}.prod",
                "amo_2026.12.03.prod",
                "amo_2026.12.03.prod-2",
            ),
        ] {
            let f = format(text);
            assert_eq!(f.name(&base), name);
            assert_eq!(f.name(&revision), revised);
            assert_eq!(f.parse(name), Some(base), "{text}");
            assert_eq!(f.parse(revised), Some(revision), "{text}");
            assert_eq!(f.to_string(), text);
        }
    }

    #[test]
    fn only_names_of_the_format_are_its_calendar_tags() {
        let v = format("v{date}");
        for other in [
            "2026.12.03",
            "2026.12.03-1",
            "V2026.12.03",
            "vv2026.12.03",
            "v2026.12.03x",
            "v2026.12.03-",
            "v2026.12.03-x",
            "v2026.12.03--1",
            "v2026.12.03-+1",
            "v2026.12.03-1-2",
            "v2026.12.3",
            "v2026.13.01",
            "v2026.02.30",
            "v2026.12.03-99999999999999999999999",
            " v2026.12.03",
            "v2026.12.03\n",
            "v２０２６.12.03",
            "",
        ] {
            assert_eq!(v.parse(other), None, "{other:?}");
        }
        let web = format("{date}-web");
        assert_eq!(web.parse("2026.12.03"), None);
        assert_eq!(web.parse("2026.12.03-1"), None);
        assert_eq!(
            web.parse("2026.12.03-web-01").map(|t| t.revision),
            Some(Some(1))
        );
    }

    #[test]
    fn the_default_reads_exactly_what_calendar_tags_always_were() {
        let f = TagFormat::default();
        assert!(f.is_default());
        assert_eq!(f, format("{date}"));
        assert_eq!(f.shape(), "YYYY.MM.DD or YYYY.MM.DD-N");
        assert_eq!(f.glob(), "20*");
        for name in [
            "2026.12.03",
            "2026.12.03-10",
            "2026.12.03-01",
            "9999.12.31-18446744073709551615",
        ] {
            assert_eq!(f.parse(name), CalendarTag::parse(name), "{name}");
            assert!(f.parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn shapes_and_globs_name_the_format() {
        assert_eq!(
            TagFormat::default().described(),
            " (YYYY.MM.DD or YYYY.MM.DD-N)"
        );
        assert_eq!(
            format("v{date}").described(),
            " named in pushduty.tagFormat v{date} (vYYYY.MM.DD or vYYYY.MM.DD-N)"
        );
        assert_eq!(format("v{date}").shape(), "vYYYY.MM.DD or vYYYY.MM.DD-N");
        assert_eq!(format("v{date}").glob(), "v20*");
        assert_eq!(format("{date}-web").glob(), "20*-web*");
        assert_eq!(
            format("{date}-web").shape(),
            "YYYY.MM.DD-web or YYYY.MM.DD-web-N"
        );
    }

    #[test]
    fn what_is_not_a_format_says_why() {
        for (text, why) in [
            ("", "it has no {date}"),
            ("v", "it has no {date}"),
            ("{Date}", "it has no {date}"),
            ("{date}{date}", "it has {date} more than once"),
            ("{year}.{date}", "outside {date}, the only placeholder"),
            ("v{date}}", "outside {date}"),
            ("v {date}", "it has ' '"),
            ("v{date}~1", "it has '~'"),
            ("v{date}:x", "it has ':'"),
            ("é{date}", "it has 'é'"),
            ("v*{date}", "it has '*'"),
            ("v2{date}", "a digit touches {date}"),
            ("{date}1", "a digit touches {date}"),
            ("{date}-", "it ends with '-'"),
            (
                "{date}-1",
                "it ends with '-1', which reads as a revision's number",
            ),
            ("v{date}-web-02", "it ends with '-02'"),
            ("/{date}", "would not be a valid tag name"),
            ("v//{date}", "would not be a valid tag name"),
            ("v..{date}", "would not be a valid tag name"),
            (".{date}", "would not be a valid tag name"),
            ("{date}.lock", "would not be a valid tag name"),
            ("{date}.", "would not be a valid tag name"),
            ("{date}/", "would not be a valid tag name"),
            ("v/.x/{date}", "would not be a valid tag name"),
        ] {
            let err = TagFormat::new(text).expect_err(text);
            assert!(err.0.contains(why), "{text:?}: {err}");
        }
        assert!(TagFormat::new(&format!("{}{{date}}", "a".repeat(60))).is_err());
    }

    #[test]
    fn a_date_in_another_format_is_seen() {
        assert_eq!(has_a_date("2026.11.26"), Some(date(2026, 11, 26)));
        assert_eq!(has_a_date("v2026.11.26-3"), Some(date(2026, 11, 26)));
        assert_eq!(has_a_date("release/2026.11.26"), Some(date(2026, 11, 26)));
        assert_eq!(has_a_date("v1.2.3"), None);
        assert_eq!(has_a_date("12026.11.26"), None);
        assert_eq!(has_a_date("2026.11.266"), None);
        assert_eq!(has_a_date("2026.02.30"), None);
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_format_or_refused_and_a_format_reads_its_names_back(
            text in "[a-z0-9{}._/ -]{0,12}(\\{date\\})?[a-z0-9{}._/ -]{0,12}",
            day in 0u32..3650,
            revision in proptest::option::of(0u64..1000),
        ) {
            if let Ok(f) = TagFormat::new(&text) {
                let tag = CalendarTag {
                    date: date(2020, 1, 1) + chrono::Days::new(u64::from(day)),
                    revision,
                };
                let name = f.name(&tag);
                proptest::prop_assert_eq!(f.parse(&name), Some(tag));
                let full = format!("refs/tags/{name}");
                proptest::prop_assert!(gix::validate::reference::name(full.as_str().into()).is_ok());
            }
        }
    }
}
