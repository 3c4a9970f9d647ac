//! `preview-gate.yaml`: per-repository settings, validated with positions.
//!
//! ```yaml
//! repositories:                 # repoURL -> local tree, relative to this file
//!   https://github.com/org/gitops.git: .
//! kubeVersion: 1.33.0           # passed to helm template --kube-version
//! apiVersions: [monitoring.coreos.com/v1]   # extra --api-versions
//! externalProjects: [default]   # AppProjects defined outside the repository
//! argocd:                       # argocd-cm keys that change what Argo CD renders
//!   kustomize.buildOptions: --enable-helm
//!   kustomize.version.v5.4.3: /custom-tools/kustomize_5_4_3   # registers the version only
//!   cluster.inClusterEnabled: "false"   # no in-cluster destination (IsInClusterEnabled)
//! currentRevisions: [develop]    # targetRevisions that mean the checked tree (besides "", HEAD
//!                               # and the pull request's branches and head sha)
//! clusters:                     # cluster Secrets Argo CD has besides those in the repository
//!   staging: https://staging.example.com      # name: server
//!   prod:                       # or a mapping: what the Secret holds
//!     server: https://prod.example.com
//!     labels: {env: prod}       # for generator selectors and {{metadata.labels.env}}
//!     annotations: {team: core}
//!     project: platform         # a project-scoped cluster
//!     namespaces: [apps, tools] # the Secret's `namespaces` (project-scoped destinations)
//!     clusterResources: true
//! helmRepositories:             # Argo CD's Helm repositories (name: URL, oci:// for OCI), for
//!   bitnami: https://charts.bitnami.com/bitnami  # chart dependencies `@bitnami` or by URL
//! unevaluatedApplicationSets: [team-scm-apps]  # live-only generators: warn instead of fail
//! scopes: {example.com/Widget: Namespaced}      # scopes of kinds no CRD in the repo declares
//! pullRequest: {number: 42, branch: feat/x}     # the synthetic PR (command-line flags win)
//! include: ['preview-*/*']      # check only Applications matching one of these globs
//! exclude: [legacy-apps]        # never check these (an ApplicationSet name skips its expansion)
//! waivers: [...]                # see crate::waiver
//! rules: {fixed-namespace: warning}  # on top of the selected profile (same syntax)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::appset::PrValues;
use crate::argo::cluster::Cluster;
use crate::argo::scope::Scope;
use crate::config_syntax::{invalid, top_level_entries};
use crate::diagnostic::{Finding, Location};
use crate::waiver::Waiver;
use crate::yaml::Node;

pub const FILE_NAME: &str = "preview-gate.yaml";

#[derive(Debug, Default, Clone)]
pub struct FileConfig {
    pub repositories: Vec<(String, PathBuf)>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub external_projects: Vec<String>,
    /// `targetRevision`s read from the checked tree, besides the built-in ones.
    pub current_revisions: Vec<String>,
    /// `argocd:`: the installation's `argocd-cm` settings the gate models.
    pub argocd: ArgoCdSettings,
    /// `clusters:`, each as the cluster Secret it stands for.
    pub clusters: Vec<Cluster>,
    /// The Helm repositories Argo CD has (repository secrets), by name and URL.
    pub helm_repositories: Vec<crate::argo::helm::ConfiguredRepository>,
    /// ApplicationSets whose live-only generators are reported as warnings, not errors.
    pub unevaluated_application_sets: Vec<String>,
    /// Declared scopes: `(group, kind, scope)`.
    pub scopes: Vec<(String, String, Scope)>,
    pub pull_request: PrValues,
    pub include: Vec<glob::Pattern>,
    pub exclude: Vec<glob::Pattern>,
    pub waivers: Vec<Waiver>,
    /// `rules:` on top of the selected profile, applied by the pipeline.
    pub rules: Option<(Node, Arc<Path>)>,
}

impl FileConfig {
    /// Whether an Application (or ApplicationSet) name is excluded by `exclude:`.
    pub fn excludes(&self, name: &str) -> bool {
        self.exclude.iter().any(|p| p.matches(name))
    }

    /// Whether `include:`/`exclude:` keep an Application. An excluded ApplicationSet name also
    /// excludes what it generates (`<appset>/<app>`).
    pub fn selects(&self, name: &str) -> bool {
        let appset = name.split_once('/').map(|(a, _)| a);
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(name)))
            && !self.excludes(name)
            && !appset.is_some_and(|a| self.excludes(a))
    }
}

const KEYS: &[&str] = &[
    "repositories",
    "kubeVersion",
    "apiVersions",
    "externalProjects",
    "currentRevisions",
    "argocd",
    "clusters",
    "helmRepositories",
    "unevaluatedApplicationSets",
    "scopes",
    "pullRequest",
    "include",
    "exclude",
    "waivers",
    "rules",
];

/// Reads a config file; every problem is an `invalid-config` finding at its line.
pub fn load(path: &Path) -> Result<FileConfig, Vec<Finding>> {
    let file: Arc<Path> = Arc::from(path);
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![invalid(
            format!("cannot read {}: {e}", path.display()),
            Location::file_start(file.clone()),
        )]
    })?;
    let entries = top_level_entries(&text, &file)?;
    let mut config = FileConfig::default();
    let base = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    for (key, value) in &entries {
        let at = Location::at_node(&file, key);
        match key.text().as_str() {
            "repositories" => match value.as_map() {
                Some(map) => {
                    for (url, dir) in map {
                        match dir.as_str() {
                            Some(dir) => config.repositories.push((url.text(), base.join(dir))),
                            None => problems.push(invalid(
                                format!("repository {} needs a directory", url.text()),
                                Location::at_node(&file, url),
                            )),
                        }
                    }
                }
                None => problems.push(invalid(
                    "repositories must map repository URLs to directories",
                    at,
                )),
            },
            "kubeVersion" => config.kube_version = value.as_str().map(str::to_string),
            "apiVersions" => match value.as_seq() {
                Some(items) => config.api_versions = items.iter().map(Node::text).collect(),
                None => problems.push(invalid("apiVersions must be a list", at)),
            },
            "externalProjects" => match value.as_seq() {
                Some(items) => config.external_projects = items.iter().map(Node::text).collect(),
                None => problems.push(invalid("externalProjects must be a list of names", at)),
            },
            "argocd" => match argocd_settings(value, &file) {
                Ok(settings) => config.argocd = settings,
                Err(mut found) => problems.append(&mut found),
            },
            "currentRevisions" => match value.as_seq() {
                Some(items) => config.current_revisions = items.iter().map(Node::text).collect(),
                None => problems.push(invalid(
                    "currentRevisions must be a list of branch, tag or commit names",
                    at,
                )),
            },
            "unevaluatedApplicationSets" => match value.as_seq() {
                Some(items) => {
                    config.unevaluated_application_sets = items.iter().map(Node::text).collect()
                }
                None => problems.push(invalid(
                    "unevaluatedApplicationSets must be a list of ApplicationSet names",
                    at,
                )),
            },
            "scopes" => match value.as_map() {
                Some(map) => {
                    for (kind, scope) in map {
                        let (group, kind_name) = match kind.text().rsplit_once('/') {
                            Some((group, kind)) => (group.to_string(), kind.to_string()),
                            None => (String::new(), kind.text()),
                        };
                        match scope.text().as_str() {
                            "Namespaced" => {
                                config.scopes.push((group, kind_name, Scope::Namespaced))
                            }
                            "Cluster" => config.scopes.push((group, kind_name, Scope::Cluster)),
                            other => problems.push(invalid(
                                format!("scope must be Namespaced or Cluster, not `{other}`"),
                                Location::at_node(&file, scope),
                            )),
                        }
                    }
                }
                None => problems.push(invalid(
                    "scopes must map group/Kind (core kinds: Kind) to Namespaced or Cluster",
                    at,
                )),
            },
            "pullRequest" => match pull_request(value, &file) {
                Ok(values) => config.pull_request = values,
                Err(found) => problems.extend(found),
            },
            "include" | "exclude" => match globs(value, &file) {
                Ok(patterns) if key.text() == "include" => config.include = patterns,
                Ok(patterns) => config.exclude = patterns,
                Err(found) => problems.extend(found),
            },
            "rules" => config.rules = Some((value.clone(), file.clone())),
            "waivers" => match crate::waiver::parse(value, &file) {
                Ok(waivers) => config.waivers = waivers,
                Err(found) => problems.extend(found),
            },
            "clusters" => match clusters(value, &file) {
                Ok(clusters) => config.clusters = clusters,
                Err(found) => problems.extend(found),
            },
            "helmRepositories" => match value.as_map() {
                Some(map) => {
                    config.helm_repositories = map
                        .iter()
                        .map(|(k, v)| crate::argo::helm::ConfiguredRepository {
                            name: k.text(),
                            url: v.text(),
                        })
                        .collect()
                }
                None => problems.push(invalid(
                    "helmRepositories must map repository names to URLs",
                    at,
                )),
            },
            other => problems.push(
                invalid(format!("unknown key `{other}`"), at)
                    .help(format!("known keys: {}", KEYS.join(", "))),
            ),
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

/// `clusters:`: `name: server`, or `name: {server, labels, annotations, project, namespaces,
/// clusterResources}`; each is a cluster Secret with the secret-type label.
fn clusters(value: &Node, file: &Arc<Path>) -> Result<Vec<Cluster>, Vec<Finding>> {
    let Some(entries) = value.as_map() else {
        return Err(vec![invalid(
            "clusters must map cluster names to server URLs or to {server, labels, annotations, project, namespaces, clusterResources}",
            Location::at_node(file, value),
        )]);
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, entry) in entries {
        let mut cluster = Cluster::new(name.text(), "");
        cluster.origin = Some(Location::at_node(file, name));
        if let Some(server) = entry.as_str() {
            cluster.server = server.to_string();
            out.push(cluster);
            continue;
        }
        let Some(fields) = entry.as_map() else {
            problems.push(invalid(
                format!(
                    "cluster {} needs a server URL or a mapping with server:",
                    name.text()
                ),
                Location::at_node(file, entry),
            ));
            continue;
        };
        let mut problem = |message: String, node: &Node| {
            problems.push(invalid(
                format!("cluster {}: {message}", name.text()),
                Location::at_node(file, node),
            ))
        };
        let strings = |node: &Node| -> Option<Vec<(String, String)>> {
            node.as_map()?
                .iter()
                .map(|(k, v)| Some((k.text(), v.as_str()?.to_string())))
                .collect()
        };
        for (key, v) in fields {
            match key.text().as_str() {
                "server" | "project" => match v.as_str() {
                    Some(text) if key.text() == "server" => cluster.server = text.to_string(),
                    Some(text) => cluster.project = text.to_string(),
                    None => problem(format!("{} must be a string", key.text()), v),
                },
                "labels" | "annotations" => match strings(v) {
                    Some(map) if key.text() == "labels" => cluster.labels.extend(map),
                    Some(map) => cluster.annotations.extend(map),
                    None => problem(format!("{} must map keys to strings", key.text()), v),
                },
                "namespaces" => match v.as_seq() {
                    Some(items) => cluster.namespaces = items.iter().map(Node::text).collect(),
                    None => problem("namespaces must be a list".to_string(), v),
                },
                "clusterResources" => match v.as_bool() {
                    Some(b) => cluster.cluster_resources = b,
                    None => problem("clusterResources must be true or false".to_string(), v),
                },
                other => problem(
                    format!(
                        "unknown key `{other}` (known: server, labels, annotations, project, namespaces, clusterResources)"
                    ),
                    key,
                ),
            }
        }
        if cluster.server.is_empty() {
            problem("server is required".to_string(), name);
        }
        out.push(cluster);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn globs(value: &Node, file: &Arc<Path>) -> Result<Vec<glob::Pattern>, Vec<Finding>> {
    let Some(items) = value.as_seq() else {
        return Err(vec![invalid(
            "expected a list of name globs",
            Location::at_node(file, value),
        )]);
    };
    let mut patterns = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        match glob::Pattern::new(&item.text()) {
            Ok(p) => patterns.push(p),
            Err(e) => problems.push(invalid(
                format!("bad glob `{}`: {e}", item.text()),
                Location::at_node(file, item),
            )),
        }
    }
    if problems.is_empty() {
        Ok(patterns)
    } else {
        Err(problems)
    }
}

fn pull_request(value: &Node, file: &Arc<Path>) -> Result<PrValues, Vec<Finding>> {
    let Some(entries) = value.as_map() else {
        return Err(vec![invalid(
            "pullRequest must be a mapping",
            Location::at_node(file, value),
        )]);
    };
    let mut pr = PrValues::default();
    let mut problems = Vec::new();
    for (key, v) in entries {
        let text = || Some(v.text());
        match key.text().as_str() {
            "number" => match v.text().parse() {
                Ok(n) => pr.number = Some(n),
                Err(_) => problems.push(invalid(
                    "pullRequest.number must be a number",
                    Location::at_node(file, v),
                )),
            },
            "branch" => pr.branch = text(),
            "targetBranch" => pr.target_branch = text(),
            "headSha" => pr.head_sha = text(),
            "title" => pr.title = text(),
            "author" => pr.author = text(),
            "labels" => pr.labels = Some(v.items().iter().map(Node::text).collect()),
            other => problems.push(invalid(
                format!(
                    "unknown pullRequest key `{other}` (known: number, branch, targetBranch, headSha, title, author, labels)"
                ),
                Location::at_node(file, key),
            )),
        }
    }
    if problems.is_empty() {
        Ok(pr)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_point_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "repositories:\n  https://x/y.git: .\nkubeVerison: 1.30.0\n",
        )
        .unwrap();
        let errors = load(&path).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location.line, 3);
        assert!(errors[0].message.contains("kubeVerison"));
    }

    #[test]
    fn new_keys_are_validated_with_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "scopes:\n  example.com/Widget: Namespaced\n  Gadget: Global\npullRequest:\n  number: 42\n  branch: feat/x\n  colour: red\ninclude: ['preview-*/*']\nexclude: ['[']\n",
        )
        .unwrap();
        let errors = load(&path).unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|e| e.location.line).collect();
        assert_eq!(lines, vec![3, 7, 9], "{errors:?}");

        std::fs::write(
            &path,
            "scopes: {example.com/Widget: Cluster}\npullRequest: {number: 42, labels: [preview]}\nexclude: [legacy]\n",
        )
        .unwrap();
        let config = load(&path).unwrap();
        assert_eq!(
            config.scopes,
            vec![("example.com".into(), "Widget".into(), Scope::Cluster)]
        );
        assert_eq!(config.pull_request.number, Some(42));
        assert!(
            !config.selects("legacy/app"),
            "an excluded ApplicationSet's apps"
        );
        assert!(config.selects("other/app"));
    }

    #[test]
    fn clusters_in_both_forms_with_positions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "clusters:\n  staging: https://staging.example.com\n  prod:\n    server: https://prod.example.com\n    labels: {env: prod}\n    annotations: {team: core}\n    project: platform\n    namespaces: [apps]\n    clusterResources: true\nargocd:\n  cluster.inClusterEnabled: 'false'\n",
        )
        .unwrap();
        let config = load(&path).unwrap();
        assert!(!config.argocd.in_cluster_enabled);
        let [staging, prod] = config.clusters.as_slice() else {
            panic!("{:?}", config.clusters)
        };
        assert_eq!(
            (staging.name.as_str(), staging.server.as_str()),
            ("staging", "https://staging.example.com")
        );
        assert_eq!(
            staging.labels[crate::argo::cluster::SECRET_TYPE_LABEL],
            "cluster"
        );
        assert_eq!(prod.labels["env"], "prod");
        assert_eq!(prod.annotations["team"], "core");
        assert_eq!(prod.project, "platform");
        assert_eq!(prod.namespaces, vec!["apps"]);
        assert!(prod.cluster_resources);
        assert_eq!(prod.origin.as_ref().unwrap().line, 3);

        std::fs::write(
            &path,
            "clusters:\n  a: [x]\n  b:\n    labels: {env: [x]}\n  c:\n    server: https://c\n    colour: red\n",
        )
        .unwrap();
        let errors = load(&path).unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|e| e.location.line).collect();
        assert_eq!(lines, vec![2, 4, 3, 7], "{errors:?}");
    }

    #[test]
    fn repositories_resolve_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "repositories:\n  https://x/y.git: sub\nkubeVersion: 1.30.0\n",
        )
        .unwrap();
        let config = load(&path).unwrap();
        assert_eq!(
            config.repositories,
            vec![("https://x/y.git".to_string(), dir.path().join("sub"))]
        );
        assert_eq!(config.kube_version.as_deref(), Some("1.30.0"));
    }
}

/// The `argocd-cm` keys of `argocd:` (`util/settings/settings.go` `GetKustomizeSettings`,
/// `IsInClusterEnabled`).
#[derive(Debug, Clone)]
pub struct ArgoCdSettings {
    /// `kustomize.buildOptions`, split on white space as `parseKustomizeBuildOptions` does.
    pub kustomize_build_options: Vec<String>,
    /// Versions registered with `kustomize.version.<v>` or `kustomize.path.<v>`. The gate never
    /// runs the paths (they name binaries of the Argo CD installation): it renders with its own
    /// kustomize and only needs to know which versions exist.
    pub kustomize_versions: Vec<String>,
    /// `cluster.inClusterEnabled`: anything but `"false"` keeps the local cluster a destination
    /// (`IsInClusterEnabled`).
    pub in_cluster_enabled: bool,
}

impl Default for ArgoCdSettings {
    fn default() -> Self {
        ArgoCdSettings {
            kustomize_build_options: Vec::new(),
            kustomize_versions: Vec::new(),
            in_cluster_enabled: true,
        }
    }
}

/// Build options that run code or reach out from a pull request's own settings file: refused.
const UNSAFE_BUILD_OPTIONS: [&str; 5] = [
    "--enable-exec",
    "--enable-alpha-plugins",
    "--helm-command",
    "--mount",
    "--network",
];

fn argocd_settings(node: &Node, file: &Arc<Path>) -> Result<ArgoCdSettings, Vec<Finding>> {
    let mut settings = ArgoCdSettings::default();
    let mut problems = Vec::new();
    let Some(entries) = node.as_map() else {
        return Err(vec![invalid(
            "argocd must be a mapping of argocd-cm keys",
            Location::at_node(file, node),
        )]);
    };
    for (key, value) in entries {
        let at = Location::at_node(file, key);
        let name = key.text();
        if name == "kustomize.buildOptions" {
            let options: Vec<String> = value
                .text()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            if let Some(bad) = options.iter().find(|o| {
                UNSAFE_BUILD_OPTIONS
                    .iter()
                    .any(|u| o.split('=').next() == Some(*u))
            }) {
                problems.push(invalid(
                    format!("kustomize.buildOptions: {bad} would let the checked repository run code or use the network during the check; the gate refuses it"),
                    at,
                ));
                continue;
            }
            settings.kustomize_build_options = options;
        } else if let Some(version) = name
            .strip_prefix("kustomize.version.")
            .or_else(|| name.strip_prefix("kustomize.path."))
        {
            settings.kustomize_versions.push(version.to_string());
        } else if name == "cluster.inClusterEnabled" {
            settings.in_cluster_enabled = value.text() != "false";
        } else if name.starts_with("kustomize.buildOptions.") {
            // Per-version build options: Argo CD v3.5 reads but never applies them.
        } else {
            problems.push(invalid(
                format!("argocd: {name} is not an argocd-cm setting the gate models (kustomize.buildOptions, kustomize.version.<v>, kustomize.path.<v>, cluster.inClusterEnabled)"),
                at,
            ));
        }
    }
    if problems.is_empty() {
        Ok(settings)
    } else {
        Err(problems)
    }
}
