//! Fuzz target `config_values`: the properties are in `push_duty::fuzzing::config_values`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    push_duty::fuzzing::config_values(data);
});
