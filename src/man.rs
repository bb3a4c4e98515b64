//! The man page, `man/git-push-duty.1`: generated from the clap definitions (clap_mangen) with the
//! hand-written sections in `man/sections/`. A test fails when the committed page is stale;
//! regenerate it with `cargo run -- man > man/git-push-duty.1`.

use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::Cli;
use crate::config;

/// Hand-written sections, in page order after the commands: (heading, roff body).
const SECTIONS: &[(&str, &str)] = &[
    ("PUSH DUTY", include_str!("../man/sections/push-duty.roff")),
    ("THE WEEK", include_str!("../man/sections/the-week.roff")),
    (
        "SECURITY FIXES",
        include_str!("../man/sections/security-merge.roff"),
    ),
    (
        "PRE-PUSH GUARD",
        include_str!("../man/sections/pre-push-guard.roff"),
    ),
    (
        "SERVER GUARD",
        include_str!("../man/sections/server-guard.roff"),
    ),
    (
        "EXIT STATUS",
        include_str!("../man/sections/exit-status.roff"),
    ),
    ("FILES", include_str!("../man/sections/files.roff")),
    (
        "ENVIRONMENT",
        include_str!("../man/sections/environment.roff"),
    ),
    ("EXAMPLES", include_str!("../man/sections/examples.roff")),
    ("SEE ALSO", include_str!("../man/sections/see-also.roff")),
];

/// The whole page as roff.
pub fn render() -> Vec<u8> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone())
        .title("GIT-PUSH-DUTY")
        .section("1")
        .manual("Git Manual")
        .source(format!("git-push-duty {}", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    // Writing roff into a Vec cannot fail.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);
    let _ = man.render_description_section(&mut page);
    let _ = man.render_options_section(&mut page);

    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_subcommand(&mut page, sub, sub.get_name());
    }
    page.extend_from_slice(b".SH CONFIGURATION\n");
    page.extend_from_slice(configuration().as_bytes());
    for (heading, body) in SECTIONS {
        page.extend_from_slice(format!(".SH \"{heading}\"\n").as_bytes());
        page.extend_from_slice(body.as_bytes());
    }
    let _ = man.render_version_section(&mut page);
    page
}

/// One subcommand as a sub-section named `git push-duty NAME`: its synopsis, its long help, its
/// options; then each of its own subcommands (`hooks install`) the same way, clap's generated
/// `help` left out.
fn render_subcommand(page: &mut Vec<u8>, sub: &clap::Command, name: &str) {
    // Global options are described once, at the top.
    let mut sub = sub.clone().disable_version_flag(true);
    for global in ["color", "version"] {
        if sub.get_arguments().any(|a| a.get_id() == global) {
            sub = sub.mut_arg(global, |a| a.hide(true));
        }
    }
    let man = Man::new(sub.clone());
    let mut part = Vec::new();
    let _ = man.render_synopsis_section(&mut part);
    let _ = man.render_description_section(&mut part);
    let _ = man.render_options_section(&mut part);
    let text = String::from_utf8_lossy(&part);
    page.extend_from_slice(format!(".SS \"git push-duty {name}\"\n").as_bytes());
    for line in text.lines() {
        // The sub-page's own headings become plain paragraphs inside this sub-section.
        if line.starts_with(".SH") {
            page.extend_from_slice(b".PP\n");
            continue;
        }
        page.extend_from_slice(line.as_bytes());
        page.push(b'\n');
    }
    for nested in sub
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        render_subcommand(page, nested, &format!("{name} {}", nested.get_name()));
    }
}

/// The configuration keys, from the same constants the code reads.
fn configuration() -> String {
    let mut text = String::from(
        "Settings are git config keys in the \\fBpushduty\\fR section. A team commits them in a file \
\\fB.pushduty\\fR at the top of the repository, in git-config syntax (like \\fB.gitmodules\\fR); \
only its \\fBpushduty\\fR section is read and includes are not followed. The repository's own git \
config (local, global, system, \\fBgit -c\\fR) overrides any key in it; multi-valued keys collect \
values from all of them. A malformed value is an error that names the key and the file that set it; \
so is a key this version does not know (with the closest known key), and a team file over 64 KiB. \
The pre-push hook never reads the team file: what it guards is what \\fBhooks install\\fR pinned \
(see PRE-PUSH GUARD), and git config naming anything else is a refusal.\n",
    );
    for (key, help) in config::KEYS {
        text.push_str(&format!(".TP\n\\fB{key}\\fR\n{}\n", roff_escape(help)));
    }
    text
}

fn roff_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('-', "\\-")
}
