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
        .says("must never be ahead of upstream/main");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn the_curl_helpers_own_spelling_of_the_mirror_is_the_mirror() {
    let repo = TestRepo::guarded();
    let server = Server::start(&repo.root());
    repo.git_in(&repo.mirror(), &["config", "http.receivepack", "true"]);
    repo.git(&["remote", "set-url", "security", &server.url("security.git")]);
    bad_commit(&repo);
    let before = repo.ls_remote(&repo.mirror());
    let url = format!("http::{}", server.url("security.git"));
    repo.push(&[&url, "main"])
        .refused()
        .says("on the security mirror")
        .says("must never be ahead of upstream/main");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    // A fix branch by the same spelling passes, silently.
    repo.push(&["-q", &url, "main:refs/heads/fix-1"]).silent();
    assert!(repo.ls_remote(&repo.mirror()).contains("refs/heads/fix-1"));
}
