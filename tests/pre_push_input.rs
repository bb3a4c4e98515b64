//! `git push-duty hook pre-push` on untrusted standard input: garbage is refused with a
//! message, never a panic; nothing at all is an up-to-date push.

mod common;

use common::TestRepo;

#[test]
fn garbage_on_standard_input_is_refused_not_a_panic() {
    let repo = TestRepo::guarded();
    let args = ["hook", "pre-push", "security", "../security.git"];
    let id = repo.rev("HEAD");
    for input in [
        "garbage\n".to_owned(),
        format!("HEAD {id} refs/heads/main\n"),
        format!("HEAD {} refs/heads/main {id}\n", &id[..20]),
        format!("HEAD {id} refs/heads/main {}\n", "z".repeat(40)),
        "\u{0}\u{1}\u{2} \u{3} \u{4} \u{5}\n".to_owned(),
        format!("HEAD {id} refs/heads/main {}\n", "0".repeat(64)),
    ] {
        let run = repo.run_input(&args, &input).expect(1);
        run.stderr_has("cannot read line 1 from git");
        run.stderr_lacks("panicked");
    }
    repo.run_input(&args, "\n\n").ok().stderr_is("");
}

#[test]
fn a_well_formed_line_for_an_object_this_clone_lacks_is_refused_on_the_mirror_main() {
    let repo = TestRepo::guarded();
    let args = ["hook", "pre-push", "security", "../security.git"];
    let unknown = "1".repeat(40);
    let zero = "0".repeat(40);
    let run = repo
        .run_input(&args, &format!("x {unknown} refs/heads/main {zero}\n"))
        .expect(1);
    run.stderr_has("the pushed object is not in this repository");
    // Elsewhere, too: nothing can be said about it.
    repo.run_input(
        &["hook", "pre-push", "fork", "/nowhere"],
        &format!("x {unknown} refs/heads/x {zero}\n"),
    )
    .expect(1);
}

#[test]
fn a_hook_that_cannot_check_a_push_refuses_it_and_offers_the_bypass() {
    let repo = TestRepo::guarded();
    repo.git(&["config", "pushduty.cadence", "0"]);
    let before = repo.ls_remote(&repo.mirror());
    let run = repo.push(&["security", "HEAD:refs/heads/fine"]).expect(1);
    for text in [
        "error: the git-push-duty pre-push hook cannot read its settings; nothing was pushed to ../security.git\n",
        "  because: pushduty.cadence = \"0\"",
        "hint: correct it in ",
        "hint: in an emergency, git push --no-verify skips this check\n",
    ] {
        run.stderr_has(text);
    }
    insta::assert_snapshot!("hook_settings_unreadable", repo.hook_said(&run));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn input_that_is_not_utf8_is_refused_not_a_panic() {
    let repo = TestRepo::guarded();
    let id = repo.rev("HEAD");
    let mut input = format!("HEAD {id} refs/heads/x {}\n", "0".repeat(40)).into_bytes();
    input.extend_from_slice(b"\xff\xfe refs/heads/y\n");
    repo.run_input_bytes(&["hook", "pre-push", "fork", "/nowhere"], &input)
        .expect(1)
        .stderr_has("cannot read line 2 from git (it is not UTF-8)")
        .stderr_lacks("panicked");
}

#[test]
fn a_refusal_offers_the_bypass_once() {
    let repo = TestRepo::guarded();
    let id = repo.rev("HEAD");
    let run = repo
        .run_input(
            &["hook", "pre-push", "x", "/nowhere/at/all"],
            &format!("HEAD {id} refs/heads/x {}\n", "0".repeat(40)),
        )
        .expect(1);
    assert_eq!(
        run.stderr.matches("--no-verify").count(),
        1,
        "{}",
        run.stderr
    );
}
