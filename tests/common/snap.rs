//! Snapshots of user-facing text with insta. The harness fixes every date, so commit ids are the
//! same on every run and stay in the snapshots (a changed id is a changed commit); what varies is
//! the temporary directory, written `[ROOT]`, and where cargo built the binary, written `[BIN]`.
//! Snapshots live in `tests/snapshots/` as text files. Review a changed one in the `.snap.new`
//! file insta writes beside it, and accept it by renaming it over the `.snap` (or run the tests
//! with `INSTA_UPDATE=always` and read `git diff tests/snapshots`).

use super::{BIN, Run, TestRepo};

/// What ends git's own part of a refused push; everything before it is the hook's.
const GIT_PUSH_FAILED: &str = "error: failed to push some refs to ";

impl TestRepo {
    /// `text` with the binary's path written as `[BIN]`, the temporary directory as `[ROOT]`,
    /// and no spaces at the ends of lines (git pads the `remote:` lines it passes on; an editor
    /// would strip them from the snapshot file).
    pub fn redact(&self, text: &str) -> String {
        let text = text
            .replace(BIN, "[BIN]")
            .replace(&self.root().display().to_string(), "[ROOT]");
        text.split('\n')
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Both streams of a run, redacted, for one snapshot: the exit status, stdout, then stderr.
    pub fn transcript(&self, run: &Run) -> String {
        format!(
            "--- exit {}\n--- stdout\n{}--- stderr\n{}",
            run.status,
            self.redact(&run.stdout),
            self.redact(&run.stderr)
        )
    }

    /// What the hook said on a `git push` it refused, redacted: its stderr up to git's own
    /// closing line, so that a git that words its own lines otherwise changes no snapshot.
    #[track_caller]
    pub fn hook_said(&self, run: &Run) -> String {
        let end = run
            .stderr
            .find(GIT_PUSH_FAILED)
            .unwrap_or_else(|| panic!("not a refused push\n{}", run.streams()));
        self.redact(&run.stderr[..end])
    }

    /// True if `word` names an object in the working clone.
    pub fn object_exists(&self, word: &str) -> bool {
        self.try_git_in(
            &self.work,
            &["rev-parse", "-q", "--verify", &format!("{word}^{{object}}")],
        )
        .status
            == 0
    }
}

/// Every word of `text` that looks like an object id: 7 to 64 hex digits, with a digit and a
/// letter among them (so `2026` and `deadbeef`-like words are judged by what they are).
pub fn hex_ids(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            (7..=64).contains(&w.len())
                && w.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
                && w.chars().any(|c| c.is_ascii_digit())
                && w.chars().any(|c| c.is_ascii_alphabetic())
        })
        .map(str::to_owned)
        .collect()
}
