//! `git push-duty topic`: the chat topic for a push (its date, hero and notes link), printed, and
//! with `--set` set in the team's Matrix room and Slack channel.

use anyhow::Result;
use chrono::NaiveDate;

use crate::chat;
use crate::config::week::Week;
use crate::config::{NOTES_URL, TOPIC_FORMAT};
use crate::console::Console;
use crate::context::Context;
use crate::error::Refusal;
use crate::plan::{Effect, Mode, Outcome, Plan, Runner};
use crate::week::topic::{self, TopicError, TopicPush};

/// Print the chat topic for the current push: its date, its hero and its notes link.
///
/// Once a push is complete, the push hero sets the topic of the team's channels to the next
/// push's: that is --next. The notes link is made from pushduty.notesUrl (BASE/YYYY/MM/DD.md).
/// pushduty.topicFormat words it with the placeholders {date} {weekday} {hero} {notes}.
///
/// --set also sets it: a Matrix room's m.room.topic through the client-server API
/// (pushduty.matrix.homeserver, pushduty.matrix.room; token from PUSH_DUTY_MATRIX_TOKEN) and a
/// Slack channel's topic through conversations.setTopic (pushduty.slack.channel; token from
/// PUSH_DUTY_SLACK_TOKEN). Tokens are read from the environment only and never printed.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The topic for the push after the current one (what the hero sets once a push is done).
    #[arg(long)]
    pub next: bool,
    /// The push date, YYYY-MM-DD (default: the current push, the one next-tag would tag).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::value::date())]
    pub date: Option<NaiveDate>,
    /// Set the topic of the configured Matrix room and Slack channel.
    #[arg(long)]
    pub set: bool,
    /// With --set: show what would be set, and send nothing.
    #[arg(long, requires = "set")]
    pub dry_run: bool,
    /// With --set: do not ask (needed off a terminal).
    #[arg(long, short = 'y', requires = "set")]
    pub yes: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let week = Week::load(repo)?;
    let rotation = week.rotation()?;
    let notes = week.notes()?;
    let chats = week.chat()?;
    let date = super::notes::push_date(&rotation, ctx.today()?, args.date, args.next)?;
    let hero = rotation
        .hero_on(date)
        .map_err(|e| Refusal::configuration(e.to_string()))?
        .to_owned();
    let push = TopicPush {
        date,
        hero,
        notes: notes.url(date),
    };
    let format = chats.format.as_ref();
    let line = topic::line(&push, format.map(|s| s.value.as_str())).map_err(|e| match (&e, format)
    {
        (TopicError::NoNotesLink, Some(s)) => Refusal::configuration(format!(
            "{TOPIC_FORMAT} (set in {}) names {{notes}}, but {NOTES_URL} is not set, so there is no notes link",
            s.origin
        ))
        .hint(format!(
            "set the notes directory's web address: git config --file {} {NOTES_URL} https://github.com/OWNER/REPO/blob/main/releases",
            week.team_file().display()
        )),
        (_, Some(s)) => Refusal::configuration(format!(
            "{TOPIC_FORMAT} = {:?} (set in {}): {e}",
            s.value, s.origin
        ))
        .hint(format!("correct it in {}", s.origin)),
        (_, None) => Refusal::new(e.to_string()),
    })?;
    writeln!(console.out, "{line}")?;
    if !args.set {
        return Ok(());
    }
    let mut plan = Plan::default();
    for chat in chat::configured(&chats, &line)? {
        plan.push(Effect::SetTopic {
            what: format!("set the topic of {}", chat.describe()),
            chat,
            topic: line.clone(),
        });
    }
    plan.push(Effect::WriteFile {
        path: chat::record_path(repo),
        contents: chat::record(date, &line),
        what: format!("record that the topic names the push on {date}"),
    });
    let mode = Mode {
        dry_run: args.dry_run,
        yes: args.yes,
    };
    if Runner::new(mode).carry_out_files(console, plan, "Set the topic?")? == Outcome::Done {
        writeln!(console.err, "topic set")?;
    }
    Ok(())
}
