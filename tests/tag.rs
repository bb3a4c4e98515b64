//! `git push-duty tag` without cherry-picks: the tag lands on the bare upstream and nowhere
//! else, refusals change nothing, `--dry-run` and `--no-push` do what they say.

mod common;

use common::{Run, TestRepo, Text, write_script};

#[test]
fn tags_the_upstream_tip_and_pushes_only_that_tag() {
    let repo = TestRepo::new();
    let fork = repo.add_bare_remote("fork");
    repo.git(&["push", "-q", "fork", "main"]);
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    // Work merged upstream by someone else, not fetched here.
    let tip = repo.upstream_commit("feature.txt", "feature\n", "Add the feature");
    let local_main = repo.git(&["rev-parse", "main"]);

    let run = repo.run(&["tag", "--yes"]).ok();
    run.stdout_is(&format!(
        "tag: 2026.12.03\ncommit: {tip} Add the feature\ncompare: git log --oneline 2026.11.26..2026.12.03\n"
    ));
    run.stderr_has("Tagged 2026.12.03 and pushed it to upstream.");

    // On the upstream, peeled to the upstream's tip, annotated, by the user, dated the push.
    let upstream_tags = repo.tags_of(&repo.upstream);
    assert_eq!(
        upstream_tags.keys().collect::<Vec<_>>(),
        ["2026.11.26", "2026.12.03"]
    );
    let peeled = repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03^{commit}"]);
    assert_eq!(peeled, tip);
    assert_eq!(
        repo.git_in(&repo.upstream, &["cat-file", "-t", "2026.12.03"]),
        "tag"
    );
    let tag_text = repo.git_in(&repo.upstream, &["cat-file", "tag", "2026.12.03"]);
    tag_text.has("tagger Hero Pusher <hero@example.com>");
    tag_text.has("Push of Thursday 2026-12-03 (2026.12.03)");

    // Locally the same tag object; nowhere else; no branch moved.
    assert_eq!(
        repo.tags_of(&repo.work)["2026.12.03"],
        upstream_tags["2026.12.03"]
    );
    assert!(repo.tags_of(&fork).is_empty());
    assert_eq!(repo.git(&["rev-parse", "main"]), local_main);
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "main"]),
        tip,
        "the upstream branch is unchanged"
    );
}

#[test]
fn the_next_revision_on_a_new_tip_and_links_for_github() {
    let repo = TestRepo::new();
    repo.run(&["tag", "--yes"]).ok();
    let tip = repo.upstream_commit("fix.txt", "fix\n", "Fix the crash");
    // The compare link comes from the configured URL; the push goes to the pushurl.
    repo.git(&[
        "remote",
        "set-url",
        "upstream",
        "git@github.com:mozilla/addons-server.git",
    ]);
    repo.git(&[
        "config",
        "remote.upstream.pushurl",
        repo.upstream.to_str().expect("utf-8"),
    ]);
    repo.git(&[
        "config",
        &format!("url.{}.insteadOf", repo.upstream.display()),
        "git@github.com:mozilla/addons-server.git",
    ]);
    let run = repo.run(&["tag", "--yes", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    // No push date before this one was tagged: only the revision's link.
    assert_eq!(json["compare"], serde_json::Value::Null);
    assert_eq!(
        json["compare_revision"],
        "https://github.com/mozilla/addons-server/compare/2026.12.03...2026.12.03-1"
    );
    assert_eq!(json["tag"], "2026.12.03-1");
    assert_eq!(json["commit"], tip.as_str());
    assert_eq!(json["previous"], "2026.12.03");
    assert_eq!(json["pushed"], true);
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.03-1"));
}

#[test]
fn an_unchanged_tip_is_refused_with_nothing_changed() {
    let repo = TestRepo::new();
    repo.run(&["tag", "--yes"]).ok();
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("nothing new to tag: 2026.12.03 already points to");
    run.stderr_has("--allow-same-commit");
    insta::assert_snapshot!("refusal_nothing_new_to_tag", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);

    // Re-tagging the same commit for a fresh deploy is allowed when asked for.
    repo.run(&["tag", "--yes", "--allow-same-commit"]).ok();
    let tags = repo.tags_of(&repo.upstream);
    assert!(tags.contains_key("2026.12.03-1"));
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03-1^{commit}"]),
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03^{commit}"])
    );
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let repo = TestRepo::new();
    repo.upstream_commit("feature.txt", "feature\n", "Add the feature");
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--dry-run"]).ok();
    run.stderr_has("Plan:");
    run.stderr_has("push tag 2026.12.03");
    run.stderr_has("Dry run: nothing was changed.");
    run.stdout_has("tag: 2026.12.03");
    assert_eq!(repo.snapshot(), before);
    assert!(repo.git(&["tag", "--list"]).is_empty());
}

#[test]
fn no_push_creates_the_tag_locally_only() {
    let repo = TestRepo::new();
    let run = repo.run(&["tag", "--no-push"]).ok();
    run.stderr_has("Tagged 2026.12.03 locally (not pushed).");
    assert!(repo.tags_of(&repo.work).contains_key("2026.12.03"));
    assert!(repo.tags_of(&repo.upstream).is_empty());
}

#[test]
fn not_on_a_terminal_without_yes_is_a_usage_error_and_changes_nothing() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let run = repo.run(&["tag"]).expect(2);
    run.stderr_has("not on a terminal, and this changes a remote: nothing was done");
    run.stderr_has("hint: pass --yes");
    insta::assert_snapshot!("refusal_not_on_a_terminal", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_tag_that_appears_on_the_remote_meanwhile_is_refused_with_nothing_changed() {
    let repo = TestRepo::new();
    // A pre-push hook that plays the colleague who tags in the same minute: it runs after the
    // survey and before the push.
    write_script(
        &repo.work.join(".git/hooks/pre-push"),
        "#!/bin/sh\ngit --git-dir=\"$2\" tag 2026.12.03 main\n",
    );
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("git push to upstream did not go through");
    run.stderr_has("error: upstream did not take tag 2026.12.03: nothing was pushed, and the record of the push was removed");
    run.stderr_has("step 3 of 5 failed (push tag 2026.12.03");
    assert!(!repo.work.join(".git/push-duty/tag.json").exists());
    // The colleague's tag stands; nothing was created here.
    assert!(repo.tags_of(&repo.work).is_empty());
    assert_eq!(
        repo.tags_of(&repo.upstream).keys().collect::<Vec<_>>(),
        ["2026.12.03"]
    );
}

#[test]
fn a_local_tag_of_the_name_counts_and_is_never_moved() {
    let repo = TestRepo::new();
    repo.git(&["tag", "2026.12.03"]);
    let local = repo.tags_of(&repo.work)["2026.12.03"].clone();
    repo.upstream_commit("x.txt", "x\n", "More");
    let run = repo.run(&["tag", "--yes"]).ok();
    run.stdout_has("tag: 2026.12.03-1");
    assert_eq!(repo.tags_of(&repo.work)["2026.12.03"], local);
}

#[test]
fn offline_tags_the_tracking_ref_and_does_not_push() {
    let repo = TestRepo::new();
    let tracked = repo.git(&["rev-parse", "upstream/main"]);
    repo.upstream_commit("x.txt", "x\n", "Not fetched");
    let run = repo.run(&["tag", "--offline"]).ok();
    run.stderr_has("offline");
    run.stdout_has(&format!("commit: {tracked}"));
    assert!(repo.tags_of(&repo.upstream).is_empty());
}

#[test]
fn an_unreachable_upstream_changes_nothing() {
    let repo = TestRepo::new();
    repo.git(&["remote", "set-url", "upstream", "/nonexistent/upstream.git"]);
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("cannot reach remote upstream (/nonexistent/upstream.git)");
    run.stderr_has("--offline");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn no_upstream_remote_changes_nothing() {
    let repo = TestRepo::new();
    repo.git(&["remote", "rename", "upstream", "origin"]);
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("there is no remote named \"upstream\"");
    run.stderr_has("git config pushduty.upstream <remote>");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_malformed_date_changes_nothing() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--yes", "--date", "03/12/2026"])
        .expect(2);
    run.stderr_has("--date \"03/12/2026\"");
    let run = repo.run_on("2026-13-01", &["tag", "--yes"]).expect(2);
    run.stderr_has("PUSH_DUTY_TODAY=\"2026-13-01\"");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn an_off_schedule_date_names_the_tag() {
    let repo = TestRepo::new();
    let run = repo.run(&["tag", "--yes", "--date", "2026-12-07"]).ok();
    run.stdout_has("tag: 2026.12.07");
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.07"));
}

#[test]
fn the_master_branch_is_tagged_when_it_is_the_upstream_default() {
    let repo = TestRepo::with_branch("master");
    let tip = repo.git(&["rev-parse", "upstream/master"]);
    repo.run(&["tag", "--yes"]).ok();
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03^{commit}"]),
        tip
    );
}

#[test]
fn on_a_terminal_it_asks_and_no_means_nothing_changes() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let run = repo.run_on_terminal(&["tag"], "n\n").expect(1);
    run.stdout_has("Push tag 2026.12.03 to upstream? [y/N]");
    run.stdout_has("not confirmed: nothing was done");
    assert_eq!(repo.snapshot(), before);

    let run = repo.run_on_terminal(&["tag"], "y\n").ok();
    run.stdout_has("Tagged 2026.12.03 and pushed it to upstream.");
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.03"));
}

#[test]
fn a_branch_the_upstream_does_not_have_is_refused() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.branch", "release"]);
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("the upstream upstream has no branch release");
    run.stderr_has("git config pushduty.branch <branch>");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn push_follow_tags_does_not_carry_other_tags_along() {
    let repo = TestRepo::new();
    // A private annotated tag on a commit the new tag ships; `push.followTags` would push it too.
    repo.git(&["tag", "-a", "-m", "mine", "my-experiment"]);
    repo.git(&["config", "push.followTags", "true"]);
    repo.upstream_commit("x.txt", "x\n", "More");
    repo.run(&["tag", "--yes"]).ok();
    assert_eq!(
        repo.tags_of(&repo.upstream).keys().collect::<Vec<_>>(),
        ["2026.12.03"]
    );
}

#[test]
fn git_dash_c_gives_the_tagger() {
    // No identity but the one on git's command line, which `git -c user.name=... tag` takes.
    let repo = TestRepo::new();
    let run = |args: &[&str]| {
        Run::from(
            repo.command("git", &repo.work)
                .env_remove("GIT_COMMITTER_NAME")
                .env_remove("GIT_COMMITTER_EMAIL")
                .env("PUSH_DUTY_TODAY", common::TUESDAY)
                .args(args)
                .output()
                .expect("run git push-duty"),
        )
    };
    let before = repo.snapshot();
    run(&["push-duty", "tag", "--yes"])
        .expect(1)
        .stderr_has("no committer identity");
    assert_eq!(repo.snapshot(), before);

    run(&[
        "-c",
        "user.name=Carol Hero",
        "-c",
        "user.email=carol@example.com",
        "push-duty",
        "tag",
        "--yes",
    ])
    .ok();
    let tag_text = repo.git_in(&repo.upstream, &["cat-file", "tag", "2026.12.03"]);
    tag_text.has("tagger Carol Hero <carol@example.com>");
}

#[test]
fn the_plan_names_the_url_the_tag_is_pushed_to() {
    // Fetched over one URL, pushed over another (https to read, ssh to write, in real life).
    let repo = TestRepo::new();
    let fetch_url = format!("file://{}", repo.upstream.display());
    let push_url = repo.upstream.display().to_string();
    repo.git(&["remote", "set-url", "upstream", &fetch_url]);
    repo.git(&["remote", "set-url", "--push", "upstream", &push_url]);
    let run = repo.run(&["tag", "--dry-run"]).ok();
    run.stderr_has(&format!(") to upstream ({push_url})\n"));
}

#[test]
fn a_calendar_tag_on_a_tree_does_not_block_tagging_and_is_no_base() {
    let repo = TestRepo::new();
    // Someone's odd tag of the push date's name on a tree, here and on the upstream.
    repo.git(&["tag", "2026.12.03", "HEAD^{tree}"]);
    repo.git(&["tag", "2026.11.26", "HEAD^{tree}"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    repo.git(&["tag", "-d", "2026.11.26"]);
    let tip = repo.upstream_commit("x.txt", "x\n", "More");
    let run = repo.run(&["tag", "--yes"]).ok();
    run.stdout_has("tag: 2026.12.03-1\n");
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03-1^{commit}"]),
        tip
    );

    let before = repo.snapshot();
    let run = repo
        .run(&[
            "tag",
            "--cherry-pick",
            &tip,
            "--from",
            "2026.11.26",
            "--yes",
        ])
        .expect(1);
    run.stderr_has("error: tag 2026.11.26 does not point to a commit");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_tag_made_with_no_push_is_pushed_with_git_push_not_a_new_revision() {
    let repo = TestRepo::new();
    repo.run(&["tag", "--no-push"]).ok();
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has("nothing new to tag: 2026.12.03 already points to");
    run.stderr_has("hint: 2026.12.03 is only here, not on upstream yet; to push it: git push upstream refs/tags/2026.12.03\n");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn from_a_subdirectory_a_relative_upstream_url_means_what_it_means_to_git() {
    // The upstream is `../upstream.git`, relative to the top of the worktree, as git reads it.
    let repo = TestRepo::new();
    let sub = repo.work.join("src/deep");
    std::fs::create_dir_all(&sub).expect("create a subdirectory");
    let run = repo.run_in(&sub, common::TUESDAY, &["next-tag"]).ok();
    run.stdout_is("2026.12.03\n");
    repo.run_in(&sub, common::TUESDAY, &["tag", "--yes"]).ok();
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.03"));
}

#[test]
fn an_empty_committer_name_is_no_identity() {
    // git refuses to tag as "  <hero@example.com>"; so must this.
    let repo = TestRepo::new();
    let before = repo.snapshot();
    for name in ["", "  "] {
        let out = repo
            .command(common::BIN, &repo.work)
            .env("PUSH_DUTY_TODAY", common::TUESDAY)
            .env("GIT_COMMITTER_NAME", name)
            .args(["tag", "--yes"])
            .output()
            .expect("run git-push-duty");
        Run::from(out)
            .expect(1)
            .stderr_has("error: no committer identity: tags and commits need a name and an email");
    }
    assert_eq!(repo.snapshot(), before);
}
