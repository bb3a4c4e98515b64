//! The server guard's decision, for the security mirror's own `pre-receive` hook: which updates
//! of a push to refuse. Pure; the repository is asked through [`ServerFacts`].
//!
//! The rules: an update of the release branch, or of any ref that is a symbolic ref to it in the
//! mirror (`HEAD`, `refs/heads/release -> refs/heads/main`), is refused when it deletes the branch
//! or when its new commit is not in the history of the upstream's release branch as the upstream
//! lists it right now. Every other ref (fix branches, tags) passes. The upstream is asked only
//! when a release-branch update needs it, once per push. Anything that cannot be decided is an
//! error, which the hook turns into a refusal of the whole push.

use anyhow::Result;
use gix::ObjectId;

use super::input::PushLine;

/// What the decision asks about the mirror and the upstream.
pub trait ServerFacts {
    /// The ref `name` finally points to in the mirror, following symbolic refs; `name` itself
    /// when it is not symbolic or does not exist yet.
    fn resolve(&mut self, name: &str) -> Result<String>;
    /// The commit the upstream's release branch points to right now (asked once per push).
    fn upstream_tip(&mut self) -> Result<ObjectId>;
    /// True if `commit` is `tip` or one of its ancestors on the upstream.
    fn upstream_contains(&mut self, tip: ObjectId, commit: ObjectId) -> Result<bool>;
}

/// Why an update is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The release branch (or a symbolic ref to it) would be deleted.
    Deletion { name: String },
    /// The release branch would hold `new`, which the upstream's branch (at `tip`) lacks.
    NotOnUpstream {
        name: String,
        new: ObjectId,
        tip: ObjectId,
    },
}

impl Refused {
    /// The ref as pushed.
    pub fn name(&self) -> &str {
        match self {
            Refused::Deletion { name } | Refused::NotOnUpstream { name, .. } => name,
        }
    }
}

/// The updates of `updates` to refuse, in order; `release` is `refs/heads/<branch>`.
pub fn decide(
    updates: &[PushLine],
    release: &str,
    facts: &mut dyn ServerFacts,
) -> Result<Vec<Refused>> {
    let mut refused = Vec::new();
    let mut tip: Option<ObjectId> = None;
    // The release branch may itself be a symbolic ref (main -> trunk): then a push to what it
    // points to moves it too.
    let release_target = facts.resolve(release)?;
    for update in updates {
        let name = &update.remote_ref;
        if name != release && name != &release_target {
            let target = facts.resolve(name)?;
            if target != release && target != release_target {
                continue;
            }
        }
        if update.is_deletion() {
            refused.push(Refused::Deletion { name: name.clone() });
            continue;
        }
        let tip = match tip {
            Some(tip) => tip,
            None => *tip.insert(facts.upstream_tip()?),
        };
        if !facts.upstream_contains(tip, update.local)? {
            refused.push(Refused::NotOnUpstream {
                name: name.clone(),
                new: update.local,
                tip,
            });
        }
    }
    Ok(refused)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::guard::input::parse_pre_receive;
    use crate::guard::testing::SHA1;

    fn id(c: char) -> ObjectId {
        ObjectId::from_hex(c.to_string().repeat(40).as_bytes()).expect("hex")
    }

    /// The upstream's main is at `a`, whose history holds `b`; `c` is only on the mirror.
    struct Fake {
        symrefs: BTreeMap<&'static str, &'static str>,
        asked: usize,
        reachable: bool,
        history: BTreeSet<ObjectId>,
    }

    impl Fake {
        fn new() -> Self {
            Fake {
                symrefs: [
                    ("HEAD", "refs/heads/main"),
                    ("refs/heads/release", "refs/heads/main"),
                ]
                .into(),
                asked: 0,
                reachable: true,
                history: [id('a'), id('b')].into(),
            }
        }
    }

    impl ServerFacts for Fake {
        fn resolve(&mut self, name: &str) -> Result<String> {
            Ok(self.symrefs.get(name).copied().unwrap_or(name).to_owned())
        }
        fn upstream_tip(&mut self) -> Result<ObjectId> {
            self.asked += 1;
            if self.reachable {
                Ok(id('a'))
            } else {
                Err(anyhow::anyhow!("cannot reach the upstream"))
            }
        }
        fn upstream_contains(&mut self, tip: ObjectId, commit: ObjectId) -> Result<bool> {
            assert_eq!(tip, id('a'));
            Ok(self.history.contains(&commit))
        }
    }

    fn lines(text: &str) -> Vec<PushLine> {
        let text = text
            .replace("@a", &"a".repeat(40))
            .replace("@b", &"b".repeat(40))
            .replace("@c", &"c".repeat(40))
            .replace("@z", &"0".repeat(40));
        parse_pre_receive(&text, SHA1).expect("valid")
    }

    #[test]
    fn the_release_branch_must_stay_within_the_upstream() {
        let mut facts = Fake::new();
        let got = decide(
            &lines("@b @a refs/heads/main\n"),
            "refs/heads/main",
            &mut facts,
        );
        assert_eq!(got.expect("decided"), vec![]);
        let got = decide(
            &lines("@a @b refs/heads/main\n"),
            "refs/heads/main",
            &mut facts,
        );
        assert_eq!(got.expect("decided"), vec![], "behind the upstream is fine");
        let got = decide(
            &lines("@a @c refs/heads/main\n"),
            "refs/heads/main",
            &mut facts,
        );
        assert_eq!(
            got.expect("decided"),
            vec![Refused::NotOnUpstream {
                name: "refs/heads/main".into(),
                new: id('c'),
                tip: id('a'),
            }]
        );
        let got = decide(
            &lines("@z @c refs/heads/main\n"),
            "refs/heads/main",
            &mut facts,
        );
        assert_eq!(
            got.expect("decided").len(),
            1,
            "creating main is judged too"
        );
    }

    #[test]
    fn symbolic_refs_to_it_are_it_and_deletions_are_refused() {
        let mut facts = Fake::new();
        let got = decide(
            &lines("@a @c HEAD\n@a @c refs/heads/release\n@a @z refs/heads/main\n@a @z HEAD\n"),
            "refs/heads/main",
            &mut facts,
        )
        .expect("decided");
        let names: Vec<&str> = got.iter().map(Refused::name).collect();
        assert_eq!(
            names,
            ["HEAD", "refs/heads/release", "refs/heads/main", "HEAD"]
        );
        assert!(matches!(got[2], Refused::Deletion { .. }));
        assert_eq!(facts.asked, 1, "the upstream is asked once per push");
    }

    #[test]
    fn a_release_branch_that_is_itself_symbolic_is_guarded_where_it_points() {
        let mut facts = Fake::new();
        facts.symrefs.insert("refs/heads/main", "refs/heads/trunk");
        facts.symrefs.insert("HEAD", "refs/heads/trunk");
        let got = decide(
            &lines("@a @c refs/heads/trunk\n@a @c HEAD\n@a @z refs/heads/trunk\n@z @c refs/heads/fix\n"),
            "refs/heads/main",
            &mut facts,
        )
        .expect("decided");
        let names: Vec<&str> = got.iter().map(Refused::name).collect();
        assert_eq!(names, ["refs/heads/trunk", "HEAD", "refs/heads/trunk"]);
    }

    #[test]
    fn other_refs_pass_without_asking_the_upstream() {
        let mut facts = Fake::new();
        facts.reachable = false;
        let got = decide(
            &lines(
                "@z @c refs/heads/fix-xss\n@a @z refs/heads/old\n@z @c refs/tags/v1\n@a @c refs/heads/main2\n",
            ),
            "refs/heads/main",
            &mut facts,
        );
        assert_eq!(got.expect("decided"), vec![]);
        assert_eq!(facts.asked, 0);
    }

    #[test]
    fn an_unreachable_upstream_is_an_error_not_a_pass() {
        let mut facts = Fake::new();
        facts.reachable = false;
        let got = decide(
            &lines("@z @c refs/heads/fix\n@a @b refs/heads/main\n"),
            "refs/heads/main",
            &mut facts,
        );
        assert!(got.is_err());
        // A deletion needs no upstream: refused, whatever the upstream says.
        let got = decide(
            &lines("@a @z refs/heads/main\n"),
            "refs/heads/main",
            &mut facts,
        );
        assert_eq!(got.expect("decided").len(), 1);
    }
}
