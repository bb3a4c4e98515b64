//! `git push-duty step NAME`: runs one of the team's steps and records that it ran for this push.

use anyhow::Result;

use crate::config::{STEP, Sources};
use crate::console::Console;
use crate::context::Context;
use crate::error::{Refusal, refuse};
use crate::plan::{Effect, Mode, Plan, Runner};
use crate::steps;
use crate::week::checklist::StepRun;

/// Run one of the team's steps (pushduty.step), recording that it ran for this push.
///
/// The team file lists the chores of a push week that are the team's own, such as the locale
/// extraction after the tags are on stage: pushduty.step = NAME COMMAND (multi-valued).
/// git push-duty step NAME runs COMMAND through sh -c at the top of this repository, showing its
/// output as it comes (PUSH_DUTY_STEP and PUSH_DUTY_PUSH_DATE are set for it), and records in
/// the git directory (push-duty/steps/NAME.json) for which push it ran and how it ended; status
/// shows the steps not yet run for the current push. It exits with 1 when the command fails or is
/// killed (recorded as such). A second run of the same step while one runs is refused.
///
/// Without NAME, lists the steps and whether each ran for the current push.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The step to run, as named in pushduty.step.
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Print the command and where it would run; run nothing, record nothing.
    #[arg(long, short = 'n')]
    pub dry_run: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let configured = steps::configured(&Sources::load(repo)?)?;
    let push_date = ctx.push_date(None)?.date;
    let Some(name) = &args.name else {
        return list(repo, console, &configured, push_date);
    };
    let Some(step) = configured.iter().find(|s| &s.name == name) else {
        return refuse(unknown(name, &configured));
    };
    let top = crate::git::top(repo)?;
    let mut runner = Runner::new(Mode {
        dry_run: args.dry_run,
        yes: true,
    });
    runner.hold(steps::lock(repo, &step.name))?;
    let record = steps::record_path(repo, &step.name);
    let mut plan = Plan::default();
    plan.push(Effect::RunStep {
        dir: top.clone(),
        name: step.name.clone(),
        command: step.command.clone(),
        push_date: push_date.to_string(),
        record: record.clone(),
        what: format!(
            "run step {} for the push on {push_date}: sh -c {} (in {})",
            step.name,
            shell_quote(&step.command),
            top.display()
        ),
    });
    console.out.flush()?;
    if runner.carry_out(repo, console, plan, "Run it?")? == crate::plan::Outcome::DryRun {
        return Ok(());
    }
    let Some(done) = steps::load(repo, &step.name)? else {
        return Err(anyhow::anyhow!(
            "the step {} ran, but {} is missing",
            step.name,
            record.display()
        ));
    };
    match done.run_for(push_date) {
        StepRun::Succeeded => {
            writeln!(
                console.err,
                "step {}: succeeded, recorded for the push on {push_date}",
                step.name
            )?;
            Ok(())
        }
        _ => refuse(
            Refusal::new(format!(
                "step {} failed ({}); recorded as failed for the push on {push_date}",
                step.name,
                done.status()
            ))
            .hint(format!(
                "fix what it says, then run it again: git push-duty step {}",
                step.name
            )),
        ),
    }
}

fn list(
    repo: &gix::Repository,
    console: &mut Console<'_>,
    configured: &[steps::Step],
    push_date: chrono::NaiveDate,
) -> Result<()> {
    if configured.is_empty() {
        return refuse(no_steps());
    }
    for step in configured {
        let state = match steps::load(repo, &step.name)? {
            None => StepRun::NotRun,
            Some(record) => record.run_for(push_date),
        };
        let state = match state {
            StepRun::NotRun => "not run for this push".to_owned(),
            StepRun::Succeeded => "ran for this push".to_owned(),
            StepRun::Failed { status } => format!("failed for this push ({status})"),
        };
        writeln!(console.out, "{}\t{state}\t{}", step.name, step.command)?;
    }
    Ok(())
}

fn unknown(name: &str, configured: &[steps::Step]) -> Refusal {
    if configured.is_empty() {
        return Refusal::usage(format!("there is no step {name:?}: {}", no_steps()))
            .hint(add_hint());
    }
    let names: Vec<&str> = configured.iter().map(|s| s.name.as_str()).collect();
    Refusal::usage(format!(
        "there is no step {name:?}; the steps are: {}",
        names.join(", ")
    ))
    .hint(format!("git push-duty step {}", names[0]))
}

fn no_steps() -> Refusal {
    Refusal::configuration(format!("no steps are configured ({STEP} is not set)")).hint(add_hint())
}

fn add_hint() -> String {
    format!(
        "add one to the team file: git config --file .pushduty --add {STEP} \"extract-l10n ./scripts/extract-l10n.sh\""
    )
}

/// `text` as one shell word, for showing a command.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
