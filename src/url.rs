//! Which repository a git URL names, for the pre-push guard: the URL git hands the hook is
//! compared with the security mirror's and the upstream's configured URLs, and two URLs are the
//! same repository when they lead to the same [`Location`]. Pure: the file system is asked through
//! [`Filesystem`], so tests and fuzzers hand in their own.
//!
//! Local destinations (`/srv/x.git`, `../x`, `~/x`, `file:///srv/x`) resolve the way git's
//! `receive-pack` opens them (git's `enter_repo`): `file://` URLs percent-decoded and their host
//! ignored, `~` and `~user` expanded, relative paths taken from the directory git ran in, the
//! suffixes `/.git`, ``, `.git/.git`, `.git` tried in that order, a gitfile followed, and the
//! result named by the canonical path of its common git directory, as the operating system
//! resolves it (a symlink before `..`; never a lexical clean-up).
//!
//! Network URLs (`ssh://`, scp-like `host:path`, `git://`, `http(s)://`) cannot be looked at on
//! disk; they are normalised as RFC 3986 and the forges read them: the host lower-cased, without
//! brackets or a trailing dot; the path percent-decoded, with `.` and `..` segments removed and
//! repeated `/` merged; a leading `/` or `~/` (the login's home, which is where a forge keeps its
//! repositories) dropped; a trailing `/`, `/.git` and `.git` dropped; and lower-cased, as forges
//! such as GitHub treat paths. The scheme, the user, the password and the port are ignored: one
//! repository reached over `ssh` on port 22, `ssh` on 443 and `https` is still one repository.
//! The curl helpers' own spelling (`https::https://host/x`) is the URL after `::`. `ext::` and
//! `fd::` reach whatever a command or a file descriptor leads to, which no URL says: they are
//! [`Location::Command`], equal only to the same text. Other remote-helper addresses
//! (`helper::address`, unknown `scheme://`) compare as written.

use std::path::{Path, PathBuf};

/// What is at a path, following symlinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Missing,
    File,
    Dir,
    Other,
}

/// The file system questions resolution asks. Each answers as git's own system calls would:
/// a path that cannot be looked at is not there.
pub trait Filesystem {
    /// What is at `path` (`stat`, following symlinks).
    fn kind(&self, path: &Path) -> Kind;
    /// The contents of a small file (a gitfile, `HEAD`, `commondir`); `None` if unreadable.
    fn read(&self, path: &Path) -> Option<Vec<u8>>;
    /// The canonical path of an existing path (`realpath`); `None` if it does not exist.
    fn canonicalize(&self, path: &Path) -> Option<PathBuf>;
    /// `$HOME` for `None`, else the named user's home directory.
    fn home(&self, user: Option<&[u8]>) -> Option<PathBuf>;
}

/// What a URL names, reduced so that equal values mean the same repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// A repository on this machine: the canonical path of its common git directory.
    Repository(PathBuf),
    /// A local path at which git finds no repository (as git would look for it).
    NoRepository(PathBuf),
    /// A repository on a host.
    Network { host: String, path: String },
    /// A remote helper's address, as written.
    Helper(String),
    /// An `ext::` command or `fd::` descriptors, as written: the repository behind them cannot
    /// be told.
    Command(String),
}

/// A URL that cannot be resolved to a location, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub url: String,
    pub problem: String,
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot tell which repository {:?} is: {}",
            self.url, self.problem
        )
    }
}

impl std::error::Error for Unresolved {}

/// The longest path git's `enter_repo` accepts.
const PATH_MAX: usize = 4096;

/// Resolves `url` to a [`Location`]. Relative paths are taken from `base` (the directory git ran
/// in, which must be absolute); `fs` answers the questions about the disk.
pub fn locate(url: &str, base: &Path, fs: &dyn Filesystem) -> Result<Location, Unresolved> {
    let unresolved = |problem: String| Unresolved {
        url: url.to_owned(),
        problem,
    };
    let bytes = url.as_bytes();
    // git's transport_get: `<helper>::<address>` first, then the built-in transports, then
    // anything else with a scheme goes to a helper.
    if let Some(name) = helper_name(bytes) {
        let address = &url[name.len() + 2..];
        return match name {
            "ext" | "fd" => Ok(Location::Command(url.to_owned())),
            // git-remote-http(s) and -ftp(s) take the address as their URL.
            "http" | "https" | "ftp" | "ftps" => {
                let curl = ["http://", "https://", "ftp://", "ftps://"];
                if curl.iter().any(|p| address.starts_with(p)) {
                    network(address, true).map_err(unresolved)
                } else {
                    Err(unresolved(format!(
                        "git's {name} transport would be handed {address:?}, which is not an http(s) or ftp(s) URL"
                    )))
                }
            }
            _ => Ok(Location::Helper(url.to_owned())),
        };
    }
    if !is_url(bytes) {
        if is_local(bytes) {
            return local(bytes, base, fs).map_err(unresolved);
        }
        return network(url, false).map_err(unresolved);
    }
    if let Some(rest) = url.strip_prefix("file://") {
        return file_url(rest, base, fs).map_err(unresolved);
    }
    let native = ["git://", "ssh://", "git+ssh://", "ssh+git://"];
    let curl = ["http://", "https://", "ftp://", "ftps://"];
    if native.iter().chain(&curl).any(|p| url.starts_with(p)) {
        return network(url, true).map_err(unresolved);
    }
    Ok(Location::Helper(url.to_owned()))
}

/// The URL a connection to `url` is made with: the address after a curl helper's own `http::`
/// (`https::`, `ftp::`, `ftps::`) prefix, else `url` itself.
pub fn connect_url(url: &str) -> &str {
    match helper_name(url.as_bytes()) {
        Some(name @ ("http" | "https" | "ftp" | "ftps")) => &url[name.len() + 2..],
        _ => url,
    }
}

/// True if `a` and `b` name the same repository, both resolved from `base`.
pub fn same(a: &str, b: &str, base: &Path, fs: &dyn Filesystem) -> Result<bool, Unresolved> {
    Ok(locate(a, base, fs)? == locate(b, base, fs)?)
}

fn is_scheme_char(first: bool, c: u8) -> bool {
    c.is_ascii_alphanumeric() || (!first && matches!(c, b'+' | b'-' | b'.'))
}

/// The helper of `helper::address`, with git's rule for the helper's name.
fn helper_name(url: &[u8]) -> Option<&str> {
    let name = url
        .iter()
        .enumerate()
        .take_while(|(i, c)| is_scheme_char(*i == 0, **c))
        .count();
    // Scheme characters are ASCII.
    url[name..]
        .starts_with(b"::")
        .then(|| std::str::from_utf8(&url[..name]).ok())
        .flatten()
}

/// git's `is_url`: a scheme, then `://`.
fn is_url(url: &[u8]) -> bool {
    let Some((&first, rest)) = url.split_first() else {
        return false;
    };
    if !is_scheme_char(true, first) {
        return false;
    }
    let scheme = rest.iter().take_while(|c| **c != b':').count();
    rest[..scheme].iter().all(|c| is_scheme_char(false, *c)) && rest[scheme..].starts_with(b"://")
}

/// git's `url_is_local_not_ssh`: no colon, or a slash before the first colon.
fn is_local(url: &[u8]) -> bool {
    match url.iter().position(|c| *c == b':') {
        None => true,
        Some(colon) => url[..colon].contains(&b'/'),
    }
}

/// git's `url_decode`: every valid `%XX`, nothing else (`+` stays).
fn percent_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%'
            && let (Some(h), Some(l)) = (
                text.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                text.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// `file://[host]/path`: git decodes the whole URL, ignores the host and opens the path.
fn file_url(rest: &str, base: &Path, fs: &dyn Filesystem) -> Result<Location, String> {
    let decoded = percent_decode(rest.as_bytes());
    // git's host_end: a bracketed host (`[..]`, also after `user@`) may hold slashes.
    let start = find(&decoded, b"@[").map_or(0, |at| at + 1);
    let host_end = if decoded.get(start) == Some(&b'[') {
        decoded[start..]
            .iter()
            .position(|c| *c == b']')
            .map_or(0, |end| start + end)
    } else {
        0
    };
    match decoded[host_end..].iter().position(|c| *c == b'/') {
        Some(slash) => local(&decoded[host_end + slash..], base, fs),
        None => Ok(Location::NoRepository(path_of(&decoded))),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(unix)]
fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(unix)]
fn bytes_of(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn bytes_of(path: &Path) -> Vec<u8> {
    path.to_string_lossy().as_bytes().to_vec()
}

/// The repository git's `enter_repo` opens for `path` (not strict: `~`, suffixes, gitfiles).
fn local(path: &[u8], base: &Path, fs: &dyn Filesystem) -> Result<Location, String> {
    let mut len = path.len();
    while len > 1 && path[len - 1] == b'/' {
        len -= 1;
    }
    let path = &path[..len];
    if path.is_empty() || path.len() >= PATH_MAX {
        return Ok(Location::NoRepository(path_of(path)));
    }
    let expanded = if path[0] == b'~' {
        let slash = path.iter().position(|c| *c == b'/').unwrap_or(path.len());
        let user = &path[1..slash];
        let home =
            fs.home((!user.is_empty()).then_some(user))
                .ok_or_else(|| match user.is_empty() {
                    true => "it starts with ~ and HOME is not set".to_owned(),
                    false => format!(
                        "it starts with ~{} and there is no such user",
                        String::from_utf8_lossy(user)
                    ),
                })?;
        let mut joined = bytes_of(&home);
        joined.extend_from_slice(&path[slash..]);
        path_of(&joined)
    } else {
        path_of(path)
    };
    let used = if expanded.is_absolute() {
        expanded
    } else {
        base.join(expanded)
    };
    let used_bytes = bytes_of(&used);
    for suffix in ["/.git", "", ".git/.git", ".git"] {
        let mut candidate = used_bytes.clone();
        candidate.extend_from_slice(suffix.as_bytes());
        let candidate = path_of(&candidate);
        match fs.kind(&candidate) {
            Kind::File => return Ok(gitfile(&candidate, fs)),
            Kind::Dir if is_git_directory(&candidate, fs) => return Ok(identity(&candidate, fs)),
            _ => {}
        }
    }
    Ok(Location::NoRepository(used))
}

/// A `gitdir: <path>` file, its path relative to the file's directory.
fn gitfile(file: &Path, fs: &dyn Filesystem) -> Location {
    let not_one = || Location::NoRepository(file.to_owned());
    let Some(content) = fs.read(file) else {
        return not_one();
    };
    let Some(target) = content.strip_prefix(b"gitdir: ") else {
        return not_one();
    };
    let mut end = target.len();
    while end > 0 && matches!(target[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let target = path_of(&target[..end]);
    let dir = if target.is_absolute() {
        target
    } else {
        file.parent().unwrap_or(Path::new("/")).join(target)
    };
    if is_git_directory(&dir, fs) {
        identity(&dir, fs)
    } else {
        not_one()
    }
}

/// The directory holding a git directory's objects and refs: itself, or what `commondir` names
/// (a linked worktree's git directory shares its repository's).
fn common_dir(git_dir: &Path, fs: &dyn Filesystem) -> PathBuf {
    let Some(content) = fs.read(&git_dir.join("commondir")) else {
        return git_dir.to_owned();
    };
    let mut end = content.len();
    while end > 0 && content[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let common = path_of(&content[..end]);
    if common.is_absolute() {
        common
    } else {
        git_dir.join(common)
    }
}

/// git's `is_git_directory`: a valid `HEAD`, and `objects` and `refs` in the common directory.
fn is_git_directory(dir: &Path, fs: &dyn Filesystem) -> bool {
    let head_ok = fs.read(&dir.join("HEAD")).is_some_and(|head| {
        if let Some(target) = head.strip_prefix(b"ref:") {
            let target = target.trim_ascii_start();
            return target.starts_with(b"refs/");
        }
        let hex = head.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        matches!(hex, 40 | 64)
    });
    let common = common_dir(dir, fs);
    head_ok
        && fs.kind(&common.join("objects")) == Kind::Dir
        && fs.kind(&common.join("refs")) == Kind::Dir
}

fn identity(git_dir: &Path, fs: &dyn Filesystem) -> Location {
    let common = common_dir(git_dir, fs);
    match fs.canonicalize(&common) {
        Some(canonical) => Location::Repository(canonical),
        None => Location::NoRepository(common),
    }
}

/// A network URL (`url` says whether it has a scheme, else it is scp-like), parsed by gix.
fn network(text: &str, url: bool) -> Result<Location, String> {
    use gix::url::Scheme;
    let parsed = gix::url::parse(text).map_err(|e| format!("it is not a valid URL ({e})"))?;
    let expected = match parsed.scheme {
        Scheme::Ssh | Scheme::Git => true,
        Scheme::Http | Scheme::Https | Scheme::HelperUrl(_) => url,
        Scheme::File | Scheme::Ext | Scheme::Helper(_) => false,
    };
    let Some(host) = parsed.host().filter(|_| expected) else {
        return Err("it does not name a host and a path the way git reads it".into());
    };
    let host = String::from_utf8_lossy(&percent_decode(host.as_bytes())).to_string();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let path = parsed.path_query_fragment().path;
    let mut path = String::from_utf8_lossy(path).into_owned();
    if matches!(parsed.scheme, Scheme::Ssh | Scheme::Git) {
        // `~/x` and `host:x` are both in the login's home.
        if path == "~" {
            path.clear();
        } else if let Some(rest) = path.strip_prefix("~/") {
            path = rest.to_owned();
        }
    }
    let path = remove_dot_segments(&path);
    Ok(Location::Network {
        host,
        path: strip_suffixes(path.trim_start_matches('/')).to_lowercase(),
    })
}

/// RFC 3986 section 5.2.4, on a path taken as absolute, with empty segments (`//`) merged.
pub fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing = false;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "" => trailing = i == last && i > 0,
            "." => trailing = i == last,
            ".." => {
                out.pop();
                trailing = i == last;
            }
            s => {
                out.push(s);
                trailing = false;
            }
        }
    }
    let mut result = format!("/{}", out.join("/"));
    if trailing && !out.is_empty() {
        result.push('/');
    }
    result
}

/// `x/`, `x/.git`, `x.git`, `x.git/.git` are the repository `x`, as git's suffix search has it.
fn strip_suffixes(path: &str) -> &str {
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix("/.git").unwrap_or(path);
    let path = path.strip_suffix(".git").unwrap_or(path);
    path.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    /// A file system in a table: directories, files with contents, symlinks resolved by
    /// `canonical`.
    #[derive(Default)]
    struct Table {
        dirs: HashSet<PathBuf>,
        files: HashMap<PathBuf, Vec<u8>>,
        /// Path prefix -> what it really is.
        links: Vec<(PathBuf, PathBuf)>,
        home: Option<PathBuf>,
        users: HashMap<Vec<u8>, PathBuf>,
    }

    impl Table {
        /// Resolves links (prefix rewrites) and `..` after them, as the kernel does.
        fn real(&self, path: &Path) -> PathBuf {
            let mut out = PathBuf::from("/");
            for c in path.components() {
                match c {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::Normal(n) => {
                        out.push(n);
                        for (from, to) in &self.links {
                            if out == *from {
                                out = to.clone();
                            }
                        }
                    }
                    _ => {}
                }
            }
            out
        }

        fn bare(mut self, path: &str) -> Self {
            let p = PathBuf::from(path);
            self.dirs.insert(p.clone());
            self.dirs.insert(p.join("objects"));
            self.dirs.insert(p.join("refs"));
            self.files
                .insert(p.join("HEAD"), b"ref: refs/heads/main\n".to_vec());
            self
        }

        fn file(mut self, path: &str, content: &str) -> Self {
            self.files.insert(path.into(), content.as_bytes().to_vec());
            self
        }

        fn link(mut self, from: &str, to: &str) -> Self {
            self.links.push((from.into(), to.into()));
            self
        }
    }

    impl Filesystem for Table {
        fn kind(&self, path: &Path) -> Kind {
            let real = self.real(path);
            if self.dirs.contains(&real) {
                Kind::Dir
            } else if self.files.contains_key(&real) {
                Kind::File
            } else {
                Kind::Missing
            }
        }
        fn read(&self, path: &Path) -> Option<Vec<u8>> {
            self.files.get(&self.real(path)).cloned()
        }
        fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
            (self.kind(path) != Kind::Missing).then(|| self.real(path))
        }
        fn home(&self, user: Option<&[u8]>) -> Option<PathBuf> {
            match user {
                None => self.home.clone(),
                Some(u) => self.users.get(u).cloned(),
            }
        }
    }

    fn key(url: &str) -> Location {
        locate(url, Path::new("/home/ada/work"), &Table::default()).expect(url)
    }

    fn net(host: &str, path: &str) -> Location {
        Location::Network {
            host: host.into(),
            path: path.into(),
        }
    }

    fn repo(path: &str) -> Location {
        Location::Repository(path.into())
    }

    #[test]
    fn scp_like_ssh_and_https_urls_are_the_same_repository() {
        let want = net("github.com", "mozilla/addons-server-security");
        for url in [
            "git@github.com:mozilla/addons-server-security.git",
            "github.com:mozilla/addons-server-security",
            "ssh://git@github.com/mozilla/addons-server-security.git",
            "ssh://git@github.com:22/mozilla/addons-server-security",
            "git+ssh://github.com/mozilla/addons-server-security/",
            "https://github.com/mozilla/addons-server-security.git",
            "https://github.com:443/mozilla/addons-server-security.git",
            "https://user:token@GitHub.COM/mozilla/addons-server-security.git/",
            "https://github.com/Mozilla/Addons-Server-Security",
            "ssh://git@github.com/~/mozilla/addons-server-security",
            "git@github.com:~/mozilla/addons-server-security",
            "https://github.com/mozilla/x/../addons-server-security",
            "https://github.com/mozilla/./addons-server-security",
            "https://github.com//mozilla//addons-server-security",
            "https://github.com/mozilla/addons-server-secur%69ty",
            "https://github.com/mozilla%2Faddons-server-security",
            "ssh://git@github.com/mozilla/addons-server-secur%69ty.git",
            "https://github.com./mozilla/addons-server-security",
            "https://github.com/mozilla/addons-server-security.git/.git",
            "https://github.com/mozilla/addons-server-security?x=1#y",
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
            "git@github.com:mozilla/addons-server-security.git.git",
            // scp-like paths are not URLs: no decoding.
            "git@github.com:mozilla/addons-server-secur%69ty.git",
            "https://github.com/~/mozilla/addons-server-security",
        ] {
            assert_ne!(key(url), mirror, "{url}");
        }
    }

    #[test]
    fn helpers_compare_as_written() {
        assert_eq!(key("foo::bar"), Location::Helper("foo::bar".into()));
        assert_eq!(key("svn://x/y"), Location::Helper("svn://x/y".into()));
        assert_ne!(key("foo::bar"), key("foo::bar/"));
    }

    #[test]
    fn ext_and_fd_lead_to_a_command_that_no_url_names() {
        let ext = "ext::git %s /r/security.git";
        assert_eq!(key(ext), Location::Command(ext.into()));
        assert_eq!(key("fd::3,4"), Location::Command("fd::3,4".into()));
        assert_ne!(at(ext), at("/r/security.git"));
    }

    #[test]
    fn the_curl_helpers_spelling_is_the_url_after_it() {
        let want = net("github.com", "mozilla/addons-server-security");
        for url in [
            "https::https://github.com/mozilla/addons-server-security.git",
            "http::http://github.com/mozilla/addons-server-security",
            "ftps::ftps://github.com/mozilla/addons-server-security",
        ] {
            assert_eq!(key(url), want, "{url}");
        }
        assert_eq!(connect_url("https::https://h/x"), "https://h/x");
        assert_eq!(connect_url("https://h/x"), "https://h/x");
        assert_eq!(connect_url("ext::git %s x"), "ext::git %s x");
        let err = locate("https::github.com/x", Path::new("/r"), &disk()).unwrap_err();
        assert!(
            err.problem.contains("not an http(s) or ftp(s) URL"),
            "{err}"
        );
    }

    fn disk() -> Table {
        let mut t = Table::default()
            .bare("/r/security.git")
            .bare("/r/other.git")
            .bare("/r/plain/.git")
            .file("/r/alias/.git", "gitdir: /r/security.git\n")
            .file("/r/rel/.git", "gitdir: ../security.git\n")
            .file("/r/bad/.git", "gitdir: /r/nowhere\n")
            .link("/r/x/lnk", "/r/deep/down")
            .link("/r/ln", "/r");
        t.dirs.insert("/r".into());
        t.dirs.insert("/r/deep".into());
        t.dirs.insert("/r/deep/down".into());
        t.dirs.insert("/r/x".into());
        t.dirs.insert("/r/work".into());
        t.dirs.insert("/r/alias".into());
        t.dirs.insert("/r/home".into());
        t.dirs.insert("/r/ada-home".into());
        t.home = Some("/r/home".into());
        t.users.insert(b"ada".to_vec(), "/r/ada-home".into());
        t
    }

    fn at(url: &str) -> Location {
        locate(url, Path::new("/r/work"), &disk()).expect(url)
    }

    #[test]
    fn local_spellings_resolve_to_the_repository_git_opens() {
        let want = repo("/r/security.git");
        for url in [
            "/r/security.git",
            "/r/security",
            "/r/security.git/",
            "/r/security.git///",
            "/r/security.git/.",
            "/r/security.git/objects/..",
            "../security.git",
            "../security",
            "./../work/../security.git",
            "file:///r/security.git",
            "file://localhost/r/security.git",
            "file://any-host/r/security.git",
            "file:///r/secur%69ty.git",
            "file:///r%2Fsecurity.git",
            "file:///r/home/../security.git",
            "/r/alias",
            "/r/alias/.git",
            "../alias",
            // Relative to the gitfile's directory.
            "/r/rel",
            "/r/ln/security.git",
            "~/../security.git",
            "~ada/../security",
            // The link is followed before `..`: /r/deep/down/.. is /r/deep, not /r/x.
            "/r/x/lnk/../../security.git",
        ] {
            assert_eq!(at(url), want, "{url}");
        }
        assert_eq!(at("/r/plain"), repo("/r/plain/.git"));
        assert_eq!(at("/r/plain/.git"), repo("/r/plain/.git"));
    }

    #[test]
    fn what_git_would_not_open_is_no_repository() {
        for url in [
            "/r/secur%69ty.git",
            "/r/x/lnk/../security.git",
            "/r/bad",
            "file:///~/../security.git",
            "file://~/../security.git",
            "/r",
            "",
        ] {
            assert!(
                matches!(at(url), Location::NoRepository(_)),
                "{url}: {:?}",
                at(url)
            );
        }
    }

    #[test]
    fn an_unknown_user_or_no_home_is_unresolved() {
        let err = locate("~bob/x", Path::new("/r"), &disk()).unwrap_err();
        assert_eq!(err.problem, "it starts with ~bob and there is no such user");
        let mut fs = disk();
        fs.home = None;
        assert!(locate("~/x", Path::new("/r"), &fs).is_err());
    }

    #[test]
    fn a_linked_worktree_is_its_repository() {
        let mut fs = disk()
            .file("/r/wt/.git", "gitdir: /r/plain/.git/worktrees/wt\n")
            .file("/r/plain/.git/worktrees/wt/HEAD", "ref: refs/heads/x\n")
            .file("/r/plain/.git/worktrees/wt/commondir", "../..\n");
        fs.dirs.insert("/r/plain/.git/worktrees/wt".into());
        assert_eq!(
            locate("/r/wt", Path::new("/"), &fs).unwrap(),
            repo("/r/plain/.git")
        );
    }

    #[test]
    fn a_colon_after_a_slash_is_a_path_not_a_host() {
        assert_eq!(
            key("./odd:name.git"),
            Location::NoRepository("/home/ada/work/./odd:name.git".into())
        );
        assert!(matches!(key("host:path"), Location::Network { .. }));
    }

    #[test]
    fn dot_segments_are_removed_as_rfc_3986_says() {
        for (input, want) in [
            ("/a/b/c/./../../g", "/a/g"),
            ("mid/content=5/../6", "/mid/6"),
            ("/../x", "/x"),
            ("/a/..", "/"),
            ("/a/.", "/a/"),
            ("/a//b/", "/a/b/"),
            ("", "/"),
            ("/", "/"),
        ] {
            assert_eq!(remove_dot_segments(input), want, "{input}");
        }
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
            "~",
            "~/",
            "file://",
            "file://[",
            "file://a@[b/c]/d",
            "%",
            "%%%",
            "http://%zz/",
            "https://[::1]:99999/x",
            "git@[::1]:x",
        ] {
            let _ = locate(url, Path::new("/r/work"), &disk());
        }
        assert_eq!(
            key("ssh://[::1]:22/x.git"),
            net("::1", "x"),
            "IPv6 hosts keep their colons"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_input_resolves_or_is_refused_without_a_panic(
            url in "[a-z~:/@%.\\[\\]0-9A-F?#+ -]{0,40}|\\PC{0,40}"
        ) {
            let _ = locate(&url, Path::new("/r/work"), &disk());
        }
    }
}
