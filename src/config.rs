//! Settings: the `pushduty.*` keys, read from the team's committed `.pushduty` file and then from
//! git config (system, global, local, `-c`), which overrides it. Each key has one constant and one
//! default; a malformed value is an error naming the key and the file that set it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;

use crate::calendar::{self, Schedule};
use crate::error::{Refusal, refuse};

/// The team file, at the top of the worktree, in git-config syntax (like `.gitmodules`).
pub const TEAM_FILE: &str = ".pushduty";

/// The public remote that is tagged and pushed to.
pub const UPSTREAM: &str = "pushduty.upstream";
pub const UPSTREAM_DEFAULT: &str = "upstream";
/// The branch that is tagged and released; default: the upstream's default branch, else `main`
/// (`master` if the upstream has only that).
pub const BRANCH: &str = "pushduty.branch";
pub const BRANCH_DEFAULT: &str = "main";
/// The default when the upstream has a `master` and no `main`.
pub const BRANCH_FALLBACK: &str = "master";
/// The weekday of the push.
pub const PUSH_DAY: &str = "pushduty.pushDay";
pub const PUSH_DAY_DEFAULT: chrono::Weekday = chrono::Weekday::Thu;
/// Weeks between pushes.
pub const CADENCE: &str = "pushduty.cadence";
pub const CADENCE_DEFAULT: u32 = 1;
/// A past push date fixing which weeks are push weeks (needed when cadence > 1).
pub const ANCHOR: &str = "pushduty.anchor";
/// Push dates with no push (multi-valued).
pub const SKIP: &str = "pushduty.skip";
/// The private security mirror's remote.
pub const SECURITY: &str = "pushduty.security";
pub const SECURITY_DEFAULT: &str = "security";
/// Extra URLs that also count as the security mirror (multi-valued).
pub const SECURITY_URL: &str = "pushduty.securityUrl";

/// The environment variable that overrides "today" for every command (tests, rehearsals).
pub const TODAY_ENV: &str = "PUSH_DUTY_TODAY";

/// Every key this version knows, for `check` and the man page.
pub const KEYS: &[(&str, &str)] = &[
    (UPSTREAM, "the public remote's name (default: upstream)"),
    (
        BRANCH,
        "the branch that is tagged and released (default: the upstream's default branch from refs/remotes/<upstream>/HEAD, else main, or master if the upstream has a master and no main)",
    ),
    (PUSH_DAY, "the weekday of the push (default: thursday)"),
    (CADENCE, "weeks between pushes (default: 1)"),
    (
        ANCHOR,
        "a past push date, YYYY-MM-DD, fixing which weeks are push weeks; needed when cadence is above 1",
    ),
    (
        SKIP,
        "a push date with no push, YYYY-MM-DD (multi-valued: holidays, freezes)",
    ),
    (
        SECURITY,
        "the private security mirror's remote name (default: security)",
    ),
    (
        SECURITY_URL,
        "another URL that is the security mirror (multi-valued)",
    ),
];

/// Where a value came from, for error messages: a file path, `-c`, or the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value as set somewhere, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub origin: Origin,
}

/// The `pushduty` sections of the team file and the repository's git config, lowest priority first.
pub struct Sources {
    /// (key name without the section, value, origin), in the order git would apply them.
    entries: Vec<(String, String, Origin)>,
}

impl Sources {
    /// Reads `.pushduty` from the top of the worktree (if any) and then the repository's config.
    pub fn load(repo: &gix::Repository) -> Result<Self> {
        let mut entries = Vec::new();
        if let Some(top) = repo.workdir() {
            let path = top.join(TEAM_FILE);
            if path.is_file() {
                let team = read_team_file(&path)?;
                collect(&team, &mut entries, |_| Origin(path.display().to_string()));
            }
        }
        // `git -c` values are in the snapshot too, last: `git::open_here` hands them to gix.
        let snapshot = repo.config_snapshot();
        collect(snapshot.plumbing(), &mut entries, describe_origin);
        Ok(Sources { entries })
    }

    /// Builds sources from literal `(key, value, origin)` triples; for tests.
    pub fn from_entries(entries: &[(&str, &str, &str)]) -> Self {
        Sources {
            entries: entries
                .iter()
                .map(|(k, v, o)| {
                    (
                        short_key(k).to_ascii_lowercase(),
                        (*v).to_owned(),
                        Origin((*o).to_owned()),
                    )
                })
                .collect(),
        }
    }

    /// The value that wins for a single-valued key (the last one set).
    pub fn get(&self, key: &str) -> Option<Setting> {
        self.all(key).pop()
    }

    /// Every value of a multi-valued key, team file first.
    pub fn all(&self, key: &str) -> Vec<Setting> {
        let wanted = short_key(key).to_ascii_lowercase();
        self.entries
            .iter()
            .filter(|(k, _, _)| *k == wanted)
            .map(|(_, v, o)| Setting {
                value: v.clone(),
                origin: o.clone(),
            })
            .collect()
    }
}

/// Parses git's GIT_CONFIG_PARAMETERS: shell single-quoted `'key'='value'` pairs (git 2.31+) or
/// `'key=value'` (older), separated by spaces. Anything malformed ends the parse.
pub fn parse_config_parameters(text: &str) -> Vec<(String, String)> {
    fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
        if chars.next()? != '\'' {
            return None;
        }
        let mut out = String::new();
        loop {
            match chars.next()? {
                // `'\''` is how a quote is written inside a quoted string.
                '\'' if chars.peek() == Some(&'\\') => {
                    chars.next();
                    if chars.next()? != '\'' || chars.next()? != '\'' {
                        return None;
                    }
                    out.push('\'');
                }
                '\'' => return Some(out),
                c => out.push(c),
            }
        }
    }
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return pairs;
        }
        let Some(first) = quoted(&mut chars) else {
            return pairs;
        };
        if chars.peek() == Some(&'=') {
            chars.next();
            let Some(value) = quoted(&mut chars) else {
                return pairs;
            };
            pairs.push((first, value));
        } else if let Some((key, value)) = first.split_once('=') {
            pairs.push((key.to_owned(), value.to_owned()));
        } else {
            // `-c key` alone means true.
            pairs.push((first, "true".to_owned()));
        }
    }
}

fn short_key(key: &str) -> &str {
    key.strip_prefix("pushduty.").unwrap_or(key)
}

fn read_team_file(path: &Path) -> Result<gix::config::File> {
    let mut bytes =
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let meta = gix::config::file::Metadata::from(gix::config::Source::Local).at(path);
    // Includes are not followed: a committed file must not pull in other config.
    let options = gix::config::file::init::Options {
        includes: gix::config::file::includes::Options::no_follow(),
        ..Default::default()
    };
    gix::config::File::from_bytes_owned(&mut bytes, meta, options).map_err(|e| {
        anyhow::Error::new(
            Refusal::new(format!(
                "{} is not valid git-config syntax: {e}",
                path.display()
            ))
            .hint(format!(
                "fix the file, or check it with: git config -f {} --list",
                path.display()
            )),
        )
    })
}

fn collect(
    file: &gix::config::File,
    entries: &mut Vec<(String, String, Origin)>,
    origin: impl Fn(&gix::config::file::Metadata) -> Origin,
) {
    let Some(sections) = file.sections_by_name("pushduty") else {
        return;
    };
    for section in sections {
        if section.header().subsection_name().is_some() {
            continue;
        }
        let from = origin(section.meta());
        for name in section.value_names() {
            for value in section.values(&name) {
                entries.push((name.to_ascii_lowercase(), value.to_string(), from.clone()));
            }
        }
    }
}

pub(crate) fn describe_origin(meta: &gix::config::file::Metadata) -> Origin {
    use gix::config::Source;
    Origin(match (&meta.path, meta.source) {
        (Some(path), _) => path.display().to_string(),
        (None, Source::Cli) => "the command line (git -c)".into(),
        (None, Source::Env) => "the environment (GIT_CONFIG_COUNT)".into(),
        (None, source) => format!("{source:?} configuration"),
    })
}

/// Every setting this tool reads, validated. Built once per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub upstream: String,
    /// `pushduty.branch` if set; the default is resolved against the repository by [`Settings::branch`].
    pub branch: Option<String>,
    pub schedule: Schedule,
    pub security: String,
    pub security_urls: Vec<String>,
}

impl Settings {
    /// Reads and validates every key; the first malformed one is the error.
    pub fn from_sources(sources: &Sources) -> Result<Self> {
        let upstream = name_value(sources, UPSTREAM)?.unwrap_or_else(|| UPSTREAM_DEFAULT.into());
        let branch = name_value(sources, BRANCH)?;
        let security = name_value(sources, SECURITY)?.unwrap_or_else(|| SECURITY_DEFAULT.into());

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
        let skip = sources
            .all(SKIP)
            .iter()
            .map(|s| config_date(SKIP, s))
            .collect::<Result<Vec<_>>>()?;
        let schedule = Schedule {
            push_day,
            cadence,
            anchor,
            skip,
        };
        if let Err(e) = schedule.validate() {
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
        let security_urls = sources
            .all(SECURITY_URL)
            .into_iter()
            .map(|s| s.value)
            .collect();
        Ok(Settings {
            upstream,
            branch,
            schedule,
            security,
            security_urls,
        })
    }

    /// Loads the settings of `repo`.
    pub fn load(repo: &gix::Repository) -> Result<Self> {
        Self::from_sources(&Sources::load(repo)?)
    }

    /// The branch that is tagged: `pushduty.branch`, else the upstream's default branch as
    /// recorded in `refs/remotes/<upstream>/HEAD`, else `main`, or `master` when the upstream
    /// was fetched with a `master` and no `main`.
    pub fn branch(&self, repo: &gix::Repository) -> String {
        if let Some(branch) = &self.branch {
            return branch.clone();
        }
        let head = format!("refs/remotes/{}/HEAD", self.upstream);
        let prefix = format!("refs/remotes/{}/", self.upstream);
        let recorded = repo
            .try_find_reference(head.as_str())
            .ok()
            .flatten()
            .and_then(|r| match r.target() {
                gix::refs::TargetRef::Symbolic(name) => name
                    .as_bstr()
                    .to_string()
                    .strip_prefix(&prefix)
                    .map(str::to_owned),
                gix::refs::TargetRef::Object(_) => None,
            });
        // No HEAD is recorded by `git remote add` + `git fetch` (before git 2.48). Guessing
        // `main` for a `master` upstream would leave the pre-push guard judging a branch that
        // does not exist, and the mirror's real release branch unguarded.
        let fetched = |branch: &str| {
            repo.try_find_reference(format!("{prefix}{branch}").as_str())
                .is_ok_and(|r| r.is_some())
        };
        recorded.unwrap_or_else(|| {
            if !fetched(BRANCH_DEFAULT) && fetched(BRANCH_FALLBACK) {
                BRANCH_FALLBACK.into()
            } else {
                BRANCH_DEFAULT.into()
            }
        })
    }
}

fn name_value(sources: &Sources, key: &str) -> Result<Option<String>> {
    let Some(s) = sources.get(key) else {
        return Ok(None);
    };
    let value = s.value.trim();
    let valid = !value.is_empty()
        && !value.starts_with('-')
        && !value.contains(char::is_whitespace)
        && !value.contains("..")
        && !value.contains(['~', '^', ':', '?', '*', '[', '\\']);
    if valid {
        Ok(Some(value.to_owned()))
    } else {
        Err(malformed(key, &s, "a remote or branch name"))
    }
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

/// Parses a `--date` flag value, naming the flag in the error.
pub fn date_flag(text: &str) -> Result<NaiveDate> {
    calendar::parse_date(text).ok_or_else(|| {
        anyhow::Error::new(Refusal::usage(format!(
            "--date {text:?} is not a date as YYYY-MM-DD"
        )))
    })
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
    fn git_dash_c_parameters_parse_in_both_forms() {
        assert_eq!(
            parse_config_parameters("'pushduty.pushday'='tuesday' 'a.b'='it'\\''s = x'"),
            vec![
                ("pushduty.pushday".to_owned(), "tuesday".to_owned()),
                ("a.b".to_owned(), "it's = x".to_owned()),
            ]
        );
        assert_eq!(
            parse_config_parameters("'pushduty.cadence=2' 'flag.on'"),
            vec![
                ("pushduty.cadence".to_owned(), "2".to_owned()),
                ("flag.on".to_owned(), "true".to_owned()),
            ]
        );
        assert_eq!(parse_config_parameters(""), vec![]);
        assert_eq!(parse_config_parameters("'unterminated"), vec![]);
        assert_eq!(
            parse_config_parameters("'a.b'='1' garbage 'c.d'='2'"),
            vec![("a.b".to_owned(), "1".to_owned())]
        );
    }

    #[test]
    fn remote_names_are_checked() {
        for bad in ["", "a b", "-x", "a..b", "x:y"] {
            assert!(
                settings(&[("pushduty.upstream", bad, "x")]).is_err(),
                "{bad:?}"
            );
        }
    }
}
