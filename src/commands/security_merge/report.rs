//! What a security merge says it did: the JSON object for scripts (`--json`), the commits and the
//! diff that go public before the plan, and the last line naming the commit both remotes point
//! to. The model holds ids as ids; text is made from it, never read back from the JSON.

use anyhow::Result;
use gix::ObjectId;

use crate::console::Console;
use crate::git::diff::FileDiff;
use crate::security::remotes::{Remotes, short_hex};

/// What one named branch came to.
#[derive(Debug, Clone)]
pub(super) struct BranchOutcome {
    pub name: String,
    pub tip: ObjectId,
    /// `fast-forward`, `merge` or `already-merged`.
    pub outcome: &'static str,
    /// The new tip after this branch: the branch itself, or the merge commit.
    pub result: Option<ObjectId>,
}

/// A commit that goes public.
#[derive(Debug, Clone)]
pub(super) struct Commit {
    pub id: ObjectId,
    pub subject: String,
}

/// What a run did, or would do.
#[derive(Debug, Clone)]
pub(super) struct Report {
    pub upstream: String,
    pub security: String,
    pub branch: String,
    /// The upstream branch's tip the merge was built on (as recorded, for `--continue`).
    pub base: String,
    pub result: ObjectId,
    pub branches: Vec<BranchOutcome>,
    pub commits: Vec<Commit>,
    pub files: Vec<FileLine>,
    /// The plan was shown and not carried out (`--dry-run`).
    pub dry_run: bool,
    /// The commit both remotes were listed at afterwards; none unless everything was done.
    pub published: Option<ObjectId>,
    pub local_branch: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(super) struct FileLine {
    path: String,
    insertions: usize,
    deletions: usize,
    binary: bool,
}

impl FileLine {
    pub fn of(files: &[FileDiff]) -> Vec<FileLine> {
        files
            .iter()
            .map(|f| FileLine {
                path: f.path().to_owned(),
                insertions: f.insertions,
                deletions: f.deletions,
                binary: f.binary,
            })
            .collect()
    }
}

impl Report {
    /// A report of `remotes`, with nothing merged yet.
    pub fn new(remotes: &Remotes, base: String, result: ObjectId, local_branch: String) -> Self {
        Report {
            upstream: remotes.upstream.clone(),
            security: remotes.security.clone(),
            branch: remotes.branch.clone(),
            base,
            result,
            branches: Vec::new(),
            commits: Vec::new(),
            files: Vec::new(),
            dry_run: false,
            published: None,
            local_branch,
        }
    }

    /// The commits that go public, one line each, then a blank line: what comes before the diff.
    pub fn commits_text(&self) -> String {
        let n = self.commits.len();
        let mut text = format!(
            "{n} commit{} go{} public on {} {}:\n",
            if n == 1 { "" } else { "s" },
            if n == 1 { "es" } else { "" },
            self.upstream,
            self.branch
        );
        for c in &self.commits {
            text.push_str(&format!("  {} {}\n", short_hex(c.id), c.subject));
        }
        text.push('\n');
        text
    }

    /// Prints the JSON object (`json`), or the line that says where both remotes are.
    pub fn print(&self, console: &mut Console<'_>, json: bool) -> Result<()> {
        if json {
            serde_json::to_writer_pretty(&mut *console.out, &self.to_json())?;
            writeln!(console.out)?;
            return Ok(());
        }
        if let Some(published) = &self.published {
            writeln!(
                console.out,
                "{}/{b} and {}/{b} are both at {published}",
                self.upstream,
                self.security,
                b = self.branch
            )?;
        }
        Ok(())
    }

    fn to_json(&self) -> Json<'_> {
        Json {
            upstream: &self.upstream,
            security: &self.security,
            branch: &self.branch,
            base: &self.base,
            result: self.result.to_string(),
            branches: self
                .branches
                .iter()
                .map(|b| BranchJson {
                    name: &b.name,
                    tip: b.tip.to_string(),
                    outcome: b.outcome,
                    result: b.result.map(|id| id.to_string()),
                })
                .collect(),
            commits: self
                .commits
                .iter()
                .map(|c| CommitJson {
                    id: c.id.to_string(),
                    subject: &c.subject,
                })
                .collect(),
            files: &self.files,
            dry_run: self.dry_run,
            published: self.published.map(|id| id.to_string()),
            local_branch: &self.local_branch,
        }
    }
}

#[derive(serde::Serialize)]
struct Json<'a> {
    upstream: &'a str,
    security: &'a str,
    branch: &'a str,
    base: &'a str,
    result: String,
    branches: Vec<BranchJson<'a>>,
    commits: Vec<CommitJson<'a>>,
    files: &'a [FileLine],
    dry_run: bool,
    published: Option<String>,
    local_branch: &'a str,
}

#[derive(serde::Serialize)]
struct BranchJson<'a> {
    name: &'a str,
    tip: String,
    outcome: &'static str,
    result: Option<String>,
}

#[derive(serde::Serialize)]
struct CommitJson<'a> {
    id: String,
    subject: &'a str,
}
