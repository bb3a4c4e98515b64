//! The chat topic the push hero sets once a push is complete (the next push's date, hero and
//! notes link), and the HTTP requests that set it: a Matrix room's `m.room.topic` state event
//! through the client-server API, and Slack's `conversations.setTopic`. Pure: it builds the
//! method, URL, headers (all but the token's) and body, and reads the answers; sending is the
//! caller's, which adds `Authorization: Bearer TOKEN`.

use std::fmt;

use chrono::NaiveDate;

use crate::template::{self, TemplateError};

/// What the topic names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicPush {
    pub date: NaiveDate,
    pub hero: String,
    /// The notes document's web link (from `pushduty.notesUrl`), when the team has one.
    pub notes: Option<String>,
}

/// The wording when the team has no `pushduty.topicFormat`.
pub const DEFAULT_FORMAT: &str = "Next push {weekday} {date}: push hero {hero}, notes {notes}";
/// The wording when there is no notes link either.
pub const DEFAULT_FORMAT_WITHOUT_NOTES: &str = "Next push {weekday} {date}: push hero {hero}";
/// The placeholders a topic format may use.
pub const PLACEHOLDERS: &[&str] = &["date", "weekday", "hero", "notes"];

/// Why the topic line cannot be made. The caller names `pushduty.topicFormat` or `notesUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicError {
    Template(TemplateError),
    /// The format has `{notes}` and there is no notes link.
    NoNotesLink,
    /// The topic has a line break or another control character; a topic is one line.
    NotOneLine {
        topic: String,
    },
    /// Nothing but spaces.
    Empty,
}

impl fmt::Display for TopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicError::Template(e) => e.fmt(f),
            TopicError::NoNotesLink => {
                write!(f, "the topic names {{notes}}, but there is no notes link")
            }
            TopicError::NotOneLine { topic } => {
                write!(
                    f,
                    "a topic is one line; {topic:?} has a line break or a control character"
                )
            }
            TopicError::Empty => write!(f, "the topic is empty"),
        }
    }
}

impl std::error::Error for TopicError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TopicError::Template(e) => Some(e),
            _ => None,
        }
    }
}

/// The topic line for `push`, in `format` or the default wording.
pub fn line(push: &TopicPush, format: Option<&str>) -> Result<String, TopicError> {
    let format = match (format, &push.notes) {
        (Some(format), _) => format,
        (None, Some(_)) => DEFAULT_FORMAT,
        (None, None) => DEFAULT_FORMAT_WITHOUT_NOTES,
    };
    let date = push.date.format("%Y-%m-%d").to_string();
    let weekday = push.date.format("%A").to_string();
    let mut values = vec![
        ("date", date.as_str()),
        ("weekday", weekday.as_str()),
        ("hero", push.hero.as_str()),
    ];
    if let Some(notes) = &push.notes {
        values.push(("notes", notes));
    }
    let topic = template::fill(format, &values).map_err(|e| match e {
        TemplateError::Unknown { names, .. }
            if push.notes.is_none() && names.iter().any(|n| n == "notes") =>
        {
            // Only `{notes}` missing is a missing link; anything else is a typo to report.
            if names.len() == 1 {
                TopicError::NoNotesLink
            } else {
                TopicError::Template(TemplateError::Unknown {
                    names: names.into_iter().filter(|n| n != "notes").collect(),
                    known: PLACEHOLDERS.iter().map(|p| (*p).to_owned()).collect(),
                })
            }
        }
        TemplateError::Unknown { names, .. } => TopicError::Template(TemplateError::Unknown {
            names,
            known: PLACEHOLDERS.iter().map(|p| (*p).to_owned()).collect(),
        }),
        other => TopicError::Template(other),
    })?;
    let topic = topic.trim().to_owned();
    if topic.is_empty() {
        return Err(TopicError::Empty);
    }
    if topic.chars().any(char::is_control) {
        return Err(TopicError::NotOneLine { topic });
    }
    Ok(topic)
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
        }
    }
}

/// A request to send. `headers` has everything but `Authorization: Bearer TOKEN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// Slack's base URL for Web API methods.
pub const SLACK_API: &str = "https://slack.com/api";
/// Slack refuses a longer topic (`too_long`: "Topic was longer than 250 characters").
pub const SLACK_TOPIC_LIMIT: usize = 250;
/// A Matrix event may not exceed 65536 bytes (client-server API, "Size limits"); the topic
/// alone must fit.
pub const MATRIX_EVENT_LIMIT: usize = 65_536;

/// Why a chat's topic cannot be set, or was not. The caller names the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatError {
    /// The homeserver or API base is not an `https://` URL (`http://` only to this machine,
    /// for tests: a token must not cross a network in clear text).
    BadBaseUrl { url: String },
    /// `pushduty.matrix.room` is neither a room ID (`!…`) nor an alias (`#name:server`).
    BadRoom { room: String },
    /// `pushduty.slack.channel` is not a channel ID (`C0123ABCD`): the API takes IDs only.
    BadChannel { channel: String },
    /// Longer than the service takes.
    TooLong {
        service: &'static str,
        length: usize,
        limit: usize,
        unit: &'static str,
    },
    /// The service answered with an error it documents.
    Refused {
        service: &'static str,
        status: u16,
        code: String,
        message: String,
    },
    /// The answer is not what the API documents (not JSON, no `event_id`, no `ok`).
    BadAnswer {
        service: &'static str,
        status: u16,
        body: String,
    },
}

impl fmt::Display for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatError::BadBaseUrl { url } => write!(
                f,
                "{url:?} is not an https:// URL (http:// is only taken for 127.0.0.1 or localhost)"
            ),
            ChatError::BadRoom { room } => write!(
                f,
                "{room:?} is not a Matrix room ID (!abc123:mozilla.org) or alias (#amo:mozilla.org)"
            ),
            ChatError::BadChannel { channel } => write!(
                f,
                "{channel:?} is not a Slack channel ID (like C0123ABCD; a channel's ID is at the bottom of its details); conversations.setTopic takes no names"
            ),
            ChatError::TooLong {
                service,
                length,
                limit,
                unit,
            } => write!(
                f,
                "the topic is {length} {unit}; {service} takes at most {limit}"
            ),
            ChatError::Refused {
                service,
                status,
                code,
                message,
            } => {
                write!(f, "{service} refused (HTTP {status}): {code}")?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            ChatError::BadAnswer {
                service,
                status,
                body,
            } => write!(
                f,
                "{service} answered HTTP {status} with something its API does not document: {body:?}"
            ),
        }
    }
}

impl std::error::Error for ChatError {}

/// A Matrix room, as `pushduty.matrix.room` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixRoom {
    /// `!opaque:server` (or `!opaque` in room versions without a server part).
    Id(String),
    /// `#name:server`, which must be resolved to an ID first.
    Alias(String),
}

impl MatrixRoom {
    /// Reads a room ID or alias; a `https://matrix.to/#/…` link (what "Share room" copies)
    /// is taken too.
    pub fn parse(text: &str) -> Result<MatrixRoom, ChatError> {
        let bad = || ChatError::BadRoom {
            room: text.to_owned(),
        };
        let trimmed = text.trim();
        let room = trimmed
            .strip_prefix("https://matrix.to/#/")
            .map(|r| r.split(['?', '/']).next().unwrap_or(r))
            .unwrap_or(trimmed);
        if room.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        if let Some(id) = room.strip_prefix('!') {
            if id.is_empty() || id.starts_with(':') || id.ends_with(':') {
                return Err(bad());
            }
            return Ok(MatrixRoom::Id(room.to_owned()));
        }
        if let Some(alias) = room.strip_prefix('#') {
            return match alias.split_once(':') {
                Some((local, server)) if !local.is_empty() && !server.is_empty() => {
                    Ok(MatrixRoom::Alias(room.to_owned()))
                }
                _ => Err(bad()),
            };
        }
        Err(bad())
    }
}

/// `GET /_matrix/client/v3/directory/room/{roomAlias}`: the room ID of an alias (the state
/// endpoint takes IDs only).
pub fn matrix_resolve_alias(homeserver: &str, alias: &str) -> Result<Request, ChatError> {
    let base = base_url(homeserver)?;
    Ok(Request {
        method: Method::Get,
        url: format!(
            "{base}/_matrix/client/v3/directory/room/{}",
            path_segment(alias)
        ),
        headers: vec![("Accept".into(), "application/json".into())],
        body: None,
    })
}

/// The room ID in the answer to [`matrix_resolve_alias`].
pub fn matrix_room_id(status: u16, body: &str) -> Result<String, ChatError> {
    let value = matrix_answer(status, body)?;
    match value.get("room_id").and_then(|v| v.as_str()) {
        Some(id) if id.starts_with('!') => Ok(id.to_owned()),
        _ => Err(bad_answer("Matrix", status, body)),
    }
}

/// `PUT /_matrix/client/v3/rooms/{roomId}/state/m.room.topic` with `{"topic": TOPIC}` (the
/// state key is empty, so the path ends with the event type).
pub fn matrix_set_topic(
    homeserver: &str,
    room_id: &str,
    topic: &str,
) -> Result<Request, ChatError> {
    let base = base_url(homeserver)?;
    if !matches!(MatrixRoom::parse(room_id)?, MatrixRoom::Id(_)) {
        return Err(ChatError::BadRoom {
            room: room_id.to_owned(),
        });
    }
    let body = serde_json::json!({ "topic": topic }).to_string();
    if body.len() > MATRIX_EVENT_LIMIT {
        return Err(ChatError::TooLong {
            service: "Matrix",
            length: body.len(),
            limit: MATRIX_EVENT_LIMIT,
            unit: "bytes",
        });
    }
    Ok(Request {
        method: Method::Put,
        url: format!(
            "{base}/_matrix/client/v3/rooms/{}/state/m.room.topic",
            path_segment(room_id)
        ),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(body),
    })
}

/// The event ID in the answer to [`matrix_set_topic`]; an error answer is the server's words.
pub fn matrix_topic_set(status: u16, body: &str) -> Result<String, ChatError> {
    let value = matrix_answer(status, body)?;
    match value.get("event_id").and_then(|v| v.as_str()) {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(bad_answer("Matrix", status, body)),
    }
}

/// A 200 answer's JSON object, or the documented error (`errcode`, `error`).
fn matrix_answer(status: u16, body: &str) -> Result<serde_json::Value, ChatError> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|_| bad_answer("Matrix", status, body))?;
    if status == 200 && value.is_object() {
        return Ok(value);
    }
    match value.get("errcode").and_then(|v| v.as_str()) {
        Some(code) => Err(ChatError::Refused {
            service: "Matrix",
            status,
            code: code.to_owned(),
            message: value
                .get("error")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
        }),
        None => Err(bad_answer("Matrix", status, body)),
    }
}

/// `POST {api}/conversations.setTopic` with `{"channel": ID, "topic": TOPIC}` as JSON.
/// `api` is [`SLACK_API`] outside tests.
pub fn slack_set_topic(api: &str, channel: &str, topic: &str) -> Result<Request, ChatError> {
    let base = base_url(api)?;
    let channel_ok = channel.len() >= 9
        && channel.starts_with(['C', 'G', 'D'])
        && channel
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !channel_ok {
        return Err(ChatError::BadChannel {
            channel: channel.to_owned(),
        });
    }
    let length = topic.chars().count();
    if length > SLACK_TOPIC_LIMIT {
        return Err(ChatError::TooLong {
            service: "Slack",
            length,
            limit: SLACK_TOPIC_LIMIT,
            unit: "characters",
        });
    }
    Ok(Request {
        method: Method::Post,
        url: format!("{base}/conversations.setTopic"),
        headers: vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: Some(serde_json::json!({ "channel": channel, "topic": topic }).to_string()),
    })
}

/// Slack answers HTTP 200 also when it refuses: `{"ok": false, "error": "not_in_channel"}`.
/// Only `"ok": true` is success.
pub fn slack_topic_set(status: u16, body: &str) -> Result<(), ChatError> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|_| bad_answer("Slack", status, body))?;
    match (status, value.get("ok").and_then(|v| v.as_bool())) {
        (200, Some(true)) => Ok(()),
        (_, Some(_)) => Err(ChatError::Refused {
            service: "Slack",
            status,
            code: value
                .get("error")
                .and_then(|v| v.as_str())
                .unwrap_or("no error given")
                .to_owned(),
            message: value
                .get("needed")
                .and_then(|v| v.as_str())
                .map(|scope| format!("the token needs the {scope} scope"))
                .unwrap_or_default(),
        }),
        _ => Err(bad_answer("Slack", status, body)),
    }
}

fn bad_answer(service: &'static str, status: u16, body: &str) -> ChatError {
    // Enough to recognise a login page or a proxy's error, not a whole page.
    let body: String = body.trim().chars().take(200).collect();
    ChatError::BadAnswer {
        service,
        status,
        body,
    }
}

/// A base URL without its trailing `/`: `https://` anywhere, `http://` only to this machine.
fn base_url(text: &str) -> Result<String, ChatError> {
    let bad = || ChatError::BadBaseUrl {
        url: text.to_owned(),
    };
    let url = text.trim().trim_end_matches('/');
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains(['?', '#', '@']) {
        return Err(bad());
    }
    let (secure, rest) = match (strip_scheme(url, "https://"), strip_scheme(url, "http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => return Err(bad()),
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority
            .split_once(']')
            .map(|(h, _)| &h[1..])
            .unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(bad());
    }
    let loopback = matches!(
        host.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "::1"
    );
    if !secure && !loopback {
        return Err(bad());
    }
    Ok(url.to_owned())
}

/// Schemes are case-insensitive (RFC 3986 §3.1): `HTTPS://` is `https://`.
fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    text.get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .map(|_| &text[scheme.len()..])
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so `!`, `#` and `:` in a
/// room ID or alias stay inside their path segment.
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn push(notes: Option<&str>) -> TopicPush {
        TopicPush {
            date: parse_date("2026-12-10").expect("valid"),
            hero: "mat".into(),
            notes: notes.map(String::from),
        }
    }

    const NOTES: &str = "https://github.com/mozilla/addons/blob/main/releases/2026/12/10.md";

    fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_default_wording() {
        assert_eq!(
            line(&push(Some(NOTES)), None),
            Ok(format!(
                "Next push Thursday 2026-12-10: push hero mat, notes {NOTES}"
            ))
        );
        assert_eq!(
            line(&push(None), None),
            Ok("Next push Thursday 2026-12-10: push hero mat".into())
        );
    }

    #[test]
    fn a_team_format_with_every_placeholder() {
        assert_eq!(
            line(
                &push(Some(NOTES)),
                Some("AMO | {weekday} {date} push: {hero} | {notes} | {{x}}")
            ),
            Ok(format!(
                "AMO | Thursday 2026-12-10 push: mat | {NOTES} | {{x}}"
            ))
        );
    }

    #[test]
    fn format_errors_name_what_is_wrong() {
        let err = line(&push(Some(NOTES)), Some("{hero} {url}")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown placeholder {url} (known: {date} {weekday} {hero} {notes}; write {{ and }} for literal braces)"
        );
        assert_eq!(
            line(&push(None), Some("{hero}: {notes}")),
            Err(TopicError::NoNotesLink)
        );
        // A typo next to a missing link is reported as the typo.
        let err = line(&push(None), Some("{heor}: {notes}")).unwrap_err();
        assert!(
            err.to_string().starts_with("unknown placeholder {heor} "),
            "{err}"
        );
        assert!(matches!(
            line(&push(Some(NOTES)), Some("{hero}\n{notes}")),
            Err(TopicError::NotOneLine { .. })
        ));
        assert_eq!(line(&push(None), Some("   ")), Err(TopicError::Empty));
        assert!(matches!(
            line(&push(None), Some("{hero")),
            Err(TopicError::Template(TemplateError::Unclosed { line: 1 }))
        ));
        let hostile = TopicPush {
            hero: "mat\r\nX-Injected: 1".into(),
            ..push(None)
        };
        assert!(matches!(
            line(&hostile, None),
            Err(TopicError::NotOneLine { .. })
        ));
    }

    #[test]
    fn matrix_sets_the_state_event_of_a_room_id() {
        let request = matrix_set_topic(
            "https://mozilla.modular.im/",
            "!AbCd123:mozilla.org",
            "Next push",
        )
        .expect("builds");
        assert_eq!(request.method, Method::Put);
        assert_eq!(request.method.as_str(), "PUT");
        assert_eq!(
            request.url,
            "https://mozilla.modular.im/_matrix/client/v3/rooms/%21AbCd123%3Amozilla.org/state/m.room.topic"
        );
        assert_eq!(header(&request, "content-type"), Some("application/json"));
        assert_eq!(header(&request, "authorization"), None);
        assert_eq!(request.body.as_deref(), Some(r#"{"topic":"Next push"}"#));
        // Quotes and non-ASCII are JSON-escaped, not broken.
        let request = matrix_set_topic("https://m.org", "!x", "a \"b\" — ✓").expect("builds");
        let body: serde_json::Value =
            serde_json::from_str(request.body.as_deref().expect("a body")).expect("json");
        assert_eq!(body, serde_json::json!({"topic": "a \"b\" — ✓"}));
    }

    #[test]
    fn a_matrix_alias_is_resolved_first() {
        assert_eq!(
            MatrixRoom::parse("#amo:mozilla.org"),
            Ok(MatrixRoom::Alias("#amo:mozilla.org".into()))
        );
        assert_eq!(
            MatrixRoom::parse(" https://matrix.to/#/#amo:mozilla.org?via=mozilla.org "),
            Ok(MatrixRoom::Alias("#amo:mozilla.org".into()))
        );
        let request =
            matrix_resolve_alias("https://mozilla.modular.im", "#amo:mozilla.org").expect("builds");
        assert_eq!(request.method, Method::Get);
        assert_eq!(
            request.url,
            "https://mozilla.modular.im/_matrix/client/v3/directory/room/%23amo%3Amozilla.org"
        );
        assert_eq!(request.body, None);
        assert_eq!(
            matrix_room_id(
                200,
                r#"{"room_id":"!AbCd123:mozilla.org","servers":["mozilla.org"]}"#
            ),
            Ok("!AbCd123:mozilla.org".into())
        );
        assert_eq!(
            matrix_room_id(
                404,
                r#"{"errcode":"M_NOT_FOUND","error":"Room alias not found"}"#
            )
            .unwrap_err()
            .to_string(),
            "Matrix refused (HTTP 404): M_NOT_FOUND: Room alias not found"
        );
        // The state endpoint takes no alias: sending one would be a 4xx at best.
        assert!(matches!(
            matrix_set_topic("https://m.org", "#amo:mozilla.org", "t"),
            Err(ChatError::BadRoom { .. })
        ));
    }

    #[test]
    fn bad_rooms_are_refused() {
        for bad in [
            "amo", "!", "#amo", "#:server", "#amo:", "! x:y", "", "!:server",
        ] {
            assert!(
                matches!(MatrixRoom::parse(bad), Err(ChatError::BadRoom { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            MatrixRoom::parse("!opaqueid"),
            Ok(MatrixRoom::Id("!opaqueid".into()))
        );
    }

    #[test]
    fn the_token_never_travels_in_clear_text_to_another_machine() {
        for bad in [
            "http://matrix.org",
            "matrix.org",
            "ftp://matrix.org",
            "https://",
            "https://user:pw@matrix.org",
            "https://m.org/?x",
            "http://127.0.0.1.evil.example",
            "http://localhost@evil.example",
        ] {
            assert!(
                matches!(
                    matrix_set_topic(bad, "!x:y", "t"),
                    Err(ChatError::BadBaseUrl { .. })
                ),
                "{bad}"
            );
        }
        for test_server in [
            "http://127.0.0.1:8008",
            "http://localhost:1234/",
            "http://[::1]:80",
            "HTTP://LocalHost:1",
            "HTTPS://matrix.org",
        ] {
            assert!(
                matrix_set_topic(test_server, "!x:y", "t").is_ok(),
                "{test_server}"
            );
        }
        assert!(
            slack_set_topic("http://slack.com/api", "C0123ABCD", "t")
                .unwrap_err()
                .to_string()
                .contains("is not an https:// URL")
        );
    }

    #[test]
    fn matrix_answers() {
        assert_eq!(
            matrix_topic_set(200, r#"{"event_id":"$YUwRidLecu:example.com"}"#),
            Ok("$YUwRidLecu:example.com".into())
        );
        assert_eq!(
            matrix_topic_set(
                403,
                r#"{"errcode":"M_FORBIDDEN","error":"You don't have permission to post that to the room."}"#
            ),
            Err(ChatError::Refused {
                service: "Matrix",
                status: 403,
                code: "M_FORBIDDEN".into(),
                message: "You don't have permission to post that to the room.".into()
            })
        );
        for (status, body) in [
            (200, "{}"),
            (200, "<html>login</html>"),
            (502, "Bad Gateway"),
            (200, "[]"),
        ] {
            assert!(
                matches!(
                    matrix_topic_set(status, body),
                    Err(ChatError::BadAnswer { .. })
                ),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn slack_sets_the_topic_of_a_channel_id() {
        let request = slack_set_topic(SLACK_API, "C0123ABCD", "Next push").expect("builds");
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "https://slack.com/api/conversations.setTopic");
        assert_eq!(
            header(&request, "Content-Type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(header(&request, "authorization"), None);
        assert_eq!(
            request.body.as_deref(),
            Some(r#"{"channel":"C0123ABCD","topic":"Next push"}"#)
        );
    }

    #[test]
    fn slack_takes_250_characters_and_no_more() {
        let exact = "é".repeat(SLACK_TOPIC_LIMIT);
        assert!(slack_set_topic(SLACK_API, "C0123ABCD", &exact).is_ok());
        let err = slack_set_topic(SLACK_API, "C0123ABCD", &format!("{exact}x")).unwrap_err();
        assert_eq!(
            err,
            ChatError::TooLong {
                service: "Slack",
                length: 251,
                limit: 250,
                unit: "characters"
            }
        );
        assert_eq!(
            err.to_string(),
            "the topic is 251 characters; Slack takes at most 250"
        );
        let huge = "x".repeat(MATRIX_EVENT_LIMIT);
        assert!(matches!(
            matrix_set_topic("https://m.org", "!x", &huge),
            Err(ChatError::TooLong {
                service: "Matrix",
                unit: "bytes",
                ..
            })
        ));
    }

    #[test]
    fn slack_channel_names_are_refused_with_the_reason() {
        for bad in ["#remora", "remora", "c0123abcd", "C01", "C0123 ABCD", ""] {
            let err = slack_set_topic(SLACK_API, bad, "t").unwrap_err();
            assert!(matches!(err, ChatError::BadChannel { .. }), "{bad}");
        }
        assert!(
            slack_set_topic(SLACK_API, "#remora", "t")
                .unwrap_err()
                .to_string()
                .contains("conversations.setTopic takes no names")
        );
        assert!(slack_set_topic(SLACK_API, "G01234ABCDE", "t").is_ok());
    }

    #[test]
    fn slack_answers_ok_false_with_http_200() {
        assert_eq!(
            slack_topic_set(200, r#"{"ok":true,"channel":{"id":"C0123ABCD"}}"#),
            Ok(())
        );
        assert_eq!(
            slack_topic_set(200, r#"{"ok":false,"error":"not_in_channel"}"#)
                .unwrap_err()
                .to_string(),
            "Slack refused (HTTP 200): not_in_channel"
        );
        assert_eq!(
            slack_topic_set(
                200,
                r#"{"ok":false,"error":"missing_scope","needed":"channels:manage","provided":"chat:write"}"#
            )
            .unwrap_err()
            .to_string(),
            "Slack refused (HTTP 200): missing_scope: the token needs the channels:manage scope"
        );
        assert!(matches!(
            slack_topic_set(429, r#"{"ok":false,"error":"ratelimited"}"#),
            Err(ChatError::Refused { status: 429, .. })
        ));
        // ok:true with a non-200 status, or no `ok` at all, is not success.
        for (status, body) in [
            (500, r#"{"ok":true}"#),
            (200, "{}"),
            (200, "ok"),
            (200, r#"{"ok":"true"}"#),
        ] {
            assert!(slack_topic_set(status, body).is_err(), "{status} {body}");
        }
    }
}
