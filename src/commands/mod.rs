//! One file per subcommand: its `Args` (whose doc comment is its `--help`) and its `run`.

pub mod check;
pub mod ci_workflow;
pub mod compare;
pub mod completions;
pub mod deployed;
pub mod diff;
pub mod hooks;
pub mod hooks_server;
pub mod next_tag;
pub mod pre_receive;
pub mod run_hook;
pub mod sandbox;
pub mod security_merge;
pub mod status;
pub mod step;
pub mod tag;
