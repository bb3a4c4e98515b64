//! What the pre-push guard protects, pinned by `hooks install` in the repository's own config
//! (`[pushduty "pinned"]` in the common git directory's `config`, which linked worktrees share):
//! the upstream's remote name and the URL it is fetched from, the security mirror's remote name
//! and its URLs, the extra mirror URLs, and the release branch. The hook decides from these alone, so a checked-out team file
//! or a moved `refs/remotes/<upstream>/HEAD` cannot weaken it; git config that disagrees with
//! them is a refusal until `hooks install` pins again, and `check` and `hooks status` say so.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::keys::short_key;
use super::sources::{collect_team_file, parse_team_file};
use super::{BranchReason, GUARD_KEYS, Settings, Sources, TEAM_FILE, branch_name, is_remote_name};
use crate::error::{Refusal, refuse};

/// The subsection of `pushduty` the pins live in.
pub const SUBSECTION: &str = "pinned";
/// The upstream remote's name.
pub const UPSTREAM: &str = "pushduty.pinned.upstream";
/// The URL the upstream remote was fetched from at install, after `insteadOf` (none if there
/// was no such remote): what is public, and where the mirror's main is judged against.
pub const UPSTREAM_URL: &str = "pushduty.pinned.upstreamUrl";
/// The security mirror remote's name.
pub const SECURITY: &str = "pushduty.pinned.security";
/// The release branch.
pub const BRANCH: &str = "pushduty.pinned.branch";
/// The mirror remote's URLs at install (none if there was no such remote; multi-valued).
pub const MIRROR_URL: &str = "pushduty.pinned.mirrorUrl";
/// `pushduty.securityUrl` at install (multi-valued).
pub const SECURITY_URL: &str = "pushduty.pinned.securityUrl";
/// Every pin, as `hooks install` writes them.
pub const KEYS: &[&str] = &[
    UPSTREAM,
    UPSTREAM_URL,
    SECURITY,
    BRANCH,
    MIRROR_URL,
    SECURITY_URL,
];

const REPIN: &str = "git push-duty hooks install";

/// A pin's name without `pushduty.pinned.`.
pub fn short(key: &str) -> &str {
    key.strip_prefix("pushduty.pinned.").unwrap_or(key)
}

/// What the guard protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pins {
    pub upstream: String,
    /// The upstream remote's fetch URL when pinned; `None` if it did not exist then.
    pub upstream_url: Option<String>,
    pub security: String,
    pub branch: String,
    /// The security mirror remote's URLs when pinned; empty if it did not exist then.
    pub mirror_urls: Vec<String>,
    /// `pushduty.securityUrl` when pinned.
    pub security_urls: Vec<String>,
}

/// The file the pins are in: the common git directory's `config`.
pub fn config_file(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("config")
}

impl Pins {
    /// The pins in the repository's own config file, validated; `None` if nothing is pinned.
    /// Pins anywhere else (an included file, global config, `git -c`) are not read here.
    pub fn read(repo: &gix::Repository) -> Result<Option<Pins>> {
        let snapshot = repo.config_snapshot();
        let mut found: Option<PathBuf> = None;
        let mut values: Vec<(String, String)> = Vec::new();
        for section in snapshot.plumbing().sections() {
            let header = section.header();
            let meta = section.meta();
            if !header.name().eq_ignore_ascii_case(b"pushduty")
                || header.subsection_name().is_none_or(|s| s != SUBSECTION)
                || meta.source != gix::config::Source::Local
                || meta.level != 0
            {
                continue;
            }
            found = Some(meta.path.clone().unwrap_or_else(|| config_file(repo)));
            for (name, value) in section.body() {
                values.push((name.to_ascii_lowercase(), value.to_string()));
            }
        }
        let Some(file) = found else {
            return Ok(None);
        };
        Self::from_values(&values, &file).map(Some)
    }

    fn from_values(values: &[(String, String)], file: &Path) -> Result<Pins> {
        let broken = |message: String| {
            anyhow::Error::new(
                Refusal::new(message).hint(format!("pin what the guard protects again: {REPIN}")),
            )
        };
        for (name, _) in values {
            if !KEYS.iter().any(|k| short(k).eq_ignore_ascii_case(name)) {
                return Err(broken(format!(
                    "pushduty.pinned.{name} (in {}) is not a pin git-push-duty writes",
                    file.display()
                )));
            }
        }
        let all = |key: &str| -> Vec<String> {
            values
                .iter()
                .filter(|(n, _)| short(key).eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
                .collect()
        };
        let one = |key: &str| -> Result<String> {
            match all(key).as_slice() {
                [value] => Ok(value.clone()),
                [] => Err(broken(format!(
                    "{key} is missing from {}, so the pre-push guard does not know what to protect",
                    file.display()
                ))),
                _ => Err(broken(format!(
                    "{key} is set more than once in {}, so the pre-push guard does not know what to protect",
                    file.display()
                ))),
            }
        };
        let upstream_url = match all(UPSTREAM_URL).as_slice() {
            [] => None,
            [url] => Some(url.clone()),
            _ => {
                return Err(broken(format!(
                    "{UPSTREAM_URL} is set more than once in {}, so the pre-push guard does not know what the upstream is",
                    file.display()
                )));
            }
        };
        let pins = Pins {
            upstream: one(UPSTREAM)?,
            upstream_url,
            security: one(SECURITY)?,
            branch: one(BRANCH)?,
            mirror_urls: all(MIRROR_URL),
            security_urls: all(SECURITY_URL),
        };
        for (key, name) in [(UPSTREAM, &pins.upstream), (SECURITY, &pins.security)] {
            if !is_remote_name(name) {
                return Err(broken(format!(
                    "{key} = {name:?} (in {}) is not a remote name",
                    file.display()
                )));
            }
        }
        if pins.upstream == pins.security {
            return Err(broken(format!(
                "{UPSTREAM} and {SECURITY} (in {}) are the same remote {:?}",
                file.display(),
                pins.upstream
            )));
        }
        if branch_name(&pins.branch).as_deref() != Some(pins.branch.as_str()) {
            return Err(broken(format!(
                "{BRANCH} = {:?} (in {}) is not a branch name",
                pins.branch,
                file.display()
            )));
        }
        Ok(pins)
    }

    /// What `hooks install` pins now, from the settings and the remotes, and why the release
    /// branch is the one it is.
    pub fn derive(repo: &gix::Repository, settings: &Settings) -> Result<(Pins, BranchReason)> {
        let (branch, reason) = settings.unpinned_branch(repo)?;
        let pins = Pins {
            upstream: settings.upstream.clone(),
            upstream_url: crate::guard::destination::fetch_url(repo, &settings.upstream)?,
            security: settings.security.clone(),
            branch,
            mirror_urls: remote_urls(repo, &settings.security)?.unwrap_or_default(),
            security_urls: settings.security_urls.clone(),
        };
        Ok((pins, reason))
    }

    /// The pins as config values, in the order they are written.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut values = vec![(short(UPSTREAM).to_owned(), self.upstream.clone())];
        if let Some(url) = &self.upstream_url {
            values.push((short(UPSTREAM_URL).to_owned(), url.clone()));
        }
        values.extend([
            (short(SECURITY).to_owned(), self.security.clone()),
            (short(BRANCH).to_owned(), self.branch.clone()),
        ]);
        for url in &self.mirror_urls {
            values.push((short(MIRROR_URL).to_owned(), url.clone()));
        }
        for url in &self.security_urls {
            values.push((short(SECURITY_URL).to_owned(), url.clone()));
        }
        values
    }

    /// Every URL that is the mirror: its remote's, then the extra ones.
    pub fn all_mirror_urls(&self) -> Vec<String> {
        let mut urls = self.mirror_urls.clone();
        for url in &self.security_urls {
            if !urls.contains(url) {
                urls.push(url.clone());
            }
        }
        urls
    }

    /// `upstream "upstream" (../upstream.git), security mirror "security" (../security.git),
    /// release branch main`.
    pub fn describe(&self) -> String {
        let urls = if self.mirror_urls.is_empty() {
            "no such remote here yet".to_owned()
        } else {
            self.mirror_urls.join(", ")
        };
        let extra = if self.security_urls.is_empty() {
            String::new()
        } else {
            format!("; also {}", self.security_urls.join(", "))
        };
        format!(
            "upstream {:?} ({}), security mirror {:?} ({urls}{extra}), release branch {}",
            self.upstream,
            self.upstream_url
                .as_deref()
                .unwrap_or("no such remote here yet"),
            self.security,
            self.branch
        )
    }
}

/// The URLs of remote `name`, `None` if there is no such remote; one that cannot be read is an
/// error.
fn remote_urls(repo: &gix::Repository, name: &str) -> Result<Option<Vec<String>>> {
    match repo.try_find_remote(name) {
        None => Ok(None),
        Some(Ok(remote)) => Ok(Some(crate::git::remote::all_urls(&remote))),
        Some(Err(e)) => Err(anyhow::anyhow!("cannot read remote {name:?}: {e}")),
    }
}

fn has_remote(repo: &gix::Repository, name: &str) -> bool {
    repo.remote_names()
        .iter()
        .any(|n| n.as_ref() as &[u8] == name.as_bytes())
}

/// The settings the pre-push hook decides with, and the release branch: the pins, never the
/// team file. Refused when nothing is pinned (a hook from an earlier version, or copied from a
/// template), when git config names something else than the pins for what the guard protects
/// (until `hooks install` pins it), when a git config value is malformed or unknown, and when
/// the mirror pinned at install has no remote any more.
pub fn load_guard(repo: &gix::Repository) -> Result<(Settings, String)> {
    let sources = Sources::git_config(repo)?;
    let configured = Settings::values(&sources)?;
    let Some(pins) = Pins::read(repo)? else {
        return refuse(
            Refusal::new(format!(
                "nothing is pinned for the pre-push guard in {} (the hook was installed by an earlier version, or copied from a template), so it cannot tell what to protect",
                config_file(repo).display()
            ))
            .hint(format!("pin it: {REPIN}")),
        );
    };
    agree_with_git_config(&sources, &configured, &pins)?;
    agree_with_the_upstream_remote(repo, &pins)?;
    agree_with_the_upstreams_team_file(repo, &sources, &pins)?;
    if !pins.mirror_urls.is_empty() && !has_remote(repo, &pins.security) {
        let url = &pins.mirror_urls[0];
        return refuse(
            Refusal::new(format!(
                "the security mirror remote {:?} ({SECURITY}, pinned by {REPIN}) does not exist, so embargoed fixes cannot be told from public commits",
                pins.security
            ))
            .hint(format!(
                "add it back: git remote add {0} {url} && git fetch {0}",
                pins.security
            ))
            .hint(format!(
                "or, if this clone no longer has the mirror, pin that: {REPIN}"
            )),
        );
    }
    agree_with_the_mirror_remote(repo, &pins)?;
    let settings = Settings {
        upstream: pins.upstream.clone(),
        branch: Some(pins.branch.clone()),
        schedule: configured.schedule,
        security: pins.security.clone(),
        security_urls: pins.all_mirror_urls(),
        // Not pinned: the hook judges a tag by what it carries, whatever its name.
        tag_format: configured.tag_format,
    };
    Ok((settings, pins.branch))
}

/// Git config is the user's own: a guard key set there that the pins do not match was changed
/// after `hooks install`, and the guard refuses rather than guess which one is meant.
fn agree_with_git_config(sources: &Sources, configured: &Settings, pins: &Pins) -> Result<()> {
    let disagree = |key: &str, setting: &super::Setting, pinned: &str| {
        let mut refusal = Refusal::new(format!(
            "{key} = {:?} (set in {}) is not what the hook guards: {pinned}, pinned by {REPIN}",
            setting.value, setting.origin
        ))
        .hint(format!("to guard it: {REPIN}"));
        refusal = if setting.origin.is_command_line() {
            refusal.hint(format!("or leave out git -c {key}=..."))
        } else {
            refusal.hint(format!(
                "or remove it: git config --file {} --unset-all {key}",
                setting.origin
            ))
        };
        anyhow::Error::new(refusal)
    };
    let single = [
        (super::UPSTREAM, &configured.upstream, &pins.upstream),
        (super::SECURITY, &configured.security, &pins.security),
    ];
    for (key, value, pinned) in single {
        if let Some(setting) = sources.get(key)
            && value != pinned
        {
            return Err(disagree(key, &setting, &format!("{pinned:?}")));
        }
    }
    if let (Some(setting), Some(branch)) = (sources.get(super::BRANCH), &configured.branch)
        && *branch != pins.branch
    {
        return Err(disagree(super::BRANCH, &setting, &pins.branch));
    }
    for setting in sources.all(super::SECURITY_URL) {
        if !pins.security_urls.contains(&setting.value) {
            let pinned = if pins.security_urls.is_empty() {
                "no extra mirror URL".to_owned()
            } else {
                pins.security_urls.join(", ")
            };
            return Err(disagree(super::SECURITY_URL, &setting, &pinned));
        }
    }
    Ok(())
}

/// What the upstream is, is the repository its remote was fetched from at install: after
/// `git remote set-url upstream <fork>` or `git -c url.<fork>.insteadOf=<upstream>`, the mirror's
/// main would be judged against the fork, and a fix pushed to the fork's main would count as the
/// release. Another spelling of the same repository is no change; a URL that cannot be resolved
/// is an error.
fn agree_with_the_upstream_remote(repo: &gix::Repository, pins: &Pins) -> Result<()> {
    let now = crate::guard::destination::fetch_url(repo, &pins.upstream)?;
    let same = match (&pins.upstream_url, &now) {
        (None, None) => true,
        (Some(pinned), Some(now)) if pinned == now => true,
        (Some(pinned), Some(now)) => {
            crate::guard::destination::same_repository(pinned, now, &worktree_top(repo)?)?
        }
        _ => false,
    };
    if same {
        return Ok(());
    }
    let upstream = &pins.upstream;
    let was = pins.upstream_url.as_deref().unwrap_or("no such remote");
    let message = match &now {
        Some(now) => format!(
            "the upstream remote {upstream:?} is fetched from {now} now, not from {was} as pinned by {REPIN}: the guard would judge the mirror's main, and what is public, by another repository"
        ),
        None => format!(
            "the upstream remote {upstream:?} pinned with {was} by {REPIN} does not exist, so nothing says what is public"
        ),
    };
    let mut refusal = Refusal::new(message).hint(match &now {
        Some(_) => format!("if the upstream moved there, pin it: {REPIN}"),
        None => format!("if this clone has no upstream any more, pin that: {REPIN}"),
    });
    if let Some(pinned) = &pins.upstream_url {
        refusal = refusal.hint(match &now {
            Some(_) => format!(
                "if not, put it back: git remote set-url {upstream} {pinned} (or leave out the git -c or url.*.insteadOf that rewrites it)"
            ),
            None => format!("add it back: git remote add {upstream} {pinned}"),
        });
    }
    refuse(refusal)
}

/// The mirror is the repository its remote was fetched from at install: repointed (`git remote
/// set-url`, `url.*.insteadOf`), the remote would make another repository "the mirror", where
/// fix branches may go. A mirror remote added after an install that had none is guarded by its
/// URL at once, as nothing was pinned to compare it with.
fn agree_with_the_mirror_remote(repo: &gix::Repository, pins: &Pins) -> Result<()> {
    if pins.mirror_urls.is_empty() {
        return Ok(());
    }
    let Some(now) = crate::guard::destination::fetch_url(repo, &pins.security)? else {
        return Ok(());
    };
    let top = worktree_top(repo)?;
    for pinned in pins.all_mirror_urls() {
        if pinned == now || crate::guard::destination::same_repository(&pinned, &now, &top)? {
            return Ok(());
        }
    }
    let security = &pins.security;
    let was = pins.mirror_urls.join(", ");
    refuse(
        Refusal::new(format!(
            "the security mirror remote {security:?} is fetched from {now} now, not from {was} as pinned by {REPIN}: the guard would take that repository for the mirror, where fix branches may go"
        ))
        .hint(format!("if the mirror moved there, pin it: {REPIN}"))
        .hint(format!(
            "if not, put it back: git remote set-url {security} {} (or leave out the git -c or url.*.insteadOf that rewrites it)",
            pins.mirror_urls[0]
        )),
    )
}

/// Where the configured URLs are resolved from, as git does for `git push <remote>`: the top
/// of the worktree (the git directory of a bare repository).
fn worktree_top(repo: &gix::Repository) -> Result<PathBuf> {
    let top = repo.workdir().unwrap_or_else(|| repo.git_dir());
    std::path::absolute(top).with_context(|| format!("cannot resolve {}", top.display()))
}

/// The team's reviewed settings are the `.pushduty` merged on the upstream's release branch: if
/// what it (with git config over it) says the guard protects is no longer what is pinned, the
/// team changed it since `hooks install`, and the guard refuses rather than keep guarding what
/// the team left. Only the guard keys are read; the worktree's team file never is.
fn agree_with_the_upstreams_team_file(
    repo: &gix::Repository,
    git_config: &Sources,
    pins: &Pins,
) -> Result<()> {
    let tracking = format!("refs/remotes/{}/{}", pins.upstream, pins.branch);
    let Some(tip) = crate::git::ref_commit(repo, &tracking)? else {
        // Nothing fetched to compare with; the guard itself refuses what needs the branch.
        return Ok(());
    };
    let short_ref = format!("{}/{}", pins.upstream, pins.branch);
    let Some(file) = team_file_at(repo, tip, &short_ref)? else {
        return Ok(());
    };
    let name = format!("{short_ref}:{TEAM_FILE}");
    let mut entries = Vec::new();
    collect_team_file(&file, &name, &mut entries)?;
    // Only what the guard depends on: a key a newer version added must not stop every push.
    entries.retain(|e| {
        e.subsection.is_none()
            && GUARD_KEYS
                .iter()
                .any(|k| short_key(k).eq_ignore_ascii_case(&e.name))
    });
    entries.extend(git_config.entries.iter().cloned());
    let team = Sources { entries };
    let settings = Settings::values(&team)?;
    let changed = |key: &str, now: String, pinned: String| -> Result<()> {
        if now == pinned {
            return Ok(());
        }
        refuse(
            Refusal::new(format!(
                "the team's settings on {short_ref} ({name}) now say {key} = {now}, but the hook guards {pinned}, pinned by {REPIN} before they changed"
            ))
            .hint(format!("pin what the team says now: git switch {} && git pull && {REPIN}", pins.branch)),
        )
    };
    changed(
        super::UPSTREAM,
        format!("{:?}", settings.upstream),
        format!("{:?}", pins.upstream),
    )?;
    changed(
        super::SECURITY,
        format!("{:?}", settings.security),
        format!("{:?}", pins.security),
    )?;
    if let Some(branch) = settings.branch {
        changed(super::BRANCH, branch, pins.branch.clone())?;
    }
    changed(
        super::SECURITY_URL,
        format!("{:?}", settings.security_urls),
        format!("{:?}", pins.security_urls),
    )?;
    Ok(())
}

/// One way the settings or the remotes no longer match the pins, and the command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub problem: String,
    pub fix: String,
}

/// Where what `hooks install` would pin now differs from `pins`.
pub fn disagreements(repo: &gix::Repository, pins: &Pins) -> Result<Vec<Disagreement>> {
    let sources = Sources::load(repo)?;
    let settings = Settings::from_sources(&sources)?;
    let (now, reason) = Pins::derive(repo, &settings)?;
    let mut found = Vec::new();
    let repin = || format!("{REPIN} (pins what the settings say now)");
    let origin = |key: &str| match sources.get(key) {
        Some(s) => format!("{key}, set in {}", s.origin),
        None => format!("{key} unset: the default"),
    };
    if now.upstream != pins.upstream {
        found.push(Disagreement {
            problem: format!(
                "the settings name the upstream {:?} ({}), but the hook guards {:?}",
                now.upstream,
                origin(super::UPSTREAM),
                pins.upstream
            ),
            fix: repin(),
        });
    }
    if now.security != pins.security {
        found.push(Disagreement {
            problem: format!(
                "the settings name the security mirror {:?} ({}), but the hook guards {:?}",
                now.security,
                origin(super::SECURITY),
                pins.security
            ),
            fix: repin(),
        });
    }
    if now.branch != pins.branch {
        let head = format!("refs/remotes/{}/HEAD", now.upstream);
        let (problem, fix) = match reason {
            BranchReason::TrackingHead => (
                format!(
                    "{head} points to {}, but the hook guards {}",
                    now.branch, pins.branch
                ),
                format!(
                    "if {} is the release branch now: {REPIN}; if not: git remote set-head {} {}",
                    now.branch, now.upstream, pins.branch
                ),
            ),
            BranchReason::Setting => (
                format!(
                    "the settings name the release branch {} ({}), but the hook guards {}",
                    now.branch,
                    origin(super::BRANCH),
                    pins.branch
                ),
                repin(),
            ),
            BranchReason::Pinned | BranchReason::Fallback => (
                format!(
                    "the release branch would be {} now ({head} is not set), but the hook guards {}",
                    now.branch, pins.branch
                ),
                format!(
                    "record the upstream's default branch: git remote set-head {} --auto, or set it: git config {} {}",
                    now.upstream,
                    super::BRANCH,
                    pins.branch
                ),
            ),
        };
        found.push(Disagreement { problem, fix });
    }
    if now.upstream == pins.upstream
        && let Err(e) = agree_with_the_upstream_remote(repo, pins)
    {
        found.push(Disagreement {
            problem: format!("{e:#}"),
            fix: repin(),
        });
    }
    let mirror_moved = now.security == pins.security
        && match agree_with_the_mirror_remote(repo, pins) {
            Ok(()) => false,
            Err(e) => {
                found.push(Disagreement {
                    problem: format!("{e:#}"),
                    fix: repin(),
                });
                true
            }
        };
    if !mirror_moved && now.security == pins.security && now.mirror_urls != pins.mirror_urls {
        let problem = match (pins.mirror_urls.is_empty(), now.mirror_urls.is_empty()) {
            (true, false) => format!(
                "the security mirror {:?} has URLs now ({}), and none were pinned (the hook guards the remote by name already)",
                now.security,
                now.mirror_urls.join(", ")
            ),
            (false, true) => format!(
                "the security mirror remote {:?} pinned with {} does not exist, so the hook refuses every push",
                pins.security,
                pins.mirror_urls.join(", ")
            ),
            _ => format!(
                "the security mirror {:?} has other URLs now ({}) than were pinned ({}); the hook takes the pinned ones and its fetch URL for the mirror, and refuses pushes by its name to the others",
                now.security,
                now.mirror_urls.join(", "),
                pins.mirror_urls.join(", ")
            ),
        };
        let fix = if now.mirror_urls.is_empty() {
            format!(
                "add it back: git remote add {0} {1} && git fetch {0}; or, if this clone no longer has it: {REPIN}",
                pins.security, pins.mirror_urls[0]
            )
        } else {
            repin()
        };
        found.push(Disagreement { problem, fix });
    }
    if now.security_urls != pins.security_urls {
        let list = |urls: &[String]| {
            if urls.is_empty() {
                "none".to_owned()
            } else {
                urls.join(", ")
            }
        };
        found.push(Disagreement {
            problem: format!(
                "{} is now {}, but the hook guards {}",
                super::SECURITY_URL,
                list(&now.security_urls),
                list(&pins.security_urls)
            ),
            fix: repin(),
        });
    }
    Ok(found)
}

/// Before pinning: the guard keys in the worktree's team file must be those of the team file on
/// the upstream's release branch, as last fetched, the one the team reviewed and merged. A
/// branch checked out for review (its own `.pushduty` saying `security = fork`) cannot so make
/// `hooks install` pin the wrong mirror.
pub fn check_team_file(repo: &gix::Repository, sources: &Sources, pins: &Pins) -> Result<()> {
    let worktree: Vec<(&str, Vec<String>)> = GUARD_KEYS
        .iter()
        .map(|k| (*k, sources.team_values(k)))
        .collect();
    let sets_any = worktree.iter().any(|(_, v)| !v.is_empty());
    let tracking = format!("refs/remotes/{}/{}", pins.upstream, pins.branch);
    let short_ref = format!("{}/{}", pins.upstream, pins.branch);
    let path = repo
        .workdir()
        .map(|top| top.join(TEAM_FILE).display().to_string())
        .unwrap_or_else(|| TEAM_FILE.to_owned());
    let Some(tip) = crate::git::ref_commit(repo, &tracking)? else {
        if !sets_any {
            return Ok(());
        }
        return refuse(
            Refusal::new(format!(
                "{path} sets what the pre-push guard protects, and {tracking} does not exist to check it against the team file the upstream has"
            ))
            .hint(format!(
                "fetch it, then install again: git fetch {} && {REPIN}",
                pins.upstream
            )),
        );
    };
    let upstream_file = team_file_at(repo, tip, &short_ref)?;
    let mut upstream_sources = Vec::new();
    if let Some(file) = &upstream_file {
        collect_team_file(
            file,
            &format!("{short_ref}:{TEAM_FILE}"),
            &mut upstream_sources,
        )?;
    }
    let upstream_sources = Sources {
        entries: upstream_sources,
    };
    for (key, mine) in worktree {
        // A single-valued key set in git config overrides the team file, whatever it says.
        if key != super::SECURITY_URL && sources.git_config_sets(key) {
            continue;
        }
        let theirs = upstream_sources.team_values(key);
        if mine == theirs {
            continue;
        }
        let show = |values: &[String]| {
            values
                .iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ours = if mine.is_empty() {
            format!("{path} does not set {key}")
        } else {
            format!("{path} sets {key} = {}", show(&mine))
        };
        let upstream = if theirs.is_empty() {
            format!("the {TEAM_FILE} on {short_ref} does not")
        } else {
            format!("the {TEAM_FILE} on {short_ref} sets {}", show(&theirs))
        };
        let mut refusal = Refusal::new(format!(
            "{ours}, but {upstream}: what the pre-push guard protects is pinned only from the team file as merged on the upstream's release branch, so nothing was installed"
        ))
        .hint(format!(
            "install from the release branch: git switch {} (after git fetch {}, if it changed there)",
            pins.branch, pins.upstream
        ));
        if let Some(value) = mine.last() {
            refusal = refusal.hint(format!(
                "or set it in your own git config: git config {key} {value}"
            ));
        }
        return refuse(refusal);
    }
    Ok(())
}

/// The team file committed at `commit`, if it has one.
fn team_file_at(
    repo: &gix::Repository,
    commit: gix::ObjectId,
    name: &str,
) -> Result<Option<gix::config::File>> {
    let tree = repo
        .find_commit(commit)
        .with_context(|| format!("cannot read {name}"))?
        .tree()
        .with_context(|| format!("cannot read the tree of {name}"))?;
    let Some(entry) = tree
        .lookup_entry_by_path(TEAM_FILE)
        .with_context(|| format!("cannot read {TEAM_FILE} on {name}"))?
    else {
        return Ok(None);
    };
    let label = format!("{name}:{TEAM_FILE}");
    if !entry.mode().is_blob() {
        return refuse(Refusal::new(format!(
            "{label} is not a regular file, so the team's settings cannot be read from it"
        )));
    }
    let header = repo
        .find_header(entry.object_id())
        .with_context(|| format!("cannot read {label}"))?;
    if header.size() > super::TEAM_FILE_LIMIT {
        return parse_team_file(Vec::new(), header.size(), &label).map(Some);
    }
    let blob = entry
        .object()
        .with_context(|| format!("cannot read {label}"))?;
    parse_team_file(blob.data.clone(), header.size(), &label).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_ascii_lowercase(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn pins_read_back_what_is_written() {
        let pins = Pins {
            upstream: "upstream".into(),
            upstream_url: Some("../upstream.git".into()),
            security: "security".into(),
            branch: "main".into(),
            mirror_urls: vec!["../security.git".into()],
            security_urls: vec!["git@example.com:s.git".into()],
        };
        let written: Vec<(String, String)> = pins
            .values()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        assert_eq!(
            Pins::from_values(&written, Path::new("/r/.git/config")).expect("valid"),
            pins
        );
    }

    #[test]
    fn missing_repeated_unknown_or_invalid_pins_are_errors() {
        let file = Path::new("/r/.git/config");
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("upstream", "u"), ("security", "s")],
                "pushduty.pinned.branch is missing from /r/.git/config",
            ),
            (
                &[
                    ("upstream", "u"),
                    ("security", "s"),
                    ("branch", "a"),
                    ("branch", "b"),
                ],
                "pushduty.pinned.branch is set more than once",
            ),
            (
                &[("upstream", "u"), ("security", "s"), ("branch", "main/")],
                "pushduty.pinned.branch = \"main/\" (in /r/.git/config) is not a branch name",
            ),
            (
                &[("upstream", "u"), ("security", "a b"), ("branch", "main")],
                "pushduty.pinned.security = \"a b\"",
            ),
            (
                &[
                    ("upstream", "u"),
                    ("security", "s"),
                    ("branch", "main"),
                    ("extra", "x"),
                ],
                "pushduty.pinned.extra (in /r/.git/config) is not a pin",
            ),
        ];
        for (pairs, expected) in cases {
            let err = Pins::from_values(&values(pairs), file).expect_err(expected);
            assert!(format!("{err:#}").starts_with(expected), "{err:#}");
        }
    }
}
