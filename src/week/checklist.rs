//! The week at a glance: from what `status` found (each repository of the train, the hook, the
//! deployments, the notes, the team's steps) to the ordered checklist and the single next step,
//! as a command to copy. The order is the week's: mend the hook and any unfinished run, merge the
//! reviewed security fixes, tag, check the deploy, the team's steps (after the deploy check unless
//! the team says otherwise), the next push's notes, the topic. Pure: the caller gathers the facts.
//! What could not be found out is never taken as done: it stops the list where it stands.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// Everything `status` knows about the week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekState {
    /// The current push (the push date `next-tag` uses).
    pub push_date: NaiveDate,
    pub hero: Option<String>,
    /// The push after it (whose notes are written once this one is complete).
    pub next_push_date: Option<NaiveDate>,
    /// This clone's pre-push hook.
    pub hook: Hook,
    /// The repositories of the train, this one first.
    pub repos: Vec<RepoState>,
    /// The environments with version URLs, in the team's order; the first is the one
    /// `git push-duty deployed` checks without `--env`.
    pub environments: Vec<Environment>,
    /// The next push's notes document.
    pub notes: NotesDoc,
    /// The chat topic.
    pub topic: ChatTopic,
    /// `pushduty.notesUrl` is set, so the topic links the notes.
    pub notes_link: bool,
    /// The team's own steps (`pushduty.step`), in the order configured.
    pub steps: Vec<TeamStep>,
}

/// This clone's pre-push hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hook {
    /// Installed, current, and git runs it.
    Live,
    /// Not installed.
    Missing,
    /// Installed, but what it pins no longer matches the settings or the remotes.
    Stale { reason: String },
    /// Installed, but git does not run it (core.hooksPath elsewhere, not executable).
    /// `hooks install` is suggested for every state but `Live`: it mends or says what is in
    /// the way.
    NotRun { reason: String },
}

/// The next push's notes document (`notes --next --write`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotesDoc {
    Written,
    NotWritten,
    /// The team has not set up what `notes` needs (the rotation): `reason` says what to set.
    NotSetUp {
        reason: String,
    },
    /// Could not be found out (a setting that does not read, a directory that cannot be read).
    Unknown {
        reason: String,
    },
}

/// The chat topic, as far as this clone can know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatTopic {
    /// `topic --next --set` recorded setting it to the next push.
    Set,
    /// A chat is configured and no set topic for the next push is recorded.
    NotSet,
    /// No chat is configured for `topic --set`: the hero sets it by hand, which this clone
    /// cannot see, so it is neither done nor the next step.
    ByHand,
    /// The team has not set up what `topic` needs (the rotation).
    NotSetUp {
        reason: String,
    },
    Unknown {
        reason: String,
    },
}

/// One repository of the train.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoState {
    pub name: String,
    /// The path from this repository (`../addons-frontend`), used as `git -C PATH`; `None`
    /// for this repository.
    pub path: Option<String>,
    /// The latest tag for this push (`2026.12.03-1`), if any.
    pub tag: Option<String>,
    /// The upstream branch has commits that no tag for this or the last push has.
    pub untagged_commits: bool,
    /// The security mirror, for a repository that has one.
    pub mirror: Option<Mirror>,
    /// A security-merge run is recorded and not finished.
    pub unfinished_run: bool,
}

/// The security mirror of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    Known {
        main: MirrorMain,
        /// Reviewed fix branches waiting on the mirror, in the order to merge them.
        fixes_waiting: Vec<String>,
    },
    /// Not looked at (`--offline`) or could not be read.
    Unknown { reason: String },
}

/// The mirror's release branch against the upstream's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MirrorMain {
    InSync,
    /// The upstream has commits the mirror lacks: harmless, the next merge brings it along.
    Behind {
        commits: usize,
    },
    /// The mirror has commits the upstream lacks: someone pushed to it first.
    Ahead {
        commits: usize,
    },
}

/// One environment (`[pushduty "stage"] url = ...`) and its services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    pub services: Vec<Service>,
}

/// One service of an environment (one repository's version URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub deploy: Deploy,
}

/// What a service runs, against this push's latest tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deploy {
    Deployed,
    StillOn {
        version: Option<String>,
        behind: Option<usize>,
    },
    /// Not asked (`--offline`), unreachable, or an answer that cannot decide.
    Unknown {
        reason: String,
    },
}

/// One of the team's steps (`pushduty.step`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamStep {
    pub name: String,
    /// The repository it runs in, as a path from this one; `None` for this repository.
    pub path: Option<String>,
    /// Where in the week it goes.
    pub after: After,
    pub last_run: StepRun,
}

/// Whether a team step ran for this push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRun {
    NotRun,
    Succeeded,
    /// `status` as the user should read it: "exit 1", "killed by signal 9".
    Failed {
        status: String,
    },
}

/// The point of the week after which a team step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum After {
    SecurityMerge,
    Tag,
    /// After the deploy check of the first environment (stage): the default, as the seed's
    /// locale extraction runs "once you are done pushing the tags to stage".
    #[default]
    Deploy,
    Notes,
    Topic,
}

impl FromStr for After {
    type Err = String;

    /// `security-merge`, `tag`, `deployed` (or `deploy`), `notes`, `topic`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "security-merge" => Ok(After::SecurityMerge),
            "tag" => Ok(After::Tag),
            "deployed" | "deploy" => Ok(After::Deploy),
            "notes" => Ok(After::Notes),
            "topic" => Ok(After::Topic),
            other => Err(format!(
                "{other:?} is not a point of the week (security-merge, tag, deployed, notes, topic)"
            )),
        }
    }
}

/// Which part of the week an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Hook,
    Security,
    Tag,
    Deploy,
    Step,
    Notes,
    Topic,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Item {
    pub stage: Stage,
    /// What it is, for a person: "addons-server: tagged 2026.12.03-1".
    pub label: String,
    #[serde(flatten)]
    pub state: ItemState,
}

/// Whether an item is done; an item that is not carries the command that does it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ItemState {
    Done,
    Todo {
        command: String,
    },
    /// Could not be found out: not counted as done. `command` finds out or does it.
    Unknown {
        reason: String,
        command: String,
    },
    /// Not a step this team's setup has (or one done by hand, out of sight): never counted as
    /// done, never the next step; `reason` says why and what would set it up.
    Skipped {
        reason: String,
    },
}

/// The single next step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "next", rename_all = "kebab-case")]
pub enum NextStep {
    Run {
        command: String,
        /// The item it does.
        why: String,
        /// Set when the item could not be checked, with the reason.
        unknown: Option<String>,
    },
    /// Every item is done: the week is finished.
    Done,
}

impl fmt::Display for NextStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextStep::Run { command, .. } => f.write_str(command),
            NextStep::Done => f.write_str("nothing: the week is done"),
        }
    }
}

/// The checklist, in the order of the week.
pub fn checklist(state: &WeekState) -> Vec<Item> {
    let mut items = Vec::new();
    items.push(hook_item(&state.hook));
    for repo in &state.repos {
        security_items(repo, &mut items);
    }
    steps_after(state, After::SecurityMerge, &mut items);
    let tag = if state.repos.len() > 1 {
        "git push-duty tag --all"
    } else {
        "git push-duty tag"
    };
    for repo in &state.repos {
        items.push(tag_item(repo, state.push_date, tag));
    }
    steps_after(state, After::Tag, &mut items);
    let mut environments = state.environments.iter().filter(|e| !e.services.is_empty());
    if let Some(first) = environments.next() {
        items.push(deploy_item(first, true));
    }
    steps_after(state, After::Deploy, &mut items);
    for later in environments {
        items.push(deploy_item(later, false));
    }
    let next = state
        .next_push_date
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    items.push(notes_item(&state.notes, &next));
    steps_after(state, After::Notes, &mut items);
    items.push(topic_item(&state.topic, state.notes_link));
    steps_after(state, After::Topic, &mut items);
    items
}

/// The first item not done, as the command to run.
pub fn next_step(items: &[Item]) -> NextStep {
    for item in items {
        match &item.state {
            ItemState::Done | ItemState::Skipped { .. } => {}
            ItemState::Todo { command } => {
                return NextStep::Run {
                    command: command.clone(),
                    why: item.label.clone(),
                    unknown: None,
                };
            }
            ItemState::Unknown { reason, command } => {
                return NextStep::Run {
                    command: command.clone(),
                    why: item.label.clone(),
                    unknown: Some(reason.clone()),
                };
            }
        }
    }
    NextStep::Done
}

fn notes_item(notes: &NotesDoc, next: &str) -> Item {
    let command = "git push-duty notes --next --write";
    let (label, state) = match notes {
        NotesDoc::Written => (
            format!("notes for the next push{next} written"),
            ItemState::Done,
        ),
        NotesDoc::NotWritten => (
            format!("notes for the next push{next} not written"),
            ItemState::Todo {
                command: command.into(),
            },
        ),
        NotesDoc::NotSetUp { reason } => (
            format!("notes for the next push{next}: not set up"),
            ItemState::Skipped {
                reason: reason.clone(),
            },
        ),
        NotesDoc::Unknown { reason } => (
            format!("notes for the next push{next} not checked"),
            ItemState::Unknown {
                reason: reason.clone(),
                command: "git push-duty notes --next".into(),
            },
        ),
    };
    Item {
        stage: Stage::Notes,
        label,
        state,
    }
}

fn topic_item(topic: &ChatTopic, notes_link: bool) -> Item {
    let link = if notes_link {
        ""
    } else {
        " (pushduty.notesUrl is not set: the topic has no notes link)"
    };
    let (label, state) = match topic {
        ChatTopic::Set => (
            format!("chat topic names the next push{link}"),
            ItemState::Done,
        ),
        ChatTopic::NotSet => (
            format!("chat topic: set it to the next push's hero and notes{link}"),
            ItemState::Todo {
                command: "git push-duty topic --next --set".into(),
            },
        ),
        ChatTopic::ByHand => (
            format!("chat topic: set it by hand to what git push-duty topic --next prints{link}"),
            ItemState::Skipped {
                reason: "no chat is configured for topic --set, so this clone cannot see it".into(),
            },
        ),
        ChatTopic::NotSetUp { reason } => (
            "chat topic: not set up".to_owned(),
            ItemState::Skipped {
                reason: reason.clone(),
            },
        ),
        ChatTopic::Unknown { reason } => (
            "chat topic not checked".to_owned(),
            ItemState::Unknown {
                reason: reason.clone(),
                command: "git push-duty topic --next".into(),
            },
        ),
    };
    Item {
        stage: Stage::Topic,
        label,
        state,
    }
}

fn hook_item(hook: &Hook) -> Item {
    let (label, state) = match hook {
        Hook::Live => (
            "pre-push hook installed and live".to_owned(),
            ItemState::Done,
        ),
        Hook::Missing => (
            "pre-push hook not installed: pushes from this clone are not guarded".to_owned(),
            ItemState::Todo {
                command: "git push-duty hooks install".into(),
            },
        ),
        Hook::Stale { reason } => (
            format!("pre-push hook out of date: {reason}"),
            ItemState::Todo {
                command: "git push-duty hooks install".into(),
            },
        ),
        Hook::NotRun { reason } => (
            format!("pre-push hook installed but git does not run it: {reason}"),
            // install says what stands in the way (core.hooksPath owned by another tool).
            ItemState::Todo {
                command: "git push-duty hooks install".into(),
            },
        ),
    };
    Item {
        stage: Stage::Hook,
        label,
        state,
    }
}

fn security_items(repo: &RepoState, items: &mut Vec<Item>) {
    let name = &repo.name;
    let path = repo.path.as_deref();
    if repo.unfinished_run {
        items.push(Item {
            stage: Stage::Security,
            label: format!("{name}: a security-merge run is not finished"),
            state: ItemState::Todo {
                command: git(path, &["security-merge", "--continue"]),
            },
        });
    }
    let Some(mirror) = &repo.mirror else {
        return;
    };
    match mirror {
        Mirror::Unknown { reason } => items.push(Item {
            stage: Stage::Security,
            label: format!("{name}: security mirror not checked"),
            state: ItemState::Unknown {
                reason: reason.clone(),
                command: "git push-duty status".into(),
            },
        }),
        Mirror::Known {
            main,
            fixes_waiting,
        } => {
            let (label, state) = match main {
                MirrorMain::InSync => (format!("{name}: security mirror in sync"), ItemState::Done),
                MirrorMain::Behind { commits } => (
                    format!(
                        "{name}: security mirror {} behind the upstream (the next security-merge brings it along)",
                        commits_text(*commits)
                    ),
                    ItemState::Done,
                ),
                MirrorMain::Ahead { commits } => (
                    format!(
                        "{name}: security mirror {} ahead of the upstream: publish them upstream first",
                        commits_text(*commits)
                    ),
                    ItemState::Todo {
                        command: git(path, &["security-merge", "--sync"]),
                    },
                ),
            };
            items.push(Item {
                stage: Stage::Security,
                label,
                state,
            });
            if !fixes_waiting.is_empty() {
                let mut args = vec!["security-merge"];
                if fixes_waiting.iter().any(|f| f.starts_with('-')) {
                    args.push("--");
                }
                args.extend(fixes_waiting.iter().map(String::as_str));
                items.push(Item {
                    stage: Stage::Security,
                    label: format!(
                        "{name}: security fix{} waiting on the mirror: {}",
                        if fixes_waiting.len() == 1 { "" } else { "es" },
                        fixes_waiting.join(", ")
                    ),
                    state: ItemState::Todo {
                        command: git(path, &args),
                    },
                });
            }
        }
    }
}

fn tag_item(repo: &RepoState, push_date: NaiveDate, command: &str) -> Item {
    let name = &repo.name;
    let (label, state) = match &repo.tag {
        Some(tag) if repo.untagged_commits => (
            format!("{name}: tagged {tag} (newer commits on the branch wait for the next push)"),
            ItemState::Done,
        ),
        Some(tag) => (format!("{name}: tagged {tag}"), ItemState::Done),
        None => (
            if repo.untagged_commits {
                format!("{name}: not tagged for {push_date}")
            } else {
                format!("{name}: not tagged for {push_date} (nothing new since the last push)")
            },
            ItemState::Todo {
                command: command.to_owned(),
            },
        ),
    };
    Item {
        stage: Stage::Tag,
        label,
        state,
    }
}

fn deploy_item(environment: &Environment, first: bool) -> Item {
    let command = if first {
        "git push-duty deployed --wait".to_owned()
    } else {
        git(None, &["deployed", "--env", &environment.name, "--wait"])
    };
    let mut parts = Vec::new();
    let mut stale = false;
    let mut unknown = Vec::new();
    for service in &environment.services {
        let name = &service.name;
        match &service.deploy {
            Deploy::Deployed => parts.push(format!("{name} deployed")),
            Deploy::StillOn { version, behind } => {
                stale = true;
                let on = version.as_deref().unwrap_or("an untagged commit");
                let behind = behind
                    .map(|n| format!(", {} behind", commits_text(n)))
                    .unwrap_or_default();
                parts.push(format!("{name} still on {on}{behind}"));
            }
            Deploy::Unknown { reason } => {
                parts.push(format!("{name} not checked"));
                unknown.push(format!("{name}: {reason}"));
            }
        }
    }
    let label = format!("{}: {}", environment.name, parts.join("; "));
    let state = if stale {
        ItemState::Todo { command }
    } else if !unknown.is_empty() {
        ItemState::Unknown {
            reason: unknown.join("; "),
            command,
        }
    } else {
        ItemState::Done
    };
    Item {
        stage: Stage::Deploy,
        label,
        state,
    }
}

fn steps_after(state: &WeekState, after: After, items: &mut Vec<Item>) {
    for step in state.steps.iter().filter(|s| s.after == after) {
        let place = step
            .path
            .as_deref()
            .map(|p| format!(" (in {p})"))
            .unwrap_or_default();
        let mut args = vec!["step"];
        if step.name.starts_with('-') {
            args.push("--");
        }
        args.push(&step.name);
        let command = git(step.path.as_deref(), &args);
        let (label, state) = match &step.last_run {
            StepRun::Succeeded => (
                format!("step {}{place}: done for this push", step.name),
                ItemState::Done,
            ),
            StepRun::NotRun => (
                format!("step {}{place}: not run for this push", step.name),
                ItemState::Todo { command },
            ),
            StepRun::Failed { status } => (
                format!("step {}{place}: failed ({status}); run it again", step.name),
                ItemState::Todo { command },
            ),
        };
        items.push(Item {
            stage: Stage::Step,
            label,
            state,
        });
    }
}

fn commits_text(n: usize) -> String {
    if n == 1 {
        "1 commit".to_owned()
    } else {
        format!("{n} commits")
    }
}

/// `git push-duty ARGS`, or `git -C PATH push-duty ARGS` for another repository of the train,
/// each word quoted for a POSIX shell where it needs it.
fn git(path: Option<&str>, args: &[&str]) -> String {
    let mut words = vec!["git".to_owned()];
    if let Some(path) = path {
        words.push("-C".into());
        words.push(shell_word(path));
    }
    words.push("push-duty".into());
    words.extend(args.iter().map(|a| shell_word(a)));
    words.join(" ")
}

/// One word for a POSIX shell, so the next command can be pasted as it is: as it is when it is
/// plain, else whole in single quotes (one piece to the eye), and a word holding a single quote
/// quoted by `shlex`, which knows the shell's corners. A NUL cannot be given to a shell (nor be in
/// a path or step name read from git config); it is shown escaped rather than dropped.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if plain {
        word.to_owned()
    } else if word.contains('\0') {
        format!("'{}'", word.escape_default())
    } else if word.contains('\'') {
        shlex::try_quote(word).map_or_else(
            |_| format!("'{}'", word.escape_default()),
            std::borrow::Cow::into_owned,
        )
    } else {
        format!("'{word}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).expect("valid test date")
    }

    fn repo(name: &str, path: Option<&str>) -> RepoState {
        RepoState {
            name: name.into(),
            path: path.map(String::from),
            tag: None,
            untagged_commits: true,
            mirror: None,
            unfinished_run: false,
        }
    }

    fn service(name: &str, deploy: Deploy) -> Service {
        Service {
            name: name.into(),
            deploy,
        }
    }

    fn still_on() -> Deploy {
        Deploy::StillOn {
            version: Some("2026.11.26".into()),
            behind: Some(12),
        }
    }

    /// Tuesday morning: nothing done yet, a reviewed fix waiting, stage on last week's tag.
    fn tuesday() -> WeekState {
        let mut server = repo("addons-server", None);
        server.mirror = Some(Mirror::Known {
            main: MirrorMain::Behind { commits: 3 },
            fixes_waiting: vec!["fix-xss".into()],
        });
        WeekState {
            push_date: d("2026-12-03"),
            hero: Some("eviljeff".into()),
            next_push_date: Some(d("2026-12-10")),
            hook: Hook::Live,
            repos: vec![
                server,
                repo("addons-frontend", Some("../addons-frontend")),
                repo("addons-code-manager", Some("../addons-code-manager")),
            ],
            environments: vec![
                Environment {
                    name: "stage".into(),
                    services: vec![
                        service("addons-server", still_on()),
                        service("addons-frontend", still_on()),
                    ],
                },
                Environment {
                    name: "prod".into(),
                    services: vec![service("addons-server", still_on())],
                },
            ],
            notes: NotesDoc::NotWritten,
            topic: ChatTopic::NotSet,
            notes_link: true,
            steps: vec![
                TeamStep {
                    name: "extract-l10n".into(),
                    path: Some("../addons-frontend".into()),
                    after: After::Deploy,
                    last_run: StepRun::NotRun,
                },
                TeamStep {
                    name: "extract-l10n".into(),
                    path: None,
                    after: After::Deploy,
                    last_run: StepRun::NotRun,
                },
            ],
        }
    }

    fn next(state: &WeekState) -> String {
        next_step(&checklist(state)).to_string()
    }

    fn tagged(state: &mut WeekState) {
        if let Some(Mirror::Known {
            fixes_waiting,
            main,
        }) = &mut state.repos[0].mirror
        {
            fixes_waiting.clear();
            *main = MirrorMain::InSync;
        }
        for (i, repo) in state.repos.iter_mut().enumerate() {
            repo.tag = Some(if i == 0 { "2026.12.03-1" } else { "2026.12.03" }.into());
        }
    }

    fn stage_deployed(state: &mut WeekState) {
        for s in &mut state.environments[0].services {
            s.deploy = Deploy::Deployed;
        }
    }

    #[test]
    fn a_fix_waiting_comes_first() {
        assert_eq!(next(&tuesday()), "git push-duty security-merge fix-xss");
    }

    #[test]
    fn the_whole_checklist_on_tuesday_morning() {
        let labels: Vec<(Stage, String, Option<String>)> = checklist(&tuesday())
            .into_iter()
            .map(|i| {
                let command = match i.state {
                    ItemState::Done | ItemState::Skipped { .. } => None,
                    ItemState::Todo { command } | ItemState::Unknown { command, .. } => {
                        Some(command)
                    }
                };
                (i.stage, i.label, command)
            })
            .collect();
        let s = |t: &str| Some(t.to_owned());
        assert_eq!(
            labels,
            vec![
                (Stage::Hook, "pre-push hook installed and live".into(), None),
                (
                    Stage::Security,
                    "addons-server: security mirror 3 commits behind the upstream (the next security-merge brings it along)".into(),
                    None
                ),
                (
                    Stage::Security,
                    "addons-server: security fix waiting on the mirror: fix-xss".into(),
                    s("git push-duty security-merge fix-xss")
                ),
                (Stage::Tag, "addons-server: not tagged for 2026-12-03".into(), s("git push-duty tag --all")),
                (Stage::Tag, "addons-frontend: not tagged for 2026-12-03".into(), s("git push-duty tag --all")),
                (Stage::Tag, "addons-code-manager: not tagged for 2026-12-03".into(), s("git push-duty tag --all")),
                (
                    Stage::Deploy,
                    "stage: addons-server still on 2026.11.26, 12 commits behind; addons-frontend still on 2026.11.26, 12 commits behind".into(),
                    s("git push-duty deployed --wait")
                ),
                (
                    Stage::Step,
                    "step extract-l10n (in ../addons-frontend): not run for this push".into(),
                    s("git -C ../addons-frontend push-duty step extract-l10n")
                ),
                (
                    Stage::Step,
                    "step extract-l10n: not run for this push".into(),
                    s("git push-duty step extract-l10n")
                ),
                (
                    Stage::Deploy,
                    "prod: addons-server still on 2026.11.26, 12 commits behind".into(),
                    s("git push-duty deployed --env prod --wait")
                ),
                (Stage::Notes, "notes for the next push (2026-12-10) not written".into(), s("git push-duty notes --next --write")),
                (
                    Stage::Topic,
                    "chat topic: set it to the next push's hero and notes".into(),
                    s("git push-duty topic --next --set")
                ),
            ]
        );
    }

    #[test]
    fn nothing_tagged_after_the_merge() {
        let mut state = tuesday();
        if let Some(Mirror::Known {
            fixes_waiting,
            main,
        }) = &mut state.repos[0].mirror
        {
            fixes_waiting.clear();
            *main = MirrorMain::InSync;
        }
        assert_eq!(next(&state), "git push-duty tag --all");
    }

    #[test]
    fn partly_tagged_is_still_tag_all() {
        let mut state = tuesday();
        tagged(&mut state);
        state.repos[2].tag = None;
        assert_eq!(next(&state), "git push-duty tag --all");
        let items = checklist(&state);
        assert!(items.iter().any(|i| i.label == "addons-frontend: tagged 2026.12.03 (newer commits on the branch wait for the next push)" && i.state == ItemState::Done));
    }

    #[test]
    fn a_single_repository_tags_without_all() {
        let mut state = tuesday();
        state.repos.truncate(1);
        state.repos[0].mirror = None;
        state.repos[0].untagged_commits = false;
        assert_eq!(next(&state), "git push-duty tag");
        assert!(checklist(&state).iter().any(|i| i.label
            == "addons-server: not tagged for 2026-12-03 (nothing new since the last push)"));
    }

    #[test]
    fn tagged_then_the_deploy_check() {
        let mut state = tuesday();
        tagged(&mut state);
        assert_eq!(next(&state), "git push-duty deployed --wait");
    }

    #[test]
    fn partly_deployed_is_still_the_deploy_check() {
        let mut state = tuesday();
        tagged(&mut state);
        state.environments[0].services[0].deploy = Deploy::Deployed;
        let items = checklist(&state);
        let stage = items
            .iter()
            .find(|i| i.stage == Stage::Deploy)
            .expect("a deploy item");
        assert_eq!(
            stage.label,
            "stage: addons-server deployed; addons-frontend still on 2026.11.26, 12 commits behind"
        );
        assert_eq!(
            next_step(&items).to_string(),
            "git push-duty deployed --wait"
        );
    }

    #[test]
    fn deployed_to_stage_then_the_teams_steps_in_their_repositories() {
        let mut state = tuesday();
        tagged(&mut state);
        stage_deployed(&mut state);
        assert_eq!(
            next(&state),
            "git -C ../addons-frontend push-duty step extract-l10n"
        );
        state.steps[0].last_run = StepRun::Succeeded;
        assert_eq!(next(&state), "git push-duty step extract-l10n");
        state.steps[1].last_run = StepRun::Failed {
            status: "exit 1".into(),
        };
        let items = checklist(&state);
        assert!(
            items
                .iter()
                .any(|i| i.label == "step extract-l10n: failed (exit 1); run it again")
        );
        assert_eq!(
            next_step(&items).to_string(),
            "git push-duty step extract-l10n"
        );
        state.steps[1].last_run = StepRun::Succeeded;
        assert_eq!(next(&state), "git push-duty deployed --env prod --wait");
    }

    #[test]
    fn deployed_everywhere_then_notes_then_topic_then_done() {
        let mut state = tuesday();
        tagged(&mut state);
        for env in &mut state.environments {
            for s in &mut env.services {
                s.deploy = Deploy::Deployed;
            }
        }
        for step in &mut state.steps {
            step.last_run = StepRun::Succeeded;
        }
        assert_eq!(next(&state), "git push-duty notes --next --write");
        state.notes = NotesDoc::Written;
        assert_eq!(next(&state), "git push-duty topic --next --set");
        state.topic = ChatTopic::Set;
        assert_eq!(next_step(&checklist(&state)), NextStep::Done);
        assert_eq!(next(&state), "nothing: the week is done");
        assert!(checklist(&state).iter().all(|i| i.state == ItemState::Done));
    }

    #[test]
    fn what_the_setup_leaves_out_is_skipped_and_what_cannot_be_read_stops_the_list() {
        let mut state = tuesday();
        tagged(&mut state);
        for env in &mut state.environments {
            for s in &mut env.services {
                s.deploy = Deploy::Deployed;
            }
        }
        for step in &mut state.steps {
            step.last_run = StepRun::Succeeded;
        }
        state.notes = NotesDoc::NotSetUp {
            reason: "no rotation".into(),
        };
        state.topic = ChatTopic::ByHand;
        let items = checklist(&state);
        assert_eq!(next_step(&items), NextStep::Done);
        let skipped: Vec<&Item> = items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Skipped { .. }))
            .collect();
        assert_eq!(skipped.len(), 2, "{items:?}");
        assert!(skipped.iter().all(|i| i.state != ItemState::Done));
        state.topic = ChatTopic::Unknown {
            reason: "the topic record does not read".into(),
        };
        assert_eq!(next(&state), "git push-duty topic --next");
        state.notes = NotesDoc::Unknown {
            reason: "cannot read releases".into(),
        };
        assert_eq!(next(&state), "git push-duty notes --next");
        state.notes_link = false;
        state.notes = NotesDoc::Written;
        state.topic = ChatTopic::NotSet;
        let items = checklist(&state);
        assert!(items.iter().any(|i| i.label
            == "chat topic: set it to the next push's hero and notes (pushduty.notesUrl is not set: the topic has no notes link)"));
    }

    #[test]
    fn an_unfinished_run_comes_before_anything_but_the_hook() {
        let mut state = tuesday();
        state.repos[0].unfinished_run = true;
        assert_eq!(next(&state), "git push-duty security-merge --continue");
        state.hook = Hook::Missing;
        assert_eq!(next(&state), "git push-duty hooks install");
        state.hook = Hook::Stale {
            reason: "the mirror's URL changed".into(),
        };
        let items = checklist(&state);
        assert_eq!(
            items[0].label,
            "pre-push hook out of date: the mirror's URL changed"
        );
        assert_eq!(next_step(&items).to_string(), "git push-duty hooks install");
        state.hook = Hook::NotRun {
            reason: "core.hooksPath is .husky".into(),
        };
        assert_eq!(next(&state), "git push-duty hooks install");
    }

    #[test]
    fn an_unfinished_run_in_another_repository_runs_there() {
        let mut state = tuesday();
        state.repos[0].mirror = None;
        state.repos[1].unfinished_run = true;
        assert_eq!(
            next(&state),
            "git -C ../addons-frontend push-duty security-merge --continue"
        );
    }

    #[test]
    fn a_mirror_ahead_is_mended_before_tagging() {
        let mut state = tuesday();
        state.repos[0].mirror = Some(Mirror::Known {
            main: MirrorMain::Ahead { commits: 1 },
            fixes_waiting: vec![],
        });
        let items = checklist(&state);
        assert!(items.iter().any(|i| i.label
            == "addons-server: security mirror 1 commit ahead of the upstream: publish them upstream first"));
        assert_eq!(
            next_step(&items).to_string(),
            "git push-duty security-merge --sync"
        );
    }

    #[test]
    fn what_could_not_be_checked_is_not_done() {
        let mut state = tuesday();
        tagged(&mut state);
        state.repos[0].mirror = Some(Mirror::Unknown {
            reason: "offline".into(),
        });
        assert_eq!(
            next_step(&checklist(&state)),
            NextStep::Run {
                command: "git push-duty status".into(),
                why: "addons-server: security mirror not checked".into(),
                unknown: Some("offline".into()),
            }
        );
        // Offline deploy checks: the deploy check is still to do, and says why.
        state.repos[0].mirror = None;
        for s in &mut state.environments[0].services {
            s.deploy = Deploy::Unknown {
                reason: "offline".into(),
            };
        }
        state.environments[0].services[1].deploy = Deploy::Deployed;
        assert_eq!(
            next_step(&checklist(&state)),
            NextStep::Run {
                command: "git push-duty deployed --wait".into(),
                why: "stage: addons-server not checked; addons-frontend deployed".into(),
                unknown: Some("addons-server: offline".into()),
            }
        );
    }

    #[test]
    fn several_fixes_are_merged_in_one_run_in_order() {
        let mut state = tuesday();
        state.repos[0].mirror = Some(Mirror::Known {
            main: MirrorMain::InSync,
            fixes_waiting: vec!["fix-xss".into(), "security/fix-csrf".into()],
        });
        assert_eq!(
            next(&state),
            "git push-duty security-merge fix-xss security/fix-csrf"
        );
    }

    #[test]
    fn names_cannot_turn_into_options_or_shell_code() {
        let mut state = tuesday();
        state.repos[0].mirror = Some(Mirror::Known {
            main: MirrorMain::InSync,
            fixes_waiting: vec!["--yes".into()],
        });
        assert_eq!(next(&state), "git push-duty security-merge -- --yes");
        state.repos[0].mirror = None;
        tagged(&mut state);
        stage_deployed(&mut state);
        state.steps = vec![TeamStep {
            name: "l10n; rm -rf ~".into(),
            path: Some("../my repo's".into()),
            after: After::Deploy,
            last_run: StepRun::NotRun,
        }];
        assert_eq!(
            next(&state),
            r#"git -C "../my repo's" push-duty step 'l10n; rm -rf ~'"#
        );
        for word in [
            "../my repo's",
            "l10n; rm -rf ~",
            "$HOME",
            "`x`",
            "a b",
            "it's \"so\"",
        ] {
            assert_eq!(shlex::split(&shell_word(word)), Some(vec![word.to_owned()]));
        }
        state.steps[0].name = "-n".into();
        state.steps[0].path = None;
        assert_eq!(next(&state), "git push-duty step -- -n");
    }

    #[test]
    fn steps_go_where_the_team_puts_them() {
        let mut state = tuesday();
        state.steps = vec![
            TeamStep {
                name: "announce".into(),
                path: None,
                after: After::Topic,
                last_run: StepRun::NotRun,
            },
            TeamStep {
                name: "freeze".into(),
                path: None,
                after: After::SecurityMerge,
                last_run: StepRun::NotRun,
            },
            TeamStep {
                name: "smoke".into(),
                path: None,
                after: After::Tag,
                last_run: StepRun::NotRun,
            },
            TeamStep {
                name: "blog".into(),
                path: None,
                after: After::Notes,
                last_run: StepRun::NotRun,
            },
        ];
        let order: Vec<String> = checklist(&state)
            .into_iter()
            .filter(|i| i.stage != Stage::Security)
            .map(|i| i.label.split(':').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            order,
            [
                "pre-push hook installed and live",
                "step freeze",
                "addons-server",
                "addons-frontend",
                "addons-code-manager",
                "step smoke",
                "stage",
                "prod",
                "notes for the next push (2026-12-10) not written",
                "step blog",
                "chat topic",
                "step announce",
            ]
        );
        // Without any environment, deploy-time steps follow the tag.
        state.environments.clear();
        state.steps[0].after = After::Deploy;
        let labels: Vec<String> = checklist(&state).into_iter().map(|i| i.label).collect();
        let announce = labels.iter().position(|l| l.starts_with("step announce"));
        let smoke = labels.iter().position(|l| l.starts_with("step smoke"));
        let notes = labels.iter().position(|l| l.starts_with("notes"));
        assert!(smoke < announce && announce < notes, "{labels:?}");
    }

    #[test]
    fn after_parses_the_points_of_the_week() {
        assert_eq!("deployed".parse(), Ok(After::Deploy));
        assert_eq!(" Tag ".parse(), Ok(After::Tag));
        assert_eq!("security-merge".parse(), Ok(After::SecurityMerge));
        assert_eq!("notes".parse(), Ok(After::Notes));
        assert_eq!("topic".parse(), Ok(After::Topic));
        assert_eq!(After::default(), After::Deploy);
        assert!(
            "lunch"
                .parse::<After>()
                .unwrap_err()
                .contains("not a point of the week")
        );
    }

    #[test]
    fn json_names_state_and_command() {
        let items = checklist(&tuesday());
        let json = serde_json::to_value(&items[2]).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "stage": "security",
                "label": "addons-server: security fix waiting on the mirror: fix-xss",
                "state": "todo",
                "command": "git push-duty security-merge fix-xss"
            })
        );
        assert_eq!(
            serde_json::to_value(NextStep::Done).expect("serializes"),
            serde_json::json!({"next": "done"})
        );
    }
}
