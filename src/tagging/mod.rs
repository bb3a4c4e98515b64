//! Tagging the repos: the calendar tags the upstream and this clone have, and the upstream
//! branch's tip, as seen now ([`upstream_tags`]); what a tag ships ([`ships`]); what a `tag` run
//! records around its push ([`record`]). `next-tag`, `tag` and `compare` decide from these.

pub mod record;
pub mod ships;
pub mod upstream_tags;
