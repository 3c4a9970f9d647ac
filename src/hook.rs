//! `preview-gate install-hook`: a git `pre-push` hook that checks every commit being pushed.
//!
//! The hook checks each pushed commit with `check --rev <sha>`: exactly what is pushed, never the
//! working tree (an untracked or uncommitted file cannot change the verdict). Any non-zero exit
//! of the gate blocks the push.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Marks hooks this command wrote, so that re-installing updates them and foreign hooks are kept.
const MARKER: &str = "# installed by `preview-gate install-hook`";

fn script(gate: &str) -> String {
    format!(
        r#"#!/bin/sh
{MARKER}; re-run it to update, delete this file to remove.
# Checks each pushed commit with preview-gate; a finding blocks the push (git push --no-verify skips).
gate='{gate}'
[ -x "$gate" ] || gate=preview-gate
top=$(git rev-parse --show-toplevel) || exit 1
zero=0000000000000000000000000000000000000000
while read -r local_ref local_sha remote_ref remote_sha; do
    [ "$local_sha" = "$zero" ] && continue
    "$gate" check --rev "$local_sha" "$top" || exit $?
done
exit 0
"#
    )
}

/// Installs the hook into the repository containing `dir`; returns the hook's path.
pub fn install(dir: &Path, force: bool) -> Result<PathBuf, String> {
    let output = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks/pre-push"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("{} is not inside a git repository", dir.display()));
    }
    let relative = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let path = dir.join(relative);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains(MARKER) && !force {
            return Err(format!(
                "{} exists and was not written by preview-gate; pass --force to replace it",
                path.display()
            ));
        }
    }
    let gate = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "preview-gate".into());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(&path, script(&gate.replace('\'', "'\\''")))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(path)
}
