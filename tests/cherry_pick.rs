//! `git push-duty tag --cherry-pick`: revisions built in memory, compared with what
//! `git cherry-pick -x` makes, with the user's worktree left exactly as it was.

mod common;

use common::{TestRepo, Text};

/// Last week's tag on the first commit; since then main got an unready feature and a fix.
struct Week {
    repo: TestRepo,
    feature: String,
    fix: String,
}

fn week() -> Week {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    let feature = repo.commit("feature.txt", "not ready\n", "Add the unready feature");
    let fix = repo.commit("fix.txt", "fixed\n", "Fix the crash\n\nLonger explanation.");
    repo.git(&["push", "-q", "upstream", "main"]);
    Week { repo, feature, fix }
}

/// What `git cherry-pick -x` gives for `picks` onto `base`, in a scratch clone:
/// (tree id, full message).
fn git_cherry_pick(repo: &TestRepo, base: &str, picks: &[&str]) -> (String, String) {
    let root = repo.root();
    let scratch = root.join("scratch");
    if !scratch.exists() {
        repo.git_in(&root, &["clone", "-q", "upstream.git", "scratch"]);
    }
    repo.git_in(&scratch, &["fetch", "-q", "origin", "--tags"]);
    repo.git_in(&scratch, &["checkout", "-q", "--detach", base]);
    for pick in picks {
        repo.git_in(&scratch, &["cherry-pick", "-x", pick]);
    }
    (
        repo.git_in(&scratch, &["rev-parse", "HEAD^{tree}"]),
        repo.git_in(&scratch, &["log", "-1", "--format=%B"]),
    )
}

#[test]
fn a_pick_matches_git_cherry_pick_and_leaves_a_dirty_worktree_alone() {
    let Week { repo, fix, .. } = week();
    // The hero is mid-work: a modified file, a staged file, an untracked file, another branch.
    repo.git(&["checkout", "-q", "-b", "wip"]);
    std::fs::write(repo.work.join("README.md"), "# site, edited\n").expect("edit");
    std::fs::write(repo.work.join("staged.txt"), "staged\n").expect("write");
    repo.git(&["add", "staged.txt"]);
    std::fs::write(repo.work.join("notes.txt"), "untracked\n").expect("write");
    let before = repo.snapshot();

    let run = repo.run(&["tag", "--cherry-pick", &fix, "--yes"]).ok();
    run.stdout_starts_with("tag: 2026.12.03\n");

    let after = repo.snapshot();
    assert_eq!(after.head, before.head, "HEAD did not move");
    assert_eq!(after.index, before.index, "the index is untouched");
    assert_eq!(after.files, before.files, "the worktree is untouched");

    let (tree, message) = git_cherry_pick(&repo, "2026.11.26", &[&fix]);
    let up = &repo.upstream;
    assert_eq!(repo.git_in(up, &["rev-parse", "2026.12.03^{tree}"]), tree);
    assert_eq!(
        repo.git_in(up, &["log", "-1", "--format=%B", "2026.12.03"]),
        message
    );
    assert!(message.ends_with(&format!("(cherry picked from commit {fix})")));
    // The pick keeps its author; it sits on last week's tag.
    assert_eq!(
        repo.git_in(up, &["log", "-1", "--format=%an <%ae>", "2026.12.03"]),
        "Ada Author <ada@example.com>"
    );
    assert_eq!(
        repo.git_in(up, &["rev-parse", "2026.12.03^{commit}^"]),
        repo.git_in(up, &["rev-parse", "2026.11.26^{commit}"])
    );
    // The unready feature is not in the tag.
    let files = repo.git_in(up, &["ls-tree", "--name-only", "2026.12.03"]);
    files.lacks("feature.txt");
    files.has("fix.txt");
    let tag_message = repo.git_in(up, &["cat-file", "tag", "2026.12.03"]);
    tag_message.has("Cherry-picked onto 2026.11.26:");
}

#[test]
fn the_second_revision_builds_on_this_weeks_tag() {
    let Week { repo, fix, .. } = week();
    repo.run(&["tag", "--cherry-pick", &fix, "--yes"]).ok();
    let later = repo.commit("later.txt", "later\n", "Fix another thing");
    repo.git(&["push", "-q", "upstream", "main"]);

    let run = repo
        .run(&["tag", "--cherry-pick", &later, "--yes", "--json"])
        .ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["tag"], "2026.12.03-1");
    assert_eq!(json["base"], "2026.12.03");
    assert_eq!(json["previous"], "2026.12.03");
    let up = &repo.upstream;
    assert_eq!(
        repo.git_in(up, &["rev-parse", "2026.12.03-1^{commit}^"]),
        repo.git_in(up, &["rev-parse", "2026.12.03^{commit}"])
    );
    let (tree, _) = git_cherry_pick(&repo, "2026.12.03", &[&later]);
    assert_eq!(repo.git_in(up, &["rev-parse", "2026.12.03-1^{tree}"]), tree);
}

#[test]
fn several_picks_apply_in_order() {
    let Week { repo, fix, feature } = week();
    let run = repo
        .run(&[
            "tag",
            "--cherry-pick",
            &fix,
            "--cherry-pick",
            &feature,
            "--yes",
        ])
        .ok();
    run.stdout_has("tag: 2026.12.03");
    let (tree, _) = git_cherry_pick(&repo, "2026.11.26", &[&fix, &feature]);
    let up = &repo.upstream;
    assert_eq!(repo.git_in(up, &["rev-parse", "2026.12.03^{tree}"]), tree);
    let subjects = repo.git_in(up, &["log", "--format=%s", "2026.11.26..2026.12.03"]);
    assert_eq!(subjects, "Add the unready feature\nFix the crash");
}

#[test]
fn a_pick_only_on_the_upstream_and_a_base_tag_only_on_the_upstream() {
    let repo = TestRepo::new();
    // A colleague tagged and fixed; this clone fetched neither.
    let colleague_fix = repo.upstream_commit("fix.txt", "fix\n", "Colleague's fix");
    let other = repo.root().join("colleague");
    repo.git_in(&other, &["tag", "-a", "-m", "x", "2026.11.26", "HEAD~1"]);
    repo.git_in(&other, &["push", "-q", "origin", "2026.11.26"]);
    let run = repo
        .run(&[
            "tag",
            "--cherry-pick",
            &colleague_fix,
            "--from",
            "2026.11.26",
            "--yes",
        ])
        .ok();
    run.stdout_has("tag: 2026.12.03");
    assert_eq!(
        repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03^{commit}^"]),
        repo.git_in(&repo.upstream, &["rev-parse", "2026.11.26^{commit}"])
    );
}

#[test]
fn a_conflicting_pick_names_the_paths_and_creates_nothing() {
    let Week { repo, .. } = week();
    repo.commit("README.md", "# site v2\n", "Rename the site");
    let conflicting = repo.commit("README.md", "# site v3\n", "Rename it again");
    repo.git(&["push", "-q", "upstream", "main"]);
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", &conflicting, "--yes"])
        .expect(1);
    run.stderr_has(&format!(
        "--cherry-pick {conflicting} ({} Rename it again) conflicts in: README.md",
        &conflicting[..7]
    ));
    run.stderr_has("nothing was created");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_merge_commit_is_refused() {
    let Week { repo, .. } = week();
    repo.git(&["checkout", "-q", "-b", "topic", "HEAD~2"]);
    repo.commit("topic.txt", "topic\n", "Topic work");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge topic", "topic"]);
    let merge = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["push", "-q", "upstream", "main"]);
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", &merge, "--yes"])
        .expect(1);
    run.stderr_has(&format!("--cherry-pick {merge} is a merge commit"));
    run.stderr_has("git log --oneline --no-merges");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_pick_that_does_not_resolve_is_refused() {
    let Week { repo, .. } = week();
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", "deadbeef1", "--yes"])
        .expect(1);
    // The product's words, never the library's ("couldn't parse revision, input=...").
    run.stderr_starts_with(
        "error: --cherry-pick deadbeef1: no commit deadbeef1 here or on upstream\nhint: ",
    );
    for spec in ["no-such-branch", "main~99", "HEAD@{99}", "", "a b", "^main"] {
        let run = repo.run(&["tag", "--cherry-pick", spec, "--yes"]).expect(1);
        run.stderr_starts_with("error: --cherry-pick ");
        run.stderr_has("\nhint: ");
        for library in ["input=", "couldn't", "revspec", "Error", "error: "] {
            run.stderr["error: ".len()..].lacks(library);
        }
    }
    // Not a commit at all.
    let run = repo
        .run(&["tag", "--cherry-pick", "HEAD^{tree}", "--yes"])
        .expect(1);
    run.stderr_has("error: --cherry-pick HEAD^{tree} names a tree (");
    run.stderr_has("), not a commit\n");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn from_must_be_a_tag() {
    let Week { repo, fix, .. } = week();
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", &fix, "--from", "main", "--yes"])
        .expect(1);
    run.stderr_has("--from \"main\" is not a tag here or on upstream");
    // Not even a valid tag name: the same refusal, not a ref-parsing error.
    for odd in ["", "a b", "x~1"] {
        let run = repo
            .run(&["tag", "--cherry-pick", &fix, "--from", odd, "--yes"])
            .expect(1);
        run.stderr_starts_with(&format!(
            "error: --from {odd:?} is not a tag here or on upstream\n"
        ));
    }
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_pick_already_in_the_base_is_refused() {
    let Week { repo, .. } = week();
    repo.commit("README.md", "# site v2\n", "Rename the site");
    let readme_again = repo.commit("README.md", "# site\n", "Rename it back");
    // On the upstream (a pick must be), and so on its tracking ref.
    repo.git(&["push", "-q", "upstream", "main"]);
    let before = repo.snapshot();
    // The commit changes README.md back to what the base already has: nothing to pick.
    let run = repo
        .run(&["tag", "--cherry-pick", &readme_again, "--yes", "--offline"])
        .expect(1);
    run.stderr_has("changes nothing on top of the base");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn dry_run_with_picks_writes_nothing() {
    let Week { repo, fix, .. } = week();
    let before = repo.snapshot();
    let loose_before = repo.git(&["count-objects"]);
    let run = repo.run(&["tag", "--cherry-pick", &fix, "--dry-run"]).ok();
    run.stderr_has("write 1 cherry-picked commit onto 2026.11.26 (");
    run.stdout_has("tag: 2026.12.03");
    assert_eq!(repo.snapshot(), before);
    // Built in memory only: not even an unreachable object was written.
    assert_eq!(repo.git(&["count-objects"]), loose_before);
}

#[test]
fn the_plan_and_the_result_name_the_picked_commit_by_its_subject() {
    let Week { repo, fix, .. } = week();
    let run = repo.run(&["tag", "--cherry-pick", &fix, "--dry-run"]).ok();
    // The picked commit exists only in memory when the plan is printed, in a dry run throughout.
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("commit: "))
        .expect("a commit line");
    assert!(line.ends_with(" Fix the crash"), "{}", run.stdout);
    let push = run
        .stderr
        .lines()
        .find(|l| l.contains("push tag 2026.12.03 ("))
        .expect("a push step");
    push.has(" Fix the crash) to upstream");

    let run = repo.run(&["tag", "--cherry-pick", &fix, "--yes"]).ok();
    run.stderr_has(" Fix the crash) to upstream");
}

#[test]
fn a_local_base_tag_that_differs_from_the_upstreams_loses_and_the_user_is_told() {
    let Week { repo, feature, fix } = week();
    // An old local tag of the same name on another commit: the seed's "easy mistake".
    repo.git(&["tag", "-f", "-a", "-m", "mine", "2026.11.26", &feature]);
    let upstream_base = repo.git_in(&repo.upstream, &["rev-parse", "2026.11.26^{commit}"]);
    for from in [None, Some("2026.11.26")] {
        let mut args = vec!["tag", "--cherry-pick", &fix, "--json", "--yes", "--no-push"];
        args.extend(from.map(|f| ["--from", f]).into_iter().flatten());
        args.push("--dry-run");
        let run = repo.run(&args).ok();
        run.stderr_has(&format!(
            "warning: tag 2026.11.26 here points to {} (Add the unready feature), on upstream to {} (Initial commit): building on upstream's",
            &feature[..7],
            &upstream_base[..7]
        ));
    }
    let run = repo
        .run(&["tag", "--cherry-pick", &fix, "--yes", "--no-push"])
        .ok();
    run.stderr_has("warning: tag 2026.11.26 here");
    assert_eq!(
        repo.git(&["rev-parse", "2026.12.03^{commit}^"]),
        upstream_base,
        "built on the upstream's tag"
    );
    assert_eq!(
        repo.git(&["rev-parse", "2026.11.26^{commit}"]),
        feature,
        "the local tag is left as it was"
    );
}
