//! A directory source, read as Argo CD v3.5.1's repo-server reads it (`findManifests`,
//! `getPotentiallyValidManifests`, `getPotentiallyValidManifestFile` in
//! reposerver/repository/repository.go):
//! 1. the walk (`tree::walk_files`, in `filepath.Walk` order; symlinked directories are not
//!    entered) lists the files, only the top level unless `recurse`; hidden files and
//!    directories are read like any other;
//! 2. a file counts when its name is a manifest's (`manifestFile`); a symbolic link must stay in
//!    the repository (else the render fails) and lead to a regular file (else it is skipped);
//!    then `exclude`, then `include` (gobwas globs on the path relative to the source); then the
//!    file is read, and skipped when it holds `+argocd:skip-file-rendering`; together the files
//!    (jsonnet not counted) may hold at most the repo-server's default 10M;
//! 3. each file in turn becomes objects: jsonnet is evaluated (`origin::jsonnet`), YAML and JSON
//!    decoded (`argo::directory::get_objs_from_yaml_or_json`). The first error fails the source.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::argo::application::DirectoryOptions;
use crate::argo::directory as argo;
use crate::argo::gobwas::glob_match;
use crate::diagnostic::Location;
use crate::sources::Sources;
use crate::yaml::Node;

use super::RenderedDoc;

/// What stopped a directory source: the message and, when known, where.
pub type DirectoryError = (String, Option<Location>);

/// A file `getPotentiallyValidManifests` keeps.
struct Manifest {
    path: PathBuf,
    name: String,
    /// The text, as read for the marker.
    text: String,
}

/// The objects of the directory source `dir` of the repository at `repo_root`.
pub fn read_directory(
    dir: &Path,
    repo_root: &Path,
    options: &DirectoryOptions,
    sources: &Sources,
) -> Result<Vec<RenderedDoc>, DirectoryError> {
    let bounds = repo_root
        .canonicalize()
        .unwrap_or_else(|_| repo_root.to_path_buf());
    let manifests = potentially_valid_manifests(dir, &bounds, options, sources)?;
    let mut docs = Vec::new();
    for manifest in manifests {
        let file: Arc<Path> = Arc::from(manifest.path.as_path());
        let at_line = |line: Option<u32>| match line {
            Some(line) => Location::new(file.clone(), line, 0, line),
            None => Location::file_start(file.clone()),
        };
        if manifest.name.ends_with(".jsonnet") {
            let json = super::jsonnet::evaluate(&manifest.path, dir, repo_root, &options.jsonnet)
                .map_err(|e| {
                let location = match e.file {
                    Some(other) => {
                        let other: Arc<Path> = Arc::from(other.as_path());
                        let line = e.line.unwrap_or(1);
                        Location::new(other, line, 0, line)
                    }
                    None => at_line(e.line),
                };
                (
                    format!(
                        "Failed to evaluate jsonnet {:?}: {}",
                        manifest.name, e.message
                    ),
                    Some(location),
                )
            })?;
            let objects = argo::jsonnet_objects(&json, &manifest.name)
                .map_err(|message| (message, Some(at_line(None))))?;
            let mut seen: Vec<String> = Vec::new();
            for object in objects {
                let kind = object
                    .get("kind")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let occurrence = seen.iter().filter(|k| **k == kind).count();
                seen.push(kind.clone());
                let line = jsonnet_kind_line(&manifest.text, &kind, occurrence);
                docs.push(RenderedDoc {
                    node: Node::from_json(&object, 0),
                    origin: Location::new(file.clone(), line, 1, line),
                });
            }
            continue;
        }
        let objects = argo::get_objs_from_yaml_or_json(&manifest.text, &manifest.name)
            .map_err(|e| (e.message, Some(at_line(e.line))))?;
        for node in objects {
            let kind_key = node.entry("kind").map(|(k, _)| k);
            let origin = Location::at_node(&file, kind_key.unwrap_or(&node));
            docs.push(RenderedDoc { node, origin });
        }
    }
    Ok(docs)
}

/// `getPotentiallyValidManifests`: the manifest files of the walk, in its order; any file's
/// error, or too much content, fails the source before any file is decoded.
fn potentially_valid_manifests(
    dir: &Path,
    bounds: &Path,
    options: &DirectoryOptions,
    sources: &Sources,
) -> Result<Vec<Manifest>, DirectoryError> {
    let mut manifests = Vec::new();
    let mut combined = 0u64;
    for relative in crate::tree::walk_files(dir, options.recurse) {
        let path = dir.join(&relative);
        let Some((manifest, size)) =
            potentially_valid_manifest_file(&path, &relative, bounds, options, sources)?
        else {
            continue;
        };
        if !manifest.name.ends_with(".jsonnet") {
            combined += size;
            if combined > argo::MAX_COMBINED_MANIFEST_SIZE {
                return Err((
                    "exceeded max combined manifest file size (the repo-server's default \
                     --max-combined-directory-manifests-size, 10M)"
                        .into(),
                    Some(Location::file_start(Arc::from(path.as_path()))),
                ));
            }
        }
        manifests.push(manifest);
    }
    Ok(manifests)
}

/// `getPotentiallyValidManifestFile`: `None` for a file that is skipped, with its size when kept.
fn potentially_valid_manifest_file(
    path: &Path,
    relative: &str,
    bounds: &Path,
    options: &DirectoryOptions,
    sources: &Sources,
) -> Result<Option<(Manifest, u64)>, DirectoryError> {
    let name = relative.rsplit('/').next().unwrap_or(relative).to_string();
    if !argo::manifest_file(&name) {
        return Ok(None);
    }
    let invalid = |message: String| {
        (
            format!("invalid manifest file {relative:?}: {message}"),
            Some(Location::file_start(Arc::from(path))),
        )
    };
    let not_found = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    let mut info = std::fs::symlink_metadata(path).map_err(|e| invalid(e.to_string()))?;
    if info.file_type().is_symlink() {
        let real = match path.canonicalize() {
            Ok(real) => real,
            // The destination is missing: skipped (Go logs a warning).
            Err(e) if not_found(&e) => return Ok(None),
            Err(e) => {
                return Err(invalid(format!(
                    "failed to evaluate symlink at {relative:?}: {e}"
                )));
            }
        };
        if !argo::inbound(&real, bounds) {
            return Err(invalid(format!(
                "illegal filepath in symlink at {relative:?}"
            )));
        }
        info = match std::fs::metadata(&real) {
            Ok(info) => info,
            Err(e) if not_found(&e) => return Ok(None),
            Err(e) => return Err(invalid(e.to_string())),
        };
    }
    // Only regular files (a link to a directory or a device is skipped, with a warning in Go).
    if !info.is_file() {
        return Ok(None);
    }
    if !options.exclude.is_empty() && glob_match(&options.exclude, relative, &[]) {
        return Ok(None);
    }
    if !options.include.is_empty() && !glob_match(&options.include, relative, &[]) {
        return Ok(None);
    }
    let text = read_text(path, sources)
        .map_err(|e| invalid(format!("failed to read {relative:?}: {e}")))?;
    if text.contains(argo::SKIP_FILE_RENDERING_MARKER) {
        return Ok(None);
    }
    Ok(Some((
        Manifest {
            path: path.to_path_buf(),
            name,
            text,
        },
        info.len(),
    )))
}

/// A file as `utfutil.ReadFile(path, utfutil.UTF8)` reads it: a byte-order mark decides (UTF-8's
/// is dropped, UTF-16 is decoded), else UTF-8 with invalid bytes replaced.
fn read_text(path: &Path, sources: &Sources) -> std::io::Result<String> {
    if let Some(text) = sources.text(path) {
        return Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string());
    }
    Ok(decode(&std::fs::read(path)?))
}

fn decode(bytes: &[u8]) -> String {
    let utf16 = |rest: &[u8], big_endian: bool| -> String {
        let units = rest.chunks(2).map(|pair| match pair {
            [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
            [a, b] => u16::from_le_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, true)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, false)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Where in a jsonnet file the `occurrence`-th object of `kind` likely comes from: the
/// `occurrence`-th line with `kind: '<kind>'` (any quotes, `:`, `::` or `:::`), else the first,
/// else line 1. Jsonnet output has no positions; this only aims findings.
fn jsonnet_kind_line(text: &str, kind: &str, occurrence: usize) -> u32 {
    if kind.is_empty() {
        return 1;
    }
    let pattern = format!(
        r#"(?:^|[^\w$])["']?kind["']?\s*:{{1,3}}\s*["']{}["']"#,
        regex::escape(kind)
    );
    let Ok(re) = regex::Regex::new(&pattern) else {
        return 1;
    };
    let lines: Vec<u32> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| re.is_match(line))
        .map(|(i, _)| i as u32 + 1)
        .collect();
    lines
        .get(occurrence)
        .or(lines.first())
        .copied()
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    fn read(dir: &Path, options: &DirectoryOptions) -> Result<Vec<String>, String> {
        read_directory(dir, dir, options, &Sources::default())
            .map(|docs| {
                docs.iter()
                    .map(|d| {
                        let name = d
                            .node
                            .at(&["metadata", "name"])
                            .map(Node::text)
                            .unwrap_or_default();
                        let file = d
                            .origin
                            .file
                            .strip_prefix(dir)
                            .unwrap()
                            .display()
                            .to_string();
                        format!("{name}@{file}:{}", d.origin.line)
                    })
                    .collect()
            })
            .map_err(|(message, _)| message)
    }

    fn cm(name: &str) -> String {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
    }

    /// `getPotentiallyValidManifests`: `filepath.Walk` order, hidden files and directories
    /// included, subdirectories only with `recurse`; `.libsonnet` and other names are no
    /// manifests.
    #[test]
    fn get_potentially_valid_manifests_walk() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("b.yaml", &cm("b")),
                ("a/x.yaml", &cm("ax")),
                ("a.yaml", &cm("a")),
                (".hidden.yaml", &cm("hidden")),
                (".config/c.yml", &cm("c")),
                ("lib.libsonnet", "{"),
                ("notes.txt", "kind: ["),
            ],
        );
        let flat = read(dir.path(), &DirectoryOptions::default()).unwrap();
        assert_eq!(flat, ["hidden@.hidden.yaml:2", "a@a.yaml:2", "b@b.yaml:2"]);
        let recursed = DirectoryOptions {
            recurse: true,
            ..DirectoryOptions::default()
        };
        assert_eq!(
            read(dir.path(), &recursed).unwrap(),
            [
                "c@.config/c.yml:2",
                "hidden@.hidden.yaml:2",
                "ax@a/x.yaml:2",
                "a@a.yaml:2",
                "b@b.yaml:2"
            ]
        );
    }

    /// `getPotentiallyValidManifestFile`: `exclude` before the file is read (an unreadable or
    /// broken excluded file is no error), then `include`; the skip marker skips a file.
    #[test]
    fn get_potentially_valid_manifest_file_filters() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("keep.yaml", &cm("keep")),
                (
                    "skip.yaml",
                    &format!("# +argocd:skip-file-rendering\n{}", cm("skipped")),
                ),
                (
                    "broken.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
                ),
                (
                    "other.json",
                    "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"j\"}}",
                ),
            ],
        );
        let err = read(dir.path(), &DirectoryOptions::default()).unwrap_err();
        assert!(
            err.starts_with("Failed to unmarshal \"broken.yaml\""),
            "{err}"
        );
        let exclude = DirectoryOptions {
            exclude: "{broken*,other.json}".into(),
            ..DirectoryOptions::default()
        };
        assert_eq!(read(dir.path(), &exclude).unwrap(), ["keep@keep.yaml:2"]);
        let include = DirectoryOptions {
            include: "*.json".into(),
            ..DirectoryOptions::default()
        };
        assert_eq!(read(dir.path(), &include).unwrap(), ["j@other.json:1"]);
    }

    /// `getPotentiallyValidManifestFile`, symlinks: inside the repository they are read; one that
    /// leaves it fails, even when excluded; a dangling one or one to a directory is skipped.
    #[cfg(unix)]
    #[test]
    fn get_potentially_valid_manifest_file_symlinks() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), &[("o.yaml", &cm("outside"))]);
        let repo = tempfile::tempdir().unwrap();
        write(
            repo.path(),
            &[("real/r.yaml", &cm("r")), ("d/keep.yaml", &cm("k"))],
        );
        let d = repo.path().join("d");
        symlink("../real/r.yaml", d.join("link.yaml")).unwrap();
        symlink("missing.yaml", d.join("dangling.yaml")).unwrap();
        symlink("../real", d.join("dir.yaml")).unwrap();
        let options = DirectoryOptions::default();
        let read_d = |o: &DirectoryOptions| {
            read_directory(&d, repo.path(), o, &Sources::default())
                .map(|docs| docs.len())
                .map_err(|(m, _)| m)
        };
        assert_eq!(read_d(&options), Ok(2));
        symlink(outside.path().join("o.yaml"), d.join("out.yaml")).unwrap();
        let excluded = DirectoryOptions {
            exclude: "out.yaml".into(),
            ..DirectoryOptions::default()
        };
        for o in [&options, &excluded] {
            assert_eq!(
                read_d(o),
                Err("invalid manifest file \"out.yaml\": illegal filepath in symlink at \"out.yaml\"".into())
            );
        }
    }

    /// `findManifests`: a jsonnet file's array becomes objects, located at their `kind` lines.
    #[test]
    fn find_manifests_renders_jsonnet() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[(
                "app.jsonnet",
                "local cm(n) = {\n  apiVersion: 'v1',\n  kind: 'ConfigMap',\n  metadata: { name: n },\n};\n[cm('a'), cm('b'), { apiVersion: 'v1', kind: \"Secret\", metadata: { name: 's' } }]\n",
            )],
        );
        assert_eq!(
            read(dir.path(), &DirectoryOptions::default()).unwrap(),
            ["a@app.jsonnet:3", "b@app.jsonnet:3", "s@app.jsonnet:6"]
        );
        write(dir.path(), &[("bad.jsonnet", "{\n  a: error 'no',\n}\n")]);
        let (message, location) = read_directory(
            dir.path(),
            dir.path(),
            &DirectoryOptions::default(),
            &Sources::default(),
        )
        .unwrap_err();
        assert_eq!(message, "Failed to evaluate jsonnet \"bad.jsonnet\": no");
        assert_eq!(location.unwrap().line, 2);
    }

    /// `getObjsFromYAMLOrJSON` in a directory: a values file next to manifests is skipped, a
    /// kind-less document fails the source only when the file looks like a manifest.
    #[test]
    fn directories_skip_yaml_that_is_not_manifests() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("values.yaml", "databases:\n  - name: a\n"),
                ("cm.yaml", &cm("c")),
                (
                    "broken.yaml",
                    "apiVersion: v1\nmetadata:\n  name: kind-less\n",
                ),
            ],
        );
        // broken.yaml mentions apiVersion and metadata but not `kind:`: skipped like values.yaml.
        let options = DirectoryOptions::default();
        assert_eq!(read(dir.path(), &options).unwrap(), ["c@cm.yaml:2"]);
        write(
            dir.path(),
            &[(
                "broken.yaml",
                "apiVersion: v1\nmetadata:\n  name: x\nspec:\n  kind: y\n",
            )],
        );
        let err = read(dir.path(), &options).unwrap_err();
        assert!(
            err.contains("Object 'Kind' is missing"),
            "looks like a manifest: {err}"
        );
    }

    /// `utfutil.ReadFile` with the UTF-8 hint: byte-order marks decide.
    #[test]
    fn read_text_honours_byte_order_marks() {
        assert_eq!(decode(b"\xEF\xBB\xBFkind: A"), "kind: A");
        assert_eq!(decode(b"\xFF\xFEk\0i\0"), "ki");
        assert_eq!(decode(b"\xFE\xFF\0k\0i"), "ki");
        assert_eq!(decode(b"a\xFFb"), "a\u{FFFD}b");
    }
}
