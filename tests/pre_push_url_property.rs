//! A property test of push-URL resolution against git itself: spellings of the mirror and of
//! other repositories on disk are drawn (absolute and relative paths, `file://` URLs with
//! percent-encoding, dot segments, symlinks before `..`, gitfiles, `~`, trailing slashes, with
//! and without `.git`, from the top of the worktree or from a subdirectory with `GIT_DIR`), a
//! unique ref is pushed to each with `git push --no-verify`, and the repository that got it must
//! be the one `url::locate` names (and a spelling git could not push to must name none).
//!
//! `PUSH_DUTY_URL_CASES=5000 cargo test --test pre_push_url_property` runs a long session; the
//! default is small enough for every `cargo test`.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;
use push_duty::guard::destination::Disk;
use push_duty::guard::url::{self, Filesystem, Kind, Location};

use common::TestRepo;

const DEFAULT_CASES: u32 = 128;

/// The disk, with the harness's HOME (the test process's own may differ).
struct WithHome(PathBuf);

impl Filesystem for WithHome {
    fn kind(&self, path: &Path) -> Kind {
        Disk.kind(path)
    }
    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        Disk.read(path)
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        Disk.canonicalize(path)
    }
    fn home(&self, user: Option<&[u8]>) -> Option<PathBuf> {
        match user {
            None => Some(self.0.clone()),
            Some(_) => Disk.home(user),
        }
    }
}

/// The repositories on disk, by the name a spelling starts from, and the git directory that
/// holds their refs.
struct Fixture {
    repo: TestRepo,
    /// (name under the root, git directory that receives the push)
    targets: Vec<(&'static str, PathBuf)>,
    counter: AtomicU32,
}

fn fixture() -> Fixture {
    let repo = TestRepo::new();
    let root = repo.root();
    let bare = |name: &str| {
        repo.git_in(&root, &["init", "-q", "--bare", name]);
        root.join(name)
    };
    let security = bare("security.git");
    let other = bare("other.git");
    repo.git_in(&root, &["init", "-q", "nonbare"]);
    let gitfile = |dir: &str, target: &str| {
        std::fs::create_dir_all(root.join(dir)).expect("mkdir");
        std::fs::write(root.join(dir).join(".git"), format!("gitdir: {target}\n"))
            .expect("gitfile");
    };
    gitfile("alias", &security.display().to_string());
    gitfile("relalias", "../other.git");
    std::fs::create_dir_all(root.join("deep")).expect("mkdir");
    // <root>/deep/lnk/.. is <root>: lnk points at the worktree, one level down.
    std::os::unix::fs::symlink(&repo.work, root.join("deep/lnk")).expect("symlink");
    std::os::unix::fs::symlink(&security, root.join("sec-link.git")).expect("symlink");
    std::fs::create_dir_all(repo.work.join("sub")).expect("mkdir");
    let nonbare = root.join("nonbare/.git");
    Fixture {
        targets: vec![
            ("security.git", security.clone()),
            ("security", security.clone()),
            ("other.git", other.clone()),
            ("other", other.clone()),
            ("nonbare", nonbare.clone()),
            ("nonbare/.git", nonbare),
            ("alias", security.clone()),
            ("relalias", other),
            ("sec-link.git", security.clone()),
            ("sec-link", security),
            ("nowhere.git", root.join("nowhere.git")),
        ],
        repo,
        counter: AtomicU32::new(0),
    }
}

/// How a spelling is drawn.
#[derive(Debug, Clone)]
struct Spelling {
    target: usize,
    /// 0 absolute, 1 relative, 2 `~/..`, 3 through the symlink before `..`, 4 with `./` and `x/..`.
    prefix: u8,
    /// 0 as named, 1 trailing `/`, 2 trailing `//`, 3 trailing `/.`
    suffix: u8,
    file_url: bool,
    /// Which bytes of a `file://` path are percent-encoded.
    encode: Vec<bool>,
    /// From `work/sub` with `GIT_DIR`, instead of the top of the worktree.
    from_sub: bool,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        0..11usize,
        0..5u8,
        0..4u8,
        any::<bool>(),
        proptest::collection::vec(prop::bool::weighted(0.15), 0..80),
        any::<bool>(),
    )
        .prop_map(
            |(target, prefix, suffix, file_url, encode, from_sub)| Spelling {
                target,
                prefix,
                suffix,
                file_url,
                encode,
                from_sub,
            },
        )
}

impl Fixture {
    /// The text of a spelling, and the directory git runs in.
    fn render(&self, s: &Spelling) -> (String, PathBuf) {
        let root = self.repo.root();
        let name = self.targets[s.target].0;
        let cwd = if s.from_sub {
            self.repo.work.join("sub")
        } else {
            self.repo.work.clone()
        };
        let up = if s.from_sub { "../.." } else { ".." };
        let mut path = match s.prefix {
            0 => format!("{}/{name}", root.display()),
            1 => format!("{up}/{name}"),
            2 => format!("~/../{name}"),
            3 => format!("{}/deep/lnk/../{name}", root.display()),
            _ => format!("{}/./work/../{name}", root.display()),
        };
        path.push_str(["", "/", "//", "/."][s.suffix as usize]);
        if !s.file_url || !path.starts_with('/') {
            return (path, cwd);
        }
        let mut url = String::from("file://");
        for (i, b) in path.bytes().enumerate() {
            if s.encode.get(i).copied().unwrap_or(false) {
                url.push_str(&format!("%{b:02X}"));
            } else {
                url.push(b as char);
            }
        }
        (url, cwd)
    }

    /// Pushes a unique ref to `text` from `cwd`; returns the git directory that got it.
    fn pushed_to(&self, text: &str, cwd: &Path) -> Option<PathBuf> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let refname = format!("refs/heads/probe-{n}");
        let git_dir = self.repo.work.join(".git");
        let run = self.repo.run_env(
            "git",
            cwd,
            &[
                "push",
                "-q",
                "--no-verify",
                text,
                &format!("HEAD:{refname}"),
            ],
            &[("GIT_DIR", git_dir.to_str().expect("utf-8"))],
        );
        let got: Vec<&PathBuf> = self
            .targets
            .iter()
            .map(|(_, dir)| dir)
            .filter(|dir| dir.join(&refname).exists())
            .collect();
        match (run.status, got.first()) {
            (0, Some(dir)) => Some(dir.canonicalize().expect("canonical")),
            (0, None) => panic!("git pushed {text:?} somewhere unknown"),
            (_, None) => None,
            (_, Some(dir)) => panic!("git failed but {} got the ref", dir.display()),
        }
    }
}

fn cases() -> u32 {
    std::env::var("PUSH_DUTY_URL_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

#[test]
fn the_repository_git_pushes_to_is_the_one_the_guard_names() {
    let fix = fixture();
    fix.repo.commit("a.txt", "a\n", "A commit to push");
    let fs = WithHome(fix.repo.root().join("home"));
    let mirror = url::locate("../security.git", &fix.repo.work, &fs).expect("the mirror");
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(s in spelling())| {
        let (text, cwd) = fix.render(&s);
        let git = fix.pushed_to(&text, &cwd);
        let tool = url::locate(&text, &cwd, &fs);
        match &git {
            Some(dir) => {
                prop_assert_eq!(tool.as_ref().ok(), Some(&Location::Repository(dir.clone())), "{} from {}", text, cwd.display());
                prop_assert_eq!(tool.as_ref().ok() == Some(&mirror), dir.ends_with("security.git"));
            }
            None => prop_assert!(
                !matches!(tool, Ok(Location::Repository(_))),
                "git could not push to {} but the guard says {:?}", text, tool
            ),
        }
    });
}
