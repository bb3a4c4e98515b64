//! A ref that is a symbolic ref on the mirror: `refs/heads/release -> refs/heads/main` in the
//! bare mirror makes `git push security fix:refs/heads/release` move the mirror's main, and git
//! tells the hook only `refs/heads/release`. The hook learns the mirror's symbolic refs (one
//! protocol v2 `ls-refs`) and judges such a push as a push to main; when it cannot learn them,
//! it refuses.

mod common;

use std::path::PathBuf;

use common::{TestRepo, Text};

/// A guarded clone whose mirror has `refs/heads/release` pointing at `refs/heads/main`, and a
/// fix commit on the local branch `fix-xss`.
fn with_release_alias() -> (TestRepo, String) {
    let repo = TestRepo::guarded();
    repo.git_in(
        &repo.mirror(),
        &["symbolic-ref", "refs/heads/release", "refs/heads/main"],
    );
    repo.git(&["checkout", "-q", "-b", "fix-xss"]);
    let fix = repo.commit("xss.txt", "escaped\n", "Escape user names (embargoed)");
    repo.git(&["checkout", "-q", "main"]);
    (repo, fix)
}

#[test]
fn a_push_to_a_symbolic_ref_to_main_is_judged_as_a_push_to_main() {
    let (repo, fix) = with_release_alias();
    let before = repo.ls_remote(&repo.mirror());
    let run = repo
        .push(&["security", "fix-xss:refs/heads/release"])
        .refused();
    run.stderr_has("push-duty: refusing refs/heads/fix-xss -> refs/heads/release on the security mirror")
        .stderr_has("on the mirror refs/heads/release is a symbolic ref to refs/heads/main: pushing to refs/heads/release moves the mirror's main")
        .stderr_has(&format!("    {} Escape user names (embargoed)", &fix[..7]));
    insta::assert_snapshot!("refusal_through_a_symbolic_ref", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    repo.push(&["security", "--delete", "release"])
        .refused()
        .stderr_has("the security mirror's main is never deleted");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn fix_branches_and_the_upstreams_main_through_the_alias_still_pass() {
    let (repo, fix) = with_release_alias();
    repo.push(&["-q", "security", "fix-xss"]).silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "fix-xss"), Some(fix));
    let tip = repo.commit("ok.txt", "ok\n", "Reviewed");
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "main:refs/heads/release"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(tip));
}

#[test]
fn when_the_mirrors_main_is_itself_symbolic_its_target_is_guarded() {
    let repo = TestRepo::guarded();
    let mirror = repo.mirror();
    let main = repo.branch_of(&mirror, "main").expect("main");
    repo.git_in(&mirror, &["update-ref", "refs/heads/trunk", &main]);
    repo.git_in(
        &mirror,
        &["symbolic-ref", "refs/heads/main", "refs/heads/trunk"],
    );
    let before = repo.ls_remote(&mirror);
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["security", "main:refs/heads/trunk"])
        .refused()
        .stderr_has("on the mirror refs/heads/main is a symbolic ref to refs/heads/trunk: pushing to refs/heads/trunk moves the mirror's main");
    assert_eq!(repo.ls_remote(&mirror), before);
}

#[test]
fn a_mirror_without_main_refuses_refs_that_may_be_symbolic_refs_to_it() {
    let repo = TestRepo::new();
    let empty = repo.add_bare_remote("security");
    repo.install_hook();
    let run = repo.push(&["security", "HEAD:refs/heads/fix"]).refused();
    run.stderr_has("the mirror has no main yet, so refs/heads/fix may be a symbolic ref to it")
        .stderr_has("hint: create the mirror's main from the upstream's first: git push security upstream/main:refs/heads/main");
    insta::assert_snapshot!("reason_mirror_has_no_branch", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&empty), "");
    repo.push(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    repo.push(&["-q", "security", "HEAD:refs/heads/fix"])
        .silent();
}

/// The mirror at `git@example.com:sec.git`, served by the fake ssh.
fn ssh_mirror(repo: &TestRepo) -> PathBuf {
    let bare = repo.root().join("hosts").join("sec.git");
    std::fs::create_dir_all(bare.parent().expect("parent")).expect("mkdir");
    repo.git_in(
        &repo.root(),
        &["init", "--bare", "-q", bare.to_str().expect("utf-8")],
    );
    repo.git(&[
        "push",
        "-q",
        bare.to_str().expect("utf-8"),
        "upstream/main:refs/heads/main",
    ]);
    repo.git(&["remote", "add", "security", "git@example.com:sec.git"]);
    repo.install_hook();
    bare
}

#[test]
fn over_ssh_the_symbolic_refs_are_learned_too() {
    let repo = TestRepo::new();
    let bare = ssh_mirror(&repo);
    repo.git_in(
        &bare,
        &["symbolic-ref", "refs/heads/release", "refs/heads/main"],
    );
    let ssh = repo.fake_ssh(false);
    let before = repo.ls_remote(&bare);
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push_over_ssh(&ssh, &["security", "main:refs/heads/release"])
        .refused()
        .stderr_has("is a symbolic ref to refs/heads/main");
    assert_eq!(repo.ls_remote(&bare), before);
    repo.push_over_ssh(&ssh, &["-q", "security", "main:refs/heads/fix"])
        .silent();
    repo.ls_remote(&bare).has("refs/heads/fix");
}

#[test]
fn a_mirror_speaking_only_protocol_v0_cannot_say_and_is_refused() {
    let repo = TestRepo::new();
    let bare = ssh_mirror(&repo);
    let ssh = repo.fake_ssh(true);
    let before = repo.ls_remote(&bare);
    let run = repo
        .push_over_ssh(&ssh, &["security", "HEAD:refs/heads/fix"])
        .refused();
    run.stderr_has(
        "the mirror's symbolic refs could not be learned, so refs/heads/fix may be its main",
    )
    .stderr_has("which does not say which of its refs are symbolic")
    .stderr_has("hint: the mirror must speak git protocol version 2");
    insta::assert_snapshot!("reason_mirror_refs_unknown", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&bare), before);
    // Its main is judged against the upstream without them.
    repo.push_over_ssh(&ssh, &["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
}
