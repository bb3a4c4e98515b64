//! Plan, then act: the only door to side effects. A command builds a [`Plan`] (every side effect
//! it will have, in order, each marked with what it is to the command), shows it, and only then
//! has the [`Runner`] carry it out, one effect at a time. The runner is the only code that knows
//! about `--dry-run` ([`Mode`]): a dry run shows the plan and stops, takes no lock and follows no
//! remote-tracking ref, so no side effect can slip past it.
//!
//! Carrying out returns which step failed, what was done before it and the cause ([`Failed`]), so
//! a command recovers with a `match` on its own step marks instead of reading back what it wrote.
//! A plan may hold the steps of several repositories (a train): the marks say whose each step is,
//! and [`Runner::carry_out_with`] applies each where its mark says.
//!
//! While a plan is carried out, Ctrl-C, TERM and HUP do not kill the process in the middle of a
//! step: the step finishes (or, for the final fast-forward, is given up before its first file),
//! the steps after it are not started, and the failure says what was done, so running the same
//! command again finishes the job. A second signal kills at once, as usual. See [`fault`] for the
//! fault points the tests stop at.

pub mod effect;
pub mod fault;

use std::fmt;

use anyhow::{Context, Result};

use crate::console::Console;
use crate::error::{Refusal, refuse};

pub use effect::{Effect, Held, write_atomically};
pub use fault::{FAULT_EXIT, FAULT_VAR, fault_point, interrupted};

/// What a step is to the command that planned it (its own enum: `PushUpstream`, `CreateTag`),
/// so that recovery from a failure is a `match` on the step.
pub trait Mark: Clone + fmt::Debug {
    /// The mark of an effect pushed onto [`Plan::effects`] directly: only the unmarked plan
    /// (`Plan<()>`) allows that.
    fn unmarked() -> Option<Self> {
        None
    }
}

impl Mark for () {
    fn unmarked() -> Option<Self> {
        Some(())
    }
}

/// The ordered side effects of one command, each with its mark.
pub struct Plan<M = ()> {
    /// The effects in order. Add them with [`Plan::add`] (or [`Plan::push`] on an unmarked
    /// plan); extending this directly is kept for unmarked plans.
    pub effects: Vec<Effect>,
    marks: Vec<M>,
}

impl<M> Default for Plan<M> {
    fn default() -> Self {
        Plan {
            effects: Vec::new(),
            marks: Vec::new(),
        }
    }
}

impl Plan<()> {
    /// Adds an effect to an unmarked plan.
    pub fn push(&mut self, effect: Effect) {
        self.add((), effect);
    }
}

impl<M: Mark> Plan<M> {
    /// Adds `effect` as the next step, marked `mark`.
    pub fn add(&mut self, mark: M, effect: Effect) {
        self.fill_marks();
        self.effects.push(effect);
        self.marks.push(mark);
    }

    /// Appends the steps of `other`, in order.
    pub fn extend(&mut self, other: Plan<M>) {
        for (mark, effect) in other.into_steps().into_iter().flatten() {
            self.add(mark, effect);
        }
    }

    /// True if carrying out the plan changes a remote (and so needs confirmation).
    pub fn changes_a_remote(&self) -> bool {
        self.effects.iter().any(Effect::changes_a_remote)
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    /// True if a step is marked `mark`.
    pub fn has(&self, mark: &M) -> bool
    where
        M: PartialEq,
    {
        self.marks.contains(mark)
    }

    fn fill_marks(&mut self) {
        while self.marks.len() < self.effects.len() {
            match M::unmarked() {
                Some(mark) => self.marks.push(mark),
                None => break,
            }
        }
    }

    /// The steps with their marks; `None` if an effect was pushed onto `effects` without one.
    fn into_steps(mut self) -> Option<Vec<(M, Effect)>> {
        self.fill_marks();
        (self.marks.len() == self.effects.len())
            .then(|| self.marks.into_iter().zip(self.effects).collect())
    }
}

/// How far to go with a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// Show the plan and stop.
    pub dry_run: bool,
    /// The user already said yes (`--yes`).
    pub yes: bool,
}

/// What happened when a plan was carried out.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `--dry-run`: nothing was done.
    DryRun,
    /// Every effect was carried out.
    Done,
}

/// A step that was carried out.
#[derive(Debug, Clone)]
pub struct Done<M> {
    pub mark: M,
    pub what: String,
    /// False for a step nobody sees the result of (objects written, a lock): it is not named
    /// among what was done.
    pub visible: bool,
}

/// Why a plan stopped at a step.
#[derive(Debug)]
pub enum Cause {
    /// A signal arrived: the step was not started.
    Interrupted,
    /// The step was started and failed.
    Error(anyhow::Error),
}

/// A plan that stopped at one of its steps: which, what was done before it, and why.
#[derive(Debug)]
pub struct Failed<M> {
    /// The step's mark.
    pub mark: M,
    /// Its number, from 1, and the number of steps.
    pub number: usize,
    pub total: usize,
    /// What the step does, as the plan showed it.
    pub what: String,
    /// The steps carried out before it, in order.
    pub done: Vec<Done<M>>,
    pub cause: Cause,
}

impl<M: Mark> Failed<M> {
    /// True if a step marked `mark` was carried out before this one.
    pub fn did(&self, mark: &M) -> bool
    where
        M: PartialEq,
    {
        self.done.iter().any(|d| d.mark == *mark)
    }

    /// True if the step was never started (a signal arrived before it).
    pub fn interrupted(&self) -> bool {
        matches!(self.cause, Cause::Interrupted)
    }

    /// The innermost cause in words: what the user acts on ("git push to security did not go
    /// through: ..."), or what the interruption stopped.
    pub fn cause_text(&self) -> String {
        match &self.cause {
            Cause::Interrupted => self.interrupted_text(),
            Cause::Error(e) => e.root_cause().to_string(),
        }
    }

    /// `nothing was changed`, or `done before it: ...`.
    fn before(&self) -> String {
        let done: Vec<&str> = self
            .done
            .iter()
            .filter(|d| d.visible)
            .map(|d| d.what.as_str())
            .collect();
        if done.is_empty() {
            "nothing was changed".to_owned()
        } else {
            format!("done before it: {}", done.join("; "))
        }
    }

    fn interrupted_text(&self) -> String {
        format!(
            "interrupted before step {} of {} ({}), which was not started; {}",
            self.number,
            self.total,
            self.what,
            self.before()
        )
    }

    /// The failure as an error for the user: the step, what was done before it, and the cause;
    /// an interruption says to run the same command again.
    pub fn into_error(self) -> anyhow::Error {
        let context = format!(
            "step {} of {} failed ({}); {}",
            self.number,
            self.total,
            self.what,
            self.before()
        );
        match self.cause {
            Cause::Interrupted => anyhow::Error::new(
                Refusal::new(self.interrupted_text())
                    .hint("run the same command again: it finishes what was started"),
            ),
            Cause::Error(e) => e.context(context),
        }
    }
}

/// Why carrying out a plan stopped.
#[derive(Debug)]
pub enum Stop<M> {
    /// Before the first step: declined, `--yes` missing off a terminal, or the run could not
    /// start. Nothing was done.
    Before(anyhow::Error),
    /// At a step.
    Step(Failed<M>),
}

impl<M: Mark> From<Stop<M>> for anyhow::Error {
    fn from(stop: Stop<M>) -> Self {
        match stop {
            Stop::Before(e) => e,
            Stop::Step(failed) => failed.into_error(),
        }
    }
}

/// Carries out the plans of one run, in its [`Mode`], and holds its locks until it ends.
pub struct Runner {
    mode: Mode,
    held: Vec<Held>,
}

impl Runner {
    pub fn new(mode: Mode) -> Self {
        Runner {
            mode,
            held: Vec::new(),
        }
    }

    /// Takes `lock` (an [`Effect::Lock`]) for the rest of the run, before anything is decided, so
    /// that two runs never decide from the same state. A dry run changes nothing, and takes none.
    pub fn hold(&mut self, lock: Effect) -> Result<()> {
        if self.mode.dry_run {
            return Ok(());
        }
        if !matches!(lock, Effect::Lock { .. }) {
            return Err(anyhow::anyhow!(
                "{} is not a lock, and is carried out with its plan",
                lock.describe()
            ));
        }
        if let Some(held) = effect::apply_file(lock)? {
            self.held.push(held);
        }
        Ok(())
    }

    /// Carries out `effect` without showing it or asking: one that only follows what a read
    /// found, as `git fetch` points remote-tracking refs at what it fetched. A dry run skips it.
    pub fn follow(&mut self, repo: &gix::Repository, effect: Effect) -> Result<()> {
        if self.mode.dry_run {
            return Ok(());
        }
        let what = effect.describe().to_owned();
        if effect.changes_a_remote() {
            return Err(anyhow::anyhow!(
                "{what} changes a remote, and needs a plan the user sees"
            ));
        }
        if let Some(held) = effect::apply(repo, effect).with_context(|| format!("cannot {what}"))? {
            self.held.push(held);
        }
        Ok(())
    }

    /// Shows `plan` on stderr, then stops (dry run), asks (on a terminal), or requires `--yes`
    /// (off a terminal) before carrying out a plan that changes a remote, then carries it out in
    /// order in `repo`.
    pub fn carry_out<M: Mark>(
        &mut self,
        repo: &gix::Repository,
        console: &mut Console<'_>,
        plan: Plan<M>,
        question: &str,
    ) -> Result<Outcome, Stop<M>> {
        self.carry_out_with(console, plan, question, &mut |_, effect| {
            effect::apply(repo, effect)
        })
    }

    /// [`Runner::carry_out`] for a plan that only touches files (installing a hook), which
    /// needs no repository.
    pub fn carry_out_files<M: Mark>(
        &mut self,
        console: &mut Console<'_>,
        plan: Plan<M>,
        question: &str,
    ) -> Result<Outcome, Stop<M>> {
        self.carry_out_with(console, plan, question, &mut |_, effect| {
            effect::apply_file(effect)
        })
    }

    /// Carries out a recovery plan after a failure (forgetting a record whose push did not go
    /// through) without showing it or asking: the user already said yes to the run it mends.
    pub fn recover<M: Mark>(&mut self, repo: &gix::Repository, plan: Plan<M>) -> Result<()> {
        let Some(steps) = plan.into_steps() else {
            return Err(anyhow::anyhow!("a recovery step has no mark"));
        };
        for (_, effect) in steps {
            self.follow(repo, effect)?;
        }
        Ok(())
    }

    /// [`Runner::carry_out`] with the effects applied by `apply`, which is given each step's
    /// mark: a train applies each in its own repository, a test records them instead.
    pub fn carry_out_with<M: Mark>(
        &mut self,
        console: &mut Console<'_>,
        plan: Plan<M>,
        question: &str,
        apply: &mut dyn FnMut(&M, Effect) -> Result<Option<Held>>,
    ) -> Result<Outcome, Stop<M>> {
        let Some(steps) = plan.into_steps() else {
            return Err(Stop::Before(anyhow::anyhow!(
                "a step of the plan has no mark; nothing was done"
            )));
        };
        self.show_and_ask(console, &steps, question)
            .map_err(Stop::Before)?;
        if self.mode.dry_run {
            return Ok(Outcome::DryRun);
        }
        // From here on a signal stops the run between steps, not inside one.
        let _signals = gix::interrupt::init_handler_default(1)
            .context("cannot handle interrupts; nothing was changed")
            .map_err(Stop::Before)?
            .auto_deregister();
        let total = steps.len();
        let mut done: Vec<Done<M>> = Vec::new();
        for (n, (mark, effect)) in steps.into_iter().enumerate() {
            let what = effect.describe().to_owned();
            let visible = effect.changes_what_the_user_sees();
            let failed = |cause, done| Failed {
                mark: mark.clone(),
                number: n + 1,
                total,
                what: what.clone(),
                done,
                cause,
            };
            if interrupted() {
                return Err(Stop::Step(failed(Cause::Interrupted, done)));
            }
            match apply(&mark, effect) {
                Ok(held) => self.held.extend(held),
                Err(e) => return Err(Stop::Step(failed(Cause::Error(e), done))),
            }
            done.push(Done {
                mark,
                what,
                visible,
            });
            fault_point(&format!("after-{}", n + 1));
        }
        Ok(Outcome::Done)
    }

    fn show_and_ask<M>(
        &self,
        console: &mut Console<'_>,
        steps: &[(M, Effect)],
        question: &str,
    ) -> Result<()> {
        writeln!(console.err, "Plan:")?;
        for (n, (_, effect)) in steps.iter().enumerate() {
            writeln!(console.err, "  {}. {}", n + 1, effect.describe())?;
        }
        if self.mode.dry_run {
            writeln!(console.err, "Dry run: nothing was changed.")?;
            return Ok(());
        }
        let changes_a_remote = steps.iter().any(|(_, e)| e.changes_a_remote());
        if changes_a_remote && !self.mode.yes {
            if !console.interactive {
                return refuse(
                    Refusal::usage("not on a terminal, and this changes a remote: nothing was done")
                        .hint("pass --yes to go ahead without the question, or --dry-run to see the plan only"),
                );
            }
            if !console.ask(question)? {
                // Declining is a refusal, so `git push-duty tag && announce` does not announce.
                return refuse(Refusal::new("not confirmed: nothing was done"));
            }
        }
        Ok(())
    }
}

/// Carries out an unmarked plan that only touches files; kept for `hooks install` and
/// `hooks uninstall`, which call it with the mode they were run in.
pub fn carry_out_files(console: &mut Console<'_>, plan: Plan, mode: Mode) -> Result<Outcome> {
    Ok(Runner::new(mode).carry_out_files(console, plan, "Go ahead?")?)
}

#[cfg(test)]
mod tests;
