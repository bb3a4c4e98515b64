//! One context per run, as jj's `CommandHelper`: what every command reads about the repository
//! it works in (the settings, the release branch, the upstream remote and its listings, narrow and
//! whole, each made at most once) and
//! about the process (today), each read once and passed down. No module below the commands reads
//! the clock, the environment or the upstream on its own.
//!
//! A run may work in several repositories (the train of `--all`): [`Context::for_repository`]
//! builds the context of another one, sharing this run's [`Invocation`] (the same today, so the
//! same push date).

use std::cell::OnceCell;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;

use crate::config::{self, Settings};
use crate::error::{Kind, Refusal};
use crate::git::{self, remote::RemoteRefs};

/// What the process knows once for the whole run: today (`PUSH_DUTY_TODAY`, or the local date),
/// read the first time a command asks for it.
#[derive(Debug, Default)]
pub struct Invocation {
    today: OnceCell<NaiveDate>,
}

impl Invocation {
    /// An invocation that reads today from the environment when first asked.
    pub fn new() -> Self {
        Invocation::default()
    }

    /// An invocation on a given day (tests, and a train that must agree on one).
    pub fn on(today: NaiveDate) -> Self {
        Invocation {
            today: OnceCell::from(today),
        }
    }

    /// Today's date, read once.
    pub fn today(&self) -> Result<NaiveDate> {
        if let Some(today) = self.today.get() {
            return Ok(*today);
        }
        let today = config::today()?;
        Ok(*self.today.get_or_init(|| today))
    }
}

/// The upstream remote as this run resolved it.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The remote's name (`pushduty.upstream`, default `upstream`).
    pub name: String,
    /// Where a push to it goes: its `pushurl`, or the fetch URL after `pushInsteadOf`.
    pub push_url: Option<String>,
    /// The URLs a compare link can be made from, best first.
    pub link_urls: Vec<String>,
}

/// The context of one repository for one run.
pub struct Context<'run> {
    pub repo: &'run gix::Repository,
    pub invocation: &'run Invocation,
    pub settings: Settings,
    /// The release branch (`pushduty.branch`, the pinned one, the upstream's default).
    pub branch: String,
    upstream: OnceCell<Upstream>,
    listing: OnceCell<RemoteRefs>,
    /// A listing of the release branch and the tags of some prefixes only, with the prefixes.
    tag_listing: OnceCell<(Vec<String>, RemoteRefs)>,
}

impl<'run> Context<'run> {
    /// Reads the settings of `repo` and decides its release branch. A malformed setting is a
    /// configuration error naming the key.
    pub fn new(repo: &'run gix::Repository, invocation: &'run Invocation) -> Result<Self> {
        let settings = Settings::load(repo).map_err(as_configuration)?;
        let branch = settings.branch(repo).map_err(as_configuration)?;
        Ok(Context {
            repo,
            invocation,
            settings,
            branch,
            upstream: OnceCell::new(),
            listing: OnceCell::new(),
            tag_listing: OnceCell::new(),
        })
    }

    /// The context of another repository of the same run (a repository of the train), with the
    /// same today.
    pub fn for_repository<'other>(
        &'other self,
        repo: &'other gix::Repository,
    ) -> Result<Context<'other>> {
        Context::new(repo, self.invocation)
    }

    /// Today's date, the same for every repository of the run.
    pub fn today(&self) -> Result<NaiveDate> {
        self.invocation.today()
    }

    /// The upstream remote, resolved once; refused if there is no remote of that name.
    pub fn upstream(&self) -> Result<&Upstream> {
        if let Some(upstream) = self.upstream.get() {
            return Ok(upstream);
        }
        let name = self.settings.upstream.clone();
        let remote = git::remote::find(self.repo, &name, config::UPSTREAM)?;
        let upstream = Upstream {
            push_url: git::remote::url(&remote, gix::remote::Direction::Push),
            link_urls: git::remote::link_urls(self.repo, &name),
            name,
        };
        Ok(self.upstream.get_or_init(|| upstream))
    }

    /// The upstream's branches and tags as it lists them now: listed once per run, whoever asks
    /// first, so every decision of the run is made from the same listing. Nothing is fetched.
    pub fn listing(&self) -> Result<&RemoteRefs> {
        if let Some(listing) = self.listing.get() {
            return Ok(listing);
        }
        let name = &self.upstream()?.name;
        let specs = [
            "refs/heads/*:refs/heads/*".to_owned(),
            "refs/tags/*:refs/tags/*".to_owned(),
        ];
        let listed = git::remote::list(self.repo, name, config::UPSTREAM, &specs)?;
        crate::plan::fault_point("upstream-listed");
        Ok(self.listing.get_or_init(|| listed))
    }

    /// The upstream's release branch and those of its tags whose short names start with one of
    /// `tag_prefixes` (`2026`), as it lists them now: the server is asked for those prefixes
    /// only (protocol v2 `ref-prefix`), so a long-lived upstream's 100,000 tags are not sent and
    /// decoded for the few that can matter. Listed once per run; when the whole listing
    /// ([`Context::listing`]) was made already, or other prefixes were asked for before, that
    /// whole listing is the answer (it holds all of them). Only what names tags (`next-tag`,
    /// `tag`) uses it: the guard's checks never see a narrowed listing, and `tag`'s check that
    /// its picks are public takes only a yes from it (a no is decided on the whole listing).
    pub fn tag_listing(&self, tag_prefixes: &[String]) -> Result<&RemoteRefs> {
        if let Some(listing) = self.listing.get() {
            return Ok(listing);
        }
        if let Some((prefixes, listing)) = self.tag_listing.get() {
            if prefixes.as_slice() == tag_prefixes {
                return Ok(listing);
            }
            return self.listing();
        }
        let name = &self.upstream()?.name;
        let branch = format!("refs/heads/{}", self.branch);
        let specs: Vec<String> = std::iter::once(format!("{branch}:{branch}"))
            .chain(
                tag_prefixes
                    .iter()
                    .map(|p| format!("refs/tags/{p}*:refs/tags/{p}*")),
            )
            .collect();
        let listed = git::remote::list(self.repo, name, config::UPSTREAM, &specs)?;
        crate::plan::fault_point("upstream-listed");
        let (_, listing) = self
            .tag_listing
            .get_or_init(|| (tag_prefixes.to_vec(), listed));
        Ok(listing)
    }

    /// The push date: `--date` as given, else the next push day on or after today.
    pub fn push_date(&self, flag: Option<NaiveDate>) -> Result<PushDate> {
        if let Some(date) = flag {
            return Ok(PushDate {
                date,
                source: DateSource::Flag,
            });
        }
        let today = self.today()?;
        let date = self
            .settings
            .schedule
            .next_push_date(today)
            .map_err(|e| anyhow::Error::new(Refusal::configuration(e.to_string())))?;
        Ok(PushDate {
            date,
            source: DateSource::Calendar,
        })
    }

    /// The state directory of this repository (`<common git dir>/push-duty`).
    pub fn state_dir(&self) -> std::path::PathBuf {
        config::state_dir(self.repo)
    }
}

/// The push date a command works for, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushDate {
    pub date: NaiveDate,
    pub source: DateSource,
}

/// Where the push date came from, for messages and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// `--date`.
    Flag,
    /// The calendar, from today.
    Calendar,
}

/// A refusal from reading the settings is a configuration error; anything else is left as it is.
fn as_configuration(mut err: anyhow::Error) -> anyhow::Error {
    if let Some(refusal) = err.downcast_mut::<Refusal>()
        && refusal.kind() == Kind::Refused
    {
        *refusal = refusal.clone().with_kind(Kind::Configuration);
    }
    err
}

/// Where this binary is: what the installed hook runs. Here, with the run's other facts about
/// the process, as the one copy: `hooks` writes it into the shim, and `check`, `status` and
/// `hooks status` compare the shim with it.
pub fn this_binary() -> Result<std::path::PathBuf> {
    std::env::current_exe().context("cannot tell where git-push-duty is installed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invocation_reads_today_once_and_a_given_day_is_kept() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let invocation = Invocation::on(day);
        assert_eq!(invocation.today().expect("today"), day);
        assert_eq!(invocation.today().expect("today"), day);
    }

    #[test]
    fn a_settings_refusal_becomes_a_configuration_error_with_its_hints() {
        let err =
            anyhow::Error::new(Refusal::new("pushduty.cadence = 0 is not a number").hint("fix it"));
        let err = as_configuration(err);
        let refusal = err.downcast_ref::<Refusal>().expect("a refusal");
        assert_eq!(refusal.kind(), Kind::Configuration);
        assert_eq!(refusal.hints(), ["fix it"]);
        assert_eq!(refusal.to_string(), "pushduty.cadence = 0 is not a number");
    }
}
