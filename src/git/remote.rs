//! Talking to remotes with gix: finding a remote by name, listing its refs without fetching, and
//! fetching exactly the refspecs a command needs (never the user's whole configuration).

use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::remote::Direction;

use crate::error::{Refusal, refuse};

/// A ref as the remote advertises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRef {
    /// Full name, `refs/tags/2026.12.03`.
    pub name: String,
    /// What the ref points to (a tag object for annotated tags).
    pub target: ObjectId,
    /// The commit (or other object) behind an annotated tag; equal to `target` otherwise.
    pub peeled: ObjectId,
}

/// The refs a remote advertised, filtered by the refspecs asked for, kept sorted by name so that
/// [`RemoteRefs::find`] is a binary search: a listing of 100,000 tags is looked up once per
/// calendar tag when what a tag ships is counted, and a scan each time made that quadratic.
#[derive(Debug, Clone, Default)]
pub struct RemoteRefs {
    /// Sorted by name, one entry per name.
    refs: Vec<RemoteRef>,
}

impl RemoteRefs {
    /// The listing of `refs`, in any order (a ref listed twice is kept once).
    pub fn new(mut refs: Vec<RemoteRef>) -> Self {
        // A remote lists its refs sorted already, which a stable sort checks in one pass.
        refs.sort_by(|a, b| a.name.cmp(&b.name));
        refs.dedup_by(|a, b| a.name == b.name);
        RemoteRefs { refs }
    }

    /// Every ref listed, sorted by name.
    pub fn refs(&self) -> &[RemoteRef] {
        &self.refs
    }

    /// Keeps only the refs `keep` says yes to (the order stays sorted).
    pub fn retain(&mut self, keep: impl FnMut(&RemoteRef) -> bool) {
        self.refs.retain(keep);
    }

    /// The short names of the remote's tags.
    pub fn tag_names(&self) -> Vec<String> {
        self.refs
            .iter()
            .filter_map(|r| r.name.strip_prefix("refs/tags/"))
            .map(str::to_owned)
            .collect()
    }

    /// The ref of exactly this full name (`refs/tags/2026.12.03`), if listed.
    pub fn find(&self, full_name: &str) -> Option<&RemoteRef> {
        self.refs
            .binary_search_by(|r| r.name.as_str().cmp(full_name))
            .ok()
            .map(|i| &self.refs[i])
    }
}

/// Finds a configured remote by its name (not a URL), or refuses naming the setting.
pub fn find<'repo>(
    repo: &'repo gix::Repository,
    name: &str,
    setting: &str,
) -> Result<gix::Remote<'repo>> {
    let configured = repo
        .remote_names()
        .iter()
        .any(|n| n.as_ref() as &[u8] == name.as_bytes());
    if !configured {
        let known: Vec<String> = repo.remote_names().iter().map(|n| n.to_string()).collect();
        let known = if known.is_empty() {
            "no remotes are configured".to_owned()
        } else {
            format!("the remotes here are: {}", known.join(", "))
        };
        return refuse(
            Refusal::new(format!("there is no remote named {name:?} ({known})"))
                .hint(format!("add it: git remote add {name} <url>"))
                .hint(format!(
                    "or name the remote you use: git config {setting} <remote>"
                )),
        );
    }
    repo.find_remote(name)
        .with_context(|| format!("cannot read the configuration of remote {name:?}"))
}

/// The remote's URL for `direction`, after `insteadOf`/`pushInsteadOf` rewrites, as text.
pub fn url(remote: &gix::Remote<'_>, direction: Direction) -> Option<String> {
    remote.url(direction).map(|u| u.to_bstring().to_string())
}

/// The URLs a web link to the remote named `name` can be made from, best first: the fetch URLs
/// as rewritten by `insteadOf` (a `gh:` shorthand needs it), then as configured (a rewrite may
/// point at a cache on disk), then the push URLs the same way. Empty if there is no such remote.
pub fn link_urls(repo: &gix::Repository, name: &str) -> Vec<String> {
    let rewritten = repo.try_find_remote(name).and_then(Result::ok);
    let configured = repo
        .try_find_remote_without_url_rewrite(name)
        .and_then(Result::ok);
    let mut urls: Vec<String> = Vec::new();
    for direction in [Direction::Fetch, Direction::Push] {
        for remote in [&rewritten, &configured].into_iter().flatten() {
            for url in remote.urls(direction) {
                let url = url.to_bstring().to_string();
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
        }
    }
    urls
}

/// Every URL the remote is reached by: fetch URLs, push URLs, rewritten, deduplicated.
pub fn all_urls(remote: &gix::Remote<'_>) -> Vec<String> {
    let mut urls: Vec<String> = remote
        .urls(Direction::Fetch)
        .chain(remote.urls(Direction::Push))
        .map(|u| u.to_bstring().to_string())
        .collect();
    urls.dedup();
    urls
}

/// Lists the remote's refs matching `specs` (`refs/heads/main:refs/x`, `refs/tags/*:refs/tags/*`;
/// the destinations only shape the listing) without fetching anything or touching the repository.
pub fn list(
    repo: &gix::Repository,
    name: &str,
    setting: &str,
    specs: &[String],
) -> Result<RemoteRefs> {
    let remote = with_specs(find(repo, name, setting)?, specs)?;
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(&remote, name, &e))?;
    let (ref_map, _handshake) = connection
        .ref_map(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(&remote, name, &e))?;
    Ok(convert(&ref_map.remote_refs))
}

/// Fetches the objects behind `refs` (exact full names such as `refs/heads/main`,
/// `refs/tags/2026.11.26`) from the remote named `name`, writing no ref at all: the caller
/// decides what, if anything, a ref should point to. Refuses if the remote lacks one of them.
pub fn fetch_objects(
    repo: &gix::Repository,
    name: &str,
    setting: &str,
    refs: &[String],
) -> Result<()> {
    let fetched = fetch(repo, name, setting, refs)?;
    match refs.iter().find(|r| fetched.find(r).is_none()) {
        None => Ok(()),
        Some(missing) => refuse(Refusal::new(format!("{name} has no {missing}"))),
    }
}

/// Fetches the objects of `listed`, refs as an earlier listing of the remote named `name` showed
/// them, writing no ref; refuses, fetching nothing, if the remote lacks one of them now or it
/// points elsewhere than listed (it moved meanwhile): what was decided from the listing must be
/// what the objects are.
pub fn fetch_as_listed(
    repo: &gix::Repository,
    name: &str,
    setting: &str,
    listed: &[&RemoteRef],
) -> Result<()> {
    let names: Vec<String> = listed.iter().map(|r| r.name.clone()).collect();
    let fetched = fetch(repo, name, setting, &names)?;
    for want in listed {
        match fetched.find(&want.name) {
            Some(now) if now.target == want.target => {}
            Some(now) => {
                return refuse(
                    Refusal::new(format!(
                        "{name}'s {} moved while this run read it: it was listed at {} and is now at {}; nothing was changed",
                        want.name,
                        want.target.to_hex_with_len(7),
                        now.target.to_hex_with_len(7)
                    ))
                    .hint("run the command again: it starts from what the upstream has then"),
                );
            }
            None => refuse(Refusal::new(format!("{name} has no {}", want.name)))?,
        }
    }
    Ok(())
}

/// Lists `refs` (exact full names) on the remote named `name` and, if it has every one of them,
/// fetches their objects in the same connection. Writes no ref at all, so a dry run or a refusal
/// after it leaves the repository's refs as they were. Returns the refs the remote has; if one
/// is missing, nothing is fetched and the caller says which.
pub fn fetch(
    repo: &gix::Repository,
    name: &str,
    setting: &str,
    refs: &[String],
) -> Result<RemoteRefs> {
    if refs.is_empty() {
        return Ok(RemoteRefs::default());
    }
    let remote = with_specs(find(repo, name, setting)?, refs)?;
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(&remote, name, &e))?;
    let prepare = connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(&remote, name, &e))?;
    let mut found = convert(&prepare.ref_map().remote_refs);
    found.retain(|r| refs.contains(&r.name));
    if refs.iter().any(|r| found.find(r).is_none()) {
        return Ok(found);
    }
    let interrupt = AtomicBool::new(false);
    prepare
        .receive(gix::progress::Discard, &interrupt)
        .map_err(|e| {
            anyhow::Error::new(Refusal::new(format!(
                "fetching {} from {name} ({}) failed: {e}",
                refs.join(" "),
                url(&remote, Direction::Fetch).unwrap_or_default()
            )))
        })?;
    Ok(found)
}

/// The remote's `refs/heads/<branch>` as it lists it now over its fetch URL, with its objects
/// fetched; no ref is written (the caller's plan points the tracking ref at it, as `git fetch`
/// would). `None` if the remote has no such branch.
pub fn fetch_branch(
    repo: &gix::Repository,
    name: &str,
    setting: &str,
    branch: &str,
) -> Result<Option<RemoteRef>> {
    let full = format!("refs/heads/{branch}");
    let fetched = fetch(repo, name, setting, std::slice::from_ref(&full))?;
    Ok(fetched.find(&full).cloned())
}

/// [`fetch_branch`], then `refs/remotes/<name>/<branch>` pointed at it (whatever it held before,
/// as `git fetch` does), through the plan's runner; returns the commit (or object) the branch
/// peels to. Kept for the pre-push guard's facts, which follow the upstream this way.
pub fn live_branch(
    repo: &gix::Repository,
    name: &str,
    setting: &str,
    branch: &str,
) -> Result<Option<ObjectId>> {
    let Some(tip) = fetch_branch(repo, name, setting, branch)? else {
        return Ok(None);
    };
    let follow = crate::plan::Mode {
        dry_run: false,
        yes: true,
    };
    crate::plan::Runner::new(follow).follow(repo, tracking_effect(name, branch, tip.target))?;
    Ok(Some(tip.peeled))
}

/// The effect that points `refs/remotes/<name>/<branch>` at `target`, as `git fetch` would.
pub fn tracking_effect(name: &str, branch: &str, target: ObjectId) -> crate::plan::Effect {
    crate::plan::Effect::SetTrackingRefs {
        refs: vec![(format!("refs/remotes/{name}/{branch}"), target)],
        what: format!("update the remote-tracking ref {name}/{branch}"),
    }
}

/// Lists the remote's branches and tags over its fetch URL and fetches the objects of those this
/// repository lacks, writing no ref; returns what each peels to (commits, or the trees and blobs
/// of tags that point to them).
pub fn fetch_public(repo: &gix::Repository, name: &str, setting: &str) -> Result<Vec<ObjectId>> {
    let specs = [
        "refs/heads/*:refs/heads/*".to_owned(),
        "refs/tags/*:refs/tags/*".to_owned(),
    ];
    let listed = list(repo, name, setting, &specs)?;
    let public: Vec<&RemoteRef> = listed
        .refs()
        .iter()
        .filter(|r| r.name.starts_with("refs/heads/") || r.name.starts_with("refs/tags/"))
        .collect();
    let missing: Vec<String> = public
        .iter()
        .filter(|r| !repo.has_object(r.target))
        .map(|r| r.name.clone())
        .collect();
    fetch_objects(repo, name, setting, &missing)?;
    Ok(public.iter().map(|r| r.peeled).collect())
}

/// A ref as a remote lists it, with what a symbolic one finally resolves to there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRef {
    pub name: String,
    pub symref_target: Option<String>,
}

/// The refs among `names` (exact full names) of the repository at `url` (taken as written: no
/// `insteadOf`), listed in one protocol v2 `ls-refs` round trip, which reports every symbolic
/// ref with its target. Refuses if the server answers in an older protocol, which reports the
/// target of `HEAD` only.
pub fn list_symrefs(
    repo: &gix::Repository,
    url_text: &str,
    names: &[String],
) -> Result<Vec<ListedRef>> {
    let mut v2 = repo.clone();
    {
        let mut config = v2.config_snapshot_mut();
        config
            .set_value(&gix::config::tree::Protocol::VERSION, "2")
            .context("cannot ask for protocol version 2")?;
        config
            .commit()
            .context("cannot ask for protocol version 2")?;
    }
    let remote = v2
        .remote_at_without_url_rewrite(url_text)
        .with_context(|| format!("cannot use {url_text:?} as a remote URL"))?;
    let remote = with_specs(remote, names)?;
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(&remote, url_text, &e))?;
    let (ref_map, handshake) = connection
        .ref_map(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(&remote, url_text, &e))?;
    if handshake.server_protocol_version != gix::protocol::transport::Protocol::V2 {
        return refuse(Refusal::new(format!(
            "{url_text} answered in git protocol {:?}, which does not say which of its refs are symbolic",
            handshake.server_protocol_version
        )));
    }
    use gix::protocol::handshake::Ref;
    let mut listed = Vec::new();
    for r in &ref_map.remote_refs {
        let (name, symref_target) = match r {
            Ref::Symbolic {
                full_ref_name,
                target,
                ..
            } => (full_ref_name.to_string(), Some(target.to_string())),
            Ref::Direct { full_ref_name, .. } | Ref::Peeled { full_ref_name, .. } => {
                (full_ref_name.to_string(), None)
            }
            Ref::Unborn { .. } => continue,
        };
        if names.contains(&name) {
            listed.push(ListedRef {
                name,
                symref_target,
            });
        }
    }
    Ok(listed)
}

fn with_specs<'repo>(
    mut remote: gix::Remote<'repo>,
    specs: &[String],
) -> Result<gix::Remote<'repo>> {
    remote
        .replace_refspecs(specs.iter().map(String::as_str), Direction::Fetch)
        .with_context(|| format!("invalid refspec in {specs:?}"))?;
    // Only what was asked for: no implied tag following.
    Ok(remote.with_fetch_tags(gix::remote::fetch::Tags::None))
}

/// A remote could not be reached (listing or fetching). Typed, without hints: the git layer does
/// not know what the user typed, so the command adds them where it reports the error
/// (`crate::hints`): only a command that has `--offline` suggests it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// The remote's name, or the URL when it was reached by URL.
    pub remote: String,
    /// True when `remote` is the name of a configured remote (not a URL).
    pub named: bool,
    pub url: String,
    /// What failed, down to the cause people act on ("Connection refused", "not found").
    pub detail: String,
}

impl Unreachable {
    /// The hint that fits every command: where to check the URL of a named remote.
    pub fn url_hint(&self) -> Option<String> {
        self.named
            .then(|| format!("check the URL with: git remote get-url {}", self.remote))
    }
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot reach remote {} ({}): {}",
            self.remote, self.url, self.detail
        )
    }
}

impl std::error::Error for Unreachable {}

fn unreachable(
    remote: &gix::Remote<'_>,
    name: &str,
    error: &(dyn std::error::Error + 'static),
) -> anyhow::Error {
    let url = url(remote, Direction::Fetch).unwrap_or_else(|| "no URL".into());
    // The cause at the bottom ("Connection refused", "not found") is the part people act on.
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !detail.contains(&text) {
            detail.push_str(": ");
            detail.push_str(&text);
        }
        source = cause.source();
    }
    anyhow::Error::new(Unreachable {
        remote: name.to_owned(),
        named: remote.name().is_some(),
        url,
        detail,
    })
}

fn convert(refs: &[gix::protocol::handshake::Ref]) -> RemoteRefs {
    use gix::protocol::handshake::Ref;
    let refs = refs
        .iter()
        .filter_map(|r| match r {
            Ref::Peeled {
                full_ref_name,
                tag,
                object,
            } => Some(RemoteRef {
                name: full_ref_name.to_string(),
                target: *tag,
                peeled: *object,
            }),
            Ref::Direct {
                full_ref_name,
                object,
            } => Some(RemoteRef {
                name: full_ref_name.to_string(),
                target: *object,
                peeled: *object,
            }),
            Ref::Symbolic {
                full_ref_name,
                tag,
                object,
                ..
            } => Some(RemoteRef {
                name: full_ref_name.to_string(),
                target: tag.unwrap_or(*object),
                peeled: *object,
            }),
            Ref::Unborn { .. } => None,
        })
        .collect();
    RemoteRefs::new(refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str, byte: u8) -> RemoteRef {
        let id = ObjectId::from_bytes_or_panic(&[byte; 20]);
        RemoteRef {
            name: name.to_owned(),
            target: id,
            peeled: id,
        }
    }

    #[test]
    fn a_listing_in_any_order_finds_every_ref_and_only_those() {
        let refs = RemoteRefs::new(vec![
            listed("refs/tags/2026.12.03", 1),
            listed("refs/heads/main", 2),
            listed("refs/tags/2026.11.26-10", 3),
            listed("refs/tags/2026.11.26-9", 4),
            listed("refs/tags/2026.12.03", 1),
        ]);
        assert_eq!(refs.refs().len(), 4, "a ref listed twice is kept once");
        for (name, byte) in [
            ("refs/heads/main", 2),
            ("refs/tags/2026.11.26-10", 3),
            ("refs/tags/2026.11.26-9", 4),
            ("refs/tags/2026.12.03", 1),
        ] {
            let found = refs.find(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(found.target, ObjectId::from_bytes_or_panic(&[byte; 20]));
        }
        for absent in ["refs/tags/2026.11.26", "refs/tags/2026.12.03-1", "main", ""] {
            assert!(refs.find(absent).is_none(), "{absent}");
        }
        let mut only_tags = refs.clone();
        only_tags.retain(|r| r.name.starts_with("refs/tags/"));
        assert!(only_tags.find("refs/heads/main").is_none());
        assert!(only_tags.find("refs/tags/2026.12.03").is_some());
        assert_eq!(
            refs.tag_names(),
            ["2026.11.26-10", "2026.11.26-9", "2026.12.03"]
        );
    }
}
