//! The server guard, set up one way: a bare security mirror `security.git` holding the
//! upstream's main, with the real `pre-receive` hook installed in it by the real binary
//! ([`TestRepo::server_guarded`]); pushes to it with `--no-verify` from the working clone, which
//! has no client hook ([`TestRepo::push_past_client`]); and what the person who pushed reads
//! behind `remote:` ([`Run::remote_said`]).

use std::path::Path;

use super::{Run, TUESDAY, TestRepo};

impl TestRepo {
    /// `new()` with the bare mirror `security` (remote `security` here, fetched) holding the
    /// upstream's main, and the server guard installed in it against `upstream.git`. No client
    /// hook is installed in the working clone.
    #[track_caller]
    pub fn server_guarded() -> Self {
        let repo = TestRepo::new();
        repo.add_mirror("security");
        repo.install_server_hook(&[]).ok();
        repo
    }

    /// `git push-duty hooks install --server --upstream <upstream.git> ARGS` in the mirror.
    pub fn install_server_hook(&self, args: &[&str]) -> Run {
        let upstream = self.upstream.to_str().expect("utf-8").to_owned();
        let mut all = vec!["hooks", "install", "--server", "--upstream", &upstream];
        all.extend_from_slice(args);
        self.run_in(&self.mirror(), TUESDAY, &all)
    }

    /// The binary run in the bare repository `dir`.
    pub fn run_in_bare(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_in(dir, TUESDAY, args)
    }

    /// `git push --no-verify ARGS` from the working clone: no client hook could stop it.
    pub fn push_past_client(&self, args: &[&str]) -> Run {
        let mut all = vec!["--no-verify"];
        all.extend_from_slice(args);
        self.push(&all)
    }
}

impl Run {
    /// What the server said, as the client prints it: the `remote: ` lines, prefix and git's
    /// padding removed.
    pub fn remote_said(&self) -> String {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("remote: "))
            .map(|l| l.trim_end().to_owned() + "\n")
            .collect()
    }

    /// Panics unless the server guard refused the push (`remote rejected`, its refusal line).
    #[track_caller]
    pub fn refused_by_server(self) -> Self {
        assert_ne!(self.status, 0, "expected a refusal\n{}", self.streams());
        self.stderr_has("(pre-receive hook declined)")
            .stderr_has("remote: error: the git-push-duty pre-receive hook");
        self
    }
}
