//! Which pushes the guard treats as going to the security mirror: by remote name, by path, by
//! URL in its many spellings, through `pushurl` and `insteadOf`, and not a look-alike. Real
//! pushes; network URLs go over a fake `ssh` that serves bare repositories on disk.

mod common;

use std::path::{Path, PathBuf};

use common::{TestRepo, Text};

#[test]
fn the_mirror_under_another_name() {
    let repo = TestRepo::new();
    let sec = repo.add_mirror("sec");
    repo.git(&["config", "pushduty.security", "sec"]);
    repo.install_hook();
    let before = repo.ls_remote(&sec);
    repo.bad_commit();
    repo.push(&["sec", "main"])
        .refused()
        .stderr_has("on the security mirror (../sec.git)")
        .stderr_has(
            "hint: then update the mirror from it: git push sec upstream/main:refs/heads/main",
        );
    assert_eq!(repo.ls_remote(&sec), before);
}

#[test]
fn by_path_by_file_url_and_by_relative_path() {
    let repo = TestRepo::guarded();
    let before = repo.ls_remote(&repo.mirror());
    repo.bad_commit();
    let absolute = repo.mirror().display().to_string();
    for url in [
        absolute.clone(),
        format!("{absolute}/"),
        format!("file://{absolute}"),
        "../security.git".to_owned(),
        "../security".to_owned(),
        "./../work/../security.git".to_owned(),
    ] {
        repo.push(&[&url, "main"])
            .refused()
            .stderr_has(&format!("nothing was pushed to {url}"));
        assert_eq!(repo.ls_remote(&repo.mirror()), before, "{url}");
    }
}

#[test]
fn a_mirror_url_without_its_git_suffix_through_a_symlinked_directory() {
    // The remote says <alias>/security, git finds <alias>/security.git, and <alias> is a
    // symlink (as /tmp is on macOS): pushing by the real path is still a push to the mirror.
    let repo = TestRepo::guarded();
    let alias = repo.root().join("alias");
    std::os::unix::fs::symlink(repo.root(), &alias).expect("symlink");
    let url = alias.join("security");
    repo.git(&[
        "remote",
        "set-url",
        "security",
        url.to_str().expect("utf-8"),
    ]);
    let before = repo.ls_remote(&repo.mirror());
    repo.bad_commit();
    let real = repo.mirror().display().to_string();
    repo.push(&[&real, "main"])
        .refused()
        .stderr_has(&format!("on the security mirror ({real})"));
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

/// A bare repository served by the fake ssh as `host:path`, holding the upstream's main.
fn hosted(repo: &TestRepo, ssh: &Path, path: &str) -> PathBuf {
    let bare = repo.root().join("hosts").join(path);
    let format = format!(
        "--object-format={}",
        repo.git(&["rev-parse", "--show-object-format"])
    );
    repo.git_in(
        &repo.root(),
        &[
            "init",
            "--bare",
            "-q",
            &format,
            bare.to_str().expect("utf-8"),
        ],
    );
    repo.push_over_ssh(
        ssh,
        &[
            "-q",
            "--no-verify",
            &format!("git@github.com:{path}"),
            "upstream/main:refs/heads/main",
        ],
    )
    .ok();
    bare
}

#[test]
fn url_spellings_of_the_mirror_are_all_the_mirror() {
    let repo = TestRepo::new();
    let ssh = repo.fake_ssh(false);
    let mirror = hosted(&repo, &ssh, "mozilla/addons-server-security.git");
    let look_alike = hosted(&repo, &ssh, "mozilla/addons-server-security2.git");
    repo.git(&[
        "remote",
        "add",
        "security",
        "git@github.com:mozilla/addons-server-security.git",
    ]);
    repo.install_hook();
    let before = repo.ls_remote(&mirror);
    repo.bad_commit();
    for url in [
        "git@github.com:mozilla/addons-server-security.git",
        "ssh://git@GitHub.com/mozilla/addons-server-security/",
        "github.com:mozilla/addons-server-security",
        "ssh://other-user@github.com/mozilla/addons-server-security.git",
    ] {
        repo.push_over_ssh(&ssh, &[url, "main"]).refused();
        assert_eq!(repo.ls_remote(&mirror), before, "{url}");
    }
    // The look-alike is another repository: not guarded, and nothing to say.
    repo.push_over_ssh(
        &ssh,
        &[
            "-q",
            "git@github.com:mozilla/addons-server-security2.git",
            "main",
        ],
    )
    .silent();
    repo.ls_remote(&look_alike).has(&repo.rev("main"));
}

#[test]
fn an_extra_security_url_is_the_mirror_too() {
    let repo = TestRepo::new();
    let ssh = repo.fake_ssh(false);
    let mirror = hosted(&repo, &ssh, "mozilla/addons-server-security.git");
    // No remote for it at all: only pushduty.securityUrl says what it is.
    repo.git(&[
        "config",
        "--add",
        "pushduty.securityUrl",
        "https://github.com/mozilla/addons-server-security",
    ]);
    repo.install_hook();
    let before = repo.ls_remote(&mirror);
    repo.bad_commit();
    repo.push_over_ssh(
        &ssh,
        &["git@github.com:mozilla/addons-server-security.git", "main"],
    )
    .refused();
    assert_eq!(repo.ls_remote(&mirror), before);
}

#[test]
fn a_remote_whose_push_url_is_the_mirror() {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("origin");
    repo.git(&["remote", "set-url", "--push", "origin", "../security.git"]);
    let before = repo.ls_remote(&repo.mirror());
    repo.bad_commit();
    repo.push(&["origin", "main"])
        .refused()
        .stderr_has("on the security mirror (../security.git)");
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
    assert_eq!(repo.ls_remote(&fork), "");
}

#[test]
fn an_insteadof_rewrite_leads_to_the_mirror() {
    let repo = TestRepo::guarded();
    let root = format!("{}/", repo.root().display());
    repo.git(&["config", &format!("url.{root}.insteadOf"), "corp:"]);
    let before = repo.ls_remote(&repo.mirror());
    repo.bad_commit();
    repo.push(&["corp:security.git", "main"])
        .refused()
        .stderr_has(&format!("nothing was pushed to {root}security.git"));
    // And the other way round: the remote is written with the short form.
    repo.git(&["remote", "set-url", "security", "corp:security.git"]);
    repo.push(&[&format!("{root}security.git"), "main"])
        .refused();
    assert_eq!(repo.ls_remote(&repo.mirror()), before);
}

#[test]
fn a_look_alike_path_is_not_guarded() {
    let repo = TestRepo::new();
    let mirror = repo.add_mirror("security-mirror");
    let look_alike = repo.add_mirror("security-mirror2");
    repo.git(&["config", "pushduty.security", "security-mirror"]);
    repo.install_hook();
    let before = repo.ls_remote(&mirror);
    let bad = repo.bad_commit();
    repo.push(&["-q", "security-mirror2", "main"]).silent();
    repo.ls_remote(&look_alike).has(&bad);
    repo.push(&["security-mirror", "main"]).refused();
    assert_eq!(repo.ls_remote(&mirror), before);
}

#[test]
fn pushes_to_the_upstream_or_a_fork_are_silent_and_fetch_nothing() {
    let repo = TestRepo::guarded();
    let fork = repo.add_bare_remote("fork");
    // The upstream moved on; a fetch would show in refs/remotes/upstream/main.
    repo.upstream_commit("theirs.txt", "theirs\n", "Their work");
    let tracking = repo.rev("refs/remotes/upstream/main");
    let work = repo.commit("mine.txt", "mine\n", "My work");
    repo.push(&["-q", "fork", "main"]).silent();
    repo.push(&["-q", "upstream", "HEAD:refs/heads/my-feature"])
        .silent();
    assert_eq!(repo.rev("refs/remotes/upstream/main"), tracking, "no fetch");
    repo.ls_remote(&fork).has(&work);
    // The mirror has the upstream's main as last fetched already: git sends the hook nothing.
    repo.push(&["-q", "security", "upstream/main:refs/heads/main"])
        .silent();
    assert_eq!(repo.rev("refs/remotes/upstream/main"), tracking, "no fetch");
}
