//! A practice week in a new directory that touches no real remote: bare `upstream` and
//! `security` repositories with a few weeks of history and calendar tags, a second repository
//! for the train, a team file (the step, and the rotation, notes URL and train where this build
//! knows those settings), a clone with the pre-push hook installed, a reviewed security fix
//! waiting on the mirror, and a simulated stage: `file://` version URLs pointing at JSON files
//! that `deploy.sh` "deploys" a tag into.
//!
//! It is built with the `git` command and this binary (`hooks install`), as a person would set
//! up their clones, with git's global and system config left out (no signing prompt, no global
//! hooks) and a fixed practice identity. It only ever writes inside the new directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};

use crate::config::KEYS;
use crate::error::{Refusal, refuse};

/// The repository the hero works in, and the second repository of the train.
pub const SERVER: &str = "addons-server";
pub const FRONTEND: &str = "addons-frontend";
/// The reviewed fix waiting on the mirror.
pub const FIX_BRANCH: &str = "fix-xss";

/// What was made, for the commands printed.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub dir: PathBuf,
    pub push_date: NaiveDate,
    /// The tag this push gets.
    pub tag: String,
    /// True if this build knows `pushduty.repo`, so the second repository is in the train.
    pub train: bool,
    /// True if this build knows the rotation and notes (`who`, `notes`, `topic`).
    pub week: bool,
}

/// True if this build reads `key`: the sandbox writes only settings it knows (an unknown key
/// is an error for every command).
pub fn knows(key: &str) -> bool {
    KEYS.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// Checks that `dir` can hold a new sandbox: absent, or an empty directory that is not a
/// symlink. Refuses anything else, changing nothing.
pub fn check_target(dir: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot look at {}", dir.display())),
        Ok(meta) => meta,
    };
    let why = if meta.file_type().is_symlink() {
        "is a symbolic link (the sandbox would be made wherever it points)"
    } else if !meta.is_dir() {
        "is not a directory"
    } else if std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .next()
        .is_some()
    {
        "is not empty"
    } else {
        return Ok(());
    };
    refuse(
        Refusal::usage(format!("{} {why}; nothing was changed", dir.display()))
            .hint("name a new directory: git push-duty sandbox /tmp/practice"),
    )
}

/// Builds the sandbox in `dir` (checked with [`check_target`] first) for the push on
/// `push_date`.
pub fn create(dir: &Path, push_date: NaiveDate) -> Result<Sandbox> {
    check_target(dir)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    let b = Builder {
        dir: dir.clone(),
        exe: std::env::current_exe().context("cannot find this program's path")?,
    };
    let sandbox = Sandbox {
        tag: push_date.format("%Y.%m.%d").to_string(),
        dir,
        push_date,
        train: knows("pushduty.repo"),
        week: knows("pushduty.hero") && knows("pushduty.notesUrl"),
    };
    b.build(&sandbox).with_context(|| {
        format!(
            "the practice week in {} is incomplete; remove it (rm -rf {}) and run this again",
            sandbox.dir.display(),
            sandbox.dir.display()
        )
    })?;
    Ok(sandbox)
}

struct Builder {
    dir: PathBuf,
    exe: PathBuf,
}

/// git's variables that would point a command at another repository than the one named.
const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
];

impl Builder {
    fn command(&self, program: &Path, dir: &Path, date: Option<NaiveDate>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir);
        for var in REPOSITORY_VARIABLES {
            cmd.env_remove(var);
        }
        let when = date
            .map(|d| format!("{} 10:00:00 +0000", d.format("%Y-%m-%d")))
            .unwrap_or_else(|| "2026-01-01 10:00:00 +0000".into());
        cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "Practice Developer")
            .env("GIT_AUTHOR_EMAIL", "developer@sandbox.invalid")
            .env("GIT_COMMITTER_NAME", "Practice Developer")
            .env("GIT_COMMITTER_EMAIL", "developer@sandbox.invalid")
            .env("GIT_AUTHOR_DATE", &when)
            .env("GIT_COMMITTER_DATE", &when);
        cmd
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Result<String> {
        self.git_on(dir, None, args)
    }

    fn git_on(&self, dir: &Path, date: Option<NaiveDate>, args: &[&str]) -> Result<String> {
        let mut cmd = self.command(Path::new("git"), dir, date);
        cmd.args(args);
        run(cmd, &format!("git {}", args.join(" ")), dir)
    }

    fn write(&self, path: &Path, text: &str, executable: bool) -> Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        #[cfg(unix)]
        if executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
        #[cfg(not(unix))]
        let _ = executable;
        Ok(())
    }

    fn commit(
        &self,
        repo: &Path,
        date: NaiveDate,
        file: &str,
        text: &str,
        message: &str,
    ) -> Result<()> {
        self.write(
            &repo.join(file),
            text,
            file.ends_with(".sh") || file.starts_with("bin/"),
        )?;
        self.git(repo, &["add", "--", file])?;
        self.git_on(repo, Some(date), &["commit", "-q", "-m", message])?;
        Ok(())
    }

    fn tag(&self, repo: &Path, date: NaiveDate, name: &str, at: &str) -> Result<()> {
        self.git_on(
            repo,
            Some(date),
            &["tag", "-a", "-m", &format!("Push {name}"), name, at],
        )?;
        Ok(())
    }

    fn build(&self, s: &Sandbox) -> Result<()> {
        let remotes = self.dir.join("remotes");
        std::fs::create_dir_all(&remotes)
            .with_context(|| format!("cannot create {}", remotes.display()))?;
        for bare in [
            format!("{SERVER}.git"),
            format!("{SERVER}-security.git"),
            format!("{FRONTEND}.git"),
        ] {
            self.git(&remotes, &["init", "-q", "--bare", "-b", "main", &bare])?;
        }
        let server = self.repository(s, SERVER, "./scripts/extract-l10n.sh")?;
        let frontend = self.repository(s, FRONTEND, "./bin/run-l10n-extraction")?;

        // The mirror holds the upstream's main, and a reviewed fix on its own branch.
        let security = format!("../remotes/{SERVER}-security.git");
        self.git(&server, &["remote", "add", "security", &security])?;
        self.git(&server, &["push", "-q", "--no-verify", "security", "main"])?;
        self.git(&server, &["switch", "-q", "-c", FIX_BRANCH])?;
        self.commit(
            &server,
            s.push_date - Duration::days(3),
            "src/reviews.py",
            "def show(name):\n    return escape(name)\n",
            "Escape user names on the review page (embargoed, reviewed)",
        )?;
        self.git(
            &server,
            &["push", "-q", "--no-verify", "security", FIX_BRANCH],
        )?;
        self.git(&server, &["switch", "-q", "main"])?;
        self.git(&server, &["branch", "-q", "-D", FIX_BRANCH])?;
        self.git(&server, &["fetch", "-q", "security"])?;

        // The simulated stage runs the last push everywhere.
        let stage = self.dir.join("stage");
        for (repo, name) in [(&server, SERVER), (&frontend, FRONTEND)] {
            let file = stage.join(format!("{name}.json"));
            let url = reqwest::Url::from_file_path(&file)
                .map_err(|()| anyhow::anyhow!("{} is not an absolute path", file.display()))?
                .to_string();
            self.git(repo, &["config", "pushduty.stage.url", &url])?;
            let last = self.last_push_tag(s);
            let commit = self.git(repo, &["rev-parse", &format!("{last}^{{commit}}")])?;
            self.write(
                &stage.join(format!("{name}.json")),
                &version_json(&last, &commit, name),
                false,
            )?;
        }
        self.write(&self.dir.join("deploy.sh"), DEPLOY_SCRIPT, true)?;
        self.write(&self.dir.join("land-fix.sh"), LAND_FIX_SCRIPT, true)?;

        // The hook, installed by this very binary, as `git push-duty hooks install` would.
        let mut install = self.command(&self.exe, &server, None);
        install.args(["hooks", "install"]);
        run(install, "git push-duty hooks install", &server)?;
        Ok(())
    }

    fn last_push_tag(&self, s: &Sandbox) -> String {
        format!("{}-1", (s.push_date - Duration::days(7)).format("%Y.%m.%d"))
    }

    /// A bare upstream `remotes/NAME.git` and a clone `NAME` with three past pushes tagged (the
    /// last with a cherry-pick revision) and this week's work on top, pushed.
    fn repository(&self, s: &Sandbox, name: &str, step: &str) -> Result<PathBuf> {
        let work = self.dir.join(name);
        self.git(&self.dir, &["init", "-q", "-b", "main", name])?;
        self.git(&work, &["config", "user.name", "Practice Hero"])?;
        self.git(&work, &["config", "user.email", "hero@sandbox.invalid"])?;
        let upstream = format!("../remotes/{name}.git");
        self.git(&work, &["remote", "add", "upstream", &upstream])?;

        let start = s.push_date - Duration::days(7 * 4);
        self.write(
            &work.join(crate::config::TEAM_FILE),
            &team_file(s, name, step),
            false,
        )?;
        self.commit(
            &work,
            start,
            "README.md",
            &format!("# {name}\n\nA practice repository.\n"),
            "Start the project",
        )?;
        // What the practice locale extraction writes is not committed.
        self.write(&work.join(".gitignore"), "/locale/\n", false)?;
        self.git(&work, &["add", crate::config::TEAM_FILE, ".gitignore"])?;
        self.git_on(
            &work,
            Some(start),
            &["commit", "-q", "-m", "The team's push-duty settings"],
        )?;
        let script = if step.starts_with("./bin/") {
            "bin/run-l10n-extraction"
        } else {
            "scripts/extract-l10n.sh"
        };
        self.commit(
            &work,
            start,
            script,
            "#!/bin/sh\n# Practice locale extraction: writes the catalogue, as the real one would.\nmkdir -p locale\ndate -u +\"extracted %Y-%m-%d %H:%M UTC\" > locale/templates.pot\necho \"extracted the strings into locale/templates.pot\"\n",
            "Add the locale extraction",
        )?;
        for week in (1..=3).rev() {
            let push = s.push_date - Duration::days(7 * week);
            let tagged_on = push - Duration::days(2);
            for n in 1..=2 {
                self.commit(
                    &work,
                    tagged_on - Duration::days(n),
                    &format!("src/feature-{week}-{n}.txt"),
                    &format!("feature {week}.{n}\n"),
                    &format!("Add feature {n} of the {} push", push.format("%Y-%m-%d")),
                )?;
            }
            let base = push.format("%Y.%m.%d").to_string();
            self.tag(&work, tagged_on, &base, "HEAD")?;
            if week == 1 {
                // A cherry-pick revision: a fix onto the tag, also merged on main.
                self.git(&work, &["switch", "-q", "--detach", &base])?;
                self.commit(
                    &work,
                    tagged_on,
                    "src/crash.txt",
                    "fixed\n",
                    "Fix the crash on the search page",
                )?;
                self.tag(&work, tagged_on, &format!("{base}-1"), "HEAD")?;
                self.git(&work, &["switch", "-q", "main"])?;
                self.commit(
                    &work,
                    tagged_on,
                    "src/crash.txt",
                    "fixed\n",
                    "Fix the crash on the search page",
                )?;
            }
        }
        for n in 1..=3 {
            self.commit(
                &work,
                s.push_date - Duration::days(5 - n),
                &format!("src/this-week-{n}.txt"),
                &format!("work {n}\n"),
                &format!("Add this week's change {n}"),
            )?;
        }
        self.git(
            &work,
            &["push", "-q", "--no-verify", "upstream", "main", "--tags"],
        )?;
        self.git(&work, &["fetch", "-q", "upstream"])?;
        self.git(&work, &["remote", "set-head", "upstream", "main"])?;
        self.git(
            &work,
            &["branch", "-q", "--set-upstream-to", "upstream/main"],
        )?;
        Ok(work)
    }
}

fn run(mut cmd: Command, what: &str, dir: &Path) -> Result<String> {
    let output = cmd
        .output()
        .with_context(|| format!("cannot run {what} in {}", dir.display()))?;
    if !output.status.success() {
        return Err(anyhow::anyhow!(
            "{what} in {} failed: {}{}",
            dir.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn team_file(s: &Sandbox, name: &str, step: &str) -> String {
    let mut text =
        String::from("# The team's push-duty settings (git-config syntax).\n[pushduty]\n");
    text.push_str(&format!("\tstep = \"extract-l10n {step}\"\n"));
    if name == SERVER {
        if s.week {
            for hero in ["you", "willdurand", "eviljeff", "mat"] {
                text.push_str(&format!("\thero = {hero}\n"));
            }
            // Four pushes ago the rotation started at you, so this push is yours again.
            text.push_str(&format!(
                "\tanchor = {}\n",
                s.push_date - Duration::days(28)
            ));
            text.push_str("\tnotesUrl = https://github.com/mozilla/addons/blob/main/releases\n");
        }
        if s.train {
            text.push_str(&format!("\trepo = ../{FRONTEND}\n"));
        }
    }
    text
}

fn version_json(tag: &str, commit: &str, name: &str) -> String {
    format!(
        "{{\"source\":\"https://github.com/mozilla/{name}\",\"version\":\"{tag}\",\"commit\":\"{commit}\",\"build\":\"sandbox\"}}\n"
    )
}

/// Writes what a deploy of a tag to stage would show at `/__version__`.
const DEPLOY_SCRIPT: &str = r#"#!/bin/sh
# The practice week's stage: "deploys" a tag by writing what /__version__ would show.
# Usage: ./deploy.sh REPOSITORY TAG    (REPOSITORY: addons-server or addons-frontend)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ]; then
    echo "usage: $0 REPOSITORY TAG" >&2
    exit 2
fi
case "$1" in
    addons-server|addons-frontend) ;;
    *) echo "no such repository in the sandbox: $1 (addons-server or addons-frontend)" >&2; exit 2 ;;
esac
commit=$(GIT_CONFIG_NOSYSTEM=1 git --git-dir="$here/remotes/$1.git" rev-parse --verify -q "refs/tags/$2^{commit}") || {
    echo "the upstream of $1 has no tag $2: push it first (git push-duty tag)" >&2
    exit 1
}
printf '{"source":"https://github.com/mozilla/%s","version":"%s","commit":"%s","build":"sandbox"}\n' "$1" "$2" "$commit" > "$here/stage/$1.json.new"
mv "$here/stage/$1.json.new" "$here/stage/$1.json"
echo "stage now runs $2 ($commit) for $1"
"#;

/// After the tag, colleagues land an unready feature and then a fix on addons-server's main, so
/// the hero practises a cherry-pick revision (only the fix ships).
const LAND_FIX_SCRIPT: &str = r#"#!/bin/sh
# The practice week's colleagues: after the tag, an unready feature and then a fix land on
# addons-server's main. Ship only the fix, as a cherry-pick revision of the tag.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work="$here/.colleague"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Colleague GIT_AUTHOR_EMAIL=colleague@sandbox.invalid
export GIT_COMMITTER_NAME=Colleague GIT_COMMITTER_EMAIL=colleague@sandbox.invalid
if [ -d "$work" ]; then
    git -C "$work" pull -q --ff-only
else
    git clone -q "$here/remotes/addons-server.git" "$work"
fi
n=$(git -C "$work" rev-list --count HEAD)
echo "dashboard $n (not ready)" > "$work/dashboard.txt"
git -C "$work" add dashboard.txt
git -C "$work" commit -q -m "Start the new dashboard (not ready for production)"
echo "fixed $n" > "$work/review.txt"
git -C "$work" add review.txt
git -C "$work" commit -q -m "Fix the crash on the review page"
fix=$(git -C "$work" rev-parse HEAD)
git -C "$work" push -q origin HEAD:main
echo "landed on addons-server's main: an unready dashboard, then the fix $fix"
echo "ship only the fix: git push-duty tag --cherry-pick $fix"
"#;

/// The commands to try, in order, one a line.
pub fn commands(s: &Sandbox) -> Vec<String> {
    let dir = s.dir.display().to_string();
    let path = |rest: &str| shell_word(&format!("{dir}/{rest}"));
    let all = if s.train { " --all" } else { "" };
    let mut lines = vec![
        format!("cd {}", path(SERVER)),
        "git push-duty status".to_owned(),
        format!("git push-duty security-merge {FIX_BRANCH}"),
        format!("git push-duty tag{all}"),
        format!("{} {SERVER} {}", path("deploy.sh"), s.tag),
    ];
    if s.train {
        lines.push(format!("{} {FRONTEND} {}", path("deploy.sh"), s.tag));
    }
    lines.push("git push-duty deployed --wait".to_owned());
    lines.push("git push-duty step extract-l10n".to_owned());
    // QA finds a bug: a cherry-pick revision ships only the fix.
    lines.push(path("land-fix.sh"));
    lines.push(
        "git push-duty tag --cherry-pick FIX   (FIX: the commit land-fix.sh names)".to_owned(),
    );
    lines.push(format!("{} {SERVER} {}-1", path("deploy.sh"), s.tag));
    lines.push("git push-duty deployed --wait".to_owned());
    if s.week {
        lines.push("git push-duty notes --next --write".to_owned());
        lines.push("git push-duty topic --next".to_owned());
    }
    lines
}

/// `text` as one word for a POSIX shell: as it is when that is safe, else in single quotes.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':' | '@')
        })
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
