//! `git push-duty hooks install|uninstall|status`: put the pre-push guard where git runs it,
//! take it out again, and say where it is and whether git uses it.

use std::path::PathBuf;

use anyhow::Result;

use crate::config::{Pins, Settings, Sources, pins};
use crate::console::Console;
use crate::context::this_binary;
use crate::error::{Refusal, refuse};
use crate::hook_install::{self as hooks, Health, PRE_PUSH, Pinned};
use crate::plan::{self, Effect, Mode, Outcome, Plan};

/// Install, remove or inspect the pre-push hook that guards the security mirror.
///
/// The hook refuses a push that would put the security mirror's main ahead of the upstream's
/// main (or delete it), and a push anywhere else that would publish an embargoed security fix.
/// It prints nothing when a push is fine. git push --no-verify skips it in an emergency.
///
/// With --server, in the mirror's bare repository on a server that runs hooks, they install,
/// remove or inspect the server guard instead: a pre-receive hook that refuses, whatever the
/// client did, any update of the mirror's release branch (or of a symbolic ref to it) to a
/// commit the upstream's release branch does not have right then, and its deletion.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Install the pre-push hook in this repository.
    ///
    /// Writes a short shim, which runs this binary (its absolute path is recorded, with PATH as
    /// the fallback), into the directory git takes hooks from: the common git directory, so
    /// every linked worktree is guarded too. A pre-push hook that is already there and not ours
    /// is kept as pre-push.local and run first, with the same arguments and input; its failure
    /// blocks the push. Installing again changes nothing unless what it pins changed. When
    /// core.hooksPath is set, another
    /// tool (husky, a global hooks directory) may own that directory: nothing is installed
    /// there without --force.
    ///
    /// It also pins what the guard protects in the repository's own git config
    /// ([pushduty "pinned"] in the common git directory's config, shared by linked worktrees):
    /// the upstream's remote name and fetch URL, the security mirror's remote name and URLs, the
    /// extra mirror URLs (pushduty.securityUrl) and the release branch. The hook decides from
    /// these pins only: a .pushduty on a checked-out branch, or git remote set-head, cannot
    /// change what it guards, and it refuses while the upstream's or the mirror's remote leads to
    /// another repository than pinned (git remote set-url, url.*.insteadOf). The plan (and --dry-run) shows what is pinned. The team file's guard keys must be
    /// those of the .pushduty on the upstream's release branch, as last fetched, or nothing is
    /// installed. When the settings or the remotes change, git push-duty check and hooks status
    /// say so, and running install again pins them anew. Without a mirror remote, its name is
    /// pinned: a mirror added later under that name is guarded at once.
    ///
    /// With --server (only in a bare repository): records --upstream and --branch in this
    /// repository's config ([pushduty "server"]) and writes the pre-receive shim, keeping a
    /// pre-receive hook already there as pre-receive.local, run first. The upstream must be
    /// reachable and have the branch. On each push the hook lists only that branch on the
    /// upstream and fetches it into push-duty/upstream.git inside this repository (git's
    /// quarantine forbids ref updates here during pre-receive); an upstream it cannot reach, or
    /// settings missing, set twice or unknown, refuse the push.
    Install(InstallArgs),
    /// Remove the hook this tool wrote, put back the hook it had kept as pre-push.local, and
    /// forget the pins (with --server: the pre-receive hook, pre-receive.local and
    /// [pushduty "server"]).
    Uninstall(UninstallArgs),
    /// Say where the pre-push hook is, whether it is ours, executable and current, whether
    /// git actually runs it, what it guards (the pins), and where the settings or the remotes
    /// no longer match the pins. In a bare repository: the same for the server guard's
    /// pre-receive hook and what it protects ([pushduty "server"]).
    Status,
}

#[derive(Debug, Clone, clap::Args)]
pub struct InstallArgs {
    /// Install into the directory core.hooksPath names, though another tool may own it.
    #[arg(long)]
    pub force: bool,
    /// Install into the hooks of init.templateDir, so that new clones and git init get the hook.
    #[arg(long)]
    pub template: bool,
    /// Show what would be done and change nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    /// Install the server guard instead: a pre-receive hook in this bare repository (the
    /// security mirror on a server that runs hooks), which refuses any update of its release
    /// branch to a commit the upstream's release branch does not have, and its deletion.
    #[arg(long, conflicts_with = "template")]
    pub server: bool,
    /// With --server: the public upstream's URL, fetched as written (recorded in this
    /// repository's config as pushduty.server.upstream; kept from the last install if omitted).
    #[arg(long, requires = "server", value_name = "URL")]
    pub upstream: Option<String>,
    /// With --server: the release branch (default: the one recorded, else main).
    #[arg(long, requires = "server", value_name = "BRANCH")]
    pub branch: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UninstallArgs {
    /// Remove it from the hooks of init.templateDir instead.
    #[arg(long)]
    pub template: bool,
    /// Remove the server guard (the pre-receive hook and [pushduty "server"]) from this bare
    /// repository instead.
    #[arg(long, conflicts_with = "template")]
    pub server: bool,
    /// Show what would be done and change nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
}

/// True if the command works without a repository (`--template`).
pub fn needs_no_repository(args: &Args) -> bool {
    match &args.action {
        Action::Install(a) => a.template,
        Action::Uninstall(a) => a.template,
        Action::Status => false,
    }
}

/// `hooks install --template` / `hooks uninstall --template`, which need no repository.
pub fn run_template(console: &mut Console<'_>, args: &Args) -> Result<()> {
    let dir = hooks::template_dir()?;
    match &args.action {
        Action::Install(a) => install_into(
            console,
            &dir,
            a.dry_run,
            "the template for new clones",
            None,
        ),
        Action::Uninstall(a) => uninstall_from(console, &[dir], a.dry_run, None),
        Action::Status => Ok(()),
    }
}

pub fn run(repo: &gix::Repository, console: &mut Console<'_>, args: &Args) -> Result<()> {
    if needs_no_repository(args) {
        return run_template(console, args);
    }
    match &args.action {
        Action::Install(a) if a.server => super::hooks_server::install(repo, console, a),
        Action::Uninstall(a) if a.server => super::hooks_server::uninstall(repo, console, a),
        Action::Status if repo.is_bare() => super::hooks_server::status(repo, console),
        Action::Install(a) => install(repo, console, a),
        Action::Uninstall(a) => {
            let mut dirs = Vec::new();
            if let Some(hp) = hooks::hooks_path(repo)? {
                dirs.push(hp.dir);
            }
            dirs.push(hooks::default_dir(repo));
            let unpin = unpin(repo);
            uninstall_from(console, &dirs, a.dry_run, unpin)
        }
        Action::Status => status(repo, console),
    }
}

fn install(repo: &gix::Repository, console: &mut Console<'_>, args: &InstallArgs) -> Result<()> {
    let dir = match hooks::hooks_path(repo)? {
        None => hooks::default_dir(repo),
        Some(hp) if args.force => {
            writeln!(
                console.err,
                "core.hooksPath = {} (set in {}): installing into {} as asked (--force)",
                hp.value,
                hp.origin,
                hp.dir.display()
            )?;
            hp.dir
        }
        Some(hp) => {
            return refuse(
                Refusal::new(format!(
                    "core.hooksPath = {} (set in {}), so git runs hooks from {}, which another tool (husky, a global hooks directory) may own: nothing was installed",
                    hp.value,
                    hp.origin,
                    hp.dir.display()
                ))
                .hint("install there anyway (an existing pre-push hook is kept and run first): git push-duty hooks install --force")
                .hint(format!(
                    "or stop using it here: git config --unset core.hooksPath (it is set in {})",
                    hp.origin
                )),
            );
        }
    };
    let pins = pin(repo, console)?;
    install_into(console, &dir, args.dry_run, "this repository", Some(pins))
}

/// What the guard will protect, and the effect that pins it (none when it is pinned already).
/// Read from the settings as every command reads them, after checking that the team file's
/// guard keys are those merged on the upstream's release branch. Notes go to stderr.
fn pin(repo: &gix::Repository, console: &mut Console<'_>) -> Result<(Pins, Option<Effect>)> {
    let sources = Sources::load(repo)?;
    let settings = Settings::from_sources(&sources)?;
    let (pins, _) = Pins::derive(repo, &settings)?;
    pins::check_team_file(repo, &sources, &pins)?;
    let path = pins::config_file(repo);
    // Pins that cannot be read are replaced, like any that differ.
    let current = Pins::read(repo).unwrap_or(None);
    if pins.mirror_urls.is_empty() {
        writeln!(
            console.err,
            "note: the security mirror remote {:?} does not exist here yet: pushes to it are guarded once it is added under that name (then run git push-duty hooks install again to pin its URLs)",
            pins.security
        )?;
    }
    let effect = (current.as_ref() != Some(&pins)).then(|| Effect::SetConfigSection {
        path: path.clone(),
        section: "pushduty".into(),
        subsection: pins::SUBSECTION.into(),
        values: pins.values(),
        what: format!(
            "pin what the guard protects in {}: {}",
            path.display(),
            pins.describe()
        ),
    });
    Ok((pins, effect))
}

/// The effect that forgets the pins, if there are any (or any that cannot be read).
fn unpin(repo: &gix::Repository) -> Option<Effect> {
    let path = pins::config_file(repo);
    let pinned = !matches!(Pins::read(repo), Ok(None));
    pinned.then(|| Effect::SetConfigSection {
        path: path.clone(),
        section: "pushduty".into(),
        subsection: pins::SUBSECTION.into(),
        values: Vec::new(),
        what: format!(
            "forget what the guard protected ([pushduty \"{}\"] in {})",
            pins::SUBSECTION,
            path.display()
        ),
    })
}

fn install_into(
    console: &mut Console<'_>,
    dir: &std::path::Path,
    dry_run: bool,
    what: &str,
    pins: Option<(Pins, Option<Effect>)>,
) -> Result<()> {
    let binary = this_binary()?;
    let hook_plan = hooks::plan_install(PRE_PUSH, dir, &binary)?;
    let hook_changes = !hook_plan.effects.is_empty();
    let mut plan = Plan::default();
    let guards = match pins {
        Some((pins, effect)) => {
            // Pins first: a hook without them refuses every push, pins without a hook do nothing.
            plan.effects.extend(effect);
            Some(pins.describe())
        }
        None => None,
    };
    plan.effects.extend(hook_plan.effects);
    let path = dir.join(PRE_PUSH.hook);
    if plan.effects.is_empty() {
        writeln!(
            console.err,
            "The git-push-duty pre-push hook is already installed for {what}: {} (nothing changed)",
            path.display()
        )?;
        if let Some(guards) = guards {
            writeln!(console.err, "The hook guards: {guards}")?;
        }
        return Ok(());
    }
    if carry_out(console, plan, dry_run)? {
        if hook_changes {
            writeln!(
                console.err,
                "Installed the git-push-duty pre-push hook for {what}: {}",
                path.display()
            )?;
        }
        if let Some(guards) = guards {
            writeln!(console.err, "The hook guards: {guards}")?;
        }
        let chained = dir.join(PRE_PUSH.chained());
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

fn uninstall_from(
    console: &mut Console<'_>,
    dirs: &[PathBuf],
    dry_run: bool,
    unpin: Option<Effect>,
) -> Result<()> {
    let mut plan = Plan::default();
    for dir in dirs {
        plan.effects
            .extend(hooks::plan_uninstall(PRE_PUSH, dir)?.effects);
    }
    // After the hook: a hook left without its pins would refuse every push.
    plan.effects.extend(unpin);
    if plan.effects.is_empty() {
        let places: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        writeln!(
            console.err,
            "There is no git-push-duty pre-push hook in {}: nothing changed",
            places.join(" or ")
        )?;
        return Ok(());
    }
    if carry_out(console, plan, dry_run)? {
        writeln!(console.err, "Removed the git-push-duty pre-push hook.")?;
    }
    Ok(())
}

/// Carries out a plan that changes only local files; true if it was done.
pub(super) fn carry_out(console: &mut Console<'_>, plan: Plan, dry_run: bool) -> Result<bool> {
    let outcome = plan::carry_out_files(console, plan, Mode { dry_run, yes: true })?;
    Ok(outcome == Outcome::Done)
}

fn status(repo: &gix::Repository, console: &mut Console<'_>) -> Result<()> {
    let binary = this_binary()?;
    let health = Health::of(repo, &binary)?;
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
        writeln!(
            out,
            "ours:        {}",
            if hook.ours {
                "yes"
            } else {
                "no (another hook)"
            }
        )?;
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
    let pinned = Pinned::of(repo, hook.ours);
    writeln!(out, "guards:      {}", pinned.summary())?;
    for p in health.problems().into_iter().chain(pinned.problems) {
        writeln!(console.err, "{}\nhint: {}", p.problem, p.fix)?;
    }
    Ok(())
}
