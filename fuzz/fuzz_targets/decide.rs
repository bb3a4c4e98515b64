//! Fuzz target `decide`: the properties are in `push_duty::fuzzing::decide`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    push_duty::fuzzing::decide(data);
});
