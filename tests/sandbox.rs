//! `git push-duty sandbox DIR`: a practice week that touches no real remote, refused anywhere
//! it could destroy something, and then the whole week run inside it with the commands it
//! prints (and `status` suggests).

mod common;

use std::path::{Path, PathBuf};

use common::{Run, TUESDAY, TestRepo};

/// A harness for its isolated environment, and the sandbox made in `<root>/practice`.
fn sandbox() -> (TestRepo, PathBuf, Run) {
    let repo = TestRepo::new();
    let dir = repo.root().join("practice");
    let run = repo.run_in(
        &repo.root(),
        TUESDAY,
        &["sandbox", dir.to_str().expect("utf-8")],
    );
    (repo, dir, run)
}

fn git_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> String {
    repo.git_in(dir, args)
}

#[test]
fn it_prints_the_week_starting_with_status() {
    let (repo, dir, run) = sandbox();
    let run = run.ok();
    let d = dir.display();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], format!("cd {d}/addons-server"));
    assert_eq!(lines[1], "git push-duty status");
    assert!(
        lines.contains(&"git push-duty security-merge fix-xss"),
        "{lines:?}"
    );
    assert!(lines.contains(&format!("{d}/deploy.sh addons-server 2026.12.03").as_str()));
    assert!(lines.contains(&"git push-duty deployed --wait"));
    assert!(lines.contains(&"git push-duty step extract-l10n"));
    assert!(
        lines.contains(&format!("{d}/land-fix.sh").as_str()),
        "{lines:?}"
    );
    assert!(lines.contains(&format!("{d}/deploy.sh addons-server 2026.12.03-1").as_str()));
    run.stderr_has("Creating a practice week for the push on 2026-12-03 in ")
        .stderr_has("nothing reaches a real remote");

    let server = dir.join("addons-server");
    // Weeks of history with calendar tags, the last push with a cherry-pick revision.
    let tags = git_in(
        &repo,
        &dir.join("remotes/addons-server.git"),
        &["tag", "--list"],
    );
    assert_eq!(tags, "2026.11.12\n2026.11.19\n2026.11.26\n2026.11.26-1");
    let tags = git_in(
        &repo,
        &dir.join("remotes/addons-frontend.git"),
        &["tag", "--list"],
    );
    assert!(tags.contains("2026.11.26-1"), "{tags}");
    // Every remote is inside the sandbox.
    for clone in ["addons-server", "addons-frontend"] {
        let urls = git_in(
            &repo,
            &dir.join(clone),
            &["config", "--get-regexp", "^remote\\..*\\.url$"],
        );
        for line in urls.lines() {
            let url = line.split_whitespace().nth(1).expect("a url");
            assert!(url.starts_with("../remotes/"), "{clone}: {line}");
        }
        let stage = git_in(&repo, &dir.join(clone), &["config", "pushduty.stage.url"]);
        assert_eq!(stage, format!("file://{d}/stage/{clone}.json"));
    }
    // The reviewed fix waits on the mirror only.
    let mirror = git_in(
        &repo,
        &dir.join("remotes/addons-server-security.git"),
        &["branch", "--list"],
    );
    assert!(mirror.contains("fix-xss"), "{mirror}");
    let upstream = git_in(
        &repo,
        &dir.join("remotes/addons-server.git"),
        &["branch", "--list"],
    );
    assert!(!upstream.contains("fix-xss"), "{upstream}");
    // The hook is installed and live; the team file reads; the stage runs the last push.
    repo.run_in(&server, TUESDAY, &["hooks", "status"])
        .ok()
        .stdout_has("used by git: yes");
    repo.run_in(&server, TUESDAY, &["step"])
        .ok()
        .stdout_is("extract-l10n\tnot run for this push\t./scripts/extract-l10n.sh\n");
    repo.run_in(&server, TUESDAY, &["next-tag"])
        .ok()
        .stdout_is("2026.12.03\n");
    repo.run_in(&server, TUESDAY, &["deployed", "--tag", "2026.11.26-1"])
        .ok()
        .stdout_has("stage: addons-server: deployed 2026.11.26-1");
    // The team file holds what this build reads, and only that.
    let team = std::fs::read_to_string(server.join(".pushduty")).expect("team file");
    assert!(
        team.contains("step = \"extract-l10n ./scripts/extract-l10n.sh\""),
        "{team}"
    );
    assert_eq!(
        team.contains("hero = you"),
        push_duty::sandbox::knows("pushduty.hero")
            && push_duty::sandbox::knows("pushduty.notesUrl")
    );
    assert_eq!(
        team.contains("repo = ../addons-frontend"),
        push_duty::sandbox::knows("pushduty.repo")
    );
}

#[test]
fn anything_but_a_new_or_empty_directory_is_refused_and_kept() {
    let repo = TestRepo::new();
    let root = repo.root();
    let sandbox =
        |dir: &Path| repo.run_in(&root, TUESDAY, &["sandbox", dir.to_str().expect("utf-8")]);

    let full = root.join("full");
    std::fs::create_dir(&full).expect("mkdir");
    std::fs::write(full.join("notes.txt"), "mine\n").expect("write");
    sandbox(&full)
        .expect(2)
        .stderr_has(&format!(
            "error: {} is not empty; nothing was changed",
            full.display()
        ))
        .stderr_has("hint: name a new directory: git push-duty sandbox /tmp/practice");
    assert_eq!(std::fs::read_dir(&full).expect("list").count(), 1);
    assert_eq!(
        std::fs::read_to_string(full.join("notes.txt")).expect("read"),
        "mine\n"
    );

    let file = root.join("a-file");
    std::fs::write(&file, "keep\n").expect("write");
    sandbox(&file)
        .expect(2)
        .stderr_has("is not a directory; nothing was changed");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep\n");

    let empty = root.join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let link = root.join("link");
    std::os::unix::fs::symlink(&empty, &link).expect("symlink");
    sandbox(&link).expect(2).stderr_has(
        "is a symbolic link (the sandbox would be made wherever it points); nothing was changed",
    );
    assert_eq!(std::fs::read_dir(&empty).expect("list").count(), 0);

    // An empty directory is filled; a second run into it is refused.
    sandbox(&empty).ok();
    assert!(empty.join("addons-server/.git").is_dir());
    let before = std::fs::read_dir(&empty).expect("list").count();
    sandbox(&empty).expect(2).stderr_has("is not empty");
    assert_eq!(std::fs::read_dir(&empty).expect("list").count(), before);
}

#[test]
fn the_simulated_stage_deploys_only_tags_the_upstream_has() {
    let (repo, dir, run) = sandbox();
    run.ok();
    let deploy = dir.join("deploy.sh");
    let deploy = deploy.to_str().expect("utf-8");
    let run = repo.run_env(deploy, &dir, &["addons-server", "2026.12.03"], &[]);
    assert_eq!(run.status, 1, "{}", run.streams());
    run.stderr_has(
        "the upstream of addons-server has no tag 2026.12.03: push it first (git push-duty tag)",
    );
    let run = repo.run_env(deploy, &dir, &["../etc", "2026.11.26"], &[]);
    assert_eq!(run.status, 2, "{}", run.streams());
    let run = repo
        .run_env(deploy, &dir, &["addons-frontend", "2026.11.19"], &[])
        .ok();
    run.stdout_has("stage now runs 2026.11.19 (");
    repo.run_in(
        &dir.join("addons-frontend"),
        TUESDAY,
        &["deployed", "--tag", "2026.11.19"],
    )
    .ok();
}

#[test]
fn the_whole_week_by_following_what_status_says() {
    let (repo, dir, run) = sandbox();
    let printed = run.ok().stdout;
    let server = dir.join("addons-server");
    let mut done = Vec::new();
    for round in 0.. {
        assert!(round < 12, "status never said the week is done: {done:?}");
        let screen = repo.run_in(&server, TUESDAY, &["status"]).ok();
        insta::assert_snapshot!(format!("sandbox_week_{round}"), repo.redact(&screen.stdout));
        // `git push-duty` alone is status.
        repo.run_in(&server, TUESDAY, &[])
            .ok()
            .stdout_is(&screen.stdout);
        let json = repo.run_in(&server, TUESDAY, &["status", "--json"]).ok();
        let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
        if doc["next"]["next"] == "done" {
            screen.stdout_has("Next: nothing: the week is done");
            break;
        }
        let command = doc["next"]["command"]
            .as_str()
            .expect("a command")
            .to_owned();
        screen.stdout_has(&format!("Next: {command}\n"));
        let words: Vec<&str> = command.split(' ').collect();
        assert_eq!(&words[..2], ["git", "push-duty"], "{command}");
        let mut args: Vec<&str> = words[1..].to_vec();
        match words[2] {
            // Off a terminal, what changes a remote needs --yes.
            "security-merge" | "tag" => args.push("--yes"),
            "deployed" => {
                // Stage deploys the pushed tag: the sandbox's printed deploy commands.
                for line in printed
                    .lines()
                    .filter(|l| l.contains("/deploy.sh ") && l.ends_with(" 2026.12.03"))
                {
                    let parts: Vec<&str> = line.split(' ').collect();
                    repo.run_env(parts[0], &dir, &parts[1..], &[]).ok();
                }
                args.extend(["--interval", "1s", "--timeout", "20s"]);
            }
            _ => {}
        }
        repo.run_env("git", &server, &args, &[]).ok();
        done.push(command);
    }
    let all = if push_duty::sandbox::knows("pushduty.repo") {
        " --all"
    } else {
        ""
    };
    let mut expected = vec![
        "git push-duty security-merge fix-xss".to_owned(),
        format!("git push-duty tag{all}"),
        "git push-duty deployed --wait".to_owned(),
        "git push-duty step extract-l10n".to_owned(),
    ];
    if push_duty::sandbox::knows("pushduty.notesUrl") {
        expected.extend([
            "git push-duty notes --next --write".to_owned(),
            "git push-duty topic --next".to_owned(),
        ]);
    }
    assert_eq!(done, expected);
    // QA finds a bug: colleagues land an unready feature, then the fix; only the fix ships.
    let land = dir.join("land-fix.sh");
    let landed = repo
        .run_env(land.to_str().expect("utf-8"), &dir, &[], &[])
        .ok();
    let pick = landed
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("ship only the fix: "))
        .expect("the command to run")
        .to_owned();
    assert!(
        pick.starts_with("git push-duty tag --cherry-pick "),
        "{pick}"
    );
    let mut args: Vec<&str> = pick.split(' ').skip(1).collect();
    args.push("--yes");
    repo.run_env("git", &server, &args, &[])
        .ok()
        .stdout_has("tag: 2026.12.03-1");
    repo.run_in(&server, TUESDAY, &["status"])
        .ok()
        .stdout_has("[x] addons-server: tagged 2026.12.03-1 (newer commits on the branch wait for the next push)")
        .stdout_has("Next: git push-duty deployed --wait");
    let deploy = dir.join("deploy.sh");
    repo.run_env(
        deploy.to_str().expect("utf-8"),
        &dir,
        &["addons-server", "2026.12.03-1"],
        &[],
    )
    .ok();
    repo.run_in(&server, TUESDAY, &["deployed"])
        .ok()
        .stdout_has("stage: addons-server: deployed 2026.12.03-1");
    let shipped = git_in(
        &repo,
        &dir.join("remotes/addons-server.git"),
        &["log", "--format=%s", "2026.12.03-1"],
    );
    assert!(
        shipped.contains("Fix the crash on the review page"),
        "{shipped}"
    );
    assert!(!shipped.contains("dashboard"), "{shipped}");
    // The practice week touched only the sandbox: the fix is public, tagged, deployed.
    let upstream = dir.join("remotes/addons-server.git");
    assert!(git_in(&repo, &upstream, &["tag", "--list"]).contains("2026.12.03"));
    let merged = git_in(&repo, &upstream, &["log", "--format=%s", "main"]);
    assert!(
        merged.contains("Escape user names on the review page"),
        "{merged}"
    );
}

#[test]
fn a_directory_with_spaces_and_quotes_gives_commands_that_paste() {
    let repo = TestRepo::new();
    let dir = repo.root().join("my practice's week");
    let run = repo
        .run_in(
            &repo.root(),
            TUESDAY,
            &["sandbox", dir.to_str().expect("utf-8")],
        )
        .ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    let deploy = lines
        .iter()
        .find(|l| l.contains("deploy.sh"))
        .expect("a deploy line");
    // Pasted into a shell, as printed.
    let script = format!(
        "{} && git push-duty status && {}",
        lines[0],
        deploy.replace("2026.12.03", "2026.11.19")
    );
    let pasted = repo.run_env("sh", &repo.root(), &["-c", &script], &[]).ok();
    pasted
        .stdout_has("Next: git push-duty security-merge fix-xss")
        .stdout_has("stage now runs 2026.11.19");
    repo.run_in(
        &dir.join("addons-server"),
        TUESDAY,
        &["deployed", "--tag", "2026.11.19"],
    )
    .ok();
}
