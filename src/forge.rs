//! Compare links: from a remote's URL (https, scp-like `git@host:owner/repo.git`, `ssh://`) to the
//! page that shows what a tag ships, on GitHub or GitLab. `gix::url` reads the URL, as it does
//! for fetching, so a link is made from the same host and path git would reach; this module only
//! knows which hosts are forges and how their compare pages are spelled. No network.

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
    /// Recognises GitHub and GitLab (gitlab.com or a host whose name contains `gitlab`) URLs;
    /// text that is not a URL, a local path or a `file://` URL gives `None`.
    pub fn from_url(url: &str) -> Option<Self> {
        let url = url.trim();
        // gix reads an upper-case scheme (`HTTPS://`) as a remote helper's; a link is still wanted.
        let lowered;
        let url = match url.split_once("://") {
            Some((scheme, rest)) if scheme.bytes().any(|b| b.is_ascii_uppercase()) => {
                lowered = format!("{}://{rest}", scheme.to_ascii_lowercase());
                lowered.as_str()
            }
            _ => url,
        };
        let parsed = gix::url::parse(gix::bstr::BStr::new(url)).ok()?;
        Self::of(&parsed)
    }

    /// [`WebRepo::from_url`] for a URL gix has already read (a remote's).
    pub fn of(url: &gix::Url) -> Option<Self> {
        use gix::url::Scheme;
        if !matches!(
            url.scheme,
            Scheme::Https | Scheme::Http | Scheme::Ssh | Scheme::Git
        ) {
            return None;
        }
        let host = url.host()?.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return None;
        }
        let host = host.to_ascii_lowercase();
        let path = std::str::from_utf8(&url.path).ok()?;
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
    hint(urls.into_iter().find_map(WebRepo::from_url), from, to)
}

/// [`compare_hint`] for URLs gix has already read (a remote's).
pub fn compare_hint_of<'a>(
    urls: impl IntoIterator<Item = &'a gix::Url>,
    from: &str,
    to: &str,
) -> String {
    hint(urls.into_iter().find_map(WebRepo::of), from, to)
}

fn hint(repo: Option<WebRepo>, from: &str, to: &str) -> String {
    match repo {
        Some(repo) => repo.compare_url(from, to),
        None => format!("git log --oneline {from}..{to}"),
    }
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
            "git+ssh://git@github.com/mozilla/addons-server.git",
            "ssh+git://git@github.com/mozilla/addons-server.git",
            "https://github.com:443/mozilla/addons-server",
            "HTTPS://github.com/mozilla/addons-server",
            "  https://github.com/mozilla/addons-server.git\n",
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
            "ext::ssh github.com mozilla/addons-server",
            "not a url at all",
            "",
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
    fn a_remotes_url_read_by_gix_makes_the_same_link() {
        let urls: Vec<gix::Url> = [
            "/srv/cache/site.git",
            "git@github.com:mozilla/addons-server.git",
        ]
        .iter()
        .map(|u| gix::url::parse(gix::bstr::BStr::new(u)).expect("a URL"))
        .collect();
        assert_eq!(compare_hint_of(&urls, "2026.11.26", "2026.12.03"), GH);
        assert_eq!(
            compare_hint_of(&urls[..1], "a", "b"),
            "git log --oneline a..b"
        );
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
