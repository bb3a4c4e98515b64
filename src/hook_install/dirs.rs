//! Where git takes hooks from: `core.hooksPath` (resolved as git resolves it), else the common
//! git directory's `hooks`, which linked worktrees share; and the template directory new clones
//! copy theirs from. Reads configuration only.

use std::path::PathBuf;

use anyhow::Result;

use crate::config;
use crate::error::{Refusal, refuse};

/// `core.hooksPath` as git would use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HooksPath {
    /// Resolved against the top of the worktree (or the git dir of a bare repository).
    pub dir: PathBuf,
    /// The value as set.
    pub value: String,
    /// Where it is set.
    pub origin: String,
}

/// `core.hooksPath`, if set in trusted configuration.
pub fn hooks_path(repo: &gix::Repository) -> Result<Option<HooksPath>> {
    let snapshot = repo.config_snapshot();
    let Some(value) = snapshot
        .trusted_path("core.hooksPath")
        .map_err(|e| anyhow::anyhow!("core.hooksPath cannot be read: {e}"))?
    else {
        return Ok(None);
    };
    let mut origin = String::from("git configuration");
    if let Some(sections) = snapshot.plumbing().sections_by_name("core") {
        for section in sections {
            if section.header().subsection_name().is_none() && section.value("hooksPath").is_some()
            {
                origin = config::describe_origin(section.meta()).to_string();
            }
        }
    }
    let base = repo.workdir().unwrap_or_else(|| repo.git_dir());
    Ok(Some(HooksPath {
        dir: base.join(&value),
        value: value.display().to_string(),
        origin,
    }))
}

/// Where hooks live when `core.hooksPath` is not set: the common git directory's `hooks`,
/// shared by every linked worktree.
pub fn default_dir(repo: &gix::Repository) -> PathBuf {
    repo.common_dir().join("hooks")
}

/// The `hooks` directory of `init.templateDir` (global or system configuration), which `git init`
/// and `git clone` copy into new repositories.
pub fn template_dir() -> Result<PathBuf> {
    let globals = gix::config::File::from_globals()
        .map_err(|e| anyhow::anyhow!("cannot read the global git configuration: {e}"))?;
    let Some(path) = globals.path("init.templateDir") else {
        return refuse(
            Refusal::new("init.templateDir is not set, so there is no template for new clones")
                .hint("set one, then install into it: git config --global init.templateDir ~/.git-template && git push-duty hooks install --template"),
        );
    };
    let home = gix::path::env::home_dir();
    let dir = path
        .interpolate(gix::config::path::interpolate::Context {
            home_dir: home.as_deref(),
            ..Default::default()
        })
        .map_err(|e| anyhow::anyhow!("init.templateDir cannot be read: {e}"))?;
    Ok(dir.join("hooks"))
}
