//! The pre-push guard on the security mirror's main: real `git push` to bare repositories on
//! disk, firing the hook `hooks install` wrote. Every scenario runs in a SHA-1 and a SHA-256
//! repository.

mod common;

use common::{TestRepo, Text};

/// Runs each scenario once per object format.
macro_rules! in_both_formats {
    ($($name:ident),* $(,)?) => {
        mod sha1 {
            $( #[test] fn $name() { super::$name(super::TestRepo::new) } )*
        }
        mod sha256 {
            $( #[test] fn $name() { super::$name(super::TestRepo::sha256) } )*
        }
    };
}

in_both_formats!(
    the_upstream_tip_passes_silently,
    an_older_upstream_commit_passes,
    a_commit_not_on_the_upstream_is_refused,
    the_first_push_to_an_empty_mirror_is_refused,
    forced_pushes_are_judged_like_any_other,
    every_way_of_naming_the_source_is_judged,
    one_bad_ref_refuses_the_whole_push,
    feature_branches_and_tags_pass,
    deleting_the_mirrors_main_is_refused,
    an_up_to_date_push_with_empty_input_passes,
    all_and_mirror_carrying_a_bad_main_are_refused,
    a_dry_run_gets_the_same_decision,
    an_annotated_tag_pushed_onto_main_is_peeled,
    a_remote_object_unknown_here_is_no_error,
);

/// A commit only this clone has, on top of main.
fn local_commit(repo: &TestRepo, message: &str) -> String {
    repo.commit(&format!("{message}.txt"), message, message)
}

fn the_upstream_tip_passes_silently(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let tip = local_commit(&repo, "Ship it");
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "main"]).silent();
    repo.ls_remote(&repo.mirror())
        .has(&format!("{tip}\trefs/heads/main"));
}

fn an_older_upstream_commit_passes(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let older = local_commit(&repo, "One");
    local_commit(&repo, "Two");
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "HEAD~1:main"]).silent();
    repo.ls_remote(&repo.mirror())
        .has(&format!("{older}\trefs/heads/main"));
}

fn a_commit_not_on_the_upstream_is_refused(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    let secret = local_commit(&repo, "Unreviewed change");
    let short = &secret[..7];
    repo.push(&["security", "main"])
        .refused()
        .stderr_has("push-duty: refusing refs/heads/main -> refs/heads/main on the security mirror (../security.git)")
        .stderr_has("the security mirror's main must never be ahead of upstream/main (just fetched); this commit is not on it:")
        .stderr_has(&format!("    {short}"))
        .stderr_has("Unreviewed change")
        .stderr_has("hint: push to the upstream first: git push upstream refs/heads/main:refs/heads/main")
        .stderr_has("hint: then update the mirror from it: git push security upstream/main:refs/heads/main")
        .stderr_has("failed to push some refs");
    assert_eq!(
        repo.ls_remote(&repo.mirror()),
        before,
        "the mirror is unchanged"
    );
}

fn the_first_push_to_an_empty_mirror_is_refused(new: fn() -> TestRepo) {
    let repo = new();
    let empty = repo.add_bare_remote("security");
    repo.install_hook();
    local_commit(&repo, "Not reviewed");
    repo.push(&["security", "main"])
        .refused()
        .stderr_has("Not reviewed");
    assert_eq!(repo.ls_remote(&empty), "", "the mirror is still empty");
    // The upstream's main itself is a fine first push.
    repo.push(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
}

fn forced_pushes_are_judged_like_any_other(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    local_commit(&repo, "One");
    local_commit(&repo, "Two");
    repo.push(&["--force", "security", "main"]).refused();
    repo.push(&["security", "+HEAD~1:refs/heads/main"])
        .refused()
        .stderr_has("refusing HEAD~1 -> refs/heads/main")
        .stderr_has("One");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // Rewinding the mirror to an older upstream commit is still "not ahead".
    repo.push(&["-q", "upstream", "main"]).silent();
    repo.push(&["-q", "security", "main"]).silent();
    repo.push(&["-q", "security", "+HEAD~1:refs/heads/main"])
        .silent();
}

fn every_way_of_naming_the_source_is_judged(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    let secret = local_commit(&repo, "Secret");
    for source in [
        "HEAD:main".to_owned(),
        format!("{secret}:main"),
        format!("{}:main", &secret[..10]),
        "main@{1 minute ago}:main".to_owned(),
    ] {
        let typed = source.rsplit_once(':').map(|(s, _)| s).unwrap_or_default();
        repo.push(&["security", &source])
            .refused()
            .stderr_has(&format!("refusing {typed} -> refs/heads/main"));
        assert_eq!(repo.ls_remote(&repo.mirror()), before, "{source}");
    }
    repo.push(&["-q", "upstream", "main"]).silent();
    for source in ["HEAD:main", "main@{1 minute ago}:main"] {
        repo.push(&["-q", "--force", "security", source]).silent();
    }
}

fn one_bad_ref_refuses_the_whole_push(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    repo.git(&["branch", "fix-xss"]);
    local_commit(&repo, "Bad");
    repo.push(&["security", "fix-xss", "main", "HEAD:refs/heads/other"])
        .refused()
        .stderr_has("refused a ref: nothing was pushed");
    assert_eq!(repo.ls_remote(&repo.mirror()), before, "not even fix-xss");
}

fn feature_branches_and_tags_pass(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    local_commit(&repo, "Embargoed fix");
    repo.git(&["tag", "light"]);
    repo.git(&["tag", "-a", "-m", "annotated", "annotated"]);
    repo.push(&[
        "-q",
        "security",
        "HEAD:refs/heads/fix-xss",
        "light",
        "annotated",
    ])
    .silent();
    let after = repo.ls_remote(&repo.mirror());
    for name in [
        "refs/heads/fix-xss",
        "refs/tags/light",
        "refs/tags/annotated",
    ] {
        after.has(name);
    }
}

fn deleting_the_mirrors_main_is_refused(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    let run = repo.push(&["security", "--delete", "main"]).refused();
    run.stderr_has("refusing (delete) -> refs/heads/main")
        .stderr_has("the security mirror's main is never deleted");
    insta::assert_snapshot!("reason_deletes_mirror_branch", repo.hook_said(&run));
    repo.push(&["security", ":refs/heads/main"]).refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // Deleting another branch of the mirror is fine.
    repo.push(&["-q", "security", "HEAD:refs/heads/old-fix"])
        .silent();
    repo.push(&["-q", "security", "--delete", "old-fix"])
        .silent();
}

fn an_up_to_date_push_with_empty_input_passes(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    repo.git(&["reset", "-q", "--hard", "upstream/main"]);
    repo.push(&["-q", "security", "main"]).silent();
    // Git still runs the hook, with nothing on standard input.
    repo.run_input(&["hook", "pre-push", "security", "../security.git"], "")
        .ok()
        .stderr_is("");
}

fn all_and_mirror_carrying_a_bad_main_are_refused(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    repo.git(&["branch", "feature"]);
    local_commit(&repo, "Bad");
    repo.push(&["--all", "security"]).refused();
    repo.push(&["--mirror", "security"]).refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

fn a_dry_run_gets_the_same_decision(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    local_commit(&repo, "Bad");
    repo.push(&["--dry-run", "security", "main"])
        .refused()
        .stderr_has("Bad");
    repo.push(&[
        "-q",
        "--dry-run",
        "security",
        "upstream/main:refs/heads/main",
        "HEAD:refs/heads/fix",
    ])
    .silent();
}

fn an_annotated_tag_pushed_onto_main_is_peeled(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    let before = repo.ls_remote(&repo.mirror());
    local_commit(&repo, "Tagged but not upstream");
    repo.git(&["tag", "-a", "-m", "bad", "bad-tag"]);
    repo.git(&["tag", "-a", "-m", "good", "good-tag", "upstream/main"]);
    repo.push(&["security", "bad-tag:refs/heads/main"])
        .refused()
        .stderr_has("Tagged but not upstream");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // On the upstream: the hook passes it (whatever the remote then makes of a tag on a branch).
    repo.push(&["security", "good-tag:refs/heads/main"])
        .stderr_lacks("push-duty")
        .stderr_lacks("panicked");
}

fn a_remote_object_unknown_here_is_no_error(new: fn() -> TestRepo) {
    let repo = TestRepo::guarded_with(new);
    // A colleague put a fix branch on the mirror; this clone never fetched it.
    let other = repo.root().join("colleague-sec");
    repo.git_in(
        &repo.root(),
        &["clone", "-q", "security.git", "colleague-sec"],
    );
    repo.commit_in(&other, "theirs.txt", "theirs\n", "Their fix");
    repo.git_in(&other, &["push", "-q", "origin", "HEAD:refs/heads/fix"]);
    local_commit(&repo, "Our fix");
    repo.push(&["-q", "--force", "security", "HEAD:refs/heads/fix"])
        .silent();
    // The same on a fork, where the leak guard looks at what the remote had.
    let fork = repo.add_bare_remote("fork");
    repo.git_in(
        &other,
        &[
            "push",
            "-q",
            fork.to_str().expect("utf-8"),
            "HEAD:refs/heads/work",
        ],
    );
    repo.git(&["checkout", "-q", "-b", "work", "upstream/main"]);
    local_commit(&repo, "Ordinary work");
    repo.push(&["-q", "--force", "fork", "work"]).silent();
}
