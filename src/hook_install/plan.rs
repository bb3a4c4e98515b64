//! What installing or removing one of our hooks in a hooks directory takes, as a plan of file
//! effects: a hook that is not ours is kept as `<hook>.local` and run first, never overwritten;
//! removing ours puts it back. `crate::plan` carries the plan out (or only shows it).

use std::path::Path;

use anyhow::Result;

use super::installed::{inspect, read_if_exists};
use super::shim::Shim;
use crate::error::{Refusal, refuse};
use crate::plan::{Effect, Plan};

/// What installing `hook` into `dir` takes; an empty plan when the current shim is already there
/// and executable.
pub fn plan_install(hook: Shim, dir: &Path, binary: &Path) -> Result<Plan> {
    if dir.exists() && !dir.is_dir() {
        return refuse(Refusal::new(format!(
            "{} is not a directory, so no hook can be installed there",
            dir.display()
        )));
    }
    let shim = hook.render(binary);
    let found = inspect(hook, dir, binary)?;
    let mut plan = Plan::default();
    // Current but not executable is not installed: git skips it with only a hint.
    if found.current && found.executable {
        return Ok(plan);
    }
    if found.exists && !found.ours {
        let chained = dir.join(hook.chained());
        if found.chained.is_some() {
            return refuse(
                Refusal::new(format!(
                    "{} is not git-push-duty's and {} exists too: neither was changed",
                    found.path.display(),
                    chained.display()
                ))
                .hint(format!(
                    "merge them into {} by hand, remove {}, then run: {}",
                    chained.display(),
                    found.path.display(),
                    hook.install
                )),
            );
        }
        plan.push(Effect::RenameFile {
            from: found.path.clone(),
            to: chained.clone(),
            what: format!(
                "keep the existing {} hook as {} (it runs first, with the same input)",
                hook.hook,
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
        Some(content) if found.ours => hook.with_block(&content, &shim),
        _ => shim,
    };
    plan.push(Effect::WriteExecutable {
        path: found.path.clone(),
        contents,
        what: format!(
            "{verb} the git-push-duty {} hook {} (runs {})",
            hook.hook,
            found.path.display(),
            binary.display()
        ),
    });
    Ok(plan)
}

/// What removing our `hook` from `dir` takes: delete the shim (or only our block, if someone
/// added lines around it) and put a chained hook back. Empty when there is nothing of ours;
/// refused when lines around the block would stay while a chained hook waits to be put back.
pub fn plan_uninstall(hook: Shim, dir: &Path) -> Result<Plan> {
    let path = dir.join(hook.hook);
    let mut plan = Plan::default();
    let Some(content) = read_if_exists(&path)? else {
        return Ok(plan);
    };
    if !hook.is_ours(&content) {
        return Ok(plan);
    }
    let chained = dir.join(hook.chained());
    match hook.without_ours(&content) {
        Some(_) if chained.symlink_metadata().is_ok() => {
            return refuse(
                Refusal::new(format!(
                    "{} has lines around the git-push-duty block and {} is the hook it replaced (nothing would run it without the block): neither was changed",
                    path.display(),
                    chained.display()
                ))
                .hint(format!(
                    "merge them by hand: move what {} does into {}, remove {}, then run: {}",
                    chained.display(),
                    path.display(),
                    chained.display(),
                    hook.uninstall
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
                what: format!(
                    "remove the git-push-duty {} hook {}",
                    hook.hook,
                    path.display()
                ),
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
