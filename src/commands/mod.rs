//! One file per subcommand: its `Args` (whose doc comment is its `--help`) and its `run`.

pub mod check;
pub mod compare;
pub mod completions;
pub mod diff;
pub mod hooks;
pub mod next_tag;
pub mod notes;
pub mod run_hook;
pub mod security_merge;
pub mod tag;
pub mod topic;
pub mod train_tag;
pub mod who;
