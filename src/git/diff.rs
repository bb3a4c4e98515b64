//! What changes between two commits, file by file: gix's tree diff finds the files (with renames
//! as git config asks), `similar` the lines. Computing only: showing it as `git diff --stat` and
//! `git diff` do is `crate::diff_view`'s job, so a command can count what it does not print
//! (`security-merge --json`).

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::object::tree::diff::ChangeDetached;
use gix::objs::tree::EntryMode;

/// Lines of context around each change, as `git diff`.
const CONTEXT: usize = 3;
/// A file is binary (no line diff) if its first this many bytes hold a NUL, as git decides.
const BINARY_PROBE: usize = 8000;

/// One side of a changed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub path: String,
    pub mode: u16,
    pub id: ObjectId,
}

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Deleted,
    Modified,
    Renamed,
    Copied,
}

/// One line of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Hunk(String),
    Context(String),
    Removed(String),
    Added(String),
    /// `\ No newline at end of file` after the line before it.
    NoNewline,
}

/// A changed file with its line diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    pub kind: Kind,
    pub old: Option<Side>,
    pub new: Option<Side>,
    pub binary: bool,
    /// The size in bytes of the old and the new side (0 for a side that is missing): a binary
    /// file's stat shows them.
    pub sizes: (usize, usize),
    /// For renames and copies: how alike the two sides are, in percent.
    pub similarity: Option<u32>,
    pub insertions: usize,
    pub deletions: usize,
    pub lines: Vec<Line>,
}

impl FileDiff {
    /// The path a reader looks for: the new one, or the old one for a deletion.
    pub fn path(&self) -> &str {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map_or("", |s| s.path.as_str())
    }
}

/// The files that differ between the trees of commits `old` and `new`, sorted by path.
pub fn between(repo: &gix::Repository, old: ObjectId, new: ObjectId) -> Result<Vec<FileDiff>> {
    let old_tree = tree_of(repo, old)?;
    let new_tree = tree_of(repo, new)?;
    let changes = repo
        .diff_tree_to_tree(&old_tree, &new_tree, None)
        .with_context(|| format!("cannot compare {old} with {new}"))?;
    let mut files = Vec::new();
    for change in changes {
        if let Some(file) = file_diff(repo, change)? {
            files.push(file);
        }
    }
    files.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(files)
}

fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<gix::Tree<'_>> {
    repo.find_commit(commit)
        .with_context(|| format!("cannot read commit {commit}"))?
        .tree()
        .with_context(|| format!("cannot read the tree of {commit}"))
}

fn side(location: &gix::bstr::BStr, mode: EntryMode, id: ObjectId) -> Option<Side> {
    // Directories are not files: their contents show up one by one.
    (!mode.is_tree()).then(|| Side {
        path: location.to_string(),
        mode: mode.value(),
        id,
    })
}

fn file_diff(repo: &gix::Repository, change: ChangeDetached) -> Result<Option<FileDiff>> {
    let mut similarity = None;
    let (kind, old, new) = match change {
        ChangeDetached::Addition {
            location,
            entry_mode,
            id,
            ..
        } => (Kind::Added, None, side(location.as_ref(), entry_mode, id)),
        ChangeDetached::Deletion {
            location,
            entry_mode,
            id,
            ..
        } => (Kind::Deleted, side(location.as_ref(), entry_mode, id), None),
        ChangeDetached::Modification {
            location,
            previous_entry_mode,
            previous_id,
            entry_mode,
            id,
        } => (
            Kind::Modified,
            side(location.as_ref(), previous_entry_mode, previous_id),
            side(location.as_ref(), entry_mode, id),
        ),
        ChangeDetached::Rewrite {
            source_location,
            source_entry_mode,
            source_id,
            entry_mode,
            id,
            location,
            copy,
            diff,
            ..
        } => {
            // Identical sides come without line stats.
            similarity = Some(diff.map_or(100, |d| (d.similarity * 100.0) as u32));
            (
                if copy { Kind::Copied } else { Kind::Renamed },
                side(source_location.as_ref(), source_entry_mode, source_id),
                side(location.as_ref(), entry_mode, id),
            )
        }
    };
    // A directory replaced by a file (or back) is one addition or deletion of the file.
    let kind = match (kind, &old, &new) {
        (_, None, None) => return Ok(None),
        (Kind::Modified, None, Some(_)) => Kind::Added,
        (Kind::Modified, Some(_), None) => Kind::Deleted,
        (kind, _, _) => kind,
    };
    let old_data = content(repo, old.as_ref())?;
    let new_data = content(repo, new.as_ref())?;
    let binary = is_binary(&old_data) || is_binary(&new_data);
    let mut file = FileDiff {
        kind,
        old,
        new,
        binary,
        sizes: (old_data.len(), new_data.len()),
        similarity,
        insertions: 0,
        deletions: 0,
        lines: Vec::new(),
    };
    if !binary {
        line_diff(&mut file, &old_data, &new_data);
    }
    Ok(Some(file))
}

fn content(repo: &gix::Repository, side: Option<&Side>) -> Result<Vec<u8>> {
    let Some(side) = side else {
        return Ok(Vec::new());
    };
    if EntryMode::from(gix::objs::tree::EntryKind::Commit).value() == side.mode {
        // A submodule: git shows the commit it points to.
        return Ok(format!("Subproject commit {}\n", side.id).into_bytes());
    }
    let object = repo
        .find_object(side.id)
        .with_context(|| format!("cannot read {} ({})", side.path, side.id))?;
    Ok(object.data.clone())
}

pub(crate) fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_PROBE)].contains(&0)
}

pub(crate) fn line_diff(file: &mut FileDiff, old: &[u8], new: &[u8]) {
    use similar::ChangeTag;
    // Lines are compared as bytes, as git does: made UTF-8 first, two lines that differ only in
    // bytes that are not UTF-8 (a Latin-1 file) would read as equal and the change would not show.
    let diff = similar::TextDiff::configure()
        .newline_terminated(true)
        .diff_lines(old, new);
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => file.insertions += 1,
            ChangeTag::Delete => file.deletions += 1,
            ChangeTag::Equal => {}
        }
    }
    let mut unified = diff.unified_diff();
    unified.context_radius(CONTEXT);
    for hunk in unified.iter_hunks() {
        file.lines.push(Line::Hunk(hunk.header().to_string()));
        for change in hunk.iter_changes() {
            let text = change.value();
            let text =
                String::from_utf8_lossy(text.strip_suffix(b"\n").unwrap_or(text)).into_owned();
            file.lines.push(match change.tag() {
                ChangeTag::Equal => Line::Context(text),
                ChangeTag::Delete => Line::Removed(text),
                ChangeTag::Insert => Line::Added(text),
            });
            if change.missing_newline() {
                file.lines.push(Line::NoNewline);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_means_a_nul_near_the_start() {
        assert!(is_binary(b"PNG\0\x01"));
        assert!(!is_binary(b"plain text\n"));
    }
}
