//! Directory sources as Argo CD v3.5.1's repo-server reads them (`reposerver/repository/repository.go`):
//! which files are manifests (`manifestFile`, the skip marker), how a file becomes objects
//! (`getObjsFromYAMLOrJSON`, `splitYAMLOrJSON`), what a jsonnet file's JSON becomes
//! (`findManifests`), and the path checks on the way (`util/io/files.Inbound`,
//! `util/io/path.ResolveFileOrDirectoryPath`). Decoding follows `k8s.io/apimachinery` v0.36.1,
//! the version Argo CD pins: `util/yaml.YAMLOrJSONDecoder` and `YAMLReader`, and
//! `unstructured.UnstructuredJSONScheme`.

use std::path::{Component, Path, PathBuf};

use crate::yaml::{self, Node};

/// `skipFileRenderingMarker`: a manifest file that contains it is not read at all.
pub const SKIP_FILE_RENDERING_MARKER: &str = "+argocd:skip-file-rendering";

/// The repo-server's default `--max-combined-directory-manifests-size` (`10M`, a decimal
/// quantity): the most the manifest files of one directory source may hold together; jsonnet
/// files are not counted.
pub const MAX_COMBINED_MANIFEST_SIZE: u64 = 10_000_000;

/// `manifestFile`, `^.*\.(yaml|yml|json|jsonnet)$` on a file name: Go's `.` matches no line
/// break, and the match is case-sensitive. `.libsonnet` is not a manifest.
pub fn manifest_file(name: &str) -> bool {
    !name.contains('\n')
        && [".yaml", ".yml", ".json", ".jsonnet"]
            .iter()
            .any(|extension| name.ends_with(extension))
}

/// `getObjsFromYAMLOrJSON`'s test for a YAML file that did not decode: it is an error only when
/// the file mentions `apiVersion:`, `kind:` and `metadata:`; otherwise it is an unrelated file.
pub fn looks_like_manifest(text: &str) -> bool {
    ["apiVersion:", "kind:", "metadata:"]
        .iter()
        .all(|key| text.contains(key))
}

/// Go's `filepath.Clean` for the paths used here: `.` dropped, `..` taken back (never above the
/// root of an absolute path).
pub fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => {
                out.pop();
                depth -= 1;
            }
            Component::ParentDir if path.is_absolute() => {}
            Component::Normal(_) => {
                out.push(component);
                depth += 1;
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `files.Inbound`: whether `candidate` (absolute, or relative to `base_dir`) lies below the
/// absolute `base_dir`, compared as cleaned text. A relative `base_dir` holds nothing.
pub fn inbound(candidate: &Path, base_dir: &Path) -> bool {
    if !base_dir.is_absolute() {
        return false;
    }
    let target = if candidate.is_absolute() {
        clean(candidate)
    } else {
        clean(&base_dir.join(candidate))
    };
    let base = format!("{}/", clean(base_dir).display());
    target.to_string_lossy().starts_with(&base)
}

/// `filepath.Join` of an absolute directory and a path that may itself start with `/`.
fn join(dir: &Path, path: &str) -> PathBuf {
    clean(&PathBuf::from(format!("{}/{path}", dir.display())))
}

/// `resolveSymbolicLinkRecursive`: follows `path` while it is a symbolic link, at most
/// `max_depth` times; a path that is no link (or does not exist) is returned as it is. Only the
/// last component is looked at, as in Go.
fn resolve_symbolic_link_recursive(path: &Path, max_depth: usize) -> Result<PathBuf, String> {
    let Ok(target) = std::fs::read_link(path) else {
        return Ok(path.to_path_buf());
    };
    if max_depth == 0 {
        return Err("maximum nesting level reached".into());
    }
    let target = if target.is_absolute() {
        target
    } else {
        clean(&path.parent().unwrap_or(Path::new("/")).join(target))
    };
    resolve_symbolic_link_recursive(&target, max_depth - 1)
}

/// `pathutil.ResolveFileOrDirectoryPath` (`resolveFileOrDirectory` with the repository root
/// allowed): `dir` relative to `app_path`, or, when it starts with `/`, to `repo_root`; a final
/// symbolic link followed; the result must stay inside `repo_root`. `makeJsonnetVM` resolves
/// each `libs` entry this way, with the repository root as both paths.
pub fn resolve_file_or_directory_path(
    app_path: &Path,
    repo_root: &Path,
    dir: &str,
) -> Result<PathBuf, String> {
    let root = clean(repo_root);
    let joined = if dir.starts_with('/') {
        join(&root, dir)
    } else {
        join(app_path, dir)
    };
    let path = clean(&resolve_symbolic_link_recursive(&joined, 10).map_err(|_| {
        "internal error: failed to resolve path. Check logs for more details".to_string()
    })?);
    let required = format!("{}/", root.display().to_string().trim_end_matches('/'));
    let text = path.display().to_string();
    if format!("{text}/") != required && !text.starts_with(&required) {
        return Err(format!("file '{dir}' resolved to outside repository root"));
    }
    Ok(path)
}

/// Why a file's part did not decode, and the file line it points at (when known).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub message: String,
    pub line: Option<u32>,
}

impl DecodeError {
    fn new(message: impl Into<String>, line: Option<u32>) -> Self {
        DecodeError {
            message: message.into(),
            line,
        }
    }
}

/// The Go type name `encoding/json` gives a JSON value in "cannot unmarshal" errors.
fn go_json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// `schema.ParseGroupVersion` succeeds: empty, `/`, or at most one `/`.
fn parse_group_version_ok(api_version: &str) -> bool {
    api_version.is_empty() || api_version == "/" || api_version.matches('/').count() <= 1
}

/// `UnstructuredJSONScheme.Decode` into an `Unstructured`: the value must be an object whose
/// `kind` is a non-empty string and whose `apiVersion`, when a string, parses as a group version
/// (else the kind counts as missing). `None` when it decodes.
pub fn unstructured_error(value: &serde_json::Value) -> Option<String> {
    let Some(object) = value.as_object() else {
        return Some(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            go_json_type(value)
        ));
    };
    let text = |key: &str| {
        object
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    };
    if text("kind").is_empty() || !parse_group_version_ok(text("apiVersion")) {
        let mut data = value.to_string();
        if data.len() > 120 {
            let mut cut = 120;
            while !data.is_char_boundary(cut) {
                cut -= 1;
            }
            data.truncate(cut);
            data.push('…');
        }
        return Some(format!("Object 'Kind' is missing in '{data}'"));
    }
    None
}

/// apimachinery's `YAMLReader.Read`, repeated: the documents of a YAML stream are the lines
/// between lines that start with `---`, whose rest may only be blank or a comment (anything else
/// is "invalid Yaml document separator", and ends the stream there). Every line ends in `\n`, a
/// `\r\n` too (`LineReader`). Each document comes with the line it starts on.
pub fn yaml_reader_documents(text: &str) -> (Vec<(u32, String)>, Option<DecodeError>) {
    let mut documents = Vec::new();
    let mut buffer = String::new();
    let mut start = 1;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let number = index as u32 + 1;
        let content = match raw.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => raw,
        };
        if let Some(rest) = content.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let message = format!("invalid Yaml document separator: {trimmed}");
                return (documents, Some(DecodeError::new(message, Some(number))));
            }
            if !buffer.is_empty() {
                documents.push((start, std::mem::take(&mut buffer)));
            }
            continue;
        }
        if buffer.is_empty() {
            start = number;
        }
        buffer.push_str(content);
        buffer.push('\n');
    }
    if !buffer.is_empty() {
        documents.push((start, buffer));
    }
    (documents, None)
}

/// One YAML document as `YAMLToJSONDecoder.Decode` into an `*Unstructured` takes it: `None` for
/// a null document, else the object or why it is none. go-yaml v2 reads the first document of
/// what it is given.
fn decode_yaml_document(text: &str, line: u32) -> Result<Option<Node>, DecodeError> {
    let docs = yaml::parse_documents_at(text, line).map_err(|e| {
        DecodeError::new(
            format!("error converting YAML to JSON: yaml: line {}: {e}", e.line),
            Some(e.line),
        )
    })?;
    let Some(doc) = docs.into_iter().next() else {
        return Ok(None);
    };
    let json = doc.root.to_json().map_err(|e| {
        DecodeError::new(
            format!("error converting YAML to JSON: {e}"),
            Some(e.line.max(doc.start_line)),
        )
    })?;
    if json.is_null() {
        return Ok(None);
    }
    match unstructured_error(&json) {
        Some(message) => Err(DecodeError::new(
            format!("error unmarshaling JSON: {message}"),
            Some(doc.root.line.max(doc.start_line)),
        )),
        None => Ok(Some(doc.root)),
    }
}

/// The YAML decoder over `text` (which starts on line `first_line` of its file): the objects up
/// to the first error, and that error with the number of `Decode` calls before it.
fn decode_yaml_stream(text: &str, first_line: u32) -> (Vec<Node>, Option<(usize, DecodeError)>) {
    let (documents, split_error) = yaml_reader_documents(text);
    let mut objects = Vec::new();
    let shift = first_line.saturating_sub(1);
    let count = documents.len();
    for (calls, (line, document)) in documents.into_iter().enumerate() {
        match decode_yaml_document(&document, line + shift) {
            Ok(Some(object)) => objects.push(object),
            Ok(None) => {}
            Err(e) => return (objects, Some((calls, e))),
        }
    }
    let split_error = split_error.map(|mut e| {
        e.line = e.line.map(|l| l + shift);
        (count, e)
    });
    (objects, split_error)
}

/// The 1-based line of byte `offset` of `text`.
fn line_at(text: &str, offset: usize) -> u32 {
    text[..offset].matches('\n').count() as u32 + 1
}

/// `GuessJSONStream`: the first 4096 bytes, blanks trimmed, start with `{`.
fn looks_like_json_stream(text: &str) -> bool {
    text.char_indices()
        .take_while(|(at, _)| *at < 4096)
        .find(|(_, c)| !c.is_whitespace())
        .is_some_and(|(_, c)| c == '{')
}

/// A decoded JSON value as a node: the YAML reading of its own text when that gives the same
/// value (so keys keep their lines), else the value with every part on its first line.
fn json_node(text: &str, start: usize, end: usize, value: &serde_json::Value) -> Node {
    let line = line_at(text, start);
    yaml::parse_documents_at(&text[start..end], line)
        .ok()
        .and_then(|docs| docs.into_iter().next())
        .map(|doc| doc.root)
        .filter(|root| root.to_json().ok().as_ref() == Some(value))
        .unwrap_or_else(|| Node::from_json(value, line))
}

/// `splitYAMLOrJSON` over `YAMLOrJSONDecoder`: the objects of a YAML (or JSON) stream, up to the
/// first error, and that error. A stream that starts with `{` is read as JSON values first;
/// when one fails and no more than one came before, the rest is read as YAML (the JSON error is
/// the one reported if the next YAML document fails too).
pub fn split_yaml_or_json(text: &str) -> (Vec<Node>, Option<DecodeError>) {
    let mut objects = Vec::new();
    let mut at = 0;
    if looks_like_json_stream(text) {
        let mut count = 0;
        let json_error = loop {
            let rest = &text[at..];
            let mut stream =
                serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
            let start = at + (rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len());
            match stream.next() {
                None => return (objects, None),
                Some(Ok(value)) => {
                    let end = at + stream.byte_offset();
                    if !value.is_null() {
                        if let Some(message) = unstructured_error(&value) {
                            break DecodeError::new(message, Some(line_at(text, start)));
                        }
                        objects.push(json_node(text, start, end, &value));
                    }
                    count += 1;
                    at = end;
                }
                Some(Err(e)) => {
                    let line = line_at(text, at) + e.line() as u32 - 1;
                    break DecodeError::new(format!("json: line {line}: {e}"), Some(line));
                }
            }
        };
        if count > 1 {
            return (objects, Some(json_error));
        }
        // `consumeWhitespace`: blanks up to and including the first line break.
        for (offset, c) in text[at..].char_indices() {
            if !c.is_whitespace() {
                at += offset;
                break;
            }
            if c == '\n' {
                at += offset + 1;
                break;
            }
        }
        let (more, error) = decode_yaml_stream(&text[at..], line_at(text, at));
        objects.extend(more);
        return match error {
            Some((0, _)) => (objects, Some(json_error)),
            Some((_, e)) => (objects, Some(e)),
            None => (objects, None),
        };
    }
    let (more, error) = decode_yaml_stream(text, 1);
    objects.extend(more);
    (objects, error.map(|(_, e)| e))
}

/// `getObjsFromYAMLOrJSON`: the objects of one manifest file named `filename`.
/// - A `.json` file holds one value: one object, or `null` for none; anything more is "multiple
///   objects" (`Decoder.More`: a next character other than `]` or `}`). A value that is no
///   object fails (Go lets a kind-less value that decodes as an OCI image manifest through, and
///   the controller then fails on it: an error all the same).
/// - Any other file is a YAML stream (`splitYAMLOrJSON`): a failure is an error when some objects
///   came before it or the file looks like a manifest, else the file is skipped.
pub fn get_objs_from_yaml_or_json(text: &str, filename: &str) -> Result<Vec<Node>, DecodeError> {
    let failed = |message: String, line: Option<u32>| {
        DecodeError::new(format!("Failed to unmarshal {filename:?}: {message}"), line)
    };
    if filename.ends_with(".json") {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            None => return Err(failed("EOF".into(), None)),
            Some(Err(e)) => return Err(failed(e.to_string(), Some(e.line() as u32))),
            Some(Ok(value)) => value,
        };
        let end = stream.byte_offset();
        let start = text.len() - text.trim_start_matches([' ', '\t', '\r', '\n']).len();
        if let Some(message) = (!value.is_null())
            .then(|| unstructured_error(&value))
            .flatten()
        {
            return Err(failed(message, Some(line_at(text, start))));
        }
        let more = text[end..]
            .trim_start_matches([' ', '\t', '\r', '\n'])
            .chars()
            .next()
            .is_some_and(|c| c != ']' && c != '}');
        if more {
            return Err(DecodeError::new(
                format!(
                    "Found multiple objects in {filename:?}. Only single objects are allowed in JSON files."
                ),
                Some(line_at(text, end)),
            ));
        }
        if value.is_null() {
            return Ok(Vec::new());
        }
        return Ok(vec![json_node(text, start, end, &value)]);
    }
    match split_yaml_or_json(text) {
        (objects, None) => Ok(objects),
        (objects, Some(e)) if !objects.is_empty() || looks_like_manifest(text) => {
            Err(failed(e.message, e.line))
        }
        (_, Some(_)) => Ok(Vec::new()),
    }
}

/// `findManifests` on the JSON a jsonnet file evaluated to: an array of objects (a `null` item is
/// none), else one object; `null` is no object at all.
pub fn jsonnet_objects(
    json: &serde_json::Value,
    filename: &str,
) -> Result<Vec<serde_json::Value>, String> {
    let failed =
        |message: String| format!("Failed to unmarshal generated json {filename:?}: {message}");
    match json {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if let Some(message) = (!item.is_null())
                    .then(|| unstructured_error(item))
                    .flatten()
                {
                    return Err(failed(format!("item {index}: {message}")));
                }
            }
            Ok(items.iter().filter(|i| !i.is_null()).cloned().collect())
        }
        other => match unstructured_error(other) {
            Some(message) => Err(failed(message)),
            None => Ok(vec![other.clone()]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| n.get("kind").map(Node::text).unwrap_or_default())
            .collect()
    }

    /// `manifestFile`: yaml, yml, json and jsonnet by name, case-sensitive; hidden names count.
    #[test]
    fn manifest_file_regexp() {
        for name in [
            "a.yaml",
            "a.yml",
            "a.json",
            "a.jsonnet",
            ".hidden.yaml",
            ".yaml",
        ] {
            assert!(manifest_file(name), "{name}");
        }
        for name in [
            "a.libsonnet",
            "a.YAML",
            "a.yaml.bak",
            "a.txt",
            "yaml",
            "a\n.yaml",
        ] {
            assert!(!manifest_file(name), "{name:?}");
        }
    }

    /// `getPotentiallyValidManifestFile`'s marker and `getObjsFromYAMLOrJSON`'s manifest test.
    #[test]
    fn skip_marker_and_looks_like_manifest() {
        assert_eq!(SKIP_FILE_RENDERING_MARKER, "+argocd:skip-file-rendering");
        assert!(looks_like_manifest(
            "apiVersion: v1\nkind: X\nmetadata: {}\n"
        ));
        assert!(!looks_like_manifest("apiVersion: v1\nmetadata: {}\n"));
        assert!(!looks_like_manifest("apiVersion:v1 kind:X"));
    }

    /// `files.Inbound`: strictly below the cleaned base, as text; a relative base holds nothing.
    #[test]
    fn inbound_compares_cleaned_text() {
        let base = Path::new("/repo");
        assert!(inbound(Path::new("/repo/a/b.yaml"), base));
        assert!(inbound(Path::new("a/../b.yaml"), base));
        assert!(!inbound(Path::new("/repo"), base));
        assert!(!inbound(Path::new("/repo2/x"), base));
        assert!(!inbound(Path::new("/repo/../etc/passwd"), base));
        assert!(!inbound(Path::new("../x"), base));
        assert!(!inbound(Path::new("/repo/x"), Path::new("repo")));
    }

    /// `ResolveFileOrDirectoryPath` / `resolveFileOrDirectory`: relative to the app path, `/` to
    /// the repository root, the root itself allowed, `..` out refused, a final symlink followed.
    #[test]
    fn resolve_file_or_directory_path_branches() {
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("vendor")).unwrap();
        let resolve = |p: &str| resolve_file_or_directory_path(&root, &root, p);
        assert_eq!(resolve("vendor").unwrap(), root.join("vendor"));
        assert_eq!(resolve("/vendor").unwrap(), root.join("vendor"));
        assert_eq!(resolve("missing/x").unwrap(), root.join("missing/x"));
        assert_eq!(resolve(".").unwrap(), root);
        assert_eq!(
            resolve("../elsewhere").unwrap_err(),
            "file '../elsewhere' resolved to outside repository root"
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", root.join("out")).unwrap();
            assert!(
                resolve("out").is_err(),
                "a symlink that leaves the repository"
            );
            std::os::unix::fs::symlink("vendor", root.join("in")).unwrap();
            assert_eq!(resolve("in").unwrap(), root.join("vendor"));
            std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
            assert!(
                resolve("loop")
                    .unwrap_err()
                    .contains("failed to resolve path")
            );
        }
    }

    /// `UnstructuredJSONScheme.Decode`: an object with a non-empty string kind and a parseable
    /// apiVersion (`ParseGroupVersion`).
    #[test]
    fn unstructured_decode_needs_an_object_with_a_kind() {
        use serde_json::json;
        assert_eq!(unstructured_error(&json!({"kind": "ConfigMap"})), None);
        assert_eq!(
            unstructured_error(&json!({"apiVersion": "a/v1", "kind": "X"})),
            None
        );
        assert_eq!(
            unstructured_error(&json!({"apiVersion": 5, "kind": "X"})),
            None
        );
        for missing in [
            json!({"apiVersion": "v1"}),
            json!({"kind": ""}),
            json!({"kind": 3}),
            json!({"apiVersion": "a/b/v1", "kind": "X"}),
        ] {
            assert!(
                unstructured_error(&missing)
                    .unwrap()
                    .starts_with("Object 'Kind' is missing")
            );
        }
        assert_eq!(
            unstructured_error(&json!([1])).unwrap(),
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
    }

    /// `YAMLReader.Read`: `---` lines split; blank and comment-only rests are separators; any
    /// other rest is an error; CRLF lines end in `\n`.
    #[test]
    fn yaml_reader_splits_on_separator_lines() {
        let (docs, error) = yaml_reader_documents("a: 1\r\n--- # next\n\n---\nb: 2");
        assert_eq!(error, None);
        assert_eq!(
            docs,
            [(1, "a: 1\n".into()), (3, "\n".into()), (5, "b: 2\n".into())]
        );
        let (docs, error) = yaml_reader_documents("a: 1\n---\nb: 2\n--- !!map\nc: 3\n");
        assert_eq!(
            docs,
            [(1, "a: 1\n".into())],
            "b: 2 is cut off with the error"
        );
        assert_eq!(
            error,
            Some(DecodeError::new(
                "invalid Yaml document separator: !!map",
                Some(4)
            ))
        );
    }

    /// `splitYAMLOrJSON`: null documents are skipped; the objects up to the first error come
    /// back with it; a document without kind is an error.
    #[test]
    fn split_yaml_or_json_stops_at_the_first_error() {
        let (objects, error) = split_yaml_or_json(
            "# comment\n---\n~\n---\nkind: A\n---\nkind: B\n  bad: [\n---\nkind: C\n",
        );
        assert_eq!(kinds(&objects), ["A"]);
        assert!(error.unwrap().line.unwrap() >= 7);
        let (objects, error) = split_yaml_or_json("kind: A\n---\napiVersion: v1\n");
        assert_eq!(kinds(&objects), ["A"]);
        assert!(error.unwrap().message.contains("Object 'Kind' is missing"));
        let (objects, error) = split_yaml_or_json("- a\n- b\n");
        assert!(objects.is_empty());
        assert!(error.unwrap().message.contains("cannot unmarshal array"));
        let (objects, _) = split_yaml_or_json("a: 1\n---\nkind: A\n");
        assert!(objects.is_empty(), "the error comes first");
    }

    /// `YAMLOrJSONDecoder`: a stream starting with `{` is JSON values, then YAML after a failure
    /// that follows at most one value.
    #[test]
    fn split_yaml_or_json_reads_a_json_stream() {
        let (objects, error) = split_yaml_or_json("{\"kind\": \"A\"}\n{\"kind\": \"B\"} null\n");
        assert_eq!(
            (kinds(&objects), error),
            (vec!["A".into(), "B".into()], None)
        );
        let (objects, error) = split_yaml_or_json("{\"kind\": \"A\"}\n---\nkind: B\n");
        assert_eq!(
            (kinds(&objects), error),
            (vec!["A".into(), "B".into()], None)
        );
        let (objects, error) = split_yaml_or_json("{kind: A, metadata: {name: x}}\n");
        assert_eq!(
            (kinds(&objects), error),
            (vec!["A".into()], None),
            "YAML flow"
        );
        assert_eq!(objects[0].get("kind").unwrap().line, 1);
        let (objects, error) = split_yaml_or_json("{\"kind\": \"A\"}{\"kind\": \"B\"}{x");
        assert_eq!(kinds(&objects), ["A", "B"]);
        assert!(
            error.unwrap().message.starts_with("json:"),
            "two values came before"
        );
    }

    /// `getObjsFromYAMLOrJSON`, YAML branch: an error counts only after valid objects or in a file
    /// that looks like a manifest.
    #[test]
    fn get_objs_from_yaml_or_json_yaml_branches() {
        assert!(
            get_objs_from_yaml_or_json("values: [\n", "v.yaml")
                .unwrap()
                .is_empty()
        );
        assert!(
            get_objs_from_yaml_or_json("databases:\n  - name: a\n", "v.yaml")
                .unwrap()
                .is_empty()
        );
        let looks = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [\n";
        let e = get_objs_from_yaml_or_json(looks, "cm.yaml").unwrap_err();
        assert!(
            e.message.starts_with("Failed to unmarshal \"cm.yaml\""),
            "{e:?}"
        );
        let after_objects = "kind: A\n---\nnot: [\n";
        assert!(get_objs_from_yaml_or_json(after_objects, "x.yml").is_err());
        let objects =
            get_objs_from_yaml_or_json("apiVersion: v1\nkind: A\n---\nkind: B\n", "x.yaml")
                .unwrap();
        assert_eq!(kinds(&objects), ["A", "B"]);
        assert_eq!(objects[1].get("kind").unwrap().line, 4);
    }

    /// `getObjsFromYAMLOrJSON`, JSON branch: exactly one value; `null` is none; no object fails.
    #[test]
    fn get_objs_from_yaml_or_json_json_branches() {
        let one = get_objs_from_yaml_or_json("{\n  \"kind\": \"A\"\n}\n", "a.json").unwrap();
        assert_eq!(kinds(&one), ["A"]);
        assert_eq!(one[0].get("kind").unwrap().line, 2);
        assert!(
            get_objs_from_yaml_or_json(" null ", "a.json")
                .unwrap()
                .is_empty()
        );
        let two = get_objs_from_yaml_or_json("{\"kind\": \"A\"}\n{\"kind\": \"B\"}\n", "a.json");
        assert!(
            two.unwrap_err()
                .message
                .starts_with("Found multiple objects in \"a.json\"")
        );
        assert!(
            get_objs_from_yaml_or_json("{\"kind\": \"A\"}}", "a.json").is_ok(),
            "More() is false before a closing brace"
        );
        assert!(get_objs_from_yaml_or_json("", "a.json").is_err(), "EOF");
        assert!(get_objs_from_yaml_or_json("{\"a\": 1}", "a.json").is_err());
        assert!(get_objs_from_yaml_or_json("[{\"kind\": \"A\"}]", "a.json").is_err());
        assert!(
            get_objs_from_yaml_or_json("kind: A\n", "a.json").is_err(),
            "JSON, not YAML"
        );
    }

    /// `findManifests` on jsonnet output: an array of objects, else one object.
    #[test]
    fn find_manifests_unmarshals_jsonnet_output() {
        use serde_json::json;
        assert_eq!(
            jsonnet_objects(&json!([{"kind": "A"}, null, {"kind": "B"}]), "x.jsonnet").unwrap(),
            [json!({"kind": "A"}), json!({"kind": "B"})]
        );
        assert_eq!(
            jsonnet_objects(&json!({"kind": "A"}), "x.jsonnet").unwrap(),
            [json!({"kind": "A"})]
        );
        assert!(
            jsonnet_objects(&json!(null), "x.jsonnet")
                .unwrap()
                .is_empty()
        );
        for bad in [
            json!("s"),
            json!([{"kind": "A"}, 1]),
            json!([[{"kind": "A"}]]),
            json!({"a": 1}),
        ] {
            let e = jsonnet_objects(&bad, "x.jsonnet").unwrap_err();
            assert!(
                e.starts_with("Failed to unmarshal generated json \"x.jsonnet\""),
                "{e}"
            );
        }
    }
}
