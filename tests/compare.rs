//! `git push-duty compare`: the compare link for every URL shape, and the commits a tag ships.

mod common;

use common::{TestRepo, Text};

/// Two calendar tags with two commits between them.
fn two_weeks() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "x", "2026.11.26"]);
    repo.commit("a.txt", "a\n", "First change");
    repo.commit("b.txt", "b\n", "Second change");
    repo.git(&["tag", "-a", "-m", "x", "2026.12.03"]);
    repo
}

/// The first compare link for `url`, from local tags (the URLs in these tests lead nowhere).
fn compare_link(repo: &TestRepo, url: &str) -> String {
    repo.git(&["remote", "set-url", "upstream", url]);
    let run = repo.run(&["compare", "--offline"]).ok();
    link(&run.stdout)
}

fn link(stdout: &str) -> String {
    let first = stdout.lines().next().unwrap_or_default();
    first.strip_prefix("compare: ").unwrap_or(first).to_owned()
}

#[test]
fn links_for_https_scp_ssh_and_gitlab() {
    let repo = two_weeks();
    let github = "https://github.com/mozilla/addons-server/compare/2026.11.26...2026.12.03";
    for url in [
        "https://github.com/mozilla/addons-server.git",
        "https://github.com/mozilla/addons-server",
        "git@github.com:mozilla/addons-server.git",
        "ssh://git@github.com/mozilla/addons-server.git",
    ] {
        assert_eq!(compare_link(&repo, url), github, "{url}");
    }
    assert_eq!(
        compare_link(&repo, "git@gitlab.com:mozilla/web/addons-server.git"),
        "https://gitlab.com/mozilla/web/addons-server/-/compare/2026.11.26...2026.12.03"
    );
    assert_eq!(
        compare_link(&repo, "https://git.example.org/mozilla/addons-server.git"),
        "git log --oneline 2026.11.26..2026.12.03"
    );
}

#[test]
fn a_url_rewritten_by_instead_of() {
    let repo = two_weeks();
    repo.git(&["config", "url.git@github.com:.insteadOf", "gh:"]);
    assert_eq!(
        compare_link(&repo, "gh:mozilla/addons-frontend"),
        "https://github.com/mozilla/addons-frontend/compare/2026.11.26...2026.12.03"
    );
}

#[test]
fn a_rewrite_to_a_local_cache_or_a_push_url_still_gives_the_forge_link() {
    let repo = two_weeks();
    let github = "https://github.com/mozilla/addons-server/compare/2026.11.26...2026.12.03";
    // Fetched through a cache on disk that insteadOf substitutes for the GitHub URL.
    repo.git(&[
        "config",
        &format!("url.{}/.insteadOf", repo.root().display()),
        "git@github.com:mozilla/",
    ]);
    assert_eq!(
        compare_link(&repo, "git@github.com:mozilla/addons-server.git"),
        github
    );
    // Fetched from a mirror on disk, pushed to GitHub.
    repo.git(&[
        "config",
        "remote.upstream.pushurl",
        "https://github.com/mozilla/addons-server.git",
    ]);
    assert_eq!(compare_link(&repo, "/srv/mirror/addons-server.git"), github);
}

#[test]
fn a_url_rewritten_by_git_dash_c() {
    let repo = two_weeks();
    repo.git(&[
        "remote",
        "set-url",
        "upstream",
        "gh:mozilla/addons-frontend",
    ]);
    let run = repo
        .run_through_git_on(
            common::TUESDAY,
            &[
                "-c",
                "url.git@github.com:.insteadOf=gh:",
                "push-duty",
                "compare",
                "--offline",
            ],
        )
        .ok();
    assert_eq!(
        link(&run.stdout),
        "https://github.com/mozilla/addons-frontend/compare/2026.11.26...2026.12.03"
    );
}

#[test]
fn the_commits_between_the_tags_one_line_each() {
    let repo = two_weeks();
    let run = repo.run(&["compare", "2026.12.03"]).ok();
    let second = repo.git(&["rev-parse", "--short", "HEAD"]);
    let first = repo.git(&["rev-parse", "--short", "HEAD~1"]);
    let base = repo.git(&["rev-parse", "--short", "HEAD~2"]);
    run.stdout_is(&format!(
        "compare: git log --oneline 2026.11.26..2026.12.03\n\
             2026.12.03 ships 2 commits since the last push, 2026.11.26 ({base}):\n  \
             {second} Second change\n  {first} First change\n"
    ));

    let json = repo.run(&["compare", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["tag"], "2026.12.03");
    assert_eq!(json["previous"], "2026.11.26");
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_revision_compares_with_the_last_push_and_with_the_revision_before_it() {
    let repo = two_weeks();
    repo.commit("c.txt", "c\n", "Third change");
    repo.git(&["tag", "2026.12.03-1"]);
    repo.git(&[
        "config",
        "remote.upstream.pushurl",
        "git@github.com:mozilla/addons-server.git",
    ]);
    let run = repo.run(&["compare"]).ok();
    let github = "https://github.com/mozilla/addons-server/compare";
    run.stdout_starts_with(&format!(
        "compare: {github}/2026.11.26...2026.12.03-1\ncompare revision: {github}/2026.12.03...2026.12.03-1\n"
    ));
    let (since_last, since_revision) = run
        .stdout
        .split_once("since the previous revision")
        .expect("two lists");
    since_last.has("Third change");
    since_last.has("Second change");
    since_revision.has("Third change");
    since_revision.lacks("Second change");
    insta::assert_snapshot!("compare_revision", repo.transcript(&run));

    let json = repo.run(&["compare", "2026.12.03-1", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["last_push"], "2026.11.26");
    assert_eq!(
        json["compare"],
        format!("{github}/2026.11.26...2026.12.03-1")
    );
    assert_eq!(json["previous_revision"], "2026.12.03");
    assert_eq!(
        json["compare_revision"],
        format!("{github}/2026.12.03...2026.12.03-1")
    );
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["revision_commits"][0]["subject"], "Third change");
}

#[test]
fn refusals() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let run = repo.run(&["compare"]).expect(1);
    run.stderr_has("there are no calendar tags here or on upstream");
    repo.git(&["tag", "2026.11.26"]);
    let run = repo.run(&["compare"]).expect(1);
    run.stderr_has("2026.11.26 is the first calendar tag here or on upstream");
    let run = repo.run(&["compare", "v1.0"]).expect(1);
    run.stderr_has("\"v1.0\" is not a calendar tag");
    let run = repo.run(&["compare", "2026.12.03"]).expect(1);
    run.stderr_has("error: there is no tag 2026.12.03 here or on upstream\n");
    run.stderr_has("hint: list the calendar tags: git ls-remote --tags upstream");
    insta::assert_snapshot!("refusal_no_such_tag", repo.transcript(&run));
    let run = repo.run(&["compare", "2026.12.03", "--offline"]).expect(1);
    run.stderr_has("error: there is no tag 2026.12.03 here\n");
    run.stderr_has("hint: list upstream's tags too: git push-duty compare 2026.12.03");
    repo.git(&["tag", "-d", "2026.11.26"]);
    assert_eq!(repo.snapshot(), before);
    // An unreachable upstream is refused, naming --offline.
    repo.git(&["tag", "2026.11.26"]);
    repo.lose_upstream();
    let run = repo.run(&["compare"]).expect(1);
    run.stderr_has("cannot reach remote upstream");
    run.stderr_has("--offline");
}

#[test]
fn the_upstreams_tags_are_the_truth() {
    // A colleague tagged both weeks and pushed the tags; this clone fetched none of it.
    let repo = TestRepo::new();
    let other = repo.root().join("colleague");
    repo.upstream_commit("a.txt", "a\n", "First change");
    repo.git_in(&other, &["tag", "-a", "-m", "x", "2026.11.26"]);
    let shipped = repo.upstream_commit("b.txt", "b\n", "Second change");
    repo.git_in(&other, &["tag", "-a", "-m", "x", "2026.12.03"]);
    repo.git_in(&other, &["push", "-q", "origin", "--tags"]);
    let refs_before = repo.refs_of(&repo.work);

    let run = repo.run(&["compare"]).ok();

    // Neither tag is here (no ref is written): the command names their commits, which are.
    let last = repo.git_in(
        &repo.upstream,
        &["rev-parse", "--short", "2026.11.26^{commit}"],
    );
    run.stdout_has(&format!(
        "compare: git log --oneline {last}..{}\n",
        &shipped[..7]
    ));
    run.stdout_has(&format!("  {} Second change\n", &shipped[..7]));
    run.stdout_lacks("First change");
    assert_eq!(repo.refs_of(&repo.work), refs_before, "no ref is written");

    // Offline, only what is here counts, and it says so.
    let run = repo.run(&["compare", "--offline"]).expect(1);
    run.stderr_has("offline: from local tags only");
    run.stderr_has("there are no calendar tags here\n");
}

#[test]
fn a_local_tag_that_differs_from_the_upstreams_is_named_and_the_upstreams_used() {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "x", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    let first = repo.commit("a.txt", "a\n", "First change");
    let second = repo.commit("b.txt", "b\n", "Second change");
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.git(&["tag", "-a", "-m", "x", "2026.12.03", &second]);
    repo.git(&["push", "-q", "upstream", "2026.12.03"]);
    // An old local 2026.12.03 on the first change only, the seed's "easy mistake".
    repo.git(&["tag", "-f", "-a", "-m", "mine", "2026.12.03", &first]);

    let run = repo.run(&["compare", "2026.12.03"]).ok();

    run.stderr_has(&format!(
        "warning: tag 2026.12.03 here points to {} (First change), on upstream to {} (Second change): using upstream's\nhint: to make yours the same: git fetch --force upstream tag 2026.12.03\n",
        &first[..7],
        &second[..7]
    ));
    run.stdout_has("ships 2 commits since the last push");
    run.stdout_has("Second change");
    assert_eq!(
        repo.rev("2026.12.03^{commit}"),
        first,
        "the local tag is left"
    );

    let offline = repo.run(&["compare", "2026.12.03", "--offline"]).ok();
    offline.stderr_lacks("warning");
    offline.stdout_has("ships 1 commit since the last push");
}

#[test]
fn a_local_tag_on_a_tree_that_the_upstream_has_on_a_commit_is_named_not_fatal() {
    let repo = two_weeks();
    repo.git(&["push", "-q", "upstream", "2026.11.26", "2026.12.03"]);
    repo.git(&["tag", "-f", "2026.11.26", "HEAD^{tree}"]);
    let run = repo.run(&["compare"]).ok();
    run.stderr_has("warning: tag 2026.11.26 here points to ");
    run.stderr_has(" (not a commit), on upstream to ");
    run.stdout_has("ships 2 commits since the last push, 2026.11.26");
}
