//! Fast-forwarding the branch that is checked out, as `git merge --ff-only` would: only from a
//! clean worktree, never over an untracked file, writing only the files that change, then the
//! index, then the branch. Anything short of that leaves the branch and says why.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::refs::transaction::PreviousValue;

use crate::error::{Refusal, refuse};

/// Where a local branch is checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckedOut {
    /// Nowhere: only the ref needs to move.
    Nowhere,
    /// In this repository's worktree.
    Here,
    /// In another worktree of the same repository, at this path.
    Elsewhere(String),
    /// Not at HEAD, but a rebase or bisect in a worktree started on it and moves it when it
    /// ends, so git counts it as checked out: says which and where.
    Busy(String),
}

/// Where `branch` (a full ref name) is checked out among this repository's worktrees.
pub fn checked_out(repo: &gix::Repository, branch: &str) -> Result<CheckedOut> {
    if head_is(repo, branch)? {
        return Ok(if repo.workdir().is_some() {
            CheckedOut::Here
        } else {
            CheckedOut::Nowhere
        });
    }
    let place = |repo: &gix::Repository| {
        repo.workdir()
            .unwrap_or_else(|| repo.git_dir())
            .display()
            .to_string()
    };
    if let Some(what) = busy_with(repo, branch) {
        return Ok(CheckedOut::Busy(format!(
            "it is being {what} in {}",
            place(repo)
        )));
    }
    for other in repo
        .worktrees_including_main()
        .context("cannot list the worktrees")?
    {
        let Ok(other) = other else { continue };
        if other.git_dir() == repo.git_dir() || other.workdir().is_none() {
            continue;
        }
        if head_is(&other, branch)? {
            return Ok(CheckedOut::Elsewhere(place(&other)));
        }
        if let Some(what) = busy_with(&other, branch) {
            return Ok(CheckedOut::Busy(format!(
                "it is being {what} in {}",
                place(&other)
            )));
        }
    }
    Ok(CheckedOut::Nowhere)
}

/// What a worktree with a detached HEAD is doing to `branch`, as git sees it: a rebase started
/// on it writes the rebased commits to it when it ends, a bisect returns to it.
fn busy_with(repo: &gix::Repository, branch: &str) -> Option<&'static str> {
    let read = |file: &str| std::fs::read_to_string(repo.git_dir().join(file)).ok();
    for file in ["rebase-merge/head-name", "rebase-apply/head-name"] {
        if read(file).is_some_and(|name| name.trim() == branch) {
            return Some("rebased");
        }
    }
    // BISECT_START holds the short name of the branch the bisect started from.
    let short = branch.strip_prefix("refs/heads/")?;
    read("BISECT_START")
        .is_some_and(|name| name.trim() == short)
        .then_some("bisected")
}

fn head_is(repo: &gix::Repository, branch: &str) -> Result<bool> {
    Ok(repo
        .head_name()
        .context("cannot read HEAD")?
        .is_some_and(|name| name.as_bstr() == branch))
}

/// Why the worktree cannot be brought from commit `from` to commit `to` in place, if it cannot:
/// uncommitted changes, a sparse checkout, a file marked assume-unchanged, or an untracked file
/// where a new file would go.
pub fn blocker(repo: &gix::Repository, from: ObjectId, to: ObjectId) -> Result<Option<String>> {
    let Some(workdir) = repo.workdir() else {
        return Ok(None);
    };
    // These flags live in the real index only (an index built from a commit never has them):
    // git neither looks at such a file nor may a fast-forward write it, so a status says
    // nothing about the changes it may hold.
    use gix::index::entry::Flags;
    let index = repo.index_or_empty().context("cannot read the index")?;
    for entry in index.entries() {
        if entry.flags.contains(Flags::SKIP_WORKTREE) {
            return Ok(Some("the worktree is a sparse checkout".into()));
        }
        if entry.flags.contains(Flags::ASSUME_VALID) {
            return Ok(Some(format!(
                "{} is marked assume-unchanged, so its changes cannot be seen",
                entry.path(&index)
            )));
        }
    }
    let lock = index_lock_path(repo);
    if lock.exists() {
        return Ok(Some(format!(
            "another git process is using the index ({} exists)",
            lock.display()
        )));
    }
    if repo
        .is_dirty()
        .context("cannot read the worktree's status")?
    {
        return Ok(Some("the worktree has uncommitted changes".into()));
    }
    let old = index_of(repo, from)?;
    let new = index_of(repo, to)?;
    for entry in new.entries() {
        let path = entry.path(&new);
        if old.entry_by_path(path).is_some() {
            continue;
        }
        if let Some(why) = in_the_way(workdir, &old, path)? {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

/// What untracked stands where the new file `path` goes: a file where one of its directories
/// goes, or anything at the path itself. A tracked file there (a file that becomes a directory),
/// or a directory of tracked files only (a directory that becomes a file), is no obstacle: the
/// worktree is clean, and the fast-forward removes them first.
fn in_the_way(
    workdir: &Path,
    old: &gix::index::File,
    path: &gix::bstr::BStr,
) -> Result<Option<String>> {
    use gix::bstr::{BString, ByteSlice};
    let parts: Vec<&[u8]> = path.split_str("/").collect();
    let mut prefix = BString::default();
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            prefix.push(b'/');
        }
        prefix.extend_from_slice(part);
        let last = n + 1 == parts.len();
        let on_disk = workdir.join(relative(prefix.as_ref())?);
        match std::fs::symlink_metadata(&on_disk) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Ok(meta) if meta.is_dir() => {
                if last && !only_tracked(&on_disk, prefix.as_ref(), old)? {
                    return Ok(Some(format!(
                        "the untracked files in {prefix}/ would be removed"
                    )));
                }
            }
            // A file or a symlink: where a directory goes only if tracked, never at the path.
            Ok(_) if !last && old.entry_by_path(prefix.as_ref()).is_some() => return Ok(None),
            _ => {
                return Ok(Some(format!(
                    "the untracked file {prefix} would be overwritten"
                )));
            }
        }
    }
    Ok(None)
}

/// True if every file below `dir` (the worktree's `prefix`) is in the index `old`.
fn only_tracked(dir: &Path, prefix: &gix::bstr::BStr, old: &gix::index::File) -> Result<bool> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let Ok(name) = gix::path::os_str_into_bstr(&entry.file_name()).map(|n| n.to_owned()) else {
            return Ok(false);
        };
        let mut path = prefix.to_owned();
        path.push(b'/');
        path.extend_from_slice(&name);
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let tracked = if is_dir {
            only_tracked(&entry.path(), path.as_ref(), old)?
        } else {
            old.entry_by_path(path.as_ref()).is_some()
        };
        if !tracked {
            return Ok(false);
        }
    }
    Ok(true)
}

fn index_of(repo: &gix::Repository, commit: ObjectId) -> Result<gix::index::File> {
    let tree = repo
        .find_commit(commit)
        .with_context(|| format!("cannot read commit {commit}"))?
        .tree_id()
        .with_context(|| format!("cannot read the tree of {commit}"))?;
    repo.index_from_tree(&tree)
        .with_context(|| format!("cannot list the files of {commit}"))
}

/// Moves the checked-out `branch` (a full ref name) from `from` to `to`, updating the files that
/// differ and the index. Checks again that nothing is in the way, as time passed since the plan.
pub fn fast_forward(
    repo: &gix::Repository,
    branch: &str,
    from: ObjectId,
    to: ObjectId,
) -> Result<()> {
    if !head_is(repo, branch)? {
        return refuse(Refusal::new(format!(
            "{branch} is no longer checked out here; it was left as it is"
        )));
    }
    let later = format!(
        "once that is resolved, bring it up to date with: git merge --ff-only {}",
        to.to_hex_with_len(7)
    );
    if let Some(why) = blocker(repo, from, to)? {
        return refuse(Refusal::new(format!("{branch} was left as it is: {why}")).hint(later));
    }
    let Some(workdir) = repo.workdir() else {
        return refuse(Refusal::new("there is no worktree to update"));
    };
    // The index lock before the first file changes: a git process that took the index since the
    // check above (an editor refreshing its status) stops the fast-forward before it starts,
    // not with the files written and the index and branch left behind.
    let lock = gix::lock::File::acquire_to_update_resource(
        repo.index_path(),
        gix::lock::acquire::Fail::Immediately,
        None,
        0,
    )
    .map_err(|e| {
        anyhow::Error::new(
            Refusal::new(format!(
                "{branch} was left as it is: another git process is using the index ({}: {e})",
                index_lock_path(repo).display()
            ))
            .hint(later),
        )
    })?;
    let old = repo.open_index().context("cannot read the index")?;
    let mut new = index_of(repo, to)?;

    // Deleted files go first: a file may make way for a directory of the same name.
    for entry in old.entries() {
        let path = entry.path(&old);
        if new.entry_by_path(path).is_none() {
            remove_file_and_empty_parents(workdir, &relative(path)?)?;
        }
    }
    // Files that stay as they are keep their stat and are not written again.
    let skip = gix::index::entry::Flags::SKIP_WORKTREE;
    for (entry, path) in new.entries_mut_with_paths() {
        if let Some(before) = old.entry_by_path(path)
            && before.id == entry.id
            && before.mode == entry.mode
        {
            entry.stat = before.stat;
            entry.flags.insert(skip);
        }
    }
    let mut options = repo
        .checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)
        .context("cannot read the checkout configuration")?;
    options.overwrite_existing = true;
    let objects = repo
        .objects
        .clone()
        .into_arc()
        .context("cannot share the object database")?;
    let interrupt = AtomicBool::new(false);
    let outcome = gix::worktree::state::checkout(
        &mut new,
        workdir,
        objects,
        &gix::progress::Discard,
        &gix::progress::Discard,
        &interrupt,
        options,
    )
    .context("cannot write the worktree")?;
    for entry in new.entries_mut() {
        entry.flags.remove(skip);
    }
    if let Some(problem) = outcome.errors.first() {
        return Err(anyhow::anyhow!(
            "cannot write {}: {}",
            problem.path,
            problem.error
        ));
    }
    if let Some(collision) = outcome.collisions.first() {
        return Err(anyhow::anyhow!(
            "cannot write {}: another file has the same name on this file system",
            collision.path
        ));
    }
    let mut out = std::io::BufWriter::new(lock);
    new.write_to(&mut out, Default::default())
        .context("cannot write the index")?;
    out.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write the index: {}", e.error()))?
        .commit()
        .map_err(|e| anyhow::anyhow!("cannot write the index: {}", e.error))?;
    repo.reference(
        branch,
        to,
        PreviousValue::MustExistAndMatch(from.into()),
        "push-duty: fast-forward",
    )
    .with_context(|| format!("cannot move {branch} from {from} to {to}"))?;
    Ok(())
}

/// Where git marks the index as in use by a process.
fn index_lock_path(repo: &gix::Repository) -> std::path::PathBuf {
    let mut path = repo.index_path().into_os_string();
    path.push(".lock");
    path.into()
}

fn relative(path: &gix::bstr::BStr) -> Result<std::borrow::Cow<'_, Path>> {
    gix::path::from_bstr(path).map_err(|e| anyhow::anyhow!("cannot use the path {path}: {e}"))
}

fn remove_file_and_empty_parents(top: &Path, relative: &Path) -> Result<()> {
    let path = top.join(relative);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        // Stops at the first directory that still holds something, and never removes the top.
        if d == top || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
