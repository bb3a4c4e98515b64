//! What a calendar tag ships: the commits since the last push (the latest revision of the
//! previous push date's tag, which production runs until this tag ships) and, for a revision,
//! those since the previous revision, each with its compare link. `tag` shows it before it tags
//! (from the commits it built in memory), `compare` afterwards; QA and ops read it.

use anyhow::Result;
use gix::ObjectId;

use crate::git::{self, pick::Picked};

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

impl Shipment {
    /// What `tag` (pointing to `target`) ships since `last_push` and `previous_revision`.
    /// `repo` must hold every commit involved (give `tag` its in-memory scratch repository);
    /// `picks` names the commits built by cherry-picking. `urls` are the upstream's link URLs.
    pub fn of(
        repo: &gix::Repository,
        tag: &str,
        target: ObjectId,
        last_push: Option<From<'_>>,
        previous_revision: Option<From<'_>>,
        picks: &[Picked],
        urls: &[String],
    ) -> Result<Self> {
        let since = |from: Option<From<'_>>| -> Result<Option<Since>> {
            let Some((name, commit)) = from else {
                return Ok(None);
            };
            let mut commits = Vec::new();
            for id in git::commits_between(repo, Some(commit), target)? {
                commits.push(Shipped {
                    id,
                    subject: git::subject(repo, id)?,
                    picked_from: picks.iter().find(|p| p.result == id).map(|p| p.original),
                });
            }
            Ok(Some(Since {
                tag: name.to_owned(),
                commit,
                compare: crate::forge::compare_hint(urls.iter().map(String::as_str), name, tag),
                commits,
            }))
        };
        Ok(Shipment {
            tag: tag.to_owned(),
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
