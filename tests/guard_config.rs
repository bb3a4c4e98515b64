//! The configuration cannot switch the pre-push guard off: `hooks install` pins what the guard
//! protects (the mirror's remote and URLs, the upstream, the release branch) in the repository's
//! own git config, and the hook decides from those pins, never from the checked-out team file,
//! a moved tracking HEAD or a `git -c` the parser dropped. Real pushes firing the real hook.

mod common;

use common::{TestRepo, Text};

/// Commits `.pushduty` with `content` on a new branch `name` and leaves it checked out.
fn team_file_branch(repo: &TestRepo, name: &str, content: &str) {
    repo.git(&["checkout", "-q", "-b", name, "main"]);
    repo.commit(".pushduty", content, "Change the team settings");
}

#[test]
fn a_checked_out_team_file_naming_a_missing_mirror_does_not_unguard_the_real_one() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    team_file_branch(&repo, "evil", "[pushduty]\n\tsecurity = sec\n");
    let mirror = repo.ls_remote(&repo.mirror());
    // The mirror check still guards the mirror.
    repo.push(&["security", "evil:main"])
        .refused()
        .stderr_has("on the security mirror (../security.git)");
    assert_eq!(repo.ls_remote(&repo.mirror()), mirror);
    // And the leak check still knows the mirror's fixes.
    repo.push(&["fork", "fix-xss"])
        .refused()
        .stderr_has(&fix[..7]);
    assert_eq!(repo.ls_remote(&fork), "");
    // The safe side: ordinary work to the fork, a fix branch to the mirror.
    repo.push(&["-q", "fork", "evil"]).silent();
    repo.push(&["-q", "security", "fix-xss:refs/heads/fix-2"])
        .silent();
}

#[test]
fn a_checked_out_team_file_calling_the_fork_the_mirror_changes_nothing() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    team_file_branch(&repo, "evil", "[pushduty]\n\tsecurity = fork\n");
    let mirror = repo.ls_remote(&repo.mirror());
    repo.push(&["security", "evil:main"]).refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), mirror);
    repo.push(&["fork", "fix-xss"])
        .refused()
        .stderr_has(&fix[..7]);
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn a_linked_worktree_with_its_own_team_file_shares_the_pins() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["branch", "evil", "main"]);
    repo.git(&["worktree", "add", "-q", "../linked", "evil"]);
    let linked = repo.root().join("linked");
    repo.commit_in(
        &linked,
        ".pushduty",
        "[pushduty]\n\tsecurity = fork\n",
        "Hm",
    );
    repo.try_git_in(&linked, &["push", "fork", "fix-xss"])
        .refused();
    assert_eq!(repo.ls_remote(&fork), "");
    repo.try_git_in(&linked, &["push", "security", "evil:main"])
        .refused();
}

#[test]
fn install_shows_what_it_pins_and_a_dry_run_pins_nothing() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let config = repo.work.join(".git/config");
    let before = std::fs::read_to_string(&config).expect("read config");
    let run = repo.run(&["hooks", "install", "--dry-run"]).ok();
    run.stderr_has(&format!(
        "pin what the guard protects in {}: upstream \"upstream\" (../upstream.git), security mirror \"security\" (../security.git), release branch main",
        config.display()
    ));
    run.stderr_has("Dry run: nothing was changed.");
    insta::assert_snapshot!("plan_hooks_install_dry_run", repo.transcript(&run));
    assert_eq!(std::fs::read_to_string(&config).expect("read"), before);

    let run = repo.run(&["hooks", "install"]).ok();
    insta::assert_snapshot!("run_hooks_install", repo.transcript(&run));
    run.stderr_has("pin what the guard protects in");
    run.stderr_has(
        "The hook guards: upstream \"upstream\" (../upstream.git), security mirror \"security\" (../security.git), release branch main",
    );
    assert_eq!(
        repo.git(&["config", "pushduty.pinned.security"]),
        "security"
    );
    assert_eq!(repo.git(&["config", "pushduty.pinned.branch"]), "main");
    assert_eq!(
        repo.git(&["config", "--get-all", "pushduty.pinned.mirrorUrl"]),
        "../security.git"
    );
    // Everything else in the file is as it was.
    let after = std::fs::read_to_string(&config).expect("read");
    assert!(after.starts_with(&before), "{after}");

    // Again: nothing to do, and it says what it guards.
    let again = repo.run(&["hooks", "install"]).ok();
    again.stderr_has("already installed");
    again.stderr_has("The hook guards: upstream \"upstream\"");
    insta::assert_snapshot!("run_hooks_install_again", repo.transcript(&again));
    assert_eq!(std::fs::read_to_string(&config).expect("read"), after);
}

#[test]
fn a_mirror_pinned_at_install_that_is_gone_refuses_every_push() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["remote", "remove", "security"]);
    let run = repo.push(&["fork", "fix-xss"]).refused_without_settings();
    run.stderr_has(
        "the security mirror remote \"security\" (pushduty.pinned.security, pinned by git push-duty hooks install) does not exist",
    );
    run.stderr_has(
        "hint: add it back: git remote add security ../security.git && git fetch security",
    );
    run.stderr_has(
        "hint: or, if this clone no longer has the mirror, pin that: git push-duty hooks install",
    );
    assert_eq!(repo.ls_remote(&fork), "");
    repo.push(&["fork", "main"]).refused_without_settings();
    // Re-pinned without a mirror, there is nothing left to guard: the push passes.
    repo.run(&["hooks", "install"]).ok();
    repo.push(&["-q", "fork", "main"]).silent();
}

#[test]
fn a_clone_without_a_mirror_at_install_is_guarded_once_the_mirror_is_added_under_its_name() {
    let repo = TestRepo::new();
    let run = repo.run(&["hooks", "install"]).ok();
    run.stderr_has(
        "the security mirror remote \"security\" does not exist here yet: pushes to it are guarded once it is added under that name",
    );
    let fork = repo.add_bare_remote("fork");
    let bad = repo.commit("secret.txt", "secret\n", "Not on the upstream");
    // Nothing to guard yet: no mirror, no fixes.
    repo.push(&["-q", "fork", "main"]).silent();
    repo.ls_remote(&fork).has(&bad);
    // Gaining the mirror under the pinned name: guarded at once, before any re-pin.
    let mirror = repo.add_bare_remote("security");
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        "security",
        "upstream/main:refs/heads/main",
    ]);
    repo.git(&["fetch", "-q", "security"]);
    let before = repo.ls_remote(&mirror);
    repo.push(&["security", "main"])
        .refused()
        .stderr_has(&bad[..7]);
    assert_eq!(repo.ls_remote(&mirror), before);
    // check says to pin its URLs.
    let check = repo.run(&["check", "--offline"]).expect(1);
    check.stdout_has(
        "WRONG guard pins: the security mirror \"security\" has URLs now (../security.git), and none were pinned",
    );
    check.stderr_has("hint: git push-duty hooks install");
}

#[test]
fn a_mirror_gained_under_another_name_in_git_config_refuses_until_pinned() {
    let repo = TestRepo::new();
    repo.install_hook();
    let sec = repo.add_mirror("sec");
    repo.git(&["config", "pushduty.security", "sec"]);
    let before = repo.ls_remote(&sec);
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    let run = repo.push(&["sec", "main"]).refused_without_settings();
    run.stderr_has(&format!(
        "pushduty.security = \"sec\" (set in {}) is not what the hook guards: \"security\", pinned by git push-duty hooks install",
        repo.work.join(".git/config").display()
    ));
    run.stderr_has("hint: to guard it: git push-duty hooks install");
    assert_eq!(repo.ls_remote(&sec), before);
    repo.run(&["hooks", "install"]).ok();
    repo.push(&["sec", "main"]).refused();
    assert_eq!(repo.ls_remote(&sec), before);
    repo.push(&["-q", "sec", "HEAD:refs/heads/fix"]).silent();
}

#[test]
fn a_hook_without_pins_refuses_with_how_to_pin() {
    let repo = TestRepo::guarded();
    // As the previous version installed it: the shim, and nothing pinned.
    repo.git(&["config", "--remove-section", "pushduty.pinned"]);
    let before = repo.ls_remote(&repo.mirror());
    let run = repo
        .push(&["security", "HEAD:refs/heads/fine"])
        .refused_without_settings();
    run.stderr_has("nothing is pinned for the pre-push guard");
    run.stderr_has("hint: pin it: git push-duty hooks install");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // An up-to-date push has nothing to judge.
    repo.push(&["-q", "security", "main"]).silent();
    let status = repo.run(&["hooks", "status"]).ok();
    status.stdout_has("guards:      nothing pinned");
    status.stderr_has("hint: git push-duty hooks install");
    repo.run(&["check", "--offline"])
        .expect(1)
        .stdout_has("WRONG guard pins: nothing is pinned");
    repo.run(&["hooks", "install"]).ok();
    repo.push(&["-q", "security", "HEAD:refs/heads/fine"])
        .silent();
}

#[test]
fn install_refuses_a_team_file_that_is_not_the_upstreams() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    team_file_branch(&repo, "evil", "[pushduty]\n\tsecurity = fork\n");
    let config = repo.work.join(".git/config");
    let before = (
        repo.snapshot(),
        std::fs::read_to_string(&config).expect("read"),
    );
    let run = repo.run(&["hooks", "install"]).expect(1);
    run.stderr_has(&format!(
        "{} sets pushduty.security = \"fork\", but the .pushduty on upstream/main does not",
        repo.work.join(".pushduty").display()
    ));
    run.stderr_has("hint: install from the release branch: git switch main");
    run.stderr_has("hint: or set it in your own git config: git config pushduty.security fork");
    insta::assert_snapshot!("refusal_hooks_install_team_file", repo.transcript(&run));
    assert_eq!(
        (
            repo.snapshot(),
            std::fs::read_to_string(&config).expect("read")
        ),
        before
    );
    assert!(!repo.work.join(".git/hooks/pre-push").exists());
    // The team's own file, as merged on the upstream, is pinned.
    repo.git(&["checkout", "-q", "main"]);
    repo.commit(".pushduty", "[pushduty]\n\tsecurity = security\n", "Team");
    repo.push(&["-q", "--no-verify", "upstream", "main"]).ok();
    repo.run(&["hooks", "install"]).ok();
}

#[test]
fn status_and_check_say_when_the_settings_no_longer_match_the_pins() {
    let repo = TestRepo::guarded();
    repo.add_mirror("private");
    team_file_branch(&repo, "other", "[pushduty]\n\tsecurity = private\n");
    let status = repo.run(&["hooks", "status"]).ok();
    status.stdout_has(
        "guards:      upstream \"upstream\" (../upstream.git), security mirror \"security\" (../security.git), release branch main",
    );
    status.stderr_has(&format!(
        "the settings name the security mirror \"private\" (pushduty.security, set in {}), but the hook guards \"security\"",
        repo.work.join(".pushduty").display()
    ));
    insta::assert_snapshot!("hooks_status_settings_differ", repo.transcript(&status));
    let check = repo.run(&["check", "--offline"]).expect(1);
    check.stdout_has("WRONG guard pins: the settings name the security mirror \"private\"");
    // Not by a checkout: the hook still guards the pinned mirror.
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["security", "other:main"]).refused();
    repo.push(&["-q", "private", "other:main"]).silent();
}

#[test]
fn a_moved_tracking_head_does_not_move_the_guarded_branch() {
    let repo = TestRepo::new();
    repo.git(&["push", "-q", "upstream", "main:develop"]);
    repo.git(&["fetch", "-q", "upstream"]);
    repo.git(&["remote", "set-head", "upstream", "main"]);
    repo.add_mirror("security");
    repo.install_hook();
    repo.git(&["remote", "set-head", "upstream", "develop"]);
    let before = repo.ls_remote(&repo.mirror());
    let bad = repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["security", "main"])
        .refused()
        .stderr_has("the security mirror's main must never be ahead of upstream/main")
        .stderr_has(&bad[..7]);
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    let check = repo.run(&["check", "--offline"]).expect(1);
    check.stdout_has(
        "WRONG guard pins: refs/remotes/upstream/HEAD points to develop, but the hook guards main",
    );
    check.stderr_has(
        "hint: if develop is the release branch now: git push-duty hooks install; if not: git remote set-head upstream main",
    );
    // And the release branch every command uses is the pinned one.
    repo.run(&["check", "--offline"])
        .stdout_has("release branch main");
}

#[test]
fn branch_names_are_validated_and_a_full_ref_name_is_normalised() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let config = repo.work.join(".git/config");
    for bad in [
        "main/",
        "refs/tags/main",
        "ma..in",
        "-main",
        "HEAD",
        "main.lock",
        "a b",
    ] {
        repo.git(&["config", "pushduty.branch", bad]);
        let run = repo.run(&["hooks", "install"]).expect(1);
        run.stderr_has(&format!(
            "pushduty.branch = {bad:?} (set in {}) is not a branch name",
            config.display()
        ));
        assert!(!repo.work.join(".git/hooks/pre-push").exists(), "{bad}");
    }
    repo.git(&["config", "pushduty.branch", "refs/heads/main"]);
    let run = repo.run(&["hooks", "install"]).ok();
    run.stderr_has("release branch main");
    let before = repo.ls_remote(&repo.mirror());
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["security", "main"]).refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // Set wrong after the install: the hook refuses rather than guard nothing.
    repo.git(&["config", "pushduty.branch", "main/"]);
    repo.push(&["security", "main"])
        .refused_without_settings()
        .stderr_has("pushduty.branch = \"main/\"");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn remote_names_follow_gits_rules() {
    let repo = TestRepo::new();
    for bad in ["a b", "-x", "a..b", "x:y", "a/", "*", "a.lock", ""] {
        repo.git(&["config", "pushduty.security", bad]);
        repo.run(&["next-tag", "--offline"])
            .expect(1)
            .stderr_has(&format!("pushduty.security = {bad:?}"));
    }
    // Names git accepts are accepted.
    repo.git(&["config", "pushduty.security", "corp/security"]);
    repo.run(&["next-tag", "--offline"]).ok();
}

#[test]
fn git_dash_c_with_a_valueless_key_first_still_counts() {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("fork");
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    let url = fork.display().to_string();
    let key = format!("pushduty.securityUrl={url}");
    for args in [
        vec!["-c", key.as_str(), "push", url.as_str(), "main"],
        vec![
            "-c",
            "color.ui",
            "-c",
            key.as_str(),
            "push",
            url.as_str(),
            "main",
        ],
        vec![
            "-c",
            "a.b=",
            "-c",
            key.as_str(),
            "push",
            url.as_str(),
            "main",
        ],
    ] {
        let run = repo.try_git_in(&repo.work, &args);
        run.refused_without_settings()
            .stderr_has(&format!("pushduty.securityUrl = {url:?}"));
        assert_eq!(repo.ls_remote(&fork), "", "{args:?}");
    }
    // Keys the guard does not depend on change nothing.
    repo.try_git_in(
        &repo.work,
        &[
            "-c",
            "color.ui",
            "-c",
            "pushduty.pushDay=friday",
            "push",
            "-q",
            url.as_str(),
            "main",
        ],
    )
    .silent();
}

#[test]
fn an_unknown_key_names_the_key_the_file_and_the_closest_known_key() {
    let repo = TestRepo::guarded();
    repo.git(&["config", "pushduty.securtyUrl", "git@example.com:x.git"]);
    let config = repo.work.join(".git/config");
    let before = repo.snapshot();
    let run = repo.run(&["next-tag", "--offline"]).expect(1);
    run.stderr_has(&format!(
        "pushduty.securtyUrl (set in {}) is not a setting git-push-duty knows; did you mean pushduty.securityUrl?",
        config.display()
    ));
    run.stderr_has("hint: rename or remove it in");
    repo.push(&["security", "HEAD:refs/heads/fine"])
        .refused_without_settings()
        .stderr_has("pushduty.securtyUrl");
    assert_eq!(repo.snapshot(), before);
    repo.git(&["config", "--unset", "pushduty.securtyUrl"]);
    // In the team file too, however it is spelled.
    repo.commit(".pushduty", "[PushDuty]\n\tpushdya = thursday\n", "Typo");
    repo.run(&["next-tag", "--offline"])
        .expect(1)
        .stderr_has("pushduty.pushdya (set in");
    repo.run(&["next-tag", "--offline"])
        .expect(1)
        .stderr_has("did you mean pushduty.pushDay?");
    // Pins belong to .git/config alone.
    repo.commit(
        ".pushduty",
        "[pushduty \"pinned\"]\n\tsecurity = fork\n",
        "Pins in the team file",
    );
    repo.run(&["next-tag", "--offline"])
        .expect(1)
        .stderr_has("pushduty.pinned.security (set in");
}

#[test]
fn a_pin_given_with_git_dash_c_is_refused() {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("fork");
    let run = repo.try_git_in(
        &repo.work,
        &[
            "-c",
            "pushduty.pinned.security=fork",
            "push",
            "fork",
            "main",
        ],
    );
    run.refused_without_settings()
        .stderr_has("pushduty.pinned.security (set in the command line (git -c))");
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn a_team_file_with_three_thousand_duplicated_lines_is_read_once() {
    let repo = TestRepo::guarded();
    let mut file = String::from("[pushduty]\n");
    for _ in 0..3000 {
        file.push_str("\tskip = 2026-12-03\n");
    }
    repo.commit(".pushduty", &file, "Many holidays");
    // Within a memory limit far below what reading it quadratically took (2.8 GB).
    let limited = |args: &str| {
        repo.run_env(
            "sh",
            &repo.work,
            &["-c", &format!("ulimit -v 1000000 && {args}")],
            &[],
        )
    };
    let run = limited(&format!("'{}' next-tag --offline", common::BIN)).ok();
    run.stdout_has("2026.12.10");
    let fork = repo.add_bare_remote("fork");
    limited("git push -q fork main").silent();
    repo.ls_remote(&fork).has(&repo.rev("main"));
}

#[test]
fn an_oversized_team_file_is_refused_and_nothing_changes() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let mut file = String::from("[pushduty]\n");
    while file.len() <= 64 * 1024 {
        file.push_str("\tskip = 2026-12-24\n");
    }
    repo.commit(".pushduty", &file, "Too big");
    let path = repo.work.join(".pushduty");
    let before = repo.snapshot();
    for args in [&["next-tag", "--offline"][..], &["hooks", "install"]] {
        let run = repo.run(args).expect(1);
        run.stderr_has(&format!(
            "{} is {} bytes, more than the 65536 a team file may have",
            path.display(),
            file.len()
        ));
        assert_eq!(repo.snapshot(), before);
    }
    assert!(!repo.work.join(".git/hooks/pre-push").exists());
}

#[test]
fn a_team_file_that_is_not_a_file_is_an_error_not_ignored() {
    let repo = TestRepo::new();
    std::fs::create_dir(repo.work.join(".pushduty")).expect("mkdir");
    std::fs::write(repo.work.join(".pushduty/x"), "x").expect("write");
    repo.run(&["next-tag", "--offline"])
        .expect(1)
        .stderr_has("is not a file");
    std::fs::remove_dir_all(repo.work.join(".pushduty")).expect("rm");
    std::os::unix::fs::symlink("nowhere", repo.work.join(".pushduty")).expect("symlink");
    repo.run(&["next-tag", "--offline"])
        .expect(1)
        .stderr_has("cannot read");
}

#[test]
fn an_unreadable_tracking_head_is_an_error_naming_it_not_the_default_branch() {
    let repo = TestRepo::with_branch("master");
    let head = repo.work.join(".git/refs/remotes/upstream/HEAD");
    assert!(head.exists(), "clone records it");
    std::fs::write(&head, "ref: refs/remotes/upstream/..\n").expect("corrupt");
    let run = repo.run(&["next-tag", "--offline"]).expect(1);
    run.stderr_has("refs/remotes/upstream/HEAD");
    run.stdout_lacks("2026.12.03");
    std::fs::write(&head, "garbage\n").expect("corrupt");
    repo.run(&["next-tag", "--offline"])
        .expect(1)
        .stderr_has("cannot read refs/remotes/upstream/HEAD");
}

#[test]
fn a_team_change_merged_on_the_upstream_refuses_until_pinned() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    let private = repo.add_mirror("private");
    // A colleague merges the team's move to another mirror remote name.
    repo.upstream_commit(
        ".pushduty",
        "[pushduty]\n\tsecurity = private\n",
        "New mirror",
    );
    repo.git(&["fetch", "-q", "upstream"]);
    let run = repo.push(&["fork", "main"]).refused_without_settings();
    run.stderr_has(
        "the team's settings on upstream/main (upstream/main:.pushduty) now say pushduty.security = \"private\", but the hook guards \"security\"",
    );
    run.stderr_has("hint: pin what the team says now: git switch main && git pull && git push-duty hooks install");
    assert_eq!(repo.ls_remote(&fork), "");
    // Not yet merged here: install refuses the worktree's old team file.
    repo.run(&["hooks", "install"])
        .expect(1)
        .stderr_has("but the .pushduty on upstream/main sets \"private\"");
    repo.git(&["pull", "-q", "--ff-only", "upstream", "main"]);
    repo.run(&["hooks", "install"]).ok();
    repo.push(&["-q", "fork", "main"]).silent();
    let before = repo.ls_remote(&private);
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["private", "main"]).refused();
    assert_eq!(repo.ls_remote(&private), before);
}

#[test]
fn uninstall_forgets_the_pins_and_leaves_the_rest_of_the_config() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let config = repo.work.join(".git/config");
    let before = std::fs::read_to_string(&config).expect("read");
    repo.install_hook();
    assert_ne!(std::fs::read_to_string(&config).expect("read"), before);
    let run = repo.run(&["hooks", "uninstall", "--dry-run"]).ok();
    run.stderr_has("forget what the guard protected ([pushduty \"pinned\"] in");
    insta::assert_snapshot!("plan_hooks_uninstall_dry_run", repo.transcript(&run));
    let run = repo.run(&["hooks", "uninstall"]).ok();
    insta::assert_snapshot!("run_hooks_uninstall", repo.transcript(&run));
    assert_eq!(std::fs::read_to_string(&config).expect("read"), before);
    assert!(!repo.work.join(".git/hooks/pre-push").exists());
    repo.run(&["hooks", "uninstall"])
        .ok()
        .stderr_has("nothing changed");
}

#[test]
fn a_team_file_key_overridden_in_git_config_does_not_stop_install() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    repo.git(&["config", "pushduty.security", "security"]);
    team_file_branch(&repo, "other", "[pushduty]\n\tsecurity = fork\n");
    repo.run(&["hooks", "install"])
        .ok()
        .stderr_has("security mirror \"security\" (../security.git)");
}

#[test]
fn a_config_file_that_is_a_symlink_is_updated_where_it_points() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let config = repo.work.join(".git/config");
    let real = repo.root().join("shared-config");
    std::fs::rename(&config, &real).expect("move config");
    std::os::unix::fs::symlink(&real, &config).expect("symlink");
    repo.install_hook();
    assert!(
        std::fs::symlink_metadata(&config)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    std::fs::read_to_string(&real)
        .expect("read")
        .has("[pushduty \"pinned\"]");
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    repo.push(&["security", "main"]).refused();
}
