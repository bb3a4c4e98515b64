//! Settings: every `pushduty.*` value, validated into [`Settings`]. A malformed value is an error
//! naming the key and the file that set it, never the default. Each part has its file: [`keys`]
//! the keys and their defaults, [`sources`] the team file and git config they are read from,
//! [`pins`] what the pre-push guard protects (pinned apart from all this by `hooks install`, in
//! the repository's own config), and [`edit`] writing a config section.

pub mod edit;
pub mod keys;
pub mod pins;
pub mod server;
pub mod sources;
pub mod week;

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use crate::calendar::{self, Schedule};
use crate::error::{Refusal, refuse};
use crate::tags::TagFormat;

pub use edit::set_section;
pub use keys::*;
pub use pins::{Pins, load_guard};
pub use sources::{Origin, Setting, Sources, describe_origin};

/// Every setting this tool reads, validated. Built once per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub upstream: String,
    /// `pushduty.branch` if set (normalised: `refs/heads/main` is `main`); the default is
    /// resolved against the repository by [`Settings::branch`].
    pub branch: Option<String>,
    pub schedule: Schedule,
    pub security: String,
    pub security_urls: Vec<String>,
    /// How calendar tags are named (`pushduty.tagFormat`).
    pub tag_format: TagFormat,
}

/// How the release branch was decided, for messages that say why it is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchReason {
    /// `pushduty.branch`.
    Setting,
    /// Pinned by `hooks install`.
    Pinned,
    /// `refs/remotes/<upstream>/HEAD` points to it.
    TrackingHead,
    /// Nothing says: `main`, or `master` when the upstream has only that.
    Fallback,
}

impl Settings {
    /// Reads and validates every key; the first malformed one is the error.
    pub fn from_sources(sources: &Sources) -> Result<Self> {
        let settings = Self::values(sources)?;
        if let Err(e) = settings.schedule.validate() {
            let origin = sources
                .get(ANCHOR)
                .or_else(|| sources.get(CADENCE))
                .map(|s| format!(" (set in {})", s.origin))
                .unwrap_or_default();
            return refuse(
                Refusal::new(format!("{e}{origin}"))
                    .hint(format!("set it with: git config {ANCHOR} YYYY-MM-DD")),
            );
        }
        Ok(settings)
    }

    /// Each value validated on its own; the schedule's keys are not checked against each other
    /// (one layer alone, as the hook reads git config without the team file, may hold half).
    fn values(sources: &Sources) -> Result<Self> {
        let upstream = remote_value(sources, UPSTREAM)?.unwrap_or_else(|| UPSTREAM_DEFAULT.into());
        let branch = match sources.get(BRANCH) {
            None => None,
            Some(s) => Some(branch_name(&s.value).ok_or_else(|| not_a_branch(BRANCH, &s))?),
        };
        let security = remote_value(sources, SECURITY)?.unwrap_or_else(|| SECURITY_DEFAULT.into());
        if security == upstream {
            // The mirror may receive what the upstream must not: one remote cannot be both.
            let origin = |key: &str| match sources.get(key) {
                Some(s) => format!("{key}, set in {}", s.origin),
                None => format!("{key}, by default"),
            };
            return refuse(
                Refusal::new(format!(
                    "the upstream and the security mirror are the same remote {upstream:?} ({}; {}), so the guard could not tell a release from a leak",
                    origin(UPSTREAM),
                    origin(SECURITY)
                ))
                .hint(format!(
                    "name the mirror's own remote: git config {SECURITY} <remote>"
                )),
            );
        }

        let push_day = match sources.get(PUSH_DAY) {
            None => PUSH_DAY_DEFAULT,
            Some(s) => calendar::parse_weekday(&s.value)
                .ok_or_else(|| malformed(PUSH_DAY, &s, "a weekday such as thursday"))?,
        };
        let cadence = match sources.get(CADENCE) {
            None => CADENCE_DEFAULT,
            Some(s) => match s.value.trim().parse::<u32>() {
                Ok(n) if (1..=52).contains(&n) => n,
                _ => return Err(malformed(CADENCE, &s, "a number of weeks from 1 to 52")),
            },
        };
        let anchor = match sources.get(ANCHOR) {
            None => None,
            Some(s) => Some(config_date(ANCHOR, &s)?),
        };
        let mut skip = sources
            .all(SKIP)
            .iter()
            .map(|s| config_date(SKIP, s))
            .collect::<Result<Vec<_>>>()?;
        skip.sort();
        skip.dedup();
        let schedule = Schedule {
            push_day,
            cadence,
            anchor,
            skip,
        };
        let mut security_urls: Vec<String> = Vec::new();
        for s in sources.all(SECURITY_URL) {
            if s.value.trim().is_empty() {
                return Err(malformed(SECURITY_URL, &s, "a URL"));
            }
            if !security_urls.contains(&s.value) {
                security_urls.push(s.value);
            }
        }
        let tag_format = match sources.get(TAG_FORMAT) {
            None => TagFormat::default(),
            Some(s) => TagFormat::new(&s.value).map_err(|why| {
                anyhow::Error::new(
                    Refusal::new(format!(
                        "{TAG_FORMAT} = {:?} (set in {}) is not a tag format: {why}",
                        s.value, s.origin
                    ))
                    .hint(format!(
                        "a format is {TAG_FORMAT_DEFAULT} with fixed text around it, such as v{TAG_FORMAT_DEFAULT} or release-{TAG_FORMAT_DEFAULT}: correct it in {}, or remove it to use the default ({TAG_FORMAT_DEFAULT})",
                        s.origin
                    )),
                )
            })?,
        };
        Ok(Settings {
            upstream,
            branch,
            schedule,
            security,
            security_urls,
            tag_format,
        })
    }

    /// Loads the settings of `repo`.
    pub fn load(repo: &gix::Repository) -> Result<Self> {
        Self::from_sources(&Sources::load(repo)?)
    }

    /// The branch that is tagged and guarded: `pushduty.branch`, else the one `hooks install`
    /// pinned, else the upstream's default branch as recorded in `refs/remotes/<upstream>/HEAD`,
    /// else `main`, or `master` when the upstream was fetched with a `master` and no `main`.
    /// A ref that cannot be read is an error naming it, never the default.
    pub fn branch(&self, repo: &gix::Repository) -> Result<String> {
        if let Some(branch) = &self.branch {
            return Ok(branch.clone());
        }
        if let Some(pins) = Pins::read(repo)? {
            return Ok(pins.branch);
        }
        Ok(self.unpinned_branch(repo)?.0)
    }

    /// The release branch without looking at the pins, and why: what `hooks install` pins.
    pub fn unpinned_branch(&self, repo: &gix::Repository) -> Result<(String, BranchReason)> {
        if let Some(branch) = &self.branch {
            return Ok((branch.clone(), BranchReason::Setting));
        }
        let prefix = format!("refs/remotes/{}/", self.upstream);
        let head = format!("{prefix}HEAD");
        let recorded = repo
            .try_find_reference(head.as_str())
            .with_context(|| format!("cannot read {head}"))?;
        if let Some(reference) = recorded {
            let fix = format!(
                "record the upstream's default branch again: git remote set-head {} --auto",
                self.upstream
            );
            let gix::refs::TargetRef::Symbolic(name) = reference.target() else {
                return refuse(
                    Refusal::new(format!(
                        "{head} is not a symbolic ref, so it does not say which branch is the upstream's default"
                    ))
                    .hint(fix),
                );
            };
            let target = name.as_bstr().to_string();
            let Some(branch) = target.strip_prefix(&prefix).and_then(branch_name) else {
                return refuse(
                    Refusal::new(format!(
                        "{head} points to {target}, which is not a branch of {}",
                        self.upstream
                    ))
                    .hint(fix),
                );
            };
            return Ok((branch, BranchReason::TrackingHead));
        }
        // No HEAD is recorded by `git remote add` + `git fetch` (before git 2.48). Guessing
        // `main` for a `master` upstream would leave the pre-push guard judging a branch that
        // does not exist, and the mirror's real release branch unguarded.
        let fetched = |branch: &str| -> Result<bool> {
            let name = format!("{prefix}{branch}");
            Ok(repo
                .try_find_reference(name.as_str())
                .with_context(|| format!("cannot read {name}"))?
                .is_some())
        };
        let branch = if !fetched(BRANCH_DEFAULT)? && fetched(BRANCH_FALLBACK)? {
            BRANCH_FALLBACK
        } else {
            BRANCH_DEFAULT
        };
        Ok((branch.to_owned(), BranchReason::Fallback))
    }
}

/// `text` as a branch name: a name git accepts for a branch (`git check-ref-format --branch`,
/// by gix's reference-name rules), or a full `refs/heads/NAME`, normalised to `NAME`.
pub fn branch_name(text: &str) -> Option<String> {
    let name = text.strip_prefix("refs/heads/").unwrap_or(text);
    // `refs/...` would read as a ref name, not a branch; `-x` as an option; `@` as HEAD.
    if name.starts_with("refs/") || name.starts_with('-') || name == "@" {
        return None;
    }
    let full = format!("refs/heads/{name}");
    gix::validate::reference::branch_name(full.as_str().into()).ok()?;
    Some(name.to_owned())
}

/// True if `name` is a remote name git accepts (`git remote add`: `refs/remotes/NAME/x` must
/// be a valid ref name), and not one that reads as an option.
pub fn is_remote_name(name: &str) -> bool {
    if name.is_empty() || name.starts_with('-') {
        return false;
    }
    let probe = format!("refs/remotes/{name}/test");
    gix::validate::reference::name(probe.as_str().into()).is_ok()
}

fn remote_value(sources: &Sources, key: &str) -> Result<Option<String>> {
    let Some(s) = sources.get(key) else {
        return Ok(None);
    };
    if is_remote_name(&s.value) {
        Ok(Some(s.value))
    } else {
        Err(malformed(key, &s, "a remote name"))
    }
}

fn not_a_branch(key: &str, s: &Setting) -> anyhow::Error {
    malformed(key, s, "a branch name (such as main, or refs/heads/main)")
}

fn config_date(key: &str, s: &Setting) -> Result<NaiveDate> {
    calendar::parse_date(&s.value).ok_or_else(|| malformed(key, s, "a date as YYYY-MM-DD"))
}

fn malformed(key: &str, s: &Setting, expected: &str) -> anyhow::Error {
    anyhow::Error::new(
        Refusal::new(format!(
            "{key} = {:?} (set in {}) is not {expected}",
            s.value, s.origin
        ))
        .hint(format!(
            "correct it in {}, or remove it to use the default",
            s.origin
        )),
    )
}

/// Today's date: `PUSH_DUTY_TODAY` if set (tests, rehearsals), else the local date.
pub fn today() -> Result<NaiveDate> {
    match std::env::var(TODAY_ENV) {
        Ok(text) => calendar::parse_date(&text).ok_or_else(|| {
            anyhow::Error::new(
                Refusal::usage(format!("{TODAY_ENV}={text:?} is not a date as YYYY-MM-DD"))
                    .hint(format!("unset {TODAY_ENV} to use today's date")),
            )
        }),
        Err(std::env::VarError::NotPresent) => Ok(chrono::Local::now().date_naive()),
        Err(std::env::VarError::NotUnicode(raw)) => refuse(Refusal::usage(format!(
            "{TODAY_ENV}={raw:?} is not a date as YYYY-MM-DD"
        ))),
    }
}

/// The repository's git directory path for files this tool keeps (state, locks).
pub fn state_dir(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("push-duty")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(entries: &[(&str, &str, &str)]) -> Result<Settings> {
        Settings::from_sources(&Sources::from_entries(entries))
    }

    fn message(err: anyhow::Error) -> String {
        format!("{err:#}")
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.upstream, "upstream");
        assert_eq!(s.branch, None);
        assert_eq!(s.schedule, Schedule::default());
        assert_eq!(s.security, "security");
    }

    #[test]
    fn the_last_value_wins_and_git_config_overrides_the_team_file() {
        let s = settings(&[
            ("pushduty.upstream", "origin", ".pushduty"),
            ("pushduty.pushday", "tuesday", ".pushduty"),
            ("pushduty.upstream", "mozilla", ".git/config"),
        ])
        .expect("valid");
        assert_eq!(s.upstream, "mozilla");
        assert_eq!(s.schedule.push_day, chrono::Weekday::Tue);
    }

    #[test]
    fn a_bad_weekday_names_the_key_and_where() {
        let err = settings(&[("pushduty.pushDay", "funday", "/repo/.pushduty")]).unwrap_err();
        assert_eq!(
            message(err),
            "pushduty.pushDay = \"funday\" (set in /repo/.pushduty) is not a weekday such as thursday"
        );
    }

    #[test]
    fn cadence_zero_and_junk_are_errors() {
        for bad in ["0", "-1", "two", "", "53"] {
            let err = settings(&[("pushduty.cadence", bad, "/g/config")]).unwrap_err();
            assert!(message(err).starts_with("pushduty.cadence = "), "{bad}");
        }
    }

    #[test]
    fn cadence_above_one_needs_an_anchor() {
        let err = settings(&[("pushduty.cadence", "2", "/g/config")]).unwrap_err();
        assert!(message(err).contains("pushduty.anchor"));
        let ok = settings(&[
            ("pushduty.cadence", "2", "/g/config"),
            ("pushduty.anchor", "2026-11-19", "/g/config"),
        ])
        .expect("valid");
        assert_eq!(ok.schedule.cadence, 2);
    }

    #[test]
    fn bad_dates_name_the_key() {
        let err = settings(&[("pushduty.anchor", "2026-13-01", "x")]).unwrap_err();
        assert!(message(err).starts_with("pushduty.anchor = \"2026-13-01\" (set in x)"));
        let err = settings(&[
            ("pushduty.skip", "2026-12-24", "x"),
            ("pushduty.skip", "christmas", "y"),
        ])
        .unwrap_err();
        assert!(message(err).starts_with("pushduty.skip = \"christmas\" (set in y)"));
    }

    #[test]
    fn skip_accumulates_across_files() {
        let s = settings(&[
            ("pushduty.skip", "2026-12-24", ".pushduty"),
            ("pushduty.skip", "2026-12-31", ".git/config"),
        ])
        .expect("valid");
        assert_eq!(s.schedule.skip.len(), 2);
    }

    #[test]
    fn remote_names_are_checked() {
        for bad in [
            "", "a b", "-x", "a..b", "x:y", "a/", "/a", "a//b", "*", "a.lock", "@{u}",
        ] {
            assert!(
                settings(&[("pushduty.upstream", bad, "x")]).is_err(),
                "{bad:?}"
            );
        }
        for good in ["origin", "corp/security", "mozilla-security", "a.b", "@"] {
            assert_eq!(
                settings(&[("pushduty.security", good, "x")])
                    .expect(good)
                    .security,
                good
            );
        }
    }

    #[test]
    fn branch_names_are_gits_and_a_full_ref_name_is_normalised() {
        for bad in [
            "",
            "main/",
            "/main",
            "refs/tags/v1",
            "refs/remotes/upstream/main",
            "ma..in",
            "-main",
            "HEAD",
            "refs/heads/HEAD",
            "main.lock",
            "a b",
            "a:b",
            "a~1",
            "a^",
            "@",
            "x@{1}",
            "a//b",
            "main.",
            "refs/heads/",
            "*",
        ] {
            let err = settings(&[("pushduty.branch", bad, "/r/.git/config")]).expect_err(bad);
            assert!(
                message(err).starts_with(&format!(
                    "pushduty.branch = {bad:?} (set in /r/.git/config) is not a branch name"
                )),
                "{bad:?}"
            );
        }
        for (given, branch) in [
            ("main", "main"),
            ("refs/heads/main", "main"),
            ("release/2026", "release/2026"),
            ("refs/heads/release/2026", "release/2026"),
            ("master", "master"),
        ] {
            let s = settings(&[("pushduty.branch", given, "x")]).expect(given);
            assert_eq!(s.branch.as_deref(), Some(branch), "{given}");
        }
    }

    #[test]
    fn the_upstream_cannot_be_the_mirror() {
        let err = settings(&[("pushduty.security", "upstream", "/r/.pushduty")]).unwrap_err();
        assert!(
            message(err).starts_with("the upstream and the security mirror are the same remote \"upstream\" (pushduty.upstream, by default; pushduty.security, set in /r/.pushduty)"),
        );
    }

    #[test]
    fn duplicated_skip_dates_count_once() {
        let entries: Vec<(&str, &str, &str)> = (0..3000)
            .map(|_| ("pushduty.skip", "2026-12-24", ".pushduty"))
            .collect();
        assert_eq!(settings(&entries).expect("valid").schedule.skip.len(), 1);
    }

    #[test]
    fn the_tag_format_is_validated_naming_the_key() {
        assert!(settings(&[]).expect("defaults").tag_format.is_default());
        let s = settings(&[("pushduty.tagFormat", "v{date}", "/r/.pushduty")]).expect("valid");
        assert_eq!(s.tag_format.to_string(), "v{date}");
        let err = settings(&[("pushduty.tagformat", "v{data}", "/r/.pushduty")]).unwrap_err();
        assert_eq!(
            message(err),
            "pushduty.tagFormat = \"v{data}\" (set in /r/.pushduty) is not a tag format: it has no {date}, where the push date goes"
        );
        let err = settings(&[("pushduty.tagFormat", "v {date}", "/g/config")]).unwrap_err();
        let refusal = err.downcast_ref::<Refusal>().expect("a refusal");
        assert_eq!(
            refusal.hints(),
            [
                "a format is {date} with fixed text around it, such as v{date} or release-{date}: correct it in /g/config, or remove it to use the default ({date})"
            ]
        );
    }
}
