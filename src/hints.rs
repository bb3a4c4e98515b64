//! The hints the user reads under an error of the git layer, worded for the command they typed:
//! the git layer returns typed errors and knows nothing of flags; this edge gives each its kind
//! and the next commands to run, and names `--offline` only where the command has it.

use crate::cli::Command;
use crate::error::{Advice, Edge, Kind};
use crate::git::remote::Unreachable;

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
            Command::Status(a) if !a.offline => Some("git push-duty status --offline"),
            _ => None,
        };
        CommandEdge {
            offline: offline.map(str::to_owned),
        }
    }
}

impl Edge for CommandEdge {
    fn advise(&self, cause: &(dyn std::error::Error + 'static)) -> Option<Advice> {
        let unreachable = cause.downcast_ref::<Unreachable>()?;
        let mut hints: Vec<String> = unreachable.url_hint().into_iter().collect();
        if let Some(offline) = &self.offline {
            hints.push(format!("to work from what is already fetched: {offline}"));
        }
        Some(Advice {
            kind: Kind::Refused,
            hints,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn advice(args: &[&str]) -> Option<Advice> {
        let cli = crate::cli::Cli::try_parse_from(args).expect("a command line");
        let err = Unreachable {
            remote: "upstream".into(),
            named: true,
            url: "/gone.git".into(),
            detail: "not found".into(),
        };
        CommandEdge::of(&cli.run_command()).advise(&err)
    }

    #[test]
    fn only_a_command_with_offline_suggests_it() {
        let url = "check the URL with: git remote get-url upstream".to_owned();
        assert_eq!(
            advice(&["git-push-duty", "next-tag"]),
            Some(Advice {
                kind: Kind::Refused,
                hints: vec![
                    url.clone(),
                    "to work from what is already fetched: git push-duty next-tag --offline".into()
                ]
            })
        );
        for no_offline in [
            &["git-push-duty", "security-merge", "fix"][..],
            &["git-push-duty", "tag", "--offline"],
        ] {
            assert_eq!(
                advice(no_offline),
                Some(Advice {
                    kind: Kind::Refused,
                    hints: vec![url.clone()]
                }),
                "{no_offline:?}"
            );
        }
    }
}
