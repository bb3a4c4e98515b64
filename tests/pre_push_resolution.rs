//! Which repository a push goes to, resolved the way git resolves it: every spelling below
//! reached the security mirror with a real `git push` and must be refused (a commit the
//! upstream's main lacks, pushed to the mirror's main), with the bare mirror unchanged; the same
//! spelling with a fix branch passes silently, and a look-alike that is another repository is
//! not guarded.

mod common;

use common::http::Server;
use common::{Run, TestRepo, Text};

/// Pushes the unreviewed `main` to `url` (refused, nothing changed), then a fix branch to the
/// same spelling (passes, the mirror has it).
#[track_caller]
fn guarded_both_ways(repo: &TestRepo, url: &str) {
    guarded_both_ways_with(repo, url, |args| repo.push(args));
}

#[track_caller]
fn guarded_both_ways_with(repo: &TestRepo, url: &str, push: impl Fn(&[&str]) -> Run) {
    let before = repo.ls_remote(&repo.mirror());
    push(&[url, "main"])
        .refused()
        .stderr_has("on the security mirror")
        .stderr_has("must never be ahead of upstream/main");
    assert_eq!(repo.ls_remote(&repo.mirror()), before, "{url}");
    let branch = format!("refs/heads/fix-{}", before.lines().count());
    push(&["-q", url, &format!("main:{branch}")]).silent();
    assert!(
        repo.ls_remote(&repo.mirror()).contains(&branch),
        "{url}: the fix branch went to the mirror"
    );
}

#[test]
fn a_percent_encoded_file_url() {
    let repo = TestRepo::guarded();
    repo.bad_commit();
    let url = format!("file://{}/secur%69ty.git", repo.root().display());
    guarded_both_ways(&repo, &url);
    let slash = format!("file://{}%2Fsecurity.git", repo.root().display());
    guarded_both_ways(&repo, &slash);
}

#[test]
fn a_symlink_before_dot_dot_is_resolved_by_the_file_system() {
    let repo = TestRepo::guarded();
    // other/lnk -> work, so other/lnk/.. is the root, where the mirror is; a lexical clean-up
    // would name other/security.git, a decoy.
    let other = repo.root().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    std::os::unix::fs::symlink(&repo.work, other.join("lnk")).expect("symlink");
    repo.git_in(&other, &["init", "-q", "--bare", "security.git"]);
    repo.bad_commit();
    let url = format!("{}/lnk/../security.git", other.display());
    guarded_both_ways(&repo, &url);
    assert_eq!(
        repo.ls_remote(&other.join("security.git")),
        "",
        "not the decoy"
    );
}

#[test]
fn a_remote_url_with_a_tilde() {
    let repo = TestRepo::guarded();
    // The harness's HOME is <root>/home: ~/.. is the root.
    repo.git(&["remote", "add", "sec2", "~/../security.git"]);
    repo.bad_commit();
    guarded_both_ways(&repo, "sec2");
    // And the other way round: the mirror's remote says ~, the push names the path.
    repo.git(&["remote", "set-url", "security", "~/../security"]);
    guarded_both_ways(&repo, &repo.mirror().display().to_string());
}

#[test]
fn a_relative_url_from_a_subdirectory_with_git_dir_set() {
    let repo = TestRepo::guarded();
    repo.bad_commit();
    let sub = repo.work.join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    let git_dir = repo.work.join(".git");
    let git_dir = git_dir.to_str().expect("utf-8");
    guarded_both_ways_with(&repo, "../../security.git", |args| {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        repo.run_env("git", &sub, &all, &[("GIT_DIR", git_dir)])
    });
}

#[test]
fn a_gitfile_pointing_at_the_mirror() {
    let repo = TestRepo::guarded();
    let alias = repo.root().join("alias");
    std::fs::create_dir(&alias).expect("mkdir");
    std::fs::write(
        alias.join(".git"),
        format!("gitdir: {}\n", repo.mirror().display()),
    )
    .expect("write gitfile");
    repo.bad_commit();
    guarded_both_ways(&repo, alias.to_str().expect("utf-8"));
    guarded_both_ways(&repo, "../alias/.git");
}

#[test]
fn a_look_alike_on_disk_is_another_repository() {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("fork");
    // fork.git is not security.git, however it is spelled.
    let bad = repo.bad_commit();
    let url = format!("file://{}/f%6Frk.git", repo.root().display());
    repo.push(&["-q", &url, "main"]).silent();
    repo.ls_remote(&fork).has(&bad);
}

/// The mirror and the upstream served over HTTP; the mirror's remote is its plain URL.
fn over_http() -> (TestRepo, Server) {
    let repo = TestRepo::guarded();
    let server = Server::start(&repo.root());
    repo.git(&["remote", "set-url", "security", &server.url("security.git")]);
    // The mirror moved to its HTTP URL: pinned anew.
    repo.install_hook();
    (repo, server)
}

#[test]
fn an_http_url_with_dot_segments() {
    let (repo, server) = over_http();
    repo.bad_commit();
    guarded_both_ways(&repo, &server.url("x/../security.git"));
    guarded_both_ways(&repo, &server.url("./security.git/"));
}

#[test]
fn a_percent_encoded_http_url() {
    let (repo, server) = over_http();
    repo.bad_commit();
    guarded_both_ways(&repo, &server.url("secur%69ty.git"));
    guarded_both_ways(&repo, &server.url("%73ecurity"));
}

#[test]
fn an_http_look_alike_is_not_guarded() {
    let (repo, server) = over_http();
    let fork = repo.add_bare_remote("fork");
    let bad = repo.bad_commit();
    repo.push(&["-q", &server.url("x/../fork.git"), "main"])
        .silent();
    repo.ls_remote(&fork).has(&bad);
}

#[test]
fn a_push_url_git_cannot_have_resolved_is_refused_not_guessed() {
    let repo = TestRepo::guarded();
    let args = ["hook", "pre-push", "x", "~nosuchuser/security.git"];
    let id = repo.rev("HEAD");
    let zero = "0".repeat(40);
    let run = repo
        .run_input(&args, &format!("main {id} refs/heads/main {zero}\n"))
        .expect(1);
    run.stderr_has("cannot tell which repository \"~nosuchuser/security.git\" is: it starts with ~nosuchuser and there is no such user");
    run.stderr_has("hint: in an emergency, git push --no-verify skips this check");
    let nowhere = ["hook", "pre-push", "x", "/nowhere/at/all"];
    let run = repo
        .run_input(&nowhere, &format!("main {id} refs/heads/x {zero}\n"))
        .expect(1);
    run.stderr_has("git finds no repository at /nowhere/at/all");
}

#[test]
fn a_second_push_url_of_the_mirror_remote_that_is_a_fork_gets_no_fix() {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("fork");
    repo.git(&[
        "remote",
        "set-url",
        "--add",
        "--push",
        "security",
        "../security.git",
    ]);
    repo.git(&[
        "remote",
        "set-url",
        "--add",
        "--push",
        "security",
        "../fork.git",
    ]);
    repo.git(&["checkout", "-q", "-b", "fix-xss"]);
    let fix = repo.commit("xss.txt", "escaped\n", "Escape user names (embargoed)");
    // git runs the hook once per push URL: the mirror takes the fix, the fork is refused.
    let run = repo.push(&["security", "fix-xss"]).fails();
    run.stderr_has("git push security goes to ../fork.git, which is not the repository security is fetched from (../security.git)");
    run.stderr_has("hint: if it is the mirror spelled another way: git config --add pushduty.securityUrl ../fork.git");
    assert_eq!(repo.ls_remote(&fork), "");
    assert_eq!(repo.branch_of(&repo.mirror(), "fix-xss"), Some(fix));
}
