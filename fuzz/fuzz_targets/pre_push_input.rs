//! Fuzz target `pre_push_input`: the properties are in `push_duty::fuzzing::pre_push_input`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    push_duty::fuzzing::pre_push_input(data);
});
