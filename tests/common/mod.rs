//! The test harness every integration test uses: a temporary directory holding a working clone
//! and bare remotes on disk, real `git` with an isolated environment (no global or system config,
//! a temporary HOME, fixed identities and dates, `init.defaultBranch=main`), and the real
//! `git-push-duty` binary with an injected "today".
#![allow(dead_code)]

pub mod copy;
pub mod mirror;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_git-push-duty");

/// A date every test runs "today" on unless it says otherwise: Tuesday of a push week.
pub const TUESDAY: &str = "2026-12-01";

pub struct TestRepo {
    /// Holds everything; removed on drop.
    pub dir: tempfile::TempDir,
    /// The working clone the user types in.
    pub work: PathBuf,
    /// The bare `upstream` remote.
    pub upstream: PathBuf,
    home: PathBuf,
    /// Counts commits so each gets a later, fixed date.
    clock: AtomicU32,
}

/// The output of a finished command, with helpers for asserting on it.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams unless the exit status is `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.status, code,
            "expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        self.expect(0)
    }
}

impl TestRepo {
    /// A clone `work` of a bare `upstream` whose `main` has one commit, with
    /// `refs/remotes/upstream/main` fetched.
    pub fn new() -> Self {
        Self::with_branch("main")
    }

    /// Like `new`, with the upstream's default branch named `branch` and
    /// `refs/remotes/upstream/HEAD` recorded, as `git clone -o upstream` leaves it.
    pub fn with_branch(branch: &str) -> Self {
        Self::init(branch, "sha1")
    }

    /// Like `new`, in SHA-256 repositories (`git init --object-format=sha256`).
    pub fn sha256() -> Self {
        Self::init("main", "sha256")
    }

    fn init(branch: &str, object_format: &str) -> Self {
        let format = format!("--object-format={object_format}");
        let dir = tempfile::Builder::new()
            .prefix("push-duty-test-")
            .tempdir()
            .expect("create a temporary directory");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        let home = root.join("home");
        std::fs::create_dir_all(&home).expect("create HOME");
        let repo = TestRepo {
            work: root.join("work"),
            upstream: root.join("upstream.git"),
            home,
            dir,
            clock: AtomicU32::new(0),
        };
        repo.git_in(
            &root,
            &[
                "init",
                "--bare",
                "-q",
                &format,
                "-b",
                branch,
                "upstream.git",
            ],
        );
        repo.git_in(&root, &["init", "-q", &format, "-b", branch, "work"]);
        repo.commit("README.md", "# site\n", "Initial commit");
        repo.git(&["remote", "add", "upstream", "../upstream.git"]);
        repo.git(&["push", "-q", "upstream", branch]);
        repo.git(&["fetch", "-q", "upstream"]);
        if branch != "main" {
            repo.git(&["remote", "set-head", "upstream", "-a"]);
        }
        repo
    }

    pub fn root(&self) -> PathBuf {
        self.work.parent().expect("work has a parent").to_path_buf()
    }

    /// The isolated environment every process gets.
    fn isolate(&self, cmd: &mut Command, date_offset: u32) {
        let date = format!(
            "2026-11-20T10:{:02}:{:02}Z",
            date_offset / 60,
            date_offset % 60
        );
        cmd.env_clear()
            .env("PATH", path_with_binary())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_COUNT", "2")
            .env("GIT_CONFIG_KEY_0", "init.defaultBranch")
            .env("GIT_CONFIG_VALUE_0", "main")
            .env("GIT_CONFIG_KEY_1", "protocol.file.allow")
            .env("GIT_CONFIG_VALUE_1", "always")
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Hero Pusher")
            .env("GIT_COMMITTER_EMAIL", "hero@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("LANG", "C")
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
    }

    /// Runs git in `dir`; panics with its output if it fails. Returns trimmed stdout.
    #[track_caller]
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.try_git_in(dir, args);
        assert_eq!(
            run.status,
            0,
            "git {args:?} in {} failed:\n{}{}",
            dir.display(),
            run.stdout,
            run.stderr
        );
        run.stdout.trim_end().to_owned()
    }

    pub fn try_git_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        self.isolate(&mut cmd, self.clock.load(Ordering::SeqCst));
        cmd.current_dir(dir).args(args);
        Run::from(cmd.output().expect("run git"))
    }

    /// A command for `program` in `dir` with the isolated environment, for a test that needs to
    /// change it (PATH, GIT_CONFIG_GLOBAL) or feed standard input.
    pub fn command(&self, program: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        self.isolate(&mut cmd, self.clock.load(Ordering::SeqCst));
        cmd.current_dir(dir);
        cmd
    }

    /// Runs git in the working clone.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.work, args)
    }

    /// Writes `file` with `content`, commits it with `message` (each commit one minute later)
    /// and returns the commit id.
    #[track_caller]
    pub fn commit(&self, file: &str, content: &str, message: &str) -> String {
        self.commit_in(&self.work.clone(), file, content, message)
    }

    #[track_caller]
    pub fn commit_in(&self, dir: &Path, file: &str, content: &str, message: &str) -> String {
        self.clock.fetch_add(60, Ordering::SeqCst);
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        std::fs::write(&path, content).expect("write file");
        self.git_in(dir, &["add", "--", file]);
        self.git_in(dir, &["commit", "-q", "-m", message]);
        self.git_in(dir, &["rev-parse", "HEAD"])
    }

    /// Commits on `main` in a second clone and pushes it to the upstream: work someone else
    /// merged, not yet fetched here. Returns the commit id.
    #[track_caller]
    pub fn upstream_commit(&self, file: &str, content: &str, message: &str) -> String {
        let other = self.root().join("colleague");
        if !other.exists() {
            self.git_in(&self.root(), &["clone", "-q", "upstream.git", "colleague"]);
        } else {
            self.git_in(&other, &["pull", "-q", "--ff-only"]);
        }
        let id = self.commit_in(&other, file, content, message);
        self.git_in(&other, &["push", "-q", "origin", "HEAD"]);
        id
    }

    /// Adds a bare repository `NAME.git` beside the clone as remote `name`, and returns its path.
    #[track_caller]
    pub fn add_bare_remote(&self, name: &str) -> PathBuf {
        let bare = format!("{name}.git");
        let format = format!(
            "--object-format={}",
            self.git(&["rev-parse", "--show-object-format"])
        );
        self.git_in(&self.root(), &["init", "--bare", "-q", &format, &bare]);
        self.git(&["remote", "add", name, &format!("../{bare}")]);
        self.root().join(bare)
    }

    /// The binary, run in the working clone with "today" set to `today`.
    pub fn run_on(&self, today: &str, args: &[&str]) -> Run {
        self.run_in(&self.work, today, args)
    }

    /// The binary on the default test day (Tuesday 2026-12-01).
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_on(TUESDAY, args)
    }

    pub fn run_in(&self, dir: &Path, today: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(BIN);
        self.isolate(&mut cmd, self.clock.load(Ordering::SeqCst));
        cmd.env("PUSH_DUTY_TODAY", today)
            .current_dir(dir)
            .args(args);
        Run::from(cmd.output().expect("run git-push-duty"))
    }

    /// `git push-duty ...` through git itself, proving git finds the binary on PATH.
    pub fn run_through_git(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        self.isolate(&mut cmd, self.clock.load(Ordering::SeqCst));
        cmd.env("PUSH_DUTY_TODAY", TUESDAY)
            .current_dir(&self.work)
            .arg("push-duty")
            .args(args);
        Run::from(cmd.output().expect("run git push-duty"))
    }

    /// The binary on a pseudo-terminal (util-linux `script`), with `answer` typed at its prompt.
    pub fn run_on_terminal(&self, args: &[&str], answer: &str) -> Run {
        let mut line = String::from(BIN);
        for arg in args {
            line.push_str(&format!(" '{arg}'"));
        }
        let mut cmd = Command::new("script");
        self.isolate(&mut cmd, self.clock.load(Ordering::SeqCst));
        cmd.env("PUSH_DUTY_TODAY", TUESDAY)
            .env("TERM", "dumb")
            .current_dir(&self.work)
            .args(["-qec", &line, "/dev/null"])
            .stdin(Stdio::piped());
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run script");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(answer.as_bytes()).expect("type the answer");
        }
        Run::from(child.wait_with_output().expect("wait for script"))
    }

    /// `git ARGS...` (e.g. `-c key=value push-duty next-tag`) on `today`, through git itself.
    pub fn run_through_git_on(&self, today: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        self.isolate(&mut cmd, self.clock.load(Ordering::SeqCst));
        cmd.env("PUSH_DUTY_TODAY", today)
            .current_dir(&self.work)
            .args(args);
        Run::from(cmd.output().expect("run git"))
    }

    /// Every ref of a repository with its target: `git for-each-ref` as a map.
    pub fn refs_of(&self, dir: &Path) -> BTreeMap<String, String> {
        self.git_in(dir, &["for-each-ref", "--format=%(refname) %(objectname)"])
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(r, o)| (r.to_owned(), o.to_owned()))
            .collect()
    }

    /// The tags a repository has, by name, with what they point to.
    pub fn tags_of(&self, dir: &Path) -> BTreeMap<String, String> {
        self.refs_of(dir)
            .into_iter()
            .filter_map(|(r, o)| r.strip_prefix("refs/tags/").map(|t| (t.to_owned(), o)))
            .collect()
    }

    /// What "nothing changed" compares: every ref of the clone and of each bare remote beside
    /// it, HEAD, the index, and every file in the worktree with its content.
    pub fn snapshot(&self) -> Snapshot {
        let mut refs = BTreeMap::new();
        for entry in std::fs::read_dir(self.root()).expect("read root") {
            let path = entry.expect("dir entry").path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if name.ends_with(".git") || name == "work" {
                refs.insert(name, self.refs_of(&path));
            }
        }
        let head = self.git(&["rev-parse", "--symbolic-full-name", "HEAD"])
            + " "
            + &self.git(&["rev-parse", "HEAD"]);
        let index = self.git(&["ls-files", "--stage"]);
        let mut files = BTreeMap::new();
        collect_files(&self.work, &self.work, &mut files);
        Snapshot {
            refs,
            head,
            index,
            files,
        }
    }
}

impl Default for TestRepo {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub refs: BTreeMap<String, BTreeMap<String, String>>,
    pub head: String,
    pub index: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn collect_files(top: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            collect_files(top, &path, files);
        } else {
            let rel = path
                .strip_prefix(top)
                .expect("below top")
                .display()
                .to_string();
            files.insert(rel, std::fs::read(&path).expect("read file"));
        }
    }
}

/// PATH with the binary's directory first, so `git push-duty` finds it.
fn path_with_binary() -> String {
    let bin_dir = Path::new(BIN).parent().expect("binary has a directory");
    let system = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    format!("{}:{system}", bin_dir.display())
}

impl TestRepo {
    /// Adds a bare `security.git` beside the clone as remote `security`: the private security
    /// mirror, starting as a copy of the upstream's `main`. Returns its path.
    #[track_caller]
    pub fn add_security_mirror(&self) -> PathBuf {
        let path = self.add_bare_remote("security");
        self.git_in(
            &self.upstream,
            &[
                "push",
                "-q",
                "../security.git",
                "refs/heads/main:refs/heads/main",
            ],
        );
        path
    }

    /// Commits `file` on branch `name` of the security mirror, starting from the mirror's branch
    /// `base`, in a security developer's clone (`security-dev`), and pushes it there. Returns the
    /// new tip. With `name == base` this pushes straight to that mirror branch.
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

    /// What a bare repository's branch points to, if it exists.
    pub fn branch_of(&self, bare: &Path, branch: &str) -> Option<String> {
        self.refs_of(bare).remove(&format!("refs/heads/{branch}"))
    }
}

/// Panics showing the whole text unless it contains `needle`.
#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "{needle:?} not in:\n{haystack}");
}
