//! `git push-duty security-merge`: the guarded merge against real bare `upstream` and `security`
//! repositories on disk, with real pushes; a `pre-receive` hook that exits 1 is a remote that
//! rejects.

mod common;

use std::path::{Path, PathBuf};

use common::{TestRepo, write_script};

/// A clone with the security mirror beside it (a copy of the upstream's main).
fn setup() -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    let security = repo.add_unfetched_mirror("security");
    (repo, security)
}

/// Like `setup`, with a fix branch `fix-xss` on the mirror; returns its tip too.
fn with_fix() -> (TestRepo, PathBuf, String) {
    let (repo, security) = setup();
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    (repo, security, fix)
}

/// Installs the shell script `body` as the hook `name` of a bare repository.
fn hook(bare: &Path, name: &str, body: &str) {
    write_script(
        &bare.join("hooks").join(name),
        &format!("#!/bin/sh\n{body}\n"),
    );
}

/// Runs `security-merge BRANCH --yes`, which must publish `fix` (a fast-forward) to both
/// remotes and leave the local main, the index and every file of the worktree as they were,
/// saying `why`.
#[track_caller]
fn published_but_left(repo: &TestRepo, security: &Path, branch: &str, fix: &str, why: &str) {
    let main_before = repo.git(&["rev-parse", "main"]);
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", branch, "--yes"]).ok();

    assert_eq!(repo.branch_of(&repo.upstream, "main").as_deref(), Some(fix));
    assert_eq!(repo.branch_of(security, "main").as_deref(), Some(fix));
    run.stderr_has(&format!("Local main: left as it is: {why}"));
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
    let after = repo.snapshot();
    assert_eq!(after.files, before.files);
    assert_eq!(after.index, before.index);
}

fn parents(repo: &TestRepo, commit: &str) -> Vec<String> {
    repo.git(&["rev-list", "--parents", "-n", "1", commit])
        .split_whitespace()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_happy_path_publishes_upstream_then_the_mirror_and_fast_forwards_the_checkout() {
    let (repo, security) = setup();
    let fix = repo.security_branch(
        "fix-xss",
        "main",
        "search.py",
        "escape(query)\n",
        "Escape the search query",
    );
    let other = repo.upstream_commit("app.py", "app\n", "Unrelated work merged upstream");

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();

    insta::assert_snapshot!("run_security_merge", repo.transcript(&run));
    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(up.as_str())
    );
    assert_eq!(parents(&repo, &up), vec![other.clone(), fix.clone()]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s|%cn|%an", &up]),
        "Merge security/fix-xss|Hero Pusher|Hero Pusher"
    );
    // What went public was shown: the commits and the diff.
    run.stdout_has("Escape the search query");
    run.stdout_has("+escape(query)");
    run.stdout_has(&format!("upstream/main and security/main are both at {up}"));
    // The checked-out main came along, files and all, and is clean.
    assert_eq!(repo.git(&["rev-parse", "main"]), up);
    assert_eq!(
        std::fs::read_to_string(repo.work.join("search.py")).expect("read"),
        "escape(query)\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.work.join("app.py")).expect("read"),
        "app\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // The tracking refs say what the remotes have, as after a fetch.
    assert_eq!(repo.git(&["rev-parse", "upstream/main"]), up);
    assert_eq!(repo.git(&["rev-parse", "security/main"]), up);
    assert_eq!(repo.git(&["rev-parse", "security/fix-xss"]), fix);
    assert!(!repo.security_merge_record().exists());

    // A rerun does nothing.
    let before = repo.snapshot();
    let again = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    again.stderr_has("security/fix-xss: already merged into upstream/main, skipped");
    again.stderr_has("Nothing to do");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_branch_on_top_of_the_upstream_is_a_fast_forward_without_a_merge_commit() {
    let (repo, security) = setup();
    let fix = repo.security_branch(
        "fix-csrf",
        "main",
        "form.py",
        "token\n",
        "Check the CSRF token",
    );

    let run = repo
        .run(&["security-merge", "security/fix-csrf", "--yes", "--json"])
        .ok();

    assert_eq!(
        repo.branch_of(&repo.upstream, "main").as_deref(),
        Some(fix.as_str())
    );
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(json["result"], fix.as_str());
    assert_eq!(json["published"], fix.as_str());
    assert_eq!(json["branches"][0]["name"], "fix-csrf");
    assert_eq!(json["branches"][0]["outcome"], "fast-forward");
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["files"][0]["path"], "form.py");
    assert_eq!(json["files"][0]["insertions"], 1);
}

#[test]
fn two_branches_in_one_run_a_fast_forward_then_a_real_merge() {
    let (repo, security) = setup();
    let a = repo.security_branch("fix-a", "main", "a.py", "a\n", "Fix A");
    let b = repo.security_branch("fix-b", "main", "b.py", "b\n", "Fix B");

    let run = repo
        .run(&["security-merge", "fix-a", "fix-b", "--yes"])
        .ok();

    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(up.as_str())
    );
    assert_eq!(parents(&repo, &up), vec![a, b]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", &up]),
        "Merge security/fix-b"
    );
    assert_eq!(repo.git(&["show", &format!("{up}:a.py")]), "a");
    assert_eq!(repo.git(&["show", &format!("{up}:b.py")]), "b");
    run.stderr_has("security/fix-a: fast-forward");
    run.stderr_has("security/fix-b: merge commit");
    run.stdout_has(" 2 files changed, 2 insertions(+)");
}

#[test]
fn a_conflict_names_the_paths_and_changes_nothing() {
    let (repo, _security) = setup();
    repo.security_branch(
        "fix-readme",
        "main",
        "README.md",
        "# safe site\n",
        "Fix the readme",
    );
    repo.upstream_commit("README.md", "# busy site\n", "Reword the readme");
    let before = repo.snapshot();

    let run = repo
        .run(&["security-merge", "fix-readme", "--yes"])
        .expect(1);

    run.stderr_has(
        "security/fix-readme conflicts with upstream/main in: README.md; nothing was changed",
    );
    run.stderr_has("hint: merge the upstream branch into the security branch on the mirror, then run this again");
    insta::assert_snapshot!("refusal_conflict", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_branch_with_unrelated_history_is_refused_and_changes_nothing() {
    let (repo, _security, _fix) = with_fix();
    let dev = repo.root().join("security-dev");
    repo.git_in(&dev, &["switch", "-q", "--orphan", "stray"]);
    repo.commit_in(&dev, "other.txt", "another project\n", "Another root");
    repo.git_in(&dev, &["push", "-q", "origin", "stray"]);
    let before = repo.snapshot();

    let run = repo
        .run(&["security-merge", "fix-xss", "stray", "--yes"])
        .expect(1);

    run.stderr_has("error: security/stray shares no history with upstream/main (unrelated histories), so it is not merged; nothing was changed");
    run.stderr_has("hint: a fix branch starts from upstream/main; check the name (git ls-remote --heads security), or rebuild the fix on upstream/main and push it to the mirror again");
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.security_merge_record().exists());
}

#[test]
fn a_mirror_ahead_of_the_upstream_is_refused_listing_its_commits() {
    let (repo, _security) = setup();
    let sneaky = repo.security_branch(
        "main",
        "main",
        "hotfix.py",
        "x\n",
        "Merged with the web button",
    );
    repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has("the security mirror is ahead of the upstream: security/main has 1 commit that upstream/main lacks");
    run.stderr_has(&format!("  {} Merged with the web button", &sneaky[..7]));
    run.stderr_has("hint: review them and publish them on the upstream first: git push-duty security-merge --sync\n");
    insta::assert_snapshot!("refusal_mirror_ahead", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn an_upstream_that_rejects_gets_nothing_to_the_mirror_and_a_rerun_starts_afresh() {
    let (repo, security, _fix) = with_fix();
    repo.reject_pushes(&repo.upstream);
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has("upstream did not take");
    run.stderr_has("so nothing was pushed to the mirror security");
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.security_merge_record().exists());

    repo.accept_pushes(&repo.upstream);
    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    let up = repo.branch_of(&repo.upstream, "main");
    assert_eq!(repo.branch_of(&security, "main"), up);
}

#[test]
fn a_mirror_that_rejects_is_recorded_and_continue_pushes_the_mirror_only() {
    let (repo, security, fix) = with_fix();
    let mirror_before = repo.branch_of(&security, "main");
    repo.reject_pushes(&security);

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has("upstream main has");
    run.stderr_has("but the mirror security did not take it");
    run.stderr_has(
        "hint: fix the cause, then push the mirror only: git push-duty security-merge --continue",
    );
    insta::assert_snapshot!("refusal_mirror_did_not_take", repo.transcript(&run));
    assert_eq!(
        repo.branch_of(&repo.upstream, "main").as_deref(),
        Some(fix.as_str())
    );
    assert_eq!(repo.branch_of(&security, "main"), mirror_before);
    assert!(repo.security_merge_record().exists());
    // The local branch waits for the mirror.
    assert_ne!(repo.git(&["rev-parse", "main"]), fix);

    // The public part cannot be forgotten, and no new run starts over it.
    let abort = repo.run(&["security-merge", "--abort"]).expect(1);
    abort.stderr_has("it is public and cannot be forgotten");
    insta::assert_snapshot!("refusal_abort_of_a_public_run", repo.transcript(&abort));
    let fresh = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);
    fresh.stderr_has("is unfinished");
    fresh.stderr_has("hint: finish it: git push-duty security-merge --continue");
    insta::assert_snapshot!("refusal_a_run_is_unfinished", repo.transcript(&fresh));

    repo.accept_pushes(&security);
    let before = repo.snapshot();
    let plan = repo
        .run(&["security-merge", "--continue", "--dry-run"])
        .ok();
    plan.stderr_has("Dry run: nothing was changed.");
    insta::assert_snapshot!("plan_continue_dry_run", repo.transcript(&plan));
    assert_eq!(repo.snapshot(), before);
    assert!(repo.security_merge_record().exists());
    let done = repo.run(&["security-merge", "--continue", "--yes"]).ok();
    insta::assert_snapshot!("run_continue", repo.transcript(&done));
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    done.stdout_has(&format!(
        "upstream/main and security/main are both at {fix}"
    ));
    assert!(!repo.security_merge_record().exists());
    assert_eq!(repo.git(&["rev-parse", "main"]), fix);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn continue_after_the_mirror_was_brought_past_the_run_by_hand() {
    let (repo, security, fix) = with_fix();
    repo.reject_pushes(&security);
    repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);
    assert!(repo.security_merge_record().exists());
    // Meanwhile the upstream moves on, and the hero syncs the mirror with it by hand.
    let later = repo.upstream_commit("app.py", "app\n", "Later work");
    repo.accept_pushes(&security);
    repo.git(&["fetch", "-q", "upstream"]);
    repo.git(&["push", "-q", "security", "upstream/main:refs/heads/main"]);

    let done = repo.run(&["security-merge", "--continue", "--yes"]).ok();

    done.stderr_has(&format!("security main already has {}", &fix[..7]));
    done.stdout_has(&format!(
        "upstream/main and security/main are both at {later}"
    ));
    assert!(!repo.security_merge_record().exists());
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(later.as_str())
    );
    assert_eq!(repo.git(&["rev-parse", "security/main"]), later);
}

#[test]
fn continue_after_a_second_refusal_keeps_the_record() {
    let (repo, security, _fix) = with_fix();
    repo.reject_pushes(&security);
    repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);
    let record = std::fs::read_to_string(repo.security_merge_record()).expect("recorded");

    let again = repo
        .run(&["security-merge", "--continue", "--yes"])
        .expect(1);

    again.stderr_has("the mirror security still does not have");
    assert_eq!(
        std::fs::read_to_string(repo.security_merge_record()).expect("still recorded"),
        record
    );
}

#[test]
fn a_dirty_worktree_is_left_exactly_as_it_was() {
    let (repo, security, fix) = with_fix();
    std::fs::write(repo.work.join("README.md"), "# work in progress\n").expect("edit");
    let main_before = repo.git(&["rev-parse", "main"]);
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();

    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    run.stderr_has("Local main: left as it is: the worktree has uncommitted changes");
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
    let after = repo.snapshot();
    assert_eq!(after.files, before.files);
    assert_eq!(after.index, before.index);
    assert_eq!(after.head, before.head);
}

#[test]
fn local_commits_on_main_are_left_with_a_hint_that_works() {
    let (repo, security, fix) = with_fix();
    repo.commit("notes.md", "todo\n", "Local notes");

    published_but_left(
        &repo,
        &security,
        "fix-xss",
        &fix,
        &format!(
            "it has commits that are not in {}; put them on top with: git rebase upstream/main",
            &fix[..7]
        ),
    );

    // The hint does what it says.
    repo.git(&["rebase", "-q", "upstream/main"]);
    assert_eq!(repo.git(&["rev-parse", "main~1"]), fix);
}

#[test]
fn an_untracked_file_in_the_way_is_not_overwritten() {
    let (repo, _security, _fix) = with_fix();
    std::fs::write(repo.work.join("search.py"), "my notes\n").expect("untracked");
    let main_before = repo.git(&["rev-parse", "main"]);

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();

    run.stderr_has("the untracked file search.py would be overwritten");
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
    assert_eq!(
        std::fs::read_to_string(repo.work.join("search.py")).expect("read"),
        "my notes\n"
    );
}

#[test]
fn a_file_marked_assume_unchanged_keeps_its_local_changes() {
    let (repo, security) = setup();
    let fix = repo.security_branch(
        "fix-readme",
        "main",
        "README.md",
        "# site\nsecured\n",
        "Fix the readme",
    );
    // Local settings git is told not to look at: a status calls the worktree clean.
    repo.git(&["update-index", "--assume-unchanged", "README.md"]);
    std::fs::write(repo.work.join("README.md"), "# my local notes\n").expect("edit");
    let flags_before = repo.git(&["ls-files", "-v"]);

    published_but_left(
        &repo,
        &security,
        "fix-readme",
        &fix,
        "README.md is marked assume-unchanged, so its changes cannot be seen",
    );

    assert_eq!(repo.git(&["ls-files", "-v"]), flags_before);
}

#[test]
fn a_sparse_checkout_is_left_as_it_was() {
    let repo = TestRepo::new();
    repo.commit("docs/guide.md", "guide\n", "Docs");
    repo.commit("src/app.py", "app\n", "App");
    repo.git(&["push", "-q", "upstream", "main"]);
    let security = repo.add_unfetched_mirror("security");
    let fix = repo.security_branch("fix-app", "main", "src/guard.py", "guard\n", "Guard");
    repo.git(&["sparse-checkout", "set", "src"]);
    assert!(!repo.work.join("docs").exists());
    let flags_before = repo.git(&["ls-files", "-v"]);

    published_but_left(
        &repo,
        &security,
        "fix-app",
        &fix,
        "the worktree is a sparse checkout",
    );

    // Still sparse: nothing outside the cone reads as deleted.
    assert_eq!(repo.git(&["ls-files", "-v"]), flags_before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_branch_being_rebased_or_bisected_is_not_moved() {
    let repo = TestRepo::new();
    let initial = repo.git(&["rev-parse", "HEAD"]);
    repo.commit("a.py", "a\n", "A");
    repo.commit("b.py", "b\n", "B");
    repo.git(&["push", "-q", "upstream", "main"]);
    let security = repo.add_unfetched_mirror("security");
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    let main_before = repo.git(&["rev-parse", "main"]);

    // A bisect started on main: HEAD is detached, and git returns to main at the end.
    repo.git(&["bisect", "start", "main", &initial]);
    let plan = repo.run(&["security-merge", "fix-xss", "--dry-run"]).ok();
    plan.stderr_has(&format!(
        "Local main: left as it is: it is being bisected in {}",
        repo.work.display()
    ));
    repo.git(&["bisect", "reset"]);

    // A rebase of main stopped halfway: git writes the rebased commits to main when it ends.
    repo.git(&[
        "-c",
        "sequence.editor=sed -i s/^pick/edit/",
        "rebase",
        "-q",
        "-i",
        "HEAD~1",
    ]);
    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();

    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    run.stderr_has(&format!(
        "Local main: left as it is: it is being rebased in {}",
        repo.work.display()
    ));
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
    // The rebase can still finish.
    repo.git(&["rebase", "--continue"]);
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
}

#[test]
fn a_git_process_holding_the_index_leaves_the_checkout_as_it_was() {
    let (repo, security, fix) = with_fix();
    let lock = repo.work.join(".git/index.lock");
    std::fs::write(&lock, "").expect("lock the index");

    published_but_left(
        &repo,
        &security,
        "fix-xss",
        &fix,
        &format!(
            "another git process is using the index ({} exists)",
            lock.display()
        ),
    );

    assert!(lock.exists());
}

#[test]
fn a_git_process_taking_the_index_during_the_pushes_stops_the_checkout_before_any_file() {
    let (repo, security, fix) = with_fix();
    // Something takes the index while the mirror is being pushed, after the plan was made.
    let lock = repo.work.join(".git/index.lock");
    hook(
        &security,
        "post-receive",
        &format!("touch '{}'", lock.display()),
    );
    let main_before = repo.git(&["rev-parse", "main"]);
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    run.stderr_has("main was left as it is: another git process is using the index");
    run.stderr_has(&format!(
        "hint: once that is resolved, bring it up to date with: git merge --ff-only {}",
        &fix[..7]
    ));
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
    assert_eq!(repo.snapshot().files, before.files);
    std::fs::remove_file(&lock).expect("unlock");
    assert_eq!(repo.git(&["ls-files", "--stage"]), before.index);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn another_checked_out_branch_is_left_exactly_as_it_was_and_main_moves() {
    let (repo, security, fix) = with_fix();
    repo.git(&["switch", "-q", "-c", "feature"]);
    repo.commit("feature.py", "wip\n", "Feature work");
    std::fs::write(repo.work.join("feature.py"), "more wip\n").expect("edit");
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();

    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    let after = repo.snapshot();
    assert_eq!(after.head, before.head);
    assert_eq!(after.index, before.index);
    assert_eq!(after.files, before.files);
    // main is not checked out: only its ref moves.
    assert_eq!(repo.git(&["rev-parse", "main"]), fix);
    run.stderr_has("fast-forward local main");
}

#[test]
fn a_branch_checked_out_during_the_run_is_not_moved_under_the_checkout() {
    let (repo, security, fix) = with_fix();
    repo.git(&["switch", "-q", "-c", "feature"]);
    let main_before = repo.git(&["rev-parse", "main"]);
    // main is not checked out when the plan is made; it is by the time the local step comes.
    hook(
        &security,
        "post-receive",
        &format!(
            "unset GIT_DIR\ngit -C '{}' switch -q main",
            repo.work.display()
        ),
    );

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    run.stderr_has("refs/heads/main was checked out meanwhile; it was left as it is");
    assert_eq!(repo.git(&["rev-parse", "main"]), main_before);
    assert_eq!(
        repo.git(&["rev-parse", "--symbolic-full-name", "HEAD"]),
        "refs/heads/main"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn dry_run_shows_what_goes_public_and_changes_nothing() {
    let (repo, _security) = setup();
    repo.security_branch(
        "fix-xss",
        "main",
        "search.py",
        "escape(query)\n",
        "Escape the search query",
    );
    repo.upstream_commit("app.py", "app\n", "Unrelated work");
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--dry-run"]).ok();

    run.stdout_has("go public on upstream main");
    run.stdout_has("Escape the search query");
    run.stdout_has("diff --git a/search.py b/search.py");
    run.stdout_has("+escape(query)");
    run.stderr_has("push ");
    run.stderr_has("Dry run: nothing was changed.");
    insta::assert_snapshot!("plan_security_merge_dry_run", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.work.join(".git/push-duty").exists());
}

#[test]
fn stat_shows_the_diffstat_only() {
    let (repo, _security, _fix) = with_fix();

    let run = repo
        .run(&["security-merge", "fix-xss", "--dry-run", "--stat"])
        .ok();

    run.stdout_has(" search.py | 1 +\n 1 file changed, 1 insertion(+)");
    run.stdout_lacks("diff --git");
}

#[test]
fn a_second_concurrent_run_is_refused() {
    let (repo, security, _fix) = with_fix();
    let dir = repo.work.join(".git/push-duty");
    std::fs::create_dir_all(&dir).expect("state dir");
    let held = std::fs::File::create(dir.join("security-merge.lock")).expect("lock file");
    held.lock()
        .expect("hold the lock as a running security-merge would");
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has("another security merge is running in this repository");
    assert_eq!(repo.snapshot(), before);

    // Once the other run ends, this one goes through.
    drop(held);
    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    assert_eq!(
        repo.branch_of(&security, "main"),
        repo.branch_of(&repo.upstream, "main")
    );
}

#[test]
fn not_on_a_terminal_without_yes_is_a_usage_error_and_changes_nothing() {
    let (repo, _security, _fix) = with_fix();
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss"]).expect(2);

    run.stderr_has("not on a terminal, and this changes a remote: nothing was done");
    run.stderr_has("hint: pass --yes");
    insta::assert_snapshot!("refusal_not_on_a_terminal", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn no_security_remote_configured() {
    let repo = TestRepo::new();
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has("there is no remote named \"security\" (the remotes here are: upstream)");
    run.stderr_has("hint: or name the remote you use: git config pushduty.security <remote>");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_security_remote_whose_repository_is_gone() {
    let repo = TestRepo::new();
    let gone = repo.root().join("gone.git");
    repo.git(&[
        "remote",
        "add",
        "security",
        gone.to_str().expect("utf-8 path"),
    ]);
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has(&format!(
        "cannot reach remote security ({})",
        gone.display()
    ));
    run.stderr_has("hint: check the URL with: git remote get-url security");
    // security-merge has no --offline: the git layer's hint used to offer it all the same.
    run.stderr_lacks("--offline");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn the_mirror_is_named_by_pushduty_security() {
    let repo = TestRepo::new();
    repo.add_unfetched_mirror("security");
    repo.git(&["remote", "rename", "security", "private"]);
    repo.git(&["config", "pushduty.security", "private"]);
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");

    let run = repo
        .run(&["security-merge", "private/fix-xss", "--yes"])
        .ok();

    run.stdout_has(&format!("upstream/main and private/main are both at {fix}"));
}

#[test]
fn a_branch_the_mirror_does_not_have() {
    let (repo, _security, _fix) = with_fix();
    let before = repo.snapshot();

    let run = repo
        .run(&["security-merge", "fix-xss", "fix-typo", "--yes"])
        .expect(1);

    run.stderr_has("the security mirror security has no branch fix-typo; nothing was changed");
    run.stderr_has("hint: list the mirror's branches: git ls-remote --heads security");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_branch_the_mirror_does_not_have_suggests_the_closest_names_on_the_mirror() {
    let (repo, _security, _fix) = with_fix();
    repo.security_branch("fix-csrf", "main", "form.py", "token\n", "Check the token");
    repo.security_branch("feature-login", "main", "login.py", "x\n", "Login");
    let before = repo.snapshot();
    for (typed, closest) in [
        ("fix-xxs", "hint: the closest names on security: fix-xss\n"),
        ("xss", "hint: the closest names on security: fix-xss\n"),
        (
            "security/fix-crsf",
            "hint: the closest names on security: fix-csrf\n",
        ),
        (
            "fix-",
            "hint: the closest names on security: fix-xss, fix-csrf\n",
        ),
    ] {
        let run = repo.run(&["security-merge", typed, "--yes"]).expect(1);
        run.stderr_has(closest);
        run.stderr_has("hint: list the mirror's branches: git ls-remote --heads security");
    }
    let run = repo
        .run(&["security-merge", "release-notes", "--yes"])
        .expect(1);
    run.stderr_lacks("closest");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_corrupt_record_is_a_clear_error_and_is_left_alone() {
    let (repo, _security, _fix) = with_fix();
    std::fs::create_dir_all(repo.work.join(".git/push-duty")).expect("state dir");
    std::fs::write(repo.security_merge_record(), "{ \"version\": 1, \"step\": ").expect("write");
    let before = repo.snapshot();

    for args in [
        &["security-merge", "fix-xss", "--yes"][..],
        &["security-merge", "--continue", "--yes"],
        &["security-merge", "--abort"],
    ] {
        let run = repo.run(args).expect(1);
        run.stderr_has("security-merge.json, is not valid JSON");
        run.stderr_has("hint: if they point to the same commit, no run is unfinished: remove");
    }
    assert_eq!(repo.snapshot(), before);
    assert_eq!(
        std::fs::read_to_string(repo.security_merge_record()).expect("kept"),
        "{ \"version\": 1, \"step\": "
    );
}

#[test]
fn a_record_of_an_unknown_version_is_a_clear_error() {
    let (repo, _security, _fix) = with_fix();
    std::fs::create_dir_all(repo.work.join(".git/push-duty")).expect("state dir");
    std::fs::write(
        repo.security_merge_record(),
        "{\"version\": 2, \"step\": \"push-mirror\"}\n",
    )
    .expect("write");
    let before = repo.snapshot();

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    run.stderr_has("was written by another version of git-push-duty (record version 2; this one reads version 1)");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_rerun_for_a_branch_already_upstream_only_brings_the_mirror_up_to_date() {
    let (repo, security, fix) = with_fix();
    // Someone pushed the fix to the upstream by hand and forgot the mirror.
    repo.git_in(
        &repo.root().join("security-dev"),
        &["push", "-q", "../upstream.git", "fix-xss:main"],
    );
    let mirror_before = repo.branch_of(&security, "main");
    assert_ne!(mirror_before.as_deref(), Some(fix.as_str()));

    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();

    run.stderr_has("already merged into upstream/main, skipped");
    run.stderr_has("only the mirror security is brought up to date");
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    run.stdout_has(&format!("both at {fix}"));
}

#[test]
fn abort_forgets_a_run_that_never_reached_the_upstream() {
    let (repo, _security) = setup();
    // A run that was killed while pushing to the upstream: the commit exists only here.
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let orphan = repo.git(&["commit-tree", &tree, "-p", "HEAD", "-m", "never pushed"]);
    let base = repo.git(&["rev-parse", "HEAD"]);
    std::fs::create_dir_all(repo.work.join(".git/push-duty")).expect("state dir");
    let record = format!(
        "{{\"version\": 1, \"step\": \"push-upstream\", \"upstream\": \"upstream\", \"security\": \"security\", \"branch\": \"main\", \"base\": \"{base}\", \"commit\": \"{orphan}\", \"merged\": [\"fix-xss\"]}}"
    );
    std::fs::write(repo.security_merge_record(), record).expect("write");

    let cont = repo
        .run(&["security-merge", "--continue", "--yes"])
        .expect(1);
    cont.stderr_has("the recorded run never reached the upstream");
    insta::assert_snapshot!(
        "refusal_continue_of_a_run_never_public",
        repo.transcript(&cont)
    );

    let before = repo.snapshot();
    let plan = repo.run(&["security-merge", "--abort", "--dry-run"]).ok();
    plan.stderr_has("Dry run: nothing was changed.");
    insta::assert_snapshot!("plan_abort_dry_run", repo.transcript(&plan));
    assert!(repo.security_merge_record().exists());
    let run = repo.run(&["security-merge", "--abort"]).ok();
    run.stderr_has("Forgotten; nothing was pushed");
    insta::assert_snapshot!("run_abort", repo.transcript(&run));
    assert!(!repo.security_merge_record().exists());
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn continue_and_abort_with_nothing_recorded() {
    let (repo, _security) = setup();
    let run = repo
        .run(&["security-merge", "--continue", "--yes"])
        .expect(1);
    run.stderr_has("no security merge is recorded here: there is nothing to continue");
    let run = repo.run(&["security-merge", "--abort"]).expect(1);
    run.stderr_has("there is nothing to abort");
}

#[test]
fn no_branch_means_sync_and_the_flags_that_exclude_each_other() {
    let (repo, _security) = setup();
    // Behind on the mirror's tracking ref: only this clone is brought along.
    let run = repo.run(&["security-merge", "--yes"]).ok();
    run.stderr_has("Nothing to do on the remotes: upstream/main and security/main are both at");
    run.stderr_has("only this clone is brought along");
    let before = repo.snapshot();
    let run = repo.run(&["security-merge", "--yes"]).ok();
    run.stderr_has("Nothing to do: upstream/main and security/main are both at");
    assert_eq!(repo.snapshot(), before);
    for args in [
        &["security-merge", "--continue", "fix-xss"][..],
        &["security-merge", "--sync", "fix-xss"],
        &["security-merge", "--sync", "--continue"],
        &["security-merge", "--sync", "--abort"],
    ] {
        repo.run(args).expect(2);
    }
}

#[test]
fn the_checkout_follows_deletions_renames_and_new_directories() {
    let repo = TestRepo::new();
    repo.commit("legacy/old.py", "old\n", "Legacy code");
    repo.commit("config.py", "DEBUG = True\n", "Config");
    repo.git(&["push", "-q", "upstream", "main"]);
    let security = repo.add_unfetched_mirror("security");
    let dev = repo.root().join("security-dev");
    repo.security_branch(
        "fix-debug",
        "main",
        "lib/new/guard.py",
        "guard\n",
        "Add a guard",
    );
    repo.git_in(&dev, &["rm", "-q", "-r", "legacy"]);
    repo.git_in(&dev, &["mv", "config.py", "settings.py"]);
    repo.git_in(
        &dev,
        &["commit", "-q", "-m", "Remove legacy code, rename config"],
    );
    repo.git_in(&dev, &["push", "-q", "origin", "fix-debug"]);

    repo.run(&["security-merge", "fix-debug", "--yes"]).ok();

    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(up.as_str())
    );
    assert_eq!(repo.git(&["rev-parse", "main"]), up);
    assert!(!repo.work.join("legacy").exists());
    assert!(!repo.work.join("config.py").exists());
    assert_eq!(
        std::fs::read_to_string(repo.work.join("settings.py")).expect("read"),
        "DEBUG = True\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.work.join("lib/new/guard.py")).expect("read"),
        "guard\n"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
}

/// A mirror branch `fix-layout` on which the file `docs` becomes a directory and the directory
/// `legacy` a file, pushed there; returns its tip.
fn layout_fix(repo: &TestRepo) -> String {
    repo.commit("docs", "see the wiki\n", "Docs pointer");
    repo.commit("legacy/old.py", "old\n", "Legacy code");
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.add_unfetched_mirror("security");
    let dev = repo.root().join("security-dev");
    repo.security_branch("fix-layout", "main", "legacy/gone.py", "x\n", "Start");
    repo.git_in(&dev, &["rm", "-q", "-r", "docs", "legacy"]);
    repo.commit_in(&dev, "docs/index.md", "docs\n", "Docs as a directory");
    let tip = repo.commit_in(&dev, "legacy", "removed\n", "Legacy as a note");
    repo.git_in(&dev, &["push", "-q", "origin", "fix-layout"]);
    tip
}

#[test]
fn a_file_that_becomes_a_directory_and_back_is_followed_by_the_checkout() {
    let repo = TestRepo::new();
    let fix = layout_fix(&repo);

    let run = repo.run(&["security-merge", "fix-layout", "--yes"]).ok();

    run.stderr_has("with the files in the worktree");
    assert_eq!(repo.git(&["rev-parse", "main"]), fix);
    assert_eq!(
        std::fs::read_to_string(repo.work.join("docs/index.md")).expect("read"),
        "docs\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.work.join("legacy")).expect("read"),
        "removed\n"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
}

#[test]
fn an_untracked_file_in_a_directory_that_becomes_a_file_is_kept() {
    let repo = TestRepo::new();
    let fix = layout_fix(&repo);
    std::fs::write(repo.work.join("legacy/notes.txt"), "mine\n").expect("untracked");

    published_but_left(
        &repo,
        &repo.root().join("security.git"),
        "fix-layout",
        &fix,
        "the untracked files in legacy/ would be removed",
    );
}

#[test]
fn two_merge_commits_in_a_row_build_on_each_other_in_memory() {
    let (repo, security) = setup();
    let a = repo.security_branch("fix-a", "main", "a.py", "a\n", "Fix A");
    let b = repo.security_branch("fix-b", "main", "b.py", "b\n", "Fix B");
    let other = repo.upstream_commit("app.py", "app\n", "Unrelated work");

    repo.run(&["security-merge", "fix-a", "fix-b", "--yes"])
        .ok();

    let up = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(up.as_str())
    );
    let first = parents(&repo, &up);
    assert_eq!(first[1], b);
    assert_eq!(parents(&repo, &first[0]), vec![other, a]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", &first[0]]),
        "Merge security/fix-a"
    );
    assert_eq!(
        repo.git(&["ls-tree", "--name-only", &up]),
        "README.md\na.py\napp.py\nb.py"
    );
}

#[test]
fn on_a_terminal_it_asks_and_no_changes_nothing() {
    let (repo, _security, _fix) = with_fix();
    let before = repo.snapshot();
    let run = repo
        .run_on_terminal(&["security-merge", "fix-xss", "--stat"], "n\n")
        .expect(1);
    // The terminal carries both streams: the question, then the refusal.
    run.stdout_has("? [y/N]");
    run.stdout_has("not confirmed: nothing was done");
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.security_merge_record().exists());
}

/// Installs a `pre-push` hook in the clone that, on the push to the mirror, commits `later.txt`
/// on the checked-out main: a commit made while the run waits (at its prompt, or on a slow push).
fn commit_during_the_mirror_push(repo: &TestRepo) {
    write_script(
        &repo.work.join(".git/hooks/pre-push"),
        &format!(
            "#!/bin/sh\ncat >/dev/null\n[ \"$1\" = security ] || exit 0\nunset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE\ncd '{}' && echo later > later.txt && git add later.txt && git commit -q -m 'Work done meanwhile'\n",
            repo.work.display()
        ),
    );
}

#[test]
fn a_commit_made_while_the_run_waits_survives_the_final_fast_forward() {
    let (repo, security, fix) = with_fix();
    commit_during_the_mirror_push(&repo);

    // No pager to eat the answer typed at the question.
    repo.git(&["config", "core.pager", "cat"]);
    let run = repo
        .run_on_terminal(&["security-merge", "fix-xss", "--stat"], "y\n")
        .expect(1);

    // Published to both, upstream first.
    assert_eq!(
        repo.branch_of(&repo.upstream, "main").as_deref(),
        Some(fix.as_str())
    );
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    // The commit, its file and a clean worktree are all still there.
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "main"]),
        "Work done meanwhile"
    );
    assert_eq!(
        std::fs::read_to_string(repo.work.join("later.txt")).expect("the file survived"),
        "later\n"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(
        !repo.work.join("search.py").exists(),
        "the merge's files were not written over it"
    );
    assert!(!repo.work.join(".git/index.lock").exists());
    let later = repo.rev("main");
    run.stdout_has(&format!(
        "refs/heads/main moved meanwhile: it is at {} (Work done meanwhile), not at",
        &later[..7]
    ));
    run.stdout_has(&format!(
        "hint: bring it up to date when you are ready: git rebase {}",
        &fix[..7]
    ));
}

#[test]
fn a_pull_made_while_the_run_waits_leaves_nothing_to_do() {
    // The branch moved, but onto the published commit itself: nothing is touched, no refusal.
    let (repo, security, fix) = with_fix();
    write_script(
        &repo.work.join(".git/hooks/pre-push"),
        &format!(
            "#!/bin/sh\ncat >/dev/null\n[ \"$1\" = security ] || exit 0\nunset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE\ncd '{}' && git pull -q --ff-only upstream main\n",
            repo.work.display()
        ),
    );

    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    assert_eq!(
        repo.branch_of(&security, "main").as_deref(),
        Some(fix.as_str())
    );
    assert_eq!(repo.rev("main"), fix);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}
