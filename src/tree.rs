//! The files Argo CD sees: a Git revision, not a directory.
//!
//! Argo CD's repo-server and ApplicationSet controller read a checkout of one commit
//! (`git ls-files` of it; `filepath.Walk`/`WalkDir`, which never descend into a symlinked
//! directory). A [`Tree`] is that view of a local repository:
//! - [`Kind::Index`] (the default in a Git checkout): the files Git tracks, with their
//!   working-tree content, so uncommitted edits are checked but untracked and ignored files are
//!   not;
//! - [`Kind::Revision`] (`--rev REV`): exactly one commit, written to a temporary directory;
//! - [`Kind::Directory`]: not a Git checkout; every file, symlinked directories not followed.
//!
//! Helm and Kustomize read the file system themselves, so when untracked files exist the
//! tracked ones are copied to a temporary directory and everything is read from there;
//! [`Tree::shown`] is the directory the user named, which findings point into.
//! This module runs `git` (read-only plumbing: `rev-parse`, `ls-files`, `ls-tree`, `cat-file`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Tracked files, working-tree content. `commit` is `HEAD` (none before the first commit).
    Index { commit: Option<String> },
    /// One commit, as `--rev` named it.
    Revision { rev: String, commit: String },
    /// Not a Git checkout: read whole.
    Directory,
}

#[derive(Debug)]
pub struct Tree {
    /// Where files are read (the checkout, or a temporary copy).
    root: PathBuf,
    /// The directory the user named, canonical.
    shown: PathBuf,
    kind: Kind,
    /// Paths relative to `root`, `/`-separated, sorted: files and symlinks (never a directory).
    files: BTreeSet<String>,
    _copy: Option<tempfile::TempDir>,
}

impl Tree {
    /// The tree of `dir` (canonical): its Git index, or `rev` of it, or the whole directory when
    /// it is not in a Git checkout. `Err` is a usage error.
    pub fn open(dir: &Path, rev: Option<&str>) -> Result<Tree, String> {
        let top = match git_toplevel(dir)? {
            Some(top) => top,
            None if rev.is_some() => {
                return Err(format!("--rev: {} is not in a Git checkout", dir.display()));
            }
            None => return Ok(Tree::directory(dir)),
        };
        let prefix = relative_prefix(&top, dir);
        match rev {
            Some(rev) => Tree::revision(&top, dir, &prefix, rev),
            None => Tree::index(&top, dir),
        }
    }

    /// Every file under `dir`; symlinked directories are listed as entries, never entered.
    pub fn directory(dir: &Path) -> Tree {
        let files = walk_files(dir, true).into_iter().collect();
        Tree::new(
            dir.to_path_buf(),
            dir.to_path_buf(),
            Kind::Directory,
            files,
            None,
        )
    }

    fn new(
        root: PathBuf,
        shown: PathBuf,
        kind: Kind,
        files: BTreeSet<String>,
        copy: Option<tempfile::TempDir>,
    ) -> Tree {
        Tree {
            root,
            shown,
            kind,
            files,
            _copy: copy,
        }
    }

    fn index(top: &Path, dir: &Path) -> Result<Tree, String> {
        let listed = git(dir, &["ls-files", "-z", "--cached", "--recurse-submodules"])?;
        // A tracked file deleted from the working tree is gone, as its content is.
        let files: BTreeSet<String> = split_nul(&listed)
            .filter(|f| dir.join(f).symlink_metadata().is_ok())
            .collect();
        let untracked = git(
            dir,
            &[
                "ls-files",
                "-z",
                "--others",
                "--directory",
                "--no-empty-directory",
            ],
        )?;
        let commit = git(top, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
            .ok()
            .map(|out| String::from_utf8_lossy(&out).trim().to_string())
            .filter(|c| !c.is_empty());
        let kind = Kind::Index { commit };
        if untracked.is_empty() {
            return Ok(Tree::new(
                dir.to_path_buf(),
                dir.to_path_buf(),
                kind,
                files,
                None,
            ));
        }
        let copy = temp_dir()?;
        let root = copy.path().join("tree");
        for file in &files {
            copy_entry(&dir.join(file), &root.join(file))
                .map_err(|e| format!("copying the tracked file {file}: {e}"))?;
        }
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        Ok(Tree::new(root, dir.to_path_buf(), kind, files, Some(copy)))
    }

    fn revision(top: &Path, dir: &Path, prefix: &str, rev: &str) -> Result<Tree, String> {
        let commit = resolve_commit(top, rev)
            .ok_or_else(|| format!("--rev {rev}: no such commit in {}", top.display()))?;
        let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", commit.as_str()];
        if !prefix.is_empty() {
            args.extend(["--", prefix]);
        }
        let listing = git(top, &args)?;
        let mut blobs = Vec::new();
        for entry in split_nul(&listing) {
            // `<mode> <type> <object>\t<path>`; submodules (`commit`) have no content here.
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let mut fields = meta.split(' ');
            let (Some(mode), Some("blob"), Some(object)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Some(relative) = path.strip_prefix(prefix) else {
                continue;
            };
            blobs.push((mode.to_string(), object.to_string(), relative.to_string()));
        }
        let copy = temp_dir()?;
        let root = copy.path().join("tree");
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        write_blobs(top, &root, &blobs)?;
        let files = blobs.into_iter().map(|(_, _, path)| path).collect();
        let kind = Kind::Revision {
            rev: rev.to_string(),
            commit,
        };
        Ok(Tree::new(root, dir.to_path_buf(), kind, files, Some(copy)))
    }

    /// Where the files are read.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory the user named: findings point into it.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The commit checked: `--rev`'s, else `HEAD` of the checkout.
    pub fn commit(&self) -> Option<&str> {
        match &self.kind {
            Kind::Index { commit } => commit.as_deref(),
            Kind::Revision { commit, .. } => Some(commit),
            Kind::Directory => None,
        }
    }

    /// Every file, relative and sorted.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }

    /// Whether files are read from a copy, so findings need `Outcome::relocate`.
    pub fn is_copy(&self) -> bool {
        self.root != self.shown
    }
}

/// The files below `dir`, relative, `/`-separated, sorted, as Go's `filepath.WalkDir` visits
/// them, in its order: a symlinked directory is an entry, never entered; the top-level `.git` is skipped.
/// Without `recurse`, only the files directly in `dir`. Every stage that lists files of a
/// checked tree lists them with this.
pub fn walk_files(dir: &Path, recurse: bool) -> Vec<String> {
    let mut files = BTreeSet::new();
    walk(dir, "", recurse, &mut files);
    let mut files: Vec<String> = files.into_iter().collect();
    // WalkDir's order: by name within each directory, so `a/x` before `a.yaml`.
    files.sort_by(|a, b| a.split('/').cmp(b.split('/')));
    files
}

/// Which tree each source's `targetRevision` is read from. A revision that means the checked
/// state — empty, `HEAD`, the pull request's target or head branch or head sha, the config's
/// `currentRevisions`, or (with `--rev`) the checked commit — is the checked tree; any other
/// branch, tag or commit is that commit of the local repository, written to a temporary
/// directory once. A revision the local repository lacks is an error, never the working tree.
#[derive(Debug)]
pub struct Revisions {
    checked_root: PathBuf,
    checked_shown: PathBuf,
    checked_commit: Option<String>,
    /// The checked tree's commit ([`Tree::commit`]): `HEAD` too when the index is read.
    head: Option<String>,
    current: Vec<String>,
    pinned: Mutex<Vec<Pinned>>,
}

#[derive(Debug)]
struct Pinned {
    git_dir: PathBuf,
    rev: String,
    tree: Arc<Tree>,
}

impl Revisions {
    /// `current`: the revision names that stand for the checked tree besides `""` and `HEAD`.
    pub fn new(checked: &Tree, current: Vec<String>) -> Revisions {
        let checked_commit = match &checked.kind {
            Kind::Revision { commit, .. } => Some(commit.clone()),
            _ => None,
        };
        Revisions {
            checked_root: checked.root.clone(),
            checked_shown: checked.shown.clone(),
            checked_commit,
            head: checked.commit().map(str::to_string),
            current,
            pinned: Mutex::default(),
        }
    }

    /// Whether `rev` names the checked state rather than a pinned revision.
    pub fn is_current(&self, rev: &str) -> bool {
        let rev = rev.trim();
        rev.is_empty() || rev == "HEAD" || self.current.iter().any(|c| c == rev)
    }

    /// The directory to read `rev` of the local repository at `root` from: `root` itself when
    /// `rev` is current, else a temporary copy of that commit. `Err` says why it cannot be read.
    pub fn root_at(&self, root: &Path, rev: &str) -> Result<PathBuf, String> {
        if self.is_current(rev) {
            return Ok(root.to_path_buf());
        }
        let rev = rev.trim();
        let git_dir = if root == self.checked_root {
            self.checked_shown.clone()
        } else {
            root.to_path_buf()
        };
        let mut pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = pinned.iter().find(|p| p.git_dir == git_dir && p.rev == rev) {
            return Ok(p.tree.root.clone());
        }
        let Some(top) = git_toplevel(&git_dir)? else {
            return Err(format!(
                "targetRevision {rev} pins a revision, but {} is not a Git checkout, so the gate cannot read that revision",
                git_dir.display()
            ));
        };
        let commit = revision_candidates(rev)
            .iter()
            .find_map(|candidate| resolve_commit(&top, candidate))
            .ok_or_else(|| {
                format!(
                    "targetRevision {rev} is not available in the local repository {}: fetch it (`git fetch origin {rev}`), or list it under currentRevisions in preview-gate.yaml when it means the branch being checked",
                    top.display()
                )
            })?;
        if root == self.checked_root && self.checked_commit.as_deref() == Some(commit.as_str()) {
            return Ok(root.to_path_buf());
        }
        let reused = pinned
            .iter()
            .find(|p| p.git_dir == git_dir && p.tree.commit() == Some(commit.as_str()))
            .map(|p| p.tree.clone());
        let tree = match reused {
            Some(tree) => tree,
            None => {
                let prefix = relative_prefix(&top, &git_dir);
                Arc::new(Tree::revision(&top, &git_dir, &prefix, &commit)?)
            }
        };
        let root = tree.root.clone();
        pinned.push(Pinned {
            git_dir,
            rev: rev.to_string(),
            tree,
        });
        Ok(root)
    }

    /// The commit `rev` of the repository at `root` resolves to, as Argo CD resolves a
    /// `targetRevision` before rendering: a full commit SHA is itself (`git.IsCommitSHA`); any
    /// other name of the checked state is the checked tree's commit ([`Tree::commit`]) or, for
    /// another local repository, its `HEAD`; a pinned revision is the commit [`Revisions::root_at`]
    /// reads. `Ok(None)`: there is no commit (not a Git checkout, or no commit yet).
    pub fn commit_at(&self, root: &Path, rev: &str) -> Result<Option<String>, String> {
        let trimmed = rev.trim();
        if is_commit_sha(trimmed) {
            return Ok(Some(trimmed.to_string()));
        }
        if self.is_current(rev) {
            if root == self.checked_root {
                return Ok(self.head.clone());
            }
            return Ok(match git_toplevel(root) {
                Ok(Some(top)) => resolve_commit(&top, "HEAD"),
                _ => None,
            });
        }
        let read = self.root_at(root, rev)?;
        if read == root {
            // The pin resolved to the checked `--rev` commit.
            return Ok(self.checked_commit.clone());
        }
        let pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        Ok(pinned
            .iter()
            .find(|p| p.tree.root == read)
            .and_then(|p| p.tree.commit().map(str::to_string)))
    }

    /// Every pinned copy: `(where it was read, the repository it shows, the revision)`.
    pub fn copies(&self) -> Vec<(PathBuf, PathBuf, String)> {
        let pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        pinned
            .iter()
            .map(|p| (p.tree.root.clone(), p.tree.shown.clone(), p.rev.clone()))
            .collect()
    }
}

/// `git.IsCommitSHA`: 40 hexadecimal digits.
fn is_commit_sha(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Names a branch or tag may have locally: itself, then the `origin` remote's branch.
fn revision_candidates(rev: &str) -> Vec<String> {
    let mut candidates = vec![rev.to_string()];
    if !rev.starts_with("refs/") {
        candidates.push(format!("refs/remotes/origin/{rev}"));
    }
    candidates
}

/// The commit `rev` names in the repository at `top`, if any.
fn resolve_commit(top: &Path, rev: &str) -> Option<String> {
    if rev.starts_with('-') {
        return None;
    }
    let spec = format!("{rev}^{{commit}}");
    git(
        top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .ok()
    .map(|out| String::from_utf8_lossy(&out).trim().to_string())
    .filter(|c| !c.is_empty())
}

fn walk(dir: &Path, rel: &str, recurse: bool, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if rel.is_empty() && name == ".git" {
            continue;
        }
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        // `file_type` does not follow symlinks: a symlinked directory is an entry, not entered.
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                if recurse {
                    walk(&entry.path(), &child, recurse, out);
                }
            }
            Ok(_) => {
                out.insert(child);
            }
            Err(_) => {}
        }
    }
}

/// The top of the Git work tree holding `dir`; `None` when there is none. A `.git` above `dir`
/// that `git` cannot read (no `git`, dubious ownership) is an error, never a silent fallback.
fn git_toplevel(dir: &Path) -> Result<Option<PathBuf>, String> {
    let has_dot_git = dir.ancestors().any(|d| d.join(".git").exists());
    if !has_dot_git && std::env::var_os("GIT_DIR").is_none() {
        return Ok(None);
    }
    let out = git(dir, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("{} is in a Git checkout, but {e}", dir.display()))?;
    let top = PathBuf::from(String::from_utf8_lossy(&out).trim());
    Ok(Some(top.canonicalize().unwrap_or(top)))
}

fn relative_prefix(top: &Path, dir: &Path) -> String {
    match dir.strip_prefix(top) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            format!("{}/", rel.to_string_lossy().replace('\\', "/"))
        }
        _ => String::new(),
    }
}

/// Runs a read-only `git` command in `dir`; its stdout, or its stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn split_nul(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

fn temp_dir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("preview-gate-tree-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))
}

/// Copies a file, or recreates a symlink as a symlink.
fn copy_entry(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let meta = from.symlink_metadata()?;
    if meta.file_type().is_symlink() {
        symlink(&std::fs::read_link(from)?, to)
    } else if meta.is_dir() {
        // A submodule's gitlink when `--recurse-submodules` could not list inside it.
        std::fs::create_dir_all(to)
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::fs::write(link, target.to_string_lossy().as_bytes())
}

/// Writes each blob of a revision under `root`: its content through `git cat-file --batch`
/// (no filters, as stored), symlinks as symlinks.
fn write_blobs(top: &Path, root: &Path, blobs: &[(String, String, String)]) -> Result<(), String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let objects: Vec<String> = blobs.iter().map(|(_, o, _)| o.clone()).collect();
    let writer = std::thread::spawn(move || {
        for object in objects {
            if writeln!(stdin, "{object}").is_err() {
                break;
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let result = (|| -> Result<(), String> {
        for (mode, object, path) in blobs {
            let mut header = String::new();
            stdout.read_line(&mut header).map_err(|e| e.to_string())?;
            let size: usize = header
                .trim()
                .rsplit(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("git cat-file: unexpected reply for {object}: {header}"))?;
            let mut content = vec![0; size + 1];
            stdout.read_exact(&mut content).map_err(|e| e.to_string())?;
            content.truncate(size);
            let to = root.join(path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            let written = if mode == "120000" {
                symlink(Path::new(&*String::from_utf8_lossy(&content)), &to)
            } else {
                std::fs::write(&to, &content).and_then(|()| set_executable(&to, mode == "100755"))
            };
            written.map_err(|e| format!("writing {path} of the revision: {e}"))?;
        }
        Ok(())
    })();
    let _ = writer.join();
    let _ = child.wait();
    result
}

#[cfg(unix)]
fn set_executable(path: &Path, executable: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if executable {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_executable(_: &Path, _: bool) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    fn checkout() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(dir.path().join("apps/web")).unwrap();
        std::fs::write(dir.path().join("apps/web/app.yaml"), "v: 1\n").unwrap();
        std::fs::write(dir.path().join(".gitignore"), "secret.yaml\n").unwrap();
        run(dir.path(), &["add", "."]);
        run(dir.path(), &["commit", "-q", "-m", "one"]);
        dir
    }

    fn canonical(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().canonicalize().unwrap()
    }

    #[test]
    fn the_index_lists_tracked_files_only() {
        let dir = checkout();
        let root = canonical(&dir);
        std::fs::write(root.join("apps/web/secret.yaml"), "ignored\n").unwrap();
        std::fs::write(root.join("apps/web/new.yaml"), "untracked\n").unwrap();
        std::fs::write(root.join("apps/web/app.yaml"), "v: 2\n").unwrap();
        let tree = Tree::open(&root, None).unwrap();
        assert!(matches!(tree.kind(), Kind::Index { commit: Some(_) }));
        let files: Vec<&str> = tree.files().collect();
        assert_eq!(files, [".gitignore", "apps/web/app.yaml"]);
        assert!(tree.is_copy(), "untracked files exist: read from a copy");
        let app = tree.root().join("apps/web/app.yaml");
        assert_eq!(
            std::fs::read_to_string(&app).unwrap(),
            "v: 2\n",
            "working-tree content"
        );
        assert!(!tree.root().join("apps/web/new.yaml").exists());
    }

    #[test]
    fn a_clean_checkout_is_read_in_place() {
        let dir = checkout();
        let root = canonical(&dir);
        let tree = Tree::open(&root, None).unwrap();
        assert!(!tree.is_copy());
        assert_eq!(tree.root(), root);
        assert_eq!(
            tree.files().collect::<Vec<_>>(),
            [".gitignore", "apps/web/app.yaml"]
        );
    }

    #[test]
    fn a_revision_is_exactly_that_commit() {
        let dir = checkout();
        let root = canonical(&dir);
        std::fs::write(root.join("apps/web/app.yaml"), "v: 2\n").unwrap();
        run(&root, &["commit", "-q", "-am", "two"]);
        std::fs::write(root.join("apps/web/app.yaml"), "v: 3\n").unwrap();
        let tree = Tree::open(&root, Some("HEAD~1")).unwrap();
        let text = std::fs::read_to_string(tree.root().join("apps/web/app.yaml")).unwrap();
        assert_eq!(text, "v: 1\n");
        assert!(matches!(tree.kind(), Kind::Revision { rev, .. } if rev == "HEAD~1"));
        assert!(Tree::open(&root, Some("no-such-branch")).is_err());
    }

    #[test]
    fn a_subdirectory_of_a_checkout_is_its_own_root() {
        let dir = checkout();
        let root = canonical(&dir);
        let tree = Tree::open(&root.join("apps"), Some("HEAD")).unwrap();
        assert_eq!(tree.files().collect::<Vec<_>>(), ["web/app.yaml"]);
        let tree = Tree::open(&root.join("apps"), None).unwrap();
        assert_eq!(tree.files().collect::<Vec<_>>(), ["web/app.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directories_are_entries_not_entered() {
        let dir = tempfile::tempdir().unwrap();
        let root = canonical(&dir);
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/a.yaml"), "").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        let tree = Tree::open(&root, None).unwrap();
        assert_eq!(tree.kind(), &Kind::Directory);
        assert_eq!(tree.files().collect::<Vec<_>>(), ["link", "real/a.yaml"]);
        assert!(
            !walk_files(&root, true)
                .iter()
                .any(|f| f.starts_with("link/"))
        );
    }

    #[test]
    fn revisions_read_pins_from_their_commit_and_current_names_from_the_tree() {
        let dir = checkout();
        let root = canonical(&dir);
        run(&root, &["tag", "v1"]);
        run(
            &root,
            &["update-ref", "refs/remotes/origin/release", "HEAD"],
        );
        std::fs::write(root.join("apps/web/app.yaml"), "v: 2\n").unwrap();
        let tree = Tree::open(&root, None).unwrap();
        let revisions = Revisions::new(&tree, vec!["main".into()]);
        for current in ["", " HEAD ", "main"] {
            assert_eq!(
                revisions.root_at(&root, current).unwrap(),
                root,
                "{current:?}"
            );
        }
        let v1 = revisions.root_at(&root, "v1").unwrap();
        assert_ne!(v1, root);
        assert_eq!(
            std::fs::read_to_string(v1.join("apps/web/app.yaml")).unwrap(),
            "v: 1\n"
        );
        assert_eq!(revisions.root_at(&root, "v1").unwrap(), v1, "written once");
        // A branch only the remote has: `origin/<branch>` locally.
        assert_eq!(
            revisions.root_at(&root, "release").unwrap(),
            v1,
            "same commit, same copy"
        );
        let missing = revisions.root_at(&root, "nope").unwrap_err();
        assert!(missing.contains("git fetch origin nope"), "{missing}");
        // The commits Argo CD's ARGOCD_APP_REVISION would name.
        let head = tree.commit().unwrap().to_string();
        assert_eq!(
            revisions.commit_at(&root, "main").unwrap(),
            Some(head.clone())
        );
        assert_eq!(
            revisions.commit_at(&root, "v1").unwrap(),
            Some(head.clone())
        );
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(revisions.commit_at(&root, sha).unwrap(), Some(sha.into()));
        assert!(revisions.commit_at(&root, "nope").is_err());
        assert!(
            revisions.root_at(&root, "--output=x").is_err(),
            "never an option"
        );
        assert_eq!(revisions.copies().len(), 2);
    }

    #[test]
    fn a_pin_outside_git_cannot_be_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = canonical(&dir);
        let revisions = Revisions::new(&Tree::open(&root, None).unwrap(), Vec::new());
        assert_eq!(revisions.root_at(&root, "HEAD").unwrap(), root);
        let error = revisions.root_at(&root, "v1").unwrap_err();
        assert!(error.contains("not a Git checkout"), "{error}");
        assert_eq!(
            revisions.commit_at(&root, "HEAD").unwrap(),
            None,
            "no commit outside Git"
        );
    }

    #[test]
    fn walk_lists_children_or_descendants() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["a.yaml", "d/b.yaml", "d/e/c.yaml", "dd/x.yaml"] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let d = dir.path().join("d");
        assert_eq!(walk_files(&d, false), ["b.yaml"]);
        assert_eq!(walk_files(&d, true), ["b.yaml", "e/c.yaml"]);
        assert_eq!(walk_files(dir.path(), false), ["a.yaml"]);
    }

    /// Go's `filepath.WalkDir` reads each directory sorted by name: `a/` is entered before
    /// `a.yaml` is visited.
    #[test]
    fn walk_order_is_walkdirs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        for file in ["a.yaml", "a/z.yaml", "b.yaml"] {
            std::fs::write(dir.path().join(file), "").unwrap();
        }
        assert_eq!(
            walk_files(dir.path(), true),
            ["a/z.yaml", "a.yaml", "b.yaml"]
        );
    }
}
