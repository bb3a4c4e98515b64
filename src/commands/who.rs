//! `git push-duty who`: who pushes on the current push date and the next ones, from the
//! rotation in the team file, as lines, JSON or an iCalendar feed.

use anyhow::Result;
use chrono::NaiveDate;

use crate::config::week::Week;
use crate::console::Console;
use crate::context::Context;
use crate::week::ics;
use crate::week::rotation::{Push, Rotation};

/// Show who is push hero for the current push and the next ones.
///
/// The rotation is pushduty.hero (multi-valued, in order) in the team file, starting with the
/// first hero on pushduty.anchor, a push date. The calendar (pushduty.pushDay, cadence, skip)
/// decides the push dates: a skipped push is shown as skipped and uses up nobody's turn.
/// pushduty.swap = "DATE NAME" gives one push to someone else and changes no other turn.
///
/// The current push is the push date next-tag would use: the first push date on or after today.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Start from the first push date on or after this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::value::date())]
    pub date: Option<NaiveDate>,
    /// How many pushes after the current one to show (skipped ones are shown but not counted).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(0..=520))]
    pub weeks: u16,
    /// Print a JSON list of {date, hero, skipped}, the current push first.
    #[arg(long, conflicts_with = "ics")]
    pub json: bool,
    /// Print the pushes as an iCalendar feed (RFC 5545) a team calendar can subscribe to: one
    /// all-day event per push, with a UID that stays the same from run to run.
    #[arg(long)]
    pub ics: bool,
}

pub fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    let repo = ctx.repo;
    let week = Week::load(repo)?;
    let rotation = week.rotation()?;
    let from = match args.date {
        Some(date) => date,
        None => ctx.today()?,
    };
    let pushes = upcoming(&rotation, from, usize::from(args.weeks))?;
    if args.json {
        serde_json::to_writer_pretty(&mut *console.out, &pushes)?;
        writeln!(console.out)?;
    } else if args.ics {
        let notes = week.notes()?;
        let identity = identity(repo, &week.settings.upstream, &week.top);
        let calendar = ics::Calendar {
            name: Some(format!("Push duty ({identity})")),
            events: ics::push_events(&pushes, &identity, |date| notes.url(date)),
        };
        // The stamp is the day the feed is made, so the same day gives the same feed.
        let stamp = from_date(ctx.today()?);
        write!(console.out, "{}", ics::render(&calendar, stamp))?;
    } else {
        for (i, push) in pushes.iter().enumerate() {
            writeln!(console.out, "{}", line(push, i == 0))?;
        }
    }
    Ok(())
}

/// The current push on or after `from` and the `count` after it, as the rotation has them; a
/// rotation error names the rule it broke.
pub fn upcoming(rotation: &Rotation, from: NaiveDate, count: usize) -> Result<Vec<Push>> {
    rotation
        .upcoming(from, count)
        .map_err(|e| crate::error::Refusal::configuration(e.to_string()).into())
}

/// `2026-12-03 Thursday  eviljeff  (current push)`.
fn line(push: &Push, current: bool) -> String {
    let date = push.date.format("%Y-%m-%d %a");
    let mut text = match &push.hero {
        Some(hero) if !push.skipped => format!("{date}  {hero}"),
        _ => format!("{date}  (skipped: no push)"),
    };
    if push.swapped {
        text.push_str("  (swap)");
    }
    if current {
        text.push_str("  (current push)");
    }
    text
}

/// What names this team's feed in its UIDs: the upstream's web path (`github.com/mozilla/x`), else
/// its first URL, else the top directory's name. The same on every clone of the same upstream.
fn identity(repo: &gix::Repository, upstream: &str, top: &std::path::Path) -> String {
    let urls = crate::git::remote::link_urls(repo, upstream);
    if let Some(web) = urls
        .iter()
        .find_map(|url| crate::forge::WebRepo::from_url(url))
    {
        return format!("{}/{}", web.host, web.path);
    }
    match urls.first() {
        Some(url) => url.clone(),
        None => top
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "push-duty".into()),
    }
}

fn from_date(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists on every date")
        .and_utc()
}
