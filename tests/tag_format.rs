//! `pushduty.tagFormat`: a team's own calendar tag names (`v{date}`, `release-{date}`,
//! `{date}-web`) in every command that names, lists or compares calendar tags, with real tags
//! pushed to the bare upstream; tags of another format are not counted, and the pre-push guard
//! judges a tag by what it carries whatever its name.

mod common;

use common::{TUESDAY, TestRepo, Text};

/// A repository whose committed team file names tags `format`.
fn team_format(format: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(
        ".pushduty",
        &format!("[pushduty]\n\ttagFormat = {format}\n"),
        "Name our tags",
    );
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.git(&["fetch", "-q", "upstream"]);
    repo
}

fn next(repo: &TestRepo) -> String {
    repo.run_on(TUESDAY, &["next-tag"])
        .ok()
        .stdout
        .trim()
        .to_owned()
}

fn tag_upstream(repo: &TestRepo, name: &str) {
    repo.git(&["tag", "-a", "-m", "x", name]);
    repo.git(&["push", "-q", "upstream", &format!("refs/tags/{name}")]);
}

#[test]
fn next_tag_names_the_push_in_the_team_format() {
    for (format, base, revision) in [
        ("v{date}", "v2026.12.03", "v2026.12.03-1"),
        (
            "release-{date}",
            "release-2026.12.03",
            "release-2026.12.03-1",
        ),
        ("{date}-web", "2026.12.03-web", "2026.12.03-web-1"),
        (
            "releases/{date}",
            "releases/2026.12.03",
            "releases/2026.12.03-1",
        ),
    ] {
        let repo = team_format(format);
        // A tag of the default format on the same date is another team's, or from before.
        tag_upstream(&repo, "2026.12.03");
        assert_eq!(next(&repo), base, "{format}");
        tag_upstream(&repo, base);
        assert_eq!(next(&repo), revision, "{format}");
    }
}

#[test]
fn a_tag_only_on_the_upstream_is_counted_in_the_format() {
    let repo = team_format("v{date}");
    tag_upstream(&repo, "v2026.12.03");
    tag_upstream(&repo, "v2026.12.03-4");
    repo.git(&["tag", "-d", "v2026.12.03", "v2026.12.03-4"]);
    assert_eq!(next(&repo), "v2026.12.03-5");
}

#[test]
fn git_config_and_git_c_set_the_format_too() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.tagFormat", "v{date}"]);
    assert_eq!(next(&repo), "v2026.12.03");
    let run = repo
        .run_through_git_on(
            TUESDAY,
            &[
                "-c",
                "pushduty.tagFormat=rel-{date}",
                "push-duty",
                "next-tag",
            ],
        )
        .ok();
    assert_eq!(run.stdout.trim(), "rel-2026.12.03");
}

#[test]
fn tag_makes_and_pushes_a_tag_named_in_the_team_format() {
    let repo = team_format("v{date}");
    tag_upstream(&repo, "v2026.11.26");
    let tip = repo.upstream_commit("feature.txt", "feature\n", "Add the feature");

    let run = repo.run(&["tag", "--yes"]).ok();
    run.stdout_is(&format!(
        "tag: v2026.12.03\ncommit: {tip} Add the feature\ncompare: git log --oneline v2026.11.26..v2026.12.03\n"
    ));
    run.stderr_has("v2026.12.03 ships 1 commit since the last push, v2026.11.26");
    run.stderr_has("Tagged v2026.12.03 and pushed it to upstream.");
    let tags = repo.tags_of(&repo.upstream);
    assert_eq!(
        tags.keys().collect::<Vec<_>>(),
        ["v2026.11.26", "v2026.12.03"]
    );
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "v2026.12.03^{commit}"]),
        tip
    );
    repo.git_in(&repo.upstream, &["cat-file", "tag", "v2026.12.03"])
        .has("Push of Thursday 2026-12-03 (v2026.12.03)");

    // The next revision counts in the format too, with links for both.
    repo.git(&[
        "remote",
        "set-url",
        "upstream",
        "git@github.com:mozilla/addons-server.git",
    ]);
    repo.git(&[
        "config",
        &format!("url.{}.insteadOf", repo.upstream.display()),
        "git@github.com:mozilla/addons-server.git",
    ]);
    let fix = repo.upstream_commit("fix.txt", "fix\n", "Fix the crash");
    let run = repo.run(&["tag", "--yes", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["tag"], "v2026.12.03-1");
    assert_eq!(json["commit"], fix.as_str());
    assert_eq!(json["previous"], "v2026.12.03");
    assert_eq!(json["last_push"], "v2026.11.26");
    assert_eq!(
        json["compare"],
        "https://github.com/mozilla/addons-server/compare/v2026.11.26...v2026.12.03-1"
    );
    assert_eq!(
        json["compare_revision"],
        "https://github.com/mozilla/addons-server/compare/v2026.12.03...v2026.12.03-1"
    );
    assert!(repo.tags_of(&repo.upstream).contains_key("v2026.12.03-1"));
}

#[test]
fn a_tag_in_a_namespace_is_pushed_as_one_tag() {
    let repo = team_format("releases/{date}");
    repo.upstream_commit("feature.txt", "feature\n", "Add the feature");
    repo.run(&["tag", "--yes"]).ok();
    assert_eq!(
        repo.tags_of(&repo.upstream).keys().collect::<Vec<_>>(),
        ["releases/2026.12.03"]
    );
    repo.run(&["compare", "--offline"])
        .expect(1)
        .stderr_has("releases/2026.12.03 is the first calendar tag here");
}

#[test]
fn at_a_change_of_format_the_last_tag_of_the_old_one_is_named_not_counted() {
    let repo = TestRepo::new();
    tag_upstream(&repo, "2026.11.26");
    repo.commit(
        ".pushduty",
        "[pushduty]\n\ttagFormat = v{date}\n",
        "Name our tags with a v",
    );
    repo.git(&["push", "-q", "upstream", "main"]);
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--dry-run"]).ok();
    run.stdout_has("tag: v2026.12.03\n");
    run.stderr_has("v2026.12.03 is the first calendar tag: there is no earlier push to count from");
    run.stderr_has(
        "note: 2026.11.26 is not named in pushduty.tagFormat (v{date}), so nothing is counted from it; once v2026.12.03 exists, git log --oneline 2026.11.26..v2026.12.03 lists what it ships",
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn compare_lists_and_compares_the_team_formats_tags_only() {
    let repo = team_format("v{date}");
    tag_upstream(&repo, "v2026.11.26");
    repo.commit("a.txt", "a\n", "First change");
    tag_upstream(&repo, "2026.12.01");
    repo.commit("b.txt", "b\n", "Second change");
    tag_upstream(&repo, "v2026.12.03");

    let run = repo.run(&["compare"]).ok();
    run.stdout_has("compare: git log --oneline v2026.11.26..v2026.12.03\n");
    run.stdout_has("v2026.12.03 ships 2 commits since the last push, v2026.11.26");
    run.stdout_lacks("2026.12.01");

    // A tag of the default format is not one of this team's.
    let before = repo.snapshot();
    let run = repo.run(&["compare", "2026.12.01"]).expect(1);
    run.stderr_has(
        "\"2026.12.01\" is not a calendar tag named in pushduty.tagFormat v{date} (vYYYY.MM.DD or vYYYY.MM.DD-N)",
    );
    assert_eq!(repo.snapshot(), before);
    let run = repo.run(&["compare", "v2026.12.10"]).expect(1);
    run.stderr_has("hint: list the calendar tags: git ls-remote --tags upstream 'v20*'");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_malformed_format_is_refused_naming_the_key_and_nothing_is_done() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.tagFormat", "v{data}"]);
    repo.upstream_commit("feature.txt", "feature\n", "Add the feature");
    let before = repo.snapshot();
    let upstream = repo.tags_of(&repo.upstream);
    for args in [&["next-tag"][..], &["tag", "--yes"], &["compare"]] {
        let run = repo.run(args).expect(1);
        run.stderr_has(&format!(
            "error: pushduty.tagFormat = \"v{{data}}\" (set in {}) is not a tag format: it has no {{date}}, where the push date goes",
            repo.work.join(".git/config").display()
        ));
        run.stderr_has("hint: a format is {date} with fixed text around it");
        assert_eq!(repo.snapshot(), before, "{args:?}");
        assert_eq!(repo.tags_of(&repo.upstream), upstream);
    }
    let run = repo.run(&["check", "--offline"]).expect(1);
    run.stdout_has("WRONG configuration: pushduty.tagFormat = \"v{data}\"");
}

#[test]
fn check_says_which_format_names_the_tags() {
    let repo = TestRepo::guarded();
    let plain = repo.run(&["check", "--offline"]).ok();
    plain.stdout_lacks("tags named");
    repo.git(&["config", "pushduty.tagFormat", "v{date}"]);
    let run = repo.run(&["check", "--offline"]).ok();
    run.stdout_has("release branch main, tags named v{date}\n");
}

#[test]
fn the_guard_judges_a_tag_in_the_team_format_by_what_it_carries() {
    let (repo, fork, fix) = TestRepo::guarded_with_fix();
    repo.git(&["config", "pushduty.tagFormat", "v{date}"]);
    // A tag named like the team's calendar tags, on an embargoed fix: refused like any other.
    repo.git(&["tag", "-a", "-m", "x", "v2026.12.03", &fix]);
    let before = repo.refs_of(&fork);
    repo.push(&["fork", "refs/tags/v2026.12.03"])
        .refused()
        .stderr_has("it would publish an embargoed security fix");
    assert_eq!(repo.refs_of(&fork), before);
    // And the team's tag of public work goes to the upstream as before.
    repo.git(&["tag", "-a", "-m", "x", "v2026.12.10", "upstream/main"]);
    repo.push(&["-q", "upstream", "refs/tags/v2026.12.10"])
        .silent();
    assert!(repo.tags_of(&repo.upstream).contains_key("v2026.12.10"));
}

#[test]
fn a_malformed_format_in_git_config_stops_the_hook_naming_the_key() {
    // The guard does not name tags, but a malformed value is never read as a default: the hook
    // cannot tell what else in the same file was meant, and says which key to correct.
    let repo = TestRepo::guarded();
    repo.git(&["config", "pushduty.tagFormat", "v{date}}"]);
    repo.commit("a.txt", "a\n", "Public work");
    let before = repo.refs_of(&repo.upstream);
    repo.push(&["-q", "upstream", "main"])
        .refused_without_settings()
        .stderr_has("pushduty.tagFormat = \"v{date}}\"")
        .stderr_has("is not a tag format: it has '}' outside {date}");
    assert_eq!(repo.refs_of(&repo.upstream), before);
    // Corrected, the same push goes through.
    repo.git(&["config", "pushduty.tagFormat", "v{date}"]);
    repo.push(&["-q", "upstream", "main"]).silent();
    assert_ne!(repo.refs_of(&repo.upstream), before);
}
