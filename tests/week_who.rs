//! `who`: the rotation from the team file, as lines, JSON and an iCalendar feed, and every
//! mistake in the rotation refused with the key and the file that set it.

mod common;

use common::TestRepo;
use common::week::ROTATION;
use push_duty::week::ics;

fn rota(extra: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.team_file(&format!("{ROTATION}{extra}"));
    repo
}

#[test]
fn who_shows_the_current_push_and_the_next_ones() {
    let repo = rota("");
    repo.run(&["who", "--weeks", "2"]).ok().stdout_is(
        "2026-12-03 Thu  eviljeff  (current push)\n2026-12-10 Thu  mat\n2026-12-17 Thu  bsilverberg\n",
    );
    // Four by default; on the push day itself, that push is the current one.
    let run = repo.run_on("2026-12-03", &["who"]).ok();
    assert_eq!(run.stdout.lines().count(), 5, "{}", run.stdout);
    run.stdout_starts_with("2026-12-03 Thu  eviljeff  (current push)\n");
    // Through git, as users type it.
    repo.run_through_git(&["who", "--weeks", "0"])
        .ok()
        .stdout_is("2026-12-03 Thu  eviljeff  (current push)\n");
}

#[test]
fn who_marks_a_skipped_push_and_a_swap() {
    let repo = rota("\tskip = 2026-12-10\n");
    repo.run(&["who", "--weeks", "1"]).ok().stdout_is(
        "2026-12-03 Thu  eviljeff  (current push)\n2026-12-10 Thu  (skipped: no push)\n2026-12-17 Thu  mat\n",
    );
    let repo = rota("\tswap = 2026-12-03 bsilverberg\n");
    repo.run(&["who", "--weeks", "1"])
        .ok()
        .stdout_is("2026-12-03 Thu  bsilverberg  (swap)  (current push)\n2026-12-10 Thu  mat\n");
    // A swap in git config counts as one in the team file does.
    let repo = rota("");
    repo.git(&["config", "pushduty.swap", "2026-12-10 Diane Q."]);
    repo.run(&["who", "--weeks", "1"])
        .ok()
        .stdout_has("2026-12-10 Thu  Diane Q.  (swap)\n");
}

#[test]
fn who_every_other_week() {
    let repo = rota("\tcadence = 2\n");
    repo.run(&["who", "--weeks", "1"])
        .ok()
        .stdout_is("2026-12-10 Thu  eviljeff  (current push)\n2026-12-24 Thu  mat\n");
    repo.run(&["who", "--weeks", "0", "--date", "2026-12-25"])
        .ok()
        .stdout_is("2027-01-07 Thu  bsilverberg  (current push)\n");
}

#[test]
fn who_json_is_a_list_of_date_hero_skipped() {
    let repo = rota("\tskip = 2026-12-10\n");
    let run = repo.run(&["who", "--json", "--weeks", "1"]).ok();
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        value,
        serde_json::json!([
            {"date": "2026-12-03", "hero": "eviljeff", "skipped": false},
            {"date": "2026-12-10", "hero": null, "skipped": true},
            {"date": "2026-12-17", "hero": "mat", "skipped": false},
        ])
    );
}

#[test]
fn who_ics_reads_back_as_the_same_pushes() {
    let repo = rota(
        "\tskip = 2026-12-10\n\tnotesUrl = https://github.com/mozilla/addons/blob/main/releases\n",
    );
    repo.git(&[
        "remote",
        "set-url",
        "--push",
        "upstream",
        "git@github.com:mozilla/addons-server.git",
    ]);
    let run = repo.run(&["who", "--ics", "--weeks", "2"]).ok();
    let text = &run.stdout;
    assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line: {line:?}");
    }
    let props = ics::parse(text).expect("a valid feed");
    let values = |name: &str| -> Vec<String> {
        props
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.value.clone())
            .collect()
    };
    assert_eq!(
        values("BEGIN"),
        ["VCALENDAR", "VEVENT", "VEVENT", "VEVENT", "VEVENT"]
    );
    assert_eq!(
        values("DTSTART"),
        ["20261203", "20261210", "20261217", "20261224"]
    );
    assert!(
        props
            .iter()
            .filter(|p| p.name == "DTSTART")
            .all(|p| p.param("VALUE") == Some("DATE"))
    );
    let summaries: Vec<String> = values("SUMMARY")
        .iter()
        .map(|v| ics::unescape_text(v).expect("text"))
        .collect();
    assert_eq!(
        summaries,
        [
            "Push duty: eviljeff",
            "No push (skipped)",
            "Push duty: mat",
            "Push duty: bsilverberg"
        ]
    );
    assert_eq!(
        values("URL")[0],
        "https://github.com/mozilla/addons/blob/main/releases/2026/12/03.md"
    );
    // Stable UIDs: the same pushes on another day, and from another clone, keep theirs.
    let uids = values("UID");
    assert_eq!(
        uids[0],
        "push-20261203-github.com%2Fmozilla%2Faddons-server@git-push-duty"
    );
    // On 12-09 the current push is 12-17: 12-10 is skipped.
    let later = repo
        .run_on("2026-12-09", &["who", "--ics", "--weeks", "1"])
        .ok();
    let later_uids: Vec<String> = ics::parse(&later.stdout)
        .expect("a valid feed")
        .into_iter()
        .filter(|p| p.name == "UID")
        .map(|p| p.value)
        .collect();
    assert_eq!(later_uids, uids[2..4]);
}

#[test]
fn refusal_who_with_an_empty_rotation() {
    let repo = TestRepo::new();
    repo.team_file("[pushduty]\n\tanchor = 2026-11-26\n");
    let before = repo.snapshot();
    repo.run(&["who"])
        .expect(1)
        .stderr_has("error: the rotation is empty: pushduty.hero is not set in ")
        .stderr_has("/work/.pushduty or in git config")
        .stderr_has("hint: list the push heroes in order in the team file: git config --file ");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn refusal_who_without_an_anchor() {
    let repo = TestRepo::new();
    repo.team_file("[pushduty]\n\thero = mat\n");
    let before = repo.snapshot();
    repo.run(&["who"])
        .expect(1)
        .stderr_has("error: the rotation needs pushduty.anchor, a push date on which the first hero (mat) pushed")
        .stderr_has("/work/.pushduty pushduty.anchor YYYY-MM-DD");
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn refusal_who_with_a_bad_swap() {
    for (swap, why) in [
        (
            "12/03/2026 mat",
            "pushduty.swap = \"12/03/2026 mat\" (set in ",
        ),
        ("2026-12-03", "the swap on 2026-12-03 names nobody"),
        (
            "2026-12-02 mat",
            "the swap \"2026-12-02 mat\" is for a date with no push: it is a wednesday, not a push day (thursday)",
        ),
    ] {
        let repo = rota(&format!("\tswap = {swap}\n"));
        let before = repo.snapshot();
        repo.run(&["who"])
            .expect(1)
            .stderr_has(why)
            .stderr_has("/work/.pushduty)")
            .stderr_has("hint: correct it in ");
        assert_eq!(repo.snapshot(), before, "{swap}");
    }
    // Two swaps for one push: the second is named, where it is set.
    let repo = rota("\tswap = 2026-12-10 mat\n");
    repo.git(&["config", "pushduty.swap", "2026-12-10 eviljeff"]);
    repo.run(&["who"])
        .expect(1)
        .stderr_has("pushduty.swap = \"2026-12-10 eviljeff\" (set in ")
        .stderr_has(
            ".git/config): two swaps for the push on 2026-12-10 (mat and eviljeff): keep one",
        );
}

#[test]
fn refusal_who_with_an_anchor_that_is_no_push_date() {
    // A Wednesday: the calendar itself refuses it, naming the key and the file.
    let repo = TestRepo::new();
    repo.team_file("[pushduty]\n\thero = mat\n\tanchor = 2026-11-25\n");
    let before = repo.snapshot();
    repo.run(&["who"])
        .expect(1)
        .stderr_has("pushduty.anchor 2026-11-25 is a wednesday, not a push day (thursday)")
        .stderr_has("/work/.pushduty");
    assert_eq!(repo.snapshot(), before);
    // A skipped push: nobody pushed on it.
    let repo = rota("\tskip = 2026-11-26\n");
    repo.run(&["who"])
        .expect(1)
        .stderr_has("pushduty.anchor = \"2026-11-26\" (set in ")
        .stderr_has("the anchor 2026-11-26 must be a push date on which the first hero pushed, but that push is skipped (pushduty.skip)");
    // A blank hero names its place in the rotation.
    let repo = TestRepo::new();
    repo.team_file("[pushduty]\n\thero = mat\n\thero = \"  \"\n\tanchor = 2026-11-26\n");
    repo.run(&["who"])
        .expect(1)
        .stderr_has("pushduty.hero = \"  \" (set in ")
        .stderr_has("push hero number 2 (\"  \") is blank");
}

#[test]
fn refusal_who_with_bad_flags() {
    let repo = rota("");
    repo.run(&["who", "--date", "tomorrow"])
        .expect(2)
        .stderr_has("--date \"tomorrow\" is not a date as YYYY-MM-DD");
    repo.run(&["who", "--json", "--ics"])
        .expect(2)
        .stderr_has("cannot be used with");
}
