//! `git push-duty step NAME`: the team's own steps run in their repository, recorded per push,
//! failures and kills recorded as such, a second run at the same time refused.

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{BIN, TUESDAY, TestRepo};

fn record(repo: &TestRepo, name: &str) -> PathBuf {
    repo.work.join(format!(".git/push-duty/steps/{name}.json"))
}

fn read_record(repo: &TestRepo, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(record(repo, name)).expect("a record");
    serde_json::from_str(&text).expect("json")
}

/// A clone whose committed team file has the step `name = command`, written by git config (which
/// quotes a `;` or `#` that would otherwise start a comment).
fn with_step(name: &str, command: &str) -> TestRepo {
    let repo = TestRepo::new();
    let value = format!("{name} {command}");
    repo.git(&[
        "config",
        "--file",
        ".pushduty",
        "--add",
        "pushduty.step",
        &value,
    ]);
    repo.git(&["add", ".pushduty"]);
    repo.git(&["commit", "-q", "-m", "Team steps"]);
    repo
}

#[test]
fn a_step_runs_at_the_top_shows_its_output_and_is_recorded_for_this_push() {
    let repo = with_step(
        "extract-l10n",
        "pwd; echo \"$PUSH_DUTY_STEP for $PUSH_DUTY_PUSH_DATE\"; echo warn >&2",
    );
    std::fs::create_dir_all(repo.work.join("src")).expect("mkdir");
    repo.run(&["step"])
        .ok()
        .stdout_is("extract-l10n\tnot run for this push\tpwd; echo \"$PUSH_DUTY_STEP for $PUSH_DUTY_PUSH_DATE\"; echo warn >&2\n");
    let run = repo
        .run_in(&repo.work.join("src"), TUESDAY, &["step", "extract-l10n"])
        .ok();
    run.stdout_is(&format!(
        "{}\nextract-l10n for 2026-12-03\n",
        repo.work.display()
    ))
    .stderr_has("Plan:\n  1. run step extract-l10n for the push on 2026-12-03: sh -c 'pwd; echo")
    .stderr_has("warn\n")
    .stderr_has("step extract-l10n: succeeded, recorded for the push on 2026-12-03");
    assert_eq!(
        read_record(&repo, "extract-l10n"),
        serde_json::json!({
            "version": 1,
            "name": "extract-l10n",
            "command": "pwd; echo \"$PUSH_DUTY_STEP for $PUSH_DUTY_PUSH_DATE\"; echo warn >&2",
            "push_date": "2026-12-03",
            "state": "succeeded",
            "code": 0,
            "signal": null
        })
    );
    repo.run(&["step"])
        .ok()
        .stdout_has("extract-l10n\tran for this push\t");
    // Next week it has not run for that push yet.
    repo.run_on("2026-12-08", &["step"])
        .ok()
        .stdout_has("extract-l10n\tnot run for this push\t");
    // Through git too.
    repo.run_through_git(&["step", "extract-l10n"]).ok();
}

#[test]
fn a_failing_step_is_recorded_as_failed_and_exits_1() {
    let repo = with_step("l10n", "echo half done; exit 3");
    let run = repo.run(&["step", "l10n"]).expect(1);
    run.stdout_is("half done\n")
        .stderr_has(
            "error: step l10n failed (exit 3); recorded as failed for the push on 2026-12-03",
        )
        .stderr_has("hint: fix what it says, then run it again: git push-duty step l10n");
    assert_eq!(read_record(&repo, "l10n")["code"], 3);
    repo.run(&["step"])
        .ok()
        .stdout_has("l10n\tfailed for this push (exit 3)\t");
}

#[test]
fn a_killed_step_is_recorded_with_its_signal() {
    let repo = with_step("l10n", "kill -9 $$");
    repo.run(&["step", "l10n"])
        .expect(1)
        .stderr_has("error: step l10n failed (killed by signal 9)");
    assert_eq!(read_record(&repo, "l10n")["signal"], 9);
    assert_eq!(read_record(&repo, "l10n")["state"], "failed");
}

#[test]
fn unknown_and_unconfigured_steps_say_which_there_are() {
    let repo = with_step("extract-l10n", "true");
    repo.git(&[
        "config",
        "--add",
        "pushduty.step",
        "smoke curl -f http://127.0.0.1:9/",
    ]);
    let before = repo.snapshot();
    repo.run(&["step", "extract"])
        .expect(2)
        .stderr_has("error: there is no step \"extract\"; the steps are: extract-l10n, smoke")
        .stderr_has("hint: git push-duty step extract-l10n");
    assert_eq!(repo.snapshot(), before);

    let bare = TestRepo::new();
    bare.run(&["step"])
        .expect(1)
        .stderr_has("error: no steps are configured (pushduty.step is not set)")
        .stderr_has("hint: add one to the team file: git config --file .pushduty --add pushduty.step \"extract-l10n ./scripts/extract-l10n.sh\"");
    bare.run(&["step", "x"])
        .expect(2)
        .stderr_has("error: there is no step \"x\"");
    bare.git(&["config", "pushduty.step", "lonely"]);
    bare.run(&["step"])
        .expect(1)
        .stderr_has("pushduty.step = \"lonely\" (set in ")
        .stderr_has("is not NAME COMMAND");
}

#[test]
fn dry_run_prints_the_command_and_runs_nothing() {
    let repo = with_step("l10n", "touch ran");
    let before = repo.snapshot();
    repo.run(&["step", "l10n", "--dry-run"])
        .ok()
        .stderr_has("1. run step l10n for the push on 2026-12-03: sh -c 'touch ran' (in ")
        .stderr_has("Dry run: nothing was changed.");
    assert!(!repo.work.join("ran").exists());
    assert!(!record(&repo, "l10n").exists());
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_second_run_of_the_same_step_at_once_is_refused() {
    let repo = with_step("slow", "sleep 3");
    let mut first = repo.command(BIN, &repo.work);
    let mut first = first
        .env("PUSH_DUTY_TODAY", TUESDAY)
        .args(["step", "slow"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the first run");
    let started = Instant::now();
    while !record(&repo, "slow").exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(read_record(&repo, "slow")["state"], "running");
    let second = repo.run(&["step", "slow"]).expect(1);
    second
        .stderr_has(&format!(
            "error: the step slow is already running in this repository (process {}); nothing was changed",
            first.id()
        ));
    assert!(first.wait().expect("wait").success());
    assert_eq!(read_record(&repo, "slow")["state"], "succeeded");
}

#[test]
fn a_run_killed_with_push_duty_reads_as_unfinished_and_can_run_again() {
    let repo = with_step("slow", "sleep 30");
    let mut run = repo.command(BIN, &repo.work);
    let mut run = run
        .env("PUSH_DUTY_TODAY", TUESDAY)
        .args(["step", "slow"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let started = Instant::now();
    while !record(&repo, "slow").exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    run.kill().expect("kill");
    run.wait().expect("wait");
    repo.run(&["step"]).ok().stdout_has(
        "slow\tfailed for this push (did not finish: still running, or git push-duty was stopped while it ran)\t",
    );
    // The lock died with the process: the step runs again.
    repo.git(&["config", "pushduty.step", "slow true"]);
    repo.run(&["step", "slow"]).ok();
    repo.run(&["step"])
        .ok()
        .stdout_has("slow\tran for this push\t");
}

#[test]
fn a_damaged_record_is_an_error_not_a_run() {
    let repo = with_step("l10n", "true");
    std::fs::create_dir_all(repo.work.join(".git/push-duty/steps")).expect("mkdir");
    std::fs::write(record(&repo, "l10n"), "{\"state\":\"succeeded\"}").expect("write");
    repo.run(&["step"])
        .expect(1)
        .stderr_has("l10n.json is not a record of the step l10n this version wrote")
        .stderr_has("hint: run the step again to replace it: git push-duty step l10n");
    repo.run(&["step", "l10n"]).ok();
}

#[test]
fn an_unquoted_semicolon_in_the_team_file_starts_a_comment_and_the_plan_shows_it() {
    // git-config syntax: `;` and `#` start a comment unless the value is quoted. The plan shows
    // the command as read, so the cut is visible before anything runs.
    let repo = TestRepo::new();
    repo.commit(
        ".pushduty",
        "[pushduty]\n\tstep = l10n echo one; echo two\n",
        "Team steps",
    );
    repo.run(&["step", "l10n", "--dry-run"])
        .ok()
        .stderr_has("sh -c 'echo one' (in ");
}

#[test]
fn ctrl_c_stops_the_step_and_is_recorded() {
    use std::os::unix::process::CommandExt;
    let repo = with_step("slow", "sleep 30");
    let mut run = repo.command(BIN, &repo.work);
    let run = run
        .env("PUSH_DUTY_TODAY", TUESDAY)
        .args(["step", "slow"])
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let started = Instant::now();
    while !(record(&repo, "slow").exists()
        && std::process::Command::new("pgrep")
            .args(["-g", &run.id().to_string(), "sleep"])
            .output()
            .expect("pgrep")
            .status
            .success())
    {
        assert!(started.elapsed() < Duration::from_secs(10), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
    let sent = std::process::Command::new("kill")
        .args(["-s", "INT", "--", &format!("-{}", run.id())])
        .status()
        .expect("kill");
    assert!(sent.success());
    let output = run.wait_with_output().expect("wait");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("error: step slow failed (killed by signal 2)")
    );
    assert_eq!(read_record(&repo, "slow")["signal"], 2);
}
