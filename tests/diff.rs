//! `git push-duty diff`: what would go public, from the upstream branch's tip as last fetched.

mod common;

use common::{TestRepo, assert_contains};

#[test]
fn the_local_branch_against_the_upstream_tip() {
    let repo = TestRepo::new();
    repo.commit("README.md", "# site\nmore\n", "Say more");
    repo.commit("new.py", "print(1)\n", "Add a script");
    let before = repo.snapshot();

    let run = repo.run(&["diff"]).ok();

    // What `git diff --stat --patch` says, to the byte.
    let git = repo.git(&["diff", "--stat", "--patch", "upstream/main", "main"]) + "\n";
    assert_eq!(run.stdout, git);
    assert_contains(&run.stdout, "+print(1)");
    assert_contains(&run.stderr, "From upstream/main (");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn the_same_as_git_diff_for_deletions_and_renames() {
    let repo = TestRepo::new();
    repo.commit("a.txt", "one\ntwo\n", "A");
    repo.commit("b.txt", "bee\n", "B");
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.git(&["fetch", "-q", "upstream"]);
    repo.git(&["rm", "-q", "b.txt"]);
    repo.git(&["mv", "a.txt", "c.txt"]);
    repo.git(&["commit", "-q", "-m", "Rename and delete"]);

    let ours = repo.run(&["diff"]).ok().stdout;
    let git = repo.git(&["-c", "diff.renames=true", "diff", "upstream/main", "main"]) + "\n";

    let patch = ours.split_once("\n\n").expect("stat, then patch").1;
    assert_eq!(patch, git);
    assert_contains(&ours, "rename from a.txt");
}

#[test]
fn stat_only_and_a_named_revision() {
    let repo = TestRepo::new();
    let first = repo.commit("x.txt", "x\n", "X");
    repo.commit("y.txt", "y\n", "Y");

    let run = repo.run(&["diff", &first, "--stat"]).ok();

    assert_eq!(
        run.stdout,
        " x.txt | 1 +\n 1 file changed, 1 insertion(+)\n"
    );
}

#[test]
fn no_difference_prints_nothing() {
    let repo = TestRepo::new();
    let run = repo.run(&["diff"]).ok();
    assert_eq!(run.stdout, "");
    assert_contains(&run.stderr, "No difference: nothing would go public.");
}

#[test]
fn an_unfetched_upstream_branch_says_how_to_fetch_it() {
    let repo = TestRepo::new();
    repo.git(&["update-ref", "-d", "refs/remotes/upstream/main"]);
    let run = repo.run(&["diff"]).expect(1);
    assert_contains(&run.stderr, "upstream/main does not exist here");
    assert_contains(&run.stderr, "hint: fetch it: git fetch upstream main");
}

#[test]
fn a_revision_that_is_not_there() {
    let repo = TestRepo::new();
    let run = repo.run(&["diff", "no-such-branch"]).expect(1);
    assert_contains(
        &run.stderr,
        "REV \"no-such-branch\" does not name a commit here",
    );
}

#[test]
fn a_change_in_a_file_that_is_not_utf8_is_shown() {
    let repo = TestRepo::new();
    std::fs::write(repo.work.join("latin1.txt"), b"caf\xe9\nend\n").expect("write");
    repo.git(&["add", "latin1.txt"]);
    repo.git(&["commit", "-q", "-m", "Latin-1"]);
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.git(&["fetch", "-q", "upstream"]);
    // Only a byte that is not UTF-8 changes.
    std::fs::write(repo.work.join("latin1.txt"), b"caf\xe8\nend\n").expect("write");
    repo.git(&["commit", "-q", "-a", "-m", "Another accent"]);

    let run = repo.run(&["diff"]).ok();

    let git = repo.git(&["diff", "--stat", "upstream/main", "main"]) + "\n";
    assert!(run.stdout.starts_with(&git), "{}", run.stdout);
    assert_contains(
        &run.stdout,
        "@@ -1,2 +1,2 @@\n-caf\u{fffd}\n+caf\u{fffd}\n end\n",
    );
}
