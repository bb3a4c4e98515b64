//! `git push-duty next-tag`: every naming rule against a real upstream on disk.

mod common;

use common::{TUESDAY, TestRepo};

fn next(repo: &TestRepo, today: &str, args: &[&str]) -> String {
    let mut all = vec!["next-tag"];
    all.extend_from_slice(args);
    repo.run_on(today, &all).ok().stdout.trim().to_owned()
}

#[test]
fn tuesday_names_the_thursday_push() {
    let repo = TestRepo::new();
    assert_eq!(next(&repo, "2026-12-01", &[]), "2026.12.03");
}

#[test]
fn the_push_day_itself_names_itself() {
    let repo = TestRepo::new();
    assert_eq!(next(&repo, "2026-12-03", &[]), "2026.12.03");
}

#[test]
fn friday_names_next_weeks_push() {
    let repo = TestRepo::new();
    assert_eq!(next(&repo, "2026-12-04", &[]), "2026.12.10");
}

#[test]
fn git_finds_the_binary_as_a_subcommand() {
    let repo = TestRepo::new();
    let run = repo.run_through_git(&["next-tag"]).ok();
    assert_eq!(run.stdout.trim(), "2026.12.03");
}

#[test]
fn a_push_day_from_the_committed_team_file() {
    let repo = TestRepo::new();
    repo.commit(
        ".pushduty",
        "[pushduty]\n\tpushDay = tuesday\n",
        "Push on Tuesdays",
    );
    // Friday 2026-11-27: the next Tuesday.
    assert_eq!(next(&repo, "2026-11-27", &[]), "2026.12.01");
}

#[test]
fn git_config_overrides_the_team_file() {
    let repo = TestRepo::new();
    repo.commit(
        ".pushduty",
        "[pushduty]\n\tpushDay = tuesday\n",
        "Push on Tuesdays",
    );
    repo.git(&["config", "pushduty.pushDay", "wednesday"]);
    assert_eq!(next(&repo, "2026-11-27", &[]), "2026.12.02");
}

#[test]
fn cadence_two_with_an_anchor() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.cadence", "2"]);
    repo.git(&["config", "pushduty.anchor", "2026-11-19"]);
    // 2026-11-26 is an off week, so Tuesday 2026-11-24 names 2026-12-03.
    assert_eq!(next(&repo, "2026-11-24", &[]), "2026.12.03");
    assert_eq!(next(&repo, "2026-12-04", &[]), "2026.12.17");
}

#[test]
fn a_skipped_date_moves_to_the_next_push() {
    let repo = TestRepo::new();
    repo.commit(
        ".pushduty",
        "[pushduty]\n\tskip = 2026-12-24\n\tskip = 2026-12-31\n",
        "Holidays",
    );
    assert_eq!(next(&repo, "2026-12-22", &[]), "2027.01.07");
}

#[test]
fn a_tag_that_exists_only_on_the_remote_counts() {
    let repo = TestRepo::new();
    // A colleague tagged from another machine; this clone never fetched it.
    repo.upstream_commit("fix.txt", "fix\n", "Fix");
    let other = repo.root().join("colleague");
    repo.git_in(&other, &["tag", "-a", "-m", "push", "2026.12.03"]);
    repo.git_in(&other, &["push", "-q", "origin", "2026.12.03"]);
    assert!(repo.tags_of(&repo.work).is_empty());

    assert_eq!(next(&repo, "2026-12-01", &[]), "2026.12.03-1");
    // Listing the remote changed nothing here.
    assert!(repo.tags_of(&repo.work).is_empty());

    let offline = repo.run(&["next-tag", "--offline"]).ok();
    assert_eq!(offline.stdout.trim(), "2026.12.03");
    offline.stderr_has("offline");
}

#[test]
fn revisions_count_as_numbers_past_nine() {
    let repo = TestRepo::new();
    repo.git(&["tag", "2026.12.03"]);
    for n in 1..=9 {
        repo.git(&["tag", &format!("2026.12.03-{n}")]);
    }
    assert_eq!(next(&repo, "2026-12-01", &[]), "2026.12.03-10");
}

#[test]
fn no_revision_after_the_largest_number_and_no_name_reused() {
    let repo = TestRepo::new();
    repo.git(&["tag", "2026.12.03-18446744073709551615"]);
    let before = repo.snapshot();
    let run = repo.run(&["next-tag"]).expect(1);
    run.stderr_has("2026.12.03-18446744073709551615 has the highest revision number there is: no later revision of 2026.12.03 can be named");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    repo.run(&["tag", "--yes", "--allow-same-commit"]).expect(1);
    assert_eq!(repo.snapshot(), before);
    assert_eq!(
        next(&repo, TUESDAY, &["--date", "2026-12-04"]),
        "2026.12.04"
    );
}

#[test]
fn an_off_schedule_date() {
    let repo = TestRepo::new();
    assert_eq!(
        next(&repo, "2026-12-01", &["--date", "2026-12-07"]),
        "2026.12.07"
    );
}

#[test]
fn json_says_what_would_be_tagged() {
    let repo = TestRepo::new();
    repo.git(&["tag", "2026.11.26"]);
    let tip = repo.upstream_commit("new.txt", "new\n", "New work");
    let run = repo.run(&["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(json["tag"], "2026.12.03");
    assert_eq!(json["push_date"], "2026-12-03");
    assert_eq!(json["previous"], "2026.11.26");
    // The upstream's tip as listed, though it was never fetched here.
    assert_eq!(json["target"], tip.as_str());
    assert_eq!(json["branch"], "main");
    assert_eq!(json["offline"], false);
}

#[test]
fn the_upstream_default_branch_can_be_master() {
    let repo = TestRepo::with_branch("master");
    let tip = repo.git(&["rev-parse", "upstream/master"]);
    let run = repo.run(&["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(json["branch"], "master");
    assert_eq!(json["target"], tip.as_str());
}

#[test]
fn a_malformed_date_flag_is_a_usage_error() {
    let repo = TestRepo::new();
    let run = repo.run(&["next-tag", "--date", "2026-12-32"]).expect(2);
    run.stderr_has("--date \"2026-12-32\" is not a date as YYYY-MM-DD");
    assert!(run.stdout.is_empty());
}

#[test]
fn no_push_date_after_the_year_9999_because_no_tag_can_name_it() {
    let repo = TestRepo::new();
    assert_eq!(next(&repo, "9999-12-30", &[]), "9999.12.30");
    // The next Thursday is 10000-01-06: `+10000.01.06` is no calendar tag, so it would be
    // tagged again and again under the same name.
    let before = repo.snapshot();
    let run = repo.run_on("9999-12-31", &["next-tag"]).expect(1);
    run.stderr_has(
        "no push date on or after 9999-12-31 has a tag name (YYYY.MM.DD ends with the year 9999)",
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    repo.run_on("9999-12-31", &["tag", "--yes"]).expect(1);
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_malformed_today_is_a_usage_error_naming_the_variable() {
    let repo = TestRepo::new();
    let run = repo.run_on("next thursday", &["next-tag"]).expect(2);
    run.stderr_has("PUSH_DUTY_TODAY=\"next thursday\" is not a date as YYYY-MM-DD");
}

#[test]
fn a_malformed_push_day_names_the_key_and_the_file() {
    let repo = TestRepo::new();
    repo.commit(".pushduty", "[pushduty]\n\tpushDay = funday\n", "Oops");
    let run = repo.run(&["next-tag"]).expect(1);
    let file = repo.work.join(".pushduty");
    run.stderr_has(&format!(
        "pushduty.pushDay = \"funday\" (set in {}) is not a weekday",
        file.display()
    ));
}

#[test]
fn cadence_zero_in_git_config_names_the_config_file() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.cadence", "0"]);
    let run = repo.run(&["next-tag"]).expect(1);
    run.stderr_has("pushduty.cadence = \"0\"");
    run.stderr_has(".git/config");
}

#[test]
fn outside_a_repository() {
    let repo = TestRepo::new();
    let outside = repo.root().join("home");
    let run = repo
        .run_in(&outside, common::TUESDAY, &["next-tag"])
        .expect(1);
    run.stderr_has("not inside a git repository");
}

#[test]
fn no_remote_named_like_the_setting() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.upstream", "mozilla"]);
    let run = repo.run(&["next-tag"]).expect(1);
    run.stderr_has("there is no remote named \"mozilla\" (the remotes here are: upstream)");
    run.stderr_has("hint: add it: git remote add mozilla <url>");
}

#[test]
fn an_unreachable_upstream_names_the_remote_and_url_and_suggests_offline() {
    let repo = TestRepo::new();
    let gone = repo.root().join("gone.git");
    repo.git(&[
        "remote",
        "set-url",
        "upstream",
        gone.to_str().expect("utf-8 path"),
    ]);
    let before = repo.snapshot();
    let run = repo.run(&["next-tag"]).expect(1);
    run.stderr_has(&format!(
        "cannot reach remote upstream ({})",
        gone.display()
    ));
    run.stderr_has("--offline");
    insta::assert_snapshot!("refusal_unreachable_upstream", repo.transcript(&run));
    assert_eq!(repo.snapshot(), before);
    // Offline still works from what was fetched before.
    assert_eq!(next(&repo, "2026-12-01", &["--offline"]), "2026.12.03");
}

#[test]
fn git_dash_c_overrides_every_file_and_is_named_in_errors() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.pushDay", "wednesday"]);
    let run = repo
        .run_through_git_on(
            "2026-11-27",
            &["-c", "pushduty.pushDay=tuesday", "push-duty", "next-tag"],
        )
        .ok();
    assert_eq!(run.stdout.trim(), "2026.12.01");
    let run = repo
        .run_through_git_on(
            "2026-11-27",
            &["-c", "pushduty.pushDay=funday", "push-duty", "next-tag"],
        )
        .expect(1);
    run.stderr_has("pushduty.pushDay = \"funday\" (set in the command line (git -c))");
}

#[test]
fn a_revision_made_with_no_push_is_named_with_the_command_that_pushes_it() {
    // `tag --no-push` made 2026.12.03-1 here only: next-tag says what tag will do about it.
    let repo = TestRepo::new();
    repo.run(&["tag", "--yes"]).ok();
    let tip = repo.upstream_commit("fix.txt", "fix\n", "Fix the crash");
    repo.run(&["tag", "--no-push"]).ok();
    let before = repo.snapshot();

    let run = repo.run(&["next-tag"]).ok();

    run.stdout_is("2026.12.03-2\n");
    let push = "2026.12.03-1 is only here, not on upstream yet; to push it: git push upstream refs/tags/2026.12.03-1";
    run.stderr_is(&format!(
        "{push}\ntag would refuse to tag the same commit again: 2026.12.03-1 already points to the tip of upstream/main, {} Fix the crash (--allow-same-commit makes 2026.12.03-2)\n",
        &tip[..7]
    ));
    // What tag does.
    let tag = repo.run(&["tag", "--yes"]).expect(1);
    tag.stderr_has(&format!("hint: {push}\n"));
    assert_eq!(repo.snapshot(), before);

    let json = repo.run(&["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["only_here"], "2026.12.03-1");
    assert_eq!(
        json["push_command"],
        "git push upstream refs/tags/2026.12.03-1"
    );
    assert_eq!(json["same_commit"], true);

    // Once the upstream moves on, tag makes -2, and the unpushed -1 is still named.
    let later = repo.upstream_commit("later.txt", "later\n", "Later");
    let run = repo.run(&["next-tag"]).ok();
    run.stdout_is("2026.12.03-2\n");
    run.stderr_is(&format!(
        "{push}\nwould tag upstream/main at {} (not fetched yet)\n",
        &later[..7]
    ));
    let json = repo.run(&["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["same_commit"], false);

    // Pushed, nothing more is said.
    repo.git(&["push", "-q", "upstream", "refs/tags/2026.12.03-1"]);
    let run = repo.run(&["next-tag"]).ok();
    run.stderr_lacks("only here");
    let json = repo.run(&["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["only_here"], serde_json::Value::Null);
}

#[test]
fn json_compare_links_mean_what_they_mean_for_tag_and_compare() {
    // compare: last push -> the tag; compare_revision: previous revision -> the tag.
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "x", "2026.11.26"]);
    repo.commit("a.txt", "a\n", "A");
    repo.git(&["tag", "-a", "-m", "x", "2026.11.26-1"]);
    repo.commit("b.txt", "b\n", "B");
    repo.git(&["tag", "-a", "-m", "x", "2026.12.03"]);
    repo.commit("c.txt", "c\n", "C");
    repo.git(&["push", "-q", "upstream", "main", "--tags"]);
    let json = repo.run(&["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["tag"], "2026.12.03-1");
    assert_eq!(json["last_push"], "2026.11.26-1");
    assert_eq!(
        json["compare"],
        "git log --oneline 2026.11.26-1..2026.12.03-1"
    );
    assert_eq!(json["previous_revision"], "2026.12.03");
    assert_eq!(
        json["compare_revision"],
        "git log --oneline 2026.12.03..2026.12.03-1"
    );
}
