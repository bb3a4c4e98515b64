//! The pre-push decision: given git's lines for one push URL, where that URL leads, and answers
//! about the repository's history and the remotes, which refs to refuse and why. No I/O here: the
//! questions go through [`Facts`], which the git layer answers; the tests answer them from tables.
//!
//! The rules: (1) on the security mirror, the release branch (and any ref that is a symbolic ref
//! to it there) is never deleted and never holds a commit the upstream's release branch does not
//! have, judged against that branch as the upstream lists it now, never a tracking ref; (2)
//! anywhere else, no ref may carry commits that only the security mirror has (an embargoed fix),
//! nor a tree or blob (which may hold a fix's files), except the upstream's own release branch,
//! which is how fixes are published at release time. A push that carries no mirror commit is
//! decided offline; a leak is reported only after the live upstream is looked at again. Anything
//! that cannot be decided is refused.

use gix::ObjectId;

use crate::error::Refusal;

/// One line of the pre-push hook's standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushLine {
    /// The source as typed (`HEAD`, `main@{1 minute ago}`, an abbreviated id) or `(delete)`.
    pub local_ref: String,
    /// What is pushed; the null id for a deletion.
    pub local: ObjectId,
    /// The destination ref, fully qualified.
    pub remote_ref: String,
    /// What the remote has now; the null id for a new ref. May not exist locally.
    pub remote: ObjectId,
}

impl PushLine {
    pub fn is_deletion(&self) -> bool {
        self.local.is_null()
    }
}

/// A line of standard input that is not what git sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based.
    pub number: usize,
    pub line: String,
    pub problem: String,
}

/// Reads git's lines, `<local ref> SP <local oid> SP <remote ref> SP <remote oid>`, splitting
/// from the right because the local ref may contain spaces. Ids must be full ids of `hash`.
/// Blank lines are skipped; anything else malformed is an error (the push is refused, not
/// guessed at).
pub fn parse(input: &str, hash: gix::hash::Kind) -> Result<Vec<PushLine>, BadLine> {
    let mut lines = Vec::new();
    for (n, raw) in input.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: &str| BadLine {
            number: n + 1,
            line: line.chars().take(200).collect(),
            problem: problem.to_owned(),
        };
        let mut fields = line.rsplitn(4, ' ');
        let (Some(remote), Some(remote_ref), Some(local), Some(local_ref)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad("expected four fields"));
        };
        let id = |text: &str, what: &str| {
            if text.len() != hash.len_in_hex() {
                return Err(bad(&format!("{what} is not a full {} id", hash_name(hash))));
            }
            ObjectId::from_hex(text.as_bytes()).map_err(|_| bad(&format!("{what} is not hex")))
        };
        let local = id(local, "the local object")?;
        let remote = id(remote, "the remote object")?;
        if local_ref.is_empty() || remote_ref.is_empty() {
            return Err(bad("a ref name is empty"));
        }
        lines.push(PushLine {
            local_ref: local_ref.to_owned(),
            local,
            remote_ref: remote_ref.to_owned(),
            remote,
        });
    }
    Ok(lines)
}

fn hash_name(hash: gix::hash::Kind) -> &'static str {
    match hash {
        gix::hash::Kind::Sha1 => "SHA-1",
        _ => "SHA-256",
    }
}

/// Where the push URL leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The private security mirror.
    Mirror,
    /// The public upstream repository.
    Upstream,
    /// Anything else: a fork, another host.
    Other,
}

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

/// Why a ref is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Deleting the mirror's release branch.
    DeletesMirrorBranch,
    /// The mirror's release branch would hold commits the upstream's (listed live) does not.
    AheadOfUpstream {
        commits: Vec<CommitInfo>,
    },
    /// The upstream's release branch could not be listed.
    UpstreamUnreachable {
        detail: String,
    },
    NoUpstreamRemote,
    /// The upstream has no release branch to compare with.
    UpstreamHasNoBranch,
    /// The mirror's release branch would point to a tree or blob.
    NotACommit(String),
    /// The pushed object is not in this repository.
    MissingObject,
    /// Embargoed commits going somewhere other than the mirror. `unchecked` says why the live
    /// upstream could not be looked at again, if it could not.
    Leak {
        leaks: Vec<Leak>,
        unchecked: Option<String>,
    },
    /// The mirror's commits are pushed and nothing says which are public.
    NoUpstreamRefs {
        unchecked: Option<String>,
    },
    /// A tree or blob (or a tag of one) going somewhere other than the mirror: it may hold a
    /// fix's content, and nothing here tells.
    ContentElsewhere(String),
    /// The mirror's symbolic refs could not be learned, so a ref may be its release branch.
    MirrorRefsUnknown {
        detail: String,
    },
    /// The mirror has no release branch, so a ref it does not list may be a symbolic ref to it.
    MirrorHasNoBranch,
    /// An annotated tag pushed onto the upstream's release branch: only a commit is the release
    /// merge, and the upstream keeps the objects of the tag it refuses.
    TagOnBranch,
}

/// One refused ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub line: PushLine,
    pub reason: Reason,
    /// Set when a symbolic ref on the mirror makes the pushed ref its release branch: which
    /// (`refs/heads/release is a symbolic ref to refs/heads/main`).
    pub via: Option<String>,
}

/// The settings the decision needs.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub destination: Destination,
    /// The release branch's short name (`main`).
    pub branch: &'a str,
}

/// The answers asked for once per push, kept for the other lines.
#[derive(Default)]
struct Asked {
    live: Option<Result<Live, String>>,
    mirror_refs: Option<Result<Vec<DestinationRef>, String>>,
    public: Option<Result<(), String>>,
}

/// Decides every line; the push goes through only if the result is empty.
pub fn decide(
    lines: &[PushLine],
    ctx: &Context<'_>,
    facts: &mut dyn Facts,
) -> anyhow::Result<Vec<Blocked>> {
    let release_ref = format!("refs/heads/{}", ctx.branch);
    let mut asked = Asked::default();
    let mut blocked = Vec::new();
    for line in lines {
        let mut via = None;
        let reason = match ctx.destination {
            Destination::Mirror if line.remote_ref == release_ref => {
                mirror_branch(line, facts, &mut asked)?
            }
            Destination::Mirror => {
                let refs = asked.mirror_refs.get_or_insert_with(|| {
                    let mut names = vec![release_ref.clone()];
                    for l in lines {
                        if !names.contains(&l.remote_ref) {
                            names.push(l.remote_ref.clone());
                        }
                    }
                    facts.destination_refs(&names)
                });
                match refs {
                    Err(detail) => Some(Reason::MirrorRefsUnknown {
                        detail: detail.clone(),
                    }),
                    Ok(refs) => match on_mirror(refs, &line.remote_ref, &release_ref) {
                        OnMirror::Other => None,
                        OnMirror::NoReleaseBranch => Some(Reason::MirrorHasNoBranch),
                        OnMirror::Release(target) => {
                            via = Some(target);
                            mirror_branch(line, facts, &mut asked)?
                        }
                    },
                }
            }
            // The sanctioned path for fixes: the upstream's release branch, at release time,
            // and only a commit (the release merge). An annotated tag peels to a commit, but the
            // upstream refuses a tag on a branch after receiving, and keeping, its objects: a
            // tag of a fix would publish the fix without any release.
            Destination::Upstream if line.remote_ref == release_ref => {
                match (line.is_deletion(), facts.peel(line.local)?) {
                    (true, _) => None,
                    (false, Peeled::Commit(commit)) if commit != line.local => {
                        Some(Reason::TagOnBranch)
                    }
                    (false, Peeled::Commit(_)) => None,
                    (false, Peeled::NotACommit(kind)) => Some(Reason::ContentElsewhere(kind)),
                    (false, Peeled::Missing) => Some(Reason::MissingObject),
                }
            }
            Destination::Upstream | Destination::Other => leak(line, facts, &mut asked)?,
        };
        if let Some(reason) = reason {
            blocked.push(Blocked {
                line: line.clone(),
                reason,
                via,
            });
        }
    }
    Ok(blocked)
}

/// What a pushed ref is on the mirror.
#[derive(Debug, PartialEq, Eq)]
enum OnMirror {
    /// It resolves to the release branch; the symbolic ref that links them, in words.
    Release(String),
    /// Another ref.
    Other,
    /// The mirror lists no release branch, and not this ref either: it may be a dangling
    /// symbolic ref to the release branch, which the push would create.
    NoReleaseBranch,
}

fn on_mirror(refs: &[DestinationRef], name: &str, release_ref: &str) -> OnMirror {
    let listed = |n: &str| refs.iter().find(|r| r.name == n);
    let target = |n: &str| {
        listed(n)
            .and_then(|r| r.symref_target.clone())
            .unwrap_or_else(|| n.to_owned())
    };
    let release = target(release_ref);
    let this = target(name);
    if this == release || this == release_ref {
        let link = if this != name {
            format!("{name} is a symbolic ref to {this}")
        } else {
            format!("{release_ref} is a symbolic ref to {this}")
        };
        return OnMirror::Release(link);
    }
    if listed(release_ref).is_none() && listed(name).is_none() {
        return OnMirror::NoReleaseBranch;
    }
    OnMirror::Other
}

/// The mirror's release branch: never deleted, never ahead of the upstream's live branch.
fn mirror_branch(
    line: &PushLine,
    facts: &mut dyn Facts,
    asked: &mut Asked,
) -> anyhow::Result<Option<Reason>> {
    if line.is_deletion() {
        return Ok(Some(Reason::DeletesMirrorBranch));
    }
    let commit = match facts.peel(line.local)? {
        Peeled::Commit(id) => id,
        Peeled::NotACommit(kind) => return Ok(Some(Reason::NotACommit(kind))),
        Peeled::Missing => return Ok(Some(Reason::MissingObject)),
    };
    // Not the tracking ref: it can be stale, or moved by a push that went elsewhere.
    let live = asked
        .live
        .get_or_insert_with(|| facts.live_upstream())
        .clone();
    Ok(match live {
        Err(detail) => Some(Reason::UpstreamUnreachable { detail }),
        Ok(Live::NoRemote) => Some(Reason::NoUpstreamRemote),
        Ok(Live::NoBranch) => Some(Reason::UpstreamHasNoBranch),
        Ok(Live::Tip(tip)) if facts.is_ancestor(commit, tip)? => None,
        Ok(Live::Tip(tip)) => Some(Reason::AheadOfUpstream {
            commits: facts.not_in(commit, tip)?,
        }),
    })
}

/// Anywhere but the mirror: no embargoed commit, and no tree or blob that might hold one's
/// content. Offline unless a leak is about to be reported; then the live upstream has a say.
fn leak(
    line: &PushLine,
    facts: &mut dyn Facts,
    asked: &mut Asked,
) -> anyhow::Result<Option<Reason>> {
    if line.is_deletion() {
        return Ok(None);
    }
    let commit = match facts.peel(line.local)? {
        Peeled::Commit(id) => id,
        Peeled::NotACommit(kind) => return Ok(Some(Reason::ContentElsewhere(kind))),
        Peeled::Missing => return Ok(Some(Reason::MissingObject)),
    };
    let found = facts.leaks(commit, line.remote)?;
    if found == Leaks::None {
        return Ok(None);
    }
    // The local tracking refs may be stale: a colleague may have published the fix already.
    let refreshed = asked
        .public
        .get_or_insert_with(|| facts.refresh_public())
        .clone();
    let (found, unchecked) = match refreshed {
        Ok(()) => (facts.leaks(commit, line.remote)?, None),
        Err(detail) => (found, Some(detail)),
    };
    Ok(match found {
        Leaks::None => None,
        Leaks::Found(leaks) => Some(Reason::Leak { leaks, unchecked }),
        Leaks::NoUpstreamRefs => Some(Reason::NoUpstreamRefs { unchecked }),
    })
}

/// Names used in the explanation.
#[derive(Debug, Clone)]
pub struct Names<'a> {
    /// `$1`: the remote name, or the URL as typed.
    pub remote: &'a str,
    /// `$2`: the push URL.
    pub url: &'a str,
    pub upstream: &'a str,
    /// The URL the upstream is listed from (its fetch URL), for messages.
    pub upstream_url: &'a str,
    pub security: &'a str,
    pub branch: &'a str,
    pub destination: Destination,
}

/// The last hint of every refusal by the hook.
pub const BYPASS: &str = "in an emergency, git push --no-verify skips this check";

/// At most this many commits are listed per ref.
const SHOWN: usize = 10;

/// The explanation of a refusal: the details for stderr (which ref, which commits, why) and the
/// refusal itself, whose hints say what to run instead.
pub fn explain(blocked: &[Blocked], names: &Names<'_>) -> (String, Refusal) {
    let tracking = format!("{}/{}", names.upstream, names.branch);
    let place = match names.destination {
        Destination::Mirror => format!("the security mirror ({})", names.url),
        Destination::Upstream => format!("the upstream ({})", names.url),
        Destination::Other => names.url.to_owned(),
    };
    let mut text = String::new();
    let mut hints: Vec<String> = Vec::new();
    let mut hint = |h: String| {
        if !hints.contains(&h) {
            hints.push(h);
        }
    };
    for b in blocked {
        let line = &b.line;
        text.push_str(&format!(
            "push-duty: refusing {} -> {} on {place}\n",
            line.local_ref, line.remote_ref
        ));
        if let Some(link) = &b.via {
            text.push_str(&format!(
                "  on the mirror {link}: pushing to {} moves the mirror's {}\n",
                line.remote_ref, names.branch
            ));
        }
        let source = shell_word(&line.local_ref);
        let mirror_then = format!(
            "then update the mirror from it: git push {} {}:refs/heads/{}",
            shell_word(names.remote),
            tracking,
            names.branch
        );
        let unchecked_note = |text: &mut String, unchecked: &Option<String>| {
            if let Some(detail) = unchecked {
                text.push_str(&format!(
                    "  (the upstream could not be listed to check again: {detail})\n"
                ));
            }
        };
        match &b.reason {
            Reason::DeletesMirrorBranch => {
                text.push_str(&format!(
                    "  the security mirror's {} is never deleted: it must stay in sync with {tracking}\n",
                    names.branch
                ));
                hint(format!(
                    "to delete another branch, name it: git push {} --delete <branch>",
                    shell_word(names.remote)
                ));
            }
            Reason::AheadOfUpstream { commits } => {
                text.push_str(&format!(
                    "  the security mirror's {} must never be ahead of {tracking} (just fetched); {} not on it:\n",
                    names.branch,
                    count(commits.len(), "this commit is", "these commits are")
                ));
                list(&mut text, commits);
                hint(format!(
                    "push to the upstream first: git push {} {source}:refs/heads/{}",
                    names.upstream, names.branch
                ));
                hint(mirror_then.clone());
            }
            Reason::UpstreamUnreachable { detail } => {
                text.push_str(&format!(
                    "  the upstream's {} could not be listed from {} to check the push against it: {detail}\n",
                    names.branch, names.upstream_url
                ));
                hint(format!(
                    "check the connection and the URL, then try again: git ls-remote {} refs/heads/{}",
                    names.upstream, names.branch
                ));
            }
            Reason::NoUpstreamRemote => {
                text.push_str(&format!(
                    "  there is no remote named {:?} (pushduty.upstream), so nothing says the commit is on the upstream\n",
                    names.upstream
                ));
                hint(format!(
                    "add it: git remote add {} <url> && git fetch {}",
                    names.upstream, names.upstream
                ));
                hint("or name the remote you use: git config pushduty.upstream <remote>".into());
            }
            Reason::UpstreamHasNoBranch => {
                text.push_str(&format!(
                    "  the upstream ({}) has no branch {}, so nothing says the commit is on it\n",
                    names.upstream_url, names.branch
                ));
                hint(
                    "name the branch that is released: git config pushduty.branch <branch>".into(),
                );
            }
            Reason::NotACommit(kind) => {
                text.push_str(&format!(
                    "  it points to a {kind}, not a commit; the mirror's {} holds only upstream commits\n",
                    names.branch
                ));
            }
            Reason::MissingObject => {
                text.push_str("  the pushed object is not in this repository\n");
            }
            Reason::Leak { leaks, unchecked } => {
                text.push_str(&format!(
                    "  it would publish {} from the security mirror, not yet on the upstream:\n",
                    count(
                        leaks.len(),
                        "an embargoed security fix",
                        "embargoed security fixes"
                    )
                ));
                let commits: Vec<CommitInfo> = leaks.iter().map(|l| l.commit.clone()).collect();
                let mut from: Vec<&str> = Vec::new();
                for l in leaks {
                    if !from.contains(&l.security_ref.as_str()) {
                        from.push(&l.security_ref);
                    }
                }
                list(&mut text, &commits);
                text.push_str(&format!("  from {}\n", from.join(", ")));
                unchecked_note(&mut text, unchecked);
                hint(format!(
                    "a fix branch goes to the security mirror only: git push {} <fix-branch>",
                    names.security
                ));
                hint(format!(
                    "fixes are published at release time through {tracking}; keep them out of other branches until then"
                ));
            }
            Reason::NoUpstreamRefs { unchecked } => {
                text.push_str(&format!(
                    "  it carries commits from the security mirror ({}/*) and there are no refs/remotes/{}/* to tell which are public\n",
                    names.security, names.upstream
                ));
                unchecked_note(&mut text, unchecked);
                hint(format!("fetch the upstream: git fetch {}", names.upstream));
                hint("or name the remote you use: git config pushduty.upstream <remote>".into());
            }
            Reason::ContentElsewhere(kind) => {
                text.push_str(&format!(
                    "  it is a {kind}, not a commit: it may hold an embargoed fix's files, and only the security mirror may get those; such pushes are rare\n"
                ));
                hint(format!(
                    "if it holds nothing from the security mirror, push it with: git push --no-verify {} {}",
                    shell_word(names.remote),
                    shell_word(&format!("{}:{}", line.local_ref, line.remote_ref))
                ));
            }
            Reason::MirrorRefsUnknown { detail } => {
                text.push_str(&format!(
                    "  the mirror's symbolic refs could not be learned, so {} may be its {}: {detail}\n",
                    line.remote_ref, names.branch
                ));
                hint(
                    "the mirror must speak git protocol version 2 (git 2.18 or later on the server); check the connection, then try again"
                        .into(),
                );
            }
            Reason::TagOnBranch => {
                text.push_str(&format!(
                    "  it is an annotated tag, not a commit: a branch holds commits, and the upstream, which refuses a tag on its {}, would still keep the objects it received, the tagged commit's among them\n",
                    names.branch
                ));
                hint(format!(
                    "push the commit it tags: git push {} {}",
                    shell_word(names.remote),
                    shell_word(&format!(
                        "{}^{{commit}}:{}",
                        line.local_ref, line.remote_ref
                    ))
                ));
            }
            Reason::MirrorHasNoBranch => {
                text.push_str(&format!(
                    "  the mirror has no {} yet, so {} may be a symbolic ref to it that this push would create\n",
                    names.branch, line.remote_ref
                ));
                hint(format!(
                    "create the mirror's {b} from the upstream's first: git push {} {tracking}:refs/heads/{b}",
                    shell_word(names.remote),
                    b = names.branch
                ));
            }
        }
    }
    hint(BYPASS.into());
    let refs = blocked.len();
    let mut refusal = Refusal::new(format!(
        "the git-push-duty pre-push hook refused {}: nothing was pushed to {}",
        count(refs, "a ref", "refs"),
        names.url
    ));
    for h in hints {
        refusal = refusal.hint(h);
    }
    (text, refusal)
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_owned()
    } else {
        format!("{n} {many}")
    }
}

fn list(text: &mut String, commits: &[CommitInfo]) {
    for c in commits.iter().take(SHOWN) {
        text.push_str(&format!("    {} {}\n", c.short, c.subject));
    }
    if commits.len() > SHOWN {
        text.push_str(&format!("    ... and {} more\n", commits.len() - SHOWN));
    }
}

/// Quotes a word for a shell command line when it needs it.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,%^~".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    fn oid(n: u8) -> ObjectId {
        ObjectId::from_bytes_or_panic(&[n; 20])
    }

    fn null() -> ObjectId {
        ObjectId::null(SHA1)
    }

    fn line(local_ref: &str, local: ObjectId, remote_ref: &str, remote: ObjectId) -> PushLine {
        PushLine {
            local_ref: local_ref.into(),
            local,
            remote_ref: remote_ref.into(),
            remote,
        }
    }

    fn info(id: ObjectId) -> CommitInfo {
        CommitInfo {
            id,
            short: id.to_hex_with_len(7).to_string(),
            subject: format!("commit {}", id.as_bytes()[0]),
        }
    }

    /// Answers from tables; records what was asked.
    #[derive(Default)]
    struct Table {
        /// Tag objects and what they peel to.
        tags: HashMap<ObjectId, ObjectId>,
        trees: HashSet<ObjectId>,
        missing: HashSet<ObjectId>,
        /// Commits on the upstream's live branch, whose tip is `tip()`.
        upstream: HashSet<ObjectId>,
        live: Option<Live>,
        live_fails: bool,
        /// The mirror's refs: name -> symbolic target.
        mirror_refs: Vec<DestinationRef>,
        mirror_refs_fail: bool,
        /// Commit -> leaked commits, before and after the live upstream is looked at.
        leaking: HashMap<ObjectId, Leaks>,
        after_refresh: Option<HashMap<ObjectId, Leaks>>,
        refresh_fails: bool,
        lives: usize,
        ref_listings: Vec<Vec<String>>,
        refreshes: usize,
        leak_questions: Vec<(ObjectId, ObjectId)>,
    }

    const TIP: u8 = 200;

    impl Facts for Table {
        fn peel(&mut self, id: ObjectId) -> anyhow::Result<Peeled> {
            if self.missing.contains(&id) {
                return Ok(Peeled::Missing);
            }
            let id = self.tags.get(&id).copied().unwrap_or(id);
            Ok(if self.trees.contains(&id) {
                Peeled::NotACommit("tree".into())
            } else {
                Peeled::Commit(id)
            })
        }
        fn live_upstream(&mut self) -> Result<Live, String> {
            self.lives += 1;
            if self.live_fails {
                return Err("cannot reach remote upstream (../upstream.git)".into());
            }
            Ok(self.live.unwrap_or(Live::Tip(oid(TIP))))
        }
        fn is_ancestor(&mut self, commit: ObjectId, tip: ObjectId) -> anyhow::Result<bool> {
            assert_eq!(tip, oid(TIP));
            Ok(self.upstream.contains(&commit))
        }
        fn not_in(&mut self, commit: ObjectId, _tip: ObjectId) -> anyhow::Result<Vec<CommitInfo>> {
            Ok(vec![info(commit)])
        }
        fn destination_refs(&mut self, names: &[String]) -> Result<Vec<DestinationRef>, String> {
            self.ref_listings.push(names.to_vec());
            if self.mirror_refs_fail {
                return Err("the mirror speaks protocol version 0".into());
            }
            Ok(self
                .mirror_refs
                .iter()
                .filter(|r| names.contains(&r.name))
                .cloned()
                .collect())
        }
        fn leaks(&mut self, new: ObjectId, old: ObjectId) -> anyhow::Result<Leaks> {
            self.leak_questions.push((new, old));
            Ok(self.leaking.get(&new).cloned().unwrap_or(Leaks::None))
        }
        fn refresh_public(&mut self) -> Result<(), String> {
            self.refreshes += 1;
            if self.refresh_fails {
                return Err("cannot reach remote upstream".into());
            }
            if let Some(after) = self.after_refresh.take() {
                self.leaking = after;
            }
            Ok(())
        }
    }

    fn mirror() -> Context<'static> {
        Context {
            destination: Destination::Mirror,
            branch: "main",
        }
    }

    fn to(destination: Destination) -> Context<'static> {
        Context {
            destination,
            branch: "main",
        }
    }

    fn plain(name: &str) -> DestinationRef {
        DestinationRef {
            name: name.into(),
            symref_target: None,
        }
    }

    fn symref(name: &str, target: &str) -> DestinationRef {
        DestinationRef {
            name: name.into(),
            symref_target: Some(target.into()),
        }
    }

    fn table(upstream: &[u8]) -> Table {
        Table {
            upstream: upstream.iter().map(|n| oid(*n)).collect(),
            mirror_refs: vec![plain("refs/heads/main")],
            ..Table::default()
        }
    }

    fn reasons(blocked: &[Blocked]) -> Vec<&Reason> {
        blocked.iter().map(|b| &b.reason).collect()
    }

    #[test]
    fn parse_splits_from_the_right_and_keeps_spaces_in_the_local_ref() {
        let a = "a".repeat(40);
        let z = "0".repeat(40);
        let input = format!(
            "main@{{1 minute ago}} {a} refs/heads/main {z}\n\n(delete) {z} refs/heads/old {a}\n"
        );
        let lines = parse(&input, SHA1).expect("valid");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].local_ref, "main@{1 minute ago}");
        assert_eq!(lines[0].remote_ref, "refs/heads/main");
        assert!(lines[0].remote.is_null());
        assert!(lines[1].is_deletion());
        assert_eq!(lines[1].remote_ref, "refs/heads/old");
    }

    #[test]
    fn parse_reads_sha256_ids_and_refuses_the_wrong_length() {
        let a = "b".repeat(64);
        let z = "0".repeat(64);
        let kind = gix::hash::Kind::Sha256;
        let lines = parse(&format!("HEAD {a} refs/heads/main {z}\n"), kind).expect("valid");
        assert!(lines[0].remote.is_null());
        assert_eq!(lines[0].local.kind(), kind);
        let sha1 = format!(
            "HEAD {} refs/heads/main {}\n",
            "b".repeat(40),
            "0".repeat(40)
        );
        let err = parse(&sha1, kind).unwrap_err();
        assert_eq!(err.problem, "the local object is not a full SHA-256 id");
    }

    #[test]
    fn parse_empty_input_is_no_lines() {
        assert_eq!(parse("", SHA1), Ok(vec![]));
        assert_eq!(parse("\n\r\n  \n", SHA1), Ok(vec![]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let a = "a".repeat(40);
        for (input, number) in [
            ("garbage".to_owned(), 1),
            (format!("HEAD {a} refs/heads/main"), 1),
            (format!("HEAD {a} refs/heads/main {}", "g".repeat(40)), 1),
            (format!("\nHEAD {a} refs/heads/main {a}x"), 2),
            (format!(" {a} refs/heads/main {a}"), 1),
            (format!("HEAD {a}  {a}"), 1),
            ("\u{1F600} \u{1F600} \u{1F600} \u{1F600}".to_owned(), 1),
            (format!("HEAD {} x {a}", "é".repeat(20)), 1),
        ] {
            let err = parse(&input, SHA1).expect_err(&input);
            assert_eq!(err.number, number, "{input}");
        }
    }

    #[test]
    fn an_upstream_commit_to_the_mirror_passes_after_one_live_look() {
        let mut facts = table(&[1, 2]);
        let lines = [
            line("main", oid(2), "refs/heads/main", oid(1)),
            line("HEAD~1", oid(1), "refs/heads/main", oid(1)),
        ];
        assert_eq!(decide(&lines, &mirror(), &mut facts).unwrap(), vec![]);
        assert_eq!(facts.lives, 1, "one listing per push");
        assert!(facts.ref_listings.is_empty(), "no symref listing for main");
    }

    #[test]
    fn a_commit_not_on_the_live_upstream_is_refused() {
        let mut facts = table(&[1]);
        let lines = [
            line("HEAD", oid(3), "refs/heads/main", oid(1)),
            line("HEAD~1", oid(4), "refs/heads/main", null()),
        ];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![
                &Reason::AheadOfUpstream {
                    commits: vec![info(oid(3))],
                },
                &Reason::AheadOfUpstream {
                    commits: vec![info(oid(4))],
                }
            ]
        );
        assert_eq!(facts.lives, 1);
    }

    #[test]
    fn an_unreachable_or_missing_upstream_refuses() {
        let mut facts = table(&[1]);
        facts.live_fails = true;
        let lines = [line("main", oid(1), "refs/heads/main", oid(1))];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![&Reason::UpstreamUnreachable {
                detail: "cannot reach remote upstream (../upstream.git)".into(),
            }]
        );
        for (live, reason) in [
            (Live::NoRemote, Reason::NoUpstreamRemote),
            (Live::NoBranch, Reason::UpstreamHasNoBranch),
        ] {
            let mut facts = table(&[1]);
            facts.live = Some(live);
            let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
            assert_eq!(reasons(&blocked), vec![&reason]);
        }
    }

    #[test]
    fn deleting_the_mirror_branch_is_refused() {
        let mut facts = table(&[1]);
        let lines = [line("(delete)", null(), "refs/heads/main", oid(1))];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(reasons(&blocked), vec![&Reason::DeletesMirrorBranch]);
        assert_eq!(facts.lives, 0);
    }

    #[test]
    fn other_refs_on_the_mirror_pass_whatever_they_carry() {
        let mut facts = table(&[]);
        facts.mirror_refs.push(plain("refs/heads/old-fix"));
        facts.leaking.insert(oid(9), Leaks::Found(vec![]));
        facts.trees.insert(oid(6));
        let lines = [
            line("fix", oid(9), "refs/heads/fix-xss", null()),
            line("(delete)", null(), "refs/heads/old-fix", oid(9)),
            line("v1", oid(9), "refs/tags/v1", null()),
            line("main", oid(9), "refs/heads/mainline", null()),
            line("t", oid(6), "refs/tags/tree", null()),
        ];
        assert_eq!(decide(&lines, &mirror(), &mut facts).unwrap(), vec![]);
        assert!(
            facts.leak_questions.is_empty(),
            "no leak guard on the mirror"
        );
        assert_eq!(
            facts.ref_listings,
            vec![vec![
                "refs/heads/main".to_owned(),
                "refs/heads/fix-xss".into(),
                "refs/heads/old-fix".into(),
                "refs/tags/v1".into(),
                "refs/heads/mainline".into(),
                "refs/tags/tree".into(),
            ]],
            "one listing of the pushed refs and the release branch"
        );
        assert_eq!(facts.lives, 0);
    }

    #[test]
    fn a_symbolic_ref_to_the_release_branch_on_the_mirror_is_the_release_branch() {
        let mut facts = table(&[1]);
        facts.mirror_refs = vec![
            plain("refs/heads/main"),
            symref("refs/heads/release", "refs/heads/main"),
            symref("refs/tags/v1", "refs/heads/main"),
            symref("refs/heads/other", "refs/heads/fix"),
        ];
        let lines = [
            line("fix", oid(9), "refs/heads/release", null()),
            line("fix", oid(9), "refs/tags/v1", null()),
            line("(delete)", null(), "refs/heads/release", oid(1)),
            line("fix", oid(9), "refs/heads/other", null()),
            line("ok", oid(1), "refs/heads/release", null()),
        ];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![
                &Reason::AheadOfUpstream {
                    commits: vec![info(oid(9))]
                },
                &Reason::AheadOfUpstream {
                    commits: vec![info(oid(9))]
                },
                &Reason::DeletesMirrorBranch,
            ]
        );
        assert_eq!(
            blocked[0].via.as_deref(),
            Some("refs/heads/release is a symbolic ref to refs/heads/main")
        );
    }

    #[test]
    fn when_the_release_branch_is_itself_symbolic_its_target_is_guarded() {
        let mut facts = table(&[1]);
        facts.mirror_refs = vec![
            symref("refs/heads/main", "refs/heads/trunk"),
            plain("refs/heads/trunk"),
            symref("refs/heads/alias", "refs/heads/trunk"),
        ];
        for name in ["refs/heads/trunk", "refs/heads/alias"] {
            let lines = [line("fix", oid(9), name, null())];
            let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
            assert_eq!(blocked.len(), 1, "{name}");
        }
    }

    #[test]
    fn unknown_mirror_refs_refuse_every_ref_but_the_judged_release_branch() {
        let mut facts = table(&[1]);
        facts.mirror_refs_fail = true;
        let lines = [
            line("fix", oid(9), "refs/heads/fix", null()),
            line("main", oid(1), "refs/heads/main", null()),
        ];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![&Reason::MirrorRefsUnknown {
                detail: "the mirror speaks protocol version 0".into()
            }]
        );
    }

    #[test]
    fn a_mirror_without_its_release_branch_refuses_refs_it_does_not_list() {
        let mut facts = table(&[1]);
        facts.mirror_refs = vec![plain("refs/heads/fix")];
        let lines = [
            line("fix", oid(9), "refs/heads/fix", oid(8)),
            line("new", oid(9), "refs/heads/new", null()),
            line("main", oid(1), "refs/heads/main", null()),
        ];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(reasons(&blocked), vec![&Reason::MirrorHasNoBranch]);
        assert_eq!(blocked[0].line.remote_ref, "refs/heads/new");
    }

    #[test]
    fn an_annotated_tag_pushed_onto_the_mirror_branch_is_peeled() {
        let mut facts = table(&[1]);
        facts.tags.insert(oid(7), oid(1));
        facts.tags.insert(oid(8), oid(5));
        let ok = [line("v1", oid(7), "refs/heads/main", null())];
        assert_eq!(decide(&ok, &mirror(), &mut facts).unwrap(), vec![]);
        let bad = [line("v2", oid(8), "refs/heads/main", null())];
        let blocked = decide(&bad, &mirror(), &mut facts).unwrap();
        assert!(matches!(blocked[0].reason, Reason::AheadOfUpstream { .. }));
    }

    #[test]
    fn a_tree_or_a_missing_object_on_the_mirror_branch_is_refused() {
        let mut facts = table(&[]);
        facts.trees.insert(oid(6));
        facts.missing.insert(oid(5));
        let lines = [
            line("t", oid(6), "refs/heads/main", null()),
            line("m", oid(5), "refs/heads/main", null()),
        ];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![&Reason::NotACommit("tree".into()), &Reason::MissingObject]
        );
    }

    #[test]
    fn the_release_branch_is_judged_by_its_own_name_only() {
        let mut facts = table(&[]);
        facts.mirror_refs = vec![plain("refs/heads/master"), plain("refs/heads/main")];
        let ctx = Context {
            destination: Destination::Mirror,
            branch: "master",
        };
        let lines = [line("main", oid(3), "refs/heads/main", null())];
        assert_eq!(decide(&lines, &ctx, &mut facts).unwrap(), vec![]);
        let lines = [line("main", oid(3), "refs/heads/master", null())];
        assert_eq!(decide(&lines, &ctx, &mut facts).unwrap().len(), 1);
    }

    fn leak_of(n: u8) -> Leaks {
        Leaks::Found(vec![Leak {
            commit: info(oid(n)),
            security_ref: "security/fix-xss".into(),
        }])
    }

    #[test]
    fn the_leak_guard_refuses_fixes_going_anywhere_but_the_upstream_release_branch() {
        for destination in [Destination::Other, Destination::Upstream] {
            let mut facts = table(&[]);
            facts.leaking.insert(oid(9), leak_of(9));
            let lines = [
                line("fix", oid(9), "refs/heads/fix", oid(1)),
                line("work", oid(2), "refs/heads/work", null()),
            ];
            let blocked = decide(&lines, &to(destination), &mut facts).unwrap();
            assert_eq!(blocked.len(), 1, "{destination:?}");
            assert_eq!(blocked[0].line.remote_ref, "refs/heads/fix");
            assert_eq!(
                facts.leak_questions,
                vec![(oid(9), oid(1)), (oid(9), oid(1)), (oid(2), null())],
                "asked again after the live look"
            );
            assert_eq!(facts.refreshes, 1);
            assert_eq!(facts.lives + facts.ref_listings.len(), 0);
        }
        let mut facts = table(&[]);
        facts.leaking.insert(oid(9), leak_of(9));
        let release = [line("main", oid(9), "refs/heads/main", oid(1))];
        assert_eq!(
            decide(&release, &to(Destination::Upstream), &mut facts).unwrap(),
            vec![]
        );
        let mut facts = table(&[]);
        facts.leaking.insert(oid(9), leak_of(9));
        assert_eq!(
            decide(&release, &to(Destination::Other), &mut facts)
                .unwrap()
                .len(),
            1,
            "a fork's main is not the sanctioned path"
        );
    }

    #[test]
    fn ordinary_work_elsewhere_is_decided_offline() {
        let mut facts = table(&[]);
        let lines = [line("work", oid(2), "refs/heads/work", null())];
        assert_eq!(
            decide(&lines, &to(Destination::Other), &mut facts).unwrap(),
            vec![]
        );
        assert_eq!(facts.refreshes + facts.lives + facts.ref_listings.len(), 0);
    }

    #[test]
    fn a_fix_the_live_upstream_has_published_passes() {
        let mut facts = table(&[]);
        facts.leaking.insert(oid(9), leak_of(9));
        facts.after_refresh = Some(HashMap::new());
        let lines = [
            line("main", oid(9), "refs/heads/main", null()),
            line("tag", oid(9), "refs/tags/t", null()),
        ];
        assert_eq!(
            decide(&lines, &to(Destination::Other), &mut facts).unwrap(),
            vec![]
        );
        assert_eq!(facts.refreshes, 1, "one live look per push");
    }

    #[test]
    fn a_leak_is_still_refused_when_the_upstream_cannot_be_looked_at() {
        let mut facts = table(&[]);
        facts.leaking.insert(oid(9), leak_of(9));
        facts.refresh_fails = true;
        let lines = [line("x", oid(9), "refs/heads/x", null())];
        let blocked = decide(&lines, &to(Destination::Other), &mut facts).unwrap();
        assert!(matches!(
            &blocked[0].reason,
            Reason::Leak { unchecked: Some(d), .. } if d == "cannot reach remote upstream"
        ));
    }

    #[test]
    fn trees_and_blobs_are_refused_everywhere_but_the_mirror() {
        for destination in [Destination::Other, Destination::Upstream] {
            let mut facts = table(&[]);
            facts.tags.insert(oid(7), oid(6));
            facts.trees.insert(oid(6));
            let lines = [
                line("(delete)", null(), "refs/heads/x", oid(9)),
                line("t", oid(6), "refs/tags/tree", null()),
                line("v", oid(7), "refs/tags/tag-of-tree", null()),
                line("t", oid(6), "refs/heads/main", null()),
            ];
            let blocked = decide(&lines, &to(destination), &mut facts).unwrap();
            assert_eq!(
                reasons(&blocked),
                vec![&Reason::ContentElsewhere("tree".into()); 3],
                "{destination:?}"
            );
        }
    }

    #[test]
    fn only_a_commit_is_the_release_merge_on_the_upstreams_branch() {
        // A tag of a commit the upstream may have, of a fix, of a tree: none is a commit.
        let mut facts = table(&[]);
        facts.tags.insert(oid(7), oid(9));
        facts.tags.insert(oid(8), oid(1));
        facts.tags.insert(oid(5), oid(6));
        facts.trees.insert(oid(6));
        facts.leaking.insert(oid(9), leak_of(9));
        let lines = [
            line("fix-tag", oid(7), "refs/heads/main", oid(1)),
            line("v1", oid(8), "refs/heads/main", oid(1)),
            line("tree-tag", oid(5), "refs/heads/main", oid(1)),
            line("main", oid(9), "refs/heads/main", oid(1)),
        ];
        let blocked = decide(&lines, &to(Destination::Upstream), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![
                &Reason::TagOnBranch,
                &Reason::TagOnBranch,
                &Reason::ContentElsewhere("tree".into()),
            ]
        );
        assert!(facts.leak_questions.is_empty(), "the release is not a leak");
    }

    #[test]
    fn the_leak_guard_peels_tags() {
        let mut facts = table(&[]);
        facts.tags.insert(oid(7), oid(9));
        facts.leaking.insert(oid(9), leak_of(9));
        let tag = [line("v1", oid(7), "refs/tags/v1", null())];
        assert_eq!(
            decide(&tag, &to(Destination::Other), &mut facts)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn unknown_upstream_refs_refuse_only_when_the_mirrors_commits_go() {
        let mut facts = table(&[]);
        facts.leaking.insert(oid(9), Leaks::NoUpstreamRefs);
        let lines = [
            line("x", oid(9), "refs/heads/x", null()),
            line("y", oid(8), "refs/heads/y", null()),
        ];
        let blocked = decide(&lines, &to(Destination::Other), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![&Reason::NoUpstreamRefs { unchecked: None }]
        );
    }

    fn names(destination: Destination) -> Names<'static> {
        Names {
            remote: "security",
            url: "/srv/security.git",
            upstream: "upstream",
            upstream_url: "/srv/upstream.git",
            security: "security",
            branch: "main",
            destination,
        }
    }

    fn blocked(line: PushLine, reason: Reason) -> Blocked {
        Blocked {
            line,
            reason,
            via: None,
        }
    }

    #[test]
    fn the_explanation_names_the_ref_the_commits_and_what_to_run() {
        let blocked = vec![blocked(
            line("main@{1 minute ago}", oid(3), "refs/heads/main", oid(1)),
            Reason::AheadOfUpstream {
                commits: vec![info(oid(3))],
            },
        )];
        let (text, refusal) = explain(&blocked, &names(Destination::Mirror));
        assert_eq!(
            text,
            "push-duty: refusing main@{1 minute ago} -> refs/heads/main on the security mirror (/srv/security.git)\n  \
             the security mirror's main must never be ahead of upstream/main (just fetched); this commit is not on it:\n    \
             0303030 commit 3\n"
        );
        assert_eq!(
            refusal.to_string(),
            "the git-push-duty pre-push hook refused a ref: nothing was pushed to /srv/security.git"
        );
        assert_eq!(
            refusal.hints(),
            [
                "push to the upstream first: git push upstream 'main@{1 minute ago}':refs/heads/main",
                "then update the mirror from it: git push security upstream/main:refs/heads/main",
                "in an emergency, git push --no-verify skips this check",
            ]
        );
    }

    #[test]
    fn the_explanation_of_a_symbolic_ref_says_where_it_leads() {
        let mut b = blocked(
            line("fix", oid(3), "refs/heads/release", null()),
            Reason::AheadOfUpstream {
                commits: vec![info(oid(3))],
            },
        );
        b.via = Some("refs/heads/release is a symbolic ref to refs/heads/main".into());
        let (text, _) = explain(&[b], &names(Destination::Mirror));
        assert!(
            text.contains(
                "  on the mirror refs/heads/release is a symbolic ref to refs/heads/main: pushing to refs/heads/release moves the mirror's main\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn the_explanation_of_a_leak_names_the_security_branch_and_caps_the_list() {
        let leaks: Vec<Leak> = (1..=12)
            .map(|n| Leak {
                commit: info(oid(n)),
                security_ref: "security/fix-xss".into(),
            })
            .collect();
        let blocked = vec![blocked(
            line("feature", oid(1), "refs/heads/feature", null()),
            Reason::Leak {
                leaks,
                unchecked: None,
            },
        )];
        let (text, refusal) = explain(&blocked, &names(Destination::Other));
        assert!(
            text.contains("would publish 12 embargoed security fixes"),
            "{text}"
        );
        assert!(text.contains("    ... and 2 more\n"), "{text}");
        assert!(text.ends_with("  from security/fix-xss\n"), "{text}");
        assert!(refusal.hints()[0].contains("git push security <fix-branch>"));
    }

    #[test]
    fn every_reason_explains_itself_and_offers_the_bypass() {
        let all = [
            Reason::DeletesMirrorBranch,
            Reason::UpstreamUnreachable { detail: "x".into() },
            Reason::NoUpstreamRemote,
            Reason::UpstreamHasNoBranch,
            Reason::NotACommit("blob".into()),
            Reason::MissingObject,
            Reason::NoUpstreamRefs { unchecked: None },
            Reason::ContentElsewhere("blob".into()),
            Reason::MirrorRefsUnknown { detail: "x".into() },
            Reason::MirrorHasNoBranch,
            Reason::TagOnBranch,
        ];
        for reason in all {
            let blocked = vec![blocked(
                line("a b", oid(1), "refs/heads/main", null()),
                reason.clone(),
            )];
            let (text, refusal) = explain(&blocked, &names(Destination::Mirror));
            assert!(text.starts_with("push-duty: refusing a b -> refs/heads/main"));
            assert_eq!(text.lines().count(), 2, "{reason:?}: {text}");
            assert_eq!(
                refusal.hints().last().map(String::as_str),
                Some("in an emergency, git push --no-verify skips this check")
            );
        }
    }

    #[test]
    fn a_tree_elsewhere_says_it_is_rare_and_how_to_push_it_anyway() {
        let blocked = vec![blocked(
            line("fix-xss^{tree}", oid(1), "refs/tags/t", null()),
            Reason::ContentElsewhere("tree".into()),
        )];
        let mut n = names(Destination::Other);
        n.remote = "fork";
        let (text, refusal) = explain(&blocked, &n);
        assert!(text.contains("it is a tree, not a commit"), "{text}");
        assert!(text.contains("such pushes are rare"), "{text}");
        assert_eq!(
            refusal.hints()[0],
            "if it holds nothing from the security mirror, push it with: git push --no-verify fork 'fix-xss^{tree}:refs/tags/t'"
        );
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("HEAD~1"), "HEAD~1");
        assert_eq!(shell_word("main@{1 minute ago}"), "'main@{1 minute ago}'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
