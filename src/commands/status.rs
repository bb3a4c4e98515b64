//! `git push-duty status` (also `git push-duty` alone): the week on one screen and the single
//! next step. The facts are gathered here; [`crate::week::checklist`] orders them and decides.

use anyhow::Result;
use gix::ObjectId;

use crate::chat;
use crate::config::week::Week;
use crate::config::{ANCHOR, HERO, SECURITY, Sources, TEAM_FILE, UPSTREAM};
use crate::console::Console;
use crate::context::{Context, this_binary};
use crate::deploy::{self, Fetcher, Member, State, Target};
use crate::git::{self, remote};
use crate::hook_install::{Health, Pinned};
use crate::plan::{Mode, Runner};
use crate::steps;
use crate::tagging::upstream_tags::{CalendarTags, Reach};
use crate::tags::CalendarTag;
use crate::week::checklist::{
    self, After, ChatTopic, Deploy, Environment, Hook, Item, ItemState, Mirror, MirrorMain,
    NextStep, NotesDoc, RepoState, Service, Stage, StepRun, TeamStep, WeekState,
};

/// Show the push week on one screen, and the single next step as a command to copy.
///
/// For the current push (the push date next-tag uses): for each repository of the train, the
/// latest tag for the push and whether the upstream branch has commits no tag has yet; whether
/// the security mirror is in sync, whether reviewed fix branches wait on it, and whether a
/// security-merge run is unfinished; whether this clone's pre-push hook is installed and live;
/// each environment's deploy (pushduty.<env>.url); the team's steps (pushduty.step) and whether
/// each ran for this push; the next push's notes document (under pushduty.notesDir) and
/// whether topic --next --set recorded the next push's topic. Then the next step, in the order
/// of the week: mend the hook or an unfinished run, security-merge the waiting fixes, tag,
/// deployed --wait, the team's steps, notes --next --write, topic --next --set. What could not
/// be checked is never counted as done ([?]); what the team's setup leaves out (no rotation, no
/// chat for topic --set) is said plainly ([-]) and never counted as done either.
///
/// The upstream and the mirror are fetched (their release branch's tracking refs follow, as
/// git fetch would) and the version URLs asked, unless --offline, which reads what was last
/// fetched and asks no URL. Nothing else is changed.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Use what was last fetched; ask no remote and no version URL.
    #[arg(long)]
    pub offline: bool,
    /// Print a JSON object: push_date, next_push_date, hero, offline, items (stage, label,
    /// state: done, todo, unknown or skipped; command, reason) and next (next: run or done, command, why, unknown).
    #[arg(long)]
    pub json: bool,
}

/// The longest a version URL is waited for.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let members = deploy::members(repo)?;
    let schedule = &ctx.settings.schedule;
    let push_date = ctx.push_date(None)?.date;
    let next_push_date = push_date
        .succ_opt()
        .and_then(|d| schedule.next_push_date(d).ok());
    // status has no --dry-run: it changes nothing but the tracking refs it fetches.
    let mut runner = Runner::new(Mode {
        dry_run: false,
        yes: true,
    });
    let mut repos = Vec::new();
    let mut targets: Vec<Option<Target>> = Vec::new();
    let mut team_steps = Vec::new();
    for member in &members {
        let (state, target) = member.within(|m| {
            let member_ctx = ctx.for_repository(&m.repo)?;
            repo_state(&member_ctx, m, push_date, args.offline, &mut runner)
        })?;
        repos.push(state);
        targets.push(target);
        let sources = Sources::load(&member.repo)?;
        for step in steps::configured(&sources)? {
            let last_run = match steps::load(&member.repo, &step.name)? {
                None => StepRun::NotRun,
                Some(record) => record.run_for(push_date),
            };
            team_steps.push(TeamStep {
                name: step.name,
                path: member.path.clone(),
                after: After::Deploy,
                last_run,
            });
        }
    }
    let environments = environments(&members, &targets, args.offline)?;
    let week = week_parts(repo, ctx.today()?, push_date, next_push_date)?;
    let next_push_date = week.next_push_date;
    let state = WeekState {
        push_date,
        hero: week.hero,
        next_push_date,
        hook: hook(repo)?,
        repos,
        environments,
        notes: week.notes,
        topic: week.topic,
        notes_link: week.notes_link,
        steps: team_steps,
    };
    let items: Vec<Item> = checklist::checklist(&state)
        .into_iter()
        .filter(|i| in_this_version(i.stage))
        .collect();
    let next = checklist::next_step(&items);
    if args.json {
        let doc = serde_json::json!({
            "push_date": push_date.to_string(),
            "next_push_date": next_push_date.map(|d| d.to_string()),
            "hero": state.hero,
            "offline": args.offline,
            "items": items,
            "next": next,
        });
        serde_json::to_writer_pretty(&mut *console.out, &doc)?;
        writeln!(console.out)?;
        return Ok(());
    }
    let hero = state
        .hero
        .as_deref()
        .map(|h| format!(", push hero {h}"))
        .unwrap_or_default();
    writeln!(
        console.out,
        "Push on {} {push_date}{hero}{}",
        push_date.format("%A"),
        if args.offline {
            " (offline: as last fetched)"
        } else {
            ""
        }
    )?;
    for item in &items {
        let (mark, extra) = match &item.state {
            ItemState::Done => ("[x]", String::new()),
            ItemState::Todo { .. } => ("[ ]", String::new()),
            ItemState::Unknown { reason, .. } => ("[?]", format!(" ({reason})")),
            ItemState::Skipped { reason } => ("[-]", format!(" ({reason})")),
        };
        writeln!(console.out, "  {mark} {}{extra}", item.label)?;
    }
    match &next {
        NextStep::Run { command, .. } => writeln!(console.out, "Next: {command}")?,
        NextStep::Done => writeln!(console.out, "Next: {next}")?,
    }
    Ok(())
}

/// What the week's settings (`config::week`) say about the push: its hero, and the next push's
/// notes document and chat topic.
struct WeekParts {
    hero: Option<String>,
    next_push_date: Option<chrono::NaiveDate>,
    notes: NotesDoc,
    topic: ChatTopic,
    notes_link: bool,
}

/// The rotation, the notes document and the topic record. A team without a rotation is told so
/// (the notes and the topic name the hero); a setting that does not read, or a record or a
/// directory that cannot be read, is unknown, never done.
fn week_parts(
    repo: &gix::Repository,
    today: chrono::NaiveDate,
    push_date: chrono::NaiveDate,
    schedule_next: Option<chrono::NaiveDate>,
) -> Result<WeekParts> {
    let week = Week::load(repo)?;
    let mut parts = WeekParts {
        hero: None,
        next_push_date: schedule_next,
        notes: NotesDoc::NotWritten,
        topic: ChatTopic::NotSet,
        notes_link: false,
    };
    if week.sources.all(HERO).is_empty() {
        let reason =
            format!("no rotation: {HERO} and {ANCHOR} are not set in {TEAM_FILE} or git config");
        parts.notes = NotesDoc::NotSetUp {
            reason: reason.clone(),
        };
        parts.topic = ChatTopic::NotSetUp { reason };
        return Ok(parts);
    }
    let (current, next) = match week.pushes_around(today) {
        Ok(pushes) => pushes,
        Err(e) => {
            let reason = format!("{e:#}");
            parts.notes = NotesDoc::Unknown {
                reason: reason.clone(),
            };
            parts.topic = ChatTopic::Unknown { reason };
            return Ok(parts);
        }
    };
    if current.date == push_date {
        parts.hero = current.hero;
    }
    parts.next_push_date = Some(next.date);
    let settings = match week.notes() {
        Ok(settings) => settings,
        Err(e) => {
            let reason = format!("{e:#}");
            parts.notes = NotesDoc::Unknown {
                reason: reason.clone(),
            };
            parts.topic = ChatTopic::Unknown { reason };
            return Ok(parts);
        }
    };
    parts.notes_link = settings.base_url.is_some();
    // As `notes --write` decides: anything at the path (even a dangling link) is the document.
    let path = settings.path(next.date);
    parts.notes = match path.symlink_metadata() {
        Ok(_) => NotesDoc::Written,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => NotesDoc::NotWritten,
        Err(e) => NotesDoc::Unknown {
            reason: format!("cannot read {}: {e}", path.display()),
        },
    };
    parts.topic = match week.chat() {
        Err(e) => ChatTopic::Unknown {
            reason: format!("{e:#}"),
        },
        Ok(chats) if chats.matrix.is_none() && chats.slack.is_none() => ChatTopic::ByHand,
        Ok(_) => match chat::last_set(repo) {
            Err(e) => ChatTopic::Unknown {
                reason: format!("{e:#}"),
            },
            Ok(Some((date, _))) if date == next.date => ChatTopic::Set,
            Ok(_) => ChatTopic::NotSet,
        },
    };
    Ok(parts)
}

/// The notes and the topic are steps of the week only where this version has their commands.
fn in_this_version(stage: Stage) -> bool {
    let name = match stage {
        Stage::Notes => "notes",
        Stage::Topic => "topic",
        _ => return true,
    };
    <crate::cli::Cli as clap::CommandFactory>::command()
        .find_subcommand(name)
        .is_some()
}

fn repo_state(
    ctx: &Context<'_>,
    member: &Member,
    push_date: chrono::NaiveDate,
    offline: bool,
    runner: &mut Runner,
) -> Result<(RepoState, Option<Target>)> {
    let repo = ctx.repo;
    let settings = &ctx.settings;
    let branch = ctx.branch.clone();
    let reach = if offline { Reach::Offline } else { Reach::List };
    let tags = CalendarTags::see(ctx, reach)?;
    let tip = if offline {
        git::ref_commit(
            repo,
            &format!("refs/remotes/{}/{branch}", settings.upstream),
        )?
    } else {
        follow(repo, runner, &settings.upstream, UPSTREAM, &branch)?
    };
    let tag = tags.lineage.latest_for(push_date).map(str::to_owned);
    let reference = tag.clone().or_else(|| {
        tags.lineage
            .last_push(&CalendarTag::base(push_date))
            .map(str::to_owned)
    });
    if let Some(r) = &reference {
        tags.fetch(repo, &[r.as_str()])?;
    }
    let reference_commit = match &reference {
        Some(r) => tags.commit(repo, r)?,
        None => None,
    };
    let untagged_commits = match (tip, reference_commit) {
        (Some(tip), Some(tagged)) => !git::is_ancestor(repo, tip, tagged)?,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let target = match &tag {
        Some(t) => tags.commit(repo, t)?.map(|commit| Target {
            tag: t.clone(),
            commit,
        }),
        None => None,
    };
    let has_mirror = has_remote(repo, &settings.security);
    let mirror = if has_mirror {
        Some(mirror_state(
            repo,
            runner,
            &settings.security,
            &branch,
            tip,
            offline,
        ))
    } else {
        None
    };
    let unfinished_run = crate::security::record::load(repo)?.is_some();
    Ok((
        RepoState {
            name: member.name.clone(),
            path: member.path.clone(),
            tag,
            untagged_commits,
            mirror,
            unfinished_run,
        },
        target,
    ))
}

/// Fetches `name`'s release branch and points its tracking ref at it, as `git fetch` would.
fn follow(
    repo: &gix::Repository,
    runner: &mut Runner,
    name: &str,
    setting: &str,
    branch: &str,
) -> Result<Option<ObjectId>> {
    let Some(tip) = remote::fetch_branch(repo, name, setting, branch)? else {
        return Ok(None);
    };
    runner.follow(repo, remote::tracking_effect(name, branch, tip.target))?;
    Ok(Some(tip.peeled))
}

fn has_remote(repo: &gix::Repository, name: &str) -> bool {
    repo.remote_names()
        .iter()
        .any(|n| n.as_ref() as &[u8] == name.as_bytes())
}

/// The mirror against the upstream; anything that cannot be read makes it unknown, which is
/// never counted as in sync.
fn mirror_state(
    repo: &gix::Repository,
    runner: &mut Runner,
    security: &str,
    branch: &str,
    upstream_tip: Option<ObjectId>,
    offline: bool,
) -> Mirror {
    match read_mirror(repo, runner, security, branch, upstream_tip, offline) {
        Ok(mirror) => mirror,
        Err(e) => Mirror::Unknown {
            reason: format!("{e:#}"),
        },
    }
}

fn read_mirror(
    repo: &gix::Repository,
    runner: &mut Runner,
    security: &str,
    branch: &str,
    upstream_tip: Option<ObjectId>,
    offline: bool,
) -> Result<Mirror> {
    let Some(up) = upstream_tip else {
        return Ok(Mirror::Unknown {
            reason: "the upstream's release branch is not known here".into(),
        });
    };
    let (sec, branches) = if offline {
        let sec = git::ref_commit(repo, &format!("refs/remotes/{security}/{branch}"))?;
        let prefix = format!("refs/remotes/{security}/");
        let mut branches = Vec::new();
        for r in repo.references()?.prefixed(prefix.as_str())? {
            let r = r.map_err(|e| anyhow::anyhow!("cannot read {prefix}*: {e}"))?;
            let name = r.name().as_bstr().to_string();
            let short = name.trim_start_matches(&prefix).to_owned();
            if short == branch || short == "HEAD" {
                continue;
            }
            if let Some(id) = git::ref_commit(repo, &name)? {
                branches.push((short, id));
            }
        }
        (sec, branches)
    } else {
        let sec = follow(repo, runner, security, SECURITY, branch)?;
        let listed = remote::list(
            repo,
            security,
            SECURITY,
            &[format!("refs/heads/*:refs/remotes/{security}/*")],
        )?;
        let others: Vec<String> = listed
            .refs()
            .iter()
            .filter(|r| {
                r.name != format!("refs/heads/{branch}") && r.name.starts_with("refs/heads/")
            })
            .map(|r| r.name.clone())
            .collect();
        remote::fetch_objects(repo, security, SECURITY, &others)?;
        let branches = listed
            .refs()
            .iter()
            .filter(|r| others.contains(&r.name))
            .map(|r| {
                (
                    r.name.trim_start_matches("refs/heads/").to_owned(),
                    r.peeled,
                )
            })
            .collect();
        (sec, branches)
    };
    let Some(sec) = sec else {
        return Ok(Mirror::Unknown {
            reason: format!("{security} has no {branch} (as last fetched)"),
        });
    };
    let ahead = git::commits_between(repo, Some(up), sec)?.len();
    let behind = git::commits_between(repo, Some(sec), up)?.len();
    let main = if ahead > 0 {
        MirrorMain::Ahead { commits: ahead }
    } else if behind > 0 {
        MirrorMain::Behind { commits: behind }
    } else {
        MirrorMain::InSync
    };
    let mut fixes_waiting = Vec::new();
    for (name, tip) in branches {
        if !git::is_ancestor(repo, tip, up)? {
            fixes_waiting.push(name);
        }
    }
    fixes_waiting.sort();
    Ok(Mirror::Known {
        main,
        fixes_waiting,
    })
}

fn hook(repo: &gix::Repository) -> Result<Hook> {
    let health = Health::of(repo, &this_binary()?)?;
    let problems = health.problems();
    if let Some(first) = problems.first() {
        return Ok(
            if !health.hook.ours && !health.hook.exists && health.hooks_path.is_none() {
                Hook::Missing
            } else if !health.hook.ours || !health.hook.executable {
                Hook::NotRun {
                    reason: first.problem.clone(),
                }
            } else {
                Hook::Stale {
                    reason: first.problem.clone(),
                }
            },
        );
    }
    let pinned = Pinned::of(repo, health.hook.ours);
    if let Some(first) = pinned.problems.first() {
        return Ok(Hook::Stale {
            reason: first.problem.clone(),
        });
    }
    Ok(Hook::Live)
}

fn environments(
    members: &[Member],
    targets: &[Option<Target>],
    offline: bool,
) -> Result<Vec<Environment>> {
    let fetcher = if offline {
        None
    } else {
        Some(Fetcher::new(REQUEST_TIMEOUT)?)
    };
    let mut out = Vec::new();
    for env in deploy::environment_names(members) {
        let mut services = Vec::new();
        for (member, target) in members.iter().zip(targets) {
            let Some((url, _)) = member.url(&env) else {
                continue;
            };
            let deploy = match (&fetcher, target) {
                (None, _) => Deploy::Unknown {
                    reason: "offline".into(),
                },
                (Some(_), None) => Deploy::Unknown {
                    reason: "nothing is tagged for this push yet".into(),
                },
                (Some(fetcher), Some(target)) => {
                    match deploy::check(&member.repo, fetcher, url, target) {
                        State::Deployed { .. } => Deploy::Deployed,
                        State::StillOn {
                            version, behind, ..
                        } => Deploy::StillOn { version, behind },
                        State::Unknown { reason } => Deploy::Unknown { reason },
                        State::Unreachable(e) => Deploy::Unknown {
                            reason: e.to_string(),
                        },
                    }
                }
            };
            services.push(Service {
                name: member.name.clone(),
                deploy,
            });
        }
        out.push(Environment {
            name: env,
            services,
        });
    }
    Ok(out)
}
