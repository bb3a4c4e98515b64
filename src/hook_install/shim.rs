//! The text of an installed hook: a short sh shim between marker lines that runs this binary's
//! hidden `hook <name>` command, as git-branchless writes its hooks. Pure: render a shim that
//! records the binary, tell ours from another tool's, and replace or remove our block while
//! keeping every line someone added around it.

use std::path::Path;

/// A hook this tool installs: its name (the file's name in a hooks directory, and git's name
/// for it) and its shim as committed under `hooks/`. The marker lines and the name a replaced
/// hook is kept under follow from the name, so a second hook (a server's `pre-receive`) is one
/// more constant with its own template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shim {
    pub hook: &'static str,
    /// The shim as committed; until installed it finds the binary on PATH.
    pub template: &'static str,
    /// The commands that install and remove it, for hints.
    pub install: &'static str,
    pub uninstall: &'static str,
}

/// The client-side guard: git runs it before every push.
pub const PRE_PUSH: Shim = Shim {
    hook: "pre-push",
    template: include_str!("../../hooks/pre-push"),
    install: "git push-duty hooks install",
    uninstall: "git push-duty hooks uninstall",
};

/// The server guard: the security mirror's bare repository runs it before accepting any push.
pub const PRE_RECEIVE: Shim = Shim {
    hook: "pre-receive",
    template: include_str!("../../hooks/pre-receive"),
    install: "git push-duty hooks install --server",
    uninstall: "git push-duty hooks uninstall --server",
};

/// The template's line naming the binary; install records the absolute path in it.
const BINARY_LINE: &str = "push_duty='git-push-duty'";
const BINARY_PREFIX: &str = "push_duty=";

impl Shim {
    /// Where a hook that was there before is kept (`pre-push.local`); the shim runs it first.
    pub fn chained(&self) -> String {
        format!("{}.local", self.hook)
    }

    fn start(&self) -> String {
        format!("# >>> git-push-duty {} hook", self.hook)
    }

    fn end(&self) -> String {
        format!("# <<< git-push-duty {} hook <<<", self.hook)
    }

    /// The shim recording `binary` (it falls back to PATH if that path is gone).
    pub fn render(&self, binary: &Path) -> String {
        let quoted = shell_quote(&binary.to_string_lossy());
        self.template
            .replacen(BINARY_LINE, &format!("{BINARY_PREFIX}{quoted}"), 1)
    }

    /// True if `content` holds our marker line.
    pub fn is_ours(&self, content: &str) -> bool {
        let start = self.start();
        content.lines().any(|l| l.starts_with(&start))
    }

    /// Our marked block in `content`, marker lines included (to the end if the end marker is
    /// gone).
    pub fn block(&self, content: &str) -> Option<String> {
        let (start, end) = (self.start(), self.end());
        let mut found = String::new();
        let mut inside = false;
        for line in content.split_inclusive('\n') {
            if line.starts_with(&start) {
                inside = true;
            }
            if inside {
                found.push_str(line);
                if line.starts_with(&end) {
                    break;
                }
            }
        }
        inside.then_some(found)
    }

    /// `content` with our block replaced by the one in `shim`, keeping every line around it.
    pub fn with_block(&self, content: &str, shim: &str) -> String {
        let (start, end) = (self.start(), self.end());
        let new = self.block(shim).unwrap_or_default();
        let mut out = String::new();
        let (mut inside, mut replaced) = (false, false);
        for line in content.split_inclusive('\n') {
            if inside {
                inside = !line.starts_with(&end);
            } else if !replaced && line.starts_with(&start) {
                out.push_str(&new);
                (inside, replaced) = (true, true);
            } else {
                out.push_str(line);
            }
        }
        out
    }

    /// `content` without our marked block; `None` when nothing but a `#!` line would be left.
    pub fn without_ours(&self, content: &str) -> Option<String> {
        let (start, end) = (self.start(), self.end());
        let mut kept = Vec::new();
        let mut inside = false;
        for line in content.lines() {
            if line.starts_with(&start) {
                inside = true;
            } else if line.starts_with(&end) {
                inside = false;
            } else if !inside {
                kept.push(line);
            }
        }
        let meaningful = kept
            .iter()
            .any(|l| !l.trim().is_empty() && !l.starts_with("#!"));
        meaningful.then(|| kept.join("\n") + "\n")
    }
}

/// The binary path an installed shim records.
pub fn recorded_binary(content: &str) -> Option<String> {
    let line = content.lines().find(|l| l.starts_with(BINARY_PREFIX))?;
    shell_unquote(line.strip_prefix(BINARY_PREFIX)?)
}

/// The shim's own form of a quoted path, always in single quotes, which [`shell_unquote`] reads
/// back: an installed shim is current only if its line is exactly what is written now.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn shell_unquote(text: &str) -> Option<String> {
    // Only what shell_quote writes: '...' pieces joined by \'.
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix("\\'") {
            out.push('\'');
            rest = tail;
        } else {
            let inner = rest.strip_prefix('\'')?;
            let end = inner.find('\'')?;
            out.push_str(&inner[..end]);
            rest = &inner[end + 1..];
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_one_binary_line_and_both_markers() {
        let template = PRE_PUSH.template;
        assert_eq!(template.matches(BINARY_LINE).count(), 1);
        assert!(PRE_PUSH.is_ours(template));
        assert!(template.starts_with("#!/bin/sh\n"));
        assert!(template.contains(&PRE_PUSH.end()));
        assert_eq!(recorded_binary(template).as_deref(), Some("git-push-duty"));
        assert_eq!(PRE_PUSH.chained(), "pre-push.local");
    }

    #[test]
    fn render_records_the_binary_and_reads_it_back() {
        for path in [
            "/usr/local/bin/git-push-duty",
            "/home/o'neil/bin/git push-duty",
        ] {
            let shim = PRE_PUSH.render(Path::new(path));
            assert_eq!(recorded_binary(&shim).as_deref(), Some(path));
            assert!(PRE_PUSH.is_ours(&shim));
            assert!(!shim.contains(BINARY_LINE));
        }
    }

    #[test]
    fn without_ours_keeps_only_foreign_lines() {
        let shim = PRE_PUSH.render(Path::new("/bin/x"));
        assert_eq!(PRE_PUSH.without_ours(&shim), None);
        let mixed = format!("{shim}echo mine\n");
        assert_eq!(
            PRE_PUSH.without_ours(&mixed).as_deref(),
            Some("#!/bin/sh\necho mine\n")
        );
        assert!(!PRE_PUSH.is_ours("#!/bin/sh\nexec husky\n"));
    }

    #[test]
    fn with_block_replaces_only_our_block() {
        let old = PRE_PUSH.render(Path::new("/old/x"));
        let new = PRE_PUSH.render(Path::new("/new/x"));
        assert_eq!(PRE_PUSH.with_block(&old, &new), new);
        let edited = old.replacen("#!/bin/sh\n", "#!/bin/sh\necho before\n", 1) + "echo after\n";
        let updated = PRE_PUSH.with_block(&edited, &new);
        assert_eq!(
            updated,
            new.replacen("#!/bin/sh\n", "#!/bin/sh\necho before\n", 1) + "echo after\n"
        );
        assert_eq!(PRE_PUSH.block(&updated), PRE_PUSH.block(&new));
        assert_eq!(PRE_PUSH.block("#!/bin/sh\necho mine\n"), None);
    }

    #[test]
    fn another_hooks_shim_is_not_taken_for_ours() {
        // What a server-side hook's shim looks like: its own markers, its own chained hook.
        let other = Shim {
            hook: "pre-receive",
            template: "#!/bin/sh\n# >>> git-push-duty pre-receive hook (format 1) >>>\npush_duty='git-push-duty'\nexec \"$push_duty\" hook pre-receive\n# <<< git-push-duty pre-receive hook <<<\n",
            install: "git push-duty hooks install --server",
            uninstall: "git push-duty hooks uninstall --server",
        };
        let theirs = other.render(Path::new("/bin/x"));
        let ours = PRE_PUSH.render(Path::new("/bin/x"));
        assert!(other.is_ours(&theirs) && !PRE_PUSH.is_ours(&theirs));
        assert!(!other.is_ours(&ours));
        assert_eq!(other.chained(), "pre-receive.local");
        // Both blocks in one file: each removes only its own.
        let both = format!("{ours}{}", theirs.trim_start_matches("#!/bin/sh\n"));
        let left = PRE_PUSH.without_ours(&both).expect("the other block stays");
        assert!(other.is_ours(&left) && !PRE_PUSH.is_ours(&left));
    }

    #[test]
    fn unquoting_refuses_what_quoting_never_writes() {
        assert_eq!(shell_unquote("'a'\\''b'").as_deref(), Some("a'b"));
        assert_eq!(shell_unquote("'open"), None);
        assert_eq!(shell_unquote("bare"), None);
        assert_eq!(shell_unquote("").as_deref(), Some(""));
    }
}
