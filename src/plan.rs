//! Plan, then act. A command builds a `Plan` (every side effect it will have, in order), shows it,
//! and only then carries it out here, one effect at a time. `--dry-run` stops after the showing;
//! this is the only place that knows about it, so no side effect can slip past a dry run.
//!
//! While a plan is carried out, Ctrl-C, TERM and HUP do not kill the process in the middle of a
//! step: the step finishes (or, for the final fast-forward, is given up before its first file),
//! the steps after it are not started, and the error says what was done, so running the same
//! command again finishes the job. A second signal kills at once, as usual.
//!
//! **Fault points, for tests only.** `PUSH_DUTY_TEST_FAULT=exit-after-N` ends the process after
//! step N, abruptly, as a kill would (no destructor runs, nothing is cleaned up; exit status
//! [`FAULT_EXIT`]); `wait-after-N` waits there (up to a minute) for a signal, so a test can
//! interrupt at a known point. The final fast-forward has two more points, `fast-forward-locked`
//! (the index and branch are locked, nothing is written yet) and `fast-forward-writing` (the
//! deleted files are gone, the rest not yet written), as `exit-...` or `wait-...`. The variable
//! is read in [`fault_point`] only. It exists so the tests can prove that every stop between steps
//! is recoverable; nobody needs it otherwise.

use std::path::PathBuf;

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::refs::transaction::PreviousValue;

use crate::console::Console;
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
            | Effect::SetConfigSection { what, .. } => what,
        }
    }

    fn changes_a_remote(&self) -> bool {
        matches!(self, Effect::Push { .. })
    }

    /// Writing objects changes no ref and nothing the user sees; every other effect does.
    fn changes_refs(&self) -> bool {
        !matches!(self, Effect::WriteObjects { .. })
    }
}

/// The ordered side effects of one command.
#[derive(Default)]
pub struct Plan {
    pub effects: Vec<Effect>,
}

impl Plan {
    pub fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// True if carrying out the plan changes a remote (and so needs confirmation).
    pub fn changes_a_remote(&self) -> bool {
        self.effects.iter().any(Effect::changes_a_remote)
    }
}

/// How far to go with a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// Show the plan and stop.
    pub dry_run: bool,
    /// The user already said yes (`--yes`).
    pub yes: bool,
}

/// What happened when a plan was carried out.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `--dry-run`: nothing was done.
    DryRun,
    /// Every effect was carried out.
    Done,
}

/// Shows `plan` on stderr, then stops (dry run), asks (on a terminal), or requires `--yes` (off a
/// terminal) before carrying out a plan that changes a remote, then carries it out in order.
/// A failure names the step and what was already done.
pub fn carry_out(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    plan: Plan,
    mode: Mode,
    question: &str,
) -> Result<Outcome> {
    carry_out_with(console, plan, mode, question, &mut |effect| {
        apply(repo, effect)
    })
}

/// [`carry_out`] for a plan that only touches files (installing a hook), which needs no
/// repository.
pub fn carry_out_files(console: &mut Console<'_>, plan: Plan, mode: Mode) -> Result<Outcome> {
    carry_out_with(console, plan, mode, "Go ahead?", &mut apply_file)
}

fn carry_out_with(
    console: &mut Console<'_>,
    plan: Plan,
    mode: Mode,
    question: &str,
    apply: &mut dyn FnMut(Effect) -> Result<()>,
) -> Result<Outcome> {
    writeln!(console.err, "Plan:")?;
    for (n, effect) in plan.effects.iter().enumerate() {
        writeln!(console.err, "  {}. {}", n + 1, effect.describe())?;
    }
    if mode.dry_run {
        writeln!(console.err, "Dry run: nothing was changed.")?;
        return Ok(Outcome::DryRun);
    }
    if plan.changes_a_remote() && !mode.yes {
        if !console.interactive {
            return refuse(
                Refusal::usage("not on a terminal, and this changes a remote: nothing was done")
                    .hint("pass --yes to go ahead without the question, or --dry-run to see the plan only"),
            );
        }
        if !console.ask(question)? {
            // Declining is a refusal, so `git push-duty tag && announce` does not announce.
            return refuse(Refusal::new("not confirmed: nothing was done"));
        }
    }
    // From here on a signal stops the run between steps, not inside one.
    let _signals = gix::interrupt::init_handler_default(1)
        .map_err(|e| anyhow::anyhow!("cannot handle interrupts: {e}; nothing was changed"))?
        .auto_deregister();
    let total = plan.effects.len();
    let mut done: Vec<String> = Vec::new();
    let before = |done: &[String]| {
        if done.is_empty() {
            "nothing was changed".to_owned()
        } else {
            format!("done before it: {}", done.join("; "))
        }
    };
    for (n, effect) in plan.effects.into_iter().enumerate() {
        let what = effect.describe().to_owned();
        if interrupted() {
            return refuse(
                Refusal::new(format!(
                    "interrupted before step {} of {total} ({what}), which was not started; {}",
                    n + 1,
                    before(&done)
                ))
                .hint("run the same command again: it finishes what was started"),
            );
        }
        let changes_refs = effect.changes_refs();
        apply(effect).with_context(|| {
            format!(
                "step {} of {total} failed ({what}); {}",
                n + 1,
                before(&done)
            )
        })?;
        if changes_refs {
            done.push(what);
        }
        fault_point(&format!("after-{}", n + 1));
    }
    Ok(Outcome::Done)
}

/// True once Ctrl-C, TERM or HUP arrived while a plan is carried out.
pub fn interrupted() -> bool {
    gix::interrupt::is_triggered()
}

/// The environment variable that names a fault point (tests only; see the module's comment).
pub const FAULT_VAR: &str = "PUSH_DUTY_TEST_FAULT";
/// The exit status of a process stopped at an `exit-...` fault point.
pub const FAULT_EXIT: i32 = 99;

/// A fault point named `at` (`after-3`, `fast-forward-locked`), for tests only: ends the process
/// abruptly if `PUSH_DUTY_TEST_FAULT` is `exit-<at>`, waits there for a signal (at most a minute)
/// if it is `wait-<at>`, and does nothing otherwise.
pub fn fault_point(at: &str) {
    let Some(fault) = std::env::var_os(FAULT_VAR) else {
        return;
    };
    let fault = fault.to_string_lossy();
    if fault.strip_prefix("exit-") == Some(at) {
        eprintln!("push-duty: test fault point {at}: stopping here");
        // As a kill would: no destructor runs, no lock or temporary file is cleaned up.
        std::process::exit(FAULT_EXIT);
    }
    if fault.strip_prefix("wait-") == Some(at) {
        eprintln!(
            "push-duty: test fault point {at}: waiting for a signal (process {})",
            std::process::id()
        );
        let start = std::time::Instant::now();
        while !interrupted() && start.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

fn apply(repo: &gix::Repository, effect: Effect) -> Result<()> {
    match effect {
        Effect::WriteObjects { objects, .. } => {
            use gix::objs::Write;
            for (id, (kind, data)) in objects.iter() {
                let written = repo
                    .write_buf(*kind, data)
                    .map_err(|e| anyhow::anyhow!("cannot write object {id}: {e}"))?;
                debug_assert_eq!(written, *id);
            }
            Ok(())
        }
        Effect::Push {
            remote, refspecs, ..
        } => {
            let dir = repo.workdir().unwrap_or_else(|| repo.git_dir());
            git::push::push(dir, &remote, &refspecs).map(|_| ())
        }
        Effect::CreateRef { name, target, .. } => {
            if repo.try_find_reference(name.as_str())?.is_some() {
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
            Ok(())
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
            Ok(())
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
            Ok(())
        }
        Effect::FastForwardCheckout {
            branch, from, to, ..
        } => git::worktree::fast_forward(repo, &branch, from, to),
        file => apply_file(file),
    }
}

/// The effects on files, which need no repository.
fn apply_file(effect: Effect) -> Result<()> {
    match effect {
        Effect::WriteFile { path, contents, .. } => write_atomically(&path, &contents, None),
        Effect::RemoveFile { path, .. } => match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
        },
        Effect::WriteExecutable { path, contents, .. } => {
            write_atomically(&path, &contents, Some(0o755))
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
                .with_context(|| format!("cannot rename {} to {}", from.display(), to.display()))
        }
        Effect::SetConfigSection {
            path,
            section,
            subsection,
            values,
            ..
        } => crate::config::set_section(&path, &section, &subsection, &values),
        other => Err(anyhow::anyhow!("{} needs a repository", other.describe())),
    }
}

/// Writes beside `path`, flushes to disk, and renames over it (then flushes the directory), so a
/// reader (git running a hook, a rerun reading a record) sees the old file or the whole new one,
/// never a half-written one, even after a crash; a symlink at `path` is replaced rather than
/// written through. `mode` makes it executable (a hook).
pub fn write_atomically(path: &std::path::Path, contents: &str, mode: Option<u32>) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
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
    fn a_fault_point_that_is_not_named_does_nothing() {
        // The variable is unset in unit tests; a point is then a no-op.
        fault_point("after-1");
        assert!(!interrupted());
    }
}
