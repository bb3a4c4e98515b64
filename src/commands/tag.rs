//! `git push-duty tag`: the seed's "Tag the repos" in one command. Fetch, name the next calendar
//! tag, tag the upstream branch's tip (or cherry-pick revisions onto the last tag, in memory),
//! push only that tag, and print the compare link.

use anyhow::{Context as _, Result};
use gix::ObjectId;

use crate::config;
use crate::console::Console;
use crate::context::Context;
use crate::error::{Refusal, refuse};
use crate::git::{self, pick::Picked};
use crate::plan::{Effect, Mark, Mode, Outcome, Plan, Runner, Stop};
use crate::security::record as security_state;
use crate::tagging::record::{self as tag_record, TagRecord};
use crate::tagging::ships::{self, Shipment};
use crate::tagging::upstream_tags::{Reach, Scope, UpstreamTags};

/// Create the next calendar tag and push it to the upstream.
///
/// Fetches the upstream, names the next calendar tag (see next-tag), and tags the tip of
/// <upstream>/<branch> with an annotated tag. With --cherry-pick, the revisions are applied in
/// order, in memory, onto the latest revision of this push date's tag (or the calendar tag before
/// it, or --from), and the result is tagged instead; the worktree, index and branches are not
/// touched. Only the new tag is pushed (git push <upstream> refs/tags/NAME). A tag is never
/// moved, reused or deleted.
///
/// Before the plan, it lists what goes to production with the tag: the commits since the last
/// push (the latest revision of the previous push date's tag on the upstream: one only here was
/// never run, and is named and passed over), short id and subject, and for a revision also
/// those since the previous revision; a cherry-pick is named by the commit it is
/// picked from, and no id is printed before the commit exists. After tagging it prints the
/// compare links: last push to this tag, and for a revision previous revision to this tag.
/// A cherry-pick must be a commit the upstream has (on one of its branches or tags, as it lists
/// them now): an embargoed fix that is only on the security mirror is refused, naming the mirror
/// branch and the way to publish it (git push-duty security-merge BRANCH, then pick the merged
/// commit), and so is a commit never pushed anywhere. The tag also updates
/// refs/remotes/<upstream>/<branch> to the tip it listed, as git fetch would. If a run stops
/// after pushing its tag and before creating it here, running it again creates the local tag
/// instead of a second revision.
///
/// A tag of the branch tip that ships what a cherry-pick revision of this push date left out,
/// or that lacks commits the latest revision (or the last push) has, as after a rewind of the
/// branch, lists those commits and is refused off a terminal and asked on one (default no),
/// unless --from-branch.
///
/// On a terminal the plan is shown and confirmed before anything is pushed; elsewhere --yes is
/// required.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The push date itself, YYYY-MM-DD, for an off-schedule push.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::value::date())]
    pub date: Option<chrono::NaiveDate>,
    /// A commit to cherry-pick onto the base tag; repeat for several, applied in order. It must
    /// be on one of the upstream's branches or tags (an embargoed fix is refused).
    #[arg(long = "cherry-pick", value_name = "REV")]
    pub cherry_pick: Vec<String>,
    /// The tag the cherry-picks build on (default: the latest revision of this push date's tag,
    /// else the latest calendar tag before it).
    #[arg(long, value_name = "TAG", requires = "cherry_pick", value_parser = crate::cli::value::tag())]
    pub from: Option<String>,
    /// Tag even if the commit is what the latest revision of this push date's tag already
    /// points to (a fresh -N to trigger a new build and deploy).
    #[arg(long)]
    pub allow_same_commit: bool,
    /// Tag the branch tip though it is no plain step forward from what runs: the latest
    /// revision of this push date was cherry-picked and the tip ships the commits it left out
    /// (the feature that was not ready), or the tip lacks commits that revision (or the last
    /// push) has, so the tag takes them back out (the branch was rewound). Say that this is
    /// intended; without it, tag refuses off a terminal and asks on one (default no).
    #[arg(long, conflicts_with = "cherry_pick")]
    pub from_branch: bool,
    /// Create the tag locally only; do not push it.
    #[arg(long)]
    pub no_push: bool,
    /// Use local tags and the last fetched upstream branch only; implies --no-push.
    #[arg(long)]
    pub offline: bool,
    /// Show the plan and change nothing: no tag, no push.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Do not ask before pushing (required when not on a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the result as a JSON object.
    #[arg(long)]
    pub json: bool,
    /// Tag every repository of the train (this one, then each pushduty.repo) for the same push
    /// date: one plan for all, one question, then what was done in each. A repository whose tag
    /// for this push already points to its branch tip is skipped, so running it again after a
    /// failure finishes the rest.
    #[arg(long, conflicts_with_all = ["cherry_pick", "allow_same_commit", "json"])]
    pub all: bool,
}

/// What the tag will be, before anything is done.
struct Intent {
    name: String,
    target: ObjectId,
    base: Option<String>,
    picked: Vec<Picked>,
    previous: Option<String>,
}

/// `--json`. An id of an object the run creates (a cherry-picked commit, the tag object) is
/// `null` unless it was created: a dry run prints no id the real run would not make.
#[derive(serde::Serialize)]
struct Report<'a> {
    tag: &'a str,
    commit: Option<String>,
    tag_object: Option<String>,
    push_date: String,
    previous: Option<&'a str>,
    /// The latest revision of the previous push date's tag: what production runs now.
    last_push: Option<&'a str>,
    /// Last push to this tag.
    compare: Option<&'a str>,
    /// For a revision: previous revision to this tag.
    previous_revision: Option<&'a str>,
    compare_revision: Option<&'a str>,
    /// What goes to production: the commits since the last push, newest first.
    commits: Option<Vec<ships::CommitJson>>,
    /// For a revision: the commits since the previous revision.
    revision_commits: Option<Vec<ships::CommitJson>>,
    base: Option<&'a str>,
    cherry_picks: Vec<PickReport>,
    pushed: bool,
    created: bool,
}

#[derive(serde::Serialize)]
struct PickReport {
    original: String,
    commit: Option<String>,
    subject: String,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    if args.all {
        return super::train_tag::tag_all(ctx, console, args);
    }
    let repo = ctx.repo;
    let reach = if args.offline {
        Reach::Offline
    } else {
        Reach::List
    };
    let push = !(args.no_push || args.offline);
    let mut runner = Runner::new(Mode {
        dry_run: args.dry_run,
        yes: args.yes,
    });
    // One run at a time: the record of a run that is pushing is this run's own.
    runner.hold(tag_record::lock(repo))?;
    // Only this push date's year and the year before are listed (as `next-tag` does), unless
    // `--from` or a stopped run's record names a tag outside them. A record that cannot be read
    // is reported by `stopped_run`; until then it asks for every tag.
    let from = args
        .from
        .as_deref()
        .map(|from| from.strip_prefix("refs/tags/").unwrap_or(from));
    // Read once, under the lock: it decides the scope here and is finished by `stopped_run`.
    let recorded = tag_record::load(repo);
    let named: Vec<&str> = from
        .into_iter()
        .chain(
            recorded
                .as_ref()
                .ok()
                .and_then(Option::as_ref)
                .map(|r| r.tag.as_str()),
        )
        .collect();
    let scope = match &recorded {
        Ok(_) => Scope::PushDateAnd(&named),
        Err(_) => Scope::All,
    };
    let seen = UpstreamTags::see(ctx, args.date, reach, scope)?;
    let stale_record = match stopped_run(repo, &mut runner, console, &seen, args, recorded)? {
        Stopped::Finished => return Ok(()),
        Stopped::Stale(path) => Some(path),
        Stopped::None => None,
    };
    if args.offline {
        writeln!(
            console.err,
            "offline: from local tags and refs/remotes/{}/{} as last fetched; the tag will not be pushed",
            seen.upstream, seen.branch
        )?;
    }
    let committer = git::committer(repo)?;
    // Everything is built in memory; the plan writes it only when carried out.
    let mut scratch = repo.clone().with_object_memory();
    let intent = decide(
        ctx,
        &scratch,
        &seen,
        &ctx.settings.security,
        args,
        &committer,
        console.err,
    )?;

    // Read before the memory is taken: a picked commit exists nowhere else until the plan runs.
    let subject = git::subject(&scratch, intent.target).unwrap_or_default();
    let shipment = before_the_plan(repo, &scratch, console, &seen, &intent, args)?;
    let made_from = made_from(repo, &seen, &intent, &subject)?;
    let message = tag_message(repo, &seen, &intent);
    let tag_object = scratch
        .write_object(gix::objs::Tag {
            target: intent.target,
            target_kind: gix::objs::Kind::Commit,
            name: intent.name.as_str().into(),
            tagger: Some(committer.clone()),
            message: message.into(),
            signature: None,
        })
        .context("cannot build the tag object")?
        .detach();
    let objects = scratch
        .objects
        .take_object_memory()
        .expect("the scratch repository was given object memory");

    let mut plan = Plan::default();
    if let Some(path) = stale_record {
        plan.add(
            TagStep::Forget,
            Effect::RemoveFile {
                path,
                what: "forget the record of an earlier run whose tag push did not go through"
                    .into(),
            },
        );
    }
    plan.add(
        TagStep::Objects,
        Effect::WriteObjects {
            what: match intent.picked.len() {
                0 => format!("write the annotated tag object for {}", intent.name),
                n => format!(
                    "write {n} cherry-picked commit{} onto {} and the tag object",
                    if n == 1 { "" } else { "s" },
                    onto(repo, &seen, &intent)?
                ),
            },
            objects,
        },
    );
    if let Some(effect) = tracking_ref(repo, &seen)? {
        plan.add(TagStep::Tracking, effect);
    }
    let record = push.then(|| TagRecord {
        version: security_state::VERSION,
        upstream: seen.upstream.clone(),
        tag: intent.name.clone(),
        object: tag_object.to_string(),
        commit: intent.target.to_string(),
    });
    if let Some(record) = &record {
        plan.add(
            TagStep::Record,
            Effect::WriteFile {
                path: tag_record::path(repo),
                contents: record.to_json(),
                what: "record the push, so a stopped run can be finished".into(),
            },
        );
    }
    if push {
        plan.add(
            TagStep::Push,
            Effect::Push {
                remote: seen.upstream.clone(),
                refspecs: vec![format!("{tag_object}:refs/tags/{}", intent.name)],
                what: format!(
                    "push tag {} ({made_from}) to {} ({})",
                    intent.name,
                    seen.upstream,
                    seen.upstream_push_url.as_deref().unwrap_or("no URL")
                ),
            },
        );
    }
    plan.add(
        TagStep::CreateLocal,
        Effect::CreateRef {
            name: format!("refs/tags/{}", intent.name),
            target: tag_object,
            what: format!("create local tag {}", intent.name),
        },
    );
    if record.is_some() {
        plan.add(
            TagStep::Clear,
            Effect::RemoveFile {
                path: tag_record::path(repo),
                what: "clear the record: the tag is on the upstream and here".into(),
            },
        );
    }

    if git::local_tag_exists(repo, &intent.name)? {
        return refuse(
            Refusal::new(format!(
                "tag {} appeared locally meanwhile; nothing was changed",
                intent.name
            ))
            .hint("run the command again to get the next name"),
        );
    }
    let question = format!("Push tag {} to {}?", intent.name, seen.upstream);
    let outcome = runner
        .carry_out(repo, console, plan, &question)
        .map_err(|stop| after_failure(repo, &mut runner, &seen, record.as_ref(), stop))?;
    let created = outcome == Outcome::Done;

    // Only what exists is named: the commit if it was there before (the branch tip) or made now.
    let commit_exists = created || intent.picked.is_empty();
    if args.json {
        let report = Report {
            tag: &intent.name,
            commit: commit_exists.then(|| intent.target.to_string()),
            tag_object: created.then(|| tag_object.to_string()),
            push_date: seen.push_date.to_string(),
            previous: intent.previous.as_deref(),
            last_push: shipment.last_push.as_ref().map(|s| s.tag.as_str()),
            compare: shipment.compare(),
            previous_revision: shipment.previous_revision.as_ref().map(|s| s.tag.as_str()),
            compare_revision: shipment.compare_revision(),
            commits: ships::json_commits(shipment.last_push.as_ref(), created),
            revision_commits: ships::json_commits(shipment.previous_revision.as_ref(), created),
            base: intent.base.as_deref(),
            cherry_picks: intent
                .picked
                .iter()
                .map(|p| PickReport {
                    original: p.original.to_string(),
                    commit: created.then(|| p.result.to_string()),
                    subject: p.subject.clone(),
                })
                .collect(),
            pushed: created && push,
            created,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
        return Ok(());
    }
    if created {
        let done = if push {
            format!("Tagged {} and pushed it to {}.", intent.name, seen.upstream)
        } else {
            format!("Tagged {} locally (not pushed).", intent.name)
        };
        writeln!(console.err, "{done}")?;
    }
    writeln!(console.out, "tag: {}", intent.name)?;
    if commit_exists {
        writeln!(console.out, "commit: {} {subject}", intent.target)?;
    } else {
        writeln!(console.out, "commit: (not made in a dry run) {made_from}")?;
    }
    write!(console.out, "{}", shipment.render_links())?;
    Ok(())
}

/// What ships, said before the plan: the commits since the last push (and the previous
/// revision), then, for a tag of the branch tip that is no plain step forward from what runs
/// (refused or asked, see [`differs_from_what_runs`]), what differs.
fn before_the_plan(
    repo: &gix::Repository,
    scratch: &gix::Repository,
    console: &mut Console<'_>,
    seen: &UpstreamTags,
    intent: &Intent,
    args: &Args,
) -> Result<Shipment> {
    let shipment = count_shipment(
        repo,
        scratch,
        console,
        seen,
        &seen.next,
        ships::To {
            name: &intent.name,
            commit: intent.target,
            made_here: true,
        },
        &intent.picked,
    )?;
    if intent.base.is_some() {
        writeln!(
            console.err,
            "Cherry-picks onto {}, in order:",
            onto(repo, seen, intent)?
        )?;
        for p in &intent.picked {
            writeln!(
                console.err,
                "  {} {}",
                git::short(repo, p.original),
                p.subject
            )?;
        }
    }
    write!(console.err, "{}", shipment.render(repo))?;
    if let Some(only_here) = seen.latest_only_here()
        && only_here != intent.name
    {
        writeln!(
            console.err,
            "note: {only_here} is only here, not on {} yet; to push it: {}",
            seen.upstream,
            seen.push_tag_command(only_here)
        )?;
    }
    differs_from_what_runs(repo, console, seen, intent, args, &shipment)?;
    Ok(shipment)
}

/// What the tag `tag` (pointing to `to`) ships, counted from the upstream's tags (a note says
/// when a tag only here is passed over): the commits since the last push and, for a revision,
/// since the previous revision. `objects` must hold every commit involved.
#[allow(clippy::too_many_arguments)]
fn count_shipment(
    repo: &gix::Repository,
    objects: &gix::Repository,
    console: &mut Console<'_>,
    seen: &UpstreamTags,
    tag: &crate::tags::CalendarTag,
    to: ships::To<'_>,
    picks: &[Picked],
) -> Result<Shipment> {
    let counted = ships::CountedFrom::of(&seen.lineage, tag, |name| {
        seen.offline || seen.remote.find(&format!("refs/tags/{name}")).is_some()
    });
    if let Some(note) = counted.note(&seen.upstream) {
        writeln!(console.err, "{note}")?;
    }
    let last_push = counted.last_push.as_deref();
    let previous_revision = counted.previous_revision.as_deref();
    let earlier: Vec<&str> = last_push.into_iter().chain(previous_revision).collect();
    seen.fetch_tags(repo, &earlier)?;
    let from = |name: Option<&str>| -> Result<Option<(String, ObjectId)>> {
        let Some(name) = name else { return Ok(None) };
        Ok(seen
            .tag_commit(repo, name)?
            .map(|commit| (name.to_owned(), commit)))
    };
    let last_push = from(last_push)?;
    let previous_revision = from(previous_revision)?;
    Shipment::of(
        objects,
        to,
        last_push.as_ref().map(|(n, c)| (n.as_str(), *c)),
        previous_revision.as_ref().map(|(n, c)| (n.as_str(), *c)),
        picks,
        &seen.link_urls,
    )
}

/// `BASE (1a2b3c4)`: the tag cherry-picks go onto, with its commit.
fn onto(repo: &gix::Repository, seen: &UpstreamTags, intent: &Intent) -> Result<String> {
    let Some(base) = &intent.base else {
        return Ok(String::new());
    };
    Ok(match seen.tag_commit(repo, base)? {
        Some(id) => format!("{base} ({})", git::short(repo, id)),
        None => base.clone(),
    })
}

/// What the tag is made from, for the plan, naming only commits that exist already: the branch
/// tip, or the picks (by the commits picked) onto their base.
fn made_from(
    repo: &gix::Repository,
    seen: &UpstreamTags,
    intent: &Intent,
    subject: &str,
) -> Result<String> {
    if intent.picked.is_empty() {
        return Ok(format!("{} {subject}", git::short(repo, intent.target)));
    }
    let picks: Vec<String> = intent
        .picked
        .iter()
        .map(|p| format!("{} {}", git::short(repo, p.original), p.subject))
        .collect();
    Ok(format!(
        "cherry-picks onto {}: {}",
        onto(repo, seen, intent)?,
        picks.join(", ")
    ))
}

/// A tag of the branch tip that is not a plain step forward from what runs now: the latest
/// revision of this push date (on stage), else the last push (in production). After a
/// cherry-pick revision the tip ships what it deliberately left out (a feature that was not
/// ready); after a rewind of the branch (a force-push, a stale fetch offline) the tip lacks
/// commits that tag has, and a tag of it takes them back out. Off a terminal that is refused
/// unless `--from-branch`; on one it is asked, default no. The commits are listed either way.
fn differs_from_what_runs(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    seen: &UpstreamTags,
    intent: &Intent,
    args: &Args,
    shipment: &Shipment,
) -> Result<()> {
    if intent.base.is_some() {
        return Ok(());
    }
    let (earlier, is_revision) = match seen.latest_for_push_date() {
        Some(latest) => (latest, true),
        None => match &shipment.last_push {
            Some(last) => (last.tag.as_str(), false),
            None => return Ok(()),
        },
    };
    let Some(commit) = seen.tag_commit(repo, earlier)? else {
        return Ok(());
    };
    seen.fetch_tags(repo, &[earlier])?;
    let difference = ships::Difference::between(repo, commit, intent.target)?;
    // Past the last push, what the tip adds is what ships, not something left out.
    let left_out = if is_revision {
        difference.left_out
    } else {
        Vec::new()
    };
    let taken_out = difference.taken_out;
    if left_out.is_empty() && taken_out.is_empty() {
        return Ok(());
    }
    let lines = |ids: &[ObjectId]| -> Result<String> {
        let mut text = String::new();
        for id in ids {
            text.push_str(&format!(
                "\n  {} {}",
                git::short(repo, *id),
                git::subject(repo, *id)?
            ));
        }
        Ok(text)
    };
    let commits = |n: usize| {
        if n == 1 {
            "commit".to_owned()
        } else {
            format!("{n} commits")
        }
    };
    let mut what = Vec::new();
    let mut hints = Vec::new();
    if !left_out.is_empty() {
        what.push(format!(
            "{earlier} was cherry-picked, and {} of {}/{} ships the {} it left out:{}",
            if args.from_branch {
                "--from-branch: the tip"
            } else {
                "the tip"
            },
            seen.upstream,
            seen.branch,
            commits(left_out.len()),
            lines(&left_out)?
        ));
        hints.push(
            "if they are meant to go to production now: git push-duty tag --from-branch".to_owned(),
        );
    }
    if !taken_out.is_empty() {
        what.push(format!(
            "the tip of {}/{} ({}) lacks the {} {earlier} has: a tag of it takes {} back out:{}",
            seen.upstream,
            seen.branch,
            git::short(repo, intent.target),
            commits(taken_out.len()),
            if taken_out.len() == 1 { "that" } else { "them" },
            lines(&taken_out)?
        ));
        hints.push(
            "if the tip is meant to go out without them: git push-duty tag --from-branch"
                .to_owned(),
        );
        if seen.offline {
            hints.push(format!(
                "refs/remotes/{up}/{b} is as last fetched; bring it up to date: git fetch {up} {b}",
                up = seen.upstream,
                b = seen.branch
            ));
        }
    }
    hints.push(format!(
        "to add a fix to {earlier} instead: git push-duty tag --cherry-pick <commit>"
    ));
    let what = what.join("\n");
    if args.from_branch {
        writeln!(console.err, "{what}")?;
        return Ok(());
    }
    let with_hints = |mut refusal: Refusal| {
        for hint in &hints {
            refusal = refusal.hint(hint.clone());
        }
        refusal
    };
    if !console.interactive {
        return refuse(with_hints(Refusal::new(format!(
            "{what}\nnothing was changed"
        ))));
    }
    writeln!(console.err, "{what}")?;
    let question = match (left_out.is_empty(), taken_out.is_empty()) {
        (false, true) => format!("Tag the tip anyway, shipping what {earlier} left out?"),
        (true, false) => format!("Tag the tip anyway, taking out what {earlier} has?"),
        _ => format!(
            "Tag the tip anyway, shipping what {earlier} left out and taking out what it has?"
        ),
    };
    if console.ask(&question)? {
        return Ok(());
    }
    refuse(with_hints(Refusal::new("not confirmed: nothing was done")))
}

/// Decides the tag's name and commit, building cherry-picks in `scratch` (object memory).
fn decide(
    ctx: &Context<'_>,
    scratch: &gix::Repository,
    seen: &UpstreamTags,
    security: &str,
    args: &Args,
    committer: &gix::actor::Signature,
    err: &mut dyn std::io::Write,
) -> Result<Intent> {
    let repo = ctx.repo;
    let name = seen.lineage.name(&seen.next);
    let previous = seen.previous().map(str::to_owned);
    if args.cherry_pick.is_empty() {
        seen.fetch_objects(repo, &[])?;
        let Some(tip) = seen.branch_tip else {
            let (what, hint) = if seen.offline {
                (
                    format!(
                        "refs/remotes/{}/{} does not exist here",
                        seen.upstream, seen.branch
                    ),
                    format!("fetch it: git fetch {} {}", seen.upstream, seen.branch),
                )
            } else {
                (
                    format!(
                        "the upstream {} has no branch {}",
                        seen.upstream, seen.branch
                    ),
                    format!(
                        "name the branch that is released: git config {} <branch>",
                        config::BRANCH
                    ),
                )
            };
            return refuse(Refusal::new(what).hint(hint));
        };
        if let Some(latest) = seen.latest_for_push_date()
            && seen.tag_commit(repo, latest)? == Some(tip)
            && !args.allow_same_commit
        {
            let mut refusal = Refusal::new(format!(
                "nothing new to tag: {latest} already points to {} ({}), the tip of {}/{}",
                git::short(repo, tip),
                git::subject(repo, tip).unwrap_or_default(),
                seen.upstream,
                seen.branch
            ));
            // Made with --no-push: what is missing is the push, not another revision.
            if !seen.offline && seen.remote.find(&format!("refs/tags/{latest}")).is_none() {
                refusal = refusal.hint(format!(
                    "{latest} is only here, not on {up} yet; to push it: git push {up} refs/tags/{latest}",
                    up = seen.upstream
                ));
            }
            return refuse(refusal.hint(
                "to tag the same commit again as a new revision (a fresh build and deploy), pass --allow-same-commit",
            ));
        }
        return Ok(Intent {
            name,
            target: tip,
            base: None,
            picked: Vec::new(),
            previous,
        });
    }

    let base_name = match &args.from {
        Some(from) => {
            let from = from.strip_prefix("refs/tags/").unwrap_or(from).to_owned();
            let full = format!("refs/tags/{from}");
            // `""`, `a b`: no tag can have the name, so it is not one (rather than a parse error).
            let valid = gix::refs::FullName::try_from(full.as_str()).is_ok();
            let known =
                valid && (seen.remote.find(&full).is_some() || git::local_tag_exists(repo, &from)?);
            if !known {
                return refuse(
                    Refusal::new(format!(
                        "--from {from:?} is not a tag here or on {}",
                        seen.upstream
                    ))
                    .hint(format!(
                        "list the calendar tags with: git tag --list '{}' --sort=-v:refname",
                        seen.lineage.format().glob()
                    )),
                );
            }
            from
        }
        None => match seen.previous() {
            Some(prev) => prev.to_owned(),
            None => {
                return refuse(
                    Refusal::new("there is no calendar tag to cherry-pick onto")
                        .hint("name the base with --from TAG"),
                );
            }
        },
    };
    // The branch too: a pick may be a commit that is only on the upstream so far.
    seen.fetch_objects(repo, &[base_name.as_str()])?;
    if let Some((here, upstream)) = seen.diverging_tag(repo, &base_name) {
        let describe = |id| {
            let subject = git::subject(repo, id).unwrap_or_default();
            format!("{} ({subject})", git::short(repo, id))
        };
        writeln!(
            err,
            "warning: tag {base_name} here points to {}, on {up} to {}: building on {up}'s\n\
             hint: to make yours the same: git fetch --force {up} tag {base_name}",
            describe(here),
            describe(upstream),
            up = seen.upstream,
        )?;
    }
    let Some(base) = seen.tag_commit(repo, &base_name)? else {
        return refuse(Refusal::new(format!(
            "tag {base_name} does not point to a commit"
        )));
    };
    let picks = args
        .cherry_pick
        .iter()
        .map(|spec| {
            Ok((
                spec.clone(),
                git::resolve_commit_in(
                    repo,
                    spec,
                    "--cherry-pick",
                    (!seen.offline).then_some(seen.upstream.as_str()),
                )?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    refuse_unpublished(ctx, seen, security, (&base_name, base), &picks)?;
    let (target, picked) = git::pick::cherry_pick(scratch, base, &picks, committer)?;
    Ok(Intent {
        name,
        target,
        base: Some(base_name),
        picked,
        previous,
    })
}

fn tag_message(repo: &gix::Repository, seen: &UpstreamTags, intent: &Intent) -> String {
    let mut message = format!(
        "Push of {} ({})\n",
        seen.push_date.format("%A %Y-%m-%d"),
        intent.name
    );
    if let Some(base) = &intent.base {
        message.push_str(&format!("\nCherry-picked onto {base}:\n"));
        for p in &intent.picked {
            message.push_str(&format!(
                "  {} {}\n",
                git::short(repo, p.original),
                p.subject
            ));
        }
    }
    message
}

/// What an earlier run left, found before this one decides anything.
enum Stopped {
    /// Nothing: no record.
    None,
    /// A run that pushed the tag and stopped before the local tag was finished here.
    Finished,
    /// A record whose push did not go through (at this path): nothing of it is public.
    Stale(std::path::PathBuf),
}

/// Finishes a run that stopped after pushing its tag (killed, interrupted, or failed before the
/// local tag): if the upstream has the recorded tag object under the recorded name, the local tag
/// is created and nothing else, rather than a second revision of the same commit. A record whose
/// tag the upstream does not have is stale (its push never landed).
fn stopped_run(
    repo: &gix::Repository,
    runner: &mut Runner,
    console: &mut Console<'_>,
    seen: &UpstreamTags,
    args: &Args,
    recorded: Result<Option<TagRecord>>,
) -> Result<Stopped> {
    let Some(record) = recorded? else {
        return Ok(Stopped::None);
    };
    let path = tag_record::path(repo);
    let (object, commit) = record.ids()?;
    let tag = &record.tag;
    if seen.offline || record.upstream != seen.upstream {
        return refuse(
            Refusal::new(format!(
                "an earlier run of tag stopped while pushing {tag} to {}, and whether {} has it cannot be seen {}; nothing was changed",
                record.upstream,
                record.upstream,
                if seen.offline { "offline" } else { "from another upstream" },
            ))
            .hint(format!(
                "run it again online with pushduty.upstream = {}: it finishes that tag, or forgets it if the push did not go through",
                record.upstream
            ))
            .hint(format!("the record is {}", path.display())),
        );
    }
    let full = format!("refs/tags/{tag}");
    if seen.remote.find(&full).map(|r| r.target) != Some(object) {
        writeln!(
            console.err,
            "An earlier run recorded pushing {tag}, but {} does not have that tag object: the push did not go through, so it is forgotten.",
            seen.upstream
        )?;
        return Ok(Stopped::Stale(path));
    }
    // The tag object was written before the push; fetched again in case it was pruned since.
    seen.fetch_objects(repo, &[tag.as_str()])?;
    let subject = git::subject(repo, commit)?;
    writeln!(
        console.err,
        "An earlier run pushed tag {tag} ({} {subject}) to {} and stopped before creating it here: finishing that run.",
        git::short(repo, commit),
        seen.upstream
    )?;
    let mut plan = Plan::default();
    match ref_target(repo, &full)? {
        None => plan.push(Effect::CreateRef {
            name: full.clone(),
            target: object,
            what: format!("create local tag {tag}"),
        }),
        Some(here) if here == object => {}
        Some(_) => writeln!(
            console.err,
            "warning: your local tag {tag} points to another object than {}'s; it is left as it is\nhint: to make yours the same: git fetch --force {} tag {tag}",
            seen.upstream, seen.upstream
        )?,
    }
    plan.push(Effect::RemoveFile {
        path,
        what: "clear the record: the tag is on the upstream and here".into(),
    });
    let outcome = runner.carry_out(repo, console, plan, "Finish it?")?;
    if outcome == Outcome::Done {
        writeln!(
            console.err,
            "Tagged {tag} and pushed it to {} (finished the earlier run); run the command again for another tag.",
            seen.upstream
        )?;
    }
    // What the finished tag ships, counted as an uninterrupted run counts it.
    let Some(calendar) = seen.lineage.parse(tag) else {
        return refuse(
            Refusal::new(format!(
                "the record of an earlier run names {tag:?}, which is not a calendar tag"
            ))
            .hint(format!(
                "remove {} and run the command again",
                tag_record::path(repo).display()
            )),
        );
    };
    let previous = seen.lineage.previous(&calendar).map(str::to_owned);
    let shipment = count_shipment(
        repo,
        repo,
        console,
        seen,
        &calendar,
        ships::To {
            name: tag,
            commit,
            made_here: true,
        },
        &[],
    )?;
    if args.json {
        let done = outcome == Outcome::Done;
        let report = Report {
            tag,
            commit: Some(commit.to_string()),
            tag_object: Some(object.to_string()),
            push_date: calendar.date.to_string(),
            previous: previous.as_deref(),
            last_push: shipment.last_push.as_ref().map(|s| s.tag.as_str()),
            compare: shipment.compare(),
            previous_revision: shipment.previous_revision.as_ref().map(|s| s.tag.as_str()),
            compare_revision: shipment.compare_revision(),
            commits: ships::json_commits(shipment.last_push.as_ref(), true),
            revision_commits: ships::json_commits(shipment.previous_revision.as_ref(), true),
            base: None,
            cherry_picks: Vec::new(),
            pushed: true,
            created: done,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
        return Ok(Stopped::Finished);
    }
    writeln!(console.out, "tag: {tag}")?;
    writeln!(console.out, "commit: {commit} {subject}")?;
    write!(console.out, "{}", shipment.render_links())?;
    Ok(Stopped::Finished)
}

/// The plan step that points `refs/remotes/<upstream>/<branch>` at the tip just listed and
/// fetched, as `git fetch` would: the pre-push guard judges the tag's push from it, and a stale one
/// (a colleague's release merge not fetched here) would call the upstream's own tip embargoed.
/// None offline (the tracking ref is the source then) or when it is already there.
fn tracking_ref(repo: &gix::Repository, seen: &UpstreamTags) -> Result<Option<Effect>> {
    if seen.offline {
        return Ok(None);
    }
    let Some(listed) = seen.remote.find(&format!("refs/heads/{}", seen.branch)) else {
        return Ok(None);
    };
    // Fetched by `decide`; a tip whose objects are not here is not pointed at.
    if !repo.has_object(listed.target) {
        return Ok(None);
    }
    let name = format!("refs/remotes/{}/{}", seen.upstream, seen.branch);
    if ref_target(repo, &name)? == Some(listed.target) {
        return Ok(None);
    }
    Ok(Some(Effect::SetTrackingRefs {
        what: format!(
            "update the remote-tracking ref {}/{} to {}, as listed and fetched",
            seen.upstream,
            seen.branch,
            git::short(repo, listed.target)
        ),
        refs: vec![(name, listed.target)],
    }))
}

/// Refuses, before anything is built, a pick the upstream does not have (an embargoed fix from
/// the security mirror, or a commit never pushed anywhere), and a base whose history carries a
/// commit the upstream lacks that is not a cherry-pick of one it has (an embargoed fix on a
/// mirror branch, or under a tag only the mirror has, fetched with `git fetch --tags`). What the upstream has is what it lists now (its branches and tags; offline,
/// `refs/remotes/<upstream>/*`), so a fix already released is no refusal however stale the
/// tracking refs are, and a tracking ref that says yes wrongly does not publish one. The mirror's refs only name the fix: a pick outside the upstream is refused
/// whatever they say, and if they cannot be read that is a refusal too.
///
/// Most runs are settled at a glance ([`public_at_a_glance`]: the base and the picks are tips the
/// upstream listed or are on its release branch); only a no from it costs the whole listing of
/// the upstream and the walk against all of its branches and tags, which then decides.
fn refuse_unpublished(
    ctx: &Context<'_>,
    seen: &UpstreamTags,
    security: &str,
    (base_name, base): (&str, ObjectId),
    picks: &[(String, ObjectId)],
) -> Result<()> {
    let repo = ctx.repo;
    if public_at_a_glance(repo, seen, base, picks) {
        return Ok(());
    }
    // Every branch and tag: `seen` may hold only the release branch and two years' tags.
    let listing = match seen.offline {
        true => None,
        false => Some(ctx.listing()?),
    };
    let public = upstream_tips(repo, seen, listing)?;
    let upstream = &seen.upstream;
    let mut mirror: Option<Vec<(String, ObjectId)>> = None;
    let mut mirror_ref = |id: ObjectId| -> Result<Option<String>> {
        if mirror.is_none() {
            mirror = Some(mirror_tips(repo, security, &seen.upstream)?);
        }
        for (name, tip) in mirror.iter().flatten() {
            if git::is_ancestor(repo, id, *tip)? {
                return Ok(Some(name.clone()));
            }
        }
        Ok(None)
    };
    let is_public = |id: ObjectId| -> Result<bool> {
        Ok(repo.has_object(id)
            && git::commits_between(repo, public.iter().copied(), id)?.is_empty())
    };
    for id in git::commits_between(repo, public.iter().copied(), base)? {
        // A revision made here (--no-push) holds picks of public commits; anything else the
        // upstream lacks may be the mirror's under a tag no mirror branch has (git fetch --tags).
        let commit = repo
            .find_commit(id)
            .with_context(|| format!("cannot read commit {id}"))?;
        let mut picked_public = false;
        for original in ships::picked_from(&commit.message_raw_sloppy().to_string()) {
            if is_public(original)? {
                picked_public = true;
                break;
            }
        }
        if let Some(on) = mirror_ref(id)? {
            return refuse(
                Refusal::new(format!(
                    "the base tag {base_name} carries {} ({}), an embargoed security fix on {on} that {upstream} does not have; nothing was changed",
                    git::short(repo, id),
                    git::subject(repo, id)?
                ))
                .hint(format!(
                    "build on a tag {upstream} has: --from <tag> (git ls-remote --tags {upstream})"
                )),
            );
        }
        if !picked_public {
            return refuse(
                Refusal::new(format!(
                    "the base tag {base_name} carries {} ({}), which {upstream} does not have and which is not a cherry-pick of a commit it has: a tag on it would publish it (it may be the security mirror's, under a tag only it has); nothing was changed",
                    git::short(repo, id),
                    git::subject(repo, id)?
                ))
                .hint(format!(
                    "build on a tag {upstream} has: --from <tag> (git ls-remote --tags {upstream})"
                )),
            );
        }
    }
    for (spec, pick) in picks {
        let outside = git::commits_between(repo, public.iter().copied(), *pick)?;
        if !outside.contains(pick) {
            continue;
        }
        let short = git::short(repo, *pick);
        let described = format!(
            "--cherry-pick {spec} ({short} {})",
            git::subject(repo, *pick)?
        );
        let refusal = match mirror_ref(*pick)? {
            Some(on) => {
                let branch = on
                    .strip_prefix(&format!("{security}/"))
                    .unwrap_or(&on)
                    .to_owned();
                let first = if branch == seen.branch {
                    format!(
                        "the mirror's {branch} is ahead of {upstream}'s: see git push-duty check"
                    )
                } else {
                    format!("merge it first, upstream then mirror: git push-duty security-merge {branch}")
                };
                Refusal::new(format!(
                    "{described} is an embargoed security fix: it is on {on} and not on {upstream}, so a tag carrying it would publish it; nothing was changed"
                ))
                .hint(first)
                .hint(format!(
                    "then pick the merged commit from {upstream}/{}: git push-duty tag --cherry-pick <commit>",
                    seen.branch
                ))
            }
            None if seen.offline => Refusal::new(format!(
                "{described} is not on {upstream} as last fetched (offline): a tag ships only commits the upstream already has; nothing was changed"
            ))
            .hint(format!("run it without --offline, or fetch first: git fetch {upstream}")),
            None => Refusal::new(format!(
                "{described} is not on {upstream}: a tag ships only commits the upstream already has; nothing was changed"
            ))
            .hint(format!(
                "get it onto {upstream} first (reviewed, as any change), e.g. git push {upstream} {short}:refs/heads/<branch>, then pick it"
            ))
            .hint(format!(
                "if {upstream} has it on a branch fetched long ago, fetch that branch first: git fetch {upstream}"
            )),
        };
        return refuse(refusal);
    }
    Ok(())
}

/// The commits the upstream is known to have. Online: what it lists now (its branches and tags,
/// those whose commits are here, and what the run listed first), and nothing else, since
/// `refs/remotes/<upstream>/*` can say yes wrongly (a `pushurl` to a staging copy sets them on
/// push; a rewound branch leaves them ahead). Offline: those tracking refs, as last fetched, as that is all there is.
fn upstream_tips(
    repo: &gix::Repository,
    seen: &UpstreamTags,
    listing: Option<&git::remote::RemoteRefs>,
) -> Result<Vec<ObjectId>> {
    let mut tips: Vec<ObjectId> = Vec::new();
    if let Some(listing) = listing {
        // The upstream's whole listing holds every branch and tag it has. What the run's first
        // (narrow) listing showed counts too: it was on the upstream then, so it is public
        // still, and it is what was fetched; a colleague's push between the two listings moves
        // the release branch to a tip not fetched here, which proves nothing by itself.
        for listed in listing.refs().iter().chain(seen.remote.refs()) {
            let header = repo
                .try_find_header(listed.peeled)
                .with_context(|| format!("cannot read {}", listed.name))?;
            // A tag on a tree names no history; a tip not fetched cannot be walked (and so
            // proves nothing: a pick only it holds is refused, with a hint to fetch).
            if header.is_some_and(|h| h.kind() == gix::object::Kind::Commit) {
                tips.push(listed.peeled);
            }
        }
    } else {
        debug_assert!(seen.offline, "online, the whole listing is walked from");
        let prefix = format!("refs/remotes/{}/", seen.upstream);
        let tracking = crate::guard::mirror_refs::commit_tips(repo, &prefix).map_err(|e| {
            anyhow::Error::new(Refusal::new(format!(
                "cannot read the upstream's tracking refs ({prefix}*): {e:#}; nothing was changed"
            )))
        })?;
        tips.extend(tracking.into_iter().map(|(_, id)| id));
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// True when the base and every pick are plainly on the upstream: each is a commit a tip it
/// listed points to (online), or an ancestor of its release branch's tip (as listed and fetched;
/// offline, as last fetched). What such a commit reaches is public, so the base's history is
/// too. Only a yes is taken from it: anything else (a pick on another branch, a base that is a
/// revision made here, a tip that cannot be read) goes to the whole check.
fn public_at_a_glance(
    repo: &gix::Repository,
    seen: &UpstreamTags,
    base: ObjectId,
    picks: &[(String, ObjectId)],
) -> bool {
    let listed: std::collections::HashSet<ObjectId> = match seen.offline {
        true => Default::default(),
        false => seen.remote.refs().iter().map(|r| r.peeled).collect(),
    };
    let tip = seen.branch_tip.filter(|tip| repo.has_object(*tip));
    std::iter::once(base)
        .chain(picks.iter().map(|(_, id)| *id))
        .all(|id| {
            repo.has_object(id)
                && (listed.contains(&id)
                    || tip.is_some_and(|tip| git::is_ancestor(repo, id, tip).unwrap_or(false)))
        })
}

/// The security mirror's tracking refs (`security/fix-xss`) with their commits; unreadable is a
/// refusal.
fn mirror_tips(
    repo: &gix::Repository,
    security: &str,
    upstream: &str,
) -> Result<Vec<(String, ObjectId)>> {
    let prefix = format!("refs/remotes/{security}/");
    let tips = crate::guard::mirror_refs::mirror_tips(repo, security, upstream).map_err(|e| {
        anyhow::Error::new(
            Refusal::new(format!(
                "cannot read the security mirror's refs ({prefix}*), so whether a pick is an embargoed fix cannot be told: {e:#}; nothing was changed"
            ))
            .hint(format!("see what is wrong with: git for-each-ref {prefix}")),
        )
    })?;
    Ok(tips
        .into_iter()
        .map(|(name, id)| {
            let short = name
                .strip_prefix("refs/remotes/")
                .unwrap_or(&name)
                .to_owned();
            (short, id)
        })
        .collect())
}

/// The steps of a `tag` run, so that recovery from a failure is a match on the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagStep {
    /// Forget the record of an earlier run whose push did not go through.
    Forget,
    /// Write the tag object (and any cherry-picked commits).
    Objects,
    /// Point the remote-tracking ref at the tip listed and fetched.
    Tracking,
    /// Record the push, so a stopped run can be finished.
    Record,
    /// Push the tag.
    Push,
    /// Create the local tag.
    CreateLocal,
    /// Remove the record.
    Clear,
}

impl Mark for TagStep {}

/// Turns a stopped plan into what the user needs to know, from the step it stopped at: before
/// the push was recorded nothing needs saying; stopped before the push started, nothing is
/// public and the record goes; a push that failed is looked for on the upstream (a push can fail
/// after the remote took it); once the push went through, a rerun creates the local tag.
fn after_failure(
    repo: &gix::Repository,
    runner: &mut Runner,
    seen: &UpstreamTags,
    record: Option<&TagRecord>,
    stop: Stop<TagStep>,
) -> anyhow::Error {
    let failed = match stop {
        Stop::Before(e) => return e,
        Stop::Step(failed) => failed,
    };
    let Some(record) = record.filter(|_| failed.did(&TagStep::Record)) else {
        return failed.into_error();
    };
    let on_upstream = Refusal::new(format!(
        "tag {} is on {}, but the run stopped before it was finished here",
        record.tag, seen.upstream
    ))
    .hint("run the same command again: it creates the local tag, not another revision");
    let took = match failed.mark {
        TagStep::Push if failed.interrupted() => Ok(false),
        TagStep::Push => {
            let full = format!("refs/tags/{}", record.tag);
            git::remote::list(
                repo,
                &seen.upstream,
                config::UPSTREAM,
                &[format!("{full}:{full}")],
            )
            .map(|refs| {
                refs.find(&full).map(|r| r.target.to_string()) == Some(record.object.clone())
            })
        }
        TagStep::CreateLocal | TagStep::Clear => Ok(true),
        // Before the record: matched above.
        TagStep::Forget | TagStep::Objects | TagStep::Tracking | TagStep::Record => Ok(false),
    };
    let refusal = match took {
        Ok(true) => on_upstream,
        Ok(false) => {
            let path = tag_record::path(repo);
            let mut forget = Plan::default();
            forget.push(Effect::RemoveFile {
                path: path.clone(),
                what: "forget the record of the push that did not go through".into(),
            });
            if let Err(e) = runner.recover(repo, forget) {
                return e.context(format!(
                    "the push of tag {} did not go through, and its record {} cannot be removed",
                    record.tag,
                    path.display()
                ));
            }
            Refusal::new(format!(
                "{} did not take tag {}: nothing was pushed, and the record of the push was removed",
                seen.upstream, record.tag
            ))
            .hint("run the command again: it names the tag afresh")
        }
        Err(_) => Refusal::new(format!(
            "the push of tag {} failed, and {} cannot be listed to see whether it took it",
            record.tag, seen.upstream
        ))
        .hint("run the same command again once it can be reached: it finishes the tag if the upstream has it, and starts afresh if not"),
    };
    failed.into_error().context(refusal)
}

/// What a ref points to as it is (a tag object, not peeled); `None` if it is missing or symbolic.
fn ref_target(repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>> {
    let reference = repo
        .try_find_reference(name)
        .with_context(|| format!("cannot read {name}"))?;
    Ok(reference.and_then(|r| r.target().try_id().map(ToOwned::to_owned)))
}
