//! Fuzz target `url`: the properties are in `push_duty::fuzzing::url`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    push_duty::fuzzing::url(data);
});
