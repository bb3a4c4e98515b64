//! What a security merge keeps in the git directory between its steps: the record of a run that
//! is pushing (so `--continue` can finish the mirror after the upstream took the merge), and the
//! lock that keeps two runs in one repository apart. The lock is an OS file lock
//! (`plan::Effect::Lock`), so a run that is killed (Ctrl-C at the question) releases it without
//! leaving anything to clean up.
//!
//! Records are written through `plan::Effect::WriteFile`, which writes a temporary file beside the
//! record, flushes it to disk and renames it over the record: a record is whole or absent. This
//! module only reads them, and says where they and the lock live.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::config;
use crate::error::{Refusal, refuse};
use crate::plan::Effect;

/// The record format this version writes and reads.
pub const VERSION: u64 = 1;
const RECORD: &str = "security-merge.json";
const LOCK: &str = "security-merge.lock";

/// How far a recorded run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Pushing to the upstream: it may or may not have the merge.
    PushUpstream,
    /// The upstream has the merge; the mirror does not yet.
    PushMirror,
}

/// A run in progress, as written to `<git dir>/push-duty/security-merge.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub version: u64,
    pub step: Step,
    /// The remotes and branch of the run (not re-read from settings that may change meanwhile).
    pub upstream: String,
    pub security: String,
    pub branch: String,
    /// The upstream branch's tip the merge was built on.
    pub base: String,
    /// The commit that goes to both remotes.
    pub commit: String,
    /// The security branches merged, in order.
    pub merged: Vec<String>,
}

impl Record {
    /// The commit that goes to both remotes.
    pub fn commit(&self) -> Result<ObjectId> {
        ObjectId::from_hex(self.commit.as_bytes())
            .with_context(|| format!("the recorded commit {:?} is not an id", self.commit))
    }

    /// The same run, moved on to `step`.
    pub fn at(&self, step: Step) -> Record {
        Record {
            step,
            ..self.clone()
        }
    }

    /// The file's contents.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a struct of strings and a list always serializes")
            + "\n"
    }
}

/// Where the record lives.
pub fn record_path(repo: &gix::Repository) -> PathBuf {
    config::state_dir(repo).join(RECORD)
}

/// The recorded run, if there is one; a record this version cannot read is a refusal that says
/// how to check the remotes and clear it by hand.
pub fn load(repo: &gix::Repository) -> Result<Option<Record>> {
    let path = record_path(repo);
    read_record(&path, parse, |problem| {
        Refusal::new(format!(
            "the record of an unfinished security merge, {}, {problem}; nothing was changed",
            path.display()
        ))
        .hint("see where both remotes are: git ls-remote <upstream> <branch> && git ls-remote <security> <branch>")
        .hint(format!(
            "if they point to the same commit, no run is unfinished: remove {}",
            path.display()
        ))
    })
}

/// The lock a security-merge run holds from before it reads anything until it ends.
pub fn lock(repo: &gix::Repository) -> Effect {
    Effect::Lock {
        path: config::state_dir(repo).join(LOCK),
        running: "another security merge is running".into(),
        what: "take the security merge's lock".into(),
    }
}

/// The record at `path`, read with `parse`; `None` if there is none. One that cannot be read as
/// a record is the refusal `unreadable` makes of what is wrong with it.
pub(crate) fn read_record<T>(
    path: &Path,
    parse: fn(&str) -> std::result::Result<T, String>,
    unreadable: impl FnOnce(String) -> Refusal,
) -> Result<Option<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    match parse(&text) {
        Ok(record) => Ok(Some(record)),
        Err(problem) => refuse(unreadable(problem)),
    }
}

/// A record's JSON, if it is of this version: `Err` completes "the record ...".
pub(crate) fn versioned<T: serde::de::DeserializeOwned>(
    text: &str,
) -> std::result::Result<T, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("is not valid JSON ({e})"))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(VERSION) => {}
        Some(other) => {
            return Err(format!(
                "was written by another version of git-push-duty (record version {other}; this one reads version {VERSION})"
            ));
        }
        None => return Err("has no record version: it is not a record this tool wrote".into()),
    }
    serde_json::from_value(value).map_err(|e| format!("is damaged ({e})"))
}

/// Reads a record, or says what is wrong with it (completing "the record ... ").
pub fn parse(text: &str) -> std::result::Result<Record, String> {
    let record: Record = versioned(text)?;
    record.commit().map_err(|e| format!("is damaged ({e})"))?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            version: VERSION,
            step: Step::PushMirror,
            upstream: "upstream".into(),
            security: "security".into(),
            branch: "main".into(),
            base: "1".repeat(40),
            commit: "2".repeat(40),
            merged: vec!["fix-xss".into()],
        }
    }

    #[test]
    fn a_record_reads_back() {
        assert_eq!(parse(&record().to_json()), Ok(record()));
        assert!(record().to_json().contains("\"step\": \"push-mirror\""));
    }

    #[test]
    fn garbage_is_not_json() {
        let err = parse("{ half").unwrap_err();
        assert!(err.starts_with("is not valid JSON"), "{err}");
    }

    #[test]
    fn another_version_is_named() {
        let text = record()
            .to_json()
            .replace("\"version\": 1", "\"version\": 7");
        assert_eq!(
            parse(&text).unwrap_err(),
            "was written by another version of git-push-duty (record version 7; this one reads version 1)"
        );
    }

    #[test]
    fn missing_fields_and_bad_ids_are_damage() {
        assert!(
            parse("{\"version\": 1}")
                .unwrap_err()
                .starts_with("is damaged")
        );
        let text = record().to_json().replace(&"2".repeat(40), "nope");
        assert!(parse(&text).unwrap_err().starts_with("is damaged"));
        assert!(
            parse("[]")
                .unwrap_err()
                .starts_with("has no record version")
        );
    }
}
