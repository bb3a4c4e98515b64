//! `git push-duty next-tag`: the name the next calendar tag gets, without changing anything.

use anyhow::Result;

use crate::console::Console;
use crate::context::{Context, DateSource};
use crate::git;
use crate::tagging::upstream_tags::{Reach, Scope, UpstreamTags};

/// Print the name the next calendar tag gets.
///
/// The name is the push date (the first push day on or after today, on the cadence, not
/// skipped), as YYYY.MM.DD; if that tag already exists on the upstream or locally, it is
/// YYYY.MM.DD-N with N one more than the highest revision. The upstream's tags are listed (not
/// fetched); nothing is changed. Only the tags of the push date's year and the year before are
/// read, here and on the upstream (every tag when those hold no earlier push). pushduty.tagFormat puts fixed text around the date (v{date}
/// names v2026.12.03, then v2026.12.03-1); tags named otherwise are not counted.
///
/// When the latest revision exists only here (made with tag --no-push), it says so with the
/// command that pushes it, and whether tag would refuse because that revision already points
/// to the upstream branch's tip.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The push date itself, YYYY-MM-DD, for an off-schedule push.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::value::date())]
    pub date: Option<chrono::NaiveDate>,
    /// Use local tags and the last fetched upstream branch only; no network.
    #[arg(long)]
    pub offline: bool,
    /// Print a JSON object: tag, push_date, previous, target, last_push, compare,
    /// previous_revision, compare_revision, offline.
    #[arg(long)]
    pub json: bool,
    /// The next tag of every repository of the train (this one, then each pushduty.repo), for
    /// the same push date; with --json, a list of the objects, each with repository and path.
    #[arg(long)]
    pub all: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    tag: String,
    push_date: String,
    date_source: DateSource,
    previous: Option<&'a str>,
    target: Option<String>,
    upstream: &'a str,
    branch: &'a str,
    /// The latest revision of the previous push date's tag on the upstream (what production
    /// runs), and the compare link from it to the tag, as `tag` and `compare` give them.
    last_push: Option<String>,
    compare: Option<String>,
    /// For a revision: the revision before it on the upstream, and the link from it.
    previous_revision: Option<String>,
    compare_revision: Option<String>,
    offline: bool,
    /// The latest revision of the push date's tag when it is only here, not on the upstream.
    only_here: Option<&'a str>,
    /// The command that pushes it.
    push_command: Option<String>,
    /// True if the latest revision already points to the tip: tag refuses to tag it again
    /// (unless --allow-same-commit).
    same_commit: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    if args.all {
        return super::train_tag::next_tag_all(ctx, console, args);
    }
    let repo = ctx.repo;
    let reach = if args.offline {
        Reach::Offline
    } else {
        Reach::List
    };
    let seen = UpstreamTags::see(ctx, args.date, reach, Scope::PushDate)?;
    let tag = seen.lineage.name(&seen.next);
    if args.offline {
        writeln!(
            console.err,
            "offline: from local tags and refs/remotes/{}/{} as last fetched",
            seen.upstream, seen.branch
        )?;
    }
    let only_here = seen.latest_only_here();
    let same_commit = match (seen.latest_for_push_date(), seen.branch_tip) {
        (Some(latest), Some(tip)) => seen.tag_commit(repo, latest)? == Some(tip),
        _ => false,
    };
    if args.json {
        let counted = crate::tagging::ships::CountedFrom::of(&seen.lineage, &seen.next, |name| {
            seen.offline || seen.remote.find(&format!("refs/tags/{name}")).is_some()
        });
        let link = |from: &Option<String>| {
            from.as_deref().map(|from| {
                crate::forge::compare_hint(seen.link_urls.iter().map(String::as_str), from, &tag)
            })
        };
        let report = Report {
            compare: link(&counted.last_push),
            compare_revision: link(&counted.previous_revision),
            last_push: counted.last_push,
            previous_revision: counted.previous_revision,
            only_here,
            push_command: only_here.map(|t| seen.push_tag_command(t)),
            same_commit,
            push_date: seen.push_date.to_string(),
            date_source: seen.date_source,
            previous: seen.previous(),
            target: seen.branch_tip.map(|id| id.to_string()),
            upstream: &seen.upstream,
            branch: &seen.branch,
            offline: seen.offline,
            tag,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
    } else {
        writeln!(console.out, "{tag}")?;
        // What `tag` will say about a revision made with --no-push.
        if let Some(only_here) = only_here {
            writeln!(
                console.err,
                "{only_here} is only here, not on {} yet; to push it: {}",
                seen.upstream,
                seen.push_tag_command(only_here)
            )?;
        }
        if let Some(tip) = seen.branch_tip {
            let at = format!(
                "{} {}",
                git::short(repo, tip),
                git::subject(repo, tip).unwrap_or_else(|_| "(not fetched yet)".into())
            );
            match seen.latest_for_push_date() {
                Some(latest) if same_commit => writeln!(
                    console.err,
                    "tag would refuse to tag the same commit again: {latest} already points to the tip of {}/{}, {at} (--allow-same-commit makes {tag})",
                    seen.upstream, seen.branch,
                )?,
                _ => writeln!(
                    console.err,
                    "would tag {}/{} at {at}",
                    seen.upstream, seen.branch,
                )?,
            }
        }
    }
    Ok(())
}
