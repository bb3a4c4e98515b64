//! What a security merge keeps in the git directory between its steps: the record of a run that
//! is pushing (so `--continue` can finish the mirror after the upstream took the merge), and the
//! lock that keeps two runs in one repository apart. The lock is an OS file lock, so a run that
//! is killed (Ctrl-C at the question) releases it without leaving anything to clean up. `tag`
//! keeps the same kind of record and lock (`tag.json`, `tag.lock`) around its push, so a run
//! stopped after the push and before the local tag is finished by the next one.
//!
//! Records are written through `plan::Effect::WriteFile`, which writes a temporary file beside the
//! record, flushes it to disk and renames it over the record: a record is whole or absent.

use std::io::{Read, Seek, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::config;
use crate::error::{Refusal, refuse};

/// The record format this version writes and reads.
pub const VERSION: u64 = 1;
const RECORD: &str = "security-merge.json";
const LOCK: &str = "security-merge.lock";
const TAG_RECORD: &str = "tag.json";
const TAG_LOCK: &str = "tag.lock";

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
            .map_err(|e| anyhow::anyhow!("the recorded commit {:?} is not an id: {e}", self.commit))
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

/// The record at `path`, read with `parse`; `None` if there is none. One that cannot be read as
/// a record is the refusal `unreadable` makes of what is wrong with it.
fn read_record<T>(
    path: &std::path::Path,
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
fn versioned<T: serde::de::DeserializeOwned>(text: &str) -> std::result::Result<T, String> {
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

/// Held for the length of a run that may change something; released when dropped or when the
/// process ends, however it ends.
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// Takes the security merge's lock, or refuses naming the process that holds it.
    pub fn acquire(repo: &gix::Repository) -> Result<Lock> {
        Self::acquire_named(repo, LOCK, "another security merge is running")
    }

    /// Takes `tag`'s lock, or refuses naming the process that holds it.
    pub fn acquire_tag(repo: &gix::Repository) -> Result<Lock> {
        Self::acquire_named(repo, TAG_LOCK, "another git push-duty tag is running")
    }

    fn acquire_named(repo: &gix::Repository, lock: &str, running: &str) -> Result<Lock> {
        let dir = config::state_dir(repo);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(lock);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim() {
                    "" => String::new(),
                    pid => format!(" (process {pid})"),
                };
                return refuse(
                    Refusal::new(format!(
                        "{running} in this repository{holder}; nothing was changed"
                    ))
                    .hint("wait for it to finish, then run this again")
                    .hint(format!("the lock is held on {}", path.display())),
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        // Who holds it, for the message another run shows; the lock itself is what counts.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(Lock { _file: file })
    }
}

/// A `tag` run that is pushing, as written to `<git dir>/push-duty/tag.json` just before the
/// push and removed once the local tag exists: if the run stops in between, the next one finds
/// the upstream holding exactly this tag object and creates the local tag instead of a second
/// revision of the same commit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRecord {
    pub version: u64,
    pub upstream: String,
    /// The tag's short name, `2026.12.03-1`.
    pub tag: String,
    /// The annotated tag object pushed.
    pub object: String,
    /// The commit it points to.
    pub commit: String,
}

impl TagRecord {
    /// The tag object and the commit, as ids.
    pub fn ids(&self) -> Result<(ObjectId, ObjectId)> {
        let id = |text: &str| {
            ObjectId::from_hex(text.as_bytes())
                .map_err(|e| anyhow::anyhow!("the recorded id {text:?} is not an id: {e}"))
        };
        Ok((id(&self.object)?, id(&self.commit)?))
    }

    /// The file's contents.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a struct of strings always serializes") + "\n"
    }
}

/// Where `tag`'s record lives.
pub fn tag_record_path(repo: &gix::Repository) -> PathBuf {
    config::state_dir(repo).join(TAG_RECORD)
}

/// The record of a `tag` run that stopped while pushing, if there is one; one this version cannot
/// read is a refusal that says how to check and clear it by hand.
pub fn load_tag(repo: &gix::Repository) -> Result<Option<TagRecord>> {
    let path = tag_record_path(repo);
    read_record(&path, parse_tag, |problem| {
        Refusal::new(format!(
            "the record of an unfinished tag push, {}, {problem}; nothing was changed",
            path.display()
        ))
        .hint("see which calendar tags the upstream has: git ls-remote --tags <upstream>")
        .hint(format!(
            "fetch the one it names (git fetch <upstream> tag <name>), then remove {}",
            path.display()
        ))
    })
}

/// Reads a tag record, or says what is wrong with it (completing "the record ... ").
pub fn parse_tag(text: &str) -> std::result::Result<TagRecord, String> {
    let record: TagRecord = versioned(text)?;
    record.ids().map_err(|e| format!("is damaged ({e})"))?;
    if gix::refs::FullName::try_from(format!("refs/tags/{}", record.tag)).is_err() {
        return Err(format!("is damaged (no tag can be named {:?})", record.tag));
    }
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

    fn tag_record() -> TagRecord {
        TagRecord {
            version: VERSION,
            upstream: "upstream".into(),
            tag: "2026.12.03-1".into(),
            object: "3".repeat(40),
            commit: "4".repeat(40),
        }
    }

    #[test]
    fn a_tag_record_reads_back_and_damage_is_named() {
        assert_eq!(parse_tag(&tag_record().to_json()), Ok(tag_record()));
        let bad_id = tag_record().to_json().replace(&"3".repeat(40), "nope");
        assert!(parse_tag(&bad_id).unwrap_err().starts_with("is damaged"));
        let bad_name = tag_record().to_json().replace("2026.12.03-1", "a..b");
        assert!(parse_tag(&bad_name).unwrap_err().starts_with("is damaged"));
        let other = tag_record()
            .to_json()
            .replace("\"version\": 1", "\"version\": 9");
        assert!(parse_tag(&other).unwrap_err().contains("record version 9"));
        assert!(parse_tag("{").unwrap_err().starts_with("is not valid JSON"));
    }
}
