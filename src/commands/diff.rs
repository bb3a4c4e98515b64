//! `git push-duty diff`: what a revision adds to the upstream's branch, i.e. the diff from their
//! merge base to it (`git diff <upstream>/<branch>...REV`): what would go public if it were
//! pushed. `security-merge` shows what it is about to push the same way.

use anyhow::{Context as _, Result};

use crate::console::Console;
use crate::context::Context;
use crate::diff_view::render;
use crate::error::{Refusal, refuse};
use crate::git;
use crate::pager;

/// Show what a revision adds to the upstream's branch: the diff from their merge base.
///
/// Compares REV (default: the current branch, or HEAD when detached) with
/// refs/remotes/<upstream>/<branch> as last fetched, from the commit where they meet, like
/// git diff <upstream>/<branch>...REV: only what REV adds, so a branch that is behind the
/// upstream does not show the upstream's newer files as deleted. A diffstat, then a unified
/// diff, coloured and paged on a terminal, plain when piped. Nothing is fetched or changed; run
/// git fetch <upstream> first to compare with what the upstream has now.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The revision to compare (default: the current branch).
    #[arg(value_name = "REV")]
    pub rev: Option<String>,
    /// Show the diffstat only.
    #[arg(long)]
    pub stat: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let settings = &ctx.settings;
    let branch = &ctx.branch;
    let upstream = format!("{}/{branch}", settings.upstream);
    let tracking = format!("refs/remotes/{upstream}");
    let Some(theirs) = git::ref_commit(repo, &tracking)? else {
        return refuse(
            Refusal::new(format!(
                "{upstream} does not exist here: the upstream's branch was never fetched"
            ))
            .hint(format!(
                "fetch it: git fetch {} {branch}",
                settings.upstream
            )),
        );
    };
    let (rev, tip) = match &args.rev {
        Some(spec) => (spec.clone(), git::resolve_commit(repo, spec, "REV")?),
        None => current(repo)?,
    };
    let Some(base) = repo
        .merge_base(theirs, tip)
        .with_context(|| format!("cannot find where {rev} meets {upstream}"))?
        .map(gix::Id::detach)
    else {
        return refuse(Refusal::new(format!(
            "{rev} shares no history with {upstream}: there is no merge base to diff from"
        )));
    };
    writeln!(
        console.err,
        "From the merge base of {upstream} ({}) and {rev} ({}), {}: what {rev} adds (git diff {upstream}...{rev})",
        git::short(repo, theirs),
        git::short(repo, tip),
        git::short(repo, base),
    )?;
    let files = git::diff::between(repo, base, tip)?;
    if files.is_empty() {
        writeln!(console.err, "No difference: nothing would go public.")?;
        return Ok(());
    }
    let text = render(&files, args.stat, console.color);
    pager::show(repo, console, &text)
}

/// The current branch's short name and tip, or `HEAD` when it is detached.
fn current(repo: &gix::Repository) -> Result<(String, gix::ObjectId)> {
    let name = repo
        .head_name()
        .context("cannot read HEAD")?
        .map_or_else(|| "HEAD".to_owned(), |n| n.shorten().to_string());
    let Some(mut head) = repo
        .head()
        .context("cannot read HEAD")?
        .try_into_peeled_id()
        .context("cannot read HEAD")?
        .map(|id| id.detach())
    else {
        return refuse(
            Refusal::new(format!(
                "{name} has no commit yet: there is nothing to compare"
            ))
            .hint("name the revision: git push-duty diff <REV>"),
        );
    };
    head = repo
        .find_commit(head)
        .map_err(|_| anyhow::Error::new(Refusal::new(format!("HEAD ({name}) is not a commit"))))?
        .id;
    Ok((name, head))
}
