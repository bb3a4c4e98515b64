//! The one assertion dialect. A [`Run`] is first checked for how it ended, which hands it back:
//! `.ok()`, `.expect(1)`, `.fails()`, and for pushes the hook's verdicts `.refused()`,
//! `.refused_unchecked()`, `.refused_without_settings()` and `.silent()`. Then for what it
//! said, by reference so they chain: `.stdout_has(..)`, `.stderr_has(..)`, `.stdout_lacks(..)`,
//! `.stderr_lacks(..)`, `.stdout_is(..)`, `.stderr_is(..)`, `.stdout_starts_with(..)`,
//! `.stderr_starts_with(..)`. Every failure shows the exit status and both streams. Text that is
//! not a run's (a file, a slice of a stream, git's own output) has `.has(..)` and `.lacks(..)`
//! through [`Text`].
//!
//! ```ignore
//! repo.push(&["security", "main"]).refused().stderr_has("Not on the upstream");
//! let run = repo.run(&["check"]).expect(1);
//! run.stdout_has("WRONG security mirror").stderr_has("hint: git push-duty security-merge --sync");
//! ```

use std::process::Output;

/// The output of a finished command.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The last hint of every refusal by the hook.
const BYPASS: &str = "hint: in an emergency, git push --no-verify skips this check";

impl Run {
    pub fn from(output: Output) -> Self {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The exit status and both streams, for a failure message.
    pub fn streams(&self) -> String {
        format!(
            "--- exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }

    /// Panics with both streams unless the exit status is `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.status,
            code,
            "expected exit {code}\n{}",
            self.streams()
        );
        self
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        self.expect(0)
    }

    /// Panics unless the exit status is not 0.
    #[track_caller]
    pub fn fails(self) -> Self {
        assert_ne!(self.status, 0, "expected a failure\n{}", self.streams());
        self
    }

    /// Panics unless the push went through and printed nothing at all (pushes use `-q`, so
    /// anything on stderr came from the hook).
    #[track_caller]
    pub fn silent(self) -> Self {
        let run = self.ok();
        assert_eq!(
            run.stderr,
            "",
            "the hook must print nothing on a fine push\n{}",
            run.streams()
        );
        assert_eq!(run.stdout, "", "{}", run.streams());
        run
    }

    /// Panics unless the hook refused the push (its decision, with the bypass hint).
    #[track_caller]
    pub fn refused(self) -> Self {
        assert_ne!(
            self.status,
            0,
            "expected the push to be refused\n{}",
            self.streams()
        );
        self.stderr_has("the git-push-duty pre-push hook refused")
            .stderr_has(BYPASS);
        self
    }

    /// Panics unless the hook refused the push because it could not read its settings (it
    /// cannot decide), with the bypass hint.
    #[track_caller]
    pub fn refused_without_settings(self) -> Self {
        let run = self.expect(1);
        run.stderr_has(
            "the git-push-duty pre-push hook cannot read its settings; nothing was pushed",
        )
        .stderr_has(BYPASS);
        run
    }

    /// Panics unless the hook refused the push because it could not check it (something it
    /// had to read could not be read), with the bypass hint.
    #[track_caller]
    pub fn refused_unchecked(self) -> Self {
        let run = self.expect(1);
        run.stderr_has(
            "the git-push-duty pre-push hook could not check this push; nothing was pushed to",
        )
        .stderr_has(BYPASS);
        run
    }

    /// Panics unless stdout holds `text`.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        self.holds(self.stdout.contains(text), "stdout to contain", text)
    }

    /// Panics unless stderr holds `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        self.holds(self.stderr.contains(text), "stderr to contain", text)
    }

    /// Panics if stdout holds `text`.
    #[track_caller]
    pub fn stdout_lacks(&self, text: &str) -> &Self {
        self.holds(!self.stdout.contains(text), "stdout not to contain", text)
    }

    /// Panics if stderr holds `text`.
    #[track_caller]
    pub fn stderr_lacks(&self, text: &str) -> &Self {
        self.holds(!self.stderr.contains(text), "stderr not to contain", text)
    }

    /// Panics unless stdout starts with `text`.
    #[track_caller]
    pub fn stdout_starts_with(&self, text: &str) -> &Self {
        self.holds(self.stdout.starts_with(text), "stdout to start with", text)
    }

    /// Panics unless stderr starts with `text`.
    #[track_caller]
    pub fn stderr_starts_with(&self, text: &str) -> &Self {
        self.holds(self.stderr.starts_with(text), "stderr to start with", text)
    }

    /// Panics unless stdout is exactly `text`.
    #[track_caller]
    pub fn stdout_is(&self, text: &str) -> &Self {
        assert_eq!(self.stdout, text, "stdout\n{}", self.streams());
        self
    }

    /// Panics unless stderr is exactly `text`.
    #[track_caller]
    pub fn stderr_is(&self, text: &str) -> &Self {
        assert_eq!(self.stderr, text, "stderr\n{}", self.streams());
        self
    }

    /// Panics with both streams unless `ok`, saying what was expected of `text`.
    #[track_caller]
    fn holds(&self, ok: bool, expected: &str, text: &str) -> &Self {
        assert!(ok, "expected {expected} {text:?}\n{}", self.streams());
        self
    }
}

/// The same dialect for text that is not a run's.
pub trait Text {
    /// Panics, showing the whole text, unless it holds `needle`.
    fn has(&self, needle: &str) -> &Self;
    /// Panics, showing the whole text, if it holds `needle`.
    fn lacks(&self, needle: &str) -> &Self;
}

impl Text for str {
    #[track_caller]
    fn has(&self, needle: &str) -> &Self {
        assert!(self.contains(needle), "{needle:?} not in:\n{self}");
        self
    }

    #[track_caller]
    fn lacks(&self, needle: &str) -> &Self {
        assert!(!self.contains(needle), "{needle:?} is in:\n{self}");
        self
    }
}
