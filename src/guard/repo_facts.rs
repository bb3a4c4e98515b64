//! The decision's questions answered from this clone and its remotes: what a pushed object
//! peels to, the upstream's release branch as the upstream lists it now, the destination's
//! symbolic refs, and which pushed commits only the security mirror has. The leak question is
//! answered from local refs; the network is asked only for a push to the mirror, or before a leak
//! is reported.

use std::collections::HashMap;

use anyhow::{Context, Result};
use gix::ObjectId;

use super::mirror_refs::{commit_tips, mirror_tips};
use super::url::{self, Location};
use crate::config::{self, Settings};
use crate::git::{self, remote};
use crate::guard::{CommitInfo, DestinationRef, Facts, Leak, Leaks, Live, Peeled};

/// The commits only the security mirror has (reachable from its refs, not from the public
/// ones), and its refs, to say which one a leaked commit is on.
#[derive(Clone, Default)]
struct MirrorOnly {
    commits: std::collections::HashSet<ObjectId>,
    tips: Vec<(String, ObjectId)>,
}

/// [`Facts`] from a repository, its settings and the push's destination.
pub struct RepoFacts<'r> {
    repo: &'r gix::Repository,
    upstream: String,
    branch: String,
    security: String,
    /// Where the destination's refs are listed from: the repository a local push resolved to,
    /// else the push URL.
    destination_url: String,
    /// Commits known to be public: the upstream's tracking refs, and what the live upstream
    /// listed once it was looked at.
    public: Option<Vec<ObjectId>>,
    live_public: Vec<ObjectId>,
    /// Commits only the mirror has; `None` inside when there are mirror refs but nothing public
    /// to compare with.
    security_only: Option<Option<MirrorOnly>>,
    /// The hint of the typed [`remote::Unreachable`] the upstream's listing failed with, if it
    /// did: the decision only gets the error's words, so the hint that says where to check the
    /// upstream's URL is kept here for the refusal.
    unreachable: Option<String>,
}

impl<'r> RepoFacts<'r> {
    pub fn new(
        repo: &'r gix::Repository,
        settings: &Settings,
        branch: &str,
        push_url: &str,
        location: &Location,
    ) -> Self {
        let destination_url = match location {
            Location::Repository(path) => path.display().to_string(),
            _ => url::connect_url(push_url).to_owned(),
        };
        RepoFacts {
            repo,
            upstream: settings.upstream.clone(),
            branch: branch.to_owned(),
            security: settings.security.clone(),
            destination_url,
            public: None,
            live_public: Vec::new(),
            security_only: None,
            unreachable: None,
        }
    }

    /// Where to check the upstream's URL (`check the URL with: git remote get-url upstream`),
    /// when it could not be reached while the push was decided.
    pub fn unreachable(&self) -> Option<&str> {
        self.unreachable.as_deref()
    }

    /// The words of a failed listing of the upstream, for the decision; its hint is kept.
    fn listing_failed(&mut self, err: &anyhow::Error) -> String {
        if let Some(hint) = err
            .chain()
            .find_map(|c| c.downcast_ref::<remote::Unreachable>())
            .and_then(remote::Unreachable::url_hint)
        {
            self.unreachable = Some(hint);
        }
        format!("{err:#}")
    }

    fn info(&self, id: ObjectId) -> Result<CommitInfo> {
        Ok(CommitInfo {
            id,
            short: git::short(self.repo, id),
            subject: git::subject(self.repo, id)?,
        })
    }

    fn public(&mut self) -> Result<Vec<ObjectId>> {
        if let Some(tips) = &self.public {
            return Ok(tips.clone());
        }
        let prefix = format!("refs/remotes/{}/", self.upstream);
        let mut tips: Vec<ObjectId> = commit_tips(self.repo, &prefix)?
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        tips.extend(self.live_public.iter().copied());
        tips.sort();
        tips.dedup();
        self.public = Some(tips.clone());
        Ok(tips)
    }

    fn security_only(&mut self) -> Result<Option<MirrorOnly>> {
        if let Some(known) = &self.security_only {
            return Ok(known.clone());
        }
        let tips = mirror_tips(self.repo, &self.security, &self.upstream)?;
        let hidden = self.public()?;
        let known = if tips.is_empty() {
            Some(MirrorOnly::default())
        } else if hidden.is_empty() {
            None
        } else {
            // One walk from every mirror ref: a walk per ref cost half a millisecond each, on
            // every push, with thousands of mirror refs.
            let mut starts: Vec<ObjectId> = tips.iter().map(|(_, id)| *id).collect();
            starts.sort();
            starts.dedup();
            let commits = git::commits_between_all(self.repo, hidden, starts)?
                .into_iter()
                .collect();
            Some(MirrorOnly { commits, tips })
        };
        self.security_only = Some(known.clone());
        Ok(known)
    }

    /// The first mirror ref (by name, short: `security/fix-xss`) each of `leaked` is on: asked
    /// only when a leak is reported.
    fn mirror_refs_of(
        &mut self,
        only: &MirrorOnly,
        leaked: &[ObjectId],
    ) -> Result<HashMap<ObjectId, String>> {
        let hidden = self.public()?;
        let mut on = HashMap::new();
        for (name, tip) in &only.tips {
            if on.len() == leaked.len() {
                break;
            }
            let short = name.strip_prefix("refs/remotes/").unwrap_or(name);
            for id in git::commits_between(self.repo, hidden.iter().copied(), *tip)? {
                if leaked.contains(&id) {
                    on.entry(id).or_insert_with(|| short.to_owned());
                }
            }
        }
        Ok(on)
    }

    fn upstream_configured(&self) -> bool {
        self.repo
            .remote_names()
            .iter()
            .any(|n| n.as_ref() as &[u8] == self.upstream.as_bytes())
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
        // A tag whose target is missing or unreadable cannot be judged: an error, not a pass.
        let object = object
            .peel_tags_to_end()
            .with_context(|| format!("cannot peel tag {id} to what it points to"))?;
        Ok(match object.kind {
            gix::object::Kind::Commit => Peeled::Commit(object.id),
            kind => Peeled::NotACommit(kind.to_string()),
        })
    }

    fn live_upstream(&mut self) -> Result<Live, String> {
        if !self.upstream_configured() {
            return Ok(Live::NoRemote);
        }
        let tip = remote::live_branch(self.repo, &self.upstream, config::UPSTREAM, &self.branch)
            .map_err(|e| self.listing_failed(&e))?;
        // The tracking ref moved: what is public is asked afresh.
        self.public = None;
        self.security_only = None;
        Ok(match tip {
            Some(tip) => Live::Tip(tip),
            None => Live::NoBranch,
        })
    }

    fn is_ancestor(&mut self, commit: ObjectId, tip: ObjectId) -> Result<bool> {
        git::is_ancestor(self.repo, commit, tip)
    }

    fn fast_forward(&mut self, old: ObjectId, new: ObjectId) -> Result<bool> {
        Ok(self.repo.has_object(old) && git::is_ancestor(self.repo, old, new)?)
    }

    fn not_in(&mut self, commit: ObjectId, tip: ObjectId) -> Result<Vec<CommitInfo>> {
        git::commits_between(self.repo, Some(tip), commit)?
            .into_iter()
            .map(|id| self.info(id))
            .collect()
    }

    fn destination_refs(&mut self, names: &[String]) -> Result<Vec<DestinationRef>, String> {
        let listed = remote::list_symrefs(self.repo, &self.destination_url, names)
            .map_err(|e| format!("{e:#}"))?;
        Ok(listed
            .into_iter()
            .map(|r| DestinationRef {
                name: r.name,
                symref_target: r.symref_target,
            })
            .collect())
    }

    fn leaks(&mut self, new: ObjectId, old: ObjectId) -> Result<Leaks> {
        let Some(only) = self.security_only()? else {
            // Nothing known to be public: refuse only if the push shares history with the mirror.
            for (_, tip) in mirror_tips(self.repo, &self.security, &self.upstream)? {
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
        if only.commits.is_empty() {
            return Ok(Leaks::None);
        }
        let mut hidden = self.public()?;
        // What the destination already has adds no new leak (when it is known here; the remote
        // object may not be in this repository at all).
        if !old.is_null()
            && let Peeled::Commit(old) = self.peel(old)?
        {
            hidden.push(old);
        }
        let leaked: Vec<ObjectId> = git::commits_between(self.repo, hidden, new)?
            .into_iter()
            .filter(|id| only.commits.contains(id))
            .collect();
        if leaked.is_empty() {
            return Ok(Leaks::None);
        }
        let on = self.mirror_refs_of(&only, &leaked)?;
        let mut leaks = Vec::new();
        for id in leaked {
            leaks.push(Leak {
                commit: self.info(id)?,
                security_ref: on
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| self.security.clone()),
            });
        }
        Ok(Leaks::Found(leaks))
    }

    fn refresh_public(&mut self) -> Result<(), String> {
        if !self.upstream_configured() {
            return Err(format!("there is no remote named {:?}", self.upstream));
        }
        let listed = remote::fetch_public(self.repo, &self.upstream, config::UPSTREAM)
            .map_err(|e| self.listing_failed(&e))?;
        let mut commits = Vec::new();
        for id in listed {
            let header = self
                .repo
                .find_header(id)
                .map_err(|e| format!("cannot read {id}, listed by {}: {e}", self.upstream))?;
            if header.kind() == gix::object::Kind::Commit {
                commits.push(id);
            }
        }
        self.live_public = commits;
        self.public = None;
        self.security_only = None;
        Ok(())
    }
}
