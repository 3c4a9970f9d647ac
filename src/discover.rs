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
    pub yaml_files: usize,
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
        let project = self
            .root
            .at(&["spec", "template", "spec", "project"])?
            .text();
        let project = if project.is_empty() {
            "default".to_string()
        } else {
            project
        };
        (!project.contains("{{")).then_some(project)
    }
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
        if !api_version.starts_with("argoproj.io/") {
            continue;
        }
        match kind {
            "AppProject" => match AppProject::from_node(file, root) {
                Ok(project) => repo.projects.push(project),
                Err(e) => repo.findings.push(invalid(e)),
            },
            "Application" => match Application::from_node(file, root) {
                Ok(app) => repo.applications.push(app),
                Err(e) => repo.findings.push(invalid(e)),
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
