//! `git push-duty completions`: shell completion scripts, generated from the same clap
//! definitions as the help and the man page.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::console::Console;

/// Print a shell completion script for git-push-duty.
///
/// install.sh installs them; to load by hand:
/// bash: source <(git-push-duty completions bash);
/// zsh: git-push-duty completions zsh > ~/.zfunc/_git-push-duty;
/// fish: git-push-duty completions fish > ~/.config/fish/completions/git-push-duty.fish
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(console: &mut Console<'_>, args: &Args) -> Result<()> {
    let mut command = Cli::command();
    // Generated into memory first: clap_complete panics on a write error, a closed pipe is not one.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, crate::cli::BIN, &mut script);
    if args.shell == clap_complete::Shell::Bash {
        // git's own completion calls _git_push_duty for `git push-duty <TAB>`.
        script.extend_from_slice(GIT_BASH_BRIDGE.as_bytes());
        script.push(b'\n');
    }
    console.out.write_all(&script)?;
    Ok(())
}

/// Lets `git push-duty <TAB>` reuse the completion of `git-push-duty <TAB>` in bash.
const GIT_BASH_BRIDGE: &str = r#"
_git_push_duty() {
    local cur prev words cword
    words=("git-push-duty" "${COMP_WORDS[@]:2}")
    cword=$((COMP_CWORD - 1))
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$cword
    _git-push-duty "git-push-duty" "$cur" "$prev"
}"#;
