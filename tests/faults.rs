//! Stops between every pair of plan steps (`PUSH_DUTY_TEST_FAULT=exit-after-N`, as a kill would
//! stop the process) and real signals at known points (`wait-...` then `kill -TERM`): for each, a
//! rerun or `security-merge --continue` ends in the same state as a run that was never stopped,
//! with no lock, record or half-written file left behind.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use common::{BIN, Run, Snapshot, TUESDAY, TestRepo};

/// The exit status of a process stopped at a fault point.
const FAULT_EXIT: i32 = 99;

/// Runs the binary with `PUSH_DUTY_TEST_FAULT=fault`.
fn run_with_fault(repo: &TestRepo, args: &[&str], fault: &str) -> Run {
    repo.run_env(BIN, &repo.work, args, &[("PUSH_DUTY_TEST_FAULT", fault)])
}

/// A run of the binary with a fault point, stopped at it: the process, its stdout being read,
/// and its stderr read up to the line the fault point printed.
struct AtFault {
    child: std::process::Child,
    stdout: std::thread::JoinHandle<String>,
    stderr: BufReader<std::process::ChildStderr>,
    /// What stderr said so far, the fault point's line last.
    seen: String,
}

impl AtFault {
    /// Runs the binary with `PUSH_DUTY_TEST_FAULT=fault` and reads its stderr until a line
    /// contains `marker`.
    fn start(repo: &TestRepo, args: &[&str], fault: &str, marker: &str) -> Self {
        let mut child = repo
            .command(BIN, &repo.work)
            .env("PUSH_DUTY_TODAY", TUESDAY)
            .env("PUSH_DUTY_TEST_FAULT", fault)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run git-push-duty");
        let mut out = child.stdout.take().expect("stdout");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            out.read_to_string(&mut text).expect("read stdout");
            text
        });
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut seen = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if stderr.read_line(&mut line).expect("read stderr") == 0 {
                panic!("the process ended without reaching the fault point {fault}:\n{seen}");
            }
            seen.push_str(&line);
            if line.contains(marker) {
                break;
            }
        }
        AtFault {
            child,
            stdout,
            stderr,
            seen,
        }
    }

    /// The line the fault point printed.
    fn line(&self) -> &str {
        self.seen.lines().last().unwrap_or_default()
    }

    /// Waits for the process to end and returns the whole run.
    fn finish(mut self) -> Run {
        self.stderr
            .read_to_string(&mut self.seen)
            .expect("read stderr");
        let status = self.child.wait().expect("wait");
        Run {
            status: status.code().unwrap_or(-1),
            stdout: self.stdout.join().expect("stdout thread"),
            stderr: self.seen,
        }
    }
}

/// Runs the binary with `PUSH_DUTY_TEST_FAULT=wait-<at>`, and sends it TERM once it says it waits
/// there: a real signal to the real process at a known point.
fn terminate_at(repo: &TestRepo, args: &[&str], at: &str) -> Run {
    let run = AtFault::start(
        repo,
        args,
        &format!("wait-{at}"),
        &format!("test fault point {at}: waiting"),
    );
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &run.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    run.finish()
}

/// Runs the binary with `PUSH_DUTY_TEST_FAULT=pause-upstream-listed`; once it says it has listed
/// the upstream and waits, runs `meanwhile` (a colleague's push), then lets it go on.
fn paused_after_listing(repo: &TestRepo, args: &[&str], meanwhile: impl FnOnce()) -> Run {
    /// The file that lets the run go on, removed however the test ends.
    struct Resume(std::path::PathBuf);
    impl Drop for Resume {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    const WAITING: &str = "test fault point upstream-listed: waiting for ";
    let run = AtFault::start(repo, args, "pause-upstream-listed", WAITING);
    let (_, rest) = run
        .line()
        .split_once(WAITING)
        .expect("the fault point's line");
    let (path, _) = rest.split_once(" to exist").expect("the file to wait for");
    let resume = Resume(path.into());
    meanwhile();
    std::fs::write(&resume.0, "").expect("let the run go on");
    run.finish()
}

/// Nothing of the tool's own is left in the git directory but its lock files (OS locks, held by
/// no one once the process is gone): no record, no index or ref lock, no temporary file.
#[track_caller]
fn nothing_left_behind(repo: &TestRepo) {
    let git = repo.work.join(".git");
    for left in [
        "push-duty/tag.json",
        "push-duty/security-merge.json",
        "push-duty/tag.json.push-duty-new",
        "push-duty/security-merge.json.push-duty-new",
        "index.lock",
        "refs/heads/main.lock",
    ] {
        assert!(!git.join(left).exists(), "{left} was left behind");
    }
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        "",
        "the worktree is clean"
    );
}

#[track_caller]
fn same_state(after: &Snapshot, reference: &Snapshot, what: &str) {
    assert_eq!(
        after.refs, reference.refs,
        "{what}: refs of the clone and every remote"
    );
    assert_eq!(after.head, reference.head, "{what}: HEAD");
    assert_eq!(after.index, reference.index, "{what}: index");
    assert_eq!(after.files, reference.files, "{what}: worktree");
}

// ---- tag ----

/// A week in which a colleague merged work upstream (not fetched here: the tracking ref is stale,
/// so the plan has a step for it).
fn tag_week() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    repo.upstream_commit("feature.txt", "feature\n", "Add the feature");
    repo
}

/// The plan of `tag --yes` in `tag_week`.
const TAG_STEPS: [&str; 6] = [
    "write the annotated tag object",
    "update the remote-tracking ref",
    "record the push",
    "push tag 2026.12.03",
    "create local tag 2026.12.03",
    "clear the record",
];

#[test]
fn tag_stopped_after_any_step_is_finished_by_a_rerun() {
    let reference = {
        let repo = tag_week();
        let run = repo.run(&["tag", "--yes"]).ok();
        for (n, step) in TAG_STEPS.iter().enumerate() {
            run.stderr_has(&format!("  {}. {step}", n + 1));
        }
        insta::assert_snapshot!("run_tag", repo.transcript(&run));
        nothing_left_behind(&repo);
        repo.snapshot()
    };
    // Between every pair of steps (after the last one there is nothing left to do).
    for stop in 1..TAG_STEPS.len() {
        let repo = tag_week();
        let fault = format!("exit-after-{stop}");
        let stopped = run_with_fault(&repo, &["tag", "--yes"], &fault).expect(FAULT_EXIT);
        stopped.stderr_has(&format!("test fault point after-{stop}: stopping here"));

        let rerun = repo.run(&["tag", "--yes"]).ok();
        rerun.stdout_has("tag: 2026.12.03\n");
        if (4..6).contains(&stop) {
            // The tag went out: the rerun finishes it, it does not make 2026.12.03-1.
            rerun.stderr_has("An earlier run pushed tag 2026.12.03");
            rerun.stderr_has("finishing that run");
        }
        nothing_left_behind(&repo);
        same_state(&repo.snapshot(), &reference, &fault);
    }
}

#[test]
fn a_cherry_pick_tag_stopped_after_its_push_is_not_made_again() {
    let week = || {
        let repo = tag_week();
        let fix = repo.upstream_commit("fix.txt", "fixed\n", "Fix the crash");
        (repo, fix)
    };
    let reference = {
        let (repo, fix) = week();
        repo.run(&["tag", "--cherry-pick", &fix, "--yes"]).ok();
        repo.snapshot()
    };
    for stop in [4, 5] {
        let (repo, fix) = week();
        let args = ["tag", "--cherry-pick", fix.as_str(), "--yes"];
        run_with_fault(&repo, &args, &format!("exit-after-{stop}")).expect(FAULT_EXIT);
        // The same command again: the upstream has the recorded tag, so it is only created here.
        let rerun = repo.run(&args).ok();
        rerun.stderr_has("An earlier run pushed tag 2026.12.03");
        rerun.stdout_has("tag: 2026.12.03\n");
        nothing_left_behind(&repo);
        same_state(&repo.snapshot(), &reference, &format!("stop after {stop}"));
        assert!(!repo.tags_of(&repo.upstream).contains_key("2026.12.03-1"));
    }
}

#[test]
fn a_stale_tag_record_is_forgotten_and_the_run_starts_afresh() {
    // Stopped after the record, before the push: nothing is public, the rerun is a normal run.
    let repo = tag_week();
    run_with_fault(&repo, &["tag", "--yes"], "exit-after-3").expect(FAULT_EXIT);
    assert!(repo.work.join(".git/push-duty/tag.json").exists());
    let before = repo.snapshot();
    let dry = repo.run(&["tag", "--dry-run"]).ok();
    dry.stderr_has("does not have that tag object: the push did not go through");
    assert_eq!(repo.snapshot(), before, "a dry run forgets nothing");
    assert!(repo.work.join(".git/push-duty/tag.json").exists());
    let offline = repo.run(&["tag", "--offline"]).expect(1);
    offline.stderr_has("an earlier run of tag stopped while pushing 2026.12.03 to upstream, and whether upstream has it cannot be seen offline");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn tag_terminated_after_its_push_says_so_and_a_rerun_finishes_it() {
    let reference = {
        let repo = tag_week();
        repo.run(&["tag", "--yes"]).ok();
        repo.snapshot()
    };
    let repo = tag_week();
    let run = terminate_at(&repo, &["tag", "--yes"], "after-4").expect(1);
    run.stderr_has(
        "error: tag 2026.12.03 is on upstream, but the run stopped before it was finished here",
    );
    run.stderr_has("interrupted before step 5 of 6 (create local tag 2026.12.03)");
    run.stderr_has(
        "hint: run the same command again: it creates the local tag, not another revision",
    );
    repo.run(&["tag", "--yes"]).ok();
    nothing_left_behind(&repo);
    same_state(&repo.snapshot(), &reference, "after TERM");
}

#[test]
fn tag_terminated_before_its_push_pushes_nothing_and_forgets_the_record() {
    let repo = tag_week();
    let run = terminate_at(&repo, &["tag", "--yes"], "after-3").expect(1);
    run.stderr_has("error: upstream did not take tag 2026.12.03: nothing was pushed, and the record of the push was removed");
    assert!(
        repo.tags_of(&repo.upstream)
            .keys()
            .all(|t| t == "2026.11.26")
    );
    nothing_left_behind(&repo);
}

#[test]
fn a_tag_run_refuses_when_the_upstream_moves_between_its_listing_and_its_fetch() {
    // The run decides from its listing (the tag's name, its commit, what it ships); a colleague
    // who pushes before it fetches would make it tag a commit that is no longer the tip it
    // showed. Without the check in git::remote::fetch_as_listed the run tags the listed tip.
    let repo = tag_week();
    let listed = repo
        .branch_of(&repo.upstream, "main")
        .expect("upstream main");
    let mut before = None;
    let mut moved = String::new();
    let run = paused_after_listing(&repo, &["tag", "--yes"], || {
        moved = repo.upstream_commit("later.txt", "later\n", "Merged while the run listed");
        before = Some(repo.snapshot());
    })
    .expect(1);
    run.stderr_has(&format!(
        "error: upstream's refs/heads/main moved while this run read it: it was listed at {} and is now at {}; nothing was changed",
        &listed[..7],
        &moved[..7]
    ))
    .stderr_has("hint: run the command again: it starts from what the upstream has then");
    // Refs (the clone's tags and tracking refs, the bare upstream's), HEAD, index, worktree.
    assert_eq!(Some(repo.snapshot()), before);
    assert!(!repo.tags_of(&repo.upstream).contains_key("2026.12.03"));
    nothing_left_behind(&repo);
}

// ---- security-merge ----

/// A fix on the mirror and, since it was branched, a colleague's commit upstream: the run makes
/// a real merge commit (so the plan writes objects) and fast-forwards the checked-out main.
fn merge_week() -> TestRepo {
    let repo = TestRepo::new();
    repo.add_unfetched_mirror("security");
    repo.security_branch(
        "fix-xss",
        "main",
        "search.py",
        "escape\n",
        "Escape the query",
    );
    repo.upstream_commit("feature.txt", "feature\n", "Add the feature");
    repo
}

const MERGE_STEPS: [&str; 8] = [
    "write the merge",
    "record the run",
    "push ",
    "record that upstream has it",
    "push ",
    "clear the record",
    "update the remote-tracking refs",
    "fast-forward local main",
];

fn record(repo: &TestRepo) -> Option<String> {
    std::fs::read_to_string(repo.security_merge_record()).ok()
}

/// What a user does after a stop: `--continue` when a run is recorded as having reached the
/// upstream, else the same command again.
fn recover(repo: &TestRepo) -> Run {
    match record(repo) {
        Some(text) if !text.contains("push-upstream") || upstream_has_the_run(repo, &text) => {
            repo.run(&["security-merge", "--continue", "--yes"])
        }
        _ => repo.run(&["security-merge", "fix-xss", "--yes"]),
    }
}

fn upstream_has_the_run(repo: &TestRepo, record: &str) -> bool {
    let value: serde_json::Value = serde_json::from_str(record).expect("record");
    let commit = value["commit"].as_str().expect("commit");
    repo.branch_of(&repo.upstream, "main").as_deref() == Some(commit)
}

fn mirror_and_upstream(repo: &TestRepo) -> (Option<String>, Option<String>) {
    (
        repo.branch_of(&repo.upstream, "main"),
        repo.branch_of(&repo.root().join("security.git"), "main"),
    )
}

#[test]
fn security_merge_stopped_after_any_step_is_finished_by_a_rerun_or_continue() {
    let reference = {
        let repo = merge_week();
        let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
        for (n, step) in MERGE_STEPS.iter().enumerate() {
            run.stderr_has(&format!("  {}. {step}", n + 1));
        }
        insta::assert_snapshot!(
            "run_security_merge_with_a_merge_commit",
            repo.transcript(&run)
        );
        nothing_left_behind(&repo);
        repo.snapshot()
    };
    // Between every pair of steps (after the last one only the final listing is left).
    for stop in 1..MERGE_STEPS.len() {
        let repo = merge_week();
        let fault = format!("exit-after-{stop}");
        run_with_fault(&repo, &["security-merge", "fix-xss", "--yes"], &fault).expect(FAULT_EXIT);
        // Whatever the stop, the mirror is never ahead of the upstream.
        let (upstream, mirror) = mirror_and_upstream(&repo);
        let (upstream, mirror) = (
            upstream.expect("upstream main"),
            mirror.expect("mirror main"),
        );
        let within = repo.try_git_in(
            &repo.work,
            &["merge-base", "--is-ancestor", &mirror, &upstream],
        );
        assert_eq!(
            within.status, 0,
            "{fault}: the mirror's main is within the upstream's"
        );
        let run = recover(&repo);
        assert_eq!(run.status, 0, "{fault}:\n{}", run.stderr);
        run.stderr_lacks("Nothing to do");
        nothing_left_behind(&repo);
        same_state(&repo.snapshot(), &reference, &fault);
    }
}

#[test]
fn a_rerun_after_everything_but_the_local_branch_is_not_nothing_to_do() {
    let repo = merge_week();
    run_with_fault(
        &repo,
        &["security-merge", "fix-xss", "--yes"],
        "exit-after-7",
    )
    .expect(FAULT_EXIT);
    let behind = repo.rev("main");
    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    run.stderr_has("upstream main already has every branch named, and the mirror is there too: only this clone is brought along.");
    assert_ne!(repo.rev("main"), behind);
    assert_eq!(repo.rev("main"), repo.rev("upstream/main"));
    // And now there is truly nothing to do.
    let again = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    again.stderr_has("Nothing to do");
}

#[test]
fn terminated_while_the_fast_forward_writes_files_it_finishes_the_step() {
    let reference = {
        let repo = merge_week();
        repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
        repo.snapshot()
    };
    let repo = merge_week();
    terminate_at(
        &repo,
        &["security-merge", "fix-xss", "--yes"],
        "fast-forward-writing",
    )
    .ok();
    nothing_left_behind(&repo);
    same_state(&repo.snapshot(), &reference, "TERM while writing");
}

#[test]
fn terminated_with_the_index_locked_it_writes_no_file_and_a_rerun_finishes() {
    let reference = {
        let repo = merge_week();
        repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
        repo.snapshot()
    };
    let repo = merge_week();
    let main_before = repo.rev("main");
    let files_before = repo.snapshot().files;
    let run = terminate_at(
        &repo,
        &["security-merge", "fix-xss", "--yes"],
        "fast-forward-locked",
    )
    .expect(1);
    run.stderr_has("interrupted before any file was written: refs/heads/main, the index and the worktree were left as they were");
    assert_eq!(repo.rev("main"), main_before);
    assert_eq!(repo.snapshot().files, files_before);
    nothing_left_behind(&repo);

    let rerun = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    rerun.stderr_has("only this clone is brought along");
    nothing_left_behind(&repo);
    same_state(&repo.snapshot(), &reference, "rerun after TERM");
}

#[test]
fn terminated_between_the_pushes_the_mirror_stays_behind_and_continue_finishes() {
    let reference = {
        let repo = merge_week();
        repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
        repo.snapshot()
    };
    let repo = merge_week();
    let mirror_before = repo.branch_of(&repo.root().join("security.git"), "main");
    let run = terminate_at(&repo, &["security-merge", "fix-xss", "--yes"], "after-3").expect(1);
    run.stderr_has("but the run stopped before the mirror");
    run.stderr_has("interrupted before step 4 of 8");
    run.stderr_has("hint: push the mirror too: git push-duty security-merge --continue");
    assert_eq!(
        repo.branch_of(&repo.root().join("security.git"), "main"),
        mirror_before
    );

    repo.run(&["security-merge", "--continue", "--yes"]).ok();
    nothing_left_behind(&repo);
    same_state(&repo.snapshot(), &reference, "continue after TERM");
}

/// Stopped after both pushes and before the record is cleared, the run says that both remotes
/// have the commit (not that the mirror did not take it), and `--continue` only clears it.
#[test]
fn terminated_after_both_pushes_says_both_have_it_and_continue_clears_the_record() {
    let reference = {
        let repo = merge_week();
        repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
        repo.snapshot()
    };
    let repo = merge_week();
    let run = terminate_at(&repo, &["security-merge", "fix-xss", "--yes"], "after-5").expect(1);
    run.stderr_has("error: upstream main and security main both have ")
        .stderr_has("but the record of the run, ")
        .stderr_has("was not cleared: interrupted before step 6 of 8 (clear the record")
        .stderr_has("hint: finish it: git push-duty security-merge --continue")
        .stderr_lacks("did not take it");
    let (upstream, mirror) = mirror_and_upstream(&repo);
    assert_eq!(upstream, mirror, "both remotes have the merge");
    assert!(record(&repo).is_some(), "the record is still there");

    let finish = repo.run(&["security-merge", "--continue", "--yes"]).ok();
    finish.stderr_has("security main already has ");
    nothing_left_behind(&repo);
    same_state(&repo.snapshot(), &reference, "continue after TERM");
}

#[test]
fn terminated_before_the_upstream_push_nothing_is_public_and_a_rerun_starts_afresh() {
    let reference = {
        let repo = merge_week();
        repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
        repo.snapshot()
    };
    let repo = merge_week();
    let remotes_before = mirror_and_upstream(&repo);
    let run = terminate_at(&repo, &["security-merge", "fix-xss", "--yes"], "after-2").expect(1);
    run.stderr_has("so nothing was pushed to the mirror security");
    assert_eq!(mirror_and_upstream(&repo), remotes_before);
    assert!(
        record(&repo).is_none(),
        "the record of a run that never went public is gone"
    );

    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    nothing_left_behind(&repo);
    same_state(&repo.snapshot(), &reference, "rerun after TERM");
}

#[test]
fn a_second_tag_run_while_one_is_pushing_is_refused_and_changes_nothing() {
    let repo = tag_week();
    // The first run waits after its record is written; the second comes in meanwhile.
    let first = AtFault::start(&repo, &["tag", "--yes"], "wait-after-3", "waiting");
    let pid = first.child.id();
    let before = repo.snapshot();
    let second = repo.run(&["tag", "--yes"]).expect(1);
    second.stderr_has(&format!(
        "error: another git push-duty tag is running in this repository (process {pid}); nothing was changed"
    ));
    assert_eq!(repo.snapshot(), before);
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    first.finish().expect(1);
    // Once it is gone, a run goes through.
    repo.run(&["tag", "--yes"]).ok();
    nothing_left_behind(&repo);
}

#[test]
fn killed_inside_the_fast_forward_the_rerun_names_the_lock_left_behind() {
    // A kill -9 in the middle of the step is a crash, as for git itself: the rerun does not
    // claim all is well, it says why the local branch is left and how to update it.
    let repo = merge_week();
    let behind = repo.rev("main");
    run_with_fault(
        &repo,
        &["security-merge", "fix-xss", "--yes"],
        "exit-fast-forward-writing",
    )
    .expect(FAULT_EXIT);
    let lock = repo.work.join(".git/index.lock");
    assert!(lock.exists());
    let run = repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    run.stderr_has(&format!(
        "Local main: left as it is: another git process is using the index ({} exists); update it later with: git merge --ff-only upstream/main",
        lock.display()
    ));
    assert_eq!(repo.rev("main"), behind);
    // Once the crashed process's locks are gone, a rerun finishes.
    std::fs::remove_file(&lock).expect("remove the stale lock");
    let _ = std::fs::remove_file(repo.work.join(".git/refs/heads/main.lock"));
    repo.run(&["security-merge", "fix-xss", "--yes"]).ok();
    assert_eq!(repo.rev("main"), repo.rev("upstream/main"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}
