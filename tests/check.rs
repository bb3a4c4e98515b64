//! `git push-duty check`: the mirror's main against the upstream's (fetched first unless
//! --offline), the hook, the configuration; exit 1 when anything is wrong.

mod common;

use common::{TestRepo, Text};

/// A colleague pushed straight to the mirror's main, past the guard.
fn mirror_ahead(repo: &TestRepo) -> String {
    repo.git_in(
        &repo.root(),
        &["clone", "-q", "security.git", "colleague-sec"],
    );
    let other = repo.root().join("colleague-sec");
    let id = repo.commit_in(&other, "web-ui.txt", "edited\n", "Edit in the web UI");
    repo.git_in(&other, &["push", "-q", "--no-verify", "origin", "main"]);
    id
}

#[test]
fn all_well_exits_zero() {
    let repo = TestRepo::guarded();
    let run = repo.run(&["check"]).ok();
    let tip = &repo.rev("upstream/main")[..7];
    run.stdout_is(&format!(
        "ok    configuration: upstream \"upstream\", security mirror \"security\", release branch main\n\
         ok    security mirror: security/main is in sync with upstream/main at {tip}\n\
         ok    security merge: no security merge is unfinished\n\
         ok    pre-push hook: {} is installed, executable, current and used by git\n\
         ok    guard pins: upstream \"upstream\" (../upstream.git), security mirror \"security\" (../security.git), release branch main\n",
        repo.work.join(".git/hooks/pre-push").display()
    ));
    run.stderr_is("");
    insta::assert_snapshot!("check_all_well", repo.transcript(&run));
    let json = repo.run(&["check", "--json"]).ok();
    insta::assert_snapshot!("check_all_well_json", repo.transcript(&json));
}

#[test]
fn a_mirror_ahead_is_wrong_and_lists_the_commits_after_fetching() {
    let repo = TestRepo::guarded();
    let id = mirror_ahead(&repo);
    // As last fetched, all looks well.
    let offline = repo.run(&["check", "--offline"]).ok();
    offline.stdout_has("in sync with upstream/main at");
    offline.stdout_has("(as last fetched)");
    assert_ne!(
        repo.rev("refs/remotes/security/main"),
        id,
        "--offline fetched nothing"
    );

    let run = repo.run(&["check"]).expect(1);
    run.stdout_has(
        "WRONG security mirror: security/main is AHEAD of upstream/main by 1 commit; these are not on the upstream:\n"
    );
    run.stdout_has(&format!("        {} Edit in the web UI\n", &id[..7]));
    run.stderr_has("error: check found one thing wrong: security mirror");
    run.stderr_has("hint: the mirror's main must only follow the upstream: review these commits and publish them on upstream/main first with: git push-duty security-merge --sync\n");
    insta::assert_snapshot!("check_mirror_ahead", repo.transcript(&run));
    assert_eq!(repo.rev("refs/remotes/security/main"), id, "fetched");
}

#[test]
fn a_mirror_behind_is_fine_and_says_how_to_sync() {
    let repo = TestRepo::guarded();
    repo.upstream_commit("new.txt", "new\n", "New");
    let run = repo.run(&["check"]).ok();
    run.stdout_has(
        "ok    security mirror: security/main is behind upstream/main by 1 commit; sync it with: git push security upstream/main:refs/heads/main"
    );
}

#[test]
fn json_carries_the_state_and_the_commits() {
    let repo = TestRepo::guarded();
    let id = mirror_ahead(&repo);
    repo.upstream_commit("new.txt", "new\n", "New");
    let run = repo.run(&["check", "--json"]).expect(1);
    insta::assert_snapshot!("check_json_mirror_diverged", repo.transcript(&run));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(json["ok"], false);
    assert_eq!(json["mirror"]["state"], "diverged");
    assert_eq!(json["mirror"]["behind"], 1);
    assert_eq!(json["mirror"]["ahead"][0]["id"], id.as_str());
    assert_eq!(json["mirror"]["ahead"][0]["subject"], "Edit in the web UI");
    let names = check_names(&json);
    assert_eq!(names, CHECKS);
    assert_eq!(json["checks"][2]["ok"], true);
    assert_eq!(json["checks"][3]["ok"], true);
}

#[test]
fn a_missing_hook_is_wrong() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let run = repo.run(&["check"]).expect(1);
    let path = repo.work.join(".git/hooks/pre-push");
    run.stdout_has(&format!(
        "WRONG pre-push hook: no pre-push hook in {}",
        path.display()
    ));
    run.stderr_has("hint: git push-duty hooks install");
}

#[test]
fn a_hook_that_is_not_executable_is_wrong() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::guarded();
    let path = repo.work.join(".git/hooks/pre-push");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = repo.run(&["check"]).expect(1);
    run.stdout_has(&format!(
        "WRONG pre-push hook: {} is not executable, so git skips it",
        path.display()
    ));
    run.stderr_has(&format!("hint: chmod +x {}", path.display()));
    let status = repo.run(&["hooks", "status"]).ok();
    status.stdout_has("used by git: no");
}

#[test]
fn a_hook_shadowed_by_core_hooks_path_is_wrong() {
    let repo = TestRepo::guarded();
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let run = repo.run(&["check"]).expect(1);
    run.stdout_has(&format!(
        "WRONG pre-push hook: the hook in {} is shadowed: core.hooksPath = .husky/_",
        repo.work.join(".git/hooks/pre-push").display()
    ));
    run.stderr_has("hint: git push-duty hooks install --force");
    // And git really does not run it.
    repo.commit("x.txt", "x\n", "Unguarded");
    repo.push(&["-q", "--dry-run", "security", "main"]).silent();
}

#[test]
fn an_outdated_hook_is_wrong() {
    let repo = TestRepo::guarded();
    let path = repo.work.join(".git/hooks/pre-push");
    let old = std::fs::read_to_string(&path)
        .expect("read")
        .replace(common::BIN, "/old/git-push-duty");
    std::fs::write(&path, old).expect("write");
    let run = repo.run(&["check"]).expect(1);
    run.stdout_has("is not current: it runs /old/git-push-duty");
}

#[test]
fn bad_configuration_is_wrong() {
    let repo = TestRepo::guarded();
    repo.git(&["config", "pushduty.cadence", "0"]);
    let run = repo.run(&["check"]).expect(1);
    run.stdout_has("WRONG configuration: pushduty.cadence = \"0\"");
    let run = TestRepo::new().run(&["check", "--offline"]).expect(1);
    run.stdout_has("WRONG configuration: there is no remote named \"security\"");
    run.stderr_has("hint: add it: git remote add security <url>");
}

#[test]
fn an_unreachable_remote_is_wrong_and_the_last_fetch_is_compared() {
    let repo = TestRepo::guarded();
    repo.lose_upstream();
    let run = repo.run(&["check"]).expect(1);
    run.stdout_has("in sync with upstream/main at");
    run.stdout_has("(as last fetched: a fetch failed)");
    run.stdout_has("cannot fetch upstream");
}

#[test]
fn json_has_the_same_checks_when_the_configuration_is_bad() {
    let repo = TestRepo::guarded();
    repo.git(&["config", "pushduty.cadence", "0"]);
    let run = repo.run(&["check", "--offline", "--json"]).expect(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let names = check_names(&json);
    assert_eq!(names, CHECKS);
    assert_eq!(json["checks"][1]["ok"], false);
    assert_eq!(
        json["checks"][1]["summary"],
        "not compared: the configuration cannot be read"
    );
    assert_eq!(json["mirror"]["state"], "unknown");
    assert_eq!(json["checks"][3]["ok"], true);
}

#[test]
fn hooks_turned_off_with_core_hooks_path_dev_null_are_wrong_not_an_error() {
    let repo = TestRepo::guarded();
    repo.git(&["config", "core.hooksPath", "/dev/null"]);
    let run = repo.run(&["check", "--offline"]).expect(1);
    run.stdout_has(&format!(
        "WRONG pre-push hook: core.hooksPath = /dev/null (set in {}) is not a directory, so git runs no hooks at all",
        repo.work.join(".git/config").display()
    ));
    run.stderr_has("hint: git config --unset core.hooksPath");
    let run = repo.run(&["check", "--offline", "--json"]).expect(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(json["checks"][3]["name"], "pre-push hook");
    assert_eq!(json["checks"][3]["ok"], false);
    repo.run(&["hooks", "status"])
        .ok()
        .stdout_has("used by git: no");
    // And git really runs no hook.
    repo.commit("x.txt", "x\n", "Unguarded");
    repo.push(&["-q", "--dry-run", "security", "main"]).silent();
}

/// The checks `check` makes, in order.
const CHECKS: [&str; 5] = [
    "configuration",
    "security mirror",
    "security merge",
    "pre-push hook",
    "guard pins",
];

/// The names of the checks `check --json` reports, in order.
fn check_names(json: &serde_json::Value) -> Vec<&str> {
    json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default())
        .collect()
}

#[test]
fn an_unfinished_security_merge_is_wrong_and_says_what_reached_which_remote() {
    let repo = TestRepo::guarded();
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    repo.reject_pushes(&repo.mirror());
    repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);

    let run = repo.run(&["check"]).expect(1);

    run.stdout_has(&format!(
        "WRONG security merge: the security merge of fix-xss ({}) is unfinished: upstream/main has it, security/main does not\n",
        &fix[..7]
    ));
    run.stderr_has("error: check found one thing wrong: security merge\n");
    run.stderr_has(
        "hint: finish it (push the mirror): git push-duty security-merge --continue; or, if it never reached the upstream, forget it: git push-duty security-merge --abort\n",
    );
    insta::assert_snapshot!("check_unfinished_security_merge", repo.transcript(&run));
    let json = repo.run(&["check", "--json"]).expect(1);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(json["checks"][2]["name"], "security merge");
    assert_eq!(json["checks"][2]["ok"], false);

    // Finished, all is well again.
    repo.accept_pushes(&repo.mirror());
    repo.run(&["security-merge", "--continue", "--yes"]).ok();
    repo.run(&["check"]).ok();
}

#[test]
fn a_run_that_may_not_have_reached_the_upstream_says_so() {
    let repo = TestRepo::guarded();
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    let record = repo.security_merge_record();
    std::fs::create_dir_all(record.parent().expect("dir")).expect("mkdir");
    let base = repo.rev("upstream/main");
    std::fs::write(
        &record,
        format!(
            "{{\"version\": 1, \"step\": \"push-upstream\", \"upstream\": \"upstream\", \"security\": \"security\", \"branch\": \"main\", \"base\": \"{base}\", \"commit\": \"{fix}\", \"merged\": [\"fix-xss\"]}}\n"
        ),
    )
    .expect("write a record");
    let run = repo.run(&["check", "--offline"]).expect(1);
    run.stdout_has(&format!(
        "WRONG security merge: the security merge of fix-xss ({}) is unfinished: neither upstream/main nor security/main has it (as last fetched)\n",
        &fix[..7]
    ));
    // A record this version cannot read is wrong too, with its own way out.
    std::fs::write(&record, "{ half").expect("write");
    let run = repo.run(&["check", "--offline"]).expect(1);
    run.stdout_has("WRONG security merge: the record of an unfinished security merge,");
    run.stderr_has("hint: see where both remotes are: git ls-remote");
    // And the way out itself: the record to remove once both remotes agree.
    run.stderr_has(&format!(
        "if they point to the same commit, no run is unfinished: remove {}",
        record.display()
    ));
    let json = repo.run(&["check", "--offline", "--json"]).expect(1);
    json.stdout_has("no run is unfinished: remove ");
}

#[test]
fn no_upstream_remote_is_not_fixed_by_fetching_it() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    repo.install_hook();
    repo.git(&["remote", "rename", "upstream", "origin"]);
    let run = repo.run(&["check"]).expect(1);
    run.stdout_has("WRONG configuration: there is no remote named \"upstream\"");
    run.stdout_has("WRONG security mirror: not compared: there is no remote named \"upstream\"\n");
    (run.stdout.clone() + &run.stderr).lacks("git fetch upstream");
    run.stderr_has("hint: add it: git remote add upstream <url>");
}
