//! The train: `next-tag --all` and `tag --all` over this clone and two sibling clones, each with
//! its own upstream, for one push date; one plan, one question, a report per repository, and a
//! second run that finishes what a refused push left.

mod common;

use std::path::{Path, PathBuf};

use common::TestRepo;

const SIBLINGS: [&str; 2] = ["addons-frontend", "addons-code-manager"];

/// This clone and two siblings, each with last week's tag pushed and one new commit on main.
fn train() -> (TestRepo, Vec<PathBuf>) {
    let repo = TestRepo::new();
    let mut dirs = vec![repo.work.clone()];
    for name in SIBLINGS {
        dirs.push(repo.sibling(name));
    }
    for dir in &dirs {
        repo.git_in(dir, &["tag", "-a", "-m", "last push", "2026.11.26"]);
        repo.git_in(dir, &["push", "-q", "upstream", "refs/tags/2026.11.26"]);
        repo.commit_in(dir, "new.txt", "new\n", "Ship the new thing");
        repo.git_in(dir, &["push", "-q", "upstream", "main"]);
    }
    repo.team_file("[pushduty]\n\trepo = ../addons-frontend\n\trepo = ../addons-code-manager\n");
    (repo, dirs)
}

fn upstreams(repo: &TestRepo) -> Vec<PathBuf> {
    let mut all = vec![repo.upstream.clone()];
    all.extend(SIBLINGS.iter().map(|n| repo.sibling_upstream(n)));
    all
}

/// Every ref of every clone and upstream of the train.
fn all_refs(repo: &TestRepo, dirs: &[PathBuf]) -> Vec<std::collections::BTreeMap<String, String>> {
    dirs.iter()
        .chain(upstreams(repo).iter())
        .map(|d| repo.refs_of(d))
        .collect()
}

fn tags(repo: &TestRepo, bare: &Path) -> Vec<String> {
    repo.tags_of(bare).into_keys().collect()
}

#[test]
fn next_tag_all_names_each_repositorys_next_tag() {
    let (repo, dirs) = train();
    // One of them is tagged already: its next is a revision.
    repo.git_in(&dirs[2], &["tag", "-a", "-m", "x", "2026.12.03"]);
    repo.git_in(
        &dirs[2],
        &["push", "-q", "upstream", "refs/tags/2026.12.03"],
    );
    repo.run(&["next-tag", "--all"])
        .ok()
        .stdout_is("work\t2026.12.03\naddons-frontend\t2026.12.03\naddons-code-manager\t2026.12.03-1\n")
        .stderr_has("addons-code-manager (../addons-code-manager):\n  tag would refuse to tag the same commit again");
    let run = repo
        .run(&["next-tag", "--all", "--json", "--date", "2026-12-10"])
        .ok();
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let names: Vec<(&str, &str)> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|o| {
            (
                o["repository"].as_str().expect("name"),
                o["tag"].as_str().expect("tag"),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("work", "2026.12.10"),
            ("addons-frontend", "2026.12.10"),
            ("addons-code-manager", "2026.12.10")
        ]
    );
}

#[test]
fn tag_all_tags_and_pushes_the_whole_train() {
    let (repo, dirs) = train();
    let before = all_refs(&repo, &dirs);
    repo.run(&["tag", "--all", "--dry-run"])
        .ok()
        .stderr_has("== work (here) ==\n")
        .stderr_has("== addons-frontend (../addons-frontend) ==\n")
        .stderr_has("  2026.12.03 ships 1 commit since the last push, 2026.11.26")
        .stderr_has("    3. push tag 2026.12.03 (")
        .stderr_has("  compare: git log --oneline ")
        .stderr_has("Dry run: nothing was changed.\n");
    assert_eq!(all_refs(&repo, &dirs), before);
    // Off a terminal the one question needs --yes.
    repo.run(&["tag", "--all"])
        .expect(2)
        .stderr_has("not on a terminal, and this pushes tags: nothing was done");
    assert_eq!(all_refs(&repo, &dirs), before);
    repo.run(&["tag", "--all", "--yes"])
        .ok()
        .stdout_has("work: tagged and pushed\n  tag: 2026.12.03\n")
        .stdout_has("addons-frontend: tagged and pushed\n")
        .stdout_has("addons-code-manager: tagged and pushed\n");
    for (dir, bare) in dirs.iter().zip(upstreams(&repo)) {
        assert_eq!(tags(&repo, &bare), ["2026.11.26", "2026.12.03"]);
        assert_eq!(tags(&repo, dir), ["2026.11.26", "2026.12.03"]);
    }
    // Again: everything is tagged at its tip, nothing is done.
    let after = all_refs(&repo, &dirs);
    repo.run(&["tag", "--all", "--yes"])
        .ok()
        .stderr_has("Every repository of the train is tagged for 2026-12-03.");
    assert_eq!(all_refs(&repo, &dirs), after);
}

#[test]
fn refusal_tag_all_when_one_push_is_refused_then_finished() {
    let (repo, dirs) = train();
    let frontend = repo.sibling_upstream("addons-frontend");
    repo.reject_pushes(&frontend);
    let run = repo.run(&["tag", "--all", "--yes"]).expect(1);
    run.stdout_has("work: tagged and pushed\n")
        .stdout_has("addons-frontend: NOT TAGGED\n")
        .stdout_has("addons-code-manager: tagged and pushed\n")
        .stderr_has("error: the train is half tagged: 1 of 3 repositories not tagged (addons-frontend); tagged and pushed: work, addons-code-manager; already tagged: none")
        .stderr_has("hint: once the cause above is mended, finish the rest: git push-duty tag --all --date 2026-12-03 (repositories already tagged at their tip are skipped, not tagged again)");
    assert_eq!(tags(&repo, &frontend), ["2026.11.26"]);
    assert_eq!(tags(&repo, &dirs[1]), ["2026.11.26"]);
    assert_eq!(tags(&repo, &repo.upstream), ["2026.11.26", "2026.12.03"]);
    // Mended: the same command tags only what is left; no -1 anywhere.
    repo.accept_pushes(&frontend);
    repo.run(&["tag", "--all", "--date", "2026-12-03", "--yes"])
        .ok()
        .stdout_has("work: skipped, 2026.12.03 already there\n")
        .stdout_has("addons-frontend: tagged and pushed\n")
        .stdout_has("addons-code-manager: skipped, 2026.12.03 already there\n");
    for bare in upstreams(&repo) {
        assert_eq!(tags(&repo, &bare), ["2026.11.26", "2026.12.03"]);
    }
}

#[test]
fn refusal_tag_all_when_one_repository_cannot_be_planned() {
    let (repo, dirs) = train();
    // The third repository's upstream is gone: nothing is tagged anywhere.
    repo.git_in(&dirs[2], &["remote", "set-url", "upstream", "../gone.git"]);
    let before = all_refs(&repo, &dirs);
    repo.run(&["tag", "--all", "--yes"])
        .expect(1)
        .stderr_has("error: addons-code-manager cannot be tagged, so no repository of the train was: nothing was changed");
    assert_eq!(all_refs(&repo, &dirs), before);
    // A listed path that is no clone, named with the key and the file.
    repo.team_file("[pushduty]\n\trepo = ../addons-frontend\n\trepo = ../nowhere\n");
    repo.run(&["tag", "--all", "--yes"])
        .expect(1)
        .stderr_has("error: pushduty.repo = \"../nowhere\" (set in ")
        .stderr_has("/work/.pushduty): ")
        .stderr_has("is not a clone git-push-duty can open");
    assert_eq!(all_refs(&repo, &dirs), before);
    repo.run(&["tag", "--all", "--cherry-pick", "HEAD"])
        .expect(2)
        .stderr_has("cannot be used with");
}

#[test]
fn tag_all_killed_midway_is_finished_by_the_same_command() {
    let (repo, dirs) = train();
    // Killed right after the first repository's tag push (its step 3), before its local tag.
    let killed = repo.run_env(
        common::BIN,
        &repo.work,
        &["tag", "--all", "--yes"],
        &[("PUSH_DUTY_TEST_FAULT", "exit-after-3")],
    );
    assert_eq!(killed.status, 99, "{}", killed.streams());
    assert_eq!(tags(&repo, &repo.upstream), ["2026.11.26", "2026.12.03"]);
    assert_eq!(tags(&repo, &dirs[0]), ["2026.11.26"]);
    assert_eq!(
        tags(&repo, &repo.sibling_upstream("addons-frontend")),
        ["2026.11.26"]
    );
    repo.run(&["tag", "--all", "--yes"])
        .ok()
        .stdout_has("work: tagged and pushed\n")
        .stdout_has("addons-frontend: tagged and pushed\n")
        .stdout_has("addons-code-manager: tagged and pushed\n");
    // The first repository's tag was finished here, not made again as a -1.
    for (dir, bare) in dirs.iter().zip(upstreams(&repo)) {
        assert_eq!(tags(&repo, &bare), ["2026.11.26", "2026.12.03"]);
        assert_eq!(tags(&repo, dir), ["2026.11.26", "2026.12.03"]);
    }
}

#[test]
fn refusal_tag_all_with_git_dir_set_or_a_repository_listed_twice() {
    let (repo, dirs) = train();
    let before = all_refs(&repo, &dirs);
    let git_dir = repo.work.join(".git");
    repo.run_env(
        common::BIN,
        &repo.work,
        &["tag", "--all", "--yes"],
        &[("GIT_DIR", git_dir.to_str().expect("utf-8"))],
    )
    .expect(2)
    .stderr_has("GIT_DIR is set, which would point git at one repository for every repository of the train: nothing was done");
    assert_eq!(all_refs(&repo, &dirs), before);
    repo.team_file("[pushduty]\n\trepo = ../addons-frontend\n\trepo = ../addons-frontend/\n");
    repo.run(&["tag", "--all", "--yes"])
        .expect(1)
        .stderr_has("pushduty.repo = \"../addons-frontend/\" (set in ")
        .stderr_has("that repository is listed twice");
    repo.team_file("[pushduty]\n\trepo = ../addons-frontend/.git\n");
    repo.run(&["next-tag", "--all"])
        .expect(1)
        .stderr_has("is not a clone git-push-duty can open");
    assert_eq!(all_refs(&repo, &dirs), before);
}

#[test]
fn refusal_tag_all_after_no_push_until_the_tags_are_pushed() {
    let (repo, dirs) = train();
    repo.run(&["tag", "--all", "--no-push"])
        .ok()
        .stdout_has("work: tagged here (not pushed)\n")
        .stdout_has("addons-code-manager: tagged here (not pushed)\n");
    for (dir, bare) in dirs.iter().zip(upstreams(&repo)) {
        assert_eq!(tags(&repo, dir), ["2026.11.26", "2026.12.03"]);
        assert_eq!(tags(&repo, &bare), ["2026.11.26"]);
    }
    // Pushing now: nothing is tagged again, and nothing counts as done that is only here.
    let before = all_refs(&repo, &dirs);
    repo.run(&["tag", "--all", "--yes"])
        .expect(1)
        .stderr_has("but 3 of the tags are only here, not on the upstream: nothing was changed")
        .stderr_has("/addons-frontend push upstream refs/tags/2026.12.03\n");
    assert_eq!(all_refs(&repo, &dirs), before);
}

#[test]
fn refusal_next_tag_all_names_the_repository_it_cannot_reach() {
    let (repo, dirs) = train();
    repo.git_in(&dirs[1], &["remote", "set-url", "upstream", "../gone.git"]);
    repo.run(&["next-tag", "--all"])
        .expect(1)
        .stdout_is("work\t2026.12.03\naddons-code-manager\t2026.12.03\n")
        .stderr_has("addons-frontend (../addons-frontend):\n  error: cannot reach remote upstream (../gone.git)")
        .stderr_has("error: next-tag failed in addons-frontend: see above");
    // Offline, from what each clone has fetched, it names all three.
    repo.run(&["next-tag", "--all", "--offline"])
        .ok()
        .stdout_is(
            "work\t2026.12.03\naddons-frontend\t2026.12.03\naddons-code-manager\t2026.12.03\n",
        );
}
