//! The git layer: everything that reads or writes a repository. gix does the work it can
//! (refs, objects, fetch, merges, diffs); only `git push` goes through the `git` command, so the
//! user's credentials and hooks apply. Commands wire this layer to the pure domain modules.

pub mod config_parameters;
pub mod diff;
pub mod merge;
pub mod pick;
pub mod push;
pub mod remote;
pub mod repo;
pub mod side_repo;
pub mod worktree;

pub use repo::*;
