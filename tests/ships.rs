//! What `tag` says ships before it tags, and the compare links it prints after: the commits since
//! the last push (the latest revision of the previous push date's tag) and, for a revision, since
//! the previous revision; cherry-pick plans naming their base; the guard against a tag of the
//! branch tip that ships what a cherry-pick revision left out.

mod common;

use common::{TestRepo, Text, snap::hex_ids};

/// Last week's push (`2026.11.26`, with a revision `-1`) is on the upstream; since then the
/// upstream's main got an unready feature and a fix, not fetched here.
struct Week {
    repo: TestRepo,
    feature: String,
    fix: String,
}

fn week() -> Week {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.commit("hotfix.txt", "hot\n", "Last week's hotfix");
    repo.git(&["tag", "-a", "-m", "last week, again", "2026.11.26-1"]);
    repo.git(&[
        "push",
        "-q",
        "upstream",
        "main",
        "2026.11.26",
        "2026.11.26-1",
    ]);
    // Gone here: the upstream's tags are the truth.
    repo.git(&["tag", "-d", "2026.11.26", "2026.11.26-1"]);
    let feature = repo.upstream_commit("feature.txt", "not ready\n", "Add the unready feature");
    let fix = repo.upstream_commit("fix.txt", "fixed\n", "Fix the crash");
    Week { repo, feature, fix }
}

fn short(id: &str) -> &str {
    &id[..7]
}

#[test]
fn the_plan_lists_the_commits_since_the_last_push() {
    let Week { repo, feature, fix } = week();
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--dry-run"]).ok();
    let last = repo.rev("upstream/main");
    run.stderr_has(&format!(
        "2026.12.03 ships 2 commits since the last push, 2026.11.26-1 ({}):\n  {} Fix the crash\n  {} Add the unready feature\nPlan:\n",
        short(&last),
        short(&fix),
        short(&feature)
    ));
    // 2026.11.26-1 is only on the upstream: the command names its commit, which is here.
    run.stdout_has(&format!(
        "compare: git log --oneline {}..2026.12.03\n",
        short(&last)
    ));
    assert_eq!(repo.snapshot(), before);
    insta::assert_snapshot!("tag_dry_run", repo.transcript(&run));

    let json = repo.run(&["tag", "--dry-run", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["last_push"], "2026.11.26-1");
    assert_eq!(
        json["compare"],
        format!("git log --oneline {}..2026.12.03", short(&last))
    );
    assert_eq!(json["compare_revision"], serde_json::Value::Null);
    assert_eq!(json["revision_commits"], serde_json::Value::Null);
    assert_eq!(json["commits"][0]["id"], fix.as_str());
    assert_eq!(json["commits"][0]["subject"], "Fix the crash");
    assert_eq!(json["commits"][1]["id"], feature.as_str());
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(2));
    // The branch tip exists; the tag object is made by the real run only.
    assert_eq!(json["commit"], fix.as_str());
    assert_eq!(json["tag_object"], serde_json::Value::Null);
}

#[test]
fn a_revision_lists_both_and_prints_both_compare_links() {
    let Week { repo, feature, fix } = week();
    repo.run(&["tag", "--yes"]).ok();
    let later = repo.upstream_commit("later.txt", "later\n", "Fix another thing");
    // Named by its GitHub URL, so the links are links; reached on disk.
    repo.git(&[
        "remote",
        "set-url",
        "upstream",
        "git@github.com:mozilla/addons-server.git",
    ]);
    repo.git(&[
        "config",
        &format!("url.{}.insteadOf", repo.upstream.display()),
        "git@github.com:mozilla/addons-server.git",
    ]);

    let run = repo.run(&["tag", "--yes"]).ok();

    run.stderr_has(&format!(
        "2026.12.03-1 ships 3 commits since the last push, 2026.11.26-1 ({}):\n  {}",
        &repo.git_in(&repo.upstream, &["rev-parse", "2026.11.26-1^{commit}"])[..7],
        short(&later)
    ));
    run.stderr_has(&format!(
        "1 of them since the previous revision, 2026.12.03 ({}):\n  {} Fix another thing\n",
        short(&fix),
        short(&later)
    ));
    let github = "https://github.com/mozilla/addons-server/compare";
    run.stdout_has(&format!(
        "compare: {github}/2026.11.26-1...2026.12.03-1\ncompare revision: {github}/2026.12.03...2026.12.03-1\n"
    ));
    run.stdout_lacks(short(&feature));

    let json = repo
        .run(&["tag", "--yes", "--json", "--allow-same-commit", "--no-push"])
        .ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["tag"], "2026.12.03-2");
    assert_eq!(
        json["compare"],
        format!("{github}/2026.11.26-1...2026.12.03-2")
    );
    assert_eq!(
        json["compare_revision"],
        format!("{github}/2026.12.03-1...2026.12.03-2")
    );
    assert_eq!(json["previous_revision"], "2026.12.03-1");
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["revision_commits"], serde_json::json!([]));
}

#[test]
fn a_cherry_pick_plan_names_its_base_and_its_picks_and_no_id_it_has_not_made() {
    let Week { repo, fix, .. } = week();
    repo.git(&["fetch", "-q", "upstream"]);
    let base = repo.rev("upstream/main~2");
    let before = repo.snapshot();

    let run = repo.run(&["tag", "--cherry-pick", &fix, "--dry-run"]).ok();

    run.stderr_has(&format!(
        "Cherry-picks onto 2026.11.26-1 ({}), in order:\n  {} Fix the crash\n",
        short(&base),
        short(&fix)
    ));
    run.stderr_has(&format!(
        "2026.12.03 ships 1 commit since the last push, 2026.11.26-1 ({}):\n  {} Fix the crash (cherry-picked)\n",
        short(&base),
        short(&fix)
    ));
    run.stderr_has(&format!(
        "1. write 1 cherry-picked commit onto 2026.11.26-1 ({}) and the tag object\n",
        short(&base)
    ));
    run.stderr_has(&format!(
        "push tag 2026.12.03 (cherry-picks onto 2026.11.26-1 ({}): {} Fix the crash) to upstream",
        short(&base),
        short(&fix)
    ));
    run.stdout_has(&format!(
        "commit: (not made in a dry run) cherry-picks onto 2026.11.26-1 ({}): {} Fix the crash\n",
        short(&base),
        short(&fix)
    ));
    // Every id the dry run printed names a commit that exists already.
    for id in hex_ids(&(run.stdout.clone() + &run.stderr)) {
        assert!(
            repo.object_exists(&id),
            "{id} does not exist:\n{}",
            run.stderr
        );
    }
    assert_eq!(repo.snapshot(), before);
    insta::assert_snapshot!("tag_cherry_pick_dry_run", repo.transcript(&run));

    let json = repo
        .run(&["tag", "--cherry-pick", &fix, "--dry-run", "--json"])
        .ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["commit"], serde_json::Value::Null);
    assert_eq!(json["tag_object"], serde_json::Value::Null);
    assert_eq!(json["cherry_picks"][0]["commit"], serde_json::Value::Null);
    assert_eq!(json["cherry_picks"][0]["original"], fix.as_str());
    assert_eq!(json["commits"][0]["id"], serde_json::Value::Null);
    assert_eq!(json["commits"][0]["cherry_picked_from"], fix.as_str());
    for id in hex_ids(&json.to_string()) {
        assert!(repo.object_exists(&id), "{id} does not exist: {json}");
    }

    // The real run, a minute later, names what it made.
    repo.commit("unrelated.txt", "x\n", "Move the clock on");
    let run = repo
        .run(&["tag", "--cherry-pick", &fix, "--yes", "--json"])
        .ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let made = repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03^{commit}"]);
    assert_eq!(json["commit"], made.as_str());
    assert_eq!(json["cherry_picks"][0]["commit"], made.as_str());
    assert_eq!(json["commits"][0]["id"], made.as_str());
    assert_eq!(
        json["tag_object"],
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03"])
            .as_str()
    );
}

/// This week's first tag is a cherry-pick revision that left the unready feature out.
fn after_a_cherry_pick_revision() -> Week {
    let week = week();
    week.repo
        .run(&["tag", "--cherry-pick", &week.fix, "--yes"])
        .ok();
    week
}

#[test]
fn tagging_the_tip_after_a_cherry_pick_revision_is_refused_off_a_terminal() {
    let Week { repo, feature, fix } = after_a_cherry_pick_revision();
    let before = repo.snapshot();
    for args in [
        &["tag", "--yes"][..],
        &["tag", "--dry-run"],
        &["tag", "--yes", "--json"],
    ] {
        let run = repo.run(args).expect(1);
        run.stderr_has(&format!(
            "error: 2026.12.03 was cherry-picked, and the tip of upstream/main ships the commit it left out:\n  {} Add the unready feature\nnothing was changed\n",
            short(&feature)
        ));
        run.stderr_has(
            "hint: if they are meant to go to production now: git push-duty tag --from-branch\n",
        );
        // The picked fix is in the revision under another id: it is not "left out".
        let error = run.stderr.split("error: ").nth(1).unwrap_or_default();
        error.lacks(&format!("  {} Fix the crash", short(&fix)));
        assert_eq!(repo.snapshot(), before);
    }
    insta::assert_snapshot!(
        "tag_left_out_refused",
        repo.transcript(&repo.run(&["tag", "--yes"]))
    );

    let run = repo.run(&["tag", "--yes", "--from-branch"]).ok();
    run.stderr_has(&format!(
        "2026.12.03 was cherry-picked, and --from-branch: the tip of upstream/main ships the commit it left out:\n  {} Add the unready feature\n",
        short(&feature)
    ));
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03-1^{commit}"]),
        fix
    );
}

#[test]
fn tagging_the_tip_after_a_cherry_pick_revision_asks_on_a_terminal_default_no() {
    let Week { repo, feature, fix } = after_a_cherry_pick_revision();
    asks_default_no_then_tags(
        &repo,
        &format!(
            "ships the commit it left out:\r\n  {} Add the unready feature\r\n",
            short(&feature)
        ),
        "Tag the tip anyway, shipping what 2026.12.03 left out? [y/N]",
    );
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03-1^{commit}"]),
        fix
    );
}

/// On a terminal: no (the default, and `n`) changes nothing; yes, then yes to the push, tags.
fn asks_default_no_then_tags(repo: &TestRepo, listed: &str, question: &str) {
    let before = repo.snapshot();
    for answer in ["\n", "n\n"] {
        let run = repo.run_on_terminal(&["tag"], answer).expect(1);
        run.stdout_has(listed);
        run.stdout_has(question);
        run.stdout_has("not confirmed: nothing was done");
        assert_eq!(repo.snapshot(), before);
    }
    repo.run_on_terminal(&["tag"], "y\ny\n").ok();
}

#[test]
fn the_tip_after_a_revision_of_the_tip_is_not_questioned() {
    // A revision made from the tip left nothing out: the next tip tag just ships more.
    let Week { repo, .. } = week();
    repo.run(&["tag", "--yes"]).ok();
    repo.upstream_commit("later.txt", "later\n", "Later");
    let run = repo.run(&["tag", "--yes"]).ok();
    run.stderr_lacks("left out");
    // And a revision that picked everything there was left nothing out either.
    let Week { repo, feature, fix } = week();
    repo.run(&[
        "tag",
        "--cherry-pick",
        &feature,
        "--cherry-pick",
        &fix,
        "--yes",
    ])
    .ok();
    let run = repo.run(&["tag", "--yes"]).ok();
    run.stderr_lacks("left out");
}

#[test]
fn from_branch_is_for_the_tip_only() {
    let Week { repo, fix, .. } = week();
    let run = repo
        .run(&["tag", "--cherry-pick", &fix, "--from-branch", "--yes"])
        .expect(2);
    run.stderr_has("--from-branch");
}

#[test]
fn the_first_calendar_tag_ever_says_there_is_nothing_to_count_from() {
    let repo = TestRepo::new();
    let run = repo.run(&["tag", "--dry-run"]).ok();
    run.stderr_has(
        "2026.12.03 is the first calendar tag: there is no earlier push to count from\n",
    );
    run.stdout_has("compare: (no earlier push date's tag)\n");
}

#[test]
fn a_revision_of_a_local_only_tag_says_how_to_push_the_first() {
    let Week { repo, .. } = week();
    repo.run(&["tag", "--no-push"]).ok();
    repo.upstream_commit("later.txt", "later\n", "Later");
    let run = repo.run(&["tag", "--yes"]).ok();
    run.stderr_has("note: 2026.12.03 is only here, not on upstream yet; to push it: git push upstream refs/tags/2026.12.03\n");
}

/// The upstream's main moved back (a force-push, a rewound branch): its tip lacks what the
/// latest tag already shipped.
fn rewind_upstream_to(repo: &TestRepo, commit: &str) {
    repo.git_in(&repo.upstream, &["update-ref", "refs/heads/main", commit]);
}

#[test]
fn a_tip_rewound_behind_this_push_dates_tag_is_refused_off_a_terminal() {
    let Week { repo, feature, fix } = week();
    repo.run(&["tag", "--yes"]).ok();
    rewind_upstream_to(&repo, &feature);
    let before = repo.snapshot();
    for args in [
        &["tag", "--yes"][..],
        &["tag", "--dry-run"],
        &["tag", "--yes", "--json"],
    ] {
        let run = repo.run(args).expect(1);
        run.stderr_has(&format!(
            "error: the tip of upstream/main ({}) lacks the commit 2026.12.03 has: a tag of it takes that back out:\n  {} Fix the crash\nnothing was changed\n",
            short(&feature),
            short(&fix)
        ));
        run.stderr_has(
            "hint: if the tip is meant to go out without them: git push-duty tag --from-branch\n",
        );
        assert_eq!(repo.snapshot(), before);
    }
    let run = repo.run(&["tag", "--yes", "--from-branch"]).ok();
    run.stderr_has(&format!(
        "lacks the commit 2026.12.03 has: a tag of it takes that back out:\n  {} Fix the crash\n",
        short(&fix)
    ));
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03-1^{commit}"]),
        feature
    );
}

#[test]
fn a_tip_rewound_behind_this_push_dates_tag_asks_on_a_terminal_default_no() {
    let Week { repo, feature, fix } = week();
    repo.run(&["tag", "--yes"]).ok();
    rewind_upstream_to(&repo, &feature);
    asks_default_no_then_tags(
        &repo,
        &format!(
            "takes that back out:\r\n  {} Fix the crash\r\n",
            short(&fix)
        ),
        "Tag the tip anyway, taking out what 2026.12.03 has? [y/N]",
    );
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03-1^{commit}"]),
        feature
    );
}

#[test]
fn a_tip_rewound_behind_the_last_push_is_refused() {
    // No tag this week yet: production runs 2026.11.26-1, and the tip went back before it.
    let Week { repo, .. } = week();
    let last = repo.git_in(&repo.upstream, &["rev-parse", "2026.11.26-1^{commit}"]);
    let older = repo.git_in(&repo.upstream, &["rev-parse", "2026.11.26^{commit}"]);
    rewind_upstream_to(&repo, &older);
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--yes"]).expect(1);
    run.stderr_has(&format!(
        "error: the tip of upstream/main ({}) lacks the commit 2026.11.26-1 has: a tag of it takes that back out:\n  {} Last week's hotfix\n",
        short(&older),
        short(&last)
    ));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_tip_after_last_weeks_cherry_pick_revision_takes_nothing_out() {
    // Last week's -1 was the fix cherry-picked onto 2026.11.26, by the tool (-x) and by hand
    // (git cherry-pick, no trailer): the tip has the fix under its own id.
    for by_hand in [false, true] {
        let repo = TestRepo::new();
        repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
        repo.git(&["push", "-q", "upstream", "2026.11.26"]);
        repo.upstream_commit("feature.txt", "not ready\n", "Add the unready feature");
        let fix = repo.upstream_commit("fix.txt", "fixed\n", "Fix the crash");
        if by_hand {
            repo.git(&["fetch", "-q", "upstream"]);
            repo.git(&["switch", "-q", "--detach", "2026.11.26"]);
            repo.git(&["cherry-pick", &fix]);
            repo.git(&["tag", "-a", "-m", "picked", "2026.11.26-1"]);
            repo.git(&["push", "-q", "upstream", "2026.11.26-1"]);
            repo.git(&["switch", "-q", "main"]);
        } else {
            repo.run_on("2026-11-24", &["tag", "--cherry-pick", &fix, "--yes"])
                .ok();
        }
        let run = repo.run(&["tag", "--yes"]).ok();
        run.stderr_lacks("takes");
        run.stderr_lacks("left out");
    }
}

#[test]
fn offline_a_stale_tracking_ref_behind_this_push_dates_tag_says_fetch() {
    let Week { repo, feature, fix } = week();
    repo.run(&["tag", "--yes"]).ok();
    repo.git(&["fetch", "-q", "upstream"]);
    repo.git(&["update-ref", "refs/remotes/upstream/main", &feature]);
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--offline", "--yes"]).expect(1);
    run.stderr_has(&format!(
        "lacks the commit 2026.12.03 has: a tag of it takes that back out:\n  {} Fix the crash\n",
        short(&fix)
    ));
    run.stderr_has("hint: refs/remotes/upstream/main is as last fetched; bring it up to date: git fetch upstream main\n");
    assert_eq!(repo.snapshot(), before);
}

/// Last week's `2026.11.26` is on the upstream; `2026.11.26-1` was made here and never pushed,
/// so production still runs `2026.11.26`.
fn last_weeks_revision_only_here() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    let unpushed = repo.commit("local.txt", "l\n", "Made into a revision, never pushed");
    repo.git(&["tag", "-a", "-m", "never pushed", "2026.11.26-1"]);
    let more = repo.commit("more.txt", "m\n", "More work");
    repo.git(&["push", "-q", "upstream", "main"]);
    (repo, unpushed, more)
}

#[test]
fn a_last_push_only_here_is_passed_over_for_the_upstreams() {
    let (repo, unpushed, more) = last_weeks_revision_only_here();
    let last = repo.rev("2026.11.26^{commit}");
    let run = repo.run(&["tag", "--dry-run"]).ok();
    run.stderr_has("note: 2026.11.26-1 is only here, not on upstream: production never ran it; counting from 2026.11.26\n");
    run.stderr_has(&format!(
        "2026.12.03 ships 2 commits since the last push, 2026.11.26 ({}):\n  {} More work\n  {} Made into a revision, never pushed\n",
        short(&last),
        short(&more),
        short(&unpushed)
    ));
    run.stdout_has("compare: git log --oneline 2026.11.26..2026.12.03\n");

    repo.run(&["tag", "--yes"]).ok();
    let json = repo.run(&["compare", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["last_push"], "2026.11.26");
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(2));
    // Offline nothing else can be known: the local tags count.
    let offline = repo.run(&["compare", "--offline", "--json"]).ok();
    let offline: serde_json::Value = serde_json::from_str(&offline.stdout).expect("JSON");
    assert_eq!(offline["last_push"], "2026.11.26-1");
}

/// Runs the `git log` a compare line printed, in the working clone: what it lists.
fn run_printed_git_log(repo: &TestRepo, stdout: &str, prefix: &str) -> String {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{stdout}"));
    let args: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(args[..2], ["git", "log"], "{line}");
    repo.try_git_in(&repo.work, &args[1..]).ok().stdout
}

#[test]
fn without_a_forge_the_printed_git_log_runs_here_and_lists_what_ships() {
    // The last push is only on the upstream (its objects fetched, no ref written here).
    let Week { repo, feature, fix } = week();
    let run = repo.run(&["tag", "--yes"]).ok();
    let listed = run_printed_git_log(&repo, &run.stdout, "compare: ");
    assert_eq!(listed.lines().count(), 2, "{listed}");
    listed.has(&format!("{} Fix the crash", short(&fix)));
    listed.has(&format!("{} Add the unready feature", short(&feature)));

    // compare, with this clone's 2026.12.03 pointing elsewhere than the upstream's.
    repo.git(&["tag", "-f", "-a", "-m", "mine", "2026.12.03", &feature]);
    let run = repo.run(&["compare", "2026.12.03"]).ok();
    let listed = run_printed_git_log(&repo, &run.stdout, "compare: ");
    listed.has(&format!("{} Fix the crash", short(&fix)));
    assert_eq!(listed.lines().count(), 2, "{listed}");
}
