//! `git push-duty security-merge`: the seed's seven commands for security fixes as one that
//! cannot push the mirror first. Fetch both remotes, refuse if the mirror is ahead of the
//! upstream, merge the fix branches in memory onto the upstream's fresh tip, show what goes
//! public, push the upstream, then the mirror, then bring the local branch along. A run the
//! mirror refused is recorded in the git directory so `--continue` pushes the mirror only.

use anyhow::Result;
use gix::ObjectId;

use crate::commands::diff::render;
use crate::config::{self, Settings};
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git::{self, merge::Merge, worktree::CheckedOut};
use crate::pager;
use crate::plan::{self, Effect, Mode, Outcome, Plan};
use crate::security_state::{self, Lock, Record, Step};

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
    #[arg(value_name = "BRANCH")]
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

/// The two remotes and the branch they share.
struct Remotes {
    upstream: String,
    upstream_url: String,
    security: String,
    security_url: String,
    branch: String,
}

impl Remotes {
    fn from_settings(repo: &gix::Repository, settings: &Settings) -> Result<Self> {
        Self::named(
            repo,
            &settings.upstream,
            &settings.security,
            &settings.branch(repo)?,
        )
    }

    fn named(repo: &gix::Repository, upstream: &str, security: &str, branch: &str) -> Result<Self> {
        let push_url = |name: &str, setting: &str| -> Result<String> {
            let remote = git::remote::find(repo, name, setting)?;
            Ok(git::remote::url(&remote, gix::remote::Direction::Push)
                .unwrap_or_else(|| "no URL".into()))
        };
        Ok(Remotes {
            upstream_url: push_url(upstream, config::UPSTREAM)?,
            security_url: push_url(security, config::SECURITY)?,
            upstream: upstream.to_owned(),
            security: security.to_owned(),
            branch: branch.to_owned(),
        })
    }

    fn head(&self) -> String {
        format!("refs/heads/{}", self.branch)
    }

    /// Fetches (objects only) the upstream's branch and returns its tip.
    fn fetch_upstream(&self, repo: &gix::Repository) -> Result<ObjectId> {
        let refs = git::remote::fetch(repo, &self.upstream, config::UPSTREAM, &[self.head()])?;
        match refs.find(&self.head()) {
            Some(r) => Ok(r.peeled),
            None => refuse(
                Refusal::new(format!(
                    "the upstream {} has no branch {}; nothing was changed",
                    self.upstream, self.branch
                ))
                .hint(format!(
                    "name the branch that is released: git config {} <branch>",
                    config::BRANCH
                )),
            ),
        }
    }

    /// Fetches (objects only) the mirror's branch and `fixes`; returns the branch's tip and each
    /// fix's tip, or refuses naming what the mirror lacks.
    fn fetch_security(
        &self,
        repo: &gix::Repository,
        fixes: &[String],
    ) -> Result<(ObjectId, Vec<ObjectId>)> {
        let mut wanted = vec![self.head()];
        for fix in fixes {
            let name = format!("refs/heads/{fix}");
            if !wanted.contains(&name) {
                wanted.push(name);
            }
        }
        let refs = git::remote::fetch(repo, &self.security, config::SECURITY, &wanted)?;
        let Some(mirror) = refs.find(&self.head()).map(|r| r.peeled) else {
            return refuse(
                Refusal::new(format!(
                    "the security mirror {} has no branch {}; nothing was changed",
                    self.security, self.branch
                ))
                .hint(format!(
                    "the mirror starts as a copy of the upstream: git push {} {}/{}:refs/heads/{}",
                    self.security, self.upstream, self.branch, self.branch
                )),
            );
        };
        let mut tips = Vec::new();
        for fix in fixes {
            match refs.find(&format!("refs/heads/{fix}")) {
                Some(r) => tips.push(r.peeled),
                None => {
                    let mut refusal = Refusal::new(format!(
                        "the security mirror {} has no branch {fix}; nothing was changed",
                        self.security
                    ));
                    let closest = self.closest_branches(repo, fix);
                    if !closest.is_empty() {
                        refusal = refusal.hint(format!(
                            "the closest names on {}: {}",
                            self.security,
                            closest.join(", ")
                        ));
                    }
                    return refuse(refusal.hint(format!(
                        "list the mirror's branches: git ls-remote --heads {}",
                        self.security
                    )));
                }
            }
        }
        Ok((mirror, tips))
    }

    /// The mirror's branches closest to a name it lacks (a typo). A mirror that cannot be listed
    /// now gives none: this only words a refusal that stands either way.
    fn closest_branches(&self, repo: &gix::Repository, missing: &str) -> Vec<String> {
        let specs = [format!("refs/heads/*:refs/remotes/{}/*", self.security)];
        let Ok(listed) = git::remote::list(repo, &self.security, config::SECURITY, &specs) else {
            return Vec::new();
        };
        let names: Vec<&str> = listed
            .refs
            .iter()
            .filter_map(|r| r.name.strip_prefix("refs/heads/"))
            .collect();
        crate::suggest::closest(missing, names, 3)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Refuses, listing the commits, if the mirror's tip is not in the upstream's.
    fn check_mirror_not_ahead(
        &self,
        repo: &gix::Repository,
        mirror: ObjectId,
        upstream: ObjectId,
    ) -> Result<()> {
        if git::is_ancestor(repo, mirror, upstream)? {
            return Ok(());
        }
        let mut lines = Vec::new();
        for id in git::commits_between(repo, Some(upstream), mirror)? {
            lines.push(format!(
                "  {} {}",
                git::short(repo, id),
                git::subject(repo, id)?
            ));
        }
        refuse(
            Refusal::new(format!(
                "the security mirror is ahead of the upstream: {s}/{b} has {n} commit{p} that {u}/{b} lacks:\n{list}\nSomeone pushed to the mirror first or used its web merge button; nothing was changed",
                s = self.security,
                u = self.upstream,
                b = self.branch,
                n = lines.len(),
                p = if lines.len() == 1 { "" } else { "s" },
                list = lines.join("\n"),
            ))
            .hint("review them and publish them on the upstream first: git push-duty security-merge --sync")
            .hint(format!(
                "or have {s}/{b}'s admins remove them, if they must not go public",
                s = self.security,
                b = self.branch,
            )),
        )
    }

    /// For `--sync`: says what the mirror's tip has that the upstream's lacks, if anything.
    fn show_ahead(
        &self,
        repo: &gix::Repository,
        console: &mut Console<'_>,
        mirror: ObjectId,
        upstream: ObjectId,
    ) -> Result<()> {
        if git::is_ancestor(repo, mirror, upstream)? {
            return Ok(());
        }
        let ahead = git::commits_between(repo, Some(upstream), mirror)?;
        let behind = git::commits_between(repo, Some(mirror), upstream)?.len();
        let mut text = format!(
            "{s}/{b} is AHEAD of {u}/{b} by {}{} (someone pushed to the mirror first or used its web merge button):\n",
            plural(ahead.len(), "commit"),
            if behind == 0 {
                String::new()
            } else {
                format!(" (and behind it by {behind})")
            },
            s = self.security,
            u = self.upstream,
            b = self.branch,
        );
        for id in ahead {
            text.push_str(&format!(
                "  {} {}\n",
                git::short(repo, id),
                git::subject(repo, id)?
            ));
        }
        text.push_str(&format!(
            "They go public on {u} {b} first; then both point to the same commit.",
            u = self.upstream,
            b = self.branch,
        ));
        writeln!(console.err, "{text}")?;
        Ok(())
    }

    fn push(&self, to_mirror: bool, commit: ObjectId, what: String) -> Effect {
        let remote = if to_mirror {
            &self.security
        } else {
            &self.upstream
        };
        Effect::Push {
            remote: remote.clone(),
            refspecs: vec![format!("{commit}:{}", self.head())],
            what,
        }
    }

    /// Lists both remotes afresh and checks that their branches point to `commit`.
    fn verify(&self, repo: &gix::Repository, commit: ObjectId) -> Result<()> {
        let head = self.head();
        let tip = |name: &str, setting: &str| -> Result<Option<ObjectId>> {
            let refs = git::remote::list(repo, name, setting, std::slice::from_ref(&head))?;
            Ok(refs.find(&head).map(|r| r.peeled))
        };
        let upstream = tip(&self.upstream, config::UPSTREAM)?;
        let mirror = tip(&self.security, config::SECURITY)?;
        if upstream == Some(commit) && mirror == Some(commit) {
            return Ok(());
        }
        let show = |id: Option<ObjectId>| id.map_or("nothing".to_owned(), |id| id.to_string());
        refuse(
            Refusal::new(format!(
                "after the pushes, {}/{b} is at {} and {}/{b} at {}, not both at {commit}",
                self.upstream,
                show(upstream),
                self.security,
                show(mirror),
                b = self.branch
            ))
            .hint("someone pushed meanwhile; run this again for the same branch to bring the mirror up to the upstream"),
        )
    }

    /// The steps once the upstream has the record's commit: note that, push it to the mirror
    /// (unless it has it already), then clear the record.
    fn finish(
        &self,
        plan: &mut Plan,
        record: &Record,
        commit: ObjectId,
        path: &std::path::Path,
        push_mirror: bool,
    ) {
        if push_mirror {
            if record.step == Step::PushUpstream {
                plan.push(Effect::WriteFile {
                    path: path.to_owned(),
                    contents: record.at(Step::PushMirror).to_json(),
                    what: format!("record that {} has it", self.upstream),
                });
            }
            plan.push(self.push(
                true,
                commit,
                format!(
                    "push {} to {} {} ({})",
                    short_hex(commit),
                    self.security,
                    self.branch,
                    self.security_url
                ),
            ));
        }
        plan.push(Effect::RemoveFile {
            path: path.to_owned(),
            what: "clear the record: both remotes have it".into(),
        });
    }

    fn tracking(&self, remote: &str, branch: &str) -> String {
        format!("refs/remotes/{remote}/{branch}")
    }
}

/// What one named branch came to.
#[derive(serde::Serialize)]
struct BranchReport {
    name: String,
    tip: String,
    /// `fast-forward`, `merge` or `already-merged`.
    outcome: &'static str,
    /// The new tip after this branch: the branch itself, or the merge commit.
    result: Option<String>,
}

#[derive(serde::Serialize)]
struct CommitLine {
    id: String,
    subject: String,
}

#[derive(serde::Serialize)]
struct FileLine {
    path: String,
    insertions: usize,
    deletions: usize,
    binary: bool,
}

#[derive(serde::Serialize)]
struct Report {
    upstream: String,
    security: String,
    branch: String,
    base: String,
    result: String,
    branches: Vec<BranchReport>,
    commits: Vec<CommitLine>,
    files: Vec<FileLine>,
    dry_run: bool,
    /// The commit both remotes were listed at afterwards; none unless everything was done.
    published: Option<String>,
    local_branch: String,
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    if args.abort {
        return abort(repo, console, args);
    }
    if args.resume {
        return resume(repo, console, args);
    }
    merge_and_push(repo, console, args)
}

fn merge_and_push(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let settings = Settings::load(repo)?;
    // No branch named: the mirror's own branch is merged, to bring both to the same commit.
    let sync = args.branches.is_empty();
    let fixes = if sync {
        vec![settings.branch(repo)?]
    } else {
        branch_names(&args.branches, &settings.security)?
    };
    // A dry run writes nothing, not even the lock.
    let _lock = (!args.dry_run).then(|| Lock::acquire(repo)).transpose()?;
    let stale = match security_state::load(repo)? {
        Some(record) => Some(stale_record(repo, console, &record)?),
        None => None,
    };
    let remotes = Remotes::from_settings(repo, &settings)?;
    check_upstream_push_urls(repo, &remotes.upstream)?;
    let base = remotes.fetch_upstream(repo)?;
    let (mirror, fix_tips) = remotes.fetch_security(repo, &fixes)?;
    if sync {
        remotes.show_ahead(repo, console, mirror, base)?;
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
            Ok(CommitLine {
                id: id.to_string(),
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
        upstream: remotes.upstream.clone(),
        security: remotes.security.clone(),
        branch: remotes.branch.clone(),
        base: base.to_string(),
        result: tip.to_string(),
        branches,
        commits,
        files: files
            .iter()
            .map(|f| FileLine {
                path: f.path().to_owned(),
                insertions: f.insertions,
                deletions: f.deletions,
                binary: f.binary,
            })
            .collect(),
        dry_run: args.dry_run,
        published: None,
        local_branch: local.clone(),
    };

    let mut tracking = vec![
        (remotes.tracking(&remotes.upstream, &remotes.branch), tip),
        (remotes.tracking(&remotes.security, &remotes.branch), tip),
    ];
    for (fix, theirs) in fixes.iter().zip(&fix_tips) {
        let name = remotes.tracking(&remotes.security, fix);
        if !tracking.iter().any(|(n, _)| *n == name) {
            tracking.push((name, *theirs));
        }
    }
    let tracking_is_current = tracking_current(repo, &tracking)?;
    let tracking_effect = tracking_refs(tracking);

    let mut plan = Plan::default();
    if let Some(path) = stale {
        plan.push(Effect::RemoveFile {
            path,
            what: "forget the record of the earlier run that never reached the upstream".into(),
        });
    }
    let question;
    if tip == base
        && mirror == base
        && !(plan.effects.is_empty() && tracking_is_current && local_effect.is_none())
    {
        // Both remotes have it; a run stopped before its last steps left this clone behind.
        if sync {
            writeln!(
                console.err,
                "Nothing to do on the remotes: {u}/{b} and {s}/{b} are both at {}; only this clone is brought along.",
                git::short(repo, base),
                u = remotes.upstream,
                s = remotes.security,
                b = remotes.branch,
            )?;
        } else {
            writeln!(
                console.err,
                "{} {} already has every branch named, and the mirror is there too: only this clone is brought along.",
                remotes.upstream, remotes.branch
            )?;
        }
        question = "Go ahead?".to_owned();
    } else if tip == base {
        if mirror == base {
            if sync {
                writeln!(
                    console.err,
                    "Nothing to do: {u}/{b} and {s}/{b} are both at {}.",
                    git::short(repo, base),
                    u = remotes.upstream,
                    s = remotes.security,
                    b = remotes.branch,
                )?;
            } else {
                writeln!(
                    console.err,
                    "Nothing to do: {} {} already has every branch named, and the mirror is there too.",
                    remotes.upstream, remotes.branch
                )?;
            }
            // The clone may still be behind for a reason it cannot fix itself (a stale index
            // lock after a crash): that is not "nothing to do" for the user.
            if git::ref_commit(repo, &remotes.head())?.is_some_and(|local| local != tip) {
                writeln!(console.err, "Local {}: {local}", remotes.branch)?;
            }
            report.published = Some(base.to_string());
            return finish_report(console, args, &report);
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
        plan.push(remotes.push(
            true,
            base,
            format!(
                "push {} to {} {} ({}), where the upstream already has it",
                git::short(repo, base),
                remotes.security,
                remotes.branch,
                remotes.security_url
            ),
        ));
        question = format!(
            "Bring {} {} up to {}?",
            remotes.security,
            remotes.branch,
            git::short(repo, base)
        );
    } else {
        if !args.json {
            let mut text = format!(
                "{} commit{} go{} public on {} {}:\n",
                report.commits.len(),
                if report.commits.len() == 1 { "" } else { "s" },
                if report.commits.len() == 1 { "es" } else { "" },
                remotes.upstream,
                remotes.branch
            );
            for c in &report.commits {
                let id = ObjectId::from_hex(c.id.as_bytes())?;
                text.push_str(&format!("  {} {}\n", short_hex(id), c.subject));
            }
            text.push('\n');
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
            plan.push(Effect::WriteObjects {
                objects,
                what: format!("write the merge (commit {short}) to the object database"),
            });
        }
        plan.push(Effect::WriteFile {
            path: record_path.clone(),
            contents: record.to_json(),
            what: format!("record the run in {}", record_path.display()),
        });
        plan.push(remotes.push(
            false,
            tip,
            format!(
                "push {short} to {} {} ({}), never forced",
                remotes.upstream, remotes.branch, remotes.upstream_url
            ),
        ));
        remotes.finish(&mut plan, &record, tip, &record_path, true);
        question = format!(
            "Push {short} to {} {}, then to {} {}?",
            remotes.upstream, remotes.branch, remotes.security, remotes.branch
        );
    }
    plan.push(tracking_effect);
    if let Some(effect) = local_effect {
        plan.push(effect);
    } else {
        writeln!(console.err, "Local {}: {local}", remotes.branch)?;
    }

    let mode = Mode {
        dry_run: args.dry_run,
        yes: args.yes,
    };
    match plan::carry_out(repo, console, plan, mode, &question) {
        Ok(Outcome::Done) => {}
        Ok(Outcome::DryRun) => return finish_report(console, args, &report),
        Err(e) => return Err(after_failure(repo, &remotes, tip, e)),
    }
    remotes.verify(repo, tip)?;
    report.published = Some(tip.to_string());
    finish_report(console, args, &report)
}

/// Refuses, before anything is fetched or pushed, when `git push <upstream>` would reach another
/// repository than the one the run reads the upstream from (a `pushurl` at a staging copy, a
/// second `url`): the merge would be judged against one and published to the other, and the
/// mirror, pushed next, would be left ahead of the real upstream.
fn check_upstream_push_urls(repo: &gix::Repository, upstream: &str) -> Result<()> {
    use gix::remote::Direction;
    let remote = git::remote::find(repo, upstream, config::UPSTREAM)?;
    let Some(fetch) = git::remote::url(&remote, Direction::Fetch) else {
        return refuse(Refusal::new(format!(
            "the upstream {upstream} has no URL; nothing was changed"
        )));
    };
    // The process runs from the top of the worktree, where git resolves relative URLs.
    let base = std::env::current_dir()?;
    for push in remote.urls(Direction::Push) {
        let push = push.to_bstring().to_string();
        if !git::facts::same_repository(&push, &fetch, &base)? {
            return refuse(
                Refusal::new(format!(
                    "git push {upstream} would go to {push}, which is not the repository {upstream} is fetched from ({fetch}); nothing was changed"
                ))
                .hint(format!(
                    "push where the upstream is read from: git remote set-url --push {upstream} {fetch}"
                ))
                .hint(format!(
                    "or drop the push URL: git config --unset-all remote.{upstream}.pushurl"
                )),
            );
        }
    }
    Ok(())
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
) -> Result<(ObjectId, Vec<BranchReport>)> {
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
        branches.push(BranchReport {
            name: fix.clone(),
            tip: theirs.to_string(),
            outcome,
            result: merged.result().map(|id| id.to_string()),
        });
    }
    Ok((tip, branches))
}

/// Prints the JSON report, or the line that says where both remotes are.
fn finish_report(console: &mut Console<'_>, args: &Args, report: &Report) -> Result<()> {
    if args.json {
        serde_json::to_writer_pretty(&mut *console.out, report)?;
        writeln!(console.out)?;
        return Ok(());
    }
    if let Some(published) = &report.published {
        writeln!(
            console.out,
            "{}/{b} and {}/{b} are both at {published}",
            report.upstream,
            report.security,
            b = report.branch
        )?;
    }
    Ok(())
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

/// Sets remote-tracking refs to what the remotes were seen to have.
fn tracking_refs(refs: Vec<(String, ObjectId)>) -> Effect {
    Effect::SetTrackingRefs {
        what: format!(
            "update the remote-tracking refs {}",
            refs.iter()
                .map(|(n, _)| n.trim_start_matches("refs/remotes/"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        refs,
    }
}

/// `1 commit`, `2 commits`.
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn short_hex(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
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
        return refusal
            .hint("resolve it on a local branch, publish that on the upstream first, then bring the mirror to it:")
            .hint(format!(
                "git fetch {u} {b} && git fetch {s} {b} && git switch -c sync-{b} {u}/{b} && git merge {s}/{b}"
            ))
            .hint(format!(
                "then, with {files} resolved and committed, see what goes public (git push-duty diff) and: git push {u} sync-{b}:{b} && git push-duty security-merge --sync"
            ));
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

/// Turns a failed plan into what the user needs to know: whether anything went public, and how
/// to finish or start again.
fn after_failure(
    repo: &gix::Repository,
    remotes: &Remotes,
    tip: ObjectId,
    err: anyhow::Error,
) -> anyhow::Error {
    let cause = err.root_cause().to_string();
    let record = match security_state::load(repo) {
        Ok(Some(record)) => record,
        Ok(None) | Err(_) => return err,
    };
    let short = short_hex(tip);
    let refusal = match record.step {
        Step::PushMirror => Refusal::new(format!(
            "{u} {b} has {short}, but the mirror {s} did not take it: {cause}\nThe mirror is behind the upstream, never ahead; the run is recorded in {}",
            security_state::record_path(repo).display(),
            u = remotes.upstream,
            s = remotes.security,
            b = remotes.branch,
        ))
        .hint("fix the cause, then push the mirror only: git push-duty security-merge --continue"),
        Step::PushUpstream => {
            let head = remotes.head();
            let listed = git::remote::list(repo, &remotes.upstream, config::UPSTREAM, std::slice::from_ref(&head));
            match listed.map(|refs| refs.find(&head).map(|r| r.peeled)) {
                Ok(now) if now == Some(tip) => Refusal::new(format!(
                    "{u} {b} has {short}, but the run stopped before the mirror: {cause}",
                    u = remotes.upstream,
                    b = remotes.branch,
                ))
                .hint("push the mirror too: git push-duty security-merge --continue"),
                Ok(_) => {
                    // The upstream did not take it: nothing is public, so nothing is left to
                    // finish, and a rerun starts from a fresh fetch.
                    if let Err(e) = std::fs::remove_file(security_state::record_path(repo)) {
                        return anyhow::Error::new(e).context(format!(
                            "the push to {} failed ({cause}), and its record cannot be removed",
                            remotes.upstream
                        ));
                    }
                    Refusal::new(format!(
                        "{u} did not take {short}, so nothing was pushed to the mirror {s}: {cause}",
                        u = remotes.upstream,
                        s = remotes.security,
                    ))
                    .hint(format!(
                        "if someone pushed to {u} {b} meanwhile, run this again: it starts from a fresh fetch",
                        u = remotes.upstream,
                        b = remotes.branch,
                    ))
                }
                Err(_) => Refusal::new(format!(
                    "the push to {u} failed ({cause}), and {u} cannot be listed to see whether it took {short}",
                    u = remotes.upstream,
                ))
                .hint("once it can be reached: git push-duty security-merge --continue finishes the run if the upstream has it")
                .hint("or git push-duty security-merge --abort forgets it if the upstream does not"),
            }
        }
    };
    anyhow::Error::new(refusal)
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

/// `--continue`: push the mirror for a recorded run whose upstream push went through.
fn resume(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let _lock = (!args.dry_run).then(|| Lock::acquire(repo)).transpose()?;
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
    let upstream_has_it =
        repo.find_commit(commit).is_ok() && git::is_ancestor(repo, commit, upstream)?;
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
    let mut plan = Plan::default();
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
    remotes.finish(&mut plan, &record, commit, &record_path, !mirror_has_it);
    let mut tracking = vec![
        (
            remotes.tracking(&remotes.upstream, &remotes.branch),
            upstream,
        ),
        (
            remotes.tracking(&remotes.security, &remotes.branch),
            published,
        ),
    ];
    tracking.extend(merged_fix_tips(repo, &remotes, &record)?);
    plan.push(tracking_refs(tracking));
    let (local, local_effect) = local_branch(repo, &remotes, commit)?;
    match local_effect {
        Some(effect) => plan.push(effect),
        None => writeln!(console.err, "Local {}: {local}", remotes.branch)?,
    }
    let mode = Mode {
        dry_run: args.dry_run,
        yes: args.yes,
    };
    let question = format!("Push {short} to {} {}?", remotes.security, remotes.branch);
    let outcome = plan::carry_out(repo, console, plan, mode, &question).map_err(|e| {
        match security_state::load(repo) {
            Ok(Some(_)) => anyhow::Error::new(
                Refusal::new(format!(
                    "the mirror {} still does not have {short}: {}",
                    remotes.security,
                    e.root_cause()
                ))
                .hint("fix the cause, then again: git push-duty security-merge --continue"),
            ),
            _ => e,
        }
    })?;
    let mut report = Report {
        upstream: remotes.upstream.clone(),
        security: remotes.security.clone(),
        branch: remotes.branch.clone(),
        base: record.base.clone(),
        result: record.commit.clone(),
        branches: Vec::new(),
        commits: Vec::new(),
        files: Vec::new(),
        dry_run: args.dry_run,
        published: None,
        local_branch: local,
    };
    match outcome {
        Outcome::Done => {}
        Outcome::DryRun => return finish_report(console, args, &report),
    }
    remotes.verify(repo, published)?;
    report.published = Some(published.to_string());
    finish_report(console, args, &report)
}

/// `--abort`: forget a recorded run that has not reached the upstream.
fn abort(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let _lock = (!args.dry_run).then(|| Lock::acquire(repo)).transpose()?;
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
    if repo.find_commit(commit).is_ok() && git::is_ancestor(repo, commit, upstream)? {
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
    let mode = Mode {
        dry_run: args.dry_run,
        yes: args.yes,
    };
    if plan::carry_out(repo, console, plan, mode, "Forget it?")? == Outcome::Done {
        writeln!(
            console.err,
            "Forgotten; nothing was pushed. Start again with: git push-duty security-merge <branch>..."
        )?;
    }
    Ok(())
}

/// True if every remote-tracking ref in `tracking` already points where it would be set.
fn tracking_current(repo: &gix::Repository, tracking: &[(String, ObjectId)]) -> Result<bool> {
    for (name, id) in tracking {
        let reference = repo
            .try_find_reference(name.as_str())
            .map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?;
        if reference.and_then(|r| r.target().try_id().map(ToOwned::to_owned)) != Some(*id) {
            return Ok(false);
        }
    }
    Ok(true)
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

/// The tracking refs of the fix branches a recorded run merged, as the mirror lists them now, so
/// `--continue` leaves them where an uninterrupted run would; a branch the mirror no longer has
/// (deleted once merged) or whose commit is not here is left out.
fn merged_fix_tips(
    repo: &gix::Repository,
    remotes: &Remotes,
    record: &Record,
) -> Result<Vec<(String, ObjectId)>> {
    let wanted: Vec<String> = record
        .merged
        .iter()
        .filter(|fix| **fix != remotes.branch)
        .map(|fix| format!("refs/heads/{fix}"))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let listed = git::remote::list(repo, &remotes.security, config::SECURITY, &wanted)?;
    Ok(record
        .merged
        .iter()
        .filter_map(|fix| {
            let tip = listed.find(&format!("refs/heads/{fix}"))?.target;
            repo.has_object(tip)
                .then(|| (remotes.tracking(&remotes.security, fix), tip))
        })
        .collect())
}
