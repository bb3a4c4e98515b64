//! Leaks that are not commits, and leaks that are public by now: a tree, a blob or a tag of one
//! pushed anywhere but the mirror is refused (it may hold a fix's files); a fix a colleague has
//! already published through the upstream's main passes, after one look at the live upstream;
//! and a push that carries nothing from the mirror never touches the network.

mod common;

use common::{TestRepo, Text};

#[test]
fn a_tree_a_blob_and_tags_of_them_are_refused_on_the_fork() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["tag", "-a", "-m", "tree", "tree-tag", "fix-xss^{tree}"]);
    let blob = repo.rev("fix-xss:xss.txt");
    repo.git(&["tag", "-a", "-m", "blob", "blob-tag", &blob]);
    for (spec, kind) in [
        ("fix-xss^{tree}:refs/tags/t".to_owned(), "tree"),
        (format!("{blob}:refs/tags/b"), "blob"),
        ("tree-tag".to_owned(), "tree"),
        ("blob-tag".to_owned(), "blob"),
    ] {
        let run = repo.push(&["fork", &spec]).refused();
        run.stderr_has(&format!("it is a {kind}, not a commit: it may hold an embargoed fix's files, and only the security mirror may get those; such pushes are rare"))
            .stderr_has("hint: if it holds nothing from the security mirror, push it with: git push --no-verify fork");
        if spec.starts_with("fix-xss^{tree}") {
            // One of them whole, as the user reads it.
            insta::assert_snapshot!("reason_content_elsewhere", repo.hook_said(&run));
        }
        assert_eq!(repo.ls_remote(&fork), "", "{spec}");
    }
    // Also to the upstream, its main included.
    let before = repo.ls_remote(&repo.upstream);
    repo.push(&["upstream", "fix-xss^{tree}:refs/tags/t"])
        .refused();
    repo.push(&["upstream", "+tree-tag:refs/heads/main"])
        .refused();
    assert_eq!(repo.ls_remote(&repo.upstream), before);
    // The way out, for the rare real case.
    repo.push(&["-q", "--no-verify", "fork", "fix-xss^{tree}:refs/tags/t"])
        .ok();
    repo.ls_remote(&fork).has("refs/tags/t");
}

#[test]
fn trees_and_blobs_to_the_mirror_pass() {
    let (repo, _, _) = TestRepo::guarded_with_fix();
    repo.push(&["-q", "security", "fix-xss^{tree}:refs/tags/t"])
        .silent();
    repo.ls_remote(&repo.mirror()).has("refs/tags/t");
}

#[test]
fn a_tree_pushed_onto_the_mirrors_main_is_refused() {
    // Only upstream commits may be on the mirror's main: a tree there is refused, and a fix
    // branch of the same tree still passes.
    let (repo, _, _) = TestRepo::guarded_with_fix();
    let before = repo.ls_remote(&repo.mirror());
    let run = repo
        .push(&["security", "fix-xss^{tree}:refs/heads/main"])
        .refused();
    run.stderr_has("refusing fix-xss^{tree} -> refs/heads/main on the security mirror")
        .stderr_has(
            "it points to a tree, not a commit; the mirror's main holds only upstream commits",
        );
    insta::assert_snapshot!("reason_not_a_commit", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

/// A colleague merges `fix-xss` into the upstream's main and pushes it; this clone does not
/// fetch, so its `refs/remotes/upstream/main` still says the fix is embargoed.
fn colleague_releases(repo: &TestRepo) {
    let other = repo.root().join("colleague");
    repo.git_in(&repo.root(), &["clone", "-q", "upstream.git", "colleague"]);
    repo.git_in(&other, &["fetch", "-q", "../security.git", "fix-xss"]);
    repo.git_in(&other, &["merge", "-q", "--no-edit", "FETCH_HEAD"]);
    repo.git_in(&other, &["push", "-q", "origin", "HEAD:main"]);
}

#[test]
fn a_fix_a_colleague_has_published_passes_after_a_live_look() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    colleague_releases(&repo);
    let stale = repo.rev("refs/remotes/upstream/main");
    repo.push(&["-q", "fork", "fix-xss"]).silent();
    repo.ls_remote(&fork).has(&fix);
    repo.git(&["tag", "-a", "-m", "t", "with-fix", "fix-xss"]);
    repo.push(&["-q", "fork", "with-fix"]).silent();
    assert_eq!(
        repo.rev("refs/remotes/upstream/main"),
        stale,
        "the live look writes no ref"
    );
}

#[test]
fn a_push_carrying_nothing_from_the_mirror_stays_offline() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    // Any network use would now fail: the upstream is gone.
    repo.lose_upstream();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let work = repo.commit("feature.txt", "feature\n", "Feature");
    repo.push(&["-q", "fork", "feature"]).silent();
    repo.ls_remote(&fork).has(&work);
    // A leak still refuses, saying the live upstream could not be asked.
    let run = repo.push(&["fork", "fix-xss"]).refused();
    run.stderr_has(&fix[..7]).stderr_has(
        "(the upstream could not be listed to check again: cannot reach remote upstream",
    );
    insta::assert_snapshot!("reason_leak_unchecked", repo.hook_said(&run));
    repo.ls_remote(&fork).lacks(&fix);
}

/// Found by the model test: an annotated tag of a fix pushed onto the upstream's main passed the
/// hook (the upstream's release branch is where fixes are published), and the upstream, which
/// refuses a tag on a branch, kept every object it had received, the fix's among them. Only a
/// commit is the release merge; the commit itself still passes.
#[test]
fn a_tag_object_pushed_onto_the_upstreams_main_is_refused() {
    let (repo, _, fix) = TestRepo::guarded_with_fix();
    repo.git(&["tag", "-a", "-m", "the fix", "fix-tag", "fix-xss"]);
    let before = repo.ls_remote(&repo.upstream);
    let run = repo
        .push(&["upstream", "fix-tag:refs/heads/main"])
        .refused();
    run.stderr_has("refusing refs/tags/fix-tag -> refs/heads/main on the upstream")
        .stderr_has("it is an annotated tag, not a commit: a branch holds commits")
        .stderr_has(
            "hint: push the commit it tags: git push upstream 'refs/tags/fix-tag^{commit}:refs/heads/main'",
        );
    insta::assert_snapshot!("reason_tag_on_branch", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.upstream), before);
    let in_upstream = repo.try_git_in(&repo.upstream, &["cat-file", "-e", &fix]);
    assert_ne!(
        in_upstream.status, 0,
        "the fix reached the upstream's objects"
    );
    // The release merge itself, a commit, passes.
    repo.git(&["merge", "-q", "--no-edit", "fix-xss"]);
    repo.push(&["-q", "upstream", "main"]).silent();
}

/// Found by the model test (seed 110 of its long mode): a fix pushed onto the upstream's main
/// after a colleague's push not fetched here. git refuses that update ("fetch first") after the
/// hook has passed it, but still sends the fix's objects, and the upstream keeps them. The hook
/// now refuses an update of the upstream's main that is not a fast-forward from what it has.
#[test]
fn a_release_push_onto_an_upstream_main_that_moved_is_refused_before_git_sends_it() {
    let (repo, _, fix) = TestRepo::guarded_with_fix();
    repo.upstream_commit("colleague.txt", "theirs\n", "A colleague's merge");
    let before = repo.ls_remote(&repo.upstream);
    let run = repo
        .push(&[
            "upstream",
            "refs/heads/main:refs/heads/feature",
            "fix-xss:main",
        ])
        .refused();
    run.stderr_has("refusing refs/heads/fix-xss -> refs/heads/main on the upstream")
        .stderr_has("which this push does not build on: git would refuse the update")
        .stderr_has("hint: build on it: git fetch upstream main, then merge");
    insta::assert_snapshot!("reason_not_fast_forward", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.upstream), before, "nothing pushed");
    let in_upstream = repo.try_git_in(&repo.upstream, &["cat-file", "-e", &fix]);
    assert_ne!(
        in_upstream.status, 0,
        "the fix reached the upstream's objects"
    );
    // Built on the upstream's main as it is now, the release merge goes through.
    repo.git(&["fetch", "-q", "upstream"]);
    repo.git(&["switch", "-q", "-c", "release", "upstream/main"]);
    repo.git(&["merge", "-q", "--no-edit", "fix-xss"]);
    repo.push(&["-q", "upstream", "release:main"]).silent();
    assert_eq!(
        repo.branch_of(&repo.upstream, "main"),
        Some(repo.rev("release"))
    );
}
