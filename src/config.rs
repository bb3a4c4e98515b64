//! Settings: the `pushduty.*` keys, read from the team's committed `.pushduty` file and then from
//! git config (system, global, local, `-c`), which overrides it. Each key has one constant and one
//! default; a malformed value, an unknown key or an oversized team file is an error naming the key
//! and the file that set it. What the pre-push guard protects is pinned apart from all this, in
//! the repository's own config, by `hooks install` (see [`pins`]).

pub mod params;
pub mod pins;

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;

use crate::calendar::{self, Schedule};
use crate::error::{Refusal, refuse};

pub use params::parse_config_parameters;
pub use pins::{Pins, load_guard};

/// The team file, at the top of the worktree, in git-config syntax (like `.gitmodules`).
pub const TEAM_FILE: &str = ".pushduty";
/// The largest team file read: a few settings fit in far less, and every command reads it.
pub const TEAM_FILE_LIMIT: u64 = 64 * 1024;

/// The public remote that is tagged and pushed to.
pub const UPSTREAM: &str = "pushduty.upstream";
pub const UPSTREAM_DEFAULT: &str = "upstream";
/// The branch that is tagged and released; default: the one pinned by `hooks install`, else the
/// upstream's default branch, else `main` (`master` if the upstream has only that).
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

/// Every key this version knows: what is read, what `check` and the man page list, and what an
/// unknown key is compared with. A key is added here and nowhere else.
pub const KEYS: &[(&str, &str)] = &[
    (UPSTREAM, "the public remote's name (default: upstream)"),
    (
        BRANCH,
        "the branch that is tagged and released, as a branch name or refs/heads/NAME (default: the one hooks install pinned, else the upstream's default branch from refs/remotes/<upstream>/HEAD, else main, or master if the upstream has a master and no main)",
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

/// The keys the pre-push guard depends on: pinned by `hooks install`, and compared with the
/// team file on the upstream's branch before they are.
pub const GUARD_KEYS: &[&str] = &[UPSTREAM, SECURITY, BRANCH, SECURITY_URL];

/// Where a value came from, for error messages: a file path, `-c`, or the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Origin {
    /// True if the value was given on the command line (`git -c`).
    fn is_command_line(&self) -> bool {
        self.0 == CLI_ORIGIN
    }
}

const CLI_ORIGIN: &str = "the command line (git -c)";

/// A value as set somewhere, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub origin: Origin,
}

/// Which layer a value was read from: the committed team file, or git config (any of its files,
/// `-c`, the environment), which overrides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    TeamFile,
    GitConfig,
}

/// One `pushduty` value as read.
#[derive(Debug, Clone)]
struct Entry {
    /// The value name, lower-cased for lookups (`securityurl`).
    name: String,
    /// The key as spelled where it was set, for messages (`pushduty.securtyUrl`).
    spelled: String,
    /// `[pushduty "pinned"]` has `pinned`.
    subsection: Option<String>,
    value: String,
    origin: Origin,
    layer: Layer,
    /// Read directly (not through an include) from the repository's own config file, the only
    /// place pins may be.
    repository_file: bool,
}

/// The `pushduty` sections of the team file and the repository's git config, lowest priority first.
pub struct Sources {
    /// In the order git would apply them.
    entries: Vec<Entry>,
}

impl Sources {
    /// Reads `.pushduty` from the top of the worktree (if any) and then the repository's config,
    /// and refuses keys this version does not know.
    pub fn load(repo: &gix::Repository) -> Result<Self> {
        let mut entries = Vec::new();
        if let Some(path) = team_file_path(repo)
            && let Some(team) = read_team_file(&path)?
        {
            collect_team_file(&team, &path.display().to_string(), &mut entries)?;
        }
        collect_git_config(repo, &mut entries);
        let sources = Sources { entries };
        sources.check_known()?;
        Ok(sources)
    }

    /// Git config alone, without the team file: what the pre-push hook reads (a checkout can
    /// change the team file; only the user changes git config). Unknown keys are refused.
    pub fn git_config(repo: &gix::Repository) -> Result<Self> {
        let mut entries = Vec::new();
        collect_git_config(repo, &mut entries);
        let sources = Sources { entries };
        sources.check_known()?;
        Ok(sources)
    }

    /// Builds sources from literal `(key, value, origin)` triples, as git config; for tests.
    pub fn from_entries(entries: &[(&str, &str, &str)]) -> Self {
        Sources {
            entries: entries
                .iter()
                .map(|(k, v, o)| Entry {
                    name: short_key(k).to_ascii_lowercase(),
                    spelled: (*k).to_owned(),
                    subsection: None,
                    value: (*v).to_owned(),
                    origin: Origin((*o).to_owned()),
                    layer: Layer::GitConfig,
                    repository_file: false,
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
            .filter(|e| e.subsection.is_none() && e.name == wanted)
            .map(|e| Setting {
                value: e.value.clone(),
                origin: e.origin.clone(),
            })
            .collect()
    }

    /// Every value of `key` set in the team file, in order.
    fn team_values(&self, key: &str) -> Vec<String> {
        let wanted = short_key(key).to_ascii_lowercase();
        self.entries
            .iter()
            .filter(|e| e.layer == Layer::TeamFile && e.subsection.is_none() && e.name == wanted)
            .map(|e| e.value.clone())
            .collect()
    }

    /// True if git config (not the team file) sets `key`.
    fn git_config_sets(&self, key: &str) -> bool {
        let wanted = short_key(key).to_ascii_lowercase();
        self.entries
            .iter()
            .any(|e| e.layer == Layer::GitConfig && e.subsection.is_none() && e.name == wanted)
    }

    /// Refuses the first key this version does not know, naming where it is set and the known
    /// key closest to it; and pins anywhere but the repository's own config file.
    fn check_known(&self) -> Result<()> {
        for entry in &self.entries {
            let known = match entry.subsection.as_deref() {
                None => KEYS
                    .iter()
                    .any(|(k, _)| short_key(k).eq_ignore_ascii_case(&entry.name)),
                Some(pins::SUBSECTION) => {
                    let pin = pins::KEYS
                        .iter()
                        .any(|k| pins::short(k).eq_ignore_ascii_case(&entry.name));
                    if pin && !(entry.layer == Layer::GitConfig && entry.repository_file) {
                        return refuse(
                            Refusal::new(format!(
                                "{} (set in {}) is not a setting git-push-duty reads there: what the pre-push guard protects is pinned by git push-duty hooks install in the repository's own config (.git/config) only",
                                entry.spelled, entry.origin
                            ))
                            .hint(remove_hint(entry)),
                        );
                    }
                    pin
                }
                Some(_) => false,
            };
            if !known {
                return Err(unknown_key(entry));
            }
        }
        Ok(())
    }
}

fn unknown_key(entry: &Entry) -> anyhow::Error {
    let mut message = format!(
        "{} (set in {}) is not a setting git-push-duty knows",
        entry.spelled, entry.origin
    );
    match closest_key(&entry.spelled) {
        Some(key) => message.push_str(&format!("; did you mean {key}?")),
        None => {
            let all: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            message.push_str(&format!("; the settings are: {}", all.join(", ")));
        }
    }
    anyhow::Error::new(Refusal::new(message).hint(remove_hint(entry)).hint(format!(
        "if a newer git-push-duty wrote it, upgrade: this is version {}",
        env!("CARGO_PKG_VERSION")
    )))
}

fn remove_hint(entry: &Entry) -> String {
    if entry.origin.is_command_line() {
        format!(
            "rename or remove it in the command: git -c {}=...",
            entry.spelled
        )
    } else if entry.layer == Layer::TeamFile {
        format!("rename or remove it in {}", entry.origin)
    } else {
        format!(
            "rename or remove it in {}: git config --file {} --unset-all {}",
            entry.origin, entry.origin, entry.spelled
        )
    }
}

/// The known key nearest to `key` in spelling (case aside), if it is near enough to be a typo.
pub fn closest_key(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    KEYS.iter()
        .map(|(k, _)| (edit_distance(&key, &k.to_ascii_lowercase()), *k))
        .min()
        .filter(|(distance, k)| *distance <= (k.len() - "pushduty.".len()).div_ceil(3).max(2))
        .map(|(_, k)| k)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

fn short_key(key: &str) -> &str {
    key.strip_prefix("pushduty.").unwrap_or(key)
}

/// `.pushduty` at the top of the worktree; none in a bare repository.
fn team_file_path(repo: &gix::Repository) -> Option<PathBuf> {
    repo.workdir().map(|top| top.join(TEAM_FILE))
}

/// The team file at `path`, parsed; `None` if there is none. Anything there that cannot be read
/// as a regular file of at most [`TEAM_FILE_LIMIT`] bytes is an error, never "no team file".
fn read_team_file(path: &Path) -> Result<Option<gix::config::File>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        Ok(_) => {}
    }
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        return refuse(
            Refusal::new(format!(
                "{} is not a file, so the team's settings cannot be read",
                path.display()
            ))
            .hint(format!(
                "the team file is a file in git-config syntax; move {} away",
                path.display()
            )),
        );
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    // Read no more than the limit allows, whatever the file grows to meanwhile.
    file.take(TEAM_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let size = meta.len().max(bytes.len() as u64);
    parse_team_file(bytes, size, &path.display().to_string()).map(Some)
}

/// Parses team-file bytes (`size` is the whole file's) named `name` in messages.
fn parse_team_file(mut bytes: Vec<u8>, size: u64, name: &str) -> Result<gix::config::File> {
    if size > TEAM_FILE_LIMIT {
        return refuse(
            Refusal::new(format!(
                "{name} is {size} bytes, more than the {TEAM_FILE_LIMIT} a team file may have: nothing was read or changed"
            ))
            .hint(format!(
                "a team file holds a few settings: remove what is repeated (git config --file {name} --list shows them all)"
            )),
        );
    }
    let meta = gix::config::file::Metadata::from(gix::config::Source::Local).at(name);
    // Includes are not followed: a committed file must not pull in other config.
    let options = gix::config::file::init::Options {
        includes: gix::config::file::includes::Options::no_follow(),
        ..Default::default()
    };
    gix::config::File::from_bytes_owned(&mut bytes, meta, options).map_err(|e| {
        anyhow::Error::new(
            Refusal::new(format!("{name} is not valid git-config syntax: {e}")).hint(format!(
                "fix the file, or check it with: git config --file {name} --list"
            )),
        )
    })
}

/// The team file's entries. It is read for its `pushduty` section only, so any other section
/// is a mistake (`[pushdty]`), refused like an unknown key.
fn collect_team_file(file: &gix::config::File, name: &str, entries: &mut Vec<Entry>) -> Result<()> {
    for section in file.sections() {
        let header = section.header();
        let section_name = header.name().to_string();
        if !section_name.eq_ignore_ascii_case("pushduty") {
            let mut refusal = Refusal::new(format!(
                "{name} has a section [{section_name}], but only [pushduty] is read from a team file"
            ));
            if edit_distance(&section_name.to_ascii_lowercase(), "pushduty") <= 3 {
                refusal = refusal.hint(format!("did you mean [pushduty]? Correct it in {name}"));
            } else {
                refusal = refusal.hint(format!("remove it from {name}"));
            }
            return refuse(refusal);
        }
        push_section(
            &section,
            Origin(name.to_owned()),
            Layer::TeamFile,
            false,
            entries,
        );
    }
    Ok(())
}

/// The `pushduty` entries of git config (`-c` values are in the snapshot too, last:
/// `git::open_here` hands them to gix).
fn collect_git_config(repo: &gix::Repository, entries: &mut Vec<Entry>) {
    let snapshot = repo.config_snapshot();
    for section in snapshot.plumbing().sections() {
        if !section.header().name().eq_ignore_ascii_case(b"pushduty") {
            continue;
        }
        let meta = section.meta();
        let repository_file = meta.source == gix::config::Source::Local && meta.level == 0;
        push_section(
            &section,
            describe_origin(meta),
            Layer::GitConfig,
            repository_file,
            entries,
        );
    }
}

/// Each value of a section, read once: linear in the section's size, however often a key repeats.
fn push_section(
    section: &gix::config::file::SectionRef<'_>,
    origin: Origin,
    layer: Layer,
    repository_file: bool,
    entries: &mut Vec<Entry>,
) {
    let subsection = section.header().subsection_name().map(|s| s.to_string());
    let prefix = match &subsection {
        Some(sub) => format!("pushduty.{sub}."),
        None => "pushduty.".to_owned(),
    };
    for (name, value) in section.body() {
        entries.push(Entry {
            name: name.to_ascii_lowercase(),
            spelled: format!("{prefix}{name}"),
            subsection: subsection.clone(),
            value: value.to_string(),
            origin: origin.clone(),
            layer,
            repository_file,
        });
    }
}

pub(crate) fn describe_origin(meta: &gix::config::file::Metadata) -> Origin {
    use gix::config::Source;
    Origin(match (&meta.path, meta.source) {
        (Some(path), _) => path.display().to_string(),
        (None, Source::Cli) => CLI_ORIGIN.into(),
        (None, Source::Env) => "the environment (GIT_CONFIG_COUNT)".into(),
        (None, source) => format!("{source:?} configuration"),
    })
}

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

/// Replaces every `[section "subsection"]` of the git config file at `path` by one holding
/// `values` (none: removes them), under git's lock (`config.lock`), leaving every other line as
/// it was. Includes are not followed, so nothing included is written into the file.
pub fn set_section(
    path: &Path,
    section: &str,
    subsection: &str,
    values: &[(String, String)],
) -> Result<()> {
    use std::io::Write;
    // Like git, a config file that is a symlink is updated where it points, not replaced.
    let mut lock = gix::lock::File::acquire(
        path,
        gix::lock::acquire::Fail::AfterDurationWithBackoff(std::time::Duration::from_secs(3)),
        None,
        0,
        Some(&gix::lock::acquire::resolve_symlink),
    )
    .map_err(|e| {
        anyhow::Error::new(
            Refusal::new(format!("cannot lock {}: {e}", path.display())).hint(format!(
                "another git command may be changing it; if none is, remove {}.lock",
                path.display()
            )),
        )
    })?;
    let target = lock.resource_path();
    let mut bytes = match std::fs::read(&target) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let meta = gix::config::file::Metadata::from(gix::config::Source::Local).at(&target);
    let options = gix::config::file::init::Options {
        includes: gix::config::file::includes::Options::no_follow(),
        ..Default::default()
    };
    let mut file = gix::config::File::from_bytes_owned(&mut bytes, meta, options)
        .map_err(|e| anyhow::anyhow!("{} is not valid git-config syntax: {e}", path.display()))?;
    while file
        .remove_section(section, Some(subsection.into()))
        .is_some()
    {}
    if !values.is_empty() {
        let mut new = file
            .new_section(section, subsection.to_owned())
            .map_err(|e| anyhow::anyhow!("cannot add [{section} {subsection:?}]: {e}"))?;
        for (name, value) in values {
            new.push(name.as_str(), Some(value.as_str().into()))
                .map_err(|e| anyhow::anyhow!("cannot set {section}.{subsection}.{name}: {e}"))?;
        }
    }
    let mut out = Vec::new();
    file.write_to(&mut out)
        .with_context(|| format!("cannot write {}", path.display()))?;
    lock.with_mut(|f| f.write_all(&out))
        .with_context(|| format!("cannot write {}", path.display()))?;
    lock.commit()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
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
    fn the_closest_known_key_is_suggested_only_when_close() {
        assert_eq!(closest_key("pushduty.securtyUrl"), Some(SECURITY_URL));
        assert_eq!(closest_key("pushduty.pushdya"), Some(PUSH_DAY));
        assert_eq!(closest_key("PUSHDUTY.UPSTREM"), Some(UPSTREAM));
        assert_eq!(closest_key("pushduty.branches"), Some(BRANCH));
        assert_eq!(closest_key("pushduty.colour"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
