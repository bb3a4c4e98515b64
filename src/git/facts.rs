//! Moved to [`crate::guard`]: the old path, kept while other branches still use it.

pub use crate::guard::destination::{Disk, destination, fetch_url, same_repository};
pub use crate::guard::mirror_refs::{commit_tips, mirror_ref_places, mirror_tips};
pub use crate::guard::repo_facts::RepoFacts;
