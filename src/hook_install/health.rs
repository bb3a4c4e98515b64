//! Whether git runs our hook and what it guards: the health `hooks status` and `check` report,
//! each problem with the command that fixes it.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::dirs::{HooksPath, default_dir, hooks_path};
use super::installed::{Installed, inspect};
use super::shim::{PRE_PUSH, Shim};
use crate::config::{Pins, pins};
use crate::error::Refusal;

/// Where one of our hooks is and whether git runs it: the health `hooks status` and `check`
/// report.
#[derive(Debug, Clone)]
pub struct Health {
    /// Which hook.
    pub shim: Shim,
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
    /// The pre-push hook's health.
    pub fn of(repo: &gix::Repository, binary: &Path) -> Result<Self> {
        Self::of_hook(PRE_PUSH, repo, binary)
    }

    /// The health of `shim`'s hook in `repo`.
    pub fn of_hook(shim: Shim, repo: &gix::Repository, binary: &Path) -> Result<Self> {
        let hooks_path = hooks_path(repo)?;
        let default = default_dir(repo);
        let dir = hooks_path
            .as_ref()
            .map_or(default.clone(), |h| h.dir.clone());
        let hook = inspect(shim, &dir, binary)?;
        let shadowed = if hooks_path.is_some() && !hook.ours {
            let there = inspect(shim, &default, binary)?;
            there.ours.then_some(there.path)
        } else {
            None
        };
        Ok(Health {
            shim,
            hook,
            hooks_path,
            shadowed,
            binary: binary.to_path_buf(),
        })
    }

    /// True if git runs our hook whenever it runs that hook.
    pub fn used(&self) -> bool {
        self.hook.ours && self.hook.executable
    }

    pub fn problems(&self) -> Vec<Problem> {
        let (name, install) = (self.shim.hook, self.shim.install);
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
                        "git config --unset core.hooksPath (it is set in {}), then: {install}",
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
                    fix: format!("{install} --force (or: git config --unset core.hooksPath)"),
                },
                _ if hook.exists => Problem {
                    problem: format!("{path} is another hook, not git-push-duty's"),
                    fix: format!("{install} (keeps it as {}, run first)", self.shim.chained()),
                },
                (_, Some(hp)) => Problem {
                    problem: format!(
                        "no {name} hook in {path} (core.hooksPath = {}, set in {})",
                        hp.value, hp.origin
                    ),
                    fix: format!("{install} --force"),
                },
                _ => Problem {
                    problem: format!("no {name} hook in {path}"),
                    fix: install.to_owned(),
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
                fix: install.to_owned(),
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
