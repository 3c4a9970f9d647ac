//! The source's `kustomize:` options applied to a copied kustomization, with the effect of the
//! `kustomize edit` commands Argo CD runs before building (`util/kustomize/kustomize.go`, `Build`).
//! `kubectl kustomize` has no `edit`, so the gate writes the fields itself (as JSON, which is YAML).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::argo::application::KustomizeOptions;
use crate::argo::source::find_kustomization;
use crate::yaml::Node;

pub fn apply(dir: &Path, options: &KustomizeOptions) -> Result<(), String> {
    let file = find_kustomization(dir)
        .ok_or_else(|| format!("{} has no kustomization file", dir.display()))?;
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let docs = crate::yaml::parse_documents(&text)
        .map_err(|e| format!("{} line {}: {e}", file.display(), e.line))?;
    // Kustomize reads its kustomization with sigs.k8s.io/yaml, so the JSON is what it would see.
    let root = docs
        .first()
        .map(|d| d.root.to_json())
        .transpose()
        .map_err(|e| format!("{} line {}: {e}", file.display(), e.line))?;
    let mut k = match root {
        Some(Value::Object(map)) => map,
        None => Map::new(),
        Some(_) => return Err(format!("{} is not a mapping", file.display())),
    };
    edit(&mut k, options)?;
    std::fs::write(&file, Value::Object(k).to_string()).map_err(|e| e.to_string())
}

/// A remote reference in a kustomization: the file, its line and the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteReference {
    pub file: PathBuf,
    pub line: u32,
    pub entry: String,
}

/// The remote bases, components and Helm charts `kustomize build` of `dir` would fetch, found in
/// its kustomization and, recursively, in the local directories it includes.
pub fn remote_references(dir: &Path) -> Vec<RemoteReference> {
    let mut found = Vec::new();
    let mut seen = Vec::new();
    collect_remote(dir, &mut seen, &mut found);
    found
}

fn collect_remote(dir: &Path, seen: &mut Vec<PathBuf>, found: &mut Vec<RemoteReference>) {
    if seen.iter().any(|d| d == dir) || seen.len() > 1000 {
        return;
    }
    seen.push(dir.to_path_buf());
    let Some(file) = find_kustomization(dir) else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&file) else {
        return;
    };
    let Some(root) = crate::yaml::parse_documents(&text)
        .ok()
        .and_then(|docs| docs.into_iter().next())
        .map(|d| d.root)
    else {
        return;
    };
    for key in ["resources", "bases", "components"] {
        for item in root.get(key).map(Node::items).unwrap_or_default() {
            let entry = item.text();
            if is_remote(&entry) {
                found.push(RemoteReference {
                    file: file.clone(),
                    line: item.line,
                    entry,
                });
            } else if let Some(sub) = local_dir(dir, &entry) {
                collect_remote(&sub, seen, found);
            }
        }
    }
    for chart in root.get("helmCharts").map(Node::items).unwrap_or_default() {
        if let Some(repo) = chart.get("repo").map(Node::text).filter(|r| !r.is_empty()) {
            found.push(RemoteReference {
                file: file.clone(),
                line: chart.line,
                entry: repo,
            });
        }
    }
}

/// What Kustomize's loader fetches instead of reading: URLs, scp-style and forge shorthands.
fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("git::")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|forge| entry.starts_with(forge))
}

/// `dir/entry` with `.` and `..` resolved lexically, when it is a directory.
fn local_dir(dir: &Path, entry: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for component in dir.join(entry).components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                path.pop();
            }
            other => path.push(other),
        }
    }
    path.is_dir().then_some(path)
}

fn edit(k: &mut Map<String, Value>, options: &KustomizeOptions) -> Result<(), String> {
    // `edit set nameprefix|namesuffix|namespace` replace the field.
    for (key, value) in [
        ("namePrefix", &options.name_prefix),
        ("nameSuffix", &options.name_suffix),
        ("namespace", &options.namespace),
    ] {
        if let Some(value) = value {
            k.insert(key.into(), json!(value));
        }
    }
    // `edit set image`: replace the entry with the same name, else append.
    for spec in &options.images {
        let image = parse_image(spec);
        upsert(k, "images", image);
    }
    // `edit set replicas name=count`.
    for (name, count) in &options.replicas {
        upsert(k, "replicas", json!({"name": name, "count": count}));
    }
    // `edit add label [--force] [--without-selector [--include-templates]]`.
    if !options.common_labels.is_empty() {
        if options.label_include_templates && !options.label_without_selector {
            return Err(
                "--without-selector flag must be specified for --include-templates to work".into(),
            );
        }
        if options.label_without_selector {
            add_to_labels(k, options)?;
        } else {
            add_to_map(
                k,
                "commonLabels",
                &options.common_labels,
                "label",
                options.force_common_labels,
            )?;
        }
    }
    // `edit add annotation [--force]`.
    if !options.common_annotations.is_empty() {
        add_to_map(
            k,
            "commonAnnotations",
            &options.common_annotations,
            "annotation",
            options.force_common_annotations,
        )?;
    }
    for (key, items) in [
        ("patches", &options.patches),
        (
            "components",
            &options.components.iter().map(|c| json!(c)).collect(),
        ),
    ] {
        if items.is_empty() {
            continue;
        }
        let list = k.entry(key).or_insert_with(|| json!([]));
        if let Value::Array(list) = list {
            list.extend(items.iter().cloned());
        }
    }
    Ok(())
}

/// kustomize `addmetadata.go` `writeToMapEntry`: an existing key is an error unless forced.
fn write_entry(
    map: &mut Map<String, Value>,
    name: &str,
    value: &str,
    kind: &str,
    force: bool,
) -> Result<(), String> {
    if map.contains_key(name) && !force {
        return Err(format!(
            "{kind} {name} already in kustomization file. Use --force to override."
        ));
    }
    map.insert(name.to_string(), json!(value));
    Ok(())
}

/// `writeToMap` over `commonLabels`/`commonAnnotations`.
fn add_to_map(
    k: &mut Map<String, Value>,
    key: &str,
    entries: &[(String, String)],
    kind: &str,
    force: bool,
) -> Result<(), String> {
    let map = k.entry(key).or_insert_with(|| json!({}));
    if map.is_null() {
        *map = json!({});
    }
    let Value::Object(map) = map else {
        return Err(format!("{key} in the kustomization is not a mapping"));
    };
    for (name, value) in entries {
        write_entry(map, name, value, kind, force)?;
    }
    Ok(())
}

/// `writeToLabels` (`--without-selector`): the first `labels` entry with `includeSelectors:
/// false` and the same `includeTemplates` gets the pairs; without one, a new entry is appended.
fn add_to_labels(k: &mut Map<String, Value>, options: &KustomizeOptions) -> Result<(), String> {
    let include_templates = options.label_include_templates;
    let labels = k.entry("labels").or_insert_with(|| json!([]));
    if labels.is_null() {
        *labels = json!([]);
    }
    let Value::Array(labels) = labels else {
        return Err("labels in the kustomization is not a list".into());
    };
    let matches = |entry: &Value| {
        !entry
            .get("includeSelectors")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            && entry
                .get("includeTemplates")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                == include_templates
    };
    for (name, value) in &options.common_labels {
        match labels.iter_mut().find(|e| matches(e)) {
            Some(entry) => {
                let pairs = entry
                    .as_object_mut()
                    .ok_or("a labels entry is not a mapping")?
                    .entry("pairs")
                    .or_insert_with(|| json!({}));
                let Value::Object(pairs) = pairs else {
                    return Err("labels pairs is not a mapping".into());
                };
                write_entry(pairs, name, value, "label", options.force_common_labels)?;
            }
            None => {
                let mut entry = Map::new();
                entry.insert("pairs".into(), json!({ name.as_str(): value }));
                if include_templates {
                    entry.insert("includeTemplates".into(), json!(true));
                }
                labels.push(Value::Object(entry));
            }
        }
    }
    Ok(())
}

fn upsert(k: &mut Map<String, Value>, key: &str, entry: Value) {
    let list = k.entry(key).or_insert_with(|| json!([]));
    let Value::Array(list) = list else { return };
    match list.iter_mut().find(|e| e.get("name") == entry.get("name")) {
        Some(existing) => *existing = entry,
        None => list.push(entry),
    }
}

/// `name=newName:tag`, `name:tag`, `name@digest`, `name=newName@digest` as `kustomize edit set image`
/// reads them.
fn parse_image(spec: &str) -> Value {
    let (name, target) = spec
        .split_once('=')
        .map_or((None, spec), |(n, t)| (Some(n), t));
    let (image, digest) = target
        .split_once('@')
        .map_or((target, None), |(i, d)| (i, Some(d)));
    // A tag is after the last `:` that follows the last `/` (registry ports have a `/` after them).
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    let (image, tag) = match image[slash..].rfind(':') {
        Some(colon) => (&image[..slash + colon], Some(&image[slash + colon + 1..])),
        None => (image, None),
    };
    let mut entry = Map::new();
    match name {
        Some(name) => {
            entry.insert("name".into(), json!(name));
            entry.insert("newName".into(), json!(image));
        }
        None => {
            entry.insert("name".into(), json!(image));
        }
    }
    if let Some(tag) = tag {
        entry.insert("newTag".into(), json!(tag));
    }
    if let Some(digest) = digest {
        entry.insert("digest".into(), json!(digest));
    }
    Value::Object(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_specs() {
        assert_eq!(
            parse_image("nginx:1.25"),
            json!({"name": "nginx", "newTag": "1.25"})
        );
        assert_eq!(
            parse_image("nginx=ghcr.io/x/nginx:2"),
            json!({"name": "nginx", "newName": "ghcr.io/x/nginx", "newTag": "2"})
        );
        assert_eq!(
            parse_image("reg:5000/app@sha256:abc"),
            json!({"name": "reg:5000/app", "digest": "sha256:abc"})
        );
    }

    #[test]
    fn edits_replace_and_append() {
        let mut k = serde_json::from_value::<Map<String, Value>>(
            json!({"namePrefix": "a-", "images": [{"name": "web", "newTag": "1"}]}),
        )
        .unwrap();
        let options = KustomizeOptions {
            name_prefix: Some("b-".into()),
            images: vec!["web:2".into(), "api:3".into()],
            common_labels: vec![("team".into(), "x".into())],
            ..KustomizeOptions::default()
        };
        edit(&mut k, &options).unwrap();
        assert_eq!(k["namePrefix"], json!("b-"));
        assert_eq!(
            k["images"],
            json!([{"name": "web", "newTag": "2"}, {"name": "api", "newTag": "3"}])
        );
        assert_eq!(k["commonLabels"], json!({"team": "x"}));
    }

    fn map(value: Value) -> Map<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    /// kustomize `addmetadata.go` `writeToMapEntry`: an existing label fails without `--force`
    /// (`forceCommonLabels`), as Argo CD's `kustomize edit add label` does.
    #[test]
    fn remote_bases_are_found_through_local_ones() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "overlay/kustomization.yaml",
            "resources:\n  - ../base\n  - cm.yaml\n",
        );
        write(
            "base/kustomization.yaml",
            "resources:\n  - https://github.com/org/repo//deploy?ref=v1\n  - github.com/org/other/x\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\n",
        );
        let found = remote_references(&dir.path().join("overlay"));
        let entries: Vec<(&str, u32)> = found.iter().map(|r| (r.entry.as_str(), r.line)).collect();
        assert_eq!(
            entries,
            [
                ("https://github.com/org/repo//deploy?ref=v1", 2),
                ("github.com/org/other/x", 3),
                ("https://charts.example.com", 5)
            ]
        );
        assert!(found[0].file.ends_with("base/kustomization.yaml"));
    }

    #[test]
    fn an_existing_label_needs_force() {
        let labels = KustomizeOptions {
            common_labels: vec![("team".into(), "new".into())],
            ..KustomizeOptions::default()
        };
        let mut k = map(json!({"commonLabels": {"team": "old"}}));
        assert_eq!(
            edit(&mut k, &labels).unwrap_err(),
            "label team already in kustomization file. Use --force to override."
        );
        let forced = KustomizeOptions {
            force_common_labels: true,
            ..labels.clone()
        };
        edit(&mut k, &forced).unwrap();
        assert_eq!(k["commonLabels"], json!({"team": "new"}));
        let annotations = KustomizeOptions {
            common_annotations: vec![("a".into(), "1".into())],
            ..KustomizeOptions::default()
        };
        let mut k = map(json!({"commonAnnotations": {"a": "0"}}));
        assert!(
            edit(&mut k, &annotations)
                .unwrap_err()
                .starts_with("annotation a already")
        );
    }

    /// `writeToLabels`: `--without-selector` writes a `labels` entry without selectors, joins
    /// an entry with the same settings, and `--include-templates` needs `--without-selector`.
    #[test]
    fn labels_without_selector() {
        let options = KustomizeOptions {
            common_labels: vec![("team".into(), "x".into())],
            label_without_selector: true,
            ..KustomizeOptions::default()
        };
        let mut k = Map::new();
        edit(&mut k, &options).unwrap();
        assert_eq!(k["labels"], json!([{"pairs": {"team": "x"}}]));
        assert!(k.get("commonLabels").is_none());
        let mut k = map(
            json!({"labels": [{"pairs": {"a": "1"}, "includeSelectors": true}, {"pairs": {"b": "2"}}]}),
        );
        edit(&mut k, &options).unwrap();
        assert_eq!(k["labels"][1], json!({"pairs": {"b": "2", "team": "x"}}));
        let templates = KustomizeOptions {
            label_include_templates: true,
            label_without_selector: false,
            ..options.clone()
        };
        assert!(
            edit(&mut Map::new(), &templates)
                .unwrap_err()
                .contains("--without-selector")
        );
    }
}
