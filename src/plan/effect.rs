//! The side effects a plan can have, each described well enough to print before it happens, and
//! how each is carried out. Only the runner (`plan::Runner`) calls [`apply`]; nothing else in the
//! tool writes a ref, a file, a lock or to a remote.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::refs::transaction::PreviousValue;

use crate::error::{Refusal, refuse};
use crate::git;

/// One side effect, described well enough to print before it happens.
pub enum Effect {
    /// Write the objects a plan built in memory (picked commits, a tag object, a merge) to the
    /// object database.
    WriteObjects {
        objects: gix::odb::memory::Storage,
        what: String,
    },
    /// `git push <remote> <refspecs>`, never forced.
    Push {
        remote: String,
        refspecs: Vec<String>,
        what: String,
    },
    /// Create a local ref that must not exist yet (a tag). Never moves an existing ref.
    CreateRef {
        name: String,
        target: ObjectId,
        what: String,
    },
    /// Move a local branch that is not checked out from `from` to `to` (a fast-forward), failing
    /// if it moved or was checked out meanwhile.
    UpdateRef {
        name: String,
        from: ObjectId,
        to: ObjectId,
        what: String,
    },
    /// Write a file in the git directory (the record of a resumable run), atomically: it is
    /// either the old file or the whole new one, also after a crash.
    WriteFile {
        path: PathBuf,
        contents: String,
        what: String,
    },
    /// Remove a file this tool wrote in the git directory.
    RemoveFile { path: PathBuf, what: String },
    /// Point remote-tracking refs (`refs/remotes/...`) at what the remotes were seen to have, as
    /// `git fetch` does, whatever they held before.
    SetTrackingRefs {
        refs: Vec<(String, ObjectId)>,
        what: String,
    },
    /// Fast-forward the branch checked out here from `from` to `to`: the files that change, the
    /// index, then the branch; only if, under the index lock and the branch's lock, the branch is
    /// still at `from`, still checked out here, and the worktree still clean.
    FastForwardCheckout {
        branch: String,
        from: ObjectId,
        to: ObjectId,
        what: String,
    },
    /// Replace a file with an executable one (a hook), atomically.
    WriteExecutable {
        path: PathBuf,
        contents: String,
        what: String,
    },
    /// Rename a file (keep a user's hook under another name); fails if `to` exists.
    RenameFile {
        from: PathBuf,
        to: PathBuf,
        what: String,
    },
    /// Take a run's lock (an OS file lock on `path`), held until the run ends however it ends, so
    /// a killed run leaves nothing to clean up; refused, naming the holder, while another process
    /// holds it. `running` says what the holder is doing ("another security merge is running").
    Lock {
        path: PathBuf,
        running: String,
        what: String,
    },
    /// Run one of the team's steps (`sh -c COMMAND` in `dir`, its output shown as it comes),
    /// recording in `record` that it started for the push on `push_date` and how it ended. A
    /// step that fails is recorded, not an error: the command reads the record.
    RunStep {
        dir: PathBuf,
        name: String,
        command: String,
        push_date: String,
        record: PathBuf,
        what: String,
    },
    /// Replace one `[section "subsection"]` of a git config file (none of `values`: remove it),
    /// under git's lock, leaving the rest of the file as it was (the guard's pins).
    SetConfigSection {
        path: PathBuf,
        section: String,
        subsection: String,
        values: Vec<(String, String)>,
        what: String,
    },
}

impl Effect {
    /// What the effect does, in a release engineer's words.
    pub fn describe(&self) -> &str {
        match self {
            Effect::WriteObjects { what, .. }
            | Effect::Push { what, .. }
            | Effect::CreateRef { what, .. }
            | Effect::UpdateRef { what, .. }
            | Effect::WriteFile { what, .. }
            | Effect::RemoveFile { what, .. }
            | Effect::SetTrackingRefs { what, .. }
            | Effect::FastForwardCheckout { what, .. }
            | Effect::WriteExecutable { what, .. }
            | Effect::RenameFile { what, .. }
            | Effect::Lock { what, .. }
            | Effect::RunStep { what, .. }
            | Effect::SetConfigSection { what, .. } => what,
        }
    }

    /// True for a push: the one effect that needs the user's yes.
    pub fn changes_a_remote(&self) -> bool {
        matches!(self, Effect::Push { .. })
    }

    /// Writing objects changes no ref and nothing the user sees, nor does a lock; every other
    /// effect does, and is named among what was done when a later step fails.
    pub fn changes_what_the_user_sees(&self) -> bool {
        !matches!(self, Effect::WriteObjects { .. } | Effect::Lock { .. })
    }
}

/// A lock taken by an [`Effect::Lock`]: held while this value lives, and by the OS until the
/// process ends, however it ends.
#[derive(Debug)]
pub struct Held {
    _file: std::fs::File,
}

/// Carries out `effect` in `repo`; a lock comes back, to be held for the rest of the run.
pub fn apply(repo: &gix::Repository, effect: Effect) -> Result<Option<Held>> {
    match effect {
        Effect::WriteObjects { objects, .. } => {
            use gix::objs::Write;
            for (id, (kind, data)) in objects.iter() {
                let written = repo
                    .write_buf(*kind, data)
                    .with_context(|| format!("cannot write object {id}"))?;
                debug_assert_eq!(written, *id);
            }
        }
        Effect::Push {
            remote, refspecs, ..
        } => {
            let dir = repo.workdir().unwrap_or_else(|| repo.git_dir());
            git::push::push(dir, &remote, &refspecs)?;
        }
        Effect::CreateRef { name, target, .. } => {
            if repo
                .try_find_reference(name.as_str())
                .with_context(|| format!("cannot read {name}"))?
                .is_some()
            {
                return refuse(Refusal::new(format!(
                    "{name} appeared locally meanwhile; it was left as it is"
                )));
            }
            repo.reference(
                name.as_str(),
                target,
                PreviousValue::MustNotExist,
                "push-duty: create",
            )
            .with_context(|| format!("cannot create {name}"))?;
        }
        Effect::UpdateRef { name, from, to, .. } => {
            // Checked out since the plan (while the question waited), its files would stay
            // and read as a staged revert of everything the move brings.
            if git::worktree::checked_out(repo, &name)? != git::worktree::CheckedOut::Nowhere {
                return refuse(
                    Refusal::new(format!(
                        "{name} was checked out meanwhile; it was left as it is"
                    ))
                    .hint(format!(
                        "bring it up to date where it is checked out: git merge --ff-only {}",
                        to.to_hex_with_len(7)
                    )),
                );
            }
            repo.reference(
                name.as_str(),
                to,
                PreviousValue::MustExistAndMatch(from.into()),
                "push-duty: fast-forward",
            )
            .with_context(|| format!("cannot move {name} from {from} to {to}"))?;
        }
        Effect::SetTrackingRefs { refs, .. } => {
            for (name, target) in refs {
                repo.reference(
                    name.as_str(),
                    target,
                    PreviousValue::Any,
                    "push-duty: seen on the remote",
                )
                .with_context(|| format!("cannot set {name}"))?;
            }
        }
        Effect::FastForwardCheckout {
            branch, from, to, ..
        } => git::worktree::fast_forward(repo, &branch, from, to)?,
        file => return apply_file(file),
    }
    Ok(None)
}

/// Carries out an effect on files, which needs no repository; a lock comes back to be held.
pub fn apply_file(effect: Effect) -> Result<Option<Held>> {
    match effect {
        Effect::WriteFile { path, contents, .. } => write_atomically(&path, &contents, None)?,
        Effect::RemoveFile { path, .. } => match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
        },
        Effect::WriteExecutable { path, contents, .. } => {
            write_atomically(&path, &contents, Some(0o755))?
        }
        Effect::RenameFile { from, to, .. } => {
            if to.symlink_metadata().is_ok() {
                return refuse(Refusal::new(format!(
                    "{} appeared meanwhile; {} was left as it is",
                    to.display(),
                    from.display()
                )));
            }
            std::fs::rename(&from, &to)
                .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))?
        }
        Effect::SetConfigSection {
            path,
            section,
            subsection,
            values,
            ..
        } => crate::config::set_section(&path, &section, &subsection, &values)?,
        Effect::Lock { path, running, .. } => return take_lock(&path, &running).map(Some),
        Effect::RunStep {
            dir,
            name,
            command,
            push_date,
            record,
            ..
        } => {
            crate::steps::run_and_record(&dir, &record, &name, &command, &push_date)?;
        }
        other => return Err(anyhow::anyhow!("{} needs a repository", other.describe())),
    }
    Ok(None)
}

/// Takes the OS lock on `path` (created if missing, in a directory created if missing), or
/// refuses naming the process that holds it.
fn take_lock(path: &Path, running: &str) -> Result<Held> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open the lock {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            // Who holds it only words the refusal, which stands either way.
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
    Ok(Held { _file: file })
}

/// Writes beside `path`, flushes to disk, and renames over it (then flushes the directory), so a
/// reader (git running a hook, a rerun reading a record) sees the old file or the whole new one,
/// never a half-written one, even after a crash; a symlink at `path` is replaced rather than
/// written through. `mode` makes it executable (a hook).
pub fn write_atomically(path: &Path, contents: &str, mode: Option<u32>) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let Some(file_name) = path.file_name() else {
        return Err(anyhow::anyhow!("{} names no file", path.display()));
    };
    let mut name = file_name.to_os_string();
    name.push(".push-duty-new");
    let temp = dir.join(name);
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents.as_bytes())?;
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        file.sync_all()
    })();
    if let Err(e) = written {
        // The half-written temporary file is nobody's; the file itself was not touched.
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", temp.display()));
    }
    std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))?;
    // The rename itself is durable once the directory is.
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush {}", dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state/record.json");
        write_atomically(&path, "one\n", None).expect("write");
        write_atomically(&path, "two\n", None).expect("replace");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["record.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_replaced_not_written_through_and_the_mode_is_set() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep\n").expect("write");
        let path = dir.path().join("hook");
        std::os::unix::fs::symlink(&target, &path).expect("symlink");
        write_atomically(&path, "#!/bin/sh\n", Some(0o755)).expect("write");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep\n");
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o755);
    }

    #[test]
    fn a_lock_is_refused_while_held_and_free_once_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("push-duty/run.lock");
        let held = take_lock(&path, "another run is running").expect("lock");
        let err = take_lock(&path, "another run is running").expect_err("held");
        let refusal = err.downcast_ref::<Refusal>().expect("a refusal");
        assert_eq!(
            refusal.to_string(),
            format!(
                "another run is running in this repository (process {}); nothing was changed",
                std::process::id()
            )
        );
        drop(held);
        take_lock(&path, "another run is running").expect("free again");
    }
}
