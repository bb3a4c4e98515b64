//! `next-tag` reads only the tags that can matter for the push date (its year and the year
//! before, by their names' prefixes, here and on the upstream) and must answer exactly as if it
//! had read every tag: a January push counts from December's, a revision beyond -9 counts as a
//! number, other tags are ignored, a team's format is read by its own prefix, and when those
//! years hold no earlier push every tag is read after all.

mod common;

use common::{BIN, TestRepo};

/// Tags the clone's HEAD with each of `names` and pushes them to the upstream.
fn pushed_tags(repo: &TestRepo, names: &[&str]) {
    for name in names {
        repo.git(&["tag", name]);
        repo.git(&["push", "-q", "upstream", &format!("refs/tags/{name}")]);
    }
}

/// Packs the refs of the clone and of the upstream, as a long-lived repository has them.
fn pack_refs(repo: &TestRepo) {
    repo.git(&["pack-refs", "--all"]);
    repo.git_in(&repo.root().join("upstream.git"), &["pack-refs", "--all"]);
}

/// `next-tag --json` on `today`, online and offline: both must give the same answer.
fn both_ways(repo: &TestRepo, today: &str) -> [serde_json::Value; 2] {
    ["--json", "--offline"].map(|flag| {
        let args: Vec<&str> = if flag == "--offline" {
            vec!["next-tag", "--json", "--offline"]
        } else {
            vec!["next-tag", "--json"]
        };
        let run = repo.run_on(today, &args).ok();
        serde_json::from_str(&run.stdout).expect("JSON")
    })
}

#[test]
fn a_january_push_counts_from_last_years_december_push() {
    let repo = TestRepo::new();
    pushed_tags(&repo, &["2026.12.17", "2026.12.31", "2026.12.31-1"]);
    for packed in [false, true] {
        if packed {
            pack_refs(&repo);
        }
        for json in both_ways(&repo, "2027-01-05") {
            assert_eq!(json["tag"], "2027.01.07", "packed: {packed}");
            assert_eq!(json["previous"], "2026.12.31-1", "packed: {packed}");
            assert_eq!(json["last_push"], "2026.12.31-1", "packed: {packed}");
        }
    }
}

#[test]
fn revisions_beyond_nine_count_as_numbers() {
    let repo = TestRepo::new();
    let mut names = vec!["2026.12.31".to_owned(), "2027.01.07".to_owned()];
    names.extend((1..=11).map(|n| format!("2027.01.07-{n}")));
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    pushed_tags(&repo, &names);
    pack_refs(&repo);
    for json in both_ways(&repo, "2027-01-07") {
        assert_eq!(json["tag"], "2027.01.07-12");
        assert_eq!(json["previous"], "2027.01.07-11");
        assert_eq!(json["previous_revision"], "2027.01.07-11");
        assert_eq!(json["last_push"], "2026.12.31");
    }
}

#[test]
fn tags_that_are_not_calendar_tags_are_ignored() {
    let repo = TestRepo::new();
    pushed_tags(
        &repo,
        &[
            "2026.12.31",
            "v1.2.3",
            "2027.01.07-hotfix",
            "2027.01.07x",
            "2027.1.7",
            "20270107",
            "2027.01.07.1",
            "release-2027.01.07",
            "2027-01-07",
            "2027.13.01",
        ],
    );
    for json in both_ways(&repo, "2027-01-05") {
        assert_eq!(json["tag"], "2027.01.07");
        assert_eq!(json["previous"], "2026.12.31");
        assert_eq!(json["last_push"], "2026.12.31");
    }
}

#[test]
fn a_team_format_is_read_by_its_own_prefix() {
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.tagFormat", "v{date}"]);
    pushed_tags(
        &repo,
        &["v2026.12.31", "2027.01.07", "2027.01.07-1", "v2027.01.07"],
    );
    pack_refs(&repo);
    for json in both_ways(&repo, "2027-01-05") {
        assert_eq!(json["tag"], "v2027.01.07-1");
        assert_eq!(json["previous"], "v2027.01.07");
        assert_eq!(json["last_push"], "v2026.12.31");
    }
}

#[test]
fn a_last_push_older_than_last_year_is_still_found() {
    let repo = TestRepo::new();
    pushed_tags(&repo, &["2024.06.06", "2024.06.06-1"]);
    pack_refs(&repo);
    for json in both_ways(&repo, "2027-01-05") {
        assert_eq!(json["tag"], "2027.01.07");
        assert_eq!(json["previous"], "2024.06.06-1");
        assert_eq!(json["last_push"], "2024.06.06-1");
    }
}

#[test]
fn a_tag_only_here_does_not_hide_the_upstreams_older_last_push() {
    // The upstream's last push is two years back; the clone has a later tag it never pushed.
    let repo = TestRepo::new();
    pushed_tags(&repo, &["2025.03.06"]);
    repo.git(&["tag", "2026.12.31"]);
    let run = repo.run_on("2027-01-05", &["next-tag", "--json"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["tag"], "2027.01.07");
    assert_eq!(json["previous"], "2026.12.31");
    assert_eq!(
        json["last_push"], "2025.03.06",
        "production never ran 2026.12.31"
    );
    // Offline every tag counts, as nothing else can be known.
    let run = repo
        .run_on("2027-01-05", &["next-tag", "--json", "--offline"])
        .ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["last_push"], "2026.12.31");
}

#[test]
fn the_upstream_is_asked_for_the_two_years_only() {
    let repo = TestRepo::new();
    pushed_tags(&repo, &["2026.12.31", "v1.2.3"]);
    let trace = repo.root().join("packets.trace");
    let trace_text = trace.to_str().expect("a UTF-8 path");
    let run = repo
        .run_env(
            BIN,
            &repo.root().join("work"),
            &["next-tag"],
            &[
                ("PUSH_DUTY_TODAY", "2027-01-05"),
                ("GIT_TRACE_PACKET", trace_text),
            ],
        )
        .ok();
    run.stdout_is("2027.01.07\n");
    let sent = std::fs::read_to_string(&trace).expect("a packet trace");
    assert!(sent.contains("ref-prefix refs/tags/2026"), "{sent}");
    assert!(sent.contains("ref-prefix refs/tags/2027"), "{sent}");
    assert!(sent.contains("ref-prefix refs/heads/main"), "{sent}");
    assert!(!sent.contains("ref-prefix refs/tags/\n"), "{sent}");
    assert!(!sent.contains("refs/tags/v1.2.3"), "not sent: {sent}");
}
