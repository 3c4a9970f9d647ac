//! The text of the checked files, each read at most once and shared by every stage, rule and
//! report that needs a line: template lines for origins, key lines for findings, the excerpt the
//! human report shows. A `Location`'s file is the key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct Sources {
    /// `None`: the file could not be read (it stays unread; nothing retries).
    files: Mutex<HashMap<PathBuf, Option<Arc<str>>>>,
}

impl Sources {
    /// The file's text, read on first use.
    pub fn text(&self, path: &Path) -> Option<Arc<str>> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok().map(Arc::from))
            .clone()
    }

    /// Records text already read (discovery reads every manifest once).
    pub fn insert(&self, path: &Path, text: &str) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files
            .entry(path.to_path_buf())
            .or_insert_with(|| Some(Arc::from(text)));
    }

    /// Serves every file read under `from` as the same file under `to` (see
    /// `Finding::relocate`): the report then shows the lines that were checked. Text already
    /// known under `to` is kept unless `overwrite`.
    pub fn relocate(&self, from: &Path, to: &Path, overwrite: bool) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let moved: Vec<(PathBuf, Option<Arc<str>>)> = files
            .iter()
            .filter_map(|(path, text)| {
                let rel = path.strip_prefix(from).ok()?;
                Some((to.join(rel), text.clone()))
            })
            .collect();
        for (path, text) in moved {
            if overwrite {
                files.insert(path, text);
            } else {
                files.entry(path).or_insert(text);
            }
        }
    }

    /// Line `line` (1-based) of the file, without its line break.
    pub fn line(&self, path: &Path, line: u32) -> Option<String> {
        let text = self.text(path)?;
        text.lines()
            .nth((line as usize).checked_sub(1)?)
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::Sources;

    #[test]
    fn a_file_is_read_once_and_lines_are_one_based() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "one\ntwo\n").unwrap();
        let sources = Sources::default();
        assert_eq!(sources.line(&path, 2).as_deref(), Some("two"));
        std::fs::write(&path, "changed\n").unwrap();
        assert_eq!(
            sources.line(&path, 1).as_deref(),
            Some("one"),
            "served from memory"
        );
        assert_eq!(sources.line(&path, 0), None);
        assert_eq!(sources.line(&path, 3), None);
        assert_eq!(sources.text(&dir.path().join("missing")), None);
    }

    #[test]
    fn inserted_text_is_what_later_readers_see() {
        let sources = Sources::default();
        let path = std::path::Path::new("/no/such/file.yaml");
        sources.insert(path, "kind: X\n");
        assert_eq!(sources.line(path, 1).as_deref(), Some("kind: X"));
    }
}
