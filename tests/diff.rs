//! `git push-duty diff`: what would go public, from the upstream branch's tip as last fetched.

mod common;

use common::{TestRepo, Text};

#[test]
fn the_local_branch_against_the_upstream_tip() {
    let repo = TestRepo::new();
    repo.commit("README.md", "# site\nmore\n", "Say more");
    repo.commit("new.py", "print(1)\n", "Add a script");
    let before = repo.snapshot();

    let run = repo.run(&["diff"]).ok();

    // What `git diff --stat --patch` says, to the byte.
    let git = repo.git(&["diff", "--stat", "--patch", "upstream/main...main"]) + "\n";
    run.stdout_is(&git);
    run.stdout_has("+print(1)");
    run.stderr_has("From the merge base of upstream/main (");
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
    ours.has("rename from a.txt");
}

#[test]
fn stat_only_and_a_named_revision() {
    let repo = TestRepo::new();
    let first = repo.commit("x.txt", "x\n", "X");
    repo.commit("y.txt", "y\n", "Y");

    let run = repo.run(&["diff", &first, "--stat"]).ok();

    run.stdout_is(" x.txt | 1 +\n 1 file changed, 1 insertion(+)\n");
}

#[test]
fn no_difference_prints_nothing() {
    let repo = TestRepo::new();
    let run = repo.run(&["diff"]).ok();
    run.stdout_is("");
    run.stderr_has("No difference: nothing would go public.");
}

#[test]
fn an_unfetched_upstream_branch_says_how_to_fetch_it() {
    let repo = TestRepo::new();
    repo.git(&["update-ref", "-d", "refs/remotes/upstream/main"]);
    let run = repo.run(&["diff"]).expect(1);
    run.stderr_has("upstream/main does not exist here");
    run.stderr_has("hint: fetch it: git fetch upstream main");
    insta::assert_snapshot!("refusal_upstream_branch_not_fetched", repo.transcript(&run));
}

#[test]
fn a_revision_that_is_not_there() {
    let repo = TestRepo::new();
    let before = repo.snapshot();
    let run = repo.run(&["diff", "no-such-branch"]).expect(1);
    run.stderr_starts_with("error: REV no-such-branch: no commit no-such-branch here\nhint: ");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_range_is_named_as_a_range_not_as_a_missing_commit() {
    let repo = TestRepo::new();
    repo.commit("a.txt", "a\n", "A");
    let before = repo.snapshot();
    for range in ["HEAD~1..HEAD", "upstream/main...main", "^HEAD~1"] {
        let run = repo.run(&["diff", range]).expect(1);
        run.stderr_starts_with(&format!(
            "error: REV {range} is a range of commits, not one commit\nhint: "
        ));
        run.stderr_lacks("no commit");
    }
    assert_eq!(repo.snapshot(), before);
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
    run.stdout_starts_with(&git);
    run.stdout_has("@@ -1,2 +1,2 @@\n-caf\u{fffd}\n+caf\u{fffd}\n end\n");
}

#[test]
fn binary_files_modes_empty_files_and_missing_newlines_read_as_in_git_diff() {
    let repo = TestRepo::new();
    let write = |file: &str, content: &[u8]| {
        std::fs::write(repo.work.join(file), content).expect("write");
    };
    write("logo.png", b"PNG\0\x01\x02");
    write("run.sh", b"echo hi\n");
    write("last.txt", b"one\ntwo");
    write("crlf.txt", b"one\r\ntwo\r\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "Base"]);
    repo.git(&["push", "-q", "upstream", "main"]);
    repo.git(&["fetch", "-q", "upstream"]);
    write("logo.png", b"PNG\0\x01\x03\x04");
    write("icon.png", b"\0\0\0");
    write("empty.txt", b"");
    write("last.txt", b"one\nTWO");
    write("crlf.txt", b"one\r\nTWO\r\n");
    std::os::unix::fs::symlink("run.sh", repo.work.join("link")).expect("symlink");
    repo.git(&["add", "."]);
    repo.git(&["update-index", "--chmod=+x", "run.sh"]);
    repo.git(&["commit", "-q", "-m", "Everything git diff has a word for"]);

    let run = repo.run(&["diff"]).ok();

    // What `git diff --stat --patch` says, to the byte: binary sizes, a mode change with no
    // lines, an empty new file, the missing newline marker, CRLF kept.
    let git = repo.git(&["diff", "--stat", "--patch", "upstream/main", "main"]) + "\n";
    run.stdout_is(&git);
    run.stdout_has(" logo.png  | Bin 6 -> 7 bytes\n");
    run.stdout_has(" run.sh    |   0\n");
    run.stdout_has("Binary files /dev/null and b/icon.png differ");
}

#[test]
fn a_stat_of_changes_without_lines_names_both_counts() {
    let repo = TestRepo::new();
    std::fs::write(repo.work.join("icon.png"), b"\0\x01").expect("write");
    repo.git(&["add", "icon.png"]);
    repo.git(&["commit", "-q", "-m", "Icon"]);

    let run = repo.run(&["diff", "--stat"]).ok();

    let git = repo.git(&["diff", "--stat", "upstream/main", "main"]) + "\n";
    run.stdout_is(&git);
    run.stdout_is(
        " icon.png | Bin 0 -> 2 bytes\n 1 file changed, 0 insertions(+), 0 deletions(-)\n",
    );
}

#[test]
fn odd_file_names_are_quoted_as_git_quotes_them() {
    // A name with a newline must never read as a line of the diff under review.
    let repo = TestRepo::new();
    for (name, content) in [
        ("café.txt", "crème\n"),
        ("tab\there.txt", "tab\n"),
        ("new\n+injected.txt", "x\n"),
        ("quote\"d.txt", "q\n"),
    ] {
        std::fs::write(repo.work.join(name), content).expect("write");
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "Odd names"]);

    let run = repo.run(&["diff"]).ok();

    let git = repo.git(&["diff", "--stat", "--patch", "upstream/main", "main"]) + "\n";
    run.stdout_is(&git);
    run.stdout_has("diff --git \"a/new\\n+injected.txt\" \"b/new\\n+injected.txt\"\n");
    run.stdout_has("\"caf\\303\\251.txt\"");
    assert!(
        !run.stdout.lines().any(|l| l == "+injected.txt"),
        "{}",
        run.streams()
    );
}

#[test]
fn a_branch_behind_the_upstream_shows_only_what_it_adds() {
    // The branch forked before the upstream got newer files: those are not "deleted".
    let repo = TestRepo::new();
    repo.git(&["switch", "-q", "-c", "feature"]);
    repo.commit("feature.py", "feature\n", "Add the feature");
    let newer = repo.upstream_commit("newer.py", "newer\n", "Newer work upstream");
    repo.git(&["fetch", "-q", "upstream"]);
    let base = repo.git(&["merge-base", "upstream/main", "feature"]);

    // REV defaults to the current branch.
    let run = repo.run(&["diff"]).ok();

    let git = repo.git(&["diff", "--stat", "--patch", "upstream/main...feature"]) + "\n";
    run.stdout_is(&git);
    run.stdout_lacks("newer.py");
    run.stdout_lacks("deleted file mode");
    run.stderr_is(&format!(
        "From the merge base of upstream/main ({}) and feature ({}), {}: what feature adds (git diff upstream/main...feature)\n",
        &newer[..7],
        &repo.rev("feature")[..7],
        &base[..7]
    ));
    let named = repo.run(&["diff", "feature", "--stat"]).ok();
    named.stdout_is(&(repo.git(&["diff", "--stat", "upstream/main...feature"]) + "\n"));
}

#[test]
fn a_detached_head_is_the_revision() {
    let repo = TestRepo::new();
    let id = repo.commit("x.txt", "x\n", "X");
    repo.git(&["switch", "-q", "--detach", "HEAD"]);
    let run = repo.run(&["diff", "--stat"]).ok();
    run.stdout_is(" x.txt | 1 +\n 1 file changed, 1 insertion(+)\n");
    run.stderr_has(&format!("and HEAD ({}),", &id[..7]));
}

#[test]
fn unrelated_history_has_no_merge_base() {
    let repo = TestRepo::new();
    repo.git(&["switch", "-q", "--orphan", "other"]);
    let run = repo.run(&["diff"]).expect(1);
    run.stderr_has("error: other has no commit yet: there is nothing to compare\nhint: name the revision: git push-duty diff <REV>\n");
    repo.commit("other.txt", "other\n", "Another history");
    let before = repo.snapshot();
    let run = repo.run(&["diff", "other"]).expect(1);
    run.stderr_has(
        "error: other shares no history with upstream/main: there is no merge base to diff from\n",
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn an_ambiguous_short_id_asks_for_more_of_it() {
    let repo = TestRepo::new();
    // Enough blobs that two share their first four hex digits.
    let dir = repo.root().join("blobs");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut paths = String::new();
    for n in 0..3000 {
        let path = dir.join(n.to_string());
        std::fs::write(&path, format!("blob {n}\n")).expect("write");
        paths.push_str(&format!("{}\n", path.display()));
    }
    let list = repo.root().join("paths");
    std::fs::write(&list, paths).expect("write");
    let out = repo
        .command("git", &repo.work)
        .args(["hash-object", "-w", "--stdin-paths"])
        .stdin(std::fs::File::open(&list).expect("open"))
        .output()
        .expect("hash-object");
    let ids = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut seen = std::collections::HashMap::new();
    let prefix = ids
        .lines()
        .find_map(|id| {
            seen.insert(id[..4].to_owned(), ())
                .map(|_| id[..4].to_owned())
        })
        .expect("two blobs share a prefix");
    let run = repo.run(&["diff", &prefix]).expect(1);
    run.stderr_starts_with(&format!(
        "error: REV {prefix}: more than one object here has an id starting with {prefix}\nhint: give more of the id"
    ));
}
