//! The `pushduty.*` keys: each key's name and its default as a pair of constants, as
//! git-absorb keeps them, and [`KEYS`], the one list of every key this version reads, with what
//! it means (what `check` and the man page list, and what a misspelt key is compared with).

/// The team file, at the top of the worktree, in git-config syntax (like `.gitmodules`).
pub const TEAM_FILE: &str = ".pushduty";
/// The largest team file read: a few settings fit in far less, and every command reads it.
pub const TEAM_FILE_LIMIT: u64 = 64 * 1024;

/// The public remote that is tagged and pushed to.
pub const UPSTREAM: &str = "pushduty.upstream";
pub const UPSTREAM_DEFAULT: &str = "upstream";
/// The branch that is tagged and released; default: the one pinned by `hooks install`, else the
/// upstream's default branch, else `main` (`master` if the upstream has only that).
pub const BRANCH: &str = "pushduty.branch";
pub const BRANCH_DEFAULT: &str = "main";
/// The default when the upstream has a `master` and no `main`.
pub const BRANCH_FALLBACK: &str = "master";
/// The weekday of the push.
pub const PUSH_DAY: &str = "pushduty.pushDay";
pub const PUSH_DAY_DEFAULT: chrono::Weekday = chrono::Weekday::Thu;
/// Weeks between pushes.
pub const CADENCE: &str = "pushduty.cadence";
pub const CADENCE_DEFAULT: u32 = 1;
/// A past push date fixing which weeks are push weeks (needed when cadence > 1).
pub const ANCHOR: &str = "pushduty.anchor";
/// Push dates with no push (multi-valued).
pub const SKIP: &str = "pushduty.skip";
/// How calendar tags are named: `{date}` (the push date, `YYYY.MM.DD`) with fixed text around it.
pub const TAG_FORMAT: &str = "pushduty.tagFormat";
pub const TAG_FORMAT_DEFAULT: &str = crate::tags::format::DATE;
/// The private security mirror's remote.
pub const SECURITY: &str = "pushduty.security";
pub const SECURITY_DEFAULT: &str = "security";
/// Extra URLs that also count as the security mirror (multi-valued).
pub const SECURITY_URL: &str = "pushduty.securityUrl";

/// A team's own step (multi-valued `NAME COMMAND`), run by `git push-duty step NAME`.
pub const STEP: &str = "pushduty.step";
/// The one key of an environment's section, `[pushduty "stage"] url = ...`: the service's
/// Dockerflow version URL (`https://...`, or `file://...` for a simulated stage).
pub const ENV_URL: &str = "url";
/// How the environment key is written where keys are listed.
pub const ENV_URL_KEY: &str = "pushduty.<environment>.url";

/// The environment variable that overrides "today" for every command (tests, rehearsals).
pub const TODAY_ENV: &str = "PUSH_DUTY_TODAY";

// The week around the tag: the rotation, the train, the notes document and the chat topic.
/// The push heroes in rotation order (multi-valued); `pushduty.anchor` is the first one's push.
pub const HERO: &str = "pushduty.hero";
/// `DATE NAME`: that push goes to NAME, the rotation otherwise unchanged (multi-valued).
pub const SWAP: &str = "pushduty.swap";
/// A sibling clone tagged with this one, by path from the top of this repository (multi-valued).
pub const REPO: &str = "pushduty.repo";
/// The web address of the notes directory; a push's document is `URL/YYYY/MM/DD.md`.
pub const NOTES_URL: &str = "pushduty.notesUrl";
/// What comes before the date in the notes document's title.
pub const NOTES_TITLE: &str = "pushduty.notesTitle";
pub const NOTES_TITLE_DEFAULT: &str = "Release";
/// Where `notes --write` writes `YYYY/MM/DD.md`, from the top of this repository.
pub const NOTES_DIR: &str = "pushduty.notesDir";
pub const NOTES_DIR_DEFAULT: &str = "releases";
/// A markdown file with placeholders used instead of the built-in notes document.
pub const NOTES_TEMPLATE: &str = "pushduty.notesTemplate";
/// `NAME URL`: a monitoring link for the notes' "After we're done" (multi-valued).
pub const LINK: &str = "pushduty.link";
/// The chat topic's wording, with placeholders.
pub const TOPIC_FORMAT: &str = "pushduty.topicFormat";
/// The Matrix homeserver whose client-server API `topic --set` uses.
pub const MATRIX_HOMESERVER: &str = "pushduty.matrix.homeserver";
/// The Matrix room (`!id:server` or `#alias:server`) whose topic `topic --set` sets.
pub const MATRIX_ROOM: &str = "pushduty.matrix.room";
/// The Slack channel ID whose topic `topic --set` sets.
pub const SLACK_CHANNEL: &str = "pushduty.slack.channel";
/// The base URL of Slack's Web API.
pub const SLACK_API: &str = "pushduty.slack.api";
pub const SLACK_API_DEFAULT: &str = crate::week::topic::SLACK_API;
/// The access token for Matrix: from the environment only, never from a file.
pub const MATRIX_TOKEN_ENV: &str = "PUSH_DUTY_MATRIX_TOKEN";
/// The token for Slack (a bot or user token with `channels:write`): from the environment only.
pub const SLACK_TOKEN_ENV: &str = "PUSH_DUTY_SLACK_TOKEN";

/// Every key this version knows: what is read, what `check` and the man page list, and what an
/// unknown key is compared with. A key is added here and nowhere else.
pub const KEYS: &[(&str, &str)] = &[
    (UPSTREAM, "the public remote's name (default: upstream)"),
    (
        BRANCH,
        "the branch that is tagged and released, as a branch name or refs/heads/NAME (default: the one hooks install pinned, else the upstream's default branch from refs/remotes/<upstream>/HEAD, else main, or master if the upstream has a master and no main)",
    ),
    (PUSH_DAY, "the weekday of the push (default: thursday)"),
    (CADENCE, "weeks between pushes (default: 1)"),
    (
        ANCHOR,
        "a past push date, YYYY-MM-DD, fixing which weeks are push weeks; needed when cadence is above 1",
    ),
    (
        SKIP,
        "a push date with no push, YYYY-MM-DD (multi-valued: holidays, freezes)",
    ),
    (
        TAG_FORMAT,
        "how calendar tags are named: {date} (the push date, YYYY.MM.DD) with fixed text around it, such as v{date} or release-{date}; a later revision of a push date adds -N at the end, and tags named otherwise are not counted (default: {date})",
    ),
    (
        SECURITY,
        "the private security mirror's remote name (default: security)",
    ),
    (
        SECURITY_URL,
        "another URL that is the security mirror (multi-valued)",
    ),
    (
        STEP,
        "one of the team's steps, as NAME COMMAND (multi-valued); git push-duty step NAME runs COMMAND through the shell at the top of the repository",
    ),
    (
        ENV_URL_KEY,
        "in a section [pushduty \"stage\"]: the environment's Dockerflow version URL for this repository (https://.../__version__, or file:///path for a simulated stage); the first environment is the one deployed checks by default",
    ),
    (
        HERO,
        "a push hero, in rotation order (multi-valued, usually in the team file); pushduty.anchor is the first one's push",
    ),
    (
        SWAP,
        "DATE NAME: the push on DATE goes to NAME, every other turn unchanged (multi-valued)",
    ),
    (
        REPO,
        "another repository of the train, by path from the top of this one (multi-valued): next-tag --all and tag --all tag it too",
    ),
    (
        NOTES_URL,
        "the notes directory's web address; a push's document is URL/YYYY/MM/DD.md (for topic, notes and who --ics)",
    ),
    (
        NOTES_TITLE,
        "what comes before the date in the notes' title (default: Release)",
    ),
    (
        NOTES_DIR,
        "where notes --write writes YYYY/MM/DD.md, from the top of this repository (default: releases)",
    ),
    (
        NOTES_TEMPLATE,
        "a markdown file with placeholders used instead of the built-in notes document, from the top of this repository",
    ),
    (
        LINK,
        "NAME URL: a monitoring link for the notes' \"After we're done\" (multi-valued)",
    ),
    (
        TOPIC_FORMAT,
        "the chat topic's wording, with {date} {weekday} {hero} {notes} (default: Next push {weekday} {date}: push hero {hero}, notes {notes})",
    ),
    (
        MATRIX_HOMESERVER,
        "the Matrix homeserver's URL, for topic --set (token: PUSH_DUTY_MATRIX_TOKEN)",
    ),
    (
        MATRIX_ROOM,
        "the Matrix room whose topic topic --set sets: !id:server or #alias:server",
    ),
    (
        SLACK_CHANNEL,
        "the Slack channel ID whose topic topic --set sets, like C0123ABCD (token: PUSH_DUTY_SLACK_TOKEN)",
    ),
    (
        SLACK_API,
        "the base URL of Slack's Web API (default: https://slack.com/api)",
    ),
];

/// The keys the pre-push guard depends on: pinned by `hooks install`, and compared with the
/// team file on the upstream's branch before they are.
pub const GUARD_KEYS: &[&str] = &[UPSTREAM, SECURITY, BRANCH, SECURITY_URL];

/// The known key nearest to `key` in spelling (case aside), if it is near enough to be a typo.
pub fn closest_key(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    KEYS.iter()
        .map(|(k, _)| (edit_distance(&key, &k.to_ascii_lowercase()), *k))
        .min()
        .filter(|(distance, k)| *distance <= (k.len() - "pushduty.".len()).div_ceil(3).max(2))
        .map(|(_, k)| k)
}

/// Levenshtein distance, by characters.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

pub(super) fn short_key(key: &str) -> &str {
    key.strip_prefix("pushduty.").unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_known_key_is_suggested_only_when_close() {
        assert_eq!(closest_key("pushduty.securtyUrl"), Some(SECURITY_URL));
        assert_eq!(closest_key("pushduty.pushdya"), Some(PUSH_DAY));
        assert_eq!(closest_key("PUSHDUTY.UPSTREM"), Some(UPSTREAM));
        assert_eq!(closest_key("pushduty.branches"), Some(BRANCH));
        assert_eq!(closest_key("pushduty.colour"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn each_key_says_the_default_its_constant_has() {
        let defaults = [
            (UPSTREAM, UPSTREAM_DEFAULT.to_owned()),
            (
                PUSH_DAY,
                crate::calendar::weekday_name(PUSH_DAY_DEFAULT).to_owned(),
            ),
            (CADENCE, CADENCE_DEFAULT.to_string()),
            (SECURITY, SECURITY_DEFAULT.to_owned()),
            (TAG_FORMAT, TAG_FORMAT_DEFAULT.to_owned()),
        ];
        for (key, default) in defaults {
            let (_, about) = KEYS.iter().find(|(k, _)| *k == key).expect(key);
            assert!(
                about.contains(&format!("(default: {default})")),
                "{key}: {about}"
            );
        }
        assert!(KEYS.iter().any(|(k, about)| *k == BRANCH
            && about.contains(&format!("else {BRANCH_DEFAULT}, or {BRANCH_FALLBACK}"))));
    }
}
