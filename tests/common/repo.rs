//! Setting up a test: [`TestRepo`] (a temporary directory with a bare `upstream.git` and a clone
//! `work` of it), commits with fixed dates, other people's commits on the upstream, bare remotes
//! beside the clone (and ones that refuse every push), reading what a repository holds, and the
//! [`Snapshot`] a test compares to show that nothing changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TestRepo {
    /// Holds everything; removed on drop.
    pub dir: tempfile::TempDir,
    /// The working clone the user types in.
    pub work: PathBuf,
    /// The bare `upstream` remote.
    pub upstream: PathBuf,
    pub(super) home: PathBuf,
    /// Counts commits so each gets a later, fixed date.
    pub(super) clock: AtomicU32,
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

    /// The temporary directory: `work`, `upstream.git` and every other repository are in it.
    pub fn root(&self) -> PathBuf {
        self.work.parent().expect("work has a parent").to_path_buf()
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

    /// A commit only this clone has, on top of its branch: one the upstream's main lacks.
    #[track_caller]
    pub fn bad_commit(&self) -> String {
        self.commit("secret.txt", "secret\n", "Not on the upstream")
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

    /// Points the upstream remote at a repository that does not exist.
    #[track_caller]
    pub fn lose_upstream(&self) {
        let gone = self.root().join("gone.git");
        self.git(&[
            "remote",
            "set-url",
            "upstream",
            gone.to_str().expect("utf-8"),
        ]);
        // The guard refuses an upstream URL that is not the pinned one before it ever tries to
        // reach it: re-pin when the hook is installed, so the loss itself is what is tested.
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

    /// What a bare repository's branch points to, if it exists.
    pub fn branch_of(&self, bare: &Path, branch: &str) -> Option<String> {
        self.refs_of(bare).remove(&format!("refs/heads/{branch}"))
    }

    /// What a bare repository holds, as `git ls-remote` prints it.
    #[track_caller]
    pub fn ls_remote(&self, bare: &Path) -> String {
        self.git_in(
            &self.root(),
            &["ls-remote", bare.to_str().expect("utf-8 path")],
        )
    }

    /// Makes a bare repository refuse every push, as a remote with a newer branch or a
    /// protection rule would (a `pre-receive` hook that exits 1).
    #[track_caller]
    pub fn reject_pushes(&self, bare: &Path) {
        super::write_script(
            &bare.join("hooks/pre-receive"),
            "#!/bin/sh\necho 'test: push refused' >&2\nexit 1\n",
        );
    }

    /// Undoes [`TestRepo::reject_pushes`].
    #[track_caller]
    pub fn accept_pushes(&self, bare: &Path) {
        std::fs::remove_file(bare.join("hooks/pre-receive")).expect("remove hook");
    }

    /// Where `security-merge` records an unfinished run.
    pub fn security_merge_record(&self) -> PathBuf {
        self.work.join(".git/push-duty/security-merge.json")
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
