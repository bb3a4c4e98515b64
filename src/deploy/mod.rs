//! Has the push's tag deployed? For each repository of the train with a version URL for an
//! environment (`[pushduty "stage"] url = ...`), what the service runs ([`fetch`]) against what
//! it should run: the latest revision of the push's tag in that repository (or the tag asked
//! for) and that tag's commit. The decision itself is [`crate::week::dockerflow`]'s; this module
//! gathers the facts and counts how far behind a stale service is.

pub mod fetch;

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use gix::ObjectId;

use crate::config::{Origin, Settings, Sources};
use crate::context::Context;
use crate::error::{Refusal, refuse};
use crate::git;
use crate::tagging::upstream_tags::{CalendarTags, Reach};
use crate::week::dockerflow::{self, Deployment, Expected};

pub use fetch::{FetchError, Fetcher};

/// One repository of the train, as `deployed` (and later `status`) sees it.
pub struct Member {
    /// What people call it: the upstream repository's name (`addons-server`).
    pub name: String,
    /// The path from this repository (`../addons-frontend`), `None` for this one.
    pub path: Option<String>,
    pub repo: gix::Repository,
    pub settings: Settings,
    /// Its environments and their version URLs, in the order set.
    pub environments: Vec<(String, crate::config::Setting)>,
}

impl Member {
    /// Reads a repository's settings and environments.
    pub fn open(repo: gix::Repository, path: Option<String>) -> Result<Self> {
        let sources = Sources::load(&repo)?;
        let settings = Settings::from_sources(&sources)?;
        let environments = sources.environments();
        let name = repository_name(&repo, &settings.upstream);
        Ok(Member {
            name,
            path,
            repo,
            settings,
            environments,
        })
    }

    /// This repository's version URL for `env`, and where it is set.
    pub fn url(&self, env: &str) -> Option<(&str, &Origin)> {
        self.environments
            .iter()
            .find(|(name, _)| name == env)
            .map(|(_, s)| (s.value.as_str(), &s.origin))
    }
}

/// The repositories of the train, this one first. Until the train (`pushduty.repo`, issue 10)
/// is wired, it is this repository alone; the rest of `deployed` and `status` already works per
/// member. Wiring it: map each of `train::members` to a [`Member`] (`path` from its configured
/// path, `environments` from its own `Sources`), and run each member's listing and fetching from
/// its own top directory (`train::Member::within`), where its relative remote URLs resolve.
pub fn members(repo: &gix::Repository) -> Result<Vec<Member>> {
    Ok(vec![Member::open(repo.clone(), None)?])
}

/// The name of a repository for people: the last part of its upstream's URL without `.git`,
/// else its directory's name.
pub fn repository_name(repo: &gix::Repository, upstream: &str) -> String {
    let from_url = repo
        .find_remote(upstream)
        .ok()
        .and_then(|r| git::remote::url(&r, gix::remote::Direction::Fetch))
        .and_then(|url| {
            let trimmed = url.trim_end_matches('/').trim_end_matches(".git");
            trimmed
                .rsplit(['/', ':'])
                .next()
                .filter(|s| !s.is_empty() && *s != "." && *s != "..")
                .map(str::to_owned)
        });
    from_url.unwrap_or_else(|| {
        let dir: PathBuf = repo
            .workdir()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| repo.git_dir().to_path_buf());
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "this repository".into())
    })
}

/// The environments of the train in order: this repository's first, then any others'.
pub fn environment_names(members: &[Member]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for m in members {
        for (env, _) in &m.environments {
            if !names.contains(env) {
                names.push(env.clone());
            }
        }
    }
    names
}

/// What a repository's service should run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub tag: String,
    pub commit: ObjectId,
}

/// The tag a member's services should run: `tag` if given, else the latest revision of the push
/// date's tag, with the commit it points to on the upstream (or here). Fetches that tag's
/// objects if this clone lacks them, writing no ref.
pub fn target(
    ctx: &Context<'_>,
    member: &Member,
    push_date: chrono::NaiveDate,
    tag: Option<&str>,
) -> Result<Target> {
    let repo = ctx.repo;
    let tags = CalendarTags::see(ctx, Reach::List)?;
    let name = match tag {
        Some(t) => t.to_owned(),
        None => match tags.lineage.latest_for(push_date) {
            Some(t) => t.to_owned(),
            None => {
                return refuse(
                    Refusal::new(format!(
                        "{}: nothing is tagged for the push on {push_date} yet, so no deploy can be checked",
                        member.name
                    ))
                    .hint(in_member(member, "git push-duty tag"))
                    .hint("or name the tag to look for: git push-duty deployed --tag TAG"),
                );
            }
        },
    };
    if !tags.exists(repo, &name)? {
        return refuse(
            Refusal::usage(format!(
                "{}: there is no tag {name} here or on {}",
                member.name, member.settings.upstream
            ))
            .hint(in_member(member, "git push-duty next-tag")),
        );
    }
    tags.fetch(repo, &[name.as_str()])?;
    let Some(commit) = tags.commit(repo, &name)? else {
        return refuse(Refusal::new(format!(
            "{}: tag {name} does not point to a commit",
            member.name
        )));
    };
    Ok(Target { tag: name, commit })
}

fn in_member(member: &Member, command: &str) -> String {
    match &member.path {
        Some(path) => command.replacen("git ", &format!("git -C {path} "), 1),
        None => command.to_owned(),
    }
}

/// One service's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// It runs the target's commit.
    Deployed { version: Option<String> },
    /// It runs another commit; `behind` counts the target's commits it lacks, when this clone
    /// has the commit it runs.
    StillOn {
        version: Option<String>,
        commit: String,
        behind: Option<usize>,
    },
    /// It answered, but the answer cannot decide (a short commit, the tag at another commit).
    Unknown { reason: String },
    /// No version object.
    Unreachable(FetchError),
}

impl State {
    pub fn is_deployed(&self) -> bool {
        matches!(self, State::Deployed { .. })
    }

    /// `deployed`, `still-on`, `unknown`, `unreachable`, for `--json`.
    pub fn word(&self) -> &'static str {
        match self {
            State::Deployed { .. } => "deployed",
            State::StillOn { .. } => "still-on",
            State::Unknown { .. } => "unknown",
            State::Unreachable(_) => "unreachable",
        }
    }
}

/// Asks `url` and compares its answer with `target` in `repo`.
pub fn check(repo: &gix::Repository, fetcher: &Fetcher, url: &str, target: &Target) -> State {
    let version = match fetcher.fetch(url) {
        Ok(v) => v,
        Err(e) => return State::Unreachable(e),
    };
    let commit = target.commit.to_string();
    let expected = Expected {
        tag: &target.tag,
        commit: &commit,
    };
    match dockerflow::compare(&version, &expected) {
        Deployment::Deployed => State::Deployed {
            version: version.version,
        },
        Deployment::StillOn { version, commit } => {
            let behind = behind(repo, &commit, target.commit);
            State::StillOn {
                version,
                commit,
                behind,
            }
        }
        Deployment::Unknown(why) => State::Unknown {
            reason: why.to_string(),
        },
    }
}

/// How many of `target`'s commits `running` lacks, if this clone has `running` (a full id or an
/// abbreviation git can resolve). Only words hang on it.
fn behind(repo: &gix::Repository, running: &str, target: ObjectId) -> Option<usize> {
    let id = repo
        .rev_parse_single(format!("{running}^{{commit}}").as_str())
        .ok()?
        .detach();
    git::commits_between(repo, Some(id), target)
        .context("count")
        .ok()
        .map(|c| c.len())
}
