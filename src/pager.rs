//! Long output (a diff) through the user's pager when stdout is a terminal, as git does:
//! `$GIT_PAGER`, then `core.pager`, then `$PAGER`, then `less`; plain when piped.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::console::Console;

/// The pager command to run, from the places git looks, in git's order; `None` for no pager
/// (an empty value or `cat`, as in git).
pub fn choose(
    git_pager: Option<String>,
    core_pager: Option<String>,
    pager: Option<String>,
) -> Option<String> {
    let command = git_pager
        .or(core_pager)
        .or(pager)
        .unwrap_or_else(|| "less".to_owned());
    let command = command.trim();
    (!command.is_empty() && command != "cat").then(|| command.to_owned())
}

/// Writes `text` to stdout, through the pager when stdout is a terminal.
pub fn show(repo: &gix::Repository, console: &mut Console<'_>, text: &str) -> Result<()> {
    let pager = if console.out_is_terminal {
        let core_pager = repo
            .config_snapshot()
            .string("core.pager")
            .map(|v| v.to_string());
        choose(
            std::env::var("GIT_PAGER").ok(),
            core_pager,
            std::env::var("PAGER").ok(),
        )
    } else {
        None
    };
    let Some(pager) = pager else {
        console.out.write_all(text.as_bytes())?;
        return Ok(());
    };
    console.out.flush()?;
    let mut command = Command::new("sh");
    command.arg("-c").arg(&pager).stdin(Stdio::piped());
    // The defaults git gives less and lv: quit if one screen, keep colours, no init.
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    if std::env::var_os("LV").is_none() {
        command.env("LV", "-c");
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start the pager {pager:?}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // The reader may quit early: a closed pipe is not an error.
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(e).context("cannot write to the pager");
            }
            _ => {}
        }
    }
    child
        .wait()
        .with_context(|| format!("the pager {pager:?} failed"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn git_pager_wins_then_core_pager_then_pager() {
        assert_eq!(choose(s("more"), s("most"), s("pg")), s("more"));
        assert_eq!(choose(None, s("most"), s("pg")), s("most"));
        assert_eq!(choose(None, None, s("pg")), s("pg"));
        assert_eq!(choose(None, None, None), s("less"));
    }

    #[test]
    fn empty_or_cat_means_no_pager() {
        assert_eq!(choose(s(""), s("most"), None), None);
        assert_eq!(choose(None, s("cat"), None), None);
        assert_eq!(choose(None, None, s("  ")), None);
    }
}
