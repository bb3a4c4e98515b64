//! Copies of a whole repository set, for tests that run many cases on the same starting point
//! (the model test): building the clone, the remotes and the hook once and copying the
//! directory is much cheaper than building them for every case.

use std::sync::atomic::{AtomicU32, Ordering};

use super::TestRepo;

impl TestRepo {
    /// A copy of this repository set in a new temporary directory, with its own HOME and the
    /// same commit clock. Remotes, symbolic links and gitfiles inside it must be relative so
    /// that they lead into the copy.
    #[track_caller]
    pub fn duplicate(&self) -> TestRepo {
        let dir = tempfile::Builder::new()
            .prefix("push-duty-test-")
            .tempdir()
            .expect("create a temporary directory");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", self.root().display()))
            .arg(&root)
            .status()
            .expect("run cp");
        assert!(status.success(), "cp -a {} failed", self.root().display());
        TestRepo {
            work: root.join("work"),
            upstream: root.join("upstream.git"),
            home: root.join("home"),
            dir,
            clock: AtomicU32::new(self.clock.load(Ordering::SeqCst)),
        }
    }

    /// Moves the commit clock on, so commits made outside `commit_in` get later dates too.
    pub fn tick(&self) -> u32 {
        self.clock.fetch_add(60, Ordering::SeqCst) + 60
    }
}
