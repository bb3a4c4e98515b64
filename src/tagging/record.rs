//! What a `tag` run keeps in the git directory around its push: the record written just before
//! the push and removed once the local tag exists, so a run stopped in between is finished by the
//! next one instead of making a second revision of the same commit, and the lock that keeps two
//! `tag` runs in one clone apart. Written through the plan, like the security merge's record.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use gix::ObjectId;

use crate::config;
use crate::error::Refusal;
use crate::plan::Effect;
use crate::security::record::{read_record, versioned};

const TAG_RECORD: &str = "tag.json";
const TAG_LOCK: &str = "tag.lock";

/// The lock a `tag` run holds from before it reads anything until it ends.
pub fn lock(repo: &gix::Repository) -> Effect {
    Effect::Lock {
        path: config::state_dir(repo).join(TAG_LOCK),
        running: "another git push-duty tag is running".into(),
        what: "take tag's lock".into(),
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
                .with_context(|| format!("the recorded id {text:?} is not an id"))
        };
        Ok((id(&self.object)?, id(&self.commit)?))
    }

    /// The file's contents.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a struct of strings always serializes") + "\n"
    }
}

/// Where `tag`'s record lives.
pub fn path(repo: &gix::Repository) -> PathBuf {
    config::state_dir(repo).join(TAG_RECORD)
}

/// The record of a `tag` run that stopped while pushing, if there is one; one this version cannot
/// read is a refusal that says how to check and clear it by hand.
pub fn load(repo: &gix::Repository) -> Result<Option<TagRecord>> {
    let path = path(repo);
    read_record(&path, parse, |problem| {
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
pub fn parse(text: &str) -> std::result::Result<TagRecord, String> {
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
    use crate::security::record::VERSION;

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
        assert_eq!(parse(&tag_record().to_json()), Ok(tag_record()));
        let bad_id = tag_record().to_json().replace(&"3".repeat(40), "nope");
        assert!(parse(&bad_id).unwrap_err().starts_with("is damaged"));
        let bad_name = tag_record().to_json().replace("2026.12.03-1", "a..b");
        assert!(parse(&bad_name).unwrap_err().starts_with("is damaged"));
        let other = tag_record()
            .to_json()
            .replace("\"version\": 1", "\"version\": 9");
        assert!(parse(&other).unwrap_err().contains("record version 9"));
        assert!(parse("{").unwrap_err().starts_with("is not valid JSON"));
    }
}
