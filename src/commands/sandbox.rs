//! `git push-duty sandbox DIR`: a practice week that touches no real remote.

use std::path::PathBuf;

use anyhow::Result;

use crate::calendar::Schedule;
use crate::config;
use crate::console::Console;
use crate::error::Refusal;
use crate::sandbox;

/// Create a practice week in a new directory, touching no real remote.
///
/// DIR gets bare upstream repositories (remotes/addons-server.git and its security mirror
/// remotes/addons-server-security.git, remotes/addons-frontend.git) with a few weeks of history
/// and calendar tags (the last push with a cherry-pick revision), a clone of each with this
/// week's work untagged, a team file (.pushduty) with the locale-extraction step (and the
/// rotation, notes URL and train where this version has them), the pre-push hook installed in
/// addons-server, a reviewed security fix (fix-xss) waiting on the mirror, and a simulated
/// stage: each clone's [pushduty "stage"] url is a file:// JSON file that DIR/deploy.sh
/// REPOSITORY TAG "deploys" a tag into; DIR/land-fix.sh lands an unready feature and then a fix
/// on addons-server's main after the tag, to practise a cherry-pick revision.
///
/// It prints the commands to try, in order, starting with git push-duty status. DIR must not
/// exist, or be an empty directory; anything else (a file, a symbolic link, a directory with
/// anything in it) is refused and left as it is. git's global and system config are not used
/// to build it (no signing prompts); the clones commit as "Practice Hero".
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The directory to create (or an empty one to fill).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(console: &mut Console<'_>, args: &Args) -> Result<()> {
    sandbox::check_target(&args.dir)?;
    let push_date = Schedule::default()
        .next_push_date(config::today()?)
        .map_err(|e| anyhow::Error::new(Refusal::new(e.to_string())))?;
    writeln!(
        console.err,
        "Creating a practice week for the push on {push_date} in {} ...",
        args.dir.display()
    )?;
    let made = sandbox::create(&args.dir, push_date)?;
    writeln!(
        console.err,
        "Done: upstreams, the security mirror and the stage are all inside {}; nothing reaches a real remote.\nTry these, in order (status says what is next at every point):",
        made.dir.display()
    )?;
    for line in sandbox::commands(&made) {
        writeln!(console.out, "{line}")?;
    }
    Ok(())
}
