//! What a hooks directory holds for one of our hooks: whether the file is there, ours, executable
//! and current, which binary it runs, and whether a replaced hook waits beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::shim::{Shim, recorded_binary};

/// What a hooks directory holds for one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub path: PathBuf,
    pub exists: bool,
    pub ours: bool,
    pub executable: bool,
    /// Ours and exactly what `hooks install` would write now.
    pub current: bool,
    /// The binary an installed shim records.
    pub recorded: Option<String>,
    /// The hook it replaced (`pre-push.local`), if there is one.
    pub chained: Option<PathBuf>,
}

/// Reads `dir/<hook>`; `binary` is the path a current shim records.
pub fn inspect(shim: Shim, dir: &Path, binary: &Path) -> Result<Installed> {
    let path = dir.join(shim.hook);
    let content = read_if_exists(&path)?;
    let chained = dir.join(shim.chained());
    let ours = content.as_deref().is_some_and(|c| shim.is_ours(c));
    Ok(Installed {
        // A symlink whose target is missing is still someone's hook, to keep, not overwrite.
        exists: path.symlink_metadata().is_ok(),
        ours,
        executable: content.is_some() && is_executable(&path),
        // Lines someone added around the block are theirs; only the block must be ours now.
        current: ours
            && content.as_deref().and_then(|c| shim.block(c)) == shim.block(&shim.render(binary)),
        recorded: content
            .as_deref()
            .filter(|_| ours)
            .and_then(recorded_binary),
        chained: chained.symlink_metadata().is_ok().then_some(chained),
        path,
    })
}

pub(super) fn read_if_exists(path: &Path) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        // Not a directory: core.hooksPath = /dev/null, the usual way to turn hooks off.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// True if the file may be run (always on systems without execute bits).
pub fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
