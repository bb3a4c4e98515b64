//! `git -c` as git really hands it on: the `GIT_CONFIG_PARAMETERS` that git itself exports is
//! parsed into exactly the values given, in every form (valueless, empty, quoted piecewise), and
//! a valueless `-c` before a `pushduty.*` one no longer drops it.

mod common;

use common::TestRepo;

/// What git exports for `git ARGS... dump`, where `dump` is an alias printing it.
fn exported(repo: &TestRepo, args: &[&str]) -> String {
    let mut all = vec!["-c", "alias.dump=!printenv GIT_CONFIG_PARAMETERS"];
    all.extend_from_slice(args);
    all.push("dump");
    repo.git(&all)
}

#[test]
fn what_git_exports_parses_to_what_was_given() {
    let repo = TestRepo::new();
    let text = exported(
        &repo,
        &[
            "-c",
            "color.ui",
            "-c",
            "a.b=",
            "-c",
            "x.y=z",
            "-c",
            "q.r=it's",
            "-c",
            "s.t=!x",
            "-c",
            "u.v= sp ",
            "-c",
            "Url.Foo.InsteadOf=bar",
            "-c",
            "k.l=a=b",
            "-c",
            "pushduty.securityUrl=/srv/security.git",
        ],
    );
    let pairs = push_duty::git::config_parameters::parse_config_parameters(&text)
        .unwrap_or_else(|e| panic!("{text}: {e:#}"));
    let want: Vec<(String, Option<String>)> = [
        ("alias.dump", Some("!printenv GIT_CONFIG_PARAMETERS")),
        ("color.ui", None),
        ("a.b", Some("")),
        ("x.y", Some("z")),
        ("q.r", Some("it's")),
        ("s.t", Some("!x")),
        ("u.v", Some(" sp ")),
        ("Url.Foo.InsteadOf", Some("bar")),
        ("k.l", Some("a=b")),
        ("pushduty.securityUrl", Some("/srv/security.git")),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
    .collect();
    assert_eq!(pairs, want, "{text}");
}

#[test]
fn a_valueless_dash_c_before_a_setting_keeps_the_setting() {
    let repo = TestRepo::new();
    // Thursday's tag without it; Friday's with it, whatever comes before.
    for args in [
        &[
            "-c",
            "pushduty.pushDay=friday",
            "push-duty",
            "next-tag",
            "--offline",
        ][..],
        &[
            "-c",
            "color.ui",
            "-c",
            "pushduty.pushDay=friday",
            "push-duty",
            "next-tag",
            "--offline",
        ],
        &[
            "-c",
            "a.b=",
            "-c",
            "s.t=!x",
            "-c",
            "pushduty.pushDay=friday",
            "push-duty",
            "next-tag",
            "--offline",
        ],
    ] {
        let run = repo.run_through_git_on(common::TUESDAY, args).ok();
        run.stdout_has("2026.12.04");
    }
    // A valueless pushduty key is no value at all, not "true".
    repo.run_through_git_on(
        common::TUESDAY,
        &[
            "-c",
            "pushduty.branch",
            "push-duty",
            "next-tag",
            "--offline",
        ],
    )
    .expect(1)
    .stderr_has("pushduty.branch = \"\" (set in the command line (git -c)) is not a branch name");
}

#[test]
fn a_malformed_git_config_parameters_is_an_error_naming_it() {
    let repo = TestRepo::guarded();
    let before = repo.snapshot();
    for bad in ["'a.b'='1' garbage", "'unterminated", "'a.b'=x"] {
        let run = repo
            .run_env(
                common::BIN,
                &repo.work,
                &["next-tag", "--offline"],
                &[("GIT_CONFIG_PARAMETERS", bad)],
            )
            .expect(1);
        run.stderr_has("GIT_CONFIG_PARAMETERS is malformed");
        // The hook too: refused, never a pass on what was read before the bad part.
        repo.run_env(
            common::BIN,
            &repo.work,
            &["hook", "pre-push", "security", "../security.git"],
            &[("GIT_CONFIG_PARAMETERS", bad)],
        )
        .expect(1)
        .stderr_has("GIT_CONFIG_PARAMETERS is malformed");
    }
    assert_eq!(repo.snapshot(), before);
}
