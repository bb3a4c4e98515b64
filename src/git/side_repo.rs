//! The server guard's own copy of the upstream's release branch: a bare side repository inside
//! the mirror's git directory (`push-duty/upstream.git`), which the `pre-receive` hook fetches
//! the upstream's live branch into. It is apart from the mirror because during `pre-receive` the
//! pushed objects sit in git's quarantine, where the mirror's refs must not change (git refuses
//! any ref update made from inside it, and our fetch must not write into the quarantine either).
//! The side repository is opened isolated (no environment, no global configuration), so the
//! quarantine's `GIT_OBJECT_DIRECTORY` and `GIT_DIR` cannot leak into it; each fetch asks the
//! upstream for the one branch (protocol v2 `ls-refs` with a ref prefix) and only for the
//! objects it lacks.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::remote::Direction;

use crate::error::{Refusal, refuse};

/// Where the side repository of the mirror `repo` lives.
pub fn dir(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("push-duty").join("upstream.git")
}

/// Opens the side repository at `dir`, creating it (atomically, so two pushes at once agree)
/// when it is not there yet.
pub fn open_or_create(dir: &Path, hash: gix::hash::Kind) -> Result<gix::Repository> {
    if !dir.exists() {
        let parent = dir.parent().context("the side repository has no parent")?;
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let temp = tempdir_in(parent)?;
        let options = gix::create::Options {
            object_hash: Some(hash),
            ..Default::default()
        };
        gix::ThreadSafeRepository::init_opts(
            &temp,
            gix::create::Kind::Bare,
            options,
            gix::open::Options::isolated(),
        )
        .with_context(|| format!("cannot create the side repository in {}", temp.display()))?;
        // Another push may have created it meanwhile: then its copy is used and ours dropped.
        if let Err(e) = std::fs::rename(&temp, dir) {
            let _ = std::fs::remove_dir_all(&temp);
            if !dir.exists() {
                return Err(e).with_context(|| format!("cannot create {}", dir.display()));
            }
        }
    }
    let repo = gix::open_opts(dir, gix::open::Options::isolated())
        .with_context(|| format!("cannot open the side repository {}", dir.display()))?;
    Ok(repo)
}

fn tempdir_in(parent: &Path) -> Result<PathBuf> {
    for n in 0..100u32 {
        let candidate = parent.join(format!("upstream.git.tmp-{}-{n}", std::process::id()));
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", candidate.display()));
            }
        }
    }
    Err(anyhow::anyhow!(
        "cannot create a temporary directory in {}",
        parent.display()
    ))
}

/// What the upstream's branch points to: the object the ref names and the commit behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tip {
    pub target: ObjectId,
    pub commit: ObjectId,
}

/// Asks the repository at `url` (as written, no `insteadOf`) for `refs/heads/<branch>` only and
/// fetches what `side` lacks of it, pointing the side's `refs/heads/<branch>` at it. Refuses,
/// naming the URL, when the upstream cannot be reached, lacks the branch, or the fetch fails.
pub fn fetch_branch(side: &gix::Repository, url: &str, branch: &str) -> Result<Tip> {
    let full = format!("refs/heads/{branch}");
    let spec = format!("+{full}:{full}");
    let mut side = v2(side)?;
    {
        // Two pushes at once fetch into the same side repository: the second waits for the
        // first's ref lock instead of failing (and refusing its push) at once.
        let mut config = side.config_snapshot_mut();
        config
            .set_value(&gix::config::tree::Core::FILES_REF_LOCK_TIMEOUT, "10000")
            .context("cannot set the ref lock timeout")?;
        config.commit().context("cannot set the ref lock timeout")?;
    }
    let remote = side
        .remote_at_without_url_rewrite(url)
        .with_context(|| format!("cannot use {url:?} as a remote URL"))?
        .with_refspecs([spec.as_str()], Direction::Fetch)
        .map_err(|e| anyhow::anyhow!("invalid refspec {spec}: {e}"))?
        .with_fetch_tags(gix::remote::fetch::Tags::None);
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(url, &e))?;
    let prepare = connection
        .prepare_fetch(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(url, &e))?;
    let tip = prepare.ref_map().remote_refs.iter().find_map(|r| {
        let (name, target, peeled) = r.unpack();
        let target = target.filter(|_| name == full.as_bytes())?;
        Some(Tip {
            target: target.to_owned(),
            commit: peeled.unwrap_or(target).to_owned(),
        })
    });
    let Some(tip) = tip else {
        return refuse(Refusal::new(format!(
            "the upstream {url} has no branch {branch}, so nothing can be checked against it"
        )));
    };
    let interrupt = AtomicBool::new(false);
    prepare
        .receive(gix::progress::Discard, &interrupt)
        .map_err(|e| {
            let lock = std::path::absolute(side.git_dir().join(format!("{full}.lock")))
                .unwrap_or_else(|_| side.git_dir().join(format!("{full}.lock")));
            anyhow::Error::new(
                Refusal::new(format!(
                    "fetching {full} from the upstream {url} failed: {}",
                    chain(&e)
                ))
                .hint(format!(
                    "if no other push is running, a push stopped while fetching left its lock: the mirror's administrator removes {}",
                    lock.display()
                )),
            )
        })?;
    Ok(tip)
}

/// Lists `refs/heads/<branch>` of the repository at `url` (as written) through `repo`, fetching
/// nothing and writing nothing: whether the upstream can be reached and has the branch.
pub fn list_branch(repo: &gix::Repository, url: &str, branch: &str) -> Result<Option<ObjectId>> {
    let full = format!("refs/heads/{branch}");
    let spec = format!("{full}:{full}");
    let repo = v2(repo)?;
    let remote = repo
        .remote_at_without_url_rewrite(url)
        .with_context(|| format!("cannot use {url:?} as a remote URL"))?
        .with_refspecs([spec.as_str()], Direction::Fetch)
        .map_err(|e| anyhow::anyhow!("invalid refspec {spec}: {e}"))?
        .with_fetch_tags(gix::remote::fetch::Tags::None);
    let connection = remote
        .connect(Direction::Fetch)
        .map_err(|e| unreachable(url, &e))?;
    let (ref_map, _) = connection
        .ref_map(gix::progress::Discard, Default::default())
        .map_err(|e| unreachable(url, &e))?;
    Ok(ref_map.remote_refs.iter().find_map(|r| {
        let (name, target, peeled) = r.unpack();
        let target = target.filter(|_| name == full.as_bytes())?;
        Some(peeled.unwrap_or(target).to_owned())
    }))
}

/// `repo` asking for protocol version 2, whose `ls-refs` takes a ref prefix: the upstream lists
/// the one branch, however many refs it has.
fn v2(repo: &gix::Repository) -> Result<gix::Repository> {
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
    Ok(v2)
}

fn chain(error: &(dyn std::error::Error + 'static)) -> String {
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
    detail
}

fn unreachable(url: &str, error: &(dyn std::error::Error + 'static)) -> anyhow::Error {
    anyhow::Error::new(Refusal::new(format!(
        "cannot reach the upstream {url}: {}",
        chain(error)
    )))
}
