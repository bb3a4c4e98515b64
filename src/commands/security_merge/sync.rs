//! `security-merge --sync` (or no BRANCH): bring the upstream and the mirror to the same commit,
//! the upstream first. When the mirror's branch got ahead (someone pushed to it first, or used its
//! web merge button), what it has is shown, with the diff, and merged onto the upstream's tip like
//! a fix branch; a conflict is resolved by hand on a local branch published on the upstream.

use anyhow::Result;
use gix::ObjectId;

use super::Args;
use super::start::{self, Merging};
use crate::console::Console;
use crate::context::Context;
use crate::error::Refusal;
use crate::git;
use crate::security::remotes::Remotes;

pub(super) fn run(ctx: &Context<'_>, console: &mut Console<'_>, args: &Args) -> Result<()> {
    start::merge(ctx, console, args, Merging::Mirror)
}

/// Both remotes are at `base`, and this clone is too.
pub(super) fn nothing_to_do(repo: &gix::Repository, remotes: &Remotes, base: ObjectId) -> String {
    format!(
        "Nothing to do: {u}/{b} and {s}/{b} are both at {}.",
        git::short(repo, base),
        u = remotes.upstream,
        s = remotes.security,
        b = remotes.branch,
    )
}

/// Both remotes are at `base`; a run stopped before its last steps left this clone behind.
pub(super) fn only_this_clone(repo: &gix::Repository, remotes: &Remotes, base: ObjectId) -> String {
    format!(
        "Nothing to do on the remotes: {u}/{b} and {s}/{b} are both at {}; only this clone is brought along.",
        git::short(repo, base),
        u = remotes.upstream,
        s = remotes.security,
        b = remotes.branch,
    )
}

/// The mirror's own branch conflicts with the upstream's newer commits: resolved on a local
/// branch and published on the upstream's branch (which the pre-push hook allows: it is how fixes
/// go public), after which the mirror is only behind and `--sync` brings it along.
pub(super) fn resolve_by_hand(refusal: Refusal, remotes: &Remotes, files: &str) -> Refusal {
    let (s, u, b) = (&remotes.security, &remotes.upstream, &remotes.branch);
    refusal
        .hint("resolve it on a local branch, publish that on the upstream first, then bring the mirror to it:")
        .hint(format!(
            "git fetch {u} {b} && git fetch {s} {b} && git switch -c sync-{b} {u}/{b} && git merge {s}/{b}"
        ))
        .hint(format!(
            "then, with {files} resolved and committed, see what goes public (git push-duty diff) and: git push {u} sync-{b}:{b} && git push-duty security-merge --sync"
        ))
}
