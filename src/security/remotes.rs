//! The upstream and the security mirror as a security merge sees them: their names, where a push
//! to each goes, their release branch fetched afresh (objects only: no ref of the user's moves
//! until the plan says so), the refusal when the mirror is ahead, and the check afterwards that
//! both point to the same commit.

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::config::{self, Settings};
use crate::error::{Refusal, refuse};
use crate::git;
use crate::guard::destination;
use crate::plan::Effect;
use crate::security::record::Record;

/// The two remotes and the branch they share.
#[derive(Debug, Clone)]
pub struct Remotes {
    /// The upstream's remote name, and where a push to it goes (for the plan).
    pub upstream: String,
    pub upstream_url: String,
    /// The security mirror's remote name, and where a push to it goes.
    pub security: String,
    pub security_url: String,
    /// The release branch both share.
    pub branch: String,
}

impl Remotes {
    /// The remotes the settings name, on the release branch.
    pub fn from_settings(
        repo: &gix::Repository,
        settings: &Settings,
        branch: &str,
    ) -> Result<Self> {
        Self::named(repo, &settings.upstream, &settings.security, branch)
    }

    /// The remotes of a recorded run, by name (not re-read from settings that may have changed).
    pub fn named(
        repo: &gix::Repository,
        upstream: &str,
        security: &str,
        branch: &str,
    ) -> Result<Self> {
        let push_url = |name: &str, setting: &str| -> Result<String> {
            let remote = git::remote::find(repo, name, setting)?;
            Ok(git::remote::url(&remote, gix::remote::Direction::Push)
                .unwrap_or_else(|| "no URL".into()))
        };
        Ok(Remotes {
            upstream_url: push_url(upstream, config::UPSTREAM)?,
            security_url: push_url(security, config::SECURITY)?,
            upstream: upstream.to_owned(),
            security: security.to_owned(),
            branch: branch.to_owned(),
        })
    }

    pub fn head(&self) -> String {
        format!("refs/heads/{}", self.branch)
    }

    /// Fetches (objects only) the upstream's branch and returns its tip.
    pub fn fetch_upstream(&self, repo: &gix::Repository) -> Result<ObjectId> {
        let refs = git::remote::fetch(repo, &self.upstream, config::UPSTREAM, &[self.head()])?;
        match refs.find(&self.head()) {
            Some(r) => Ok(r.peeled),
            None => refuse(
                Refusal::new(format!(
                    "the upstream {} has no branch {}; nothing was changed",
                    self.upstream, self.branch
                ))
                .hint(format!(
                    "name the branch that is released: git config {} <branch>",
                    config::BRANCH
                )),
            ),
        }
    }

    /// Fetches (objects only) the mirror's branch and `fixes`; returns the branch's tip and each
    /// fix's tip, or refuses naming what the mirror lacks.
    pub fn fetch_security(
        &self,
        repo: &gix::Repository,
        fixes: &[String],
    ) -> Result<(ObjectId, Vec<ObjectId>)> {
        let mut wanted = vec![self.head()];
        for fix in fixes {
            let name = format!("refs/heads/{fix}");
            if !wanted.contains(&name) {
                wanted.push(name);
            }
        }
        let refs = git::remote::fetch(repo, &self.security, config::SECURITY, &wanted)?;
        let Some(mirror) = refs.find(&self.head()).map(|r| r.peeled) else {
            return refuse(
                Refusal::new(format!(
                    "the security mirror {} has no branch {}; nothing was changed",
                    self.security, self.branch
                ))
                .hint(format!(
                    "the mirror starts as a copy of the upstream: git push {} {}/{}:refs/heads/{}",
                    self.security, self.upstream, self.branch, self.branch
                )),
            );
        };
        let mut tips = Vec::new();
        for fix in fixes {
            match refs.find(&format!("refs/heads/{fix}")) {
                Some(r) => tips.push(r.peeled),
                None => {
                    let mut refusal = Refusal::new(format!(
                        "the security mirror {} has no branch {fix}; nothing was changed",
                        self.security
                    ));
                    let closest = self.closest_branches(repo, fix);
                    if !closest.is_empty() {
                        refusal = refusal.hint(format!(
                            "the closest names on {}: {}",
                            self.security,
                            closest.join(", ")
                        ));
                    }
                    return refuse(refusal.hint(format!(
                        "list the mirror's branches: git ls-remote --heads {}",
                        self.security
                    )));
                }
            }
        }
        Ok((mirror, tips))
    }

    /// The mirror's branches closest to a name it lacks (a typo). A mirror that cannot be listed
    /// now gives none: this only words a refusal that stands either way.
    fn closest_branches(&self, repo: &gix::Repository, missing: &str) -> Vec<String> {
        let specs = [format!("refs/heads/*:refs/remotes/{}/*", self.security)];
        let Ok(listed) = git::remote::list(repo, &self.security, config::SECURITY, &specs) else {
            return Vec::new();
        };
        let names: Vec<&str> = listed
            .refs()
            .iter()
            .filter_map(|r| r.name.strip_prefix("refs/heads/"))
            .collect();
        crate::suggest::closest(missing, names, 3)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Refuses, listing the commits, if the mirror's tip is not in the upstream's.
    pub fn check_mirror_not_ahead(
        &self,
        repo: &gix::Repository,
        mirror: ObjectId,
        upstream: ObjectId,
    ) -> Result<()> {
        if git::is_ancestor(repo, mirror, upstream)? {
            return Ok(());
        }
        let mut lines = Vec::new();
        for id in git::commits_between(repo, Some(upstream), mirror)? {
            lines.push(format!(
                "  {} {}",
                git::short(repo, id),
                git::subject(repo, id)?
            ));
        }
        refuse(
            Refusal::new(format!(
                "the security mirror is ahead of the upstream: {s}/{b} has {n} commit{p} that {u}/{b} lacks:\n{list}\nSomeone pushed to the mirror first or used its web merge button; nothing was changed",
                s = self.security,
                u = self.upstream,
                b = self.branch,
                n = lines.len(),
                p = if lines.len() == 1 { "" } else { "s" },
                list = lines.join("\n"),
            ))
            .hint("review them and publish them on the upstream first: git push-duty security-merge --sync")
            .hint(format!(
                "or have {s}/{b}'s admins remove them, if they must not go public",
                s = self.security,
                b = self.branch,
            )),
        )
    }

    /// For `--sync`: what the mirror's tip has that the upstream's lacks, in words, if anything.
    pub fn ahead(
        &self,
        repo: &gix::Repository,
        mirror: ObjectId,
        upstream: ObjectId,
    ) -> Result<Option<String>> {
        if git::is_ancestor(repo, mirror, upstream)? {
            return Ok(None);
        }
        let ahead = git::commits_between(repo, Some(upstream), mirror)?;
        let behind = git::commits_between(repo, Some(mirror), upstream)?.len();
        let mut text = format!(
            "{s}/{b} is AHEAD of {u}/{b} by {}{} (someone pushed to the mirror first or used its web merge button):\n",
            plural(ahead.len(), "commit"),
            if behind == 0 {
                String::new()
            } else {
                format!(" (and behind it by {behind})")
            },
            s = self.security,
            u = self.upstream,
            b = self.branch,
        );
        for id in ahead {
            text.push_str(&format!(
                "  {} {}\n",
                git::short(repo, id),
                git::subject(repo, id)?
            ));
        }
        text.push_str(&format!(
            "They go public on {u} {b} first; then both point to the same commit.",
            u = self.upstream,
            b = self.branch,
        ));
        Ok(Some(text))
    }

    /// The push of `commit` to the upstream's branch, or the mirror's; never forced.
    pub fn push(&self, to_mirror: bool, commit: ObjectId, what: String) -> Effect {
        let remote = if to_mirror {
            &self.security
        } else {
            &self.upstream
        };
        Effect::Push {
            remote: remote.clone(),
            refspecs: vec![format!("{commit}:{}", self.head())],
            what,
        }
    }

    /// Lists both remotes afresh and checks that their branches point to `commit`.
    pub fn verify(&self, repo: &gix::Repository, commit: ObjectId) -> Result<()> {
        let head = self.head();
        let tip = |name: &str, setting: &str| -> Result<Option<ObjectId>> {
            let refs = git::remote::list(repo, name, setting, std::slice::from_ref(&head))?;
            Ok(refs.find(&head).map(|r| r.peeled))
        };
        let upstream = tip(&self.upstream, config::UPSTREAM)?;
        let mirror = tip(&self.security, config::SECURITY)?;
        if upstream == Some(commit) && mirror == Some(commit) {
            return Ok(());
        }
        let show = |id: Option<ObjectId>| id.map_or("nothing".to_owned(), |id| id.to_string());
        refuse(
            Refusal::new(format!(
                "after the pushes, {}/{b} is at {} and {}/{b} at {}, not both at {commit}",
                self.upstream,
                show(upstream),
                self.security,
                show(mirror),
                b = self.branch
            ))
            .hint("someone pushed meanwhile; run this again for the same branch to bring the mirror up to the upstream"),
        )
    }

    /// Refuses, before anything is fetched or pushed, when `git push <upstream>` would reach another
    /// repository than the one the run reads the upstream from (a `pushurl` at a staging copy, a
    /// second `url`): the merge would be judged against one and published to the other, and the
    /// mirror, pushed next, would be left ahead of the real upstream.
    pub fn refuse_push_elsewhere(&self, repo: &gix::Repository) -> Result<()> {
        let upstream = &self.upstream;
        use gix::remote::Direction;
        let remote = git::remote::find(repo, upstream, config::UPSTREAM)?;
        let Some(fetch) = git::remote::url(&remote, Direction::Fetch) else {
            return refuse(Refusal::new(format!(
                "the upstream {upstream} has no URL; nothing was changed"
            )));
        };
        // git resolves relative URLs from the top of the worktree.
        let base = git::top(repo)?;
        for push in remote.urls(Direction::Push) {
            let push = push.to_bstring().to_string();
            if !destination::same_repository(&push, &fetch, &base)? {
                return refuse(
                    Refusal::new(format!(
                        "git push {upstream} would go to {push}, which is not the repository {upstream} is fetched from ({fetch}); nothing was changed"
                    ))
                    .hint(format!(
                        "push where the upstream is read from: git remote set-url --push {upstream} {fetch}"
                    ))
                    .hint(format!(
                        "or drop the push URL: git config --unset-all remote.{upstream}.pushurl"
                    )),
                );
            }
        }
        Ok(())
    }
}

/// The remote-tracking ref of `branch` of `remote`.
pub fn tracking(remote: &str, branch: &str) -> String {
    format!("refs/remotes/{remote}/{branch}")
}

/// True if every remote-tracking ref in `tracking` already points where it would be set.
pub fn tracking_current(repo: &gix::Repository, tracking: &[(String, ObjectId)]) -> Result<bool> {
    for (name, id) in tracking {
        let reference = repo
            .try_find_reference(name.as_str())
            .with_context(|| format!("cannot read {name}"))?;
        if reference.and_then(|r| r.target().try_id().map(ToOwned::to_owned)) != Some(*id) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Sets remote-tracking refs to what the remotes were seen to have.
pub fn tracking_refs(refs: Vec<(String, ObjectId)>) -> Effect {
    Effect::SetTrackingRefs {
        what: format!(
            "update the remote-tracking refs {}",
            refs.iter()
                .map(|(n, _)| n.trim_start_matches("refs/remotes/"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        refs,
    }
}

/// `1 commit`, `2 commits`.
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub fn short_hex(id: ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// The tracking refs of the fix branches a recorded run merged, as the mirror lists them now, so
/// `--continue` leaves them where an uninterrupted run would; a branch the mirror no longer has
/// (deleted once merged) or whose commit is not here is left out.
pub fn merged_fix_tips(
    repo: &gix::Repository,
    remotes: &Remotes,
    record: &Record,
) -> Result<Vec<(String, ObjectId)>> {
    let wanted: Vec<String> = record
        .merged
        .iter()
        .filter(|fix| **fix != remotes.branch)
        .map(|fix| format!("refs/heads/{fix}"))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let listed = git::remote::list(repo, &remotes.security, config::SECURITY, &wanted)?;
    Ok(record
        .merged
        .iter()
        .filter_map(|fix| {
            let tip = listed.find(&format!("refs/heads/{fix}"))?.target;
            repo.has_object(tip)
                .then(|| (tracking(&remotes.security, fix), tip))
        })
        .collect())
}
