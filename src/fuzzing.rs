//! The properties the fuzz targets check (`fuzz/fuzz_targets/*.rs`), one function per target,
//! so that the fuzzers and the corpus replay test (`tests/fuzz_corpus.rs`) run the same code.
//! Each takes the fuzzer's bytes and panics when a property does not hold; a property is more
//! than "no panic": round trips, "the next tag name never exists", "an error while deciding is
//! an error, never a pass", and a reference decision computed independently of `guard::decide`.
//!
//! For tests and fuzzing only: not part of the tool's interface.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use gix::ObjectId;

use crate::calendar;
use crate::config;
use crate::guard::{self, Ancestry, CommitInfo, Destination, Facts, Leak, Leaks, Peeled, Reason};
use crate::tags::{CalendarTag, Lineage};
use crate::url::{self, Location};

/// Properties that fail on today's code because the fix for them (issue 7) has not landed yet;
/// a property named here is not checked. Each entry says which part of issue 7 removes it.
/// `tests/fuzz_corpus.rs` proves each one is still open (its witness still fails), so an entry
/// cannot outlive its fix: when the fix lands, delete the entry and the witness.
pub const KNOWN_HOLES: &[&str] = &[
    // issue 7, "Configuration must not switch the guard off": `git -c color.ui` exports
    // `'color.ui'=`, and the parser stops there.
    "config-valueless",
    // same: git quotes `!` as `'\!'`, which the parser does not read.
    "config-bang",
    // same: 3,000 duplicated `skip =` lines; each key must be read once.
    "team-file-duplicates",
    // same: `pushduty.branch = main/` is accepted.
    "team-file-branch",
    // "Which repository a push goes to": percent-encoding in file:// and http(s) URLs.
    "url-percent",
    // same: dot segments in http(s) and ssh URLs (RFC 3986).
    "url-dot-segments",
    // Found by the `url` fuzzer: `locate` trims white space that git keeps, so
    // `/r/work/x\u{c}/` is another repository than `/r/work/x\u{c}` to git but not to the tool.
    // The git-like resolver of "Which repository a push goes to" must not trim.
    "url-whitespace",
    // "Leaks that are not commits": a tree or blob of a fix pushed anywhere but the mirror.
    "decide-tree-leak",
];

/// The witness of each known hole: the target and an input on which its property fails today.
pub const HOLE_WITNESSES: &[(&str, &str, &[u8])] = &[
    ("config-bang", "config_values", &[1, 0, 0, 0, 0, 4]),
    // `'s0.k0'= 's0.k0'='s'`: a valueless key, then a pair.
    (
        "config-valueless",
        "config_values",
        &[1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
    ),
    (
        "team-file-duplicates",
        "team_file",
        b"[pushduty]\nskip = 2026-12-24\nskip = 2026-12-24\n",
    ),
    (
        "team-file-branch",
        "team_file",
        b"[pushduty]\nbranch = main/\n",
    ),
    // `file:///r/%73ecurity.git` and `/r/security.git`.
    ("url-percent", "url", &[0, 7, 0, 1, 2, 3, 4, 5, 6, 7, 5]),
    // `https://github.com/x/../team/security` and `git@github.com:team/security.git`.
    (
        "url-dot-segments",
        "url",
        &[1, 7, 0, 1, 2, 3, 4, 5, 6, 7, 6],
    ),
    // The raw text `x\x0c/` (found by the fuzzer).
    (
        "url-whitespace",
        "url",
        &[0xfd, 0, 0x13, 4, 0, 0, 0x0a, b'x', 0x0c, b'/'],
    ),
    // A tree pushed to a fork's branch.
    (
        "decide-tree-leak",
        "decide",
        &[2, 2, 0, 0, 3, 7, 7, 7, 7, 7, 7, 7, 1, 1, 0],
    ),
];

fn checked(skip: &[&str], hole: &str) -> bool {
    !skip.contains(&hole)
}

/// Every target by name, for the corpus replay: `fuzz/corpus/NAME/`.
pub const TARGETS: &[&str] = &[
    "pre_push_input",
    "calendar_tags",
    "config_values",
    "team_file",
    "url",
    "decide",
];

/// Runs target `name` on `data`, skipping the properties in `skip`. `team_file` needs a
/// scratch directory, made under `scratch` on first use.
pub fn run(name: &str, data: &[u8], skip: &[&str], scratch: &Path) {
    match name {
        "pre_push_input" => pre_push_input(data),
        "calendar_tags" => calendar_tags(data),
        "config_values" => config_values(data, skip),
        "team_file" => TeamFile::new(scratch).check(data, skip),
        "url" => url(data, skip),
        "decide" => decide(data, skip),
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
// config_values: config::parse_config_parameters, calendar::parse_date, calendar::parse_weekday

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

/// With a first byte 0: the rest as GIT_CONFIG_PARAMETERS text, which must not panic and whose
/// pairs, written back in git's form, read back the same. Otherwise: pairs built from the bytes
/// (keys and values with quotes, `!`, `=`, spaces, newlines; valueless and empty values) are
/// written the way git exports them and must read back exactly, every pair, in order. Then the
/// text as a date and as a weekday: whatever is accepted prints back to the same text.
pub fn config_values(data: &[u8], skip: &[&str]) {
    let text = String::from_utf8_lossy(data.get(1..).unwrap_or(&[]));
    if data.first().is_none_or(|b| *b == 0) {
        let pairs = config::parse_config_parameters(&text);
        let rendered: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", sq_quote(k), sq_quote(v)))
            .collect();
        let bang = pairs
            .iter()
            .any(|(k, v)| k.contains('!') || v.contains('!'));
        if checked(skip, "config-bang") || !bang {
            assert_eq!(config::parse_config_parameters(&rendered.join(" ")), pairs);
        }
    } else {
        let mut bytes = Bytes::new(&data[1..]);
        let alphabet = [
            "a", "b", ".", "'", "!", "=", " ", "\\", "\n", "é", "x", "\"",
        ];
        let mut expected = Vec::new();
        let mut env = Vec::new();
        let mut valueless = false;
        let mut bang = false;
        while !bytes.done() && expected.len() < 8 {
            let key = format!("s{}.k{}", bytes.below(3), bytes.below(3));
            let form = bytes.below(4);
            let value = bytes.word(&alphabet, 6);
            match form {
                // `git -c key=value`: 'key'='value'
                0 => {
                    bang |= value.contains('!');
                    env.push(format!("{}={}", sq_quote(&key), sq_quote(&value)));
                    expected.push(Some((key, value)));
                }
                // `git -c key=`: an empty value.
                1 => {
                    env.push(format!("{}=''", sq_quote(&key)));
                    expected.push(Some((key, String::new())));
                }
                // `git -c key`: valueless, boolean true; the value is the parser's to name.
                2 => {
                    valueless = true;
                    env.push(format!("{}=", sq_quote(&key)));
                    expected.push(None);
                }
                // The pre-2.31 form, 'key=value', still read.
                _ => {
                    bang |= value.contains('!');
                    env.push(sq_quote(&format!("{key}={value}")));
                    expected.push(Some((key, value)));
                }
            }
        }
        let got = config::parse_config_parameters(&env.join(" "));
        let skipped = (valueless && !checked(skip, "config-valueless"))
            || (bang && !checked(skip, "config-bang"));
        if !skipped {
            assert_eq!(got.len(), expected.len(), "{env:?} gave {got:?}");
            for (want, have) in expected.iter().zip(&got) {
                if let Some(want) = want {
                    assert_eq!(want, have, "{env:?}");
                }
            }
        }
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

impl TeamFile {
    /// The repository `push-duty-team-file` under `scratch`, made the first time.
    pub fn new(scratch: &Path) -> Self {
        let top = scratch.join("push-duty-team-file");
        if !top.join(".git").exists() {
            gix::init(&top).expect("make the scratch repository");
        }
        TeamFile { top }
    }

    /// The bytes as `.pushduty`: the settings load or refuse, naming the key or the file, and
    /// what loads is valid: a cadence of 1 to 52, a schedule that validates, names without
    /// spaces, a release branch git accepts as a branch name, every skip date written in the
    /// file, and no more skip dates than lines.
    pub fn check(&self, data: &[u8], skip: &[&str]) {
        let path = self.top.join(config::TEAM_FILE);
        std::fs::write(&path, data).expect("write the team file");
        let repo = gix::open_opts(&self.top, gix::open::Options::isolated())
            .expect("open the scratch repository");
        let text = String::from_utf8_lossy(data);
        match config::Settings::load(&repo) {
            Ok(settings) => {
                let schedule = &settings.schedule;
                assert!((1..=52).contains(&schedule.cadence));
                assert_eq!(schedule.validate(), Ok(()));
                for name in [&settings.upstream, &settings.security] {
                    assert!(
                        !name.is_empty() && !name.contains(char::is_whitespace),
                        "{name:?}"
                    );
                }
                if let Some(branch) = &settings.branch
                    && checked(skip, "team-file-branch")
                {
                    let full = format!("refs/heads/{branch}");
                    assert!(
                        gix::refs::FullName::try_from(full.as_str()).is_ok()
                            && !branch.ends_with('/')
                            && !branch.starts_with("refs/"),
                        "branch {branch:?} is not a branch name"
                    );
                }
                for day in &schedule.skip {
                    assert!(text.contains(&day.format("%Y-%m-%d").to_string()));
                }
                if checked(skip, "team-file-duplicates") {
                    assert!(
                        schedule.skip.len() <= text.lines().count(),
                        "{} skip dates from {} lines",
                        schedule.skip.len(),
                        text.lines().count()
                    );
                }
            }
            Err(err) => {
                let message = format!("{err:#}");
                assert!(
                    err.chain().any(|c| c.is::<crate::error::Refusal>()),
                    "not a refusal: {message}"
                );
                assert!(
                    message.contains("pushduty.") || message.contains(config::TEAM_FILE),
                    "names neither a key nor the file: {message}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// url: url::locate

/// One repository written many ways git accepts: each spelling must locate to the same place,
/// and a different repository to a different place. Built from the bytes: a local path (under
/// a base directory, spelled absolute, relative, as `file://`, with `./`, `x/..`, a trailing
/// `/`, `.git`, percent-encoding) or a network URL (ssh, scp-like, https, with host case, user,
/// default port, trailing `/`, `.git`, percent-encoding, dot segments). No file system: nothing
/// exists, so no symlink is followed. Then the raw text must locate without a panic, and a local
/// answer must locate to itself.
pub fn url(data: &[u8], skip: &[&str]) {
    let mut b = Bytes::new(data);
    let base = Path::new("/r/work");
    let no_fs = |_: &Path| None::<PathBuf>;
    let locate = |u: &str| url::locate(u, base, &no_fs);
    let network = b.byte() % 2 == 1;
    let name_alphabet = ["s", "e", "c", "u", "r", "i", "t", "y", "-", "_", "x", "."];
    let name = b.word(&name_alphabet, 10);
    let other = format!("{name}2");
    let spellings_per_case = 12;
    let spell = |name: &str, choice: u8| -> (String, Option<&'static str>) {
        let encoded = percent_one(name);
        if network {
            let host = ["github.com", "GitHub.COM", "git.example.org"][usize::from(choice % 2)];
            let path = format!("team/{name}");
            match choice % spellings_per_case {
                0 => (format!("git@{host}:{path}.git"), None),
                1 => (format!("ssh://git@{host}/{path}"), None),
                2 => (format!("ssh://git@{host}:22/{path}.git/"), None),
                3 => (format!("https://{host}/{path}.git"), None),
                4 => (format!("https://u:p@{host}/{path}/"), None),
                5 => (
                    format!("https://{host}/team/{encoded}.git"),
                    Some("url-percent"),
                ),
                6 => (
                    format!("https://{host}/x/../{path}"),
                    Some("url-dot-segments"),
                ),
                7 => (
                    format!("https://{host}/team/./{name}"),
                    Some("url-dot-segments"),
                ),
                8 => (format!("{host}:{path}"), None),
                9 => (format!("git+ssh://{host}/{path}"), None),
                10 => (format!("https://{host}:443/{path}"), None),
                _ => (format!("ssh://{host}/team/{encoded}"), Some("url-percent")),
            }
        } else {
            match choice % spellings_per_case {
                0 => (format!("/r/{name}.git"), None),
                1 => (format!("/r/{name}"), None),
                2 => (format!("../{name}.git"), None),
                3 => (format!("file:///r/{name}.git"), None),
                4 => (format!("/r/./work/../{name}/"), None),
                5 => (format!("file:///r/{encoded}.git"), Some("url-percent")),
                6 => (format!("./../{name}.git/"), None),
                7 => (format!("/r/{name}/.git"), None),
                8 => (format!("file://localhost/r/{name}"), None),
                9 => (format!("//r/{name}.git"), None),
                10 => (format!("/r//{name}.git"), None),
                _ => (format!("file:///r/work/../{name}"), None),
            }
        }
    };
    let (first, _) = spell(&name, 0);
    let want = locate(&first);
    let (far, _) = spell(&other, 0);
    // A name of dots is a dot segment, and one that ends in a dot is changed by the `.git`
    // suffix rule itself: neither names one repository in every spelling.
    let plain = !name.ends_with('.') && !name.chars().all(|c| c == '.');
    if plain {
        assert_ne!(locate(&far), want, "{far} and {first}");
    }
    for _ in 0..4 {
        let choice = b.byte();
        let (spelling, hole) = spell(&name, choice);
        if !plain || hole.is_some_and(|h| !checked(skip, h)) {
            continue;
        }
        assert_eq!(locate(&spelling), want, "{spelling} and {first}");
    }
    let raw = String::from_utf8_lossy(b.rest());
    if let Location::Local(path) = locate(&raw)
        && checked(skip, "url-whitespace")
        && !path.is_empty()
        && Path::new(&path).is_absolute()
    {
        assert_eq!(locate(&path), Location::Local(path.clone()), "{raw:?}");
    }
}

/// `name` with its first character percent-encoded, as a browser or a URL library may write it.
fn percent_one(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => {
            let mut buf = [0; 4];
            let encoded: String = c
                .encode_utf8(&mut buf)
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect();
            encoded + chars.as_str()
        }
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// decide: guard::decide against a table and a reference decision

/// Answers the guard's questions from a table built from the bytes, and fails the `fail_at`-th
/// fallible question, if set.
#[derive(Debug, Default)]
struct Table {
    upstream: BTreeSet<ObjectId>,
    /// What the upstream has after a refresh (`None`: the refresh fails).
    after_refresh: Option<BTreeSet<ObjectId>>,
    refreshed: bool,
    tracking: Option<Ancestry>,
    tags: BTreeMap<ObjectId, ObjectId>,
    not_commits: BTreeMap<ObjectId, &'static str>,
    missing: BTreeSet<ObjectId>,
    leaking: BTreeMap<ObjectId, Leaks>,
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

    fn peeled(&self, id: ObjectId) -> Peeled {
        let id = self.tags.get(&id).copied().unwrap_or(id);
        if self.missing.contains(&id) {
            Peeled::Missing
        } else if let Some(kind) = self.not_commits.get(&id) {
            Peeled::NotACommit((*kind).to_owned())
        } else {
            Peeled::Commit(id)
        }
    }
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
        Ok(self.peeled(id))
    }
    fn on_upstream(&mut self, commit: ObjectId) -> anyhow::Result<Ancestry> {
        self.question()?;
        Ok(match self.tracking {
            Some(t) => t,
            None if self.upstream.contains(&commit) => Ancestry::OnUpstream,
            None => Ancestry::NotOnUpstream,
        })
    }
    fn refresh_upstream(&mut self) -> Result<(), String> {
        assert!(
            !self.refreshed,
            "the upstream is fetched at most once per push"
        );
        self.refreshed = true;
        match &self.after_refresh {
            Some(after) => {
                self.upstream = after.clone();
                Ok(())
            }
            None => Err("cannot reach the upstream".into()),
        }
    }
    fn not_on_upstream(&mut self, commit: ObjectId) -> anyhow::Result<Vec<CommitInfo>> {
        self.question()?;
        Ok(if self.upstream.contains(&commit) {
            vec![]
        } else {
            vec![info(commit)]
        })
    }
    fn leaks(&mut self, new: ObjectId, _old: ObjectId) -> anyhow::Result<Leaks> {
        self.question()?;
        Ok(self.leaking.get(&new).cloned().unwrap_or(Leaks::None))
    }
}

fn oid(n: u8) -> ObjectId {
    ObjectId::from_bytes_or_panic(&[n; 20])
}

/// A push decided by `guard::decide` and by a reference written from the rules: the same lines
/// are refused, for the same kind of reason; deleting or moving the mirror's release branch off
/// the upstream is always refused; a tree or blob goes only to the mirror's other refs; and any
/// error from a question makes the decision an error, never a pass.
///
/// Bytes: destination, the tracking state, whether the refresh fails or what it adds, which
/// question fails, then per object (ids 1..=8) its kind and leak, then lines of (source, target,
/// remote) bytes.
pub fn decide(data: &[u8], skip: &[&str]) {
    let mut b = Bytes::new(data);
    let destination = [
        Destination::Mirror,
        Destination::Upstream,
        Destination::Other,
    ][b.below(3)];
    let mut table = Table {
        tracking: match b.below(8) {
            0 => Some(Ancestry::NoTrackingRef),
            1 => Some(Ancestry::NoUpstreamRemote),
            _ => None,
        },
        ..Table::default()
    };
    let refresh = b.byte();
    table.fail_at = match b.byte() {
        0..=199 => None,
        n => Some(usize::from(n - 199)),
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
                table
                    .not_commits
                    .insert(id, ["tree", "blob"][usize::from(kind / 8 % 2)]);
            }
            4 => {
                table.missing.insert(id);
            }
            5 => {
                table.tags.insert(id, oid(1 + (kind / 8) % 8));
            }
            6 => {
                table.leaking.insert(id, Leaks::NoUpstreamRefs);
            }
            _ => {}
        }
    }
    let mut after = table.upstream.clone();
    for n in 1..=8u8 {
        if refresh & (1 << (n - 1)) != 0 {
            after.insert(oid(n));
        }
    }
    table.after_refresh = (refresh != 0xff).then_some(after);
    let targets = [
        "refs/heads/main",
        "refs/heads/fix",
        "refs/tags/2026.12.03",
        "refs/heads/main2",
        "refs/heads/mainline",
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
    let expected = reference_decision(&lines, destination, &table, skip);
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
    let got_kinds: Vec<(String, &str)> = got
        .iter()
        .map(|(i, k)| (format!("{:?}", lines[*i]), *k))
        .collect();
    let want_kinds: Vec<(String, &str)> = expected
        .iter()
        .map(|(i, k)| (format!("{:?}", lines[*i]), *k))
        .collect();
    assert_eq!(
        got_kinds, want_kinds,
        "destination {destination:?}, table {table:?}"
    );
    // Whatever the reference says: the mirror's release branch is never deleted.
    let deletions = lines
        .iter()
        .filter(|l| {
            destination == Destination::Mirror
                && l.remote_ref == "refs/heads/main"
                && l.is_deletion()
        })
        .count();
    assert_eq!(
        got.iter().filter(|(_, k)| *k == "deletes").count(),
        deletions
    );
}

fn reason_kind(reason: &Reason) -> &'static str {
    match reason {
        Reason::DeletesMirrorBranch => "deletes",
        Reason::AheadOfUpstream { .. } => "ahead",
        Reason::UpstreamUnreachable { .. } => "unreachable",
        Reason::NoTrackingRef => "no-tracking-ref",
        Reason::NoUpstreamRemote => "no-upstream-remote",
        Reason::NotACommit(_) => "not-a-commit",
        Reason::MissingObject => "missing",
        Reason::Leak(_) => "leak",
        Reason::NoUpstreamRefs => "no-upstream-refs",
    }
}

/// The rules of the guard, written out independently of `guard::decide`: which lines are
/// refused, and why (by kind).
fn reference_decision(
    lines: &[guard::PushLine],
    destination: Destination,
    table: &Table,
    skip: &[&str],
) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    let refresh_ok = table.after_refresh.is_some();
    let upstream_after = table.after_refresh.clone().unwrap_or_default();
    for (i, line) in lines.iter().enumerate() {
        let release = line.remote_ref == "refs/heads/main";
        let peeled = table.peeled(line.local);
        let kind = match destination {
            Destination::Mirror if release => {
                if line.is_deletion() {
                    Some("deletes")
                } else {
                    match peeled {
                        Peeled::NotACommit(_) => Some("not-a-commit"),
                        Peeled::Missing => Some("missing"),
                        Peeled::Commit(c) => match table.tracking {
                            Some(Ancestry::NoTrackingRef) => Some("no-tracking-ref"),
                            Some(Ancestry::NoUpstreamRemote) => Some("no-upstream-remote"),
                            _ if table.upstream.contains(&c) => None,
                            _ if !refresh_ok => Some("unreachable"),
                            _ if upstream_after.contains(&c) => None,
                            _ => Some("ahead"),
                        },
                    }
                }
            }
            Destination::Mirror => None,
            Destination::Upstream if release => None,
            _ if line.is_deletion() => None,
            _ => match peeled {
                Peeled::NotACommit(_) if checked(skip, "decide-tree-leak") => Some("not-a-commit"),
                Peeled::NotACommit(_) => None,
                Peeled::Missing => Some("missing"),
                Peeled::Commit(c) => match table.leaking.get(&c) {
                    Some(Leaks::Found(_)) => Some("leak"),
                    Some(Leaks::NoUpstreamRefs) => Some("no-upstream-refs"),
                    _ => None,
                },
            },
        };
        if let Some(kind) = kind {
            out.push((i, kind));
        }
    }
    out
}
