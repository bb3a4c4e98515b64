//! The command line: the top-level parser and the list of subcommands. Each subcommand's
//! arguments and help live in its own file under `commands/`.

use clap::{Parser, Subcommand};

use crate::commands;
use crate::console::ColorChoice;

/// The binary's name; git finds it on PATH for `git push-duty`.
pub const BIN: &str = "git-push-duty";

/// Weekly release push duty as git commands that cannot be done in the wrong order.
///
/// Push duty rotates each week. The code that goes to production on the push day is tagged
/// beforehand with a calendar tag named after the push date (YYYY.MM.DD, then YYYY.MM.DD-N for
/// later revisions). Security fixes live on a private mirror and are merged right before tagging,
/// upstream first. git push-duty does each step the same way every week.
#[derive(Debug, Parser)]
#[command(name = BIN, bin_name = "git push-duty", version, propagate_version = true)]
#[command(max_term_width = 100)]
pub struct Cli {
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    NextTag(commands::next_tag::Args),
    Tag(commands::tag::Args),
    Compare(commands::compare::Args),
    Completions(commands::completions::Args),
    SecurityMerge(commands::security_merge::Args),
    Diff(commands::diff::Args),
    Hooks(commands::hooks::Args),
    Check(commands::check::Args),
    Who(commands::who::Args),
    Notes(commands::notes::Args),
    Topic(commands::topic::Args),
    /// Run a git hook (the installed hook calls this).
    #[command(hide = true)]
    Hook(commands::run_hook::Args),
    /// Print the man page (roff) generated from these definitions.
    #[command(hide = true)]
    Man,
}
