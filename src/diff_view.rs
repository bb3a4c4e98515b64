//! Showing a diff as `git diff --stat` and `git diff` show it, in colour when asked: plain text,
//! so it can be paged, piped or tested. The diff itself is computed by `crate::git::diff`; this is
//! below the commands (as jj's `diff_util`) because two of them show one: `diff`, and
//! `security-merge` before it publishes.

use crate::git::diff::{FileDiff, Kind, Line, Side};

/// The widest `+++--` bar in a stat.
const BAR_WIDTH: usize = 40;

/// The stat, then (unless `stat_only`) a blank line and the patch.
pub fn render(files: &[FileDiff], stat_only: bool, color: bool) -> String {
    if files.is_empty() {
        return String::new();
    }
    let mut text = render_stat(files, color);
    if !stat_only {
        text.push('\n');
        text.push_str(&render_patch(files, color));
    }
    text
}

/// `old => new` for renames and copies, else the path; quoted as git quotes it.
pub fn display_path(file: &FileDiff) -> String {
    match (&file.old, &file.new, file.kind) {
        (Some(old), Some(new), Kind::Renamed | Kind::Copied) => {
            format!(
                "{} => {}",
                quote_path("", &old.path),
                quote_path("", &new.path)
            )
        }
        _ => quote_path("", file.path()),
    }
}

/// ANSI colours as `git diff` uses them.
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[m")
        } else {
            text.to_owned()
        }
    }
    fn meta(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn frag(&self, text: &str) -> String {
        self.wrap("36", text)
    }
    fn removed(&self, text: &str) -> String {
        self.wrap("31", text)
    }
    fn added(&self, text: &str) -> String {
        self.wrap("32", text)
    }
    /// `n` times `ch` in the colour of `paint`; nothing at all (no colour codes) for none.
    fn bar(&self, ch: &str, n: usize, paint: fn(&Self, &str) -> String) -> String {
        if n == 0 {
            String::new()
        } else {
            paint(self, &ch.repeat(n))
        }
    }
}

/// `git diff --stat`: one line per file with its count and bar (or, for a binary file, its sizes),
/// then the summary.
pub fn render_stat(files: &[FileDiff], color: bool) -> String {
    let paint = Paint { on: color };
    let names: Vec<String> = files.iter().map(display_path).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let most = files
        .iter()
        .filter(|f| !f.binary)
        .map(|f| f.insertions + f.deletions)
        .max()
        .unwrap_or(0);
    let mut count_width = most.to_string().len();
    if files.iter().any(|f| f.binary) {
        // "Bin" lines up with the counts, as in git.
        count_width = count_width.max(3);
    }
    let mut text = String::new();
    for (file, name) in files.iter().zip(&names) {
        let pad = name_width - name.chars().count();
        text.push_str(&format!(" {name}{} |", " ".repeat(pad)));
        if file.binary {
            text.push_str(&format!(" {:>count_width$}", "Bin"));
            if file.old.as_ref().map(|s| s.id) != file.new.as_ref().map(|s| s.id) {
                let (old, new) = file.sizes;
                text.push_str(&format!(
                    " {} -> {} bytes",
                    paint.removed(&old.to_string()),
                    paint.added(&new.to_string())
                ));
            }
            text.push('\n');
            continue;
        }
        let count = file.insertions + file.deletions;
        let (plus, minus) = bar(file.insertions, file.deletions, most);
        text.push_str(&format!(
            " {count:>count_width$}{}{}{}\n",
            if count > 0 { " " } else { "" },
            paint.bar("+", plus, Paint::added),
            paint.bar("-", minus, Paint::removed),
        ));
    }
    text.push_str(&summary(files));
    text.push('\n');
    text
}

/// The bar's `+` and `-` counts, scaled down like git's when the largest change is wide.
fn bar(insertions: usize, deletions: usize, most: usize) -> (usize, usize) {
    if most <= BAR_WIDTH {
        return (insertions, deletions);
    }
    let scale = |n: usize| {
        if n == 0 {
            0
        } else {
            (n * BAR_WIDTH / most).max(1)
        }
    };
    (scale(insertions), scale(deletions))
}

/// ` 2 files changed, 3 insertions(+), 1 deletion(-)`; both counts when both are 0, as in git.
pub fn summary(files: &[FileDiff]) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let insertions: usize = files.iter().map(|f| f.insertions).sum();
    let deletions: usize = files.iter().map(|f| f.deletions).sum();
    let mut text = format!(" {} changed", plural(files.len(), "file", "files"));
    if insertions > 0 || deletions == 0 {
        text.push_str(&format!(
            ", {}(+)",
            plural(insertions, "insertion", "insertions")
        ));
    }
    if deletions > 0 || insertions == 0 {
        text.push_str(&format!(
            ", {}(-)",
            plural(deletions, "deletion", "deletions")
        ));
    }
    text
}

/// `prefix` + `path` as git prints a path (`core.quotePath`): in double quotes with C escapes
/// when it holds a control character, a quote, a backslash or a non-ASCII byte. A file name with
/// a newline can then never pass for a line of the diff the hero reviews.
pub fn quote_path(prefix: &str, path: &str) -> String {
    let needs = path
        .bytes()
        .any(|b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\');
    if !needs {
        return format!("{prefix}{path}");
    }
    let mut quoted = format!("\"{prefix}");
    for b in path.bytes() {
        match b {
            0x07 => quoted.push_str("\\a"),
            0x08 => quoted.push_str("\\b"),
            b'\t' => quoted.push_str("\\t"),
            b'\n' => quoted.push_str("\\n"),
            0x0b => quoted.push_str("\\v"),
            0x0c => quoted.push_str("\\f"),
            b'\r' => quoted.push_str("\\r"),
            b'"' => quoted.push_str("\\\""),
            b'\\' => quoted.push_str("\\\\"),
            b if !(0x20..0x7f).contains(&b) => quoted.push_str(&format!("\\{b:03o}")),
            b => quoted.push(char::from(b)),
        }
    }
    quoted.push('"');
    quoted
}

/// `git diff`: the unified diff of every file.
pub fn render_patch(files: &[FileDiff], color: bool) -> String {
    let paint = Paint { on: color };
    let mut text = String::new();
    for file in files {
        let a = file.old.as_ref().map_or(file.path(), |s| s.path.as_str());
        let b = file.new.as_ref().map_or(file.path(), |s| s.path.as_str());
        let mut meta = vec![format!(
            "diff --git {} {}",
            quote_path("a/", a),
            quote_path("b/", b)
        )];
        match (&file.old, &file.new) {
            (None, Some(new)) => meta.push(format!("new file mode {:06o}", new.mode)),
            (Some(old), None) => meta.push(format!("deleted file mode {:06o}", old.mode)),
            (Some(old), Some(new)) if old.mode != new.mode => {
                meta.push(format!("old mode {:06o}", old.mode));
                meta.push(format!("new mode {:06o}", new.mode));
            }
            _ => {}
        }
        if let Some(similarity) = file.similarity {
            meta.push(format!("similarity index {similarity}%"));
        }
        match file.kind {
            Kind::Renamed => {
                meta.push(format!("rename from {}", quote_path("", a)));
                meta.push(format!("rename to {}", quote_path("", b)));
            }
            Kind::Copied => {
                meta.push(format!("copy from {}", quote_path("", a)));
                meta.push(format!("copy to {}", quote_path("", b)));
            }
            _ => {}
        }
        let short = |s: &Option<Side>| {
            s.as_ref().map_or_else(
                || "0000000".to_owned(),
                |s| s.id.to_hex_with_len(7).to_string(),
            )
        };
        let same_mode = match (&file.old, &file.new) {
            (Some(old), Some(new)) if old.mode == new.mode => format!(" {:06o}", new.mode),
            _ => String::new(),
        };
        let content_changed = file.old.as_ref().map(|s| s.id) != file.new.as_ref().map(|s| s.id);
        if content_changed {
            meta.push(format!(
                "index {}..{}{same_mode}",
                short(&file.old),
                short(&file.new)
            ));
        }
        let from = if file.old.is_some() {
            quote_path("a/", a)
        } else {
            "/dev/null".to_owned()
        };
        let to = if file.new.is_some() {
            quote_path("b/", b)
        } else {
            "/dev/null".to_owned()
        };
        if file.binary && content_changed {
            meta.push(format!("Binary files {from} and {to} differ"));
        } else if !file.lines.is_empty() {
            meta.push(format!("--- {from}"));
            meta.push(format!("+++ {to}"));
        }
        for line in meta {
            text.push_str(&paint.meta(&line));
            text.push('\n');
        }
        for line in &file.lines {
            let rendered = match line {
                Line::Hunk(h) => paint.frag(h),
                Line::Context(l) => format!(" {l}"),
                Line::Removed(l) => paint.removed(&format!("-{l}")),
                Line::Added(l) => paint.added(&format!("+{l}")),
                Line::NoNewline => "\\ No newline at end of file".to_owned(),
            };
            text.push_str(&rendered);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::diff::line_diff;
    use gix::ObjectId;

    fn id(n: u8) -> ObjectId {
        ObjectId::from_hex(format!("{n:02x}").repeat(20).as_bytes()).expect("valid hex")
    }

    fn modified(path: &str, old: &str, new: &str) -> FileDiff {
        let mut file = FileDiff {
            kind: Kind::Modified,
            old: Some(Side {
                path: path.into(),
                mode: 0o100644,
                id: id(1),
            }),
            new: Some(Side {
                path: path.into(),
                mode: 0o100644,
                id: id(2),
            }),
            binary: false,
            sizes: (old.len(), new.len()),
            similarity: None,
            insertions: 0,
            deletions: 0,
            lines: Vec::new(),
        };
        line_diff(&mut file, old.as_bytes(), new.as_bytes());
        file
    }

    #[test]
    fn a_patch_reads_like_git_diff() {
        let file = modified("a.txt", "one\ntwo\nthree\n", "one\n2\nthree\n");
        assert_eq!(
            render_patch(&[file], false),
            "diff --git a/a.txt b/a.txt\nindex 0101010..0202020 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
        );
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let file = modified("a.txt", "one\n", "one\ntwo");
        let patch = render_patch(&[file], false);
        assert!(
            patch.ends_with("+two\n\\ No newline at end of file\n"),
            "{patch}"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let file = modified("a.txt", "a\n", "b\n");
        assert!(!render_patch(std::slice::from_ref(&file), false).contains('\x1b'));
        let coloured = render_patch(&[file], true);
        assert!(coloured.contains("\x1b[31m-a\x1b[m"), "{coloured:?}");
        assert!(coloured.contains("\x1b[32m+b\x1b[m"), "{coloured:?}");
    }

    #[test]
    fn the_stat_counts_and_sums() {
        let files = [
            modified("a.txt", "a\nb\n", "a\nc\nd\n"),
            modified("long/name.txt", "x\n", ""),
        ];
        assert_eq!(
            render_stat(&files, false),
            " a.txt         | 3 ++-\n long/name.txt | 1 -\n 2 files changed, 2 insertions(+), 2 deletions(-)\n"
        );
    }

    #[test]
    fn a_stat_paints_no_empty_bars() {
        let mut file = modified("run.sh", "x\n", "x\n");
        file.new.as_mut().expect("new side").mode = 0o100755;
        assert_eq!(
            render_stat(&[file], true),
            " run.sh | 0\n 1 file changed, 0 insertions(+), 0 deletions(-)\n"
        );
    }

    #[test]
    fn wide_bars_are_scaled_but_never_vanish() {
        assert_eq!(bar(400, 1, 401), (39, 1));
        assert_eq!(bar(3, 2, 5), (3, 2));
        assert_eq!(bar(0, 80, 80), (0, 40));
    }
}
