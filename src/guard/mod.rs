//! The pre-push guard: which refs of a push to refuse and why.

mod decide;
pub mod repo_facts;
pub mod url;

pub use decide::*;
