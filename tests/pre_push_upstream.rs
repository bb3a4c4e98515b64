//! How the guard knows what is on the upstream's main for a push to the mirror's: the upstream's
//! branch as the upstream lists it now over its fetch URL, never the tracking ref (stale, or
//! moved by a push that went to another repository); refusals when there is no upstream remote,
//! when the upstream cannot be reached, and for commits that are only like the upstream's.

mod common;

use common::{TestRepo, Text};

/// The upstream's main moved (a colleague pushed); this clone has the commit on its main but
/// `refs/remotes/upstream/main` is stale.
fn stale_tracking_ref(repo: &TestRepo) -> String {
    let theirs = repo.upstream_commit("theirs.txt", "theirs\n", "Their fix");
    let colleague = repo.root().join("colleague");
    repo.git(&["fetch", "-q", colleague.to_str().expect("utf-8"), "main"]);
    repo.git(&["merge", "-q", "--ff-only", "FETCH_HEAD"]);
    assert_ne!(repo.rev("refs/remotes/upstream/main"), theirs);
    theirs
}

#[test]
fn a_stale_tracking_ref_is_fetched_and_the_push_passes() {
    let repo = TestRepo::guarded();
    let theirs = stale_tracking_ref(&repo);
    repo.push(&["-q", "security", "main"]).silent();
    assert_eq!(repo.rev("refs/remotes/upstream/main"), theirs, "fetched");
    repo.ls_remote(&repo.mirror()).has(&theirs);
}

#[test]
fn a_missing_tracking_ref_does_not_matter_the_live_upstream_decides() {
    let repo = TestRepo::guarded();
    let tip = repo.commit("ok.txt", "ok\n", "Reviewed");
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.git(&["update-ref", "-d", "refs/remotes/upstream/main"]);
    repo.push(&["-q", "security", "main"]).silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(tip.clone()));
    assert_eq!(
        repo.rev("refs/remotes/upstream/main"),
        tip,
        "as git fetch leaves it"
    );
}

#[test]
fn no_upstream_remote_is_refused_with_the_setting_to_fix() {
    let repo = TestRepo::guarded();
    repo.commit("ok.txt", "ok\n", "Reviewed");
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.git(&["remote", "remove", "upstream"]);
    let before = repo.ls_remote(&repo.mirror());
    // Unpinned, the upstream's remote is refused as gone (tests/pre_push_attacks.rs); pinned
    // without one, the push is judged and refused for want of it.
    repo.install_hook();
    let run = repo.push(&["security", "main"]).refused();
    run.stderr_has("there is no remote named \"upstream\" (pushduty.upstream)")
        .stderr_has("hint: or name the remote you use: git config pushduty.upstream <remote>");
    insta::assert_snapshot!("reason_no_upstream_remote", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn an_unreachable_upstream_is_refused_with_where_to_check_its_url() {
    // The upstream's URL names a path where there is no repository.
    let repo = TestRepo::guarded();
    stale_tracking_ref(&repo);
    repo.lose_upstream();
    let gone = repo.root().join("gone.git").display().to_string();
    let before = repo.ls_remote(&repo.mirror());
    let run = repo.push(&["security", "main"]).refused();
    run.stderr_has(&format!(
            "the upstream's main could not be listed from {gone} to check the push against it: cannot reach remote upstream ({gone})"
        ))
        .stderr_has("hint: check the connection and the URL, then try again: git ls-remote upstream refs/heads/main")
        // The hint the typed error carries, as a command gives it under the same error.
        .stderr_has("hint: check the URL with: git remote get-url upstream\nhint: in an emergency");
    insta::assert_snapshot!("reason_upstream_unreachable", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // A fix branch needs no upstream.
    repo.push(&["-q", "security", "main:refs/heads/fix"])
        .silent();
}

#[test]
fn an_upstream_without_the_release_branch_is_refused() {
    // The upstream's main is gone (deleted, or renamed to trunk): nothing says what is on it.
    let repo = TestRepo::guarded();
    repo.commit("ok.txt", "ok\n", "Reviewed");
    repo.git_in(&repo.upstream, &["update-ref", "-d", "refs/heads/main"]);
    let before = repo.ls_remote(&repo.mirror());
    let run = repo.push(&["security", "main"]).refused();
    run.stderr_has(
        "the upstream (../upstream.git) has no branch main, so nothing says the commit is on it",
    )
    .stderr_has("hint: name the branch that is released: git config pushduty.branch <branch>");
    insta::assert_snapshot!("reason_upstream_has_no_branch", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_commit_only_on_another_upstream_branch_is_refused() {
    let repo = TestRepo::guarded();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let feature = repo.commit("f.txt", "f\n", "Feature work");
    repo.push(&["-q", "upstream", "feature"]).silent();
    assert_eq!(repo.rev("refs/remotes/upstream/feature"), feature);
    let before = repo.ls_remote(&repo.mirror());
    repo.push(&["security", "feature:main"])
        .refused()
        .stderr_has("Feature work");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_cherry_picked_twin_is_refused() {
    let repo = TestRepo::guarded();
    let theirs = repo.upstream_commit("fix.txt", "fix\n", "Fix the thing");
    repo.git(&["fetch", "-q", "upstream"]);
    // The same change, picked onto the old main: another commit.
    repo.git(&["cherry-pick", "-x", &theirs]);
    let twin = repo.rev("HEAD");
    assert_ne!(twin, theirs);
    let before = repo.ls_remote(&repo.mirror());
    repo.push(&["security", "main"])
        .refused()
        .stderr_has(&format!("    {} Fix the thing", &twin[..7]));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_master_upstream_without_a_recorded_head_is_guarded() {
    // `git remote add upstream URL && git fetch upstream` (git before 2.48) records no
    // refs/remotes/upstream/HEAD, and pushduty.branch is not set: the release branch is the
    // upstream's master all the same, not a main that does not exist.
    let repo = TestRepo::with_branch("master");
    repo.git(&["remote", "set-head", "upstream", "-d"]);
    let mirror = repo.add_bare_remote("security");
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        "security",
        "upstream/master:refs/heads/master",
    ]);
    repo.git(&["fetch", "-q", "security"]);
    repo.install_hook();
    let before = repo.ls_remote(&mirror);
    let bad = repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["security", "master"])
        .refused()
        .stderr_has("the security mirror's master must never be ahead of upstream/master")
        .stderr_has(&bad[..7]);
    assert_eq!(repo.ls_remote(&mirror), before);
    repo.push(&["-q", "upstream", "master"]).silent();
    repo.push(&["-q", "security", "master"]).silent();
}
