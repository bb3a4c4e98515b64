//! Errors while deciding are refusals, never passes: an unreadable security ref, a corrupt
//! packed-refs line, a broken remote configuration, a ref to an object that is gone. Each is
//! a real push, refused with what could not be read and the way out, with nothing pushed.

mod common;

use common::TestRepo;

#[test]
fn a_security_ref_to_a_missing_object_refuses_instead_of_dropping_out() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    // The fix's own ref now names an object this clone does not have: what it holds is unknown.
    let gone = "1".repeat(40);
    let path = repo.work.join(".git/refs/remotes/security/fix-xss");
    std::fs::write(&path, format!("{gone}\n")).expect("write ref");
    repo.git(&["checkout", "-q", "-b", "feature", "fix-xss"]);
    let run = repo.push(&["fork", "feature"]).refused_unchecked();
    run.stderr_has("cannot read what refs/remotes/security/fix-xss points to");
    insta::assert_snapshot!("hook_could_not_check", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn a_security_ref_with_garbage_in_it_refuses() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    let path = repo.work.join(".git/refs/remotes/security/broken");
    std::fs::write(&path, "garbage\n").expect("write ref");
    repo.git(&["checkout", "-q", "-b", "feature", "fix-xss"]);
    repo.push(&["fork", "feature"])
        .refused_unchecked()
        .stderr_has("refs/remotes/security/");
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn a_pushed_object_the_hook_cannot_find_is_refused() {
    // git finds the commit through GIT_ALTERNATE_OBJECT_DIRECTORIES, which gix does not read:
    // the hook cannot see what it would judge, so it refuses, on the mirror and elsewhere.
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    let elsewhere = repo.root().join("elsewhere");
    let format = format!(
        "--object-format={}",
        repo.git(&["rev-parse", "--show-object-format"])
    );
    repo.git_in(&repo.root(), &["init", "-q", &format, "elsewhere"]);
    let id = repo.commit_in(&elsewhere, "other.txt", "other\n", "Only in elsewhere");
    let objects = elsewhere.join(".git/objects");
    let env = [(
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        objects.to_str().expect("utf-8"),
    )];
    let before = (repo.ls_remote(&repo.mirror()), repo.ls_remote(&fork));
    let spec = format!("+{id}:refs/heads/main");
    let run = repo
        .run_env("git", &repo.work, &["push", "security", &spec], &env)
        .refused();
    run.stderr_has(&format!(
        "refusing {id} -> refs/heads/main on the security mirror"
    ))
    .stderr_has("the pushed object is not in this repository");
    insta::assert_snapshot!("reason_missing_object", repo.hook_said(&run));
    let spec = format!("{id}:refs/heads/other");
    repo.run_env("git", &repo.work, &["push", "fork", &spec], &env)
        .refused()
        .stderr_has("the pushed object is not in this repository");
    assert_eq!(
        (repo.ls_remote(&repo.mirror()), repo.ls_remote(&fork)),
        before
    );
}

/// The hook as git runs it, with one line for `local` going to `remote_ref`.
fn hook(repo: &TestRepo, name: &str, url: &str, local: &str, remote_ref: &str) -> common::Run {
    let id = repo.rev(local);
    let zero = "0".repeat(40);
    repo.run_input(
        &["hook", "pre-push", name, url],
        &format!("{local} {id} {remote_ref} {zero}\n"),
    )
}

#[test]
fn a_corrupt_packed_refs_line_refuses() {
    // git itself dies on it before any hook; the hook, asked directly, refuses too.
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["checkout", "-q", "-b", "feature", "fix-xss"]);
    repo.git(&["pack-refs", "--all"]);
    let packed = repo.work.join(".git/packed-refs");
    let mut text = std::fs::read_to_string(&packed).expect("packed-refs");
    text.push_str("zzzz refs/remotes/security/corrupt\n");
    let id = repo.rev("feature");
    std::fs::write(&packed, text).expect("write packed-refs");
    let zero = "0".repeat(40);
    let run = repo
        .run_input(
            &["hook", "pre-push", "fork", "../fork.git"],
            &format!("refs/heads/feature {id} refs/heads/feature {zero}\n"),
        )
        .expect(1);
    // Reading the pinned release branch's tracking ref is the first read to trip on it.
    run.stderr_has("nothing was pushed to ../fork.git");
    run.stderr_has("Malformed packed reference record");
    run.stderr_has("hint: in an emergency, git push --no-verify skips this check");
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn a_broken_mirror_remote_configuration_refuses_instead_of_unguarding_the_mirror() {
    let repo = TestRepo::guarded();
    // A fetch refspec neither git nor gix can read (git refuses every push with it; the hook,
    // asked directly, must not take it as "no mirror").
    repo.git(&[
        "config",
        "--add",
        "remote.security.fetch",
        "refs/heads/*/*:x",
    ]);
    repo.commit("secret.txt", "secret\n", "Not on the upstream");
    let url = repo.mirror().display().to_string();
    let run = hook(&repo, &url, &url, "main", "refs/heads/main").expect(1);
    run.stderr_has("cannot read the configuration of remote \"security\"");
    run.stderr_has("hint: in an emergency, git push --no-verify skips this check");
}

#[test]
fn a_pushed_tag_whose_target_is_gone_refuses() {
    let (repo, fork, _) = TestRepo::guarded_with_fix();
    repo.git(&["tag", "-a", "-m", "t", "v1", "fix-xss"]);
    // Make a tag object whose target does not exist in this repository.
    let gone = "2".repeat(40);
    let tag = format!(
        "object {gone}\ntype commit\ntag broken\ntagger Hero <h@example.com> 0 +0000\n\nbroken\n"
    );
    let mut child = repo
        .command("git", &repo.work)
        .args(["hash-object", "-t", "tag", "-w", "--stdin", "--literally"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("hash-object");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(tag.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("hash-object");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let zero = "0".repeat(40);
    let run = repo
        .run_input(
            &["hook", "pre-push", "fork", "../fork.git"],
            &format!("broken {id} refs/tags/broken {zero}\n"),
        )
        .expect(1);
    run.stderr_has(&format!("cannot peel tag {id}"));
    assert_eq!(repo.ls_remote(&fork), "");
}
