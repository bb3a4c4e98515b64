//! Pushing, through `git push --porcelain`: gix cannot push, and the user's credentials, push URLs
//! and hooks (our own pre-push guard among them) must apply. Never forced.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::error::{Refusal, refuse};

/// How one ref fared, from git's porcelain flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefStatus {
    /// ` ` fast-forward, `*` new ref, `-` deleted.
    Updated,
    /// `=` the remote already had it.
    UpToDate,
    /// `!` rejected (by the remote, a hook, or git itself).
    Rejected,
}

/// One line of `git push --porcelain` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefResult {
    pub status: RefStatus,
    pub refspec: String,
    pub summary: String,
}

/// Parses porcelain output: `<flag>\t<from>:<to>\t<summary>` lines between `To <url>` and `Done`.
pub fn parse_porcelain(stdout: &str) -> Vec<RefResult> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            let flag = fields.next()?;
            let refspec = fields.next()?;
            let summary = fields.next().unwrap_or_default();
            let status = match flag {
                " " | "*" | "-" | "+" => RefStatus::Updated,
                "=" => RefStatus::UpToDate,
                "!" => RefStatus::Rejected,
                _ => return None,
            };
            Some(RefResult {
                status,
                refspec: refspec.to_owned(),
                summary: summary.to_owned(),
            })
        })
        .collect()
}

/// Runs `git push --porcelain <remote> <refspecs>...` from `dir` (the worktree, or the git dir of
/// a bare repository). The user's stderr is passed through so hook messages and credential
/// prompts appear as in a normal push. Exactly `refspecs` are pushed: `push.followTags` would
/// add every local annotated tag on the pushed history (a private tag, a tag the mirror must not
/// get). Refuses, naming the remote, if anything was not pushed.
pub fn push(dir: &Path, remote: &str, refspecs: &[String]) -> Result<Vec<RefResult>> {
    debug_assert!(refspecs.iter().all(|r| !r.starts_with('+')), "never force");
    let output = Command::new("git")
        .current_dir(dir)
        .arg("push")
        .arg("--porcelain")
        .arg("--no-follow-tags")
        .arg(remote)
        .args(refspecs)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run git push: is git installed and on PATH?")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let results = parse_porcelain(&stdout);
    let rejected: Vec<&RefResult> = results
        .iter()
        .filter(|r| r.status == RefStatus::Rejected)
        .collect();
    if output.status.success() && rejected.is_empty() {
        return Ok(results);
    }
    let detail = if rejected.is_empty() {
        format!("git push exited with {}", output.status)
    } else {
        rejected
            .iter()
            .map(|r| format!("{} {}", r.refspec, r.summary))
            .collect::<Vec<_>>()
            .join("; ")
    };
    refuse(Refusal::new(format!(
        "git push to {remote} did not go through: {detail}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_lines_are_read_and_the_rest_ignored() {
        let out = "To /tmp/up.git\n*\trefs/tags/2026.12.03:refs/tags/2026.12.03\t[new tag]\n=\trefs/heads/main:refs/heads/main\t[up to date]\n!\trefs/heads/x:refs/heads/x\t[rejected] (fetch first)\nDone\n";
        let results = parse_porcelain(out);
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].status, RefStatus::Updated);
        assert_eq!(results[0].summary, "[new tag]");
        assert_eq!(results[1].status, RefStatus::UpToDate);
        assert_eq!(results[2].status, RefStatus::Rejected);
        assert_eq!(results[2].refspec, "refs/heads/x:refs/heads/x");
    }
}
