//! Where this clone keeps the security mirror's refs, and the commits they and the upstream's
//! tracking refs point to: what the leak question starts from. Read from the local refs only.

use std::collections::HashMap;

use anyhow::{Context, Result};
use gix::ObjectId;

use crate::error::{Refusal, refuse};

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
