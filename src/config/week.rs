//! The week's settings, read from the same sources as the rest and checked only by the commands
//! that use them: the rotation (`pushduty.hero`, `anchor`, `swap`, with the calendar), the notes
//! document (`notesUrl`, `notesTitle`, `notesDir`, `notesTemplate`, `link`), the chat topic
//! (`topicFormat`, `[pushduty "matrix"]`, `[pushduty "slack"]`) and the train (`repo`). Every
//! malformed or missing value is an error naming the key and the file that set it (or the team
//! file where it belongs), never a default.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;

use super::keys::*;
use super::{Setting, Settings, Sources};
use crate::error::Refusal;
use crate::week::notes::{self, Link};
use crate::week::rotation::{Push, Rotation, RotationError, Swap};

/// The settings of one repository, with what the week's commands read from them.
pub struct Week {
    pub sources: Sources,
    pub settings: Settings,
    /// The top of the worktree (relative paths in the settings are from here).
    pub top: PathBuf,
}

/// The notes document's settings.
#[derive(Debug, Clone)]
pub struct NotesSettings {
    /// `pushduty.notesUrl`, checked: a push's link is [`NotesSettings::url`].
    pub base_url: Option<String>,
    pub title_prefix: String,
    /// Where documents are written (`notesDir` from the top of the repository).
    pub dir: PathBuf,
    /// The template file and its contents, when the team has one.
    pub template: Option<(PathBuf, String)>,
    pub links: Vec<Link>,
}

impl NotesSettings {
    /// The web link of the document for `date`, when `pushduty.notesUrl` is set.
    pub fn url(&self, date: NaiveDate) -> Option<String> {
        let base = self.base_url.as_deref()?;
        // Checked when loaded: a base that makes no link is refused there.
        notes::document_url(base, date).ok()
    }

    /// Where the document for `date` is written.
    pub fn path(&self, date: NaiveDate) -> PathBuf {
        notes::document_path(&self.dir, date)
    }
}

/// A Matrix room to set the topic of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixSettings {
    pub homeserver: String,
    pub room: String,
    /// Where each was set, for messages.
    pub homeserver_origin: String,
    pub room_origin: String,
}

/// A Slack channel to set the topic of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackSettings {
    pub api: String,
    pub channel: String,
    /// Where each was set, for messages (`None`: the default API).
    pub api_origin: Option<String>,
    pub channel_origin: String,
}

/// The chat topic's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSettings {
    /// `pushduty.topicFormat` and where it was set.
    pub format: Option<Setting>,
    pub matrix: Option<MatrixSettings>,
    pub slack: Option<SlackSettings>,
}

/// One repository of the train other than this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainRepo {
    /// As written in `pushduty.repo`.
    pub configured: String,
    /// Where it set.
    pub origin: String,
    /// The path, from the top of this repository.
    pub path: PathBuf,
}

impl Week {
    /// Reads the settings of `repo` (the team file and git config).
    pub fn load(repo: &gix::Repository) -> Result<Week> {
        let sources = Sources::load(repo)?;
        let settings = Settings::from_sources(&sources)?;
        let top = crate::git::top(repo)?;
        Ok(Week {
            sources,
            settings,
            top,
        })
    }

    /// The team file of this repository, where the week's settings belong.
    pub fn team_file(&self) -> PathBuf {
        self.top.join(TEAM_FILE)
    }

    /// The rotation, checked against the calendar.
    pub fn rotation(&self) -> Result<Rotation> {
        let team = self.team_file();
        let heroes = self.sources.all(HERO);
        if heroes.is_empty() {
            return Err(Refusal::configuration(format!(
                "the rotation is empty: {HERO} is not set in {} or in git config",
                team.display()
            ))
            .hint(format!(
                "list the push heroes in order in the team file: git config --file {} --add {HERO} NAME",
                team.display()
            ))
            .into());
        }
        let Some(anchor) = self.sources.get(ANCHOR) else {
            return Err(Refusal::configuration(format!(
                "the rotation needs {ANCHOR}, a push date on which the first hero ({}) pushed; it is not set in {} or in git config",
                heroes[0].value.trim(),
                team.display()
            ))
            .hint(format!(
                "set it in the team file: git config --file {} {ANCHOR} YYYY-MM-DD",
                team.display()
            ))
            .into());
        };
        let anchor_date =
            self.settings.schedule.anchor.ok_or_else(|| {
                anyhow::anyhow!("{ANCHOR} is set but was not read into the calendar")
            })?;
        let swap_settings = self.sources.all(SWAP);
        let mut swaps = Vec::with_capacity(swap_settings.len());
        for s in &swap_settings {
            match Swap::parse(&s.value) {
                Ok(swap) => swaps.push(swap),
                Err(e) => return Err(at(SWAP, s, &e.to_string())),
            }
        }
        let names = heroes.iter().map(|h| h.value.clone()).collect();
        Rotation::new(names, anchor_date, self.settings.schedule.clone(), swaps).map_err(|e| {
            let why = e.to_string();
            // The swap named is the last one set for its date (the second of two).
            let swap_on = |date: NaiveDate| {
                swap_settings
                    .iter()
                    .rev()
                    .find(|s| Swap::parse(&s.value).is_ok_and(|w| w.date == date))
            };
            let swap = match &e {
                RotationError::SwapNotAPushDate { swap, .. } => swap_on(swap.date),
                RotationError::SwapTwice { date, .. } => swap_on(*date),
                _ => None,
            };
            match (&e, swap) {
                (_, Some(s)) => at(SWAP, s, &why),
                (RotationError::BadHero { position, .. }, _) => {
                    at(HERO, &heroes[position.saturating_sub(1)], &why)
                }
                (RotationError::AnchorNotAPushDate { .. }, _) => at(ANCHOR, &anchor, &why),
                _ => plain(&why),
            }
        })
    }

    /// The push on or after `today` (the one `next-tag` tags) and the push after it, each with
    /// its hero: what `status`, `topic` and `notes --next` name.
    pub fn pushes_around(&self, today: NaiveDate) -> Result<(Push, Push)> {
        let rotation = self.rotation()?;
        let broken = |e: RotationError| anyhow::Error::new(Refusal::configuration(e.to_string()));
        let current = rotation.current(today).map_err(broken)?;
        let next = rotation.push_after(current.date).map_err(broken)?;
        Ok((current, next))
    }

    /// The notes document's settings: the URL checked, the template read, the links parsed.
    pub fn notes(&self) -> Result<NotesSettings> {
        let base_url = match self.sources.get(NOTES_URL) {
            None => None,
            Some(s) => {
                // Any date shows whether the base makes links.
                if let Err(e) = notes::document_url(&s.value, NaiveDate::MIN) {
                    return Err(at(NOTES_URL, &s, &e.to_string()));
                }
                Some(s.value.trim().to_owned())
            }
        };
        let title_prefix = match self.sources.get(NOTES_TITLE) {
            None => NOTES_TITLE_DEFAULT.to_owned(),
            Some(s) if s.value.chars().any(char::is_control) => {
                return Err(at(NOTES_TITLE, &s, "a title is one line"));
            }
            Some(s) => s.value.trim().to_owned(),
        };
        let dir = match self.sources.get(NOTES_DIR) {
            None => self.top.join(NOTES_DIR_DEFAULT),
            Some(s) if s.value.trim().is_empty() => {
                return Err(at(NOTES_DIR, &s, "a directory is needed"));
            }
            Some(s) => {
                let dir = self.top.join(s.value.trim());
                // `../addons/releases` with no `../addons`: a notes clone is missing, and a
                // whole new tree beside this repository would only hide that.
                if let Some(parent) = dir.parent()
                    && !parent.is_dir()
                {
                    return Err(at(
                        NOTES_DIR,
                        &s,
                        &format!(
                            "{} does not exist (is the notes repository cloned there?)",
                            parent.display()
                        ),
                    ));
                }
                dir
            }
        };
        let template = match self.sources.get(NOTES_TEMPLATE) {
            None => None,
            Some(s) => {
                let path = self.top.join(s.value.trim());
                match std::fs::read_to_string(&path) {
                    Ok(text) => Some((path, text)),
                    Err(e) => {
                        return Err(at(
                            NOTES_TEMPLATE,
                            &s,
                            &format!("cannot read {}: {e}", path.display()),
                        ));
                    }
                }
            }
        };
        let mut links = Vec::new();
        for s in self.sources.all(LINK) {
            match Link::parse(&s.value) {
                Ok(link) => links.push(link),
                Err(e) => return Err(at(LINK, &s, &e.to_string())),
            }
        }
        Ok(NotesSettings {
            base_url,
            title_prefix,
            dir,
            template,
            links,
        })
    }

    /// The chat topic's settings. A half-configured chat (a room and no homeserver) is an error.
    pub fn chat(&self) -> Result<ChatSettings> {
        let format = self.sources.get(TOPIC_FORMAT);
        let matrix = match (
            self.sources.get(MATRIX_HOMESERVER),
            self.sources.get(MATRIX_ROOM),
        ) {
            (None, None) => None,
            (Some(homeserver), Some(room)) => Some(MatrixSettings {
                homeserver: homeserver.value.trim().to_owned(),
                room: room.value.trim().to_owned(),
                homeserver_origin: homeserver.origin.to_string(),
                room_origin: room.origin.to_string(),
            }),
            (Some(s), None) => return Err(half(MATRIX_HOMESERVER, &s, MATRIX_ROOM)),
            (None, Some(s)) => return Err(half(MATRIX_ROOM, &s, MATRIX_HOMESERVER)),
        };
        let slack = self.sources.get(SLACK_CHANNEL).map(|channel| {
            let api = self.sources.get(SLACK_API);
            SlackSettings {
                api: api
                    .as_ref()
                    .map(|s| s.value.trim().to_owned())
                    .unwrap_or_else(|| SLACK_API_DEFAULT.to_owned()),
                api_origin: api.map(|s| s.origin.to_string()),
                channel: channel.value.trim().to_owned(),
                channel_origin: channel.origin.to_string(),
            }
        });
        Ok(ChatSettings {
            format,
            matrix,
            slack,
        })
    }

    /// The other repositories of the train, in the order they are listed; none listed twice,
    /// and never this repository itself.
    pub fn train(&self) -> Result<Vec<TrainRepo>> {
        let mut repos: Vec<TrainRepo> = Vec::new();
        let here = self.top.canonicalize().unwrap_or_else(|_| self.top.clone());
        for s in self.sources.all(REPO) {
            let configured = s.value.trim().to_owned();
            if configured.is_empty() {
                return Err(at(REPO, &s, "a path to a clone is needed"));
            }
            let path = self.top.join(&configured);
            let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => a == b,
            };
            if same(&path, &here) {
                return Err(at(
                    REPO,
                    &s,
                    "that is this repository, which the train always includes",
                ));
            }
            if repos.iter().any(|r| same(&r.path, &path)) {
                return Err(at(REPO, &s, "that repository is listed twice"));
            }
            repos.push(TrainRepo {
                configured,
                origin: s.origin.to_string(),
                path,
            });
        }
        Ok(repos)
    }
}

/// One half of a pair of keys set without the other.
fn half(key: &str, s: &Setting, other: &str) -> anyhow::Error {
    Refusal::configuration(format!(
        "{key} is set (in {}) but {other} is not: topic --set needs both",
        s.origin
    ))
    .hint(format!("set {other} in {} too, or remove {key}", s.origin))
    .into()
}

fn plain(message: &str) -> anyhow::Error {
    Refusal::configuration(message.to_owned()).into()
}

/// `KEY = "VALUE" (set in FILE): WHY`, with the hint to correct it there.
fn at(key: &str, s: &Setting, why: &str) -> anyhow::Error {
    Refusal::configuration(format!(
        "{key} = {:?} (set in {}): {why}",
        s.value, s.origin
    ))
    .hint(format!("correct it in {}", s.origin))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(entries: &[(&str, &str, &str)]) -> Week {
        let sources = Sources::from_entries(entries);
        let settings = Settings::from_sources(&sources).expect("valid settings");
        Week {
            sources,
            settings,
            top: PathBuf::from("/repo"),
        }
    }

    fn d(text: &str) -> NaiveDate {
        crate::calendar::parse_date(text).expect("valid")
    }

    #[test]
    fn the_current_push_and_the_next_with_their_heroes() {
        let w = week(&[
            (HERO, "willdurand", "/repo/.pushduty"),
            (HERO, "eviljeff", "/repo/.pushduty"),
            (HERO, "mat", "/repo/.pushduty"),
            (ANCHOR, "2026-11-26", "/repo/.pushduty"),
            (SKIP, "2026-12-10", "/repo/.pushduty"),
        ]);
        let (current, next) = w.pushes_around(d("2026-12-01")).expect("pushes");
        assert_eq!(
            (current.date, current.hero.as_deref()),
            (d("2026-12-03"), Some("eviljeff"))
        );
        assert_eq!(
            (next.date, next.hero.as_deref()),
            (d("2026-12-17"), Some("mat"))
        );
    }

    #[test]
    fn errors_name_the_key_and_where_it_is_set() {
        let text = |w: Week| format!("{:#}", w.rotation().expect_err("refused"));
        assert!(
            text(week(&[(ANCHOR, "2026-11-26", "x")]))
                .contains("pushduty.hero is not set in /repo/.pushduty")
        );
        assert!(text(week(&[(HERO, "mat", "x")])).contains("the rotation needs pushduty.anchor"));
        let bad_swap = week(&[
            (HERO, "mat", "x"),
            (ANCHOR, "2026-11-26", "x"),
            (SWAP, "2026-12-03", "/home/me/.gitconfig"),
        ]);
        assert_eq!(
            text(bad_swap),
            "pushduty.swap = \"2026-12-03\" (set in /home/me/.gitconfig): a swap is DATE NAME (2026-12-03 mat); the swap on 2026-12-03 names nobody"
        );
        let chat = week(&[(MATRIX_ROOM, "#amo:mozilla.org", "y")]);
        assert!(
            format!("{:#}", chat.chat().expect_err("half")).contains(
                "pushduty.matrix.room is set (in y) but pushduty.matrix.homeserver is not"
            )
        );
    }
}
