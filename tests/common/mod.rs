//! The one harness every integration test uses: a temporary directory holding a working clone
//! and bare remotes on disk, real `git` with an isolated environment (no global or system config,
//! a temporary HOME, fixed identities and dates, `init.defaultBranch=main`), and the real
//! `git-push-duty` binary with an injected "today". One module per job:
//!
//! - [`repo`]: setting up [`TestRepo`] (the clone, its upstream, commits, remotes that refuse
//!   pushes) and what "nothing changed" compares ([`TestRepo::snapshot`]);
//! - [`mirror`]: the security mirror and the installed pre-push hook, made one way
//!   ([`TestRepo::add_mirror`], [`TestRepo::install_hook`], [`TestRepo::guarded`]);
//! - [`server`]: the security mirror with the server guard (`hooks install --server`) installed,
//!   pushes to it past the client (`--no-verify`), and what the server said (`remote:` lines);
//! - [`run`]: running git and the binary (plain, on a terminal, with standard input, with more
//!   environment, as `git push` firing the hook);
//! - [`assert`]: [`Run`] and the one assertion dialect on it (`.ok()`, `.expect(1)`,
//!   `.refused()`, then `.stderr_has(..)`, `.stdout_is(..)`, ..., chainable, showing both streams
//!   when one fails), and [`Text`] for text that is not a run's;
//! - [`snap`]: what insta snapshots see (temporary paths and the binary's path redacted);
//! - [`http`]: a smart-HTTP server for remotes reached over HTTP;
//! - [`stage`]: an HTTP server answering version URLs as the test sets them (`deployed`);
// Every test binary compiles this whole module and uses a part of it.
#![allow(dead_code, unused_imports)]

pub mod assert;
pub mod copy;
pub mod http;
pub mod mirror;
pub mod repo;
pub mod run;
pub mod server;
pub mod snap;
pub mod stage;

pub use assert::{Run, Text};
pub use repo::{Snapshot, TestRepo};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_git-push-duty");

/// A date every test runs "today" on unless it says otherwise: Tuesday of a push week.
pub const TUESDAY: &str = "2026-12-01";

/// Writes `body` to `path` (creating its directories) and makes it executable.
#[track_caller]
pub fn write_script(path: &std::path::Path, body: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent directory")).expect("mkdir");
    std::fs::write(path, body).expect("write script");
    chmod(path, 0o755);
}

#[track_caller]
pub fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
