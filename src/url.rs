//! Deciding whether two git URLs name the same repository, for the pre-push guard: the URL git
//! hands the hook is compared with the security mirror's configured URLs. Pure: the caller passes
//! the directory relative paths are resolved against, and how to canonicalise an existing path.
//!
//! Network URLs compare by host and path, whatever the scheme (`ssh://`, scp-like `host:path`,
//! `https://`, `git://`), user info and port: the same repository reached two ways is still the
//! mirror. Hosts and paths compare case-insensitively, as forges such as GitHub treat them. Local
//! paths (`/srv/x.git`, `file:///srv/x.git`, `../x.git`) compare as absolute paths. Both drop
//! trailing `/` and `.git` (and a trailing `/.git` of a non-bare repository).

use std::path::{Component, Path, PathBuf};

/// What a URL names, reduced so that equal keys mean the same repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// A repository on this machine, as an absolute path without trailing `/`, `.git`, `/.git`.
    Local(String),
    /// A repository on a host: lower-case host, lower-case path without leading `/` or `~/`.
    Network { host: String, path: String },
}

/// Reduces `url` to a [`Location`]. Relative paths are resolved against `base` (git resolves
/// them against the top of the worktree, where hooks run); `canonical` turns an existing path into
/// its canonical form (symlinks resolved) and returns `None` for a path that does not exist.
pub fn locate(url: &str, base: &Path, canonical: &dyn Fn(&Path) -> Option<PathBuf>) -> Location {
    let url = url.trim();
    if let Some(rest) = url.strip_prefix("file://") {
        // file:///abs and file://localhost/abs name a local path; file://x is x relative.
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        return local(path, base, canonical);
    }
    if let Some((scheme, rest)) = url.split_once("://")
        && is_scheme(scheme)
    {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        return network(authority, path);
    }
    if let Some((host, path)) = scp_like(url) {
        return network(host, path);
    }
    local(url, base, canonical)
}

/// True if `a` and `b` name the same repository.
pub fn same(a: &str, b: &str, base: &Path, canonical: &dyn Fn(&Path) -> Option<PathBuf>) -> bool {
    locate(a, base, canonical) == locate(b, base, canonical)
}

fn is_scheme(scheme: &str) -> bool {
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// git's rule: `host:path` is scp-like when a colon comes before any slash (so `./a:b` and
/// `/a:b` are paths).
fn scp_like(url: &str) -> Option<(&str, &str)> {
    let colon = url.find(':')?;
    let slash = url.find('/');
    if slash.is_some_and(|s| s < colon) || colon == 0 {
        return None;
    }
    Some((&url[..colon], &url[colon + 1..]))
}

fn network(authority: &str, path: &str) -> Location {
    // user[:password]@host[:port]; an IPv6 host is bracketed.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split_once(']').map_or(rest, |(h, _)| h)
    } else {
        host_port.split_once(':').map_or(host_port, |(h, _)| h)
    };
    let mut path = path.trim_start_matches('/');
    path = path.strip_prefix("~/").unwrap_or(path);
    Location::Network {
        host: host.to_ascii_lowercase(),
        path: strip_suffixes(path).to_lowercase(),
    }
}

fn local(path: &str, base: &Path, canonical: &dyn Fn(&Path) -> Option<PathBuf>) -> Location {
    let path = Path::new(path);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let cleaned = lexical_clean(&joined);
    // git finds `x` at `x.git` too: resolve symlinks wherever the repository really is.
    let resolved = canonical(&cleaned)
        .or_else(|| {
            let mut suffixed = cleaned.clone().into_os_string();
            suffixed.push(".git");
            canonical(Path::new(&suffixed))
        })
        .unwrap_or(cleaned);
    Location::Local(strip_suffixes(&resolved.to_string_lossy()).to_owned())
}

/// Removes `.` and resolves `..` without touching the file system.
fn lexical_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn strip_suffixes(mut path: &str) -> &str {
    loop {
        let before = path;
        path = path.trim_end_matches('/');
        path = path.strip_suffix("/.git").unwrap_or(path);
        path = path.strip_suffix(".git").unwrap_or(path);
        if path == before {
            return path;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_fs(_: &Path) -> Option<PathBuf> {
        None
    }

    fn key(url: &str) -> Location {
        locate(url, Path::new("/home/ada/work"), &no_fs)
    }

    fn net(host: &str, path: &str) -> Location {
        Location::Network {
            host: host.into(),
            path: path.into(),
        }
    }

    #[test]
    fn scp_like_and_ssh_urls_are_the_same_repository() {
        let want = net("github.com", "mozilla/addons-server-security");
        for url in [
            "git@github.com:mozilla/addons-server-security.git",
            "github.com:mozilla/addons-server-security",
            "ssh://git@github.com/mozilla/addons-server-security.git",
            "ssh://git@github.com:22/mozilla/addons-server-security",
            "git+ssh://github.com/mozilla/addons-server-security/",
            "https://github.com/mozilla/addons-server-security.git",
            "https://user:token@GitHub.COM/mozilla/addons-server-security.git/",
            "https://github.com/Mozilla/Addons-Server-Security",
            "ssh://git@github.com/~/mozilla/addons-server-security",
            "  git@github.com:mozilla/addons-server-security.git\n",
        ] {
            assert_eq!(key(url), want, "{url}");
        }
    }

    #[test]
    fn look_alikes_are_different_repositories() {
        let mirror = key("git@github.com:mozilla/addons-server-security.git");
        for url in [
            "git@github.com:mozilla/addons-server-security2.git",
            "git@github.com:mozilla/addons-server.git",
            "git@github.com:ada/addons-server-security.git",
            "git@gitlab.com:mozilla/addons-server-security.git",
            "git@github.com:mozilla/addons-server-security-mirror.git",
        ] {
            assert_ne!(key(url), mirror, "{url}");
        }
    }

    #[test]
    fn local_paths_and_file_urls_resolve_against_the_base() {
        let want = Location::Local("/home/ada/security".into());
        for url in [
            "/home/ada/security.git",
            "/home/ada/security/",
            "/home/ada/security/.git",
            "file:///home/ada/security.git",
            "file://localhost/home/ada/security.git",
            "../security.git",
            "./../security",
            "/home/ada/./work/../security.git",
        ] {
            assert_eq!(key(url), want, "{url}");
        }
        assert_ne!(key("../security-mirror2.git"), want);
        assert_ne!(key("security.git"), want);
    }

    #[test]
    fn a_colon_after_a_slash_is_a_path_not_a_host() {
        assert_eq!(
            key("./odd:name.git"),
            Location::Local("/home/ada/work/odd:name".into())
        );
        assert_eq!(key("/srv/a:b"), Location::Local("/srv/a:b".into()));
    }

    #[test]
    fn existing_paths_are_canonicalised_before_the_suffixes_go() {
        let canonical = |p: &Path| {
            (p == Path::new("/tmp/link.git")).then(|| PathBuf::from("/private/tmp/real.git"))
        };
        assert_eq!(
            locate("/tmp/link.git", Path::new("/"), &canonical),
            Location::Local("/private/tmp/real".into())
        );
        assert!(same(
            "file:///tmp/link.git",
            "/private/tmp/real",
            Path::new("/"),
            &canonical
        ));
    }

    #[test]
    fn a_path_without_its_git_suffix_is_canonicalised_where_git_finds_it() {
        let canonical = |p: &Path| {
            (p == Path::new("/link/security.git")).then(|| PathBuf::from("/real/security.git"))
        };
        assert!(same(
            "/link/security",
            "/real/security.git",
            Path::new("/"),
            &canonical
        ));
        assert_eq!(
            locate("/link/other", Path::new("/"), &canonical),
            Location::Local("/link/other".into())
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for url in [
            "",
            ":",
            "://",
            "@",
            "[",
            "ssh://[::1",
            "ssh://",
            "a@:",
            "::::",
            "/",
            "..",
            "\u{0}",
        ] {
            let _ = key(url);
        }
        assert_eq!(
            key("ssh://[::1]:22/x.git"),
            net("::1", "x"),
            "IPv6 hosts keep their colons"
        );
    }
}
