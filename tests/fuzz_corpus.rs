//! The fuzzers' corpora (`fuzz/corpus/TARGET/`), replayed through the same property checks the
//! fuzz targets run (`push_duty::fuzzing`), so every input a fuzzer found interesting stays a
//! regression test in the normal `cargo test`, without cargo-fuzz or a sanitizer.

use std::path::Path;

use push_duty::fuzzing::{self, HOLE_WITNESSES, KNOWN_HOLES, TARGETS};

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
            let result = std::panic::catch_unwind(|| {
                fuzzing::run(target, &bytes, KNOWN_HOLES, scratch.path())
            });
            assert!(result.is_ok(), "{target}: {path} breaks a property");
        }
    }
}

/// A hole is listed in `KNOWN_HOLES` only while it is open: its witness must still fail with
/// the check on, and pass with it skipped. When a fix lands this test fails: delete the entry
/// from `KNOWN_HOLES` and its witness, so the fuzzers check that property from then on.
#[test]
fn each_known_hole_is_still_open() {
    let scratch = tempfile::tempdir().expect("scratch directory");
    for hole in KNOWN_HOLES {
        let witnesses: Vec<_> = HOLE_WITNESSES.iter().filter(|w| w.0 == *hole).collect();
        assert!(!witnesses.is_empty(), "{hole} has no witness");
        for (_, target, bytes) in witnesses {
            fuzzing::run(target, bytes, KNOWN_HOLES, scratch.path());
            let others: Vec<&str> = KNOWN_HOLES.iter().copied().filter(|h| h != hole).collect();
            let failed =
                std::panic::catch_unwind(|| fuzzing::run(target, bytes, &others, scratch.path()))
                    .is_err();
            assert!(
                failed,
                "{hole} is fixed: remove it from push_duty::fuzzing::KNOWN_HOLES and HOLE_WITNESSES"
            );
        }
    }
    for (hole, _, _) in HOLE_WITNESSES {
        assert!(
            KNOWN_HOLES.contains(hole),
            "witness of {hole}, which is not listed"
        );
    }
}
