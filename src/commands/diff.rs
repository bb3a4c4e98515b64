//! `git push-duty diff`: what would go public if a revision were pushed, i.e. the diff from the
//! upstream branch's tip to it. `security-merge` shows what it is about to push the same way.

use anyhow::Result;

use crate::config::Settings;
use crate::console::Console;
use crate::error::{Refusal, refuse};
use crate::git::{self, diff::FileDiff};
use crate::pager;

/// Show what would go public: the diff from the upstream branch's tip to a revision.
///
/// Compares refs/remotes/<upstream>/<branch>, as last fetched, with REV (default: the local
/// branch <branch>), like git diff <upstream>/<branch> REV: a diffstat, then a unified diff,
/// coloured and paged on a terminal, plain when piped. Nothing is fetched or changed; run
/// git fetch <upstream> first to compare with what the upstream has now.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The revision to compare (default: the local branch that is released).
    #[arg(value_name = "REV")]
    pub rev: Option<String>,
    /// Show the diffstat only.
    #[arg(long)]
    pub stat: bool,
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let settings = Settings::load(repo)?;
    let branch = settings.branch(repo)?;
    let tracking = format!("refs/remotes/{}/{branch}", settings.upstream);
    let Some(base) = git::ref_commit(repo, &tracking)? else {
        return refuse(
            Refusal::new(format!(
                "{}/{branch} does not exist here: the upstream's branch was never fetched",
                settings.upstream
            ))
            .hint(format!(
                "fetch it: git fetch {} {branch}",
                settings.upstream
            )),
        );
    };
    let (rev, tip) = match &args.rev {
        Some(spec) => (spec.clone(), git::resolve_commit(repo, spec, "REV")?),
        None => match git::ref_commit(repo, &format!("refs/heads/{branch}"))? {
            Some(tip) => (branch.clone(), tip),
            None => {
                return refuse(
                    Refusal::new(format!("there is no local branch {branch} to compare"))
                        .hint("name the revision: git push-duty diff <REV>"),
                );
            }
        },
    };
    writeln!(
        console.err,
        "From {}/{branch} ({}) to {rev} ({}):",
        settings.upstream,
        git::short(repo, base),
        git::short(repo, tip)
    )?;
    let files = git::diff::between(repo, base, tip)?;
    if files.is_empty() {
        writeln!(console.err, "No difference: nothing would go public.")?;
        return Ok(());
    }
    let text = render(&files, args.stat, console.color);
    pager::show(repo, console, &text)
}

/// The stat, then (unless `stat_only`) a blank line and the patch.
pub fn render(files: &[FileDiff], stat_only: bool, color: bool) -> String {
    if files.is_empty() {
        return String::new();
    }
    let mut text = git::diff::render_stat(files, color);
    if !stat_only {
        text.push('\n');
        text.push_str(&git::diff::render_patch(files, color));
    }
    text
}
