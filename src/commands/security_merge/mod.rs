//! `git push-duty security-merge`: the seed's seven commands for security fixes as one that
//! cannot push the mirror first. Fetch both remotes, refuse if the mirror is ahead of the
//! upstream, merge the fix branches in memory onto the upstream's fresh tip, show what goes
//! public, push the upstream, then the mirror, then bring the local branch along. A run the
//! mirror refused is recorded in the git directory so `--continue` pushes the mirror only.
//!
//! One file per way in, as jj splits its large commands: [`start`] merges the named fix
//! branches, [`sync`] merges the mirror's own branch into the upstream's (a mirror that got
//! ahead), [`resume`] finishes a recorded run (`--continue`), [`abort`] forgets one that never
//! reached the upstream (`--abort`), and [`report`] says what was done. The remotes' state and
//! the run record are in `crate::security`.

mod abort;
mod report;
mod resume;
mod start;
mod sync;

use anyhow::Result;
use gix::ObjectId;

use crate::console::Console;
use crate::context::Context;
use crate::git::{self, worktree::CheckedOut};
use crate::plan::{Effect, Mark, Mode, Plan};
use crate::security::record::{Record, Step};
use crate::security::remotes::{Remotes, short_hex};

/// Merge security fixes from the private mirror and publish them, upstream first.
///
/// Fetches <upstream>/<branch> and, from the security mirror (pushduty.security, default
/// security), its <branch> and each BRANCH. Refuses if the mirror's <branch> has commits the
/// upstream lacks (someone pushed to the mirror first or used its web merge button). Then merges
/// each BRANCH in order, in memory, onto the upstream's freshly fetched tip: a fast-forward where
/// possible, else a merge commit "Merge <security>/BRANCH" by you; a branch already merged is
/// skipped, a conflict stops everything. Your worktree, index and current branch are not touched
/// by the merge.
///
/// Shows the commits that go public, the diffstat and the diff (paged on a terminal), asks (on a
/// terminal; elsewhere --yes is required), then pushes the result to the upstream (never
/// forced), and only then the same commit to the mirror. If the upstream refuses, nothing goes to
/// the mirror; run again to start from a fresh fetch. If the mirror refuses, the run is recorded
/// in the git directory and --continue pushes the mirror only. Finally the local <branch> is
/// fast-forwarded if it is checked out with a clean worktree, or not checked out; otherwise it is
/// left and you are told. Both remotes are listed afresh to show they point to the same commit.
///
/// With no BRANCH (or --sync), the mirror's own <branch> is what is merged: a mirror that got
/// ahead is mended with review instead of refused.
/// The local fast-forward locks the index and the branch and checks again that the branch is
/// where the plan saw it: a commit made while the run waited is left as it is, with the command
/// that updates later. Ctrl-C or TERM while the plan is carried out stops it between steps (or
/// before the fast-forward writes its first file), never in the middle of one; running the same
/// command again, or --continue when the run says so, finishes the job.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A branch on the security mirror to merge (fix-xss or security/fix-xss); several are
    /// merged in the order given.
    #[arg(value_name = "BRANCH", value_parser = crate::cli::value::branch())]
    pub branches: Vec<String>,
    /// Bring the upstream and the mirror to the same commit, the upstream first; what the
    /// command does with no BRANCH. When the mirror's <branch> is ahead (someone pushed to it
    /// first or used its web merge button), shows what it has that the upstream lacks, with the
    /// diff, asks, publishes it on the upstream (merged onto the upstream's tip if that moved
    /// on), then brings the mirror to the same commit, recorded for --continue like any run.
    #[arg(long, conflicts_with_all = ["branches", "resume", "abort"])]
    pub sync: bool,
    /// Finish a recorded run whose upstream push went through: push the mirror only.
    #[arg(long = "continue", id = "resume", conflicts_with_all = ["branches", "abort", "stat"])]
    pub resume: bool,
    /// Forget a recorded run that has not reached the upstream.
    #[arg(long, conflicts_with_all = ["branches", "stat", "json"])]
    pub abort: bool,
    /// Show what goes public and the plan, and change nothing: no push, no ref (objects are
    /// fetched, as for any run).
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Do not ask before pushing (required when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show the diffstat of what goes public instead of the whole diff.
    #[arg(long)]
    pub stat: bool,
    /// Print the result as a JSON object instead of the commits and the diff.
    #[arg(long)]
    pub json: bool,
}

impl Args {
    /// How far the plan goes: `--dry-run` and `--yes` are the runner's, nobody else's.
    fn mode(&self) -> Mode {
        Mode {
            dry_run: self.dry_run,
            yes: self.yes,
        }
    }
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    // A recorded run names its remotes and branch: they are not read from settings that may
    // have changed since.
    if args.abort {
        return abort::run(ctx.repo, console, args);
    }
    if args.resume {
        return resume::run(ctx.repo, console, args);
    }
    // No branch named: the mirror's own branch is merged, to bring both to the same commit.
    if args.sync || args.branches.is_empty() {
        return sync::run(ctx, console, args);
    }
    start::run(ctx, console, args)
}

/// The steps of a security merge, so that recovery from a failure is a match on the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MergeStep {
    /// Forget the record of an earlier run that never reached the upstream.
    Forget,
    /// Write the merge commits to the object database.
    Objects,
    /// Record the run before the upstream push.
    Record,
    /// Push the merge to the upstream's branch.
    PushUpstream,
    /// Record that the upstream has it.
    UpstreamHasIt,
    /// Push the same commit to the mirror's branch.
    PushMirror,
    /// Bring the mirror up to a commit the upstream already had (no run is recorded).
    BringMirrorUp,
    /// Remove the record: both remotes have it.
    Clear,
    /// Point the remote-tracking refs at what the remotes now have.
    Tracking,
    /// Fast-forward the local branch.
    Local,
}

impl Mark for MergeStep {}

/// The steps once the upstream has the record's commit: note that, push it to the mirror
/// (unless it has it already), then clear the record.
fn finish(
    plan: &mut Plan<MergeStep>,
    remotes: &Remotes,
    record: &Record,
    commit: ObjectId,
    path: &std::path::Path,
    push_mirror: bool,
) {
    if push_mirror {
        if record.step == Step::PushUpstream {
            plan.add(
                MergeStep::UpstreamHasIt,
                Effect::WriteFile {
                    path: path.to_owned(),
                    contents: record.at(Step::PushMirror).to_json(),
                    what: format!("record that {} has it", remotes.upstream),
                },
            );
        }
        plan.add(
            MergeStep::PushMirror,
            remotes.push(
                true,
                commit,
                format!(
                    "push {} to {} {} ({})",
                    short_hex(commit),
                    remotes.security,
                    remotes.branch,
                    remotes.security_url
                ),
            ),
        );
    }
    plan.add(
        MergeStep::Clear,
        Effect::RemoveFile {
            path: path.to_owned(),
            what: "clear the record: both remotes have it".into(),
        },
    );
}

/// What happens to the local branch: the effect that fast-forwards it, or why it is left.
fn local_branch(
    scratch: &gix::Repository,
    remotes: &Remotes,
    tip: ObjectId,
) -> Result<(String, Option<Effect>)> {
    let name = remotes.head();
    let later = format!(
        "update it later with: git merge --ff-only {}/{}",
        remotes.upstream, remotes.branch
    );
    let Some(local) = git::ref_commit(scratch, &name)? else {
        return Ok((
            format!(
                "there is no local branch {}; none is created",
                remotes.branch
            ),
            None,
        ));
    };
    if local == tip {
        return Ok(("already up to date".into(), None));
    }
    if !git::is_ancestor(scratch, local, tip)? {
        // No fast-forward can bring it along: its own commits go on top.
        return Ok((
            format!(
                "left as it is: it has commits that are not in {}; put them on top with: git rebase {}/{}",
                short_hex(tip),
                remotes.upstream,
                remotes.branch
            ),
            None,
        ));
    }
    let what = |how: &str| {
        format!(
            "fast-forward local {} from {} to {}{how}",
            remotes.branch,
            short_hex(local),
            short_hex(tip)
        )
    };
    match git::worktree::checked_out(scratch, &name)? {
        CheckedOut::Nowhere => Ok((
            "fast-forwarded (not checked out)".into(),
            Some(Effect::UpdateRef {
                name,
                from: local,
                to: tip,
                what: what(" (not checked out)"),
            }),
        )),
        CheckedOut::Elsewhere(path) => Ok((
            format!("left as it is: it is checked out in {path}; {later} there"),
            None,
        )),
        CheckedOut::Busy(why) => Ok((format!("left as it is: {why}; {later} after that"), None)),
        CheckedOut::Here => match git::worktree::blocker(scratch, local, tip)? {
            Some(why) => Ok((format!("left as it is: {why}; {later}"), None)),
            None => Ok((
                "fast-forwarded with its worktree".into(),
                Some(Effect::FastForwardCheckout {
                    branch: name,
                    from: local,
                    to: tip,
                    what: what(", with the files in the worktree"),
                }),
            )),
        },
    }
}
