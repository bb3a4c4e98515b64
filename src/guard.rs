//! The pre-push decision: given git's lines for one push URL, where that URL leads, and answers
//! about the repository's history, which refs to refuse and why. No I/O here: the questions go
//! through [`Facts`], which the git layer answers from local refs (and, once, from a fetch of the
//! upstream branch); the tests answer them from tables.
//!
//! The rules: (1) on the security mirror, the release branch is never deleted and never holds a
//! commit the upstream's release branch does not have, judged from its tracking ref, which is
//! refreshed once if it says no; (2) anywhere else, no ref may carry commits that only the
//! security mirror has (an embargoed fix), except the upstream's own release branch, which is how
//! fixes are published at release time.

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
    /// A tree or blob (possibly behind tags): carries no commits.
    NotACommit(String),
    /// Not in the local object database.
    Missing,
}

/// Whether a commit is on the upstream's release branch, per its tracking ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ancestry {
    /// The tip or one of its ancestors.
    OnUpstream,
    NotOnUpstream,
    /// `refs/remotes/<upstream>/<branch>` does not exist.
    NoTrackingRef,
    /// There is no remote named like `pushduty.upstream`.
    NoUpstreamRemote,
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

/// The questions the decision asks about the repository.
pub trait Facts {
    /// Peels `id` through tags.
    fn peel(&mut self, id: ObjectId) -> anyhow::Result<Peeled>;
    /// Is `commit` on the upstream's release branch, as its tracking ref says now?
    fn on_upstream(&mut self, commit: ObjectId) -> anyhow::Result<Ancestry>;
    /// Fetches the upstream's release branch into its tracking ref; `Err` says why it failed.
    fn refresh_upstream(&mut self) -> Result<(), String>;
    /// The commits of `commit` that the tracking ref does not have, newest first.
    fn not_on_upstream(&mut self, commit: ObjectId) -> anyhow::Result<Vec<CommitInfo>>;
    /// Commits reachable from `new` and from a security mirror ref, but from no upstream ref and
    /// not from `old` (what the destination already has, when known locally).
    fn leaks(&mut self, new: ObjectId, old: ObjectId) -> anyhow::Result<Leaks>;
}

/// Why a ref is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Deleting the mirror's release branch.
    DeletesMirrorBranch,
    /// The mirror's release branch would hold commits the upstream's does not.
    AheadOfUpstream {
        commits: Vec<CommitInfo>,
        /// True if the tracking ref was refreshed before judging.
        fetched: bool,
    },
    /// The tracking ref is stale and the upstream could not be fetched.
    UpstreamUnreachable {
        detail: String,
        commits: Vec<CommitInfo>,
    },
    NoTrackingRef,
    NoUpstreamRemote,
    /// The mirror's release branch would point to a tree or blob.
    NotACommit(String),
    /// The pushed object is not in this repository.
    MissingObject,
    /// Embargoed commits going somewhere other than the mirror.
    Leak(Vec<Leak>),
    /// The mirror's commits are pushed and nothing says which are public.
    NoUpstreamRefs,
}

/// One refused ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub line: PushLine,
    pub reason: Reason,
}

/// The settings the decision needs.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub destination: Destination,
    /// The release branch's short name (`main`).
    pub branch: &'a str,
}

/// Decides every line; the push goes through only if the result is empty.
pub fn decide(
    lines: &[PushLine],
    ctx: &Context<'_>,
    facts: &mut dyn Facts,
) -> anyhow::Result<Vec<Blocked>> {
    let release_ref = format!("refs/heads/{}", ctx.branch);
    let mut refreshed: Option<Result<(), String>> = None;
    let mut blocked = Vec::new();
    for line in lines {
        let reason = match ctx.destination {
            Destination::Mirror if line.remote_ref == release_ref => {
                mirror_branch(line, facts, &mut refreshed)?
            }
            Destination::Mirror => None,
            Destination::Upstream if line.remote_ref == release_ref => None,
            Destination::Upstream | Destination::Other => leak(line, facts)?,
        };
        if let Some(reason) = reason {
            blocked.push(Blocked {
                line: line.clone(),
                reason,
            });
        }
    }
    Ok(blocked)
}

fn mirror_branch(
    line: &PushLine,
    facts: &mut dyn Facts,
    refreshed: &mut Option<Result<(), String>>,
) -> anyhow::Result<Option<Reason>> {
    if line.is_deletion() {
        return Ok(Some(Reason::DeletesMirrorBranch));
    }
    let commit = match facts.peel(line.local)? {
        Peeled::Commit(id) => id,
        Peeled::NotACommit(kind) => return Ok(Some(Reason::NotACommit(kind))),
        Peeled::Missing => return Ok(Some(Reason::MissingObject)),
    };
    match facts.on_upstream(commit)? {
        Ancestry::OnUpstream => return Ok(None),
        Ancestry::NoTrackingRef => return Ok(Some(Reason::NoTrackingRef)),
        Ancestry::NoUpstreamRemote => return Ok(Some(Reason::NoUpstreamRemote)),
        Ancestry::NotOnUpstream => {}
    }
    // The tracking ref may be stale: fetch once per push, then judge again.
    let fetched = refreshed
        .get_or_insert_with(|| facts.refresh_upstream())
        .clone();
    if let Err(detail) = fetched {
        let commits = facts.not_on_upstream(commit)?;
        return Ok(Some(Reason::UpstreamUnreachable { detail, commits }));
    }
    Ok(match facts.on_upstream(commit)? {
        Ancestry::OnUpstream => None,
        Ancestry::NoTrackingRef => Some(Reason::NoTrackingRef),
        Ancestry::NoUpstreamRemote => Some(Reason::NoUpstreamRemote),
        Ancestry::NotOnUpstream => Some(Reason::AheadOfUpstream {
            commits: facts.not_on_upstream(commit)?,
            fetched: true,
        }),
    })
}

fn leak(line: &PushLine, facts: &mut dyn Facts) -> anyhow::Result<Option<Reason>> {
    if line.is_deletion() {
        return Ok(None);
    }
    let commit = match facts.peel(line.local)? {
        Peeled::Commit(id) => id,
        // A tag of a tree or blob carries no commit, so no fix.
        Peeled::NotACommit(_) => return Ok(None),
        Peeled::Missing => return Ok(Some(Reason::MissingObject)),
    };
    Ok(match facts.leaks(commit, line.remote)? {
        Leaks::None => None,
        Leaks::Found(leaks) => Some(Reason::Leak(leaks)),
        Leaks::NoUpstreamRefs => Some(Reason::NoUpstreamRefs),
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
        let source = shell_word(&line.local_ref);
        let mirror_then = format!(
            "then update the mirror from it: git push {} {}:refs/heads/{}",
            shell_word(names.remote),
            tracking,
            names.branch
        );
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
            Reason::AheadOfUpstream { commits, fetched } => {
                let fresh = if *fetched { " (just fetched)" } else { "" };
                text.push_str(&format!(
                    "  the security mirror's {} must never be ahead of {tracking}{fresh}; {} not on it:\n",
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
            Reason::UpstreamUnreachable { detail, commits } => {
                text.push_str(&format!(
                    "  {} not on {tracking} as last fetched, and the upstream could not be fetched to check again: {detail}\n",
                    count(commits.len(), "this commit is", "these commits are")
                ));
                list(&mut text, commits);
                hint(format!(
                    "check the connection, then: git fetch {} {}",
                    names.upstream, names.branch
                ));
            }
            Reason::NoTrackingRef => {
                text.push_str(&format!(
                    "  refs/remotes/{tracking} does not exist, so nothing says the commit is on the upstream\n"
                ));
                hint(format!(
                    "fetch it: git fetch {} {}",
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
            Reason::NotACommit(kind) => {
                text.push_str(&format!(
                    "  it points to a {kind}, not a commit; the mirror's {} holds only upstream commits\n",
                    names.branch
                ));
            }
            Reason::MissingObject => {
                text.push_str("  the pushed object is not in this repository\n");
            }
            Reason::Leak(leaks) => {
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
                hint(format!(
                    "a fix branch goes to the security mirror only: git push {} <fix-branch>",
                    names.security
                ));
                hint(format!(
                    "fixes are published at release time through {tracking}; keep them out of other branches until then"
                ));
            }
            Reason::NoUpstreamRefs => {
                text.push_str(&format!(
                    "  it carries commits from the security mirror ({}/*) and there are no refs/remotes/{}/* to tell which are public\n",
                    names.security, names.upstream
                ));
                hint(format!("fetch the upstream: git fetch {}", names.upstream));
                hint("or name the remote you use: git config pushduty.upstream <remote>".into());
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
        /// Commits on the upstream branch before and after a refresh.
        upstream: HashSet<ObjectId>,
        after_fetch: Option<HashSet<ObjectId>>,
        fetch_fails: bool,
        tracking: Option<Ancestry>,
        /// Commit -> leaked commits.
        leaking: HashMap<ObjectId, Leaks>,
        fetches: usize,
        leak_questions: Vec<(ObjectId, ObjectId)>,
    }

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
        fn on_upstream(&mut self, commit: ObjectId) -> anyhow::Result<Ancestry> {
            if let Some(a) = self.tracking {
                return Ok(a);
            }
            Ok(if self.upstream.contains(&commit) {
                Ancestry::OnUpstream
            } else {
                Ancestry::NotOnUpstream
            })
        }
        fn refresh_upstream(&mut self) -> Result<(), String> {
            self.fetches += 1;
            if self.fetch_fails {
                return Err("cannot reach remote upstream".into());
            }
            if let Some(after) = self.after_fetch.take() {
                self.upstream = after;
            }
            Ok(())
        }
        fn not_on_upstream(&mut self, commit: ObjectId) -> anyhow::Result<Vec<CommitInfo>> {
            Ok(if self.upstream.contains(&commit) {
                vec![]
            } else {
                vec![info(commit)]
            })
        }
        fn leaks(&mut self, new: ObjectId, old: ObjectId) -> anyhow::Result<Leaks> {
            self.leak_questions.push((new, old));
            Ok(self.leaking.get(&new).cloned().unwrap_or(Leaks::None))
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

    fn table(upstream: &[u8]) -> Table {
        Table {
            upstream: upstream.iter().map(|n| oid(*n)).collect(),
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
    fn the_upstream_tip_or_an_ancestor_to_the_mirror_passes_without_a_fetch() {
        let mut facts = table(&[1, 2]);
        let lines = [line("main", oid(2), "refs/heads/main", oid(1))];
        assert_eq!(decide(&lines, &mirror(), &mut facts).unwrap(), vec![]);
        assert_eq!(facts.fetches, 0);
    }

    #[test]
    fn a_commit_not_on_the_upstream_is_refused_after_one_fetch() {
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
                    fetched: true
                },
                &Reason::AheadOfUpstream {
                    commits: vec![info(oid(4))],
                    fetched: true
                }
            ]
        );
        assert_eq!(facts.fetches, 1, "one fetch per push");
    }

    #[test]
    fn a_stale_tracking_ref_is_refreshed_and_then_passes() {
        let mut facts = table(&[1]);
        facts.after_fetch = Some([oid(1), oid(2)].into_iter().collect());
        let lines = [line("main", oid(2), "refs/heads/main", oid(1))];
        assert_eq!(decide(&lines, &mirror(), &mut facts).unwrap(), vec![]);
        assert_eq!(facts.fetches, 1);
    }

    #[test]
    fn an_unreachable_upstream_refuses_and_lists_the_commits() {
        let mut facts = table(&[1]);
        facts.fetch_fails = true;
        let lines = [line("main", oid(2), "refs/heads/main", oid(1))];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![&Reason::UpstreamUnreachable {
                detail: "cannot reach remote upstream".into(),
                commits: vec![info(oid(2))]
            }]
        );
    }

    #[test]
    fn no_tracking_ref_or_no_upstream_remote_refuses_without_fetching() {
        for (tracking, reason) in [
            (Ancestry::NoTrackingRef, Reason::NoTrackingRef),
            (Ancestry::NoUpstreamRemote, Reason::NoUpstreamRemote),
        ] {
            let mut facts = table(&[]);
            facts.tracking = Some(tracking);
            let lines = [line("main", oid(2), "refs/heads/main", oid(1))];
            let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
            assert_eq!(reasons(&blocked), vec![&reason]);
            assert_eq!(facts.fetches, 0);
        }
    }

    #[test]
    fn deleting_the_mirror_branch_is_refused() {
        let mut facts = table(&[1]);
        let lines = [line("(delete)", null(), "refs/heads/main", oid(1))];
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(reasons(&blocked), vec![&Reason::DeletesMirrorBranch]);
    }

    #[test]
    fn other_refs_on_the_mirror_pass_whatever_they_carry() {
        let mut facts = table(&[]);
        facts.leaking.insert(oid(9), Leaks::Found(vec![]));
        let lines = [
            line("fix", oid(9), "refs/heads/fix-xss", null()),
            line("(delete)", null(), "refs/heads/old-fix", oid(9)),
            line("v1", oid(9), "refs/tags/v1", null()),
            line("main", oid(9), "refs/heads/mainline", null()),
        ];
        assert_eq!(decide(&lines, &mirror(), &mut facts).unwrap(), vec![]);
        assert!(
            facts.leak_questions.is_empty(),
            "no leak guard on the mirror"
        );
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
                vec![(oid(9), oid(1)), (oid(2), null())]
            );
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
    fn the_leak_guard_peels_tags_and_ignores_deletions_and_trees() {
        let mut facts = table(&[]);
        facts.tags.insert(oid(7), oid(9));
        facts.trees.insert(oid(6));
        facts.leaking.insert(oid(9), leak_of(9));
        let lines = [
            line("(delete)", null(), "refs/heads/x", oid(9)),
            line("t", oid(6), "refs/tags/tree", null()),
        ];
        assert_eq!(
            decide(&lines, &to(Destination::Other), &mut facts).unwrap(),
            vec![]
        );
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
        assert_eq!(reasons(&blocked), vec![&Reason::NoUpstreamRefs]);
    }

    fn names(destination: Destination) -> Names<'static> {
        Names {
            remote: "security",
            url: "/srv/security.git",
            upstream: "upstream",
            security: "security",
            branch: "main",
            destination,
        }
    }

    #[test]
    fn the_explanation_names_the_ref_the_commits_and_what_to_run() {
        let blocked = vec![Blocked {
            line: line("main@{1 minute ago}", oid(3), "refs/heads/main", oid(1)),
            reason: Reason::AheadOfUpstream {
                commits: vec![info(oid(3))],
                fetched: true,
            },
        }];
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
    fn the_explanation_of_a_leak_names_the_security_branch_and_caps_the_list() {
        let leaks: Vec<Leak> = (1..=12)
            .map(|n| Leak {
                commit: info(oid(n)),
                security_ref: "security/fix-xss".into(),
            })
            .collect();
        let blocked = vec![Blocked {
            line: line("feature", oid(1), "refs/heads/feature", null()),
            reason: Reason::Leak(leaks),
        }];
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
            Reason::UpstreamUnreachable {
                detail: "x".into(),
                commits: vec![],
            },
            Reason::NoTrackingRef,
            Reason::NoUpstreamRemote,
            Reason::NotACommit("blob".into()),
            Reason::MissingObject,
            Reason::NoUpstreamRefs,
        ];
        for reason in all {
            let blocked = vec![Blocked {
                line: line("a b", oid(1), "refs/heads/main", null()),
                reason: reason.clone(),
            }];
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
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("HEAD~1"), "HEAD~1");
        assert_eq!(shell_word("main@{1 minute ago}"), "'main@{1 minute ago}'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
