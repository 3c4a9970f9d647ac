//! Walks the checkout once: AppProjects, Applications, ApplicationSets, CRDs and Argo CD cluster
//! Secrets, with positions.
//! Helm chart `templates/` directories are skipped (they are Go templates, not YAML).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::argo::admission::CONTROL_PLANE_NAMESPACE;
use crate::argo::application::Application;
use crate::argo::cluster::Cluster;
use crate::argo::project::AppProject;
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::sources::Sources;
use crate::yaml::{self, Document, Node};

#[derive(Debug, Default)]
pub struct Repository {
    pub root: PathBuf,
    pub projects: Vec<AppProject>,
    pub applications: Vec<Application>,
    pub application_sets: Vec<ApplicationSetDoc>,
    /// CustomResourceDefinitions found in the repository, with the file they came from.
    pub crds: Vec<(Node, Location)>,
    /// Cluster Secrets (`argocd.argoproj.io/secret-type: cluster`) in Argo CD's namespace.
    pub clusters: Vec<Cluster>,
    /// Files that are not valid YAML; their severity depends on whether Argo CD reads them.
    pub unparseable: Vec<Unparseable>,
    /// Argo CD manifests that parse as YAML but are not valid objects.
    pub findings: Vec<Finding>,
    /// The objects of those findings: never checked, but what they would have deployed is
    /// unknown, so their projects get no stale-entry verdict.
    pub refused: Vec<Refused>,
    pub yaml_files: usize,
}

/// An Argo CD manifest the API server would refuse, or the gate cannot read as its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// `Application`, `ApplicationSet` or `AppProject`.
    pub kind: String,
    pub name: String,
    /// The project of an Application, or of an ApplicationSet's Applications; `None` when it
    /// cannot be told (templated, or not a string).
    pub project: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApplicationSetDoc {
    pub name: String,
    pub location: Location,
    pub root: Node,
    pub file: Arc<Path>,
}

impl ApplicationSetDoc {
    /// The project every generated Application gets, unless it is templated or missing.
    pub fn template_project(&self) -> Option<String> {
        template_project(&self.root)
    }
}

fn template_project(root: &Node) -> Option<String> {
    let project = root.at(&["spec", "template", "spec", "project"])?.text();
    let project = if project.is_empty() {
        "default".to_string()
    } else {
        project
    };
    (!project.contains("{{")).then_some(project)
}

/// A refused Application's `spec.project` as `GetProject` would read it (empty means `default`),
/// if it is a string at all.
fn project_of(node: &Node) -> Option<String> {
    let project = node.as_str()?;
    Some(
        if project.is_empty() {
            "default"
        } else {
            project
        }
        .to_string(),
    )
}

#[derive(Debug, Clone)]
pub struct Unparseable {
    pub location: Location,
    pub message: String,
    /// The file mentions `argoproj.io`: Argo CD would read it.
    pub mentions_argo: bool,
}

impl Unparseable {
    /// A `parse-error` finding: an error when Argo CD parses the file, or when it mentions
    /// `argoproj.io` outside a chart or Kustomize directory (it may be an Argo CD manifest the
    /// gate cannot see); otherwise a warning. `in_directory`: a directory source reads it, and
    /// skips it unless it looks like a manifest (the render reports that case).
    pub fn finding(&self, read_by_argo: bool, tool_input: bool, in_directory: bool) -> Finding {
        let severity = if read_by_argo || (self.mentions_argo && !tool_input) {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut finding = Finding::new(
            Code::ParseError,
            severity,
            format!("invalid YAML: {}", self.message),
            self.location.clone(),
        );
        if severity == Severity::Warning {
            finding = finding.help(if in_directory {
                "a directory source reads it, and Argo CD skips a YAML file that does not parse unless it looks like a manifest (apiVersion:, kind: and metadata:) or has objects before the error"
            } else if tool_input {
                "it lies in a chart or Kustomize directory, whose tool reads it (or not) as data; Argo CD does not parse it as a manifest"
            } else {
                "the file is not an Argo CD manifest and no source reads it; fix or delete it"
            });
        }
        finding
    }
}

/// Reads every YAML file under `root` once, through `sources`, and sorts what it finds.
pub fn discover(root: &Path, sources: &Sources) -> Repository {
    let mut repo = Repository {
        root: root.to_path_buf(),
        ..Repository::default()
    };
    let mut files = Vec::new();
    collect_yaml_files(root, &mut files);
    repo.yaml_files = files.len();
    for path in files {
        let Some(text) = sources.text(&path) else {
            continue;
        };
        let file: Arc<Path> = Arc::from(path.as_path());
        match yaml::parse_documents(&text) {
            Ok(docs) => classify(&mut repo, &file, &docs),
            Err(e) => repo.unparseable.push(Unparseable {
                location: Location::new(file, e.line, e.col, e.line),
                message: e.message,
                mentions_argo: text.contains("argoproj.io"),
            }),
        }
    }
    repo
}

fn classify(repo: &mut Repository, file: &Arc<Path>, docs: &[Document]) {
    for doc in docs {
        let root = &doc.root;
        let api_version = root
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or_default();
        if api_version.starts_with("apiextensions.k8s.io/") && kind == "CustomResourceDefinition" {
            repo.crds
                .push((root.clone(), Location::at_node(file, root)));
            continue;
        }
        let invalid = |(message, location): (String, Location)| {
            Finding::new(
                Code::InvalidArgoManifest,
                Severity::Error,
                message,
                location,
            )
        };
        if api_version == "v1" && kind == "Secret" {
            match Cluster::from_secret(file, root, CONTROL_PLANE_NAMESPACE) {
                Ok(Some(cluster)) => repo.clusters.push(cluster),
                Ok(None) => {}
                Err(e) => repo.findings.push(invalid(e)),
            }
            continue;
        }
        if !api_version.starts_with("argoproj.io/") || !crate::argo::crd::KINDS.contains(&kind) {
            continue;
        }
        let refuse = |repo: &mut Repository| {
            repo.refused.push(Refused {
                kind: kind.to_string(),
                name: root
                    .at(&["metadata", "name"])
                    .map(Node::text)
                    .unwrap_or_default(),
                project: match kind {
                    "Application" => root.at(&["spec", "project"]).and_then(project_of),
                    "ApplicationSet" => template_project(root),
                    _ => None,
                },
            })
        };
        // What the API server refuses, Argo CD never reads: reported, and not checked further.
        let refused = crate::argo::crd::validate(file, root);
        if !refused.is_empty() {
            repo.findings.extend(refused.into_iter().map(|r| {
                let finding = invalid((r.message, r.location));
                match r.help {
                    Some(help) => finding.help(help),
                    None => finding,
                }
            }));
            refuse(repo);
            continue;
        }
        match kind {
            "AppProject" => match AppProject::from_node(file, root) {
                Ok(project) => repo.projects.push(project),
                Err(e) => {
                    repo.findings.push(invalid(e));
                    refuse(repo);
                }
            },
            "Application" => match Application::from_node(file, root) {
                Ok(app) => repo.applications.push(app),
                Err(e) => {
                    repo.findings.push(invalid(e));
                    refuse(repo);
                }
            },
            "ApplicationSet" => {
                let name_node = root.at(&["metadata", "name"]);
                repo.application_sets.push(ApplicationSetDoc {
                    name: name_node.map(Node::text).unwrap_or_default(),
                    location: Location::at_node(file, name_node.unwrap_or(root)),
                    root: root.clone(),
                    file: file.clone(),
                });
            }
            _ => {}
        }
    }
}

/// The YAML files of the tree, skipping hidden files and directories and the `templates/`
/// directory of every chart (a directory with a `Chart.yaml`).
fn collect_yaml_files(root: &Path, out: &mut Vec<PathBuf>) {
    let files = crate::tree::walk_files(root, true);
    let listed: std::collections::BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let is_chart = |dir: &str| {
        let chart_yaml = if dir.is_empty() {
            "Chart.yaml".to_string()
        } else {
            format!("{dir}/Chart.yaml")
        };
        listed.contains(chart_yaml.as_str())
    };
    'files: for file in &files {
        let segments: Vec<&str> = file.split('/').collect();
        if segments.iter().any(|s| s.starts_with('.')) {
            continue;
        }
        for (i, segment) in segments[..segments.len() - 1].iter().enumerate() {
            if *segment == "templates" && is_chart(&segments[..i].join("/")) {
                continue 'files;
            }
        }
        if file.ends_with(".yaml") || file.ends_with(".yml") {
            out.push(root.join(file));
        }
    }
}

/// The directories under `root` with a kustomization file whose relative path matches one of
/// `patterns` (`*` within a segment), in path order; hidden directories are skipped.
pub fn kustomize_dirs_matching(root: &Path, patterns: &[glob::Pattern]) -> Vec<PathBuf> {
    if patterns.is_empty() {
        return Vec::new();
    }
    let options = glob::MatchOptions {
        require_literal_separator: true,
        ..glob::MatchOptions::new()
    };
    let mut dirs: Vec<String> = crate::tree::walk_files(root, true)
        .iter()
        .filter(|f| f.split('/').all(|s| !s.starts_with('.')))
        .filter_map(|f| {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
            crate::argo::source::is_kustomization(name).then(|| dir.to_string())
        })
        .filter(|dir| patterns.iter().any(|p| p.matches_with(dir, options)))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs.into_iter().map(|d| root.join(d)).collect()
}

/// A directory's kustomization file (`kustomization.yaml` when there is none, for messages).
pub fn kustomization_file(dir: &Path) -> PathBuf {
    crate::argo::source::find_kustomization(dir).unwrap_or_else(|| dir.join("kustomization.yaml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 13 point 7: what the API server refuses (the Argo CD CRDs, strict field validation)
    // is a finding at its field, is not read as an object, and is remembered with its project.
    #[test]
    fn refused_manifests_are_findings_not_objects() {
        let dir = tempfile::tempdir().unwrap();
        let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  project: platform\n  destination: {server: 'https://kubernetes.default.svc', namespace: web}\n  source: {repoURL: 'https://example.com/r.git', path: [web]}\n";
        let project = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: platform}\nspec:\n  sourceRepos: ['*']\n  destination: [{server: '*', namespace: '*'}]\n";
        std::fs::write(dir.path().join("app.yaml"), app).unwrap();
        std::fs::write(dir.path().join("project.yaml"), project).unwrap();
        let repo = discover(dir.path(), &Sources::default());
        assert!(repo.applications.is_empty() && repo.projects.is_empty());
        let found: Vec<(String, u32)> = repo
            .findings
            .iter()
            .map(|f| (f.location.display_path(), f.location.line))
            .collect();
        assert_eq!(found.len(), 2, "{:?}", repo.findings);
        assert!(found[0].0.ends_with("app.yaml") && found[0].1 == 7);
        assert!(found[1].0.ends_with("project.yaml") && found[1].1 == 6);
        assert_eq!(
            repo.findings[1]
                .help
                .as_deref()
                .map(|h| h.starts_with("did you mean spec.destinations?")),
            Some(true),
            "{:?}",
            repo.findings[1].help
        );
        assert_eq!(
            repo.refused,
            [
                Refused {
                    kind: "Application".into(),
                    name: "web".into(),
                    project: Some("platform".into()),
                },
                Refused {
                    kind: "AppProject".into(),
                    name: "platform".into(),
                    project: None,
                },
            ]
        );
    }
}
