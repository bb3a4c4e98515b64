//! The security mirror for the pre-push guard's tests: a bare `security.git` beside the
//! upstream holding the upstream's main, the real hook installed by the real binary, and
//! `git push` that fires it.

use std::path::{Path, PathBuf};

use super::{Run, TestRepo};

impl TestRepo {
    /// `new()` with the mirror added and the hook installed.
    pub fn guarded() -> Self {
        Self::guarded_with(TestRepo::new)
    }

    /// A repository from `new` with the mirror added and the hook installed.
    pub fn guarded_with(new: fn() -> TestRepo) -> Self {
        let repo = new();
        repo.add_mirror("security");
        repo.install_hook();
        repo
    }

    /// Adds a bare `NAME.git` as remote `name` holding the upstream's main, fetched.
    #[track_caller]
    pub fn add_mirror(&self, name: &str) -> PathBuf {
        let bare = self.add_bare_remote(name);
        self.git(&[
            "push",
            "-q",
            "--no-verify",
            name,
            "upstream/main:refs/heads/main",
        ]);
        self.git(&["fetch", "-q", name]);
        bare
    }

    /// The bare security mirror made by `guarded`.
    pub fn mirror(&self) -> PathBuf {
        self.root().join("security.git")
    }

    #[track_caller]
    pub fn install_hook(&self) {
        self.run(&["hooks", "install"]).ok();
    }

    /// `git push ARGS` in the working clone, firing the hook.
    pub fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.try_git_in(&self.work, &all)
    }

    /// What a bare repository holds, as `git ls-remote` prints it.
    #[track_caller]
    pub fn ls_remote(&self, bare: &Path) -> String {
        self.git_in(
            &self.root(),
            &["ls-remote", bare.to_str().expect("utf-8 path")],
        )
    }

    /// The binary in the working clone with `input` on standard input.
    pub fn run_input(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(super::BIN, &self.work)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run git-push-duty");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("wait for git-push-duty"))
    }

    /// `program ARGS` in `dir` with the isolated environment plus `env`.
    pub fn run_env(&self, program: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(program, dir);
        cmd.args(args).env("PUSH_DUTY_TODAY", super::TUESDAY);
        for (k, v) in env {
            cmd.env(k, v);
        }
        // A binary the test has just copied can be "busy" for a moment: another test thread's
        // fork may still hold the copy's write descriptor until that child execs (ETXTBSY).
        for _ in 0..100 {
            match cmd.output() {
                Err(e) if e.raw_os_error() == Some(26) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                output => return Run::from(output.expect("run a command")),
            }
        }
        panic!("{program} stayed busy (ETXTBSY) for two seconds");
    }

    /// Points the upstream remote at a repository that does not exist, and pins that if the
    /// hook is installed (the guard refuses an upstream URL that is not the pinned one before it
    /// ever tries to reach it).
    #[track_caller]
    pub fn lose_upstream(&self) {
        let gone = self.root().join("gone.git");
        self.git(&[
            "remote",
            "set-url",
            "upstream",
            gone.to_str().expect("utf-8"),
        ]);
        let pinned = self.try_git_in(&self.work, &["config", "pushduty.pinned.upstream"]);
        if pinned.status == 0 {
            self.install_hook();
        }
    }

    /// The id of a revision in the working clone.
    #[track_caller]
    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }
}

impl Run {
    /// Panics unless stderr holds `text`, showing it.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "expected stderr to contain {text:?}\n--- stderr\n{}",
            self.stderr
        );
    }

    /// Panics unless stdout holds `text`, showing it.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) {
        assert!(
            self.stdout.contains(text),
            "expected stdout to contain {text:?}\n--- stdout\n{}",
            self.stdout
        );
    }

    /// Panics unless the push went through and printed nothing at all (pushes use `-q`, so
    /// anything on stderr came from the hook).
    #[track_caller]
    pub fn silent(self) -> Self {
        let run = self.ok();
        assert_eq!(run.stderr, "", "the hook must print nothing on a fine push");
        assert_eq!(run.stdout, "");
        run
    }

    /// Panics unless the hook refused the push; returns the run for more assertions.
    #[track_caller]
    pub fn refused(self) -> Self {
        assert_ne!(
            self.status, 0,
            "expected the push to be refused\n--- stderr\n{}",
            self.stderr
        );
        assert!(
            self.stderr
                .contains("the git-push-duty pre-push hook refused"),
            "{}",
            self.stderr
        );
        assert!(
            self.stderr
                .contains("hint: in an emergency, git push --no-verify skips this check"),
            "{}",
            self.stderr
        );
        self
    }

    /// Panics unless stderr holds `text`.
    #[track_caller]
    pub fn says(self, text: &str) -> Self {
        self.stderr_has(text);
        self
    }
}
