//! `git push-duty hooks install|uninstall|status --server`, run in the security mirror's bare
//! repository on a server that runs hooks: put the `pre-receive` server guard where git runs it
//! with what it protects (`[pushduty "server"]`), take both out again, and say where they are.

use anyhow::Result;

use super::hooks::{InstallArgs, UninstallArgs, carry_out};
use crate::config::server::{self as server_config, ServerPins};
use crate::console::Console;
use crate::context::this_binary;
use crate::error::{Refusal, refuse};
use crate::git::side_repo;
use crate::hook_install::{self as hooks, Health, PRE_RECEIVE};
use crate::plan::{Effect, Plan};

/// Refuses unless `repo` is bare: a server's repository, where git runs `pre-receive`.
fn bare_only(repo: &gix::Repository, what: &str) -> Result<()> {
    if repo.is_bare() {
        return Ok(());
    }
    let top = repo.workdir().unwrap_or_else(|| repo.git_dir());
    refuse(
        Refusal::usage(format!(
            "{what} works only in a bare repository (the security mirror as its server keeps it), and {} has a worktree: nothing was changed",
            top.display()
        ))
        .hint("run it on the server, in the mirror's bare repository: cd /srv/git/<mirror>.git && git push-duty hooks install --server --upstream <url>")
        .hint("in a clone, the pre-push guard is: git push-duty hooks install"),
    )
}

/// The directory git takes this repository's hooks from, refusing a `core.hooksPath` that
/// another tool may own unless `force`.
fn hooks_dir(repo: &gix::Repository, force: bool) -> Result<std::path::PathBuf> {
    match hooks::hooks_path(repo)? {
        None => Ok(hooks::default_dir(repo)),
        Some(hp) if force => Ok(hp.dir),
        Some(hp) => refuse(
            Refusal::new(format!(
                "core.hooksPath = {} (set in {}), so git runs hooks from {}, which the server's software may own: nothing was installed",
                hp.value,
                hp.origin,
                hp.dir.display()
            ))
            .hint("install there anyway (an existing pre-receive hook is kept and run first): git push-duty hooks install --server --force"),
        ),
    }
}

pub fn install(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    args: &InstallArgs,
) -> Result<()> {
    bare_only(repo, "hooks install --server")?;
    let recorded = match (ServerPins::read(repo), &args.upstream) {
        (Ok(recorded), _) => recorded,
        // What --upstream and --branch give replaces settings that cannot be read.
        (Err(_), Some(_)) => None,
        (Err(e), None) => return Err(e),
    };
    let Some(upstream) = args
        .upstream
        .clone()
        .or_else(|| recorded.as_ref().map(|p| p.upstream.clone()))
    else {
        return refuse(
            Refusal::usage(
                "hooks install --server needs the public upstream's URL, which this repository has not recorded: nothing was installed",
            )
            .hint("git push-duty hooks install --server --upstream https://github.com/<org>/<repo>.git [--branch main]"),
        );
    };
    let branch = args
        .branch
        .clone()
        .or_else(|| recorded.as_ref().map(|p| p.branch.clone()))
        .unwrap_or_else(|| crate::config::BRANCH_DEFAULT.to_owned());
    let pins = ServerPins::new(&upstream, &branch)?;
    if pins.upstream_is(repo) {
        return refuse(Refusal::usage(format!(
            "--upstream {} is this repository, the security mirror itself: judged against itself, its {} could hold anything; nothing was installed",
            pins.upstream, pins.branch
        ))
        .hint("give the public upstream's URL"));
    }
    // A guard that cannot reach its upstream refuses every update of the release branch: say so
    // now rather than at the first push.
    let listed = side_repo::list_branch(repo, &pins.upstream, &pins.branch).map_err(|e| {
        e.context(Refusal::new(format!(
            "the upstream {} cannot be listed from this server: nothing was installed",
            pins.upstream
        )))
    })?;
    if listed.is_none() {
        return refuse(Refusal::new(format!(
            "the upstream {} has no branch {}: nothing was installed",
            pins.upstream, pins.branch
        )));
    }
    let dir = hooks_dir(repo, args.force)?;
    let binary = this_binary()?;
    let path = server_config::config_file(repo);
    let mut plan = Plan::default();
    // The settings first: a hook without them refuses every push.
    if recorded.as_ref() != Some(&pins) {
        plan.push(Effect::SetConfigSection {
            path: path.clone(),
            section: "pushduty".into(),
            subsection: server_config::SUBSECTION.into(),
            values: pins.values(),
            what: format!(
                "record what the server guard protects in {}: {}",
                path.display(),
                describe(&pins)
            ),
        });
    }
    plan.effects
        .extend(hooks::plan_install(PRE_RECEIVE, &dir, &binary)?.effects);
    let hook = dir.join(PRE_RECEIVE.hook);
    if plan.effects.is_empty() {
        writeln!(
            console.err,
            "The git-push-duty pre-receive hook is already installed: {} (nothing changed)\nIt guards: {}",
            hook.display(),
            describe(&pins)
        )?;
        return Ok(());
    }
    if carry_out(console, plan, args.dry_run)? {
        writeln!(
            console.err,
            "Installed the git-push-duty pre-receive hook: {}\nIt guards: {}",
            hook.display(),
            describe(&pins)
        )?;
        let chained = dir.join(PRE_RECEIVE.chained());
        if chained.exists() && !hooks::is_executable(&chained) {
            writeln!(
                console.err,
                "note: {} is not executable, so git did not run it before and the hook does not run it now",
                chained.display()
            )?;
        }
    }
    Ok(())
}

pub fn uninstall(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    args: &UninstallArgs,
) -> Result<()> {
    bare_only(repo, "hooks uninstall --server")?;
    let mut dirs = Vec::new();
    if let Some(hp) = hooks::hooks_path(repo)? {
        dirs.push(hp.dir);
    }
    dirs.push(hooks::default_dir(repo));
    let mut plan = Plan::default();
    for dir in &dirs {
        plan.effects
            .extend(hooks::plan_uninstall(PRE_RECEIVE, dir)?.effects);
    }
    // After the hook: a hook left without its settings would refuse every push.
    if !matches!(ServerPins::read(repo), Ok(None)) {
        let path = server_config::config_file(repo);
        plan.push(Effect::SetConfigSection {
            path: path.clone(),
            section: "pushduty".into(),
            subsection: server_config::SUBSECTION.into(),
            values: Vec::new(),
            what: format!(
                "forget what the server guard protected ([pushduty \"{}\"] in {})",
                server_config::SUBSECTION,
                path.display()
            ),
        });
    }
    if plan.effects.is_empty() {
        let places: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        writeln!(
            console.err,
            "There is no git-push-duty pre-receive hook in {}: nothing changed",
            places.join(" or ")
        )?;
        return Ok(());
    }
    if carry_out(console, plan, args.dry_run)? {
        writeln!(console.err, "Removed the git-push-duty pre-receive hook.")?;
    }
    Ok(())
}

/// `hooks status` in a bare repository: the server guard's hook and settings.
pub fn status(repo: &gix::Repository, console: &mut Console<'_>) -> Result<()> {
    let binary = this_binary()?;
    let health = Health::of_hook(PRE_RECEIVE, repo, &binary)?;
    let hook = &health.hook;
    let yes = |b: bool| if b { "yes" } else { "no" };
    let out = &mut console.out;
    writeln!(out, "hook:        {}", hook.path.display())?;
    if let Some(hp) = &health.hooks_path {
        writeln!(
            out,
            "hooks from:  core.hooksPath = {} (set in {})",
            hp.value, hp.origin
        )?;
    }
    if !hook.exists {
        writeln!(out, "installed:   no")?;
    } else {
        let ours = if hook.ours {
            "yes"
        } else {
            "no (another hook)"
        };
        writeln!(out, "ours:        {ours}")?;
        writeln!(out, "executable:  {}", yes(hook.executable))?;
        if hook.ours {
            writeln!(out, "current:     {}", yes(hook.current))?;
            if let Some(recorded) = &hook.recorded {
                writeln!(out, "runs:        {recorded}")?;
            }
        }
    }
    writeln!(out, "used by git: {}", yes(health.used()))?;
    if let Some(chained) = &hook.chained {
        writeln!(out, "runs first:  {}", chained.display())?;
    }
    let mut problems: Vec<(String, String)> = health
        .problems()
        .into_iter()
        .map(|p| (p.problem, p.fix))
        .collect();
    match ServerPins::read(repo) {
        Ok(Some(pins)) => writeln!(out, "guards:      {}", describe(&pins))?,
        Ok(None) => {
            writeln!(out, "guards:      nothing recorded")?;
            if hook.ours {
                problems.push((
                    format!(
                        "nothing says what the server guard protects ([pushduty \"{}\"] is not in {}), so the hook refuses every push",
                        server_config::SUBSECTION,
                        server_config::config_file(repo).display()
                    ),
                    "git push-duty hooks install --server --upstream <url> --branch <branch>"
                        .into(),
                ));
            }
        }
        Err(e) => {
            writeln!(out, "guards:      unreadable")?;
            let fix = e
                .chain()
                .find_map(|c| c.downcast_ref::<Refusal>())
                .and_then(|r| r.hints().first().cloned())
                .unwrap_or_else(|| PRE_RECEIVE.install.to_owned());
            problems.push((format!("{e:#}"), fix));
        }
    }
    for (problem, fix) in problems {
        writeln!(console.err, "{problem}\nhint: {fix}")?;
    }
    Ok(())
}

/// One line: what the server guard protects.
fn describe(pins: &ServerPins) -> String {
    format!(
        "refs/heads/{} (and symbolic refs to it) never ahead of {} on the upstream {}",
        pins.branch, pins.branch, pins.upstream
    )
}
