//! `topic`: the chat topic line for a push, and `--set` against a local server that answers as
//! Matrix's client-server API and Slack's Web API do, checking each request as they document it.

mod common;

use common::TestRepo;
use common::week::{ChatServer, ROTATION, Request};

const NOTES: &str = "\tnotesUrl = https://github.com/mozilla/addons/blob/main/releases\n";
const MATRIX_TOKEN: &str = "syt_matrix_secret_0123";
const SLACK_TOKEN: &str = "xoxb-slack-secret-4567";

fn rota(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.team_file(&format!("{ROTATION}{NOTES}{extra}"));
    repo
}

/// Matrix (alias lookup, topic state event) and Slack (conversations.setTopic) as documented;
/// Slack answers `slack_error` instead of success when given.
fn chat_server(slack_error: Option<&'static str>) -> ChatServer {
    ChatServer::start(Box::new(move |r: &Request| {
        let authorized =
            |token: &str| r.header("authorization") == Some(&format!("Bearer {token}"));
        match (r.method.as_str(), r.target.as_str()) {
            ("GET", "/_matrix/client/v3/directory/room/%23amo%3Amozilla.org") => (
                200,
                r#"{"room_id":"!OGEhHVWSdvArJzumhm:matrix.org","servers":["mozilla.org"]}"#.into(),
            ),
            (
                "PUT",
                "/_matrix/client/v3/rooms/%21OGEhHVWSdvArJzumhm%3Amatrix.org/state/m.room.topic",
            ) => {
                if authorized(MATRIX_TOKEN) {
                    (200, r#"{"event_id":"$YUwRidLecu:example.com"}"#.into())
                } else {
                    (
                        401,
                        r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed."}"#
                            .into(),
                    )
                }
            }
            ("POST", "/api/conversations.setTopic") => match (authorized(SLACK_TOKEN), slack_error)
            {
                (false, _) => (200, r#"{"ok":false,"error":"invalid_auth"}"#.into()),
                (true, Some(error)) => (200, format!(r#"{{"ok":false,"error":"{error}"}}"#)),
                (true, None) => (200, r#"{"ok":true,"channel":{"id":"C0123ABCD"}}"#.into()),
            },
            _ => (
                404,
                r#"{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}"#.into(),
            ),
        }
    }))
}

fn with_chats(repo: &TestRepo, server: &ChatServer) {
    let base = server.url();
    repo.git(&["config", "pushduty.matrix.homeserver", &base]);
    repo.git(&["config", "pushduty.matrix.room", "#amo:mozilla.org"]);
    repo.git(&["config", "pushduty.slack.channel", "C0123ABCD"]);
    repo.git(&["config", "pushduty.slack.api", &format!("{base}/api")]);
}

fn run_with_tokens(repo: &TestRepo, args: &[&str]) -> common::Run {
    repo.run_env(
        common::BIN,
        &repo.work,
        args,
        &[
            ("PUSH_DUTY_MATRIX_TOKEN", MATRIX_TOKEN),
            ("PUSH_DUTY_SLACK_TOKEN", SLACK_TOKEN),
        ],
    )
}

fn no_secret(run: &common::Run) {
    for token in [MATRIX_TOKEN, SLACK_TOKEN] {
        run.stdout_lacks(token).stderr_lacks(token);
    }
}

#[test]
fn topic_names_the_push_its_hero_and_its_notes() {
    let repo = rota("");
    repo.run(&["topic"]).ok().stdout_is(
        "Next push Thursday 2026-12-03: push hero eviljeff, notes https://github.com/mozilla/addons/blob/main/releases/2026/12/03.md\n",
    );
    repo.run(&["topic", "--next"]).ok().stdout_is(
        "Next push Thursday 2026-12-10: push hero mat, notes https://github.com/mozilla/addons/blob/main/releases/2026/12/10.md\n",
    );
    repo.git(&[
        "config",
        "pushduty.topicFormat",
        "AMO | push hero: {hero} ({date}) | {notes}",
    ]);
    repo.run(&["topic", "--next"]).ok().stdout_is(
        "AMO | push hero: mat (2026-12-10) | https://github.com/mozilla/addons/blob/main/releases/2026/12/10.md\n",
    );
    // Without a notes URL the default wording leaves the link out.
    let repo = TestRepo::new();
    repo.team_file(ROTATION);
    repo.run(&["topic"])
        .ok()
        .stdout_is("Next push Thursday 2026-12-03: push hero eviljeff\n");
}

#[test]
fn refusal_topic_with_a_bad_format() {
    let repo = TestRepo::new();
    repo.team_file(&format!("{ROTATION}\ttopicFormat = {{hero}}: {{notes}}\n"));
    let before = repo.snapshot();
    repo.run(&["topic"])
        .expect(1)
        .stderr_has("error: pushduty.topicFormat (set in ")
        .stderr_has("/work/.pushduty) names {notes}, but pushduty.notesUrl is not set, so there is no notes link")
        .stderr_has("hint: set the notes directory's web address: git config --file ");
    repo.team_file(&format!(
        "{ROTATION}{NOTES}\ttopicFormat = {{heroo}} {{date}}\n"
    ));
    repo.run(&["topic"])
        .expect(1)
        .stderr_has("error: pushduty.topicFormat = \"{heroo} {date}\" (set in ")
        .stderr_has("unknown placeholder {heroo} (known: {date} {weekday} {hero} {notes}");
    repo.team_file(&format!("{ROTATION}{NOTES}"));
    assert_eq!(repo.snapshot().refs, before.refs);
}

#[test]
fn topic_set_sets_the_matrix_room_and_the_slack_channel() {
    let repo = rota("");
    let server = chat_server(None);
    with_chats(&repo, &server);
    let run = run_with_tokens(&repo, &["topic", "--next", "--set", "--yes"]).ok();
    run.stderr_has("1. set the topic of the Matrix room #amo:mozilla.org on http://127.0.0.1:")
        .stderr_has("2. set the topic of the Slack channel C0123ABCD")
        .stderr_has("topic set");
    no_secret(&run);
    let topic = "Next push Thursday 2026-12-10: push hero mat, notes https://github.com/mozilla/addons/blob/main/releases/2026/12/10.md";
    // Recorded for status, in the git directory.
    let record =
        std::fs::read_to_string(repo.work.join(".git/push-duty/topic.json")).expect("recorded");
    let record: serde_json::Value = serde_json::from_str(&record).expect("JSON");
    assert_eq!(
        record,
        serde_json::json!({ "date": "2026-12-10", "topic": topic })
    );
    let opened = gix::open(&repo.work).expect("open the clone");
    let (date, set) = push_duty::chat::last_set(&opened)
        .expect("readable")
        .expect("recorded");
    assert_eq!(
        (date.to_string(), set.as_str()),
        ("2026-12-10".to_owned(), topic)
    );
    std::fs::write(repo.work.join(".git/push-duty/topic.json"), "{}").expect("write");
    assert!(push_duty::chat::last_set(&opened).is_err());
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    // Matrix: the alias resolved to the room ID, then the state event PUT with the token.
    assert_eq!(requests[0].method, "GET");
    assert_eq!(
        requests[1].target,
        "/_matrix/client/v3/rooms/%21OGEhHVWSdvArJzumhm%3Amatrix.org/state/m.room.topic"
    );
    assert_eq!(requests[1].method, "PUT");
    assert_eq!(requests[1].header("content-type"), Some("application/json"));
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {MATRIX_TOKEN}").as_str())
    );
    assert_eq!(requests[1].json(), serde_json::json!({ "topic": topic }));
    // Slack: conversations.setTopic as JSON with the bot token.
    assert_eq!(requests[2].method, "POST");
    assert_eq!(requests[2].target, "/api/conversations.setTopic");
    assert_eq!(
        requests[2].header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        requests[2].header("authorization"),
        Some(format!("Bearer {SLACK_TOKEN}").as_str())
    );
    assert_eq!(
        requests[2].json(),
        serde_json::json!({ "channel": "C0123ABCD", "topic": topic })
    );
}

#[test]
fn topic_set_dry_run_sends_nothing() {
    let repo = rota("");
    let server = chat_server(None);
    with_chats(&repo, &server);
    run_with_tokens(&repo, &["topic", "--set", "--dry-run"])
        .ok()
        .stderr_has("Dry run: nothing was changed.");
    assert!(server.requests().is_empty());
    assert!(!repo.work.join(".git/push-duty/topic.json").exists());
    // Off a terminal without --yes: asked for it, nothing sent.
    run_with_tokens(&repo, &["topic", "--set"])
        .expect(2)
        .stderr_has("not on a terminal, and this changes a remote: nothing was done");
    assert!(server.requests().is_empty());
}

#[test]
fn refusal_topic_set_when_slack_says_no() {
    let repo = rota("");
    let server = chat_server(Some("not_in_channel"));
    with_chats(&repo, &server);
    let run = run_with_tokens(&repo, &["topic", "--set", "--yes"]).expect(1);
    // Slack answers HTTP 200 with ok: false: that is a refusal, and Matrix's topic was set.
    run.stderr_has("step 2 of 3 failed (set the topic of the Slack channel C0123ABCD); done before it: set the topic of the Matrix room #amo:mozilla.org")
        .stderr_has("the Slack channel C0123ABCD was not changed: Slack refused (HTTP 200): not_in_channel")
        .stderr_has("hint: once that is mended, run the same command again");
    no_secret(&run);
    assert_eq!(server.requests().len(), 3);
    // Not recorded as set: Slack's topic is not.
    assert!(!repo.work.join(".git/push-duty/topic.json").exists());
}

#[test]
fn refusal_topic_set_without_a_token_or_a_chat() {
    let repo = rota("");
    let server = chat_server(None);
    with_chats(&repo, &server);
    let before = repo.snapshot();
    repo.run_env(
        common::BIN,
        &repo.work,
        &["topic", "--set", "--yes"],
        &[("PUSH_DUTY_MATRIX_TOKEN", MATRIX_TOKEN)],
    )
    .expect(1)
    .stderr_has("PUSH_DUTY_SLACK_TOKEN is not set, so the Slack channel C0123ABCD cannot be changed: nothing was sent")
    .stderr_has("hint: export PUSH_DUTY_SLACK_TOKEN=...");
    assert!(server.requests().is_empty());
    assert_eq!(repo.snapshot(), before);
    // A wrong token: Matrix's own words, and the token is not repeated.
    let run = repo
        .run_env(
            common::BIN,
            &repo.work,
            &["topic", "--set", "--yes"],
            &[
                ("PUSH_DUTY_MATRIX_TOKEN", "wrong-token-89"),
                ("PUSH_DUTY_SLACK_TOKEN", SLACK_TOKEN),
            ],
        )
        .expect(1);
    run.stderr_has("Matrix refused (HTTP 401): M_UNKNOWN_TOKEN: Invalid access token passed.")
        .stderr_has("step 1 of 3 failed")
        .stderr_lacks("wrong-token-89");
    // No chat configured.
    let repo = rota("");
    repo.run(&["topic", "--set", "--yes"]).expect(1).stderr_has(
        "topic --set has no chat to set: neither a Matrix room nor a Slack channel is configured",
    );
    // A channel name where an ID is needed, a homeserver in clear text: named with the file.
    repo.git(&["config", "pushduty.slack.channel", "#remora"]);
    run_with_tokens(&repo, &["topic", "--set", "--yes"])
        .expect(1)
        .stderr_has("pushduty.slack.channel (set in ")
        .stderr_has("\"#remora\" is not a Slack channel ID");
    repo.git(&["config", "--unset", "pushduty.slack.channel"]);
    repo.git(&[
        "config",
        "pushduty.matrix.homeserver",
        "http://matrix.example.org",
    ]);
    repo.git(&["config", "pushduty.matrix.room", "!room:example.org"]);
    run_with_tokens(&repo, &["topic", "--set", "--yes"])
        .expect(1)
        .stderr_has("pushduty.matrix.homeserver (set in ")
        .stderr_has("is not an https:// URL");
    repo.git(&["config", "--unset", "pushduty.matrix.room"]);
    repo.run(&["topic"])
        .expect(1)
        .stderr_has("pushduty.matrix.homeserver is set (in ")
        .stderr_has("but pushduty.matrix.room is not");
}

#[test]
fn refusal_a_misspelt_chat_key() {
    let repo = rota("[pushduty \"matrix\"]\n\trooom = #amo:mozilla.org\n");
    let before = repo.snapshot();
    repo.run(&["topic"])
        .expect(1)
        .stderr_has("error: pushduty.matrix.rooom (set in ")
        .stderr_has("/work/.pushduty) is not a setting git-push-duty knows; did you mean pushduty.matrix.room?");
    assert_eq!(repo.snapshot(), before);
    // The same key in another subsection is not known either.
    let repo = rota("[pushduty \"slack\"]\n\troom = C0123ABCD\n");
    repo.run(&["who"])
        .expect(1)
        .stderr_has("pushduty.slack.room (set in ");
}
