//! Stops between steps: a signal (Ctrl-C, TERM, HUP) while a plan is carried out is noted, and
//! the runner stops before the next step, never inside one. And fault points, for tests only:
//! `PUSH_DUTY_TEST_FAULT=exit-after-N` ends the process after step N, abruptly, as a kill would
//! (no destructor runs, nothing is cleaned up; exit status [`FAULT_EXIT`]); `wait-after-N` waits
//! there (up to a minute) for a signal, so a test can interrupt at a known point. The final
//! fast-forward has two more points, `fast-forward-locked` (the index and branch are locked,
//! nothing is written yet) and `fast-forward-writing` (the deleted files are gone, the rest not
//! yet written), as `exit-...` or `wait-...`. `pause-upstream-listed` holds a run right after it
//! listed the upstream (before it fetches what it listed) until a file it names exists, then lets
//! it go on: a test can move the upstream meanwhile, as a colleague's push would. The variable is
//! read in [`fault_point`] only. It exists so the tests can prove that every stop between steps
//! is recoverable, and that what moved meanwhile is refused; nobody needs it otherwise.

/// True once Ctrl-C, TERM or HUP arrived while a plan is carried out.
pub fn interrupted() -> bool {
    gix::interrupt::is_triggered()
}

/// The environment variable that names a fault point (tests only; see the module's comment).
pub const FAULT_VAR: &str = "PUSH_DUTY_TEST_FAULT";
/// The exit status of a process stopped at an `exit-...` fault point.
pub const FAULT_EXIT: i32 = 99;

/// A fault point named `at` (`after-3`, `fast-forward-locked`, `upstream-listed`), for tests
/// only: ends the process abruptly if `PUSH_DUTY_TEST_FAULT` is `exit-<at>`, waits there for a
/// signal (at most a minute) if it is `wait-<at>`, waits for the file the `waiting` line names to
/// exist (or a signal; at most a minute) and then goes on if it is `pause-<at>`, and does
/// nothing otherwise.
pub fn fault_point(at: &str) {
    let Some(fault) = std::env::var_os(FAULT_VAR) else {
        return;
    };
    let fault = fault.to_string_lossy();
    if fault.strip_prefix("exit-") == Some(at) {
        eprintln!("push-duty: test fault point {at}: stopping here");
        // As a kill would: no destructor runs, no lock or temporary file is cleaned up.
        std::process::exit(FAULT_EXIT);
    }
    if fault.strip_prefix("wait-") == Some(at) {
        eprintln!(
            "push-duty: test fault point {at}: waiting for a signal (process {})",
            std::process::id()
        );
        let start = std::time::Instant::now();
        while !interrupted() && start.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    if fault.strip_prefix("pause-") == Some(at) {
        // Named by the process, so two paused runs never share one; left for the test to remove,
        // so a second pass through the same point (a second listing) does not wait again.
        let resume = std::env::temp_dir().join(format!("push-duty-resume-{}", std::process::id()));
        eprintln!(
            "push-duty: test fault point {at}: waiting for {} to exist (process {})",
            resume.display(),
            std::process::id()
        );
        let start = std::time::Instant::now();
        while !resume.exists()
            && !interrupted()
            && start.elapsed() < std::time::Duration::from_secs(60)
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}
