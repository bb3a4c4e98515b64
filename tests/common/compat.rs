//! Names from before the harness had one dialect, kept only so that tests written against them
//! on branches merged alongside this one still build. Do not use them in new tests; convert a
//! use (`assert_contains(&run.stderr, x)` is `run.stderr_has(x)`, text that is not a run's is
//! `text.has(x)` with [`super::Text`], `.says(x)` is `.stderr_has(x)`, `add_security_mirror()` is
//! `add_unfetched_mirror("security")`) and, once none is left, delete this file.

use std::path::PathBuf;

use super::{Run, TestRepo, Text};

/// Old spelling of `haystack.has(needle)`.
#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
    haystack.has(needle);
}

impl Run {
    /// Old spelling of `.stderr_has(text)`.
    #[track_caller]
    pub fn says(self, text: &str) -> Self {
        self.stderr_has(text);
        self
    }
}

impl TestRepo {
    /// Old spelling of `add_unfetched_mirror("security")`.
    #[track_caller]
    pub fn add_security_mirror(&self) -> PathBuf {
        self.add_unfetched_mirror("security")
    }
}
