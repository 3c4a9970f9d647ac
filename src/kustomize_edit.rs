//! The source's `kustomize:` options applied to a copied kustomization, with the effect of the
//! `kustomize edit` commands Argo CD runs before building (`util/kustomize/kustomize.go`, `Build`).
//! `kubectl kustomize` has no `edit`, so the gate writes the fields itself (as JSON, which is YAML).

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::argo::application::KustomizeOptions;

pub fn apply(dir: &Path, options: &KustomizeOptions) -> Result<(), String> {
    let file = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
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
    edit(&mut k, options);
    std::fs::write(&file, Value::Object(k).to_string()).map_err(|e| e.to_string())
}

fn edit(k: &mut Map<String, Value>, options: &KustomizeOptions) {
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
    // `edit add label|annotation --force`.
    for (key, entries) in [
        ("commonLabels", &options.common_labels),
        ("commonAnnotations", &options.common_annotations),
    ] {
        if entries.is_empty() {
            continue;
        }
        let map = k.entry(key).or_insert_with(|| json!({}));
        if let Value::Object(map) = map {
            for (name, value) in entries {
                map.insert(name.clone(), json!(value));
            }
        }
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
        edit(&mut k, &options);
        assert_eq!(k["namePrefix"], json!("b-"));
        assert_eq!(
            k["images"],
            json!([{"name": "web", "newTag": "2"}, {"name": "api", "newTag": "3"}])
        );
        assert_eq!(k["commonLabels"], json!({"team": "x"}));
    }
}
