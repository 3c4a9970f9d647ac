//! The git generators' file side (`applicationset/generators/git.go`, `util/git`): which
//! directories and files a `directories`/`files` entry selects, git pathspec matching, and the
//! path parameters of each match.

use std::path::Path;

use gotemplate::sanitize_name;
use serde_json::{Map, Value};

use super::params::Params;
use crate::yaml::Node;

/// Path parameters of a git directory (`file: None`) or file, goTemplate or flattened.
pub(super) fn path_params(path: &str, file: Option<()>, prefix: &str, go_template: bool) -> Params {
    let dir = if file.is_some() {
        parent(path)
    } else {
        path.to_string()
    };
    let basename = base(&dir);
    let mut fields: Vec<(&str, Value)> = vec![
        ("path", Value::String(dir.clone())),
        ("basename", Value::String(basename.clone())),
    ];
    if file.is_some() {
        fields.push(("filename", Value::String(base(path))));
    }
    fields.push((
        "basenameNormalized",
        Value::String(sanitize_name(&basename)),
    ));
    if file.is_some() {
        fields.push((
            "filenameNormalized",
            Value::String(sanitize_name(&base(path))),
        ));
    }
    let mut params = Params::new();
    if go_template {
        let mut object: Map<String, Value> = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        object.insert(
            "segments".into(),
            Value::Array(
                dir.split('/')
                    .map(|s| Value::String(s.to_string()))
                    .collect(),
            ),
        );
        if prefix.is_empty() {
            params.insert("path".into(), Value::Object(object));
        } else {
            params.insert(prefix.into(), serde_json::json!({ "path": object }));
        }
    } else {
        let name = if prefix.is_empty() {
            "path".to_string()
        } else {
            format!("{prefix}.path")
        };
        for (field, value) in fields {
            let key = if field == "path" {
                name.clone()
            } else {
                format!("{name}.{field}")
            };
            params.insert(key, value);
        }
        for (i, segment) in dir.split('/').enumerate().filter(|(_, s)| !s.is_empty()) {
            params.insert(format!("{name}[{i}]"), Value::String(segment.to_string()));
        }
    }
    params
}

/// Go's `path.Dir`.
pub(super) fn parent(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => path[..i].to_string(),
        None => ".".to_string(),
    }
}

/// Go's `path.Base`.
pub(super) fn base(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() {
            ".".into()
        } else {
            "/".into()
        };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Git directories (`GetGitDirectories` in `reposerver/repository/repository.go`): every
/// directory of the checkout as `filepath.WalkDir` visits it — symlinked directories are not
/// directories, hidden ones are skipped with what is below them, the root is not listed —
/// kept when some include pattern matches with `path.Match` and no `exclude: true` pattern does.
pub(super) fn select_directories(root: &Path, items: &[Node]) -> Vec<String> {
    let mut all = std::collections::BTreeSet::new();
    for file in crate::tree::walk_files(root, true) {
        let mut dir = file.as_str();
        while let Some(i) = dir.rfind('/') {
            dir = &dir[..i];
            all.insert(dir.to_string());
        }
    }
    let mut all: Vec<String> = all.into_iter().collect();
    // WalkDir's order (`a/b` before `a-b`), which the generator keeps.
    all.sort_by(|a, b| a.split('/').cmp(b.split('/')));
    all.into_iter()
        .filter(|dir| dir.split('/').all(|s| !s.starts_with('.')))
        .filter(|dir| {
            let mut include = false;
            for item in items {
                let pattern = item.get("path").map(Node::text).unwrap_or_default();
                if crate::argo::glob::filepath_match(&pattern, dir) {
                    if item.get("exclude").and_then(Node::as_bool) == Some(true) {
                        return false;
                    }
                    include = true;
                }
            }
            include
        })
        .collect()
}

/// Git files (`LsFiles` in `util/git/client.go`: `git ls-files -- <pattern>` at the repository
/// root): every file Git lists, hidden ones and symlinks included, matched as a git pathspec
/// (`*` crosses `/`, a leading `./` is the root); `exclude: true` patterns remove files.
pub(super) fn select_files(root: &Path, items: &[Node]) -> Vec<String> {
    let mut all = crate::tree::walk_files(root, true);
    // `generateParamsForGitFiles` sorts the paths with `sort.Strings`: byte order.
    all.sort();
    let (excludes, includes): (Vec<&Node>, Vec<&Node>) = items
        .iter()
        .partition(|i| i.get("exclude").and_then(Node::as_bool) == Some(true));
    let pattern = |n: &Node| n.get("path").map(Node::text).unwrap_or_default();
    all.into_iter()
        .filter(|f| includes.iter().any(|i| pathspec_match(&pattern(i), f)))
        .filter(|f| !excludes.iter().any(|e| pathspec_match(&pattern(e), f)))
        .collect()
}

/// A git pathspec with wildcards: `*` and `?` also match `/`; without wildcards, the path itself or
/// anything under it.
pub fn pathspec_match(pattern: &str, path: &str) -> bool {
    let mut pattern = pattern;
    while let Some(rest) = pattern.strip_prefix("./") {
        pattern = rest.trim_start_matches('/');
    }
    if !pattern.contains(['*', '?', '[']) {
        let pattern = pattern.trim_end_matches('/');
        return path == pattern || path.starts_with(&format!("{pattern}/"));
    }
    wildmatch(pattern.as_bytes(), path.as_bytes())
}

fn wildmatch(pattern: &[u8], text: &[u8]) -> bool {
    // Failed (pattern, text) positions are remembered: without that, `*a*a*a*…b` backtracks
    // exponentially, and patterns come from pull requests.
    let mut failed = std::collections::HashSet::new();
    wildmatch_at(pattern, text, 0, 0, &mut failed)
}

fn wildmatch_at(
    pattern: &[u8],
    text: &[u8],
    p: usize,
    t: usize,
    failed: &mut std::collections::HashSet<(usize, usize)>,
) -> bool {
    if failed.contains(&(p, t)) {
        return false;
    }
    let matched = match pattern.get(p) {
        None => t == text.len(),
        Some(b'*') => (t..=text.len()).any(|skip| wildmatch_at(pattern, text, p + 1, skip, failed)),
        Some(b'?') => t < text.len() && wildmatch_at(pattern, text, p + 1, t + 1, failed),
        Some(b'[') => match pattern[p..].iter().skip(2).position(|&b| b == b']') {
            None => text.get(t) == Some(&b'[') && wildmatch_at(pattern, text, p + 1, t + 1, failed),
            Some(offset) => {
                let close = p + offset + 2;
                match text.get(t) {
                    Some(&c) if class_matches(&pattern[p + 1..close], c) => {
                        wildmatch_at(pattern, text, close + 1, t + 1, failed)
                    }
                    _ => false,
                }
            }
        },
        Some(&b) => text.get(t) == Some(&b) && wildmatch_at(pattern, text, p + 1, t + 1, failed),
    };
    if !matched {
        failed.insert((p, t));
    }
    matched
}

/// A bracket expression's inside (`a-z`, `!x`, `^x`) against one byte.
fn class_matches(class: &[u8], c: u8) -> bool {
    let negated = matches!(class.first(), Some(b'!' | b'^'));
    let class = if negated { &class[1..] } else { class };
    let mut hit = false;
    let mut i = 0;
    while i < class.len() {
        if i + 2 < class.len() && class[i + 1] == b'-' {
            hit |= class[i] <= c && c <= class[i + 2];
            i += 3;
        } else {
            hit |= class[i] == c;
            i += 1;
        }
    }
    hit != negated
}
