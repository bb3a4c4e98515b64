//! `git push-duty hook pre-push <remote> <url>`: what the installed pre-push hook runs. Reads
//! git's lines, decides with `guard`, prints nothing when the push is fine, and refuses it with
//! the refs, the commits, the reason and what to run instead when it is not.

use anyhow::Result;

use crate::config;
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git;
use crate::guard::destination;
use crate::guard::repo_facts::RepoFacts;
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
    /// Check a push a server is about to accept (the security mirror's pre-receive hook);
    /// git's `OLD NEW REF` lines come on standard input.
    PreReceive,
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    match &args.hook {
        Hook::PrePush { remote, url } => pre_push(repo, console, remote, url),
        Hook::PreReceive => crate::commands::pre_receive::run(repo, console),
    }
}

fn pre_push(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    remote: &str,
    url: &str,
) -> Result<()> {
    let input = console.read_all_input()?;
    let text = match std::str::from_utf8(&input) {
        Ok(text) => text,
        Err(e) => {
            let number = input[..e.valid_up_to()]
                .iter()
                .filter(|c| **c == b'\n')
                .count()
                + 1;
            return refuse(
                Refusal::new(format!(
                    "the git-push-duty pre-push hook cannot read line {number} from git (it is not UTF-8); nothing was pushed to {url}"
                ))
                .hint(guard::BYPASS),
            );
        }
    };
    let lines = match guard::parse(text, repo.object_hash()) {
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
    // Git resolved a relative push URL from its own directory, where the hook started; the
    // configured URLs are what `git push <remote>` reaches from the top of the worktree.
    let git_cwd = git::starting_dir()?;
    let top = std::path::absolute(repo.workdir().unwrap_or_else(|| repo.git_dir()))?;
    let could_not_check = |e: anyhow::Error| {
        unchecked(
            e,
            format!(
                "the git-push-duty pre-push hook could not check this push; nothing was pushed to {url}"
            ),
        )
    };
    let (destination, location) =
        destination::destination(repo, &settings, remote, url, &git_cwd, &top)
            .map_err(could_not_check)?;
    let ctx = guard::Context {
        destination,
        branch: &branch,
    };
    let mut facts = RepoFacts::new(repo, &settings, &branch, url, &location);
    let blocked = guard::decide(&lines, &ctx, &mut facts).map_err(could_not_check)?;
    if blocked.is_empty() {
        return Ok(());
    }
    let upstream_url = destination::fetch_url(repo, &settings.upstream)
        .map_err(could_not_check)?
        .unwrap_or_else(|| "no URL".into());
    let names = Names {
        remote,
        url,
        upstream: &settings.upstream,
        upstream_url: &upstream_url,
        security: &settings.security,
        branch: &branch,
        destination,
        upstream_url_hint: facts.unreachable(),
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
        for hint in cause.hints().iter().filter(|h| *h != guard::BYPASS) {
            refusal = refusal.hint(hint.clone());
        }
    }
    err.context(refusal.hint(guard::BYPASS))
}
