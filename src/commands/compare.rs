//! `git push-duty compare`: what a calendar tag ships, as the link for the etherpad and the
//! commits themselves.

use anyhow::Result;

use crate::config::Settings;
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::forge;
use crate::git;
use crate::tags::{CalendarTag, Lineage};

/// Show what a calendar tag ships: the compare link against the calendar tag before it, then
/// the commits between them, one line each.
///
/// Works from local tags only (no network); fetch first to see tags made elsewhere.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The calendar tag (default: the latest one).
    #[arg(value_name = "TAG")]
    pub tag: Option<String>,
    /// Print a JSON object: tag, previous, compare, commits.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    tag: &'a str,
    previous: &'a str,
    compare: &'a str,
    commits: Vec<CommitLine>,
}

#[derive(serde::Serialize)]
struct CommitLine {
    id: String,
    subject: String,
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let settings = Settings::load(repo)?;
    let lineage = Lineage::from_names(git::local_tag_names(repo)?);
    let tag = match &args.tag {
        Some(t) => t.strip_prefix("refs/tags/").unwrap_or(t).to_owned(),
        None => match lineage.latest() {
            Some(t) => t.to_owned(),
            None => {
                return refuse(
                    Refusal::new("there are no calendar tags here").hint(format!(
                        "fetch them: git fetch {} --tags",
                        settings.upstream
                    )),
                );
            }
        },
    };
    let Some(parsed) = CalendarTag::parse(&tag) else {
        return refuse(Refusal::new(format!(
            "{tag:?} is not a calendar tag (YYYY.MM.DD or YYYY.MM.DD-N)"
        )));
    };
    let Some(tip) = git::ref_commit(repo, &format!("refs/tags/{tag}"))? else {
        return refuse(
            Refusal::new(format!("there is no tag {tag} here")).hint(format!(
                "fetch the tags: git fetch {} --tags",
                settings.upstream
            )),
        );
    };
    let Some(previous) = lineage.previous(&parsed) else {
        return refuse(Refusal::new(format!(
            "{tag} is the first calendar tag here: there is nothing to compare it with"
        )));
    };
    let previous_commit = git::ref_commit(repo, &format!("refs/tags/{previous}"))?;
    let urls = git::remote::link_urls(repo, &settings.upstream);
    let link = forge::compare_hint(urls.iter().map(String::as_str), previous, &tag);
    let commits = git::commits_between(repo, previous_commit, tip)?
        .into_iter()
        .map(|id| {
            Ok(CommitLine {
                id: id.to_string(),
                subject: git::subject(repo, id)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if args.json {
        let report = Report {
            tag: &tag,
            previous,
            compare: &link,
            commits,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
        return Ok(());
    }
    writeln!(console.out, "{link}")?;
    for c in &commits {
        let id = gix::ObjectId::from_hex(c.id.as_bytes())?;
        writeln!(console.out, "{} {}", git::short(repo, id), c.subject)?;
    }
    Ok(())
}
