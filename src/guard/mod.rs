//! The pre-push guard: which refs of a push to refuse and why, and everything that decision
//! reads. Each file has one part of it:
//!
//! - [`input`]: git's lines on the hook's standard input, read into [`PushLine`]s.
//! - [`decide`]: the rules below, applied to each line; pure.
//! - [`facts`]: the questions the decision asks ([`Facts`]) and the answers' types; pure.
//! - [`explain`]: the refusal as the person who pushed reads it, with what to run instead; pure.
//! - [`url`]: which repository a URL names, as git resolves it; pure (the disk is asked through
//!   a trait).
//! - [`destination`]: where a push goes (the mirror, the upstream, elsewhere), from the push URL
//!   and the remotes' URLs, resolved on disk.
//! - [`mirror_refs`]: where this clone keeps the security mirror's refs, and what they point to.
//! - [`repo_facts`]: the answers to the decision's questions, from this clone and the remotes.
//!
//! The first five take plain values; the last three read the repository and the disk, and are
//! how the git layer feeds the decision.
//!
//! The rules: (1) on the security mirror, the release branch (and any ref that is a symbolic ref
//! to it there) is never deleted and never holds a commit the upstream's release branch does not
//! have, judged against that branch as the upstream lists it now, never a tracking ref; (2)
//! anywhere else, no ref may carry commits that only the security mirror has (an embargoed fix),
//! nor a tree or blob (which may hold a fix's files), except the upstream's own release branch,
//! which is how fixes are published at release time. A push that carries no mirror commit is
//! decided offline; a leak is reported only after the live upstream is looked at again. Anything
//! that cannot be decided is refused.

pub mod decide;
pub mod destination;
pub mod explain;
pub mod facts;
pub mod input;
pub mod mirror_refs;
pub mod repo_facts;
pub mod server;
pub mod url;

#[cfg(test)]
mod testing;

pub use decide::{Blocked, Context, Destination, Reason, decide};
pub use explain::{BYPASS, Names, explain};
pub use facts::{CommitInfo, DestinationRef, Facts, Leak, Leaks, Live, Peeled};
pub use input::{BadLine, PushLine, parse};
