//! Cherry-picks done in memory with gix: a tree merge with the pick's parent as the base, as
//! `git cherry-pick -x` does, without touching the worktree, the index or any branch.

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::error::{Refusal, refuse};
use crate::git::repo::{short, subject};

/// One applied pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    /// The commit the user named.
    pub original: ObjectId,
    /// The new commit on top of the base.
    pub result: ObjectId,
    pub subject: String,
}

/// Applies `picks` in order on top of `base`, writing commits through `repo` (give it object
/// memory to keep them out of the object database until the plan is carried out). Refuses merge
/// commits, conflicts (naming the paths) and picks that change nothing.
pub fn cherry_pick(
    repo: &gix::Repository,
    base: ObjectId,
    picks: &[(String, ObjectId)],
    committer: &gix::actor::Signature,
) -> Result<(ObjectId, Vec<Picked>)> {
    let mut tip = base;
    let mut done = Vec::new();
    for (spec, pick) in picks {
        let commit = repo
            .find_commit(*pick)
            .with_context(|| format!("cannot read commit {pick}"))?;
        let parents: Vec<ObjectId> = commit.parent_ids().map(|id| id.detach()).collect();
        if parents.len() > 1 {
            return refuse(
                Refusal::new(format!(
                    "--cherry-pick {spec} is a merge commit ({}); a release takes the commits themselves",
                    short(repo, *pick)
                ))
                .hint(format!(
                    "list the commits it merged with: git log --oneline --no-merges {}^1..{}",
                    short(repo, *pick),
                    short(repo, *pick)
                )),
            );
        }
        let theirs_tree = commit
            .tree_id()
            .context("cannot read a commit's tree")?
            .detach();
        let ancestor_tree = match parents.first() {
            Some(parent) => repo
                .find_commit(*parent)
                .with_context(|| format!("cannot read commit {parent}"))?
                .tree_id()
                .context("cannot read a commit's tree")?
                .detach(),
            None => ObjectId::empty_tree(repo.object_hash()),
        };
        let ours_tree = repo
            .find_commit(tip)
            .with_context(|| format!("cannot read commit {tip}"))?
            .tree_id()
            .context("cannot read a commit's tree")?
            .detach();

        let options = repo
            .tree_merge_options()
            .context("cannot read the merge configuration")?;
        let labels = gix::merge::blob::builtin_driver::text::Labels {
            ancestor: Some("parent of the pick".into()),
            current: Some("base".into()),
            other: Some(spec.as_str().into()),
        };
        let mut outcome = repo
            .merge_trees(ancestor_tree, ours_tree, theirs_tree, labels, options)
            .with_context(|| format!("cannot apply {spec}"))?;
        let how = gix::merge::tree::TreatAsUnresolved::git();
        if outcome.has_unresolved_conflicts(how) {
            let paths = crate::git::merge::unresolved_paths(&outcome.conflicts, how);
            return refuse(
                Refusal::new(format!(
                    "--cherry-pick {spec} ({} {}) conflicts in: {}",
                    short(repo, *pick),
                    subject(repo, *pick)?,
                    paths.join(", ")
                ))
                .hint("nothing was created; pick the commits it depends on first, or resolve it on a branch and pick that")
            );
        }
        let tree = outcome
            .tree
            .write()
            .with_context(|| format!("cannot write the tree for {spec}"))?
            .detach();
        if tree == ours_tree {
            return refuse(Refusal::new(format!(
                "--cherry-pick {spec} ({}) changes nothing on top of the base: it is already there",
                short(repo, *pick)
            )));
        }
        let message = picked_message(&commit.message_raw_sloppy().to_string(), *pick);
        let author = commit
            .author()
            .context("cannot read the pick's author")?
            .to_owned()
            .context("cannot read the pick's author")?;
        let new = repo
            .new_commit_as(
                committer.to_ref(&mut Default::default()),
                author.to_ref(&mut Default::default()),
                message,
                tree,
                [tip],
            )
            .with_context(|| format!("cannot write the commit for {spec}"))?;
        done.push(Picked {
            original: *pick,
            result: new.id,
            subject: subject(repo, *pick)?,
        });
        tip = new.id;
    }
    Ok((tip, done))
}

/// The message `git cherry-pick -x` writes: the original, then `(cherry picked from commit <id>)`,
/// on its own paragraph unless the message already ends in trailers.
pub fn picked_message(original: &str, id: ObjectId) -> String {
    let body = original.trim_end();
    let last_paragraph = body
        .rsplit("\n\n")
        .next()
        .expect("rsplit yields at least one piece");
    let ends_in_trailers = body.contains("\n\n")
        && last_paragraph.lines().all(|line| {
            line.starts_with("(cherry picked from commit ")
                || line.split_once(": ").is_some_and(|(key, _)| {
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        });
    let separator = if ends_in_trailers { "\n" } else { "\n\n" };
    format!("{body}{separator}(cherry picked from commit {id})\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ObjectId {
        ObjectId::from_hex(b"1234567890123456789012345678901234567890").expect("valid hex")
    }

    #[test]
    fn the_note_gets_its_own_paragraph() {
        assert_eq!(
            picked_message("Fix the thing\n", id()),
            "Fix the thing\n\n(cherry picked from commit 1234567890123456789012345678901234567890)\n"
        );
    }

    #[test]
    fn trailers_are_continued() {
        assert_eq!(
            picked_message("Fix\n\nLonger text.\n\nSigned-off-by: A <a@b>\n", id()),
            "Fix\n\nLonger text.\n\nSigned-off-by: A <a@b>\n(cherry picked from commit 1234567890123456789012345678901234567890)\n"
        );
    }

    #[test]
    fn a_colon_in_the_subject_is_not_a_trailer() {
        assert_eq!(
            picked_message("area: fix", id()),
            "area: fix\n\n(cherry picked from commit 1234567890123456789012345678901234567890)\n"
        );
    }
}
