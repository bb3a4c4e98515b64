//! `git push-duty tag`: the seed's "Tag the repos" in one command. Fetch, name the next calendar
//! tag, tag the upstream branch's tip (or cherry-pick revisions onto the last tag, in memory),
//! push only that tag, and print the compare link.

use anyhow::Result;
use gix::ObjectId;

use crate::config::{self, Settings};
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git::{self, pick::Picked};
use crate::plan::{self, Effect, Mode, Plan};
use crate::survey::{Reach, Survey};

/// Create the next calendar tag and push it to the upstream.
///
/// Fetches the upstream, names the next calendar tag (see next-tag), and tags the tip of
/// <upstream>/<branch> with an annotated tag. With --cherry-pick, the revisions are applied in
/// order, in memory, onto the latest revision of this push date's tag (or the calendar tag before
/// it, or --from), and the result is tagged instead; the worktree, index and branches are not
/// touched. Only the new tag is pushed (git push <upstream> refs/tags/NAME). A tag is never
/// moved, reused or deleted.
///
/// On a terminal the plan is shown and confirmed before anything is pushed; elsewhere --yes is
/// required.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The push date itself, YYYY-MM-DD, for an off-schedule push.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// A commit to cherry-pick onto the base tag; repeat for several, applied in order.
    #[arg(long = "cherry-pick", value_name = "REV")]
    pub cherry_pick: Vec<String>,
    /// The tag the cherry-picks build on (default: the latest revision of this push date's tag,
    /// else the latest calendar tag before it).
    #[arg(long, value_name = "TAG", requires = "cherry_pick")]
    pub from: Option<String>,
    /// Tag even if the commit is what the latest revision of this push date's tag already
    /// points to (a fresh -N to trigger a new build and deploy).
    #[arg(long)]
    pub allow_same_commit: bool,
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
}

/// What the tag will be, before anything is done.
struct Intent {
    name: String,
    target: ObjectId,
    base: Option<String>,
    picked: Vec<Picked>,
    previous: Option<String>,
    compare: Option<String>,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    tag: &'a str,
    commit: String,
    tag_object: String,
    push_date: String,
    previous: Option<&'a str>,
    compare: Option<&'a str>,
    base: Option<&'a str>,
    cherry_picks: Vec<PickReport>,
    pushed: bool,
    created: bool,
}

#[derive(serde::Serialize)]
struct PickReport {
    original: String,
    commit: String,
    subject: String,
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let settings = Settings::load(repo)?;
    let date = args.date.as_deref().map(config::date_flag).transpose()?;
    let reach = if args.offline {
        Reach::Offline
    } else {
        Reach::List
    };
    let push = !(args.no_push || args.offline);
    let survey = Survey::take(repo, &settings, date, reach)?;
    if args.offline {
        writeln!(
            console.err,
            "offline: from local tags and refs/remotes/{}/{} as last fetched; the tag will not be pushed",
            survey.upstream, survey.branch
        )?;
    }
    let committer = git::committer(repo)?;
    // Everything is built in memory; the plan writes it only when carried out.
    let mut scratch = repo.clone().with_object_memory();
    let intent = decide(repo, &scratch, &survey, args, &committer, console.err)?;

    // Read before the memory is taken: a picked commit exists nowhere else until the plan runs.
    let subject = git::subject(&scratch, intent.target).unwrap_or_default();
    let message = tag_message(repo, &survey, &intent);
    let tag_object = scratch
        .write_object(gix::objs::Tag {
            target: intent.target,
            target_kind: gix::objs::Kind::Commit,
            name: intent.name.as_str().into(),
            tagger: Some(committer.clone()),
            message: message.into(),
            signature: None,
        })
        .map_err(|e| anyhow::anyhow!("cannot build the tag object: {e}"))?
        .detach();
    let objects = scratch.objects.take_object_memory().unwrap_or_default();

    let mut plan = Plan::default();
    plan.push(Effect::WriteObjects {
        what: match intent.picked.len() {
            0 => format!("write the annotated tag object for {}", intent.name),
            n => format!(
                "write {n} cherry-picked commit{} and the tag object",
                if n == 1 { "" } else { "s" }
            ),
        },
        objects,
    });
    if push {
        plan.push(Effect::Push {
            remote: survey.upstream.clone(),
            refspecs: vec![format!("{tag_object}:refs/tags/{}", intent.name)],
            what: format!(
                "push tag {} ({} {}) to {} ({})",
                intent.name,
                git::short(repo, intent.target),
                subject,
                survey.upstream,
                survey.upstream_push_url.as_deref().unwrap_or("no URL")
            ),
        });
    }
    plan.push(Effect::CreateRef {
        name: format!("refs/tags/{}", intent.name),
        target: tag_object,
        what: format!("create local tag {}", intent.name),
    });

    if git::local_tag_exists(repo, &intent.name)? {
        return refuse(
            Refusal::new(format!(
                "tag {} appeared locally meanwhile; nothing was changed",
                intent.name
            ))
            .hint("run the command again to get the next name"),
        );
    }
    let mode = Mode {
        dry_run: args.dry_run,
        yes: args.yes,
    };
    let question = format!("Push tag {} to {}?", intent.name, survey.upstream);
    let outcome = plan::carry_out(repo, console, plan, mode, &question)?;
    let created = outcome == plan::Outcome::Done;

    if args.json {
        let report = Report {
            tag: &intent.name,
            commit: intent.target.to_string(),
            tag_object: tag_object.to_string(),
            push_date: survey.push_date.to_string(),
            previous: intent.previous.as_deref(),
            compare: intent.compare.as_deref(),
            base: intent.base.as_deref(),
            cherry_picks: intent
                .picked
                .iter()
                .map(|p| PickReport {
                    original: p.original.to_string(),
                    commit: p.result.to_string(),
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
            format!(
                "Tagged {} and pushed it to {}.",
                intent.name, survey.upstream
            )
        } else {
            format!("Tagged {} locally (not pushed).", intent.name)
        };
        writeln!(console.err, "{done}")?;
    }
    writeln!(console.out, "tag: {}", intent.name)?;
    writeln!(console.out, "commit: {} {subject}", intent.target)?;
    match &intent.compare {
        Some(link) => writeln!(console.out, "compare: {link}")?,
        None => writeln!(console.out, "compare: (no earlier calendar tag)")?,
    }
    Ok(())
}

/// Decides the tag's name and commit, building cherry-picks in `scratch` (object memory).
fn decide(
    repo: &gix::Repository,
    scratch: &gix::Repository,
    survey: &Survey,
    args: &Args,
    committer: &gix::actor::Signature,
    err: &mut dyn std::io::Write,
) -> Result<Intent> {
    let name = survey.next.to_string();
    let previous = survey.previous().map(str::to_owned);
    let compare = survey.compare_hint(&name);
    if args.cherry_pick.is_empty() {
        survey.fetch_objects(repo, &[])?;
        let Some(tip) = survey.branch_tip else {
            let (what, hint) = if survey.offline {
                (
                    format!(
                        "refs/remotes/{}/{} does not exist here",
                        survey.upstream, survey.branch
                    ),
                    format!("fetch it: git fetch {} {}", survey.upstream, survey.branch),
                )
            } else {
                (
                    format!(
                        "the upstream {} has no branch {}",
                        survey.upstream, survey.branch
                    ),
                    format!(
                        "name the branch that is released: git config {} <branch>",
                        config::BRANCH
                    ),
                )
            };
            return refuse(Refusal::new(what).hint(hint));
        };
        if let Some(latest) = survey.latest_for_push_date()
            && survey.tag_commit(repo, latest)? == Some(tip)
            && !args.allow_same_commit
        {
            let mut refusal = Refusal::new(format!(
                "nothing new to tag: {latest} already points to {} ({}), the tip of {}/{}",
                git::short(repo, tip),
                git::subject(repo, tip).unwrap_or_default(),
                survey.upstream,
                survey.branch
            ));
            // Made with --no-push: what is missing is the push, not another revision.
            if !survey.offline && survey.remote.find(&format!("refs/tags/{latest}")).is_none() {
                refusal = refusal.hint(format!(
                    "{latest} is only here, not on {up} yet; to push it: git push {up} refs/tags/{latest}",
                    up = survey.upstream
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
            compare,
        });
    }

    let base_name = match &args.from {
        Some(from) => {
            let from = from.strip_prefix("refs/tags/").unwrap_or(from).to_owned();
            let full = format!("refs/tags/{from}");
            // `""`, `a b`: no tag can have the name, so it is not one (rather than a parse error).
            let valid = gix::refs::FullName::try_from(full.as_str()).is_ok();
            let known = valid
                && (survey.remote.find(&full).is_some() || git::local_tag_exists(repo, &from)?);
            if !known {
                return refuse(
                    Refusal::new(format!(
                        "--from {from:?} is not a tag here or on {}",
                        survey.upstream
                    ))
                    .hint("list the calendar tags with: git tag --list '20*' --sort=-v:refname"),
                );
            }
            from
        }
        None => match survey.previous() {
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
    survey.fetch_objects(repo, &[base_name.as_str()])?;
    if let Some((here, upstream)) = survey.diverging_tag(repo, &base_name) {
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
            up = survey.upstream,
        )?;
    }
    let Some(base) = survey.tag_commit(repo, &base_name)? else {
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
                git::resolve_commit(repo, spec, "--cherry-pick")?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let (target, picked) = git::pick::cherry_pick(scratch, base, &picks, committer)?;
    Ok(Intent {
        name,
        target,
        base: Some(base_name),
        picked,
        previous,
        compare,
    })
}

fn tag_message(repo: &gix::Repository, survey: &Survey, intent: &Intent) -> String {
    let mut message = format!(
        "Push of {} ({})\n",
        survey.push_date.format("%A %Y-%m-%d"),
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
