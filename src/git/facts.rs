//! The pre-push guard's questions answered from this repository: where a push URL leads, what
//! a pushed object peels to, whether a commit is on the upstream's release branch (from its
//! tracking ref, refreshed by one quiet fetch when asked), and which pushed commits only the
//! security mirror has. Everything but that one fetch reads local refs and objects.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::config::{self, Settings};
use crate::git::{self, remote};
use crate::guard::{Ancestry, CommitInfo, Destination, Facts, Leak, Leaks, Peeled};
use crate::url;

/// Where the push URL `url` (git's `$2`; `name` is `$1`) leads: the security mirror if it is
/// any URL or push URL of the `pushduty.security` remote or a `pushduty.securityUrl` (or `$1`
/// is that remote's name), else the upstream if it is one of the upstream's URLs, else
/// elsewhere. Relative paths are resolved against `base`, where git resolved them.
pub fn destination(
    repo: &gix::Repository,
    settings: &Settings,
    name: &str,
    push_url: &str,
    base: &Path,
) -> Destination {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let here = url::locate(push_url, base, &canonical);
    let matches = |urls: &[String]| {
        urls.iter()
            .any(|u| url::locate(u, base, &canonical) == here)
    };
    let mut mirror = remote_urls(repo, &settings.security);
    mirror.extend(settings.security_urls.iter().cloned());
    if name == settings.security || matches(&mirror) {
        return Destination::Mirror;
    }
    if matches(&remote_urls(repo, &settings.upstream)) {
        return Destination::Upstream;
    }
    Destination::Other
}

/// Every URL of a configured remote (none if there is no such remote).
fn remote_urls(repo: &gix::Repository, name: &str) -> Vec<String> {
    match repo.try_find_remote(name) {
        Some(Ok(remote)) => remote::all_urls(&remote),
        _ => Vec::new(),
    }
}

/// The commits a ref prefix (`refs/remotes/security/`) points to, by full name, sorted by
/// name; symbolic refs (`HEAD`) and refs to non-commits are left out.
pub fn commit_tips(repo: &gix::Repository, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
    let platform = repo.references().context("cannot read references")?;
    let mut tips = Vec::new();
    for reference in platform
        .prefixed(prefix)
        .with_context(|| format!("cannot list {prefix}*"))?
    {
        let mut reference =
            reference.map_err(|e| anyhow::anyhow!("cannot read a ref under {prefix}: {e}"))?;
        if matches!(reference.target(), gix::refs::TargetRef::Symbolic(_)) {
            continue;
        }
        let name = reference.name().as_bstr().to_string();
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push((name, commit.id));
        }
    }
    tips.sort();
    Ok(tips)
}

/// [`Facts`] from a repository and its settings.
pub struct RepoFacts<'r> {
    repo: &'r gix::Repository,
    upstream: String,
    branch: String,
    security: String,
    upstream_tips: Option<Vec<ObjectId>>,
    /// Commits only the mirror has, each with the first mirror ref (short) it is found on;
    /// `None` inside when there are mirror refs but no upstream refs to compare with.
    security_only: Option<Option<HashMap<ObjectId, String>>>,
}

impl<'r> RepoFacts<'r> {
    pub fn new(repo: &'r gix::Repository, settings: &Settings, branch: &str) -> Self {
        RepoFacts {
            repo,
            upstream: settings.upstream.clone(),
            branch: branch.to_owned(),
            security: settings.security.clone(),
            upstream_tips: None,
            security_only: None,
        }
    }

    fn tracking(&self) -> String {
        format!("refs/remotes/{}/{}", self.upstream, self.branch)
    }

    fn info(&self, id: ObjectId) -> Result<CommitInfo> {
        Ok(CommitInfo {
            id,
            short: git::short(self.repo, id),
            subject: git::subject(self.repo, id)?,
        })
    }

    fn upstream_tips(&mut self) -> Result<Vec<ObjectId>> {
        if let Some(tips) = &self.upstream_tips {
            return Ok(tips.clone());
        }
        let prefix = format!("refs/remotes/{}/", self.upstream);
        let tips: Vec<ObjectId> = commit_tips(self.repo, &prefix)?
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        self.upstream_tips = Some(tips.clone());
        Ok(tips)
    }

    fn security_only(&mut self) -> Result<Option<HashMap<ObjectId, String>>> {
        if let Some(known) = &self.security_only {
            return Ok(known.clone());
        }
        let prefix = format!("refs/remotes/{}/", self.security);
        let tips = commit_tips(self.repo, &prefix)?;
        let hidden = self.upstream_tips()?;
        let known = if tips.is_empty() {
            Some(HashMap::new())
        } else if hidden.is_empty() {
            None
        } else {
            let mut only = HashMap::new();
            for (name, tip) in tips {
                let short = name
                    .strip_prefix("refs/remotes/")
                    .unwrap_or(&name)
                    .to_owned();
                for id in git::commits_between(self.repo, hidden.iter().copied(), tip)? {
                    only.entry(id).or_insert_with(|| short.clone());
                }
            }
            Some(only)
        };
        self.security_only = Some(known.clone());
        Ok(known)
    }
}

impl Facts for RepoFacts<'_> {
    fn peel(&mut self, id: ObjectId) -> Result<Peeled> {
        let Some(object) = self
            .repo
            .try_find_object(id)
            .with_context(|| format!("cannot read object {id}"))?
        else {
            return Ok(Peeled::Missing);
        };
        let Ok(object) = object.peel_tags_to_end() else {
            return Ok(Peeled::Missing);
        };
        Ok(match object.kind {
            gix::object::Kind::Commit => Peeled::Commit(object.id),
            kind => Peeled::NotACommit(kind.to_string()),
        })
    }

    fn on_upstream(&mut self, commit: ObjectId) -> Result<Ancestry> {
        let Some(tip) = git::ref_commit(self.repo, &self.tracking())? else {
            let configured = self
                .repo
                .remote_names()
                .iter()
                .any(|n| n.as_ref() as &[u8] == self.upstream.as_bytes());
            return Ok(if configured {
                Ancestry::NoTrackingRef
            } else {
                Ancestry::NoUpstreamRemote
            });
        };
        Ok(if git::is_ancestor(self.repo, commit, tip)? {
            Ancestry::OnUpstream
        } else {
            Ancestry::NotOnUpstream
        })
    }

    fn refresh_upstream(&mut self) -> Result<(), String> {
        self.upstream_tips = None;
        self.security_only = None;
        remote::fetch_tracking(self.repo, &self.upstream, config::UPSTREAM, &self.branch)
            .map_err(|e| format!("{e:#}"))
    }

    fn not_on_upstream(&mut self, commit: ObjectId) -> Result<Vec<CommitInfo>> {
        let tip = git::ref_commit(self.repo, &self.tracking())?;
        git::commits_between(self.repo, tip, commit)?
            .into_iter()
            .map(|id| self.info(id))
            .collect()
    }

    fn leaks(&mut self, new: ObjectId, old: ObjectId) -> Result<Leaks> {
        let Some(only) = self.security_only()? else {
            // No upstream refs: refuse only if the push shares history with the mirror.
            let prefix = format!("refs/remotes/{}/", self.security);
            for (_, tip) in commit_tips(self.repo, &prefix)? {
                if self
                    .repo
                    .merge_base(new, tip)
                    .map_err(|e| anyhow::anyhow!("cannot compare {new} with {tip}: {e}"))?
                    .is_some()
                {
                    return Ok(Leaks::NoUpstreamRefs);
                }
            }
            return Ok(Leaks::None);
        };
        if only.is_empty() {
            return Ok(Leaks::None);
        }
        let mut hidden = self.upstream_tips()?;
        // What the destination already has adds no new leak (when it is known here).
        if let Ok(Peeled::Commit(old)) = self.peel(old) {
            hidden.push(old);
        }
        let mut leaks = Vec::new();
        for id in git::commits_between(self.repo, hidden, new)? {
            if let Some(security_ref) = only.get(&id) {
                leaks.push(Leak {
                    commit: self.info(id)?,
                    security_ref: security_ref.clone(),
                });
            }
        }
        Ok(if leaks.is_empty() {
            Leaks::None
        } else {
            Leaks::Found(leaks)
        })
    }
}
