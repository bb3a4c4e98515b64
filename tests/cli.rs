//! The product frame: the man page in sync with the code, install.sh into a temporary prefix
//! with `git push-duty --help` finding the page, completions, exit statuses for usage errors.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, Run, TestRepo, Text};

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_committed_man_page_is_what_the_code_generates() {
    let generated = Command::new(BIN).arg("man").output().expect("run man");
    assert!(generated.status.success());
    let committed = std::fs::read(project().join("man/git-push-duty.1")).expect("read man page");
    assert!(
        generated.stdout == committed,
        "man/git-push-duty.1 is stale: regenerate it with `cargo run -q -- man > man/git-push-duty.1`"
    );
    let page = String::from_utf8(committed).expect("utf-8");
    for needed in [
        ".SH \"PUSH DUTY\"",
        ".SH CONFIGURATION",
        "pushduty.pushDay",
        ".SH \"EXIT STATUS\"",
        ".SH \"FILES\"",
        ".SH \"EXAMPLES\"",
        "git push-duty tag",
        "git push-duty next-tag",
        "git push-duty compare",
    ] {
        assert!(page.contains(needed), "the man page lacks {needed}");
    }
}

#[test]
fn the_man_page_lists_nested_subcommands_with_their_flags() {
    let generated = Command::new(BIN).arg("man").output().expect("run man");
    let page = String::from_utf8(generated.stdout).expect("utf-8");
    let section = |name: &str| -> String {
        let start = page
            .find(&format!(".SS \"git push-duty {name}\"\n"))
            .unwrap_or_else(|| panic!("no section for {name}"));
        let rest = &page[start + 4..];
        let end = rest
            .find("\n.SS ")
            .or_else(|| rest.find("\n.SH "))
            .unwrap_or(rest.len());
        rest[..end].to_owned()
    };
    let install = section("hooks install");
    for needed in [
        "\\-\\-force",
        "\\-\\-template",
        "\\-\\-dry\\-run",
        "core.hooksPath",
    ] {
        assert!(
            install.contains(needed),
            "hooks install lacks {needed}:\n{install}"
        );
    }
    let uninstall = section("hooks uninstall");
    uninstall.has("\\-\\-template");
    uninstall.has("pre\\-push.local");
    let status = section("hooks status");
    status.has("whether");
    // The synopsis names the whole command, not just the last word.
    assert!(
        install.contains("git push-duty hooks install") || install.contains("hooks install"),
        "{install}"
    );
    // clap's own help subcommands are not pages of their own.
    page.lacks(".SS \"git push-duty hooks help\"");
}

#[test]
fn install_sh_into_a_prefix_then_git_help_finds_the_page() {
    let repo = TestRepo::new();
    let prefix = repo.root().join("prefix");
    let install = Command::new("bash")
        .arg(project().join("install.sh"))
        .arg("--prefix")
        .arg(&prefix)
        .arg("--binary")
        .arg(BIN)
        .env("HOME", repo.root().join("home"))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .expect("run install.sh");
    let install = Run::from(install).ok();
    let said = install.stdout.clone() + &install.stderr;
    assert!(prefix.join("bin/git-push-duty").is_file());
    assert!(prefix.join("share/man/man1/git-push-duty.1").is_file());
    assert!(
        prefix
            .join("share/bash-completion/completions/git-push-duty")
            .is_file()
    );
    assert!(
        prefix
            .join("share/zsh/site-functions/_git-push-duty")
            .is_file()
    );
    assert!(
        prefix
            .join("share/fish/vendor_completions.d/git-push-duty.fish")
            .is_file()
    );
    assert!(
        said.contains("is not on your PATH"),
        "install.sh must say when DIR/bin is not on PATH:\n{said}"
    );

    // Idempotent: a second run succeeds and leaves the same files.
    let again = Command::new("bash")
        .arg(project().join("install.sh"))
        .args(["--prefix", prefix.to_str().expect("utf-8"), "--binary", BIN])
        .env("HOME", repo.root().join("home"))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .expect("run install.sh again");
    Run::from(again).ok();

    // git turns `git push-duty --help` into `man git-push-duty`.
    let help = Command::new("git")
        .current_dir(&repo.work)
        .args(["push-duty", "--help"])
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:/usr/local/bin:/usr/bin:/bin",
                prefix.join("bin").display()
            ),
        )
        .env("MANPATH", prefix.join("share/man"))
        .env("HOME", repo.root().join("home"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("TERM", "dumb")
        .output()
        .expect("run git push-duty --help");
    Run::from(help)
        .ok()
        .stdout_has("PUSH DUTY")
        .stdout_has("push-duty next-tag");

    // --uninstall removes what was installed, and only that.
    let keep = prefix.join("bin/other-tool");
    std::fs::write(&keep, "keep me").expect("write");
    let uninstall = Command::new("bash")
        .arg(project().join("install.sh"))
        .args(["--prefix", prefix.to_str().expect("utf-8"), "--uninstall"])
        .env("HOME", repo.root().join("home"))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .expect("run install.sh --uninstall");
    Run::from(uninstall).ok();
    assert!(!prefix.join("bin/git-push-duty").exists());
    assert!(!prefix.join("share/man/man1/git-push-duty.1").exists());
    assert!(keep.exists());
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .expect("run completions");
        Run::from(out).ok().stdout_has("next-tag");
    }
    // The bash script parses, and bridges `git push-duty <TAB>`.
    let out = Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .expect("run completions");
    let script = String::from_utf8_lossy(&out.stdout);
    script.has("_git_push_duty()");
    let check = Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(script.as_ref())
        .status()
        .expect("bash -n");
    assert!(check.success());
}

#[test]
fn usage_errors_exit_two_and_help_exits_zero() {
    let run = |args: &[&str]| Run::from(Command::new(BIN).args(args).output().expect("run"));
    run(&["tag", "--bogus"]).expect(2);
    run(&["no-such-command"]).expect(2);
    // --from needs --cherry-pick.
    run(&["tag", "--from", "x"]).expect(2);
    run(&["--help"]).expect(0).stdout_has("next-tag");
}

#[test]
fn a_bad_date_is_the_same_usage_error_for_who_notes_and_topic_as_for_next_tag() {
    // No rotation here: a date read after the settings would be refused for the empty rotation
    // first (exit 1); clap checks it before anything runs, and names the flag.
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let next_tag = repo.run(&["next-tag", "--date", "2026-12-32"]).expect(2);
    next_tag.stderr_is("error: --date \"2026-12-32\" is not a date as YYYY-MM-DD\n");
    for command in ["who", "notes", "topic"] {
        let run = repo.run(&[command, "--date", "2026-12-32"]).expect(2);
        assert_eq!(run.stderr, next_tag.stderr, "{command}");
        assert!(run.stdout.is_empty(), "{command}: {}", run.stdout);
    }
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // `git push-duty completions bash | head -c0`: the reader goes away at once.
    let mut child = Command::new(BIN)
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    Run::from(child.wait_with_output().expect("wait"))
        .ok()
        .stderr_is("");
}

#[test]
fn a_closed_pipe_under_json_is_not_an_error() {
    // `git push-duty next-tag --json | head -c0`: JSON is written through serde_json, whose error
    // wraps the broken pipe. The read end is closed before the binary starts, so it always fails.
    let repo = common::TestRepo::new();
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = repo
        .command(BIN, &repo.work)
        .env("PUSH_DUTY_TODAY", common::TUESDAY)
        .args(["next-tag", "--json"])
        .stdout(writer)
        .output()
        .expect("run");
    Run::from(out).ok().stderr_is("");
}

#[test]
fn install_sh_uninstall_of_a_prefix_with_nothing_creates_nothing() {
    let repo = TestRepo::new();
    let prefix = repo.root().join("typo");
    let out = Command::new("bash")
        .arg(project().join("install.sh"))
        .arg("--uninstall")
        .arg(format!("--prefix={}", prefix.display()))
        .env("HOME", repo.root().join("home"))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .expect("run install.sh --uninstall");
    let out = Run::from(out).ok();
    let said = out.stdout.clone() + &out.stderr;
    assert!(!prefix.exists(), "--uninstall created {}", prefix.display());
    said.has(&format!(
        "nothing to remove: git-push-duty is not installed under {}",
        prefix.display()
    ));
}

#[test]
fn install_sh_prefix_with_a_tilde_the_shell_left_alone_means_home() {
    // The shell does not expand `~` after `--prefix=`; a directory named `~` was made instead.
    let repo = TestRepo::new();
    let home = repo.root().join("home");
    let out = Command::new("bash")
        .arg(project().join("install.sh"))
        .args(["--prefix=~/tools", "--binary", BIN])
        .current_dir(repo.root())
        .env("HOME", &home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .expect("run install.sh");
    let out = Run::from(out).ok();
    let said = out.stdout.clone() + &out.stderr;
    assert!(home.join("tools/bin/git-push-duty").is_file(), "{said}");
    assert!(!repo.root().join("~").exists(), "{said}");
}

/// A stand-in for `cargo` that "builds" into `$CARGO_TARGET_DIR/release` (or `target/` of the
/// manifest's directory) a tiny git-push-duty that runs the real one, answering `build` with
/// cargo's JSON messages when asked for them and `metadata` with the target directory, as cargo
/// does. The real build takes minutes; where cargo puts the binary is what is under test.
fn fake_cargo(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let script = format!(
        r#"#!/bin/bash
echo "$*" >> "{log}"
target="${{CARGO_TARGET_DIR:-}}"
if [ -z "$target" ]; then
  for a in "$@"; do case "$prev" in --manifest-path) target="$(dirname "$a")/target" ;; esac; prev="$a"; done
fi
case "$1" in
  build)
    mkdir -p "$target/release"
    printf '#!/bin/sh\n# built by the fake cargo\nexec %s "$@"\n' "{real}" > "$target/release/git-push-duty"
    chmod +x "$target/release/git-push-duty"
    case "$*" in
      *--message-format=json*)
        echo '{{"reason":"compiler-artifact","target":{{"kind":["lib"],"name":"push_duty"}},"executable":null}}'
        echo "{{\"reason\":\"compiler-artifact\",\"target\":{{\"kind\":[\"bin\"],\"name\":\"git-push-duty\"}},\"executable\":\"$target/release/git-push-duty\"}}"
        echo '{{"reason":"build-finished","success":true}}' ;;
    esac ;;
  metadata) echo "{{\"target_directory\":\"$target\",\"version\":1}}" ;;
  *) exit 3 ;;
esac
"#,
        log = dir.join("cargo.log").display(),
        real = BIN
    );
    let cargo = bin.join("cargo");
    std::fs::write(&cargo, script).expect("write fake cargo");
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    bin
}

#[test]
fn install_sh_finds_the_binary_where_cargo_target_dir_put_it() {
    let repo = TestRepo::new();
    let root = repo.root();
    let fake = fake_cargo(&root);
    let target = root.join("elsewhere/target");
    let prefix = root.join("prefix");
    let out = Command::new("bash")
        .arg(project().join("install.sh"))
        .arg("--prefix")
        .arg(&prefix)
        .env("HOME", root.join("home"))
        .env("CARGO_TARGET_DIR", &target)
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", fake.display()),
        )
        .output()
        .expect("run install.sh");
    let out = Run::from(out).ok();
    let said = out.stdout.clone() + &out.stderr;
    let installed = std::fs::read_to_string(prefix.join("bin/git-push-duty")).expect("installed");
    installed.has("built by the fake cargo");
    assert_eq!(
        std::fs::read(target.join("release/git-push-duty")).expect("built"),
        installed.as_bytes()
    );
    let log = std::fs::read_to_string(root.join("cargo.log")).expect("cargo ran");
    log.has("build --release --locked");
    assert!(
        prefix
            .join("share/bash-completion/completions/git-push-duty")
            .is_file(),
        "{said}"
    );
}

#[test]
fn install_sh_help_prints_only_the_usage() {
    let out = Command::new("bash")
        .arg(project().join("install.sh"))
        .arg("--help")
        .output()
        .expect("run install.sh --help");
    let text = Run::from(out).ok().stdout;
    assert!(
        text.starts_with("usage: ./install.sh [--prefix DIR] [--binary FILE] [--uninstall]\n"),
        "{text}"
    );
    text.has("  --binary FILE ");
    text.lacks("set -");
    assert!(!text.lines().any(|l| l.starts_with('#')), "{text}");
    assert!(text.ends_with(".\n"), "{text:?}");
}

#[test]
fn install_sh_uninstall_removes_the_directories_it_created_when_empty() {
    let repo = TestRepo::new();
    let root = repo.root();
    let run = |prefix: &Path, extra: &[&str]| {
        let out = Command::new("bash")
            .arg(project().join("install.sh"))
            .arg("--prefix")
            .arg(prefix)
            .args(extra)
            .env("HOME", root.join("home"))
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .output()
            .expect("run install.sh");
        let out = Run::from(out).ok();
        out.stdout.clone() + &out.stderr
    };
    // A prefix that did not exist: nothing of it is left.
    let fresh = root.join("fresh/deeper");
    run(&fresh, &["--binary", BIN]);
    run(&fresh, &["--binary", BIN]);
    let said = run(&fresh, &["--uninstall"]);
    assert!(!root.join("fresh").exists(), "{said}");

    // A prefix with directories of the user's, empty: they stay; those made for us go.
    let local = root.join("local");
    std::fs::create_dir_all(local.join("share/man")).expect("mkdir");
    std::fs::create_dir_all(local.join("bin")).expect("mkdir");
    run(&local, &["--binary", BIN]);
    // Something else put a file in a directory made for us: that one stays too.
    std::fs::write(local.join("share/zsh/site-functions/_other"), "x").expect("write");
    run(&local, &["--uninstall"]);
    assert!(local.join("share/man").is_dir());
    assert!(local.join("bin").is_dir());
    assert!(!local.join("bin/git-push-duty").exists());
    assert!(!local.join("share/man/man1").exists());
    assert!(!local.join("share/bash-completion").exists());
    assert!(!local.join("share/fish").exists());
    assert!(local.join("share/zsh/site-functions/_other").is_file());

    // Once that file is gone, a second --uninstall removes what the first had to leave.
    std::fs::remove_file(local.join("share/zsh/site-functions/_other")).expect("remove");
    let said = run(&local, &["--uninstall"]);
    assert!(!local.join("share/zsh").exists(), "{said}");
    assert!(!local.join("share/git-push-duty").exists(), "{said}");
    assert!(local.join("share/man").is_dir());
    assert!(local.join("bin").is_dir());
    // And a third has nothing left to do.
    let said = run(&local, &["--uninstall"]);
    said.has("nothing to remove");
    assert!(local.join("share/man").is_dir());
}

#[test]
fn the_readme_tells_about_install_sh_binary() {
    let readme = std::fs::read_to_string(project().join("README.md")).expect("README");
    assert!(
        readme.contains("--binary FILE"),
        "README does not mention install.sh --binary"
    );
}

#[test]
fn every_refusal_reason_of_the_guard_has_a_snapshot_of_a_real_push() {
    // The guard's `enum Reason`, wherever it lives under src/, one variant a line.
    fn sources(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(std::fs::read_to_string(&path).expect("read source"));
            }
        }
    }
    let mut texts = Vec::new();
    sources(&project().join("src"), &mut texts);
    let body = texts
        .iter()
        .find_map(|t| t.split_once("enum Reason {").map(|(_, rest)| rest))
        .expect("the guard's enum Reason under src/");
    let body = &body[..body.find("\n}").expect("the end of enum Reason")];
    let variants: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("    "))
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or(l)
        })
        .collect();
    assert!(variants.len() > 5, "{variants:?}");
    let snapshots: Vec<String> = std::fs::read_dir(project().join("tests/snapshots"))
        .expect("tests/snapshots")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    for variant in variants {
        let mut snake = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        }
        let name = format!("__reason_{snake}.snap");
        assert!(
            snapshots.iter().any(|s| s.ends_with(&name)),
            "no snapshot *{name} in tests/snapshots: push so that the hook refuses with Reason::{variant} \
             and snapshot what it says (insta::assert_snapshot!(\"reason_{snake}\", repo.hook_said(&run)))"
        );
    }
}

#[test]
fn ci_runs_the_test_command_the_readme_gives() {
    let readme = std::fs::read_to_string(project().join("README.md")).expect("README");
    let command = readme
        .lines()
        .find_map(|l| l.strip_prefix("cargo test"))
        .map(|rest| format!("cargo test{}", rest.split('#').next().unwrap_or_default()))
        .expect("a cargo test line in the README");
    let command = command.trim_end();
    assert_eq!(command, "cargo test --locked", "the README's test command");
    let ci = std::fs::read_to_string(project().join(".ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == command),
        ".ci/run does not run the README's test command {command:?}:\n{ci}"
    );
}
