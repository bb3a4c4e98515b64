//! Where settings come from: the committed team file (`.pushduty`, git-config syntax, its
//! `[pushduty]` section only, at most [`TEAM_FILE_LIMIT`] bytes, no includes) and then git config
//! (system, global, local, `-c`), which overrides it. A value keeps where it was set, for
//! messages; a key this version does not know is an error naming the file and the closest key.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::keys::{KEYS, TEAM_FILE, TEAM_FILE_LIMIT, closest_key, edit_distance, short_key};
use super::pins;
use crate::error::{Refusal, refuse};

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
    pub(super) fn is_command_line(&self) -> bool {
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
pub(super) enum Layer {
    TeamFile,
    GitConfig,
}

/// One `pushduty` value as read.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The value name, lower-cased for lookups (`securityurl`).
    pub(super) name: String,
    /// The key as spelled where it was set, for messages (`pushduty.securtyUrl`).
    pub(super) spelled: String,
    /// `[pushduty "pinned"]` has `pinned`.
    pub(super) subsection: Option<String>,
    pub(super) value: String,
    pub(super) origin: Origin,
    pub(super) layer: Layer,
    /// Read directly (not through an include) from the repository's own config file, the only
    /// place pins may be.
    pub(super) repository_file: bool,
}

/// The `pushduty` sections of the team file and the repository's git config, lowest priority first.
pub struct Sources {
    /// In the order git would apply them.
    pub(super) entries: Vec<Entry>,
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

    /// The environments (`[pushduty "NAME"] url = ...`), in the order first set, each with
    /// the URL that wins (the last one set).
    pub fn environments(&self) -> Vec<(String, Setting)> {
        let mut found: Vec<(String, Setting)> = Vec::new();
        for e in &self.entries {
            let Some(env) = e.subsection.as_deref() else {
                continue;
            };
            if env == pins::SUBSECTION || e.name != super::keys::ENV_URL {
                continue;
            }
            let setting = Setting {
                value: e.value.clone(),
                origin: e.origin.clone(),
            };
            match found.iter_mut().find(|(name, _)| name == env) {
                Some((_, s)) => *s = setting,
                None => found.push((env.to_owned(), setting)),
            }
        }
        found
    }

    /// Every value of `key` set in the team file, in order.
    pub(super) fn team_values(&self, key: &str) -> Vec<String> {
        let wanted = short_key(key).to_ascii_lowercase();
        self.entries
            .iter()
            .filter(|e| e.layer == Layer::TeamFile && e.subsection.is_none() && e.name == wanted)
            .map(|e| e.value.clone())
            .collect()
    }

    /// True if git config (not the team file) sets `key`.
    pub(super) fn git_config_sets(&self, key: &str) -> bool {
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
                // `[pushduty "stage"] url = ...`: an environment's version URL.
                Some(_) => entry.name == super::keys::ENV_URL,
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
pub(super) fn parse_team_file(
    mut bytes: Vec<u8>,
    size: u64,
    name: &str,
) -> Result<gix::config::File> {
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
pub(super) fn collect_team_file(
    file: &gix::config::File,
    name: &str,
    entries: &mut Vec<Entry>,
) -> Result<()> {
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

pub fn describe_origin(meta: &gix::config::file::Metadata) -> Origin {
    use gix::config::Source;
    Origin(match (&meta.path, meta.source) {
        (Some(path), _) => path.display().to_string(),
        (None, Source::Cli) => CLI_ORIGIN.into(),
        (None, Source::Env) => "the environment (GIT_CONFIG_COUNT)".into(),
        (None, source) => format!("{source:?} configuration"),
    })
}
