//! The pre-push guard's questions answered from this repository and its remotes: which repository
//! a push URL leads to (resolved on disk as git resolves it), what a pushed object peels to, the
//! upstream's release branch as the upstream lists it now, the mirror's symbolic refs, and which
//! pushed commits only the security mirror has. The leak question is answered from local refs;
//! the network is asked only for a push to the mirror, or before a leak is reported.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::config::{self, Settings};
use crate::error::{Refusal, refuse};
use crate::git::{self, remote};
use crate::guard::{
    BYPASS, CommitInfo, Destination, DestinationRef, Facts, Leak, Leaks, Live, Peeled,
};
use crate::url::{self, Filesystem, Kind, Location};

/// The real file system, asked as git's own system calls ask it: a path that cannot be looked
/// at is not there (git's `stat` failing), so it is never the repository git opened.
pub struct Disk;

/// Gitfiles, `HEAD` and `commondir` are small; a larger file is read only this far.
const SMALL_FILE: u64 = 64 * 1024;

impl Filesystem for Disk {
    fn kind(&self, path: &Path) -> Kind {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Kind::Dir,
            Ok(m) if m.is_file() => Kind::File,
            Ok(_) => Kind::Other,
            Err(_) => Kind::Missing,
        }
    }

    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        let mut content = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(SMALL_FILE).read_to_end(&mut content))
            .ok()?;
        Some(content)
    }

    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }

    fn home(&self, user: Option<&[u8]>) -> Option<PathBuf> {
        let Some(user) = user else {
            return std::env::var_os("HOME").map(PathBuf::from);
        };
        // getpwnam(3) without libc: the local password file (name:pw:uid:gid:gecos:home:shell).
        let passwd = std::fs::read("/etc/passwd").ok()?;
        passwd.split(|c| *c == b'\n').find_map(|line| {
            let fields: Vec<&[u8]> = line.split(|c| *c == b':').collect();
            (fields.len() >= 7 && fields[0] == user)
                .then(|| PathBuf::from(String::from_utf8_lossy(fields[5]).into_owned()))
        })
    }
}

/// True if `a` and `b` name the same repository, both resolved from `base` on disk.
pub fn same_repository(a: &str, b: &str, base: &Path) -> Result<bool> {
    url::same(a, b, base, &Disk).map_err(anyhow::Error::new)
}

/// Where the push URL `push_url` (git's `$2`; `name` is `$1`) leads, and the repository it
/// resolved to: the security mirror if it is the same repository as the `pushduty.security`
/// remote's URL (the one it is fetched from) or a `pushduty.securityUrl`, the upstream if it is
/// the same repository as the upstream's fetch URL, else elsewhere.
///
/// A push by the mirror remote's name to another repository (a second `url` or a `pushurl`
/// that is not the mirror, or an ssh host alias that cannot be resolved here) cannot be judged:
/// it may be the mirror, whose main must be guarded, or a fork, where fixes must not go. A push
/// by the upstream remote's name to another repository is refused too: git records it in
/// `refs/remotes/<upstream>/*` anyway, which say what is public.
///
/// `push_url` is resolved from `git_cwd`, the directory git ran in (and the hook started in);
/// the configured URLs from `top`, the top of the worktree, where `git push <remote>` runs. A
/// push URL that cannot be resolved, or where no repository is found, cannot be judged: that,
/// and a configured URL that cannot be read, is an error (the push is refused).
pub fn destination(
    repo: &gix::Repository,
    settings: &Settings,
    name: &str,
    push_url: &str,
    git_cwd: &Path,
    top: &Path,
) -> Result<(Destination, Location)> {
    let here = url::locate(push_url, git_cwd, &Disk)
        .map_err(|e| anyhow::Error::new(Refusal::new(format!("{e}")).hint(BYPASS)))?;
    if let Location::NoRepository(path) = &here {
        return refuse(
            Refusal::new(format!(
                "cannot tell which repository {push_url:?} is: git finds no repository at {}",
                path.display()
            ))
            .hint(BYPASS),
        );
    }
    let located = |u: &str, what: &str| {
        url::locate(u, top, &Disk).map_err(|e| {
            anyhow::Error::new(
                Refusal::new(format!("{what}: {e}"))
                    .hint(format!(
                        "correct it: git config --show-origin --get-regexp '{}'",
                        what_key(what)
                    ))
                    .hint(BYPASS),
            )
        })
    };
    let upstream_fetch = fetch_url(repo, &settings.upstream)?;
    let upstream_here = match &upstream_fetch {
        Some(fetch) => located(fetch, "the upstream's fetch URL")? == here,
        None => false,
    };
    if name == settings.upstream && !upstream_here {
        // git records the push in refs/remotes/<upstream>/*, wherever it went, and those refs
        // say what is public: a fix branch pushed "upstream" to the mirror would count as
        // published from then on.
        let upstream = &settings.upstream;
        let fetched = upstream_fetch.as_deref().unwrap_or("no URL");
        return refuse(
            Refusal::new(format!(
                "git push {upstream} goes to {push_url}, which is not the repository {upstream} is fetched from ({fetched}): git would record what it pushed in refs/remotes/{upstream}/*, which the guard reads as public"
            ))
            .hint(format!(
                "push to the security mirror by its own name: git push {} <branch>",
                settings.security
            ))
            .hint(format!(
                "push where {upstream} is read from: git remote set-url --delete --push {upstream} {push_url}"
            ))
            .hint(BYPASS),
        );
    }
    let mut mirror: Vec<String> = fetch_url(repo, &settings.security)?.into_iter().collect();
    mirror.extend(settings.security_urls.iter().cloned());
    for u in &mirror {
        if located(u, "a URL of the security mirror")? == here {
            return Ok((Destination::Mirror, here));
        }
    }
    if let Location::Command(_) = &here {
        // `ext::git %s /srv/security.git` reaches the mirror, and no URL says so.
        return refuse(
            Refusal::new(format!(
                "cannot tell which repository {push_url:?} is: an ext:: or fd:: address reaches whatever its command or descriptors lead to, which may be the security mirror"
            ))
            .hint("push to the repository's URL or remote instead")
            .hint(BYPASS),
        );
    }
    if name == settings.security {
        let known = mirror.first().map_or("no URL".to_owned(), |u| u.clone());
        return refuse(
            Refusal::new(format!(
                "git push {name} goes to {push_url}, which is not the repository {name} is fetched from ({known}): it may be the security mirror, or another repository"
            ))
            .hint(format!(
                "if it is the mirror spelled another way: git config --add {} {push_url}",
                config::SECURITY_URL
            ))
            .hint(format!(
                "if it is not: git remote set-url --delete --push {name} {push_url} (or --delete for a second url)"
            ))
            .hint(BYPASS),
        );
    }
    if upstream_here {
        return Ok((Destination::Upstream, here));
    }
    Ok((Destination::Other, here))
}

fn what_key(what: &str) -> &'static str {
    if what.contains("upstream") {
        "^remote\\..*\\.url$"
    } else {
        "^(remote\\..*\\.(push)?url|pushduty\\.securityurl)$"
    }
}

/// The URL a remote is fetched from, after `insteadOf` (none if there is no such remote).
pub fn fetch_url(repo: &gix::Repository, name: &str) -> Result<Option<String>> {
    match repo.try_find_remote(name) {
        None => Ok(None),
        Some(Ok(remote)) => Ok(remote::url(&remote, gix::remote::Direction::Fetch)),
        Some(Err(e)) => Err(anyhow::anyhow!(
            "cannot read the configuration of remote {name:?}: {e}"
        )),
    }
}

/// The commits the refs under a prefix (`refs/remotes/security/`) point to, by full name,
/// sorted by name. A symbolic ref holds what its target holds (a dangling one, nothing); a ref
/// to a tree or blob holds no commit. A ref that cannot be read or peeled is an error.
pub fn commit_tips(repo: &gix::Repository, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
    let platform = repo.references().context("cannot read references")?;
    let mut tips = Vec::new();
    // Many refs point to the same few objects (a remote's branches at one release): each object
    // is read once, or every push would pay for every ref (100,000 refs took 18 s).
    let mut commit_of: HashMap<ObjectId, Option<ObjectId>> = HashMap::new();
    for reference in platform
        .prefixed(prefix)
        .with_context(|| format!("cannot list {prefix}*"))?
    {
        let mut reference =
            reference.map_err(|e| anyhow::anyhow!("cannot read a ref under {prefix}: {e}"))?;
        let name = reference.name().as_bstr().to_string();
        if let gix::refs::TargetRef::Symbolic(target) = reference.target() {
            let target = target.to_owned();
            match repo
                .try_find_reference(target.as_ref())
                .with_context(|| format!("cannot read {target}, which {name} points to"))?
            {
                Some(found) => reference = found,
                None => continue,
            }
        }
        let target = reference.target().try_id().map(ToOwned::to_owned);
        let known = target.and_then(|t| commit_of.get(&t).copied());
        let commit = match known {
            Some(commit) => commit,
            None => {
                let id = reference
                    .peel_to_id()
                    .with_context(|| format!("cannot read what {name} points to"))?
                    .detach();
                let header = repo
                    .find_header(id)
                    .with_context(|| format!("cannot read object {id}, which {name} points to"))?;
                let commit = (header.kind() == gix::object::Kind::Commit).then_some(id);
                if let Some(target) = target {
                    commit_of.insert(target, commit);
                }
                commit
            }
        };
        if let Some(id) = commit {
            tips.push((name, id));
        }
    }
    tips.sort();
    Ok(tips)
}

/// Where this clone keeps the security mirror's refs: `refs/remotes/<security>/`, and the local
/// side of each of its remote's fetch refspecs (`+refs/heads/*:refs/sec/*` keeps them under
/// `refs/sec/`), as prefixes ending in `/` or full ref names. A mirror remote whose refspecs
/// keep nothing here is an error: the fixes fetched from it could not be told from public work;
/// so is one that keeps them among the upstream's tracking refs (`refs/remotes/<upstream>/`),
/// which say what is public.
pub fn mirror_ref_places(
    repo: &gix::Repository,
    security: &str,
    upstream: &str,
) -> Result<Vec<String>> {
    let mut places = vec![format!("refs/remotes/{security}/")];
    let remote = match repo.try_find_remote(security) {
        None => return Ok(places),
        Some(Ok(remote)) => remote,
        Some(Err(e)) => {
            return Err(anyhow::anyhow!(
                "cannot read the configuration of remote {security:?}: {e}"
            ));
        }
    };
    let mut kept = false;
    for spec in remote.refspecs(gix::remote::Direction::Fetch) {
        let spec = spec.to_ref();
        let Some(local) = spec.local() else {
            continue;
        };
        let local = local.to_string();
        kept = true;
        let place = match local.find('*') {
            // `refs/sec/*` and `refs/sec-*/x` alike: all that is below the last whole directory.
            Some(star) => match local[..star].rfind('/') {
                Some(slash) => local[..=slash].to_owned(),
                None => continue,
            },
            None => local,
        };
        if !places.contains(&place) {
            places.push(place);
        }
    }
    if !kept {
        return refuse(
            Refusal::new(format!(
                "the security mirror remote {security:?} has no fetch refspec that keeps its refs here (remote.{security}.fetch), so its embargoed fixes cannot be told from public commits"
            ))
            .hint(format!(
                "git config --add remote.{security}.fetch '+refs/heads/*:refs/remotes/{security}/*' && git fetch {security}"
            )),
        );
    }
    let public = format!("refs/remotes/{upstream}/");
    if let Some(place) = places
        .iter()
        .find(|p| p.starts_with(&public) || public.starts_with(p.as_str()))
    {
        return refuse(
            Refusal::new(format!(
                "the security mirror remote {security:?} keeps its refs in {place}, among the upstream's tracking refs (remote.{security}.fetch), where they would count as public"
            ))
            .hint(format!(
                "git config --replace-all remote.{security}.fetch '+refs/heads/*:refs/remotes/{security}/*', then remove the mirror's refs from {public} (git fetch --prune {upstream})"
            )),
        );
    }
    Ok(places)
}

/// The commits the security mirror's refs here point to ([`mirror_ref_places`]), by full name,
/// sorted by name, as [`commit_tips`] reads them.
pub fn mirror_tips(
    repo: &gix::Repository,
    security: &str,
    upstream: &str,
) -> Result<Vec<(String, ObjectId)>> {
    let mut tips = Vec::new();
    for place in mirror_ref_places(repo, security, upstream)? {
        if place.ends_with('/') {
            tips.extend(commit_tips(repo, &place)?);
        } else {
            tips.extend(
                commit_tips(repo, &place)?
                    .into_iter()
                    .filter(|(name, _)| *name == place),
            );
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

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
        }
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
            .map_err(|e| format!("{e:#}"))?;
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
            .map_err(|e| format!("{e:#}"))?;
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
