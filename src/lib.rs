//! git-push-duty: the weekly release push duty as git commands. `main.rs` only parses and exits;
//! `run` opens the repository and hands it to the command, so tests can drive every command.
//!
//! Pure domain modules (`calendar`, `tags`, `forge`) take plain values; the `git` layer reads and
//! writes repositories; `commands/` wires the two, one file per subcommand; `plan` carries out
//! every side effect.

pub mod calendar;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod context;
pub mod deploy;
pub mod diff_view;
pub mod error;
pub mod forge;
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod guard;
pub mod hints;
pub mod hook_install;
pub mod http;
pub mod man;
pub mod pager;
pub mod plan;
pub mod sandbox;
pub mod security;
pub mod steps;
pub mod suggest;
pub mod tagging;
pub mod tags;
pub mod train;
pub mod week;

use anyhow::Result;

use cli::{Cli, Command};
use console::Console;
use context::{Context, Invocation};

/// Runs one parsed command line.
pub fn run(cli: &Cli, console: &mut Console<'_>) -> Result<()> {
    match cli.run_command().as_ref() {
        Command::Completions(args) => commands::completions::run(console, args),
        Command::Man => {
            console.out.write_all(&man::render())?;
            Ok(())
        }
        Command::Sandbox(args) => commands::sandbox::run(console, args),
        Command::CiWorkflow(args) => commands::ci_workflow::run(console, args),
        Command::Hooks(args) if commands::hooks::needs_no_repository(args) => {
            commands::hooks::run_template(console, args)
        }
        command => {
            let repo = git::open_here()?;
            run_with_repo(&repo, command, console)
        }
    }
}

/// Runs a command that needs a repository. The run's [`Invocation`] (today) is made here, once;
/// each command that works with the team's settings gets one [`Context`], built before it starts.
pub fn run_with_repo(
    repo: &gix::Repository,
    command: &Command,
    console: &mut Console<'_>,
) -> Result<()> {
    let invocation = Invocation::new();
    let context = || Context::new(repo, &invocation);
    match command {
        Command::NextTag(args) => commands::next_tag::run(&context()?, console, args),
        Command::Tag(args) => commands::tag::run(&context()?, console, args),
        Command::Compare(args) => commands::compare::run(&context()?, console, args),
        Command::SecurityMerge(args) => commands::security_merge::run(&context()?, console, args),
        Command::Diff(args) => commands::diff::run(&context()?, console, args),
        // A check reports a configuration that cannot be read as one of its findings.
        Command::Check(args) => commands::check::run(repo, &invocation, console, args),
        Command::Hook(args) => commands::run_hook::run(repo, console, args),
        Command::Hooks(args) => commands::hooks::run(repo, console, args),
        Command::Deployed(args) => commands::deployed::run(&context()?, console, args),
        Command::Status(args) => commands::status::run(&context()?, console, args),
        Command::Step(args) => commands::step::run(&context()?, console, args),
        Command::Who(args) => commands::who::run(&context()?, console, args),
        Command::Notes(args) => commands::notes::run(&context()?, console, args),
        Command::Topic(args) => commands::topic::run(&context()?, console, args),
        Command::CiWorkflow(args) => commands::ci_workflow::run(console, args),
        Command::Completions(_) | Command::Man | Command::Sandbox(_) => unreachable_without_repo(),
    }
}

fn unreachable_without_repo() -> Result<()> {
    Err(anyhow::anyhow!("this command does not use a repository"))
}
