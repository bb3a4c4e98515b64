//! `notes`: the release notes document of a push for the whole train (compare links, the
//! cherry-picks of a revision, the hero, the team's links), printed, written once and never
//! over an existing document, and for the next push.

mod common;

use std::path::Path;

use common::TestRepo;
use common::week::{ROTATION, s};

/// Tags `name` at HEAD of `dir` and pushes it to its `upstream`.
fn tag_and_push(repo: &TestRepo, dir: &Path, name: &str) {
    repo.git_in(dir, &["tag", "-a", "-m", name, name]);
    repo.git_in(
        dir,
        &["push", "-q", "upstream", &format!("refs/tags/{name}")],
    );
}

/// addons-server (this clone), addons-frontend and addons-code-manager: last push 2026.11.26
/// everywhere; this week's 2026.12.03 in the first two, and a cherry-pick revision 2026.12.03-1
/// in this one.
fn train_week() -> TestRepo {
    let repo = TestRepo::new();
    let work = repo.work.clone();
    tag_and_push(&repo, &work, "2026.11.26");
    repo.commit("a.txt", "a\n", "Add the review queue");
    repo.git(&["push", "-q", "upstream", "main"]);
    tag_and_push(&repo, &work, "2026.12.03");
    repo.commit("b.txt", "b\n", "Not ready: the new editor");
    let fix = repo.commit("c.txt", "c\n", "Fix the review queue's sort order");
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.git(&["checkout", "-q", "--detach", "2026.12.03"]);
    repo.git(&["cherry-pick", "-x", &fix]);
    tag_and_push(&repo, &work, "2026.12.03-1");
    repo.git(&["checkout", "-q", "main"]);
    for (name, this_week) in [("addons-frontend", true), ("addons-code-manager", false)] {
        let dir = repo.sibling(name);
        tag_and_push(&repo, &dir, "2026.11.26");
        repo.commit_in(&dir, "x.txt", "x\n", "Ship the thing");
        repo.git_in(&dir, &["push", "-q", "upstream", "main"]);
        if this_week {
            tag_and_push(&repo, &dir, "2026.12.03");
        }
        repo.git_in(
            &dir,
            &[
                "remote",
                "set-url",
                "--push",
                "upstream",
                &format!("git@github.com:mozilla/{name}.git"),
            ],
        );
    }
    repo.git(&[
        "remote",
        "set-url",
        "--push",
        "upstream",
        "https://github.com/mozilla/addons-server.git",
    ]);
    repo.team_file(&format!(
        "{ROTATION}\tnotesTitle = AMO Release\n\trepo = ../addons-frontend\n\trepo = ../addons-code-manager\n\tnotesUrl = https://github.com/mozilla/addons/blob/main/releases\n\tlink = Sentry https://sentry.prod.mozaws.net/operations/olympia-prod/\n\tlink = Prod Health dashboard https://earthangel-b40313e5.influxcloud.net/d/3q-fOyOWk/amo-prod-health\n"
    ));
    repo
}

#[test]
fn notes_for_a_week_with_cherry_picks() {
    let repo = train_week();
    let run = repo.run(&["notes"]).ok();
    insta::assert_snapshot!("notes_week_with_cherry_picks", repo.transcript(&run));
    // The pick is the revision's own commit, linked on the forge; the commit left out is not.
    run.stdout_has("* addons-server: [")
        .stdout_has("Fix the review queue's sort order")
        .stdout_lacks("Not ready")
        .stdout_has(
            "- https://github.com/mozilla/addons-server/compare/2026.11.26...2026.12.03-1\n",
        )
        .stdout_has(
            "- https://github.com/mozilla/addons-frontend/compare/2026.11.26...2026.12.03\n",
        )
        .stdout_has("- addons-code-manager: not tagged yet\n");
    // Offline, from local tags: the same document.
    let offline = repo.run(&["notes", "--offline"]).ok();
    assert_eq!(offline.stdout, run.stdout);
}

#[test]
fn notes_write_creates_the_document_once() {
    let repo = train_week();
    let printed = repo.run(&["notes"]).ok().stdout;
    let path = repo.work.join("releases/2026/12/03.md");
    repo.run(&["notes", "--write", "--dry-run"])
        .ok()
        .stderr_has("Dry run: nothing was changed.");
    assert!(!path.exists());
    repo.run(&["notes", "--write"])
        .ok()
        .stderr_has("wrote ")
        .stderr_has("/work/releases/2026/12/03.md")
        .stderr_has("it is at https://github.com/mozilla/addons/blob/main/releases/2026/12/03.md");
    assert_eq!(std::fs::read_to_string(&path).expect("written"), printed);
}

#[test]
fn refusal_notes_write_over_an_existing_document() {
    let repo = train_week();
    let path = repo.work.join("releases/2026/12/03.md");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, "# our own notes\n").expect("write");
    let before = repo.snapshot();
    repo.run(&["notes", "--write"])
        .expect(1)
        .stderr_has("/work/releases/2026/12/03.md already exists: the notes of the push on 2026-12-03 are written, and were not overwritten")
        .stderr_has("hint: edit it there, or see what it would hold now: git push-duty notes\n");
    assert_eq!(repo.snapshot(), before);
    assert_eq!(
        std::fs::read_to_string(&path).expect("kept"),
        "# our own notes\n"
    );
}

#[test]
fn notes_next_is_the_push_after_this_one() {
    let repo = train_week();
    let run = repo.run(&["notes", "--next"]).ok();
    run.stdout_starts_with(
        "# AMO Release Thursday 10th December 2026\n\nThis week's push hero is @mat\n",
    )
    .stdout_has("- addons-server: not tagged yet\n- addons-frontend: not tagged yet\n- addons-code-manager: not tagged yet\n");
    // Into a separate notes repository beside this one, once it is there.
    repo.git(&["config", "pushduty.notesDir", "../addons/releases"]);
    let before = repo.snapshot();
    repo.run(&["notes", "--next", "--write"])
        .expect(1)
        .stderr_has("pushduty.notesDir = \"../addons/releases\" (set in ")
        .stderr_has("/work/../addons does not exist (is the notes repository cloned there?)");
    assert_eq!(repo.snapshot(), before);
    assert!(!repo.root().join("addons").exists());
    let notes_repo = repo.root().join("addons");
    std::fs::create_dir_all(&notes_repo).expect("mkdir");
    repo.git(&["config", "pushduty.notesDir", "../addons/releases"]);
    repo.run(&["notes", "--next", "--write"]).ok();
    assert!(notes_repo.join("releases/2026/12/10.md").is_file());
    // An explicit push date that is a push date; one that is not is refused.
    repo.run(&["notes", "--date", "2026-12-17"])
        .ok()
        .stdout_has("hero is @bsilverberg");
    let before = repo.snapshot();
    repo.run(&["notes", "--date", "2026-12-16", "--write"])
        .expect(2)
        .stderr_has("there is no push on 2026-12-16: it is a wednesday, not a push day (thursday)");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn notes_from_the_teams_template() {
    let repo = train_week();
    std::fs::write(
        repo.work.join("push_notes.tpl"),
        "{title} ({hero})\n{{literal}}\n{compare_links}\n",
    )
    .expect("write");
    repo.git(&["config", "pushduty.notesTemplate", "push_notes.tpl"]);
    repo.run(&["notes"]).ok().stdout_starts_with(
        "AMO Release Thursday 3rd December 2026 (eviljeff)\n{literal}\n- https://github.com/mozilla/addons-server/compare/",
    );
    std::fs::write(repo.work.join("push_notes.tpl"), "{title} {heroo}\n").expect("write");
    let before = repo.snapshot();
    repo.run(&["notes", "--write"]).expect(1).stderr_has(
        "push_notes.tpl (pushduty.notesTemplate) cannot be filled: unknown placeholder {heroo}",
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn refusal_notes_with_bad_settings() {
    let repo = train_week();
    for (key, value, says) in [
        (
            "pushduty.link",
            "Sentry",
            "pushduty.link = \"Sentry\" (set in ",
        ),
        (
            "pushduty.notesUrl",
            "releases",
            "pushduty.notesUrl = \"releases\" (set in ",
        ),
        (
            "pushduty.repo",
            "../nowhere",
            "pushduty.repo = \"../nowhere\" (set in ",
        ),
        (
            "pushduty.notesTemplate",
            "missing.tpl",
            "pushduty.notesTemplate = \"missing.tpl\" (set in ",
        ),
    ] {
        repo.git(&["config", key, value]);
        let before = repo.snapshot();
        repo.run(&["notes", "--write"])
            .expect(1)
            .stderr_has(says)
            .stderr_has(".git/config");
        assert_eq!(repo.snapshot(), before, "{key}");
        repo.git(&["config", "--unset", key]);
    }
    // A listed repository that is this one.
    repo.git(&["config", "pushduty.repo", s(&repo.work)]);
    repo.run(&["notes"])
        .expect(1)
        .stderr_has("that is this repository, which the train always includes");
}
