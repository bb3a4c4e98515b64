//! The push rota as an iCalendar feed (RFC 5545) a team calendar can subscribe to: one all-day
//! event per push, with a UID that stays the same from one run to the next so a calendar updates
//! an event instead of adding another. Pure: the caller passes the pushes, the repository
//! identity and the stamp time; nothing reads the clock. A small parser, used by the tests here
//! and by the command's tests, reads a feed back.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::rotation::Push;

/// Who made the feed (RFC 5545 §3.7.3).
pub const PRODID: &str = "-//git-push-duty//push duty rotation//EN";

/// The longest line, in octets, without its CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: Option<String>,
    /// A link (the notes document); written as a URI, not as text.
    pub url: Option<String>,
}

/// A whole feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Shown as the calendar's name by most clients (`X-WR-CALNAME`).
    pub name: Option<String>,
    pub events: Vec<Event>,
}

/// The UID of the push on `date` for the repository `identity` (for example the upstream's web
/// path, `github.com/mozilla/addons-server`): the same inputs give the same UID on every run and
/// every machine, different identities never share one (the identity is percent-encoded, not
/// hashed or cut).
pub fn uid(date: NaiveDate, identity: &str) -> String {
    let mut out = format!("push-{}-", date.format("%Y%m%d"));
    for b in identity.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str("@git-push-duty");
    out
}

/// One event per push of `pushes` (as `Rotation::upcoming` gives them): "Push duty: HERO", or
/// "No push (skipped)" for a skipped one, so a calendar shows why there is no push that week.
/// `notes_url` gives each push its notes link, when the team has one.
pub fn push_events(
    pushes: &[Push],
    identity: &str,
    notes_url: impl Fn(NaiveDate) -> Option<String>,
) -> Vec<Event> {
    pushes
        .iter()
        .map(|push| {
            let summary = match (&push.hero, push.skipped) {
                (Some(hero), false) => format!("Push duty: {hero}"),
                _ => "No push (skipped)".to_owned(),
            };
            let url = if push.skipped {
                None
            } else {
                notes_url(push.date)
            };
            Event {
                uid: uid(push.date, identity),
                date: push.date,
                summary,
                description: url.as_ref().map(|u| format!("Release notes: {u}")),
                url,
            }
        })
        .collect()
}

/// The feed as text: CRLF line endings, lines folded at 75 octets, text values escaped.
/// `stamp` is written as every event's `DTSTAMP` (the time the feed was made).
pub fn render(calendar: &Calendar, stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut line = |text: String| out.push_str(&fold(&text));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line(format!("PRODID:{}", escape_text(PRODID)));
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    if let Some(name) = &calendar.name {
        line(format!("X-WR-CALNAME:{}", escape_text(name)));
    }
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for event in &calendar.events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape_text(&event.uid)));
        line(format!("DTSTAMP:{stamp}"));
        line(format!(
            "DTSTART;VALUE=DATE:{}",
            event.date.format("%Y%m%d")
        ));
        // An all-day event ends (exclusively) the next day; the last date chrono knows has
        // none, and a one-day event may then leave DTEND out (§3.6.1).
        if let Some(end) = event.date.succ_opt() {
            line(format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")));
        }
        line(format!("SUMMARY:{}", escape_text(&event.summary)));
        if let Some(description) = &event.description {
            line(format!("DESCRIPTION:{}", escape_text(description)));
        }
        if let Some(url) = &event.url {
            line(format!("URL:{}", uri_value(url)));
        }
        // All-day pushes do not make anyone look busy.
        line("TRANSP:TRANSPARENT".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// Escapes a TEXT value (§3.3.11): `\` `;` `,` with a backslash, line breaks (CRLF, LF or CR)
/// as `\n`. Other control characters cannot be written in TEXT at all and are dropped; a tab is
/// kept.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value cannot be escaped the TEXT way; what would break the line or the URI (controls,
/// spaces, `"`) is percent-encoded instead.
fn uri_value(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_control() || c == ' ' || c == '"' {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Folds one content line (§3.1): at most 75 octets per physical line, continuation lines start
/// with one space, each ends with CRLF. Splits only between characters, never inside one.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// Why a feed does not read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// A line ends with LF alone, or the text does not end with CRLF.
    NotCrlf { line: usize },
    /// A continuation line with nothing before it.
    ContinuationFirst,
    /// A content line with no `:` (outside quotes).
    NoColon { line: String },
    /// A parameter with no `=`.
    BadParameter { line: String },
    /// A TEXT value with a backslash before something other than `\ ; , n N`.
    BadEscape { value: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::NotCrlf { line } => write!(f, "line {line} does not end with CRLF"),
            ParseError::ContinuationFirst => write!(f, "the first line is a continuation"),
            ParseError::NoColon { line } => write!(f, "no ':' in {line:?}"),
            ParseError::BadParameter { line } => write!(f, "a parameter without '=' in {line:?}"),
            ParseError::BadEscape { value } => write!(f, "a bad escape in {value:?}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// One content line: `NAME;PARAM=VALUE:value`, the value still escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Property {
    /// The value of parameter `name` (parameter names are case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Joins folded lines back into content lines (strictly: CRLF everywhere, the text ends with one).
pub fn unfold(text: &str) -> Result<Vec<String>, ParseError> {
    let mut lines: Vec<String> = Vec::new();
    let mut rest = text;
    let mut number = 0;
    while !rest.is_empty() {
        number += 1;
        let Some(end) = rest.find('\n') else {
            return Err(ParseError::NotCrlf { line: number });
        };
        let Some(physical) = rest[..end].strip_suffix('\r') else {
            return Err(ParseError::NotCrlf { line: number });
        };
        rest = &rest[end + 1..];
        if let Some(continued) = physical.strip_prefix([' ', '\t']) {
            match lines.last_mut() {
                Some(last) => last.push_str(continued),
                None => return Err(ParseError::ContinuationFirst),
            }
        } else {
            lines.push(physical.to_owned());
        }
    }
    Ok(lines)
}

/// Reads a feed into its content lines, in order.
pub fn parse(text: &str) -> Result<Vec<Property>, ParseError> {
    unfold(text)?.iter().map(|l| parse_line(l)).collect()
}

fn parse_line(line: &str) -> Result<Property, ParseError> {
    // The first `:` outside a quoted parameter value ends the name and parameters.
    let mut quoted = false;
    let colon = line
        .char_indices()
        .find(|&(_, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            c == ':' && !quoted
        })
        .map(|(i, _)| i)
        .ok_or_else(|| ParseError::NoColon {
            line: line.to_owned(),
        })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = split_unquoted(head, ';').into_iter();
    let name = parts.next().unwrap_or_default().to_ascii_uppercase();
    let mut params = Vec::new();
    for part in parts {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| ParseError::BadParameter {
                line: line.to_owned(),
            })?;
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        params.push((k.to_ascii_uppercase(), v.to_owned()));
    }
    Ok(Property {
        name,
        params,
        value: value.to_owned(),
    })
}

fn split_unquoted(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Undoes [`escape_text`].
pub fn unescape_text(value: &str) -> Result<String, ParseError> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some(';') => out.push(';'),
            Some(',') => out.push(','),
            Some('n' | 'N') => out.push('\n'),
            _ => {
                return Err(ParseError::BadEscape {
                    value: value.to_owned(),
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Schedule, parse_date};
    use crate::rotation::Rotation;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).expect("valid test date")
    }

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 5)
            .single()
            .expect("a valid time")
    }

    const IDENTITY: &str = "github.com/mozilla/addons-server";

    fn rotation() -> Rotation {
        Rotation::new(
            ["willdurand", "eviljeff", "mat", "bsilverberg"]
                .map(String::from)
                .to_vec(),
            d("2026-11-26"),
            Schedule {
                skip: vec![d("2026-12-10")],
                ..Schedule::default()
            },
            vec![],
        )
        .expect("valid")
    }

    fn feed() -> String {
        let pushes = rotation().upcoming(d("2026-12-01"), 1).expect("pushes");
        let events = push_events(&pushes, IDENTITY, |date| {
            Some(format!(
                "https://github.com/mozilla/addons/blob/main/releases/{}.md",
                date.format("%Y/%m/%d")
            ))
        });
        render(
            &Calendar {
                name: Some("AMO push duty".into()),
                events,
            },
            stamp(),
        )
    }

    #[test]
    fn the_whole_feed_for_a_week_with_a_skipped_push() {
        let expected = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//git-push-duty//push duty rotation//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:AMO push duty",
            "BEGIN:VEVENT",
            "UID:push-20261203-github.com%2Fmozilla%2Faddons-server@git-push-duty",
            "DTSTAMP:20261201T093005Z",
            "DTSTART;VALUE=DATE:20261203",
            "DTEND;VALUE=DATE:20261204",
            "SUMMARY:Push duty: eviljeff",
            "DESCRIPTION:Release notes: https://github.com/mozilla/addons/blob/main/rele",
            " ases/2026/12/03.md",
            "URL:https://github.com/mozilla/addons/blob/main/releases/2026/12/03.md",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:push-20261210-github.com%2Fmozilla%2Faddons-server@git-push-duty",
            "DTSTAMP:20261201T093005Z",
            "DTSTART;VALUE=DATE:20261210",
            "DTEND;VALUE=DATE:20261211",
            "SUMMARY:No push (skipped)",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:push-20261217-github.com%2Fmozilla%2Faddons-server@git-push-duty",
            "DTSTAMP:20261201T093005Z",
            "DTSTART;VALUE=DATE:20261217",
            "DTEND;VALUE=DATE:20261218",
            "SUMMARY:Push duty: mat",
            "DESCRIPTION:Release notes: https://github.com/mozilla/addons/blob/main/rele",
            " ases/2026/12/17.md",
            "URL:https://github.com/mozilla/addons/blob/main/releases/2026/12/17.md",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
            "END:VCALENDAR",
        ];
        let mut text = expected.join("\r\n");
        text.push_str("\r\n");
        assert_eq!(feed(), text);
    }

    #[test]
    fn the_feed_parses_back_property_by_property() {
        let props = parse(&feed()).expect("parses");
        let events: Vec<&[Property]> = props
            .split(|p| p.name == "BEGIN" && p.value == "VEVENT")
            .skip(1)
            .collect();
        assert_eq!(events.len(), 3);
        let get = |event: &[Property], name: &str| -> Property {
            let found: Vec<&Property> = event.iter().filter(|p| p.name == name).collect();
            assert_eq!(found.len(), 1, "exactly one {name}");
            found[0].clone()
        };
        for (event, (date, end, summary)) in events.iter().zip([
            ("20261203", "20261204", "Push duty: eviljeff"),
            ("20261210", "20261211", "No push (skipped)"),
            ("20261217", "20261218", "Push duty: mat"),
        ]) {
            let start = get(event, "DTSTART");
            assert_eq!(
                (start.param("value"), start.value.as_str()),
                (Some("DATE"), date)
            );
            let stop = get(event, "DTEND");
            assert_eq!(
                (stop.param("VALUE"), stop.value.as_str()),
                (Some("DATE"), end)
            );
            assert_eq!(
                unescape_text(&get(event, "SUMMARY").value).as_deref(),
                Ok(summary)
            );
            assert_eq!(get(event, "DTSTAMP").value, "20261201T093005Z");
            assert!(get(event, "UID").value.contains(&date[..8]));
        }
        assert_eq!(props.first().map(|p| p.value.as_str()), Some("VCALENDAR"));
        assert_eq!(props.last().map(|p| p.name.as_str()), Some("END"));
        assert!(
            props
                .iter()
                .any(|p| p.name == "VERSION" && p.value == "2.0")
        );
    }

    #[test]
    fn uids_are_stable_and_distinct() {
        let a = uid(d("2026-12-03"), IDENTITY);
        assert_eq!(a, uid(d("2026-12-03"), IDENTITY));
        assert_ne!(a, uid(d("2026-12-10"), IDENTITY));
        // Identities that a lossy cleanup would merge stay apart.
        assert_ne!(
            uid(d("2026-12-03"), "mozilla/addons"),
            uid(d("2026-12-03"), "mozilla-addons")
        );
        assert_ne!(uid(d("2026-12-03"), "a%2Fb"), uid(d("2026-12-03"), "a/b"));
        // A hero swap keeps the UID, so calendars update the event in place.
        let swapped = Rotation::new(
            vec!["mat".into()],
            d("2026-11-26"),
            Schedule::default(),
            vec![crate::rotation::Swap {
                date: d("2026-12-03"),
                hero: "guest".into(),
            }],
        )
        .expect("valid");
        let pushes = swapped.upcoming(d("2026-12-01"), 0).expect("pushes");
        assert_eq!(push_events(&pushes, IDENTITY, |_| None)[0].uid, a);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg\th\u{0}i\u{7f}"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng\thi"
        );
        assert_eq!(
            unescape_text("a\\\\b\\;c\\,d\\Ne"),
            Ok("a\\b;c,d\ne".into())
        );
        assert!(unescape_text("trailing\\").is_err());
        assert!(unescape_text("\\x").is_err());
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let folded = fold(&line);
        for physical in folded.split_terminator("\r\n") {
            assert!(physical.len() <= MAX_LINE_OCTETS, "{}", physical.len());
        }
        // 8 ASCII + 33 two-octet characters = 74; the next one does not fit.
        assert_eq!(folded.split("\r\n").next().map(str::len), Some(74));
        assert_eq!(unfold(&folded), Ok(vec![line.clone()]));
        // Four-octet characters (emoji) too.
        let emoji = format!("SUMMARY:{}", "🚀".repeat(40));
        let folded = fold(&emoji);
        assert!(folded.split_terminator("\r\n").all(|l| l.len() <= 75));
        assert_eq!(unfold(&folded), Ok(vec![emoji]));
        // Exactly 75 octets is not folded; 76 is.
        let exact = "X".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
        assert_eq!(fold(&format!("{exact}Y")), format!("{exact}\r\n Y\r\n"));
    }

    #[test]
    fn the_parser_is_strict_about_line_endings() {
        assert_eq!(unfold("A:b\nC:d\r\n"), Err(ParseError::NotCrlf { line: 1 }));
        assert_eq!(unfold("A:b\r\nC:d"), Err(ParseError::NotCrlf { line: 2 }));
        assert_eq!(unfold(" A:b\r\n"), Err(ParseError::ContinuationFirst));
        assert!(matches!(
            parse("NOCOLON\r\n"),
            Err(ParseError::NoColon { .. })
        ));
        assert!(matches!(
            parse("A;B:c\r\n"),
            Err(ParseError::BadParameter { .. })
        ));
        let quoted = parse("X;ALTREP=\"http://a/b;c:d\":v:w\r\n").expect("parses");
        assert_eq!(quoted[0].param("altrep"), Some("http://a/b;c:d"));
        assert_eq!(quoted[0].value, "v:w");
    }

    #[test]
    fn a_hostile_hero_name_stays_one_property() {
        let events = vec![Event {
            uid: uid(d("2026-12-03"), IDENTITY),
            date: d("2026-12-03"),
            summary: "Push duty: x\r\nEND:VEVENT\r\nBEGIN:VEVENT".into(),
            description: None,
            url: Some("https://e.org/a b\r\nX:y".into()),
        }];
        let text = render(&Calendar { name: None, events }, stamp());
        let props = parse(&text).expect("parses");
        assert_eq!(props.iter().filter(|p| p.name == "BEGIN").count(), 2);
        let summary = props.iter().find(|p| p.name == "SUMMARY").expect("summary");
        assert_eq!(
            unescape_text(&summary.value).as_deref(),
            Ok("Push duty: x\nEND:VEVENT\nBEGIN:VEVENT")
        );
        let url = props.iter().find(|p| p.name == "URL").expect("url");
        assert_eq!(url.value, "https://e.org/a%20b%0D%0AX:y");
    }

    #[test]
    fn the_last_date_has_no_dtend_rather_than_a_panic() {
        let event = Event {
            uid: "x".into(),
            date: NaiveDate::MAX,
            summary: "s".into(),
            description: None,
            url: None,
        };
        let text = render(
            &Calendar {
                name: None,
                events: vec![event],
            },
            stamp(),
        );
        assert!(!text.contains("DTEND"));
        assert!(parse(&text).is_ok());
    }

    proptest! {
        #[test]
        fn any_text_survives_escaping_and_folding(text in any::<String>()) {
            let line = format!("SUMMARY:{}", escape_text(&text));
            let folded = fold(&line);
            for physical in folded.split_terminator("\r\n") {
                prop_assert!(physical.len() <= MAX_LINE_OCTETS);
            }
            let props = parse(&folded).expect("a folded line parses");
            prop_assert_eq!(props.len(), 1);
            // What escaping keeps: every line break becomes LF, other controls but tab are dropped.
            let kept: String = text
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                .collect();
            prop_assert_eq!(unescape_text(&props[0].value).expect("unescapes"), kept);
        }

        #[test]
        fn printable_text_round_trips_exactly(text in "[^\\p{Cc}]*") {
            let folded = fold(&format!("DESCRIPTION:{}", escape_text(&text)));
            let props = parse(&folded).expect("parses");
            prop_assert_eq!(unescape_text(&props[0].value).expect("unescapes"), text);
        }
    }
}
