//! `security-merge --continue`: finish a recorded run whose upstream push went through, by
//! pushing the mirror only (unless it has the commit already), then bringing this clone along.

use anyhow::Result;
use gix::ObjectId;

use super::report::Report;
use super::{Args, MergeStep, finish, local_branch};
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git;
use crate::plan::{Outcome, Plan, Runner, Stop};
use crate::security::record::{self as security_state, Step};
use crate::security::remotes::{Remotes, merged_fix_tips, short_hex, tracking, tracking_refs};

/// `--continue`: push the mirror for a recorded run whose upstream push went through.
pub(super) fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let mut runner = Runner::new(args.mode());
    runner.hold(security_state::lock(repo))?;
    let Some(record) = security_state::load(repo)? else {
        return refuse(
            Refusal::new("no security merge is recorded here: there is nothing to continue")
                .hint("start one: git push-duty security-merge <branch>..."),
        );
    };
    let remotes = Remotes::named(repo, &record.upstream, &record.security, &record.branch)?;
    let commit = record.commit()?;
    let short = short_hex(commit);
    let upstream = remotes.fetch_upstream(repo)?;
    let (mirror, _) = remotes.fetch_security(repo, &[])?;
    // The upstream's history was just fetched: a commit that is not here is not on it.
    let upstream_has_it = repo.has_object(commit) && git::is_ancestor(repo, commit, upstream)?;
    if !upstream_has_it {
        return refuse(match record.step {
            Step::PushUpstream => Refusal::new(format!(
                "the recorded run never reached the upstream: {} {} does not have {short}; nothing was changed",
                remotes.upstream, remotes.branch
            ))
            .hint("forget it, then start again: git push-duty security-merge --abort"),
            Step::PushMirror => Refusal::new(format!(
                "{} {} no longer has {short}, which the recorded run pushed there; nothing was changed",
                remotes.upstream, remotes.branch
            ))
            .hint("the upstream branch was rewritten: compare both remotes by hand (git ls-remote) before pushing anything")
            .hint(format!(
                "remove {} once they agree",
                security_state::record_path(repo).display()
            )),
        });
    }
    // Against the upstream as it is now: it may have moved on, and the mirror with it.
    remotes.check_mirror_not_ahead(repo, mirror, upstream)?;

    let record_path = security_state::record_path(repo);
    let mut plan: Plan<MergeStep> = Plan::default();
    let mirror_has_it = git::is_ancestor(repo, commit, mirror)?;
    // Where the mirror is once the plan is carried out.
    let published = if mirror_has_it { mirror } else { commit };
    if mirror_has_it {
        writeln!(
            console.err,
            "{} {} already has {short}.",
            remotes.security, remotes.branch
        )?;
    }
    finish(
        &mut plan,
        &remotes,
        &record,
        commit,
        &record_path,
        !mirror_has_it,
    );
    let mut tracking = vec![
        (tracking(&remotes.upstream, &remotes.branch), upstream),
        (tracking(&remotes.security, &remotes.branch), published),
    ];
    tracking.extend(merged_fix_tips(repo, &remotes, &record)?);
    plan.add(MergeStep::Tracking, tracking_refs(tracking));
    let (local, local_effect) = local_branch(repo, &remotes, commit)?;
    match local_effect {
        Some(effect) => plan.add(MergeStep::Local, effect),
        None => writeln!(console.err, "Local {}: {local}", remotes.branch)?,
    }
    let question = format!("Push {short} to {} {}?", remotes.security, remotes.branch);
    let outcome = runner
        .carry_out(repo, console, plan, &question)
        .map_err(|stop| after_failure(&remotes, commit, stop))?;
    let mut report = Report::new(&remotes, record.base.clone(), commit, local);
    match outcome {
        Outcome::Done => {}
        Outcome::DryRun => {
            report.dry_run = true;
            return report.print(console, args.json);
        }
    }
    remotes.verify(repo, published)?;
    report.published = Some(published);
    report.print(console, args.json)
}

/// What to say when `--continue` stops at a step: until the record is cleared, the mirror still
/// lacks the commit (or the record says so) and `--continue` is the way again.
fn after_failure(remotes: &Remotes, commit: ObjectId, stop: Stop<MergeStep>) -> anyhow::Error {
    let failed = match stop {
        Stop::Before(e) => return e,
        Stop::Step(failed) => failed,
    };
    match failed.mark {
        MergeStep::UpstreamHasIt | MergeStep::PushMirror | MergeStep::Clear => anyhow::Error::new(
            Refusal::new(format!(
                "the mirror {} still does not have {}: {}",
                remotes.security,
                short_hex(commit),
                failed.cause_text()
            ))
            .hint("fix the cause, then again: git push-duty security-merge --continue"),
        ),
        _ => failed.into_error(),
    }
}
