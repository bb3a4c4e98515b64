//! Refusals and their exit codes: the one place that decides what the user sees when a command
//! stops, and with which status (1 refused or failed, 2 usage).

use std::fmt;

/// Exit status for a refused or failed command.
pub const EXIT_REFUSED: u8 = 1;
/// Exit status for a usage error (bad flags, missing `--yes` off a terminal).
pub const EXIT_USAGE: u8 = 2;

/// A command stopped on purpose: it says what happened and why, and hints say what to run next.
/// Nothing was changed when a `Refusal` is returned, unless its message says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    message: String,
    hints: Vec<String>,
    usage: bool,
}

impl Refusal {
    /// A refusal with exit status 1.
    pub fn new(message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            hints: Vec::new(),
            usage: false,
        }
    }

    /// A usage error with exit status 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Refusal {
            usage: true,
            ..Refusal::new(message)
        }
    }

    /// Adds a `hint:` line telling the user what to do next.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    pub fn exit_code(&self) -> u8 {
        if self.usage { EXIT_USAGE } else { EXIT_REFUSED }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// Shorthand for returning a refusal from a function that returns `anyhow::Result`.
pub fn refuse<T>(refusal: Refusal) -> anyhow::Result<T> {
    Err(anyhow::Error::new(refusal))
}

/// Writes the error for a human: `error:` with its causes, then the hints of any refusal in it.
/// Returns the exit status: a refusal's own, 1 for anything else, 0 for a closed pipe.
pub fn report(err: &anyhow::Error, stderr: &mut dyn std::io::Write) -> u8 {
    if is_broken_pipe(err) {
        return 0;
    }
    // The outermost refusal speaks, also when it is context added to another error.
    let refusal = err
        .downcast_ref::<Refusal>()
        .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Refusal>()));
    let mut text = format!("error: {err}\n");
    for cause in err.chain().skip(1) {
        // A refusal wrapped in context is shown once, as a cause.
        text.push_str(&format!("  because: {cause}\n"));
    }
    if let Some(refusal) = refusal {
        for hint in refusal.hints() {
            text.push_str(&format!("hint: {hint}\n"));
        }
    }
    // Nothing more can be done if stderr is gone.
    let _ = stderr.write_all(text.as_bytes());
    refusal.map_or(EXIT_REFUSED, Refusal::exit_code)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            // `--json` output is written through serde_json, which wraps the io::Error.
            || e.downcast_ref::<serde_json::Error>()
                .is_some_and(|json| json.io_error_kind() == Some(BrokenPipe))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn a_refusal_keeps_its_exit_code_and_hints_under_context() {
        let err = refuse::<()>(Refusal::usage("not on a terminal").hint("pass --yes"))
            .context("cannot tag")
            .unwrap_err();
        let mut buf = Vec::new();
        assert_eq!(report(&err, &mut buf), EXIT_USAGE);
        let text = String::from_utf8(buf).expect("utf-8");
        assert_eq!(
            text,
            "error: cannot tag\n  because: not on a terminal\nhint: pass --yes\n"
        );
    }

    #[test]
    fn a_refusal_given_as_context_speaks_for_the_error_under_it() {
        let err =
            anyhow::anyhow!("disk on fire").context(Refusal::new("not checked").hint("retry"));
        let mut buf = Vec::new();
        assert_eq!(report(&err, &mut buf), EXIT_REFUSED);
        let text = String::from_utf8(buf).expect("utf-8");
        assert_eq!(
            text,
            "error: not checked\n  because: disk on fire\nhint: retry\n"
        );
    }

    #[test]
    fn other_errors_exit_one_and_broken_pipes_zero() {
        let mut buf = Vec::new();
        assert_eq!(report(&anyhow::anyhow!("boom"), &mut buf), EXIT_REFUSED);
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        let mut quiet = Vec::new();
        assert_eq!(report(&pipe, &mut quiet), 0);
        assert!(quiet.is_empty());
        let json = serde_json::Error::io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(report(&anyhow::Error::new(json), &mut quiet), 0);
        assert!(quiet.is_empty());
    }
}
