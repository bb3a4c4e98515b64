//! `git push-duty tag` and the security mirror: a cherry-pick never publishes an embargoed fix (or
//! anything the upstream does not have), a fix already released is not refused, and a tag made
//! after a colleague's release merge is not refused by the tool's own pre-push hook because this
//! clone's tracking ref was stale. Real mirror, real hook, real pushes.

mod common;

use common::{TestRepo, Text};

/// A guarded clone (mirror + hook) with last week's tag on the upstream and a fix branch
/// `fix-xss` on the mirror, fetched here (as `git fetch security` leaves it). Returns the fix.
fn embargoed() -> (TestRepo, String) {
    let repo = TestRepo::guarded();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    repo.upstream_commit("feature.txt", "not ready\n", "Add the unready feature");
    let fix = repo.security_branch(
        "fix-xss",
        "main",
        "search.py",
        "escape(query)\n",
        "Escape the search query",
    );
    repo.git(&["fetch", "-q", "security"]);
    (repo, fix)
}

#[test]
fn a_pick_of_an_embargoed_fix_is_refused_naming_it_and_the_safe_route() {
    let (repo, fix) = embargoed();
    let before = repo.snapshot();
    for spec in ["security/fix-xss", fix.as_str(), &fix[..10]] {
        let run = repo.run(&["tag", "--cherry-pick", spec, "--yes"]).expect(1);
        run.stderr_has(&format!(
            "error: --cherry-pick {spec} ({} Escape the search query) is an embargoed security fix: it is on security/fix-xss and not on upstream, so a tag carrying it would publish it; nothing was changed",
            &fix[..7]
        ));
        run.stderr_has(
            "hint: merge it first, upstream then mirror: git push-duty security-merge fix-xss",
        );
        run.stderr_has("hint: then pick the merged commit from upstream/main: git push-duty tag --cherry-pick <commit>");
        if spec == "security/fix-xss" {
            insta::assert_snapshot!("refusal_embargoed_pick", repo.transcript(&run));
        }
        assert_eq!(repo.snapshot(), before, "{spec}: nothing changed anywhere");
    }
    assert!(
        repo.tags_of(&repo.upstream)
            .keys()
            .all(|t| t == "2026.11.26")
    );
}

#[test]
fn a_pick_among_others_is_refused_before_anything_is_built() {
    // The embargoed one is second; the first is fine: still nothing is written or pushed.
    let (repo, fix) = embargoed();
    let public = repo.upstream_commit("ok.txt", "ok\n", "A public fix");
    repo.git(&["fetch", "-q", "upstream"]);
    let before = repo.snapshot();
    let run = repo
        .run(&[
            "tag",
            "--cherry-pick",
            &public,
            "--cherry-pick",
            &fix,
            "--yes",
        ])
        .expect(1);
    run.stderr_has("is an embargoed security fix");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_local_commit_on_top_of_a_fix_is_refused_as_not_on_the_upstream() {
    // Never pushed anywhere: the tool cannot know what it carries (a reworked fix, a squash of
    // one), and a tag ships only what the upstream has.
    let (repo, _fix) = embargoed();
    repo.git(&["switch", "-q", "-c", "rework", "security/fix-xss"]);
    let local = repo.commit("search.py", "escape(query) # v2\n", "Rework the escape");
    repo.git(&["switch", "-q", "main"]);
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", "rework", "--yes"])
        .expect(1);
    run.stderr_has(&format!(
        "error: --cherry-pick rework ({} Rework the escape) is not on upstream: a tag ships only commits the upstream already has; nothing was changed",
        &local[..7]
    ));
    run.stderr_has(&format!(
        "hint: get it onto upstream first (reviewed, as any change), e.g. git push upstream {}:refs/heads/<branch>, then pick it",
        &local[..7]
    ));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_plain_local_commit_is_refused_too_and_passes_once_on_the_upstream() {
    let repo = TestRepo::new();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    repo.git(&["switch", "-q", "-c", "hotfix"]);
    let local = repo.commit("hotfix.txt", "fix\n", "Hotfix the crash");
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", &local, "--yes"])
        .expect(1);
    run.stderr_has("is not on upstream");
    assert_eq!(repo.snapshot(), before);

    // On an upstream branch (listed live or fetched): public, so it ships.
    repo.git(&["push", "-q", "upstream", "hotfix"]);
    repo.run(&["tag", "--cherry-pick", &local, "--yes"]).ok();
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.03"));
}

#[test]
fn a_fix_already_released_is_picked_though_the_tracking_ref_is_stale() {
    let (repo, fix) = embargoed();
    // A colleague's release merge: upstream first, then the mirror; not fetched here.
    let dev = repo.root().join("security-dev");
    repo.git_in(&dev, &["fetch", "-q", "../upstream.git", "main"]);
    repo.git_in(&dev, &["switch", "-q", "-C", "release", "FETCH_HEAD"]);
    repo.git_in(&dev, &["merge", "-q", "--no-edit", "fix-xss"]);
    repo.git_in(&dev, &["push", "-q", "../upstream.git", "release:main"]);
    repo.git_in(&dev, &["push", "-q", "origin", "release:main"]);
    let stale = repo.rev("upstream/main");

    let run = repo
        .run(&["tag", "--cherry-pick", "security/fix-xss", "--yes"])
        .ok();
    run.stdout_has("tag: 2026.12.03\n");
    let tags = repo.tags_of(&repo.upstream);
    assert!(tags.contains_key("2026.12.03"), "{tags:?}");
    let files = repo.git_in(&repo.upstream, &["ls-tree", "--name-only", "2026.12.03"]);
    files.has("search.py");
    assert_ne!(
        stale,
        repo.rev("upstream/main"),
        "the tracking ref followed"
    );
    let _ = fix;
}

#[test]
fn a_fix_on_an_upstream_tag_only_counts_as_released() {
    let (repo, fix) = embargoed();
    // Released under a tag of the upstream (not on its main): public, listed live.
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        "upstream",
        &format!("{fix}:refs/tags/hotfix-1"),
    ]);
    let run = repo.run(&["tag", "--cherry-pick", &fix, "--yes"]).ok();
    run.stdout_has("tag: 2026.12.03\n");
}

#[test]
fn a_base_tag_carrying_an_embargoed_fix_is_refused() {
    // A local calendar tag someone made on the fix: a tag built on it would publish the fix.
    let (repo, fix) = embargoed();
    repo.git(&["tag", "-a", "-m", "oops", "2026.12.03", &fix]);
    let public = repo.upstream_commit("ok.txt", "ok\n", "A public fix");
    repo.git(&["fetch", "-q", "upstream"]);
    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", &public, "--yes"])
        .expect(1);
    run.stderr_has(&format!(
        "error: the base tag 2026.12.03 carries {} (Escape the search query), an embargoed security fix on security/fix-xss that upstream does not have; nothing was changed",
        &fix[..7]
    ));
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn mirror_refs_that_cannot_be_read_are_a_refusal() {
    let (repo, _fix) = embargoed();
    repo.git(&["switch", "-q", "-c", "mine"]);
    let local = repo.commit("mine.txt", "mine\n", "Mine");
    repo.git(&["switch", "-q", "main"]);
    std::fs::write(
        repo.work.join(".git/refs/remotes/security/broken"),
        "not a ref\n",
    )
    .expect("write a broken ref");
    let before = repo.snapshot();
    // Offline, as online the fetch itself stops at the broken ref.
    let run = repo
        .run(&["tag", "--cherry-pick", &local, "--offline"])
        .expect(1);
    run.stderr_has("error: cannot read the security mirror's refs (refs/remotes/security/*), so whether a pick is an embargoed fix cannot be told");
    assert_eq!(repo.snapshot(), before);
    assert!(
        repo.tags_of(&repo.upstream)
            .keys()
            .all(|t| t == "2026.11.26")
    );
}

/// A colleague did the release merge (upstream, then mirror); this clone fetched the mirror but
/// its `refs/remotes/upstream/main` is from before the merge.
fn after_a_colleagues_release_merge() -> (TestRepo, String) {
    let repo = TestRepo::guarded();
    repo.git(&["tag", "-a", "-m", "last week", "2026.11.26"]);
    repo.git(&["push", "-q", "upstream", "2026.11.26"]);
    let fix = repo.security_branch("fix-xss", "main", "search.py", "escape\n", "Escape");
    let dev = repo.root().join("security-dev");
    repo.git_in(&dev, &["push", "-q", "../upstream.git", "fix-xss:main"]);
    repo.git_in(&dev, &["push", "-q", "origin", "fix-xss:main"]);
    repo.git(&["fetch", "-q", "security"]);
    assert_ne!(repo.rev("upstream/main"), fix, "the tracking ref is stale");
    (repo, fix)
}

#[test]
fn after_a_colleagues_release_merge_tag_is_not_refused_by_its_own_hook() {
    let (repo, fix) = after_a_colleagues_release_merge();
    let run = repo.run(&["tag", "--yes"]).ok();
    run.stdout_has(&format!("commit: {fix} Escape"));
    assert_eq!(
        repo.rev("upstream/main"),
        fix,
        "the tracking ref is what was listed"
    );
    let upstream = repo.git_in(&repo.upstream, &["rev-parse", "2026.12.03^{commit}"]);
    assert_eq!(upstream, fix);
    run.stderr_has("update the remote-tracking ref upstream/main");
}

#[test]
fn a_dry_run_does_not_move_the_tracking_ref() {
    let (repo, _fix) = after_a_colleagues_release_merge();
    let before = repo.snapshot();
    let run = repo.run(&["tag", "--dry-run"]).ok();
    run.stderr_has("update the remote-tracking ref upstream/main");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_tracking_ref_that_lies_does_not_make_a_fix_public() {
    // `remote.upstream.pushurl` pointed at a staging copy: `git push upstream fix-xss:x` went
    // there, and git set refs/remotes/upstream/x anyway. The upstream itself has no such branch.
    let (repo, fix) = embargoed();
    let staging = repo.root().join("staging.git");
    repo.git_in(&repo.root(), &["init", "-q", "--bare", "staging.git"]);
    repo.git(&[
        "remote",
        "set-url",
        "--push",
        "upstream",
        staging.to_str().expect("utf-8"),
    ]);
    repo.git(&[
        "push",
        "-q",
        "--no-verify",
        "upstream",
        "security/fix-xss:refs/heads/x",
    ]);
    repo.git(&[
        "remote",
        "set-url",
        "--delete",
        "--push",
        "upstream",
        staging.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        repo.rev("refs/remotes/upstream/x"),
        fix,
        "the tracking ref says yes"
    );

    let before = repo.snapshot();
    let run = repo
        .run(&["tag", "--cherry-pick", "security/fix-xss", "--yes"])
        .expect(1);
    run.stderr_has("is an embargoed security fix: it is on security/fix-xss");
    assert_eq!(repo.snapshot(), before);
}
