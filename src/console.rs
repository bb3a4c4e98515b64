//! The terminal a command talks to: data on stdout, status on stderr, questions on a terminal
//! only, colour only where it is wanted. Commands get a `Console`; nothing else prints.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always colour, even when piped.
    Always,
    /// Never colour.
    Never,
}

/// Where a command writes and asks.
pub struct Console<'a> {
    /// Data: tag names, links, diffs, JSON.
    pub out: &'a mut dyn Write,
    /// Status: plans, progress, warnings, errors.
    pub err: &'a mut dyn Write,
    input: &'a mut dyn BufRead,
    /// True when a person can answer a question (stdin and stderr are terminals).
    pub interactive: bool,
    /// True when stdout may carry ANSI colours.
    pub color: bool,
    /// True when stdout is a terminal (long output may be paged).
    pub out_is_terminal: bool,
}

impl<'a> Console<'a> {
    /// A console over arbitrary streams; `interactive` says whether questions may be asked.
    pub fn new(
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
        input: &'a mut dyn BufRead,
        interactive: bool,
        color: bool,
    ) -> Self {
        Console {
            out,
            err,
            input,
            interactive,
            color,
            out_is_terminal: false,
        }
    }

    /// Works out interactivity and colour from the real process streams.
    pub fn detect(
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
        input: &'a mut dyn BufRead,
        choice: ColorChoice,
    ) -> Self {
        let out_is_terminal = std::io::stdout().is_terminal();
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                out_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Console {
            out_is_terminal,
            ..Console::new(out, err, input, interactive, color)
        }
    }

    /// Asks a yes/no question on stderr and reads the answer; anything but `y`/`yes` is no.
    pub fn ask(&mut self, question: &str) -> Result<bool> {
        write!(self.err, "{question} [y/N] ")?;
        self.err.flush()?;
        let mut answer = String::new();
        self.input
            .read_line(&mut answer)
            .context("cannot read the answer")?;
        Ok(matches!(
            answer.trim().to_ascii_lowercase().as_str(),
            "y" | "yes"
        ))
    }
}

impl Console<'_> {
    /// Reads the whole of standard input (a hook's lines from git).
    pub fn read_all_input(&mut self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut self.input, &mut bytes)
            .context("cannot read standard input")?;
        Ok(bytes)
    }
}
