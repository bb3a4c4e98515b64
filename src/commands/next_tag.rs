//! `git push-duty next-tag`: the name the next calendar tag gets, without changing anything.

use anyhow::Result;

use crate::config::{self, Settings};
use crate::console::Console;
use crate::git;
use crate::survey::{Reach, Survey};

/// Print the name the next calendar tag gets.
///
/// The name is the push date (the first push day on or after today, on the cadence, not
/// skipped), as YYYY.MM.DD; if that tag already exists on the upstream or locally, it is
/// YYYY.MM.DD-N with N one more than the highest revision. The upstream's tags are listed (not
/// fetched); nothing is changed.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The push date itself, YYYY-MM-DD, for an off-schedule push.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Use local tags and the last fetched upstream branch only; no network.
    #[arg(long)]
    pub offline: bool,
    /// Print a JSON object: tag, push_date, previous, target, compare, offline.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    tag: String,
    push_date: String,
    date_source: crate::survey::DateSource,
    previous: Option<&'a str>,
    target: Option<String>,
    upstream: &'a str,
    branch: &'a str,
    compare: Option<String>,
    offline: bool,
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let settings = Settings::load(repo)?;
    let date = args.date.as_deref().map(config::date_flag).transpose()?;
    let reach = if args.offline {
        Reach::Offline
    } else {
        Reach::List
    };
    let survey = Survey::take(repo, &settings, date, reach)?;
    let tag = survey.next.to_string();
    if args.offline {
        writeln!(
            console.err,
            "offline: from local tags and refs/remotes/{}/{} as last fetched",
            survey.upstream, survey.branch
        )?;
    }
    if args.json {
        let report = Report {
            push_date: survey.push_date.to_string(),
            date_source: survey.date_source,
            previous: survey.previous(),
            target: survey.branch_tip.map(|id| id.to_string()),
            upstream: &survey.upstream,
            branch: &survey.branch,
            compare: survey.compare_hint(&tag),
            offline: survey.offline,
            tag,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
    } else {
        writeln!(console.out, "{tag}")?;
        if let Some(tip) = survey.branch_tip {
            writeln!(
                console.err,
                "would tag {}/{} at {} {}",
                survey.upstream,
                survey.branch,
                git::short(repo, tip),
                git::subject(repo, tip).unwrap_or_else(|_| "(not fetched yet)".into())
            )?;
        }
    }
    Ok(())
}
