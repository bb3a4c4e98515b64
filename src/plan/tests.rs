//! The runner on its own: what it shows, when it asks, and what it reports when a step fails,
//! with the effects recorded by a closure instead of carried out.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Record,
    Push,
    Local,
}

impl Mark for Step {}

fn file(what: &str) -> Effect {
    Effect::RemoveFile {
        path: "/nonexistent/push-duty-test".into(),
        what: what.into(),
    }
}

fn push(what: &str) -> Effect {
    Effect::Push {
        remote: "upstream".into(),
        refspecs: vec!["x:refs/heads/main".into()],
        what: what.into(),
    }
}

fn three_steps() -> Plan<Step> {
    let mut plan = Plan::default();
    plan.add(Step::Record, file("record the run"));
    plan.add(Step::Push, push("push to upstream"));
    plan.add(Step::Local, file("update local main"));
    plan
}

/// Runs `plan` with `mode`, answering `answer` on a terminal (`None`: not a terminal); returns
/// the outcome, the marks applied, and stderr.
fn run(
    plan: Plan<Step>,
    mode: Mode,
    answer: Option<&str>,
    fail_at: Option<Step>,
) -> (Result<Outcome, Stop<Step>>, Vec<Step>, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut input = std::io::Cursor::new(answer.unwrap_or("").as_bytes().to_vec());
    let mut applied = Vec::new();
    let outcome = {
        let mut console = Console::new(&mut out, &mut err, &mut input, answer.is_some(), false);
        Runner::new(mode).carry_out_with(&mut console, plan, "Go?", &mut |mark, _| {
            if Some(*mark) == fail_at {
                return Err(anyhow::anyhow!("the remote said no"));
            }
            applied.push(*mark);
            Ok(None)
        })
    };
    (outcome, applied, String::from_utf8(err).expect("utf-8"))
}

const GO: Mode = Mode {
    dry_run: false,
    yes: true,
};

#[test]
fn a_dry_run_shows_every_step_and_applies_none() {
    let mode = Mode {
        dry_run: true,
        yes: false,
    };
    let (outcome, applied, err) = run(three_steps(), mode, None, None);
    assert_eq!(outcome.expect("a dry run"), Outcome::DryRun);
    assert!(applied.is_empty());
    assert_eq!(
        err,
        "Plan:\n  1. record the run\n  2. push to upstream\n  3. update local main\nDry run: nothing was changed.\n"
    );
}

#[test]
fn a_plan_that_pushes_needs_yes_off_a_terminal_and_an_answer_on_one() {
    let ask = Mode {
        dry_run: false,
        yes: false,
    };
    let (outcome, applied, _) = run(three_steps(), ask, None, None);
    let Err(Stop::Before(e)) = outcome else {
        panic!("refused before any step")
    };
    let refusal = e.downcast_ref::<Refusal>().expect("a refusal");
    assert_eq!(refusal.kind(), crate::error::Kind::Usage);
    assert!(applied.is_empty());

    let (outcome, applied, err) = run(three_steps(), ask, Some("n\n"), None);
    assert!(matches!(outcome, Err(Stop::Before(_))));
    assert!(applied.is_empty());
    assert!(err.ends_with("Go? [y/N] "), "{err}");

    let (outcome, applied, _) = run(three_steps(), ask, Some("yes\n"), None);
    assert_eq!(outcome.expect("done"), Outcome::Done);
    assert_eq!(applied, [Step::Record, Step::Push, Step::Local]);
}

#[test]
fn a_plan_that_changes_no_remote_is_not_asked() {
    let mut plan = Plan::default();
    plan.add(Step::Local, file("update local main"));
    let ask = Mode {
        dry_run: false,
        yes: false,
    };
    let (outcome, applied, _) = run(plan, ask, None, None);
    assert_eq!(outcome.expect("done"), Outcome::Done);
    assert_eq!(applied, [Step::Local]);
}

#[test]
fn a_failed_step_says_which_what_was_done_before_it_and_why() {
    let (outcome, applied, _) = run(three_steps(), GO, None, Some(Step::Push));
    let Err(Stop::Step(failed)) = outcome else {
        panic!("stopped at a step")
    };
    assert_eq!(applied, [Step::Record]);
    assert_eq!(failed.mark, Step::Push);
    assert_eq!((failed.number, failed.total), (2, 3));
    assert!(failed.did(&Step::Record));
    assert!(!failed.did(&Step::Local));
    assert!(!failed.interrupted());
    assert_eq!(failed.cause_text(), "the remote said no");
    let err = failed.into_error();
    assert_eq!(
        format!("{err:#}"),
        "step 2 of 3 failed (push to upstream); done before it: record the run: the remote said no"
    );
}

#[test]
fn the_first_step_failing_changed_nothing_and_objects_are_not_named() {
    let mut plan = Plan::default();
    plan.add(
        Step::Record,
        Effect::WriteObjects {
            objects: gix::odb::memory::Storage::default(),
            what: "write the objects".into(),
        },
    );
    plan.add(Step::Push, push("push to upstream"));
    let (outcome, _, _) = run(plan, GO, None, Some(Step::Push));
    let err: anyhow::Error = outcome.expect_err("failed").into();
    assert_eq!(
        err.to_string(),
        "step 2 of 2 failed (push to upstream); nothing was changed"
    );
}

#[test]
fn an_unmarked_plan_takes_effects_pushed_directly() {
    let mut plan = Plan::default();
    plan.push(file("one"));
    plan.effects.push(file("two"));
    let mut other = Plan::default();
    other.push(file("three"));
    plan.extend(other);
    let steps = plan.into_steps().expect("every step has its mark");
    let described: Vec<&str> = steps.iter().map(|(_, e)| e.describe()).collect();
    assert_eq!(described, ["one", "two", "three"]);
}

#[test]
fn a_marked_plan_with_an_unmarked_effect_does_nothing() {
    let mut plan = three_steps();
    plan.effects.push(file("sneaked in"));
    let (outcome, applied, err) = run(plan, GO, None, None);
    assert!(matches!(outcome, Err(Stop::Before(_))));
    assert!(applied.is_empty());
    assert!(err.is_empty(), "not even shown: {err}");
}

#[test]
fn a_dry_run_holds_no_lock_and_follows_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lock = |what: &str| Effect::Lock {
        path: dir.path().join("push-duty/test.lock"),
        running: "another test is running".into(),
        what: what.into(),
    };
    let mut dry = Runner::new(Mode {
        dry_run: true,
        yes: false,
    });
    dry.hold(lock("take the lock"))
        .expect("no lock in a dry run");
    assert!(!dir.path().join("push-duty").exists());

    let mut real = Runner::new(GO);
    real.hold(lock("take the lock")).expect("lock");
    let mut second = Runner::new(GO);
    let err = second.hold(lock("take the lock")).expect_err("held");
    assert!(
        err.to_string().starts_with("another test is running"),
        "{err}"
    );
    drop(real);
    second
        .hold(lock("take the lock"))
        .expect("free once the run ends");
    assert!(second.hold(file("not a lock")).is_err());
}

#[test]
fn a_fault_point_that_is_not_named_does_nothing() {
    // The variable is unset in unit tests; a point is then a no-op.
    fault_point("after-1");
    assert!(!interrupted());
}
