//! `git push-duty deployed` against a real HTTP server on 127.0.0.1 (and `file://` URLs):
//! matching, stale, malformed, 404, 500, slow, redirected and endless answers, `--wait` seeing
//! a deploy happen, and nothing changed by any of it.

mod common;

use std::time::Duration;

use common::TestRepo;
use common::stage::{Reply, Stage};

/// A clone whose upstream has last week's tag and this push's (2026.12.03, two commits later),
/// with the stage's version URL set. Returns (repo, last week's commit, this push's commit).
fn tagged(url: &str) -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let last = repo.rev("HEAD");
    repo.git(&["tag", "-a", "-m", "push", "2026.11.26"]);
    repo.commit("a.txt", "a\n", "Feature A");
    let now = repo.commit("b.txt", "b\n", "Feature B");
    repo.git(&["tag", "-a", "-m", "push", "2026.12.03"]);
    repo.git(&["push", "-q", "upstream", "main", "--tags"]);
    repo.git(&["config", "pushduty.stage.url", url]);
    (repo, last, now)
}

#[test]
fn a_service_running_the_tag_is_deployed() {
    let stage = Stage::start();
    let (repo, _, now) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.12.03", &now));
    let run = repo.run(&["deployed"]).ok();
    run.stdout_is(&format!(
        "stage: upstream: deployed 2026.12.03 ({})\n",
        &now[..7]
    ));
    // An empty version is judged by the commit alone.
    stage.set("__version__", Reply::version("", &now));
    repo.run(&["deployed"])
        .ok()
        .stdout_has("deployed 2026.12.03");
    // Through git, as users type it.
    repo.run_through_git(&["deployed"]).ok();
}

#[test]
fn a_stale_service_says_what_it_runs_and_how_far_behind() {
    let stage = Stage::start();
    let (repo, last, _) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.11.26", &last));
    let before = repo.snapshot();
    let run = repo.run(&["deployed"]).expect(1);
    run.stdout_is(&format!(
        "stage: upstream: still on 2026.11.26 ({}), 2 commits behind, not 2026.12.03\n",
        &last[..7]
    ))
    .stderr_has("error: not deployed on stage: 1 of 1 services does not run the tag yet (upstream)")
    .stderr_has("hint: wait for the deploy: git push-duty deployed --env stage --wait");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn the_tag_asked_for_is_the_one_compared() {
    let stage = Stage::start();
    let (repo, last, _) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.11.26", &last));
    repo.run(&["deployed", "--tag", "2026.11.26"])
        .ok()
        .stdout_has("deployed 2026.11.26");
    repo.run(&["deployed", "--tag", "2026.01.01"])
        .expect(2)
        .stderr_has("there is no tag 2026.01.01 here or on upstream");
}

#[test]
fn answers_that_are_not_version_objects_name_the_url() {
    let stage = Stage::start();
    let url = stage.url("__version__");
    let (repo, _, _) = tagged(&url);
    let before = repo.snapshot();
    let cases: Vec<(Reply, String)> = vec![
        (
            Reply::status(200, "Service Unavailable"),
            format!("unreachable: {url}: the answer is not JSON"),
        ),
        (
            Reply::status(404, "nope"),
            format!("unreachable: {url} answered 404 Not Found: no version object there"),
        ),
        (
            Reply::status(500, "boom"),
            format!(
                "unreachable: {url} answered 500 Internal Server Error: the service is failing or restarting"
            ),
        ),
        (
            Reply::status(503, "<html>busy</html>"),
            format!("unreachable: {url} answered 503 Service Unavailable"),
        ),
        (
            Reply::status(200, "[1,2]"),
            format!("unreachable: {url}: the answer is JSON an array, not a version object"),
        ),
        (
            Reply::status(200, r#"{"version":"2026.12.03"}"#),
            format!("unreachable: {url}: the version object has no \"commit\""),
        ),
    ];
    for (reply, said) in cases {
        stage.set("__version__", reply);
        let run = repo.run(&["deployed"]).expect(1);
        run.stdout_has(&said)
            .stderr_has("hint: if a URL is wrong, set it: git config --file .pushduty pushduty.stage.url https://HOST/__version__");
    }
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_redirect_to_a_login_page_is_not_a_deploy() {
    let stage = Stage::start();
    let url = stage.url("__version__");
    let (repo, _, now) = tagged(&url);
    stage.set("__version__", Reply::redirect("/login?next=/__version__"));
    stage.set(
        "login?next=/__version__",
        Reply::status(200, "<!DOCTYPE html><html><title>Sign in</title></html>"),
    );
    let run = repo.run(&["deployed"]).expect(1);
    run.stdout_has(&format!(
        "unreachable: {url} (redirected to {}): the answer is a web page, not a version object (a login page",
        stage.url("login?next=/__version__")
    ));
    // A redirect to the version object itself (http to https, a slash) is followed.
    stage.set("__version__", Reply::redirect("/v/"));
    stage.set("v/", Reply::version("2026.12.03", &now));
    repo.run(&["deployed"]).ok();
    // A loop ends.
    stage.set("__version__", Reply::redirect("/__version__"));
    repo.run(&["deployed"]).expect(1).stdout_has(&format!(
        "unreachable: {url}: more than 5 redirects, or a redirect loop"
    ));
}

#[test]
fn a_slow_service_times_out_naming_the_url() {
    let stage = Stage::start();
    let url = stage.url("__version__");
    let (repo, _, now) = tagged(&url);
    stage.set(
        "__version__",
        Reply::version("2026.12.03", &now).delayed(Duration::from_secs(5)),
    );
    let started = std::time::Instant::now();
    let run = repo.run(&["deployed", "--timeout", "1s"]).expect(1);
    run.stdout_has(&format!("unreachable: {url} did not answer within 1s"));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_endless_or_huge_answer_is_cut_off() {
    let stage = Stage::start();
    let url = stage.url("__version__");
    let (repo, _, _) = tagged(&url);
    stage.set("__version__", Reply::endless());
    repo.run(&["deployed", "--timeout", "5s"])
        .expect(1)
        .stdout_has(&format!(
            "unreachable: {url} answered more than 65536 bytes, which is no version object"
        ));
    let huge = format!(r#"{{"commit":"{}"}}"#, "a".repeat(70_000));
    stage.set("__version__", Reply::status(200, &huge));
    repo.run(&["deployed"])
        .expect(1)
        .stdout_has("answered more than 65536 bytes");
}

#[test]
fn tls_failures_and_closed_ports_are_unreachable() {
    let stage = Stage::start();
    // The server speaks plain HTTP: the TLS handshake fails.
    let https = format!("https://127.0.0.1:{}/__version__", stage.port);
    let (repo, _, _) = tagged(&https);
    repo.run(&["deployed", "--timeout", "5s"])
        .expect(1)
        .stdout_has(&format!(
            "unreachable: {https}: the secure connection (TLS) failed"
        ));
    repo.git(&[
        "config",
        "pushduty.stage.url",
        "http://127.0.0.1:9/__version__",
    ]);
    repo.run(&["deployed"])
        .expect(1)
        .stdout_has("unreachable: cannot reach http://127.0.0.1:9/__version__: ");
}

#[test]
fn wait_sees_the_deploy_happen() {
    let stage = Stage::start();
    let (repo, last, now) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.11.26", &last));
    let deploy = std::thread::scope(|s| {
        let handle =
            s.spawn(|| repo.run(&["deployed", "--wait", "--interval", "1s", "--timeout", "30s"]));
        // Let it see the old version at least once, then deploy.
        while stage.hits() < 2 {
            std::thread::sleep(Duration::from_millis(50));
        }
        stage.set("__version__", Reply::version("2026.12.03", &now));
        handle.join().expect("run")
    });
    let run = deploy.ok();
    run.stdout_is(&format!(
        "stage: upstream: deployed 2026.12.03 ({})\n",
        &now[..7]
    ))
    .stderr_has(&format!(
        "waiting up to 30s: 0 of 1 deployed on stage; upstream: still on 2026.11.26 ({}), 2 commits behind, not 2026.12.03\n",
        &last[..7]
    ));
}

#[test]
fn wait_gives_up_at_the_timeout() {
    let stage = Stage::start();
    let (repo, last, _) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.11.26", &last));
    let started = std::time::Instant::now();
    let run = repo
        .run(&["deployed", "--wait", "--interval", "1s", "--timeout", "2s"])
        .expect(1);
    run.stdout_has("still on 2026.11.26").stderr_has(
        "hint: waited 2s; wait longer: git push-duty deployed --env stage --wait --timeout 1h",
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );
    repo.run(&["deployed", "--wait", "--timeout", "soon"])
        .expect(2)
        .stderr_has("--timeout \"soon\" is not a duration such as 90s, 30m or 1h30m");
}

#[test]
fn json_for_scripts() {
    let stage = Stage::start();
    let url = stage.url("__version__");
    let (repo, last, now) = tagged(&url);
    stage.set("__version__", Reply::version("2026.11.26", &last));
    let run = repo.run(&["deployed", "--json"]).expect(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        doc,
        serde_json::json!({
            "environment": "stage",
            "deployed": false,
            "services": [{
                "repository": "upstream",
                "url": url,
                "tag": "2026.12.03",
                "commit": now,
                "state": "still-on",
                "version": "2026.11.26",
                "running_commit": last,
                "behind": 2,
                "error": null,
            }]
        })
    );
    stage.set("__version__", Reply::status(404, ""));
    let run = repo.run(&["deployed", "--json"]).expect(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["services"][0]["state"], "unreachable");
    assert_eq!(doc["services"][0]["error_kind"], "status");
}

#[test]
fn a_file_url_is_a_simulated_stage() {
    let (repo, last, now) = tagged("file:///nowhere");
    let file = repo.root().join("stage.json");
    let url = format!("file://{}", file.display());
    repo.git(&["config", "pushduty.stage.url", &url]);
    repo.run(&["deployed"])
        .expect(1)
        .stdout_has(&format!("unreachable: cannot read {url}: "));
    std::fs::write(
        &file,
        format!(r#"{{"version":"2026.11.26","commit":"{last}"}}"#),
    )
    .expect("write");
    repo.run(&["deployed"])
        .expect(1)
        .stdout_has("still on 2026.11.26");
    std::fs::write(
        &file,
        format!(r#"{{"version":"2026.12.03","commit":"{now}"}}"#),
    )
    .expect("write");
    repo.run(&["deployed"])
        .ok()
        .stdout_has("deployed 2026.12.03");
}

#[test]
fn environments_are_chosen_by_name_and_missing_ones_are_configuration_errors() {
    let stage = Stage::start();
    let (repo, last, now) = tagged(&stage.url("stage"));
    repo.git(&["config", "pushduty.prod.url", &stage.url("prod")]);
    stage.set("stage", Reply::version("2026.12.03", &now));
    stage.set("prod", Reply::version("2026.11.26", &last));
    // The first configured is the default.
    repo.run(&["deployed"])
        .ok()
        .stdout_has("stage: upstream: deployed");
    repo.run(&["deployed", "--env", "prod"])
        .expect(1)
        .stdout_has("prod: upstream: still on 2026.11.26");
    repo.run(&["deployed", "--env", "dev"])
        .expect(2)
        .stderr_has("no repository has a version URL for the environment \"dev\"; the environments are: stage, prod");

    let bare = TestRepo::new();
    bare.git(&["tag", "-a", "-m", "x", "2026.12.03"]);
    bare.run(&["deployed"])
        .expect(1)
        .stderr_has("error: no environment has a version URL")
        .stderr_has("hint: add the stage's: git config --file .pushduty pushduty.stage.url https://HOST/__version__");
    // In the team file, an environment's other keys are not settings.
    bare.git(&["config", "pushduty.stage.uri", "https://x/"]);
    bare.run(&["deployed"])
        .expect(1)
        .stderr_has("pushduty.stage.uri (set in ");
}

#[test]
fn nothing_tagged_for_the_push_yet() {
    let stage = Stage::start();
    let repo = TestRepo::new();
    repo.git(&["config", "pushduty.stage.url", &stage.url("__version__")]);
    let before = repo.snapshot();
    repo.run(&["deployed"])
        .expect(1)
        .stderr_has("error: upstream: nothing is tagged for the push on 2026-12-03 yet")
        .stderr_has("hint: git push-duty tag");
    assert_eq!(repo.snapshot(), before);
    assert_eq!(stage.hits(), 0);
}

#[test]
fn a_certificate_nobody_trusts_is_a_tls_error() {
    let repo = TestRepo::new();
    let (cert, key) = (repo.root().join("cert.pem"), repo.root().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
        ])
        .arg("/CN=127.0.0.1")
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/tls-server.py");
    let mut server = std::process::Command::new("python3")
        .arg(script)
        .arg(&cert)
        .arg(&key)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the TLS server");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().expect("stdout")),
        &mut line,
    )
    .expect("port");
    let url = format!("https://127.0.0.1:{}/__version__", line.trim());
    drop(repo);
    let (repo, _, _) = tagged(&url);
    let run = repo.run(&["deployed", "--timeout", "5s"]);
    let _ = server.kill();
    let _ = server.wait();
    run.expect(1)
        .stdout_has(&format!(
            "unreachable: {url}: the secure connection (TLS) failed: "
        ))
        .stdout_has("certificate");
}

#[test]
fn a_password_in_the_url_is_never_shown() {
    let stage = Stage::start();
    let url = format!(
        "http://deploy:s3cret-token@127.0.0.1:{}/__version__",
        stage.port
    );
    let (repo, _, _) = tagged(&url);
    stage.set("__version__", Reply::status(401, "who are you"));
    let run = repo.run(&["deployed"]).expect(1);
    run.stdout_has(&format!(
        "unreachable: http://deploy:***@127.0.0.1:{}/__version__ answered 401 Unauthorized: it wants a login",
        stage.port
    ));
    assert!(
        !run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"),
        "{}",
        run.streams()
    );
    let json = repo.run(&["deployed", "--json"]).expect(1);
    assert!(!json.stdout.contains("s3cret"), "{}", json.stdout);
}

#[test]
fn a_body_that_drips_slower_than_the_timeout_is_a_timeout() {
    use std::io::{Read, Write};
    // Headers at once, then a byte a second: the timeout covers the whole answer.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{");
                for _ in 0..100 {
                    std::thread::sleep(Duration::from_secs(1));
                    if stream.write_all(b" ").is_err() {
                        return;
                    }
                }
            });
        }
    });
    let url = format!("http://127.0.0.1:{port}/__version__");
    let (repo, _, _) = tagged(&url);
    let started = std::time::Instant::now();
    repo.run(&["deployed", "--timeout", "2s"])
        .expect(1)
        .stdout_has(&format!("unreachable: {url} did not answer within 2s"));
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_tag_name_at_another_commit_is_not_a_deploy() {
    let stage = Stage::start();
    let (repo, last, _) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.12.03", &last));
    repo.run(&["deployed"]).expect(1).stdout_has(&format!(
        "stage: upstream: cannot tell whether it runs 2026.12.03: it says it runs 2026.12.03 but at commit {last}, which is not 2026.12.03's commit"
    ));
}

#[test]
fn wait_shows_a_progress_line_on_a_terminal() {
    let stage = Stage::start();
    let (repo, last, _) = tagged(&stage.url("__version__"));
    stage.set("__version__", Reply::version("2026.11.26", &last));
    let run = repo.run_on_terminal(
        &["deployed", "--wait", "--interval", "1s", "--timeout", "3s"],
        "",
    );
    assert!(
        run.stdout
            .contains("\rwaiting 0s of 3s: 0 of 1 deployed on stage"),
        "{}",
        run.streams()
    );
    assert!(
        run.stdout.contains("still on 2026.11.26"),
        "{}",
        run.streams()
    );
}

#[test]
fn wait_says_why_it_waits_and_does_not_wait_on_a_url_that_is_none() {
    let stage = Stage::start();
    let url = stage.url("__version__");
    let (repo, _, _) = tagged(&url);
    stage.set("__version__", Reply::status(404, ""));
    repo.run(&["deployed", "--wait", "--interval", "1s", "--timeout", "2s"])
        .expect(1)
        .stderr_has(&format!(
            "waiting up to 2s: 0 of 1 deployed on stage; upstream: unreachable: {url} answered 404 Not Found"
        ));
    repo.git(&["config", "pushduty.stage.url", "htp://typo/__version__"]);
    let started = std::time::Instant::now();
    repo.run(&["deployed", "--wait", "--timeout", "1h"])
        .expect(1)
        .stdout_has(
            "unreachable: htp://typo/__version__ is not an http://, https:// or file:// URL",
        )
        .stderr_lacks("waiting");
    assert!(started.elapsed() < Duration::from_secs(5));
}
