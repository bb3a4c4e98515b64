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
