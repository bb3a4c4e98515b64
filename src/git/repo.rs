//! Opening the repository and the small reads every command needs: tags, commits, ancestry.

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::prelude::ObjectIdExt;

use crate::error::{Refusal, refuse};

/// Opens the repository around the current directory, honouring `GIT_DIR` as git does (hooks
/// and `git --git-dir` set it), and `git -c key=value push-duty ...`: git hands those on in
/// `GIT_CONFIG_PARAMETERS`, which gix does not read, so they are given to it as command-line
/// overrides (the identity that signs a tag, `url.*.insteadOf`, `pushduty.*`).
pub fn open_here() -> Result<gix::Repository> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    // Kept before the change of directory below: git resolved relative push URLs from here.
    STARTING_DIR.get_or_init(|| cwd.clone());
    let overrides = super::config_parameters::overrides()?;
    let mut trust = gix::sec::trust::Mapping::<gix::open::Options>::default();
    trust.full = trust.full.cli_overrides(overrides.clone());
    trust.reduced = trust.reduced.cli_overrides(overrides);
    match gix::ThreadSafeRepository::discover_with_environment_overrides_opts(
        &cwd,
        Default::default(),
        trust,
    ) {
        Ok(repo) => {
            let repo: gix::Repository = repo.into();
            // git runs from the top of the worktree (the git dir of a bare repository), so a
            // relative remote URL such as `../upstream.git` names the same repository from any
            // subdirectory; gix resolves it against the process's directory. It is the one side
            // effect outside `crate::plan`, on purpose: it is process start-up, before any plan
            // exists, and it changes no repository (only where this process stands), so a dry
            // run has nothing to leave out and a stopped run nothing to undo.
            let top = repo.workdir().unwrap_or_else(|| repo.git_dir());
            std::env::set_current_dir(top)
                .with_context(|| format!("cannot change to {}", top.display()))?;
            Ok(repo)
        }
        Err(e) => refuse(
            Refusal::new(format!(
                "not inside a git repository: {} ({e})",
                cwd.display()
            ))
            .hint("run this from a clone of the repository you push, e.g. after: git clone <url> && cd <dir>"),
        ),
    }
}

static STARTING_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The directory this process started in (git's current directory, for a hook), before
/// [`open_here`] moved to the top of the worktree; the current directory if it was never called.
pub fn starting_dir() -> Result<std::path::PathBuf> {
    match STARTING_DIR.get() {
        Some(dir) => Ok(dir.clone()),
        None => std::env::current_dir().context("cannot read the current directory"),
    }
}

/// The top of the worktree (the git directory of a bare repository), as an absolute path: where
/// git runs its commands from, and resolves a relative remote URL such as `../upstream.git`.
pub fn top(repo: &gix::Repository) -> Result<std::path::PathBuf> {
    let top = repo.workdir().unwrap_or_else(|| repo.git_dir());
    std::path::absolute(top).with_context(|| format!("cannot resolve {}", top.display()))
}

/// The short names of all local tags (`2026.12.03`, not `refs/tags/2026.12.03`).
pub fn local_tag_names(repo: &gix::Repository) -> Result<Vec<String>> {
    let platform = repo.references().context("cannot read references")?;
    let mut names = Vec::new();
    for reference in platform.tags().context("cannot list tags")? {
        let reference = reference.context("cannot read a tag")?;
        names.push(reference.name().shorten().to_string());
    }
    Ok(names)
}

/// The short names of the local tags whose names start with one of `prefixes` (`2026`, a
/// year of calendar tags): read from where packed-refs keeps them (it is sorted, so gix seeks
/// to each prefix) and the loose tags under it, instead of every tag.
pub fn local_tag_names_with(repo: &gix::Repository, prefixes: &[String]) -> Result<Vec<String>> {
    let platform = repo.references().context("cannot read references")?;
    let mut names = Vec::new();
    for prefix in prefixes {
        let full = format!("refs/tags/{prefix}");
        let tags = platform
            .prefixed(full.as_str())
            .with_context(|| format!("cannot list tags {prefix}*"))?;
        for reference in tags {
            let reference = reference.with_context(|| format!("cannot read a tag {prefix}*"))?;
            names.push(reference.name().shorten().to_string());
        }
    }
    Ok(names)
}

/// True if `refs/tags/<name>` exists locally.
pub fn local_tag_exists(repo: &gix::Repository, name: &str) -> Result<bool> {
    Ok(repo
        .try_find_reference(format!("refs/tags/{name}").as_str())
        .with_context(|| format!("cannot read tag {name}"))?
        .is_some())
}

/// The commit a local ref (by full name) points to, peeled through tags; `None` if it is missing.
pub fn ref_commit(repo: &gix::Repository, full_name: &str) -> Result<Option<ObjectId>> {
    let Some(mut reference) = repo
        .try_find_reference(full_name)
        .with_context(|| format!("cannot read {full_name}"))?
    else {
        return Ok(None);
    };
    let id = reference
        .peel_to_commit()
        .with_context(|| format!("{full_name} does not point to a commit"))?
        .id;
    Ok(Some(id))
}

/// The object a local ref (by full name) points to, peeled through tags to whatever it names (a
/// commit, or a tree or blob for an odd tag); `None` if the ref is missing.
pub fn ref_peeled(repo: &gix::Repository, full_name: &str) -> Result<Option<ObjectId>> {
    let Some(mut reference) = repo
        .try_find_reference(full_name)
        .with_context(|| format!("cannot read {full_name}"))?
    else {
        return Ok(None);
    };
    let id = reference
        .peel_to_id()
        .with_context(|| format!("cannot read {full_name}"))?
        .detach();
    Ok(Some(id))
}

/// Resolves a revision the user typed (`abc123`, `HEAD~2`, a tag) to a commit, or refuses
/// naming the flag it came from, in the product's words (never the library's).
pub fn resolve_commit(repo: &gix::Repository, spec: &str, what: &str) -> Result<ObjectId> {
    resolve_commit_in(repo, spec, what, None)
}

/// [`resolve_commit`] after the objects of the remote `fetched_from` were fetched: a revision
/// that does not resolve is "no commit X here or on <remote>".
pub fn resolve_commit_in(
    repo: &gix::Repository,
    spec: &str,
    what: &str,
    fetched_from: Option<&str>,
) -> Result<ObjectId> {
    let shown = shown(spec);
    let id = match repo.rev_parse_single(spec) {
        Ok(id) => id,
        Err(e) => {
            // gix says why in its own words; the user needs ours: an ambiguous short id, or
            // nothing of that name.
            use gix::revision::spec::parse::Error as Parse;
            if matches!(
                e.downcast_any_ref::<Parse>(),
                Some(Parse::AmbiguousPrefix { .. } | Parse::AmbiguousRefAndObject { .. })
            ) {
                return refuse(
                    Refusal::new(format!(
                        "{what} {shown}: more than one object here has an id starting with {shown}"
                    ))
                    .hint("give more of the id: git log --oneline --all lists them"),
                );
            }
            // `A..B`, `A...B`, `^A`: a set of commits, which the user meant as such.
            if repo
                .rev_parse(spec)
                .is_ok_and(|parsed| parsed.single().is_none())
            {
                return refuse(
                    Refusal::new(format!(
                        "{what} {shown} is a range of commits, not one commit"
                    ))
                    .hint(
                        "name one commit: a branch, a tag or an id (git log --oneline lists them)",
                    ),
                );
            }
            let place = match fetched_from {
                Some(remote) => format!("here or on {remote}"),
                None => "here".to_owned(),
            };
            let hint = match fetched_from {
                Some(remote) => format!(
                    "check the id with: git log --oneline --all; a commit on another remote must be on {remote} first"
                ),
                None => "check the id with: git log --oneline --all; a commit on a remote is here once fetched (git fetch <remote>)".to_owned(),
            };
            return refuse(
                Refusal::new(format!("{what} {shown}: no commit {shown} {place}")).hint(hint),
            );
        }
    };
    match id.object().map(|o| (o.kind, o.peel_to_commit())) {
        Ok((_, Ok(commit))) => Ok(commit.id),
        Ok((kind, Err(_))) => refuse(Refusal::new(format!(
            "{what} {shown} names a {kind} ({}), not a commit",
            id.shorten()
                .map(|p| p.to_string())
                .unwrap_or_else(|_| id.to_string())
        ))),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot read {what} {shown}"))),
    }
}

/// A revision as typed, quoted only when it holds a space or a character that could be taken
/// for something else on a terminal.
fn shown(spec: &str) -> String {
    if !spec.is_empty() && spec.chars().all(|c| c.is_ascii_graphic()) {
        spec.to_owned()
    } else {
        format!("{spec:?}")
    }
}

/// The first line of a commit's message.
pub fn subject(repo: &gix::Repository, id: ObjectId) -> Result<String> {
    let commit = repo
        .find_commit(id)
        .with_context(|| format!("cannot read commit {id}"))?;
    let message = commit.message_raw_sloppy().to_string();
    Ok(message
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned())
}

/// An abbreviated id as git would print it.
pub fn short(repo: &gix::Repository, id: ObjectId) -> String {
    id.attach(repo)
        .shorten()
        .map(|p| p.to_string())
        .unwrap_or_else(|_| id.to_hex_with_len(7).to_string())
}

/// True if `ancestor` is `descendant` or one of its ancestors.
pub fn is_ancestor(
    repo: &gix::Repository,
    ancestor: ObjectId,
    descendant: ObjectId,
) -> Result<bool> {
    if ancestor == descendant {
        return Ok(true);
    }
    // Unrelated histories have no merge base: then it is not an ancestor.
    let base = repo
        .merge_base(ancestor, descendant)
        .with_context(|| format!("cannot compare {ancestor} with {descendant}"))?;
    Ok(base.is_some_and(|b| b.detach() == ancestor))
}

/// The commits reachable from `tip` but not from any of `hidden` (an `Option` or a list), newest
/// first: `git log ^hidden... tip`.
pub fn commits_between(
    repo: &gix::Repository,
    hidden: impl IntoIterator<Item = ObjectId>,
    tip: ObjectId,
) -> Result<Vec<ObjectId>> {
    commits_between_all(repo, hidden, Some(tip))
}

/// The commits reachable from any of `tips` but not from any of `hidden`, newest first, in one
/// walk: `git log ^hidden... tips...`.
pub fn commits_between_all(
    repo: &gix::Repository,
    hidden: impl IntoIterator<Item = ObjectId>,
    tips: impl IntoIterator<Item = ObjectId>,
) -> Result<Vec<ObjectId>> {
    let tips: Vec<ObjectId> = tips.into_iter().collect();
    let from = match tips.as_slice() {
        [one] => one.to_string(),
        _ => format!("{} commits", tips.len()),
    };
    let walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            Default::default(),
        ))
        .with_hidden(hidden)
        .all()
        .with_context(|| format!("cannot walk history from {from}"))?;
    let mut ids = Vec::new();
    for info in walk {
        let info = info.with_context(|| format!("cannot walk history from {from}"))?;
        ids.push(info.id);
    }
    Ok(ids)
}

/// The identity that signs tags and commits made by this tool: the user's committer identity.
pub fn committer(repo: &gix::Repository) -> Result<gix::actor::Signature> {
    match repo.committer() {
        // An empty name (`user.name=`) is no identity either: git refuses to tag with it.
        Some(Ok(sig)) if !sig.name.iter().all(u8::is_ascii_whitespace) => {
            Ok(sig.to_owned().context("cannot read the committer identity")?)
        }
        Some(Err(e)) => Err(anyhow::anyhow!("cannot read the committer identity: {e}")),
        Some(Ok(_)) | None => refuse(
            Refusal::new("no committer identity: tags and commits need a name and an email")
                .hint("git config --global user.name \"Your Name\" && git config --global user.email you@example.com"),
        ),
    }
}
