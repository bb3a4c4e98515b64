//! The leak guard: an embargoed fix (on the security mirror, not on the upstream) must not be
//! pushed anywhere but the mirror, until it is published through the upstream's main.

mod common;

use common::{TestRepo, Text};

#[test]
fn a_security_fix_branch_pushed_to_the_fork_is_refused() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    let run = repo.push(&["fork", "fix-xss"]).refused();
    run.stderr_has("push-duty: refusing refs/heads/fix-xss -> refs/heads/fix-xss on ../fork.git")
        .stderr_has("it would publish an embargoed security fix from the security mirror, not yet on the upstream:")
        .stderr_has(&format!("    {} Escape user names (embargoed)", &fix[..7]))
        .stderr_has("  from security/fix-xss")
        .stderr_has("hint: a fix branch goes to the security mirror only: git push security <fix-branch>");
    insta::assert_snapshot!("reason_leak", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn a_fix_merged_into_a_feature_branch_is_refused_on_the_fork_and_the_upstream() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("feature.txt", "feature\n", "Feature");
    repo.git(&["merge", "-q", "--no-edit", "fix-xss"]);
    let upstream_before = repo.ls_remote(&repo.upstream);
    repo.push(&["fork", "feature"])
        .refused()
        .stderr_has("from security/fix-xss");
    repo.push(&["upstream", "feature"])
        .refused()
        .stderr_has("on the upstream (../upstream.git)");
    assert_eq!(repo.ls_remote(&fork), "");
    assert_eq!(repo.ls_remote(&repo.upstream), upstream_before);
    // Also as a tag.
    repo.git(&["tag", "-a", "-m", "t", "with-fix"]);
    repo.push(&["fork", "with-fix"]).refused();
}

#[test]
fn the_release_merge_goes_to_the_upstream_main_then_the_mirror() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    // The seed's sequence: merge, push upstream main, push security main.
    repo.git(&["merge", "-q", "--no-edit", "security/fix-xss"]);
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "main"]).silent();
    repo.ls_remote(&repo.upstream).has(&fix);
    // Published: from now on it is ordinary history, on the fork too.
    repo.push(&["-q", "fork", "main", "fix-xss"]).silent();
    repo.ls_remote(&fork).has(&fix);
}

#[test]
fn ordinary_work_to_the_fork_passes_silently() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let work = repo.commit("feature.txt", "feature\n", "Feature");
    repo.push(&["-q", "fork", "feature", "main"]).silent();
    repo.ls_remote(&fork).has(&work);
}

#[test]
fn without_upstream_refs_the_mirrors_commits_are_refused_but_other_work_passes() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["config", "pushduty.upstream", "nonesuch"]);
    // The hook guards what was pinned; pin the new setting.
    repo.install_hook();
    let run = repo.push(&["fork", "main"]).refused();
    run.stderr_has("there are no refs/remotes/nonesuch/* to tell which are public");
    insta::assert_snapshot!("reason_no_upstream_refs", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&fork), "");
    // Unrelated history shares nothing with the mirror.
    repo.git(&["checkout", "-q", "--orphan", "pages"]);
    repo.commit("index.html", "<p>\n", "Pages");
    repo.push(&["-q", "fork", "pages"]).silent();
}

#[test]
fn security_merge_passes_the_guard_it_was_built_for() {
    let repo = TestRepo::new();
    let security = repo.add_unfetched_mirror("security");
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    repo.install_hook();
    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    run.stderr_lacks("push-duty: refusing");
    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(repo.branch_of(&security, "main"), Some(up.clone()));
    assert_eq!(
        repo.git(&["merge-base", &up, &fix]),
        fix,
        "the fix is published"
    );
}
