//! The questions the decision asks ([`Facts`]) and the answers it gets: what a pushed object
//! peels to, the upstream's release branch as listed now, the destination's refs, the commits only
//! the security mirror has. Pure: [`super::repo_facts`] answers them from a clone; a test answers
//! them from tables, and a server-side guard would answer them from the mirror itself.

use gix::ObjectId;

/// What an object is once tags are peeled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peeled {
    Commit(ObjectId),
    /// A tree or blob (possibly behind tags): carries no commits, but can carry a fix's content.
    NotACommit(String),
    /// Not in the local object database.
    Missing,
}

/// The upstream's release branch as the upstream lists it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    /// Its tip, whose objects are here now.
    Tip(ObjectId),
    /// There is no remote named like `pushduty.upstream`.
    NoRemote,
    /// The upstream has no such branch.
    NoBranch,
}

/// A ref as the destination lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationRef {
    /// Full name, `refs/heads/release`.
    pub name: String,
    /// For a symbolic ref, the ref it finally resolves to there (`refs/heads/main`).
    pub symref_target: Option<String>,
}

/// A commit as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub short: String,
    pub subject: String,
}

/// An embargoed commit and the security mirror ref it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    pub commit: CommitInfo,
    /// Short, as `security/fix-xss`.
    pub security_ref: String,
}

/// What the leak question found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaks {
    None,
    Found(Vec<Leak>),
    /// The pushed commits include the mirror's, and no upstream ref is known to say which of
    /// them are public.
    NoUpstreamRefs,
}

/// The questions the decision asks about the repository and the remotes. Every answer that
/// needs the network is asked at most once per push, and only when a local answer cannot decide.
pub trait Facts {
    /// Peels `id` through tags.
    fn peel(&mut self, id: ObjectId) -> anyhow::Result<Peeled>;
    /// The upstream's release branch as listed now over the upstream's fetch URL, its objects
    /// fetched; `Err` says why it could not be listed, naming the URL.
    fn live_upstream(&mut self) -> Result<Live, String>;
    /// Is `commit` `tip` or one of its ancestors?
    fn is_ancestor(&mut self, commit: ObjectId, tip: ObjectId) -> anyhow::Result<bool>;
    /// Would moving a ref from `old` (what the destination has, which may not be here) to `new`
    /// be a fast-forward: is `old` here, and `new` or one of its ancestors?
    fn fast_forward(&mut self, old: ObjectId, new: ObjectId) -> anyhow::Result<bool>;
    /// The commits of `commit` that `tip` does not have, newest first.
    fn not_in(&mut self, commit: ObjectId, tip: ObjectId) -> anyhow::Result<Vec<CommitInfo>>;
    /// The destination's refs among `names` (exact full names), as it lists them now, with
    /// what the symbolic ones resolve to there; `Err` says why they could not be learned.
    fn destination_refs(&mut self, names: &[String]) -> Result<Vec<DestinationRef>, String>;
    /// Commits reachable from `new` and from a security mirror ref, but from nothing known to be
    /// public (the upstream's refs) and not from `old` (what the destination already has, when
    /// known locally).
    fn leaks(&mut self, new: ObjectId, old: ObjectId) -> anyhow::Result<Leaks>;
    /// Looks at the live upstream: lists its branches and tags over its fetch URL, fetches their
    /// objects, and counts them as public from then on; `Err` says why it could not.
    fn refresh_public(&mut self) -> Result<(), String>;
}
