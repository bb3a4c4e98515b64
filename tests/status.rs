//! `git push-duty status` (and `git push-duty` alone) in each state of the week, with its single
//! next step; `--offline` asks nothing; what cannot be checked is never counted as done.

mod common;

use common::TestRepo;
use common::stage::{Reply, Stage};

/// Tags this push's 2026.12.03 on the upstream (last week's 2026.11.26 one commit before).
fn tag_this_push(repo: &TestRepo) -> (String, String) {
    let last = repo.rev("HEAD");
    repo.git(&["tag", "-a", "-m", "push", "2026.11.26"]);
    let now = repo.commit("b.txt", "b\n", "Feature B");
    repo.git(&["tag", "-a", "-m", "push", "2026.12.03"]);
    repo.git(&["push", "-q", "--no-verify", "upstream", "main", "--tags"]);
    repo.git(&["fetch", "-q", "upstream"]);
    (last, now)
}

#[test]
fn a_fresh_clone_starts_with_the_hook_and_alone_is_status() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let run = repo.run(&["status"]).ok();
    run.stdout_is(
        "Push on Thursday 2026-12-03\n  \
         [ ] pre-push hook not installed: pushes from this clone are not guarded\n  \
         [ ] upstream: not tagged for 2026-12-03\n\
         Next: git push-duty hooks install\n",
    );
    repo.run(&[]).ok().stdout_is(&run.stdout);
    repo.run_through_git(&[]).ok().stdout_is(&run.stdout);
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_reviewed_fix_on_the_mirror_comes_first_then_the_tag() {
    let (repo, _, _) = TestRepo::guarded_with_fix();
    repo.git(&["branch", "-q", "-D", "fix-xss"]);
    let run = repo.run(&["status"]).ok();
    run.stdout_has("  [x] pre-push hook installed and live\n")
        .stdout_has("  [x] upstream: security mirror in sync\n")
        .stdout_has("  [ ] upstream: security fix waiting on the mirror: fix-xss\n")
        .stdout_has("Next: git push-duty security-merge fix-xss\n");
    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    repo.run(&["status"])
        .ok()
        .stdout_lacks("fix waiting")
        .stdout_has("Next: git push-duty tag\n");
}

#[test]
fn an_unreachable_mirror_is_not_counted_as_in_sync() {
    let repo = TestRepo::guarded();
    repo.git(&["remote", "set-url", "security", "../gone.git"]);
    let run = repo.run(&["status"]).ok();
    run.stdout_has("  [?] upstream: security mirror not checked (")
        .stdout_lacks("security mirror in sync");
}

#[test]
fn tagged_then_deployed_then_done_and_partly_deployed_waits() {
    let stage = Stage::start();
    let repo = TestRepo::new();
    repo.install_hook();
    let (last, now) = tag_this_push(&repo);
    repo.git(&["config", "pushduty.stage.url", &stage.url("stage")]);
    repo.git(&["config", "pushduty.prod.url", &stage.url("prod")]);
    stage.set("stage", Reply::version("2026.11.26", &last));
    stage.set("prod", Reply::version("2026.11.26", &last));
    repo.run(&["status"])
        .ok()
        .stdout_has("  [x] upstream: tagged 2026.12.03\n")
        .stdout_has("  [ ] stage: upstream still on 2026.11.26, 1 commit behind\n")
        .stdout_has("Next: git push-duty deployed --wait\n");
    stage.set("stage", Reply::version("2026.12.03", &now));
    repo.run(&["status"])
        .ok()
        .stdout_has("  [x] stage: upstream deployed\n")
        .stdout_has("  [ ] prod: upstream still on 2026.11.26, 1 commit behind\n")
        .stdout_has("Next: git push-duty deployed --env prod --wait\n");
    stage.set("prod", Reply::status(502, "bad gateway"));
    repo.run(&["status"])
        .ok()
        .stdout_has("  [?] prod: upstream not checked (upstream: ")
        .stdout_has("answered 502 Bad Gateway")
        .stdout_has("Next: git push-duty deployed --env prod --wait\n");
    stage.set("prod", Reply::version("2026.12.03", &now));
    repo.run(&["status"])
        .ok()
        .stdout_has("Next: nothing: the week is done\n");
}

#[test]
fn team_steps_are_listed_with_their_run_for_this_push() {
    let repo = TestRepo::new();
    repo.install_hook();
    tag_this_push(&repo);
    repo.git(&["config", "--add", "pushduty.step", "l10n exit 1"]);
    repo.run(&["status"])
        .ok()
        .stdout_has("  [ ] step l10n: not run for this push\n")
        .stdout_has("Next: git push-duty step l10n\n");
    repo.run(&["step", "l10n"]).expect(1);
    repo.run(&["status"])
        .ok()
        .stdout_has("  [ ] step l10n: failed (exit 1); run it again\n");
    repo.git(&["config", "pushduty.step", "l10n true"]);
    repo.run(&["step", "l10n"]).ok();
    repo.run(&["status"])
        .ok()
        .stdout_has("  [x] step l10n: done for this push\n")
        .stdout_has("Next: nothing: the week is done\n");
    // Next week the step is to do again.
    repo.run_on("2026-12-08", &["status"])
        .ok()
        .stdout_has("  [ ] step l10n: not run for this push\n");
}

#[test]
fn offline_asks_no_url_and_fetches_nothing() {
    let stage = Stage::start();
    let repo = TestRepo::guarded();
    let (_, now) = tag_this_push(&repo);
    repo.git(&["config", "pushduty.stage.url", &stage.url("stage")]);
    stage.set("stage", Reply::version("2026.12.03", &now));
    repo.lose_upstream();
    let before = repo.snapshot();
    let run = repo.run(&["status", "--offline"]).ok();
    run.stdout_has("Push on Thursday 2026-12-03 (offline: as last fetched)\n")
        .stdout_has("  [?] stage: gone not checked (gone: offline)\n")
        .stdout_has("Next: git push-duty deployed --wait\n");
    assert_eq!(stage.hits(), 0);
    assert_eq!(repo.snapshot(), before);
    // Online, the lost upstream is an error that offers --offline.
    repo.run(&["status"])
        .expect(1)
        .stderr_has("error: cannot reach remote upstream")
        .stderr_has("hint: to work from what is already fetched: git push-duty status --offline");
}

#[test]
fn json_for_scripts() {
    let repo = TestRepo::new();
    let run = repo.run(&["status", "--json"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["push_date"], "2026-12-03");
    assert_eq!(doc["next_push_date"], "2026-12-10");
    assert_eq!(doc["offline"], false);
    assert_eq!(
        doc["next"],
        serde_json::json!({
            "next": "run",
            "command": "git push-duty hooks install",
            "why": "pre-push hook not installed: pushes from this clone are not guarded",
            "unknown": null
        })
    );
    assert_eq!(doc["items"][0]["stage"], "hook");
    assert_eq!(doc["items"][0]["state"], "todo");
}

#[test]
fn an_unfinished_security_merge_is_finished_before_anything_else() {
    let (repo, _, _) = TestRepo::guarded_with_fix();
    repo.git(&["branch", "-q", "-D", "fix-xss"]);
    repo.reject_pushes(&repo.mirror());
    repo.run(&["security-merge", "fix-xss", "--yes"]).expect(1);
    repo.accept_pushes(&repo.mirror());
    repo.run(&["status"])
        .ok()
        .stdout_has("  [ ] upstream: a security-merge run is not finished\n")
        .stdout_has("Next: git push-duty security-merge --continue\n");
    repo.run(&["security-merge", "--continue", "--yes"]).ok();
    repo.run(&["status"])
        .ok()
        .stdout_lacks("not finished")
        .stdout_has("Next: git push-duty tag\n");
}

#[test]
fn a_hook_whose_pins_no_longer_match_is_installed_again() {
    let repo = TestRepo::guarded();
    let moved = repo.add_bare_remote("moved");
    repo.git(&[
        "remote",
        "set-url",
        "security",
        moved.to_str().expect("utf-8"),
    ]);
    repo.run(&["status", "--offline"])
        .ok()
        .stdout_has("  [ ] pre-push hook out of date: ")
        .stdout_has("Next: git push-duty hooks install\n");
}
