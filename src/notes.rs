//! The release notes document of a push, modelled on Mozilla's push notes
//! (`releases/YYYY/MM/DD.md`): the title with the weekday and an ordinal date, the push hero,
//! the cherry-picks, one compare link per repository of the train, the sections the team fills
//! in, and the team's monitoring links. Pure: the caller gathers the tags, picks and links; this
//! module only writes text, paths and URLs.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::template::{self, TemplateError};

/// The notes of one push, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notes {
    pub date: NaiveDate,
    /// What comes before the date in the title (`pushduty.notesTitle`, e.g. "AMO Release").
    pub title_prefix: String,
    pub hero: String,
    /// The repositories of the train, this one first, in the order they are configured.
    pub repos: Vec<RepoNotes>,
    /// The team's monitoring links (`pushduty.link`), in order.
    pub links: Vec<Link>,
}

/// One repository of the train in the notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoNotes {
    pub name: String,
    /// What this push ships: last push → this push's latest tag.
    pub compare: Compare,
    /// The commits cherry-picked onto this push's `-N` revisions, oldest first (the order
    /// `git cherry-pick` must apply them in); never merge commits.
    pub picks: Vec<Pick>,
}

/// How to see what a repository ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compare {
    /// A forge's compare page.
    Link(String),
    /// No known forge: the git command that shows the same (`git log --oneline A..B`).
    Command(String),
    /// No tag for this push yet.
    NotTagged,
}

impl Compare {
    /// From what `forge::compare_hint` gives: a web link, or else a git command.
    pub fn from_hint(hint: String) -> Compare {
        if is_http_url(&hint) {
            Compare::Link(hint)
        } else {
            Compare::Command(hint)
        }
    }
}

/// A cherry-picked commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub short_id: String,
    pub subject: String,
    /// The commit's page on the forge, when there is one.
    pub link: Option<String>,
}

/// A named link (`pushduty.link`, `NAME URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// Why a `pushduty.link` value cannot be read. The caller names the key and the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    Empty,
    /// The last word is not an http(s) URL.
    NoUrl {
        text: String,
    },
    /// A URL with no name before it.
    NoName {
        url: String,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => write!(
                f,
                "a link is NAME URL (Sentry https://...); this one is empty"
            ),
            LinkError::NoUrl { text } => write!(
                f,
                "a link is NAME URL (Sentry https://...); {text:?} does not end with an http(s) URL"
            ),
            LinkError::NoName { url } => write!(
                f,
                "a link is NAME URL (Sentry https://...); {url} has no name before it"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

impl Link {
    /// Parses `NAME URL`: the URL is the last word, the name everything before it (it may hold
    /// spaces: `Prod Health dashboard https://...`).
    pub fn parse(text: &str) -> Result<Link, LinkError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(LinkError::Empty);
        }
        let (name, url) = match text.rsplit_once(char::is_whitespace) {
            Some((name, url)) => (name.trim(), url),
            None => ("", text),
        };
        if !is_http_url(url) {
            return Err(LinkError::NoUrl {
                text: text.to_owned(),
            });
        }
        if name.is_empty() {
            return Err(LinkError::NoName {
                url: url.to_owned(),
            });
        }
        Ok(Link {
            name: name.to_owned(),
            url: url.to_owned(),
        })
    }
}

/// `https://` or `http://` (in any case, as URLs allow) and a host, with no space.
fn is_http_url(text: &str) -> bool {
    let rest = strip_scheme(text, "https://").or_else(|| strip_scheme(text, "http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    text.get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .map(|_| &text[scheme.len()..])
}

/// The day of the month as people write it in a title: 1st 2nd 3rd 4th ... 11th 12th 13th ...
/// 21st 22nd 23rd ... 31st.
pub fn ordinal(day: u32) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

/// "Thursday 3rd December 2026".
pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.format("%A"),
        ordinal(date.day()),
        date.format("%B %Y")
    )
}

/// "AMO Release Thursday 3rd December 2026" (no prefix: just the date).
pub fn title(prefix: &str, date: NaiveDate) -> String {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        long_date(date)
    } else {
        format!("{prefix} {}", long_date(date))
    }
}

/// Where the document for `date` lives under the notes directory (`pushduty.notesDir`, default
/// `releases`): `DIR/YYYY/MM/DD.md`.
pub fn document_path(dir: &Path, date: NaiveDate) -> PathBuf {
    dir.join(date.format("%Y").to_string())
        .join(date.format("%m").to_string())
        .join(date.format("%d.md").to_string())
}

/// Why `pushduty.notesUrl` cannot make a link. The caller names the key and the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotesUrlError {
    /// Not an `http(s)://host/...` URL.
    NotHttp { base: String },
    /// A query or fragment, after which a path cannot be appended.
    QueryOrFragment { base: String },
}

impl fmt::Display for NotesUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotesUrlError::NotHttp { base } => write!(
                f,
                "{base:?} is not an http(s) URL of the notes directory (like https://github.com/mozilla/addons/blob/main/releases)"
            ),
            NotesUrlError::QueryOrFragment { base } => write!(
                f,
                "{base:?} has a ? or #, so YYYY/MM/DD.md cannot be appended to it"
            ),
        }
    }
}

impl std::error::Error for NotesUrlError {}

/// The web link of the document for `date`: `BASE/YYYY/MM/DD.md` (a trailing `/` on the base
/// is tolerated).
pub fn document_url(base: &str, date: NaiveDate) -> Result<String, NotesUrlError> {
    let trimmed = base.trim();
    if !is_http_url(trimmed) {
        return Err(NotesUrlError::NotHttp {
            base: base.to_owned(),
        });
    }
    if trimmed.contains(['?', '#']) {
        return Err(NotesUrlError::QueryOrFragment {
            base: base.to_owned(),
        });
    }
    Ok(format!(
        "{}/{}",
        trimmed.trim_end_matches('/'),
        date.format("%Y/%m/%d.md")
    ))
}

/// The placeholders a notes template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "date",
    "long_date",
    "weekday",
    "hero",
    "mention",
    "cherry_picks",
    "compare_links",
    "links",
];

/// The document when the team has no template of its own (`pushduty.notesTemplate`): Mozilla's
/// push notes, with "Before we promote" and the links filled in.
pub const DEFAULT_TEMPLATE: &str = "\
# {title}

This week's push hero is {mention}

## Notable things shipping:

*

## Blockers:

*

## Cherry-picks:

{cherry_picks}

## Pushing:

{compare_links}

## Before we push:

*

## Before we start:

*

## Before we promote:

*

## After we're done:

{links}
";

/// The document in the default layout.
pub fn render(notes: &Notes) -> String {
    render_template(DEFAULT_TEMPLATE, notes).expect("the default template uses known placeholders")
}

/// The document from a team's template (see [`PLACEHOLDERS`]; `{{` and `}}` for braces).
/// The lists (`{cherry_picks}`, `{compare_links}`, `{links}`) are markdown list lines without a
/// final newline, or a lone `*` for the hero to fill in when there is nothing.
pub fn render_template(template: &str, notes: &Notes) -> Result<String, TemplateError> {
    // Placeholders land in markdown: the team's words are text, not markup.
    let title = inline(&title(&notes.title_prefix, notes.date));
    let hero = inline(notes.hero.trim());
    let date = notes.date.format("%Y-%m-%d").to_string();
    let long = long_date(notes.date);
    let weekday = notes.date.format("%A").to_string();
    let mention = mention(&notes.hero);
    let picks = list(notes.repos.iter().flat_map(|repo| {
        repo.picks.iter().map(move |pick| {
            let id = match &pick.link {
                Some(link) => format!("[{}]({})", inline(&pick.short_id), destination(link)),
                None => code(&pick.short_id),
            };
            format!("* {}: {id} {}", inline(&repo.name), inline(&pick.subject))
        })
    }));
    let compare = list(notes.repos.iter().map(|repo| match &repo.compare {
        Compare::Link(url) => format!("- {}", bare_url(url)),
        Compare::Command(command) => format!("- {}: {}", inline(&repo.name), code(command)),
        Compare::NotTagged => format!("- {}: not tagged yet", inline(&repo.name)),
    }));
    let links = list(
        notes
            .links
            .iter()
            .map(|link| format!("* [{}]({})", inline(&link.name), destination(&link.url))),
    );
    template::fill(
        template,
        &[
            ("title", &title),
            ("date", &date),
            ("long_date", &long),
            ("weekday", &weekday),
            ("hero", &hero),
            ("mention", &mention),
            ("cherry_picks", &picks),
            ("compare_links", &compare),
            ("links", &links),
        ],
    )
}

fn list(lines: impl Iterator<Item = String>) -> String {
    let lines: Vec<String> = lines.collect();
    if lines.is_empty() {
        "*".to_owned()
    } else {
        lines.join("\n")
    }
}

/// `@name` for a GitHub user name (so GitHub notifies the hero), else the name as text.
fn mention(hero: &str) -> String {
    let hero = hero.trim();
    let handle = hero.strip_prefix('@').unwrap_or(hero);
    if !handle.is_empty()
        && handle
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        format!("@{handle}")
    } else {
        inline(hero)
    }
}

/// Text on one markdown line, with what markdown would read as markup escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span that no backtick in `text` can close early.
fn code(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A link destination that cannot end the link early or break the line.
fn destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A compare URL written bare, as Mozilla's notes do (GitHub links it).
fn bare_url(url: &str) -> String {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        format!("<{}>", destination(url))
    } else {
        url.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).expect("valid test date")
    }

    fn week() -> Notes {
        Notes {
            date: d("2026-12-03"),
            title_prefix: "AMO Release".into(),
            hero: "eviljeff".into(),
            repos: vec![
                RepoNotes {
                    name: "addons-server".into(),
                    compare: Compare::Link(
                        "https://github.com/mozilla/addons-server/compare/2026.11.26-1...2026.12.03-2"
                            .into(),
                    ),
                    picks: vec![
                        Pick {
                            short_id: "3f2a9c1".into(),
                            subject: "Fix the review queue's *sort* order".into(),
                            link: Some("https://github.com/mozilla/addons-server/commit/3f2a9c1d0e4b5a6978812345678901234567890a".into()),
                        },
                        Pick {
                            short_id: "8b7e6d5".into(),
                            subject: "Don't 500 on an empty [locale] (#22871)".into(),
                            link: Some("https://github.com/mozilla/addons-server/commit/8b7e6d5c4b3a29180716253443526170899aabbc".into()),
                        },
                    ],
                },
                RepoNotes {
                    name: "addons-frontend".into(),
                    compare: Compare::Link(
                        "https://github.com/mozilla/addons-frontend/compare/2026.11.26...2026.12.03"
                            .into(),
                    ),
                    picks: vec![],
                },
                RepoNotes {
                    name: "addons-code-manager".into(),
                    compare: Compare::Command(
                        "git log --oneline 2026.11.26..2026.12.03".into(),
                    ),
                    picks: vec![Pick {
                        short_id: "c0ffee1".into(),
                        subject: "Bump the linter".into(),
                        link: None,
                    }],
                },
            ],
            links: vec![
                Link::parse("Sentry https://sentry.prod.mozaws.net/operations/olympia-prod/")
                    .expect("parses"),
                Link::parse(
                    "Prod Health dashboard https://earthangel-b40313e5.influxcloud.net/d/3q-fOyOWk/amo-prod-health",
                )
                .expect("parses"),
            ],
        }
    }

    #[test]
    fn the_whole_document_for_a_week_with_cherry_picks() {
        let expected = "\
# AMO Release Thursday 3rd December 2026

This week's push hero is @eviljeff

## Notable things shipping:

*

## Blockers:

*

## Cherry-picks:

* addons-server: [3f2a9c1](https://github.com/mozilla/addons-server/commit/3f2a9c1d0e4b5a6978812345678901234567890a) Fix the review queue's \\*sort\\* order
* addons-server: [8b7e6d5](https://github.com/mozilla/addons-server/commit/8b7e6d5c4b3a29180716253443526170899aabbc) Don't 500 on an empty \\[locale\\] (\\#22871)
* addons-code-manager: `c0ffee1` Bump the linter

## Pushing:

- https://github.com/mozilla/addons-server/compare/2026.11.26-1...2026.12.03-2
- https://github.com/mozilla/addons-frontend/compare/2026.11.26...2026.12.03
- addons-code-manager: `git log --oneline 2026.11.26..2026.12.03`

## Before we push:

*

## Before we start:

*

## Before we promote:

*

## After we're done:

* [Sentry](https://sentry.prod.mozaws.net/operations/olympia-prod/)
* [Prod Health dashboard](https://earthangel-b40313e5.influxcloud.net/d/3q-fOyOWk/amo-prod-health)
";
        assert_eq!(render(&week()), expected);
    }

    #[test]
    fn the_next_push_before_anything_is_tagged() {
        let notes = Notes {
            date: d("2026-12-10"),
            title_prefix: "".into(),
            hero: "Diane Q.".into(),
            repos: vec![RepoNotes {
                name: "addons-server".into(),
                compare: Compare::NotTagged,
                picks: vec![],
            }],
            links: vec![],
        };
        let text = render(&notes);
        assert!(
            text.starts_with(
                "# Thursday 10th December 2026\n\nThis week's push hero is Diane Q.\n"
            )
        );
        assert!(
            text.contains(
                "## Cherry-picks:\n\n*\n\n## Pushing:\n\n- addons-server: not tagged yet\n"
            )
        );
        assert!(text.ends_with("## After we're done:\n\n*\n"));
    }

    #[test]
    fn ordinals_as_people_write_them() {
        let cases = [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (10, "10th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (14, "14th"),
            (20, "20th"),
            (21, "21st"),
            (22, "22nd"),
            (23, "23rd"),
            (24, "24th"),
            (30, "30th"),
            (31, "31st"),
            (101, "101st"),
            (111, "111th"),
            (112, "112th"),
        ];
        for (day, text) in cases {
            assert_eq!(ordinal(day), text);
        }
        assert_eq!(
            title("AMO Release", d("2026-12-03")),
            "AMO Release Thursday 3rd December 2026"
        );
        assert_eq!(
            title("  Push  ", d("2027-01-21")),
            "Push Thursday 21st January 2027"
        );
        assert_eq!(long_date(d("2026-12-22")), "Tuesday 22nd December 2026");
        assert_eq!(long_date(d("2026-12-11")), "Friday 11th December 2026");
    }

    #[test]
    fn paths_and_urls_of_a_document() {
        assert_eq!(
            document_path(Path::new("releases"), d("2026-12-10")),
            Path::new("releases/2026/12/10.md")
        );
        assert_eq!(
            document_path(Path::new("../addons/releases"), d("2027-01-07")),
            Path::new("../addons/releases/2027/01/07.md")
        );
        for base in [
            "https://github.com/mozilla/addons/blob/main/releases",
            "https://github.com/mozilla/addons/blob/main/releases/",
            " https://github.com/mozilla/addons/blob/main/releases// ",
        ] {
            assert_eq!(
                document_url(base, d("2026-12-10")).as_deref(),
                Ok("https://github.com/mozilla/addons/blob/main/releases/2026/12/10.md"),
                "{base}"
            );
        }
        for bad in [
            "",
            "releases",
            "ftp://x/y",
            "https://",
            "https:///x",
            "https://a b/c",
        ] {
            assert!(
                matches!(
                    document_url(bad, d("2026-12-10")),
                    Err(NotesUrlError::NotHttp { .. })
                ),
                "{bad:?}"
            );
        }
        let err = document_url("https://wiki.example/notes?page=", d("2026-12-10")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"https://wiki.example/notes?page=\" has a ? or #, so YYYY/MM/DD.md cannot be appended to it"
        );
    }

    #[test]
    fn schemes_are_case_insensitive() {
        assert_eq!(
            Link::parse("Sentry HTTPS://sentry.example/x").map(|l| l.url),
            Ok("HTTPS://sentry.example/x".into())
        );
        assert_eq!(
            document_url("Https://github.com/o/r/blob/main/releases", d("2026-12-10")).as_deref(),
            Ok("Https://github.com/o/r/blob/main/releases/2026/12/10.md")
        );
        assert_eq!(
            Compare::from_hint("HTTPS://gitlab.example/o/r/-/compare/a...b".into()),
            Compare::Link("HTTPS://gitlab.example/o/r/-/compare/a...b".into())
        );
    }

    #[test]
    fn markdown_in_the_title_prefix_and_hero_is_escaped_in_the_document() {
        let notes = Notes {
            title_prefix: "AMO\n## Injected <b>".into(),
            hero: "Diane_Q".into(),
            ..week()
        };
        let text = render_template("# {title}\n{hero}", &notes).expect("renders");
        assert_eq!(
            text,
            "# AMO \\#\\# Injected \\<b\\> Thursday 3rd December 2026\nDiane\\_Q"
        );
        // The plain title (for a topic or a calendar) is not markdown.
        assert_eq!(
            title("AMO_1", d("2026-12-03")),
            "AMO_1 Thursday 3rd December 2026"
        );
    }

    #[test]
    fn links_parse_as_name_then_url() {
        assert_eq!(
            Link::parse("  Ops dashboard\thttps://e.net/d/x  "),
            Ok(Link {
                name: "Ops dashboard".into(),
                url: "https://e.net/d/x".into()
            })
        );
        assert_eq!(Link::parse(" "), Err(LinkError::Empty));
        assert_eq!(
            Link::parse("https://e.net"),
            Err(LinkError::NoName {
                url: "https://e.net".into()
            })
        );
        for bad in [
            "Sentry",
            "Sentry sentry.example",
            "https://e.net Sentry",
            "S https://",
        ] {
            assert!(
                matches!(Link::parse(bad), Err(LinkError::NoUrl { .. })),
                "{bad}"
            );
        }
        assert_eq!(
            Link::parse("Sentry").unwrap_err().to_string(),
            "a link is NAME URL (Sentry https://...); \"Sentry\" does not end with an http(s) URL"
        );
    }

    #[test]
    fn a_team_template_with_every_placeholder() {
        let template = "{title}|{date}|{long_date}|{weekday}|{hero}|{mention}\n{compare_links}\n{cherry_picks}\n{links}\n{{literal}}";
        let text = render_template(template, &week()).expect("renders");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(
                "AMO Release Thursday 3rd December 2026|2026-12-03|Thursday 3rd December 2026|Thursday|eviljeff|@eviljeff"
            )
        );
        assert_eq!(
            lines.next(),
            Some("- https://github.com/mozilla/addons-server/compare/2026.11.26-1...2026.12.03-2")
        );
        assert!(text.ends_with("amo-prod-health)\n{literal}"));
        let err = render_template("# {title}\n{hero_name} {notes}", &week()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown placeholders {hero_name}, {notes} (known: {title} {date}"),
            "{err}"
        );
    }

    #[test]
    fn markup_in_names_subjects_and_urls_cannot_break_the_document() {
        let notes = Notes {
            date: d("2026-12-03"),
            title_prefix: "AMO".into(),
            hero: "@mat".into(),
            repos: vec![RepoNotes {
                name: "x_y".into(),
                compare: Compare::Command("git log `a`..b".into()),
                picks: vec![Pick {
                    short_id: "abc1234".into(),
                    subject: "<script>alert(1)</script>\n## Injected".into(),
                    link: Some("https://e.org/c/a) [x](y".into()),
                }],
            }],
            links: vec![Link {
                name: "A [b]".into(),
                url: "https://e.org/(x)".into(),
            }],
        };
        let text = render(&notes);
        assert!(text.contains("This week's push hero is @mat\n"));
        assert!(text.contains(
            "* x\\_y: [abc1234](https://e.org/c/a%29%20[x]%28y) \\<script\\>alert(1)\\</script\\> \\#\\# Injected\n"
        ), "{text}");
        assert!(text.contains("- x\\_y: ``git log `a`..b``\n"), "{text}");
        assert!(
            text.contains("* [A \\[b\\]](https://e.org/%28x%29)\n"),
            "{text}"
        );
        assert!(!text.contains("\n## Injected"));
    }

    #[test]
    fn compare_hints_become_links_or_commands() {
        assert_eq!(
            Compare::from_hint("https://github.com/o/r/compare/a...b".into()),
            Compare::Link("https://github.com/o/r/compare/a...b".into())
        );
        assert_eq!(
            Compare::from_hint("git log --oneline a..b".into()),
            Compare::Command("git log --oneline a..b".into())
        );
        assert_eq!(code("`x"), "`` `x ``");
    }
}
