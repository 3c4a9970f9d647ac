//! Applications as the repo-server sees them (`pkg/apis/application/v1alpha1/types.go`).

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Location;
use crate::yaml::Node;

#[derive(Debug, Clone)]
pub struct Application {
    /// Name shown in findings (`<appset>/<app>` for generated Applications).
    pub name: String,
    /// `metadata.name`, what Argo CD uses as the default Helm release name.
    pub metadata_name: String,
    /// `spec.project`; empty means `default` (`ApplicationSpec.GetProject`).
    pub project: String,
    pub project_location: Location,
    pub destination: Destination,
    pub sources: Vec<Source>,
    pub sync_options: Vec<(String, Location)>,
    /// `metadata.name` line.
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct Destination {
    pub server: Option<String>,
    pub name: Option<String>,
    pub namespace: String,
}

#[derive(Debug, Clone)]
pub struct Source {
    /// Position in `spec.sources` (0 for a single `spec.source`).
    pub index: usize,
    pub repo_url: String,
    pub repo_location: Location,
    pub path: Option<String>,
    pub path_location: Location,
    pub chart: Option<String>,
    pub target_revision: String,
    /// `ref` name, for `$ref/...` value files.
    pub ref_name: Option<String>,
    pub helm: Option<HelmOptions>,
    pub kustomize: Option<KustomizeOptions>,
    pub directory: Option<DirectoryOptions>,
    pub plugin: bool,
    /// Where the source mapping starts.
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct HelmOptions {
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    pub value_files: Vec<(String, Location)>,
    /// `values` (a YAML string) or `valuesObject` (wins over `values`), as JSON.
    pub values: Option<serde_json::Value>,
    pub parameters: Vec<HelmParameter>,
    pub file_parameters: Vec<(String, String)>,
    pub ignore_missing_value_files: bool,
    pub skip_crds: bool,
    pub skip_tests: bool,
    pub skip_schema_validation: bool,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct HelmParameter {
    pub name: String,
    pub value: String,
    pub force_string: bool,
}

#[derive(Debug, Clone, Default)]
pub struct KustomizeOptions {
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    pub namespace: Option<String>,
    pub images: Vec<String>,
    pub replicas: Vec<(String, serde_json::Value)>,
    pub common_labels: Vec<(String, String)>,
    pub common_annotations: Vec<(String, String)>,
    pub patches: Vec<serde_json::Value>,
    pub components: Vec<String>,
    /// Kustomize options this gate does not apply; reported rather than ignored.
    pub unsupported: Vec<(String, Location)>,
    pub location: Option<Location>,
}

impl KustomizeOptions {
    /// Whether Argo CD would edit the kustomization before building.
    pub fn has_edits(&self) -> bool {
        self.name_prefix.is_some()
            || self.name_suffix.is_some()
            || self.namespace.is_some()
            || !self.images.is_empty()
            || !self.replicas.is_empty()
            || !self.common_labels.is_empty()
            || !self.common_annotations.is_empty()
            || !self.patches.is_empty()
            || !self.components.is_empty()
    }
}

#[derive(Debug, Clone, Default)]
pub struct DirectoryOptions {
    pub recurse: bool,
    pub include: String,
    pub exclude: String,
    pub jsonnet: bool,
}

type ParseResult<T> = Result<T, (String, Location)>;

impl Application {
    pub fn from_node(file: &Arc<Path>, doc: &Node) -> ParseResult<Self> {
        let at = |node: &Node| Location::at_node(file, node);
        let name_node = doc
            .at(&["metadata", "name"])
            .filter(|n| n.as_str().is_some())
            .ok_or_else(|| ("Application has no metadata.name".to_string(), at(doc)))?;
        let name = name_node.text();
        let spec = doc
            .get("spec")
            .filter(|s| s.as_map().is_some())
            .ok_or_else(|| (format!("Application {name} has no spec"), at(doc)))?;
        let project_node = spec.get("project");
        let destination = spec.get("destination").map(|d| Destination {
            server: d.get("server").and_then(Node::as_str).map(str::to_string),
            name: d.get("name").and_then(Node::as_str).map(str::to_string),
            namespace: d.get("namespace").map(Node::text).unwrap_or_default(),
        });
        let destination = destination.ok_or_else(|| {
            (
                format!("Application {name} has no spec.destination"),
                at(spec),
            )
        })?;

        // `spec.sources`, when non-empty, overrides `spec.source` (`ApplicationSpec.GetSources`).
        let source_nodes: Vec<&Node> = match spec.get("sources").map(Node::items) {
            Some(items) if !items.is_empty() => items.iter().collect(),
            _ => spec.get("source").into_iter().collect(),
        };
        if source_nodes.is_empty() {
            return Err((
                format!("Application {name} has neither spec.source nor spec.sources"),
                at(spec),
            ));
        }
        let sources = source_nodes
            .into_iter()
            .enumerate()
            .map(|(index, node)| Source::from_node(file, index, node))
            .collect::<ParseResult<Vec<_>>>()?;
        let sync_options = spec
            .at(&["syncPolicy", "syncOptions"])
            .map(|n| {
                n.items()
                    .iter()
                    .filter_map(|o| Some((o.as_str()?.to_string(), at(o))))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Application {
            name: name.clone(),
            metadata_name: name,
            project: project_node.map(Node::text).unwrap_or_default(),
            project_location: at(project_node.unwrap_or(spec)),
            destination,
            sources,
            sync_options,
            location: at(name_node),
        })
    }

    /// The project Argo CD uses: `spec.project`, or `default` when empty.
    pub fn project_name(&self) -> &str {
        if self.project.is_empty() {
            "default"
        } else {
            &self.project
        }
    }
}

impl Source {
    fn from_node(file: &Arc<Path>, index: usize, node: &Node) -> ParseResult<Self> {
        let at = |n: &Node| Location::at_node(file, n);
        if node.as_map().is_none() {
            return Err(("an Application source must be a mapping".into(), at(node)));
        }
        let str_field = |key: &str| node.get(key).and_then(Node::as_str).map(str::to_string);
        let repo_node = node
            .get("repoURL")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
        let repo_node = repo_node.ok_or_else(|| ("source has no repoURL".to_string(), at(node)))?;
        let path_node = node.get("path");
        let helm = node
            .get("helm")
            .filter(|n| !n.is_null())
            .map(|h| helm_options(file, h))
            .transpose()?;
        let kustomize = node
            .get("kustomize")
            .filter(|n| !n.is_null())
            .map(|k| kustomize_options(file, k));
        let directory = node
            .get("directory")
            .filter(|n| !n.is_null())
            .map(|d| DirectoryOptions {
                recurse: d.get("recurse").and_then(Node::as_bool).unwrap_or(false),
                include: d.get("include").map(Node::text).unwrap_or_default(),
                exclude: d.get("exclude").map(Node::text).unwrap_or_default(),
                jsonnet: d.get("jsonnet").is_some_and(|j| !j.is_null()),
            });
        let explicit = [
            helm.is_some(),
            kustomize.is_some(),
            directory.is_some(),
            node.get("plugin").is_some(),
        ];
        if explicit.iter().filter(|&&b| b).count() > 1 {
            // util/app/discovery: "multiple application sources defined".
            return Err((
                "source sets more than one of helm, kustomize, directory and plugin".into(),
                at(node),
            ));
        }
        Ok(Source {
            index,
            repo_url: repo_node.text(),
            repo_location: at(repo_node),
            path: str_field("path").filter(|p| !p.is_empty()),
            path_location: at(path_node.unwrap_or(repo_node)),
            chart: str_field("chart").filter(|c| !c.is_empty()),
            target_revision: str_field("targetRevision").unwrap_or_default(),
            ref_name: str_field("ref").filter(|r| !r.is_empty()),
            helm,
            kustomize,
            directory,
            plugin: node.get("plugin").is_some(),
            location: at(node),
        })
    }

    /// A `ref` source without `path` or `chart` only provides value files; it renders nothing.
    pub fn is_ref_only(&self) -> bool {
        self.ref_name.is_some() && self.path.is_none() && self.chart.is_none()
    }
}

fn helm_options(file: &Arc<Path>, h: &Node) -> ParseResult<HelmOptions> {
    let at = |n: &Node| Location::at_node(file, n);
    let flag = |key: &str| h.get(key).and_then(Node::as_bool).unwrap_or(false);
    let values = match (
        h.get("valuesObject").filter(|n| !n.is_null()),
        h.get("values").filter(|n| !n.is_null()),
    ) {
        (Some(object), _) => Some(object.to_json()),
        (None, Some(text)) => match text.as_str() {
            Some(yaml) => {
                let docs = crate::yaml::parse_documents(yaml).map_err(|e| {
                    (
                        format!("helm.values is not valid YAML: {e}"),
                        Location::new(file.clone(), text.line + e.line, 0, text.line + e.line),
                    )
                })?;
                docs.first().map(|d| d.root.to_json())
            }
            None => Some(text.to_json()),
        },
        _ => None,
    };
    Ok(HelmOptions {
        release_name: h
            .get("releaseName")
            .and_then(Node::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty()),
        namespace: h
            .get("namespace")
            .and_then(Node::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty()),
        value_files: h
            .get("valueFiles")
            .map(|v| v.items().iter().map(|f| (f.text(), at(f))).collect())
            .unwrap_or_default(),
        values,
        parameters: h
            .get("parameters")
            .map(|p| {
                p.items()
                    .iter()
                    .map(|p| HelmParameter {
                        name: p.get("name").map(Node::text).unwrap_or_default(),
                        value: p.get("value").map(Node::text).unwrap_or_default(),
                        force_string: p
                            .get("forceString")
                            .and_then(Node::as_bool)
                            .unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        file_parameters: h
            .get("fileParameters")
            .map(|p| {
                p.items()
                    .iter()
                    .map(|p| {
                        (
                            p.get("name").map(Node::text).unwrap_or_default(),
                            p.get("path").map(Node::text).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ignore_missing_value_files: flag("ignoreMissingValueFiles"),
        skip_crds: flag("skipCrds"),
        skip_tests: flag("skipTests"),
        skip_schema_validation: flag("skipSchemaValidation"),
        kube_version: h
            .get("kubeVersion")
            .and_then(Node::as_str)
            .map(str::to_string),
        api_versions: h
            .get("apiVersions")
            .map(|v| v.items().iter().map(Node::text).collect())
            .unwrap_or_default(),
    })
}

fn kustomize_options(file: &Arc<Path>, k: &Node) -> KustomizeOptions {
    let at = |n: &Node| Location::at_node(file, n);
    let string_map = |key: &str| -> Vec<(String, String)> {
        k.get(key)
            .and_then(Node::as_map)
            .map(|m| m.iter().map(|(k, v)| (k.text(), v.text())).collect())
            .unwrap_or_default()
    };
    let known = [
        "namePrefix",
        "nameSuffix",
        "namespace",
        "images",
        "replicas",
        "commonLabels",
        "commonAnnotations",
        "patches",
        "components",
        "version",
    ];
    let unsupported = k
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter(|(key, value)| {
            !known.contains(&key.text().as_str())
                && !value.is_null()
                && value.as_bool() != Some(false)
        })
        .map(|(key, _)| (key.text(), at(key)))
        .collect();
    KustomizeOptions {
        name_prefix: k
            .get("namePrefix")
            .and_then(Node::as_str)
            .map(str::to_string),
        name_suffix: k
            .get("nameSuffix")
            .and_then(Node::as_str)
            .map(str::to_string),
        namespace: k
            .get("namespace")
            .and_then(Node::as_str)
            .map(str::to_string),
        images: k
            .get("images")
            .map(|i| i.items().iter().map(Node::text).collect())
            .unwrap_or_default(),
        replicas: k
            .get("replicas")
            .map(|r| {
                r.items()
                    .iter()
                    .map(|r| {
                        (
                            r.get("name").map(Node::text).unwrap_or_default(),
                            r.get("count").map(Node::to_json).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        common_labels: string_map("commonLabels"),
        common_annotations: string_map("commonAnnotations"),
        patches: k
            .get("patches")
            .map(|p| p.items().iter().map(Node::to_json).collect())
            .unwrap_or_default(),
        components: k
            .get("components")
            .map(|c| c.items().iter().map(Node::text).collect())
            .unwrap_or_default(),
        unsupported,
        location: Some(at(k)),
    }
}
