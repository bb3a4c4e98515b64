//! The `git-push-duty` binary: parse the command line, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;
use push_duty::{cli::Cli, console::Console, error, hints::CommandEdge};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors exit 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(error::EXIT_USAGE));
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let stdin = std::io::stdin();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut input = stdin.lock();
    let result = {
        let mut console = Console::detect(&mut out, &mut err, &mut input, cli.color);
        push_duty::run(&cli, &mut console).and_then(|()| Ok(console.out.flush()?))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(error::report(
            &e,
            &CommandEdge::of(&cli.run_command()),
            &mut err,
        )),
    }
}
