//! Fuzz target `calendar_tags`: the properties are in `push_duty::fuzzing::calendar_tags`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    push_duty::fuzzing::calendar_tags(data);
});
