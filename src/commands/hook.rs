//! `git push-duty hook pre-push <remote> <url>`: what the installed pre-push hook runs. Reads
//! git's lines, decides with `guard`, prints nothing when the push is fine, and refuses it with
//! the refs, the commits, the reason and what to run instead when it is not.

use anyhow::{Context, Result};

use crate::config;
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git::facts::{self, RepoFacts};
use crate::guard::{self, Names};

/// Run a git hook (the installed hook calls this; not for direct use).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub hook: Hook,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Hook {
    /// Check a push before git sends it; git's lines come on standard input.
    PrePush {
        /// The remote's name, or the URL as typed.
        remote: String,
        /// The URL git pushes to.
        url: String,
    },
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    match &args.hook {
        Hook::PrePush { remote, url } => pre_push(repo, console, remote, url),
    }
}

fn pre_push(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    remote: &str,
    url: &str,
) -> Result<()> {
    let input = console.read_all_input()?;
    let lines = match guard::parse(&String::from_utf8_lossy(&input), repo.object_hash()) {
        Ok(lines) => lines,
        Err(bad) => {
            return refuse(
                Refusal::new(format!(
                    "the git-push-duty pre-push hook cannot read line {} from git ({}): {:?}; nothing was pushed to {url}",
                    bad.number, bad.problem, bad.line
                ))
                .hint(guard::BYPASS),
            );
        }
    };
    // An up-to-date push: nothing to judge, nothing to read.
    if lines.is_empty() {
        return Ok(());
    }
    // What the guard protects, as `hooks install` pinned it: never the checked-out team file.
    let (settings, branch) = config::load_guard(repo).map_err(|e| {
        unchecked(
            e,
            format!(
                "the git-push-duty pre-push hook cannot read its settings; nothing was pushed to {url}"
            ),
        )
    })?;
    // Git resolved relative URLs against its working directory, which the hook shares.
    let base = std::env::current_dir().context("cannot read the current directory")?;
    let destination = facts::destination(repo, &settings, remote, url, &base);
    let ctx = guard::Context {
        destination,
        branch: &branch,
    };
    let mut facts = RepoFacts::new(repo, &settings, &branch);
    let blocked = guard::decide(&lines, &ctx, &mut facts).map_err(|e| {
        unchecked(
            e,
            format!(
                "the git-push-duty pre-push hook could not check this push; nothing was pushed to {url}"
            ),
        )
    })?;
    if blocked.is_empty() {
        return Ok(());
    }
    let names = Names {
        remote,
        url,
        upstream: &settings.upstream,
        security: &settings.security,
        branch: &branch,
        destination,
    };
    let (details, refusal) = guard::explain(&blocked, &names);
    console.err.write_all(details.as_bytes())?;
    refuse(refusal)
}

/// The push is refused because it could not be checked: `message` says so, with the hints of
/// the refusal that caused it and the emergency bypass, which every refusal by the hook offers.
fn unchecked(err: anyhow::Error, message: String) -> anyhow::Error {
    let mut refusal = Refusal::new(message);
    if let Some(cause) = err.chain().find_map(|c| c.downcast_ref::<Refusal>()) {
        for hint in cause.hints() {
            refusal = refusal.hint(hint.clone());
        }
    }
    err.context(refusal.hint(guard::BYPASS))
}
