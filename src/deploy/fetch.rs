//! Reading a version URL: a Dockerflow version object over HTTP(S) (reqwest with rustls, the
//! client gix already links for https remotes) or from a `file://` path (a simulated stage).
//! Every way it can fail is a [`FetchError`] naming the URL: no answer in time, a TLS failure,
//! a status that is not 200, a redirect that ends on a web page (a login page), a body larger
//! than [`BODY_LIMIT`], or a body that is not a version object.

use std::fmt;
use std::io::Read;
use std::time::Duration;

use crate::week::dockerflow::{Version, VersionError};

/// The largest body read: a version object is a few hundred bytes; a proxy's page or a stream
/// that never ends is cut here rather than filling memory.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// How many redirects are followed (http to https, a trailing slash).
pub const MAX_REDIRECTS: usize = 5;

/// Why a version URL gave no version object. Displayed, it names the URL first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub url: String,
    pub reason: Failure,
}

/// What went wrong, for words and for `--json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Not `http://`, `https://` or `file://`.
    Scheme,
    /// No answer within the time allowed.
    Timeout { seconds: u64 },
    /// The TLS handshake or the certificate failed.
    Tls { detail: String },
    /// Could not connect, or the connection broke.
    Connect { detail: String },
    /// A status other than 200 (after redirects, at `final_url` when it moved).
    Status {
        code: u16,
        text: String,
        final_url: Option<String>,
    },
    /// Too many redirects, or a redirect loop.
    Redirects { detail: String },
    /// The body is larger than [`BODY_LIMIT`].
    TooLarge,
    /// The answer is not a version object (`final_url` when it was redirected there).
    NotVersion {
        error: VersionError,
        final_url: Option<String>,
    },
    /// A `file://` path that cannot be read as a file.
    File { detail: String },
}

impl FetchError {
    /// A short word for `--json`: `timeout`, `tls`, `connect`, `status`, ...
    pub fn kind(&self) -> &'static str {
        match self.reason {
            Failure::Scheme => "scheme",
            Failure::Timeout { .. } => "timeout",
            Failure::Tls { .. } => "tls",
            Failure::Connect { .. } => "connect",
            Failure::Status { .. } => "status",
            Failure::Redirects { .. } => "redirects",
            Failure::TooLarge => "too-large",
            Failure::NotVersion { .. } => "not-a-version-object",
            Failure::File { .. } => "file",
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.url;
        let moved = |final_url: &Option<String>| match final_url {
            Some(to) => format!(" (redirected to {to})"),
            None => String::new(),
        };
        match &self.reason {
            Failure::Scheme => write!(f, "{url} is not an http://, https:// or file:// URL"),
            Failure::Timeout { seconds } => {
                write!(f, "{url} did not answer within {seconds}s")
            }
            Failure::Tls { detail } => {
                write!(f, "{url}: the secure connection (TLS) failed: {detail}")
            }
            Failure::Connect { detail } => write!(f, "cannot reach {url}: {detail}"),
            Failure::Status {
                code,
                text,
                final_url,
            } => {
                let what = match code {
                    404 => ": no version object there",
                    500..=599 => ": the service is failing or restarting",
                    401 | 403 => ": it wants a login",
                    _ => "",
                };
                write!(f, "{url}{} answered {code} {text}{what}", moved(final_url))
            }
            Failure::Redirects { detail } => write!(f, "{url}: {detail}"),
            Failure::TooLarge => write!(
                f,
                "{url} answered more than {BODY_LIMIT} bytes, which is no version object; stopped reading"
            ),
            Failure::NotVersion { error, final_url } => {
                write!(f, "{url}{}: {error}", moved(final_url))
            }
            Failure::File { detail } => write!(f, "cannot read {url}: {detail}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Reads version URLs, one client for a whole run.
pub struct Fetcher {
    client: reqwest::blocking::Client,
    timeout: Duration,
}

impl Fetcher {
    /// A fetcher whose every request is given up after `timeout`.
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .user_agent(concat!("git-push-duty/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up the HTTP client: {}", chain(&e)))?;
        Ok(Fetcher { client, timeout })
    }

    /// The version object at `url`.
    pub fn fetch(&self, url: &str) -> Result<Version, FetchError> {
        let fail = |reason| FetchError {
            url: shown(url),
            reason,
        };
        let parsed = reqwest::Url::parse(url.trim()).map_err(|_| fail(Failure::Scheme))?;
        match parsed.scheme() {
            "file" => {
                let body = read_file(&parsed).map_err(|detail| fail(Failure::File { detail }))?;
                parse(&body, None).map_err(fail)
            }
            "http" | "https" => self.fetch_http(parsed).map_err(fail),
            _ => Err(fail(Failure::Scheme)),
        }
    }

    fn fetch_http(&self, url: reqwest::Url) -> Result<Version, Failure> {
        let started = std::time::Instant::now();
        let response = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .map_err(|e| self.request_error(&e))?;
        // reqwest takes the credentials out of the URL it answers with: that is no redirect.
        let final_url = (without_credentials(response.url()) != without_credentials(&url))
            .then(|| shown(response.url().as_str()));
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(Failure::Status {
                code: status.as_u16(),
                text: status.canonical_reason().unwrap_or("").to_owned(),
                final_url,
            });
        }
        if response.content_length().is_some_and(|n| n > BODY_LIMIT) {
            return Err(Failure::TooLarge);
        }
        // reqwest's timeout bounds each read, not the whole body: a server dripping a byte at a
        // time would hold the run for ever, so the body has the same deadline as the answer.
        let mut body = Vec::new();
        let mut reader = response.take(BODY_LIMIT + 1);
        let mut chunk = [0u8; 8192];
        loop {
            let n = reader.read(&mut chunk).map_err(|e| self.body_error(&e))?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
            if body.len() as u64 > BODY_LIMIT {
                return Err(Failure::TooLarge);
            }
            if started.elapsed() > self.timeout {
                return Err(Failure::Timeout {
                    seconds: self.timeout.as_secs(),
                });
            }
        }
        parse(&body, final_url)
    }

    fn request_error(&self, e: &reqwest::Error) -> Failure {
        let detail = chain(e);
        if e.is_timeout() {
            Failure::Timeout {
                seconds: self.timeout.as_secs(),
            }
        } else if e.is_redirect() {
            Failure::Redirects {
                detail: format!("more than {MAX_REDIRECTS} redirects, or a redirect loop"),
            }
        } else if looks_like_tls(&detail) {
            Failure::Tls { detail }
        } else {
            Failure::Connect { detail }
        }
    }

    fn body_error(&self, e: &std::io::Error) -> Failure {
        let detail = chain(e);
        if e.kind() == std::io::ErrorKind::TimedOut || detail.contains("timed out") {
            Failure::Timeout {
                seconds: self.timeout.as_secs(),
            }
        } else {
            Failure::Connect {
                detail: format!("the answer broke off: {detail}"),
            }
        }
    }
}

/// `url` as shown in messages and `--json`: a password in it (`https://user:token@host/`) is
/// written `***`, so an error message or a CI log never carries it.
pub fn shown(url: &str) -> String {
    match reqwest::Url::parse(url.trim()) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot carry a password, which this one does.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn without_credentials(url: &reqwest::Url) -> reqwest::Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

fn parse(body: &[u8], final_url: Option<String>) -> Result<Version, Failure> {
    Version::parse(body).map_err(|error| Failure::NotVersion { error, final_url })
}

/// A `file://` URL's contents: a regular file (not a directory, a FIFO or a device, which could
/// block or never end) of at most [`BODY_LIMIT`] bytes.
fn read_file(url: &reqwest::Url) -> Result<Vec<u8>, String> {
    let path = url
        .to_file_path()
        .map_err(|()| "not a local file path".to_owned())?;
    let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > BODY_LIMIT {
        return Err(format!(
            "{} is larger than {BODY_LIMIT} bytes, which is no version object",
            path.display()
        ));
    }
    let mut body = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(BODY_LIMIT + 1).read_to_end(&mut body))
        .map_err(|e| e.to_string())?;
    if body.len() as u64 > BODY_LIMIT {
        return Err(format!(
            "{} is larger than {BODY_LIMIT} bytes",
            path.display()
        ));
    }
    Ok(body)
}

/// An error and its causes in one line: reqwest's own message is only "error sending request".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        // reqwest repeats the URL in its outer message; the caller names it once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.retain(|p| !p.starts_with("error sending request") && p != "client error (Connect)");
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

fn looks_like_tls(detail: &str) -> bool {
    let detail = detail.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "alert",
    ]
    .iter()
    .any(|word| detail.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetcher() -> Fetcher {
        Fetcher::new(Duration::from_secs(2)).expect("client")
    }

    #[test]
    fn other_schemes_are_refused_naming_the_url() {
        let err = fetcher().fetch("ftp://stage/__version__").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ftp://stage/__version__ is not an http://, https:// or file:// URL"
        );
        assert_eq!(fetcher().fetch("stage").unwrap_err().kind(), "scheme");
    }

    #[test]
    fn file_urls_read_a_version_object_and_nothing_else() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("version.json");
        std::fs::write(&path, r#"{"commit":"4f0d3a1c9b8e","version":"2026.12.03"}"#)
            .expect("write");
        let url = reqwest::Url::from_file_path(&path)
            .expect("url")
            .to_string();
        let version = fetcher().fetch(&url).expect("reads");
        assert_eq!(version.version.as_deref(), Some("2026.12.03"));

        let dir_url = reqwest::Url::from_directory_path(dir.path())
            .expect("url")
            .to_string();
        let err = fetcher().fetch(&dir_url).unwrap_err();
        assert!(err.to_string().ends_with("is not a file"), "{err}");

        std::fs::write(&path, vec![b' '; BODY_LIMIT as usize + 1]).expect("write");
        let err = fetcher().fetch(&url).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");

        std::fs::write(&path, "<html>").expect("write");
        let err = fetcher().fetch(&url).unwrap_err();
        assert_eq!(err.kind(), "not-a-version-object");
        assert!(err.to_string().starts_with(&url), "{err}");

        std::fs::remove_file(&path).expect("rm");
        let err = fetcher().fetch(&url).unwrap_err();
        assert_eq!(err.kind(), "file");

        // `file://stage/x.json` names a host, not a path here; /dev/zero never ends.
        let err = fetcher().fetch("file://stage/version.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read file://stage/version.json: not a local file path"
        );
        let err = fetcher().fetch("file:///dev/zero").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot read file:///dev/zero: /dev/zero is not a file"
        );
    }

    #[test]
    fn passwords_are_hidden_and_plain_urls_kept() {
        assert_eq!(
            shown("https://ci:t0ken@stage.example/__version__"),
            "https://ci:***@stage.example/__version__"
        );
        assert_eq!(
            shown("https://stage.example/__version__"),
            "https://stage.example/__version__"
        );
        assert_eq!(shown("not a url"), "not a url");
    }
}
