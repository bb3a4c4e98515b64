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

    /// None: `git push-duty` alone, which is `status`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The command to run: the one given, else `status` (`git push-duty` alone).
    pub fn run_command(&self) -> std::borrow::Cow<'_, Command> {
        match &self.command {
            Some(command) => std::borrow::Cow::Borrowed(command),
            None => std::borrow::Cow::Owned(Command::Status(Default::default())),
        }
    }
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    NextTag(commands::next_tag::Args),
    Tag(commands::tag::Args),
    Compare(commands::compare::Args),
    Completions(commands::completions::Args),
    SecurityMerge(commands::security_merge::Args),
    Diff(commands::diff::Args),
    Hooks(commands::hooks::Args),
    Check(commands::check::Args),
    Deployed(commands::deployed::Args),
    Step(commands::step::Args),
    Sandbox(commands::sandbox::Args),
    Status(commands::status::Args),
    CiWorkflow(commands::ci_workflow::Args),
    /// Run a git hook (the installed hook calls this).
    #[command(hide = true)]
    Hook(commands::run_hook::Args),
    /// Print the man page (roff) generated from these definitions.
    #[command(hide = true)]
    Man,
}

/// Values checked (or put into shape) as clap parses them, so that a command gets them ready to
/// use and a malformed one is a usage error (exit 2) before anything runs, worded as ours.
pub mod value {
    use std::ffi::OsStr;

    use chrono::NaiveDate;
    use clap::builder::TypedValueParser;
    use clap::error::ErrorKind;

    /// A value parser from a function that says what is wrong in a whole sentence.
    #[derive(Clone)]
    pub struct Checked<T> {
        check: fn(&str) -> Result<T, String>,
    }

    impl<T: Clone + Send + Sync + 'static> TypedValueParser for Checked<T> {
        type Value = T;

        fn parse_ref(
            &self,
            cmd: &clap::Command,
            arg: Option<&clap::Arg>,
            value: &OsStr,
        ) -> Result<T, clap::Error> {
            let name = arg.map_or_else(|| "a value".to_owned(), |a| a.to_string());
            let text = value.to_str().ok_or_else(|| {
                clap::Error::raw(
                    ErrorKind::InvalidUtf8,
                    format!("{name} is not valid UTF-8\n"),
                )
                .with_cmd(cmd)
            })?;
            (self.check)(text).map_err(|problem| {
                clap::Error::raw(ErrorKind::ValueValidation, format!("{problem}\n")).with_cmd(cmd)
            })
        }
    }

    /// `--date YYYY-MM-DD`: a real calendar date.
    pub fn date() -> Checked<NaiveDate> {
        Checked {
            check: |text| {
                crate::calendar::parse_date(text)
                    .ok_or_else(|| format!("--date {text:?} is not a date as YYYY-MM-DD"))
            },
        }
    }

    /// A branch name git accepts (`fix-xss`, `security/fix-xss`, `refs/heads/fix-xss`), as typed:
    /// the command strips the remote's prefix it knows.
    pub fn branch() -> Checked<String> {
        Checked {
            check: |text| {
                let name = text.strip_prefix("refs/heads/").unwrap_or(text);
                let full = format!("refs/heads/{name}");
                if name.is_empty() || gix::refs::FullName::try_from(full.as_str()).is_err() {
                    return Err(format!("{text:?} is not a branch name"));
                }
                Ok(text.to_owned())
            },
        }
    }

    /// A tag as the user may name it: `refs/tags/2026.12.03` is `2026.12.03`. Whether there is
    /// such a tag, here or on the upstream, the command says (a name no tag can have is no tag).
    pub fn tag() -> Checked<String> {
        Checked {
            check: |text| Ok(text.strip_prefix("refs/tags/").unwrap_or(text).to_owned()),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn parse<T: Clone + Send + Sync + 'static>(
            parser: Checked<T>,
            text: &str,
        ) -> Result<T, String> {
            let cmd = clap::Command::new("git-push-duty");
            parser
                .parse_ref(&cmd, None, OsStr::new(text))
                .map_err(|e| e.to_string())
        }

        #[test]
        fn dates_branches_and_tags() {
            assert_eq!(
                parse(date(), "2026-12-03"),
                Ok(NaiveDate::from_ymd_opt(2026, 12, 3).expect("a date"))
            );
            let err = parse(date(), "2026-12-32").expect_err("no such day");
            assert!(
                err.contains("--date \"2026-12-32\" is not a date as YYYY-MM-DD"),
                "{err}"
            );
            assert_eq!(
                parse(branch(), "security/fix-xss").as_deref(),
                Ok("security/fix-xss")
            );
            assert_eq!(
                parse(branch(), "refs/heads/fix").as_deref(),
                Ok("refs/heads/fix")
            );
            for bad in ["", "a..b", "fix~1", "refs/heads/", "x y"] {
                let err = parse(branch(), bad).expect_err(bad);
                assert!(err.contains("is not a branch name"), "{err}");
            }
            assert_eq!(
                parse(tag(), "refs/tags/2026.12.03").as_deref(),
                Ok("2026.12.03")
            );
            assert_eq!(parse(tag(), "v1.0").as_deref(), Ok("v1.0"));
        }
    }
}
