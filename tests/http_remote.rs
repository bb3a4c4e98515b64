//! An upstream reached over smart HTTP (`git http-backend` behind a local server), as most
//! teams' `https://github.com/...` remotes are: gix must carry the HTTP transport.

mod common;

use common::TestRepo;
use common::http::Server;

#[test]
fn next_tag_and_tag_over_http() {
    let repo = TestRepo::new();
    repo.git_in(&repo.upstream, &["config", "http.receivepack", "true"]);
    let server = Server::start(&repo.root());
    let url = server.url("upstream.git");
    repo.git(&["remote", "set-url", "upstream", &url]);
    // A tag someone else pushed, never fetched here.
    repo.upstream_commit("fix.txt", "fix\n", "Fix");
    let other = repo.root().join("colleague");
    repo.git_in(&other, &["tag", "-a", "-m", "x", "2026.12.03"]);
    repo.git_in(&other, &["push", "-q", "origin", "2026.12.03"]);
    let tip = repo.upstream_commit("more.txt", "more\n", "More work");

    let run = repo.run(&["next-tag"]).ok();
    run.stdout_is("2026.12.03-1\n");

    let run = repo.run(&["tag", "--yes"]).ok();
    run.stdout_has(&format!("commit: {tip} More work"));
    assert!(repo.tags_of(&repo.upstream).contains_key("2026.12.03-1"));
}

#[test]
fn an_https_upstream_that_refuses_the_connection_says_why() {
    let repo = TestRepo::new();
    // Port 9 (discard) is closed here: the HTTPS transport gets as far as connecting.
    repo.git(&[
        "remote",
        "set-url",
        "upstream",
        "https://127.0.0.1:9/mozilla/site.git",
    ]);
    let before = repo.snapshot();
    let run = repo.run(&["next-tag"]).expect(1);
    run.stderr_has("cannot reach remote upstream (https://127.0.0.1:9/mozilla/site.git)");
    run.stderr_has("Connection refused");
    assert_eq!(repo.snapshot(), before);
}
