//! Writing a section of a git config file as git does: under its lock, through a symlinked file
//! to where it points, every other line kept. Only `crate::plan` calls it (the pins).

use std::path::Path;

use anyhow::{Context, Result};

use crate::error::Refusal;

/// Replaces every `[section "subsection"]` of the git config file at `path` by one holding
/// `values` (none: removes them), under git's lock (`config.lock`), leaving every other line as
/// it was. Includes are not followed, so nothing included is written into the file.
pub fn set_section(
    path: &Path,
    section: &str,
    subsection: &str,
    values: &[(String, String)],
) -> Result<()> {
    use std::io::Write;
    // Like git, a config file that is a symlink is updated where it points, not replaced.
    let mut lock = gix::lock::File::acquire(
        path,
        gix::lock::acquire::Fail::AfterDurationWithBackoff(std::time::Duration::from_secs(3)),
        None,
        0,
        Some(&gix::lock::acquire::resolve_symlink),
    )
    .map_err(|e| {
        anyhow::Error::new(
            Refusal::new(format!("cannot lock {}: {e}", path.display())).hint(format!(
                "another git command may be changing it; if none is, remove {}.lock",
                path.display()
            )),
        )
    })?;
    let target = lock.resource_path();
    let mut bytes = match std::fs::read(&target) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let meta = gix::config::file::Metadata::from(gix::config::Source::Local).at(&target);
    let options = gix::config::file::init::Options {
        includes: gix::config::file::includes::Options::no_follow(),
        ..Default::default()
    };
    let mut file = gix::config::File::from_bytes_owned(&mut bytes, meta, options)
        .map_err(|e| anyhow::anyhow!("{} is not valid git-config syntax: {e}", path.display()))?;
    while file
        .remove_section(section, Some(subsection.into()))
        .is_some()
    {}
    if !values.is_empty() {
        let mut new = file
            .new_section(section, subsection.to_owned())
            .map_err(|e| anyhow::anyhow!("cannot add [{section} {subsection:?}]: {e}"))?;
        for (name, value) in values {
            new.push(name.as_str(), Some(value.as_str().into()))
                .map_err(|e| anyhow::anyhow!("cannot set {section}.{subsection}.{name}: {e}"))?;
        }
    }
    let mut out = Vec::new();
    file.write_to(&mut out)
        .with_context(|| format!("cannot write {}", path.display()))?;
    lock.with_mut(|f| f.write_all(&out))
        .with_context(|| format!("cannot write {}", path.display()))?;
    lock.commit()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}
