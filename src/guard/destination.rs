//! Where a push goes: the push URL git hands the hook, resolved on disk as git resolves it, is
//! the security mirror, the upstream, or elsewhere, by the configured URLs of their remotes and
//! `pushduty.securityUrl`. A push that cannot be placed is refused here, before the decision.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::url::{self, Filesystem, Kind, Location};
use crate::config::{self, Settings};
use crate::error::{Refusal, refuse};
use crate::git::remote;
use crate::guard::{BYPASS, Destination};

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
