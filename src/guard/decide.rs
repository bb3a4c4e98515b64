//! The decision: given git's lines for one push URL, where that URL leads, and the answers of
//! [`Facts`], which refs to refuse and why (the rules are in [`crate::guard`]). No I/O here; the
//! tests answer the questions from tables.

use super::facts::{CommitInfo, DestinationRef, Facts, Leak, Leaks, Live, Peeled};
use super::input::PushLine;

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
    /// The upstream's release branch is at a commit the pushed one does not contain (not here,
    /// or not an ancestor): git refuses the update (or, forced, rewinds the public branch) but
    /// sends the pushed commits' objects first, and the upstream keeps them.
    NotFastForward,
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
                    // Found by the model: a release merge onto a main that moved since it was
                    // fetched is refused by git, after its objects (the fixes') were sent.
                    (false, Peeled::Commit(commit))
                        if !line.remote.is_null()
                            && !facts.fast_forward(line.remote, commit)? =>
                    {
                        Some(Reason::NotFastForward)
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

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use gix::ObjectId;

    use super::*;
    use crate::guard::testing::{info, line, null, oid};

    /// Answers from tables; records what was asked.
    #[derive(Default)]
    struct Table {
        /// Tag objects and what they peel to.
        tags: HashMap<ObjectId, ObjectId>,
        trees: HashSet<ObjectId>,
        missing: HashSet<ObjectId>,
        /// Commits on the upstream's live branch, whose tip is `tip()`.
        upstream: HashSet<ObjectId>,
        /// Remote values a push would not fast-forward from (not here, or diverged).
        diverged: HashSet<ObjectId>,
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
        fn fast_forward(&mut self, old: ObjectId, _new: ObjectId) -> anyhow::Result<bool> {
            Ok(!self.diverged.contains(&old))
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
        // Onto a main that moved since it was fetched: git would refuse it after sending it.
        let mut facts = table(&[]);
        facts.diverged.insert(oid(1));
        let blocked = decide(&release, &to(Destination::Upstream), &mut facts).unwrap();
        assert_eq!(blocked.len(), 1);
        assert_eq!(blocked[0].reason, Reason::NotFastForward);
        // A new main, or a deletion, has nothing to fast-forward from.
        let created = [line("main", oid(9), "refs/heads/main", null())];
        assert_eq!(
            decide(&created, &to(Destination::Upstream), &mut facts).unwrap(),
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

    #[test]
    fn a_servers_pre_receive_lines_are_decided_by_the_same_rules() {
        // On the mirror itself every update is a push to the mirror.
        let input = format!(
            "{old} {ahead} refs/heads/main\n{old} {null} refs/heads/main\n{null} {ahead} refs/heads/fix\n",
            old = oid(1),
            ahead = oid(3),
            null = null(),
        );
        let lines = crate::guard::input::parse_pre_receive(&input, gix::hash::Kind::Sha1).unwrap();
        let mut facts = table(&[1]);
        facts.mirror_refs.push(plain("refs/heads/fix"));
        let blocked = decide(&lines, &mirror(), &mut facts).unwrap();
        assert_eq!(
            reasons(&blocked),
            vec![
                &Reason::AheadOfUpstream {
                    commits: vec![info(oid(3))]
                },
                &Reason::DeletesMirrorBranch,
            ]
        );
    }
}
