//! `next-tag --all` and `tag --all`: the same commands for every repository of the train, for one
//! push date. Each repository is the per-repository command run in it; this file only loops,
//! shows one plan, asks once, and reports per repository what was done, so that a failure in one
//! is never a silent half-done train and running the same command again finishes the rest.

use std::fmt::Write as _;

use anyhow::Result;
use gix::ObjectId;

use crate::cli::Command;
use crate::config::week::Week;
use crate::console::Console;
use crate::context::Context;
use crate::error::{Refusal, refuse};
use crate::hints::CommandEdge;
use crate::plan::{Effect, Mode, Runner};
use crate::tagging::record as tag_record;
use crate::tagging::upstream_tags::{Reach, Scope, UpstreamTags};
use crate::train::{self, Member};

use super::{next_tag, tag};

/// `next-tag --all`: the next tag's name in each repository of the train.
pub fn next_tag_all(
    ctx: &Context<'_>,
    console: &mut Console<'_>,
    args: &next_tag::Args,
) -> Result<()> {
    let week = Week::load(ctx.repo)?;
    let date = ctx.push_date(args.date)?.date;
    let members = train::members(ctx.repo, &week)?;
    let each = next_tag::Args {
        all: false,
        date: Some(date),
        ..args.clone()
    };
    let mut failed = Vec::new();
    let mut json = Vec::new();
    for member in &members {
        let said = train::capture(member, |m, c| {
            next_tag::run(&ctx.for_repository(&m.repo)?, c, &each)
        });
        let edge = CommandEdge::of(&Command::NextTag(each.clone()));
        if let Some(error) = said.error_text(&edge) {
            write!(
                console.err,
                "{}:\n{}",
                train::heading(member),
                train::indent(&error)
            )?;
            failed.push(member.name.clone());
            continue;
        }
        if args.json {
            let mut value: serde_json::Value = serde_json::from_str(&said.out)?;
            if let Some(object) = value.as_object_mut() {
                object.insert("repository".into(), member.name.clone().into());
                object.insert("path".into(), member.top.display().to_string().into());
            }
            json.push(value);
        } else {
            writeln!(console.out, "{}\t{}", member.name, said.out.trim())?;
            if !said.err.is_empty() {
                write!(
                    console.err,
                    "{}:\n{}",
                    train::heading(member),
                    train::indent(&said.err)
                )?;
            }
        }
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *console.out, &json)?;
        writeln!(console.out)?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        refuse(Refusal::new(format!(
            "next-tag failed in {}: see above",
            failed.join(", ")
        )))
    }
}

/// What the plan found for one member.
enum Found {
    /// Its tag for this push already points to its branch tip: nothing to do.
    Tagged { tag: String, only_here: bool },
    /// To be tagged: the name and the tip the plan showed.
    ToTag { name: String, tip: Option<ObjectId> },
}

/// How one member ended.
enum Ended {
    Skipped(String),
    Done(String),
    Failed(String),
    NotStarted,
}

/// `tag --all`: one plan for the whole train, one question, then each repository tagged in
/// turn, and a report of exactly what was done.
pub fn tag_all(ctx: &Context<'_>, console: &mut Console<'_>, args: &tag::Args) -> Result<()> {
    let repo = ctx.repo;
    let week = Week::load(repo)?;
    let date = ctx.push_date(args.date)?.date;
    let members = train::members(repo, &week)?;
    let each = tag::Args {
        all: false,
        date: Some(date),
        dry_run: true,
        yes: true,
        json: false,
        ..args.clone()
    };
    let tag_edge = CommandEdge::of(&Command::Tag(each.clone()));
    let reach = if args.offline {
        Reach::Offline
    } else {
        Reach::List
    };
    // The plan: each repository's own dry run. Any refusal stops the train before anything.
    let mut found = Vec::with_capacity(members.len());
    for member in &members {
        writeln!(console.err, "== {} ==", train::heading(member))?;
        let what = match member.within(|m| look(ctx, m, date, reach)) {
            Ok(what) => what,
            Err(e) => {
                let mut text = Vec::new();
                crate::error::report(&e, &tag_edge, &mut text);
                write!(
                    console.err,
                    "{}",
                    train::indent(&String::from_utf8_lossy(&text))
                )?;
                return cannot_plan(member);
            }
        };
        if let Found::Tagged { tag, only_here } = &what {
            writeln!(
                console.err,
                "  {tag} already points to the tip of {}/{}: skipped{}",
                member.settings.upstream,
                member.settings.branch(&member.repo)?,
                if *only_here {
                    format!(
                        " (it is only here; to push it: {})",
                        push_command(member, tag)
                    )
                } else {
                    String::new()
                }
            )?;
            found.push(what);
            continue;
        }
        let said = train::capture(member, |m, c| {
            tag::run(&ctx.for_repository(&m.repo)?, c, &each)
        });
        if let Some(error) = said.error_text(&tag_edge) {
            write!(console.err, "{}", train::indent(&said.err))?;
            write!(console.err, "{}", train::indent(&error))?;
            return cannot_plan(member);
        }
        let plan: String = said
            .err
            .lines()
            .filter(|l| *l != "Dry run: nothing was changed.")
            .map(|l| format!("  {l}\n"))
            .collect();
        write!(console.err, "{plan}{}", train::indent(&said.out))?;
        found.push(what);
    }
    let to_tag = found
        .iter()
        .filter(|f| matches!(f, Found::ToTag { .. }))
        .count();
    let pushes = !(args.no_push || args.offline);
    // A tag made with --no-push is at the tip but not on the upstream: not done when pushing.
    let unpushed: Vec<String> = members
        .iter()
        .zip(&found)
        .filter_map(|(m, f)| match f {
            Found::Tagged {
                tag,
                only_here: true,
            } if pushes => Some(push_command(m, tag)),
            _ => None,
        })
        .collect();
    if to_tag == 0 && unpushed.is_empty() {
        writeln!(
            console.err,
            "Every repository of the train is tagged for {date}."
        )?;
        return Ok(());
    }
    if args.dry_run {
        writeln!(console.err, "Dry run: nothing was changed.")?;
        return Ok(());
    }
    if to_tag == 0 {
        let mut refusal = Refusal::new(format!(
            "every repository of the train is tagged for {date}, but {} of the tags {} only here, not on the upstream: nothing was changed",
            unpushed.len(),
            if unpushed.len() == 1 { "is" } else { "are" }
        ));
        for command in unpushed {
            refusal = refusal.hint(format!("push it: {command}"));
        }
        return refuse(refusal);
    }
    if pushes && !args.yes {
        if !console.interactive {
            return refuse(
                Refusal::usage("not on a terminal, and this pushes tags: nothing was done")
                    .hint("pass --yes to go ahead without the question, or --dry-run to see the plan only"),
            );
        }
        let question = format!("Tag and push {to_tag} of {} repositories?", members.len());
        if !console.ask(&question)? {
            return refuse(Refusal::new("not confirmed: nothing was done"));
        }
    }
    let each = tag::Args {
        dry_run: false,
        ..each
    };
    // One train at a time from this clone (each repository's own tag lock guards it too).
    let mut runner = Runner::new(Mode {
        dry_run: false,
        yes: true,
    });
    runner.hold(Effect::Lock {
        path: crate::config::state_dir(repo).join("train.lock"),
        running: "another tag --all is running".into(),
        what: "lock the train".into(),
    })?;
    // Ctrl-C stops the train between repositories, not only between one repository's steps.
    let _signals = gix::interrupt::init_handler_default(1)?.auto_deregister();
    let mut ended = Vec::with_capacity(members.len());
    for (member, what) in members.iter().zip(&found) {
        if crate::plan::interrupted() {
            break;
        }
        let (name, tip) = match what {
            Found::Tagged { tag, only_here } => {
                ended.push(if *only_here && pushes {
                    Ended::Failed(format!(
                        "{tag} points to the tip but is only here, not on {}: push it: {}",
                        member.settings.upstream,
                        push_command(member, tag)
                    ))
                } else {
                    Ended::Skipped(format!("{tag} already there"))
                });
                continue;
            }
            Found::ToTag { name, tip } => (name, tip),
        };
        // What is tagged must be what was shown: a tip that moved since is not tagged unseen.
        let now = member.within(|m| look(ctx, m, date, reach));
        let moved = match &now {
            Ok(Found::ToTag { name: n, tip: t }) => n != name || t != tip,
            Ok(Found::Tagged { .. }) => true,
            Err(_) => false,
        };
        if let Err(e) = now {
            ended.push(Ended::Failed(format!("{e:#}")));
            continue;
        }
        if moved {
            ended.push(Ended::Failed(format!(
                "the upstream changed since the plan was shown ({name} would no longer be what it showed); not tagged"
            )));
            continue;
        }
        let said = train::capture(member, |m, c| {
            tag::run(&ctx.for_repository(&m.repo)?, c, &each)
        });
        ended.push(match said.error_text(&tag_edge) {
            Some(error) => Ended::Failed(error.trim_end().to_owned()),
            None => Ended::Done(said.out.trim_end().to_owned()),
        });
    }
    while ended.len() < members.len() {
        ended.push(Ended::NotStarted);
    }
    // The same push date when finished another day.
    let mut rerun = format!("git push-duty tag --all --date {date}");
    for (flag, given) in [
        (" --from-branch", args.from_branch),
        (" --no-push", args.no_push),
        (" --offline", args.offline),
    ] {
        if given {
            rerun.push_str(flag);
        }
    }
    report(console, &members, &ended, pushes, &rerun)
}

/// The command that pushes a tag made with --no-push in `member`.
fn push_command(member: &Member, tag: &str) -> String {
    format!(
        "git -C {} push {} refs/tags/{tag}",
        member.top.display(),
        member.settings.upstream
    )
}

/// The refusal when one member's plan cannot be made: nothing is done anywhere.
fn cannot_plan(member: &Member) -> Result<()> {
    refuse(
        Refusal::new(format!(
            "{} cannot be tagged, so no repository of the train was: nothing was changed",
            member.name
        ))
        .hint(format!(
            "see why above; to tag it alone: git -C {} push-duty tag",
            member.top.display()
        )),
    )
}

/// The current state of one member: tagged for `date` at its tip already, or the next name and
/// the tip it would tag. A run of tag that stopped midway is never "tagged": tag finishes it.
fn look(
    ctx: &Context<'_>,
    member: &Member,
    date: chrono::NaiveDate,
    reach: Reach,
) -> Result<Found> {
    let repo = &member.repo;
    // A context of its own each time: a look is a new listing of the upstream.
    let survey = UpstreamTags::see(&ctx.for_repository(repo)?, Some(date), reach, Scope::All)?;
    if tag_record::load(repo)?.is_none()
        && let (Some(latest), Some(tip)) = (survey.latest_for_push_date(), survey.branch_tip)
        && survey.tag_commit(repo, latest)? == Some(tip)
    {
        return Ok(Found::Tagged {
            tag: latest.to_owned(),
            only_here: survey.latest_only_here().is_some(),
        });
    }
    Ok(Found::ToTag {
        name: survey.lineage.name(&survey.next),
        tip: survey.branch_tip,
    })
}

/// Per repository what was done; exit 1 naming what is left, with the command that finishes it.
fn report(
    console: &mut Console<'_>,
    members: &[Member],
    ended: &[Ended],
    pushes: bool,
    rerun: &str,
) -> Result<()> {
    let mut done = Vec::new();
    let mut skipped = Vec::new();
    let mut failed = Vec::new();
    for (member, end) in members.iter().zip(ended) {
        let mut text = String::new();
        match end {
            Ended::Skipped(why) => {
                let _ = writeln!(text, "{}: skipped, {why}", member.name);
                skipped.push(member.name.as_str());
            }
            Ended::Done(said) => {
                let how = if pushes {
                    "tagged and pushed"
                } else {
                    "tagged here (not pushed)"
                };
                let _ = write!(text, "{}: {how}\n{}", member.name, train::indent(said));
                done.push(member.name.as_str());
            }
            Ended::Failed(why) => {
                let _ = write!(text, "{}: NOT TAGGED\n{}", member.name, train::indent(why));
                failed.push(member.name.as_str());
            }
            Ended::NotStarted => {
                let _ = writeln!(text, "{}: not started", member.name);
                failed.push(member.name.as_str());
            }
        }
        write!(console.out, "{text}")?;
    }
    if failed.is_empty() {
        return Ok(());
    }
    let list = |names: &[&str]| {
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    };
    refuse(
        Refusal::new(format!(
            "the train is half tagged: {} of {} repositories not tagged ({}); tagged{}: {}; already tagged: {}",
            failed.len(),
            members.len(),
            failed.join(", "),
            if pushes { " and pushed" } else { "" },
            list(&done),
            list(&skipped)
        ))
        .hint(format!("once the cause above is mended, finish the rest: {rerun} (repositories already tagged at their tip are skipped, not tagged again)")),
    )
}
