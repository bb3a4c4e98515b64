//! `git push-duty notes`: the release notes document of a push (Mozilla's push notes), printed
//! or written once as `releases/YYYY/MM/DD.md`, never over an existing one.

use anyhow::Result;
use chrono::NaiveDate;

use crate::config::NOTES_TEMPLATE;
use crate::config::week::{NotesSettings, Week};
use crate::console::Console;
use crate::context::Context;
use crate::error::{Refusal, refuse};
use crate::forge::{Forge, WebRepo};
use crate::git;
use crate::plan::{Effect, Mode, Plan, Runner};
use crate::tagging::ships::CountedFrom;
use crate::tagging::upstream_tags::{Reach, Scope, UpstreamTags};
use crate::tags::CalendarTag;
use crate::train::{self, Member};
use crate::week::notes::{self, Compare, Notes, Pick, RepoNotes};
use crate::week::rotation::Rotation;

/// Print (or write) the release notes document of a push.
///
/// The document has a title with the weekday and an ordinal date ("Release Thursday 3rd
/// December 2026"; the prefix is pushduty.notesTitle), the push hero from the rotation, and the
/// sections "Notable things shipping", "Blockers", "Cherry-picks" (the commits of this push's
/// -N revisions, as links, oldest first), "Pushing" (one compare link per repository of the
/// train, from the last push to this push's latest tag), "Before we push", "Before we start",
/// "Before we promote" and "After we're done" (the team's pushduty.link monitoring links).
/// pushduty.notesTemplate names a markdown file with placeholders to use instead: {title}
/// {date} {long_date} {weekday} {hero} {mention} {cherry_picks} {compare_links} {links}.
///
/// The upstream's tags are listed (not fetched; objects a cherry-pick list needs are fetched
/// without writing a ref); --offline keeps to local tags.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The push date, YYYY-MM-DD (default: the current push, the one next-tag would tag).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::value::date())]
    pub date: Option<NaiveDate>,
    /// The document for the push after this one, which the push hero creates once a push is
    /// complete.
    #[arg(long)]
    pub next: bool,
    /// Write the document as YYYY/MM/DD.md under pushduty.notesDir (default: releases at the
    /// top of this repository) instead of printing it. An existing document is never
    /// overwritten: that is refused, exit 1.
    #[arg(long)]
    pub write: bool,
    /// With --write: show what would be written, and write nothing.
    #[arg(long, requires = "write")]
    pub dry_run: bool,
    /// Use local tags only; do not list the upstreams'.
    #[arg(long)]
    pub offline: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let week = Week::load(repo)?;
    let rotation = week.rotation()?;
    let settings = week.notes()?;
    let date = push_date(&rotation, ctx.today()?, args.date, args.next)?;
    let path = settings.path(date);
    if args.write && path.symlink_metadata().is_ok() {
        return refuse(
            Refusal::new(format!(
                "{} already exists: the notes of the push on {date} are written, and were not overwritten",
                path.display()
            ))
            .hint(format!("edit it there, or see what it would hold now: {}", print_command(args))),
        );
    }
    let reach = if args.offline {
        Reach::Offline
    } else {
        Reach::List
    };
    let members = train::members(repo, &week)?;
    let mut repos = Vec::with_capacity(members.len());
    for member in &members {
        repos.push(member.within(|m| repo_notes(&ctx.for_repository(&m.repo)?, m, date, reach))?);
    }
    let hero = rotation
        .hero_on(date)
        .map_err(|e| Refusal::configuration(e.to_string()))?
        .to_owned();
    let document = render(
        &settings,
        &Notes {
            date,
            title_prefix: settings.title_prefix.clone(),
            hero,
            repos,
            links: settings.links.clone(),
        },
    )?;
    if !args.write {
        write!(console.out, "{document}")?;
        return Ok(());
    }
    let mut plan = Plan::default();
    plan.push(Effect::CreateFile {
        path: path.clone(),
        contents: document,
        what: format!(
            "write the notes of the push on {date} to {}",
            path.display()
        ),
    });
    let mode = Mode {
        dry_run: args.dry_run,
        yes: true,
    };
    if Runner::new(mode).carry_out_files(console, plan, "Write it?")? == crate::plan::Outcome::Done
    {
        writeln!(console.err, "wrote {}", path.display())?;
        if let Some(url) = settings.url(date) {
            writeln!(console.err, "once committed and pushed, it is at {url}")?;
        }
    }
    Ok(())
}

/// The push the notes are for: `--date` (a push date), else the current push on `today`; with
/// `next`, the push after it.
pub fn push_date(
    rotation: &Rotation,
    today: NaiveDate,
    date: Option<NaiveDate>,
    next: bool,
) -> Result<NaiveDate> {
    let to_refusal =
        |e: crate::week::rotation::RotationError| anyhow::Error::new(Refusal::usage(e.to_string()));
    let date = match date {
        Some(date) => {
            rotation.hero_on(date).map_err(to_refusal)?;
            date
        }
        None => {
            rotation
                .current(today)
                .map_err(|e| Refusal::configuration(e.to_string()))?
                .date
        }
    };
    if next {
        return Ok(rotation.push_after(date).map_err(to_refusal)?.date);
    }
    Ok(date)
}

fn print_command(args: &Args) -> String {
    let mut command = String::from("git push-duty notes");
    if let Some(date) = &args.date {
        command.push_str(&format!(" --date {date}"));
    }
    if args.next {
        command.push_str(" --next");
    }
    command
}

/// The document, from the team's template or the default one.
fn render(settings: &NotesSettings, notes: &Notes) -> Result<String> {
    match &settings.template {
        None => Ok(notes::render(notes)),
        Some((path, text)) => notes::render_template(text, notes).map_err(|e| {
            Refusal::configuration(format!(
                "the notes template {} ({NOTES_TEMPLATE}) cannot be filled: {e}",
                path.display()
            ))
            .hint(format!("correct {}", path.display()))
            .into()
        }),
    }
}

/// What one repository of the train ships on `date`: its compare link from the last push to the
/// push date's latest tag, and for a revision the commits cherry-picked onto it, oldest first.
pub fn repo_notes(
    ctx: &Context<'_>,
    member: &Member,
    date: NaiveDate,
    reach: Reach,
) -> Result<RepoNotes> {
    let repo = &member.repo;
    let survey = UpstreamTags::see(ctx, Some(date), reach, Scope::All)?;
    let Some(latest) = survey.latest_for_push_date().map(str::to_owned) else {
        return Ok(RepoNotes {
            name: member.name.clone(),
            compare: Compare::NotTagged,
            picks: Vec::new(),
        });
    };
    let tag = survey
        .lineage
        .parse(&latest)
        .ok_or_else(|| anyhow::anyhow!("{latest} is not a calendar tag"))?;
    let counted = CountedFrom::of(&survey.lineage, &tag, |name| {
        survey.offline || survey.remote.find(&format!("refs/tags/{name}")).is_some()
    });
    let urls = survey.link_urls.iter().map(String::as_str);
    let compare = match &counted.last_push {
        Some(from) => Compare::from_hint(crate::forge::compare_hint(urls, from, &latest)),
        None => Compare::Command(format!("git log --oneline {latest}")),
    };
    // A revision ships what was picked onto the push date's first tag, or onto the last push
    // when the revision was made from it.
    let base = survey.lineage.name(&CalendarTag::base(date));
    let picked_onto = if tag.revision.is_none() {
        None
    } else if survey.lineage.contains(&base) {
        Some(base)
    } else {
        counted.last_push.clone()
    };
    let mut picks = Vec::new();
    if let Some(onto) = picked_onto {
        survey.fetch_tags(repo, &[latest.as_str(), onto.as_str()])?;
        let (Some(from), Some(to)) = (
            survey.tag_commit(repo, &onto)?,
            survey.tag_commit(repo, &latest)?,
        ) else {
            return Err(anyhow::anyhow!(
                "cannot read the commits of {onto} and {latest} in {}",
                member.top.display()
            ));
        };
        let web = survey
            .link_urls
            .iter()
            .find_map(|url| WebRepo::from_url(url));
        for id in git::commits_between(repo, Some(from), to)?
            .into_iter()
            .rev()
        {
            let commit = repo
                .find_commit(id)
                .map_err(|e| anyhow::anyhow!("cannot read commit {id}: {e}"))?;
            if commit.parent_ids().count() > 1 {
                continue;
            }
            picks.push(Pick {
                short_id: git::short(repo, id),
                subject: git::subject(repo, id)?,
                link: web.as_ref().map(|w| commit_url(w, &id.to_string())),
            });
        }
    }
    Ok(RepoNotes {
        name: member.name.clone(),
        compare,
        picks,
    })
}

/// A commit's page on its forge.
pub fn commit_url(web: &WebRepo, id: &str) -> String {
    match web.forge {
        Forge::GitHub => format!("https://{}/{}/commit/{id}", web.host, web.path),
        Forge::GitLab => format!("https://{}/{}/-/commit/{id}", web.host, web.path),
    }
}
