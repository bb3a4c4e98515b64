//! Errors as the user meets them: the one place that decides what is shown when a command stops,
//! and with which exit status. Every error has a [`Kind`] (refused, usage, configuration,
//! internal, broken pipe), as jj's `CommandErrorKind`, and the kind decides both: a refusal reads
//! `error:` and exits 1, an internal failure reads `internal error:` (it is not a refusal the user
//! can answer), a closed pipe is silent and exits 0.
//!
//! Commands refuse with a [`Refusal`], which carries its kind and its `hint:` lines. Lower layers
//! (the git layer) return typed errors without hints: they do not know what the user typed. The
//! command's [`Edge`] gives those a kind and hints where the user is, when the error is reported.

use std::fmt;

/// Exit status for a refused or failed command.
pub const EXIT_REFUSED: u8 = 1;
/// Exit status for a usage error (bad flags, missing `--yes` off a terminal).
pub const EXIT_USAGE: u8 = 2;

/// What kind of stop an error is; it decides the exit status and the first word of the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The command refused on purpose (not safe, nothing to do, a remote said no): exit 1.
    Refused,
    /// The command line cannot be run as typed (a malformed value, `--yes` missing off a
    /// terminal): exit 2.
    Usage,
    /// A setting is missing or malformed; the message names the key and where it is set: exit 1.
    Configuration,
    /// Something failed that the user did not cause and cannot answer (a disk error, a damaged
    /// object): reads `internal error:`, exit 1.
    Internal,
    /// Standard output was closed (`| head`): nothing more to say, exit 0.
    BrokenPipe,
}

impl Kind {
    /// The exit status of a command that stopped with this kind of error.
    pub fn exit_status(self) -> u8 {
        match self {
            Kind::Refused | Kind::Configuration | Kind::Internal => EXIT_REFUSED,
            Kind::Usage => EXIT_USAGE,
            Kind::BrokenPipe => 0,
        }
    }

    fn heading(self) -> &'static str {
        match self {
            Kind::Internal => "internal error",
            _ => "error",
        }
    }
}

/// A command stopped on purpose: it says what happened and why, and hints say what to run next.
/// Nothing was changed when a `Refusal` is returned, unless its message says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    message: String,
    hints: Vec<String>,
    kind: Kind,
}

impl Refusal {
    /// A refusal with exit status 1.
    pub fn new(message: impl Into<String>) -> Self {
        Refusal::of_kind(Kind::Refused, message)
    }

    /// A usage error with exit status 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Refusal::of_kind(Kind::Usage, message)
    }

    /// A missing or malformed setting; the message names the key and the file.
    pub fn configuration(message: impl Into<String>) -> Self {
        Refusal::of_kind(Kind::Configuration, message)
    }

    /// A refusal of any kind.
    pub fn of_kind(kind: Kind, message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            hints: Vec::new(),
            kind,
        }
    }

    /// The same refusal as another kind (a refusal from reading settings is a configuration
    /// error).
    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Adds a `hint:` line telling the user what to do next.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_status()
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

/// What the command the user typed says about an error of a lower layer: what kind it is, and
/// the hints that fit this command (only a command with `--offline` suggests it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    pub kind: Kind,
    pub hints: Vec<String>,
}

/// The command's side of reporting: it knows the typed errors of the layers below it and words
/// their hints for what the user typed.
pub trait Edge {
    /// Advice for `cause`, one error of the chain, if this edge knows its type.
    fn advise(&self, cause: &(dyn std::error::Error + 'static)) -> Option<Advice>;
}

/// An edge that knows no typed error: only refusals speak.
pub struct NoEdge;

impl Edge for NoEdge {
    fn advise(&self, _: &(dyn std::error::Error + 'static)) -> Option<Advice> {
        None
    }
}

/// The kind of `err` and the hints shown with it: the outermost refusal's (also when it is
/// context added to another error), else the edge's advice on the outermost error it knows, else
/// an internal error without hints. A closed pipe anywhere in it is a broken pipe.
pub fn classify(err: &anyhow::Error, edge: &dyn Edge) -> Advice {
    if is_broken_pipe(err) {
        return Advice {
            kind: Kind::BrokenPipe,
            hints: Vec::new(),
        };
    }
    // anyhow finds a refusal given as context itself; the chain holds it only as a cause.
    let refusal = err
        .downcast_ref::<Refusal>()
        .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Refusal>()));
    if let Some(refusal) = refusal {
        return Advice {
            kind: refusal.kind(),
            hints: refusal.hints().to_vec(),
        };
    }
    err.chain()
        .find_map(|cause| edge.advise(cause))
        .unwrap_or(Advice {
            kind: Kind::Internal,
            hints: Vec::new(),
        })
}

/// Writes the error for a human: `error:` (or `internal error:`) with its causes, then its hints.
/// Returns the exit status its kind has.
pub fn report(err: &anyhow::Error, edge: &dyn Edge, stderr: &mut dyn std::io::Write) -> u8 {
    let advice = classify(err, edge);
    if advice.kind == Kind::BrokenPipe {
        return advice.kind.exit_status();
    }
    let mut text = format!("{}: {err}\n", advice.kind.heading());
    for cause in err.chain().skip(1) {
        // A refusal wrapped in context is shown once, as a cause.
        text.push_str(&format!("  because: {cause}\n"));
    }
    for hint in &advice.hints {
        text.push_str(&format!("hint: {hint}\n"));
    }
    // Nothing more can be done if stderr is gone.
    let _ = stderr.write_all(text.as_bytes());
    advice.kind.exit_status()
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

    fn reported(err: &anyhow::Error, edge: &dyn Edge) -> (u8, String) {
        let mut buf = Vec::new();
        let status = report(err, edge, &mut buf);
        (status, String::from_utf8(buf).expect("utf-8"))
    }

    #[test]
    fn a_refusal_keeps_its_exit_code_and_hints_under_context() {
        let err = refuse::<()>(Refusal::usage("not on a terminal").hint("pass --yes"))
            .context("cannot tag")
            .unwrap_err();
        assert_eq!(
            reported(&err, &NoEdge),
            (
                EXIT_USAGE,
                "error: cannot tag\n  because: not on a terminal\nhint: pass --yes\n".into()
            )
        );
    }

    #[test]
    fn a_refusal_given_as_context_speaks_for_the_error_under_it() {
        let err =
            anyhow::anyhow!("disk on fire").context(Refusal::new("not checked").hint("retry"));
        assert_eq!(
            reported(&err, &NoEdge),
            (
                EXIT_REFUSED,
                "error: not checked\n  because: disk on fire\nhint: retry\n".into()
            )
        );
    }

    #[test]
    fn anything_else_is_an_internal_error_and_broken_pipes_are_silent() {
        let (status, text) = reported(&anyhow::anyhow!("boom"), &NoEdge);
        assert_eq!((status, text.as_str()), (1, "internal error: boom\n"));
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(reported(&pipe, &NoEdge), (0, String::new()));
        let json = serde_json::Error::io(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert_eq!(
            reported(&anyhow::Error::new(json), &NoEdge),
            (0, String::new())
        );
    }

    #[derive(Debug)]
    struct Unreachable;
    impl fmt::Display for Unreachable {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot reach remote upstream")
        }
    }
    impl std::error::Error for Unreachable {}

    struct Offline;
    impl Edge for Offline {
        fn advise(&self, cause: &(dyn std::error::Error + 'static)) -> Option<Advice> {
            cause.downcast_ref::<Unreachable>().map(|_| Advice {
                kind: Kind::Refused,
                hints: vec!["git push-duty next-tag --offline".into()],
            })
        }
    }

    #[test]
    fn the_edge_words_a_typed_error_where_no_refusal_speaks() {
        let err = anyhow::Error::new(Unreachable).context("cannot list the tags");
        assert_eq!(
            reported(&err, &Offline),
            (
                EXIT_REFUSED,
                "error: cannot list the tags\n  because: cannot reach remote upstream\nhint: git push-duty next-tag --offline\n"
                    .into()
            )
        );
        // Without an edge that knows it, it is internal.
        assert_eq!(classify(&err, &NoEdge).kind, Kind::Internal);
        // A refusal above it speaks instead.
        let refused = err.context(Refusal::configuration("no remote").hint("add it"));
        assert_eq!(
            classify(&refused, &Offline),
            Advice {
                kind: Kind::Configuration,
                hints: vec!["add it".into()]
            }
        );
    }

    #[test]
    fn each_kind_has_one_exit_status() {
        let statuses: Vec<u8> = [
            Kind::Refused,
            Kind::Usage,
            Kind::Configuration,
            Kind::Internal,
            Kind::BrokenPipe,
        ]
        .into_iter()
        .map(Kind::exit_status)
        .collect();
        assert_eq!(statuses, [1, 2, 1, 1, 0]);
    }
}
