//! The upstream's calendar tags and branch as seen now: every calendar tag the upstream lists
//! (the truth) and this clone has, the upstream branch's tip as listed, and from those, for a
//! push date, the next tag's name and its predecessor. Shared by `next-tag` (which only lists),
//! `tag` (which then fetches the objects it needs, writing no ref) and, for the tags alone
//! ([`CalendarTags`]), `compare`. Everything comes from the run's [`Context`]: its one listing of
//! the upstream, its today, its release branch.

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use gix::ObjectId;

use crate::config;
use crate::context::{Context, DateSource};
use crate::error::{Refusal, refuse};
use crate::git::{self, remote::RemoteRefs};
use crate::tags::{CalendarTag, Lineage};

/// How the upstream is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// List the upstream's refs (the run's one listing); change nothing locally.
    List,
    /// Use local tags and `refs/remotes/<upstream>/<branch>` only.
    Offline,
}

/// Which calendar tags are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every tag, here and on the upstream.
    All,
    /// Those of the push date's year and the year before (the previous push's), here and on the
    /// upstream, read by their names' prefixes (offline, the push date's year alone first);
    /// every tag after all when those hold no earlier tag to count from (a team that did not
    /// push for a year, or whose upstream has none of them), so the answers are those
    /// [`Scope::All`] gives.
    PushDate,
    /// As [`Scope::PushDate`], for a run that must also find these tags in the upstream's
    /// listing (`tag --from TAG`, the tag of a stopped run's record): every tag when one of them
    /// is outside those two years, since the upstream is then asked for those years only, and
    /// when one is a calendar tag whose own last push is outside them (what a stopped run's tag
    /// ships is counted from it).
    PushDateAnd(&'a [&'a str]),
}

/// Everything the tag commands decide from.
#[derive(Debug, Clone)]
pub struct UpstreamTags {
    pub upstream: String,
    /// The upstream's URLs a compare link can be made from, best first.
    pub link_urls: Vec<String>,
    /// Where a push to the upstream goes: its `pushurl`, or the fetch URL after `pushInsteadOf`.
    pub upstream_push_url: Option<String>,
    pub branch: String,
    pub push_date: NaiveDate,
    pub date_source: DateSource,
    pub offline: bool,
    /// Remote and local calendar tags together.
    pub lineage: Lineage,
    /// What the upstream listed (empty offline).
    pub remote: RemoteRefs,
    /// The upstream branch's tip: as listed, or the tracking ref offline.
    pub branch_tip: Option<ObjectId>,
    pub next: CalendarTag,
}

impl UpstreamTags {
    /// The upstream as the run's context sees it (as `reach` allows), with the local tags, for
    /// the push date `date` (`--date`) or the calendar's.
    pub fn see(
        ctx: &Context<'_>,
        date: Option<NaiveDate>,
        reach: Reach,
        scope: Scope<'_>,
    ) -> Result<Self> {
        let repo = ctx.repo;
        let push = ctx.push_date(date)?;
        let upstream = ctx.upstream()?.clone();
        let branch = ctx.branch.clone();
        let format = &ctx.settings.tag_format;
        // Offline, reading this year's tags first costs nothing more when they hold no earlier
        // push; online, the upstream is asked once, for both years.
        let also: &[&str] = match scope {
            Scope::PushDateAnd(names) => names,
            _ => &[],
        };
        let windows = match (scope, window(format, push.date)) {
            (Scope::All, _) | (_, None) => Vec::new(),
            (_, Some(years))
                if reach == Reach::List
                    && !also
                        .iter()
                        .all(|name| years.iter().any(|year| name.starts_with(year.as_str()))) =>
            {
                Vec::new()
            }
            (_, Some([last_year, this_year])) => match reach {
                Reach::Offline => vec![vec![this_year.clone()], vec![last_year, this_year]],
                Reach::List => vec![vec![last_year, this_year]],
            },
        };
        let mut seen = None;
        for prefixes in windows {
            let remote_refs = match reach {
                Reach::List => ctx.tag_listing(&prefixes)?.clone(),
                Reach::Offline => RemoteRefs::default(),
            };
            let mut names = git::local_tag_names_with(repo, &prefixes)?;
            names.extend(remote_refs.tag_names());
            let lineage = Lineage::new(format, &names);
            let offline = reach == Reach::Offline;
            let pushed = lineage
                .only(|name| offline || remote_refs.find(&format!("refs/tags/{name}")).is_some());
            // A named calendar tag (a stopped run's, whose shipment is counted) needs its own
            // last push in the window too: 2025.01.02 is listed for a push in 2026, but the
            // push before it, 2024.12.26, is not, and it would be counted from nothing.
            let counted_from = std::iter::once(CalendarTag::base(push.date))
                .chain(also.iter().filter_map(|name| lineage.parse(name)))
                .all(|tag| pushed.last_push(&tag).is_some());
            if counted_from {
                seen = Some((remote_refs, lineage));
                break;
            }
        }
        let (remote_refs, lineage) = match seen {
            Some(seen) => seen,
            None => {
                let remote_refs = match reach {
                    Reach::List => ctx.listing()?.clone(),
                    Reach::Offline => RemoteRefs::default(),
                };
                let mut names = git::local_tag_names(repo)?;
                names.extend(remote_refs.tag_names());
                let lineage = Lineage::new(format, &names);
                (remote_refs, lineage)
            }
        };
        let branch_tip = match reach {
            Reach::Offline => {
                git::ref_commit(repo, &format!("refs/remotes/{}/{branch}", upstream.name))?
            }
            Reach::List => remote_refs
                .find(&format!("refs/heads/{branch}"))
                .map(|r| r.peeled),
        };
        let Some(next) = lineage.next_for(push.date) else {
            let latest = lineage
                .latest_for(push.date)
                .expect("no next revision means the highest one exists");
            return refuse(
                Refusal::new(format!(
                    "{latest} has the highest revision number there is: no later revision of {} can be named",
                    lineage.name(&CalendarTag::base(push.date))
                ))
                .hint("name another push date: --date YYYY-MM-DD"),
            );
        };
        Ok(UpstreamTags {
            upstream: upstream.name,
            link_urls: upstream.link_urls,
            upstream_push_url: upstream.push_url,
            branch,
            push_date: push.date,
            date_source: push.source,
            offline: reach == Reach::Offline,
            lineage,
            remote: remote_refs,
            branch_tip,
            next,
        })
    }

    /// Fetches the objects of the upstream branch and of `tags` that the upstream has, writing
    /// no ref. Nothing to do offline.
    pub fn fetch_objects(&self, repo: &gix::Repository, tags: &[&str]) -> Result<()> {
        if self.offline {
            return Ok(());
        }
        let listed: Vec<&git::remote::RemoteRef> =
            std::iter::once(format!("refs/heads/{}", self.branch))
                .chain(tags.iter().map(|t| format!("refs/tags/{t}")))
                .filter_map(|r| self.remote.find(&r))
                .collect();
        git::remote::fetch_as_listed(repo, &self.upstream, config::UPSTREAM, &listed)
    }

    /// The calendar tag before the next one.
    pub fn previous(&self) -> Option<&str> {
        self.lineage.previous(&self.next)
    }

    /// The commit a tag name points to: the upstream's (the source of truth) if it has the tag,
    /// else the local one. `None` for a tag on a tree or a blob, which names no commit (and must
    /// not stop a tag being made).
    pub fn tag_commit(&self, repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>> {
        tag_commit(&self.remote, repo, name)
    }

    /// Fetches the objects of those of `tags` that the upstream has and this clone lacks, writing
    /// no ref; nothing to do offline or when all are here.
    pub fn fetch_tags(&self, repo: &gix::Repository, tags: &[&str]) -> Result<()> {
        fetch_tags(&self.remote, &self.upstream, self.offline, repo, tags)
    }

    /// The latest revision of this push date's tag when it exists only in this clone (made with
    /// `tag --no-push`): the upstream was listed and has no tag of that name. `None` offline,
    /// where that cannot be known.
    pub fn latest_only_here(&self) -> Option<&str> {
        let latest = self.latest_for_push_date()?;
        (!self.offline && self.remote.find(&format!("refs/tags/{latest}")).is_none())
            .then_some(latest)
    }

    /// The command that pushes a tag that is only here.
    pub fn push_tag_command(&self, name: &str) -> String {
        format!("git push {} refs/tags/{name}", self.upstream)
    }

    /// `(here, upstream)` when this clone's tag `name` points to another commit than the
    /// upstream's (an old tag, one made before a colleague's): the upstream's is the one used.
    /// Only words hang on it (a warning; the upstream's is used either way), so a tag that
    /// cannot be read gives none.
    pub fn diverging_tag(
        &self,
        repo: &gix::Repository,
        name: &str,
    ) -> Option<(ObjectId, ObjectId)> {
        diverging(&self.remote, repo, name).ok().flatten()
    }

    /// The latest revision of this push date's tag (`BASE` or its highest `-N`).
    pub fn latest_for_push_date(&self) -> Option<&str> {
        self.lineage.latest_for(self.push_date)
    }
}

/// The prefixes of the names of `format`'s tags of `push_date`'s year and the year before, the
/// previous year first; `None` where a year is not four digits (read every tag then).
fn window(format: &crate::tags::TagFormat, push_date: NaiveDate) -> Option<[String; 2]> {
    use chrono::Datelike;
    let year = push_date.year();
    Some([format.year_prefix(year - 1)?, format.year_prefix(year)?])
}

/// The commit a tag points to: as `remote` (the upstream's listing) has it, else the local tag.
/// `None` for no such tag, or a tag on a tree or a blob.
pub fn tag_commit(
    remote: &RemoteRefs,
    repo: &gix::Repository,
    name: &str,
) -> Result<Option<ObjectId>> {
    let full = format!("refs/tags/{name}");
    let id = match remote.find(&full) {
        Some(r) => r.peeled,
        None => match git::ref_peeled(repo, &full)? {
            Some(id) => id,
            None => return Ok(None),
        },
    };
    // An upstream tag not fetched yet cannot be checked here; it is once fetched.
    let header = repo
        .try_find_header(id)
        .with_context(|| format!("cannot read {full}"))?;
    Ok(match header {
        Some(h) if h.kind() != gix::object::Kind::Commit => None,
        _ => Some(id),
    })
}

/// `(here, upstream)` when this clone's tag `name` points elsewhere than the upstream's (as
/// listed in `remote`); `None` when either has no tag of that name.
fn diverging(
    remote: &RemoteRefs,
    repo: &gix::Repository,
    name: &str,
) -> Result<Option<(ObjectId, ObjectId)>> {
    let full = format!("refs/tags/{name}");
    let Some(upstream) = remote.find(&full).map(|r| r.peeled) else {
        return Ok(None);
    };
    let Some(here) = git::ref_peeled(repo, &full)? else {
        return Ok(None);
    };
    Ok((here != upstream).then_some((here, upstream)))
}

/// Fetches (objects only, no ref) those of `tags` that the upstream listed in `remote` has and
/// whose object is not here yet.
fn fetch_tags(
    remote: &RemoteRefs,
    upstream: &str,
    offline: bool,
    repo: &gix::Repository,
    tags: &[&str],
) -> Result<()> {
    if offline {
        return Ok(());
    }
    let mut missing: Vec<&git::remote::RemoteRef> = Vec::new();
    for tag in tags {
        let full = format!("refs/tags/{tag}");
        if let Some(r) = remote.find(&full)
            && !repo.has_object(r.peeled)
            && !missing.iter().any(|m| m.name == full)
        {
            missing.push(r);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    git::remote::fetch_as_listed(repo, upstream, config::UPSTREAM, &missing)
}

/// The calendar tags the upstream and this clone know, for a command that looks at tags only
/// (`compare`): the upstream's are listed and are the truth; a local tag counts where the
/// upstream has none of its name.
#[derive(Debug, Clone)]
pub struct CalendarTags {
    pub upstream: String,
    pub offline: bool,
    /// The upstream's tags as listed (empty offline).
    pub remote: RemoteRefs,
    pub lineage: Lineage,
}

impl CalendarTags {
    /// The upstream's tags from the run's listing (unless offline) and the local ones; changes
    /// nothing.
    pub fn see(ctx: &Context<'_>, reach: Reach) -> Result<Self> {
        let repo = ctx.repo;
        let upstream = ctx.settings.upstream.as_str();
        let remote = match reach {
            Reach::List => ctx.listing()?.clone(),
            Reach::Offline => RemoteRefs::default(),
        };
        let mut names = git::local_tag_names(repo)?;
        names.extend(remote.tag_names());
        Ok(CalendarTags {
            upstream: upstream.to_owned(),
            offline: reach == Reach::Offline,
            lineage: Lineage::new(&ctx.settings.tag_format, &names),
            remote,
        })
    }

    /// The commit `name` points to, the upstream's first; see [`tag_commit`].
    pub fn commit(&self, repo: &gix::Repository, name: &str) -> Result<Option<ObjectId>> {
        tag_commit(&self.remote, repo, name)
    }

    /// True if the tag is known here or on the upstream.
    pub fn exists(&self, repo: &gix::Repository, name: &str) -> Result<bool> {
        Ok(self.remote.find(&format!("refs/tags/{name}")).is_some()
            || git::local_tag_exists(repo, name)?)
    }

    /// `(here, upstream)` when this clone's tag `name` points to another commit than the
    /// upstream's.
    pub fn diverging(
        &self,
        repo: &gix::Repository,
        name: &str,
    ) -> Result<Option<(ObjectId, ObjectId)>> {
        diverging(&self.remote, repo, name)
    }

    /// Fetches the objects of those of `tags` the upstream has and this clone lacks.
    pub fn fetch(&self, repo: &gix::Repository, tags: &[&str]) -> Result<()> {
        fetch_tags(&self.remote, &self.upstream, self.offline, repo, tags)
    }
}
