//! `tag` asks the upstream only for its release branch and the tags of the push date's year and
//! the year before (as `next-tag` does), and must decide exactly as if it had listed everything:
//! a pick or a base the upstream has only under an older tag or on another branch is still
//! public (the whole listing is read when the narrow one cannot say yes), `--from` an older tag
//! only the upstream has is found, and a stopped run whose tag is of an older date is finished,
//! not forgotten. An embargoed fix is refused either way.

mod common;

use common::{BIN, Run, TestRepo};

/// `tag ARGS` with the protocol's packets traced: the run and the packets sent and received.
fn traced(repo: &TestRepo, args: &[&str]) -> (Run, String) {
    let trace = repo.root().join("packets.trace");
    let _ = std::fs::remove_file(&trace);
    let trace_text = trace.to_str().expect("a UTF-8 path");
    let run = repo.run_env(BIN, &repo.work, args, &[("GIT_TRACE_PACKET", trace_text)]);
    let sent = std::fs::read_to_string(&trace).unwrap_or_default();
    (run, sent)
}

/// `tag --cherry-pick PICK --from FROM --no-push --yes`, traced as [`traced`] does.
fn picked_onto(repo: &TestRepo, pick: &str, from: &str) -> (Run, String) {
    traced(
        repo,
        &[
            "tag",
            "--cherry-pick",
            pick,
            "--from",
            from,
            "--no-push",
            "--yes",
        ],
    )
}

/// Tags what `upstream/main` points to as last week's `2026.11.26` and pushes it.
fn last_weeks_tag(repo: &TestRepo) {
    repo.git(&[
        "tag",
        "-a",
        "-m",
        "last week",
        "2026.11.26",
        "upstream/main",
    ]);
    repo.git(&["push", "-q", "upstream", "refs/tags/2026.11.26"]);
}

/// `tag --cherry-pick PICK --no-push --yes` refused (exit 1), with nothing changed: refs, tags,
/// worktree and the bare remotes as they were.
fn refused_unchanged(repo: &TestRepo, pick: &str) -> Run {
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", pick, "--no-push", "--yes"])
        .expect(1);
    assert_eq!(repo.snapshot(), before, "{}", run.streams());
    run
}

/// Last week's tag on the upstream, an old release tag `v1.2.3` and an old calendar tag, and a
/// fix on the upstream's main since last week.
fn week() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "an old release", "v1.2.3"]);
    repo.git(&["tag", "-a", "-m", "three years ago", "2023.06.01"]);
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "--tags"]);
    let fix = repo.commit("fix.txt", "fixed\n", "Fix the crash");
    repo.git(&["push", "-q", "upstream", "main"]);
    (repo, fix)
}

#[test]
fn a_pick_on_the_release_branch_is_settled_without_listing_every_tag() {
    let (repo, fix) = week();
    let (run, sent) = traced(&repo, &["tag", "--cherry-pick", &fix, "--no-push", "--yes"]);
    run.ok().stdout_has("tag: 2026.12.03\n");
    assert!(sent.contains("ref-prefix refs/tags/2026"), "{sent}");
    assert!(sent.contains("ref-prefix refs/tags/2025"), "{sent}");
    assert!(!sent.contains("ref-prefix refs/tags/\n"), "{sent}");
    assert!(!sent.contains("refs/tags/v1.2.3"), "not listed: {sent}");
    assert!(!sent.contains("refs/tags/2023.06.01"), "not listed: {sent}");
    assert_eq!(
        repo.git(&["rev-parse", "2026.12.03^{commit}^"]),
        repo.git(&["rev-parse", "2026.11.26^{commit}"])
    );
}

#[test]
fn a_pick_the_upstream_has_only_under_an_old_tag_is_public() {
    let (repo, _) = week();
    // A commit on a side branch the upstream deleted, kept only by an old tag.
    repo.git(&["checkout", "-q", "-b", "side", "v1.2.3"]);
    let old_fix = repo.commit("old.txt", "old fix\n", "An old fix, released as v1.2.4");
    repo.git(&["tag", "-a", "-m", "old", "v1.2.4"]);
    repo.git(&["push", "-q", "upstream", "side", "refs/tags/v1.2.4"]);
    repo.git(&["push", "-q", "upstream", "--delete", "side"]);
    repo.git(&["checkout", "-q", "main"]);
    let (run, sent) = traced(
        &repo,
        &["tag", "--cherry-pick", &old_fix, "--no-push", "--yes"],
    );
    run.ok().stdout_has("tag: 2026.12.03\n");
    // The narrow listing could not say yes: the whole one was read, and it did.
    assert!(sent.contains("refs/tags/v1.2.4"), "{sent}");
    assert_eq!(
        repo.git(&["show", "2026.12.03:old.txt"]),
        "old fix",
        "the old fix ships"
    );
}

#[test]
fn a_pick_the_upstream_has_on_another_branch_is_public() {
    let (repo, _) = week();
    repo.git(&["checkout", "-q", "-b", "next", "2026.11.26"]);
    let pick = repo.commit("next.txt", "next\n", "Reviewed on next");
    repo.git(&["push", "-q", "upstream", "next"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.run(&["tag", "--cherry-pick", &pick, "--no-push", "--yes"])
        .ok()
        .stdout_has("tag: 2026.12.03\n");
}

#[test]
fn a_pick_the_upstream_does_not_have_is_refused_and_nothing_changes() {
    let (repo, _) = week();
    let local = repo.commit("local.txt", "only here\n", "Never pushed");
    refused_unchanged(&repo, &local)
        .stderr_has("is not on upstream: a tag ships only commits the upstream already has");
}

#[test]
fn an_embargoed_fix_is_refused_with_the_narrow_listing_too() {
    let (repo, _, fix) = TestRepo::guarded_with_fix();
    last_weeks_tag(&repo);
    refused_unchanged(&repo, &fix).stderr_has("is an embargoed security fix");
}

#[test]
fn from_an_old_tag_only_the_upstream_has_is_found() {
    let (repo, fix) = week();
    repo.git(&["tag", "-d", "2023.06.01"]);
    let (run, sent) = picked_onto(&repo, &fix, "2023.06.01");
    run.ok().stdout_has("tag: 2026.12.03\n");
    assert!(sent.contains("refs/tags/2023.06.01"), "{sent}");
    assert_eq!(
        repo.git(&["rev-parse", "2026.12.03^{commit}^"]),
        repo.git_in(&repo.upstream, &["rev-parse", "2023.06.01^{commit}"])
    );
}

#[test]
fn a_stopped_run_whose_tag_is_of_an_older_date_is_finished_not_forgotten() {
    let (repo, _) = week();
    // Pushed 2024.01.04 (outside the two years listed) with --date, stopped before the local tag (a kill after the push).
    let stopped = repo.run_env(
        BIN,
        &repo.work,
        &["tag", "--date", "2024-01-04", "--yes"],
        &[("PUSH_DUTY_TEST_FAULT", "exit-after-3")],
    );
    stopped.expect(99);
    assert!(repo.tags_of(&repo.upstream).contains_key("2024.01.04"));
    assert!(!repo.tags_of(&repo.work).contains_key("2024.01.04"));
    // Weeks later, this week's run finishes that one first, wherever its year.
    let rerun = repo.run(&["tag", "--yes"]).ok();
    rerun.stderr_has("An earlier run pushed tag 2024.01.04");
    assert_eq!(
        repo.git(&["rev-parse", "refs/tags/2024.01.04"]),
        repo.git_in(&repo.upstream, &["rev-parse", "refs/tags/2024.01.04"])
    );
    assert!(!repo.work.join(".git/push-duty/tag.json").exists());
}

// Attacks on the narrowing that held (each passes on the code before it too), kept so that they
// keep holding.

#[test]
fn a_pick_named_by_a_tracking_ref_set_by_hand_to_the_fix_is_refused() {
    let (repo, _, fix) = TestRepo::guarded_with_fix();
    last_weeks_tag(&repo);
    // `upstream/main~0` names the fix: the tracking ref says yes wrongly, the upstream no.
    repo.git(&["update-ref", "refs/remotes/upstream/main", &fix]);
    refused_unchanged(&repo, "upstream/main~0").stderr_has("is an embargoed security fix");
}

#[test]
fn a_tracking_ref_that_is_a_symbolic_ref_to_the_mirrors_main_makes_nothing_public() {
    let repo = TestRepo::guarded();
    last_weeks_tag(&repo);
    // The mirror's main is ahead (a fix merged there only), and the upstream's tracking ref is
    // made to follow it.
    let fix = repo.security_branch("main", "main", "xss.txt", "escaped\n", "Embargoed");
    repo.git(&["fetch", "-q", "security"]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/upstream/main",
        "refs/remotes/security/main",
    ]);
    assert_eq!(repo.rev("upstream/main"), fix);
    refused_unchanged(&repo, "upstream/main")
        .stderr_has("is an embargoed security fix")
        .stderr_has("the mirror's main is ahead of upstream's");
}

#[test]
fn a_fix_on_the_mirror_also_released_under_an_old_upstream_tag_is_public() {
    let (repo, _) = week();
    repo.add_mirror("security");
    // An old fix, released long ago as v1.2.4 off a side branch, whose mirror branch was kept.
    repo.git(&["checkout", "-q", "-b", "old-fix", "v1.2.3"]);
    let old_fix = repo.commit(
        "old.txt",
        "old fix\n",
        "An old embargoed fix, since released",
    );
    repo.git(&["push", "-q", "--no-verify", "security", "old-fix"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "Release 1.2.4"]);
    repo.git(&["tag", "-a", "-m", "old", "v1.2.4"]);
    repo.git(&["push", "-q", "upstream", "refs/tags/v1.2.4"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["fetch", "-q", "security"]);
    repo.run(&["tag", "--cherry-pick", &old_fix, "--no-push", "--yes"])
        .ok()
        .stdout_has("tag: 2026.12.03\n");
    assert_eq!(repo.git(&["show", "2026.12.03:old.txt"]), "old fix");
}

#[test]
fn a_base_tag_only_here_that_carries_a_fix_is_refused() {
    // `git fetch --tags security` brought a tag of this year that the upstream does not have:
    // it is the latest calendar tag here, so the default base, and it carries the fix.
    let (repo, _, fix) = TestRepo::guarded_with_fix();
    last_weeks_tag(&repo);
    repo.git(&["tag", "-a", "-m", "from the mirror", "2026.11.30", &fix]);
    let pick = repo.upstream_commit("ok.txt", "ok\n", "Public fix");
    repo.git(&["fetch", "-q", "upstream"]);
    refused_unchanged(&repo, &pick)
        .stderr_has("the base tag 2026.11.30 carries")
        .stderr_has("an embargoed security fix on security/fix-xss");
}

#[test]
fn a_local_tag_of_the_last_push_pointing_elsewhere_is_not_built_on() {
    let (repo, fix) = week();
    // Here, 2026.11.26 was made again on a commit the upstream does not have.
    let local = repo.commit("local.txt", "only here\n", "Never pushed");
    repo.git(&["tag", "-f", "-a", "-m", "mine", "2026.11.26", &local]);
    let upstream_tag = repo.git_in(&repo.upstream, &["rev-parse", "2026.11.26^{commit}"]);
    repo.run(&["tag", "--cherry-pick", &fix, "--no-push", "--yes"])
        .ok()
        .stderr_has("warning: tag 2026.11.26 here points to")
        .stdout_has("tag: 2026.12.03\n");
    assert_eq!(repo.rev("2026.12.03^{commit}^"), upstream_tag);
    assert!(
        repo.try_git_in(&repo.work, &["show", "2026.12.03:local.txt"])
            .status
            != 0
    );
}

#[test]
fn from_a_tag_named_like_a_year_only_the_upstream_has_is_found() {
    let (repo, fix) = week();
    // `2026` and `2026x` start with the year the upstream is asked for; `2025.99.99` too.
    for name in ["2026", "2026x", "2025.99.99"] {
        repo.git(&["tag", "-a", "-m", name, name, "2023.06.01"]);
    }
    repo.git(&["push", "-q", "upstream", "--tags"]);
    for name in ["2026", "2026x", "2025.99.99"] {
        repo.git(&["tag", "-d", name]);
    }
    for (name, tag) in [
        ("2026", "2026.12.03"),
        ("refs/tags/2026x", "2026.12.03-1"),
        ("2025.99.99", "2026.12.03-2"),
    ] {
        let (run, _) = picked_onto(&repo, &fix, name);
        run.ok().stdout_has(&format!("tag: {tag}\n"));
        assert_eq!(
            repo.rev(&format!("{tag}^{{commit}}^")),
            repo.git_in(&repo.upstream, &["rev-parse", "2023.06.01^{commit}"])
        );
    }
}

#[test]
fn from_an_old_tag_in_the_default_format_under_a_team_format_is_found() {
    let (repo, fix) = week();
    repo.git(&["config", "pushduty.tagFormat", "v{date}"]);
    repo.git(&["tag", "-a", "-m", "last week", "v2026.11.26", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "refs/tags/v2026.11.26"]);
    repo.git(&["tag", "-d", "2023.06.01"]);
    let (run, sent) = picked_onto(&repo, &fix, "2023.06.01");
    run.ok().stdout_has("tag: v2026.12.03\n");
    assert!(sent.contains("refs/tags/2023.06.01"), "{sent}");
    assert_eq!(
        repo.rev("v2026.12.03^{commit}^"),
        repo.git_in(&repo.upstream, &["rev-parse", "2023.06.01^{commit}"])
    );
}

#[test]
fn offline_a_pick_on_another_fetched_upstream_branch_is_public() {
    let (repo, _) = week();
    repo.git(&["checkout", "-q", "-b", "next", "2026.11.26"]);
    let pick = repo.commit("next.txt", "next\n", "Reviewed on next");
    repo.git(&["push", "-q", "upstream", "next"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["fetch", "-q", "upstream"]);
    repo.run(&["tag", "--offline", "--cherry-pick", &pick, "--yes"])
        .ok()
        .stdout_has("tag: 2026.12.03\n");
}

// What the review of the narrowing found: each failed before its fix in src/.

#[test]
fn a_colleague_pushing_between_the_two_listings_is_no_refusal() {
    let (repo, fix) = week();
    // A reviewed pick on another upstream branch: the narrow listing cannot say yes, so the
    // whole upstream is listed, a second time and a moment later.
    repo.git(&["checkout", "-q", "-b", "next", "2026.11.26"]);
    let next = repo.commit("next.txt", "next\n", "Reviewed on next");
    repo.git(&["push", "-q", "upstream", "next"]);
    repo.git(&["checkout", "-q", "main"]);
    // A colleague's merge on top of main, waiting on the upstream under a ref nobody lists,
    // lands on main just before the third connection (the whole listing): its objects are not
    // here, so main at that moment proves nothing about the fix below it.
    let colleague = repo.root().join("colleague");
    repo.git_in(&repo.root(), &["clone", "-q", "upstream.git", "colleague"]);
    let later = repo.commit_in(&colleague, "later.txt", "later\n", "A colleague's merge");
    repo.git_in(
        &colleague,
        &["push", "-q", "origin", "HEAD:refs/pending/main"],
    );
    let wrappers = repo.root().join("wrappers");
    let count = repo.root().join("connections");
    common::write_script(
        &wrappers.join("git-upload-pack"),
        &format!(
            "#!/bin/sh\nn=$(cat '{c}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{c}'\n\
             if [ \"$n\" = 3 ]; then git --git-dir='{u}' update-ref refs/heads/main {later}; fi\n\
             exec git upload-pack \"$@\"\n",
            c = count.display(),
            u = repo.upstream.display(),
        ),
    );
    let path = format!(
        "{}:{}",
        wrappers.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = repo.run_env(
        BIN,
        &repo.work,
        &[
            "tag",
            "--cherry-pick",
            &fix,
            "--cherry-pick",
            &next,
            "--no-push",
            "--yes",
        ],
        &[("PATH", &path)],
    );
    // Three connections: the narrow listing, the fetch, the whole listing (the colleague's
    // push lands just before it).
    assert_eq!(
        std::fs::read_to_string(&count).unwrap_or_default().trim(),
        "3",
        "{}",
        run.streams()
    );
    run.ok().stdout_has("tag: 2026.12.03\n");
    assert_eq!(repo.git(&["show", "2026.12.03:fix.txt"]), "fixed");
    assert_eq!(repo.git(&["show", "2026.12.03:next.txt"]), "next");
}

#[test]
fn a_stopped_run_of_last_january_counts_from_the_push_of_the_year_before() {
    // 2025.01.02 is of the year before the push date's (listed), but its last push, 2024.12.26,
    // is two years back: the record's tag alone in the window counted it from nothing.
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "the last push of 2024", "2024.12.26"]);
    repo.commit("a.txt", "a\n", "After Christmas");
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "main", "--tags"]);
    repo.run_env(
        BIN,
        &repo.work,
        &["tag", "--date", "2025-01-02", "--from-branch", "--yes"],
        &[("PUSH_DUTY_TEST_FAULT", "exit-after-3")],
    )
    .expect(99);
    assert!(repo.tags_of(&repo.upstream).contains_key("2025.01.02"));
    let rerun = repo.run(&["tag", "--yes", "--json"]).ok();
    rerun
        .stderr_has("An earlier run pushed tag 2025.01.02")
        .stdout_has("\"previous\": \"2024.12.26\"")
        .stdout_has("\"last_push\": \"2024.12.26\"");
}

#[test]
fn a_damaged_record_of_a_stopped_run_is_refused_and_nothing_changes() {
    let (repo, _) = week();
    let record = repo.work.join(".git/push-duty/tag.json");
    std::fs::create_dir_all(record.parent().expect("state dir")).expect("mkdir");
    std::fs::write(&record, "{ not json").expect("write the record");
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("the record of an unfinished tag push")
        .stderr_has("nothing was changed");
    assert_eq!(repo.snapshot(), before);
    assert_eq!(
        std::fs::read_to_string(&record).expect("the record is kept"),
        "{ not json"
    );
}
