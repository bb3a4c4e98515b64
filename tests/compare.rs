//! `git push-duty compare`: the compare link for every URL shape, and the commits a tag ships.

mod common;

use common::{TestRepo, assert_contains};

/// Two calendar tags with two commits between them.
fn two_weeks() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "x", "2026.11.26"]);
    repo.commit("a.txt", "a\n", "First change");
    repo.commit("b.txt", "b\n", "Second change");
    repo.git(&["tag", "-a", "-m", "x", "2026.12.03"]);
    repo
}

fn compare_link(repo: &TestRepo, url: &str) -> String {
    repo.git(&["remote", "set-url", "upstream", url]);
    let run = repo.run(&["compare"]).ok();
    run.stdout.lines().next().unwrap_or_default().to_owned()
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
            ],
        )
        .ok();
    assert_eq!(
        run.stdout.lines().next(),
        Some("https://github.com/mozilla/addons-frontend/compare/2026.11.26...2026.12.03")
    );
}

#[test]
fn the_commits_between_the_tags_one_line_each() {
    let repo = two_weeks();
    let run = repo.run(&["compare", "2026.12.03"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert_eq!(lines[0], "git log --oneline 2026.11.26..2026.12.03");
    let second = repo.git(&["rev-parse", "--short", "HEAD"]);
    let first = repo.git(&["rev-parse", "--short", "HEAD~1"]);
    assert_eq!(lines[1], format!("{second} Second change"));
    assert_eq!(lines[2], format!("{first} First change"));

    let json = repo.run(&["compare", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["tag"], "2026.12.03");
    assert_eq!(json["previous"], "2026.11.26");
    assert_eq!(json["commits"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_revision_compares_with_the_revision_before_it() {
    let repo = two_weeks();
    repo.commit("c.txt", "c\n", "Third change");
    repo.git(&["tag", "2026.12.03-1"]);
    let run = repo.run(&["compare"]).ok();
    assert!(
        run.stdout
            .starts_with("git log --oneline 2026.12.03..2026.12.03-1\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Third change"));
    assert!(!run.stdout.contains("Second change"));
}

#[test]
fn refusals() {
    let repo = TestRepo::new();
    let run = repo.run(&["compare"]).expect(1);
    assert_contains(&run.stderr, "there are no calendar tags here");
    repo.git(&["tag", "2026.11.26"]);
    let run = repo.run(&["compare"]).expect(1);
    assert_contains(&run.stderr, "2026.11.26 is the first calendar tag here");
    let run = repo.run(&["compare", "v1.0"]).expect(1);
    assert_contains(&run.stderr, "\"v1.0\" is not a calendar tag");
    let run = repo.run(&["compare", "2026.12.03"]).expect(1);
    assert_contains(&run.stderr, "there is no tag 2026.12.03 here");
    assert_contains(&run.stderr, "git fetch upstream --tags");
}
