//! Installing the pre-push hook the way git-branchless does: the hook is a short shim between
//! marker lines that calls `git-push-duty hook pre-push`, written into the directory git really
//! takes hooks from (`core.hooksPath`, else the common git directory, which linked worktrees
//! share). A hook that is not ours is never overwritten: it is kept as `pre-push.local` and the
//! shim runs it first. This module finds the directory, reads what is there, and plans the
//! changes; `plan` carries them out.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{self, Pins, pins};
use crate::error::{Refusal, refuse};
use crate::plan::{Effect, Plan};

/// The shim as committed in `hooks/pre-push`; it finds the binary on PATH until installed.
pub const TEMPLATE: &str = include_str!("../hooks/pre-push");
/// The hook's file name.
pub const HOOK: &str = "pre-push";
/// Where a hook that was there before is kept; the shim runs it first.
pub const CHAINED: &str = "pre-push.local";

const START: &str = "# >>> git-push-duty pre-push hook";
const END: &str = "# <<< git-push-duty pre-push hook <<<";
/// The template's line naming the binary; install records the absolute path in it.
const BINARY_LINE: &str = "push_duty='git-push-duty'";
const BINARY_PREFIX: &str = "push_duty=";

/// The shim recording `binary` (it falls back to PATH if that path is gone).
pub fn render(binary: &Path) -> String {
    let quoted = shell_quote(&binary.to_string_lossy());
    TEMPLATE.replacen(BINARY_LINE, &format!("{BINARY_PREFIX}{quoted}"), 1)
}

/// True if `content` holds our marker line.
pub fn is_ours(content: &str) -> bool {
    content.lines().any(|l| l.starts_with(START))
}

/// The binary path an installed shim records.
pub fn recorded_binary(content: &str) -> Option<String> {
    let line = content.lines().find(|l| l.starts_with(BINARY_PREFIX))?;
    shell_unquote(line.strip_prefix(BINARY_PREFIX)?)
}

/// Our marked block in `content`, marker lines included (to the end if the end marker is gone).
fn block(content: &str) -> Option<String> {
    let mut found = String::new();
    let mut inside = false;
    for line in content.split_inclusive('\n') {
        if line.starts_with(START) {
            inside = true;
        }
        if inside {
            found.push_str(line);
            if line.starts_with(END) {
                break;
            }
        }
    }
    inside.then_some(found)
}

/// `content` with our block replaced by the one in `shim`, keeping every line around it.
fn with_block(content: &str, shim: &str) -> String {
    let new = block(shim).unwrap_or_default();
    let mut out = String::new();
    let (mut inside, mut replaced) = (false, false);
    for line in content.split_inclusive('\n') {
        if inside {
            inside = !line.starts_with(END);
        } else if !replaced && line.starts_with(START) {
            out.push_str(&new);
            (inside, replaced) = (true, true);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `content` without our marked block; `None` when nothing but a `#!` line would be left.
pub fn without_ours(content: &str) -> Option<String> {
    let mut kept = Vec::new();
    let mut inside = false;
    for line in content.lines() {
        if line.starts_with(START) {
            inside = true;
        } else if line.starts_with(END) {
            inside = false;
        } else if !inside {
            kept.push(line);
        }
    }
    let meaningful = kept
        .iter()
        .any(|l| !l.trim().is_empty() && !l.starts_with("#!"));
    meaningful.then(|| kept.join("\n") + "\n")
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn shell_unquote(text: &str) -> Option<String> {
    // Only what shell_quote writes: '...' pieces joined by \'.
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix("\\'") {
            out.push('\'');
            rest = tail;
        } else {
            let inner = rest.strip_prefix('\'')?;
            let end = inner.find('\'')?;
            out.push_str(&inner[..end]);
            rest = &inner[end + 1..];
        }
    }
    Some(out)
}

/// `core.hooksPath` as git would use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HooksPath {
    /// Resolved against the top of the worktree (or the git dir of a bare repository).
    pub dir: PathBuf,
    /// The value as set.
    pub value: String,
    /// Where it is set.
    pub origin: String,
}

/// `core.hooksPath`, if set in trusted configuration.
pub fn hooks_path(repo: &gix::Repository) -> Result<Option<HooksPath>> {
    let snapshot = repo.config_snapshot();
    let Some(value) = snapshot
        .trusted_path("core.hooksPath")
        .map_err(|e| anyhow::anyhow!("core.hooksPath cannot be read: {e}"))?
    else {
        return Ok(None);
    };
    let mut origin = String::from("git configuration");
    if let Some(sections) = snapshot.plumbing().sections_by_name("core") {
        for section in sections {
            if section.header().subsection_name().is_none() && section.value("hooksPath").is_some()
            {
                origin = config::describe_origin(section.meta()).to_string();
            }
        }
    }
    let base = repo.workdir().unwrap_or_else(|| repo.git_dir());
    Ok(Some(HooksPath {
        dir: base.join(&value),
        value: value.display().to_string(),
        origin,
    }))
}

/// Where hooks live when `core.hooksPath` is not set: the common git directory's `hooks`,
/// shared by every linked worktree.
pub fn default_dir(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("hooks")
}

/// The `hooks` directory of `init.templateDir` (global or system configuration), which `git init`
/// and `git clone` copy into new repositories.
pub fn template_dir() -> Result<PathBuf> {
    let globals = gix::config::File::from_globals()
        .map_err(|e| anyhow::anyhow!("cannot read the global git configuration: {e}"))?;
    let Some(path) = globals.path("init.templateDir") else {
        return refuse(
            Refusal::new("init.templateDir is not set, so there is no template for new clones")
                .hint("set one, then install into it: git config --global init.templateDir ~/.git-template && git push-duty hooks install --template"),
        );
    };
    let home = gix::path::env::home_dir();
    let dir = path
        .interpolate(gix::config::path::interpolate::Context {
            home_dir: home.as_deref(),
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("init.templateDir cannot be read: {e}"))?;
    Ok(dir.join("hooks"))
}

/// What a hooks directory holds for the pre-push hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub path: PathBuf,
    pub exists: bool,
    pub ours: bool,
    pub executable: bool,
    /// Ours and exactly what `hooks install` would write now.
    pub current: bool,
    /// The binary an installed shim records.
    pub recorded: Option<String>,
    /// `pre-push.local`, if there is one.
    pub chained: Option<PathBuf>,
}

/// Reads `dir/pre-push`; `binary` is the path a current shim records.
pub fn inspect(dir: &Path, binary: &Path) -> Result<Installed> {
    let path = dir.join(HOOK);
    let content = read_if_exists(&path)?;
    let chained = dir.join(CHAINED);
    let ours = content.as_deref().is_some_and(is_ours);
    Ok(Installed {
        // A symlink whose target is missing is still someone's hook, to keep, not overwrite.
        exists: path.symlink_metadata().is_ok(),
        ours,
        executable: content.is_some() && is_executable(&path),
        // Lines someone added around the block are theirs; only the block must be ours now.
        current: ours && content.as_deref().and_then(block) == block(&render(binary)),
        recorded: content
            .as_deref()
            .filter(|_| ours)
            .and_then(recorded_binary),
        chained: chained.symlink_metadata().is_ok().then_some(chained),
        path,
    })
}

fn read_if_exists(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        // Not a directory: core.hooksPath = /dev/null, the usual way to turn hooks off.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// True if the file may be run (always on systems without execute bits).
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// What installing into `dir` takes; an empty plan when the current shim is already there and
/// executable.
pub fn plan_install(dir: &Path, binary: &Path) -> Result<Plan> {
    if dir.exists() && !dir.is_dir() {
        return refuse(Refusal::new(format!(
            "{} is not a directory, so no hook can be installed there",
            dir.display()
        )));
    }
    let shim = render(binary);
    let found = inspect(dir, binary)?;
    let mut plan = Plan::default();
    // Current but not executable is not installed: git skips it with only a hint.
    if found.current && found.executable {
        return Ok(plan);
    }
    if found.exists && !found.ours {
        let chained = dir.join(CHAINED);
        if found.chained.is_some() {
            return refuse(
                Refusal::new(format!(
                    "{} is not git-push-duty's and {} exists too: neither was changed",
                    found.path.display(),
                    chained.display()
                ))
                .hint(format!(
                    "merge them into {} by hand, remove {}, then run: git push-duty hooks install",
                    chained.display(),
                    found.path.display()
                )),
            );
        }
        plan.push(Effect::RenameFile {
            from: found.path.clone(),
            to: chained.clone(),
            what: format!(
                "keep the existing pre-push hook as {} (it runs first, with the same input)",
                chained.display()
            ),
        });
    }
    let verb = match (found.ours, found.current) {
        (true, true) => "make executable",
        (true, false) => "update",
        (false, _) => "write",
    };
    let contents = match read_if_exists(&found.path)? {
        Some(content) if found.ours => with_block(&content, &shim),
        _ => shim,
    };
    plan.push(Effect::WriteExecutable {
        path: found.path.clone(),
        contents,
        what: format!(
            "{verb} the git-push-duty pre-push hook {} (runs {})",
            found.path.display(),
            binary.display()
        ),
    });
    Ok(plan)
}

/// What removing our hook from `dir` takes: delete the shim (or only our block, if someone added
/// lines around it) and put a chained hook back. Empty when there is nothing of ours; refused
/// when lines around the block would stay while a chained hook waits to be put back.
pub fn plan_uninstall(dir: &Path) -> Result<Plan> {
    let path = dir.join(HOOK);
    let mut plan = Plan::default();
    let Some(content) = read_if_exists(&path)? else {
        return Ok(plan);
    };
    if !is_ours(&content) {
        return Ok(plan);
    }
    let chained = dir.join(CHAINED);
    match without_ours(&content) {
        Some(_) if chained.symlink_metadata().is_ok() => {
            return refuse(
                Refusal::new(format!(
                    "{} has lines around the git-push-duty block and {} is the hook it replaced (nothing would run it without the block): neither was changed",
                    path.display(),
                    chained.display()
                ))
                .hint(format!(
                    "merge them by hand: move what {} does into {}, remove {}, then run: git push-duty hooks uninstall",
                    chained.display(),
                    path.display(),
                    chained.display()
                )),
            );
        }
        Some(rest) => plan.push(Effect::WriteExecutable {
            path: path.clone(),
            contents: rest,
            what: format!(
                "remove the git-push-duty block from {}, keeping the lines around it",
                path.display()
            ),
        }),
        None => {
            plan.push(Effect::RemoveFile {
                path: path.clone(),
                what: format!("remove the git-push-duty pre-push hook {}", path.display()),
            });
            if chained.symlink_metadata().is_ok() {
                plan.push(Effect::RenameFile {
                    from: chained.clone(),
                    to: path.clone(),
                    what: format!(
                        "put the previous hook {} back as {}",
                        chained.display(),
                        path.display()
                    ),
                });
            }
        }
    }
    Ok(plan)
}

/// Where the hook is and whether git runs it: the health `hooks status` and `check` report.
#[derive(Debug, Clone)]
pub struct Health {
    /// The hook in the directory git takes hooks from.
    pub hook: Installed,
    pub hooks_path: Option<HooksPath>,
    /// Our hook in the common git directory while `core.hooksPath` sends git elsewhere.
    pub shadowed: Option<PathBuf>,
    /// This binary: what a current shim records.
    pub binary: PathBuf,
}

/// One thing wrong with the hook, and the command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub problem: String,
    pub fix: String,
}

impl Health {
    pub fn of(repo: &gix::Repository, binary: &Path) -> Result<Self> {
        let hooks_path = hooks_path(repo)?;
        let default = default_dir(repo);
        let dir = hooks_path
            .as_ref()
            .map_or(default.clone(), |h| h.dir.clone());
        let hook = inspect(&dir, binary)?;
        let shadowed = if hooks_path.is_some() && !hook.ours {
            let there = inspect(&default, binary)?;
            there.ours.then_some(there.path)
        } else {
            None
        };
        Ok(Health {
            hook,
            hooks_path,
            shadowed,
            binary: binary.to_path_buf(),
        })
    }

    /// True if git runs our hook on every push.
    pub fn used(&self) -> bool {
        self.hook.ours && self.hook.executable
    }

    pub fn problems(&self) -> Vec<Problem> {
        let hook = &self.hook;
        let path = hook.path.display();
        let mut problems = Vec::new();
        if !hook.ours {
            let problem = match (&self.shadowed, &self.hooks_path) {
                (_, Some(hp)) if hp.dir.exists() && !hp.dir.is_dir() => Problem {
                    problem: format!(
                        "core.hooksPath = {} (set in {}) is not a directory, so git runs no hooks at all",
                        hp.value, hp.origin
                    ),
                    fix: format!(
                        "git config --unset core.hooksPath (it is set in {}), then: git push-duty hooks install",
                        hp.origin
                    ),
                },
                (Some(shadowed), Some(hp)) => Problem {
                    problem: format!(
                        "the hook in {} is shadowed: core.hooksPath = {} (set in {}) makes git run hooks from {} instead",
                        shadowed.display(),
                        hp.value,
                        hp.origin,
                        hp.dir.display()
                    ),
                    fix: "git push-duty hooks install --force (or: git config --unset core.hooksPath)"
                        .into(),
                },
                _ if hook.exists => Problem {
                    problem: format!("{path} is another hook, not git-push-duty's"),
                    fix: "git push-duty hooks install (keeps it as pre-push.local, run first)"
                        .into(),
                },
                (_, Some(hp)) => Problem {
                    problem: format!(
                        "no pre-push hook in {path} (core.hooksPath = {}, set in {})",
                        hp.value, hp.origin
                    ),
                    fix: "git push-duty hooks install --force".into(),
                },
                _ => Problem {
                    problem: format!("no pre-push hook in {path}"),
                    fix: "git push-duty hooks install".into(),
                },
            };
            problems.push(problem);
            return problems;
        }
        if !hook.executable {
            problems.push(Problem {
                problem: format!("{path} is not executable, so git skips it"),
                fix: format!("chmod +x {path}"),
            });
        }
        if !hook.current {
            let recorded = hook.recorded.as_deref().unwrap_or("the PATH");
            problems.push(Problem {
                problem: format!(
                    "{path} is not current: it runs {recorded}, and this is {} (or another version wrote it)",
                    self.binary.display()
                ),
                fix: "git push-duty hooks install".into(),
            });
        }
        problems
    }
}

/// What the guard's pins say, and every way they no longer match the settings or the remotes:
/// what `hooks status` and `check` report.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub pins: Option<Pins>,
    pub problems: Vec<Problem>,
}

impl Pinned {
    /// The pins of `repo`; `hook_is_ours` says whether a missing pin is a problem (our hook
    /// refuses every push without them) or only what an uninstalled guard looks like.
    pub fn of(repo: &gix::Repository, hook_is_ours: bool) -> Self {
        let repin = "git push-duty hooks install".to_owned();
        let fix_of = |e: &anyhow::Error| {
            e.chain()
                .find_map(|c| c.downcast_ref::<Refusal>())
                .and_then(|r| r.hints().first().cloned())
                .unwrap_or_else(|| repin.clone())
        };
        match Pins::read(repo) {
            Err(e) => Pinned {
                pins: None,
                problems: vec![Problem {
                    problem: format!("{e:#}"),
                    fix: fix_of(&e),
                }],
            },
            Ok(None) => Pinned {
                pins: None,
                problems: if hook_is_ours {
                    vec![Problem {
                        problem: format!(
                            "nothing is pinned for the pre-push guard in {} (the hook was installed by an earlier version, or copied from a template), so the hook refuses every push",
                            pins::config_file(repo).display()
                        ),
                        fix: repin,
                    }]
                } else {
                    Vec::new()
                },
            },
            Ok(Some(found)) => {
                let problems = match pins::disagreements(repo, &found) {
                    Ok(list) => list
                        .into_iter()
                        .map(|d| Problem {
                            problem: d.problem,
                            fix: d.fix,
                        })
                        .collect(),
                    Err(e) => vec![Problem {
                        problem: format!("the pins cannot be compared with the settings: {e:#}"),
                        fix: fix_of(&e),
                    }],
                };
                Pinned {
                    pins: Some(found),
                    problems,
                }
            }
        }
    }

    /// One line: what is guarded, or that nothing is pinned.
    pub fn summary(&self) -> String {
        match &self.pins {
            Some(pins) => pins.describe(),
            None => "nothing pinned".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_one_binary_line_and_both_markers() {
        assert_eq!(TEMPLATE.matches(BINARY_LINE).count(), 1);
        assert!(is_ours(TEMPLATE));
        assert!(TEMPLATE.starts_with("#!/bin/sh\n"));
        assert!(TEMPLATE.contains(END));
        assert_eq!(recorded_binary(TEMPLATE).as_deref(), Some("git-push-duty"));
    }

    #[test]
    fn render_records_the_binary_and_reads_it_back() {
        for path in [
            "/usr/local/bin/git-push-duty",
            "/home/o'neil/bin/git push-duty",
        ] {
            let shim = render(Path::new(path));
            assert_eq!(recorded_binary(&shim).as_deref(), Some(path));
            assert!(is_ours(&shim));
            assert!(!shim.contains(BINARY_LINE));
        }
    }

    #[test]
    fn without_ours_keeps_only_foreign_lines() {
        let shim = render(Path::new("/bin/x"));
        assert_eq!(without_ours(&shim), None);
        let mixed = format!("{shim}echo mine\n");
        assert_eq!(
            without_ours(&mixed).as_deref(),
            Some("#!/bin/sh\necho mine\n")
        );
        assert!(!is_ours("#!/bin/sh\nexec husky\n"));
    }

    #[test]
    fn with_block_replaces_only_our_block() {
        let old = render(Path::new("/old/x"));
        let new = render(Path::new("/new/x"));
        assert_eq!(with_block(&old, &new), new);
        let edited = old.replacen("#!/bin/sh\n", "#!/bin/sh\necho before\n", 1) + "echo after\n";
        let updated = with_block(&edited, &new);
        assert_eq!(
            updated,
            new.replacen("#!/bin/sh\n", "#!/bin/sh\necho before\n", 1) + "echo after\n"
        );
        assert_eq!(block(&updated), block(&new));
        assert_eq!(block("#!/bin/sh\necho mine\n"), None);
    }

    #[test]
    fn unquoting_refuses_what_quoting_never_writes() {
        assert_eq!(shell_unquote("'a'\\''b'").as_deref(), Some("a'b"));
        assert_eq!(shell_unquote("'open"), None);
        assert_eq!(shell_unquote("bare"), None);
        assert_eq!(shell_unquote("").as_deref(), Some(""));
    }
}
