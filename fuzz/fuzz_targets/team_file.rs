//! Fuzz target `team_file`: the properties are in `push_duty::fuzzing::TeamFile::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static SCRATCH: std::sync::OnceLock<push_duty::fuzzing::TeamFile> = std::sync::OnceLock::new();
    let team = SCRATCH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("push-duty-fuzz-{}", std::process::id()));
        push_duty::fuzzing::TeamFile::new(&dir)
    });
    team.check(data);
});
