//! Fast-forwarding the branch that is checked out, as `git merge --ff-only` would: only from a
//! clean worktree, never over an untracked file, writing only the files that change, then the
//! index, then the branch. Anything short of that leaves the branch and says why.
//!
//! Time passes between the plan and this step (the question, the pushes), so the step takes the
//! index lock and the branch's lock first and checks everything again under them: a commit made
//! meanwhile, a branch switched, a file edited. Nothing is written unless the branch is still
//! where the plan saw it. Once the first file is written, the step runs to its end, also when
//! interrupted, so the worktree, index and branch agree again before the process stops.

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
    if let Some(what) = busy_with(repo, branch)? {
        return Ok(CheckedOut::Busy(format!(
            "it is being {what} in {}",
            place(repo)
        )));
    }
    for other in repo
        .worktrees_including_main()
        .context("cannot list the worktrees")?
    {
        // A worktree that cannot be read may have the branch checked out: that is not "nowhere".
        let other = other.context("cannot read one of the worktrees of this repository")?;
        if other.git_dir() == repo.git_dir() || other.workdir().is_none() {
            continue;
        }
        if head_is(&other, branch)? {
            return Ok(CheckedOut::Elsewhere(place(&other)));
        }
        if let Some(what) = busy_with(&other, branch)? {
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
fn busy_with(repo: &gix::Repository, branch: &str) -> Result<Option<&'static str>> {
    // Missing is "not busy"; unreadable is an error, not "not busy".
    let read = |file: &str| -> Result<Option<String>> {
        let path = repo.git_dir().join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    };
    for file in ["rebase-merge/head-name", "rebase-apply/head-name"] {
        if read(file)?.is_some_and(|name| name.trim() == branch) {
            return Ok(Some("rebased"));
        }
    }
    // BISECT_START holds the short name of the branch the bisect started from.
    let Some(short) = branch.strip_prefix("refs/heads/") else {
        return Ok(None);
    };
    Ok(read("BISECT_START")?
        .is_some_and(|name| name.trim() == short)
        .then_some("bisected"))
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
    let lock = index_lock_path(repo);
    if lock.exists() {
        return Ok(Some(format!(
            "another git process is using the index ({} exists)",
            lock.display()
        )));
    }
    blocker_in_worktree(repo, from, to)
}

/// [`blocker`] but for the index lock, which the fast-forward holds when it asks.
fn blocker_in_worktree(
    repo: &gix::Repository,
    from: ObjectId,
    to: ObjectId,
) -> Result<Option<String>> {
    let Some(workdir) = repo.workdir() else {
        return Ok(None);
    };
    // These flags live in the real index only (an index built from a commit never has them):
    // git neither looks at such a file nor may a fast-forward write it, so a status says
    // nothing about the changes it may hold. Read afresh: it may have changed since the plan.
    use gix::index::entry::Flags;
    let index = match repo.index_path().exists() {
        true => repo.open_index().context("cannot read the index")?,
        false => gix::index::File::from_state(
            gix::index::State::new(repo.object_hash()),
            repo.index_path(),
        ),
    };
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
/// differ and the index. Takes the index lock and the branch's lock first, then checks again,
/// under them, that the branch is still at `from` and checked out here and that nothing is in the
/// way; otherwise writes nothing and says how to update later. Interrupted before the first file
/// is written, it stops there; after, it finishes.
pub fn fast_forward(
    repo: &gix::Repository,
    branch: &str,
    from: ObjectId,
    to: ObjectId,
) -> Result<()> {
    let later = format!(
        "once that is resolved, bring it up to date with: git merge --ff-only {}",
        to.to_hex_with_len(7)
    );
    let Some(workdir) = repo.workdir() else {
        return refuse(Refusal::new("there is no worktree to update"));
    };
    // The index lock before anything is looked at: git takes it to commit, to switch branches
    // and to stage, so none of that can happen between the checks below and the writes.
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
            .hint(later.clone()),
        )
    })?;
    if !head_is(repo, branch)? {
        return refuse(Refusal::new(format!(
            "{branch} is no longer checked out here; it was left as it is"
        )));
    }
    let now = git_branch_tip(repo, branch)?;
    if now != Some(from) {
        return moved(repo, branch, from, to, now);
    }
    // The branch's own lock, expecting `from`: `git update-ref` or `git reset --soft` (which
    // take no index lock) cannot move it under the files either.
    let edit = gix::refs::transaction::RefEdit::update(
        branch
            .try_into()
            .with_context(|| format!("{branch} is not a branch name"))?,
        to,
        PreviousValue::MustExistAndMatch(from.into()),
        "push-duty: fast-forward",
    );
    let move_branch = repo
        .refs
        .transaction()
        .prepare(
            [edit],
            gix::lock::acquire::Fail::Immediately,
            gix::lock::acquire::Fail::Immediately,
        )
        .map_err(|e| {
            anyhow::Error::new(
                Refusal::new(format!(
                    "{branch} was left as it is: it cannot be locked at {} ({e})",
                    from.to_hex_with_len(7)
                ))
                .hint(later.clone()),
            )
        })?;
    if let Some(why) = blocker_in_worktree(repo, from, to)? {
        return refuse(Refusal::new(format!("{branch} was left as it is: {why}")).hint(later));
    }
    crate::plan::fault_point("fast-forward-locked");
    if crate::plan::interrupted() {
        // Dropping the locks releases them; not a file was written.
        return refuse(
            Refusal::new(format!(
                "interrupted before any file was written: {branch}, the index and the worktree were left as they were, at {}",
                from.to_hex_with_len(7)
            ))
            .hint(later),
        );
    }

    // From the first file on, the step runs to its end: a half-updated worktree under an index
    // and branch that say otherwise is the one state nobody can read.
    let old = repo.open_index().context("cannot read the index")?;
    let mut new = index_of(repo, to)?;

    // Deleted files go first: a file may make way for a directory of the same name.
    for entry in old.entries() {
        let path = entry.path(&old);
        if new.entry_by_path(path).is_none() {
            remove_file_and_empty_parents(workdir, &relative(path)?)?;
        }
    }
    crate::plan::fault_point("fast-forward-writing");
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
    // Not the process's interrupt flag: the checkout is not stopped half-way.
    let never = AtomicBool::new(false);
    let outcome = gix::worktree::state::checkout(
        &mut new,
        workdir,
        objects,
        &gix::progress::Discard,
        &gix::progress::Discard,
        &never,
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
    let committer = repo
        .committer()
        .transpose()
        .context("cannot read the committer identity for the reflog")?;
    move_branch
        .commit(committer)
        .with_context(|| format!("cannot move {branch} from {from} to {to}"))?;
    Ok(())
}

/// What the branch points to now (`None` if it is gone or not a direct ref).
fn git_branch_tip(repo: &gix::Repository, branch: &str) -> Result<Option<ObjectId>> {
    let reference = repo
        .try_find_reference(branch)
        .with_context(|| format!("cannot read {branch}"))?;
    Ok(reference.and_then(|r| r.target().try_id().map(ToOwned::to_owned)))
}

/// The branch moved since the plan (a commit made here while the question waited, or during the
/// pushes): nothing is touched. If it already has `to` (a `git pull` meanwhile), there is nothing
/// left to do.
fn moved(
    repo: &gix::Repository,
    branch: &str,
    from: ObjectId,
    to: ObjectId,
    now: Option<ObjectId>,
) -> Result<()> {
    let Some(now) = now else {
        return refuse(Refusal::new(format!(
            "{branch} is gone or no longer points to a commit; nothing was touched"
        )));
    };
    if crate::git::is_ancestor(repo, to, now)? {
        return Ok(());
    }
    refuse(
        Refusal::new(format!(
            "{branch} moved meanwhile: it is at {} ({}), not at {} as planned; it, the index and the worktree were left as they are",
            crate::git::short(repo, now),
            crate::git::subject(repo, now)?,
            from.to_hex_with_len(7)
        ))
        .hint(format!(
            "bring it up to date when you are ready: git rebase {} (or git merge {})",
            to.to_hex_with_len(7),
            to.to_hex_with_len(7)
        )),
    )
}

/// Where git marks the index as in use by a process.
fn index_lock_path(repo: &gix::Repository) -> std::path::PathBuf {
    let mut path = repo.index_path().into_os_string();
    path.push(".lock");
    path.into()
}

fn relative(path: &gix::bstr::BStr) -> Result<std::borrow::Cow<'_, Path>> {
    gix::path::from_bstr(path).with_context(|| format!("cannot use the path {path}"))
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
