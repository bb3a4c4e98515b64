//! `git push-duty compare`: what a calendar tag ships, as the links for the etherpad and the
//! commits themselves, counted from the last push (and for a revision from the revision before).

use anyhow::Result;

use crate::console::Console;
use crate::context::Context;
use crate::error::{Refusal, refuse};
use crate::git;
use crate::tagging::ships::{self, Shipment};
use crate::tagging::upstream_tags::{CalendarTags, Reach};

/// Show what a calendar tag ships: its compare links, then its commits, one line each.
///
/// Production runs the last push (the latest revision of the previous push date's tag) until
/// TAG ships, so the first link is last push to TAG (2026.11.26...2026.12.03-1), and the
/// commits since it follow, short id and subject. For a revision the second link is previous
/// revision to TAG (2026.12.03...2026.12.03-1), with the commits since that.
///
/// The upstream's tags are listed (not fetched, as next-tag does) and are the truth: a local tag
/// that points elsewhere than the upstream's tag of the same name is named with both commits,
/// and the upstream's is used (its objects are fetched; no ref is written). An earlier tag that
/// is only here (made with tag --no-push) never ran, so it is named and passed over for the
/// upstream's before it. --offline keeps to local tags. Without a GitHub or GitLab URL the
/// link is a git log command that runs here: a tag this clone lacks, or has pointing elsewhere,
/// is named by its commit.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The calendar tag (default: the latest one).
    #[arg(value_name = "TAG", value_parser = crate::cli::value::tag())]
    pub tag: Option<String>,
    /// Use local tags only; do not list the upstream's.
    #[arg(long)]
    pub offline: bool,
    /// Print a JSON object: tag, last_push, compare, commits, previous_revision,
    /// compare_revision, revision_commits.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    tag: &'a str,
    /// The calendar tag just before it.
    previous: Option<&'a str>,
    last_push: Option<&'a str>,
    compare: Option<&'a str>,
    commits: Option<Vec<ships::CommitJson>>,
    previous_revision: Option<&'a str>,
    compare_revision: Option<&'a str>,
    revision_commits: Option<Vec<ships::CommitJson>>,
    offline: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let up = &ctx.settings.upstream;
    let reach = if args.offline {
        writeln!(
            console.err,
            "offline: from local tags only; {up}'s may differ (without --offline they are listed)"
        )?;
        Reach::Offline
    } else {
        Reach::List
    };
    let tags = CalendarTags::see(ctx, reach)?;
    let place = if args.offline {
        "here".to_owned()
    } else {
        format!("here or on {up}")
    };
    let tag = match &args.tag {
        Some(t) => t.clone(),
        None => match tags.lineage.latest() {
            Some(t) => t.to_owned(),
            None => {
                return refuse(
                    Refusal::new(format!("there are no calendar tags {place}"))
                        .hint("make the first one: git push-duty tag"),
                );
            }
        },
    };
    let format = &ctx.settings.tag_format;
    let Some(parsed) = tags.lineage.parse(&tag) else {
        return refuse(Refusal::new(format!(
            "{tag:?} is not a calendar tag{}",
            format.described()
        )));
    };
    if !tags.exists(repo, &tag)? {
        let hint = if args.offline {
            format!("list {up}'s tags too: git push-duty compare {tag}")
        } else {
            format!(
                "list the calendar tags: git ls-remote --tags {up} '{}'",
                format.glob()
            )
        };
        return refuse(Refusal::new(format!("there is no tag {tag} {place}")).hint(hint));
    }
    let counted = ships::CountedFrom::of(&tags.lineage, &parsed, |name| {
        tags.offline || tags.remote.find(&format!("refs/tags/{name}")).is_some()
    });
    if let Some(note) = counted.note(up) {
        writeln!(console.err, "{note}")?;
    }
    let last_push = counted.last_push.as_deref();
    let previous_revision = counted.previous_revision.as_deref();
    if last_push.is_none() && previous_revision.is_none() {
        return refuse(Refusal::new(format!(
            "{tag} is the first calendar tag {place}: there is nothing to compare it with"
        )));
    }
    let names: Vec<&str> = std::iter::once(tag.as_str())
        .chain(last_push)
        .chain(previous_revision)
        .collect();
    tags.fetch(repo, &names)?;
    for name in &names {
        if let Some((here, upstream)) = tags.diverging(repo, name)? {
            // Words only: a tag on a tree has no subject, and that decides nothing.
            let describe = |id| -> Result<String> {
                Ok(format!(
                    "{} ({})",
                    git::short(repo, id),
                    git::subject(repo, id).unwrap_or_else(|_| "not a commit".into())
                ))
            };
            writeln!(
                console.err,
                "warning: tag {name} here points to {}, on {up} to {}: using {up}'s\n\
                 hint: to make yours the same: git fetch --force {up} tag {name}",
                describe(here)?,
                describe(upstream)?,
            )?;
        }
    }
    let commit = |name: &str| -> Result<gix::ObjectId> {
        match tags.commit(repo, name)? {
            Some(id) => Ok(id),
            None => refuse(Refusal::new(format!(
                "tag {name} does not point to a commit"
            ))),
        }
    };
    let tip = commit(&tag)?;
    let last = last_push.map(|n| commit(n).map(|c| (n, c))).transpose()?;
    let revision = previous_revision
        .map(|n| commit(n).map(|c| (n, c)))
        .transpose()?;
    let urls = &ctx.upstream()?.link_urls;
    let to = ships::To {
        name: &tag,
        commit: tip,
        made_here: false,
    };
    let shipment = Shipment::of(repo, to, last, revision, &[], urls)?;
    if args.json {
        let report = Report {
            tag: &tag,
            previous: tags.lineage.previous(&parsed),
            last_push,
            compare: shipment.compare(),
            commits: ships::json_commits(shipment.last_push.as_ref(), true),
            previous_revision,
            compare_revision: shipment.compare_revision(),
            revision_commits: ships::json_commits(shipment.previous_revision.as_ref(), true),
            offline: args.offline,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
        return Ok(());
    }
    write!(console.out, "{}", shipment.render_links())?;
    write!(console.out, "{}", shipment.render(repo))?;
    Ok(())
}
