//! Has the tag deployed? A service's Dockerflow version object (`/__version__`,
//! `/__frontend_version__`: `{"source", "version", "commit", "build"}`) read and compared with
//! the tag expected and that tag's commit. Pure: the caller fetches the body; this module decides.
//! The commit decides, never the version text alone: a service that says it runs the tag but
//! runs another commit is not counted as deployed.

use std::fmt;

/// The shortest commit id compared: git's default abbreviation. Shorter ones match too much.
pub const MIN_COMMIT_LEN: usize = 7;

/// A Dockerflow version object. Fields other than these four are allowed and ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub source: Option<String>,
    /// The tag deployed; `None` when missing, null or empty (many builds leave it empty).
    pub version: Option<String>,
    /// Lower-case hex, full or abbreviated.
    pub commit: String,
    pub build: Option<String>,
}

/// Why a body is not a version object. The caller names the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// Not JSON at all; `html` when it looks like a web page (a login redirect, an error page).
    NotJson { html: bool, detail: String },
    /// JSON, but not an object.
    NotAnObject { found: &'static str },
    /// No `commit` (or `null`).
    MissingCommit,
    /// A field that is not a string.
    WrongType {
        field: &'static str,
        found: &'static str,
    },
    /// A `commit` that is not a hex commit id.
    BadCommit { commit: String },
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::NotJson { html: true, .. } => write!(
                f,
                "the answer is a web page, not a version object (a login page or a proxy's error page?)"
            ),
            VersionError::NotJson {
                html: false,
                detail,
            } => {
                write!(f, "the answer is not JSON ({detail})")
            }
            VersionError::NotAnObject { found } => write!(
                f,
                "the answer is JSON {found}, not a version object {{\"commit\": ..., \"version\": ...}}"
            ),
            VersionError::MissingCommit => {
                write!(
                    f,
                    "the version object has no \"commit\", so what runs is unknown"
                )
            }
            VersionError::WrongType { field, found } => {
                write!(
                    f,
                    "the version object's \"{field}\" is {found}, not a string"
                )
            }
            VersionError::BadCommit { commit } => write!(
                f,
                "the version object's \"commit\" {commit:?} is not a hex commit id"
            ),
        }
    }
}

impl std::error::Error for VersionError {}

impl Version {
    /// Reads a version object from a response body.
    pub fn parse(body: &[u8]) -> Result<Version, VersionError> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| VersionError::NotJson {
                html: looks_like_html(body),
                detail: e.to_string(),
            })?;
        let serde_json::Value::Object(object) = value else {
            return Err(VersionError::NotAnObject {
                found: kind(&value),
            });
        };
        let field = |name: &'static str| -> Result<Option<String>, VersionError> {
            match object.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(other) => Err(VersionError::WrongType {
                    field: name,
                    found: kind(other),
                }),
            }
        };
        let commit = match object.get("commit") {
            None | Some(serde_json::Value::Null) => return Err(VersionError::MissingCommit),
            Some(serde_json::Value::String(s)) => s.trim().to_ascii_lowercase(),
            Some(other) => {
                return Err(VersionError::WrongType {
                    field: "commit",
                    found: kind(other),
                });
            }
        };
        if commit.is_empty() || commit.len() > 64 || !commit.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(VersionError::BadCommit { commit });
        }
        Ok(Version {
            source: field("source")?,
            version: field("version")?,
            commit,
            build: field("build")?,
        })
    }
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    // `<!DOCTYPE html>`, `<html>`, `<?xml`: no JSON text starts with `<`.
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// What the service should run: the latest revision of the push's tag and its commit (the
/// commit the tag peels to, full hex).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected<'a> {
    pub tag: &'a str,
    pub commit: &'a str,
}

/// The answer for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployment {
    /// It runs the expected commit.
    Deployed,
    /// It runs something else: `version` (a tag, when the service says) at `commit`.
    StillOn {
        version: Option<String>,
        commit: String,
    },
    /// The answer cannot decide either way.
    Unknown(Unknown),
}

/// Why a version object cannot say whether the tag is deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// The commit is too short to tell one commit from another.
    ShortCommit { commit: String },
    /// It says it runs the expected tag, at another commit than the tag's (a tag made again
    /// elsewhere, a build from another repository).
    TagAtAnotherCommit { version: String, commit: String },
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::ShortCommit { commit } => write!(
                f,
                "its commit {commit:?} is shorter than {MIN_COMMIT_LEN} hex digits, too short to tell"
            ),
            Unknown::TagAtAnotherCommit { version, commit } => write!(
                f,
                "it says it runs {version} but at commit {commit}, which is not {version}'s commit"
            ),
        }
    }
}

/// Compares what runs with what is expected. The commit decides: an abbreviated commit matches
/// the full one it starts. A matching commit is deployed whatever the version text says (two
/// tags can name one commit); a version naming the expected tag with another commit is unknown,
/// not deployed.
pub fn compare(running: &Version, expected: &Expected<'_>) -> Deployment {
    let have = running.commit.to_ascii_lowercase();
    let want = expected.commit.trim().to_ascii_lowercase();
    if have.len() < MIN_COMMIT_LEN || want.len() < MIN_COMMIT_LEN {
        return Deployment::Unknown(Unknown::ShortCommit {
            commit: running.commit.clone(),
        });
    }
    if want.starts_with(&have) || have.starts_with(&want) {
        return Deployment::Deployed;
    }
    match &running.version {
        Some(version) if version == expected.tag => {
            Deployment::Unknown(Unknown::TagAtAnotherCommit {
                version: version.clone(),
                commit: running.commit.clone(),
            })
        }
        version => Deployment::StillOn {
            version: version.clone(),
            commit: running.commit.clone(),
        },
    }
}

/// [`Version::parse`] then [`compare`].
pub fn check(body: &[u8], expected: &Expected<'_>) -> Result<Deployment, VersionError> {
    Ok(compare(&Version::parse(body)?, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG_COMMIT: &str = "4f0d3a1c9b8e7d6f5a4b3c2d1e0f9a8b7c6d5e4f";
    const EXPECTED: Expected<'static> = Expected {
        tag: "2026.12.03-1",
        commit: TAG_COMMIT,
    };

    fn amo_stage(version: &str, commit: &str) -> String {
        format!(
            r#"{{"commit":"{commit}","version":"{version}","source":"https://github.com/mozilla/addons-server","build":"https://circleci.com/gh/mozilla/addons-server/123456"}}"#
        )
    }

    #[test]
    fn amos_stage_payload_reads_whole() {
        let version =
            Version::parse(amo_stage("2026.12.03-1", TAG_COMMIT).as_bytes()).expect("parses");
        assert_eq!(
            version,
            Version {
                source: Some("https://github.com/mozilla/addons-server".into()),
                version: Some("2026.12.03-1".into()),
                commit: TAG_COMMIT.into(),
                build: Some("https://circleci.com/gh/mozilla/addons-server/123456".into()),
            }
        );
        assert_eq!(compare(&version, &EXPECTED), Deployment::Deployed);
    }

    #[test]
    fn the_last_push_is_still_on() {
        let stale = amo_stage("2026.11.26", "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(
            check(stale.as_bytes(), &EXPECTED),
            Ok(Deployment::StillOn {
                version: Some("2026.11.26".into()),
                commit: "0123456789abcdef0123456789abcdef01234567".into()
            })
        );
        // The base tag while the expected one is its -1 revision: not deployed yet.
        let base = amo_stage("2026.12.03", "89abcdef0123456789abcdef0123456789abcdef");
        assert!(matches!(
            check(base.as_bytes(), &EXPECTED),
            Ok(Deployment::StillOn { .. })
        ));
    }

    #[test]
    fn an_empty_version_is_judged_by_the_commit() {
        let frontend = format!(
            r#"{{"build":"https://circleci.com/gh/mozilla/addons-frontend/98765","commit":"{TAG_COMMIT}","source":"https://github.com/mozilla/addons-frontend","version":"","experiments":{{"x":true}},"feature_flags":[]}}"#
        );
        let version = Version::parse(frontend.as_bytes()).expect("parses");
        assert_eq!(version.version, None);
        assert_eq!(compare(&version, &EXPECTED), Deployment::Deployed);
        let other = r#"{"commit":"0123456789abcdef0123456789abcdef01234567","version":null}"#;
        assert_eq!(
            check(other.as_bytes(), &EXPECTED),
            Ok(Deployment::StillOn {
                version: None,
                commit: "0123456789abcdef0123456789abcdef01234567".into()
            })
        );
        // Only a commit at all is enough.
        assert_eq!(
            check(
                format!(r#"{{"commit":"{TAG_COMMIT}"}}"#).as_bytes(),
                &EXPECTED
            ),
            Ok(Deployment::Deployed)
        );
    }

    #[test]
    fn short_and_upper_case_commits() {
        let short = format!(
            r#"{{"commit":"{}","version":"2026.12.03-1"}}"#,
            &TAG_COMMIT[..7]
        );
        assert_eq!(check(short.as_bytes(), &EXPECTED), Ok(Deployment::Deployed));
        let upper = format!(r#"{{"commit":" {} "}}"#, TAG_COMMIT.to_ascii_uppercase());
        assert_eq!(check(upper.as_bytes(), &EXPECTED), Ok(Deployment::Deployed));
        let too_short = format!(r#"{{"commit":"{}"}}"#, &TAG_COMMIT[..6]);
        assert_eq!(
            check(too_short.as_bytes(), &EXPECTED),
            Ok(Deployment::Unknown(Unknown::ShortCommit {
                commit: TAG_COMMIT[..6].into()
            }))
        );
        // A short commit that is not the tag's start is another commit.
        assert!(matches!(
            check(br#"{"commit":"4f0d3a2"}"#, &EXPECTED),
            Ok(Deployment::StillOn { .. })
        ));
    }

    #[test]
    fn the_right_tag_at_the_wrong_commit_is_not_deployed() {
        let body = amo_stage("2026.12.03-1", "0123456789abcdef0123456789abcdef01234567");
        let answer = check(body.as_bytes(), &EXPECTED).expect("parses");
        assert_eq!(
            answer,
            Deployment::Unknown(Unknown::TagAtAnotherCommit {
                version: "2026.12.03-1".into(),
                commit: "0123456789abcdef0123456789abcdef01234567".into()
            })
        );
        let Deployment::Unknown(why) = answer else {
            unreachable!("checked above")
        };
        assert_eq!(
            why.to_string(),
            "it says it runs 2026.12.03-1 but at commit 0123456789abcdef0123456789abcdef01234567, which is not 2026.12.03-1's commit"
        );
        // The right commit under another tag's name is what runs: deployed.
        let renamed = amo_stage("2026.12.03", TAG_COMMIT);
        assert_eq!(
            check(renamed.as_bytes(), &EXPECTED),
            Ok(Deployment::Deployed)
        );
    }

    #[test]
    fn what_is_not_a_version_object_is_a_typed_error() {
        let login = b"\n  <!DOCTYPE html><html><head><title>Sign in</title></head></html>";
        let err = Version::parse(login).unwrap_err();
        assert!(matches!(err, VersionError::NotJson { html: true, .. }));
        assert_eq!(
            err.to_string(),
            "the answer is a web page, not a version object (a login page or a proxy's error page?)"
        );
        for body in [
            &b""[..],
            b"Service Unavailable",
            b"{\"commit\":",
            b"\xff\xfe{}",
        ] {
            assert!(
                matches!(
                    Version::parse(body),
                    Err(VersionError::NotJson { html: false, .. })
                ),
                "{body:?}"
            );
        }
        assert_eq!(
            Version::parse(b"[]"),
            Err(VersionError::NotAnObject { found: "an array" })
        );
        assert_eq!(
            Version::parse(b"\"2026.12.03\""),
            Err(VersionError::NotAnObject { found: "a string" })
        );
        assert_eq!(
            Version::parse(br#"{"version":"2026.12.03"}"#),
            Err(VersionError::MissingCommit)
        );
        assert_eq!(
            Version::parse(br#"{"commit":null}"#),
            Err(VersionError::MissingCommit)
        );
        assert_eq!(
            Version::parse(br#"{"commit":1234567}"#),
            Err(VersionError::WrongType {
                field: "commit",
                found: "a number"
            })
        );
        assert_eq!(
            Version::parse(br#"{"commit":"4f0d3a1c","version":2026.12}"#),
            Err(VersionError::WrongType {
                field: "version",
                found: "a number"
            })
        );
        for bad in ["", "  ", "main", "4f0d3a1g", "v2026.12.03"] {
            let body = format!(r#"{{"commit":"{bad}"}}"#);
            assert!(
                matches!(
                    Version::parse(body.as_bytes()),
                    Err(VersionError::BadCommit { .. })
                ),
                "{bad:?}"
            );
        }
        let too_long = format!(r#"{{"commit":"{}"}}"#, "a".repeat(65));
        assert!(matches!(
            Version::parse(too_long.as_bytes()),
            Err(VersionError::BadCommit { .. })
        ));
    }

    #[test]
    fn a_byte_order_mark_is_tolerated() {
        let body = format!("\u{feff}{}", amo_stage("2026.12.03-1", TAG_COMMIT));
        assert_eq!(check(body.as_bytes(), &EXPECTED), Ok(Deployment::Deployed));
    }
}
