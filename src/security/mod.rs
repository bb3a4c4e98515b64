//! Security fixes: what `security-merge` knows of the two remotes it keeps in step (the upstream
//! and the private security mirror) and what it keeps between its steps (the run record and the
//! lock). The commands in `commands/security_merge/` decide; this module reads and records.

pub mod record;
pub mod remotes;
