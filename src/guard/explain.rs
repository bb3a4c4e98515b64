//! The explanation of a refusal, for the person who pushed: which ref, which commits, why, and
//! on `hint:` lines what to run instead. Pure: it takes the decision's [`Blocked`] refs and the
//! names to show.

use crate::error::Refusal;

use super::decide::{Blocked, Destination, Reason};
use super::facts::CommitInfo;

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
    /// Where to check the upstream's URL, when it could not be reached while deciding (the
    /// hint of the git layer's typed error, which the decision's words do not carry).
    pub upstream_url_hint: Option<&'a str>,
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
            Reason::NotFastForward => {
                text.push_str(&format!(
                    "  the upstream's {b} is at {} (a push not fetched here?), which this push does not build on: git would refuse the update (or, forced, rewind the public {b}), and the upstream would keep the objects it was sent, the fixes' among them\n",
                    line.remote.to_hex_with_len(7),
                    b = names.branch
                ));
                hint(format!(
                    "build on it: git fetch {r} {b}, then merge; for a security fix, git push-duty security-merge <fix-branch> merges onto the upstream's {b} and pushes in order",
                    r = shell_word(names.remote),
                    b = names.branch
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
    if let Some(url_hint) = names.upstream_url_hint {
        hint(url_hint.to_owned());
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

/// Quotes a word for a shell command line when it needs it, so a hint can be pasted as it is.
/// Ref names and remotes are mostly plain, and `HEAD~1` or `main^` read better unquoted (neither
/// `~` nor `^` is special inside a word), so those stay as they are. A word without a single quote
/// goes whole into single quotes, where every POSIX shell takes it literally and a reader sees one
/// piece (`'fix-xss^{tree}:refs/tags/t'`). A word with one is quoted by `shlex`, which knows the
/// shell's corners (`"it's"`). A NUL byte cannot be in a ref or a remote git hands the hook, nor
/// be given to a shell; it is shown escaped rather than dropped.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@+=,%^~".contains(c));
    if plain {
        word.to_owned()
    } else if word.contains('\'') {
        match shlex::try_quote(word) {
            Ok(quoted) => quoted.into_owned(),
            Err(_) => format!("'{}'", word.escape_default()),
        }
    } else if word.contains('\0') {
        format!("'{}'", word.escape_default())
    } else {
        format!("'{word}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::facts::Leak;
    use crate::guard::input::PushLine;
    use crate::guard::testing::{info, line, null, oid};

    fn names(destination: Destination) -> Names<'static> {
        Names {
            remote: "security",
            url: "/srv/security.git",
            upstream: "upstream",
            upstream_url: "/srv/upstream.git",
            security: "security",
            branch: "main",
            destination,
            upstream_url_hint: None,
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
            Reason::NotFastForward,
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
    fn an_unreachable_upstream_says_where_to_check_its_url_before_the_bypass() {
        let blocked = vec![blocked(
            line("main", oid(1), "refs/heads/main", null()),
            Reason::UpstreamUnreachable {
                detail: "cannot reach remote upstream (/srv/gone.git): not found".into(),
            },
        )];
        let mut n = names(Destination::Mirror);
        n.upstream_url_hint = Some("check the URL with: git remote get-url upstream");
        let (_, refusal) = explain(&blocked, &n);
        assert_eq!(
            refusal.hints(),
            [
                "check the connection and the URL, then try again: git ls-remote upstream refs/heads/main",
                "check the URL with: git remote get-url upstream",
                "in an emergency, git push --no-verify skips this check",
            ]
        );
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
        assert_eq!(shell_word("it's"), "\"it's\"");
        for word in [
            "it's",
            "main@{1 minute ago}",
            "a b",
            "$HOME",
            "`x`",
            "é",
            "!x",
            "^x",
            "",
        ] {
            let quoted = shell_word(word);
            assert_eq!(
                shlex::split(&quoted),
                Some(vec![word.to_owned()]),
                "{word:?} -> {quoted}"
            );
        }
        assert_eq!(shell_word("a\0b"), "'a\\u{0}b'");
        assert_eq!(shell_word(""), "''");
    }
}
