//! `FilepathGlob` of `github.com/bmatcuk/doublestar/v4` with its default options, which Argo CD
//! v3.5+ uses to expand value-file globs (`getResolvedValueFiles` in
//! `reposerver/repository/repository.go`). Ported from the v4 sources (`utils.go`, `glob.go`,
//! `globwalk.go`, `match.go`, `validate.go`).
//!
//! Syntax: `*` any run of non-`/` bytes, `?` one non-`/` character, `[...]` a class (`!` or `^`
//! negates, `a-z` ranges, `\` escapes), `{a,b}` alternatives (nestable, may hold `/`), `**` as a
//! whole path segment any number of directories, `\` escapes. Results are paths joined to the
//! pattern's literal base directory.
//!
//! With the default options: directories match as well as files, symbolic links to directories
//! are followed (also by `**`), and every I/O error only means "nothing here"; the one error is
//! a malformed pattern. Order: each directory's entries by name; patterns with `**` before their
//! last segment are walked depth first (`GlobWalk`); alternatives are merged in byte order with
//! duplicates dropped.
//!
//! It reads the file system, as Go's `os.DirFS` does (`std::fs::{read_dir, metadata,
//! symlink_metadata}`).

use std::path::PathBuf;

mod pattern;

pub use pattern::path_match;
use pattern::{
    build_alt, has_mid_double_star, index_matched_opening_alt, index_meta, index_next_alt,
    last_index_slash, last_index_slash_or_alt, match_segment, sort_and_remove_dups, unescape_meta,
    validate_pattern,
};

/// `doublestar.ErrBadPattern`: the pattern is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern;

pub(super) type Bytes = Vec<u8>;

/// `FilepathGlob(pattern)`.
pub fn filepath_glob(pattern: &str) -> Result<Vec<PathBuf>, BadPattern> {
    if pattern.is_empty() {
        return Ok(Vec::new());
    }
    let pattern = clean(pattern.as_bytes());
    let (base, rest) = split_pattern(&pattern);
    if rest.is_empty() || rest == b"." || rest == b".." {
        if !validate_pattern(&pattern) {
            return Err(BadPattern);
        }
        let literal = unescape_meta(&pattern);
        let path = to_path(&literal);
        return Ok(if path.symlink_metadata().is_ok() {
            vec![path]
        } else {
            Vec::new()
        });
    }
    let fs = DirFs { base: base.clone() };
    let matches = glob(&fs, &rest)?;
    Ok(matches.iter().map(|m| to_path(&join(&base, m))).collect())
}

fn to_path(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// `SplitPattern`: the literal directory before the first meta character, and the rest.
fn split_pattern(p: &[u8]) -> (Bytes, Bytes) {
    let mut split = None;
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'\\' => i += 1,
            b'/' => split = Some(i),
            b'*' | b'?' | b'[' | b'{' => break,
            _ => {}
        }
        i += 1;
    }
    match split {
        Some(0) => (b"/".to_vec(), p[1..].to_vec()),
        Some(i) => (unescape_meta(&p[..i]), p[i + 1..].to_vec()),
        None => (b".".to_vec(), p.to_vec()),
    }
}

/// `os.DirFS(base)` as the glob reads it. Every error is "nothing there" (no
/// `WithFailOnIOErrors`).
struct DirFs {
    base: Bytes,
}

struct Entry {
    name: Bytes,
    is_dir: bool,
    is_symlink: bool,
}

impl DirFs {
    /// `fs.ValidPath`, which `os.DirFS` requires of every name.
    fn valid(name: &[u8]) -> bool {
        if name == b"." {
            return true;
        }
        !name.is_empty()
            && name
                .split(|&b| b == b'/')
                .all(|e| !e.is_empty() && e != b"." && e != b"..")
    }

    fn full(&self, name: &[u8]) -> Option<PathBuf> {
        if !Self::valid(name) {
            return None;
        }
        let mut full = self.base.clone();
        if name != b"." {
            full.push(b'/');
            full.extend_from_slice(name);
        }
        Some(to_path(&full))
    }

    /// `fs.Stat`: follows links; `Some(is_dir)` when it exists.
    fn stat(&self, name: &[u8]) -> Option<bool> {
        self.full(name)
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.is_dir())
    }

    /// `glob.exists`: [`DirFs::stat`] after trimming one trailing slash.
    fn exists(&self, name: &[u8]) -> Option<bool> {
        match name {
            [rest @ .., b'/'] if name.len() > 1 => self.stat(rest),
            _ => self.stat(name),
        }
    }

    /// `fs.ReadDir`: sorted by name.
    fn read_dir(&self, name: &[u8]) -> Option<Vec<Entry>> {
        use std::os::unix::ffi::OsStrExt;
        let entries = std::fs::read_dir(self.full(name)?).ok()?;
        let mut out: Vec<Entry> = entries
            .filter_map(Result::ok)
            .map(|e| {
                let kind = e.file_type().ok();
                Entry {
                    name: e.file_name().as_bytes().to_vec(),
                    is_dir: kind.is_some_and(|t| t.is_dir()),
                    is_symlink: kind.is_some_and(|t| t.is_symlink()),
                }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Some(out)
    }

    /// `glob.isDir`: a symbolic link counts as what it points to.
    fn entry_is_dir(&self, dir: &[u8], entry: &Entry) -> bool {
        if entry.is_symlink {
            return self.stat(&join(dir, &entry.name)).unwrap_or(false);
        }
        entry.is_dir
    }
}

/// `Glob(fsys, pattern)`.
fn glob(fs: &DirFs, pattern: &[u8]) -> Result<Vec<Bytes>, BadPattern> {
    if !validate_pattern(pattern) {
        return Err(BadPattern);
    }
    if has_mid_double_star(pattern) {
        let mut matches = Vec::new();
        do_glob_walk(fs, pattern, true, &mut |p| {
            matches.push(p.to_vec());
            Ok(())
        })?;
        return Ok(matches);
    }
    do_glob(fs, pattern, Vec::new(), true)
}

/// The pattern split at its last `/` or closing `}`: `Alts(open, close)` when that is an
/// alternative's end, else the directory part and the last segment.
enum Split<'a> {
    Alts(usize, usize),
    Dir {
        dir: &'a [u8],
        rest: &'a [u8],
        at: Option<usize>,
    },
}

fn split_last(pattern: &[u8]) -> Split<'_> {
    let mut split = last_index_slash_or_alt(pattern);
    if let Some(i) = split {
        if pattern[i] == b'}' {
            match index_matched_opening_alt(&pattern[..i]) {
                Some(open) => return Split::Alts(open, i),
                // An unmatched `}` is nothing special.
                None => split = last_index_slash(&pattern[..i]),
            }
        }
    }
    match split {
        Some(i) => Split::Dir {
            dir: &pattern[..i],
            rest: &pattern[i + 1..],
            at: Some(i),
        },
        None => Split::Dir {
            dir: b".",
            rest: pattern,
            at: None,
        },
    }
}

/// `-1` for `None`, as the Go code compares indices.
fn index(i: Option<usize>) -> isize {
    i.map_or(-1, |i| i as isize)
}

/// `glob.doGlob`. `first_segment`: the right-most segment, which may match files.
fn do_glob(
    fs: &DirFs,
    pattern: &[u8],
    mut matches: Vec<Bytes>,
    first_segment: bool,
) -> Result<Vec<Bytes>, BadPattern> {
    let pattern_start = index_meta(pattern);
    if pattern_start.is_none() {
        let path = unescape_meta(pattern);
        if fs.exists(&path).is_some() {
            matches.push(path);
        }
        return Ok(matches);
    }
    let (dir, rest, at) = match split_last(pattern) {
        Split::Alts(open, close) => {
            return glob_alts(fs, pattern, open, close, matches, first_segment);
        }
        Split::Dir { dir, rest, at } => (dir, rest, at),
    };
    if index(at) <= index(pattern_start) {
        return glob_dir(fs, &unescape_meta(dir), rest, matches, first_segment);
    }
    // As in Go, the directories are looked up with the matches so far in the same list.
    let dirs = do_glob(fs, dir, matches.clone(), false)?;
    for d in &dirs {
        matches = glob_dir(fs, d, rest, matches, first_segment)?;
    }
    Ok(matches)
}

/// `glob.globAlts`: `{…}` spans `open..=close`.
fn glob_alts(
    fs: &DirFs,
    pattern: &[u8],
    open: usize,
    close: usize,
    mut matches: Vec<Bytes>,
    first_segment: bool,
) -> Result<Vec<Bytes>, BadPattern> {
    let after = close + 1;
    let split = last_index_slash_or_alt(&pattern[..open]);
    let (dirs, start) = match split {
        Some(i) if pattern[i] != b'}' => {
            (do_glob(fs, &pattern[..i], matches.clone(), false)?, i + 1)
        }
        _ => (vec![Vec::new()], 0),
    };
    for d in &dirs {
        let mut pat = open + 1;
        let alt_results_start = matches.len();
        let mut this_result_start = alt_results_start;
        while pat < close {
            let next = index_next_alt(&pattern[pat..close], true).map_or(close, |n| n + pat);
            let alt = build_alt(d, pattern, start, open, pat, next, after);
            matches = do_glob(fs, &alt, matches, first_segment)?;
            let len = matches.len();
            if alt_results_start != this_result_start && this_result_start != len {
                matches = sort_and_remove_dups(matches, alt_results_start, this_result_start);
                this_result_start = matches.len();
            } else {
                this_result_start = len;
            }
            pat = next + 1;
        }
    }
    Ok(matches)
}

/// `glob.globDir`: the entries of `dir` matching the one segment `pattern`.
fn glob_dir(
    fs: &DirFs,
    dir: &[u8],
    pattern: &[u8],
    mut matches: Vec<Bytes>,
    can_match_files: bool,
) -> Result<Vec<Bytes>, BadPattern> {
    if pattern.is_empty() {
        if fs.stat(dir) == Some(true) {
            matches.push(dir.to_vec());
        }
        return Ok(matches);
    }
    if pattern == b"**" {
        return Ok(glob_double_star(fs, dir, matches, can_match_files));
    }
    let Some(entries) = fs.read_dir(dir) else {
        return Ok(matches);
    };
    for entry in &entries {
        if match_segment(pattern, &entry.name)? && (can_match_files || fs.entry_is_dir(dir, entry))
        {
            matches.push(join(dir, &entry.name));
        }
    }
    Ok(matches)
}

/// `glob.globDoubleStar`: `dir` itself, then depth first everything below it.
fn glob_double_star(
    fs: &DirFs,
    dir: &[u8],
    mut matches: Vec<Bytes>,
    can_match_files: bool,
) -> Vec<Bytes> {
    let Some(entries) = fs.read_dir(dir) else {
        return matches;
    };
    matches.push(dir.to_vec());
    for entry in &entries {
        let path = join(dir, &entry.name);
        if fs.entry_is_dir(dir, entry) {
            matches = glob_double_star(fs, &path, matches, can_match_files);
        } else if can_match_files {
            matches.push(path);
        }
    }
    matches
}

type Visit<'a> = dyn FnMut(&[u8]) -> Result<(), BadPattern> + 'a;

/// `glob.doGlobWalk`: like [`do_glob`], reporting each match as it is found.
fn do_glob_walk(
    fs: &DirFs,
    pattern: &[u8],
    first_segment: bool,
    visit: &mut Visit<'_>,
) -> Result<(), BadPattern> {
    let pattern_start = index_meta(pattern);
    if pattern_start.is_none() {
        let path = unescape_meta(pattern);
        if fs.exists(&path).is_some() {
            visit(&path)?;
        }
        return Ok(());
    }
    let (dir, rest, at) = match split_last(pattern) {
        Split::Alts(open, close) => {
            return glob_alts_walk(fs, pattern, open, close, first_segment, visit);
        }
        Split::Dir { dir, rest, at } => (dir, rest, at),
    };
    if index(at) <= index(pattern_start) {
        return glob_dir_walk(fs, &unescape_meta(dir), rest, first_segment, visit);
    }
    do_glob_walk(fs, dir, false, &mut |p| {
        glob_dir_walk(fs, p, rest, first_segment, visit)
    })
}

/// `glob.globAltsWalk`: the alternatives' matches, merged sorted, then visited.
fn glob_alts_walk(
    fs: &DirFs,
    pattern: &[u8],
    open: usize,
    close: usize,
    first_segment: bool,
    visit: &mut Visit<'_>,
) -> Result<(), BadPattern> {
    let after = close + 1;
    let mut matches = Vec::new();
    match last_index_slash_or_alt(&pattern[..open]) {
        Some(i) if pattern[i] != b'}' => {
            let start = i + 1;
            do_glob_walk(fs, &pattern[..i], false, &mut |p| {
                do_glob_alts_walk(
                    fs,
                    p,
                    pattern,
                    start,
                    open,
                    close,
                    after,
                    first_segment,
                    &mut matches,
                )
            })?;
        }
        _ => do_glob_alts_walk(
            fs,
            b"",
            pattern,
            0,
            open,
            close,
            after,
            first_segment,
            &mut matches,
        )?,
    }
    for m in &matches {
        visit(m)?;
    }
    Ok(())
}

/// `glob.doGlobAltsWalk`: inserts each alternative's matches into `matches`, sorted, unique.
#[allow(clippy::too_many_arguments)]
fn do_glob_alts_walk(
    fs: &DirFs,
    d: &[u8],
    pattern: &[u8],
    start: usize,
    open: usize,
    close: usize,
    after: usize,
    first_segment: bool,
    matches: &mut Vec<Bytes>,
) -> Result<(), BadPattern> {
    let mut pat = open + 1;
    while pat < close {
        let next = index_next_alt(&pattern[pat..close], true).map_or(close, |n| n + pat);
        let alt = build_alt(d, pattern, start, open, pat, next, after);
        do_glob_walk(fs, &alt, first_segment, &mut |p| {
            let mut at = matches.len();
            while at > 0 && matches[at - 1].as_slice() > p {
                at -= 1;
            }
            if at == 0 || matches[at - 1] != p {
                matches.insert(at, p.to_vec());
            }
            Ok(())
        })?;
        pat = next + 1;
    }
    Ok(())
}

/// `glob.globDirWalk`.
fn glob_dir_walk(
    fs: &DirFs,
    dir: &[u8],
    pattern: &[u8],
    can_match_files: bool,
    visit: &mut Visit<'_>,
) -> Result<(), BadPattern> {
    if pattern.is_empty() {
        if fs.stat(dir) == Some(true) {
            visit(dir)?;
        }
        return Ok(());
    }
    if pattern == b"**" {
        if fs.exists(dir) != Some(true) {
            return Ok(());
        }
        visit(dir)?;
        return glob_double_star_walk(fs, dir, can_match_files, visit);
    }
    let Some(entries) = fs.read_dir(dir) else {
        return Ok(());
    };
    for entry in &entries {
        if match_segment(pattern, &entry.name)? && (can_match_files || fs.entry_is_dir(dir, entry))
        {
            visit(&join(dir, &entry.name))?;
        }
    }
    Ok(())
}

/// `glob.globDoubleStarWalk`: each directory before what is in it.
fn glob_double_star_walk(
    fs: &DirFs,
    dir: &[u8],
    can_match_files: bool,
    visit: &mut Visit<'_>,
) -> Result<(), BadPattern> {
    let Some(entries) = fs.read_dir(dir) else {
        return Ok(());
    };
    for entry in &entries {
        let path = join(dir, &entry.name);
        if fs.entry_is_dir(dir, entry) {
            visit(&path)?;
            glob_double_star_walk(fs, &path, can_match_files, visit)?;
        } else if can_match_files {
            visit(&path)?;
        }
    }
    Ok(())
}

/// Go's `path.Join(dir, name)` (which cleans).
fn join(dir: &[u8], name: &[u8]) -> Bytes {
    if dir.is_empty() {
        return clean(name);
    }
    if name.is_empty() {
        return clean(dir);
    }
    let mut joined = dir.to_vec();
    joined.push(b'/');
    joined.extend_from_slice(name);
    clean(&joined)
}

/// Go's `path.Clean` (`filepath.Clean` on Unix): lexical, `""` is `.`.
pub(crate) fn clean(path: &[u8]) -> Bytes {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path[0] == b'/';
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|p| *p != b"..") {
                    parts.pop();
                } else if !rooted {
                    parts.push(part);
                }
            }
            _ => parts.push(part),
        }
    }
    let mut out = Vec::new();
    if rooted {
        out.push(b'/');
    }
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            if let Some(dir) = file.strip_suffix('/') {
                std::fs::create_dir_all(path.parent().unwrap().join(dir)).unwrap();
                continue;
            }
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        dir
    }

    fn globbed(root: &Path, pattern: &str) -> Vec<String> {
        let full = format!("{}/{pattern}", root.display());
        filepath_glob(&full)
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(root)
                    .map(|r| r.display().to_string())
                    .unwrap_or_else(|_| p.display().to_string())
            })
            .collect()
    }

    /// `FilepathGlob`: each directory's entries by name, directories too, links followed.
    #[test]
    fn globs_in_name_order() {
        let dir = tree(&[
            "values/b.yaml",
            "values/a.yaml",
            "values/sub/c.yaml",
            "x.yaml",
        ]);
        let root = dir.path();
        assert_eq!(
            globbed(root, "values/*.yaml"),
            ["values/a.yaml", "values/b.yaml"]
        );
        assert_eq!(
            globbed(root, "values/*"),
            ["values/a.yaml", "values/b.yaml", "values/sub"],
            "directories match too"
        );
        assert_eq!(
            globbed(root, "*/*.yaml"),
            ["values/a.yaml", "values/b.yaml"]
        );
        assert_eq!(globbed(root, "nope/*.yaml"), Vec::<String>::new());
        assert_eq!(
            globbed(root, "values/{b,a}.yaml"),
            ["values/a.yaml", "values/b.yaml"],
            "alternatives are merged in order"
        );
        assert_eq!(
            globbed(root, "values/{a,*}.yaml"),
            ["values/a.yaml", "values/b.yaml"],
            "without duplicates"
        );
        assert!(filepath_glob(&format!("{}/[.yaml", root.display())).is_err());
    }

    /// `**` before the last segment walks depth first (`GlobWalk`), each directory's own
    /// matches before its subdirectories'; at the end it lists the directory and everything
    /// below it.
    #[test]
    fn double_star_walks() {
        let dir = tree(&["a/z.yaml", "a/b/y.yaml", "a.yaml", "c/x.yaml"]);
        let root = dir.path();
        assert_eq!(
            globbed(root, "**/*.yaml"),
            ["a.yaml", "a/z.yaml", "a/b/y.yaml", "c/x.yaml"]
        );
        assert_eq!(
            globbed(root, "a/**"),
            ["a", "a/b", "a/b/y.yaml", "a/z.yaml"]
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("c"), root.join("l")).unwrap();
            assert_eq!(
                globbed(root, "l/**/*.yaml"),
                ["l/x.yaml"],
                "a symlinked directory is entered"
            );
        }
    }

    #[test]
    fn clean_is_gos() {
        let c = |p: &str| String::from_utf8(clean(p.as_bytes())).unwrap();
        assert_eq!(c(""), ".");
        assert_eq!(c("/a//b/./c/.."), "/a/b");
        assert_eq!(c("/../a"), "/a");
        assert_eq!(c("../a/../../b"), "../../b");
        assert_eq!(c("a/"), "a");
    }
}
