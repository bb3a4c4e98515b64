//! `git push-duty hooks install|uninstall|status`: the hook lands where git runs it, never
//! destroys a user's hook, honours core.hooksPath and linked worktrees, and fails safe when the
//! binary is gone. Every install is proven by a real push firing it.

mod common;

use std::path::{Path, PathBuf};

use common::{BIN, TestRepo, Text, chmod, write_script};

fn hook_path(repo: &TestRepo) -> PathBuf {
    repo.work.join(".git/hooks/pre-push")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// The program git would run, from this process's PATH.
fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH");
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

#[test]
fn a_fresh_install_writes_an_executable_shim_recording_this_binary() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let run = repo.run(&["hooks", "install"]).ok();
    let path = hook_path(&repo);
    run.stderr_has(&format!(
        "Installed the git-push-duty pre-push hook for this repository: {}",
        path.display()
    ));
    let template = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-push"));
    let expected = template.replace("push_duty='git-push-duty'", &format!("push_duty='{BIN}'"));
    assert_eq!(read(&path), expected);
    assert!(is_executable(&path));
    let status = repo.run(&["hooks", "status"]).ok();
    for line in [
        format!("hook:        {}", path.display()),
        "ours:        yes".into(),
        "executable:  yes".into(),
        "current:     yes".into(),
        format!("runs:        {BIN}"),
        "used by git: yes".into(),
    ] {
        status.stdout_has(&line);
    }
    status.stderr_is("");
    insta::assert_snapshot!("hooks_status", repo.transcript(&status));
    repo.bad_commit();
    repo.push(&["security", "main"]).refused();
}

#[test]
fn installing_twice_changes_nothing() {
    let repo = TestRepo::new();
    repo.install_hook();
    let path = hook_path(&repo);
    let (content, modified) = (
        read(&path),
        std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = repo.run(&["hooks", "install"]).ok();
    run.stderr_has("already installed");
    assert_eq!(read(&path), content);
    assert_eq!(
        std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified
    );
    assert!(!repo.work.join(".git/hooks/pre-push.local").exists());
}

#[test]
fn installing_again_makes_a_hook_that_lost_its_execute_bit_run_again() {
    let repo = TestRepo::guarded();
    let path = hook_path(&repo);
    let content = read(&path);
    chmod(&path, 0o644);
    repo.run(&["check", "--offline"])
        .expect(1)
        .stdout_has("is not executable, so git skips it");
    let run = repo.run(&["hooks", "install"]).ok();
    run.stderr_lacks("already installed");
    assert!(is_executable(&path));
    assert_eq!(read(&path), content);
    repo.run(&["check", "--offline"]).ok();
    let before = repo.ls_remote(&repo.mirror());
    repo.bad_commit();
    repo.push(&["security", "main"]).refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_dry_run_installs_nothing() {
    let repo = TestRepo::new();
    let run = repo.run(&["hooks", "install", "--dry-run"]).ok();
    run.stderr_has("Dry run: nothing was changed.");
    assert!(!hook_path(&repo).exists());
}

#[test]
fn a_foreign_hook_is_chained_fed_identical_input_and_restored_on_uninstall() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let log = repo.root().join("chained.log");
    let original = format!(
        "#!/bin/sh\necho \"$@\" > '{0}.args'\ncat > '{0}'\n",
        log.display()
    );
    write_script(&hook_path(&repo), &original);
    let run = repo.run(&["hooks", "install"]).ok();
    run.stderr_has("keep the existing pre-push hook as");
    insta::assert_snapshot!("run_hooks_install_keeping_a_hook", repo.transcript(&run));
    let chained = repo.work.join(".git/hooks/pre-push.local");
    assert_eq!(read(&chained), original);

    // Two refs, one source with spaces: the chained hook gets git's lines byte for byte.
    repo.push(&[
        "-q",
        "security",
        "HEAD:refs/heads/a",
        "main@{1 minute ago}:refs/heads/b",
    ])
    .silent();
    let head = repo.rev("HEAD");
    let zero = "0".repeat(40);
    assert_eq!(
        read(&log),
        format!(
            "HEAD {head} refs/heads/a {zero}\nmain@{{1 minute ago}} {head} refs/heads/b {zero}\n"
        )
    );
    assert_eq!(
        read(&log.with_extension("log.args")),
        "security ../security.git\n"
    );
    // Our guard still decides after it.
    repo.bad_commit();
    repo.push(&["security", "main"]).refused();

    let run = repo.run(&["hooks", "uninstall"]).ok();
    run.stderr_has("put the previous hook");
    insta::assert_snapshot!(
        "run_hooks_uninstall_restoring_a_hook",
        repo.transcript(&run)
    );
    assert_eq!(read(&hook_path(&repo)), original);
    assert!(is_executable(&hook_path(&repo)));
    assert!(!chained.exists());
    let again = repo.run(&["hooks", "uninstall"]).ok();
    again.stderr_has("nothing changed");
    assert_eq!(read(&hook_path(&repo)), original);
}

#[test]
fn a_failing_foreign_hook_blocks_the_push() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    write_script(
        &hook_path(&repo),
        "#!/bin/sh\necho 'lint: refusing' >&2\nexit 3\n",
    );
    repo.install_hook();
    let before = repo.ls_remote(&repo.mirror());
    repo.push(&["security", "HEAD:refs/heads/fine"])
        .fails()
        .stderr_has("lint: refusing");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_foreign_hook_that_is_a_symlink_is_kept_even_when_its_target_is_missing() {
    let repo = TestRepo::guarded();
    repo.run(&["hooks", "uninstall"]).ok();
    let path = hook_path(&repo);
    let chained = repo.work.join(".git/hooks/pre-push.local");
    // The team's hook, committed in scripts/ on another branch: not there in this checkout.
    let target = Path::new("../../scripts/pre-push");
    std::os::unix::fs::symlink(target, &path).expect("symlink");
    repo.run(&["hooks", "install"])
        .ok()
        .stderr_has("keep the existing pre-push hook as");
    assert_eq!(std::fs::read_link(&chained).expect("a symlink"), target);
    read(&path).has("git-push-duty pre-push hook");
    let before = repo.ls_remote(&repo.mirror());
    repo.bad_commit();
    repo.push(&["security", "main"]).refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // Once the script is there, it runs first, through the link.
    write_script(
        &repo.work.join("scripts/pre-push"),
        "#!/bin/sh\necho team >&2\n",
    );
    repo.push(&["-q", "security", "HEAD~1:refs/heads/fine"])
        .ok()
        .stderr_has("team");
    repo.run(&["hooks", "uninstall"]).ok();
    assert_eq!(std::fs::read_link(&path).expect("a symlink again"), target);
    assert!(chained.symlink_metadata().is_err());
}

#[test]
fn a_second_foreign_hook_is_never_overwritten() {
    let repo = TestRepo::new();
    write_script(&hook_path(&repo), "#!/bin/sh\nexit 0\n");
    write_script(
        &repo.work.join(".git/hooks/pre-push.local"),
        "#!/bin/sh\nexit 0\n",
    );
    let run = repo.run(&["hooks", "install"]).expect(1);
    run.stderr_has("pre-push.local exists too: neither was changed");
    assert_eq!(read(&hook_path(&repo)), "#!/bin/sh\nexit 0\n");
}

#[test]
fn a_local_core_hooks_path_is_refused_without_force() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    repo.git(&["config", "core.hooksPath", ".husky/_"]);
    let husky = repo.work.join(".husky/_/pre-push");
    write_script(&husky, "#!/bin/sh\nexit 0\n");
    let run = repo.run(&["hooks", "install"]).expect(1);
    run.stderr_has(&format!(
        "core.hooksPath = .husky/_ (set in {}), so git runs hooks from {}",
        repo.work.join(".git/config").display(),
        repo.work.join(".husky/_").display()
    ));
    run.stderr_has("another tool (husky, a global hooks directory) may own");
    run.stderr_has("hint: install there anyway");
    insta::assert_snapshot!(
        "refusal_hooks_install_core_hooks_path",
        repo.transcript(&run)
    );
    assert!(!hook_path(&repo).exists());
    assert_eq!(read(&husky), "#!/bin/sh\nexit 0\n");

    repo.run(&["hooks", "install", "--force"]).ok();
    read(&husky).has("git-push-duty pre-push hook");
    assert_eq!(
        read(&repo.work.join(".husky/_/pre-push.local")),
        "#!/bin/sh\nexit 0\n"
    );
    repo.bad_commit();
    repo.push(&["security", "main"]).refused();
}

#[test]
fn a_global_core_hooks_path_is_refused_without_force() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let global = repo.root().join("gitconfig");
    let hooks = repo.root().join("global-hooks");
    std::fs::write(
        &global,
        format!("[core]\n\thooksPath = {}\n", hooks.display()),
    )
    .expect("write");
    let env = [("GIT_CONFIG_GLOBAL", global.to_str().expect("utf-8"))];
    let run = repo
        .run_env(BIN, &repo.work, &["hooks", "install"], &env)
        .expect(1);
    run.stderr_has(&format!("(set in {})", global.display()));
    assert!(!hooks.exists());
    repo.run_env(BIN, &repo.work, &["hooks", "install", "--force"], &env)
        .ok();
    read(&hooks.join("pre-push")).has("git-push-duty pre-push hook");
    repo.bad_commit();
    let push = repo.run_env("git", &repo.work, &["push", "security", "main"], &env);
    push.refused();
    // Without the global file, git uses .git/hooks, where nothing is installed.
    repo.push(&["-q", "--dry-run", "security", "main"]).silent();
}

#[test]
fn install_and_push_from_a_linked_worktree() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    repo.git(&["worktree", "add", "-q", "../linked", "-b", "linked"]);
    let linked = repo.root().join("linked");
    repo.run_in(&linked, common::TUESDAY, &["hooks", "install"])
        .ok();
    // In the common directory, which every worktree shares.
    read(&hook_path(&repo)).has("git-push-duty pre-push hook");
    let before = repo.ls_remote(&repo.mirror());
    repo.commit_in(&linked, "wt.txt", "wt\n", "From the worktree");
    let run = repo
        .try_git_in(&linked, &["push", "security", "linked:main"])
        .refused();
    run.stderr_has("From the worktree");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    repo.try_git_in(
        &linked,
        &["push", "-q", "security", "linked:refs/heads/fix"],
    )
    .silent();
    let status = repo
        .run_in(&linked, common::TUESDAY, &["hooks", "status"])
        .ok();
    status.stdout_has("used by git: yes");
}

#[test]
fn a_missing_binary_blocks_the_push_with_how_to_reinstall() {
    let repo = TestRepo::new();
    repo.add_mirror("security");
    let copy = repo.root().join("bin/git-push-duty");
    std::fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
    std::fs::copy(BIN, &copy).expect("copy the binary");
    let copy_str = copy.to_str().expect("utf-8");
    repo.run_env(copy_str, &repo.work, &["hooks", "install"], &[])
        .ok();
    read(&hook_path(&repo)).has(&format!("push_duty='{copy_str}'"));
    std::fs::remove_file(&copy).expect("remove the binary");
    let before = repo.ls_remote(&repo.mirror());
    // A PATH with git and the system tools but no git-push-duty.
    let git_only = repo.root().join("git-only");
    std::fs::create_dir_all(&git_only).expect("mkdir");
    std::os::unix::fs::symlink(which("git"), git_only.join("git")).expect("symlink git");
    let path = format!("{}:/usr/bin:/bin", git_only.display());
    let run = repo
        .run_env(
            "git",
            &repo.work,
            &["push", "security", "HEAD:refs/heads/fine"],
            &[("PATH", &path)],
        )
        .expect(1);
    for text in [
        "error: git-push-duty is not installed",
        "hint: install git-push-duty again, then run: git push-duty hooks install",
        "hint: in an emergency, git push --no-verify skips this check",
    ] {
        run.stderr_has(text);
    }
    insta::assert_snapshot!("hook_binary_missing", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // With the binary on PATH again, the shim falls back to it.
    repo.push(&["-q", "security", "HEAD:refs/heads/fine"])
        .silent();
}

#[test]
fn template_install_reaches_new_clones() {
    let repo = TestRepo::new();
    let global = repo.root().join("gitconfig");
    let template = repo.root().join("template");
    let env = [("GIT_CONFIG_GLOBAL", global.to_str().expect("utf-8"))];
    std::fs::write(&global, "").expect("write");
    let run = repo
        .run_env(BIN, &repo.root(), &["hooks", "install", "--template"], &env)
        .expect(1);
    run.stderr_has("init.templateDir is not set");
    std::fs::write(
        &global,
        format!("[init]\n\ttemplateDir = {}\n", template.display()),
    )
    .expect("write");
    // Outside any repository.
    repo.run_env(BIN, &repo.root(), &["hooks", "install", "--template"], &env)
        .ok();
    assert!(is_executable(&template.join("hooks/pre-push")));
    repo.run_env(
        "git",
        &repo.root(),
        &["clone", "-q", "upstream.git", "fresh"],
        &env,
    )
    .ok();
    let fresh = repo.root().join("fresh/.git/hooks/pre-push");
    read(&fresh).has("git-push-duty pre-push hook");
    assert!(is_executable(&fresh));
    repo.run_env(
        BIN,
        &repo.root(),
        &["hooks", "uninstall", "--template"],
        &env,
    )
    .ok();
    assert!(!template.join("hooks/pre-push").exists());
}

#[test]
fn uninstall_keeps_lines_someone_added_around_the_block() {
    let repo = TestRepo::new();
    repo.install_hook();
    let path = hook_path(&repo);
    let mut content = read(&path);
    content.push_str("echo extra\n");
    std::fs::write(&path, content).expect("write");
    repo.run(&["hooks", "uninstall"]).ok();
    assert_eq!(read(&path), "#!/bin/sh\necho extra\n");
}

#[test]
fn uninstall_never_leaves_the_chained_hook_unused() {
    let repo = TestRepo::new();
    let original = "#!/bin/sh\necho lint >&2\n";
    write_script(&hook_path(&repo), original);
    repo.install_hook();
    let path = hook_path(&repo);
    let chained = repo.work.join(".git/hooks/pre-push.local");
    let edited = read(&path).replacen("#!/bin/sh\n", "#!/bin/sh\necho extra >&2\n", 1);
    std::fs::write(&path, &edited).expect("write");
    // Keeping their lines as pre-push would leave pre-push.local run by nothing.
    let run = repo.run(&["hooks", "uninstall"]).expect(1);
    run.stderr_has(&format!(
        "error: {} has lines around the git-push-duty block and {} is the hook it replaced (nothing would run it without the block): neither was changed",
        path.display(),
        chained.display()
    ));
    run.stderr_has("hint: merge them by hand");
    insta::assert_snapshot!("refusal_hooks_uninstall", repo.transcript(&run));
    assert_eq!(read(&path), edited);
    assert_eq!(read(&chained), original);
}

#[test]
fn installing_again_keeps_lines_someone_added_around_the_block() {
    let repo = TestRepo::guarded();
    let path = hook_path(&repo);
    let shim = read(&path);
    let log = repo.root().join("mine.log");
    // Their own line runs before the block; an old binary path inside it is ours to update.
    let edited = shim
        .replacen(
            "#!/bin/sh\n",
            &format!("#!/bin/sh\necho mine >> '{}'\n", log.display()),
            1,
        )
        .replace(
            &format!("push_duty='{BIN}'"),
            "push_duty='/old/git-push-duty'",
        );
    std::fs::write(&path, &edited).expect("write");
    let status = repo.run(&["hooks", "status"]).ok();
    status.stdout_has("current:     no");
    repo.run(&["hooks", "install"]).ok();
    let expected = edited.replace(
        "push_duty='/old/git-push-duty'",
        &format!("push_duty='{BIN}'"),
    );
    assert_eq!(read(&path), expected);
    assert!(is_executable(&path));
    repo.run(&["hooks", "status"])
        .ok()
        .stdout_has("current:     yes");
    repo.run(&["hooks", "install"])
        .ok()
        .stderr_has("already installed");
    assert_eq!(read(&path), expected);
    repo.push(&["-q", "security", "HEAD:refs/heads/fine"])
        .silent();
    assert_eq!(read(&log), "mine\n");
}

#[test]
fn the_man_page_explains_what_is_blocked_and_how_to_bypass() {
    let page = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("man/git-push-duty.1"));
    for needed in [
        ".SH \"PRE-PUSH GUARD\"",
        "git push-duty hooks",
        "git push-duty check",
        "\\-\\-no\\-verify",
        "pre\\-push.local",
    ] {
        page.has(needed);
    }
    // The hidden hook command stays out.
    page.lacks("git push-duty hook\"");
    let repo = TestRepo::new();
    let help = repo.run(&["--help"]).ok();
    help.stdout_has("hooks");
    help.stdout_lacks("  hook ");
}
