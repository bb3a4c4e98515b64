//! `git push-duty hook pre-receive`: what the security mirror's installed `pre-receive` hook
//! runs. Reads git's `OLD NEW REF` lines, decides with `guard::server` against the upstream's
//! live release branch (fetched into the side repository, never into the quarantined mirror),
//! prints nothing when the push is fine, and refuses the whole push, in words the person who
//! pushed reads behind `remote:`, when it is not or when it cannot be checked.

use std::path::PathBuf;

use anyhow::Result;
use gix::ObjectId;

use crate::config::server::{self as server_config, ServerPins};
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git::{self, side_repo};
use crate::guard::input::parse_pre_receive;
use crate::guard::server::{self, Refused, ServerFacts};

/// The way out every refusal by the server hook names: the client cannot skip it.
pub const SERVER_BYPASS: &str = "git push --no-verify does not skip this check; in an emergency the mirror's administrator removes it in the mirror with: git push-duty hooks uninstall --server";

/// Where git keeps the pushed objects during `pre-receive` (`GIT_QUARANTINE_PATH`), read once
/// by the command: the commits being refused are there, not yet in the mirror.
fn quarantine() -> Option<PathBuf> {
    std::env::var_os("GIT_QUARANTINE_PATH").map(PathBuf::from)
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>) -> Result<()> {
    let input = console.read_all_input()?;
    let Ok(text) = std::str::from_utf8(&input) else {
        return refuse(unchecked("git's lines are not UTF-8".into(), &[]));
    };
    let updates = match parse_pre_receive(text, repo.object_hash()) {
        Ok(updates) => updates,
        Err(bad) => {
            return refuse(unchecked(
                format!(
                    "line {} from git cannot be read ({}): {:?}",
                    bad.number, bad.problem, bad.line
                ),
                &[],
            ));
        }
    };
    let pins = match ServerPins::read(repo) {
        Ok(Some(pins)) => pins,
        Ok(None) => {
            return refuse(unchecked(
                format!(
                    "nothing says what it protects: there is no [pushduty \"{}\"] in {}",
                    server_config::SUBSECTION,
                    server_config::config_file(repo).display()
                ),
                &["the mirror's administrator records it, in the mirror: git push-duty hooks install --server --upstream <url> --branch <branch>".to_owned()],
            ));
        }
        Err(e) => return Err(with_cause(e, None)),
    };
    if updates.is_empty() {
        return Ok(());
    }
    // Served in a git namespace, the lines name refs inside it (`refs/heads/main` is
    // `refs/namespaces/NS/refs/heads/main`), while the guard reads the repository's own refs
    // (its symbolic refs, its main): it cannot tell what the push updates.
    if let Some(namespace) = std::env::var_os("GIT_NAMESPACE").filter(|ns| !ns.is_empty()) {
        return refuse(unchecked(
            format!(
                "the push goes to the git namespace {:?} (GIT_NAMESPACE), whose refs the guard does not read, so it cannot tell whether it updates the release branch {}",
                namespace.to_string_lossy(),
                pins.branch
            ),
            &[
                "serve the security mirror as a repository of its own, without a namespace"
                    .to_owned(),
            ],
        ));
    }
    let mut facts = MirrorFacts {
        repo,
        pins: &pins,
        side: None,
    };
    let refused = server::decide(&updates, &pins.release_ref(), &mut facts)
        .map_err(|e| with_cause(e, Some(&pins)))?;
    if refused.is_empty() {
        return Ok(());
    }
    let side = facts.side.as_ref();
    let quarantine = quarantine();
    let mut details = String::new();
    for r in &refused {
        details.push_str(&explain(repo, side, quarantine.as_deref(), &pins, r));
    }
    console
        .err
        .write_all(pins.hide_credentials(&details).as_bytes())?;
    let mut refusal = Refusal::new(format!(
        "the git-push-duty pre-receive hook refused {}: nothing was changed in this repository",
        if refused.len() == 1 {
            "a ref".to_owned()
        } else {
            format!("{} refs", refused.len())
        }
    ));
    if refused
        .iter()
        .any(|r| matches!(r, Refused::NotOnUpstream { .. }))
    {
        refusal = refusal
            .hint(format!(
                "the upstream must have it first: push it to the upstream's {} ({}), then push it here again",
                pins.branch,
                pins.shown_upstream()
            ))
            .hint(format!(
                "to bring this mirror in sync, push the upstream's {} here: git fetch {} {} && git push <this mirror> FETCH_HEAD:refs/heads/{}",
                pins.branch,
                pins.shown_upstream(),
                pins.branch,
                pins.branch
            ));
    }
    if refused
        .iter()
        .any(|r| matches!(r, Refused::Deletion { .. }))
    {
        refusal = refusal.hint(format!(
            "the release branch {} of the security mirror is never deleted",
            pins.branch
        ));
    }
    refuse(refusal.hint(SERVER_BYPASS))
}

/// A refusal for a push that could not be checked: `why`, then `hints` and the way out.
fn unchecked(why: String, hints: &[String]) -> Refusal {
    let mut refusal = Refusal::new(format!(
        "the git-push-duty pre-receive hook could not check this push ({why}): nothing was changed in this repository"
    ));
    for hint in hints {
        refusal = refusal.hint(hint.clone());
    }
    refusal.hint(SERVER_BYPASS)
}

/// `err` (the upstream unreachable, the settings broken, a ref or object unreadable) as the
/// refusal of a push that could not be checked, keeping the cause's message and hints, with the
/// credentials of the upstream's URL (when `pins` were read) hidden from who pushed.
fn with_cause(err: anyhow::Error, pins: Option<&ServerPins>) -> anyhow::Error {
    let hide = |text: String| pins.map_or_else(|| text.clone(), |p| p.hide_credentials(&text));
    let hints: Vec<String> = err
        .chain()
        .find_map(|c| c.downcast_ref::<Refusal>())
        .map(|r| r.hints().iter().cloned().map(hide).collect())
        .unwrap_or_default();
    let why = hide(format!("{err:#}"));
    anyhow::Error::new(unchecked(why, &hints))
}

/// What one refused update is, as the person who pushed reads it.
fn explain(
    repo: &gix::Repository,
    side: Option<&gix::Repository>,
    quarantine: Option<&std::path::Path>,
    pins: &ServerPins,
    refused: &Refused,
) -> String {
    match refused {
        Refused::Deletion { name } => format!(
            "push-duty: refusing to delete {name}: it is the security mirror's release branch {}\n",
            pins.branch
        ),
        Refused::NotOnUpstream { name, new, tip } => {
            let subject = subject(repo, quarantine, *new)
                .map(|s| format!(" {s}"))
                .unwrap_or_default();
            let at = side.map_or_else(|| tip.to_string(), |s| git::short(s, *tip));
            format!(
                "push-duty: refusing {name} on the security mirror: {new} is not on the upstream's {branch}\n    {short}{subject}\n  the security mirror's {branch} must never be ahead of the upstream's {branch} ({url}, at {at} just now)\n",
                branch = pins.branch,
                short = new.to_hex_with_len(7),
                url = pins.upstream,
            )
        }
    }
}

/// The subject of `id`, from the pushed objects (in the quarantine) or the mirror's; only for
/// the message, so a commit that cannot be read is shown by its id alone.
fn subject(
    repo: &gix::Repository,
    quarantine: Option<&std::path::Path>,
    id: ObjectId,
) -> Option<String> {
    use gix::prelude::Find;
    let mut buf = Vec::new();
    let from_quarantine = quarantine.and_then(|dir| {
        let odb = gix::odb::at(dir, id.kind()).ok()?;
        let data = odb.try_find(&id, &mut buf).ok()??;
        let commit = gix::objs::CommitRef::from_bytes(data.data, id.kind()).ok()?;
        Some(first_line(&commit.message.to_string()))
    });
    from_quarantine.or_else(|| git::subject(repo, id).ok())
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

/// The answers from the mirror (its refs; the pushed objects are not needed) and the side
/// repository (the upstream's history).
struct MirrorFacts<'a> {
    repo: &'a gix::Repository,
    pins: &'a ServerPins,
    side: Option<gix::Repository>,
}

impl ServerFacts for MirrorFacts<'_> {
    fn resolve(&mut self, name: &str) -> Result<String> {
        let mut current = name.to_owned();
        // git follows at most five levels; a longer chain is not the release branch to git.
        for _ in 0..5 {
            let found = self
                .repo
                .try_find_reference(current.as_str())
                .map_err(|e| {
                    anyhow::anyhow!("cannot read the ref {current} of this mirror: {e}")
                })?;
            match found.as_ref().map(|r| r.target()) {
                Some(gix::refs::TargetRef::Symbolic(target)) => current = target.to_string(),
                _ => return Ok(current),
            }
        }
        Err(anyhow::anyhow!(
            "the symbolic ref {name} of this mirror is a chain too long to follow"
        ))
    }

    fn upstream_tip(&mut self) -> Result<ObjectId> {
        if self.pins.upstream_is(self.repo) {
            return refuse(Refusal::configuration(format!(
                "{} = {} is this repository itself, not the upstream",
                server_config::UPSTREAM,
                self.pins.upstream
            ))
            .hint("the mirror's administrator records the public upstream: git push-duty hooks install --server --upstream <url>"));
        }
        let side = side_repo::open_or_create(&side_repo::dir(self.repo), self.repo.object_hash())?;
        let tip = side_repo::fetch_branch(&side, &self.pins.upstream, &self.pins.branch)?;
        self.side = Some(side);
        Ok(tip.commit)
    }

    fn upstream_contains(&mut self, tip: ObjectId, commit: ObjectId) -> Result<bool> {
        let side = self
            .side
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("the upstream was not fetched"))?;
        // The side repository holds the upstream's branch and nothing else: a commit it lacks
        // is not on the upstream.
        if !side.has_object(commit) {
            return Ok(false);
        }
        git::is_ancestor(side, commit, tip)
    }
}
