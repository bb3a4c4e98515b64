//! Ways around the pre-push guard found by attacking it after the issue 7 merges, each with a
//! real push through the installed hook: what must be refused is refused with the mirror (or the
//! fork) unchanged, and the safe push next to it still passes silently.

mod common;

use common::http::Server;
use common::{Run, TestRepo};

fn bad_commit(repo: &TestRepo) -> String {
    repo.commit("secret.txt", "secret\n", "Not on the upstream")
}

/// `git ARGS` in the working clone, firing the hook.
fn git(repo: &TestRepo, args: &[&str]) -> Run {
    repo.try_git_in(&repo.work, args)
}

/// Refused by the hook for any reason (a refusal of a ref, or a push it could not check), with
/// the emergency way out.
#[track_caller]
fn blocked(run: Run) -> Run {
    assert_ne!(run.status, 0, "expected a refusal\n{}", run.stderr);
    run.stderr_has("hint: in an emergency, git push --no-verify skips this check");
    run
}

#[test]
fn an_ext_transport_to_the_mirror_is_refused() {
    let repo = TestRepo::guarded();
    bad_commit(&repo);
    let before = repo.ls_remote(&repo.mirror());
    let ext = format!("ext::git %s {}", repo.mirror().display());
    let run = blocked(git(
        &repo,
        &["-c", "protocol.ext.allow=always", "push", &ext, "main"],
    ));
    run.stderr_has("an ext:: or fd:: address reaches whatever its command or descriptors lead to");
    run.stderr_has("hint: push to the repository's URL or remote instead");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // The same commit by the mirror's own name is judged as what it is.
    repo.push(&["security", "main"])
        .refused()
        .stderr_has("must never be ahead of upstream/main");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn the_curl_helpers_own_spelling_of_the_mirror_is_the_mirror() {
    let repo = TestRepo::guarded();
    let server = Server::start(&repo.root());
    repo.git_in(&repo.mirror(), &["config", "http.receivepack", "true"]);
    repo.git(&["remote", "set-url", "security", &server.url("security.git")]);
    repo.install_hook();
    bad_commit(&repo);
    let before = repo.ls_remote(&repo.mirror());
    let url = format!("http::{}", server.url("security.git"));
    repo.push(&[&url, "main"])
        .refused()
        .stderr_has("on the security mirror")
        .stderr_has("must never be ahead of upstream/main");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // A fix branch by the same spelling passes, silently.
    repo.push(&["-q", &url, "main:refs/heads/fix-1"]).silent();
    assert!(repo.ls_remote(&repo.mirror()).contains("refs/heads/fix-1"));
}

/// A fork beside the clone whose main has the clone's `main` (an unreviewed commit): the
/// repository an upstream URL can be pointed at.
fn fork_with_main(repo: &TestRepo) -> std::path::PathBuf {
    let fork = repo.add_bare_remote("fork");
    repo.push(&["-q", "fork", "main"]).silent();
    fork
}

#[test]
fn the_upstream_repointed_at_a_fork_is_refused_until_pinned() {
    let repo = TestRepo::guarded();
    let bad = bad_commit(&repo);
    fork_with_main(&repo);
    let before = repo.ls_remote(&repo.mirror());
    // The fork's main has the commit: judged against it, the mirror push would look fine.
    repo.git(&["remote", "set-url", "upstream", "../fork.git"]);
    let run = blocked(repo.push(&["security", "main"]));
    run.stderr_has("the upstream remote \"upstream\" is fetched from ../fork.git now, not from ../upstream.git as pinned by git push-duty hooks install");
    run.stderr_has("hint: if the upstream moved there, pin it: git push-duty hooks install");
    run.stderr_has("hint: if not, put it back: git remote set-url upstream ../upstream.git");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    assert!(!repo.ls_remote(&repo.mirror()).contains(&bad));
    repo.run(&["check", "--offline"]).expect(1).stdout_has(
        "WRONG guard pins: the upstream remote \"upstream\" is fetched from ../fork.git now",
    );
    // The same repository spelled another way is no change.
    let absolute = repo.upstream.display().to_string();
    repo.git(&["remote", "set-url", "upstream", &absolute]);
    repo.push(&["-q", "fork", "main:refs/heads/feature"])
        .silent();
}

#[test]
fn an_upstream_rewritten_by_git_c_insteadof_is_refused() {
    let repo = TestRepo::guarded();
    bad_commit(&repo);
    let fork = fork_with_main(&repo);
    let before = repo.ls_remote(&repo.mirror());
    let rewrite = format!("url.{}.insteadOf=../upstream.git", fork.display());
    let run = blocked(git(&repo, &["-c", &rewrite, "push", "security", "main"]));
    run.stderr_has("the upstream remote \"upstream\" is fetched from");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_fix_pushed_to_main_of_an_upstream_that_is_a_fork_is_refused() {
    let (repo, fork, fix) = with_fix_and_fork();
    let before = repo.ls_remote(&fork);
    repo.git(&["remote", "set-url", "upstream", "../fork.git"]);
    blocked(repo.push(&["upstream", "security/fix-xss:refs/heads/main"]));
    assert_eq!(repo.ls_remote(&fork), before);
    // Pinned anew, the fork is the upstream the user means; the upstream's main is the sanctioned
    // way to publish, so that is the user's call.
    repo.install_hook();
    repo.push(&["-q", "upstream", "security/fix-xss:refs/heads/main"])
        .silent();
    assert_eq!(repo.branch_of(&fork, "main"), Some(fix));
}

#[test]
fn the_pinned_upstream_remote_removed_is_refused() {
    let repo = TestRepo::guarded();
    repo.git(&["remote", "remove", "upstream"]);
    let fork = repo.add_bare_remote("fork");
    let run = blocked(repo.push(&["fork", "main"]));
    run.stderr_has("the upstream remote \"upstream\" pinned with ../upstream.git by git push-duty hooks install does not exist");
    run.stderr_has("hint: add it back: git remote add upstream ../upstream.git");
    assert_eq!(repo.ls_remote(&fork), "");
}

/// A guarded clone with last week's tag on the upstream, and on the mirror an embargoed commit
/// that no branch holds, only the annotated tag `name`, fetched here with `git fetch --tags`.
/// Returns the embargoed commit.
fn tagged_on_the_mirror_only(repo: &TestRepo, name: &str) -> String {
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    let dev = repo.root().join("security-dev");
    repo.git_in(
        &repo.root(),
        &["clone", "-q", "security.git", "security-dev"],
    );
    repo.git_in(&dev, &["switch", "-q", "--detach", "origin/main"]);
    let embargoed = repo.commit_in(
        &dev,
        "xss.txt",
        "escaped\n",
        "Escape (embargoed, tagged only)",
    );
    repo.git_in(&dev, &["tag", "-a", "-m", "embargoed", name]);
    repo.git_in(
        &dev,
        &["push", "-q", "origin", &format!("refs/tags/{name}")],
    );
    repo.git(&["fetch", "-q", "--tags", "security"]);
    embargoed
}

#[test]
fn tag_from_a_tag_only_the_mirror_has_is_refused() {
    let repo = TestRepo::guarded();
    let embargoed = tagged_on_the_mirror_only(&repo, "2026.11.27");
    let public = repo.upstream_commit("ok.txt", "ok\n", "A public fix");
    repo.git(&["fetch", "-q", "upstream"]);
    let before = repo.snapshot();
    let run = repo
        .run(&[
            "tag",
            "--cherry-pick",
            &public,
            "--from",
            "2026.11.27",
            "--yes",
        ])
        .expect(1);
    run.stderr_has(&format!(
        "the base tag 2026.11.27 carries {} (Escape (embargoed, tagged only)), which upstream does not have and which is not a cherry-pick of a commit it has",
        &embargoed[..7]
    ));
    run.stderr_has("hint: build on a tag upstream has: --from <tag>");
    assert_eq!(repo.snapshot(), before);
    let upstream = repo.try_git_in(&repo.upstream, &["cat-file", "-e", &embargoed]);
    assert_ne!(upstream.status, 0, "the upstream never got it");
}

#[test]
fn tag_on_a_revision_only_here_made_of_public_picks_passes() {
    // The safe side: a revision made with --no-push is only here, and everything it has that
    // the upstream lacks is a cherry-pick of a commit the upstream has.
    let repo = TestRepo::guarded();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    let first = repo.upstream_commit("a.txt", "a\n", "A public fix");
    let second = repo.upstream_commit("b.txt", "b\n", "Another public fix");
    repo.git(&["fetch", "-q", "upstream"]);
    repo.run(&["tag", "--cherry-pick", &first, "--no-push", "--yes"])
        .ok();
    repo.run(&[
        "tag",
        "--cherry-pick",
        &second,
        "--from",
        "2026.12.03",
        "--yes",
    ])
    .ok();
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.03-1"));
}

/// A guarded clone with a fork holding the upstream's main, and a fix branch `fix-xss` on the
/// mirror, fetched here.
fn with_fix_and_fork() -> (TestRepo, std::path::PathBuf, String) {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("fork");
    repo.push(&["-q", "fork", "upstream/main:refs/heads/main"])
        .silent();
    let fix = repo.security_branch(
        "fix-xss",
        "main",
        "xss.txt",
        "escaped\n",
        "Escape (embargoed)",
    );
    repo.git(&["fetch", "-q", "security"]);
    (repo, fork, fix)
}

#[test]
fn the_mirror_remote_repointed_at_a_fork_does_not_make_the_fork_the_mirror() {
    let (repo, fork, _) = with_fix_and_fork();
    // Were the fork "the mirror", fix branches would be welcome there.
    repo.git(&["remote", "set-url", "security", "../fork.git"]);
    let before = repo.ls_remote(&fork);
    let run = blocked(repo.push(&["../fork.git", "security/fix-xss:refs/heads/x"]));
    run.stderr_has("the security mirror remote \"security\" is fetched from ../fork.git now, not from ../security.git as pinned by git push-duty hooks install");
    assert_eq!(repo.ls_remote(&fork), before);
    repo.run(&["check", "--offline"]).expect(1).stdout_has(
        "WRONG guard pins: the security mirror remote \"security\" is fetched from ../fork.git now",
    );
    // The mirror spelled another way is the same mirror: a fix branch to it passes.
    let absolute = repo.mirror().display().to_string();
    repo.git(&["remote", "set-url", "security", &absolute]);
    repo.push(&["-q", "security", "security/fix-xss:refs/heads/fix-2"])
        .silent();
}

#[test]
fn the_mirror_rewritten_by_git_c_insteadof_does_not_make_the_fork_the_mirror() {
    let (repo, fork, _) = with_fix_and_fork();
    let rewrite = format!("url.{}.insteadOf=../security.git", fork.display());
    let run = blocked(git(
        &repo,
        &[
            "-c",
            &rewrite,
            "push",
            "../fork.git",
            "security/fix-xss:refs/heads/x",
        ],
    ));
    run.stderr_has("the security mirror remote \"security\" is fetched from");
    assert!(!repo.ls_remote(&fork).contains("refs/heads/x"));
}

#[test]
fn a_push_by_the_upstreams_name_to_the_mirror_cannot_make_a_fix_public() {
    // git records `git push upstream fx` in refs/remotes/upstream/fx wherever the push URL led;
    // with the mirror as upstream's push URL, the fix would then count as public for good.
    let (repo, fork, fix) = with_fix_and_fork();
    repo.git(&["remote", "set-url", "--push", "upstream", "../security.git"]);
    repo.git(&["branch", "fx", "security/fix-xss"]);
    let run = blocked(repo.push(&["upstream", "fx"]));
    run.stderr_has("git push upstream goes to ../security.git, which is not the repository upstream is fetched from (../upstream.git)");
    run.stderr_has("hint: push to the security mirror by its own name: git push security <branch>");
    let tracking = repo.try_git_in(
        &repo.work,
        &["rev-parse", "--verify", "-q", "refs/remotes/upstream/fx"],
    );
    assert_ne!(tracking.status, 0, "no tracking ref says the fix is public");
    repo.git(&[
        "remote",
        "set-url",
        "--delete",
        "--push",
        "upstream",
        "../security.git",
    ]);
    repo.push(&["fork", "fx"]).refused().stderr_has(&fix[..7]);
    assert!(!repo.ls_remote(&fork).contains(&fix));
    // By the mirror's own name the fix branch goes where it belongs, silently.
    repo.push(&["-q", "security", "fx"]).silent();
}

#[test]
fn a_push_by_the_upstreams_name_to_a_staging_copy_is_refused() {
    let repo = TestRepo::guarded();
    let staging = repo.add_bare_remote("staging");
    repo.git(&["remote", "set-url", "--push", "upstream", "../staging.git"]);
    repo.commit("ok.txt", "ok\n", "Reviewed");
    blocked(repo.push(&["upstream", "main"]))
        .stderr_has("git push upstream goes to ../staging.git, which is not the repository upstream is fetched from");
    assert_eq!(repo.ls_remote(&staging), "");
    // The same repository spelled another way is the upstream.
    let absolute = repo.upstream.display().to_string();
    repo.git(&["remote", "set-url", "--push", "upstream", &absolute]);
    repo.push(&["-q", "upstream", "main"]).silent();
}

/// A fake `ssh` that serves `<root>/hosts/<path>` whatever the host, as an ssh alias
/// (`Host sec` in `~/.ssh/config`) would reach the one real host; `ssh -G` succeeds, as
/// OpenSSH's does, so gix talks to it as to OpenSSH.
fn fake_ssh(repo: &TestRepo) -> String {
    use std::os::unix::fs::PermissionsExt;
    let hosts = repo.root().join("hosts");
    let script = repo.root().join("fake-ssh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n[ \"$1\" = -G ] && exit 0\n\
             while [ $# -gt 1 ]; do case $1 in -o|-p) shift 2;; -*) shift;; *) break;; esac; done\n\
             shift\n\
             if [ $# -eq 2 ]; then path=${{2#\\'}}; path=${{path%\\'}}; exec $1 \"{hosts}/${{path#/}}\"; fi\n\
             cmd=$(printf '%s' \"$1\" | sed \"s#'/*#'{hosts}/#\")\nexec sh -c \"$cmd\"\n",
            hosts = hosts.display()
        ),
    )
    .expect("write fake ssh");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script.display().to_string()
}

#[test]
fn an_ssh_alias_of_the_mirror_is_guarded_once_its_spelling_is_a_security_url() {
    // The guard does not read ~/.ssh/config (a documented limit): the alias's spelling is given
    // as pushduty.securityUrl, and pinned.
    let repo = TestRepo::new();
    let ssh = fake_ssh(&repo);
    let mirror = repo.root().join("hosts/mozilla/sec.git");
    std::fs::create_dir_all(mirror.parent().expect("parent")).expect("mkdir");
    repo.git_in(
        &repo.root(),
        &["init", "-q", "--bare", mirror.to_str().expect("utf-8")],
    );
    let push = |args: &[&str]| {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        repo.run_env(
            "git",
            &repo.work,
            &all,
            &[("GIT_SSH_COMMAND", ssh.as_str())],
        )
    };
    push(&["-q", "git@github.com:mozilla/sec.git", "main"]).ok();
    repo.git(&[
        "remote",
        "add",
        "security",
        "git@github.com:mozilla/sec.git",
    ]);
    repo.git(&[
        "config",
        "--add",
        "pushduty.securityUrl",
        "git@sec:mozilla/sec.git",
    ]);
    repo.install_hook();
    bad_commit(&repo);
    let before = repo.ls_remote(&mirror);
    push(&["git@sec:mozilla/sec.git", "main"])
        .refused()
        .stderr_has("on the security mirror (git@sec:mozilla/sec.git)");
    assert_eq!(repo.ls_remote(&mirror), before);
    push(&["-q", "git@sec:mozilla/sec.git", "main:refs/heads/fix-1"]).silent();
    assert!(repo.ls_remote(&mirror).contains("refs/heads/fix-1"));
}

#[test]
fn the_mirrors_refs_kept_elsewhere_by_its_fetch_refspec_are_still_the_mirrors() {
    let (repo, fork, fix) = with_fix_and_fork();
    repo.git(&[
        "config",
        "remote.security.fetch",
        "+refs/heads/*:refs/sec/*",
    ]);
    repo.git(&["fetch", "-q", "security"]);
    for gone in [
        "refs/remotes/security/fix-xss",
        "refs/remotes/security/main",
    ] {
        repo.git(&["update-ref", "-d", gone]);
    }
    let before = repo.ls_remote(&fork);
    repo.push(&["fork", "refs/sec/fix-xss:refs/heads/x"])
        .refused()
        .stderr_has(&fix[..7])
        .stderr_has("from refs/sec/fix-xss");
    assert_eq!(repo.ls_remote(&fork), before);
    // Work that carries nothing from the mirror still goes, silently.
    repo.commit("mine.txt", "mine\n", "My work");
    repo.push(&["-q", "fork", "main:refs/heads/feature"])
        .silent();
}

#[test]
fn a_mirror_remote_that_keeps_no_refs_here_cannot_tell_fixes_apart() {
    let (repo, fork, _) = with_fix_and_fork();
    repo.git(&["config", "--unset-all", "remote.security.fetch"]);
    repo.git(&["fetch", "-q", "security", "fix-xss:refs/heads/fx"]);
    for gone in [
        "refs/remotes/security/fix-xss",
        "refs/remotes/security/main",
    ] {
        repo.git(&["update-ref", "-d", gone]);
    }
    let before = repo.ls_remote(&fork);
    let run = blocked(repo.push(&["fork", "fx"]));
    run.stderr_has("the security mirror remote \"security\" has no fetch refspec that keeps its refs here (remote.security.fetch)");
    run.stderr_has("hint: git config --add remote.security.fetch '+refs/heads/*:refs/remotes/security/*' && git fetch security");
    assert_eq!(repo.ls_remote(&fork), before);
    // A fix branch to the mirror itself needs no such knowledge.
    repo.push(&["-q", "security", "fx:refs/heads/fix-2"])
        .silent();
}

#[test]
fn a_mirror_fetched_among_the_upstreams_tracking_refs_is_refused() {
    // A refspec copied from the upstream's remote puts the fixes where public commits are.
    let (repo, fork, _) = with_fix_and_fork();
    repo.git(&[
        "config",
        "remote.security.fetch",
        "+refs/heads/*:refs/remotes/upstream/*",
    ]);
    repo.git(&[
        "fetch",
        "-q",
        "security",
        "+refs/heads/fix-xss:refs/remotes/upstream/fix-xss",
    ]);
    let before = repo.ls_remote(&fork);
    let run = blocked(repo.push(&["fork", "upstream/fix-xss:refs/heads/x"]));
    run.stderr_has("the security mirror remote \"security\" keeps its refs in refs/remotes/upstream/, among the upstream's tracking refs (remote.security.fetch)");
    assert_eq!(repo.ls_remote(&fork), before);
}
