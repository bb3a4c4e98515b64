//! Tracking refs that say "yes": a push that changes the mirror's main is judged against the
//! upstream's branch as the upstream lists it now over its fetch URL, so a rewound upstream or a
//! `pushurl` at a staging copy cannot put the mirror ahead; and `security-merge` refuses before
//! pushing anything when the upstream's push URL is another repository than its fetch URL.

mod common;

use common::TestRepo;

#[test]
fn an_upstream_main_rewound_after_the_last_fetch_is_refused() {
    let repo = TestRepo::guarded();
    let reverted = repo.commit("bad.txt", "bad\n", "Merged, then reverted by force");
    repo.push(&["-q", "upstream", "main"]).silent();
    // Someone rewinds the upstream's main; this clone's tracking ref still says yes.
    repo.git_in(&repo.upstream, &["update-ref", "refs/heads/main", "HEAD~1"]);
    assert_eq!(repo.rev("refs/remotes/upstream/main"), reverted);
    let before = repo.ls_remote(&repo.mirror());
    let run = repo.push(&["security", "main"]).refused();
    run.stderr_has(
        "the security mirror's main must never be ahead of upstream/main (just fetched)",
    )
    .stderr_has(&format!(
        "    {} Merged, then reverted by force",
        &reverted[..7]
    ));
    insta::assert_snapshot!("reason_ahead_of_upstream", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // As git fetch would: the tracking ref follows the upstream back.
    assert_eq!(
        repo.rev("refs/remotes/upstream/main"),
        repo.branch_of(&repo.upstream, "main").expect("main")
    );
}

/// A bare `staging.git` beside the clone, holding the upstream's main, as the upstream's
/// push URL: `git push upstream` goes there, the fetch URL stays the real upstream.
fn with_staging_push_url(repo: &TestRepo) -> std::path::PathBuf {
    let staging = repo.root().join("staging.git");
    repo.git_in(&repo.root(), &["init", "-q", "--bare", "staging.git"]);
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        "../staging.git",
        "upstream/main:refs/heads/main",
    ]);
    repo.git(&["remote", "set-url", "--push", "upstream", "../staging.git"]);
    staging
}

#[test]
fn a_push_url_at_a_staging_copy_does_not_make_the_upstream_have_it() {
    let repo = TestRepo::guarded();
    let staging = with_staging_push_url(&repo);
    let staged = repo.commit("staged.txt", "staged\n", "Only on staging");
    // The hook refuses a push by the upstream's name elsewhere (tests/pre_push_attacks.rs);
    // past it, git moves the tracking ref all the same.
    repo.push(&["-q", "--no-verify", "upstream", "main"]).ok();
    assert_eq!(repo.branch_of(&staging, "main"), Some(staged.clone()));
    // git moved the tracking ref as if the upstream had it.
    assert_eq!(repo.rev("refs/remotes/upstream/main"), staged);
    let before = repo.ls_remote(&repo.mirror());
    repo.push(&["security", "main"])
        .refused()
        .stderr_has(&format!("    {} Only on staging", &staged[..7]));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn the_release_merge_in_order_still_passes_and_lists_the_upstream_once() {
    let repo = TestRepo::guarded();
    let tip = repo.commit("ok.txt", "ok\n", "Reviewed");
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "main", "HEAD:refs/heads/fix"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(tip));
}

#[test]
fn security_merge_refuses_an_upstream_whose_push_url_is_another_repository() {
    let repo = TestRepo::new();
    repo.add_unfetched_mirror("security");
    repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    repo.install_hook();
    with_staging_push_url(&repo);
    let before = repo.snapshot();
    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);
    run.stderr_has("git push upstream would go to ../staging.git, which is not the repository upstream is fetched from (../upstream.git); nothing was changed");
    run.stderr_has("hint: push where the upstream is read from: git remote set-url --push upstream ../upstream.git");
    run.stderr_lacks("someone pushed meanwhile");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn security_merge_accepts_a_push_url_that_is_the_same_repository_spelled_otherwise() {
    let repo = TestRepo::new();
    let security = repo.add_unfetched_mirror("security");
    repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    repo.install_hook();
    let url = format!("file://{}", repo.upstream.display());
    repo.git(&["remote", "set-url", "--push", "upstream", &url]);
    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    assert_eq!(
        repo.branch_of(&security, "main"),
        repo.branch_of(&repo.upstream, "main")
    );
}

#[test]
fn the_release_merge_to_a_push_url_elsewhere_is_not_the_sanctioned_path() {
    let repo = TestRepo::guarded();
    repo.git(&["checkout", "-q", "-b", "fix-xss"]);
    let fix = repo.commit("xss.txt", "escaped\n", "Escape user names (embargoed)");
    repo.push(&["-q", "security", "fix-xss"]).silent();
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "fix-xss"]);
    let staging = with_staging_push_url(&repo);
    let before = repo.ls_remote(&staging);
    // Only the upstream's main (the repository it is fetched from) may publish a fix.
    let run = repo.push(&["upstream", "main"]);
    assert_ne!(run.status, 0, "{}", run.stderr);
    run.stderr_has("git push upstream goes to ../staging.git, which is not the repository upstream is fetched from (../upstream.git)");
    // By URL, the staging copy is any other repository: the fix is a leak there.
    repo.push(&["../staging.git", "main"])
        .refused()
        .stderr_has("push-duty: refusing refs/heads/main -> refs/heads/main on ../staging.git")
        .stderr_has(&fix[..7]);
    assert_eq!(repo.ls_remote(&staging), before);
    repo.git(&["config", "--unset", "remote.upstream.pushurl"]);
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "main"]).silent();
}
