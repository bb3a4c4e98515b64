//! What the server guard protects, recorded by `hooks install --server` in the security mirror's
//! own bare repository (`[pushduty "server"]` in its `config`): the public upstream's URL and the
//! release branch. The `pre-receive` hook decides from these alone and reads them strictly: a key
//! missing, set twice or unknown is a refusal, never a default, because a mirror whose guard does
//! not know what to protect must refuse every update of its main.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::branch_name;
use crate::error::{Refusal, refuse};

/// The subsection of `pushduty` the server guard's settings live in.
pub const SUBSECTION: &str = "server";
/// The public upstream's URL, as given to `hooks install --server --upstream`.
pub const UPSTREAM: &str = "pushduty.server.upstream";
/// The release branch, without `refs/heads/`.
pub const BRANCH: &str = "pushduty.server.branch";
/// Every key `hooks install --server` writes.
pub const KEYS: &[&str] = &[UPSTREAM, BRANCH];

const INSTALL: &str = "git push-duty hooks install --server --upstream <url> --branch <branch>";

/// What the server guard protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPins {
    /// The upstream's URL, used as written (no `insteadOf`).
    pub upstream: String,
    pub branch: String,
}

/// The file the settings are in: the repository's own `config`.
pub fn config_file(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("config")
}

impl ServerPins {
    /// The full name of the release branch, `refs/heads/<branch>`.
    pub fn release_ref(&self) -> String {
        format!("refs/heads/{}", self.branch)
    }

    /// The values as `[pushduty "server"]` holds them.
    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("upstream".into(), self.upstream.clone()),
            ("branch".into(), self.branch.clone()),
        ]
    }

    /// Checked values from what was typed: a URL gix can connect to and a branch name git
    /// accepts (`refs/heads/main` is `main`).
    pub fn new(upstream: &str, branch: &str) -> Result<Self> {
        check_url(upstream).map_err(|problem| {
            anyhow::Error::new(
                Refusal::usage(format!(
                    "--upstream {upstream:?} is not a URL git can fetch from: {problem}"
                ))
                .hint("give the public upstream's URL, e.g. --upstream https://github.com/mozilla/addons-server.git"),
            )
        })?;
        let Some(branch) = branch_name(branch) else {
            return refuse(Refusal::usage(format!(
                "--branch {branch:?} is not a branch name"
            )));
        };
        Ok(ServerPins {
            upstream: upstream.to_owned(),
            branch,
        })
    }

    /// The settings in the repository's own config file, checked; `None` if there are none.
    /// Values anywhere else (an included file, global config, `git -c`) are not read: only the
    /// mirror's administrator, who installed the hook, decides what it protects.
    pub fn read(repo: &gix::Repository) -> Result<Option<ServerPins>> {
        let snapshot = repo.config_snapshot();
        let mut found: Option<PathBuf> = None;
        let mut values: Vec<(String, String)> = Vec::new();
        for section in snapshot.plumbing().sections() {
            let header = section.header();
            let meta = section.meta();
            if !header.name().eq_ignore_ascii_case(b"pushduty")
                || header.subsection_name().is_none_or(|s| s != SUBSECTION)
                || meta.source != gix::config::Source::Local
                || meta.level != 0
            {
                continue;
            }
            found = Some(meta.path.clone().unwrap_or_else(|| config_file(repo)));
            for (name, value) in section.body() {
                values.push((name.to_ascii_lowercase(), value.to_string()));
            }
        }
        let Some(file) = found else {
            return Ok(None);
        };
        Self::from_values(&values, &file).map(Some)
    }

    fn from_values(values: &[(String, String)], file: &Path) -> Result<ServerPins> {
        let broken = |message: String| {
            anyhow::Error::new(
                Refusal::configuration(message)
                    .hint(format!("record them again, in the mirror: {INSTALL}")),
            )
        };
        let short = |key: &'static str| key.rsplit('.').next().unwrap_or(key);
        for (name, _) in values {
            if !KEYS.iter().any(|k| short(k).eq_ignore_ascii_case(name)) {
                return Err(broken(format!(
                    "pushduty.server.{name} (in {}) is not a setting git-push-duty writes, so the server guard does not trust what it protects",
                    file.display()
                )));
            }
        }
        let one = |key: &'static str| -> Result<String> {
            let all: Vec<&String> = values
                .iter()
                .filter(|(n, _)| short(key).eq_ignore_ascii_case(n))
                .map(|(_, v)| v)
                .collect();
            match all.as_slice() {
                [value] => Ok((*value).clone()),
                [] => Err(broken(format!(
                    "{key} is missing from {}, so the server guard does not know what to protect",
                    file.display()
                ))),
                _ => Err(broken(format!(
                    "{key} is set more than once in {}, so the server guard does not know what to protect",
                    file.display()
                ))),
            }
        };
        let (upstream, branch) = (one(UPSTREAM)?, one(BRANCH)?);
        if let Err(problem) = check_url(&upstream) {
            return Err(broken(format!(
                "{UPSTREAM} = {upstream:?} (in {}) is not a URL git can fetch from: {problem}",
                file.display()
            )));
        }
        if branch_name(&branch).as_deref() != Some(branch.as_str()) {
            return Err(broken(format!(
                "{BRANCH} = {branch:?} (in {}) is not a branch name",
                file.display()
            )));
        }
        Ok(ServerPins { upstream, branch })
    }
}

impl ServerPins {
    /// True if the upstream is a local path to this very repository: judged against itself,
    /// the mirror's main could hold anything.
    pub fn upstream_is(&self, repo: &gix::Repository) -> bool {
        let Ok(url) = gix::url::parse(gix::bstr::BStr::new(&self.upstream)) else {
            return false;
        };
        if url.scheme != gix::url::Scheme::File {
            return false;
        }
        let path = PathBuf::from(url.path.to_string());
        let here = std::fs::canonicalize(repo.git_dir());
        [path.clone(), path.join(".git")]
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .any(|p| here.as_ref().is_ok_and(|h| *h == p))
    }
}

/// Why `text` is not a URL to fetch the upstream from, if it is not one. Transports that run a
/// command (`ext::`, `fd::`) are refused: they can lead anywhere.
fn check_url(text: &str) -> Result<(), String> {
    if text.trim().is_empty() || text.trim() != text {
        return Err("it is empty or has spaces around it".into());
    }
    if text.starts_with('-') {
        return Err("it reads as an option".into());
    }
    if text.contains("::") {
        return Err("a remote helper's address (`<transport>::<address>`) is not supported".into());
    }
    let url = gix::url::parse(gix::bstr::BStr::new(text)).map_err(|e| e.to_string())?;
    use gix::url::Scheme;
    if url.scheme == Scheme::File && !std::path::Path::new(&url.path.to_string()).is_absolute() {
        // The hook runs in the mirror's git directory, install wherever it was typed.
        return Err("a local path must be absolute".into());
    }
    match url.scheme {
        Scheme::File | Scheme::Git | Scheme::Ssh | Scheme::Http | Scheme::Https => Ok(()),
        other => Err(format!("the {} transport is not supported", other.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn read(pairs: &[(&str, &str)]) -> Result<ServerPins> {
        ServerPins::from_values(&vals(pairs), Path::new("/m.git/config"))
    }

    #[test]
    fn both_keys_once_are_read() {
        let pins = read(&[
            ("upstream", "https://example.com/a.git"),
            ("branch", "main"),
        ])
        .expect("valid");
        assert_eq!(pins.release_ref(), "refs/heads/main");
        assert_eq!(
            ServerPins::new(&pins.upstream, "refs/heads/main").expect("valid"),
            pins
        );
    }

    #[test]
    fn missing_duplicated_unknown_or_bad_values_are_refused() {
        let url = "https://example.com/a.git";
        for (pairs, says) in [
            (vec![("upstream", url)], "pushduty.server.branch is missing"),
            (
                vec![("upstream", url), ("branch", "main"), ("branch", "evil")],
                "pushduty.server.branch is set more than once",
            ),
            (
                vec![("upstream", url), ("upstream", url), ("branch", "main")],
                "pushduty.server.upstream is set more than once",
            ),
            (
                vec![("upstream", url), ("branch", "main"), ("upsteam", url)],
                "pushduty.server.upsteam (in /m.git/config) is not a setting",
            ),
            (
                vec![("upstream", "ext::sh -c evil"), ("branch", "main")],
                "is not a URL git can fetch from",
            ),
            (
                vec![("upstream", url), ("branch", "refs/heads/main")],
                "is not a branch name",
            ),
            (
                vec![("upstream", url), ("branch", "a..b")],
                "is not a branch name",
            ),
        ] {
            let err = read(&pairs).expect_err(says);
            assert!(format!("{err:#}").contains(says), "{err:#} lacks {says}");
        }
    }

    #[test]
    fn typed_values_are_checked() {
        for (url, branch) in [
            ("", "main"),
            (" https://x/y", "main"),
            ("--upload-pack=evil", "main"),
            ("ext::sh", "main"),
            ("https://example.com/a.git", "-x"),
            ("https://example.com/a.git", "a b"),
            ("../upstream.git", "main"),
            ("upstream.git", "main"),
        ] {
            assert!(ServerPins::new(url, branch).is_err(), "{url} {branch}");
        }
        for url in [
            "https://github.com/mozilla/addons-server.git",
            "git@github.com:mozilla/addons-server.git",
            "/srv/git/upstream.git",
            "file:///srv/git/upstream.git",
        ] {
            assert!(ServerPins::new(url, "main").is_ok(), "{url}");
        }
    }
}
