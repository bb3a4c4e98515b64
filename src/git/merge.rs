//! Merging one commit into another in memory with gix, as `git merge --no-edit` would on a clean
//! checkout: a fast-forward where possible, else a merge commit. Nothing touches the worktree,
//! the index or a ref; give the repository object memory to keep even the objects out of the
//! object database until a plan writes them.

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::git::repo::is_ancestor;

/// What merging `theirs` into `ours` came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    /// `theirs` is already in `ours`: nothing to do.
    AlreadyMerged,
    /// `ours` is in `theirs`: the result is `theirs` itself.
    FastForward(ObjectId),
    /// A new merge commit with parents `ours` and `theirs`.
    Commit(ObjectId),
    /// The trees conflict in these paths; nothing was written.
    Conflict(Vec<String>),
    /// The two share no history, which `git merge` refuses to merge; nothing was written.
    Unrelated,
}

impl Merge {
    /// The new tip, if the merge moved it.
    pub fn result(&self) -> Option<ObjectId> {
        match self {
            Merge::FastForward(id) | Merge::Commit(id) => Some(*id),
            Merge::AlreadyMerged | Merge::Conflict(_) | Merge::Unrelated => None,
        }
    }
}

/// Merges `theirs` into `ours`. A merge commit gets `message` and `committer` as both author and
/// committer, like a merge made at the user's own terminal. `labels` name the two sides in
/// conflict markers (never written, as a conflict is reported instead).
pub fn merge(
    repo: &gix::Repository,
    ours: (ObjectId, &str),
    theirs: (ObjectId, &str),
    message: &str,
    committer: &gix::actor::Signature,
) -> Result<Merge> {
    let (ours, ours_label) = ours;
    let (theirs, theirs_label) = theirs;
    if is_ancestor(repo, theirs, ours)? {
        return Ok(Merge::AlreadyMerged);
    }
    if is_ancestor(repo, ours, theirs)? {
        return Ok(Merge::FastForward(theirs));
    }
    let base = repo
        .merge_base(ours, theirs)
        .with_context(|| format!("cannot compare {theirs_label} with {ours_label}"))?;
    if base.is_none() {
        return Ok(Merge::Unrelated);
    }
    let options = repo
        .tree_merge_options()
        .context("cannot read the merge configuration")?;
    let labels = gix::merge::blob::builtin_driver::text::Labels {
        ancestor: None,
        current: Some(ours_label.into()),
        other: Some(theirs_label.into()),
    };
    let mut outcome = repo
        .merge_commits(ours, theirs, labels, options.into())
        .with_context(|| format!("cannot merge {theirs_label} into {ours_label}"))?;
    let how = gix::merge::tree::TreatAsUnresolved::git();
    if outcome.tree_merge.has_unresolved_conflicts(how) {
        return Ok(Merge::Conflict(unresolved_paths(
            &outcome.tree_merge.conflicts,
            how,
        )));
    }
    let tree = outcome
        .tree_merge
        .tree
        .write()
        .with_context(|| format!("cannot write the merged tree of {theirs_label}"))?
        .detach();
    let mut time = Default::default();
    let signature = committer.to_ref(&mut time);
    let commit = repo
        .new_commit_as(signature, signature, message, tree, [ours, theirs])
        .with_context(|| format!("cannot write the merge commit for {theirs_label}"))?;
    Ok(Merge::Commit(commit.id))
}

/// The paths of the conflicts a merge could not resolve, sorted, each once.
pub fn unresolved_paths(
    conflicts: &[gix::merge::tree::Conflict],
    how: gix::merge::tree::TreatAsUnresolved,
) -> Vec<String> {
    let mut paths: Vec<String> = conflicts
        .iter()
        .filter(|c| c.is_unresolved(how))
        .flat_map(|c| {
            [
                c.ours.location().to_string(),
                c.theirs.location().to_string(),
            ]
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}
