//! Installing our hooks the way git-branchless does: a hook is a short shim between marker lines
//! that calls this binary's hidden `hook <name>` command, written into the directory git really
//! takes hooks from (`core.hooksPath`, else the common git directory, which linked worktrees
//! share). A hook that is not ours is never overwritten: it is kept as `<hook>.local` and the shim
//! runs it first. Each file has one part: [`shim`] the hook's text, [`dirs`] where hooks live,
//! [`installed`] what a directory holds, [`plan`] the effects of installing and removing, and
//! [`health`] what `hooks status` and `check` report. `crate::plan` carries the effects out.

pub mod dirs;
pub mod health;
pub mod installed;
pub mod plan;
pub mod shim;

pub use dirs::{HooksPath, default_dir, hooks_path, template_dir};
pub use health::{Health, Pinned, Problem};
pub use installed::{Installed, inspect, is_executable};
pub use plan::{plan_install, plan_uninstall};
pub use shim::{PRE_PUSH, PRE_RECEIVE, Shim, recorded_binary};
