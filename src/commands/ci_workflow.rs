//! `git push-duty ci-workflow github|gitlab`: print a CI workflow for the security mirror's own
//! repository on a forge that runs no server hooks (github.com), or as a second line of defence
//! (GitLab): on every push to its release branch and on a schedule, it checks out the mirror
//! with full history and runs `git push-duty check --mirror-only` against the public upstream,
//! failing, so the forge shows a red check and notifies, when the mirror's branch is ahead.
//! Pure text; needs no repository.

use anyhow::Result;

use crate::config::server::ServerPins;
use crate::console::Console;
use crate::error::{Refusal, refuse};

/// Print a CI workflow that checks the security mirror's main is never ahead of the upstream's.
///
/// github.com runs no server hooks, so nothing there can refuse a push to the mirror's main that
/// is not on the upstream yet (a push with --no-verify, from a clone without the hook, the web
/// merge button). This workflow is the next best thing: it runs on every push to the mirror's
/// release branch and on a schedule, checks the mirror out with full history, installs
/// git-push-duty, fetches the upstream's live release branch and runs
/// git push-duty check --mirror-only, which fails when the mirror's branch has commits the
/// upstream's lacks, listing them. Commit the output to the mirror's release branch as
/// .github/workflows/push-duty.yml (GitHub) or .gitlab-ci.yml (GitLab; add a pipeline schedule
/// under CI/CD > Schedules), and protect the branch: see the README's server guard section.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Which forge's CI.
    #[arg(value_enum)]
    pub forge: Forge,
    /// The public upstream's URL, fetched anonymously.
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// The release branch of both repositories.
    #[arg(long, value_name = "BRANCH", default_value = crate::config::BRANCH_DEFAULT)]
    pub branch: String,
    /// When the scheduled check runs, as a cron expression (UTC); GitLab takes it in its
    /// pipeline schedule instead.
    #[arg(long, value_name = "CRON", default_value = "17 * * * *")]
    pub schedule: String,
    /// The shell command that installs git-push-duty in the job.
    #[arg(long, value_name = "COMMAND", default_value = INSTALL_DEFAULT)]
    pub install: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Forge {
    /// A GitHub Actions workflow (.github/workflows/push-duty.yml).
    Github,
    /// A GitLab CI job (.gitlab-ci.yml).
    Gitlab,
}

/// How the job installs git-push-duty unless told otherwise.
pub const INSTALL_DEFAULT: &str = "cargo install --locked git-push-duty";

pub fn run(console: &mut Console<'_>, args: &Args) -> Result<()> {
    // The same checks as the server guard's: a URL that can be fetched, a real branch name.
    let pins = ServerPins::new(&args.upstream, &args.branch)?;
    // GitHub evaluates `${{ ... }}` anywhere in a workflow, quoted or not.
    for (flag, value) in [
        ("--upstream", &pins.upstream),
        ("--branch", &pins.branch),
        ("--install", &args.install),
    ] {
        if value.contains("${{") {
            return refuse(Refusal::usage(format!(
                "{flag} {value:?} holds `${{{{`, which the forge would evaluate as an expression"
            )));
        }
    }
    let cron_fields = args.schedule.split_whitespace().count();
    if cron_fields != 5 || args.schedule.contains(['"', '\n', '\\']) {
        return refuse(Refusal::usage(format!(
            "--schedule {:?} is not a cron expression of five fields",
            args.schedule
        )));
    }
    if args.install.contains('\n') || args.install.trim().is_empty() {
        return refuse(Refusal::usage("--install must be one line of shell"));
    }
    let text = match args.forge {
        Forge::Github => github(&pins, &args.schedule, &args.install),
        Forge::Gitlab => gitlab(&pins, &args.install),
    };
    console.out.write_all(text.as_bytes())?;
    Ok(())
}

/// A YAML double-quoted scalar holding `text`.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The check both forges run, in the job's checkout of the mirror (its `origin`), with
/// `PUSH_DUTY_UPSTREAM` and `PUSH_DUTY_BRANCH` set. git fetches both branches (with the job's
/// credentials for the private mirror); the check then compares exactly what was fetched.
pub const CHECK_SCRIPT: &str = r#"set -eu
git remote add push-duty-upstream "$PUSH_DUTY_UPSTREAM"
git config pushduty.upstream push-duty-upstream
git config pushduty.security origin
git config pushduty.branch "$PUSH_DUTY_BRANCH"
git fetch --no-tags push-duty-upstream "+refs/heads/$PUSH_DUTY_BRANCH:refs/remotes/push-duty-upstream/$PUSH_DUTY_BRANCH"
git fetch --no-tags origin "+refs/heads/$PUSH_DUTY_BRANCH:refs/remotes/origin/$PUSH_DUTY_BRANCH"
git push-duty check --mirror-only --offline
"#;

fn indented(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| format!("{pad}{l}\n"))
        .collect::<String>()
}

fn github(pins: &ServerPins, schedule: &str, install: &str) -> String {
    format!(
        r#"# The security mirror's guard on github.com, which runs no server hooks. Written by
# `git push-duty ci-workflow github`; commit it to the mirror's {branch} as
# .github/workflows/push-duty.yml. It fails (a red check, and a notification) when the mirror's
# {branch} has a commit that the upstream's {branch} does not: publish it upstream first.
name: push-duty mirror check
on:
  push:
    branches: [{branch_q}]
  schedule:
    - cron: {cron}
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: push-duty-mirror-check
  cancel-in-progress: false
jobs:
  mirror-not-ahead:
    name: the mirror's {branch} is not ahead of the upstream's
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      PUSH_DUTY_UPSTREAM: {upstream}
      PUSH_DUTY_BRANCH: {branch_q}
    steps:
      - name: Check out the mirror with full history
        uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Install git-push-duty
        run: {install}
      - name: Check the mirror against the upstream
        run: |
{script}"#,
        branch = pins.branch,
        branch_q = quoted(&pins.branch),
        cron = quoted(schedule),
        upstream = quoted(&pins.upstream),
        install = quoted(install),
        script = indented(CHECK_SCRIPT, 10),
    )
}

fn gitlab(pins: &ServerPins, install: &str) -> String {
    format!(
        r#"# The security mirror's check on GitLab. Written by `git push-duty ci-workflow gitlab`;
# commit it to the mirror's {branch} as .gitlab-ci.yml (or include it from there), and add a
# pipeline schedule (CI/CD > Schedules) so that it also runs when nobody pushes. It fails when
# the mirror's {branch} has a commit that the upstream's {branch} does not: publish it upstream
# first. On a GitLab you run yourself, the pre-receive server guard refuses such a push outright:
# git push-duty hooks install --server.
push-duty-mirror-check:
  image: rust:latest
  variables:
    GIT_STRATEGY: clone
    GIT_DEPTH: "0"
    PUSH_DUTY_UPSTREAM: {upstream}
    PUSH_DUTY_BRANCH: {branch_q}
  rules:
    - if: '$CI_PIPELINE_SOURCE == "schedule"'
    - if: '$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $PUSH_DUTY_BRANCH'
  script:
    - {install}
    - |
{script}"#,
        branch = pins.branch,
        branch_q = quoted(&pins.branch),
        upstream = quoted(&pins.upstream),
        install = quoted(install),
        script = indented(CHECK_SCRIPT, 6),
    )
}
