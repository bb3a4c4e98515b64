//! Tagging the repos: the calendar tags the upstream and this clone have, and the upstream
//! branch's tip, as seen now ([`upstream_tags`]); what a tag ships ([`ships`]). `next-tag`,
//! `tag` and `compare` decide from these.

pub mod ships;
pub mod upstream_tags;
