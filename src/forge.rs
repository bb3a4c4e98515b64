//! Compare links: from a remote's URL (https, scp-like `git@host:owner/repo.git`, `ssh://`) to the
//! page that shows what a tag ships, on GitHub or GitLab. Pure string work, no network.

/// The web host kinds we know how to link to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    GitHub,
    GitLab,
}

/// A repository on a known forge: `https://{host}/{path}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRepo {
    pub forge: Forge,
    pub host: String,
    /// `owner/repo` (GitLab may have subgroups: `group/sub/repo`), without `.git`.
    pub path: String,
}

impl WebRepo {
    /// Recognises GitHub and GitLab (gitlab.com or a host whose name contains `gitlab`) URLs.
    pub fn from_url(url: &str) -> Option<Self> {
        let (host, path) = split_host_and_path(url.trim())?;
        let host = host.to_ascii_lowercase();
        let path = path
            .trim_matches('/')
            .trim_end_matches(".git")
            .trim_end_matches('/');
        let forge = if host == "github.com" || host == "www.github.com" {
            Forge::GitHub
        } else if host.split('.').any(|label| label == "gitlab") || host.contains("gitlab") {
            Forge::GitLab
        } else {
            return None;
        };
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let enough = match forge {
            Forge::GitHub => segments.len() == 2,
            Forge::GitLab => segments.len() >= 2,
        };
        if !enough {
            return None;
        }
        let host = host.trim_start_matches("www.").to_owned();
        Some(WebRepo {
            forge,
            host,
            path: segments.join("/"),
        })
    }

    /// The page comparing `from` with `to` (`from...to`, what `to` adds).
    pub fn compare_url(&self, from: &str, to: &str) -> String {
        match self.forge {
            Forge::GitHub => format!("https://{}/{}/compare/{from}...{to}", self.host, self.path),
            Forge::GitLab => format!(
                "https://{}/{}/-/compare/{from}...{to}",
                self.host, self.path
            ),
        }
    }
}

/// How to see what a tag adds: a web link from the first of `urls` on a known forge, else the
/// equivalent git command.
pub fn compare_hint<'a>(urls: impl IntoIterator<Item = &'a str>, from: &str, to: &str) -> String {
    match urls.into_iter().find_map(WebRepo::from_url) {
        Some(repo) => repo.compare_url(from, to),
        None => format!("git log --oneline {from}..{to}"),
    }
}

/// Splits a remote URL into host and path. Returns `None` for local paths and `file://` URLs.
fn split_host_and_path(url: &str) -> Option<(&str, &str)> {
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(
            scheme.as_str(),
            "https" | "http" | "ssh" | "git" | "git+ssh" | "ssh+git"
        ) {
            return None;
        }
        let (authority, path) = rest.split_once('/')?;
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = strip_port(host_port);
        return (!host.is_empty()).then_some((host, path));
    }
    // scp-like: [user@]host:path, where the part before ':' has no '/'.
    let (before, path) = url.split_once(':')?;
    if before.contains('/') || path.starts_with("//") {
        return None;
    }
    let host = before.rsplit_once('@').map_or(before, |(_, h)| h);
    // A single letter before ':' is a Windows drive, not a host.
    (host.len() > 1).then_some((host, path))
}

fn strip_port(host_port: &str) -> &str {
    if let Some(rest) = host_port.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(h, _)| h);
    }
    host_port.split_once(':').map_or(host_port, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GH: &str = "https://github.com/mozilla/addons-server/compare/2026.11.26...2026.12.03";

    #[test]
    fn github_in_every_url_shape() {
        for url in [
            "https://github.com/mozilla/addons-server",
            "https://github.com/mozilla/addons-server.git",
            "https://github.com/mozilla/addons-server/",
            "https://user:token@github.com/mozilla/addons-server.git",
            "git@github.com:mozilla/addons-server.git",
            "git@github.com:mozilla/addons-server",
            "github.com:mozilla/addons-server.git",
            "ssh://git@github.com/mozilla/addons-server.git",
            "ssh://git@github.com:22/mozilla/addons-server",
            "ssh://git@GitHub.com/mozilla/addons-server.git",
            "git://github.com/mozilla/addons-server.git",
        ] {
            assert_eq!(
                compare_hint(Some(url), "2026.11.26", "2026.12.03"),
                GH,
                "{url}"
            );
        }
    }

    #[test]
    fn gitlab_links_use_the_dash_path_and_keep_subgroups() {
        assert_eq!(
            compare_hint(
                Some("git@gitlab.com:team/web/site.git"),
                "2026.11.26",
                "2026.12.03"
            ),
            "https://gitlab.com/team/web/site/-/compare/2026.11.26...2026.12.03"
        );
        assert_eq!(
            compare_hint(Some("https://gitlab.example.org/team/site"), "a", "b"),
            "https://gitlab.example.org/team/site/-/compare/a...b"
        );
    }

    #[test]
    fn other_hosts_and_local_paths_get_the_git_command() {
        for url in [
            "https://git.example.org/team/site.git",
            "/srv/git/site.git",
            "../upstream.git",
            "file:///srv/git/site.git",
            "C:/repos/site",
            "https://github.com/onlyowner",
            "https://github.com/a/b/c",
        ] {
            assert_eq!(
                compare_hint(Some(url), "2026.11.26", "2026.12.03"),
                "git log --oneline 2026.11.26..2026.12.03",
                "{url}"
            );
        }
        assert_eq!(compare_hint(None, "a", "b"), "git log --oneline a..b");
    }

    #[test]
    fn the_first_url_on_a_known_forge_makes_the_link() {
        assert_eq!(
            compare_hint(
                [
                    "/srv/cache/site.git",
                    "git@gitlab.com:team/site.git",
                    "https://github.com/team/site"
                ],
                "a",
                "b"
            ),
            "https://gitlab.com/team/site/-/compare/a...b"
        );
    }
}
