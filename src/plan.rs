//! Plan, then act. A command builds a `Plan` (every side effect it will have, in order), shows it,
//! and only then carries it out here, one effect at a time. `--dry-run` stops after the showing;
//! this is the only place that knows about it, so no side effect can slip past a dry run.

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
    /// Write a file in the git directory (the record of a resumable run).
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
    /// index, then the branch; only if the worktree is still clean.
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
    let total = plan.effects.len();
    let mut done: Vec<String> = Vec::new();
    for (n, effect) in plan.effects.into_iter().enumerate() {
        let what = effect.describe().to_owned();
        let changes_refs = effect.changes_refs();
        apply(effect).with_context(|| {
            let before = if done.is_empty() {
                "nothing was changed".to_owned()
            } else {
                format!("done before it: {}", done.join("; "))
            };
            format!("step {} of {total} failed ({what}); {before}", n + 1)
        })?;
        if changes_refs {
            done.push(what);
        }
    }
    Ok(Outcome::Done)
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
        Effect::WriteFile { path, contents, .. } => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&path, contents)
                .with_context(|| format!("cannot write {}", path.display()))
        }
        Effect::RemoveFile { path, .. } => match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
        },
        Effect::WriteExecutable { path, contents, .. } => write_executable(&path, &contents),
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

/// Writes beside `path` and renames over it, so git never runs a half-written hook and a
/// symlink at `path` is replaced rather than written through.
fn write_executable(path: &std::path::Path, contents: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".push-duty-new");
    let temp = dir.join(name);
    std::fs::write(&temp, contents).with_context(|| format!("cannot write {}", temp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", temp.display()))?;
    }
    std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))
}
