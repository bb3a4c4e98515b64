//! The security mirror and the pre-push guard, set up one way: a bare `NAME.git` beside the
//! upstream holding the upstream's main, fetched ([`TestRepo::add_mirror`]) or not yet
//! ([`TestRepo::add_unfetched_mirror`]); the real hook installed by the real binary
//! ([`TestRepo::install_hook`]); both at once ([`TestRepo::guarded`]); fix branches a security
//! developer pushes to the mirror ([`TestRepo::security_branch`]); and a guarded clone holding
//! an embargoed fix ([`TestRepo::guarded_with_fix`]).

use std::path::PathBuf;

use super::TestRepo;

impl TestRepo {
    /// `new()` with the mirror `security` added and the hook installed.
    pub fn guarded() -> Self {
        Self::guarded_with(TestRepo::new)
    }

    /// A repository from `new` with the mirror `security` added and the hook installed.
    pub fn guarded_with(new: fn() -> TestRepo) -> Self {
        let repo = new();
        repo.add_mirror("security");
        repo.install_hook();
        repo
    }

    /// A guarded clone with a fork (`fork.git`, returned) and an embargoed fix on the mirror's
    /// `fix-xss`, fetched, and a local branch `fix-xss` holding it (its id, returned); `main` is
    /// checked out.
    pub fn guarded_with_fix() -> (Self, PathBuf, String) {
        let repo = TestRepo::guarded();
        let fork = repo.add_bare_remote("fork");
        repo.git(&["checkout", "-q", "-b", "fix-xss"]);
        let fix = repo.commit("xss.txt", "escaped\n", "Escape user names (embargoed)");
        repo.push(&["-q", "security", "fix-xss"]).silent();
        assert_eq!(repo.rev("refs/remotes/security/fix-xss"), fix);
        repo.git(&["checkout", "-q", "main"]);
        (repo, fork, fix)
    }

    /// Adds a bare `NAME.git` as remote `name` holding the upstream's main (as last fetched),
    /// fetched; returns its path. The security mirror is `add_mirror("security")`.
    #[track_caller]
    pub fn add_mirror(&self, name: &str) -> PathBuf {
        let bare = self.add_unfetched_mirror(name);
        self.git(&["fetch", "-q", name]);
        bare
    }

    /// Like [`TestRepo::add_mirror`], but never fetched here: no `refs/remotes/NAME/*` yet, as
    /// after `git remote add`.
    #[track_caller]
    pub fn add_unfetched_mirror(&self, name: &str) -> PathBuf {
        let bare = self.add_bare_remote(name);
        // By path, so that git does not update the remote-tracking ref as it would for a push to
        // the remote by name.
        self.git(&[
            "push",
            "-q",
            "--no-verify",
            &format!("../{name}.git"),
            "upstream/main:refs/heads/main",
        ]);
        bare
    }

    /// The bare security mirror, `security.git`.
    pub fn mirror(&self) -> PathBuf {
        self.root().join("security.git")
    }

    /// `git push-duty hooks install`, which must succeed.
    #[track_caller]
    pub fn install_hook(&self) {
        self.run(&["hooks", "install"]).ok();
    }

    /// Commits `file` on branch `name` of the security mirror, starting from the mirror's branch
    /// `base`, in a security developer's clone (`security-dev`), and pushes it there. Returns the
    /// new tip. With `name == base` this pushes straight to that mirror branch (as the web merge
    /// button does).
    #[track_caller]
    pub fn security_branch(
        &self,
        name: &str,
        base: &str,
        file: &str,
        content: &str,
        message: &str,
    ) -> String {
        let dev = self.root().join("security-dev");
        if dev.exists() {
            self.git_in(&dev, &["fetch", "-q", "origin"]);
        } else {
            self.git_in(
                &self.root(),
                &["clone", "-q", "security.git", "security-dev"],
            );
        }
        self.git_in(
            &dev,
            &["switch", "-q", "-C", name, &format!("origin/{base}")],
        );
        let id = self.commit_in(&dev, file, content, message);
        self.git_in(&dev, &["push", "-q", "origin", name]);
        id
    }
}
