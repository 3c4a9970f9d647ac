//! What the repo-server makes of an Application source before it renders: zero-value tool blocks
//! dropped (`NormalizeSource`, `util/argo/argo.go`), `.argocd-source*.yaml` overrides merged
//! (`mergeSourceParameters`, `reposerver/repository/repository.go`), and the source type
//! (`ExplicitType`, `pkg/apis/application/v1alpha1/types.go`; `discovery.AppType`,
//! `util/app/discovery/discovery.go`).

use std::path::{Path, PathBuf};

use crate::yaml::{Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceType {
    Kustomize,
    Helm,
    Directory,
    Plugin,
}

impl SourceType {
    /// The name Argo CD prints (`ApplicationSourceType`).
    pub fn name(self) -> &'static str {
        match self {
            SourceType::Kustomize => "Kustomize",
            SourceType::Helm => "Helm",
            SourceType::Directory => "Directory",
            SourceType::Plugin => "Plugin",
        }
    }
}

/// A JSON zero value after YAML decoding: absent, null, `""`, `false`, `0`, `[]` or `{}`.
fn is_zero_value(node: Option<&Node>) -> bool {
    let Some(node) = node else {
        return true;
    };
    if node.is_null() {
        return true;
    }
    match &node.value {
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        _ => {
            let text = node.text();
            text.is_empty() || node.as_bool() == Some(false) || text == "0"
        }
    }
}

fn all_zero(block: &Node, keys: &[&str]) -> bool {
    keys.iter().all(|key| is_zero_value(block.get(key)))
}

/// `ApplicationSourceHelm.IsZero`: `values`/`valuesObject` count through `ValuesIsEmpty` (an
/// empty `valuesObject: {}` is YAML `{}`, not empty).
pub fn helm_is_zero(helm: &Node) -> bool {
    let values_object = helm.get("valuesObject").filter(|v| !v.is_null());
    all_zero(
        helm,
        &[
            "version",
            "releaseName",
            "valueFiles",
            "parameters",
            "fileParameters",
            "values",
            "passCredentials",
            "ignoreMissingValueFiles",
            "skipCrds",
            "skipTests",
            "skipSchemaValidation",
            "kubeVersion",
            "apiVersions",
            "namespace",
        ],
    ) && values_object.is_none()
}

/// `ApplicationSourceKustomize.IsZero`: the force*, envsubst and label-selector switches do not
/// count, so a block with only them is zero.
pub fn kustomize_is_zero(kustomize: &Node) -> bool {
    all_zero(
        kustomize,
        &[
            "namePrefix",
            "nameSuffix",
            "version",
            "namespace",
            "images",
            "replicas",
            "commonLabels",
            "commonAnnotations",
            "patches",
            "components",
            "kubeVersion",
            "apiVersions",
            "ignoreMissingComponents",
        ],
    )
}

/// `ApplicationSourceDirectory.IsZero`: not recursive and no jsonnet `extVars`/`tlas`/`libs`.
pub fn directory_is_zero(directory: &Node) -> bool {
    let jsonnet = directory.get("jsonnet");
    is_zero_value(directory.get("recurse"))
        && ["extVars", "tlas", "libs"]
            .iter()
            .all(|key| is_zero_value(jsonnet.and_then(|j| j.get(key))))
}

/// `NormalizeSource`: zero `kustomize` and `helm` blocks are removed; a zero `directory` block
/// keeps only its `include`/`exclude`, or goes when it has neither. `plugin` is left alone.
///
/// `NormalizeApplicationSpec` calls it on `spec.source` only: its loop over `spec.sources`
/// normalises copies, so multi-source Applications reach the repo-server unnormalised.
pub fn normalize_source(source: &Node) -> Node {
    let mut normalized = source.clone();
    let Value::Map(entries) = &mut normalized.value else {
        return normalized;
    };
    entries.retain(|(key, value)| match key.as_str() {
        Some("kustomize") => value.is_null() || !kustomize_is_zero(value),
        Some("helm") => value.is_null() || !helm_is_zero(value),
        _ => true,
    });
    for (key, value) in entries.iter_mut() {
        if key.as_str() == Some("directory") && !value.is_null() && directory_is_zero(value) {
            if let Value::Map(fields) = &mut value.value {
                fields.retain(|(k, v)| {
                    matches!(k.as_str(), Some("include" | "exclude")) && !is_zero_value(Some(v))
                });
            }
        }
    }
    entries.retain(|(key, value)| {
        key.as_str() != Some("directory")
            || value.is_null()
            || value.as_map().is_some_and(|m| !m.is_empty())
    });
    normalized
}

/// `ExplicitType`: the one tool block set (non-null), `None` when none is; several is Argo CD's
/// error `multiple application sources defined: Kustomize,Helm` (in this order).
pub fn explicit_type(source: &Node) -> Result<Option<SourceType>, String> {
    let set: Vec<SourceType> = [
        ("kustomize", SourceType::Kustomize),
        ("helm", SourceType::Helm),
        ("directory", SourceType::Directory),
        ("plugin", SourceType::Plugin),
    ]
    .into_iter()
    .filter(|(key, _)| source.get(key).is_some_and(|v| !v.is_null()))
    .map(|(_, kind)| kind)
    .collect();
    match set.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        several => Err(format!(
            "multiple application sources defined: {}",
            several
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(",")
        )),
    }
}

/// `discovery.AppType` without plugins: `Discover` walks the path and records, for the top
/// directory, the type of each file named `*Chart.yaml` (Helm) or a kustomization (Kustomize);
/// the walk visits names in order, so the last such file wins. Nothing: a plain directory.
pub fn discovered_type(top_level_files: &[String]) -> SourceType {
    let mut names: Vec<&String> = top_level_files.iter().collect();
    names.sort();
    let mut found = SourceType::Directory;
    for name in names {
        if name.ends_with("Chart.yaml") {
            found = SourceType::Helm;
        }
        if is_kustomization(name) {
            found = SourceType::Kustomize;
        }
    }
    found
}

/// The file names Kustomize reads a kustomization from, in the order it tries them.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// `kustomize.IsKustomization`: one of [`KUSTOMIZATION_FILES`].
pub fn is_kustomization(name: &str) -> bool {
    KUSTOMIZATION_FILES.contains(&name)
}

/// The kustomization file of `dir`, if it has one.
pub fn find_kustomization(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
}

/// The override files `mergeSourceParameters` reads from the source directory, in order.
pub fn override_files(dir: &Path, instance: &str) -> [PathBuf; 2] {
    [
        dir.join(".argocd-source.yaml"),
        dir.join(format!(".argocd-source-{instance}.yaml")),
    ]
}

/// `mergeSourceParameters`: each override is a JSON merge patch (RFC 7386) over the source; then
/// `chart`, `path`, `repoURL` and `targetRevision` are put back as they were.
pub fn merge_source_parameters(source: &Node, overrides: &[Node]) -> Node {
    let mut merged = source.clone();
    for patch in overrides {
        merged = merge_patch(&merged, patch);
    }
    let Value::Map(entries) = &mut merged.value else {
        return merged;
    };
    const KEPT: [&str; 4] = ["chart", "path", "repoURL", "targetRevision"];
    entries.retain(|(key, _)| !key.as_str().is_some_and(|k| KEPT.contains(&k)));
    if let Some(original) = source.as_map() {
        for (key, value) in original {
            if key.as_str().is_some_and(|k| KEPT.contains(&k)) {
                entries.push((key.clone(), value.clone()));
            }
        }
    }
    merged
}

/// RFC 7386 (`jsonpatch.MergePatch`): a mapping patch merges key by key, `null` deletes, anything
/// else replaces.
fn merge_patch(target: &Node, patch: &Node) -> Node {
    let Some(patch_entries) = patch.as_map() else {
        return patch.clone();
    };
    let mut result = match target.value {
        Value::Map(_) => target.clone(),
        _ => Node {
            value: Value::Map(Vec::new()),
            ..patch.clone()
        },
    };
    let Value::Map(entries) = &mut result.value else {
        unreachable!("made a mapping above");
    };
    for (key, value) in patch_entries {
        let position = entries.iter().position(|(k, _)| k.as_str() == key.as_str());
        if value.is_null() {
            if let Some(i) = position {
                entries.remove(i);
            }
            continue;
        }
        match position {
            Some(i) => {
                let merged = merge_patch(&entries[i].1, value);
                entries[i].1 = merged;
            }
            None => entries.push((key.clone(), merge_patch(&null(), value))),
        }
    }
    result
}

fn null() -> Node {
    Node {
        value: Value::Scalar {
            text: String::new(),
            quoted: false,
            tag: None,
        },
        line: 0,
        col: 0,
        end_line: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(text).unwrap().remove(0).root
    }

    fn keys(node: &Node) -> Vec<String> {
        node.as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.text())
            .collect()
    }

    /// `NormalizeSource` branch 1 and 2: zero `kustomize`/`helm` go, set ones stay.
    #[test]
    fn normalize_source_drops_zero_helm_and_kustomize() {
        let source = node("repoURL: r\nhelm: {}\nkustomize: {forceCommonLabels: true}\n");
        assert_eq!(keys(&normalize_source(&source)), ["repoURL"]);
        let source = node("repoURL: r\nhelm: {releaseName: x}\nkustomize: {namePrefix: p}\n");
        assert_eq!(
            keys(&normalize_source(&source)),
            ["repoURL", "helm", "kustomize"]
        );
        let source = node("repoURL: r\nhelm: {valuesObject: {}}\n");
        assert_eq!(
            keys(&normalize_source(&source)),
            ["repoURL", "helm"],
            "ValuesIsEmpty: {{}} is not empty"
        );
        let source = node("repoURL: r\nhelm: {skipCrds: false, values: ''}\n");
        assert_eq!(keys(&normalize_source(&source)), ["repoURL"]);
    }

    /// `NormalizeSource` branch 3: a zero `directory` keeps include and exclude, else goes.
    #[test]
    fn normalize_source_keeps_directory_include_exclude() {
        let d = |text: &str| normalize_source(&node(text));
        assert_eq!(
            keys(&d("directory: {recurse: false}\n")),
            Vec::<String>::new()
        );
        let kept = d("directory: {recurse: false, include: '*.yaml', exclude: 'x'}\n");
        assert_eq!(keys(kept.get("directory").unwrap()), ["include", "exclude"]);
        let kept = d("directory: {exclude: 'x', jsonnet: {}}\n");
        assert_eq!(keys(kept.get("directory").unwrap()), ["exclude"]);
        let recursive = d("directory: {recurse: true}\n");
        assert_eq!(keys(recursive.get("directory").unwrap()), ["recurse"]);
        let jsonnet = d("directory: {jsonnet: {tlas: [{name: a, value: b}]}}\n");
        assert!(
            jsonnet.get("directory").is_some(),
            "jsonnet tlas are not zero"
        );
        // plugin is never normalised.
        assert_eq!(keys(&d("plugin: {}\n")), ["plugin"]);
    }

    /// `ExplicitType`: none, one, several (in Kustomize, Helm, Directory, Plugin order).
    #[test]
    fn explicit_type_branches() {
        assert_eq!(explicit_type(&node("repoURL: r\n")), Ok(None));
        assert_eq!(explicit_type(&node("helm: null\n")), Ok(None));
        assert_eq!(
            explicit_type(&node("plugin: {}\n")),
            Ok(Some(SourceType::Plugin))
        );
        assert_eq!(
            explicit_type(&node("helm: {a: 1}\nkustomize: {b: 1}\ndirectory: {}\n")),
            Err("multiple application sources defined: Kustomize,Helm,Directory".into())
        );
    }

    /// `discovery.Discover`/`AppType`: the last matching top-level file in name order wins.
    #[test]
    fn discovered_type_last_file_in_walk_order_wins() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(discovered_type(&names(&["a.yaml"])), SourceType::Directory);
        assert_eq!(
            discovered_type(&names(&["Chart.yaml", "values.yaml"])),
            SourceType::Helm
        );
        assert_eq!(
            discovered_type(&names(&["kustomization.yaml", "Chart.yaml"])),
            SourceType::Kustomize,
            "k sorts after C"
        );
        assert_eq!(
            discovered_type(&names(&["kustomization.yaml", "myChart.yaml"])),
            SourceType::Helm,
            "myChart.yaml sorts after kustomization.yaml"
        );
        assert_eq!(
            discovered_type(&names(&["Kustomization"])),
            SourceType::Kustomize
        );
        assert_eq!(
            discovered_type(&names(&["kustomization.json"])),
            SourceType::Directory
        );
    }

    /// `mergeSourceParameters`: merge patch per override, null deletes, arrays replace, and the
    /// four location fields come back.
    #[test]
    fn merge_source_parameters_patches_then_restores_location_fields() {
        let source = node(
            "repoURL: r\npath: p\ntargetRevision: main\nhelm:\n  valueFiles: [a.yaml]\n  parameters: [{name: x, value: '1'}]\n",
        );
        let general = node("helm:\n  valueFiles: [b.yaml]\npath: elsewhere\n");
        let specific = node("helm:\n  parameters: null\n  releaseName: rel\n");
        let merged = merge_source_parameters(&source, &[general, specific]);
        let helm = merged.get("helm").unwrap();
        assert_eq!(helm.get("valueFiles").unwrap().items()[0].text(), "b.yaml");
        assert!(helm.get("parameters").is_none());
        assert_eq!(helm.get("releaseName").unwrap().text(), "rel");
        assert_eq!(merged.get("path").unwrap().text(), "p", "path is put back");
        assert_eq!(merged.get("targetRevision").unwrap().text(), "main");
    }
}
