//! The fuzzers' corpora (`fuzz/corpus/TARGET/`), replayed through the same property checks the
//! fuzz targets run (`push_duty::fuzzing`), so every input a fuzzer found interesting stays a
//! regression test in the normal `cargo test`, without cargo-fuzz or a sanitizer; and the inputs
//! that showed each hole the fuzzers found before issue 7's fixes, which must hold now.

use std::path::Path;

use push_duty::fuzzing::{self, TARGETS};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a corpus entry").path();
            let bytes = std::fs::read(&path).expect("read a corpus file");
            (path.display().to_string(), bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_input_keeps_its_properties() {
    let scratch = tempfile::tempdir().expect("scratch directory");
    for target in TARGETS {
        let inputs = corpus(target);
        assert!(!inputs.is_empty(), "fuzz/corpus/{target}/ is empty");
        for (path, bytes) in inputs {
            let result = std::panic::catch_unwind(|| fuzzing::run(target, &bytes, scratch.path()));
            assert!(result.is_ok(), "{target}: {path} breaks a property");
        }
    }
}

/// Runs `target` on `bytes`, which must keep every property.
fn holds(target: &str, bytes: &[u8]) {
    let scratch = tempfile::tempdir().expect("scratch directory");
    fuzzing::run(target, bytes, scratch.path());
}

// The witnesses of the holes the fuzzers found open before issue 7's fixes (they were skipped
// then, as "known holes"); each property is checked for every input now, and these inputs stay.

/// `git -c color.ui` exports `'color.ui'=`, where the parser stopped: `'s0.k0'= 's0.k0'='s'`.
#[test]
fn a_valueless_config_parameter_is_read_and_so_is_what_follows() {
    holds("config_values", &[1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
}

/// git quotes `!` as `'\!'`, which the parser did not read.
#[test]
fn a_bang_in_a_config_parameter_is_read() {
    holds("config_values", &[1, 0, 0, 0, 0, 4]);
}

/// Duplicated `skip =` lines: each key is read once, each date kept once.
#[test]
fn a_team_file_with_duplicated_keys_loads_each_date_once() {
    holds(
        "team_file",
        b"[pushduty]\nskip = 2026-12-24\nskip = 2026-12-24\n",
    );
}

/// `pushduty.branch = main/` was accepted, and the guard then protected nothing.
#[test]
fn a_team_file_branch_with_a_slash_is_refused() {
    holds("team_file", b"[pushduty]\nbranch = main/\n");
    holds("team_file", b"[pushduty]\nbranch = refs/heads/main\n");
}

/// A team file just over the size limit (the rest repeated to 64 KiB and one byte).
#[test]
fn a_team_file_over_the_size_limit_is_refused() {
    holds("team_file", &[0xff, 129, b'#', b'\n']);
    holds("team_file", &[0xff, 128, b'#', b'\n']);
}

/// `file:///r/%73ecurity.git` and `/r/security.git`: percent-encoding in a file URL, each
/// character of the name encoded in turn.
#[test]
fn a_percent_encoded_file_url_is_the_repository() {
    for encode in [1u8, 0x55, 0xff] {
        holds(
            "url",
            &[0, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 7, encode, 8, encode],
        );
    }
}

/// `https://github.com/x/../team/security` and `git@github.com:team/security.git`.
#[test]
fn dot_segments_in_a_network_url_are_removed() {
    holds("url", &[1, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 6, 0, 7, 0]);
}

/// `locate` trimmed white space git keeps: `/r/x\u{c}` is another repository than `/r/x`.
#[test]
fn white_space_in_a_path_is_kept() {
    // The name `x\u{c}`, and spellings of it: plain, without `.git`, relative.
    holds("url", &[0, 1, 10, 14, 0, 0, 0, 1, 0, 4, 0, 5, 0]);
    // The same name in a worktree (not bare), from a subdirectory.
    holds("url", &[0, 1, 10, 14, 129, 0, 0, 1, 0, 4, 0, 5, 0]);
}

/// A symbolic link followed before `..`, a gitfile, `~`: the spellings of issue 7.
#[test]
fn links_before_dot_dot_gitfiles_and_the_home_directory_are_the_repository() {
    // Bare or not, links relative or absolute, gitfiles with and without a line end.
    for flags in [0u8, 1, 4, 16, 32, 65, 128] {
        for choice in [10u8, 11, 12, 13, 14, 16, 18] {
            holds("url", &[0, 1, 0, 0, flags, choice, 0]);
        }
    }
}

/// A tree pushed to a fork's branch.
#[test]
fn a_tree_pushed_elsewhere_is_refused() {
    holds("decide", &[2, 7, 0, 0, 0, 3, 7, 7, 7, 7, 7, 7, 7, 1, 1, 0]);
}

/// An annotated tag of a fix pushed onto the upstream's main (found by the model test).
#[test]
fn a_tag_pushed_onto_the_upstreams_main_is_refused() {
    // Object 2 is a fix, object 3 a tag of it; the tag goes to refs/heads/main.
    holds("decide", &[1, 7, 0, 0, 0, 0, 2, 13, 7, 7, 7, 7, 7, 3, 0, 1]);
}

/// A push through `refs/heads/release`, a symbolic ref to the mirror's main, judged as main.
#[test]
fn a_symbolic_ref_to_the_mirrors_main_is_its_main() {
    // The mirror lists release -> main; object 1 is not on the upstream; deleted too.
    holds(
        "decide",
        &[0, 7, 8, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7, 1, 5, 0, 9, 5, 1],
    );
}
