//! `git push-duty check`: is it safe to do push duty from here? The security mirror's main
//! against the upstream's (after fetching both), the pre-push hook, the configuration. Exits 1
//! if anything is wrong.

use anyhow::Result;

use crate::config::{self, Settings};
use crate::console::Console;
use crate::context::{Context, Invocation, this_binary};
use crate::error::{Refusal, refuse};
use crate::git::{self, remote};
use crate::hook_install::{Health, Pinned};
use crate::plan::{Mode, Runner};
use crate::security::record as security_state;

/// Check the security mirror, the pre-push hook and the configuration; exit 1 if any is wrong.
///
/// Reports the security mirror's main against the upstream's main: in sync, behind by N commits
/// (fine: the mirror catches up after the upstream), or ahead, listing the commits that are not
/// on the upstream (wrong: the two must stay in sync, upstream first). Both are fetched first
/// unless --offline. A security-merge run left unfinished (its mirror push refused, or the
/// run stopped) is wrong too: it says what reached which remote and names
/// security-merge --continue and --abort. Then whether the pre-push hook is installed,
/// executable, current and not shadowed by core.hooksPath, whether the configuration is valid,
/// and what the hook guards (pinned by hooks install): wrong when the settings, the mirror's
/// URLs or refs/remotes/<upstream>/HEAD no longer match the pins, with the command that fixes it.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Compare the refs as last fetched; do not fetch.
    #[arg(long)]
    pub offline: bool,
    /// Print a JSON object: ok, checks (name, ok, summary, details, fix), mirror.
    #[arg(long)]
    pub json: bool,
    /// Check only the configuration and the security mirror's main against the upstream's:
    /// what a CI job on the mirror runs (see ci-workflow), where no hook is installed and no
    /// security merge is run.
    #[arg(long)]
    pub mirror_only: bool,
}

#[derive(Debug, serde::Serialize)]
struct Item {
    name: &'static str,
    ok: bool,
    summary: String,
    details: Vec<String>,
    fix: Option<String>,
}

impl Item {
    fn ok(name: &'static str, summary: String) -> Self {
        Item {
            name,
            ok: true,
            summary,
            details: Vec::new(),
            fix: None,
        }
    }

    fn wrong(name: &'static str, summary: String, fix: Option<String>) -> Self {
        Item {
            ok: false,
            fix,
            ..Item::ok(name, summary)
        }
    }
}

#[derive(Debug, Default, serde::Serialize)]
struct Mirror {
    /// in-sync, behind, ahead, diverged, unknown.
    state: &'static str,
    upstream: Option<String>,
    security: Option<String>,
    ahead: Vec<CommitLine>,
    behind: usize,
}

/// A commit as `--json` shows it (its full id as hex) and as the human output does (its short
/// id): the id is kept as an id, so the human output never parses the JSON model back.
#[derive(Debug, serde::Serialize)]
struct CommitLine {
    #[serde(serialize_with = "hex")]
    id: gix::ObjectId,
    subject: String,
}

fn hex<S: serde::Serializer>(id: &gix::ObjectId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(id)
}

#[derive(serde::Serialize)]
struct Report<'a> {
    ok: bool,
    offline: bool,
    checks: &'a [Item],
    mirror: &'a Mirror,
}

pub fn run(
    repo: &gix::Repository,
    invocation: &Invocation,
    console: &mut Console<'_>,
    args: &Args,
) -> Result<()> {
    let mut items = Vec::new();
    let mut mirror = Mirror {
        state: "unknown",
        ..Mirror::default()
    };
    match Context::new(repo, invocation) {
        Ok(ctx) => {
            let (settings, branch) = (&ctx.settings, &ctx.branch);
            items.push(configuration(repo, settings, branch));
            // check has no --dry-run: it changes nothing but the tracking refs it fetches.
            let mut runner = Runner::new(Mode {
                dry_run: false,
                yes: true,
            });
            items.push(compare(
                repo,
                &mut runner,
                settings,
                branch,
                args.offline,
                &mut mirror,
            )?);
        }
        Err(e) => {
            let fix = e
                .chain()
                .find_map(|c| c.downcast_ref::<Refusal>())
                .and_then(|r| r.hints().first().cloned());
            items.push(Item::wrong("configuration", format!("{e:#}"), fix));
            // Every check is always reported, so `--json` readers find the same list.
            items.push(Item::wrong(
                MIRROR,
                "not compared: the configuration cannot be read".into(),
                None,
            ));
        }
    }
    if !args.mirror_only {
        items.push(unfinished_run(repo, args.offline)?);
        items.push(hook(repo)?);
        items.push(pins(repo)?);
    }

    let wrong: Vec<&Item> = items.iter().filter(|i| !i.ok).collect();
    if args.json {
        let report = Report {
            ok: wrong.is_empty(),
            offline: args.offline,
            checks: &items,
            mirror: &mirror,
        };
        serde_json::to_writer_pretty(&mut *console.out, &report)?;
        writeln!(console.out)?;
    } else {
        for item in &items {
            let mark = if item.ok { "ok   " } else { "WRONG" };
            writeln!(console.out, "{mark} {}: {}", item.name, item.summary)?;
            for detail in &item.details {
                writeln!(console.out, "        {detail}")?;
            }
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = wrong.iter().map(|i| i.name).collect();
    let mut refusal = Refusal::new(format!(
        "check found {} wrong: {}",
        if wrong.len() == 1 {
            "one thing".to_owned()
        } else {
            format!("{} things", wrong.len())
        },
        names.join(", ")
    ));
    for fix in wrong.iter().filter_map(|i| i.fix.as_ref()) {
        refusal = refusal.hint(fix.clone());
    }
    refuse(refusal)
}

fn has_remote(repo: &gix::Repository, name: &str) -> bool {
    repo.remote_names()
        .iter()
        .any(|n| n.as_ref() as &[u8] == name.as_bytes())
}

fn configuration(repo: &gix::Repository, settings: &Settings, branch: &str) -> Item {
    let mut missing = Vec::new();
    if !has_remote(repo, &settings.upstream) {
        missing.push((settings.upstream.as_str(), config::UPSTREAM));
    }
    if !has_remote(repo, &settings.security) {
        missing.push((settings.security.as_str(), config::SECURITY));
    }
    if let Some((name, key)) = missing.first() {
        let all: Vec<String> = missing.iter().map(|(n, _)| format!("{n:?}")).collect();
        return Item::wrong(
            "configuration",
            format!("there is no remote named {}", all.join(" or ")),
            Some(format!(
                "add it: git remote add {name} <url>, or name the remote you use: git config {key} <remote>"
            )),
        );
    }
    let tags = if settings.tag_format.is_default() {
        String::new()
    } else {
        format!(", tags named {}", settings.tag_format)
    };
    Item::ok(
        "configuration",
        format!(
            "upstream {:?}, security mirror {:?}, release branch {branch}{tags}",
            settings.upstream, settings.security
        ),
    )
}

/// The name of the check comparing the mirror's branch with the upstream's.
const MIRROR: &str = "security mirror";

fn compare(
    repo: &gix::Repository,
    runner: &mut Runner,
    settings: &Settings,
    branch: &str,
    offline: bool,
    mirror: &mut Mirror,
) -> Result<Item> {
    let upstream = format!("{}/{branch}", settings.upstream);
    let security = format!("{}/{branch}", settings.security);
    let mut unfetched = Vec::new();
    if !offline {
        for (name, key) in [
            (&settings.upstream, config::UPSTREAM),
            (&settings.security, config::SECURITY),
        ] {
            if !has_remote(repo, name) {
                continue;
            }
            // As `git fetch` would, the tracking ref follows what was fetched.
            let fetched = match remote::fetch_branch(repo, name, key, branch) {
                Ok(Some(tip)) => {
                    runner.follow(repo, remote::tracking_effect(name, branch, tip.target))
                }
                Ok(None) => Err(anyhow::anyhow!("{name} has no refs/heads/{branch}")),
                Err(e) => Err(e),
            };
            if let Err(e) = fetched {
                unfetched.push(format!("cannot fetch {name}: {e:#}"));
            }
        }
    }
    let up = git::ref_commit(repo, &format!("refs/remotes/{upstream}"))?;
    let sec = git::ref_commit(repo, &format!("refs/remotes/{security}"))?;
    mirror.upstream = up.map(|id| id.to_string());
    mirror.security = sec.map(|id| id.to_string());
    let (Some(up), Some(sec)) = (up, sec) else {
        let (gone, remote) = if up.is_none() {
            (&upstream, &settings.upstream)
        } else {
            (&security, &settings.security)
        };
        // No such remote: fetching it is no fix; the configuration check says what is.
        let mut item = if has_remote(repo, remote) {
            Item::wrong(
                MIRROR,
                format!("refs/remotes/{gone} does not exist, so the mirror cannot be compared"),
                Some(format!("git fetch {remote} {branch}")),
            )
        } else {
            Item::wrong(
                MIRROR,
                format!("not compared: there is no remote named {remote:?}"),
                None,
            )
        };
        item.details = unfetched;
        return Ok(item);
    };
    let ahead = git::commits_between(repo, Some(up), sec)?;
    mirror.behind = git::commits_between(repo, Some(sec), up)?.len();
    for id in &ahead {
        mirror.ahead.push(CommitLine {
            id: *id,
            subject: git::subject(repo, *id)?,
        });
    }
    let stale = if offline {
        " (as last fetched)"
    } else if unfetched.is_empty() {
        ""
    } else {
        " (as last fetched: a fetch failed)"
    };
    let mut item = if ahead.is_empty() && mirror.behind == 0 {
        mirror.state = "in-sync";
        Item::ok(
            MIRROR,
            format!(
                "{security} is in sync with {upstream} at {}{stale}",
                git::short(repo, up)
            ),
        )
    } else if ahead.is_empty() {
        mirror.state = "behind";
        Item::ok(
            MIRROR,
            format!(
                "{security} is behind {upstream} by {}{stale}; sync it with: git push {} {upstream}:refs/heads/{branch}",
                commits(mirror.behind),
                settings.security
            ),
        )
    } else {
        mirror.state = if mirror.behind == 0 {
            "ahead"
        } else {
            "diverged"
        };
        let behind = if mirror.behind == 0 {
            String::new()
        } else {
            format!(" (and behind by {})", commits(mirror.behind))
        };
        let mut item = Item::wrong(
            MIRROR,
            format!(
                "{security} is AHEAD of {upstream} by {}{behind}{stale}; these are not on the upstream:",
                commits(ahead.len())
            ),
            Some(format!(
                "the mirror's {branch} must only follow the upstream: review these commits and publish them on {upstream} first with: git push-duty security-merge --sync"
            )),
        );
        for c in &mirror.ahead {
            item.details
                .push(format!("{} {}", git::short(repo, c.id), c.subject));
        }
        item
    };
    if !unfetched.is_empty() {
        item.ok = false;
        item.details.extend(unfetched);
        item.fix.get_or_insert_with(|| {
            "check the connection, or compare what was last fetched: git push-duty check --offline"
                .into()
        });
    }
    Ok(item)
}

fn commits(n: usize) -> String {
    if n == 1 {
        "1 commit".into()
    } else {
        format!("{n} commits")
    }
}

/// The name of the check for a security merge left between its pushes.
const RUN: &str = "security merge";

/// A security merge left between its pushes (the mirror refused, or the run was stopped) is a
/// failing check that says what reached which remote, as the tracking refs have it, and how to
/// finish or forget it.
fn unfinished_run(repo: &gix::Repository, offline: bool) -> Result<Item> {
    let record = match security_state::load(repo) {
        Ok(None) => return Ok(Item::ok(RUN, "no security merge is unfinished".into())),
        Ok(Some(record)) => record,
        Err(e) => {
            // Every hint: the last one (remove the record) is the way out.
            let fix = e
                .chain()
                .find_map(|c| c.downcast_ref::<Refusal>())
                .map(|r| r.hints().join("; "))
                .filter(|hints| !hints.is_empty());
            return Ok(Item::wrong(RUN, format!("{e:#}"), fix));
        }
    };
    let commit = record.commit()?;
    // Every object reachable from a tracking ref is here, so a commit that is not is on neither.
    let has = |remote: &str| -> Result<bool> {
        let tracking = format!("refs/remotes/{remote}/{}", record.branch);
        Ok(match git::ref_commit(repo, &tracking)? {
            Some(tip) => repo.has_object(commit) && git::is_ancestor(repo, commit, tip)?,
            None => false,
        })
    };
    let up = format!("{}/{}", record.upstream, record.branch);
    let sec = format!("{}/{}", record.security, record.branch);
    let reached = match (has(&record.upstream)?, has(&record.security)?) {
        (true, false) => format!("{up} has it, {sec} does not"),
        (false, false) => format!("neither {up} nor {sec} has it"),
        (true, true) => format!("both {up} and {sec} have it, but the record was not cleared"),
        (false, true) => format!("{sec} has it and {up} does not: the mirror is AHEAD"),
    };
    Ok(Item::wrong(
        RUN,
        format!(
            "the security merge of {} ({}) is unfinished: {reached}{}",
            record.merged.join(", "),
            git::short(repo, commit),
            if offline { " (as last fetched)" } else { "" }
        ),
        Some(
            "finish it (push the mirror): git push-duty security-merge --continue; or, if it never reached the upstream, forget it: git push-duty security-merge --abort"
                .into(),
        ),
    ))
}

fn hook(repo: &gix::Repository) -> Result<Item> {
    const NAME: &str = "pre-push hook";
    let health = Health::of(repo, &this_binary()?)?;
    let problems = health.problems();
    if problems.is_empty() {
        return Ok(Item::ok(
            NAME,
            format!(
                "{} is installed, executable, current and used by git",
                health.hook.path.display()
            ),
        ));
    }
    let summary: Vec<&str> = problems.iter().map(|p| p.problem.as_str()).collect();
    let fix = problems.first().map(|p| p.fix.clone());
    Ok(Item::wrong(NAME, summary.join("; "), fix))
}

/// What the pre-push guard protects, as `hooks install` pinned it, and where the settings, the
/// remotes or `refs/remotes/<upstream>/HEAD` no longer match.
fn pins(repo: &gix::Repository) -> Result<Item> {
    const NAME: &str = "guard pins";
    let ours = Health::of(repo, &this_binary()?)?.hook.ours;
    let pinned = Pinned::of(repo, ours);
    if pinned.problems.is_empty() {
        let summary = match &pinned.pins {
            Some(pins) => pins.describe(),
            None => "nothing pinned (the hook is not installed)".to_owned(),
        };
        return Ok(Item::ok(NAME, summary));
    }
    let summary: Vec<&str> = pinned.problems.iter().map(|p| p.problem.as_str()).collect();
    let fix = pinned.problems.first().map(|p| p.fix.clone());
    Ok(Item::wrong(NAME, summary.join("; "), fix))
}
