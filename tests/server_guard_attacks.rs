//! Attacks on the server guard and its installation: other names for the mirror's main
//! (`HEAD`, a symbolic ref to it), several refs in one push, a push that creates main, a rewound
//! upstream, settings that are missing, duplicated or unknown, pushes at the same time, a mirror
//! and an upstream with 100,000 refs, and the ways `hooks install --server` must refuse. Every
//! push is a real `git push --no-verify` from a clone without a client hook.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{TestRepo, Text};

fn upstream_url(repo: &TestRepo) -> String {
    repo.upstream.to_str().expect("utf-8").to_owned()
}

#[test]
fn head_which_is_main_on_the_mirror_is_judged_as_main() {
    let repo = TestRepo::server_guarded();
    let bad = repo.bad_commit();
    let old = repo.branch_of(&repo.mirror(), "main").expect("main");
    // git qualifies `HEAD` as a destination: this creates a branch named HEAD, not main.
    repo.push_past_client(&["-q", "security", "HEAD:HEAD"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(old.clone()));
    assert_eq!(repo.branch_of(&repo.mirror(), "HEAD"), Some(bad.clone()));
    // Another client may send `HEAD` itself: it is the mirror's main.
    let run = hook_with_env(
        &repo,
        &repo.mirror(),
        &format!("{old} {bad} HEAD\n"),
        &[("GIT_DIR", ".")],
    )
    .expect(1);
    run.stderr.as_str().has(&format!(
        "refusing HEAD on the security mirror: {bad} is not on the upstream's main"
    ));
    let zero = "0".repeat(40);
    hook_with_env(
        &repo,
        &repo.mirror(),
        &format!("{old} {zero} HEAD\n"),
        &[("GIT_DIR", ".")],
    )
    .expect(1)
    .stderr_has("refusing to delete HEAD");
}

#[test]
fn a_symbolic_ref_to_main_on_the_mirror_is_main() {
    let repo = TestRepo::server_guarded();
    repo.git_in(
        &repo.mirror(),
        &["symbolic-ref", "refs/heads/release", "refs/heads/main"],
    );
    // A chain of two is followed too.
    repo.git_in(
        &repo.mirror(),
        &["symbolic-ref", "refs/heads/prod", "refs/heads/release"],
    );
    let bad = repo.bad_commit();
    let before = repo.refs_of(&repo.mirror());
    for spelling in ["HEAD:refs/heads/release", "HEAD:refs/heads/prod"] {
        let run = repo
            .push_past_client(&["security", spelling])
            .refused_by_server();
        let name = spelling.trim_start_matches("HEAD:");
        run.remote_said().as_str().has(&format!(
            "refusing {name} on the security mirror: {bad} is not on the upstream's main"
        ));
        assert_eq!(repo.refs_of(&repo.mirror()), before, "{spelling}");
    }
    let run = repo
        .push_past_client(&["security", "--delete", "refs/heads/release"])
        .refused_by_server();
    run.remote_said()
        .as_str()
        .has("refusing to delete refs/heads/release");
    assert_eq!(repo.refs_of(&repo.mirror()), before);
    // Published upstream first, the same spelling passes and moves main.
    repo.push_past_client(&["-q", "upstream", "main"]).silent();
    repo.push_past_client(&["-q", "security", "HEAD:refs/heads/release"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(bad));
}

#[test]
fn one_bad_ref_among_several_refuses_the_whole_push() {
    let repo = TestRepo::server_guarded();
    repo.git(&["switch", "-q", "-c", "fix-xss"]);
    repo.commit("xss.txt", "escaped\n", "Escape (embargoed)");
    repo.git(&["tag", "v1"]);
    let before = repo.refs_of(&repo.mirror());
    let run = repo
        .push_past_client(&[
            "security",
            "fix-xss",
            "refs/tags/v1",
            "fix-xss:refs/heads/main",
        ])
        .refused_by_server();
    run.remote_said()
        .as_str()
        .has("refusing refs/heads/main on the security mirror")
        .lacks("refusing refs/heads/fix-xss")
        .lacks("refusing refs/tags/v1");
    assert_eq!(
        repo.refs_of(&repo.mirror()),
        before,
        "nothing of the push landed"
    );
}

#[test]
fn a_push_that_creates_main_is_judged() {
    let repo = TestRepo::new();
    let mirror = repo.add_bare_remote("security");
    repo.install_server_hook(&[]).ok();
    let bad = repo.bad_commit();
    repo.push_past_client(&["security", "main"])
        .refused_by_server();
    assert_eq!(repo.refs_of(&mirror).len(), 0, "main was created");
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.push_past_client(&["-q", "security", "main"]).silent();
    assert_eq!(
        repo.branch_of(&mirror, "main"),
        Some(repo.rev("upstream/main"))
    );
    assert_ne!(repo.branch_of(&mirror, "main"), Some(bad));
}

#[test]
fn fix_branches_and_tags_pass_while_the_upstream_is_unreachable() {
    let repo = TestRepo::server_guarded();
    std::fs::rename(&repo.upstream, repo.root().join("away.git")).expect("move away");
    repo.git(&["switch", "-q", "-c", "fix-xss"]);
    let fix = repo.commit("xss.txt", "escaped\n", "Escape (embargoed)");
    repo.git(&["tag", "-a", "-m", "rc", "rc1"]);
    repo.push_past_client(&["-q", "security", "fix-xss", "rc1"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "fix-xss"), Some(fix));
}

#[test]
fn the_upstream_is_asked_live_not_what_was_fetched_before() {
    let repo = TestRepo::server_guarded();
    let shipped = repo.commit("a.txt", "a\n", "Shipped, then taken back");
    repo.push_past_client(&["-q", "upstream", "main"]).silent();
    repo.push_past_client(&["-q", "security", "main:refs/heads/staging"])
        .silent();
    // The side repository now holds `shipped`; the upstream rewinds its main past it.
    repo.push_past_client(&["-q", "--force", "upstream", "main~1:main"])
        .silent();
    let before = repo.refs_of(&repo.mirror());
    let run = repo
        .push_past_client(&["security", "main"])
        .refused_by_server();
    run.remote_said()
        .as_str()
        .has(&format!("{shipped} is not on the upstream's main"));
    assert_eq!(repo.refs_of(&repo.mirror()), before);
}

#[test]
fn settings_missing_duplicated_or_unknown_refuse_every_push() {
    let repo = TestRepo::server_guarded();
    let mirror = repo.mirror();
    repo.git(&["switch", "-q", "-c", "fix"]);
    repo.commit("fix.txt", "fix\n", "A fix");
    let cases: [(&[&[&str]], &str); 4] = [
        (
            &[&["config", "--add", "pushduty.server.branch", "release"]],
            "pushduty.server.branch is set more than once",
        ),
        (
            &[&[
                "config",
                "pushduty.server.upstreamUrl",
                "https://example.com/x.git",
            ]],
            "pushduty.server.upstreamurl (in ",
        ),
        (
            &[&["config", "--unset", "pushduty.server.upstream"]],
            "pushduty.server.upstream is missing",
        ),
        (
            &[&["config", "--remove-section", "pushduty.server"]],
            "there is no [pushduty \"server\"] in",
        ),
    ];
    let config = mirror.join("config");
    let good = std::fs::read(&config).expect("read config");
    for (edits, says) in cases {
        for edit in edits {
            repo.git_in(&mirror, edit);
        }
        let before = repo.refs_of(&mirror);
        let run = repo
            .push_past_client(&["security", "fix"])
            .refused_by_server();
        run.remote_said()
            .as_str()
            .has("the git-push-duty pre-receive hook could not check this push")
            .has(says)
            .has("hint: ");
        assert_eq!(repo.refs_of(&mirror), before, "{says}");
        // hooks status says the same.
        let status = repo.run_in_bare(&mirror, &["hooks", "status"]).ok();
        assert!(
            status.stderr.contains(says) || status.stdout.contains("nothing recorded"),
            "{says}\n{}",
            status.streams()
        );
        std::fs::write(&config, &good).expect("restore config");
    }
    // Settings in the server's global config are not the mirror's: not read.
    let global = repo.root().join("server-global");
    std::fs::write(&global, "[pushduty \"server\"]\n\tbranch = evil\n").expect("write");
    repo.run_env(
        "git",
        &repo.work,
        &["push", "-q", "--no-verify", "security", "fix"],
        &[("GIT_CONFIG_GLOBAL", global.to_str().expect("utf-8"))],
    )
    .silent();
}

#[test]
fn two_pushes_at_once_both_get_a_decision() {
    let repo = TestRepo::server_guarded();
    let colleague = repo.upstream_commit("app.txt", "v2\n", "Ship");
    let old = repo.branch_of(&repo.mirror(), "main").expect("main");
    let side = repo.mirror().join("push-duty");
    assert!(!side.exists(), "no side repository before the first push");
    let line = format!("{old} {colleague} refs/heads/main\n");
    // Straight to the hook, four at once, into a side repository none of them finds: each
    // creates it and fetches the same pack into it. Fetching at the same time, two wrote that
    // pack and both removed its `.keep` file, and the second removal failed, refusing a safe
    // push ("Failed to remove .keep file"), about once in ten rounds, more often under load.
    let mirror = repo.mirror();
    let mut failed = Vec::new();
    for round in 0..25 {
        if round > 0 {
            std::fs::remove_dir_all(&side).expect("remove the side repository");
        }
        let runs: Vec<common::Run> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| hook_with_input(&repo, &mirror, &line)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        failed.extend(
            runs.iter()
                .filter(|run| run.status != 0)
                .map(|run| format!("round {round}:\n{}", run.streams())),
        );
        let leftovers: Vec<_> = std::fs::read_dir(&side)
            .expect("side dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            leftovers,
            ["upstream.git"],
            "temporary directories were left"
        );
        let keeps: Vec<_> = std::fs::read_dir(side.join("upstream.git/objects/pack"))
            .expect("pack dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".keep"))
            .collect();
        assert_eq!(keeps, Vec::<String>::new(), ".keep files were left");
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

fn hook_with_input(repo: &TestRepo, dir: &Path, input: &str) -> common::Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = repo.command(common::BIN, dir);
    cmd.args(["hook", "pre-receive"])
        .env("GIT_DIR", ".")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the hook");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    common::Run::from(child.wait_with_output().expect("wait"))
}

/// Writes `count` branches into `bare`'s packed-refs, all at `id`.
fn many_refs(bare: &Path, id: &str, prefix: &str, count: usize) {
    let mut text = String::from("# pack-refs with: peeled fully-peeled sorted \n");
    let mut names: Vec<String> = (0..count).map(|n| format!("{prefix}{n:06}")).collect();
    names.sort();
    for name in names {
        text.push_str(&format!("{id} {name}\n"));
    }
    std::fs::write(bare.join("packed-refs"), text).expect("write packed-refs");
}

#[test]
fn a_hundred_thousand_refs_on_the_mirror_and_the_upstream_cost_nothing() {
    let repo = TestRepo::server_guarded();
    let tip = repo.rev("upstream/main");
    let colleague = repo.upstream_commit("app.txt", "v2\n", "Ship");
    repo.git(&["fetch", "-q", "upstream"]);
    // The mirror's are branches (fix branches, pull requests); the upstream's are outside
    // refs/heads only so that this test's own clones do not fetch them.
    many_refs(&repo.mirror(), &tip, "refs/heads/z/b", 100_000);
    many_refs(&repo.upstream, &tip, "refs/z/b", 100_000);
    let trace = repo.root().join("packets.trace");
    let line = format!("{tip} {colleague} refs/heads/main\n{tip} {tip} refs/heads/z/b000001\n");
    let mut cmd_env = vec![("GIT_TRACE_PACKET", trace.to_str().expect("utf-8"))];
    cmd_env.push(("GIT_DIR", "."));
    let started = Instant::now();
    let run = hook_with_env(&repo, &repo.mirror(), &line, &cmd_env);
    let took = started.elapsed();
    run.ok();
    eprintln!("the hook took {took:?}");
    assert!(took < Duration::from_secs(5), "the hook took {took:?}");
    // The upstream was asked for its main only.
    let packets = std::fs::read_to_string(&trace).expect("trace");
    packets.as_str().has("ref-prefix refs/heads/main");
    assert!(
        !packets.contains("refs/z/b"),
        "the upstream listed other refs:\n{}",
        &packets[..packets.len().min(2000)]
    );
    // A real push through git, too (git's own advertisement of the mirror's refs included).
    let started = Instant::now();
    repo.push_past_client(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    eprintln!("a real push took {:?}", started.elapsed());
    repo.git(&["reset", "-q", "--hard", "upstream/main"]);
    let bad = repo.bad_commit();
    repo.push_past_client(&["security", "main"])
        .refused_by_server();
    assert_ne!(repo.branch_of(&repo.mirror(), "main"), Some(bad));
}

fn hook_with_env(repo: &TestRepo, dir: &Path, input: &str, env: &[(&str, &str)]) -> common::Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = repo.command(common::BIN, dir);
    cmd.args(["hook", "pre-receive"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn the hook");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    common::Run::from(child.wait_with_output().expect("wait"))
}

#[test]
fn install_refuses_outside_a_bare_repository_and_bad_urls_or_branches() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let url = upstream_url(&repo);
    let before = repo.snapshot();
    repo.run(&["hooks", "install", "--server", "--upstream", &url])
        .expect(2)
        .stderr_has("works only in a bare repository");
    for (args, says, code) in [
        (
            vec!["--upstream", "ext::sh -c evil"],
            "is not a URL git can fetch from",
            2,
        ),
        (vec!["--upstream", "--upload-pack=x"], "", 2),
        (
            vec!["--upstream", &url, "--branch", "a..b"],
            "is not a branch name",
            2,
        ),
        (
            vec!["--upstream", &url, "--branch", "nope"],
            "has no branch nope: nothing was installed",
            1,
        ),
        (
            vec!["--upstream", "/nowhere/x.git"],
            "cannot be listed from this server: nothing was installed",
            1,
        ),
        (vec![], "needs the public upstream's URL", 2),
    ] {
        let mut all = vec!["hooks", "install", "--server"];
        all.extend(args.iter().copied());
        let run = repo.run_in_bare(&repo.mirror(), &all).expect(code);
        run.stderr_has(says);
        assert!(
            !repo.mirror().join("hooks/pre-receive").exists(),
            "{args:?}"
        );
    }
    repo.run(&["hooks", "install", "--upstream", &url])
        .expect(2)
        .stderr_has("--server");
    // A dry run shows the plan and changes nothing.
    repo.install_server_hook(&["--dry-run"])
        .ok()
        .stderr_has("record what the server guard protects")
        .stderr_has("write the git-push-duty pre-receive hook")
        .stderr_has("Dry run: nothing was changed.");
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.mirror().join("hooks/pre-receive").exists());
    assert!(
        !std::fs::read_to_string(repo.mirror().join("config"))
            .expect("config")
            .contains("pushduty")
    );
}

#[test]
fn install_again_uninstall_and_status_in_the_mirror() {
    let repo = TestRepo::new();
    let mirror = repo.add_mirror("security");
    common::write_script(&mirror.join("hooks/pre-receive"), "#!/bin/sh\nexit 0\n");
    repo.install_server_hook(&[]).ok();
    repo.install_server_hook(&[])
        .ok()
        .stderr_has("already installed")
        .stderr_has("(nothing changed)");
    // Again without --upstream keeps what was recorded.
    repo.run_in_bare(&mirror, &["hooks", "install", "--server"])
        .ok()
        .stderr_has("(nothing changed)");
    let status = repo.run_in_bare(&mirror, &["hooks", "status"]).ok();
    status
        .stdout_has("ours:        yes")
        .stdout_has("used by git: yes")
        .stdout_has("runs first:  ")
        .stdout_has(&format!(
            "guards:      refs/heads/main (and symbolic refs to it) never ahead of main on the upstream {}",
            upstream_url(&repo)
        ));
    assert_eq!(status.stderr, "", "no problems");
    repo.run_in_bare(&mirror, &["hooks", "uninstall", "--server"])
        .ok()
        .stderr_has("put the previous hook");
    assert_eq!(
        std::fs::read_to_string(mirror.join("hooks/pre-receive")).expect("theirs is back"),
        "#!/bin/sh\nexit 0\n"
    );
    assert!(!mirror.join("hooks/pre-receive.local").exists());
    assert!(
        !std::fs::read_to_string(mirror.join("config"))
            .expect("config")
            .contains("pushduty")
    );
    // Nothing guards any more: a bad main goes through, as the uninstall said.
    repo.bad_commit();
    repo.push_past_client(&["-q", "security", "main"]).silent();
}

#[test]
fn a_release_branch_that_is_a_symbolic_ref_is_guarded_where_it_points() {
    let repo = TestRepo::server_guarded();
    let mirror = repo.mirror();
    let tip = repo.branch_of(&mirror, "main").expect("main");
    repo.git_in(&mirror, &["update-ref", "refs/heads/trunk", &tip]);
    repo.git_in(
        &mirror,
        &["symbolic-ref", "refs/heads/main", "refs/heads/trunk"],
    );
    let bad = repo.bad_commit();
    let before = repo.refs_of(&mirror);
    let run = repo
        .push_past_client(&["security", "HEAD:refs/heads/trunk"])
        .refused_by_server();
    run.remote_said().as_str().has(&format!(
        "refusing refs/heads/trunk on the security mirror: {bad}"
    ));
    assert_eq!(repo.refs_of(&mirror), before);
}

#[test]
fn an_upstream_that_is_the_mirror_itself_is_refused() {
    let repo = TestRepo::new();
    let mirror = repo.add_mirror("security");
    let itself = mirror.to_str().expect("utf-8");
    repo.run_in_bare(
        &mirror,
        &["hooks", "install", "--server", "--upstream", itself],
    )
    .expect(2)
    .stderr_has("is this repository, the security mirror itself");
    assert!(!mirror.join("hooks/pre-receive").exists());
    // Recorded by hand, the hook refuses.
    repo.install_server_hook(&[]).ok();
    repo.git_in(&mirror, &["config", "pushduty.server.upstream", itself]);
    repo.bad_commit();
    let before = repo.refs_of(&mirror);
    repo.push_past_client(&["security", "main"])
        .refused_by_server()
        .remote_said()
        .as_str()
        .has("is this repository itself, not the upstream");
    assert_eq!(repo.refs_of(&mirror), before);
}

#[test]
fn a_lock_left_by_a_stopped_push_is_named() {
    let repo = TestRepo::server_guarded();
    repo.upstream_commit("app.txt", "v2\n", "Ship");
    repo.git(&["fetch", "-q", "upstream"]);
    // The first update of main creates the side repository.
    repo.push_past_client(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    let colleague = repo.upstream_commit("app.txt", "v3\n", "Ship again");
    repo.git(&["fetch", "-q", "upstream"]);
    let lock = repo
        .mirror()
        .join("push-duty/upstream.git/refs/heads/main.lock");
    std::fs::write(&lock, "").expect("a stale lock");
    let before = repo.refs_of(&repo.mirror());
    repo.push_past_client(&["security", "upstream/main:refs/heads/main"])
        .refused_by_server()
        .remote_said()
        .as_str()
        .has("a push stopped while fetching left its lock: the mirror's administrator removes ")
        .has("push-duty/upstream.git/refs/heads/main.lock");
    assert_eq!(repo.refs_of(&repo.mirror()), before);
    std::fs::remove_file(&lock).expect("remove");
    repo.push_past_client(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(colleague));
}

#[test]
fn ci_workflow_refuses_what_would_break_the_workflow() {
    let repo = TestRepo::new();
    let url = upstream_url(&repo);
    for (args, says) in [
        (
            vec![
                "github",
                "--upstream",
                &url,
                "--install",
                "echo ${{ secrets.TOKEN }}",
            ],
            "which the forge would evaluate",
        ),
        (
            vec!["github", "--upstream", &url, "--schedule", "hourly"],
            "is not a cron expression",
        ),
        (
            vec!["gitlab", "--upstream", "ext::sh"],
            "is not a URL git can fetch from",
        ),
        (
            vec!["github", "--upstream", &url, "--branch", "a..b"],
            "is not a branch name",
        ),
    ] {
        let mut all = vec!["ci-workflow"];
        all.extend(args.iter().copied());
        let run = repo.run(&all).expect(2);
        run.stderr_has(says);
        assert_eq!(run.stdout, "", "no workflow is printed");
    }
}

#[test]
fn a_commit_only_on_another_upstream_branch_is_not_on_its_main() {
    let repo = TestRepo::server_guarded();
    repo.git(&["switch", "-q", "-c", "feature"]);
    let feature = repo.commit("f.txt", "f\n", "On an upstream feature branch");
    repo.push_past_client(&["-q", "upstream", "feature"])
        .silent();
    let before = repo.refs_of(&repo.mirror());
    repo.push_past_client(&["security", "feature:main"])
        .refused_by_server()
        .remote_said()
        .as_str()
        .has(&format!("{feature} is not on the upstream's main"));
    assert_eq!(repo.refs_of(&repo.mirror()), before);
}

#[test]
fn an_upstream_without_the_branch_refuses_naming_it() {
    let repo = TestRepo::server_guarded();
    let tip = repo.rev("upstream/main");
    repo.git_in(&repo.upstream, &["branch", "-q", "keep", &tip]);
    repo.git_in(&repo.upstream, &["symbolic-ref", "HEAD", "refs/heads/keep"]);
    repo.git_in(&repo.upstream, &["update-ref", "-d", "refs/heads/main"]);
    repo.git(&["switch", "-q", "-c", "other"]);
    repo.commit("o.txt", "o\n", "Other");
    let before = repo.refs_of(&repo.mirror());
    repo.push_past_client(&["security", "other:main"])
        .refused_by_server()
        .remote_said()
        .as_str()
        .has(&format!(
            "the upstream {} has no branch main, so nothing can be checked against it",
            upstream_url(&repo)
        ));
    assert_eq!(repo.refs_of(&repo.mirror()), before);
}

#[test]
fn sha256_mirrors_are_guarded_the_same_way() {
    let repo = TestRepo::sha256();
    repo.add_mirror("security");
    repo.install_server_hook(&[]).ok();
    let bad = repo.bad_commit();
    let before = repo.refs_of(&repo.mirror());
    repo.push_past_client(&["security", "main"])
        .refused_by_server()
        .remote_said()
        .as_str()
        .has(&format!("{bad} is not on the upstream's main"));
    assert_eq!(repo.refs_of(&repo.mirror()), before);
    repo.push_past_client(&["-q", "upstream", "main"]).silent();
    repo.push_past_client(&["-q", "security", "main"]).silent();
    assert_eq!(repo.branch_of(&repo.mirror(), "main"), Some(bad));
}

#[test]
fn a_hooks_path_on_the_server_needs_force_and_is_then_used() {
    let repo = TestRepo::new();
    let mirror = repo.add_mirror("security");
    let custom = repo.root().join("custom_hooks");
    std::fs::create_dir_all(&custom).expect("mkdir");
    repo.git_in(
        &mirror,
        &["config", "core.hooksPath", custom.to_str().expect("utf-8")],
    );
    repo.install_server_hook(&[])
        .expect(1)
        .stderr_has("core.hooksPath = ")
        .stderr_has("nothing was installed")
        .stderr_has("git push-duty hooks install --server --force");
    assert!(!custom.join("pre-receive").exists());
    repo.install_server_hook(&["--force"]).ok();
    assert!(custom.join("pre-receive").exists());
    repo.run_in_bare(&mirror, &["hooks", "status"])
        .ok()
        .stdout_has("used by git: yes");
    repo.bad_commit();
    let before = repo.refs_of(&mirror);
    repo.push_past_client(&["security", "main"])
        .refused_by_server();
    assert_eq!(repo.refs_of(&mirror), before);
}

#[test]
fn a_side_repository_poisoned_by_a_push_into_it_is_not_believed() {
    let repo = TestRepo::server_guarded();
    repo.upstream_commit("app.txt", "v2\n", "Ship");
    repo.git(&["fetch", "-q", "upstream"]);
    // The first update of main creates the side repository.
    repo.push_past_client(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    let side = repo.mirror().join("push-duty/upstream.git");
    let side_url = side.to_str().expect("utf-8").to_owned();
    let tip = repo.rev("upstream/main");
    repo.git(&["merge", "-q", "--ff-only", "upstream/main"]);
    let bad = repo.bad_commit();
    // Whoever can write the mirror over plain ssh can push into its side repository too: the
    // embargoed commit as the side's main, and a replacement of the upstream's tip by a commit
    // whose parent is the embargoed one, which would put it in the upstream's history.
    repo.git(&["replace", "--graft", &tip, &bad]);
    let replace = format!("refs/replace/{tip}");
    repo.push_past_client(&[
        "-q",
        "--force",
        &side_url,
        &format!("{bad}:refs/heads/main"),
        &format!("{replace}:{replace}"),
    ])
    .ok();
    repo.git(&["replace", "-d", &tip]);
    // git itself, in the side repository, now believes it.
    repo.run_env(
        "git",
        &side,
        &["merge-base", "--is-ancestor", &bad, &tip],
        &[],
    )
    .ok();
    let before = repo.refs_of(&repo.mirror());
    let run = repo
        .push_past_client(&["security", &format!("{bad}:refs/heads/main")])
        .refused_by_server();
    run.remote_said()
        .as_str()
        .has(&format!("{bad} is not on the upstream's main"));
    assert_eq!(repo.refs_of(&repo.mirror()), before);
}

#[test]
fn credentials_in_the_upstream_url_are_not_shown_to_who_pushed() {
    let repo = TestRepo::server_guarded();
    let mirror = repo.mirror();
    // An administrator may fetch the upstream with a token; the people who push must not read it.
    repo.git_in(
        &mirror,
        &[
            "config",
            "pushduty.server.upstream",
            "http://deploy:s3cret-token@127.0.0.1:9/upstream.git",
        ],
    );
    repo.upstream_commit("app.txt", "v2\n", "Ship");
    repo.git(&["fetch", "-q", "upstream"]);
    let before = repo.refs_of(&mirror);
    let run = repo
        .push_past_client(&["security", "upstream/main:refs/heads/main"])
        .refused_by_server();
    let said = run.remote_said();
    said.as_str()
        .has("cannot reach the upstream http://***@127.0.0.1:9/upstream.git");
    assert!(!run.stderr.contains("s3cret"), "{}", run.streams());
    assert!(!run.stderr.contains("deploy:"), "{}", run.streams());
    assert_eq!(repo.refs_of(&mirror), before);
}

#[test]
fn atomic_pushes_push_options_and_a_delete_with_a_create_are_judged_whole() {
    let repo = TestRepo::server_guarded();
    let mirror = repo.mirror();
    repo.git_in(&mirror, &["config", "receive.advertisePushOptions", "true"]);
    repo.git(&["switch", "-q", "-c", "fix-old"]);
    repo.commit("old.txt", "old\n", "An old fix");
    repo.push_past_client(&["-q", "security", "fix-old"])
        .silent();
    repo.git(&["switch", "-q", "main"]);
    let bad = repo.bad_commit();
    repo.git(&["branch", "fix-new", &bad]);
    // --atomic with a push option: the bad main takes the fix branch down with it.
    let before = repo.refs_of(&mirror);
    repo.push_past_client(&[
        "--atomic",
        "-o",
        "ci.skip",
        "security",
        "main",
        "fix-new",
        ":refs/heads/fix-old",
    ])
    .refused_by_server()
    .remote_said()
    .as_str()
    .has(&format!("{bad} is not on the upstream's main"));
    assert_eq!(repo.refs_of(&mirror), before);
    // Without main, the same delete and create go through, options and all.
    repo.push_past_client(&[
        "-q",
        "--atomic",
        "-o",
        "ci.skip",
        "security",
        "fix-new",
        ":refs/heads/fix-old",
    ])
    .silent();
    assert_eq!(repo.branch_of(&mirror, "fix-new"), Some(bad));
    assert_eq!(repo.branch_of(&mirror, "fix-old"), None);
    // Deleting main and creating it again in one push is still a deletion of main.
    let main = repo.branch_of(&mirror, "main").expect("main");
    repo.push_past_client(&[
        "security",
        ":refs/heads/main",
        &format!("{main}:refs/heads/main2"),
    ])
    .refused_by_server()
    .remote_said()
    .as_str()
    .has("refusing to delete refs/heads/main");
    assert_eq!(repo.branch_of(&mirror, "main"), Some(main));
}

#[test]
fn a_push_into_a_git_namespace_is_refused_as_unchecked() {
    let repo = TestRepo::server_guarded();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("feature.txt", "feature\n", "A feature");
    let before = repo.refs_of(&repo.mirror());
    // The server runs receive-pack in namespace `team` (as gitolite or a forge might).
    let namespaced = "--receive-pack=env GIT_NAMESPACE=team git-receive-pack";
    for refspec in ["feature", "HEAD:refs/heads/main"] {
        let run = repo
            .push_past_client(&[namespaced, "security", refspec])
            .refused_by_server();
        run.remote_said().as_str().has(
            "could not check this push (the push goes to the git namespace \"team\" (GIT_NAMESPACE), whose refs the guard does not read",
        );
        run.remote_said()
            .as_str()
            .has("hint: serve the security mirror as a repository of its own, without a namespace");
        assert_eq!(repo.refs_of(&repo.mirror()), before, "{refspec}");
    }
    // A symbolic ref inside the namespace to the namespace's main, which the guard, reading the
    // repository's own refs, would take for any branch. (Before this refusal such pushes were
    // refused only by accident: the query of the upstream inherited GIT_NAMESPACE and found no
    // main there; an upstream served with the same namespace would have been asked instead.)
    let mirror = repo.mirror();
    repo.git_in(
        &mirror,
        &[
            "update-ref",
            "refs/namespaces/team/refs/heads/main",
            &before["refs/heads/main"],
        ],
    );
    repo.git_in(
        &mirror,
        &[
            "symbolic-ref",
            "refs/namespaces/team/refs/heads/alias",
            "refs/namespaces/team/refs/heads/main",
        ],
    );
    let before = repo.refs_of(&mirror);
    repo.push_past_client(&[namespaced, "security", "feature:refs/heads/alias"])
        .refused_by_server();
    assert_eq!(repo.refs_of(&mirror), before);
    // Without the namespace the same feature branch goes through.
    repo.push_past_client(&["-q", "security", "feature"]).ok();
    assert!(repo.branch_of(&repo.mirror(), "feature").is_some());
}
