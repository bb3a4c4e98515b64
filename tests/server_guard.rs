//! The server guard on the security mirror (issue 12): a bare mirror with the real `pre-receive`
//! hook installed by `hooks install --server`, and real `git push --no-verify` from a clone that
//! has no client hook at all, so whatever is refused is refused by the server. Each refusal shows
//! what the person who pushed reads behind `remote:`, and that the mirror's refs did not change.

mod common;

use common::{TestRepo, Text};

#[test]
fn a_commit_not_on_the_upstreams_main_is_refused() {
    let repo = TestRepo::server_guarded();
    let fix = repo.commit("xss.txt", "escaped\n", "Escape user names (embargoed)");
    let before = repo.refs_of(&repo.mirror());
    let run = repo
        .push_past_client(&["security", "main"])
        .refused_by_server();
    let said = run.remote_said();
    said.as_str()
        .has(&format!(
            "push-duty: refusing refs/heads/main on the security mirror: {fix} is not on the upstream's main"
        ))
        .has(&format!("    {} Escape user names (embargoed)", &fix[..7]))
        .has("the security mirror's main must never be ahead of the upstream's main")
        .has(repo.upstream.to_str().expect("utf-8"))
        .has("hint: the upstream must have it first: push it to the upstream's main");
    assert_eq!(
        repo.refs_of(&repo.mirror()),
        before,
        "the mirror's refs changed"
    );
}

#[test]
fn a_fix_branch_is_accepted() {
    let repo = TestRepo::server_guarded();
    repo.git(&["switch", "-q", "-c", "fix-xss"]);
    let fix = repo.commit("xss.txt", "escaped\n", "Escape user names (embargoed)");
    repo.push_past_client(&["-q", "security", "fix-xss"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "fix-xss"), Some(fix));
}

#[test]
fn a_sync_of_the_mirror_to_the_upstreams_main_is_accepted() {
    let repo = TestRepo::server_guarded();
    let colleague = repo.upstream_commit("app.txt", "v2\n", "Ship the new page");
    repo.git(&["fetch", "-q", "upstream"]);
    repo.push_past_client(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(colleague));
}

#[test]
fn the_release_merge_in_order_is_accepted() {
    let repo = TestRepo::server_guarded();
    let fix = repo.security_branch(
        "fix-xss",
        "main",
        "xss.txt",
        "escaped\n",
        "Escape (embargoed)",
    );
    repo.git(&["fetch", "-q", "security"]);
    repo.git(&["merge", "-q", "--no-edit", "security/fix-xss"]);
    // Mirror first is out of order: refused.
    let before = repo.refs_of(&repo.mirror());
    repo.push_past_client(&["security", "main"])
        .refused_by_server();
    assert_eq!(repo.refs_of(&repo.mirror()), before);
    // Upstream first, then the mirror: accepted.
    repo.push_past_client(&["-q", "upstream", "main"]).silent();
    repo.push_past_client(&["-q", "security", "main"]).silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(fix.clone()));
    assert_eq!(repo.branch_of(&repo.upstream, "main"), Some(fix));
}

#[test]
fn deleting_main_is_refused() {
    let repo = TestRepo::server_guarded();
    let before = repo.refs_of(&repo.mirror());
    let run = repo
        .push_past_client(&["security", "--delete", "main"])
        .refused_by_server();
    run.remote_said().as_str()
        .has("push-duty: refusing to delete refs/heads/main: it is the security mirror's release branch main")
        .has("hint: the release branch main of the security mirror is never deleted");
    assert_eq!(repo.refs_of(&repo.mirror()), before);
}

#[test]
fn the_upstream_unreachable_is_refused() {
    let repo = TestRepo::server_guarded();
    let colleague = repo.upstream_commit("app.txt", "v2\n", "Ship the new page");
    repo.git(&["fetch", "-q", "upstream"]);
    let moved = repo.root().join("upstream-moved.git");
    std::fs::rename(&repo.upstream, &moved).expect("move the upstream away");
    let before = repo.refs_of(&repo.mirror());
    // Even a commit that is on the upstream cannot be shown to be while it cannot be reached.
    let run = repo
        .push_past_client(&["security", "upstream/main:refs/heads/main"])
        .refused_by_server();
    run.remote_said().as_str()
        .has("the git-push-duty pre-receive hook could not check this push (cannot reach the upstream ")
        .has(repo.upstream.to_str().expect("utf-8"))
        .has("nothing was changed in this repository");
    assert_eq!(repo.refs_of(&repo.mirror()), before);
    // Back again, the same push goes through.
    std::fs::rename(&moved, &repo.upstream).expect("move the upstream back");
    repo.push_past_client(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(colleague));
}

#[test]
fn an_existing_pre_receive_hook_still_runs() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let log = repo.root().join("their-hook.log");
    common::write_script(
        &repo.mirror().join("hooks/pre-receive"),
        &format!(
            "#!/bin/sh\ncat >> '{}'\nif [ -e '{}.fail' ]; then echo 'their hook: no' >&2; exit 1; fi\n",
            log.display(),
            log.display()
        ),
    );
    repo.install_server_hook(&[])
        .ok()
        .stderr_has("keep the existing pre-receive hook as");
    assert!(repo.mirror().join("hooks/pre-receive.local").exists());
    // Both run: theirs gets git's lines, ours still judges main.
    repo.git(&["switch", "-q", "-c", "fix"]);
    let fix = repo.commit("fix.txt", "fix\n", "A fix");
    repo.push_past_client(&["-q", "security", "fix"]).silent();
    let logged = std::fs::read_to_string(&log).expect("their hook ran");
    logged.as_str().has(&format!("{fix} refs/heads/fix"));
    let before = repo.refs_of(&repo.mirror());
    repo.push_past_client(&["security", "fix:main"])
        .refused_by_server();
    assert_eq!(repo.refs_of(&repo.mirror()), before);
    // Their refusal still refuses, before ours is asked.
    std::fs::write(format!("{}.fail", log.display()), "").expect("write");
    repo.git(&["switch", "-q", "-c", "fix2"]);
    repo.commit("fix2.txt", "fix\n", "Another fix");
    let run = repo.push_past_client(&["security", "fix2"]);
    run.fails().stderr_has("remote: their hook: no");
    assert_eq!(repo.refs_of(&repo.mirror()), before);
}

#[test]
fn the_workflow_output_is_valid_yaml_and_its_check_fails_when_the_mirror_is_ahead() {
    use yaml_rust2::YamlLoader;
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let upstream = repo.upstream.to_str().expect("utf-8").to_owned();
    for forge in ["github", "gitlab"] {
        let run = repo
            .run(&["ci-workflow", forge, "--upstream", &upstream])
            .ok();
        let docs = YamlLoader::load_from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{forge}: not YAML: {e}\n{}", run.stdout));
        assert_eq!(docs.len(), 1, "{forge}: one document");
        let doc = &docs[0];
        let script = if forge == "github" {
            assert_eq!(doc["on"]["push"]["branches"][0].as_str(), Some("main"));
            assert_eq!(
                doc["on"]["schedule"][0]["cron"].as_str(),
                Some("17 * * * *")
            );
            let job = &doc["jobs"]["mirror-not-ahead"];
            assert_eq!(
                job["env"]["PUSH_DUTY_UPSTREAM"].as_str(),
                Some(upstream.as_str())
            );
            let steps = job["steps"].as_vec().expect("steps");
            assert_eq!(steps[0]["uses"].as_str(), Some("actions/checkout@v4"));
            assert_eq!(steps[0]["with"]["fetch-depth"].as_i64(), Some(0));
            assert_eq!(
                steps[1]["run"].as_str(),
                Some("cargo install --locked git-push-duty")
            );
            steps[2]["run"].as_str().expect("the check").to_owned()
        } else {
            let job = &doc["push-duty-mirror-check"];
            assert_eq!(job["variables"]["GIT_DEPTH"].as_str(), Some("0"));
            let rules = job["rules"].as_vec().expect("rules");
            assert!(rules[0]["if"].as_str().expect("if").contains("schedule"));
            assert!(rules[1]["if"].as_str().expect("if").contains("push"));
            let script = job["script"].as_vec().expect("script");
            script[1].as_str().expect("the check").to_owned()
        };
        script
            .as_str()
            .has("git push-duty check --mirror-only --offline");
        // The check the job runs, in a fresh checkout of the mirror as the forge makes one.
        let ci_check = |n: &str| {
            let dir = repo.root().join(format!("ci-{forge}-{n}"));
            repo.git_in(
                &repo.root(),
                &["clone", "-q", "security.git", dir.to_str().expect("utf-8")],
            );
            repo.run_env(
                "sh",
                &dir,
                &["-c", &script],
                &[
                    ("PUSH_DUTY_UPSTREAM", &upstream),
                    ("PUSH_DUTY_BRANCH", "main"),
                ],
            )
        };
        ci_check("in-sync")
            .ok()
            .stdout_has("ok    security mirror: origin/main is in sync");
        // Someone pushes a fix straight to the mirror's main (no server hook here): red.
        let fix = repo.security_branch(
            "main",
            "main",
            &format!("xss-{forge}.txt"),
            "escaped\n",
            &format!("Fix for {forge}"),
        );
        ci_check("ahead")
            .expect(1)
            .stdout_has("WRONG security mirror: origin/main is AHEAD of push-duty-upstream/main by 1 commit")
            .stdout_has(&format!("{} Fix for {forge}", &fix[..7]));
        // Published upstream: green again.
        let dev = repo.root().join("security-dev");
        repo.git_in(&dev, &["push", "-q", &upstream, "main"]);
        ci_check("published").ok();
    }
}
