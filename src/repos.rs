//! Which local tree a `repoURL` stands for: the checkout's own git remotes (read from `.git/config`,
//! no process started), the config file's `repositories`, and `--repo-map URL=DIR`.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::argo::giturl::same_repository;
use crate::tree::Revisions;

#[derive(Debug, Default, Clone)]
pub struct RepoMap {
    entries: Vec<(String, PathBuf)>,
    /// Where pinned `targetRevision`s are read; without it every revision is the local tree.
    revisions: Option<Arc<Revisions>>,
}

impl RepoMap {
    /// Explicit mappings win over the checkout's remotes: they are added first.
    pub fn add(&mut self, url: &str, root: PathBuf) {
        self.entries.push((url.to_string(), root));
    }

    pub fn resolve(&self, url: &str) -> Option<&Path> {
        self.entries
            .iter()
            .find(|(known, _)| same_repository(known, url))
            .map(|(_, root)| root.as_path())
    }

    /// Reads pinned revisions through `revisions` from now on.
    pub fn read_revisions_through(&mut self, revisions: Arc<Revisions>) {
        self.revisions = Some(revisions);
    }

    /// The local tree of `url` at `revision`: `None` when the URL maps nowhere, `Err` when the
    /// revision cannot be read (see [`Revisions::root_at`]).
    pub fn resolve_at(&self, url: &str, revision: &str) -> Option<Result<PathBuf, String>> {
        let root = self.resolve(url)?;
        Some(match &self.revisions {
            Some(revisions) => revisions.root_at(root, revision),
            None => Ok(root.to_path_buf()),
        })
    }

    /// The commit `url` at `revision` resolves to (see [`Revisions::commit_at`]): `None` when the
    /// URL maps nowhere; `Ok(None)` when the tree has no commit.
    pub fn commit_at(&self, url: &str, revision: &str) -> Option<Result<Option<String>, String>> {
        let root = self.resolve(url)?;
        Some(match &self.revisions {
            Some(revisions) => revisions.commit_at(root, revision),
            None => Ok(None),
        })
    }

    /// Moves every mapping into `from` (or below it) to the same place under `to`.
    pub fn rebase(&mut self, from: &Path, to: &Path) {
        if from == to {
            return;
        }
        for (_, root) in &mut self.entries {
            if let Ok(rel) = root.strip_prefix(from) {
                *root = to.join(rel);
            }
        }
    }

    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(url, _)| url.as_str())
    }

    /// Adds the remotes of the git checkout that contains `dir`, mapped to its top-level directory.
    pub fn add_git_remotes(&mut self, dir: &Path) {
        let Some((top, config)) = find_git_config(dir) else {
            return;
        };
        let Ok(text) = std::fs::read_to_string(config) else {
            return;
        };
        let mut in_remote = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_remote = line.starts_with("[remote ");
                continue;
            }
            match line.split_once('=') {
                Some((key, value)) if in_remote && key.trim() == "url" => {
                    self.add(value.trim(), top.clone());
                }
                _ => {}
            }
        }
    }
}

/// The work tree top and its git config, following `.git` files of worktrees and submodules.
fn find_git_config(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut current = Some(dir);
    while let Some(d) = current {
        let dot_git = d.join(".git");
        if dot_git.is_dir() {
            return Some((d.to_path_buf(), dot_git.join("config")));
        }
        if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let git_dir = d.join(text.trim().strip_prefix("gitdir:")?.trim());
            // A worktree's config lives in the common dir.
            let common = std::fs::read_to_string(git_dir.join("commondir"))
                .ok()
                .map(|c| git_dir.join(c.trim()));
            return Some((d.to_path_buf(), common.unwrap_or(git_dir).join("config")));
        }
        current = d.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_remotes_from_git_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join(".git/config"),
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:ameideio/ameide-gitops.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        let mut map = RepoMap::default();
        map.add_git_remotes(&dir.path().join("sub"));
        assert_eq!(
            map.resolve("https://github.com/ameideio/ameide-gitops.git"),
            Some(dir.path())
        );
        assert_eq!(map.resolve("https://github.com/ameideio/other"), None);
    }
}
