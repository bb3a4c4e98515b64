//! The team's own steps (`pushduty.step = NAME COMMAND`, such as the seed's locale extraction),
//! and the record of each run: `<git dir>/push-duty/steps/NAME.json` says for which push it ran
//! and how it ended. The record is written atomically before the command starts ("running")
//! and again when it ends, so a run killed with this process reads as unfinished, never as done.
//! A step's lock (`NAME.lock`) refuses a second run of the same step at the same time.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use crate::config::{self, STEP, Sources};
use crate::error::{Refusal, refuse};
use crate::plan::{Effect, write_atomically};
use crate::week::checklist::StepRun;

/// The longest step name.
pub const NAME_LIMIT: usize = 64;

/// One of the team's steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    /// Run through `sh -c` at the top of the repository.
    pub command: String,
}

/// The steps configured, in order; a later value for the same name (git config over the team
/// file) replaces the earlier one in its place. A value that is not `NAME COMMAND` is an error
/// naming the key and the file.
pub fn configured(sources: &Sources) -> Result<Vec<Step>> {
    let mut steps: Vec<Step> = Vec::new();
    for s in sources.all(STEP) {
        let text = s.value.trim();
        let (name, command) = match text.split_once(char::is_whitespace) {
            Some((name, command)) if !command.trim().is_empty() => (name, command.trim()),
            _ => {
                return refuse(
                    Refusal::configuration(format!(
                        "{STEP} = {:?} (set in {}) is not NAME COMMAND",
                        s.value, s.origin
                    ))
                    .hint(format!(
                        "write it as: {STEP} = extract-l10n ./scripts/extract-l10n.sh, in {}",
                        s.origin
                    )),
                );
            }
        };
        if !valid_name(name) {
            return refuse(
                Refusal::configuration(format!(
                    "{STEP} = {:?} (set in {}): the name {name:?} is not letters, digits, '.', '_' and '-' starting with a letter or digit, at most {NAME_LIMIT}",
                    s.value, s.origin
                ))
                .hint(format!("rename it in {}", s.origin)),
            );
        }
        let step = Step {
            name: name.to_owned(),
            command: command.to_owned(),
        };
        match steps.iter_mut().find(|st| st.name == step.name) {
            Some(existing) => *existing = step,
            None => steps.push(step),
        }
    }
    Ok(steps)
}

/// A name that is safe as a file name and as a word on a command line.
pub fn valid_name(name: &str) -> bool {
    name.len() <= NAME_LIMIT
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn dir(repo: &gix::Repository) -> PathBuf {
    config::state_dir(repo).join("steps")
}

/// Where the record of `name` is kept.
pub fn record_path(repo: &gix::Repository, name: &str) -> PathBuf {
    dir(repo).join(format!("{name}.json"))
}

/// The lock a run of `name` holds while it runs.
pub fn lock(repo: &gix::Repository, name: &str) -> Effect {
    Effect::Lock {
        path: dir(repo).join(format!("{name}.lock")),
        running: format!("the step {name} is already running"),
        what: format!("take the lock of step {name}"),
    }
}

/// How a run of a step ended, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub version: u64,
    pub name: String,
    pub command: String,
    /// The push it ran for, YYYY-MM-DD.
    pub push_date: String,
    /// `running`, `succeeded` or `failed`.
    pub state: String,
    /// The exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    pub signal: Option<i32>,
}

impl Record {
    /// "exit 0", "exit 1", "killed by signal 9", "did not finish".
    pub fn status(&self) -> String {
        match (self.code, self.signal) {
            (Some(code), _) => format!("exit {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            (None, None) => {
                "did not finish: still running, or git push-duty was stopped while it ran"
                    .to_owned()
            }
        }
    }

    /// What the record says about the push on `push_date`.
    pub fn run_for(&self, push_date: NaiveDate) -> StepRun {
        if self.push_date != push_date.to_string() {
            return StepRun::NotRun;
        }
        match self.state.as_str() {
            "succeeded" => StepRun::Succeeded,
            _ => StepRun::Failed {
                status: self.status(),
            },
        }
    }
}

/// The record of `name`, if it ever ran. A record that cannot be read is an error naming it.
pub fn load(repo: &gix::Repository, name: &str) -> Result<Option<Record>> {
    let path = record_path(repo, name);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    match serde_json::from_str::<Record>(&text) {
        Ok(record) if record.version == 1 && record.name == name => Ok(Some(record)),
        _ => refuse(
            Refusal::new(format!(
                "{} is not a record of the step {name} this version wrote",
                path.display()
            ))
            .hint(format!(
                "run the step again to replace it: git push-duty step {name}"
            )),
        ),
    }
}

/// Runs `command` through `sh -c` in `dir`, its output shown as it comes, recording before it
/// starts and after it ends. Returns the final record; an error only when it could not start
/// or a record could not be written.
pub fn run_and_record(
    dir: &Path,
    record_path: &Path,
    name: &str,
    command: &str,
    push_date: &str,
) -> Result<Record> {
    let mut record = Record {
        version: 1,
        name: name.to_owned(),
        command: command.to_owned(),
        push_date: push_date.to_owned(),
        state: "running".to_owned(),
        code: None,
        signal: None,
    };
    write(record_path, &record)?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PUSH_DUTY_STEP", name)
        .env("PUSH_DUTY_PUSH_DATE", push_date)
        .status()
        .with_context(|| format!("cannot start the step {name} (sh -c {command:?})"))?;
    record.code = status.code();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        record.signal = status.signal();
    }
    record.state = if status.success() {
        "succeeded"
    } else {
        "failed"
    }
    .to_owned();
    write(record_path, &record)?;
    Ok(record)
}

fn write(path: &Path, record: &Record) -> Result<()> {
    let mut text = serde_json::to_string_pretty(record).context("cannot serialize a record")?;
    text.push('\n');
    write_atomically(path, &text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(values: &[&str]) -> Result<Vec<Step>> {
        let entries: Vec<(&str, &str, &str)> = values
            .iter()
            .map(|v| ("pushduty.step", *v, "/r/.pushduty"))
            .collect();
        configured(&Sources::from_entries(&entries))
    }

    #[test]
    fn name_then_command_and_later_values_replace_earlier_ones() {
        let got = steps(&[
            "extract-l10n ./scripts/extract-l10n.sh --all",
            "smoke\tcurl -f https://stage/",
            "extract-l10n   ./bin/run-l10n-extraction",
        ])
        .expect("valid");
        assert_eq!(
            got,
            vec![
                Step {
                    name: "extract-l10n".into(),
                    command: "./bin/run-l10n-extraction".into()
                },
                Step {
                    name: "smoke".into(),
                    command: "curl -f https://stage/".into()
                },
            ]
        );
    }

    #[test]
    fn malformed_steps_name_the_key_and_file() {
        for bad in [
            "",
            "lonely",
            "name   ",
            "-n rm",
            "../x true",
            "a/b true",
            "l10n;rm true",
        ] {
            let err = steps(&[bad]).expect_err(bad);
            let text = format!("{err:#}");
            assert!(
                text.starts_with("pushduty.step = ") && text.contains("(set in /r/.pushduty)"),
                "{bad:?}: {text}"
            );
        }
        assert!(!valid_name(&"a".repeat(NAME_LIMIT + 1)));
        assert!(valid_name("l10n.server_2"));
    }

    #[test]
    fn a_record_counts_for_its_push_only() {
        let record = Record {
            version: 1,
            name: "x".into(),
            command: "true".into(),
            push_date: "2026-12-03".into(),
            state: "failed".into(),
            code: None,
            signal: Some(9),
        };
        let thursday = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
        assert_eq!(
            record.run_for(thursday),
            StepRun::Failed {
                status: "killed by signal 9".into()
            }
        );
        let next = NaiveDate::from_ymd_opt(2026, 12, 10).expect("date");
        assert_eq!(record.run_for(next), StepRun::NotRun);
        let running = Record {
            state: "running".into(),
            signal: None,
            ..record
        };
        assert!(
            matches!(running.run_for(thursday), StepRun::Failed { status } if status.starts_with("did not finish"))
        );
    }
}
