//! The train: this repository and the sibling clones `pushduty.repo` lists, tagged together for
//! one push date. Each member is opened with its own settings (its own remotes, branch and tags)
//! and worked on from its own top directory, as git would (a relative remote URL such as
//! `../upstream.git` is relative to it). The commands loop over [`members`]; each member is the
//! same per-repository code a single repository runs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::week::Week;
use crate::config::{REPO, Settings};
use crate::error::Refusal;

/// One repository of the train.
pub struct Member {
    /// What it is called in plans and reports: the upstream's repository name on a forge
    /// (`addons-server`), else the directory's name.
    pub name: String,
    /// Its top directory, absolute.
    pub top: PathBuf,
    /// `pushduty.repo` as written; `None` for this repository.
    pub configured: Option<String>,
    pub repo: gix::Repository,
    pub settings: Settings,
}

impl Member {
    /// True for the repository the command runs in.
    pub fn is_here(&self) -> bool {
        self.configured.is_none()
    }

    /// Runs `work` from this member's top directory, then returns to where the process was:
    /// relative remote URLs are resolved against the process's directory.
    pub fn within<T>(&self, work: impl FnOnce(&Member) -> Result<T>) -> Result<T> {
        let back = std::env::current_dir().context("cannot read the current directory")?;
        std::env::set_current_dir(&self.top)
            .with_context(|| format!("cannot change to {}", self.top.display()))?;
        let result = work(self);
        std::env::set_current_dir(&back)
            .with_context(|| format!("cannot change back to {}", back.display()))?;
        result
    }
}

/// This repository first, then each `pushduty.repo` in order, each opened and its settings read.
/// A listed path that is no clone is an error naming the key and the file that lists it.
pub fn members(repo: &gix::Repository, week: &Week) -> Result<Vec<Member>> {
    let mut members = vec![Member {
        name: name_of(repo, &week.settings.upstream, &week.top),
        top: week.top.clone(),
        configured: None,
        repo: repo.clone(),
        settings: week.settings.clone(),
    }];
    let listed = week.train()?;
    if !listed.is_empty() {
        // git would take these for every repository of the train, and `git push` in a sibling
        // would push from this one.
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
        ] {
            if std::env::var_os(var).is_some() {
                return Err(Refusal::usage(format!(
                    "{var} is set, which would point git at one repository for every repository of the train: nothing was done"
                ))
                .hint(format!("unset {var}, and run this from the top of the clone"))
                .into());
            }
        }
    }
    for listed in listed {
        let sibling = open(&listed.path).map_err(|e| {
            anyhow::Error::new(
                Refusal::configuration(format!(
                    "{REPO} = {:?} (set in {}): {} is not a clone git-push-duty can open: {e:#}",
                    listed.configured,
                    listed.origin,
                    listed.path.display()
                ))
                .hint(format!(
                    "clone it there, or correct the path in {} (it is relative to {})",
                    listed.origin,
                    week.top.display()
                )),
            )
        })?;
        let top = crate::git::top(&sibling)?;
        let settings = Settings::load(&sibling)
            .with_context(|| format!("cannot read the settings of {}", top.display()))?;
        members.push(Member {
            name: name_of(&sibling, &settings.upstream, &top),
            top,
            configured: Some(listed.configured),
            repo: sibling,
            settings,
        });
    }
    Ok(members)
}

/// Opens the clone at `path` (its worktree, not a bare repository), with the same `git -c`
/// overrides as this repository.
fn open(path: &Path) -> Result<gix::Repository> {
    if !path.is_dir() {
        anyhow::bail!("there is no directory there");
    }
    let overrides = crate::git::config_parameters::overrides()?;
    // Not `GIT_DIR`: it names the repository the command runs in, never a sibling.
    let repo = gix::open_opts(path, gix::open::Options::default().cli_overrides(overrides))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(workdir) = repo.workdir() else {
        anyhow::bail!("it is a bare repository");
    };
    // A path inside another clone opens that clone: only its top counts.
    let (a, b) = (workdir.canonicalize()?, path.canonicalize()?);
    if a != b {
        anyhow::bail!(
            "it is inside the clone at {}, not the top of one",
            a.display()
        );
    }
    Ok(repo)
}

/// The upstream's repository name on a forge, else the directory's name.
pub fn name_of(repo: &gix::Repository, upstream: &str, top: &Path) -> String {
    let urls = crate::git::remote::link_urls(repo, upstream);
    if let Some(web) = urls
        .iter()
        .find_map(|url| crate::forge::WebRepo::from_url(url))
        && let Some(last) = web.path.rsplit('/').next()
    {
        return last.to_owned();
    }
    top.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| top.display().to_string())
}

/// What a command said when run for one member: its streams, and how it ended.
pub struct Said {
    pub out: String,
    pub err: String,
    pub result: Result<()>,
}

impl Said {
    /// The error as the user would read it (`error: ...`, `hint: ...`), when it failed, with
    /// the kind and hints `edge` (the command's) gives the errors of the git layer.
    pub fn error_text(&self, edge: &dyn crate::error::Edge) -> Option<String> {
        let e = self.result.as_ref().err()?;
        let mut text = Vec::new();
        crate::error::report(e, edge, &mut text);
        Some(String::from_utf8_lossy(&text).into_owned())
    }
}

/// Runs one member's command with its output kept (nothing on the terminal, no questions).
pub fn capture(
    member: &Member,
    run: impl FnOnce(&Member, &mut crate::console::Console<'_>) -> Result<()>,
) -> Said {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut input = std::io::empty();
    let result = {
        let mut console =
            crate::console::Console::new(&mut out, &mut err, &mut input, false, false);
        member.within(|m| run(m, &mut console))
    };
    Said {
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
        result,
    }
}

/// `KEY (PATH)`, how a member is named in a plan or a report.
pub fn heading(member: &Member) -> String {
    match &member.configured {
        None => format!("{} (here)", member.name),
        Some(path) => format!("{} ({path})", member.name),
    }
}

/// Each line of `text` indented by two spaces.
pub fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
