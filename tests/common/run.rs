//! Running git and the binary under test, always with the isolated environment: plainly, from
//! another directory or day, through git (`git push-duty`), on a pseudo-terminal with an answer
//! typed, with standard input, with more environment, and `git push` (which fires the installed
//! hook), also over a fake `ssh`. Every run comes back as a [`Run`] to assert on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;

use super::{BIN, Run, TUESDAY, TestRepo};

impl TestRepo {
    /// The isolated environment every process gets.
    fn isolate(&self, cmd: &mut Command) {
        let date_offset = self.clock.load(Ordering::SeqCst);
        let date = format!(
            "2026-11-20T10:{:02}:{:02}Z",
            date_offset / 60,
            date_offset % 60
        );
        cmd.env_clear()
            .env("PATH", path_with_binary())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_COUNT", "2")
            .env("GIT_CONFIG_KEY_0", "init.defaultBranch")
            .env("GIT_CONFIG_VALUE_0", "main")
            .env("GIT_CONFIG_KEY_1", "protocol.file.allow")
            .env("GIT_CONFIG_VALUE_1", "always")
            .env("GIT_AUTHOR_NAME", "Ada Author")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Hero Pusher")
            .env("GIT_COMMITTER_EMAIL", "hero@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("LANG", "C")
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
    }

    /// A command for `program` in `dir` with the isolated environment, for a test that needs to
    /// change it (PATH, GIT_CONFIG_GLOBAL) or feed standard input.
    pub fn command(&self, program: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        self.isolate(&mut cmd);
        cmd.current_dir(dir);
        cmd
    }

    /// Runs git in `dir`; panics with its output if it fails. Returns trimmed stdout.
    #[track_caller]
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.try_git_in(dir, args);
        assert_eq!(
            run.status,
            0,
            "git {args:?} in {} failed:\n{}{}",
            dir.display(),
            run.stdout,
            run.stderr
        );
        run.stdout.trim_end().to_owned()
    }

    /// Runs git in `dir`, whatever its exit status.
    pub fn try_git_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut cmd = self.command("git", dir);
        cmd.args(args);
        Run::from(cmd.output().expect("run git"))
    }

    /// Runs git in the working clone; panics with its output if it fails.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.work, args)
    }

    /// The binary on the default test day (Tuesday 2026-12-01).
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_on(TUESDAY, args)
    }

    /// The binary, run in the working clone with "today" set to `today`.
    pub fn run_on(&self, today: &str, args: &[&str]) -> Run {
        self.run_in(&self.work, today, args)
    }

    pub fn run_in(&self, dir: &Path, today: &str, args: &[&str]) -> Run {
        let mut cmd = self.command(BIN, dir);
        cmd.env("PUSH_DUTY_TODAY", today).args(args);
        Run::from(cmd.output().expect("run git-push-duty"))
    }

    /// `git push-duty ...` through git itself, proving git finds the binary on PATH.
    pub fn run_through_git(&self, args: &[&str]) -> Run {
        let mut all = vec!["push-duty"];
        all.extend_from_slice(args);
        self.run_through_git_on(TUESDAY, &all)
    }

    /// `git ARGS...` (e.g. `-c key=value push-duty next-tag`) on `today`, through git itself.
    pub fn run_through_git_on(&self, today: &str, args: &[&str]) -> Run {
        let mut cmd = self.command("git", &self.work);
        cmd.env("PUSH_DUTY_TODAY", today).args(args);
        Run::from(cmd.output().expect("run git"))
    }

    /// The binary on a pseudo-terminal (util-linux `script`), with `answer` typed at its prompt.
    /// The terminal carries both streams: all of it is in `stdout`.
    pub fn run_on_terminal(&self, args: &[&str], answer: &str) -> Run {
        let mut line = String::from(BIN);
        for arg in args {
            line.push_str(&format!(" '{arg}'"));
        }
        let mut cmd = self.command("script", &self.work);
        cmd.env("PUSH_DUTY_TODAY", TUESDAY)
            .env("TERM", "dumb")
            .args(["-qec", &line, "/dev/null"]);
        run_with_input(cmd, answer.as_bytes(), "script")
    }

    /// The binary in the working clone with `input` on standard input.
    pub fn run_input(&self, args: &[&str], input: &str) -> Run {
        self.run_input_bytes(args, input.as_bytes())
    }

    /// The binary in the working clone with `input`, which need not be UTF-8, on standard input.
    pub fn run_input_bytes(&self, args: &[&str], input: &[u8]) -> Run {
        let mut cmd = self.command(BIN, &self.work);
        cmd.args(args);
        run_with_input(cmd, input, "git-push-duty")
    }

    /// `program ARGS` in `dir` with the isolated environment plus `env`.
    pub fn run_env(&self, program: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(program, dir);
        cmd.args(args).env("PUSH_DUTY_TODAY", TUESDAY);
        for (k, v) in env {
            cmd.env(k, v);
        }
        // A binary the test has just copied can be "busy" for a moment: another test thread's
        // fork may still hold the copy's write descriptor until that child execs (ETXTBSY).
        for _ in 0..100 {
            match cmd.output() {
                Err(e) if e.raw_os_error() == Some(26) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                output => return Run::from(output.expect("run a command")),
            }
        }
        panic!("{program} stayed busy (ETXTBSY) for two seconds");
    }

    /// `git push ARGS` in the working clone, firing the hook.
    pub fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.try_git_in(&self.work, &all)
    }

    /// `git push ARGS` in the working clone with `ssh` (see [`TestRepo::fake_ssh`]) as git's ssh.
    pub fn push_over_ssh(&self, ssh: &Path, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        let ssh = ssh.to_str().expect("utf-8");
        self.run_env("git", &self.work, &all, &[("GIT_SSH_COMMAND", ssh)])
    }

    /// A fake `ssh` that runs git's command on this machine, serving `host:path` from
    /// `<root>/hosts/path` whatever the host; with `v0` it drops `GIT_PROTOCOL`, as a server that
    /// speaks only protocol version 0 ignores it.
    #[track_caller]
    pub fn fake_ssh(&self, v0: bool) -> PathBuf {
        let hosts = self.root().join("hosts");
        let script = self.root().join(if v0 { "ssh-v0" } else { "ssh-v2" });
        let unset = if v0 { "unset GIT_PROTOCOL\n" } else { "" };
        super::write_script(
            &script,
            &format!(
                "#!/bin/sh\n{unset}while [ \"${{1#-}}\" != \"$1\" ]; do case \"$1\" in -o|-p|-i|-F|-l) shift 2;; *) shift;; esac; done\nshift\ncmd=$(printf '%s' \"$*\" | sed \"s#'/*#'{}/#\")\nexec sh -c \"$cmd\"\n",
                hosts.display()
            ),
        );
        script
    }
}

/// Runs `cmd` with `input` written to its standard input, then closed.
fn run_with_input(mut cmd: Command, input: &[u8], what: &str) -> Run {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    Run::from(child.wait_with_output().expect("wait for the process"))
}

/// PATH with the binary's directory first, so `git push-duty` finds it.
fn path_with_binary() -> String {
    let bin_dir = Path::new(BIN).parent().expect("binary has a directory");
    let system = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    format!("{}:{system}", bin_dir.display())
}
