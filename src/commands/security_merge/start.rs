//! `security-merge BRANCH...`: merge the named fix branches of the mirror onto the upstream's
//! fresh tip, show what goes public, push the upstream, then the mirror, then bring this clone
//! along; and what to say when the plan stops at one of its steps. `--sync` takes the same road
//! with the mirror's own branch (see `sync`).

use anyhow::Result;
use gix::ObjectId;

use super::report::{BranchOutcome, Commit, FileLine, Report};
use super::{Args, MergeStep, finish, local_branch, sync};
use crate::console::Console;
use crate::context::Context;
use crate::diff_view::render;
use crate::error::{Refusal, refuse};
use crate::git::{self, merge::Merge};
use crate::pager;
use crate::plan::{Effect, Outcome, Plan, Runner, Stop};
use crate::security::record::{self as security_state, Record, Step};
use crate::security::remotes::{self, Remotes, short_hex, tracking_current, tracking_refs};

/// `security-merge BRANCH...`: merges the named fix branches.
pub(super) fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let fixes = branch_names(&args.branches, &ctx.settings.security)?;
    merge(ctx, console, args, Merging::Fixes(fixes))
}

/// What a run merges onto the upstream's branch.
pub(super) enum Merging {
    /// The named fix branches of the mirror, in order.
    Fixes(Vec<String>),
    /// The mirror's own release branch (`--sync`).
    Mirror,
}

/// Merges what `merging` names onto the upstream's fresh tip, shows it, and publishes it, the
/// upstream first.
pub(super) fn merge(
    ctx: &Context<'_>,
    console: &mut Console<'_>,
    args: &Args,
    merging: Merging,
) -> Result<()> {
    let repo = ctx.repo;
    let branch = ctx.branch.clone();
    let (sync, fixes) = match merging {
        Merging::Fixes(fixes) => (false, fixes),
        Merging::Mirror => (true, vec![branch.clone()]),
    };
    let mut runner = Runner::new(args.mode());
    runner.hold(security_state::lock(repo))?;
    let stale = match security_state::load(repo)? {
        Some(record) => Some(stale_record(repo, console, &record)?),
        None => None,
    };
    let remotes = Remotes::from_settings(repo, &ctx.settings, &branch)?;
    remotes.refuse_push_elsewhere(repo)?;
    let base = remotes.fetch_upstream(repo)?;
    let (mirror, fix_tips) = remotes.fetch_security(repo, &fixes)?;
    if sync {
        if let Some(ahead) = remotes.ahead(repo, mirror, base)? {
            writeln!(console.err, "{ahead}")?;
        }
    } else {
        remotes.check_mirror_not_ahead(repo, mirror, base)?;
    }
    writeln!(
        console.err,
        "{u}/{b} is at {} ({}); {s}/{b} at {}{}",
        git::short(repo, base),
        git::subject(repo, base)?,
        git::short(repo, mirror),
        if mirror == base {
            ", the same"
        } else if git::is_ancestor(repo, mirror, base)? {
            ", behind it"
        } else {
            ", ahead of it"
        },
        u = remotes.upstream,
        s = remotes.security,
        b = remotes.branch,
    )?;

    // Everything is built in memory; the plan writes it only when carried out.
    let mut scratch = repo.clone().with_object_memory();
    let (tip, branches) = merge_fixes(&scratch, console, &remotes, base, &fixes, &fix_tips)?;

    let commits = git::commits_between(&scratch, Some(base), tip)?
        .into_iter()
        .map(|id| {
            Ok(Commit {
                id,
                subject: git::subject(&scratch, id)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let files = git::diff::between(&scratch, base, tip)?;
    let (local, local_effect) = local_branch(&scratch, &remotes, tip)?;
    let objects = scratch
        .objects
        .take_object_memory()
        .expect("the scratch repository was given object memory");

    let mut report = Report {
        branches,
        commits,
        files: FileLine::of(&files),
        ..Report::new(&remotes, base.to_string(), tip, local.clone())
    };

    let mut tracking = vec![
        (remotes::tracking(&remotes.upstream, &remotes.branch), tip),
        (remotes::tracking(&remotes.security, &remotes.branch), tip),
    ];
    for (fix, theirs) in fixes.iter().zip(&fix_tips) {
        let name = remotes::tracking(&remotes.security, fix);
        if !tracking.iter().any(|(n, _)| *n == name) {
            tracking.push((name, *theirs));
        }
    }
    let tracking_is_current = tracking_current(repo, &tracking)?;
    let tracking_effect = tracking_refs(tracking);

    let mut plan: Plan<MergeStep> = Plan::default();
    if let Some(path) = stale {
        plan.add(
            MergeStep::Forget,
            Effect::RemoveFile {
                path,
                what: "forget the record of the earlier run that never reached the upstream".into(),
            },
        );
    }
    let question;
    if tip == base
        && mirror == base
        && !(plan.effects.is_empty() && tracking_is_current && local_effect.is_none())
    {
        // Both remotes have it; a run stopped before its last steps left this clone behind.
        let words = if sync {
            sync::only_this_clone(repo, &remotes, base)
        } else {
            format!(
                "{} {} already has every branch named, and the mirror is there too: only this clone is brought along.",
                remotes.upstream, remotes.branch
            )
        };
        writeln!(console.err, "{words}")?;
        question = "Go ahead?".to_owned();
    } else if tip == base {
        if mirror == base {
            let words = if sync {
                sync::nothing_to_do(repo, &remotes, base)
            } else {
                format!(
                    "Nothing to do: {} {} already has every branch named, and the mirror is there too.",
                    remotes.upstream, remotes.branch
                )
            };
            writeln!(console.err, "{words}")?;
            // The clone may still be behind for a reason it cannot fix itself (a stale index
            // lock after a crash): that is not "nothing to do" for the user.
            if git::ref_commit(repo, &remotes.head())?.is_some_and(|local| local != tip) {
                writeln!(console.err, "Local {}: {local}", remotes.branch)?;
            }
            report.published = Some(base);
            return report.print(console, args.json);
        }
        writeln!(
            console.err,
            "Every branch named is already on {} {}: only the mirror {} is brought up to date ({} to {}).",
            remotes.upstream,
            remotes.branch,
            remotes.security,
            git::short(repo, mirror),
            git::short(repo, base)
        )?;
        plan.add(
            MergeStep::BringMirrorUp,
            remotes.push(
                true,
                base,
                format!(
                    "push {} to {} {} ({}), where the upstream already has it",
                    git::short(repo, base),
                    remotes.security,
                    remotes.branch,
                    remotes.security_url
                ),
            ),
        );
        question = format!(
            "Bring {} {} up to {}?",
            remotes.security,
            remotes.branch,
            git::short(repo, base)
        );
    } else {
        if !args.json {
            let mut text = report.commits_text();
            text.push_str(&render(&files, args.stat, console.color));
            pager::show(repo, console, &text)?;
        }
        let record = Record {
            version: security_state::VERSION,
            step: Step::PushUpstream,
            upstream: remotes.upstream.clone(),
            security: remotes.security.clone(),
            branch: remotes.branch.clone(),
            base: base.to_string(),
            commit: tip.to_string(),
            merged: fixes.clone(),
        };
        let record_path = security_state::record_path(repo);
        let short = short_hex(tip);
        if !objects.is_empty() {
            plan.add(
                MergeStep::Objects,
                Effect::WriteObjects {
                    objects,
                    what: format!("write the merge (commit {short}) to the object database"),
                },
            );
        }
        plan.add(
            MergeStep::Record,
            Effect::WriteFile {
                path: record_path.clone(),
                contents: record.to_json(),
                what: format!("record the run in {}", record_path.display()),
            },
        );
        plan.add(
            MergeStep::PushUpstream,
            remotes.push(
                false,
                tip,
                format!(
                    "push {short} to {} {} ({}), never forced",
                    remotes.upstream, remotes.branch, remotes.upstream_url
                ),
            ),
        );
        finish(&mut plan, &remotes, &record, tip, &record_path, true);
        question = format!(
            "Push {short} to {} {}, then to {} {}?",
            remotes.upstream, remotes.branch, remotes.security, remotes.branch
        );
    }
    plan.add(MergeStep::Tracking, tracking_effect);
    if let Some(effect) = local_effect {
        plan.add(MergeStep::Local, effect);
    } else {
        writeln!(console.err, "Local {}: {local}", remotes.branch)?;
    }

    match runner.carry_out(repo, console, plan, &question) {
        Ok(Outcome::Done) => {}
        Ok(Outcome::DryRun) => {
            report.dry_run = true;
            return report.print(console, args.json);
        }
        Err(stop) => return Err(after_failure(repo, &mut runner, &remotes, tip, stop)),
    }
    remotes.verify(repo, tip)?;
    report.published = Some(tip);
    report.print(console, args.json)
}

/// Turns a plan stopped at one of its steps into what the user needs to know: whether anything
/// went public, and how to finish or start again. Before the upstream push nothing is public; a
/// push that failed is looked for on the upstream (a push can fail after the remote took it);
/// after it, the mirror is behind and `--continue` finishes.
fn after_failure(
    repo: &gix::Repository,
    runner: &mut Runner,
    remotes: &Remotes,
    tip: ObjectId,
    stop: Stop<MergeStep>,
) -> anyhow::Error {
    let failed = match stop {
        Stop::Before(e) => return e,
        Stop::Step(failed) => failed,
    };
    let cause = failed.cause_text();
    let short = short_hex(tip);
    let (u, s, b) = (&remotes.upstream, &remotes.security, &remotes.branch);
    let path = security_state::record_path(repo);
    let stopped_before_the_mirror = || {
        Refusal::new(format!(
            "{u} {b} has {short}, but the run stopped before the mirror: {cause}"
        ))
        .hint("push the mirror too: git push-duty security-merge --continue")
    };
    let refusal = match failed.mark {
        // Nothing of the run is public, and nothing is recorded that needs saying.
        MergeStep::Forget
        | MergeStep::Objects
        | MergeStep::Record
        | MergeStep::BringMirrorUp
        | MergeStep::Tracking
        | MergeStep::Local => return failed.into_error(),
        MergeStep::PushUpstream => {
            let took = if failed.interrupted() {
                Ok(false)
            } else {
                let head = remotes.head();
                git::remote::list(
                    repo,
                    u,
                    crate::config::UPSTREAM,
                    std::slice::from_ref(&head),
                )
                .map(|refs| refs.find(&head).map(|r| r.peeled) == Some(tip))
            };
            match took {
                Ok(true) => stopped_before_the_mirror(),
                Ok(false) => {
                    // The upstream did not take it: nothing is public, so nothing is left to
                    // finish, and a rerun starts from a fresh fetch.
                    let mut forget = Plan::default();
                    forget.push(Effect::RemoveFile {
                        path: path.clone(),
                        what: "forget the run: the upstream did not take it".into(),
                    });
                    if let Err(e) = runner.recover(repo, forget) {
                        return e.context(format!(
                            "the push to {u} failed ({cause}), and its record cannot be removed"
                        ));
                    }
                    Refusal::new(format!(
                        "{u} did not take {short}, so nothing was pushed to the mirror {s}: {cause}"
                    ))
                    .hint(format!(
                        "if someone pushed to {u} {b} meanwhile, run this again: it starts from a fresh fetch"
                    ))
                }
                Err(_) => Refusal::new(format!(
                    "the push to {u} failed ({cause}), and {u} cannot be listed to see whether it took {short}"
                ))
                .hint("once it can be reached: git push-duty security-merge --continue finishes the run if the upstream has it")
                .hint("or git push-duty security-merge --abort forgets it if the upstream does not"),
            }
        }
        MergeStep::UpstreamHasIt => stopped_before_the_mirror(),
        MergeStep::PushMirror => Refusal::new(format!(
            "{u} {b} has {short}, but the mirror {s} did not take it: {cause}\nThe mirror is behind the upstream, never ahead; the run is recorded in {}",
            path.display(),
        ))
        .hint("fix the cause, then push the mirror only: git push-duty security-merge --continue"),
        MergeStep::Clear => Refusal::new(format!(
            "{u} {b} and {s} {b} both have {short}, but the record of the run, {}, was not cleared: {cause}",
            path.display()
        ))
        .hint("finish it: git push-duty security-merge --continue"),
    };
    anyhow::Error::new(refusal)
}

/// Merges each fix in order onto `base` in `scratch` (object memory), saying what each came to;
/// returns the new tip. A conflict is a refusal naming the paths.
fn merge_fixes(
    scratch: &gix::Repository,
    console: &mut Console<'_>,
    remotes: &Remotes,
    base: ObjectId,
    fixes: &[String],
    fix_tips: &[ObjectId],
) -> Result<(ObjectId, Vec<BranchOutcome>)> {
    let committer = git::committer(scratch)?;
    let ours_label = format!("{}/{}", remotes.upstream, remotes.branch);
    let mut tip = base;
    let mut branches = Vec::new();
    for (fix, theirs) in fixes.iter().zip(fix_tips) {
        let label = format!("{}/{fix}", remotes.security);
        let merged = git::merge::merge(
            scratch,
            (tip, &ours_label),
            (*theirs, &label),
            &format!("Merge {label}\n"),
            &committer,
        )?;
        let outcome = match &merged {
            Merge::AlreadyMerged => {
                writeln!(
                    console.err,
                    "{label}: already merged into {ours_label}, skipped"
                )?;
                "already-merged"
            }
            Merge::FastForward(_) => {
                writeln!(console.err, "{label}: fast-forward")?;
                "fast-forward"
            }
            Merge::Commit(id) => {
                writeln!(
                    console.err,
                    "{label}: merge commit {} (Merge {label})",
                    git::short(scratch, *id)
                )?;
                "merge"
            }
            Merge::Conflict(paths) => return refuse(conflict(remotes, fix, paths)),
            Merge::Unrelated => return refuse(unrelated(remotes, fix)),
        };
        if let Some(result) = merged.result() {
            tip = result;
        }
        branches.push(BranchOutcome {
            name: fix.clone(),
            tip: *theirs,
            outcome,
            result: merged.result(),
        });
    }
    Ok((tip, branches))
}

/// A fix conflicts: merged the other way on the mirror's fix branch. The mirror's own branch
/// (`--sync`) is resolved by hand on a local branch instead and published on the upstream's
/// branch (which the pre-push hook allows: it is how fixes go public), after which the mirror is
/// only behind and `--sync` brings it along.
fn conflict(remotes: &Remotes, fix: &str, paths: &[String]) -> Refusal {
    let (s, u, b) = (&remotes.security, &remotes.upstream, &remotes.branch);
    let files = paths.join(", ");
    let refusal = Refusal::new(format!(
        "{s}/{fix} conflicts with {u}/{b} in: {files}; nothing was changed"
    ));
    if fix == b {
        return sync::resolve_by_hand(refusal, remotes, &files);
    }
    refusal
        .hint("merge the upstream branch into the security branch on the mirror, then run this again:")
        .hint(format!(
            "git fetch {u} {b} && git fetch {s} {fix} && git switch -c {fix} {s}/{fix} && git merge {u}/{b} && git push {s} {fix}"
        ))
}

fn unrelated(remotes: &Remotes, fix: &str) -> Refusal {
    Refusal::new(format!(
        "{s}/{fix} shares no history with {u}/{b} (unrelated histories), so it is not merged; nothing was changed",
        s = remotes.security,
        u = remotes.upstream,
        b = remotes.branch,
    ))
    .hint(format!(
        "a fix branch starts from {u}/{b}; check the name (git ls-remote --heads {s}), or rebuild the fix on {u}/{b} and push it to the mirror again",
        s = remotes.security,
        u = remotes.upstream,
        b = remotes.branch,
    ))
}

/// The refusal for starting a run while one is recorded.
fn unfinished(repo: &gix::Repository, record: &Record) -> Refusal {
    let what = match record.step {
        Step::PushMirror => format!(
            "{} {} has it, the mirror {} does not yet",
            record.upstream, record.branch, record.security
        ),
        Step::PushUpstream => format!(
            "it may not have reached {} {} yet",
            record.upstream, record.branch
        ),
    };
    Refusal::new(format!(
        "a security merge of {} ({}) is unfinished: {what}; nothing was changed",
        record.merged.join(", "),
        record.commit.get(..7).unwrap_or(&record.commit),
    ))
    .hint("finish it: git push-duty security-merge --continue")
    .hint(match record.step {
        Step::PushUpstream => "or forget it: git push-duty security-merge --abort".to_owned(),
        Step::PushMirror => format!(
            "the record is {}",
            security_state::record_path(repo).display()
        ),
    })
}

/// A recorded run found when a new one starts: one that never reached the upstream (stopped or
/// killed before its push went through) is stale, as nothing of it is public, and its record's
/// path is returned so the new plan forgets it; any other is a refusal saying how to finish it.
fn stale_record(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    record: &Record,
) -> Result<std::path::PathBuf> {
    if record.step != Step::PushUpstream {
        return refuse(unfinished(repo, record));
    }
    let remotes = Remotes::named(repo, &record.upstream, &record.security, &record.branch)?;
    let upstream = remotes.fetch_upstream(repo)?;
    let commit = record.commit()?;
    if repo.has_object(commit) && git::is_ancestor(repo, commit, upstream)? {
        return refuse(unfinished(repo, record));
    }
    writeln!(
        console.err,
        "An earlier run of {} ({}) stopped before {} {} took it; nothing of it is public, so it is forgotten and this run starts afresh.",
        record.merged.join(", "),
        short_hex(commit),
        record.upstream,
        record.branch
    )?;
    Ok(security_state::record_path(repo))
}

/// Names as the mirror has them: `security/fix` and `refs/heads/fix` become `fix`; duplicates go.
fn branch_names(args: &[String], security: &str) -> Result<Vec<String>> {
    let prefix = format!("{security}/");
    let mut names: Vec<String> = Vec::new();
    for arg in args {
        let name = arg
            .strip_prefix("refs/heads/")
            .or_else(|| arg.strip_prefix(&prefix))
            .unwrap_or(arg);
        let full = format!("refs/heads/{name}");
        if name.is_empty() || gix::refs::FullName::try_from(full.as_str()).is_err() {
            return refuse(Refusal::usage(format!("{arg:?} is not a branch name")));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}
