//! Setting the chat topic: the Matrix room and the Slack channel of the team, each reached over
//! its web API with a token from the environment (never from a file, never printed). The
//! requests and the reading of the answers are `week::topic`'s; this sends them, and is called
//! by the plan's runner only ([`crate::plan::Effect::SetTopic`]).

use anyhow::Result;

use crate::config::week::{ChatSettings, MatrixSettings, SlackSettings};
use crate::config::{
    MATRIX_HOMESERVER, MATRIX_ROOM, MATRIX_TOKEN_ENV, SLACK_API, SLACK_CHANNEL, SLACK_TOKEN_ENV,
};
use crate::error::Refusal;
use crate::http;
use crate::week::topic::{self, MatrixRoom};

/// One chat whose topic is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chat {
    Matrix(MatrixSettings),
    Slack(SlackSettings),
}

impl Chat {
    /// "the Matrix room #amo:mozilla.org", for plans and reports.
    pub fn describe(&self) -> String {
        match self {
            Chat::Matrix(m) => format!("the Matrix room {} on {}", m.room, m.homeserver),
            Chat::Slack(s) => format!("the Slack channel {}", s.channel),
        }
    }

    /// The environment variable that holds this chat's token.
    pub fn token_env(&self) -> &'static str {
        match self {
            Chat::Matrix(_) => MATRIX_TOKEN_ENV,
            Chat::Slack(_) => SLACK_TOKEN_ENV,
        }
    }
}

/// The chats the team configured, each checked as far as it can be without sending anything:
/// the URL, the room or channel, the topic's length, and that its token is in the environment.
/// Refuses when none is configured.
pub fn configured(settings: &ChatSettings, line: &str) -> Result<Vec<Chat>> {
    let mut chats = Vec::new();
    let bad = |key: &str, origin: &str, e: topic::ChatError| {
        Refusal::configuration(format!("{key} (set in {origin}): {e}"))
            .hint(format!("correct it in {origin}"))
    };
    if let Some(m) = &settings.matrix {
        MatrixRoom::parse(&m.room).map_err(|e| bad(MATRIX_ROOM, &m.room_origin, e))?;
        // A placeholder room ID checks the homeserver and the topic's size.
        topic::matrix_set_topic(&m.homeserver, "!check", line).map_err(|e| match e {
            topic::ChatError::BadBaseUrl { .. } => bad(MATRIX_HOMESERVER, &m.homeserver_origin, e),
            e => Refusal::new(e.to_string()),
        })?;
        chats.push(Chat::Matrix(m.clone()));
    }
    if let Some(s) = &settings.slack {
        topic::slack_set_topic(&s.api, &s.channel, line).map_err(|e| match e {
            topic::ChatError::BadBaseUrl { .. } => bad(
                SLACK_API,
                s.api_origin.as_deref().unwrap_or("the default"),
                e,
            ),
            topic::ChatError::BadChannel { .. } => bad(SLACK_CHANNEL, &s.channel_origin, e),
            e => Refusal::new(e.to_string()),
        })?;
        chats.push(Chat::Slack(s.clone()));
    }
    if chats.is_empty() {
        return Err(Refusal::configuration(
            "topic --set has no chat to set: neither a Matrix room nor a Slack channel is configured",
        )
        .hint(format!(
            "for Matrix: git config {MATRIX_HOMESERVER} https://matrix.example.org && git config {MATRIX_ROOM} '#room:example.org'"
        ))
        .hint(format!("for Slack: git config {SLACK_CHANNEL} C0123ABCD"))
        .into());
    }
    for chat in &chats {
        token(chat)?;
    }
    Ok(chats)
}

/// The chat's token from its environment variable; missing or empty is a refusal naming it.
fn token(chat: &Chat) -> Result<String> {
    let name = chat.token_env();
    match std::env::var(name) {
        Ok(token) if !token.trim().is_empty() => Ok(token.trim().to_owned()),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(Refusal::configuration(format!(
            "{name} is not set, so {} cannot be changed: nothing was sent",
            chat.describe()
        ))
        .hint(format!(
            "export {name}=... (the token is read from the environment only, never from a file)"
        ))
        .into()),
        Err(std::env::VarError::NotUnicode(_)) => Err(Refusal::configuration(format!(
            "{name} is not valid UTF-8: nothing was sent"
        ))
        .into()),
    }
}

/// Sets `chat`'s topic to `line`; what the service answers other than success is the error.
/// Returns what to report ("event $abc" for Matrix).
pub fn set_topic(chat: &Chat, line: &str) -> Result<String> {
    let token = token(chat)?;
    send_topic(chat, line, &token).map_err(|e| {
        // The service's answer is for the user to act on, not an internal error; a topic set
        // twice is the same topic, so running again is safe.
        Refusal::new(format!("{} was not changed: {e:#}", chat.describe()))
            .hint("once that is mended, run the same command again: setting a topic twice is harmless")
            .into()
    })
}

fn send_topic(chat: &Chat, line: &str, token: &str) -> Result<String> {
    let token = token.to_owned();
    match chat {
        Chat::Matrix(m) => {
            let room_id = match MatrixRoom::parse(&m.room)? {
                MatrixRoom::Id(id) => id,
                MatrixRoom::Alias(alias) => {
                    let request = topic::matrix_resolve_alias(&m.homeserver, &alias)?;
                    let answer = http::send(&request, Some(&token))?;
                    topic::matrix_room_id(answer.status, &answer.body)
                        .map_err(|e| anyhow::anyhow!("cannot find the room {alias}: {e}"))?
                }
            };
            let request = topic::matrix_set_topic(&m.homeserver, &room_id, line)?;
            let answer = http::send(&request, Some(&token))?;
            let event = topic::matrix_topic_set(answer.status, &answer.body)?;
            Ok(format!("event {event} in {room_id}"))
        }
        Chat::Slack(s) => {
            let request = topic::slack_set_topic(&s.api, &s.channel, line)?;
            let answer = http::send(&request, Some(&token))?;
            topic::slack_topic_set(answer.status, &answer.body)?;
            Ok(format!("channel {}", s.channel))
        }
    }
}

/// Where `topic --set` records the last topic it set (for `status`): the push date it names
/// and the line, as JSON.
pub fn record_path(repo: &gix::Repository) -> std::path::PathBuf {
    crate::config::state_dir(repo).join("topic.json")
}

/// What `topic --set` last set: `(push date, topic)`. A record that cannot be read is an error,
/// never "not set".
pub fn last_set(repo: &gix::Repository) -> Result<Option<(chrono::NaiveDate, String)>> {
    let path = record_path(repo);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot read {}", path.display())));
        }
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a topic record: {e}", path.display()))?;
    let date = value
        .get("date")
        .and_then(|v| v.as_str())
        .and_then(crate::calendar::parse_date);
    let topic = value.get("topic").and_then(|v| v.as_str());
    match (date, topic) {
        (Some(date), Some(topic)) => Ok(Some((date, topic.to_owned()))),
        _ => Err(anyhow::anyhow!("{} is not a topic record", path.display())),
    }
}

/// The record's contents for the push on `date`.
pub fn record(date: chrono::NaiveDate, topic: &str) -> String {
    serde_json::json!({ "date": date.format("%Y-%m-%d").to_string(), "topic": topic }).to_string()
}
