//! `git push-duty security-merge --sync` (or with no branch): a mirror whose main got ahead of the
//! upstream's (the web merge button) is shown, asked about, published on the upstream first and
//! then both are brought to the same commit, with the same resumable record as a normal run.

mod common;

use common::TestRepo;

/// A guarded clone whose mirror's main has a commit pushed with the web merge button.
fn mirror_ahead() -> (TestRepo, String) {
    let repo = TestRepo::guarded();
    let sneaky = repo.security_branch(
        "main",
        "main",
        "hotfix.py",
        "hot = True\n",
        "Merged with the web button",
    );
    (repo, sneaky)
}

#[test]
fn sync_shows_what_the_mirror_has_then_publishes_it_upstream_first() {
    let (repo, sneaky) = mirror_ahead();

    let run = repo.run(&["security-merge", "--sync", "--yes"]).ok();

    run.stderr_has(&format!(
        "security/main is AHEAD of upstream/main by 1 commit (someone pushed to the mirror first or used its web merge button):\n  {} Merged with the web button\n",
        &sneaky[..7]
    ));
    // The commits and the diff, as for a merge.
    run.stdout_has("1 commit goes public on upstream main:\n");
    run.stdout_has("+hot = True\n");
    // The upstream first, then the mirror (which has it already).
    assert!(
        run.stderr.find("push ").is_some()
            && run
                .stderr
                .find(&format!("push {} to upstream main", &sneaky[..7]))
                < run
                    .stderr
                    .find(&format!("push {} to security main", &sneaky[..7])),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.branch_of(&repo.upstream, "main").as_deref(),
        Some(sneaky.as_str())
    );
    assert_eq!(
        repo.branch_of(&repo.mirror(), "main").as_deref(),
        Some(sneaky.as_str())
    );
    run.stdout_has(&format!(
        "upstream/main and security/main are both at {sneaky}"
    ));
    assert!(!repo.security_merge_record().exists());
    assert_eq!(repo.rev("main"), sneaky, "the checkout came along");
    repo.run(&["check"]).ok();
}

#[test]
fn the_plain_command_with_no_branch_syncs_and_a_diverged_mirror_gets_a_merge() {
    let (repo, sneaky) = mirror_ahead();
    let newer = repo.upstream_commit("app.py", "app\n", "Newer work upstream");

    let run = repo.run(&["security-merge", "--yes"]).ok();

    run.stderr_has("security/main is AHEAD of upstream/main by 1 commit");
    run.stderr_has("(and behind it by 1)");
    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(up.clone()));
    let parents = repo.git(&["rev-list", "--parents", "-n", "1", &up]);
    assert_eq!(parents, format!("{up} {newer} {sneaky}"));
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", &up]),
        "Merge security/main"
    );
}

#[test]
fn dry_run_and_no_yes_change_nothing_and_a_terminal_asks() {
    let (repo, _sneaky) = mirror_ahead();
    let before = repo.snapshot();
    let run = repo.run(&["security-merge", "--sync", "--dry-run"]).ok();
    run.stderr_has("Dry run: nothing was changed.");
    insta::assert_snapshot!("sync_dry_run", repo.transcript(&run));
    repo.run(&["security-merge", "--sync"]).expect(2);
    let run = repo
        .run_on_terminal(&["security-merge", "--sync"], "\n")
        .expect(1);
    run.stdout_has("[y/N]");
    run.stdout_has("not confirmed: nothing was done");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_refused_mirror_push_is_recorded_and_continue_finishes_it() {
    let (repo, _sneaky) = mirror_ahead();
    let newer = repo.upstream_commit("app.py", "app\n", "Newer work upstream");
    repo.reject_pushes(&repo.mirror());

    let run = repo.run(&["security-merge", "--sync", "--yes"]).expect(1);

    run.stderr_has("but the mirror security did not take it");
    assert!(repo.security_merge_record().exists());
    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_ne!(up, newer, "the upstream got the merge");
    let check = repo.run(&["check"]).expect(1);
    check.stdout_has("WRONG security merge: the security merge of main (");

    repo.accept_pushes(&repo.mirror());
    repo.run(&["security-merge", "--continue", "--yes"]).ok();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(up));
    assert!(!repo.security_merge_record().exists());
}

#[test]
fn a_mirror_behind_is_brought_up_to_date() {
    let repo = TestRepo::guarded();
    let newer = repo.upstream_commit("app.py", "app\n", "Newer work upstream");
    let run = repo.run(&["security-merge", "--sync", "--yes"]).ok();
    run.stderr_has("only the mirror security is brought up to date");
    assert_eq!(
        repo.branch_of(&repo.mirror(), "main").as_deref(),
        Some(newer.as_str())
    );
}

#[test]
fn a_conflicting_mirror_is_mended_the_way_the_hint_says() {
    let repo = TestRepo::guarded();
    let web = repo.security_branch("main", "main", "app.py", "mirror\n", "Web button edit");
    let newer = repo.upstream_commit("app.py", "upstream\n", "Upstream edit");
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "--sync", "--yes"]).expect(1);
    run.stderr_has(
        "error: security/main conflicts with upstream/main in: app.py; nothing was changed\n",
    );
    run.stderr_has("hint: git fetch upstream main && git fetch security main && git switch -c sync-main upstream/main && git merge security/main\n");
    run.stderr_has("hint: then, with app.py resolved and committed, see what goes public (git push-duty diff) and: git push upstream sync-main:main && git push-duty security-merge --sync\n");
    insta::assert_snapshot!("refusal_sync_conflict", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);

    // Doing just that, with the hook installed: both end at the resolved merge.
    repo.git(&["fetch", "-q", "upstream", "main"]);
    repo.git(&["fetch", "-q", "security", "main"]);
    repo.git(&["switch", "-q", "-c", "sync-main", "upstream/main"]);
    let merge = repo.try_git_in(&repo.work, &["merge", "-q", "security/main"]);
    assert_ne!(merge.status, 0, "the merge conflicts");
    std::fs::write(repo.work.join("app.py"), "both\n").expect("resolve");
    repo.git(&["add", "app.py"]);
    repo.git(&["commit", "-q", "--no-edit"]);
    let diff = repo.run(&["diff"]).ok();
    diff.stdout_has("+both");
    repo.push(&["-q", "upstream", "sync-main:main"]).ok();
    repo.run(&["security-merge", "--sync", "--yes"]).ok();
    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(up.clone()));
    let parents = repo.git(&["rev-list", "--parents", "-n", "1", &up]);
    assert_eq!(parents, format!("{up} {newer} {web}"));
    repo.run(&["check"]).ok();
}

#[test]
fn a_branch_that_lacks_what_the_mirror_has_ahead_is_still_refused() {
    let repo = TestRepo::guarded();
    repo.security_branch("main", "main", "hot.py", "hot\n", "Web button edit");
    // A fix made from the upstream's main, not from the mirror's: merging it alone leaves the
    // mirror's commit off the upstream, and the mirror push could not follow.
    repo.git_in(
        &repo.root().join("security-dev"),
        &["fetch", "-q", "origin"],
    );
    let dev = repo.root().join("security-dev");
    repo.git_in(&dev, &["switch", "-q", "-c", "fix-xss", "origin/main~1"]);
    repo.commit_in(&dev, "xss.py", "safe\n", "Fix XSS");
    repo.git_in(&dev, &["push", "-q", "origin", "fix-xss"]);
    let before = repo.snapshot();
    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);
    run.stderr_has("git push-duty security-merge --sync");
    assert_eq!(repo.snapshot(), before);
}
