//! The properties the fuzz targets check (`fuzz/fuzz_targets/*.rs`), one function per target,
//! so that the fuzzers and the corpus replay test (`tests/fuzz_corpus.rs`) run the same code.
//! Each takes the fuzzer's bytes and panics when a property does not hold; a property is more
//! than "no panic": round trips, "the next tag name never exists", one repository in every
//! spelling on a file system built from the bytes, "an error while deciding is an error, never
//! a pass", and a reference decision written from the guard's rules apart from `guard::decide`.
//!
//! For tests and fuzzing only: not part of the tool's interface.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use gix::ObjectId;

use crate::calendar;
use crate::config;
use crate::git::config_parameters::parse_config_parameters;
use crate::guard::url::{self, Filesystem, Kind, Location};
use crate::guard::{
    self, CommitInfo, Destination, DestinationRef, Facts, Leak, Leaks, Live, Peeled, Reason,
};
use crate::tags::{CalendarTag, Lineage};

/// Every target by name, for the corpus replay: `fuzz/corpus/NAME/`.
pub const TARGETS: &[&str] = &[
    "pre_push_input",
    "calendar_tags",
    "config_values",
    "team_file",
    "url",
    "decide",
];

/// Runs target `name` on `data`. `team_file` needs a scratch directory, made under `scratch` on
/// first use.
pub fn run(name: &str, data: &[u8], scratch: &Path) {
    match name {
        "pre_push_input" => pre_push_input(data),
        "calendar_tags" => calendar_tags(data),
        "config_values" => config_values(data),
        "team_file" => TeamFile::new(scratch).check(data),
        "url" => url(data),
        "decide" => decide(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// A small cursor over the fuzzer's bytes: every read succeeds (zeros past the end), so each
/// input means something.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bytes { data, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    /// A short string over `alphabet`, length from the next byte.
    fn word(&mut self, alphabet: &[&str], max: usize) -> String {
        let len = self.below(max) + 1;
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }

    fn rest(&self) -> &'a [u8] {
        self.data.get(self.at..).unwrap_or(&[])
    }
}

// ---------------------------------------------------------------------------------------------
// pre_push_input: guard::parse

/// git's lines as the hook reads them (lossy UTF-8, like the hook), in both hash kinds:
/// accepted lines are well formed, one per non-blank line, and render back to themselves; a
/// refusal names the first bad line, after which nothing was read. Then a line built from the
/// bytes (a local ref with spaces, real ids) parses to exactly its parts.
pub fn pre_push_input(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for hash in [gix::hash::Kind::Sha1, gix::hash::Kind::Sha256] {
        let raw: Vec<&str> = text.split('\n').collect();
        let blank = |l: &&str| l.strip_suffix('\r').unwrap_or(l).trim().is_empty();
        match guard::parse(&text, hash) {
            Ok(lines) => {
                assert_eq!(lines.len(), raw.iter().filter(|l| !blank(l)).count());
                for line in &lines {
                    assert!(!line.local_ref.is_empty() && !line.remote_ref.is_empty());
                    assert!(!line.remote_ref.contains(' ') && !line.local_ref.contains('\n'));
                    assert_eq!((line.local.kind(), line.remote.kind()), (hash, hash));
                }
                let rendered: String = lines
                    .iter()
                    .map(|l| {
                        format!(
                            "{} {} {} {}\n",
                            l.local_ref, l.local, l.remote_ref, l.remote
                        )
                    })
                    .collect();
                assert_eq!(guard::parse(&rendered, hash), Ok(lines));
            }
            Err(bad) => {
                assert!((1..=raw.len()).contains(&bad.number), "{bad:?}");
                assert!(bad.line.chars().count() <= 200 && !bad.problem.is_empty());
                let before = raw[..bad.number - 1].join("\n");
                assert!(guard::parse(&before, hash).is_ok(), "{bad:?}");
                assert!(guard::parse(raw[bad.number - 1], hash).is_err(), "{bad:?}");
                assert!(!blank(&raw[bad.number - 1]));
            }
        }
        // A line as git writes it, with any local ref.
        let mut bytes = Bytes::new(data);
        let id = |b: &mut Bytes<'_>| {
            let mut raw = vec![0u8; hash.len_in_bytes()];
            for x in raw.iter_mut() {
                *x = b.byte();
            }
            ObjectId::from_bytes_or_panic(&raw)
        };
        let (local, remote) = (id(&mut bytes), id(&mut bytes));
        let local_ref: String = String::from_utf8_lossy(bytes.rest())
            .chars()
            .filter(|c| *c != '\n')
            .collect();
        if local_ref.is_empty() || local_ref.ends_with('\r') {
            continue;
        }
        let remote_ref = "refs/heads/main";
        let line = format!("{local_ref} {local} {remote_ref} {remote}\r\n\n");
        let parsed = guard::parse(&line, hash).expect("a line as git writes it");
        assert_eq!(parsed.len(), 1);
        assert_eq!(
            (
                parsed[0].local_ref.as_str(),
                parsed[0].local,
                parsed[0].remote_ref.as_str(),
                parsed[0].remote
            ),
            (local_ref.as_str(), local, remote_ref, remote)
        );
        assert_eq!(parsed[0].is_deletion(), local.is_null());
    }
}

// ---------------------------------------------------------------------------------------------
// calendar_tags: tags::CalendarTag::parse and tags::Lineage

/// Tag names (lines of text when the first byte is even, else names built from the bytes: dates
/// in one week, revisions up to `u64::MAX`, leading zeros): a parsed name prints back to itself
/// (or, with leading zeros, to a name that parses the same); the lineage is sorted; the next
/// name for a date never exists, is later than every existing revision of that date, and is
/// `None` only after `u64::MAX`; `previous` is strictly before.
pub fn calendar_tags(data: &[u8]) {
    let monday = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
    let names: Vec<String> = if data.first().is_none_or(|b| b % 2 == 0) {
        String::from_utf8_lossy(data.get(1..).unwrap_or(&[]))
            .split('\n')
            .map(str::to_owned)
            .collect()
    } else {
        data[1..]
            .chunks(2)
            .map(|pair| {
                let day = monday + chrono::Days::new(u64::from(pair[0] % 8));
                let revision = pair.get(1).copied().unwrap_or(0);
                let base = day.format("%Y.%m.%d").to_string();
                match (revision, pair[0] & 0x80 != 0) {
                    (0, _) => base,
                    (255, _) => format!("{base}-{}", u64::MAX),
                    (254, _) => format!("{base}-{}", u64::MAX - 1),
                    (n, true) => format!("{base}-0{n}"),
                    (n, false) => format!("{base}-{n}"),
                }
            })
            .collect()
    };
    // A lineage of 64 names shows every rule; more only slows each run down.
    let names: Vec<String> = names.into_iter().take(64).collect();
    let mut dates = BTreeSet::from([monday]);
    for name in &names {
        let Some(tag) = CalendarTag::parse(name) else {
            continue;
        };
        dates.insert(tag.date);
        let shown = tag.to_string();
        assert_eq!(CalendarTag::parse(&shown), Some(tag), "{name}");
        let padded = name
            .split_once('-')
            .is_some_and(|(_, r)| r.len() > 1 && r.starts_with('0'));
        if !padded {
            assert_eq!(&shown, name);
        }
        assert!(name.is_ascii() && !name.contains(['/', ' ', '~', '^', ':']));
    }
    // Parsed once: chrono's parser is the slow part of every run.
    let parsed: Vec<Option<CalendarTag>> = names.iter().map(|n| CalendarTag::parse(n)).collect();
    let lineage = Lineage::from_names(&names);
    let listed: Vec<CalendarTag> = lineage
        .names()
        .map(|n| CalendarTag::parse(n).expect("only calendar names are kept"))
        .collect();
    assert!(listed.windows(2).all(|w| w[0] <= w[1]), "{listed:?}");
    // A handful of dates is enough, and keeps each run linear in the number of names.
    for date in dates.into_iter().take(8) {
        let revisions: Vec<u64> = listed
            .iter()
            .filter(|t| t.date == date)
            .map(|t| t.revision.unwrap_or(0))
            .collect();
        match lineage.next_for(date) {
            Some(next) => {
                let name = next.to_string();
                assert_eq!(next.date, date);
                assert!(!lineage.contains(&name), "{name} exists");
                assert!(
                    parsed.iter().all(|t| *t != Some(next)),
                    "{name} is an existing tag spelled differently"
                );
                assert!(revisions.iter().all(|r| Some(*r) < next.revision));
                assert_eq!(revisions.is_empty(), next.revision.is_none());
                assert_eq!(CalendarTag::parse(&name), Some(next));
                if let Some(previous) = lineage.previous(&next) {
                    let previous = CalendarTag::parse(previous).expect("a calendar name");
                    assert!(
                        (previous.date, previous.revision.unwrap_or(0))
                            < (date, next.revision.unwrap_or(0))
                    );
                }
                if date == monday {
                    let mut grown = names.clone();
                    grown.push(name);
                    let after = Lineage::from_names(&grown).next_for(date);
                    assert!(after.is_none_or(|a| a > next), "{after:?} after {next:?}");
                }
            }
            None => assert!(revisions.contains(&u64::MAX), "no next name for {date}"),
        }
        if let Some(latest) = lineage.latest_for(date) {
            let latest = CalendarTag::parse(latest).expect("a calendar name");
            assert_eq!(
                Some(latest.revision.unwrap_or(0)),
                revisions.iter().max().copied()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// config_values: git::config_parameters::parse_config_parameters, calendar::parse_date, calendar::parse_weekday

/// Quotes `text` as git's `sq_quote_buf` does: `'...'`, with `'` and `!` written `'\''`, `'\!'`.
fn sq_quote(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        if c == '\'' || c == '!' {
            out.push_str("'\\");
            out.push(c);
            out.push('\'');
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// A pair as git 2.31+ exports it: `'key'='value'`, or `'key'=` for a valueless `-c key`.
fn exported(key: &str, value: Option<&str>) -> String {
    match value {
        Some(value) => format!("{}={}", sq_quote(key), sq_quote(value)),
        None => format!("{}=", sq_quote(key)),
    }
}

/// With a first byte 0: the rest as `GIT_CONFIG_PARAMETERS` text. It parses or is refused
/// naming the variable, never a panic; what parses, written back in git's form, reads back the
/// same. Otherwise: pairs built from the bytes (keys and values with quotes, `!`, `=`, spaces,
/// newlines; valueless, empty, and the pre-2.31 `'key=value'` and `'key'` forms) are written the
/// way git exports them and must read back exactly, every pair, in order, valueless ones as
/// `None`. Then the text as a date and as a weekday: whatever is accepted prints back to itself.
pub fn config_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data.get(1..).unwrap_or(&[]));
    if data.first().is_none_or(|b| *b == 0) {
        match parse_config_parameters(&text) {
            Ok(pairs) => {
                let rendered: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| exported(k, v.as_deref()))
                    .collect();
                let again = parse_config_parameters(&rendered.join(" "))
                    .unwrap_or_else(|e| panic!("{rendered:?} from {text:?}: {e:#}"));
                assert_eq!(again, pairs, "{text:?}");
                for (key, _) in &pairs {
                    assert!(!key.is_empty() && key.trim() == key, "{key:?}");
                }
            }
            Err(err) => {
                let message = format!("{err:#}");
                assert!(
                    message.starts_with("GIT_CONFIG_PARAMETERS is malformed"),
                    "{message}"
                );
                assert!(err.chain().any(|c| c.is::<crate::error::Refusal>()));
            }
        }
    } else {
        let mut bytes = Bytes::new(&data[1..]);
        let alphabet = [
            "a", "b", ".", "'", "!", "=", " ", "\\", "\n", "é", "x", "\"", "\t",
        ];
        let mut expected: Vec<(String, Option<String>)> = Vec::new();
        let mut env = Vec::new();
        while !bytes.done() && expected.len() < 8 {
            let quoted_key = bytes.byte().is_multiple_of(4);
            let key = if quoted_key {
                // A subsection may hold anything but a newline: `-c 'url.it'\''s!.insteadOf=x'`.
                let sub: String = bytes
                    .word(&alphabet, 4)
                    .chars()
                    .filter(|c| !matches!(c, '\n' | '=' | ' ' | '\t'))
                    .collect();
                format!("url.{sub}x.insteadof")
            } else {
                format!("s{}.k{}", bytes.below(3), bytes.below(3))
            };
            let form = bytes.below(5);
            let value = bytes.word(&alphabet, 6);
            match form {
                // `git -c key=value`: 'key'='value'
                0 => {
                    env.push(exported(&key, Some(&value)));
                    expected.push((key, Some(value)));
                }
                // `git -c key=`: an empty value.
                1 => {
                    env.push(exported(&key, Some("")));
                    expected.push((key, Some(String::new())));
                }
                // `git -c key`: valueless, an implicit true.
                2 => {
                    env.push(exported(&key, None));
                    expected.push((key, None));
                }
                // The pre-2.31 form, 'key=value', still read.
                3 => {
                    env.push(sq_quote(&format!("{key}={value}")));
                    expected.push((key, Some(value)));
                }
                // The pre-2.31 valueless form, 'key'.
                _ => {
                    env.push(sq_quote(&key));
                    expected.push((key, None));
                }
            }
        }
        let separator = [" ", "  ", "\t", "\n"][usize::from(data[0] % 4)];
        let joined = env.join(separator);
        let got = parse_config_parameters(&joined)
            .unwrap_or_else(|e| panic!("{joined:?}, as git writes it: {e:#}"));
        assert_eq!(got, expected, "{joined:?}");
    }
    if let Some(date) = calendar::parse_date(&text) {
        assert_eq!(date.format("%Y-%m-%d").to_string(), text.trim());
    }
    if let Some(day) = calendar::parse_weekday(&text) {
        let name = calendar::weekday_name(day);
        let typed = text.trim().to_ascii_lowercase();
        assert!(
            typed.len() >= 3 && name.starts_with(&typed),
            "{text:?} as {name}"
        );
        assert_eq!(calendar::parse_weekday(name), Some(day));
    }
}

// ---------------------------------------------------------------------------------------------
// team_file: config::Settings through config::Sources, reading `.pushduty` from a worktree

/// A repository on disk whose `.pushduty` is rewritten with each input.
pub struct TeamFile {
    top: PathBuf,
}

/// What a team file must make of the settings, worked out from the rules apart from the loader.
#[derive(Debug)]
enum Expected {
    /// Refused, for this reason (in words, for the failure message).
    Refused(String),
    /// Loaded, with these values.
    Loaded {
        upstream: String,
        security: String,
        branch: Option<String>,
        skip: Vec<NaiveDate>,
        security_urls: Vec<String>,
        cadence: u32,
    },
}

impl TeamFile {
    /// The repository `push-duty-team-file` under `scratch`, made the first time.
    pub fn new(scratch: &Path) -> Self {
        let top = scratch.join("push-duty-team-file");
        if !top.join(".git").exists() {
            gix::init(&top).expect("make the scratch repository");
        }
        TeamFile { top }
    }

    /// The bytes as `.pushduty` (with a first byte 0xff, the rest repeated to about the size
    /// limit, a second byte saying how far below or above it): the settings load exactly when the
    /// rules say they do, with the values the rules say: a file over 64 KiB, a section other
    /// than `[pushduty]`, any subsection (pins included), an unknown key or a malformed value is
    /// refused, naming the file or the key; a branch is a branch name (`refs/heads/X` read as
    /// `X`, never `main/`); the last value of a key wins; skip dates are sorted, each once.
    pub fn check(&self, data: &[u8]) {
        let content: Vec<u8> = match data {
            [0xff, offset, rest @ ..] => {
                let unit: &[u8] = if rest.is_empty() { b"#\n" } else { rest };
                let size = config::TEAM_FILE_LIMIT as usize + usize::from(*offset) - 128;
                unit.iter().copied().cycle().take(size).collect()
            }
            _ => data.to_vec(),
        };
        let path = self.top.join(config::TEAM_FILE);
        std::fs::write(&path, &content).expect("write the team file");
        let repo = gix::open_opts(&self.top, gix::open::Options::isolated())
            .expect("open the scratch repository");
        let name = path.display().to_string();
        let expected = expected_settings(&content, &name);
        match (config::Settings::load(&repo), expected) {
            (
                Ok(settings),
                Expected::Loaded {
                    upstream,
                    security,
                    branch,
                    skip,
                    security_urls,
                    cadence,
                },
            ) => {
                assert_eq!(
                    (&settings.upstream, &settings.security, &settings.branch),
                    (&upstream, &security, &branch)
                );
                assert_eq!(settings.schedule.skip, skip);
                assert_eq!(settings.schedule.cadence, cadence);
                assert_eq!(settings.security_urls, security_urls);
                assert_eq!(settings.schedule.validate(), Ok(()));
                if let Some(branch) = &settings.branch {
                    assert!(
                        !branch.starts_with("refs/") && !branch.ends_with('/'),
                        "branch {branch:?}"
                    );
                }
            }
            (Ok(settings), Expected::Refused(why)) => {
                panic!("loaded {settings:?}, but the rules refuse it: {why}")
            }
            (Err(err), Expected::Loaded { .. }) => {
                panic!("refused ({err:#}), but the rules load it")
            }
            (Err(err), Expected::Refused(_)) => {
                let message = format!("{err:#}");
                assert!(
                    err.chain().any(|c| c.is::<crate::error::Refusal>()),
                    "not a refusal: {message}"
                );
                assert!(
                    message.contains("pushduty.") || message.contains(&name),
                    "names neither a key nor the file: {message}"
                );
            }
        }
    }
}

/// `text` as a release branch, by git's rules: a full `refs/heads/X` is `X`; what is left must
/// make a valid `refs/heads/X`, and not read as a ref (`refs/..`), an option or `@`.
fn reference_branch(text: &str) -> Option<String> {
    let name = text.strip_prefix("refs/heads/").unwrap_or(text);
    let full = format!("refs/heads/{name}");
    let valid = gix::refs::FullName::try_from(full.as_str()).is_ok()
        && !name.is_empty()
        && !name.ends_with('/')
        && !name.ends_with(".lock")
        && !name.starts_with("refs/")
        && !name.starts_with('-')
        && name != "@";
    valid.then(|| name.to_owned())
}

/// What loading `content` (the team file `name`, alone: no other config sets a `pushduty` key
/// in the scratch repository) must give.
fn expected_settings(content: &[u8], name: &str) -> Expected {
    use Expected::Refused;
    if content.len() as u64 > config::TEAM_FILE_LIMIT {
        return Refused(format!("{} bytes", content.len()));
    }
    let mut bytes = content.to_vec();
    let meta = gix::config::file::Metadata::from(gix::config::Source::Local).at(name);
    let options = gix::config::file::init::Options {
        includes: gix::config::file::includes::Options::no_follow(),
        ..Default::default()
    };
    let Ok(file) = gix::config::File::from_bytes_owned(&mut bytes, meta, options) else {
        return Refused("not git-config syntax".into());
    };
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for section in file.sections() {
        let header = section.header();
        if !header.name().eq_ignore_ascii_case(b"pushduty") {
            return Refused(format!("section [{}]", header.name()));
        }
        if header.subsection_name().is_some() {
            return Refused("a subsection of [pushduty]".into());
        }
        for (key, value) in section.body() {
            let key = key.to_ascii_lowercase();
            let known = config::KEYS
                .iter()
                .any(|(k, _)| k.to_ascii_lowercase() == format!("pushduty.{key}"));
            if !known {
                return Refused(format!("unknown key {key}"));
            }
            values.entry(key).or_default().push(value.to_string());
        }
    }
    let last = |key: &str| values.get(key).and_then(|v| v.last()).cloned();
    let all = |key: &str| values.get(key).cloned().unwrap_or_default();
    let remote = |key: &str, default: &str| match last(key) {
        None => Some(default.to_owned()),
        Some(v) => config::is_remote_name(&v).then_some(v),
    };
    let (Some(upstream), Some(security)) = (
        remote("upstream", config::UPSTREAM_DEFAULT),
        remote("security", config::SECURITY_DEFAULT),
    ) else {
        return Refused("not a remote name".into());
    };
    if upstream == security {
        return Refused("the upstream is the mirror".into());
    }
    let branch = match last("branch") {
        None => None,
        Some(v) => match reference_branch(&v) {
            Some(b) => Some(b),
            None => return Refused(format!("branch {v:?}")),
        },
    };
    let push_day = match last("pushday") {
        None => config::PUSH_DAY_DEFAULT,
        Some(v) => match calendar::parse_weekday(&v) {
            Some(d) => d,
            None => return Refused(format!("push day {v:?}")),
        },
    };
    let cadence = match last("cadence") {
        None => config::CADENCE_DEFAULT,
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if (1..=52).contains(&n) => n,
            _ => return Refused(format!("cadence {v:?}")),
        },
    };
    let anchor = match last("anchor") {
        None => None,
        Some(v) => match calendar::parse_date(&v) {
            Some(d) => Some(d),
            None => return Refused(format!("anchor {v:?}")),
        },
    };
    let mut skip = Vec::new();
    for v in all("skip") {
        match calendar::parse_date(&v) {
            Some(d) => skip.push(d),
            None => return Refused(format!("skip {v:?}")),
        }
    }
    skip.sort();
    skip.dedup();
    let mut security_urls: Vec<String> = Vec::new();
    for v in all("securityurl") {
        if v.trim().is_empty() {
            return Refused("an empty securityUrl".into());
        }
        if !security_urls.contains(&v) {
            security_urls.push(v);
        }
    }
    if (cadence > 1 && anchor.is_none())
        || anchor.is_some_and(|a| chrono::Datelike::weekday(&a) != push_day)
    {
        return Refused("the schedule does not validate".into());
    }
    Expected::Loaded {
        upstream,
        security,
        branch,
        skip,
        security_urls,
        cadence,
    }
}

// ---------------------------------------------------------------------------------------------
// url: url::locate on a file system built from the bytes

/// A file system in tables, answering as the kernel does: every component of a path is looked
/// up in turn, a symbolic link is replaced by its target right there (so `lnk/..` is the
/// parent of where `lnk` leads, never a lexical clean-up), at most 40 links per lookup (a loop
/// is "not there"), and a path through a file or a missing directory is not there.
#[derive(Debug, Default)]
struct Vfs {
    dirs: BTreeSet<PathBuf>,
    files: BTreeMap<PathBuf, Vec<u8>>,
    /// Where a link is (its directory real, as the kernel finds it) and its target as written.
    links: BTreeMap<PathBuf, PathBuf>,
    home: Option<PathBuf>,
    users: BTreeMap<Vec<u8>, PathBuf>,
}

impl Vfs {
    /// The real path `path` leads to, and whether something is there; `None` if the lookup
    /// fails on the way.
    fn walk(&self, path: &Path) -> Option<(PathBuf, bool)> {
        if !path.is_absolute() {
            return None;
        }
        let mut todo: VecDeque<OsString> = VecDeque::new();
        for c in path.components() {
            match c {
                Component::Normal(n) => todo.push_back(n.to_owned()),
                Component::ParentDir => todo.push_back("..".into()),
                _ => {}
            }
        }
        let mut out = PathBuf::from("/");
        let mut hops = 0;
        while let Some(name) = todo.pop_front() {
            if name == ".." {
                out.pop();
                continue;
            }
            let next = out.join(&name);
            if let Some(target) = self.links.get(&next) {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                if target.is_absolute() {
                    out = PathBuf::from("/");
                }
                for c in target.components().rev() {
                    match c {
                        Component::Normal(n) => todo.push_front(n.to_owned()),
                        Component::ParentDir => todo.push_front("..".into()),
                        _ => {}
                    }
                }
                continue;
            }
            let last = todo.is_empty();
            // A directory anywhere on the way, a file only at the end.
            if self.dirs.contains(&next) || (self.files.contains_key(&next) && last) {
                out = next;
            } else if last {
                return Some((next, false));
            } else {
                return None;
            }
        }
        Some((out, true))
    }

    fn dir(&mut self, path: &str) {
        let mut p = PathBuf::from(path);
        loop {
            self.dirs.insert(p.clone());
            if !p.pop() {
                break;
            }
        }
    }

    /// A git directory: `HEAD`, `objects/`, `refs/`.
    fn git_dir(&mut self, path: &str) {
        self.dir(&format!("{path}/objects"));
        self.dir(&format!("{path}/refs"));
        self.file(&format!("{path}/HEAD"), b"ref: refs/heads/main\n");
    }

    fn file(&mut self, path: &str, content: &[u8]) {
        let p = PathBuf::from(path);
        if let Some(parent) = p.parent() {
            self.dir(&parent.display().to_string());
        }
        self.files.insert(p, content.to_vec());
    }

    fn link(&mut self, path: &str, target: &str) {
        self.links.insert(path.into(), target.into());
    }
}

impl Filesystem for Vfs {
    fn kind(&self, path: &Path) -> Kind {
        match self.walk(path) {
            Some((real, true)) if self.dirs.contains(&real) => Kind::Dir,
            Some((real, true)) if self.files.contains_key(&real) => Kind::File,
            _ => Kind::Missing,
        }
    }
    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        match self.walk(path) {
            Some((real, true)) => self.files.get(&real).cloned(),
            _ => None,
        }
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        match self.walk(path) {
            Some((real, true)) => Some(real),
            _ => None,
        }
    }
    fn home(&self, user: Option<&[u8]>) -> Option<PathBuf> {
        match user {
            None => self.home.clone(),
            Some(u) => self.users.get(u).cloned(),
        }
    }
}

/// Two repositories under `/r` and the ways to reach the first, built from the bytes.
struct Layout {
    fs: Vfs,
    /// The directory git ran in.
    base: PathBuf,
    /// The repository's directory as typed (`/r/NAME.git`, or `/r/NAME` holding `.git`), from
    /// `/r`, and its git directory: what every spelling must locate to.
    typed: String,
    git_dir: PathBuf,
    /// The same for the other repository.
    other_typed: String,
}

/// The names of a layout that are not the repositories'.
const FIXED: &[&str] = &[
    "work", "home", "ada", "deep", "alias", "lnk", "sym", "ln", "loop", "wt", "gf", "gfa",
];

impl Layout {
    fn new(b: &mut Bytes<'_>, name: &str, other: &str) -> Self {
        let flags = b.byte();
        let mut fs = Vfs::default();
        for d in ["/r/work/sub", "/r/home", "/r/ada", "/r/deep/inner"] {
            fs.dir(d);
        }
        fs.home = Some(PathBuf::from("/r/home"));
        fs.users.insert(b"ada".to_vec(), PathBuf::from("/r/ada"));
        // The repository: bare `NAME.git`, or a worktree `NAME` with its `.git` inside.
        let bare = flags & 1 == 0;
        let typed = if bare {
            format!("{name}.git")
        } else {
            name.to_owned()
        };
        let git_dir = if bare {
            format!("/r/{typed}")
        } else {
            format!("/r/{typed}/.git")
        };
        fs.git_dir(&git_dir);
        let other_bare = flags & 2 == 0;
        let other_typed = if other_bare {
            format!("{other}.git")
        } else {
            other.to_owned()
        };
        fs.git_dir(&if other_bare {
            format!("/r/{other_typed}")
        } else {
            format!("/r/{other_typed}/.git")
        });
        // `alias` leads to the repository, relatively or not.
        if flags & 4 == 0 {
            fs.link("/r/alias", &typed);
        } else {
            fs.link("/r/alias", &format!("/r/{typed}"));
        }
        // `lnk/..` is `deep`, where `sym` leads to the repository; lexically, `lnk/../sym` is
        // `/r/sym`: a link to the other repository, or nothing.
        fs.link("/r/lnk", "deep/inner");
        fs.link("/r/deep/sym", &format!("../{typed}"));
        if flags & 8 != 0 {
            fs.link("/r/sym", &other_typed);
        }
        fs.link("/r/ln", if flags & 16 == 0 { "." } else { "/r" });
        fs.link("/r/loop", "loop");
        // A gitfile, relative or absolute, with or without a line end.
        let end = ["", "\n", "\r\n"][usize::from(flags >> 5) % 3];
        fs.file(
            "/r/gf/.git",
            format!("gitdir: ../{}{end}", git_dir.trim_start_matches("/r/")).as_bytes(),
        );
        fs.file("/r/gfa/.git", format!("gitdir: {git_dir}{end}").as_bytes());
        // A linked worktree of the repository: its git directory's `commondir` leads back.
        let worktree = format!("{git_dir}/worktrees/wt");
        fs.file(&format!("{worktree}/HEAD"), b"ref: refs/heads/wt\n");
        fs.file(&format!("{worktree}/commondir"), b"../..\n");
        fs.file("/r/wt/.git", format!("gitdir: {worktree}\n").as_bytes());
        let base = if flags & 128 == 0 {
            "/r/work"
        } else {
            "/r/work/sub"
        };
        Layout {
            fs,
            base: base.into(),
            typed,
            git_dir: git_dir.into(),
            other_typed,
        }
    }

    /// `../` as many times as it takes from the base to `/r`.
    fn up(&self) -> &'static str {
        if self.base.ends_with("sub") {
            "../../"
        } else {
            "../"
        }
    }

    /// The `choice`-th way git would reach the repository.
    fn spelling(&self, choice: u8, encode: u8) -> String {
        let t = &self.typed;
        let up = self.up();
        let suffixless = t.strip_suffix(".git");
        match choice % 20 {
            0 => format!("/r/{t}"),
            1 => match suffixless {
                // git tries `.git` after the name.
                Some(name) => format!("/r/{name}"),
                None => format!("/r/{t}/.git"),
            },
            2 => format!("/r/{t}{}", "/".repeat(usize::from(encode % 3) + 1)),
            3 => format!("/r/./work/../{t}"),
            4 => format!("{up}{t}"),
            5 => format!("./{up}{t}/."),
            6 => format!("file:///r/{t}"),
            7 => format!("file://localhost/r/{}", percent_some(t, encode)),
            8 => format!("file://{}", percent_some(&format!("/r/{t}"), encode)),
            9 => "/r/alias".to_owned(),
            10 => "/r/lnk/../sym".to_owned(),
            11 => "/r/gf".to_owned(),
            12 => "/r/gfa/.git".to_owned(),
            13 => format!("~/../{t}"),
            14 => format!("~ada/../{t}"),
            15 => format!("/r//{t}"),
            16 => "/r/wt".to_owned(),
            17 => format!("/r/ln/{t}"),
            18 => format!("/r/lnk/../../{t}"),
            _ => format!("{up}work/sub/../../{t}"),
        }
    }
}

/// `text` with the characters `mask` picks (by position, cyclically) percent-encoded.
fn percent_some(text: &str, mask: u8) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if mask & (1 << (i % 8)) != 0 {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One repository written many ways git accepts resolves to that repository, and another one,
/// or a look-alike, elsewhere.
///
/// Local (first byte even): a file system built from the bytes (the repository bare or not,
/// symbolic links relative and absolute, a link whose `..` leads elsewhere than its text says,
/// gitfiles, a linked worktree, `~` and `~user`, the directory git ran in) and a name that may
/// hold white space git keeps; every spelling (suffixes, trailing slashes, `.` and `..`,
/// relative paths, `file://` with any characters percent-encoded, links, gitfiles, `~`) must
/// be `Location::Repository` of its git directory; the other repository, named like it but
/// trimmed, and `/r/lnk/../NAME` (lexically the repository, really `deep/NAME`) are not.
///
/// Network (first byte odd): ssh, scp-like, git:// and https URLs with host case, users, ports,
/// trailing `/`, `.git`, percent-encoding and dot segments: all one repository, and a name one
/// character longer another.
///
/// Then the remaining bytes as a URL: no panic, and a repository found locates to itself.
pub fn url(data: &[u8]) {
    let mut b = Bytes::new(data);
    let network = b.byte() % 2 == 1;
    if network {
        network_spellings(&mut b);
        let raw = String::from_utf8_lossy(b.rest()).into_owned();
        let _ = url::locate(&raw, Path::new("/r/work"), &Vfs::default());
        return;
    }
    let alphabet = [
        "s", "e", "c", "u", "r", "i", "t", "y", "-", "_", "x", ".", " ", "\t", "\u{c}", "\n",
    ];
    let name = b.word(&alphabet, 10);
    let trimmed = name.trim().to_owned();
    // A name of dots is `.` or `..`; a name the layout uses is not the repository's own.
    let usable = !name.chars().all(|c| c == '.')
        && !trimmed.chars().all(|c| c == '.')
        && !FIXED.contains(&trimmed.as_str());
    let other = if trimmed != name && !trimmed.is_empty() {
        trimmed
    } else {
        format!("{name}2")
    };
    if usable && !FIXED.contains(&other.as_str()) {
        let layout = Layout::new(&mut b, &name, &other);
        let fs = &layout.fs;
        let locate = |u: &str| url::locate(u, &layout.base, fs);
        let want = Ok(Location::Repository(layout.git_dir.clone()));
        for _ in 0..4 {
            let (choice, encode) = (b.byte(), b.byte());
            let spelling = layout.spelling(choice, encode);
            assert_eq!(locate(&spelling), want, "{spelling:?} in {:?}", layout.fs);
        }
        let far = format!("/r/{}", layout.other_typed);
        assert_ne!(locate(&far), want, "{far:?}");
        let lexical = format!("/r/lnk/../{}", layout.typed);
        assert_ne!(locate(&lexical), want, "{lexical:?}");
        for nowhere in ["/r/loop", "/r/nothing/../work"] {
            assert!(
                matches!(locate(nowhere), Ok(Location::NoRepository(_))),
                "{nowhere}: {:?}",
                locate(nowhere)
            );
        }
        let raw = String::from_utf8_lossy(b.rest()).into_owned();
        if let Ok(Location::Repository(path)) = locate(&raw) {
            let again = path.display().to_string();
            assert_eq!(
                locate(&again),
                Ok(Location::Repository(path.clone())),
                "{raw:?}"
            );
        }
    }
}

/// The network half of [`url`].
fn network_spellings(b: &mut Bytes<'_>) {
    let locate = |u: &str| url::locate(u, Path::new("/r/work"), &Vfs::default());
    let name_alphabet = ["s", "e", "c", "u", "r", "i", "t", "y", "-", "_", "x", "."];
    let name = b.word(&name_alphabet, 10);
    // A name of dots is a dot segment, and one that ends in a dot is changed by the `.git`
    // suffix rule itself: neither names one repository in every spelling.
    if name.ends_with('.') || name.chars().all(|c| c == '.') {
        return;
    }
    let hosts = ["github.com", "GitHub.COM", "git.example.org", "[::1]"];
    let host = hosts[b.below(hosts.len())];
    let spell = |name: &str, choice: u8, encode: u8| -> String {
        let path = format!("team/{name}");
        let encoded = percent_some(&path, encode);
        let scp = !host.starts_with('[');
        match choice % 16 {
            0 | 15 if scp => format!("git@{host}:{path}.git"),
            8 if scp => format!("{host}:{path}"),
            0 | 8 | 15 => format!("ssh://git@{host}/{path}.git"),
            1 => format!("ssh://git@{host}/{path}"),
            2 => format!("ssh://git@{host}:22/{path}.git/"),
            3 => format!("https://{host}/{path}.git"),
            4 => format!("https://u:p@{host}/{path}/"),
            5 => format!("https://{host}/{encoded}.git"),
            6 => format!("https://{host}/x/../{path}"),
            7 => format!("https://{host}/team/./{name}"),
            9 => format!("git+ssh://{host}/{path}"),
            10 => format!("https://{host}:443/{path}"),
            11 => format!("ssh://{host}/{encoded}"),
            12 => format!("git://{host}/team//{name}.git/.git"),
            13 => format!("https::https://{host}/{path}"),
            _ => format!("ssh://git@{host}/~/{path}"),
        }
    };
    let first = spell(&name, 0, 0);
    let want = locate(&first);
    assert!(
        matches!(want, Ok(Location::Network { .. })),
        "{first}: {want:?}"
    );
    let far = spell(&format!("{name}2"), 0, 0);
    assert_ne!(locate(&far), want, "{far} and {first}");
    for _ in 0..4 {
        let (choice, encode) = (b.byte(), b.byte());
        let spelling = spell(&name, choice, encode);
        assert_eq!(locate(&spelling), want, "{spelling} and {first}");
    }
}

// ---------------------------------------------------------------------------------------------
// decide: guard::decide against a table and a reference decision

/// What an object is, in the table.
#[derive(Debug, Clone, Copy)]
enum Object {
    Commit,
    Tree,
    Blob,
    Missing,
    /// An annotated tag of another object (always a lower id: tags cannot form a loop).
    Tag(ObjectId),
}

/// The release branch's tip on the live upstream, in the table.
const TIP: u8 = 200;

/// Answers the guard's questions from a table built from the bytes, and fails the `fail_at`-th
/// fallible question (those returning `anyhow::Result`), if set. The questions that need the
/// network may be asked at most once per push.
#[derive(Debug)]
struct Table {
    objects: BTreeMap<ObjectId, Object>,
    /// Commits the upstream's live release branch has.
    upstream: BTreeSet<ObjectId>,
    live: Result<Live, String>,
    mirror_refs: Result<Vec<DestinationRef>, String>,
    leaking: BTreeMap<ObjectId, Leaks>,
    /// What the leak question says once the live upstream was looked at; `None`: the look
    /// fails.
    after_refresh: Option<BTreeMap<ObjectId, Leaks>>,
    lives: usize,
    listings: usize,
    refreshes: usize,
    fail_at: Option<usize>,
    calls: usize,
    failed: bool,
}

impl Table {
    fn question(&mut self) -> anyhow::Result<()> {
        self.calls += 1;
        if self.fail_at == Some(self.calls) {
            self.failed = true;
            anyhow::bail!("injected failure at question {}", self.calls);
        }
        Ok(())
    }

    fn object(&self, id: ObjectId) -> Object {
        self.objects.get(&id).copied().unwrap_or(Object::Commit)
    }

    /// What `id` peels to: `Err` for a tag of a missing object (the guard cannot judge it).
    fn peeled(&self, mut id: ObjectId) -> Result<Peeled, ()> {
        let mut tagged = false;
        loop {
            return Ok(match self.object(id) {
                Object::Commit => Peeled::Commit(id),
                Object::Tree => Peeled::NotACommit("tree".into()),
                Object::Blob => Peeled::NotACommit("blob".into()),
                Object::Missing if tagged => return Err(()),
                Object::Missing => Peeled::Missing,
                Object::Tag(target) => {
                    id = target;
                    tagged = true;
                    continue;
                }
            });
        }
    }
}

/// The table's answer to "would a push fast-forward from `old`": from the id itself, so that
/// the input decides it (a remote value with an odd first byte is one this clone cannot build
/// on: not fetched, or diverged).
fn fast_forwards_from(old: ObjectId) -> bool {
    old.as_bytes()[0].is_multiple_of(2)
}

fn info(id: ObjectId) -> CommitInfo {
    CommitInfo {
        id,
        short: id.to_hex_with_len(7).to_string(),
        subject: "fix".into(),
    }
}

impl Facts for Table {
    fn peel(&mut self, id: ObjectId) -> anyhow::Result<Peeled> {
        self.question()?;
        self.peeled(id).map_err(|()| {
            self.failed = true;
            anyhow::anyhow!("cannot peel tag {id}: its target is missing")
        })
    }
    fn live_upstream(&mut self) -> Result<Live, String> {
        self.lives += 1;
        assert_eq!(self.lives, 1, "the live upstream is listed once per push");
        self.live.clone()
    }
    fn is_ancestor(&mut self, commit: ObjectId, tip: ObjectId) -> anyhow::Result<bool> {
        self.question()?;
        assert_eq!(tip, oid(TIP), "judged against the live tip");
        Ok(self.upstream.contains(&commit))
    }
    fn fast_forward(&mut self, old: ObjectId, _new: ObjectId) -> anyhow::Result<bool> {
        self.question()?;
        Ok(fast_forwards_from(old))
    }
    fn not_in(&mut self, commit: ObjectId, _tip: ObjectId) -> anyhow::Result<Vec<CommitInfo>> {
        self.question()?;
        Ok(vec![info(commit)])
    }
    fn destination_refs(&mut self, names: &[String]) -> Result<Vec<DestinationRef>, String> {
        self.listings += 1;
        assert_eq!(
            self.listings, 1,
            "the mirror's refs are listed once per push"
        );
        self.mirror_refs.clone().map(|refs| {
            refs.into_iter()
                .filter(|r| names.contains(&r.name))
                .collect()
        })
    }
    fn leaks(&mut self, new: ObjectId, _old: ObjectId) -> anyhow::Result<Leaks> {
        self.question()?;
        Ok(self.leaking.get(&new).cloned().unwrap_or(Leaks::None))
    }
    fn refresh_public(&mut self) -> Result<(), String> {
        self.refreshes += 1;
        assert_eq!(self.refreshes, 1, "the upstream is looked at once per push");
        match self.after_refresh.take() {
            Some(after) => {
                self.leaking = after;
                Ok(())
            }
            None => Err("cannot reach the upstream".into()),
        }
    }
}

fn oid(n: u8) -> ObjectId {
    ObjectId::from_bytes_or_panic(&[n; 20])
}

fn plain_ref(name: &str) -> DestinationRef {
    DestinationRef {
        name: name.into(),
        symref_target: None,
    }
}

fn symref(name: &str, target: &str) -> DestinationRef {
    DestinationRef {
        name: name.into(),
        symref_target: Some(target.into()),
    }
}

/// The mirror's refs as the flags say: the listing fails (1), its main is a symbolic ref to
/// `trunk` (2) or missing (4), `release` is a symbolic ref to main (8), `fix` exists (16) and
/// `mainline` is a symbolic ref to it (32), the tag exists (64), `main2` is a symbolic ref to
/// main (128). Symbolic refs are listed with what they finally resolve to, and dangling ones not
/// at all, as ls-refs lists them.
fn mirror_listing(flags: u8) -> Result<Vec<DestinationRef>, String> {
    if flags & 1 != 0 {
        return Err("the mirror speaks protocol version 0".into());
    }
    let mut refs = Vec::new();
    let main = if flags & 2 != 0 {
        refs.push(plain_ref("refs/heads/trunk"));
        refs.push(symref("refs/heads/main", "refs/heads/trunk"));
        Some("refs/heads/trunk")
    } else if flags & 4 != 0 {
        None
    } else {
        refs.push(plain_ref("refs/heads/main"));
        Some("refs/heads/main")
    };
    if let Some(main) = main {
        if flags & 8 != 0 {
            refs.push(symref("refs/heads/release", main));
        }
        if flags & 128 != 0 {
            refs.push(symref("refs/heads/main2", main));
        }
    }
    if flags & 16 != 0 {
        refs.push(plain_ref("refs/heads/fix"));
        if flags & 32 != 0 {
            refs.push(symref("refs/heads/mainline", "refs/heads/fix"));
        }
    }
    if flags & 64 != 0 {
        refs.push(plain_ref("refs/tags/2026.12.03"));
    }
    Ok(refs)
}

/// A push decided by `guard::decide` and by a reference written from the rules: the same lines
/// are refused, for the same kind of reason. Whatever the reference says: a deletion of the
/// mirror's release branch (by its name or a symbolic ref to it there) is always refused;
/// nothing but a commit reaches the upstream's release branch; a tree, a blob or a tag of one
/// goes only to the mirror; and any error from a question makes the decision an error, never a
/// pass. The network is asked at most once per question and push (the table asserts it).
///
/// Bytes: destination, the live upstream, the mirror's refs (see `mirror_listing`), what the
/// live look at the upstream publishes (0xff: it fails), which question fails, then per object
/// (ids 1..=8) its kind and leak, then lines of (source, target, remote) bytes.
pub fn decide(data: &[u8]) {
    let mut b = Bytes::new(data);
    let destination = [
        Destination::Mirror,
        Destination::Upstream,
        Destination::Other,
    ][b.below(3)];
    let live = match b.below(8) {
        0 => Err("cannot reach remote upstream".to_owned()),
        1 => Ok(Live::NoRemote),
        2 => Ok(Live::NoBranch),
        _ => Ok(Live::Tip(oid(TIP))),
    };
    let mirror_refs = mirror_listing(b.byte());
    let refresh = b.byte();
    let fail_at = match b.byte() {
        0..=199 => None,
        n => Some(usize::from(n - 199)),
    };
    let mut table = Table {
        objects: BTreeMap::new(),
        upstream: BTreeSet::new(),
        live,
        mirror_refs,
        leaking: BTreeMap::new(),
        after_refresh: None,
        lives: 0,
        listings: 0,
        refreshes: 0,
        fail_at,
        calls: 0,
        failed: false,
    };
    for n in 1..=8u8 {
        let kind = b.byte();
        let id = oid(n);
        match kind % 8 {
            0 | 1 => {
                table.upstream.insert(id);
            }
            2 => {
                table.leaking.insert(
                    id,
                    Leaks::Found(vec![Leak {
                        commit: info(id),
                        security_ref: "security/fix".into(),
                    }]),
                );
            }
            3 => {
                let what = if (kind / 8).is_multiple_of(2) {
                    Object::Tree
                } else {
                    Object::Blob
                };
                table.objects.insert(id, what);
            }
            4 => {
                table.objects.insert(id, Object::Missing);
            }
            5 if n > 1 => {
                table
                    .objects
                    .insert(id, Object::Tag(oid(1 + (kind / 8) % (n - 1))));
            }
            6 => {
                table.leaking.insert(id, Leaks::NoUpstreamRefs);
            }
            _ => {}
        }
    }
    // The live look publishes the fixes whose bit is set.
    if refresh != 0xff {
        let mut after = table.leaking.clone();
        after.retain(|id, _| (1..=8u8).all(|n| *id != oid(n) || refresh & (1 << (n - 1)) == 0));
        table.after_refresh = Some(after);
    }
    let targets = [
        "refs/heads/main",
        "refs/heads/fix",
        "refs/tags/2026.12.03",
        "refs/heads/main2",
        "refs/heads/mainline",
        "refs/heads/release",
        "refs/heads/trunk",
    ];
    let mut lines = Vec::new();
    while !b.done() && lines.len() < 6 {
        let source = b.byte();
        let target = targets[b.below(targets.len())];
        let remote = b.byte();
        let local = if source.is_multiple_of(9) {
            ObjectId::null(gix::hash::Kind::Sha1)
        } else {
            oid(source % 9)
        };
        lines.push(guard::PushLine {
            local_ref: if local.is_null() {
                "(delete)".into()
            } else {
                format!("src{}", source % 9)
            },
            local,
            remote_ref: target.to_owned(),
            remote: if remote.is_multiple_of(9) {
                ObjectId::null(gix::hash::Kind::Sha1)
            } else {
                oid(remote % 9)
            },
        });
    }
    let ctx = guard::Context {
        destination,
        branch: "main",
    };
    let expected = reference_decision(&lines, destination, &table);
    let decided = guard::decide(&lines, &ctx, &mut table);
    if table.failed {
        assert!(
            decided.is_err(),
            "an error while deciding became {decided:?}"
        );
        return;
    }
    let blocked = decided.expect("no question failed");
    let got: Vec<(usize, &'static str)> = blocked
        .iter()
        .map(|bl| {
            let index = lines
                .iter()
                .position(|l| *l == bl.line)
                .expect("a refused line is one of the pushed lines");
            (index, reason_kind(&bl.reason))
        })
        .collect();
    // Lines repeat in the input; compare the refused lines' kinds in order.
    let shown = |list: &[(usize, &'static str)]| -> Vec<(String, &'static str)> {
        list.iter()
            .map(|(i, k)| (format!("{:?}", lines[*i]), *k))
            .collect()
    };
    assert_eq!(
        shown(&got),
        shown(&expected),
        "destination {destination:?}, table {table:?}"
    );
    // Whatever the reference says.
    let refused = |line: &guard::PushLine| blocked.iter().any(|bl| bl.line == *line);
    for line in &lines {
        let peeled = table.peeled(line.local);
        if destination == Destination::Mirror
            && line.is_deletion()
            && resolves_to_release(&table, &line.remote_ref) != Some(false)
        {
            assert!(
                refused(line),
                "the mirror's release branch deleted: {line:?}"
            );
        }
        if destination == Destination::Upstream
            && line.remote_ref == "refs/heads/main"
            && !line.is_deletion()
            && !matches!(peeled, Ok(Peeled::Commit(c)) if c == line.local)
        {
            assert!(
                refused(line),
                "not a commit on the upstream's main: {line:?}"
            );
        }
        if destination != Destination::Mirror && matches!(peeled, Ok(Peeled::NotACommit(_))) {
            assert!(refused(line), "content elsewhere: {line:?}");
        }
    }
}

fn reason_kind(reason: &Reason) -> &'static str {
    match reason {
        Reason::DeletesMirrorBranch => "deletes",
        Reason::AheadOfUpstream { .. } => "ahead",
        Reason::UpstreamUnreachable { .. } => "unreachable",
        Reason::NoUpstreamRemote => "no-upstream-remote",
        Reason::UpstreamHasNoBranch => "upstream-has-no-branch",
        Reason::NotACommit(_) => "not-a-commit",
        Reason::MissingObject => "missing",
        Reason::Leak {
            unchecked: None, ..
        } => "leak",
        Reason::Leak { .. } => "leak-unchecked",
        Reason::NoUpstreamRefs { unchecked: None } => "no-upstream-refs",
        Reason::NoUpstreamRefs { .. } => "no-upstream-refs-unchecked",
        Reason::ContentElsewhere(_) => "content-elsewhere",
        Reason::MirrorRefsUnknown { .. } => "mirror-refs-unknown",
        Reason::MirrorHasNoBranch => "mirror-has-no-branch",
        Reason::TagOnBranch => "tag-on-branch",
        Reason::NotFastForward => "not-fast-forward",
    }
}

/// On the mirror, whether `name` is its release branch: by name, or because it resolves there
/// to what `refs/heads/main` resolves to; `None` if the mirror's refs are not known.
fn resolves_to_release(table: &Table, name: &str) -> Option<bool> {
    let release = "refs/heads/main";
    if name == release {
        return Some(true);
    }
    let refs = table.mirror_refs.as_ref().ok()?;
    let resolved = |n: &str| {
        refs.iter()
            .find(|r| r.name == n)
            .map(|r| r.symref_target.clone().unwrap_or_else(|| n.to_owned()))
    };
    Some(match (resolved(name), resolved(release)) {
        (Some(this), Some(main)) => this == main,
        _ => false,
    })
}

/// The rules of the guard, written out apart from `guard::decide`: which lines are refused,
/// and why (by kind). Assumes no question fails (the caller checks that case on its own).
fn reference_decision(
    lines: &[guard::PushLine],
    destination: Destination,
    table: &Table,
) -> Vec<(usize, &'static str)> {
    let release = "refs/heads/main";
    let refreshed = table.after_refresh.as_ref();
    let listed = |name: &str| {
        table
            .mirror_refs
            .as_ref()
            .is_ok_and(|refs| refs.iter().any(|r| r.name == name))
    };
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // A tag of a missing object fails the question that peels it, which the caller checks:
        // what it stands for here matters only where the guard does not peel.
        let peeled = table.peeled(line.local).unwrap_or(Peeled::Missing);
        // On the mirror's release branch: never deleted, only commits the live upstream has.
        let mirror_release = || {
            if line.is_deletion() {
                return Some("deletes");
            }
            match &peeled {
                Peeled::NotACommit(_) => Some("not-a-commit"),
                Peeled::Missing => Some("missing"),
                Peeled::Commit(c) => match &table.live {
                    Err(_) => Some("unreachable"),
                    Ok(Live::NoRemote) => Some("no-upstream-remote"),
                    Ok(Live::NoBranch) => Some("upstream-has-no-branch"),
                    Ok(Live::Tip(_)) if table.upstream.contains(c) => None,
                    Ok(Live::Tip(_)) => Some("ahead"),
                },
            }
        };
        // Anywhere else: no tree or blob, no embargoed commit (after one live look).
        let elsewhere = || {
            if line.is_deletion() {
                return None;
            }
            match &peeled {
                Peeled::NotACommit(_) => Some("content-elsewhere"),
                Peeled::Missing => Some("missing"),
                Peeled::Commit(c) => {
                    let before = table.leaking.get(c)?;
                    let (now, unchecked) = match refreshed {
                        Some(after) => (after.get(c)?, false),
                        None => (before, true),
                    };
                    Some(match (now, unchecked) {
                        (Leaks::None, _) => return None,
                        (Leaks::Found(_), false) => "leak",
                        (Leaks::Found(_), true) => "leak-unchecked",
                        (Leaks::NoUpstreamRefs, false) => "no-upstream-refs",
                        (Leaks::NoUpstreamRefs, true) => "no-upstream-refs-unchecked",
                    })
                }
            }
        };
        let kind = match destination {
            Destination::Mirror => match resolves_to_release(table, &line.remote_ref) {
                None => Some("mirror-refs-unknown"),
                Some(true) => mirror_release(),
                Some(false) if !listed(release) && !listed(&line.remote_ref) => {
                    Some("mirror-has-no-branch")
                }
                Some(false) => None,
            },
            // The release merge: a commit, and nothing else.
            Destination::Upstream if line.remote_ref == release => match &peeled {
                _ if line.is_deletion() => None,
                // Only onto what the upstream's main is now, or a new main.
                Peeled::Commit(c)
                    if *c == line.local
                        && !line.remote.is_null()
                        && !fast_forwards_from(line.remote) =>
                {
                    Some("not-fast-forward")
                }
                Peeled::Commit(c) if *c == line.local => None,
                Peeled::Commit(_) => Some("tag-on-branch"),
                Peeled::NotACommit(_) => Some("content-elsewhere"),
                Peeled::Missing => Some("missing"),
            },
            _ => elsewhere(),
        };
        if let Some(kind) = kind {
            out.push((i, kind));
        }
    }
    out
}
