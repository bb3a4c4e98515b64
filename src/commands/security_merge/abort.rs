//! `security-merge --abort`: forget a recorded run that never reached the upstream. One whose
//! commit the upstream has is public and cannot be forgotten: `--continue` finishes it.

use anyhow::Result;

use super::Args;
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git;
use crate::plan::{Effect, Outcome, Plan, Runner};
use crate::security::record::{self as security_state, Step};
use crate::security::remotes::{Remotes, short_hex};

/// `--abort`: forget a recorded run that has not reached the upstream.
pub(super) fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let mut runner = Runner::new(args.mode());
    runner.hold(security_state::lock(repo))?;
    let Some(record) = security_state::load(repo)? else {
        return refuse(Refusal::new(
            "no security merge is recorded here: there is nothing to abort",
        ));
    };
    let commit = record.commit()?;
    let short = short_hex(commit);
    let public = || {
        Refusal::new(format!(
            "the recorded run already pushed {short} to {} {}: it is public and cannot be forgotten; nothing was changed",
            record.upstream, record.branch
        ))
        .hint("push the mirror too: git push-duty security-merge --continue")
    };
    if record.step == Step::PushMirror {
        return refuse(public());
    }
    let remotes = Remotes::named(repo, &record.upstream, &record.security, &record.branch)?;
    let upstream = remotes.fetch_upstream(repo)?;
    // The upstream's history was just fetched: a commit that is not here is not on it.
    if repo.has_object(commit) && git::is_ancestor(repo, commit, upstream)? {
        return refuse(public());
    }
    let mut plan = Plan::default();
    plan.push(Effect::RemoveFile {
        path: security_state::record_path(repo),
        what: format!(
            "forget the run that merged {} ({short}): {} does not have it",
            record.merged.join(", "),
            remotes.upstream
        ),
    });
    if runner.carry_out(repo, console, plan, "Forget it?")? == Outcome::Done {
        writeln!(
            console.err,
            "Forgotten; nothing was pushed. Start again with: git push-duty security-merge <branch>..."
        )?;
    }
    Ok(())
}
