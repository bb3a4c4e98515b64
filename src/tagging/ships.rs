//! What a calendar tag ships: the commits since the last push (the latest revision of the
//! previous push date's tag, which production runs until this tag ships) and, for a revision,
//! those since the previous revision, each with its compare link. `tag` shows it before it tags
//! (from the commits it built in memory), `compare` afterwards; QA and ops read it.

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::git::{self, pick::Picked};
use crate::tags::{CalendarTag, Lineage};

/// The earlier tags what a tag ships is counted from, as far as they were pushed: production
/// and stage run only tags the upstream has, so one that is only here (made with `--no-push`)
/// is passed over for the one before it. Offline every tag counts, as nothing else can be
/// known; so does every tag when the upstream has no calendar tag at all (tags kept elsewhere).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountedFrom {
    /// The latest revision of the latest earlier push date's tag that was pushed.
    pub last_push: Option<String>,
    /// For a revision: the revision of the same push date before it that was pushed.
    pub previous_revision: Option<String>,
    /// The last push by every tag known, when it is not the one counted from (only here).
    pub passed_over: Option<String>,
    /// At a change of `pushduty.tagFormat`, the note naming the last push of the old format.
    other_format_note: Option<String>,
}

impl CountedFrom {
    /// For `tag`, from `lineage` (every calendar tag known); `pushed` says whether the upstream
    /// has a tag.
    pub fn of(lineage: &Lineage, tag: &CalendarTag, pushed: impl Fn(&str) -> bool) -> Self {
        let mut on_upstream = lineage.only(&pushed);
        if on_upstream.latest().is_none() {
            on_upstream = lineage.clone();
        }
        let last_push = on_upstream.last_push(tag).map(str::to_owned);
        let any = lineage.last_push(tag);
        CountedFrom {
            other_format_note: lineage.other_format_note(tag),
            passed_over: any
                .filter(|name| last_push.as_deref() != Some(*name))
                .map(str::to_owned),
            last_push,
            previous_revision: on_upstream.previous_revision(tag).map(str::to_owned),
        }
    }

    /// The note for a passed-over last push, naming the upstream, or for a last push named in
    /// another format.
    pub fn note(&self, upstream: &str) -> Option<String> {
        let Some(passed) = self.passed_over.as_deref() else {
            return self.other_format_note.clone();
        };
        Some(match &self.last_push {
            Some(last) => format!(
                "note: {passed} is only here, not on {upstream}: production never ran it; counting from {last}"
            ),
            None => format!(
                "note: {passed} is only here, not on {upstream}: production never ran it, and {upstream} has no earlier calendar tag to count from"
            ),
        })
    }
}

/// One commit a tag ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    pub id: ObjectId,
    pub subject: String,
    /// For a commit `tag --cherry-pick` builds: the commit it was picked from. The new commit
    /// exists only once the tag is made, so until then it is named by this one.
    pub picked_from: Option<ObjectId>,
}

/// What a tag ships counted from an earlier tag.
#[derive(Debug, Clone)]
pub struct Since {
    /// The earlier tag's name.
    pub tag: String,
    /// The commit it points to.
    pub commit: ObjectId,
    /// The compare link (or `git log` command) from it to the tag.
    pub compare: String,
    /// Newest first.
    pub commits: Vec<Shipped>,
}

/// What one tag ships.
#[derive(Debug, Clone)]
pub struct Shipment {
    pub tag: String,
    /// Since the last push; `None` when there is no earlier push date's tag.
    pub last_push: Option<Since>,
    /// Since the revision before it, for a revision (`-N`) of a push date.
    pub previous_revision: Option<Since>,
}

/// An earlier tag to count from: its name and commit.
pub type From<'a> = (&'a str, ObjectId);

/// The tag what ships is counted up to.
#[derive(Debug, Clone, Copy)]
pub struct To<'a> {
    pub name: &'a str,
    pub commit: ObjectId,
    /// True for `tag`, which makes the tag here (the name will exist once it runs); false for
    /// `compare`, where the tag may be only on the upstream.
    pub made_here: bool,
}

impl Shipment {
    /// What `to` ships since `last_push` and `previous_revision`. `repo` must hold every commit
    /// involved (give `tag` its in-memory scratch repository); `picks` names the commits built
    /// by cherry-picking. `urls` are the upstream's link URLs.
    pub fn of(
        repo: &gix::Repository,
        to: To<'_>,
        last_push: Option<From<'_>>,
        previous_revision: Option<From<'_>>,
        picks: &[Picked],
        urls: &[String],
    ) -> Result<Self> {
        let web = urls
            .iter()
            .find_map(|url| crate::forge::WebRepo::from_url(url));
        let to_here = if to.made_here {
            to.name.to_owned()
        } else {
            spelled_here(repo, to.name, to.commit)?
        };
        let since = |from: Option<From<'_>>| -> Result<Option<Since>> {
            let Some((name, commit)) = from else {
                return Ok(None);
            };
            let mut commits = Vec::new();
            for id in git::commits_between(repo, Some(commit), to.commit)? {
                commits.push(Shipped {
                    id,
                    subject: git::subject(repo, id)?,
                    picked_from: picks.iter().find(|p| p.result == id).map(|p| p.original),
                });
            }
            // The forge has the upstream's tags; `git log` here needs names that resolve here
            // to the same commits.
            let compare = match &web {
                Some(web) => web.compare_url(name, to.name),
                None => format!(
                    "git log --oneline {}..{to_here}",
                    spelled_here(repo, name, commit)?
                ),
            };
            Ok(Some(Since {
                tag: name.to_owned(),
                commit,
                compare,
                commits,
            }))
        };
        Ok(Shipment {
            tag: to.name.to_owned(),
            last_push: since(last_push)?,
            previous_revision: since(previous_revision)?,
        })
    }

    /// The compare link from the last push.
    pub fn compare(&self) -> Option<&str> {
        self.last_push.as_ref().map(|s| s.compare.as_str())
    }

    /// The compare link from the previous revision.
    pub fn compare_revision(&self) -> Option<&str> {
        self.previous_revision.as_ref().map(|s| s.compare.as_str())
    }

    /// The `compare:` and `compare revision:` lines.
    pub fn render_links(&self) -> String {
        let mut text = String::new();
        match self.compare() {
            Some(link) => text.push_str(&format!("compare: {link}\n")),
            None => text.push_str("compare: (no earlier push date's tag)\n"),
        }
        if let Some(link) = self.compare_revision() {
            text.push_str(&format!("compare revision: {link}\n"));
        }
        text
    }

    /// The commits, one line each (short id and subject), under a line saying what they are
    /// counted from. Only ids that exist are printed: a cherry-pick not made yet is named by the
    /// commit it is picked from.
    pub fn render(&self, repo: &gix::Repository) -> String {
        let mut text = String::new();
        let block = |text: &mut String, commits: &[Shipped]| {
            for c in commits {
                match c.picked_from {
                    Some(original) => text.push_str(&format!(
                        "  {} {} (cherry-picked)\n",
                        git::short(repo, original),
                        c.subject
                    )),
                    None => text.push_str(&format!("  {} {}\n", git::short(repo, c.id), c.subject)),
                }
            }
        };
        match (&self.last_push, &self.previous_revision) {
            (None, None) => text.push_str(&format!(
                "{} is the first calendar tag: there is no earlier push to count from\n",
                self.tag
            )),
            (Some(last), revision) => {
                text.push_str(&format!(
                    "{} ships {} since the last push, {} ({}):\n",
                    self.tag,
                    count(last.commits.len()),
                    last.tag,
                    git::short(repo, last.commit)
                ));
                block(&mut text, &last.commits);
                if let Some(rev) = revision {
                    let n = rev.commits.len();
                    let of_them = match n {
                        0 => "none of them".to_owned(),
                        n if n == last.commits.len() => format!("all {n} of them"),
                        n => format!("{n} of them"),
                    };
                    text.push_str(&format!(
                        "{of_them} since the previous revision, {} ({}){}\n",
                        rev.tag,
                        git::short(repo, rev.commit),
                        if n == 0 { "" } else { ":" }
                    ));
                    block(&mut text, &rev.commits);
                }
            }
            (None, Some(rev)) => {
                text.push_str(&format!(
                    "{} ships {} since the previous revision, {} ({}){}\n",
                    self.tag,
                    count(rev.commits.len()),
                    rev.tag,
                    git::short(repo, rev.commit),
                    if rev.commits.is_empty() { "" } else { ":" }
                ));
                block(&mut text, &rev.commits);
            }
        }
        text
    }
}

/// How to name tag `name` (pointing to `commit`) in a git command here: by its name when this
/// clone's tag of that name points to the same commit, else by the commit's id (the upstream's
/// tag was fetched without a ref, or the local one points elsewhere).
fn spelled_here(repo: &gix::Repository, name: &str, commit: ObjectId) -> Result<String> {
    let here = git::ref_peeled(repo, &format!("refs/tags/{name}"))?;
    Ok(if here == Some(commit) {
        name.to_owned()
    } else {
        git::short(repo, commit)
    })
}

/// `3 commits`, `1 commit`, `no new commit`.
fn count(n: usize) -> String {
    match n {
        0 => "no new commit".to_owned(),
        1 => "1 commit".to_owned(),
        n => format!("{n} commits"),
    }
}

/// A shipped commit for `--json`: `id` is `null` for a cherry-pick that was not made (a dry run),
/// so no id is printed that the real run would not create.
#[derive(Debug, serde::Serialize)]
pub struct CommitJson {
    pub id: Option<String>,
    pub subject: String,
    pub cherry_picked_from: Option<String>,
}

impl Shipped {
    /// As JSON; `created` says whether a cherry-picked commit exists yet.
    pub fn json(&self, created: bool) -> CommitJson {
        CommitJson {
            id: (created || self.picked_from.is_none()).then(|| self.id.to_string()),
            subject: self.subject.clone(),
            cherry_picked_from: self.picked_from.map(|id| id.to_string()),
        }
    }
}

/// The commits of `since` as JSON, or `None` without it.
pub fn json_commits(since: Option<&Since>, created: bool) -> Option<Vec<CommitJson>> {
    since.map(|s| s.commits.iter().map(|c| c.json(created)).collect())
}

/// How the branch tip differs from an earlier tag that is not in its history. A cherry-pick
/// revision leaves out what was not ready, which a tag of the tip ships (`left_out`); a tag made
/// from elsewhere, or a branch rewound since (a force-push, a stale fetch), has commits the tip
/// lacks, which a tag of the tip takes back out of where the earlier tag runs (`taken_out`). A
/// commit the earlier tag has as a cherry-pick of one of the tip's (`-x` trailer, or by hand:
/// the same author, date and subject) is in both, under two ids, and is in neither list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Difference {
    /// On the tip, not in the earlier tag: newest first.
    pub left_out: Vec<ObjectId>,
    /// In the earlier tag, not on the tip: newest first.
    pub taken_out: Vec<ObjectId>,
}

impl Difference {
    /// Empty when `earlier` is in `tip`'s history (the tip just ships more).
    pub fn between(repo: &gix::Repository, earlier: ObjectId, tip: ObjectId) -> Result<Self> {
        if git::is_ancestor(repo, earlier, tip)? {
            return Ok(Difference::default());
        }
        let only_tip = git::commits_between(repo, Some(earlier), tip)?;
        let mut tip_keys = Vec::new();
        for id in &only_tip {
            tip_keys.push(pick_key(repo, *id)?);
        }
        let mut originals = Vec::new();
        let mut taken_out = Vec::new();
        for id in git::commits_between(repo, Some(tip), earlier)? {
            let commit = repo
                .find_commit(id)
                .with_context(|| format!("cannot read commit {id}"))?;
            let from = picked_from(&commit.message_raw_sloppy().to_string());
            let key = pick_key(repo, id)?;
            let original = only_tip
                .iter()
                .zip(&tip_keys)
                .find(|(t, k)| from.contains(t) || **k == key)
                .map(|(t, _)| *t);
            if let Some(original) = original {
                originals.push(original);
                continue;
            }
            // Picked from a commit the tip has under its own id, counted earlier: not lost.
            // Every commit of the tip's history is here, so one that is not is not on it.
            let mut on_tip = false;
            for x in from {
                if repo.has_object(x) && git::is_ancestor(repo, x, tip)? {
                    on_tip = true;
                }
            }
            if !on_tip {
                taken_out.push(id);
            }
        }
        let left_out = only_tip
            .into_iter()
            .filter(|id| !originals.contains(id))
            .collect();
        Ok(Difference {
            left_out,
            taken_out,
        })
    }
}

/// What a cherry-pick keeps of a commit: its author (name, email, date) and its subject.
fn pick_key(repo: &gix::Repository, id: ObjectId) -> Result<(gix::actor::Signature, String)> {
    let commit = repo
        .find_commit(id)
        .with_context(|| format!("cannot read commit {id}"))?;
    let author = commit
        .author()
        .with_context(|| format!("cannot read the author of {id}"))?
        .to_owned()
        .with_context(|| format!("cannot read the author of {id}"))?;
    Ok((author, git::subject(repo, id)?))
}

/// The commits a message says it was cherry-picked from (`git cherry-pick -x`). A trailer that
/// does not parse counts as none, so the commit is judged as a commit of its own.
pub fn picked_from(message: &str) -> Vec<ObjectId> {
    message
        .lines()
        .filter_map(|line| {
            let hex = line
                .trim()
                .strip_prefix("(cherry picked from commit ")?
                .strip_suffix(')')?;
            ObjectId::from_hex(hex.as_bytes()).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> CalendarTag {
        CalendarTag::parse(name).expect("calendar tag")
    }

    #[test]
    fn tags_only_here_are_passed_over_unless_none_is_pushed() {
        let lineage =
            Lineage::from_names(["2026.11.26", "2026.11.26-1", "2026.12.03", "2026.12.03-1"]);
        let pushed = |name: &str| matches!(name, "2026.11.26" | "2026.12.03");
        let counted = CountedFrom::of(&lineage, &tag("2026.12.03-2"), pushed);
        assert_eq!(counted.last_push.as_deref(), Some("2026.11.26"));
        assert_eq!(counted.previous_revision.as_deref(), Some("2026.12.03"));
        assert_eq!(counted.passed_over.as_deref(), Some("2026.11.26-1"));
        assert_eq!(
            counted.note("upstream").as_deref(),
            Some(
                "note: 2026.11.26-1 is only here, not on upstream: production never ran it; counting from 2026.11.26"
            )
        );

        let all = CountedFrom::of(&lineage, &tag("2026.12.03-2"), |_| true);
        assert_eq!(all.last_push.as_deref(), Some("2026.11.26-1"));
        assert_eq!(all.previous_revision.as_deref(), Some("2026.12.03-1"));
        assert_eq!(all.passed_over, None);
        assert_eq!(all.note("upstream"), None);
        // An upstream with no calendar tag at all: they are kept elsewhere, and all count.
        assert_eq!(
            CountedFrom::of(&lineage, &tag("2026.12.03-2"), |_| false),
            all
        );

        let only_later = |name: &str| name == "2026.12.03";
        let first = CountedFrom::of(&lineage, &tag("2026.12.03-2"), only_later);
        assert_eq!(first.last_push, None);
        assert_eq!(
            first.note("upstream").as_deref(),
            Some(
                "note: 2026.11.26-1 is only here, not on upstream: production never ran it, and upstream has no earlier calendar tag to count from"
            )
        );
    }
}
